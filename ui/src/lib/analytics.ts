// The Analytics view's and a post's numbers' logic: the period asked for,
// how posts sort, their state in words, numbers and read allowances as the
// creator reads them. A metric a network does not offer is absent from a
// post's numbers, never zero: it shows as "—" and sorts last.

import type { AnalyticsQuery, BudgetUse, MetricValue, PostAnalytics } from "./api";
import type { Result } from "./result";
import { formatClock } from "./activity";
import { formatWhen } from "./format";
import { handleOf, platformMeta } from "./status";
import { localToUtc, utcToLocal } from "./time";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

// ---- the period -----------------------------------------------------------

export type PeriodKind = "7" | "30" | "90" | "custom";

export const PERIODS: { value: PeriodKind; label: string }[] = [
  { value: "7", label: "Last 7 days" },
  { value: "30", label: "Last 30 days" },
  { value: "90", label: "Last 90 days" },
  { value: "custom", label: "Custom dates" },
];

export const DEFAULT_PERIOD: PeriodKind = "30";

/** The longest custom period (the totals chart has a bar per day). */
export const MAX_DAYS = 400;

/** `date` (YYYY-MM-DD) moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const moved = new Date(Date.UTC(y!, m! - 1, d! + days));
  return moved.toISOString().slice(0, 10);
}

/** The instant a local day starts in `zone` (a midnight skipped by DST: the first instant after it). */
function dayStart(date: string, zone: string): Date | null {
  return localToUtc({ date, time: "00:00" }, zone);
}

/** Today's date (YYYY-MM-DD) in `zone`. */
export function localToday(now: Date, zone: string): string {
  return utcToLocal(now, zone).date;
}

/** A period as the backend takes it: `[from, to)` over whole local days. */
export interface PeriodRange {
  from: string;
  to: string;
  /** The first and last local day, inclusive (YYYY-MM-DD). */
  firstDay: string;
  lastDay: string;
}

/**
 * The instants of a period of whole local days in `zone`: the last N days
 * (today included), or the custom days `customFrom`..`customTo` (both
 * included). Day boundaries are local midnights, so a day with a DST change
 * is 23 or 25 hours long. `{ error }` says in words what is wrong with custom dates.
 */
export function periodRange(
  kind: PeriodKind,
  now: Date,
  zone: string,
  customFrom = "",
  customTo = "",
): PeriodRange | { error: string } {
  let firstDay: string;
  let lastDay: string;
  if (kind === "custom") {
    if (!customFrom || !customTo) return { error: "Pick a start and an end date." };
    firstDay = customFrom;
    lastDay = customTo;
  } else {
    lastDay = localToday(now, zone);
    firstDay = addDays(lastDay, -(Number(kind) - 1));
  }
  const from = dayStart(firstDay, zone);
  const to = dayStart(addDays(lastDay, 1), zone);
  if (!from || !to) return { error: "Pick a start and an end date." };
  if (from.getTime() >= to.getTime()) return { error: "The end date is before the start date." };
  if ((to.getTime() - from.getTime()) / DAY_MS > MAX_DAYS + 1) {
    return { error: `Pick at most ${MAX_DAYS} days.` };
  }
  return { from: from.toISOString(), to: to.toISOString(), firstDay, lastDay };
}

/** The backend query for a period and an account filter (null: all accounts). */
export function analyticsQuery(
  range: Pick<PeriodRange, "from" | "to">,
  accountId: number | null,
  zone: string,
): AnalyticsQuery {
  return { from: range.from, to: range.to, accountId, zone };
}

/**
 * A query that lists no posts, for what comes with every report whatever
 * the period (the networks' read allowances).
 */
export function budgetsQuery(now: Date, zone: string): AnalyticsQuery {
  const at = now.toISOString();
  return { from: at, to: at, accountId: null, zone };
}

// ---- numbers ----------------------------------------------------------------

/** A count as the creator's locale writes it: "12,345". */
export function formatCount(value: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** A count in short: "950", "12K", "1.2M" (chart axes). */
export function formatCompact(value: number, locale: string): string {
  return new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 }).format(
    value,
  );
}

/** One metric of a post's numbers, or `undefined` when the network does not report it. */
export function metricOf(metrics: MetricValue[], key: string): MetricValue | undefined {
  return metrics.find((m) => m.key === key);
}

