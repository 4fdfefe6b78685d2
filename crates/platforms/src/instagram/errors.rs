//! Meta's Graph error answers, classified into [`PlatformError`]s
//! (docs/platforms/instagram.md §6).
//!
//! Graph answers `{"error":{"message","type","code","error_subcode",
//! "is_transient","error_user_title","error_user_msg","fbtrace_id"}}`,
//! mostly with HTTP 400 whatever the cause, so the code and subcode decide:
//! - 190 → [`ErrorKind::Auth`] (renewed once, then reconnect);
//! - 10 "Not enough viewers" → [`NOT_ENOUGH_VIEWERS`] (a story's insights);
//! - 10, 200–299 → [`ErrorKind::Forbidden`] (a permission is missing);
//! - 4 (the app's), 17, 32, 613 → rate limited, until `Retry-After` or the
//!   `estimated_time_to_regain_access` of `X-Business-Use-Case-Usage`;
//! - 100 "does not support the … metric" → [`METRIC_UNSUPPORTED`];
//! - 9 / 2207042 → the 24-hour publishing limit: waits for room;
//! - 9007 / 2207027 → the container is not ready yet ([`NOT_READY`]);
//! - `is_transient`, 1, 2, -1, -2, 5xx → tried again;
//! - anything else → refused, with Meta's own words for the creator.

use chrono::{DateTime, Duration, Utc};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::error::{ErrorKind, PlatformError};
use crate::support::errors::{
    MAX_DETAIL_CHARS, MAX_REASON_CHARS, json_body, retry_after, shorten, str_field,
};
use crate::support::request::{MapError, Operation};
use crate::types::Platform;

/// The code of an error that says the container is still being prepared.
pub const NOT_READY: &str = "media_not_ready";
/// The code of an error that says the publishing limit is reached.
pub const LIMIT_REACHED: &str = "publishing_limit";
/// The code of an error that refuses insights metrics for the kind of post
/// (the metrics are named in the detail, [`unsupported_metrics`]).
pub const METRIC_UNSUPPORTED: &str = "metric_unsupported";
/// The code of a story's insights refused for too few viewers (§11).
pub const NOT_ENOUGH_VIEWERS: &str = "not_enough_viewers";
/// The code of Graph's "Unsupported get request" (subcode 33): the object does
/// not exist, or this token cannot see it.
pub const OBJECT_GONE: &str = "meta_33";
/// The code of insights refused for a post made before the account became a
/// professional account (subcode 2108006).
pub const BEFORE_PROFESSIONAL: &str = "meta_2108006";

/// What CreatorFlow was doing when Meta answered: words the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstagramOperation {
    Profile,
    Accounts,
    Limit,
    CreateContainer,
    Status,
    Publish,
    Permalink,
    Upload,
    Delete,
    Insights,
}

impl InstagramOperation {
    fn refused(self) -> &'static str {
        match self {
            Self::Profile => "Instagram refused to share this account's profile",
            Self::Accounts => "Facebook refused to list your Pages",
            Self::Limit => "Instagram refused to say how many posts are left today",
            Self::CreateContainer => "Instagram refused the post",
            Self::Status => "Instagram refused to say how the post is doing",
            Self::Publish => "Instagram refused to publish the post",
            Self::Permalink => "Instagram refused to share the post's link",
            Self::Upload => "Instagram refused the video",
            Self::Delete => "Instagram refused to delete the post",
            Self::Insights => "Instagram refused to share this post's numbers",
        }
    }
}

impl Operation for InstagramOperation {
    const PLATFORM: Platform = Platform::Instagram;
    const MAP_ERROR: MapError<Self> = map_error;

    /// URLs stay out of errors: Graph calls may carry the token in the query.
    fn transport_error(e: reqwest::Error) -> PlatformError {
        PlatformError::from_transport(Self::PLATFORM.display_name(), &e.without_url())
    }
}

/// Graph's `error` object.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GraphError {
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    pub message: Option<String>,
    pub user_title: Option<String>,
    pub user_message: Option<String>,
    pub transient: bool,
    pub trace: Option<String>,
    /// A body that was not JSON, shortened.
    pub raw: Option<String>,
}

impl GraphError {
    pub fn parse(body: &[u8]) -> Self {
        match json_body(body) {
            // Meta's resumable upload answers `{"debug_info":{"retriable","type","message"}}`.
            Ok(json) if json.get("error").is_none() && json.get("debug_info").is_some() => {
                let d = &json["debug_info"];
                Self {
                    message: str_field(d.get("message")),
                    transient: d.get("retriable").and_then(Value::as_bool).unwrap_or(false),
                    ..Self::default()
                }
            }
            Ok(json) => Self::of(json.get("error").unwrap_or(&Value::Null)),
            Err(raw) => Self {
                raw,
                ..Self::default()
            },
        }
    }

