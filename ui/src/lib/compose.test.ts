import { describe, expect, it } from "vitest";
import type { PlatformCheck } from "./api";
import {
  buildOptions,
  counterLabel,
  counterText,
  handles,
  hasBlockingIssues,
  isOver,
  issueText,
  shortcutIntent,
  summarizeChecks,
  threadOf,
} from "./compose";
import { makeAccount, makePost, makeTarget } from "./fixtures";

const check = (over: Partial<PlatformCheck> = {}): PlatformCheck => ({
  accountId: 1,
  platform: "x",
  parts: [{ used: 12, limit: 280 }],
  issues: [],
  ...over,
});

describe("counters", () => {
  it("formats used/limit and names the platform", () => {
    expect(counterText({ used: 123, limit: 280 })).toBe("123/280");
    expect(counterText({ used: 3000, limit: 2200 })).toBe("3,000/2,200");
    expect(counterLabel("x", { used: 123, limit: 280 })).toBe("X 123/280");
  });
  it("is over only past the limit", () => {
    expect(isOver({ used: 280, limit: 280 })).toBe(false);
    expect(isOver({ used: 281, limit: 280 })).toBe(true);
    expect(isOver(undefined)).toBe(false);
  });
});

describe("summarizeChecks", () => {
  it("gives one summary per platform with each issue once", () => {
    const issue = { code: "too_many_images", message: "X allows up to 4 images.", part: 0 };
    const out = summarizeChecks([
      check({ accountId: 1, issues: [issue] }),
      check({ accountId: 2, issues: [issue] }),
      check({ accountId: 3, platform: "linkedin", parts: [] }),
    ]);
    expect(out.map((s) => s.platform)).toEqual(["x", "linkedin"]);
    expect(out[0]!.accountIds).toEqual([1, 2]);
    expect(out[0]!.issues).toHaveLength(1);
    expect(hasBlockingIssues([check({ issues: [issue] })])).toBe(true);
    expect(hasBlockingIssues([check()])).toBe(false);
  });
  it("names the platform in an issue that does not", () => {
    expect(issueText("x", "Your X post is empty.")).toBe("Your X post is empty.");
    expect(issueText("x", "Too long.")).toBe("X: Too long.");
  });
});

describe("buildOptions", () => {
  const accounts = [
    makeAccount({ id: 1, platform: "x", username: "a" }),
    makeAccount({ id: 2, platform: "x", username: "b" }),
    makeAccount({ id: 3, platform: "linkedin", username: "c" }),
  ];

  it("gives every picked X account the thread", () => {
    expect(buildOptions([1, 2], accounts, ["two", "three"], [])).toEqual([
      { accountId: 1, options: { text: null, thread: ["two", "three"] } },
      { accountId: 2, options: { text: null, thread: ["two", "three"] } },
    ]);
  });

  it("keeps text variants and other platforms' options, and drops unpicked accounts", () => {
    const existing = [
      { accountId: 1, options: { text: "variant", thread: ["old"] } },
      { accountId: 2, options: { text: null, thread: ["old"] } },
      { accountId: 3, options: { text: "li text", thread: [] } },
    ];
    expect(buildOptions([1, 3], accounts, [], existing)).toEqual([
      { accountId: 1, options: { text: "variant", thread: [] } },
      { accountId: 3, options: { text: "li text", thread: [] } },
    ]);
  });

  it("reads the thread back from an existing post", () => {
    const post = makePost({
      targets: [
        makeTarget("scheduled", "linkedin", { accountId: 3 }),
        makeTarget("scheduled", "x", { options: { text: null, thread: ["2/2"] } }),
      ],
    });
    expect(threadOf(post)).toEqual(["2/2"]);
    expect(threadOf(null)).toEqual([]);
  });
});

describe("keyboard and words", () => {
  it("schedules with Ctrl+Enter only with a time and accounts", () => {
    expect(shortcutIntent(true, 1)).toBe("schedule");
    expect(shortcutIntent(true, 0)).toBe("draft");
    expect(shortcutIntent(false, 2)).toBe("draft");
  });
  it("lists handles", () => {
    expect(handles(["a"])).toBe("@a");
    expect(handles(["a", "b", "c"])).toBe("@a, @b and @c");
    expect(handles([])).toBe("");
  });
});
