//! What an Instagram publish has already done (docs/platforms/instagram.md
//! §4, §5), saved after every container Meta created and before
//! `media_publish`.
//!
//! Stored by the engine as JSON (`version` 1):
//!
//! ```json
//! {
//!   "version": 1,
//!   "items": [{"media": "0:<sha256>", "container": "17900000000000001"}],
//!   "container": "17900000000000003",
//!   "created_at": "2026-01-01T10:00:00Z",
//!   "video": true,
//!   "uploaded": true,
//!   "publishing": true,
//!   "media_id": "17800000000000001"
//! }
//! ```
//!
//! - `items`: a carousel's item containers, in order, each with the file it
//!   holds; a crash between items goes on with the next one.
//! - `container`: the container to publish (the carousel, or the only one);
//!   it expires 24 hours after `created_at` (§4.2).
//! - `upload_uri` / `uploaded`: a Reel sent through Meta's resumable upload
//!   (§5): where its bytes go, and whether they all arrived.
//! - `publishing`: set and saved before `media_publish` is sent. Still set
//!   after a crash: the post may be live, so the container's status is read
//!   before anything is sent again (§4.5).
//! - `media_id`: what `media_publish` answered; the permalink is read next.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::PlatformError;
use crate::support::checkpoint::{self, Checkpoint};

pub const CHECKPOINT_VERSION: u32 = 1;

/// One carousel item's container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Its place and the file it holds: `<index>:<SHA-256>` (else
    /// `<index>:path:<path>`).
    pub media: String,
    pub container: String,
}

/// Progress of one Instagram publish.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstagramCheckpoint {
    #[serde(default)]
    pub version: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The post carries a video (Meta takes longer to prepare it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub video: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_uri: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uploaded: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub publishing: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_id: Option<String>,
}

impl Checkpoint for InstagramCheckpoint {
    const VERSION: u32 = CHECKPOINT_VERSION;
    const WHAT: &'static str = "Instagram post";

    fn version_mut(&mut self) -> &mut u32 {
        &mut self.version
    }
}

impl InstagramCheckpoint {
    /// Reads a checkpoint; `null` or `{}` (a fresh start) gives an empty one.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, PlatformError> {
        checkpoint::read(value)
    }

    pub fn to_value(&self) -> serde_json::Value {
        checkpoint::write(self)
    }

    /// Forgets the containers (expired, or refused by Meta): the next
    /// publish starts over.
    pub fn start_over(&mut self) {
        *self = Self {
            version: self.version,
            ..Self::default()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_fresh_start() {
        let fresh = InstagramCheckpoint::from_value(&serde_json::Value::Null).expect("fresh");
        assert_eq!(fresh.to_value(), json!({"version": 1}));
        let mut cp = InstagramCheckpoint {
            version: 1,
            items: vec![Item {
                media: "abc".into(),
                container: "1".into(),
            }],
            container: Some("2".into()),
            created_at: None,
            video: true,
            upload_uri: None,
            uploaded: false,
            publishing: true,
            media_id: None,
        };
        let back = InstagramCheckpoint::from_value(&cp.to_value()).expect("read");
        assert_eq!(back, cp);
        cp.start_over();
        assert_eq!(cp.to_value(), json!({"version": 1}));
    }
}
