//! Change notifications. Every write the engine makes is announced on one
//! broadcast channel, tagged with what changed and who changed it; the shell
//! forwards them to the UI so the calendar updates without a reload.

use serde::{Deserialize, Serialize};
use specta::Type;
use tokio::sync::broadcast;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Posts,
    Accounts,
    Settings,
    /// Posts' numbers (a snapshot was read).
    Metrics,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSource {
    /// A command from the UI.
    User,
    /// The background publisher.
    Scheduler,
    /// OAuth callbacks, token refreshes and other account work.
    Accounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub entity: Entity,
    pub ids: Vec<i64>,
    pub source: ChangeSource,
}

#[derive(Clone, Debug)]
pub struct Changes {
    tx: broadcast::Sender<Change>,
}

impl Default for Changes {
    fn default() -> Self {
        Self::new()
    }
}

impl Changes {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    pub fn emit(&self, entity: Entity, ids: Vec<i64>, source: ChangeSource) {
        // No receiver is fine: nobody is listening yet.
        let _ = self.tx.send(Change {
            entity,
            ids,
            source,
        });
    }
}
