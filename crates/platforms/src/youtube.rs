//! YouTube: Google OAuth for desktop apps and the YouTube Data API v3
//! (resumable `videos.insert`, `thumbnails.set`, `videos.list`,
//! `videos.update`, `videos.delete`, `channels.list`).
//! Contract: docs/platforms/youtube.md; Google's desktop redirect rules in
//! docs/platforms/desktop-oauth.md §4.4.
//!
//! A post is one video: the post's text is its description, the YouTube
//! options give the title, tags, category, privacy and the "made for kids"
//! answer, and the post's cover is the custom thumbnail.
//!
//! Publishing uploads the video in chunks (§2), sets the thumbnail (§6) and
//! answers [`crate::Outcome::Processing`]; the engine then calls
//! [`crate::Publisher::check`], which reads `videos.list` once (§4) and
//! answers published, still processing, or YouTube's reason for refusing it.
//!
//! Analytics reads a published video's views, likes and comments with
//! `videos.list?part=statistics` (§11, [`metrics_support`]).

mod checkpoint;
mod client;
mod errors;
mod metrics;
mod status;
mod upload;
mod validate;

pub use checkpoint::{CHECKPOINT_VERSION, ThumbnailState, UploadSession, YoutubeCheckpoint};
pub use client::YoutubeClient;
pub use errors::{GoogleError, YoutubeOperation, map_error, next_pacific_midnight};
pub use metrics::{METRICS, metrics_support, parse_statistics};
pub use status::{failure_words, rejection_words};
pub use upload::{CHUNK_GRANULARITY, DEFAULT_CHUNK_SIZE};
pub use validate::{
    MAX_DESCRIPTION_BYTES, MAX_TAGS_LENGTH, MAX_THUMBNAIL_BYTES, MAX_TITLE_CHARS, MAX_VIDEO_BYTES,
    MAX_VIDEO_DURATION_MS, counts, tags_length, validate_post, validate_update,
};

use url::Url;

use crate::auth::{
    AuthError, Authenticator, ClientAuth, OAuthSpec, PkceStyle, RedirectStyle, StandardOAuth,
};
use crate::types::{Capabilities, CountingRule, MediaKind, MediaRule, ScopeInfo, TextRule};

/// The path of the loopback redirect (any port on 127.0.0.1; Google accepts
/// any port for a Desktop client, desktop-oauth.md §4.4).
pub const REDIRECT_PATH: &str = "/oauth/youtube/callback";

/// How long CreatorFlow follows YouTube's processing of a video: long
/// enough for big videos (youtube.md §4.4: minutes to hours).
pub const PROCESSING_HORIZON_SECS: u32 = 12 * 3600;

/// `https://www.googleapis.com/auth/youtube.upload`.
pub const SCOPE_UPLOAD: &str = "https://www.googleapis.com/auth/youtube.upload";
/// `https://www.googleapis.com/auth/youtube.readonly`.
pub const SCOPE_READONLY: &str = "https://www.googleapis.com/auth/youtube.readonly";
/// `https://www.googleapis.com/auth/youtube.force-ssl`.
pub const SCOPE_FORCE_SSL: &str = "https://www.googleapis.com/auth/youtube.force-ssl";

/// Where the YouTube client sends its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YoutubeEndpoints {
    /// `https://accounts.google.com` (the authorize page).
    pub accounts: Url,
    /// `https://oauth2.googleapis.com` (token, revoke).
    pub oauth: Url,
    /// `https://www.googleapis.com` (the Data API and its `/upload/...` paths).
    pub api: Url,
    /// `https://www.youtube.com` (the watch page a published video links to).
    pub watch: Url,
}

impl YoutubeEndpoints {
    pub fn production() -> Self {
        Self {
            accounts: Url::parse("https://accounts.google.com").expect("static url"),
            oauth: Url::parse("https://oauth2.googleapis.com").expect("static url"),
            api: Url::parse("https://www.googleapis.com").expect("static url"),
            watch: Url::parse("https://www.youtube.com").expect("static url"),
        }
    }

    /// Every host under one base, as the sandbox serves them (the caller
    /// passes `<sandbox>/youtube`).
    pub fn under(base: &Url) -> Self {
        Self {
            accounts: base.clone(),
            oauth: base.clone(),
            api: base.clone(),
            watch: base.clone(),
        }
    }

    /// The API host joined with an absolute path such as `/youtube/v3/videos`.
    pub fn api(&self, path: &str) -> Url {
        join(&self.api, path)
    }

