import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDebounced } from "./check";

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
