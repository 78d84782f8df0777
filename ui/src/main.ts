// The wizard: one screen per step, a step indicator, Back/Next, and everything in plain words first with
// the JSON one click away. State transitions live in wizard.ts; all calls go through backend.ts.

import { fakeBackend, tauriBackend, type Backend } from "./backend";
import { busy, errorBox, message, progressList } from "./common";
import { handoverPanel } from "./handover";
import { myAccessScreen } from "./myAccess";
import { bucketSettingsScreen } from "./bucketSettings";
import { linksScreen } from "./links";
import type { AppInfo, BucketDto, HandoffSheetDto, ProfileDto, SavedConnectionDto } from "./bindings";
import { field, h, uid } from "./dom";
import {
  bucketNameError,
  externalIdError,
  folderError,
  normaliseFolder,
  originsCheck,
  policyNameError,
  roleNameError,
  sessionHoursError,
  splitList,
  trustedPrincipalError,
  userNameError,
  type Level,
} from "./validate";
import { back, blocker, canGoBack, corsMethodsFor, initialState, next, STEPS, withTarget, type Kind, type WizardState } from "./wizard";

let backend: Backend;
let info: AppInfo;
let state: WizardState = initialState();
/** The wizard, the "My access" list, or the bucket settings. */
type View = "wizard" | "links" | "access" | "settings";
let view: View = "wizard";
const root = document.getElementById("app")!;

const LEVELS: { id: Level; title: string; text: string }[] = [
  { id: "read", title: "Read only", text: "Can see and download files. Cannot change or delete anything." },
  { id: "upload", title: "Upload only", text: "Can add new files (and replace ones with the same name). Cannot see, download or delete files." },
  { id: "read-write", title: "Read and write", text: "Can see, download and upload files. Cannot delete files." },
  { id: "full", title: "Full", text: "Can see, download, upload and delete files." },
];

const KINDS: { id: Kind; title: string; text: string }[] = [
  { id: "links", title: "Share files with links", text: "Make links that let anyone who has them download or upload one file, for a limited time. Nothing is created in your account." },
  { id: "iam-user", title: "Give an app or vendor its own keys", text: "Create a separate identity (an IAM user) with an access key that can only reach this bucket. Use this when a service asks for an access key ID and secret." },
  { id: "role", title: "Give another AWS account access", text: "Create a role that another AWS account can use with an external ID they give you. Use this when a vendor asks for a role ARN." },
];

function set(patch: Partial<WizardState>) {
  state = { ...state, ...patch };
}

// ---- Frame -------------------------------------------------------------------------------------------

function header() {
  const canSwitch = state.connection !== null && !state.applying;
  const tab = (v: View, label: string, id: string) =>
    h("button", { type: "button", class: "secondary small", id, "aria-current": view === v ? "page" : null, onclick: () => ((view = v), render()) }, label);
  const views = canSwitch ? h("nav", { class: "views", "aria-label": "Sections" }, tab("wizard", "New access", "view-wizard"), tab("links", "Share links", "view-links"), tab("access", "My access", "my-access"), tab("settings", "Bucket settings", "view-settings")) : null;
  return h("header", {}, h("div", { class: "brand" }, "S3 Access Wizard"), views, connectionBadge());
}

function render() {
  if (view !== "wizard") {
    const main = h("main", { id: "screen" });
    const nav = h("nav", { class: "nav", "aria-label": { access: "My access", settings: "Bucket settings", links: "Share links" }[view] });
    root.replaceChildren(header(), main, nav);
    if (view === "access") {
      myAccessScreen(main, nav, {
        backend,
        info,
        onNewAccess: () => {
          view = "wizard";
          state = { ...initialState(), connection: state.connection, step: "kind" };
          render();
        },
      });
    } else if (view === "links") {
      linksScreen(main, nav, backend, info);
    } else {
      bucketSettingsScreen(main, nav, backend);
    }
    main.querySelector<HTMLElement>("h1")?.focus();
    return;
  }
  const i = STEPS.findIndex((s) => s.id === state.step);
  const stepper = h(
    "ol",
    { class: "steps", "aria-label": "Steps" },
    STEPS.map((s, j) => h("li", { class: j < i ? "done" : j === i ? "current" : "", "aria-current": j === i ? "step" : null }, h("span", { class: "num" }, String(j + 1)), s.title)),
  );
  const main = h("main", { id: "screen" });
  const nav = h("nav", { class: "nav", "aria-label": "Wizard navigation" });
  root.replaceChildren(
    header(),
    stepper,
    main,
    nav,
  );
  SCREENS[state.step](main, nav);
  main.querySelector<HTMLElement>("h1")?.focus();
}

