//! Instagram, through Meta's Graph API, with either of Meta's two sign-in
//! products (docs/platforms/instagram.md §1): Instagram Login (a
//! professional account, no Facebook Page needed; `graph.instagram.com`)
//! or Facebook Login for Business (accounts linked to a Page;
//! `graph.facebook.com`). The creator's developer app uses one
//! ([`crate::ClientCredentials::product`]); an account remembers which by
//! the permissions it was granted.
//!
//! Signing in happens in CreatorFlow's own sign-in window
//! ([`crate::RedirectStyle::Window`]): Meta takes only registered https
//! redirects and documents an embedded login for desktop apps whose final
//! redirect the app reads (desktop-oauth.md §4.5). Tokens: code →
//! short-lived → long-lived (60 days); there is no refresh token, so the
//! long-lived token is renewed by swapping it while it is valid
//! ([`InstagramAuthenticator::renew_at`]).
//!
//! Publishing goes through containers (§4): Meta fetches each picture or
//! video from a public URL (the creator's media host, through
//! [`crate::PublishSink::host_media`]); a Facebook Login account can send a
//! Reel's video through Meta's resumable upload instead (§5). Containers
//! finish asynchronously, so `publish` answers `Processing` and
//! [`crate::Publisher::check`] follows them, publishes with
//! `media_publish` and reads the permalink.
//!
//! A post's numbers come from Meta's media insights (§11), with the insights
//! permission of the account's product.

mod checkpoint;
mod client;
mod convert;
mod errors;
mod validate;

pub use checkpoint::{CHECKPOINT_VERSION, InstagramCheckpoint};
pub use client::InstagramClient;
pub use convert::{CONVERTED_TYPES, needs_conversion};
pub use errors::{InstagramOperation, map_error};
pub use validate::{
    MAX_CAPTION_CHARS, MAX_CAROUSEL_ITEMS, MAX_HASHTAGS, MAX_IMAGE_BYTES, MAX_MENTIONS,
    MAX_VIDEO_BYTES, validate_post,
};

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use url::Url;

use crate::auth::{
    AuthError, Authenticator, Authorization, ClientAuth, OAuthSpec, PkceStyle, RedirectStyle,
    TokenSet, standard,
};
use crate::types::{
    Capabilities, Choice, ClientCredentials, CountingRule, MediaKind, MediaRule, ScopeInfo,
    TextRule,
};

/// The Graph API version CreatorFlow speaks (§1: v21.0 to v26.0 are live).
pub const API_VERSION: &str = "v23.0";

/// Meta's redirect for desktop apps (desktop-oauth.md §4.5): the sign-in
/// window reads it and never loads it. Register it in the Meta app
/// (Facebook Login → Valid OAuth Redirect URIs; Instagram → Business login
/// settings → OAuth redirect URIs).
pub const DESKTOP_REDIRECT: &str = "https://www.facebook.com/connect/login_success.html";

/// The sign-in products (§1).
pub const INSTAGRAM_LOGIN: &str = "instagram_login";
pub const FACEBOOK_LOGIN: &str = "facebook_login";

/// Instagram Login permissions (§1; the `business_*` names were retired).
pub const SCOPE_IG_BASIC: &str = "instagram_business_basic";
pub const SCOPE_IG_PUBLISH: &str = "instagram_business_content_publish";
/// Facebook Login permissions (§1: publishing also needs
/// `pages_read_engagement`).
pub const SCOPE_FB_BASIC: &str = "instagram_basic";
pub const SCOPE_FB_PUBLISH: &str = "instagram_content_publish";
pub const SCOPE_FB_PAGES: &str = "pages_show_list";
pub const SCOPE_FB_ENGAGEMENT: &str = "pages_read_engagement";
/// Reading a post's insights (§11), one permission per product.
pub const SCOPE_IG_INSIGHTS: &str = "instagram_business_manage_insights";
pub const SCOPE_FB_INSIGHTS: &str = "instagram_manage_insights";

/// How long CreatorFlow follows a prepared post: as long as Meta keeps a
/// container (24 hours, §4.2). Meta prepares most in minutes; the rest of
/// the time covers a post that waits for room in the 24-hour publishing
/// limit after Meta prepared it (the wait shows in Activity).
pub const PROCESSING_HORIZON_SECS: u32 = 24 * 3600;

