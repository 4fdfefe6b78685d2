// The composer's per-platform logic: counters and issues from `checkPost`,
// what the keyboard shortcut does.

import type { PlatformCheck } from "./api";
import type { CountingRule, FieldCount, Platform, ValidationIssue_Serialize } from "./bindings";
import { PLATFORMS, platformMeta } from "./status";

const UNITS: Record<CountingRule, [string, string]> = {
  x_weighted: ["character", "characters"],
  characters: ["character", "characters"],
  utf16: ["character", "characters"],
  bytes: ["byte", "bytes"],
};

/** The unit a rule counts in ("bytes" for YouTube's description). */
export function unitOf(counting: CountingRule, n = 2): string {
  const [one, many] = UNITS[counting] ?? ["", ""];
  return n === 1 ? one : many;
}

/** "123/280"; over the limit, the unit too: "5,120/5,000 bytes". */
export function counterText(count: Pick<FieldCount, "used" | "limit" | "counting">): string {
  const base = `${count.used.toLocaleString("en-US")}/${count.limit.toLocaleString("en-US")}`;
  return isOver(count) ? `${base} ${unitOf(count.counting, count.limit)}` : base;
}

export function isOver(count: Pick<FieldCount, "used" | "limit"> | null | undefined): boolean {
  return !!count && count.used > count.limit;
}

/** "YouTube Title 12/100" (the counter's accessible text). */
export function counterLabel(platform: Platform, count: FieldCount): string {
  return `${platformMeta(platform).name} ${count.label} ${counterText(count)}`;
}

/** "Description: 4,980 of 5,000 bytes, as YouTube counts them." (the counter's tooltip). */
export function counterTitle(platform: Platform, count: FieldCount): string {
  const how = count.counting === "x_weighted" ? " (links count 23, emoji 2)" : "";
  return `${count.label}: ${count.used.toLocaleString("en-US")} of ${count.limit.toLocaleString(
    "en-US",
  )} ${unitOf(count.counting, count.limit)}, as ${platformMeta(platform).name} counts them${how}.`;
}

export interface PlatformSummary {
  platform: Platform;
  /** Each counted field (from the platform's first account: the rules are the same). */
  counts: FieldCount[];
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
      counts: mine[0]!.counts,
      issues,
      accountIds: mine.map((c) => c.accountId),
    });
  }
  return out;
}

/** The count of one field (`text`, `thread.1`, `title`, `tags`) in a summary, if counted. */
export function countOf(
  summary: Pick<PlatformSummary, "counts"> | null | undefined,
  field: string,
): FieldCount | null {
  return summary?.counts.find((c) => c.field === field) ?? null;
}

/** Each platform's count of one field, for a row of counters under that field. */
export function countsFor(
  summaries: PlatformSummary[],
  field: string,
): { platform: Platform; count: FieldCount }[] {
  return summaries.flatMap((s) => {
    const count = countOf(s, field);
    return count ? [{ platform: s.platform, count }] : [];
  });
}

/** The field key of a thread part (index 0 is the second part of the thread). */
export function threadField(index: number): string {
  return `thread.${index + 1}`;
}

/** Whether a platform's issues mention `field` (to mark that input invalid). */
export function hasIssue(issues: ValidationIssue_Serialize[], field: string): boolean {
  return issues.some((i) => i.field === field);
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

/** What Ctrl/Cmd+Enter does: schedule when a time and accounts are set, else save a draft. */
export function shortcutIntent(hasTime: boolean, pickedCount: number): "schedule" | "draft" {
  return hasTime && pickedCount > 0 ? "schedule" : "draft";
}

/** "@a", "@a and @b", "@a, @b and Ann Lee" (names as `handleOf` gives them). */
export function handles(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
