//! CreatorFlow's clients for the networks it publishes to, behind one trait,
//! and their content rules. HTTP via reqwest; every base URL is injectable so
//! the same code talks to the real platforms and to the local sandbox.
//! No database, no Tauri.

pub mod auth;
pub mod error;
pub mod http;
pub mod instagram;
pub mod linkedin;
pub mod metrics;
pub mod options;
mod support;
pub mod text;
pub mod tiktok;
pub mod types;
pub mod x;
pub mod youtube;

pub use auth::{
    AuthError, Authenticator, ClientAuth, OAuthSpec, PkceStyle, RedirectKind, RedirectStyle,
    StandardOAuth, TokenSet, TokenSource, authorized,
};
pub use error::{ErrorKind, PlatformError};
pub use metrics::{Metric, MetricsSupport, PostMetrics, ReadBudget};
pub use options::*;
pub use types::*;

use async_trait::async_trait;

/// One network's client. Implementations are cheap to clone and hold no
/// tokens: every call gets a [`TokenSource`] to ask for one when it needs it.
///
/// A network needs only its own module to implement this; the engine, the
/// scheduler and the composer's frame know no network by name.
#[async_trait]
pub trait Publisher: Send + Sync {
    fn platform(&self) -> Platform;

    /// How to sign in to this network.
    fn authenticator(&self) -> &dyn Authenticator;

    /// Text, media and what the network allows, for the composer and engine.
    fn capabilities(&self) -> Capabilities;

    /// The limits the network publishes on creating posts, per account and
    /// per app. The engine holds a post that would go past one until there
    /// is room. Limits the network announces in its answers are reported
    /// through [`PublishSink::limit_reading`] as well.
    fn limits(&self) -> Vec<PublishLimit> {
        Vec::new()
    }

    /// How many posts `post` creates against [`Publisher::limits`] (an X
    /// thread: one per part).
    fn limit_units(&self, _post: &PublishRequest) -> u32 {
        1
    }

    /// Checks a post against this network's rules (at compose time and again
    /// before publishing). An empty list means it can go out.
    fn validate(&self, post: &PublishRequest) -> Vec<ValidationIssue>;

    /// Checks the new text and options of a post that is already live
    /// ([`Publisher::update`]); media cannot change there.
    fn validate_update(&self, post: &PublishRequest) -> Vec<ValidationIssue> {
        self.validate(post)
    }

    /// The counted fields of a post, for the composer's live counters. By
    /// default: the text, by the capabilities' rule.
    fn counts(&self, post: &PublishRequest) -> Vec<FieldCount> {
        let rule = self.capabilities().text;
        vec![FieldCount {
            field: "text".into(),
            label: rule.label.clone(),
            used: u32::try_from(rule.counting.count(&post.text)).unwrap_or(u32::MAX),
            limit: rule.limit,
            counting: rule.counting,
        }]
    }

    /// The accounts a fresh sign-in gives access to (one per YouTube
    /// channel, per Instagram account linked to a Page ...). `granted`: the
    /// permissions the sign-in was granted (they also tell which sign-in
    /// product it came from, where a network has several).
    async fn profiles(
        &self,
        tokens: &dyn TokenSource,
        granted: &[String],
    ) -> Result<Vec<Profile>, PlatformError>;

    /// What the account may post right now, where the network has limits of
    /// its own per account that the composer must offer (TikTok's privacy
    /// levels, the interactions a creator turned off, the longest video).
    /// `None` where the network has no such thing.
    async fn posting_info(
        &self,
        _tokens: &dyn TokenSource,
    ) -> Result<Option<PostingInfo>, PlatformError> {
        Ok(None)
    }

