// 3. Which bucket: searchable, with regions; create one with safe defaults; pick a folder by browsing.

import type { BucketDto } from "../bindings";
import { busy, errorBox, message } from "../common";
import { field, h, uid } from "../dom";
import { bucketNameError, folderError } from "../validate";
import { app, set } from "./context";
import { navButtons } from "./nav";
import { withTarget } from "./state";

export function bucketScreen(main: HTMLElement, nav: HTMLElement) {
  const refresh = navButtons(nav);
  main.append(h("h1", { tabindex: "-1" }, "Which bucket?"), h("p", { class: "lead" }, "Access will be limited to this bucket, and to one folder in it if you choose one."));
  const search = field("Search buckets", { value: "", type: "search", onInput: () => (draw(), null) });
  const listArea = h("div", { class: "bucket-list", role: "radiogroup", "aria-label": "Buckets" });
  const listStatus = h("div", {}, busy("Loading your buckets…"));
  let buckets: BucketDto[] = [];

  const choose = (name: string, create: boolean) => {
    app.state = withTarget({ ...app.state, createBucketRegion: create ? (app.state.connection?.region ?? "us-east-1") : null }, name, app.state.level);
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
          h("input", { type: "radio", name: "bucket", id, value: b.name, checked: app.state.bucket === b.name && app.state.createBucketRegion === null, onchange: () => (choose(b.name, false), browse("")) }),
          h("span", { class: "choice-text" }, h("strong", {}, b.name), h("span", {}, b.region ?? "region unknown")),
        );
      }),
    );
    if (buckets.length && !shown.length) listArea.append(h("p", { class: "hint" }, "No bucket matches."));
  };
  app.backend
    .listBuckets()
    .then((b) => {
      buckets = b;
      listStatus.replaceChildren(h("p", { class: "hint", role: "status" }, `${b.length} bucket${b.length === 1 ? "" : "s"}`));
      draw();
    })
    .catch((e) => listStatus.replaceChildren(errorBox(message(e))));

  const newName = field("New bucket name", {
    value: app.state.createBucketRegion !== null ? app.state.bucket : "",
    hint: "Created with public access blocked and encryption on.",
    onInput: (v) => {
      choose(v.trim(), true);
      return v ? bucketNameError(v.trim()) : null;
    },
  });
  const create = h("details", { open: app.state.createBucketRegion !== null }, h("summary", {}, "Create a new bucket"), newName.wrap);

  const folder = field("Folder (optional)", {
    value: app.state.folder,
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
    if (!app.state.bucket || app.state.createBucketRegion !== null) return folders.replaceChildren();
    folders.replaceChildren(busy("Looking for folders…"));
    try {
      const list = await app.backend.listFolders(app.state.bucket, prefix);
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
  if (app.state.bucket && app.state.createBucketRegion === null) browse("");
}