function connectionBadge() {
  const c = state.connection;
  if (!c) return h("div", { class: "badge muted" }, "Not connected");
  return h("div", { class: c.isSandbox || c.endpoint ? "badge sandbox" : "badge" }, c.isSandbox ? "Local sandbox — not AWS" : c.endpoint ? `Custom endpoint ${c.endpoint}` : `AWS account ${c.account}`);
}

/** The Back / Next bar. `onNext` may do work first (and refuse by returning false). */
function navButtons(nav: HTMLElement, opts: { nextLabel?: string; onNext?: () => Promise<boolean> | boolean; hideNext?: boolean } = {}) {
  const why = h("p", { class: "why", id: "next-why", role: "status", "aria-live": "polite" });
  const backBtn = h("button", { type: "button", class: "secondary", disabled: !canGoBack(state), onclick: goBack }, "Back");
  const nextBtn = h("button", { type: "button", class: "primary", id: "next" }, opts.nextLabel ?? "Next");
  const refresh = () => {
    const b = blocker(state);
    nextBtn.setAttribute("aria-disabled", b ? "true" : "false");
    nextBtn.setAttribute("aria-describedby", "next-why");
    why.textContent = opts.hideNext ? "" : (b ?? "");
  };
  nextBtn.addEventListener("click", async () => {
    if (blocker(state)) {
      refresh();
      return;
    }
    if (opts.onNext && !(await opts.onNext())) return;
    state = next(state);
    render();
  });
  nav.replaceChildren(backBtn, why, opts.hideNext ? h("span") : nextBtn);
  refresh();
  return refresh;
}

function goBack() {
  if (view !== "wizard" || !canGoBack(state)) return;
  state = back(state);
  render();
}

document.addEventListener("keydown", (e) => {
  // Escape goes back a step, unless it is closing something inside the page first.
  if (e.key === "Escape" && !(e.target instanceof HTMLElement && e.target.closest("details[open]"))) goBack();
});

// ---- 1. Connect -----------------------------------------------------------------------------------------

function connectScreen(main: HTMLElement, nav: HTMLElement) {
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
            await backend.forgetConnection(id);
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
      const c = await backend.connect(args);
      secret.input.value = "";
      token.input.value = "";
      set({ connection: c });
      root.querySelector("header")?.replaceWith(header());
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

  if (info.sandboxEndpoint) list.append(option("sandbox", "Local sandbox (no AWS account)", "A practice emulator on this computer with sample buckets. Nothing here is real AWS."));
  Promise.all([backend.listProfiles(), backend.listSavedConnections().catch(() => [])]).then(([profiles, saved]: [ProfileDto[], SavedConnectionDto[]]) => {
    for (const c of saved) list.append(option(`saved:${c.accessKeyId}`, `Saved keys ${c.accessKeyId}`, `Account ${c.account} · ${c.arn} · secret in your keychain`));
    for (const p of profiles) {
      const kind = { sso: "single sign-on", keys: "access keys", role: "assumes a role", process: "external program", other: "" }[p.kind] ?? "";
      list.append(option(`profile:${p.name}`, `Profile “${p.name}”`, [kind, p.region].filter(Boolean).join(" · ")));
    }
    list.append(option("default", "Credentials from the environment", "AWS_ACCESS_KEY_ID and friends, or the default profile."));
    list.append(option("keys", "Paste access keys", "An administrator's access key ID and secret."));
  });
  main.append(h("fieldset", {}, h("legend", {}, "How do you want to connect?"), list), details, status);
}

// ---- 2. Kind ------------------------------------------------------------------------------------------

