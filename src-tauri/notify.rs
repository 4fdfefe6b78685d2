//! Engine notices become OS notifications; clicking one opens its post.

use creatorflow_engine::{Engine, Notice};
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

pub fn forward_notices<R: Runtime>(app: &AppHandle<R>, engine: &Engine) {
    let app2 = app.clone();
    let _ = app.notification().on_action(move |action| {
        let post = action
            .notification()
            .and_then(|n| n.extra().get("postId").and_then(|v| v.as_i64()));
        match post {
            Some(id) => crate::events::open_post(&app2, id),
            None => crate::tray::show_main(&app2),
        }
    });
    let mut rx = engine.notices().subscribe();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(notice) => show(&app, &notice),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!("{n} notifications were dropped");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

fn show<R: Runtime>(app: &AppHandle<R>, notice: &Notice) {
    let mut builder = app
        .notification()
        .builder()
        .title(&notice.title)
        .body(&notice.body);
    if let Some(id) = notice.post_id {
        builder = builder.extra("postId", id);
    }
    if let Err(e) = builder.show() {
        tracing::warn!("could not show a notification: {e}");
    }
    crate::events::notice(app, notice.clone());
}
