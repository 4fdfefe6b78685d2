//! What went wrong talking to a network, classified so the scheduler knows
//! whether to retry, refresh the token, wait for a rate window, or give up.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::types::LimitScope;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Connection failed, reset, or the body was cut off. Retry.
    Network,
    /// No answer in time. Retry (after reconciling, if a create was in flight).
    Timeout,
    /// 5xx. Retry.
    Server,
    /// 429 or a platform quota: wait until `retry_at`.
    RateLimited,
    /// The token is invalid, expired or revoked (401): refresh once, then
    /// the account needs reconnecting.
    Auth,
    /// The token lacks a permission (403 for scope): reconnect with the scopes.
    Forbidden,
    /// The platform refused the content (400/403/422): fail, no retry.
    Rejected,
    /// The platform says it is a duplicate: fail, no retry.
    Duplicate,
    /// Something this client could not make sense of.
    Protocol,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct PlatformError {
    pub kind: ErrorKind,
    pub status: Option<u16>,
    /// Stable code for logic and logs, e.g. `rate_limited`, `duplicate_content`.
    pub code: String,
    /// What happened, in words a creator understands.
    pub message: String,
    /// The platform's own reason, for the details line. Never a secret.
    pub detail: Option<String>,
    /// When to try again (rate limits).
    pub retry_at: Option<DateTime<Utc>>,
    /// For a limit that was reached: whose it is. Until `retry_at` nothing
    /// more is sent for that account (or, for the app's limit, for any of
    /// the network's accounts).
    pub limit_scope: LimitScope,
}

impl PlatformError {
    pub fn new(kind: ErrorKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            code: code.into(),
            message: message.into(),
            detail: None,
            retry_at: None,
            limit_scope: LimitScope::Account,
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_retry_at(mut self, at: DateTime<Utc>) -> Self {
        self.retry_at = Some(at);
        self
    }

    /// The limit reached is the app's (all accounts on the network wait).
    pub fn for_app(mut self) -> Self {
        self.limit_scope = LimitScope::App;
        self
    }

    /// Worth trying again later without the user doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Server | ErrorKind::RateLimited
        )
    }

    /// The request may have reached the platform and taken effect.
    pub fn may_have_taken_effect(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Server
        )
    }

    /// A reqwest failure (no HTTP answer, or the answer's body cut off).
    pub fn from_transport(platform: &str, e: &reqwest::Error) -> Self {
        let (kind, code, what) = if e.is_timeout() {
            (ErrorKind::Timeout, "timeout", "did not answer in time")
        } else if e.is_connect() {
            (ErrorKind::Network, "connect_failed", "could not be reached")
        } else if e.is_decode() && caused_by_json(e) {
            (
                ErrorKind::Protocol,
                "bad_response",
                "sent an answer CreatorFlow could not read",
            )
        } else {
            // reqwest also reports a body cut off mid-way (connection reset)
            // as a "decode" error: that is the network, and the request may
            // have taken effect.
            (ErrorKind::Network, "network", "connection was interrupted")
        };
        let message = if kind == ErrorKind::Protocol {
            format!("{platform} {what}.")
        } else {
            format!("{platform} {what}. CreatorFlow will try again.")
        };
        // reqwest's Display can include the URL; URLs here never carry tokens
        // (bearer tokens go in headers), so it is safe as a detail.
        Self::new(kind, code, message).with_detail(e.to_string())
    }

    /// How long to wait before the next try, if the platform said.
    pub fn retry_after(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.retry_at
            .map(|at| (at - now).to_std().unwrap_or(Duration::ZERO))
    }
}

/// Whether a reqwest decode error came from parsing JSON (a real protocol
/// problem) rather than from reading the body (the connection).
fn caused_by_json(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<serde_json::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}