    pub fn of(e: &Value) -> Self {
        Self {
            code: e.get("code").and_then(Value::as_i64),
            subcode: e.get("error_subcode").and_then(Value::as_i64),
            message: str_field(e.get("message")),
            user_title: str_field(e.get("error_user_title")),
            user_message: str_field(e.get("error_user_msg")),
            transient: e
                .get("is_transient")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            trace: str_field(e.get("fbtrace_id")),
            raw: None,
        }
    }

    /// What Meta says, best first: its words for people, then its message.
    pub fn reason(&self) -> Option<String> {
        self.user_message
            .clone()
            .or_else(|| self.message.clone())
            .or_else(|| self.raw.clone())
    }

    pub fn detail(&self, status: Option<u16>) -> String {
        let mut parts = Vec::new();
        if let Some(s) = status {
            parts.push(format!("HTTP {s}"));
        }
        if let Some(c) = self.code {
            parts.push(format!("code {c}"));
        }
        if let Some(s) = self.subcode {
            parts.push(format!("subcode {s}"));
        }
        if let Some(m) = &self.message {
            parts.push(m.clone());
        }
        if let Some(t) = &self.trace {
            parts.push(format!("fbtrace_id {t}"));
        }
        if let Some(r) = &self.raw {
            parts.push(r.clone());
        }
        shorten(&parts.join(" · "), MAX_DETAIL_CHARS)
    }
}

/// Words for the subcodes a creator can act on (§6.2).
fn subcode_words(subcode: i64) -> Option<&'static str> {
    Some(match subcode {
        2207052 => {
            "Instagram could not fetch the media from your media host. Check that its links \
             open for anyone (Settings → Media hosting → Test)."
        }
        2207003 => "Instagram took too long to download the media. CreatorFlow will try again.",
        2207004 => "The picture is larger than Instagram's 8 MB.",
        2207005 | 2207023 => "Instagram does not take this kind of file.",
        2207009 => {
            "The picture's shape is outside Instagram's 4:5 to 1.91:1. Crop it, or post it as a \
             story."
        }
        2207010 => "The caption is too long or has too many hashtags.",
        2207026 => "Instagram could not read the video (use MP4 with H.264 and AAC).",
        2207008 | 2207020 => {
            "Instagram let the prepared post expire before it was published. Publish it again."
        }
        2207051 => "Instagram restricted this post as possible spam; it will not retry.",
        2207050 => "Instagram has restricted this account from publishing for now.",
        2207042 => "The account reached Instagram's limit of posts in 24 hours.",
        2207027 => "Instagram is still preparing the media.",
        33 => "Instagram no longer has this post, or this account can no longer see it.",
        2108006 => {
            "Instagram keeps no numbers for posts made before the account became a \
             professional account."
        }
        _ => return None,
    })
}

