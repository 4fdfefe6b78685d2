// Posts as the calendar and the composer see them.

import type { EventInput } from "@fullcalendar/core";
import type { Platform, TargetStatus } from "./bindings";
import type { Post } from "./api";
import { platformMeta, statusMeta } from "./status";

/** Target statuses after which a post can no longer be moved or edited (engine: `is_locked`). */
const LOCKED: ReadonlySet<TargetStatus> = new Set<TargetStatus>([
  "publishing",
  "processing",
  "published",
  "unconfirmed",
  "deleted",
]);

export type LockReason =
  "publishing" | "processing" | "published" | "unconfirmed" | "deleted" | null;

/** Why a post can't be edited or moved, mirroring the engine's check (the most pressing reason). */
export function lockReason(post: Pick<Post, "targets">): LockReason {
  const locked = post.targets.filter((t) => LOCKED.has(t.status));
  if (locked.length === 0) return null;
  for (const reason of ["publishing", "processing", "published", "unconfirmed"] as const) {
    if (locked.some((t) => t.status === reason)) return reason;
  }
  return "deleted";
}

/** Whether the post can be deleted now (not while a network is still taking it). */
export function canDeletePost(post: Pick<Post, "targets">): boolean {
  return !post.targets.some((t) => t.status === "publishing" || t.status === "processing");
}

export function isLocked(post: Pick<Post, "targets">): boolean {
  return lockReason(post) !== null;
}

/** The sentence the composer shows for a read-only post (same words as the engine). */
export function lockExplanation(reason: LockReason): string | null {
  switch (reason) {
    case "publishing":
      return "This post is being published right now, so it can't be edited.";
    case "processing":
      return "A network is still processing this post, so it can't be edited or deleted yet. Activity shows how far it is.";
    case "published":
      return "This post has already gone out on at least one account, so it can't be edited or moved. Where the network allows it, you can update or delete it there below.";
    case "unconfirmed":
      return "CreatorFlow can't tell whether this post went out, so it can't be edited or moved. Check the platform, then answer in Activity.";
    case "deleted":
      return "This post went out and was then removed from the network, so it can't be edited or moved.";
    default:
      return null;
  }
}

/** The first words of `text`, at most `max` characters, cut at a word boundary. */
export function excerpt(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The platforms of a post's targets, each once, in target order. */
export function postPlatforms(post: Pick<Post, "targets">): Platform[] {
  const seen: Platform[] = [];
  for (const t of post.targets) if (!seen.includes(t.platform)) seen.push(t.platform);
  return seen;
}

export interface PostEventProps {
  post: Post;
}

/**
 * A post as a FullCalendar event. Posts are instants: no end, and the
 * calendar's default duration sizes the chip. Unscheduled drafts have no
 * event (they live in the drafts list): `null`.
 */
export function postToEvent(post: Post): EventInput | null {
  if (!post.scheduledAt) return null;
  const meta = statusMeta(post.status);
  const locked = isLocked(post);
  const platforms = postPlatforms(post)
    .map((p) => platformMeta(p).name)
    .join(", ");
  return {
    id: String(post.id),
    title: excerpt(post.text) || "(no text)",
    start: post.scheduledAt,
    allDay: false,
    editable: !locked && post.status !== "cancelled",
    classNames: ["cf-post", meta.className, ...(locked ? ["cf-locked"] : [])],
    extendedProps: {
      post,
      statusLabel: meta.label,
      platforms,
    },
  };
}

export function postsToEvents(posts: Post[]): EventInput[] {
  return posts.flatMap((p) => {
    const e = postToEvent(p);
    return e ? [e] : [];
  });
}
