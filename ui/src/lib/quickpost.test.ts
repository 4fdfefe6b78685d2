import { describe, expect, it } from "vitest";
import {
  ACCOUNTS_KEY,
  doneMessage,
  needsComposer,
  processingMessage,
  publishOutcome,
  recallAccounts,
  rememberAccounts,
  splitDateTimeLocal,
} from "./quickpost";
import { makeAccount, makeTarget } from "./fixtures";

function memory(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  };
}

const accounts = [
  makeAccount({ id: 1, username: "a" }),
  makeAccount({ id: 2, username: "b" }),
  makeAccount({ id: 3, username: "c", status: "needs_reauth" }),
];

describe("quick post account memory", () => {
  it("remembers and recalls the last choice", () => {
    const s = memory();
    rememberAccounts(s, [2, 2]);
    expect(s.data.get(ACCOUNTS_KEY)).toBe("[2]");
    expect(recallAccounts(s, accounts)).toEqual([2]);
  });

  it("forgets accounts that can no longer be published to", () => {
    const s = memory({ [ACCOUNTS_KEY]: "[3, 9]" });
    expect(recallAccounts(s, accounts)).toEqual([]);
  });

  it("picks the only connected account when nothing is remembered", () => {
    expect(recallAccounts(memory(), [accounts[0]!, accounts[2]!])).toEqual([1]);
    expect(recallAccounts(memory(), accounts)).toEqual([]);
  });

  it("leaves out accounts on platforms that can't be published to yet", () => {
    const ig = makeAccount({ id: 5, platform: "instagram" });
    const s = memory({ [ACCOUNTS_KEY]: "[5]" });
    expect(recallAccounts(s, [ig, accounts[0]!], new Set(["x" as const]))).toEqual([1]);
  });

  it("survives broken or missing storage", () => {
    expect(recallAccounts(memory({ [ACCOUNTS_KEY]: "{not json" }), [accounts[0]!])).toEqual([1]);
    const throwing = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    };
    expect(() => rememberAccounts(throwing, [1])).not.toThrow();
    expect(recallAccounts(null, accounts)).toEqual([]);
  });
});

describe("doneMessage", () => {
  it("says where it went or when it goes", () => {
    expect(doneMessage("publish_now", ["@a"], null, "en-GB", "UTC")).toBe("Posted to @a.");
    expect(doneMessage("schedule", ["@a"], "2026-10-20T07:00:00Z", "en-GB", "UTC")).toBe(
      "Scheduled for Tue 20 Oct, 07:00.",
    );
  });
});

describe("splitDateTimeLocal", () => {
  it("splits a datetime-local value, and gives empty fields for nothing", () => {
    expect(splitDateTimeLocal("2026-10-20T09:05")).toEqual({ date: "2026-10-20", time: "09:05" });
    expect(splitDateTimeLocal("2026-10-20T09:05:30")).toEqual({
      date: "2026-10-20",
      time: "09:05",
    });
    expect(splitDateTimeLocal("")).toEqual({ date: "", time: "" });
  });
});

describe("publishOutcome", () => {
  it("is done when every target is published, pending while any is on its way", () => {
    expect(publishOutcome([makeTarget("published")])).toEqual({ state: "done" });
    expect(publishOutcome([makeTarget("published"), makeTarget("publishing")]).state).toBe(
      "pending",
    );
    expect(publishOutcome([]).state).toBe("pending");
  });
  it("is sent, not done, while a network processes it", () => {
    expect(publishOutcome([makeTarget("published"), makeTarget("processing", "youtube")])).toEqual({
      state: "processing",
      platforms: ["youtube"],
    });
    expect(processingMessage(["youtube"])).toBe(
      "Sent. YouTube is processing it; Activity shows when it is live.",
    );
  });
  it("reports the backend's sentence when a target fails", () => {
    const failed = makeTarget("failed", "x", {
      error: { code: "rejected", message: "X refused the post.", detail: "403 duplicate" },
    });
    expect(publishOutcome([makeTarget("published"), failed])).toEqual({
      state: "failed",
      message: "X refused the post.",
      detail: "403 duplicate",
    });
  });
});

describe("needsComposer", () => {
  it("names networks whose problems are about fields the quick post lacks", () => {
    const issue = (field: string | null) => ({ code: "c", message: "m", field });
    expect(
      needsComposer([
        { platform: "x", issues: [issue("text"), issue(null)] },
        { platform: "youtube", issues: [issue("media"), issue("title")] },
      ]),
    ).toEqual(["youtube"]);
    expect(needsComposer([{ platform: "youtube", issues: [issue("media")] }])).toEqual([]);
  });
});
