//! TikTok's error answers, classified into [`PlatformError`]s
//! (docs/platforms/tiktok.md §2).
//!
//! Every `/v2/` API answers `{"data": {...}, "error": {"code", "message",
//! "log_id"}}`, and `error.code` decides, not only the HTTP status:
//! - `access_token_invalid` → [`ErrorKind::Auth`] (renewed once, then the
//!   account needs reconnecting);
//! - `scope_not_authorized`, `scope_permission_missed` → [`ErrorKind::Forbidden`];
//! - `rate_limit_exceeded` → rate limited for TikTok's one-minute sliding
//!   window (TikTok sends no reset header; `Retry-After` is used if present);
//! - `internal_error`, 5xx → server error, tried again;
//! - the policy refusals (unaudited app, posting caps, privacy level no
//!   longer offered, spam) → rejected at once, in words that say what to do.

use chrono::{DateTime, Duration, Utc};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::error::{ErrorKind, PlatformError};
use crate::support::errors::{
    MAX_DETAIL_CHARS, MAX_REASON_CHARS, json_body, retry_after, shorten, str_field,
};
use crate::support::request::{MapError, Operation};
use crate::types::Platform;

/// What CreatorFlow was doing when TikTok answered: words the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TiktokOperation {
    /// `GET /v2/user/info/`.
    Profile,
    /// `POST /v2/post/publish/creator_info/query/`.
    CreatorInfo,
    /// `POST /v2/post/publish/video/init/`.
    InitPost,
    /// A chunk `PUT` to the upload URL.
    UploadChunk,
    /// `POST /v2/post/publish/status/fetch/`.
    Status,
    /// `POST /v2/video/query/`: a video's numbers (§13).
    VideoQuery,
}

impl TiktokOperation {
    fn refused(self) -> &'static str {
        match self {
            Self::Profile => "TikTok refused to share this account's profile",
            Self::CreatorInfo => "TikTok refused to say what this account may post",
            Self::InitPost => "TikTok refused the post",
            Self::UploadChunk => "TikTok refused part of the video",
            Self::Status => "TikTok refused to say how the post is doing",
            Self::VideoQuery => "TikTok refused to share this video's numbers",
        }
    }

    /// What to tell the creator when the sign-in lacks the permission.
    fn missing_permission(self) -> &'static str {
        match self {
            Self::VideoQuery => {
                "This TikTok account did not allow CreatorFlow to read how its videos are \
                 doing. Reconnect the account to allow CreatorFlow to read your videos' views, \
                 likes, comments and shares."
            }
            _ => {
                "This TikTok account did not give CreatorFlow permission to post. Reconnect it \
                 and allow every permission CreatorFlow asks for."
            }
        }
    }
}

impl Operation for TiktokOperation {
    const PLATFORM: Platform = Platform::Tiktok;
    const MAP_ERROR: MapError<Self> = map_error;

    /// The URL stays out of errors: an upload URL carries its upload token.
    fn transport_error(e: reqwest::Error) -> PlatformError {
        PlatformError::from_transport(Self::PLATFORM.display_name(), &e.without_url())
    }
}

/// The `error` object of TikTok's envelope.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TiktokError {
    pub code: Option<String>,
    pub message: Option<String>,
    pub log_id: Option<String>,
    /// A body that was not JSON, shortened.
    pub raw: Option<String>,
}

impl TiktokError {
    pub fn parse(body: &[u8]) -> Self {
        match json_body(body) {
            Ok(json) => Self::of(&json),
            Err(raw) => Self {
                raw,
                ..Self::default()
            },
        }
    }

    /// From a parsed envelope.
    pub fn of(json: &Value) -> Self {
        let error = json.get("error");
        Self {
            code: str_field(error.and_then(|e| e.get("code"))),
            message: str_field(error.and_then(|e| e.get("message"))),
            log_id: str_field(error.and_then(|e| e.get("log_id"))),
            raw: None,
        }
    }

    /// Whether the envelope says all went well.
    pub fn is_ok(&self) -> bool {
        self.code.as_deref().is_none_or(|c| c == "ok")
    }

    fn detail(&self, status: u16) -> String {
        let mut parts = vec![format!("HTTP {status}")];
        if let Some(c) = &self.code {
            parts.push(c.clone());
        }
        if let Some(m) = &self.message {
            parts.push(m.clone());
        }
        if let Some(l) = &self.log_id {
            parts.push(format!("log_id {l}"));
        }
        if let Some(r) = &self.raw {
            parts.push(r.clone());
        }
        shorten(&parts.join(": "), MAX_DETAIL_CHARS)
    }
}

