import { describe, expect, it } from "vitest";
import { presetRule, ruleSummary } from "./bucketSettings";

describe("CORS rules in plain words", () => {
  it("presets cover browser uploads and downloads", () => {
    const up = presetRule("uploads", "https://app.example.com");
    expect(up.allowedMethods).toEqual(["PUT", "POST"]);
    expect(up.exposeHeaders).toEqual(["ETag"]);
    expect(up.id).toBeNull();
    expect(presetRule("downloads", "https://a").allowedMethods).toEqual(["GET", "HEAD"]);
  });

  it("summarises a rule by what the page may do", () => {
    expect(ruleSummary(presetRule("uploads", "https://app.example.com"))).toBe("Pages on https://app.example.com may upload (PUT, POST)");
    expect(ruleSummary({ ...presetRule("downloads", "https://a"), allowedMethods: ["GET", "PUT"] })).toBe("Pages on https://a may read and upload (GET, PUT)");
    expect(ruleSummary(presetRule("downloads", "https://a"))).toBe("Pages on https://a may read (GET, HEAD)");
  });
});
