//! What a LinkedIn publish has already done, saved after every remote side
//! effect so a crash, a cut connection or a 5xx resumes instead of starting
//! over.
//!
//! Stored by the engine as JSON (`version` 1):
//!
//! ```json
//! {
//!   "version": 1,
//!   "author": "urn:li:person:782bbtaQ",
//!   "media": {
//!     "<sha256 of an image>": {"urn": "urn:li:image:C4E10AQ…", "ready": true},
//!     "<sha256 of another>": {"urn": "urn:li:image:C4E10AQ…", "ready": false,
//!                             "upload_url": "https://www.linkedin.com/dms-uploads/…",
//!                             "expires_at": "2026-01-02T10:00:00Z"}
//!   },
//!   "video": {
//!     "sha256": "…", "urn": "urn:li:video:C5F10AQ…", "total_bytes": 9000000,
//!     "upload_token": "", "expires_at": "2026-01-02T10:00:00Z",
//!     "parts": [
//!       {"url": "https://www.linkedin.com/dms-uploads/…1", "first_byte": 0,
//!        "last_byte": 4194303, "etag": "/ambry-video/signedId/…"},
//!       {"url": "…2", "first_byte": 4194304, "last_byte": 8999999}
//!     ]
//!   },
//!   "link": {"source": "https://example.com/post", "title": "A post"},
//!   "post": "urn:li:share:7012345678901234567",
//!   "in_flight": {"since": "2026-01-01T10:00:00Z"}
//! }
//! ```
//!
//! - `author`: the member's person URN (`urn:li:person:<sub>`, §1.5).
//! - `media`: images, documents and the finalized video, keyed by the
//!   file's SHA-256. `upload_url` is there while the bytes are not sent yet
//!   (the upload was initialized: a resume sends them to the same URL);
//!   `ready` once LinkedIn said `AVAILABLE` (§5.3, §6.4).
//! - `video`: a multipart video upload in progress (§6): its parts, in
//!   order, each with the `ETag` LinkedIn answered once it has that part. A
//!   resume sends only the parts without one, then finalizes with all of
//!   them.
//! - `link`: the page of the post's first link and the title read from it
//!   (`null` when it has none: the post goes out without a preview).
//! - `post`: the created post's URN (`x-restli-id`, §3.3).
//! - `in_flight`: set and saved *before* `POST /rest/posts`, cleared when
//!   LinkedIn answered. Still set after a crash or a lost answer: the post
//!   may or may not exist, and LinkedIn gives CreatorFlow no permission to
//!   read the member's posts to find out (`r_member_social` is restricted,
//!   §1.1), so `reconcile` answers `Unknown`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::PlatformError;
use crate::support::checkpoint::{self, Checkpoint};

pub const CHECKPOINT_VERSION: u32 = 1;

/// Progress of one LinkedIn publish.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedinCheckpoint {
    #[serde(default)]
    pub version: u32,
    /// `urn:li:person:<sub>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Uploads by file SHA-256 (else `path:<path>`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub media: BTreeMap<String, UploadedMedia>,
    /// A video upload not finalized yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoUpload>,
    /// The link preview, once decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<LinkPreview>,
    /// The created post's URN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// A create call that was sent and not answered yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<InFlight>,
}

/// An image, document or video LinkedIn has (or is getting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedMedia {
    /// `urn:li:image:…`, `urn:li:document:…`, `urn:li:video:…`.
    pub urn: String,
    /// LinkedIn said `AVAILABLE`.
    #[serde(default)]
    pub ready: bool,
    /// Where the bytes go, while they are not sent yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_url: Option<String>,
    /// When `upload_url` stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A multipart video upload (§6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoUpload {
    pub sha256: String,
    pub urn: String,
    pub total_bytes: u64,
    #[serde(default)]
    pub upload_token: String,
    /// `uploadUrlsExpireAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    pub parts: Vec<VideoPart>,
}

/// One upload instruction and, once sent, LinkedIn's `ETag` for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoPart {
    pub url: String,
    pub first_byte: u64,
    pub last_byte: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

impl VideoPart {
    pub fn len(&self) -> u64 {
        self.last_byte.saturating_sub(self.first_byte) + 1
    }

    pub fn is_empty(&self) -> bool {
        self.last_byte < self.first_byte
    }
}

/// The link preview (`content.article`, §3.2) of a post without media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPreview {
    pub source: String,
    /// The page's title; `None`: it has none, no preview.
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub since: DateTime<Utc>,
}

impl Checkpoint for LinkedinCheckpoint {
    const VERSION: u32 = CHECKPOINT_VERSION;
    const WHAT: &'static str = "LinkedIn post";

    fn version_mut(&mut self) -> &mut u32 {
        &mut self.version
    }
}

impl LinkedinCheckpoint {
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
    fn null_and_empty_are_a_fresh_start() {
        for v in [serde_json::Value::Null, json!({})] {
            let cp = LinkedinCheckpoint::from_value(&v).expect("ok");
            assert_eq!(cp.version, CHECKPOINT_VERSION);
            assert!(cp.post.is_none() && !cp.create_in_flight());
        }
    }

    #[test]
    fn round_trips_with_the_documented_shape() {
        let mut cp = LinkedinCheckpoint::from_value(&serde_json::Value::Null).expect("ok");
        cp.author = Some("urn:li:person:a".into());
        cp.media.insert(
            "ab".repeat(32),
            UploadedMedia {
                urn: "urn:li:image:1".into(),
                ready: true,
                upload_url: None,
                expires_at: None,
            },
        );
        cp.video = Some(VideoUpload {
            sha256: "cd".repeat(32),
            urn: "urn:li:video:2".into(),
            total_bytes: 10,
            upload_token: String::new(),
            expires_at: None,
            parts: vec![VideoPart {
                url: "https://www.linkedin.com/dms-uploads/1".into(),
                first_byte: 0,
                last_byte: 9,
                etag: Some("e1".into()),
            }],
        });
        cp.link = Some(LinkPreview {
            source: "https://example.com/".into(),
            title: None,
        });
        cp.in_flight = Some(InFlight { since: Utc::now() });
        let v = cp.to_value();
        assert_eq!(
            v["media"]["ab".repeat(32)],
            json!({"urn": "urn:li:image:1", "ready": true})
        );
        assert_eq!(v["video"]["parts"][0]["etag"], json!("e1"));
        assert_eq!(v["video"]["parts"][0].as_object().map(|o| o.len()), Some(4));
        assert_eq!(
            v["link"],
            json!({"source": "https://example.com/", "title": null})
        );
        assert!(v.get("post").is_none());
        assert_eq!(LinkedinCheckpoint::from_value(&v).expect("ok"), cp);
        assert_eq!(cp.video.as_ref().map(|u| u.parts[0].len()), Some(10));
    }

    #[test]
    fn garbage_and_newer_versions_are_refused() {
        let e = LinkedinCheckpoint::from_value(&json!({"post": 5})).expect_err("bad");
        assert_eq!(e.code, "bad_checkpoint");
        assert_eq!(
            e.message,
            "CreatorFlow could not read the saved progress of this LinkedIn post."
        );
        let e = LinkedinCheckpoint::from_value(&json!({"version": 9})).expect_err("newer");
        assert_eq!(e.kind, ErrorKind::Protocol);
    }
}
