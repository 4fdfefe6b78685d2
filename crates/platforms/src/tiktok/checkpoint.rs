//! What a TikTok publish has already done, saved after every chunk TikTok
//! acknowledged (docs/platforms/tiktok.md §6.2: TikTok offers no way to ask
//! how much of an upload arrived, so the acknowledgements are the record).
//!
//! Stored by the engine as JSON (`version` 1):
//!
//! ```json
//! {
//!   "version": 1,
//!   "upload": {
//!     "publish_id": "v_pub_file~v2-1.7300000000000000001",
//!     "upload_url": "https://open-upload.tiktokapis.com/video/?upload_id=…&upload_token=…",
//!     "expires_at": "2026-01-01T11:00:00Z",
//!     "media": "<sha256 of the video file>",
//!     "video_size": 200000000,
//!     "chunk_size": 32000000,
//!     "total_chunk_count": 6,
//!     "acked": 3,
//!     "sending": 3
//!   },
//!   "uploaded": false,
//!   "restarts": 0
//! }
//! ```
//!
//! - `upload`: the post TikTok initialized and where its bytes go. The upload
//!   URL lives about an hour (§4.2); it is a capability for this one upload,
//!   not the creator's sign-in.
//! - `acked`: chunks TikTok answered 206/201 for; a resume sends chunk
//!   `acked` next.
//! - `sending`: set and saved *before* a chunk is sent, cleared when TikTok
//!   answered. Still set after a crash: that chunk may have arrived. When it
//!   is the last chunk, the upload may be complete and the post on its way,
//!   so `status/fetch` is asked before anything is sent again.
//! - `uploaded`: every chunk arrived; from here on only `check` runs.
//! - `restarts`: how many times the upload started over with a new init
//!   (TikTok refused to go on, or the URL expired).
//! - `completed_at`: when TikTok first said the post was complete without its
//!   public id (moderation takes minutes to hours); the link is asked for
//!   again, less and less often, from then on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::chunks::ChunkPlan;
use crate::error::PlatformError;
use crate::support::checkpoint::{self, Checkpoint};

pub const CHECKPOINT_VERSION: u32 = 1;

/// Progress of one TikTok publish.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TiktokCheckpoint {
    #[serde(default)]
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<Upload>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uploaded: bool,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restarts: u32,
    /// When TikTok first said `PUBLISH_COMPLETE` without a public post id:
    /// the wait for it grows from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The initialized post and its chunked upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub publish_id: String,
    pub upload_url: String,
    pub expires_at: DateTime<Utc>,
    /// The file it uploads (its SHA-256, else `path:<path>`).
    pub media: String,
    pub video_size: u64,
    pub chunk_size: u64,
    pub total_chunk_count: u64,
    /// Chunks TikTok acknowledged.
    pub acked: u64,
    /// The chunk sent and not answered yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending: Option<u64>,
}

impl Upload {
    pub fn plan(&self) -> ChunkPlan {
        ChunkPlan {
            video_size: self.video_size,
            chunk_size: self.chunk_size,
            total_chunk_count: self.total_chunk_count,
        }
    }

    /// The chunk that ends the file was sent and not answered.
    pub fn last_in_flight(&self) -> bool {
        self.sending
            .is_some_and(|i| i + 1 >= self.total_chunk_count)
    }
}

impl Checkpoint for TiktokCheckpoint {
    const VERSION: u32 = CHECKPOINT_VERSION;
    const WHAT: &'static str = "TikTok upload";

    fn version_mut(&mut self) -> &mut u32 {
        &mut self.version
    }
}

impl TiktokCheckpoint {
    /// Reads a checkpoint; `null` or `{}` (a fresh start) gives an empty one.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, PlatformError> {
        checkpoint::read(value)
    }

    pub fn to_value(&self) -> serde_json::Value {
        checkpoint::write(self)
    }

    /// The post TikTok knows of, if one was initialized.
    pub fn publish_id(&self) -> Option<&str> {
        self.upload.as_ref().map(|u| u.publish_id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_fresh_start() {
        let fresh = TiktokCheckpoint::from_value(&serde_json::Value::Null).expect("fresh");
        assert_eq!(fresh.to_value(), json!({"version": 1}));
        let cp = TiktokCheckpoint {
            version: 1,
            upload: Some(Upload {
                publish_id: "v_pub_file~1".into(),
                upload_url: "https://u/video/?upload_id=1".into(),
                expires_at: DateTime::parse_from_rfc3339("2026-01-01T11:00:00Z")
                    .expect("time")
                    .with_timezone(&Utc),
                media: "abc".into(),
                video_size: 12_000_000,
                chunk_size: 5_000_000,
                total_chunk_count: 2,
                acked: 1,
                sending: Some(1),
            }),
            uploaded: false,
            restarts: 1,
            completed_at: None,
        };
        let back = TiktokCheckpoint::from_value(&cp.to_value()).expect("read");
        assert_eq!(back, cp);
        let u = back.upload.expect("upload");
        assert!(u.last_in_flight());
        assert_eq!(u.plan().range(1), (5_000_000, 7_000_000));
    }
}
