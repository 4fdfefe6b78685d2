import { describe, expect, it } from "vitest";
import { KIND_CHOICES, parseSeconds, suggestedKind } from "./instagram";

describe("instagram kinds", () => {
  it("offers the four kinds in Instagram's words", () => {
    expect(KIND_CHOICES.map((k) => k.value)).toEqual(["feed", "carousel", "reel", "story"]);
  });

  it("suggests the kind the media fit, and nothing when they fit", () => {
    expect(suggestedKind("feed", 1, 0)).toBeNull();
    expect(suggestedKind("feed", 3, 0)).toBe("carousel");
    expect(suggestedKind("feed", 0, 1)).toBe("reel");
    expect(suggestedKind("reel", 1, 0)).toBe("feed");
    expect(suggestedKind("story", 0, 1)).toBeNull();
    expect(suggestedKind("carousel", 1, 0)).toBe("feed");
    expect(suggestedKind("carousel", 6, 5)).toBe("carousel");
    expect(suggestedKind("feed", 0, 0)).toBeNull();
  });

  it("reads a cover frame in seconds", () => {
    expect(parseSeconds("2.5")).toBe(2500);
    expect(parseSeconds(" 3,2 ")).toBe(3200);
    expect(parseSeconds("")).toBeNull();
    expect(parseSeconds("-1")).toBeUndefined();
    expect(parseSeconds("abc")).toBeUndefined();
  });
});
