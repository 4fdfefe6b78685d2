// Media picked or dropped in the composer: base64 for the backend, sizes and
// order for the tray.

/** What the composer's file picker accepts. */
export const MEDIA_ACCEPT = "image/*,video/mp4";

/** Base64 of `bytes`, in chunks (a spread of a large array would overflow the stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  const CHUNK = 0x8000;
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** Base64 of a picked file's content. */
export async function blobToBase64(blob: Blob): Promise<string> {
  return bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
}

/** A data: URL for a thumbnail (the app's CSP allows data: images, not blob:). */
export function dataUrl(mime: string, base64: string): string {
  return `data:${mime};base64,${base64}`;
}

export function isImage(mime: string): boolean {
  return mime.toLowerCase().startsWith("image/");
}

/** "12 bytes", "340 KB", "1.2 MB", "2 GB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 1024) return `${n} ${n === 1 ? "byte" : "bytes"}`;
  const units = ["KB", "MB", "GB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value >= 10 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, "");
  return `${shown} ${units[unit]}`;
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
