// The composer's per-platform logic: counters and issues from `checkPost`,
// the X thread as per-account options, what the keyboard shortcut does.

import type { Account, PlatformCheck, Post } from "./api";
import type {
  PartCount,
  Platform,
  TargetOptionsInput_Deserialize,
  ValidationIssue_Serialize,
} from "./bindings";
import { PLATFORMS, platformMeta } from "./status";

/** "123/280". */
export function counterText(part: PartCount): string {
  return `${part.used.toLocaleString("en-US")}/${part.limit.toLocaleString("en-US")}`;
}

export function isOver(part: PartCount | null | undefined): boolean {
  return !!part && part.used > part.limit;
}

/** "X 123/280" (the counter's accessible and visible text). */
export function counterLabel(platform: Platform, part: PartCount): string {
  return `${platformMeta(platform).name} ${counterText(part)}`;
}

export interface PlatformSummary {
  platform: Platform;
  /** Main text first, then each thread part (from the platform's first account). */
  parts: PartCount[];
  /** Every problem, each once, each naming the platform. */
  issues: ValidationIssue_Serialize[];
  accountIds: number[];
}

/**
 * One summary per platform (several accounts on one platform share the same
 * rules and counts), in the app's platform order.
 */
export function summarizeChecks(checks: PlatformCheck[]): PlatformSummary[] {
  const out: PlatformSummary[] = [];
  for (const platform of PLATFORMS) {
    const mine = checks.filter((c) => c.platform === platform);
    if (mine.length === 0) continue;
    const issues: ValidationIssue_Serialize[] = [];
    for (const c of mine) {
      for (const issue of c.issues) {
        if (!issues.some((i) => i.message === issue.message)) issues.push(issue);
      }
    }
    out.push({
      platform,
      parts: mine[0]!.parts,
      issues,
      accountIds: mine.map((c) => c.accountId),
    });
  }
  return out;
}

/** Every issue's message prefixed with the platform when it does not already name it. */
export function issueText(platform: Platform, message: string): string {
  const name = platformMeta(platform).name;
  return message.includes(name) ? message : `${name}: ${message}`;
}

/** Whether any check found a problem that stops scheduling or posting. */
export function hasBlockingIssues(checks: PlatformCheck[]): boolean {
  return checks.some((c) => c.issues.length > 0);
}

/** The platforms among `accountIds` that take threads (X). */
export function threadAccountIds(accountIds: number[], accounts: Account[]): number[] {
  return accountIds.filter((id) => accounts.find((a) => a.id === id)?.platform === "x");
}

/**
 * The per-account options to send: every picked X account gets `thread` (the
 * same thread for all of them); every other picked account keeps what it had.
 * A per-account text variant is kept as is. Options of accounts that are no
 * longer picked are dropped (the backend refuses them).
 */
export function buildOptions(
  accountIds: number[],
  accounts: Account[],
  thread: string[],
  existing: TargetOptionsInput_Deserialize[],
): TargetOptionsInput_Deserialize[] {
  const xIds = new Set(threadAccountIds(accountIds, accounts));
  const out: TargetOptionsInput_Deserialize[] = [];
  for (const id of accountIds) {
    const had = existing.find((o) => o.accountId === id)?.options;
    const text = had?.text ?? null;
    if (xIds.has(id)) {
      out.push({ accountId: id, options: { text, thread: [...thread] } });
    } else if (had) {
      out.push({ accountId: id, options: { text, thread: had.thread ?? [] } });
    }
  }
  return out;
}

/** The thread an existing post carries (its first X target's), for editing. */
export function threadOf(post: Pick<Post, "targets"> | null): string[] {
  const x = post?.targets.find((t) => t.platform === "x" && t.options.thread.length > 0);
  return x ? [...x.options.thread] : [];
}

/** What Ctrl/Cmd+Enter does: schedule when a time and accounts are set, else save a draft. */
export function shortcutIntent(hasTime: boolean, pickedCount: number): "schedule" | "draft" {
  return hasTime && pickedCount > 0 ? "schedule" : "draft";
}

/** "@a", "@a and @b", "@a, @b and @c". */
export function handles(usernames: string[]): string {
  const at = usernames.map((u) => `@${u}`);
  if (at.length <= 1) return at.join("");
  return `${at.slice(0, -1).join(", ")} and ${at[at.length - 1]}`;
}
