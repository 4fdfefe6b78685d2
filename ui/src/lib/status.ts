// How a post's rolled-up status looks: a label for people, a class for colour.

import type { Platform, PostStatus, TargetStatus } from "./bindings";

export interface StatusMeta {
  /** Short label, as a chip tooltip or a legend shows it. */
  label: string;
  /** One sentence saying what it means for the creator. */
  description: string;
  /** CSS class carrying the colour (see app.css). */
  className: string;
}

const STATUS: Record<PostStatus, Omit<StatusMeta, "className">> = {
  draft: { label: "Draft", description: "Not scheduled: it will not be published." },
  scheduled: { label: "Scheduled", description: "Publishes at its time." },
  publishing: { label: "Publishing", description: "Being published right now." },
  published: { label: "Published", description: "Published on every account." },
  partially_published: {
    label: "Partly published",
    description: "Published on some accounts; not yet on others.",
  },
  failed: { label: "Failed", description: "Publishing failed on at least one account." },
  needs_attention: {
    label: "Needs attention",
    description:
      "Something needs you: reconnect an account, or check a missed or unconfirmed post.",
  },
  cancelled: { label: "Cancelled", description: "Cancelled: it will not be published." },
};

export const POST_STATUSES = Object.keys(STATUS) as PostStatus[];

export function statusMeta(status: PostStatus): StatusMeta {
  const meta = STATUS[status] ?? { label: status, description: "" };
  return { ...meta, className: `cf-status-${status.replace(/_/g, "-")}` };
}

const TARGET_LABEL: Record<TargetStatus, string> = {
  draft: "Draft",
  scheduled: "Scheduled",
  publishing: "Publishing",
  processing: "Processing",
  retrying: "Retrying",
  published: "Published",
  failed: "Failed",
  unconfirmed: "Unconfirmed",
  missed: "Missed",
  needs_reauth: "Reconnect needed",
  cancelled: "Cancelled",
  deleted: "Removed",
};

/**
 * The colour class of one target's status, matching how the calendar rolls
 * targets up: failed red; needs reconnect, missed and unconfirmed amber;
 * publishing, processing and retrying the animated violet; published green;
 * removed from the network grey, like cancelled.
 */
export function targetStatusClass(status: TargetStatus): string {
  const rolled: Record<TargetStatus, PostStatus> = {
    draft: "draft",
    scheduled: "scheduled",
    publishing: "publishing",
    processing: "publishing",
    retrying: "publishing",
    published: "published",
    failed: "failed",
    unconfirmed: "needs_attention",
    missed: "needs_attention",
    needs_reauth: "needs_attention",
    cancelled: "cancelled",
    deleted: "cancelled",
  };
  return statusMeta(rolled[status] ?? "draft").className;
}

export function targetStatusLabel(status: TargetStatus): string {
  return TARGET_LABEL[status] ?? status;
}

export interface PlatformMeta {
  name: string;
  /** Letters on the badge. */
  short: string;
  /** Accounts have public @handles (LinkedIn members go by their name). */
  handles: boolean;
}

const PLATFORM: Record<Platform, PlatformMeta> = {
  instagram: { name: "Instagram", short: "IG", handles: true },
  x: { name: "X", short: "X", handles: true },
  linkedin: { name: "LinkedIn", short: "in", handles: false },
  tiktok: { name: "TikTok", short: "TT", handles: true },
  youtube: { name: "YouTube", short: "YT", handles: true },
};

/** How an account is named: "@handle", or the name where the network has no handles. */
export function handleOf(platform: Platform, username: string): string {
  return platformMeta(platform).handles ? `@${username}` : username;
}

/** The platforms in the order the app lists them. */
export const PLATFORMS: Platform[] = ["instagram", "x", "linkedin", "tiktok", "youtube"];

export function platformMeta(platform: Platform): PlatformMeta {
  return (
    PLATFORM[platform] ?? {
      name: platform,
      short: platform.slice(0, 2).toUpperCase(),
      handles: true,
    }
  );
}
