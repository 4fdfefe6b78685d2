import { describe, expect, it, vi } from "vitest";
import {
  addDays,
  analyticsQuery,
  ariaSort,
  budgetLevel,
  budgetText,
  budgetsQuery,
  dayLabel,
  dayValues,
  daysSummary,
  DEFAULT_SORT,
  exportCsv,
  exportedMessage,
  firstNumbersText,
  formatCompact,
  formatCount,
  metricCell,
  nextSort,
  parseBudget,
  periodRange,
  seriesSummary,
  sinceLabel,
  snapshotMetrics,
  snapshotSeries,
  sortPosts,
  stateWords,
  type PeriodRange,
} from "./analytics";
import { makeBudget, makePostAnalytics } from "./fixtures";
import type { MetricValue } from "./api";

const m = (key: string, value: number, label = key[0]!.toUpperCase() + key.slice(1)) =>
  ({ key, label, value }) satisfies MetricValue;

function ok(r: PeriodRange | { error: string }): PeriodRange {
  if ("error" in r) throw new Error(r.error);
  return r;
}

describe("periodRange", () => {
  it("covers the last N local days, today included", () => {
    const r = ok(periodRange("7", new Date("2026-07-15T10:00:00Z"), "Europe/Berlin"));
    expect(r.firstDay).toBe("2026-07-09");
    expect(r.lastDay).toBe("2026-07-15");
    // Berlin midnights in summer are 22:00 UTC the day before.
    expect(r.from).toBe("2026-07-08T22:00:00.000Z");
    expect(r.to).toBe("2026-07-15T22:00:00.000Z");
  });

  it("starts and ends at local midnights across the autumn DST change", () => {
    // Berlin leaves summer time on 25 Oct 2026: that day has 25 hours.
    const r = ok(periodRange("7", new Date("2026-10-27T10:00:00Z"), "Europe/Berlin"));
    expect(r.from).toBe("2026-10-20T22:00:00.000Z"); // 21 Oct 00:00 CEST
    expect(r.to).toBe("2026-10-27T23:00:00.000Z"); // 28 Oct 00:00 CET
    expect(Date.parse(r.to) - Date.parse(r.from)).toBe((7 * 24 + 1) * 3600_000);
  });

  it("starts and ends at local midnights across the spring DST change", () => {
    const r = ok(periodRange("7", new Date("2026-03-31T12:00:00Z"), "Europe/Berlin"));
    expect(r.from).toBe("2026-03-24T23:00:00.000Z"); // 25 Mar 00:00 CET
    expect(r.to).toBe("2026-03-31T22:00:00.000Z"); // 1 Apr 00:00 CEST
    expect(Date.parse(r.to) - Date.parse(r.from)).toBe((7 * 24 - 1) * 3600_000);
  });

  it("takes today from the creator's zone, not UTC", () => {
    // 22:30 UTC on the 20th is already the 21st in Berlin and still the 20th in New York.
    const now = new Date("2026-10-20T22:30:00Z");
    expect(ok(periodRange("30", now, "Europe/Berlin")).lastDay).toBe("2026-10-21");
    expect(ok(periodRange("30", now, "America/New_York")).lastDay).toBe("2026-10-20");
    expect(ok(periodRange("30", now, "Europe/Berlin")).firstDay).toBe("2026-09-22");
  });

  it("starts a day whose midnight does not exist at the first instant after it", () => {
    // Beirut springs forward at midnight: 29 Mar 2026 starts at 01:00 (22:00 UTC).
    const r = ok(periodRange("custom", new Date(), "Asia/Beirut", "2026-03-29", "2026-03-29"));
    expect(r.from).toBe("2026-03-28T22:00:00.000Z");
    expect(r.to).toBe("2026-03-29T21:00:00.000Z");
  });

  it("takes custom days inclusive and says what is wrong with them", () => {
    const r = ok(periodRange("custom", new Date(), "UTC", "2026-01-01", "2026-01-31"));
    expect(r.from).toBe("2026-01-01T00:00:00.000Z");
    expect(r.to).toBe("2026-02-01T00:00:00.000Z");
    expect(periodRange("custom", new Date(), "UTC", "2026-02-01", "2026-01-31")).toEqual({
      error: "The end date is before the start date.",
    });
    expect(periodRange("custom", new Date(), "UTC", "", "2026-01-31")).toHaveProperty("error");
    expect(periodRange("custom", new Date(), "UTC", "2020-01-01", "2026-01-31")).toEqual({
      error: "Pick at most 400 days.",
    });
  });

  it("moves dates across months and years", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("builds the backend's query", () => {
    const r = ok(periodRange("7", new Date("2026-07-15T10:00:00Z"), "UTC"));
    expect(analyticsQuery(r, 3, "UTC")).toEqual({
      from: "2026-07-09T00:00:00.000Z",
      to: "2026-07-16T00:00:00.000Z",
      accountId: 3,
      zone: "UTC",
    });
    const q = budgetsQuery(new Date("2026-07-15T10:00:00Z"), "UTC");
    expect(q.from).toBe(q.to);
  });
});

describe("numbers", () => {
  it("writes counts the locale's way", () => {
    expect(formatCount(12345, "en-US")).toBe("12,345");
    expect(formatCount(12345, "de-DE")).toBe("12.345");
    expect(formatCount(0, "en-US")).toBe("0");
  });

  it("shortens big numbers on chart axes", () => {
    expect(formatCompact(950, "en-US")).toBe("950");
    expect(formatCompact(1234, "en-US")).toBe("1.2K");
    expect(formatCompact(2_500_000, "en-US")).toBe("2.5M");
  });

  it("shows a number a network does not report as a dash, never as 0", () => {
    const post = makePostAnalytics({ latest: [m("likes", 0), m("shares", 4, "Reposts")] });
    expect(metricCell(post, { key: "likes", label: "Likes" }, "en-US")).toEqual({
      text: "0",
      title: "Likes on X",
      absent: false,
    });
    expect(metricCell(post, { key: "shares", label: "Shares" }, "en-US").title).toBe(
      "Reposts on X",
    );
    expect(metricCell(post, { key: "saves", label: "Saves" }, "en-US")).toEqual({
      text: "—",
      title: "X doesn't report saves",
      absent: true,
    });
    const unread = makePostAnalytics({ latest: [] });
    expect(metricCell(unread, { key: "likes", label: "Likes" }, "en-US")).toEqual({
      text: "—",
      title: "No numbers yet",
      absent: true,
    });
  });
});

describe("sortPosts", () => {
  const a = makePostAnalytics({
    id: 1,
    publishedAt: "2026-10-01T10:00:00Z",
    handle: "zed",
    excerpt: "banana",
    latest: [m("likes", 5), m("views", 100)],
  });
  const b = makePostAnalytics({
    id: 2,
    publishedAt: "2026-10-03T10:00:00Z",
    platform: "linkedin",
    handle: "Ann",
    excerpt: "apple",
    state: "needs_permission",
    latest: [m("likes", 50)],
  });
  const c = makePostAnalytics({
    id: 3,
    publishedAt: "2026-10-02T10:00:00Z",
    handle: "amy",
    excerpt: "cherry",
    state: "done",
    latest: [m("likes", 5), m("views", 7)],
  });
  const d = makePostAnalytics({ id: 4, publishedAt: "2026-10-04T10:00:00Z", latest: [] });
  const ids = (list: { id: number }[]) => list.map((p) => p.id);

  it("puts the newest first by default", () => {
    expect(ids(sortPosts([a, b, c, d], DEFAULT_SORT))).toEqual([4, 2, 3, 1]);
  });

  it("puts posts without the number last, whichever the direction", () => {
    expect(ids(sortPosts([a, b, c, d], { key: "views", dir: "desc" }))).toEqual([1, 3, 4, 2]);
    expect(ids(sortPosts([a, b, c, d], { key: "views", dir: "asc" }))).toEqual([3, 1, 4, 2]);
  });

  it("breaks ties newest first", () => {
    expect(ids(sortPosts([a, b, c, d], { key: "likes", dir: "desc" }))).toEqual([2, 3, 1, 4]);
    expect(ids(sortPosts([a, b, c, d], { key: "likes", dir: "asc" }))).toEqual([3, 1, 2, 4]);
  });

  it("sorts text columns alphabetically and states by what needs the creator", () => {
    expect(ids(sortPosts([a, b, c], { key: "post", dir: "asc" }))).toEqual([2, 1, 3]);
    // LinkedIn before X, then the handle.
    expect(ids(sortPosts([a, b, c], { key: "account", dir: "asc" }))).toEqual([2, 3, 1]);
    expect(ids(sortPosts([a, b, c], { key: "status", dir: "asc" }))).toEqual([2, 1, 3]);
  });

  it("does not change the list it is given", () => {
    const list = [a, b];
    sortPosts(list, { key: "likes", dir: "asc" });
    expect(ids(list)).toEqual([1, 2]);
  });

  it("flips a column's direction; a new number column starts biggest first", () => {
    expect(nextSort(DEFAULT_SORT, "published")).toEqual({ key: "published", dir: "asc" });
    expect(nextSort(DEFAULT_SORT, "likes")).toEqual({ key: "likes", dir: "desc" });
    expect(nextSort(DEFAULT_SORT, "account")).toEqual({ key: "account", dir: "asc" });
    expect(ariaSort(DEFAULT_SORT, "published")).toBe("descending");
    expect(ariaSort({ key: "likes", dir: "asc" }, "likes")).toBe("ascending");
    expect(ariaSort(DEFAULT_SORT, "likes")).toBe("none");
  });
});

describe("stateWords", () => {
  const now = new Date("2026-10-20T09:00:00Z");
  const words = (over: Parameters<typeof makePostAnalytics>[0]) =>
    stateWords(makePostAnalytics(over), now, "en-GB", "Europe/Berlin");

  it("says when the next numbers come, in the creator's zone", () => {
    expect(words({ latest: [m("likes", 1)], nextReadAt: "2026-10-20T12:00:00Z" }).text).toBe(
      "Next numbers at 14:00",
    );
    expect(words({ latest: [m("likes", 1)], nextReadAt: "2026-10-27T07:00:00Z" }).text).toBe(
      "Next numbers on Tue 27 Oct, 08:00",
    );
    expect(words({ latest: [], nextReadAt: "2026-10-20T09:30:00Z" }).text).toBe(
      "First numbers at 11:30",
    );
    expect(words({ latest: [m("likes", 1)], nextReadAt: "2026-10-20T08:00:00Z" }).text).toBe(
      "Next numbers soon",
    );
  });

  it("names the network a removed post was on", () => {
    expect(words({ state: "removed", platform: "youtube" })).toEqual({
      text: "Removed from YouTube — numbers read before",
      tone: "muted",
      reconnect: false,
    });
    expect(words({ state: "done" }).text).toMatch(/^Final numbers/);
  });

  it("asks to reconnect when the sign-in lacks the permission", () => {
    const w = words({
      state: "needs_permission",
      message: "Reconnect @maker on X to see analytics.",
    });
    expect(w).toEqual({
      text: "Reconnect @maker on X to see analytics.",
      tone: "warn",
      reconnect: true,
    });
    expect(words({ state: "needs_permission", message: null }).text).toBe(
      "Reconnect @maker on X to see its numbers. It keeps publishing meanwhile.",
    );
  });

  it("says why reading failed", () => {
    expect(words({ state: "failing", message: "X did not answer in time." })).toEqual({
      text: "X did not answer in time.",
      tone: "bad",
      reconnect: false,
    });
    expect(words({ state: "failing", message: "  " }).text).toBe(
      "CreatorFlow couldn't read the numbers from X.",
    );
    expect(words({ state: "unsupported", platform: "tiktok" }).text).toBe(
      "CreatorFlow can't read TikTok's numbers yet.",
    );
  });

  it("says when the first numbers come, an hour after publishing", () => {
    const post = makePostAnalytics({ publishedAt: "2026-10-20T12:04:00Z", nextReadAt: null });
    expect(firstNumbersText(post, "en-GB", "Europe/Berlin")).toBe(
      "First numbers about an hour after publishing (at 15:04)",
    );
    expect(
      firstNumbersText({ ...post, nextReadAt: "2026-10-20T13:10:00Z" }, "en-US", "Europe/Berlin"),
    ).toBe("First numbers about an hour after publishing (at 3:10 PM)");
  });
});

describe("read allowances", () => {
  it("says how much is used and when it starts again", () => {
    expect(budgetText(makeBudget(), "en-GB", "Europe/Berlin")).toBe(
      "X reads this month: 12 of 100 · resets 1 Jan",
    );
    // Midnight UTC on 1 Jan is still 31 Dec in New York.
    expect(budgetText(makeBudget(), "en-US", "America/New_York")).toBe(
      "X reads this month: 12 of 100 · resets Dec 31",
    );
    expect(budgetText(makeBudget({ used: 10_000, limit: 10_000 }), "en-GB", "Europe/Berlin")).toBe(
      "X reads this month: 10,000 of 10,000 · all used: X's numbers wait until 1 Jan",
    );
  });

  it("warns as the allowance runs out", () => {
    expect(budgetLevel({ used: 12, limit: 100 })).toBe("ok");
    expect(budgetLevel({ used: 90, limit: 100 })).toBe("high");
    expect(budgetLevel({ used: 100, limit: 100 })).toBe("full");
    expect(budgetLevel({ used: 0, limit: 0 })).toBe("full");
  });

  it("takes a whole number of reads", () => {
    expect(parseBudget("1500")).toBe(1500);
    expect(parseBudget(" 0 ")).toBe(0);
    expect(parseBudget(250)).toBe(250);
    expect(parseBudget("")).toHaveProperty("error");
    expect(parseBudget("1.5")).toHaveProperty("error");
    expect(parseBudget("-3")).toHaveProperty("error");
    expect(parseBudget("99999999999")).toHaveProperty("error");
  });
});

describe("exportCsv", () => {
  const query = { from: "a", to: "b", accountId: null, zone: "UTC" };

  it("says where the file went", async () => {
    const toast = vi.fn();
    const run = vi.fn().mockResolvedValue({ status: "ok", data: "/home/me/Downloads/a.csv" });
    expect(await exportCsv(query, run, toast)).toBe(true);
    expect(run).toHaveBeenCalledWith(query);
    expect(toast).toHaveBeenCalledWith("Saved to /home/me/Downloads/a.csv", "success");
    expect(exportedMessage("C:\\x.csv")).toBe("Saved to C:\\x.csv");
  });

  it("says why it could not be written", async () => {
    const toast = vi.fn();
    const run = vi.fn().mockResolvedValue({
      status: "error",
      error: { code: "storage", message: "CreatorFlow could not write the CSV file." },
    });
    expect(await exportCsv(query, run, toast)).toBe(false);
    expect(toast).toHaveBeenCalledWith("CreatorFlow could not write the CSV file.", "error");
  });
});

describe("charts", () => {
  const days = [
    { day: "2026-10-19", totals: [m("likes", 3)] },
    { day: "2026-10-20", totals: [m("likes", 12)] },
    { day: "2026-10-21", totals: [] },
  ];

  it("labels days as calendar days, whatever the zone", () => {
    expect(dayLabel("2026-10-20", "en-GB")).toBe("20 Oct");
    expect(dayLabel("2026-10-20", "en-US")).toBe("Oct 20");
  });

  it("gives one value per day and sums them up in words", () => {
    expect(dayValues(days, "likes")).toEqual([3, 12, 0]);
    expect(daysSummary("Likes", days, "likes", "en-GB")).toBe(
      "Likes per day, 19 Oct to 21 Oct: 15 in all, most on 20 Oct (12).",
    );
    expect(daysSummary("Views", days, "views", "en-GB")).toBe(
      "Views per day, 19 Oct to 21 Oct: none yet.",
    );
  });

  it("labels snapshots by the time since publishing", () => {
    const at = "2026-10-20T10:00:00Z";
    expect(sinceLabel(at, "2026-10-20T11:00:30Z")).toBe("1 hour");
    expect(sinceLabel(at, "2026-10-21T10:02:00Z")).toBe("1 day");
    expect(sinceLabel(at, "2026-10-27T10:00:00Z")).toBe("7 days");
    expect(sinceLabel(at, "2026-10-20T15:00:00Z")).toBe("5 hours");
  });

  it("draws one metric over a post's snapshots", () => {
    const post = makePostAnalytics({
      publishedAt: "2026-10-20T10:00:00Z",
      latest: [m("likes", 40), m("shares", 3, "Reposts")],
      snapshots: [
        { takenAt: "2026-10-20T11:00:00Z", metrics: [m("likes", 12)] },
        {
          takenAt: "2026-10-21T10:00:00Z",
          metrics: [m("likes", 40), m("shares", 3, "Reposts")],
        },
      ],
    });
    expect(snapshotMetrics(post).map((x) => x.label)).toEqual(["Likes", "Reposts"]);
    const likes = snapshotSeries(post, "likes");
    expect(likes).toEqual({ labels: ["after 1 hour", "after 1 day"], values: [12, 40] });
    expect(snapshotSeries(post, "shares")).toEqual({ labels: ["after 1 day"], values: [3] });
    expect(seriesSummary("Likes", "x", likes, "en-US")).toBe(
      "Likes on X: 12 after 1 hour, 40 after 1 day.",
    );
    expect(seriesSummary("Likes", "x", { labels: [], values: [] }, "en-US")).toBe(
      "Likes on X: no numbers yet.",
    );
  });
});
