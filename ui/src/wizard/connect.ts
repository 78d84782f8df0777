// 1. Connect: sign in in the browser (first and recommended), a profile, saved or pasted keys, or the
// local sandbox.

import type { ConnectionDto, ProfileDto, ReminderDto, SavedConnectionDto } from "../bindings";
import { busy, codeOf, errorBox, message } from "../common";
import { field, h, uid } from "../dom";
import { app, set } from "./context";
import { navButtons } from "./nav";
import { permissionCheckLine, permissionsPanel } from "./permissions";
import { consoleFields, needsSignInAgain, signedOutWords, ssoFields, startSignIn, untilText } from "./signin";

export function connectScreen(main: HTMLElement, nav: HTMLElement) {
  const refresh = navButtons(nav);
  main.append(h("h1", { tabindex: "-1" }, "Connect to your AWS account"), h("p", { class: "lead" }, "Choose how to sign in. Nothing is changed in your account until you review and confirm the plan."));
  const reminders = h("div", { id: "reminders" });
  main.append(reminders);
  showReminders(reminders);
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
    if (choice === "signin") return details.append(...consoleFields(status, signedIn));
    if (choice === "sso") return details.append(...ssoFields(status, signedIn));
    if (choice.startsWith("profile:")) {
      const p = profiles.find((x) => `profile:${x.name}` === choice);
      if (p && p.signedIn === false) {
        const again = h("button", { type: "button", class: "primary" }, "Sign in again");
        again.addEventListener("click", () => startSignIn({ kind: "again", profile: p.name }, status, signedIn, again));
        return details.append(h("p", { class: "hint" }, `The sign-in for “${p.name}” has ended. Sign in again in your browser; nothing else changes.`), again);
      }
      if (p && p.signedIn) {
        details.append(
          h("button", { type: "button", class: "link", onclick: async () => {
            if (!(await signOut(p.name))) return;
            if (p.kind === "login") list.querySelector(`input[value="${choice}"]`)?.closest("label")?.remove();
            else p.signedIn = false;
            choice = "";
            details.replaceChildren();
          } }, "Sign out"),
        );
      }
    }
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

  const connected = (c: ConnectionDto, headline: string, extra?: Node) => {
    set({ connection: c });
    app.redrawHeader();
    status.replaceChildren(
      h(
        "div",
        { class: "ok", role: "status" },
        h("strong", {}, headline),
        extra ?? null,
        h("dl", {}, h("dt", {}, "Account"), h("dd", {}, c.account), h("dt", {}, "Identity"), h("dd", {}, c.arn), h("dt", {}, "Region"), h("dd", {}, c.region), c.endpoint ? [h("dt", {}, "Endpoint"), h("dd", {}, c.endpoint)] : null),
      ),
    );
    if (!c.isSandbox) status.append(permissionCheckLine());
    refresh();
    document.getElementById("next")?.focus();
  };
  const signOut = async (profile: string) => {
    try {
      const out = await app.backend.signOut(profile);
      set({ connection: null });
      app.redrawHeader();
      refresh();
      status.replaceChildren(h("p", { class: "ok", role: "status" }, signedOutWords(out)));
      return true;
    } catch (e) {
      status.replaceChildren(errorBox(message(e)));
      return false;
    }
  };
  const signedIn = (d: { connection: ConnectionDto; identity: string; account: string; until: string; untilIsLatest: boolean; profile: string }) => {
    const out = h("button", { type: "button", class: "link", onclick: () => signOut(d.profile) }, "Sign out");
    connected(
      d.connection,
      `Signed in as ${d.identity} in account ${d.account} ${untilText(d.until, d.untilIsLatest)}.`,
      h("p", {}, `Saved as the profile “${d.profile}”: the AWS CLI and other tools on this computer can use it too. `, out),
    );
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
      connected(c, c.isSandbox ? "Connected to the local sandbox (not AWS)." : "Connected.");
    } catch (e) {
      set({ connection: null });
      status.replaceChildren(errorBox(message(e)));
      if (needsSignInAgain(codeOf(e)) && choice.startsWith("profile:")) {
        const name = choice.slice("profile:".length);
        const again = h("button", { type: "button", class: "primary" }, "Sign in again");
        again.addEventListener("click", () => startSignIn({ kind: "again", profile: name }, status, signedIn, again));
        status.append(again);
        again.focus();
      }
      refresh();
    } finally {
      connectBtn.disabled = false;
    }
  });

  list.append(option("signin", "Sign in with your AWS account (recommended)", "In your browser, the way you sign in to the AWS console. No access keys needed."));
  list.append(option("sso", "Sign in with IAM Identity Center", "Your organisation's AWS access portal: then pick an account and a role."));
  if (app.info.sandboxEndpoint) list.append(option("sandbox", "Local sandbox (no AWS account)", "A practice emulator on this computer with sample buckets. Nothing here is real AWS."));
  let profiles: ProfileDto[] = [];
  Promise.all([app.backend.listProfiles(), app.backend.listSavedConnections().catch(() => [])]).then(([found, saved]: [ProfileDto[], SavedConnectionDto[]]) => {
    profiles = found;
    for (const c of saved) list.append(option(`saved:${c.accessKeyId}`, `Saved keys ${c.accessKeyId}`, `Account ${c.account} · ${c.arn} · secret in your keychain`));
    for (const p of profiles) {
      const kind = { sso: "IAM Identity Center", login: "AWS account sign-in", keys: "access keys", "assume-role": "assumes a role", process: "external program", "web-identity": "web identity token", other: "" }[p.kind] ?? "";
      const state = p.signedIn === false ? "signed out — sign in again" : p.signedIn && p.identity ? `signed in: ${p.identity}` : null;
      list.append(option(`profile:${p.name}`, `Profile “${p.name}”`, [kind, p.region, state].filter(Boolean).join(" · ")));
    }
    list.append(option("default", "Credentials from the environment", "AWS_ACCESS_KEY_ID and friends, or the default profile."));
    list.append(option("keys", "Paste access keys", "Not recommended: an access key ID and secret of someone who may create IAM users. Signing in avoids long-term keys."));
  });
  main.append(h("fieldset", {}, h("legend", {}, "How do you want to connect?"), list), details, status, permissionsPanel());
}


/** Access that ended, or ends within a week: read from this computer's record, before any connection. */
async function showReminders(area: HTMLElement) {
  let list: ReminderDto[];
  try {
    list = await app.backend.accessReminders();
  } catch {
    return;
  }
  if (!list.length) return;
  area.replaceChildren(
    h(
      "div",
      { class: "warning box", role: "note" },
      h("p", {}, h("strong", {}, list.length === 1 ? "One access you gave ends soon or has ended:" : `${list.length} accesses you gave end soon or have ended:`)),
      h("ul", {}, list.map((r) => h("li", { "data-id": r.id }, r.expired ? `${r.label}: ended ${r.endsText}. AWS refuses it now; clean it up in My access.` : `${r.label}: ends ${r.endsText}.`))),
      h("p", { class: "hint" }, "Connect to the account, then open My access to see them and clean up what has ended."),
    ),
  );
}

