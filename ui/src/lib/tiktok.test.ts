import { describe, expect, it } from "vitest";
import type { PostingInfo } from "./api";
import { makeAccount } from "./fixtures";
import { defaultOptions } from "./networks";
import {
  BRANDED_CONTENT_POLICY_URL,
  MUSIC_USAGE_URL,
  UNAUDITED_NOTICE,
  allAnswered,
  answeredCreators,
  brandedContentDisabledReason,
  commercialLabel,
  commonPrivacyChoices,
  consentParts,
  consentText,
  creatorName,
  interactionState,
  privacyChoiceDisabledReason,
  privacyLabel,
  privacyNotOffered,
  unauditedPrivacyHint,
  videoLimitText,
  withDisclosure,
  type CreatorEntry,
  type InfoState,
} from "./tiktok";

const EVERYONE = { value: "PUBLIC_TO_EVERYONE", label: "Everyone" };
const FRIENDS = { value: "MUTUAL_FOLLOW_FRIENDS", label: "Friends" };
const FOLLOWERS = { value: "FOLLOWER_OF_CREATOR", label: "Followers" };
const ONLY_ME = { value: "SELF_ONLY", label: "Only me" };

function info(over: Partial<PostingInfo> = {}): PostingInfo {
  return {
    displayName: "Ann",
    avatarUrl: null,
    privacyChoices: [EVERYONE, FRIENDS, FOLLOWERS, ONLY_ME],
    interactionsOff: [],
    maxVideoDurationMs: 300_000,
    ...over,
  };
}

function creator(accountId: number, over: Partial<PostingInfo> = {}): CreatorEntry {
  const i = info(over);
  return { accountId, name: i.displayName, info: i };
}

const tiktok = (over: Partial<ReturnType<typeof defaultOptions<"tiktok">>> = {}) => ({
  ...defaultOptions("tiktok"),
  ...over,
});

describe("defaults", () => {
  it("picks nothing for the creator: no privacy level, every toggle off", () => {
    expect(defaultOptions("tiktok")).toEqual({
      platform: "tiktok",
      privacyLevel: null,
      allowComments: false,
      allowDuet: false,
      allowStitch: false,
      discloseCommercial: false,
      brandOrganic: false,
      brandedContent: false,
    });
  });
});

describe("privacy choices", () => {
  it("offers what one account offers, in TikTok's order", () => {
    expect(commonPrivacyChoices([info()])).toEqual([EVERYONE, FRIENDS, FOLLOWERS, ONLY_ME]);
    expect(commonPrivacyChoices([])).toEqual([]);
  });

  it("offers only the levels every picked account offers", () => {
    // A private account never gets "Everyone".
    const privateAccount = info({ privacyChoices: [FOLLOWERS, FRIENDS, ONLY_ME] });
    expect(commonPrivacyChoices([info(), privateAccount])).toEqual([FRIENDS, FOLLOWERS, ONLY_ME]);
    expect(
      commonPrivacyChoices([
        info({ privacyChoices: [EVERYONE] }),
        info({ privacyChoices: [ONLY_ME] }),
      ]),
    ).toEqual([]);
  });

  it("lists a level once even if TikTok repeats it", () => {
    expect(commonPrivacyChoices([info({ privacyChoices: [ONLY_ME, ONLY_ME] })])).toEqual([ONLY_ME]);
  });

  it("names levels in TikTok's words", () => {
    expect(privacyLabel("SELF_ONLY")).toBe("Only me");
    expect(
      privacyLabel("FOLLOWER_OF_CREATOR", [{ value: "FOLLOWER_OF_CREATOR", label: "Fans" }]),
    ).toBe("Fans");
    expect(privacyLabel("SOMETHING_NEW")).toBe("SOMETHING_NEW");
  });

  it("says when a picked level is not offered any more, once every account answered", () => {
    const c = [creator(1), creator(2, { displayName: "Bo", privacyChoices: [ONLY_ME] })];
    c[1]!.name = "Bo";
    expect(privacyNotOffered({ privacyLevel: "PUBLIC_TO_EVERYONE" }, c, true)).toBe(
      "TikTok doesn't offer “Everyone” to Bo now. Pick who can see this video again.",
    );
    expect(privacyNotOffered({ privacyLevel: "PUBLIC_TO_EVERYONE" }, c, false)).toBeNull();
    expect(privacyNotOffered({ privacyLevel: "SELF_ONLY" }, c, true)).toBeNull();
    expect(privacyNotOffered({ privacyLevel: null }, c, true)).toBeNull();
  });
});

