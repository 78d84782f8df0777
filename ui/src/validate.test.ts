import { describe, expect, it } from "vitest";
import {
  bucketNameError,
  folderError,
  normaliseFolder,
  originsCheck,
  policyNameError,
  suggestedPolicyName,
  suggestedUserName,
  trustedPrincipalError,
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
    expect(folderError("a/../b")).toMatch(/"\.\."/);
    expect(folderError("./a")).toMatch(/part/);
    expect(folderError("tab\there")).toMatch(/control character/);
    expect(folderError("v1..2/x")).toBeNull();
  });
  it("checks origins and warns on *", () => {
    expect(originsCheck("").error).toMatch(/at least one/);
    expect(originsCheck("app.example.com").error).toMatch(/not a web address/);
    expect(originsCheck("https://app.example.com, https://b.example.com")).toEqual({ error: null, warning: null });
    expect(originsCheck("*").warning).toMatch(/any web site/);
    expect(originsCheck("https://*.example.com").warning).toBeNull();
    expect(originsCheck("https://*").warning).toMatch(/far more sites/);
    expect(originsCheck("https://*.com").warning).toMatch(/far more sites/);
    expect(originsCheck("http://app.example.com").warning).toMatch(/unencrypted/);
    expect(originsCheck("http://localhost:5173").warning).toBeNull();
  });

  it("takes origins as a browser sends them, as the engine does", () => {
    expect(originsCheck("https://app.example.com/")).toEqual({ error: null, warning: null });
    expect(originsCheck("https://app.example.com/app").error).toMatch(/path, query or fragment.*write "https:\/\/app\.example\.com"/);
    expect(originsCheck("https://app.example.com//").error).toMatch(/path, query or fragment/);
    expect(originsCheck("https://app.example.com:8443/x/").error).toMatch(/write "https:\/\/app\.example\.com:8443"/);
    expect(originsCheck("https://app.example.com?x=1").error).toMatch(/path, query or fragment/);
    expect(originsCheck("https://app.example.com#top").error).toMatch(/path, query or fragment/);
  });
  it("accepts one user or role of the other account, never a wildcard", () => {
    expect(trustedPrincipalError("210987654321")).toBeNull();
    expect(trustedPrincipalError("arn:aws:iam::210987654321:role/ingest")).toBeNull();
    expect(trustedPrincipalError("arn:aws:iam::210987654321:user/team/vendor")).toBeNull();
    expect(trustedPrincipalError("arn:aws:iam::210987654321:role/*")).toMatch(/Wildcards/);
    expect(trustedPrincipalError("arn:aws:iam::210987654321:role/${aws:username}")).toMatch(/policy variables/);
    expect(trustedPrincipalError("arn:aws:iam::210987654321:root")).toMatch(/12-digit account ID \(210987654321\)/);
    expect(trustedPrincipalError("arn:aws:iam::210987654321:group/x")).toMatch(/not an IAM user or role ARN/);
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
