//! The X client: profile, publish (media, post, thread), reconcile, delete,
//! a post's numbers, over X API v2.

use async_trait::async_trait;
use chrono::Utc;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::checkpoint::{InFlight, XCheckpoint};
use super::errors::XOperation;
use super::media::Uploads;
use super::validate::{self, validate_post};
use super::{XEndpoints, capabilities, oauth_spec};
use crate::auth::{Authenticator, StandardOAuth, TokenSource};
use crate::error::{ErrorKind, PlatformError};
use crate::metrics::{MetricsSupport, PostMetrics};
use crate::support::request::{Answer, send};
use crate::support::rules_met;
use crate::text::x_weighted::MAX_WEIGHTED_LENGTH;
use crate::types::RemoteAccount;
use crate::types::{
    Capabilities, FieldCount, LimitScope, LimitWindow, Outcome, Platform, Profile, PublishLimit,
    PublishRequest, Published, Reconciled, ValidationIssue,
};
use crate::{PublishSink, Publisher};

/// X API v2 client. Holds no token: every call gets a source to ask.
///
/// The post URL needs the account's @handle: `publish` takes it from the
/// request's account when the engine passes it, else from the checkpoint of
/// an earlier try, else it asks `GET /2/users/me` once (before any upload,
/// which also checks the token early).
#[derive(Clone)]
pub struct XClient {
    pub(super) endpoints: XEndpoints,
    pub(super) http: crate::http::LazyClient,
    pub(super) text_limit: usize,
    auth: std::sync::Arc<StandardOAuth>,
}

impl std::fmt::Debug for XClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XClient")
            .field("endpoints", &self.endpoints)
            .field("text_limit", &self.text_limit)
            .finish()
    }
}

impl XClient {
    pub fn new(endpoints: XEndpoints) -> Self {
        let auth = std::sync::Arc::new(StandardOAuth(oauth_spec(&endpoints)));
        Self {
            endpoints,
            http: crate::http::client(),
            text_limit: MAX_WEIGHTED_LENGTH,
            auth,
        }
    }

    /// Allows longer posts (X Premium accounts), for `validate` and `publish`.
    pub fn with_text_limit(mut self, limit: usize) -> Self {
        self.text_limit = limit;
        self
    }

    pub fn endpoints(&self) -> &XEndpoints {
        &self.endpoints
    }

    /// The public address of a post (on x.com, or the sandbox's page for it).
    pub fn post_url(&self, username: &str, id: &str) -> String {
        self.endpoints
            .auth(&format!("/{username}/status/{id}"))
            .to_string()
    }

    /// `GET /2/users/me`.
    pub async fn me(&self, tokens: &dyn TokenSource) -> Result<Profile, PlatformError> {
        #[derive(Deserialize)]
        struct User {
            #[serde(deserialize_with = "id_string")]
            id: String,
            name: String,
            username: String,
            #[serde(default)]
            profile_image_url: Option<String>,
        }
        let mut url = self.endpoints.api("/2/users/me");
        url.set_query(Some("user.fields=profile_image_url"));
        let answer = send(XOperation::Profile, tokens, |token| {
            let request = self.http.get(url.clone()).bearer_auth(token.secret());
            async move { Ok(request) }
        })
        .await?;
        let user: User = data(&answer)?;
        Ok(Profile {
            platform_user_id: user.id,
            username: user.username,
            display_name: user.name,
            avatar_url: user.profile_image_url.filter(|u| !u.is_empty()),
            email: None,
        })
    }

    /// `POST /2/tweets`: one post, optionally replying and with media. What
    /// X's answer says about its post limits goes to `sink`.
    pub async fn create_post(
        &self,
        tokens: &dyn TokenSource,
        text: &str,
        media_ids: &[String],
        reply_to: Option<&str>,
        sink: &dyn PublishSink,
    ) -> Result<String, PlatformError> {
        #[derive(Deserialize)]
        struct Created {
            #[serde(deserialize_with = "id_string")]
            id: String,
        }
        let mut body = json!({});
        if !text.is_empty() {
            body["text"] = json!(text);
        }
        if !media_ids.is_empty() {
            body["media"] = json!({ "media_ids": media_ids });
        }
        if let Some(parent) = reply_to {
            body["reply"] = json!({ "in_reply_to_tweet_id": parent });
        }
        let op = XOperation::CreatePost {
            reply: reply_to.is_some(),
        };
        let answer = send(op, tokens, |token| {
            let request = self
                .http
                .post(self.endpoints.api("/2/tweets"))
                .bearer_auth(token.secret())
                .json(&body);
            async move { Ok(request) }
        })
        .await?;
        for reading in super::errors::limit_readings(&answer.headers) {
            sink.limit_reading(reading).await;
        }
        let created: Created = data(&answer)?;
        if !is_id(&created.id) {
            return Err(unreadable(answer.status, "the new post has no valid id"));
        }
        Ok(created.id)
    }
}

