// "My access": everything the app created or imported, checked against the account now, with rotation,
// revocation (after an exact list of what goes), import of an existing key, and handing a saved key over.

import type { Backend } from "./backend";
import type { AccessDto, AppInfo, KeyStateDto, TriedDto } from "./bindings";
import { busy, errorBox, LEVEL_WORDS, message, progressList } from "./common";
import { field, h, uid } from "./dom";
import { cardView } from "./card";
import { handoverPanel } from "./handover";
import { copyLinkButton } from "./links";
import { teamExport } from "./teamExport";
import { exactly, when } from "./when";

export interface MyAccessContext {
  backend: Backend;
  info: AppInfo;
  onNewAccess: () => void;
}

/** What an entry gives, in plain words. */
export function describe(a: AccessDto): string {
  if (a.kind === "imported") return "An access key you added to this app";
  if (a.kind === "share") {
    const n = a.shareFiles.length;
    const what = n === 0 ? "every file in" : n === 1 ? "1 file in" : `${n} files in`;
    return `Links you can stop, to ${what} s3://${a.bucket}/${a.prefix ?? ""}`;
  }
  const where = `s3://${a.bucket}/${a.prefix ?? ""}`;
  const level = a.level ? LEVEL_WORDS[a.level] : "";
  return a.kind === "role" ? `${level} access to ${where} for another AWS account` : `${level} access to ${where}`;
}

/** When the access ends, in plain words; null when it never does. */
export function endsWords(a: AccessDto): string | null {
  if (!a.endsText) return null;
  if (a.expired) return `Expired on ${a.endsText}: AWS refuses it now. Clean it up when you are ready.`;
  return a.endsSoon ? `Ends soon: ${a.endsText}` : `Ends ${a.endsText}`;
}

export function stateWords(a: AccessDto): string {
  if (a.state === "exists") return "In place";
  if (a.state === "deleted") return "Deleted outside this app";
  return a.stateDetail ?? "Not checked";
}

function keyStatus(k: KeyStateDto): string {
  return k.status ?? "Gone from AWS";
}

/** When AWS last saw the key, in words, with the exact time a hover (or a screen reader) away. */
function lastUsed(k: KeyStateDto): HTMLElement | string {
  if (!k.lastUsed) return "Never";
  const words = k.lastUsedService ? `${when(k.lastUsed)} (${k.lastUsedService})` : when(k.lastUsed);
  return h("time", { datetime: k.lastUsed, title: exactly(k.lastUsed) }, words);
}

function made(k: KeyStateDto): HTMLElement | string {
  return k.created ? h("time", { datetime: k.created, title: exactly(k.created) }, when(k.created)) : "";
}

/** A key old enough to rotate, in plain words. */
export function rotationWords(k: KeyStateDto): string | null {
  if (!k.rotationDue || k.ageDays === null) return null;
  const months = Math.floor(k.ageDays / 30);
  const age = months >= 2 ? `${months} months` : `${k.ageDays} days`;
  return `The key ${k.accessKeyId} is ${age} old. Keys should be replaced at least every ${k.rotateAfterDays} days, so a copy that leaked stops working: rotate it.`;
}

