//! The Analytics view's query: posts published in a period with their latest
//! numbers, sums and sums per day, out of 10,000 published posts with five
//! snapshots each. Criterion measures it; a second pass prints p50/p95 as a
//! table, for a 90-day period holding all 10,000 posts and for a 30-day one.
//!
//!     cargo bench -p creatorflow-engine --bench analytics

use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Span, TimeZone, Utc};
use creatorflow_engine::{AnalyticsQuery, Engine, EngineConfig};
use criterion::{Criterion, criterion_group};

const POSTS: i64 = 10_000;
const SNAPSHOTS: i64 = 5;
const DAYS: i64 = 90;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0)
        .single()
        .expect("start")
}

/// 10,000 published posts over 90 days on four networks, five snapshots each.
async fn seeded() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(EngineConfig::new(dir.path()))
        .await
        .expect("engine");
    let span = DAYS * 24 * 3600 * 1000;
    let base = start().timestamp_millis();
    let networks = ["x", "youtube", "linkedin", "tiktok"];
    let mut tx = engine.store().write().await.expect("tx");
    for i in 0..POSTS {
        let at = base + span * i / POSTS;
        let platform = networks[(i % 4) as usize];
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO metric_posts (post_id, account_id, platform, handle, remote_id, url,
                                       excerpt, published_at, step, state)
             VALUES (?1, ?2, ?3, 'bench', ?4, NULL, ?5, ?6, 4, 'done') RETURNING id",
        )
        .bind(i + 1)
        .bind(i % 4 + 1)
        .bind(platform)
        .bind(format!("remote-{i}"))
        .bind(format!(
            "Post number {i}: a few words of text as a creator would write them"
        ))
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .expect("post");
        let mut latest = String::new();
        for s in 1..=SNAPSHOTS {
            let m = serde_json::json!([
                {"key": "impressions", "label": "Impressions", "value": 100 * s + i % 97},
                {"key": "views", "label": "Views", "value": 80 * s + i % 89},
                {"key": "likes", "label": "Likes", "value": 10 * s + i % 13},
                {"key": "comments", "label": "Comments", "value": 2 * s + i % 5},
                {"key": "shares", "label": "Shares", "value": s + i % 3},
            ])
            .to_string();
            sqlx::query(
                "INSERT INTO metric_snapshots (metric_post_id, taken_at, metrics) VALUES (?, ?, ?)",
            )
            .bind(id)
            .bind(at + s * 3_600_000)
            .bind(&m)
            .execute(&mut *tx)
            .await
            .expect("snapshot");
            latest = m;
        }
        sqlx::query("UPDATE metric_posts SET latest = ?2, latest_at = ?3 WHERE id = ?1")
            .bind(id)
            .bind(latest)
            .bind(at + SNAPSHOTS * 3_600_000)
            .execute(&mut *tx)
            .await
            .expect("latest");
    }
    tx.commit().await.expect("commit");
    (dir, engine)
}

fn period(days: i64) -> AnalyticsQuery {
    AnalyticsQuery {
        from: start() + Span::days(DAYS - days),
        to: start() + Span::days(DAYS),
        account_id: None,
        zone: "Europe/Berlin".into(),
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (_dir, engine) = rt.block_on(seeded());
    let q90 = period(90);
    let n = rt
        .block_on(engine.analytics(&q90))
        .expect("query")
        .posts
        .len();
    assert_eq!(n as i64, POSTS, "the 90 days hold every post");
    c.bench_function("analytics, 90 days of 10k posts", |b| {
        b.to_async(&rt)
            .iter(|| async { engine.analytics(&q90).await.expect("query") })
    });

    println!();
    println!("| Analytics query (10,000 posts × 5 snapshots) | posts | p50 | p95 | max |");
    println!("|---|---|---|---|---|");
    for days in [90, 30] {
        let q = period(days);
        let posts = rt
            .block_on(engine.analytics(&q))
            .expect("query")
            .posts
            .len();
        let mut samples: Vec<Duration> = (0..200)
            .map(|_| {
                let t = Instant::now();
                rt.block_on(engine.analytics(&q)).expect("query");
                t.elapsed()
            })
            .collect();
        samples.sort();
        let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize];
        println!(
            "| {days}-day period | {posts} | {:.2} ms | {:.2} ms | {:.2} ms |",
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.95).as_secs_f64() * 1e3,
            pct(1.0).as_secs_f64() * 1e3
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
