import { describe, expect, it } from "vitest";
import { xCapabilities, youtubeCapabilities } from "./fixtures";
import {
  altTextHint,
  altTextNetworks,
  altTextsOf,
  acceptedKinds,
  attachLabel,
  baseName,
  blobToBase64,
  bytesToBase64,
  copyingLabel,
  dataUrl,
  durationWords,
  formatBytes,
  formatDuration,
  formatName,
  mediaFacts,
  mediaHint,
  mediaHints,
  mediaRequiredBy,
  moveItem,
  pastedImages,
  pastedName,
  ruleWords,
  type MediaNetwork,
} from "./media";

const youtube: MediaNetwork = {
  platform: "youtube",
  name: "YouTube",
  capabilities: youtubeCapabilities(),
};
const x: MediaNetwork = { platform: "x", name: "X", capabilities: xCapabilities() };

describe("what the picked networks take, from their capabilities", () => {
  it("says YouTube needs one video, with its types, size and length", () => {
    expect(mediaHint(youtube)).toBe(
      "YouTube needs one video (MP4 or MOV, up to 256 GB, up to 12 hours long).",
    );
  });

  it("lists X's kinds as alternatives, since a GIF or a video goes alone", () => {
    expect(mediaHint(x)).toBe(
      "X takes up to 4 images (JPEG, PNG or WebP, up to 5 MB each), one GIF (up to 15 MB), " +
        "or one video (MP4 or MOV, up to 512 MB, 0.5 seconds to 2 minutes 20 seconds long).",
    );
  });

  it("follows the capabilities, not a fixed list", () => {
    const caps = youtubeCapabilities();
    caps.media[0]!.maxBytes = 2 * 1024 ** 3;
    caps.media[0]!.maxDurationMs = 15 * 60 * 1000;
    caps.requiresMedia = false;
    expect(mediaHint({ ...youtube, capabilities: caps })).toBe(
      "YouTube takes one video (MP4 or MOV, up to 2 GB, up to 15 minutes long).",
    );
    caps.media = [];
    expect(mediaHint({ ...youtube, capabilities: caps })).toBe(
      "YouTube takes no media: only text.",
    );
  });

  it("mixes kinds with 'and' when none must be alone", () => {
    const caps = xCapabilities();
    caps.media = caps.media.map((r) => ({ ...r, alone: false }));
    expect(mediaHint({ ...x, capabilities: caps })).toMatch(
      /\) and one video .*, 4 files in all\.$/,
    );
  });

  it("gives one hint per picked network and names the ones that need media", () => {
    expect(mediaHints([x, youtube])).toHaveLength(2);
    expect(mediaHints([])).toEqual([]);
    expect(mediaRequiredBy([x, youtube])).toEqual(["YouTube"]);
  });

  it("words the Attach button by what the networks take", () => {
    expect(attachLabel([youtube])).toBe("Attach a video");
    expect(attachLabel([x])).toBe("Attach images or a video");
    expect(attachLabel([x, youtube])).toBe("Attach images or a video");
    expect(attachLabel([])).toBe("Attach images or a video");
    const pictures = xCapabilities();
    pictures.media = pictures.media.filter((r) => r.kind === "image");
    expect(attachLabel([{ ...x, capabilities: pictures }])).toBe("Attach images");
    expect([...acceptedKinds([youtube])]).toEqual(["video"]);
  });

  it("describes one rule", () => {
    expect(ruleWords(youtubeCapabilities().media[0]!)).toBe(
      "one video (MP4 or MOV, up to 256 GB, up to 12 hours long)",
    );
  });
});

