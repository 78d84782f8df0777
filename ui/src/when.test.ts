import { describe, expect, it } from "vitest";
import { when } from "./when";

describe("times in words", () => {
  const now = new Date(2026, 11, 7, 15, 0); // 7 Dec 2026, 15:00 local time
  const at = (y: number, m: number, d: number, hh = 12, mm = 0) => new Date(y, m, d, hh, mm).toISOString();
  const time = (hh: number, mm: number) => new Date(2026, 11, 7, hh, mm).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

  it("says today and yesterday with the time, in the person's time zone", () => {
    expect(when(at(2026, 11, 7, 14, 23), now)).toBe(`today at ${time(14, 23)}`);
    expect(when(at(2026, 11, 6, 9, 5), now)).toBe(`yesterday at ${time(9, 5)}`);
  });

  it("counts days, weeks, months and years back", () => {
    expect(when(at(2026, 11, 4), now)).toBe("3 days ago");
    expect(when(at(2026, 10, 20), now)).toBe("2 weeks ago");
    expect(when(at(2026, 8, 1), now)).toBe("3 months ago");
    expect(when(at(2025, 0, 1), now)).toBe("1 year ago");
    expect(when(at(2023, 0, 1), now)).toBe("3 years ago");
  });

  it("gives a time ahead as today, tomorrow or its date, and text that is no time as it is", () => {
    expect(when(at(2026, 11, 7, 18, 30), now)).toBe(`today at ${time(18, 30)}`);
    expect(when(at(2026, 11, 8, 9, 0), now)).toBe(`tomorrow at ${time(9, 0)}`);
    expect(when(at(2027, 0, 15), now)).toMatch(/^on .+2027 at /);
    expect(when("not a time", now)).toBe("not a time");
  });
});
