//! IPC commands: thin wrappers that call the engine. No SQL, no HTTP here.

use creatorflow_engine::{
    Account, AnalyticsQuery, AnalyticsReport, DeleteScope, Post, PostAnalytics, PostId, PostInput,
    Settings, SettingsPatch, TargetOptions, TimeRange,
};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};

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

/// A startup mark from the window (first paint, calendar visible): see
/// `startup.rs`.
#[tauri::command]
#[specta::specta]
pub fn startup_mark(mark: crate::startup::WindowMark) -> CmdResult<()> {
    crate::startup::window_mark(mark);
    Ok(())
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

/// How many posts exist, drafts included (for the first-launch empty state).
#[tauri::command]
#[specta::specta]
pub async fn post_count<R: Runtime>(app: AppHandle<R>) -> CmdResult<i64> {
    Ok(app.engine()?.post_count().await?)
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

/// Deletes a post: from CreatorFlow only, or from the networks too.
#[tauri::command]
#[specta::specta]
pub async fn delete_post<R: Runtime>(
    app: AppHandle<R>,
    id: PostId,
    scope: DeleteScope,
) -> CmdResult<()> {
    Ok(app.engine()?.delete_post(id, scope).await?)
}

/// Deletes a published post at its network (the post stays in CreatorFlow).
#[tauri::command]
#[specta::specta]
pub async fn delete_at_network<R: Runtime>(
    app: AppHandle<R>,
    target_id: TargetId,
) -> CmdResult<()> {
    Ok(app.engine()?.delete_at_network(target_id).await?)
}

/// Changes a live post's text and options at its network.
#[tauri::command]
#[specta::specta]
pub async fn update_at_network<R: Runtime>(
    app: AppHandle<R>,
    target_id: TargetId,
    options: TargetOptions,
) -> CmdResult<()> {
    Ok(app.engine()?.update_at_network(target_id, options).await?)
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

/// Saves the settings fields that changed; their side effects (start at
/// login, close to tray) follow the settings change, whoever made it.
#[tauri::command]
#[specta::specta]
pub async fn update_settings<R: Runtime>(
    app: AppHandle<R>,
    mut patch: SettingsPatch,
) -> CmdResult<Settings> {
    let engine = app.engine()?;
    // A new quick-post shortcut is taken from the system before it is saved.
    if let Some(choice) = &mut patch.quick_post_shortcut {
        let current = engine.settings().await?.quick_post_shortcut;
        choice.shortcut =
            crate::shortcut::replace(&app, current.as_deref(), choice.shortcut.as_deref())?;
    }
    Ok(engine.update_settings(patch).await?)
}

// ---- issue 4: accounts, publishing, activity, media ------------------------

use creatorflow_engine::activity::{ActivityFilter, ActivityItem, AttemptRecord};
use creatorflow_engine::auth::ConnectStart;
use creatorflow_engine::catalog::PlatformInfo;
use creatorflow_engine::{AccountId, MediaRef, Platform, PlatformCheck, TargetId, activity};

#[tauri::command]
#[specta::specta]
pub async fn platform_catalog<R: Runtime>(app: AppHandle<R>) -> CmdResult<Vec<PlatformInfo>> {
    Ok(app.engine()?.platform_catalog().await?)
}

/// Saves the user's own developer-app credentials (keychain only).
#[tauri::command]
#[specta::specta]
pub async fn set_platform_client<R: Runtime>(
    app: AppHandle<R>,
    platform: Platform,
    client_id: String,
    client_secret: Option<String>,
) -> CmdResult<PlatformInfo> {
    let engine = app.engine()?;
    engine
        .set_platform_client(platform, &client_id, client_secret.as_deref())
        .await?;
    Ok(engine.platform_info(platform).await?)
}

/// A sign-in that started: where it goes, and whether the browser could be
/// opened at it (when not, the creator opens the link themselves).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectStarted {
    pub start: ConnectStart,
    /// Why the browser could not be opened, in words; `None` when it was.
    pub browser_error: Option<String>,
}

/// Starts connecting an account: opens the platform's authorize page in the
/// system browser. The result arrives as a `ConnectResult` event; the sign-in
/// waits even when the browser could not be opened, so the link can be
/// copied into one.
#[tauri::command]
#[specta::specta]
pub async fn connect_account<R: Runtime>(
    app: AppHandle<R>,
    platform: Platform,
) -> CmdResult<ConnectStarted> {
    let engine = app.engine()?;
    let start = engine.connect(platform).await?;
    let browser_error = match &start.login_window {
        // The network's desktop sign-in happens in CreatorFlow's own window.
        Some(window) => crate::signin::open(
            &app,
            engine.clone(),
            platform,
            &start.authorize_url,
            window.clone(),
        )
        .err()
        .map(|e| {
            tracing::error!("{e}");
            format!(
                "CreatorFlow could not open the {} sign-in window.",
                platform.display_name()
            )
        }),
        None => crate::external::open_authorize_url(&app, &start.authorize_url, app.info().sandbox)
            .err()
            .map(|e| e.message),
    };
    Ok(ConnectStarted {
        start,
        browser_error,
    })
}

/// Gives up waiting for the browser: a late approval connects nothing.
#[tauri::command]
#[specta::specta]
pub async fn cancel_connect<R: Runtime>(app: AppHandle<R>, platform: Platform) -> CmdResult<()> {
    Ok(app.engine()?.cancel_connect(platform)?)
}

/// A thumbnail of an attached image, as a data: URL.
#[tauri::command]
#[specta::specta]
pub async fn media_preview<R: Runtime>(app: AppHandle<R>, media_id: i64) -> CmdResult<String> {
    Ok(app.engine()?.media_preview(media_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn disconnect_account<R: Runtime>(
    app: AppHandle<R>,
    account_id: AccountId,
) -> CmdResult<()> {
    Ok(app.engine()?.disconnect(account_id).await?)
}

/// Live per-platform counters and problems for the composer.
#[tauri::command]
#[specta::specta]
pub async fn check_post<R: Runtime>(
    app: AppHandle<R>,
    input: PostInput,
) -> CmdResult<Vec<PlatformCheck>> {
    Ok(app.engine()?.check_post(&input).await?)
}

/// What an account may post right now, as its network says (TikTok's
/// creator info), for the composer; `None` where the network has no such limits.
#[tauri::command]
#[specta::specta]
pub async fn posting_info<R: Runtime>(
    app: AppHandle<R>,
    account_id: AccountId,
) -> CmdResult<Option<creatorflow_platforms::PostingInfo>> {
    Ok(app.engine()?.posting_info(account_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_activity<R: Runtime>(
    app: AppHandle<R>,
    filter: ActivityFilter,
) -> CmdResult<Vec<ActivityItem>> {
    Ok(activity::list(app.engine()?.store(), &filter).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_attempts<R: Runtime>(
    app: AppHandle<R>,
    target_id: TargetId,
) -> CmdResult<Vec<AttemptRecord>> {
    Ok(activity::attempts(app.engine()?.store(), target_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn retry_target<R: Runtime>(app: AppHandle<R>, target_id: TargetId) -> CmdResult<()> {
    Ok(app.engine()?.retry_target(target_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn confirm_published<R: Runtime>(
    app: AppHandle<R>,
    target_id: TargetId,
) -> CmdResult<()> {
    Ok(app.engine()?.confirm_published(target_id).await?)
}

/// Takes in files dropped on the window (paths from the drop event): the
/// backend copies each into the media folder, hashing it as it goes.
#[tauri::command]
#[specta::specta]
pub async fn import_media_files<R: Runtime>(
    app: AppHandle<R>,
    paths: Vec<String>,
) -> CmdResult<Vec<MediaRef>> {
    let engine = app.engine()?;
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        out.push(engine.import_media_file(std::path::Path::new(&p)).await?);
    }
    Ok(out)
}

/// Opens the system's file picker; the picked files' paths (none if the
/// picker was closed). The UI then hands them to `import_media_files`, as
/// it does with dropped files, so each shows as it is copied.
#[tauri::command]
#[specta::specta]
pub async fn pick_media_paths<R: Runtime>(
    app: AppHandle<R>,
    window: tauri::Window<R>,
    what: crate::media::PickWhat,
) -> CmdResult<Vec<String>> {
    Ok(crate::media::pick_files(&app, &window, what)
        .await
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect())
}

/// Takes in an image pasted from the clipboard, as base64 (pictures only).
#[tauri::command]
#[specta::specta]
pub async fn paste_image<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    base64: String,
) -> CmdResult<MediaRef> {
    Ok(app.engine()?.import_pasted_image(&name, &base64).await?)
}

/// Opens a published post on its platform (only its recorded https URL).
#[tauri::command]
#[specta::specta]
pub async fn open_published<R: Runtime>(app: AppHandle<R>, target_id: TargetId) -> CmdResult<()> {
    let engine = app.engine()?;
    let url = engine.published_url(target_id).await?;
    crate::external::open_post_url(&app, &url, app.info().sandbox)?;
    Ok(())
}

/// Opens a network's own page (a policy the composer cites, a developer
/// guide) in the browser: https on the networks' hosts only.
#[tauri::command]
#[specta::specta]
pub async fn open_platform_page<R: Runtime>(app: AppHandle<R>, url: String) -> CmdResult<()> {
    crate::external::open_platform_page(&app, &url)?;
    Ok(())
}

/// Opens the sandbox's status page (sandbox mode only).
#[tauri::command]
#[specta::specta]
pub async fn open_sandbox_page<R: Runtime>(app: AppHandle<R>) -> CmdResult<()> {
    let Some(url) = app.info().sandbox_url else {
        return Err(IpcError {
            code: creatorflow_engine::ErrorCode::InvalidInput,
            message: "CreatorFlow is not running in sandbox mode.".into(),
        });
    };
    crate::external::open_sandbox(&app, &url)?;
    Ok(())
}

/// The post a clicked notification or link asked the main window to show, if
/// it has not been taken yet (see `events::open_post`).
#[tauri::command]
#[specta::specta]
pub async fn take_open_post<R: Runtime>(app: AppHandle<R>) -> CmdResult<Option<i64>> {
    let state = app.state::<crate::state::AppState>();
    let taken = state.open_post.lock().map(|mut p| p.take()).unwrap_or(None);
    Ok(taken)
}

/// Shows the quick-post window.
#[tauri::command]
#[specta::specta]
pub async fn open_quick_post<R: Runtime>(app: AppHandle<R>) -> CmdResult<()> {
    crate::windows::show_quick_post(&app).map_err(|e| IpcError {
        code: creatorflow_engine::ErrorCode::Internal,
        message: format!("The quick-post window could not open ({e})."),
    })
}

/// Closes the window this is called from (quick post after posting).
#[tauri::command]
#[specta::specta]
pub async fn close_quick_post<R: Runtime>(app: AppHandle<R>) -> CmdResult<()> {
    crate::windows::hide_quick_post(&app);
    Ok(())
}

// ---- the media host ---------------------------------------------------------

use creatorflow_engine::media_host::{MediaHostConfig, MediaHostStatus, MediaHostTest};

/// The media host's settings ("a secret is saved", never the secret) and
/// what CreatorFlow keeps there.
#[tauri::command]
#[specta::specta]
pub async fn get_media_host<R: Runtime>(app: AppHandle<R>) -> CmdResult<MediaHostStatus> {
    Ok(app.engine()?.media_host().await?)
}

/// Saves the media host; the secret access key goes to the keychain only
/// (`None` or empty keeps the saved one for the same access key ID).
#[tauri::command]
#[specta::specta]
pub async fn set_media_host<R: Runtime>(
    app: AppHandle<R>,
    config: MediaHostConfig,
    secret_access_key: Option<String>,
) -> CmdResult<MediaHostStatus> {
    let status = app
        .engine()?
        .set_media_host(config, secret_access_key.as_deref())
        .await?;
    sandbox_sees_media_host(&app, &status);
    Ok(status)
}

/// In sandbox mode, the emulated Meta takes the media host as public.
fn sandbox_sees_media_host<R: Runtime>(
    app: &AppHandle<R>,
    status: &creatorflow_engine::media_host::MediaHostStatus,
) {
    if let Ok(guard) = app.state::<crate::state::AppState>().sandbox.lock()
        && let Some(sandbox) = guard.as_ref()
    {
        crate::sandbox_mode::treat_media_host_as_public(sandbox, status.config.as_ref());
    }
}

/// Forgets the media host (CreatorFlow's files there are deleted first).
#[tauri::command]
#[specta::specta]
pub async fn clear_media_host<R: Runtime>(app: AppHandle<R>) -> CmdResult<MediaHostStatus> {
    Ok(app.engine()?.clear_media_host().await?)
}

/// Uploads a small file, fetches it as a network would, deletes it; which
/// step failed, in words.
#[tauri::command]
#[specta::specta]
pub async fn test_media_host<R: Runtime>(app: AppHandle<R>) -> CmdResult<MediaHostTest> {
    Ok(app.engine()?.test_media_host().await?)
}

/// One post's numbers on each network it went out on, with every snapshot.
#[tauri::command]
#[specta::specta]
pub async fn post_analytics<R: Runtime>(
    app: AppHandle<R>,
    post_id: PostId,
) -> CmdResult<Vec<PostAnalytics>> {
    Ok(app.engine()?.post_analytics(post_id).await?)
}

/// The Analytics view: posts published in a period, their numbers, sums per
/// day, and the networks' read allowances.
#[tauri::command]
#[specta::specta]
pub async fn analytics<R: Runtime>(
    app: AppHandle<R>,
    query: AnalyticsQuery,
) -> CmdResult<AnalyticsReport> {
    Ok(app.engine()?.analytics(&query).await?)
}

/// Writes the Analytics view's posts as a CSV file in the Downloads folder
/// (the data folder where there is none) and answers its path.
#[tauri::command]
#[specta::specta]
pub async fn export_analytics<R: Runtime>(
    app: AppHandle<R>,
    query: AnalyticsQuery,
) -> CmdResult<String> {
    let engine = app.engine()?;
    let csv = engine.analytics_csv(&query).await?;
    let dir = app
        .path()
        .download_dir()
        .ok()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| engine.data_dir().to_owned());
    let path = crate::export::write_new(
        &dir,
        &format!("creatorflow-analytics-{}", engine.now().format("%Y-%m-%d")),
        "csv",
        csv.as_bytes(),
    )
    .map_err(|e| IpcError {
        code: creatorflow_engine::ErrorCode::Storage,
        message: format!(
            "CreatorFlow could not write the CSV file in {}: {e}",
            dir.display()
        ),
    })?;
    Ok(path.display().to_string())
}
