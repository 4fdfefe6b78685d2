//! X (Twitter) API v2 emulator: OAuth 2.0 + PKCE, `POST/DELETE /2/tweets`,
//! `GET /2/tweets/:id` (with the app's monthly Post cap), `GET /2/users/me`,
//! and the v2 media upload endpoints.
//!
//! `/x` stands for both `https://x.com` and `https://api.x.com`. Contract:
//! docs/platforms/x.md (§8: what the emulator must model) and
//! docs/platforms/desktop-oauth.md.

use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::core::oauth::{
    AccessTokenRecord, BearerError, ClientType, RedirectMatch, RefreshPolicy, TokenPolicy,
};
use crate::core::platform::{Account, PlatformCore, PlatformModule, SeedClient};
use crate::core::ratelimit::RateDecision;
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::bearer_token;

mod lookup;
mod media;
mod oauth;
pub mod text;
mod tweets;

pub use lookup::{DEFAULT_MONTHLY_POST_CAP, PostReads};

/// Platform id.
pub const PLATFORM: &str = "x";

/// Seeded public ("Native App") client: PKCE + `client_id` in the body.
pub const X_PUBLIC_CLIENT_ID: &str = "creatorflow-sandbox-x";
/// Redirect URIs of the public client (exact match, port included).
pub const X_PUBLIC_REDIRECT_URIS: &[&str] = &[
    "creatorflow://oauth/x",
    "http://127.0.0.1:47615/oauth/x/callback",
];
/// Seeded confidential ("Web App") client: Basic auth at the token endpoint.
pub const X_CONFIDENTIAL_CLIENT_ID: &str = "creatorflow-sandbox-x-web";
/// Secret of the confidential client.
pub const X_CONFIDENTIAL_CLIENT_SECRET: &str = "creatorflow-sandbox-x-secret";
/// Redirect URIs of the confidential client.
pub const X_CONFIDENTIAL_REDIRECT_URIS: &[&str] = &[
    "http://127.0.0.1:47615/oauth/x/callback",
    "creatorflow://oauth/x",
];

/// First demo account: `(id, username, display name)`.
pub const X_ACCOUNT_CREATOR: (&str, &str, &str) =
    ("1500000000000000001", "sandbox_creator", "Sandbox Creator");
/// Second demo account.
pub const X_ACCOUNT_STUDIO: (&str, &str, &str) =
    ("1500000000000000002", "sandbox_studio", "Sandbox Studio");

/// Scopes X documents (docs table + OpenAPI).
pub const X_SCOPES: &[&str] = &[
    "tweet.read",
    "tweet.write",
    "tweet.moderate.write",
    "users.read",
    "users.email",
    "follows.read",
    "follows.write",
    "offline.access",
    "space.read",
    "mute.read",
    "mute.write",
    "like.read",
    "like.write",
    "list.read",
    "list.write",
    "block.read",
    "block.write",
    "bookmark.read",
    "bookmark.write",
    "dm.read",
    "dm.write",
    "media.write",
    "timeline.read",
    "broadcast.read",
    "broadcast.write",
];

/// Scopes a publisher asks for.
pub const X_PUBLISH_SCOPES: &[&str] = &[
    "tweet.read",
    "tweet.write",
    "users.read",
    "media.write",
    "offline.access",
];

/// Authorization code lifetime (30 s, documented).
pub const CODE_LIFETIME_SECS: i64 = 30;
/// Access token lifetime (2 h).
pub const ACCESS_TOKEN_TTL_SECS: i64 = 7200;
/// Refresh token lifetime (about 6 months, unverified).
pub const REFRESH_TOKEN_TTL_SECS: i64 = 180 * 24 * 3600;

/// Rate-limit names (use them with `POST /_sandbox/quotas`) and default limits.
pub mod limits {
    use crate::core::ratelimit::Limit;

