//! Connecting accounts (OAuth 2.0 authorization code + PKCE through the system
//! browser) and keeping their tokens fresh. One callback handler serves the
//! deep link and the loopback listener; every pending flow has a random,
//! single-use `state` that expires.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use creatorflow_platforms::{
    AccessToken, ClientAuth, ClientCredentials, OAuthSpec, PkceStyle, RedirectStyle,
};
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use serde::Serialize;
use specta::Type;

use crate::callback::{self, Outcome, Rejection};
use crate::error::{EngineError, ErrorCode, Result};
use crate::model::{Account, AccountId, AccountStatus, Platform};
use crate::notices::{Notice, NoticeKind};
use crate::vault::StoredTokens;
use crate::{ChangeSource, Engine, Entity, accounts};

/// The fixed loopback port of X's optional loopback redirect (X matches
/// redirect URIs exactly, port included, so it cannot be chosen at random).
pub const X_LOOPBACK_PORT: u16 = 47615;

/// A connect flow is good for this long after the browser was opened.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);
/// Refresh an access token this long before it expires.
pub const REFRESH_AHEAD: Duration = Duration::minutes(5);

/// A flow waiting for its callback.
pub(crate) struct PendingFlow {
    platform: Platform,
    verifier: String,
    redirect_uri: String,
    client: ClientCredentials,
    expires_at: DateTime<Utc>,
}

pub(crate) struct AuthState {
    pending: std::sync::Mutex<HashMap<String, PendingFlow>>,
    refresh_locks: std::sync::Mutex<HashMap<AccountId, Arc<tokio::sync::Mutex<()>>>>,
    outcomes: tokio::sync::broadcast::Sender<ConnectOutcome>,
}

impl Default for AuthState {
    fn default() -> Self {
        Self {
            pending: Default::default(),
            refresh_locks: Default::default(),
            outcomes: tokio::sync::broadcast::channel(32).0,
        }
    }
}

/// What the UI shows before sending the user to the browser, and where to send them.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectStart {
    pub platform: Platform,
    /// Open this in the system browser.
    pub authorize_url: String,
    /// Where the platform sends the browser back.
    pub redirect_uri: String,
    /// Loopback port to listen on, when the redirect is a loopback URL.
    pub loopback_port: Option<u16>,
    pub expires_at: DateTime<Utc>,
}

/// How a connect attempt ended, for the Accounts view.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectOutcome {
    pub platform: Option<Platform>,
    pub account_id: Option<AccountId>,
    pub ok: bool,
    pub message: String,
}

/// A callback that was refused, with a reason for the log and a message for a person.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("OAuth callback refused: {reason}")]
pub struct CallbackError {
    pub reason: String,
    pub message: String,
    pub platform: Option<Platform>,
}

impl CallbackError {
    fn new(
        platform: Option<Platform>,
        reason: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            reason: reason.into(),
            message: message.into(),
            platform,
        }
    }
}

impl From<CallbackError> for EngineError {
    fn from(e: CallbackError) -> Self {
        EngineError::invalid(ErrorCode::OAuth, e.message)
    }
}

/// The redirect URI a platform uses in this run.
pub fn redirect_uri(platform: Platform, style: &RedirectStyle) -> (String, Option<u16>) {
    match style {
        RedirectStyle::DeepLink => (format!("creatorflow://oauth/{}", platform.as_str()), None),
        RedirectStyle::Loopback { port, path } => {
            let port = port.unwrap_or(0);
            (format!("http://127.0.0.1:{port}{path}"), Some(port))
        }
    }
}

