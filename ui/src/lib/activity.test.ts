import { describe, expect, it } from "vitest";
import type { ActivityItem } from "./api";
import type { TargetStatus } from "./bindings";
import {
  actionsFor,
  attemptOutcomeWords,
  groupActivity,
  nextAttemptText,
  processingText,
  progressPercent,
  publishedSince,
  removedText,
  sectionOf,
  statusExplanation,
  statusesForFilter,
  statusWords,
} from "./activity";
import { makeTarget } from "./fixtures";

function item(
  id: number,
  status: TargetStatus,
  over: Partial<ActivityItem["target"]> = {},
  scheduledAt: string | null = "2026-05-01T10:00:00Z",
): ActivityItem {
  return {
    postId: 100 + id,
    excerpt: `post ${id}`,
    scheduledAt,
    zone: "UTC",
    editable: true,
    target: makeTarget(status, "x", { id, ...over }),
  };
}

describe("groupActivity", () => {
  it("puts each status in its section and leaves drafts and cancelled out", () => {
    const groups = groupActivity([
      item(1, "failed"),
      item(2, "missed"),
      item(3, "unconfirmed"),
      item(4, "needs_reauth"),
      item(5, "publishing"),
      item(6, "retrying"),
      item(7, "scheduled"),
      item(8, "published", { publishedAt: "2026-05-01T10:00:05Z" }),
      item(9, "cancelled"),
      item(10, "draft"),
      item(11, "processing"),
      item(12, "deleted", { deletedAt: "2026-05-02T10:00:00Z" }),
    ]);
    const ids = (k: keyof typeof groups) => groups[k].map((i) => i.target.id).sort((a, b) => a - b);
    expect(ids("attention")).toEqual([1, 2, 3, 4]);
    expect(ids("progress")).toEqual([5, 6, 11]);
    expect(ids("upcoming")).toEqual([7]);
    expect(ids("published")).toEqual([8, 12]);
  });

  it("sorts upcoming soonest first and published newest first", () => {
    const groups = groupActivity([
      item(1, "scheduled", { nextAttemptAt: "2026-05-03T10:00:00Z" }),
      item(2, "scheduled", { nextAttemptAt: "2026-05-02T10:00:00Z" }),
      item(3, "published", { publishedAt: "2026-04-01T10:00:00Z" }),
      item(4, "published", { publishedAt: "2026-04-20T10:00:00Z" }),
      item(5, "retrying", { nextAttemptAt: "2026-05-01T10:05:00Z" }),
      item(6, "publishing", { nextAttemptAt: null }, "2026-05-01T10:00:00Z"),
    ]);
    expect(groups.upcoming.map((i) => i.target.id)).toEqual([2, 1]);
    expect(groups.published.map((i) => i.target.id)).toEqual([4, 3]);
    expect(groups.progress.map((i) => i.target.id)).toEqual([6, 5]);
  });

  it("knows each status's section", () => {
    expect(sectionOf("needs_reauth")).toBe("attention");
    expect(sectionOf("retrying")).toBe("progress");
    expect(sectionOf("processing")).toBe("progress");
    expect(sectionOf("deleted")).toBe("published");
    expect(sectionOf("draft")).toBeNull();
  });

  it("sorts removed posts by when they were removed", () => {
    const groups = groupActivity([
      item(1, "published", { publishedAt: "2026-04-10T10:00:00Z" }),
      item(2, "deleted", {
        publishedAt: "2026-04-01T10:00:00Z",
        deletedAt: "2026-04-20T10:00:00Z",
      }),
    ]);
    expect(groups.published.map((i) => i.target.id)).toEqual([2, 1]);
  });
});

