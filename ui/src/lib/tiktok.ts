// TikTok's composer rules, from TikTok's content-sharing guidelines for
// third-party apps (docs/platforms/tiktok.md §3, §4.3): what
// TiktokOptions.svelte offers, turns off and says. The choices come from each
// picked account's creator info (`postingInfo`); nothing is preselected.

import type { Account, PostingInfo } from "./api";
import type { Choice } from "./bindings";
import { andList } from "./deletion";
import { formatDuration } from "./media";
import type { OptionsOf } from "./networks";
import { handleOf } from "./status";

export type TiktokFields = OptionsOf<"tiktok">;

/** TikTok's private level: only the creator sees the video. */
export const SELF_ONLY = "SELF_ONLY";

export const MUSIC_USAGE_URL =
  "https://www.tiktok.com/legal/page/global/music-usage-confirmation/en";
export const BRANDED_CONTENT_POLICY_URL = "https://www.tiktok.com/legal/page/global/bc-policy/en";
export const CONTENT_SHARING_GUIDELINES_URL =
  "https://developers.tiktok.com/doc/content-sharing-guidelines";

/** TikTok's privacy levels in TikTok's own words (for a level no account offers now). */
const PRIVACY_LABELS: Record<string, string> = {
  PUBLIC_TO_EVERYONE: "Everyone",
  MUTUAL_FOLLOW_FRIENDS: "Friends",
  FOLLOWER_OF_CREATOR: "Followers",
  SELF_ONLY: "Only me",
};

export function privacyLabel(value: string, choices: Choice[] = []): string {
  return choices.find((c) => c.value === value)?.label ?? PRIVACY_LABELS[value] ?? value;
}

/** One picked TikTok account as TikTok answered for it. */
export interface CreatorEntry {
  accountId: number;
  /** The name TikTok shows (its nickname), else the account's handle. */
  name: string;
  info: PostingInfo;
}

/** How asking TikTok about one account went. */
export type InfoState =
  | { status: "loading" }
  | { status: "ok"; info: PostingInfo | null }
  | { status: "error"; message: string };

/** The name to show for an account: TikTok's nickname, else its handle. */
export function creatorName(
  info: Pick<PostingInfo, "displayName"> | null,
  account: Pick<Account, "username" | "displayName"> | null | undefined,
): string {
  const nick = info?.displayName.trim();
  if (nick) return nick;
  if (account?.displayName.trim()) return account.displayName.trim();
  if (account?.username.trim()) return handleOf("tiktok", account.username.trim());
  return "your TikTok account";
}

/** The accounts TikTok answered for, in the order picked. */
export function answeredCreators(
  accountIds: number[],
  states: Partial<Record<number, InfoState>>,
  accounts: Pick<Account, "id" | "username" | "displayName">[] = [],
): CreatorEntry[] {
  return accountIds.flatMap((accountId) => {
    const s = states[accountId];
    if (s?.status !== "ok" || !s.info) return [];
    const account = accounts.find((a) => a.id === accountId);
    return [{ accountId, name: creatorName(s.info, account), info: s.info }];
  });
}

/** Whether TikTok has answered (with or without limits) for every picked account. */
export function allAnswered(
  accountIds: number[],
  states: Partial<Record<number, InfoState>>,
): boolean {
  return accountIds.every((id) => states[id]?.status === "ok");
}

/**
 * The privacy levels every account offers (one choice goes to all of them),
 * in the first account's order. No account: none.
 */
export function commonPrivacyChoices(infos: Pick<PostingInfo, "privacyChoices">[]): Choice[] {
  const [first, ...rest] = infos;
  if (!first) return [];
  const out: Choice[] = [];
  for (const c of first.privacyChoices) {
    if (out.some((o) => o.value === c.value)) continue;
    if (rest.every((i) => i.privacyChoices.some((d) => d.value === c.value))) out.push(c);
  }
  return out;
}

/**
 * Why the picked level can't be used, when every account has answered and
 * not all of them offer it now (a post opened again, an account added).
 */
export function privacyNotOffered(
  o: Pick<TiktokFields, "privacyLevel">,
  creators: CreatorEntry[],
  everyoneAnswered: boolean,
): string | null {
  const level = o.privacyLevel;
  if (!level || !everyoneAnswered || creators.length === 0) return null;
  const missing = creators.filter((c) => !c.info.privacyChoices.some((p) => p.value === level));
  if (missing.length === 0) return null;
  const label = privacyLabel(
    level,
    creators.flatMap((c) => c.info.privacyChoices),
  );
  return `TikTok doesn't offer “${label}” to ${andList(missing.map((c) => c.name))} now. Pick who can see this video again.`;
}

export type Interaction = "comment" | "duet" | "stitch";

export const INTERACTIONS: readonly {
  key: Interaction;
  field: "allowComments" | "allowDuet" | "allowStitch";
  label: string;
  /** The test id's end: `${testid}-tiktok-allow-comments`. */
  testid: string;
}[] = [
  { key: "comment", field: "allowComments", label: "Allow comments", testid: "allow-comments" },
  { key: "duet", field: "allowDuet", label: "Allow Duet", testid: "allow-duet" },
  { key: "stitch", field: "allowStitch", label: "Allow Stitch", testid: "allow-stitch" },
];

