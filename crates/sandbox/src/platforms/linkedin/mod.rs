//! LinkedIn emulator: OAuth 2.0 (standard "self-serve" flow with a client secret,
//! the partner-enabled native PKCE flow, partner refresh tokens), OpenID Connect
//! `userinfo`, and the versioned REST API (`/rest/posts`, `/rest/images`,
//! `/rest/videos`, `socialActions` comments, `memberCreatorPostAnalytics`) with the
//! `dms-uploads` upload URLs.
//!
//! `/linkedin` stands for both `https://www.linkedin.com` and
//! `https://api.linkedin.com`. Contract: docs/platforms/linkedin.md (§11: what the
//! emulator must model) and docs/platforms/desktop-oauth.md §4.3.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::core::oauth::{
    AccessTokenRecord, BearerError, ClientType, RedirectMatch, RefreshPolicy, TokenPolicy,
};
use crate::core::platform::{Account, PlatformCore, PlatformModule, SeedClient};
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::{bearer_token, sha256_hex};

mod media;
pub mod metrics;
mod oauth;
mod pages;
mod posts;
pub mod text;
pub mod versions;

pub use versions::{DatedRelease, Release, ReleaseSpec};

/// Platform id.
pub const PLATFORM: &str = "linkedin";

/// Seeded confidential "self-serve" client: `client_id` + `client_secret` in the
/// form body of the token request (no Basic auth), exact redirect URIs.
pub const LINKEDIN_CLIENT_ID: &str = "creatorflow-sandbox-linkedin";
/// Secret of the self-serve client.
pub const LINKEDIN_CLIENT_SECRET: &str = "creatorflow-sandbox-linkedin-secret";
/// Redirect URIs of the self-serve client (query ignored in matching, port included).
pub const LINKEDIN_REDIRECT_URIS: &[&str] = &[
    "http://127.0.0.1:47616/oauth/linkedin/callback",
    "http://localhost:47616/oauth/linkedin/callback",
];
/// Seeded public client with the native PKCE flow enabled: no secret,
/// `code_verifier` at the token endpoint, loopback redirects on any port.
pub const LINKEDIN_NATIVE_CLIENT_ID: &str = "creatorflow-sandbox-linkedin-native";
/// Redirect URIs of the native client (any port; `127.0.0.1` and `[::1]` only).
pub const LINKEDIN_NATIVE_REDIRECT_URIS: &[&str] = &[
    "http://127.0.0.1:47616/oauth/linkedin/callback",
    "http://[::1]:47616/oauth/linkedin/callback",
];

/// First demo member: `(sub, vanity name, display name)`. Person URN
/// `urn:li:person:<sub>`.
pub const LINKEDIN_MEMBER_CREATOR: (&str, &str, &str) =
    ("sbxCreator1", "sandbox-creator", "Sandbox Creator");
/// E-mail of the first demo member (`email` scope).
pub const LINKEDIN_MEMBER_CREATOR_EMAIL: &str = "sandbox.creator@example.com";
/// Second demo member.
pub const LINKEDIN_MEMBER_STUDIO: (&str, &str, &str) =
    ("sbxStudio02", "sandbox-studio", "Sandbox Studio");
/// E-mail of the second demo member.
pub const LINKEDIN_MEMBER_STUDIO_EMAIL: &str = "sandbox.studio@example.com";

/// Self-serve scopes (Sign In with LinkedIn using OpenID Connect + Share on LinkedIn).
pub const LINKEDIN_SCOPES: &[&str] = &["openid", "profile", "email", "w_member_social"];
/// Restricted scopes, granted only with the `restricted_scopes` setting.
pub const LINKEDIN_RESTRICTED_SCOPES: &[&str] = &["w_organization_social", "r_member_social"];
/// Scopes of LinkedIn's Community Management API product: reading the member's post
/// analytics (`memberCreatorPostAnalytics`). Granted while the
/// `post_analytics_product` setting is on (the default).
pub const LINKEDIN_ANALYTICS_SCOPES: &[&str] = &["r_member_postAnalytics"];
/// Scopes a publisher asks for.
pub const LINKEDIN_PUBLISH_SCOPES: &[&str] = &["openid", "profile", "email", "w_member_social"];

/// Authorization code lifetime (about 10 minutes).
pub const CODE_LIFETIME_SECS: i64 = 600;
/// Access token lifetime (60 days, `expires_in: 5184000`).
pub const ACCESS_TOKEN_TTL_SECS: i64 = 5_184_000;
/// Partner refresh token lifetime (365 days, not sliding).
pub const REFRESH_TOKEN_TTL_SECS: i64 = 31_536_000;

