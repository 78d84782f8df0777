import { describe, expect, it } from "vitest";
import { validateRegion } from "../validate";
import { needsSignInAgain, signedOutWords, ssoProfileName, untilText } from "./signin";

describe("sign-in wording", () => {
  it("says what signing out did: deleted, kept for another profile, or ended at AWS", () => {
    expect(signedOutWords({ profile: "me", cacheRemoved: true, keptFor: [], endedAtAws: null })).toBe("Signed out of “me”: its sign-in is deleted from this computer.");
    expect(signedOutWords({ profile: "me", cacheRemoved: false, keptFor: ["old", "x"], endedAtAws: null })).toBe(
      "Signed out of “me”. The saved sign-in stays on this computer for “old”, “x”, which use the same session.",
    );
    expect(signedOutWords({ profile: "sso", cacheRemoved: true, keptFor: [], endedAtAws: true })).toContain("AWS ended the session.");
    expect(signedOutWords({ profile: "sso", cacheRemoved: false, keptFor: [], endedAtAws: false })).toContain("did not confirm");
  });

  it("says until when, in the person's clock, and whether it is the latest", () => {
    const soon = new Date(Date.now() + 60_000);
    const time = soon.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    expect(untilText(soon.toISOString(), false)).toBe(`until ${time}`);
    expect(untilText(soon.toISOString(), true)).toBe(`until ${time} at the latest`);
    expect(untilText("2020-01-02T03:04:05Z", false)).toMatch(/^until .+ on /);
    expect(untilText("not a time", false)).toBe("");
  });

  it("suggests the profile name aws configure sso would, and knows which errors need a new sign-in", () => {
    expect(ssoProfileName("S3Admin", "123456789012")).toBe("S3Admin-123456789012");
    expect(needsSignInAgain("login_expired")).toBe(true);
    expect(needsSignInAgain("sso_expired")).toBe(true);
    expect(needsSignInAgain("access_denied")).toBe(false);
  });

  it("checks region names as the engine does", () => {
    expect(validateRegion("eu-central-1")).toBeNull();
    expect(validateRegion("us-gov-west-1")).toBeNull();
    expect(validateRegion("")).toMatch(/Enter a region/);
    expect(validateRegion("Frankfurt")).toMatch(/not an AWS Region/);
  });
});

import { checkSummary } from "./permissions";

describe("the permission check in plain words", () => {
  it("names what is missing by job, and says when it could not check", () => {
    expect(checkSummary({ checked: true, reason: null, missing: [] })).toEqual({ ok: true, text: "This identity may do everything this app does.", details: [] });
    const s = checkSummary({ checked: true, reason: null, missing: [{ job: "grant", description: "Create access", actions: ["iam:CreateUser", "iam:CreateAccessKey"] }] });
    expect(s.ok).toBe(false);
    expect(s.details).toEqual(["Create access: iam:CreateUser, iam:CreateAccessKey"]);
    expect(checkSummary({ checked: false, reason: "the root user", missing: [] }).text).toMatch(/Could not check .*the root user/);
  });
});
