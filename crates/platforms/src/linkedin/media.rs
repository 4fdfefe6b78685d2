//! The media of a post: the Images API (docs/platforms/linkedin.md §5), the
//! Videos API (§6) and the Documents API, streamed from disk, checkpointed
//! after every step, and their status read once per pass (no sleeping: while
//! LinkedIn processes a file the publish answers `Processing`).
//!
//! - Image or document: `POST /rest/{images|documents}?action=initializeUpload`
//!   (the URN and upload URL go into the checkpoint), `PUT` the file to the
//!   upload URL, then `GET /rest/{images|documents}/{urn}` until `AVAILABLE`.
//! - Video: `initializeUpload` with the size gives the parts (byte ranges and
//!   their URLs; checkpointed), each part is `PUT` in order and its `ETag`
//!   checkpointed, then `finalizeUpload` with the ETags in order, then
//!   `GET /rest/videos/{urn}` until `AVAILABLE`. A resume sends only the
//!   parts LinkedIn has not confirmed.

use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::checkpoint::{UploadedMedia, VideoPart, VideoUpload};
use super::client::{LinkedinClient, Run, encode_urn, parse};
use super::errors::LinkedinOperation;
use super::validate::LinkedinMedia;
use crate::auth::TokenSource;
use crate::error::{ErrorKind, PlatformError};
use crate::support::errors::{MAX_REASON_CHARS, shorten};
use crate::support::files::{file_body, file_len, media_key, unreadable_file};
use crate::support::request::Answer;
use crate::types::{MediaFile, Platform, Processing, PublishRequest};

/// Upload URLs this close to expiry are not used any more.
const EXPIRY_MARGIN: chrono::Duration = chrono::Duration::minutes(10);
/// When to look again at a file LinkedIn is processing.
const IMAGE_WAIT: chrono::Duration = chrono::Duration::seconds(5);
const DOCUMENT_WAIT: chrono::Duration = chrono::Duration::seconds(10);
const VIDEO_WAIT: chrono::Duration = chrono::Duration::seconds(20);

impl LinkedinMedia {
    fn op(self) -> LinkedinOperation {
        match self {
            Self::Image => LinkedinOperation::UploadImage,
            Self::Video => LinkedinOperation::UploadVideo,
            Self::Document => LinkedinOperation::UploadDocument,
        }
    }

    /// The REST resource: `/rest/images`, `/rest/videos`, `/rest/documents`.
    fn resource(self) -> &'static str {
        match self {
            Self::Image => "/rest/images",
            Self::Video => "/rest/videos",
            Self::Document => "/rest/documents",
        }
    }

    fn wait(self) -> chrono::Duration {
        match self {
            Self::Image => IMAGE_WAIT,
            Self::Video => VIDEO_WAIT,
            Self::Document => DOCUMENT_WAIT,
        }
    }
}

/// Where the post's media stand after a pass.
pub(super) enum Prepared {
    /// Every file is `AVAILABLE`: the post's `content`.
    Ready(Value),
    /// LinkedIn is still processing a file: look again then.
    Processing(Processing),
}

/// One file after a pass.
enum One {
    Ready(String),
    Processing(Processing),
}

/// Bytes of all the post's media, for the progress bar.
struct Progress {
    done: u64,
    total: u64,
}

/// The answer of an `initializeUpload` (images and documents).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Initialized {
    upload_url: String,
    #[serde(default)]
    upload_url_expires_at: Option<i64>,
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    document: Option<String>,
}

/// The answer of a video `initializeUpload` (§6.1).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoInitialized {
    video: String,
    #[serde(default)]
    upload_token: String,
    #[serde(default)]
    upload_urls_expire_at: Option<i64>,
    upload_instructions: Vec<Instruction>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Instruction {
    upload_url: String,
    first_byte: u64,
    last_byte: u64,
}

#[derive(Deserialize)]
struct Envelope<T> {
    value: T,
}

fn epoch_ms(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(|ms| Utc.timestamp_millis_opt(ms).single())
}

fn bad_answer(what: &str) -> PlatformError {
    PlatformError::new(
        ErrorKind::Protocol,
        "bad_response",
        "LinkedIn sent an answer CreatorFlow could not read.",
    )
    .with_detail(what.to_owned())
}

/// An upload URL LinkedIn handed out, checked.
fn upload_url(raw: &str) -> Result<Url, PlatformError> {
    Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| bad_answer("an upload URL is not a web address"))
}

