// Links through the real window: browse a bucket by folder (1,500 files arrive in two pages into a
// virtualized list), choose a file with the keyboard, make and test a download link, make an upload link
// that requires a content type and use it, sign with a saved least-privilege key, and export links for a
// whole folder as CSV.

import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { useEnv } from "./harness.mjs";

const { env, ui: currentUi } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-photos": ["readme.txt", "2026/beach.jpg"] });
  env.boto(`from concurrent.futures import ThreadPoolExecutor
with ThreadPoolExecutor(8) as ex:
    list(ex.map(lambda i: s3.put_object(Bucket="sample-photos", Key=f"bulk/file-{i:04d}.jpg", Body=b"x"), range(1500)))`);
});
let ui;
beforeEach(() => (ui = currentUi()));

test("browse, choose, make, test and use links; export a folder", { timeout: 300000 }, async () => {
  const signer = env.cli("grant", "iam-user", "--bucket", "sample-photos", "--access", "read", "--user", "link-signer", "--yes").access_key_id;

  await ui.connectSandbox();
  await ui.click("Next");
  await ui.choose("Share files with links");
  await ui.click("Next");
  await ui.heading("Share files with links");
  await ui.selectOption("#links-bucket", "sample-photos");
  await ui.waitForText("#list-status", "2 folder(s) and 1 file(s)");

  // Into the big folder: both pages arrive, and only a screenful of rows is in the page.
  await ui.clickElement(await ui.b.$('.vrow[data-key="bulk/"]'), "bulk/");
  await ui.waitForText("#list-status", "0 folder(s) and 1,500 file(s) in bulk/", 60000);
  const rows = await ui.b.$$(".vrow");
  assert.ok(rows.length < 60, `virtualized: ${rows.length} rows in the page for 1,500 files`);
  await ui.b.execute(() => (document.getElementById("object-list").scrollTop = 1e9));
  await ui.b.$('.vrow[data-key="bulk/file-1499.jpg"]').waitForExist({ timeout: 5000 });
  await ui.shot("16-links-browser");

  // Export the whole folder.
  await ui.click("Links for every file in this folder (CSV)…");
  await ui.waitForText("#bulk-status", "1500 link(s) saved to", 60000);
  const csvPath = path.join(env.saveDir, "sample-photos-bulk-links.csv");
  const csv = readFileSync(csvPath, "utf8").trim().split("\n");
  assert.equal(csv.length, 1501);
  assert.equal(csv[0], "key,url,expires_at");
  assert.equal(statSync(csvPath).mode & 0o777, 0o600);

  // Back up, choose readme.txt with the keyboard, make a download link and test it.
  await ui.click("↑ Up one folder");
  await ui.waitForText("#list-status", "2 folder(s) and 1 file(s)");
  await (await ui.b.$("#object-list")).click();
  await ui.keys("End");
  await ui.keys(" ");
  await ui.waitForText("#selection-status", "1 file chosen");
  await ui.click("Make links");
  await ui.waitForText(".links-results", "readme.txt");
  const url = await (await ui.b.$('input[aria-label="Link for readme.txt"]')).getValue();
  assert.equal(await (await fetch(url)).text(), "sample readme.txt", "the link downloads the file");
  await ui.clickElement(await ui.b.$('button[aria-label="Test the link for readme.txt"]'), "Test this link");
  await ui.waitForText("#test-0", "The link works: the file downloads.");
  await ui.shot("17-links-made");

  // An upload link that requires a content type, signed by the saved least-privilege key.
  await ui.selectOption("#signer", signer);
  await ui.waitForText("#signer-note", "least-privilege key");
  await ui.choose("Upload");
  await ui.type("Content type the uploader must send", "text/plain");
  await ui.type("Or a new file to upload", "incoming/note.txt");
  await ui.click("Make links");
  await ui.waitForText(".links-results", "curl -X PUT -T FILE -H 'content-type: text/plain'");
  const putUrl = await (await ui.b.$('input[aria-label="Link for incoming/note.txt"]')).getValue();
  assert.match(putUrl, new RegExp(`X-Amz-Credential=${signer}`), "signed by the saved key");
  const put = await fetch(putUrl, { method: "PUT", body: "uploaded through the link", headers: { "content-type": "text/plain" } });
  assert.equal(put.status, 200);
  assert.equal(env.boto(`print(s3.get_object(Bucket="sample-photos", Key="incoming/note.txt")["Body"].read().decode())`).trim(), "uploaded through the link");
});

test("links signed with temporary pasted keys say they die with the session", { timeout: 180000 }, async () => {
  await ui.heading("Connect to your AWS account");
  await ui.choose("Paste access keys");
  await ui.type("Access key ID", "ASIATEMPORARYPASTE01");
  await ui.type("Secret access key", "temporary-secret");
  await ui.type("Session token", "a-session-token");
  await (await ui.b.$("summary=Region and endpoint")).click();
  await ui.type("Custom endpoint (optional)", env.proxy);
  await ui.click("Connect");
  await ui.waitForText("main", "Connected.");
  await ui.click("Share links");
  await ui.selectOption("#links-bucket", "sample-photos");
  await ui.waitForText("#signer-note", "These credentials are temporary (they carry a session token)");
});