impl Engine {
    /// The developer-app credentials for `platform`: the sandbox's demo app, or
    /// what the user entered in Settings (kept in the keychain).
    pub async fn client_credentials(&self, platform: Platform) -> Result<ClientCredentials> {
        if let Some(builtin) = self.platforms().builtin_client(platform) {
            return Ok(builtin.clone());
        }
        match self.vault().client(platform).await? {
            Some(c) => Ok(ClientCredentials {
                client_id: c.client_id,
                client_secret: c.client_secret,
            }),
            None => Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                format!(
                    "Add your {} client ID in Settings → Platforms → {} before connecting.",
                    platform.display_name(),
                    platform.display_name()
                ),
            )),
        }
    }

    /// How `platform` sends the browser back in this run: X uses the
    /// `creatorflow://` deep link unless the user chose its loopback redirect
    /// in Settings (for an X app registered with a `http://127.0.0.1` callback).
    pub async fn redirect_style(&self, platform: Platform) -> Result<Option<RedirectStyle>> {
        if platform == Platform::X && self.settings().await?.x_loopback_redirect {
            return Ok(Some(RedirectStyle::Loopback {
                port: Some(X_LOOPBACK_PORT),
                path: "/oauth/x/callback".into(),
            }));
        }
        Ok(self.platforms().redirect(platform))
    }

    /// Forgets every pending connect flow of `platform`: a late approval in
    /// the browser then connects nothing.
    pub fn cancel_connect(&self, platform: Platform) -> Result<()> {
        let mut pending = self.auth().pending.lock().map_err(|_| lock_poisoned())?;
        pending.retain(|_, f| f.platform != platform);
        Ok(())
    }

    /// Keeps the user's own developer-app credentials for `platform` in the keychain.
    pub async fn set_platform_client(
        &self,
        platform: Platform,
        client_id: &str,
        client_secret: Option<&str>,
    ) -> Result<()> {
        let client_id = client_id.trim();
        if client_id.is_empty()
            || client_id.len() > 200
            || client_id.chars().any(char::is_whitespace)
        {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                format!(
                    "That does not look like a {} client ID. Copy it from the developer portal.",
                    platform.display_name()
                ),
            ));
        }
        let client_secret = client_secret.map(str::trim).filter(|s| !s.is_empty());
        if client_secret.is_some_and(|s| s.len() > 500) {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                "That client secret is too long.",
            ));
        }
        self.vault()
            .set_client(
                platform,
                &crate::vault::StoredClient {
                    client_id: client_id.to_owned(),
                    client_secret: client_secret.map(str::to_owned),
                },
            )
            .await?;
        self.changes()
            .emit(Entity::Settings, vec![], ChangeSource::User);
        Ok(())
    }

    /// Starts connecting an account: returns the authorize URL to open in the
    /// system browser. `loopback_port` is the port actually bound when the
    /// redirect is a loopback listener on an ephemeral port.
    pub async fn start_connect(
        &self,
        platform: Platform,
        loopback_port: Option<u16>,
    ) -> Result<ConnectStart> {
        let publisher = self.publisher(platform)?;
        let spec = publisher.oauth_spec();
        let client = self.client_credentials(platform).await?;
        let style = self
            .redirect_style(platform)
            .await?
            .unwrap_or(spec.redirect.clone());
        let style = match (style, loopback_port) {
            (RedirectStyle::Loopback { port: None, path }, Some(bound)) => {
                RedirectStyle::Loopback {
                    port: Some(bound),
                    path,
                }
            }
            (style, _) => style,
        };
        let (redirect, port) = redirect_uri(platform, &style);

        let state = random_token(32);
        let (url, verifier) = authorize_url(&spec, &client, &redirect, &state)?;
        let now = self.now();
        let expires_at = now + FLOW_LIFETIME;
        {
            let mut pending = self.auth().pending.lock().map_err(|_| lock_poisoned())?;
            pending.retain(|_, f| f.expires_at > now);
            pending.insert(
                state,
                PendingFlow {
                    platform,
                    verifier,
                    redirect_uri: redirect.clone(),
                    client,
                    expires_at,
                },
            );
        }
        tracing::info!(platform = platform.as_str(), "connect flow started");
        Ok(ConnectStart {
            platform,
            authorize_url: url,
            redirect_uri: redirect,
            loopback_port: port,
            expires_at,
        })
    }

    /// The one handler for OAuth callbacks, whatever route they came by.
    /// Refused callbacks are logged (without secrets) and exchange nothing.
    pub async fn handle_callback(&self, raw: &str) -> std::result::Result<Account, CallbackError> {
        let result = self.handle_callback_inner(raw).await;
        let outcome = match &result {
            Ok(account) => ConnectOutcome {
                platform: Some(account.platform),
                account_id: Some(account.id),
                ok: true,
                message: format!(
                    "@{} on {} is connected.",
                    account.username,
                    account.platform.display_name()
                ),
            },
            Err(e) => {
                tracing::warn!(platform = ?e.platform.map(|p| p.as_str()), "{e}");
                ConnectOutcome {
                    platform: e.platform,
                    account_id: None,
                    ok: false,
                    message: e.message.clone(),
                }
            }
        };
        let _ = self.auth().outcomes.send(outcome);
        result
    }

    pub fn subscribe_connect_outcomes(&self) -> tokio::sync::broadcast::Receiver<ConnectOutcome> {
        self.auth().outcomes.subscribe()
    }

    /// Starts connecting `platform`: binds the loopback listener first when the
    /// platform redirects to loopback, then builds the authorize URL. The
    /// caller opens `authorize_url` in the system browser.
    pub async fn connect(&self, platform: Platform) -> Result<ConnectStart> {
        let style = self
            .redirect_style(platform)
            .await?
            .unwrap_or(RedirectStyle::DeepLink);
        match style {
            RedirectStyle::DeepLink => self.start_connect(platform, None).await,
            RedirectStyle::Loopback { port, .. } => {
                let listener = crate::loopback::listen(
                    self.clone(),
                    platform,
                    port.unwrap_or(0),
                    FLOW_LIFETIME.to_std().unwrap_or_default(),
                )
                .await?;
                let start = self.start_connect(platform, Some(listener.port)).await;
                if start.is_err() {
                    listener.task.abort();
                }
                start
            }
        }
    }

    async fn handle_callback_inner(
        &self,
        raw: &str,
    ) -> std::result::Result<Account, CallbackError> {
        let cb = callback::parse(raw).map_err(|r: Rejection| {
            CallbackError::new(
                None,
                r.to_string(),
                "CreatorFlow received a sign-in link it could not read, so it ignored it.",
            )
        })?;
        let platform = cb.platform;
        let flow = {
            let mut pending = self.auth().pending.lock().map_err(|_| {
                CallbackError::new(
                    Some(platform),
                    "lock poisoned",
                    "Something went wrong; try again.",
                )
            })?;
            // Single use: the flow is gone whatever happens next.
            pending.remove(&cb.state)
        };
        let Some(flow) = flow else {
            return Err(CallbackError::new(
                Some(platform),
                "unknown or already used state",
                "This sign-in link is not one CreatorFlow is waiting for (it may have been used already). Start connecting again.",
            ));
        };
        if flow.expires_at <= self.now() {
            return Err(CallbackError::new(
                Some(platform),
                "expired state",
                "This sign-in took too long and expired. Start connecting again.",
            ));
        }
        if flow.platform != platform {
            return Err(CallbackError::new(
                Some(platform),
                format!("state belongs to a {} flow", flow.platform.as_str()),
                "This sign-in link does not match the account you were connecting. Start connecting again.",
            ));
        }
        let code = match cb.outcome {
            Outcome::Code(code) => code,
            Outcome::Error { error, description } => {
                let message = if error == "access_denied" {
                    format!(
                        "You cancelled connecting {}. Nothing was changed.",
                        platform.display_name()
                    )
                } else {
                    format!(
                        "{} did not connect the account ({}).",
                        platform.display_name(),
                        description.as_deref().unwrap_or(&error)
                    )
                };
                return Err(CallbackError::new(
                    Some(platform),
                    format!("error={error}"),
                    message,
                ));
            }
        };
        self.finish_connect(platform, flow, code)
            .await
            .map_err(|e| {
                CallbackError::new(
                    Some(platform),
                    format!("exchange failed: {e}"),
                    e.user_message(),
                )
            })
    }

    async fn finish_connect(
        &self,
        platform: Platform,
        flow: PendingFlow,
        code: String,
    ) -> Result<Account> {
        let publisher = self.publisher(platform)?;
        let spec = publisher.oauth_spec();
        let tokens = exchange_code(
            &spec,
            &flow.client,
            &flow.redirect_uri,
            code,
            flow.verifier,
            self.now(),
        )
        .await
        .map_err(|e| e.into_engine(platform))?;
        let profile = publisher
            .profile(&AccessToken::new(tokens.access_token.clone()))
            .await
            .map_err(|e| EngineError::invalid(ErrorCode::Platform, e.message))?;
        let now = self.now();
        let id = accounts::upsert(
            self.store(),
            &accounts::AccountProfile {
                platform,
                platform_user_id: profile.platform_user_id,
                username: profile.username,
                display_name: profile.display_name,
                avatar_url: profile.avatar_url,
                scopes: tokens.scopes.clone(),
                token_expires_at: tokens.expires_at,
            },
            now,
        )
        .await?;
        if let Err(e) = self.vault().set_tokens(id, &tokens).await {
            accounts::set_status(
                self.store(),
                id,
                AccountStatus::NeedsReauth,
                Some("The keychain was not available to keep this account's sign-in."),
                now,
            )
            .await?;
            return Err(e);
        }
        let window = self.settings().await?.catch_up_window_minutes;
        crate::scheduler::requeue_after_reconnect(self.store(), id, now, window).await?;
        self.changes()
            .emit(Entity::Accounts, vec![id], ChangeSource::Accounts);
        self.changes()
            .emit(Entity::Posts, vec![], ChangeSource::Accounts);
        self.wake_scheduler();
        tracing::info!(
            platform = platform.as_str(),
            account = id,
            "account connected"
        );
        accounts::get(self.store(), id).await
    }

    /// A usable access token for `account`, refreshed first if it expires
    /// within [`REFRESH_AHEAD`]. One refresh in flight per account.
    pub async fn access_token(&self, account: AccountId) -> Result<AccessToken> {
        let lock = self.refresh_lock(account)?;
        let _guard = lock.lock().await;
        let tokens = self.tokens_or_reauth(account).await?;
        match tokens.expires_at {
            Some(at) if at - self.now() <= REFRESH_AHEAD => {
                self.refresh_locked(account, tokens).await
            }
            _ => Ok(AccessToken::new(tokens.access_token)),
        }
    }

    /// After a 401 with `rejected`: refresh, unless another task already did.
    pub async fn refresh_after_unauthorized(
        &self,
        account: AccountId,
        rejected: &AccessToken,
    ) -> Result<AccessToken> {
        let lock = self.refresh_lock(account)?;
        let _guard = lock.lock().await;
        let tokens = self.tokens_or_reauth(account).await?;
        if tokens.access_token != rejected.secret() {
            return Ok(AccessToken::new(tokens.access_token));
        }
        self.refresh_locked(account, tokens).await
    }

    async fn tokens_or_reauth(&self, account: AccountId) -> Result<StoredTokens> {
        match self.vault().tokens(account).await? {
            Some(t) => Ok(t),
            None => {
                self.mark_needs_reauth(
                    account,
                    "CreatorFlow has no sign-in for this account any more.",
                )
                .await?;
                Err(needs_reauth_error())
            }
        }
    }

    /// Refreshes with the lock held. A rotated refresh token is written to the
    /// keychain before the new access token is handed out.
    async fn refresh_locked(&self, account: AccountId, old: StoredTokens) -> Result<AccessToken> {
        let acc = accounts::get(self.store(), account).await?;
        let Some(refresh) = old.refresh_token.clone() else {
            self.mark_needs_reauth(
                account,
                "The sign-in expired and this platform gives no way to renew it.",
            )
            .await?;
            return Err(needs_reauth_error());
        };
        let publisher = self.publisher(acc.platform)?;
        let spec = publisher.oauth_spec();
        let client = self.client_credentials(acc.platform).await?;
        match refresh_token(&spec, &client, refresh, &old, self.now()).await {
            Ok(new) => {
                self.vault().set_tokens(account, &new).await?;
                accounts::set_token_expiry(self.store(), account, new.expires_at, self.now())
                    .await?;
                self.changes()
                    .emit(Entity::Accounts, vec![account], ChangeSource::Accounts);
                tracing::info!(account, "access token refreshed");
                Ok(AccessToken::new(new.access_token))
            }
            Err(OAuthFailure::Rejected { error, .. }) => {
                tracing::warn!(account, error = %error, "refresh refused: account needs reconnecting");
                self.mark_needs_reauth(account, "The platform no longer accepts CreatorFlow's sign-in (it was revoked or expired).")
                    .await?;
                Err(needs_reauth_error())
            }
            Err(e) => Err(e.into_engine(acc.platform)),
        }
    }

    pub(crate) async fn mark_needs_reauth(&self, account: AccountId, reason: &str) -> Result<()> {
        let acc = accounts::get(self.store(), account).await?;
        if acc.status == AccountStatus::NeedsReauth {
            return Ok(());
        }
        accounts::set_status(
            self.store(),
            account,
            AccountStatus::NeedsReauth,
            Some(reason),
            self.now(),
        )
        .await?;
        self.changes()
            .emit(Entity::Accounts, vec![account], ChangeSource::Accounts);
        self.notices().send(Notice {
            kind: NoticeKind::NeedsReconnect,
            title: format!(
                "Reconnect @{} on {}",
                acc.username,
                acc.platform.display_name()
            ),
            body: format!("{reason} Posts to this account wait until you reconnect it."),
            post_id: None,
            account_id: Some(account),
        });
        Ok(())
    }

    /// Disconnects: revokes at the platform where it can (best effort), deletes
    /// the keychain entry, keeps the account row and its post history.
    pub async fn disconnect(&self, account: AccountId) -> Result<()> {
        let acc = accounts::get(self.store(), account).await?;
        if let (Some(tokens), Ok(publisher), Ok(client)) = (
            self.vault().tokens(account).await.ok().flatten(),
            self.publisher(acc.platform),
            self.client_credentials(acc.platform).await,
        ) {
            let token = tokens
                .refresh_token
                .as_deref()
                .unwrap_or(&tokens.access_token);
            if let Err(e) = publisher.revoke(&client, token).await {
                tracing::warn!(
                    account,
                    "revoke at the platform failed (the local sign-in is removed anyway): {}",
                    e.code
                );
            }
        }
        self.vault().delete_tokens(account).await?;
        accounts::set_status(
            self.store(),
            account,
            AccountStatus::Disconnected,
            None,
            self.now(),
        )
        .await?;
        crate::scheduler::hold_targets_of(self.store(), account, self.now()).await?;
        self.changes()
            .emit(Entity::Accounts, vec![account], ChangeSource::User);
        self.changes()
            .emit(Entity::Posts, vec![], ChangeSource::User);
        Ok(())
    }

    fn refresh_lock(&self, account: AccountId) -> Result<Arc<tokio::sync::Mutex<()>>> {
        let mut locks = self
            .auth()
            .refresh_locks
            .lock()
            .map_err(|_| lock_poisoned())?;
        Ok(locks.entry(account).or_default().clone())
    }

    pub(crate) fn publisher(
        &self,
        platform: Platform,
    ) -> Result<Arc<dyn creatorflow_platforms::Publisher>> {
        self.platforms().get(platform).ok_or_else(|| {
            EngineError::invalid(
                ErrorCode::InvalidInput,
                format!(
                    "Publishing to {} is not available in this version yet.",
                    platform.display_name()
                ),
            )
        })
    }
}

