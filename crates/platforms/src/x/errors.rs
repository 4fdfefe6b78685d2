//! X's error answers, classified into [`PlatformError`]s.
//!
//! X speaks three error dialects (docs/platforms/x.md §1.5, §6.2, §6.3):
//! - v2 problem JSON: `{"title","detail","type","status"}`, sometimes with an
//!   `errors: [{"message", "parameters"}]` array;
//! - the v1.1 array: `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`;
//! - OAuth: `{"error":"invalid_request","error_description":"..."}`.
//!
//! All three are read; anything else becomes the (shortened) raw text.

use chrono::{DateTime, Datelike as _, TimeZone as _, Utc};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::error::{ErrorKind, PlatformError};
use crate::support::errors::{
    MAX_DETAIL_CHARS, MAX_REASON_CHARS, json_body, retry_after, shorten, str_field,
};
use crate::support::request::{MapError, Operation};
use crate::types::{LimitReading, LimitScope, Platform};

/// What CreatorFlow was doing when X answered: words the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XOperation {
    /// `GET /2/users/me`.
    Profile,
    /// A media upload step; `what` is "image", "GIF" or "video".
    UploadMedia { what: &'static str },
    /// `POST /2/tweets`; `reply` when it continues a thread.
    CreatePost { reply: bool },
    /// `DELETE /2/tweets/{id}`.
    DeletePost,
    /// `GET /2/tweets/{id}`: a post's numbers.
    ReadPost,
    /// `POST /2/oauth2/revoke`.
    Revoke,
}

impl Operation for XOperation {
    const PLATFORM: Platform = Platform::X;
    const MAP_ERROR: MapError<Self> = map_error;
}

/// X's error body, whichever dialect it came in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct XErrorBody {
    pub title: Option<String>,
    pub detail: Option<String>,
    /// Problem `type` URI, e.g. `https://api.x.com/2/problems/usage-capped`.
    pub problem_type: Option<String>,
    /// `errors[].message` (or `.detail`), v1.1 and v2 alike.
    pub messages: Vec<String>,
    /// OAuth `error` code.
    pub oauth_error: Option<String>,
    pub oauth_description: Option<String>,
    /// A body that was not JSON, shortened.
    pub raw: Option<String>,
}

impl XErrorBody {
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
        let messages = json
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| {
                        str_field(e.get("message")).or_else(|| str_field(e.get("detail")))
                    })
                    .collect()
            })
            .unwrap_or_default();
        // OAuth errors put a string in `error`; v2 never does.
        let oauth_error = str_field(json.get("error"));
        Self {
            title: str_field(json.get("title")),
            detail: str_field(json.get("detail")),
            problem_type: str_field(json.get("type")),
            messages,
            oauth_description: str_field(json.get("error_description")),
            oauth_error,
            raw: None,
        }
    }

    /// X's most specific words about what went wrong.
    pub fn reason(&self) -> Option<String> {
        if !self.messages.is_empty() {
            return Some(self.messages.join("; "));
        }
        self.detail
            .clone()
            .or_else(|| self.oauth_description.clone())
            .or_else(|| self.title.clone())
            .or_else(|| self.oauth_error.clone())
            .or_else(|| self.raw.clone())
    }

    /// Everything X said, for the details line.
    pub fn full_text(&self) -> Option<String> {
        let mut parts: Vec<&str> = Vec::new();
        for p in [
            &self.title,
            &self.detail,
            &self.oauth_error,
            &self.oauth_description,
        ]
        .into_iter()
        .flatten()
        {
            if !parts.contains(&p.as_str()) {
                parts.push(p);
            }
        }
        parts.extend(self.messages.iter().map(String::as_str));
        if let Some(raw) = &self.raw {
            parts.push(raw);
        }
        (!parts.is_empty()).then(|| shorten(&parts.join(" — "), MAX_DETAIL_CHARS))
    }

    fn haystack(&self) -> String {
        let mut all = self.full_text().unwrap_or_default();
        if let Some(t) = &self.problem_type {
            all.push(' ');
            all.push_str(t);
        }
        all.to_lowercase()
    }
}

