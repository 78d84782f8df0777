// "My access" end to end through the real window: an access made with the CLI shows up with its live state,
// is rotated (new key in the keychain, old key switched off, then deleted), and revoked, leaving the
// emulator and the keychain as they were.

import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { useEnv } from "./harness.mjs";

const { env, ui: currentUi } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-reports": ["q1/summary.pdf"] });
});
let ui;
beforeEach(() => (ui = currentUi()));

/** The user's access key ids in the emulator, sorted (read with boto3). */
const keysOf = (user) => env.accountState().users[user]?.keys;

test("rotate a key and revoke the access from My access", { timeout: 240000 }, async () => {
  const before = env.accountState();
  const granted = env.cli("grant", "iam-user", "--bucket", "sample-reports", "--prefix", "q1", "--access", "read", "--user", "vendor", "--yes");
  const oldKey = granted.access_key_id;
  const account = granted.account;

  await ui.connectSandbox();
  await ui.click("My access");
  await ui.heading("My access");
  await ui.waitForText("main", 'IAM user "vendor"');
  const text = await ui.text("main");
  assert.match(text, /Read-only access to s3:\/\/sample-reports\/q1\//);
  const row = await ui.text(`tr[data-key="${oldKey}"]`);
  assert.match(row, /Active/);
  assert.match(row, /\(sts\)/, "last used: the CLI's check that the new key works");
  // Times in words, in this time zone, never raw ISO text; the exact time is the hover title.
  // (Made seconds ago: today, or yesterday when the test runs across midnight.)
  assert.match(row, /(today|yesterday) at \d{1,2}:\d{2}.*(today|yesterday) at \d{1,2}:\d{2}[^(]*\(sts\)/s, row);
  assert.doesNotMatch(row, /\d{4}-\d{2}-\d{2}T/, row);
  assert.ok(await ui.b.$(`tr[data-key="${oldKey}"] time[datetime][title]`).isExisting());
  assert.ok(!(await ui.b.$(".key-age").isExisting()), "a new key is not due for rotation");
  assert.match(row, /Secret saved/);
  await ui.shot("9-my-access");

  // Rotate.
  await ui.click("Rotate key…");
  await ui.waitForText("main", `Replace the key ${oldKey}`);
  await ui.click("Rotate now");
  await ui.b.$("#rotate-done").waitForDisplayed({ timeout: 90000 });
  const newKey = await ui.text("#access-key-id");
  assert.notEqual(newKey, oldKey);
  assert.deepEqual(keysOf("vendor"), [newKey, oldKey].sort());
  // The old key is switched off, not gone: the CLI sees the same state.
  const listed = env.cli("access", "list").find((e) => e.user_name === "vendor");
  assert.deepEqual(Object.fromEntries(listed.keys.map((k) => [k.access_key_id, k.status])), { [oldKey]: "Inactive", [newKey]: "Active" });
  assert.ok(env.keychainSecret(`${account}/vendor/${newKey}`), "the new secret is in the keychain");
  await ui.shot("10-rotated");

  // "Use from AWS CLI and SDKs": a profile whose credential_process is the app itself; awscli reads the
  // folder with it, and the secret is in no file.
  await ui.type("AWS profile name", "vendor-q1");
  await ui.click("Use from AWS CLI and SDKs");
  await ui.waitForText("#export-status", "Added [profile vendor-q1]");
  const config = readFileSync(`${env.home}/no-aws-config`, "utf8");
  // The profile names the access (its id in My access), not one key: a rotation keeps it working.
  assert.match(config, /credential_process = \S*s3-access-wizard credential-process --access vendor-\d{8}T\d{6}Z\n/);
  assert.ok(!config.includes(env.keychainSecret(`${account}/vendor/${newKey}`)), "no secret in the config file");
  assert.match(env.awscli("--profile", "vendor-q1", "s3", "ls", "s3://sample-reports/q1/"), /summary\.pdf/);

  // Delete the old key after the confirmation the rotation screen offers.
  await ui.click(`Delete the old key ${oldKey} now`);
  await ui.waitForText("main", `The old key ${oldKey} is deleted.`);
  assert.deepEqual(keysOf("vendor"), [newKey]);
  assert.equal(env.keychainSecret(`${account}/vendor/${oldKey}`), null, "the old secret left the keychain");
  await ui.click("Done");
  // Done reads the list again and puts the focus back on this access: click in the list once it is read
  // (a click while it is redrawn can land where the button no longer is).
  await ui.notBusy(".access-list");
  await ui.b.$(`tr[data-key="${newKey}"]`).waitForExist({ timeout: 30000 });

  // Revoke, after the exact list.
  await ui.click("Revoke…");
  await ui.waitForText("main", 'Delete the IAM user "vendor"');
  const steps = await ui.text(".revoke-steps");
  assert.match(steps, new RegExp(`Delete access key ${newKey}`));
  assert.match(steps, /Delete the policy "vendor-s3-access" of user "vendor" \(its own, inline\)/);
  await ui.shot("11-revoke");
  await ui.click("Delete all of this");
  await ui.b.$("#revoke-done").waitForDisplayed({ timeout: 60000 });
  await ui.b.$("#access-empty").waitForDisplayed({ timeout: 30000 });
  assert.deepEqual(env.accountState(), before, "the emulator is as it was before the grant");
  assert.equal(env.keychainSecret(`${account}/vendor/${newKey}`), null);
});

test("My access with the keyboard alone: rotate, then revoke", { timeout: 240000 }, async () => {
  const before = env.accountState();
  const granted = env.cli("grant", "iam-user", "--bucket", "sample-reports", "--access", "read", "--user", "kbd-vendor", "--yes");
  await ui.connectSandboxByKeyboard();
  await ui.tabTo("My access");
  await ui.keys("Enter");
  await ui.heading("My access");
  await ui.waitForText("main", 'IAM user "kbd-vendor"');

  await ui.tabTo("Rotate key…");
  await ui.keys("Enter");
  await ui.waitForText("main", `Replace the key ${granted.access_key_id}`);
  await ui.tabTo("Rotate now");
  await ui.keys("Enter");
  await ui.b.$("#rotate-done").waitForDisplayed({ timeout: 90000 });
  await ui.tabTo("Done");
  await ui.keys("Enter");
  await ui.waitForText("main", "Inactive");
  await ui.notBusy(".access-list");
  await ui.b.waitUntil(async () => (await ui.b.execute(() => document.activeElement.tagName)) === "H2", { timeout: 10000 });

  // After Done the list is read again and the keyboard focus stays on this access (waited for above).
  await ui.tabTo("Revoke…");
  await ui.keys("Enter");
  await ui.waitForText("main", 'Delete the IAM user "kbd-vendor"');
  await ui.tabTo("Delete all of this");
  await ui.keys("Enter");
  await ui.b.$("#revoke-done").waitForDisplayed({ timeout: 60000 });
  assert.deepEqual(env.accountState(), before);
});