fn needs_reauth_error() -> EngineError {
    EngineError::invalid(ErrorCode::OAuth, "This account needs to be reconnected.")
}

fn lock_poisoned() -> EngineError {
    EngineError::Internal("auth state lock poisoned".into())
}

/// URL-safe random text from `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter()
        .map(|b| {
            const ALPHABET: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            ALPHABET[(*b & 63) as usize] as char
        })
        .collect()
}

// ---- the oauth2 crate, over our reqwest ---------------------------------

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct HttpAdapterError(String);

async fn send(
    req: oauth2::HttpRequest,
) -> std::result::Result<oauth2::HttpResponse, HttpAdapterError> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            // Token endpoints must not redirect (RFC 6749 §3.2).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(15))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new())
    });
    let (parts, body) = req.into_parts();
    let resp = client
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

fn describe_transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "connection interrupted".into()
    }
}

#[derive(Debug)]
pub(crate) enum OAuthFailure {
    /// The authorization server answered with an OAuth error.
    Rejected {
        error: String,
        description: Option<String>,
    },
    /// No usable answer (network, 5xx, unreadable body).
    Unreachable(String),
    Config(String),
}

impl OAuthFailure {
    fn into_engine(self, platform: Platform) -> EngineError {
        let name = platform.display_name();
        match self {
            OAuthFailure::Rejected { error, description } => EngineError::invalid(
                ErrorCode::OAuth,
                format!(
                    "{name} refused the sign-in ({}). Try connecting again.",
                    description.unwrap_or(error)
                ),
            ),
            OAuthFailure::Unreachable(what) => EngineError::invalid(
                ErrorCode::Platform,
                format!(
                    "{name} could not be reached ({what}). Check your connection and try again."
                ),
            ),
            OAuthFailure::Config(what) => EngineError::Internal(what),
        }
    }
}

