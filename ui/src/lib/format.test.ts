import { describe, expect, it } from "vitest";
import { formatWhen, movedMessage, savedMessage } from "./format";

describe("formatWhen", () => {
  it("formats in the given zone, not the machine's", () => {
    expect(formatWhen("2026-10-20T07:00:00Z", "en-GB", "Europe/Berlin")).toBe("Tue 20 Oct, 09:00");
    expect(formatWhen("2026-10-20T07:00:00Z", "en-GB", "America/New_York")).toBe(
      "Tue 20 Oct, 03:00",
    );
  });
  it("pads the hour on a 24-hour clock only", () => {
    expect(formatWhen("2026-10-20T07:00:00Z", "en-US", "Europe/Berlin")).toBe(
      "Tue, Oct 20, 9:00 AM",
    );
    expect(formatWhen("2026-10-20T19:05:00Z", "en-US", "UTC")).toBe("Tue, Oct 20, 7:05 PM");
    expect(formatWhen("2026-10-20T07:00:00Z", "de-DE", "Europe/Berlin")).toBe(
      "Di., 20. Okt., 09:00",
    );
  });
});

describe("messages", () => {
  it("says when a scheduled post goes out", () => {
    expect(savedMessage("schedule", "2026-10-20T07:00:00Z", "en-GB", "Europe/Berlin")).toBe(
      "Scheduled for Tue 20 Oct, 09:00.",
    );
  });
  it("says drafts are not published", () => {
    expect(savedMessage("draft", null, "en-GB", "UTC")).toMatch(/won't be published/);
    expect(savedMessage("draft", "2026-10-20T07:00:00Z", "en-GB", "UTC")).toMatch(
      /^Draft saved for Tue 20 Oct, 07:00\./,
    );
  });
  it("distinguishes moving a scheduled post from moving a draft", () => {
    expect(movedMessage("2026-10-20T07:00:00Z", "scheduled", "en-GB", "UTC")).toBe(
      "Moved to Tue 20 Oct, 07:00. It publishes then.",
    );
    expect(movedMessage("2026-10-20T07:00:00Z", "draft", "en-GB", "UTC")).toMatch(/^Draft moved/);
  });
});
