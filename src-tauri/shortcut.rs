//! The global quick-post shortcut (tauri-plugin-global-shortcut): off until
//! the creator picks one in Settings; pressing it anywhere opens the
//! quick-post window. A shortcut is checked and registered before it is
//! saved, so a combination the system or another app already holds is
//! refused in words and the one in use stays.

use std::str::FromStr;

use tauri::{AppHandle, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

use crate::error::IpcError;
use creatorflow_engine::ErrorCode;

/// The plugin, with the handler that opens quick post.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state == ShortcutState::Pressed
                && let Err(e) = crate::windows::show_quick_post(app)
            {
                tracing::warn!("the quick-post shortcut could not open the window: {e}");
            }
        })
        .build()
}

fn invalid(message: String) -> IpcError {
    IpcError {
        code: ErrorCode::InvalidInput,
        message,
    }
}

/// `raw` as the plugin reads it, written back the plugin's way
/// (`ctrl+alt+KeyP` → `control+alt+KeyP`); refused in words when it is not a
/// shortcut or has no modifier (a bare key would swallow normal typing).
pub fn normalize(raw: &str) -> Result<(Shortcut, String), IpcError> {
    let trimmed = raw.trim();
    let shortcut = Shortcut::from_str(trimmed).map_err(|e| {
        invalid(format!(
            "\"{trimmed}\" is not a key combination CreatorFlow can use ({e})."
        ))
    })?;
    if shortcut.mods.is_empty() {
        return Err(invalid(format!(
            "\"{trimmed}\" has no Ctrl, Alt, Shift or Super: it would take that key away \
             from every app. Add a modifier."
        )));
    }
    Ok((shortcut, shortcut.into_string()))
}

/// Makes `wanted` the registered shortcut instead of `current` (either may be
/// none). When the new one cannot be registered, the old one is kept.
pub fn replace<R: Runtime>(
    app: &AppHandle<R>,
    current: Option<&str>,
    wanted: Option<&str>,
) -> Result<Option<String>, IpcError> {
    let manager = app.global_shortcut();
    let old = current.and_then(|c| normalize(c).ok());
    let new = wanted.map(normalize).transpose()?;
    if let Some((old_shortcut, _)) = &old {
        let _ = manager.unregister(*old_shortcut);
    }
    let Some((shortcut, text)) = new else {
        return Ok(None);
    };
    if let Err(e) = manager.register(shortcut) {
        if let Some((old_shortcut, _)) = &old {
            let _ = manager.register(*old_shortcut);
        }
        return Err(invalid(format!(
            "CreatorFlow could not take {text}: the system or another app may already use it \
             ({e}). Pick another combination."
        )));
    }
    tracing::info!(shortcut = %text, "quick-post shortcut registered");
    Ok(Some(text))
}

/// At launch: the saved shortcut, if any (a failure is logged; the creator
/// sees it in Settings when they pick again).
pub fn restore<R: Runtime>(app: &AppHandle<R>, saved: Option<&str>) {
    if let Some(s) = saved
        && let Err(e) = replace(app, None, Some(s))
    {
        tracing::warn!("the quick-post shortcut is not available: {}", e.message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_written_back_the_plugins_way() {
        let (_, text) = normalize(" ctrl+alt+KeyP ").expect("valid");
        let (again, same) = normalize(&text).expect("round trip");
        assert_eq!(text, same, "stable once normalized");
        assert!(!again.mods.is_empty());
        assert!(normalize("Control+Shift+Q").is_ok());
    }

    #[test]
    fn nonsense_and_bare_keys_are_refused_in_words() {
        let e = normalize("ctrl+banana").expect_err("no such key");
        assert!(e.message.contains("ctrl+banana"), "{}", e.message);
        let e = normalize("KeyP").expect_err("no modifier");
        assert!(e.message.contains("modifier"), "{}", e.message);
        assert!(normalize("").is_err());
    }
}