/** What a cell shows for one metric of a post: its number, or "—" and why there is none. */
export interface MetricCell {
  text: string;
  /** The network's own name for it, or why it is missing (a tooltip). */
  title: string;
  absent: boolean;
}

export function metricCell(
  post: Pick<PostAnalytics, "platform" | "latest">,
  column: { key: string; label: string },
  locale: string,
): MetricCell {
  const name = platformMeta(post.platform).name;
  if (post.latest.length === 0) {
    return { text: "—", title: "No numbers yet", absent: true };
  }
  const m = metricOf(post.latest, column.key);
  if (!m) {
    return {
      text: "—",
      title: `${name} doesn't report ${column.label.toLowerCase()}`,
      absent: true,
    };
  }
  return {
    text: formatCount(m.value, locale),
    title: `${m.label} on ${name}`,
    absent: false,
  };
}

// ---- sorting ------------------------------------------------------------------

export interface SortState {
  /** "published", "account", "post", "status", or a metric's key. */
  key: string;
  dir: "asc" | "desc";
}

export const DEFAULT_SORT: SortState = { key: "published", dir: "desc" };

/** The order the status column sorts in: what needs the creator first. */
const STATE_ORDER: Record<PostAnalytics["state"], number> = {
  needs_permission: 0,
  failing: 1,
  tracking: 2,
  done: 3,
  removed: 4,
  unsupported: 5,
};

type SortValue = number | string | undefined;

function sortValue(post: PostAnalytics, key: string): SortValue {
  switch (key) {
    case "published":
      return Date.parse(post.publishedAt);
    case "account":
      return `${platformMeta(post.platform).name} ${post.handle}`.toLowerCase();
    case "post":
      return post.excerpt.trim().toLowerCase() || undefined;
    case "status":
      return STATE_ORDER[post.state] ?? 9;
    default:
      return metricOf(post.latest, key)?.value;
  }
}

/**
 * The posts sorted by a column. A post without the number (the network does
 * not report it, or nothing was read yet) comes last whichever the direction;
 * ties go newest first.
 */
export function sortPosts(posts: PostAnalytics[], sort: SortState): PostAnalytics[] {
  const sign = sort.dir === "asc" ? 1 : -1;
  const newest = (a: PostAnalytics, b: PostAnalytics) =>
    Date.parse(b.publishedAt) - Date.parse(a.publishedAt) || b.id - a.id;
  return [...posts].sort((a, b) => {
    const va = sortValue(a, sort.key);
    const vb = sortValue(b, sort.key);
    if (va === undefined && vb === undefined) return newest(a, b);
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    const c =
      typeof va === "number" && typeof vb === "number"
        ? va - vb
        : String(va).localeCompare(String(vb));
    return c !== 0 ? sign * c : newest(a, b);
  });
}

/** The sort after a click on a column's header: the other direction, or a new column (numbers biggest first). */
export function nextSort(current: SortState, key: string): SortState {
  if (current.key === key) return { key, dir: current.dir === "asc" ? "desc" : "asc" };
  const textual = key === "account" || key === "post" || key === "status";
  return { key, dir: textual ? "asc" : "desc" };
}

/** `aria-sort` of a column's header. */
export function ariaSort(sort: SortState, key: string): "ascending" | "descending" | "none" {
  if (sort.key !== key) return "none";
  return sort.dir === "asc" ? "ascending" : "descending";
}

// ---- states in words -----------------------------------------------------------

export type Tone = "muted" | "warn" | "bad";

export interface StateWords {
  text: string;
  tone: Tone;
  /** The account must reconnect to allow reading its numbers. */
  reconnect: boolean;
}

/** "14:05" when `iso` is on the same local day as `now`, else "Tue 20 Oct, 14:05". */
function when(iso: string, now: Date, locale: string, zone: string): string {
  const sameDay = utcToLocal(iso, zone).date === utcToLocal(now, zone).date;
  return sameDay ? `at ${formatClock(iso, locale, zone)}` : `on ${formatWhen(iso, locale, zone)}`;
}

