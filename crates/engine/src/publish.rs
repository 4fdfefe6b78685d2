//! Publishing one claimed target: load it once, get a token source, reconcile
//! an interrupted attempt, publish with checkpoints (or check back on a post
//! the network is still processing), classify the outcome, record it.
//! Also: deleting and changing a live post at its network.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use creatorflow_platforms::{
    ErrorKind, MediaFile, PlatformError, Processing, PublishRequest, PublishSink, Published,
    Publisher, Reconciled, RemoteAccount,
};
use sqlx::Row;

use crate::error::{EngineError, ErrorCode, Result};
use crate::model::{
    Account, AccountId, AccountStatus, PostId, TargetId, TargetOptions, TargetStatus,
};
use crate::notices::{Notice, NoticeKind};
use crate::scheduler::{Claim, ClaimKind, SchedulerConfig, backoff};
use crate::targets::{self, AttemptOutcome, Problem, To};
use crate::time::from_millis;
use crate::tokens::AccountTokens;
use crate::{ChangeSource, Engine, accounts, posts};

/// How one attempt (or check) ended.
#[derive(Debug)]
enum Outcome {
    Published(Published),
    Processing(Processing),
    /// Try again at `at`; `counts` = whether it used up one of the attempts.
    Retry {
        at: DateTime<Utc>,
        counts: bool,
        error: PlatformError,
    },
    Failed(PlatformError),
    NeedsReauth(String),
    Unconfirmed,
    /// Sending now would go past one of the network's limits: wait for room
    /// (no attempt made, none counted).
    WaitForRoom(crate::limits::Wait),
}

/// An entry of a target's history: how it ended, the HTTP status, why.
type HistoryEntry = (AttemptOutcome, Option<u16>, Option<Problem>);

/// Everything one attempt needs, loaded once.
pub(crate) struct Job {
    pub target: TargetId,
    pub post_id: PostId,
    pub account: Account,
    /// The post's own text (a target may publish its own variant of it).
    pub post_text: String,
    pub request: PublishRequest,
    pub checkpoint: serde_json::Value,
    pub attempts: i64,
    pub status: Option<TargetStatus>,
    /// The post's id at the network, once published.
    pub remote_id: Option<String>,
    /// Its link, once published.
    pub remote_url: Option<String>,
    pub stage: Option<String>,
    pub processing_since: Option<DateTime<Utc>>,
}

impl Job {
    /// The post's first words, for notices.
    pub fn excerpt(&self) -> String {
        crate::activity::excerpt(&self.post_text, 80)
    }

    pub async fn load(engine: &Engine, target: TargetId) -> Result<Self> {
        let row = sqlx::query(
            "SELECT t.post_id, t.account_id, t.options, t.checkpoint, t.attempts, t.status,
                    t.remote_id, t.remote_url, t.stage, t.processing_since, p.text
             FROM post_targets t JOIN posts p ON p.id = t.post_id WHERE t.id = ?",
        )
        .bind(target)
        .fetch_optional(engine.store().pool())
        .await?
        .ok_or(EngineError::NotFound { what: "post" })?;
        let account = accounts::get(engine.store(), row.get("account_id")).await?;
        let post_id: PostId = row.get("post_id");
        let text: String = row.get("text");
        let options = posts::parse_options(row.get("options"), account.platform);
        let media = posts::post_media_files(engine.store(), &engine.media_dir(), post_id).await?;
        let request = build_request(engine, &account, &text, &options, media).await?;
        let post_text = text;
        Ok(Self {
            target,
            post_id,
            account,
            post_text,
            request,
            checkpoint: serde_json::from_str(row.get::<&str, _>("checkpoint"))
                .unwrap_or(serde_json::Value::Null),
            attempts: row.get("attempts"),
            status: TargetStatus::parse(row.get("status")),
            remote_id: row.get("remote_id"),
            remote_url: row.get("remote_url"),
            stage: row.get("stage"),
            processing_since: row
                .get::<Option<i64>, _>("processing_since")
                .map(from_millis),
        })
    }
}

