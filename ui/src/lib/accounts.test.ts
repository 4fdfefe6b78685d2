import { describe, expect, it } from "vitest";
import {
  accountsByPlatform,
  avatarLetter,
  canShowAvatar,
  initialAccounts,
  isSelectable,
  needsAnalyticsReconnect,
  REAUTH_WARN_DAYS,
  reauthBadge,
  renewsAutomatically,
  signInText,
  timeUntil,
  tokenExpiryText,
  unselectableReason,
} from "./accounts";
import { makeAccount } from "./fixtures";

describe("tokenExpiryText", () => {
  const now = new Date("2026-05-01T12:00:00Z");
  it("counts whole days left, then hours below two days", () => {
    expect(tokenExpiryText("2026-05-13T13:00:00Z", now)).toBe("Token expires in 12 days");
    expect(tokenExpiryText("2026-05-03T12:00:00Z", now)).toBe("Token expires in 2 days");
    expect(tokenExpiryText("2026-05-02T23:00:00Z", now)).toBe("Token expires in 35 hours");
    expect(tokenExpiryText("2026-05-01T18:00:00Z", now)).toBe("Token expires in 6 hours");
    expect(tokenExpiryText("2026-05-01T13:00:00Z", now)).toBe("Token expires in 1 hour");
  });
  it("says when it has expired, and nothing when unknown", () => {
    expect(tokenExpiryText("2026-04-30T00:00:00Z", now)).toMatch(/expired/);
    expect(tokenExpiryText(null, now)).toBeNull();
    expect(tokenExpiryText("not a date", now)).toBeNull();
  });
});

describe("timeUntil", () => {
  const now = new Date("2026-05-01T12:00:00Z");
  const at = (iso: string) => Date.parse(iso);
  it("says days, hours, minutes, rounding down", () => {
    expect(timeUntil(at("2026-05-04T11:59:00Z"), now)).toBe("2 days");
    expect(timeUntil(at("2026-05-01T14:00:00Z"), now)).toBe("2 hours");
    expect(timeUntil(at("2026-05-01T12:01:30Z"), now)).toBe("1 minute");
    expect(timeUntil(at("2026-05-01T12:45:00Z"), now)).toBe("45 minutes");
    expect(timeUntil(at("2026-05-01T12:00:20Z"), now)).toBe("less than a minute");
  });
  it("is null once passed", () => {
    expect(timeUntil(at("2026-05-01T12:00:00Z"), now)).toBeNull();
    expect(timeUntil(at("2026-05-01T11:00:00Z"), now)).toBeNull();
  });
});

describe("signInText", () => {
  const now = new Date("2026-05-01T12:00:00Z");
  it("says an X sign-in with offline.access renews itself, even past the 2 h token", () => {
    const x = makeAccount({
      scopes: ["tweet.read", "offline.access"],
      tokenExpiresAt: "2026-05-01T11:00:00Z",
    });
    expect(renewsAutomatically(x)).toBe(true);
    expect(signInText(x, now)).toBe("Sign-in renews automatically");
  });
  it("says a sign-in without an end renews itself (reauthBy null: it lasts)", () => {
    const yt = makeAccount({
      platform: "youtube",
      scopes: [],
      tokenExpiresAt: "2026-05-01T12:40:00Z",
    });
    expect(renewsAutomatically(yt)).toBe(true);
    expect(signInText(yt, now)).toBe("Sign-in renews automatically");
    expect(signInText({ ...yt, tokenExpiresAt: null }, now)).toBeNull();
    expect(signInText({ ...yt, status: "needs_reauth" }, now)).toBeNull();
  });
  it("leaves a sign-in that ends to the badge", () => {
    const a = makeAccount({
      scopes: ["tweet.read"],
      tokenExpiresAt: "2026-05-01T14:30:00Z",
      reauthBy: "2026-05-01T14:30:00Z",
    });
    expect(renewsAutomatically(a)).toBe(false);
    expect(signInText(a, now)).toBeNull();
    expect(reauthBadge(a, now)).toEqual({ text: "Sign-in ends in 2 hours", soon: true });
  });
  it("explains why an account can't be picked", () => {
    expect(unselectableReason(makeAccount())).toBeNull();
    expect(unselectableReason(makeAccount({ status: "needs_reauth" }))).toBe("Reconnect first");
    expect(unselectableReason(makeAccount({ status: "disconnected" }))).toMatch(/reconnect/);
  });
  it("refuses accounts on platforms CreatorFlow can't publish to yet", () => {
    const ig = makeAccount({ platform: "instagram" });
    const available = new Set(["x" as const]);
    expect(unselectableReason(ig, available)).toBe(
      "Coming soon — CreatorFlow can't publish to Instagram yet",
    );
    expect(isSelectable(ig, available)).toBe(false);
    expect(isSelectable(ig, null)).toBe(true);
    expect(isSelectable(makeAccount(), available)).toBe(true);
  });
});