#[async_trait]
impl Publisher for XClient {
    fn platform(&self) -> Platform {
        Platform::X
    }

    fn authenticator(&self) -> &dyn Authenticator {
        self.auth.as_ref()
    }

    fn capabilities(&self) -> Capabilities {
        capabilities(u32::try_from(self.text_limit).unwrap_or(u32::MAX))
    }

    /// X's published limits on `POST /2/tweets` (docs/platforms/x.md §6.1); the answers' headers say where each account stands.
    fn limits(&self) -> Vec<PublishLimit> {
        vec![
            PublishLimit {
                id: "posts_15min",
                label: "X's limit of 100 posts in 15 minutes per account".into(),
                scope: LimitScope::Account,
                max: 100,
                window: LimitWindow::Rolling { secs: 15 * 60 },
            },
            PublishLimit {
                id: "posts_24h_app",
                label: "X's limit of 10,000 posts in 24 hours for CreatorFlow's X app".into(),
                scope: LimitScope::App,
                max: 10_000,
                window: LimitWindow::Rolling { secs: 24 * 3600 },
            },
        ]
    }

    /// Each part of a thread is a post of its own.
    fn limit_units(&self, post: &PublishRequest) -> u32 {
        u32::try_from(validate::parts(post).len().max(1)).unwrap_or(u32::MAX)
    }

    fn validate(&self, post: &PublishRequest) -> Vec<ValidationIssue> {
        validate_post(post, self.text_limit)
    }

    fn counts(&self, post: &PublishRequest) -> Vec<FieldCount> {
        validate::counts(post, self.text_limit)
    }

    async fn profiles(
        &self,
        tokens: &dyn TokenSource,
        _granted: &[String],
    ) -> Result<Vec<Profile>, PlatformError> {
        Ok(vec![self.me(tokens).await?])
    }

    async fn publish(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        rules_met(self.validate(post))?;
        let parts = validate::parts(post);
        let cp = XCheckpoint::from_value(checkpoint)?;
        if cp.parts.len() > parts.len() {
            return Err(PlatformError::new(
                ErrorKind::Protocol,
                "bad_checkpoint",
                "The saved progress of this X post does not match the post any more.",
            )
            .with_detail(format!(
                "{} parts created, the post has {}",
                cp.parts.len(),
                parts.len()
            )));
        }
        let mut run = Run {
            client: self,
            tokens,
            cp,
            out: checkpoint,
            sink,
        };
        // A leftover `in_flight` means the engine reconciled (or asked the
        // user) and chose to try that part again.
        if let Some(flight) = run.cp.in_flight.take() {
            tracing::info!(part = flight.part, "retrying an X post part left in flight");
        }

        let username = match account_username(post).or_else(|| run.cp.username.clone()) {
            Some(u) => u,
            None => self.me(tokens).await?.username,
        };
        if run.cp.username.as_deref() != Some(username.as_str()) {
            run.cp.username = Some(username.clone());
        }

        let media_ids = if run.cp.parts.is_empty() && !post.media.is_empty() {
            match run.upload_all(&post.media).await? {
                Uploads::Ready(ids) => ids,
                // X processes a GIF or video first: come back when it said.
                Uploads::Processing(p) => return Ok(Outcome::Processing(p)),
            }
        } else {
            Vec::new()
        };

        for (i, text) in parts.iter().enumerate().skip(run.cp.parts.len()) {
            let reply_to = run.cp.parts.last().cloned();
            run.cp.in_flight = Some(InFlight {
                part: i,
                since: Utc::now(),
            });
            if let Err(e) = run.save().await {
                // Not sent: do not leave a false "in flight" behind.
                run.cp.in_flight = None;
                *run.out = run.cp.to_value();
                return Err(e);
            }
            let ids: &[String] = if i == 0 { &media_ids } else { &[] };
            match self
                .create_post(tokens, text, ids, reply_to.as_deref(), sink)
                .await
            {
                Ok(id) => {
                    tracing::info!(part = i, id = %id, "X post part created");
                    run.cp.parts.push(id);
                    run.cp.in_flight = None;
                    run.save().await?;
                }
                Err(e) => {
                    // X answered with an error status: nothing was created
                    // (X's duplicate check backs this up for 5xx). No answer,
                    // or an unreadable success: the part may exist.
                    if e.status.is_some() && e.kind != ErrorKind::Protocol {
                        run.cp.in_flight = None;
                        // The error that matters is `e`; a failed save only
                        // leaves `in_flight` set, which errs on the safe side.
                        let _ = run.save().await;
                    }
                    return Err(e);
                }
            }
        }

        let first = run.cp.parts.first().cloned().ok_or_else(|| {
            PlatformError::new(
                ErrorKind::Protocol,
                "nothing_published",
                "CreatorFlow had nothing to publish to X.",
            )
        })?;
        Ok(Outcome::Published(Published::new(
            first.clone(),
            Some(self.post_url(&username, &first)),
        )))
    }