/// The request a target's network gets: its text, the post's media, the
/// cover its options name, its typed options, unchanged.
pub(crate) async fn build_request(
    engine: &Engine,
    account: &Account,
    base_text: &str,
    options: &TargetOptions,
    media: Vec<MediaFile>,
) -> Result<PublishRequest> {
    let cover = match options.network.cover_media_id() {
        Some(id) => posts::media_files(engine.store(), &engine.media_dir(), &[id])
            .await?
            .pop(),
        None => None,
    };
    Ok(PublishRequest {
        account: RemoteAccount {
            id: account.platform_user_id.clone(),
            username: account.username.clone(),
            scopes: account.scopes.clone(),
        },
        text: options.text.clone().unwrap_or_else(|| base_text.to_owned()),
        media,
        cover,
        options: options.network.clone(),
    })
}

pub(crate) async fn run_target(engine: &Engine, config: &SchedulerConfig, claim: Claim) {
    let target = claim.target_id;
    if claim.kind == ClaimKind::FollowUp {
        follow_up(engine, config, target).await;
        return;
    }
    let started = engine.now();
    let job = match Job::load(engine, target).await {
        Ok(job) => job,
        Err(e) => {
            tracing::error!(target, "could not load a target to publish: {e}");
            let retry = To::Resumed {
                at: engine.now() + Duration::minutes(1),
            };
            if let Err(e) = engine
                .move_target(
                    target,
                    &[TargetStatus::Publishing],
                    retry,
                    ChangeSource::Scheduler,
                )
                .await
            {
                tracing::error!(target, "could not put a target back in the queue: {e}");
            }
            return;
        }
    };
    let outcome = match attempt(engine, config, &claim, &job).await {
        Ok(outcome) => outcome,
        Err(e) => {
            // Our own trouble (database, keychain): retry later, it is not the post's fault.
            tracing::error!(target, "publish attempt failed inside CreatorFlow: {e}");
            let error = PlatformError::new(ErrorKind::Network, "internal", e.user_message());
            match claim.kind {
                ClaimKind::Check | ClaimKind::FollowUp => Outcome::Processing(Processing {
                    check_at: engine.now() + Duration::minutes(1),
                    stage: job.stage.clone().unwrap_or_default(),
                }),
                ClaimKind::Publish => Outcome::Retry {
                    at: engine.now() + Duration::minutes(1),
                    counts: true,
                    error,
                },
            }
        }
    };
    if let Err(e) = finish(engine, config, &claim, &job, started, outcome).await {
        tracing::error!(target, "could not record the outcome of a publish: {e}");
    }
}

/// Asks the network again about a published target whose id and link are
/// still to come ([`Published::follow_up_at`]). What it answers only fills
/// in the id, link and note: the target stays published, no attempt is
/// counted, nobody is notified. It ends when the network has nothing more
/// to tell, cannot say, or after the network's processing horizon.
async fn follow_up(engine: &Engine, config: &SchedulerConfig, target: TargetId) {
    let now = engine.now();
    let to = match follow_up_outcome(engine, config, target, now).await {
        Ok(to) => to,
        Err(e) => {
            tracing::warn!(
                target,
                "could not ask the network about a published post: {e}"
            );
            To::FollowedUp {
                published: None,
                next: None,
            }
        }
    };
    if let Err(e) = engine
        .move_target(
            target,
            &[TargetStatus::Published],
            to,
            ChangeSource::Scheduler,
        )
        .await
    {
        tracing::error!(target, "could not record what the network said: {e}");
    }
}

