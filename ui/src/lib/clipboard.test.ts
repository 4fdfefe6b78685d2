// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { copyOrSelect } from "./clipboard";

const LINK = "https://x.com/i/oauth2/authorize?client_id=a&state=b";

describe("copyOrSelect", () => {
  let field: HTMLInputElement;

  beforeEach(() => {
    field = document.createElement("input");
    field.readOnly = true;
    field.value = LINK;
    document.body.append(field);
    // jsdom has no execCommand; the webview's "copy" fallback refuses here too.
    document.execCommand = vi.fn(() => false);
  });
  afterEach(() => {
    field.remove();
    vi.unstubAllGlobals();
  });

  it("puts the text on the clipboard", async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    await expect(copyOrSelect(LINK, field)).resolves.toBe("copied");
    expect(writeText).toHaveBeenCalledWith(LINK);
  });

  it("leaves the field focused and selected when the clipboard refuses", async () => {
    const writeText = vi.fn(async () => {
      throw new DOMException("denied", "NotAllowedError");
    });
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    await expect(copyOrSelect(LINK, field)).resolves.toBe("selected");
    expect(document.activeElement).toBe(field);
    expect(field.selectionStart).toBe(0);
    expect(field.selectionEnd).toBe(LINK.length);
  });

  it("counts the selection fallback's copy as copied", async () => {
    vi.stubGlobal("navigator", {});
    document.execCommand = vi.fn(() => true);
    await expect(copyOrSelect(LINK, field)).resolves.toBe("copied");
    expect(document.execCommand).toHaveBeenCalledWith("copy");
  });
});
