//! Meta emulator: Instagram publishing through both login products.
//!
//! - **Facebook Login (for Business)**: dialog on `www.facebook.com`, tokens and
//!   API on `graph.facebook.com` (Facebook User / Page tokens, Pages linked to IG
//!   professional accounts).
//! - **Instagram Login (Business Login for Instagram)**: authorize on
//!   `www.instagram.com` / `api.instagram.com`, API on `graph.instagram.com`
//!   (Instagram User tokens, no Page).
//! - Content publishing (containers, `media_publish`, `content_publishing_limit`,
//!   media nodes) is the same on both Graph hosts; resumable video bytes go to
//!   `rupload.facebook.com`.
//! - Media insights (`GET /{ig-media-id}/insights`, `metrics.rs`): numbers that grow
//!   over the emulated clock, per media product type, behind the insights permission
//!   of each product.
//! - Media URLs (`image_url`, `video_url`, a Reel's `cover_url`, rupload's
//!   `file_url`) are fetched for real, from public addresses only, as Meta does
//!   (`fetch.rs`; the `public_hosts` setting lists the exceptions tests need).
//!
//! One module (platform id `instagram`) serves every Meta host under `/meta`:
//! `/meta/facebook`, `/meta/graph`, `/meta/instagram`, `/meta/graph-instagram`,
//! `/meta/rupload`. Contract: docs/platforms/instagram.md (§8: open questions, §9:
//! what the emulator must model); docs/platforms/desktop-oauth.md §4.5 (Meta).

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::core::oauth::{BearerError, ClientType, RedirectMatch, TokenPolicy};
use crate::core::platform::{Account, PlatformCore, PlatformModule, SeedClient};
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::random_alnum;

mod fetch;
mod graph;
mod media;
mod metrics;
mod oauth;
mod publish;
mod rupload;

/// Platform id (state, control API, request log, received posts).
pub const PLATFORM: &str = "instagram";

/// Seeded Facebook app (Facebook Login for Business, `graph.facebook.com`).
pub const META_FACEBOOK_APP_ID: &str = "900000000000001";
/// Its app secret (needed at the code exchange and for `fb_exchange_token`).
pub const META_FACEBOOK_APP_SECRET: &str = "creatorflow-sandbox-facebook-secret";
/// The final redirect Meta documents for desktop apps' login windows (a near-empty
/// "Success" page, served at `/meta/facebook/connect/login_success.html`).
pub const META_LOGIN_SUCCESS_URI: &str = "https://www.facebook.com/connect/login_success.html";
/// Redirect URIs of the Facebook app (exact match). In production the app uses an
/// https relay; the sandbox registers the loopback and custom-scheme forms, plus the
/// desktop login-window URI Meta documents.
pub const META_FACEBOOK_REDIRECT_URIS: &[&str] = &[
    "http://127.0.0.1:47617/oauth/instagram/callback",
    "creatorflow://oauth/instagram",
    META_LOGIN_SUCCESS_URI,
];
/// Seeded Instagram app (Instagram Login, `graph.instagram.com`).
pub const META_INSTAGRAM_APP_ID: &str = "900000000000002";
/// Its app secret (code exchange and `ig_exchange_token`).
pub const META_INSTAGRAM_APP_SECRET: &str = "creatorflow-sandbox-instagram-secret";
/// Redirect URIs of the Instagram app (exact match), the login-window URI included.
pub const META_INSTAGRAM_REDIRECT_URIS: &[&str] = &[
    "http://127.0.0.1:47617/oauth/instagram/callback",
    "creatorflow://oauth/instagram",
    META_LOGIN_SUCCESS_URI,
];

/// First IG professional account `(id, username, name)`; linked to a Page.
pub const META_IG_ACCOUNT_CREATOR: (&str, &str, &str) =
    ("17841400000000001", "sandbox.creator", "Sandbox Creator");
/// Second IG professional account; linked to another Page.
pub const META_IG_ACCOUNT_STUDIO: (&str, &str, &str) =
    ("17841400000000002", "sandbox.studio", "Sandbox Studio");
/// The Facebook user who manages every seeded Page (Facebook Login tokens belong
/// to this account).
pub const META_FACEBOOK_USER: (&str, &str, &str) =
    ("100000000000001", "sandbox.meta.user", "Sandbox Meta User");

/// A seeded Facebook Page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetaPage {
    pub id: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    /// The linked IG professional account, if any.
    pub instagram_business_account: Option<&'static str>,
}

