//! Posts' numbers, read by the scheduler's timer against the sandbox's X over
//! HTTP, kept in a real SQLite file: the snapshot schedule across restarts
//! and sleep, a read failure that leaves publishing alone, the monthly read
//! allowance, a sign-in without the permission, and deleted posts keeping
//! what was read.

mod common;

use std::time::Duration as StdDuration;

use chrono::Duration;
use common::*;
use creatorflow_engine::{
    AnalyticsQuery, DeleteScope, MetricsState, PostAnalytics, ReadBudgetChoice, SettingsPatch,
    TargetStatus,
};
use creatorflow_platforms::Platform;
use creatorflow_sandbox::{Fault, FaultSpec};

const CREATOR: &str = "1500000000000000001";

/// Publishes `text` on `account` now and waits until it is out.
async fn publish_now(h: &Harness, account: i64, text: &str) -> creatorflow_engine::Post {
    let post = h.schedule(text, h.engine.now(), &[account]).await;
    h.wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await
}

async fn numbers(h: &Harness, post: i64) -> PostAnalytics {
    let mut all = h.engine.post_analytics(post).await.expect("analytics");
    assert_eq!(all.len(), 1, "one network");
    all.remove(0)
}

/// Waits (20 s at most) until `post`'s numbers satisfy `done`.
async fn numbers_until(
    h: &Harness,
    post: i64,
    what: &str,
    done: impl Fn(&PostAnalytics) -> bool,
) -> PostAnalytics {
    let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
    loop {
        let n = numbers(h, post).await;
        if done(&n) {
            return n;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {n:?}"
        );
        h.engine.wake_scheduler();
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
}

fn value(n: &PostAnalytics, key: &str) -> Option<i64> {
    n.latest.iter().find(|m| m.key == key).map(|m| m.value)
}

#[tokio::test]
async fn snapshots_follow_the_schedule_across_restarts_and_sleep() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.start_scheduler().await;
    let post = publish_now(&h, account.id, "How did this one do?").await;
    let published = post.targets[0].published_at.expect("published at");

    let n = numbers(&h, post.id).await;
    assert_eq!(n.state, MetricsState::Tracking);
    assert!(n.snapshots.is_empty() && n.latest.is_empty());
    assert_eq!(n.next_read_at, Some(published + Duration::hours(1)));
    assert_eq!(n.platform, Platform::X);
    assert_eq!(n.excerpt, "How did this one do?");

    // An hour on, the first snapshot.
    h.advance(Duration::hours(1) + Duration::seconds(1));
    let first = numbers_until(&h, post.id, "the 1-hour snapshot", |n| {
        n.snapshots.len() == 1
    })
    .await;
    assert_eq!(first.next_read_at, Some(published + Duration::days(1)));
    let impressions_1h = value(&first, "impressions").expect("X counts impressions");
    assert!(
        first.latest.iter().any(|m| m.label == "Reposts"),
        "X's own names: {:?}",
        first.latest
    );

    // A restart remembers where the schedule is: nothing is read again.
    h.restart().await;
    h.start_scheduler().await;
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    let again = numbers(&h, post.id).await;
    assert_eq!(again.snapshots.len(), 1);
    assert_eq!(again.next_read_at, first.next_read_at);

    // Asleep for three days: one snapshot on waking, then the 7-day step.
    h.advance(Duration::days(3));
    let woke = numbers_until(&h, post.id, "a snapshot after the sleep", |n| {
        n.snapshots.len() == 2
    })
    .await;
    assert_eq!(woke.next_read_at, Some(published + Duration::days(7)));
    let impressions_3d = value(&woke, "impressions").expect("impressions");
    assert!(
        impressions_3d > impressions_1h,
        "numbers grow: {impressions_1h} then {impressions_3d}"
    );
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(numbers(&h, post.id).await.snapshots.len(), 2, "not more");

    // The last step, and no more after it.
    h.advance(Duration::days(27));
    let done = numbers_until(&h, post.id, "the 30-day snapshot", |n| {
        n.state == MetricsState::Done
    })
    .await;
    assert_eq!(done.snapshots.len(), 3);
    assert_eq!(done.next_read_at, None);

    // The Analytics view sums it under the day it went out.
    let report = h
        .engine
        .analytics(&AnalyticsQuery {
            from: published - Duration::days(1),
            to: published + Duration::days(1),
            account_id: None,
            zone: "Europe/Berlin".into(),
        })
        .await
        .expect("report");
    assert_eq!(report.posts.len(), 1);
    let total = report
        .totals
        .iter()
        .find(|m| m.key == "impressions")
        .expect("impressions column");
    assert_eq!(Some(total.value), value(&done, "impressions"));
    assert!(report.days.iter().any(|d| {
        d.totals
            .iter()
            .any(|m| m.key == "impressions" && m.value == total.value)
    }));
    h.cleanup().await;
}

#[tokio::test]
async fn a_failing_read_leaves_publishing_alone() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.start_scheduler().await;
    let first = publish_now(&h, account.id, "The one whose numbers fail").await;
    // Every read of a post fails from now on.
    h.sandbox
        .inject_fault(FaultSpec {
            count: 1000,
            ..FaultSpec::new(
                Some("GET"),
                "/x/2/tweets*",
                Fault::Status {
                    status: 503,
                    body: None,
                },
            )
        })
        .expect("fault");
    h.advance(Duration::hours(1) + Duration::seconds(1));
    let failed = numbers_until(&h, first.id, "a failed read", |n| n.message.is_some()).await;
    assert!(failed.snapshots.is_empty());
    assert_eq!(failed.state, MetricsState::Tracking, "tried again later");
    assert!(failed.next_read_at.expect("next") > h.engine.now());

    // Meanwhile a post goes out as usual, and the first one is untouched.
    let second = publish_now(&h, account.id, "Publishing goes on").await;
    assert_eq!(second.targets[0].attempts, 0);
    let first_now = h.engine.post(first.id).await.expect("post");
    assert_eq!(first_now.targets[0].status, TargetStatus::Published);
    assert_eq!(first_now.targets[0].error, None);
    assert_eq!(h.sandbox.received(Some("x")).len(), 2);
    h.cleanup().await;
}

