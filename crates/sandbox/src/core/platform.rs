//! The trait every emulated platform implements, and the per-platform part of
//! the state that the core manages for it (accounts, clients, tokens, received
//! posts, rate windows).

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::oauth::{ClientType, OAuthClient, OAuthStore, RedirectMatch, TokenPolicy};
use super::ratelimit::RateLimiter;
use super::received::ReceivedPost;
use super::sandbox::Sandbox;
use super::state::SandboxState;

/// A demo account of an emulated platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The platform's user id (X: numeric string; LinkedIn: `sub`; ...).
    pub id: String,
    /// Handle without `@`.
    pub username: String,
    pub display_name: String,
    /// Free-form platform extras (LinkedIn `locale`, Meta page ids, ...).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub extra: serde_json::Value,
}

impl Account {
    pub fn new(id: &str, username: &str, display_name: &str) -> Self {
        Self {
            id: id.to_string(),
            username: username.to_string(),
            display_name: display_name.to_string(),
            extra: serde_json::Value::Null,
        }
    }

    /// Path (below the base URL) of the generated avatar of this account.
    pub fn avatar_path(&self, platform: &str) -> String {
        format!("/_sandbox/avatar/{platform}/{}.svg", self.id)
    }
}

/// Core-managed state of one platform. Platform-specific state (tweets, media
/// sessions, containers ...) lives in a typed field of [`SandboxState`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PlatformCore {
    pub accounts: Vec<Account>,
    pub clients: std::collections::BTreeMap<String, OAuthClient>,
    pub oauth: OAuthStore,
    /// Posts the platform accepted, oldest first.
    pub received: Vec<ReceivedPost>,
    pub rate: RateLimiter,
}

/// One seeded OAuth client of an emulated platform (see `PlatformCore::seed_client`).
pub struct SeedClient<'a> {
    pub id: &'a str,
    /// The app name shown on the consent page.
    pub name: &'a str,
    pub client_type: ClientType,
    pub secret: Option<&'a str>,
    pub redirect_uris: &'a [&'a str],
    pub redirect_match: RedirectMatch,
}

impl PlatformCore {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub fn client(&self, id: &str) -> Option<&OAuthClient> {
        self.clients.get(id)
    }

    /// Adds (or replaces) a client.
    pub fn add_client(&mut self, client: OAuthClient) {
        self.clients.insert(client.client_id.clone(), client);
    }

    /// Registers one of the platform's seeded clients unless a client with
    /// that id exists already (a persisted state keeps its own).
    pub fn seed_client(&mut self, seed: SeedClient<'_>) {
        if self.client(seed.id).is_none() {
            self.add_client(OAuthClient {
                client_id: seed.id.into(),
                name: seed.name.into(),
                client_type: seed.client_type,
                client_secret: seed.secret.map(Into::into),
                redirect_uris: seed.redirect_uris.iter().map(|s| s.to_string()).collect(),
                redirect_match: seed.redirect_match,
            });
        }
    }

    /// Records a post the platform accepted (shows in `/_sandbox/received` and on `/`).
    pub fn record_post(&mut self, post: ReceivedPost) {
        self.received.push(post);
    }

    /// Marks a received post deleted.
    pub fn mark_deleted(&mut self, remote_id: &str, at: chrono::DateTime<chrono::Utc>) -> bool {
        match self.received.iter_mut().find(|p| p.remote_id == remote_id) {
            Some(p) => {
                p.deleted = true;
                p.deleted_at = Some(at);
                true
            }
            None => false,
        }
    }
}

/// One emulated platform. See the crate README, "Adding a platform module".
pub trait PlatformModule: Send + Sync + 'static {
    /// Short id used in the state, the control API and the request log: `"x"`.
    fn id(&self) -> &'static str;
    /// Human name for the status page: `"X (Twitter)"`.
    fn display_name(&self) -> &'static str;
    /// Path prefix its routes live under: `"/x"`. Below it, paths are the real ones.
    fn prefix(&self) -> &'static str;
    /// The real hosts the prefix stands for (documentation and status page).
    fn hosts(&self) -> &'static [&'static str];
    /// Seeds demo accounts and default clients into a fresh core state. Also called
    /// after loading a state file, so it must only add what is missing.
    fn seed(&self, core: &mut PlatformCore);
    /// Routes, with the real platform paths (the core nests them under `prefix`).
    fn router(&self) -> Router<Sandbox>;
    /// The platform's own error body for `status` (used for injected `status`
    /// faults without a body, unknown paths, 405s and extractor rejections).
    fn error_response(&self, status: StatusCode, message: &str) -> Response;
    /// The platform's own 429 (headers and body), for `rate_limit` faults.
    /// `reset_at` and `now` are Unix epoch seconds on the emulated clock.
    fn rate_limited_response(&self, limit: u64, reset_at: i64, now: i64) -> Response;
    /// How tokens are issued for this platform (used by `POST /_sandbox/tokens`).
    fn token_policy(&self) -> TokenPolicy;
    /// The token policy in force given the platform's settings (TikTok's lifetime
    /// profile). Defaults to [`token_policy`](Self::token_policy).
    fn token_policy_in(&self, _state: &SandboxState) -> TokenPolicy {
        self.token_policy()
    }
    /// The window a `POST /_sandbox/quotas` override gets when it names neither
    /// `window_secs` nor `daily_utc` (`None` = 900-second fixed windows).
    fn default_quota_window(&self) -> Option<super::ratelimit::WindowKind> {
        None
    }
    /// Scopes granted by `POST /_sandbox/tokens` when the caller names none.
    fn default_scopes(&self) -> Vec<String>;
    /// Platform-specific tunables as JSON (`GET /_sandbox/settings/{platform}`).
    fn settings(&self, _state: &SandboxState) -> serde_json::Value {
        serde_json::Value::Null
    }
    /// Merges a JSON patch into the tunables (`POST /_sandbox/settings/{platform}`).
    fn update_settings(
        &self,
        _state: &mut SandboxState,
        _patch: serde_json::Value,
    ) -> Result<(), String> {
        Err(format!("{} has no settings", self.id()))
    }
}
