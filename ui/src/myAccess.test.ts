import { describe as group, expect, it } from "vitest";
import type { AccessDto } from "./bindings";
import { describe, stateWords } from "./myAccess";

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
};

group("My access words", () => {
  it("says what an access gives in plain words", () => {
    expect(describe(base)).toBe("Read and write access to s3://data/in/");
    expect(describe({ ...base, kind: "role", prefix: null, level: "read" })).toBe("Read-only access to s3://data/ for another AWS account");
    expect(describe({ ...base, kind: "imported" })).toBe("An access key you added to this app");
  });

  it("shows deleted and unchecked entries as such", () => {
    expect(stateWords(base)).toBe("In place");
    expect(stateWords({ ...base, state: "deleted" })).toBe("Deleted outside this app");
    expect(stateWords({ ...base, state: "unchecked", stateDetail: "created in AWS account 111122223333" })).toBe("created in AWS account 111122223333");
  });
});