/// Renew a long-lived token once this much of its life is left (§3.4, §2.4).
const RENEW_WHEN_LEFT: Duration = Duration::days(30);
/// Instagram renews only tokens at least this old (§3.4).
const MIN_RENEW_AGE: Duration = Duration::hours(24);

/// Which sign-in product (and Graph host) an account's token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    Instagram,
    Facebook,
}

impl Login {
    /// From the developer app's product.
    pub fn of_product(product: Option<&str>) -> Self {
        match product {
            Some(FACEBOOK_LOGIN) => Self::Facebook,
            _ => Self::Instagram,
        }
    }

    /// From the permissions a sign-in was granted: Facebook Login's names
    /// differ from Instagram Login's.
    pub fn of_scopes(scopes: &[String]) -> Self {
        let facebook = scopes
            .iter()
            .any(|s| s == SCOPE_FB_BASIC || s == SCOPE_FB_PAGES || s == SCOPE_FB_PUBLISH);
        if facebook {
            Self::Facebook
        } else {
            Self::Instagram
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Instagram => "Instagram Login",
            Self::Facebook => "Facebook Login",
        }
    }

    /// The permission reading a post's insights needs (§11).
    pub fn metrics_scope(self) -> &'static str {
        match self {
            Self::Instagram => SCOPE_IG_INSIGHTS,
            Self::Facebook => SCOPE_FB_INSIGHTS,
        }
    }

    /// The permissions the sign-in asks for: publishing's, then reading
    /// insights. Only publishing's are needed to connect: an account without
    /// the insights one publishes, and Analytics asks to reconnect it.
    pub fn requested_scopes(self) -> &'static [&'static str] {
        match self {
            Self::Instagram => &[SCOPE_IG_BASIC, SCOPE_IG_PUBLISH, SCOPE_IG_INSIGHTS],
            Self::Facebook => &[
                SCOPE_FB_BASIC,
                SCOPE_FB_PUBLISH,
                SCOPE_FB_PAGES,
                SCOPE_FB_ENGAGEMENT,
                SCOPE_FB_INSIGHTS,
            ],
        }
    }

    /// The permissions publishing needs, in the order they are asked for.
    pub fn required_scopes(self) -> &'static [&'static str] {
        match self {
            Self::Instagram => &[SCOPE_IG_BASIC, SCOPE_IG_PUBLISH],
            Self::Facebook => &[
                SCOPE_FB_BASIC,
                SCOPE_FB_PUBLISH,
                SCOPE_FB_PAGES,
                SCOPE_FB_ENGAGEMENT,
            ],
        }
    }
}

/// Where the Instagram client sends its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstagramEndpoints {
    /// `https://www.facebook.com`: Facebook Login's dialog.
    pub facebook: Url,
    /// `https://graph.facebook.com`: Facebook Login's Graph API.
    pub graph_facebook: Url,
    /// `https://www.instagram.com`: Instagram Login's authorize page.
    pub instagram: Url,
    /// `https://api.instagram.com`: Instagram Login's code exchange.
    pub instagram_api: Url,
    /// `https://graph.instagram.com`: Instagram Login's Graph API.
    pub graph_instagram: Url,
    /// The hosts the sign-in window may load.
    pub login_hosts: Vec<String>,
}

