//! The Tauri shell of CreatorFlow: commands, events, tray, windows and
//! desktop integration. Logic lives in `creatorflow-engine`.

pub mod autostart;
pub mod bindings;
pub mod cli;
pub mod commands;
pub mod deeplink;
pub mod desktop_entry;
pub mod error;
pub mod events;
pub mod export;
pub mod external;
pub mod logging;
pub mod media;
pub mod notify;
pub mod sandbox_mode;
pub mod shortcut;
pub mod signin;
pub mod startup;
pub mod state;
pub mod tray;
pub mod webkit;
pub mod windows;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use creatorflow_engine::{Engine, EngineConfig, SchedulerConfig, Vault};
use tauri::{Manager, RunEvent, WindowEvent};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::cli::Cli;
use crate::commands::AppInfo;
use crate::error::IpcError;
use crate::state::{AppExt, AppState};

pub fn run() {
    startup::mark("process start");
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        print!("{}", cli::USAGE);
        return;
    }
    let cli = match Cli::from_env() {
        Ok(cli) => cli,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("{e}\n\n{}", cli::USAGE);
            }
            std::process::exit(2);
        }
    };
    let specta = bindings::builder();

    let app = tauri::Builder::default()
        // Must be first: a second launch (for example the desktop entry opening
        // a creatorflow:// link) hands its arguments to this instance and exits.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            // A creatorflow:// link in argv reaches the deep-link plugin's
            // on_open_url; a plain second launch just shows the window.
            if !argv.iter().any(|a| a.starts_with("creatorflow://")) {
                tray::show_main(app);
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(shortcut::plugin())
        .plugin(webkit::plugin())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--minimized"]),
        ))
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            // Tauri builds the configured main window before this hook.
            startup::mark("webview created");
            specta.mount_events(app);
            let data_dir = resolve_data_dir(app.handle(), &cli)?;
            logging::init(&data_dir);
            tracing::info!(
                sandbox = cli.sandbox,
                "CreatorFlow {} starting",
                env!("CARGO_PKG_VERSION")
            );

            // Sandbox mode: the emulators (embedded, or already running),
            // demo apps and a keychain service of their own, so demo tokens
            // never mix with real ones.
            let link = match &cli.sandbox_url {
                Some(url) => Some(sandbox_mode::Link::Running(url.clone())),
                None if cli.sandbox => Some(sandbox_mode::Link::Embedded(
                    tauri::async_runtime::block_on(sandbox_mode::start(&data_dir))?,
                )),
                None => None,
            };
            let (platforms, vault) = match &link {
                Some(link) => {
                    if matches!(link, sandbox_mode::Link::Running(_)) {
                        tracing::info!("using a sandbox that was started before CreatorFlow");
                    }
                    tracing::info!("sandbox listening on {}", link.base_url());
                    (
                        sandbox_mode::platforms(&link.base_url()),
                        Vault::keychain(creatorflow_engine::SANDBOX_KEYCHAIN_SERVICE),
                    )
                }
                None => (
                    creatorflow_engine::Platforms::production(),
                    Vault::keychain(creatorflow_engine::KEYCHAIN_SERVICE),
                ),
            };
            let sandbox_clock = link
                .as_ref()
                .map(|l| tauri::async_runtime::block_on(sandbox_mode::SandboxClock::of(l)));
            let mut config = EngineConfig::new(&data_dir)
                .platforms(platforms)
                .vault(vault);
            if let Some(clock) = &sandbox_clock {
                config = config.clock(std::sync::Arc::new(clock.clone()));
            }
            let engine = tauri::async_runtime::block_on(Engine::open(config)).map_err(|e| {
                tracing::error!("could not open the database: {e}");
                IpcError::from(e)
            });
            startup::mark("engine ready");
            let saved = match &engine {
                Ok(engine) => tauri::async_runtime::block_on(engine.settings()).ok(),
                Err(_) => None,
            };
            let close_to_tray = match (&engine, &saved) {
                (Ok(_), Some(s)) => s.close_to_tray,
                (Ok(_), None) => true,
                (Err(_), _) => false,
            };
            shortcut::restore(
                app.handle(),
                saved
                    .as_ref()
                    .and_then(|s| s.quick_post_shortcut.as_deref()),
            );
            if let (Ok(engine), Some(sandbox)) = (&engine, &link)
                && let Ok(status) = tauri::async_runtime::block_on(engine.media_host())
            {
                sandbox_mode::treat_media_host_as_public(sandbox, status.config.as_ref());
            }
            let mut scheduler = None;
            if let Ok(engine) = &engine {
                events::forward_changes(app.handle(), engine);
                events::forward_engine_events(app.handle(), engine);
                notify::forward_notices(app.handle(), engine);
                follow_changes(app.handle(), engine);
                if let (Some(clock), Some(link)) = (&sandbox_clock, &link) {
                    clock.follow(link, engine.clone());
                }
                match tauri::async_runtime::block_on(engine.start_scheduler(if link.is_some() {
                    sandbox_mode::scheduler_config()
                } else {
                    SchedulerConfig::default()
                })) {
                    Ok(s) => scheduler = Some(s),
                    Err(e) => tracing::error!("the publisher could not start: {e}"),
                }
            }
            startup::mark("scheduler started");
            let info = AppInfo {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                sandbox: cli.sandbox,
                sandbox_url: link.as_ref().map(|s| s.base_url().to_string()),
                startup_error: engine.as_ref().err().cloned(),
            };
            app.manage(AppState {
                engine,
                info,
                close_to_tray: AtomicBool::new(close_to_tray),
                sandbox: std::sync::Mutex::new(link),
                scheduler: std::sync::Mutex::new(scheduler),
                open_post: std::sync::Mutex::new(None),
            });

            tray::create(app.handle())?;

            // The .deb's desktop entry registers creatorflow:// (for every
            // user); a build run from a folder registers itself (per user) so
            // the browser can hand OAuth redirects back, with an entry every
            // opener can run.
            #[cfg(target_os = "linux")]
            if !desktop_entry::installed_by_package(
                &tauri::utils::platform::current_exe().unwrap_or_default(),
            ) {
                let exe = app
                    .env()
                    .appimage
                    .clone()
                    .map(std::path::PathBuf::from)
                    .or_else(|| tauri::utils::platform::current_exe().ok());
                let applications = app.path().data_dir().map(|d| d.join("applications"));
                match (exe, applications) {
                    // Off the window's way: the xdg-mime calls take 60-100 ms.
                    (Some(exe), Ok(applications)) => drop(std::thread::spawn(move || {
                        if let Err(e) = desktop_entry::ensure(&applications, "CreatorFlow", &exe) {
                            tracing::warn!("could not register the creatorflow:// scheme: {e}");
                        }
                    })),
                    _ => tracing::warn!("could not tell where CreatorFlow runs from"),
                }
            }

            // OAuth redirects and other creatorflow:// links: those that
            // launched us, and those forwarded by later launches.
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                deeplink::handle_urls(&handle, event.urls());
            });
            if let Ok(Some(urls)) = app.deep_link().get_current() {
                deeplink::handle_urls(app.handle(), urls);
            }
            if let (true, Some(window)) = (cli.minimized, app.get_webview_window("main")) {
                window.hide()?;
            }
            startup::mark("setup done");
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

    app.run(|app, event| match event {
        // The last window went away (closed by the window manager, or by a
        // driver that destroys it): keep publishing from the tray. Quit from
        // the tray menu exits with a code and is not held back.
        RunEvent::ExitRequested {
            code: None, api, ..
        } if app.close_to_tray() => {
            api.prevent_exit();
        }
        RunEvent::Exit => {
            tracing::info!("CreatorFlow exiting");
            shutdown(app);
        }
        _ => {}
    });
}

