// Deleting a post never silently leaves it live: when something of it is
// published, the creator chooses between deleting it from the networks too
// and keeping it there. The words name the networks and accounts.

import type { Target } from "./api";
import type { DeleteScope, Platform } from "./bindings";
import { handles } from "./compose";
import { PLATFORMS, handleOf, platformMeta } from "./status";

export interface LiveNetwork {
  platform: Platform;
  name: string;
  usernames: string[];
  /** CreatorFlow can delete a live post on this network. */
  canDelete: boolean;
}

export type DeleteChoices =
  | { kind: "blocked"; title: string; message: string }
  | { kind: "simple"; title: string; message: string }
  | {
      kind: "live";
      title: string;
      message: string;
      networks: LiveNetwork[];
      /** "Delete from YouTube and X too", or null when one of them can't delete. */
      everywhereLabel: string | null;
      /** "Keep it on YouTube, remove from CreatorFlow". */
      appOnlyLabel: string;
      /** Why "delete everywhere" is not offered, when it is not. */
      cannotDelete: string | null;
    };

/** "X", "X and YouTube", "X, LinkedIn and YouTube". */
export function andList(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** The networks a post is live on, each with its accounts, in the app's platform order. */
export function liveNetworks(
  targets: Pick<Target, "platform" | "username" | "status">[],
  canDelete: (platform: Platform) => boolean,
): LiveNetwork[] {
  return PLATFORMS.flatMap((platform) => {
    const mine = targets.filter((t) => t.platform === platform && t.status === "published");
    if (mine.length === 0) return [];
    return [
      {
        platform,
        name: platformMeta(platform).name,
        usernames: mine.map((t) => handleOf(t.platform, t.username)),
        canDelete: canDelete(platform),
      },
    ];
  });
}

/** "YouTube (@studio) and X (@a and @b)". */
function whereLive(networks: LiveNetwork[]): string {
  return andList(networks.map((n) => `${n.name} (${handles(n.usernames)})`));
}

/** What the delete dialog offers for a post with these targets. */
export function deleteChoices(
  targets: Pick<Target, "platform" | "username" | "status">[],
  canDelete: (platform: Platform) => boolean,
): DeleteChoices {
  const title = "Delete post";
  if (targets.some((t) => t.status === "publishing" || t.status === "processing")) {
    return {
      kind: "blocked",
      title,
      message:
        "This post is being published right now, or a network is still processing it. Wait until it finishes, then delete it.",
    };
  }
  const unsure = targets.filter((t) => t.status === "unconfirmed");
  const unsureNote =
    unsure.length > 0
      ? ` CreatorFlow can't tell whether it went out on ${andList([
          ...new Set(unsure.map((t) => platformMeta(t.platform).name)),
        ])}: check there, as deleting here does not remove it.`
      : "";
  const networks = liveNetworks(targets, canDelete);
  if (networks.length === 0) {
    return {
      kind: "simple",
      title,
      message: `Delete this post? It is removed from CreatorFlow with its history.${unsureNote}`,
    };
  }
  const names = andList(networks.map((n) => n.name));
  const refusing = networks.filter((n) => !n.canDelete);
  return {
    kind: "live",
    title,
    message: `This post is live on ${whereLive(networks)}. Delete it there too, or keep it there and remove it only from CreatorFlow?${unsureNote}`,
    networks,
    everywhereLabel: refusing.length === 0 ? `Delete from ${names} too` : null,
    appOnlyLabel: `Keep it on ${names}, remove from CreatorFlow`,
    cannotDelete:
      refusing.length === 0
        ? null
        : `CreatorFlow can't delete posts on ${andList(refusing.map((n) => n.name))}; delete it there yourself if you want it gone.`,
  };
}

/** The toast after a delete, saying where the post still is. */
export function deletedMessage(choices: DeleteChoices, scope: DeleteScope): string {
  if (choices.kind !== "live") return "Post deleted.";
  const names = andList(choices.networks.map((n) => n.name));
  return scope === "everywhere"
    ? `Post deleted from ${names} and from CreatorFlow.`
    : `Post removed from CreatorFlow. It stays live on ${names}.`;
}

/** The words of a yes/no question (ConfirmDialog's). */
export interface Question {
  title: string;
  message: string;
  yesLabel: string;
  noLabel: string;
}

/** The question before deleting one live target at its network (Activity and the composer ask it). */
export function deleteAtNetworkQuestion(platform: Platform, username: string): Question {
  const name = platformMeta(platform).name;
  return {
    title: `Delete from ${name}`,
    message: `Delete this post from ${name} (${handleOf(platform, username)})? It disappears from ${name} for everyone. CreatorFlow keeps the post and its history.`,
    yesLabel: `Delete from ${name}`,
    noLabel: "Keep it",
  };
}

/** The toast once one target is deleted at its network. */
export function deletedAtNetworkMessage(platform: Platform, username: string): string {
  return `Deleted from ${platformMeta(platform).name} (${handleOf(platform, username)}).`;
}