impl InstagramEndpoints {
    pub fn production() -> Self {
        let url = |s: &str| Url::parse(s).expect("static url");
        Self {
            facebook: url("https://www.facebook.com"),
            graph_facebook: url("https://graph.facebook.com"),
            instagram: url("https://www.instagram.com"),
            instagram_api: url("https://api.instagram.com"),
            graph_instagram: url("https://graph.instagram.com"),
            login_hosts: [
                "www.facebook.com",
                "facebook.com",
                "m.facebook.com",
                "web.facebook.com",
                "www.instagram.com",
                "instagram.com",
                "api.instagram.com",
                "accountscenter.instagram.com",
                "accountscenter.facebook.com",
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }

    /// Every host under one base, as the sandbox serves them (the caller
    /// passes `<sandbox>/meta`).
    pub fn under(base: &Url) -> Self {
        let join = |p: &str| join(base, &format!("/{p}"));
        let host = match (base.host_str(), base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => String::new(),
        };
        Self {
            facebook: join("facebook"),
            graph_facebook: join("graph"),
            instagram: join("instagram"),
            instagram_api: join("instagram"),
            graph_instagram: join("graph-instagram"),
            login_hosts: vec![host],
        }
    }

    /// The Graph API of `login`, versioned: `<graph>/v23.0<path>`.
    pub fn graph(&self, login: Login, path: &str) -> Url {
        let base = match login {
            Login::Instagram => &self.graph_instagram,
            Login::Facebook => &self.graph_facebook,
        };
        join(base, &format!("/{API_VERSION}{path}"))
    }

    /// The Graph host of `login` without a version (Instagram's token swap
    /// and refresh live there).
    pub fn graph_unversioned(&self, login: Login, path: &str) -> Url {
        let base = match login {
            Login::Instagram => &self.graph_instagram,
            Login::Facebook => &self.graph_facebook,
        };
        join(base, path)
    }

    /// Whether `url` is on the Graph host of `login` (a `paging.next` link
    /// must be, before it gets a token).
    pub fn on_graph(&self, login: Login, url: &Url) -> bool {
        let base = match login {
            Login::Instagram => &self.graph_instagram,
            Login::Facebook => &self.graph_facebook,
        };
        url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
            && url.path().starts_with(base.path().trim_end_matches('/'))
    }
}

fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url.set_query(None);
    url
}

fn scope_info(scope: &str, why: &str) -> ScopeInfo {
    ScopeInfo {
        scope: scope.to_owned(),
        why: why.to_owned(),
    }
}

/// Why CreatorFlow asks for the insights permission, in the connect dialog.
const INSIGHTS_WHY: &str =
    "read how your posts are doing (views, reach, likes, comments, saves, shares), for Analytics";

/// The permissions of `login`, and why CreatorFlow asks for them.
pub fn scopes(login: Login) -> Vec<ScopeInfo> {
    match login {
        Login::Instagram => vec![
            scope_info(
                SCOPE_IG_BASIC,
                "show your Instagram username and picture in CreatorFlow",
            ),
            scope_info(
                SCOPE_IG_PUBLISH,
                "publish the posts, carousels, reels and stories you schedule",
            ),
            scope_info(SCOPE_IG_INSIGHTS, INSIGHTS_WHY),
        ],
        Login::Facebook => vec![
            scope_info(
                SCOPE_FB_BASIC,
                "show your Instagram username and picture in CreatorFlow",
            ),
            scope_info(
                SCOPE_FB_PUBLISH,
                "publish the posts, carousels, reels and stories you schedule",
            ),
            scope_info(
                SCOPE_FB_PAGES,
                "find the Instagram accounts linked to your Facebook Pages",
            ),
            scope_info(
                SCOPE_FB_ENGAGEMENT,
                "Meta requires it to publish to an Instagram account linked to a Page",
            ),
            scope_info(SCOPE_FB_INSIGHTS, INSIGHTS_WHY),
        ],
    }
}

/// The products, as Settings offers them.
pub fn products() -> Vec<Choice> {
    vec![
        Choice {
            value: INSTAGRAM_LOGIN.to_owned(),
            label: "Instagram Login (a professional account; no Facebook Page needed)".to_owned(),
        },
        Choice {
            value: FACEBOOK_LOGIN.to_owned(),
            label: "Facebook Login for Business (accounts linked to a Facebook Page)".to_owned(),
        },
    ]
}

pub fn oauth_spec(endpoints: &InstagramEndpoints) -> OAuthSpec {
    OAuthSpec {
        authorize_url: join(&endpoints.instagram, "/oauth/authorize"),
        token_url: join(&endpoints.instagram_api, "/oauth/access_token"),
        revoke_url: None,
        scopes: scopes(Login::Instagram),
        scope_separator: ",",
        pkce: PkceStyle::S256,
        client_auth: ClientAuth::RequestBody,
        redirects: vec![RedirectStyle::Window {
            uri: DESKTOP_REDIRECT.to_owned(),
            hosts: endpoints.login_hosts.clone(),
        }],
        extra_authorize_params: vec![],
        needs_client_secret: true,
        products: products(),
    }
}

/// Meta's sign-in, both products (§2, §3).
pub struct InstagramAuthenticator {
    spec: OAuthSpec,
    endpoints: InstagramEndpoints,
}

impl InstagramAuthenticator {
    pub fn new(endpoints: &InstagramEndpoints) -> Self {
        Self {
            spec: oauth_spec(endpoints),
            endpoints: endpoints.clone(),
        }
    }

