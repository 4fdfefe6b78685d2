//! The Instagram client: profiles for both sign-in products, the publishing
//! limit, containers for every kind of post, their status, `media_publish`
//! and the permalink (docs/platforms/instagram.md §2.5, §3.5, §4, §5).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde_json::Value;
use url::Url;

use super::checkpoint::{InstagramCheckpoint, Item};
use super::errors::{
    BEFORE_PROFESSIONAL, GraphError, InstagramOperation, LIMIT_REACHED, METRIC_UNSUPPORTED,
    NOT_ENOUGH_VIEWERS, NOT_READY, OBJECT_GONE, classify, unsupported_metrics,
};
use super::validate::{self, options};
use super::{
    InstagramAuthenticator, InstagramEndpoints, Login, SCOPE_FB_INSIGHTS, SCOPE_IG_INSIGHTS,
    capabilities,
};
use crate::auth::{Authenticator, TokenSource};
use crate::error::{ErrorKind, PlatformError};
use crate::metrics::{Metric, MetricsSupport, PostMetrics, keys};
use crate::options::InstagramKind;
use crate::support::checkpoint::Run;
use crate::support::files::{file_body, file_len, media_key};
use crate::support::request::{Answer, send};
use crate::support::rules_met;
use crate::types::{
    Capabilities, LimitReading, LimitScope, MediaFile, MediaKind, Outcome, Platform, Processing,
    Profile, PublishRequest, Published, Reconciled, RemoteAccount, ValidationIssue,
};
use crate::{PublishSink, Publisher};

/// Time limit of one Graph call.
const API_TIMEOUT: Duration = Duration::from_secs(60);
/// When to look at a container first, and between looks: pictures are
/// ready at once, videos take a while (§4.4: Meta suggests once a minute;
/// a few seconds keeps a scheduled post on time).
const CHECK_PICTURE_SECS: i64 = 2;
const CHECK_VIDEO_SECS: i64 = 10;
/// Pages of `/me/accounts` followed at most.
const MAX_ACCOUNT_PAGES: usize = 20;

/// The insights CreatorFlow reads (§11): Graph's metric name, the shared key
/// and Instagram's own label, in the order Instagram shows them.
const INSIGHTS: &[(&str, &str, &str)] = &[
    ("views", keys::VIEWS, "Views"),
    ("reach", keys::REACH, "Accounts reached"),
    ("likes", keys::LIKES, "Likes"),
    ("comments", keys::COMMENTS, "Comments"),
    ("saved", keys::SAVES, "Saves"),
    ("shares", keys::SHARES, "Shares"),
];

/// The metrics of [`INSIGHTS`] Meta offers for a media product type (§11): a
/// story has no likes, comments or saves.
fn insights_for(product: &str) -> Vec<&'static str> {
    INSIGHTS
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| product != "STORY" || matches!(*name, "views" | "reach" | "shares"))
        .collect()
}

/// Reads an insights answer, `{"data":[{"name","period","values":[{"value"}],
/// …}]}`, into CreatorFlow's metrics, in [`INSIGHTS`] order. A metric Meta
/// left out (or gave without a number) is absent.
fn metrics_of(v: &Value) -> Vec<Metric> {
    let rows = v
        .get("data")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let number = |row: &Value| {
        row.get("values")
            .and_then(Value::as_array)
            .and_then(|vs| vs.first())
            .or_else(|| row.get("total_value"))
            .and_then(|v| v.get("value"))
            .and_then(Value::as_u64)
    };
    INSIGHTS
        .iter()
        .filter_map(|(name, key, label)| {
            let row = rows
                .iter()
                .find(|r| r.get("name").and_then(Value::as_str) == Some(name))?;
            Some(Metric::new(key, label, number(row)?))
        })
        .collect()
}

/// The Instagram client. Cheap to clone; holds no tokens.
#[derive(Clone)]
pub struct InstagramClient {
    endpoints: InstagramEndpoints,
    http: crate::http::LazyClient,
    auth: Arc<InstagramAuthenticator>,
    can_delete: bool,
}

impl std::fmt::Debug for InstagramClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstagramClient")
            .field("endpoints", &self.endpoints)
            .field("can_delete", &self.can_delete)
            .finish()
    }
}

impl InstagramClient {
    pub fn new(endpoints: InstagramEndpoints) -> Self {
        let auth = Arc::new(InstagramAuthenticator::new(&endpoints));
        Self {
            endpoints,
            http: crate::http::upload_client(),
            auth,
            can_delete: false,
        }
    }