/// Unaudited apps: what TikTok allows them, in words (§4.3).
pub const UNAUDITED_PRIVATE_ONLY: &str = "TikTok has not audited your TikTok app yet, so it only \
    lets the app post to private TikTok accounts, as \"Only me\". Make this account private in \
    the TikTok app, or have TikTok audit your app (Settings → Platforms → TikTok explains how), \
    then post again.";

/// Classifies an error answer (or an envelope whose `error.code` is not `ok`).
pub fn map_error(
    op: TiktokOperation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> PlatformError {
    let e = TiktokError::parse(body);
    let detail = e.detail(status);
    let theirs = e.message.as_deref().map(|m| shorten(m, MAX_REASON_CHARS));
    let refused = op.refused();
    let with_reason = |fallback: &str| match &theirs {
        Some(m) => format!("{refused}: {m}"),
        None => format!("{refused}: {fallback}"),
    };
    let (kind, code, message): (ErrorKind, &str, String) = match e.code.as_deref() {
        Some("access_token_invalid") => (
            ErrorKind::Auth,
            "token_refused",
            "TikTok no longer accepts CreatorFlow's sign-in for this account.".into(),
        ),
        Some("scope_not_authorized" | "scope_permission_missed") => (
            ErrorKind::Forbidden,
            "missing_permission",
            op.missing_permission().into(),
        ),
        Some("rate_limit_exceeded") => {
            let at = retry_after(headers, now).unwrap_or(now + Duration::seconds(60));
            return PlatformError::new(
                ErrorKind::RateLimited,
                "rate_limited",
                "TikTok asked CreatorFlow to slow down for this account. CreatorFlow will try \
                 again in a minute.",
            )
            .with_status(status)
            .with_detail(detail)
            .with_retry_at(at);
        }
        Some("internal_error") => (
            ErrorKind::Server,
            "server_error",
            "TikTok had a problem on its side. CreatorFlow will try again.".into(),
        ),
        Some("unaudited_client_can_only_post_to_private_accounts") => (
            ErrorKind::Rejected,
            "unaudited_app",
            UNAUDITED_PRIVATE_ONLY.into(),
        ),
        Some("reached_active_user_cap") => (
            ErrorKind::Rejected,
            "unaudited_user_cap",
            "TikTok has not audited your TikTok app yet, and it lets only a few people post \
             through an unaudited app each day; that many already did today. Try again \
             tomorrow, or have TikTok audit your app."
                .into(),
        ),
        Some("spam_risk_too_many_posts") => (
            ErrorKind::Rejected,
            "daily_post_limit",
            "TikTok says this account has posted as often as it allows today. Schedule the post \
             for tomorrow."
                .into(),
        ),
        Some("spam_risk_too_many_pending_share") => (
            ErrorKind::Rejected,
            "pending_limit",
            "TikTok says this account has too many posts waiting. Try again tomorrow.".into(),
        ),
        Some("spam_risk_user_banned_from_posting") => (
            ErrorKind::Rejected,
            "banned_from_posting",
            "TikTok has stopped this account from posting. Check the account in the TikTok app."
                .into(),
        ),
        Some("spam_risk_text") => (
            ErrorKind::Rejected,
            "caption_refused",
            "TikTok refused the caption as possible spam. Change the caption and post again."
                .into(),
        ),
        Some("privacy_level_option_mismatch") => (
            ErrorKind::Rejected,
            "privacy_not_offered",
            "TikTok no longer offers the privacy level picked for this post on this account. \
             Open the post and pick who can see it again."
                .into(),
        ),
        Some("url_ownership_unverified") => (
            ErrorKind::Rejected,
            "url_unverified",
            "TikTok only takes media from a domain you verified with TikTok.".into(),
        ),
        Some("invalid_file_upload") => (
            ErrorKind::Rejected,
            "upload_refused",
            with_reason("the upload was not what TikTok expected"),
        ),
        Some("invalid_params") => (
            ErrorKind::Rejected,
            "invalid_params",
            with_reason("TikTok did not accept what CreatorFlow sent"),
        ),
        _ => match status {
            401 => (
                ErrorKind::Auth,
                "token_refused",
                "TikTok no longer accepts CreatorFlow's sign-in for this account.".into(),
            ),
            429 => {
                let at = retry_after(headers, now).unwrap_or(now + Duration::seconds(60));
                return PlatformError::new(
                    ErrorKind::RateLimited,
                    "rate_limited",
                    "TikTok asked CreatorFlow to slow down for this account. CreatorFlow will \
                     try again in a minute.",
                )
                .with_status(status)
                .with_detail(detail)
                .with_retry_at(at);
            }
            s if s >= 500 => (
                ErrorKind::Server,
                "server_error",
                "TikTok had a problem on its side. CreatorFlow will try again.".into(),
            ),
            200..=299 => (
                ErrorKind::Protocol,
                "bad_response",
                "TikTok sent an answer CreatorFlow could not read.".into(),
            ),
            _ => (
                ErrorKind::Rejected,
                "rejected",
                with_reason("no reason given"),
            ),
        },
    };
    PlatformError::new(kind, code, message)
        .with_status(status)
        .with_detail(detail)
}

/// TikTok's `fail_reason` of a post that failed (§2.2, §8), in words.
pub fn fail_reason_words(reason: Option<&str>) -> String {
    let what = match reason.unwrap_or("") {
        "file_format_check_failed" => {
            "TikTok could not read the video's format. Export it as MP4 (H.264) and post again."
        }
        "duration_check_failed" => {
            "The video is longer or shorter than TikTok allows for this account."
        }
        "frame_rate_check_failed" => {
            "TikTok takes videos of 23 to 60 frames per second; this one is outside that."
        }
        "picture_size_check_failed" => {
            "The video's picture is too small or too large for TikTok (360 to 4,096 pixels per \
             side)."
        }
        "video_pull_failed" | "photo_pull_failed" => "TikTok could not fetch the media.",
        "app_version_check_failed" => {
            "TikTok says the TikTok app on the phone is too old to finish this post. Update it."
        }
        "" => "TikTok did not say why.",
        other => return format!("TikTok could not publish the video ({other})."),
    };
    format!("TikTok could not publish the video: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(op: TiktokOperation, status: u16, body: &str) -> PlatformError {
        map_error(op, status, &HeaderMap::new(), body.as_bytes(), Utc::now())
    }

    fn envelope(code: &str, message: &str) -> String {
        serde_json::json!({"data": {}, "error": {"code": code, "message": message, "log_id": "20260101LOG"}})
            .to_string()
    }

    #[test]
    fn the_envelope_code_decides() {
        let e = err(
            TiktokOperation::InitPost,
            403,
            &envelope("unaudited_client_can_only_post_to_private_accounts", "x"),
        );
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Rejected, "unaudited_app")
        );
        assert!(e.message.contains("private"), "{}", e.message);
        assert!(
            e.detail
                .as_deref()
                .unwrap_or("")
                .contains("log_id 20260101LOG")
        );

        let e = err(
            TiktokOperation::Status,
            401,
            &envelope("access_token_invalid", "x"),
        );
        assert_eq!(e.kind, ErrorKind::Auth);
        let e = err(
            TiktokOperation::InitPost,
            401,
            &envelope("scope_not_authorized", "x"),
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(e.message.contains("permission to post"), "{}", e.message);
        let e = err(
            TiktokOperation::VideoQuery,
            401,
            &envelope("scope_not_authorized", "x"),
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(
            e.message
                .contains("Reconnect the account to allow CreatorFlow to read"),
            "{}",
            e.message
        );
        let e = err(
            TiktokOperation::InitPost,
            500,
            &envelope("internal_error", "x"),
        );
        assert!(e.is_transient());
        let e = err(
            TiktokOperation::InitPost,
            400,
            &envelope("invalid_params", "The chunk size is invalid"),
        );
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(
            e.message,
            "TikTok refused the post: The chunk size is invalid"
        );
        // An error code in a 200 answer is still an error.
        let e = err(
            TiktokOperation::InitPost,
            200,
            &envelope("privacy_level_option_mismatch", "x"),
        );
        assert_eq!(e.code, "privacy_not_offered");
    }

    #[test]
    fn rate_limits_wait_for_the_sliding_minute() {
        let now = Utc::now();
        let e = map_error(
            TiktokOperation::InitPost,
            429,
            &HeaderMap::new(),
            envelope("rate_limit_exceeded", "slow").as_bytes(),
            now,
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_at, Some(now + Duration::seconds(60)));
        let e = err(TiktokOperation::Status, 502, "<html>bad gateway</html>");
        assert_eq!(e.kind, ErrorKind::Server);
        assert!(e.detail.as_deref().unwrap_or("").contains("bad gateway"));
    }

    #[test]
    fn fail_reasons_in_words() {
        assert!(fail_reason_words(Some("frame_rate_check_failed")).contains("frames per second"));
        assert!(fail_reason_words(Some("something_new")).contains("something_new"));
        assert!(fail_reason_words(None).contains("did not say"));
    }
}
