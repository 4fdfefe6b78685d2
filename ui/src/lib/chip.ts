// The DOM of a post chip on the calendar (FullCalendar's eventContent /
// eventDidMount hooks). Built with DOM calls, never innerHTML: the text is the
// creator's own.

import type { Post } from "./api";
import { excerpt, postPlatforms } from "./posts";
import { platformMeta, statusMeta } from "./status";

function span(className: string, text?: string): HTMLSpanElement {
  const el = document.createElement("span");
  el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Platform badges, time, first words; in list view also the status in words. */
export function buildChip(post: Post, timeText: string, isList: boolean): HTMLElement {
  const chip = span("cf-chip");
  const platforms = postPlatforms(post);
  if (platforms.length > 0) {
    const icons = span("cf-chip-platforms");
    for (const p of platforms) {
      const badge = span(`cf-pf cf-pf-${p}`, platformMeta(p).short);
      badge.title = platformMeta(p).name;
      icons.append(badge);
    }
    chip.append(icons);
  }
  if (!isList && timeText) chip.append(span("cf-chip-time", timeText));
  chip.append(span("cf-chip-text", excerpt(post.text, isList ? 140 : 60) || "(no text)"));
  if (isList) chip.append(span(`cf-chip-status`, statusMeta(post.status).label));
  return chip;
}

/** Test ids, data attributes and an accessible name on a rendered event element. */
export function decorateChip(el: HTMLElement, post: Post, timeText: string): void {
  const meta = statusMeta(post.status);
  const platforms = postPlatforms(post)
    .map((p) => platformMeta(p).name)
    .join(", ");
  el.setAttribute("data-testid", "post-chip");
  el.setAttribute("data-post-id", String(post.id));
  el.setAttribute("data-status", post.status);
  const parts = [meta.label, timeText, platforms || "no accounts", excerpt(post.text, 80)];
  el.setAttribute("aria-label", parts.filter(Boolean).join(" · "));
  el.title = `${meta.label}${platforms ? ` · ${platforms}` : ""}\n${excerpt(post.text, 200)}`;
}