describe("the accounts TikTok answered for", () => {
  const accounts = [
    makeAccount({ id: 1, platform: "tiktok", username: "ann.makes", displayName: "" }),
    makeAccount({ id: 2, platform: "tiktok", username: "bo", displayName: "Bo Studio" }),
  ];

  it("keeps the picked order and skips accounts still loading, failed or without limits", () => {
    const states: Record<number, InfoState> = {
      1: { status: "ok", info: info({ displayName: "Ann" }) },
      2: { status: "loading" },
      3: { status: "error", message: "Reconnect" },
      4: { status: "ok", info: null },
    };
    expect(
      answeredCreators([4, 3, 2, 1], states, accounts).map((c) => [c.accountId, c.name]),
    ).toEqual([[1, "Ann"]]);
    expect(allAnswered([1, 4], states)).toBe(true);
    expect(allAnswered([1, 2], states)).toBe(false);
    expect(allAnswered([1, 3], states)).toBe(false);
    expect(allAnswered([1, 99], states)).toBe(false);
  });

  it("names an account by its TikTok nickname, else what CreatorFlow knows of it", () => {
    expect(creatorName(info({ displayName: " Ann " }), accounts[0])).toBe("Ann");
    expect(creatorName(info({ displayName: "" }), accounts[1])).toBe("Bo Studio");
    expect(creatorName(null, accounts[0])).toBe("@ann.makes");
    expect(creatorName(null, undefined)).toBe("your TikTok account");
  });

  it("says how long a video each account may post, when TikTok said", () => {
    expect(videoLimitText(creator(1))).toBe("TikTok lets Ann post videos up to 5:00");
    expect(videoLimitText(creator(1, { maxVideoDurationMs: 600_000 }))).toBe(
      "TikTok lets Ann post videos up to 10:00",
    );
    expect(videoLimitText(creator(1, { maxVideoDurationMs: null }))).toBeNull();
  });
});

describe("comments, Duet and Stitch", () => {
  it("can be turned on when no account turned them off", () => {
    expect(interactionState(tiktok({ allowDuet: true }), "duet", [creator(1)])).toEqual({
      disabled: false,
      checked: true,
      reason: null,
    });
    // Before TikTok answers nothing is known to be off.
    expect(interactionState(tiktok(), "comment", [])).toEqual({
      disabled: false,
      checked: false,
      reason: null,
    });
  });

  it("are off, unchecked, with the reason, when the creator turned them off in TikTok", () => {
    const off = creator(1, { interactionsOff: ["comment", "stitch"] });
    expect(interactionState(tiktok({ allowComments: true }), "comment", [off])).toEqual({
      disabled: true,
      checked: false,
      reason: "Turned off in your TikTok settings.",
    });
    expect(interactionState(tiktok(), "stitch", [off]).disabled).toBe(true);
    expect(interactionState(tiktok(), "duet", [off]).disabled).toBe(false);
  });

  it("with several accounts: off when all turned it off, else on with a word for the others", () => {
    const a = creator(1, { interactionsOff: ["comment"] });
    const b = { ...creator(2, { interactionsOff: ["comment", "duet"] }), name: "Bo" };
    expect(interactionState(tiktok(), "comment", [a, b])).toEqual({
      disabled: true,
      checked: false,
      reason: "Turned off in the TikTok settings of every account you picked.",
    });
    expect(interactionState(tiktok({ allowDuet: true }), "duet", [a, b])).toEqual({
      disabled: false,
      checked: true,
      reason: "Stays off for Bo: turned off in their TikTok settings.",
    });
  });
});

