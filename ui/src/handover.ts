// Handing a key over: the key id, the secret behind Reveal/Copy, and the exports (CSV, a credentials-file
// profile, or a `credential_process` profile that keeps the secret in the keychain). The secret stays in
// the app until the user clicks Reveal or Copy. Used after a grant, after a rotation, and from "My access".

import type { Backend } from "./backend";
import type { AppInfo, KitKind } from "./bindings";
import { message } from "./common";
import { field, h } from "./dom";

export interface HandoverKey {
  userName: string;
  accessKeyId: string;
  keychainEntry: string | null;
  /** The access in "My access" the key belongs to (what a `credential_process` profile names). */
  accessId: string | null;
}

const profileError = (v: string) => (/^[A-Za-z0-9._-]{1,64}$/.test(v) ? null : "Use letters, digits, - _ and .");

export function handoverPanel(backend: Backend, info: AppInfo, key: HandoverKey): HTMLElement[] {
  const secretView = h("code", { id: "secret", class: "secret" }, "•".repeat(40));
  const secretStatus = h("p", { class: "hint", role: "status", "aria-live": "polite" });
  const reveal = h("button", { type: "button", class: "secondary", id: "reveal" }, "Reveal");
  let shown = false;
  reveal.addEventListener("click", async () => {
    if (shown) {
      secretView.textContent = "•".repeat(40);
      reveal.textContent = "Reveal";
      shown = false;
      return;
    }
    try {
      secretView.textContent = await backend.revealSecret();
      reveal.textContent = "Hide";
      shown = true;
    } catch (e) {
      secretStatus.textContent = message(e);
    }
  });
  const copy = h("button", { type: "button", class: "secondary", id: "copy" }, "Copy");
  copy.addEventListener("click", async () => {
    try {
      await backend.copySecret();
      secretStatus.textContent = "Copied. The clipboard is cleared in 30 seconds.";
    } catch (e) {
      secretStatus.textContent = message(e);
    }
  });
  const importable = h("input", { type: "checkbox", id: "importable" });
  const exportStatus = h("p", { class: "hint", role: "status", "aria-live": "polite", id: "export-status" });
  const download = h("button", { type: "button", class: "primary", id: "download-csv" }, "Download CSV…");
  download.addEventListener("click", async () => {
    try {
      const saved = await backend.saveCsv(importable.checked);
      if (saved) exportStatus.textContent = `Saved to ${saved} (readable by you only).`;
    } catch (e) {
      exportStatus.textContent = message(e);
    }
  });
  const profile = field("AWS profile name", { value: key.userName, onInput: profileError });
  const addProfile = h("button", { type: "button", class: "secondary", id: "add-profile" }, "Add as AWS profile");
  addProfile.addEventListener("click", async () => {
    try {
      const file = await backend.addAwsProfile(profile.input.value);
      exportStatus.textContent = `Added profile [${profile.input.value}] to ${file}.`;
    } catch (e) {
      exportStatus.textContent = message(e);
    }
  });
  const useFromAws = h("button", { type: "button", class: "secondary", id: "use-from-aws" }, "Use from AWS CLI and SDKs");
  useFromAws.addEventListener("click", async () => {
    try {
      const file = await backend.useFromAws(key.accessId ?? key.accessKeyId, profile.input.value);
      exportStatus.textContent = `Added [profile ${profile.input.value}] to ${file}. AWS tools ask this app for the current key of this access (a rotation keeps it working); the secret stays in your keychain.`;
    } catch (e) {
      exportStatus.textContent = message(e);
    }
  });
  const kitButton = (kind: KitKind, label: string, id: string, done: (path: string) => string) => {
    const b = h("button", { type: "button", class: "secondary", id }, label);
    b.addEventListener("click", async () => {
      try {
        const saved = await backend.saveKit(kind);
        if (saved) exportStatus.textContent = done(saved);
      } catch (e) {
        exportStatus.textContent = message(e);
      }
    });
    return b;
  };
  const kit = h(
    "div",
    { class: "row", role: "group", "aria-label": "For the person receiving access" },
    kitButton("rclone", "Save rclone remote…", "save-rclone", (p) => `Saved the rclone remote to ${p} (readable by you only: it holds the secret). They use it with rclone --config ${p}.`),
    kitButton("cyberduck", "Save Cyberduck bookmark…", "save-cyberduck", (p) => `Saved the Cyberduck bookmark to ${p}. It opens the folder with a double-click; it holds the key ID, and Cyberduck asks for the secret once.`),
  );
  return [
    h(
      "dl",
      { class: "key" },
      h("dt", {}, "Access key ID"),
      h("dd", {}, h("code", { id: "access-key-id" }, key.accessKeyId)),
      h("dt", {}, "Secret access key"),
      h("dd", {}, secretView, " ", reveal, " ", copy),
    ),
    secretStatus,
    key.keychainEntry
      ? h("p", { class: "ok", id: "keychain-status" }, `Saved in your keychain (service “${info.keychainService}”, entry “${key.keychainEntry}”).`)
      : h("p", { class: "warning box", id: "keychain-status", role: "alert" }, "Not saved in a keychain (it was not available). Download the CSV or copy the secret now: it cannot be shown again after you close the app."),
    h("h2", {}, "Hand it over"),
    h("div", { class: "row" }, download, h("span", { class: "check" }, importable, h("label", { for: "importable" }, "Include a User name column (for aws configure import)"))),
    h("div", { class: "row" }, profile.wrap, addProfile, key.keychainEntry ? useFromAws : null),
    h("p", { class: "hint" }, "For someone who does not use the command line: a ready connection for rclone or Cyberduck that opens this folder."),
    kit,
    exportStatus,
  ];
}
