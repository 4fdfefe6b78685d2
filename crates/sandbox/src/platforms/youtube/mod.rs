//! YouTube Data API v3 + Google OAuth 2.0 (installed apps) emulator.
//!
//! `/youtube` stands for `https://accounts.google.com`, `https://oauth2.googleapis.com`
//! and `https://www.googleapis.com` (including `/upload/...`). Contract:
//! docs/platforms/youtube.md (§10: what the emulator must model), and
//! docs/platforms/desktop-oauth.md §4.4 (Google).
//!
//! - [`oauth`]: authorize (loopback redirects, PKCE), token (code, refresh), revoke,
//!   userinfo, tokeninfo.
//! - [`upload`]: the resumable upload protocol of `videos.insert`.
//! - [`videos`]: `videos.list/update/delete`, `channels.list`, `thumbnails.set`.
//! - [`quota`]: the daily quota ledger (current and legacy cost models).
//! - [`metadata`]: video resource validation and rendering.
//! - [`metrics`]: the `statistics` part of a video (views, likes, comments),
//!   growing over the emulated clock.
//! - `watch`: `GET /watch?v=ID`, the video's page (`https://www.youtube.com/watch`).

use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::core::oauth::{
    AccessTokenRecord, ClientType, OAuthClient, RedirectMatch, RefreshPolicy, TokenPolicy,
};
use crate::core::platform::{Account, PlatformCore, PlatformModule, SeedClient};
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::{bearer_token, form_get};

pub mod metadata;
pub mod metrics;
mod oauth;
pub mod quota;
mod upload;
mod videos;
mod watch;

/// Platform id.
pub const PLATFORM: &str = "youtube";

/// Seeded "Desktop app" OAuth client (Google's installed-app type). Its secret is
/// sent at the token endpoint but is not confidential (it ships in the binary).
pub const YOUTUBE_DESKTOP_CLIENT_ID: &str =
    "creatorflow-sandbox-youtube.apps.googleusercontent.com";
/// Secret of the Desktop client (required at the token endpoint unless the
/// `desktop_client_secret_required` setting is off).
pub const YOUTUBE_DESKTOP_CLIENT_SECRET: &str = "GOCSPX-creatorflow-sandbox-youtube";
/// The redirect URI CreatorFlow uses with the Desktop client: loopback, **any
/// port** (`http://127.0.0.1:53682/oauth/youtube/callback` matches), path exact.
pub const YOUTUBE_DESKTOP_REDIRECT_URI: &str = "http://127.0.0.1/oauth/youtube/callback";
/// Every loopback redirect URI the Desktop client accepts (any port each). The
/// `/` ones are what Google's own libraries (`InstalledAppFlow`) send.
pub const YOUTUBE_DESKTOP_REDIRECT_URIS: &[&str] = &[
    YOUTUBE_DESKTOP_REDIRECT_URI,
    "http://[::1]/oauth/youtube/callback",
    "http://localhost/oauth/youtube/callback",
    "http://127.0.0.1/",
    "http://[::1]/",
    "http://localhost/",
];
/// Seeded "Web application" client: exact redirect match, secret always required.
pub const YOUTUBE_WEB_CLIENT_ID: &str =
    "creatorflow-sandbox-youtube-web.apps.googleusercontent.com";
/// Secret of the Web client.
pub const YOUTUBE_WEB_CLIENT_SECRET: &str = "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web";
/// Redirect URIs of the Web client (exact match, port included).
pub const YOUTUBE_WEB_REDIRECT_URIS: &[&str] = &["http://127.0.0.1:47615/oauth/youtube/callback"];

/// First demo channel: `(channel id, username, title)`. Its handle is `@sandboxcreator`.
pub const YOUTUBE_CHANNEL_CREATOR: (&str, &str, &str) = (
    "UCSandboxCreatorChannel1",
    "sandboxcreator",
    "Sandbox Creator",
);
/// Second demo channel (handle `@sandboxstudio`).
pub const YOUTUBE_CHANNEL_STUDIO: (&str, &str, &str) = (
    "UCSandboxStudiosChannel2",
    "sandboxstudio",
    "Sandbox Studio",
);
/// Google account ids (`sub`) of the owners of the two channels.
pub const YOUTUBE_GOOGLE_SUBS: (&str, &str) = ("110000000000000000001", "110000000000000000002");

/// `youtube.upload`: upload videos (and set thumbnails).
pub const SCOPE_UPLOAD: &str = "https://www.googleapis.com/auth/youtube.upload";
/// `youtube`: manage the account.
pub const SCOPE_YOUTUBE: &str = "https://www.googleapis.com/auth/youtube";
/// `youtube.force-ssl`: see, edit and permanently delete videos, ratings, comments.
pub const SCOPE_FORCE_SSL: &str = "https://www.googleapis.com/auth/youtube.force-ssl";
/// `youtube.readonly`: view the account.
pub const SCOPE_READONLY: &str = "https://www.googleapis.com/auth/youtube.readonly";
/// `youtubepartner`.
pub const SCOPE_PARTNER: &str = "https://www.googleapis.com/auth/youtubepartner";
/// `youtubepartner-channel-audit`.
pub const SCOPE_PARTNER_AUDIT: &str =
    "https://www.googleapis.com/auth/youtubepartner-channel-audit";
