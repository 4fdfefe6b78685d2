import { describe, expect, it } from "vitest";
import { makeAccount } from "./fixtures";
import { buildPostInput, charCount, validateComposer, type ComposerFields } from "./validation";

const now = new Date("2026-10-01T10:00:00Z");
const zone = "Europe/Berlin";
const fields = (over: Partial<ComposerFields> = {}): ComposerFields => ({
  text: "Hello",
  date: "2026-10-20",
  time: "09:00",
  accountIds: [1],
  ...over,
});

describe("validateComposer", () => {
  it("accepts a complete post for both intents", () => {
    expect(validateComposer(fields(), "schedule", zone, now)).toBeNull();
    expect(validateComposer(fields(), "draft", zone, now)).toBeNull();
  });

  it("refuses empty text, unless media is attached", () => {
    expect(validateComposer(fields({ text: "  \n" }), "draft", zone, now)?.code).toBe("empty_text");
    expect(validateComposer(fields({ text: "", mediaIds: [3] }), "draft", zone, now)).toBeNull();
  });

  it("counts characters like the engine (code points, not UTF-16 units)", () => {
    expect(charCount("😀😀")).toBe(2);
    expect(validateComposer(fields({ text: "😀".repeat(10_000) }), "draft", zone, now)).toBeNull();
    const hint = validateComposer(fields({ text: "a".repeat(10_001) }), "draft", zone, now);
    expect(hint?.code).toBe("text_too_long");
    expect(hint?.message).toContain("10001");
  });

  it("lets drafts have no time, but not half a time", () => {
    expect(validateComposer(fields({ date: "", time: "" }), "draft", zone, now)).toBeNull();
    expect(validateComposer(fields({ time: "" }), "draft", zone, now)?.code).toBe(
      "incomplete_time",
    );
    expect(validateComposer(fields({ date: "" }), "draft", zone, now)?.code).toBe(
      "incomplete_time",
    );
  });

  it("needs a time to schedule", () => {
    const hint = validateComposer(fields({ date: "", time: "" }), "schedule", zone, now);
    expect(hint?.code).toBe("missing_time");
    expect(hint?.message).toBe(
      "Pick a date and time to schedule this post, or save it as a draft.",
    );
  });

  it("refuses a past time when scheduling, with the engine's minute of grace", () => {
    // 2026-10-01 12:00 Berlin = 10:00 UTC = now.
    expect(
      validateComposer(fields({ date: "2026-10-01", time: "11:59" }), "schedule", zone, now),
    ).toBeNull();
    expect(
      validateComposer(fields({ date: "2026-10-01", time: "11:58" }), "schedule", zone, now)?.code,
    ).toBe("time_in_past");
    // A draft may keep a past time.
    expect(validateComposer(fields({ date: "2026-09-01" }), "draft", zone, now)).toBeNull();
  });

  it("needs accounts to schedule, and connected ones", () => {
    expect(validateComposer(fields({ accountIds: [] }), "schedule", zone, now)?.code).toBe(
      "no_targets",
    );
    expect(validateComposer(fields({ accountIds: [] }), "draft", zone, now)).toBeNull();
    const accounts = [
      makeAccount({ id: 1, status: "needs_reauth", platform: "linkedin", username: "ana" }),
    ];
    const hint = validateComposer(fields(), "schedule", zone, now, accounts);
    expect(hint).toEqual({
      code: "account_not_connected",
      message: "Reconnect @ana on LinkedIn before scheduling to it.",
    });
    expect(validateComposer(fields(), "draft", zone, now, accounts)).toBeNull();
  });

  it("refuses a date that does not exist", () => {
    expect(validateComposer(fields({ date: "2026-02-30" }), "draft", zone, now)?.code).toBe(
      "invalid_time",
    );
  });
});

describe("buildPostInput", () => {
  it("sends the UTC instant and the zone", () => {
    const r = buildPostInput(fields({ accountIds: [2, 1, 2] }), "schedule", zone, now);
    expect(r).toEqual({
      input: {
        text: "Hello",
        scheduledAt: "2026-10-20T07:00:00.000Z",
        zone,
        intent: "schedule",
        accountIds: [2, 1],
        mediaIds: [],
        altTexts: [],
        options: [],
      },
    });
  });

  it("sends the alt texts of attached pictures only", () => {
    const r = buildPostInput(
      fields({
        mediaIds: [9],
        altTexts: [
          { mediaId: 9, text: "A red bicycle" },
          { mediaId: 4, text: "a picture taken off the post" },
        ],
      }),
      "draft",
      zone,
      now,
    );
    expect("input" in r && r.input.altTexts).toEqual([{ mediaId: 9, text: "A red bicycle" }]);
  });

  it("sends no time for an unscheduled draft", () => {
    const r = buildPostInput(fields({ date: "", time: "" }), "draft", zone, now);
    expect("input" in r && r.input.scheduledAt).toBeNull();
  });

  it("keeps media and the picked accounts' options", () => {
    const r = buildPostInput(
      fields({
        accountIds: [1],
        mediaIds: [9],
        options: [
          { accountId: 1, options: { text: "for X", network: { platform: "x", thread: [] } } },
          { accountId: 5, options: { text: "gone", network: { platform: "x", thread: [] } } },
        ],
      }),
      "draft",
      zone,
      now,
    );
    expect("input" in r && r.input.options).toEqual([
      { accountId: 1, options: { text: "for X", network: { platform: "x", thread: [] } } },
    ]);
    expect("input" in r && r.input.mediaIds).toEqual([9]);
  });

  it("returns the hint instead of an input", () => {
    expect(buildPostInput(fields({ text: "" }), "draft", zone, now)).toEqual({
      hint: { code: "empty_text", message: "Write something (or attach media) before saving." },
    });
  });
});

describe("Post now", () => {
  it("needs connected accounts but no time, and sends no time", () => {
    expect(validateComposer(fields({ date: "", time: "" }), "publish_now", zone, now)).toBeNull();
    expect(
      validateComposer(fields({ date: "2020-01-01", time: "" }), "publish_now", zone, now),
    ).toBeNull();
    expect(validateComposer(fields({ accountIds: [] }), "publish_now", zone, now)?.code).toBe(
      "no_targets",
    );
    const broken = [makeAccount({ id: 1, status: "needs_reauth", username: "maker" })];
    expect(validateComposer(fields(), "publish_now", zone, now, broken)?.message).toBe(
      "Reconnect @maker on X before posting to it.",
    );
    const built = buildPostInput(fields(), "publish_now", zone, now);
    expect("input" in built && built.input.scheduledAt).toBe(null);
    expect("input" in built && built.input.intent).toBe("publish_now");
  });
});
