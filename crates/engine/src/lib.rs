//! CreatorFlow's engine: the store, posts and accounts, settings, the vault,
//! OAuth flows, the scheduler and publishing, change events and notices.
//! No Tauri and no webview: it builds and tests headless.

pub mod accounts;
pub mod activity;
pub mod auth;
pub mod callback;
pub mod catalog;
pub mod error;
pub mod events;
pub(crate) mod limits;
pub mod loopback;
pub mod media;
pub mod media_host;
pub mod metrics;
pub mod model;
pub mod notices;
pub mod platforms;
pub mod posts;
pub mod publish;
pub mod scheduler;
pub mod settings;
pub mod store;
pub(crate) mod targets;
pub mod time;
pub(crate) mod tokens;
pub mod vault;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use specta::Type;

pub use error::{EngineError, ErrorCode, Result};
pub use events::{Change, ChangeSource, Changes, Entity};
pub use metrics::{
    AnalyticsQuery, AnalyticsReport, BudgetUse, DayTotals, MetricColumn, MetricValue, MetricsState,
    PostAnalytics, Snapshot,
};
pub use model::*;
pub use notices::{Notice, NoticeKind, Notices};
pub use platforms::Platforms;
pub use publish::DeleteScope;
pub use scheduler::{SchedulerConfig, SchedulerHandle};
pub use store::Store;
pub use vault::Vault;

/// Where "now" comes from; tests move it by hand.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The keychain service of a normal run.
pub const KEYCHAIN_SERVICE: &str = "app.creatorflow.desktop";
/// The keychain service of sandbox mode: demo tokens never mix with real ones.
pub const SANDBOX_KEYCHAIN_SERVICE: &str = "app.creatorflow.desktop.sandbox";

/// How to open the engine.
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub clock: Arc<dyn Clock>,
    pub vault: Vault,
    pub platforms: Platforms,
}

impl EngineConfig {
    /// The database, media and logs under `data_dir`; the real keychain; the
    /// real platforms.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            clock: Arc::new(SystemClock),
            vault: Vault::keychain(KEYCHAIN_SERVICE),
            platforms: Platforms::production(),
        }
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn vault(mut self, vault: Vault) -> Self {
        self.vault = vault;
        self
    }

    pub fn platforms(mut self, platforms: Platforms) -> Self {
        self.platforms = platforms;
        self
    }
}

/// Upload progress of one target, for a progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub target_id: TargetId,
    pub sent: f64,
    pub total: f64,
}

struct Inner {
    store: Store,
    data_dir: PathBuf,
    changes: Changes,
    notices: Notices,
    clock: Arc<dyn Clock>,
    vault: Vault,
    platforms: Platforms,
    auth: auth::AuthState,
    wake: scheduler::Wake,
    progress: tokio::sync::broadcast::Sender<Progress>,
}