/// `email` is granted as this.
pub const SCOPE_EMAIL: &str = "https://www.googleapis.com/auth/userinfo.email";
/// `profile` is granted as this.
pub const SCOPE_PROFILE: &str = "https://www.googleapis.com/auth/userinfo.profile";
/// OpenID Connect.
pub const SCOPE_OPENID: &str = "openid";

/// Scopes the authorize endpoint accepts (after mapping `email`/`profile`).
pub const YOUTUBE_SCOPES: &[&str] = &[
    SCOPE_UPLOAD,
    SCOPE_YOUTUBE,
    SCOPE_FORCE_SSL,
    SCOPE_READONLY,
    SCOPE_PARTNER,
    SCOPE_PARTNER_AUDIT,
    SCOPE_EMAIL,
    SCOPE_PROFILE,
    SCOPE_OPENID,
];

/// Scopes minted by `POST /_sandbox/tokens` when none are given.
pub const YOUTUBE_DEFAULT_SCOPES: &[&str] = &[SCOPE_UPLOAD, SCOPE_READONLY, SCOPE_FORCE_SSL];

/// Scopes of each method (any one of them suffices).
pub mod scopes {
    use super::*;
    /// `videos.insert`, `thumbnails.set`.
    pub const UPLOAD: &[&str] = &[SCOPE_UPLOAD, SCOPE_YOUTUBE, SCOPE_FORCE_SSL, SCOPE_PARTNER];
    /// `videos.list`, `channels.list`.
    pub const READ: &[&str] = &[
        SCOPE_READONLY,
        SCOPE_YOUTUBE,
        SCOPE_FORCE_SSL,
        SCOPE_PARTNER,
    ];
    /// `videos.update`, `videos.delete`.
    pub const MANAGE: &[&str] = &[SCOPE_YOUTUBE, SCOPE_FORCE_SSL, SCOPE_PARTNER];
}

/// Authorization code lifetime (about 10 minutes; unverified).
pub const CODE_LIFETIME_SECS: i64 = 600;
/// Access tokens live an hour; the token response says `expires_in: 3599`.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 3599;
/// Refresh tokens of an app in "Testing" publishing status die after 7 days.
pub const TESTING_REFRESH_TOKEN_TTL_SECS: i64 = 7 * 24 * 3600;
/// Resumable upload chunk granularity: 256 KiB.
pub const CHUNK_GRANULARITY: u64 = 262_144;
/// Largest video file (256 GB).
pub const MAX_VIDEO_BYTES: u64 = 256 * 1024 * 1024 * 1024;
/// Largest custom thumbnail (2 MB).
pub const MAX_THUMBNAIL_BYTES: u64 = 2 * 1024 * 1024;

/// `status.failureReason` values of the `video` resource.
pub const FAILURE_REASONS: &[&str] = &[
    "codec",
    "conversion",
    "emptyFile",
    "invalidFile",
    "tooSmall",
    "uploadAborted",
];
/// `status.rejectionReason` values of the `video` resource.
pub const REJECTION_REASONS: &[&str] = &[
    "claim",
    "copyright",
    "duplicate",
    "inappropriate",
    "legal",
    "length",
    "termsOfUse",
    "trademark",
    "uploaderAccountClosed",
    "uploaderAccountSuspended",
];
/// `processingDetails.processingFailureReason` values.
pub const PROCESSING_FAILURE_REASONS: &[&str] = &[
    "other",
    "streamingFailed",
    "transcodeFailed",
    "uploadFailed",
];
/// `processingDetails.processingStatus` a rejected video may be configured to end in
/// (`rejected_processing_status`).
pub const REJECTED_PROCESSING_STATUSES: &[&str] = &["terminated", "failed", "succeeded"];
/// `processingDetails.processingProgress.partsTotal` while a video is processing.
pub const PROCESSING_PARTS_TOTAL: u64 = 1000;

/// The `processingFailureReason` that goes with a `failureReason` when the
/// `processing_failure_reason` setting does not name one (our own mapping; Google
/// documents no correspondence): `codec`, `conversion`, `invalidFile` →
/// `transcodeFailed`; `emptyFile`, `tooSmall`, `uploadAborted` → `uploadFailed`;
/// anything else → `other`.
pub fn derived_processing_failure_reason(failure_reason: &str) -> &'static str {
    match failure_reason {
        "codec" | "conversion" | "invalidFile" => "transcodeFailed",
        "emptyFile" | "tooSmall" | "uploadAborted" => "uploadFailed",
        _ => "other",
    }
}

