//! TikTok: Login Kit v2 for desktop apps and the Content Posting API
//! (creator info, direct post of a video with `FILE_UPLOAD`, chunked `PUT`s,
//! `status/fetch`). Contract: docs/platforms/tiktok.md; TikTok's desktop
//! redirect rules in docs/platforms/desktop-oauth.md §4.6.
//!
//! A post is one video, posted directly to the creator's profile: the
//! post's text is its caption, the TikTok options carry what TikTok's
//! content-sharing guidelines make the creator choose (who can see it, no
//! default; comments, duets and stitches; the commercial-content
//! disclosure).
//!
//! Publishing asks for the creator's current limits first (§3: privacy
//! levels on offer, interactions they turned off, longest video), so a post
//! that no longer fits fails before any byte is sent; then it initializes
//! the post, streams the file from disk in chunks that follow TikTok's rules
//! ([`ChunkPlan`], §6), recording each chunk TikTok acknowledged, and answers
//! [`crate::Outcome::Processing`]. [`crate::Publisher::check`] follows
//! `status/fetch` (§8) until `PUBLISH_COMPLETE` or `FAILED`.
//!
//! Photo posts are not offered: TikTok pulls photos only from a URL on a
//! domain the creator verified with TikTok (§7), which needs a public media
//! host CreatorFlow does not have yet. TikTok's API cannot delete a post
//! (§9), so the capabilities say so.
//!
//! Analytics read a video's views, likes, comments and shares from the
//! Display API's Query Videos (§13, scope `video.list`), by the public video
//! id a post gets once TikTok shows it to others.

mod checkpoint;
mod chunks;
mod client;
mod errors;
mod metrics;
mod validate;

pub use checkpoint::{CHECKPOINT_VERSION, TiktokCheckpoint};
pub use chunks::{
    ChunkPlan, DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MAX_CHUNKS, MAX_FINAL_CHUNK_SIZE, MB,
    MIN_CHUNK_SIZE,
};
pub use client::{CreatorInfo, TiktokClient};
pub use errors::{TiktokOperation, fail_reason_words, map_error};
pub use metrics::{COUNTS, QUERY_FIELDS, is_video_id, not_public_yet, read_counts};
pub use validate::{
    MAX_CAPTION_LENGTH, MAX_VIDEO_BYTES, MAX_VIDEO_DURATION_MS, VIDEO_TYPES, privacy_label,
    validate_post,
};

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use url::Url;

use crate::auth::{
    AuthError, Authenticator, Authorization, ClientAuth, OAuthSpec, PkceStyle, RedirectStyle,
    TokenSet, random_token, standard,
};
use crate::types::{
    Capabilities, ClientCredentials, CountingRule, MediaKind, MediaRule, ScopeInfo, TextRule,
};

/// The path of the loopback redirect. TikTok's Desktop platform takes
/// loopback redirect URIs with the wildcard port `*` (desktop-oauth.md
/// §4.6), so the creator registers
/// `http://127.0.0.1:*/oauth/tiktok/callback` and any free port works.
pub const REDIRECT_PATH: &str = "/oauth/tiktok/callback";

/// How long CreatorFlow follows TikTok's processing of a video: a 4 GB
/// video takes a few minutes (§8); public posts also wait for moderation.
pub const PROCESSING_HORIZON_SECS: u32 = 2 * 3600;

/// `user.info.basic`, `video.publish`, `video.upload` (§1.2), and
/// `video.list` for Analytics (§13).
pub const SCOPE_USER_INFO: &str = "user.info.basic";
pub const SCOPE_PUBLISH: &str = "video.publish";
pub const SCOPE_UPLOAD: &str = "video.upload";
pub const SCOPE_VIDEO_LIST: &str = "video.list";

/// What to tell the creator when TikTok will not renew the sign-in.
pub const REFRESH_REFUSED_MESSAGE: &str = "TikTok no longer accepts CreatorFlow's sign-in for \
    this account: it was revoked, or it was not renewed for too long (TikTok's refresh tokens \
    last up to a year). Reconnect the account.";

/// Where the TikTok client sends its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TiktokEndpoints {
    /// `https://www.tiktok.com`: the authorize page and public post pages.
    pub www: Url,
    /// `https://open.tiktokapis.com`: OAuth token endpoints and `/v2/` APIs.
    pub api: Url,
}

impl TiktokEndpoints {
    pub fn production() -> Self {
        Self {
            www: Url::parse("https://www.tiktok.com").expect("static url"),
            api: Url::parse("https://open.tiktokapis.com").expect("static url"),
        }
    }

    /// Both hosts under one base, as the sandbox serves them (the caller
    /// passes `<sandbox>/tiktok`).
    pub fn under(base: &Url) -> Self {
        Self {
            www: base.clone(),
            api: base.clone(),
        }
    }

