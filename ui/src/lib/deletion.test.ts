import { describe, expect, it } from "vitest";
import type { Platform } from "./bindings";
import {
  andList,
  deleteAtNetworkQuestion,
  deleteChoices,
  deletedAtNetworkMessage,
  deletedMessage,
} from "./deletion";
import { makeTarget } from "./fixtures";

const both = (_: Platform) => true;
const onlyYoutube = (p: Platform) => p === "youtube";

describe("deleteChoices", () => {
  it("keeps the simple confirm when nothing is live", () => {
    const c = deleteChoices([makeTarget("scheduled"), makeTarget("failed", "youtube")], both);
    expect(c.kind).toBe("simple");
    expect(c.message).toMatch(/removed from CreatorFlow/);
    // A post removed from its network is no longer live either.
    expect(deleteChoices([makeTarget("deleted", "youtube")], both).kind).toBe("simple");
  });

  it("offers both choices, naming networks and accounts, when something is live", () => {
    const c = deleteChoices(
      [
        makeTarget("published", "x", { username: "a" }),
        makeTarget("published", "youtube", { username: "studio" }),
        makeTarget("published", "x", { username: "b" }),
        makeTarget("failed", "linkedin", { username: "li" }),
      ],
      both,
    );
    if (c.kind !== "live") throw new Error(`expected live, got ${c.kind}`);
    expect(c.networks.map((n) => [n.platform, n.usernames])).toEqual([
      ["x", ["@a", "@b"]],
      ["youtube", ["@studio"]],
    ]);
    expect(c.message).toContain("X (@a and @b) and YouTube (@studio)");
    expect(c.everywhereLabel).toBe("Delete from X and YouTube too");
    expect(c.appOnlyLabel).toBe("Keep it on X and YouTube, remove from CreatorFlow");
    expect(c.cannotDelete).toBeNull();
  });

  it("does not offer 'delete everywhere' when one of the networks can't delete", () => {
    const c = deleteChoices(
      [makeTarget("published", "youtube"), makeTarget("published", "linkedin")],
      onlyYoutube,
    );
    if (c.kind !== "live") throw new Error(`expected live, got ${c.kind}`);
    expect(c.everywhereLabel).toBeNull();
    expect(c.appOnlyLabel).toBe("Keep it on LinkedIn and YouTube, remove from CreatorFlow");
    expect(c.cannotDelete).toMatch(/can't delete posts on LinkedIn/);
  });

  it("refuses while a network is still taking the post", () => {
    expect(deleteChoices([makeTarget("processing", "youtube")], both).kind).toBe("blocked");
    expect(deleteChoices([makeTarget("publishing")], both).kind).toBe("blocked");
  });

  it("warns that an unconfirmed post may be live", () => {
    const c = deleteChoices([makeTarget("unconfirmed", "x")], both);
    expect(c.kind).toBe("simple");
    expect(c.message).toMatch(/can't tell whether it went out on X/);
  });
});

describe("words after and before deleting", () => {
  it("says where the post still is", () => {
    const live = deleteChoices([makeTarget("published", "youtube")], both);
    expect(deletedMessage(live, "everywhere")).toBe(
      "Post deleted from YouTube and from CreatorFlow.",
    );
    expect(deletedMessage(live, "app_only")).toBe(
      "Post removed from CreatorFlow. It stays live on YouTube.",
    );
    expect(deletedMessage(deleteChoices([], both), "app_only")).toBe("Post deleted.");
  });

  it("names network and account before deleting one live copy", () => {
    const q = deleteAtNetworkQuestion("youtube", "studio");
    expect(q.title).toBe("Delete from YouTube");
    expect(q.message).toMatch(/^Delete this post from YouTube \(@studio\)\?/);
    expect(q.message).toMatch(/CreatorFlow keeps the post and its history\.$/);
    expect(q.yesLabel).toBe("Delete from YouTube");
    expect(q.noLabel).toBe("Keep it");
  });

  it("says where one live copy was deleted", () => {
    expect(deletedAtNetworkMessage("x", "ana")).toBe("Deleted from X (@ana).");
  });

  it("joins lists in words", () => {
    expect(andList([])).toBe("");
    expect(andList(["X"])).toBe("X");
    expect(andList(["X", "YouTube", "LinkedIn"])).toBe("X, YouTube and LinkedIn");
  });
});
