// "Share files with links": browse a bucket by folder (the listing streams in page by page into a
// virtualized list, so 100,000 files stay smooth), pick files or type a new file's name, choose download or
// upload, the expiry and who signs, then make, copy and test the links, or export a whole folder as CSV.

import type { Backend } from "./backend";
import type { LinkDto, SignerDto } from "./bindings";
import { busy, errorBox, message, progressList } from "./common";
import { failureView, planView } from "./planView";
import { field, h, uid } from "./dom";
import { when } from "./when";

export const ROW_HEIGHT = 32;
const MAX_SECONDS = 7 * 24 * 3600;
const UNITS: Record<string, number> = { minutes: 60, hours: 3600, days: 86400 };

/** The rows to draw for a scroll position: only what is visible, plus a few either side. */
export function visibleRange(scrollTop: number, viewport: number, total: number, rowHeight = ROW_HEIGHT, overscan = 8): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return [first, Math.max(first, last)];
}

/** Seconds for an expiry in plain units, or the reason it is not allowed. */
export function expirySeconds(amount: string, unit: string): number | string {
  if (!/^\d+$/.test(amount.trim()) || Number(amount) < 1) return "Type a whole number, such as 12.";
  const s = Number(amount) * (UNITS[unit] ?? 0);
  if (s > MAX_SECONDS) return "A link can live at most 7 days (AWS's limit).";
  return s;
}

export function humanSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** "Copy link": the app writes the clipboard; the status line says what happened. */
export function copyLinkButton(backend: Backend, l: LinkDto, status: HTMLElement): HTMLElement {
  return h("button", { type: "button", class: "secondary small", onclick: async () => {
    try {
      await backend.copyText(l.url);
      status.textContent = `Copied the link for ${l.key}.`;
    } catch (e) {
      status.textContent = message(e);
    }
  } }, "Copy link");
}

interface Entry {
  folder: boolean;
  key: string;
  size: number;
}

