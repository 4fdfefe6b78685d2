//! Connecting accounts (OAuth 2.0 authorization code + PKCE through the system
//! browser) and keeping their tokens fresh. One callback handler serves the
//! deep link and the loopback listener; every pending flow has a random,
//! single-use `state` that expires.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use creatorflow_platforms::{AccessToken, AuthError, ClientCredentials, RedirectStyle, TokenSet};
use serde::Serialize;
use specta::Type;

use crate::callback::{self, Outcome, Rejection};
use crate::error::{EngineError, ErrorCode, Result};
use crate::model::{Account, AccountId, AccountStatus, Platform};
use crate::notices::{Notice, NoticeKind};
use crate::{ChangeSource, Engine, Entity, accounts};

pub use creatorflow_platforms::auth::random_token;

/// Whether a sign-in is due for renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Renewal {
    NotYet,
    /// Due, and the token is still good for a while: renewing may fail.
    Early,
    /// The token is about to end (or has): renew or reconnect.
    Needed,
}

/// A connect flow is good for this long after the browser was opened.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);
/// Refresh an access token this long before it expires.
pub const REFRESH_AHEAD: Duration = creatorflow_platforms::auth::RENEW_AHEAD;

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
    /// Open `authorize_url` in CreatorFlow's own sign-in window instead of
    /// the browser (the network's desktop flow needs it): what it may load.
    pub login_window: Option<LoginWindow>,
    pub expires_at: DateTime<Utc>,
}

/// A sign-in window: it loads only `hosts` and hands the redirect to
/// `redirect_uri` to [`Engine::handle_window_redirect`] before it loads.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LoginWindow {
    /// `host` or `host:port`.
    pub hosts: Vec<String>,
    pub redirect_uri: String,
}

impl LoginWindow {
    /// Whether the window may load `url`: https on one of its hosts (or
    /// plain http on a loopback host, the sandbox's emulators).
    pub fn may_load(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let with_port = url.port().map(|p| format!("{host}:{p}"));
        let listed = self.hosts.iter().any(|h| {
            h.eq_ignore_ascii_case(host)
                || with_port
                    .as_deref()
                    .is_some_and(|hp| h.eq_ignore_ascii_case(hp))
        });
        let loopback = matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback());
        listed && (url.scheme() == "https" || (url.scheme() == "http" && loopback))
    }

    /// Whether `url` is the sign-in's redirect (to read, never to load).
    pub fn is_redirect(&self, url: &url::Url) -> bool {
        callback::is_redirect_to(url, &self.redirect_uri)
    }
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
    /// A link no sign-in in progress is waiting for (unreadable, an unknown
    /// or used state): stray or forged. It is logged and ignored; a sign-in
    /// that is really in progress keeps waiting.
    pub stray: bool,
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
            stray: false,
        }
    }

    fn stray(mut self) -> Self {
        self.stray = true;
        self
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
        RedirectStyle::Window { uri, .. } => (uri.clone(), None),
    }
}

