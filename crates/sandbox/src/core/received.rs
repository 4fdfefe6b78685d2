//! Posts an emulated platform accepted, as the control API and status page show them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A piece of media attached to a received post. Only its size and digest are
/// kept, never the bytes, so memory stays bounded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedMedia {
    /// `image`, `gif`, `video`, `document`, `subtitles` ...
    pub kind: String,
    pub mime: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes, when the upload arrived in order (`None` if the
    /// segments came out of order or across a restart).
    pub sha256: Option<String>,
    /// The platform's media id / URN.
    #[serde(default)]
    pub remote_id: String,
    /// Alternative text sent with the media, if the platform takes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
}

/// A post (tweet, share, container publish, video ...) a platform accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedPost {
    pub platform: String,
    pub account_id: String,
    pub username: String,
    /// The id the platform returned to the client.
    pub remote_id: String,
    pub text: String,
    pub media: Vec<ReceivedMedia>,
    /// The parent post, for replies/threads/comments.
    pub reply_to: Option<String>,
    /// Emulated-clock time of creation.
    pub created_at: DateTime<Utc>,
    pub deleted: bool,
    #[serde(default)]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Platform extras (title, privacy, visibility ...).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub extra: serde_json::Value,
}
