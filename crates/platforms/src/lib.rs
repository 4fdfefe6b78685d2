//! CreatorFlow's clients for the networks it publishes to, behind one trait,
//! and their content rules. HTTP via reqwest; every base URL is injectable so
//! the same code talks to the real platforms and to the local sandbox.
//! No database, no Tauri.

pub mod error;
pub mod http;
pub mod text;
pub mod types;
pub mod x;

pub use error::{ErrorKind, PlatformError};
pub use types::*;

use async_trait::async_trait;

/// One network's client. Implementations are cheap to clone and hold no
/// tokens: every call gets the access token it should use.
#[async_trait]
pub trait Publisher: Send + Sync {
    fn platform(&self) -> Platform;

    /// Where and how to run the OAuth flow for this network.
    fn oauth_spec(&self) -> OAuthSpec;

    /// Text limits, counting rule and media rules, for the composer.
    fn capabilities(&self) -> Capabilities;

    /// Checks a post against this network's rules (at compose time and again
    /// before publishing). An empty list means it can go out.
    fn validate(&self, post: &PublishRequest) -> Vec<ValidationIssue>;

    /// The account the token belongs to.
    async fn profile(&self, token: &AccessToken) -> Result<Profile, PlatformError>;

    /// Publishes `post`, resuming from `checkpoint` (a JSON value this
    /// implementation owns; `Null` for a fresh start). After every remote side
    /// effect (an upload finished, a part posted) the implementation updates
    /// the checkpoint and calls `sink.checkpoint` so a crash resumes instead
    /// of starting over. Before the call that creates the post it records
    /// that the create is in flight (see [`Publisher::reconcile`]).
    async fn publish(
        &self,
        token: &AccessToken,
        post: &PublishRequest,
        checkpoint: &mut serde_json::Value,
        sink: &dyn PublishSink,
    ) -> Result<Published, PlatformError>;

    /// After a crash during a create call: did the post go out? Implementations
    /// that cannot tell answer [`Reconciled::Unknown`], and the engine asks the
    /// user instead of posting twice.
    async fn reconcile(
        &self,
        token: &AccessToken,
        post: &PublishRequest,
        checkpoint: &serde_json::Value,
    ) -> Result<Reconciled, PlatformError>;

    /// Deletes a published post.
    async fn delete(&self, token: &AccessToken, remote_id: &str) -> Result<(), PlatformError>;

    /// Revokes a token at the platform (disconnect). Best effort: the engine
    /// deletes its keychain entry whatever this returns.
    async fn revoke(&self, client: &ClientCredentials, token: &str) -> Result<(), PlatformError>;
}

/// Receives checkpoints and upload progress while a publish runs.
#[async_trait]
pub trait PublishSink: Send + Sync {
    /// Persists the checkpoint. An error aborts the publish (as transient).
    async fn checkpoint(&self, checkpoint: &serde_json::Value) -> Result<(), String>;

    /// Bytes of media sent so far out of the total, for a progress bar.
    fn progress(&self, sent: u64, total: u64);
}

/// A sink that keeps nothing: for tests and one-shot calls.
pub struct NoopSink;

#[async_trait]
impl PublishSink for NoopSink {
    async fn checkpoint(&self, _checkpoint: &serde_json::Value) -> Result<(), String> {
        Ok(())
    }

    fn progress(&self, _sent: u64, _total: u64) {}
}
