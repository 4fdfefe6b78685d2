// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { modal } from "./modal";
import { hostToasts, toastHostFor } from "./toasthost";

// jsdom has <dialog> but not its modal methods; these do what matters here.
function makeDialog(): HTMLDialogElement {
  const dialog = document.createElement("dialog");
  dialog.showModal = vi.fn(() => dialog.setAttribute("open", ""));
  dialog.close = vi.fn(() => dialog.removeAttribute("open"));
  dialog.innerHTML = `<form><button>OK</button></form>`;
  document.body.append(dialog);
  return dialog;
}

describe("toastHostFor", () => {
  it("is the top-most open modal dialog, else the home", () => {
    const home = document.createElement("div");
    const dialog = document.createElement("dialog");
    expect(toastHostFor(null, home)).toBe(home);
    expect(toastHostFor(dialog, home)).toBe(dialog);
  });
});

describe("hostToasts", () => {
  let home: HTMLDivElement;
  let region: HTMLDivElement;
  let done: (() => void) | undefined;

  beforeEach(() => {
    home = document.createElement("div");
    region = document.createElement("div");
    region.setAttribute("aria-live", "polite");
    home.append(region);
    document.body.append(home);
    done = hostToasts(region).destroy;
  });
  afterEach(() => {
    done?.();
    document.body.replaceChildren();
  });

  it("moves the toasts into a modal dialog while it is open, outside its form, and back", () => {
    const dialog = makeDialog();
    const m = modal(dialog, { onescape: () => {} });
    expect(region.parentNode).toBe(dialog);
    expect(dialog.lastElementChild).toBe(region);
    expect(region.getAttribute("aria-live")).toBe("polite");
    m.destroy?.();
    expect(region.parentNode).toBe(home);
  });

  it("follows the top-most dialog when one opens over another", () => {
    const composer = makeDialog();
    const question = makeDialog();
    const below = modal(composer, { onescape: () => {} });
    const above = modal(question, { onescape: () => {} });
    expect(region.parentNode).toBe(question);
    above.destroy?.();
    expect(region.parentNode).toBe(composer);
    below.destroy?.();
    expect(region.parentNode).toBe(home);
  });

  it("leaves a dialog set aside while its view is hidden, and comes back with it", () => {
    const composer = makeDialog();
    const m = modal(composer, { onescape: () => {} });
    m.update?.({ onescape: () => {}, suspended: true });
    expect(region.parentNode).toBe(home);
    m.update?.({ onescape: () => {} });
    expect(region.parentNode).toBe(composer);
    m.destroy?.();
    expect(region.parentNode).toBe(home);
  });

  it("starts in a dialog that is already open, and stops following once destroyed", () => {
    const dialog = makeDialog();
    const m = modal(dialog, { onescape: () => {} });
    done?.();
    done = undefined;
    expect(region.isConnected).toBe(false);
    const again = document.createElement("div");
    home.append(again);
    done = hostToasts(again).destroy;
    expect(again.parentNode).toBe(dialog);
    m.destroy?.();
    expect(again.parentNode).toBe(home);
  });
});
