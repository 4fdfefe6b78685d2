//! A TikTok video's numbers, from the Display API's Query Videos
//! (`POST /v2/video/query/`, scope `video.list`; docs/platforms/tiktok.md §13).
//!
//! Query Videos takes the public video id TikTok gives a post once it shows it
//! to others (`publicaly_available_post_id`, §8). Until then the post's remote
//! id is its publish id; an "Only me" post or one finished in the TikTok app's
//! inbox keeps it for good. Such an id is not sent to TikTok: the read fails
//! with [`not_public_yet`], which says why in words.

use serde_json::Value;

use crate::error::{ErrorKind, PlatformError};
use crate::metrics::{Metric, keys};

/// The Video Object fields asked for: the id (to match the answer) and the
/// four counts.
pub const QUERY_FIELDS: &str = "id,view_count,like_count,comment_count,share_count";

/// The counts, in the order TikTok shows them: (shared key, TikTok's label,
/// Video Object field).
pub const COUNTS: &[(&str, &str, &str)] = &[
    (keys::VIEWS, "Views", "view_count"),
    (keys::LIKES, "Likes", "like_count"),
    (keys::COMMENTS, "Comments", "comment_count"),
    (keys::SHARES, "Shares", "share_count"),
];

/// Whether `id` is a TikTok video id (a decimal int64, as
/// `publicaly_available_post_id` gives it), not a publish id such as
/// `v_pub_file~v2-1.7300000000000000001`.
pub fn is_video_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit())
}

/// The id of a Video Object, whether TikTok sent it as a string or a number.
pub fn video_id(video: &Value) -> Option<String> {
    match video.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The counts a Video Object holds; a field TikTok left out (or sent as
/// something other than a count) is absent, never a zero.
pub fn read_counts(video: &Value) -> Vec<Metric> {
    COUNTS
        .iter()
        .filter_map(|(key, label, field)| {
            video
                .get(*field)
                .and_then(count)
                .map(|n| Metric::new(key, label, n))
        })
        .collect()
}

/// A read for a post TikTok has not given a public video id.
pub fn not_public_yet(remote_id: &str) -> PlatformError {
    PlatformError::new(
        ErrorKind::Rejected,
        "not_public_yet",
        "TikTok reports a video's numbers once it shows the video to others under its own \
         link. This one has no such link yet: TikTok is still reviewing it, it was posted as \
         \"Only me\", or it waits in the TikTok app's inbox. CreatorFlow reads its numbers \
         once TikTok gives it its link.",
    )
    .with_detail(format!("publish id {remote_id}, not a video id"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn video_ids_are_decimal_int64s() {
        assert!(is_video_id("7300000000000000001"));
        assert!(is_video_id("42"));
        assert!(!is_video_id("v_pub_file~v2-1.7300000000000000001"));
        assert!(!is_video_id("v_inbox_file~v2.7"));
        assert!(!is_video_id(""));
        assert!(!is_video_id("73000000000000000012"), "over int64");
    }

    #[test]
    fn counts_in_tiktoks_order_and_missing_ones_absent() {
        let v = json!({"id": "7", "share_count": 3, "view_count": 1200, "like_count": "80"});
        let m = read_counts(&v);
        assert_eq!(
            m,
            vec![
                Metric::new("views", "Views", 1200),
                Metric::new("likes", "Likes", 80),
                Metric::new("shares", "Shares", 3),
            ]
        );
        assert_eq!(video_id(&v).as_deref(), Some("7"));
        assert_eq!(video_id(&json!({"id": 7})).as_deref(), Some("7"));
        let zero = read_counts(&json!({"comment_count": 0, "view_count": null}));
        assert_eq!(zero, vec![Metric::new("comments", "Comments", 0)]);
    }

    #[test]
    fn a_publish_id_is_explained() {
        let e = not_public_yet("v_pub_file~v2-1.7");
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert!(e.message.contains("Only me"), "{}", e.message);
        assert!(e.detail.as_deref().unwrap_or("").contains("v_pub_file"));
    }
}
