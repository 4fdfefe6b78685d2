import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PlatformCheck, PostInput } from "./api";
import { CHECK_DELAY_MS, createDebounced, createPostCheck } from "./check";
import type { Result } from "./result";

describe("createDebounced", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs once per pause, with the latest input", async () => {
    const run = vi.fn(async (s: string) => s.length);
    const got: number[] = [];
    const d = createDebounced(run, (n: number) => got.push(n), 250);
    d.schedule("a");
    d.schedule("ab");
    vi.advanceTimersByTime(249);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    await vi.runAllTimersAsync();
    expect(run).toHaveBeenCalledTimes(1);
    expect(got).toEqual([2]);
  });

  it("drops an answer overtaken by a newer check", async () => {
    const resolvers: ((n: number) => void)[] = [];
    const run = vi.fn(() => new Promise<number>((r) => resolvers.push(r)));
    const got: number[] = [];
    const d = createDebounced(run, (n: number) => got.push(n), 10);
    d.schedule("first");
    d.flush();
    d.schedule("second");
    d.flush();
    resolvers[1]!(2);
    resolvers[0]!(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toEqual([2]);
  });

  it("ignores everything after cancel", async () => {
    const run = vi.fn(async () => 1);
    const got: number[] = [];
    const d = createDebounced(run, (n: number) => got.push(n), 10);
    d.schedule("x");
    d.cancel();
    await vi.runAllTimersAsync();
    expect(run).not.toHaveBeenCalled();
    expect(got).toEqual([]);
  });
});

describe("createPostCheck", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const fields = {
    text: "hello",
    zone: "Europe/Berlin",
    accountIds: [3],
    mediaIds: [7],
    options: [],
  };

  it("asks about the content alone, as a draft without a time, after a pause", async () => {
    const answer: Result<PlatformCheck[]> = { status: "ok", data: [] };
    const check = vi.fn(async (_: PostInput) => answer);
    const got: Result<PlatformCheck[]>[] = [];
    const checker = createPostCheck((r) => got.push(r), check);
    checker.schedule({ ...fields, text: "h" });
    checker.schedule(fields);
    vi.advanceTimersByTime(CHECK_DELAY_MS - 1);
    expect(check).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(check).toHaveBeenCalledExactlyOnceWith({
      ...fields,
      scheduledAt: null,
      intent: "draft",
    });
    expect(got).toEqual([answer]);
  });

  it("passes errors on to the caller", async () => {
    const answer: Result<PlatformCheck[]> = {
      status: "error",
      error: { code: "internal", message: "no" },
    };
    const got: Result<PlatformCheck[]>[] = [];
    const checker = createPostCheck(
      (r) => got.push(r),
      async () => answer,
    );
    checker.schedule(fields);
    checker.flush();
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toEqual([answer]);
  });
});
