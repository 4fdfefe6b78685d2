//! Signing in to a network and the tokens that come of it.
//!
//! - [`Authenticator`]: each step of a network's OAuth flow (authorize URL,
//!   code exchange, a token swap after the exchange, refresh, revoke). The
//!   default of every step is the standard OAuth 2.0 authorization-code flow
//!   with PKCE (RFC 6749, RFC 7636, RFC 7009) through the `oauth2` crate; a
//!   network replaces only the steps where it differs.
//! - [`TokenSource`]: how a client gets an access token while it works. The
//!   engine's source refreshes ahead of expiry and after a 401, one refresh
//!   at a time per account, so an upload that runs for hours keeps working.

use std::fmt;
use std::future::Future;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use oauth2::basic::{BasicErrorResponse, BasicErrorResponseType, BasicTokenType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, ExtraTokenFields,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{ErrorKind, PlatformError};
use crate::types::{AccessToken, ClientCredentials, ScopeInfo};

/// How the authorization code's PKCE challenge is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PkceStyle {
    /// RFC 7636 S256: BASE64URL(SHA256(verifier)).
    S256,
    /// TikTok desktop: lowercase hex of SHA256(verifier), method "S256".
    S256Hex,
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_id` (and a secret, if any) in the form body.
    RequestBody,
    /// HTTP Basic with id and secret.
    BasicAuth,
}

/// How the platform's redirect reaches the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectStyle {
    /// `creatorflow://oauth/<platform>` through the OS (deep link).
    DeepLink,
    /// A one-shot listener on 127.0.0.1; `port: None` = any free port (the
    /// platform accepts any loopback port), `Some(p)` = the registered port.
    Loopback { port: Option<u16>, path: String },
    /// A sign-in window inside the app (Meta's documented desktop flow: its
    /// redirects must be registered https URIs). The window loads only
    /// `hosts` (`host` or `host:port`) and reads the redirect to `uri`
    /// before it loads.
    Window { uri: String, hosts: Vec<String> },
}

/// Which kind of redirect a creator picked for a network (Settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RedirectKind {
    DeepLink,
    Loopback,
    Window,
}

impl RedirectStyle {
    pub fn kind(&self) -> RedirectKind {
        match self {
            Self::DeepLink => RedirectKind::DeepLink,
            Self::Loopback { .. } => RedirectKind::Loopback,
            Self::Window { .. } => RedirectKind::Window,
        }
    }
}

/// Where and how to run a network's OAuth flow.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthSpec {
    pub authorize_url: Url,
    pub token_url: Url,
    /// RFC 7009 revocation endpoint, if the network has one.
    pub revoke_url: Option<Url>,
    pub scopes: Vec<ScopeInfo>,
    pub scope_separator: &'static str,
    pub pkce: PkceStyle,
    pub client_auth: ClientAuth,
    /// The redirects this network accepts; the first is the default, a
    /// creator may pick another kind in Settings.
    pub redirects: Vec<RedirectStyle>,
    /// Extra query parameters on the authorize URL.
    pub extra_authorize_params: Vec<(String, String)>,
    /// The client needs a secret (the creator must enter one in Settings).
    pub needs_client_secret: bool,
    /// The network's sign-in products, where it has more than one (Meta:
    /// Instagram Login, Facebook Login): the creator's developer app uses
    /// one ([`ClientCredentials::product`]); the first is the default.
    pub products: Vec<crate::types::Choice>,
}

impl OAuthSpec {
    /// The redirect of `kind` if the network offers one, else its default.
    pub fn redirect(&self, kind: Option<RedirectKind>) -> RedirectStyle {
        kind.and_then(|k| self.redirects.iter().find(|r| r.kind() == k))
            .or_else(|| self.redirects.first())
            .cloned()
            .unwrap_or(RedirectStyle::DeepLink)
    }
}

/// An account's tokens, as kept in the keychain (one entry, so the access
/// and refresh tokens always change together). `Debug` never shows a token.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the refresh token expires, where the network says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// When the network issued the access token (some networks renew a
    /// token only once it is old enough).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
}

