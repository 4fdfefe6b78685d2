//! TikTok emulator: Login Kit v2 for desktop (authorize with the hex-SHA-256 PKCE
//! variant, token, refresh, revoke), `user/info`, and the Content Posting API
//! (`creator_info/query`, direct-post and inbox video init, photo `content/init`,
//! chunked `PUT` uploads, `status/fetch`), and the Display API's `video/query`
//! with each video's numbers growing over the emulated clock.
//!
//! `/tiktok` stands for `https://www.tiktok.com` and `https://open.tiktokapis.com`;
//! upload URLs live under `/tiktok/upload/...` (for `open-upload.tiktokapis.com`).
//! Contract: docs/platforms/tiktok.md (§10: open questions, §11: what the emulator
//! must model), and docs/platforms/desktop-oauth.md §4.6.
//!
//! There is no delete endpoint: the Content Posting API has none. A creator deletes a
//! video in the TikTok app; here [`metrics::delete_in_app`] (or
//! `DELETE /tiktok/_sandbox/videos/{id}`) stands for that.

use std::collections::{BTreeMap, HashMap, VecDeque};

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::core::oauth::{
    AccessTokenRecord, ClientType, RedirectMatch, RefreshPolicy, TokenPolicy,
};
use crate::core::platform::{Account, PlatformCore, PlatformModule, SeedClient};
use crate::core::ratelimit::{Limit, RateDecision, WindowKind};
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::{bearer_token, sha256_hex};

pub mod metrics;
mod oauth;
mod pages;
mod publish;
mod upload;
mod user;

/// Platform id.
pub const PLATFORM: &str = "tiktok";

/// Seeded desktop client (`client_key`). TikTok requires `client_secret` at the token
/// endpoint even for desktop apps.
pub const TIKTOK_CLIENT_KEY: &str = "creatorflow-sandbox-tiktok";
/// Secret of the seeded client.
pub const TIKTOK_CLIENT_SECRET: &str = "creatorflow-sandbox-tiktok-secret";
/// Redirect URIs of the seeded client: the desktop wildcard port `*` matches any port.
pub const TIKTOK_REDIRECT_URIS: &[&str] = &[
    "http://127.0.0.1:*/oauth/tiktok/callback",
    "http://localhost:*/oauth/tiktok/callback",
];

/// A demo creator: `(open_id, username, display name)`.
pub type AccountSeed = (&'static str, &'static str, &'static str);

/// First demo creator: a **public** account (once the client is audited it is offered
/// `PUBLIC_TO_EVERYONE`, `MUTUAL_FOLLOW_FRIENDS` and `SELF_ONLY`).
pub const TIKTOK_ACCOUNT_PUBLIC: AccountSeed = (
    "-000sandboxCreatorPublic0000000001",
    "sandbox.creator",
    "Sandbox Creator",
);
/// Second demo creator: a **private** account (no `PUBLIC_TO_EVERYONE`; stitches
/// disabled; 5-minute videos).
pub const TIKTOK_ACCOUNT_PRIVATE: AccountSeed = (
    "-000sandboxStudioPrivate0000000002",
    "sandbox.studio",
    "Sandbox Studio",
);

/// The URL prefix verified for `PULL_FROM_URL` by default (`verified_url_prefixes`).
pub const TIKTOK_VERIFIED_URL_PREFIX: &str = "https://media.creatorflow.test/";

/// Scopes this emulator knows (comma-separated on the wire).
pub const TIKTOK_SCOPES: &[&str] = &[
    "user.info.basic",
    "user.info.profile",
    "video.publish",
    "video.upload",
    "video.list",
];

/// Authorization code lifetime. Not documented by TikTok: 10 minutes.
pub const CODE_LIFETIME_SECS: i64 = 600;

/// Token lifetimes of the two documented profiles.
pub mod lifetimes {
    /// Classic page: access 24 h.
    pub const CLASSIC_ACCESS_SECS: i64 = 86_400;
    /// Classic page: refresh 365 days, no rotation.
    pub const CLASSIC_REFRESH_SECS: i64 = 31_536_000;
    /// Newer pages: access 2 h.
    pub const ROTATING_ACCESS_SECS: i64 = 7_200;
    /// Newer pages: refresh 180 days, rotated on every refresh.
    pub const ROTATING_REFRESH_SECS: i64 = 15_552_000;
}

/// Rate-limit names (use them with `POST /_sandbox/quotas`) and default limits.
/// All are per access token over a sliding one-minute window.
pub mod limits {
    use crate::core::ratelimit::Limit;

    pub const USER_INFO: &str = "GET /v2/user/info/";
    pub const CREATOR_INFO: &str = "POST /v2/post/publish/creator_info/query/";
    pub const VIDEO_INIT: &str = "POST /v2/post/publish/video/init/";
    pub const INBOX_INIT: &str = "POST /v2/post/publish/inbox/video/init/";
    pub const CONTENT_INIT: &str = "POST /v2/post/publish/content/init/";
    pub const STATUS_FETCH: &str = "POST /v2/post/publish/status/fetch/";
    /// The Display API's video query (600 a minute, docs/platforms/tiktok.md §13.4).
    pub const VIDEO_QUERY: &str = "POST /v2/video/query/";

    /// Default limit of a name.
    pub fn of(name: &str) -> Limit {
        match name {
            USER_INFO | VIDEO_QUERY => Limit::per_secs(600, 60),
            CREATOR_INFO => Limit::per_secs(20, 60),
            STATUS_FETCH => Limit::per_secs(30, 60),
            _ => Limit::per_secs(6, 60),
        }
    }
}

/// TikTok's sizes are **decimal** (docs/platforms/tiktok.md §6.1): 5 MB = 5,000,000
/// bytes, 64 MB = 64,000,000, 128 MB = 128,000,000.
const MB: u64 = 1_000_000;
/// Only for `pulled_video_size`, an arbitrary simulated size (nothing is downloaded).
const MIB: u64 = 1024 * 1024;

/// Which documented token lifetimes are in force.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenProfile {
    /// Access 24 h, refresh 365 d, the refresh token is not rotated.
    Classic,
    /// Access 2 h, refresh 180 d, every refresh returns a new refresh token and the
    /// previous one stops working.
    #[default]
    Rotating,
}

