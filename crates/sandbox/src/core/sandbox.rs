//! [`Sandbox`]: the shared handle every handler gets as axum state, and the
//! in-process control API (the HTTP control API calls these same methods).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use url::Url;

use super::faults::{self, FaultSpec, PendingFault};
use super::oauth::{ClientType, IssuedTokens, OAuthClient, OAuthStore, RedirectMatch};
use super::platform::PlatformModule;
use super::ratelimit::{Limit, WindowKind, WindowState};
use super::received::ReceivedPost;
use super::reqlog::{MAX_RECORDS, RequestRecord};
use super::state::{self, ConsentMode, SandboxState};

/// An error of the control API. Sent over HTTP as `{"error": "..."}` with a 4xx.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("unknown platform {0:?}")]
    UnknownPlatform(String),
    #[error("unknown account {1:?} on platform {0:?}")]
    UnknownAccount(String, String),
    #[error("unknown client {1:?} on platform {0:?}")]
    UnknownClient(String, String),
    #[error("{0}")]
    Invalid(String),
}

impl ControlError {
    /// The HTTP status the control API answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::UnknownPlatform(_) | Self::UnknownAccount(..) | Self::UnknownClient(..) => 404,
            Self::Invalid(_) => 400,
        }
    }
}

/// The emulated clock (`GET /_sandbox/clock`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockInfo {
    pub now: DateTime<Utc>,
    /// Unix epoch seconds of `now`.
    pub now_epoch: i64,
    pub offset_secs: i64,
}

/// An account as the control API lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub platform: String,
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// Absolute URL of its avatar, served by the sandbox.
    pub profile_image_url: String,
    /// Live access tokens.
    pub live_access_tokens: usize,
    /// Usable refresh tokens.
    pub live_refresh_tokens: usize,
    /// Whether the account has any live token (the app is "connected").
    pub connected: bool,
}

/// `POST /_sandbox/accounts/{platform}/{id}/revoke` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeSummary {
    pub platform: String,
    pub account_id: String,
    /// Tokens that were live and are now revoked.
    pub revoked_tokens: usize,
}

/// A client to register (`POST /_sandbox/clients`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRegistration {
    pub platform: String,
    pub client_id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `public` or `confidential`.
    #[serde(rename = "type")]
    pub client_type: ClientType,
    #[serde(default)]
    pub client_secret: Option<String>,
    pub redirect_uris: Vec<String>,
    /// `exact` (default) or `loopback_any_port`.
    #[serde(default)]
    pub redirect_match: Option<RedirectMatch>,
}

/// A limit override (`POST /_sandbox/quotas`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaSpec {
    pub platform: String,
    /// The platform's limit name, e.g. `"POST /2/tweets"` (see the README).
    pub name: String,
    pub limit: u64,
    /// Window length. Ignored if `daily_utc`. Absent (and `daily_utc` false): the
    /// platform's usual window (midnight UTC for LinkedIn), else 900 s.
    #[serde(default)]
    pub window_secs: Option<i64>,
    /// Window resets at midnight UTC instead.
    #[serde(default)]
    pub daily_utc: bool,
}

/// A limit override in force, or a limit with live counters (`GET /_sandbox/quotas`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaInfo {
    pub platform: String,
    pub name: String,
    pub limit: Limit,
    /// Set by `POST /_sandbox/quotas` (else the platform's default limit).
    #[serde(default)]
    pub overridden: bool,
    /// The counters of this limit still running on the emulated clock, one per
    /// subject (`member:<id>`, `app:<client id>` ...), with `used` and `resets_at`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<WindowState>,
}

/// `POST /_sandbox/tokens`: mint tokens for an account without the OAuth dance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    pub platform: String,
    pub account_id: String,
    /// Default: the platform's first seeded client.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Default: the platform's default scopes.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// Runtime pieces shared by handlers.
pub(crate) struct Inner {
    pub(crate) state: Mutex<SandboxState>,
    pub(crate) platforms: Vec<Arc<dyn PlatformModule>>,
    pub(crate) base_url: Url,
    pub(crate) state_file: Option<PathBuf>,
    pub(crate) initial_consent: ConsentMode,
    pub(crate) dirty: Notify,
    /// Serialises state-file writes (snapshot + write + rename).
    pub(crate) write_lock: tokio::sync::Mutex<()>,
    pub(crate) shutdown: watch::Sender<bool>,
}

