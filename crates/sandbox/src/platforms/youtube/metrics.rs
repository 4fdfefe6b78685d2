//! The `statistics` part of the `video` resource, what
//! `GET /youtube/v3/videos?part=statistics&id=…` answers (docs/platforms/youtube.md
//! §11). There is no route of its own: it is `videos.list`, with its scopes
//! (`youtube.readonly`, `youtube`, `youtube.force-ssl`, `youtubepartner`) and
//! its quota cost of 1 unit ([`super::quota::Op::VideosList`]); a deleted
//! video is left out of `items`.
//!
//! The numbers are unsigned 64-bit integers sent as JSON strings, as Google
//! does for every `uint64`:
//!
//! - `viewCount`: always there;
//! - `likeCount`: left out when the creator hides the like count
//!   (`stats_likes_hidden`);
//! - `dislikeCount`: only for the owner's own requests (private since
//!   13 December 2021), and left out with `likeCount`;
//! - `favoriteCount`: deprecated since 28 August 2015, always `"0"`;
//! - `commentCount`: left out when comments are off (`stats_comments_off`, or
//!   a video declared made for kids while `stats_kids_comments_off` is on).
//!
//! The numbers grow over the emulated clock
//! ([`crate::core::engagement::grown`]) from the moment others can watch the
//! video: once processing has succeeded and, for a scheduled video, once its
//! `publishAt` has passed. Until then, and for a video that failed or was
//! rejected, or stays private (unless `stats_private_grow`), they are 0.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::{ProcessingOutcome, ProcessingResult, Video, YouTubeSettings};
use crate::core::engagement::grown;

/// Since when people other than the owner can watch `v` at `now`, if they can.
pub fn watchable_since(
    v: &Video,
    settings: &YouTubeSettings,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if v.deleted {
        return None;
    }
    let outcome = v
        .processing_outcome
        .clone()
        .unwrap_or_else(|| ProcessingOutcome::decide(settings));
    if outcome.result != ProcessingResult::Processed {
        return None;
    }
    let processed = v.uploaded_at + Duration::seconds(outcome.processing_secs.max(0));
    let mut since = match v.status.publish_at {
        Some(at) if at > processed => at,
        _ => processed,
    };
    if v.effective_privacy(now) == "private" {
        if !settings.stats_private_grow {
            return None;
        }
        since = processed;
    }
    (since <= now).then_some(since)
}

/// Whether `statistics` leaves out `likeCount` (and `dislikeCount`) for `v`.
pub fn likes_hidden(v: &Video, settings: &YouTubeSettings) -> bool {
    settings.stats_likes_hidden.contains(&v.id)
}

/// Whether `statistics` leaves out `commentCount` for `v`.
pub fn comments_off(v: &Video, settings: &YouTubeSettings) -> bool {
    settings.stats_comments_off.contains(&v.id)
        || (settings.stats_kids_comments_off && v.status.self_declared_made_for_kids == Some(true))
}

/// The `statistics` object of `v` at `now`. `owner`: the request was made
/// with a token of the video's channel (it alone sees `dislikeCount`).
pub fn statistics(v: &Video, settings: &YouTubeSettings, now: DateTime<Utc>, owner: bool) -> Value {
    let age = watchable_since(v, settings, now).map(|since| now - since);
    let count = |metric: &str, full: u64| -> Value {
        json!(age.map_or(0, |a| grown(&v.id, metric, a, full)).to_string())
    };
    let mut s = Map::new();
    s.insert(
        "viewCount".into(),
        count("views", settings.stats_views_full),
    );
    if !likes_hidden(v, settings) {
        s.insert(
            "likeCount".into(),
            count("likes", settings.stats_likes_full),
        );
        if owner {
            s.insert(
                "dislikeCount".into(),
                count("dislikes", settings.stats_dislikes_full),
            );
        }
    }
    s.insert("favoriteCount".into(), json!("0"));
    if !comments_off(v, settings) {
        s.insert(
            "commentCount".into(),
            count("comments", settings.stats_comments_full),
        );
    }
    Value::Object(s)
}

#[cfg(test)]
mod tests {
    use super::super::{VideoSnippet, VideoStatus};
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    const UPLOADED: &str = "2026-03-02T10:00:00Z";

    fn video(privacy: &str) -> Video {
        Video {
            id: "vid_metrics_1".into(),
            channel_id: "UC1".into(),
            client_id: "client".into(),
            snippet: VideoSnippet::default(),
            status: VideoStatus {
                privacy_status: privacy.into(),
                self_declared_made_for_kids: Some(false),
                ..VideoStatus::default()
            },
            requested_privacy: privacy.into(),
            locked_private: false,
            mime: "video/mp4".into(),
            size: 1000,
            sha256: None,
            notify_subscribers: true,
            uploaded_at: at(UPLOADED),
            thumbnail: None,
            deleted: false,
            deleted_at: None,
            processing_outcome: Some(ProcessingOutcome {
                processing_secs: 60,
                result: ProcessingResult::Processed,
            }),
        }
    }

