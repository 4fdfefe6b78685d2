import { describe, expect, it, vi } from "vitest";
import type { DataChanged } from "./bindings";
import { createEventHub, createLiveHub, listenSafely, takeOpenPostRequest } from "./live";

const change = (entity: DataChanged["entity"]): DataChanged => ({
  entity,
  ids: [1],
  source: "user",
});

describe("createLiveHub", () => {
  it("listens once and routes changes by entity", async () => {
    let emit: ((e: { payload: DataChanged }) => void) | undefined;
    const listen = vi.fn(async (cb: (e: { payload: DataChanged }) => void) => {
      emit = cb;
      return () => {};
    });
    const hub = createLiveHub(listen);
    const posts = vi.fn();
    const accounts = vi.fn();
    hub.on("posts", posts);
    hub.on("accounts", accounts);
    await Promise.resolve();
    expect(listen).toHaveBeenCalledTimes(1);
    emit!({ payload: change("posts") });
    expect(posts).toHaveBeenCalledWith(change("posts"));
    expect(accounts).not.toHaveBeenCalled();
  });

  it("stops calling a handler after it unsubscribes, and survives a failing one", () => {
    const hub = createLiveHub(async () => () => {});
    const bad = vi.fn(() => {
      throw new Error("boom");
    });
    const good = vi.fn();
    const quiet = console.error;
    console.error = () => {};
    try {
      const off = hub.on("settings", bad);
      hub.on("settings", good);
      hub.dispatch(change("settings"));
      off();
      hub.dispatch(change("settings"));
    } finally {
      console.error = quiet;
    }
    expect(bad).toHaveBeenCalledTimes(1);
    expect(good).toHaveBeenCalledTimes(2);
  });

  it("does not fail when there is no backend to listen to", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const hub = createLiveHub(() => Promise.reject(new Error("no tauri")));
    const handler = vi.fn();
    hub.on("posts", handler);
    await new Promise((r) => setTimeout(r, 0));
    hub.dispatch(change("posts"));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it("releases the backend listener on close, even if it arrives late", async () => {
    const stop = vi.fn();
    let resolve: ((f: () => void) => void) | undefined;
    const hub = createLiveHub(() => new Promise((r) => (resolve = r)));
    hub.on("posts", () => {});
    hub.close();
    resolve!(stop);
    await Promise.resolve();
    await Promise.resolve();
    expect(stop).toHaveBeenCalledTimes(1);
  });
});

describe("listenSafely", () => {
  it("delivers payloads and stops even when stopped before listening began", async () => {
    const got: number[] = [];
    let emit: ((e: { payload: number }) => void) | undefined;
    const unlisten = vi.fn();
    let resolve: ((f: () => void) => void) | undefined;
    const stop = listenSafely<number>(
      (cb) => {
        emit = cb;
        return new Promise((r) => (resolve = r));
      },
      (n) => got.push(n),
    );
    emit!({ payload: 3 });
    expect(got).toEqual([3]);
    stop();
    resolve!(unlisten);
    await Promise.resolve();
    await Promise.resolve();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });

  it("survives a listen that throws synchronously", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const stop = listenSafely<number>(
      () => {
        throw new Error("no tauri");
      },
      () => {},
    );
    expect(() => stop()).not.toThrow();
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});

describe("createEventHub", () => {
  it("listens once for all subscribers and delivers to each", async () => {
    let emit: ((e: { payload: string }) => void) | undefined;
    const listen = vi.fn(async (cb: (e: { payload: string }) => void) => {
      emit = cb;
      return () => {};
    });
    const hub = createEventHub<string>(listen);
    const a = vi.fn();
    const b = vi.fn();
    const offA = hub.on(a);
    hub.on(b);
    expect(listen).toHaveBeenCalledTimes(1);
    emit!({ payload: "one" });
    offA();
    emit!({ payload: "two" });
    expect(a.mock.calls).toEqual([["one"]]);
    expect(b.mock.calls).toEqual([["one"], ["two"]]);
  });

  it("delivers local dispatches without a backend", () => {
    const hub = createEventHub<number>(null);
    const got: number[] = [];
    hub.on((n) => got.push(n));
    hub.dispatch(7);
    expect(got).toEqual([7]);
  });
});

describe("takeOpenPostRequest", () => {
  it("delivers the backend's pending post once, and nothing when none is pending", async () => {
    let pending: number | null = 42;
    const take = vi.fn(async () => {
      const data = pending;
      pending = null;
      return { status: "ok" as const, data };
    });
    const got: number[] = [];
    await takeOpenPostRequest((id) => got.push(id), take);
    await takeOpenPostRequest((id) => got.push(id), take);
    expect(got).toEqual([42]);
    expect(take).toHaveBeenCalledTimes(2);
  });

  it("delivers nothing when the backend cannot be asked", async () => {
    const got: number[] = [];
    await takeOpenPostRequest(
      (id) => got.push(id),
      async () => ({
        status: "error" as const,
        error: { code: "internal" as const, message: "no backend" },
      }),
    );
    expect(got).toEqual([]);
  });
});