/// Stops the publisher and saves the sandbox's state.
fn shutdown<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let scheduler = state.scheduler.lock().ok().and_then(|mut s| s.take());
    let sandbox = state.sandbox.lock().ok().and_then(|mut s| s.take());
    tauri::async_runtime::block_on(async move {
        if let Some(s) = scheduler {
            s.stop().await;
        }
        if let Some(sandbox_mode::Link::Embedded(s)) = sandbox
            && let Err(e) = s.shutdown().await
        {
            tracing::warn!("the sandbox could not save its state: {e}");
        }
    });
}

/// Keeps the tray menu current (at most twice a second, one refresh at a
/// time) and applies settings changes, whoever made them: close to tray and
/// start at login follow the settings.
fn follow_changes(app: &tauri::AppHandle, engine: &Engine) {
    let mut rx = engine.subscribe();
    let app = app.clone();
    let engine = engine.clone();
    tauri::async_runtime::spawn(async move {
        while let Ok(first) = rx.recv().await {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let mut settings_changed = first.entity == creatorflow_engine::Entity::Settings;
            while let Ok(more) = rx.try_recv() {
                settings_changed |= more.entity == creatorflow_engine::Entity::Settings;
            }
            let settings = engine.settings().await;
            if let (true, Ok(s)) = (settings_changed, &settings) {
                app.set_close_to_tray(s.close_to_tray);
                autostart::apply(&app, s.start_at_login);
            }
            tray::refresh(&app, &engine, settings.ok()).await;
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
