/// <reference types="node" />
import { afterEach, describe, expect, it } from "vitest";
import {
  dateToLocalInputs,
  defaultTimeForDay,
  formatOffset,
  isValidZone,
  localToUtc,
  nextFullHour,
  parseLocal,
  systemZone,
  utcToLocal,
  zoneOffsetMs,
} from "./time";

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe("localToUtc", () => {
  it("keeps 09:00 Berlin at 09:00 on the wall clock across the DST change", () => {
    // Same example as the engine's test: CEST (UTC+2) then CET (UTC+1).
    expect(iso(localToUtc({ date: "2026-10-20", time: "09:00" }, "Europe/Berlin"))).toBe(
      "2026-10-20T07:00:00.000Z",
    );
    expect(iso(localToUtc({ date: "2026-11-03", time: "09:00" }, "Europe/Berlin"))).toBe(
      "2026-11-03T08:00:00.000Z",
    );
  });

  it("moves a time in the spring-forward gap to the first valid instant after it", () => {
    // 2026-03-29 02:30 does not exist in Berlin; clocks jump from 02:00 to 03:00.
    const gap = localToUtc({ date: "2026-03-29", time: "02:30" }, "Europe/Berlin");
    expect(iso(gap)).toBe("2026-03-29T01:00:00.000Z");
    expect(utcToLocal(gap!, "Europe/Berlin")).toEqual({ date: "2026-03-29", time: "03:00" });
  });

  it("takes the earlier instant in the autumn overlap", () => {
    // 2026-10-25 02:30 happens twice in Berlin: 00:30 UTC (CEST) and 01:30 UTC (CET).
    expect(iso(localToUtc({ date: "2026-10-25", time: "02:30" }, "Europe/Berlin"))).toBe(
      "2026-10-25T00:30:00.000Z",
    );
  });

  it("handles zones west of UTC and half-hour offsets", () => {
    // New York gap: 2026-03-08 02:15 does not exist (EST -> EDT at 07:00 UTC).
    expect(iso(localToUtc({ date: "2026-03-08", time: "02:15" }, "America/New_York"))).toBe(
      "2026-03-08T07:00:00.000Z",
    );
    expect(iso(localToUtc({ date: "2026-07-01", time: "18:45" }, "America/New_York"))).toBe(
      "2026-07-01T22:45:00.000Z",
    );
    expect(iso(localToUtc({ date: "2026-01-15", time: "09:00" }, "Asia/Kolkata"))).toBe(
      "2026-01-15T03:30:00.000Z",
    );
  });

  it("crosses the date line when the offset does", () => {
    expect(iso(localToUtc({ date: "2026-01-01", time: "00:30" }, "Pacific/Auckland"))).toBe(
      "2025-12-31T11:30:00.000Z",
    );
  });

  it("rejects dates and times that are not real", () => {
    expect(localToUtc({ date: "2026-02-31", time: "09:00" }, "UTC")).toBeNull();
    expect(localToUtc({ date: "2026-02-10", time: "24:00" }, "UTC")).toBeNull();
    expect(localToUtc({ date: "", time: "09:00" }, "UTC")).toBeNull();
    expect(localToUtc({ date: "2026-02-10", time: "" }, "UTC")).toBeNull();
    expect(parseLocal({ date: "10/02/2026", time: "09:00" })).toBeNull();
  });

  it("round-trips through utcToLocal outside transitions", () => {
    for (const zone of ["Europe/Berlin", "America/Los_Angeles", "Australia/Adelaide", "UTC"]) {
      for (const local of [
        { date: "2026-01-05", time: "07:05" },
        { date: "2026-06-30", time: "23:59" },
        { date: "2028-02-29", time: "00:00" },
      ]) {
        expect(utcToLocal(localToUtc(local, zone)!, zone)).toEqual(local);
      }
    }
  });
});

describe("the machine's zone (TZ)", () => {
  const saved = process.env.TZ;
  afterEach(() => {
    process.env.TZ = saved;
  });

  it("agrees with JavaScript's own local-time Date outside DST gaps", () => {
    process.env.TZ = "Europe/Berlin";
    expect(systemZone()).toBe("Europe/Berlin");
    for (const [y, m, d, h, min] of [
      [2026, 9, 20, 9, 0],
      [2026, 10, 3, 9, 0],
      [2026, 9, 25, 2, 30], // overlap: both take the earlier instant
      [2026, 0, 1, 0, 0],
    ] as const) {
      const viaDate = new Date(y, m, d, h, min);
      const local = dateToLocalInputs(viaDate);
      expect(localToUtc(local, systemZone())?.getTime()).toBe(viaDate.getTime());
    }
  });
});

describe("zone helpers", () => {
  it("reads offsets and formats them", () => {
    const summer = new Date("2026-07-01T12:00:00Z");
    expect(zoneOffsetMs(summer.getTime(), "Europe/Berlin")).toBe(2 * 3600_000);
    expect(formatOffset(summer, "Europe/Berlin")).toBe("UTC+02:00");
    expect(formatOffset(summer, "America/St_Johns")).toBe("UTC-02:30");
    expect(formatOffset(summer, "UTC")).toBe("UTC+00:00");
  });

  it("knows real zones from made-up ones", () => {
    expect(isValidZone("Europe/Berlin")).toBe(true);
    expect(isValidZone("Mars/Olympus")).toBe(false);
  });
});

describe("defaultTimeForDay", () => {
  it("is 09:00 on a day that is not today", () => {
    const now = new Date(2026, 4, 10, 14, 20);
    expect(defaultTimeForDay(new Date(2026, 4, 12), now)).toEqual(new Date(2026, 4, 12, 9, 0));
    expect(defaultTimeForDay(new Date(2026, 4, 1), now)).toEqual(new Date(2026, 4, 1, 9, 0));
  });

  it("is 09:00 today when that is still ahead", () => {
    const now = new Date(2026, 4, 10, 7, 59);
    expect(defaultTimeForDay(new Date(2026, 4, 10), now)).toEqual(new Date(2026, 4, 10, 9, 0));
  });

  it("is the next full hour today once 09:00 has passed", () => {
    const now = new Date(2026, 4, 10, 14, 20);
    expect(defaultTimeForDay(new Date(2026, 4, 10), now)).toEqual(new Date(2026, 4, 10, 15, 0));
    expect(nextFullHour(new Date(2026, 4, 10, 9, 0))).toEqual(new Date(2026, 4, 10, 10, 0));
  });
});
