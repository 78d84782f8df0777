import { describe, expect, it } from "vitest";
import { osOf } from "./dom";

describe("osOf", () => {
  it("tells the three web views apart by their user agents", () => {
    expect(osOf("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15")).toBe("linux");
    expect(osOf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")).toBe("windows");
    expect(osOf("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)")).toBe("mac");
  });
  it("treats anything else as Linux, whose stylesheet names only generic families", () => {
    expect(osOf("")).toBe("linux");
    expect(osOf("Mozilla/5.0 (X11; FreeBSD amd64) AppleWebKit/605.1.15")).toBe("linux");
  });
});
