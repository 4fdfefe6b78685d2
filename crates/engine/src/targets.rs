//! The one owner of target state. Every change of a target's status goes
//! through a typed [`To`] here, allowed only from the statuses named with
//! it, and each write announces its change on the engine's change channel
//! (a write inside a caller's transaction hands back a [`PendingChange`]
//! to emit after the commit). The attempt history lives here too.

use chrono::{DateTime, Utc};
use creatorflow_platforms::{PlatformError, Published};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::error::Result;
use crate::events::{ChangeSource, Changes, Entity};
use crate::model::{AccountId, PostId, TargetId, TargetStatus};
use crate::time::to_millis;

/// Which targets a transition applies to (all conditions together).
#[derive(Debug, Clone, Default)]
pub(crate) struct Select {
    target: Option<TargetId>,
    post: Option<PostId>,
    account: Option<AccountId>,
    /// On any account of this network.
    platform: Option<&'static str>,
    /// `next_attempt_at <= this`.
    due_by: Option<i64>,
    /// `next_attempt_at < this`.
    due_before: Option<i64>,
    /// Never tried (`attempts = 0`).
    untried: bool,
    /// The post's time is at or after this.
    post_time_since: Option<i64>,
    /// The post's time is before this.
    post_time_before: Option<i64>,
    /// The account is not connected.
    account_unconnected: bool,
    /// Its lease ran out (or it has none).
    lease_free_at: Option<i64>,
}

impl Select {
    pub fn target(id: TargetId) -> Self {
        Self {
            target: Some(id),
            ..Self::default()
        }
    }

    pub fn post(id: PostId) -> Self {
        Self {
            post: Some(id),
            ..Self::default()
        }
    }

    pub fn account(id: AccountId) -> Self {
        Self {
            account: Some(id),
            ..Self::default()
        }
    }

    pub fn platform(platform: creatorflow_platforms::Platform) -> Self {
        Self {
            platform: Some(platform.as_str()),
            ..Self::default()
        }
    }

    pub fn all() -> Self {
        Self::default()
    }

    pub fn due_by(mut self, at: DateTime<Utc>) -> Self {
        self.due_by = Some(to_millis(at));
        self
    }

    pub fn due_before(mut self, at: DateTime<Utc>) -> Self {
        self.due_before = Some(to_millis(at));
        self
    }

    pub fn untried(mut self) -> Self {
        self.untried = true;
        self
    }

    pub fn post_time_since(mut self, at: DateTime<Utc>) -> Self {
        self.post_time_since = Some(to_millis(at));
        self
    }

    pub fn post_time_before(mut self, at: DateTime<Utc>) -> Self {
        self.post_time_before = Some(to_millis(at));
        self
    }

    pub fn account_unconnected(mut self) -> Self {
        self.account_unconnected = true;
        self
    }

    pub fn lease_free_at(mut self, at: DateTime<Utc>) -> Self {
        self.lease_free_at = Some(to_millis(at));
        self
    }

    fn push_where(&self, q: &mut QueryBuilder<'_, Sqlite>, from: &[TargetStatus]) {
        q.push(" WHERE status IN (");
        let mut list = q.separated(", ");
        for s in from {
            list.push_bind(s.as_str());
        }
        q.push(")");
        if let Some(id) = self.target {
            q.push(" AND id = ").push_bind(id);
        }
        if let Some(id) = self.post {
            q.push(" AND post_id = ").push_bind(id);
        }
        if let Some(id) = self.account {
            q.push(" AND account_id = ").push_bind(id);
        }
        if let Some(p) = self.platform {
            q.push(" AND account_id IN (SELECT id FROM accounts WHERE platform = ")
                .push_bind(p)
                .push(")");
        }
        if let Some(at) = self.due_by {
            q.push(" AND next_attempt_at <= ").push_bind(at);
        }
        if let Some(at) = self.due_before {
            q.push(" AND next_attempt_at < ").push_bind(at);
        }
        if self.untried {
            q.push(" AND attempts = 0");
        }
        if let Some(at) = self.post_time_since {
            q.push(" AND (SELECT p.scheduled_at FROM posts p WHERE p.id = post_id) >= ")
                .push_bind(at);
        }
        if let Some(at) = self.post_time_before {
            q.push(" AND (SELECT p.scheduled_at FROM posts p WHERE p.id = post_id) < ")
                .push_bind(at);
        }
        if self.account_unconnected {
            q.push(" AND account_id IN (SELECT id FROM accounts WHERE status <> 'connected')");
        }
        if let Some(at) = self.lease_free_at {
            q.push(" AND (lease_until IS NULL OR lease_until < ")
                .push_bind(at)
                .push(")");
        }
    }
}

