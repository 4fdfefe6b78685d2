import { describe, expect, it } from "vitest";
import { baseName, blobToBase64, bytesToBase64, dataUrl, formatBytes, moveItem } from "./media";

describe("base64", () => {
  it("matches Node's encoder, also for large and binary input", () => {
    const small = new TextEncoder().encode("héllo");
    expect(bytesToBase64(small)).toBe(Buffer.from(small).toString("base64"));
    const big = new Uint8Array(200_000).map((_, i) => (i * 7919) % 256);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString("base64"));
    expect(bytesToBase64(new Uint8Array())).toBe("");
  });
  it("reads a Blob", async () => {
    const blob = new Blob([new Uint8Array([0, 255, 1, 2])]);
    expect(await blobToBase64(blob)).toBe("AP8BAg==");
    expect(dataUrl("image/png", "AAA")).toBe("data:image/png;base64,AAA");
  });
});

describe("tray helpers", () => {
  it("formats sizes", () => {
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(340 * 1024)).toBe("340 KB");
    expect(formatBytes(1.25 * 1024 * 1024)).toBe("1.3 MB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5 MB");
  });
  it("moves items and refuses to move past the ends", () => {
    expect(moveItem(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(moveItem(["a", "b", "c"], 2, -2)).toEqual(["c", "a", "b"]);
    expect(moveItem(["a", "b"], 0, -1)).toEqual(["a", "b"]);
  });
  it("takes the file name from a path", () => {
    expect(baseName("/home/me/photo.jpg")).toBe("photo.jpg");
    expect(baseName("C:\\Users\\me\\clip.mp4")).toBe("clip.mp4");
  });
});
