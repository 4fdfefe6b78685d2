//! How published posts did: the networks' own numbers, read a few times
//! after each post goes out and kept as a time series.
//!
//! A target that becomes published starts being tracked (`metric_posts`,
//! with copies of what the Analytics view lists, so a deleted post keeps
//! its numbers). Snapshots follow a schedule counted from publication
//! ([`SCHEDULE`]); the scheduler's timer wakes for the next one and a
//! collection task reads them beside publishing, never in its way: a read
//! that fails touches nothing but its own row. A machine that slept through
//! several steps takes one snapshot when it wakes and goes on with the next
//! step still ahead. Reads respect the networks' answers (a quota or rate
//! limit defers the account's or the network's reads until it resets) and
//! a monthly read allowance (X's), which is counted here and never gone
//! past. Only this module knows the three tables.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use creatorflow_platforms::{
    ErrorKind, LimitScope, Metric, Platform, PlatformError, PostMetrics, RemoteAccount,
};
use serde::{Deserialize, Serialize};
use specta::Type;
use sqlx::{Row, SqliteConnection};

use crate::error::Result;
use crate::model::{AccountId, AccountStatus, PostId, TargetId};
use crate::store::Store;
use crate::time::{from_millis, to_millis};
use crate::{ChangeSource, Engine, Entity};

/// When the snapshots are taken, counted from publication.
pub const SCHEDULE: [Duration; 4] = [
    Duration::hours(1),
    Duration::days(1),
    Duration::days(7),
    Duration::days(30),
];

/// Reads per collection pass; the scheduler starts another when more are due.
const PASS: usize = 25;

/// After this many failed reads in a row a post's numbers stop being read
/// (the reason is shown with them).
const MAX_FAILURES: i64 = 5;

/// One number about a post: the shared key, the network's name for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MetricValue {
    pub key: String,
    pub label: String,
    pub value: i64,
}

impl From<Metric> for MetricValue {
    fn from(m: Metric) -> Self {
        Self {
            key: m.key,
            label: m.label,
            value: i64::try_from(m.value).unwrap_or(i64::MAX),
        }
    }
}

/// One read of a post's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub taken_at: DateTime<Utc>,
    pub metrics: Vec<MetricValue>,
}

/// Where reading a post's numbers stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MetricsState {
    /// More snapshots to come (`next_read_at`).
    Tracking,
    /// All snapshots taken.
    Done,
    /// The network no longer has the post; the numbers read before stay.
    Removed,
    /// The account's sign-in lacks the permission to read them: reconnect.
    NeedsPermission,
    /// Reads kept failing; the reason is in `message`.
    Failing,
    /// CreatorFlow cannot read this network's numbers.
    Unsupported,
}

impl MetricsState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Tracking => "tracking",
            Self::Done => "done",
            Self::Removed => "removed",
            Self::NeedsPermission => "needs_permission",
            Self::Failing => "failing",
            Self::Unsupported => "unsupported",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "done" => Self::Done,
            "removed" => Self::Removed,
            "needs_permission" => Self::NeedsPermission,
            "failing" => Self::Failing,
            "unsupported" => Self::Unsupported,
            _ => Self::Tracking,
        }
    }
}

/// One published post on one network, with its numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PostAnalytics {
    pub id: i64,
    /// `None` once the post was deleted in CreatorFlow.
    pub target_id: Option<TargetId>,
    pub post_id: PostId,
    pub account_id: AccountId,
    pub platform: Platform,
    pub handle: String,
    pub url: Option<String>,
    /// The post's text when it went out (its start).
    pub excerpt: String,
    pub published_at: DateTime<Utc>,
    pub state: MetricsState,
    /// Why the numbers stopped (a permission, an error), in words.
    pub message: Option<String>,
    pub next_read_at: Option<DateTime<Utc>>,
    /// The last snapshot's numbers (empty before the first).
    pub latest: Vec<MetricValue>,
    pub latest_at: Option<DateTime<Utc>>,
    /// Every snapshot, oldest first (for one post's chart; empty in lists).
    pub snapshots: Vec<Snapshot>,
}