impl TokenSet {
    /// When this sign-in ends for good unless the creator reconnects: the
    /// refresh token's expiry, or the access token's when there is no
    /// refresh token. `None`: it lasts until revoked.
    pub fn lapses_at(&self) -> Option<DateTime<Utc>> {
        match &self.refresh_token {
            Some(_) => self.refresh_expires_at,
            None => self.expires_at,
        }
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("scopes", &self.scopes)
            .field("issued_at", &self.issued_at)
            .finish()
    }
}

/// What to open in the browser, and the PKCE verifier to keep for the exchange.
pub struct Authorization {
    pub url: Url,
    pub verifier: String,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Authorization({}, verifier <redacted>)", self.url)
    }
}

/// A step of the OAuth flow that did not work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The authorization server answered with an OAuth error (`invalid_grant` ...).
    #[error("refused: {error}")]
    Rejected {
        error: String,
        description: Option<String>,
    },
    /// No usable answer (network, 5xx, unreadable body).
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The network gives no way to renew this sign-in.
    #[error("this sign-in cannot be renewed")]
    CannotRefresh,
    /// Our own configuration is wrong (a bad redirect URI ...).
    #[error("configuration: {0}")]
    Config(String),
}

/// One network's OAuth flow. Every step has the standard behaviour; a
/// network overrides the steps where it differs (TikTok's `client_key`,
/// Meta's long-lived token swap and refresh by GET, LinkedIn's tokens that
/// cannot be refreshed).
#[async_trait]
pub trait Authenticator: Send + Sync {
    fn spec(&self) -> &OAuthSpec;

    /// The authorize URL for `state` and the PKCE verifier to keep.
    fn authorize(
        &self,
        client: &ClientCredentials,
        redirect_uri: &str,
        state: &str,
    ) -> Result<Authorization, AuthError> {
        standard::authorize(self.spec(), client, redirect_uri, state)
    }

    /// Trades the code the redirect brought for tokens.
    async fn exchange_code(
        &self,
        client: &ClientCredentials,
        redirect_uri: &str,
        code: &str,
        verifier: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        standard::exchange_code(self.spec(), client, redirect_uri, code, verifier, now).await
    }

    /// A further swap right after the exchange (Meta: short-lived for
    /// long-lived). The default keeps the tokens as they are.
    async fn after_exchange(
        &self,
        _client: &ClientCredentials,
        tokens: TokenSet,
        _now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        Ok(tokens)
    }

    /// New tokens for old ones. [`AuthError::CannotRefresh`] when the network
    /// gives no way (the engine then asks the creator to reconnect).
    async fn refresh(
        &self,
        client: &ClientCredentials,
        tokens: &TokenSet,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        standard::refresh(self.spec(), client, tokens, now).await
    }

    /// When to renew `tokens` ahead of their expiry. By default shortly
    /// before the access token expires; a network whose tokens live long
    /// and are renewed by swapping the token itself (Meta) renews much
    /// earlier, so a creator who opens the app now and then never lapses.
    fn renew_at(&self, tokens: &TokenSet) -> Option<DateTime<Utc>> {
        tokens.expires_at.map(|at| at - RENEW_AHEAD)
    }

    /// The permissions the developer app's `product` asks for (the
    /// permissions explainer). By default the spec's.
    fn scopes(&self, _product: Option<&str>) -> Vec<ScopeInfo> {
        self.spec().scopes.clone()
    }

    /// Ends the sign-in at the network (disconnect). Best effort.
    async fn revoke(&self, client: &ClientCredentials, tokens: &TokenSet) -> Result<(), AuthError> {
        standard::revoke(self.spec(), client, tokens).await
    }

    /// What to tell the creator when the network refused to renew the
    /// sign-in (`invalid_grant` ...), in words.
    fn refresh_refused(&self, _error: &AuthError) -> String {
        "The platform no longer accepts CreatorFlow's sign-in (it was revoked or expired)."
            .to_owned()
    }
}

/// Renew an access token this long before it expires, by default.
pub const RENEW_AHEAD: Duration = Duration::minutes(5);

/// The standard flow as an authenticator of its own.
pub struct StandardOAuth(pub OAuthSpec);

