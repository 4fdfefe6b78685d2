// What every network's options component gets from the composer's frame.

import type { NetworkOptions, PlatformInfo } from "../../lib/api";
import type { SettingsSection } from "../../lib/settings";
import type { FieldCount, MediaKind, ValidationIssue_Serialize } from "../../lib/bindings";

export interface NetworkOptionsProps {
  /** This network's options (the component narrows them to its own). */
  options: NetworkOptions;
  /** Called with the whole new options object on every change. */
  onchange: (next: NetworkOptions) => void;
  /** The network's catalog entry (name, capabilities), once loaded. */
  info: PlatformInfo | null;
  /** This network's counted fields from the last check. */
  counts: FieldCount[];
  /** This network's problems from the last check (fields with one are marked invalid). */
  issues: ValidationIssue_Serialize[];
  /** How many picked accounts of this network the options go to. */
  accountCount: number;
  /** The picked accounts of this network (ids), for what the network says about each. */
  accountIds: number[];
  disabled: boolean;
  /** "compose": a post being written; "update": a live post being changed at the network. */
  mode: "compose" | "update";
  /** Prefix of test ids and element ids ("composer" → composer-youtube-title). */
  testid: string;
  /** Opens Settings at this network's developer app, or at `section` (the media host), where the frame can. */
  onopensettings?: (section?: SettingsSection) => void;
  /** The kinds of the post's attached files, in order. */
  mediaKinds?: MediaKind[];
}
