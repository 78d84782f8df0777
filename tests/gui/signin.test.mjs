// Signing in through the real window: "Sign in with your AWS account" and "Sign in with IAM Identity
// Center", against the protocol-strict fakes (tests/harness/fake_signin.py) with credentials from the
// emulator. The test plays the person in the browser: the app opens S3AW_BROWSER, which follows the
// authorization URL back to the app's loopback port.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { useEnv } from "./harness.mjs";

const CONSOLE_ARN = "arn:aws:iam::123456789012:user/console-admin";
const configFile = () => path.join(env.home, "no-aws-config");

// Each test starts with one console profile whose session is gone (its cache deleted, as after 12 hours
// or a sign-out elsewhere), and no cached sign-in.
const { env, ui: current } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-reports": ["q1/summary.pdf"] });
  await env.signInControl({ browser: "approve", expires_in: 900, revoke_refresh: false });
  rmSync(path.join(env.home, ".aws"), { recursive: true, force: true });
  writeFileSync(configFile(), `[profile old]\nlogin_session = ${CONSOLE_ARN}\nregion = us-east-1\n`);
}, { signIn: true });
const loginCache = (arn) => path.join(env.home, ".aws", "login", "cache", createHash("sha256").update(arn).digest("hex") + ".json");

/** Every secret a cache file holds. */
function secretsIn(file) {
  const d = JSON.parse(readFileSync(file, "utf8"));
  const t = d.accessToken;
  return [d.refreshToken, d.dpopKey, d.idToken, d.clientSecret, ...(typeof t === "object" ? [t.secretAccessKey, t.sessionToken] : [t])].filter(Boolean);
}

async function assertNoSecretInWebview(ui, file) {
  const html = await ui.b.execute(() => document.documentElement.outerHTML + JSON.stringify(localStorage) + JSON.stringify(sessionStorage));
  for (const s of secretsIn(file)) assert.ok(!html.includes(s), "a token reached the webview");
}

test("sign in with your AWS account: the browser sign-in connects, is shared with the AWS CLI, and signs out", { timeout: 180000 }, async () => {
  const ui = current();
  await ui.heading("Connect to your AWS account");
  await ui.choose("Sign in with your AWS account (recommended)");
  await ui.shot("1-connect");
  await ui.click("Sign in in your browser");
  await ui.waitForText("main", `Signed in as ${CONSOLE_ARN} in account 123456789012 until`);
  assert.match(await ui.text("main"), /at the latest/);
  assert.match(await ui.text("main"), /Saved as the profile “s3aw”/);
  await ui.shot("1b-signed-in");

  // Stored as the AWS CLI stores it, owner-only; no token in the page.
  assert.match(readFileSync(configFile(), "utf8"), /\[profile s3aw\]\nlogin_session = arn:aws:iam::123456789012:user\/console-admin\nregion = us-east-1\n/);
  const cache = loginCache(CONSOLE_ARN);
  assert.equal(statSync(cache).mode & 0o777, 0o600);
  await assertNoSecretInWebview(ui, cache);
  const state = await env.signInState();
  assert.equal(state.counts.token, 1);
  assert.deepEqual(state.refusals, []);

  // After connecting, the app says what it could learn of this identity's permissions (the emulator has no
  // policy simulator), and "Permissions this app needs" gives the policy for an administrator, by job.
  await ui.b.waitUntil(async () => !/Checking what this identity may do/.test(await ui.text(".perm-check")), { timeout: 30000 });
  assert.match(await ui.text(".perm-check"), /Could not check what this identity may do|may do everything/);
  await ui.clickElement(await ui.b.$("summary=Permissions this app needs"), "Permissions this app needs");
  await ui.waitForText("#permissions-json", '"iam:CreateUser"');
  assert.match(await ui.text("#permissions-json"), /arn:aws:iam::123456789012:user\/\*/);
  await ui.choose("Create access (IAM users");
  await ui.choose("See, rotate and revoke");
  await ui.b.waitUntil(async () => !(await ui.text("#permissions-json")).includes("iam:"), { timeout: 20000, timeoutMsg: "without creating or managing access, the policy has no IAM action" });
  assert.match(await ui.text("#permissions-json"), /s3:GetObject/);
  await ui.shot("1d-permissions");

  // The connection works: the wizard lists the emulator's buckets.
  await ui.click("Next");
  await ui.heading("What do you need?");
  await ui.choose("Give an app or vendor its own keys");
  await ui.click("Next");
  await ui.heading("Which bucket?");
  await ui.waitForText("main", "sample-reports");

  // Sign out removes only what signing in added: the profile's login_session, and the saved sign-in,
  // which "old" (the same console session) still uses, so it stays until "old" signs out too.
  await ui.click("Back");
  await ui.click("Back");
  await ui.heading("Connect to your AWS account");
  await ui.choose("Profile “s3aw”");
  await ui.click("Sign out");
  await ui.waitForText("main", "Signed out of “s3aw”. The saved sign-in stays on this computer for “old”");
  assert.ok(existsSync(cache));
  assert.match(readFileSync(configFile(), "utf8"), /\[profile s3aw\]\nregion = us-east-1\n/);
  await ui.choose("Profile “old”");
  await ui.click("Sign out");
  await ui.waitForText("main", "Signed out of “old”: its sign-in is deleted from this computer.");
  assert.ok(!existsSync(cache));
  assert.doesNotMatch(readFileSync(configFile(), "utf8"), /login_session/);
});

