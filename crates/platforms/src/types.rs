//! Types shared by every network's client.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use url::Url;

/// The networks CreatorFlow publishes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    X,
    Linkedin,
    Instagram,
    Tiktok,
    Youtube,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::Instagram,
        Platform::X,
        Platform::Linkedin,
        Platform::Tiktok,
        Platform::Youtube,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::X => "x",
            Platform::Linkedin => "linkedin",
            Platform::Instagram => "instagram",
            Platform::Tiktok => "tiktok",
            Platform::Youtube => "youtube",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Platform::X => "X",
            Platform::Linkedin => "LinkedIn",
            Platform::Instagram => "Instagram",
            Platform::Tiktok => "TikTok",
            Platform::Youtube => "YouTube",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// A bearer token. Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value, for an `Authorization` header. Never log it.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// The developer app's credentials. Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: Option<String>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// How the authorization code's PKCE challenge is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PkceStyle {
    /// RFC 7636 S256: BASE64URL(SHA256(verifier)).
    S256,
    /// TikTok desktop: lowercase hex of SHA256(verifier), method "S256".
    S256Hex,
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// Public client: `client_id` (and a secret, if any) in the form body.
    RequestBody,
    /// Confidential client: HTTP Basic with id and secret.
    BasicAuth,
}

/// How the platform's redirect reaches the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectStyle {
    /// `creatorflow://oauth/<platform>` through the OS (deep link).
    DeepLink,
    /// A one-shot listener on 127.0.0.1; `port: None` = any free port (the
    /// platform accepts any loopback port), `Some(p)` = the registered port.
    Loopback { port: Option<u16>, path: String },
}

/// Everything the engine's OAuth machinery needs to know about a network.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthSpec {
    pub authorize_url: Url,
    pub token_url: Url,
    pub scopes: Vec<ScopeInfo>,
    pub scope_separator: &'static str,
    pub pkce: PkceStyle,
    pub client_auth: ClientAuth,
    pub redirect: RedirectStyle,
    /// Extra query parameters on the authorize URL.
    pub extra_authorize_params: Vec<(String, String)>,
    /// The client needs a secret (the user must enter one in Settings).
    pub needs_client_secret: bool,
}

/// A scope the app asks for, and why, in words for the consent explainer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScopeInfo {
    pub scope: String,
    pub why: String,
}

/// Who a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub platform_user_id: String,
    pub username: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
}

/// A media file on disk, already copied into the app's media folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    pub path: PathBuf,
    /// The name the creator knows the file by (messages use it).
    pub name: Option<String>,
    pub mime: String,
    pub size: u64,
    pub sha256: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// What to publish on one account.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishRequest {
    /// The text (for X, the first part of a thread).
    pub text: String,
    /// X: further parts, each a reply to the one before.
    pub thread: Vec<String>,
    pub media: Vec<MediaFile>,
    /// Network-specific options (privacy, titles, ...), as the composer set them.
    pub options: serde_json::Value,
}

/// A post that went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub remote_id: String,
    pub url: Option<String>,
}

/// The answer of [`crate::Publisher::reconcile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    /// It went out: here it is.
    Published(Published),
    /// It did not go out: publishing again is safe.
    NotPublished,
    /// The platform cannot tell us: ask the user.
    Unknown,
}

/// How a network counts text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CountingRule {
    /// twitter-text v3 weighted length (URLs 23, emoji and CJK 2).
    XWeighted,
    /// Unicode characters.
    Characters,
    /// UTF-16 code units.
    Utf16,
    /// UTF-8 bytes.
    Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub text_limit: u32,
    pub counting: CountingRule,
    pub max_images: u32,
    pub max_image_bytes: u64,
    pub image_types: Vec<String>,
    pub supports_threads: bool,
    pub requires_media: bool,
    /// CreatorFlow can publish to this network in this version.
    pub publishing_available: bool,
}

/// One problem with a post for one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ValidationIssue {
    /// Stable code, e.g. `text_too_long`.
    pub code: String,
    /// What is wrong and how to fix it, naming the network.
    pub message: String,
    /// Which thread part (0 = the main text), if it is about one.
    pub part: Option<u32>,
}
