//! Media uploads to X (docs/platforms/x.md §5), streamed from disk.
//!
//! - Still images up to [`SIMPLE_UPLOAD_MAX`]: one multipart
//!   `POST /2/media/upload` (`media_category=tweet_image`), the file streamed.
//! - GIFs, videos and larger images: `initialize` → `append` (segments of
//!   [`CHUNK_SIZE`], each streamed from its offset in the file) → `finalize`.
//!   While X processes the file the publish answers "processing, check back
//!   in `check_after_secs`": the engine frees the worker and comes back, and
//!   each check asks `GET /2/media/upload?command=STATUS` once.
//!
//! The checkpoint is saved after `initialize`, after every `append`, after
//! `finalize` and once processing succeeded, so a crash resumes the upload
//! where it stopped.

use std::path::Path;

use chrono::Utc;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use serde_json::{Value, json};

use super::checkpoint::{ChunkedUpload, UploadedMedia};
use super::client::{Run, data, id_string};
use super::errors::XOperation;
use super::validate::{XMediaKind, media_type};
use crate::error::{ErrorKind, PlatformError};
use crate::support::files::{file_body, file_len, file_name, media_key, unreadable_file};
use crate::support::request::send;
use crate::types::{MediaFile, Platform, Processing};

/// Images up to this size go in one request; larger ones are chunked.
pub const SIMPLE_UPLOAD_MAX: u64 = 4 * 1024 * 1024;
/// APPEND segment size (X recommends ≤ 5 MB, accepts up to 8 MB).
pub const CHUNK_SIZE: u64 = 4 * 1024 * 1024;
/// Re-upload media that expires sooner than this.
const EXPIRY_MARGIN: chrono::Duration = chrono::Duration::minutes(30);
/// Longest wait between STATUS polls, whatever X says (seconds).
const MAX_POLL_WAIT_SECS: u64 = 60;

/// `data` of an upload, finalize or STATUS answer.
#[derive(Debug, Deserialize)]
struct MediaData {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    expires_after_secs: Option<i64>,
    #[serde(default)]
    processing_info: Option<ProcessingInfo>,
}

#[derive(Debug, Clone, Deserialize)]
struct ProcessingInfo {
    state: String,
    #[serde(default)]
    check_after_secs: Option<u64>,
    #[serde(default)]
    progress_percent: Option<u32>,
    #[serde(default)]
    error: Option<Value>,
}

impl ProcessingInfo {
    fn done(info: Option<&Self>) -> bool {
        info.is_none_or(|i| i.state == "succeeded")
    }

    /// When to ask again, and what to show meanwhile.
    fn processing(&self, kind: XMediaKind) -> Processing {
        let wait = self
            .check_after_secs
            .unwrap_or(1)
            .clamp(1, MAX_POLL_WAIT_SECS);
        let stage = match self.progress_percent {
            Some(p) => format!("X is processing the {} ({p} %)", kind.noun()),
            None => format!("X is processing the {}", kind.noun()),
        };
        Processing {
            check_at: Utc::now() + chrono::Duration::seconds(wait as i64),
            stage,
        }
    }
}

/// Where the post's media stand after an upload pass.
pub(super) enum Uploads {
    /// Every file is uploaded and processed: their ids, in the post's order.
    Ready(Vec<String>),
    /// X is still processing a file.
    Processing(Processing),
}

/// One file after an upload pass.
enum Upload {
    Ready(String),
    Processing(Processing),
}

/// Where the bytes of all the post's media stand, for the progress bar.
struct Progress {
    done: u64,
    total: u64,
}

