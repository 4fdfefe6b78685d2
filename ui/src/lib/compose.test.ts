import { describe, expect, it } from "vitest";
import type { PlatformCheck } from "./api";
import type { FieldCount } from "./bindings";
import {
  counterLabel,
  counterText,
  counterTitle,
  countOf,
  countsFor,
  handles,
  hasBlockingIssues,
  hasIssue,
  isOver,
  issueText,
  shortcutIntent,
  summarizeChecks,
  threadField,
  unitOf,
} from "./compose";

const field = (over: Partial<FieldCount> = {}): FieldCount => ({
  field: "text",
  label: "Post",
  used: 12,
  limit: 280,
  counting: "x_weighted",
  ...over,
});

const check = (over: Partial<PlatformCheck> = {}): PlatformCheck => ({
  accountId: 1,
  platform: "x",
  counts: [field()],
  issues: [],
  ...over,
});

// What the backend sends for a YouTube channel (crates/platforms/src/youtube/validate.rs).
const youtubeCounts = (description: number, title: number, tags = 0): FieldCount[] => [
  { field: "text", label: "Description", used: description, limit: 5000, counting: "bytes" },
  { field: "title", label: "Title", used: title, limit: 100, counting: "characters" },
  { field: "tags", label: "Tags", used: tags, limit: 500, counting: "characters" },
];

describe("counters", () => {
  it("formats used/limit, and names the unit only once over the limit", () => {
    expect(counterText(field({ used: 123 }))).toBe("123/280");
    expect(counterText(field({ used: 3000, limit: 2200, counting: "characters" }))).toBe(
      "3,000/2,200 characters",
    );
    const description = youtubeCounts(5120, 3)[0]!;
    expect(counterText(description)).toBe("5,120/5,000 bytes");
    expect(counterText({ ...description, used: 5000 })).toBe("5,000/5,000");
  });

  it("is over only past the limit", () => {
    expect(isOver(field({ used: 280 }))).toBe(false);
    expect(isOver(field({ used: 281 }))).toBe(true);
    expect(isOver(undefined)).toBe(false);
    expect(isOver(null)).toBe(false);
  });

  it("names the platform and the field, and the rule in the tooltip", () => {
    expect(counterLabel("x", field({ used: 123 }))).toBe("X Post 123/280");
    const title = youtubeCounts(0, 12)[1]!;
    expect(counterLabel("youtube", title)).toBe("YouTube Title 12/100");
    expect(counterTitle("youtube", youtubeCounts(4980, 0)[0]!)).toBe(
      "Description: 4,980 of 5,000 bytes, as YouTube counts them.",
    );
    expect(counterTitle("x", field())).toMatch(/links count 23/);
  });

  it("counts in the rule's unit", () => {
    expect(unitOf("bytes")).toBe("bytes");
    expect(unitOf("bytes", 1)).toBe("byte");
    expect(unitOf("x_weighted")).toBe("characters");
    expect(unitOf("utf16")).toBe("characters");
  });
});

describe("counts by field", () => {
  const summaries = summarizeChecks([
    check({
      counts: [
        field({ used: 40 }),
        field({ field: "thread.1", label: "Part 2", used: 300 }),
        field({ field: "thread.2", label: "Part 3", used: 10 }),
      ],
    }),
    check({ accountId: 9, platform: "youtube", counts: youtubeCounts(40, 0) }),
  ]);

  it("finds each network's count of a field", () => {
    expect(countsFor(summaries, "text").map((c) => [c.platform, c.count.limit])).toEqual([
      ["x", 280],
      ["youtube", 5000],
    ]);
    expect(countsFor(summaries, "title").map((c) => c.platform)).toEqual(["youtube"]);
    expect(countsFor(summaries, "thread.2").map((c) => c.count.used)).toEqual([10]);
    expect(countsFor(summaries, "nothing")).toEqual([]);
  });

  it("maps thread parts to their field keys (index 0 is the second part)", () => {
    expect(threadField(0)).toBe("thread.1");
    expect(threadField(1)).toBe("thread.2");
    const x = summaries.find((s) => s.platform === "x")!;
    expect(countOf(x, threadField(0))!.used).toBe(300);
    expect(isOver(countOf(x, threadField(0)))).toBe(true);
    expect(countOf(x, threadField(5))).toBeNull();
    expect(countOf(null, "text")).toBeNull();
  });
});

describe("summarizeChecks", () => {
  it("gives one summary per platform, in the app's order, with each issue once", () => {
    const issue = { code: "too_many_images", message: "X allows up to 4 images.", field: "media" };
    const out = summarizeChecks([
      check({ accountId: 4, platform: "youtube", counts: youtubeCounts(1, 1) }),
      check({ accountId: 1, issues: [issue] }),
      check({ accountId: 2, issues: [issue] }),
    ]);
    expect(out.map((s) => s.platform)).toEqual(["x", "youtube"]);
    expect(out[0]!.accountIds).toEqual([1, 2]);
    expect(out[0]!.issues).toHaveLength(1);
    expect(out[1]!.counts.map((c) => c.field)).toEqual(["text", "title", "tags"]);
    expect(hasBlockingIssues([check({ issues: [issue] })])).toBe(true);
    expect(hasBlockingIssues([check()])).toBe(false);
  });

  it("knows which fields an issue is about", () => {
    const issues = [{ code: "title_missing", message: "YouTube needs a title.", field: "title" }];
    expect(hasIssue(issues, "title")).toBe(true);
    expect(hasIssue(issues, "tags")).toBe(false);
  });

  it("names the platform in an issue that does not", () => {
    expect(issueText("x", "Your X post is empty.")).toBe("Your X post is empty.");
    expect(issueText("x", "Too long.")).toBe("X: Too long.");
    expect(issueText("youtube", "Too long.")).toBe("YouTube: Too long.");
  });
});

describe("keyboard and words", () => {
  it("schedules with Ctrl+Enter only with a time and accounts", () => {
    expect(shortcutIntent(true, 1)).toBe("schedule");
    expect(shortcutIntent(true, 0)).toBe("draft");
    expect(shortcutIntent(false, 2)).toBe("draft");
  });
  it("lists handles", () => {
    expect(handles(["@a"])).toBe("@a");
    expect(handles(["@a", "@b", "Ann Lee"])).toBe("@a, @b and Ann Lee");
    expect(handles([])).toBe("");
  });
});
