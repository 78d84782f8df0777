// Signing in from the Connect screen: "Sign in with your AWS account" (AWS Sign-In in the browser),
// "Sign in with IAM Identity Center" (then an account and a role), and signing in again to a profile
// whose session ended. The app opens the browser and receives the sign-in; no token reaches this page.

import type { SignedOutDto, SignInDoneDto, SignInStartDto } from "../bindings";
import { busy, errorBox, message } from "../common";
import { field, h, uid } from "../dom";
import { validateRegion } from "../validate";
import { app } from "./context";

/** "until 21:45" (or "until 21:45 at the latest"), in the person's own clock. */
export function untilText(iso: string, latest: boolean): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const day = new Date().toDateString() === d.toDateString() ? "" : ` on ${d.toLocaleDateString([], { month: "short", day: "numeric" })}`;
  return `until ${time}${day}${latest ? " at the latest" : ""}`;
}

/** The profile name `aws configure sso` would suggest. */
export function ssoProfileName(role: string, account: string): string {
  return `${role}-${account}`;
}

/** The sign-in ended, or the profile was never signed in: these errors offer "Sign in again". */
export function needsSignInAgain(code: string | null): boolean {
  return code === "login_expired" || code === "sso_expired";
}

type Done = (done: Extract<SignInDoneDto, { type: "connected" }>) => void;

/** Follow a started sign-in to its end in `status`: wait for the browser (or take the pasted code). */
export function followSignIn(start: SignInStartDto, status: HTMLElement, done: Done) {
  if (start.reused) return handleDone(start.reused, status, done);
  const address = h("input", { type: "text", readonly: true, value: start.authorizeUrl ?? "", "aria-label": "Sign-in address", class: "mono" });
  const copy = h("button", { type: "button", onclick: () => app.backend.copyText(start.authorizeUrl ?? "").then(() => (copy.textContent = "Copied")) }, "Copy address");
  if (start.remote) {
    const code = field("Code from the browser", { value: "", hint: "After you sign in on the other device, the page shows a code. Paste it here.", onInput: () => null });
    const finish = h("button", { type: "button", class: "primary" }, "Finish sign-in");
    const line = h("div");
    finish.addEventListener("click", async () => {
      if (!code.input.value.trim()) return line.replaceChildren(errorBox("Paste the code the browser showed first."));
      finish.disabled = true;
      line.replaceChildren(busy("Finishing the sign-in…"));
      try {
        handleDone(await app.backend.signInFinish(start.attemptId, code.input.value), status, done);
      } catch (e) {
        finish.disabled = false;
        line.replaceChildren(errorBox(message(e)));
      } finally {
        code.input.value = "";
      }
    });
    status.replaceChildren(
      h("div", { class: "signin-wait" }, h("p", {}, "Open this address in a browser on the other device and sign in:"), h("div", { class: "row" }, address, copy), code.wrap, finish, line),
    );
    code.input.focus();
    return;
  }
  const cancel = h("button", { type: "button", onclick: () => app.backend.signInCancel(start.attemptId) }, "Cancel");
  status.replaceChildren(
    h(
      "div",
      { class: "signin-wait" },
      busy("Waiting for you to sign in in your browser… Sign in there as you do for the AWS console, then come back here."),
      h("details", {}, h("summary", {}, "The browser did not open?"), h("p", { class: "hint" }, "Copy this address into your browser:"), h("div", { class: "row" }, address, copy)),
      cancel,
    ),
  );
  cancel.focus();
  app.backend.signInWait(start.attemptId).then(
    (d) => handleDone(d, status, done),
    (e) => status.replaceChildren(errorBox(message(e))),
  );
}

function handleDone(d: SignInDoneDto, status: HTMLElement, done: Done) {
  if (d.type === "connected") return done(d);
  chooseAccount(d, status, done);
}

/** Identity Center: pick an account, then a role, then name the profile. */
function chooseAccount(d: Extract<SignInDoneDto, { type: "chooseAccount" }>, status: HTMLElement, done: Done) {
  const roles = h("div");
  const group = h("div", { class: "choices", role: "radiogroup", "aria-label": "AWS account" });
  for (const a of d.accounts) {
    const id = uid("acct");
    group.append(
      h(
        "label",
        { class: "choice", for: id },
        h("input", { type: "radio", name: "sso-account", id, value: a.accountId, onchange: () => showRoles(a.accountId, roles, status, done) }),
        h("span", { class: "choice-text" }, h("strong", {}, a.name || a.accountId), h("span", {}, [a.accountId, a.email].filter(Boolean).join(" · "))),
      ),
    );
  }
  status.replaceChildren(
    h("div", { class: "ok", role: "status" }, `Signed in to IAM Identity Center ${untilText(d.until, false)}.`),
    d.accounts.length ? h("fieldset", {}, h("legend", {}, "Which AWS account?"), group) : errorBox("The access portal lists no AWS account for you. Ask your administrator to assign you one."),
    roles,
  );
  (group.querySelector("input") as HTMLInputElement | null)?.focus();
}