/** When the first numbers are due: the backend's next read, or an hour after publishing. */
export function firstReadAt(post: Pick<PostAnalytics, "nextReadAt" | "publishedAt">): string {
  return post.nextReadAt ?? new Date(Date.parse(post.publishedAt) + HOUR_MS).toISOString();
}

/** "First numbers about an hour after publishing (at 15:04)". */
export function firstNumbersText(
  post: Pick<PostAnalytics, "nextReadAt" | "publishedAt">,
  locale: string,
  zone: string,
): string {
  return `First numbers about an hour after publishing (at ${formatClock(firstReadAt(post), locale, zone)})`;
}

/** Where reading a post's numbers stands, in words, and whether it needs the creator. */
export function stateWords(
  post: Pick<
    PostAnalytics,
    "state" | "platform" | "handle" | "message" | "nextReadAt" | "latest" | "publishedAt"
  >,
  now: Date,
  locale: string,
  zone: string,
): StateWords {
  const name = platformMeta(post.platform).name;
  const who = handleOf(post.platform, post.handle);
  switch (post.state) {
    case "tracking": {
      const first = post.latest.length === 0;
      const at = first ? firstReadAt(post) : post.nextReadAt;
      const what = first ? "First numbers" : "Next numbers";
      if (!at || Date.parse(at) <= now.getTime()) {
        return { text: `${what} soon`, tone: "muted", reconnect: false };
      }
      return { text: `${what} ${when(at, now, locale, zone)}`, tone: "muted", reconnect: false };
    }
    case "done":
      return {
        text: "Final numbers (read 30 days after it went out)",
        tone: "muted",
        reconnect: false,
      };
    case "removed":
      return {
        text: `Removed from ${name} — numbers read before`,
        tone: "muted",
        reconnect: false,
      };
    case "needs_permission":
      return {
        text:
          post.message?.trim() ||
          `Reconnect ${who} on ${name} to see its numbers. It keeps publishing meanwhile.`,
        tone: "warn",
        reconnect: true,
      };
    case "failing":
      return {
        text: post.message?.trim() || `CreatorFlow couldn't read the numbers from ${name}.`,
        tone: "bad",
        reconnect: false,
      };
    case "unsupported":
      return {
        text: post.message?.trim() || `CreatorFlow can't read ${name}'s numbers yet.`,
        tone: "muted",
        reconnect: false,
      };
    default:
      return { text: String(post.state), tone: "muted", reconnect: false };
  }
}

/** "Read Tue 20 Oct, 14:00", or null before the first read. */
export function readAtText(latestAt: string | null, locale: string, zone: string): string | null {
  return latestAt ? `Read ${formatWhen(latestAt, locale, zone)}` : null;
}

// ---- read allowances -------------------------------------------------------------

/** "1 Jan" in the creator's zone. */
export function formatDay(iso: string, locale: string, zone: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: zone, day: "numeric", month: "short" }).format(
    new Date(iso),
  );
}

/** "X reads this month: 12 of 100 · resets 1 Jan" (used up: numbers wait until then). */
export function budgetText(budget: BudgetUse, locale: string, zone: string): string {
  const name = platformMeta(budget.platform).name;
  const resets = formatDay(budget.resetsAt, locale, zone);
  const used = `${name} reads this month: ${formatCount(budget.used, locale)} of ${formatCount(budget.limit, locale)}`;
  return budget.used >= budget.limit
    ? `${used} · all used: ${name}'s numbers wait until ${resets}`
    : `${used} · resets ${resets}`;
}

/** The allowance is used up (or nearly: 90 %). */
export function budgetLevel(budget: Pick<BudgetUse, "used" | "limit">): "ok" | "high" | "full" {
  if (budget.used >= budget.limit) return "full";
  return budget.used >= budget.limit * 0.9 ? "high" : "ok";
}

/** The most a read allowance can be (the backend keeps it as an unsigned 32-bit number). */
const MAX_BUDGET = 4_294_967_295;

/** A typed allowance as a whole number of reads, or what is wrong with it. */
export function parseBudget(input: string | number | null | undefined): number | { error: string } {
  const s = String(input ?? "").trim();
  if (!/^\d+$/.test(s)) return { error: "Enter a whole number of reads (0 or more)." };
  const n = Number(s);
  if (n > MAX_BUDGET) return { error: "That is more than CreatorFlow can count." };
  return n;
}

