//! LinkedIn: "Sign In with LinkedIn using OpenID Connect" + "Share on
//! LinkedIn" (OAuth 2.0 with the creator's own app), `/v2/userinfo`, and the
//! versioned REST API: `/rest/posts`, the Images, Videos and Documents APIs,
//! and the member post analytics (`/rest/memberCreatorPostAnalytics`, the
//! "Community Management API" product).
//! Contract: docs/platforms/linkedin.md; LinkedIn's redirect rules in
//! docs/platforms/desktop-oauth.md §4.3.
//!
//! A post is the member's own share (`author: urn:li:person:<sub>`, §1.5):
//! text in LinkedIn's "little" format (§9, escaped so it shows as typed),
//! with one of (§3.2):
//! - nothing else, or a link preview (`article`) for the first URL of the
//!   text, titled from the page;
//! - one image (`media`) or 2 to 20 (`multiImage`), each with its alt text;
//! - one MP4 video (`media`), uploaded in parts (§6) and resumable;
//! - one PDF document (`media`, Documents API).
//!
//! Media are uploaded and must be `AVAILABLE` before the post is created:
//! while LinkedIn processes them `publish` answers
//! [`crate::Outcome::Processing`] and [`crate::Publisher::check`] carries on
//! from the checkpoint (no sleeping in a worker).
//!
//! Sign-ins of a self-serve app last 60 days and cannot be renewed (§1.2):
//! `refresh` answers [`AuthError::CannotRefresh`] and the engine asks the
//! creator to reconnect. An app LinkedIn approved for refresh tokens gets them
//! used.

mod checkpoint;
mod client;
mod errors;
mod link;
mod media;
mod metrics;
mod text;
mod validate;

pub use checkpoint::{
    CHECKPOINT_VERSION, InFlight, LinkPreview, LinkedinCheckpoint, UploadedMedia, VideoPart,
    VideoUpload,
};
pub use client::LinkedinClient;
pub use errors::{LinkedinErrorBody, LinkedinOperation, map_error, next_utc_midnight};
pub use link::{MAX_PAGE_BYTES, MAX_TITLE_CHARS, PAGE_TIMEOUT, page_title};
pub use metrics::{METRICS, METRICS_SCOPE, entity_param, metrics_support, total_count};
pub use text::{commentary, commentary_length, first_url};
pub use validate::{
    MAX_ALT_TEXT_LENGTH, MAX_DOCUMENT_BYTES, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGES,
    MAX_TEXT_LENGTH, MAX_VIDEO_ASPECT, MAX_VIDEO_BYTES, MAX_VIDEO_DURATION_MS, MIN_VIDEO_ASPECT,
    MIN_VIDEO_BYTES, MIN_VIDEO_DURATION_MS, counts, validate_post, validate_update,
};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use url::Url;

use crate::auth::{
    AuthError, Authenticator, Authorization, ClientAuth, OAuthSpec, PkceStyle, RedirectStyle,
    StandardOAuth, TokenSet, standard,
};
use crate::types::{
    Capabilities, Choice, ClientCredentials, CountingRule, MediaKind, MediaRule, ScopeInfo,
    TextRule,
};

/// The `LinkedIn-Version` CreatorFlow sends by default (§2): `202607`
/// (Marketing July 2026), a release LinkedIn lists as current in its
/// versioning and migration pages. LinkedIn retires each version about a
/// year after its release (202607: around July 2027), so this constant must
/// be moved forward every few months; a retired one gets HTTP 426, which
/// CreatorFlow reports as "update CreatorFlow". An installation can pick
/// another active one with [`LinkedinClient::with_version`].
pub const DEFAULT_VERSION: &str = "202607";

/// The fixed loopback port of LinkedIn's redirect: a self-serve app matches
/// redirect URIs exactly, port included (desktop-oauth.md §4.3), so the
/// creator registers `http://127.0.0.1:47616/oauth/linkedin/callback`.
pub const LOOPBACK_PORT: u16 = 47616;

