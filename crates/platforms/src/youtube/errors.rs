//! Google's error answers, classified into [`PlatformError`]s
//! (docs/platforms/youtube.md §8.2, §8.3).
//!
//! Every googleapis error has the shape
//! `{"error":{"code","message","errors":[{"message","domain","reason"}],"status"?}}`;
//! the `reason` of the first item decides (`quotaExceeded`,
//! `uploadLimitExceeded`, `insufficientPermissions`, `invalidTitle` ...),
//! then the HTTP status.

use chrono::{DateTime, Duration, NaiveTime, TimeZone as _, Utc};
use chrono_tz::America::Los_Angeles;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::error::{ErrorKind, PlatformError};
use crate::support::errors::{
    MAX_DETAIL_CHARS, MAX_REASON_CHARS, json_body, retry_after, shorten, str_field,
};
use crate::support::request::{MapError, Operation};
use crate::types::Platform;

/// What CreatorFlow was doing when YouTube answered: words the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YoutubeOperation {
    /// `channels.list?mine=true`.
    Channels,
    /// The `videos.insert` session start (§2.1).
    StartUpload,
    /// A `PUT` to the upload session (§2.2, §2.3).
    UploadChunk,
    /// `thumbnails.set` (§6).
    Thumbnail,
    /// `videos.list` (§4).
    ReadVideo,
    /// `videos.list?part=statistics` (§11): a video's numbers for Analytics.
    ReadMetrics,
    /// `videos.update` (§5).
    UpdateVideo,
    /// `videos.delete` (§7).
    DeleteVideo,
}

impl Operation for YoutubeOperation {
    const PLATFORM: Platform = Platform::Youtube;
    const MAP_ERROR: MapError<Self> = map_error;

    /// 2xx, and the upload session's `308 Resume Incomplete` (§2.2).
    fn accepts(status: u16) -> bool {
        (200..300).contains(&status) || status == 308
    }

    /// The URL stays out of errors: an upload session's URL is its credential.
    fn transport_error(e: reqwest::Error) -> PlatformError {
        PlatformError::from_transport(Self::PLATFORM.display_name(), &e.without_url())
    }
}

/// Google's error body (or whatever came instead).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GoogleError {
    /// `error.message`, HTML tags removed.
    pub message: Option<String>,
    /// `error.errors[].reason`, first first.
    pub reasons: Vec<String>,
    /// `error.errors[0].domain`.
    pub domain: Option<String>,
    /// `error.status` (`PERMISSION_DENIED` ...).
    pub status: Option<String>,
    /// An OAuth-style `{"error":"invalid_token"}` code.
    pub oauth_error: Option<String>,
    /// A body that was not Google's JSON, shortened.
    pub raw: Option<String>,
}

impl GoogleError {
    pub fn parse(body: &[u8]) -> Self {
        let json = match json_body(body) {
            Ok(json) => json,
            Err(raw) => {
                return Self {
                    raw,
                    ..Self::default()
                };
            }
        };
        match json.get("error") {
            Some(Value::Object(e)) => {
                let items = e.get("errors").and_then(Value::as_array);
                let reasons = items
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|i| str_field(i.get("reason")))
                            .collect()
                    })
                    .unwrap_or_default();
                let first_message = items
                    .and_then(|i| i.first())
                    .and_then(|i| str_field(i.get("message")));
                Self {
                    message: str_field(e.get("message"))
                        .or(first_message)
                        .map(|m| strip_html(&m)),
                    reasons,
                    domain: items
                        .and_then(|i| i.first())
                        .and_then(|i| str_field(i.get("domain"))),
                    status: str_field(e.get("status")),
                    oauth_error: None,
                    raw: None,
                }
            }
            Some(Value::String(code)) => Self {
                oauth_error: Some(code.clone()),
                message: str_field(json.get("error_description")),
                ..Self::default()
            },
            _ => Self {
                raw: Some(shorten(&json.to_string(), MAX_DETAIL_CHARS)),
                ..Self::default()
            },
        }
    }

    /// The first `reason`, which decides the classification.
    pub fn reason(&self) -> Option<&str> {
        self.reasons.first().map(String::as_str)
    }

    fn has_reason(&self, reason: &str) -> bool {
        self.reasons.iter().any(|r| r == reason)
    }

    /// Everything Google said, for the details line.
    pub fn detail(&self, status: u16) -> String {
        let mut out = format!("HTTP {status}");
        if !self.reasons.is_empty() {
            out.push(' ');
            out.push_str(&self.reasons.join(", "));
        }
        if let Some(d) = &self.domain {
            out.push_str(&format!(" ({d})"));
        }
        if let Some(s) = &self.status {
            out.push_str(&format!(" {s}"));
        }
        if let Some(o) = &self.oauth_error {
            out.push_str(&format!(" {o}"));
        }
        if let Some(m) = self.message.as_ref().or(self.raw.as_ref()) {
            out.push_str(": ");
            out.push_str(m);
        }
        shorten(&out, MAX_DETAIL_CHARS)
    }
}

