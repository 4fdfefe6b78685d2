//! `creatorflow://` links, parsed into what they mean before anything acts
//! on them. They are untrusted input: anything unknown is logged and dropped.

use creatorflow_engine::PostId;
use tauri::{AppHandle, Runtime};
use url::Url;

use crate::state::AppExt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// `creatorflow://oauth/<platform>?code=..&state=..`: a platform sending
    /// the browser back. The raw URL goes to the engine's callback handler,
    /// which parses it strictly.
    OAuthCallback(String),
    /// `creatorflow://post/<id>`: open a post (from a notification).
    OpenPost(PostId),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeepLinkError {
    #[error("not a creatorflow:// link")]
    WrongScheme,
    #[error("unknown creatorflow:// link")]
    Unknown,
    #[error("link too long")]
    TooLong,
}

impl TryFrom<&Url> for DeepLink {
    type Error = DeepLinkError;

    fn try_from(url: &Url) -> Result<Self, Self::Error> {
        if url.as_str().len() > creatorflow_engine::callback::MAX_CALLBACK_LEN {
            return Err(DeepLinkError::TooLong);
        }
        if url.scheme() != "creatorflow" {
            return Err(DeepLinkError::WrongScheme);
        }
        match url.host_str() {
            Some("oauth") => Ok(DeepLink::OAuthCallback(url.as_str().to_owned())),
            Some("post") => url
                .path()
                .trim_matches('/')
                .parse::<PostId>()
                .ok()
                .filter(|id| *id > 0)
                .map(DeepLink::OpenPost)
                .ok_or(DeepLinkError::Unknown),
            _ => Err(DeepLinkError::Unknown),
        }
    }
}

/// Acts on links the OS handed to the app (first launch or forwarded by the
/// single-instance plugin).
pub fn handle_urls<R: Runtime>(app: &AppHandle<R>, urls: Vec<Url>) {
    for url in urls {
        match DeepLink::try_from(&url) {
            Ok(DeepLink::OAuthCallback(raw)) => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let Ok(engine) = app.engine() else { return };
                    // Success and failure both reach the UI as a ConnectResult event.
                    if engine.handle_callback(&raw).await.is_ok() {
                        crate::tray::show_main(&app);
                    }
                });
            }
            Ok(DeepLink::OpenPost(id)) => crate::events::open_post(app, id),
            Err(e) => tracing::warn!("ignored a deep link: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<DeepLink, DeepLinkError> {
        DeepLink::try_from(&Url::parse(s).expect("url"))
    }

    #[test]
    fn links_are_parsed_into_what_they_mean() {
        assert_eq!(
            parse("creatorflow://oauth/x?code=a&state=b"),
            Ok(DeepLink::OAuthCallback(
                "creatorflow://oauth/x?code=a&state=b".into()
            ))
        );
        assert_eq!(parse("creatorflow://post/42"), Ok(DeepLink::OpenPost(42)));
        assert_eq!(parse("creatorflow://post/-1"), Err(DeepLinkError::Unknown));
        assert_eq!(parse("creatorflow://post/abc"), Err(DeepLinkError::Unknown));
        assert_eq!(parse("creatorflow://settings"), Err(DeepLinkError::Unknown));
        assert_eq!(
            parse("https://x.com/oauth"),
            Err(DeepLinkError::WrongScheme)
        );
        let long = format!("creatorflow://oauth/x?code={}", "a".repeat(5000));
        assert_eq!(parse(&long), Err(DeepLinkError::TooLong));
    }
}