type ConfiguredClient = BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn client_for(
    spec: &OAuthSpec,
    creds: &ClientCredentials,
    redirect: Option<&str>,
) -> std::result::Result<ConfiguredClient, OAuthFailure> {
    let mut client = BasicClient::new(ClientId::new(creds.client_id.clone()))
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
                .map_err(|e| OAuthFailure::Config(e.to_string()))?,
        );
    }
    Ok(client)
}

/// The authorize URL and the PKCE verifier to keep for the exchange.
fn authorize_url(
    spec: &OAuthSpec,
    creds: &ClientCredentials,
    redirect: &str,
    state: &str,
) -> Result<(String, String)> {
    let client = client_for(spec, creds, Some(redirect)).map_err(|e| e.into_engine(Platform::X))?;
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
    Ok((url.to_string(), verifier))
}

fn tokens_from(
    resp: &oauth2::basic::BasicTokenResponse,
    previous: Option<&StoredTokens>,
    now: DateTime<Utc>,
) -> StoredTokens {
    StoredTokens {
        access_token: resp.access_token().secret().clone(),
        // Platforms that do not rotate send no new refresh token: keep the old one.
        refresh_token: resp
            .refresh_token()
            .map(|t| t.secret().clone())
            .or_else(|| previous.and_then(|p| p.refresh_token.clone())),
        expires_at: resp
            .expires_in()
            .and_then(|d| Duration::from_std(d).ok())
            .map(|d| now + d),
        scopes: resp
            .scopes()
            .map(|s| s.iter().map(|s| s.to_string()).collect())
            .or_else(|| previous.map(|p| p.scopes.clone()))
            .unwrap_or_default(),
    }
}