/// An error as a target keeps it: code, words, and the network's own reason.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
}

impl From<&PlatformError> for Problem {
    fn from(e: &PlatformError) -> Self {
        Self {
            code: e.code.clone(),
            message: e.message.clone(),
            detail: e.detail.clone(),
        }
    }
}

impl Problem {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            detail: None,
        }
    }
}

/// Where a target goes.
#[derive(Debug, Clone)]
pub(crate) enum To {
    /// Claimed by the publisher until the lease runs out.
    Publishing {
        lease_until: DateTime<Utc>,
    },
    /// A processing target is being checked (its status stays).
    Checking {
        lease_until: DateTime<Utc>,
    },
    /// The network finishes it later: check back at `check_at`.
    Processing {
        check_at: DateTime<Utc>,
        stage: String,
    },
    Published(Published),
    /// Try again at `at`; `attempts` is the new count of failed tries.
    Retrying {
        at: DateTime<Utc>,
        attempts: i64,
        problem: Problem,
    },
    /// Held back for room in a network's limit until `at`: nothing was
    /// sent, no attempt counted; `problem` names the limit.
    WaitForRoom {
        at: DateTime<Utc>,
        problem: Problem,
    },
    /// Failed for good (one more attempt counted).
    Failed(Problem),
    NeedsReauth(String),
    Unconfirmed(String),
    Missed(String),
    /// Waiting for its time; a new start (attempts and errors cleared).
    Scheduled {
        at: DateTime<Utc>,
    },
    /// A draft again (no time).
    Draft,
    /// Back to the queue now, as the creator asked: attempts and errors
    /// cleared; `fresh` also forgets the progress of earlier tries.
    Requeued {
        at: DateTime<Utc>,
        fresh: bool,
    },
    /// Interrupted by an exit: back to the queue, nothing else changes.
    Resumed {
        at: DateTime<Utc>,
    },
    /// The creator checked the network: it is there.
    Confirmed,
    /// Removed from the network.
    Deleted,
    /// A published target the network told more about (its own id and
    /// link), or not yet: ask again at `next`; `None` ends the follow-up and
    /// forgets the progress kept for it. The status stays published.
    FollowedUp {
        published: Option<Published>,
        next: Option<DateTime<Utc>>,
    },
}

impl To {
    fn status(&self) -> Option<TargetStatus> {
        Some(match self {
            To::Publishing { .. } => TargetStatus::Publishing,
            To::Checking { .. } | To::FollowedUp { .. } => return None,
            To::Processing { .. } => TargetStatus::Processing,
            To::Published(_) | To::Confirmed => TargetStatus::Published,
            To::Retrying { .. }
            | To::WaitForRoom { .. }
            | To::Requeued { .. }
            | To::Resumed { .. } => TargetStatus::Retrying,
            To::Failed(_) => TargetStatus::Failed,
            To::NeedsReauth(_) => TargetStatus::NeedsReauth,
            To::Unconfirmed(_) => TargetStatus::Unconfirmed,
            To::Missed(_) => TargetStatus::Missed,
            To::Scheduled { .. } => TargetStatus::Scheduled,
            To::Draft => TargetStatus::Draft,
            To::Deleted => TargetStatus::Deleted,
        })
    }

