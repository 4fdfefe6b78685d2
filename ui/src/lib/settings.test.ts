import { describe, expect, it } from "vitest";
import type { Settings } from "./api";
import { formOf, isEmptyPatch, rebaseForm, settingsPatch } from "./settings";

const settings = (over: Partial<Settings> = {}): Settings => ({
  catchUpWindowMinutes: 60,
  publishingPaused: false,
  closeToTray: true,
  notifyOnSuccess: false,
  startAtLogin: false,
  redirects: { x: "loopback" },
  reviewedApps: [],
  quickPostShortcut: null,
  signInProducts: {},
  readBudgets: {},
  ...over,
});

describe("settingsPatch", () => {
  it("holds only the fields that changed", () => {
    const base = formOf(settings());
    expect(settingsPatch(base, { ...base })).toEqual({});
    expect(isEmptyPatch(settingsPatch(base, { ...base }))).toBe(true);
    const patch = settingsPatch(base, { ...base, catchUpWindowMinutes: 30, startAtLogin: true });
    expect(patch).toEqual({ catchUpWindowMinutes: 30, startAtLogin: true });
    expect(isEmptyPatch(patch)).toBe(false);
  });

  it("never sends the redirects (they are saved one network at a time)", () => {
    const base = formOf(settings());
    expect(Object.keys(base)).not.toContain("redirects");
    expect(settingsPatch(base, { ...base, notifyOnSuccess: true })).not.toHaveProperty("redirect");
  });
});

describe("a change made elsewhere while the form is open", () => {
  it("is not undone by a later Save (the tray paused publishing)", () => {
    const base = formOf(settings());
    // The creator edits the catch-up window ...
    let form = { ...base, catchUpWindowMinutes: 15 };
    // ... while the tray pauses publishing.
    const latest = formOf(settings({ publishingPaused: true }));
    const next = rebaseForm(base, form, latest);
    form = next.form;
    expect(form.publishingPaused).toBe(true);
    expect(form.catchUpWindowMinutes).toBe(15);
    expect(settingsPatch(next.base, form)).toEqual({ catchUpWindowMinutes: 15 });
  });

  it("even when the form was not rebased, the patch holds only the creator's change", () => {
    const base = formOf(settings());
    const form = { ...base, notifyOnSuccess: true };
    // The form still shows "not paused" from before, but that field was not touched.
    expect(settingsPatch(base, form)).toEqual({ notifyOnSuccess: true });
  });

  it("keeps the creator's own edit of a field someone else changed too", () => {
    const base = formOf(settings());
    const form = { ...base, publishingPaused: true };
    const latest = formOf(settings({ publishingPaused: true, closeToTray: false }));
    const next = rebaseForm(base, form, latest);
    expect(next.form).toEqual(latest);
    expect(isEmptyPatch(settingsPatch(next.base, next.form))).toBe(true);
  });
});