/// The path of the loopback redirect.
pub const REDIRECT_PATH: &str = "/oauth/linkedin/callback";

/// How long CreatorFlow follows LinkedIn's processing of the media of a post
/// before giving up: videos of up to 30 minutes take minutes to process
/// (§6), so two hours leaves room.
pub const PROCESSING_HORIZON_SECS: u32 = 2 * 3600;

/// What to tell the creator when LinkedIn will not renew the sign-in.
pub const REFRESH_REFUSED_MESSAGE: &str = "LinkedIn no longer accepts CreatorFlow's sign-in for \
    this account: LinkedIn sign-ins last 60 days (a refresh token, where LinkedIn gives one, a \
    year), or it was revoked. Reconnect the account.";

/// Where the LinkedIn client sends its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedinEndpoints {
    /// `https://www.linkedin.com`: the OAuth pages and endpoints (§1.1) and
    /// the public page of a post.
    pub auth: Url,
    /// `https://api.linkedin.com`: `/v2/userinfo` and `/rest/*`.
    pub api: Url,
}

impl LinkedinEndpoints {
    pub fn production() -> Self {
        Self {
            auth: Url::parse("https://www.linkedin.com").expect("static url"),
            api: Url::parse("https://api.linkedin.com").expect("static url"),
        }
    }

    /// Both hosts under one base, as the sandbox serves them (the caller
    /// passes `<sandbox>/linkedin`).
    pub fn under(base: &Url) -> Self {
        Self {
            auth: base.clone(),
            api: base.clone(),
        }
    }

    /// The API host joined with an absolute path such as `/rest/posts`.
    pub fn api(&self, path: &str) -> Url {
        join(&self.api, path)
    }

    /// The `www` host joined with an absolute path such as `/oauth/v2/revoke`.
    pub fn auth(&self, path: &str) -> Url {
        join(&self.auth, path)
    }

    /// The public page of a post: `{www}/feed/update/{urn}/` (the URN as
    /// LinkedIn writes it there, `urn:li:share:…` or `urn:li:ugcPost:…`).
    pub fn post_url(&self, urn: &str) -> Url {
        join(&self.auth, &format!("/feed/update/{urn}/"))
    }

    /// Whether the member's bearer token may go to `url` (an upload URL
    /// LinkedIn handed out): only to LinkedIn itself, never to another host.
    pub fn is_linkedin(&self, url: &Url) -> bool {
        let origin = url.origin();
        if origin == self.api.origin() || origin == self.auth.origin() {
            return true;
        }
        url.scheme() == "https"
            && url
                .host_str()
                .is_some_and(|h| h == "linkedin.com" || h.ends_with(".linkedin.com"))
    }
}

fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url.set_query(None);
    url
}

/// The scopes CreatorFlow asks LinkedIn for, and why (§1.1): the two
/// self-serve products "Sign In with LinkedIn using OpenID Connect" and
/// "Share on LinkedIn", and `r_member_postAnalytics` of the "Community
/// Management API" product for Analytics (§13).
pub fn scopes() -> Vec<ScopeInfo> {
    [
        ("openid", "know which LinkedIn member signed in"),
        ("profile", "show your name and picture in CreatorFlow"),
        (
            "email",
            "show the e-mail address of the account, so you can tell your accounts apart",
        ),
        (
            "w_member_social",
            "publish, change and delete the posts you schedule, with their pictures, videos \
             and documents",
        ),
    ]
    .into_iter()
    .map(|(scope, why)| ScopeInfo {
        scope: scope.to_owned(),
        why: why.to_owned(),
    })
    .collect()
}