    fn push_set(&self, q: &mut QueryBuilder<'_, Sqlite>, now: i64) {
        q.push("UPDATE post_targets SET updated_at = ")
            .push_bind(now);
        if let Some(status) = self.status() {
            q.push(", status = ").push_bind(status.as_str());
        }
        const CLEAR_ERROR: &str =
            ", last_error_code = NULL, last_error_message = NULL, last_error_detail = NULL";
        const NOT_PROCESSING: &str = ", stage = NULL, processing_since = NULL";
        let error = |q: &mut QueryBuilder<'_, Sqlite>, p: &Problem| {
            q.push(", last_error_code = ")
                .push_bind(p.code.clone())
                .push(", last_error_message = ")
                .push_bind(p.message.clone())
                .push(", last_error_detail = ")
                .push_bind(p.detail.clone());
        };
        match self {
            To::Publishing { lease_until } | To::Checking { lease_until } => {
                q.push(", lease_until = ")
                    .push_bind(to_millis(*lease_until));
            }
            To::Processing { check_at, stage } => {
                q.push(", next_attempt_at = ")
                    .push_bind(to_millis(*check_at))
                    .push(", lease_until = NULL, stage = ")
                    .push_bind(stage.clone())
                    .push(", processing_since = COALESCE(processing_since, ")
                    .push_bind(now)
                    .push(")")
                    .push(CLEAR_ERROR);
            }
            To::Published(p) => {
                q.push(", remote_id = ")
                    .push_bind(p.remote_id.clone())
                    .push(", remote_url = ")
                    .push_bind(p.url.clone())
                    .push(", remote_note = ")
                    .push_bind(p.note.clone())
                    .push(", published_at = ")
                    .push_bind(now)
                    .push(", lease_until = NULL, next_attempt_at = ")
                    .push_bind(p.follow_up_at.map(to_millis));
                if p.follow_up_at.is_none() {
                    // The progress is kept only for a follow-up.
                    q.push(", checkpoint = '{}'");
                }
                q.push(CLEAR_ERROR).push(NOT_PROCESSING);
            }
            To::FollowedUp { published, next } => {
                if let Some(p) = published {
                    q.push(", remote_id = ")
                        .push_bind(p.remote_id.clone())
                        .push(", remote_url = ")
                        .push_bind(p.url.clone())
                        .push(", remote_note = ")
                        .push_bind(p.note.clone());
                }
                q.push(", lease_until = NULL, next_attempt_at = ")
                    .push_bind(next.map(to_millis));
                if next.is_none() {
                    q.push(", checkpoint = '{}'");
                }
            }
            To::Retrying {
                at,
                attempts,
                problem,
            } => {
                q.push(", attempts = ")
                    .push_bind(*attempts)
                    .push(", next_attempt_at = ")
                    .push_bind(to_millis(*at))
                    .push(", lease_until = NULL")
                    .push(NOT_PROCESSING);
                error(q, problem);
            }
            To::WaitForRoom { at, problem } => {
                q.push(", next_attempt_at = ")
                    .push_bind(to_millis(*at))
                    .push(", lease_until = NULL")
                    .push(NOT_PROCESSING);
                error(q, problem);
            }
            To::Failed(problem) => {
                q.push(", attempts = attempts + 1, next_attempt_at = NULL, lease_until = NULL")
                    .push(NOT_PROCESSING);
                error(q, problem);
            }
            To::NeedsReauth(message) => {
                q.push(", lease_until = NULL");
                error(q, &Problem::new("needs_reauth", message.clone()));
            }
            To::Unconfirmed(message) => {
                q.push(", next_attempt_at = NULL, lease_until = NULL")
                    .push(NOT_PROCESSING);
                error(q, &Problem::new("unconfirmed", message.clone()));
            }
            To::Missed(message) => {
                q.push(", next_attempt_at = NULL, lease_until = NULL");
                error(q, &Problem::new("missed", message.clone()));
            }
            To::Scheduled { at } => {
                q.push(", next_attempt_at = ")
                    .push_bind(to_millis(*at))
                    .push(", attempts = 0, lease_until = NULL")
                    .push(CLEAR_ERROR)
                    .push(NOT_PROCESSING);
            }
            To::Draft => {
                q.push(", next_attempt_at = NULL");
            }
            To::Requeued { at, fresh } => {
                q.push(", next_attempt_at = ")
                    .push_bind(to_millis(*at))
                    .push(", attempts = 0, lease_until = NULL")
                    .push(CLEAR_ERROR);
                if *fresh {
                    q.push(", checkpoint = '{}'").push(NOT_PROCESSING);
                }
            }
            To::Resumed { at } => {
                q.push(", next_attempt_at = ")
                    .push_bind(to_millis(*at))
                    .push(", lease_until = NULL");
            }
            To::Confirmed => {
                q.push(", published_at = ")
                    .push_bind(now)
                    .push(", next_attempt_at = NULL")
                    .push(CLEAR_ERROR);
            }
            To::Deleted => {
                q.push(", deleted_at = ")
                    .push_bind(now)
                    .push(", next_attempt_at = NULL, lease_until = NULL")
                    .push(CLEAR_ERROR);
            }
        }
    }
}