async fn follow_up_outcome(
    engine: &Engine,
    config: &SchedulerConfig,
    target: TargetId,
    now: DateTime<Utc>,
) -> Result<To> {
    let job = Job::load(engine, target).await?;
    let publisher = engine.publisher(job.account.platform)?;
    let published_at: Option<i64> =
        sqlx::query_scalar("SELECT published_at FROM post_targets WHERE id = ?")
            .bind(target)
            .fetch_one(engine.store().pool())
            .await?;
    let horizon = Duration::seconds(i64::from(publisher.capabilities().processing_horizon_secs));
    if published_at
        .map(from_millis)
        .is_some_and(|at| now - at > horizon)
    {
        tracing::info!(
            target,
            "stopped waiting for the network's link to a published post"
        );
        return Ok(To::FollowedUp {
            published: None,
            next: None,
        });
    }
    let tokens = AccountTokens::new(engine, job.account.id);
    let sink = TargetSink::new(engine, target, &job.account, config.lease).await;
    let mut checkpoint = job.checkpoint.clone();
    Ok(
        match publisher
            .check(&tokens, &job.request, &mut checkpoint, &sink)
            .await
        {
            Ok(creatorflow_platforms::Outcome::Published(p)) => {
                if p.url != job.remote_url {
                    tracing::info!(target, "the network gave the published post its own link");
                }
                let next = p.follow_up_at;
                To::FollowedUp {
                    published: Some(p),
                    next,
                }
            }
            Ok(creatorflow_platforms::Outcome::Processing(p)) => To::FollowedUp {
                published: None,
                next: Some(p.check_at),
            },
            Err(e) if e.is_transient() => {
                let wait = e
                    .retry_after(now)
                    .and_then(|d| Duration::from_std(d).ok())
                    .unwrap_or_else(|| backoff(config, 1));
                To::FollowedUp {
                    published: None,
                    next: Some(now + wait),
                }
            }
            Err(e) => {
                tracing::info!(target, code = %e.code, "the network could not say more about a published post");
                To::FollowedUp {
                    published: None,
                    next: None,
                }
            }
        },
    )
}

fn issue_error(issues: &[creatorflow_platforms::ValidationIssue]) -> Option<PlatformError> {
    let first = issues.first()?;
    Some(
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
    )
}

async fn attempt(
    engine: &Engine,
    config: &SchedulerConfig,
    claim: &Claim,
    job: &Job,
) -> Result<Outcome> {
    let publisher = engine.publisher(job.account.platform)?;
    let tokens = AccountTokens::new(engine, job.account.id);
    let sink = TargetSink::new(engine, job.target, &job.account, config.lease).await;
    let mut checkpoint = job.checkpoint.clone();

    if claim.kind == ClaimKind::Check {
        let horizon =
            Duration::seconds(i64::from(publisher.capabilities().processing_horizon_secs));
        let since = job.processing_since.unwrap_or_else(|| engine.now());
        if engine.now() - since > horizon {
            return Ok(Outcome::Failed(gave_up_waiting(
                job.account.platform,
                horizon,
                job.stage.as_deref(),
            )));
        }
        let checked = publisher
            .check(&tokens, &job.request, &mut checkpoint, &sink)
            .await;
        return Ok(match checked {
            Ok(creatorflow_platforms::Outcome::Published(p)) => Outcome::Published(p),
            Ok(creatorflow_platforms::Outcome::Processing(p)) => Outcome::Processing(p),
            // A check that could not reach the network is tried again later:
            // the post is still being processed there.
            Err(e) if e.is_transient() => {
                let wait = e
                    .retry_after(engine.now())
                    .and_then(|d| Duration::from_std(d).ok())
                    .unwrap_or_else(|| backoff(config, 1));
                Outcome::Processing(Processing {
                    check_at: engine.now() + wait,
                    stage: job.stage.clone().unwrap_or_default(),
                })
            }
            Err(e) => classify(engine, e),
        });
    }

    if let Some(e) = issue_error(&publisher.validate(&job.request)) {
        return Ok(Outcome::Failed(e));
    }

    // The sign-in first: a keychain that cannot be read now ends this
    // attempt before anything is sent or marked in flight (the token is
    // kept for the rest of the attempt).
    if let Err(e) = creatorflow_platforms::TokenSource::token(&tokens).await {
        return Ok(classify(engine, e));
    }

    let has_checkpoint = !(checkpoint.is_null() || checkpoint == serde_json::json!({}));
    if has_checkpoint {
        match publisher
            .reconcile(&tokens, &job.request, &checkpoint)
            .await
        {
            Ok(Reconciled::Published(p)) => return Ok(Outcome::Published(p)),
            Ok(Reconciled::Unknown) => return Ok(Outcome::Unconfirmed),
            Ok(Reconciled::NotPublished) => {}
            Err(e) => return Ok(classify(engine, e)),
        }
    }

    let platform = job.account.platform;
    let limits = if config.published_limits {
        publisher.limits()
    } else {
        Vec::new()
    };
    let send = match crate::limits::take_room(
        engine.store(),
        engine.now(),
        &limits,
        platform,
        job.account.id,
        job.target,
        publisher.limit_units(&job.request),
    )
    .await?
    {
        Ok(send) => send,
        Err(wait) => return Ok(Outcome::WaitForRoom(wait)),
    };
    match publisher
        .publish(&tokens, &job.request, &mut checkpoint, &sink)
        .await
    {
        Ok(creatorflow_platforms::Outcome::Published(p)) => Ok(Outcome::Published(p)),
        Ok(creatorflow_platforms::Outcome::Processing(p)) => Ok(Outcome::Processing(p)),
        Err(e) => {
            // Answered, and nothing was made: the room taken is free again.
            if !e.may_have_taken_effect() && e.kind != ErrorKind::Protocol {
                crate::limits::give_back(engine.store(), send).await?;
            }
            if e.kind == ErrorKind::RateLimited {
                crate::limits::record_refusal(
                    engine.store(),
                    engine.now(),
                    platform,
                    job.account.id,
                    &e,
                )
                .await?;
            }
            Ok(classify(engine, e))
        }
    }
}

