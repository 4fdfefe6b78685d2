//! LinkedIn's error answers, classified into [`PlatformError`]s
//! (docs/platforms/linkedin.md §2, §8).
//!
//! LinkedIn answers `{"status", "serviceErrorCode"?, "code"?, "message"}`,
//! validation errors add `errorDetails.inputErrors[]` (`code`,
//! `description`, `input.inputPath.fieldPath`), and the OAuth endpoints use
//! `{"error", "error_description"}`. The `code`, then the HTTP status,
//! decide:
//! - 401 → [`ErrorKind::Auth`] ([`crate::authorized`] renews where it can);
//! - 426 `NONEXISTENT_VERSION` → rejected for good: this CreatorFlow asks for
//!   a version LinkedIn retired, only an update helps (§2);
//! - 429 → rate limited until the next midnight UTC, when LinkedIn's daily
//!   quotas reset (§8.3; it sends no rate-limit headers);
//! - a duplicate → [`ErrorKind::Duplicate`];
//! - 403: a missing permission → [`ErrorKind::Forbidden`], anything else →
//!   rejected; other 4xx → rejected with LinkedIn's words; 5xx → server.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::error::{ErrorKind, PlatformError};
use crate::support::errors::{MAX_DETAIL_CHARS, MAX_REASON_CHARS, json_body, shorten, str_field};
use crate::support::request::{MapError, Operation};
use crate::types::Platform;

/// What CreatorFlow was doing when LinkedIn answered: words the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkedinOperation {
    /// `GET /v2/userinfo` (§1.5).
    Profile,
    /// An Images API step: initialize, the upload, the status (§5).
    UploadImage,
    /// A Videos API step: initialize, a part, finalize, the status (§6).
    UploadVideo,
    /// A Documents API step: initialize, the upload, the status.
    UploadDocument,
    /// `POST /rest/posts` (§3).
    CreatePost,
    /// `POST /rest/posts/{urn}` with `X-RestLi-Method: PARTIAL_UPDATE`.
    UpdatePost,
    /// `DELETE /rest/posts/{urn}` (§4).
    DeletePost,
    /// `GET /rest/memberCreatorPostAnalytics` (§13).
    ReadMetrics,
}

impl LinkedinOperation {
    fn refused(self) -> &'static str {
        match self {
            Self::Profile => "LinkedIn refused to share this account's profile",
            Self::UploadImage => "LinkedIn rejected the image",
            Self::UploadVideo => "LinkedIn rejected the video",
            Self::UploadDocument => "LinkedIn rejected the document",
            Self::CreatePost => "LinkedIn rejected the post",
            Self::UpdatePost => "LinkedIn refused the change to the post",
            Self::DeletePost => "LinkedIn refused to delete the post",
            Self::ReadMetrics => "LinkedIn refused to share the numbers of the post",
        }
    }

    fn is_upload(self) -> bool {
        matches!(
            self,
            Self::UploadImage | Self::UploadVideo | Self::UploadDocument
        )
    }
}

impl Operation for LinkedinOperation {
    const PLATFORM: Platform = Platform::Linkedin;
    const MAP_ERROR: MapError<Self> = map_error;

    /// The URL stays out of errors: an upload URL is a credential of its own.
    fn transport_error(e: reqwest::Error) -> PlatformError {
        PlatformError::from_transport(Self::PLATFORM.display_name(), &e.without_url())
    }
}

/// One item of `errorDetails.inputErrors`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InputError {
    pub code: Option<String>,
    pub description: Option<String>,
    /// `input.inputPath.fieldPath`, e.g. `/commentary`.
    pub field: Option<String>,
}

/// LinkedIn's error body (or whatever came instead).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LinkedinErrorBody {
    pub service_error_code: Option<i64>,
    /// `code`: `NONEXISTENT_VERSION`, `REVOKED_ACCESS_TOKEN`, `ACCESS_DENIED` …
    pub code: Option<String>,
    pub message: Option<String>,
    pub input_errors: Vec<InputError>,
    /// An OAuth-style `{"error": "invalid_request"}`.
    pub oauth_error: Option<String>,
    pub oauth_description: Option<String>,
    /// A body that was not JSON, shortened.
    pub raw: Option<String>,
}