/// How a video's processing ends (`upload_status` is the tag).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "upload_status", rename_all = "snake_case")]
pub enum ProcessingResult {
    /// `uploadStatus: processed`, `processingStatus: succeeded`.
    Processed,
    /// `uploadStatus: failed` + `failureReason`; `processingStatus: failed` +
    /// `processingFailureReason`.
    Failed {
        failure_reason: String,
        processing_failure_reason: String,
    },
    /// `uploadStatus: rejected` + `rejectionReason`; `processingStatus` as given.
    Rejected {
        rejection_reason: String,
        processing_status: String,
    },
}

/// A video's processing, decided from the settings when its upload completes, so
/// later changes of the settings do not touch videos already uploaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingOutcome {
    /// Emulated seconds from the upload to the end of processing.
    pub processing_secs: i64,
    #[serde(flatten)]
    pub result: ProcessingResult,
}

impl ProcessingOutcome {
    /// The outcome the settings give a video uploaded now: rejected if
    /// `reject_processing` names a reason, else failed with `fail_processing`, else
    /// processed.
    pub fn decide(settings: &YouTubeSettings) -> Self {
        let result = if let Some(reason) = &settings.reject_processing {
            ProcessingResult::Rejected {
                rejection_reason: reason.clone(),
                processing_status: settings.rejected_processing_status.clone(),
            }
        } else if settings.fail_processing {
            let failure = settings.fail_processing_reason.clone();
            let processing = settings
                .processing_failure_reason
                .clone()
                .unwrap_or_else(|| derived_processing_failure_reason(&failure).to_string());
            ProcessingResult::Failed {
                failure_reason: failure,
                processing_failure_reason: processing,
            }
        } else {
            ProcessingResult::Processed
        };
        Self {
            processing_secs: settings.processing_secs.max(0),
            result,
        }
    }
}

/// Quota cost model (`quota_model` setting). See the README and
/// docs/platforms/youtube.md §8.1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaModel {
    /// `videos.insert` in its own bucket of `insert_calls_per_day` calls (1 per
    /// call); every other method in the shared `daily_quota_units` pool.
    #[default]
    Current,
    /// One pool of `daily_quota_units`; `videos.insert` costs `legacy_insert_cost`.
    Legacy,
}

/// The Google Cloud project's OAuth consent-screen publishing status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishingStatus {
    #[default]
    InProduction,
    /// External app in "Testing": refresh tokens expire 7 days after issue.
    Testing,
}

/// Tunables (`GET/POST /_sandbox/settings/youtube`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct YouTubeSettings {
    /// The API project passed the compliance audit. `false` (a project created
    /// after 28 Jul 2020 that was not audited): every upload is forced private.
    pub audited: bool,
    pub quota_model: QuotaModel,
    /// Units per Pacific day per project (client id).
    pub daily_quota_units: u64,
    /// `videos.insert` calls per Pacific day per project (current model).
    pub insert_calls_per_day: u64,
    /// Units of one `videos.insert` in the legacy model.
    pub legacy_insert_cost: u64,
    /// Videos a channel may upload in any rolling 24 h (`uploadLimitExceeded`).
    /// The real number is not published; 0 = no limit.
    pub channel_uploads_per_24h: u64,
    pub publishing_status: PublishingStatus,
    /// While true, every `refresh_token` grant fails with `invalid_grant` and the
    /// presented refresh token's grant is revoked (the user removed the app).
    pub force_invalid_grant: bool,
    /// Desktop clients must send their (non-confidential) `client_secret`.
    pub desktop_client_secret_required: bool,
    /// A refresh token unused for this many days dies (0 = never).
    pub refresh_token_idle_days: i64,
    /// Lifetime of a resumable upload session (about a week; unverified).
    pub session_ttl_secs: i64,
    /// Non-final chunks must be a multiple of this many bytes.
    pub chunk_granularity: u64,
    /// `snippet.description` limit.
    pub description_max: u64,
    /// The description limit counts UTF-8 bytes (the reference says bytes);
    /// `false` counts characters.
    pub description_counts_bytes: bool,
    /// `snippet.title` limit in characters.
    pub title_max_chars: u64,
    /// Total `snippet.tags` limit (a tag with a space counts its two quotes).
    pub tags_max_chars: u64,
    /// Also count one comma between tags towards the tags limit (unverified).
    pub tags_count_commas: bool,
    /// Channels that are not verified: `thumbnails.set` answers 403.
    pub unverified_channels: Vec<String>,
    /// Emulated seconds after the upload until processing ends (`uploadStatus`
    /// leaves `uploaded`). Fixed per video when its upload completes.
    pub processing_secs: i64,
    /// Processing ends in `uploadStatus: failed` with `failureReason:
    /// fail_processing_reason`. Decided per video when its upload completes.
    pub fail_processing: bool,
    /// `status.failureReason` of a failed video (one of [`FAILURE_REASONS`]).
    pub fail_processing_reason: String,
    /// `processingDetails.processingFailureReason` of a failed video (one of
    /// [`PROCESSING_FAILURE_REASONS`]); `None` derives it from the failure reason
    /// (see [`derived_processing_failure_reason`]).
    pub processing_failure_reason: Option<String>,
    /// Processing ends in `uploadStatus: rejected` with this `rejectionReason`
    /// (one of [`REJECTION_REASONS`]); wins over `fail_processing`.
    pub reject_processing: Option<String>,
    /// `processingDetails.processingStatus` of a rejected video. `terminated` is
    /// what we believe Google reports (unverified): `terminated`, `failed` or
    /// `succeeded`.
    pub rejected_processing_status: String,
    /// Status of the response that completes an upload (200 or 201).
    pub upload_complete_status: u16,
    /// Hash each upload as it arrives (the received video's `sha256`). Off
    /// for throughput benchmarks, where the hashing would be the emulator's
    /// cost, not the client's.
    pub hash_uploads: bool,
    /// `statistics.viewCount` a video reaches about a week after it can be
    /// watched (times a per-video factor between 0.5 and 1.5; see
    /// [`metrics`]). Our own figure: YouTube publishes none.
    pub stats_views_full: u64,
    /// The same for `statistics.likeCount`.
    pub stats_likes_full: u64,
    /// The same for `statistics.commentCount`.
    pub stats_comments_full: u64,
    /// The same for `statistics.dislikeCount`, which only the owner's
    /// requests see (private since 13 December 2021).
    pub stats_dislikes_full: u64,
    /// Videos (ids) whose creator hides the like count: `likeCount` and
    /// `dislikeCount` are left out of `statistics`.
    pub stats_likes_hidden: Vec<String>,
    /// Videos (ids) with comments turned off: `commentCount` is left out.
    pub stats_comments_off: Vec<String>,
    /// Videos declared made for kids have comments off (YouTube turns
    /// comments off on such videos), so `commentCount` is left out.
    pub stats_kids_comments_off: bool,
    /// Private videos gather numbers too. Off by default: nobody but the
    /// owner can watch a private video, so its numbers stay at 0.
    pub stats_private_grow: bool,
}