/// Pages of [`META_FACEBOOK_USER`], in `/me/accounts` order.
pub const META_PAGES: &[MetaPage] = &[
    MetaPage {
        id: "100000000000101",
        name: "Sandbox Creator Page",
        category: "Digital creator",
        instagram_business_account: Some(META_IG_ACCOUNT_CREATOR.0),
    },
    MetaPage {
        id: "100000000000102",
        name: "Sandbox Studio Page",
        category: "Media/news company",
        instagram_business_account: Some(META_IG_ACCOUNT_STUDIO.0),
    },
    MetaPage {
        id: "100000000000103",
        name: "Sandbox Page Without Instagram",
        category: "Local business",
        instagram_business_account: None,
    },
];

/// Facebook Login permissions the dialog accepts.
pub const FACEBOOK_PERMISSIONS: &[&str] = &[
    "public_profile",
    "email",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
    "instagram_manage_insights",
    "instagram_manage_messages",
    "instagram_manage_contents",
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_metadata",
    "business_management",
    "ads_management",
    "ads_read",
    "catalog_management",
    "instagram_shopping_tag_products",
];
/// What a publisher asks for with Facebook Login (also granted for a `config_id`).
pub const FACEBOOK_PUBLISH_SCOPES: &[&str] = &[
    "instagram_basic",
    "instagram_content_publish",
    "pages_show_list",
    "pages_read_engagement",
];
/// Instagram Login scopes (the `business_*` ones were deprecated on 27 Jan 2025).
pub const INSTAGRAM_SCOPES: &[&str] = &[
    "instagram_business_basic",
    "instagram_business_content_publish",
    "instagram_business_manage_messages",
    "instagram_business_manage_comments",
    "instagram_business_manage_insights",
];
/// What a publisher asks for with Instagram Login.
pub const INSTAGRAM_PUBLISH_SCOPES: &[&str] = &[
    "instagram_business_basic",
    "instagram_business_content_publish",
];

/// Version used in generated URLs when the request named none.
pub const DEFAULT_API_VERSION: &str = "v23.0";
/// Facebook Login code lifetime (10 min) [UNVERIFIED].
pub const FACEBOOK_CODE_LIFETIME_SECS: i64 = 600;
/// Instagram Login code lifetime (1 h).
pub const INSTAGRAM_CODE_LIFETIME_SECS: i64 = 3600;
/// Long-lived token lifetime (60 days), both products.
pub const LONG_TOKEN_TTL_SECS: i64 = 5_184_000;

/// Rate-limit names for `POST /_sandbox/quotas` and default limits.
pub mod limits {
    use crate::core::ratelimit::Limit;

    /// Graph calls per app (code 4).
    pub const APP: &str = "graph calls (app)";
    /// Graph calls per user token's account (code 17).
    pub const USER: &str = "graph calls (user)";
    /// Graph calls made with a Page token, per Page (code 32).
    pub const PAGE: &str = "graph calls (page)";
    /// Calls about one IG account (business use case, code 613).
    pub const BUSINESS_USE_CASE: &str = "graph calls (instagram business use case)";

    pub fn default_of(name: &str) -> Limit {
        match name {
            APP => Limit::per_secs(10_000, 3600),
            USER => Limit::per_secs(1_000, 3600),
            PAGE => Limit::per_secs(4_800, 86_400),
            _ => Limit::per_secs(4_800, 86_400),
        }
    }
}

/// Usage percentages reported in `X-App-Usage` / `X-Business-Use-Case-Usage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub call_count: u32,
    pub total_time: u32,
    pub total_cputime: u32,
}

/// A processing failure to inject into new containers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingError {
    pub subcode: i64,
    #[serde(default)]
    pub message: Option<String>,
}

