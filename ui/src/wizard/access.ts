// 4. How much access: a level in one sentence each, names checked as you type, the exact policy one click
// away; for a role, who may use it.

import type { LevelDto } from "../bindings";
import { message } from "../common";
import { field, h, uid } from "../dom";
import { endDateError, externalIdError, normaliseFolder, policyNameError, roleNameError, sessionHoursError, trustedPrincipalError, userNameError } from "../validate";
import { app, set } from "./context";
import { navButtons } from "./nav";
import { limitsArgs, withTarget, type EndsChoice } from "./state";

export const LEVELS: { id: LevelDto; title: string; text: string }[] = [
  { id: "read", title: "Read only", text: "Can see and download files. Cannot change or delete anything." },
  { id: "upload", title: "Upload only", text: "Can add new files (and replace ones with the same name). Cannot see, download or delete files, so tools that look first (aws s3 sync, a plain rclone copy) fail: copy each file (aws s3 cp)." },
  { id: "read-write", title: "Read and write", text: "Can see, download and upload files. Cannot delete files, so it cannot move or rename them either (aws s3 mv, sync --delete)." },
  { id: "full", title: "Full", text: "Can see, download, upload and delete files." },
];

export function accessScreen(main: HTMLElement, nav: HTMLElement) {
  const refresh = navButtons(nav);
  const folder = normaliseFolder(app.state.folder);
  main.append(h("h1", { tabindex: "-1" }, "How much access?"), h("p", { class: "lead" }, `In s3://${app.state.bucket}/${folder}`));
  const group = h("div", { class: "choices", role: "radiogroup", "aria-label": "Access level" });
  const preview = h("pre", { class: "json", id: "policy-json", tabindex: "0", "aria-label": "The exact policy" });
  const updatePreview = async () => {
    try {
      preview.textContent = await app.backend.policyPreview(app.state.bucket, folder || null, app.state.level, app.state.allowList, limitsArgs(app.state));
    } catch (e) {
      preview.textContent = message(e);
    }
  };
  const isRole = app.state.kind === "role";
  const nameError = isRole ? roleNameError : userNameError;
  const user = field(isRole ? "Role name" : "User name", {
    value: app.state.userName,
    hint: isRole ? "The name of the new role the other account will use." : "The name of the new IAM user the app or vendor will act as.",
    onInput: (v) => (set({ userName: v, namesEdited: true }), refresh(), nameError(v)),
    validate: nameError,
  });
  const roleFields = isRole ? roleFieldset(refresh) : null;
  const ends = endsFieldset(refresh, updatePreview);
  const ipsId = uid("ips");
  const ips = h("textarea", {
    id: ipsId,
    rows: "2",
    spellcheck: "false",
    "aria-describedby": `${ipsId}-hint`,
    onchange: (e: Event) => (set({ sourceIps: (e.target as HTMLTextAreaElement).value }), updatePreview()),
  });
  ips.value = app.state.sourceIps;
  const policy = field("Policy name", { value: app.state.policyName, onInput: (v) => (set({ policyName: v, namesEdited: true }), refresh(), policyNameError(v)), validate: policyNameError });
  const listBox = h("input", { type: "checkbox", id: "allow-list", checked: app.state.allowList, onchange: (e: Event) => (set({ allowList: (e.target as HTMLInputElement).checked }), updatePreview()) });
  for (const l of LEVELS) {
    const id = uid("l");
    group.append(
      h(
        "label",
        { class: "choice", for: id },
        h("input", {
          type: "radio",
          name: "level",
          id,
          value: l.id,
          checked: app.state.level === l.id,
          onchange: () => {
            app.state = withTarget(app.state, app.state.bucket, l.id);
            user.input.value = app.state.userName;
            policy.input.value = app.state.policyName;
            user.check();
            policy.check();
            refresh();
            updatePreview();
          },
        }),
        h("span", { class: "choice-text" }, h("strong", {}, l.title), h("span", {}, l.text)),
      ),
    );
  }
  main.append(
    h("fieldset", {}, h("legend", {}, "Access level"), group),
    h("details", { class: "json-details" }, h("summary", {}, "Show the exact policy (JSON)"), preview),
    roleFields ?? "",
    ends,
    h("fieldset", {}, h("legend", {}, "Names"), user.wrap, policy.wrap),
    h(
      "details",
      {},
      h("summary", {}, "Advanced"),
      h("div", { class: "check" }, listBox, h("label", { for: "allow-list" }, "Allow listing the files (turn off for apps that only fetch files they already know, such as image proxies)")),
      h(
        "div",
        { class: "field" },
        h("label", { for: ipsId }, "Only from these addresses (optional)"),
        h(
          "p",
          { class: "hint", id: `${ipsId}-hint` },
          "Public IP addresses or networks, such as 203.0.113.7 or 203.0.113.0/24, one per line. Requests from anywhere else are refused, including requests through a VPC endpoint.",
        ),
        ips,
      ),
      isRole
        ? null
        : h(
            "div",
            { class: "check" },
            h("input", { type: "checkbox", id: "managed", checked: app.state.managedPolicy, onchange: (e: Event) => set({ managedPolicy: (e.target as HTMLInputElement).checked }) }),
            h(
              "label",
              { for: "managed" },
              "Make the policy a separate managed policy that can be given to others too (by default it belongs to this user only, and goes when the user goes)",
            ),
          ),
    ),
  );
  user.check();
  policy.check();
  updatePreview();
}

