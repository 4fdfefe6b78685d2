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

/** The UI locale: the webview's language, or English. */
export function uiLocale(): string {
  return typeof navigator !== "undefined" && navigator.language ? navigator.language : "en";
}
