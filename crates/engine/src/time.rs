//! Instants and zones. The database stores instants as UTC milliseconds; a
//! post also keeps the IANA zone it was planned in, so "09:00 in Berlin" stays
//! 09:00 on the wall clock whatever the offset on that date.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{EngineError, ErrorCode, Result};

pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

pub fn now_millis() -> i64 {
    to_millis(Utc::now())
}

/// Parses an IANA zone name ("Europe/Berlin"); "UTC" is accepted too.
pub fn parse_zone(name: &str) -> Result<Tz> {
    name.parse::<Tz>().map_err(|_| {
        EngineError::invalid(
            ErrorCode::InvalidZone,
            format!(
                "\"{name}\" is not a time zone CreatorFlow knows. Pick one like Europe/Berlin."
            ),
        )
    })
}

/// The UTC instant of a wall-clock time in `zone`. In a DST gap the time does
/// not exist and the next valid instant is taken (as calendars do); in an
/// overlap the earlier of the two instants is taken.
pub fn local_to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // Walk forward minute by minute out of the gap (gaps are at most a few hours).
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += chrono::Duration::minutes(1);
                if let Some(t) = zone.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

/// The wall-clock time of `instant` in `zone`.
pub fn utc_to_local(instant: DateTime<Utc>, zone: Tz) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn naive(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid date")
    }

    #[test]
    fn berlin_nine_am_keeps_wall_time_across_dst() {
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        let summer = local_to_utc(naive(2026, 10, 20, 9, 0), berlin);
        let winter = local_to_utc(naive(2026, 11, 3, 9, 0), berlin);
        assert_eq!(summer.format("%H:%M").to_string(), "07:00"); // CEST, UTC+2
        assert_eq!(winter.format("%H:%M").to_string(), "08:00"); // CET, UTC+1
        assert_eq!(utc_to_local(winter, berlin), naive(2026, 11, 3, 9, 0));
    }

    #[test]
    fn gap_moves_forward_and_overlap_takes_earlier() {
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        // 2026-03-29 02:30 does not exist in Berlin.
        let gap = local_to_utc(naive(2026, 3, 29, 2, 30), berlin);
        assert_eq!(utc_to_local(gap, berlin), naive(2026, 3, 29, 3, 0));
        // 2026-10-25 02:30 happens twice; the first is 00:30 UTC.
        let overlap = local_to_utc(naive(2026, 10, 25, 2, 30), berlin);
        assert_eq!(overlap.format("%H:%M").to_string(), "00:30");
    }

    #[test]
    fn unknown_zone_is_a_clear_error() {
        let err = parse_zone("Mars/Olympus").expect_err("not a zone");
        assert_eq!(err.code(), ErrorCode::InvalidZone);
        assert!(err.user_message().contains("Mars/Olympus"));
    }
}
