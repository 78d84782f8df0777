// Bring the vendor's guide through the real window: paste a guide, see what it asks for and what is too
// broad (with its lines), take the least-privilege proposal, and reach Review with the wizard filled in.

import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, useEnv } from "./harness.mjs";

const { env, ui: currentUi } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-reports": ["images/logo.png", "q1/summary.pdf"] });
});
let ui;
beforeEach(() => (ui = currentUi()));

/** Paste text into the field with this label, as the clipboard does (typing through WebDriver would turn
 * each newline into an Enter key press the driver drops). */
async function paste(label, text) {
  const field = await ui.fieldByLabel(label);
  await ui.b.execute((el, t) => {
    el.focus();
    el.value = t;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, field, text);
}

test("a pasted guide: its findings, then its least-privilege equivalent through the wizard", { timeout: 240000 }, async () => {
  await ui.connectSandbox();
  await ui.click("Next");
  await ui.heading("What do you need?");
  await (await ui.b.$("summary=I have instructions from a vendor")).click();
  const guide = readFileSync(path.join(ROOT, "tests", "e2e", "guides", "console-click-through.md"), "utf8");
  await paste("Paste the vendor's instructions", guide);
  await ui.click("Read the instructions");
  await ui.waitForText(".guide-result", "What the instructions ask for");
  const findings = await ui.text(".guide-findings");
  assert.match(findings, /Line 18: It allows making files public/);
  assert.match(findings, /Line 19: It allows deleting files/);
  assert.match(await ui.text("#guide-proposal"), /an IAM user with its own key, full \(with delete\) access to your bucket/);
  await ui.b.execute(() => document.querySelector(".guide-result h2").scrollIntoView());
  await ui.shot("2b-vendor-guide");

  // A guide that hands over more than files (IAM actions): said, and "as pasted" is not offered.
  await paste("Paste the vendor's instructions", readFileSync(path.join(ROOT, "tests", "e2e", "guides", "hostile", "takeover.md"), "utf8"));
  await ui.click("Read the instructions");
  await ui.waitForText(".guide-findings", "outside S3");
  assert.match(await ui.text(".guide-findings"), /Line 10: It allows actions outside S3 \(IAM\)/);
  assert.match(await ui.text("#guide-proposal"), /read and write access to the folder sync\//i);
  assert.equal(await ui.b.execute(() => document.querySelector(".guide-result input[type=checkbox]").disabled), true, "the broad policy cannot be chosen");
  assert.match(await ui.b.execute(() => document.getElementById("as-pasted-refused")?.textContent ?? ""), /will not create this policy as pasted: line 10/);

  // A narrower guide: a bare policy for one folder, fetched by name.
  await paste("Paste the vendor's instructions", readFileSync(path.join(ROOT, "tests", "e2e", "guides", "bare-policy.json"), "utf8"));
  await ui.click("Read the instructions");
  await ui.waitForText("#guide-proposal", "the folder images/");
  assert.match(await ui.text(".guide-result"), /Nothing in them is broader than the job needs/);
  await ui.click("Use this and continue");

  await ui.heading("Which bucket?");
  assert.equal(await (await ui.fieldByLabel("Folder (optional)")).getValue(), "images/");
  await ui.choose("sample-reports");
  await ui.click("Next");
  await ui.heading("How much access?");
  assert.equal(await ui.b.execute(() => document.getElementById("allow-list").checked), false, "object-only, as the guide asked");
  await ui.click("Next");
  await ui.heading("Browser access (optional)");
  await ui.click("Next");
  await ui.heading("Review the plan");
  await ui.waitForText("main", "What the access will be able to do");
  const review = await ui.text("main");
  assert.match(review, /read access to s3:\/\/sample-reports\/images\//i);
  const lines = await ui.b.execute(() => Object.fromEntries([...document.querySelectorAll(".can-card li")].map((li) => [li.dataset.code, li.textContent])));
  assert.match(lines.download, /Yes/);
  assert.match(lines.list_folder, /No/);
  assert.match(lines.delete, /No/);
});

test("a pasted guide created exactly as pasted: chosen after its warning, reviewed as such, and that policy is what the user gets", { timeout: 240000 }, async () => {
  await ui.connectSandbox();
  await ui.click("Next");
  await ui.heading("What do you need?");
  await (await ui.b.$("summary=I have instructions from a vendor")).click();
  await paste("Paste the vendor's instructions", readFileSync(path.join(ROOT, "tests", "e2e", "guides", "console-click-through.md"), "utf8"));
  await ui.click("Read the instructions");
  await ui.waitForText(".guide-result", "What the instructions ask for");
  await (await ui.b.$("summary=Their policy as pasted (JSON)")).click();
  const pasted = JSON.parse(await ui.text(".guide-result pre.json"));
  assert.ok(pasted.Statement[0].Action.includes("s3:PutObjectAcl"), "the guide's policy is the broad one");
  await ui.choose("Create exactly this policy instead of the proposal");
  await ui.click("Use this and continue");

  await ui.heading("Which bucket?");
  await ui.choose("sample-reports");
  await ui.click("Next");
  await ui.heading("How much access?");
  await ui.click("Next");
  await ui.heading("Browser access (optional)");
  await ui.click("Next");
  await ui.heading("Review the plan");
  await ui.waitForText("main", "exactly as pasted");
  assert.match(await ui.text("main"), /the policy exactly as the vendor's guide gives it/);
  await ui.click("Apply changes");
  await ui.heading("Your new access key", 60000);

  // The user's own policy is the guide's, with its placeholder filled in with the bucket chosen.
  const users = Object.entries(env.accountState().users);
  assert.equal(users.length, 1, JSON.stringify(users));
  const [name, { inline }] = users[0];
  const doc = JSON.parse(env.boto(`d = iam.get_user_policy(UserName="${name}", PolicyName="${inline[0]}")["PolicyDocument"]
print(d if isinstance(d, str) else json.dumps(d))`));
  assert.deepEqual(doc.Statement[0].Action, pasted.Statement[0].Action);
  assert.deepEqual(doc.Statement[0].Resource, ["arn:aws:s3:::sample-reports", "arn:aws:s3:::sample-reports/*"]);
});
