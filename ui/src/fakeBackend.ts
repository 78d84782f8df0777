// An in-memory backend for running the UI without the app (vite dev in a plain browser). Nothing it does
// touches AWS. Loaded only there: the app never fetches this module.

import { BackendError, type Backend } from "./backend";
import type { AccessDto, PlanDto, SignInDoneDto } from "./bindings";

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeSignedIn(): SignInDoneDto {
  const arn = "arn:aws:iam::123456789012:user/demo";
  return { type: "connected", connection: { account: "123456789012", arn, region: "us-east-1", endpoint: null, isSandbox: false }, profile: "s3aw", identity: arn, account: "123456789012", until: new Date(Date.now() + 12 * 3600e3).toISOString(), untilIsLatest: true };
}

/** An in-memory backend for running the UI without the app. Nothing it does touches AWS. */
export function fakeBackend(): Backend {
  let plan: PlanDto | null = null;
  let planIds = 0;
  let revoking = "";
  let access: AccessDto[] = [
    {
      id: "vendor-20261122T100000Z",
      kind: "iam-user",
      label: 'IAM user "vendor"',
      account: "123456789012",
      createdAt: "2026-11-22T10:00:00Z",
      userName: "vendor",
      roleName: null,
      bucket: "sample-reports",
      prefix: "in/",
      level: "read",
      state: "exists",
      stateDetail: null,
      keys: [{ accessKeyId: "AKIAFAKEEXAMPLE00001", status: "Active", created: "2026-11-22T10:00:00Z", lastUsed: null, lastUsedService: null, inKeychain: true, recorded: true, ageDays: 15, rotationDue: false, rotateAfterDays: 90 }],
      policy: "{}",
      endsAt: "2026-12-31T00:00:00Z",
      endsText: "2026-12-31 00:00 UTC",
      expired: false,
      endsSoon: false,
      sourceIps: [],
      can: [
        { code: "download", question: "Download files from the folder in/", allowed: true, answer: "Yes" },
        { code: "delete", question: "Delete files in the folder in/", allowed: false, answer: "No" },
        { code: "ends", question: "Ends on", allowed: null, answer: "2026-12-31 00:00 UTC" },
      ],
      shareFiles: [],
    },
  ];
  const newPlan = (headline: string, policy: string | null, steps: PlanDto["steps"]): PlanDto =>
    (plan = {
      id: ++planIds,
      headline,
      steps,
      notes: [],
      policy,
      savesToKeychain: true,
      keychainProblem: null,
      can: [],
      checks: { checked: false, summary: "IAM Access Analyzer: not checked (this endpoint has no IAM Access Analyzer).", blocks: false, findings: [] },
    });
  return {
    uiReady: async () => {},
    appInfo: async () => ({ version: "dev", sandboxEndpoint: "http://fake", keychainService: "fake", saveDialogStandIn: false }),
    listProfiles: async () => [
      { name: "default", kind: "keys", region: "us-east-1", signedIn: null, identity: null, expiresAt: null },
      { name: "work", kind: "sso", region: "eu-west-1", signedIn: false, identity: "role S3Admin in account 123456789012", expiresAt: "2026-11-22T10:00:00Z" },
    ],
    connect: async () => ({ account: "123456789012", arn: "arn:aws:iam::123456789012:user/demo", region: "us-east-1", endpoint: "http://fake", isSandbox: true }),
    signInStart: async (args) => ({ attemptId: 1, authorizeUrl: "https://us-east-1.signin.aws.amazon.com/v1/authorize?client_id=demo", remote: args.kind === "console" && args.remote, reused: null }),
    signInWait: async () => {
      await delay(1500);
      return fakeSignedIn();
    },
    signInFinish: async () => fakeSignedIn(),
    signInCancel: async () => {},
    ssoRoles: async () => ["AdministratorAccess", "S3Admin"],
    ssoUseRole: async () => fakeSignedIn(),
    signOut: async (profile) => ({ profile, cacheRemoved: true, keptFor: [], endedAtAws: null }),
    listSavedConnections: async () => [],
    forgetConnection: async () => {},
    listBuckets: async () => {
      await delay(200);
      return [
        { name: "sample-photos", region: "us-east-1" },
        { name: "sample-reports", region: "eu-west-1" },
      ];
    },
    listFolders: async (_b, prefix) => (prefix === "" ? ["2026/", "archive/"] : []),
    policyPreview: async (bucket, prefix, level) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: [level], Resource: [`arn:aws:s3:::${bucket}/${prefix ?? ""}*`] }] }, null, 2),
    bucketCors: async () => [],
    readGuide: async () => ({
      asks: ["A permission policy for the user or role (line 3)."],
      findings: [{ code: "delete", message: "It allows deleting files (s3:DeleteObject). Most vendors only read or upload.", line: 9, quote: '"s3:DeleteObject",', blocksAsPasted: false }],
      proposal: { kind: "iam-user", level: "read-write", noList: false, prefix: "uploads/", corsOrigins: [], account: null, externalId: null, externalIdAsked: false },
      pastedPolicy: "{}",
    }),
    readRecipe: async () => ({ vendor: "Example", purpose: "Demo", proposal: { kind: "iam-user", level: "read", noList: true, prefix: "images/", corsOrigins: [], account: null, externalId: null, externalIdAsked: false }, dashboardAsksFor: [] }),
    planGrant: async (args) =>
      newPlan(`Read access to s3://${args.bucket}/ for a new IAM user "${args.userName}"`, "{}", [
        { call: "iam:CreatePolicy", summary: `Create the permission policy "${args.policyName}"`, undo: "iam:DeletePolicy", document: "{}" },
        { call: "iam:CreateUser", summary: `Create the IAM user "${args.userName}"`, undo: "iam:DeleteUser", document: null },
      ]),
    applyPlan: async (planId, onEvent) => {
      if (plan?.id !== planId) throw new BackendError("stale_plan", "This is not the plan the app holds now. Review the changes again.");
      const total = plan.steps.length;
      for (let i = 0; i < total; i++) {
        onEvent({ type: "started", index: i, total, summary: plan!.steps[i].summary });
        await delay(150);
        onEvent({ type: "succeeded", index: i, detail: null });
      }
      plan = null;
      return { ok: true, userName: "demo", accessId: "demo-20261122T100000Z", accessKeyId: "AKIAFAKEEXAMPLE00001", keychainEntry: "123456789012/demo/AKIAFAKEEXAMPLE00001", handoff: null, remerged: [], failure: null };
    },
    discardPlan: async (planId) => {
      if (plan?.id === planId) plan = null;
    },
    revealSecret: async () => "fake-secret-for-the-demo-backend",
    copySecret: async () => {},
    saveCsv: async () => "~/Downloads/demo_accessKeys.csv",
    addAwsProfile: async (name) => `~/.aws/credentials [${name}]`,
    waitForKey: async () => ({ works: true, attempts: 1, message: "AWS accepts the new key: it is ready to use." }),
    generateExternalId: async () => "FakeExternalId0123456789abcdefghijklmnop",
    listObjects: async (_bucket, prefix, onPage) => {
      // A big folder, streamed in pages as S3 would: try scrolling through 100,000 files.
      const n = prefix === "" ? 100_000 : 20;
      if (prefix === "") onPage({ folders: ["2026/", "archive/"], objects: [] });
      for (let start = 0; start < n; start += 1000) {
        await delay(5);
        onPage({ folders: [], objects: Array.from({ length: Math.min(1000, n - start) }, (_, i) => ({ key: `${prefix}photo-${String(start + i).padStart(6, "0")}.jpg`, size: 1000 + i, lastModified: null })) });
      }
      return { folders: prefix === "" ? 2 : 0, objects: n };
    },
    savedSigners: async () => [{ accessKeyId: "AKIAFAKEEXAMPLE00001", label: 'IAM user "vendor" — read access to s3://sample-reports/' }],
    signerInfo: async (signer) => ({ temporary: signer === null, expiresAt: signer === null ? "2026-11-22T18:00:00Z" : null }),
    presignLinks: async (args) =>
      args.keys.map((key) => ({ key, method: args.upload ? "PUT" : "GET", url: `https://${args.bucket}.s3.amazonaws.com/${key}?X-Amz-Signature=fake`, expiresAt: "2026-11-22T18:00:00Z", cutShort: args.signer === null, curl: `curl '${key}'` })),
    testLink: async () => ({ works: true, status: 206, message: "The link works: the file downloads." }),
    planShare: async (args) =>
      newPlan(`Share ${args.files.length || "every"} file(s) with links you can stop`, "{}", [
        { call: "iam:CreateUser", summary: 'Create the IAM user "s3aw-share-0123456789ab"', undo: "iam:DeleteUser", document: null },
      ]),
    createShare: async (planId, onEvent) => {
      if (plan?.id !== planId) throw new BackendError("stale_plan", "This is not the plan the app holds now. Review the changes again.");
      onEvent({ type: "started", index: 0, total: 1, summary: "" });
      onEvent({ type: "succeeded", index: 0, detail: null });
      plan = null;
      return { ok: true, id: "share-demo", endsText: "2026-11-30 10:00 UTC", links: [{ key: "2026/report.pdf", method: "GET", url: "https://sample-reports.s3.amazonaws.com/2026/report.pdf?X-Amz-Signature=fake", expiresAt: "2026-11-30T10:00:00Z", cutShort: false, curl: "curl" }], failure: null };
    },
    extendShare: async () => ({ ok: true, id: "share-demo", endsText: "2026-12-01 10:00 UTC", links: [], failure: null }),
    saveDropBox: async (args) => ({ path: `~/Downloads/upload-to-${args.bucket}.html`, endsText: "2026-12-01 10:00 UTC", note: null }),
    exportPlanIac: async (_id, format) => [`~/Downloads/demo.${format === "terraform" ? "tf" : "cfn.yaml"}`],
    exportAccessIac: async (_id, format) =>
      format === "terraform" ? ["~/Downloads/vendor.tf"] : ["~/Downloads/vendor.cfn.yaml", "~/Downloads/vendor.cfn.import.yaml", "~/Downloads/vendor.cfn.import-resources.json"],
    presignFolderCsv: async (bucket, _p, _e, _s, onProgress) => {
      onProgress(100);
      return `100 link(s) saved to ~/Downloads/links-${bucket}.csv`;
    },
    bucketSettings: async (bucket) => ({
      bucket,
      region: "us-east-1",
      encryption: "S3-managed keys (SSE-S3)",
      kmsKeyId: null,
      blocksPublicAccess: true,
      tlsOnly: false,
      versioning: "off",
      policyStatements: 0,
      logging: null,
      cors: [{ id: null, allowedOrigins: ["https://app.example.com"], allowedMethods: ["GET", "HEAD"], allowedHeaders: [], exposeHeaders: ["ETag"], maxAgeSeconds: 3000 }],
    }),
    planSettings: async (args) =>
      newPlan(
        `Change the settings of the bucket "${args.bucket}" (nothing is created in IAM)`,
        null,
        args.tlsOnly ? [{ call: "s3:PutBucketPolicy", summary: `Refuse unencrypted (non-TLS) connections to "${args.bucket}"`, undo: "s3:DeleteBucketPolicy", document: "{}" }] : [],
      ),
    copyText: async () => {},
    checkPermissions: async () => ({ checked: true, reason: null, missing: [{ job: "grant", description: "Create access", actions: ["iam:CreateAccessKey"] }] }),
    permissionsPolicy: async (jobs) => JSON.stringify({ Version: "2012-10-17", Statement: jobs.map((j) => ({ Sid: j, Effect: "Allow", Action: ["s3:ListBucket"], Resource: "*" })) }, null, 2),
    saveHandoff: async (format) => `~/Downloads/handoff.${format === "json" ? "json" : "md"}`,
    saveKit: async (kind) => (kind === "rclone" ? "~/Downloads/sample-reports-in-rclone.conf" : "~/Downloads/sample-reports-in.duck"),
    listAccess: async () => {
      await delay(100);
      return access;
    },
    accessReminders: async () => [],
    whyDenied: async () => ({ cause: "outside_places", message: "The access may only read the folder in/.", fix: null, decidedBy: [] }),
    interruptedChanges: async () => [],
    planRecovery: async (id) => ({ id, description: "", finishes: false, steps: [], notes: [] }),
    runRecovery: async () => ({ finished: false, done: [], left: [] }),
    planRotate: async (id) => {
      const a = access.find((x) => x.id === id)!;
      const old = a.keys.find((k) => k.status === "Active")!.accessKeyId;
      return { oldKeyId: old, deletesInactiveKey: null, steps: [`Create a new access key for "${a.userName}"`, "Save the new secret in this computer's keychain", "Wait until AWS accepts the new key", `Deactivate the old key ${old}`] };
    },
    rotateKey: async (onEvent) => {
      const a = access[0];
      const old = a.keys.find((k) => k.status === "Active")!;
      for (let i = 0; i < 4; i++) {
        onEvent({ type: "started", index: i, total: 4, summary: "" });
        await delay(100);
        onEvent({ type: "succeeded", index: i, detail: null });
      }
      old.status = "Inactive";
      const id = `AKIAFAKEROTATED${String(a.keys.length).padStart(5, "0")}`;
      a.keys.push({ accessKeyId: id, status: "Active", created: "now", lastUsed: null, lastUsedService: null, inKeychain: true, recorded: true, ageDays: null, rotationDue: false, rotateAfterDays: 90 });
      return { ok: true, userName: a.userName, accessId: a.id, newAccessKeyId: id, keychainEntry: `${a.account}/${a.userName}/${id}`, oldAccessKeyId: old.accessKeyId, oldDeleted: false, failure: null };
    },
    deleteAccessKey: async (id, keyId) => {
      const a = access.find((x) => x.id === id)!;
      a.keys = a.keys.filter((k) => k.accessKeyId !== keyId);
    },
    planRevoke: async (id) => {
      const a = access.find((x) => x.id === id)!;
      revoking = id;
      return { label: a.label, kept: [], steps: [...a.keys.map((k) => ({ call: "iam:DeleteAccessKey", summary: `Delete access key ${k.accessKeyId}` })), { call: "iam:DeleteUser", summary: `Delete the ${a.label}` }] };
    },
    revoke: async (onEvent) => {
      onEvent({ type: "started", index: 0, total: 1, summary: "" });
      await delay(100);
      onEvent({ type: "succeeded", index: 0, detail: null });
      access = access.filter((a) => a.id !== revoking);
      return { ok: true, failedSummary: null, message: null, done: [], remaining: [] };
    },
    importKey: async (args) => {
      const id = `imported-${access.length}`;
      access.push({ ...access[0], id, kind: "imported", label: 'IAM user "imported"', userName: "imported", bucket: "", prefix: null, level: null, keys: [{ accessKeyId: args.accessKeyId ?? "AKIAFROMCSV000000001", status: "Active", created: null, lastUsed: null, lastUsedService: null, inKeychain: true, recorded: true, ageDays: null, rotationDue: false, rotateAfterDays: 90 }] });
      return id;
    },
    selectSavedKey: async (id, accessKeyId) => {
      const a = access.find((x) => x.id === id)!;
      return { accessId: a.id, userName: a.userName ?? "", accessKeyId, keychainEntry: `${a.account}/${a.userName}/${accessKeyId}` };
    },
    useFromAws: async (_id, profile) => `~/.aws/config [profile ${profile}]`,
  };
}
