//! Rate limits and quotas: fixed windows per (endpoint name, subject) that read
//! the emulated clock. Platforms pick the name (e.g. `"POST /2/tweets"`), the
//! subject (`"user:<id>"`, `"app:<client_id>"`) and the default limit, and attach
//! their own headers/body from the returned [`RateDecision`]. Tests override any
//! limit by name through `POST /_sandbox/quotas`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};

/// How a window is laid out in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WindowKind {
    /// Starts at the first request and lasts `secs` (X's 15-minute windows).
    Fixed { secs: i64 },
    /// Calendar days, reset at midnight UTC (LinkedIn daily caps).
    DailyUtc,
    /// Calendar days, reset at midnight America/Los_Angeles, daylight saving time
    /// included (YouTube quota day: 23 h in March, 25 h in November).
    DailyPacific,
}

impl WindowKind {
    fn window_start_end(self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            Self::Fixed { secs } => (now, now + Duration::seconds(secs.max(1))),
            Self::DailyUtc => day_bounds(now, 0),
            Self::DailyPacific => pacific_day_bounds(now),
        }
    }
}

fn day_bounds(now: DateTime<Utc>, offset_hours: i64) -> (DateTime<Utc>, DateTime<Utc>) {
    let shifted = now + Duration::hours(offset_hours);
    let date = shifted.date_naive();
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    let start = Utc.from_utc_datetime(&midnight) - Duration::hours(offset_hours);
    (start, start + Duration::days(1))
}

/// The America/Los_Angeles calendar day containing `now`, as UTC instants.
fn pacific_day_bounds(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    use chrono_tz::America::Los_Angeles;
    let date = now.with_timezone(&Los_Angeles).date_naive();
    // Midnight is never skipped nor repeated in Los Angeles (DST moves at 02:00).
    let midnight = |d: chrono::NaiveDate| {
        Los_Angeles
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    match (midnight(date), date.succ_opt().and_then(midnight)) {
        (Some(start), Some(end)) => (start, end),
        _ => day_bounds(now, -8),
    }
}

/// A limit: at most `limit` units per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    pub limit: u64,
    pub window: WindowKind,
}

impl Limit {
    /// `limit` requests per `secs` seconds, window starting at the first request.
    pub const fn per_secs(limit: u64, secs: i64) -> Self {
        Self {
            limit,
            window: WindowKind::Fixed { secs },
        }
    }

    /// `limit` units per UTC day.
    pub const fn per_utc_day(limit: u64) -> Self {
        Self {
            limit,
            window: WindowKind::DailyUtc,
        }
    }

    /// `limit` units per Pacific-time day (midnight America/Los_Angeles).
    pub const fn per_pacific_day(limit: u64) -> Self {
        Self {
            limit,
            window: WindowKind::DailyPacific,
        }
    }
}

/// The outcome of counting a request against a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateDecision {
    pub allowed: bool,
    pub limit: u64,
    pub used: u64,
    pub remaining: u64,
    /// Unix epoch seconds at which the window resets.
    pub reset_at: i64,
}

impl RateDecision {
    /// Seconds until the reset, never negative.
    pub fn reset_in(&self, now: DateTime<Utc>) -> i64 {
        (self.reset_at - now.timestamp()).max(0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Window {
    used: u64,
    ends_at: DateTime<Utc>,
    /// The limit in force when the window was last counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<Limit>,
}

/// A live counter, as `GET /_sandbox/quotas` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowState {
    pub name: String,
    /// `user:<id>`, `member:<id>`, `app:<client_id>` ...
    pub subject: String,
    pub used: u64,
    /// The limit counted against (absent for windows saved by an older sandbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// When the counter starts again from zero (emulated clock).
    pub resets_at: DateTime<Utc>,
}

/// Per-platform window counters plus the limits overridden by tests.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RateLimiter {
    windows: BTreeMap<String, Window>,
    overrides: BTreeMap<String, Limit>,
}

impl RateLimiter {
    /// Counts one request of `name` for `subject`. A refused request is not counted.
    pub fn hit(
        &mut self,
        name: &str,
        subject: &str,
        default: Limit,
        now: DateTime<Utc>,
    ) -> RateDecision {
        self.hit_cost(name, subject, 1, default, now)
    }

    /// Counts `cost` units (YouTube quota units, for instance).
    pub fn hit_cost(
        &mut self,
        name: &str,
        subject: &str,
        cost: u64,
        default: Limit,
        now: DateTime<Utc>,
    ) -> RateDecision {
        let limit = self.effective(name, default);
        let key = format!("{name}|{subject}");
        let w = self
            .windows
            .entry(key)
            .or_insert_with(|| new_window(limit, now));
        if w.ends_at <= now {
            *w = new_window(limit, now);
        }
        w.limit = Some(limit);
        let allowed = w.used.saturating_add(cost) <= limit.limit;
        if allowed {
            w.used = w.used.saturating_add(cost);
        }
        RateDecision {
            allowed,
            limit: limit.limit,
            used: w.used,
            remaining: limit.limit.saturating_sub(w.used),
            reset_at: w.ends_at.timestamp(),
        }
    }

