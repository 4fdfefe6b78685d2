//! X (Twitter) API v2: OAuth 2.0 with PKCE, posts, threads, media upload,
//! and the numbers of published posts.
//! Contract: docs/platforms/x.md.

mod checkpoint;
mod client;
mod errors;
mod media;
mod metrics;
mod validate;

pub use checkpoint::{ChunkedUpload, InFlight, UploadedMedia, XCheckpoint};
pub use client::XClient;
pub use errors::{XErrorBody, XOperation, map_error, retry_at};
pub use media::{CHUNK_SIZE, SIMPLE_UPLOAD_MAX};
pub use metrics::DEFAULT_MONTHLY_POST_READS;
pub use validate::MAX_VIDEO_DURATION_MS;
pub use validate::{
    MAX_GIF_BYTES, MAX_IMAGE_BYTES, MAX_IMAGES, MAX_VIDEO_BYTES, XMediaKind, validate_post,
};

use url::Url;

use crate::auth::{ClientAuth, OAuthSpec, PkceStyle, RedirectStyle};
use crate::types::{Capabilities, CountingRule, MediaKind, MediaRule, ScopeInfo, TextRule};

/// The deep link X redirects back to (registered in the X developer portal).
pub const REDIRECT_URI: &str = "creatorflow://oauth/x";

/// The fixed loopback port of X's optional loopback redirect (X matches
/// redirect URIs exactly, port included, so it cannot be chosen at random).
pub const LOOPBACK_PORT: u16 = 47615;

/// How long CreatorFlow follows X's processing of a GIF or video.
pub const PROCESSING_HORIZON_SECS: u32 = 20 * 60;

/// Where the X client sends its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XEndpoints {
    /// `https://x.com` (authorize page).
    pub auth_base: Url,
    /// `https://api.x.com` (token, revoke, tweets, users, media).
    pub api_base: Url,
}

impl XEndpoints {
    pub fn production() -> Self {
        Self {
            auth_base: Url::parse("https://x.com").expect("static url"),
            api_base: Url::parse("https://api.x.com").expect("static url"),
        }
    }

    /// Both hosts under one base, as the sandbox serves them (`<base>/x`).
    pub fn under(base: &Url) -> Self {
        Self {
            auth_base: base.clone(),
            api_base: base.clone(),
        }
    }

    /// `base` joined with an absolute API path such as `/2/tweets`.
    pub fn api(&self, path: &str) -> Url {
        join(&self.api_base, path)
    }

    pub fn auth(&self, path: &str) -> Url {
        join(&self.auth_base, path)
    }
}

fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url
}

/// The scopes CreatorFlow asks X for, and why.
pub fn scopes() -> Vec<ScopeInfo> {
    [
        (
            "tweet.read",
            "read the posts you publish, to link to them and show how they do",
        ),
        ("tweet.write", "publish and delete posts for you"),
        ("users.read", "show your name, @handle and picture"),
        ("media.write", "upload the images you attach"),
        (
            "offline.access",
            "stay connected without asking you again every two hours",
        ),
    ]
    .into_iter()
    .map(|(scope, why)| ScopeInfo {
        scope: scope.to_owned(),
        why: why.to_owned(),
    })
    .collect()
}

/// X's OAuth 2.0 with PKCE for a public (Native App) client. The browser
/// comes back through the `creatorflow://` deep link, or, for an X app
/// registered with a loopback callback, to a one-shot listener on
/// 127.0.0.1:47615 (Settings → Platforms → X).
pub fn oauth_spec(endpoints: &XEndpoints) -> OAuthSpec {
    OAuthSpec {
        authorize_url: endpoints.auth("/i/oauth2/authorize"),
        token_url: endpoints.api("/2/oauth2/token"),
        revoke_url: Some(endpoints.api("/2/oauth2/revoke")),
        scopes: scopes(),
        scope_separator: " ",
        pkce: PkceStyle::S256,
        client_auth: ClientAuth::RequestBody,
        redirects: vec![
            RedirectStyle::DeepLink,
            RedirectStyle::Loopback {
                port: Some(LOOPBACK_PORT),
                path: "/oauth/x/callback".into(),
            },
        ],
        extra_authorize_params: vec![],
        needs_client_secret: false,
        products: Vec::new(),
    }
}

fn mimes(list: &[&str]) -> Vec<String> {
    list.iter().map(|m| (*m).to_owned()).collect()
}

/// X's rules, with `text_limit` weighted characters per post.
pub fn capabilities(text_limit: u32) -> Capabilities {
    Capabilities {
        text: TextRule {
            label: "Post".into(),
            limit: text_limit,
            counting: CountingRule::XWeighted,
        },
        media: vec![
            MediaRule {
                kind: MediaKind::Image,
                mime_types: mimes(&["image/jpeg", "image/png", "image/webp"]),
                max_count: validate::MAX_IMAGES as u32,
                max_bytes: validate::MAX_IMAGE_BYTES,
                min_duration_ms: None,
                max_duration_ms: None,
                min_aspect: None,
                max_aspect: None,
                alone: false,
            },
            MediaRule {
                kind: MediaKind::Gif,
                mime_types: mimes(&["image/gif"]),
                max_count: 1,
                max_bytes: validate::MAX_GIF_BYTES,
                min_duration_ms: None,
                max_duration_ms: None,
                min_aspect: None,
                max_aspect: None,
                alone: true,
            },
            MediaRule {
                kind: MediaKind::Video,
                mime_types: mimes(&["video/mp4", "video/quicktime"]),
                max_count: 1,
                max_bytes: validate::MAX_VIDEO_BYTES,
                min_duration_ms: Some(500),
                max_duration_ms: Some(validate::MAX_VIDEO_DURATION_MS),
                min_aspect: Some(1.0 / 3.0),
                max_aspect: Some(3.0),
                alone: true,
            },
        ],
        max_media: validate::MAX_IMAGES as u32,
        requires_media: false,
        supports_threads: true,
        can_delete: true,
        can_edit: false,
        needs_public_media: false,
        supports_cover: false,
        supports_alt_text: false,
        processing_horizon_secs: PROCESSING_HORIZON_SECS,
        publishing_available: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_join_under_a_prefix() {
        let base = Url::parse("http://127.0.0.1:9/x").expect("url");
        let e = XEndpoints::under(&base);
        assert_eq!(e.api("/2/tweets").as_str(), "http://127.0.0.1:9/x/2/tweets");
        assert_eq!(
            oauth_spec(&XEndpoints::production()).authorize_url.as_str(),
            "https://x.com/i/oauth2/authorize"
        );
    }
}
