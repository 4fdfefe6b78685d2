//! The tray icon: the app keeps running there when the window is closed, so
//! scheduled posts still go out. Its menu shows the next slot and how many
//! posts need attention, and can pause publishing.

use creatorflow_engine::activity;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime, Wry};

use crate::state::AppExt;

pub const TRAY_ID: &str = "main";

pub struct TrayItems {
    next: MenuItem<Wry>,
    attention: MenuItem<Wry>,
    pause: CheckMenuItem<Wry>,
}

pub fn create(app: &AppHandle<Wry>) -> tauri::Result<()> {
    let quick = MenuItem::with_id(app, "quick", "Quick post…", true, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open CreatorFlow", true, None::<&str>)?;
    let next = MenuItem::with_id(app, "next", "Nothing scheduled", false, None::<&str>)?;
    let attention = MenuItem::with_id(
        app,
        "attention",
        "No posts need attention",
        true,
        None::<&str>,
    )?;
    let pause =
        CheckMenuItem::with_id(app, "pause", "Pause publishing", true, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit CreatorFlow", true, None::<&str>)?;
    let sep = || PredefinedMenuItem::separator(app);
    let menu = Menu::with_items(
        app,
        &[
            &quick,
            &open,
            &sep()?,
            &next,
            &attention,
            &sep()?,
            &pause,
            &sep()?,
            &quit,
        ],
    )?;
    let icon = tauri::image::Image::from_bytes(include_bytes!("../icons/tray.png"))?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon)
        .tooltip("CreatorFlow")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "quick" => {
                let _ = crate::windows::show_quick_post(app);
            }
            "open" | "attention" => show_main(app),
            "pause" => toggle_pause(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_main(tray.app_handle());
            }
        })
        .build(app)?;
    app.manage(TrayItems {
        next,
        attention,
        pause,
    });
    if let Ok(engine) = app.engine() {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let settings = engine.settings().await.ok();
            refresh(&app, &engine, settings).await;
        });
    }
    Ok(())
}

/// Pause publishing follows the menu item's tick (the menu toggles it
/// before this runs); only that field of the settings is saved.
fn toggle_pause(app: &AppHandle<Wry>) {
    let Some(items) = app.try_state::<TrayItems>() else {
        return;
    };
    let paused = items.pause.is_checked().unwrap_or(false);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Ok(engine) = app.engine() else { return };
        let patch = creatorflow_engine::SettingsPatch {
            publishing_paused: Some(paused),
            ..Default::default()
        };
        if let Err(e) = engine.update_settings(patch).await {
            tracing::error!("could not toggle publishing: {e}");
        }
    });
}

/// Re-reads the queue and updates the menu texts.
pub async fn refresh(
    app: &AppHandle<Wry>,
    engine: &creatorflow_engine::Engine,
    settings: Option<creatorflow_engine::Settings>,
) {
    {
        let Ok(summary) = activity::summary(engine.store()).await else {
            return;
        };
        let Some(items) = app.try_state::<TrayItems>() else {
            return;
        };
        let next = match (summary.next_at, summary.next_excerpt) {
            (Some(at), Some(text)) => {
                let local = at.with_timezone(&chrono::Local);
                format!("Next: {} — {text}", local.format("%a %d %b %H:%M"))
            }
            _ => "Nothing scheduled".to_owned(),
        };
        let attention = match summary.needs_attention {
            0 => "No posts need attention".to_owned(),
            1 => "1 post needs attention".to_owned(),
            n => format!("{n} posts need attention"),
        };
        let _ = items.next.set_text(next);
        let _ = items.attention.set_text(attention);
        if let Some(settings) = settings {
            let _ = items.pause.set_checked(settings.publishing_paused);
        }
    }
}

/// Shows the main window, creating it again if it was destroyed.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    let window = match app.get_webview_window("main") {
        Some(w) => Some(w),
        None => app
            .config()
            .app
            .windows
            .iter()
            .find(|w| w.label == "main")
            .and_then(|config| tauri::WebviewWindowBuilder::from_config(app, config).ok())
            .and_then(|builder| builder.build().ok()),
    };
    if let Some(window) = window {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
