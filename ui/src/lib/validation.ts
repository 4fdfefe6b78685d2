// The composer's checks, mirroring the engine's `validate_input`
// (crates/engine/src/posts.rs) so the creator hears about a problem before a
// round trip. The backend checks again; its message wins when it disagrees.

import type { Account } from "./api";
import type {
  MediaAlt,
  PostInput_Deserialize,
  SaveIntent,
  TargetOptionsInput_Deserialize,
} from "./bindings";
import { platformMeta } from "./status";
import { localToUtc, type LocalDateTime } from "./time";

/** The engine's MAX_TEXT_CHARS. */
export const MAX_TEXT_CHARS = 10_000;
/** The engine's PAST_GRACE: a time this recently passed is still accepted. */
export const PAST_GRACE_MS = 60_000;

export type HintCode =
  | "empty_text"
  | "text_too_long"
  | "incomplete_time"
  | "invalid_time"
  | "missing_time"
  | "time_in_past"
  | "no_targets"
  | "account_not_connected";

export interface Hint {
  code: HintCode;
  message: string;
}

export interface ComposerFields extends LocalDateTime {
  text: string;
  accountIds: number[];
  /** Attached media, kept as is when an existing post is saved. */
  mediaIds?: number[];
  /** Alt texts of attached pictures, by media id (only the non-empty ones). */
  altTexts?: MediaAlt[];
  /** Per-account variants and options, kept as is when an existing post is saved. */
  options?: TargetOptionsInput_Deserialize[];
}

/** Characters as the engine counts them (Unicode scalar values, like Rust's `chars()`). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/**
 * The first problem that stops saving `fields` with `intent`, or `null`.
 * `accounts` is the connected-accounts list (to name an account that needs
 * reconnecting); `now` is injected for tests.
 */
export function validateComposer(
  fields: ComposerFields,
  intent: SaveIntent,
  zone: string,
  now: Date,
  accounts: Account[] = [],
): Hint | null {
  const hasMedia = (fields.mediaIds?.length ?? 0) > 0;
  if (fields.text.trim() === "" && !hasMedia) {
    return { code: "empty_text", message: "Write something (or attach media) before saving." };
  }
  const chars = charCount(fields.text);
  if (chars > MAX_TEXT_CHARS) {
    return {
      code: "text_too_long",
      message: `This post is ${chars} characters long; the most CreatorFlow accepts is ${MAX_TEXT_CHARS}. Shorten it.`,
    };
  }
  // Post now ignores the date and time: it goes out at once.
  if (intent === "publish_now") return accountsHint(fields, accounts, "posting");
  const hasDate = fields.date.trim() !== "";
  const hasTime = fields.time.trim() !== "";
  if (hasDate !== hasTime) {
    return {
      code: "incomplete_time",
      message: hasDate
        ? "Pick a time too, or clear the date to keep the post unscheduled."
        : "Pick a date too, or clear the time to keep the post unscheduled.",
    };
  }
  const at = hasDate ? localToUtc(fields, zone) : null;
  if (hasDate && at === null) {
    return {
      code: "invalid_time",
      message: "That date or time isn't valid. Check it and try again.",
    };
  }
  if (intent === "schedule") {
    if (at === null) {
      return {
        code: "missing_time",
        message: "Pick a date and time to schedule this post, or save it as a draft.",
      };
    }
    if (at.getTime() < now.getTime() - PAST_GRACE_MS) {
      return {
        code: "time_in_past",
        message: "That time has already passed. Pick a time in the future, or use Post now.",
      };
    }
    return accountsHint(fields, accounts, "scheduling");
  }
  return null;
}

/** The accounts must be picked and connected to schedule or post. */
function accountsHint(
  fields: ComposerFields,
  accounts: Account[],
  doing: "scheduling" | "posting",
): Hint | null {
  if (fields.accountIds.length === 0) {
    return {
      code: "no_targets",
      message: "Pick at least one account to publish to, or save the post as a draft.",
    };
  }
  for (const id of fields.accountIds) {
    const account = accounts.find((a) => a.id === id);
    if (account && account.status !== "connected") {
      return {
        code: "account_not_connected",
        message: `Reconnect @${account.username} on ${platformMeta(account.platform).name} before ${doing} to it.`,
      };
    }
  }
  return null;
}

/**
 * The `PostInput` to send, or the hint that stops it. Unscheduled drafts
 * (both date and time empty) send `scheduledAt: null`.
 */
export function buildPostInput(
  fields: ComposerFields,
  intent: SaveIntent,
  zone: string,
  now: Date,
  accounts: Account[] = [],
): { input: PostInput_Deserialize } | { hint: Hint } {
  const hint = validateComposer(fields, intent, zone, now, accounts);
  if (hint) return { hint };
  // Post now: the backend stamps the current instant.
  const at =
    intent === "publish_now" || fields.date.trim() === "" ? null : localToUtc(fields, zone);
  const accountIds = [...new Set(fields.accountIds)];
  return {
    input: {
      text: fields.text,
      scheduledAt: at ? at.toISOString() : null,
      zone,
      intent,
      accountIds,
      mediaIds: fields.mediaIds ?? [],
      altTexts: (fields.altTexts ?? []).filter((a) => (fields.mediaIds ?? []).includes(a.mediaId)),
      // Options of accounts no longer picked would be refused: keep the picked ones'.
      options: (fields.options ?? []).filter((o) => accountIds.includes(o.accountId)),
    },
  };
}