function kindScreen(main: HTMLElement, nav: HTMLElement) {
  // Links need no plan: choosing them opens the links screen.
  const refresh = navButtons(nav, { onNext: () => (state.kind === "links" ? ((view = "links"), render(), false) : true) });
  main.append(h("h1", { tabindex: "-1" }, "What do you need?"));
  const group = h("div", { class: "choices", role: "radiogroup", "aria-label": "What do you need?" });
  for (const k of KINDS) {
    const id = uid("k");
    group.append(
      h(
        "label",
        { class: "choice", for: id },
        h("input", { type: "radio", name: "kind", id, value: k.id, checked: state.kind === k.id, onchange: () => (set({ kind: k.id }), refresh()) }),
        h("span", { class: "choice-text" }, h("strong", {}, k.title), h("span", {}, k.text)),
      ),
    );
  }
  main.append(h("fieldset", {}, h("legend", { class: "visually-hidden" }, "What do you need?"), group));
}

// ---- 3. Bucket ----------------------------------------------------------------------------------------

function bucketScreen(main: HTMLElement, nav: HTMLElement) {
  const refresh = navButtons(nav);
  main.append(h("h1", { tabindex: "-1" }, "Which bucket?"), h("p", { class: "lead" }, "Access will be limited to this bucket, and to one folder in it if you choose one."));
  const search = field("Search buckets", { value: "", type: "search", onInput: () => (draw(), null) });
  const listArea = h("div", { class: "bucket-list", role: "radiogroup", "aria-label": "Buckets" });
  const listStatus = h("div", {}, busy("Loading your buckets…"));
  let buckets: BucketDto[] = [];

  const choose = (name: string, create: boolean) => {
    state = withTarget({ ...state, createBucketRegion: create ? (state.connection?.region ?? "us-east-1") : null }, name, state.level);
    refresh();
  };
  const draw = () => {
    const q = search.input.value.trim().toLowerCase();
    const shown = buckets.filter((b) => b.name.includes(q));
    listArea.replaceChildren(
      ...shown.map((b) => {
        const id = uid("b");
        return h(
          "label",
          { class: "choice compact", for: id },
          h("input", { type: "radio", name: "bucket", id, value: b.name, checked: state.bucket === b.name && state.createBucketRegion === null, onchange: () => (choose(b.name, false), browse("")) }),
          h("span", { class: "choice-text" }, h("strong", {}, b.name), h("span", {}, b.region ?? "region unknown")),
        );
      }),
    );
    if (buckets.length && !shown.length) listArea.append(h("p", { class: "hint" }, "No bucket matches."));
  };
  backend
    .listBuckets()
    .then((b) => {
      buckets = b;
      listStatus.replaceChildren(h("p", { class: "hint", role: "status" }, `${b.length} bucket${b.length === 1 ? "" : "s"}`));
      draw();
    })
    .catch((e) => listStatus.replaceChildren(errorBox(message(e))));

  const newName = field("New bucket name", {
    value: state.createBucketRegion !== null ? state.bucket : "",
    hint: "Created with public access blocked and encryption on.",
    onInput: (v) => {
      choose(v.trim(), true);
      return v ? bucketNameError(v.trim()) : null;
    },
  });
  const create = h("details", { open: state.createBucketRegion !== null }, h("summary", {}, "Create a new bucket"), newName.wrap);

  const folder = field("Folder (optional)", {
    value: state.folder,
    hint: "Leave empty for the whole bucket. Access is limited to files under this folder.",
    placeholder: "for example reports/2026",
    onInput: (v) => {
      set({ folder: v });
      refresh();
      return folderError(v);
    },
  });
  const folders = h("div", { class: "folders", "aria-live": "polite" });
  const browse = async (prefix: string) => {
    if (!state.bucket || state.createBucketRegion !== null) return folders.replaceChildren();
    folders.replaceChildren(busy("Looking for folders…"));
    try {
      const list = await backend.listFolders(state.bucket, prefix);
      folders.replaceChildren(
        h("p", { class: "hint" }, list.length ? `Folders in ${prefix || "the top of the bucket"}:` : `No folders in ${prefix || "the top of the bucket"}.`),
        h(
          "ul",
          { class: "folder-list" },
          prefix ? h("li", {}, h("button", { type: "button", class: "link", onclick: () => browse(prefix.split("/").slice(0, -2).join("/") + (prefix.split("/").length > 2 ? "/" : "")) }, "↑ Up")) : null,
          list.map((f) =>
            h(
              "li",
              {},
              h("button", { type: "button", class: "link", onclick: () => ((folder.input.value = f), set({ folder: f }), refresh(), browse(f)) }, f),
            ),
          ),
        ),
      );
    } catch (e) {
      folders.replaceChildren(errorBox(message(e)));
    }
  };
  main.append(h("fieldset", {}, h("legend", {}, "Your buckets"), search.wrap, listStatus, listArea, create), h("fieldset", {}, h("legend", {}, "Folder"), folder.wrap, folders));
  if (state.bucket && state.createBucketRegion === null) browse("");
}