/// What the Analytics view shows.
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsQuery {
    /// Posts published from (inclusive) ...
    pub from: DateTime<Utc>,
    /// ... to (exclusive).
    pub to: DateTime<Utc>,
    /// One account, or all.
    pub account_id: Option<AccountId>,
    /// The creator's zone: days of the totals chart are its days.
    pub zone: String,
}

/// A column of the Analytics table: a shared key and a name for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MetricColumn {
    pub key: String,
    pub label: String,
}

/// The sums of one day's posts (by the day they were published).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DayTotals {
    /// `YYYY-MM-DD` in the query's zone.
    pub day: String,
    pub totals: Vec<MetricValue>,
}

/// How much of a network's monthly read allowance is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BudgetUse {
    pub platform: Platform,
    pub label: String,
    pub used: i64,
    pub limit: i64,
    /// The network's default, when the creator has not set their own.
    pub default_limit: i64,
    pub resets_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsReport {
    pub posts: Vec<PostAnalytics>,
    /// The metrics any of the posts has, in a fixed order.
    pub columns: Vec<MetricColumn>,
    /// Sums over all the posts.
    pub totals: Vec<MetricValue>,
    /// Sums per day of publication, every day of the period.
    pub days: Vec<DayTotals>,
    pub budgets: Vec<BudgetUse>,
}

/// The shared keys in the order the Analytics view shows them, with a name
/// for a column that mixes networks.
const COLUMNS: [(&str, &str); 8] = [
    ("impressions", "Impressions"),
    ("views", "Views"),
    ("reach", "Reach"),
    ("likes", "Likes"),
    ("comments", "Comments"),
    ("shares", "Shares"),
    ("quotes", "Quotes"),
    ("saves", "Saves"),
];

// ---- tracking ----------------------------------------------------------