    async fn get(&self, url: Url) -> Result<(u16, bytes::Bytes), AuthError> {
        answer(standard::http().get(url)).await
    }

    /// Swaps a valid token for a long-lived one: `ig_exchange_token` or
    /// `fb_exchange_token` (§3.3, §2.4).
    async fn long_lived(
        &self,
        login: Login,
        client: &ClientCredentials,
        token: &str,
        scopes: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        let secret = secret_of(client)?;
        let url = match login {
            Login::Instagram => {
                let mut u = self.endpoints.graph_unversioned(login, "/access_token");
                u.query_pairs_mut()
                    .append_pair("grant_type", "ig_exchange_token")
                    .append_pair("client_secret", secret)
                    .append_pair("access_token", token);
                u
            }
            Login::Facebook => {
                let mut u = self.endpoints.graph(login, "/oauth/access_token");
                u.query_pairs_mut()
                    .append_pair("grant_type", "fb_exchange_token")
                    .append_pair("client_id", &client.client_id)
                    .append_pair("client_secret", secret)
                    .append_pair("fb_exchange_token", token);
                u
            }
        };
        let (status, body) = self.get(url).await?;
        let answer = parse_token(status, &body)?;
        Ok(answer.into_tokens(scopes, now))
    }

    /// `GET /me/permissions` (§2.5): the permissions granted.
    async fn granted(&self, token: &str) -> Result<Vec<String>, AuthError> {
        let mut url = self.endpoints.graph(Login::Facebook, "/me/permissions");
        url.query_pairs_mut().append_pair("access_token", token);
        let (status, body) = self.get(url).await?;
        if status >= 400 {
            return Err(graph_auth_error(status, &body));
        }
        #[derive(Deserialize)]
        struct Item {
            permission: String,
            status: String,
        }
        #[derive(Deserialize)]
        struct List {
            #[serde(default)]
            data: Vec<Item>,
        }
        let list: List = serde_json::from_slice(&body).map_err(|_| {
            AuthError::Unreachable("Facebook sent an unreadable list of permissions".into())
        })?;
        Ok(list
            .data
            .into_iter()
            .filter(|i| i.status == "granted")
            .map(|i| i.permission)
            .collect())
    }
}

/// Sends a token or permissions request: its status and body.
async fn answer(request: reqwest::RequestBuilder) -> Result<(u16, bytes::Bytes), AuthError> {
    let unreachable = |e: reqwest::Error| AuthError::Unreachable(standard::describe_transport(&e));
    let resp = request.send().await.map_err(unreachable)?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(unreachable)?;
    Ok((status, body))
}

fn secret_of(client: &ClientCredentials) -> Result<&str, AuthError> {
    client
        .client_secret
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AuthError::Config(
                "Instagram needs the Meta app's secret (Settings → Platforms → Instagram)".into(),
            )
        })
}

/// The permissions publishing needs that `granted` lacks, as a refusal in
/// words (§2.5: a person may untick some in Meta's dialog).
pub fn missing_permissions(login: Login, granted: &[String]) -> Result<(), AuthError> {
    let missing: Vec<&str> = login
        .required_scopes()
        .iter()
        .copied()
        .filter(|s| !granted.iter().any(|g| g == s))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(AuthError::Rejected {
        error: "missing_permission".into(),
        description: Some(format!(
            "CreatorFlow was not allowed {}; connect again and leave {} ticked in Meta's window",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        )),
    })
}

/// A token answer of either product: flat, or wrapped in `data` (§3.2);
/// `permissions` as a list or a comma-separated string.
#[derive(Debug, Default, Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    permissions: Option<serde_json::Value>,
}

impl TokenAnswer {
    fn permissions(&self) -> Vec<String> {
        match &self.permissions {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str())
                .map(str::to_owned)
                .collect(),
            Some(serde_json::Value::String(s)) => s
                .split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }

    fn into_tokens(self, scopes: Vec<String>, now: DateTime<Utc>) -> TokenSet {
        TokenSet {
            access_token: self.access_token.unwrap_or_default(),
            refresh_token: None,
            expires_at: self
                .expires_in
                .filter(|s| *s > 0)
                .map(|s| now + Duration::seconds(s)),
            refresh_expires_at: None,
            scopes,
            issued_at: Some(now),
        }
    }
}

