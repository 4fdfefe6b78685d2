//! Engagement numbers for the emulators' metrics endpoints: they grow with
//! the post's age on the emulated clock (advance the clock and they rise),
//! quickly in the first day and levelling off within a week, as real posts
//! do. The same post, metric and age always give the same number, so a test
//! can read them twice and compare.

use chrono::Duration;
use sha2::{Digest, Sha256};

/// The value of `metric` for the post `seed` at `age`: 0 at publication,
/// never falling, about `full` (times a per-post factor between 0.5 and
/// 1.5) after a week.
pub fn grown(seed: &str, metric: &str, age: Duration, full: u64) -> u64 {
    let hours = age.num_seconds().max(0) as f64 / 3600.0;
    let digest = Sha256::digest(format!("{seed}\0{metric}").as_bytes());
    let factor = 0.5 + f64::from(u16::from_be_bytes([digest[0], digest[1]])) / 65535.0;
    let share = 1.0 - (-hours / 36.0).exp();
    (full as f64 * factor * share).floor() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_zero_rises_and_levels_off() {
        let at = |h: i64| grown("post-1", "likes", Duration::hours(h), 1000);
        assert_eq!(at(0), 0);
        assert!(at(1) > 0, "{}", at(1));
        assert!(at(1) < at(24) && at(24) < at(24 * 7));
        assert!(at(24 * 7) <= at(24 * 30));
        assert!((500..=1500).contains(&at(24 * 30)), "{}", at(24 * 30));
        assert_eq!(at(5), at(5));
    }

    #[test]
    fn posts_and_metrics_differ() {
        let a = grown("post-1", "likes", Duration::days(3), 1000);
        let b = grown("post-2", "likes", Duration::days(3), 1000);
        let c = grown("post-1", "views", Duration::days(3), 1000);
        assert!(a != b || a != c);
    }
}