fn gave_up_waiting(
    platform: creatorflow_platforms::Platform,
    horizon: Duration,
    stage: Option<&str>,
) -> PlatformError {
    let name = platform.display_name();
    let span = if horizon.num_hours() >= 2 {
        format!("{} hours", horizon.num_hours())
    } else {
        format!("{} minutes", horizon.num_minutes())
    };
    let err = PlatformError::new(
        ErrorKind::Timeout,
        "processing_too_long",
        format!(
            "{name} was still processing this after {span}, so CreatorFlow stopped waiting. \
             Check it on {name} before publishing it again."
        ),
    );
    match stage {
        Some(s) if !s.is_empty() => err.with_detail(format!("Last stage: {s}")),
        _ => err,
    }
}

fn classify(engine: &Engine, e: PlatformError) -> Outcome {
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
        ErrorKind::Auth | ErrorKind::Forbidden => Outcome::NeedsReauth(e.message),
        _ => Outcome::Failed(e),
    }
}

async fn finish(
    engine: &Engine,
    config: &SchedulerConfig,
    claim: &Claim,
    job: &Job,
    started: DateTime<Utc>,
    outcome: Outcome,
) -> Result<()> {
    let now = engine.now();
    let target = job.target;
    let platform = job.account.platform;
    let who = platform.handle(&job.account.username);
    let from: &[TargetStatus] = match claim.kind {
        ClaimKind::Publish => &[TargetStatus::Publishing],
        ClaimKind::Check | ClaimKind::FollowUp => &[TargetStatus::Processing],
    };
    // What goes into the history: checks that found the network still busy
    // leave no entry.
    let (to, history): (To, Option<HistoryEntry>) = match outcome {
        Outcome::Published(p) => {
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
                    body: format!("{who}: {}", job.excerpt()),
                    post_id: Some(job.post_id),
                    account_id: Some(job.account.id),
                });
            }
            let note = p.note.clone().map(|n| Problem::new("note", n));
            (
                To::Published(p),
                Some((AttemptOutcome::Published, None, note)),
            )
        }
        Outcome::Processing(p) => {
            let first = claim.kind == ClaimKind::Publish;
            tracing::info!(target, stage = %p.stage, check_at = %p.check_at, "processing at the network");
            let entry = first.then(|| {
                (
                    AttemptOutcome::Processing,
                    None,
                    Some(Problem::new("processing", p.stage.clone())),
                )
            });
            (
                To::Processing {
                    check_at: p.check_at,
                    stage: p.stage,
                },
                entry,
            )
        }
        Outcome::Retry { at, counts, error } => {
            let failures = job.attempts + i64::from(counts);
            if counts && failures >= i64::from(config.max_attempts) {
                return Box::pin(finish(
                    engine,
                    config,
                    claim,
                    job,
                    started,
                    Outcome::Failed(error),
                ))
                .await;
            }
            let at = if counts {
                at.max(now + backoff(config, failures as u32))
            } else {
                at
            };
            tracing::info!(target, code = %error.code, retry_at = %at, "will retry");
            let problem = Problem::from(&error);
            (
                To::Retrying {
                    at,
                    attempts: failures,
                    problem: problem.clone(),
                },
                Some((
                    if counts {
                        AttemptOutcome::Retry
                    } else {
                        AttemptOutcome::RateLimited
                    },
                    error.status,
                    Some(problem),
                )),
            )
        }
        Outcome::Failed(error) => {
            tracing::warn!(target, code = %error.code, "publish failed for good");
            engine.notices().send(Notice {
                kind: NoticeKind::PublishFailed,
                title: format!("Not published on {}", platform.display_name()),
                body: format!("{who}: {}", error.message),
                post_id: Some(job.post_id),
                account_id: Some(job.account.id),
            });
            let problem = Problem::from(&error);
            (
                To::Failed(problem.clone()),
                Some((AttemptOutcome::Failed, error.status, Some(problem))),
            )
        }
        Outcome::NeedsReauth(reason) => {
            engine
                .mark_needs_reauth(
                    job.account.id,
                    &format!(
                        "{} refused CreatorFlow's sign-in: {reason}",
                        platform.display_name()
                    ),
                )
                .await?;
            (
                To::NeedsReauth(format!(
                    "Reconnect {who} on {} to publish this post.",
                    platform.display_name()
                )),
                Some((
                    AttemptOutcome::NeedsReauth,
                    Some(401),
                    Some(Problem::new("needs_reauth", reason)),
                )),
            )
        }
        Outcome::WaitForRoom(wait) => {
            tracing::info!(target, limit = %wait.label, until = %wait.until, "waiting for room in a limit");
            let to = To::WaitForRoom {
                at: wait.until,
                problem: Problem::new(
                    "waiting_for_limit",
                    format!(
                        "Waiting for room in {}: CreatorFlow sends it then, instead of having it refused now.",
                        wait.label
                    ),
                ),
            };
            // The account's (or, for the app's limit, the network's) other
            // due posts wait with it, instead of each being claimed to
            // find the same.
            let others = match wait.scope {
                creatorflow_platforms::LimitScope::Account => {
                    targets::Select::account(job.account.id)
                }
                creatorflow_platforms::LimitScope::App => targets::Select::platform(platform),
            };
            engine
                .move_targets(
                    &others.due_by(now),
                    &targets::WAITING,
                    to.clone(),
                    ChangeSource::Scheduler,
                )
                .await?;
            (to, None)
        }
        Outcome::Unconfirmed => {
            engine.notices().send(Notice {
                kind: NoticeKind::Unconfirmed,
                title: format!("Check {} before re-posting", platform.display_name()),
                body: format!(
                    "{who}: CreatorFlow cannot tell whether this went out: {}",
                    job.excerpt()
                ),
                post_id: Some(job.post_id),
                account_id: Some(job.account.id),
            });
            (
                To::Unconfirmed(format!(
                    "CreatorFlow was interrupted while publishing and cannot tell whether it went out. Check {} before publishing it again.",
                    platform.display_name()
                )),
                Some((
                    AttemptOutcome::Unconfirmed,
                    None,
                    Some(Problem::new(
                        "unconfirmed",
                        "Interrupted during the create call.",
                    )),
                )),
            )
        }
    };
    let mut tx = engine.store().write().await?;
    if let Some((outcome, status, problem)) = history {
        let attempt = targets::start_attempt(&mut tx, target, started).await?;
        targets::finish_attempt(&mut tx, attempt, now, outcome, status, problem.as_ref()).await?;
    }
    let moved =
        targets::apply_in(&mut tx, &targets::Select::target(target), from, &to, now).await?;
    tx.commit().await?;
    moved.emit(engine.changes(), ChangeSource::Scheduler);
    Ok(())
}