/// A target that moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Moved {
    pub target: TargetId,
    pub post: PostId,
}

/// Moves the selected targets that are in one of `from` to `to`, in the
/// caller's connection or transaction; the change is announced when the
/// caller emits the returned [`PendingChange`] (after its commit).
pub(crate) async fn apply_in(
    conn: &mut SqliteConnection,
    select: &Select,
    from: &[TargetStatus],
    to: &To,
    now: DateTime<Utc>,
) -> Result<PendingChange> {
    let mut q = QueryBuilder::<Sqlite>::new("");
    to.push_set(&mut q, to_millis(now));
    select.push_where(&mut q, from);
    q.push(" RETURNING id, post_id");
    let rows = q.build().fetch_all(&mut *conn).await?;
    let moved: Vec<Moved> = rows
        .iter()
        .map(|r| Moved {
            target: r.get("id"),
            post: r.get("post_id"),
        })
        .collect();
    // A post that went out starts being tracked for its numbers.
    let ids: Vec<TargetId> = moved.iter().map(|m| m.target).collect();
    match to {
        To::Published(_) | To::Confirmed => crate::metrics::track_in(conn, &ids).await?,
        To::FollowedUp {
            published: Some(_), ..
        } => crate::metrics::refresh_in(conn, &ids, false).await?,
        To::Deleted => crate::metrics::refresh_in(conn, &ids, true).await?,
        _ => {}
    }
    Ok(PendingChange(moved))
}

/// Targets that moved, whose change is still to be announced.
#[must_use = "emit the change once the write is committed"]
#[derive(Debug, Default)]
pub(crate) struct PendingChange(pub Vec<Moved>);

impl PendingChange {
    /// Announces the posts whose targets moved; hands the moves back.
    pub fn emit(self, changes: &Changes, source: ChangeSource) -> Vec<Moved> {
        if !self.0.is_empty() {
            let mut posts: Vec<PostId> = self.0.iter().map(|m| m.post).collect();
            posts.sort_unstable();
            posts.dedup();
            changes.emit(Entity::Posts, posts, source);
        }
        self.0
    }
}

impl crate::Engine {
    /// Moves the selected targets in `from` to `to` and announces it.
    pub(crate) async fn move_targets(
        &self,
        select: &Select,
        from: &[TargetStatus],
        to: To,
        source: ChangeSource,
    ) -> Result<Vec<Moved>> {
        let mut conn = self.store().pool().acquire().await?;
        let pending = apply_in(&mut conn, select, from, &to, self.now()).await?;
        if matches!(to, To::Checking { .. }) {
            // Only a lease: nothing the creator sees changed.
            return Ok(pending.0);
        }
        Ok(pending.emit(self.changes(), source))
    }

    /// Moves one target in `from` to `to`; whether it moved.
    pub(crate) async fn move_target(
        &self,
        target: TargetId,
        from: &[TargetStatus],
        to: To,
        source: ChangeSource,
    ) -> Result<Option<Moved>> {
        Ok(self
            .move_targets(&Select::target(target), from, to, source)
            .await?
            .pop())
    }
}

/// The statuses a target waits in before it is published.
pub(crate) const WAITING: [TargetStatus; 2] = [TargetStatus::Scheduled, TargetStatus::Retrying];

// ---- history -------------------------------------------------------------

/// How an attempt (or another action on the live post) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttemptOutcome {
    Published,
    Retry,
    RateLimited,
    Failed,
    NeedsReauth,
    Unconfirmed,
    Processing,
    Deleted,
    DeleteFailed,
    Updated,
    UpdateFailed,
}

impl AttemptOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Retry => "retry",
            Self::RateLimited => "rate_limited",
            Self::Failed => "failed",
            Self::NeedsReauth => "needs_reauth",
            Self::Unconfirmed => "unconfirmed",
            Self::Processing => "processing",
            Self::Deleted => "deleted",
            Self::DeleteFailed => "delete_failed",
            Self::Updated => "updated",
            Self::UpdateFailed => "update_failed",
        }
    }
}

/// Opens an entry in a target's history.
pub(crate) async fn start_attempt(
    conn: &mut SqliteConnection,
    target: TargetId,
    at: DateTime<Utc>,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO attempts (target_id, started_at) VALUES (?, ?) RETURNING id",
    )
    .bind(target)
    .bind(to_millis(at))
    .fetch_one(&mut *conn)
    .await?)
}