/// Tunables (`GET/POST /_sandbox/settings/instagram`). The [UNVERIFIED] items of
/// the contract are here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetaSettings {
    /// Accepted `vXX.X` path segments (the segment is always optional).
    pub api_versions: Vec<String>,
    /// Lifetime of a Facebook short-lived user token [UNVERIFIED: "1–2 h"].
    pub facebook_short_token_ttl_secs: i64,
    /// Lifetime of an Instagram short-lived token (1 h).
    pub instagram_short_token_ttl_secs: i64,
    /// Lifetime of long-lived tokens, both products (60 days).
    pub long_token_ttl_secs: i64,
    /// Minimum age of a token for `ig_refresh_token` (24 h).
    pub refresh_min_age_secs: i64,
    /// `flat` (`{"access_token","user_id","permissions"}`) or `data`
    /// (`{"data":[{...}]}`) [UNVERIFIED].
    pub instagram_token_response: String,
    /// `permissions` in the Instagram code exchange: `array` or `string`
    /// (comma-separated, as some newer docs show).
    pub instagram_permissions_format: String,
    /// Error body of `api.instagram.com/oauth/access_token`: `legacy`
    /// (`{"error_type","code","error_message"}`) or `graph`.
    pub instagram_oauth_error_shape: String,
    /// Permissions the emulated user unticks in the Facebook dialog: not granted,
    /// listed as `declined` by `/me/permissions`.
    pub facebook_declined_permissions: Vec<String>,
    /// HTTP status of code-190 (token) errors [UNVERIFIED: Graph mostly says 400].
    pub auth_error_status: u16,
    /// Subcode of code 190 for a revoked token (460 password changed; 458 app removed).
    pub revoked_token_subcode: i64,
    /// Container status polls answered `IN_PROGRESS` once an image is ready.
    pub image_processing_polls: u32,
    /// Container status polls answered `IN_PROGRESS` once a video is ready.
    pub video_processing_polls: u32,
    /// Containers created while this is set end in `ERROR` with this subcode.
    pub processing_error: Option<ProcessingError>,
    /// `copyright_check_status.matches_found` of finished videos.
    pub copyright_matches_found: bool,
    /// Timeout fetching `image_url` / `video_url` / `cover_url` / `file_url` (then 2207003).
    pub fetch_timeout_secs: u64,
    /// Hosts the emulator treats as public although their address is not: `host` or
    /// `host:port`, matched case-insensitively (`127.0.0.1:9000`, `localhost`, `[::1]:8080`).
    /// Media on any other loopback, private (RFC 1918, 100.64.0.0/10, fc00::/7),
    /// link-local or unspecified address, or on `localhost`, is refused as Meta
    /// refuses media it cannot fetch (9004 / 2207052). Only literal addresses and
    /// `localhost` are checked: DNS names are not resolved.
    pub public_hosts: Vec<String>,
    pub max_image_bytes: u64,
    pub max_video_bytes: u64,
    /// Accept PNG for `image_url` (the contract says JPEG only).
    pub allow_png_images: bool,
    pub max_caption_chars: usize,
    /// [UNVERIFIED-by-DOC]
    pub max_hashtags: usize,
    /// [UNVERIFIED-by-DOC]
    pub max_mentions: usize,
    /// Feed images: width / height at least this (4:5).
    pub min_aspect_ratio: f64,
    /// Feed images: width / height at most this (1.91:1).
    pub max_aspect_ratio: f64,
    /// Containers per IG account per rolling `quota_duration_secs`.
    pub container_limit: u64,
    /// `config.quota_total` of `content_publishing_limit` [UNVERIFIED: 25/50/100].
    pub publishing_quota_total: u64,
    /// `config.quota_duration` (rolling window, also used for `container_limit`).
    pub quota_duration_secs: i64,
    /// Containers expire this long after creation.
    pub container_ttl_secs: i64,
    /// `DELETE /{media-id}`: `unsupported` (default), `facebook_login`, `all` [UNVERIFIED].
    pub delete_media: String,
    /// `GET` on a rupload URL returns the offset, and `offset` > 0 resumes [UNVERIFIED].
    pub rupload_resume: bool,
    /// `upload_type=resumable` also on `graph.instagram.com` (Instagram Login). Meta's
    /// docs say Facebook Login for Business only, so it is off by default [UNVERIFIED].
    pub resumable_on_instagram_login: bool,
    /// Fixed `X-App-Usage` values; any value >= 100 throttles with code 4.
    pub app_usage: Option<Usage>,
    /// Fixed `X-Business-Use-Case-Usage` values; any value >= 100 throttles with code 613.
    pub business_use_case_usage: Option<Usage>,
    /// Media insights: the metrics each media product type (`FEED`, `REELS`,
    /// `STORY`) supports; any other known metric is refused with code 100. A type
    /// left out keeps Meta's list (docs/platforms/instagram.md §11).
    pub insights_metrics: BTreeMap<String, Vec<String>>,
    /// Story insights are kept this long after the story is published; later the
    /// answer's `data` is empty [UNVERIFIED: Meta says "only available for 24 hours"].
    pub story_insights_secs: i64,
    /// A story seen by fewer accounts than this answers code 10 "Not enough viewers
    /// for the media to show insights" (Meta: "values less than 5").
    pub story_min_viewers: u64,
}

