//! The resumable upload of `videos.insert` and `thumbnails.set`
//! (docs/platforms/youtube.md §2, §6), streamed from disk.
//!
//! 1. `POST {api}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`
//!    with the metadata; the session URI (`Location`) goes into the
//!    checkpoint at once (§2.1).
//! 2. `PUT {session}` chunk after chunk, each read from its offset in the
//!    file as it is sent (memory does not grow with the file), every chunk
//!    but the last a multiple of 256 KiB, with `Content-Range` (§2.2). Each
//!    `308` says with its `Range` what YouTube has (absent: nothing): that,
//!    never our own count, is where the next chunk starts, and it is
//!    checkpointed after every chunk.
//! 3. After a cut connection, a 5xx or a crash: `PUT {session}` with
//!    `Content-Range: bytes */total` and no body asks where the upload
//!    stands, and it goes on from there (§2.3), so at most the chunk that was
//!    cut is sent twice. A session that is gone (404/410) is replaced by a
//!    new one, unless the chunk that ends the file may have completed the
//!    video: then nothing is uploaded again on a guess.
//! 4. The answer to the last byte is 200 or 201 with the video (§2.2).

use std::path::Path;

use chrono::Utc;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, LOCATION, RANGE};
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::checkpoint::{ThumbnailState, UploadSession, YoutubeCheckpoint};
use super::client::{YoutubeClient, parse};
use super::errors::YoutubeOperation;
use super::validate::{clean_tags, options, thumbnail_type, video_type};
use crate::auth::TokenSource;
use crate::error::{ErrorKind, PlatformError};
use crate::support::files::{file_body, file_len, media_key, unreadable_file};
use crate::support::request::{Answer, send};
use crate::types::{MediaFile, Platform, PublishRequest};

/// Every chunk but the last is a multiple of this (256 KiB, §2.2).
pub const CHUNK_GRANULARITY: u64 = 256 * 1024;
/// Chunk size by default: 8 MiB (32 × 256 KiB). A cut connection costs at
/// most one chunk sent twice.
pub const DEFAULT_CHUNK_SIZE: u64 = 32 * CHUNK_GRANULARITY;
/// Tries in a row that may fail (5xx, cut connection) before the publish
/// gives up for now; the engine comes back and the checkpoint resumes.
const MAX_FAILURES_IN_A_ROW: u32 = 4;
/// Chunks in a row YouTube may answer without taking any byte.
const MAX_STALLS_IN_A_ROW: u32 = 3;
/// New sessions one publish may start after the previous one vanished.
const MAX_SESSIONS: u32 = 3;

/// A chunk size YouTube takes: `bytes` rounded down to a multiple of 256
/// KiB, at least 256 KiB.
pub(super) fn chunk_size_for(bytes: u64) -> u64 {
    (bytes / CHUNK_GRANULARITY).max(1) * CHUNK_GRANULARITY
}

/// What the upload session said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reply {
    /// `308`: YouTube has bytes `0..n`.
    Committed(u64),
    /// `200`/`201`: the upload is complete; the video's id.
    Complete(String),
    /// `404`/`410`: the session is unknown or expired.
    Gone,
}

/// One YouTube publish in progress (its steps: here).
pub(super) type Run<'a> = crate::support::checkpoint::Run<'a, YoutubeClient, YoutubeCheckpoint>;

/// Where the upload goes next.
enum Next {
    /// Start a new session.
    Start,
    /// Ask the session what it has.
    Probe,
    /// Send the chunk from this offset.
    Send(u64),
}