/// LinkedIn's standard ("self-serve") authorization-code flow for the
/// creator's own app (§1.1, desktop-oauth.md §4.3): the client id and secret
/// in the form body (LinkedIn ignores HTTP Basic), a loopback redirect on
/// the registered port 47616.
///
/// PKCE: the standard flow's `code_challenge` (S256) goes along. LinkedIn
/// uses it only for apps it enabled the native PKCE flow for (§1.4) and
/// otherwise ignores it (the sandbox does the same, and checks the verifier
/// for PKCE-enabled clients), so one flow serves both kinds of app.
pub fn oauth_spec(endpoints: &LinkedinEndpoints) -> OAuthSpec {
    OAuthSpec {
        authorize_url: endpoints.auth("/oauth/v2/authorization"),
        token_url: endpoints.auth("/oauth/v2/accessToken"),
        revoke_url: Some(endpoints.auth("/oauth/v2/revoke")),
        scopes: scopes(),
        scope_separator: " ",
        pkce: PkceStyle::S256,
        client_auth: ClientAuth::RequestBody,
        redirects: vec![RedirectStyle::Loopback {
            port: Some(LOOPBACK_PORT),
            path: REDIRECT_PATH.to_owned(),
        }],
        extra_authorize_params: vec![],
        needs_client_secret: true,
        products: products(),
    }
}

/// The LinkedIn products a creator's app may have (§13): "Share on
/// LinkedIn" with "Sign In with LinkedIn using OpenID Connect" (self-serve,
/// the default), or those and the "Community Management API", whose
/// `r_member_postAnalytics` lets CreatorFlow read posts' numbers. LinkedIn
/// refuses a sign-in that asks for a permission the app lacks, so the
/// analytics permission is asked for only when the creator says their app
/// has it.
pub const PRODUCT_SHARE: &str = "share";
pub const PRODUCT_SHARE_ANALYTICS: &str = "share_analytics";

pub fn products() -> Vec<Choice> {
    vec![
        Choice {
            value: PRODUCT_SHARE.to_owned(),
            label: "Share on LinkedIn and Sign In with LinkedIn (no analytics)".to_owned(),
        },
        Choice {
            value: PRODUCT_SHARE_ANALYTICS.to_owned(),
            label: "Those and the Community Management API (analytics)".to_owned(),
        },
    ]
}

/// The analytics permission, for an app with the Community Management API.
fn analytics_scope() -> ScopeInfo {
    ScopeInfo {
        scope: METRICS_SCOPE.to_owned(),
        why: "read how your posts are doing (impressions, members reached, reactions, comments \
              and reposts), for Analytics"
            .to_owned(),
    }
}

/// LinkedIn's sign-in: the standard steps, with what LinkedIn does its own
/// way:
/// - the token answer's `scope` is comma-separated (§1.1): it is split so
///   [`TokenSet::scopes`] lists each scope;
/// - `refresh` without a refresh token (every self-serve app, §1.2) is
///   [`AuthError::CannotRefresh`]; with one (approved partners) it is the
///   standard refresh, and the refresh token keeps its original expiry
///   (`refresh_token_expires_in` shrinks);
/// - `revoke` posts `client_id`, `client_secret` and `token` as a form
///   (§1.6), for the access token and then the refresh token if any.
pub struct LinkedinAuthenticator {
    standard: StandardOAuth,
    /// The same flow asking for the analytics permission too.
    with_analytics: OAuthSpec,
}

impl LinkedinAuthenticator {
    pub fn new(endpoints: &LinkedinEndpoints) -> Self {
        let spec = oauth_spec(endpoints);
        let mut with_analytics = spec.clone();
        with_analytics.scopes.push(analytics_scope());
        Self {
            standard: StandardOAuth(spec),
            with_analytics,
        }
    }

    fn spec_for(&self, product: Option<&str>) -> &OAuthSpec {
        if product == Some(PRODUCT_SHARE_ANALYTICS) {
            &self.with_analytics
        } else {
            self.standard.spec()
        }
    }
}