    /// Offer deleting published posts (Meta documents no delete for
    /// Instagram media; some apps can, §7). Off by default.
    pub fn with_delete(mut self, can_delete: bool) -> Self {
        self.can_delete = can_delete;
        self
    }

    pub fn endpoints(&self) -> &InstagramEndpoints {
        &self.endpoints
    }

    async fn graph(
        &self,
        op: InstagramOperation,
        tokens: &dyn TokenSource,
        method: reqwest::Method,
        url: Url,
        form: &[(&str, String)],
    ) -> Result<Value, PlatformError> {
        let answer = send(op, tokens, |token| {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.secret())
                .timeout(API_TIMEOUT);
            if !form.is_empty() {
                request = request.form(form);
            }
            async move { Ok(request) }
        })
        .await?;
        json(&answer)
    }

    async fn get(
        &self,
        op: InstagramOperation,
        tokens: &dyn TokenSource,
        url: Url,
    ) -> Result<Value, PlatformError> {
        self.graph(op, tokens, reqwest::Method::GET, url, &[]).await
    }

    /// `GET /{ig-user-id}/content_publishing_limit` (§4.6): posts published
    /// in the last 24 hours, and how many Meta allows (never assumed).
    pub async fn publishing_limit(
        &self,
        tokens: &dyn TokenSource,
        login: Login,
        ig_user: &str,
    ) -> Result<(u64, u64), PlatformError> {
        let mut url = self
            .endpoints
            .graph(login, &format!("/{ig_user}/content_publishing_limit"));
        url.query_pairs_mut()
            .append_pair("fields", "quota_usage,config");
        let v = self.get(InstagramOperation::Limit, tokens, url).await?;
        let first = v
            .get("data")
            .and_then(Value::as_array)
            .and_then(|d| d.first())
            .cloned()
            .unwrap_or(v);
        let used = first.get("quota_usage").and_then(Value::as_u64);
        let total = first
            .get("config")
            .and_then(|c| c.get("quota_total"))
            .and_then(Value::as_u64);
        match (used, total) {
            (Some(u), Some(t)) => Ok((u, t)),
            _ => Err(bad_response(format!(
                "content_publishing_limit without quota_usage and config.quota_total: {first}"
            ))),
        }
    }

    /// Waits for room before anything is created: a post that would go
    /// past the 24-hour limit is not sent to be refused (§4.6).
    async fn ensure_room(
        &self,
        tokens: &dyn TokenSource,
        login: Login,
        ig_user: &str,
        sink: &dyn PublishSink,
    ) -> Result<(), PlatformError> {
        let (used, total) = self.publishing_limit(tokens, login, ig_user).await?;
        // Meta does not say when its rolling window frees room; the reading
        // holds for the hour after which this asks again.
        sink.limit_reading(LimitReading {
            id: "posts_24h".into(),
            label: format!("Instagram's limit of {total} posts in 24 hours per account"),
            scope: LimitScope::Account,
            remaining: u32::try_from(total.saturating_sub(used)).unwrap_or(u32::MAX),
            resets_at: Utc::now() + chrono::Duration::hours(1),
        })
        .await;
        if used < total {
            return Ok(());
        }
        Err(PlatformError::new(
            ErrorKind::RateLimited,
            LIMIT_REACHED,
            format!(
                "The account has published {used} of the {total} posts Instagram allows in 24 \
                 hours; CreatorFlow publishes this when there is room."
            ),
        )
        .with_retry_at(Utc::now() + chrono::Duration::hours(1)))
    }

    /// Where Meta fetches `file` from: the creator's media host (a PNG or
    /// WebP picture goes as a JPEG copy, Meta takes JPEG only).
    async fn hosted_url(
        &self,
        sink: &dyn PublishSink,
        file: &MediaFile,
    ) -> Result<String, PlatformError> {
        if !sink.has_media_host() {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "no_media_host",
                format!(
                    "Instagram fetches {} from a public web address, so CreatorFlow needs a \
                     media host: set one up in Settings → Media hosting.",
                    match file.kind() {
                        Some(MediaKind::Video) => format!("the video \"{}\"", file.display_name()),
                        _ => format!("the picture \"{}\"", file.display_name()),
                    }
                ),
            ));
        }
        Ok(match super::convert::to_jpeg(file).await? {
            Some(jpeg) => {
                let hosted = sink.host_media(&jpeg).await;
                let _ = tokio::fs::remove_file(&jpeg.path).await;
                hosted?.url
            }
            None => sink.host_media(file).await?.url,
        })
    }

    /// `POST /{ig-user-id}/media` (§4.2): one container.
    async fn create(
        &self,
        tokens: &dyn TokenSource,
        login: Login,
        ig_user: &str,
        form: &[(&str, String)],
    ) -> Result<(String, Option<String>), PlatformError> {
        let url = self.endpoints.graph(login, &format!("/{ig_user}/media"));
        let v = self
            .graph(
                InstagramOperation::CreateContainer,
                tokens,
                reqwest::Method::POST,
                url,
                form,
            )
            .await?;
        let id = id_of(&v).ok_or_else(|| bad_response(format!("no container id: {v}")))?;
        let uri = v.get("uri").and_then(Value::as_str).map(str::to_owned);
        Ok((id, uri))
    }

    /// `GET /{container}?fields=status_code,status` (§4.4).
    async fn container_status(
        &self,
        tokens: &dyn TokenSource,
        login: Login,
        container: &str,
    ) -> Result<(String, Option<String>), PlatformError> {
        let mut url = self.endpoints.graph(login, &format!("/{container}"));
        url.query_pairs_mut()
            .append_pair("fields", "status_code,status");
        let v = self.get(InstagramOperation::Status, tokens, url).await?;
        let code = v
            .get("status_code")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_response(format!("a container without status_code: {v}")))?
            .to_owned();
        Ok((
            code,
            v.get("status").and_then(Value::as_str).map(str::to_owned),
        ))
    }

    /// `GET /{media-id}?fields=permalink` (§4.5).
    async fn permalink(
        &self,
        tokens: &dyn TokenSource,
        login: Login,
        media: &str,
    ) -> Result<Option<String>, PlatformError> {
        let mut url = self.endpoints.graph(login, &format!("/{media}"));
        url.query_pairs_mut().append_pair("fields", "permalink");
        let v = self.get(InstagramOperation::Permalink, tokens, url).await?;
        Ok(v.get("permalink")
            .and_then(Value::as_str)
            .map(str::to_owned))
    }

    /// After a `media_publish` whose answer was lost: the account's newest
    /// post with this caption, published after the container was made.
    async fn find_published(
        &self,
        tokens: &dyn TokenSource,
        login: Login,
        post: &PublishRequest,
        cp: &InstagramCheckpoint,
    ) -> Result<Option<(String, Option<String>)>, PlatformError> {
        let mut url = self
            .endpoints
            .graph(login, &format!("/{}/media", post.account.id));
        url.query_pairs_mut()
            .append_pair("fields", "id,caption,permalink,timestamp")
            .append_pair("limit", "25");
        let v = self.get(InstagramOperation::Permalink, tokens, url).await?;
        let items = v
            .get("data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let after = cp.created_at;
        Ok(items.into_iter().find_map(|m| {
            let caption = m.get("caption").and_then(Value::as_str).unwrap_or("");
            let when = m
                .get("timestamp")
                .and_then(Value::as_str)
                .and_then(|t| chrono::DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z").ok())
                .map(|t| t.with_timezone(&Utc));
            let recent = match (after, when) {
                (Some(a), Some(w)) => w >= a - chrono::Duration::minutes(1),
                _ => true,
            };
            (caption == post.text && recent).then(|| {
                (
                    id_of(&m).unwrap_or_default(),
                    m.get("permalink")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                )
            })
        }))
    }

    /// Sends a Reel's bytes to Meta's resumable upload (§5), from where an
    /// earlier attempt stopped when Meta says.
    async fn upload_resumable(
        &self,
        tokens: &dyn TokenSource,
        uri: &str,
        video: &MediaFile,
        sink: &dyn PublishSink,
    ) -> Result<(), PlatformError> {
        let url = Url::parse(uri).map_err(|e| bad_response(format!("bad upload uri: {e}")))?;
        let total = file_len(video, Platform::Instagram).await?;
        // Where the bytes stand (0 when Meta cannot say).
        let offset = match send(InstagramOperation::Upload, tokens, |token| {
            let request = self
                .http
                .get(url.clone())
                .header("Authorization", format!("OAuth {}", token.secret()))
                .timeout(API_TIMEOUT);
            async move { Ok(request) }
        })
        .await
        {
            Ok(a) => json(&a)?
                .get("offset")
                .and_then(Value::as_u64)
                .filter(|o| *o <= total)
                .unwrap_or(0),
            Err(e) if e.kind == ErrorKind::Auth => return Err(e),
            Err(_) => 0,
        };
        if offset >= total {
            sink.progress(total, total);
            return Ok(());
        }
        sink.progress(offset, total);
        let path = video.path.clone();
        send(InstagramOperation::Upload, tokens, |token| {
            let url = url.clone();
            let path = path.clone();
            let http = self.http.clone();
            async move {
                let body = file_body(&path, offset, total - offset)
                    .await
                    .map_err(|e| {
                        crate::support::files::unreadable_file(&path, &e, Platform::Instagram)
                    })?;
                Ok(http
                    .post(url)
                    .header("Authorization", format!("OAuth {}", token.secret()))
                    .header("offset", offset.to_string())
                    .header("file_size", total.to_string())
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .header(CONTENT_LENGTH, total - offset)
                    .body(body))
            }
        })
        .await?;
        sink.progress(total, total);
        Ok(())
    }
}

fn json(answer: &Answer) -> Result<Value, PlatformError> {
    serde_json::from_slice(&answer.body)
        .map_err(|e| bad_response(format!("HTTP {}: {e}", answer.status)))
}

/// An id Graph sends as a string or a number.
fn id_of(v: &Value) -> Option<String> {
    match v.get("id") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn bad_response(detail: String) -> PlatformError {
    PlatformError::new(
        ErrorKind::Protocol,
        "bad_response",
        "Instagram sent an answer CreatorFlow could not read.",
    )
    .with_detail(crate::support::errors::shorten(&detail, 600))
}

fn processing(video: bool, stage: &str) -> Outcome {
    let secs = if video {
        CHECK_VIDEO_SECS
    } else {
        CHECK_PICTURE_SECS
    };
    Outcome::Processing(Processing {
        check_at: Utc::now() + chrono::Duration::seconds(secs),
        stage: stage.to_owned(),
    })
}

fn preparing(video: bool) -> &'static str {
    if video {
        "Instagram is preparing the video"
    } else {
        "Instagram is preparing the post"
    }
}

fn save_failed(e: String) -> PlatformError {
    PlatformError::new(
        ErrorKind::Network,
        "checkpoint_failed",
        "CreatorFlow could not save its progress on this Instagram post. It will try again.",
    )
    .with_detail(e)
}

impl Run<'_, InstagramClient, InstagramCheckpoint> {
    /// Creates the containers of `post` that do not exist yet (§4.2),
    /// saving each one, and uploads a resumable Reel's bytes (§5).
    async fn prepare(&mut self, post: &PublishRequest, login: Login) -> Result<(), PlatformError> {
        let o = options(post);
        let ig = post.account.id.as_str();
        let caption = || ("caption", post.text.clone());
        if self.cp.container.is_none() {
            self.cp.video = post
                .media
                .iter()
                .any(|m| m.kind() == Some(MediaKind::Video));
            let mut form: Vec<(&str, String)> = Vec::new();
            let mut resumable = false;
            match o.kind {
                InstagramKind::Carousel => {
                    for (i, file) in post.media.iter().enumerate() {
                        // The same file may be in a carousel twice.
                        let key = format!("{i}:{}", media_key(file));
                        if self.cp.items.iter().any(|i| i.media == key) {
                            continue;
                        }
                        let mut item = vec![("is_carousel_item", "true".to_owned())];
                        let url = self.client.hosted_url(self.sink, file).await?;
                        if file.kind() == Some(MediaKind::Video) {
                            item.push(("media_type", "VIDEO".to_owned()));
                            item.push(("video_url", url));
                        } else {
                            item.push(("image_url", url));
                            if let Some(alt) = alt_text(file) {
                                item.push(("alt_text", alt));
                            }
                        }
                        let (container, _) =
                            self.client.create(self.tokens, login, ig, &item).await?;
                        self.cp.items.push(Item {
                            media: key,
                            container,
                        });
                        self.save().await?;
                    }
                    let children: Vec<String> =
                        self.cp.items.iter().map(|i| i.container.clone()).collect();
                    form.push(("media_type", "CAROUSEL".to_owned()));
                    form.push(("children", children.join(",")));
                    form.push(caption());
                }
                InstagramKind::Feed => {
                    let file = &post.media[0];
                    let url = self.client.hosted_url(self.sink, file).await?;
                    form.push(("image_url", url));
                    form.push(caption());
                    if let Some(alt) = alt_text(file) {
                        form.push(("alt_text", alt));
                    }
                }
                InstagramKind::Reel => {
                    let file = &post.media[0];
                    form.push(("media_type", "REELS".to_owned()));
                    // Without a media host, a Facebook Login Reel goes
                    // through Meta's resumable upload (§5).
                    if login == Login::Facebook && !self.sink.has_media_host() {
                        resumable = true;
                        form.push(("upload_type", "resumable".to_owned()));
                    } else {
                        let url = self.client.hosted_url(self.sink, file).await?;
                        form.push(("video_url", url));
                    }
                    form.push(caption());
                    form.push(("share_to_feed", o.share_to_feed.to_string()));
                    if let Some(cover) = &post.cover {
                        let url = self.client.hosted_url(self.sink, cover).await?;
                        form.push(("cover_url", url));
                    } else if let Some(ms) = o.cover_offset_ms {
                        form.push(("thumb_offset", ms.to_string()));
                    }
                }
                InstagramKind::Story => {
                    let file = &post.media[0];
                    form.push(("media_type", "STORIES".to_owned()));
                    let url = self.client.hosted_url(self.sink, file).await?;
                    if file.kind() == Some(MediaKind::Video) {
                        form.push(("video_url", url));
                    } else {
                        form.push(("image_url", url));
                    }
                }
            }
            let (container, uri) = self.client.create(self.tokens, login, ig, &form).await?;
            self.cp.container = Some(container.clone());
            self.cp.created_at = Some(Utc::now());
            if resumable {
                // Meta names the upload URL; the documented one otherwise.
                let uri = uri.unwrap_or_else(|| {
                    let mut u = self.client.endpoints.graph(login, "");
                    u.set_path(&format!(
                        "/ig-api-upload/{}/{container}",
                        super::API_VERSION
                    ));
                    u.to_string()
                });
                self.cp.upload_uri = Some(uri);
            }
            self.save().await?;
        }
        if let (Some(uri), false) = (self.cp.upload_uri.clone(), self.cp.uploaded) {
            self.client
                .upload_resumable(self.tokens, &uri, &post.media[0], self.sink)
                .await?;
            self.cp.uploaded = true;
            self.save().await?;
        }
        Ok(())
    }
}