impl Default for MetaSettings {
    fn default() -> Self {
        Self {
            api_versions: [
                "v19.0", "v20.0", "v21.0", "v22.0", "v23.0", "v24.0", "v25.0", "v26.0",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            facebook_short_token_ttl_secs: 3600,
            instagram_short_token_ttl_secs: 3600,
            long_token_ttl_secs: LONG_TOKEN_TTL_SECS,
            refresh_min_age_secs: 86_400,
            instagram_token_response: "flat".into(),
            instagram_permissions_format: "array".into(),
            instagram_oauth_error_shape: "legacy".into(),
            facebook_declined_permissions: Vec::new(),
            auth_error_status: 400,
            revoked_token_subcode: 460,
            image_processing_polls: 0,
            video_processing_polls: 2,
            processing_error: None,
            copyright_matches_found: false,
            fetch_timeout_secs: 15,
            public_hosts: Vec::new(),
            max_image_bytes: 8 * 1024 * 1024,
            max_video_bytes: 300 * 1024 * 1024,
            allow_png_images: false,
            max_caption_chars: 2200,
            max_hashtags: 30,
            max_mentions: 20,
            min_aspect_ratio: 0.8,
            max_aspect_ratio: 1.91,
            container_limit: 400,
            publishing_quota_total: 100,
            quota_duration_secs: 86_400,
            container_ttl_secs: 86_400,
            delete_media: "unsupported".into(),
            rupload_resume: true,
            resumable_on_instagram_login: false,
            app_usage: None,
            business_use_case_usage: None,
            insights_metrics: metrics::default_metrics_table(),
            story_insights_secs: 86_400,
            story_min_viewers: 5,
        }
    }
}

impl MetaSettings {
    fn validate(&self) -> Result<(), String> {
        let one_of = |name: &str, v: &str, allowed: &[&str]| {
            if allowed.contains(&v) {
                Ok(())
            } else {
                Err(format!("{name} must be one of {allowed:?}"))
            }
        };
        one_of(
            "instagram_token_response",
            &self.instagram_token_response,
            &["flat", "data"],
        )?;
        one_of(
            "instagram_permissions_format",
            &self.instagram_permissions_format,
            &["array", "string"],
        )?;
        one_of(
            "instagram_oauth_error_shape",
            &self.instagram_oauth_error_shape,
            &["legacy", "graph"],
        )?;
        one_of(
            "delete_media",
            &self.delete_media,
            &["unsupported", "facebook_login", "all"],
        )?;
        if StatusCode::from_u16(self.auth_error_status).is_err() || self.auth_error_status < 400 {
            return Err("auth_error_status must be a 4xx/5xx status".into());
        }
        if !(self.min_aspect_ratio > 0.0 && self.min_aspect_ratio <= self.max_aspect_ratio) {
            return Err("need 0 < min_aspect_ratio <= max_aspect_ratio".into());
        }
        if self.quota_duration_secs <= 0 || self.container_ttl_secs <= 0 {
            return Err("durations must be > 0".into());
        }
        if self.story_insights_secs <= 0 {
            return Err("story_insights_secs must be > 0".into());
        }
        for (product, list) in &self.insights_metrics {
            if !metrics::PRODUCT_TYPES.contains(&product.as_str()) {
                return Err(format!(
                    "insights_metrics: {product:?} is not one of {:?}",
                    metrics::PRODUCT_TYPES
                ));
            }
            if let Some(m) = list
                .iter()
                .find(|m| !metrics::KNOWN_METRICS.contains(&m.as_str()))
            {
                return Err(format!(
                    "insights_metrics: {m:?} is not one of {:?}",
                    metrics::KNOWN_METRICS
                ));
            }
        }
        for v in &self.api_versions {
            if !graph::is_version(v) {
                return Err(format!("{v:?} is not a vXX.X version"));
            }
        }
        for h in &self.public_hosts {
            if !fetch::is_host_entry(h) {
                return Err(format!(
                    "public_hosts: {h:?} is not a host or host:port (no scheme, path or spaces)"
                ));
            }
        }
        Ok(())
    }
}

/// Which login product (and Graph host) a token or container belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Login {
    /// Facebook Login, `graph.facebook.com`.
    Facebook,
    /// Instagram Login, `graph.instagram.com`.
    Instagram,
}