/// Quota names (use them with `POST /_sandbox/quotas`) and their daily defaults.
/// Every name has a per-member counter and a per-app counter named `"<name> (app)"`;
/// both reset at midnight UTC of the emulated clock.
pub mod limits {
    use crate::core::ratelimit::Limit;

    pub const CREATE_POST: &str = "POST /rest/posts";
    pub const DELETE_POST: &str = "DELETE /rest/posts/:urn";
    pub const UPDATE_POST: &str = "POST /rest/posts/:urn (PARTIAL_UPDATE)";
    pub const CREATE_COMMENT: &str = "POST /rest/socialActions/:urn/comments";
    pub const IMAGES_INITIALIZE: &str = "POST /rest/images?action=initializeUpload";
    pub const IMAGES_GET: &str = "GET /rest/images/:urn";
    pub const VIDEOS_INITIALIZE: &str = "POST /rest/videos?action=initializeUpload";
    pub const VIDEOS_FINALIZE: &str = "POST /rest/videos?action=finalizeUpload";
    pub const VIDEOS_GET: &str = "GET /rest/videos/:urn";
    pub const DOCUMENTS_INITIALIZE: &str = "POST /rest/documents?action=initializeUpload";
    pub const DOCUMENTS_GET: &str = "GET /rest/documents/:urn";
    pub const USERINFO: &str = "GET /v2/userinfo";
    /// One call of the member post analytics (one metric type each).
    pub const MEMBER_POST_ANALYTICS: &str = "GET /rest/memberCreatorPostAnalytics";

    /// `(per member, per app)` daily limits of a quota name.
    pub fn of(name: &str) -> (Limit, Limit) {
        match name {
            CREATE_POST => (Limit::per_utc_day(150), Limit::per_utc_day(100_000)),
            CREATE_COMMENT => (Limit::per_utc_day(500), Limit::per_utc_day(100_000)),
            // Not published (an app sees its own in the developer portal):
            // the generic figures, each read of a post costing five calls.
            MEMBER_POST_ANALYTICS => (Limit::per_utc_day(10_000), Limit::per_utc_day(1_000_000)),
            _ => (Limit::per_utc_day(10_000), Limit::per_utc_day(1_000_000)),
        }
    }

    /// Name of the per-app counter of a quota.
    pub fn app_name(name: &str) -> String {
        format!("{name} (app)")
    }
}

/// What the emulator does with an unescaped reserved character of the little
/// text format in `commentary`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReservedCharMode {
    /// Store the post cut at that character, still answering 201 (what LinkedIn does).
    #[default]
    Truncate,
    /// Keep the character as plain text.
    Keep,
    /// Refuse the post with a 422.
    Reject,
}

