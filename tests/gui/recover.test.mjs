// "A change was interrupted": a grant killed right after AWS made its key (before the answer arrived)
// leaves an open entry in the journal. The app says so when it opens, before connecting; once connected it
// shows what undoing it takes, runs only that, and the account is left as it was.

import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { useEnv } from "./harness.mjs";

const { env, ui: currentUi } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-reports": ["q1/summary.pdf"] });
  await env.killedCli("iam:CreateAccessKey", "grant", "iam-user", "--bucket", "sample-reports", "--prefix", "q1", "--access", "read", "--user", "half-made", "--no-wait", "--yes");
});
let ui;
beforeEach(() => (ui = currentUi()));

const users = () => JSON.parse(env.boto("print(json.dumps(sorted(u['UserName'] for u in iam.list_users()['Users'])))"));

test("an interrupted grant: the banner on start, then its reviewed undo leaves nothing behind", { timeout: 240000 }, async () => {
  assert.deepEqual(users(), ["half-made"], "the killed grant left its user (and a key nobody has the secret of)");
  await ui.heading("Connect to your AWS account");
  await ui.waitForText("#recovery", "A change was interrupted");
  const banner = await ui.text("#recovery");
  assert.match(banner, /half-made/);
  assert.match(banner, /may have happened \(no answer came back\)/);
  // Not connected yet: it says what to do first.
  await ui.click("Review how to finish or undo it…");
  await ui.waitForText("#recovery", "Connect to the AWS account the change was made in first");
  await ui.shot("24-interrupted-change");

  await ui.connectSandbox();
  await ui.click("Review how to finish or undo it…");
  await ui.waitForText("#recovery", "Undoing it takes:");
  const steps = await ui.text(".recovery-steps");
  assert.match(steps, /half-made/);
  assert.deepEqual(users(), ["half-made"], "reviewing changed nothing");
  await ui.click("Undo it");
  await ui.waitForText("#recovery", "Undone: nothing of the interrupted change is left.");
  assert.deepEqual(users(), [], "the user and its key are gone");
  assert.deepEqual(env.cli("recover", "--dry-run").interrupted, [], "the journal entry is closed");
});
