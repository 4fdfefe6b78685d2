import { describe, expect, it } from "vitest";
import {
  browserErrorText,
  copyButtonLabel,
  copyFeedback,
  dialogOnResult,
  linkIntro,
} from "./signin";

describe("browserErrorText", () => {
  it("says plainly that the browser did not open, and why", () => {
    expect(browserErrorText("no program is set to open web links")).toBe(
      "CreatorFlow could not open your web browser: no program is set to open web links.",
    );
    expect(browserErrorText("  xdg-open failed!  ")).toBe(
      "CreatorFlow could not open your web browser: xdg-open failed!",
    );
  });

  it("says it once when the backend's reason already is that sentence", () => {
    expect(browserErrorText("CreatorFlow could not open your web browser.")).toBe(
      "CreatorFlow could not open your web browser.",
    );
    expect(browserErrorText("CreatorFlow could not open your web browser: no opener")).toBe(
      "CreatorFlow could not open your web browser: no opener.",
    );
  });

  it("still says something without a reason", () => {
    expect(browserErrorText(" ")).toBe("CreatorFlow could not open your web browser.");
  });
});

describe("the sign-in link", () => {
  it("is a fallback while the browser should be open, the way in when it is not", () => {
    expect(linkIntro(null)).toBe("Didn't open? Copy the link and paste it into your browser.");
    expect(linkIntro("no browser")).toBe(
      "Copy the link and paste it into your browser to sign in.",
    );
  });

  it("says Copied once copied, and how to copy by hand when the clipboard refused", () => {
    expect(copyButtonLabel(null)).toBe("Copy link");
    expect(copyButtonLabel("copied")).toBe("Copied");
    expect(copyButtonLabel("selected")).toBe("Copy link");
    expect(copyFeedback(null)).toBeNull();
    expect(copyFeedback("copied")).toMatch(/^Copied\./);
    expect(copyFeedback("selected")).toBe(
      "Copying did not work here: the link is selected, press Ctrl+C to copy it.",
    );
    expect(copyFeedback("selected", "⌘")).toContain("press ⌘+C");
  });
});

describe("dialogOnResult", () => {
  it("closes the dialog once its account connected", () => {
    expect(dialogOnResult({ ok: true, platform: "x" }, "x", false)).toBe("close");
    expect(dialogOnResult({ ok: true, platform: "x" }, "x", true)).toBe("close");
  });

  it("keeps it open with the error when the sign-in failed", () => {
    expect(dialogOnResult({ ok: false, platform: "x" }, "x", true)).toBe("show-error");
    expect(dialogOnResult({ ok: false, platform: "x" }, "x", false)).toBe("show-error");
  });

  it("leaves it alone for another network's sign-in", () => {
    expect(dialogOnResult({ ok: true, platform: "linkedin" }, "x", true)).toBe("ignore");
    expect(dialogOnResult({ ok: false, platform: "linkedin" }, "x", false)).toBe("ignore");
  });

  it("takes a result naming no network only while its own sign-in is starting", () => {
    expect(dialogOnResult({ ok: false, platform: null }, "x", true)).toBe("show-error");
    expect(dialogOnResult({ ok: false, platform: null }, "x", false)).toBe("ignore");
  });
});
