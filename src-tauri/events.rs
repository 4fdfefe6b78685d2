//! Events the shell sends to the UI.

use creatorflow_engine::{Change, ChangeSource, Entity};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

/// Something the UI shows changed; it reloads what it displays of `entity`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct DataChanged {
    pub entity: Entity,
    pub ids: Vec<i64>,
    pub source: ChangeSource,
}

impl From<Change> for DataChanged {
    fn from(c: Change) -> Self {
        Self {
            entity: c.entity,
            ids: c.ids,
            source: c.source,
        }
    }
}

/// Forwards every engine change to the webviews until the app exits.
pub fn forward_changes<R: Runtime>(app: &AppHandle<R>, engine: &creatorflow_engine::Engine) {
    let mut rx = engine.subscribe();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(change) => {
                    if let Err(e) = DataChanged::from(change).emit(&app) {
                        tracing::warn!("could not emit a change to the UI: {e}");
                    }
                }
                // Fell behind: tell the UI to reload everything it shows.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    for entity in [Entity::Posts, Entity::Accounts, Entity::Settings] {
                        let _ = DataChanged {
                            entity,
                            ids: vec![],
                            source: ChangeSource::User,
                        }
                        .emit(&app);
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}
