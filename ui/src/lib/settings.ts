// The settings form saves only what the creator changed, so a change made
// elsewhere meanwhile (the tray's Pause) is never undone by a later Save.

import type { Settings, SettingsPatch } from "./api";

/** The fields the Settings form edits (redirects are saved one network at a time). */
export const FORM_FIELDS = [
  "catchUpWindowMinutes",
  "publishingPaused",
  "closeToTray",
  "notifyOnSuccess",
  "startAtLogin",
] as const;

export type FormField = (typeof FORM_FIELDS)[number];
export type SettingsForm = Pick<Settings, FormField>;

/** The form's fields from saved settings. */
export function formOf(settings: Settings): SettingsForm {
  return {
    catchUpWindowMinutes: settings.catchUpWindowMinutes,
    publishingPaused: settings.publishingPaused,
    closeToTray: settings.closeToTray,
    notifyOnSuccess: settings.notifyOnSuccess,
    startAtLogin: settings.startAtLogin,
  };
}

/**
 * The fields the creator changed: `form` against `base`, the settings the form
 * started from (not the latest saved ones, which someone else may have changed).
 */
export function settingsPatch(base: SettingsForm, form: SettingsForm): SettingsPatch {
  const patch: Record<string, unknown> = {};
  for (const key of FORM_FIELDS) {
    if (form[key] !== base[key]) patch[key] = form[key];
  }
  return patch as SettingsPatch;
}

export function isEmptyPatch(patch: SettingsPatch): boolean {
  return Object.values(patch).every((v) => v === undefined || v === null);
}

/**
 * Settings changed elsewhere while the form is open: fields the creator has
 * not touched follow `latest`; their own edits stay. Returns the new base and form.
 */
export function rebaseForm(
  base: SettingsForm,
  form: SettingsForm,
  latest: SettingsForm,
): { base: SettingsForm; form: SettingsForm } {
  const next = { ...form } as Record<FormField, unknown>;
  for (const key of FORM_FIELDS) {
    if (form[key] === base[key]) next[key] = latest[key];
  }
  return { base: { ...latest }, form: next as SettingsForm };
}

/**
 * A part of Settings another view can open at ("read-budget": a network's
 * monthly read allowance, within Platforms).
 */
export type SettingsSection = "platforms" | "media-host" | "read-budget";
