import { describe, expect, it } from "vitest";
import type { NetworkOptions } from "./api";
import { makeAccount, makePost, makeTarget } from "./fixtures";
import {
  APP_REVIEWS,
  SETUP_STEPS,
  appReviewed,
  buildTargetOptions,
  defaultOptions,
  networkOptionsOf,
  normalizeOptions,
  pickedNetworks,
  textFieldLabel,
} from "./networks";

const accounts = [
  makeAccount({ id: 1, platform: "x", username: "a" }),
  makeAccount({ id: 2, platform: "x", username: "b" }),
  makeAccount({ id: 3, platform: "youtube", username: "tube" }),
  makeAccount({ id: 4, platform: "linkedin", username: "li" }),
];

describe("defaults", () => {
  it("matches the backend's defaults, leaving 'made for kids' unanswered", () => {
    expect(defaultOptions("x")).toEqual({ platform: "x", thread: [] });
    const yt = defaultOptions("youtube");
    expect(yt).toMatchObject({
      platform: "youtube",
      title: "",
      categoryId: "22",
      privacy: "public",
      madeForKids: null,
      notifySubscribers: true,
      thumbnailMediaId: null,
    });
    expect(defaultOptions("linkedin")).toEqual({ platform: "linkedin", visibility: "public" });
  });

  it("hands out fresh objects (editing one does not change the next)", () => {
    const a = defaultOptions("x");
    a.thread.push("changed");
    expect(defaultOptions("x").thread).toEqual([]);
  });

  it("fills missing fields and refuses another network's options", () => {
    expect(
      normalizeOptions("youtube", { platform: "youtube", title: "Hi" } as NetworkOptions),
    ).toEqual({ ...defaultOptions("youtube"), title: "Hi" });
    expect(normalizeOptions("youtube", { platform: "x", thread: ["t"] })).toEqual(
      defaultOptions("youtube"),
    );
    expect(normalizeOptions("x", null)).toEqual(defaultOptions("x"));
  });
});

describe("buildTargetOptions", () => {
  it("gives every picked account options of its own network", () => {
    const out = buildTargetOptions([1, 3, 4], accounts, {});
    expect(out.map((o) => [o.accountId, o.options.network.platform])).toEqual([
      [1, "x"],
      [3, "youtube"],
      [4, "linkedin"],
    ]);
    expect(out.every((o) => o.options.text === null)).toBe(true);
  });

  it("gives the composer's options of a network to each of its accounts, as copies", () => {
    const x: NetworkOptions = { platform: "x", thread: ["two", "three"] };
    const yt: NetworkOptions = {
      ...defaultOptions("youtube"),
      title: "My video",
      madeForKids: false,
    };
    const out = buildTargetOptions([1, 2, 3], accounts, { x, youtube: yt });
    expect(out[0]!.options.network).toEqual(x);
    expect(out[1]!.options.network).toEqual(x);
    expect(out[0]!.options.network).not.toBe(x);
    expect(out[2]!.options.network).toEqual(yt);
  });

  it("never sends one network's options to another network's account", () => {
    // A post once aimed at X, now at a YouTube channel with the same id.
    const existing = [{ accountId: 3, options: { text: "variant", network: defaultOptions("x") } }];
    const out = buildTargetOptions([3], accounts, {}, existing);
    expect(out[0]!.options.network.platform).toBe("youtube");
    expect(out[0]!.options.text).toBe("variant");
  });

  it("keeps text variants and what an account had, and drops unpicked accounts", () => {
    const existing = [
      {
        accountId: 1,
        options: { text: "for a", network: { platform: "x" as const, thread: ["old"] } },
      },
      {
        accountId: 4,
        options: {
          text: null,
          network: { platform: "linkedin" as const, visibility: "connections" as const },
        },
      },
    ];
    const out = buildTargetOptions([1, 4], accounts, {}, existing);
    expect(out).toEqual([
      { accountId: 1, options: { text: "for a", network: { platform: "x", thread: ["old"] } } },
      {
        accountId: 4,
        options: { text: null, network: { platform: "linkedin", visibility: "connections" } },
      },
    ]);
    expect(buildTargetOptions([4], accounts, {}, existing).map((o) => o.accountId)).toEqual([4]);
  });

  it("prefers what the creator set in the composer over what the post had stored", () => {
    const existing = [
      {
        accountId: 1,
        options: { text: "keep me", network: { platform: "x" as const, thread: ["old"] } },
      },
    ];
    const out = buildTargetOptions(
      [1],
      accounts,
      { x: { platform: "x", thread: ["new"] } },
      existing,
    );
    expect(out).toEqual([
      { accountId: 1, options: { text: "keep me", network: { platform: "x", thread: ["new"] } } },
    ]);
  });

  it("sends each account once and skips accounts it knows nothing about", () => {
    expect(buildTargetOptions([1, 1, 99], accounts, {}).map((o) => o.accountId)).toEqual([1]);
  });
});