impl LinkedinErrorBody {
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
        let input_errors = json
            .pointer("/errorDetails/inputErrors")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|i| InputError {
                        code: str_field(i.get("code")),
                        description: str_field(i.get("description")),
                        field: str_field(i.pointer("/input/inputPath/fieldPath")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            service_error_code: json.get("serviceErrorCode").and_then(Value::as_i64),
            code: str_field(json.get("code")),
            message: str_field(json.get("message")),
            input_errors,
            oauth_error: str_field(json.get("error")),
            oauth_description: str_field(json.get("error_description")),
            raw: match (json.get("message"), json.get("error")) {
                (None, None) => Some(shorten(&json.to_string(), MAX_DETAIL_CHARS)),
                _ => None,
            },
        }
    }

    /// Whether `code` (or an input error's) is `c`.
    pub fn has_code(&self, c: &str) -> bool {
        self.code.as_deref() == Some(c)
            || self
                .input_errors
                .iter()
                .any(|i| i.code.as_deref() == Some(c))
    }

    /// LinkedIn's most specific words about what went wrong.
    pub fn reason(&self) -> Option<String> {
        let input = self.input_errors.iter().find_map(|i| {
            let d = i.description.as_deref()?;
            Some(match &i.field {
                Some(f) => format!("{d} ({f})"),
                None => d.to_owned(),
            })
        });
        input
            .or_else(|| self.message.clone())
            .or_else(|| self.oauth_description.clone())
            .or_else(|| self.oauth_error.clone())
            .or_else(|| self.raw.clone())
    }

    /// Everything LinkedIn said, for the details line.
    pub fn detail(&self, status: u16) -> String {
        let mut out = format!("HTTP {status}");
        if let Some(c) = &self.code {
            out.push(' ');
            out.push_str(c);
        }
        if let Some(s) = self.service_error_code {
            out.push_str(&format!(" ({s})"));
        }
        if let Some(o) = &self.oauth_error {
            out.push(' ');
            out.push_str(o);
        }
        let said = self
            .message
            .as_ref()
            .or(self.oauth_description.as_ref())
            .or(self.raw.as_ref());
        if let Some(m) = said {
            out.push_str(": ");
            out.push_str(m);
        }
        for i in &self.input_errors {
            let parts: Vec<&str> = [&i.code, &i.field, &i.description]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            if !parts.is_empty() {
                out.push_str(&format!("; {}", parts.join(" ")));
            }
        }
        shorten(&out, MAX_DETAIL_CHARS)
    }

    fn haystack(&self) -> String {
        let mut all = self.detail(0);
        if let Some(r) = &self.raw {
            all.push(' ');
            all.push_str(r);
        }
        all.to_lowercase()
    }
}

/// The next midnight UTC after `now`, when LinkedIn's daily quotas reset
/// (§8.3).
pub fn next_utc_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive()
        .succ_opt()
        .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        .unwrap_or(now + Duration::hours(24))
}

/// "in about 7 hours", "in about 25 minutes".
fn in_words(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let minutes = (to - from).num_minutes().max(1);
    if minutes >= 90 {
        format!("in about {} hours", (minutes + 30) / 60)
    } else if minutes >= 55 {
        "in about an hour".to_owned()
    } else if minutes <= 1 {
        "in about a minute".to_owned()
    } else {
        format!("in about {minutes} minutes")
    }
}

/// The message of a 426: this CreatorFlow's `LinkedIn-Version` is retired.
pub(super) const VERSION_RETIRED: &str = "This version of CreatorFlow uses a LinkedIn API version \
    that LinkedIn has retired; update CreatorFlow.";

/// The message of a 403 for a missing `r_member_postAnalytics` (§13).
pub(super) const METRICS_PERMISSION: &str = "LinkedIn did not let CreatorFlow read how your \
    posts are doing. Reconnect the account to allow CreatorFlow to read your posts' impressions, \
    reactions, comments and reposts (your LinkedIn app needs LinkedIn's \"Community Management \
    API\" product for that).";

