import { describe, expect, it } from "vitest";
import { DEFAULT_CATEGORY, YOUTUBE_CATEGORIES, categoryName, parseTags, tagsText } from "./youtube";

describe("YouTube fields", () => {
  it("reads tags as typed: trimmed, no blanks, each once", () => {
    expect(parseTags(" camera strap, review,, Gear ,review, gear")).toEqual([
      "camera strap",
      "review",
      "Gear",
    ]);
    expect(parseTags("")).toEqual([]);
    expect(tagsText(["a", "b c"])).toBe("a, b c");
    expect(parseTags(tagsText(["a", "b c"]))).toEqual(["a", "b c"]);
  });

  it("offers only assignable categories, People & Blogs by default", () => {
    expect(categoryName(DEFAULT_CATEGORY)).toBe("People & Blogs");
    const ids = YOUTUBE_CATEGORIES.map((c) => c.id);
    expect(ids).not.toContain("18"); // Short Movies: not assignable
    expect(ids).not.toContain("21"); // Videoblogging: not assignable
    expect(new Set(ids).size).toBe(ids.length);
    expect(categoryName("44")).toBe("Category 44");
  });
});
