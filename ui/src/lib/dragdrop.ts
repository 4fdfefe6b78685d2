// Files dropped on the window. The webview intercepts OS file drops (HTML drop
// events carry no paths), so the paths come from Tauri's drag-drop event.

import { getCurrentWebview } from "@tauri-apps/api/webview";

export interface DropHandlers {
  /** Files are being dragged over the window (true) or left it (false). */
  hover: (on: boolean) => void;
  /** Files were dropped: their paths on disk. */
  drop: (paths: string[]) => void;
}

/**
 * Listens for file drops on this window until the returned function is
 * called. Outside the app (a plain browser) it does nothing.
 */
export function onFileDrop(handlers: DropHandlers): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  try {
    getCurrentWebview()
      .onDragDropEvent((event) => {
        const p = event.payload;
        if (p.type === "enter" || p.type === "over") handlers.hover(true);
        else if (p.type === "leave") handlers.hover(false);
        else if (p.type === "drop") {
          handlers.hover(false);
          if (p.paths.length > 0) handlers.drop(p.paths);
        }
      })
      .then((unlisten) => {
        if (stopped) unlisten();
        else stop = unlisten;
      })
      .catch((e: unknown) => console.warn("file drops are not available", e));
  } catch (e) {
    console.warn("file drops are not available", e);
  }
  return () => {
    stopped = true;
    stop?.();
  };
}
