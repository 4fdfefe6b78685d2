// Short confirmations ("Draft saved") and notices shown at the bottom of the window.

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  message: string;
  kind: "info" | "error" | "success";
  /** A bold first line (notices carry a title and a body). */
  title?: string;
  /** A button on the toast, e.g. "Open post". */
  action?: ToastAction;
}

const DURATION_MS = 4000;
let nextId = 1;

export const toasts = $state<{ items: Toast[] }>({ items: [] });

export function showToast(
  message: string,
  kind: Toast["kind"] = "info",
  extra: { title?: string; action?: ToastAction } = {},
): void {
  const id = nextId++;
  toasts.items = [...toasts.items.slice(-2), { id, message, kind, ...extra }];
  // Errors and toasts with something to click stay longer.
  const long = kind === "error" || extra.action !== undefined;
  setTimeout(() => dismissToast(id), long ? DURATION_MS * 2 : DURATION_MS);
}

export function dismissToast(id: number): void {
  toasts.items = toasts.items.filter((t) => t.id !== id);
}