/// Starts tracking `targets`, which just became published (in the caller's
/// transaction). A target without the network's id cannot be read.
pub(crate) async fn track_in(conn: &mut SqliteConnection, targets: &[TargetId]) -> Result<()> {
    let first = SCHEDULE[0].num_milliseconds();
    for &target in targets {
        sqlx::query(
            "INSERT INTO metric_posts (target_id, post_id, account_id, platform, handle, remote_id,
                                       url, excerpt, published_at, next_read_at)
             SELECT t.id, t.post_id, t.account_id, a.platform, a.username, t.remote_id, t.remote_url,
                    substr(COALESCE(json_extract(t.options, '$.text'), t.text_override, p.text), 1, 280),
                    t.published_at, t.published_at + ?2
             FROM post_targets t JOIN posts p ON p.id = t.post_id JOIN accounts a ON a.id = t.account_id
             WHERE t.id = ?1 AND t.remote_id IS NOT NULL AND t.published_at IS NOT NULL
             ON CONFLICT (target_id) DO NOTHING",
        )
        .bind(target)
        .bind(first)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The network's id and link of tracked `targets` changed (a follow-up told
/// the public one); deleted at the network: no more reads.
pub(crate) async fn refresh_in(
    conn: &mut SqliteConnection,
    targets: &[TargetId],
    deleted: bool,
) -> Result<()> {
    for &target in targets {
        if deleted {
            sqlx::query(
                "UPDATE metric_posts SET state = 'removed', next_read_at = NULL WHERE target_id = ?",
            )
            .bind(target)
            .execute(&mut *conn)
            .await?;
        } else {
            sqlx::query(
                "UPDATE metric_posts SET remote_id = t.remote_id, url = t.remote_url
                 FROM post_targets t WHERE t.id = ?1 AND metric_posts.target_id = ?1
                   AND t.remote_id IS NOT NULL",
            )
            .bind(target)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// An account connected again, maybe with the permissions to read: its
/// posts' numbers that stopped for a permission or errors are read again.
pub(crate) async fn resume_account(
    store: &Store,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE metric_posts SET state = 'tracking', failures = 0, last_error = NULL, next_read_at = ?2
         WHERE account_id = ?1 AND state IN ('needs_permission', 'failing')",
    )
    .bind(account)
    .bind(to_millis(now))
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The next step of the schedule after `now` for a post published at
/// `published`: its index and time, or `None` when none is left.
fn next_step(published: DateTime<Utc>, now: DateTime<Utc>) -> Option<(usize, DateTime<Utc>)> {
    SCHEDULE
        .iter()
        .enumerate()
        .map(|(i, d)| (i, published + *d))
        .find(|(_, at)| *at > now)
}

/// The first day of the month after `now`'s (UTC).
fn next_month(now: DateTime<Utc>) -> DateTime<Utc> {
    let (y, m) = if now.month() == 12 {
        (now.year() + 1, 1)
    } else {
        (now.year(), now.month() + 1)
    };
    Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0)
        .single()
        .unwrap_or(now + Duration::days(31))
}

fn month_key(now: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", now.year(), now.month())
}

// ---- collection --------------------------------------------------------

/// When the next read is due (of a connected account's post).
pub(crate) async fn next_due(store: &Store) -> Result<Option<DateTime<Utc>>> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(m.next_read_at) FROM metric_posts m JOIN accounts a ON a.id = m.account_id
         WHERE m.next_read_at IS NOT NULL AND a.status = 'connected'",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(at.map(from_millis))
}

struct Due {
    id: i64,
    account: AccountId,
    platform: Platform,
    remote_id: String,
    published_at: DateTime<Utc>,
    failures: i64,
}

/// What one pass did, for tests and logs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    pub read: usize,
    pub deferred: usize,
    pub failed: usize,
}

/// Reads the numbers that are due (at most a pass's worth).
pub async fn collect_due(engine: &Engine) -> Result<Collected> {
    let now = engine.now();
    let rows = sqlx::query(
        "SELECT m.id, m.account_id, m.platform, COALESCE(t.remote_id, m.remote_id) AS remote_id,
                m.published_at, m.failures
         FROM metric_posts m JOIN accounts a ON a.id = m.account_id
         LEFT JOIN post_targets t ON t.id = m.target_id
         WHERE m.next_read_at IS NOT NULL AND m.next_read_at <= ?1 AND a.status = 'connected'
         ORDER BY m.next_read_at, m.id LIMIT ?2",
    )
    .bind(to_millis(now))
    .bind(PASS as i64)
    .fetch_all(engine.store().pool())
    .await?;
    let due: Vec<Due> = rows
        .iter()
        .filter_map(|r| {
            Some(Due {
                id: r.get("id"),
                account: r.get("account_id"),
                platform: Platform::parse(r.get("platform"))?,
                remote_id: r.get("remote_id"),
                published_at: from_millis(r.get("published_at")),
                failures: r.get("failures"),
            })
        })
        .collect();
    let mut out = Collected::default();
    // Networks and accounts whose reads wait (a limit reached in this pass).
    let mut held_platforms: HashSet<Platform> = HashSet::new();
    let mut held_accounts: HashSet<AccountId> = HashSet::new();
    let mut touched = false;
    for row in due {
        if held_platforms.contains(&row.platform) || held_accounts.contains(&row.account) {
            continue;
        }
        let now = engine.now();
        match read_one(engine, &row, now).await {
            Ok(Read::Taken) => {
                out.read += 1;
                touched = true;
            }
            Ok(Read::HoldPlatform) => {
                held_platforms.insert(row.platform);
                out.deferred += 1;
            }
            Ok(Read::HoldAccount) => {
                held_accounts.insert(row.account);
                out.deferred += 1;
            }
            Ok(Read::Stopped) => {
                out.failed += 1;
                touched = true;
            }
            Err(e) => {
                // Our own trouble (the database): try again a little later.
                tracing::warn!(metric_post = row.id, "could not read a post's numbers: {e}");
                out.failed += 1;
                let _ = defer_row(engine.store(), row.id, now + Duration::minutes(15)).await;
            }
        }
    }
    if touched {
        engine
            .changes()
            .emit(Entity::Metrics, vec![], ChangeSource::Scheduler);
    }
    Ok(out)
}

enum Read {
    /// A snapshot was taken (or the post is gone at the network).
    Taken,
    /// The network's reads wait (its app's quota or allowance).
    HoldPlatform,
    /// The account's reads wait (its rate limit).
    HoldAccount,
    /// Reading this post stopped or failed; the reason is kept.
    Stopped,
}

async fn read_one(engine: &Engine, row: &Due, now: DateTime<Utc>) -> Result<Read> {
    let store = engine.store();
    let Some(publisher) = engine.platforms().get(row.platform) else {
        stop(store, row.id, MetricsState::Unsupported, None).await?;
        return Ok(Read::Stopped);
    };
    let support = publisher.metrics_support();
    if !support.available {
        stop(
            store,
            row.id,
            MetricsState::Unsupported,
            Some(&format!(
                "CreatorFlow cannot read {}'s numbers yet.",
                row.platform.display_name()
            )),
        )
        .await?;
        return Ok(Read::Stopped);
    }
    let account = crate::accounts::get(store, row.account).await?;
    if account.status != AccountStatus::Connected {
        return Ok(Read::HoldAccount);
    }
    let missing = publisher.metrics_scopes_missing(&account.scopes);
    if !missing.is_empty() {
        stop(
            store,
            row.id,
            MetricsState::NeedsPermission,
            Some(&reconnect_words(row.platform, &account.username, &missing)),
        )
        .await?;
        return Ok(Read::Stopped);
    }
    if let Some(budget) = &support.budget {
        let limit = budget_limit(engine, row.platform, budget.default_per_month).await?;
        if reads_used(store, row.platform, now).await? >= limit {
            defer_platform(store, row.platform, next_month(now)).await?;
            return Ok(Read::HoldPlatform);
        }
    }
    let tokens = crate::tokens::AccountTokens::new(engine, account.id);
    let remote = RemoteAccount {
        id: account.platform_user_id.clone(),
        username: account.username.clone(),
        scopes: account.scopes.clone(),
    };
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        publisher.metrics(&tokens, &remote, &row.remote_id),
    )
    .await
    .unwrap_or_else(|_| {
        Err(PlatformError::new(
            ErrorKind::Timeout,
            "timeout",
            format!("{} did not answer in time.", row.platform.display_name()),
        ))
    });
    if support.budget.is_some() && answer.is_ok() {
        count_read(store, row.platform, now).await?;
    }
    match answer {
        Ok(PostMetrics::Live(metrics)) => {
            record(store, row, now, metrics).await?;
            Ok(Read::Taken)
        }
        Ok(PostMetrics::Removed) => {
            stop(
                store,
                row.id,
                MetricsState::Removed,
                Some(&format!(
                    "{} no longer has this post; these are the numbers read before.",
                    row.platform.display_name()
                )),
            )
            .await?;
            Ok(Read::Taken)
        }
        Err(e) => failed(engine, row, now, &support, e).await,
    }
}