/// The shared sandbox: axum state of every handler and the in-process control API.
/// Cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.inner.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    // ----- access for platform modules -------------------------------------------------

    /// Runs `f` with the state locked, then schedules a save. Never `.await` inside.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut SandboxState) -> R) -> R {
        let r = f(&mut self.lock());
        self.mark_dirty();
        r
    }

    /// Runs `f` with the state locked, read-only (no save scheduled).
    pub fn read_state<R>(&self, f: impl FnOnce(&SandboxState) -> R) -> R {
        f(&self.lock())
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, SandboxState> {
        // A panic while holding the lock must not take the whole sandbox down.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Schedules a (debounced) save of the state file.
    pub fn mark_dirty(&self) {
        if self.inner.state_file.is_some() {
            self.inner.dirty.notify_one();
        }
    }

    /// The emulated clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().now()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> Url {
        self.inner.base_url.clone()
    }

    /// Absolute URL of a sandbox path (`/x/2/tweets`).
    pub fn url(&self, path: &str) -> Url {
        self.inner
            .base_url
            .join(path.trim_start_matches('/'))
            .unwrap_or_else(|_| self.inner.base_url.clone())
    }

    /// The registered platform modules.
    pub fn platforms(&self) -> &[Arc<dyn PlatformModule>] {
        &self.inner.platforms
    }

    /// The module of a platform id.
    pub fn platform(&self, id: &str) -> Option<Arc<dyn PlatformModule>> {
        self.inner.platforms.iter().find(|p| p.id() == id).cloned()
    }

    /// The module whose prefix covers `path`.
    pub fn platform_for_path(&self, path: &str) -> Option<Arc<dyn PlatformModule>> {
        self.inner
            .platforms
            .iter()
            .find(|p| {
                let pre = p.prefix();
                path == pre
                    || path
                        .strip_prefix(pre)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .cloned()
    }

    /// A receiver that turns `true` when the sandbox shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    fn require_platform(&self, id: &str) -> Result<Arc<dyn PlatformModule>, ControlError> {
        self.platform(id)
            .ok_or_else(|| ControlError::UnknownPlatform(id.to_string()))
    }

    // ----- in-process control API (same functions as /_sandbox/...) --------------------

    /// Posts received, oldest first, optionally for one platform.
    pub fn received(&self, platform: Option<&str>) -> Vec<ReceivedPost> {
        let st = self.lock();
        let mut out: Vec<ReceivedPost> = st
            .platforms
            .iter()
            .filter(|(id, _)| platform.is_none_or(|p| p == id.as_str()))
            .flat_map(|(_, c)| c.received.iter().cloned())
            .collect();
        out.sort_by_key(|p| p.created_at);
        out
    }

    /// Requests served, oldest first, optionally for one platform.
    pub fn requests(&self, platform: Option<&str>) -> Vec<RequestRecord> {
        self.lock()
            .requests
            .iter()
            .filter(|r| platform.is_none_or(|p| p == r.platform))
            .cloned()
            .collect()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    /// Adds a fault rule.
    pub fn inject_fault(&self, spec: FaultSpec) -> Result<PendingFault, ControlError> {
        faults::validate(&spec).map_err(ControlError::Invalid)?;
        let mut st = self.lock();
        st.next_fault_id += 1;
        let f = PendingFault {
            id: st.next_fault_id,
            method: spec.method.map(|m| m.to_ascii_uppercase()),
            path: spec.path,
            remaining: spec.count,
            chance: spec.chance,
            fault: spec.fault,
        };
        st.faults.push(f.clone());
        Ok(f)
    }

    /// Fault rules still pending.
    pub fn faults(&self) -> Vec<PendingFault> {
        self.lock().faults.clone()
    }

    /// Removes every pending fault rule. Returns how many there were.
    pub fn clear_faults(&self) -> usize {
        let mut st = self.lock();
        let n = st.faults.len();
        st.faults.clear();
        n
    }

    /// Takes one use of the first fault matching the request (a rule with a
    /// chance matches when its dice say so).
    pub(crate) fn take_fault(&self, method: &str, path: &str) -> Option<super::faults::Fault> {
        let mut st = self.lock();
        let idx = st.faults.iter().position(|f| {
            f.matches(method, path) && f.chance.is_none_or(|c| rand::random::<f64>() < c)
        })?;
        let fault = st.faults[idx].fault.clone();
        st.faults[idx].remaining -= 1;
        if st.faults[idx].remaining == 0 {
            st.faults.remove(idx);
        }
        Some(fault)
    }

    /// The emulated clock.
    pub fn clock(&self) -> ClockInfo {
        clock_info(&self.lock())
    }

    /// Moves the emulated clock forward (or back, with a negative value).
    pub fn advance_clock(&self, seconds: i64) -> ClockInfo {
        self.with_state(|st| {
            st.clock_offset_ms = st
                .clock_offset_ms
                .saturating_add(seconds.saturating_mul(1000));
            clock_info(st)
        })
    }

    /// Accounts, optionally of one platform.
    pub fn accounts(&self, platform: Option<&str>) -> Result<Vec<AccountInfo>, ControlError> {
        if let Some(p) = platform {
            self.require_platform(p)?;
        }
        let st = self.lock();
        let now = st.now();
        let mut out = Vec::new();
        for p in self.platforms() {
            if platform.is_some_and(|want| want != p.id()) {
                continue;
            }
            let Some(core) = st.core_ref(p.id()) else {
                continue;
            };
            for a in &core.accounts {
                let live_access_tokens = core.oauth.live_access_tokens(&a.id, now);
                let live_refresh_tokens = core.oauth.live_refresh_tokens(&a.id, now);
                out.push(AccountInfo {
                    platform: p.id().to_string(),
                    id: a.id.clone(),
                    username: a.username.clone(),
                    display_name: a.display_name.clone(),
                    profile_image_url: self.url(&a.avatar_path(p.id())).to_string(),
                    live_access_tokens,
                    live_refresh_tokens,
                    connected: live_access_tokens + live_refresh_tokens > 0,
                });
            }
        }
        Ok(out)
    }

    /// Adds an account to a platform, for tests and benchmarks that need more
    /// than the seeded ones (in-process only). An id that exists is left as
    /// it is.
    pub fn add_account(
        &self,
        platform: &str,
        id: &str,
        username: &str,
        name: &str,
    ) -> Result<(), ControlError> {
        self.require_platform(platform)?;
        self.with_state(|st| {
            let core = st.core(platform);
            if core.account(id).is_none() {
                core.accounts
                    .push(super::platform::Account::new(id, username, name));
            }
        });
        Ok(())
    }

    /// Revokes every token of an account: its API calls then get the platform's 401.
    pub fn revoke_account(
        &self,
        platform: &str,
        account_id: &str,
    ) -> Result<RevokeSummary, ControlError> {
        self.require_platform(platform)?;
        self.with_state(|st| {
            let core = st.core(platform);
            if core.account(account_id).is_none() {
                return Err(ControlError::UnknownAccount(
                    platform.to_string(),
                    account_id.to_string(),
                ));
            }
            let n = core.oauth.revoke_account(account_id);
            Ok(RevokeSummary {
                platform: platform.to_string(),
                account_id: account_id.to_string(),
                revoked_tokens: n,
            })
        })
    }

    /// Overrides a limit/quota of a platform and restarts its windows.
    pub fn set_quota(&self, spec: QuotaSpec) -> Result<QuotaInfo, ControlError> {
        let module = self.require_platform(&spec.platform)?;
        if spec.name.trim().is_empty() {
            return Err(ControlError::Invalid("name must not be empty".into()));
        }
        let platform_default = module.default_quota_window();
        let window = if spec.daily_utc {
            WindowKind::DailyUtc
        } else if let (None, Some(w)) = (spec.window_secs, platform_default) {
            w
        } else {
            let secs = spec.window_secs.unwrap_or(900);
            if secs <= 0 {
                return Err(ControlError::Invalid("window_secs must be > 0".into()));
            }
            WindowKind::Fixed { secs }
        };
        let limit = Limit {
            limit: spec.limit,
            window,
        };
        self.with_state(|st| {
            st.core(&spec.platform).rate.set_override(&spec.name, limit);
        });
        Ok(QuotaInfo {
            platform: spec.platform,
            name: spec.name,
            limit,
            overridden: true,
            windows: Vec::new(),
        })
    }

    /// Limit overrides in force, and every limit with a live counter (used,
    /// remaining, reset time on the emulated clock).
    pub fn quotas(&self) -> Vec<QuotaInfo> {
        let st = self.lock();
        let now = st.now();
        let mut out = Vec::new();
        for (p, c) in &st.platforms {
            let mut windows: std::collections::BTreeMap<String, Vec<WindowState>> =
                std::collections::BTreeMap::new();
            for w in c.rate.window_states(now) {
                windows.entry(w.name.clone()).or_default().push(w);
            }
            for (name, limit) in c.rate.overrides() {
                out.push(QuotaInfo {
                    platform: p.clone(),
                    name: name.clone(),
                    limit: *limit,
                    overridden: true,
                    windows: windows.remove(name).unwrap_or_default(),
                });
            }
            for (name, ws) in windows {
                let Some(limit) = ws.iter().find_map(|w| w.limit) else {
                    continue;
                };
                out.push(QuotaInfo {
                    platform: p.clone(),
                    name,
                    limit,
                    overridden: false,
                    windows: ws,
                });
            }
        }
        out
    }

    /// Sets what the authorize endpoints do.
    pub fn set_consent(&self, mode: ConsentMode) {
        self.with_state(|st| st.consent = mode);
    }

    /// The consent mode in force.
    pub fn consent(&self) -> ConsentMode {
        self.lock().consent.clone()
    }

    /// Registers (or replaces) an OAuth client.
    pub fn register_client(&self, reg: ClientRegistration) -> Result<OAuthClient, ControlError> {
        self.require_platform(&reg.platform)?;
        if reg.client_id.trim().is_empty() {
            return Err(ControlError::Invalid("client_id must not be empty".into()));
        }
        if reg.redirect_uris.is_empty() {
            return Err(ControlError::Invalid(
                "redirect_uris must list at least one URI".into(),
            ));
        }
        for u in &reg.redirect_uris {
            // A wildcard port (`http://127.0.0.1:*/cb`, TikTok desktop) is allowed.
            if Url::parse(u).is_err() && Url::parse(&u.replacen(":*", ":1", 1)).is_err() {
                return Err(ControlError::Invalid(format!(
                    "redirect URI {u:?} is not an absolute URI"
                )));
            }
        }
        let secret = match (reg.client_type, reg.client_secret) {
            (ClientType::Confidential, None) => {
                return Err(ControlError::Invalid(
                    "a confidential client needs a client_secret".into(),
                ));
            }
            (ClientType::Confidential, Some(s)) => Some(s),
            (ClientType::Public, s) => s,
        };
        let client = OAuthClient {
            name: reg.name.unwrap_or_else(|| reg.client_id.clone()),
            client_id: reg.client_id,
            client_type: reg.client_type,
            client_secret: secret,
            redirect_uris: reg.redirect_uris,
            redirect_match: reg.redirect_match.unwrap_or_default(),
        };
        self.with_state(|st| st.core(&reg.platform).add_client(client.clone()));
        Ok(client)
    }

    /// Registered clients of a platform.
    pub fn clients(&self, platform: &str) -> Result<Vec<OAuthClient>, ControlError> {
        self.require_platform(platform)?;
        Ok(self
            .lock()
            .core_ref(platform)
            .map(|c| c.clients.values().cloned().collect())
            .unwrap_or_default())
    }

    /// Mints tokens for an account as if it had gone through the OAuth flow.
    pub fn issue_tokens(&self, req: TokenRequest) -> Result<IssuedTokens, ControlError> {
        let module = self.require_platform(&req.platform)?;
        let scopes = req.scopes.unwrap_or_else(|| module.default_scopes());
        self.with_state(|st| {
            let now = st.now();
            let policy = module.token_policy_in(st);
            let core = st.core(&req.platform);
            if core.account(&req.account_id).is_none() {
                return Err(ControlError::UnknownAccount(
                    req.platform.clone(),
                    req.account_id.clone(),
                ));
            }
            let client_id = match req.client_id {
                Some(c) if core.client(&c).is_some() => c,
                Some(c) => return Err(ControlError::UnknownClient(req.platform.clone(), c)),
                // The demo app the app itself signs in with, else the first client.
                None => crate::demo_clients()
                    .into_iter()
                    .find(|d| d.platform == req.platform)
                    .map(|d| d.client_id.to_owned())
                    .filter(|id| core.client(id).is_some())
                    .or_else(|| core.clients.keys().next().cloned())
                    .ok_or_else(|| ControlError::Invalid("platform has no client".into()))?,
            };
            let family = OAuthStore::new_family();
            Ok(core.oauth.issue_tokens(
                &client_id,
                &req.account_id,
                &scopes,
                &family,
                true,
                &policy,
                now,
            ))
        })
    }

    /// Platform tunables.
    pub fn platform_settings(&self, platform: &str) -> Result<serde_json::Value, ControlError> {
        let m = self.require_platform(platform)?;
        Ok(m.settings(&self.lock()))
    }

    /// Merges a patch into platform tunables; returns the new settings.
    pub fn update_platform_settings(
        &self,
        platform: &str,
        patch: serde_json::Value,
    ) -> Result<serde_json::Value, ControlError> {
        let m = self.require_platform(platform)?;
        self.with_state(|st| {
            m.update_settings(st, patch)
                .map_err(ControlError::Invalid)?;
            Ok(m.settings(st))
        })
    }

    /// Back to a freshly seeded state: clock, tokens, posts, clients, limits, faults
    /// and the request log are all reset; the consent mode returns to the configured one.
    pub fn reset(&self) {
        let fresh = SandboxState::fresh(&self.inner.platforms, self.inner.initial_consent.clone());
        self.with_state(|st| *st = fresh);
    }

    /// Writes the state file now (no-op without one).
    pub async fn persist(&self) -> Result<(), std::io::Error> {
        let Some(path) = self.inner.state_file.clone() else {
            return Ok(());
        };
        let _writing = self.inner.write_lock.lock().await;
        let bytes = {
            let st = self.lock();
            st.to_json().map_err(std::io::Error::other)?
        };
        tokio::task::spawn_blocking(move || state::write_atomic(&path, &bytes))
            .await
            .map_err(std::io::Error::other)?
    }

    // ----- request log (used by the middleware) -----------------------------------------

    pub(crate) fn log_start(
        &self,
        platform: &str,
        method: &str,
        path: &str,
        query: Option<String>,
    ) -> u64 {
        let mut st = self.lock();
        st.next_request_id += 1;
        let id = st.next_request_id;
        let at = st.now();
        st.requests.push_back(RequestRecord {
            id,
            at,
            platform: platform.to_string(),
            method: method.to_string(),
            path: path.to_string(),
            query,
            status: None,
            fault: None,
            duration_ms: None,
        });
        while st.requests.len() > MAX_RECORDS {
            st.requests.pop_front();
        }
        id
    }

    pub(crate) fn log_update(
        &self,
        id: u64,
        status: Option<u16>,
        fault: Option<&str>,
        duration_ms: Option<u64>,
    ) {
        let mut st = self.lock();
        if let Some(r) = st.requests.iter_mut().rev().find(|r| r.id == id) {
            if status.is_some() {
                r.status = status;
            }
            if let Some(f) = fault {
                r.fault = Some(f.to_string());
            }
            if duration_ms.is_some() {
                r.duration_ms = duration_ms;
            }
        }
    }
}

fn clock_info(st: &SandboxState) -> ClockInfo {
    let now = st.now();
    ClockInfo {
        now,
        now_epoch: now.timestamp(),
        offset_secs: Duration::milliseconds(st.clock_offset_ms).num_seconds(),
    }
}