impl Default for YouTubeSettings {
    fn default() -> Self {
        Self {
            audited: false,
            quota_model: QuotaModel::Current,
            daily_quota_units: 10_000,
            insert_calls_per_day: 100,
            legacy_insert_cost: 1600,
            channel_uploads_per_24h: 50,
            publishing_status: PublishingStatus::InProduction,
            force_invalid_grant: false,
            desktop_client_secret_required: true,
            refresh_token_idle_days: 180,
            session_ttl_secs: 7 * 24 * 3600,
            chunk_granularity: CHUNK_GRANULARITY,
            description_max: 5000,
            description_counts_bytes: true,
            title_max_chars: 100,
            tags_max_chars: 500,
            tags_count_commas: false,
            unverified_channels: Vec::new(),
            processing_secs: 30,
            fail_processing: false,
            fail_processing_reason: "conversion".into(),
            processing_failure_reason: None,
            reject_processing: None,
            rejected_processing_status: "terminated".into(),
            upload_complete_status: 200,
            hash_uploads: true,
            stats_views_full: 20_000,
            stats_likes_full: 800,
            stats_comments_full: 60,
            stats_dislikes_full: 25,
            stats_likes_hidden: Vec::new(),
            stats_comments_off: Vec::new(),
            stats_kids_comments_off: true,
            stats_private_grow: false,
        }
    }
}

/// `snippet` of a video as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VideoSnippet {
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
    pub category_id: String,
    pub default_language: Option<String>,
    pub default_audio_language: Option<String>,
}

/// `status` of a video as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VideoStatus {
    /// `public`, `unlisted` or `private` as set (see [`Video::effective_privacy`]).
    pub privacy_status: String,
    /// Scheduled publication (only with `private`).
    pub publish_at: Option<DateTime<Utc>>,
    /// `youtube` or `creativeCommon`.
    pub license: String,
    pub embeddable: bool,
    pub public_stats_viewable: bool,
    pub self_declared_made_for_kids: Option<bool>,
    pub contains_synthetic_media: Option<bool>,
}

/// A custom thumbnail (only size and digest are kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbnail {
    pub mime: String,
    pub size: u64,
    pub sha256: String,
    pub set_at: DateTime<Utc>,
}

/// An uploaded video.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Video {
    pub id: String,
    pub channel_id: String,
    /// The OAuth client (project) that uploaded it.
    pub client_id: String,
    pub snippet: VideoSnippet,
    pub status: VideoStatus,
    /// The privacy the client asked for (differs when the project is unaudited).
    pub requested_privacy: String,
    /// Forced private because the project is not audited.
    pub locked_private: bool,
    pub mime: String,
    pub size: u64,
    /// `None` when the upload was resumed across a sandbox restart.
    pub sha256: Option<String>,
    pub notify_subscribers: bool,
    pub uploaded_at: DateTime<Utc>,
    pub thumbnail: Option<Thumbnail>,
    pub deleted: bool,
    pub deleted_at: Option<DateTime<Utc>>,
    /// How processing ends, fixed when the upload completed. `None` in state files
    /// written before it existed: such videos follow the current settings.
    #[serde(default)]
    pub processing_outcome: Option<ProcessingOutcome>,
}

