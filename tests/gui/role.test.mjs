// The role path through the real window: another AWS account gets read access to one folder through a
// role with a generated external ID, and the handoff sheet is shown and saved as Markdown and JSON.

import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { useEnv } from "./harness.mjs";

const { env, ui: currentUi } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-reports": ["q1/summary.pdf"] });
});
let ui;
beforeEach(() => (ui = currentUi()));

test("a role for another account, with a generated external ID and a handoff sheet", { timeout: 240000 }, async () => {
  await ui.connectSandbox();
  await ui.click("Next");
  await ui.choose("Give another AWS account access");
  await ui.click("Next");
  await ui.heading("Which bucket?");
  await ui.choose("sample-reports");
  await ui.type("Folder (optional)", "q1");
  await ui.click("Next");

  await ui.heading("How much access?");
  await ui.choose("Read only");
  // A wrong account ID is explained before anything happens.
  await ui.type("Their AWS account ID", "21098765432");
  await ui.waitForText("main", "An AWS account ID is exactly 12 digits (this has 11).");
  await ui.type("Their AWS account ID", "210987654321");
  const ext = await (await ui.fieldByLabel("External ID")).getValue();
  assert.match(ext, /^[A-Za-z0-9]{40}$/, "a random external ID is filled in");
  assert.equal(await (await ui.fieldByLabel("Role name")).getValue(), "s3aw-sample-reports-read");
  await ui.shot("12-role-access");
  await ui.click("Next");
  await ui.heading("Browser access (optional)");
  await ui.click("Next");

  await ui.heading("Review the plan");
  await ui.waitForText("main", 'Create the role "s3aw-sample-reports-read" that AWS account 210987654321 can use with the external ID');
  await ui.click("Apply changes");

  await ui.heading("Hand this to the other account", 60000);
  const arn = await ui.text("#role-arn");
  assert.equal(arn, "arn:aws:iam::123456789012:role/s3aw-sample-reports-read");
  assert.equal(await ui.text("#external-id"), ext);
  await ui.shot("13-role-handoff");

  // What the emulator holds: the trust policy names the account and the external ID.
  const role = env.role("s3aw-sample-reports-read");
  assert.deepEqual(role.trust.Statement[0].Principal, { AWS: "arn:aws:iam::210987654321:root" });
  assert.deepEqual(role.trust.Statement[0].Condition, { StringEquals: { "sts:ExternalId": ext } });
  assert.deepEqual(role.attached, ["s3aw-sample-reports-read-s3-access"]);

  // The sheet, as Markdown and as JSON.
  await ui.click("Save as Markdown…");
  await ui.waitForText("#handoff-status", "Saved to");
  const md = readFileSync(path.join(env.saveDir, "s3aw-sample-reports-read-handoff.md"), "utf8");
  assert.match(md, new RegExp(`\\| Role ARN \\| \`${arn}\` \\|`));
  assert.match(md, new RegExp(`--external-id ${ext}`));
  await ui.click("Save as JSON…");
  await ui.waitForText("#handoff-status", "handoff.json");
  const jsonPath = path.join(env.saveDir, "s3aw-sample-reports-read-handoff.json");
  const sheet = JSON.parse(readFileSync(jsonPath, "utf8"));
  assert.equal(sheet.PolicyForYourPrincipal.Statement[0].Resource[0], arn);
  assert.equal(statSync(jsonPath).mode & 0o777, 0o600);
});
