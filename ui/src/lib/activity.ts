// The Activity view's logic: which section a target belongs to, its status in
// words, and what the creator can do about it.

import type { ActivityItem } from "./api";
import type { Platform, TargetStatus } from "./bindings";
import { formatWhen } from "./format";
import { hourStyle } from "./locale";
import { handleOf, platformMeta } from "./status";

export type SectionKey = "attention" | "progress" | "upcoming" | "published";

export interface SectionMeta {
  key: SectionKey;
  title: string;
  /** What the section shows when it is empty. */
  empty: string;
  statuses: TargetStatus[];
}

export const SECTIONS: SectionMeta[] = [
  {
    key: "attention",
    title: "Needs attention",
    empty: "Nothing needs you. Failed, missed and unconfirmed posts would show here.",
    statuses: ["failed", "missed", "unconfirmed", "needs_reauth"],
  },
  {
    key: "progress",
    title: "In progress",
    empty: "Nothing is being published right now.",
    statuses: ["publishing", "processing", "retrying"],
  },
  {
    key: "upcoming",
    title: "Upcoming",
    empty: "No posts scheduled. Schedule one from the calendar.",
    statuses: ["scheduled"],
  },
  {
    key: "published",
    title: "Published",
    empty: "Nothing published in the last 30 days.",
    statuses: ["published", "deleted"],
  },
];

/** How far back the Published section looks. */
export const PUBLISHED_DAYS = 30;

export function sectionOf(status: TargetStatus): SectionKey | null {
  return SECTIONS.find((s) => s.statuses.includes(status))?.key ?? null;
}

const time = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : NaN);
const orInf = (n: number, inf: number): number => (Number.isNaN(n) ? inf : n);

/**
 * Items per section, each sorted the way the creator reads it: what needs
 * attention and what was published newest first, what is coming soonest first.
 * Drafts and cancelled targets belong to no section.
 */
export function groupActivity(items: ActivityItem[]): Record<SectionKey, ActivityItem[]> {
  const out: Record<SectionKey, ActivityItem[]> = {
    attention: [],
    progress: [],
    upcoming: [],
    published: [],
  };
  for (const item of items) {
    const key = sectionOf(item.target.status);
    if (key) out[key].push(item);
  }
  const when = (i: ActivityItem) => time(i.target.nextAttemptAt ?? i.scheduledAt);
  out.attention.sort(
    (a, b) => orInf(time(b.scheduledAt), -Infinity) - orInf(time(a.scheduledAt), -Infinity),
  );
  out.progress.sort((a, b) => orInf(when(a), Infinity) - orInf(when(b), Infinity));
  out.upcoming.sort((a, b) => orInf(when(a), Infinity) - orInf(when(b), Infinity));
  const shown = (i: ActivityItem) => time(i.target.deletedAt ?? i.target.publishedAt);
  out.published.sort((a, b) => orInf(shown(b), -Infinity) - orInf(shown(a), -Infinity));
  return out;
}

const WORDS: Record<TargetStatus, string> = {
  draft: "Draft",
  scheduled: "Scheduled",
  publishing: "Publishing now",
  processing: "Processing",
  retrying: "Waiting to retry",
  published: "Published",
  failed: "Failed",
  unconfirmed: "Not confirmed",
  missed: "Missed",
  needs_reauth: "Needs reconnect",
  cancelled: "Cancelled",
  deleted: "Removed",
};

/**
 * The error code of a target held back for room in one of its network's
 * limits: nothing was sent, and it goes out when the limit has room.
 */
const WAITING_FOR_LIMIT = "waiting_for_limit";

/** Held back for room in its network's limit (nothing was sent yet). */
export function waitingForRoom(status: TargetStatus, errorCode?: string | null): boolean {
  return status === "retrying" && errorCode === WAITING_FOR_LIMIT;
}