fn reconnect_words(platform: Platform, username: &str, missing: &[String]) -> String {
    format!(
        "Reconnect {} on {} to see analytics: its sign-in does not allow reading how posts are doing ({}). It keeps publishing meanwhile.",
        platform.handle(username),
        platform.display_name(),
        missing.join(", ")
    )
}

async fn failed(
    engine: &Engine,
    row: &Due,
    now: DateTime<Utc>,
    support: &creatorflow_platforms::MetricsSupport,
    e: PlatformError,
) -> Result<Read> {
    let store = engine.store();
    tracing::info!(
        metric_post = row.id,
        platform = row.platform.as_str(),
        code = %e.code,
        "reading a post's numbers failed: {e}"
    );
    match e.kind {
        ErrorKind::RateLimited => {
            let at = e
                .retry_at
                .filter(|at| *at > now)
                .unwrap_or(now + Duration::minutes(15));
            if e.limit_scope == LimitScope::App {
                if support.budget.is_some() && at >= next_month(now) - Duration::minutes(1) {
                    // The network says the month's allowance is used up,
                    // whatever we counted.
                    use_up_month(engine, row.platform, now).await?;
                }
                defer_platform(store, row.platform, at).await?;
                Ok(Read::HoldPlatform)
            } else {
                defer_account(store, row.account, at).await?;
                Ok(Read::HoldAccount)
            }
        }
        ErrorKind::Forbidden => {
            stop(
                store,
                row.id,
                MetricsState::NeedsPermission,
                Some(&e.message),
            )
            .await?;
            Ok(Read::Stopped)
        }
        _ => {
            let failures = row.failures + 1;
            if failures >= MAX_FAILURES {
                sqlx::query(
                    "UPDATE metric_posts SET failures = ?2, state = 'failing', next_read_at = NULL,
                            last_error = ?3 WHERE id = ?1",
                )
                .bind(row.id)
                .bind(failures)
                .bind(&e.message)
                .execute(store.pool())
                .await?;
            } else {
                let wait = Duration::minutes(30 << failures.min(5));
                sqlx::query(
                    "UPDATE metric_posts SET failures = ?2, next_read_at = ?3, last_error = ?4
                     WHERE id = ?1",
                )
                .bind(row.id)
                .bind(failures)
                .bind(to_millis(now + wait))
                .bind(&e.message)
                .execute(store.pool())
                .await?;
            }
            Ok(Read::Stopped)
        }
    }
}