/// Reads a token answer, or the error either product sends: Graph's
/// `{"error":{...}}` or Instagram's legacy `{"error_type","code","error_message"}`.
fn parse_token(status: u16, body: &[u8]) -> Result<TokenAnswer, AuthError> {
    if status >= 500 {
        return Err(AuthError::Unreachable(format!("HTTP {status}")));
    }
    if status >= 400 {
        return Err(graph_auth_error(status, body));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| AuthError::Unreachable(format!("an unreadable answer (HTTP {status})")))?;
    let inner = match value.get("data").and_then(|d| d.as_array()) {
        Some(items) => items.first().cloned().unwrap_or_default(),
        None => value,
    };
    let answer: TokenAnswer = serde_json::from_value(inner).unwrap_or_default();
    if answer.access_token.as_deref().is_none_or(str::is_empty) {
        return Err(AuthError::Unreachable(format!(
            "no access token in the answer (HTTP {status})"
        )));
    }
    Ok(answer)
}

/// A refusal at a token or permissions endpoint, in Meta's words.
fn graph_auth_error(status: u16, body: &[u8]) -> AuthError {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let (code, message) = match v.get("error") {
        Some(e) if e.is_object() => (
            e.get("code").and_then(|c| c.as_i64()),
            e.get("message").and_then(|m| m.as_str()).map(str::to_owned),
        ),
        _ => (
            v.get("code").and_then(|c| c.as_i64()),
            v.get("error_message")
                .and_then(|m| m.as_str())
                .map(str::to_owned),
        ),
    };
    if status >= 500 {
        return AuthError::Unreachable(format!("HTTP {status}"));
    }
    AuthError::Rejected {
        error: match code {
            Some(c) => format!("code {c}"),
            None => format!("HTTP {status}"),
        },
        description: message.map(|m| crate::support::errors::shorten(&m, 300)),
    }
}

#[async_trait::async_trait]
impl Authenticator for InstagramAuthenticator {
    fn spec(&self) -> &OAuthSpec {
        &self.spec
    }

    /// Instagram Login's authorize page, or Facebook Login's dialog, with
    /// the product's permissions, comma-separated (§2.1, §3.1). Meta's
    /// manual flow takes no PKCE.
    fn authorize(
        &self,
        client: &ClientCredentials,
        redirect_uri: &str,
        state: &str,
    ) -> Result<Authorization, AuthError> {
        let login = Login::of_product(client.product.as_deref());
        let scope = login.requested_scopes().join(",");
        let mut url = match login {
            Login::Instagram => join(&self.endpoints.instagram, "/oauth/authorize"),
            Login::Facebook => join(
                &self.endpoints.facebook,
                &format!("/{API_VERSION}/dialog/oauth"),
            ),
        };
        url.query_pairs_mut()
            .append_pair("client_id", &client.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &scope)
            .append_pair("state", state);
        Ok(Authorization {
            url,
            verifier: String::new(),
        })
    }

    /// Code → short-lived token (§3.2, §2.3). Instagram's code may carry
    /// Meta's trailing `#_`, which is not part of it.
    async fn exchange_code(
        &self,
        client: &ClientCredentials,
        redirect_uri: &str,
        code: &str,
        _verifier: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        let secret = secret_of(client)?;
        let code = code.strip_suffix("#_").unwrap_or(code);
        match Login::of_product(client.product.as_deref()) {
            Login::Instagram => {
                let (status, body) =
                    answer(standard::http().post(self.spec.token_url.clone()).form(&[
                        ("client_id", client.client_id.as_str()),
                        ("client_secret", secret),
                        ("grant_type", "authorization_code"),
                        ("redirect_uri", redirect_uri),
                        ("code", code),
                    ]))
                    .await?;
                let answer = parse_token(status, &body)?;
                let granted = answer.permissions();
                // Short-lived: one hour (§3.2) when Meta does not say.
                let mut tokens = answer.into_tokens(granted, now);
                tokens.expires_at = tokens.expires_at.or(Some(now + Duration::hours(1)));
                Ok(tokens)
            }
            Login::Facebook => {
                let mut url = self.endpoints.graph(Login::Facebook, "/oauth/access_token");
                url.query_pairs_mut()
                    .append_pair("client_id", &client.client_id)
                    .append_pair("redirect_uri", redirect_uri)
                    .append_pair("client_secret", secret)
                    .append_pair("code", code);
                let (status, body) = self.get(url).await?;
                Ok(parse_token(status, &body)?.into_tokens(Vec::new(), now))
            }
        }
    }