impl Run<'_> {
    /// Uploads every file not uploaded yet (per the checkpoint) and returns
    /// the media ids in the post's order, or when to check back while X
    /// processes one of them.
    pub(super) async fn upload_all(
        &mut self,
        media: &[MediaFile],
    ) -> Result<Uploads, PlatformError> {
        let mut progress = Progress {
            done: 0,
            total: media.iter().map(|m| m.size).sum(),
        };
        self.sink.progress(0, progress.total);
        let mut ids = Vec::with_capacity(media.len());
        let mut pending: Option<Processing> = None;
        for file in media {
            match self.upload_one(file, &mut progress).await? {
                Upload::Ready(id) => ids.push(id),
                Upload::Processing(p) => {
                    pending = Some(match pending {
                        Some(q) if q.check_at <= p.check_at => q,
                        _ => p,
                    });
                }
            }
            progress.done += file.size;
            self.sink.progress(progress.done, progress.total);
        }
        Ok(match pending {
            Some(p) => Uploads::Processing(p),
            None => Uploads::Ready(ids),
        })
    }

    async fn upload_one(
        &mut self,
        file: &MediaFile,
        progress: &mut Progress,
    ) -> Result<Upload, PlatformError> {
        let key = media_key(file);
        let kind = XMediaKind::of_mime(&file.mime).ok_or_else(|| {
            PlatformError::new(
                ErrorKind::Rejected,
                "unsupported_media",
                format!(
                    "X cannot show \"{}\" ({}).",
                    file_name(&file.path),
                    file.mime
                ),
            )
        })?;
        let soon = Utc::now() + EXPIRY_MARGIN;
        if let Some(done) = self.cp.media.get(&key).cloned() {
            if done.expires_at.is_none_or(|at| at > soon) {
                if !done.ready {
                    return self.poll_processing(&key, &done.media_id, kind).await;
                }
                return Ok(Upload::Ready(done.media_id));
            }
            self.cp.media.remove(&key);
        }

        let len = file_len(file, Platform::X).await?;
        let data = if kind == XMediaKind::Image && len <= SIMPLE_UPLOAD_MAX {
            self.simple_upload(file, kind, len).await?
        } else {
            self.chunked_upload(file, &key, kind, len, progress).await?
        };
        let ready = ProcessingInfo::done(data.processing_info.as_ref());
        self.cp.media.insert(
            key.clone(),
            UploadedMedia {
                media_id: data.id.clone(),
                expires_at: data
                    .expires_after_secs
                    .map(|s| Utc::now() + chrono::Duration::seconds(s)),
                ready,
            },
        );
        self.cp.upload = None;
        self.save().await?;
        match data.processing_info {
            Some(info) if !ready => match info.state.as_str() {
                "failed" => Err(self.processing_failed(&key, kind, &info).await),
                _ => Ok(Upload::Processing(info.processing(kind))),
            },
            _ => Ok(Upload::Ready(data.id)),
        }
    }

    /// `POST /2/media/upload`, multipart, the file streamed from disk.
    async fn simple_upload(
        &mut self,
        file: &MediaFile,
        kind: XMediaKind,
        len: u64,
    ) -> Result<MediaData, PlatformError> {
        let client = self.client;
        let url = client.endpoints.api("/2/media/upload");
        let mime = media_type(&file.mime);
        let answer = send(
            XOperation::UploadMedia { what: kind.noun() },
            self.tokens,
            |token| {
                let (url, mime) = (url.clone(), mime.clone());
                async move {
                    let part = file_part(&file.path, 0, len, &mime)
                        .await
                        .map_err(|e| unreadable_file(&file.path, &e, Platform::X))?;
                    let form = Form::new()
                        .text("media_category", kind.category())
                        .part("media", part);
                    Ok(client
                        .http
                        .post(url)
                        .bearer_auth(token.secret())
                        .multipart(form))
                }
            },
        )
        .await?;
        data(&answer)
    }

    /// `initialize` → `append`×n → `finalize`, resuming a saved session.
    async fn chunked_upload(
        &mut self,
        file: &MediaFile,
        key: &str,
        kind: XMediaKind,
        len: u64,
        progress: &mut Progress,
    ) -> Result<MediaData, PlatformError> {
        let op = XOperation::UploadMedia { what: kind.noun() };
        let client = self.client;
        let now = Utc::now();
        let resumable = self.cp.upload.clone().filter(|u| {
            u.sha256 == key
                && u.total_bytes == len
                && u.chunk_size > 0
                && u.expires_at.is_none_or(|at| at > now + EXPIRY_MARGIN)
        });
        let mut session = match resumable {
            Some(s) => s,
            None => {
                #[derive(Deserialize)]
                struct Initialized {
                    #[serde(deserialize_with = "id_string")]
                    id: String,
                    #[serde(default)]
                    expires_after_secs: Option<i64>,
                }
                let body = json!({
                    "media_type": media_type(&file.mime),
                    "total_bytes": len,
                    "media_category": kind.category(),
                });
                let answer = send(op, self.tokens, |token| {
                    let request = client
                        .http
                        .post(client.endpoints.api("/2/media/upload/initialize"))
                        .bearer_auth(token.secret())
                        .json(&body);
                    async move { Ok(request) }
                })
                .await?;
                let init: Initialized = data(&answer)?;
                let session = ChunkedUpload {
                    sha256: key.to_owned(),
                    media_id: init.id,
                    total_bytes: len,
                    chunk_size: CHUNK_SIZE,
                    next_segment: 0,
                    expires_at: init
                        .expires_after_secs
                        .map(|s| Utc::now() + chrono::Duration::seconds(s)),
                };
                self.cp.upload = Some(session.clone());
                self.save().await?;
                session
            }
        };

        let segments = len.div_ceil(session.chunk_size);
        while session.next_segment < segments {
            let offset = session.next_segment * session.chunk_size;
            let size = session.chunk_size.min(len - offset);
            let segment = session.next_segment;
            let url = client
                .endpoints
                .api(&format!("/2/media/upload/{}/append", session.media_id));
            let sent = send(op, self.tokens, |token| {
                let url = url.clone();
                async move {
                    let part = file_part(&file.path, offset, size, "application/octet-stream")
                        .await
                        .map_err(|e| unreadable_file(&file.path, &e, Platform::X))?;
                    let form = Form::new()
                        .text("segment_index", segment.to_string())
                        .part("media", part);
                    Ok(client
                        .http
                        .post(url)
                        .bearer_auth(token.secret())
                        .multipart(form))
                }
            })
            .await;
            if let Err(e) = sent {
                return Err(self.forget_session_if_refused(e).await);
            }
            session.next_segment += 1;
            self.cp.upload = Some(session.clone());
            self.save().await?;
            self.sink
                .progress(progress.done + (offset + size), progress.total);
        }

        let url = client
            .endpoints
            .api(&format!("/2/media/upload/{}/finalize", session.media_id));
        let finalized = send(op, self.tokens, |token| {
            let request = client.http.post(url.clone()).bearer_auth(token.secret());
            async move { Ok(request) }
        })
        .await;
        match finalized {
            Ok(answer) => data(&answer),
            Err(e) => Err(self.forget_session_if_refused(e).await),
        }
    }

    /// X refused a step of the session (gone, expired, sizes wrong): start
    /// the upload over next time instead of repeating the refusal.
    async fn forget_session_if_refused(&mut self, e: PlatformError) -> PlatformError {
        if matches!(e.kind, ErrorKind::Rejected) {
            self.cp.upload = None;
            // `e` is the error to report; a failed save only means the next
            // try meets the same refusal once more.
            let _ = self.save().await;
        }
        e
    }

    /// Asks STATUS once where X's processing of the media stands.
    async fn poll_processing(
        &mut self,
        key: &str,
        media_id: &str,
        kind: XMediaKind,
    ) -> Result<Upload, PlatformError> {
        let op = XOperation::UploadMedia { what: kind.noun() };
        let client = self.client;
        let mut url = client.endpoints.api("/2/media/upload");
        url.query_pairs_mut()
            .append_pair("command", "STATUS")
            .append_pair("media_id", media_id);
        let answer = send(op, self.tokens, |token| {
            let request = client.http.get(url.clone()).bearer_auth(token.secret());
            async move { Ok(request) }
        })
        .await?;
        let status: MediaData = data(&answer)?;
        match status.processing_info {
            Some(info) if info.state == "failed" => {
                Err(self.processing_failed(key, kind, &info).await)
            }
            Some(info) if info.state != "succeeded" => {
                Ok(Upload::Processing(info.processing(kind)))
            }
            _ => {
                if let Some(m) = self.cp.media.get_mut(key) {
                    m.ready = true;
                }
                self.save().await?;
                Ok(Upload::Ready(media_id.to_owned()))
            }
        }
    }

    async fn processing_failed(
        &mut self,
        key: &str,
        kind: XMediaKind,
        info: &ProcessingInfo,
    ) -> PlatformError {
        // Processing failed for good: a later try must upload again.
        self.cp.media.remove(key);
        let _ = self.save().await;
        let reason = info
            .error
            .as_ref()
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let message = match &reason {
            Some(r) => format!("X could not process the {}: {r}", kind.noun()),
            None => format!("X could not process the {}.", kind.noun()),
        };
        let err = PlatformError::new(ErrorKind::Rejected, "media_processing_failed", message);
        match info.error.as_ref() {
            Some(e) => err.with_detail(e.to_string()),
            None => err,
        }
    }
}

