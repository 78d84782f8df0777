// 1. Connect: a profile, saved or pasted keys, or the local sandbox.

import type { ProfileDto, SavedConnectionDto } from "../bindings";
import { busy, errorBox, message } from "../common";
import { field, h, uid } from "../dom";
import { app, set } from "./context";
import { navButtons } from "./nav";

export function connectScreen(main: HTMLElement, nav: HTMLElement) {
  const refresh = navButtons(nav);
  main.append(h("h1", { tabindex: "-1" }, "Connect to your AWS account"), h("p", { class: "lead" }, "Choose how to sign in. Nothing is changed in your account until you review and confirm the plan."));
  const status = h("div", { class: "status-area" });
  const list = h("div", { class: "choices", role: "radiogroup", "aria-label": "How to connect" });
  const details = h("div");
  let choice = "";
  const region = field("Region", { value: "", placeholder: "from the profile, or us-east-1", onInput: () => null });
  const endpoint = field("Custom endpoint (optional)", { value: "", hint: "Only for S3-compatible services or emulators. Leave empty for AWS.", placeholder: "https://…", onInput: (v) => (v && !/^https?:\/\//.test(v) ? "Start with http:// or https://" : null) });
  const keyId = field("Access key ID", { value: "", onInput: () => null });
  const secret = field("Secret access key", { value: "", type: "password", onInput: () => null });
  const token = field("Session token (only for temporary keys)", { value: "", type: "password", onInput: () => null });
  const remember = h("input", { type: "checkbox", id: "remember-keys" });
  const rememberRow = h("div", { class: "check" }, remember, h("label", { for: "remember-keys" }, "Remember these keys in my keychain (the secret is never written to a file)"));

  const option = (value: string, title: string, text: string) => {
    const id = uid("c");
    return h(
      "label",
      { class: "choice", for: id },
      h("input", { type: "radio", name: "connect", id, value, onchange: () => ((choice = value), showDetails()) }),
      h("span", { class: "choice-text" }, h("strong", {}, title), h("span", {}, text)),
    );
  };

  const showDetails = () => {
    details.replaceChildren();
    if (choice === "keys") details.append(h("p", { class: "hint" }, "Use keys of an administrator who may create IAM users. Unless you tick Remember, they stay in this app's memory only."), keyId.wrap, secret.wrap, token.wrap, rememberRow);
    if (choice.startsWith("saved:")) {
      const id = choice.slice("saved:".length);
      details.append(
        h("button", { type: "button", class: "link", onclick: async () => {
          try {
            await app.backend.forgetConnection(id);
            status.replaceChildren(h("p", { class: "ok", role: "status" }, `Forgot the saved keys ${id}: they are removed from your keychain.`));
            list.querySelector(`input[value="${choice}"]`)?.closest("label")?.remove();
            choice = "";
          } catch (e) {
            status.replaceChildren(errorBox(message(e)));
          }
        } }, "Forget these saved keys"),
      );
    }
    if (choice !== "sandbox") details.append(h("details", {}, h("summary", {}, "Region and endpoint"), region.wrap, endpoint.wrap));
    details.append(connectBtn);
  };

  const connectBtn = h("button", { type: "button", class: "primary", id: "connect-btn" }, "Connect");
  connectBtn.addEventListener("click", async () => {
    if (!choice) {
      status.replaceChildren(errorBox("Choose how to connect first."));
      return;
    }
    status.replaceChildren(busy("Connecting…"));
    connectBtn.disabled = true;
    try {
      const common = { region: region.input.value || null, endpoint: endpoint.input.value || null };
      const args =
        choice === "sandbox"
          ? ({ kind: "sandbox" } as const)
          : choice === "default"
            ? ({ kind: "default", ...common } as const)
            : choice === "keys"
              ? ({ kind: "keys", accessKeyId: keyId.input.value, secretAccessKey: secret.input.value, sessionToken: token.input.value || null, remember: remember.checked, ...common } as const)
              : choice.startsWith("saved:")
                ? ({ kind: "saved", accessKeyId: choice.slice("saved:".length), ...common } as const)
                : ({ kind: "profile", profile: choice.slice("profile:".length), ...common } as const);
      const c = await app.backend.connect(args);
      secret.input.value = "";
      token.input.value = "";
      set({ connection: c });
      app.redrawHeader();
      status.replaceChildren(
        h(
          "div",
          { class: "ok", role: "status" },
          h("strong", {}, c.isSandbox ? "Connected to the local sandbox (not AWS)." : "Connected."),
          h("dl", {}, h("dt", {}, "Account"), h("dd", {}, c.account), h("dt", {}, "Identity"), h("dd", {}, c.arn), h("dt", {}, "Region"), h("dd", {}, c.region), c.endpoint ? [h("dt", {}, "Endpoint"), h("dd", {}, c.endpoint)] : null),
        ),
      );
      refresh();
      document.getElementById("next")?.focus();
    } catch (e) {
      set({ connection: null });
      status.replaceChildren(errorBox(message(e)));
      refresh();
    } finally {
      connectBtn.disabled = false;
    }
  });

  if (app.info.sandboxEndpoint) list.append(option("sandbox", "Local sandbox (no AWS account)", "A practice emulator on this computer with sample buckets. Nothing here is real AWS."));
  Promise.all([app.backend.listProfiles(), app.backend.listSavedConnections().catch(() => [])]).then(([profiles, saved]: [ProfileDto[], SavedConnectionDto[]]) => {
    for (const c of saved) list.append(option(`saved:${c.accessKeyId}`, `Saved keys ${c.accessKeyId}`, `Account ${c.account} · ${c.arn} · secret in your keychain`));
    for (const p of profiles) {
      const kind = { sso: "single sign-on", login: "console sign-in", keys: "access keys", "assume-role": "assumes a role", process: "external program", other: "" }[p.kind] ?? "";
      list.append(option(`profile:${p.name}`, `Profile “${p.name}”`, [kind, p.region].filter(Boolean).join(" · ")));
    }
    list.append(option("default", "Credentials from the environment", "AWS_ACCESS_KEY_ID and friends, or the default profile."));
    list.append(option("keys", "Paste access keys", "An administrator's access key ID and secret."));
  });
  main.append(h("fieldset", {}, h("legend", {}, "How do you want to connect?"), list), details, status);
}

