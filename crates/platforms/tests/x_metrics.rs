//! The X client reads a post's numbers from the sandbox's X emulator over
//! real HTTP: `GET /2/tweets/{id}?tweet.fields=public_metrics`, a deleted
//! post, the per-user window, a missing permission, and the app's monthly
//! allowance of posts read, which follows the emulated clock.

mod common;

use chrono::{DateTime, Datelike as _, TimeZone as _, Utc};
use common::*;
use creatorflow_platforms::{
    ErrorKind, LimitScope, Metric, NoopSink, PostMetrics, Publisher, RemoteAccount,
};
use creatorflow_sandbox::QuotaSpec;
use creatorflow_sandbox::platforms::x::X_PUBLISH_SCOPES;
use serde_json::{Value, json};

/// Publishes `text` as the first account and returns the post's id.
async fn publish(e: &Env, text: &str) -> String {
    published(
        e.client
            .publish(&e.token, &post(text, &[]), &mut Value::Null, &NoopSink)
            .await
            .expect("published"),
    )
    .remote_id
}

fn creator() -> RemoteAccount {
    RemoteAccount {
        id: CREATOR_ID.into(),
        username: CREATOR.into(),
        scopes: X_PUBLISH_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
    }
}

async fn read(e: &Env, id: &str) -> Result<PostMetrics, creatorflow_platforms::PlatformError> {
    e.client.metrics(&e.token, &creator(), id).await
}

fn live(m: PostMetrics) -> Vec<Metric> {
    match m {
        PostMetrics::Live(m) => m,
        PostMetrics::Removed => panic!("the post is live"),
    }
}

fn value(m: &[Metric], key: &str) -> u64 {
    m.iter().find(|m| m.key == key).expect(key).value
}

fn next_month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let (y, m) = match now.month() {
        12 => (now.year() + 1, 1),
        m => (now.year(), m + 1),
    };
    Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0)
        .single()
        .expect("date")
}

fn posts_read(e: &Env) -> u64 {
    let s = e.sb.platform_settings("x").expect("settings");
    s["posts_read_this_month"].as_u64().expect("count")
}

#[tokio::test]
async fn numbers_grow_with_the_posts_age_under_xs_own_words() {
    let e = env().await;
    let id = publish(&e, "How will this one do?").await;

    let first = live(read(&e, &id).await.expect("read"));
    let labels: Vec<(&str, &str)> = first
        .iter()
        .map(|m| (m.key.as_str(), m.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("impressions", "Impressions"),
            ("likes", "Likes"),
            ("shares", "Reposts"),
            ("comments", "Replies"),
            ("quotes", "Quotes"),
            ("saves", "Bookmarks"),
        ]
    );
    let req = x_requests(&e.sb);
    let get = req
        .iter()
        .find(|r| r.method == "GET" && r.path.starts_with("/x/2/tweets/"))
        .expect("lookup");
    assert_eq!(get.path, format!("/x/2/tweets/{id}"));
    assert_eq!(get.query.as_deref(), Some("tweet.fields=public_metrics"));

    // Within the two hours the sign-in lasts.
    e.sb.advance_clock(90 * 60);
    let later = live(read(&e, &id).await.expect("read later"));
    assert!(value(&later, "impressions") > value(&first, "impressions"));
    for m in &first {
        assert!(value(&later, &m.key) >= m.value, "{} fell", m.key);
    }
}

#[tokio::test]
async fn a_post_x_no_longer_has_is_removed() {
    let e = env().await;
    let id = publish(&e, "Here today").await;
    e.client.delete(&e.token, &id).await.expect("deleted");
    assert_eq!(read(&e, &id).await.expect("read"), PostMetrics::Removed);
    // Never there at all: the same answer from X.
    assert_eq!(
        read(&e, "1234567890123").await.expect("read"),
        PostMetrics::Removed
    );
    // Neither read a post, so neither counted against the allowance.
    assert_eq!(posts_read(&e), 0);
    let err = read(&e, "not-an-id").await.expect_err("no such id");
    assert_eq!(err.code, "bad_post_id");
}