/// Tunables (`GET/POST /_sandbox/settings/linkedin`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkedInSettings {
    /// Approved-partner app: the token endpoint also returns `refresh_token` and
    /// `refresh_token_expires_in`, and `grant_type=refresh_token` works.
    pub partner_mode: bool,
    /// Confidential clients for which LinkedIn enabled the native PKCE flow (public
    /// clients always have it).
    pub native_pkce_clients: Vec<String>,
    /// Grant the restricted scopes `w_organization_social` and `r_member_social`.
    pub restricted_scopes: bool,
    /// `LinkedIn-Version` releases: `null` = the built-in calendar (monthly from
    /// 202406, no 202512, released mid-month, retired mid-month a year later);
    /// else a list of `"YYYYMM"` (dates from that pattern) or
    /// `{"version":"YYYYMM","released"?:"YYYY-MM-DD","retires"?:"YYYY-MM-DD"}`.
    /// Only releases active on the emulated clock are accepted.
    pub releases: Option<Vec<ReleaseSpec>>,
    /// Require `X-Restli-Protocol-Version: 2.0.0` on `/rest/*`.
    pub require_restli_header: bool,
    /// Answer the first API call of a freshly issued token with a
    /// `REVOKED_ACCESS_TOKEN` 401 once (a quirk seen right after authorization).
    pub revoked_after_authorize_quirk: bool,
    /// Unescaped reserved characters in `commentary`: `truncate`, `keep` or `reject`.
    pub reserved_chars: ReservedCharMode,
    /// Maximum `commentary` length in characters.
    pub max_commentary_length: usize,
    /// `GET /rest/images/{urn}` polls answering `PROCESSING` after the upload
    /// (0 = available as soon as the bytes arrived).
    pub image_processing_polls: u32,
    /// `GET /rest/videos/{urn}` polls answering `PROCESSING` after finalize.
    pub video_processing_polls: u32,
    /// Processing also ends this many emulated seconds after it started
    /// (0 = only the polls count).
    pub processing_secs: i64,
    /// Make image processing end in `PROCESSING_FAILED`.
    pub fail_image_processing: bool,
    /// Make video processing end in `PROCESSING_FAILED`.
    pub fail_video_processing: bool,
    /// Largest image upload in bytes.
    pub max_image_bytes: u64,
    /// Images must have fewer pixels than this.
    pub max_image_pixels: u64,
    /// Smallest video (`fileSizeBytes`).
    pub min_video_bytes: u64,
    /// Largest video (`fileSizeBytes`).
    pub max_video_bytes: u64,
    /// Size of a video upload part (the last one is smaller).
    pub video_part_bytes: u64,
    /// `PUT` to an upload URL needs the member's bearer token.
    pub upload_requires_bearer: bool,
    /// Which new posts get an `urn:li:ugcPost:` id instead of `urn:li:share:`:
    /// `"never"`, `"always"` or `{"every_nth": N}`.
    pub ugc_post_ids: UgcPostIds,
    /// Rest.li 2.0: URNs in URL paths must be percent-encoded
    /// (`urn%3Ali%3Ashare%3A1`); a raw `urn:li:...` gets
    /// `400 ILLEGAL_ARGUMENT "Syntax exception in path variables"`. Off: both work.
    pub require_encoded_urns: bool,
    /// Refuse a post whose commentary equals one the same author posted within
    /// `duplicate_window_secs` (deleted posts count) with `422 DUPLICATE_POST`.
    pub duplicate_check: bool,
    /// The duplicate window in emulated seconds.
    pub duplicate_window_secs: i64,
    /// Longest `altText` of an image, in characters.
    pub max_alt_text_length: usize,
    /// `GET /rest/documents/{urn}` polls answering `PROCESSING` after the upload.
    pub document_processing_polls: u32,
    /// Make document processing end in `PROCESSING_FAILED`.
    pub fail_document_processing: bool,
    /// Largest document upload in bytes.
    pub max_document_bytes: u64,
    /// Most pages of a document.
    pub max_document_pages: u64,
    /// Page count to assume for every document instead of counting the PDF's
    /// `/Type /Page` objects (`null` = count; DOC/DOCX/PPT/PPTX count as 1).
    pub document_page_count: Option<u64>,
    /// The app has LinkedIn's Community Management API product, so a sign-in may
    /// grant `r_member_postAnalytics`. Off: asking for it is refused with
    /// `unauthorized_scope_error`, as for any scope of a product the app lacks.
    pub post_analytics_product: bool,
    /// Post analytics: the `LinkedIn-Version` from which `metricType` is a plain
    /// string (`"IMPRESSION"`) instead of the union object
    /// `{"com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1":
    /// "IMPRESSION"}` (`null` = always the object). [UNVERIFIED] 202605.
    pub analytics_string_metric_type_from: Option<String>,
    /// Post analytics: a post nobody can repost (visibility `CONNECTIONS`, or
    /// `isReshareDisabledByAuthor`) has no `RESHARE` number: `"elements": []`.
    pub analytics_no_reshares_when_not_resharable: bool,
    /// Post analytics: what each number levels off at about a week after posting
    /// (times a per-post factor between 0.5 and 1.5).
    pub analytics_full: AnalyticsFull,
}

/// Post analytics levels (`analytics_full`), per `queryType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalyticsFull {
    pub impression: u64,
    /// Never more than the impressions of the same moment.
    pub members_reached: u64,
    pub reaction: u64,
    pub comment: u64,
    pub reshare: u64,
}

impl Default for AnalyticsFull {
    fn default() -> Self {
        Self {
            impression: 2400,
            members_reached: 1500,
            reaction: 60,
            comment: 9,
            reshare: 4,
        }
    }
}

/// Which posts get an `urn:li:ugcPost:` id (`ugc_post_ids`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UgcPostIds {
    /// Always `urn:li:share:<n>`.
    #[default]
    Never,
    /// Always `urn:li:ugcPost:<n>`.
    Always,
    /// Every Nth post (the Nth, 2Nth, ...) of the sandbox gets `urn:li:ugcPost:`.
    EveryNth(u64),
}