/// Keeps a snapshot and moves the post to its next step.
async fn record(store: &Store, row: &Due, now: DateTime<Utc>, metrics: Vec<Metric>) -> Result<()> {
    let values: Vec<MetricValue> = metrics.into_iter().map(MetricValue::from).collect();
    let json =
        serde_json::to_string(&values).map_err(|e| crate::EngineError::Internal(e.to_string()))?;
    let next = next_step(row.published_at, now);
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO metric_snapshots (metric_post_id, taken_at, metrics) VALUES (?, ?, ?)",
    )
    .bind(row.id)
    .bind(to_millis(now))
    .bind(&json)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE metric_posts SET latest = ?2, latest_at = ?3, failures = 0, last_error = NULL,
                step = ?4, next_read_at = ?5, state = ?6
         WHERE id = ?1",
    )
    .bind(row.id)
    .bind(&json)
    .bind(to_millis(now))
    .bind(next.map_or(SCHEDULE.len() as i64, |(i, _)| i as i64))
    .bind(next.map(|(_, at)| to_millis(at)))
    .bind(match next {
        Some(_) => MetricsState::Tracking.as_str(),
        None => MetricsState::Done.as_str(),
    })
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn stop(store: &Store, id: i64, state: MetricsState, why: Option<&str>) -> Result<()> {
    sqlx::query(
        "UPDATE metric_posts SET state = ?2, next_read_at = NULL, last_error = ?3 WHERE id = ?1",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(why)
    .execute(store.pool())
    .await?;
    Ok(())
}

async fn defer_row(store: &Store, id: i64, at: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE metric_posts SET next_read_at = ?2 WHERE id = ?1")
        .bind(id)
        .bind(to_millis(at))
        .execute(store.pool())
        .await?;
    Ok(())
}

async fn defer_platform(store: &Store, platform: Platform, at: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE metric_posts SET next_read_at = ?2
         WHERE platform = ?1 AND next_read_at IS NOT NULL AND next_read_at < ?2",
    )
    .bind(platform.as_str())
    .bind(to_millis(at))
    .execute(store.pool())
    .await?;
    Ok(())
}

async fn defer_account(store: &Store, account: AccountId, at: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE metric_posts SET next_read_at = ?2
         WHERE account_id = ?1 AND next_read_at IS NOT NULL AND next_read_at < ?2",
    )
    .bind(account)
    .bind(to_millis(at))
    .execute(store.pool())
    .await?;
    Ok(())
}

// ---- the monthly allowance ----------------------------------------------

async fn budget_limit(engine: &Engine, platform: Platform, default: u32) -> Result<i64> {
    let settings = engine.settings().await?;
    Ok(i64::from(
        settings
            .read_budgets
            .get(&platform)
            .copied()
            .unwrap_or(default),
    ))
}

async fn reads_used(store: &Store, platform: Platform, now: DateTime<Utc>) -> Result<i64> {
    let used: Option<i64> =
        sqlx::query_scalar("SELECT used FROM metric_reads WHERE platform = ? AND month = ?")
            .bind(platform.as_str())
            .bind(month_key(now))
            .fetch_optional(store.pool())
            .await?;
    Ok(used.unwrap_or(0))
}

