import { describe, expect, it } from "vitest";
import { describeShortcut, shortcutFromKey } from "./shortcut";

const press = (
  code: string,
  mods: Partial<Record<"ctrl" | "alt" | "shift" | "meta", boolean>>,
) => ({
  code,
  ctrlKey: !!mods.ctrl,
  altKey: !!mods.alt,
  shiftKey: !!mods.shift,
  metaKey: !!mods.meta,
});

describe("shortcutFromKey", () => {
  it("writes modifiers and the key's code the way the backend reads them", () => {
    expect(shortcutFromKey(press("KeyP", { ctrl: true, alt: true }))).toEqual({
      shortcut: "control+alt+KeyP",
    });
    expect(shortcutFromKey(press("Digit1", { meta: true, shift: true }))).toEqual({
      shortcut: "shift+super+Digit1",
    });
  });

  it("keeps waiting while only modifiers are held", () => {
    expect(shortcutFromKey(press("ControlLeft", { ctrl: true }))).toBeNull();
    expect(shortcutFromKey(press("AltRight", { alt: true }))).toBeNull();
  });

  it("refuses keys that would take typing away from other apps", () => {
    expect(shortcutFromKey(press("KeyP", {}))).toHaveProperty("problem");
    expect(shortcutFromKey(press("KeyP", { shift: true }))).toHaveProperty("problem");
  });
});

describe("describeShortcut", () => {
  it("shows shortcuts the way people write them, whatever order they were saved in", () => {
    expect(describeShortcut("control+alt+KeyP")).toBe("Ctrl+Alt+P");
    expect(describeShortcut("shift+control+Digit1")).toBe("Ctrl+Shift+1");
    expect(describeShortcut("super+F5")).toBe("Super+F5");
  });
});