impl Run<'_> {
    /// Uploads the post's files (resuming from the checkpoint) and, once
    /// LinkedIn has every one `AVAILABLE`, the `content` of the post.
    pub(super) async fn media_content(
        &mut self,
        post: &PublishRequest,
    ) -> Result<Prepared, PlatformError> {
        let mut progress = Progress {
            done: 0,
            total: post.media.iter().map(|m| m.size).sum(),
        };
        self.sink.progress(0, progress.total);
        let mut urns = Vec::with_capacity(post.media.len());
        let mut pending: Option<Processing> = None;
        let mut kinds = Vec::with_capacity(post.media.len());
        for file in &post.media {
            let kind = LinkedinMedia::of(file).ok_or_else(|| {
                PlatformError::new(
                    ErrorKind::Rejected,
                    "unsupported_media",
                    format!(
                        "LinkedIn cannot show \"{}\" ({}).",
                        file.display_name(),
                        file.mime
                    ),
                )
            })?;
            kinds.push(kind);
            match self.one(file, kind, &mut progress).await? {
                One::Ready(urn) => urns.push(urn),
                One::Processing(p) => {
                    pending = Some(match pending {
                        Some(q) if q.check_at <= p.check_at => q,
                        _ => p,
                    });
                }
            }
            progress.done += file.size;
            self.sink.progress(progress.done, progress.total);
        }
        if let Some(p) = pending {
            return Ok(Prepared::Processing(p));
        }
        Ok(Prepared::Ready(content(&post.media, &kinds, &urns)))
    }

    /// One file: uploaded if it is not yet, then its status.
    async fn one(
        &mut self,
        file: &MediaFile,
        kind: LinkedinMedia,
        progress: &mut Progress,
    ) -> Result<One, PlatformError> {
        let key = media_key(file);
        let soon = Utc::now() + EXPIRY_MARGIN;
        if let Some(m) = self.cp.media.get(&key).cloned() {
            if m.ready {
                return Ok(One::Ready(m.urn));
            }
            match &m.upload_url {
                // Initialized, bytes not sent, and the URL still works.
                Some(url) if m.expires_at.is_none_or(|at| at > soon) => {
                    self.send_file(file, kind, &key, url, progress).await?;
                }
                // Initialized long ago: start over.
                Some(_) => {
                    self.cp.media.remove(&key);
                    self.save().await?;
                    self.upload(file, kind, &key, progress).await?;
                }
                None => {}
            }
        } else {
            self.upload(file, kind, &key, progress).await?;
        }
        self.status(&key, kind).await
    }

    /// A fresh upload of `file`: the URN ends up in `cp.media[key]`.
    async fn upload(
        &mut self,
        file: &MediaFile,
        kind: LinkedinMedia,
        key: &str,
        progress: &mut Progress,
    ) -> Result<(), PlatformError> {
        if kind == LinkedinMedia::Video {
            return self.video(file, key, progress).await;
        }
        let author = self.author()?;
        let client = self.client;
        let mut url = client.endpoints.api(kind.resource());
        url.set_query(Some("action=initializeUpload"));
        let body = json!({"initializeUploadRequest": {"owner": author}});
        let answer = client
            .call(kind.op(), self.tokens, |token| {
                let request = client
                    .rest(client.http.post(url.clone()), &token)
                    .json(&body);
                async move { Ok(request) }
            })
            .await?;
        let init: Envelope<Initialized> = parse(&answer)?;
        let init = init.value;
        let urn = match kind {
            LinkedinMedia::Image => init.image,
            _ => init.document,
        }
        .filter(|u| u.starts_with("urn:li:"))
        .ok_or_else(|| bad_answer(&format!("no {} URN in initializeUpload", kind.noun())))?;
        let target = upload_url(&init.upload_url)?;
        self.cp.media.insert(
            key.to_owned(),
            UploadedMedia {
                urn,
                ready: false,
                upload_url: Some(target.to_string()),
                expires_at: epoch_ms(init.upload_url_expires_at),
            },
        );
        self.save().await?;
        self.send_file(file, kind, key, target.as_str(), progress)
            .await
    }

    /// `PUT` the whole file to its upload URL, then forget the URL.
    async fn send_file(
        &mut self,
        file: &MediaFile,
        kind: LinkedinMedia,
        key: &str,
        url: &str,
        progress: &mut Progress,
    ) -> Result<(), PlatformError> {
        let url = upload_url(url)?;
        let len = file_len(file, Platform::Linkedin).await?;
        let sent = self
            .client
            .put_bytes(self.tokens, kind.op(), &url, file, 0, len)
            .await;
        if let Err(e) = sent {
            return Err(self.forget_if_refused(key, e).await);
        }
        if let Some(m) = self.cp.media.get_mut(key) {
            m.upload_url = None;
            m.expires_at = None;
        }
        self.save().await?;
        self.sink
            .progress(progress.done + len.min(file.size), progress.total);
        Ok(())
    }

    /// LinkedIn refused an upload step for good (the URL expired or is
    /// unknown): the next try starts that file over.
    async fn forget_if_refused(&mut self, key: &str, e: PlatformError) -> PlatformError {
        if e.kind == ErrorKind::Rejected {
            self.cp.media.remove(key);
            // `e` is what to report; a failed save only means the next try
            // meets the same refusal once more.
            let _ = self.save().await;
        }
        e
    }

    /// The multipart video upload (§6), resuming a saved one.
    async fn video(
        &mut self,
        file: &MediaFile,
        key: &str,
        progress: &mut Progress,
    ) -> Result<(), PlatformError> {
        let len = file_len(file, Platform::Linkedin).await?;
        let soon = Utc::now() + EXPIRY_MARGIN;
        let resumable = self.cp.video.clone().filter(|v| {
            v.sha256 == key && v.total_bytes == len && v.expires_at.is_none_or(|at| at > soon)
        });
        let mut upload = match resumable {
            Some(v) => {
                tracing::info!(
                    sent = v.parts.iter().filter(|p| p.etag.is_some()).count(),
                    parts = v.parts.len(),
                    "resuming a LinkedIn video upload"
                );
                v
            }
            None => self.initialize_video(key, len).await?,
        };
        let op = LinkedinOperation::UploadVideo;
        for i in 0..upload.parts.len() {
            if upload.parts[i].etag.is_some() {
                continue;
            }
            let part = upload.parts[i].clone();
            let url = upload_url(&part.url)?;
            let sent = self
                .client
                .put_bytes(self.tokens, op, &url, file, part.first_byte, part.len())
                .await;
            let answer = match sent {
                Ok(a) => a,
                Err(e) => return Err(self.forget_video_if_refused(e).await),
            };
            let etag = answer
                .headers
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    bad_answer(&format!("no ETag for part {} of the video", i + 1))
                        .with_status(answer.status)
                })?
                .to_owned();
            upload.parts[i].etag = Some(etag);
            self.cp.video = Some(upload.clone());
            self.save().await?;
            self.sink
                .progress(progress.done + part.last_byte + 1, progress.total);
        }
        self.finalize_video(&upload).await?;
        self.cp.media.insert(
            key.to_owned(),
            UploadedMedia {
                urn: upload.urn.clone(),
                ready: false,
                upload_url: None,
                expires_at: None,
            },
        );
        self.cp.video = None;
        self.save().await?;
        tracing::info!(video = %upload.urn, "LinkedIn video upload finalized");
        Ok(())
    }

    /// `initializeUpload` with the size: the parts, checkpointed at once.
    async fn initialize_video(
        &mut self,
        key: &str,
        len: u64,
    ) -> Result<VideoUpload, PlatformError> {
        let author = self.author()?;
        let client = self.client;
        let mut url = client.endpoints.api("/rest/videos");
        url.set_query(Some("action=initializeUpload"));
        let body = json!({"initializeUploadRequest": {
            "owner": author,
            "fileSizeBytes": len,
            "uploadCaptions": false,
            "uploadThumbnail": false,
        }});
        let answer = client
            .call(LinkedinOperation::UploadVideo, self.tokens, |token| {
                let request = client
                    .rest(client.http.post(url.clone()), &token)
                    .json(&body);
                async move { Ok(request) }
            })
            .await?;
        let init: Envelope<VideoInitialized> = parse(&answer)?;
        let init = init.value;
        if !init.video.starts_with("urn:li:video:") {
            return Err(bad_answer("no video URN in initializeUpload"));
        }
        let mut parts: Vec<VideoPart> = Vec::with_capacity(init.upload_instructions.len());
        let mut next = 0u64;
        for i in &init.upload_instructions {
            if i.first_byte != next || i.last_byte < i.first_byte || i.last_byte >= len {
                return Err(bad_answer(&format!(
                    "upload instructions do not cover the {len} bytes in order (part {}-{})",
                    i.first_byte, i.last_byte
                )));
            }
            upload_url(&i.upload_url)?;
            parts.push(VideoPart {
                url: i.upload_url.clone(),
                first_byte: i.first_byte,
                last_byte: i.last_byte,
                etag: None,
            });
            next = i.last_byte + 1;
        }
        if next != len {
            return Err(bad_answer(&format!(
                "upload instructions cover {next} of {len} bytes"
            )));
        }
        let upload = VideoUpload {
            sha256: key.to_owned(),
            urn: init.video,
            total_bytes: len,
            upload_token: init.upload_token,
            expires_at: epoch_ms(init.upload_urls_expire_at),
            parts,
        };
        self.cp.video = Some(upload.clone());
        self.save().await?;
        Ok(upload)
    }

    /// `finalizeUpload` with every part's ETag, in order (§6.3).
    async fn finalize_video(&mut self, upload: &VideoUpload) -> Result<(), PlatformError> {
        let client = self.client;
        let mut url = client.endpoints.api("/rest/videos");
        url.set_query(Some("action=finalizeUpload"));
        let etags: Vec<&str> = upload
            .parts
            .iter()
            .filter_map(|p| p.etag.as_deref())
            .collect();
        let body = json!({"finalizeUploadRequest": {
            "video": upload.urn,
            "uploadToken": upload.upload_token,
            "uploadedPartIds": etags,
        }});
        let done = client
            .call(LinkedinOperation::UploadVideo, self.tokens, |token| {
                let request = client
                    .rest(client.http.post(url.clone()), &token)
                    .json(&body);
                async move { Ok(request) }
            })
            .await;
        match done {
            Ok(_) => Ok(()),
            Err(e) => Err(self.forget_video_if_refused(e).await),
        }
    }

    /// LinkedIn refused a step of the video upload for good: start it over
    /// next time instead of repeating the refusal.
    async fn forget_video_if_refused(&mut self, e: PlatformError) -> PlatformError {
        if e.kind == ErrorKind::Rejected {
            self.cp.video = None;
            let _ = self.save().await;
        }
        e
    }

    /// `GET /rest/{images|videos|documents}/{urn}`: ready, still processing,
    /// or LinkedIn could not process it.
    async fn status(&mut self, key: &str, kind: LinkedinMedia) -> Result<One, PlatformError> {
        #[derive(Deserialize)]
        struct Status {
            #[serde(default)]
            status: Option<String>,
            #[serde(default, rename = "processingFailureReason")]
            failure: Option<String>,
        }
        let Some(m) = self.cp.media.get(key).cloned() else {
            return Err(bad_answer("the upload is missing from the checkpoint"));
        };
        let client = self.client;
        let url = client
            .endpoints
            .api(&format!("{}/{}", kind.resource(), encode_urn(&m.urn)));
        let answer = client
            .call(kind.op(), self.tokens, |token| {
                let request = client.rest(client.http.get(url.clone()), &token);
                async move { Ok(request) }
            })
            .await?;
        let status: Status = parse(&answer)?;
        match status.status.as_deref() {
            Some("AVAILABLE") => {
                if let Some(m) = self.cp.media.get_mut(key) {
                    m.ready = true;
                }
                self.save().await?;
                Ok(One::Ready(m.urn))
            }
            Some("PROCESSING_FAILED") => {
                // For good: a later try uploads the file again.
                self.cp.media.remove(key);
                let _ = self.save().await;
                let why = match status.failure.as_deref() {
                    Some(r) => format!(" ({})", shorten(r, MAX_REASON_CHARS)),
                    None => String::new(),
                };
                Err(PlatformError::new(
                    ErrorKind::Rejected,
                    "media_processing_failed",
                    format!(
                        "LinkedIn could not process the {}{why}. Check that the file opens, \
                         then post it again.",
                        kind.noun()
                    ),
                )
                .with_detail(format!(
                    "{} PROCESSING_FAILED {}",
                    m.urn,
                    status.failure.unwrap_or_default()
                )))
            }
            // PROCESSING, WAITING_UPLOAD (the bytes are still being taken in).
            _ => Ok(One::Processing(Processing {
                check_at: Utc::now() + kind.wait(),
                stage: format!("LinkedIn is processing the {}", kind.noun()),
            })),
        }
    }
}

