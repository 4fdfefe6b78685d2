// The account-connect flow in progress, shared by the Accounts view (which
// shows "Waiting for X in your browser…") and the app shell (which hears how
// it ended, whatever view is showing).

import type { ConnectStarted } from "./api";
import type { ConnectResult_Serialize, Platform } from "./bindings";

export interface Waiting {
  platform: Platform;
  /** When the sign-in link stops working (ISO instant). */
  expiresAt: string;
  /** The sign-in link, for the creator to open themselves (always offered). */
  authorizeUrl: string;
  /** Why the browser could not be opened at the link, in words; null when it was. */
  browserError: string | null;
  /** The sign-in happens in CreatorFlow's own sign-in window, not the browser. */
  inWindow: boolean;
  /** The account being reconnected, if it is a reconnect. */
  accountId: number | null;
}

export const connectFlow = $state<{
  waiting: Waiting | null;
  /** The last failure per platform, shown in its card until the next attempt. */
  errors: Partial<Record<Platform, string>>;
}>({ waiting: null, errors: {} });

let expiryTimer: ReturnType<typeof setTimeout> | undefined;

export const EXPIRED_MESSAGE =
  "The sign-in link expired before the browser came back. Connect again to try once more.";

export function startWaiting(started: ConnectStarted, accountId: number | null): void {
  const { start, browserError } = started;
  clearTimeout(expiryTimer);
  connectFlow.errors = { ...connectFlow.errors, [start.platform]: undefined };
  connectFlow.waiting = {
    platform: start.platform,
    expiresAt: start.expiresAt,
    authorizeUrl: start.authorizeUrl,
    browserError,
    inWindow: start.loginWindow !== null,
    accountId,
  };
  const left = Date.parse(start.expiresAt) - Date.now();
  if (Number.isFinite(left)) {
    expiryTimer = setTimeout(
      () => {
        if (connectFlow.waiting?.expiresAt !== start.expiresAt) return;
        connectFlow.waiting = null;
        connectFlow.errors = { ...connectFlow.errors, [start.platform]: EXPIRED_MESSAGE };
      },
      Math.max(0, left),
    );
  }
}

export function cancelWaiting(): void {
  clearTimeout(expiryTimer);
  connectFlow.waiting = null;
}

export function setConnectError(platform: Platform, message: string | null): void {
  connectFlow.errors = { ...connectFlow.errors, [platform]: message ?? undefined };
}

/**
 * Records how a connect ended; returns the platform it was about (the event
 * may not say, e.g. a callback that could not be read).
 */
export function finishConnect(result: ConnectResult_Serialize): Platform | null {
  const platform = result.platform ?? connectFlow.waiting?.platform ?? null;
  if (!connectFlow.waiting || !platform || connectFlow.waiting.platform === platform) {
    cancelWaiting();
  }
  if (platform) setConnectError(platform, result.ok ? null : result.message);
  return platform;
}