/// The engine the shell talks to. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Engine {
    pub async fn open(config: EngineConfig) -> Result<Self> {
        let store = Store::open(&config.data_dir.join(store::DATABASE_FILE)).await?;
        std::fs::create_dir_all(config.data_dir.join("media"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                data_dir: config.data_dir,
                changes: Changes::new(),
                notices: Notices::default(),
                clock: config.clock,
                vault: config.vault,
                platforms: config.platforms,
                auth: auth::AuthState::default(),
                wake: scheduler::Wake(tokio::sync::Notify::new()),
                progress: tokio::sync::broadcast::channel(256).0,
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    pub fn media_dir(&self) -> PathBuf {
        self.inner.data_dir.join("media")
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    pub fn vault(&self) -> &Vault {
        &self.inner.vault
    }

    pub fn platforms(&self) -> &Platforms {
        &self.inner.platforms
    }

    pub fn notices(&self) -> &Notices {
        &self.inner.notices
    }

    pub(crate) fn auth(&self) -> &auth::AuthState {
        &self.inner.auth
    }

    pub(crate) fn wake(&self) -> &scheduler::Wake {
        &self.inner.wake
    }

    /// Every change the engine makes, for the UI and other listeners.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.inner.changes.subscribe()
    }

    pub fn changes(&self) -> &Changes {
        &self.inner.changes
    }

    pub fn subscribe_progress(&self) -> tokio::sync::broadcast::Receiver<Progress> {
        self.inner.progress.subscribe()
    }

    pub(crate) fn report_progress(&self, target_id: TargetId, sent: u64, total: u64) {
        let _ = self.inner.progress.send(Progress {
            target_id,
            sent: sent as f64,
            total: total as f64,
        });
    }

    // ---- posts ----------------------------------------------------------

    pub async fn create_post(&self, input: PostInput) -> Result<Post> {
        let input = self.prepare(input).await?;
        let id = posts::create(self.store(), &input, self.now()).await?;
        self.changes()
            .emit(Entity::Posts, vec![id], ChangeSource::User);
        self.wake_scheduler();
        posts::get(self.store(), id).await
    }

    pub async fn update_post(&self, id: PostId, input: PostInput) -> Result<Post> {
        let input = self.prepare(input).await?;
        posts::update(self.store(), id, &input, self.now()).await?;
        self.changes()
            .emit(Entity::Posts, vec![id], ChangeSource::User);
        self.wake_scheduler();
        posts::get(self.store(), id).await
    }

    /// "Post now" is a schedule for this instant, through the same queue;
    /// scheduling checks every target's platform rules first.
    async fn prepare(&self, mut input: PostInput) -> Result<PostInput> {
        if input.intent == SaveIntent::PublishNow {
            input.scheduled_at = Some(self.now());
        }
        if input.intent != SaveIntent::Draft {
            let checks = self.check_post(&input).await?;
            if let Some(issue) = checks.iter().flat_map(|c| c.issues.iter()).next() {
                return Err(EngineError::invalid(
                    ErrorCode::InvalidInput,
                    issue.message.clone(),
                ));
            }
        }
        Ok(input)
    }

    pub async fn reschedule_post(
        &self,
        id: PostId,
        at: Option<DateTime<Utc>>,
        zone: &str,
    ) -> Result<Post> {
        let moved = posts::reschedule(self.store(), id, at, zone, self.now()).await?;
        moved.emit(self.changes(), ChangeSource::User);
        // The post's own time changed even when no target moved.
        self.changes()
            .emit(Entity::Posts, vec![id], ChangeSource::User);
        self.wake_scheduler();
        posts::get(self.store(), id).await
    }

    pub async fn post(&self, id: PostId) -> Result<Post> {
        posts::get(self.store(), id).await
    }

    pub async fn posts_in_range(&self, range: TimeRange) -> Result<Vec<Post>> {
        posts::in_range(self.store(), range).await
    }

    pub async fn post_count(&self) -> Result<i64> {
        posts::count(self.store()).await
    }

    pub async fn unscheduled_drafts(&self) -> Result<Vec<Post>> {
        posts::unscheduled(self.store()).await
    }

    /// What an account may post right now, as its network says (TikTok's
    /// creator info: privacy levels, interactions turned off, longest
    /// video), for the composer. `None` where the network has no such limits.
    pub async fn posting_info(
        &self,
        account: AccountId,
    ) -> Result<Option<creatorflow_platforms::PostingInfo>> {
        let acc = accounts::get(self.store(), account).await?;
        let publisher = self.publisher(acc.platform)?;
        let tokens = tokens::AccountTokens::new(self, acc.id);
        publisher
            .posting_info(&tokens)
            .await
            .map_err(|e| EngineError::invalid(ErrorCode::Platform, e.message))
    }

    /// Each picked account's platform rules applied to the composer's content:
    /// live counters and messages before anything is scheduled. The request
    /// checked is the one `publish` will get.
    pub async fn check_post(&self, input: &PostInput) -> Result<Vec<PlatformCheck>> {
        let mut out: Vec<PlatformCheck> = Vec::new();
        // Read once, for every account.
        let mut media =
            posts::media_files(self.store(), &self.media_dir(), &input.media_ids).await?;
        for (file, id) in media.iter_mut().zip(&input.media_ids) {
            file.alt_text = input.alt_text(*id);
        }
        for account in &input.account_ids {
            let acc = accounts::get(self.store(), *account).await?;
            if out.iter().any(|c| c.account_id == acc.id) {
                continue;
            }
            let publisher = match self.publisher(acc.platform) {
                Ok(p) => p,
                Err(e) => {
                    out.push(PlatformCheck {
                        account_id: acc.id,
                        platform: acc.platform,
                        counts: vec![],
                        issues: vec![creatorflow_platforms::ValidationIssue::new(
                            "platform_unavailable",
                            e.user_message(),
                            None,
                        )],
                    });
                    continue;
                }
            };
            let options = posts::options_for(input, acc.id, acc.platform)?;
            let request =
                publish::build_request(self, &acc, &input.text, &options, media.clone()).await?;
            out.push(PlatformCheck {
                account_id: acc.id,
                platform: acc.platform,
                counts: publisher.counts(&request),
                issues: publisher.validate(&request),
            });
        }
        Ok(out)
    }

    // ---- accounts -------------------------------------------------------

    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let mut list = accounts::list(self.store()).await?;
        for account in &mut list {
            if let Some(p) = self.platforms().get(account.platform) {
                account.analytics_scopes_missing = p.metrics_scopes_missing(&account.scopes);
            }
        }
        Ok(list)
    }

    // ---- analytics ------------------------------------------------------

    /// A post's numbers on each network it went out on, with every snapshot.
    pub async fn post_analytics(&self, post: PostId) -> Result<Vec<metrics::PostAnalytics>> {
        metrics::for_post(self.store(), post).await
    }

    /// The Analytics view: posts published in a period, sums, sums per day.
    pub async fn analytics(
        &self,
        query: &metrics::AnalyticsQuery,
    ) -> Result<metrics::AnalyticsReport> {
        metrics::report(self, query).await
    }

    /// The Analytics view's posts as CSV.
    pub async fn analytics_csv(&self, query: &metrics::AnalyticsQuery) -> Result<String> {
        metrics::to_csv(&metrics::report(self, query).await?, &query.zone)
    }

    // ---- settings -------------------------------------------------------

    pub async fn settings(&self) -> Result<Settings> {
        settings::load(self.store()).await
    }

    /// Changes the settings fields in `patch`, whoever else changed others.
    pub async fn update_settings(&self, patch: SettingsPatch) -> Result<Settings> {
        let saved = settings::update(self.store(), &patch).await?;
        self.changes()
            .emit(Entity::Settings, vec![], ChangeSource::User);
        self.wake_scheduler();
        Ok(saved)
    }
}
