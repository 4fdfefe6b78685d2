// Connecting an account, the parts with words and decisions in them: what the
// "Waiting for X in your browser…" card says when the browser could not be
// opened, what copying the sign-in link says, and what the Connect dialog does
// when the sign-in ends while it is still open.

import type { ConnectResult_Serialize, Platform } from "./bindings";
import type { CopyOutcome } from "./clipboard";

const COULD_NOT_OPEN = "CreatorFlow could not open your web browser";

/**
 * The plain sentence for a browser that could not be opened at the sign-in
 * link: "CreatorFlow could not open your web browser: <why>." The backend's
 * reason may already be that sentence; it is then said once, not twice.
 */
export function browserErrorText(error: string): string {
  const why = error.trim();
  if (why === "") return `${COULD_NOT_OPEN}.`;
  const full = why.toLowerCase().startsWith(COULD_NOT_OPEN.toLowerCase())
    ? why
    : `${COULD_NOT_OPEN}: ${why}`;
  return /[.!?…]$/.test(full) ? full : `${full}.`;
}

/** The line above the sign-in link: a hint while the browser should be open, an instruction when it is not. */
export function linkIntro(browserError: string | null): string {
  return browserError
    ? "Copy the link and paste it into your browser to sign in."
    : "Didn't open? Copy the link and paste it into your browser.";
}

/** What the Copy link button says. */
export function copyButtonLabel(outcome: CopyOutcome | null): string {
  return outcome === "copied" ? "Copied" : "Copy link";
}

/** The words under the link after a copy, or `null` before one. */
export function copyFeedback(outcome: CopyOutcome | null, modifier = "Ctrl"): string | null {
  switch (outcome) {
    case "copied":
      return "Copied. Paste it into your browser's address bar.";
    case "selected":
      return `Copying did not work here: the link is selected, press ${modifier}+C to copy it.`;
    default:
      return null;
  }
}

/** What the open Connect dialog does when a sign-in ends. */
export type DialogOnResult = "close" | "show-error" | "ignore";

/**
 * The Connect dialog, when a `ConnectResult` arrives while it is open (the
 * browser came back before `connectAccount` did, or the dialog was left open):
 * a connected account closes it, a failure shows in it and keeps it open, and
 * another network's result leaves it alone. A result that names no network (a
 * callback that could not be read) is the dialog's only while it is starting
 * its sign-in (`starting`); otherwise it is about a sign-in already waiting,
 * whose card shows it.
 */
export function dialogOnResult(
  result: Pick<ConnectResult_Serialize, "ok" | "platform">,
  dialogPlatform: Platform,
  starting: boolean,
): DialogOnResult {
  const ours = result.platform === null ? starting : result.platform === dialogPlatform;
  if (!ours) return "ignore";
  return result.ok ? "close" : "show-error";
}
