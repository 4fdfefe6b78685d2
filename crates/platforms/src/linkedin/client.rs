//! The LinkedIn client: the member's profile, publish (link preview, images,
//! video, document, then the post), reconcile, update and delete, over
//! LinkedIn's versioned REST API (docs/platforms/linkedin.md).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::checkpoint::{InFlight, LinkPreview, LinkedinCheckpoint};
use super::errors::LinkedinOperation;
use super::link::{page_client, page_title};
use super::media::Prepared;
use super::text::{commentary, first_url};
use super::validate;
use super::{DEFAULT_VERSION, LinkedinAuthenticator, LinkedinEndpoints, capabilities};
use crate::auth::{Authenticator, TokenSource, authorized};
use crate::error::{ErrorKind, PlatformError};
use crate::metrics::{MetricsSupport, PostMetrics};
use crate::options::{LinkedinVisibility, PlatformOptions};
use crate::support::request::{Answer, execute};
use crate::support::rules_met;
use crate::types::{
    AccessToken, Capabilities, FieldCount, LimitScope, LimitWindow, Outcome, Platform, Processing,
    Profile, PublishLimit, PublishRequest, Published, Reconciled, RemoteAccount, ValidationIssue,
};
use crate::{PublishSink, Publisher};

/// Time limit of one API call (uploads have their own, by size).
const API_TIMEOUT: Duration = Duration::from_secs(60);
/// The pause before the one retry of a `REVOKED_ACCESS_TOKEN` 401 (§8.1).
const REVOKED_RETRY_PAUSE: Duration = Duration::from_secs(2);
/// When to look again after LinkedIn said a post's media were not ready.
const MEDIA_NOT_READY_WAIT: chrono::Duration = chrono::Duration::seconds(20);

/// LinkedIn client. Holds no token: every request asks the [`TokenSource`]
/// for one.
///
/// Every `/rest/*` call sends `LinkedIn-Version` ([`DEFAULT_VERSION`] unless
/// [`LinkedinClient::with_version`] says otherwise) and
/// `X-Restli-Protocol-Version: 2.0.0` (§2). A 401 `REVOKED_ACCESS_TOKEN` is
/// tried once more after a short pause before the token counts as refused:
/// LinkedIn sometimes answers it right after a fresh sign-in (§8.1).
#[derive(Clone)]
pub struct LinkedinClient {
    pub(super) endpoints: LinkedinEndpoints,
    pub(super) http: crate::http::LazyClient,
    /// For linked pages (link previews): short timeouts.
    pub(super) pages: crate::http::LazyClient,
    pub(super) version: String,
    pub(super) revoked_pause: Duration,
    auth: Arc<LinkedinAuthenticator>,
}

impl std::fmt::Debug for LinkedinClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkedinClient")
            .field("endpoints", &self.endpoints)
            .field("version", &self.version)
            .finish()
    }
}

impl LinkedinClient {
    pub fn new(endpoints: LinkedinEndpoints) -> Self {
        let auth = Arc::new(LinkedinAuthenticator::new(&endpoints));
        Self {
            endpoints,
            http: crate::http::client(),
            pages: page_client(),
            version: DEFAULT_VERSION.to_owned(),
            revoked_pause: REVOKED_RETRY_PAUSE,
            auth,
        }
    }

