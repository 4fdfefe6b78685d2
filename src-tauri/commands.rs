//! IPC commands: thin wrappers that call the engine. No SQL, no HTTP here.

use creatorflow_engine::{Account, Post, PostId, PostInput, Settings, TimeRange};
use serde::Serialize;
use tauri::{AppHandle, Runtime};

use crate::error::{CmdResult, IpcError};
use crate::state::AppExt;

/// What the UI needs to know about this run of the app.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    /// Running against the built-in platform emulators.
    pub sandbox: bool,
    /// Base URL of the embedded sandbox's status page, in sandbox mode.
    pub sandbox_url: Option<String>,
    /// Why the app could not open its data, if it could not: the UI shows
    /// this instead of the calendar.
    pub startup_error: Option<IpcError>,
}

#[tauri::command]
#[specta::specta]
pub async fn app_info<R: Runtime>(app: AppHandle<R>) -> CmdResult<AppInfo> {
    Ok(app.info())
}

#[tauri::command]
#[specta::specta]
pub async fn list_posts<R: Runtime>(app: AppHandle<R>, range: TimeRange) -> CmdResult<Vec<Post>> {
    Ok(app.engine()?.posts_in_range(range).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_unscheduled_drafts<R: Runtime>(app: AppHandle<R>) -> CmdResult<Vec<Post>> {
    Ok(app.engine()?.unscheduled_drafts().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_post<R: Runtime>(app: AppHandle<R>, id: PostId) -> CmdResult<Post> {
    Ok(app.engine()?.post(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_post<R: Runtime>(app: AppHandle<R>, input: PostInput) -> CmdResult<Post> {
    Ok(app.engine()?.create_post(input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_post<R: Runtime>(
    app: AppHandle<R>,
    id: PostId,
    input: PostInput,
) -> CmdResult<Post> {
    Ok(app.engine()?.update_post(id, input).await?)
}

/// Moves a post (drag and drop); `scheduled_at: null` makes it an unscheduled draft.
#[tauri::command]
#[specta::specta]
pub async fn reschedule_post<R: Runtime>(
    app: AppHandle<R>,
    id: PostId,
    scheduled_at: Option<chrono::DateTime<chrono::Utc>>,
    zone: String,
) -> CmdResult<Post> {
    Ok(app
        .engine()?
        .reschedule_post(id, scheduled_at, &zone)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_post<R: Runtime>(app: AppHandle<R>, id: PostId) -> CmdResult<()> {
    Ok(app.engine()?.delete_post(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_accounts<R: Runtime>(app: AppHandle<R>) -> CmdResult<Vec<Account>> {
    Ok(app.engine()?.accounts().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings<R: Runtime>(app: AppHandle<R>) -> CmdResult<Settings> {
    Ok(app.engine()?.settings().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    settings: Settings,
) -> CmdResult<Settings> {
    let saved = app.engine()?.save_settings(settings).await?;
    app.set_close_to_tray(saved.close_to_tray);
    Ok(saved)
}
