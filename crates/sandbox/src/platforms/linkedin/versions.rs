//! `LinkedIn-Version` releases (docs/platforms/linkedin.md §2).
//!
//! LinkedIn releases a version most months, but not every month (there is no
//! 202512), and retires each one around the middle of a month about a year after
//! its release (202410 on 15 Oct 2025, 202411 on 17 Nov 2025). The active set is
//! therefore data: a list of releases, each with a release date and a retire date,
//! read against the **emulated** clock.
//!
//! Dates not given explicitly follow the pattern: released on the 15th of its own
//! month and retired on the 15th of the same month a year later, a 15th that falls
//! on a weekend moving to the Monday after.

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// First release of the built-in calendar.
const BUILTIN_FIRST: (i32, u32) = (2024, 6);
/// Months without a release in the built-in calendar.
const BUILTIN_SKIPPED: &[&str] = &["202512"];
/// Retire dates LinkedIn published (migrations page); the others are derived.
const BUILTIN_RETIRES: &[(&str, &str)] = &[
    ("202407", "2025-07-22"),
    ("202408", "2025-08-18"),
    ("202409", "2025-09-15"),
    ("202410", "2025-10-15"),
    ("202411", "2025-11-17"),
    ("202510", "2026-10-15"),
    ("202511", "2026-11-16"),
    ("202601", "2027-01-15"),
    ("202602", "2027-02-15"),
    ("202603", "2027-03-16"),
];

/// One entry of the `releases` setting: `"YYYYMM"` (dates derived from the
/// pattern) or `{"version":"YYYYMM","released":"YYYY-MM-DD"?,"retires":"YYYY-MM-DD"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ReleaseSpec {
    Version(String),
    Dated(DatedRelease),
}

/// A release with explicit dates (either may be left to the pattern).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedRelease {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retires: Option<NaiveDate>,
}

/// A release with its dates: active from `released` 00:00 UTC until `retires`
/// 00:00 UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub version: String,
    pub released: NaiveDate,
    pub retires: NaiveDate,
}

impl Release {
    /// `active`, `retired` or `upcoming` at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> &'static str {
        let today = now.date_naive();
        if today < self.released {
            "upcoming"
        } else if today >= self.retires {
            "retired"
        } else {
            "active"
        }
    }
}

/// `(year, month)` of a `YYYYMM` string with a real month.
pub fn parse_version(v: &str) -> Option<(i32, u32)> {
    if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = v[..4].parse().ok()?;
    let month = v[4..].parse().ok()?;
    (1..=12).contains(&month).then_some((year, month))
}

/// The 15th of the month, or the Monday after it when it falls on a weekend.
pub fn mid_month(year: i32, month: u32) -> Option<NaiveDate> {
    let d = NaiveDate::from_ymd_opt(year, month, 15)?;
    Some(match d.weekday() {
        Weekday::Sat => d + Duration::days(2),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    })
}

/// A release with the dates of the pattern.
pub fn derived(version: &str) -> Option<Release> {
    let (y, m) = parse_version(version)?;
    Some(Release {
        version: version.to_string(),
        released: mid_month(y, m)?,
        retires: mid_month(y + 1, m)?,
    })
}

fn resolve(spec: &ReleaseSpec) -> Option<Release> {
    match spec {
        ReleaseSpec::Version(v) => derived(v),
        ReleaseSpec::Dated(d) => {
            let base = derived(&d.version)?;
            Some(Release {
                version: base.version,
                released: d.released.unwrap_or(base.released),
                retires: d.retires.unwrap_or(base.retires),
            })
        }
    }
}

/// Checks the entries of a `releases` setting.
pub fn validate(specs: &[ReleaseSpec]) -> Result<(), String> {
    for s in specs {
        let v = match s {
            ReleaseSpec::Version(v) => v,
            ReleaseSpec::Dated(d) => &d.version,
        };
        let Some(r) = resolve(s) else {
            return Err(format!("releases: {v:?} is not YYYYMM"));
        };
        if r.retires <= r.released {
            return Err(format!("releases: {v} retires before it is released"));
        }
    }
    Ok(())
}