impl Authenticator for StandardOAuth {
    fn spec(&self) -> &OAuthSpec {
        &self.0
    }
}

/// Where a client gets its access token while it works.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// A token that is good now (renewed first if it is about to expire).
    async fn token(&self) -> Result<AccessToken, PlatformError>;

    /// The network refused `rejected` (401): a renewed token, or an
    /// [`ErrorKind::Auth`] error when the sign-in cannot be renewed.
    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, PlatformError>;
}

/// A fixed token: it is what it is, and cannot be renewed.
#[async_trait]
impl TokenSource for AccessToken {
    async fn token(&self) -> Result<AccessToken, PlatformError> {
        Ok(self.clone())
    }

    async fn refresh(&self, _rejected: &AccessToken) -> Result<AccessToken, PlatformError> {
        Err(PlatformError::new(
            ErrorKind::Auth,
            "token_refused",
            "The platform refused the sign-in.",
        ))
    }
}

/// Runs `call` with a good token; when the network answers 401 it asks the
/// source for a renewed token once and runs `call` again.
pub async fn authorized<T, F, Fut>(
    tokens: &dyn TokenSource,
    mut call: F,
) -> Result<T, PlatformError>
where
    F: FnMut(AccessToken) -> Fut,
    Fut: Future<Output = Result<T, PlatformError>>,
{
    let token = tokens.token().await?;
    match call(token.clone()).await {
        Err(refused) if refused.kind == ErrorKind::Auth => match tokens.refresh(&token).await {
            Ok(renewed) => call(renewed).await,
            // Cannot be renewed: the network's own refusal says it best
            // (and its status records that nothing took effect).
            Err(e) if e.kind == ErrorKind::Auth => Err(refused),
            // The renewal itself could not be done now (network, keychain):
            // worth another try; the request was answered, so keep its status.
            Err(e) => Err(PlatformError {
                status: e.status.or(refused.status),
                ..e
            }),
        },
        other => other,
    }
}

/// URL-safe random text from `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter()
        .map(|b| ALPHABET[(*b & 63) as usize] as char)
        .collect()
}

/// The standard steps, over the `oauth2` crate and our reqwest client.
pub mod standard {
    use super::*;