/// Tunables (`GET/POST /_sandbox/settings/tiktok`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TikTokSettings {
    /// `rotating` (2 h / 180 d with rotation, default) or `classic` (24 h / 365 d).
    pub token_profile: TokenProfile,
    /// Also accept a standard base64url S256 challenge (TikTok desktop wants hex).
    pub accept_base64url_challenge: bool,
    /// The client passed TikTok's audit. Default `false`: every client starts
    /// unaudited (§4.3). Unaudited: `SELF_ONLY` only, private accounts only, at most
    /// `unaudited_max_users` posting users per 24 h.
    pub audited: bool,
    pub unaudited_max_users: u32,
    /// Chunk rules of `FILE_UPLOAD` (bytes; TikTok's MB are decimal). A single chunk
    /// over `max_chunk_size` is always refused ("The chunk size is invalid").
    pub min_chunk_size: u64,
    pub max_chunk_size: u64,
    pub max_final_chunk_size: u64,
    /// Also refuse a **multi-chunk** init whose final chunk exceeds `max_chunk_size`
    /// (with "The chunk size is invalid"), as reported for some inits since August
    /// 2026 (§6.1). Off by default: the final chunk may then reach
    /// `max_final_chunk_size`.
    pub strict_final_chunk: bool,
    pub max_chunks: u64,
    pub max_video_size: u64,
    /// HTTP status of a refused chunk `PUT` (400 or 416).
    pub chunk_error_status: u16,
    /// Lifetime of an `upload_url`.
    pub upload_url_ttl_secs: i64,
    /// URL prefixes verified for `PULL_FROM_URL`.
    pub verified_url_prefixes: Vec<String>,
    /// Direct posts per creator per rolling 24 h (`spam_risk_too_many_posts`).
    pub daily_post_cap: u32,
    /// Inbox shares per creator per rolling 24 h (`spam_risk_too_many_pending_share`).
    pub max_pending_inbox_shares: u32,
    /// `status/fetch` polls that still report `PROCESSING_UPLOAD` /
    /// `PROCESSING_DOWNLOAD` once the media is all there.
    pub processing_polls: u32,
    /// Polls after `PUBLISH_COMPLETE` before `publicaly_available_post_id` is filled.
    pub post_id_delay_polls: u32,
    /// Emulated seconds after `PUBLISH_COMPLETE` before the post id is filled.
    pub post_id_delay_secs: i64,
    /// When set, new publishes end in `FAILED` with this `fail_reason`.
    pub fail_reason: Option<String>,
    /// HTTP status of the policy errors (`spam_risk_*`, `privacy_level_option_mismatch`,
    /// `url_ownership_unverified`, `unaudited_*`, `reached_active_user_cap`).
    pub policy_error_status: u16,
    /// Size reported for a video pulled from a URL (nothing is downloaded).
    pub pulled_video_size: u64,
    /// `video/query` leaves `comment_count` out for a video posted with comments
    /// turned off (`disable_comment`); `false`: it answers 0 [UNVERIFIED either way,
    /// docs/platforms/tiktok.md §13.2].
    pub omit_comment_count_when_off: bool,
    /// `video/query` also answers for "Only me" videos; by default it answers only
    /// for videos others can see, as `video.list` is described ("public videos")
    /// [UNVERIFIED for the v2 API].
    pub query_self_only_videos: bool,
}

