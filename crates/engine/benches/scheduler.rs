//! Scheduler figures, printed as a table (no assertions on time):
//! - lateness from the due instant to the sandbox receiving the post, for
//!   1,000 posts due over 60 seconds (p50/p99/max);
//! - wake-ups per minute with 10,000 future posts and nothing due.
//!
//! Uses the real keychain, so run it in a desktop session:
//!     scripts/desktop-session.sh cargo bench -p creatorflow-engine --bench scheduler
//! `CF_BENCH_IDLE_SECS` sets how long the idle measurement runs (default 120).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use creatorflow_engine::{Platform, PostInput, SaveIntent, SchedulerConfig};
use creatorflow_sandbox::QuotaSpec;

mod support;

const POSTS: i64 = 1_000;
const SPREAD_SECS: i64 = 60;
const ACCOUNTS: [&str; 2] = ["1500000000000000001", "1500000000000000002"];

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes benches this way
    }
    let sandbox = support::sandbox().await;
    // Lift X's per-user and per-app post limits: this measures the scheduler.
    for name in ["POST /2/tweets", "POST /2/tweets (app)"] {
        let spec: QuotaSpec = serde_json::from_value(serde_json::json!({
            "platform": "x", "name": name, "limit": 1_000_000, "window_secs": 900
        }))
        .expect("quota");
        sandbox.set_quota(spec).expect("quota");
    }
    let service = support::keychain_service();
    let dir = tempfile::tempdir().expect("dir");
    let engine = support::engine(dir.path(), &service, &sandbox).await;
    let mut accounts = Vec::new();
    for id in ACCOUNTS {
        accounts.push(support::connect_x(&engine, &sandbox, id).await);
    }

    // ---- lateness --------------------------------------------------------
    let t0 = Utc::now() + Duration::seconds(15);
    let mut due = HashMap::new();
    for i in 0..POSTS {
        let at = t0 + Duration::milliseconds(SPREAD_SECS * 1000 * i / POSTS);
        let text = format!("Benchmark post {i} of {POSTS}");
        engine
            .create_post(PostInput {
                text: text.clone(),
                scheduled_at: Some(at),
                zone: "UTC".into(),
                intent: SaveIntent::Schedule,
                account_ids: vec![accounts[i as usize % accounts.len()]],
                media_ids: vec![],
                alt_texts: vec![],
                options: vec![],
            })
            .await
            .expect("schedule");
        due.insert(text, at);
    }
    let created = Utc::now();
    assert!(
        created < t0,
        "creating the posts took longer than the lead time"
    );
    let scheduler = engine
        // The emulator's X limits are lifted: so are the engine's.
        .start_scheduler(SchedulerConfig {
            published_limits: false,
            ..SchedulerConfig::default()
        })
        .await
        .expect("scheduler");
    let deadline = t0 + Duration::seconds(SPREAD_SECS + 120);
    loop {
        let n = sandbox.received(Some("x")).len() as i64;
        if n >= POSTS || Utc::now() > deadline {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(500)).await;
    }
    let received = sandbox.received(Some("x"));
    let mut late: Vec<f64> = received
        .iter()
        .filter_map(|r| {
            due.get(&r.text)
                .map(|at| (r.created_at - *at).num_microseconds().unwrap_or(0) as f64 / 1e3)
        })
        .collect();
    late.sort_by(f64::total_cmp);
    let mut per_text = HashMap::new();
    for r in &received {
        *per_text.entry(r.text.clone()).or_insert(0) += 1;
    }
    let dupes = per_text.values().filter(|n| **n > 1).count();
    scheduler.stop().await;

    println!();
    println!(
        "| scheduler: {POSTS} posts due over {SPREAD_SECS} s, 2 accounts, concurrency 4 | value |"
    );
    println!("|---|---|");
    println!(
        "| published | {} of {POSTS} (duplicates: {dupes}) |",
        late.len()
    );
    if !late.is_empty() {
        println!("| lateness p50 | {:.1} ms |", pct(&late, 0.50));
        println!("| lateness p99 | {:.1} ms |", pct(&late, 0.99));
        println!("| lateness max | {:.1} ms |", pct(&late, 1.0));
    }
    for acc in &accounts {
        let _ = engine.vault().delete_tokens(*acc).await;
    }
    engine.store().close().await;

    // ---- idle wake-ups ---------------------------------------------------
    let dir = tempfile::tempdir().expect("dir");
    let engine = support::engine(dir.path(), &service, &sandbox).await;
    let account = creatorflow_engine::accounts::upsert(
        engine.store(),
        &creatorflow_engine::accounts::AccountProfile {
            platform: Platform::X,
            platform_user_id: "idle".into(),
            username: "idle".into(),
            display_name: "Idle".into(),
            avatar_url: None,
            email: None,
            scopes: vec![],
            token_expires_at: None,
            reauth_by: None,
        },
        Utc::now(),
    )
    .await
    .expect("account");
    let now = Utc::now().timestamp_millis();
    let mut tx = engine.store().write().await.expect("tx");
    for i in 0..10_000i64 {
        let at = now + 3_600_000 + i * 60_000 * 30; // from 1 h ahead, every 30 min
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (text, scheduled_at, zone, state, created_at, updated_at)
             VALUES (?, ?, 'UTC', 'scheduled', ?, ?) RETURNING id",
        )
        .bind(format!("future {i}"))
        .bind(at)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .expect("post");
        sqlx::query(
            "INSERT INTO post_targets (post_id, account_id, status, next_attempt_at, updated_at)
             VALUES (?, ?, 'scheduled', ?, ?)",
        )
        .bind(id)
        .bind(account)
        .bind(at)
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("target");
    }
    tx.commit().await.expect("commit");
    let secs: u64 = std::env::var("CF_BENCH_IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let scheduler = engine
        // The emulator's X limits are lifted: so are the engine's.
        .start_scheduler(SchedulerConfig {
            published_limits: false,
            ..SchedulerConfig::default()
        })
        .await
        .expect("scheduler");
    tokio::time::sleep(StdDuration::from_secs(secs)).await;
    let wakeups = scheduler.stats.wakeups.load(Ordering::Relaxed);
    let claims = scheduler.stats.claims.load(Ordering::Relaxed);
    scheduler.stop().await;
    println!();
    println!("| scheduler idle: 10,000 future posts, nothing due, {secs} s | value |");
    println!("|---|---|");
    println!(
        "| wake-ups | {wakeups} ({:.2} per minute) |",
        wakeups as f64 * 60.0 / secs as f64
    );
    println!("| targets claimed | {claims} |");
    sandbox.shutdown().await.expect("shutdown");
}