describe("sizes, durations, formats", () => {
  it("formats sizes", () => {
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(340 * 1024)).toBe("340 KB");
    expect(formatBytes(1.25 * 1024 * 1024)).toBe("1.3 MB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5 MB");
    expect(formatBytes(256 * 1024 ** 3)).toBe("256 GB");
  });

  it("shows a video's length as a clock", () => {
    expect(formatDuration(45_000)).toBe("0:45");
    expect(formatDuration(723_400)).toBe("12:03");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(formatDuration(null)).toBe("");
  });

  it("words duration limits", () => {
    expect(durationWords(500)).toBe("0.5 seconds");
    expect(durationWords(140_000)).toBe("2 minutes 20 seconds");
    expect(durationWords(60_000)).toBe("1 minute");
    expect(durationWords(12 * 3600 * 1000)).toBe("12 hours");
  });

  it("names formats", () => {
    expect(formatName("video/quicktime")).toBe("MOV");
    expect(formatName("image/webp")).toBe("WebP");
    expect(formatName("video/x-matroska")).toBe("MATROSKA");
  });

  it("says a video's length and size, and only the size for a picture", () => {
    expect(mediaFacts({ kind: "video", size: 48 * 1024 * 1024, durationMs: 125_000 })).toBe(
      "2:05 · 48 MB",
    );
    expect(mediaFacts({ kind: "video", size: 1024, durationMs: null })).toBe("1 KB");
    expect(mediaFacts({ kind: "image", size: 2048, durationMs: 9 })).toBe("2 KB");
  });

  it("says what is being copied, by the file's name", () => {
    expect(copyingLabel("holiday.MOV")).toBe("Copying video…");
    expect(copyingLabel("cover.jpeg")).toBe("Copying image…");
    expect(copyingLabel("notes")).toBe("Copying…");
  });
});

describe("pasted pictures", () => {
  it("takes only pictures from the clipboard", () => {
    const png = new File([new Uint8Array([1])], "image.png", { type: "image/png" });
    const txt = new File(["hi"], "a.txt", { type: "text/plain" });
    expect(pastedImages([png, txt])).toEqual([png]);
    expect(pastedImages(null)).toEqual([]);
  });

  it("names a pasted picture when the clipboard calls it image.png", () => {
    const now = new Date("2026-05-01T12:30:05Z");
    expect(pastedName({ name: "image.png", type: "image/png" }, now)).toBe(
      "Pasted image 2026-05-01 12.30.05.png",
    );
    expect(pastedName({ name: "", type: "image/jpeg" }, now)).toMatch(/\.jpg$/);
    expect(pastedName({ name: "chart.png", type: "image/png" }, now)).toBe("chart.png");
  });

  it("encodes base64 like Node, also for large and binary input", async () => {
    const small = new TextEncoder().encode("héllo");
    expect(bytesToBase64(small)).toBe(Buffer.from(small).toString("base64"));
    const big = new Uint8Array(200_000).map((_, i) => (i * 7919) % 256);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString("base64"));
    const blob = new Blob([new Uint8Array([0, 255, 1, 2])]);
    expect(await blobToBase64(blob)).toBe("AP8BAg==");
    expect(dataUrl("image/png", "AAA")).toBe("data:image/png;base64,AAA");
  });
});

describe("tray helpers", () => {
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

describe("alt text", () => {
  it("names the networks that take it and keeps only what was written", () => {
    const linkedin: MediaNetwork = {
      platform: "linkedin",
      name: "LinkedIn",
      capabilities: { ...xCapabilities(), supportsAltText: true },
    };
    expect(altTextNetworks([x, linkedin])).toEqual(["LinkedIn"]);
    expect(altTextNetworks([x])).toEqual([]);
    expect(altTextHint(["LinkedIn"])).toBe(
      "Describe the picture for people who can't see it (sent to LinkedIn).",
    );
    expect(altTextHint(["A", "B", "C"])).toContain("sent to A, B and C");
    expect(altTextHint([])).toBe("");
    expect(
      altTextsOf([
        { ref: { id: 1 }, alt: "  A dog on a beach " },
        { ref: { id: 2 }, alt: "   " },
        { ref: { id: 3 }, alt: "" },
      ]),
    ).toEqual([{ mediaId: 1, text: "A dog on a beach" }]);
  });
});
