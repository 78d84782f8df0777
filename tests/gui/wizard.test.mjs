// The desktop wizard end to end, through its real window: the read-only IAM-user flow, a failure and its
// rollback, and the whole flow with the keyboard alone.

import { after, before, beforeEach, afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Env } from "./harness.mjs";

const env = new Env();
let ui;
const SAMPLE = { "sample-reports": ["q1/summary.pdf", "q2/summary.pdf"], "sample-photos": ["2026/beach.jpg"] };

before(async () => env.start());
after(async () => env.stop());
beforeEach(async () => {
  await env.reset();
  await env.seedBuckets(SAMPLE);
  ui = await env.session();
});
afterEach(async () => {
  await env.enforceIam(false);
  await ui?.close();
});

/** Connect to the sandbox and walk to the review screen with a read-only key for sample-reports/q1. */
async function toReview({ shots = false } = {}) {
  await ui.heading("Connect to your AWS account");
  await ui.choose("Local sandbox (no AWS account)");
  if (shots) await ui.shot("1-connect");
  await ui.click("Connect");
  await ui.waitForText("main", "Connected to the local sandbox (not AWS).");
  assert.match(await ui.text("main"), /123456789012/);
  await ui.click("Next");

  await ui.heading("What do you need?");
  await ui.choose("Give an app or vendor its own keys");
  if (shots) await ui.shot("2-what-you-need");
  await ui.click("Next");

  await ui.heading("Which bucket?");
  await ui.choose("sample-reports");
  await ui.waitForText("main", "q1/");
  await ui.type("Folder (optional)", "q1");
  if (shots) await ui.shot("3-bucket");
  await ui.click("Next");

  await ui.heading("How much access?");
  await ui.choose("Read only");
  await (await ui.b.$("summary=Show the exact policy (JSON)")).click();
  await ui.waitForText("#policy-json", "arn:aws:s3:::sample-reports/q1/*");
  const policy = JSON.parse(await ui.text("#policy-json"));
  // The bucket's region first, in a statement of its own (its request carries no s3:prefix), then the listing.
  assert.deepEqual(policy.Statement[0].Action, ["s3:GetBucketLocation"]);
  assert.deepEqual(policy.Statement[1].Condition, { StringLike: { "s3:prefix": ["q1/*"] } });
  assert.equal(await (await ui.fieldByLabel("User name")).getValue(), "s3aw-sample-reports-read");
  if (shots) await ui.shot("4-access");
  await ui.click("Next");

  await ui.heading("Browser access (optional)");
  if (shots) await ui.shot("5-browser-access");
  await ui.click("Next");

  await ui.heading("Review the plan");
  await ui.waitForText("main", "Create the IAM user \"s3aw-sample-reports-read\"");
  assert.match(await ui.text("main"), /Nothing has changed yet/);
  if (shots) await ui.shot("6-review");
}

test("the read-only IAM-user flow ends with a working key in the keychain and a CSV a third-party client can use", { timeout: 240000 }, async () => {
  await env.clearOperations();
  await toReview({ shots: true });
  // The account read at connect is reused: planning does not ask again.
  const identityCalls = async () => (await env.operations()).filter((op) => op === "sts:GetCallerIdentity").length;
  assert.equal(await identityCalls(), 1, JSON.stringify(await env.operations()));
  await ui.click("Apply changes");

  await ui.heading("Your new access key", 60000);
  const keyId = await ui.text("#access-key-id");
  assert.match(keyId, /^AKIA[A-Z0-9]{16}$/);
  await ui.b.$("#key-works").waitForDisplayed({ timeout: 60000 });
  assert.equal(await identityCalls(), 2, "one more: the check that AWS accepts the new key");
  assert.equal(await ui.text("#secret"), "•".repeat(40), "the secret is masked until revealed");
  await ui.shot("8-done");

  // The emulator has the user, its own (inline) policy and exactly one key; no managed policy.
  const state = env.accountState();
  assert.deepEqual(state.users["s3aw-sample-reports-read"], {
    keys: [keyId],
    attached: [],
    inline: ["s3aw-sample-reports-read-s3-access"],
  });
  assert.deepEqual(state.policies, []);

  // The keychain holds the secret; Reveal shows the same one.
  const entry = `123456789012/s3aw-sample-reports-read/${keyId}`;
  assert.match(await ui.text("#keychain-status"), new RegExp(entry));
  const stored = env.keychainSecret(entry);
  assert.ok(stored && stored.length >= 20, "secret-tool finds the secret");
  await ui.click("Reveal");
  await ui.waitForText("#secret", stored);

  // Download the CSV (test builds put it in a fixed folder instead of the native dialog).
  await ui.click("Download CSV…");
  await ui.waitForText("main", "readable by you only");
  const csv = path.join(env.saveDir, "s3aw-sample-reports-read_accessKeys.csv");
  assert.ok(existsSync(csv));
  assert.equal(statSync(csv).mode & 0o777, 0o600);
  assert.match(readFileSync(csv, "utf8"), new RegExp(`^Access key ID,Secret access key\\r\\n${keyId},`));

  // boto3 uses the CSV, with IAM enforcement on: it reads its folder.
  await env.enforceIam(true);
  try {
    assert.equal(env.useCsvWithBoto3(csv, "sample-reports", "q1/", "q1/summary.pdf"), "1 sample q1/summary.pdf");
  } finally {
    await env.enforceIam(false);
  }
});