    /// Short-lived → long-lived (60 days), and the permissions actually
    /// granted, each needed one named when missing (§2.5, §3.3).
    async fn after_exchange(
        &self,
        client: &ClientCredentials,
        tokens: TokenSet,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        let login = Login::of_product(client.product.as_deref());
        let granted = match login {
            Login::Instagram => tokens.scopes.clone(),
            Login::Facebook => self.granted(&tokens.access_token).await?,
        };
        // Instagram's answer may leave the list out: then the calls tell.
        if !(login == Login::Instagram && granted.is_empty()) {
            missing_permissions(login, &granted)?;
        }
        let granted = if granted.is_empty() {
            login
                .requested_scopes()
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            granted
        };
        self.long_lived(login, client, &tokens.access_token, granted, now)
            .await
    }

    /// Instagram Login: `ig_refresh_token` (no secret; the token must be at
    /// least a day old and still valid, §3.4). Facebook Login: another
    /// `fb_exchange_token` while the token is valid (§2.4). An expired
    /// token cannot be renewed: the creator signs in again.
    async fn refresh(
        &self,
        client: &ClientCredentials,
        tokens: &TokenSet,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        if tokens.expires_at.is_some_and(|at| at <= now) {
            return Err(AuthError::CannotRefresh);
        }
        let login = Login::of_scopes(&tokens.scopes);
        match login {
            Login::Instagram => {
                let mut url = self
                    .endpoints
                    .graph_unversioned(login, "/refresh_access_token");
                url.query_pairs_mut()
                    .append_pair("grant_type", "ig_refresh_token")
                    .append_pair("access_token", &tokens.access_token);
                let (status, body) = self.get(url).await?;
                Ok(parse_token(status, &body)?.into_tokens(tokens.scopes.clone(), now))
            }
            Login::Facebook => {
                self.long_lived(
                    login,
                    client,
                    &tokens.access_token,
                    tokens.scopes.clone(),
                    now,
                )
                .await
            }
        }
    }

    /// A month before the token ends, and never before it is a day old
    /// (Instagram refuses younger ones); a short-lived token (connect
    /// interrupted) only just before it ends.
    fn renew_at(&self, tokens: &TokenSet) -> Option<DateTime<Utc>> {
        let expires = tokens.expires_at?;
        let latest = expires - crate::auth::RENEW_AHEAD;
        let early = expires - RENEW_WHEN_LEFT;
        let early = match tokens.issued_at {
            Some(issued) => early.max(issued + MIN_RENEW_AGE),
            None => early,
        };
        Some(early.min(latest))
    }

    fn scopes(&self, product: Option<&str>) -> Vec<ScopeInfo> {
        scopes(Login::of_product(product))
    }

    /// Facebook Login: `DELETE /me/permissions` ends the app's access.
    /// Instagram Login has no revoke endpoint (the creator removes the app
    /// in Instagram's settings); nothing to do.
    async fn revoke(
        &self,
        _client: &ClientCredentials,
        tokens: &TokenSet,
    ) -> Result<(), AuthError> {
        if Login::of_scopes(&tokens.scopes) != Login::Facebook {
            return Ok(());
        }
        let mut url = self.endpoints.graph(Login::Facebook, "/me/permissions");
        url.query_pairs_mut()
            .append_pair("access_token", &tokens.access_token);
        let (status, body) = answer(standard::http().delete(url)).await?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(graph_auth_error(status, &body))
        }
    }

    fn refresh_refused(&self, _error: &AuthError) -> String {
        "Instagram no longer accepts CreatorFlow's sign-in for this account: it expired (Meta's \
         sign-ins last 60 days unless renewed), or it was removed in Instagram's or Facebook's \
         settings. Reconnect the account."
            .to_owned()
    }
}