impl Default for LinkedInSettings {
    fn default() -> Self {
        Self {
            partner_mode: false,
            native_pkce_clients: Vec::new(),
            restricted_scopes: false,
            releases: None,
            require_restli_header: true,
            revoked_after_authorize_quirk: false,
            reserved_chars: ReservedCharMode::Truncate,
            max_commentary_length: 3000,
            image_processing_polls: 0,
            video_processing_polls: 2,
            processing_secs: 300,
            fail_image_processing: false,
            fail_video_processing: false,
            max_image_bytes: 5 * 1024 * 1024,
            max_image_pixels: 36_152_320,
            min_video_bytes: 75 * 1024,
            max_video_bytes: 500 * 1024 * 1024,
            video_part_bytes: 4 * 1024 * 1024,
            upload_requires_bearer: true,
            ugc_post_ids: UgcPostIds::Never,
            require_encoded_urns: true,
            duplicate_check: true,
            duplicate_window_secs: 24 * 3600,
            max_alt_text_length: 4086,
            document_processing_polls: 1,
            fail_document_processing: false,
            max_document_bytes: 100 * 1024 * 1024,
            max_document_pages: 300,
            document_page_count: None,
            post_analytics_product: true,
            analytics_string_metric_type_from: Some("202605".into()),
            analytics_no_reshares_when_not_resharable: true,
            analytics_full: AnalyticsFull::default(),
        }
    }
}

/// A post (share) the emulator holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// `urn:li:share:<n>`.
    pub urn: String,
    /// `urn:li:person:<sub>`.
    pub author: String,
    /// The commentary as sent (little text format).
    pub commentary: String,
    /// What LinkedIn shows: the unescaped rendering, possibly truncated.
    pub text: String,
    pub visibility: String,
    pub feed_distribution: String,
    pub lifecycle_state: String,
    /// Image/video/document URNs of the content.
    pub media: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub deleted: bool,
    /// The `content` object as accepted (alt texts, titles, article).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub content: Value,
    /// Last `PARTIAL_UPDATE` of the commentary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<DateTime<Utc>>,
    /// `isReshareDisabledByAuthor` as sent.
    #[serde(default)]
    pub reshare_disabled: bool,
}

impl Post {
    /// Whether other members can repost it: not when the author turned reposts off,
    /// nor when only the author's connections see it.
    pub fn resharable(&self) -> bool {
        !self.reshare_disabled && self.visibility != "CONNECTIONS"
    }
}

/// A comment on a post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// `urn:li:comment:(<post urn>,<n>)`.
    pub urn: String,
    pub id: String,
    pub object: String,
    pub actor: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// Image, video or document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Image,
    Video,
    Document,
}

impl AssetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Document => "document",
        }
    }
}

/// `status` of an image or video.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssetStatus {
    WaitingUpload,
    Processing,
    Available,
    ProcessingFailed,
}

impl AssetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WaitingUpload => "WAITING_UPLOAD",
            Self::Processing => "PROCESSING",
            Self::Available => "AVAILABLE",
            Self::ProcessingFailed => "PROCESSING_FAILED",
        }
    }
}

/// One part of a multipart video upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadPart {
    pub first_byte: u64,
    pub last_byte: u64,
    /// `ETag` of the last successful `PUT` of this part.
    pub etag: Option<String>,
    /// Bytes received by that `PUT`.
    pub size: Option<u64>,
}

impl UploadPart {
    /// Bytes `first_byte..=last_byte`.
    pub fn byte_count(&self) -> u64 {
        self.last_byte - self.first_byte + 1
    }
}

/// An image or video and its upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// `urn:li:image:...` / `urn:li:video:...`.
    pub urn: String,
    pub kind: AssetKind,
    /// `urn:li:person:<sub>`.
    pub owner: String,
    pub status: AssetStatus,
    /// Announced size (videos) or received size (images).
    pub size: u64,
    /// SHA-256 of the bytes, when they arrived in order.
    pub sha256: Option<String>,
    /// Media type sniffed from the first bytes.
    pub mime: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Video parts (empty for images).
    pub parts: Vec<UploadPart>,
    /// `uploadToken` of a video upload.
    pub upload_token: String,
    pub finalized: bool,
    /// Status polls seen while processing.
    pub polls: u32,
    pub processing_started_at: Option<DateTime<Utc>>,
    /// Set at upload time when processing will fail (bad type, too many pixels ...).
    pub failure_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub upload_expires_at: DateTime<Utc>,
    /// Bytes received for the video thumbnail / captions, if any.
    pub thumbnail_size: Option<u64>,
    pub captions_size: Option<u64>,
    /// Pages of a document (counted or from `document_page_count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u64>,
}

/// What an upload URL writes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UploadSlot {
    Image,
    Document,
    VideoPart { index: usize },
    Thumbnail,
    Captions,
}

/// An upload URL handed out by an `initializeUpload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadTarget {
    pub asset: String,
    pub slot: UploadSlot,
    pub expires_at: DateTime<Utc>,
}