    pub const CREATE_TWEET: &str = "POST /2/tweets";
    pub const DELETE_TWEET: &str = "DELETE /2/tweets/:id";
    pub const GET_TWEET: &str = "GET /2/tweets/:id";
    pub const USERS_ME: &str = "GET /2/users/me";
    pub const MEDIA_UPLOAD: &str = "POST /2/media/upload";
    pub const MEDIA_STATUS: &str = "GET /2/media/upload";
    pub const MEDIA_INITIALIZE: &str = "POST /2/media/upload/initialize";
    pub const MEDIA_APPEND: &str = "POST /2/media/upload/:id/append";
    pub const MEDIA_FINALIZE: &str = "POST /2/media/upload/:id/finalize";

    const WINDOW: i64 = 15 * 60;
    const DAY: i64 = 24 * 3600;

    /// `(per user, per app)` limits of an endpoint name.
    pub fn of(name: &str) -> (Limit, Option<Limit>) {
        match name {
            CREATE_TWEET => (
                Limit::per_secs(100, WINDOW),
                Some(Limit::per_secs(10_000, DAY)),
            ),
            DELETE_TWEET => (Limit::per_secs(50, WINDOW), None),
            // X's 450 per app apply to app-only tokens, which the sandbox
            // does not issue.
            GET_TWEET => (Limit::per_secs(900, WINDOW), None),
            USERS_ME => (Limit::per_secs(75, WINDOW), None),
            MEDIA_UPLOAD => (
                Limit::per_secs(500, WINDOW),
                Some(Limit::per_secs(50_000, DAY)),
            ),
            MEDIA_STATUS => (
                Limit::per_secs(1000, WINDOW),
                Some(Limit::per_secs(100_000, DAY)),
            ),
            _ => (
                Limit::per_secs(1875, WINDOW),
                Some(Limit::per_secs(180_000, DAY)),
            ),
        }
    }

    /// Name of the per-app limit of an endpoint.
    pub fn app_name(name: &str) -> String {
        format!("{name} (app)")
    }
}

/// Tunables (`GET/POST /_sandbox/settings/x`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct XSettings {
    /// Weighted length limit of a post (280; Premium accounts get more).
    pub max_weighted_length: u32,
    /// STATUS polls that report `in_progress` after `finalize`'s `pending`; the next
    /// poll reports `succeeded` (or `failed`).
    pub video_processing_polls: u32,
    /// `check_after_secs` sent while processing.
    pub check_after_secs: u64,
    /// Make video/GIF processing end in `failed`.
    pub fail_video_processing: bool,
    /// Refuse a post whose text equals a live post of the same account (403).
    pub reject_duplicates: bool,
    /// Posts the app may read per UTC month (X's Post cap of its access
    /// tier); past it, `GET /2/tweets/:id` answers 429 usage-capped.
    pub monthly_post_cap: u64,
}

impl Default for XSettings {
    fn default() -> Self {
        Self {
            max_weighted_length: 280,
            video_processing_polls: 2,
            check_after_secs: 1,
            fail_video_processing: false,
            reject_duplicates: true,
            monthly_post_cap: DEFAULT_MONTHLY_POST_CAP,
        }
    }
}

/// A post the emulator holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tweet {
    pub id: String,
    pub author_id: String,
    pub text: String,
    pub reply_to: Option<String>,
    pub media_ids: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub deleted: bool,
}

/// Media kind, from the media category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Gif,
    Video,
    Subtitles,
}

impl MediaKind {
    /// Media-key prefix: `3_` image, `16_` GIF, `13_` video.
    pub fn key_prefix(self) -> &'static str {
        match self {
            Self::Image => "3_",
            Self::Gif => "16_",
            Self::Video => "13_",
            Self::Subtitles => "7_",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Gif => "gif",
            Self::Video => "video",
            Self::Subtitles => "subtitles",
        }
    }
}

/// Processing state of uploaded media (`processing_info.state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingState {
    Pending,
    InProgress,
    Succeeded,
    Failed,
}