    /// The API host joined with an absolute path such as `/v2/user/info/`.
    pub fn api(&self, path: &str) -> Url {
        join(&self.api, path)
    }

    /// The public page of a post: `https://www.tiktok.com/@{username}/video/{id}` (§8).
    pub fn post_url(&self, username: &str, post_id: &str) -> Url {
        join(&self.www, &format!("/@{username}/video/{post_id}"))
    }

    /// The creator's public profile: `https://www.tiktok.com/@{username}`.
    pub fn profile_url(&self, username: &str) -> Url {
        join(&self.www, &format!("/@{username}"))
    }
}

fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url.set_query(None);
    url
}

/// The scopes CreatorFlow asks TikTok for, and why (§1.2, §13).
pub fn scopes() -> Vec<ScopeInfo> {
    [
        (
            SCOPE_USER_INFO,
            "show your TikTok name and picture in CreatorFlow",
        ),
        (
            SCOPE_PUBLISH,
            "post the videos you schedule directly to your profile, with the privacy and \
             settings you pick",
        ),
        (
            SCOPE_UPLOAD,
            "upload your videos to TikTok (TikTok asks for it with direct posting)",
        ),
        (
            SCOPE_VIDEO_LIST,
            "read how your videos are doing on TikTok (views, likes, comments and shares), \
             for Analytics",
        ),
    ]
    .into_iter()
    .map(|(scope, why)| ScopeInfo {
        scope: scope.to_owned(),
        why: why.to_owned(),
    })
    .collect()
}

/// Login Kit for desktop (§1): `client_key` instead of `client_id`,
/// comma-separated scopes, PKCE with a hex-encoded challenge, the client
/// secret in the form body (TikTok requires it even for desktop apps), a
/// loopback redirect on any port.
pub fn oauth_spec(endpoints: &TiktokEndpoints) -> OAuthSpec {
    OAuthSpec {
        authorize_url: join(&endpoints.www, "/v2/auth/authorize/"),
        token_url: endpoints.api("/v2/oauth/token/"),
        revoke_url: Some(endpoints.api("/v2/oauth/revoke/")),
        scopes: scopes(),
        scope_separator: ",",
        pkce: PkceStyle::S256Hex,
        client_auth: ClientAuth::RequestBody,
        redirects: vec![RedirectStyle::Loopback {
            port: None,
            path: REDIRECT_PATH.to_owned(),
        }],
        extra_authorize_params: vec![],
        needs_client_secret: true,
        products: Vec::new(),
    }
}

/// TikTok's sign-in. Every step is TikTok's own (§1): the standard OAuth
/// client would send `client_id`, which TikTok does not read.
pub struct TiktokAuthenticator {
    spec: OAuthSpec,
}

impl TiktokAuthenticator {
    pub fn new(endpoints: &TiktokEndpoints) -> Self {
        Self {
            spec: oauth_spec(endpoints),
        }
    }

    async fn token_request(
        &self,
        form: &[(&str, &str)],
        previous: Option<&TokenSet>,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        let resp = standard::http()
            .post(self.spec.token_url.clone())
            .form(form)
            .send()
            .await
            .map_err(|e| AuthError::Unreachable(standard::describe_transport(&e)))?;
        let status = resp.status().as_u16();
        let body = resp
            .bytes()
            .await
            .map_err(|e| AuthError::Unreachable(standard::describe_transport(&e)))?;
        parse_token_answer(status, &body, previous, now)
    }
}

/// TikTok's token answer (§1.3): `{access_token, expires_in, refresh_token,
/// refresh_expires_in, scope, open_id}`, or `{error, error_description}`
/// (whatever the HTTP status says).
pub fn parse_token_answer(
    status: u16,
    body: &[u8],
    previous: Option<&TokenSet>,
    now: DateTime<Utc>,
) -> Result<TokenSet, AuthError> {
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default)]
        access_token: Option<String>,
        #[serde(default)]
        expires_in: Option<i64>,
        #[serde(default)]
        refresh_token: Option<String>,
        #[serde(default)]
        refresh_expires_in: Option<i64>,
        #[serde(default)]
        scope: Option<String>,
        #[serde(default)]
        error: Option<String>,
        #[serde(default)]
        error_description: Option<String>,
    }
    let Ok(a) = serde_json::from_slice::<Answer>(body) else {
        return Err(AuthError::Unreachable(format!(
            "TikTok sent an unreadable answer (HTTP {status})"
        )));
    };
    if let Some(error) = a.error.filter(|e| !e.is_empty() && e != "ok") {
        return Err(AuthError::Rejected {
            error,
            description: a.error_description.filter(|d| !d.is_empty()),
        });
    }
    if status >= 500 {
        return Err(AuthError::Unreachable(format!("HTTP {status}")));
    }
    let Some(access_token) = a.access_token.filter(|t| !t.is_empty()) else {
        return Err(AuthError::Unreachable(format!(
            "TikTok sent no access token (HTTP {status})"
        )));
    };
    let refresh_token = a
        .refresh_token
        .filter(|t| !t.is_empty())
        .or_else(|| previous.and_then(|p| p.refresh_token.clone()));
    Ok(TokenSet {
        access_token,
        refresh_expires_at: a
            .refresh_expires_in
            .filter(|s| *s > 0)
            .map(|s| now + Duration::seconds(s))
            .or_else(|| previous.and_then(|p| p.refresh_expires_at)),
        refresh_token,
        expires_at: a
            .expires_in
            .filter(|s| *s > 0)
            .map(|s| now + Duration::seconds(s)),
        issued_at: Some(now),
        scopes: a
            .scope
            .map(|s| {
                s.split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .or_else(|| previous.map(|p| p.scopes.clone()))
            .unwrap_or_default(),
    })
}

fn secret_of(client: &ClientCredentials) -> Result<&str, AuthError> {
    client
        .client_secret
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AuthError::Config(
                "TikTok needs the app's client secret (Settings → Platforms → TikTok)".into(),
            )
        })
}

