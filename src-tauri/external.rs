//! Opening URLs outside the app, only after checking them: https to the
//! platform's own hosts, or the local sandbox in sandbox mode.

use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;
use url::Url;

use crate::error::IpcError;
use creatorflow_engine::ErrorCode;

const PLATFORM_HOSTS: &[&str] = &[
    "x.com",
    "twitter.com",
    "linkedin.com",
    "instagram.com",
    "facebook.com",
    "tiktok.com",
    "youtube.com",
    "google.com",
];

fn host_allowed(url: &Url) -> bool {
    url.host_str().is_some_and(|h| {
        PLATFORM_HOSTS
            .iter()
            .any(|allowed| h == *allowed || h.ends_with(&format!(".{allowed}")))
    })
}

fn is_local_sandbox(url: &Url) -> bool {
    url.scheme() == "http" && url.host_str() == Some("127.0.0.1")
}

/// Whether CreatorFlow may open `raw` in the browser.
pub fn allowed(raw: &str, sandbox: bool) -> bool {
    let Ok(url) = Url::parse(raw) else {
        return false;
    };
    (url.scheme() == "https" && host_allowed(&url)) || (sandbox && is_local_sandbox(&url))
}

fn open<R: Runtime>(app: &AppHandle<R>, raw: &str, sandbox: bool) -> Result<(), IpcError> {
    if !allowed(raw, sandbox) {
        tracing::warn!("refused to open a URL that is not a platform's");
        return Err(IpcError {
            code: ErrorCode::InvalidInput,
            message: "CreatorFlow only opens the platforms' own pages.".into(),
        });
    }
    app.opener().open_url(raw, None::<&str>).map_err(|e| {
        tracing::error!("could not open the browser: {e}");
        IpcError {
            code: ErrorCode::Internal,
            message: "CreatorFlow could not open your web browser.".into(),
        }
    })
}

pub fn open_authorize_url<R: Runtime>(
    app: &AppHandle<R>,
    raw: &str,
    sandbox: bool,
) -> Result<(), IpcError> {
    open(app, raw, sandbox)
}

pub fn open_post_url<R: Runtime>(
    app: &AppHandle<R>,
    raw: &str,
    sandbox: bool,
) -> Result<(), IpcError> {
    open(app, raw, sandbox)
}

pub fn open_sandbox<R: Runtime>(app: &AppHandle<R>, raw: &str) -> Result<(), IpcError> {
    open(app, raw, true)
}

/// A network's own page (its policies, its developer guides): https on the
/// network's hosts only, never the sandbox.
pub fn open_platform_page<R: Runtime>(app: &AppHandle<R>, raw: &str) -> Result<(), IpcError> {
    open(app, raw, false)
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn only_platform_pages_and_the_local_sandbox() {
        assert!(allowed(
            "https://x.com/i/oauth2/authorize?client_id=a",
            false
        ));
        assert!(allowed(
            "https://www.linkedin.com/oauth/v2/authorization",
            false
        ));
        assert!(
            !allowed("http://x.com/i/oauth2/authorize", false),
            "plain http"
        );
        assert!(!allowed("https://x.com.evil.example/", false));
        assert!(!allowed("https://evil.example/?x.com", false));
        assert!(!allowed("file:///etc/passwd", true));
        assert!(!allowed("javascript:alert(1)", true));
        assert!(
            !allowed("http://127.0.0.1:4000/x/i/oauth2/authorize", false),
            "sandbox URL outside sandbox mode"
        );
        assert!(allowed("http://127.0.0.1:4000/x/i/oauth2/authorize", true));
        assert!(!allowed("http://127.0.0.2:4000/", true));
    }
}
