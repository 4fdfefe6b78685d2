//! Publishing one claimed target: build the request, get a fresh token,
//! reconcile an interrupted attempt, publish with checkpoints, classify the
//! outcome, record the attempt.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use creatorflow_platforms::{
    ErrorKind, MediaFile, PlatformError, PublishRequest, PublishSink, Published, Reconciled,
};
use sqlx::Row;

use crate::error::{EngineError, Result};
use crate::model::{Platform, TargetId, TargetOptions};
use crate::notices::{Notice, NoticeKind};
use crate::scheduler::{Claim, SchedulerConfig, backoff};
use crate::time::to_millis;
use crate::{ChangeSource, Engine, Entity, accounts};

/// How one attempt ended.
#[derive(Debug)]
enum Outcome {
    Published(Published),
    /// Try again at `at`; `counts` = whether it used up one of the attempts.
    Retry {
        at: DateTime<Utc>,
        counts: bool,
        error: PlatformError,
    },
    Failed(PlatformError),
    NeedsReauth(String),
    Unconfirmed,
}

pub(crate) async fn run_target(engine: &Engine, config: &SchedulerConfig, claim: Claim) {
    let target = claim.target_id;
    let started = engine.now();
    let attempt_id = match start_attempt(engine, target, started).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(target, "could not record the attempt: {e}");
            None
        }
    };
    let outcome = match attempt(engine, &claim).await {
        Ok(outcome) => outcome,
        Err(e) => {
            // Our own trouble (database, keychain): retry later, it is not the post's fault.
            tracing::error!(target, "publish attempt failed inside CreatorFlow: {e}");
            Outcome::Retry {
                at: engine.now() + Duration::minutes(1),
                counts: true,
                error: PlatformError::new(ErrorKind::Network, "internal", e.user_message()),
            }
        }
    };
    if let Err(e) = finish(engine, config, &claim, attempt_id, outcome).await {
        tracing::error!(target, "could not record the outcome of a publish: {e}");
    }
}