/// An upload (simple or chunked) and the media it became.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    pub id: String,
    pub media_key: String,
    pub owner_id: String,
    pub additional_owners: Vec<String>,
    pub category: String,
    pub media_type: String,
    pub kind: MediaKind,
    /// Announced size (chunked uploads).
    pub total_bytes: Option<u64>,
    /// Segment index -> size.
    pub segments: BTreeMap<u32, u64>,
    pub size: u64,
    pub sha256: Option<String>,
    pub finalized: bool,
    /// `None` = no processing (images), else its state.
    pub processing: Option<ProcessingState>,
    /// STATUS polls seen while processing.
    pub polls: u32,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Media {
    /// Whether `account` may use this media.
    pub fn usable_by(&self, account: &str) -> bool {
        self.owner_id == account || self.additional_owners.iter().any(|o| o == account)
    }
}

/// In-order hashing of a chunked upload (runtime only; lost on restart).
#[derive(Clone, Debug, Default)]
pub struct UploadHasher {
    pub next_index: u32,
    pub hasher: sha2::Sha256,
    pub broken: bool,
}

/// X-specific state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct XState {
    pub tweets: BTreeMap<String, Tweet>,
    pub media: BTreeMap<String, Media>,
    pub settings: XSettings,
    /// Posts read this month, against `settings.monthly_post_cap`.
    pub post_reads: PostReads,
    #[serde(skip)]
    pub hashers: HashMap<String, UploadHasher>,
}

/// The X module.
#[derive(Clone, Copy, Debug, Default)]
pub struct XModule;

impl PlatformModule for XModule {
    fn id(&self) -> &'static str {
        PLATFORM
    }

    fn display_name(&self) -> &'static str {
        "X (Twitter)"
    }

    fn prefix(&self) -> &'static str {
        "/x"
    }

    fn hosts(&self) -> &'static [&'static str] {
        &["https://x.com", "https://api.x.com"]
    }

    fn seed(&self, core: &mut PlatformCore) {
        for (id, user, name) in [X_ACCOUNT_CREATOR, X_ACCOUNT_STUDIO] {
            if core.account(id).is_none() {
                core.accounts.push(Account::new(id, user, name));
            }
        }
        core.seed_client(SeedClient {
            id: X_PUBLIC_CLIENT_ID,
            name: "CreatorFlow (sandbox)",
            client_type: ClientType::Public,
            secret: None,
            redirect_uris: X_PUBLIC_REDIRECT_URIS,
            redirect_match: RedirectMatch::Exact,
        });
        core.seed_client(SeedClient {
            id: X_CONFIDENTIAL_CLIENT_ID,
            name: "CreatorFlow Web (sandbox)",
            client_type: ClientType::Confidential,
            secret: Some(X_CONFIDENTIAL_CLIENT_SECRET),
            redirect_uris: X_CONFIDENTIAL_REDIRECT_URIS,
            redirect_match: RedirectMatch::Exact,
        });
    }

    fn router(&self) -> Router<Sandbox> {
        Router::new()
            .route("/i/oauth2/authorize", get(oauth::authorize))
            .route("/2/oauth2/authorize", get(oauth::authorize))
            .route("/2/oauth2/token", post(oauth::token))
            .route("/2/oauth2/revoke", post(oauth::revoke))
            .route("/2/tweets", post(tweets::create))
            .route("/2/tweets/{id}", get(lookup::lookup).delete(tweets::delete))
            .route("/2/users/me", get(tweets::users_me))
            .route("/{username}/status/{id}", get(tweets::status_page))
            .route(
                "/2/media/upload",
                post(media::simple_upload).get(media::status),
            )
            .route("/2/media/upload/initialize", post(media::initialize))
            .route("/2/media/upload/{id}/append", post(media::append))
            .route("/2/media/upload/{id}/finalize", post(media::finalize))
            // Sizes are enforced by the handlers while streaming.
            .layer(DefaultBodyLimit::disable())
    }

    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        let title = status.canonical_reason().unwrap_or("Error");
        problem(status, title, message, "about:blank", None)
    }

    fn rate_limited_response(&self, limit: u64, reset_at: i64, _now: i64) -> Response {
        too_many_requests(limit, reset_at)
    }

    fn token_policy(&self) -> TokenPolicy {
        token_policy()
    }

    fn default_scopes(&self) -> Vec<String> {
        X_PUBLISH_SCOPES.iter().map(|s| s.to_string()).collect()
    }

    /// The tunables, plus the Post cap's counter on the emulated clock:
    /// `posts_read_this_month` (settable) and `post_cap_resets_at`.
    fn settings(&self, state: &SandboxState) -> Value {
        let mut v = serde_json::to_value(&state.x.settings).unwrap_or(Value::Null);
        if let Value::Object(o) = &mut v {
            let now = state.now();
            o.insert(POSTS_READ.into(), json!(state.x.post_reads.used(now)));
            o.insert(CAP_RESETS_AT.into(), json!(lookup::next_month_start(now)));
        }
        v
    }

    fn update_settings(&self, state: &mut SandboxState, patch: Value) -> Result<(), String> {
        let mut current = serde_json::to_value(&state.x.settings).map_err(|e| e.to_string())?;
        let (Value::Object(cur), Value::Object(p)) = (&mut current, patch) else {
            return Err("settings must be a JSON object".into());
        };
        let mut posts_read = None;
        for (k, v) in p {
            match k.as_str() {
                // Read-only; ignored so a GET body can be posted back.
                CAP_RESETS_AT => {}
                POSTS_READ => {
                    posts_read = Some(
                        v.as_u64()
                            .ok_or_else(|| format!("{POSTS_READ} must be a whole number"))?,
                    );
                }
                _ if !cur.contains_key(&k) => return Err(format!("unknown X setting {k:?}")),
                _ => {
                    cur.insert(k, v);
                }
            }
        }
        state.x.settings = serde_json::from_value(current).map_err(|e| e.to_string())?;
        let now = state.now();
        if let Some(n) = posts_read.filter(|n| *n != state.x.post_reads.used(now)) {
            state.x.post_reads.set_used(n, now);
        }
        Ok(())
    }
}