/// Classifies an HTTP error answer from X. `now` anchors `Retry-After`.
pub fn map_error(
    op: XOperation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> PlatformError {
    let parsed = XErrorBody::parse(body);
    let text = parsed.haystack();
    let reason = parsed.reason().map(|r| shorten(&r, MAX_REASON_CHARS));
    let detail = parsed.full_text();

    let is_duplicate = text.contains("duplicate");
    let is_scope = text.contains("scope")
        || text.contains("client-forbidden")
        || text.contains("not-authorized-for")
        || text.contains("unsupported-authentication")
        || text.contains("oauth2 user context");
    let is_reply_target = text.contains("reply to a tweet")
        || text.contains("reply to a post")
        || text.contains("in_reply_to_tweet_id");

    let err = match status {
        401 => PlatformError::new(
            ErrorKind::Auth,
            "token_invalid",
            "X no longer accepts CreatorFlow's sign-in for this account (it expired or was \
             revoked). Reconnect the account if this keeps happening.",
        ),
        400 if matches!(
            parsed.oauth_error.as_deref(),
            Some("invalid_client" | "unauthorized_client" | "invalid_token")
        ) =>
        {
            PlatformError::new(
                ErrorKind::Auth,
                "client_rejected",
                "X did not accept CreatorFlow's app credentials. Check the X client ID in Settings.",
            )
        }
        403 | 400 | 409 | 422 if is_duplicate => PlatformError::new(
            ErrorKind::Duplicate,
            "duplicate_content",
            "X says this post is a duplicate of one you already published.",
        ),
        403 if is_reply_target => reply_target_missing(),
        404 if matches!(op, XOperation::CreatePost { reply: true }) => reply_target_missing(),
        403 if is_scope => PlatformError::new(
            ErrorKind::Forbidden,
            "missing_permission",
            "X did not give CreatorFlow permission to do this. Reconnect the account and allow \
             everything CreatorFlow asks for.",
        ),
        403 if op == XOperation::DeletePost => PlatformError::new(
            ErrorKind::Forbidden,
            "not_allowed",
            "X does not allow this account to delete that post.",
        ),
        400 | 403 | 404 | 409 | 413 | 415 | 422 => rejected(op, status, reason.as_deref()),
        408 => PlatformError::new(
            ErrorKind::Timeout,
            "timeout",
            "X did not answer in time. CreatorFlow will try again.",
        ),
        429 => rate_limited(op, &text, headers, now),
        500..=599 => PlatformError::new(
            ErrorKind::Server,
            "server_error",
            format!("X is busy right now (error {status}). CreatorFlow will try again."),
        ),
        _ => PlatformError::new(
            ErrorKind::Protocol,
            "unexpected_response",
            format!("X sent an answer CreatorFlow did not expect (HTTP {status})."),
        ),
    };
    let err = err.with_status(status);
    match detail {
        Some(d) => err.with_detail(d),
        None => err,
    }
}

fn reply_target_missing() -> PlatformError {
    PlatformError::new(
        ErrorKind::Rejected,
        "reply_target_missing",
        "X could not find the earlier part of this thread (it may have been deleted), so it \
         refused the reply.",
    )
}

fn rejected(op: XOperation, status: u16, reason: Option<&str>) -> PlatformError {
    let (code, what) = match op {
        XOperation::Profile => ("rejected", "X refused to share this account's profile"),
        XOperation::UploadMedia { what } => {
            let code = "media_rejected";
            let msg = match reason {
                Some(r) => format!("X rejected the {what}: {r}"),
                None => format!("X rejected the {what} (error {status})."),
            };
            return PlatformError::new(ErrorKind::Rejected, code, msg);
        }
        XOperation::CreatePost { .. } => ("rejected", "X rejected the post"),
        XOperation::DeletePost => ("rejected", "X refused to delete the post"),
        XOperation::ReadPost => ("rejected", "X refused to share the post's numbers"),
        XOperation::Revoke => ("rejected", "X refused to disconnect CreatorFlow"),
    };
    let message = match reason {
        Some(r) => format!("{what}: {r}"),
        None => format!("{what} (error {status})."),
    };
    PlatformError::new(ErrorKind::Rejected, code, message)
}

fn rate_limited(
    op: XOperation,
    text: &str,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> PlatformError {
    let capped = text.contains("usage-capped") || text.contains("usage cap");
    if capped && op == XOperation::ReadPost {
        return read_allowance_used_up(now);
    }
    let retry_at = retry_at(headers, now);
    let (code, what) = if capped {
        (
            "usage_capped",
            "X's usage cap for CreatorFlow's X app is reached.",
        )
    } else {
        (
            "rate_limited",
            "X's limit for this account is reached for now.",
        )
    };
    let when = match retry_at {
        Some(at) => {
            let minutes = (at - now).num_seconds().max(0).unsigned_abs().div_ceil(60);
            match minutes {
                0 | 1 => "CreatorFlow will try again in about a minute.".to_owned(),
                m => format!("CreatorFlow will try again in about {m} minutes."),
            }
        }
        None => "CreatorFlow will try again later.".to_owned(),
    };
    let err = PlatformError::new(ErrorKind::RateLimited, code, format!("{what} {when}"));
    let err = if capped { err.for_app() } else { err };
    match retry_at {
        Some(at) => err.with_retry_at(at),
        None => err,
    }
}

/// The app's monthly allowance of posts read is used up (docs/platforms/x.md
/// §9.4). X's `x-rate-limit-*` headers on that answer describe the endpoint's
/// 15-minute window, not the allowance: it renews with the calendar month
/// (UTC), so reads of every account wait until then.
fn read_allowance_used_up(now: DateTime<Utc>) -> PlatformError {
    let renews = next_month_start(now);
    PlatformError::new(
        ErrorKind::RateLimited,
        "usage_capped",
        format!(
            "X's monthly allowance of posts CreatorFlow's X app may read is used up. CreatorFlow \
             reads posts' numbers again when it renews on {} (UTC).",
            renews.format("%-d %B")
        ),
    )
    .for_app()
    .with_retry_at(renews)
}

/// The first instant of the UTC calendar month after the one of `now`.
fn next_month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let (year, month) = match now.month() {
        12 => (now.year() + 1, 1),
        m => (now.year(), m + 1),
    };
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .unwrap_or(now)
}

/// When X says to come back: the latest of `x-rate-limit-reset` (epoch
/// seconds), an exhausted `x-user-limit-24hour-reset`, and `Retry-After`
/// (seconds or an HTTP date).
pub fn retry_at(headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let header = |name: &str| header(headers, name);
    let mut candidates = Vec::new();
    candidates.extend(header("x-rate-limit-reset").and_then(epoch));
    if header("x-user-limit-24hour-remaining") == Some("0") {
        candidates.extend(header("x-user-limit-24hour-reset").and_then(epoch));
    }
    candidates.extend(retry_after(headers, now));
    candidates.into_iter().max()
}

/// A header's value, trimmed.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// An instant given in epoch seconds.
fn epoch(secs: &str) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(secs.parse().ok()?, 0).single()
}