// ---- 4. Access ----------------------------------------------------------------------------------------

function accessScreen(main: HTMLElement, nav: HTMLElement) {
  const refresh = navButtons(nav);
  const folder = normaliseFolder(state.folder);
  main.append(h("h1", { tabindex: "-1" }, "How much access?"), h("p", { class: "lead" }, `In s3://${state.bucket}/${folder}`));
  const group = h("div", { class: "choices", role: "radiogroup", "aria-label": "Access level" });
  const preview = h("pre", { class: "json", id: "policy-json", tabindex: "0", "aria-label": "The exact policy" });
  const updatePreview = async () => {
    try {
      preview.textContent = await backend.policyPreview(state.bucket, folder || null, state.level, state.allowList);
    } catch (e) {
      preview.textContent = message(e);
    }
  };
  const isRole = state.kind === "role";
  const nameError = isRole ? roleNameError : userNameError;
  const user = field(isRole ? "Role name" : "User name", {
    value: state.userName,
    hint: isRole ? "The name of the new role the other account will use." : "The name of the new IAM user the app or vendor will act as.",
    onInput: (v) => (set({ userName: v, namesEdited: true }), refresh(), nameError(v)),
    validate: nameError,
  });
  const roleFields = isRole ? roleFieldset(refresh) : null;
  const policy = field("Policy name", { value: state.policyName, onInput: (v) => (set({ policyName: v, namesEdited: true }), refresh(), policyNameError(v)), validate: policyNameError });
  const listBox = h("input", { type: "checkbox", id: "allow-list", checked: state.allowList, onchange: (e: Event) => (set({ allowList: (e.target as HTMLInputElement).checked }), updatePreview()) });
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
          checked: state.level === l.id,
          onchange: () => {
            state = withTarget(state, state.bucket, l.id);
            user.input.value = state.userName;
            policy.input.value = state.policyName;
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
    h("fieldset", {}, h("legend", {}, "Names"), user.wrap, policy.wrap),
    h(
      "details",
      {},
      h("summary", {}, "Advanced"),
      h("div", { class: "check" }, listBox, h("label", { for: "allow-list" }, "Allow listing the files (turn off for apps that only fetch files they already know, such as image proxies)")),
      isRole
        ? null
        : h(
            "div",
            { class: "check" },
            h("input", { type: "checkbox", id: "managed", checked: state.managedPolicy, onchange: (e: Event) => set({ managedPolicy: (e.target as HTMLInputElement).checked }) }),
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
    value: state.otherAccount,
    hint: "12 digits, such as 210987654321. If they gave you the ARN of one of their users or roles, paste that: only it can then use the role.",
    placeholder: "210987654321",
    onInput: (v) => (set({ otherAccount: v }), refresh(), v ? trustedPrincipalError(v) : null),
    validate: (v) => (v ? trustedPrincipalError(v) : null),
  });
  const ext = field("External ID", {
    value: state.externalId,
    hint: "If they gave you an external ID, paste it here. Otherwise keep this random one and send it to them.",
    onInput: (v) => (set({ externalId: v }), refresh(), externalIdError(v)),
  });
  const regenerate = h("button", { type: "button", class: "secondary small", id: "new-external-id" }, "Generate a new one");
  const fill = async () => {
    try {
      ext.input.value = await backend.generateExternalId();
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
  if (!state.externalId) fill();
  const hours = field("Longest session (hours)", { value: state.maxSessionHours, hint: "How long their credentials last each time they use the role (1 to 12).", onInput: (v) => (set({ maxSessionHours: v }), refresh(), sessionHoursError(v)) });
  return h("fieldset", {}, h("legend", {}, "Who gets access"), other.wrap, ext.wrap, regenerate, hours.wrap);
}

// ---- 5. CORS ------------------------------------------------------------------------------------------

function corsScreen(main: HTMLElement, nav: HTMLElement) {
  const refresh = navButtons(nav);
  main.append(
    h("h1", { tabindex: "-1" }, "Browser access (optional)"),
    h("p", { class: "lead" }, "Only needed when a web page uploads to or downloads from the bucket directly in the browser. Existing rules are kept."),
  );
  const enable = h("input", { type: "checkbox", id: "cors-on", checked: state.corsEnabled });
  const body = h("div", { hidden: !state.corsEnabled });
  enable.addEventListener("change", () => {
    set({ corsEnabled: enable.checked });
    body.hidden = !enable.checked;
    refresh();
    merged();
  });
  const warn = h("p", { class: "warning", role: "status", "aria-live": "polite" });
  const origins = field("Web sites allowed (one per line or comma-separated)", {
    value: state.corsOrigins,
    placeholder: "https://app.example.com",
    onInput: (v) => {
      set({ corsOrigins: v });
      const c = originsCheck(v);
      warn.textContent = c.warning ?? "";
      refresh();
      merged();
      return v ? c.error : null;
    },
  });
  const methods = h(
    "div",
    { class: "methods", role: "group", "aria-label": "Methods" },
    ["GET", "HEAD", "PUT", "POST", "DELETE"].map((m) => {
      const id = uid("m");
      return h(
        "span",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id,
          checked: (state.corsMethods.length ? state.corsMethods : corsMethodsFor(state.level)).includes(m),
          onchange: (e: Event) => {
            const on = (e.target as HTMLInputElement).checked;
            set({ corsMethods: on ? [...state.corsMethods, m] : state.corsMethods.filter((x) => x !== m) });
            refresh();
            merged();
          },
        }),
        h("label", { for: id }, m),
      );
    }),
  );
  const headers = field("Allowed request headers", { value: state.corsHeaders, onInput: (v) => (set({ corsHeaders: v }), merged(), null) });
  const maxAge = field("Cache the browser's check for (seconds)", { value: state.corsMaxAge, onInput: (v) => (set({ corsMaxAge: v }), merged(), /^\d*$/.test(v) ? null : "Use a whole number of seconds.") });
  const existing = h("pre", { class: "json", tabindex: "0", "aria-label": "Rules already on the bucket" }, "Loading…");
  const result = h("pre", { class: "json", tabindex: "0", "aria-label": "The rules after this change" });
  let current: unknown[] = [];
  const merged = () => {
    const rule = state.corsEnabled ? [corsRule()] : [];
    result.textContent = JSON.stringify([...current, ...rule], null, 2);
  };
  if (state.createBucketRegion === null) {
    backend
      .bucketCors(state.bucket)
      .then((r) => {
        current = r;
        existing.textContent = r.length ? JSON.stringify(r, null, 2) : "No rules yet.";
        merged();
      })
      .catch((e) => (existing.textContent = message(e)));
  } else existing.textContent = "A new bucket has no rules.";
  body.append(
    origins.wrap,
    warn,
    h("fieldset", {}, h("legend", {}, "What the page may do"), methods),
    h("details", {}, h("summary", {}, "Headers and caching"), headers.wrap, maxAge.wrap),
    h("details", { class: "json-details" }, h("summary", {}, "Rules already on the bucket"), existing),
    h("details", { class: "json-details" }, h("summary", {}, "All rules after this change"), result),
  );
  main.append(h("div", { class: "check big" }, enable, h("label", { for: "cors-on" }, "Let web pages use this bucket from the browser (CORS)")), body);
  if (state.corsMethods.length === 0) set({ corsMethods: corsMethodsFor(state.level) });
  merged();
}

function corsRule() {
  return {
    id: null,
    allowedOrigins: splitList(state.corsOrigins),
    allowedMethods: state.corsMethods,
    allowedHeaders: splitList(state.corsHeaders),
    exposeHeaders: ["ETag"],
    maxAgeSeconds: state.corsMaxAge ? Number(state.corsMaxAge) : null,
  };
}

// ---- 6. Review ----------------------------------------------------------------------------------------

function reviewScreen(main: HTMLElement, nav: HTMLElement) {
  const refresh = navButtons(nav, { nextLabel: "Apply changes" });
  main.append(h("h1", { tabindex: "-1" }, "Review the plan"));
  const body = h("div", {}, busy("Checking your account and preparing the plan…"));
  main.append(h("p", { class: "banner", role: "note" }, "Nothing has changed yet. These are the exact AWS calls that will run, in this order."), body);
  backend
    .planGrant({
      kind: state.kind === "role" ? "role" : "iam-user",
      otherAccount: state.kind === "role" ? state.otherAccount.trim() : null,
      externalId: state.kind === "role" ? state.externalId : null,
      maxSessionHours: state.kind === "role" ? Number(state.maxSessionHours) : null,
      bucket: state.bucket,
      prefix: normaliseFolder(state.folder) || null,
      level: state.level,
      allowList: state.allowList,
      userName: state.userName,
      policyName: state.policyName,
      managedPolicy: state.managedPolicy,
      cors: state.corsEnabled ? corsRule() : null,
      createBucketRegion: state.createBucketRegion,
    })
    .then((plan) => {
      set({ plan });
      body.replaceChildren(
        h(
        "div",
        {},
        h("h2", {}, plan.headline),
        plan.keychainProblem ? h("div", { class: "warning box", role: "alert" }, `Your keychain cannot be used: ${plan.keychainProblem} You will see the secret once at the end; save it or download it then.`) : null,
        h(
          "ol",
          { class: "plan" },
          plan.steps.map((s) =>
            h(
              "li",
              {},
              h("span", { class: "summary" }, s.summary),
              h("span", { class: "call" }, `${s.call} · undo: ${s.undo}`),
              s.document ? h("details", { class: "json-details" }, h("summary", {}, "Show the JSON"), h("pre", { class: "json", tabindex: "0" }, s.document)) : null,
            ),
          ),
        ),
        plan.notes.length ? h("ul", { class: "notes" }, plan.notes.map((n) => h("li", {}, n))) : null,
        ),
      );
      refresh();
    })
    .catch((e) => {
      body.replaceChildren(errorBox(message(e)), h("p", { class: "hint" }, "Go back to change your choices."));
      refresh();
    });
}

// ---- 7. Apply -----------------------------------------------------------------------------------------

function applyScreen(main: HTMLElement, nav: HTMLElement) {
  set({ applying: true, outcome: null });
  const plan = state.plan!;
  const progress = progressList(plan.steps.map((s) => s.summary));
  const onEvent = progress.onEvent;
  const result = h("div");
  main.append(h("h1", { tabindex: "-1" }, "Applying the changes"), progress.element, result);
  navButtons(nav, { hideNext: true });
  backend
    .applyPlan(onEvent)
    .then((outcome) => {
      set({ outcome, applying: false });
      if (outcome.ok) {
        state = next(state);
        render();
        return;
      }
      const f = outcome.failure!;
      result.append(
        h(
          "div",
          { class: "error", role: "alert" },
          h("h2", {}, `Step ${f.step + 1} failed: ${f.summary}`),
          h("p", {}, f.message),
          f.leftBehind.length
            ? [h("p", {}, h("strong", {}, "These could not be undone; please remove them in the AWS console:")), h("ul", {}, f.leftBehind.map((x) => h("li", {}, x)))]
            : h("p", {}, f.rolledBack.length ? "Everything was rolled back: your account is as it was." : "Nothing had been changed."),
          f.rolledBack.length ? [h("p", {}, "Rolled back:"), h("ul", { class: "rolled-back" }, f.rolledBack.map((x) => h("li", {}, x)))] : null,
        ),
      );
      navButtons(nav, { hideNext: true });
      result.querySelector<HTMLElement>("h2")?.setAttribute("tabindex", "-1");
      result.querySelector<HTMLElement>("h2")?.focus();
    })
    .catch((e) => {
      set({ applying: false });
      result.append(errorBox(message(e)));
      navButtons(nav, { hideNext: true });
    });
}

// ---- 8. Done ------------------------------------------------------------------------------------------

function doneScreen(main: HTMLElement, nav: HTMLElement) {
  const o = state.outcome!;
  if (o.handoff) return handoffScreen(main, nav, o.handoff);
  doneNav(nav);
  const check = h("div", { class: "key-check" });
  const waitBar = h("progress", { max: "60", value: "0", "aria-label": "Waiting for AWS to accept the key" });
  const waitText = h("p", { role: "status", "aria-live": "polite" }, "Checking that AWS accepts the new key…");
  check.append(waitText, waitBar);
  main.append(
    h("h1", { tabindex: "-1" }, "Your new access key"),
    h("p", { class: "lead" }, `For IAM user “${o.userName}”. AWS shows the secret only once: keep it somewhere safe.`),
    ...handoverPanel(backend, info, { userName: o.userName ?? "", accessKeyId: o.accessKeyId ?? "", keychainEntry: o.keychainEntry }),
    h("h2", {}, "Is it working?"),
    check,
  );
  backend
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
    h("button", { type: "button", class: "secondary", id: "see-my-access", onclick: () => ((view = "access"), render()) }, "See it in My access"),
    h("span"),
    h("button", { type: "button", class: "secondary", onclick: () => ((state = { ...initialState(), connection: state.connection, step: "kind" }), render()) }, "Set up another access"),
  );
}

