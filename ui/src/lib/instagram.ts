// Instagram's kinds of post as the composer offers them, and which kind a
// set of attached media suggests (docs/platforms/instagram.md §4.2).

import type { InstagramKind } from "./bindings";

export interface KindChoice {
  value: InstagramKind;
  label: string;
  description: string;
}

export const KIND_CHOICES: KindChoice[] = [
  { value: "feed", label: "Post", description: "One picture in your feed." },
  {
    value: "carousel",
    label: "Carousel",
    description: "2 to 10 pictures or videos people swipe through.",
  },
  { value: "reel", label: "Reel", description: "One video in Reels (3 seconds to 15 minutes)." },
  {
    value: "story",
    label: "Story",
    description: "One picture or video for 24 hours (stories have no caption).",
  },
];

/** The kind that fits `pictures` and `videos` attached, when the current one does not. */
export function suggestedKind(
  current: InstagramKind,
  pictures: number,
  videos: number,
): InstagramKind | null {
  const n = pictures + videos;
  if (n === 0) return null;
  const fits =
    (current === "feed" && n === 1 && videos === 0) ||
    (current === "carousel" && n >= 2 && n <= 10) ||
    (current === "reel" && n === 1 && videos === 1) ||
    (current === "story" && n === 1);
  if (fits) return null;
  if (n >= 2) return "carousel";
  return videos === 1 ? "reel" : "feed";
}

/** "2.5" seconds typed → milliseconds; blank → null; anything else → undefined (invalid). */
export function parseSeconds(text: string): number | null | undefined {
  const t = text.trim().replace(",", ".");
  if (t === "") return null;
  const s = Number(t);
  if (!Number.isFinite(s) || s < 0) return undefined;
  return Math.round(s * 1000);
}