/// Persists checkpoints (and extends the lease) as a publish goes, and puts
/// media on the creator's media host for networks that fetch it themselves.
struct TargetSink {
    engine: Engine,
    target: TargetId,
    account: AccountId,
    platform: creatorflow_platforms::Platform,
    lease: Duration,
    /// A media host is set up (read when the attempt starts).
    media_host: bool,
}

impl TargetSink {
    async fn new(engine: &Engine, target: TargetId, account: &Account, lease: Duration) -> Self {
        Self {
            engine: engine.clone(),
            target,
            account: account.id,
            platform: account.platform,
            lease,
            media_host: engine.has_media_host().await,
        }
    }
}

#[async_trait]
impl PublishSink for TargetSink {
    async fn checkpoint(&self, checkpoint: &serde_json::Value) -> std::result::Result<(), String> {
        let now = self.engine.now();
        let save = async {
            let mut conn = self.engine.store().pool().acquire().await?;
            targets::save_checkpoint(&mut conn, self.target, checkpoint, now + self.lease, now)
                .await
        };
        save.await
            .map_err(|e: EngineError| format!("could not save progress: {e}"))
    }

    fn progress(&self, sent: u64, total: u64) {
        self.engine.report_progress(self.target, sent, total);
    }

    async fn limit_reading(&self, reading: creatorflow_platforms::LimitReading) {
        if let Err(e) = crate::limits::record_reading(
            self.engine.store(),
            self.engine.now(),
            self.platform,
            self.account,
            &reading,
        )
        .await
        {
            tracing::warn!(
                target = self.target,
                "could not keep a limit's reading: {e}"
            );
        }
    }