async function showRoles(account: string, into: HTMLElement, status: HTMLElement, done: Done) {
  into.replaceChildren(busy("Reading your roles in this account…"));
  let roles: string[];
  try {
    roles = await app.backend.ssoRoles(account);
  } catch (e) {
    return into.replaceChildren(errorBox(message(e)));
  }
  if (!roles.length) return into.replaceChildren(errorBox("You have no role in this account. Choose another, or ask your administrator."));
  const profile = field("Save as profile", { value: ssoProfileName(roles[0], account), hint: "The AWS CLI and other tools can use this profile too.", onInput: (v) => (v.trim() ? null : "Give the profile a name") });
  const group = h("div", { class: "choices", role: "radiogroup", "aria-label": "Role" });
  roles.forEach((r, i) => {
    const id = uid("role");
    group.append(
      h(
        "label",
        { class: "choice", for: id },
        h("input", { type: "radio", name: "sso-role", id, value: r, checked: i === 0, onchange: () => (profile.input.value = ssoProfileName(r, account)) }),
        h("span", { class: "choice-text" }, h("strong", {}, r)),
      ),
    );
  });
  const use = h("button", { type: "button", class: "primary" }, "Use this role");
  const line = h("div");
  use.addEventListener("click", async () => {
    const role = (group.querySelector("input:checked") as HTMLInputElement | null)?.value;
    if (!role || !profile.input.value.trim()) return line.replaceChildren(errorBox("Choose a role and name the profile."));
    use.disabled = true;
    line.replaceChildren(busy("Connecting with this role…"));
    try {
      const d = await app.backend.ssoUseRole({ accountId: account, roleName: role, profile: profile.input.value.trim(), region: null });
      if (d.type === "connected") done(d);
    } catch (e) {
      use.disabled = false;
      line.replaceChildren(errorBox(message(e)));
    }
  });
  into.replaceChildren(h("fieldset", {}, h("legend", {}, "Which role?"), group), profile.wrap, use, line);
  void status;
}

/** Start a sign-in and follow it; errors (a taken profile name, an unreachable service) show in `status`. */
export async function startSignIn(args: Parameters<typeof app.backend.signInStart>[0], status: HTMLElement, done: Done, button?: HTMLButtonElement) {
  if (button) button.disabled = true;
  status.replaceChildren(busy("Starting the sign-in…"));
  try {
    followSignIn(await app.backend.signInStart(args), status, done);
  } catch (e) {
    status.replaceChildren(errorBox(message(e)));
  } finally {
    if (button) button.disabled = false;
  }
}

/** The fields of "Sign in with your AWS account". */
export function consoleFields(status: HTMLElement, done: Done) {
  const profile = field("Save as profile", { value: "s3aw", hint: "The sign-in is kept under this name, so the AWS CLI and other tools can use it too.", onInput: (v) => (v.trim() ? null : "Give the profile a name") });
  const region = field("Region", { value: "us-east-1", onInput: (v) => validateRegion(v) });
  const remote = h("input", { type: "checkbox", id: "signin-remote" });
  const button = h("button", { type: "button", class: "primary", id: "signin-btn" }, "Sign in in your browser");
  button.addEventListener("click", () => {
    const bad = validateRegion(region.input.value) ?? (profile.input.value.trim() ? null : "Give the profile a name");
    if (bad) return status.replaceChildren(errorBox(bad));
    startSignIn({ kind: "console", profile: profile.input.value.trim(), region: region.input.value.trim(), remote: remote.checked }, status, done, button);
  });
  return [
    h("p", { class: "hint" }, "Your browser opens at AWS. Sign in as you do for the AWS console (root, IAM user or your company's sign-in). No access keys are created; the sign-in lasts up to 12 hours."),
    region.wrap,
    h("details", {}, h("summary", {}, "More options"), profile.wrap, h("div", { class: "check" }, remote, h("label", { for: "signin-remote" }, "My browser is on another device (I will paste a code)"))),
    button,
  ];
}

/** The fields of "Sign in with IAM Identity Center". */
export function ssoFields(status: HTMLElement, done: Done) {
  const startUrl = field("AWS access portal URL", {
    value: "",
    placeholder: "https://d-1234567890.awsapps.com/start",
    hint: "Your organisation's sign-in page for AWS (ask your administrator if you do not know it).",
    onInput: (v) => (/^https:\/\/\S+$/.test(v.trim()) ? null : "Paste the https:// address of your access portal"),
  });
  const region = field("Identity Center region", { value: "us-east-1", onInput: (v) => validateRegion(v) });
  const button = h("button", { type: "button", class: "primary", id: "sso-btn" }, "Sign in in your browser");
  button.addEventListener("click", () => {
    startUrl.check();
    const bad = (/^https:\/\/\S+$/.test(startUrl.input.value.trim()) ? null : "Paste the https:// address of your access portal") ?? validateRegion(region.input.value);
    if (bad) return status.replaceChildren(errorBox(bad));
    startSignIn({ kind: "sso", startUrl: startUrl.input.value.trim(), ssoRegion: region.input.value.trim() }, status, done, button);
  });
  return [startUrl.wrap, region.wrap, button];
}

/** What signing out did, in plain words. */
export function signedOutWords(out: SignedOutDto): string {
  const aws =
    out.endedAtAws === true ? " AWS ended the session." : out.endedAtAws === false ? " AWS did not confirm the end of the session (it may have ended already)." : "";
  if (out.keptFor.length > 0)
    return `Signed out of “${out.profile}”.${aws} The saved sign-in stays on this computer for ${out.keptFor.map((p) => `“${p}”`).join(", ")}, which use the same session.`;
  if (out.cacheRemoved) return `Signed out of “${out.profile}”:${aws} its sign-in is deleted from this computer.`;
  return `Signed out of “${out.profile}”.${aws} There was no saved sign-in on this computer.`;
}