describe("options of an existing post", () => {
  it("reads each network's options from its first target", () => {
    const post = makePost({
      targets: [
        makeTarget("scheduled", "x", {
          accountId: 1,
          options: { text: null, network: { platform: "x", thread: ["2/2"] } },
        }),
        makeTarget("scheduled", "youtube", {
          accountId: 3,
          options: {
            text: null,
            network: { ...defaultOptions("youtube"), title: "Launch", tags: ["a", "b"] },
          },
        }),
      ],
    });
    const byNetwork = networkOptionsOf(post);
    expect(byNetwork.x).toEqual({ platform: "x", thread: ["2/2"] });
    expect(byNetwork.youtube).toMatchObject({ title: "Launch", tags: ["a", "b"] });
    expect(networkOptionsOf(null)).toEqual({});
  });

  it("lists the picked networks once each, in the app's order", () => {
    expect(pickedNetworks([3, 2, 1], accounts)).toEqual(["x", "youtube"]);
    expect(pickedNetworks([], accounts)).toEqual([]);
  });
});

describe("textFieldLabel", () => {
  it("follows the picked networks' own word for the text", () => {
    expect(textFieldLabel([])).toBe("Post text");
    expect(textFieldLabel(["Description"])).toBe("Description");
    expect(textFieldLabel(["Post"])).toBe("Post text");
    expect(textFieldLabel(["Post", "Description", "Post"])).toBe("Post / Description");
    expect(textFieldLabel([null, undefined])).toBe("Post text");
  });
});

describe("Settings → Platforms", () => {
  it("tells how to set up a TikTok app for Direct Post from the desktop", () => {
    const steps = SETUP_STEPS.tiktok ?? "";
    expect(steps).toContain("Login Kit");
    expect(steps).toContain("Content Posting API");
    expect(steps).toContain("http://127.0.0.1:*/oauth/tiktok/callback");
    for (const scope of ["user.info.basic", "video.publish", "video.upload"]) {
      expect(steps).toContain(scope);
    }
  });

  it("offers an app review only where the network has one", () => {
    expect(Object.keys(APP_REVIEWS)).toEqual(["tiktok"]);
    expect(APP_REVIEWS.tiktok?.guide.url).toBe(
      "https://developers.tiktok.com/doc/content-sharing-guidelines",
    );
  });

  it("reads whether the creator said a network reviewed their app", () => {
    expect(appReviewed({ reviewedApps: ["tiktok"] }, "tiktok")).toBe(true);
    expect(appReviewed({ reviewedApps: [] }, "tiktok")).toBe(false);
    expect(appReviewed({ reviewedApps: ["tiktok"] }, "x")).toBe(false);
    // Older settings without the field, or none read yet.
    expect(appReviewed({}, "tiktok")).toBe(false);
    expect(appReviewed(null, "tiktok")).toBe(false);
  });
});
