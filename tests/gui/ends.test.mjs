// Access that ends on a date, and "What can this access do?", through the real window: chosen on the
// access step, on every Allow of the policy AWS receives, in the card on Review, after the grant and in My
// access; and the reminder the app shows when it opens within a week of an end.

import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { useEnv } from "./harness.mjs";

const { env, ui: currentUi } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-reports": ["q1/summary.pdf", "q2/other.pdf"] });
});
let ui;
let extra = null;
beforeEach(() => (ui = currentUi()));
afterEach(async () => {
  await extra?.close();
  extra = null;
});

/** The card's answers by line code, from the card inside `scope`. */
async function card(scope) {
  return ui.b.execute((sel) => {
    const out = {};
    for (const li of document.querySelectorAll(`${sel} .can-card li`)) out[li.dataset.code] = li.textContent;
    return out;
  }, scope);
}

function dayPlus(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A pattern for the day `days` from now, computed before and after what it checks (it may cross midnight). */
function dayAround(days, before) {
  return new RegExp(`(${before}|${dayPlus(days)})`);
}

test("access that ends in 30 days: the policy AWS gets ends then, and the app says what the key can do", { timeout: 240000 }, async () => {
  const day30 = dayPlus(30);
  await ui.connectSandbox();
  await ui.click("Next");
  await ui.heading("What do you need?");
  await ui.choose("Give an app or vendor its own keys");
  await ui.click("Next");
  await ui.heading("Which bucket?");
  await ui.choose("sample-reports");
  await ui.waitForText("main", "q1/");
  await ui.type("Folder (optional)", "q1");
  await ui.click("Next");

  await ui.heading("How much access?");
  await ui.choose("Read only");
  const endsSelect = await ui.fieldByLabel("When does this access end?");
  await ui.selectOption(`#${await endsSelect.getAttribute("id")}`, "30");
  await (await ui.b.$("summary=Show the exact policy (JSON)")).click();
  await ui.waitForText("#policy-json", "aws:CurrentTime");
  const preview = JSON.parse(await ui.text("#policy-json"));
  for (const st of preview.Statement) assert.match(st.Condition.DateLessThan["aws:CurrentTime"], dayAround(30, day30), JSON.stringify(st));
  await ui.b.execute((id) => document.getElementById(id).closest("fieldset").scrollIntoView(), await endsSelect.getAttribute("id"));
  await ui.shot("4b-access-ends");
  await ui.click("Next");
  await ui.heading("Browser access (optional)");
  await ui.click("Next");

  await ui.heading("Review the plan");
  await ui.waitForText("main", "What the access will be able to do");
  const review = await card("main");
  assert.match(review.download, /Yes/);
  assert.match(review.delete, /No/);
  assert.match(review.list_other_folders, /No/);
  assert.match(review.other_buckets, /No/);
  assert.match(review.ends, dayAround(30, day30));
  assert.match(review.ends, /^Ends on: /);
  assert.match(await ui.text("main"), /Access ends .* AWS refuses every request/);
  assert.match(await ui.text("#access-analyzer"), /IAM Access Analyzer: not checked \(this endpoint has no IAM Access Analyzer\)/);
  await ui.shot("6b-review-card");

  // Export for your team, from Review: the plan stays appliable, nothing changes in the account.
  const before = env.accountState();
  await ui.click("CloudFormation (YAML)…");
  await ui.waitForText(".team-export", "Saved the plan to");
  const cfn = readFileSync(path.join(env.saveDir, "s3aw-sample-reports-read.cfn.yaml"), "utf8");
  assert.match(cfn, /Type: "AWS::IAM::User"/);
  assert.match(cfn, /aws:CurrentTime/, "the end date is in the exported policy too");
  assert.match(cfn, /No access key is declared here/);
  assert.deepEqual(env.accountState(), before);
  await ui.click("Apply changes");

  await ui.heading("Your new access key", 60000);
  await ui.waitForText("main", "What this key can do");
  assert.match((await card("main")).ends, /Ends on: 20\d\d-/);

  // The connect kit for the recipient: an rclone remote (owner-only, with the secret) and a Cyberduck
  // bookmark (the key ID, never the secret), saved where the save dialog says.
  const keyId = await ui.text("#access-key-id");
  await ui.click("Save rclone remote…");
  await ui.waitForText("#export-status", "Saved the rclone remote");
  const conf = path.join(env.saveDir, "sample-reports-q1-rclone.conf");
  assert.equal(statSync(conf).mode & 0o777, 0o600);
  assert.match(readFileSync(conf, "utf8"), /\[sample-reports-q1\]\ntype = alias\nremote = sample-reports-q1-s3:sample-reports\/q1\/\n/);
  await ui.click("Save Cyberduck bookmark…");
  await ui.waitForText("#export-status", "Saved the Cyberduck bookmark");
  const duck = readFileSync(path.join(env.saveDir, "sample-reports-q1.duck"), "utf8");
  assert.match(duck, new RegExp(`<key>Username</key>\\s*<string>${keyId}</string>`));
  assert.match(duck, /<key>Path<\/key>\s*<string>\/sample-reports\/q1\/<\/string>/);
  assert.ok(!duck.includes(env.keychainSecret(`123456789012/s3aw-sample-reports-read/${keyId}`)), "no secret in the bookmark");

  // What AWS holds: every Allow of the user's policy carries the end the card showed.
  const listed = env.cli("access", "list")[0];
  const end = listed.ends_at;
  assert.ok(end && end.endsWith("Z"));
  for (const st of listed.policy.Statement.filter((s) => s.Effect === "Allow")) assert.equal(st.Condition.DateLessThan["aws:CurrentTime"], end);

  await ui.click("See it in My access");
  await ui.heading("My access");
  await ui.waitForText("main", `Ends ${end.slice(0, 10)}`);
  await (await ui.b.$("summary=Details")).click();
  await ui.waitForText("main", "What this access can do");
  assert.match((await card("main")).download, /Yes/);

  // Export for your team, from My access: what exists is imported.
  await ui.click("Terraform…");
  await ui.waitForText("main", "Saved IAM user");
  const tf = readFileSync(path.join(env.saveDir, "s3aw-sample-reports-read.tf"), "utf8");
  assert.match(tf, /import \{\n  to = aws_iam_user.s3aw_sample_reports_read\n  id = "s3aw-sample-reports-read"\n\}/);
});

test("when the app opens, it reminds of access that ends within a week, before connecting", { timeout: 240000 }, async () => {
  const day3 = dayPlus(3);
  env.cli("grant", "iam-user", "--bucket", "sample-reports", "--access", "read", "--user", "short-term", "--ends-in", "3d", "--yes");
  env.cli("grant", "iam-user", "--bucket", "sample-reports", "--access", "read", "--user", "long-term", "--ends-in", "60d", "--yes");
  // A window opened after the grants (the test's own window opened before them, and is closed first).
  await ui.close();
  extra = await env.session();
  const saved = ui;
  ui = extra;
  try {
    await ui.heading("Connect to your AWS account");
    await ui.waitForText("#reminders", 'IAM user "short-term"');
    const text = await ui.text("#reminders");
    assert.match(text, dayAround(3, day3));
    assert.doesNotMatch(text, /long-term/, "an end two months away is not a reminder yet");
    assert.equal(await ui.b.execute(() => document.querySelector("#reminders [role=note]") !== null), true, "announced as a note");
  } finally {
    ui = saved;
  }
});