impl Video {
    /// Privacy as the API reports it now: a private video whose `publishAt` has
    /// passed is public.
    pub fn effective_privacy(&self, now: DateTime<Utc>) -> &str {
        match self.status.publish_at {
            Some(t) if t <= now && self.status.privacy_status == "private" => "public",
            _ => &self.status.privacy_status,
        }
    }
}

/// A resumable upload session (`videos.insert` with `uploadType=resumable`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadSession {
    pub upload_id: String,
    pub channel_id: String,
    pub client_id: String,
    pub snippet: VideoSnippet,
    pub status: VideoStatus,
    pub requested_privacy: String,
    pub locked_private: bool,
    /// Parts of the response (`part` of the initial request).
    pub parts: Vec<String>,
    pub notify_subscribers: bool,
    /// `X-Upload-Content-Length` of the initial request.
    pub declared_length: Option<u64>,
    /// `X-Upload-Content-Type` of the initial request.
    pub declared_type: Option<String>,
    /// Total size, once known (declared, or from a `Content-Range`).
    pub total: Option<u64>,
    /// Bytes received so far (always contiguous from 0).
    pub received: u64,
    /// `Content-Type` of the first data request.
    pub mime: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Set once the upload completed.
    pub video_id: Option<String>,
    /// Body bytes of every `PUT` to this session, kept or not (a chunk sent
    /// again, one at the wrong offset, one cut off): what the client sent,
    /// for tests that measure re-sent data. Requests answered by an injected
    /// fault never reach the session and are not counted.
    #[serde(default)]
    pub bytes_seen: u64,
}

/// An OAuth grant of one account to one client (what the user consented to).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub client_id: String,
    pub account_id: String,
    pub scopes: Vec<String>,
    /// An offline grant (refresh token) was consented to.
    pub offline: bool,
    /// Token families issued under this grant (revoked together).
    pub families: Vec<String>,
    pub granted_at: DateTime<Utc>,
}

/// YouTube-specific state.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct YouTubeState {
    pub settings: YouTubeSettings,
    pub videos: BTreeMap<String, Video>,
    pub sessions: BTreeMap<String, UploadSession>,
    /// Grants by `"{client_id}|{account_id}"`.
    pub grants: BTreeMap<String, Grant>,
    /// Last use of each refresh token, by SHA-256 of the token.
    pub refresh_last_used: BTreeMap<String, DateTime<Utc>>,
    /// In-order digests of the open sessions: upload id -> (bytes hashed, hasher).
    /// Runtime only: a session resumed after a restart has no SHA-256.
    #[serde(skip)]
    pub hashers: HashMap<String, (u64, sha2::Sha256)>,
}

impl YouTubeState {
    pub fn grant_key(client_id: &str, account_id: &str) -> String {
        format!("{client_id}|{account_id}")
    }

    /// Forgets expired sessions (a week after their expiry) so the state stays small.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let horizon = now - Duration::days(7);
        self.sessions.retain(|_, s| s.expires_at > horizon);
        let live: std::collections::HashSet<&String> = self.sessions.keys().collect();
        self.hashers.retain(|k, _| live.contains(k));
    }
}

/// The YouTube module.
#[derive(Clone, Copy, Debug, Default)]
pub struct YouTubeModule;

fn seed_extra(sub: &str, handle: &str, email: &str, description: &str, published: &str) -> Value {
    json!({
        "google_sub": sub,
        "custom_url": format!("@{handle}"),
        "email": email,
        "description": description,
        "published_at": published,
        "country": "US",
    })
}