impl Default for TikTokSettings {
    fn default() -> Self {
        Self {
            token_profile: TokenProfile::Rotating,
            accept_base64url_challenge: false,
            audited: false,
            unaudited_max_users: 5,
            min_chunk_size: 5 * MB,
            max_chunk_size: 64 * MB,
            max_final_chunk_size: 128 * MB,
            strict_final_chunk: false,
            max_chunks: 1000,
            // "At most 4 GB" (§6.3, third-party) read as decimal like every other
            // TikTok size: 4,000,000,000 bytes. It is also the stricter reading, so a
            // file the emulator takes fits under 4 GiB as well.
            max_video_size: 4_000 * MB,
            chunk_error_status: 400,
            upload_url_ttl_secs: 3600,
            verified_url_prefixes: vec![TIKTOK_VERIFIED_URL_PREFIX.to_string()],
            daily_post_cap: 15,
            max_pending_inbox_shares: 5,
            processing_polls: 1,
            post_id_delay_polls: 1,
            post_id_delay_secs: 0,
            fail_reason: None,
            policy_error_status: 403,
            pulled_video_size: 10 * MIB,
            omit_comment_count_when_off: true,
            query_self_only_videos: false,
        }
    }
}

impl TikTokSettings {
    fn validate(&self) -> Result<(), String> {
        if !matches!(self.chunk_error_status, 400 | 416) {
            return Err("chunk_error_status must be 400 or 416".into());
        }
        if !(400..=499).contains(&self.policy_error_status) {
            return Err("policy_error_status must be a 4xx status".into());
        }
        if self.min_chunk_size == 0
            || self.min_chunk_size > self.max_chunk_size
            || self.max_chunk_size > self.max_final_chunk_size
        {
            return Err("need 0 < min_chunk_size <= max_chunk_size <= max_final_chunk_size".into());
        }
        if self.max_chunks == 0 || self.max_video_size == 0 {
            return Err("max_chunks and max_video_size must be > 0".into());
        }
        if self.upload_url_ttl_secs <= 0 || self.post_id_delay_secs < 0 {
            return Err("upload_url_ttl_secs must be > 0 and post_id_delay_secs >= 0".into());
        }
        if self.fail_reason.as_deref().is_some_and(str::is_empty) {
            return Err("fail_reason must be null or a non-empty string".into());
        }
        Ok(())
    }

    /// How tokens are issued under the selected profile.
    pub fn token_policy(&self) -> TokenPolicy {
        let (access, refresh, rotate) = match self.token_profile {
            TokenProfile::Classic => (
                lifetimes::CLASSIC_ACCESS_SECS,
                lifetimes::CLASSIC_REFRESH_SECS,
                false,
            ),
            TokenProfile::Rotating => (
                lifetimes::ROTATING_ACCESS_SECS,
                lifetimes::ROTATING_REFRESH_SECS,
                true,
            ),
        };
        TokenPolicy {
            access_ttl_secs: Some(access),
            refresh: Some(RefreshPolicy {
                ttl_secs: Some(refresh),
                rotate,
                keep_expiry: false,
            }),
            access_prefix: "act.".into(),
            refresh_prefix: "rft.".into(),
        }
    }
}

/// Video or photo post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Video,
    Photo,
}

/// `DIRECT_POST` or `MEDIA_UPLOAD` (inbox).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PostMode {
    DirectPost,
    MediaUpload,
}