    /// The current state of a window without counting anything.
    pub fn peek(
        &self,
        name: &str,
        subject: &str,
        default: Limit,
        now: DateTime<Utc>,
    ) -> RateDecision {
        let limit = self.effective(name, default);
        let key = format!("{name}|{subject}");
        match self.windows.get(&key).filter(|w| w.ends_at > now) {
            Some(w) => RateDecision {
                allowed: w.used < limit.limit,
                limit: limit.limit,
                used: w.used,
                remaining: limit.limit.saturating_sub(w.used),
                reset_at: w.ends_at.timestamp(),
            },
            None => RateDecision {
                allowed: limit.limit > 0,
                limit: limit.limit,
                used: 0,
                remaining: limit.limit,
                reset_at: new_window(limit, now).ends_at.timestamp(),
            },
        }
    }

    /// The limit in force for `name`: the override if a test set one, else `default`.
    pub fn effective(&self, name: &str, default: Limit) -> Limit {
        self.overrides.get(name).copied().unwrap_or(default)
    }

    /// Overrides the limit of `name` (all subjects) and restarts its windows.
    pub fn set_override(&mut self, name: &str, limit: Limit) {
        self.overrides.insert(name.to_string(), limit);
        self.clear_windows(name);
    }

    /// Forgets the windows of `name` (every subject).
    pub fn clear_windows(&mut self, name: &str) {
        let prefix = format!("{name}|");
        self.windows.retain(|k, _| !k.starts_with(&prefix));
    }

    /// The overrides set by tests.
    pub fn overrides(&self) -> &BTreeMap<String, Limit> {
        &self.overrides
    }

    /// The windows still running at `now`, with their limits.
    pub fn window_states(&self, now: DateTime<Utc>) -> Vec<WindowState> {
        self.windows
            .iter()
            .filter(|(_, w)| w.ends_at > now)
            .map(|(k, w)| {
                let (name, subject) = k.split_once('|').unwrap_or((k.as_str(), ""));
                WindowState {
                    name: name.to_string(),
                    subject: subject.to_string(),
                    used: w.used,
                    limit: w.limit,
                    remaining: w.limit.map(|l| l.limit.saturating_sub(w.used)),
                    resets_at: w.ends_at,
                }
            })
            .collect()
    }

    /// Current windows as `(name, subject, used, ends_at)`.
    pub fn windows(&self) -> impl Iterator<Item = (&str, &str, u64, DateTime<Utc>)> {
        self.windows.iter().map(|(k, w)| {
            let (name, subject) = k.split_once('|').unwrap_or((k.as_str(), ""));
            (name, subject, w.used, w.ends_at)
        })
    }
}

fn new_window(limit: Limit, now: DateTime<Utc>) -> Window {
    let (_, end) = limit.window.window_start_end(now);
    Window {
        used: 0,
        ends_at: end,
        limit: Some(limit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_window_counts_and_resets() {
        let mut r = RateLimiter::default();
        let now = Utc::now();
        let l = Limit::per_secs(2, 900);
        assert!(r.hit("e", "u", l, now).allowed);
        let d = r.hit("e", "u", l, now);
        assert!(d.allowed && d.remaining == 0);
        let d = r.hit("e", "u", l, now);
        assert!(!d.allowed);
        assert_eq!(d.reset_at, (now + Duration::seconds(900)).timestamp());
        assert!(r.hit("e", "other", l, now).allowed);
        assert!(r.hit("e", "u", l, now + Duration::seconds(901)).allowed);
    }

    #[test]
    fn daily_utc_resets_at_midnight() {
        let now = Utc
            .with_ymd_and_hms(2025, 3, 1, 23, 0, 0)
            .single()
            .unwrap_or_default();
        let (s, e) = WindowKind::DailyUtc.window_start_end(now);
        assert_eq!(
            s,
            Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0)
                .single()
                .unwrap_or_default()
        );
        assert_eq!(
            e,
            Utc.with_ymd_and_hms(2025, 3, 2, 0, 0, 0)
                .single()
                .unwrap_or_default()
        );
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn daily_pacific_follows_daylight_saving_time() {
        // Winter (PST, UTC-8): midnight is 08:00 UTC.
        let (s, e) = WindowKind::DailyPacific.window_start_end(utc(2025, 1, 15, 12, 0));
        assert_eq!((s, e), (utc(2025, 1, 15, 8, 0), utc(2025, 1, 16, 8, 0)));
        // Summer (PDT, UTC-7): midnight is 07:00 UTC.
        let (s, e) = WindowKind::DailyPacific.window_start_end(utc(2025, 7, 1, 6, 59));
        assert_eq!((s, e), (utc(2025, 6, 30, 7, 0), utc(2025, 7, 1, 7, 0)));
        // 9 March 2025, spring forward: a 23-hour day.
        let (s, e) = WindowKind::DailyPacific.window_start_end(utc(2025, 3, 9, 12, 0));
        assert_eq!((s, e), (utc(2025, 3, 9, 8, 0), utc(2025, 3, 10, 7, 0)));
        // 2 November 2025, fall back: a 25-hour day.
        let (s, e) = WindowKind::DailyPacific.window_start_end(utc(2025, 11, 2, 12, 0));
        assert_eq!((s, e), (utc(2025, 11, 2, 7, 0), utc(2025, 11, 3, 8, 0)));
    }
}