async fn count_read(store: &Store, platform: Platform, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO metric_reads (platform, month, used) VALUES (?1, ?2, 1)
         ON CONFLICT (platform, month) DO UPDATE SET used = used + 1",
    )
    .bind(platform.as_str())
    .bind(month_key(now))
    .execute(store.pool())
    .await?;
    Ok(())
}

async fn use_up_month(engine: &Engine, platform: Platform, now: DateTime<Utc>) -> Result<()> {
    let default = engine
        .platforms()
        .get(platform)
        .and_then(|p| p.metrics_support().budget)
        .map_or(0, |b| b.default_per_month);
    let limit = budget_limit(engine, platform, default).await?;
    sqlx::query(
        "INSERT INTO metric_reads (platform, month, used) VALUES (?1, ?2, ?3)
         ON CONFLICT (platform, month) DO UPDATE SET used = MAX(used, ?3)",
    )
    .bind(platform.as_str())
    .bind(month_key(now))
    .bind(limit)
    .execute(engine.store().pool())
    .await?;
    Ok(())
}

/// The monthly read allowances of the networks that have one.
pub async fn budgets(engine: &Engine) -> Result<Vec<BudgetUse>> {
    let now = engine.now();
    let mut out = Vec::new();
    for platform in Platform::ALL {
        let Some(budget) = engine
            .platforms()
            .get(platform)
            .and_then(|p| p.metrics_support().budget)
        else {
            continue;
        };
        out.push(BudgetUse {
            platform,
            label: budget.label.clone(),
            used: reads_used(engine.store(), platform, now).await?,
            limit: budget_limit(engine, platform, budget.default_per_month).await?,
            default_limit: i64::from(budget.default_per_month),
            resets_at: next_month(now),
        });
    }
    Ok(out)
}

// ---- what the views show ------------------------------------------------

const SELECT: &str = "SELECT id, target_id, post_id, account_id, platform, handle, url, excerpt,
        published_at, state, last_error, next_read_at, latest, latest_at FROM metric_posts";

fn from_row(r: &sqlx::sqlite::SqliteRow) -> Option<PostAnalytics> {
    let latest: Option<String> = r.get("latest");
    Some(PostAnalytics {
        id: r.get("id"),
        target_id: r.get("target_id"),
        post_id: r.get("post_id"),
        account_id: r.get("account_id"),
        platform: Platform::parse(r.get("platform"))?,
        handle: r.get("handle"),
        url: r.get("url"),
        excerpt: r.get("excerpt"),
        published_at: from_millis(r.get("published_at")),
        state: MetricsState::parse(r.get("state")),
        message: r.get("last_error"),
        next_read_at: r.get::<Option<i64>, _>("next_read_at").map(from_millis),
        latest: latest
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        latest_at: r.get::<Option<i64>, _>("latest_at").map(from_millis),
        snapshots: Vec::new(),
    })
}

/// One post's numbers on each network it went out on, with every snapshot.
pub async fn for_post(store: &Store, post: PostId) -> Result<Vec<PostAnalytics>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE post_id = ? ORDER BY id"))
        .bind(post)
        .fetch_all(store.pool())
        .await?;
    let mut out: Vec<PostAnalytics> = rows.iter().filter_map(from_row).collect();
    for item in &mut out {
        let snaps = sqlx::query(
            "SELECT taken_at, metrics FROM metric_snapshots WHERE metric_post_id = ? ORDER BY taken_at, id",
        )
        .bind(item.id)
        .fetch_all(store.pool())
        .await?;
        item.snapshots = snaps
            .iter()
            .filter_map(|s| {
                Some(Snapshot {
                    taken_at: from_millis(s.get("taken_at")),
                    metrics: serde_json::from_str(s.get("metrics")).ok()?,
                })
            })
            .collect();
    }
    Ok(out)
}