/// `FILE_UPLOAD` or `PULL_FROM_URL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Source {
    FileUpload,
    PullFromUrl,
}

/// `status` of `status/fetch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PublishStatus {
    ProcessingUpload,
    ProcessingDownload,
    SendToUserInbox,
    PublishComplete,
    Failed,
}

/// The upload half of a `FILE_UPLOAD` publish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadSession {
    pub upload_id: String,
    pub upload_token: String,
    pub chunk_size: u64,
    pub total_chunk_count: u64,
    /// Next byte expected (= bytes received so far).
    pub next_offset: u64,
    pub chunks_received: u64,
    pub expires_at: DateTime<Utc>,
    /// Content-Type of the first chunk.
    pub mime: Option<String>,
}

/// One `publish_id` and everything the emulator knows about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publish {
    pub publish_id: String,
    pub account_id: String,
    pub client_id: String,
    pub kind: MediaKind,
    pub mode: PostMode,
    pub source: Source,
    pub title: String,
    /// Photo posts only.
    pub description: String,
    /// `None` for inbox uploads.
    pub privacy_level: Option<String>,
    /// The other `post_info` fields as sent (toggles, cover timestamp ...).
    pub post_info: Value,
    /// Announced size (`FILE_UPLOAD`) or the simulated pulled size.
    pub video_size: u64,
    /// `PULL_FROM_URL`: the video URL or the photo URLs.
    pub urls: Vec<String>,
    pub upload: Option<UploadSession>,
    pub uploaded_bytes: u64,
    pub downloaded_bytes: u64,
    pub sha256: Option<String>,
    /// When all the media was there (upload complete, or init for pulls).
    pub media_ready_at: Option<DateTime<Utc>>,
    /// `status/fetch` polls since the media was ready.
    pub polls_since_ready: u32,
    pub status: PublishStatus,
    /// Decided at init from the `fail_reason` setting.
    pub planned_fail_reason: Option<String>,
    pub fail_reason: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// `status/fetch` polls since `PUBLISH_COMPLETE`.
    pub polls_since_complete: u32,
    /// The TikTok post id (assigned at `PUBLISH_COMPLETE`, revealed after the delay).
    pub post_id: Option<u64>,
    pub created_at: DateTime<Utc>,
    /// When the creator deleted the video in the TikTok app
    /// ([`metrics::delete_in_app`]): TikTok's API cannot delete.
    #[serde(default)]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Timestamps of the requests in a sliding window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlidingLog {
    /// The limit the log was counted under (an override restarts it).
    pub limit: Option<Limit>,
    pub hits: VecDeque<DateTime<Utc>>,
}

/// TikTok-specific state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TikTokState {
    pub settings: TikTokSettings,
    /// By `publish_id`.
    pub publishes: BTreeMap<String, Publish>,
    /// Sliding one-minute windows, by `name|subject`.
    pub rate_log: BTreeMap<String, SlidingLog>,
    /// In-order SHA-256 of uploads in progress, by `publish_id` (runtime only).
    #[serde(skip)]
    pub hashers: HashMap<String, sha2::Sha256>,
}

impl TikTokState {
    /// Counts a request in a sliding window. The limit is the one in force for
    /// `name` (a `/_sandbox/quotas` override wins). A refused request is not counted.
    pub fn sliding_hit(
        &mut self,
        limit: Limit,
        name: &str,
        subject: &str,
        now: DateTime<Utc>,
    ) -> RateDecision {
        let window = Duration::seconds(match limit.window {
            WindowKind::Fixed { secs } => secs.max(1),
            WindowKind::DailyUtc | WindowKind::DailyPacific => 86_400,
        });
        // Drop logs nobody used for a while, so the state stays small.
        self.rate_log
            .retain(|_, l| l.hits.back().is_some_and(|t| *t + Duration::days(1) > now));
        let log = self
            .rate_log
            .entry(format!("{name}|{subject}"))
            .or_default();
        if log.limit != Some(limit) {
            log.limit = Some(limit);
            log.hits.clear();
        }
        while log.hits.front().is_some_and(|t| *t + window <= now) {
            log.hits.pop_front();
        }
        let allowed = (log.hits.len() as u64) < limit.limit;
        if allowed {
            log.hits.push_back(now);
        }
        let used = log.hits.len() as u64;
        let reset_at = log.hits.front().map_or(now, |t| *t + window).timestamp();
        RateDecision {
            allowed,
            limit: limit.limit,
            used,
            remaining: limit.limit.saturating_sub(used),
            reset_at,
        }
    }
}