export function myAccessScreen(main: HTMLElement, nav: HTMLElement, ctx: MyAccessContext) {
  const { backend } = ctx;
  const panels = new Map<string, HTMLElement>();
  const pageStatus = h("div", { role: "status", "aria-live": "polite", id: "access-status" });
  const listArea = h("div", { class: "access-list" }, busy("Checking what this app created against your account…"));

  const load = async () => {
    listArea.setAttribute("aria-busy", "true");
    try {
      const list = await backend.listAccess();
      listArea.replaceChildren(
        list.length ? h("p", { class: "hint" }, `${list.length} item${list.length === 1 ? "" : "s"}`) : h("p", { class: "hint", id: "access-empty" }, "Nothing yet. Access you set up with this app, and keys you add below, appear here."),
        ...list.map(card),
      );
    } catch (e) {
      listArea.replaceChildren(errorBox(message(e)));
    } finally {
      listArea.removeAttribute("aria-busy");
    }
  };

  /** Read the list again and keep the keyboard focus on the access the user was working on. */
  const reloadAndFocus = async (id: string) => {
    const focus = () => (main.querySelector<HTMLElement>(`section[data-id="${CSS.escape(id)}"] h2`) ?? main.querySelector<HTMLElement>("h1"))?.focus();
    focus();
    await load();
    focus();
  };

  const card = (a: AccessDto) => {
    const headingId = `h-${a.id}`;
    let panel = panels.get(a.id);
    if (!panel) {
      panel = h("div", { class: "panel", "aria-live": "polite" });
      panels.set(a.id, panel);
    }
    const keyRows = a.keys.map((k) =>
      h(
        "tr",
        { "data-key": k.accessKeyId },
        h("th", { scope: "row" }, h("code", {}, k.accessKeyId)),
        h("td", { class: `key-${(k.status ?? "gone").toLowerCase()}` }, keyStatus(k)),
        h("td", { class: k.rotationDue ? "key-old" : "" }, made(k)),
        h("td", {}, lastUsed(k)),
        h("td", {}, k.inKeychain ? "Secret saved" : "Secret not here"),
        h(
          "td",
          {},
          k.inKeychain ? h("button", { type: "button", class: "link", onclick: () => handOver(a, k.accessKeyId, panel!) }, "Hand over…") : null,
          k.status !== "Active" && k.status !== null && a.kind !== "imported" ? h("button", { type: "button", class: "link danger", onclick: () => deleteKey(a, k.accessKeyId, panel!) }, "Delete") : null,
        ),
      ),
    );
    const canRotate = a.state === "exists" && a.userName !== null && a.kind !== "role" && a.keys.some((k) => k.status === "Active" && k.recorded);
    return h(
      "section",
      { class: `access-card state-${a.state}`, "aria-labelledby": headingId, "data-id": a.id },
      h("h2", { id: headingId, tabindex: "-1" }, a.label),
      h("p", {}, describe(a)),
      h("p", { class: a.state === "exists" ? "ok inline" : "warning inline" }, stateWords(a)),
      endsWords(a) ? h("p", { class: a.expired ? "warning inline expired" : a.endsSoon ? "warning inline ends" : "hint ends" }, endsWords(a)) : null,
      a.sourceIps.length ? h("p", { class: "hint" }, `Only from ${a.sourceIps.join(", ")}`) : null,
      a.keys.length
        ? h(
            "table",
            { class: "keys" },
            h("caption", { class: "visually-hidden" }, `Access keys of ${a.label}`),
            h("thead", {}, h("tr", {}, ["Key", "Status", "Made", "Last used", "On this computer", ""].map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", {}, keyRows),
          )
        : null,
      ...a.keys
        .map(rotationWords)
        .filter((w): w is string => w !== null)
        .map((w) =>
          h(
            "p",
            { class: "warning inline key-age" },
            w,
            " ",
            canRotate ? h("button", { type: "button", class: "link", onclick: () => startRotate(a, panel!) }, "Rotate…") : null,
          ),
        ),
      h(
        "details",
        {},
        h("summary", {}, "Details"),
        h(
          "dl",
          {},
          a.bucket ? [h("dt", {}, "Bucket"), h("dd", {}, a.bucket), h("dt", {}, "Folder"), h("dd", {}, a.prefix ?? "the whole bucket"), h("dt", {}, "Access"), h("dd", {}, a.level ? LEVEL_WORDS[a.level] : "")] : null,
          h("dt", {}, "Account"),
          h("dd", {}, a.account),
          h("dt", {}, a.kind === "imported" ? "Added" : "Created"),
          h("dd", {}, h("time", { datetime: a.createdAt, title: exactly(a.createdAt) }, when(a.createdAt))),
        ),
        cardView(a.can),
        a.policy ? h("details", { class: "json-details" }, h("summary", {}, "Show the policy (JSON)"), h("pre", { class: "json", tabindex: "0" }, a.policy)) : null,
        a.state === "exists" && a.kind !== "imported" ? teamExport((format) => backend.exportAccessIac(a.id, format), a.label) : null,
      ),
      h(
        "div",
        { class: "row" },
        canRotate ? h("button", { type: "button", class: "secondary rotate", onclick: () => startRotate(a, panel!) }, "Rotate key…") : null,
        a.state === "exists" && a.kind !== "share" && a.bucket ? h("button", { type: "button", class: "secondary why-denied", onclick: () => startWhy(a, panel!) }, "Someone gets an error…") : null,
        a.kind === "share" && a.state === "exists" ? h("button", { type: "button", class: "secondary extend", onclick: () => startExtend(a, panel!) }, "Extend…") : null,
        a.state !== "unchecked"
          ? h("button", { type: "button", class: "secondary danger revoke", onclick: () => startRevoke(a, panel!, false) }, a.kind === "share" ? "Stop these links now…" : a.expired ? "Clean up (revoke)…" : "Revoke…")
          : null,
      ),
      panel,
    );
  };

  const focusFirst = (el: HTMLElement) => el.querySelector<HTMLElement>("h3, button")?.focus();

  /** "Someone gets an error…": paste what they saw, or pick what they tried; the app says the likely cause. */
  const startWhy = (a: AccessDto, panel: HTMLElement) => {
    const textId = uid("why-text");
    const triedId = uid("why-tried");
    const keyId = uid("why-key");
    const text = h("textarea", { id: textId, rows: "5", spellcheck: "false", "aria-describedby": `${textId}-hint` });
    const tried = h(
      "select",
      { id: triedId },
      h("option", { value: "" }, "(read it from their error)"),
      ...(["download", "upload", "upload_sse_c", "list", "delete"] as TriedDto[]).map((t) =>
        h(
          "option",
          { value: t },
          {
            download: "Download a file",
            upload: "Upload a file",
            "upload_sse_c": "Upload a file encrypted with their own key (SSE-C)",
            list: "List a folder",
            delete: "Delete a file",
          }[t],
        ),
      ),
    );
    const key = h("input", { type: "text", id: keyId, spellcheck: "false", placeholder: `${a.prefix ?? ""}report.pdf` });
    const out = h("div", { class: "why-answer", "aria-live": "polite" });
    const ask = h("button", { type: "button", class: "primary", id: "why-ask" }, "Find out why");
    ask.addEventListener("click", async () => {
      const action = (tried.value || null) as TriedDto | null;
      if (!text.value.trim() && !action) return void out.replaceChildren(errorBox("Paste the error they saw, or choose what they tried."));
      out.replaceChildren(busy("Checking the access, its keys and the bucket…"));
      try {
        const w = await backend.whyDenied(a.id, action, key.value.trim() || null, text.value);
        out.replaceChildren(
          h("h4", { tabindex: "-1", "data-cause": w.cause }, "Most likely"),
          h("p", { class: "why-message" }, w.message),
          w.fix ? h("p", { class: "why-fix" }, h("strong", {}, "What to do: "), w.fix) : h("span"),
          fixThis(a, w.cause, panel),
          w.decidedBy.length ? h("details", {}, h("summary", {}, "Which statements decide it"), h("ul", {}, w.decidedBy.map((d) => h("li", {}, d)))) : h("span"),
        );
        out.querySelector<HTMLElement>("h4")?.focus();
      } catch (e) {
        out.replaceChildren(errorBox(message(e)));
      }
    });
    panel.replaceChildren(
      h("h3", { tabindex: "-1" }, `Someone gets an error with ${a.label}`),
      h("div", { class: "field" }, h("label", { for: textId }, "What they saw (paste their error message)"), h("p", { class: "hint", id: `${textId}-hint` }, "From the AWS CLI, boto3, rclone, Cyberduck or AWS itself. Nothing is sent anywhere: the app reads it here, then checks the access in your account."), text),
      h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: triedId }, "Or what they tried"), tried), h("div", { class: "field" }, h("label", { for: keyId }, "The file or folder (optional)"), key)),
      h("div", { class: "row" }, ask, closeButton(panel, "Close")),
      out,
    );
    focusFirst(panel);
  };

  /** "Fix this", where the fix is one the app does now: a secret they mistyped, or a key that was deleted or
   * rotated away, is answered by handing over the current key again (from the keychain, revealed only on a
   * click). */
  const fixThis = (a: AccessDto, cause: string, panel: HTMLElement): HTMLElement => {
    const current = a.keys.find((k) => k.status === "Active" && k.inKeychain);
    if ((cause === "signature" || cause === "key_unknown") && current)
      return h("button", { type: "button", class: "secondary why-fix-this", onclick: () => handOver(a, current.accessKeyId, panel) }, `Fix this: hand over the current key (${current.accessKeyId})…`);
    return h("span");
  };

  const closeButton = (panel: HTMLElement, label = "Cancel") => h("button", { type: "button", class: "secondary", onclick: () => panel.replaceChildren() }, label);

  const handOver = async (a: AccessDto, keyId: string, panel: HTMLElement) => {
    panel.replaceChildren(busy("Loading the key from your keychain…"));
    try {
      const k = await backend.selectSavedKey(a.id, keyId);
      panel.replaceChildren(h("h3", { tabindex: "-1" }, `Hand over key ${keyId}`), ...handoverPanel(backend, ctx.info, k), closeButton(panel, "Close"));
      focusFirst(panel);
    } catch (e) {
      panel.replaceChildren(errorBox(message(e)));
    }
  };

  /** "Cut off sessions": a session made with a deleted key would otherwise live on for up to 36 hours. */
  const sessionsBox = (id: string) => {
    const box = h("input", { type: "checkbox", id, checked: true });
    const row = h("div", { class: "check" }, box, h("label", { for: id }, "Also cut off all temporary sessions of this user made before now (recommended: a session made with a deleted key lasts up to 36 hours; AWS applies this within minutes)"));
    return { box, row };
  };

  const deleteKey = (a: AccessDto, keyId: string, panel: HTMLElement) => {
    const confirm = h("button", { type: "button", class: "danger", id: "delete-key-confirm" }, `Delete ${keyId}`);
    const sessions = sessionsBox(`cut-sessions-${a.id}`);
    confirm.addEventListener("click", async () => {
      const cut = sessions.box.checked;
      panel.replaceChildren(busy(`Deleting ${keyId}…`));
      try {
        await backend.deleteAccessKey(a.id, keyId, cut);
        panel.replaceChildren();
        pageStatus.textContent = `Deleted the key ${keyId}.`;
        await reloadAndFocus(a.id);
      } catch (e) {
        panel.replaceChildren(errorBox(message(e)));
      }
    });
    panel.replaceChildren(
      h("h3", { tabindex: "-1" }, `Delete the key ${keyId}?`),
      h("p", {}, "Whoever still uses it loses access. Its saved secret is removed from this computer too."),
      sessions.row,
      h("div", { class: "row" }, confirm, closeButton(panel)),
    );
    focusFirst(panel);
  };

  const startRotate = async (a: AccessDto, panel: HTMLElement) => {
    panel.replaceChildren(busy("Checking the keys…"));
    try {
      const plan = await backend.planRotate(a.id);
      const go = h("button", { type: "button", class: "primary", id: "rotate-confirm" }, "Rotate now");
      go.addEventListener("click", () => runRotate(a, plan.steps, plan.oldKeyId, panel));
      panel.replaceChildren(
        h("div", {},
        h("h3", { tabindex: "-1" }, `Replace the key ${plan.oldKeyId}`),
        h("p", {}, "A new key is created and saved first; the old one is switched off only once AWS accepts the new one. If anything fails, the old key keeps working."),
        plan.deletesInactiveKey ? h("p", { class: "warning box", role: "note" }, `${a.label} already has two keys, the most AWS allows, so the inactive key ${plan.deletesInactiveKey} is deleted first.`) : null,
        h("ol", { class: "plan" }, plan.steps.map((s) => h("li", {}, s))),
        h("div", { class: "row" }, go, closeButton(panel)),
        ),
      );
      focusFirst(panel);
    } catch (e) {
      panel.replaceChildren(errorBox(message(e)), closeButton(panel, "Close"));
    }
  };

  const runRotate = async (a: AccessDto, steps: string[], oldKeyId: string, panel: HTMLElement) => {
    const progress = progressList(steps);
    const result = h("div");
    panel.replaceChildren(h("h3", { tabindex: "-1" }, "Rotating the key"), progress.element, result);
    focusFirst(panel);
    try {
      const o = await backend.rotateKey(progress.onEvent);
      if (!o.ok) {
        const f = o.failure!;
        result.replaceChildren(
          h("div", { class: "error", role: "alert" }, h("h4", {}, `Stopped at: ${f.summary}`), h("p", {}, f.message), h("p", {}, h("strong", {}, f.working)), f.left.length ? h("ul", {}, f.left.map((l) => h("li", {}, `Left to do: ${l}`))) : null),
          closeButton(panel, "Close"),
        );
        return;
      }
      // Read the list again first, so the key table above shows both keys; this panel stays where it is
      // (panels outlive a re-read) and the result below appears once the page is settled.
      await load();
      const delOld = h("button", { type: "button", class: "secondary danger", id: "delete-old" }, `Delete the old key ${oldKeyId} now`);
      const oldSessions = sessionsBox(`cut-old-sessions-${a.id}`);
      const oldStatus = h("p", { class: "hint", role: "status", "aria-live": "polite" });
      delOld.addEventListener("click", async () => {
        delOld.disabled = true;
        try {
          await backend.deleteAccessKey(a.id, oldKeyId, oldSessions.box.checked);
          oldStatus.textContent = `The old key ${oldKeyId} is deleted.`;
          delOld.remove();
          load();
        } catch (e) {
          oldStatus.textContent = message(e);
          delOld.disabled = false;
        }
      });
      result.replaceChildren(
        h("p", { class: "ok", id: "rotate-done", role: "status" }, `The new key ${o.newAccessKeyId} works and is saved in your keychain. The old key ${oldKeyId} is switched off.`),
        h("p", {}, "Give the new key to whoever used the old one. Delete the old key once nothing uses it."),
        oldSessions.row,
        h("div", { class: "row" }, delOld),
        oldStatus,
        ...handoverPanel(backend, ctx.info, { userName: o.userName ?? "", accessKeyId: o.newAccessKeyId ?? "", keychainEntry: o.keychainEntry, accessId: o.accessId }),
        h("div", { class: "row" }, h("button", { type: "button", class: "secondary", onclick: () => (panel.replaceChildren(), reloadAndFocus(a.id)) }, "Done")),
      );
      result.querySelector<HTMLElement>("#rotate-done")?.setAttribute("tabindex", "-1");
      result.querySelector<HTMLElement>("#rotate-done")?.focus();
    } catch (e) {
      result.replaceChildren(errorBox(message(e)), closeButton(panel, "Close"));
    }
  };

  const startRevoke = async (a: AccessDto, panel: HTMLElement, adopt: boolean, keepSessions = false) => {
    panel.replaceChildren(busy("Working out what to delete…"));
    try {
      const plan = await backend.planRevoke(a.id, adopt, keepSessions);
      const go = h("button", { type: "button", class: "danger", id: "revoke-confirm" }, "Delete all of this");
      go.addEventListener("click", () => runRevoke(a, plan.steps.map((s) => s.summary), panel));
      const adoptBox = h("input", { type: "checkbox", id: `adopt-${a.id}`, checked: adopt, onchange: (e: Event) => startRevoke(a, panel, (e.target as HTMLInputElement).checked, keepSessions) });
      const sessionsBox = h("input", { type: "checkbox", id: `revoke-sessions-${a.id}`, checked: !keepSessions, onchange: (e: Event) => startRevoke(a, panel, adopt, !(e.target as HTMLInputElement).checked) });
      panel.replaceChildren(
        h("div", {},
        h("h3", { tabindex: "-1" }, `Revoke ${a.label}?`),
        h("p", {}, "This deletes, in this order:"),
        h("ol", { class: "plan revoke-steps" }, plan.steps.map((s) => h("li", {}, h("span", { class: "summary" }, s.summary), h("span", { class: "call" }, s.call)))),
        plan.kept.length ? [h("p", {}, "Left alone:"), h("ul", { class: "kept" }, plan.kept.map((k) => h("li", {}, k)))] : null,
        plan.kept.length || adopt ? h("div", { class: "check" }, adoptBox, h("label", { for: `adopt-${a.id}` }, "Also delete what this app did not create")) : null,
        a.state === "exists" ? h("div", { class: "check" }, sessionsBox, h("label", { for: `revoke-sessions-${a.id}` }, "First cut off every session made before now (recommended)")) : null,
        h("p", { class: "warning" }, "This cannot be undone. Whoever uses this access loses it at once."),
        h("div", { class: "row" }, go, closeButton(panel)),
        ),
      );
      focusFirst(panel);
    } catch (e) {
      panel.replaceChildren(errorBox(message(e)), closeButton(panel, "Close"));
    }
  };

  /** A share: a new end (at most 7 days from now), and its links signed again. */
  const startExtend = (a: AccessDto, panel: HTMLElement) => {
    const days = h("select", { id: `extend-days-${a.id}` }, [1, 2, 3, 5, 7].map((d) => h("option", { value: String(d), selected: d === 7 }, `${d} day${d === 1 ? "" : "s"} from now`)));
    const go = h("button", { type: "button", class: "primary", id: "extend-confirm" }, "Extend and make new links");
    const out = h("div", { "aria-live": "polite" });
    go.addEventListener("click", async () => {
      out.replaceChildren(busy("Moving the end and signing the links again…"));
      try {
        const r = await backend.extendShare(a.id, Number(days.value) * 86400);
        const copyStatus = h("p", { class: "hint", role: "status", "aria-live": "polite" });
        out.replaceChildren(
          h("p", { class: "ok", id: "extend-done" }, `The share now ends ${r.endsText}. New links (the old ones still end at the old time):`),
          h(
            "ol",
            { class: "links" },
            r.links.map((l) =>
              h(
                "li",
                {},
                h("strong", {}, l.key),
                h("input", { type: "text", readonly: true, value: l.url, class: "url", "aria-label": `Link for ${l.key}` }),
                copyLinkButton(backend, l, copyStatus),
              ),
            ),
          ),
          copyStatus,
        );
      } catch (e) {
        out.replaceChildren(errorBox(message(e)));
      }
    });
    panel.replaceChildren(
      h("div", {}, h("h3", { tabindex: "-1" }, "Extend this share"), h("div", { class: "field" }, h("label", { for: `extend-days-${a.id}` }, "The links work until"), days), h("div", { class: "row" }, go, closeButton(panel, "Close")), out),
    );
    focusFirst(panel);
  };

  const runRevoke = async (a: AccessDto, steps: string[], panel: HTMLElement) => {
    const progress = progressList(steps);
    const result = h("div");
    panel.replaceChildren(h("h3", { tabindex: "-1" }, `Revoking ${a.label}`), progress.element, result);
    focusFirst(panel);
    try {
      const o = await backend.revoke(progress.onEvent);
      if (o.ok) {
        panels.delete(a.id);
        pageStatus.replaceChildren(h("p", { class: "ok", id: "revoke-done" }, `Revoked ${a.label}: nothing of it is left in your account or on this computer.`));
        await load();
        main.querySelector<HTMLElement>("h1")?.focus();
        return;
      }
      result.replaceChildren(
        h(
          "div",
          { class: "error", role: "alert" },
          h("h4", {}, `Stopped at: ${o.failedSummary}`),
          h("p", {}, o.message ?? ""),
          o.remaining.length ? [h("p", {}, "Not done yet:"), h("ul", {}, o.remaining.map((r) => h("li", {}, r)))] : null,
          h("p", {}, "The entry stays in the list; revoke it again to finish."),
        ),
        h("button", { type: "button", class: "secondary", onclick: () => (panel.replaceChildren(), reloadAndFocus(a.id)) }, "Close"),
      );
    } catch (e) {
      result.replaceChildren(errorBox(message(e)));
    }
  };

  // Import an existing key.
  const importStatus = h("div", { role: "status", "aria-live": "polite" });
  const keyId = field("Access key ID", { value: "", placeholder: "AKIA…", onInput: (v) => (v && !/^AKIA[A-Z0-9]{12,124}$/.test(v.trim()) ? "An access key ID starts with AKIA, then capital letters and digits." : null) });
  const secret = field("Secret access key", { value: "", type: "password", onInput: () => null });
  const file = h("input", { type: "file", id: "import-csv", accept: ".csv,text/csv" });
  const doImport = async (args: { accessKeyId?: string; secretAccessKey?: string; csv?: string }) => {
    importStatus.replaceChildren(busy("Checking the key with AWS…"));
    try {
      await backend.importKey(args);
      secret.input.value = "";
      keyId.input.value = "";
      file.value = "";
      importStatus.replaceChildren(h("p", { class: "ok", id: "import-done" }, "Added. Its secret is in your keychain."));
      await load();
      importBtn.focus();
    } catch (e) {
      importStatus.replaceChildren(errorBox(message(e)));
    }
  };
  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (f) await doImport({ csv: await f.text() });
  });
  const importBtn = h("button", { type: "button", class: "primary", id: "import-btn", onclick: () => doImport({ accessKeyId: keyId.input.value.trim(), secretAccessKey: secret.input.value }) }, "Add this key");
  const importSection = h(
    "details",
    { class: "import" },
    h("summary", {}, "Add an existing access key"),
    h("p", { class: "hint" }, "For a key made elsewhere (for example in the AWS console). Its secret goes into your keychain, so you can hand it over or use it from AWS tools without a file."),
    keyId.wrap,
    secret.wrap,
    importBtn,
    h("div", { class: "field" }, h("label", { for: "import-csv" }, "Or choose the CSV file the AWS console gave you"), file),
    importStatus,
  );

  main.append(
    h("h1", { tabindex: "-1" }, "My access"),
    h("p", { class: "lead" }, "Everything this app set up or was given, checked against your account now."),
    pageStatus,
    listArea,
    importSection,
  );
  nav.replaceChildren(
    h("button", { type: "button", class: "secondary", id: "reload-access", onclick: () => (listArea.replaceChildren(busy("Checking…")), load()) }, "Check again"),
    h("span"),
    h("button", { type: "button", class: "primary", id: "new-access", onclick: ctx.onNewAccess }, "Set up new access"),
  );
  load();
}