/// A container's `ERROR` status as an error in words: Meta's status text
/// carries the subcode (`Error: ... (2207026)` or similar).
fn container_failed(status: Option<&str>) -> PlatformError {
    let text = status.unwrap_or("").trim();
    let subcode = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| s.len() == 7 && s.starts_with("22"))
        .find_map(|s| s.parse::<i64>().ok());
    let g = GraphError {
        subcode,
        message: (!text.is_empty()).then(|| text.to_owned()),
        ..GraphError::default()
    };
    let mut e = classify(
        InstagramOperation::CreateContainer,
        &g,
        None,
        &reqwest::header::HeaderMap::new(),
        Utc::now(),
    );
    // The container is spent: whatever the subcode, this post starts over
    // only when the creator publishes it again.
    if e.is_transient() {
        e.kind = ErrorKind::Rejected;
    }
    e.with_detail(format!("container ERROR: {text}"))
}

#[async_trait]
impl Publisher for InstagramClient {
    fn platform(&self) -> Platform {
        Platform::Instagram
    }

    fn authenticator(&self) -> &dyn Authenticator {
        self.auth.as_ref()
    }

    fn capabilities(&self) -> Capabilities {
        capabilities(self.can_delete)
    }

    fn validate(&self, post: &PublishRequest) -> Vec<ValidationIssue> {
        validate::validate_post(post)
    }