fn map_request_error<RE: std::error::Error + 'static>(
    e: RequestTokenError<RE, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
) -> OAuthFailure {
    match e {
        RequestTokenError::ServerResponse(resp) => OAuthFailure::Rejected {
            error: resp.error().as_ref().to_owned(),
            description: resp.error_description().cloned(),
        },
        RequestTokenError::Request(e) => OAuthFailure::Unreachable(e.to_string()),
        RequestTokenError::Parse(_, _) => OAuthFailure::Unreachable("unreadable answer".into()),
        RequestTokenError::Other(what) => OAuthFailure::Unreachable(what),
    }
}

async fn exchange_code(
    spec: &OAuthSpec,
    creds: &ClientCredentials,
    redirect: &str,
    code: String,
    verifier: String,
    now: DateTime<Utc>,
) -> std::result::Result<StoredTokens, OAuthFailure> {
    let client = client_for(spec, creds, Some(redirect))?;
    let resp = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&send)
        .await
        .map_err(map_request_error)?;
    Ok(tokens_from(&resp, None, now))
}

async fn refresh_token(
    spec: &OAuthSpec,
    creds: &ClientCredentials,
    refresh: String,
    previous: &StoredTokens,
    now: DateTime<Utc>,
) -> std::result::Result<StoredTokens, OAuthFailure> {
    let client = client_for(spec, creds, None)?;
    let resp = client
        .exchange_refresh_token(&RefreshToken::new(refresh))
        .request_async(&send)
        .await
        .map_err(map_request_error)?;
    Ok(tokens_from(&resp, Some(previous), now))
}
