import { describe, expect, it } from "vitest";
import { safeLocale, uses12HourClock, weekStartsOn } from "./locale";

describe("locale conventions", () => {
  it("starts the week on Sunday in the US and on Monday in Germany", () => {
    expect(weekStartsOn("en-US")).toBe(0);
    expect(weekStartsOn("de-DE")).toBe(1);
    expect(weekStartsOn("en-GB")).toBe(1);
  });
  it("falls back to Monday for garbage", () => {
    expect(weekStartsOn("!!")).toBe(1);
  });
  it("knows 12- from 24-hour clocks", () => {
    expect(uses12HourClock("en-US")).toBe(true);
    expect(uses12HourClock("de-DE")).toBe(false);
  });
});

describe("safeLocale", () => {
  it("keeps real tags", () => {
    expect(safeLocale("de-DE")).toBe("de-DE");
    expect(safeLocale("en-gb")).toBe("en-GB");
  });
  it("repairs POSIX-style names", () => {
    expect(safeLocale("en_US.UTF-8")).toBe("en-US");
    expect(safeLocale("fr_FR@euro")).toBe("fr-FR");
  });
  it("falls back to English for what Intl would throw on", () => {
    expect(safeLocale("C")).toBe("en");
    expect(safeLocale("POSIX")).toBe("en");
    expect(safeLocale("")).toBe("en");
    expect(safeLocale(undefined)).toBe("en");
    expect(() => new Intl.DateTimeFormat(safeLocale("C"))).not.toThrow();
  });
});