describe("reauthBadge", () => {
  const now = new Date("2026-05-01T12:00:00Z");
  const ending = (reauthBy: string | null, over = {}) =>
    makeAccount({ platform: "youtube", reauthBy, ...over });

  it("counts the days until the sign-in ends, amber within 7 days", () => {
    expect(reauthBadge(ending("2026-05-06T12:00:00Z"), now)).toEqual({
      text: "Sign-in ends in 5 days",
      soon: true,
    });
    expect(reauthBadge(ending("2026-05-08T12:00:00Z"), now)).toEqual({
      text: "Sign-in ends in 7 days",
      soon: true,
    });
    expect(reauthBadge(ending("2026-05-21T12:00:00Z"), now)).toEqual({
      text: "Sign-in ends in 20 days",
      soon: false,
    });
    expect(REAUTH_WARN_DAYS).toBe(7);
  });

  it("says when it has ended, and nothing when it lasts or the account is not connected", () => {
    expect(reauthBadge(ending("2026-04-30T12:00:00Z"), now)).toEqual({
      text: "Sign-in ended: reconnect to keep publishing",
      soon: true,
    });
    expect(reauthBadge(ending(null), now)).toBeNull();
    expect(reauthBadge(ending("2026-05-06T12:00:00Z", { status: "needs_reauth" }), now)).toBeNull();
  });
});

describe("accountsByPlatform", () => {
  it("lists every platform, with its accounts sorted", () => {
    const groups = accountsByPlatform([
      makeAccount({ id: 1, platform: "x", username: "zed" }),
      makeAccount({ id: 2, platform: "x", username: "amy" }),
      makeAccount({ id: 3, platform: "youtube", username: "tube" }),
    ]);
    expect(groups.map((g) => g.platform)).toEqual([
      "instagram",
      "x",
      "linkedin",
      "tiktok",
      "youtube",
    ]);
    expect(groups[1]!.accounts.map((a) => a.username)).toEqual(["amy", "zed"]);
    expect(groups[0]!.accounts).toEqual([]);
  });
});

describe("avatars", () => {
  it("uses the first letter of the display name, else the username", () => {
    expect(avatarLetter({ displayName: "élodie", username: "x" })).toBe("É");
    expect(avatarLetter({ displayName: " ", username: "maker" })).toBe("M");
    expect(avatarLetter({ displayName: "", username: "" })).toBe("?");
  });
  it("only loads avatars the CSP allows", () => {
    expect(canShowAvatar("http://127.0.0.1:4545/avatar.png")).toBe(true);
    expect(canShowAvatar("data:image/png;base64,AAA")).toBe(true);
    expect(canShowAvatar("https://pbs.twimg.com/a.jpg")).toBe(false);
    expect(canShowAvatar(null)).toBe(false);
  });
});

describe("initialAccounts", () => {
  const x = makeAccount({ id: 1, platform: "x", username: "a" });
  const linkedin = makeAccount({ id: 2, platform: "linkedin", username: "b" });
  const stale = makeAccount({ id: 3, username: "c", status: "needs_reauth" });
  const gone = makeAccount({ id: 4, username: "d", status: "disconnected" });
  const instagram = makeAccount({ id: 5, platform: "instagram", username: "e" });

  it("picks the only account a new post can go to", () => {
    expect(initialAccounts([x], true)).toEqual([1]);
    expect(initialAccounts([stale, x, gone], true)).toEqual([1]);
  });

  it("picks nothing when there is no choice to make for the creator, or two or more", () => {
    expect(initialAccounts([], true)).toEqual([]);
    expect(initialAccounts([stale, gone], true)).toEqual([]);
    expect(initialAccounts([x, linkedin], true)).toEqual([]);
  });

  it("leaves an existing post or a reopened draft as it is", () => {
    expect(initialAccounts([x], false)).toEqual([]);
  });

  it("does not count accounts on networks CreatorFlow can't publish to yet", () => {
    const available = new Set(["x" as const, "linkedin" as const]);
    expect(initialAccounts([x, instagram], true, available)).toEqual([1]);
    expect(initialAccounts([instagram], true, available)).toEqual([]);
    expect(initialAccounts([x, instagram], true)).toEqual([]);
  });
});

describe("needsAnalyticsReconnect", () => {
  it("asks a connected account whose sign-in lacks the permissions for numbers", () => {
    expect(needsAnalyticsReconnect(makeAccount({ analyticsScopesMissing: ["tweet.read"] }))).toBe(
      true,
    );
    expect(needsAnalyticsReconnect(makeAccount())).toBe(false);
  });
  it("leaves an account that must reconnect anyway to its own message", () => {
    expect(
      needsAnalyticsReconnect(
        makeAccount({ status: "needs_reauth", analyticsScopesMissing: ["tweet.read"] }),
      ),
    ).toBe(false);
  });
});
