//! The vault: tokens and client credentials live in the OS keychain (Secret
//! Service on Linux, Keychain on macOS, Credential Manager on Windows), never
//! in SQLite, logs or the webview. Keys derive from the account id.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{EngineError, Result};
use crate::model::{AccountId, Platform};

/// The keychain entries of one app instance (`service`), e.g.
/// `app.creatorflow.desktop` (or `...desktop.sandbox` in sandbox mode).
pub trait SecretStore: Send + Sync + 'static {
    fn get(&self, key: &str) -> Result<Option<String>>;
    fn set(&self, key: &str, value: &str) -> Result<()>;
    fn delete(&self, key: &str) -> Result<()>;
}

/// The OS keychain through the `keyring` crate.
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, key).map_err(keychain_error)
    }
}

fn keychain_error(e: keyring::Error) -> EngineError {
    // keyring's errors describe the store, never the secret.
    EngineError::Keychain(e.to_string())
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.entry(key)?.set_password(value).map_err(keychain_error)
    }

    fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// An account's tokens as kept in the keychain (one JSON entry, so the access
/// and refresh tokens always change together).
pub type StoredTokens = creatorflow_platforms::TokenSet;

/// Client credentials the user entered for a platform's developer app.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredClient {
    pub client_id: String,
    pub client_secret: Option<String>,
}

impl fmt::Debug for StoredClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredClient")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

#[derive(Clone)]
pub struct Vault {
    store: Arc<dyn SecretStore>,
}

impl Vault {
    pub fn new(store: Arc<dyn SecretStore>) -> Self {
        Self { store }
    }

    /// The OS keychain under `service`.
    pub fn keychain(service: &str) -> Self {
        Self::new(Arc::new(KeyringStore::new(service)))
    }

    pub fn token_key(account: AccountId) -> String {
        format!("account-{account}-tokens")
    }

    pub fn client_key(platform: Platform) -> String {
        format!("client-{}", platform.as_str())
    }

    pub async fn tokens(&self, account: AccountId) -> Result<Option<StoredTokens>> {
        let raw = self.blocking_get(Self::token_key(account)).await?;
        raw.map(|raw| {
            serde_json::from_str(&raw)
                .map_err(|_| EngineError::Keychain("a keychain entry could not be read".into()))
        })
        .transpose()
    }

    pub async fn set_tokens(&self, account: AccountId, tokens: &StoredTokens) -> Result<()> {
        let raw =
            serde_json::to_string(tokens).map_err(|e| EngineError::Internal(e.to_string()))?;
        self.blocking_set(Self::token_key(account), raw).await
    }

    pub async fn delete_tokens(&self, account: AccountId) -> Result<()> {
        self.blocking_delete(Self::token_key(account)).await
    }

    pub async fn client(&self, platform: Platform) -> Result<Option<StoredClient>> {
        let raw = self.blocking_get(Self::client_key(platform)).await?;
        raw.map(|raw| {
            serde_json::from_str(&raw)
                .map_err(|_| EngineError::Keychain("a keychain entry could not be read".into()))
        })
        .transpose()
    }

    pub async fn set_client(&self, platform: Platform, client: &StoredClient) -> Result<()> {
        let raw =
            serde_json::to_string(client).map_err(|e| EngineError::Internal(e.to_string()))?;
        self.blocking_set(Self::client_key(platform), raw).await
    }

    pub async fn delete_client(&self, platform: Platform) -> Result<()> {
        self.blocking_delete(Self::client_key(platform)).await
    }

    /// The keychain entry of the media host's secret access key.
    pub const MEDIA_HOST_SECRET_KEY: &'static str = "media-host-secret";

    /// The secret access key of the creator's media host (S3-compatible).
    pub async fn media_host_secret(&self) -> Result<Option<String>> {
        self.blocking_get(Self::MEDIA_HOST_SECRET_KEY.to_owned())
            .await
    }

    pub async fn set_media_host_secret(&self, secret: &str) -> Result<()> {
        self.blocking_set(Self::MEDIA_HOST_SECRET_KEY.to_owned(), secret.to_owned())
            .await
    }

    pub async fn delete_media_host_secret(&self) -> Result<()> {
        self.blocking_delete(Self::MEDIA_HOST_SECRET_KEY.to_owned())
            .await
    }

    // The keychain talks D-Bus synchronously: keep it off the async workers.
    async fn blocking_get(&self, key: String) -> Result<Option<String>> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.get(&key))
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))?
    }

    async fn blocking_set(&self, key: String, value: String) -> Result<()> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.set(&key, &value))
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))?
    }

    async fn blocking_delete(&self, key: String) -> Result<()> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.delete(&key))
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))?
    }
}

/// A store in memory, for unit tests of logic only (integration tests use the
/// real keychain).
#[derive(Default)]
pub struct MemoryStore(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl SecretStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.0.lock().map_err(|_| poisoned())?.get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.0
            .lock()
            .map_err(|_| poisoned())?
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<()> {
        self.0.lock().map_err(|_| poisoned())?.remove(key);
        Ok(())
    }
}

fn poisoned() -> EngineError {
    EngineError::Internal("secret store lock poisoned".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secrets() {
        let t = StoredTokens {
            access_token: "AT-very-secret".into(),
            refresh_token: Some("RT-very-secret".into()),
            expires_at: None,
            refresh_expires_at: None,
            scopes: vec!["tweet.write".into()],
            issued_at: None,
        };
        let c = StoredClient {
            client_id: "id".into(),
            client_secret: Some("shh-secret".into()),
        };
        let out = format!("{t:?} {c:?}");
        assert!(
            !out.contains("very-secret") && !out.contains("shh"),
            "{out}"
        );
        assert!(out.contains("tweet.write") && out.contains("id"));
    }
}
