//! The token source a client works with: an account's access token from the
//! keychain, renewed ahead of expiry and after a 401 through the engine's
//! single-flight refresh, kept in memory while a publish runs so a long
//! upload does not read the keychain for every chunk.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use creatorflow_platforms::{AccessToken, ErrorKind, PlatformError, TokenSource};

use crate::Engine;
use crate::auth::REFRESH_AHEAD;
use crate::error::{EngineError, ErrorCode};
use crate::model::AccountId;

/// One account's tokens, for one publish (or check, delete, update).
pub(crate) struct AccountTokens {
    engine: Engine,
    account: AccountId,
    current: tokio::sync::Mutex<Option<(AccessToken, Option<DateTime<Utc>>)>>,
}

impl AccountTokens {
    pub fn new(engine: &Engine, account: AccountId) -> Self {
        Self {
            engine: engine.clone(),
            account,
            current: tokio::sync::Mutex::new(None),
        }
    }

    async fn remember(&self, token: &AccessToken) {
        let expires = self
            .engine
            .vault()
            .tokens(self.account)
            .await
            .ok()
            .flatten()
            .filter(|t| t.access_token == token.secret())
            .and_then(|t| t.expires_at);
        *self.current.lock().await = Some((token.clone(), expires));
    }
}

/// An engine failure as a client sees it: a sign-in that needs the creator
/// is [`ErrorKind::Auth`]; anything else of ours (keychain, database) is
/// worth another try.
fn as_platform_error(e: EngineError) -> PlatformError {
    if e.code() == ErrorCode::OAuth {
        PlatformError::new(ErrorKind::Auth, "needs_reauth", e.user_message())
    } else {
        PlatformError::new(ErrorKind::Network, "internal", e.user_message())
            .with_detail(e.to_string())
    }
}

#[async_trait]
impl TokenSource for AccountTokens {
    async fn token(&self) -> Result<AccessToken, PlatformError> {
        if let Some((token, expires)) = self.current.lock().await.clone()
            && expires.is_none_or(|at| at - self.engine.now() > REFRESH_AHEAD)
        {
            return Ok(token);
        }
        let token = self
            .engine
            .access_token(self.account)
            .await
            .map_err(as_platform_error)?;
        self.remember(&token).await;
        Ok(token)
    }

    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, PlatformError> {
        let token = self
            .engine
            .refresh_after_unauthorized(self.account, rejected)
            .await
            .map_err(as_platform_error)?;
        self.remember(&token).await;
        Ok(token)
    }
}