    /// Instagram Login: the one account the token is for (§3.5). Facebook
    /// Login: every Page with a linked professional account, following
    /// `paging.next` (§2.5).
    async fn profiles(
        &self,
        tokens: &dyn TokenSource,
        granted: &[String],
    ) -> Result<Vec<Profile>, PlatformError> {
        match Login::of_scopes(granted) {
            Login::Instagram => {
                let mut url = self.endpoints.graph(Login::Instagram, "/me");
                url.query_pairs_mut()
                    .append_pair("fields", "user_id,username,name,profile_picture_url");
                let v = self.get(InstagramOperation::Profile, tokens, url).await?;
                let id = match v.get("user_id").or_else(|| v.get("id")) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => return Err(bad_response(format!("/me without user_id: {v}"))),
                };
                Ok(vec![profile_of(id, &v)])
            }
            Login::Facebook => {
                let mut url = self.endpoints.graph(Login::Facebook, "/me/accounts");
                url.query_pairs_mut()
                    .append_pair("fields", "id,name,instagram_business_account")
                    .append_pair("limit", "100");
                let mut linked = Vec::new();
                for _ in 0..MAX_ACCOUNT_PAGES {
                    let v = self
                        .get(InstagramOperation::Accounts, tokens, url.clone())
                        .await?;
                    for page in v
                        .get("data")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(ig) = page.get("instagram_business_account").and_then(id_of) {
                            linked.push(ig);
                        }
                    }
                    let next = v
                        .get("paging")
                        .and_then(|p| p.get("next"))
                        .and_then(Value::as_str)
                        .and_then(|n| Url::parse(n).ok())
                        // The token goes only to Meta's Graph host.
                        .filter(|n| self.endpoints.on_graph(Login::Facebook, n));
                    match next {
                        Some(n) => url = n,
                        None => break,
                    }
                }
                if linked.is_empty() {
                    return Err(PlatformError::new(
                        ErrorKind::Rejected,
                        "no_instagram_account",
                        "None of the Facebook Pages you allowed has an Instagram professional \
                         account linked. Link one to a Page (in Instagram: Settings → Account \
                         type and tools → Connect a Facebook Page), then connect again.",
                    ));
                }
                let mut out = Vec::with_capacity(linked.len());
                for ig in linked {
                    let mut url = self.endpoints.graph(Login::Facebook, &format!("/{ig}"));
                    url.query_pairs_mut()
                        .append_pair("fields", "username,name,profile_picture_url");
                    let v = self.get(InstagramOperation::Profile, tokens, url).await?;
                    out.push(profile_of(ig, &v));
                }
                Ok(out)
            }
        }
    }

    /// Checks the post, waits for room in the publishing limit, creates the
    /// containers (each saved), then answers `Processing`: Meta prepares
    /// them, and [`Publisher::check`] publishes.
    async fn publish(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        rules_met(self.validate(post))?;
        let login = Login::of_scopes(&post.account.scopes);
        let cp = InstagramCheckpoint::from_value(checkpoint)?;
        let mut run = Run {
            client: self,
            tokens,
            cp,
            out: checkpoint,
            sink,
        };
        if run.cp.container.is_none() && run.cp.items.is_empty() {
            self.ensure_room(tokens, login, &post.account.id, sink)
                .await?;
        }
        run.prepare(post, login).await?;
        Ok(processing(run.cp.video, preparing(run.cp.video)))
    }

    /// One look at the container: still preparing, refused (Meta's reason
    /// in words), or ready, and then `media_publish` and the permalink.
    async fn check(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        let login = Login::of_scopes(&post.account.scopes);
        let mut cp = InstagramCheckpoint::from_value(checkpoint)?;
        if let Some(media) = cp.media_id.clone() {
            let url = self.permalink(tokens, login, &media).await?;
            return Ok(Outcome::Published(Published::new(media, url)));
        }
        let Some(container) = cp.container.clone() else {
            return Err(PlatformError::new(
                ErrorKind::Protocol,
                "nothing_to_check",
                "Instagram has no post in progress for this to check.",
            ));
        };
        let (status, text) = self.container_status(tokens, login, &container).await?;
        match status.as_str() {
            "IN_PROGRESS" => Ok(processing(cp.video, preparing(cp.video))),
            "FINISHED" => {
                cp.publishing = true;
                *checkpoint = cp.to_value();
                sink.checkpoint(checkpoint).await.map_err(save_failed)?;
                let url = self
                    .endpoints
                    .graph(login, &format!("/{}/media_publish", post.account.id));
                let published = self
                    .graph(
                        InstagramOperation::Publish,
                        tokens,
                        reqwest::Method::POST,
                        url,
                        &[("creation_id", container.clone())],
                    )
                    .await;
                let v = match published {
                    Ok(v) => v,
                    // Not ready after all, or no room: nothing went out.
                    Err(e) if e.code == NOT_READY || e.code == LIMIT_REACHED => {
                        cp.publishing = false;
                        *checkpoint = cp.to_value();
                        sink.checkpoint(checkpoint).await.map_err(save_failed)?;
                        if e.code == LIMIT_REACHED {
                            return Ok(Outcome::Processing(Processing {
                                check_at: e
                                    .retry_at
                                    .unwrap_or_else(|| Utc::now() + chrono::Duration::hours(1)),
                                stage: "Waiting for room in Instagram's 24-hour limit of posts"
                                    .to_owned(),
                            }));
                        }
                        return Ok(processing(cp.video, preparing(cp.video)));
                    }
                    Err(e) => return Err(e),
                };
                let media = id_of(&v).ok_or_else(|| bad_response(format!("no media id: {v}")))?;
                cp.media_id = Some(media.clone());
                cp.publishing = false;
                *checkpoint = cp.to_value();
                sink.checkpoint(checkpoint).await.map_err(save_failed)?;
                let url = self.permalink(tokens, login, &media).await.unwrap_or(None);
                Ok(Outcome::Published(Published::new(media, url)))
            }
            "PUBLISHED" => match self.find_published(tokens, login, post, &cp).await? {
                Some((id, url)) => {
                    cp.media_id = Some(id.clone());
                    *checkpoint = cp.to_value();
                    sink.checkpoint(checkpoint).await.map_err(save_failed)?;
                    Ok(Outcome::Published(Published::new(id, url)))
                }
                None => {
                    let mut p = Published::new(container, None);
                    p.note = Some(
                        "Instagram published this post; CreatorFlow could not find its link."
                            .to_owned(),
                    );
                    Ok(Outcome::Published(p))
                }
            },
            "EXPIRED" => {
                // Never published (containers live 24 hours, §4.2): prepare
                // it again from the start.
                cp.start_over();
                let mut run = Run {
                    client: self,
                    tokens,
                    cp,
                    out: checkpoint,
                    sink,
                };
                run.save().await?;
                run.prepare(post, login).await?;
                Ok(processing(run.cp.video, preparing(run.cp.video)))
            }
            _ => {
                let e = container_failed(text.as_deref());
                cp.start_over();
                *checkpoint = cp.to_value();
                sink.checkpoint(checkpoint).await.map_err(save_failed)?;
                Err(e)
            }
        }
    }

    /// From the checkpoint and, where `media_publish` may have gone out, the
    /// container's status (§4.5: `PUBLISHED` means it did). Containers that
    /// were never published are harmless: publishing goes on from them.
    async fn reconcile(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &Value,
    ) -> Result<Reconciled, PlatformError> {
        let cp = InstagramCheckpoint::from_value(checkpoint)?;
        let login = Login::of_scopes(&post.account.scopes);
        if let Some(media) = &cp.media_id {
            let url = self.permalink(tokens, login, media).await.unwrap_or(None);
            return Ok(Reconciled::Published(Published::new(media.clone(), url)));
        }
        let (true, Some(container)) = (cp.publishing, cp.container.as_deref()) else {
            return Ok(Reconciled::NotPublished);
        };
        let (status, _) = self.container_status(tokens, login, container).await?;
        if status != "PUBLISHED" {
            return Ok(Reconciled::NotPublished);
        }
        Ok(match self.find_published(tokens, login, post, &cp).await? {
            Some((id, url)) => Reconciled::Published(Published::new(id, url)),
            None => Reconciled::Published(Published::new(container, None)),
        })
    }

    /// `DELETE /{media-id}`, where the capabilities offer it (§7).
    async fn delete(&self, tokens: &dyn TokenSource, remote_id: &str) -> Result<(), PlatformError> {
        if !self.can_delete {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "not_supported",
                "Instagram does not let CreatorFlow delete a post there; open it on Instagram to \
                 delete it.",
            ));
        }
        // Either host serves the media node; the token decides which is right.
        let url = self
            .endpoints
            .graph(Login::Facebook, &format!("/{remote_id}"));
        self.graph(
            InstagramOperation::Delete,
            tokens,
            reqwest::Method::DELETE,
            url,
            &[],
        )
        .await
        .map(|_| ())
    }

    /// Views, reach, likes, comments, saves and shares, from Meta's media
    /// insights (§11); a story has no likes, comments or saves. No monthly
    /// allowance: reads count against Meta's hourly usage limits, which
    /// answer as rate limits.
    fn metrics_support(&self) -> MetricsSupport {
        MetricsSupport {
            available: true,
            metrics: INSIGHTS
                .iter()
                .map(|(_, key, label)| (*key, *label))
                .collect(),
            // One per sign-in product: `metrics_scopes_missing` asks for the
            // account's.
            scopes: vec![SCOPE_IG_INSIGHTS, SCOPE_FB_INSIGHTS],
            budget: None,
        }
    }

    /// The insights permission of the product the account signed in with.
    fn metrics_scopes_missing(&self, granted: &[String]) -> Vec<String> {
        let needed = Login::of_scopes(granted).metrics_scope();
        if granted.iter().any(|g| g == needed) {
            Vec::new()
        } else {
            vec![needed.to_owned()]
        }
    }

    /// `GET /{media-id}?fields=media_product_type` for the kind of post, then
    /// `GET /{media-id}/insights?metric=…` with the metrics Meta offers for
    /// it (§11). Metrics Meta refuses all the same are asked for again
    /// without them, and are absent. A post Meta no longer has is removed; a
    /// story seen by too few people, or one past Meta's 24 hours, has no
    /// numbers.
    async fn metrics(
        &self,
        tokens: &dyn TokenSource,
        account: &RemoteAccount,
        remote_id: &str,
    ) -> Result<PostMetrics, PlatformError> {
        let login = Login::of_scopes(&account.scopes);
        let mut url = self.endpoints.graph(login, &format!("/{remote_id}"));
        url.query_pairs_mut()
            .append_pair("fields", "media_type,media_product_type");
        let node = match self.get(InstagramOperation::Insights, tokens, url).await {
            Ok(v) => v,
            Err(e) if e.code == OBJECT_GONE => return Ok(PostMetrics::Removed),
            Err(e) => return Err(e),
        };
        let product = node
            .get("media_product_type")
            .and_then(Value::as_str)
            .unwrap_or("FEED");
        let mut wanted = insights_for(product);
        loop {
            let mut url = self
                .endpoints
                .graph(login, &format!("/{remote_id}/insights"));
            url.query_pairs_mut()
                .append_pair("metric", &wanted.join(","));
            match self.get(InstagramOperation::Insights, tokens, url).await {
                Ok(v) => return Ok(PostMetrics::Live(metrics_of(&v))),
                Err(e) if e.code == OBJECT_GONE => return Ok(PostMetrics::Removed),
                Err(e) if e.code == NOT_ENOUGH_VIEWERS || e.code == BEFORE_PROFESSIONAL => {
                    return Ok(PostMetrics::Live(Vec::new()));
                }
                Err(e) if e.code == METRIC_UNSUPPORTED => {
                    let refused = unsupported_metrics(e.detail.as_deref().unwrap_or(""));
                    let before = wanted.len();
                    wanted.retain(|m| !refused.iter().any(|r| r == m));
                    if wanted.len() == before {
                        // Refused something CreatorFlow did not ask for.
                        return Err(e);
                    }
                    if wanted.is_empty() {
                        return Ok(PostMetrics::Live(Vec::new()));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// A picture's alt text, when it has one.
fn alt_text(file: &MediaFile) -> Option<String> {
    file.alt_text.clone().filter(|a| !a.is_empty())
}

fn profile_of(id: String, v: &Value) -> Profile {
    let username = v
        .get("username")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| id.clone());
    Profile {
        display_name: v
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| username.clone()),
        username,
        avatar_url: v
            .get("profile_picture_url")
            .and_then(Value::as_str)
            .map(str::to_owned),
        platform_user_id: id,
        email: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insights_per_kind_and_read_in_instagrams_order() {
        assert_eq!(
            insights_for("FEED"),
            ["views", "reach", "likes", "comments", "saved", "shares"]
        );
        assert_eq!(insights_for("REELS"), insights_for("FEED"));
        assert_eq!(insights_for("STORY"), ["views", "reach", "shares"]);
        let v = serde_json::json!({"data": [
            {"name": "saved", "period": "lifetime", "values": [{"value": 4}]},
            {"name": "views", "period": "lifetime", "values": [{"value": 120}]},
            {"name": "reach", "period": "lifetime", "values": []},
            {"name": "total_interactions", "period": "lifetime", "values": [{"value": 9}]},
        ]});
        assert_eq!(
            metrics_of(&v),
            [
                Metric::new(keys::VIEWS, "Views", 120),
                Metric::new(keys::SAVES, "Saves", 4)
            ]
        );
        assert!(metrics_of(&serde_json::json!({"data": []})).is_empty());
    }

    #[test]
    fn the_insights_permission_of_the_accounts_product() {
        let client = InstagramClient::new(InstagramEndpoints::production());
        let support = client.metrics_support();
        assert!(support.available && support.budget.is_none());
        assert_eq!(support.metrics[1], (keys::REACH, "Accounts reached"));
        let ig: Vec<String> = [
            "instagram_business_basic",
            "instagram_business_content_publish",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            client.metrics_scopes_missing(&ig),
            ["instagram_business_manage_insights"]
        );
        let fb: Vec<String> = [
            "instagram_basic",
            "instagram_content_publish",
            "pages_show_list",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            client.metrics_scopes_missing(&fb),
            ["instagram_manage_insights"]
        );
        let mut fb_ready = fb.clone();
        fb_ready.push("instagram_manage_insights".into());
        assert!(client.metrics_scopes_missing(&fb_ready).is_empty());
        // The other product's permission does not count.
        let mut wrong = ig.clone();
        wrong.push("instagram_manage_insights".into());
        assert_eq!(
            client.metrics_scopes_missing(&wrong),
            ["instagram_business_manage_insights"]
        );
    }

    #[test]
    fn a_container_error_in_words_and_final() {
        let e = container_failed(Some(
            "Error: Media download has failed. The media URI doesn't meet our requirements. (2207052)",
        ));
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert!(e.message.contains("media host"), "{}", e.message);
        let e = container_failed(Some("Error: The download timed out. 2207003"));
        assert!(!e.is_transient(), "a spent container is not tried again");
        let e = container_failed(None);
        assert_eq!(e.kind, ErrorKind::Rejected);
    }
}
