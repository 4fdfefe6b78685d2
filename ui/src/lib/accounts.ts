// Accounts as the Accounts view and the composer's picker show them.

import type { Account } from "./api";
import type { AccountStatus, Platform } from "./bindings";
import { PLATFORMS, platformMeta } from "./status";

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * How long until an instant, in words: "3 days", "5 hours", "12 minutes",
 * "less than a minute". Rounds down. `null` when it has passed.
 */
export function timeUntil(atMs: number, now: Date): string | null {
  const left = atMs - now.getTime();
  if (left <= 0) return null;
  if (left >= 2 * DAY_MS) return plural(Math.floor(left / DAY_MS), "day");
  if (left >= HOUR_MS) return plural(Math.floor(left / HOUR_MS), "hour");
  if (left >= MINUTE_MS) return plural(Math.floor(left / MINUTE_MS), "minute");
  return "less than a minute";
}

/**
 * "Token expires in 12 days" / "in 5 hours", or `null` when the platform gave
 * no expiry. Below two days it counts hours, so a day-and-a-half token says
 * "36 hours" rather than "1 day".
 */
export function tokenExpiryText(tokenExpiresAt: string | null, now: Date): string | null {
  if (!tokenExpiresAt) return null;
  const at = Date.parse(tokenExpiresAt);
  if (Number.isNaN(at)) return null;
  const left = timeUntil(at, now);
  return left ? `Token expires in ${left}` : "Token expired: reconnect to keep publishing";
}

/**
 * Whether CreatorFlow keeps the sign-in fresh by itself: the backend says
 * when a sign-in ends (`reauthBy`), and `null` means it lasts until revoked,
 * so a short-lived access token is renewed before it is needed. (An X grant
 * with `offline.access` holds a refresh token too.)
 */
export function renewsAutomatically(account: Pick<Account, "scopes" | "reauthBy">): boolean {
  return account.reauthBy === null || account.scopes.includes("offline.access");
}

/**
 * The line under an account's handle about its sign-in, or `null`. A sign-in
 * that ends (`reauthBy`) is told by the badge (`reauthBadge`) instead.
 */
export function signInText(
  account: Pick<Account, "scopes" | "tokenExpiresAt" | "status" | "reauthBy">,
  now: Date,
): string | null {
  if (account.status !== "connected" || account.reauthBy) return null;
  // No end: the short-lived token (if any) is renewed in time.
  if (account.tokenExpiresAt && renewsAutomatically(account)) return "Sign-in renews automatically";
  return tokenExpiryText(account.tokenExpiresAt, now);
}

/** Within this many days of its end, a sign-in's badge turns amber and asks to reconnect. */
export const REAUTH_WARN_DAYS = 7;

export interface ReauthBadge {
  text: string;
  /** Ends within `REAUTH_WARN_DAYS` (or has ended): amber, with Reconnect. */
  soon: boolean;
}

/**
 * "Sign-in ends in 5 days" for an account whose sign-in ends unless it is
 * reconnected, or `null` when it lasts (or the account is not connected).
 */
export function reauthBadge(
  account: Pick<Account, "reauthBy" | "status">,
  now: Date,
): ReauthBadge | null {
  if (account.status !== "connected" || !account.reauthBy) return null;
  const at = Date.parse(account.reauthBy);
  if (Number.isNaN(at)) return null;
  const left = timeUntil(at, now);
  if (!left) return { text: "Sign-in ended: reconnect to keep publishing", soon: true };
  return {
    text: `Sign-in ends in ${left}`,
    soon: at - now.getTime() <= REAUTH_WARN_DAYS * DAY_MS,
  };
}

/**
 * The account was connected before CreatorFlow read posts' numbers: its
 * sign-in lacks the permissions for them, and reconnecting grants them (it
 * publishes meanwhile). Only a connected account is asked; one that must
 * reconnect anyway says so already.
 */
export function needsAnalyticsReconnect(
  account: Pick<Account, "status" | "analyticsScopesMissing">,
): boolean {
  return account.status === "connected" && (account.analyticsScopesMissing ?? []).length > 0;
}

const STATUS_LABEL: Record<AccountStatus, string> = {
  connected: "Connected",
  needs_reauth: "Needs reconnect",
  disconnected: "Disconnected",
};

export function accountStatusLabel(status: AccountStatus): string {
  return STATUS_LABEL[status] ?? status;
}

/** Accounts grouped per platform, every platform present, in the app's platform order. */
export function accountsByPlatform(
  accounts: Account[],
): { platform: Platform; accounts: Account[] }[] {
  return PLATFORMS.map((platform) => ({
    platform,
    accounts: accounts
      .filter((a) => a.platform === platform)
      .sort((a, b) => a.username.localeCompare(b.username)),
  }));
}

/** The letter on an account's avatar placeholder. */
export function avatarLetter(account: Pick<Account, "displayName" | "username">): string {
  const source = account.displayName.trim() || account.username.trim();
  const first = [...source][0];
  return first ? first.toUpperCase() : "?";
}

/**
 * Whether the webview may load this avatar URL under the app's CSP (img-src:
 * self, data:, the asset protocol and loopback). Remote avatars are not loaded;
 * the letter placeholder shows instead.
 */
export function canShowAvatar(url: string | null): url is string {
  if (!url) return false;
  return /^(data:image\/|asset:|https?:\/\/asset\.localhost\/|http:\/\/127\.0\.0\.1:\d+\/)/.test(
    url,
  );
}

/** Accounts the composer can publish to right now. */
export function isSelectable(
  account: Pick<Account, "status" | "platform">,
  available: ReadonlySet<Platform> | null = null,
): boolean {
  return unselectableReason(account, available) === null;
}

/**
 * Why an account in the picker can't be picked, or `null` when it can.
 * `available` is the set of platforms CreatorFlow publishes to (from the
 * platform catalog); `null` while it is not known.
 */
export function unselectableReason(
  account: Pick<Account, "status" | "platform">,
  available: ReadonlySet<Platform> | null = null,
): string | null {
  if (available && !available.has(account.platform)) {
    return `Coming soon — CreatorFlow can't publish to ${platformMeta(account.platform).name} yet`;
  }
  switch (account.status) {
    case "connected":
      return null;
    case "needs_reauth":
      return "Reconnect first";
    default:
      return "Disconnected — reconnect first";
  }
}

/**
 * The accounts a composer starts with picked: for a new post, the only account
 * that can be published to, when there is exactly one (with two or more the
 * creator chooses; with none there is nothing to pick). An existing post or a
 * reopened draft keeps its own targets, so it gets none from here.
 */
export function initialAccounts(
  accounts: Pick<Account, "id" | "status" | "platform">[],
  isNew: boolean,
  available: ReadonlySet<Platform> | null = null,
): number[] {
  if (!isNew) return [];
  const usable = accounts.filter((a) => isSelectable(a, available));
  return usable.length === 1 ? [usable[0]!.id] : [];
}
