// "Permissions this app needs": the least-privilege policy for using the app, by job, so an organisation
// can let someone who is not an administrator do this work; and, after connecting, what the identity lacks.

import type { JobDto, PermissionCheckDto } from "../bindings";
import { errorBox, message } from "../common";
import { h, uid } from "../dom";
import { app } from "./context";

export const JOBS: { job: JobDto; label: string }[] = [
  { job: "grant", label: "Create access (IAM users, roles, bucket policy and CORS changes)" },
  { job: "links", label: "Make download and upload links" },
  { job: "manage", label: "See, rotate and revoke what the app created" },
  { job: "settings", label: "Change bucket settings" },
];

/** The check's result in plain words: null when there is nothing to say. */
export function checkSummary(c: PermissionCheckDto): { ok: boolean; text: string; details: string[] } {
  if (!c.checked) return { ok: true, text: `Could not check what this identity may do (${c.reason ?? "no reason given"}). Anything missing will show before a change is made.`, details: [] };
  if (!c.missing.length) return { ok: true, text: "This identity may do everything this app does.", details: [] };
  return {
    ok: false,
    text: "As far as IAM can tell, this identity cannot do everything here. It lacks:",
    details: c.missing.map((m) => `${m.description}: ${m.actions.join(", ")}`),
  };
}

/** After connecting: ask IAM what the identity lacks, and say it before the wizard is filled in. */
export function permissionCheckLine(): HTMLElement {
  const line = h("div", { class: "perm-check", role: "status", "aria-live": "polite" }, h("p", { class: "hint" }, "Checking what this identity may do…"));
  app.backend.checkPermissions().then(
    (c) => {
      const s = checkSummary(c);
      line.replaceChildren(
        s.ok ? h("p", { class: "hint" }, s.text) : h("div", { class: "warning" }, h("p", {}, s.text), h("ul", {}, s.details.map((d) => h("li", {}, d))), h("p", {}, "Ask an administrator to attach the policy under “Permissions this app needs”.")),
      );
    },
    (e) => line.replaceChildren(h("p", { class: "hint" }, `Could not check what this identity may do: ${message(e)}`)),
  );
  return line;
}

/** The panel with the policy to hand an administrator. */
export function permissionsPanel(): HTMLElement {
  const pre = h("pre", { id: "permissions-json", class: "json", tabindex: "0", "aria-label": "The IAM policy this app needs" });
  const out = h("div");
  const boxes = JOBS.map(({ job, label }) => {
    const id = uid("job");
    const input = h("input", { type: "checkbox", id, value: job, checked: true, onchange: () => load() });
    return { job, input, row: h("div", { class: "check" }, input, h("label", { for: id }, label)) };
  });
  const load = async () => {
    const jobs = boxes.filter((b) => b.input.checked).map((b) => b.job);
    if (!jobs.length) return (pre.textContent = "Choose at least one job.");
    try {
      pre.textContent = await app.backend.permissionsPolicy(jobs);
      out.replaceChildren();
    } catch (e) {
      out.replaceChildren(errorBox(message(e)));
    }
  };
  const copy = h("button", { type: "button", onclick: () => app.backend.copyText(pre.textContent ?? "").then(() => (copy.textContent = "Copied")) }, "Copy the policy");
  const panel = h(
    "details",
    { class: "permissions", ontoggle: () => panel.open && load() },
    h("summary", {}, "Permissions this app needs"),
    h("p", { class: "hint" }, "To let someone who is not an administrator use this app, an administrator attaches this IAM policy to them. Choose what they will do with it:"),
    h("fieldset", {}, h("legend", { class: "visually-hidden" }, "Jobs"), boxes.map((b) => b.row)),
    h("p", { class: "hint" }, "Creating access means creating IAM users and roles with policies: whoever may do that can give them any access in the account. Allow it only for people you would trust with that."),
    pre,
    copy,
    out,
  );
  return panel;
}