#[tokio::test]
async fn the_accounts_window_is_the_accounts() {
    let e = env().await;
    let id = publish(&e, "Read me twice").await;
    e.sb.set_quota(QuotaSpec {
        platform: "x".into(),
        name: "GET /2/tweets/:id".into(),
        limit: 1,
        window_secs: Some(900),
        daily_utc: false,
    })
    .expect("quota");
    read(&e, &id).await.expect("first fits");
    let err = read(&e, &id).await.expect_err("second is over");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.code, "rate_limited");
    assert_eq!(err.limit_scope, LimitScope::Account);
    let now = e.sb.clock().now_epoch;
    let at = err.retry_at.expect("retry_at").timestamp();
    assert!(at > now && at <= now + 900, "{at} vs {now}");
}

#[tokio::test]
async fn a_sign_in_without_tweet_read_is_forbidden() {
    let e = env().await;
    let id = publish(&e, "Whose numbers?").await;
    let narrow = token_for(&e.sb, CREATOR_ID, Some(&["users.read", "tweet.write"]));
    let err = e
        .client
        .metrics(&narrow, &creator(), &id)
        .await
        .expect_err("tweet.read missing");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    // The client says so before reading.
    assert_eq!(
        e.client
            .metrics_scopes_missing(&["users.read".into(), "tweet.write".into()]),
        ["tweet.read"]
    );
    assert!(
        e.client
            .metrics_scopes_missing(&creator().scopes)
            .is_empty()
    );
}

#[tokio::test]
async fn the_monthly_allowance_ends_reads_for_the_app_until_next_month() {
    let e = env().await;
    let support = e.client.metrics_support();
    let budget = support.budget.expect("X has an allowance");
    let defaults = e.sb.platform_settings("x").expect("settings");
    assert_eq!(
        defaults["monthly_post_cap"],
        json!(budget.default_per_month),
        "the sandbox and the client agree on X's default"
    );
    e.sb.update_platform_settings("x", json!({ "monthly_post_cap": 2 }))
        .expect("settings");
    let a = publish(&e, "First").await;
    let b = publish(&e, "Second").await;
    let c = publish(&e, "Third").await;

    read(&e, &a).await.expect("a");
    read(&e, &a).await.expect("a again");
    assert_eq!(posts_read(&e), 1, "X counts a post once a day");
    read(&e, &b).await.expect("b");
    assert_eq!(posts_read(&e), 2);

    let before = Utc::now();
    let err = read(&e, &c).await.expect_err("the allowance is used up");
    let after = Utc::now();
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.code, "usage_capped");
    assert_eq!(err.status, Some(429));
    assert_eq!(err.limit_scope, LimitScope::App, "every account waits");
    let at = err.retry_at.expect("retry_at");
    assert!(
        at == next_month_start(before) || at == next_month_start(after),
        "{at}: the allowance renews with the month"
    );
    assert!(
        err.detail
            .as_deref()
            .is_some_and(|d| d.contains("Monthly product cap")),
        "{:?}",
        err.detail
    );

    // The sandbox's month ends on its own clock; the count starts again.
    let now = e.sb.now();
    let settings = e.sb.platform_settings("x").expect("settings");
    assert_eq!(
        settings["post_cap_resets_at"],
        json!(next_month_start(now)),
        "{settings}"
    );
    let to_next_month = (next_month_start(now) - now).num_seconds() + 1;
    e.sb.advance_clock(to_next_month);
    assert_eq!(posts_read(&e), 0);
    // The sign-in lasts two hours; a month later the account has a new one.
    let e = Env {
        token: token_for(&e.sb, CREATOR_ID, None),
        ..e
    };
    live(read(&e, &c).await.expect("a new month"));
    assert_eq!(posts_read(&e), 1);
}

#[tokio::test]
async fn the_count_is_settable_like_xs_other_settings() {
    let e = env().await;
    let id = publish(&e, "Counted").await;
    let s =
        e.sb.update_platform_settings("x", json!({ "posts_read_this_month": 100 }))
            .expect("settings");
    assert_eq!(s["posts_read_this_month"], json!(100));
    let err = read(&e, &id).await.expect_err("used up");
    assert_eq!(err.code, "usage_capped");
    // A GET body posted back changes nothing; the reset time is read-only.
    let s = e.sb.platform_settings("x").expect("settings");
    e.sb.update_platform_settings("x", s.clone())
        .expect("posted back");
    assert_eq!(e.sb.platform_settings("x").expect("settings"), s);
    e.sb.update_platform_settings("x", json!({ "posts_read_this_month": 0 }))
        .expect("settings");
    live(read(&e, &id).await.expect("room again"));
    assert!(
        e.sb.update_platform_settings("x", json!({ "posts_read_this_month": -1 }))
            .is_err()
    );
}