async fn attempt(engine: &Engine, claim: &Claim) -> Result<Outcome> {
    let (platform, request) = load_request(engine, claim).await?;
    let publisher = engine.publisher(platform)?;

    let issues = publisher.validate(&request);
    if let Some(first) = issues.first() {
        return Ok(Outcome::Failed(
            PlatformError::new(
                ErrorKind::Rejected,
                first.code.clone(),
                first.message.clone(),
            )
            .with_detail(
                issues
                    .iter()
                    .map(|i| i.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ));
    }

    let mut token = match engine.access_token(claim.account_id).await {
        Ok(t) => t,
        Err(e) if e.code() == crate::ErrorCode::OAuth => {
            return Ok(Outcome::NeedsReauth(e.user_message()));
        }
        Err(e) => return Err(e),
    };

    let mut checkpoint = claim.checkpoint.clone();
    let has_checkpoint = !(checkpoint.is_null() || checkpoint == serde_json::json!({}));
    if has_checkpoint {
        match publisher.reconcile(&token, &request, &checkpoint).await {
            Ok(Reconciled::Published(p)) => return Ok(Outcome::Published(p)),
            Ok(Reconciled::Unknown) => return Ok(Outcome::Unconfirmed),
            Ok(Reconciled::NotPublished) => {}
            Err(e) if e.kind == ErrorKind::Auth => {} // the publish below refreshes
            Err(e) => return Ok(classify(engine, claim, e)),
        }
    }

    let sink = TargetSink {
        engine: engine.clone(),
        target: claim.target_id,
    };
    let mut refreshed = false;
    loop {
        match publisher
            .publish(&token, &request, &mut checkpoint, &sink)
            .await
        {
            Ok(p) => return Ok(Outcome::Published(p)),
            Err(e) if e.kind == ErrorKind::Auth && !refreshed => {
                refreshed = true;
                match engine
                    .refresh_after_unauthorized(claim.account_id, &token)
                    .await
                {
                    Ok(t) => token = t,
                    Err(err) if err.code() == crate::ErrorCode::OAuth => {
                        return Ok(Outcome::NeedsReauth(err.user_message()));
                    }
                    Err(err) => return Err(err),
                }
            }
            Err(e) if e.kind == ErrorKind::Auth => {
                engine
                    .mark_needs_reauth(
                        claim.account_id,
                        "The platform refused CreatorFlow's sign-in even after renewing it.",
                    )
                    .await?;
                return Ok(Outcome::NeedsReauth(e.message));
            }
            Err(e) => return Ok(classify(engine, claim, e)),
        }
    }
}

fn classify(engine: &Engine, claim: &Claim, e: PlatformError) -> Outcome {
    let now = engine.now();
    match e.kind {
        ErrorKind::RateLimited => {
            // Wait for the window instead of burning attempts.
            let at = e.retry_at.unwrap_or(now + Duration::minutes(1)) + Duration::seconds(1);
            Outcome::Retry {
                at: at.max(now),
                counts: false,
                error: e,
            }
        }
        _ if e.is_transient() => Outcome::Retry {
            at: now,
            counts: true,
            error: e,
        },
        ErrorKind::Forbidden => Outcome::NeedsReauth(e.message),
        _ => {
            let _ = claim;
            Outcome::Failed(e)
        }
    }
}

async fn finish(
    engine: &Engine,
    config: &SchedulerConfig,
    claim: &Claim,
    attempt_id: Option<i64>,
    outcome: Outcome,
) -> Result<()> {
    let now = engine.now();
    let now_ms = to_millis(now);
    let target = claim.target_id;
    let (post_text, platform, username) = describe_target(engine, target).await?;
    let pool = engine.store().pool();
    let (attempt_outcome, http_status, code, message): (
        &str,
        Option<u16>,
        Option<String>,
        Option<String>,
    );

    match outcome {
        Outcome::Published(p) => {
            sqlx::query(
                "UPDATE post_targets SET status = 'published', remote_id = ?, remote_url = ?,
                     published_at = ?, next_attempt_at = NULL, lease_until = NULL,
                     last_error_code = NULL, last_error_message = NULL, last_error_detail = NULL,
                     checkpoint = '{}', updated_at = ?
                 WHERE id = ?",
            )
            .bind(&p.remote_id)
            .bind(&p.url)
            .bind(now_ms)
            .bind(now_ms)
            .bind(target)
            .execute(pool)
            .await?;
            (attempt_outcome, http_status, code, message) = ("published", None, None, None);
            tracing::info!(target, platform = platform.as_str(), "published");
            if engine
                .settings()
                .await
                .map(|s| s.notify_on_success)
                .unwrap_or(false)
            {
                engine.notices().send(Notice {
                    kind: NoticeKind::Published,
                    title: format!("Published on {}", platform.display_name()),
                    body: format!("@{username}: {post_text}"),
                    post_id: Some(claim.post_id),
                    account_id: Some(claim.account_id),
                });
            }
        }
        Outcome::Retry { at, counts, error } => {
            let failures = claim.attempts + i64::from(counts);
            if counts && failures >= i64::from(config.max_attempts) {
                return Box::pin(finish(
                    engine,
                    config,
                    claim,
                    attempt_id,
                    Outcome::Failed(error),
                ))
                .await;
            }
            let at = if counts {
                at.max(now + backoff(config, failures as u32))
            } else {
                at
            };
            sqlx::query(
                "UPDATE post_targets SET status = 'retrying', attempts = ?, next_attempt_at = ?,
                     lease_until = NULL, last_error_code = ?, last_error_message = ?,
                     last_error_detail = ?, updated_at = ?
                 WHERE id = ?",
            )
            .bind(failures)
            .bind(to_millis(at))
            .bind(&error.code)
            .bind(&error.message)
            .bind(&error.detail)
            .bind(now_ms)
            .bind(target)
            .execute(pool)
            .await?;
            tracing::info!(target, code = %error.code, retry_at = %at, "will retry");
            (attempt_outcome, http_status, code, message) = (
                if counts { "retry" } else { "rate_limited" },
                error.status,
                Some(error.code),
                Some(error.message),
            );
        }
        Outcome::Failed(error) => {
            sqlx::query(
                "UPDATE post_targets SET status = 'failed', attempts = attempts + 1,
                     next_attempt_at = NULL, lease_until = NULL, last_error_code = ?,
                     last_error_message = ?, last_error_detail = ?, updated_at = ?
                 WHERE id = ?",
            )
            .bind(&error.code)
            .bind(&error.message)
            .bind(&error.detail)
            .bind(now_ms)
            .bind(target)
            .execute(pool)
            .await?;
            tracing::warn!(target, code = %error.code, "publish failed for good");
            engine.notices().send(Notice {
                kind: NoticeKind::PublishFailed,
                title: format!("Not published on {}", platform.display_name()),
                body: format!("@{username}: {}", error.message),
                post_id: Some(claim.post_id),
                account_id: Some(claim.account_id),
            });
            (attempt_outcome, http_status, code, message) = (
                "failed",
                error.status,
                Some(error.code),
                Some(error.message),
            );
        }
        Outcome::NeedsReauth(reason) => {
            sqlx::query(
                "UPDATE post_targets SET status = 'needs_reauth', lease_until = NULL,
                     last_error_code = 'needs_reauth', last_error_message = ?, last_error_detail = NULL,
                     updated_at = ?
                 WHERE id = ?",
            )
            .bind(format!("Reconnect @{username} on {} to publish this post.", platform.display_name()))
            .bind(now_ms)
            .bind(target)
            .execute(pool)
            .await?;
            (attempt_outcome, http_status, code, message) = (
                "needs_reauth",
                Some(401),
                Some("needs_reauth".into()),
                Some(reason),
            );
        }
        Outcome::Unconfirmed => {
            sqlx::query(
                "UPDATE post_targets SET status = 'unconfirmed', next_attempt_at = NULL, lease_until = NULL,
                     last_error_code = 'unconfirmed', last_error_message = ?, last_error_detail = NULL,
                     updated_at = ?
                 WHERE id = ?",
            )
            .bind(format!(
                "CreatorFlow was interrupted while publishing and cannot tell whether it went out. Check {} before publishing it again.",
                platform.display_name()
            ))
            .bind(now_ms)
            .bind(target)
            .execute(pool)
            .await?;
            engine.notices().send(Notice {
                kind: NoticeKind::Unconfirmed,
                title: format!("Check {} before re-posting", platform.display_name()),
                body: format!(
                    "@{username}: CreatorFlow cannot tell whether this went out: {post_text}"
                ),
                post_id: Some(claim.post_id),
                account_id: Some(claim.account_id),
            });
            (attempt_outcome, http_status, code, message) =
                ("unconfirmed", None, Some("unconfirmed".into()), None);
        }
    }
    if let Some(id) = attempt_id {
        sqlx::query(
            "UPDATE attempts SET finished_at = ?, outcome = ?, http_status = ?, error_code = ?, error_message = ?
             WHERE id = ?",
        )
        .bind(now_ms)
        .bind(attempt_outcome)
        .bind(http_status.map(i64::from))
        .bind(code)
        .bind(message)
        .bind(id)
        .execute(pool)
        .await?;
    }
    engine
        .changes()
        .emit(Entity::Posts, vec![claim.post_id], ChangeSource::Scheduler);
    Ok(())
}

async fn start_attempt(
    engine: &Engine,
    target: TargetId,
    at: DateTime<Utc>,
) -> Result<Option<i64>> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attempts (target_id, started_at) VALUES (?, ?) RETURNING id",
    )
    .bind(target)
    .bind(to_millis(at))
    .fetch_one(engine.store().pool())
    .await?;
    Ok(Some(id))
}