impl PlatformModule for YouTubeModule {
    fn id(&self) -> &'static str {
        PLATFORM
    }

    fn display_name(&self) -> &'static str {
        "YouTube"
    }

    fn prefix(&self) -> &'static str {
        "/youtube"
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[
            "https://accounts.google.com",
            "https://oauth2.googleapis.com",
            "https://www.googleapis.com",
            "https://www.youtube.com",
        ]
    }

    fn seed(&self, core: &mut PlatformCore) {
        let seeds = [
            (
                YOUTUBE_CHANNEL_CREATOR,
                YOUTUBE_GOOGLE_SUBS.0,
                "sandbox.creator@example.com",
                "Videos about making videos. A CreatorFlow sandbox channel.",
                "2015-06-01T12:00:00Z",
            ),
            (
                YOUTUBE_CHANNEL_STUDIO,
                YOUTUBE_GOOGLE_SUBS.1,
                "sandbox.studio@example.com",
                "The studio's second channel. A CreatorFlow sandbox channel.",
                "2019-02-14T09:30:00Z",
            ),
        ];
        for ((id, user, name), sub, email, description, published) in seeds {
            if core.account(id).is_none() {
                let mut a = Account::new(id, user, name);
                a.extra = seed_extra(sub, user, email, description, published);
                core.accounts.push(a);
            }
        }
        core.seed_client(SeedClient {
            id: YOUTUBE_DESKTOP_CLIENT_ID,
            name: "CreatorFlow (sandbox)",
            client_type: ClientType::Public,
            secret: Some(YOUTUBE_DESKTOP_CLIENT_SECRET),
            redirect_uris: YOUTUBE_DESKTOP_REDIRECT_URIS,
            redirect_match: RedirectMatch::LoopbackAnyPort,
        });
        core.seed_client(SeedClient {
            id: YOUTUBE_WEB_CLIENT_ID,
            name: "CreatorFlow Web (sandbox)",
            client_type: ClientType::Confidential,
            secret: Some(YOUTUBE_WEB_CLIENT_SECRET),
            redirect_uris: YOUTUBE_WEB_REDIRECT_URIS,
            redirect_match: RedirectMatch::Exact,
        });
    }

    fn router(&self) -> Router<Sandbox> {
        Router::new()
            // accounts.google.com
            .route("/o/oauth2/v2/auth", get(oauth::authorize))
            .route("/o/oauth2/auth", get(oauth::authorize))
            // oauth2.googleapis.com (and the older www.googleapis.com alias)
            .route("/token", post(oauth::token))
            .route("/oauth2/v4/token", post(oauth::token))
            .route("/revoke", post(oauth::revoke))
            .route("/o/oauth2/revoke", get(oauth::revoke).post(oauth::revoke))
            .route(
                "/oauth2/v3/tokeninfo",
                get(oauth::tokeninfo).post(oauth::tokeninfo),
            )
            // www.googleapis.com
            .route("/oauth2/v3/userinfo", get(oauth::userinfo))
            .route("/youtube/v3/channels", get(videos::channels_list))
            .route(
                "/youtube/v3/videos",
                get(videos::videos_list)
                    .put(videos::videos_update)
                    .delete(videos::videos_delete),
            )
            .route(
                "/upload/youtube/v3/videos",
                post(upload::initiate).put(upload::put),
            )
            .route(
                "/upload/youtube/v3/thumbnails/set",
                post(videos::thumbnails_set),
            )
            // www.youtube.com: the page a published video's link opens.
            .route("/watch", get(watch::watch_page))
            // Sizes are enforced by the handlers while streaming.
            .layer(DefaultBodyLimit::disable())
    }

    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        ApiError::new(status, generic_reason(status), "global", message)
            .with_status_name()
            .response()
    }

    fn rate_limited_response(&self, _limit: u64, reset_at: i64, now: i64) -> Response {
        let mut r = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rateLimitExceeded",
            "usageLimits",
            "Resource has been exhausted (e.g. check quota).",
        )
        .with_status_name()
        .response();
        let retry = (reset_at - now).max(0);
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry));
        r
    }

    fn token_policy(&self) -> TokenPolicy {
        token_policy(&YouTubeSettings::default())
    }

    fn token_policy_in(&self, state: &SandboxState) -> TokenPolicy {
        token_policy(&state.youtube.settings)
    }

    fn default_scopes(&self) -> Vec<String> {
        YOUTUBE_DEFAULT_SCOPES
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn settings(&self, state: &SandboxState) -> Value {
        let mut v = serde_json::to_value(&state.youtube.settings).unwrap_or(Value::Null);
        if let Value::Object(obj) = &mut v {
            obj.insert("quota_usage".into(), quota::usage(state));
        }
        v
    }

    fn update_settings(&self, state: &mut SandboxState, patch: Value) -> Result<(), String> {
        let mut current =
            serde_json::to_value(&state.youtube.settings).map_err(|e| e.to_string())?;
        let (Value::Object(cur), Value::Object(p)) = (&mut current, patch) else {
            return Err("settings must be a JSON object".into());
        };
        for (k, v) in p {
            // Read-only report of `GET`; ignored so a GET body can be posted back.
            if k == "quota_usage" {
                continue;
            }
            if !cur.contains_key(&k) {
                return Err(format!("unknown YouTube setting {k:?}"));
            }
            cur.insert(k, v);
        }
        let new: YouTubeSettings = serde_json::from_value(current).map_err(|e| e.to_string())?;
        if !matches!(new.upload_complete_status, 200 | 201) {
            return Err("upload_complete_status must be 200 or 201".into());
        }
        if new.chunk_granularity == 0 {
            return Err("chunk_granularity must be > 0".into());
        }
        if new.session_ttl_secs <= 0 {
            return Err("session_ttl_secs must be > 0".into());
        }
        if !FAILURE_REASONS.contains(&new.fail_processing_reason.as_str()) {
            return Err(format!(
                "fail_processing_reason must be one of {}",
                FAILURE_REASONS.join(", ")
            ));
        }
        if let Some(r) = &new.processing_failure_reason
            && !PROCESSING_FAILURE_REASONS.contains(&r.as_str())
        {
            return Err(format!(
                "processing_failure_reason must be null or one of {}",
                PROCESSING_FAILURE_REASONS.join(", ")
            ));
        }
        if let Some(r) = &new.reject_processing
            && !REJECTION_REASONS.contains(&r.as_str())
        {
            return Err(format!(
                "reject_processing must be null or one of {}",
                REJECTION_REASONS.join(", ")
            ));
        }
        if !REJECTED_PROCESSING_STATUSES.contains(&new.rejected_processing_status.as_str()) {
            return Err(format!(
                "rejected_processing_status must be one of {}",
                REJECTED_PROCESSING_STATUSES.join(", ")
            ));
        }
        state.youtube.settings = new;
        Ok(())
    }
}

