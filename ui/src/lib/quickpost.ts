// The quick-post window: which accounts it preselects (the last choice,
// remembered in localStorage) and what it says when done.

import type { Account } from "./api";
import type { Platform, Target_Serialize } from "./bindings";
import { initialAccounts, isSelectable } from "./accounts";
import { handles } from "./compose";
import { formatWhen } from "./format";
import { handleOf, platformMeta } from "./status";

export const QUICK_POST_HASH = "#quick-post";
export const ACCOUNTS_KEY = "creatorflow.quickPost.accountIds";

type Store = Pick<Storage, "getItem" | "setItem">;

/** Remembers the accounts a quick post went to. Never throws (storage may be off). */
export function rememberAccounts(storage: Store | null, ids: number[]): void {
  try {
    storage?.setItem(ACCOUNTS_KEY, JSON.stringify([...new Set(ids)]));
  } catch {
    // Storage full or disabled: the choice is simply not remembered.
  }
}

/**
 * The accounts to preselect: the remembered ones that can still be published
 * to; if none, the only connected account when there is exactly one.
 */
export function recallAccounts(
  storage: Store | null,
  accounts: Account[],
  available: ReadonlySet<Platform> | null = null,
): number[] {
  const usable = accounts.filter((a) => isSelectable(a, available)).map((a) => a.id);
  let stored: unknown = null;
  try {
    stored = JSON.parse(storage?.getItem(ACCOUNTS_KEY) ?? "null");
  } catch {
    stored = null;
  }
  const remembered = Array.isArray(stored)
    ? stored.filter((id): id is number => typeof id === "number" && usable.includes(id))
    : [];
  if (remembered.length > 0) return remembered;
  // A quick post is always a new post: the composer's rule.
  return initialAccounts(accounts, true, available);
}

/** "Posted to @a" / "Scheduled for Tue 20 Oct, 09:00". */
export function doneMessage(
  intent: "publish_now" | "schedule",
  usernames: string[],
  scheduledAt: string | null,
  locale: string,
  zone: string,
): string {
  if (intent === "schedule" && scheduledAt) {
    return `Scheduled for ${formatWhen(scheduledAt, locale, zone)}.`;
  }
  return `Posted to ${handles(usernames)}.`;
}

/** A `datetime-local` value ("2026-10-20T09:00") as the composer's date and time fields. */
export function splitDateTimeLocal(value: string): { date: string; time: string } {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value.trim());
  return m ? { date: m[1]!, time: m[2]! } : { date: "", time: "" };
}

export type Outcome =
  | { state: "pending" }
  | { state: "done" }
  /** Every target is out, and a network is still processing its copy. */
  | { state: "processing"; platforms: Platform[] }
  | { state: "failed"; message: string; detail: string | null };

/** How a Post now went so far, from the post's targets. */
export function publishOutcome(
  targets: Pick<Target_Serialize, "status" | "error" | "username" | "platform">[],
): Outcome {
  const bad = targets.find((t) =>
    ["failed", "needs_reauth", "unconfirmed", "missed", "cancelled"].includes(t.status),
  );
  if (bad) {
    return {
      state: "failed",
      message:
        bad.error?.message ??
        `Publishing to ${handleOf(bad.platform, bad.username)} did not finish.`,
      detail: bad.error?.detail ?? null,
    };
  }
  if (targets.length > 0 && targets.every((t) => t.status === "published"))
    return { state: "done" };
  if (targets.length > 0 && targets.every((t) => ["published", "processing"].includes(t.status))) {
    const platforms = [
      ...new Set(targets.filter((t) => t.status === "processing").map((t) => t.platform)),
    ];
    return { state: "processing", platforms };
  }
  return { state: "pending" };
}

/** "Sent. YouTube is processing it; Activity shows when it is live." */
export function processingMessage(platforms: Platform[]): string {
  const names = platforms.map((p) => platformMeta(p).name);
  const who =
    names.length <= 1
      ? names.join("")
      : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `Sent. ${who || "The network"} is processing it; Activity shows when it is live.`;
}

/** Fields the quick-post window shows: problems with any other field need the composer. */
const QUICK_FIELDS = new Set(["text", "media"]);

/**
 * The networks whose problems are about fields the quick-post window does not
 * have (a YouTube title, "made for kids"): the post is better written in the composer.
 */
export function needsComposer(
  summaries: { platform: Platform; issues: { field?: string | null }[] }[],
): Platform[] {
  return summaries
    .filter((s) => s.issues.some((i) => !!i.field && !QUICK_FIELDS.has(i.field)))
    .map((s) => s.platform);
}