/// This month's count of posts read (`GET/POST /_sandbox/settings/x`).
const POSTS_READ: &str = "posts_read_this_month";
/// When that count starts again from zero (read-only).
const CAP_RESETS_AT: &str = "post_cap_resets_at";

/// X token issuing: 2 h access tokens; rotating refresh tokens (only with `offline.access`).
pub fn token_policy() -> TokenPolicy {
    TokenPolicy {
        access_ttl_secs: Some(ACCESS_TOKEN_TTL_SECS),
        refresh: Some(RefreshPolicy {
            ttl_secs: Some(REFRESH_TOKEN_TTL_SECS),
            rotate: true,
            keep_expiry: false,
        }),
        access_prefix: String::new(),
        refresh_prefix: String::new(),
    }
}

// ----- wire helpers -------------------------------------------------------------------

pub(crate) const PROBLEM_JSON: &str = "application/problem+json";
const INVALID_REQUEST_TYPE: &str = "https://api.x.com/2/problems/invalid-request";
pub(crate) const NOT_FOUND_TYPE: &str = "https://api.x.com/2/problems/resource-not-found";

/// An RFC 7807 problem response the way X sends it.
pub(crate) fn problem(
    status: StatusCode,
    title: &str,
    detail: &str,
    type_: &str,
    extra: Option<Value>,
) -> Response {
    let mut body = json!({
        "title": title,
        "detail": detail,
        "type": type_,
        "status": status.as_u16(),
    });
    if let (Some(Value::Object(extra)), Value::Object(b)) = (extra, &mut body) {
        for (k, v) in extra {
            b.insert(k, v);
        }
    }
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    r
}

/// 400 invalid-request with X's `errors` array.
pub(crate) fn invalid_request(message: &str, parameter: Option<(&str, &str)>) -> Response {
    let parameters = match parameter {
        Some((p, v)) => json!({ p: [v] }),
        None => json!({}),
    };
    problem(
        StatusCode::BAD_REQUEST,
        "Invalid Request",
        "One or more parameters to your request was invalid.",
        INVALID_REQUEST_TYPE,
        Some(json!({ "errors": [{ "parameters": parameters, "message": message }] })),
    )
}