/// Token issuing under `settings`: 1 h access tokens (`ya29.`), non-rotating
/// refresh tokens (`1//`) that never expire, or 7 days in "Testing" status.
pub fn token_policy(settings: &YouTubeSettings) -> TokenPolicy {
    TokenPolicy {
        access_ttl_secs: Some(ACCESS_TOKEN_TTL_SECS),
        refresh: Some(RefreshPolicy {
            ttl_secs: match settings.publishing_status {
                PublishingStatus::InProduction => None,
                PublishingStatus::Testing => Some(TESTING_REFRESH_TOKEN_TTL_SECS),
            },
            rotate: false,
            keep_expiry: true,
        }),
        access_prefix: "ya29.".into(),
        refresh_prefix: "1//".into(),
    }
}

// ----- wire helpers -------------------------------------------------------------------

/// Whether a client is of Google's "Desktop app" (installed) type.
pub(crate) fn is_desktop(client: &OAuthClient) -> bool {
    client.redirect_match == RedirectMatch::LoopbackAnyPort
}

/// Reason used for an error status when nothing more specific is known.
fn generic_reason(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "badRequest",
        401 => "authError",
        403 => "forbidden",
        404 => "notFound",
        405 => "httpMethodNotAllowed",
        409 => "conflict",
        410 => "gone",
        412 => "conditionNotMet",
        413 => "uploadTooLarge",
        429 => "rateLimitExceeded",
        500 => "internalError",
        501 => "notImplemented",
        503 => "backendError",
        _ => "backendError",
    }
}

/// The canonical gRPC status name Google puts in `error.status`.
fn status_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 413 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 | 410 => "NOT_FOUND",
        409 => "ABORTED",
        412 => "FAILED_PRECONDITION",
        429 => "RESOURCE_EXHAUSTED",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    }
}

/// A googleapis error: `{"error":{"code","message","errors":[{message,domain,reason,
/// location?,locationType?}],"status"?}}`.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    reason: String,
    domain: String,
    message: String,
    /// `errors[0].message` when it differs from `message`.
    item_message: Option<String>,
    location: Option<(String, &'static str)>,
    status_name: bool,
    www_authenticate: Option<String>,
    details: Option<Value>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, reason: &str, domain: &str, message: &str) -> Self {
        Self {
            status,
            reason: reason.into(),
            domain: domain.into(),
            message: message.into(),
            item_message: None,
            location: None,
            status_name: false,
            www_authenticate: None,
            details: None,
        }
    }

    /// `location` + `locationType` (`parameter`, `header`).
    pub(crate) fn at(mut self, location: &str, kind: &'static str) -> Self {
        self.location = Some((location.into(), kind));
        self
    }

    /// A different `errors[0].message` (Google's are often shorter).
    pub(crate) fn item(mut self, message: &str) -> Self {
        self.item_message = Some(message.into());
        self
    }

    /// `WWW-Authenticate` header.
    pub(crate) fn www_authenticate(mut self, value: String) -> Self {
        self.www_authenticate = Some(value);
        self
    }

    /// Adds the top-level `status` (`PERMISSION_DENIED` ...).
    pub(crate) fn with_status_name(mut self) -> Self {
        self.status_name = true;
        self
    }

    pub(crate) fn response(self) -> Response {
        let mut item = json!({
            "message": self.item_message.as_deref().unwrap_or(&self.message),
            "domain": self.domain,
            "reason": self.reason,
        });
        if let (Some((loc, kind)), Some(obj)) = (&self.location, item.as_object_mut()) {
            obj.insert("location".into(), json!(loc));
            obj.insert("locationType".into(), json!(kind));
        }
        let mut err = json!({
            "code": self.status.as_u16(),
            "message": self.message,
            "errors": [item],
        });
        if let Some(obj) = err.as_object_mut() {
            if self.status_name {
                obj.insert("status".into(), json!(status_name(self.status)));
            }
            if let Some(d) = self.details {
                obj.insert("details".into(), d);
            }
        }
        let mut r = json_response(self.status, json!({ "error": err }));
        if let Some(w) = self.www_authenticate
            && let Ok(v) = HeaderValue::from_str(&w)
        {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        r
    }
}

