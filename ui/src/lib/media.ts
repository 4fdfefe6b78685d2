// Media in the composer and the quick post: what the picked networks take
// (in words, from their capabilities), sizes and durations, order, and base64
// for pasted pictures.

import type { Capabilities, MediaRef, MediaRule } from "./api";
import type { MediaKind, Platform } from "./bindings";

/** A picked network as the media tray needs it. */
export interface MediaNetwork {
  platform: Platform;
  name: string;
  capabilities: Pick<Capabilities, "media" | "maxMedia" | "requiresMedia" | "supportsAltText">;
}

/** The networks among `networks` that take alt text, by name ("LinkedIn"). */
export function altTextNetworks(networks: MediaNetwork[]): string[] {
  return networks.filter((n) => n.capabilities.supportsAltText).map((n) => n.name);
}

/** What a picture's alt text is for, naming the networks that take it. */
export function altTextHint(names: string[]): string {
  if (names.length === 0) return "";
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return `Describe the picture for people who can't see it (sent to ${list}).`;
}

/** The alt texts to save: the non-empty ones, trimmed, by media id. */
export function altTextsOf(items: { ref: { id: number }; alt: string }[]) {
  return items.map((m) => ({ mediaId: m.ref.id, text: m.alt.trim() })).filter((a) => a.text !== "");
}

/** Base64 of `bytes`, in chunks (a spread of a large array would overflow the stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  const CHUNK = 0x8000;
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** Base64 of a pasted picture's content. */
export async function blobToBase64(blob: Blob): Promise<string> {
  return bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
}

/** A data: URL for a thumbnail (the app's CSP allows data: images, not blob:). */
export function dataUrl(mime: string, base64: string): string {
  return `data:${mime};base64,${base64}`;
}

/** Whether a file of this kind gets a picture thumbnail (from `mediaPreview`). */
export function hasPicture(kind: MediaKind): boolean {
  return kind === "image" || kind === "gif";
}

/** "12 bytes", "340 KB", "1.2 MB", "2 GB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 1024) return `${n} ${n === 1 ? "byte" : "bytes"}`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value >= 10 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, "");
  return `${shown} ${units[unit]}`;
}

/** A video's length as a clock: "0:45", "12:03", "1:02:03". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "";
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A duration limit in words: "0.5 seconds", "2 minutes 20 seconds", "12 hours". */
export function durationWords(ms: number): string {
  if (ms < 1000) return `${ms / 1000} seconds`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = [
    h > 0 ? plural(h, "hour") : "",
    m > 0 ? plural(m, "minute") : "",
    s > 0 ? plural(s, "second") : "",
  ];
  return parts.filter(Boolean).join(" ");
}

const FORMAT_NAMES: Record<string, string> = {
  jpeg: "JPEG",
  jpg: "JPEG",
  png: "PNG",
  webp: "WebP",
  gif: "GIF",
  mp4: "MP4",
  quicktime: "MOV",
  webm: "WebM",
  pdf: "PDF",
};

/** "image/jpeg" → "JPEG", "video/quicktime" → "MOV". */
export function formatName(mime: string): string {
  const sub = (mime.split("/")[1] ?? mime).toLowerCase().replace(/^x-/, "");
  return FORMAT_NAMES[sub] ?? sub.toUpperCase();
}

/** "A", "A or B", "A, B or C". */
export function orList(items: string[]): string {
  const list = [...new Set(items)];
  if (list.length <= 1) return list.join("");
  return `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`;
}

const KIND_WORDS: Record<MediaKind, [string, string]> = {
  image: ["image", "images"],
  gif: ["GIF", "GIFs"],
  video: ["video", "videos"],
  document: ["document", "documents"],
};

/** "one video (MP4 or MOV, up to 256 GB, up to 12 hours long)". */
export function ruleWords(rule: MediaRule): string {
  const [one, many] = KIND_WORDS[rule.kind] ?? [rule.kind, `${rule.kind}s`];
  const count = rule.maxCount <= 1 ? `one ${one}` : `up to ${rule.maxCount} ${many}`;
  const details: string[] = [];
  const formats = orList(rule.mimeTypes.map(formatName));
  // "one GIF (GIF, …)" says it twice.
  if (formats !== "" && formats.toLowerCase() !== one.toLowerCase()) details.push(formats);
  if (rule.maxBytes > 0) {
    details.push(`up to ${formatBytes(rule.maxBytes)}${rule.maxCount > 1 ? " each" : ""}`);
  }
  const min = rule.minDurationMs ?? null;
  const max = rule.maxDurationMs ?? null;
  if (min !== null && max !== null) {
    details.push(`${durationWords(min)} to ${durationWords(max)} long`);
  } else if (max !== null) {
    details.push(`up to ${durationWords(max)} long`);
  } else if (min !== null) {
    details.push(`at least ${durationWords(min)} long`);
  }
  return details.length > 0 ? `${count} (${details.join(", ")})` : count;
}