/// In-order hashing of a multipart video upload (runtime only; lost on restart).
#[derive(Clone, Debug, Default)]
pub struct VideoHasher {
    pub next_part: usize,
    pub hasher: sha2::Sha256,
    pub broken: bool,
}

/// LinkedIn-specific state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkedInState {
    pub settings: LinkedInSettings,
    /// Posts by URN.
    pub posts: BTreeMap<String, Post>,
    /// Comments by URN.
    pub comments: BTreeMap<String, Comment>,
    /// Images and videos by URN.
    pub assets: BTreeMap<String, Asset>,
    /// Upload URLs by id (the last path segment of the URL).
    pub uploads: BTreeMap<String, UploadTarget>,
    /// SHA-256 of fresh access tokens still owed a quirk 401.
    pub quirk_pending: BTreeSet<String>,
    /// Posts created so far (for `ugc_post_ids: {"every_nth": N}`).
    pub posts_created: u64,
    #[serde(skip)]
    pub hashers: HashMap<String, VideoHasher>,
}

/// The LinkedIn module.
#[derive(Clone, Copy, Debug, Default)]
pub struct LinkedInModule;

fn member_extra(display_name: &str, email: &str, country: &str, language: &str) -> Value {
    let (given, family) = display_name.split_once(' ').unwrap_or((display_name, ""));
    json!({
        "given_name": given,
        "family_name": family,
        "email": email,
        "locale": { "country": country, "language": language },
    })
}

impl PlatformModule for LinkedInModule {
    fn id(&self) -> &'static str {
        PLATFORM
    }

    fn display_name(&self) -> &'static str {
        "LinkedIn"
    }

    fn prefix(&self) -> &'static str {
        "/linkedin"
    }

    fn hosts(&self) -> &'static [&'static str] {
        &["https://www.linkedin.com", "https://api.linkedin.com"]
    }

    fn seed(&self, core: &mut PlatformCore) {
        let members = [
            (
                LINKEDIN_MEMBER_CREATOR,
                LINKEDIN_MEMBER_CREATOR_EMAIL,
                "US",
                "en",
            ),
            (
                LINKEDIN_MEMBER_STUDIO,
                LINKEDIN_MEMBER_STUDIO_EMAIL,
                "FR",
                "fr",
            ),
        ];
        for ((id, user, name), email, country, language) in members {
            if core.account(id).is_none() {
                let mut a = Account::new(id, user, name);
                a.extra = member_extra(name, email, country, language);
                core.accounts.push(a);
            }
        }
        core.seed_client(SeedClient {
            id: LINKEDIN_CLIENT_ID,
            name: "CreatorFlow (sandbox)",
            client_type: ClientType::Confidential,
            secret: Some(LINKEDIN_CLIENT_SECRET),
            redirect_uris: LINKEDIN_REDIRECT_URIS,
            redirect_match: RedirectMatch::Exact,
        });
        core.seed_client(SeedClient {
            id: LINKEDIN_NATIVE_CLIENT_ID,
            name: "CreatorFlow Desktop (sandbox)",
            client_type: ClientType::Public,
            secret: None,
            redirect_uris: LINKEDIN_NATIVE_REDIRECT_URIS,
            redirect_match: RedirectMatch::LoopbackAnyPort,
        });
    }

    fn router(&self) -> Router<Sandbox> {
        Router::new()
            .route("/oauth/v2/authorization", get(oauth::authorize))
            .route("/oauth/v2/accessToken", post(oauth::access_token))
            .route("/oauth/v2/revoke", post(oauth::revoke))
            .route("/v2/userinfo", get(oauth::userinfo))
            .route("/rest/posts", post(posts::create))
            .route(
                "/rest/posts/{urn}",
                post(posts::update).delete(posts::delete),
            )
            .route(
                "/rest/socialActions/{urn}/comments",
                post(posts::comment_rest),
            )
            .route("/v2/socialActions/{urn}/comments", post(posts::comment_v2))
            .route("/rest/images", post(media::images_action))
            .route("/rest/images/{urn}", get(media::image_get))
            .route("/rest/videos", post(media::videos_action))
            .route("/rest/videos/{urn}", get(media::video_get))
            .route("/rest/documents", post(media::documents_action))
            .route("/rest/documents/{urn}", get(media::document_get))
            .route(
                "/rest/memberCreatorPostAnalytics",
                get(metrics::member_creator_post_analytics),
            )
            // https://www.linkedin.com/feed/update/{urn}/: the published post.
            .route("/feed/update/{urn}/", get(pages::post_page))
            .route("/feed/update/{urn}", get(pages::post_page))
            // Sizes are enforced by the handler while streaming.
            .route(
                "/dms-uploads/{id}",
                put(media::upload).layer(DefaultBodyLimit::disable()),
            )
    }

    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        li_error(status, None, None, message)
    }

    fn rate_limited_response(&self, _limit: u64, _reset_at: i64, _now: i64) -> Response {
        too_many_requests("MEMBER")
    }

    fn token_policy(&self) -> TokenPolicy {
        token_policy(false)
    }

    fn default_scopes(&self) -> Vec<String> {
        LINKEDIN_PUBLISH_SCOPES
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn settings(&self, state: &SandboxState) -> Value {
        let mut v = serde_json::to_value(&state.linkedin.settings).unwrap_or(Value::Null);
        if let Value::Object(o) = &mut v {
            let now = state.now();
            let specs = state.linkedin.settings.releases.as_deref();
            // Read-only views of the calendar on the emulated clock.
            o.insert("versions".into(), versions::describe(specs, now));
            o.insert(
                "latest_version".into(),
                json!(versions::latest_active(specs, now)),
            );
        }
        v
    }

    fn update_settings(&self, state: &mut SandboxState, patch: Value) -> Result<(), String> {
        let mut current =
            serde_json::to_value(&state.linkedin.settings).map_err(|e| e.to_string())?;
        let (Value::Object(cur), Value::Object(p)) = (&mut current, patch) else {
            return Err("settings must be a JSON object".into());
        };
        for (k, v) in p {
            if READ_ONLY_SETTINGS.contains(&k.as_str()) {
                continue;
            }
            if !cur.contains_key(&k) {
                return Err(format!("unknown LinkedIn setting {k:?}"));
            }
            cur.insert(k, v);
        }
        let new: LinkedInSettings = serde_json::from_value(current).map_err(|e| e.to_string())?;
        if new.video_part_bytes == 0 {
            return Err("video_part_bytes must be > 0".into());
        }
        if let Some(r) = &new.releases {
            versions::validate(r)?;
        }
        if new.ugc_post_ids == UgcPostIds::EveryNth(0) {
            return Err("ugc_post_ids: every_nth must be > 0".into());
        }
        if new.duplicate_window_secs < 0 {
            return Err("duplicate_window_secs must be >= 0".into());
        }
        if let Some(v) = &new.analytics_string_metric_type_from
            && metrics::release_number(v).is_none()
        {
            return Err(format!(
                "analytics_string_metric_type_from: {v:?} is not a version (YYYYMM)"
            ));
        }
        state.linkedin.settings = new;
        Ok(())
    }

    fn default_quota_window(&self) -> Option<crate::core::ratelimit::WindowKind> {
        Some(crate::core::ratelimit::WindowKind::DailyUtc)
    }
}