    fn has_media_host(&self) -> bool {
        self.media_host
    }

    async fn host_media(
        &self,
        file: &MediaFile,
    ) -> std::result::Result<creatorflow_platforms::HostedMedia, PlatformError> {
        self.engine.host_media(self.target, file).await
    }
}

/// Whether a post should go from CreatorFlow only, or from the networks too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DeleteScope {
    /// Remove it from CreatorFlow; what is live stays on the networks.
    AppOnly,
    /// Delete it at every network where it is live, then from CreatorFlow.
    Everywhere,
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
        if acc.status != AccountStatus::Connected {
            return Err(EngineError::Conflict(format!(
                "Reconnect {} on {} first.",
                acc.platform.handle(&acc.username),
                acc.platform.display_name()
            )));
        }
        let at = self.now();
        // The creator checked the network and wants it out: start over.
        let fresh = self
            .move_target(
                target,
                &[TargetStatus::Unconfirmed],
                To::Requeued { at, fresh: true },
                ChangeSource::User,
            )
            .await?;
        let moved = match fresh {
            Some(m) => Some(m),
            None => {
                self.move_target(
                    target,
                    &[
                        TargetStatus::Failed,
                        TargetStatus::Missed,
                        TargetStatus::Retrying,
                        TargetStatus::NeedsReauth,
                    ],
                    To::Requeued { at, fresh: false },
                    ChangeSource::User,
                )
                .await?
            }
        };
        if moved.is_none() {
            return Err(EngineError::Conflict(
                "Only a post that failed, was missed, or is waiting to retry can be published again."
                    .into(),
            ));
        }
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
        self.move_target(
            target,
            &[TargetStatus::Unconfirmed],
            To::Confirmed,
            ChangeSource::User,
        )
        .await?
        .ok_or_else(|| {
            EngineError::Conflict("Only an unconfirmed post can be marked as published.".into())
        })?;
        Ok(())
    }

    /// A published target, its account and client, ready for an action at
    /// the network; refused in words when it cannot be done.
    async fn live_target(
        &self,
        target: TargetId,
        verb: &str,
    ) -> Result<(Job, String, std::sync::Arc<dyn Publisher>)> {
        let job = Job::load(self, target).await?;
        let name = job.account.platform.display_name();
        let (Some(TargetStatus::Published), Some(remote)) = (job.status, job.remote_id.clone())
        else {
            return Err(EngineError::Conflict(format!(
                "This post is not live on {name}, so there is nothing to {verb} there."
            )));
        };
        if job.account.status != AccountStatus::Connected {
            return Err(EngineError::Conflict(format!(
                "Reconnect {} on {name} first.",
                job.account.platform.handle(&job.account.username)
            )));
        }
        let publisher = self.publisher(job.account.platform)?;
        Ok((job, remote, publisher))
    }

    /// Deletes a published target at its network; its history keeps the deletion.
    pub async fn delete_at_network(&self, target: TargetId) -> Result<()> {
        let (job, remote, publisher) = self.live_target(target, "delete").await?;
        let name = job.account.platform.display_name();
        if !publisher.capabilities().can_delete {
            return Err(EngineError::Conflict(format!(
                "{name} does not let apps delete posts. Delete it on {name} itself."
            )));
        }
        let tokens = AccountTokens::new(self, job.account.id);
        let result = publisher.delete(&tokens, &remote).await;
        let now = self.now();
        let mut tx = self.store().write().await?;
        let moved = match &result {
            Ok(()) => {
                targets::record(&mut tx, target, now, AttemptOutcome::Deleted, None, None).await?;
                targets::apply_in(
                    &mut tx,
                    &targets::Select::target(target),
                    &[TargetStatus::Published],
                    &To::Deleted,
                    now,
                )
                .await?
            }
            Err(e) => {
                let problem = Problem::from(e);
                targets::record(
                    &mut tx,
                    target,
                    now,
                    AttemptOutcome::DeleteFailed,
                    Some(&problem),
                    e.status,
                )
                .await?;
                targets::PendingChange::default()
            }
        };
        tx.commit().await?;
        moved.emit(self.changes(), ChangeSource::User);
        if let Err(e) = result {
            if e.kind == ErrorKind::Auth {
                self.mark_needs_reauth(job.account.id, &e.message).await?;
            }
            return Err(EngineError::invalid(
                ErrorCode::Platform,
                format!("{name} did not delete the post: {}", e.message),
            ));
        }
        tracing::info!(
            target,
            platform = job.account.platform.as_str(),
            "deleted at the network"
        );
        Ok(())
    }

    /// Changes a live post's text and options at its network (where the
    /// network allows it), then keeps them.
    pub async fn update_at_network(&self, target: TargetId, options: TargetOptions) -> Result<()> {
        let (job, remote, publisher) = self.live_target(target, "update").await?;
        let name = job.account.platform.display_name();
        if !publisher.capabilities().can_edit {
            return Err(EngineError::Conflict(format!(
                "{name} does not let apps change a live post."
            )));
        }
        if options.network.platform() != job.account.platform {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                format!("These options are not {name}'s."),
            ));
        }
        let base: String = sqlx::query_scalar("SELECT text FROM posts WHERE id = ?")
            .bind(job.post_id)
            .fetch_one(self.store().pool())
            .await?;
        let request = build_request(
            self,
            &job.account,
            &base,
            &options,
            job.request.media.clone(),
        )
        .await?;
        if let Some(issue) = publisher.validate_update(&request).into_iter().next() {
            return Err(EngineError::invalid(ErrorCode::InvalidInput, issue.message));
        }
        let tokens = AccountTokens::new(self, job.account.id);
        let result = publisher.update(&tokens, &remote, &request).await;
        let now = self.now();
        let mut tx = self.store().write().await?;
        match &result {
            Ok(()) => {
                let json = serde_json::to_string(&options)
                    .map_err(|e| EngineError::Internal(e.to_string()))?;
                targets::set_options(&mut tx, target, &json, now).await?;
                targets::record(&mut tx, target, now, AttemptOutcome::Updated, None, None).await?;
            }
            Err(e) => {
                targets::record(
                    &mut tx,
                    target,
                    now,
                    AttemptOutcome::UpdateFailed,
                    Some(&Problem::from(e)),
                    e.status,
                )
                .await?;
            }
        }
        tx.commit().await?;
        self.changes()
            .emit(crate::Entity::Posts, vec![job.post_id], ChangeSource::User);
        result.map_err(|e| {
            EngineError::invalid(
                ErrorCode::Platform,
                format!("{name} did not take the change: {}", e.message),
            )
        })
    }

    /// Deletes a post. With [`DeleteScope::Everywhere`] every live target is
    /// deleted at its network first; if one cannot be, nothing is removed.
    pub async fn delete_post(&self, id: PostId, scope: DeleteScope) -> Result<()> {
        let post = self.post(id).await?;
        if scope == DeleteScope::Everywhere {
            for t in post
                .targets
                .iter()
                .filter(|t| t.status == TargetStatus::Published)
            {
                self.delete_at_network(t.id).await?;
            }
        }
        posts::delete(self.store(), id).await?;
        self.changes()
            .emit(crate::Entity::Posts, vec![id], ChangeSource::User);
        Ok(())
    }
}
