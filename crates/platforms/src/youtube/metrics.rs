//! How a published video is doing: `videos.list?part=statistics&id=…`
//! (docs/platforms/youtube.md §11).
//!
//! YouTube sends `viewCount`, `likeCount` and `commentCount` as strings (its
//! JSON carries every `uint64` so). `likeCount` is missing when the creator
//! hides the like count and `commentCount` when comments are off: those are
//! then absent, never 0. `favoriteCount` (always 0 since 2015) and
//! `dislikeCount` (private since 2021) are left out. A video YouTube no longer
//! has is missing from `items` (still a 200): the post was removed.
//!
//! A read costs 1 unit of the Google Cloud project's daily quota; when it is
//! spent, `quotaExceeded` holds every read until midnight Pacific Time
//! ([`super::errors::map_error`]). The quota is per day, not a monthly
//! allowance of reads, so there is no [`crate::ReadBudget`].

use serde_json::Value;

use super::SCOPE_READONLY;
use super::client::{YoutubeClient, check_id};
use super::errors::YoutubeOperation;
use crate::auth::TokenSource;
use crate::error::{ErrorKind, PlatformError};
use crate::metrics::{Metric, MetricsSupport, PostMetrics, keys};

/// The numbers read, as `(shared key, YouTube's label, field of statistics)`,
/// in the order YouTube shows them under a video.
pub const METRICS: &[(&str, &str, &str)] = &[
    (keys::VIEWS, "Views", "viewCount"),
    (keys::LIKES, "Likes", "likeCount"),
    (keys::COMMENTS, "Comments", "commentCount"),
];

/// What the YouTube client reads: views, likes and comments, with
/// `youtube.readonly` (which CreatorFlow also asks for to show the channel
/// and follow processing), and no monthly read budget.
pub fn metrics_support() -> MetricsSupport {
    MetricsSupport {
        available: true,
        metrics: METRICS.iter().map(|(k, l, _)| (*k, *l)).collect(),
        scopes: vec![SCOPE_READONLY],
        budget: None,
    }
}

/// The metrics in a video resource's `statistics`: those YouTube sent, in
/// [`METRICS`] order. A count that is not a number is an answer CreatorFlow
/// cannot read.
pub fn parse_statistics(video: &Value) -> Result<Vec<Metric>, PlatformError> {
    let stats = video.get("statistics");
    let mut out = Vec::new();
    for (key, label, field) in METRICS {
        let Some(raw) = stats.and_then(|s| s.get(*field)).filter(|v| !v.is_null()) else {
            continue;
        };
        let value = match raw {
            Value::String(s) => s.trim().parse::<u64>().ok(),
            Value::Number(n) => n.as_u64(),
            _ => None,
        };
        let Some(value) = value else {
            return Err(PlatformError::new(
                ErrorKind::Protocol,
                "bad_response",
                "YouTube sent a video's numbers in a form CreatorFlow could not read.",
            )
            .with_detail(format!("statistics.{field} = {raw}")));
        };
        out.push(Metric::new(key, label, value));
    }
    Ok(out)
}

impl YoutubeClient {
    /// The video's views, likes and comments now, or
    /// [`PostMetrics::Removed`] when YouTube no longer has it.
    pub async fn video_metrics(
        &self,
        tokens: &dyn TokenSource,
        video_id: &str,
    ) -> Result<PostMetrics, PlatformError> {
        check_id(video_id, "read the numbers of")?;
        let video = self
            .video_with(
                YoutubeOperation::ReadMetrics,
                tokens,
                video_id,
                "statistics",
            )
            .await?;
        match video {
            Some(v) => Ok(PostMetrics::Live(parse_statistics(&v)?)),
            None => Ok(PostMetrics::Removed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn support_names_the_read_scope_and_no_budget() {
        let s = metrics_support();
        assert!(s.available);
        assert_eq!(
            s.metrics,
            [
                (keys::VIEWS, "Views"),
                (keys::LIKES, "Likes"),
                (keys::COMMENTS, "Comments")
            ]
        );
        assert_eq!(
            s.scopes,
            ["https://www.googleapis.com/auth/youtube.readonly"]
        );
        assert_eq!(s.budget, None);
    }

    #[test]
    fn strings_become_numbers_and_private_fields_stay_out() {
        let v = json!({"id": "abc", "statistics": {
            "viewCount": "12345", "likeCount": "678", "dislikeCount": "9",
            "favoriteCount": "0", "commentCount": "42"}});
        assert_eq!(
            parse_statistics(&v).expect("parsed"),
            [
                Metric::new("views", "Views", 12345),
                Metric::new("likes", "Likes", 678),
                Metric::new("comments", "Comments", 42),
            ]
        );
    }

    #[test]
    fn missing_counts_are_absent_not_zero() {
        // Likes hidden, comments off.
        let v = json!({"id": "abc", "statistics": {"viewCount": "7", "favoriteCount": "0"}});
        assert_eq!(
            parse_statistics(&v).expect("parsed"),
            [Metric::new("views", "Views", 7)]
        );
        let v = json!({"id": "abc", "statistics": {"viewCount": "0", "likeCount": "0"}});
        assert_eq!(
            parse_statistics(&v).expect("parsed"),
            [
                Metric::new("views", "Views", 0),
                Metric::new("likes", "Likes", 0)
            ]
        );
        assert_eq!(parse_statistics(&json!({"id": "abc"})).expect("parsed"), []);
    }

    #[test]
    fn a_count_that_is_not_a_number_is_a_protocol_error() {
        let v = json!({"id": "abc", "statistics": {"viewCount": "many"}});
        let e = parse_statistics(&v).expect_err("bad");
        assert_eq!(e.kind, ErrorKind::Protocol);
        assert!(e.detail.unwrap_or_default().contains("viewCount"));
    }
}
