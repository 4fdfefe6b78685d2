import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConnectStarted } from "./api";
import {
  cancelWaiting,
  connectFlow,
  EXPIRED_MESSAGE,
  finishConnect,
  startWaiting,
} from "./connect.svelte";

const started = (browserError: string | null = null): ConnectStarted => ({
  start: {
    platform: "x",
    authorizeUrl: "https://x.com/i/oauth2/authorize?client_id=a&state=s",
    redirectUri: "http://127.0.0.1:4567/callback",
    loopbackPort: 4567,
    loginWindow: null,
    expiresAt: "2026-05-01T12:10:00Z",
  },
  browserError,
});

describe("the connect flow", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-05-01T12:00:00Z"));
  });
  afterEach(() => {
    cancelWaiting();
    connectFlow.errors = {};
    vi.useRealTimers();
  });

  it("waits with the sign-in link, whether the browser opened or not", () => {
    startWaiting(started(), 3);
    expect(connectFlow.waiting).toEqual({
      platform: "x",
      expiresAt: "2026-05-01T12:10:00Z",
      authorizeUrl: "https://x.com/i/oauth2/authorize?client_id=a&state=s",
      browserError: null,
      inWindow: false,
      accountId: 3,
    });
    startWaiting(started("no browser"), null);
    expect(connectFlow.waiting?.browserError).toBe("no browser");
    expect(connectFlow.waiting?.authorizeUrl).toContain("oauth2/authorize");
  });

  it("knows a sign-in that happens in CreatorFlow's own window", () => {
    const s = started();
    s.start.loginWindow = {
      hosts: ["www.instagram.com"],
      redirectUri: "https://www.facebook.com/connect/login_success.html",
    };
    startWaiting(s, null);
    expect(connectFlow.waiting?.inWindow).toBe(true);
  });

  it("stops waiting when the sign-in ends, or when its link expires", () => {
    startWaiting(started("no browser"), null);
    expect(finishConnect({ platform: "x", accountId: 1, ok: true, message: "Connected" })).toBe(
      "x",
    );
    expect(connectFlow.waiting).toBeNull();
    startWaiting(started(), null);
    vi.advanceTimersByTime(10 * 60 * 1000);
    expect(connectFlow.waiting).toBeNull();
    expect(connectFlow.errors.x).toBe(EXPIRED_MESSAGE);
  });
});
