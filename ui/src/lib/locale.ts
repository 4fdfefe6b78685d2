// Calendar conventions of the creator's locale, without bundling locale files.

const SUNDAY_FIRST = new Set(["US", "CA", "MX", "BR", "JP", "KR", "IL", "PH", "IN", "ZA", "AU"]);

/** First day of the week for `locale` (0 = Sunday, 1 = Monday, 6 = Saturday). */
export function weekStartsOn(locale: string): number {
  try {
    const loc = new Intl.Locale(locale) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const info = loc.getWeekInfo?.() ?? loc.weekInfo;
    if (info && Number.isInteger(info.firstDay)) return info.firstDay % 7; // ISO: 7 = Sunday
    const region = loc.maximize().region ?? "";
    return SUNDAY_FIRST.has(region) ? 0 : 1;
  } catch {
    return 1;
  }
}

/** Whether `locale` writes times with AM/PM. */
export function uses12HourClock(locale: string): boolean {
  try {
    const { hourCycle, hour12 } = new Intl.DateTimeFormat(locale, {
      hour: "numeric",
    }).resolvedOptions();
    if (hourCycle) return hourCycle === "h11" || hourCycle === "h12";
    return hour12 === true;
  } catch {
    return false;
  }
}

/** How Intl should write the hour: padded on a 24-hour clock ("09:00"), not on a 12-hour one ("9:00 AM"). */
export function hourStyle(locale: string): "numeric" | "2-digit" {
  return uses12HourClock(locale) ? "numeric" : "2-digit";
}

/**
 * A BCP 47 tag Intl accepts, from what the system reports: "C" and "POSIX"
 * (LANG=C sessions), "en_US.UTF-8" style names and garbage become something
 * usable, English at worst. Intl throws a RangeError on an invalid tag, which
 * would take the calendar down with it.
 */
export function safeLocale(candidate: string | null | undefined): string {
  if (!candidate) return "en";
  const tag = candidate
    .trim()
    .replace(/[.@].*$/, "")
    .replace(/_/g, "-");
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical && Intl.DateTimeFormat.supportedLocalesOf(canonical).length > 0) {
      return canonical;
    }
  } catch {
    // not a language tag
  }
  return "en";
}

/** The UI locale: the webview's language when Intl understands it, else English. */
export function uiLocale(): string {
  return safeLocale(typeof navigator !== "undefined" ? navigator.language : undefined);
}
