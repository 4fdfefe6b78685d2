import { describe, expect, it } from "vitest";
import { accountsByPlatform, avatarLetter, canShowAvatar, tokenExpiryText } from "./accounts";
import { makeAccount } from "./fixtures";

describe("tokenExpiryText", () => {
  const now = new Date("2026-05-01T12:00:00Z");
  it("counts whole days left", () => {
    expect(tokenExpiryText("2026-05-13T13:00:00Z", now)).toBe("Token expires in 12 days");
    expect(tokenExpiryText("2026-05-02T23:00:00Z", now)).toBe("Token expires tomorrow");
    expect(tokenExpiryText("2026-05-01T18:00:00Z", now)).toBe("Token expires today");
  });
  it("says when it has expired, and nothing when unknown", () => {
    expect(tokenExpiryText("2026-04-30T00:00:00Z", now)).toMatch(/expired/);
    expect(tokenExpiryText(null, now)).toBeNull();
    expect(tokenExpiryText("not a date", now)).toBeNull();
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