#[async_trait::async_trait]
impl Authenticator for TiktokAuthenticator {
    fn spec(&self) -> &OAuthSpec {
        &self.spec
    }

    /// `client_key`, comma-separated scopes, `code_challenge` = hex of
    /// SHA-256 of the verifier (§1.2).
    fn authorize(
        &self,
        client: &ClientCredentials,
        redirect_uri: &str,
        state: &str,
    ) -> Result<Authorization, AuthError> {
        use sha2::Digest;
        // 64 characters of [A-Za-z0-9-_]: within TikTok's 43 to 128.
        let verifier = random_token(64);
        let challenge = hex::encode(sha2::Sha256::digest(verifier.as_bytes()));
        let scope = self
            .spec
            .scopes
            .iter()
            .map(|s| s.scope.as_str())
            .collect::<Vec<_>>()
            .join(self.spec.scope_separator);
        let mut url = self.spec.authorize_url.clone();
        url.query_pairs_mut()
            .append_pair("client_key", &client.client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", &scope)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(Authorization { url, verifier })
    }

    async fn exchange_code(
        &self,
        client: &ClientCredentials,
        redirect_uri: &str,
        code: &str,
        verifier: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        let secret = secret_of(client)?;
        self.token_request(
            &[
                ("client_key", client.client_id.as_str()),
                ("client_secret", secret),
                ("code", code),
                ("grant_type", "authorization_code"),
                ("redirect_uri", redirect_uri),
                ("code_verifier", verifier),
            ],
            None,
            now,
        )
        .await
    }

    /// A refresh returns a new refresh token where TikTok rotates them
    /// (§1.4): the newest one is kept, the old one is dead.
    async fn refresh(
        &self,
        client: &ClientCredentials,
        tokens: &TokenSet,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, AuthError> {
        let Some(refresh) = tokens.refresh_token.as_deref() else {
            return Err(AuthError::CannotRefresh);
        };
        if tokens.refresh_expires_at.is_some_and(|at| at <= now) {
            return Err(AuthError::CannotRefresh);
        }
        let secret = secret_of(client)?;
        self.token_request(
            &[
                ("client_key", client.client_id.as_str()),
                ("client_secret", secret),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
            ],
            Some(tokens),
            now,
        )
        .await
    }

    /// `POST /v2/oauth/revoke/` with `client_key`, `client_secret`, `token`
    /// (the access token, §1.5).
    async fn revoke(&self, client: &ClientCredentials, tokens: &TokenSet) -> Result<(), AuthError> {
        let Some(url) = self.spec.revoke_url.clone() else {
            return Ok(());
        };
        let secret = secret_of(client)?;
        let resp = standard::http()
            .post(url)
            .form(&[
                ("client_key", client.client_id.as_str()),
                ("client_secret", secret),
                ("token", tokens.access_token.as_str()),
            ])
            .send()
            .await
            .map_err(|e| AuthError::Unreachable(standard::describe_transport(&e)))?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.unwrap_or_default();
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            error: Option<String>,
            #[serde(default)]
            error_description: Option<String>,
        }
        match serde_json::from_slice::<Answer>(&body) {
            Ok(Answer {
                error: Some(error),
                error_description,
            }) if !error.is_empty() && error != "ok" => Err(AuthError::Rejected {
                error,
                description: error_description,
            }),
            _ if (200..300).contains(&status) => Ok(()),
            _ => Err(AuthError::Unreachable(format!("HTTP {status}"))),
        }
    }

    fn refresh_refused(&self, _error: &AuthError) -> String {
        REFRESH_REFUSED_MESSAGE.to_owned()
    }
}

/// TikTok's rules for a post (§4, §6.3): one video, its caption counted in
/// UTF-16 code units; no delete, no edit; photos need a public media host
/// (§7) and are not offered.
pub fn capabilities() -> Capabilities {
    Capabilities {
        text: TextRule {
            label: "Caption".into(),
            limit: MAX_CAPTION_LENGTH as u32,
            counting: CountingRule::Utf16,
        },
        media: vec![MediaRule {
            kind: MediaKind::Video,
            mime_types: VIDEO_TYPES.iter().map(|m| (*m).to_owned()).collect(),
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
        can_delete: false,
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
    fn production_and_sandbox_endpoints() {
        let p = TiktokEndpoints::production();
        let spec = oauth_spec(&p);
        assert_eq!(
            spec.authorize_url.as_str(),
            "https://www.tiktok.com/v2/auth/authorize/"
        );
        assert_eq!(
            spec.token_url.as_str(),
            "https://open.tiktokapis.com/v2/oauth/token/"
        );
        assert_eq!(
            p.post_url("creator", "7300000000000000001").as_str(),
            "https://www.tiktok.com/@creator/video/7300000000000000001"
        );
        let s = TiktokEndpoints::under(&Url::parse("http://127.0.0.1:9/tiktok").expect("url"));
        assert_eq!(
            s.api("/v2/post/publish/video/init/").as_str(),
            "http://127.0.0.1:9/tiktok/v2/post/publish/video/init/"
        );
    }

    #[test]
    fn authorize_uses_client_key_comma_scopes_and_a_hex_challenge() {
        let auth = TiktokAuthenticator::new(&TiktokEndpoints::production());
        let client = ClientCredentials {
            client_id: "awkey".into(),
            client_secret: Some("secret".into()),
            product: None,
        };
        let a = auth
            .authorize(&client, "http://127.0.0.1:5000/oauth/tiktok/callback", "st")
            .expect("url");
        let q: std::collections::HashMap<String, String> =
            a.url.query_pairs().into_owned().collect();
        assert_eq!(q["client_key"], "awkey");
        assert!(!q.contains_key("client_id"));
        assert_eq!(
            q["scope"],
            "user.info.basic,video.publish,video.upload,video.list"
        );
        assert_eq!(q["code_challenge_method"], "S256");
        let c = &q["code_challenge"];
        assert_eq!(c.len(), 64);
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        use sha2::Digest;
        assert_eq!(*c, hex::encode(sha2::Sha256::digest(a.verifier.as_bytes())));
        assert!((43..=128).contains(&a.verifier.len()));
        assert!(!q.values().any(|v| v.contains("secret")));
    }

    #[test]
    fn token_answers_rotate_and_errors_are_read_whatever_the_status() {
        let now = Utc::now();
        let t = parse_token_answer(
            200,
            br#"{"open_id":"o","scope":"user.info.basic,video.publish","access_token":"act.1",
                "expires_in":86400,"refresh_token":"rft.1","refresh_expires_in":31536000,
                "token_type":"Bearer"}"#,
            None,
            now,
        )
        .expect("tokens");
        assert_eq!(t.scopes, ["user.info.basic", "video.publish"]);
        assert_eq!(t.expires_at, Some(now + Duration::hours(24)));
        assert_eq!(t.refresh_expires_at, Some(now + Duration::days(365)));
        let rotated = parse_token_answer(
            200,
            br#"{"access_token":"act.2","expires_in":7200,"refresh_token":"rft.2","refresh_expires_in":15552000}"#,
            Some(&t),
            now,
        )
        .expect("refreshed");
        assert_eq!(rotated.refresh_token.as_deref(), Some("rft.2"));
        assert_eq!(rotated.scopes, t.scopes, "scopes kept when not sent");
        let e = parse_token_answer(
            200,
            br#"{"error":"invalid_grant","error_description":"Refresh token is invalid.","log_id":"x"}"#,
            Some(&t),
            now,
        )
        .expect_err("refused");
        assert_eq!(
            e,
            AuthError::Rejected {
                error: "invalid_grant".into(),
                description: Some("Refresh token is invalid.".into())
            }
        );
        assert!(matches!(
            parse_token_answer(502, b"<html>", None, now),
            Err(AuthError::Unreachable(_))
        ));
    }

    #[test]
    fn capabilities_of_a_video_post_without_delete() {
        let c = capabilities();
        assert_eq!(c.text.limit, 2200);
        assert_eq!(c.text.counting, CountingRule::Utf16);
        assert!(!c.can_delete && !c.can_edit);
        assert!(c.requires_media && c.publishing_available);
        assert!(c.media_rule(MediaKind::Image).is_none(), "no photos yet");
        let v = c.media_rule(MediaKind::Video).expect("video");
        assert_eq!(v.mime_types, ["video/mp4", "video/quicktime", "video/webm"]);
    }
}
