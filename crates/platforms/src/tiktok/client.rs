//! The TikTok client: profile, creator info, direct post of a video with a
//! chunked upload, status checks and reconcile, over the Content Posting API
//! (docs/platforms/tiktok.md).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::checkpoint::{TiktokCheckpoint, Upload};
use super::chunks::{ChunkPlan, DEFAULT_CHUNK_SIZE};
use super::errors::{TiktokError, TiktokOperation, fail_reason_words, map_error};
use super::metrics::{COUNTS, QUERY_FIELDS, is_video_id, not_public_yet, read_counts, video_id};
use super::validate::{self, options, privacy_label, video_type};
use super::{SCOPE_VIDEO_LIST, TiktokAuthenticator, TiktokEndpoints, capabilities};
use crate::auth::{Authenticator, TokenSource};
use crate::error::{ErrorKind, PlatformError};
use crate::metrics::{MetricsSupport, PostMetrics};
use crate::support::checkpoint::Run;
use crate::support::files::{file_body, file_len, media_key};
use crate::support::request::{Answer, execute, send};
use crate::support::rules_met;
use crate::types::{
    Capabilities, Choice, LimitScope, LimitWindow, MediaFile, Outcome, Platform, PostingInfo,
    Processing, Profile, PublishLimit, PublishRequest, Published, Reconciled, RemoteAccount,
    ValidationIssue, human_duration,
};
use crate::{PublishSink, Publisher};

/// Time limit of one API call.
const API_TIMEOUT: Duration = Duration::from_secs(60);
/// How long after init CreatorFlow still uses an upload URL: TikTok's live
/// about an hour (§4.2); a resume after this starts over with a new init.
const UPLOAD_URL_LIFETIME_SECS: i64 = 55 * 60;
/// When to ask `status/fetch` first after the upload, and between checks
/// (§8: a 512 MB video takes under 30 s; `status/fetch` allows 30 calls a
/// minute per account).
const CHECK_EVERY_SECS: i64 = 10;

/// The creator's limits, from `creator_info/query` (§3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CreatorInfo {
    pub creator_avatar_url: Option<String>,
    pub creator_username: Option<String>,
    pub creator_nickname: Option<String>,
    pub privacy_level_options: Vec<String>,
    pub comment_disabled: bool,
    pub duet_disabled: bool,
    pub stitch_disabled: bool,
    pub max_video_post_duration_sec: Option<u64>,
}

impl CreatorInfo {
    /// What the composer shows and offers.
    pub fn posting_info(&self) -> PostingInfo {
        let mut off = Vec::new();
        for (disabled, what) in [
            (self.comment_disabled, "comment"),
            (self.duet_disabled, "duet"),
            (self.stitch_disabled, "stitch"),
        ] {
            if disabled {
                off.push(what.to_owned());
            }
        }
        PostingInfo {
            display_name: self
                .creator_nickname
                .clone()
                .or_else(|| self.creator_username.clone())
                .unwrap_or_default(),
            avatar_url: self.creator_avatar_url.clone(),
            privacy_choices: self
                .privacy_level_options
                .iter()
                .map(|v| Choice {
                    value: v.clone(),
                    label: privacy_label(v),
                })
                .collect(),
            interactions_off: off,
            max_video_duration_ms: self.max_video_post_duration_sec.map(|s| s * 1000),
        }
    }

    /// Whether `post` still fits what TikTok allows this creator now (§3):
    /// the privacy level is still offered, the video is not too long.
    pub fn check(&self, post: &PublishRequest) -> Vec<ValidationIssue> {
        let mut issues = Vec::new();
        let who = self
            .creator_nickname
            .clone()
            .unwrap_or_else(|| Platform::Tiktok.handle(&post.account.username));
        if let Some(level) = options(post).privacy_level
            && !self.privacy_level_options.contains(&level)
        {
            let offered: Vec<String> = self
                .privacy_level_options
                .iter()
                .map(|l| format!("\"{}\"", privacy_label(l)))
                .collect();
            issues.push(ValidationIssue::new(
                "privacy_not_offered",
                format!(
                    "TikTok no longer offers \"{}\" for {who}; it offers {}. Open the post and \
                     pick who can see it.",
                    privacy_label(&level),
                    if offered.is_empty() {
                        "no privacy level at the moment".to_owned()
                    } else {
                        offered.join(", ")
                    }
                ),
                Some("privacyLevel"),
            ));
        }
        if let (Some(max), Some(video)) = (self.max_video_post_duration_sec, post.media.first())
            && let Some(ms) = video.duration_ms
            && ms > max * 1000
        {
            issues.push(ValidationIssue::new(
                "video_too_long",
                format!(
                    "TikTok lets {who} post videos of up to {}; \"{}\" plays {}. Trim it or \
                     pick another video.",
                    human_duration(max * 1000),
                    video.display_name(),
                    human_duration(ms)
                ),
                Some("media"),
            ));
        }
        issues
    }
}

