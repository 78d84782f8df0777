import { describe, expect, it } from "vitest";
import {
  bucketNameError,
  folderError,
  normaliseFolder,
  originsCheck,
  policyNameError,
  suggestedPolicyName,
  suggestedUserName,
  userNameError,
} from "./validate";

describe("IAM names", () => {
  it("accepts the IAM character set and length", () => {
    expect(userNameError("vendor-reader+1@x.y_z=,")).toBeNull();
    expect(userNameError("u".repeat(64))).toBeNull();
    expect(policyNameError("p".repeat(128))).toBeNull();
  });
  it("says what is wrong", () => {
    expect(userNameError("")).toMatch(/Type a user name/);
    expect(userNameError("u".repeat(65))).toMatch(/65 characters long; the most is 64/);
    expect(userNameError("has space")).toMatch(/only letters, digits/);
    expect(policyNameError("p".repeat(129))).toMatch(/most is 128/);
  });
});

describe("bucket names", () => {
  it.each([
    ["ab", /3 to 63/],
    ["MyBucket", /lowercase/],
    ["under_score", /"_" is not allowed/],
    ["-start", /Start and end/],
    ["a..b", /Two dots/],
    ["192.168.1.1", /IP address/],
    ["xn--abc", /reserved/],
    ["data-s3alias", /reserved/],
  ])("rejects %s", (name, why) => {
    expect(bucketNameError(name)).toMatch(why);
  });
  it("accepts good names", () => {
    expect(bucketNameError("my-bucket.logs")).toBeNull();
  });
});

describe("folders and origins", () => {
  it("normalises folders like the engine", () => {
    expect(normaliseFolder("")).toBe("");
    expect(normaliseFolder("/team/a")).toBe("team/a/");
    expect(folderError("a*")).toMatch(/wildcards/);
    expect(folderError("a//b")).toMatch(/empty part/);
    expect(folderError("reports/2026")).toBeNull();
  });
  it("checks origins and warns on *", () => {
    expect(originsCheck("").error).toMatch(/at least one/);
    expect(originsCheck("app.example.com").error).toMatch(/not a web address/);
    expect(originsCheck("https://app.example.com, https://b.example.com")).toEqual({ error: null, warning: null });
    expect(originsCheck("*").warning).toMatch(/any web site/);
  });
});

describe("suggested names", () => {
  it("matches the engine's defaults and fits IAM", () => {
    expect(suggestedUserName("vendor-data", "read-write")).toBe("s3aw-vendor-data-read-write");
    const long = suggestedUserName("b".repeat(63), "read-write");
    expect(userNameError(long)).toBeNull();
    expect(policyNameError(suggestedPolicyName(long))).toBeNull();
  });
});
