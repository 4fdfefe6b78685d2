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

/// Reads go to the keychain once per entry and process: what was read or
/// written is kept in this process's memory (never on disk), and calls to
/// the keychain go one at a time. A burst of publishes over many accounts
/// would otherwise ask the keychain for a token per attempt, dozens a
/// second, and gnome-keyring has been seen to crash under that (and come
/// back empty).
#[derive(Clone)]
pub struct Vault {
    store: Arc<dyn SecretStore>,
    known: Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
    /// One keychain call at a time.
    calls: Arc<std::sync::Mutex<()>>,
}

impl Vault {
    pub fn new(store: Arc<dyn SecretStore>) -> Self {
        Self {
            store,
            known: Arc::default(),
            calls: Arc::default(),
        }
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

    fn remembered(&self, key: &str) -> Option<String> {
        self.known.lock().ok()?.get(key).cloned()
    }

    fn remember(&self, key: &str, value: Option<&str>) {
        if let Ok(mut known) = self.known.lock() {
            match value {
                Some(v) => known.insert(key.to_owned(), v.to_owned()),
                None => known.remove(key),
            };
        }
    }

    // The keychain talks D-Bus synchronously: keep it off the async workers.
    async fn blocking<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.store.clone();
        let calls = self.calls.clone();
        tokio::task::spawn_blocking(move || {
            let _one_at_a_time = calls.lock().map_err(|_| poisoned())?;
            call(store.as_ref())
        })
        .await
        .map_err(|e| EngineError::Internal(e.to_string()))?
    }

    async fn blocking_get(&self, key: String) -> Result<Option<String>> {
        if let Some(v) = self.remembered(&key) {
            return Ok(Some(v));
        }
        let k = key.clone();
        let value = self.blocking(move |s| s.get(&k)).await?;
        if let Some(v) = &value {
            self.remember(&key, Some(v));
        }
        Ok(value)
    }

    async fn blocking_set(&self, key: String, value: String) -> Result<()> {
        // Forgotten first: if the write fails, the next read asks the keychain.
        self.remember(&key, None);
        let (k, v) = (key.clone(), value.clone());
        self.blocking(move |s| s.set(&k, &v)).await?;
        self.remember(&key, Some(&value));
        Ok(())
    }

    async fn blocking_delete(&self, key: String) -> Result<()> {
        self.remember(&key, None);
        let k = key.clone();
        self.blocking(move |s| s.delete(&k)).await
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

    /// A store that counts the reads reaching it.
    #[derive(Default)]
    struct Counting(MemoryStore, std::sync::atomic::AtomicUsize);

    impl SecretStore for Counting {
        fn get(&self, key: &str) -> Result<Option<String>> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.0.get(key)
        }
        fn set(&self, key: &str, value: &str) -> Result<()> {
            self.0.set(key, value)
        }
        fn delete(&self, key: &str) -> Result<()> {
            self.0.delete(key)
        }
    }

    #[tokio::test]
    async fn the_keychain_is_read_once_per_entry_and_writes_are_seen() {
        let store = Arc::new(Counting::default());
        let vault = Vault::new(store.clone());
        let reads = || store.1.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(vault.media_host_secret().await.expect("get"), None);
        assert_eq!(vault.media_host_secret().await.expect("get"), None);
        assert_eq!(reads(), 2, "an absent entry is asked for again");
        store
            .0
            .set(Vault::MEDIA_HOST_SECRET_KEY, "one")
            .expect("set");
        for _ in 0..3 {
            assert_eq!(
                vault.media_host_secret().await.expect("get").as_deref(),
                Some("one")
            );
        }
        assert_eq!(reads(), 3, "read once, then remembered");
        vault.set_media_host_secret("two").await.expect("set");
        assert_eq!(
            vault.media_host_secret().await.expect("get").as_deref(),
            Some("two")
        );
        assert_eq!(reads(), 3, "a write is remembered as written");
        vault.delete_media_host_secret().await.expect("delete");
        assert_eq!(vault.media_host_secret().await.expect("get"), None);
        assert_eq!(reads(), 4, "a deleted entry is not remembered");
    }
}
