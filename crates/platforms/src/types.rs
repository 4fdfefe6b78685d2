//! Types shared by every network's client.

use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::options::PlatformOptions;

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

    /// How an account is named in messages: `@handle` where the network has
    /// public handles, the name as it is where it has none (LinkedIn).
    pub fn handle(self, username: &str) -> String {
        match self {
            Platform::Linkedin => username.to_owned(),
            _ => format!("@{username}"),
        }
    }

    /// Where a creator registers their own developer app for this network.
    pub fn portal_url(self) -> &'static str {
        match self {
            Platform::X => "https://developer.x.com/en/portal/dashboard",
            Platform::Linkedin => "https://www.linkedin.com/developers/apps",
            Platform::Instagram => "https://developers.facebook.com/apps",
            Platform::Tiktok => "https://developers.tiktok.com/apps",
            Platform::Youtube => "https://console.cloud.google.com/apis/credentials",
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
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Which of the network's sign-in products this app uses, where the
    /// network has several (see [`crate::OAuthSpec::products`]); `None`:
    /// the first one.
    pub product: Option<String>,
}

impl ClientCredentials {
    pub fn new(client_id: impl Into<String>, client_secret: Option<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            product: None,
        }
    }

    pub fn with_product(mut self, product: Option<String>) -> Self {
        self.product = product;
        self
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("product", &self.product)
            .finish()
    }
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
    /// The e-mail the network shows for the account, if it gives one.
    pub email: Option<String>,
}

/// A choice a network offers, in its own value and in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What an account may post right now, as the network says when asked
/// (TikTok's creator info): the composer shows it, and the client checks a
/// post against it again before publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PostingInfo {
    /// The name the network shows for the account (TikTok's nickname).
    pub display_name: String,
    pub avatar_url: Option<String>,
    /// Who may see a post: the levels the network offers this account now,
    /// in its order.
    pub privacy_choices: Vec<Choice>,
    /// Interactions the account has turned off at the network (`comment`,
    /// `duet`, `stitch`): the composer cannot turn them on.
    pub interactions_off: Vec<String>,
    /// The longest video the account may post.
    pub max_video_duration_ms: Option<u64>,
}

/// What kind of media a file is, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Gif,
    Video,
    Document,
}

impl MediaKind {
    /// From a MIME type CreatorFlow takes in; `None` for anything else.
    pub fn of_mime(mime: &str) -> Option<Self> {
        let mime = mime.trim().to_ascii_lowercase();
        match mime.as_str() {
            "image/gif" => Some(Self::Gif),
            "application/pdf" => Some(Self::Document),
            m if m.starts_with("image/") => Some(Self::Image),
            m if m.starts_with("video/") => Some(Self::Video),
            _ => None,
        }
    }

    /// The word used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Gif => "GIF",
            Self::Video => "video",
            Self::Document => "document",
        }
    }
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
    /// Videos: how long it plays.
    pub duration_ms: Option<u64>,
    /// Videos: the video track's codec (`avc1`, `hvc1`, ...).
    pub codec: Option<String>,
    /// What the picture shows, for people who cannot see it.
    pub alt_text: Option<String>,
}

impl MediaFile {
    pub fn kind(&self) -> Option<MediaKind> {
        MediaKind::of_mime(&self.mime)
    }

    /// The name to show in messages: the creator's file name, else the stored one.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| crate::support::files::file_name(&self.path))
    }
}

/// The account a post goes out on, as the network knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteAccount {
    /// The network's id of the account (X user id, YouTube channel id, ...).
    pub id: String,
    /// Its handle, without `@`.
    pub username: String,
    /// The permissions the account's sign-in was granted (they also tell
    /// which sign-in product it came from, where a network has several).
    pub scopes: Vec<String>,
}

/// What to publish on one account. The same request is validated at compose
/// time and published later: nothing is added or dropped in between.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishRequest {
    pub account: RemoteAccount,
    /// The text for this account (its own variant, or the post's base text).
    /// YouTube uses it as the video's description.
    pub text: String,
    pub media: Vec<MediaFile>,
    /// A cover image (YouTube's custom thumbnail), where the options name one.
    pub cover: Option<MediaFile>,
    /// This network's own options, as the composer set them.
    pub options: PlatformOptions,
}

/// A post that went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub remote_id: String,
    pub url: Option<String>,
    /// Something the creator should know about the live post, in words (for
    /// example that YouTube kept the video private).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The network tells more about the live post later (TikTok's public
    /// link, once it has moderated the post): the engine calls
    /// [`crate::Publisher::check`] again at this time, with the checkpoint
    /// kept, and takes the id, link and note it answers then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_at: Option<DateTime<Utc>>,
}

impl Published {
    pub fn new(remote_id: impl Into<String>, url: Option<String>) -> Self {
        Self {
            remote_id: remote_id.into(),
            url,
            note: None,
            follow_up_at: None,
        }
    }
}

/// A media file put on the creator's media host for a network that fetches
/// media itself (Instagram). The engine removes it once the post is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedMedia {
    /// Where the network can fetch it (a public or presigned URL).
    pub url: String,
    /// When the URL stops working (presigned URLs), if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The network accepted the post and finishes it later (YouTube processing
/// a video, Instagram building a container, TikTok's status): check back at
/// `check_at` with [`crate::Publisher::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processing {
    pub check_at: DateTime<Utc>,
    /// Where the network stands, in its own words ("Processing the video, 40 %").
    pub stage: String,
}

