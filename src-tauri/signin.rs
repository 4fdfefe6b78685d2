//! The sign-in window, for networks whose desktop sign-in is a login page
//! inside the app (Meta: only registered https redirects, and a documented
//! embedded login whose final redirect the app reads). RFC 8252 prefers the
//! system browser, which every other network uses; see README "Why
//! Instagram signs in inside CreatorFlow".
//!
//! The window:
//! - loads only the network's hosts (top-level navigations elsewhere are
//!   refused, pop-ups are refused);
//! - shows the address of the page it shows, in its title;
//! - reads the redirect to the registered URI before it loads, hands it to
//!   the engine (state checked as for every other sign-in) and closes;
//! - when the creator closes it first, the sign-in is forgotten and the
//!   Accounts view says so;
//! - keeps nothing: it browses in a web context of its own, private
//!   (cookies and storage last as long as the window), apart from the app's
//!   own pages.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use creatorflow_engine::auth::LoginWindow;
use creatorflow_engine::{Engine, Platform};
use tauri::webview::{NewWindowResponse, PageLoadEvent};
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use url::Url;

/// The window's label for `platform`.
pub fn label(platform: Platform) -> String {
    format!("sign-in-{}", platform.as_str())
}

/// The page's address as its title shows it: where it is, not what it
/// carries (queries hold states and codes).
fn shown_address(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{host}{port}{}", url.scheme(), url.path())
}

/// Opens (or replaces) the sign-in window of `platform` on `authorize`.
pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    engine: Engine,
    platform: Platform,
    authorize: &str,
    window: LoginWindow,
) -> Result<(), String> {
    let label = label(platform);
    if let Some(old) = app.get_webview_window(&label) {
        let _ = old.destroy();
    }
    let start = Url::parse(authorize).map_err(|e| format!("bad sign-in URL: {e}"))?;
    if !window.may_load(&start) {
        return Err(format!(
            "the sign-in page is not on {}'s hosts",
            platform.display_name()
        ));
    }
    let finished = Arc::new(AtomicBool::new(false));
    let name = platform.display_name();

    // The redirect: read once, handed to the engine, never loaded.
    let take_redirect = {
        let app = app.clone();
        let engine = engine.clone();
        let finished = finished.clone();
        let label = label.clone();
        move |url: &Url| {
            if finished.swap(true, Ordering::SeqCst) {
                return;
            }
            let raw = url.to_string();
            let engine = engine.clone();
            let app = app.clone();
            let label = label.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = engine.handle_window_redirect(platform, &raw).await {
                    tracing::info!(platform = platform.as_str(), "sign-in window: {e}");
                }
                if let Some(w) = app.get_webview_window(&label) {
                    let _ = w.destroy();
                }
            });
        }
    };

    let on_nav = {
        let window = window.clone();
        let take_redirect = take_redirect.clone();
        move |url: &Url| -> bool {
            if window.is_redirect(url) {
                take_redirect(url);
                return false;
            }
            if url.scheme() == "about" || window.may_load(url) {
                return true;
            }
            tracing::warn!(
                host = url.host_str().unwrap_or(""),
                "the sign-in window refused a page outside the network's hosts"
            );
            false
        }
    };

    let on_load = {
        let window = window.clone();
        move |w: tauri::WebviewWindow<R>, payload: tauri::webview::PageLoadPayload<'_>| {
            let url = payload.url();
            // Should a redirect slip past the navigation check, it is read
            // here as its load starts.
            if window.is_redirect(url) {
                take_redirect(url);
                let _ = w.hide();
                return;
            }
            if payload.event() == PageLoadEvent::Started {
                let _ = w.set_title(&format!("{} — Sign in to {name}", shown_address(url)));
            }
        }
    };

    let private_context = engine.data_dir().join("sign-in").join(platform.as_str());
    let w = WebviewWindowBuilder::new(app, &label, WebviewUrl::External(start.clone()))
        .data_directory(private_context)
        .incognito(true)
        // The page's address replaces this once its load starts.
        .title(format!("Sign in to {name}"))
        .inner_size(520.0, 720.0)
        .center()
        .focused(true)
        .on_navigation(on_nav)
        .on_new_window(|_, _| NewWindowResponse::Deny)
        .on_page_load(on_load)
        .build()
        .map_err(|e| format!("could not open the sign-in window: {e}"))?;

    let engine_closed = engine;
    w.on_window_event(move |event| {
        if matches!(event, WindowEvent::Destroyed) && !finished.swap(true, Ordering::SeqCst) {
            tracing::info!(
                platform = platform.as_str(),
                "sign-in window closed before the sign-in ended"
            );
            let _ = engine_closed.abandon_connect(platform);
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_shows_where_not_what() {
        let u = Url::parse("https://www.instagram.com/oauth/authorize?client_id=1&state=secret")
            .expect("url");
        assert_eq!(
            shown_address(&u),
            "https://www.instagram.com/oauth/authorize"
        );
        let s = Url::parse("http://127.0.0.1:47600/meta/instagram/oauth/authorize?state=x")
            .expect("url");
        assert_eq!(
            shown_address(&s),
            "http://127.0.0.1:47600/meta/instagram/oauth/authorize"
        );
    }
}