/// Splits LinkedIn's comma-separated scopes (`"openid,profile"`) into one
/// entry each.
fn split_scopes(mut tokens: TokenSet) -> TokenSet {
    tokens.scopes = tokens
        .scopes
        .iter()
        .flat_map(|s| s.split([',', ' ']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .fold(Vec::new(), |mut all, s| {
            if !all.contains(&s) {
                all.push(s);
            }
            all
        });
    tokens
}

#[async_trait::async_trait]
impl Authenticator for LinkedinAuthenticator {
    fn spec(&self) -> &OAuthSpec {
        self.standard.spec()
    }

    fn scopes(&self, product: Option<&str>) -> Vec<ScopeInfo> {
        self.spec_for(product).scopes.clone()
    }

    fn authorize(
        &self,
        client: &ClientCredentials,
        redirect_uri: &str,
        state: &str,
    ) -> Result<Authorization, AuthError> {
        standard::authorize(
            self.spec_for(client.product.as_deref()),
            client,
            redirect_uri,
            state,
        )
    }

    async fn exchange_code(
        &self,
        client: &ClientCredentials,
        redirect_uri: &str,
        code: &str,
        verifier: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        standard::exchange_code(self.spec(), client, redirect_uri, code, verifier, now)
            .await
            .map(split_scopes)
    }

    async fn refresh(
        &self,
        client: &ClientCredentials,
        tokens: &TokenSet,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        if tokens.refresh_token.is_none() {
            return Err(AuthError::CannotRefresh);
        }
        if tokens.refresh_expires_at.is_some_and(|at| at <= now) {
            // LinkedIn's refresh tokens do not slide (§1.2): once a year is
            // up, only a new sign-in helps.
            return Err(AuthError::CannotRefresh);
        }
        standard::refresh(self.spec(), client, tokens, now)
            .await
            .map(split_scopes)
    }

    async fn revoke(&self, client: &ClientCredentials, tokens: &TokenSet) -> Result<(), AuthError> {
        let Some(url) = self.spec().revoke_url.clone() else {
            return Ok(());
        };
        revoke_one(&url, client, &tokens.access_token).await?;
        if let Some(refresh) = &tokens.refresh_token {
            revoke_one(&url, client, refresh).await?;
        }
        Ok(())
    }

    fn refresh_refused(&self, _error: &AuthError) -> String {
        REFRESH_REFUSED_MESSAGE.to_owned()
    }
}

/// `POST /oauth/v2/revoke` with `client_id`, `client_secret`, `token`.
async fn revoke_one(url: &Url, client: &ClientCredentials, token: &str) -> Result<(), AuthError> {
    let mut form = vec![("client_id", client.client_id.as_str()), ("token", token)];
    if let Some(secret) = &client.client_secret {
        form.push(("client_secret", secret.as_str()));
    }
    let resp = standard::http()
        .post(url.clone())
        .form(&form)
        .send()
        .await
        .map_err(|e| AuthError::Unreachable(standard::describe_transport(&e)))?;
    if resp.status().is_success() {
        return Ok(());
    }
    let status = resp.status().as_u16();
    #[derive(Deserialize)]
    struct OAuthErr {
        error: String,
        #[serde(default)]
        error_description: Option<String>,
    }
    match resp.json::<OAuthErr>().await {
        Ok(e) => Err(AuthError::Rejected {
            error: e.error,
            description: e.error_description,
        }),
        Err(_) => Err(AuthError::Unreachable(format!("HTTP {status}"))),
    }
}

fn mimes(list: &[&str]) -> Vec<String> {
    list.iter().map(|m| (*m).to_owned()).collect()
}

/// LinkedIn's rules for a post (§3.1, §3.2, §5.4, §6.5, Documents API):
/// - the text: 3,000, counted as LinkedIn's API does (see
///   [`commentary_length`]);
/// - images (JPG, PNG, GIF) 1 to 20 together, each at most 5 MB and fewer
///   than 36,152,320 pixels;
/// - one MP4 video, 75 KB to 500 MB, 3 s to 30 min, 1:2.4 to 2.4:1;
/// - one PDF document, at most 100 MB;
/// - a video or a document goes alone.
pub fn capabilities() -> Capabilities {
    let image = |kind, mime_types| MediaRule {
        kind,
        mime_types,
        max_count: MAX_IMAGES as u32,
        max_bytes: MAX_IMAGE_BYTES,
        min_duration_ms: None,
        max_duration_ms: None,
        min_aspect: None,
        max_aspect: None,
        alone: false,
    };
    Capabilities {
        text: TextRule {
            label: "Post".into(),
            limit: MAX_TEXT_LENGTH as u32,
            counting: CountingRule::Utf16,
        },
        media: vec![
            image(
                MediaKind::Image,
                mimes(&["image/jpeg", "image/png", "image/jpg", "image/pjpeg"]),
            ),
            image(MediaKind::Gif, mimes(&["image/gif"])),
            MediaRule {
                kind: MediaKind::Video,
                mime_types: mimes(&["video/mp4"]),
                max_count: 1,
                max_bytes: MAX_VIDEO_BYTES,
                min_duration_ms: Some(MIN_VIDEO_DURATION_MS),
                max_duration_ms: Some(MAX_VIDEO_DURATION_MS),
                min_aspect: Some(MIN_VIDEO_ASPECT),
                max_aspect: Some(MAX_VIDEO_ASPECT),
                alone: true,
            },
            MediaRule {
                kind: MediaKind::Document,
                mime_types: mimes(&["application/pdf"]),
                max_count: 1,
                max_bytes: MAX_DOCUMENT_BYTES,
                min_duration_ms: None,
                max_duration_ms: None,
                min_aspect: None,
                max_aspect: None,
                alone: true,
            },
        ],
        max_media: MAX_IMAGES as u32,
        requires_media: false,
        supports_threads: false,
        can_delete: true,
        can_edit: true,
        needs_public_media: false,
        supports_cover: false,
        supports_alt_text: true,
        processing_horizon_secs: PROCESSING_HORIZON_SECS,
        publishing_available: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_and_sandbox_endpoints() {
        let p = LinkedinEndpoints::production();
        let spec = oauth_spec(&p);
        assert_eq!(
            spec.authorize_url.as_str(),
            "https://www.linkedin.com/oauth/v2/authorization"
        );
        assert_eq!(
            spec.token_url.as_str(),
            "https://www.linkedin.com/oauth/v2/accessToken"
        );
        assert_eq!(
            spec.revoke_url.as_ref().map(Url::as_str),
            Some("https://www.linkedin.com/oauth/v2/revoke")
        );
        assert_eq!(
            p.api("/rest/posts").as_str(),
            "https://api.linkedin.com/rest/posts"
        );
        assert_eq!(
            p.post_url("urn:li:share:7012345678901234567").as_str(),
            "https://www.linkedin.com/feed/update/urn:li:share:7012345678901234567/"
        );
        let base = Url::parse("http://127.0.0.1:9/linkedin").expect("url");
        let s = LinkedinEndpoints::under(&base);
        assert_eq!(
            s.api("/v2/userinfo").as_str(),
            "http://127.0.0.1:9/linkedin/v2/userinfo"
        );
        assert_eq!(
            s.post_url("urn:li:ugcPost:1").as_str(),
            "http://127.0.0.1:9/linkedin/feed/update/urn:li:ugcPost:1/"
        );
    }

    #[test]
    fn the_token_only_goes_to_linkedin() {
        let p = LinkedinEndpoints::production();
        let ok = |u: &str| p.is_linkedin(&Url::parse(u).expect("url"));
        assert!(ok("https://www.linkedin.com/dms-uploads/abc"));
        assert!(ok("https://api.linkedin.com/mediaUpload/x"));
        assert!(!ok("http://www.linkedin.com/dms-uploads/abc"));
        assert!(!ok("https://linkedin.com.evil.example/x"));
        assert!(!ok("https://evillinkedin.com/x"));
        let s = LinkedinEndpoints::under(&Url::parse("http://127.0.0.1:9/linkedin").expect("url"));
        assert!(
            s.is_linkedin(&Url::parse("http://127.0.0.1:9/linkedin/dms-uploads/1").expect("url"))
        );
        assert!(!s.is_linkedin(&Url::parse("http://127.0.0.1:10/x").expect("url")));
    }

    #[test]
    fn spec_is_the_self_serve_flow() {
        let spec = oauth_spec(&LinkedinEndpoints::production());
        assert!(spec.needs_client_secret);
        assert_eq!(spec.client_auth, ClientAuth::RequestBody);
        assert_eq!(
            spec.redirects,
            vec![RedirectStyle::Loopback {
                port: Some(47616),
                path: "/oauth/linkedin/callback".into()
            }]
        );
        let scopes: Vec<&str> = spec.scopes.iter().map(|s| s.scope.as_str()).collect();
        assert_eq!(scopes, ["openid", "profile", "email", "w_member_social"]);
        assert!(spec.scopes.iter().all(|s| s.why.len() > 15));
    }

    #[test]
    fn only_an_app_with_the_community_management_api_asks_for_analytics() {
        let auth = LinkedinAuthenticator::new(&LinkedinEndpoints::production());
        let asked = |product: Option<&str>| {
            let client = ClientCredentials::new("id", Some("secret".into()))
                .with_product(product.map(str::to_owned));
            let a = auth
                .authorize(
                    &client,
                    "http://127.0.0.1:47616/oauth/linkedin/callback",
                    "s",
                )
                .expect("authorize");
            a.url
                .query_pairs()
                .find(|(k, _)| k == "scope")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        assert_eq!(asked(None), "openid profile email w_member_social");
        assert_eq!(
            asked(Some(PRODUCT_SHARE)),
            "openid profile email w_member_social"
        );
        assert_eq!(
            asked(Some(PRODUCT_SHARE_ANALYTICS)),
            "openid profile email w_member_social r_member_postAnalytics"
        );
        let explained = auth.scopes(Some(PRODUCT_SHARE_ANALYTICS));
        assert!(
            explained
                .iter()
                .any(|s| s.scope == METRICS_SCOPE && s.why.contains("Analytics"))
        );
        assert_eq!(auth.spec().products.len(), 2);
    }

    #[test]
    fn comma_separated_scopes_are_split() {
        let t = TokenSet {
            access_token: "a".into(),
            refresh_token: None,
            expires_at: None,
            refresh_expires_at: None,
            issued_at: None,
            scopes: vec![
                "openid,profile,email,w_member_social".into(),
                "openid".into(),
            ],
        };
        assert_eq!(
            split_scopes(t).scopes,
            ["openid", "profile", "email", "w_member_social"]
        );
    }

    #[test]
    fn capabilities_of_a_post() {
        let c = capabilities();
        assert_eq!(c.text.limit, 3000);
        assert_eq!(c.text.counting, CountingRule::Utf16);
        let img = c.media_rule(MediaKind::Image).expect("images");
        assert_eq!((img.max_count, img.alone), (20, false));
        assert_eq!(c.media_rule(MediaKind::Gif).expect("gif").max_count, 20);
        let v = c.media_rule(MediaKind::Video).expect("video");
        assert_eq!(v.mime_types, ["video/mp4"]);
        assert_eq!((v.max_count, v.alone), (1, true));
        assert_eq!(v.min_duration_ms, Some(3000));
        assert_eq!(v.max_duration_ms, Some(30 * 60 * 1000));
        let d = c.media_rule(MediaKind::Document).expect("document");
        assert_eq!(d.mime_types, ["application/pdf"]);
        assert_eq!(d.max_bytes, 100 * 1024 * 1024);
        assert!(c.can_delete && c.can_edit && c.supports_alt_text && c.publishing_available);
        assert!(!c.needs_public_media && !c.requires_media && !c.supports_threads);
    }
}
