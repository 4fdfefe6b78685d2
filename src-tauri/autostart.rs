//! "Start at login": registers or removes the app's login item
//! (tauri-plugin-autostart; an XDG autostart entry on Linux). It starts
//! minimized to the tray so scheduled posts go out without a window.

use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

pub fn apply<R: Runtime>(app: &AppHandle<R>, on: bool) {
    let launcher = app.autolaunch();
    let current = launcher.is_enabled().unwrap_or(!on);
    let result = match (on, current) {
        (true, false) => launcher.enable(),
        (false, true) => launcher.disable(),
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!("could not change start at login: {e}");
    }
}