/// Keys `GET /_sandbox/settings/linkedin` adds that a `POST` ignores.
const READ_ONLY_SETTINGS: &[&str] = &["versions", "latest_version"];

/// Token issuing: 60-day access tokens; in partner mode 365-day refresh tokens that
/// keep their expiry and are not rotated.
pub fn token_policy(partner: bool) -> TokenPolicy {
    TokenPolicy {
        access_ttl_secs: Some(ACCESS_TOKEN_TTL_SECS),
        refresh: partner.then_some(RefreshPolicy {
            ttl_secs: Some(REFRESH_TOKEN_TTL_SECS),
            rotate: false,
            keep_expiry: true,
        }),
        access_prefix: "AQV".into(),
        refresh_prefix: "AQX".into(),
    }
}

/// `urn:li:person:<sub>`.
pub fn person_urn(sub: &str) -> String {
    format!("urn:li:person:{sub}")
}

// ----- versions -----------------------------------------------------------------------

/// Whether `requested` (`YYYYMM` or `YYYYMM.RR`) is an active version on `now`.
pub fn version_active(settings: &LinkedInSettings, requested: &str, now: DateTime<Utc>) -> bool {
    versions::is_active(settings.releases.as_deref(), requested, now)
}

/// The newest `LinkedIn-Version` active on the sandbox's emulated clock (what a
/// test or the app's sandbox mode should send).
pub fn latest_version(sb: &Sandbox) -> Option<String> {
    sb.read_state(|st| versions::latest_active(st.linkedin.settings.releases.as_deref(), st.now()))
}

// ----- wire helpers -------------------------------------------------------------------

