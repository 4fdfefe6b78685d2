import { describe, expect, it } from "vitest";
import { uses12HourClock, weekStartsOn } from "./locale";

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
