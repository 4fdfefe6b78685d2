// Each network's options as the composer keeps them: one set per network
// (every picked account of that network gets it), turned into the per-account
// options the backend takes. The composer's frame calls these without naming
// a network; what differs per network lives in the tables below and in
// components/networks/<Net>Options.svelte.

import type { Account, NetworkOptions, Post, TargetOptions } from "./api";
import type { Platform, TargetOptionsInput_Deserialize } from "./bindings";
import { PLATFORMS } from "./status";
import { CONTENT_SHARING_GUIDELINES_URL } from "./tiktok";

/** The options of one network, narrowed by its tag. */
export type OptionsOf<P extends Platform> = Extract<NetworkOptions, { platform: P }>;

/** What each network starts with (the backend's defaults, so a fresh post reads the same). */
const DEFAULTS: { [P in Platform]: () => OptionsOf<P> } = {
  x: () => ({ platform: "x", thread: [] }),
  youtube: () => ({
    platform: "youtube",
    title: "",
    tags: [],
    categoryId: "22",
    privacy: "public",
    // YouTube wants the creator to say; nothing is assumed.
    madeForKids: null,
    notifySubscribers: true,
    thumbnailMediaId: null,
  }),
  linkedin: () => ({ platform: "linkedin", visibility: "public" }),
  instagram: () => ({
    platform: "instagram",
    kind: "feed",
    shareToFeed: true,
    coverOffsetMs: null,
    coverMediaId: null,
  }),
  tiktok: () => ({
    platform: "tiktok",
    privacyLevel: null,
    allowComments: false,
    allowDuet: false,
    allowStitch: false,
    discloseCommercial: false,
    brandOrganic: false,
    brandedContent: false,
  }),
};

export function defaultOptions<P extends Platform>(platform: P): OptionsOf<P> {
  return DEFAULTS[platform]() as OptionsOf<P>;
}

/**
 * `raw` as complete options of `platform`: missing fields take the defaults;
 * another network's options (or none) give the defaults.
 */
export function normalizeOptions<P extends Platform>(
  platform: P,
  raw: NetworkOptions | null | undefined,
): OptionsOf<P> {
  const base = defaultOptions(platform);
  if (!raw || raw.platform !== platform) return base;
  return { ...base, ...raw, platform } as OptionsOf<P>;
}

/** A deep copy (options hold arrays the composer edits). */
export function cloneOptions<T extends NetworkOptions>(options: T): T {
  return JSON.parse(JSON.stringify(options)) as T;
}

export type OptionsByNetwork = Partial<Record<Platform, NetworkOptions>>;

/** The per-network options an existing post carries (each network's first target's). */
export function networkOptionsOf(post: Pick<Post, "targets"> | null): OptionsByNetwork {
  const out: OptionsByNetwork = {};
  for (const t of post?.targets ?? []) {
    if (out[t.platform]) continue;
    out[t.platform] = cloneOptions(normalizeOptions(t.platform, t.options.network));
  }
  return out;
}

/** The networks of the picked accounts, each once, in the app's platform order. */
export function pickedNetworks(accountIds: number[], accounts: Account[]): Platform[] {
  const set = new Set(
    accountIds.flatMap((id) => {
      const a = accounts.find((x) => x.id === id);
      return a ? [a.platform] : [];
    }),
  );
  return PLATFORMS.filter((p) => set.has(p));
}

/**
 * The per-account options to send. Every picked account gets options of its
 * own network: the composer's options for that network, else what it had,
 * else the network's defaults. A per-account text variant is kept as is.
 * Options of accounts no longer picked are dropped (the backend refuses them).
 */
export function buildTargetOptions(
  accountIds: number[],
  accounts: Account[],
  byNetwork: OptionsByNetwork,
  existing: { accountId: number; options: TargetOptions }[] = [],
): TargetOptionsInput_Deserialize[] {
  const out: TargetOptionsInput_Deserialize[] = [];
  for (const id of [...new Set(accountIds)]) {
    const had = existing.find((o) => o.accountId === id)?.options ?? null;
    const platform = accounts.find((a) => a.id === id)?.platform ?? had?.network.platform ?? null;
    if (!platform) continue; // unknown account: the backend fills its defaults
    const chosen = byNetwork[platform] ?? had?.network ?? null;
    out.push({
      accountId: id,
      options: {
        text: had?.text ?? null,
        network: cloneOptions(normalizeOptions(platform, chosen)),
      },
    });
  }
  return out;
}