/// A JSON response with LinkedIn's content type.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// LinkedIn's error body `{status, serviceErrorCode?, code?, message}`.
pub(crate) fn li_error(
    status: StatusCode,
    service_error_code: Option<u32>,
    code: Option<&str>,
    message: &str,
) -> Response {
    let mut body = json!({ "status": status.as_u16(), "message": message });
    if let Some(obj) = body.as_object_mut() {
        if let Some(s) = service_error_code {
            obj.insert("serviceErrorCode".into(), json!(s));
        }
        if let Some(c) = code {
            obj.insert("code".into(), json!(c));
        }
    }
    json_response(status, &body)
}

/// A Rest.li validation error (400/422) with `errorDetails.inputErrors`.
pub(crate) fn validation_error(
    status: StatusCode,
    field_path: &str,
    code: &str,
    description: &str,
) -> Response {
    let body = json!({
        "status": status.as_u16(),
        "message": format!("ERROR :: {field_path} :: {description}"),
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "errorDetails": {
            "inputErrors": [{
                "code": code,
                "description": description,
                "input": { "inputPath": { "fieldPath": field_path } },
            }]
        },
    });
    json_response(status, &body)
}

/// 422 for a bad field value.
pub(crate) fn unprocessable(field_path: &str, code: &str, description: &str) -> Response {
    validation_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        field_path,
        code,
        description,
    )
}

/// 400 for a body that cannot be read at all.
pub(crate) fn bad_request(message: &str) -> Response {
    li_error(StatusCode::BAD_REQUEST, None, None, message)
}

/// 403 ACCESS_DENIED.
pub(crate) fn access_denied(message: &str) -> Response {
    li_error(
        StatusCode::FORBIDDEN,
        Some(100),
        Some("ACCESS_DENIED"),
        message,
    )
}

/// 404.
pub(crate) fn not_found(message: &str) -> Response {
    li_error(StatusCode::NOT_FOUND, None, Some("NOT_FOUND"), message)
}

/// 429 for an exhausted daily quota (`scope`: `MEMBER` or `APPLICATION`).
pub(crate) fn too_many_requests(scope: &str) -> Response {
    // As observed: `{"serviceErrorCode":101,"message":"Resource level throttle ...","status":429}`,
    // without a `code`.
    li_error(
        StatusCode::TOO_MANY_REQUESTS,
        Some(101),
        None,
        &format!(
            "Resource level throttle {scope} DAY limit for calls to this resource is reached."
        ),
    )
}

/// 401 for a bearer problem.
pub(crate) fn token_error(e: BearerError) -> Response {
    let (sec, code, message) = match e {
        BearerError::Missing => (65604, "EMPTY_ACCESS_TOKEN", "Empty oauth2 access token"),
        BearerError::Unknown => (65600, "INVALID_ACCESS_TOKEN", "Invalid access token"),
        BearerError::Expired => (
            65602,
            "EXPIRED_ACCESS_TOKEN",
            "The token used in the request has expired",
        ),
        BearerError::Revoked => (
            65601,
            "REVOKED_ACCESS_TOKEN",
            "The token used in the request has been revoked by the user",
        ),
    };
    li_error(StatusCode::UNAUTHORIZED, Some(sec), Some(code), message)
}

/// Reads a JSON object body (`Content-Type: application/json`).
pub(crate) fn json_body(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<serde_json::Map<String, Value>, Response> {
    let ct = crate::core::util::content_type(headers);
    if ct.as_deref() != Some("application/json") {
        return Err(li_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            None,
            "Content-Type must be application/json",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(bad_request("The request body must be a JSON object")),
        Err(e) => Err(bad_request(&format!(
            "Unable to parse the request body as JSON: {e}"
        ))),
    }
}

/// The URN of a `{urn}` path segment. With `require_encoded_urns`, a raw
/// `urn:li:...` (colons not percent-encoded, as Rest.li 2.0 wants them) gets
/// LinkedIn's `400 ILLEGAL_ARGUMENT "Syntax exception in path variables"`.
pub(crate) fn path_urn(
    sb: &Sandbox,
    raw: &axum::http::Uri,
    decoded: String,
) -> Result<String, Response> {
    let required = sb.read_state(|st| st.linkedin.settings.require_encoded_urns);
    // The request path as sent (not percent-decoded): the only `{urn}` segment is
    // the one place a colon can appear in these paths.
    if required && raw.path().contains(':') {
        return Err(li_error(
            StatusCode::BAD_REQUEST,
            None,
            Some("ILLEGAL_ARGUMENT"),
            "Syntax exception in path variables",
        ));
    }
    Ok(decoded)
}

// ----- authentication -----------------------------------------------------------------

/// Which API family a call belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// `/rest/*`: versioned, Rest.li 2.0 headers required.
    Rest,
    /// `/v2/*`: unversioned.
    V2,
}

/// The authenticated member of an API call.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub token: AccessTokenRecord,
    pub account: Account,
    /// The `LinkedIn-Version` of the call (`NO_VERSION` on `/v2`).
    pub version: String,
}