/// `status/fetch` (§8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct PublishState {
    pub status: String,
    pub fail_reason: Option<String>,
    pub post_id: Option<String>,
    pub uploaded_bytes: Option<u64>,
}

impl PublishState {
    /// Every byte of a `video_size`-byte upload arrived.
    fn upload_complete(&self, video_size: u64) -> bool {
        self.status != "PROCESSING_UPLOAD" || self.uploaded_bytes.is_some_and(|b| b >= video_size)
    }
}

/// TikTok Content Posting API client. Holds no token: every request asks the
/// [`TokenSource`] for one. Upload chunks go to the URL TikTok handed out,
/// which carries its own credential, so the bearer token never goes there.
#[derive(Clone)]
pub struct TiktokClient {
    pub(super) endpoints: TiktokEndpoints,
    http: crate::http::LazyClient,
    chunk_size: u64,
    auth: Arc<TiktokAuthenticator>,
}

impl std::fmt::Debug for TiktokClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TiktokClient")
            .field("endpoints", &self.endpoints)
            .field("chunk_size", &self.chunk_size)
            .finish()
    }
}

impl TiktokClient {
    pub fn new(endpoints: TiktokEndpoints) -> Self {
        let auth = Arc::new(TiktokAuthenticator::new(&endpoints));
        let http = crate::http::upload_client();
        Self {
            endpoints,
            http,
            chunk_size: DEFAULT_CHUNK_SIZE,
            auth,
        }
    }

