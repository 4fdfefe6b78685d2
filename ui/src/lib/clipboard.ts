// Copying text (redirect URIs, portal addresses) to the clipboard.

/**
 * Copies `text`; when the async Clipboard API is refused (it can be in a
 * webview), selects `field` and falls back to `execCommand("copy")`.
 * Returns whether it worked.
 */
export async function copyText(text: string, field?: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection fallback
  }
  try {
    if (field) {
      field.focus();
      field.select();
      return document.execCommand("copy");
    }
    const scratch = document.createElement("textarea");
    scratch.value = text;
    scratch.setAttribute("readonly", "");
    scratch.style.position = "fixed";
    scratch.style.opacity = "0";
    document.body.append(scratch);
    scratch.select();
    const ok = document.execCommand("copy");
    scratch.remove();
    return ok;
  } catch {
    return false;
  }
}

/** How a copy went: on the clipboard, or (refused) left selected for Ctrl+C. */
export type CopyOutcome = "copied" | "selected";

/**
 * Copies `text` (as `copyText`); when that does not work, focuses and selects
 * `field` so the keyboard's copy does, and says which it was.
 */
export async function copyOrSelect(
  text: string,
  field: HTMLInputElement | null | undefined,
): Promise<CopyOutcome> {
  if (await copyText(text, field)) return "copied";
  field?.focus();
  field?.select();
  return "selected";
}
