// Accounts as the Accounts view and the composer's picker show them.

import type { Account } from "./api";
import type { AccountStatus, Platform } from "./bindings";
import { PLATFORMS } from "./status";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * "Token expires in 12 days" and friends, or `null` when the platform gave no
 * expiry. Rounds down: a token with 36 hours left "expires tomorrow".
 */
export function tokenExpiryText(tokenExpiresAt: string | null, now: Date): string | null {
  if (!tokenExpiresAt) return null;
  const at = Date.parse(tokenExpiresAt);
  if (Number.isNaN(at)) return null;
  const left = at - now.getTime();
  if (left <= 0) return "Token expired: reconnect to keep publishing";
  const days = Math.floor(left / DAY_MS);
  if (days === 0) return "Token expires today";
  if (days === 1) return "Token expires tomorrow";
  return `Token expires in ${days} days`;
}

const STATUS_LABEL: Record<AccountStatus, string> = {
  connected: "Connected",
  needs_reauth: "Reconnect needed",
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
