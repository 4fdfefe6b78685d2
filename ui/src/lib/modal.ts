// Modal dialogs, one mechanism for all of them: `use:modal` on a <dialog>
// opens it as a modal, puts the focus where the dialog says, keeps Tab inside,
// answers Esc (not while something is under way) and, once the dialog is gone,
// gives the focus back to where it was. The dialog itself says only what is
// special about it: its safe first focus and what Esc means.

import type { ActionReturn } from "svelte/action";
import { on } from "svelte/events";
import { trapTab } from "./focus";

export interface ModalOptions {
  /** What Esc means: cancel, close or say no. */
  onescape: () => void;
  /** Something is under way: Esc does nothing until it is over. */
  busy?: boolean;
  /** What has the focus once the dialog is open (the safe answer, or the first field). */
  initialFocus?: () => HTMLElement | null | undefined;
  /**
   * Keys stop at this dialog: whatever is underneath (a dialog it is shown
   * over, the page's shortcuts) does not act on them too; its Esc would close it.
   */
  isolate?: boolean;
  /**
   * The dialog's view is hidden while another view shows (the composer, when
   * the creator went to Accounts or Settings from it). A modal dialog makes
   * the rest of the page inert even where it is not displayed, so it is closed
   * meanwhile, its content kept, and opened again as a modal when shown.
   */
  suspended?: boolean;
}

/** The modal dialogs open now, in the order they were opened: the top-most last. */
const openModals: HTMLDialogElement[] = [];
const stackListeners = new Set<(top: HTMLDialogElement | null) => void>();

/** The top-most open modal dialog (the one not made inert), or null. */
export function topModal(): HTMLDialogElement | null {
  return openModals[openModals.length - 1] ?? null;
}

/**
 * Calls `listener` with the top-most open modal dialog (or null) each time
 * one opens or closes; returns the unsubscribe. (The toasts follow it.)
 */
export function onTopModalChange(listener: (top: HTMLDialogElement | null) => void): () => void {
  stackListeners.add(listener);
  return () => {
    stackListeners.delete(listener);
  };
}

function setOpen(dialog: HTMLDialogElement, open: boolean): void {
  const at = openModals.indexOf(dialog);
  if (at >= 0) openModals.splice(at, 1);
  if (open) openModals.push(dialog);
  const top = topModal();
  for (const listener of [...stackListeners]) listener(top);
}

/** A Svelte action for a <dialog> element: see the top of this file. */
export function modal(
  dialog: HTMLDialogElement,
  options: ModalOptions,
): ActionReturn<ModalOptions> {
  let current = options;
  const previous = document.activeElement as HTMLElement | null;
  const open = () => {
    dialog.showModal();
    setOpen(dialog, true);
    current.initialFocus?.()?.focus();
  };
  const close = () => {
    if (dialog.open) dialog.close();
    setOpen(dialog, false);
  };
  if (!current.suspended) open();

  // `on` keeps the order with the handlers Svelte delegates: those of the
  // dialog's content run first, the dialog's own `onkeydown` after this one.
  const offKeydown = on(dialog, "keydown", (event) => {
    if (current.isolate) event.stopPropagation();
    if (event.key === "Escape") {
      event.preventDefault();
      if (!current.busy) current.onescape();
      return;
    }
    trapTab(event, dialog);
  });
  // The browser never closes the dialog by itself: its owner decides, by Esc above.
  const offCancel = on(dialog, "cancel", (event) => event.preventDefault());

  return {
    update(next) {
      const wasSuspended = !!current.suspended;
      current = next;
      if (wasSuspended && !next.suspended && !dialog.open) open();
      else if (!wasSuspended && next.suspended && dialog.open) close();
    },
    destroy() {
      offKeydown();
      offCancel();
      close();
      previous?.focus?.();
    },
  };
}
