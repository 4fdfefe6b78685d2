// Which component holds each network's composer fields. A network without
// one has no fields beyond the post's text and media. Adding a network adds a
// line here and a component beside it; the composer's frame does not change.

import type { Component } from "svelte";
import type { Platform } from "../../lib/bindings";
import type { NetworkOptionsProps } from "./types";
import InstagramOptions from "./InstagramOptions.svelte";
import LinkedinOptions from "./LinkedinOptions.svelte";
import TiktokOptions from "./TiktokOptions.svelte";
import XOptions from "./XOptions.svelte";
import YoutubeOptions from "./YoutubeOptions.svelte";

export const OPTION_COMPONENTS: Partial<Record<Platform, Component<NetworkOptionsProps>>> = {
  instagram: InstagramOptions,
  x: XOptions,
  linkedin: LinkedinOptions,
  tiktok: TiktokOptions,
  youtube: YoutubeOptions,
};

export function optionsComponent(platform: Platform): Component<NetworkOptionsProps> | null {
  return OPTION_COMPONENTS[platform] ?? null;
}