#[tokio::test]
async fn the_monthly_read_allowance_is_never_gone_past() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.engine
        .update_settings(SettingsPatch {
            read_budget: Some(ReadBudgetChoice {
                platform: Platform::X,
                per_month: Some(1),
            }),
            ..SettingsPatch::default()
        })
        .await
        .expect("settings");
    h.start_scheduler().await;
    let a = publish_now(&h, account.id, "First of two").await;
    let b = publish_now(&h, account.id, "Second of two").await;
    h.advance(Duration::hours(1) + Duration::seconds(5));
    numbers_until(&h, a.id, "one read", |n| n.snapshots.len() == 1).await;
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    let held = numbers(&h, b.id).await;
    assert!(held.snapshots.is_empty(), "the allowance had one read");
    let next = held.next_read_at.expect("deferred, not dropped");
    let now = h.engine.now();
    assert!(
        next > now + Duration::hours(1),
        "{next} waits for next month"
    );
    let budgets = creatorflow_engine::metrics::budgets(&h.engine)
        .await
        .expect("budgets");
    let x = budgets
        .iter()
        .find(|b| b.platform == Platform::X)
        .expect("X has an allowance");
    assert_eq!((x.used, x.limit), (1, 1));
    assert_eq!(next, x.resets_at);
    h.cleanup().await;
}

#[tokio::test]
async fn an_old_sign_in_without_the_permission_is_asked_to_reconnect() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.start_scheduler().await;
    let post = publish_now(&h, account.id, "Before analytics").await;
    let needed = h
        .engine
        .platforms()
        .get(Platform::X)
        .expect("X")
        .metrics_support()
        .scopes;
    assert!(!needed.is_empty(), "reading X's numbers needs a scope");
    // As if connected by a version that did not ask for it.
    let kept: Vec<String> = account
        .scopes
        .iter()
        .filter(|s| !needed.contains(&s.as_str()))
        .cloned()
        .collect();
    sqlx::query("UPDATE accounts SET scopes = ? WHERE id = ?")
        .bind(kept.join(" "))
        .bind(account.id)
        .execute(h.engine.store().pool())
        .await
        .expect("update");
    let listed = h.engine.accounts().await.expect("accounts");
    assert_eq!(
        listed[0].analytics_scopes_missing,
        needed.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    );
    h.advance(Duration::hours(1) + Duration::seconds(1));
    let asked = numbers_until(&h, post.id, "a reconnect prompt", |n| {
        n.state == MetricsState::NeedsPermission
    })
    .await;
    assert!(
        asked.message.as_deref().unwrap_or("").contains("Reconnect"),
        "{asked:?}"
    );
    // It keeps publishing meanwhile.
    publish_now(&h, account.id, "Still publishing").await;

    // Reconnecting grants it, and the numbers are read.
    h.connect_x(CREATOR).await;
    numbers_until(&h, post.id, "a read after reconnecting", |n| {
        n.snapshots.len() == 1
    })
    .await;
    h.cleanup().await;
}

#[tokio::test]
async fn deleted_posts_keep_their_numbers() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.start_scheduler().await;
    let kept_here = publish_now(&h, account.id, "Deleted in CreatorFlow only").await;
    let gone = publish_now(&h, account.id, "Deleted at X").await;
    h.advance(Duration::hours(1) + Duration::seconds(1));
    for p in [&kept_here, &gone] {
        numbers_until(&h, p.id, "a snapshot", |n| n.snapshots.len() == 1).await;
    }
    h.engine
        .delete_post(kept_here.id, DeleteScope::AppOnly)
        .await
        .expect("delete here");
    h.engine
        .delete_at_network(gone.targets[0].id)
        .await
        .expect("delete at X");
    let kept = numbers(&h, kept_here.id).await;
    assert_eq!(kept.target_id, None, "the post is gone from CreatorFlow");
    assert_eq!(kept.snapshots.len(), 1);
    assert_eq!(kept.state, MetricsState::Tracking, "still live at X");
    let removed = numbers(&h, gone.id).await;
    assert_eq!(removed.state, MetricsState::Removed);
    assert_eq!(removed.next_read_at, None);
    assert!(value(&removed, "impressions").is_some());

    // The post deleted in CreatorFlow only is still read on schedule.
    h.advance(Duration::days(1));
    let after = numbers_until(&h, kept_here.id, "the 1-day read", |n| {
        n.snapshots.len() == 2
    })
    .await;
    assert!(after.latest_at > kept.latest_at);
    assert_eq!(
        numbers(&h, gone.id).await.snapshots.len(),
        1,
        "not read again"
    );
    h.cleanup().await;
}

#[tokio::test]
async fn linkedin_asks_for_the_analytics_permission_only_for_an_app_that_has_it() {
    let h = Harness::new().await;
    // The sandbox's demo LinkedIn app has the Community Management API.
    let info = h
        .engine
        .platform_info(Platform::Linkedin)
        .await
        .expect("info");
    assert_eq!(info.product.as_deref(), Some("share_analytics"));
    assert!(
        info.scopes
            .iter()
            .any(|s| s.scope == "r_member_postAnalytics" && s.why.contains("Analytics")),
        "{:?}",
        info.scopes
    );
    h.cleanup().await;
}