impl Engine {
    /// The developer-app credentials for `platform`: the sandbox's demo app, or
    /// what the user entered in Settings (kept in the keychain).
    pub async fn client_credentials(&self, platform: Platform) -> Result<ClientCredentials> {
        if let Some(builtin) = self.platforms().builtin_client(platform) {
            return Ok(builtin.clone());
        }
        let needs_secret = self
            .platforms()
            .get(platform)
            .is_some_and(|p| p.authenticator().spec().needs_client_secret);
        match self.vault().client(platform).await? {
            Some(c) if needs_secret && c.client_secret.is_none() => Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                format!(
                    "Add your {} client secret in Settings → Platforms → {} before connecting.",
                    platform.display_name(),
                    platform.display_name()
                ),
            )),
            Some(c) => Ok(ClientCredentials {
                client_id: c.client_id,
                client_secret: c.client_secret,
                product: self.sign_in_product(platform).await?,
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

    /// The sign-in product the creator's developer app for `platform` uses,
    /// where the network has several: their pick in Settings, if the
    /// network offers it, else `None` (the first).
    pub async fn sign_in_product(&self, platform: Platform) -> Result<Option<String>> {
        if let Some(builtin) = self.platforms().builtin_client(platform) {
            return Ok(builtin.product.clone());
        }
        let publisher = self.publisher(platform)?;
        let offered = &publisher.authenticator().spec().products;
        let picked = self
            .settings()
            .await?
            .sign_in_products
            .get(&platform)
            .cloned();
        Ok(picked.filter(|p| offered.iter().any(|o| &o.value == p)))
    }

    /// How `platform` sends the browser back in this run: the redirect the
    /// creator picked in Settings where the network offers several, else its
    /// default (a run may override it, e.g. a loopback port in tests).
    pub async fn redirect_style(&self, platform: Platform) -> Result<RedirectStyle> {
        if let Some(fixed) = self.platforms().redirect_override(platform) {
            return Ok(fixed);
        }
        let publisher = self.publisher(platform)?;
        let chosen = self.settings().await?.redirects.get(&platform).copied();
        Ok(publisher.authenticator().spec().redirect(chosen))
    }

    /// Forgets every pending connect flow of `platform`: a late approval in
    /// the browser then connects nothing.
    pub fn cancel_connect(&self, platform: Platform) -> Result<()> {
        let mut pending = self.auth().pending.lock().map_err(|_| lock_poisoned())?;
        pending.retain(|_, f| f.platform != platform);
        Ok(())
    }

    /// The creator closed the sign-in window before it finished: the flow
    /// is forgotten and the Accounts view is told, in words.
    pub fn abandon_connect(&self, platform: Platform) -> Result<()> {
        let had = {
            let mut pending = self.auth().pending.lock().map_err(|_| lock_poisoned())?;
            let before = pending.len();
            pending.retain(|_, f| f.platform != platform);
            pending.len() != before
        };
        if had {
            let _ = self.auth().outcomes.send(ConnectOutcome {
                platform: Some(platform),
                account_id: None,
                ok: false,
                message: format!(
                    "You closed the {} sign-in window, so nothing was connected.",
                    platform.display_name()
                ),
            });
        }
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
        // No new secret for the same app keeps the saved one; a new app
        // starts without one.
        let kept = match client_secret {
            Some(_) => None,
            None => self
                .vault()
                .client(platform)
                .await?
                .filter(|c| c.client_id == client_id)
                .and_then(|c| c.client_secret),
        };
        let client_secret = client_secret.map(str::to_owned).or(kept);
        self.vault()
            .set_client(
                platform,
                &crate::vault::StoredClient {
                    client_id: client_id.to_owned(),
                    client_secret,
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
        let client = self.client_credentials(platform).await?;
        let style = match (self.redirect_style(platform).await?, loopback_port) {
            (RedirectStyle::Loopback { port: None, path }, Some(bound)) => {
                RedirectStyle::Loopback {
                    port: Some(bound),
                    path,
                }
            }
            (style, _) => style,
        };
        let (redirect, port) = redirect_uri(platform, &style);
        let login_window = match &style {
            RedirectStyle::Window { uri, hosts } => Some(LoginWindow {
                hosts: hosts.clone(),
                redirect_uri: uri.clone(),
            }),
            _ => None,
        };

        let state = random_token(32);
        let authorization = publisher
            .authenticator()
            .authorize(&client, &redirect, &state)
            .map_err(|e| auth_error(platform, e))?;
        let now = self.now();
        let expires_at = now + FLOW_LIFETIME;
        {
            let mut pending = self.auth().pending.lock().map_err(|_| lock_poisoned())?;
            pending.retain(|_, f| f.expires_at > now);
            pending.insert(
                state,
                PendingFlow {
                    platform,
                    verifier: authorization.verifier,
                    redirect_uri: redirect.clone(),
                    client,
                    expires_at,
                },
            );
        }
        tracing::info!(platform = platform.as_str(), "connect flow started");
        Ok(ConnectStart {
            platform,
            authorize_url: authorization.url.to_string(),
            redirect_uri: redirect,
            loopback_port: port,
            login_window,
            expires_at,
        })
    }

    /// The one handler for OAuth callbacks, whatever route they came by.
    /// Refused callbacks are logged (without secrets) and exchange nothing.
    pub async fn handle_callback(&self, raw: &str) -> std::result::Result<Account, CallbackError> {
        let parsed = callback::parse(raw);
        self.settle_callback(parsed).await
    }

    /// The redirect a sign-in window read for `platform` (see [`LoginWindow`]),
    /// handled like any other callback.
    pub async fn handle_window_redirect(
        &self,
        platform: Platform,
        raw: &str,
    ) -> std::result::Result<Account, CallbackError> {
        let parsed = match self.redirect_style(platform).await {
            Ok(RedirectStyle::Window { uri, .. }) => {
                callback::parse_window_redirect(platform, &uri, raw)
            }
            _ => Err(Rejection::WrongTarget),
        };
        self.settle_callback(parsed).await
    }

    async fn settle_callback(
        &self,
        parsed: std::result::Result<callback::Callback, Rejection>,
    ) -> std::result::Result<Account, CallbackError> {
        let result = self.handle_callback_inner(parsed).await;
        let outcome = match &result {
            Ok(account) => ConnectOutcome {
                platform: Some(account.platform),
                account_id: Some(account.id),
                ok: true,
                message: format!(
                    "{} on {} is connected.",
                    account.platform.handle(&account.username),
                    account.platform.display_name()
                ),
            },
            Err(e) if e.stray => {
                // Nobody is waiting for it: a sign-in in progress goes on.
                tracing::warn!(
                    platform = ?e.platform.map(|p| p.as_str()),
                    "ignored a sign-in link: {e}"
                );
                return result;
            }
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
        match self.redirect_style(platform).await? {
            RedirectStyle::DeepLink | RedirectStyle::Window { .. } => {
                self.start_connect(platform, None).await
            }
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
        parsed: std::result::Result<callback::Callback, Rejection>,
    ) -> std::result::Result<Account, CallbackError> {
        let cb = parsed.map_err(|r: Rejection| {
            CallbackError::new(
                None,
                r.to_string(),
                "CreatorFlow received a sign-in link it could not read, so it ignored it.",
            )
            .stray()
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
                "This sign-in link is not one CreatorFlow is waiting for (it may have been used already), so it was ignored.",
            )
            .stray());
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
        let auth = publisher.authenticator();
        let tokens = auth
            .exchange_code(
                &flow.client,
                &flow.redirect_uri,
                &code,
                &flow.verifier,
                self.now(),
            )
            .await
            .map_err(|e| auth_error(platform, e))?;
        let tokens = auth
            .after_exchange(&flow.client, tokens, self.now())
            .await
            .map_err(|e| auth_error(platform, e))?;
        let profiles = publisher
            .profiles(
                &AccessToken::new(tokens.access_token.clone()),
                &tokens.scopes,
            )
            .await
            .map_err(|e| EngineError::invalid(ErrorCode::Platform, e.message))?;
        if profiles.is_empty() {
            return Err(EngineError::invalid(
                ErrorCode::Platform,
                format!(
                    "{} signed you in, but there is no account to publish to on it.",
                    platform.display_name()
                ),
            ));
        }
        let now = self.now();
        let mut ids = Vec::with_capacity(profiles.len());
        for profile in profiles {
            let id = accounts::upsert(
                self.store(),
                &accounts::AccountProfile {
                    platform,
                    platform_user_id: profile.platform_user_id,
                    username: profile.username,
                    display_name: profile.display_name,
                    avatar_url: profile.avatar_url,
                    email: profile.email,
                    scopes: tokens.scopes.clone(),
                    token_expires_at: tokens.expires_at,
                    reauth_by: tokens.lapses_at(),
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
            crate::scheduler::requeue_after_reconnect(self, id, now, window).await?;
            crate::metrics::resume_account(self.store(), id, now).await?;
            ids.push(id);
        }
        self.changes()
            .emit(Entity::Accounts, ids.clone(), ChangeSource::Accounts);
        self.wake_scheduler();
        tracing::info!(
            platform = platform.as_str(),
            accounts = ?ids,
            "account connected"
        );
        accounts::get(self.store(), ids[0]).await
    }

    /// A usable access token for `account`, refreshed first if it expires
    /// within [`REFRESH_AHEAD`]. One refresh in flight per account.
    pub async fn access_token(&self, account: AccountId) -> Result<AccessToken> {
        let lock = self.refresh_lock(account)?;
        let _guard = lock.lock().await;
        let tokens = self.tokens_or_reauth(account).await?;
        match self.renewal(account, &tokens).await? {
            // Still good for a while: renewing early is a courtesy that may
            // fail without harm (the network may find the token too young).
            Renewal::Early => {
                let current = AccessToken::new(tokens.access_token.clone());
                match self.renew_locked(account, tokens, false).await {
                    Ok(renewed) => Ok(renewed),
                    Err(e) => {
                        tracing::warn!(
                            account,
                            "early renewal did not work, the current sign-in is still good: {e}"
                        );
                        Ok(current)
                    }
                }
            }
            Renewal::Needed => self.refresh_locked(account, tokens).await,
            Renewal::NotYet => Ok(AccessToken::new(tokens.access_token)),
        }
    }

    /// Renews `account`'s sign-in now if its network renews it early and the
    /// time has come (Meta's token swap), without ever marking the account:
    /// `true` when it was renewed. For the reconnect reminders.
    pub async fn renew_if_due(&self, account: AccountId) -> Result<bool> {
        let lock = self.refresh_lock(account)?;
        let _guard = lock.lock().await;
        let Some(tokens) = self.vault().tokens(account).await? else {
            return Ok(false);
        };
        if self.renewal(account, &tokens).await? != Renewal::Early {
            return Ok(false);
        }
        Ok(self.renew_locked(account, tokens, false).await.is_ok())
    }

    /// Whether `tokens` are due for renewal now, by their network's rule.
    async fn renewal(&self, account: AccountId, tokens: &TokenSet) -> Result<Renewal> {
        let now = self.now();
        let platform = accounts::get(self.store(), account).await?.platform;
        let renew_at = self.publisher(platform)?.authenticator().renew_at(tokens);
        Ok(match (renew_at, tokens.expires_at) {
            (Some(at), _) if at > now => Renewal::NotYet,
            (None, _) => Renewal::NotYet,
            (Some(_), Some(expires)) if expires - now > REFRESH_AHEAD => Renewal::Early,
            (Some(_), _) => Renewal::Needed,
        })
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

    async fn tokens_or_reauth(&self, account: AccountId) -> Result<TokenSet> {
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
    async fn refresh_locked(&self, account: AccountId, old: TokenSet) -> Result<AccessToken> {
        self.renew_locked(account, old, true).await
    }

    /// Renews with the lock held; `must` says the old token is no longer
    /// usable, so a refusal means the account needs reconnecting.
    async fn renew_locked(
        &self,
        account: AccountId,
        old: TokenSet,
        must: bool,
    ) -> Result<AccessToken> {
        let acc = accounts::get(self.store(), account).await?;
        let publisher = self.publisher(acc.platform)?;
        let auth = publisher.authenticator();
        let client = self.client_credentials(acc.platform).await?;
        match auth.refresh(&client, &old, self.now()).await {
            Ok(new) => {
                self.vault().set_tokens(account, &new).await?;
                accounts::set_token_expiry(
                    self.store(),
                    account,
                    new.expires_at,
                    new.lapses_at(),
                    self.now(),
                )
                .await?;
                self.changes()
                    .emit(Entity::Accounts, vec![account], ChangeSource::Accounts);
                tracing::info!(account, "access token refreshed");
                Ok(AccessToken::new(new.access_token))
            }
            Err(e) if !must => Err(auth_error(acc.platform, e)),
            Err(AuthError::CannotRefresh) => {
                self.mark_needs_reauth(
                    account,
                    &format!(
                        "The sign-in expired and {} gives no way to renew it.",
                        acc.platform.display_name()
                    ),
                )
                .await?;
                Err(needs_reauth_error())
            }
            Err(e @ AuthError::Rejected { .. }) => {
                tracing::warn!(account, "refresh refused: account needs reconnecting ({e})");
                self.mark_needs_reauth(account, &auth.refresh_refused(&e))
                    .await?;
                Err(needs_reauth_error())
            }
            Err(e) => Err(auth_error(acc.platform, e)),
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
                "Reconnect {} on {}",
                acc.platform.handle(&acc.username),
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
        ) && let Err(e) = publisher.authenticator().revoke(&client, &tokens).await
        {
            tracing::warn!(
                account,
                "revoke at the platform failed (the local sign-in is removed anyway): {e}"
            );
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
        crate::scheduler::hold_targets_of(self, account).await?;
        self.changes()
            .emit(Entity::Accounts, vec![account], ChangeSource::User);
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

/// A step of the OAuth flow that failed, as the engine reports it.
pub(crate) fn auth_error(platform: Platform, e: AuthError) -> EngineError {
    let name = platform.display_name();
    match e {
        AuthError::Rejected { error, description } => EngineError::invalid(
            ErrorCode::OAuth,
            format!(
                "{name} refused the sign-in ({}). Try connecting again.",
                description.unwrap_or(error)
            ),
        ),
        AuthError::Unreachable(what) => EngineError::invalid(
            ErrorCode::Platform,
            format!("{name} could not be reached ({what}). Check your connection and try again."),
        ),
        AuthError::CannotRefresh => needs_reauth_error(),
        AuthError::Config(what) => EngineError::Internal(what),
    }
}
