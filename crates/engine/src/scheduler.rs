//! The background publisher. One task per app: it sleeps until the next due
//! target (one indexed query), wakes early when posts or accounts change, and
//! never sleeps longer than a minute so that a machine that slept through a
//! due time publishes promptly after it wakes. Targets are claimed with an
//! atomic UPDATE and a lease; concurrency is bounded globally and serial per
//! account.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use tokio::sync::{Notify, Semaphore, watch};

use crate::error::Result;
use crate::model::{AccountId, PostId, TargetId};
use crate::notices::{Notice, NoticeKind};
use crate::store::Store;
use crate::time::{from_millis, to_millis};
use crate::{ChangeSource, Engine, Entity};

#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Publishes running at once, across accounts.
    pub concurrency: usize,
    /// A claimed target is someone's for this long; after a crash it becomes
    /// eligible again (through reconciliation).
    pub lease: Duration,
    /// Failed tries before a transient error becomes final.
    pub max_attempts: u32,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest the loop sleeps before re-reading the wall clock.
    pub max_sleep: StdDuration,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            lease: Duration::minutes(10),
            max_attempts: 8,
            base_backoff: Duration::seconds(30),
            max_backoff: Duration::minutes(30),
            max_sleep: StdDuration::from_secs(60),
        }
    }
}

/// Counters for benchmarks and diagnostics.
#[derive(Debug, Default)]
pub struct SchedulerStats {
    pub wakeups: AtomicU64,
    pub claims: AtomicU64,
}

/// The running scheduler. Dropping it does not stop the task; call `stop`.
pub struct SchedulerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    pub stats: Arc<SchedulerStats>,
}

impl SchedulerHandle {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

pub(crate) struct Wake(pub Notify);

impl Engine {
    /// Asks the scheduler to look at the queue now (posts or accounts changed).
    pub fn wake_scheduler(&self) {
        self.wake().0.notify_one();
    }

    /// Recovers from the last run (interrupted publishes, posts missed while
    /// the app was closed) and starts the publishing loop.
    pub async fn start_scheduler(&self, config: SchedulerConfig) -> Result<SchedulerHandle> {
        let now = self.now();
        recover_interrupted(self.store(), now).await?;
        self.mark_missed(now).await?;
        let (stop, stop_rx) = watch::channel(false);
        let stats = Arc::new(SchedulerStats::default());
        let engine = self.clone();
        let task = tokio::spawn(run(engine, config, stop_rx, stats.clone()));
        Ok(SchedulerHandle { stop, task, stats })
    }