/// The built-in calendar: one release a month from 202406 up to the month of
/// `now` (a month whose release day has not come yet is `upcoming`), except the
/// months LinkedIn skipped, with the retire dates LinkedIn published.
pub fn builtin(now: DateTime<Utc>) -> Vec<Release> {
    let (mut y, mut m) = BUILTIN_FIRST;
    let last = (now.year(), now.month());
    let mut out = Vec::new();
    while (y, m) <= last {
        let v = format!("{y:04}{m:02}");
        if !BUILTIN_SKIPPED.contains(&v.as_str())
            && let Some(mut r) = derived(&v)
        {
            if let Some(d) = BUILTIN_RETIRES
                .iter()
                .find(|(bv, _)| *bv == v)
                .and_then(|(_, d)| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                r.retires = d;
            }
            out.push(r);
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// The releases in force: the setting's list, or the built-in calendar.
pub fn releases(specs: Option<&[ReleaseSpec]>, now: DateTime<Utc>) -> Vec<Release> {
    match specs {
        Some(list) => list.iter().filter_map(resolve).collect(),
        None => builtin(now),
    }
}

/// Whether `requested` (`YYYYMM`, or `YYYYMM.RR` for a revision) names a release
/// that is active at `now`.
pub fn is_active(specs: Option<&[ReleaseSpec]>, requested: &str, now: DateTime<Utc>) -> bool {
    let base = match requested.split_once('.') {
        Some((b, rr)) if rr.len() == 2 && rr.bytes().all(|c| c.is_ascii_digit()) => b,
        Some(_) => return false,
        None => requested,
    };
    parse_version(base).is_some()
        && releases(specs, now)
            .iter()
            .any(|r| r.version == base && r.status(now) == "active")
}

/// The newest active version at `now`.
pub fn latest_active(specs: Option<&[ReleaseSpec]>, now: DateTime<Utc>) -> Option<String> {
    releases(specs, now)
        .into_iter()
        .filter(|r| r.status(now) == "active")
        .max_by(|a, b| a.version.cmp(&b.version))
        .map(|r| r.version)
}

/// The calendar as the settings show it (read-only).
pub fn describe(specs: Option<&[ReleaseSpec]>, now: DateTime<Utc>) -> Value {
    json!(
        releases(specs, now)
            .iter()
            .map(|r| json!({
                "version": r.version,
                "released": r.released.to_string(),
                "retires": r.retires.to_string(),
                "status": r.status(now),
            }))
            .collect::<Vec<_>>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn the_pattern_matches_published_retire_dates() {
        // 15 Oct 2025 is a Wednesday; 15 Nov 2025 a Saturday (→ Monday 17th);
        // 15 Nov 2026 a Sunday (→ Monday 16th).
        assert_eq!(
            derived("202410").map(|r| r.retires.to_string()).as_deref(),
            Some("2025-10-15")
        );
        assert_eq!(
            derived("202411").map(|r| r.retires.to_string()).as_deref(),
            Some("2025-11-17")
        );
        assert_eq!(
            derived("202511").map(|r| r.retires.to_string()).as_deref(),
            Some("2026-11-16")
        );
        assert_eq!(derived("202513"), None);
        assert_eq!(derived("2025-1"), None);
    }

    #[test]
    fn builtin_calendar_skips_202512_and_follows_the_clock() {
        let now = at(2026, 1, 20);
        assert!(!is_active(None, "202512", now), "no 202512 release");
        assert!(is_active(None, "202511", now));
        assert!(is_active(None, "202601", now));
        assert!(is_active(None, "202601.01", now));
        assert!(!is_active(None, "202601.1", now));
        assert!(!is_active(None, "202602", now), "not released yet");
        // 202501 retires on 15 Jan 2026.
        assert!(!is_active(None, "202501", now));
        assert!(is_active(None, "202501", at(2026, 1, 14)));
        // Before the 15th the current month's release does not exist yet.
        assert!(!is_active(None, "202603", at(2026, 3, 6)));
        assert!(is_active(None, "202603", at(2026, 3, 16)));
        assert_eq!(
            latest_active(None, at(2026, 3, 6)).as_deref(),
            Some("202602")
        );
        // 202411 retired on Monday 17 Nov 2025, not on the 15th.
        assert!(is_active(None, "202411", at(2025, 11, 16)));
        assert!(!is_active(None, "202411", at(2025, 11, 17)));
        assert!(!is_active(None, "20250401", now));
        assert!(!is_active(None, "abc", now));
    }

    #[test]
    fn an_explicit_list_replaces_the_calendar() {
        let specs = vec![
            ReleaseSpec::Version("202401".into()),
            ReleaseSpec::Dated(DatedRelease {
                version: "202402".into(),
                released: NaiveDate::from_ymd_opt(2024, 2, 1),
                retires: NaiveDate::from_ymd_opt(2030, 1, 1),
            }),
        ];
        let now = at(2026, 1, 20);
        assert!(!is_active(Some(&specs), "202401", now), "retired Jan 2025");
        assert!(is_active(Some(&specs), "202402", now));
        assert!(!is_active(Some(&specs), "202601", now), "not in the list");
        assert!(validate(&specs).is_ok());
        assert!(validate(&[ReleaseSpec::Version("202400".into())]).is_err());
    }
}
