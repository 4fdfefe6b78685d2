// Short confirmations ("Draft saved") shown at the bottom of the window.

export interface Toast {
  id: number;
  message: string;
  kind: "info" | "error";
}

const DURATION_MS = 4000;
let nextId = 1;

export const toasts = $state<{ items: Toast[] }>({ items: [] });

export function showToast(message: string, kind: Toast["kind"] = "info"): void {
  const id = nextId++;
  toasts.items = [...toasts.items.slice(-2), { id, message, kind }];
  setTimeout(() => dismissToast(id), kind === "error" ? DURATION_MS * 2 : DURATION_MS);
}

export function dismissToast(id: number): void {
  toasts.items = toasts.items.filter((t) => t.id !== id);
}