test("a sign-in that ended is one click to renew; cancel and a refused sign-in say so plainly", { timeout: 180000 }, async () => {
  const ui = current();
  await ui.heading("Connect to your AWS account");
  await ui.waitForText("main", "signed out — sign in again");
  await ui.choose("Profile “old”");
  await ui.click("Sign in again");
  await ui.waitForText("main", `Signed in as ${CONSOLE_ARN}`);
  assert.ok(existsSync(loginCache(CONSOLE_ARN)));
  assert.match(readFileSync(configFile(), "utf8"), /\[profile old\]\nlogin_session = /);

  // The person cancels in the browser.
  await env.signInControl({ browser: "cancel" });
  await ui.choose("Sign in with your AWS account (recommended)");
  await ui.clickElement(await ui.b.$("summary=More options"), "More options");
  await ui.type("Save as profile", "second");
  await ui.click("Sign in in your browser");
  await ui.waitForText("[role=alert]", "The sign-in was cancelled in the browser");

  // The browser never comes back: Cancel ends the wait, and nothing is saved.
  await env.signInControl({ browser: "away" });
  await ui.click("Sign in in your browser");
  await ui.waitForText("main", "Waiting for you to sign in in your browser");
  await ui.click("Cancel");
  await ui.waitForText("[role=alert]", "Sign-in cancelled. Nothing was saved.");
  assert.doesNotMatch(readFileSync(configFile(), "utf8"), /profile second/);
});

test("a browser on another device: the app shows the address and takes the code that browser shows", { timeout: 180000 }, async () => {
  const ui = current();
  await ui.heading("Connect to your AWS account");
  await ui.choose("Sign in with your AWS account (recommended)");
  await ui.clickElement(await ui.b.$("summary=More options"), "More options");
  await ui.choose("My browser is on another device");
  await ui.click("Sign in in your browser");
  await ui.waitForText("main", "Open this address in a browser on the other device");
  const address = await (await ui.b.$("input[aria-label='Sign-in address']")).getValue();
  assert.match(address, /client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fcross%2Ddevice/);
  // The person opens it on their phone, signs in, and reads the code off the confirmation page.
  const page = await (await fetch(address)).text();
  const code = page.match(/<pre id='code'>([^<]+)<\/pre>/)[1];
  await ui.type("Code from the browser", code);
  await ui.click("Finish sign-in");
  await ui.waitForText("main", `Signed in as ${CONSOLE_ARN}`);
  const cache = JSON.parse(readFileSync(loginCache(CONSOLE_ARN), "utf8"));
  assert.equal(cache.clientId, "arn:aws:signin:::devtools/cross-device");
  await assertNoSecretInWebview(ui, loginCache(CONSOLE_ARN));
});

test("sign in with IAM Identity Center: pick an account and a role, connected with a profile the CLI shares", { timeout: 180000 }, async () => {
  const ui = current();
  await ui.heading("Connect to your AWS account");
  await ui.choose("Sign in with IAM Identity Center");
  await ui.type("AWS access portal URL", "https://d-1234567890.awsapps.com/start");
  await ui.click("Sign in in your browser");
  await ui.waitForText("main", "Which AWS account?");
  await ui.choose("Production");
  await ui.waitForText("main", "Which role?");
  await ui.choose("S3Admin");
  assert.equal(await (await ui.fieldByLabel("Save as profile")).getValue(), "S3Admin-123456789012");
  await ui.shot("1c-identity-center");
  await ui.click("Use this role");
  await ui.waitForText("main", "Signed in as role S3Admin in account 123456789012 until");

  const config = readFileSync(configFile(), "utf8");
  assert.match(config, /\[sso-session d-1234567890\]\nsso_start_url = https:\/\/d-1234567890.awsapps.com\/start\nsso_region = us-east-1\n/);
  assert.match(config, /\[profile S3Admin-123456789012\]\nsso_session = d-1234567890\nsso_account_id = 123456789012\nsso_role_name = S3Admin\nregion = us-east-1\n/);
  const token = path.join(env.home, ".aws", "sso", "cache", createHash("sha1").update("d-1234567890").digest("hex") + ".json");
  assert.equal(statSync(token).mode & 0o777, 0o600);
  await assertNoSecretInWebview(ui, token);
  assert.equal((await env.signInState()).counts.role_credentials, 1, "the connection used the portal's role credentials");
});