/// Extras of a seeded creator (kept in `Account::extra`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreatorProfile {
    pub private_account: bool,
    pub union_id: String,
    pub bio_description: String,
    pub is_verified: bool,
    pub comment_disabled: bool,
    pub duet_disabled: bool,
    pub stitch_disabled: bool,
    pub max_video_post_duration_sec: u32,
}

impl Default for CreatorProfile {
    fn default() -> Self {
        Self {
            private_account: false,
            union_id: String::new(),
            bio_description: String::new(),
            is_verified: false,
            comment_disabled: false,
            duet_disabled: false,
            stitch_disabled: false,
            max_video_post_duration_sec: 600,
        }
    }
}

impl CreatorProfile {
    /// The profile of an account (defaults if its extras are missing).
    pub fn of(account: &Account) -> Self {
        serde_json::from_value(account.extra.clone()).unwrap_or_default()
    }

    /// `privacy_level_options` for this creator.
    pub fn privacy_options(&self, audited: bool) -> Vec<&'static str> {
        if !audited {
            vec!["SELF_ONLY"]
        } else if self.private_account {
            vec!["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        } else {
            vec!["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        }
    }
}

fn seed_profile(open_id: &str) -> CreatorProfile {
    let private_account = open_id == TIKTOK_ACCOUNT_PRIVATE.0;
    CreatorProfile {
        private_account,
        union_id: format!("union.{}", &sha256_hex(open_id.as_bytes())[..24]),
        bio_description: if private_account {
            "Private test account of the CreatorFlow sandbox".into()
        } else {
            "Public test account of the CreatorFlow sandbox".into()
        },
        is_verified: !private_account,
        comment_disabled: false,
        duet_disabled: private_account,
        stitch_disabled: private_account,
        max_video_post_duration_sec: if private_account { 300 } else { 600 },
    }
}

/// The TikTok module.
#[derive(Clone, Copy, Debug, Default)]
pub struct TikTokModule;

impl PlatformModule for TikTokModule {
    fn id(&self) -> &'static str {
        PLATFORM
    }

    fn display_name(&self) -> &'static str {
        "TikTok"
    }