describe("commercial content", () => {
  it("can't be branded content and private at the same time", () => {
    const branded = tiktok({ discloseCommercial: true, brandedContent: true });
    expect(privacyChoiceDisabledReason("SELF_ONLY", branded)).toMatch(/can't be private/);
    expect(privacyChoiceDisabledReason("PUBLIC_TO_EVERYONE", branded)).toBeNull();
    // Branded content left over from a disclosure turned off does not count.
    expect(privacyChoiceDisabledReason("SELF_ONLY", tiktok({ brandedContent: true }))).toBeNull();

    expect(brandedContentDisabledReason(tiktok({ privacyLevel: "SELF_ONLY" }))).toMatch(
      /can't be private/,
    );
    expect(
      brandedContentDisabledReason(tiktok({ privacyLevel: "FOLLOWER_OF_CREATOR" })),
    ).toBeNull();
    // Already ticked (a post opened again): it can still be unticked.
    expect(
      brandedContentDisabledReason(tiktok({ privacyLevel: "SELF_ONLY", brandedContent: true })),
    ).toBeNull();
  });

  it("turning the disclosure off clears what it promoted", () => {
    const on = withDisclosure(tiktok({ privacyLevel: "SELF_ONLY" }), true);
    expect(on).toMatchObject({ discloseCommercial: true, privacyLevel: "SELF_ONLY" });
    const off = withDisclosure({ ...on, brandOrganic: true, brandedContent: true }, false);
    expect(off).toMatchObject({
      discloseCommercial: false,
      brandOrganic: false,
      brandedContent: false,
      privacyLevel: "SELF_ONLY",
    });
  });

  it("says which label TikTok puts on the video", () => {
    expect(commercialLabel(tiktok())).toBeNull();
    expect(commercialLabel(tiktok({ discloseCommercial: true }))).toBeNull();
    expect(commercialLabel(tiktok({ discloseCommercial: true, brandOrganic: true }))).toBe(
      "Your video will be labeled “Promotional content”.",
    );
    expect(commercialLabel(tiktok({ discloseCommercial: true, brandedContent: true }))).toBe(
      "Your video will be labeled “Paid partnership”.",
    );
    expect(
      commercialLabel(
        tiktok({ discloseCommercial: true, brandOrganic: true, brandedContent: true }),
      ),
    ).toBe("Your video will be labeled “Paid partnership”.");
  });
});

describe("consent", () => {
  it("is the Music Usage Confirmation, always", () => {
    expect(consentText(tiktok())).toBe(
      "By posting, you agree to TikTok's Music Usage Confirmation.",
    );
    expect(consentText(tiktok({ discloseCommercial: true, brandOrganic: true }))).toBe(
      "By posting, you agree to TikTok's Music Usage Confirmation.",
    );
    expect(
      consentParts(tiktok())
        .filter((p) => p.href)
        .map((p) => p.href),
    ).toEqual([MUSIC_USAGE_URL]);
  });

  it("adds the Branded Content Policy for branded content", () => {
    const branded = tiktok({ discloseCommercial: true, brandedContent: true });
    expect(consentText(branded)).toBe(
      "By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation.",
    );
    expect(consentParts(branded).flatMap((p) => (p.href ? [[p.text, p.href]] : []))).toEqual([
      ["Branded Content Policy", BRANDED_CONTENT_POLICY_URL],
      ["Music Usage Confirmation", MUSIC_USAGE_URL],
    ]);
    // Not disclosed: no branded content, whatever was left ticked.
    expect(consentText(tiktok({ brandedContent: true }))).toBe(
      "By posting, you agree to TikTok's Music Usage Confirmation.",
    );
  });

  it("links only to TikTok's own pages, over https", () => {
    for (const url of [MUSIC_USAGE_URL, BRANDED_CONTENT_POLICY_URL]) {
      expect(new URL(url).protocol).toBe("https:");
      expect(new URL(url).hostname).toBe("www.tiktok.com");
    }
  });
});

describe("an unaudited app", () => {
  it("says what TikTok restricts and where to tick the audit", () => {
    expect(UNAUDITED_NOTICE).toContain("“Only me”");
    expect(UNAUDITED_NOTICE).toContain("Settings → Platforms → TikTok");
  });

  it("warns under the privacy choice only when another level than Only me is picked", () => {
    expect(unauditedPrivacyHint(tiktok({ privacyLevel: "PUBLIC_TO_EVERYONE" }), false)).toMatch(
      /“Only me”/,
    );
    expect(unauditedPrivacyHint(tiktok({ privacyLevel: "SELF_ONLY" }), false)).toBeNull();
    expect(unauditedPrivacyHint(tiktok(), false)).toBeNull();
    expect(unauditedPrivacyHint(tiktok({ privacyLevel: "PUBLIC_TO_EVERYONE" }), true)).toBeNull();
    // Settings not read yet: nothing said.
    expect(unauditedPrivacyHint(tiktok({ privacyLevel: "PUBLIC_TO_EVERYONE" }), null)).toBeNull();
  });
});