    /// X was processing a GIF or video: ask once more, and post when it is done.
    async fn check(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        self.publish(tokens, post, checkpoint, sink).await
    }

    /// What the checkpoint alone can tell (X has no idempotency key, and the
    /// timeline lookup that could find a lost post is not used):
    /// - every part created → `Published`;
    /// - a create call sent and never answered → `Unknown` (the part may
    ///   exist: the engine asks the user);
    /// - otherwise → `NotPublished`: calling `publish` again *with this
    ///   checkpoint* is safe; it creates only the missing parts.
    async fn reconcile(
        &self,
        _tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &Value,
    ) -> Result<Reconciled, PlatformError> {
        let cp = XCheckpoint::from_value(checkpoint)?;
        let total = validate::parts(post).len();
        if cp.in_flight.is_none()
            && cp.parts.len() >= total
            && let Some(first) = cp.parts.first()
        {
            let username = account_username(post).or(cp.username);
            return Ok(Reconciled::Published(Published::new(
                first.clone(),
                username.map(|u| self.post_url(&u, first)),
            )));
        }
        if cp.in_flight.is_some() {
            return Ok(Reconciled::Unknown);
        }
        Ok(Reconciled::NotPublished)
    }

    /// `DELETE /2/tweets/{id}`; a post X no longer has counts as deleted.
    /// Only that post goes: the replies of a thread stay on X.
    async fn delete(&self, tokens: &dyn TokenSource, remote_id: &str) -> Result<(), PlatformError> {
        #[derive(Deserialize)]
        struct Deleted {
            deleted: bool,
        }
        if !is_id(remote_id) {
            return Err(not_a_post_id(remote_id, "delete it"));
        }
        let url = self.endpoints.api(&format!("/2/tweets/{remote_id}"));
        let answer = match send(XOperation::DeletePost, tokens, |token| {
            let request = self.http.delete(url.clone()).bearer_auth(token.secret());
            async move { Ok(request) }
        })
        .await
        {
            Ok(a) => a,
            Err(e) if e.status == Some(404) => return Ok(()),
            Err(e) => return Err(e),
        };
        if answer.status == 204 || answer.body.is_empty() {
            return Ok(());
        }
        let d: Deleted = data(&answer)?;
        if d.deleted {
            Ok(())
        } else {
            Err(PlatformError::new(
                ErrorKind::Rejected,
                "not_deleted",
                "X answered but did not delete the post.",
            )
            .with_status(answer.status))
        }
    }

    /// Impressions, likes, reposts, replies, quotes and bookmarks, read with
    /// the scopes publishing already has; the app's monthly allowance of
    /// posts read is the budget.
    fn metrics_support(&self) -> MetricsSupport {
        super::metrics::support()
    }

    /// `GET /2/tweets/{id}?tweet.fields=public_metrics` (docs/platforms/x.md §9).
    async fn metrics(
        &self,
        tokens: &dyn TokenSource,
        _account: &RemoteAccount,
        remote_id: &str,
    ) -> Result<PostMetrics, PlatformError> {
        self.post_metrics(tokens, remote_id).await
    }
}