/**
 * What one network takes, in a sentence from its capabilities: "YouTube needs
 * one video (MP4 or MOV, up to 256 GB, up to 12 hours long)."
 */
export function mediaHint(network: MediaNetwork): string {
  const { media, requiresMedia, maxMedia } = network.capabilities;
  if (media.length === 0) return `${network.name} takes no media: only text.`;
  const verb = requiresMedia ? "needs" : "takes";
  const rules = media.map(ruleWords);
  // A kind that must be alone can't be mixed with the others: "or".
  const exclusive = media.some((r) => r.alone);
  const list =
    rules.length === 1
      ? rules[0]!
      : exclusive
        ? `${rules.slice(0, -1).join(", ")}, or ${rules[rules.length - 1]}`
        : `${rules.slice(0, -1).join(", ")} and ${rules[rules.length - 1]}`;
  const total = !exclusive && rules.length > 1 && maxMedia > 0 ? `, ${maxMedia} files in all` : "";
  return `${network.name} ${verb} ${list}${total}.`;
}

/** One hint per picked network that takes media. */
export function mediaHints(networks: MediaNetwork[]): string[] {
  return networks.map(mediaHint);
}

/** The kinds of media any of the picked networks take (all kinds when none is picked). */
export function acceptedKinds(networks: MediaNetwork[]): Set<MediaKind> {
  if (networks.length === 0) return new Set<MediaKind>(["image", "gif", "video"]);
  return new Set(networks.flatMap((n) => n.capabilities.media.map((r) => r.kind)));
}

/** The Attach button's words, from what the picked networks take. */
export function attachLabel(networks: MediaNetwork[]): string {
  const kinds = acceptedKinds(networks);
  const pictures = kinds.has("image") || kinds.has("gif");
  const video = kinds.has("video");
  if (pictures && video) return "Attach images or a video";
  if (video) return "Attach a video";
  if (pictures) return kinds.has("image") ? "Attach images" : "Attach a GIF";
  return "Attach media";
}

/** Whether any picked network needs media (the tray then says so before anything is attached). */
export function mediaRequiredBy(networks: MediaNetwork[]): string[] {
  return networks.filter((n) => n.capabilities.requiresMedia).map((n) => n.name);
}

const VIDEO_EXT = new Set(["mp4", "mov", "m4v", "webm", "mkv", "avi"]);
const IMAGE_EXT = new Set(["jpg", "jpeg", "png", "webp", "gif", "heic", "avif"]);

/** What a file still being copied shows: "Copying video…" (by its name's extension). */
export function copyingLabel(name: string): string {
  const ext = name.toLowerCase().split(".").pop() ?? "";
  if (VIDEO_EXT.has(ext)) return "Copying video…";
  if (IMAGE_EXT.has(ext)) return "Copying image…";
  return "Copying…";
}

/** The line under an attached file: "2:05 · 48 MB" for a video, "1.2 MB" otherwise. */
export function mediaFacts(ref: Pick<MediaRef, "kind" | "size" | "durationMs">): string {
  const duration = ref.kind === "video" ? formatDuration(ref.durationMs) : "";
  return [duration, formatBytes(ref.size)].filter(Boolean).join(" · ");
}

/** `list` with the item at `index` moved by `delta` places (unchanged if it can't move). */
export function moveItem<T>(list: readonly T[], index: number, delta: number): T[] {
  const to = index + delta;
  if (index < 0 || index >= list.length || to < 0 || to >= list.length) return [...list];
  const out = [...list];
  const [item] = out.splice(index, 1);
  out.splice(to, 0, item as T);
  return out;
}

/** The last part of a file path, whichever separator it uses. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** The pictures among pasted clipboard files (the rest is left to the text field). */
export function pastedImages(files: ArrayLike<File> | null | undefined): File[] {
  return Array.from(files ?? []).filter((f) => f.type.toLowerCase().startsWith("image/"));
}

/** A name for a pasted picture, which the clipboard often gives as "image.png". */
export function pastedName(file: Pick<File, "name" | "type">, now: Date): string {
  const ext = formatName(file.type).toLowerCase().replace("jpeg", "jpg");
  const generic = !file.name || /^image\.\w+$/i.test(file.name);
  if (!generic) return file.name;
  const stamp = now.toISOString().slice(0, 19).replace("T", " ").replace(/:/g, ".");
  return `Pasted image ${stamp}.${ext}`;
}