    /// Chunks of about `bytes` (kept within TikTok's rules, see [`ChunkPlan`]).
    pub fn with_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes;
        self
    }

    pub fn endpoints(&self) -> &TiktokEndpoints {
        &self.endpoints
    }

    /// Sends a `/v2/` API request and reads the envelope: `data`, or the
    /// error its `error.code` names (even in a 200 answer).
    async fn api(
        &self,
        op: TiktokOperation,
        tokens: &dyn TokenSource,
        url: Url,
        body: Option<Value>,
    ) -> Result<Value, PlatformError> {
        let answer = send(op, tokens, |token| {
            let mut request = match &body {
                Some(b) => self.http.post(url.clone()).json(b),
                None => self.http.get(url.clone()),
            };
            request = request.bearer_auth(token.secret()).timeout(API_TIMEOUT);
            async move { Ok(request) }
        })
        .await?;
        envelope(op, &answer)
    }

    /// `GET /v2/user/info/` (§1.7): open id, name and picture.
    pub async fn user_info(&self, tokens: &dyn TokenSource) -> Result<Value, PlatformError> {
        let mut url = self.endpoints.api("/v2/user/info/");
        url.query_pairs_mut()
            .append_pair("fields", "open_id,union_id,avatar_url,display_name");
        let data = self
            .api(TiktokOperation::Profile, tokens, url, None)
            .await?;
        Ok(data.get("user").cloned().unwrap_or(Value::Null))
    }

    /// `POST /v2/post/publish/creator_info/query/` (§3).
    pub async fn creator_info(
        &self,
        tokens: &dyn TokenSource,
    ) -> Result<CreatorInfo, PlatformError> {
        let url = self.endpoints.api("/v2/post/publish/creator_info/query/");
        let data = self
            .api(TiktokOperation::CreatorInfo, tokens, url, Some(json!({})))
            .await?;
        serde_json::from_value(data).map_err(|e| bad_response(e.to_string()))
    }

    /// `POST /v2/video/query/?fields=id,view_count,...` with
    /// `{"filters":{"video_ids":[...]}}` (§13): the Video Objects of the
    /// creator's own videos among `ids` (at most 20); a video TikTok no
    /// longer has, or not the creator's, is left out.
    pub async fn query_videos(
        &self,
        tokens: &dyn TokenSource,
        ids: &[&str],
    ) -> Result<Vec<Value>, PlatformError> {
        let mut url = self.endpoints.api("/v2/video/query/");
        url.query_pairs_mut().append_pair("fields", QUERY_FIELDS);
        let data = self
            .api(
                TiktokOperation::VideoQuery,
                tokens,
                url,
                Some(json!({ "filters": { "video_ids": ids } })),
            )
            .await?;
        match data.get("videos") {
            Some(Value::Array(videos)) => Ok(videos.clone()),
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(_) => Err(bad_response("video/query: videos is not a list".into())),
        }
    }

    /// `POST /v2/post/publish/status/fetch/` (§8).
    pub(super) async fn status(
        &self,
        tokens: &dyn TokenSource,
        publish_id: &str,
    ) -> Result<PublishState, PlatformError> {
        let url = self.endpoints.api("/v2/post/publish/status/fetch/");
        let data = self
            .api(
                TiktokOperation::Status,
                tokens,
                url,
                Some(json!({ "publish_id": publish_id })),
            )
            .await?;
        let status = data
            .get("status")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_response("status/fetch without a status".into()))?
            .to_owned();
        // `publicaly_available_post_id` (sic): a list of int64.
        let post_id = data
            .get("publicaly_available_post_id")
            .and_then(Value::as_array)
            .and_then(|ids| ids.first())
            .and_then(|id| match id {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                _ => None,
            });
        Ok(PublishState {
            status,
            fail_reason: data
                .get("fail_reason")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            post_id,
            uploaded_bytes: data.get("uploaded_bytes").and_then(Value::as_u64),
        })
    }

    /// The published post for a `PUBLISH_COMPLETE` state: TikTok's post id
    /// and its page once TikTok made it public. Before that (§8: after
    /// moderation, minutes to hours later) the publish id, the creator's
    /// profile as the link, a note, and when to ask again for the post's own
    /// link (`follow_up`); "Only me" posts never get a public id.
    fn published(
        &self,
        post: &PublishRequest,
        publish_id: &str,
        st: &PublishState,
        follow_up: Option<chrono::DateTime<Utc>>,
    ) -> Published {
        let username = &post.account.username;
        if let Some(id) = &st.post_id {
            return Published::new(
                id.clone(),
                Some(self.endpoints.post_url(username, id).to_string()),
            );
        }
        let mut p = Published::new(
            publish_id,
            Some(self.endpoints.profile_url(username).to_string()),
        );
        if options(post).privacy_level.as_deref() == Some("SELF_ONLY") {
            p.note = Some(
                "TikTok posted the video as \"Only me\": only you can see it, in the TikTok \
                 app on your profile."
                    .to_owned(),
            );
        } else {
            p.note = Some(
                "TikTok published the video and is reviewing it before it shows it to others; \
                 its own link appears here once TikTok has."
                    .to_owned(),
            );
            p.follow_up_at = follow_up;
        }
        p
    }
}

/// When to ask TikTok again for a post's public id: a third of the time
/// waited so far, between a minute and half an hour.
fn next_link_check(
    completed_at: chrono::DateTime<Utc>,
    now: chrono::DateTime<Utc>,
) -> chrono::DateTime<Utc> {
    let waited = (now - completed_at).num_seconds().max(0);
    now + chrono::Duration::seconds((waited / 3).clamp(60, 30 * 60))
}

fn bad_response(detail: String) -> PlatformError {
    PlatformError::new(
        ErrorKind::Protocol,
        "bad_response",
        "TikTok sent an answer CreatorFlow could not read.",
    )
    .with_detail(detail)
}

/// `data` of a 2xx answer whose envelope says `ok`; the named error
/// otherwise.
fn envelope(op: TiktokOperation, answer: &Answer) -> Result<Value, PlatformError> {
    let json: Value = serde_json::from_slice(&answer.body).map_err(|e| {
        map_error(op, answer.status, &answer.headers, &answer.body, Utc::now())
            .with_detail(e.to_string())
    })?;
    if !TiktokError::of(&json).is_ok() {
        return Err(map_error(
            op,
            answer.status,
            &answer.headers,
            &answer.body,
            Utc::now(),
        ));
    }
    Ok(json.get("data").cloned().unwrap_or(Value::Null))
}

fn processing(stage: &str) -> Outcome {
    Outcome::Processing(Processing {
        check_at: Utc::now() + chrono::Duration::seconds(CHECK_EVERY_SECS),
        stage: stage.to_owned(),
    })
}

fn stage_words(status: &str) -> &'static str {
    match status {
        "PROCESSING_UPLOAD" => "TikTok is receiving the video",
        "PROCESSING_DOWNLOAD" => "TikTok is fetching the video",
        _ => "TikTok is processing the video",
    }
}