    /// Token-response fields beyond RFC 6749 that say when the refresh
    /// token dies: Google and LinkedIn send `refresh_token_expires_in`,
    /// TikTok `refresh_expires_in`.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct RefreshExpiry {
        #[serde(default)]
        refresh_token_expires_in: Option<i64>,
        #[serde(default)]
        refresh_expires_in: Option<i64>,
    }

    impl ExtraTokenFields for RefreshExpiry {}

    type Response = StandardTokenResponse<RefreshExpiry, BasicTokenType>;
    type Client = oauth2::Client<
        BasicErrorResponse,
        Response,
        oauth2::basic::BasicTokenIntrospectionResponse,
        oauth2::StandardRevocableToken,
        oauth2::basic::BasicRevocationErrorResponse,
        oauth2::EndpointSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    >;

    #[derive(Debug, thiserror::Error)]
    #[error("{0}")]
    struct HttpAdapterError(String);

    /// The HTTP client of token endpoints: no redirects (RFC 6749 §3.2).
    pub fn http() -> &'static reqwest::Client {
        static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
        CLIENT.get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(std::time::Duration::from_secs(15))
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new())
        })
    }

    async fn send(req: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, HttpAdapterError> {
        let (parts, body) = req.into_parts();
        let resp = http()
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|e| HttpAdapterError(describe_transport(&e)))?;
        let mut builder = http::Response::builder().status(resp.status());
        for (k, v) in resp.headers() {
            builder = builder.header(k, v);
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| HttpAdapterError(describe_transport(&e)))?;
        builder
            .body(bytes.to_vec())
            .map_err(|e| HttpAdapterError(e.to_string()))
    }

    /// A transport failure in words (never the URL: it may carry a code).
    pub fn describe_transport(e: &reqwest::Error) -> String {
        if e.is_timeout() {
            "timed out".into()
        } else if e.is_connect() {
            "could not connect".into()
        } else {
            "connection interrupted".into()
        }
    }

    fn client_for(
        spec: &OAuthSpec,
        creds: &ClientCredentials,
        redirect: Option<&str>,
    ) -> Result<Client, AuthError> {
        let mut client = oauth2::Client::new(ClientId::new(creds.client_id.clone()))
            .set_auth_uri(AuthUrl::from_url(spec.authorize_url.clone()))
            .set_token_uri(TokenUrl::from_url(spec.token_url.clone()))
            .set_auth_type(match spec.client_auth {
                ClientAuth::RequestBody => AuthType::RequestBody,
                ClientAuth::BasicAuth => AuthType::BasicAuth,
            });
        if let Some(secret) = &creds.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        if let Some(redirect) = redirect {
            client = client.set_redirect_uri(
                RedirectUrl::new(redirect.to_owned())
                    .map_err(|e| AuthError::Config(e.to_string()))?,
            );
        }
        Ok(client)
    }

    pub fn authorize(
        spec: &OAuthSpec,
        creds: &ClientCredentials,
        redirect: &str,
        state: &str,
    ) -> Result<Authorization, AuthError> {
        let client = client_for(spec, creds, Some(redirect))?;
        let state_owned = state.to_owned();
        let mut req = client
            .authorize_url(move || CsrfToken::new(state_owned.clone()))
            .add_scopes(spec.scopes.iter().map(|s| Scope::new(s.scope.clone())));
        for (k, v) in &spec.extra_authorize_params {
            req = req.add_extra_param(k.clone(), v.clone());
        }
        let verifier = match spec.pkce {
            PkceStyle::S256 => {
                let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
                req = req.set_pkce_challenge(challenge);
                verifier.secret().clone()
            }
            PkceStyle::S256Hex => {
                use sha2::Digest;
                let verifier = random_token(48);
                let challenge = hex::encode(sha2::Sha256::digest(verifier.as_bytes()));
                req = req
                    .add_extra_param("code_challenge", challenge)
                    .add_extra_param("code_challenge_method", "S256");
                verifier
            }
        };
        let (url, _) = req.url();
        Ok(Authorization { url, verifier })
    }

    fn tokens_from(resp: &Response, previous: Option<&TokenSet>, now: DateTime<Utc>) -> TokenSet {
        let extra = resp.extra_fields();
        let refresh_in = extra
            .refresh_token_expires_in
            .or(extra.refresh_expires_in)
            .filter(|s| *s > 0);
        let new_refresh = resp.refresh_token().map(|t| t.secret().clone());
        TokenSet {
            access_token: resp.access_token().secret().clone(),
            // Platforms that do not rotate send no new refresh token: keep the old one.
            refresh_expires_at: match (&new_refresh, refresh_in) {
                (_, Some(s)) => Some(now + Duration::seconds(s)),
                (Some(_), None) => None,
                (None, None) => previous.and_then(|p| p.refresh_expires_at),
            },
            refresh_token: new_refresh.or_else(|| previous.and_then(|p| p.refresh_token.clone())),
            expires_at: resp
                .expires_in()
                .and_then(|d| Duration::from_std(d).ok())
                .map(|d| now + d),
            issued_at: Some(now),
            scopes: resp
                .scopes()
                .map(|s| s.iter().map(|s| s.to_string()).collect())
                .or_else(|| previous.map(|p| p.scopes.clone()))
                .unwrap_or_default(),
        }
    }

    fn map_request_error<RE: std::error::Error + 'static>(
        e: RequestTokenError<RE, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
    ) -> AuthError {
        match e {
            RequestTokenError::ServerResponse(resp) => AuthError::Rejected {
                error: resp.error().as_ref().to_owned(),
                description: resp.error_description().cloned(),
            },
            RequestTokenError::Request(e) => AuthError::Unreachable(e.to_string()),
            RequestTokenError::Parse(_, _) => AuthError::Unreachable("unreadable answer".into()),
            RequestTokenError::Other(what) => AuthError::Unreachable(what),
        }
    }

    pub async fn exchange_code(
        spec: &OAuthSpec,
        creds: &ClientCredentials,
        redirect: &str,
        code: &str,
        verifier: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        let client = client_for(spec, creds, Some(redirect))?;
        let resp = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(&send)
            .await
            .map_err(map_request_error)?;
        Ok(tokens_from(&resp, None, now))
    }

    pub async fn refresh(
        spec: &OAuthSpec,
        creds: &ClientCredentials,
        previous: &TokenSet,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        let Some(refresh) = previous.refresh_token.clone() else {
            return Err(AuthError::CannotRefresh);
        };
        let client = client_for(spec, creds, None)?;
        let resp = client
            .exchange_refresh_token(&RefreshToken::new(refresh))
            .request_async(&send)
            .await
            .map_err(map_request_error)?;
        Ok(tokens_from(&resp, Some(previous), now))
    }

    /// RFC 7009: `token` (the refresh token when there is one) and
    /// `client_id` as a form; HTTP Basic as well when the app has a secret.
    /// No revocation endpoint: nothing to do.
    pub async fn revoke(
        spec: &OAuthSpec,
        creds: &ClientCredentials,
        tokens: &TokenSet,
    ) -> Result<(), AuthError> {
        let Some(url) = &spec.revoke_url else {
            return Ok(());
        };
        let token = tokens
            .refresh_token
            .as_deref()
            .unwrap_or(&tokens.access_token);
        let mut request = http()
            .post(url.clone())
            .form(&[("token", token), ("client_id", creds.client_id.as_str())]);
        if let Some(secret) = &creds.client_secret {
            request = request.basic_auth(&creds.client_id, Some(secret));
        }
        let resp = request
            .send()
            .await
            .map_err(|e| AuthError::Unreachable(describe_transport(&e)))?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> OAuthSpec {
        OAuthSpec {
            authorize_url: Url::parse("https://example.com/authorize").unwrap(),
            token_url: Url::parse("https://example.com/token").unwrap(),
            revoke_url: None,
            scopes: vec![ScopeInfo {
                scope: "a".into(),
                why: "b".into(),
            }],
            scope_separator: " ",
            pkce: PkceStyle::S256Hex,
            client_auth: ClientAuth::RequestBody,
            redirects: vec![
                RedirectStyle::DeepLink,
                RedirectStyle::Loopback {
                    port: Some(1),
                    path: "/cb".into(),
                },
            ],
            extra_authorize_params: vec![("prompt".into(), "consent".into())],
            needs_client_secret: false,
            products: Vec::new(),
        }
    }

    #[test]
    fn redirects_by_kind_with_the_first_as_default() {
        let s = spec();
        assert_eq!(s.redirect(None), RedirectStyle::DeepLink);
        assert_eq!(
            s.redirect(Some(RedirectKind::Loopback)).kind(),
            RedirectKind::Loopback
        );
    }

    #[test]
    fn hex_pkce_and_extra_params() {
        let client = ClientCredentials {
            client_id: "id".into(),
            client_secret: None,
            product: None,
        };
        let a = StandardOAuth(spec())
            .authorize(&client, "http://127.0.0.1:1/cb", "st")
            .unwrap();
        let q: std::collections::HashMap<String, String> =
            a.url.query_pairs().into_owned().collect();
        use sha2::Digest;
        assert_eq!(
            q["code_challenge"],
            hex::encode(sha2::Sha256::digest(a.verifier.as_bytes()))
        );
        assert_eq!(q["prompt"], "consent");
        assert_eq!(q["state"], "st");
        assert!(!format!("{a:?}").contains(&a.verifier));
    }

    #[test]
    fn lapse_of_a_sign_in() {
        let now = Utc::now();
        let mut t = TokenSet {
            access_token: "a".into(),
            refresh_token: None,
            expires_at: Some(now),
            refresh_expires_at: None,
            scopes: vec![],
            issued_at: None,
        };
        assert_eq!(
            t.lapses_at(),
            Some(now),
            "no refresh token: the access token's expiry"
        );
        t.refresh_token = Some("r".into());
        assert_eq!(t.lapses_at(), None, "refreshable without a known end");
        t.refresh_expires_at = Some(now + Duration::days(7));
        assert_eq!(t.lapses_at(), Some(now + Duration::days(7)));
        assert!(!format!("{t:?}").contains("\"a\""));
    }
}
