//! CreatorFlow's engine: the store, posts and accounts, settings, change
//! events, and (as they land) the vault, OAuth flows and the scheduler.
//! No Tauri and no webview: it builds and tests headless.

pub mod accounts;
pub mod error;
pub mod events;
pub mod model;
pub mod posts;
pub mod settings;
pub mod store;
pub mod time;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use error::{EngineError, ErrorCode, Result};
pub use events::{Change, ChangeSource, Changes, Entity};
pub use model::*;
pub use store::Store;

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

/// The engine the shell talks to. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    changes: Changes,
    clock: Arc<dyn Clock>,
}

impl Engine {
    /// Opens the database at `db_path` (creating and migrating it as needed).
    pub async fn open(db_path: &Path) -> Result<Self> {
        Self::open_with_clock(db_path, Arc::new(SystemClock)).await
    }

    pub async fn open_with_clock(db_path: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        let store = Store::open(db_path).await?;
        Ok(Self {
            store,
            changes: Changes::new(),
            clock,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Every change the engine makes, for the UI and other listeners.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    // ---- posts ----------------------------------------------------------

    pub async fn create_post(&self, input: PostInput) -> Result<Post> {
        let id = posts::create(&self.store, &input, self.now()).await?;
        self.changes
            .emit(Entity::Posts, vec![id], ChangeSource::User);
        posts::get(&self.store, id).await
    }

    pub async fn update_post(&self, id: PostId, input: PostInput) -> Result<Post> {
        posts::update(&self.store, id, &input, self.now()).await?;
        self.changes
            .emit(Entity::Posts, vec![id], ChangeSource::User);
        posts::get(&self.store, id).await
    }

    pub async fn reschedule_post(
        &self,
        id: PostId,
        at: Option<DateTime<Utc>>,
        zone: &str,
    ) -> Result<Post> {
        posts::reschedule(&self.store, id, at, zone, self.now()).await?;
        self.changes
            .emit(Entity::Posts, vec![id], ChangeSource::User);
        posts::get(&self.store, id).await
    }

    pub async fn delete_post(&self, id: PostId) -> Result<()> {
        posts::delete(&self.store, id).await?;
        self.changes
            .emit(Entity::Posts, vec![id], ChangeSource::User);
        Ok(())
    }

    pub async fn post(&self, id: PostId) -> Result<Post> {
        posts::get(&self.store, id).await
    }

    pub async fn posts_in_range(&self, range: TimeRange) -> Result<Vec<Post>> {
        posts::in_range(&self.store, range).await
    }

    pub async fn unscheduled_drafts(&self) -> Result<Vec<Post>> {
        posts::unscheduled(&self.store).await
    }

    // ---- accounts -------------------------------------------------------

    pub async fn accounts(&self) -> Result<Vec<Account>> {
        accounts::list(&self.store).await
    }

    // ---- settings -------------------------------------------------------

    pub async fn settings(&self) -> Result<Settings> {
        settings::load(&self.store).await
    }

    pub async fn save_settings(&self, new: Settings) -> Result<Settings> {
        settings::save(&self.store, &new).await?;
        self.changes
            .emit(Entity::Settings, vec![], ChangeSource::User);
        Ok(new)
    }
}
