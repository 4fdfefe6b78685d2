// Test data builders (used by the *.test.ts files only).

import type { Account, BudgetUse, Post, PostAnalytics } from "./api";
import type { Capabilities, PlatformInfo } from "./api";
import type { Platform, Target_Serialize, TargetStatus } from "./bindings";
import { defaultOptions } from "./networks";
import { platformMeta } from "./status";

export function makeTarget(
  status: TargetStatus,
  platform: Platform = "x",
  over: Partial<Target_Serialize> = {},
): Target_Serialize {
  return {
    id: 1,
    accountId: 1,
    platform,
    username: "maker",
    status,
    attempts: 0,
    nextAttemptAt: null,
    error: null,
    remoteId: null,
    remoteUrl: null,
    remoteNote: null,
    stage: null,
    publishedAt: null,
    deletedAt: null,
    options: { text: null, network: defaultOptions(platform) },
    ...over,
  };
}

export function makePost(over: Partial<Post> = {}): Post {
  return {
    id: 7,
    text: "Launch day! Our new camera strap is here and it is very comfortable",
    scheduledAt: "2026-10-20T07:00:00Z",
    zone: "Europe/Berlin",
    state: "scheduled",
    status: "scheduled",
    targets: [makeTarget("scheduled")],
    media: [],
    createdAt: "2026-10-01T10:00:00Z",
    updatedAt: "2026-10-01T10:00:00Z",
    ...over,
  };
}

export function makeAccount(over: Partial<Account> = {}): Account {
  return {
    id: 1,
    platform: "x",
    platformUserId: "42",
    username: "maker",
    displayName: "Maker Studio",
    avatarUrl: null,
    scopes: [],
    tokenExpiresAt: null,
    status: "connected",
    statusReason: null,
    email: null,
    reauthBy: null,
    createdAt: "2026-01-01T00:00:00Z",
    analyticsScopesMissing: [],
    ...over,
  };
}

/** YouTube's capabilities as the backend reports them (crates/platforms/src/youtube.rs). */
export function youtubeCapabilities(): Capabilities {
  return {
    text: { label: "Description", limit: 5000, counting: "bytes" },
    media: [
      {
        kind: "video",
        mimeTypes: ["video/mp4", "video/quicktime"],
        maxCount: 1,
        maxBytes: 256 * 1024 ** 3,
        minDurationMs: null,
        maxDurationMs: 12 * 3600 * 1000,
        minAspect: null,
        maxAspect: null,
        alone: true,
      },
    ],
    maxMedia: 1,
    requiresMedia: true,
    supportsThreads: false,
    canDelete: true,
    canEdit: true,
    needsPublicMedia: false,
    supportsCover: true,
    supportsAltText: false,
    processingHorizonSecs: 86400,
    publishingAvailable: true,
  };
}

/** X's capabilities as the backend reports them (crates/platforms/src/x.rs). */
export function xCapabilities(): Capabilities {
  const rule = (over: Partial<Capabilities["media"][number]>): Capabilities["media"][number] => ({
    kind: "image",
    mimeTypes: [],
    maxCount: 1,
    maxBytes: 0,
    minDurationMs: null,
    maxDurationMs: null,
    minAspect: null,
    maxAspect: null,
    alone: false,
    ...over,
  });
  return {
    text: { label: "Post", limit: 280, counting: "x_weighted" },
    media: [
      rule({
        kind: "image",
        mimeTypes: ["image/jpeg", "image/png", "image/webp"],
        maxCount: 4,
        maxBytes: 5 * 1024 * 1024,
      }),
      rule({ kind: "gif", mimeTypes: ["image/gif"], maxBytes: 15 * 1024 * 1024, alone: true }),
      rule({
        kind: "video",
        mimeTypes: ["video/mp4", "video/quicktime"],
        maxBytes: 512 * 1024 * 1024,
        minDurationMs: 500,
        maxDurationMs: 140_000,
        minAspect: 1 / 3,
        maxAspect: 3,
        alone: true,
      }),
    ],
    maxMedia: 4,
    requiresMedia: false,
    supportsThreads: true,
    canDelete: true,
    canEdit: false,
    needsPublicMedia: false,
    supportsCover: false,
    supportsAltText: false,
    processingHorizonSecs: 3600,
    publishingAvailable: true,
  };
}

export function makePlatformInfo(
  platform: Platform,
  over: Partial<PlatformInfo> = {},
): PlatformInfo {
  const capabilities =
    platform === "youtube" ? youtubeCapabilities() : platform === "x" ? xCapabilities() : null;
  return {
    platform,
    name: platformMeta(platform).name,
    available: capabilities !== null,
    scopes: [],
    redirects: [],
    redirectFixed: false,
    needsClientSecret: platform === "youtube",
    products: [],
    product: null,
    hasClient: false,
    clientId: null,
    hasClientSecret: false,
    builtinClient: false,
    portalUrl: "https://example.com",
    capabilities,
    ...over,
  };
}

/** One published post's numbers on one network (the Analytics view's row). */
export function makePostAnalytics(over: Partial<PostAnalytics> = {}): PostAnalytics {
  return {
    id: 1,
    targetId: 11,
    postId: 7,
    accountId: 1,
    platform: "x",
    handle: "maker",
    url: "https://x.com/maker/status/1",
    excerpt: "Launch day!",
    publishedAt: "2026-10-20T07:00:00Z",
    state: "tracking",
    message: null,
    nextReadAt: "2026-10-21T07:00:00Z",
    latest: [],
    latestAt: null,
    snapshots: [],
    ...over,
  };
}

/** X's monthly read allowance, as a report carries it. */
export function makeBudget(over: Partial<BudgetUse> = {}): BudgetUse {
  return {
    platform: "x",
    label: "X's monthly allowance of posts read by your app",
    used: 12,
    limit: 100,
    defaultLimit: 100,
    resetsAt: "2027-01-01T00:00:00Z",
    ...over,
  };
}
