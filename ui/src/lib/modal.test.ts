// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { modal } from "./modal";

// jsdom has <dialog> but not its modal methods; these do what matters here.
function makeDialog(): HTMLDialogElement {
  const dialog = document.createElement("dialog");
  dialog.showModal = vi.fn(() => dialog.setAttribute("open", ""));
  dialog.close = vi.fn(() => dialog.removeAttribute("open"));
  dialog.innerHTML = `<button id="no">No</button><button id="yes">Yes</button>`;
  return dialog;
}

function press(target: Element, key: string, shiftKey = false): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event;
}

describe("modal", () => {
  let opener: HTMLButtonElement;
  let page: HTMLDivElement;
  let dialog: HTMLDialogElement;

  beforeEach(() => {
    page = document.createElement("div");
    opener = document.createElement("button");
    dialog = makeDialog();
    page.append(opener, dialog);
    document.body.append(page);
    opener.focus();
  });
  afterEach(() => {
    page.remove();
    vi.restoreAllMocks();
  });

  const no = () => dialog.querySelector<HTMLButtonElement>("#no")!;
  const yes = () => dialog.querySelector<HTMLButtonElement>("#yes")!;

  it("opens as a modal with the focus on the safe answer, and gives the focus back", () => {
    const m = modal(dialog, { onescape: () => {}, initialFocus: no });
    expect(dialog.showModal).toHaveBeenCalledOnce();
    expect(document.activeElement).toBe(no());
    m.destroy?.();
    expect(dialog.close).toHaveBeenCalledOnce();
    expect(dialog.open).toBe(false);
    expect(document.activeElement).toBe(opener);
  });

  it("answers Esc, but not while busy", () => {
    const onescape = vi.fn();
    const m = modal(dialog, { onescape, busy: true, initialFocus: no });
    const first = press(no(), "Escape");
    expect(first.defaultPrevented).toBe(true);
    expect(onescape).not.toHaveBeenCalled();
    m.update?.({ onescape, busy: false, initialFocus: no });
    press(no(), "Escape");
    expect(onescape).toHaveBeenCalledOnce();
    m.destroy?.();
    press(dialog, "Escape");
    expect(onescape).toHaveBeenCalledOnce();
  });

  it("keeps keys from what is underneath only when isolated", () => {
    const below = vi.fn();
    page.addEventListener("keydown", below);
    const shared = modal(dialog, { onescape: () => {} });
    press(no(), "a");
    expect(below).toHaveBeenCalledOnce();
    shared.destroy?.();
    const isolated = modal(dialog, { onescape: () => {}, isolate: true });
    press(no(), "a");
    press(no(), "Escape");
    expect(below).toHaveBeenCalledOnce();
    isolated.destroy?.();
  });

  it("refuses the browser's own close", () => {
    const m = modal(dialog, { onescape: () => {} });
    const cancel = new Event("cancel", { cancelable: true });
    dialog.dispatchEvent(cancel);
    expect(cancel.defaultPrevented).toBe(true);
    m.destroy?.();
  });

  it("steps aside while its view is hidden, and opens again when shown", () => {
    const m = modal(dialog, { onescape: () => {}, initialFocus: no });
    opener.focus();
    m.update?.({ onescape: () => {}, initialFocus: no, suspended: true });
    expect(dialog.close).toHaveBeenCalledOnce();
    expect(dialog.open).toBe(false);
    m.update?.({ onescape: () => {}, initialFocus: no, suspended: true });
    expect(dialog.close).toHaveBeenCalledOnce();
    m.update?.({ onescape: () => {}, initialFocus: no, suspended: false });
    expect(dialog.showModal).toHaveBeenCalledTimes(2);
    expect(dialog.open).toBe(true);
    expect(document.activeElement).toBe(no());
    m.destroy?.();
  });

  it("waits to open while created in a hidden view", () => {
    const m = modal(dialog, { onescape: () => {}, suspended: true });
    expect(dialog.showModal).not.toHaveBeenCalled();
    m.update?.({ onescape: () => {} });
    expect(dialog.showModal).toHaveBeenCalledOnce();
    m.destroy?.();
  });

  it("keeps Tab inside the dialog", () => {
    // jsdom lays nothing out; every element counts as shown.
    vi.spyOn(HTMLElement.prototype, "getClientRects").mockReturnValue([
      {},
    ] as unknown as DOMRectList);
    const m = modal(dialog, { onescape: () => {}, initialFocus: no });
    yes().focus();
    expect(press(yes(), "Tab").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(no());
    expect(press(no(), "Tab", true).defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(yes());
    m.destroy?.();
  });
});
