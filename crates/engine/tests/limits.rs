//! The networks' limits are respected before sending: a post that would go
//! past one waits for room, visible on the target, instead of being sent to
//! be refused. Against the sandbox X over HTTP, a real SQLite file and the
//! OS keychain.

mod common;

use chrono::{Duration, Utc};
use common::*;
use creatorflow_engine::{Post, TargetStatus};
use creatorflow_sandbox::{Fault, FaultSpec, QuotaSpec};

const CREATOR: &str = "1500000000000000001";
const STUDIO: &str = "1500000000000000002";

/// `POST /x/2/tweets` requests the sandbox saw, and how many it refused.
fn create_calls(h: &Harness) -> (usize, usize) {
    let calls: Vec<_> = h
        .sandbox
        .requests(Some("x"))
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/x/2/tweets")
        .collect();
    let refused = calls.iter().filter(|r| r.status == Some(429)).count();
    (calls.len(), refused)
}

async fn schedule_many(h: &Harness, n: usize, account: i64, tag: &str) -> Vec<Post> {
    let due = Utc::now() + Duration::milliseconds(300);
    let mut posts = Vec::new();
    for i in 0..n {
        posts.push(h.schedule(&format!("{tag} {i}"), due, &[account]).await);
    }
    posts
}

/// Every post's one target, fresh from the engine.
async fn targets(h: &Harness, posts: &[Post]) -> Vec<creatorflow_engine::Target> {
    let mut out = Vec::new();
    for p in posts {
        out.push(h.engine.post(p.id).await.expect("post").targets[0].clone());
    }
    out
}

async fn settle(
    h: &Harness,
    posts: &[Post],
    what: &str,
    done: impl Fn(&[creatorflow_engine::Target]) -> bool,
) -> Vec<creatorflow_engine::Target> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let ts = targets(h, posts).await;
        if done(&ts) {
            return ts;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {:?}",
            ts.iter()
                .map(|t| (t.status, t.error.clone()))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn count(ts: &[creatorflow_engine::Target], s: TargetStatus) -> usize {
    ts.iter().filter(|t| t.status == s).count()
}

#[tokio::test]
async fn posts_past_xs_window_wait_for_its_reset_instead_of_being_refused() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.sandbox
        .set_quota(QuotaSpec {
            platform: "x".into(),
            name: "POST /2/tweets".into(),
            limit: 3,
            window_secs: Some(600),
            daily_utc: false,
        })
        .expect("quota");
    h.start_scheduler().await;
    let posts = schedule_many(&h, 5, account.id, "window").await;

    let ts = settle(&h, &posts, "three out, two waiting", |ts| {
        count(ts, TargetStatus::Published) == 3
            && ts
                .iter()
                .filter(|t| {
                    t.error
                        .as_ref()
                        .is_some_and(|e| e.code == "waiting_for_limit")
                })
                .count()
                == 2
    })
    .await;
    // Give the scheduler time to (wrongly) send one of them anyway.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(create_calls(&h), (3, 0), "nothing was sent to be refused");
    for t in ts.iter().filter(|t| t.status != TargetStatus::Published) {
        assert_eq!(t.status, TargetStatus::Retrying, "in progress, waiting");
        assert_eq!(t.attempts, 0, "waiting for room is no attempt");
        let msg = &t.error.as_ref().expect("explained").message;
        assert!(
            msg.contains("X's limit of 3 posts"),
            "names the limit: {msg}"
        );
        let next = t.next_attempt_at.expect("goes out at the reset");
        let wait = next - Utc::now();
        assert!(
            (590..=605).contains(&wait.num_seconds()),
            "waits for the window X announced: {wait}"
        );
    }

    h.advance(Duration::seconds(602));
    let ts = settle(&h, &posts, "all five out", |ts| {
        count(ts, TargetStatus::Published) == 5
    })
    .await;
    assert!(ts.iter().all(|t| t.error.is_none()));
    assert_eq!(create_calls(&h), (5, 0), "each sent once, none refused");
    assert_eq!(h.sandbox.received(Some("x")).len(), 5);
    h.cleanup().await;
}

#[tokio::test]
async fn a_refusal_holds_the_accounts_other_posts_but_not_other_accounts() {
    let mut h = Harness::new().await;
    let creator = h.connect_x(CREATOR).await;
    let studio = h.connect_x(STUDIO).await;
    h.sandbox
        .inject_fault(
            FaultSpec::new(
                Some("POST"),
                "/x/2/tweets",
                Fault::RateLimit {
                    reset_after_secs: 120,
                    limit: None,
                },
            )
            .times(1),
        )
        .expect("fault");
    h.start_scheduler().await;
    let held = schedule_many(&h, 3, creator.id, "held").await;
    let ts = settle(&h, &held, "all three waiting", |ts| {
        count(ts, TargetStatus::Retrying) == 3
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(create_calls(&h), (1, 1), "only the refused one was sent");
    let codes: Vec<_> = ts
        .iter()
        .map(|t| t.error.as_ref().map(|e| e.code.clone()))
        .collect();
    assert_eq!(
        codes
            .iter()
            .filter(|c| c.as_deref() == Some("waiting_for_limit"))
            .count(),
        2,
        "the others wait for the refusal's reset: {codes:?}"
    );
    assert!(ts.iter().all(|t| t.attempts == 0));

    // Another account of the same app goes out meanwhile.
    let other = schedule_many(&h, 1, studio.id, "free").await;
    settle(&h, &other, "the other account's post", |ts| {
        count(ts, TargetStatus::Published) == 1
    })
    .await;

    h.advance(Duration::seconds(122));
    settle(&h, &held, "the held three out", |ts| {
        count(ts, TargetStatus::Published) == 3
    })
    .await;
    assert_eq!(h.sandbox.received(Some("x")).len(), 4);
    assert_eq!(create_calls(&h), (5, 1));
    h.cleanup().await;
}

#[tokio::test]
async fn a_burst_over_two_accounts_goes_out_window_by_window_once_each() {
    let mut h = Harness::new().await;
    let creator = h.connect_x(CREATOR).await;
    let studio = h.connect_x(STUDIO).await;
    h.sandbox
        .set_quota(QuotaSpec {
            platform: "x".into(),
            name: "POST /2/tweets".into(),
            limit: 3,
            window_secs: Some(3),
            daily_utc: false,
        })
        .expect("quota");
    h.start_scheduler().await;
    let mut posts = schedule_many(&h, 7, creator.id, "burst creator").await;
    posts.extend(schedule_many(&h, 7, studio.id, "burst studio").await);
    settle(&h, &posts, "all fourteen out", |ts| {
        let stuck: Vec<_> = ts
            .iter()
            .filter(|t| {
                !matches!(
                    t.status,
                    TargetStatus::Published
                        | TargetStatus::Retrying
                        | TargetStatus::Scheduled
                        | TargetStatus::Publishing
                )
            })
            .map(|t| (t.id, t.status, t.error.clone()))
            .collect();
        assert!(stuck.is_empty(), "only waiting or out: {stuck:?}");
        count(ts, TargetStatus::Published) == ts.len()
    })
    .await;
    assert_eq!(create_calls(&h), (14, 0), "each sent once, none refused");
    assert_eq!(h.sandbox.received(Some("x")).len(), 14);
    h.cleanup().await;
}