impl Login {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Facebook => "facebook",
            Self::Instagram => "instagram",
        }
    }
}

/// Short- or long-lived user token, or a Page token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Short,
    Long,
    Page,
}

/// What the Meta module knows about a token beyond the core record (which holds
/// client, account, scopes, `issued_at` = created_at and expiry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub kind: TokenKind,
    pub login: Login,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What a container holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerKind {
    Image,
    Video,
    Carousel,
}

/// How the bytes of a container arrive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Transfer {
    /// Fetched (or being fetched) from `image_url` / `video_url` / `file_url`.
    Fetching,
    /// `upload_type=resumable`: waiting for bytes at the rupload URL.
    Uploading { file_size: Option<u64>, offset: u64 },
    /// Bytes complete.
    Done,
    /// The download failed (`code`, `subcode`).
    Failed {
        code: i64,
        subcode: i64,
        message: String,
    },
    /// Nothing to transfer (carousel parent).
    None,
}

/// Size and digest of the bytes of a container (never the bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaFacts {
    pub mime: String,
    pub size: u64,
    pub sha256: Option<String>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
}

/// The `cover_url` image of a Reel: Meta fetches it like the video, so the container
/// is `IN_PROGRESS` while it downloads and `ERROR` when it cannot be fetched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    pub url: String,
    /// `Fetching`, `Done` or `Failed`.
    pub transfer: Transfer,
    pub media: Option<MediaFacts>,
}

/// An IG container (`POST /{ig-user-id}/media`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub id: String,
    pub owner_id: String,
    pub login: Login,
    pub kind: ContainerKind,
    /// `IMAGE`, `VIDEO`, `REELS`, `STORIES` or `CAROUSEL`.
    pub media_type: String,
    pub is_carousel_item: bool,
    pub caption: Option<String>,
    pub alt_text: Option<String>,
    pub share_to_feed: Option<bool>,
    pub children: Vec<String>,
    pub source_url: Option<String>,
    pub transfer: Transfer,
    pub media: Option<MediaFacts>,
    /// A Reel's `cover_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<Cover>,
    /// Polls answered `IN_PROGRESS` since the bytes were complete.
    pub ready_polls: u32,
    /// `IN_PROGRESS` polls to answer once the bytes are complete.
    pub processing_polls: u32,
    /// Injected processing failure.
    pub fail_with: Option<ProcessingError>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub published_media_id: Option<String>,
    /// The carousel parent this item was published in.
    pub parent_id: Option<String>,
}

/// A published IG media object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgMedia {
    pub id: String,
    pub owner_id: String,
    pub container_id: String,
    /// `IMAGE`, `VIDEO` or `CAROUSEL_ALBUM`.
    pub media_type: String,
    /// `FEED`, `REELS` or `STORY`.
    pub media_product_type: String,
    pub caption: Option<String>,
    pub alt_text: Option<String>,
    pub shortcode: String,
    pub source_url: Option<String>,
    pub children: Vec<String>,
    pub parent_id: Option<String>,
    pub is_shared_to_feed: Option<bool>,
    pub login: Login,
    pub timestamp: DateTime<Utc>,
    pub deleted: bool,
}

/// Runtime state of a resumable upload (lost on restart: the digest is then unknown).
#[derive(Clone, Debug, Default)]
pub struct UploadRuntime {
    pub hasher: Option<sha2::Sha256>,
}

/// Meta-specific state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MetaState {
    pub settings: MetaSettings,
    pub tokens: BTreeMap<String, TokenInfo>,
    /// `"{user token}|{page id}"` -> Page token handed out by `/me/accounts`.
    pub page_tokens: BTreeMap<String, String>,
    pub containers: BTreeMap<String, Container>,
    pub media: BTreeMap<String, IgMedia>,
    #[serde(skip)]
    pub uploads: HashMap<String, UploadRuntime>,
    /// Containers with an upload request in flight.
    #[serde(skip)]
    pub uploading: HashSet<String>,
}

/// The Meta module.
#[derive(Clone, Copy, Debug, Default)]
pub struct MetaModule;

