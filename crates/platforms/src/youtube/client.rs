//! The YouTube client: channels, publish (resumable upload, thumbnail),
//! processing checks, reconcile, update and delete, over the YouTube Data
//! API v3 (docs/platforms/youtube.md).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use url::Url;

use super::checkpoint::YoutubeCheckpoint;
use super::errors::YoutubeOperation;
use super::status::{Standing, VideoState};
use super::upload::{DEFAULT_CHUNK_SIZE, Reply, Run, chunk_size_for};
use super::validate::{self, options};
use super::{YoutubeAuthenticator, YoutubeEndpoints, capabilities};
use crate::auth::{Authenticator, TokenSource};
use crate::error::{ErrorKind, PlatformError};
use crate::metrics::{MetricsSupport, PostMetrics};
use crate::support::request::{Answer, send};
use crate::support::rules_met;
use crate::types::{
    Capabilities, FieldCount, LimitScope, LimitWindow, Outcome, Platform, Processing, Profile,
    PublishLimit, PublishRequest, Published, Reconciled, RemoteAccount, ValidationIssue,
};
use crate::{PublishSink, Publisher};

/// When to look at a freshly uploaded video first (§4.4: processing takes
/// minutes for most videos; `check` then follows YouTube's estimate).
const FIRST_CHECK_SECS: i64 = 30;
/// Time limit of one API call (uploads have their own, by size).
const API_TIMEOUT: Duration = Duration::from_secs(60);

/// YouTube Data API v3 client. Holds no token: every request asks the
/// [`TokenSource`] for one, so a long upload survives its access token
/// expiring (the source renews it; a 401 makes it renew and try once more).
#[derive(Clone)]
pub struct YoutubeClient {
    pub(super) endpoints: YoutubeEndpoints,
    pub(super) http: crate::http::LazyClient,
    pub(super) chunk_size: u64,
    pub(super) retry_delay: Duration,
    auth: Arc<YoutubeAuthenticator>,
}

impl std::fmt::Debug for YoutubeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YoutubeClient")
            .field("endpoints", &self.endpoints)
            .field("chunk_size", &self.chunk_size)
            .finish()
    }
}

impl YoutubeClient {
    pub fn new(endpoints: YoutubeEndpoints) -> Self {
        let auth = Arc::new(YoutubeAuthenticator::new(&endpoints));
        // No redirects: the upload session answers `308 Resume Incomplete`,
        // which is not a redirect to follow (§2.2).
        let http = crate::http::upload_client();
        Self {
            endpoints,
            http,
            chunk_size: DEFAULT_CHUNK_SIZE,
            retry_delay: Duration::from_millis(500),
            auth,
        }
    }

