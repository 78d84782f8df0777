// Bucket settings through the real window: the current state first, then Block Public Access, SSE-S3,
// TLS-only and access logging switched on, one CORS rule deleted and one added from a preset, reviewed and
// applied; the emulator then holds exactly that, with the untouched CORS rule kept as it was.

import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { useEnv } from "./harness.mjs";

const { env, ui: currentUi } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-reports": ["q1/summary.pdf"], "sample-logs": [] });
  env.boto(`s3.put_bucket_cors(Bucket="sample-reports", CORSConfiguration={"CORSRules": [
  {"ID": "old-site", "AllowedOrigins": ["https://old.example.com"], "AllowedMethods": ["GET"]},
  {"ID": "keep-me", "AllowedOrigins": ["https://keep.example.com"], "AllowedMethods": ["GET", "HEAD"], "MaxAgeSeconds": 60}]})`);
});
let ui;
beforeEach(() => (ui = currentUi()));

test("harden a bucket and edit its CORS rules", { timeout: 240000 }, async () => {
  await ui.connectSandbox();
  await ui.click("Bucket settings");
  await ui.heading("Bucket settings");
  await ui.selectOption("#settings-bucket", "sample-reports");
  await ui.waitForText("main", "Pages on https://keep.example.com may read (GET, HEAD)");
  assert.match(await ui.text("main"), /Block all public access\s*Now: off\./);

  await ui.choose("Block all public access");
  await ui.choose("S3-managed keys (SSE-S3)");
  await ui.choose("Refuse connections without encryption");
  await ui.choose("Record every request");
  await ui.clickElement(await ui.b.$('button[aria-label="Delete rule 1"]'), "Delete rule 1");
  await ui.type("Your web site", "https://app.example.com");
  await ui.click("Add: browser uploads from this site");
  await ui.click("Add this rule");
  await ui.waitForText(".cors-rules", "Pages on https://app.example.com may upload (PUT, POST)");
  await ui.shot("14-bucket-settings");

  await ui.click("Review changes");
  await ui.waitForText("#settings-plan", "server access logging");
  const plan = await ui.text("#settings-plan");
  for (const call of ["s3:PutBucketPublicAccessBlock", "s3:PutEncryptionConfiguration", "s3:PutBucketPolicy", "s3:PutBucketLogging", "s3:PutBucketCORS"]) assert.match(plan, new RegExp(call));
  await ui.shot("15-bucket-settings-review");
  await ui.click("Apply changes");
  await ui.b.$("#settings-done").waitForDisplayed({ timeout: 60000 });

  const shown = env.cli("bucket", "show", "sample-reports");
  assert.deepEqual(shown.block_public_access, [true, true, true, true]);
  assert.equal(shown.encryption.algorithm, "AES256");
  assert.equal(shown.tls_only, true);
  assert.deepEqual(shown.logging, { bucket: "sample-logs", prefix: "logs/sample-reports/" });
  assert.deepEqual(shown.cors.map((r) => r.AllowedOrigins[0]), ["https://keep.example.com", "https://app.example.com"]);
  assert.deepEqual(shown.cors[0], { ID: "keep-me", AllowedOrigins: ["https://keep.example.com"], AllowedMethods: ["GET", "HEAD"], MaxAgeSeconds: 60 }, "the untouched rule is kept exactly");

  // Read again: everything says it is on, so a second review plans nothing.
  await ui.click("Show the settings now");
  await ui.waitForText("main", "Block all public access Now: already on.");
  await ui.click("Review changes");
  await ui.waitForText("#settings-plan", "Nothing needs to change.");
});

test("another admin's change between review and Apply is kept: the policy is merged again, and the screen says so", { timeout: 240000 }, async () => {
  await ui.connectSandbox();
  await ui.click("Bucket settings");
  await ui.heading("Bucket settings");
  await ui.selectOption("#settings-bucket", "sample-reports");
  await ui.waitForText("main", "Pages on https://keep.example.com");
  await ui.choose("Refuse connections without encryption");
  await ui.choose("Keep every version of every file");
  await ui.click("Review changes");
  await ui.waitForText("#settings-plan", "Refuse unencrypted");
  // Meanwhile, with boto3: an emergency Deny.
  env.boto(`s3.put_bucket_policy(Bucket="sample-reports", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
  {"Sid": "EmergencyDeny", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::sample-reports/*"}]}))`);
  await ui.click("Apply changes");
  await ui.b.$("#settings-done").waitForDisplayed({ timeout: 60000 });
  await ui.waitForText("#remerged", "nothing they added was lost");
  const policy = JSON.parse(env.boto(`print(s3.get_bucket_policy(Bucket="sample-reports")["Policy"])`));
  assert.deepEqual(policy.Statement.map((s) => s.Sid), ["EmergencyDeny", "DenyInsecureTransport"]);
  assert.equal(env.cli("bucket", "show", "sample-reports").versioning, "Enabled");
});
