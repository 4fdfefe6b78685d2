//! Windows besides the main one: the quick-post window.

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub const QUICK_POST: &str = "quick-post";

pub fn show_quick_post<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(QUICK_POST) {
        w.show()?;
        w.set_focus()?;
        return Ok(());
    }
    let w = WebviewWindowBuilder::new(
        app,
        QUICK_POST,
        WebviewUrl::App("index.html#quick-post".into()),
    )
    .title("Quick post — CreatorFlow")
    .inner_size(460.0, 420.0)
    .resizable(false)
    .always_on_top(true)
    .center()
    .focused(true)
    .build()?;
    w.set_focus()?;
    Ok(())
}

pub fn hide_quick_post<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(QUICK_POST) {
        let _ = w.close();
    }
}