export function linksScreen(main: HTMLElement, nav: HTMLElement, backend: Backend) {
  nav.replaceChildren(h("span"));
  main.append(
    h("h1", { tabindex: "-1" }, "Share files with links"),
    h("p", { class: "lead" }, "A link lets whoever has it download (or upload) one file until it expires. Nothing is created in your account."),
  );
  const select = h("select", { id: "links-bucket" }, h("option", { value: "" }, "Choose a bucket…"));
  main.append(h("div", { class: "field" }, h("label", { for: "links-bucket" }, "Bucket"), select));
  const body = h("div");
  main.append(body);
  backend
    .listBuckets()
    .then((b) => select.append(...b.map((x) => h("option", { value: x.name }, x.name))))
    .catch((e) => body.replaceChildren(errorBox(message(e))));

  let bucket = "";
  let prefix = "";
  let entries: Entry[] = [];
  const selected = new Set<string>();
  let active = 0;
  let loadId = 0;

  // The virtualized list.
  const spacer = h("div", { class: "vspacer" });
  const list = h("div", { class: "vlist", id: "object-list", role: "listbox", "aria-multiselectable": "true", tabindex: "0", "aria-label": "Files" }, spacer);
  const where = h("div", { class: "crumbs" });
  const listStatus = h("p", { class: "hint", role: "status", "aria-live": "polite", id: "list-status" });
  const selStatus = h("p", { class: "hint", id: "selection-status" });
  let drawQueued = false;
  const draw = () => {
    drawQueued = false;
    spacer.style.height = `${entries.length * ROW_HEIGHT}px`;
    const [first, last] = visibleRange(list.scrollTop, list.clientHeight || 320, entries.length);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const e = entries[i];
      const name = e.key.slice(prefix.length);
      const row = h(
        "div",
        {
          class: `vrow${i === active ? " active" : ""}${selected.has(e.key) ? " selected" : ""}`,
          id: `row-${i}`,
          role: "option",
          "aria-selected": e.folder ? null : selected.has(e.key) ? "true" : "false",
          "aria-posinset": String(i + 1),
          "aria-setsize": String(entries.length),
          "data-key": e.key,
        },
        e.folder ? h("span", { class: "icon", "aria-hidden": "true" }, "📁") : h("input", { type: "checkbox", tabindex: "-1", checked: selected.has(e.key), "aria-hidden": "true" }),
        h("span", { class: "name" }, e.folder ? `${name}` : name),
        h("span", { class: "size" }, e.folder ? "folder" : humanSize(e.size)),
      );
      row.style.top = `${i * ROW_HEIGHT}px`;
      row.addEventListener("click", () => ((active = i), activate(i)));
      rows.push(row);
    }
    spacer.replaceChildren(...rows);
    list.setAttribute("aria-activedescendant", entries.length ? `row-${active}` : "");
    selStatus.textContent = selected.size ? `${selected.size} file${selected.size === 1 ? "" : "s"} chosen` : "No file chosen yet.";
  };
  const queueDraw = () => {
    if (!drawQueued) {
      drawQueued = true;
      requestAnimationFrame(draw);
    }
  };
  list.addEventListener("scroll", queueDraw);
  const activate = (i: number) => {
    const e = entries[i];
    if (!e) return;
    if (e.folder) return void open(e.key);
    if (selected.has(e.key)) selected.delete(e.key);
    else selected.add(e.key);
    draw();
  };
  list.addEventListener("keydown", (ev) => {
    const keys: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (ev.key in keys || ev.key === "Home" || ev.key === "End") {
      ev.preventDefault();
      active = ev.key === "Home" ? 0 : ev.key === "End" ? entries.length - 1 : Math.max(0, Math.min(entries.length - 1, active + keys[ev.key]));
      const top = active * ROW_HEIGHT;
      if (top < list.scrollTop) list.scrollTop = top;
      else if (top + ROW_HEIGHT > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_HEIGHT - list.clientHeight;
      draw();
    } else if (ev.key === " " || ev.key === "Enter") {
      ev.preventDefault();
      activate(active);
    } else if (ev.key === "Backspace" && prefix) {
      ev.preventDefault();
      open(parentOf(prefix));
    }
  });

  const parentOf = (p: string) => {
    const parts = p.split("/").filter(Boolean);
    parts.pop();
    return parts.length ? `${parts.join("/")}/` : "";
  };

  const open = async (p: string) => {
    const id = ++loadId;
    prefix = p;
    entries = [];
    active = 0;
    list.scrollTop = 0;
    where.replaceChildren(
      h("span", {}, `s3://${bucket}/${prefix}`),
      prefix ? h("button", { type: "button", class: "link", id: "folder-up", onclick: () => open(parentOf(prefix)) }, "↑ Up one folder") : "",
    );
    listStatus.replaceChildren(busy("Listing…"));
    const started = performance.now();
    let first = true;
    let files = 0;
    let pagesSeen = 0;
    // Pages come over a channel and may land after the command's own answer: wait for all of them.
    let allPages: (() => void) | null = null;
    let pagesExpected = Infinity;
    try {
      const total = await backend.listObjects(bucket, prefix, (page) => {
        if (id !== loadId) return;
        pagesSeen += page.folders.length + page.objects.length;
        if (pagesSeen >= pagesExpected) allPages?.();
        const folders = page.folders.map((f) => ({ folder: true, key: f, size: 0 }));
        const objects = page.objects.filter((o) => o.key !== prefix).map((o) => ({ folder: false, key: o.key, size: o.size }));
        files += objects.length;
        // Folders stay on top as pages arrive.
        const firstFile = entries.findIndex((e) => !e.folder);
        entries = firstFile < 0 ? [...entries, ...folders, ...objects] : [...entries.slice(0, firstFile), ...folders, ...entries.slice(firstFile), ...objects];
        if (first) {
          first = false;
          draw();
          performance.mark("s3aw-first-rows");
          list.dataset.firstRowsMs = String(Math.round(performance.now() - started));
        } else queueDraw();
        if (pagesSeen < pagesExpected) listStatus.replaceChildren(busy(`Listing… ${files.toLocaleString("en")} files so far`));
      });
      pagesExpected = total.folders + total.objects;
      if (pagesSeen < pagesExpected) await new Promise<void>((resolve) => (allPages = resolve));
      if (id !== loadId) return;
      list.dataset.allRowsMs = String(Math.round(performance.now() - started));
      listStatus.textContent = `${total.folders.toLocaleString("en")} folder(s) and ${total.objects.toLocaleString("en")} file(s) in ${prefix || "the top of the bucket"}.`;
      list.dataset.loaded = "true";
      draw();
    } catch (e) {
      if (id === loadId) listStatus.replaceChildren(errorBox(message(e)));
    }
  };

  // Options.
  const newKey = field("Or a new file to upload (its name in this folder)", { value: "", placeholder: "report-2026.pdf", onInput: (v) => (v.includes("//") ? "The name has an empty part (//)." : null) });
  let upload = false;
  const kindChoice = (value: boolean, label: string) => {
    const id = uid("lk");
    return h("span", { class: "check" }, h("input", { type: "radio", name: "link-kind", id, checked: value === upload, onchange: () => ((upload = value), (contentType.wrap.hidden = !value)) }), h("label", { for: id }, label));
  };
  const contentType = field("Content type the uploader must send (optional)", { value: "", placeholder: "image/png", onInput: (v) => (v && !/^[\w.+-]+\/[\w.+-]+$/.test(v) ? "Write it as type/subtype, such as image/png." : null) });
  contentType.wrap.hidden = true;
  const amount = field("Link lives for", { value: "1", onInput: () => null });
  const unit = h("select", { id: "expiry-unit", "aria-label": "Unit" }, ["minutes", "hours", "days"].map((u) => h("option", { value: u, selected: u === "hours" }, u)));
  const expiryErr = h("p", { class: "field-error", role: "status" });
  const signerSelect = h("select", { id: "signer" }, h("option", { value: "" }, "Your connected identity"));
  const signerNote = h("p", { class: "hint", role: "status", "aria-live": "polite", id: "signer-note" });
  const checkSigner = async () => {
    try {
      const s = await backend.signerInfo(signerSelect.value || null);
      signerNote.className = s.temporary ? "warning" : "hint";
      signerNote.textContent = s.temporary
        ? s.expiresAt
          ? `These credentials are temporary: links signed with them stop working when the session ends, ${when(s.expiresAt)}. For longer links, sign with a saved key.`
          : "These credentials are temporary (they carry a session token): links signed with them stop working when the session ends, and its end time is not known here. For longer links, sign with a saved key."
        : signerSelect.value
          ? "Recommended: a least-privilege key, so a leaked link grants no more than this key can."
          : "Long-term credentials: links live as long as you choose. Consider signing with a saved least-privilege key instead.";
    } catch (e) {
      signerNote.textContent = message(e);
    }
  };
  signerSelect.addEventListener("change", checkSigner);
  backend
    .savedSigners()
    .then((s: SignerDto[]) => signerSelect.append(...s.map((x) => h("option", { value: x.accessKeyId }, `${x.accessKeyId} — ${x.label}`))))
    .catch(() => {});

  const results = h("div", { class: "links-results", "aria-live": "polite" });
  const make = h("button", { type: "button", class: "primary", id: "make-links" }, "Make links");
  make.addEventListener("click", async () => {
    const secs = expirySeconds(amount.input.value, unit.value);
    if (typeof secs === "string") return void (expiryErr.textContent = secs);
    expiryErr.textContent = "";
    const keys = newKey.input.value.trim() ? [prefix + newKey.input.value.trim().replace(/^\/+/, "")] : [...selected];
    results.replaceChildren(busy("Signing…"));
    try {
      const links = await backend.presignLinks({ bucket, keys, upload, contentType: contentType.input.value || null, expiresSeconds: secs, signer: signerSelect.value || null });
      showLinks(links);
    } catch (e) {
      results.replaceChildren(errorBox(message(e)));
    }
  });

  const showLinks = (links: LinkDto[]) => {
    const copyStatus = h("p", { class: "hint", role: "status", "aria-live": "polite", id: "copy-status" });
    results.replaceChildren(
      h("h2", { tabindex: "-1" }, `${links.length} link${links.length === 1 ? "" : "s"}, until ${links[0] ? when(links[0].expiresAt) : ""}`),
      links.some((l) => l.cutShort) ? h("p", { class: "warning box", role: "note" }, `Cut short: the signing credentials expire first, so these links stop working ${when(links[0].expiresAt)}.`) : "",
      h(
        "ol",
        { class: "links" },
        links.map((l, i) => {
          const test = h("p", { class: "hint", role: "status", "aria-live": "polite", id: `test-${i}` });
          return h(
            "li",
            {},
            h("strong", {}, l.key),
            ` (${l.method === "PUT" ? "upload" : "download"})`,
            h("input", { type: "text", readonly: true, value: l.url, class: "url", "aria-label": `Link for ${l.key}` }),
            h(
              "div",
              { class: "row" },
              copyLinkButton(backend, l, copyStatus),
              l.method === "GET"
                ? h("button", { type: "button", class: "secondary small", "aria-label": `Test the link for ${l.key}`, onclick: async () => {
                    test.textContent = "Testing…";
                    try {
                      const t = await backend.testLink(i);
                      test.className = t.works ? "ok" : "warning";
                      test.textContent = t.message;
                    } catch (e) {
                      test.textContent = message(e);
                    }
                  } }, "Test this link")
                : "",
            ),
            l.method === "PUT" ? h("p", {}, "Upload with: ", h("code", { class: "curl" }, l.curl)) : "",
            test,
          );
        }),
      ),
      copyStatus,
    );
    results.querySelector<HTMLElement>("h2")?.focus();
  };

  // Links you can stop: signed with a key made for this share, reviewed first like any change.
  const share = h("button", { type: "button", class: "secondary", id: "make-share" }, "Links I can stop…");
  share.addEventListener("click", async () => {
    const secs = expirySeconds(amount.input.value, unit.value);
    if (typeof secs === "string") return void (expiryErr.textContent = secs);
    expiryErr.textContent = "";
    if (upload) return void results.replaceChildren(errorBox("Links you can stop are for downloads. Choose Download, or use an upload page for a folder."));
    const files = [...selected];
    if (!files.length && !prefix) return void results.replaceChildren(errorBox("Choose files, or open the folder to share."));
    results.replaceChildren(busy("Checking your account and preparing the share…"));
    try {
      const plan = await backend.planShare({ bucket, prefix: prefix || null, files, expiresSeconds: secs });
      const go = h("button", { type: "button", class: "primary", id: "create-share" }, "Create the share and make the links");
      const area = h("div", { "aria-live": "polite" });
      go.addEventListener("click", async () => {
        go.disabled = true;
        const progress = progressList(plan.steps.map((x) => x.summary));
        area.replaceChildren(progress.element);
        try {
          const out = await backend.createShare(plan.id, progress.onEvent);
          if (!out.ok) return void area.replaceChildren(failureView(out.failure!));
          showLinks(out.links);
          results.prepend(
            h("p", { class: "ok box", role: "note", id: "share-made" }, `These links work until ${out.endsText}. To stop them all before then: My access → this share → Stop these links now.`),
          );
        } catch (e) {
          area.replaceChildren(errorBox(message(e)));
        }
      });
      results.replaceChildren(
        h("h2", { tabindex: "-1" }, "Review: links you can stop"),
        h("p", { class: "banner", role: "note" }, "Nothing has changed yet. A key is made for this share alone; deleting it stops every link at once."),
        h("h3", {}, plan.headline),
        planView(plan),
        go,
        area,
      );
      results.querySelector<HTMLElement>("h2")?.focus();
    } catch (e) {
      results.replaceChildren(errorBox(message(e)));
    }
  });

  // A drop-box: an upload page for the open folder, with a size limit.
  const dropStatus = h("p", { class: "hint", role: "status", "aria-live": "polite", id: "drop-status" });
  const maxSize = field("Largest file", { value: "100MB", hint: "Such as 100MB, 2GB or 500KB (at most 5GiB).", onInput: (v) => (/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|kib|mib|gib)?\s*$/i.test(v) ? null : "Write it like 100MB, 2GB or 500KB.") });
  const dropType = field("Only files of this type (optional)", { value: "", placeholder: "application/pdf or image/*", onInput: (v) => (v && !/^[\w.+-]+\/([\w.+-]+|\*)$/.test(v) ? "Write it as type/subtype, such as application/pdf, or image/*." : null) });
  const drop = h("button", { type: "button", class: "secondary", id: "save-drop-box" }, "Save upload page…");
  drop.addEventListener("click", async () => {
    const secs = expirySeconds(amount.input.value, unit.value);
    if (typeof secs === "string") return void (expiryErr.textContent = secs);
    if (!prefix) return void (dropStatus.textContent = "Open the folder the uploads should go to.");
    dropStatus.textContent = "Signing…";
    try {
      const saved = await backend.saveDropBox({ bucket, folder: prefix, maxSize: maxSize.input.value, contentType: dropType.input.value.trim() || null, expiresSeconds: secs, signer: signerSelect.value || null });
      dropStatus.textContent = saved
        ? `Saved the upload page to ${saved.path} (readable by you only). Send it to the person who uploads: they open it in any browser and choose a file. It goes into ${prefix} only, until ${saved.endsText}.${saved.note ? ` Note: ${saved.note}` : ""}`
        : "";
    } catch (e) {
      dropStatus.textContent = message(e);
    }
  });

  // Bulk: every file under the folder, as CSV.
  const bulkStatus = h("p", { class: "hint", role: "status", "aria-live": "polite", id: "bulk-status" });
  const bulkBar = h("progress", { "aria-label": "Links written", hidden: true });
  const bulk = h("button", { type: "button", class: "secondary", id: "bulk-csv" }, "Links for every file in this folder (CSV)…");
  bulk.addEventListener("click", async () => {
    const secs = expirySeconds(amount.input.value, unit.value);
    if (typeof secs === "string") return void (expiryErr.textContent = secs);
    try {
      const expected = entries.filter((e) => !e.folder).length;
      bulkBar.hidden = false;
      bulkBar.max = Math.max(expected, 1);
      bulkBar.value = 0;
      bulkStatus.textContent = "Signing…";
      const done = await backend.presignFolderCsv(bucket, prefix, secs, signerSelect.value || null, (n) => {
        bulkBar.value = n;
        bulkStatus.textContent = `Signed ${n.toLocaleString("en")} link(s)…`;
      });
      if (done === null) {
        bulkBar.hidden = true;
        bulkStatus.textContent = "";
        return;
      }
      bulkBar.value = bulkBar.max;
      bulkStatus.textContent = `${done} (readable by you only).`;
    } catch (e) {
      bulkStatus.textContent = message(e);
    }
  });

  select.addEventListener("change", () => {
    bucket = select.value;
    selected.clear();
    results.replaceChildren();
    if (!bucket) return void body.replaceChildren();
    body.replaceChildren(
      h("fieldset", {}, h("legend", {}, "Files"), where, list, listStatus, selStatus, h("p", { class: "hint" }, "Arrow keys move, Space chooses a file, Enter opens a folder, Backspace goes up."), newKey.wrap),
      h(
        "fieldset",
        {},
        h("legend", {}, "The link"),
        h("div", { class: "methods", role: "radiogroup", "aria-label": "Kind of link" }, kindChoice(false, "Download"), kindChoice(true, "Upload")),
        contentType.wrap,
        h("div", { class: "row" }, amount.wrap, h("div", { class: "field" }, unit)),
        expiryErr,
        h("div", { class: "field" }, h("label", { for: "signer" }, "Who signs the links"), signerSelect),
        signerNote,
      ),
      h("div", { class: "row" }, make, share, bulk),
      bulkBar,
      bulkStatus,
      h(
        "details",
        { class: "drop-box" },
        h("summary", {}, "An upload page for this folder (a drop-box)"),
        h("p", { class: "hint" }, "A web page anyone you send it to can upload files with, into the open folder only, up to a size, until the expiry above. They need no account and no app."),
        maxSize.wrap,
        dropType.wrap,
        drop,
        dropStatus,
      ),
      results,
    );
    checkSigner();
    open("");
  });
}
