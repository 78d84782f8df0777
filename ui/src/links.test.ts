import { describe, expect, it } from "vitest";
import { expirySeconds, humanSize, ROW_HEIGHT, visibleRange } from "./links";

describe("the virtualized file list", () => {
  it("draws only the visible rows and a few either side, however long the list", () => {
    expect(visibleRange(0, 320, 100_000)).toEqual([0, 18]);
    const [first, last] = visibleRange(50_000 * ROW_HEIGHT, 320, 100_000);
    expect(first).toBe(49_992);
    expect(last - first).toBeLessThan(30);
    expect(visibleRange(0, 320, 5)).toEqual([0, 5]);
    expect(visibleRange(1000, 320, 0)).toEqual([23, 23]);
  });
});

describe("expiry in plain units", () => {
  it("converts and enforces AWS's 7-day limit", () => {
    expect(expirySeconds("12", "hours")).toBe(43_200);
    expect(expirySeconds("7", "days")).toBe(604_800);
    expect(expirySeconds("8", "days")).toMatch(/at most 7 days/);
    expect(expirySeconds("0", "minutes")).toMatch(/whole number/);
    expect(expirySeconds("soon", "hours")).toMatch(/whole number/);
  });

  it("shows sizes people read", () => {
    expect(humanSize(512)).toBe("512 B");
    expect(humanSize(1536)).toBe("1.5 KB");
    expect(humanSize(5 * 1024 ** 3)).toBe("5.0 GB");
  });
});