/// The post's `content` for its files (§3.2): one image or video or
/// document as `media`, several images as `multiImage`, with alt text and
/// the document's title.
fn content(media: &[MediaFile], kinds: &[LinkedinMedia], urns: &[String]) -> Value {
    let alt = |file: &MediaFile| {
        file.alt_text
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
    };
    let image = |file: &MediaFile, urn: &str| {
        let mut v = json!({"id": urn});
        if let Some(a) = alt(file) {
            v["altText"] = json!(a);
        }
        v
    };
    match (kinds, media, urns) {
        ([LinkedinMedia::Document], [file], [urn]) => {
            json!({"media": {"id": urn, "title": file.display_name()}})
        }
        ([LinkedinMedia::Video], [_], [urn]) => json!({"media": {"id": urn}}),
        ([LinkedinMedia::Image], [file], [urn]) => json!({"media": image(file, urn)}),
        _ => {
            let images: Vec<Value> = media
                .iter()
                .zip(urns)
                .map(|(file, urn)| image(file, urn))
                .collect();
            json!({"multiImage": {"images": images}})
        }
    }
}

impl LinkedinClient {
    /// `PUT` bytes `offset..offset+len` of the file to an upload URL,
    /// streamed from disk; the member's token goes along only to LinkedIn.
    pub(super) async fn put_bytes(
        &self,
        tokens: &dyn TokenSource,
        op: LinkedinOperation,
        url: &Url,
        file: &MediaFile,
        offset: u64,
        len: u64,
    ) -> Result<Answer, PlatformError> {
        let auth = self.endpoints.is_linkedin(url);
        // A generous limit: 2 minutes plus 64 KiB/s.
        let timeout = Duration::from_secs(120 + len / 65_536);
        let path = &file.path;
        self.call(op, tokens, |token| {
            let url = url.clone();
            async move {
                let body = file_body(path, offset, len)
                    .await
                    .map_err(|e| unreadable_file(path, &e, Platform::Linkedin))?;
                let mut request = self
                    .http
                    .put(url)
                    .timeout(timeout)
                    .header(CONTENT_LENGTH, len)
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .body(body);
                if auth {
                    request = request.bearer_auth(token.secret());
                }
                Ok(request)
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(name: &str, mime: &str, alt: Option<&str>) -> MediaFile {
        MediaFile {
            name: Some(name.into()),
            path: PathBuf::from(format!("/m/{name}")),
            mime: mime.into(),
            size: 1,
            sha256: String::new(),
            width: None,
            height: None,
            duration_ms: None,
            codec: None,
            alt_text: alt.map(str::to_owned),
        }
    }

    #[test]
    fn content_by_kind() {
        let img = file("a.png", "image/png", Some(" A cat "));
        assert_eq!(
            content(
                std::slice::from_ref(&img),
                &[LinkedinMedia::Image],
                &["urn:li:image:1".into()]
            ),
            json!({"media": {"id": "urn:li:image:1", "altText": "A cat"}})
        );
        let bare = file("b.gif", "image/gif", Some("  "));
        assert_eq!(
            content(
                &[img, bare],
                &[LinkedinMedia::Image, LinkedinMedia::Image],
                &["urn:li:image:1".into(), "urn:li:image:2".into()]
            ),
            json!({"multiImage": {"images": [
                {"id": "urn:li:image:1", "altText": "A cat"},
                {"id": "urn:li:image:2"}
            ]}})
        );
        assert_eq!(
            content(
                &[file("slides.pdf", "application/pdf", None)],
                &[LinkedinMedia::Document],
                &["urn:li:document:3".into()]
            ),
            json!({"media": {"id": "urn:li:document:3", "title": "slides.pdf"}})
        );
        assert_eq!(
            content(
                &[file("v.mp4", "video/mp4", Some("ignored"))],
                &[LinkedinMedia::Video],
                &["urn:li:video:4".into()]
            ),
            json!({"media": {"id": "urn:li:video:4"}})
        );
    }

    #[test]
    fn upload_urls_are_web_addresses() {
        assert!(upload_url("https://www.linkedin.com/dms-uploads/x").is_ok());
        assert_eq!(
            upload_url("file:///etc/passwd").expect_err("no").code,
            "bad_response"
        );
        assert!(upload_url("not a url").is_err());
        assert_eq!(
            epoch_ms(Some(1_650_567_510_704)).map(|t| t.timestamp()),
            Some(1_650_567_510)
        );
    }
}