export interface InteractionState {
  /** The creator can't turn it on here. */
  disabled: boolean;
  /** What the toggle shows. */
  checked: boolean;
  /** Why it is off, in words; null when nothing stops it. */
  reason: string | null;
}

/**
 * One interaction toggle. Off (and not to be turned on) when every picked
 * account turned it off in TikTok; with only some, it can be turned on and
 * stays off for those (TikTok keeps it off for them whatever is sent).
 */
export function interactionState(
  o: Pick<TiktokFields, "allowComments" | "allowDuet" | "allowStitch">,
  key: Interaction,
  creators: CreatorEntry[],
): InteractionState {
  const field = INTERACTIONS.find((i) => i.key === key)!.field;
  const off = creators.filter((c) => c.info.interactionsOff.includes(key));
  if (creators.length > 0 && off.length === creators.length) {
    return {
      disabled: true,
      checked: false,
      reason:
        creators.length === 1
          ? "Turned off in your TikTok settings."
          : "Turned off in the TikTok settings of every account you picked.",
    };
  }
  if (off.length > 0) {
    return {
      disabled: false,
      checked: o[field],
      reason: `Stays off for ${andList(off.map((c) => c.name))}: turned off in their TikTok settings.`,
    };
  }
  return { disabled: false, checked: o[field], reason: null };
}

/** Branded content is on (only counts while the disclosure is on). */
export function isBrandedContent(o: Pick<TiktokFields, "discloseCommercial" | "brandedContent">) {
  return o.discloseCommercial && o.brandedContent;
}

/** Why a privacy level can't be picked now (TikTok: branded content can't be private). */
export function privacyChoiceDisabledReason(
  value: string,
  o: Pick<TiktokFields, "discloseCommercial" | "brandedContent">,
): string | null {
  return value === SELF_ONLY && isBrandedContent(o)
    ? "Branded content can't be private on TikTok."
    : null;
}

/** Why "Branded content" can't be ticked now (it stays untickable only to turn it on). */
export function brandedContentDisabledReason(
  o: Pick<TiktokFields, "privacyLevel" | "brandedContent">,
): string | null {
  return o.privacyLevel === SELF_ONLY && !o.brandedContent
    ? "Branded content can't be private on TikTok: pick who else can see the video first."
    : null;
}

/** The disclosure turned on or off; off clears both kinds, so nothing stale is kept. */
export function withDisclosure(o: TiktokFields, on: boolean): TiktokFields {
  return on
    ? { ...o, discloseCommercial: true }
    : { ...o, discloseCommercial: false, brandOrganic: false, brandedContent: false };
}

/** The label TikTok puts on the video, once the creator said what it promotes. */
export function commercialLabel(
  o: Pick<TiktokFields, "discloseCommercial" | "brandOrganic" | "brandedContent">,
): string | null {
  if (!o.discloseCommercial) return null;
  if (o.brandedContent) return "Your video will be labeled “Paid partnership”.";
  if (o.brandOrganic) return "Your video will be labeled “Promotional content”.";
  return null;
}

/** A piece of the consent line: words, or a link to one of TikTok's pages. */
export interface ConsentPart {
  text: string;
  href?: string;
}

/** The consent line under TikTok's fields, always shown; branded content adds its policy. */
export function consentParts(
  o: Pick<TiktokFields, "discloseCommercial" | "brandedContent">,
): ConsentPart[] {
  const music = { text: "Music Usage Confirmation", href: MUSIC_USAGE_URL };
  return isBrandedContent(o)
    ? [
        { text: "By posting, you agree to TikTok's " },
        { text: "Branded Content Policy", href: BRANDED_CONTENT_POLICY_URL },
        { text: " and " },
        music,
        { text: "." },
      ]
    : [{ text: "By posting, you agree to TikTok's " }, music, { text: "." }];
}

export function consentText(o: Pick<TiktokFields, "discloseCommercial" | "brandedContent">) {
  return consentParts(o)
    .map((p) => p.text)
    .join("");
}

/** "TikTok lets Ann post videos up to 5:00" (null when TikTok did not say). */
export function videoLimitText(creator: Pick<CreatorEntry, "name" | "info">): string | null {
  const ms = creator.info.maxVideoDurationMs;
  if (ms === null || ms === undefined || ms <= 0) return null;
  return `TikTok lets ${creator.name} post videos up to ${formatDuration(ms)}`;
}

/** What an unaudited app may do, said where the creator picks who sees the video. */
export const UNAUDITED_NOTICE =
  "Your TikTok app isn't audited yet: TikTok only lets it post to private accounts, as “Only me”, and only a few accounts a day. Once TikTok has audited your app, tick it in Settings → Platforms → TikTok.";

/** Under the privacy choice, when the app is unaudited and another level is picked. */
export function unauditedPrivacyHint(
  o: Pick<TiktokFields, "privacyLevel">,
  reviewed: boolean | null,
): string | null {
  if (reviewed !== false || !o.privacyLevel || o.privacyLevel === SELF_ONLY) return null;
  return "Until TikTok audits your app, it shows the video as “Only me” whatever you pick here.";
}
