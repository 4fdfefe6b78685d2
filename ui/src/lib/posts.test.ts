import { describe, expect, it } from "vitest";
import { makePost, makeTarget } from "./fixtures";
import {
  canDeletePost,
  excerpt,
  isLocked,
  lockExplanation,
  lockReason,
  postPlatforms,
  postToEvent,
  postsToEvents,
} from "./posts";

describe("postToEvent", () => {
  it("maps a scheduled post to an editable event at its instant", () => {
    const e = postToEvent(makePost({ id: 12 }))!;
    expect(e.id).toBe("12");
    expect(e.start).toBe("2026-10-20T07:00:00Z");
    expect(e.allDay).toBe(false);
    expect(e.editable).toBe(true);
    expect(e.classNames).toEqual(["cf-post", "cf-status-scheduled"]);
    expect(e.title).toBe("Launch day! Our new camera strap is here and it is very…");
    expect((e.extendedProps as { post: { id: number } }).post.id).toBe(12);
  });

  it("colours by status", () => {
    expect(postToEvent(makePost({ status: "failed" }))!.classNames).toContain("cf-status-failed");
    expect(postToEvent(makePost({ status: "draft", state: "draft" }))!.classNames).toContain(
      "cf-status-draft",
    );
  });

  it("locks posts that are publishing or published", () => {
    for (const status of [
      "publishing",
      "processing",
      "published",
      "unconfirmed",
      "deleted",
    ] as const) {
      const e = postToEvent(makePost({ targets: [makeTarget("scheduled"), makeTarget(status)] }))!;
      expect(e.editable).toBe(false);
      expect(e.classNames).toContain("cf-locked");
    }
    const failed = postToEvent(makePost({ status: "failed", targets: [makeTarget("failed")] }))!;
    expect(failed.editable).toBe(true);
  });

  it("does not let cancelled posts be dragged", () => {
    expect(postToEvent(makePost({ status: "cancelled", state: "cancelled" }))!.editable).toBe(
      false,
    );
  });

  it("leaves unscheduled drafts to the drafts list", () => {
    expect(postToEvent(makePost({ scheduledAt: null, state: "draft" }))).toBeNull();
    expect(
      postsToEvents([makePost({ id: 1 }), makePost({ id: 2, scheduledAt: null })]).map((e) => e.id),
    ).toEqual(["1"]);
  });

  it("titles an empty post so the chip is not blank", () => {
    expect(postToEvent(makePost({ text: "   " }))!.title).toBe("(no text)");
  });
});

describe("locks", () => {
  it("says why a post is read-only", () => {
    expect(lockReason(makePost())).toBeNull();
    expect(
      lockReason(makePost({ targets: [makeTarget("published"), makeTarget("publishing")] })),
    ).toBe("publishing");
    expect(lockReason(makePost({ targets: [makeTarget("unconfirmed")] }))).toBe("unconfirmed");
    expect(
      lockReason(makePost({ targets: [makeTarget("unconfirmed"), makeTarget("published")] })),
    ).toBe("published");
    expect(lockExplanation("unconfirmed")).toMatch(/can't tell whether/);
    expect(isLocked(makePost({ targets: [makeTarget("retrying")] }))).toBe(false);
    expect(lockExplanation("publishing")).toMatch(/being published right now/);
    expect(lockExplanation(null)).toBeNull();
  });

  it("locks a post a network is processing or that was removed, and says so", () => {
    expect(
      lockReason(
        makePost({ targets: [makeTarget("published"), makeTarget("processing", "youtube")] }),
      ),
    ).toBe("processing");
    expect(lockReason(makePost({ targets: [makeTarget("deleted", "youtube")] }))).toBe("deleted");
    expect(
      lockReason(
        makePost({ targets: [makeTarget("deleted", "youtube"), makeTarget("published")] }),
      ),
    ).toBe("published");
    expect(lockExplanation("processing")).toMatch(/still processing/);
    expect(lockExplanation("deleted")).toMatch(/removed from the network/);
  });

  it("lets a post be deleted unless a network is still taking it", () => {
    expect(canDeletePost(makePost({ targets: [makeTarget("published")] }))).toBe(true);
    expect(canDeletePost(makePost({ targets: [makeTarget("processing", "youtube")] }))).toBe(false);
    expect(canDeletePost(makePost({ targets: [makeTarget("publishing")] }))).toBe(false);
  });
});

describe("excerpt and platforms", () => {
  it("cuts at a word boundary and flattens whitespace", () => {
    expect(excerpt("short\n\ntext")).toBe("short text");
    expect(excerpt("one two three four", 12)).toBe("one two…");
    expect(excerpt("abcdefghijklmnop", 10)).toBe("abcdefghij…");
  });

  it("lists each platform once, in target order", () => {
    const post = makePost({
      targets: [
        makeTarget("scheduled", "linkedin"),
        makeTarget("scheduled", "x"),
        makeTarget("draft", "linkedin"),
      ],
    });
    expect(postPlatforms(post)).toEqual(["linkedin", "x"]);
  });
});