impl PlatformModule for MetaModule {
    fn id(&self) -> &'static str {
        PLATFORM
    }

    fn display_name(&self) -> &'static str {
        "Instagram (Meta)"
    }

    fn prefix(&self) -> &'static str {
        "/meta"
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[
            "https://www.facebook.com (/meta/facebook)",
            "https://graph.facebook.com (/meta/graph)",
            "https://www.instagram.com and https://api.instagram.com (/meta/instagram)",
            "https://graph.instagram.com (/meta/graph-instagram)",
            "https://rupload.facebook.com (/meta/rupload)",
        ]
    }

    fn seed(&self, core: &mut PlatformCore) {
        for (i, (id, user, name)) in [META_IG_ACCOUNT_CREATOR, META_IG_ACCOUNT_STUDIO]
            .into_iter()
            .enumerate()
        {
            if core.account(id).is_none() {
                let mut a = Account::new(id, user, name);
                let page = META_PAGES
                    .iter()
                    .find(|p| p.instagram_business_account == Some(id))
                    .map(|p| p.id);
                a.extra = json!({
                    "kind": "instagram",
                    "account_type": if i == 0 { "MEDIA_CREATOR" } else { "BUSINESS" },
                    "page_id": page,
                });
                core.accounts.push(a);
            }
        }
        let (id, user, name) = META_FACEBOOK_USER;
        if core.account(id).is_none() {
            let mut a = Account::new(id, user, name);
            a.extra = json!({
                "kind": "facebook_user",
                "pages": META_PAGES.iter().map(|p| p.id).collect::<Vec<_>>(),
            });
            core.accounts.push(a);
        }
        core.seed_client(SeedClient {
            id: META_FACEBOOK_APP_ID,
            name: "CreatorFlow (sandbox Facebook app)",
            client_type: ClientType::Confidential,
            secret: Some(META_FACEBOOK_APP_SECRET),
            redirect_uris: META_FACEBOOK_REDIRECT_URIS,
            redirect_match: RedirectMatch::Exact,
        });
        core.seed_client(SeedClient {
            id: META_INSTAGRAM_APP_ID,
            name: "CreatorFlow (sandbox Instagram app)",
            client_type: ClientType::Confidential,
            secret: Some(META_INSTAGRAM_APP_SECRET),
            redirect_uris: META_INSTAGRAM_REDIRECT_URIS,
            redirect_match: RedirectMatch::Exact,
        });
        // A state file written before a seeded URI was added still gets it.
        for (id, uris) in [
            (META_FACEBOOK_APP_ID, META_FACEBOOK_REDIRECT_URIS),
            (META_INSTAGRAM_APP_ID, META_INSTAGRAM_REDIRECT_URIS),
        ] {
            if let Some(c) = core.clients.get_mut(id) {
                for u in uris {
                    if !c.redirect_uris.iter().any(|r| r == u) {
                        c.redirect_uris.push(u.to_string());
                    }
                }
            }
        }
    }

    fn router(&self) -> Router<Sandbox> {
        Router::new()
            .route("/facebook/dialog/oauth", get(oauth::facebook_dialog))
            .route(
                "/facebook/connect/login_success.html",
                get(oauth::login_success),
            )
            .route(
                "/facebook/{version}/dialog/oauth",
                get(oauth::facebook_dialog_versioned),
            )
            .route(
                "/instagram/oauth/authorize",
                get(oauth::instagram_authorize),
            )
            .route(
                "/instagram/oauth/access_token",
                post(oauth::instagram_access_token),
            )
            .route("/instagram/p/{shortcode}", get(publish::permalink_page))
            .route("/instagram/p/{shortcode}/", get(publish::permalink_page))
            .route("/instagram/reel/{shortcode}", get(publish::permalink_page))
            .route("/instagram/reel/{shortcode}/", get(publish::permalink_page))
            .route("/graph/{*rest}", any(graph::facebook_graph))
            .route("/graph-instagram/{*rest}", any(graph::instagram_graph))
            .route(
                "/rupload/{*rest}",
                post(rupload::upload)
                    .get(rupload::offset)
                    // Sizes are enforced while streaming.
                    .layer(DefaultBodyLimit::disable()),
            )
    }

    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        let code = match status {
            StatusCode::NOT_FOUND => 2500,
            StatusCode::TOO_MANY_REQUESTS => 4,
            s if s.is_server_error() => 2,
            _ => 100,
        };
        let message = if status == StatusCode::NOT_FOUND {
            "Unknown path components".to_string()
        } else {
            message.to_string()
        };
        GraphError::new(code, message)
            .status(status)
            .transient(status.is_server_error())
            .into_response()
    }

    fn rate_limited_response(&self, _limit: u64, _reset_at: i64, _now: i64) -> Response {
        let mut r = GraphError::new(4, "(#4) Application request limit reached")
            .transient(true)
            .into_response();
        let full = Usage {
            call_count: 100,
            total_time: 100,
            total_cputime: 100,
        };
        graph::insert_app_usage(&mut r, full);
        r
    }

    fn token_policy(&self) -> TokenPolicy {
        token_policy(Some(LONG_TOKEN_TTL_SECS))
    }

    fn default_scopes(&self) -> Vec<String> {
        FACEBOOK_PUBLISH_SCOPES
            .iter()
            .chain(INSTAGRAM_PUBLISH_SCOPES)
            .chain(&["public_profile"])
            .map(|s| s.to_string())
            .collect()
    }

    fn settings(&self, state: &SandboxState) -> Value {
        serde_json::to_value(&state.meta.settings).unwrap_or(Value::Null)
    }

    fn update_settings(&self, state: &mut SandboxState, patch: Value) -> Result<(), String> {
        let mut current = serde_json::to_value(&state.meta.settings).map_err(|e| e.to_string())?;
        let (Value::Object(cur), Value::Object(p)) = (&mut current, patch) else {
            return Err("settings must be a JSON object".into());
        };
        for (k, v) in p {
            if !cur.contains_key(&k) {
                return Err(format!("unknown Instagram setting {k:?}"));
            }
            cur.insert(k, v);
        }
        let next: MetaSettings = serde_json::from_value(current).map_err(|e| e.to_string())?;
        next.validate()?;
        state.meta.settings = next;
        Ok(())
    }
}