    /// Publishes `post`, resuming from `checkpoint` (a JSON value this
    /// implementation owns; `Null` for a fresh start). After every remote side
    /// effect (an upload finished, a part posted) the implementation updates
    /// the checkpoint and calls `sink.checkpoint` so a crash resumes instead
    /// of starting over. Before the call that creates the post it records
    /// that the create is in flight (see [`Publisher::reconcile`]).
    ///
    /// When the network finishes the post later it answers
    /// [`Outcome::Processing`]: the engine frees the worker and calls
    /// [`Publisher::check`] at `check_at`.
    async fn publish(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut serde_json::Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError>;

    /// Where a post the network is still processing stands now: published,
    /// still processing (check again at the new `check_at`), or an error
    /// (the network's reason in words). Also called for a published post
    /// whose [`Published::follow_up_at`] came due, to learn its final id and
    /// link. Networks that never answer `Processing` keep this default.
    async fn check(
        &self,
        _tokens: &dyn TokenSource,
        _post: &PublishRequest,
        _checkpoint: &mut serde_json::Value,
        _sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        Err(PlatformError::new(
            ErrorKind::Protocol,
            "nothing_to_check",
            format!(
                "{} has nothing in progress for this post.",
                self.platform().display_name()
            ),
        ))
    }

    /// After a crash during a create call: did the post go out? Implementations
    /// that cannot tell answer [`Reconciled::Unknown`], and the engine asks the
    /// user instead of posting twice.
    async fn reconcile(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &serde_json::Value,
    ) -> Result<Reconciled, PlatformError>;

    /// Deletes a published post at the network (where `can_delete`).
    async fn delete(
        &self,
        _tokens: &dyn TokenSource,
        _remote_id: &str,
    ) -> Result<(), PlatformError> {
        Err(unsupported(self.platform(), "delete a post there"))
    }

    /// Changes a published post's text and options at the network (where
    /// `can_edit`).
    async fn update(
        &self,
        _tokens: &dyn TokenSource,
        _remote_id: &str,
        _post: &PublishRequest,
    ) -> Result<(), PlatformError> {
        Err(unsupported(self.platform(), "change a live post there"))
    }

    /// What this network reports about published posts, the permissions
    /// that takes, and the creator's read allowance.
    fn metrics_support(&self) -> MetricsSupport {
        MetricsSupport::default()
    }

    /// The permissions reading metrics needs that `granted` lacks (an
    /// account connected before CreatorFlow read metrics: it keeps
    /// publishing, and the creator is asked to reconnect to see its
    /// numbers). Empty when it is ready. By default: the support's scopes;
    /// a network with several sign-in products answers per product.
    fn metrics_scopes_missing(&self, granted: &[String]) -> Vec<String> {
        self.metrics_support()
            .scopes
            .into_iter()
            .filter(|s| !granted.iter().any(|g| g == s))
            .map(str::to_owned)
            .collect()
    }

    /// The network's numbers now for the post `remote_id` (the id
    /// [`Published::remote_id`] gave) on `account`. Metrics the network does
    /// not offer for this post are absent. A post the network no longer has
    /// is [`PostMetrics::Removed`]; a read refused for a quota is
    /// [`ErrorKind::RateLimited`] with `retry_at`; one refused for a missing
    /// permission is [`ErrorKind::Forbidden`].
    async fn metrics(
        &self,
        _tokens: &dyn TokenSource,
        _account: &RemoteAccount,
        _remote_id: &str,
    ) -> Result<PostMetrics, PlatformError> {
        Err(unsupported(self.platform(), "read a post's numbers there"))
    }
}

fn unsupported(platform: Platform, what: &str) -> PlatformError {
    PlatformError::new(
        ErrorKind::Rejected,
        "not_supported",
        format!(
            "{} does not let CreatorFlow {what}.",
            platform.display_name()
        ),
    )
}

/// Receives checkpoints and upload progress while a publish runs.
#[async_trait]
pub trait PublishSink: Send + Sync {
    /// Persists the checkpoint. An error aborts the publish (as transient).
    async fn checkpoint(&self, checkpoint: &serde_json::Value) -> Result<(), String>;

    /// Bytes of media sent so far out of the total, for a progress bar.
    fn progress(&self, sent: u64, total: u64);

    /// What the network just said about one of its limits (room left and
    /// when it resets), so that the engine holds the next posts that would
    /// not fit.
    async fn limit_reading(&self, _reading: LimitReading) {}

    /// Whether the creator has set up a media host ([`PublishSink::host_media`]).
    fn has_media_host(&self) -> bool {
        false
    }

    /// Puts `file` on the creator's media host, for a network that fetches
    /// media from a public URL itself (Instagram), and answers where. The
    /// engine removes the file from the host once the post is published or
    /// has failed for good; calling it again for the same file re-uses the
    /// upload while its URL is good.
    async fn host_media(&self, file: &MediaFile) -> Result<HostedMedia, PlatformError> {
        Err(PlatformError::new(
            ErrorKind::Rejected,
            "no_media_host",
            format!(
                "{} needs a media host to fetch it from: set one in Settings → Media hosting.",
                file.display_name()
            ),
        ))
    }
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
