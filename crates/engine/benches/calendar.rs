//! The calendar's query: one month of posts out of 10,000 in the database.
//! Criterion measures it; a second pass prints p50/p95 as a table.
//!
//!     cargo bench -p creatorflow-engine --bench calendar

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use creatorflow_engine::accounts::{self, AccountProfile};
use creatorflow_engine::{Engine, EngineConfig, Platform, TimeRange};
use criterion::{Criterion, criterion_group};

const POSTS: i64 = 10_000;

/// 10,000 posts spread evenly over two years, every third with a target.
async fn seeded() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(EngineConfig::new(dir.path()))
        .await
        .expect("engine");
    let account = accounts::upsert(
        engine.store(),
        &AccountProfile {
            platform: Platform::X,
            platform_user_id: "1".into(),
            username: "bench".into(),
            display_name: "Bench".into(),
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
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("start")
        .timestamp_millis();
    let span = 730 * 24 * 3600 * 1000i64;
    let mut tx = engine.store().write().await.expect("tx");
    for i in 0..POSTS {
        let at = start + span * i / POSTS;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (text, scheduled_at, zone, state, created_at, updated_at)
             VALUES (?, ?, 'Europe/Berlin', 'scheduled', ?, ?) RETURNING id",
        )
        .bind(format!(
            "Post number {i}: a few words of text as a creator would write them"
        ))
        .bind(at)
        .bind(at)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .expect("post");
        if i % 3 == 0 {
            sqlx::query(
                "INSERT INTO post_targets (post_id, account_id, status, next_attempt_at, updated_at)
                 VALUES (?, ?, 'scheduled', ?, ?)",
            )
            .bind(id)
            .bind(account)
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("target");
        }
    }
    tx.commit().await.expect("commit");
    (dir, engine)
}

fn month() -> TimeRange {
    TimeRange {
        start: Utc
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .expect("start"),
        end: Utc
            .with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
            .single()
            .expect("end"),
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (_dir, engine) = rt.block_on(seeded());
    let n = rt
        .block_on(engine.posts_in_range(month()))
        .expect("query")
        .len();
    assert!(n > 300, "a month holds ~415 posts, got {n}");
    c.bench_function("month range, 10k posts", |b| {
        b.to_async(&rt)
            .iter(|| async { engine.posts_in_range(month()).await.expect("query") })
    });

    // Percentiles over 500 separate queries.
    let mut samples: Vec<Duration> = (0..500)
        .map(|_| {
            let t = Instant::now();
            rt.block_on(engine.posts_in_range(month())).expect("query");
            t.elapsed()
        })
        .collect();
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize];
    println!();
    println!("| query (10,000 posts, one month = {n} posts) | p50 | p95 | max |");
    println!("|---|---|---|---|");
    println!(
        "| posts_in_range incl. targets and media | {:.2} ms | {:.2} ms | {:.2} ms |",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.95).as_secs_f64() * 1e3,
        pct(1.0).as_secs_f64() * 1e3
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
