//! What a YouTube publish has already done, saved after every remote side
//! effect so a crash, a cut connection or a 5xx resumes instead of starting
//! over (docs/platforms/youtube.md §2.3).
//!
//! Stored by the engine as JSON (`version` 1):
//!
//! ```json
//! {
//!   "version": 1,
//!   "upload": {
//!     "session_uri": "https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status&upload_id=AEnB2U…",
//!     "sha256": "<sha256 of the video file>",
//!     "total_bytes": 734003200,
//!     "committed": 16777216,
//!     "chunk_size": 8388608,
//!     "final_in_flight": false,
//!     "started_at": "2026-01-01T10:00:00Z"
//!   },
//!   "video_id": "dQw4w9WgXcQ",
//!   "thumbnail": "set",
//!   "notes": ["YouTube did not take the custom thumbnail: …"]
//! }
//! ```
//!
//! - `upload`: the resumable session in progress. `session_uri` is saved as
//!   soon as YouTube hands it out; `committed` is the byte count YouTube
//!   confirmed (its `Range`, never our own count); a resume asks the session
//!   where it stands (`Content-Range: bytes */total`) before sending more.
//! - `final_in_flight`: set and saved *before* the chunk that ends the file
//!   is sent, cleared when YouTube answered. Still set after a crash: that
//!   chunk may have completed the video, so an expired session must not be
//!   replaced by a new upload on a guess (`reconcile` answers `Unknown`).
//! - `video_id`: the upload is complete (youtube.md §4.4: the id is stable
//!   from then on); `upload` is gone.
//! - `thumbnail`: `set`, or `refused` when YouTube would not take it (a
//!   channel that is not verified); absent = not tried yet.
//! - `notes`: things the creator should know about the published video.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::PlatformError;
use crate::support::checkpoint::{self, Checkpoint};

pub const CHECKPOINT_VERSION: u32 = 1;

/// Progress of one YouTube publish.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YoutubeCheckpoint {
    #[serde(default)]
    pub version: u32,
    /// The resumable upload in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<UploadSession>,
    /// The video, once the upload completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    /// What became of the custom thumbnail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<ThumbnailState>,
    /// Notes for the published post, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A resumable upload session (youtube.md §2.1–§2.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadSession {
    /// The `Location` of the session start: where the bytes go.
    pub session_uri: String,
    /// The file it uploads (its SHA-256, else `path:<path>`).
    pub sha256: String,
    pub total_bytes: u64,
    /// Bytes YouTube confirmed it has (0 to `committed - 1`).
    pub committed: u64,
    pub chunk_size: u64,
    /// The chunk that ends the file was sent and not answered.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub final_in_flight: bool,
    pub started_at: DateTime<Utc>,
}

/// What became of the custom thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThumbnailState {
    Set,
    /// YouTube would not take it; the post went out without it (a note says why).
    Refused,
}

impl Checkpoint for YoutubeCheckpoint {
    const VERSION: u32 = CHECKPOINT_VERSION;
    const WHAT: &'static str = "YouTube upload";

    fn version_mut(&mut self) -> &mut u32 {
        &mut self.version
    }
}

impl YoutubeCheckpoint {
    /// Reads a checkpoint; `null` or `{}` (a fresh start) gives an empty one.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, PlatformError> {
        checkpoint::read(value)
    }

    pub fn to_value(&self) -> serde_json::Value {
        checkpoint::write(self)
    }

    /// The chunk that ends the file may have reached YouTube unanswered.
    pub fn final_in_flight(&self) -> bool {
        self.upload.as_ref().is_some_and(|u| u.final_in_flight)
    }

    /// Adds a note once.
    pub fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    #[test]
    fn null_and_empty_are_a_fresh_start() {
        for v in [serde_json::Value::Null, json!({})] {
            let cp = YoutubeCheckpoint::from_value(&v).expect("ok");
            assert_eq!(cp.version, CHECKPOINT_VERSION);
            assert!(cp.upload.is_none() && cp.video_id.is_none());
        }
    }

    #[test]
    fn round_trips_with_the_documented_shape() {
        let mut cp = YoutubeCheckpoint::from_value(&serde_json::Value::Null).expect("ok");
        cp.upload = Some(UploadSession {
            session_uri: "https://example.com/s?upload_id=1".into(),
            sha256: "ab".repeat(32),
            total_bytes: 10,
            committed: 4,
            chunk_size: 262_144,
            final_in_flight: true,
            started_at: Utc::now(),
        });
        cp.thumbnail = Some(ThumbnailState::Refused);
        cp.note("a".into());
        cp.note("a".into());
        let v = cp.to_value();
        assert_eq!(v["upload"]["committed"], json!(4));
        assert_eq!(v["upload"]["final_in_flight"], json!(true));
        assert_eq!(v["thumbnail"], json!("refused"));
        assert_eq!(v["notes"], json!(["a"]));
        assert!(v.get("video_id").is_none());
        assert_eq!(YoutubeCheckpoint::from_value(&v).expect("ok"), cp);
        assert!(cp.final_in_flight());
        cp.upload.as_mut().expect("upload").final_in_flight = false;
        assert!(cp.to_value()["upload"].get("final_in_flight").is_none());
    }

    #[test]
    fn garbage_and_newer_versions_are_refused() {
        let e = YoutubeCheckpoint::from_value(&json!({"video_id": 5})).expect_err("bad");
        assert_eq!(e.code, "bad_checkpoint");
        let e = YoutubeCheckpoint::from_value(&json!({"version": 9})).expect_err("newer");
        assert_eq!(e.kind, ErrorKind::Protocol);
    }
}