/// What an answer to `POST /2/tweets` says about X's post limits: the
/// per-account 15-minute window (`x-rate-limit-*`, which on this endpoint
/// counts posts) and, where X sends them, the 24-hour per-account and
/// per-app caps (`x-user-limit-24hour-*`, `x-app-limit-24hour-*`).
pub fn limit_readings(headers: &HeaderMap) -> Vec<LimitReading> {
    let header = |name: String| header(headers, &name);
    let reading = |prefix: &str, id: &str, label: &str, scope: LimitScope| {
        let limit = header(format!("{prefix}-limit"))?.parse::<u64>().ok()?;
        let remaining = header(format!("{prefix}-remaining"))?.parse::<u32>().ok()?;
        // Epoch seconds, rounded down by X: the window ends within the
        // next second.
        let resets_at = epoch(header(format!("{prefix}-reset"))?)? + chrono::Duration::seconds(1);
        let posts = if limit == 1 { "post" } else { "posts" };
        Some(LimitReading {
            id: id.to_owned(),
            label: format!("X's limit of {limit} {posts} {label}"),
            scope,
            remaining,
            resets_at,
        })
    };
    [
        reading(
            "x-rate-limit",
            "posts_window",
            "per account in its current window",
            LimitScope::Account,
        ),
        reading(
            "x-user-limit-24hour",
            "posts_24h_user",
            "per account in 24 hours",
            LimitScope::Account,
        ),
        reading(
            "x-app-limit-24hour",
            "posts_24h_app",
            "in 24 hours for CreatorFlow's X app",
            LimitScope::App,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::errors::redact;
    use reqwest::header::{HeaderName, HeaderValue};

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000, 0).single().expect("time")
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    fn map(op: XOperation, status: u16, body: &str) -> PlatformError {
        map_error(op, status, &HeaderMap::new(), body.as_bytes(), now())
    }

    #[test]
    fn answers_say_where_each_post_limit_stands() {
        let r = limit_readings(&headers(&[
            ("x-rate-limit-limit", "100"),
            ("x-rate-limit-remaining", "7"),
            ("x-rate-limit-reset", "1700000900"),
            ("x-app-limit-24hour-limit", "1"),
            ("x-app-limit-24hour-remaining", "0"),
            ("x-app-limit-24hour-reset", "1700086400"),
        ]));
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(
            (r[0].scope, r[0].remaining, r[0].resets_at.timestamp()),
            (LimitScope::Account, 7, 1_700_000_901),
            "the reset is whole seconds: the window ends within the next"
        );
        assert_eq!(
            r[0].label,
            "X's limit of 100 posts per account in its current window"
        );
        assert_eq!((r[1].scope, r[1].remaining), (LimitScope::App, 0));
        assert_eq!(
            r[1].label,
            "X's limit of 1 post in 24 hours for CreatorFlow's X app"
        );
        assert!(limit_readings(&headers(&[("x-rate-limit-limit", "100")])).is_empty());
    }

    const CREATE: XOperation = XOperation::CreatePost { reply: false };
    const REPLY: XOperation = XOperation::CreatePost { reply: true };

    #[test]
    fn unauthorized_is_auth() {
        let e = map(
            CREATE,
            401,
            r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.status, Some(401));
        assert!(e.message.contains("X"));
        assert_eq!(e.detail.as_deref(), Some("Unauthorized"));
    }

    #[test]
    fn duplicate_in_problem_json() {
        let e = map(
            CREATE,
            403,
            r#"{"title":"Forbidden","detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","status":403}"#,
        );
        assert_eq!(e.kind, ErrorKind::Duplicate);
        assert_eq!(e.code, "duplicate_content");
        assert_eq!(
            e.message,
            "X says this post is a duplicate of one you already published."
        );
        assert!(
            e.detail
                .as_deref()
                .is_some_and(|d| d.contains("duplicate content"))
        );
    }

    #[test]
    fn duplicate_in_v1_errors_array() {
        let e = map(
            CREATE,
            403,
            r#"{"errors":[{"code":187,"message":"Status is a duplicate."}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::Duplicate);
    }

    #[test]
    fn missing_scope_is_forbidden() {
        let e = map(
            XOperation::UploadMedia { what: "image" },
            403,
            r#"{"title":"Forbidden","detail":"Missing required OAuth 2.0 scopes: media.write.","type":"about:blank","status":403}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert_eq!(e.code, "missing_permission");
        let e = map(
            CREATE,
            403,
            r#"{"title":"Client Forbidden","detail":"This request must be made using an approved developer account","type":"https://api.x.com/2/problems/client-forbidden","reason":"client-not-enrolled"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
    }

    #[test]
    fn other_403_is_rejected_with_xs_words() {
        let e = map(
            CREATE,
            403,
            r#"{"title":"Forbidden","detail":"You are not permitted to perform this action.","type":"about:blank","status":403}"#,
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(
            e.message,
            "X rejected the post: You are not permitted to perform this action."
        );
    }

    #[test]
    fn reply_target_gone() {
        let e = map(
            REPLY,
            403,
            r#"{"title":"Forbidden","detail":"You attempted to reply to a Tweet that is deleted or not visible to you.","type":"about:blank","status":403}"#,
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(e.code, "reply_target_missing");
        let e = map(
            REPLY,
            404,
            r#"{"title":"Not Found Error","detail":"Could not find tweet with in_reply_to_tweet_id: [1].","type":"https://api.x.com/2/problems/resource-not-found","resource_type":"tweet"}"#,
        );
        assert_eq!(e.code, "reply_target_missing");
        assert!(!e.is_transient());
    }

    #[test]
    fn bad_request_prefers_the_errors_array() {
        let e = map(
            CREATE,
            400,
            r#"{"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.x.com/2/problems/invalid-request","status":400,"errors":[{"parameters":{},"message":"$.text: Post text is too long (weighted length 300 > 280)"}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(
            e.message,
            "X rejected the post: $.text: Post text is too long (weighted length 300 > 280)"
        );
        let detail = e.detail.expect("detail");
        assert!(detail.contains("One or more parameters"));
        assert!(detail.contains("weighted length 300"));
    }

    #[test]
    fn media_rejection_names_the_media() {
        let e = map(
            XOperation::UploadMedia { what: "image" },
            400,
            r#"{"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.x.com/2/problems/invalid-request","errors":[{"message":"$.media: file size exceeds the maximum of 5242880 bytes"}]}"#,
        );
        assert_eq!(e.code, "media_rejected");
        assert_eq!(
            e.message,
            "X rejected the image: $.media: file size exceeds the maximum of 5242880 bytes"
        );
    }

    #[test]
    fn rate_limit_from_reset_header() {
        let h = headers(&[
            ("x-rate-limit-limit", "100"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", "1700000600"),
        ]);
        let e = map_error(
            CREATE,
            429,
            &h,
            br#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#,
            now(),
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_at, Utc.timestamp_opt(1_700_000_600, 0).single());
        assert!(e.message.contains("10 minutes"), "{}", e.message);
        assert_eq!(
            e.retry_after(now()),
            Some(std::time::Duration::from_secs(600))
        );
    }

    #[test]
    fn rate_limit_from_retry_after_and_v1_body() {
        let h = headers(&[("retry-after", "120")]);
        let e = map_error(
            CREATE,
            429,
            &h,
            br#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#,
            now(),
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_at, Some(now() + chrono::Duration::seconds(120)));
        assert_eq!(e.detail.as_deref(), Some("Rate limit exceeded"));
        let h = headers(&[("retry-after", "Tue, 14 Nov 2023 22:23:20 GMT")]);
        let e = map_error(CREATE, 429, &h, b"", now());
        assert_eq!(e.retry_at, Utc.timestamp_opt(1_700_000_600, 0).single());
        // No header at all: still rate limited, no time.
        let e = map_error(CREATE, 429, &HeaderMap::new(), b"", now());
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_at, None);
    }

    #[test]
    fn daily_cap_header_wins_when_exhausted() {
        let h = headers(&[
            ("x-rate-limit-reset", "1700000060"),
            ("x-user-limit-24hour-remaining", "0"),
            ("x-user-limit-24hour-reset", "1700050000"),
        ]);
        let e = map_error(CREATE, 429, &h, b"{}", now());
        assert_eq!(e.retry_at, Utc.timestamp_opt(1_700_050_000, 0).single());
    }

    #[test]
    fn usage_capped() {
        let e = map(
            CREATE,
            429,
            r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped","status":429}"#,
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.code, "usage_capped");
    }

    /// X's answer when the app's monthly allowance is used up, as observed
    /// (xdevplatform/xdk#25): no `status` field, the `api.twitter.com` type,
    /// and the endpoint's 15-minute window in the headers.
    const CAPPED: &str = r#"{"account_id":"1","product_name":"standard-basic","title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}"#;

    #[test]
    fn a_read_past_the_monthly_allowance_waits_for_the_next_month() {
        let h = headers(&[
            ("x-rate-limit-limit", "900"),
            ("x-rate-limit-remaining", "899"),
            ("x-rate-limit-reset", "1700000900"),
        ]);
        // now() is 14 November 2023, 22:13:20 UTC.
        let e = map_error(XOperation::ReadPost, 429, &h, CAPPED.as_bytes(), now());
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.code, "usage_capped");
        assert_eq!(e.limit_scope, LimitScope::App);
        assert_eq!(
            e.retry_at,
            Utc.with_ymd_and_hms(2023, 12, 1, 0, 0, 0).single(),
            "the 15-minute reset is not when the allowance renews"
        );
        assert!(e.message.contains("1 December"), "{}", e.message);
        assert!(
            e.detail
                .as_deref()
                .is_some_and(|d| d.contains("Monthly product cap"))
        );
        // An ordinary 429 on the same read is the account's window.
        let e = map_error(
            XOperation::ReadPost,
            429,
            &h,
            br#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#,
            now(),
        );
        assert_eq!(
            (e.code.as_str(), e.limit_scope),
            ("rate_limited", LimitScope::Account)
        );
        assert_eq!(e.retry_at, Utc.timestamp_opt(1_700_000_900, 0).single());
    }

    #[test]
    fn months_roll_over_the_year() {
        let at = |y, mo, d, h| {
            Utc.with_ymd_and_hms(y, mo, d, h, 0, 0)
                .single()
                .expect("time")
        };
        assert_eq!(next_month_start(at(2026, 12, 31, 23)), at(2027, 1, 1, 0));
        assert_eq!(next_month_start(at(2027, 1, 1, 0)), at(2027, 2, 1, 0));
        assert_eq!(next_month_start(at(2028, 2, 29, 12)), at(2028, 3, 1, 0));
    }

    #[test]
    fn a_read_refused_for_a_missing_permission_is_forbidden() {
        let e = map(
            XOperation::ReadPost,
            403,
            r#"{"title":"Forbidden","detail":"Missing required OAuth 2.0 scopes: tweet.read.","type":"about:blank","status":403}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        let e = map(XOperation::ReadPost, 400, "");
        assert_eq!(
            e.message,
            "X refused to share the post's numbers (error 400)."
        );
    }

    #[test]
    fn server_errors_are_transient() {
        for status in [500, 502, 503, 504] {
            let e = map(CREATE, status, "<html>Service Unavailable</html>");
            assert_eq!(e.kind, ErrorKind::Server);
            assert!(e.is_transient());
            assert_eq!(
                e.message,
                format!("X is busy right now (error {status}). CreatorFlow will try again.")
            );
            assert_eq!(
                e.detail.as_deref(),
                Some("<html>Service Unavailable</html>")
            );
        }
    }

    #[test]
    fn oauth_shapes() {
        let e = map(
            XOperation::Revoke,
            401,
            r#"{"error":"unauthorized_client","error_description":"Missing valid authorization header"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Auth);
        let e = map(
            XOperation::Revoke,
            400,
            r#"{"error":"invalid_request","error_description":"Value passed for the token was invalid."}"#,
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(
            e.message,
            "X refused to disconnect CreatorFlow: Value passed for the token was invalid."
        );
    }

    #[test]
    fn odd_statuses_and_empty_bodies() {
        let e = map(CREATE, 302, "");
        assert_eq!(e.kind, ErrorKind::Protocol);
        assert_eq!(e.detail, None);
        let e = map(CREATE, 400, "");
        assert_eq!(e.message, "X rejected the post (error 400).");
        let e = map(CREATE, 408, "");
        assert_eq!(e.kind, ErrorKind::Timeout);
        let e = map(
            XOperation::DeletePost,
            403,
            r#"{"detail":"You are not allowed to delete this Tweet."}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
    }

    #[test]
    fn long_bodies_are_shortened() {
        let body = "x".repeat(5000);
        let e = map(CREATE, 400, &body);
        assert!(e.message.chars().count() < 260);
        assert!(e.detail.expect("detail").chars().count() <= MAX_DETAIL_CHARS + 1);
    }

    #[test]
    fn redact_removes_secrets() {
        let e = map(
            XOperation::Revoke,
            400,
            r#"{"error":"invalid_request","error_description":"token abcdef123456 is bad"}"#,
        );
        let e = redact(e, "abcdef123456");
        assert!(!e.message.contains("abcdef123456"));
        assert!(!e.detail.unwrap_or_default().contains("abcdef123456"));
    }
}
