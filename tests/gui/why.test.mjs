// "Someone gets an error…" in My access: the vendor's error text pasted, the likely cause in plain words
// (decided on the access's live state); then what they tried picked instead of pasted.

import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { useEnv } from "./harness.mjs";

const { env, ui: currentUi } = useEnv(async (env) => {
  await env.seedBuckets({ "sample-reports": ["q1/summary.pdf"] });
});
let ui;
beforeEach(() => (ui = currentUi()));

const DENIED = `upload failed: ./report.pdf to s3://sample-reports/q2/report.pdf An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::123456789012:user/uploader is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::sample-reports/q2/report.pdf" because no identity-based policy allows the s3:PutObject action`;

test("an error pasted in My access is answered with its cause, and so is what they tried", { timeout: 240000 }, async () => {
  env.cli("grant", "iam-user", "--bucket", "sample-reports", "--prefix", "q1", "--access", "upload", "--user", "uploader", "--no-wait", "--yes");
  await ui.connectSandbox();
  await ui.click("My access");
  await ui.heading("My access");
  await ui.waitForText("main", 'IAM user "uploader"');
  await ui.click("Someone gets an error…");
  const field = await ui.fieldByLabel("What they saw (paste their error message)");
  await ui.b.execute((el, t) => {
    el.value = t;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, field, DENIED);
  await ui.click("Find out why");
  await ui.waitForText(".why-answer", "Most likely");
  assert.equal(await ui.b.execute(() => document.querySelector(".why-answer h4").dataset.cause), "outside_places");
  assert.match(await ui.text(".why-message"), /upload access to the folder q1\/ of sample-reports only, and the upload was s3:\/\/sample-reports\/q2\/report\.pdf/);
  await ui.shot("25-why-denied");

  // Picked instead of pasted: listing, which the upload level never allows.
  await ui.b.execute((el) => {
    el.value = "";
  }, field);
  await (await ui.fieldByLabel("Or what they tried")).selectByAttribute("value", "list");
  await ui.click("Find out why");
  await ui.waitForText(".why-answer", "the listing");
  assert.equal(await ui.b.execute(() => document.querySelector(".why-answer h4").dataset.cause), "outside_places");

  // A wrong secret (boto3's words): the fix the app can do is to hand the current key over again.
  await (await ui.fieldByLabel("Or what they tried")).selectByAttribute("value", "");
  await ui.b.execute((el, t) => {
    el.value = t;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, field, "botocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling the GetObject operation: The request signature we calculated does not match the signature you provided.");
  await ui.click("Find out why");
  await ui.waitForText(".why-answer", "the secret they use with it is wrong");
  assert.equal(await ui.b.execute(() => document.querySelector(".why-answer h4").dataset.cause), "signature");
  await ui.clickElement(await ui.b.$(".why-fix-this"), "Fix this: hand over the current key");
  await ui.waitForText("main", "Hand over key AKIA");
});