/// Meta tokens: no refresh token (long-lived tokens are exchanged/refreshed instead).
pub fn token_policy(ttl: Option<i64>) -> TokenPolicy {
    TokenPolicy {
        access_ttl_secs: ttl,
        refresh: None,
        access_prefix: String::new(),
        refresh_prefix: String::new(),
    }
}

/// Records what the core does not know about a new token, and forgets what is
/// known about tokens the core has dropped (keeps the state file small).
pub(crate) fn remember_token(st: &mut SandboxState, token: String, info: TokenInfo) {
    st.meta.tokens.insert(token, info);
    let now = st.now();
    let (dead_tokens, dead_pages) = {
        let Some(core) = st.core_ref(PLATFORM) else {
            return;
        };
        let gone = |t: &str| {
            matches!(
                core.oauth.check_bearer(Some(t), now),
                Err(BearerError::Unknown)
            )
        };
        let tokens: Vec<String> = st.meta.tokens.keys().filter(|t| gone(t)).cloned().collect();
        let pages: Vec<String> = st
            .meta
            .page_tokens
            .iter()
            .filter(|(k, v)| gone(v) || k.split_once('|').is_some_and(|(u, _)| gone(u)))
            .map(|(k, _)| k.clone())
            .collect();
        (tokens, pages)
    };
    for t in dead_tokens {
        st.meta.tokens.remove(&t);
    }
    for k in dead_pages {
        st.meta.page_tokens.remove(&k);
    }
}

// ----- accounts ------------------------------------------------------------------------

/// Whether `id` is an IG professional account of the sandbox.
pub(crate) fn is_ig_account(core: &PlatformCore, id: &str) -> bool {
    core.account(id)
        .is_some_and(|a| a.extra.get("kind").and_then(Value::as_str) == Some("instagram"))
}

/// Whether `id` is a Facebook user of the sandbox.
pub(crate) fn is_facebook_user(core: &PlatformCore, id: &str) -> bool {
    core.account(id)
        .is_some_and(|a| a.extra.get("kind").and_then(Value::as_str) == Some("facebook_user"))
}

/// The Page with this id.
pub(crate) fn page(id: &str) -> Option<&'static MetaPage> {
    META_PAGES.iter().find(|p| p.id == id)
}

/// The Facebook user who manages the Page linked to IG account `ig_id`.
pub(crate) fn facebook_user_of(core: &PlatformCore, ig_id: &str) -> Option<String> {
    let page = META_PAGES
        .iter()
        .find(|p| p.instagram_business_account == Some(ig_id))?;
    core.accounts
        .iter()
        .find(|a| {
            a.extra
                .get("pages")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p.as_str() == Some(page.id)))
        })
        .map(|a| a.id.clone())
}