/// Instagram's rules (§4): a caption, 1 to 10 pictures or videos; JPEG
/// pictures within Meta's aspect ratios; Meta fetches media from a public
/// URL; delete is not offered by default (§7).
pub fn capabilities(can_delete: bool) -> Capabilities {
    Capabilities {
        text: TextRule {
            label: "Caption".into(),
            limit: MAX_CAPTION_CHARS as u32,
            counting: CountingRule::Characters,
        },
        media: vec![
            MediaRule {
                kind: MediaKind::Image,
                // JPEG as Meta takes it; PNG and WebP converted on the way.
                mime_types: ["image/jpeg", "image/png", "image/webp"]
                    .map(str::to_owned)
                    .to_vec(),
                max_count: MAX_CAROUSEL_ITEMS as u32,
                max_bytes: MAX_IMAGE_BYTES,
                min_duration_ms: None,
                max_duration_ms: None,
                min_aspect: Some(validate::MIN_FEED_ASPECT),
                max_aspect: Some(validate::MAX_FEED_ASPECT),
                alone: false,
            },
            MediaRule {
                kind: MediaKind::Video,
                mime_types: validate::VIDEO_TYPES
                    .iter()
                    .map(|m| (*m).to_owned())
                    .collect(),
                max_count: MAX_CAROUSEL_ITEMS as u32,
                max_bytes: MAX_VIDEO_BYTES,
                min_duration_ms: Some(validate::MIN_VIDEO_MS),
                max_duration_ms: Some(validate::MAX_REEL_MS),
                min_aspect: None,
                max_aspect: None,
                alone: false,
            },
        ],
        max_media: MAX_CAROUSEL_ITEMS as u32,
        requires_media: true,
        supports_threads: false,
        can_delete,
        can_edit: false,
        needs_public_media: true,
        supports_cover: true,
        supports_alt_text: true,
        processing_horizon_secs: PROCESSING_HORIZON_SECS,
        publishing_available: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(product: &str) -> ClientCredentials {
        ClientCredentials::new("9001", Some("s3cret".into())).with_product(Some(product.into()))
    }

    #[test]
    fn endpoints_production_and_sandbox() {
        let p = InstagramEndpoints::production();
        assert_eq!(
            p.graph(Login::Instagram, "/me").as_str(),
            "https://graph.instagram.com/v23.0/me"
        );
        assert_eq!(
            p.graph_unversioned(Login::Instagram, "/refresh_access_token")
                .as_str(),
            "https://graph.instagram.com/refresh_access_token"
        );
        let s = InstagramEndpoints::under(&Url::parse("http://127.0.0.1:9/meta").expect("url"));
        assert_eq!(
            s.graph(Login::Facebook, "/me/accounts").as_str(),
            "http://127.0.0.1:9/meta/graph/v23.0/me/accounts"
        );
        assert_eq!(s.login_hosts, ["127.0.0.1:9"]);
        let next = Url::parse("http://127.0.0.1:9/meta/graph/v23.0/me/accounts?after=x").unwrap();
        assert!(s.on_graph(Login::Facebook, &next));
        let elsewhere = Url::parse("http://127.0.0.1:10/meta/graph/v23.0/me").unwrap();
        assert!(!s.on_graph(Login::Facebook, &elsewhere));
    }

    #[test]
    fn authorize_per_product() {
        let auth = InstagramAuthenticator::new(&InstagramEndpoints::production());
        let a = auth
            .authorize(&creds(INSTAGRAM_LOGIN), DESKTOP_REDIRECT, "st")
            .expect("url");
        assert!(
            a.url
                .as_str()
                .starts_with("https://www.instagram.com/oauth/authorize?")
        );
        let q: std::collections::HashMap<String, String> =
            a.url.query_pairs().into_owned().collect();
        assert_eq!(
            q["scope"],
            "instagram_business_basic,instagram_business_content_publish,\
             instagram_business_manage_insights"
        );
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["redirect_uri"], DESKTOP_REDIRECT);
        assert!(!a.url.as_str().contains("s3cret"));
        let f = auth
            .authorize(&creds(FACEBOOK_LOGIN), DESKTOP_REDIRECT, "st")
            .expect("url");
        assert!(
            f.url
                .as_str()
                .starts_with("https://www.facebook.com/v23.0/dialog/oauth?")
        );
        let q: std::collections::HashMap<String, String> =
            f.url.query_pairs().into_owned().collect();
        assert_eq!(
            q["scope"],
            "instagram_basic,instagram_content_publish,pages_show_list,pages_read_engagement,\
             instagram_manage_insights"
        );
    }

    #[test]
    fn each_product_explains_its_permissions_insights_included() {
        for (login, product) in [
            (Login::Instagram, INSTAGRAM_LOGIN),
            (Login::Facebook, FACEBOOK_LOGIN),
        ] {
            let listed: Vec<String> = scopes(login).into_iter().map(|s| s.scope).collect();
            assert_eq!(listed, login.requested_scopes(), "{product}");
            let auth = InstagramAuthenticator::new(&InstagramEndpoints::production());
            let insights = auth
                .scopes(Some(product))
                .into_iter()
                .find(|s| s.scope == login.metrics_scope())
                .expect("insights asked for");
            assert!(insights.why.contains("Analytics"), "{}", insights.why);
        }
        // Connecting needs publishing's permissions only.
        let ig = vec![SCOPE_IG_BASIC.to_owned(), SCOPE_IG_PUBLISH.to_owned()];
        assert!(missing_permissions(Login::Instagram, &ig).is_ok());
    }

    #[test]
    fn login_of_scopes_and_missing_permissions_in_words() {
        let ig = vec![SCOPE_IG_BASIC.to_owned(), SCOPE_IG_PUBLISH.to_owned()];
        assert_eq!(Login::of_scopes(&ig), Login::Instagram);
        let fb = vec![SCOPE_FB_BASIC.to_owned(), SCOPE_FB_PUBLISH.to_owned()];
        assert_eq!(Login::of_scopes(&fb), Login::Facebook);
        assert!(missing_permissions(Login::Instagram, &ig).is_ok());
        let Err(AuthError::Rejected { description, .. }) =
            missing_permissions(Login::Facebook, &fb)
        else {
            panic!("two missing");
        };
        let d = description.expect("words");
        assert!(
            d.contains("pages_show_list, pages_read_engagement") && d.contains("them"),
            "{d}"
        );
    }

    #[test]
    fn token_answers_flat_wrapped_and_refused() {
        let flat = parse_token(
            200,
            br#"{"access_token":"IGQ1","user_id":17841,"permissions":["instagram_business_basic"]}"#,
        )
        .expect("flat");
        assert_eq!(flat.permissions(), ["instagram_business_basic"]);
        let wrapped = parse_token(
            200,
            br#"{"data":[{"access_token":"IGQ2","user_id":"1","permissions":"a,b"}]}"#,
        )
        .expect("wrapped");
        assert_eq!(wrapped.permissions(), ["a", "b"]);
        let legacy = parse_token(
            400,
            br#"{"error_type":"OAuthException","code":400,"error_message":"Invalid authorization code"}"#,
        )
        .expect_err("legacy");
        assert_eq!(
            legacy,
            AuthError::Rejected {
                error: "code 400".into(),
                description: Some("Invalid authorization code".into())
            }
        );
        let graph = parse_token(
            400,
            br#"{"error":{"message":"Error validating access token","type":"OAuthException","code":190}}"#,
        )
        .expect_err("graph");
        assert!(matches!(graph, AuthError::Rejected { ref error, .. } if error == "code 190"));
        assert!(matches!(
            parse_token(503, b"busy"),
            Err(AuthError::Unreachable(_))
        ));
    }

    #[test]
    fn renewal_a_month_ahead_but_not_before_a_day_old() {
        let auth = InstagramAuthenticator::new(&InstagramEndpoints::production());
        let now = Utc::now();
        let mut t = TokenSet {
            access_token: "t".into(),
            refresh_token: None,
            expires_at: Some(now + Duration::days(60)),
            refresh_expires_at: None,
            scopes: vec![],
            issued_at: Some(now),
        };
        assert_eq!(auth.renew_at(&t), Some(now + Duration::days(30)));
        // A token that was given 20 days: renewed once a day old.
        t.expires_at = Some(now + Duration::days(20));
        assert_eq!(auth.renew_at(&t), Some(now + Duration::hours(24)));
        // A short-lived token: only just before it ends.
        t.expires_at = Some(now + Duration::hours(1));
        assert_eq!(
            auth.renew_at(&t),
            Some(now + Duration::hours(1) - crate::auth::RENEW_AHEAD)
        );
    }
}