describe("status words and actions", () => {
  it("says each status in words", () => {
    expect(statusWords("unconfirmed")).toBe("Not confirmed");
    expect(statusWords("needs_reauth")).toBe("Needs reconnect");
    expect(statusWords("retrying")).toBe("Waiting to retry");
    expect(statusWords("processing")).toBe("Processing");
    expect(statusWords("deleted")).toBe("Removed");
    expect(statusWords("retrying", "waiting_for_limit")).toBe("Waiting for room");
    expect(statusWords("retrying", "rate_limited")).toBe("Waiting to retry");
    expect(statusWords("scheduled", "waiting_for_limit")).toBe("Scheduled");
  });

  it("says how far the network is, in its own words", () => {
    expect(processingText("youtube", "YouTube is processing the video (40 %)")).toBe(
      "Processing on YouTube: YouTube is processing the video (40 %)",
    );
    expect(processingText("youtube", null)).toBe("Processing on YouTube…");
    expect(processingText("youtube", "  ")).toBe("Processing on YouTube…");
    expect(statusExplanation("processing", "youtube", "studio")).toBe("Processing on YouTube…");
  });

  it("says when a post was removed from its network", () => {
    expect(removedText("youtube", "2026-05-01T07:00:00Z", "en-GB", "Europe/Berlin")).toBe(
      "Removed from YouTube on Fri 1 May, 09:00",
    );
    expect(removedText("x", null, "en-GB", "UTC")).toBe("Removed from X");
  });

  it("explains an unconfirmed post naming the platform", () => {
    expect(statusExplanation("unconfirmed", "x", "maker")).toBe(
      "CreatorFlow was interrupted while publishing; check X before re-posting.",
    );
    expect(statusExplanation("needs_reauth", "x", "maker")).toMatch(/@maker/);
    expect(statusExplanation("scheduled", "x", "maker")).toBeNull();
  });

  const kinds = (s: TargetStatus, url = false) => actionsFor(s, "x", url).map((a) => a.kind);

  it("offers Retry / Publish now for failed, missed and retrying", () => {
    expect(kinds("failed")).toEqual(["retry", "open"]);
    expect(actionsFor("missed", "x", false)[0]!.label).toBe("Publish now");
    expect(actionsFor("retrying", "x", false).map((a) => a.kind)).toEqual(["retry", "open"]);
    expect(
      actionsFor("retrying", "x", false, true, true, false, "waiting_for_limit").map((a) => a.kind),
    ).toEqual(["open"]);
    expect(kinds("retrying")).toContain("retry");
  });

  it("offers nothing to send on a platform CreatorFlow can't publish to yet", () => {
    expect(actionsFor("failed", "instagram", false, false).map((a) => a.kind)).toEqual(["open"]);
    expect(actionsFor("missed", "tiktok", false, false).map((a) => a.kind)).toEqual(["open"]);
    expect(actionsFor("published", "youtube", true, false).map((a) => a.kind)).toEqual([
      "view",
      "open",
    ]);
  });

  it("asks about an unconfirmed post with two answers", () => {
    const actions = actionsFor("unconfirmed", "x", false);
    expect(actions.map((a) => a.kind)).toEqual(["confirm", "republish"]);
    expect(actions[0]!.label).toBe("It's on X — mark as published");
    expect(actions[1]!.label).toBe("Not on X — publish again");
  });

  it("sends needs_reauth to Accounts and links published posts when there is a URL", () => {
    expect(kinds("needs_reauth")).toEqual(["reconnect", "open"]);
    expect(kinds("published", true)).toEqual(["view", "open"]);
    expect(kinds("published", false)).toEqual(["open"]);
    expect(actionsFor("published", "x", true)[0]!.label).toBe("View on X");
    expect(kinds("publishing")).toEqual([]);
  });

  it("offers Delete from the network on a published post only where the network allows it", () => {
    const can = actionsFor("published", "youtube", true, true, false, true);
    expect(can.map((a) => a.kind)).toEqual(["view", "open", "delete"]);
    expect(can[2]!.label).toBe("Delete from YouTube…");
    expect(actionsFor("published", "youtube", true, true, false, false).map((a) => a.kind)).toEqual(
      ["view", "open"],
    );
    // Not for what is not live, nor on a network CreatorFlow can't publish to.
    expect(actionsFor("deleted", "youtube", false, true, false, true).map((a) => a.kind)).toEqual([
      "open",
    ]);
    expect(
      actionsFor("processing", "youtube", false, true, false, true).map((a) => a.kind),
    ).toEqual(["open"]);
    expect(actionsFor("published", "youtube", true, false, false, true).map((a) => a.kind)).toEqual(
      ["view", "open"],
    );
  });
});