/// The next midnight in America/Los_Angeles after `now`, when a project's
/// YouTube quota resets (youtube.md §8.1).
pub fn next_pacific_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Los_Angeles).date_naive();
    local
        .succ_opt()
        .map(|d| d.and_time(NaiveTime::MIN))
        .and_then(|midnight| Los_Angeles.from_local_datetime(&midnight).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now + Duration::hours(24))
}

/// "about 7 hours", "about 25 minutes".
fn in_words(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let minutes = (to - from).num_minutes().max(1);
    if minutes >= 90 {
        let hours = (minutes + 30) / 60;
        format!("in about {hours} hours")
    } else if minutes >= 55 {
        "in about an hour".to_owned()
    } else if minutes <= 1 {
        "in about a minute".to_owned()
    } else {
        format!("in about {minutes} minutes")
    }
}

/// Classifies an HTTP error answer from YouTube. `now` anchors the retry times.
pub fn map_error(
    op: YoutubeOperation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> PlatformError {
    let g = GoogleError::parse(body);
    let reason = g.reason().unwrap_or_default();
    let said = g.message.as_deref().map(|m| shorten(m, MAX_REASON_CHARS));
    let err = if status == 401 {
        PlatformError::new(
            ErrorKind::Auth,
            "token_invalid",
            "YouTube no longer accepts CreatorFlow's sign-in for this channel (it expired or \
             was revoked). Reconnect the channel if this keeps happening.",
        )
    } else if g.has_reason("quotaExceeded") || g.has_reason("dailyLimitExceeded") {
        let at = next_pacific_midnight(now);
        PlatformError::new(
            ErrorKind::RateLimited,
            "quota_exceeded",
            format!(
                "Your Google Cloud project has used up today's YouTube quota. It resets at \
                 midnight Pacific Time ({}); CreatorFlow will try again then. A project can ask \
                 Google for more quota in the Google Cloud console.",
                in_words(now, at)
            ),
        )
        .with_retry_at(at)
        .for_app()
    } else if g.has_reason("uploadLimitExceeded") {
        PlatformError::new(
            ErrorKind::RateLimited,
            "upload_limit_exceeded",
            "YouTube's limit on how many videos this channel may upload in 24 hours is reached. \
             CreatorFlow will try again in 24 hours.",
        )
        .with_retry_at(now + Duration::hours(24))
    } else if status == 429
        || g.has_reason("rateLimitExceeded")
        || g.has_reason("userRateLimitExceeded")
    {
        let at = retry_after(headers, now);
        let when = match at {
            Some(at) => format!("CreatorFlow will try again {}.", in_words(now, at)),
            None => "CreatorFlow will try again shortly.".to_owned(),
        };
        let err = PlatformError::new(
            ErrorKind::RateLimited,
            "rate_limited",
            format!("YouTube asked CreatorFlow to slow down. {when}"),
        );
        match at {
            Some(at) => err.with_retry_at(at),
            None => err,
        }
    } else if (g.has_reason("insufficientPermissions")
        || g.has_reason("ACCESS_TOKEN_SCOPE_INSUFFICIENT"))
        && op == YoutubeOperation::ReadMetrics
    {
        PlatformError::new(
            ErrorKind::Forbidden,
            "missing_permission",
            "YouTube did not give CreatorFlow permission to read this channel's videos. \
             Reconnect the channel to allow CreatorFlow to read how your videos are doing \
             (views, likes, comments) for Analytics.",
        )
    } else if g.has_reason("insufficientPermissions")
        || g.has_reason("ACCESS_TOKEN_SCOPE_INSUFFICIENT")
    {
        PlatformError::new(
            ErrorKind::Forbidden,
            "missing_permission",
            "YouTube did not give CreatorFlow permission to do this. Reconnect the channel and \
             allow everything CreatorFlow asks for.",
        )
    } else if status == 408 {
        PlatformError::new(
            ErrorKind::Timeout,
            "timeout",
            "YouTube did not answer in time. CreatorFlow will try again.",
        )
    } else if (500..=599).contains(&status) {
        PlatformError::new(
            ErrorKind::Server,
            "server_error",
            format!("YouTube is busy right now (error {status}). CreatorFlow will try again."),
        )
    } else if (400..=499).contains(&status) {
        rejected(op, status, reason, said.as_deref())
    } else {
        PlatformError::new(
            ErrorKind::Protocol,
            "unexpected_response",
            format!("YouTube sent an answer CreatorFlow did not expect (HTTP {status})."),
        )
    };
    err.with_status(status).with_detail(g.detail(status))
}

/// What YouTube refused, in words (§8.3).
fn rejected(op: YoutubeOperation, status: u16, reason: &str, said: Option<&str>) -> PlatformError {
    use YoutubeOperation as Op;
    let (code, message): (&str, String) = match (reason, op) {
        ("invalidTitle", _) => (
            "invalid_title",
            "YouTube refused the video's title: it must have 1 to 100 characters, without < or >."
                .into(),
        ),
        ("invalidDescription", _) => (
            "invalid_description",
            "YouTube refused the description: it may have at most 5,000 bytes, without < or >."
                .into(),
        ),
        ("invalidTags", _) => (
            "invalid_tags",
            "YouTube refused the tags: they may add up to 500 characters (a tag with a space \
             counts two more, for its quotes)."
                .into(),
        ),
        ("invalidCategoryId", _) => (
            "invalid_category",
            "YouTube refused the category: pick one of YouTube's categories a video can be \
             assigned to (People & Blogs fits most videos)."
                .into(),
        ),
        ("invalidPublishAt", _) => (
            "invalid_publish_at",
            "YouTube refused the scheduled publishing time of the video.".into(),
        ),
        ("invalidVideoMetadata", _) | ("parseError", _) => (
            "invalid_metadata",
            match said {
                Some(s) => format!("YouTube refused the video's details: {s}"),
                None => "YouTube refused the video's details.".into(),
            },
        ),
        ("mediaBodyRequired", Op::Thumbnail) => (
            "thumbnail_empty",
            "YouTube received an empty thumbnail.".into(),
        ),
        ("mediaBodyRequired", _) => (
            "media_empty",
            "YouTube received an empty video file.".into(),
        ),
        ("invalidImage", _) => (
            "thumbnail_invalid",
            "YouTube could not read the thumbnail picture. Use a JPEG or PNG.".into(),
        ),
        ("badContent", Op::Thumbnail) => (
            "thumbnail_unsupported",
            "YouTube takes only JPEG or PNG pictures as thumbnails.".into(),
        ),
        ("badContent", _) => (
            "media_unsupported",
            "YouTube does not take this kind of file as a video.".into(),
        ),
        ("uploadTooLarge", Op::Thumbnail) | ("", Op::Thumbnail) if status == 413 => (
            "thumbnail_too_large",
            "YouTube takes thumbnails up to 2 MB. Use a smaller picture.".into(),
        ),
        ("uploadTooLarge", _) => (
            "media_too_large",
            "The video is larger than YouTube takes (256 GB).".into(),
        ),
        ("forbidden", Op::Thumbnail) => (
            "thumbnail_not_allowed",
            "YouTube did not let CreatorFlow set a custom thumbnail: custom thumbnails need a \
             verified channel. Verify the channel at youtube.com/verify, then set the \
             thumbnail in YouTube Studio."
                .into(),
        ),
        ("forbidden", Op::UpdateVideo) => (
            "not_allowed",
            "YouTube does not let this channel change that video.".into(),
        ),
        ("forbidden", Op::DeleteVideo) => (
            "not_allowed",
            "YouTube does not let this channel delete that video.".into(),
        ),
        ("videoNotFound", _) => (
            "video_not_found",
            "YouTube cannot find this video (it may have been deleted on YouTube).".into(),
        ),
        ("youtubeSignupRequired", _) | ("channelNotFound", _) => (
            "no_channel",
            "This Google account has no YouTube channel yet. Create one on YouTube, then \
             connect again."
                .into(),
        ),
        _ => {
            let what = match op {
                Op::Channels => "YouTube refused to share this channel's details",
                Op::StartUpload | Op::UploadChunk => "YouTube refused the video",
                Op::Thumbnail => "YouTube refused the thumbnail",
                Op::ReadVideo => "YouTube refused to show the video",
                Op::ReadMetrics => "YouTube refused to share the video's numbers",
                Op::UpdateVideo => "YouTube refused the changes to the video",
                Op::DeleteVideo => "YouTube refused to delete the video",
            };
            let message = match said {
                Some(s) => format!("{what}: {s}"),
                None => format!("{what} (error {status})."),
            };
            return PlatformError::new(ErrorKind::Rejected, "rejected", message);
        }
    };
    PlatformError::new(ErrorKind::Rejected, code, message)
}

/// Google's messages carry HTML (`<a href=…>quota</a>`, `<code>id</code>`).
fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::errors::redact;
    use crate::types::LimitScope;
    use reqwest::header::HeaderValue;

    const INSERT: YoutubeOperation = YoutubeOperation::StartUpload;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn google(status: u16, reason: &str, message: &str) -> String {
        serde_json::json!({"error": {"code": status, "message": message,
            "errors": [{"message": message, "domain": "youtube.video", "reason": reason}]}})
        .to_string()
    }

    fn map(op: YoutubeOperation, status: u16, body: &str) -> PlatformError {
        map_error(
            op,
            status,
            &HeaderMap::new(),
            body.as_bytes(),
            at("2026-03-07T20:00:00Z"),
        )
    }

    #[test]
    fn pacific_midnight_follows_daylight_saving() {
        // Winter: PST is UTC-8.
        assert_eq!(
            next_pacific_midnight(at("2026-01-15T20:00:00Z")),
            at("2026-01-16T08:00:00Z")
        );
        // Summer: PDT is UTC-7.
        assert_eq!(
            next_pacific_midnight(at("2026-07-01T06:59:00Z")),
            at("2026-07-01T07:00:00Z")
        );
        // The day DST starts (8 March 2026): midnight is still PST.
        assert_eq!(
            next_pacific_midnight(at("2026-03-07T20:00:00Z")),
            at("2026-03-08T08:00:00Z")
        );
        // Just after midnight: the next one, a day later.
        assert_eq!(
            next_pacific_midnight(at("2026-01-16T08:00:01Z")),
            at("2026-01-17T08:00:00Z")
        );
    }

    #[test]
    fn quota_exceeded_waits_for_pacific_midnight() {
        let e = map(
            INSERT,
            403,
            r#"{"error":{"code":403,"message":"The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.","errors":[{"message":"x","domain":"youtube.quota","reason":"quotaExceeded"}]}}"#,
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.code, "quota_exceeded");
        assert_eq!(e.retry_at, Some(at("2026-03-08T08:00:00Z")));
        assert!(e.message.contains("today's YouTube quota"), "{}", e.message);
        assert!(
            e.message
                .contains("midnight Pacific Time (in about 12 hours)")
        );
        let detail = e.detail.expect("detail");
        assert!(detail.contains("quotaExceeded (youtube.quota)"), "{detail}");
        assert!(!detail.contains("<a href"), "{detail}");
    }

    #[test]
    fn upload_limit_is_a_day() {
        let e = map(
            INSERT,
            400,
            &google(
                400,
                "uploadLimitExceeded",
                "The user has exceeded the number of videos they may upload.",
            ),
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_at, Some(at("2026-03-08T20:00:00Z")));
        assert!(e.message.contains("24 hours"));
    }

    #[test]
    fn rate_limits_read_retry_after() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("120"));
        let e = map_error(
            INSERT,
            429,
            &h,
            google(429, "rateLimitExceeded", "Resource has been exhausted").as_bytes(),
            at("2026-03-07T20:00:00Z"),
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_at, Some(at("2026-03-07T20:02:00Z")));
        let e = map(
            INSERT,
            403,
            &google(403, "userRateLimitExceeded", "slow down"),
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_at, None);
    }

    #[test]
    fn auth_scope_and_server() {
        assert_eq!(
            map(
                INSERT,
                401,
                &google(401, "authError", "Invalid Credentials")
            )
            .kind,
            ErrorKind::Auth
        );
        let e = map(
            INSERT,
            403,
            &google(
                403,
                "insufficientPermissions",
                "Request had insufficient authentication scopes.",
            ),
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(e.message.contains("Reconnect"));
        assert!(!e.message.contains("Analytics"));
        let e = map(
            YoutubeOperation::ReadMetrics,
            403,
            &google(
                403,
                "insufficientPermissions",
                "Request had insufficient authentication scopes.",
            ),
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(
            e.message
                .contains("Reconnect the channel to allow CreatorFlow to read how your videos"),
            "{}",
            e.message
        );
        // A spent quota holds reads as it holds uploads: until Pacific midnight.
        let e = map(
            YoutubeOperation::ReadMetrics,
            403,
            &google(403, "quotaExceeded", "quota"),
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_at, Some(at("2026-03-08T08:00:00Z")));
        assert_eq!(e.limit_scope, LimitScope::App);
        for s in [500, 502, 503, 504] {
            let e = map(INSERT, s, "<html>oops</html>");
            assert_eq!(e.kind, ErrorKind::Server);
            assert!(e.is_transient());
        }
        assert_eq!(map(INSERT, 408, "").kind, ErrorKind::Timeout);
        assert_eq!(map(INSERT, 302, "").kind, ErrorKind::Protocol);
    }

    #[test]
    fn metadata_refusals_in_words() {
        let e = map(
            INSERT,
            400,
            &google(
                400,
                "invalidTitle",
                "The request metadata specifies an invalid or empty video title.",
            ),
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(e.code, "invalid_title");
        assert!(e.message.contains("100 characters"));
        let e = map(
            INSERT,
            400,
            &google(
                400,
                "invalidCategoryId",
                "The <code>snippet.categoryId</code> property specifies an invalid category ID.",
            ),
        );
        assert_eq!(e.code, "invalid_category");
        assert!(
            e.detail
                .expect("detail")
                .contains("snippet.categoryId property")
        );
        let e = map(
            YoutubeOperation::Thumbnail,
            403,
            &google(403, "forbidden", "nope"),
        );
        assert_eq!(e.code, "thumbnail_not_allowed");
        assert_eq!(e.kind, ErrorKind::Rejected);
        let e = map(
            YoutubeOperation::Thumbnail,
            413,
            &google(413, "uploadTooLarge", "Media larger than: 2097152"),
        );
        assert_eq!(e.code, "thumbnail_too_large");
        let e = map(
            YoutubeOperation::DeleteVideo,
            404,
            &google(404, "videoNotFound", "gone"),
        );
        assert_eq!(e.code, "video_not_found");
        let e = map(
            YoutubeOperation::UpdateVideo,
            400,
            &google(400, "somethingNew", "Some <b>odd</b> thing"),
        );
        assert_eq!(
            e.message,
            "YouTube refused the changes to the video: Some odd thing"
        );
        let e = map(INSERT, 400, "");
        assert_eq!(e.message, "YouTube refused the video (error 400).");
    }

    #[test]
    fn oauth_shaped_bodies_and_redaction() {
        let e = map(
            INSERT,
            400,
            r#"{"error":"invalid_token","error_description":"Token ya29.secret-value is bad"}"#,
        );
        assert!(
            e.detail
                .as_deref()
                .is_some_and(|d| d.contains("invalid_token"))
        );
        let e = redact(e, "ya29.secret-value");
        assert!(!e.detail.unwrap_or_default().contains("ya29.secret-value"));
    }
}