// ---- export --------------------------------------------------------------------------

/** The toast once the CSV file is written. */
export function exportedMessage(path: string): string {
  return `Saved to ${path}`;
}

/**
 * Writes the period's posts as a CSV file (`run`: the backend's export) and
 * says where it went, or why it could not, in a toast.
 */
export async function exportCsv(
  query: AnalyticsQuery,
  run: (query: AnalyticsQuery) => Promise<Result<string>>,
  toast: (message: string, kind: "success" | "error") => void,
): Promise<boolean> {
  const r = await run(query);
  if (r.status === "error") {
    toast(r.error.message, "error");
    return false;
  }
  toast(exportedMessage(r.data), "success");
  return true;
}

// ---- charts ------------------------------------------------------------------------------

/** "20 Oct" for a YYYY-MM-DD day (a calendar day: no zone to convert). */
export function dayLabel(day: string, locale: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    day: "numeric",
    month: "short",
  }).format(new Date(Date.UTC(y!, m! - 1, d!)));
}

/** One value per day for a metric (a day without posts: 0, it has nothing to sum). */
export function dayValues(days: { totals: MetricValue[] }[], key: string): number[] {
  return days.map((d) => metricOf(d.totals, key)?.value ?? 0);
}

/** The chart's numbers in one sentence, for screen readers. */
export function daysSummary(
  label: string,
  days: { day: string; totals: MetricValue[] }[],
  key: string,
  locale: string,
): string {
  if (days.length === 0) return `${label} per day: no days in this period.`;
  const values = dayValues(days, key);
  const total = values.reduce((a, b) => a + b, 0);
  const span = `${dayLabel(days[0]!.day, locale)} to ${dayLabel(days[days.length - 1]!.day, locale)}`;
  if (total === 0) return `${label} per day, ${span}: none yet.`;
  let best = 0;
  values.forEach((v, i) => {
    if (v > values[best]!) best = i;
  });
  return `${label} per day, ${span}: ${formatCount(total, locale)} in all, most on ${dayLabel(days[best]!.day, locale)} (${formatCount(values[best]!, locale)}).`;
}

/** How long after publishing a snapshot was taken: "1 hour", "1 day", "7 days". */
export function sinceLabel(publishedAt: string, takenAt: string): string {
  const ms = Math.max(0, Date.parse(takenAt) - Date.parse(publishedAt));
  if (ms < 20 * HOUR_MS) {
    const h = Math.max(1, Math.round(ms / HOUR_MS));
    return h === 1 ? "1 hour" : `${h} hours`;
  }
  const d = Math.round(ms / DAY_MS);
  return d === 1 ? "1 day" : `${d} days`;
}

/** The metrics a post's snapshots have, in the order the network gave them. */
export function snapshotMetrics(post: Pick<PostAnalytics, "latest" | "snapshots">): MetricValue[] {
  const seen = new Map<string, MetricValue>();
  for (const m of post.latest) seen.set(m.key, m);
  for (const s of post.snapshots) {
    for (const m of s.metrics) if (!seen.has(m.key)) seen.set(m.key, m);
  }
  return [...seen.values()];
}

/** A post's snapshots as a chart's points for one metric (a snapshot without it is left out). */
export function snapshotSeries(
  post: Pick<PostAnalytics, "publishedAt" | "snapshots">,
  key: string,
): { labels: string[]; values: number[] } {
  const labels: string[] = [];
  const values: number[] = [];
  for (const s of post.snapshots) {
    const m = metricOf(s.metrics, key);
    if (!m) continue;
    labels.push(`after ${sinceLabel(post.publishedAt, s.takenAt)}`);
    values.push(m.value);
  }
  return { labels, values };
}

/** "Likes on X: 12 after 1 hour, 40 after 1 day." */
export function seriesSummary(
  label: string,
  platform: PostAnalytics["platform"],
  series: { labels: string[]; values: number[] },
  locale: string,
): string {
  const name = platformMeta(platform).name;
  if (series.values.length === 0) return `${label} on ${name}: no numbers yet.`;
  const points = series.values.map((v, i) => `${formatCount(v, locale)} ${series.labels[i]}`);
  return `${label} on ${name}: ${points.join(", ")}.`;
}