    /// Upload chunk size in bytes: a multiple of 256 KiB (§2.2); other
    /// values are rounded down to one (at least 256 KiB).
    pub fn with_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = chunk_size_for(bytes);
        self
    }

    /// First wait before trying a chunk again after a 5xx or a cut
    /// connection (doubled each time; default 0.5 s).
    pub fn with_retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    pub fn endpoints(&self) -> &YoutubeEndpoints {
        &self.endpoints
    }

    /// The public page of a video (on youtube.com, or the sandbox's page).
    pub fn watch_url(&self, video_id: &str) -> String {
        self.endpoints.watch_url(video_id).to_string()
    }

    /// A GET of the Data API with a bearer token.
    async fn get(
        &self,
        op: YoutubeOperation,
        tokens: &dyn TokenSource,
        url: Url,
    ) -> Result<Answer, PlatformError> {
        send(op, tokens, |token| {
            let request = self
                .http
                .get(url.clone())
                .bearer_auth(token.secret())
                .timeout(API_TIMEOUT);
            async move { Ok(request) }
        })
        .await
    }

    /// `channels.list?part=snippet&mine=true`: one profile per channel.
    pub async fn channels(&self, tokens: &dyn TokenSource) -> Result<Vec<Profile>, PlatformError> {
        #[derive(Deserialize)]
        struct List {
            #[serde(default)]
            items: Vec<Channel>,
        }
        #[derive(Deserialize)]
        struct Channel {
            id: String,
            #[serde(default)]
            snippet: Snippet,
        }
        #[derive(Default, Deserialize)]
        #[serde(rename_all = "camelCase", default)]
        struct Snippet {
            title: String,
            custom_url: Option<String>,
            thumbnails: Option<Value>,
        }
        let mut url = self.endpoints.api("/youtube/v3/channels");
        url.query_pairs_mut()
            .append_pair("part", "snippet")
            .append_pair("mine", "true");
        let answer = self.get(YoutubeOperation::Channels, tokens, url).await?;
        let list: List = parse(&answer)?;
        if list.items.is_empty() {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "no_channel",
                "This Google account has no YouTube channel yet. Create one on YouTube, then \
                 connect again.",
            ));
        }
        Ok(list
            .items
            .into_iter()
            .map(|c| {
                let handle = c
                    .snippet
                    .custom_url
                    .as_deref()
                    .map(|u| u.trim().trim_start_matches('@').to_owned())
                    .filter(|u| !u.is_empty());
                let avatar = c.snippet.thumbnails.as_ref().and_then(|t| {
                    ["default", "medium", "high"]
                        .iter()
                        .find_map(|k| t.get(k)?.get("url")?.as_str())
                        .map(str::to_owned)
                });
                Profile {
                    username: handle.unwrap_or_else(|| c.id.clone()),
                    display_name: if c.snippet.title.is_empty() {
                        c.id.clone()
                    } else {
                        c.snippet.title
                    },
                    platform_user_id: c.id,
                    avatar_url: avatar,
                    email: None,
                }
            })
            .collect())
    }

    /// `videos.list` of one video with `parts`; `None` when YouTube has no
    /// such video (or it was deleted: §4.1, it is then left out of `items`).
    pub(super) async fn video(
        &self,
        tokens: &dyn TokenSource,
        id: &str,
        parts: &str,
    ) -> Result<Option<Value>, PlatformError> {
        self.video_with(YoutubeOperation::ReadVideo, tokens, id, parts)
            .await
    }

    /// [`Self::video`], for `op` (which words YouTube's refusals).
    pub(super) async fn video_with(
        &self,
        op: YoutubeOperation,
        tokens: &dyn TokenSource,
        id: &str,
        parts: &str,
    ) -> Result<Option<Value>, PlatformError> {
        #[derive(Deserialize)]
        struct List {
            #[serde(default)]
            items: Vec<Value>,
        }
        let mut url = self.endpoints.api("/youtube/v3/videos");
        url.query_pairs_mut()
            .append_pair("part", parts)
            .append_pair("id", id);
        let answer = self.get(op, tokens, url).await?;
        let list: List = parse(&answer)?;
        Ok(list
            .items
            .into_iter()
            .find(|v| v.get("id").and_then(Value::as_str) == Some(id)))
    }
}

#[async_trait]
impl Publisher for YoutubeClient {
    fn platform(&self) -> Platform {
        Platform::Youtube
    }