test("a failure shows the error and the rollback, and leaves the emulator clean", { timeout: 240000 }, async () => {
  const before = env.accountState();
  await toReview();
  await env.failNext("iam:CreateAccessKey");
  await ui.click("Apply changes");
  await ui.waitForText("[role=alert]", "Everything was rolled back", 60000);
  const alert = await ui.text("[role=alert]");
  assert.match(alert, /Step 3 failed: Create an access key/);
  assert.match(alert, /missing permission: iam:CreateAccessKey/);
  assert.match(alert, /Create the IAM user "s3aw-sample-reports-read"/, "the rolled-back steps are listed");
  await ui.shot("7-apply-failed");
  assert.deepEqual(env.accountState(), before);
  // Back leads to a fresh review, which can now succeed.
  await ui.click("Back");
  await ui.heading("Review the plan");
  await ui.waitForText("main", "Create the IAM user");
});

test("Apply runs only the plan on screen: a plan still being prepared cannot be applied, and the old one never runs", { timeout: 240000 }, async () => {
  await toReview();
  // Change the level while the next plan is held in flight: the plan on screen is gone as soon as the
  // review is left, and the new one is not there yet.
  await ui.click("Back");
  await ui.heading("Browser access (optional)");
  await ui.click("Back");
  await ui.heading("How much access?");
  await ui.choose("Upload only");
  await ui.click("Next");
  await ui.heading("Browser access (optional)");
  await env.hold("iam:GetUser");
  await ui.click("Next");
  await ui.heading("Review the plan");
  await ui.waitForText("main", "preparing the plan");
  await ui.click("Apply changes");
  await ui.waitForText("#next-why", "The plan is still being prepared.");
  assert.match(await ui.text("h1"), /Review the plan/, "Apply did nothing");
  assert.deepEqual(Object.keys(env.accountState().users), [], "no plan ran, the old one least of all");
  await env.release();
  await ui.waitForText("main", 'Create the IAM user "s3aw-sample-reports-upload"');
  await ui.click("Apply changes");
  await ui.heading("Your new access key", 60000);
  const users = env.accountState().users;
  assert.deepEqual(Object.keys(users), ["s3aw-sample-reports-upload"], "the plan on screen ran, and only it");
});

test("the whole flow works with the keyboard alone", { timeout: 240000 }, async () => {
  await ui.connectSandboxByKeyboard();
  await ui.tabTo("Next");
  await ui.keys("Enter");

  await ui.heading("What do you need?");
  // Escape goes back a step, and Next brings the user forward again.
  await ui.keys("Escape");
  await ui.heading("Connect to your AWS account");
  await ui.tabTo("Next");
  await ui.keys("Enter");
  await ui.heading("What do you need?");
  await ui.tabTo("Give an app or vendor its own keys");
  await ui.keys(" ");
  await ui.tabTo("Next");
  await ui.keys("Enter");

  await ui.heading("Which bucket?");
  await ui.waitForText("main", "sample-reports");
  await ui.tabTo("sample-reports");
  await ui.keys(" ");
  await ui.tabTo("Next");
  await ui.keys("Enter");

  await ui.heading("How much access?");
  await ui.tabTo("Read only");
  await ui.keys(" ");
  await ui.tabTo("Next");
  await ui.keys("Enter");

  await ui.heading("Browser access (optional)");
  await ui.tabTo("Next");
  await ui.keys("Enter");

  await ui.heading("Review the plan");
  await ui.waitForText("main", "Create the IAM user");
  await ui.tabTo("Apply changes");
  await ui.keys("Enter");

  await ui.heading("Your new access key", 60000);
  await ui.b.$("#key-works").waitForDisplayed({ timeout: 60000 });
  const state = env.accountState();
  assert.equal(state.users["s3aw-sample-reports-read"].keys.length, 1);
});

