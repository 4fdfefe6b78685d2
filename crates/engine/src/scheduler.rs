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
use crate::model::{AccountId, PostId, TargetId, TargetStatus};
use crate::notices::{Notice, NoticeKind};
use crate::store::Store;
use crate::targets::{Select, To, WAITING};
use crate::time::{from_millis, to_millis};
use crate::{ChangeSource, Engine};

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
    /// Count sends against the limits the networks publish
    /// ([`creatorflow_platforms::Publisher::limits`]). What the networks say
    /// in their answers is respected either way. Off only against emulators
    /// whose limits were lifted.
    pub published_limits: bool,
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
            published_limits: true,
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
    /// Deletes files from the media host once their posts no longer need them.
    sweeper: tokio::task::JoinHandle<()>,
    pub stats: Arc<SchedulerStats>,
}

impl SchedulerHandle {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        let _ = self.sweeper.await;
    }
}

pub(crate) struct Wake(pub Notify);

impl Engine {
    /// Asks the scheduler to look at the queue now (posts or accounts changed).
    pub fn wake_scheduler(&self) {
        self.wake().0.notify_one();
    }

    /// Recovers from the last run (interrupted publishes, posts missed while
    /// the app was closed) and starts the publishing loop, and beside it the
    /// media host's sweeper.
    pub async fn start_scheduler(&self, config: SchedulerConfig) -> Result<SchedulerHandle> {
        let now = self.now();
        recover_interrupted(self, now).await?;
        self.mark_missed(now).await?;
        let (stop, stop_rx) = watch::channel(false);
        let stats = Arc::new(SchedulerStats::default());
        let sweeper = crate::media_host::spawn_sweeper(self.clone(), stop_rx.clone());
        let engine = self.clone();
        let task = tokio::spawn(run(engine, config, stop_rx, stats.clone()));
        Ok(SchedulerHandle {
            stop,
            task,
            sweeper,
            stats,
        })
    }

    /// Targets that were due more than the catch-up window ago and never
    /// tried become `missed`, and the user is told.
    async fn mark_missed(&self, now: DateTime<Utc>) -> Result<()> {
        let window = Duration::minutes(self.settings().await?.catch_up_window_minutes as i64);
        let moved = self
            .move_targets(
                &Select::all().untried().due_before(now - window),
                &[TargetStatus::Scheduled],
                To::Missed(
                    "CreatorFlow was not running when this was due, and it is now too late to publish it automatically.".into(),
                ),
                ChangeSource::Scheduler,
            )
            .await?;
        let posts: HashSet<PostId> = moved.iter().map(|m| m.post).collect();
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
        Ok(())
    }

