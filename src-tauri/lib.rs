//! The Tauri shell of CreatorFlow: commands, events, tray, windows and
//! desktop integration. Logic lives in `creatorflow-engine`.

pub mod bindings;
pub mod cli;
pub mod commands;
pub mod error;
pub mod events;
pub mod logging;
pub mod state;
pub mod tray;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use creatorflow_engine::Engine;
use creatorflow_engine::store::DATABASE_FILE;
use tauri::{Manager, RunEvent, WindowEvent};

use crate::cli::Cli;
use crate::commands::AppInfo;
use crate::error::IpcError;
use crate::state::{AppExt, AppState};

pub fn run() {
    let cli = Cli::from_env();
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        print!("{}", cli::USAGE);
        return;
    }
    let specta = bindings::builder();

    let app = tauri::Builder::default()
        // Must be first: a second launch (for example the desktop entry opening
        // a creatorflow:// link) hands its arguments to this instance and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tray::show_main(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--minimized"]),
        ))
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            let data_dir = resolve_data_dir(app.handle(), &cli)?;
            logging::init(&data_dir);
            tracing::info!(
                sandbox = cli.sandbox,
                "CreatorFlow {} starting",
                env!("CARGO_PKG_VERSION")
            );

            let engine =
                tauri::async_runtime::block_on(Engine::open(&data_dir.join(DATABASE_FILE)))
                    .map_err(|e| {
                        tracing::error!("could not open the database: {e}");
                        IpcError::from(e)
                    });
            let close_to_tray = match &engine {
                Ok(engine) => tauri::async_runtime::block_on(engine.settings())
                    .map(|s| s.close_to_tray)
                    .unwrap_or(true),
                Err(_) => false,
            };
            if let Ok(engine) = &engine {
                events::forward_changes(app.handle(), engine);
            }
            let info = AppInfo {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                sandbox: cli.sandbox,
                sandbox_url: None,
                startup_error: engine.as_ref().err().cloned(),
            };
            app.manage(AppState {
                engine,
                info,
                close_to_tray: AtomicBool::new(close_to_tray),
            });

            tray::create(app.handle())?;
            if let (true, Some(window)) = (cli.minimized, app.get_webview_window("main")) {
                window.hide()?;
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event
                && window.label() == "main"
                && window.app_handle().close_to_tray()
            {
                // Keep running in the tray so scheduled posts still go out.
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .build(tauri::generate_context!())
        .expect("CreatorFlow could not start its window system");

    app.run(|_app, event| {
        if let RunEvent::Exit = event {
            tracing::info!("CreatorFlow exiting");
        }
    });
}

/// The data directory: `--data-dir` / `CREATORFLOW_DATA_DIR`, else the OS
/// app-data dir. Sandbox mode keeps its data apart from real accounts' data.
fn resolve_data_dir<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    cli: &Cli,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let base = match &cli.data_dir {
        Some(dir) => dir.clone(),
        None => app.path().app_data_dir()?,
    };
    let dir = if cli.sandbox && cli.data_dir.is_none() {
        base.join("sandbox")
    } else {
        base
    };
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