/** A target's status in words (its error code tells a wait for room apart). */
export function statusWords(status: TargetStatus, errorCode?: string | null): string {
  if (waitingForRoom(status, errorCode)) return "Waiting for room";
  return WORDS[status] ?? status;
}

/**
 * The sentence under an item when the backend gave no error message: what the
 * status means for this post, naming the platform and account.
 */
export function statusExplanation(
  status: TargetStatus,
  platform: Platform,
  username: string,
): string | null {
  const name = platformMeta(platform).name;
  switch (status) {
    case "unconfirmed":
      return `CreatorFlow was interrupted while publishing; check ${name} before re-posting.`;
    case "missed":
      return "CreatorFlow was not running at its time, and it was too late to catch up when it started.";
    case "needs_reauth":
      return `${handleOf(platform, username)} needs to be reconnected to ${name} before this can go out.`;
    case "publishing":
      return `Sending to ${name}…`;
    case "processing":
      return processingText(platform, null);
    default:
      return null;
  }
}

/**
 * "Processing on YouTube: YouTube is processing the video (40 %)" — the
 * network's own words for its stage, when it gave some.
 */
export function processingText(platform: Platform, stage: string | null | undefined): string {
  const name = platformMeta(platform).name;
  const words = stage?.trim();
  return words ? `Processing on ${name}: ${words}` : `Processing on ${name}…`;
}

/** "Removed from YouTube on Tue 20 Oct, 09:00". */
export function removedText(
  platform: Platform,
  deletedAt: string | null | undefined,
  locale: string,
  zone: string,
): string {
  const name = platformMeta(platform).name;
  if (!deletedAt || Number.isNaN(Date.parse(deletedAt))) return `Removed from ${name}`;
  return `Removed from ${name} on ${formatWhen(deletedAt, locale, zone)}`;
}

export type ActionKind =
  "retry" | "confirm" | "republish" | "reconnect" | "open" | "view" | "delete";

export interface Action {
  kind: ActionKind;
  label: string;
}

/**
 * The buttons an item gets. "open" opens the post in the composer (Edit, or
 * read-only when it has gone out); "view" opens the live post; "delete"
 * deletes the live post at its network (where the network lets CreatorFlow).
 * A post waiting for room in a network's limit has no "Retry now": it would
 * only wait again.
 */
export function actionsFor(
  status: TargetStatus,
  platform: Platform,
  hasRemoteUrl: boolean,
  platformAvailable = true,
  editable = true,
  canDelete = false,
  errorCode: string | null = null,
): Action[] {
  const actions = baseActions(status, platform, hasRemoteUrl, platformAvailable).filter(
    (a) => !(a.kind === "retry" && waitingForRoom(status, errorCode)),
  );
  if (status === "published" && canDelete && platformAvailable) {
    actions.push({ kind: "delete", label: `Delete from ${platformMeta(platform).name}…` });
  }
  // Another account already has the post out: it opens read-only.
  return editable ? actions : actions.map((a) => (a.kind === "open" ? { ...a, label: "Open" } : a));
}

function baseActions(
  status: TargetStatus,
  platform: Platform,
  hasRemoteUrl: boolean,
  platformAvailable: boolean,
): Action[] {
  const name = platformMeta(platform).name;
  // Nothing can be sent to a platform CreatorFlow does not publish to yet.
  if (!platformAvailable) {
    return status === "published" && hasRemoteUrl
      ? [
          { kind: "view", label: `View on ${name}` },
          { kind: "open", label: "Open" },
        ]
      : [{ kind: "open", label: "Open" }];
  }
  switch (status) {
    case "failed":
      return [
        { kind: "retry", label: "Retry" },
        { kind: "open", label: "Edit" },
      ];
    case "missed":
      return [
        { kind: "retry", label: "Publish now" },
        { kind: "open", label: "Edit" },
      ];
    case "retrying":
      return [
        { kind: "retry", label: "Retry now" },
        { kind: "open", label: "Edit" },
      ];
    case "unconfirmed":
      return [
        { kind: "confirm", label: `It's on ${name} — mark as published` },
        { kind: "republish", label: `Not on ${name} — publish again` },
      ];
    case "needs_reauth":
      return [
        { kind: "reconnect", label: "Reconnect" },
        { kind: "open", label: "Edit" },
      ];
    case "scheduled":
      return [{ kind: "open", label: "Edit" }];
    case "processing":
    case "deleted":
      return [{ kind: "open", label: "Open" }];
    case "published":
      return [
        ...(hasRemoteUrl ? [{ kind: "view" as const, label: `View on ${name}` }] : []),
        { kind: "open", label: "Open" },
      ];
    default:
      return [];
  }
}

