import { describe, expect, it } from "vitest";
import { back, blocker, canGoBack, corsMethodsFor, fromProposal, initialState, next, planLeftBehind, withTarget, type WizardState } from "./state";

const NOT_CHECKED = { checked: false, summary: "not checked", blocks: false, findings: [] };

const connected = (): WizardState => ({
  ...initialState(),
  connection: { account: "123456789012", arn: "arn:aws:iam::123456789012:user/admin", region: "us-east-1", endpoint: null, isSandbox: false },
});

describe("wizard transitions", () => {
  it("cannot leave the connect step without a connection", () => {
    const s = initialState();
    expect(blocker(s)).toMatch(/Connect/);
    expect(next(s).step).toBe("connect");
    expect(next(connected()).step).toBe("kind");
  });

  it("every kind of access can go on (links open their own screen)", () => {
    let s: WizardState = { ...connected(), step: "kind", kind: null };
    expect(blocker(s)).toMatch(/Choose what you need/);
    expect(blocker({ ...s, kind: "links" })).toBeNull();
    s = { ...s, kind: "iam-user" };
    expect(next(s).step).toBe("bucket");
    expect(next({ ...s, kind: "role" }).step).toBe("bucket");
  });

  it("a role needs the other party, a valid external ID and a session length", () => {
    const s: WizardState = { ...withTarget({ ...connected(), step: "access", kind: "role" }, "b1", "read"), externalId: "a".repeat(40) };
    expect(blocker(s)).toMatch(/12-digit AWS account ID/);
    expect(blocker({ ...s, otherAccount: "12345" })).toMatch(/exactly 12 digits \(this has 5\)/);
    expect(blocker({ ...s, otherAccount: "arn:aws:s3:::b1" })).toMatch(/not an IAM user or role ARN/);
    const ok = { ...s, otherAccount: "arn:aws:iam::210987654321:role/ingest" };
    expect(blocker(ok)).toBeNull();
    expect(blocker({ ...ok, externalId: "has space" })).toMatch(/" " is not allowed/);
    expect(blocker({ ...ok, maxSessionHours: "13" })).toMatch(/1 to 12 hours/);
    expect(next(ok).step).toBe("cors");
  });

  it("suggests names from bucket and level until the user edits them", () => {
    let s = withTarget({ ...connected(), step: "access" }, "vendor-data", "read");
    expect(s.userName).toBe("s3aw-vendor-data-read");
    expect(s.policyName).toBe("s3aw-vendor-data-read-s3-access");
    s = withTarget(s, "vendor-data", "upload");
    expect(s.userName).toBe("s3aw-vendor-data-upload");
    expect(s.corsMethods).toEqual(corsMethodsFor("upload"));
    s = withTarget({ ...s, userName: "acme", namesEdited: true }, "vendor-data", "full");
    expect(s.userName).toBe("acme");
  });

  it("blocks on invalid names and CORS origins", () => {
    const s = withTarget({ ...connected(), step: "access" }, "b1", "read");
    expect(blocker({ ...s, userName: "bad name" })).toMatch(/only letters/);
    expect(next({ ...s, userName: "bad name" }).step).toBe("access");
    const cors = { ...s, step: "cors" as const, corsEnabled: true, corsOrigins: "example.com" };
    expect(blocker(cors)).toMatch(/not a web address/);
    expect(blocker({ ...cors, corsOrigins: "https://app.example.com" })).toBeNull();
    expect(blocker({ ...cors, corsEnabled: false, corsOrigins: "" })).toBeNull();
  });

  it("a new bucket's name is checked; an existing one is not", () => {
    const s = { ...connected(), step: "bucket" as const, bucket: "Bad_Name" };
    expect(blocker(s)).toBeNull();
    expect(blocker({ ...s, createBucketRegion: "us-east-1" })).toMatch(/lowercase/);
    expect(blocker({ ...s, folder: "a*" })).toMatch(/wildcards/);
  });

  it("back is refused while applying and after success, and a failed apply returns to a fresh review", () => {
    const applying = { ...connected(), step: "apply" as const, applying: true };
    expect(canGoBack(applying)).toBe(false);
    expect(back(applying).step).toBe("apply");
    const failed: WizardState = {
      ...connected(),
      step: "apply",
      plan: { id: 1, headline: "h", steps: [], notes: [], policy: null, savesToKeychain: true, keychainProblem: null, can: [], checks: NOT_CHECKED },
      outcome: { ok: false, userName: null, accessId: null, accessKeyId: null, keychainEntry: null, handoff: null, remerged: [], failure: null },
    };
    const b = back(failed);
    expect(b.step).toBe("review");
    expect(b.plan).toBeNull();
    const done = { ...failed, outcome: { ...failed.outcome!, ok: true } };
    expect(canGoBack(done)).toBe(false);
    expect(canGoBack({ ...connected(), step: "done" })).toBe(false);
  });

  it("a vendor's proposal fills in the wizard's choices", () => {
    const s = fromProposal(connected(), { kind: "role", level: "upload", noList: false, prefix: "backups/", corsOrigins: ["https://app.example.com"], account: "210987654321", externalId: "ext-1", externalIdAsked: false }, "a recipe");
    expect([s.kind, s.level, s.folder, s.allowList, s.corsEnabled, s.corsOrigins, s.otherAccount, s.externalId, s.guidedBy]).toEqual(["role", "upload", "backups/", true, true, "https://app.example.com", "210987654321", "ext-1", "a recipe"]);
    expect(s.corsMethods).toEqual(["PUT", "POST"]);
    const objectOnly = fromProposal(connected(), { kind: "iam-user", level: "read", noList: true, prefix: null, corsOrigins: [], account: null, externalId: null, externalIdAsked: false }, "a guide");
    expect([objectOnly.allowList, objectOnly.folder, objectOnly.corsEnabled]).toEqual([false, "", false]);
  });

  it("an external ID the guide speaks of but does not give is asked for, never made up", () => {
    const before = { ...connected(), externalId: "made-up-earlier" };
    const s = fromProposal(before, { kind: "role", level: "read", noList: true, prefix: null, corsOrigins: [], account: "444455556666", externalId: null, externalIdAsked: true }, "a guide");
    expect([s.externalId, s.externalIdAsked]).toEqual(["", true]);
    expect(blocker({ ...withTarget({ ...s, step: "access" }, "b1", "read"), kind: "role", otherAccount: "444455556666" })).toMatch(/external ID/i);
  });

  it("a plan in which IAM Access Analyzer found errors cannot be applied", () => {
    const findings = [{ policy: "the policy of user \"v\"", severity: "error" as const, code: "INVALID_ACTION", message: "The action s3:GetObjekt does not exist.", learnMore: null }];
    const plan = { id: 8, headline: "h", steps: [], notes: [], policy: null, savesToKeychain: true, keychainProblem: null, can: [], checks: { checked: true, summary: "1 finding", blocks: true, findings } };
    const review: WizardState = { ...withTarget({ ...connected(), kind: "iam-user" }, "b1", "read"), step: "review", plan };
    expect(blocker(review)).toMatch(/IAM Access Analyzer found errors/);
    expect(next(review).step).toBe("review");
    expect(blocker({ ...review, plan: { ...plan, checks: { ...plan.checks, blocks: false } } })).toBeNull();
  });

  it("leaving the review forgets its plan, so Apply waits for the next one", () => {
    const plan = { id: 7, headline: "h", steps: [], notes: [], policy: null, savesToKeychain: true, keychainProblem: null, can: [], checks: NOT_CHECKED };
    const review: WizardState = { ...withTarget({ ...connected(), kind: "iam-user" }, "b1", "read"), step: "review", plan };
    const left = back(review);
    expect(left.step).toBe("cors");
    expect(left.plan).toBeNull();
    expect(planLeftBehind(review, left)).toBe(plan);
    // Back on the review, the old plan is gone: Apply is blocked until the new plan arrives.
    const again = next(left);
    expect(again.step).toBe("review");
    expect(blocker(again)).toMatch(/still being prepared/);
    // Going on to apply keeps it: that is the plan being applied.
    expect(planLeftBehind(review, next(review))).toBeNull();
  });
});
