//! Events the shell sends to the UI.

use creatorflow_engine::{Change, ChangeSource, Entity};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
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

/// How connecting an account ended (after the browser sent the user back).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct ConnectResult {
    pub platform: Option<creatorflow_engine::Platform>,
    pub account_id: Option<i64>,
    pub ok: bool,
    pub message: String,
}

/// Upload progress of one target.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct UploadProgress {
    pub target_id: i64,
    pub sent: f64,
    pub total: f64,
}

/// Show this post (a notification or a link was clicked).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct OpenPost {
    pub post_id: i64,
}

/// A notice the engine raised (also shown as an OS notification).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct NoticeRaised {
    pub kind: creatorflow_engine::NoticeKind,
    pub title: String,
    pub body: String,
    pub post_id: Option<i64>,
    pub account_id: Option<i64>,
}

/// Shows the main window (recreating it if it was closed) and asks its UI to
/// open `post_id`. The request is kept until the UI takes it
/// (`take_open_post`): the event below tells a loaded UI to take it now, and
/// a UI that is still loading takes it when its calendar starts.
pub fn open_post<R: Runtime>(app: &AppHandle<R>, post_id: i64) {
    if let Some(state) = app.try_state::<crate::state::AppState>()
        && let Ok(mut pending) = state.open_post.lock()
    {
        *pending = Some(post_id);
    }
    crate::tray::show_main(app);
    if let Err(e) = (OpenPost { post_id }).emit(app) {
        tracing::warn!("could not ask the UI to open a post: {e}");
    }
}

pub fn notice<R: Runtime>(app: &AppHandle<R>, n: creatorflow_engine::Notice) {
    let _ = NoticeRaised {
        kind: n.kind,
        title: n.title,
        body: n.body,
        post_id: n.post_id,
        account_id: n.account_id,
    }
    .emit(app);
}

/// Forwards connect outcomes and upload progress to the UI.
pub fn forward_engine_events<R: Runtime>(app: &AppHandle<R>, engine: &creatorflow_engine::Engine) {
    let mut outcomes = engine.subscribe_connect_outcomes();
    let a = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Ok(o) = outcomes.recv().await {
            let _ = ConnectResult {
                platform: o.platform,
                account_id: o.account_id,
                ok: o.ok,
                message: o.message,
            }
            .emit(&a);
        }
    });
    let mut progress = engine.subscribe_progress();
    let a = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match progress.recv().await {
                Ok(p) => {
                    let _ = UploadProgress {
                        target_id: p.target_id,
                        sent: p.sent,
                        total: p.total,
                    }
                    .emit(&a);
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => break,
            }
        }
    });
}