/** The state filter's choices: the sections, then single statuses. */
export const STATE_FILTERS: { value: string; label: string; statuses: TargetStatus[] }[] = [
  { value: "", label: "All states", statuses: [] },
  ...SECTIONS.map((s) => ({ value: s.key, label: s.title, statuses: s.statuses })),
  ...(
    [
      "failed",
      "missed",
      "unconfirmed",
      "needs_reauth",
      "publishing",
      "processing",
      "retrying",
      "deleted",
    ] as TargetStatus[]
  ).map((s) => ({ value: s, label: `Only: ${statusWords(s).toLowerCase()}`, statuses: [s] })),
];

/** The statuses to ask the backend for; empty = every status. */
export function statusesForFilter(value: string): TargetStatus[] {
  return STATE_FILTERS.find((f) => f.value === value)?.statuses ?? [];
}

/** An upload's progress as a whole percentage, or `null` when the size is unknown. */
export function progressPercent(sent: number | null, total: number | null): number | null {
  if (sent === null || total === null || !(total > 0) || Number.isNaN(sent)) return null;
  return Math.max(0, Math.min(100, Math.floor((sent / total) * 100)));
}

/** "14:05" (or "2:05 PM") in the creator's zone and locale. */
export function formatClock(iso: string, locale: string, zone: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    hour: hourStyle(locale),
    minute: "2-digit",
  }).format(new Date(iso));
}

/** "Next attempt at 14:05", or `null` when no attempt is planned. */
export function nextAttemptText(
  nextAttemptAt: string | null,
  locale: string,
  zone: string,
  errorCode?: string | null,
): string | null {
  if (!nextAttemptAt || Number.isNaN(Date.parse(nextAttemptAt))) return null;
  const at = formatClock(nextAttemptAt, locale, zone);
  return errorCode === WAITING_FOR_LIMIT ? `Goes out at ${at}` : `Next attempt at ${at}`;
}

/** The ISO instant the Published section starts at. */
export function publishedSince(now: Date, days = PUBLISHED_DAYS): string {
  return new Date(now.getTime() - days * 24 * 60 * 60 * 1000).toISOString();
}

const OUTCOMES: Record<string, (name: string) => string> = {
  published: () => "Published",
  retry: () => "Failed, will retry",
  rate_limited: () => "Waited for the rate limit",
  failed: () => "Failed",
  needs_reauth: () => "Sign-in refused",
  unconfirmed: () => "Interrupted, not confirmed",
  interrupted: () => "Interrupted",
  processing: (name) => `Sent; ${name} was still processing it`,
  deleted: (name) => `Deleted from ${name}`,
  delete_failed: (name) => `Could not delete it from ${name}`,
  updated: (name) => `Updated on ${name}`,
  update_failed: (name) => `Could not update it on ${name}`,
};

/** One attempt's outcome in words; an attempt without one is still running. */
export function attemptOutcomeWords(outcome: string | null, platform?: Platform): string {
  if (!outcome) return "In progress";
  const words = OUTCOMES[outcome];
  const name = platform ? platformMeta(platform).name : "the network";
  return words ? words(name) : outcome.replace(/_/g, " ");
}