/// Classifies an HTTP error answer from LinkedIn. `now` anchors retry times.
pub fn map_error(
    op: LinkedinOperation,
    status: u16,
    _headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> PlatformError {
    let b = LinkedinErrorBody::parse(body);
    let text = b.haystack();
    let reason = b.reason().map(|r| shorten(&r, MAX_REASON_CHARS));
    let is_duplicate = matches!(
        op,
        LinkedinOperation::CreatePost | LinkedinOperation::UpdatePost
    ) && text.contains("duplicate");
    let err = if status == 426 || b.has_code("NONEXISTENT_VERSION") {
        PlatformError::new(ErrorKind::Rejected, "version_retired", VERSION_RETIRED)
    } else if status == 401 {
        let (code, why) = match b.code.as_deref() {
            Some("REVOKED_ACCESS_TOKEN") => ("token_revoked", "it was revoked"),
            Some("EXPIRED_ACCESS_TOKEN") => (
                "token_expired",
                "LinkedIn sign-ins last 60 days, and this one has run out",
            ),
            _ => ("token_invalid", "it expired or was revoked"),
        };
        PlatformError::new(
            ErrorKind::Auth,
            code,
            format!(
                "LinkedIn no longer accepts CreatorFlow's sign-in for this account ({why}). \
                 Reconnect the account."
            ),
        )
    } else if status == 429 {
        let at = next_utc_midnight(now);
        let app = text.contains("application");
        let whose = if app {
            "your LinkedIn app's daily limit"
        } else {
            "this account's daily limit"
        };
        let err = PlatformError::new(
            ErrorKind::RateLimited,
            "rate_limited",
            format!(
                "LinkedIn says {whose} for this is reached. It resets at midnight UTC ({}); \
                 CreatorFlow will try again then.",
                in_words(now, at)
            ),
        )
        .with_retry_at(at);
        if app { err.for_app() } else { err }
    } else if matches!(status, 400 | 403 | 409 | 422) && is_duplicate {
        PlatformError::new(
            ErrorKind::Duplicate,
            "duplicate_content",
            "LinkedIn refused this post because you already published the same text on this \
             account. Change the text a little to post it again.",
        )
    } else if b.has_code("MEDIA_ASSET_WAITING_UPLOAD") {
        PlatformError::new(
            ErrorKind::Server,
            "media_not_ready",
            "LinkedIn has not finished processing the media of this post yet. CreatorFlow will \
             try again.",
        )
    } else if b.has_code("MEDIA_ASSET_PROCESSING_FAILED") {
        PlatformError::new(
            ErrorKind::Rejected,
            "media_processing_failed",
            "LinkedIn could not process the media of this post. Check the files, then post it \
             again.",
        )
    } else if status == 403 && is_permission(&b, &text) && op == LinkedinOperation::ReadMetrics {
        PlatformError::new(
            ErrorKind::Forbidden,
            "missing_permission",
            METRICS_PERMISSION,
        )
    } else if status == 403 && is_permission(&b, &text) {
        PlatformError::new(
            ErrorKind::Forbidden,
            "missing_permission",
            "LinkedIn did not give CreatorFlow permission to do this. Reconnect the account and \
             allow everything CreatorFlow asks for (your LinkedIn app needs the \"Share on \
             LinkedIn\" product).",
        )
    } else if status == 408 {
        PlatformError::new(
            ErrorKind::Timeout,
            "timeout",
            "LinkedIn did not answer in time. CreatorFlow will try again.",
        )
    } else if (500..=599).contains(&status) {
        PlatformError::new(
            ErrorKind::Server,
            "server_error",
            format!("LinkedIn is busy right now (error {status}). CreatorFlow will try again."),
        )
    } else if (400..=499).contains(&status) {
        rejected(op, status, reason.as_deref())
    } else {
        PlatformError::new(
            ErrorKind::Protocol,
            "unexpected_response",
            format!("LinkedIn sent an answer CreatorFlow did not expect (HTTP {status})."),
        )
    };
    err.with_status(status).with_detail(b.detail(status))
}

/// A 403 about the app's or the token's permissions (not about the content).
fn is_permission(b: &LinkedinErrorBody, text: &str) -> bool {
    text.contains("not enough permissions")
        || text.contains("scope")
        || b.service_error_code == Some(100) && text.contains("permission")
}

fn rejected(op: LinkedinOperation, status: u16, reason: Option<&str>) -> PlatformError {
    let code = match (op.is_upload(), status) {
        (true, 413) => {
            return PlatformError::new(
                ErrorKind::Rejected,
                "media_too_large",
                format!("{}: the file is larger than LinkedIn takes.", op.refused()),
            );
        }
        (true, _) => "media_rejected",
        (false, 404) if op != LinkedinOperation::CreatePost => "post_not_found",
        _ => "rejected",
    };
    let message = match (code, reason) {
        ("post_not_found", _) => {
            "LinkedIn cannot find this post (it may have been deleted on LinkedIn).".to_owned()
        }
        (_, Some(r)) => format!("{}: {r}", op.refused()),
        (_, None) => format!("{} (error {status}).", op.refused()),
    };
    PlatformError::new(ErrorKind::Rejected, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 14, 17, 30, 0)
            .single()
            .expect("time")
    }

    fn map(op: LinkedinOperation, status: u16, body: &str) -> PlatformError {
        map_error(op, status, &HeaderMap::new(), body.as_bytes(), now())
    }

    const CREATE: LinkedinOperation = LinkedinOperation::CreatePost;

    #[test]
    fn retired_version_is_final_and_says_update() {
        let e = map(
            CREATE,
            426,
            r#"{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 20250401 is not active"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert!(!e.is_transient());
        assert_eq!(e.code, "version_retired");
        assert_eq!(e.message, VERSION_RETIRED);
        assert_eq!(
            e.detail.as_deref(),
            Some("HTTP 426 NONEXISTENT_VERSION: Requested version 20250401 is not active")
        );
    }

    #[test]
    fn unauthorized_is_auth_with_the_reason() {
        let e = map(
            LinkedinOperation::Profile,
            401,
            r#"{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"The token used in the request has been revoked by the user"}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Auth, "token_revoked")
        );
        assert!(e.message.contains("revoked"));
        let e = map(
            CREATE,
            401,
            r#"{"serviceErrorCode":65602,"code":"EXPIRED_ACCESS_TOKEN","status":401,"message":"The token used in the request has expired"}"#,
        );
        assert_eq!(e.code, "token_expired");
        assert!(e.message.contains("60 days"), "{}", e.message);
        let e = map(
            CREATE,
            401,
            r#"{"serviceErrorCode":65600,"message":"Invalid access token","status":401}"#,
        );
        assert_eq!(e.code, "token_invalid");
        assert_eq!(e.status, Some(401));
    }

    #[test]
    fn quotas_reset_at_midnight_utc() {
        let e = map(
            CREATE,
            429,
            r#"{"status":429,"serviceErrorCode":101,"code":"TOO_MANY_REQUESTS","message":"Resource level throttle MEMBER DAY limit for calls to this resource is reached."}"#,
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        let midnight = Utc
            .with_ymd_and_hms(2026, 3, 15, 0, 0, 0)
            .single()
            .expect("t");
        assert_eq!(e.retry_at, Some(midnight));
        assert_eq!(
            e.message,
            "LinkedIn says this account's daily limit for this is reached. It resets at \
             midnight UTC (in about 7 hours); CreatorFlow will try again then."
        );
        assert_eq!(e.limit_scope, crate::types::LimitScope::Account);
        let e = map(
            CREATE,
            429,
            r#"{"status":429,"message":"Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}"#,
        );
        assert!(e.message.contains("your LinkedIn app's daily limit"));
        assert_eq!(
            e.limit_scope,
            crate::types::LimitScope::App,
            "every member waits"
        );
        assert_eq!(next_utc_midnight(midnight), midnight + Duration::days(1));
    }

    #[test]
    fn duplicates_in_words() {
        let e = map(
            CREATE,
            422,
            r#"{"errorDetailType":"com.linkedin.common.error.BadRequest","message":"Content is a duplicate of urn:li:share:7012345678901234567","errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},"code":"DUPLICATE_POST"}]},"status":422}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Duplicate, "duplicate_content")
        );
        assert!(e.message.contains("already published the same text"));
        assert!(
            e.detail
                .as_deref()
                .is_some_and(|d| d.contains("DUPLICATE_POST"))
        );
        let e = map(
            LinkedinOperation::UploadVideo,
            400,
            r#"{"status":400,"message":"uploadedPartIds has a duplicate entry"}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Rejected, "media_rejected")
        );
    }

    #[test]
    fn forbidden_permission_or_content() {
        let e = map(
            CREATE,
            403,
            r#"{"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"Not enough permissions to access: partnerApiPostsExternal.CREATE.20260701"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        let e = map(
            CREATE,
            403,
            r#"{"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/author]"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert!(
            e.message
                .starts_with("LinkedIn rejected the post: Unpermitted fields")
        );
        let e = map(
            LinkedinOperation::UploadVideo,
            403,
            r#"{"message":"Accessing this video resource is forbidden. Please check your permissions for this resource","status":403}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Rejected, "media_rejected")
        );
    }

    #[test]
    fn reading_numbers_without_the_scope_says_to_reconnect() {
        let e = map(
            LinkedinOperation::ReadMetrics,
            403,
            r#"{"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"Not enough permissions to access: memberCreatorPostAnalytics.FINDER-entity.20260701"}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Forbidden, "missing_permission")
        );
        assert_eq!(e.message, METRICS_PERMISSION);
        assert!(
            e.message
                .contains("Reconnect the account to allow CreatorFlow to read")
        );
        let e = map(
            CREATE,
            403,
            r#"{"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"Not enough permissions to access: partnerApiPostsExternal.CREATE.20260701"}"#,
        );
        assert_ne!(
            e.message, METRICS_PERMISSION,
            "publishing keeps its own words"
        );
        let e = map(
            LinkedinOperation::ReadMetrics,
            429,
            r#"{"status":429,"serviceErrorCode":101,"message":"Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}"#,
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.limit_scope, crate::types::LimitScope::App);
        let e = map(
            LinkedinOperation::ReadMetrics,
            404,
            r#"{"status":404,"code":"NOT_FOUND","message":"Post urn:li:share:1 does not exist"}"#,
        );
        assert_eq!(e.code, "post_not_found");
    }

    #[test]
    fn validation_uses_the_input_error() {
        let e = map(
            CREATE,
            422,
            r#"{"status":422,"message":"ERROR :: /commentary :: length of commentary 3001 exceeds the maximum allowed length 3000","errorDetailType":"com.linkedin.common.error.BadRequest","errorDetails":{"inputErrors":[{"code":"FIELD_LENGTH_TOO_LONG","description":"length of commentary 3001 exceeds the maximum allowed length 3000","input":{"inputPath":{"fieldPath":"/commentary"}}}]}}"#,
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(
            e.message,
            "LinkedIn rejected the post: length of commentary 3001 exceeds the maximum allowed \
             length 3000 (/commentary)"
        );
        let e = map(
            CREATE,
            400,
            r#"{"status":400,"code":"MEDIA_ASSET_WAITING_UPLOAD","message":"/content/media/id :: media asset urn:li:video:1 is not ready (status PROCESSING)"}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Server, "media_not_ready")
        );
        let e = map(
            LinkedinOperation::UploadImage,
            413,
            r#"{"status":413,"message":"The upload is larger than the maximum of 5242880 bytes"}"#,
        );
        assert_eq!(e.code, "media_too_large");
        let e = map(
            LinkedinOperation::DeletePost,
            404,
            r#"{"status":404,"code":"NOT_FOUND","message":"Post x does not exist"}"#,
        );
        assert_eq!(e.code, "post_not_found");
    }

    #[test]
    fn servers_and_strange_bodies() {
        let e = map(CREATE, 503, "<html>busy</html>");
        assert_eq!(e.kind, ErrorKind::Server);
        assert!(e.is_transient());
        assert_eq!(e.detail.as_deref(), Some("HTTP 503: <html>busy</html>"));
        let e = map(CREATE, 302, "");
        assert_eq!(e.kind, ErrorKind::Protocol);
        let e = map(
            CREATE,
            400,
            r#"{"error":"invalid_request","error_description":"A required parameter \"x\" is missing"}"#,
        );
        assert_eq!(
            e.message,
            "LinkedIn rejected the post: A required parameter \"x\" is missing"
        );
    }
}
