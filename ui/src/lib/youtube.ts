// YouTube's own option values for its composer fields (YoutubeOptions.svelte).

import type { YoutubePrivacy } from "./bindings";

/**
 * The video categories a video can be put in (`videoCategories.list`,
 * assignable ones; docs/platforms/youtube.md §3.2), by name.
 */
export const YOUTUBE_CATEGORIES: { id: string; name: string }[] = [
  { id: "2", name: "Autos & Vehicles" },
  { id: "23", name: "Comedy" },
  { id: "27", name: "Education" },
  { id: "24", name: "Entertainment" },
  { id: "1", name: "Film & Animation" },
  { id: "20", name: "Gaming" },
  { id: "26", name: "Howto & Style" },
  { id: "10", name: "Music" },
  { id: "25", name: "News & Politics" },
  { id: "29", name: "Nonprofits & Activism" },
  { id: "22", name: "People & Blogs" },
  { id: "15", name: "Pets & Animals" },
  { id: "28", name: "Science & Technology" },
  { id: "17", name: "Sports" },
  { id: "19", name: "Travel & Events" },
];

export const DEFAULT_CATEGORY = "22";

export const PRIVACY_CHOICES: { value: YoutubePrivacy; label: string; description: string }[] = [
  { value: "public", label: "Public", description: "Everyone can find and watch it." },
  { value: "unlisted", label: "Unlisted", description: "Only people with the link can watch it." },
  { value: "private", label: "Private", description: "Only you can watch it." },
];

/** Tags as typed ("tag one, tag two") → the list sent (trimmed, no blanks, each once). */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim().replace(/\s+/g, " ");
    if (tag !== "" && !out.some((t) => t.toLowerCase() === tag.toLowerCase())) out.push(tag);
  }
  return out;
}

/** The list as the tags field shows it. */
export function tagsText(tags: string[]): string {
  return tags.join(", ");
}

/** The category's name, or its id when it is not one of the known ones. */
export function categoryName(id: string): string {
  return YOUTUBE_CATEGORIES.find((c) => c.id === id)?.name ?? `Category ${id}`;
}