    /// The `LinkedIn-Version` to send (`YYYYMM`, or `YYYYMM.RR`): a release
    /// LinkedIn lists as active (§2). Default: [`DEFAULT_VERSION`].
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into().trim().to_owned();
        self
    }

    /// The pause before the one retry of a `REVOKED_ACCESS_TOKEN` answer
    /// (default 2 s).
    pub fn with_revoked_retry_pause(mut self, pause: Duration) -> Self {
        self.revoked_pause = pause;
        self
    }

    pub fn endpoints(&self) -> &LinkedinEndpoints {
        &self.endpoints
    }

    /// The `LinkedIn-Version` this client sends.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The public page of a post (on linkedin.com, or the sandbox's page).
    pub fn post_url(&self, urn: &str) -> String {
        self.endpoints.post_url(urn).to_string()
    }

    /// A `/rest/*` request with the member's token and the versioned
    /// headers (§2).
    pub(super) fn rest(
        &self,
        request: reqwest::RequestBuilder,
        token: &AccessToken,
    ) -> reqwest::RequestBuilder {
        request
            .bearer_auth(token.secret())
            .timeout(API_TIMEOUT)
            .header("LinkedIn-Version", &self.version)
            .header("X-Restli-Protocol-Version", "2.0.0")
    }

    /// Builds and sends a request with a good token and sorts the answer.
    /// A 401 `REVOKED_ACCESS_TOKEN` is sent once more after a pause (the
    /// quirk of §8.1); any other 401 makes the source renew the token once
    /// ([`authorized`]). A retired version is logged and its error names it.
    pub(super) async fn call<F, Fut>(
        &self,
        op: LinkedinOperation,
        tokens: &dyn TokenSource,
        build: F,
    ) -> Result<Answer, PlatformError>
    where
        F: Fn(AccessToken) -> Fut,
        Fut: Future<Output = Result<reqwest::RequestBuilder, PlatformError>>,
    {
        let paused = AtomicBool::new(false);
        let build = &build;
        let paused = &paused;
        let result = authorized(tokens, |token| async move {
            let first = execute(op, build(token.clone()).await?, token.secret()).await;
            match first {
                Err(e) if e.code == "token_revoked" && !paused.swap(true, Ordering::SeqCst) => {
                    tracing::info!(?op, "LinkedIn said the token is revoked; trying once more");
                    tokio::time::sleep(self.revoked_pause).await;
                    execute(op, build(token.clone()).await?, token.secret()).await
                }
                other => other,
            }
        })
        .await;
        result.map_err(|e| self.name_the_version(e))
    }

    /// A 426: says which version LinkedIn retired, in the log and the detail.
    fn name_the_version(&self, mut e: PlatformError) -> PlatformError {
        if e.code == "version_retired" {
            tracing::error!(
                version = %self.version,
                "LinkedIn retired the API version CreatorFlow uses (LinkedIn-Version {}); \
                 CreatorFlow needs an update",
                self.version
            );
            let said = e.detail.take().unwrap_or_default();
            e.detail = Some(format!("LinkedIn-Version {}: {said}", self.version));
        }
        e
    }

    /// `GET /v2/userinfo` (§1.5): the member behind the token.
    ///
    /// LinkedIn has no public @handle for a member here, so the username is
    /// the member's name (else the e-mail, else the id): it is what the
    /// creator recognizes.
    pub async fn me(&self, tokens: &dyn TokenSource) -> Result<Profile, PlatformError> {
        #[derive(Deserialize)]
        struct UserInfo {
            sub: String,
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            given_name: Option<String>,
            #[serde(default)]
            family_name: Option<String>,
            #[serde(default)]
            picture: Option<String>,
            #[serde(default)]
            email: Option<String>,
        }
        let url = self.endpoints.api("/v2/userinfo");
        let answer = self
            .call(LinkedinOperation::Profile, tokens, |token| {
                let request = self
                    .http
                    .get(url.clone())
                    .bearer_auth(token.secret())
                    .timeout(API_TIMEOUT);
                async move { Ok(request) }
            })
            .await?;
        let u: UserInfo = parse(&answer)?;
        let sub = u.sub.trim().to_owned();
        if sub.is_empty() {
            return Err(unreadable(answer.status, "userinfo has no sub"));
        }
        let clean = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let name = clean(u.name).or_else(|| {
            let joined = [clean(u.given_name), clean(u.family_name)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!joined.is_empty()).then_some(joined)
        });
        let email = clean(u.email);
        Ok(Profile {
            username: name
                .clone()
                .or_else(|| email.clone())
                .unwrap_or_else(|| sub.clone()),
            display_name: name.unwrap_or_else(|| sub.clone()),
            platform_user_id: sub,
            avatar_url: clean(u.picture),
            email,
        })
    }

    /// `POST /rest/posts` (§3): the new post's URN from `x-restli-id`.
    async fn create_post(
        &self,
        tokens: &dyn TokenSource,
        body: &Value,
    ) -> Result<String, PlatformError> {
        let url = self.endpoints.api("/rest/posts");
        let answer = self
            .call(LinkedinOperation::CreatePost, tokens, |token| {
                let request = self.rest(self.http.post(url.clone()), &token).json(body);
                async move { Ok(request) }
            })
            .await?;
        let from_header = answer
            .headers
            .get("x-restli-id")
            .and_then(|v| v.to_str().ok())
            .map(|v| percent_decode(v.trim()));
        let from_body = || {
            serde_json::from_slice::<Value>(&answer.body)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
        };
        match from_header.or_else(from_body) {
            Some(urn) if is_post_urn(&urn) => Ok(urn),
            Some(other) => Err(unreadable(
                answer.status,
                &format!(
                    "x-restli-id is not a post URN: {}",
                    other.chars().take(60).collect::<String>()
                ),
            )),
            None => Err(unreadable(answer.status, "no x-restli-id on the new post")),
        }
    }

    /// The post's body for `POST /rest/posts` (§3.1).
    fn post_body(author: &str, post: &PublishRequest, content: Option<Value>) -> Value {
        let visibility = match &post.options {
            PlatformOptions::Linkedin(o) => o.visibility,
            _ => LinkedinVisibility::default(),
        };
        let mut body = json!({
            "author": author,
            "commentary": commentary(&post.text),
            "visibility": match visibility {
                LinkedinVisibility::Public => "PUBLIC",
                LinkedinVisibility::Connections => "CONNECTIONS",
            },
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false,
        });
        if let Some(c) = content {
            body["content"] = c;
        }
        body
    }

    fn published(&self, urn: &str, cp: &LinkedinCheckpoint) -> Published {
        let mut p = Published::new(urn.to_owned(), Some(self.post_url(urn)));
        if let Some(LinkPreview { title: None, .. }) = &cp.link {
            p.note = Some(
                "LinkedIn shows the link without a preview: CreatorFlow could not read a title \
                 from the page."
                    .to_owned(),
            );
        }
        p
    }
}