/** After a role is created: what the other party needs, to copy or save as Markdown or JSON. */
function handoffScreen(main: HTMLElement, nav: HTMLElement, sheet: HandoffSheetDto) {
  doneNav(nav);
  const status = h("p", { class: "hint", role: "status", "aria-live": "polite", id: "handoff-status" });
  const copyBtn = (what: string, text: string, id: string, label = "Copy") =>
    h("button", { type: "button", class: "secondary small", id, "aria-label": `Copy the ${what}`, onclick: async () => {
      try {
        await backend.copyText(text);
        status.textContent = `Copied the ${what}.`;
      } catch (e) {
        status.textContent = message(e);
      }
    } }, label);
  const save = (ext: "md" | "json", label: string) =>
    h("button", { type: "button", class: ext === "md" ? "primary" : "secondary", id: `save-handoff-${ext}`, onclick: async () => {
      try {
        const name = `${state.userName}-handoff.${ext}`;
        const path = info.saveDialogStandIn ? name : await backend.chooseSavePath(name);
        if (!path) return;
        status.textContent = `Saved to ${await backend.saveHandoff(path)}.`;
      } catch (e) {
        status.textContent = message(e);
      }
    } }, label);
  const who = sheet.trusted.startsWith("arn:") ? `only ${sheet.trusted}` : `AWS account ${sheet.trusted}`;
  main.append(
    h("h1", { tabindex: "-1" }, "Hand this to the other account"),
    h("p", { class: "lead" }, `The role is ready. ${who} can use it with the external ID, for ${sheet.level} access to s3://${sheet.bucket}/${sheet.prefix ?? ""}.`),
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
    h("div", { class: "row" }, save("md", "Save as Markdown…"), save("json", "Save as JSON…"), copyBtn("policy for their side", sheet.theirPolicy, "copy-their-policy", "Copy the policy")),
    status,
  );
}

const SCREENS: Record<WizardState["step"], (main: HTMLElement, nav: HTMLElement) => void> = {
  connect: connectScreen,
  kind: kindScreen,
  bucket: bucketScreen,
  access: accessScreen,
  cors: corsScreen,
  review: reviewScreen,
  apply: applyScreen,
  done: doneScreen,
};

async function start() {
  const inApp = "__TAURI_INTERNALS__" in window;
  backend = inApp ? await tauriBackend() : fakeBackend();
  info = await backend.appInfo();
  render();
  requestAnimationFrame(() => backend.uiReady(root.querySelector("h1")?.textContent ?? "").catch(() => {}));
}

start().catch((e) => root.replaceChildren(errorBox(`The app could not start: ${message(e)}`)));