    fn prefix(&self) -> &'static str {
        "/tiktok"
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[
            "https://www.tiktok.com",
            "https://open.tiktokapis.com",
            "https://open-upload.tiktokapis.com (under /tiktok/upload)",
        ]
    }

    fn seed(&self, core: &mut PlatformCore) {
        for (id, user, name) in [TIKTOK_ACCOUNT_PUBLIC, TIKTOK_ACCOUNT_PRIVATE] {
            if core.account(id).is_none() {
                let mut a = Account::new(id, user, name);
                a.extra = serde_json::to_value(seed_profile(id)).unwrap_or(Value::Null);
                core.accounts.push(a);
            }
        }
        core.seed_client(SeedClient {
            id: TIKTOK_CLIENT_KEY,
            name: "CreatorFlow (sandbox)",
            client_type: ClientType::Confidential,
            secret: Some(TIKTOK_CLIENT_SECRET),
            redirect_uris: TIKTOK_REDIRECT_URIS,
            redirect_match: RedirectMatch::Exact,
        });
    }

    fn router(&self) -> Router<Sandbox> {
        Router::new()
            .route("/v2/auth/authorize/", get(oauth::authorize))
            .route("/v2/oauth/token/", post(oauth::token))
            .route("/v2/oauth/revoke/", post(oauth::revoke))
            .route("/v2/user/info/", get(user::user_info))
            .route(
                "/v2/post/publish/creator_info/query/",
                post(user::creator_info),
            )
            .route("/v2/post/publish/video/init/", post(publish::video_init))
            .route(
                "/v2/post/publish/inbox/video/init/",
                post(publish::inbox_init),
            )
            .route(
                "/v2/post/publish/content/init/",
                post(publish::content_init),
            )
            .route(
                "/v2/post/publish/status/fetch/",
                post(publish::status_fetch),
            )
            .route("/v2/video/query/", post(metrics::video_query))
            // Sandbox only: the creator deletes a video in the TikTok app.
            .route("/_sandbox/videos/{id}", delete(metrics::delete_video))
            // The body is streamed and its size enforced by the handler.
            .route("/upload/video/", put(upload::put_chunk))
            // https://www.tiktok.com/@{username} and /@{username}/video/{id}.
            .route("/{handle}", get(pages::profile_page))
            .route("/{handle}/video/{id}", get(pages::video_page))
    }

    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        let code = match status.as_u16() {
            401 => "access_token_invalid",
            429 => "rate_limit_exceeded",
            s if s >= 500 => "internal_error",
            _ => "invalid_params",
        };
        // The log id is cosmetic; this hook has no access to the emulated clock.
        api_error(status, code, message, Utc::now())
    }

    fn rate_limited_response(&self, _limit: u64, _reset_at: i64, _now: i64) -> Response {
        rate_limited(Utc::now())
    }

    fn token_policy(&self) -> TokenPolicy {
        TikTokSettings::default().token_policy()
    }

    fn token_policy_in(&self, state: &SandboxState) -> TokenPolicy {
        state.tiktok.settings.token_policy()
    }

    fn default_scopes(&self) -> Vec<String> {
        TIKTOK_SCOPES.iter().map(|s| s.to_string()).collect()
    }

    fn settings(&self, state: &SandboxState) -> Value {
        serde_json::to_value(&state.tiktok.settings).unwrap_or(Value::Null)
    }

    fn update_settings(&self, state: &mut SandboxState, patch: Value) -> Result<(), String> {
        let mut current =
            serde_json::to_value(&state.tiktok.settings).map_err(|e| e.to_string())?;
        let (Value::Object(cur), Value::Object(p)) = (&mut current, patch) else {
            return Err("settings must be a JSON object".into());
        };
        for (k, v) in p {
            if !cur.contains_key(&k) {
                return Err(format!("unknown TikTok setting {k:?}"));
            }
            cur.insert(k, v);
        }
        let new: TikTokSettings = serde_json::from_value(current).map_err(|e| e.to_string())?;
        new.validate()?;
        state.tiktok.settings = new;
        Ok(())
    }
}

// ----- wire helpers -------------------------------------------------------------------

/// A TikTok `log_id`: `YYYYMMDDHHMMSS` + 20 upper-case hex digits.
pub(crate) fn log_id(now: DateTime<Utc>) -> String {
    let r: [u8; 10] = rand::random();
    format!("{}{}", now.format("%Y%m%d%H%M%S"), hex::encode_upper(r))
}