test("pasted admin keys with a custom endpoint can be remembered in the keychain and used again", { timeout: 240000 }, async () => {
  await ui.heading("Connect to your AWS account");
  await ui.choose("Paste access keys");
  await ui.type("Access key ID", "AKIAADMINPASTED00001");
  await ui.type("Secret access key", "pasted-admin-secret");
  await (await ui.b.$("summary=Region and endpoint")).click();
  await ui.type("Custom endpoint (optional)", env.proxy);
  await ui.choose("Remember these keys in my keychain");
  await ui.click("Connect");
  await ui.waitForText("main", "Connected.");
  assert.match(await ui.text("main"), new RegExp(`Endpoint\\s*${env.proxy}`));
  assert.equal(env.keychainSecret("123456789012/connection/AKIAADMINPASTED00001"), "pasted-admin-secret");
  assert.equal(await (await ui.fieldByLabel("Secret access key")).getValue(), "", "the pasted secret is cleared from the form");

  // A new window offers the remembered keys; connecting with them needs no pasting.
  await ui.close();
  ui = await env.session();
  await ui.heading("Connect to your AWS account");
  await ui.choose("Saved keys AKIAADMINPASTED00001");
  await (await ui.b.$("summary=Region and endpoint")).click();
  await ui.type("Custom endpoint (optional)", env.proxy);
  await ui.click("Connect");
  await ui.waitForText("main", "Connected.");
  await ui.click("Forget these saved keys");
  await ui.waitForText("main", "removed from your keychain");
  assert.equal(env.keychainSecret("123456789012/connection/AKIAADMINPASTED00001"), null);
});

test("upload access for a web page: a CORS rule merged with the existing one, copy, and an AWS profile", { timeout: 240000 }, async () => {
  await fetch(`${env.moto}/sample-photos?cors`, {
    method: "PUT",
    body: "<CORSConfiguration><CORSRule><ID>keep-me</ID><AllowedOrigin>https://old.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
  });
  await ui.heading("Connect to your AWS account");
  await ui.choose("Local sandbox (no AWS account)");
  await ui.click("Connect");
  await ui.waitForText("main", "Connected to the local sandbox");
  await ui.click("Next");
  await ui.choose("Give an app or vendor its own keys");
  await ui.click("Next");
  await ui.heading("Which bucket?");
  await ui.choose("sample-photos");
  await ui.click("Next");
  await ui.heading("How much access?");
  await ui.choose("Upload only");
  assert.equal(await (await ui.fieldByLabel("User name")).getValue(), "s3aw-sample-photos-upload");
  await ui.click("Next");

  await ui.heading("Browser access (optional)");
  await ui.choose("Let web pages use this bucket from the browser (CORS)");
  await ui.type("Web sites allowed", "*");
  await ui.waitForText("main", "lets any web site use this bucket");
  await ui.type("Web sites allowed", "https://app.example.com");
  await (await ui.b.$("summary=All rules after this change")).click();
  await ui.waitForText("main", "https://app.example.com");
  const merged = await ui.b.$("pre[aria-label='The rules after this change']").getText();
  assert.match(merged, /old\.example\.com[\s\S]*app\.example\.com/, "the existing rule is kept, the new one added");
  await ui.click("Next");

  await ui.heading("Review the plan");
  await ui.waitForText("main", "Let web pages on https://app.example.com use \"sample-photos\"");
  await ui.click("Apply changes");
  await ui.heading("Your new access key", 60000);
  await ui.b.$("#key-works").waitForDisplayed({ timeout: 60000 });

  await ui.click("Copy");
  await ui.waitForText("main", "The clipboard is cleared in 30 seconds.");
  await ui.type("AWS profile name", "photo-uploader");
  await ui.click("Add as AWS profile");
  await ui.waitForText("main", "Added profile [photo-uploader]");
  const creds = readFileSync(path.join(env.home, "no-aws-credentials"), "utf8");
  const keyId = await ui.text("#access-key-id");
  assert.match(creds, new RegExp(`\\[photo-uploader\\]\\naws_access_key_id = ${keyId}\\n`));
  assert.equal(statSync(path.join(env.home, "no-aws-credentials")).mode & 0o777, 0o600);

  const rules = await (await fetch(`${env.moto}/sample-photos?cors`)).text();
  assert.match(rules, /keep-me[\s\S]*https:\/\/app\.example\.com/);
});
