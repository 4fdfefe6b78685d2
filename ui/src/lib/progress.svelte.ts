// Upload progress per target, from the backend's upload-progress events, for
// the Activity view's progress bars. One listener for the whole app.

import { uploads } from "./live";

export const uploadProgress = $state<{ byTarget: Record<number, { sent: number; total: number }> }>(
  { byTarget: {} },
);

let stop: (() => void) | null = null;

/** Starts recording progress (idempotent); returns the function that stops it. */
export function trackUploads(): () => void {
  if (!stop) {
    stop = uploads.on((p) => {
      if (p.sent === null || p.total === null) return;
      uploadProgress.byTarget = {
        ...uploadProgress.byTarget,
        [p.targetId]: { sent: p.sent, total: p.total },
      };
    });
  }
  return () => {
    stop?.();
    stop = null;
  };
}
