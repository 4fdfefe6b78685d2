// Where the toasts show: in the top-most open modal dialog, else where the app
// renders them.
//
// Dialogs open with showModal(), which puts them in the top layer above all of
// the page, and makes everything outside the dialog inert. Two ways to get
// toasts above such a dialog:
//
// - A `popover="manual"` toast region, shown again after each dialog opens so
//   it is the latest top-layer element. It would be drawn above the dialog,
//   but the HTML standard still makes it inert: a modal dialog blocks every
//   node outside its own subtree, top-layer popovers included (whatwg/html
//   #9936, #10811 ask to change that; Chromium and Firefox block them today).
//   Its buttons (Open post, Dismiss) could not be clicked and, inert content
//   being left out of the accessibility tree, the live region would go silent.
//   It would also need WebKitGTK 2.42+ for popovers at all.
// - Moving the toast region into the top-most open dialog (chosen). The region
//   is then part of the one subtree that is not inert: clickable, reachable by
//   Tab (the dialog keeps Tab inside itself, toasts included), read by screen
//   readers. Its `position: fixed` still places it at the bottom of the window
//   (no dialog here has a transform, which would make the dialog its
//   containing block), and the top-layer dialog draws it above its backdrop.
//   It needs nothing past <dialog>, which every supported WebKitGTK has.
//
// The region moves when a dialog opens or closes (`modal` tells), not when a
// toast shows, so a live region is in place before its text arrives.

import type { ActionReturn } from "svelte/action";
import { onTopModalChange, topModal } from "./modal";

/** The element the toast region belongs in: the top-most open modal dialog, else `home`. */
export function toastHostFor<H extends ParentNode>(
  top: HTMLDialogElement | null,
  home: H,
): HTMLDialogElement | H {
  return top ?? home;
}

/**
 * A Svelte action for the toast region: keeps it in the top-most open modal
 * dialog (as its last child, outside any form in it), and back in the element
 * it was rendered in once no modal dialog is open.
 */
export function hostToasts(region: HTMLElement): ActionReturn {
  const home = region.parentNode;
  if (!home) return {};
  const place = (top: HTMLDialogElement | null) => {
    const host = toastHostFor(top, home);
    if (region.parentNode !== host) host.appendChild(region);
  };
  place(topModal());
  const off = onTopModalChange(place);
  return {
    destroy() {
      off();
      // Whatever removes the home does not know the region went elsewhere.
      if (region.parentNode !== home) region.remove();
    },
  };
}