    fn num(stats: &Value, field: &str) -> Option<u64> {
        stats.get(field).map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{field} is not a string: {v}"))
                .parse()
                .expect("digits")
        })
    }

    #[test]
    fn numbers_are_strings_that_grow_with_the_clock() {
        let s = YouTubeSettings::default();
        let v = video("public");
        let early = statistics(&v, &s, at("2026-03-02T12:00:00Z"), false);
        let later = statistics(&v, &s, at("2026-03-04T10:00:00Z"), false);
        for field in ["viewCount", "likeCount", "commentCount"] {
            let (a, b) = (num(&early, field), num(&later, field));
            assert!(a.is_some() && a < b, "{field}: {a:?} then {b:?}");
        }
        assert_eq!(later["favoriteCount"], json!("0"));
        assert!(later.get("dislikeCount").is_none(), "not the owner");
        let views = num(&later, "viewCount").unwrap_or(0);
        let likes = num(&later, "likeCount").unwrap_or(0);
        let comments = num(&later, "commentCount").unwrap_or(0);
        assert!(views > likes && likes > comments, "{later}");
        // The same instant gives the same numbers.
        assert_eq!(later, statistics(&v, &s, at("2026-03-04T10:00:00Z"), false));
    }

    #[test]
    fn nothing_before_processing_ends_or_while_scheduled() {
        let s = YouTubeSettings::default();
        let v = video("public");
        let during = statistics(&v, &s, at("2026-03-02T10:00:30Z"), true);
        assert_eq!(during["viewCount"], json!("0"));
        assert_eq!(during["likeCount"], json!("0"));
        assert_eq!(during["dislikeCount"], json!("0"));
        assert_eq!(during["commentCount"], json!("0"));

        let mut scheduled = video("private");
        scheduled.status.publish_at = Some(at("2026-03-03T10:00:00Z"));
        assert_eq!(
            watchable_since(&scheduled, &s, at("2026-03-03T09:00:00Z")),
            None
        );
        assert_eq!(
            watchable_since(&scheduled, &s, at("2026-03-03T11:00:00Z")),
            Some(at("2026-03-03T10:00:00Z"))
        );
        let after = statistics(&scheduled, &s, at("2026-03-03T11:00:00Z"), false);
        assert!(num(&after, "viewCount") > Some(0), "{after}");
    }

    #[test]
    fn private_failed_and_deleted_videos_stay_at_zero() {
        let mut s = YouTubeSettings::default();
        let now = at("2026-03-09T10:00:00Z");
        let private = video("private");
        assert_eq!(statistics(&private, &s, now, true)["viewCount"], json!("0"));
        s.stats_private_grow = true;
        assert!(num(&statistics(&private, &s, now, true), "viewCount") > Some(0));

        let s = YouTubeSettings::default();
        let mut failed = video("public");
        failed.processing_outcome = Some(ProcessingOutcome {
            processing_secs: 60,
            result: ProcessingResult::Failed {
                failure_reason: "codec".into(),
                processing_failure_reason: "transcodeFailed".into(),
            },
        });
        assert_eq!(watchable_since(&failed, &s, now), None);
        let mut deleted = video("public");
        deleted.deleted = true;
        assert_eq!(watchable_since(&deleted, &s, now), None);
    }

    #[test]
    fn dislikes_are_for_the_owner_only() {
        let s = YouTubeSettings::default();
        let now = at("2026-03-04T10:00:00Z");
        let v = video("public");
        let owner = statistics(&v, &s, now, true);
        assert!(num(&owner, "dislikeCount") > Some(0), "{owner}");
        assert!(statistics(&v, &s, now, false).get("dislikeCount").is_none());
    }

    #[test]
    fn hidden_likes_and_comments_off_are_left_out() {
        let now = at("2026-03-04T10:00:00Z");
        let v = video("public");
        let s = YouTubeSettings {
            stats_likes_hidden: vec![v.id.clone()],
            stats_comments_off: vec![v.id.clone()],
            ..YouTubeSettings::default()
        };
        let stats = statistics(&v, &s, now, true);
        assert!(stats.get("likeCount").is_none(), "{stats}");
        assert!(stats.get("dislikeCount").is_none(), "{stats}");
        assert!(stats.get("commentCount").is_none(), "{stats}");
        assert!(num(&stats, "viewCount") > Some(0));
        // Another video keeps them.
        let mut other = video("public");
        other.id = "vid_metrics_2".into();
        let stats = statistics(&other, &s, now, true);
        assert!(stats.get("likeCount").is_some() && stats.get("commentCount").is_some());

        // Made for kids: comments off, unless the setting says otherwise.
        let mut kids = video("public");
        kids.status.self_declared_made_for_kids = Some(true);
        let s = YouTubeSettings::default();
        assert!(
            statistics(&kids, &s, now, true)
                .get("commentCount")
                .is_none()
        );
        assert!(statistics(&kids, &s, now, true).get("likeCount").is_some());
        let s = YouTubeSettings {
            stats_kids_comments_off: false,
            ..YouTubeSettings::default()
        };
        assert!(
            statistics(&kids, &s, now, true)
                .get("commentCount")
                .is_some()
        );
    }

    #[test]
    fn fulls_come_from_the_settings() {
        let now = at("2026-03-30T10:00:00Z");
        let v = video("public");
        let s = YouTubeSettings {
            stats_views_full: 1_000_000,
            ..YouTubeSettings::default()
        };
        let views = num(&statistics(&v, &s, now, false), "viewCount").unwrap_or(0);
        assert!((500_000..=1_500_000).contains(&views), "{views}");
    }
}
