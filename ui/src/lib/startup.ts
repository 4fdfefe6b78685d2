// Startup marks for the app's startup trace (see src-tauri/startup.rs): each
// is reported once, after the browser has painted the frame that shows it.

import { api } from "./api";
import type { WindowMark } from "./bindings";

const reported = new Set<WindowMark>();

/**
 * Reports `mark` once, after the next frame is painted; true the first time
 * (when it was reported).
 */
export function markAfterPaint(mark: WindowMark): boolean {
  if (reported.has(mark)) return false;
  reported.add(mark);
  // The rAF callback runs before the frame is painted; the task queued
  // from it runs after.
  requestAnimationFrame(() => {
    setTimeout(() => void api.startupMark(mark), 0);
  });
  return true;
}