impl Run<'_> {
    /// Uploads the post's video, resuming the saved session; returns the
    /// video's id (saved in the checkpoint).
    pub async fn upload(&mut self, post: &PublishRequest) -> Result<String, PlatformError> {
        let file = post.media.first().ok_or_else(|| {
            PlatformError::new(
                ErrorKind::Rejected,
                "media_required",
                "YouTube needs a video: attach one MP4 or MOV file.",
            )
        })?;
        let key = media_key(file);
        let total = file_len(file, Platform::Youtube).await?;
        let mime = video_type(&file.mime).unwrap_or("application/octet-stream");

        if let Some(up) = self.cp.upload.clone()
            && (up.sha256 != key || up.total_bytes != total)
        {
            // The saved session uploads another file (the media changed).
            // Forget it, unless its last chunk may have made a video.
            if up.final_in_flight {
                match self.client.probe(self.tokens, &up).await? {
                    Reply::Complete(id) => return self.completed(id, up.total_bytes).await,
                    Reply::Gone => return Err(outcome_unknown()),
                    Reply::Committed(_) => {}
                }
            }
            self.cp.upload = None;
            self.save().await?;
        }

        let mut next = if self.cp.upload.is_some() {
            Next::Probe
        } else {
            Next::Start
        };
        let mut sessions = 0u32;
        let mut failures = 0u32;
        let mut stalls = 0u32;
        loop {
            next = match next {
                Next::Start => {
                    sessions += 1;
                    if sessions > MAX_SESSIONS {
                        return Err(PlatformError::new(
                            ErrorKind::Server,
                            "upload_session_lost",
                            "YouTube kept losing the upload. CreatorFlow will try again later.",
                        ));
                    }
                    let uri = self.start_session(post, total, mime).await?;
                    self.cp.upload = Some(UploadSession {
                        session_uri: uri.to_string(),
                        sha256: key.clone(),
                        total_bytes: total,
                        committed: 0,
                        chunk_size: self.client.chunk_size,
                        final_in_flight: false,
                        started_at: Utc::now(),
                    });
                    self.save().await?;
                    self.sink.progress(0, total);
                    Next::Send(0)
                }
                Next::Probe => {
                    let up = self.session()?;
                    match self.client.probe(self.tokens, &up).await {
                        Ok(Reply::Committed(n)) => {
                            // `failures` goes back to 0 only once bytes move:
                            // a session that answers probes but never takes
                            // a chunk must not keep this loop going.
                            self.committed(n, total).await?;
                            Next::Send(n)
                        }
                        Ok(Reply::Complete(id)) => return self.completed(id, total).await,
                        Ok(Reply::Gone) => self.session_gone().await?,
                        Err(e) if retryable(&e) && failures < MAX_FAILURES_IN_A_ROW => {
                            failures += 1;
                            self.pause(failures).await;
                            Next::Probe
                        }
                        Err(e) => return Err(e),
                    }
                }
                Next::Send(offset) => {
                    let up = self.session()?;
                    if offset >= total {
                        // YouTube has every byte but said nothing of a video.
                        return Err(PlatformError::new(
                            ErrorKind::Protocol,
                            "bad_response",
                            "YouTube has the whole video file but did not confirm the upload.",
                        )
                        .with_detail(format!("Range covers {offset} of {total} bytes")));
                    }
                    let end = (offset + chunk_size_for(up.chunk_size)).min(total);
                    if end == total && !up.final_in_flight {
                        // This chunk may complete the video: say so first.
                        if let Some(u) = self.cp.upload.as_mut() {
                            u.final_in_flight = true;
                        }
                        self.save().await?;
                    }
                    let sent = self
                        .client
                        .put_chunk(self.tokens, &up, &file.path, offset, end, mime)
                        .await;
                    match sent {
                        Ok(Reply::Committed(n)) => {
                            if n > offset {
                                failures = 0;
                                stalls = 0;
                            } else {
                                stalls += 1;
                            }
                            if stalls > MAX_STALLS_IN_A_ROW {
                                return Err(PlatformError::new(
                                    ErrorKind::Server,
                                    "upload_stalled",
                                    "YouTube stopped taking the video's bytes. CreatorFlow \
                                     will try again later.",
                                )
                                .with_detail(format!("Range stays at {n} of {total} bytes")));
                            }
                            self.committed(n, total).await?;
                            Next::Send(n)
                        }
                        Ok(Reply::Complete(id)) => return self.completed(id, total).await,
                        Ok(Reply::Gone) => self.session_gone().await?,
                        Err(e) if retryable(&e) && failures < MAX_FAILURES_IN_A_ROW => {
                            tracing::info!(code = %e.code, offset, "YouTube chunk failed; asking the session");
                            failures += 1;
                            self.pause(failures).await;
                            Next::Probe
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
        }
    }

    fn session(&self) -> Result<UploadSession, PlatformError> {
        self.cp.upload.clone().ok_or_else(|| {
            PlatformError::new(
                ErrorKind::Protocol,
                "bad_checkpoint",
                "The saved progress of this YouTube upload has no session.",
            )
        })
    }

    /// YouTube has bytes `0..n`: checkpoint it, report it.
    async fn committed(&mut self, n: u64, total: u64) -> Result<(), PlatformError> {
        if n > total {
            return Err(PlatformError::new(
                ErrorKind::Protocol,
                "bad_response",
                "YouTube reported more bytes than the video has.",
            )
            .with_detail(format!("Range covers {n} of {total} bytes")));
        }
        if let Some(u) = self.cp.upload.as_mut() {
            u.committed = n;
            // Fewer bytes than the file: the last chunk did not complete it.
            u.final_in_flight = false;
        }
        self.save().await?;
        self.sink.progress(n, total);
        Ok(())
    }

    async fn completed(&mut self, id: String, total: u64) -> Result<String, PlatformError> {
        tracing::info!(video = %id, "YouTube upload complete");
        self.cp.video_id = Some(id.clone());
        self.cp.upload = None;
        self.save().await?;
        self.sink.progress(total, total);
        Ok(id)
    }

    /// The session is unknown or expired: start over, unless the last chunk
    /// may have made the video already.
    async fn session_gone(&mut self) -> Result<Next, PlatformError> {
        if self.cp.final_in_flight() {
            return Err(outcome_unknown());
        }
        tracing::info!("YouTube upload session gone; starting a new one");
        self.cp.upload = None;
        self.save().await?;
        Ok(Next::Start)
    }

    async fn pause(&self, failures: u32) {
        let factor = 1u32 << failures.saturating_sub(1).min(6);
        tokio::time::sleep(self.client.retry_delay.saturating_mul(factor)).await;
    }

    /// `POST …/videos?uploadType=resumable` with the metadata (§2.1); the
    /// session URI from `Location`.
    async fn start_session(
        &mut self,
        post: &PublishRequest,
        total: u64,
        mime: &str,
    ) -> Result<Url, PlatformError> {
        let o = options(post);
        let client = self.client;
        let mut url = client.endpoints.api("/upload/youtube/v3/videos");
        url.query_pairs_mut()
            .append_pair("uploadType", "resumable")
            .append_pair("part", "snippet,status")
            .append_pair(
                "notifySubscribers",
                if o.notify_subscribers {
                    "true"
                } else {
                    "false"
                },
            );
        let body = json!({
            "snippet": {
                "title": o.title.trim(),
                "description": post.text,
                "tags": clean_tags(&o.tags),
                "categoryId": o.category_id.trim(),
            },
            "status": {
                "privacyStatus": o.privacy.as_str(),
                "selfDeclaredMadeForKids": o.made_for_kids,
            },
        });
        let answer = send(YoutubeOperation::StartUpload, self.tokens, |token| {
            let request = client
                .http
                .post(url.clone())
                .bearer_auth(token.secret())
                .timeout(std::time::Duration::from_secs(60))
                .header("X-Upload-Content-Length", total)
                .header("X-Upload-Content-Type", mime)
                .json(&body);
            async move { Ok(request) }
        })
        .await?;
        let location = answer
            .headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| client.endpoints.api.join(l).ok());
        location.ok_or_else(|| {
            PlatformError::new(
                ErrorKind::Protocol,
                "bad_response",
                "YouTube did not say where to upload the video.",
            )
            .with_status(answer.status)
            .with_detail("no Location header on the session start")
        })
    }

    /// `thumbnails.set` (§6) with the cover. A refusal (a channel that is not
    /// verified, a picture YouTube will not take) does not fail the post: it
    /// becomes a note on it. Errors worth trying again come back.
    pub async fn thumbnail(
        &mut self,
        video_id: &str,
        cover: &MediaFile,
    ) -> Result<(), PlatformError> {
        match self
            .client
            .set_thumbnail(self.tokens, video_id, cover)
            .await
        {
            Ok(()) => {
                self.cp.thumbnail = Some(ThumbnailState::Set);
            }
            Err(e) if e.kind == ErrorKind::Rejected => {
                tracing::info!(code = %e.code, "YouTube refused the thumbnail");
                let note = if e.code == "thumbnail_not_allowed" {
                    "YouTube did not take the custom thumbnail: custom thumbnails need a \
                     verified channel. Verify the channel at youtube.com/verify, then set the \
                     thumbnail in YouTube Studio."
                        .to_owned()
                } else {
                    format!(
                        "{} The video went out with a thumbnail YouTube picked.",
                        e.message
                    )
                };
                self.cp.thumbnail = Some(ThumbnailState::Refused);
                self.cp.note(note);
            }
            Err(e) => return Err(e),
        }
        self.save().await
    }
}

impl YoutubeClient {
    /// Whether the session URI is on the API's host, so the bearer token may
    /// go with it (never to another host a `Location` might name).
    fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.endpoints.api.origin()
    }

    fn session_url(up: &UploadSession) -> Result<Url, PlatformError> {
        Url::parse(&up.session_uri).map_err(|e| {
            PlatformError::new(
                ErrorKind::Protocol,
                "bad_checkpoint",
                "The saved upload session of this YouTube post is not a URL.",
            )
            .with_detail(e.to_string())
        })
    }

    /// `PUT {session}` with `Content-Range: bytes */total` and no body:
    /// where the upload stands (§2.3).
    pub(super) async fn probe(
        &self,
        tokens: &dyn TokenSource,
        up: &UploadSession,
    ) -> Result<Reply, PlatformError> {
        let url = Self::session_url(up)?;
        let auth = self.same_origin(&url);
        let total = up.total_bytes;
        let answer = send(YoutubeOperation::UploadChunk, tokens, |token| {
            let mut request = self
                .http
                .put(url.clone())
                .timeout(std::time::Duration::from_secs(60))
                .header(CONTENT_LENGTH, 0)
                .header(CONTENT_RANGE, format!("bytes */{total}"));
            if auth {
                request = request.bearer_auth(token.secret());
            }
            async move { Ok(request) }
        })
        .await;
        reply(answer)
    }

    /// `PUT {session}` with bytes `offset..end` of the file, streamed from
    /// disk (§2.2).
    pub(super) async fn put_chunk(
        &self,
        tokens: &dyn TokenSource,
        up: &UploadSession,
        path: &Path,
        offset: u64,
        end: u64,
        mime: &str,
    ) -> Result<Reply, PlatformError> {
        let url = Self::session_url(up)?;
        let auth = self.same_origin(&url);
        let total = up.total_bytes;
        let len = end - offset;
        // A generous limit: 2 minutes plus 64 KiB/s.
        let timeout = std::time::Duration::from_secs(120 + len / 65_536);
        let answer = send(YoutubeOperation::UploadChunk, tokens, |token| {
            let url = url.clone();
            async move {
                let body = file_body(path, offset, len)
                    .await
                    .map_err(|e| unreadable_file(path, &e, Platform::Youtube))?;
                let mut request = self
                    .http
                    .put(url)
                    .timeout(timeout)
                    .header(CONTENT_LENGTH, len)
                    .header(CONTENT_RANGE, format!("bytes {offset}-{}/{total}", end - 1))
                    .header(CONTENT_TYPE, mime)
                    .body(body);
                if auth {
                    request = request.bearer_auth(token.secret());
                }
                Ok(request)
            }
        })
        .await;
        reply(answer)
    }

    /// `POST …/thumbnails/set?videoId=` with the picture (§6).
    async fn set_thumbnail(
        &self,
        tokens: &dyn TokenSource,
        video_id: &str,
        cover: &MediaFile,
    ) -> Result<(), PlatformError> {
        let mime = thumbnail_type(&cover.mime).unwrap_or("application/octet-stream");
        let len = file_len(cover, Platform::Youtube).await?;
        let mut url = self.endpoints.api("/upload/youtube/v3/thumbnails/set");
        url.query_pairs_mut()
            .append_pair("videoId", video_id)
            .append_pair("uploadType", "media");
        send(YoutubeOperation::Thumbnail, tokens, |token| {
            let url = url.clone();
            async move {
                let body = file_body(&cover.path, 0, len)
                    .await
                    .map_err(|e| unreadable_file(&cover.path, &e, Platform::Youtube))?;
                Ok(self
                    .http
                    .post(url)
                    .bearer_auth(token.secret())
                    .timeout(std::time::Duration::from_secs(120))
                    .header(CONTENT_LENGTH, len)
                    .header(CONTENT_TYPE, mime)
                    .body(body))
            }
        })
        .await?;
        Ok(())
    }
}

/// Sorts a session answer: 308 + `Range`, 2xx + the video, 404/410.
fn reply(answer: Result<Answer, PlatformError>) -> Result<Reply, PlatformError> {
    let answer = match answer {
        Ok(a) => a,
        Err(e) if matches!(e.status, Some(404 | 410)) => return Ok(Reply::Gone),
        Err(e) => return Err(e),
    };
    if answer.status == 308 {
        return committed_range(&answer).map(Reply::Committed);
    }
    #[derive(Deserialize)]
    struct Video {
        id: String,
    }
    let video: Video = parse(&answer)?;
    if video.id.is_empty() {
        return Err(PlatformError::new(
            ErrorKind::Protocol,
            "bad_response",
            "YouTube finished the upload but gave the video no id.",
        ));
    }
    Ok(Reply::Complete(video.id))
}

/// The bytes a `308` says YouTube has: `Range: bytes=0-N` → N + 1; no
/// `Range` → nothing yet (§2.2).
fn committed_range(answer: &Answer) -> Result<u64, PlatformError> {
    let Some(v) = answer.headers.get(RANGE) else {
        return Ok(0);
    };
    let parsed = v
        .to_str()
        .ok()
        .and_then(|s| s.trim().strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'))
        .and_then(|(start, last)| {
            (start.trim() == "0")
                .then(|| last.trim().parse::<u64>().ok())
                .flatten()
        });
    parsed.map(|last| last + 1).ok_or_else(|| {
        PlatformError::new(
            ErrorKind::Protocol,
            "bad_response",
            "YouTube sent an upload range CreatorFlow could not read.",
        )
        .with_status(308)
        .with_detail(format!("Range: {}", String::from_utf8_lossy(v.as_bytes())))
    })
}

/// The error when the chunk that ends the file went unanswered and the
/// session is gone: the video may exist, so nothing is uploaded again. It
/// is transient so the engine comes back, reconciles, and asks the creator.
fn outcome_unknown() -> PlatformError {
    PlatformError::new(
        ErrorKind::Network,
        "upload_outcome_unknown",
        "The connection to YouTube ended as the last part of the video was sent, and YouTube \
         no longer knows the upload. CreatorFlow cannot tell whether the video was created, \
         so it will not upload it again without asking you.",
    )
}

fn retryable(e: &PlatformError) -> bool {
    matches!(
        e.kind,
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Server
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn answer(status: u16, range: Option<&str>, body: &str) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(r) = range {
            headers.insert(RANGE, HeaderValue::from_str(r).expect("header"));
        }
        Answer {
            status,
            headers,
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn replies() {
        assert_eq!(
            reply(Ok(answer(308, Some("bytes=0-262143"), ""))).expect("ok"),
            Reply::Committed(262_144)
        );
        assert_eq!(
            reply(Ok(answer(308, None, ""))).expect("ok"),
            Reply::Committed(0)
        );
        assert_eq!(
            reply(Ok(answer(
                201,
                None,
                r#"{"id":"abc","kind":"youtube#video"}"#
            )))
            .expect("ok"),
            Reply::Complete("abc".into())
        );
        let gone = PlatformError::new(ErrorKind::Rejected, "rejected", "x").with_status(410);
        assert_eq!(reply(Err(gone)).expect("ok"), Reply::Gone);
        let e = reply(Ok(answer(308, Some("bytes=5-9"), ""))).expect_err("odd range");
        assert_eq!(e.kind, ErrorKind::Protocol);
        let e = reply(Ok(answer(200, None, "<html>"))).expect_err("unreadable");
        assert_eq!(e.code, "bad_response");
    }

    #[test]
    fn chunk_sizes() {
        assert_eq!(chunk_size_for(0), CHUNK_GRANULARITY);
        assert_eq!(
            chunk_size_for(CHUNK_GRANULARITY * 3 - 1),
            CHUNK_GRANULARITY * 2
        );
        assert_eq!(DEFAULT_CHUNK_SIZE % CHUNK_GRANULARITY, 0);
    }
}
