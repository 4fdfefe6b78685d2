//! The system's file picker for media: it hands back paths, which the
//! engine copies into the media folder (never through the webview as bytes).

use std::path::PathBuf;

use serde::Deserialize;
use tauri::{AppHandle, Runtime, Window};
use tauri_plugin_dialog::DialogExt;

/// What the picker is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PickWhat {
    /// Pictures and videos to attach to a post (several at once).
    Media,
    /// One picture (a video's custom thumbnail).
    Picture,
}

/// Asks the creator for files; none picked (or the picker closed): empty.
pub async fn pick_files<R: Runtime>(
    app: &AppHandle<R>,
    window: &Window<R>,
    what: PickWhat,
) -> Vec<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let dialog = app.dialog().file().set_parent(window);
    match what {
        PickWhat::Media => dialog
            .set_title("Attach images or a video")
            .add_filter(
                "Images and videos",
                creatorflow_engine::media::PICKER_EXTENSIONS,
            )
            .pick_files(move |files| {
                let _ = tx.send(files.unwrap_or_default());
            }),
        PickWhat::Picture => dialog
            .set_title("Choose a picture")
            .add_filter("Pictures", &["jpg", "jpeg", "png"])
            .pick_file(move |file| {
                let _ = tx.send(file.into_iter().collect());
            }),
    }
    rx.await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.into_path().ok())
        .collect()
}
