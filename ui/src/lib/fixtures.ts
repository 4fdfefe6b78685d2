// Test data builders (used by the *.test.ts files only).

import type { Account, Post } from "./api";
import type { Platform, Target_Serialize, TargetStatus } from "./bindings";

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
    publishedAt: null,
    options: { text: null, thread: [] },
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
    createdAt: "2026-01-01T00:00:00Z",
    ...over,
  };
}