impl Caller {
    pub fn urn(&self) -> String {
        person_urn(&self.account.id)
    }

    /// 403 for a missing permission on `resource` (`posts.CREATE`).
    pub fn denied(&self, resource: &str) -> Response {
        access_denied(&format!(
            "Not enough permissions to access: {resource}.{}",
            self.version
        ))
    }
}

/// Checks the headers of an API call, the bearer token, the scopes and the daily
/// quotas of `limit_name`. Errors are ready-made LinkedIn responses.
pub(crate) fn authenticate(
    sb: &Sandbox,
    headers: &HeaderMap,
    api: Api,
    limit_name: &str,
    scopes: &[&str],
    resource: &str,
) -> Result<Caller, Response> {
    let settings = sb.read_state(|st| st.linkedin.settings.clone());
    let version = match api {
        Api::V2 => "NO_VERSION".to_string(),
        Api::Rest => {
            let Some(v) = headers
                .get("linkedin-version")
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
            else {
                return Err(li_error(
                    StatusCode::BAD_REQUEST,
                    None,
                    Some("VERSION_MISSING"),
                    "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
                ));
            };
            if !version_active(&settings, v, sb.now()) {
                return Err(li_error(
                    StatusCode::UPGRADE_REQUIRED,
                    None,
                    Some("NONEXISTENT_VERSION"),
                    &format!("Requested version {v} is not active"),
                ));
            }
            if settings.require_restli_header {
                let restli = headers
                    .get("x-restli-protocol-version")
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim);
                if restli != Some("2.0.0") {
                    return Err(li_error(
                        StatusCode::BAD_REQUEST,
                        None,
                        Some("ILLEGAL_ARGUMENT"),
                        "The X-Restli-Protocol-Version header must be 2.0.0 for this resource",
                    ));
                }
            }
            v.to_string()
        }
    };
    let token = bearer_token(headers);
    let (member_limit, app_limit) = limits::of(limit_name);
    let app_limit_name = limits::app_name(limit_name);
    sb.with_state(|st| {
        let now = st.now();
        if let Some(t) = &token
            && st.linkedin.quirk_pending.remove(&sha256_hex(t.as_bytes()))
        {
            return Err(token_error(BearerError::Revoked));
        }
        let core = st.core(PLATFORM);
        let rec = match core.oauth.check_bearer(token.as_deref(), now) {
            Ok(r) => r.clone(),
            Err(e) => return Err(token_error(e)),
        };
        let Some(account) = core.account(&rec.account_id).cloned() else {
            return Err(token_error(BearerError::Unknown));
        };
        let caller = Caller {
            token: rec,
            account,
            version,
        };
        if !caller.token.missing_scopes(scopes).is_empty() {
            return Err(caller.denied(resource));
        }
        // Check both counters before counting, so a refused call counts nowhere.
        let member = format!("member:{}", caller.account.id);
        let app = format!("app:{}", caller.token.client_id);
        if !core
            .rate
            .peek(limit_name, &member, member_limit, now)
            .allowed
        {
            return Err(too_many_requests("MEMBER"));
        }
        if !core
            .rate
            .peek(&app_limit_name, &app, app_limit, now)
            .allowed
        {
            return Err(too_many_requests("APPLICATION"));
        }
        core.rate.hit(limit_name, &member, member_limit, now);
        core.rate.hit(&app_limit_name, &app, app_limit, now);
        Ok(caller)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn versions_follow_the_release_list() {
        let s = LinkedInSettings::default();
        let now = Utc
            .with_ymd_and_hms(2026, 3, 20, 0, 0, 0)
            .single()
            .unwrap_or_default();
        assert!(version_active(&s, "202603", now));
        assert!(!version_active(&s, "202604.01", now));
        assert!(version_active(&s, "202504", now), "retires 15 Apr 2026");
        assert!(!version_active(&s, "202503", now));
        assert!(!version_active(&s, "202512", now), "never released");
        assert!(!version_active(&s, "20250401", now));
        let pinned = LinkedInSettings {
            releases: Some(vec![ReleaseSpec::Dated(DatedRelease {
                version: "202401".into(),
                released: None,
                retires: chrono::NaiveDate::from_ymd_opt(2030, 1, 1),
            })]),
            ..LinkedInSettings::default()
        };
        assert!(version_active(&pinned, "202401", now));
        assert!(!version_active(&pinned, "202603", now));
    }
}