/// `len` bytes of the file from `offset`, as a streamed multipart part.
async fn file_part(path: &Path, offset: u64, len: u64, mime: &str) -> std::io::Result<Part> {
    Part::stream_with_length(file_body(path, offset, len).await?, len)
        .file_name("media")
        .mime_str(mime)
        .map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processing_states() {
        assert!(ProcessingInfo::done(None));
        let pending = ProcessingInfo {
            state: "pending".into(),
            check_after_secs: Some(500),
            progress_percent: Some(40),
            error: None,
        };
        assert!(!ProcessingInfo::done(Some(&pending)));
        let p = pending.processing(XMediaKind::Video);
        assert_eq!(p.stage, "X is processing the video (40 %)");
        let wait = p.check_at - Utc::now();
        assert!(wait <= chrono::Duration::seconds(60) && wait > chrono::Duration::seconds(55));
    }

    #[tokio::test]
    async fn file_part_reads_only_its_range() {
        let dir = std::env::temp_dir().join(format!("cf-x-media-{}", std::process::id()));
        tokio::fs::create_dir_all(&dir).await.expect("dir");
        let path = dir.join("data.bin");
        tokio::fs::write(&path, b"0123456789").await.expect("write");
        let part = file_part(&path, 3, 4, "application/octet-stream")
            .await
            .expect("part");
        // The length is known up front (Content-Length of the part).
        assert!(format!("{part:?}").contains("Part"));
        let e = file_part(&dir.join("missing.bin"), 0, 1, "image/png")
            .await
            .expect_err("missing");
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        let _ = tokio::fs::remove_dir_all(&dir).await;
    }
}
