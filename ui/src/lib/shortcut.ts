// The quick-post shortcut as Settings records it: a key press with its
// modifiers, written the way the backend's global-shortcut plugin reads it
// ("control+alt+KeyP"), and shown the way people write shortcuts ("Ctrl+Alt+P").

/** What a keydown needs to say about itself (a subset of KeyboardEvent). */
export interface KeyPress {
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

const MODIFIER_CODES = /^(Control|Alt|Shift|Meta|OS|AltGraph)(Left|Right)?$/;

/**
 * The shortcut a key press makes, or why it can't be one: `null` while only
 * modifiers are held (keep waiting for the key).
 */
export function shortcutFromKey(e: KeyPress): { shortcut: string } | { problem: string } | null {
  if (!e.code || MODIFIER_CODES.test(e.code)) return null;
  const mods = [
    e.ctrlKey ? "control" : null,
    e.altKey ? "alt" : null,
    e.shiftKey ? "shift" : null,
    e.metaKey ? "super" : null,
  ].filter((m): m is string => m !== null);
  if (mods.length === 0) {
    return {
      problem:
        "Hold Ctrl, Alt, Shift or Super with the key, so it doesn't take the key from other apps.",
    };
  }
  if (mods.length === 1 && mods[0] === "shift") {
    return { problem: "Shift alone would take a capital letter from every app: add Ctrl or Alt." };
  }
  return { shortcut: [...mods, e.code].join("+") };
}

const WORDS: Record<string, string> = {
  control: "Ctrl",
  ctrl: "Ctrl",
  alt: "Alt",
  option: "Alt",
  shift: "Shift",
  super: "Super",
  meta: "Super",
  command: "Super",
  cmd: "Super",
};

/** "control+alt+KeyP" → "Ctrl+Alt+P"; "shift+control+Digit1" → "Ctrl+Shift+1". */
export function describeShortcut(shortcut: string): string {
  const parts = shortcut.split("+").filter((p) => p !== "");
  const order = ["Ctrl", "Alt", "Shift", "Super"];
  const mods: string[] = [];
  const keys: string[] = [];
  for (const p of parts) {
    const word = WORDS[p.toLowerCase()];
    if (word) {
      if (!mods.includes(word)) mods.push(word);
    } else {
      keys.push(p.replace(/^Key(?=[A-Z]$)/, "").replace(/^Digit(?=[0-9]$)/, ""));
    }
  }
  mods.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return [...mods, ...keys].join("+");
}