fn json_with_status(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// `200 {"data": data, "error": {"code":"ok","message":"","log_id":..}}`.
pub(crate) fn api_ok(data: Value, now: DateTime<Utc>) -> Response {
    json_with_status(
        StatusCode::OK,
        &json!({
            "data": data,
            "error": { "code": "ok", "message": "", "log_id": log_id(now) },
        }),
    )
}

/// An error in the v2 envelope: `{"data":{},"error":{code,message,log_id}}`.
pub(crate) fn api_error(
    status: StatusCode,
    code: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Response {
    json_with_status(
        status,
        &json!({
            "data": {},
            "error": { "code": code, "message": message, "log_id": log_id(now) },
        }),
    )
}

/// `400 invalid_params`.
pub(crate) fn invalid_params(message: &str, now: DateTime<Utc>) -> Response {
    api_error(StatusCode::BAD_REQUEST, "invalid_params", message, now)
}

/// `401 access_token_invalid`.
pub(crate) fn access_token_invalid(now: DateTime<Utc>) -> Response {
    api_error(
        StatusCode::UNAUTHORIZED,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
        now,
    )
}

/// `429 rate_limit_exceeded`.
pub(crate) fn rate_limited(now: DateTime<Utc>) -> Response {
    api_error(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_exceeded",
        "API rate limit exceeded, please retry later.",
        now,
    )
}

/// A policy error (`spam_risk_*`, `privacy_level_option_mismatch` ...) with the
/// status of the `policy_error_status` setting (403 by default).
pub(crate) fn policy_error(
    settings: &TikTokSettings,
    code: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Response {
    let status =
        StatusCode::from_u16(settings.policy_error_status).unwrap_or(StatusCode::FORBIDDEN);
    api_error(status, code, message, now)
}

/// The authenticated caller of an API endpoint.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub token: AccessTokenRecord,
    pub account: Account,
}

/// Authenticates the bearer token, counts the request in the token's sliding window
/// of `limit_name`, then checks that the token has one of `any_scope` (if any).
pub(crate) fn authenticate(
    sb: &Sandbox,
    headers: &HeaderMap,
    limit_name: &str,
    any_scope: &[&str],
) -> Result<Caller, Response> {
    let token = bearer_token(headers);
    sb.with_state(|st| {
        let now = st.now();
        let core = st.core(PLATFORM);
        let Ok(rec) = core.oauth.check_bearer(token.as_deref(), now).cloned() else {
            return Err(access_token_invalid(now));
        };
        let Some(account) = core.account(&rec.account_id).cloned() else {
            return Err(access_token_invalid(now));
        };
        let limit = core.rate.effective(limit_name, limits::of(limit_name));
        let subject = format!(
            "token:{}",
            &sha256_hex(token.as_deref().unwrap_or("").as_bytes())[..16]
        );
        let decision = st.tiktok.sliding_hit(limit, limit_name, &subject, now);
        if !decision.allowed {
            return Err(rate_limited(now));
        }
        if !any_scope.is_empty() && !any_scope.iter().any(|s| rec.has_scope(s)) {
            return Err(api_error(
                StatusCode::UNAUTHORIZED,
                "scope_not_authorized",
                &format!(
                    "The user did not authorize the scope required for completing this request ({}).",
                    any_scope.join(" or ")
                ),
                now,
            ));
        }
        Ok(Caller {
            token: rec,
            account,
        })
    })
}

/// Length in UTF-16 code units (how TikTok counts caption characters).
pub(crate) fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_frees_one_slot_at_a_time() {
        let mut st = TikTokState::default();
        let t0 = Utc::now();
        let l = Limit::per_secs(2, 60);
        assert!(st.sliding_hit(l, "n", "s", t0).allowed);
        assert!(
            st.sliding_hit(l, "n", "s", t0 + Duration::seconds(50))
                .allowed
        );
        assert!(
            !st.sliding_hit(l, "n", "s", t0 + Duration::seconds(55))
                .allowed
        );
        // The first hit leaves the window at t0+60; the second is still inside.
        assert!(
            st.sliding_hit(l, "n", "s", t0 + Duration::seconds(61))
                .allowed
        );
        assert!(
            !st.sliding_hit(l, "n", "s", t0 + Duration::seconds(62))
                .allowed
        );
        // A fixed window would have allowed two here; the sliding one frees at t0+110.
        assert!(
            st.sliding_hit(l, "n", "s", t0 + Duration::seconds(111))
                .allowed
        );
    }

    #[test]
    fn privacy_options_follow_account_and_audit() {
        let public = seed_profile(TIKTOK_ACCOUNT_PUBLIC.0);
        let private = seed_profile(TIKTOK_ACCOUNT_PRIVATE.0);
        assert!(public.privacy_options(true).contains(&"PUBLIC_TO_EVERYONE"));
        assert!(
            !private
                .privacy_options(true)
                .contains(&"PUBLIC_TO_EVERYONE")
        );
        assert_eq!(public.privacy_options(false), vec!["SELF_ONLY"]);
    }

    #[test]
    fn default_settings_are_decimal_and_unaudited() {
        let s = TikTokSettings::default();
        assert_eq!(s.min_chunk_size, 5_000_000);
        assert_eq!(s.max_chunk_size, 64_000_000);
        assert_eq!(s.max_final_chunk_size, 128_000_000);
        assert_eq!(s.max_video_size, 4_000_000_000);
        assert!(!s.audited, "every client starts unaudited");
        assert!(!s.strict_final_chunk);
        assert_eq!(s.validate(), Ok(()));
        // A state file written before `strict_final_chunk` existed still loads.
        let mut old = serde_json::to_value(&s).unwrap_or(Value::Null);
        if let Some(o) = old.as_object_mut() {
            o.remove("strict_final_chunk");
        }
        let loaded: Result<TikTokSettings, _> = serde_json::from_value(old);
        assert_eq!(loaded.ok(), Some(s));
    }

    #[test]
    fn utf16_counts_surrogate_pairs() {
        assert_eq!(utf16_len("a😀"), 3);
    }
}
