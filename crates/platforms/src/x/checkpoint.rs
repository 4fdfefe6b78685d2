//! What an X publish has already done, saved after every remote side effect.
//!
//! Stored by the engine as JSON (`version` 1):
//!
//! ```json
//! {
//!   "version": 1,
//!   "username": "sandbox_creator",
//!   "media": {
//!     "<sha256 of the file>": {"media_id": "1880028106020515840",
//!                              "expires_at": "2026-01-02T10:00:00Z", "ready": true}
//!   },
//!   "upload": {"sha256": "...", "media_id": "...", "total_bytes": 9000000,
//!              "chunk_size": 4194304, "next_segment": 2, "expires_at": "..."},
//!   "parts": ["1880028106020515841", "1880028106020515842"],
//!   "in_flight": {"part": 2, "since": "2026-01-01T10:00:00Z"}
//! }
//! ```
//!
//! - `media`: finished uploads, keyed by the file's SHA-256; `ready` is false
//!   while X still processes a GIF or video (a resume polls STATUS again).
//! - `upload`: a chunked upload in progress (a resume appends from
//!   `next_segment` to the same media id).
//! - `parts`: ids of the thread parts already created, in order; a resume
//!   creates the rest, the next one replying to the last id.
//! - `in_flight`: set and saved *before* a `POST /2/tweets`, cleared after X
//!   answered. Still set after a crash or a lost connection: that part may or
//!   may not exist.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::PlatformError;
use crate::support::checkpoint::{self, Checkpoint};

pub const CHECKPOINT_VERSION: u32 = 1;

/// Progress of one X publish.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct XCheckpoint {
    #[serde(default)]
    pub version: u32,
    /// The account's @handle, for the post's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Finished uploads by file SHA-256.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub media: BTreeMap<String, UploadedMedia>,
    /// A chunked upload not finalized yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<ChunkedUpload>,
    /// Created parts, first part first.
    #[serde(default)]
    pub parts: Vec<String>,
    /// A create call that was sent and not answered yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<InFlight>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedMedia {
    pub media_id: String,
    /// When X forgets the media (from `expires_after_secs`), if it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Processing finished (images are ready at once).
    pub ready: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkedUpload {
    pub sha256: String,
    pub media_id: String,
    pub total_bytes: u64,
    pub chunk_size: u64,
    /// The next APPEND `segment_index`.
    pub next_segment: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    /// Index of the part being created (0 = the first post).
    pub part: usize,
    pub since: DateTime<Utc>,
}

impl Checkpoint for XCheckpoint {
    const VERSION: u32 = CHECKPOINT_VERSION;
    const WHAT: &'static str = "X post";

    fn version_mut(&mut self) -> &mut u32 {
        &mut self.version
    }
}

impl XCheckpoint {
    /// Reads a checkpoint; `null` or `{}` (a fresh start) gives an empty one.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, PlatformError> {
        checkpoint::read(value)
    }

    pub fn to_value(&self) -> serde_json::Value {
        checkpoint::write(self)
    }

    /// Whether a create call may have gone through without CreatorFlow
    /// seeing the answer.
    pub fn create_in_flight(&self) -> bool {
        self.in_flight.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    #[test]
    fn null_is_a_fresh_start() {
        // `{}` too: the engine's default for a post not tried yet.
        for v in [serde_json::Value::Null, json!({})] {
            let cp = XCheckpoint::from_value(&v).expect("ok");
            assert!(cp.parts.is_empty());
            assert!(!cp.create_in_flight());
            assert_eq!(cp.version, CHECKPOINT_VERSION);
        }
    }

    #[test]
    fn round_trips() {
        let mut cp = XCheckpoint::from_value(&serde_json::Value::Null).expect("ok");
        cp.username = Some("someone".into());
        cp.media.insert(
            "ab".repeat(32),
            UploadedMedia {
                media_id: "123".into(),
                expires_at: None,
                ready: true,
            },
        );
        cp.parts.push("9".into());
        cp.in_flight = Some(InFlight {
            part: 1,
            since: Utc::now(),
        });
        let v = cp.to_value();
        assert_eq!(v["parts"], json!(["9"]));
        assert_eq!(v["in_flight"]["part"], json!(1));
        assert_eq!(XCheckpoint::from_value(&v).expect("ok"), cp);
    }

    #[test]
    fn garbage_and_future_versions_are_refused() {
        let e = XCheckpoint::from_value(&json!({"parts": "nope"})).expect_err("bad");
        assert_eq!(e.code, "bad_checkpoint");
        let e = XCheckpoint::from_value(&json!({"version": 99})).expect_err("newer");
        assert_eq!(e.kind, ErrorKind::Protocol);
    }
}
