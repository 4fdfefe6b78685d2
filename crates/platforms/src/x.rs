//! X (Twitter) API v2: OAuth 2.0 with PKCE, posts, threads, media upload.
//! Contract: shared/platforms/x-linkedin-oauth.md §1.

mod checkpoint;
mod client;
mod errors;
mod media;
mod validate;

pub use checkpoint::{ChunkedUpload, InFlight, UploadedMedia, XCheckpoint};
pub use client::XClient;
pub use errors::{XErrorBody, XOperation, map_error, retry_at};
pub use media::{CHUNK_SIZE, SIMPLE_UPLOAD_MAX};
pub use validate::{
    MAX_GIF_BYTES, MAX_IMAGE_BYTES, MAX_IMAGES, MAX_VIDEO_BYTES, XMediaKind, validate_post,
};

use url::Url;

use crate::types::{
    Capabilities, ClientAuth, CountingRule, OAuthSpec, PkceStyle, RedirectStyle, ScopeInfo,
};

/// The deep link X redirects back to (registered in the X developer portal).
pub const REDIRECT_URI: &str = "creatorflow://oauth/x";

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
        ("tweet.read", "read the posts you publish, to link to them"),
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

pub fn oauth_spec(endpoints: &XEndpoints) -> OAuthSpec {
    OAuthSpec {
        authorize_url: endpoints.auth("/i/oauth2/authorize"),
        token_url: endpoints.api("/2/oauth2/token"),
        scopes: scopes(),
        scope_separator: " ",
        pkce: PkceStyle::S256,
        client_auth: ClientAuth::RequestBody,
        redirect: RedirectStyle::DeepLink,
        extra_authorize_params: vec![],
        needs_client_secret: false,
    }
}

pub fn capabilities() -> Capabilities {
    Capabilities {
        text_limit: crate::text::x_weighted::MAX_WEIGHTED_LENGTH as u32,
        counting: CountingRule::XWeighted,
        max_images: validate::MAX_IMAGES as u32,
        max_image_bytes: validate::MAX_IMAGE_BYTES,
        image_types: vec![
            "image/jpeg".into(),
            "image/png".into(),
            "image/webp".into(),
            "image/gif".into(),
        ],
        supports_threads: true,
        requires_media: false,
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