/// Classifies an error answer (any status) of `op`.
pub fn map_error(
    op: InstagramOperation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> PlatformError {
    let g = GraphError::parse(body);
    classify(op, &g, Some(status), headers, now)
}

/// Classifies Graph's error object, from an answer or from a container's
/// `status` text.
pub fn classify(
    op: InstagramOperation,
    g: &GraphError,
    status: Option<u16>,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> PlatformError {
    let refused = op.refused();
    let said = g
        .reason()
        .map(|r| shorten(&r, MAX_REASON_CHARS))
        .unwrap_or_else(|| "no reason given".to_owned());
    let (kind, code, message) = match (g.code, g.subcode) {
        (Some(190), _) => (
            ErrorKind::Auth,
            "token_refused",
            format!("{refused}: the sign-in expired or was removed ({said})."),
        ),
        (Some(10), _)
            if g.message
                .as_deref()
                .is_some_and(|m| m.contains("Not enough viewers")) =>
        {
            (
                ErrorKind::Rejected,
                NOT_ENOUGH_VIEWERS,
                "Instagram shows a story's numbers once enough people have seen it.".to_owned(),
            )
        }
        (Some(10), _) | (Some(200..=299), _) if op == InstagramOperation::Insights => (
            ErrorKind::Forbidden,
            "missing_permission",
            format!(
                "Instagram did not let CreatorFlow read this post's numbers ({said}). Reconnect \
                 the account to allow CreatorFlow to read how your posts are doing (views, \
                 reach, likes, comments, saves and shares)."
            ),
        ),
        (Some(10), _) | (Some(200..=299), _) => (
            ErrorKind::Forbidden,
            "missing_permission",
            format!(
                "{refused}: CreatorFlow lacks a permission ({said}). Reconnect the account and \
                 allow everything CreatorFlow asks for."
            ),
        ),
        (_, Some(2207042)) | (Some(9), _) => {
            let e = PlatformError::new(
                ErrorKind::RateLimited,
                LIMIT_REACHED,
                "The account reached Instagram's limit of posts in 24 hours; CreatorFlow \
                 publishes this when there is room.",
            )
            .with_detail(g.detail(status));
            let at = retry_after(headers, now).unwrap_or(now + Duration::hours(1));
            return with_status(e.with_retry_at(at), status);
        }
        (Some(code @ (4 | 17 | 32 | 613)), _) => {
            let e = PlatformError::new(
                ErrorKind::RateLimited,
                "rate_limited",
                "Instagram asked CreatorFlow to slow down; it will try again later.",
            )
            .with_detail(g.detail(status));
            let at = retry_after(headers, now)
                .or_else(|| regain_at(headers, now))
                .unwrap_or(now + Duration::minutes(15));
            let e = e.with_retry_at(at);
            // Code 4 is the app's limit: every account of the app waits.
            let e = if code == 4 { e.for_app() } else { e };
            return with_status(e, status);
        }
        (Some(100), _)
            if !g
                .message
                .as_deref()
                .map(unsupported_metrics)
                .unwrap_or_default()
                .is_empty() =>
        {
            (
                ErrorKind::Rejected,
                METRIC_UNSUPPORTED,
                format!("{refused}: {said}"),
            )
        }
        (_, Some(2207027)) | (Some(9007), _) => (
            ErrorKind::Server,
            NOT_READY,
            "Instagram is still preparing the media. CreatorFlow will try again.".to_owned(),
        ),
        (_, Some(2207003 | 2207001 | 2207032 | 2207053)) => (
            ErrorKind::Server,
            "meta_transient",
            format!(
                "{refused} for now ({}). CreatorFlow will try again.",
                subcode_words(g.subcode.unwrap_or(0)).unwrap_or(&said)
            ),
        ),
        _ if status.is_some_and(|s| s >= 500)
            || g.transient
            || matches!(g.code, Some(1 | 2 | -1 | -2)) =>
        {
            (
                ErrorKind::Server,
                "meta_unavailable",
                format!("{refused} for now ({said}). CreatorFlow will try again."),
            )
        }
        (code, sub) => {
            let words = sub.and_then(subcode_words).map(str::to_owned);
            let code_name = match (code, sub) {
                (_, Some(s)) => format!("meta_{s}"),
                (Some(c), None) => format!("meta_code_{c}"),
                _ => "meta_refused".to_owned(),
            };
            let message = match words {
                Some(w) => format!("{refused}: {w}"),
                None => format!("{refused}: {said}"),
            };
            let e = PlatformError::new(ErrorKind::Rejected, code_name, message)
                .with_detail(g.detail(status));
            return with_status(e, status);
        }
    };
    with_status(
        PlatformError::new(kind, code, message).with_detail(g.detail(status)),
        status,
    )
}

/// The metrics a refusal names: Graph's "(#100) The Media Insights API does
/// not support the impressions, replies metric for this media product type."
/// gives `["impressions", "replies"]`. Empty for any other text.
pub(crate) fn unsupported_metrics(text: &str) -> Vec<String> {
    const START: &str = "does not support the ";
    let Some(at) = text.find(START) else {
        return Vec::new();
    };
    let rest = &text[at + START.len()..];
    let Some(end) = rest.find(" metric") else {
        return Vec::new();
    };
    rest[..end]
        .split([',', ' '])
        .map(str::trim)
        .filter(|m| !m.is_empty() && *m != "and")
        .filter(|m| m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// When Meta's business-use-case throttling ends: the largest
/// `estimated_time_to_regain_access` (minutes) of `X-Business-Use-Case-Usage`
/// (`{"<id>":[{"type":"instagram","call_count":100,…,
/// "estimated_time_to_regain_access":19}]}`); `None` when it says nothing.
pub(crate) fn regain_at(headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let raw = headers.get("x-business-use-case-usage")?.to_str().ok()?;
    let v: Value = serde_json::from_str(raw).ok()?;
    let minutes = v
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|u| u.get("estimated_time_to_regain_access"))
        .filter_map(Value::as_i64)
        .max()
        .filter(|m| *m > 0)?;
    Some(now + Duration::minutes(minutes))
}

fn with_status(e: PlatformError, status: Option<u16>) -> PlatformError {
    match status {
        Some(s) => e.with_status(s),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(status: u16, body: &str) -> PlatformError {
        map_error(
            InstagramOperation::Publish,
            status,
            &HeaderMap::new(),
            body.as_bytes(),
            Utc::now(),
        )
    }

    #[test]
    fn graph_codes_decide() {
        let e = map(
            400,
            r#"{"error":{"message":"Error validating access token","type":"OAuthException","code":190,"error_subcode":463}}"#,
        );
        assert_eq!(e.kind, ErrorKind::Auth);
        let e = map(
            403,
            r#"{"error":{"message":"(#10) Application does not have permission for this action","code":10}}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        let e = map(
            400,
            r#"{"error":{"message":"You reached maximum number of posts","code":9,"error_subcode":2207042}}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::RateLimited, LIMIT_REACHED)
        );
        assert!(e.retry_at.is_some());
        let e = map(
            400,
            r#"{"error":{"message":"Media ID is not available","code":9007,"error_subcode":2207027}}"#,
        );
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::Server, NOT_READY));
        let e = map(
            400,
            r#"{"error":{"message":"Media download has failed.","code":9004,"error_subcode":2207052,"error_user_msg":"The media could not be fetched from this URI: http://10.0.0.5/a.jpg","fbtrace_id":"Ab"}}"#,
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert!(e.message.contains("media host"), "{}", e.message);
        assert!(e.detail.as_deref().unwrap_or("").contains("2207052"));
        let e = map(500, "<html>oops</html>");
        assert!(e.is_transient());
        let e = map(
            400,
            r#"{"error":{"message":"An unknown error occurred","code":1,"is_transient":true}}"#,
        );
        assert!(e.is_transient());
        let e = map(
            400,
            r#"{"error":{"message":"Invalid parameter","code":100,"error_user_msg":"The aspect ratio is not supported."}}"#,
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert!(e.message.contains("aspect ratio"), "{}", e.message);
    }

    fn insights(status: u16, headers: &HeaderMap, body: &str) -> PlatformError {
        map_error(
            InstagramOperation::Insights,
            status,
            headers,
            body.as_bytes(),
            Utc::now(),
        )
    }

    #[test]
    fn insights_refusals() {
        let none = HeaderMap::new();
        let e = insights(
            400,
            &none,
            r#"{"error":{"message":"(#100) The Media Insights API does not support the impressions, replies metric for this media product type.","type":"OAuthException","code":100,"fbtrace_id":"AyMK"}}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Rejected, METRIC_UNSUPPORTED)
        );
        assert_eq!(
            unsupported_metrics(e.detail.as_deref().unwrap_or("")),
            ["impressions", "replies"]
        );
        assert!(unsupported_metrics("(#100) Invalid parameter").is_empty());
        let e = insights(
            400,
            &none,
            r#"{"error":{"message":"(#10) Not enough viewers for the media to show insights","type":"OAuthException","code":10}}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Rejected, NOT_ENOUGH_VIEWERS)
        );
        let e = insights(
            400,
            &none,
            r#"{"error":{"message":"(#10) Application does not have permission for this action","type":"OAuthException","code":10}}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(
            e.message.contains("Reconnect the account to allow"),
            "{}",
            e.message
        );
        let e = insights(
            400,
            &none,
            r#"{"error":{"message":"Unsupported get request. Object with ID '1' does not exist, cannot be loaded due to missing permissions, or does not support this operation.","type":"GraphMethodException","code":100,"error_subcode":33}}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Rejected, OBJECT_GONE)
        );
        let e = insights(
            400,
            &none,
            r#"{"error":{"message":"Media Posted Before Business Account Conversion","code":100,"error_subcode":2108006}}"#,
        );
        assert_eq!(e.code, BEFORE_PROFESSIONAL);
    }

    #[test]
    fn rate_limits_wait_as_meta_says_and_code_4_is_the_apps() {
        use crate::types::LimitScope;
        let now = Utc::now();
        let mut h = HeaderMap::new();
        h.insert(
            "x-business-use-case-usage",
            reqwest::header::HeaderValue::from_static(
                r#"{"17841400000000001":[{"type":"instagram","call_count":100,"total_cputime":3,"total_time":4,"estimated_time_to_regain_access":42}]}"#,
            ),
        );
        let body = r#"{"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","code":613,"is_transient":true}}"#;
        let e = map_error(InstagramOperation::Insights, 400, &h, body.as_bytes(), now);
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_at, Some(now + Duration::minutes(42)));
        assert_eq!(e.limit_scope, LimitScope::Account);
        let body = r#"{"error":{"message":"(#4) Application request limit reached","code":4}}"#;
        let e = map_error(
            InstagramOperation::Insights,
            400,
            &HeaderMap::new(),
            body.as_bytes(),
            now,
        );
        assert_eq!(e.retry_at, Some(now + Duration::minutes(15)));
        assert_eq!(e.limit_scope, LimitScope::App);
    }
}