/// One LinkedIn publish in progress (its steps: here and in `media.rs`).
pub(super) type Run<'a> = crate::support::checkpoint::Run<'a, LinkedinClient, LinkedinCheckpoint>;

impl Run<'_> {
    /// The author URN saved by [`Run::ensure_author`].
    pub(super) fn author(&self) -> Result<String, PlatformError> {
        self.cp.author.clone().ok_or_else(|| {
            PlatformError::new(
                ErrorKind::Protocol,
                "bad_checkpoint",
                "The saved progress of this LinkedIn post has no author.",
            )
        })
    }

    /// `urn:li:person:<sub>` of the account (its id is LinkedIn's `sub`),
    /// else of the token's member.
    async fn ensure_author(&mut self, post: &PublishRequest) -> Result<(), PlatformError> {
        let id = post.account.id.trim();
        let author = if id.starts_with("urn:li:person:") {
            id.to_owned()
        } else if !id.is_empty() {
            format!("urn:li:person:{id}")
        } else if let Some(a) = self.cp.author.clone() {
            a
        } else {
            format!(
                "urn:li:person:{}",
                self.client.me(self.tokens).await?.platform_user_id
            )
        };
        if self.cp.author.as_deref() != Some(author.as_str()) {
            self.cp.author = Some(author);
            self.save().await?;
        }
        Ok(())
    }

    /// The link preview of a post without media (§3.2): the first URL of the
    /// text, titled from the page; `None` without a link or a title.
    async fn link_content(
        &mut self,
        post: &PublishRequest,
    ) -> Result<Option<Value>, PlatformError> {
        let Some(url) = first_url(&post.text) else {
            return Ok(None);
        };
        let known = self
            .cp
            .link
            .as_ref()
            .is_some_and(|l| l.source == url.as_str());
        if !known {
            let title = page_title(&self.client.pages, &url).await;
            tracing::info!(
                found = title.is_some(),
                "LinkedIn link preview: page title read"
            );
            self.cp.link = Some(LinkPreview {
                source: url.to_string(),
                title,
            });
            self.save().await?;
        }
        Ok(self.cp.link.as_ref().and_then(|l| {
            let title = l.title.as_ref()?;
            Some(json!({"article": {"source": l.source, "title": title}}))
        }))
    }
}