/**
 * What the text field is called for the picked networks ("Description" when
 * only YouTube is picked). `labels` come from each network's capabilities.
 */
export function textFieldLabel(labels: (string | null | undefined)[]): string {
  const distinct = [...new Set(labels.filter((l): l is string => !!l && l.trim() !== ""))];
  if (distinct.length === 0) return "Post text";
  if (distinct.length === 1) return distinct[0] === "Post" ? "Post text" : distinct[0]!;
  return distinct.join(" / ");
}

/** Words for a redirect kind in Settings. */
export const REDIRECT_WORDS: Record<string, { title: string; description: string }> = {
  deep_link: {
    title: "The creatorflow:// link",
    description: "The browser hands the sign-in back to CreatorFlow through its own link.",
  },
  loopback: {
    title: "A local web address",
    description:
      "CreatorFlow listens on this computer (127.0.0.1) for the one moment the browser comes back.",
  },
  window: {
    title: "CreatorFlow's sign-in window",
    description:
      "Meta's desktop sign-in: the page opens in a window of CreatorFlow, which reads this address when Meta sends you back and never loads it.",
  },
};

/** Short setup steps for a network's developer app (Settings → Platforms). */
export const SETUP_STEPS: Partial<Record<Platform, string>> = {
  x: "X developer portal → your app → user authentication: type Native App (OAuth 2.0, no client secret); register the redirect you pick below, exactly as shown.",
  linkedin:
    "LinkedIn developer portal → Create app; under Products add “Sign In with LinkedIn using OpenID Connect” and “Share on LinkedIn”; under Auth add the redirect URL below exactly as shown and copy the client ID and primary client secret here. For Analytics the app also needs the “Community Management API” product: then pick it below. LinkedIn's sign-in lasts 60 days: CreatorFlow reminds you to reconnect before it ends.",
  youtube:
    "Google Cloud → APIs & Services → Credentials → Create OAuth client ID → Desktop app; enable the YouTube Data API v3. Copy the client ID and client secret here. A Desktop client needs no redirect registered: CreatorFlow uses the local address below on any port.",
  instagram:
    "Meta for Developers → Create app (type Business). For Instagram Login (no Facebook Page needed) add the product “Instagram” → API setup with Instagram login: copy the Instagram app ID and secret here, and under Business login settings add the OAuth redirect URI below. For Facebook Login for Business (accounts linked to a Page) add “Facebook Login for Business”, copy the app ID and secret from App settings → Basic, turn on “Embedded browser OAuth login” and add the redirect URI below. Pick below which of the two your app uses.",
  tiktok:
    "TikTok for Developers → Manage apps → Connect an app; add the products Login Kit, Content Posting API (turn on Direct Post) and Display API (for Analytics). Under Login Kit choose the Desktop platform and add the redirect URI http://127.0.0.1:*/oauth/tiktok/callback (the * lets CreatorFlow use any free port); ask for the scopes user.info.basic, video.publish, video.upload and video.list. Copy the client key (as the client ID) and the client secret here.",
};

/** A network that reviews (audits) the creator's own developer app before it lifts its limits. */
export interface AppReview {
  /** The checkbox in Settings → Platforms. */
  label: string;
  /** What the review changes, in words. */
  explanation: string;
  /** The network's page about it. */
  guide: { label: string; url: string };
}

/** The networks with an app review the creator ticks once it passed (Settings → Platforms). */
export const APP_REVIEWS: Partial<Record<Platform, AppReview>> = {
  tiktok: {
    label: "TikTok has audited my app",
    explanation:
      "Until TikTok audits your app, it only lets the app post to private accounts, shows every post as “Only me”, and lets only a few accounts post through it each day. Once the audit has passed, posts can be public.",
    guide: {
      label: "TikTok's content-sharing guidelines",
      url: CONTENT_SHARING_GUIDELINES_URL,
    },
  },
};

/** Whether the creator said the network has reviewed their app (false for a network without a review). */
export function appReviewed(
  settings: { reviewedApps?: Platform[] | null } | null | undefined,
  platform: Platform,
): boolean {
  return settings?.reviewedApps?.includes(platform) ?? false;
}