    /// Targets that were due more than the catch-up window ago and never
    /// tried become `missed`, and the user is told.
    async fn mark_missed(&self, now: DateTime<Utc>) -> Result<()> {
        let window = Duration::minutes(self.settings().await?.catch_up_window_minutes as i64);
        let cutoff = to_millis(now - window);
        let rows = sqlx::query(
            "UPDATE post_targets SET status = 'missed', next_attempt_at = NULL, lease_until = NULL,
                 last_error_code = 'missed',
                 last_error_message = 'CreatorFlow was not running when this was due, and it is now too late to publish it automatically.',
                 last_error_detail = NULL, updated_at = ?
             WHERE status = 'scheduled' AND attempts = 0 AND next_attempt_at < ?
             RETURNING post_id",
        )
        .bind(to_millis(now))
        .bind(cutoff)
        .fetch_all(self.store().pool())
        .await?;
        let posts: HashSet<PostId> = rows.iter().map(|r| r.get::<i64, _>("post_id")).collect();
        if posts.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<PostId> = posts.into_iter().collect();
        ids.sort_unstable();
        let n = ids.len();
        self.notices().send(Notice {
            kind: NoticeKind::Missed,
            title: if n == 1 {
                "A post was missed".to_owned()
            } else {
                format!("{n} posts were missed")
            },
            body: format!(
                "{} due while CreatorFlow was not running, more than {} ago. Open it to publish now or pick a new time.",
                if n == 1 { "It was" } else { "They were" },
                describe_minutes(window.num_minutes())
            ),
            post_id: ids.first().copied(),
            account_id: None,
        });
        self.changes()
            .emit(Entity::Posts, ids, ChangeSource::Scheduler);
        Ok(())
    }
}

fn describe_minutes(m: i64) -> String {
    match m {
        m if m % (24 * 60) == 0 && m >= 24 * 60 => format!("{} day(s)", m / (24 * 60)),
        m if m % 60 == 0 && m >= 60 => format!("{} hour(s)", m / 60),
        m => format!("{m} minute(s)"),
    }
}

async fn run(
    engine: Engine,
    config: SchedulerConfig,
    mut stop: watch::Receiver<bool>,
    stats: Arc<SchedulerStats>,
) {
    let slots = Arc::new(Semaphore::new(config.concurrency));
    let busy: Arc<std::sync::Mutex<HashSet<AccountId>>> = Arc::default();
    loop {
        if *stop.borrow() {
            break;
        }
        stats.wakeups.fetch_add(1, Ordering::Relaxed);
        let now = engine.now();
        let paused = engine
            .settings()
            .await
            .map(|s| s.publishing_paused)
            .unwrap_or(false);
        if !paused {
            if let Err(e) = engine.mark_missed(now).await {
                tracing::error!("scheduler could not check for missed posts: {e}");
            }
            if let Err(e) = hold_unconnected(&engine, now).await {
                tracing::error!("scheduler could not hold posts of disconnected accounts: {e}");
            }
            match claim_due(&engine, &config, now, &slots, &busy).await {
                Ok(claimed) => {
                    stats
                        .claims
                        .fetch_add(claimed.len() as u64, Ordering::Relaxed);
                    for (claim, permit) in claimed {
                        let engine = engine.clone();
                        let config = config.clone();
                        let busy = busy.clone();
                        tokio::spawn(async move {
                            let account = claim.account_id;
                            crate::publish::run_target(&engine, &config, claim).await;
                            if let Ok(mut b) = busy.lock() {
                                b.remove(&account);
                            }
                            drop(permit);
                            engine.wake_scheduler();
                        });
                    }
                }
                Err(e) => tracing::error!("scheduler could not claim due posts: {e}"),
            }
        }

        let sleep = if paused {
            config.max_sleep
        } else {
            match next_due(engine.store(), &busy).await {
                Ok(Some(at)) => (at - engine.now())
                    .to_std()
                    .unwrap_or(StdDuration::ZERO)
                    .min(config.max_sleep),
                Ok(None) => config.max_sleep,
                Err(e) => {
                    tracing::error!("scheduler could not read the queue: {e}");
                    config.max_sleep
                }
            }
        };
        // Something is due but every slot is taken: a finishing publish wakes us.
        let sleep = if sleep.is_zero() && slots.available_permits() == 0 {
            config.max_sleep
        } else {
            sleep
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = engine.wake().0.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

/// A target this scheduler owns until its lease runs out.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub target_id: TargetId,
    pub post_id: PostId,
    pub account_id: AccountId,
    pub attempts: i64,
    pub checkpoint: serde_json::Value,
}

async fn claim_due(
    engine: &Engine,
    config: &SchedulerConfig,
    now: DateTime<Utc>,
    slots: &Arc<Semaphore>,
    busy: &Arc<std::sync::Mutex<HashSet<AccountId>>>,
) -> Result<Vec<(Claim, tokio::sync::OwnedSemaphorePermit)>> {
    if slots.available_permits() == 0 {
        return Ok(vec![]);
    }
    let candidates = sqlx::query(
        "SELECT t.id, t.account_id FROM post_targets t JOIN accounts a ON a.id = t.account_id
         WHERE t.status IN ('scheduled', 'retrying') AND t.next_attempt_at <= ?
           AND a.status = 'connected'
         ORDER BY t.next_attempt_at, t.id LIMIT 200",
    )
    .bind(to_millis(now))
    .fetch_all(engine.store().pool())
    .await?;
    let mut claimed = Vec::new();
    for row in candidates {
        let target: i64 = row.get("id");
        let account: i64 = row.get("account_id");
        // Serial per account, bounded overall. The guard is gone before any await.
        let permit = {
            let mut b = busy
                .lock()
                .map_err(|_| crate::EngineError::Internal("busy lock".into()))?;
            if b.contains(&account) {
                continue;
            }
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                break;
            };
            b.insert(account);
            permit
        };
        // Atomic claim: only one claimer can move it out of scheduled/retrying.
        let row = sqlx::query(
            "UPDATE post_targets SET status = 'publishing', lease_until = ?, updated_at = ?
             WHERE id = ? AND status IN ('scheduled', 'retrying')
             RETURNING post_id, account_id, attempts, checkpoint",
        )
        .bind(to_millis(now + config.lease))
        .bind(to_millis(now))
        .bind(target)
        .fetch_optional(engine.store().pool())
        .await;
        match row {
            Ok(Some(row)) => {
                let checkpoint = serde_json::from_str(row.get::<&str, _>("checkpoint"))
                    .unwrap_or(serde_json::Value::Null);
                claimed.push((
                    Claim {
                        target_id: target,
                        post_id: row.get("post_id"),
                        account_id: row.get("account_id"),
                        attempts: row.get("attempts"),
                        checkpoint,
                    },
                    permit,
                ));
            }
            other => {
                if let Ok(mut b) = busy.lock() {
                    b.remove(&account);
                }
                other?;
            }
        }
    }
    if !claimed.is_empty() {
        let ids = claimed.iter().map(|(c, _)| c.post_id).collect();
        engine
            .changes()
            .emit(Entity::Posts, ids, ChangeSource::Scheduler);
    }
    Ok(claimed)
}

/// When the scheduler next has something to do (among accounts not busy).
async fn next_due(
    store: &Store,
    busy: &Arc<std::sync::Mutex<HashSet<AccountId>>>,
) -> Result<Option<DateTime<Utc>>> {
    let busy: Vec<i64> = busy
        .lock()
        .map(|b| b.iter().copied().collect())
        .unwrap_or_default();
    let busy = serde_json::to_string(&busy).unwrap_or_else(|_| "[]".into());
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(t.next_attempt_at) FROM post_targets t JOIN accounts a ON a.id = t.account_id
         WHERE t.status IN ('scheduled', 'retrying') AND a.status = 'connected'
           AND t.account_id NOT IN (SELECT value FROM json_each(?))",
    )
    .bind(busy)
    .fetch_one(store.pool())
    .await?;
    Ok(at.map(from_millis))
}

/// Targets of an account that is not connected wait as `needs_reauth` once
/// they are due, so the user sees why they did not go out.
async fn hold_unconnected(engine: &Engine, now: DateTime<Utc>) -> Result<()> {
    let rows = sqlx::query(
        "UPDATE post_targets SET status = 'needs_reauth', lease_until = NULL,
             last_error_code = 'needs_reauth',
             last_error_message = 'This account needs to be reconnected before the post can go out.',
             updated_at = ?
         WHERE status IN ('scheduled', 'retrying') AND next_attempt_at <= ?
           AND account_id IN (SELECT id FROM accounts WHERE status <> 'connected')
         RETURNING post_id",
    )
    .bind(to_millis(now))
    .bind(to_millis(now))
    .fetch_all(engine.store().pool())
    .await?;
    if !rows.is_empty() {
        let ids = rows.iter().map(|r| r.get::<i64, _>("post_id")).collect();
        engine
            .changes()
            .emit(Entity::Posts, ids, ChangeSource::Scheduler);
    }
    Ok(())
}

/// At launch: a target still `publishing` was interrupted (this app is single
/// instance, so no one else holds it). It goes back to the queue at once; its
/// checkpoint makes the publisher reconcile before trying again.
async fn recover_interrupted(store: &Store, now: DateTime<Utc>) -> Result<()> {
    let done = sqlx::query(
        "UPDATE post_targets SET status = 'retrying', next_attempt_at = ?, lease_until = NULL, updated_at = ?
         WHERE status = 'publishing'",
    )
    .bind(to_millis(now))
    .bind(to_millis(now))
    .execute(store.pool())
    .await?;
    sqlx::query(
        "UPDATE attempts SET finished_at = ?, outcome = 'interrupted'
         WHERE finished_at IS NULL",
    )
    .bind(to_millis(now))
    .execute(store.pool())
    .await?;
    if done.rows_affected() > 0 {
        tracing::warn!(
            count = done.rows_affected(),
            "resuming publishes interrupted by the last exit"
        );
    }
    Ok(())
}

/// After an account is reconnected, its held targets go back to the queue:
/// at once if still within the catch-up window, else they become `missed`.
pub async fn requeue_after_reconnect(
    store: &Store,
    account: AccountId,
    now: DateTime<Utc>,
    window_minutes: u32,
) -> Result<()> {
    let cutoff = to_millis(now - Duration::minutes(window_minutes as i64));
    sqlx::query(
        "UPDATE post_targets SET
             status = CASE WHEN (SELECT scheduled_at FROM posts p WHERE p.id = post_id) >= ? THEN 'retrying' ELSE 'missed' END,
             next_attempt_at = CASE WHEN (SELECT scheduled_at FROM posts p WHERE p.id = post_id) >= ? THEN ? ELSE NULL END,
             last_error_code = CASE WHEN (SELECT scheduled_at FROM posts p WHERE p.id = post_id) >= ? THEN NULL ELSE 'missed' END,
             last_error_message = CASE WHEN (SELECT scheduled_at FROM posts p WHERE p.id = post_id) >= ? THEN NULL
                 ELSE 'The account was reconnected too long after this was due to publish it automatically.' END,
             updated_at = ?
         WHERE account_id = ? AND status = 'needs_reauth'",
    )
    .bind(cutoff)
    .bind(cutoff)
    .bind(to_millis(now))
    .bind(cutoff)
    .bind(cutoff)
    .bind(to_millis(now))
    .bind(account)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A disconnected account's waiting targets are held (not deleted).
pub async fn hold_targets_of(store: &Store, account: AccountId, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE post_targets SET status = 'needs_reauth', lease_until = NULL,
             last_error_code = 'needs_reauth',
             last_error_message = 'This account was disconnected. Reconnect it to publish this post.',
             updated_at = ?
         WHERE account_id = ? AND status IN ('scheduled', 'retrying')",
    )
    .bind(to_millis(now))
    .bind(account)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Exponential backoff with ±20 % jitter: 30 s, 60 s, 120 s ... capped.
pub fn backoff(config: &SchedulerConfig, failures: u32) -> Duration {
    use rand::Rng;
    let exp = failures.saturating_sub(1).min(20);
    let base = config
        .base_backoff
        .num_milliseconds()
        .saturating_mul(1i64 << exp);
    let capped = base.min(config.max_backoff.num_milliseconds()).max(1);
    let jitter = rand::rng().random_range(0.8..1.2);
    Duration::milliseconds((capped as f64 * jitter) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped_with_jitter() {
        let c = SchedulerConfig::default();
        for (failures, expect) in [(1, 30_000i64), (2, 60_000), (3, 120_000), (10, 1_800_000)] {
            for _ in 0..50 {
                let d = backoff(&c, failures).num_milliseconds();
                assert!(
                    d >= expect * 8 / 10 && d <= expect * 12 / 10,
                    "failure {failures}: {d} ms not within 20% of {expect}"
                );
            }
        }
    }
}
