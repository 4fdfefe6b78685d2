// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";

const startupMark = vi.fn(() => Promise.resolve({ status: "ok", data: null }));
vi.mock("./api", () => ({ api: { startupMark } }));

const { markAfterPaint } = await import("./startup");

describe("markAfterPaint", () => {
  afterEach(() => {
    vi.useRealTimers();
    startupMark.mockClear();
  });

  it("reports a mark after the next frame, and each mark once", () => {
    vi.useFakeTimers({ toFake: ["requestAnimationFrame", "setTimeout"] });
    expect(markAfterPaint("first_paint")).toBe(true);
    expect(markAfterPaint("first_paint")).toBe(false);
    expect(startupMark).not.toHaveBeenCalled();
    vi.advanceTimersToNextFrame();
    expect(startupMark).not.toHaveBeenCalled();
    vi.runAllTimers();
    expect(startupMark).toHaveBeenCalledTimes(1);
    expect(startupMark).toHaveBeenCalledWith("first_paint");

    markAfterPaint("calendar_visible");
    vi.advanceTimersToNextFrame();
    vi.runAllTimers();
    expect(startupMark).toHaveBeenCalledTimes(2);
    expect(startupMark).toHaveBeenLastCalledWith("calendar_visible");
  });
});