/// Pages a Facebook user manages.
pub(crate) fn pages_of(core: &PlatformCore, user_id: &str) -> Vec<&'static MetaPage> {
    let Some(acc) = core.account(user_id) else {
        return Vec::new();
    };
    let ids: Vec<&str> = acc
        .extra
        .get("pages")
        .and_then(Value::as_array)
        .map(|ps| ps.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    META_PAGES.iter().filter(|p| ids.contains(&p.id)).collect()
}

// ----- wire helpers -------------------------------------------------------------------

/// A Graph API error: `{"error":{"message","type","code","error_subcode",
/// "is_transient","error_user_title","error_user_msg","fbtrace_id"}}`.
#[derive(Clone, Debug)]
pub(crate) struct GraphError {
    pub status: StatusCode,
    pub code: i64,
    pub subcode: Option<i64>,
    pub message: String,
    pub kind: &'static str,
    pub transient: bool,
    pub user_title: Option<String>,
    pub user_msg: Option<String>,
    /// Adds `WWW-Authenticate: OAuth "Facebook Platform" "invalid_token" ...`.
    pub invalid_token: bool,
}

impl GraphError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            subcode: None,
            message: message.into(),
            kind: "OAuthException",
            transient: false,
            user_title: None,
            user_msg: None,
            invalid_token: false,
        }
    }

    pub fn sub(mut self, subcode: i64) -> Self {
        self.subcode = Some(subcode);
        self
    }

    pub fn user(mut self, title: &str, msg: impl Into<String>) -> Self {
        self.user_title = Some(title.to_string());
        self.user_msg = Some(msg.into());
        self
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn transient(mut self, t: bool) -> Self {
        self.transient = t;
        self
    }

    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    pub fn invalid_token(mut self) -> Self {
        self.invalid_token = true;
        self
    }

    /// `(#100) The parameter {name} is required`.
    pub fn missing(name: &str) -> Self {
        Self::new(100, format!("(#100) The parameter {name} is required"))
    }

    /// `(#100) {text}`.
    pub fn invalid(text: &str) -> Self {
        Self::new(100, format!("(#100) {text}"))
    }

    /// Graph's answer for an object that does not exist or is not visible.
    pub fn unsupported(method: &str, id: &str) -> Self {
        Self::new(
            100,
            format!(
                "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be \
                 loaded due to missing permissions, or does not support this operation. Please \
                 read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
            ),
        )
        .sub(33)
        .kind("GraphMethodException")
    }

    /// `(#100) Tried accessing nonexisting field ({field}) on node type ({node})`.
    pub fn unknown_field(field: &str, node: &str) -> Self {
        Self::new(
            100,
            format!("(#100) Tried accessing nonexisting field ({field}) on node type ({node})"),
        )
    }

    /// A content-publishing error from the documented table.
    pub fn publishing(code: i64, subcode: i64, message: &str, title: &str, user_msg: &str) -> Self {
        Self::new(code, message)
            .sub(subcode)
            .user(title, user_msg)
            .transient(matches!(code, -1 | -2 | 2))
    }

    pub fn body(&self) -> Value {
        let mut e = json!({
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "is_transient": self.transient,
            "fbtrace_id": fbtrace_id(),
        });
        if let Some(obj) = e.as_object_mut() {
            if let Some(s) = self.subcode {
                obj.insert("error_subcode".into(), json!(s));
            }
            if let Some(t) = &self.user_title {
                obj.insert("error_user_title".into(), json!(t));
            }
            if let Some(m) = &self.user_msg {
                obj.insert("error_user_msg".into(), json!(m));
            }
        }
        json!({ "error": e })
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let body = self.body();
        let trace = body["error"]["fbtrace_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut r = json_response(self.status, &body);
        if let Ok(v) = HeaderValue::from_str(&trace) {
            r.headers_mut().insert("x-fb-trace-id", v);
        }
        if self.invalid_token {
            let msg: String = self
                .message
                .chars()
                .filter(|c| *c != '"' && *c != '\\' && !c.is_control())
                .collect();
            if let Ok(v) = HeaderValue::from_str(&format!(
                "OAuth \"Facebook Platform\" \"invalid_token\" \"{msg}\""
            )) {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        r
    }
}

/// A random trace id like Graph's (`A6LJylpZRKw2xKLFsAP-cJh`).
pub(crate) fn fbtrace_id() -> String {
    format!("A{}", random_alnum(22))
}

/// A JSON response with Graph's content type.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

/// Graph's timestamp format: `2024-05-19T23:27:28+0000`.
pub(crate) fn graph_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%z").to_string()
}