/// Closes an entry of a target's history.
pub(crate) async fn finish_attempt(
    conn: &mut SqliteConnection,
    attempt: i64,
    at: DateTime<Utc>,
    outcome: AttemptOutcome,
    http_status: Option<u16>,
    problem: Option<&Problem>,
) -> Result<()> {
    sqlx::query(
        "UPDATE attempts SET finished_at = ?, outcome = ?, http_status = ?, error_code = ?,
             error_message = ?, error_detail = ?
         WHERE id = ?",
    )
    .bind(to_millis(at))
    .bind(outcome.as_str())
    .bind(http_status.map(i64::from))
    .bind(problem.map(|p| p.code.clone()))
    .bind(problem.map(|p| p.message.clone()))
    .bind(problem.and_then(|p| p.detail.clone()))
    .bind(attempt)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records an action that is over as soon as it starts (an edit, a deletion).
pub(crate) async fn record(
    conn: &mut SqliteConnection,
    target: TargetId,
    at: DateTime<Utc>,
    outcome: AttemptOutcome,
    problem: Option<&Problem>,
    http_status: Option<u16>,
) -> Result<()> {
    let id = start_attempt(&mut *conn, target, at).await?;
    finish_attempt(conn, id, at, outcome, http_status, problem).await
}

/// Attempts an exit left open end as interrupted.
pub(crate) async fn close_interrupted_attempts(
    conn: &mut SqliteConnection,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE attempts SET finished_at = ?, outcome = 'interrupted' WHERE finished_at IS NULL",
    )
    .bind(to_millis(at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Checks of processing (or published, still completing) targets that an
/// exit cut off: their leases belonged to the last process, so they are due
/// again now instead of when the lease would have run out. Returns how many.
pub(crate) async fn release_interrupted_checks(conn: &mut SqliteConnection) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE post_targets SET lease_until = NULL
         WHERE status IN ('processing', 'published') AND lease_until IS NOT NULL",
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Writes a post's targets (one per picked account) with their options:
/// new ones are created, kept ones updated and started over (new content is
/// a new publish), dropped ones removed. The caller checked none is locked.
pub(crate) async fn write_for_post(
    conn: &mut SqliteConnection,
    post: PostId,
    targets: &[(AccountId, String)],
    status: TargetStatus,
    next_attempt_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    debug_assert!(matches!(
        status,
        TargetStatus::Draft | TargetStatus::Scheduled
    ));
    let keep: Vec<AccountId> = targets.iter().map(|(a, _)| *a).collect();
    sqlx::query(
        "DELETE FROM post_targets WHERE post_id = ?
           AND account_id NOT IN (SELECT value FROM json_each(?))",
    )
    .bind(post)
    .bind(serde_json::to_string(&keep).unwrap_or_else(|_| "[]".into()))
    .execute(&mut *conn)
    .await?;
    for (account, options) in targets {
        sqlx::query(
            "INSERT INTO post_targets (post_id, account_id, options, status, next_attempt_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (post_id, account_id) DO UPDATE SET
                 options = excluded.options, status = excluded.status,
                 next_attempt_at = excluded.next_attempt_at, attempts = 0, lease_until = NULL,
                 last_error_code = NULL, last_error_message = NULL, last_error_detail = NULL,
                 stage = NULL, processing_since = NULL,
                 -- New content is a new publish: progress of an earlier try does not apply.
                 checkpoint = '{}',
                 updated_at = excluded.updated_at",
        )
        .bind(post)
        .bind(account)
        .bind(options)
        .bind(status.as_str())
        .bind(next_attempt_at.map(to_millis))
        .bind(to_millis(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Saves a publish's progress and extends its lease (not a status change).
pub(crate) async fn save_checkpoint(
    conn: &mut SqliteConnection,
    target: TargetId,
    checkpoint: &serde_json::Value,
    lease_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE post_targets SET checkpoint = ?, lease_until = ?, updated_at = ? WHERE id = ?",
    )
    .bind(checkpoint.to_string())
    .bind(to_millis(lease_until))
    .bind(to_millis(now))
    .bind(target)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps a live post's new text and options after the network took them.
pub(crate) async fn set_options(
    conn: &mut SqliteConnection,
    target: TargetId,
    options_json: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("UPDATE post_targets SET options = ?, updated_at = ? WHERE id = ?")
        .bind(options_json)
        .bind(to_millis(now))
        .bind(target)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