    /// The public page of a video: `{watch}/watch?v=ID`.
    pub fn watch_url(&self, video_id: &str) -> Url {
        let mut url = join(&self.watch, "/watch");
        url.query_pairs_mut().append_pair("v", video_id);
        url
    }
}

fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url.set_query(None);
    url
}

/// The scopes CreatorFlow asks Google for, and why (youtube.md §1.5).
pub fn scopes() -> Vec<ScopeInfo> {
    [
        (
            SCOPE_UPLOAD,
            "upload your videos to your channel and set their thumbnails",
        ),
        (
            SCOPE_READONLY,
            "show your channel's name and picture, see when YouTube has finished processing a \
             video you published, and read how your videos are doing (views, likes, comments), \
             for Analytics",
        ),
        (
            SCOPE_FORCE_SSL,
            "change or delete, when you ask, the videos you published from CreatorFlow",
        ),
    ]
    .into_iter()
    .map(|(scope, why)| ScopeInfo {
        scope: scope.to_owned(),
        why: why.to_owned(),
    })
    .collect()
}

/// Google's OAuth for installed apps (youtube.md §1; desktop-oauth.md §4.4):
/// standard base64url PKCE, a loopback redirect on any port, the Desktop
/// client's (non-confidential) secret in the form body, and
/// `access_type=offline` + `prompt=consent` so a refresh token comes back
/// every time (§1.2).
pub fn oauth_spec(endpoints: &YoutubeEndpoints) -> OAuthSpec {
    OAuthSpec {
        authorize_url: join(&endpoints.accounts, "/o/oauth2/v2/auth"),
        token_url: join(&endpoints.oauth, "/token"),
        revoke_url: Some(join(&endpoints.oauth, "/revoke")),
        scopes: scopes(),
        scope_separator: " ",
        pkce: PkceStyle::S256,
        client_auth: ClientAuth::RequestBody,
        redirects: vec![RedirectStyle::Loopback {
            port: None,
            path: REDIRECT_PATH.to_owned(),
        }],
        extra_authorize_params: vec![
            ("access_type".to_owned(), "offline".to_owned()),
            ("prompt".to_owned(), "consent".to_owned()),
        ],
        needs_client_secret: true,
        products: Vec::new(),
    }
}

/// What to tell the creator when Google refuses to renew the sign-in with
/// `invalid_grant` (youtube.md §1.3).
pub const REFRESH_REFUSED_MESSAGE: &str = "Google stopped accepting CreatorFlow's sign-in for \
    this YouTube channel. It was revoked, or it was not used for six months, or — when your \
    Google Cloud project's OAuth consent screen is in \"Testing\" status — Google ends sign-ins \
    after 7 days. Publish the app in Google Cloud (OAuth consent screen → Publish app), then \
    reconnect the channel.";

/// Google's sign-in: the standard steps, with Google's own words when a
/// refresh is refused.
pub struct YoutubeAuthenticator(pub StandardOAuth);

impl YoutubeAuthenticator {
    pub fn new(endpoints: &YoutubeEndpoints) -> Self {
        Self(StandardOAuth(oauth_spec(endpoints)))
    }
}

impl Authenticator for YoutubeAuthenticator {
    fn spec(&self) -> &OAuthSpec {
        self.0.spec()
    }

    /// `invalid_grant` is final (youtube.md §1.3): revoked, unused for six
    /// months, or a project in "Testing" whose refresh tokens live 7 days.
    fn refresh_refused(&self, error: &AuthError) -> String {
        match error {
            AuthError::Rejected { error, .. } if error == "invalid_grant" => {
                REFRESH_REFUSED_MESSAGE.to_owned()
            }
            AuthError::Rejected { error, .. } if error == "unauthorized_client" => {
                "Google refused to renew the sign-in for this YouTube channel: it was made with \
                 another OAuth client. Check the Google client ID and secret in Settings, then \
                 reconnect the channel."
                    .to_owned()
            }
            _ => "Google no longer accepts CreatorFlow's sign-in for this YouTube channel. \
                  Reconnect the channel."
                .to_owned(),
        }
    }
}