    fn authenticator(&self) -> &dyn Authenticator {
        self.auth.as_ref()
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    /// The project's daily allowance of uploads (docs/platforms/youtube.md
    /// §8.1): 100 `videos.insert` calls a Pacific-time day. A project
    /// still on the older shared pool of units runs out sooner; YouTube's
    /// `quotaExceeded` then holds every channel until the quota day ends.
    fn limits(&self) -> Vec<PublishLimit> {
        vec![PublishLimit {
            id: "inserts_day",
            label: "YouTube's daily quota of 100 uploads for your Google Cloud project".into(),
            scope: LimitScope::App,
            max: 100,
            window: LimitWindow::DailyPacific,
        }]
    }

    fn validate(&self, post: &PublishRequest) -> Vec<ValidationIssue> {
        validate::validate_post(post)
    }

    fn validate_update(&self, post: &PublishRequest) -> Vec<ValidationIssue> {
        validate::validate_update(post)
    }

    fn counts(&self, post: &PublishRequest) -> Vec<FieldCount> {
        validate::counts(post)
    }

    async fn profiles(
        &self,
        tokens: &dyn TokenSource,
        _granted: &[String],
    ) -> Result<Vec<Profile>, PlatformError> {
        self.channels(tokens).await
    }

    /// Uploads the video (resuming the saved session), sets the thumbnail,
    /// then answers `Processing`: YouTube processes every video (§4.4).
    async fn publish(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        rules_met(self.validate(post))?;
        let cp = YoutubeCheckpoint::from_value(checkpoint)?;
        let mut run = Run {
            client: self,
            tokens,
            cp,
            out: checkpoint,
            sink,
        };
        let video_id = match run.cp.video_id.clone() {
            Some(id) => id,
            None => run.upload(post).await?,
        };
        if let Some(cover) = &post.cover
            && run.cp.thumbnail.is_none()
        {
            run.thumbnail(&video_id, cover).await?;
        }
        Ok(Outcome::Processing(Processing {
            check_at: Utc::now() + chrono::Duration::seconds(FIRST_CHECK_SECS),
            stage: "Uploaded — YouTube is processing the video".to_owned(),
        }))
    }

    /// One `videos.list?part=status,processingDetails` (§4.4): published,
    /// still processing (with YouTube's estimate), or YouTube's reason.
    async fn check(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        _sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        let cp = YoutubeCheckpoint::from_value(checkpoint)?;
        let Some(id) = cp.video_id.clone() else {
            return Err(PlatformError::new(
                ErrorKind::Protocol,
                "nothing_to_check",
                "YouTube has no uploaded video for this post to check.",
            ));
        };
        let Some(video) = self.video(tokens, &id, "status,processingDetails").await? else {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "video_missing",
                "YouTube no longer has the uploaded video (it may have been deleted on \
                 YouTube), so it was not published.",
            )
            .with_detail(format!("videos.list has no item {id}")));
        };
        let state: VideoState = serde_json::from_value(video).map_err(|e| {
            PlatformError::new(
                ErrorKind::Protocol,
                "bad_response",
                "YouTube sent an answer CreatorFlow could not read.",
            )
            .with_detail(e.to_string())
        })?;
        match state.standing(options(post).privacy, Utc::now())? {
            Standing::Processing(p) => Ok(Outcome::Processing(p)),
            Standing::Processed { private_note } => {
                let mut notes = cp.notes.clone();
                notes.extend(private_note);
                let mut published = Published::new(id.clone(), Some(self.watch_url(&id)));
                published.note = (!notes.is_empty()).then(|| notes.join(" "));
                Ok(Outcome::Published(published))
            }
        }
    }

    /// From the checkpoint, and the upload session when the chunk that ends
    /// the file went unanswered:
    /// - that chunk may have completed the video and the session is gone
    ///   (expired, 404/410) → `Unknown`: a new upload could make a second
    ///   video, so the engine asks the creator;
    /// - otherwise → `NotPublished`: `publish` with this checkpoint is safe;
    ///   it resumes the session (or, once the video exists, only finishes
    ///   the thumbnail and hands over to `check`), never uploading twice.
    async fn reconcile(
        &self,
        tokens: &dyn TokenSource,
        _post: &PublishRequest,
        checkpoint: &Value,
    ) -> Result<Reconciled, PlatformError> {
        let cp = YoutubeCheckpoint::from_value(checkpoint)?;
        if cp.video_id.is_some() {
            return Ok(Reconciled::NotPublished);
        }
        match &cp.upload {
            Some(up) if up.final_in_flight => match self.probe(tokens, up).await? {
                Reply::Gone => Ok(Reconciled::Unknown),
                Reply::Committed(_) | Reply::Complete(_) => Ok(Reconciled::NotPublished),
            },
            _ => Ok(Reconciled::NotPublished),
        }
    }

    /// `videos.delete` (§7) → 204; a video YouTube no longer has counts as deleted.
    async fn delete(&self, tokens: &dyn TokenSource, remote_id: &str) -> Result<(), PlatformError> {
        check_id(remote_id, "delete")?;
        let mut url = self.endpoints.api("/youtube/v3/videos");
        url.query_pairs_mut().append_pair("id", remote_id);
        let result = send(YoutubeOperation::DeleteVideo, tokens, |token| {
            let request = self
                .http
                .delete(url.clone())
                .bearer_auth(token.secret())
                .timeout(API_TIMEOUT);
            async move { Ok(request) }
        })
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.status == Some(404) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `videos.update` (§5). The update replaces the named parts whole, so
    /// the video's `snippet` and `status` are read first and sent back with
    /// the title, description, tags, category, privacy and "made for kids"
    /// changed, keeping what CreatorFlow does not manage (language, license
    /// ...).
    async fn update(
        &self,
        tokens: &dyn TokenSource,
        remote_id: &str,
        post: &PublishRequest,
    ) -> Result<(), PlatformError> {
        rules_met(self.validate_update(post))?;
        check_id(remote_id, "change")?;
        let Some(current) = self.video(tokens, remote_id, "snippet,status").await? else {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "video_not_found",
                "YouTube cannot find this video (it may have been deleted on YouTube).",
            ));
        };
        let body = update_body(remote_id, &current, post);
        let mut url = self.endpoints.api("/youtube/v3/videos");
        url.query_pairs_mut().append_pair("part", "snippet,status");
        send(YoutubeOperation::UpdateVideo, tokens, |token| {
            let request = self
                .http
                .put(url.clone())
                .bearer_auth(token.secret())
                .timeout(API_TIMEOUT)
                .json(&body);
            async move { Ok(request) }
        })
        .await?;
        Ok(())
    }

    /// Views, likes and comments (§11), read with `youtube.readonly`.
    fn metrics_support(&self) -> MetricsSupport {
        super::metrics::metrics_support()
    }

    /// `videos.list?part=statistics&id=…` (§11): the video's numbers, or
    /// `Removed` once YouTube no longer has it. `remote_id` is the video id
    /// `check` published.
    async fn metrics(
        &self,
        tokens: &dyn TokenSource,
        _account: &RemoteAccount,
        remote_id: &str,
    ) -> Result<PostMetrics, PlatformError> {
        self.video_metrics(tokens, remote_id).await
    }
}

