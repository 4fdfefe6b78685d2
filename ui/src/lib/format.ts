// Dates and times as sentences show them, in the creator's zone and locale.

import { handles } from "./compose";
import { hourStyle } from "./locale";

/** "Tue 20 Oct, 09:00" (en-GB) / "Tue, Oct 20, 9:00 AM" (en-US). */
export function formatWhen(instant: string | Date, locale: string, zone: string): string {
  const d = typeof instant === "string" ? new Date(instant) : instant;
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: hourStyle(locale),
    minute: "2-digit",
  }).format(d);
}

/** The toast after a save, saying what will happen. */
export function savedMessage(
  intent: "draft" | "schedule",
  scheduledAt: string | null,
  locale: string,
  zone: string,
): string {
  if (intent === "schedule" && scheduledAt) {
    return `Scheduled for ${formatWhen(scheduledAt, locale, zone)}.`;
  }
  return scheduledAt
    ? `Draft saved for ${formatWhen(scheduledAt, locale, zone)}. It won't be published until you schedule it.`
    : "Draft saved. It won't be published until you give it a time and schedule it.";
}

/** The toast after a drag: where the post went. */
export function movedMessage(
  scheduledAt: string,
  state: "draft" | "scheduled" | "cancelled",
  locale: string,
  zone: string,
): string {
  const when = formatWhen(scheduledAt, locale, zone);
  return state === "scheduled"
    ? `Moved to ${when}. It publishes then.`
    : `Draft moved to ${when}. It won't be published until you schedule it.`;
}

/** The toast after Post now: it is on its way, through the same queue. */
export function postNowMessage(usernames: string[]): string {
  const who = handles(usernames);
  return who
    ? `Posting to ${who} now. Activity shows how it goes.`
    : "Posting now. Activity shows how it goes.";
}