/// 400 with a plain `detail` (X's media-id errors).
pub(crate) fn bad_request(detail: &str) -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        "Bad Request",
        detail,
        "about:blank",
        None,
    )
}

/// 401 for a missing, unknown, expired or revoked bearer token.
pub(crate) fn unauthorized() -> Response {
    let mut r = problem(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Unauthorized",
        "about:blank",
        None,
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"api.x.com\""),
    );
    r
}

/// 403 with a detail.
pub(crate) fn forbidden(detail: &str) -> Response {
    problem(
        StatusCode::FORBIDDEN,
        "Forbidden",
        detail,
        "about:blank",
        None,
    )
}

/// 404 resource-not-found.
pub(crate) fn not_found(resource_type: &str, id: &str, parameter: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Not Found Error",
        &format!("Could not find {resource_type} with {parameter}: [{id}]."),
        NOT_FOUND_TYPE,
        Some(json!({
            "resource_type": resource_type,
            "resource_id": id,
            "parameter": parameter,
            "value": id,
        })),
    )
}

/// 429 with the rate-limit headers.
pub(crate) fn too_many_requests(limit: u64, reset_at: i64) -> Response {
    let r = problem(
        StatusCode::TOO_MANY_REQUESTS,
        "Too Many Requests",
        "Too Many Requests",
        "about:blank",
        None,
    );
    with_rate_headers(r, limit, 0, reset_at)
}

/// Adds `x-rate-limit-limit/remaining/reset`.
pub(crate) fn with_rate_headers(
    mut r: Response,
    limit: u64,
    remaining: u64,
    reset_at: i64,
) -> Response {
    let h = r.headers_mut();
    h.insert("x-rate-limit-limit", HeaderValue::from(limit));
    h.insert("x-rate-limit-remaining", HeaderValue::from(remaining));
    h.insert("x-rate-limit-reset", HeaderValue::from(reset_at));
    r
}

/// A JSON 200/201 response with X's content type.
pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// The authenticated caller of an API endpoint.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub token: AccessTokenRecord,
    pub account: Account,
    pub rate: RateDecision,
}

impl Caller {
    /// Adds this caller's rate-limit headers to a response.
    pub fn finish(&self, r: Response) -> Response {
        with_rate_headers(r, self.rate.limit, self.rate.remaining, self.rate.reset_at)
    }
}

/// Authenticates a bearer token, counts the request against the endpoint's user and
/// app windows, then checks scopes. Errors are ready-made X responses.
pub(crate) fn authenticate(
    sb: &Sandbox,
    headers: &HeaderMap,
    limit_name: &str,
    scopes: &[&str],
) -> Result<Caller, Response> {
    let token = bearer_token(headers);
    let (user_limit, app_limit) = limits::of(limit_name);
    let caller = sb.with_state(|st| {
        let now = st.now();
        let core = st.core(PLATFORM);
        let rec = match core.oauth.check_bearer(token.as_deref(), now) {
            Ok(r) => r.clone(),
            Err(
                BearerError::Missing
                | BearerError::Unknown
                | BearerError::Expired
                | BearerError::Revoked,
            ) => {
                return Err(unauthorized());
            }
        };
        let Some(account) = core.account(&rec.account_id).cloned() else {
            return Err(unauthorized());
        };
        let user = core
            .rate
            .hit(limit_name, &format!("user:{}", account.id), user_limit, now);
        if !user.allowed {
            return Err(too_many_requests(user.limit, user.reset_at));
        }
        if let Some(app_limit) = app_limit {
            let app = core.rate.hit(
                &limits::app_name(limit_name),
                &format!("app:{}", rec.client_id),
                app_limit,
                now,
            );
            if !app.allowed {
                return Err(too_many_requests(app.limit, app.reset_at));
            }
        }
        Ok(Caller {
            token: rec,
            account,
            rate: user,
        })
    })?;
    let missing = caller.token.missing_scopes(scopes);
    if !missing.is_empty() {
        return Err(caller.finish(forbidden(&format!(
            "Missing required OAuth 2.0 scopes: {}.",
            missing.join(", ")
        ))));
    }
    Ok(caller)
}
