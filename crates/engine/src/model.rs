//! The engine's data types, shared with the UI through typed IPC.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;

pub type PostId = i64;
pub type AccountId = i64;
pub type TargetId = i64;

pub use creatorflow_platforms::{MediaKind, Platform, PlatformOptions, RedirectKind};

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
    /// The network accepted it and finishes it later; CreatorFlow checks back.
    Processing,
    Retrying,
    Published,
    Failed,
    Unconfirmed,
    Missed,
    NeedsReauth,
    Cancelled,
    /// Removed from the network by the creator (the history stays).
    Deleted,
}

impl TargetStatus {
    pub const ALL: [TargetStatus; 12] = [
        TargetStatus::Draft,
        TargetStatus::Scheduled,
        TargetStatus::Publishing,
        TargetStatus::Processing,
        TargetStatus::Retrying,
        TargetStatus::Published,
        TargetStatus::Failed,
        TargetStatus::Unconfirmed,
        TargetStatus::Missed,
        TargetStatus::NeedsReauth,
        TargetStatus::Cancelled,
        TargetStatus::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Draft => "draft",
            TargetStatus::Scheduled => "scheduled",
            TargetStatus::Publishing => "publishing",
            TargetStatus::Processing => "processing",
            TargetStatus::Retrying => "retrying",
            TargetStatus::Published => "published",
            TargetStatus::Failed => "failed",
            TargetStatus::Unconfirmed => "unconfirmed",
            TargetStatus::Missed => "missed",
            TargetStatus::NeedsReauth => "needs_reauth",
            TargetStatus::Cancelled => "cancelled",
            TargetStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// A publish of this target is under way or has happened: the post can no
    /// longer be moved or edited for this account.
    pub fn is_locked(self) -> bool {
        Self::LOCKED.contains(&self)
    }

    /// The statuses [`TargetStatus::is_locked`] holds for.
    pub const LOCKED: [TargetStatus; 5] = [
        TargetStatus::Publishing,
        TargetStatus::Processing,
        TargetStatus::Published,
        TargetStatus::Unconfirmed,
        TargetStatus::Deleted,
    ];
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
    /// The e-mail the network shows for the account, if it gives one.
    pub email: Option<String>,
    /// When the sign-in ends unless the creator reconnects (a token that
    /// cannot be renewed, or a renewal token that expires). `None`: it lasts
    /// until revoked.
    pub reauth_by: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The permissions Analytics needs that the account's sign-in lacks (it
    /// was connected before CreatorFlow read posts' numbers): reconnecting
    /// grants them. Publishing does not need them.
    #[serde(default)]
    pub analytics_scopes_missing: Vec<String>,
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
    /// Something to know about the live post, from the network ("kept private").
    pub remote_note: Option<String>,
    /// While processing: the network's own stage.
    pub stage: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
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

/// One account's variant of a post: its own text, if any, and its network's
/// options (typed per network, passed unchanged to validation and publishing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TargetOptions {
    /// Text for this account instead of the post's base text.
    #[serde(default)]
    pub text: Option<String>,
    pub network: PlatformOptions,
}

impl TargetOptions {
    /// The options a target on `platform` starts with.
    pub fn default_for(platform: Platform) -> Self {
        Self {
            text: None,
            network: PlatformOptions::default_for(platform),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaRef {
    pub id: i64,
    pub kind: MediaKind,
    pub mime: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// Videos: how long it plays.
    pub duration_ms: Option<i64>,
    /// Videos: the codec of the video track (`avc1`, `hvc1`, ...).
    pub codec: Option<String>,
    pub original_name: Option<String>,
    /// On a post: what the picture shows, for people who cannot see it.
    pub alt_text: Option<String>,
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
    /// Alt text of attached pictures (what each shows), by media id.
    #[serde(default)]
    pub alt_texts: Vec<MediaAlt>,
    #[serde(default)]
    pub options: Vec<TargetOptionsInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaAlt {
    pub media_id: i64,
    pub text: String,
}

impl PostInput {
    /// The alt text given for `media_id`, trimmed; none when empty.
    pub fn alt_text(&self, media_id: i64) -> Option<String> {
        self.alt_texts
            .iter()
            .find(|a| a.media_id == media_id)
            .map(|a| a.text.trim().to_owned())
            .filter(|t| !t.is_empty())
    }
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
    /// The redirect a creator picked per network, where a network offers more
    /// than one (X: the `creatorflow://` link, or a loopback listener for an
    /// X app registered with `http://127.0.0.1:47615/oauth/x/callback`).
    pub redirects: BTreeMap<Platform, RedirectKind>,
    /// Networks whose review of the creator's own developer app has passed
    /// (TikTok's audit). Until then the composer says what the network
    /// restricts (TikTok: private accounts, "Only me" posts).
    pub reviewed_apps: BTreeSet<Platform>,
    /// A key combination that opens the quick-post window from anywhere
    /// (`Ctrl+Alt+P`); `None`, the default, until the creator picks one.
    pub quick_post_shortcut: Option<String>,
    /// The sign-in product of the creator's developer app, per network that
    /// has several (Instagram: `instagram_login` or `facebook_login`).
    pub sign_in_products: BTreeMap<Platform, String>,
    /// Reads per month the creator's developer app may make, per network
    /// that caps them (X's access tiers), where the creator set their own;
    /// otherwise the network's default for the smallest tier.
    pub read_budgets: BTreeMap<Platform, u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            catch_up_window_minutes: 60,
            publishing_paused: false,
            close_to_tray: true,
            notify_on_success: false,
            start_at_login: false,
            redirects: BTreeMap::new(),
            reviewed_apps: BTreeSet::new(),
            quick_post_shortcut: None,
            sign_in_products: BTreeMap::new(),
            read_budgets: BTreeMap::new(),
        }
    }
}

/// The settings fields that changed; the rest stay as they are, whoever else
/// changed them meanwhile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct SettingsPatch {
    pub catch_up_window_minutes: Option<u32>,
    pub publishing_paused: Option<bool>,
    pub close_to_tray: Option<bool>,
    pub notify_on_success: Option<bool>,
    pub start_at_login: Option<bool>,
    /// Sets the redirect of one network.
    pub redirect: Option<RedirectChoice>,
    /// Says whether one network has reviewed (audited) the creator's app.
    pub app_reviewed: Option<AppReviewed>,
    /// Sets or clears the quick-post shortcut.
    pub quick_post_shortcut: Option<ShortcutChoice>,
    /// Sets the sign-in product of one network's developer app.
    pub sign_in_product: Option<ProductChoice>,
    /// Sets (or, with `None`, forgets) one network's monthly read allowance.
    pub read_budget: Option<ReadBudgetChoice>,
}

/// The monthly read allowance of the creator's app on one network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReadBudgetChoice {
    pub platform: Platform,
    pub per_month: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProductChoice {
    pub platform: Platform,
    pub product: String,
}

/// The quick-post shortcut a creator picked; `None` turns it off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ShortcutChoice {
    pub shortcut: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppReviewed {
    pub platform: Platform,
    pub reviewed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RedirectChoice {
    pub platform: Platform,
    pub kind: RedirectKind,
}

impl SettingsPatch {
    pub fn apply(&self, to: &mut Settings) {
        if let Some(v) = self.catch_up_window_minutes {
            to.catch_up_window_minutes = v;
        }
        if let Some(v) = self.publishing_paused {
            to.publishing_paused = v;
        }
        if let Some(v) = self.close_to_tray {
            to.close_to_tray = v;
        }
        if let Some(v) = self.notify_on_success {
            to.notify_on_success = v;
        }
        if let Some(v) = self.start_at_login {
            to.start_at_login = v;
        }
        if let Some(r) = &self.redirect {
            to.redirects.insert(r.platform, r.kind);
        }
        if let Some(c) = &self.sign_in_product {
            to.sign_in_products.insert(c.platform, c.product.clone());
        }
        if let Some(b) = &self.read_budget {
            match b.per_month {
                Some(n) => {
                    to.read_budgets.insert(b.platform, n);
                }
                None => {
                    to.read_budgets.remove(&b.platform);
                }
            }
        }
        if let Some(c) = &self.quick_post_shortcut {
            to.quick_post_shortcut = c.shortcut.clone().filter(|s| !s.trim().is_empty());
        }
        if let Some(r) = &self.app_reviewed {
            if r.reviewed {
                to.reviewed_apps.insert(r.platform);
            } else {
                to.reviewed_apps.remove(&r.platform);
            }
        }
    }
}

/// A platform's verdict on the composer's content for one picked account.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlatformCheck {
    pub account_id: AccountId,
    pub platform: Platform,
    /// Each counted field (the text, thread parts, a title ...) by the
    /// network's own rule.
    pub counts: Vec<creatorflow_platforms::FieldCount>,
    pub issues: Vec<creatorflow_platforms::ValidationIssue>,
}
