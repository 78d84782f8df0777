// Links you can stop, and a drop-box upload page, through the real window: choose files, review the share
// (its own key, what it can do), create it, use a link, stop it from My access (the share's key is gone:
// the emulator checks keys only on signed headers, see tests/e2e/test_share.py); then save an upload page
// for a folder and upload through its form.

import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { useEnv } from "./harness.mjs";

const { env, ui: currentUi } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-photos": ["readme.txt", "2026/beach.jpg", "2026/pier.jpg"] });
});
let ui;
beforeEach(() => (ui = currentUi()));

async function toFolder(folder) {
  await ui.connectSandbox();
  await ui.click("Share links");
  await ui.heading("Share files with links");
  await ui.selectOption("#links-bucket", "sample-photos");
  await ui.waitForText("#list-status", "1 folder(s) and 1 file(s)");
  await ui.clickElement(await ui.b.$(`.vrow[data-key="${folder}"]`), folder);
  await ui.waitForText("#list-status", `in ${folder}`);
}

test("links you can stop: review, create, use, then stop them from My access", { timeout: 300000 }, async () => {
  const before = env.accountState();
  await toFolder("2026/");
  await (await ui.b.$("#object-list")).click();
  await ui.keys("Home");
  await ui.keys(" ");
  await ui.waitForText("#selection-status", "1 file chosen");
  // The share's buttons with the keyboard alone.
  await ui.tabTo("Links I can stop…");
  await ui.keys("Enter");
  await ui.waitForText(".links-results", "Review: links you can stop");
  const review = await ui.text(".links-results");
  assert.match(review, /Create the IAM user "s3aw-share-[0-9a-f]{12}"/);
  assert.match(await ui.text('.links-results .can-card li[data-code="download_shared"]'), /Yes/);
  assert.match(await ui.text('.links-results .can-card li[data-code="other_buckets"]'), /No/);
  assert.match(review, /Nothing has changed yet/);
  assert.deepEqual(env.accountState().users, before.users, "nothing created by the review");
  await ui.b.execute(() => document.querySelector(".links-results h2").scrollIntoView());
  await ui.shot("17b-share-review");

  await ui.tabTo("Create the share and make the links");
  await ui.keys("Enter");
  await ui.waitForText(".links-results", "Stop these links now", 90000);
  const url = await (await ui.b.$('input[aria-label="Link for 2026/beach.jpg"]')).getValue();
  const share = env.cli("share", "list")[0];
  assert.match(url, new RegExp(`X-Amz-Credential=${share.access_key_id}`), "signed with the share's own key");
  assert.equal(await (await fetch(url)).text(), "sample 2026/beach.jpg");
  assert.deepEqual(share.files, ["2026/beach.jpg"]);

  await ui.click("My access");
  await ui.heading("My access");
  await ui.waitForText("main", "Links you can stop, to 1 file in s3://sample-photos/2026/");
  await ui.click("Stop these links now…");
  await ui.waitForText("main", `Delete access key ${share.access_key_id}`);
  await ui.click("Delete all of this");
  await ui.b.$("#revoke-done").waitForDisplayed({ timeout: 60000 });
  assert.deepEqual(env.accountState(), before, "the share's key and user are gone: every link is refused on AWS");
  assert.deepEqual(env.cli("share", "list"), []);
});

test("a drop-box: save the upload page for a folder and upload through its form", { timeout: 240000 }, async () => {
  await toFolder("2026/");
  await (await ui.b.$("summary=An upload page for this folder (a drop-box)")).click();
  await ui.type("Largest file", "2MB");
  await ui.click("Save upload page…");
  await ui.waitForText("#drop-status", "Saved the upload page");
  // Until when it works, in plain words; no note about temporary credentials with the sandbox's own key.
  const status = await ui.text("#drop-status");
  assert.match(status, /until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\./);
  assert.ok(!status.includes("Note:"), status);
  const page = path.join(env.saveDir, "upload-to-sample-photos-2026.html");
  assert.equal(statSync(page).mode & 0o777, 0o600);
  const html = readFileSync(page, "utf8");
  assert.match(html, /files up to 2 MB/);
  const action = html.match(/<form action="([^"]+)"/)[1];
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2].replaceAll("&amp;", "&").replaceAll("&quot;", '"')]);
  const policy = JSON.parse(Buffer.from(Object.fromEntries(fields).policy, "base64").toString());
  assert.deepEqual(policy.conditions.find((c) => Array.isArray(c) && c[1] === "$key"), ["starts-with", "$key", "2026/"]);
  assert.deepEqual(policy.conditions.find((c) => Array.isArray(c) && c[0] === "content-length-range"), ["content-length-range", 1, 2000000]);
  // Post the form as a browser would (the emulator does not replace ${filename}, so the key is set).
  const form = new FormData();
  for (const [k, v] of fields) form.append(k, k === "key" ? "2026/dropped.txt" : v);
  form.append("file", new Blob(["dropped in"]), "dropped.txt");
  const r = await fetch(action, { method: "POST", body: form });
  assert.equal(r.status, 201);
  assert.equal(env.boto(`print(s3.get_object(Bucket="sample-photos", Key="2026/dropped.txt")["Body"].read().decode())`).trim(), "dropped in");
});