/// The posts published in a period, their numbers, sums and sums per day.
pub async fn report(engine: &Engine, query: &AnalyticsQuery) -> Result<AnalyticsReport> {
    let zone: Tz = crate::time::parse_zone(&query.zone)?;
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE published_at >= ?1 AND published_at < ?2 AND (?3 IS NULL OR account_id = ?3)
         ORDER BY published_at DESC, id DESC"
    ))
    .bind(to_millis(query.from))
    .bind(to_millis(query.to))
    .bind(query.account_id)
    .fetch_all(engine.store().pool())
    .await?;
    let posts: Vec<PostAnalytics> = rows.iter().filter_map(from_row).collect();
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    let mut by_day: BTreeMap<NaiveDate, BTreeMap<&str, i64>> = BTreeMap::new();
    for post in &posts {
        let day = post.published_at.with_timezone(&zone).date_naive();
        let sums = by_day.entry(day).or_default();
        for m in &post.latest {
            if let Some((key, _)) = COLUMNS.iter().find(|(k, _)| *k == m.key) {
                *totals.entry(key).or_default() += m.value;
                *sums.entry(key).or_default() += m.value;
            }
        }
    }
    let columns: Vec<MetricColumn> = COLUMNS
        .iter()
        .filter(|(k, _)| totals.contains_key(k))
        .map(|(k, l)| MetricColumn {
            key: (*k).to_owned(),
            label: (*l).to_owned(),
        })
        .collect();
    let values = |sums: Option<&BTreeMap<&str, i64>>| -> Vec<MetricValue> {
        columns
            .iter()
            .map(|c| MetricValue {
                key: c.key.clone(),
                label: c.label.clone(),
                value: sums
                    .and_then(|s| s.get(c.key.as_str()))
                    .copied()
                    .unwrap_or(0),
            })
            .collect()
    };
    let mut days = Vec::new();
    let first = query.from.with_timezone(&zone).date_naive();
    let last = (query.to - Duration::milliseconds(1))
        .with_timezone(&zone)
        .date_naive();
    let mut day = first;
    while day <= last && days.len() <= 400 {
        days.push(DayTotals {
            day: day.format("%Y-%m-%d").to_string(),
            totals: values(by_day.get(&day)),
        });
        day = day.succ_opt().unwrap_or(last + Duration::days(1));
    }
    Ok(AnalyticsReport {
        totals: values(Some(&totals)),
        posts,
        columns,
        days,
        budgets: budgets(engine).await?,
    })
}

/// The report's posts as CSV (RFC 4180), times in the query's zone.
pub fn to_csv(report: &AnalyticsReport, zone: &str) -> Result<String> {
    let zone: Tz = crate::time::parse_zone(zone)?;
    let mut out = String::from("published,network,account,text,link,status");
    for c in &report.columns {
        out.push(',');
        out.push_str(&csv_field(&c.label));
    }
    out.push_str("\r\n");
    for p in &report.posts {
        let fields = [
            p.published_at
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            p.platform.display_name().to_owned(),
            p.platform.handle(&p.handle),
            p.excerpt.clone(),
            p.url.clone().unwrap_or_default(),
            p.state.as_str().to_owned(),
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        for c in &report.columns {
            out.push(',');
            // Absent is empty, not zero.
            if let Some(m) = p.latest.iter().find(|m| m.key == c.key) {
                out.push_str(&m.value.to_string());
            }
        }
        out.push_str("\r\n");
    }
    Ok(out)
}

fn csv_field(s: &str) -> String {
    // A leading =, +, - or @ would be a formula in a spreadsheet.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn steps_follow_the_schedule_and_skip_what_was_slept_through() {
        let published = at("2026-03-01T10:00:00Z");
        assert_eq!(
            next_step(published, published),
            Some((0, at("2026-03-01T11:00:00Z")))
        );
        assert_eq!(
            next_step(published, at("2026-03-01T11:00:00Z")),
            Some((1, at("2026-03-02T10:00:00Z")))
        );
        // Asleep for three days: the next is the 7-day one.
        assert_eq!(
            next_step(published, at("2026-03-04T09:00:00Z")),
            Some((2, at("2026-03-08T10:00:00Z")))
        );
        assert_eq!(next_step(published, at("2026-03-31T10:00:00Z")), None);
    }

    #[test]
    fn months_roll_over_in_december() {
        assert_eq!(
            next_month(at("2026-12-31T23:59:00Z")),
            at("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            next_month(at("2026-02-10T00:00:00Z")),
            at("2026-03-01T00:00:00Z")
        );
        assert_eq!(month_key(at("2026-02-10T00:00:00Z")), "2026-02");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