/// How a publish (or a check) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Published(Published),
    Processing(Processing),
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

impl CountingRule {
    /// The length of `text` by this rule.
    pub fn count(self, text: &str) -> usize {
        match self {
            Self::XWeighted => crate::text::x_weighted::weighted_length(text),
            Self::Characters => text.chars().count(),
            Self::Utf16 => text.encode_utf16().count(),
            Self::Bytes => text.len(),
        }
    }

    /// The unit in messages ("characters", "bytes").
    pub fn unit(self) -> &'static str {
        match self {
            Self::Bytes => "bytes",
            _ => "characters",
        }
    }
}

/// The rules for the post's text on a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TextRule {
    /// What the network calls the text ("Post", "Description").
    pub label: String,
    pub limit: u32,
    pub counting: CountingRule,
}

/// What a network takes of one media kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MediaRule {
    pub kind: MediaKind,
    /// MIME types of this kind the network takes.
    pub mime_types: Vec<String>,
    /// How many files of this kind one post may have.
    pub max_count: u32,
    pub max_bytes: u64,
    pub min_duration_ms: Option<u64>,
    pub max_duration_ms: Option<u64>,
    /// Width / height bounds, where the network sets them.
    pub min_aspect: Option<f64>,
    pub max_aspect: Option<f64>,
    /// A file of this kind must be the post's only media.
    pub alone: bool,
}

/// What a network takes and allows, for the composer and the engine.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub text: TextRule,
    /// One rule per media kind it takes; a kind not listed is refused.
    pub media: Vec<MediaRule>,
    /// Media files per post, all kinds together.
    pub max_media: u32,
    pub requires_media: bool,
    /// A post can be a thread (further parts, each a reply).
    pub supports_threads: bool,
    /// A published post can be deleted at the network from CreatorFlow.
    pub can_delete: bool,
    /// A published post's text and options can be changed at the network.
    pub can_edit: bool,
    /// The network fetches media from a public URL (a media host is needed).
    pub needs_public_media: bool,
    /// The options can name a cover image (thumbnail).
    pub supports_cover: bool,
    /// Pictures can carry alt text (what the picture shows) to the network.
    pub supports_alt_text: bool,
    /// How long CreatorFlow follows the network's processing of a post
    /// before it gives up on it, in seconds.
    pub processing_horizon_secs: u32,
    /// CreatorFlow can publish to this network in this version.
    pub publishing_available: bool,
}

impl Capabilities {
    pub fn media_rule(&self, kind: MediaKind) -> Option<&MediaRule> {
        self.media.iter().find(|r| r.kind == kind)
    }
}

/// One counted field of a post for one network, for the composer's counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldCount {
    /// Stable key: `text`, `thread.1` (the second part of a thread), `title`, `tags`.
    pub field: String,
    /// What the creator calls it ("Title", "Part 2").
    pub label: String,
    pub used: u32,
    pub limit: u32,
    pub counting: CountingRule,
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
    /// The field it is about (see [`FieldCount::field`]), if one.
    pub field: Option<String>,
}

impl ValidationIssue {
    pub fn new(code: &str, message: impl Into<String>, field: Option<&str>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }
}

/// "6.2 MB", "5 MB", "2 GB" (binary units, as the networks state limits).
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    const GB: u64 = 1024 * MB;
    let (unit, name) = if bytes >= GB { (GB, "GB") } else { (MB, "MB") };
    if bytes.is_multiple_of(unit) {
        format!("{} {name}", bytes / unit)
    } else {
        let tenths = (bytes * 10 + unit / 2) / unit;
        format!("{}.{} {name}", tenths / 10, tenths % 10)
    }
}

/// "2:05", "1:02:03" for a duration.
pub fn human_duration(ms: u64) -> String {
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Whose allowance a publishing limit counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitScope {
    /// One account (X user, LinkedIn member, Instagram account, TikTok
    /// creator, YouTube channel).
    Account,
    /// The creator's own developer app or project, across all its accounts
    /// on the network (X's per-app cap, YouTube's project quota).
    App,
}

/// How a limit's window runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitWindow {
    /// Any span of this many seconds (a rolling or sliding window; also a
    /// safe reading of a window that starts at the first request).
    Rolling { secs: i64 },
    /// Calendar days that start at midnight UTC.
    DailyUtc,
    /// Calendar days that start at midnight in Los Angeles (Pacific time,
    /// daylight saving time included).
    DailyPacific,
}

/// A limit a network publishes on creating posts: at most `max` per window.
/// The engine counts what it sent against it and holds a post that would go
/// past it until there is room, instead of sending it to be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishLimit {
    /// Stable name, e.g. `posts_15min`.
    pub id: &'static str,
    /// The limit in words, for Activity: "X's limit of 100 posts in 15
    /// minutes per account".
    pub label: String,
    pub scope: LimitScope,
    pub max: u32,
    pub window: LimitWindow,
}

/// What a network said about one of its limits in an answer (X's
/// `x-rate-limit-*` headers, Instagram's `content_publishing_limit`): room
/// left now, and when the count starts over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitReading {
    pub id: String,
    pub label: String,
    pub scope: LimitScope,
    pub remaining: u32,
    pub resets_at: DateTime<Utc>,
}