async fn describe_target(engine: &Engine, target: TargetId) -> Result<(String, Platform, String)> {
    let row = sqlx::query(
        "SELECT p.text, a.platform, a.username FROM post_targets t
         JOIN posts p ON p.id = t.post_id JOIN accounts a ON a.id = t.account_id WHERE t.id = ?",
    )
    .bind(target)
    .fetch_one(engine.store().pool())
    .await?;
    let excerpt = crate::activity::excerpt(row.get("text"), 80);
    let platform = Platform::parse(row.get("platform"))
        .ok_or_else(|| EngineError::Internal("unknown platform".into()))?;
    Ok((excerpt, platform, row.get("username")))
}

/// Loads what to publish for a target, with its media files.
async fn load_request(engine: &Engine, claim: &Claim) -> Result<(Platform, PublishRequest)> {
    let row = sqlx::query(
        "SELECT p.text, t.options, a.platform, a.username FROM post_targets t
         JOIN posts p ON p.id = t.post_id JOIN accounts a ON a.id = t.account_id WHERE t.id = ?",
    )
    .bind(claim.target_id)
    .fetch_one(engine.store().pool())
    .await?;
    let platform = Platform::parse(row.get("platform"))
        .ok_or_else(|| EngineError::Internal("unknown platform".into()))?;
    let options: TargetOptions = serde_json::from_str(row.get("options")).unwrap_or_default();
    let text = options.text.clone().unwrap_or_else(|| row.get("text"));
    let media_rows = sqlx::query(
        "SELECT m.path, m.mime, m.size, m.sha256, m.width, m.height, m.original_name FROM post_media pm
         JOIN media m ON m.id = pm.media_id WHERE pm.post_id = ? ORDER BY pm.position",
    )
    .bind(claim.post_id)
    .fetch_all(engine.store().pool())
    .await?;
    let media = media_rows
        .iter()
        .map(|m| MediaFile {
            path: engine.media_dir().join(m.get::<&str, _>("path")),
            name: m.get("original_name"),
            mime: m.get("mime"),
            size: m.get::<i64, _>("size") as u64,
            sha256: m.get("sha256"),
            width: m.get::<Option<i64>, _>("width").map(|w| w as u32),
            height: m.get::<Option<i64>, _>("height").map(|h| h as u32),
        })
        .collect();
    let username: String = row.get("username");
    Ok((
        platform,
        PublishRequest {
            text,
            thread: options.thread.clone(),
            media,
            options: serde_json::json!({ "username": username }),
        },
    ))
}