/// One X publish in progress (its steps: here and in `media.rs`).
pub(super) type Run<'a> = crate::support::checkpoint::Run<'a, XClient, XCheckpoint>;

fn account_username(post: &PublishRequest) -> Option<String> {
    Some(
        post.account
            .username
            .trim()
            .trim_start_matches('@')
            .to_owned(),
    )
    .filter(|u| !u.is_empty())
}

/// X ids: 1 to 19 digits.
pub(super) fn is_id(s: &str) -> bool {
    (1..=19).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Refuses `remote_id`, which is no X post id, before asking X to `what`.
pub(super) fn not_a_post_id(remote_id: &str, what: &str) -> PlatformError {
    PlatformError::new(
        ErrorKind::Rejected,
        "bad_post_id",
        format!("This is not an X post id, so CreatorFlow cannot {what}."),
    )
    .with_detail(remote_id.chars().take(40).collect::<String>())
}

/// `{"data": T}` of a successful answer.
pub(super) fn data<T: DeserializeOwned>(answer: &Answer) -> Result<T, PlatformError> {
    #[derive(Deserialize)]
    struct Envelope<T> {
        data: Option<T>,
        #[serde(default)]
        errors: Vec<Value>,
    }
    let envelope: Envelope<T> = serde_json::from_slice(&answer.body)
        .map_err(|e| unreadable(answer.status, &e.to_string()))?;
    envelope.data.ok_or_else(|| {
        let why = envelope
            .errors
            .first()
            .and_then(|e| e.get("detail").or_else(|| e.get("message")))
            .and_then(Value::as_str)
            .unwrap_or("no data in the answer");
        unreadable(answer.status, why)
    })
}

pub(super) fn unreadable(status: u16, why: &str) -> PlatformError {
    PlatformError::new(
        ErrorKind::Protocol,
        "bad_response",
        "X sent an answer CreatorFlow could not read.",
    )
    .with_status(status)
    .with_detail(why.chars().take(300).collect::<String>())
}

/// Ids arrive as strings in v2; tolerate numbers.
pub(super) fn id_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected an id, got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::AccessToken;
    use bytes::Bytes;
    use reqwest::header::HeaderMap;

    #[test]
    fn links_point_at_x_com_in_production() {
        let c = XClient::new(XEndpoints::production());
        assert_eq!(
            c.post_url("creator", "42"),
            "https://x.com/creator/status/42"
        );
    }

    #[test]
    fn ids() {
        assert!(is_id("1346889436626259968"));
        assert!(!is_id(""));
        assert!(!is_id("12345678901234567890"));
        assert!(!is_id("12a"));
        assert!(!is_id("../x"));
    }

    #[test]
    fn data_envelope() {
        let ok = Answer {
            status: 201,
            headers: HeaderMap::new(),
            body: Bytes::from_static(br#"{"data":{"id":"5","text":"hi"}}"#),
        };
        let v: Value = data(&ok).expect("data");
        assert_eq!(v["id"], "5");
        let partial = Answer {
            status: 200,
            headers: HeaderMap::new(),
            body: Bytes::from_static(br#"{"errors":[{"detail":"Could not find"}]}"#),
        };
        let e = data::<Value>(&partial).expect_err("no data");
        assert_eq!(e.kind, ErrorKind::Protocol);
        assert_eq!(e.detail.as_deref(), Some("Could not find"));
        let junk = Answer {
            status: 200,
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"<html>"),
        };
        assert_eq!(data::<Value>(&junk).expect_err("junk").code, "bad_response");
    }

    #[test]
    fn username_from_the_account() {
        let mut post = PublishRequest {
            account: crate::types::RemoteAccount {
                id: "1".into(),
                username: " @someone ".into(),
                scopes: vec![],
            },
            text: "x".into(),
            media: vec![],
            cover: None,
            options: crate::options::PlatformOptions::default_for(Platform::X),
        };
        assert_eq!(account_username(&post).as_deref(), Some("someone"));
        post.account.username.clear();
        assert_eq!(account_username(&post), None);
    }

    #[test]
    fn token_never_in_debug() {
        let client = XClient::new(XEndpoints::production());
        let dbg = format!("{client:?}");
        assert!(dbg.contains("api.x.com"));
        assert!(format!("{:?}", AccessToken::new("s3cr3t-token")).contains("redacted"));
    }
}
