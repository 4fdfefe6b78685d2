//! The engine's data types, shared with the UI through typed IPC.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;

pub type PostId = i64;
pub type AccountId = i64;
pub type TargetId = i64;

pub use creatorflow_platforms::Platform;

/// What the creator decided about a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PostState {
    Draft,
    Scheduled,
    Cancelled,
}

impl PostState {
    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Draft => "draft",
            PostState::Scheduled => "scheduled",
            PostState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(PostState::Draft),
            "scheduled" => Some(PostState::Scheduled),
            "cancelled" => Some(PostState::Cancelled),
            _ => None,
        }
    }
}

/// Where one post stands on one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Draft,
    Scheduled,
    Publishing,
    Retrying,
    Published,
    Failed,
    Unconfirmed,
    Missed,
    NeedsReauth,
    Cancelled,
}

impl TargetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Draft => "draft",
            TargetStatus::Scheduled => "scheduled",
            TargetStatus::Publishing => "publishing",
            TargetStatus::Retrying => "retrying",
            TargetStatus::Published => "published",
            TargetStatus::Failed => "failed",
            TargetStatus::Unconfirmed => "unconfirmed",
            TargetStatus::Missed => "missed",
            TargetStatus::NeedsReauth => "needs_reauth",
            TargetStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        use TargetStatus::*;
        [
            Draft,
            Scheduled,
            Publishing,
            Retrying,
            Published,
            Failed,
            Unconfirmed,
            Missed,
            NeedsReauth,
            Cancelled,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// A publish of this target is under way or has happened: the post can no
    /// longer be moved or edited for this account.
    pub fn is_locked(self) -> bool {
        matches!(
            self,
            TargetStatus::Publishing | TargetStatus::Published | TargetStatus::Unconfirmed
        )
    }
}

/// The single status the calendar colours a post by, rolled up from its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Draft,
    Scheduled,
    Publishing,
    Published,
    PartiallyPublished,
    Failed,
    NeedsAttention,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Connected,
    NeedsReauth,
    Disconnected,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Connected => "connected",
            AccountStatus::NeedsReauth => "needs_reauth",
            AccountStatus::Disconnected => "disconnected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "connected" => Some(AccountStatus::Connected),
            "needs_reauth" => Some(AccountStatus::NeedsReauth),
            "disconnected" => Some(AccountStatus::Disconnected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: AccountId,
    pub platform: Platform,
    pub platform_user_id: String,
    pub username: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub scopes: Vec<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub status: AccountStatus,
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One post on one account, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub id: TargetId,
    pub account_id: AccountId,
    pub platform: Platform,
    pub username: String,
    pub status: TargetStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub error: Option<TargetError>,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub options: TargetOptions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TargetError {
    pub code: String,
    /// What happened, in words a creator understands.
    pub message: String,
    /// The platform's own reason, kept for the details line.
    pub detail: Option<String>,
}

/// Per-target variant and options; every field defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct TargetOptions {
    /// Text for this account instead of the post's base text.
    pub text: Option<String>,
    /// X: further parts of a thread, each posted as a reply to the previous.
    pub thread: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaRef {
    pub id: i64,
    pub mime: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub original_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    pub id: PostId,
    pub text: String,
    /// The instant it publishes (UTC); `None` for an unscheduled draft.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The IANA zone the post was planned in.
    pub zone: String,
    pub state: PostState,
    pub status: PostStatus,
    pub targets: Vec<Target>,
    pub media: Vec<MediaRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What to do with a post when it is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SaveIntent {
    /// Keep it as a draft (with or without a time).
    Draft,
    /// Publish it at `scheduled_at`.
    Schedule,
    /// Publish it now (through the same queue as scheduled posts).
    PublishNow,
}

/// The composer's content, used to create or update a post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PostInput {
    pub text: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub zone: String,
    pub intent: SaveIntent,
    #[serde(default)]
    pub account_ids: Vec<AccountId>,
    #[serde(default)]
    pub media_ids: Vec<i64>,
    #[serde(default)]
    pub options: Vec<TargetOptionsInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TargetOptionsInput {
    pub account_id: AccountId,
    pub options: TargetOptions,
}

/// A half-open range of instants `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TimeRange {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// User settings. Every field has a default so older settings documents load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Posts that came due while the app was closed publish at launch if they
    /// are at most this many minutes late; older ones become "missed".
    pub catch_up_window_minutes: u32,
    pub publishing_paused: bool,
    pub close_to_tray: bool,
    pub notify_on_success: bool,
    pub start_at_login: bool,
    /// X sends the browser back to `http://127.0.0.1:47615/oauth/x/callback`
    /// (a one-shot local listener) instead of the `creatorflow://` link.
    pub x_loopback_redirect: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            catch_up_window_minutes: 60,
            publishing_paused: false,
            close_to_tray: true,
            notify_on_success: false,
            start_at_login: false,
            x_loopback_redirect: false,
        }
    }
}

/// One thread part's length by a platform's rule.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PartCount {
    pub used: u32,
    pub limit: u32,
}

/// A platform's verdict on the composer's content for one picked account.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlatformCheck {
    pub account_id: AccountId,
    pub platform: Platform,
    /// The main text first, then each further thread part.
    pub parts: Vec<PartCount>,
    pub issues: Vec<creatorflow_platforms::ValidationIssue>,
}