/// 400 `required` for a missing query parameter.
pub(crate) fn required_param(name: &str) -> Response {
    let msg = format!("Required parameter: {name}");
    ApiError::new(StatusCode::BAD_REQUEST, "required", "global", &msg)
        .at(name, "parameter")
        .response()
}

/// 400 in the `youtube.*` domains (`invalidTitle`, `uploadLimitExceeded`, ...).
pub(crate) fn bad_request(reason: &str, domain: &str, message: &str) -> Response {
    ApiError::new(StatusCode::BAD_REQUEST, reason, domain, message).response()
}

/// 400 `unknownPart`.
pub(crate) fn unknown_part(part: &str) -> Response {
    let msg = format!("'{part}'");
    ApiError::new(StatusCode::BAD_REQUEST, "unknownPart", "youtube.part", &msg)
        .at("part", "parameter")
        .response()
}

/// 400 `parseError` for a body that is not JSON.
pub(crate) fn parse_error() -> Response {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "parseError",
        "global",
        "Parse Error",
    )
    .response()
}

/// 400 `badContent` for an unsupported media type.
pub(crate) fn bad_content(mime: &str, valid: &str) -> Response {
    let msg = format!("Media type '{mime}' is not supported. Valid media types: [{valid}]");
    ApiError::new(StatusCode::BAD_REQUEST, "badContent", "global", &msg).response()
}

/// 401 for a request without credentials.
pub(crate) fn unauthenticated_missing() -> Response {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "required",
        "global",
        "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    )
    .item("Login Required.")
    .at("Authorization", "header")
    .with_status_name()
    .www_authenticate("Bearer realm=\"https://accounts.google.com/\"".into())
    .response()
}

/// 401 `authError` for an unknown, expired or revoked access token.
pub(crate) fn unauthenticated_invalid() -> Response {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "authError",
        "global",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    )
    .item("Invalid Credentials")
    .at("Authorization", "header")
    .with_status_name()
    .www_authenticate(
        "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"".into(),
    )
    .response()
}

/// 403 `insufficientPermissions` (the token lacks every scope of `allowed`).
pub(crate) fn insufficient_permissions(allowed: &[&str], method: &str) -> Response {
    let mut e = ApiError::new(
        StatusCode::FORBIDDEN,
        "insufficientPermissions",
        "global",
        "Request had insufficient authentication scopes.",
    )
    .item("Insufficient Permission")
    .with_status_name()
    .www_authenticate(format!(
        "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", scope=\"{}\"",
        allowed.join(" ")
    ));
    e.details = Some(json!([{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "domain": "googleapis.com",
        "metadata": {
            "service": "youtube.googleapis.com",
            "method": method,
        },
    }]));
    e.response()
}

/// 403 `quotaExceeded`.
pub(crate) fn quota_exceeded() -> Response {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "quotaExceeded",
        "youtube.quota",
        "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.",
    )
    .response()
}

/// 403 `forbidden`.
pub(crate) fn forbidden(message: &str) -> Response {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", "youtube.video", message).response()
}

/// 404 `videoNotFound`.
pub(crate) fn video_not_found(message: &str) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "videoNotFound",
        "youtube.video",
        message,
    )
    .response()
}

/// A JSON response with Google's content type.
pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

/// An `etag` for a resource: stable for the same content.
pub(crate) fn etag(seed: &str) -> String {
    let h = crate::core::util::sha256_hex(seed.as_bytes());
    h.get(..27).unwrap_or(&h).to_string()
}

/// The authenticated caller of a Data API method.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub token: AccessTokenRecord,
    pub account: Account,
}

/// The access token of a request: `Authorization: Bearer` or `?access_token=`.
pub(crate) fn request_token(headers: &HeaderMap, query: &[(String, String)]) -> Option<String> {
    bearer_token(headers).or_else(|| form_get(query, "access_token").map(str::to_string))
}

/// Authenticates a Data API request and checks that the token has one of `allowed`.
/// Errors are ready-made Google responses (no quota is charged for them).
pub(crate) fn authenticate(
    sb: &Sandbox,
    headers: &HeaderMap,
    query: &[(String, String)],
    allowed: &[&str],
    method: &str,
) -> Result<Caller, Response> {
    let Some(token) = request_token(headers, query) else {
        return Err(unauthenticated_missing());
    };
    let caller = sb.read_state(|st| {
        let now = st.now();
        let core = st.core_ref(PLATFORM)?;
        let rec = core.oauth.check_bearer(Some(&token), now).ok()?.clone();
        let account = core.account(&rec.account_id)?.clone();
        Some(Caller {
            token: rec,
            account,
        })
    });
    let Some(caller) = caller else {
        return Err(unauthenticated_invalid());
    };
    if !allowed.iter().any(|s| caller.token.has_scope(s)) {
        return Err(insufficient_permissions(allowed, method));
    }
    Ok(caller)
}

/// Splits a comma-separated parameter (`part`, `id`).
pub(crate) fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