type TiktokRun<'a> = Run<'a, TiktokClient, TiktokCheckpoint>;

impl TiktokRun<'_> {
    /// Initializes the post (after checking it against the creator's current
    /// limits) and saves where its bytes go.
    async fn init(
        &mut self,
        post: &PublishRequest,
        video: &MediaFile,
        size: u64,
    ) -> Result<(), PlatformError> {
        let info = self.client.creator_info(self.tokens).await?;
        rules_met(info.check(post))?;
        let o = options(post);
        let plan = ChunkPlan::new(size, self.client.chunk_size)?;
        let body = json!({
            "post_info": {
                "title": post.text,
                "privacy_level": o.privacy_level,
                "disable_comment": !o.allow_comments || info.comment_disabled,
                "disable_duet": !o.allow_duet || info.duet_disabled,
                "disable_stitch": !o.allow_stitch || info.stitch_disabled,
                "brand_organic_toggle": o.disclose_commercial && o.brand_organic,
                "brand_content_toggle": o.disclose_commercial && o.branded_content,
            },
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": plan.video_size,
                "chunk_size": plan.chunk_size,
                "total_chunk_count": plan.total_chunk_count,
            },
        });
        let url = self.client.endpoints.api("/v2/post/publish/video/init/");
        let data = self
            .client
            .api(TiktokOperation::InitPost, self.tokens, url, Some(body))
            .await?;
        let publish_id = data
            .get("publish_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad_response("video/init without a publish_id".into()))?;
        let upload_url = data
            .get("upload_url")
            .and_then(Value::as_str)
            .and_then(|u| Url::parse(u).ok())
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or_else(|| bad_response("video/init without a usable upload_url".into()))?;
        tracing::info!(
            publish_id,
            chunks = plan.total_chunk_count,
            "TikTok post initialized"
        );
        self.cp.upload = Some(Upload {
            publish_id: publish_id.to_owned(),
            upload_url: upload_url.to_string(),
            expires_at: Utc::now() + chrono::Duration::seconds(UPLOAD_URL_LIFETIME_SECS),
            media: media_key(video),
            video_size: plan.video_size,
            chunk_size: plan.chunk_size,
            total_chunk_count: plan.total_chunk_count,
            acked: 0,
            sending: None,
        });
        self.save().await
    }

    /// Sends chunk `index` of the saved upload, streamed from disk.
    async fn send_chunk(&mut self, video: &MediaFile, index: u64) -> Result<(), PlatformError> {
        let Some(upload) = self.cp.upload.as_mut() else {
            return Err(bad_response("no upload to send to".into()));
        };
        upload.sending = Some(index);
        let plan = upload.plan();
        let url = upload.upload_url.clone();
        self.save().await?;
        let (offset, len) = plan.range(index);
        let body = file_body(&video.path, offset, len).await.map_err(|e| {
            crate::support::files::unreadable_file(&video.path, &e, Platform::Tiktok)
        })?;
        let mime = video_type(&video.mime).unwrap_or("video/mp4");
        let request = self
            .client
            .http
            .put(url)
            .header(CONTENT_TYPE, mime)
            .header(CONTENT_LENGTH, len)
            .header(CONTENT_RANGE, plan.content_range(index))
            .timeout(API_TIMEOUT + Duration::from_secs(len / 250_000))
            .body(body);
        execute(TiktokOperation::UploadChunk, request, "").await?;
        if let Some(upload) = self.cp.upload.as_mut() {
            upload.acked = index + 1;
            upload.sending = None;
        }
        self.save().await?;
        self.sink.progress(offset + len, plan.video_size);
        Ok(())
    }

    /// Uploads the video: goes on from the last chunk TikTok acknowledged
    /// while the upload URL lives, and starts over with a new init when it
    /// expired or TikTok refuses to go on (§6.2).
    async fn upload(
        &mut self,
        post: &PublishRequest,
        video: &MediaFile,
    ) -> Result<(), PlatformError> {
        let size = file_len(video, Platform::Tiktok).await?;
        let key = media_key(video);
        if self
            .cp
            .upload
            .as_ref()
            .is_some_and(|u| u.media != key || u.video_size != size)
        {
            self.cp.upload = None;
        }
        let mut resuming = false;
        if let Some(u) = self.cp.upload.clone() {
            if u.last_in_flight() {
                // The chunk that ends the file may have arrived: then the
                // post is on its way, and a new upload would post it twice.
                let st = self.client.status(self.tokens, &u.publish_id).await?;
                if st.upload_complete(size) {
                    return Ok(());
                }
            }
            if Utc::now() >= u.expires_at {
                tracing::info!(publish_id = %u.publish_id, "TikTok upload URL expired; starting over");
                self.cp.upload = None;
                self.cp.restarts += 1;
            } else {
                resuming = true;
            }
        }
        loop {
            if self.cp.upload.is_none() {
                self.init(post, video, size).await?;
            }
            let (from, count) = match &self.cp.upload {
                Some(u) => (u.acked, u.total_chunk_count),
                None => return Err(bad_response("no upload to send to".into())),
            };
            let mut restart = false;
            for index in from..count {
                match self.send_chunk(video, index).await {
                    Ok(()) => resuming = false,
                    // TikTok offers no way to ask where an upload stands: when
                    // it refuses to go on where we left off, start over.
                    Err(e) if resuming && e.kind == ErrorKind::Rejected => {
                        tracing::info!(code = %e.code, "TikTok refused to resume the upload; starting over");
                        restart = true;
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            if !restart {
                return Ok(());
            }
            resuming = false;
            self.cp.upload = None;
            self.cp.restarts += 1;
            self.save().await?;
        }
    }
}

#[async_trait]
impl Publisher for TiktokClient {
    fn platform(&self) -> Platform {
        Platform::Tiktok
    }

    fn authenticator(&self) -> &dyn Authenticator {
        self.auth.as_ref()
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    /// TikTok's limit on starting posts: 6 a minute per creator's token
    /// (docs/platforms/tiktok.md §2.3).
    fn limits(&self) -> Vec<PublishLimit> {
        vec![PublishLimit {
            id: "inits_minute",
            label: "TikTok's limit of 6 posts a minute per account".into(),
            scope: LimitScope::Account,
            max: 6,
            window: LimitWindow::Rolling { secs: 60 },
        }]
    }

    fn validate(&self, post: &PublishRequest) -> Vec<ValidationIssue> {
        validate::validate_post(post)
    }

    /// The creator's open id and name from `user/info`, their handle from
    /// creator info (`username` in `user/info` needs a scope CreatorFlow
    /// does not ask for).
    async fn profiles(
        &self,
        tokens: &dyn TokenSource,
        _granted: &[String],
    ) -> Result<Vec<Profile>, PlatformError> {
        let user = self.user_info(tokens).await?;
        let open_id = user
            .get("open_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad_response("user/info without an open_id".into()))?
            .to_owned();
        let info = self.creator_info(tokens).await?;
        let display = user
            .get("display_name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .or_else(|| info.creator_nickname.clone())
            .unwrap_or_else(|| open_id.clone());
        Ok(vec![Profile {
            username: info
                .creator_username
                .clone()
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| open_id.clone()),
            display_name: display,
            avatar_url: user
                .get("avatar_url")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or(info.creator_avatar_url),
            platform_user_id: open_id,
            email: None,
        }])
    }

    async fn posting_info(
        &self,
        tokens: &dyn TokenSource,
    ) -> Result<Option<PostingInfo>, PlatformError> {
        Ok(Some(self.creator_info(tokens).await?.posting_info()))
    }

    /// Checks the post against creator info, initializes it, uploads the
    /// video chunk by chunk, then answers `Processing`: TikTok posts it once
    /// it has processed it (§8).
    async fn publish(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        rules_met(self.validate(post))?;
        let Some(video) = post.media.first() else {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "media_required",
                "A TikTok post needs a video. Attach one.",
            ));
        };
        let cp = TiktokCheckpoint::from_value(checkpoint)?;
        let mut run = Run {
            client: self,
            tokens,
            cp,
            out: checkpoint,
            sink,
        };
        if !run.cp.uploaded {
            run.upload(post, video).await?;
            run.cp.uploaded = true;
            if let Some(u) = run.cp.upload.as_mut() {
                u.sending = None;
            }
            run.save().await?;
        }
        Ok(processing("Uploaded — TikTok is processing the video"))
    }

    /// One `status/fetch`: published, still processing, or TikTok's reason.
    async fn check(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        let mut cp = TiktokCheckpoint::from_value(checkpoint)?;
        let Some(publish_id) = cp.publish_id().map(str::to_owned) else {
            return Err(PlatformError::new(
                ErrorKind::Protocol,
                "nothing_to_check",
                "TikTok has no post in progress for this to check.",
            ));
        };
        let publish_id = publish_id.as_str();
        let st = self.status(tokens, publish_id).await?;
        match st.status.as_str() {
            "PUBLISH_COMPLETE" => {
                let now = Utc::now();
                let mut follow_up = None;
                if st.post_id.is_none() {
                    if cp.completed_at.is_none() {
                        cp.completed_at = Some(now);
                        *checkpoint = cp.to_value();
                        sink.checkpoint(checkpoint).await.map_err(|e| {
                            PlatformError::new(
                                ErrorKind::Network,
                                "checkpoint_failed",
                                "CreatorFlow could not save its progress on this TikTok upload. \
                                 It will try again.",
                            )
                            .with_detail(e)
                        })?;
                    }
                    follow_up = cp.completed_at.map(|at| next_link_check(at, now));
                }
                Ok(Outcome::Published(
                    self.published(post, publish_id, &st, follow_up),
                ))
            }
            "SEND_TO_USER_INBOX" => {
                let mut p = Published::new(publish_id, None);
                p.note = Some(
                    "TikTok sent the video to the TikTok app's inbox; finish the post there."
                        .to_owned(),
                );
                Ok(Outcome::Published(p))
            }
            "FAILED" => Err(PlatformError::new(
                ErrorKind::Rejected,
                "publish_failed",
                fail_reason_words(st.fail_reason.as_deref()),
            )
            .with_detail(format!(
                "publish_id {publish_id}: FAILED {}",
                st.fail_reason.as_deref().unwrap_or("")
            ))),
            other => Ok(processing(stage_words(other))),
        }
    }

    /// Views, likes, comments and shares, as TikTok shows them on a video
    /// (§13). No read allowance: Query Videos is limited per minute only.
    fn metrics_support(&self) -> MetricsSupport {
        MetricsSupport {
            available: true,
            metrics: COUNTS
                .iter()
                .map(|(key, label, _)| (*key, *label))
                .collect(),
            scopes: vec![SCOPE_VIDEO_LIST],
            budget: None,
        }
    }

    /// One Query Videos for the post's public video id. A video TikTok
    /// leaves out of the answer is gone ([`PostMetrics::Removed`]); a post
    /// still known by its publish id (no public id yet, or never: "Only
    /// me", inbox) is not asked about and fails with the reason in words.
    async fn metrics(
        &self,
        tokens: &dyn TokenSource,
        _account: &RemoteAccount,
        remote_id: &str,
    ) -> Result<PostMetrics, PlatformError> {
        if !is_video_id(remote_id) {
            return Err(not_public_yet(remote_id));
        }
        let videos = self.query_videos(tokens, &[remote_id]).await?;
        Ok(
            match videos
                .iter()
                .find(|v| video_id(v).as_deref() == Some(remote_id))
            {
                Some(video) => PostMetrics::Live(read_counts(video)),
                None => PostMetrics::Removed,
            },
        )
    }

    /// From the checkpoint and, where the upload may have ended, TikTok's
    /// status: TikTok can say where a publish stands, so a post is rarely
    /// left unknown. A publish that may go on (resume, or wait for TikTok)
    /// answers `NotPublished`: `publish` with this checkpoint never uploads
    /// twice.
    async fn reconcile(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &Value,
    ) -> Result<Reconciled, PlatformError> {
        let cp = TiktokCheckpoint::from_value(checkpoint)?;
        let Some(upload) = &cp.upload else {
            return Ok(Reconciled::NotPublished);
        };
        if !cp.uploaded && !upload.last_in_flight() {
            return Ok(Reconciled::NotPublished);
        }
        match self.status(tokens, &upload.publish_id).await {
            // Published and public; without its public id yet, `publish`
            // (which sends nothing more) hands over to `check`, which follows
            // the link still to come.
            Ok(st) if st.status == "PUBLISH_COMPLETE" && st.post_id.is_some() => Ok(
                Reconciled::Published(self.published(post, &upload.publish_id, &st, None)),
            ),
            Ok(_) => Ok(Reconciled::NotPublished),
            Err(e) if e.is_transient() || e.kind == ErrorKind::Auth => Err(e),
            // TikTok does not know the publish: if the last chunk may have
            // gone out, nobody can tell; ask the creator.
            Err(_) if upload.last_in_flight() => Ok(Reconciled::Unknown),
            Err(e) => Err(e),
        }
    }
}