/** Who may use the role: the other party, the external ID (generated unless they gave one), session length. */
function roleFieldset(refresh: () => void) {
  const other = field("Their AWS account ID, or the ARN they gave you", {
    value: app.state.otherAccount,
    hint: "12 digits, such as 210987654321. If they gave you the ARN of one of their users or roles, paste that: only it can then use the role.",
    placeholder: "210987654321",
    onInput: (v) => (set({ otherAccount: v }), refresh(), v ? trustedPrincipalError(v) : null),
    validate: (v) => (v ? trustedPrincipalError(v) : null),
  });
  const ext = field("External ID", {
    value: app.state.externalId,
    hint: app.state.externalIdAsked
      ? "The vendor's instructions speak of an external ID but do not give it: paste the one from the vendor (their dashboard often shows it), or generate one and send it to them."
      : "If they gave you an external ID, paste it here. Otherwise keep this random one and send it to them.",
    onInput: (v) => (set({ externalId: v }), refresh(), externalIdError(v)),
  });
  const regenerate = h("button", { type: "button", class: "secondary small", id: "new-external-id" }, "Generate a new one");
  const fill = async () => {
    try {
      ext.input.value = await app.backend.generateExternalId();
      set({ externalId: ext.input.value });
      ext.check();
      refresh();
    } catch (e) {
      ext.input.value = "";
      set({ externalId: "" });
      refresh();
    }
  };
  regenerate.addEventListener("click", fill);
  if (!app.state.externalId && !app.state.externalIdAsked) fill();
  const hours = field("Longest session (hours)", { value: app.state.maxSessionHours, hint: "How long their credentials last each time they use the role (1 to 12).", onInput: (v) => (set({ maxSessionHours: v }), refresh(), sessionHoursError(v)) });
  return h("fieldset", {}, h("legend", {}, "Who gets access"), other.wrap, ext.wrap, regenerate, hours.wrap);
}


/** "Access ends": never, in 7, 30 or 90 days, or on a date. AWS itself refuses the access after it. */
function endsFieldset(refresh: () => void, updatePreview: () => void) {
  const selectId = uid("ends");
  const dateId = uid("ends-on");
  const err = h("p", { class: "field-error", id: `${dateId}-err`, role: "status", "aria-live": "polite" });
  const date = h("input", { type: "date", id: dateId, value: app.state.endsOn, "aria-describedby": `${dateId}-err` });
  const dateWrap = h("div", { class: "field", hidden: app.state.endsChoice !== "date" }, h("label", { for: dateId }, "Access ends on (at the start of that day, UTC)"), date, err);
  const options: [EndsChoice, string][] = [
    ["never", "Never (until you revoke it)"],
    ["7", "In 7 days"],
    ["30", "In 30 days"],
    ["90", "In 90 days"],
    ["date", "On a date…"],
  ];
  const select = h(
    "select",
    { id: selectId, "aria-describedby": `${selectId}-hint` },
    options.map(([v, label]) => h("option", { value: v, selected: app.state.endsChoice === v }, label)),
  );
  const check = () => {
    const msg = app.state.endsChoice === "date" ? endDateError(app.state.endsOn, new Date()) : null;
    err.textContent = msg ?? "";
    date.setAttribute("aria-invalid", msg ? "true" : "false");
  };
  select.addEventListener("change", () => {
    set({ endsChoice: select.value as EndsChoice });
    dateWrap.hidden = select.value !== "date";
    if (select.value === "date") date.focus();
    check();
    refresh();
    updatePreview();
  });
  date.addEventListener("input", () => {
    set({ endsOn: date.value });
    check();
    refresh();
    updatePreview();
  });
  return h(
    "fieldset",
    {},
    h("legend", {}, "Access ends"),
    h("div", { class: "field" }, h("label", { for: selectId }, "When does this access end?"), h("p", { class: "hint", id: `${selectId}-hint` }, "After the end, AWS itself refuses every request made with it. You can clean it up in My access."), select),
    dateWrap,
  );
}
