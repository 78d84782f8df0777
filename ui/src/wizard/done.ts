// 8. Hand over: the new key (reveal, copy, CSV, AWS profile, "Use from AWS CLI and SDKs", a check that AWS
// accepts it), or for a role, the handoff sheet for the other account.

import type { HandoffSheetDto } from "../bindings";
import { message } from "../common";
import { h } from "../dom";
import { handoverPanel } from "../handover";
import { cardView } from "../card";
import { remergedNote } from "../planView";
import { app, show, startOver } from "./context";

export function doneScreen(main: HTMLElement, nav: HTMLElement) {
  const o = app.state.outcome!;
  if (o.handoff) return handoffScreen(main, nav, o.handoff);
  doneNav(nav);
  const check = h("div", { class: "key-check" });
  const waitBar = h("progress", { max: "60", value: "0", "aria-label": "Waiting for AWS to accept the key" });
  const waitText = h("p", { role: "status", "aria-live": "polite" }, "Checking that AWS accepts the new key…");
  check.append(waitText, waitBar);
  main.append(
    h("h1", { tabindex: "-1" }, "Your new access key"),
    h("p", { class: "lead" }, `For IAM user “${o.userName}”. AWS shows the secret only once: keep it somewhere safe.`),
    remergedNote(o.remerged) ?? "",
    ...handoverPanel(app.backend, app.info, { userName: o.userName ?? "", accessKeyId: o.accessKeyId ?? "", keychainEntry: o.keychainEntry, accessId: o.accessId }),
    h("h2", {}, "Is it working?"),
    check,
    cardView(app.state.plan?.can ?? [], "What this key can do") ?? "",
  );
  app.backend
    .waitForKey((w) => {
      waitBar.value = w.waitedSeconds;
      waitText.textContent = `AWS has not accepted the key yet (try ${w.attempt}); new keys take a few seconds. Waited ${w.waitedSeconds} of at most ${w.budgetSeconds} seconds…`;
    })
    .then((r) => {
      waitBar.value = 60;
      waitText.textContent = r.message;
      waitText.className = r.works ? "ok" : "warning";
      check.id = r.works ? "key-works" : "key-not-working";
    })
    .catch((e) => (waitText.textContent = message(e)));
}

function doneNav(nav: HTMLElement) {
  nav.replaceChildren(
    h("button", { type: "button", class: "secondary", id: "see-my-access", onclick: () => show("access") }, "See it in My access"),
    h("span"),
    h("button", { type: "button", class: "secondary", onclick: startOver }, "Set up another access"),
  );
}

/** After a role is created: what the other party needs, to copy or save as Markdown or JSON. */
function handoffScreen(main: HTMLElement, nav: HTMLElement, sheet: HandoffSheetDto) {
  doneNav(nav);
  const status = h("p", { class: "hint", role: "status", "aria-live": "polite", id: "handoff-status" });
  const copyBtn = (what: string, text: string, id: string, label = "Copy") =>
    h(
      "button",
      {
        type: "button",
        class: "secondary small",
        id,
        "aria-label": `Copy the ${what}`,
        onclick: async () => {
          try {
            await app.backend.copyText(text);
            status.textContent = `Copied the ${what}.`;
          } catch (e) {
            status.textContent = message(e);
          }
        },
      },
      label,
    );
  const save = (format: "markdown" | "json", label: string) =>
    h(
      "button",
      {
        type: "button",
        class: format === "markdown" ? "primary" : "secondary",
        id: `save-handoff-${format === "markdown" ? "md" : "json"}`,
        onclick: async () => {
          try {
            const saved = await app.backend.saveHandoff(format);
            if (saved) status.textContent = `Saved to ${saved}.`;
          } catch (e) {
            status.textContent = message(e);
          }
        },
      },
      label,
    );
  const who = sheet.trusted.startsWith("arn:") ? `only ${sheet.trusted}` : `AWS account ${sheet.trusted}`;
  main.append(
    h("h1", { tabindex: "-1" }, "Hand this to the other account"),
    h("p", { class: "lead" }, `The role is ready. ${who} can use it with the external ID, for ${sheet.level} access to s3://${sheet.bucket}/${sheet.prefix ?? ""}.`),
    remergedNote(app.state.outcome?.remerged ?? []) ?? "",
    h(
      "dl",
      { class: "key" },
      h("dt", {}, "Role ARN"),
      h("dd", {}, h("code", { id: "role-arn" }, sheet.roleArn), " ", copyBtn("role ARN", sheet.roleArn, "copy-role-arn")),
      h("dt", {}, "External ID"),
      h("dd", {}, h("code", { id: "external-id" }, sheet.externalId), " ", copyBtn("external ID", sheet.externalId, "copy-external-id")),
      h("dt", {}, "Bucket"),
      h("dd", {}, `${sheet.bucket} (${sheet.region})`),
      h("dt", {}, "Folder"),
      h("dd", {}, sheet.prefix ?? "the whole bucket"),
    ),
    h("h2", {}, "What they do on their side"),
    h("p", {}, "They attach this policy to their own user or role, then assume the role with the external ID."),
    h("details", { class: "json-details" }, h("summary", {}, "The policy for their side (JSON)"), h("pre", { class: "json", tabindex: "0", id: "their-policy" }, sheet.theirPolicy)),
    h("div", { class: "row" }, save("markdown", "Save as Markdown…"), save("json", "Save as JSON…"), copyBtn("policy for their side", sheet.theirPolicy, "copy-their-policy", "Copy the policy")),
    status,
    cardView(app.state.plan?.can ?? [], "What the role can do") ?? "",
  );
}