/// Persists checkpoints (and extends the lease) as a publish goes.
struct TargetSink {
    engine: Engine,
    target: TargetId,
}

#[async_trait]
impl PublishSink for TargetSink {
    async fn checkpoint(&self, checkpoint: &serde_json::Value) -> std::result::Result<(), String> {
        let now = self.engine.now();
        sqlx::query(
            "UPDATE post_targets SET checkpoint = ?, lease_until = ?, updated_at = ? WHERE id = ?",
        )
        .bind(checkpoint.to_string())
        .bind(to_millis(now + Duration::minutes(10)))
        .bind(to_millis(now))
        .bind(self.target)
        .execute(self.engine.store().pool())
        .await
        .map(|_| ())
        .map_err(|e| format!("could not save progress: {e}"))
    }

    fn progress(&self, sent: u64, total: u64) {
        self.engine.report_progress(self.target, sent, total);
    }
}

impl Engine {
    /// Publish again now: for failed, missed or unconfirmed targets (the user
    /// checked the platform), and for retrying ones.
    pub async fn retry_target(&self, target: TargetId) -> Result<()> {
        let account: Option<i64> =
            sqlx::query_scalar("SELECT account_id FROM post_targets WHERE id = ?")
                .bind(target)
                .fetch_optional(self.store().pool())
                .await?;
        let account = account.ok_or(EngineError::NotFound { what: "post" })?;
        let acc = accounts::get(self.store(), account).await?;
        if acc.status != crate::AccountStatus::Connected {
            return Err(EngineError::Conflict(format!(
                "Reconnect @{} on {} first.",
                acc.username,
                acc.platform.display_name()
            )));
        }
        let now = self.now();
        let post: Option<i64> = sqlx::query_scalar(
            "UPDATE post_targets SET status = 'retrying', next_attempt_at = ?, attempts = 0,
                 lease_until = NULL, last_error_code = NULL, last_error_message = NULL,
                 last_error_detail = NULL,
                 checkpoint = CASE WHEN status = 'unconfirmed' THEN '{}' ELSE checkpoint END,
                 updated_at = ?
             WHERE id = ? AND status IN ('failed', 'missed', 'unconfirmed', 'retrying', 'needs_reauth')
             RETURNING post_id",
        )
        .bind(to_millis(now))
        .bind(to_millis(now))
        .bind(target)
        .fetch_optional(self.store().pool())
        .await?;
        let Some(post) = post else {
            return Err(EngineError::Conflict(
                "Only a post that failed, was missed, or is waiting to retry can be published again."
                    .into(),
            ));
        };
        self.changes()
            .emit(Entity::Posts, vec![post], ChangeSource::User);
        self.wake_scheduler();
        Ok(())
    }

    /// The link to a published post.
    pub async fn published_url(&self, target: TargetId) -> Result<String> {
        let url: Option<String> = sqlx::query_scalar(
            "SELECT remote_url FROM post_targets WHERE id = ? AND status = 'published'",
        )
        .bind(target)
        .fetch_optional(self.store().pool())
        .await?
        .flatten();
        url.ok_or(EngineError::NotFound {
            what: "published post",
        })
    }

    /// The user checked the platform and the post is there: stop asking.
    pub async fn confirm_published(&self, target: TargetId) -> Result<()> {
        let now = to_millis(self.now());
        let row = sqlx::query(
            "UPDATE post_targets SET status = 'published', published_at = ?, next_attempt_at = NULL,
                 last_error_code = NULL, last_error_message = NULL, last_error_detail = NULL, updated_at = ?
             WHERE id = ? AND status = 'unconfirmed' RETURNING post_id",
        )
        .bind(now)
        .bind(now)
        .bind(target)
        .fetch_optional(self.store().pool())
        .await?
        .ok_or_else(|| EngineError::Conflict("Only an unconfirmed post can be marked as published.".into()))?;
        self.changes()
            .emit(Entity::Posts, vec![row.get("post_id")], ChangeSource::User);
        Ok(())
    }
}