/// The `videos.update` body: the writable fields of the current `snippet`
/// and `status`, with CreatorFlow's fields set from `post`.
fn update_body(id: &str, current: &Value, post: &PublishRequest) -> Value {
    let o = options(post);
    let keep = |part: &str, fields: &[&str]| -> Map<String, Value> {
        let mut out = Map::new();
        if let Some(obj) = current.get(part).and_then(Value::as_object) {
            for f in fields {
                if let Some(v) = obj.get(*f).filter(|v| !v.is_null()) {
                    out.insert((*f).to_owned(), v.clone());
                }
            }
        }
        out
    };
    let mut snippet = keep("snippet", &["defaultLanguage", "defaultAudioLanguage"]);
    snippet.insert("title".into(), json!(o.title.trim()));
    snippet.insert("description".into(), json!(post.text));
    snippet.insert("tags".into(), json!(validate::clean_tags(&o.tags)));
    snippet.insert("categoryId".into(), json!(o.category_id.trim()));
    let mut status = keep(
        "status",
        &[
            "license",
            "embeddable",
            "publicStatsViewable",
            "containsSyntheticMedia",
            "publishAt",
        ],
    );
    status.insert("privacyStatus".into(), json!(o.privacy.as_str()));
    status.insert("selfDeclaredMadeForKids".into(), json!(o.made_for_kids));
    if o.privacy != crate::options::YoutubePrivacy::Private {
        // A scheduled time only goes with `private` (§3.1).
        status.remove("publishAt");
    }
    json!({"id": id, "snippet": snippet, "status": status})
}

/// YouTube video ids: letters, digits, `-` and `_` (11 of them today).
pub(super) fn check_id(id: &str, what: &str) -> Result<(), PlatformError> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(PlatformError::new(
            ErrorKind::Rejected,
            "bad_video_id",
            format!("This is not a YouTube video id, so CreatorFlow cannot {what} the video."),
        )
        .with_detail(id.chars().take(40).collect::<String>()))
    }
}

/// The JSON body of a successful answer.
pub(super) fn parse<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, PlatformError> {
    serde_json::from_slice(&answer.body).map_err(|e| {
        PlatformError::new(
            ErrorKind::Protocol,
            "bad_response",
            "YouTube sent an answer CreatorFlow could not read.",
        )
        .with_status(answer.status)
        .with_detail(e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{PlatformOptions, YoutubeOptions, YoutubePrivacy};

    #[test]
    fn update_keeps_what_it_does_not_manage() {
        let current = json!({
            "id": "abc",
            "snippet": {"title": "Old", "description": "old", "categoryId": "22",
                        "defaultLanguage": "en", "channelId": "UC1", "thumbnails": {}},
            "status": {"privacyStatus": "private", "publishAt": "2030-01-01T00:00:00Z",
                       "license": "creativeCommon", "uploadStatus": "processed",
                       "embeddable": false, "madeForKids": false}
        });
        let post = PublishRequest {
            account: Default::default(),
            text: "New description".into(),
            media: vec![],
            cover: None,
            options: PlatformOptions::Youtube(YoutubeOptions {
                title: " New ".into(),
                tags: vec!["a b".into(), " ".into()],
                category_id: "27".into(),
                privacy: YoutubePrivacy::Unlisted,
                made_for_kids: Some(true),
                ..YoutubeOptions::default()
            }),
        };
        let body = update_body("abc", &current, &post);
        assert_eq!(
            body,
            json!({"id": "abc",
                "snippet": {"title": "New", "description": "New description", "tags": ["a b"],
                            "categoryId": "27", "defaultLanguage": "en"},
                "status": {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": true,
                           "license": "creativeCommon", "embeddable": false}})
        );
    }

    #[test]
    fn ids() {
        assert!(check_id("dQw4w9WgXcQ", "delete").is_ok());
        assert!(check_id("", "delete").is_err());
        assert!(check_id("a/../b", "delete").is_err());
    }

    #[test]
    fn chunk_sizes_are_multiples_of_256_kib() {
        let c = YoutubeClient::new(YoutubeEndpoints::production());
        assert_eq!(c.chunk_size % (256 * 1024), 0);
        assert_eq!(c.clone().with_chunk_size(1).chunk_size, 256 * 1024);
        assert_eq!(
            c.clone().with_chunk_size(3 * 256 * 1024 + 5).chunk_size,
            3 * 256 * 1024
        );
        assert!(format!("{c:?}").contains("googleapis"));
    }
}
