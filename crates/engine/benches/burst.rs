//! A burst against the networks' limits, printed as a table (no assertions
//! on time): 1,000 posts due at the same instant over 20 X accounts, with
//! X's per-account post window set in the emulator to 10 posts per 30 s.
//! The engine learns the windows from X's headers and holds what does not
//! fit until they reset, so X refuses nothing.
//!
//! The shortest time the limits and the worker concurrency allow: every
//! account needs ceil(50 / 10) = 5 windows, so its last 10 posts cannot go
//! before 4 windows after its first; and the 200 posts of a window go out at
//! the rate the workers reach, measured on the first window (when nothing
//! waits yet). Bound = 4 × 30 s + 200 / rate. The table shows the burst's
//! time, the bound and their ratio, requests refused (429) and duplicates.
//!
//! Uses the real keychain, so run it in a desktop session:
//!     scripts/desktop-session.sh cargo bench -p creatorflow-engine --bench burst

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use creatorflow_engine::{PostInput, SaveIntent, SchedulerConfig};
use creatorflow_sandbox::QuotaSpec;

mod support;

const ACCOUNTS: usize = 20;
const POSTS: usize = 1_000;
/// X's per-account window in the emulator.
const LIMIT: usize = 10;
const WINDOW_SECS: i64 = 30;

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes benches this way
    }
    let sandbox = support::sandbox().await;
    sandbox
        .set_quota(QuotaSpec {
            platform: "x".into(),
            name: "POST /2/tweets".into(),
            limit: LIMIT as u64,
            window_secs: Some(WINDOW_SECS),
            daily_utc: false,
        })
        .expect("quota");
    let service = support::keychain_service();
    let dir = tempfile::tempdir().expect("dir");
    let engine = support::engine(dir.path(), &service, &sandbox).await;
    let mut accounts = Vec::new();
    for i in 0..ACCOUNTS {
        let id = format!("{}", 1_600_000_000_000_000_000u64 + i as u64);
        sandbox
            .add_account("x", &id, &format!("burst_{i}"), &format!("Burst {i}"))
            .expect("account");
        accounts.push(support::connect_x(&engine, &sandbox, &id).await);
    }

    let t0 = Utc::now() + Duration::seconds(30);
    for i in 0..POSTS {
        engine
            .create_post(PostInput {
                text: format!("Burst post {i} of {POSTS}"),
                scheduled_at: Some(t0),
                zone: "UTC".into(),
                intent: SaveIntent::Schedule,
                account_ids: vec![accounts[i % ACCOUNTS]],
                media_ids: vec![],
                alt_texts: vec![],
                options: vec![],
            })
            .await
            .expect("schedule");
    }
    assert!(
        Utc::now() < t0,
        "creating the posts took longer than the lead time"
    );
    let config = SchedulerConfig::default();
    let concurrency = config.concurrency;
    let scheduler = engine.start_scheduler(config).await.expect("scheduler");
    let deadline = t0 + Duration::seconds(WINDOW_SECS * 12);
    loop {
        if sandbox.received(Some("x")).len() >= POSTS || Utc::now() > deadline {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(250)).await;
    }
    scheduler.stop().await;
    // Where the posts that did not go out stand.
    let left: Vec<(String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT status, last_error_code, COUNT(*), MIN(next_attempt_at) - ? FROM post_targets
         WHERE status <> 'published' GROUP BY status, last_error_code",
    )
    .bind(Utc::now().timestamp_millis())
    .fetch_all(engine.store().pool())
    .await
    .expect("statuses");

    // What the attempts that did not publish ended with.
    type Tries = (Option<String>, Option<String>, Option<String>, i64);
    let tries: Vec<Tries> = sqlx::query_as(
        "SELECT outcome, error_code, MIN(COALESCE(error_detail, error_message)), COUNT(*) FROM attempts
         WHERE outcome <> 'published' GROUP BY outcome, error_code",
    )
    .fetch_all(engine.store().pool())
    .await
    .expect("attempts");
    let received = sandbox.received(Some("x"));
    let windows = POSTS.div_ceil(ACCOUNTS).div_ceil(LIMIT);
    let secs = |at: chrono::DateTime<Utc>| (at - t0).num_milliseconds() as f64 / 1e3;
    let first_window = LIMIT * ACCOUNTS;
    let rate = first_window as f64 / secs(received[first_window - 1].created_at);
    let took = secs(received.last().expect("posts").created_at);
    let bound = (windows as f64 - 1.0) * WINDOW_SECS as f64 + first_window as f64 / rate;
    let refused = sandbox
        .requests(Some("x"))
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/x/2/tweets" && r.status == Some(429))
        .count();
    // Per account: the windows it used (a window starts at its first post
    // and lasts WINDOW_SECS), and how long after a window's end the next
    // one's first post went.
    let mut by_account: HashMap<&str, Vec<chrono::DateTime<Utc>>> = HashMap::new();
    for r in &received {
        by_account
            .entry(&r.account_id)
            .or_default()
            .push(r.created_at);
    }
    let mut windows_used = Vec::new();
    let mut late_ms = Vec::new();
    let mut uneven = Vec::new();
    for times in by_account.values() {
        let mut start = times[0];
        let mut sizes = vec![1];
        for t in &times[1..] {
            if *t >= start + Duration::seconds(WINDOW_SECS) {
                late_ms.push((*t - (start + Duration::seconds(WINDOW_SECS))).num_milliseconds());
                start = *t;
                sizes.push(0);
            }
            *sizes.last_mut().expect("a window") += 1;
        }
        if sizes.len() > windows {
            uneven.push(format!("{sizes:?} from {:.1} s", secs(times[0])));
        }
        windows_used.push(sizes.len());
    }
    late_ms.sort_unstable();
    let mut per_text = HashMap::new();
    for r in &received {
        *per_text.entry(r.text.clone()).or_insert(0) += 1;
    }
    let dupes = per_text.values().filter(|n| **n > 1).count();

    println!();
    println!(
        "| burst: {POSTS} posts due at once, {ACCOUNTS} X accounts, {LIMIT} posts per {WINDOW_SECS} s each, concurrency {concurrency} | value |"
    );
    println!("|---|---|");
    println!(
        "| published | {} of {POSTS} (duplicates: {dupes}) |",
        received.len()
    );
    println!("| refused by X (429) | {refused} |");
    println!("| rate in the first window | {rate:.0} posts/s |");
    println!(
        "| bound: {} windows × {WINDOW_SECS} s + {first_window} posts at that rate | {bound:.1} s |",
        windows - 1
    );
    println!("| burst took | {took:.1} s |");
    println!("| ratio | {:.3} |", took / bound);
    println!(
        "| windows per account | {} to {} |",
        windows_used.iter().min().unwrap_or(&0),
        windows_used.iter().max().unwrap_or(&0)
    );
    for u in uneven.iter().take(3) {
        println!("| an account's windows | {u} |");
    }
    if !late_ms.is_empty() {
        println!(
            "| next window's first post after the reset | median {} ms, max {} ms |",
            late_ms[late_ms.len() / 2],
            late_ms[late_ms.len() - 1]
        );
    }
    for (outcome, code, why, n) in tries {
        println!(
            "| attempts: {} ({}) | {n}: {} |",
            outcome.unwrap_or_default(),
            code.unwrap_or_default(),
            why.unwrap_or_default()
        );
    }
    for (status, code, n, next_ms) in left {
        println!(
            "| not out: {status} ({}) | {n}, next in {:.1} s |",
            code.unwrap_or_default(),
            next_ms as f64 / 1e3
        );
    }

    for acc in &accounts {
        let _ = engine.vault().delete_tokens(*acc).await;
    }
    engine.store().close().await;
}