describe("filters, progress, times", () => {
  it("maps the state filter to the statuses to ask for", () => {
    expect(statusesForFilter("")).toEqual([]);
    expect(statusesForFilter("attention")).toEqual([
      "failed",
      "missed",
      "unconfirmed",
      "needs_reauth",
    ]);
    expect(statusesForFilter("failed")).toEqual(["failed"]);
    expect(statusesForFilter("progress")).toEqual(["publishing", "processing", "retrying"]);
    expect(statusesForFilter("published")).toEqual(["published", "deleted"]);
    expect(statusesForFilter("processing")).toEqual(["processing"]);
    expect(statusesForFilter("nonsense")).toEqual([]);
  });

  it("turns upload progress into a percentage", () => {
    expect(progressPercent(50, 200)).toBe(25);
    expect(progressPercent(300, 200)).toBe(100);
    expect(progressPercent(1, 0)).toBeNull();
    expect(progressPercent(null, 100)).toBeNull();
  });

  it("says when the next attempt is, in the given zone", () => {
    expect(nextAttemptText("2026-05-01T10:05:00Z", "en-GB", "Europe/Berlin")).toBe(
      "Next attempt at 12:05",
    );
    expect(nextAttemptText("2026-05-01T10:05:00Z", "en-US", "Europe/Berlin")).toBe(
      "Next attempt at 12:05 PM",
    );
    expect(nextAttemptText("2026-05-01T07:05:00Z", "en-US", "UTC")).toBe("Next attempt at 7:05 AM");
    expect(nextAttemptText(null, "en-GB", "UTC")).toBeNull();
    expect(
      nextAttemptText("2026-05-01T10:05:00Z", "en-GB", "Europe/Berlin", "waiting_for_limit"),
    ).toBe("Goes out at 12:05");
  });

  it("looks back 30 days for published posts", () => {
    expect(publishedSince(new Date("2026-05-31T00:00:00Z"))).toBe("2026-05-01T00:00:00.000Z");
  });
});

describe("attemptOutcomeWords", () => {
  it("says how each attempt ended", () => {
    expect(attemptOutcomeWords(null)).toBe("In progress");
    expect(attemptOutcomeWords("retry")).toBe("Failed, will retry");
    expect(attemptOutcomeWords("published")).toBe("Published");
    expect(attemptOutcomeWords("something_new")).toBe("something new");
  });
  it("words the network's answers to deletes, updates and processing", () => {
    expect(attemptOutcomeWords("processing", "youtube")).toBe(
      "Sent; YouTube was still processing it",
    );
    expect(attemptOutcomeWords("deleted", "youtube")).toBe("Deleted from YouTube");
    expect(attemptOutcomeWords("delete_failed", "x")).toBe("Could not delete it from X");
    expect(attemptOutcomeWords("updated", "youtube")).toBe("Updated on YouTube");
    expect(attemptOutcomeWords("update_failed", "youtube")).toBe("Could not update it on YouTube");
    expect(attemptOutcomeWords("deleted")).toBe("Deleted from the network");
  });
});

describe("actionsFor on a post another account already published", () => {
  it("offers Open instead of Edit", () => {
    const editable = actionsFor("failed", "x", false, true, true).map((a) => a.label);
    const locked = actionsFor("failed", "x", false, true, false).map((a) => a.label);
    expect(editable).toContain("Edit");
    expect(locked).not.toContain("Edit");
    expect(locked).toContain("Open");
    expect(locked).toContain("Retry");
  });
});