/// YouTube's rules for a post (youtube.md §2.4, §3.1, §6).
pub fn capabilities() -> Capabilities {
    Capabilities {
        text: TextRule {
            label: "Description".into(),
            limit: MAX_DESCRIPTION_BYTES as u32,
            counting: CountingRule::Bytes,
        },
        media: vec![MediaRule {
            kind: MediaKind::Video,
            mime_types: validate::VIDEO_TYPES
                .iter()
                .map(|m| (*m).to_owned())
                .collect(),
            max_count: 1,
            max_bytes: MAX_VIDEO_BYTES,
            min_duration_ms: None,
            max_duration_ms: Some(MAX_VIDEO_DURATION_MS),
            min_aspect: None,
            max_aspect: None,
            alone: true,
        }],
        max_media: 1,
        requires_media: true,
        supports_threads: false,
        can_delete: true,
        can_edit: true,
        needs_public_media: false,
        supports_cover: true,
        supports_alt_text: false,
        processing_horizon_secs: PROCESSING_HORIZON_SECS,
        publishing_available: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_and_sandbox_endpoints() {
        let p = YoutubeEndpoints::production();
        let spec = oauth_spec(&p);
        assert_eq!(
            spec.authorize_url.as_str(),
            "https://accounts.google.com/o/oauth2/v2/auth"
        );
        assert_eq!(
            spec.token_url.as_str(),
            "https://oauth2.googleapis.com/token"
        );
        assert_eq!(
            spec.revoke_url.as_ref().map(Url::as_str),
            Some("https://oauth2.googleapis.com/revoke")
        );
        assert_eq!(
            p.api("/youtube/v3/videos").as_str(),
            "https://www.googleapis.com/youtube/v3/videos"
        );
        assert_eq!(
            p.watch_url("dQw4w9WgXcQ").as_str(),
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        );
        let base = Url::parse("http://127.0.0.1:9/youtube").expect("url");
        let s = YoutubeEndpoints::under(&base);
        assert_eq!(
            s.api("/upload/youtube/v3/videos").as_str(),
            "http://127.0.0.1:9/youtube/upload/youtube/v3/videos"
        );
        assert_eq!(
            s.watch_url("abc").as_str(),
            "http://127.0.0.1:9/youtube/watch?v=abc"
        );
        assert_eq!(
            oauth_spec(&s).authorize_url.as_str(),
            "http://127.0.0.1:9/youtube/o/oauth2/v2/auth"
        );
    }

    #[test]
    fn spec_is_googles_desktop_flow() {
        let spec = oauth_spec(&YoutubeEndpoints::production());
        assert_eq!(spec.pkce, PkceStyle::S256);
        assert!(spec.needs_client_secret);
        assert_eq!(
            spec.redirects,
            vec![RedirectStyle::Loopback {
                port: None,
                path: "/oauth/youtube/callback".into()
            }]
        );
        let scopes: Vec<&str> = spec.scopes.iter().map(|s| s.scope.as_str()).collect();
        assert_eq!(scopes, [SCOPE_UPLOAD, SCOPE_READONLY, SCOPE_FORCE_SSL]);
        assert!(spec.scopes.iter().all(|s| !s.why.is_empty()));
        // Reading a video's numbers needs no scope CreatorFlow does not ask for.
        let read = &spec.scopes[1];
        assert!(read.why.contains("for Analytics"), "{}", read.why);
        assert!(metrics_support().scopes.iter().all(|s| scopes.contains(s)));
    }

    #[test]
    fn invalid_grant_explains_the_testing_status() {
        let auth = YoutubeAuthenticator::new(&YoutubeEndpoints::production());
        let msg = auth.refresh_refused(&AuthError::Rejected {
            error: "invalid_grant".into(),
            description: Some("Token has been expired or revoked.".into()),
        });
        assert!(msg.contains("\"Testing\""), "{msg}");
        assert!(msg.contains("7 days"));
        assert!(msg.contains("six months"));
        assert!(msg.contains("reconnect"));
        let other = auth.refresh_refused(&AuthError::Rejected {
            error: "invalid_client".into(),
            description: None,
        });
        assert!(!other.contains("Testing"));
    }

    #[test]
    fn capabilities_of_a_video_post() {
        let c = capabilities();
        assert_eq!(c.text.limit, 5000);
        assert_eq!(c.text.counting, CountingRule::Bytes);
        assert_eq!(c.text.label, "Description");
        let v = c.media_rule(MediaKind::Video).expect("video rule");
        assert_eq!(v.mime_types, ["video/mp4", "video/quicktime"]);
        assert_eq!(v.max_bytes, 256 * 1024 * 1024 * 1024);
        assert_eq!(v.max_duration_ms, Some(12 * 3600 * 1000));
        assert!(v.alone && c.requires_media && c.can_delete && c.can_edit && c.supports_cover);
        assert!(!c.needs_public_media && c.publishing_available);
        assert!(c.media_rule(MediaKind::Image).is_none());
    }
}
