// Wall-clock times in a zone <-> UTC instants.
//
// The composer's <input type=date> and <input type=time> hold a wall-clock time
// in the creator's zone; the backend wants a UTC instant (RFC 3339) plus the
// IANA zone. The rules match the engine's `local_to_utc` (crates/engine/src/time.rs):
// a time inside a DST gap does not exist and becomes the first valid instant
// after the gap; a time inside an overlap (it happens twice) is the earlier one.
//
// Everything takes the zone as a parameter, so the math is testable for any zone
// whatever the machine's; `systemZone()` is what the app passes.

/** A wall-clock date and time: `date` is YYYY-MM-DD, `time` is HH:MM (24 h). */
export interface LocalDateTime {
  date: string;
  time: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The IANA zone of this machine ("Europe/Berlin"); "UTC" if the runtime cannot tell. */
export function systemZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA zone this runtime knows. */
export function isValidZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of `instantMs` in `zone`, as milliseconds of a "naive" UTC date. */
function wallClockMs(instantMs: number, zone: string): number {
  const parts = formatterFor(zone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? "0");
  const seconds = Math.floor(instantMs / 1000) * 1000;
  const wall = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour") % 24,
    get("minute"),
    get("second"),
  );
  // formatToParts drops milliseconds; keep them so the offset stays whole minutes.
  return wall + (instantMs - seconds);
}

/** Offset of `zone` from UTC at `instantMs`, in milliseconds (Berlin in summer: +2 h). */
export function zoneOffsetMs(instantMs: number, zone: string): number {
  return wallClockMs(instantMs, zone) - instantMs;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;

/** Parses YYYY-MM-DD + HH:MM into naive milliseconds, or `null` if either is not a real value. */
export function parseLocal(local: LocalDateTime): number | null {
  const d = DATE_RE.exec(local.date.trim());
  const t = TIME_RE.exec(local.time.trim());
  if (!d || !t) return null;
  const [y, mo, da] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const [h, mi] = [Number(t[1]), Number(t[2])];
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59) return null;
  const ms = Date.UTC(y, mo - 1, da, h, mi);
  const back = new Date(ms);
  // Reject 2026-02-31 and friends instead of rolling them over.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== da) {
    return null;
  }
  return ms;
}

/**
 * The UTC instant of a wall-clock time in `zone`, or `null` if the date or time
 * is not valid. Gap: first instant after it; overlap: the earlier instant.
 */
export function localToUtc(local: LocalDateTime, zone: string): Date | null {
  const naive = parseLocal(local);
  if (naive === null) return null;
  // Any transition near this wall time is within a day of it; the offsets a
  // day before and a day after are the only candidates.
  const candidates = new Set([zoneOffsetMs(naive - DAY, zone), zoneOffsetMs(naive + DAY, zone)]);
  const valid = [...candidates]
    .map((offset) => naive - offset)
    .filter((instant) => wallClockMs(instant, zone) === naive)
    .sort((a, b) => a - b);
  if (valid.length > 0) return new Date(valid[0]!);

  // In a gap: the answer is the transition instant, the first whose offset is
  // the later one. Binary search it to the minute between the two readings.
  const before = zoneOffsetMs(naive - DAY, zone);
  let lo = naive - before - DAY; // certainly before the transition
  let hi = naive - before + DAY; // certainly after it
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / MINUTE / 2) * MINUTE;
    if (zoneOffsetMs(mid, zone) === before) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The wall-clock date and time of `instant` in `zone`. */
export function utcToLocal(instant: Date | string, zone: string): LocalDateTime {
  const ms = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  const wall = new Date(wallClockMs(ms, zone));
  return {
    date: `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
    time: `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`,
  };
}

/**
 * The default time for a click on a whole day (a month cell, or a draft dropped
 * on one): 09:00, or the next full hour when that day is today and 09:00 has
 * passed (never a time already gone). Works on the machine's local zone, as
 * FullCalendar with `timeZone: 'local'` hands out local Dates.
 */
export function defaultTimeForDay(day: Date, now: Date): Date {
  const nine = new Date(day.getFullYear(), day.getMonth(), day.getDate(), 9, 0, 0, 0);
  const sameDay =
    day.getFullYear() === now.getFullYear() &&
    day.getMonth() === now.getMonth() &&
    day.getDate() === now.getDate();
  if (!sameDay || nine.getTime() > now.getTime()) return nine;
  return nextFullHour(now);
}

/** The next full hour after `now` (10:00 at 09:00 sharp, 10:00 at 09:12). */
export function nextFullHour(now: Date): Date {
  const next = new Date(now.getTime());
  next.setMinutes(0, 0, 0);
  next.setHours(next.getHours() + 1);
  return next;
}

/** A local Date as the composer's inputs show it. */
export function dateToLocalInputs(d: Date): LocalDateTime {
  return {
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    time: `${pad(d.getHours())}:${pad(d.getMinutes())}`,
  };
}

/** "UTC+02:00" for the zone at `instant`. */
export function formatOffset(instant: Date, zone: string): string {
  const minutes = Math.round(zoneOffsetMs(instant.getTime(), zone) / MINUTE);
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