    /// Reminds the creator before an account's sign-in ends (7 days and 1
    /// day ahead, once each), and marks accounts whose sign-in has ended as
    /// needing reconnection, so their posts wait instead of failing.
    async fn remind_reconnect(&self, now: DateTime<Utc>) -> Result<()> {
        for account in crate::accounts::lapsed(self.store(), now).await? {
            self.mark_needs_reauth(
                account.id,
                &format!(
                    "CreatorFlow's sign-in to {} has ended; {} does not renew it by itself.",
                    account.platform.display_name(),
                    account.platform.display_name()
                ),
            )
            .await?;
        }
        for days in [1i64, 7] {
            for lapsing in crate::accounts::lapsing_within(self.store(), days, now).await? {
                // A network that renews the sign-in by itself (Meta's token
                // swap) renews it now; the creator is reminded only when
                // that did not move the end.
                if let Err(e) = self.renew_if_due(lapsing.account.id).await {
                    tracing::debug!(
                        account = lapsing.account.id,
                        "no renewal before the reminder: {e}"
                    );
                }
                let acc = &crate::accounts::get(self.store(), lapsing.account.id).await?;
                let Some(reauth_by) = acc.reauth_by.filter(|at| *at - now <= Duration::days(days))
                else {
                    continue;
                };
                if acc.status != crate::model::AccountStatus::Connected {
                    continue;
                }
                let left = reauth_by - now;
                let when = if left < Duration::days(1) {
                    format!("within {} hours", left.num_hours().max(1))
                } else {
                    format!(
                        "in {} days",
                        left.num_days() + i64::from(left.num_hours() % 24 > 0)
                    )
                };
                self.notices().send(Notice {
                    kind: NoticeKind::ReconnectSoon,
                    title: format!(
                        "Reconnect {} on {} {when}",
                        acc.platform.handle(&acc.username),
                        acc.platform.display_name()
                    ),
                    body: format!(
                        "{}'s sign-in for CreatorFlow ends {when}. Reconnect the account in Accounts so scheduled posts keep going out.",
                        acc.platform.display_name()
                    ),
                    post_id: None,
                    account_id: Some(acc.id),
                });
                crate::accounts::set_reminded(self.store(), acc.id, days).await?;
                self.changes().emit(
                    crate::Entity::Accounts,
                    vec![acc.id],
                    ChangeSource::Scheduler,
                );
            }
        }
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
    let mut last_prune: Option<std::time::Instant> = None;
    // A collection of posts' numbers is running (one at a time).
    let collecting = Arc::new(std::sync::atomic::AtomicBool::new(false));
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
        if let Err(e) = engine.remind_reconnect(now).await {
            tracing::error!("scheduler could not check accounts' sign-ins: {e}");
        }
        // Two days of sends count against a limit: an hourly clean-up is plenty.
        if last_prune.is_none_or(|at| at.elapsed() >= StdDuration::from_secs(3600)) {
            match crate::limits::prune(engine.store(), now).await {
                Ok(()) => last_prune = Some(std::time::Instant::now()),
                Err(e) => tracing::warn!("scheduler could not forget old limit counts: {e}"),
            }
        }
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

        // Posts' numbers are read beside publishing (paused or not), in a
        // task of their own: a slow or failing read never holds a post.
        let metrics_due = if collecting.load(Ordering::Acquire) {
            Ok(None)
        } else {
            crate::metrics::next_due(engine.store()).await
        };
        let metrics_due = match metrics_due {
            Ok(Some(at)) if at <= engine.now() => {
                collecting.store(true, Ordering::Release);
                let engine = engine.clone();
                let collecting = collecting.clone();
                tokio::spawn(async move {
                    if let Err(e) = crate::metrics::collect_due(&engine).await {
                        tracing::warn!("could not read posts' numbers: {e}");
                    }
                    collecting.store(false, Ordering::Release);
                    engine.wake_scheduler();
                });
                None
            }
            Ok(at) => at,
            Err(e) => {
                tracing::warn!("scheduler could not read when posts' numbers are due: {e}");
                None
            }
        };

        let due = if paused {
            Ok(None)
        } else {
            next_due(engine.store(), &busy, engine.now()).await
        };
        let reminder = crate::accounts::next_reminder(engine.store()).await;
        let sleep = match (due, reminder) {
            (Ok(due), Ok(reminder)) => {
                match due.into_iter().chain(reminder).chain(metrics_due).min() {
                    Some(at) => (at - engine.now())
                        .to_std()
                        .unwrap_or(StdDuration::ZERO)
                        .min(config.max_sleep),
                    None => config.max_sleep,
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!("scheduler could not read the queue: {e}");
                config.max_sleep
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

/// What a claim is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimKind {
    /// Publish (or publish again) a waiting target.
    Publish,
    /// Ask the network about a target it is processing.
    Check,
    /// Ask the network again about a published target (its link to come).
    FollowUp,
}

/// A target this scheduler owns until its lease runs out.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub target_id: TargetId,
    pub account_id: AccountId,
    pub kind: ClaimKind,
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
        "SELECT t.id, t.account_id, t.status FROM post_targets t JOIN accounts a ON a.id = t.account_id
         WHERE t.status IN ('scheduled', 'retrying', 'processing', 'published')
           AND t.next_attempt_at <= ?1
           AND (t.status NOT IN ('processing', 'published') OR t.lease_until IS NULL
                OR t.lease_until < ?1)
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
        let kind = match row.get::<&str, _>("status") {
            "processing" => ClaimKind::Check,
            "published" => ClaimKind::FollowUp,
            _ => ClaimKind::Publish,
        };
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
        // Atomic claim: only one claimer can move it out of its status.
        let lease_until = now + config.lease;
        let (select, from, to): (Select, &[TargetStatus], To) = match kind {
            // Still due: a wait for room may have moved it since it was read.
            ClaimKind::Publish => (
                Select::target(target).due_by(now),
                &WAITING,
                To::Publishing { lease_until },
            ),
            ClaimKind::Check => (
                Select::target(target).lease_free_at(now),
                &[TargetStatus::Processing],
                To::Checking { lease_until },
            ),
            ClaimKind::FollowUp => (
                Select::target(target).lease_free_at(now).due_by(now),
                &[TargetStatus::Published],
                To::Checking { lease_until },
            ),
        };
        let moved = engine
            .move_targets(&select, from, to, ChangeSource::Scheduler)
            .await
            .map(|m| m.first().copied());
        match moved {
            Ok(Some(_)) => claimed.push((
                Claim {
                    target_id: target,
                    account_id: account,
                    kind,
                },
                permit,
            )),
            other => {
                if let Ok(mut b) = busy.lock() {
                    b.remove(&account);
                }
                other?;
            }
        }
    }
    Ok(claimed)
}

/// When the scheduler next has something to do (among accounts not busy).
async fn next_due(
    store: &Store,
    busy: &Arc<std::sync::Mutex<HashSet<AccountId>>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let busy: Vec<i64> = busy
        .lock()
        .map(|b| b.iter().copied().collect())
        .unwrap_or_default();
    let busy = serde_json::to_string(&busy).unwrap_or_else(|_| "[]".into());
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(CASE WHEN t.status IN ('processing', 'published') AND t.lease_until >= ?2
                         THEN MAX(t.next_attempt_at, t.lease_until) ELSE t.next_attempt_at END)
         FROM post_targets t JOIN accounts a ON a.id = t.account_id
         WHERE t.status IN ('scheduled', 'retrying', 'processing', 'published')
           AND a.status = 'connected'
           AND t.account_id NOT IN (SELECT value FROM json_each(?1))",
    )
    .bind(busy)
    .bind(to_millis(now))
    .fetch_one(store.pool())
    .await?;
    Ok(at.map(from_millis))
}

/// Targets of an account that is not connected wait as `needs_reauth` once
/// they are due, so the user sees why they did not go out.
async fn hold_unconnected(engine: &Engine, now: DateTime<Utc>) -> Result<()> {
    engine
        .move_targets(
            &Select::all().due_by(now).account_unconnected(),
            &[
                TargetStatus::Scheduled,
                TargetStatus::Retrying,
                TargetStatus::Processing,
            ],
            To::NeedsReauth(
                "This account needs to be reconnected before the post can go out.".into(),
            ),
            ChangeSource::Scheduler,
        )
        .await?;
    Ok(())
}

/// At launch: a target still `publishing` was interrupted (this app is single
/// instance, so no one else holds it). It goes back to the queue at once; its
/// checkpoint makes the publisher reconcile before trying again. A check of
/// a processing target that was cut off is due again at once (its lease was
/// the last process's).
async fn recover_interrupted(engine: &Engine, now: DateTime<Utc>) -> Result<()> {
    let moved = engine
        .move_targets(
            &Select::all(),
            &[TargetStatus::Publishing],
            To::Resumed { at: now },
            ChangeSource::Scheduler,
        )
        .await?;
    let mut conn = engine.store().pool().acquire().await?;
    crate::targets::close_interrupted_attempts(&mut conn, now).await?;
    let checks = crate::targets::release_interrupted_checks(&mut conn).await?;
    if checks > 0 {
        tracing::warn!(
            count = checks,
            "checking again at once what the last exit cut off"
        );
    }
    if !moved.is_empty() {
        tracing::warn!(
            count = moved.len(),
            "resuming publishes interrupted by the last exit"
        );
    }
    Ok(())
}

/// After an account is reconnected, its held targets go back to the queue:
/// at once if still within the catch-up window, else they become `missed`.
/// A target the network was processing goes back to checking it.
pub async fn requeue_after_reconnect(
    engine: &Engine,
    account: AccountId,
    now: DateTime<Utc>,
    window_minutes: u32,
) -> Result<()> {
    let cutoff = now - Duration::minutes(window_minutes as i64);
    let held = [TargetStatus::NeedsReauth];
    engine
        .move_targets(
            &Select::account(account).post_time_since(cutoff),
            &held,
            To::Requeued {
                at: now,
                fresh: false,
            },
            ChangeSource::Accounts,
        )
        .await?;
    engine
        .move_targets(
            &Select::account(account).post_time_before(cutoff),
            &held,
            To::Missed(
                "The account was reconnected too long after this was due to publish it automatically."
                    .into(),
            ),
            ChangeSource::Accounts,
        )
        .await?;
    Ok(())
}

/// A disconnected account's waiting targets are held (not deleted).
pub async fn hold_targets_of(engine: &Engine, account: AccountId) -> Result<()> {
    engine
        .move_targets(
            &Select::account(account),
            &[
                TargetStatus::Scheduled,
                TargetStatus::Retrying,
                TargetStatus::Processing,
            ],
            To::NeedsReauth(
                "This account was disconnected. Reconnect it to publish this post.".into(),
            ),
            ChangeSource::User,
        )
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
