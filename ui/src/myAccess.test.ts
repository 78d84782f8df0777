import { describe as group, expect, it } from "vitest";
import type { AccessDto } from "./bindings";
import { describe, endsWords, rotationWords, stateWords } from "./myAccess";

const base: AccessDto = {
  id: "vendor-1",
  kind: "iam-user",
  label: 'IAM user "vendor"',
  account: "123456789012",
  createdAt: "2026-11-22T10:00:00Z",
  userName: "vendor",
  roleName: null,
  bucket: "data",
  prefix: "in/",
  level: "read-write",
  state: "exists",
  stateDetail: null,
  keys: [],
  policy: null,
  endsAt: null,
  endsText: null,
  expired: false,
  endsSoon: false,
  sourceIps: [],
  can: [],
  shareFiles: [],
};

group("My access words", () => {
  it("says what an access gives in plain words", () => {
    expect(describe(base)).toBe("Read and write access to s3://data/in/");
    expect(describe({ ...base, kind: "role", prefix: null, level: "read" })).toBe("Read-only access to s3://data/ for another AWS account");
    expect(describe({ ...base, kind: "imported" })).toBe("An access key you added to this app");
    expect(describe({ ...base, kind: "share", shareFiles: ["in/a.pdf", "in/b.pdf"] })).toBe("Links you can stop, to 2 files in s3://data/in/");
    expect(describe({ ...base, kind: "share" })).toBe("Links you can stop, to every file in s3://data/in/");
  });

  it("says when an access ends, and that an ended one is refused by AWS", () => {
    expect(endsWords(base)).toBeNull();
    const ends = { ...base, endsAt: "2026-12-31T00:00:00Z", endsText: "2026-12-31 00:00 UTC" };
    expect(endsWords(ends)).toBe("Ends 2026-12-31 00:00 UTC");
    expect(endsWords({ ...ends, endsSoon: true })).toBe("Ends soon: 2026-12-31 00:00 UTC");
    expect(endsWords({ ...ends, expired: true })).toBe("Expired on 2026-12-31 00:00 UTC: AWS refuses it now. Clean it up when you are ready.");
  });

  it("shows deleted and unchecked entries as such", () => {
    expect(stateWords(base)).toBe("In place");
    expect(stateWords({ ...base, state: "deleted" })).toBe("Deleted outside this app");
    expect(stateWords({ ...base, state: "unchecked", stateDetail: "created in AWS account 111122223333" })).toBe("created in AWS account 111122223333");
  });
});

group("key age", () => {
  it("asks to rotate an old active key, in months once it is two months old, and says nothing otherwise", () => {
    const key = { accessKeyId: "AKIAOLD", status: "Active" as const, created: "2026-01-01T00:00:00Z", lastUsed: null, lastUsedService: null, inKeychain: true, recorded: true, rotateAfterDays: 90 };
    expect(rotationWords({ ...key, ageDays: 120, rotationDue: true })).toBe(
      "The key AKIAOLD is 4 months old. Keys should be replaced at least every 90 days, so a copy that leaked stops working: rotate it.",
    );
    expect(rotationWords({ ...key, ageDays: 45, rotationDue: true, rotateAfterDays: 30 })).toContain("is 45 days old");
    expect(rotationWords({ ...key, ageDays: 30, rotationDue: false })).toBeNull();
  });
});