#[async_trait]
impl Publisher for LinkedinClient {
    fn platform(&self) -> Platform {
        Platform::Linkedin
    }

    fn authenticator(&self) -> &dyn Authenticator {
        self.auth.as_ref()
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    /// LinkedIn's daily caps on creating posts (docs/platforms/linkedin.md
    /// §8.3): LinkedIn publishes none and sends no headers; these are
    /// the figures its developer portal shows a self-serve app.
    fn limits(&self) -> Vec<PublishLimit> {
        vec![
            PublishLimit {
                id: "posts_day_member",
                label: "LinkedIn's daily limit of 150 posts per member".into(),
                scope: LimitScope::Account,
                max: 150,
                window: LimitWindow::DailyUtc,
            },
            PublishLimit {
                id: "posts_day_app",
                label: "LinkedIn's daily limit of 100,000 posts for your LinkedIn app".into(),
                scope: LimitScope::App,
                max: 100_000,
                window: LimitWindow::DailyUtc,
            },
        ]
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
        Ok(vec![self.me(tokens).await?])
    }

    /// Uploads the media (resuming from the checkpoint), waits for LinkedIn
    /// to have them `AVAILABLE` by answering `Processing`, then creates the
    /// post, marked in flight first.
    async fn publish(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        rules_met(self.validate(post))?;
        let cp = LinkedinCheckpoint::from_value(checkpoint)?;
        if let Some(urn) = &cp.post
            && cp.in_flight.is_none()
        {
            return Ok(Outcome::Published(self.published(urn, &cp)));
        }
        let mut run = Run {
            client: self,
            tokens,
            cp,
            out: checkpoint,
            sink,
        };
        // A leftover `in_flight` means the engine reconciled (or asked the
        // creator) and chose to try the create again.
        if run.cp.in_flight.take().is_some() {
            tracing::info!("retrying a LinkedIn post left in flight");
        }
        run.ensure_author(post).await?;

        let content = if post.media.is_empty() {
            run.link_content(post).await?
        } else {
            match run.media_content(post).await? {
                Prepared::Ready(c) => Some(c),
                Prepared::Processing(p) => return Ok(Outcome::Processing(p)),
            }
        };
        let body = Self::post_body(&run.author()?, post, content);

        run.cp.in_flight = Some(InFlight { since: Utc::now() });
        if let Err(e) = run.save().await {
            // Not sent: do not leave a false "in flight" behind.
            run.cp.in_flight = None;
            *run.out = run.cp.to_value();
            return Err(e);
        }
        match self.create_post(tokens, &body).await {
            Ok(urn) => {
                tracing::info!(post = %urn, "LinkedIn post created");
                run.cp.post = Some(urn.clone());
                run.cp.in_flight = None;
                run.save().await?;
                Ok(Outcome::Published(self.published(&urn, &run.cp)))
            }
            Err(e) => {
                // LinkedIn answered with an error status: nothing was
                // created (its duplicate check backs this up for a 5xx). No
                // answer, or an unreadable success: the post may exist.
                if e.status.is_some() && e.kind != ErrorKind::Protocol {
                    run.cp.in_flight = None;
                    if e.code == "media_not_ready" {
                        // LinkedIn is still processing a file after all:
                        // read their status again when checking.
                        for m in run.cp.media.values_mut() {
                            m.ready = false;
                        }
                        run.save().await?;
                        return Ok(Outcome::Processing(Processing {
                            check_at: Utc::now() + MEDIA_NOT_READY_WAIT,
                            stage: "LinkedIn is processing the media".to_owned(),
                        }));
                    }
                    // The error that matters is `e`; a failed save only
                    // leaves `in_flight` set, which errs on the safe side.
                    let _ = run.save().await;
                }
                Err(e)
            }
        }
    }

    /// LinkedIn was processing the media: read their status again, and post
    /// once they are all available.
    async fn check(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        self.publish(tokens, post, checkpoint, sink).await
    }

    /// What the checkpoint alone can tell (LinkedIn gives a self-serve app
    /// no permission to read the member's posts, §1.1):
    /// - the post was created → `Published`;
    /// - the create call was sent and never answered → `Unknown` (the post
    ///   may exist: the engine asks the creator);
    /// - otherwise → `NotPublished`: `publish` with this checkpoint is safe;
    ///   it reuses the uploads and creates the post once.
    async fn reconcile(
        &self,
        _tokens: &dyn TokenSource,
        _post: &PublishRequest,
        checkpoint: &Value,
    ) -> Result<Reconciled, PlatformError> {
        let cp = LinkedinCheckpoint::from_value(checkpoint)?;
        if cp.in_flight.is_some() {
            return Ok(Reconciled::Unknown);
        }
        match &cp.post {
            Some(urn) => Ok(Reconciled::Published(self.published(urn, &cp))),
            None => Ok(Reconciled::NotPublished),
        }
    }

    /// `DELETE /rest/posts/{url-encoded urn}` (§4): 204, also when the post
    /// is already gone; a post LinkedIn does not know counts as deleted.
    async fn delete(&self, tokens: &dyn TokenSource, remote_id: &str) -> Result<(), PlatformError> {
        check_urn(remote_id, "delete")?;
        let url = self
            .endpoints
            .api(&format!("/rest/posts/{}", encode_urn(remote_id)));
        let result = self
            .call(LinkedinOperation::DeletePost, tokens, |token| {
                let request = self.rest(self.http.delete(url.clone()), &token);
                async move { Ok(request) }
            })
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.status == Some(404) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Changes the text of a live post: `POST /rest/posts/{url-encoded urn}`
    /// with `X-RestLi-Method: PARTIAL_UPDATE` and
    /// `{"patch":{"$set":{"commentary":…}}}`, escaped as when it was
    /// published. Its media and visibility stay as they are.
    async fn update(
        &self,
        tokens: &dyn TokenSource,
        remote_id: &str,
        post: &PublishRequest,
    ) -> Result<(), PlatformError> {
        rules_met(self.validate_update(post))?;
        check_urn(remote_id, "change")?;
        let url = self
            .endpoints
            .api(&format!("/rest/posts/{}", encode_urn(remote_id)));
        let body = json!({"patch": {"$set": {"commentary": commentary(&post.text)}}});
        self.call(LinkedinOperation::UpdatePost, tokens, |token| {
            let request = self
                .rest(self.http.post(url.clone()), &token)
                .header("X-RestLi-Method", "PARTIAL_UPDATE")
                .json(&body);
            async move { Ok(request) }
        })
        .await?;
        Ok(())
    }

    /// Impressions, members reached, reactions, comments and reposts (§13),
    /// with `r_member_postAnalytics`. LinkedIn's quotas are daily: no read
    /// budget.
    fn metrics_support(&self) -> MetricsSupport {
        super::metrics::metrics_support()
    }

    /// `GET /rest/memberCreatorPostAnalytics?q=entity` once per metric type
    /// for the post `remote_id` (its `urn:li:share:` or `urn:li:ugcPost:`
    /// URN, as `publish` gave it). A number LinkedIn does not have for the
    /// post is left out; a post LinkedIn no longer has (404) is
    /// [`PostMetrics::Removed`].
    async fn metrics(
        &self,
        tokens: &dyn TokenSource,
        _account: &RemoteAccount,
        remote_id: &str,
    ) -> Result<PostMetrics, PlatformError> {
        self.read_metrics(tokens, remote_id).await
    }
}

/// `urn:li:share:<id>` or `urn:li:ugcPost:<id>` (§3.3): both name a post.
pub(super) fn is_post_urn(s: &str) -> bool {
    s.strip_prefix("urn:li:share:")
        .or_else(|| s.strip_prefix("urn:li:ugcPost:"))
        .is_some_and(|id| {
            (1..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

pub(super) fn check_urn(urn: &str, what: &str) -> Result<(), PlatformError> {
    if is_post_urn(urn) {
        return Ok(());
    }
    Err(PlatformError::new(
        ErrorKind::Rejected,
        "bad_post_id",
        format!("This is not a LinkedIn post, so CreatorFlow cannot {what} it."),
    )
    .with_detail(urn.chars().take(60).collect::<String>()))
}

/// A URN as a URL path segment (Rest.li 2.0, §3.3): everything but
/// unreserved characters percent-encoded (`urn%3Ali%3Ashare%3A1`).
pub(super) fn encode_urn(urn: &str) -> String {
    let mut out = String::with_capacity(urn.len() * 2);
    for b in urn.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` sequences decoded (a header value LinkedIn may send encoded).
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The JSON body of a successful answer.
pub(super) fn parse<T: DeserializeOwned>(answer: &Answer) -> Result<T, PlatformError> {
    serde_json::from_slice(&answer.body).map_err(|e| unreadable(answer.status, &e.to_string()))
}

pub(super) fn unreadable(status: u16, why: &str) -> PlatformError {
    PlatformError::new(
        ErrorKind::Protocol,
        "bad_response",
        "LinkedIn sent an answer CreatorFlow could not read.",
    )
    .with_status(status)
    .with_detail(why.chars().take(300).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::LinkedinOptions;
    use crate::types::RemoteAccount;

    #[test]
    fn urns_in_paths_and_headers() {
        assert_eq!(
            encode_urn("urn:li:share:7012345678901234567"),
            "urn%3Ali%3Ashare%3A7012345678901234567"
        );
        assert_eq!(
            encode_urn("urn:li:image:C4E10AQ-x_y"),
            "urn%3Ali%3Aimage%3AC4E10AQ-x_y"
        );
        assert_eq!(percent_decode("urn%3Ali%3AugcPost%3A1"), "urn:li:ugcPost:1");
        assert_eq!(percent_decode("100%"), "100%");
        assert!(is_post_urn("urn:li:share:1"));
        assert!(is_post_urn("urn:li:ugcPost:7012345678901234567"));
        assert!(!is_post_urn("urn:li:comment:(urn:li:share:1,2)"));
        assert!(!is_post_urn("urn:li:share:"));
        assert!(!is_post_urn("urn:li:share:1/../x"));
        assert_eq!(
            check_urn("42", "delete").expect_err("no").code,
            "bad_post_id"
        );
    }

    #[test]
    fn the_post_body() {
        let post = PublishRequest {
            account: RemoteAccount {
                id: "abc".into(),
                username: "A".into(),
                scopes: vec![],
            },
            text: "Hi (all) #news".into(),
            media: vec![],
            cover: None,
            options: PlatformOptions::Linkedin(LinkedinOptions {
                visibility: LinkedinVisibility::Connections,
            }),
        };
        let body = LinkedinClient::post_body("urn:li:person:abc", &post, None);
        assert_eq!(
            body,
            json!({
                "author": "urn:li:person:abc",
                "commentary": "Hi \\(all\\) #news",
                "visibility": "CONNECTIONS",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "lifecycleState": "PUBLISHED",
                "isReshareDisabledByAuthor": false,
            })
        );
        let body = LinkedinClient::post_body(
            "urn:li:person:abc",
            &post,
            Some(json!({"media": {"id": "urn:li:image:1"}})),
        );
        assert_eq!(body["content"]["media"]["id"], "urn:li:image:1");
    }

    #[test]
    fn debug_names_the_version_not_a_token() {
        let c = LinkedinClient::new(LinkedinEndpoints::production()).with_version(" 202601 ");
        assert_eq!(c.version(), "202601");
        let dbg = format!("{c:?}");
        assert!(dbg.contains("api.linkedin.com") && dbg.contains("202601"));
    }
}
