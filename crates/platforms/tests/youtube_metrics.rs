//! The YouTube client's reads of a published video's numbers
//! (docs/platforms/youtube.md §11) against the sandbox's YouTube emulator,
//! over real HTTP: views, likes and comments rising over the emulated clock,
//! counts YouTube leaves out, a deleted video, a sign-in without the read
//! scope and a spent daily quota.

mod youtube_common;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use chrono_tz::America::Los_Angeles;
use creatorflow_platforms::{
    ErrorKind, LimitScope, Metric, NoopSink, Outcome, PostMetrics, Publisher, RemoteAccount,
};
use creatorflow_sandbox::platforms::youtube::{
    SCOPE_FORCE_SSL, SCOPE_READONLY, SCOPE_UPLOAD, YOUTUBE_DEFAULT_SCOPES,
};
use serde_json::{Value, json};
use youtube_common::*;

const VIDEOS_PATH: &str = "/youtube/youtube/v3/videos";

fn account() -> RemoteAccount {
    RemoteAccount {
        id: CHANNEL.to_owned(),
        username: HANDLE.to_owned(),
        scopes: YOUTUBE_DEFAULT_SCOPES
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    }
}

/// A sandbox whose project is audited (uploads stay public, so others can
/// watch them) and whose videos are processed at once.
async fn public_env() -> Env {
    let e = env().await;
    set(&e.sb, json!({"audited": true, "processing_secs": 0}));
    e
}

/// Publishes a video through the client (upload, then `check`) and answers
/// the id `Published::remote_id` gave.
async fn published(e: &Env, title: &str, made_for_kids: bool) -> String {
    let (mut post, _) = video_post(e, 3000, title);
    if let creatorflow_platforms::PlatformOptions::Youtube(o) = &mut post.options {
        o.made_for_kids = Some(made_for_kids);
    }
    let mut cp = Value::Null;
    let outcome = e
        .client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("uploaded");
    assert!(matches!(outcome, Outcome::Processing(_)), "{outcome:?}");
    match e
        .client
        .check(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("checked")
    {
        Outcome::Published(p) => p.remote_id,
        other => panic!("expected published, got {other:?}"),
    }
}

async fn live(e: &Env, id: &str) -> Vec<Metric> {
    match e
        .client
        .metrics(&e.tokens, &account(), id)
        .await
        .expect("metrics")
    {
        PostMetrics::Live(m) => m,
        PostMetrics::Removed => panic!("video {id} reported removed"),
    }
}

fn value(metrics: &[Metric], key: &str) -> Option<u64> {
    metrics.iter().find(|m| m.key == key).map(|m| m.value)
}

fn labels(metrics: &[Metric]) -> Vec<(&str, &str)> {
    metrics
        .iter()
        .map(|m| (m.key.as_str(), m.label.as_str()))
        .collect()
}

/// Midnight in Los Angeles after `now`, computed here on its own.
fn pacific_midnight_after(now: DateTime<Utc>) -> DateTime<Utc> {
    let day = now.with_timezone(&Los_Angeles).date_naive() + Duration::days(1);
    Los_Angeles
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("midnight exists")
        .with_timezone(&Utc)
}

/// The emulator's ledger of the shared units: (used, resets at).
fn units(e: &Env) -> (u64, DateTime<Utc>) {
    let settings = e.sb.platform_settings("youtube").expect("settings");
    let u = settings["quota_usage"]
        .as_array()
        .expect("usage")
        .iter()
        .find(|u| u["bucket"] == json!("units"))
        .cloned()
        .expect("units bucket");
    (
        u["used"].as_u64().expect("used"),
        u["resets_at"]
            .as_str()
            .expect("resets_at")
            .parse()
            .expect("time"),
    )
}

#[tokio::test]
async fn support_names_views_likes_comments_and_the_read_scope() {
    let e = env().await;
    let s = e.client.metrics_support();
    assert!(s.available);
    assert_eq!(
        s.metrics,
        [
            ("views", "Views"),
            ("likes", "Likes"),
            ("comments", "Comments")
        ]
    );
    assert_eq!(s.scopes, [SCOPE_READONLY]);
    assert!(s.budget.is_none(), "a daily quota, not a monthly budget");
    // An account connected without the read scope is asked to reconnect.
    let without: Vec<String> = [SCOPE_UPLOAD, SCOPE_FORCE_SSL]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(e.client.metrics_scopes_missing(&without), [SCOPE_READONLY]);
    assert!(
        e.client
            .metrics_scopes_missing(&account().scopes)
            .is_empty()
    );
    // CreatorFlow's own sign-in asks for it, and says why.
    let asked = creatorflow_platforms::youtube::scopes();
    let read = asked
        .iter()
        .find(|s| s.scope == SCOPE_READONLY)
        .expect("read scope asked for");
    assert!(
        read.why.contains("how your videos are doing"),
        "{}",
        read.why
    );
}

#[tokio::test]
async fn views_likes_and_comments_rise_with_the_emulated_clock() {
    let e = public_env().await;
    let id = published(&e, "Launch day", false).await;

    let first = live(&e, &id).await;
    assert_eq!(
        labels(&first),
        [
            ("views", "Views"),
            ("likes", "Likes"),
            ("comments", "Comments")
        ]
    );

    e.sb.advance_clock(3 * 3600);
    let early = live(&e, &id).await;
    e.sb.advance_clock(24 * 3600);
    let later = live(&e, &id).await;
    assert_eq!(labels(&later), labels(&first));
    for key in ["views", "likes", "comments"] {
        let (a, b) = (value(&early, key), value(&later, key));
        assert!(a.is_some() && b > a, "{key} should rise: {a:?} then {b:?}");
    }
    assert!(value(&early, "views") > value(&first, "views"));
    // Views ≫ likes ≫ comments.
    let (views, likes, comments) = (
        value(&later, "views").unwrap_or(0),
        value(&later, "likes").unwrap_or(0),
        value(&later, "comments").unwrap_or(0),
    );
    assert!(
        views > likes && likes > comments && comments > 0,
        "{later:?}"
    );

    // The request: videos.list of that one video, statistics only. The
    // access token expired while the clock moved on: renewed once per hour
    // jumped, and the read went through.
    let reads: Vec<_> = requests(&e.sb)
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == VIDEOS_PATH)
        .filter(|r| r.query.as_deref().is_some_and(|q| q.contains("statistics")))
        .collect();
    assert!(reads.len() >= 3);
    let want = format!("part=statistics&id={id}");
    assert!(
        reads
            .iter()
            .all(|r| r.query.as_deref() == Some(want.as_str())),
        "{:?}",
        reads.iter().map(|r| r.query.clone()).collect::<Vec<_>>()
    );
    assert!(e.tokens.refreshes() >= 1);
}

#[tokio::test]
async fn counts_youtube_leaves_out_are_absent() {
    let e = public_env().await;
    // Made for kids: YouTube turns comments off, so no commentCount.
    let kids = published(&e, "Songs for kids", true).await;
    // Another video whose creator hides the like count.
    let hidden = published(&e, "Hidden likes", false).await;
    set(&e.sb, json!({"stats_likes_hidden": [hidden]}));
    e.sb.advance_clock(30 * 3600);

    let m = live(&e, &kids).await;
    assert_eq!(labels(&m), [("views", "Views"), ("likes", "Likes")]);
    assert!(value(&m, "views") > Some(0));

    let m = live(&e, &hidden).await;
    assert_eq!(labels(&m), [("views", "Views"), ("comments", "Comments")]);
    assert!(value(&m, "comments") > Some(0));
    // Never a zero standing in for a missing count, nor YouTube's
    // favoriteCount (always 0) or the owner-only dislikeCount.
    assert!(m.iter().all(|x| x.key != "likes"));
    assert!(
        m.iter()
            .all(|x| x.label != "Dislikes" && x.label != "Favorites")
    );
}

#[tokio::test]
async fn a_deleted_video_is_removed() {
    let e = public_env().await;
    let id = published(&e, "Short-lived", false).await;
    e.sb.advance_clock(3600);
    assert!(value(&live(&e, &id).await, "views") > Some(0));
    e.client.delete(&e.tokens, &id).await.expect("deleted");
    let after = e
        .client
        .metrics(&e.tokens, &account(), &id)
        .await
        .expect("read");
    assert_eq!(after, PostMetrics::Removed);
    // A video YouTube never had reads the same way.
    let never = e
        .client
        .metrics(&e.tokens, &account(), "NoSuchVideo")
        .await
        .expect("read");
    assert_eq!(never, PostMetrics::Removed);
}

#[tokio::test]
async fn a_sign_in_without_the_read_scope_is_forbidden() {
    let e = public_env().await;
    let id = published(&e, "Needs reading", false).await;
    let upload_only = Tokens::new(&e.sb, CHANNEL, Some(&[SCOPE_UPLOAD]));
    let err = e
        .client
        .metrics(&upload_only, &account(), &id)
        .await
        .expect_err("forbidden");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(err.code, "missing_permission");
    assert_eq!(err.status, Some(403));
    assert!(
        err.message
            .contains("Reconnect the channel to allow CreatorFlow to read how your videos"),
        "{}",
        err.message
    );
    assert!(!err.is_transient());
    let detail = err.detail.expect("detail");
    assert!(detail.contains("insufficientPermissions"), "{detail}");
    // Any one of the reading scopes will do, as on YouTube.
    let read_only = Tokens::new(&e.sb, CHANNEL, Some(&[SCOPE_READONLY]));
    assert!(matches!(
        e.client.metrics(&read_only, &account(), &id).await,
        Ok(PostMetrics::Live(_))
    ));
}

#[tokio::test]
async fn a_spent_daily_quota_holds_reads_until_pacific_midnight() {
    let e = public_env().await;
    let id = published(&e, "Quota", false).await;
    live(&e, &id).await;
    let (used, resets_at) = units(&e);
    assert!(used >= 1, "each read costs a unit: {used}");
    // The project has exactly what it used: the next read does not fit.
    set(&e.sb, json!({"daily_quota_units": used}));
    let err = e
        .client
        .metrics(&e.tokens, &account(), &id)
        .await
        .expect_err("quota spent");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.code, "quota_exceeded");
    assert_eq!(err.status, Some(403));
    assert_eq!(err.limit_scope, LimitScope::App, "the app's quota");
    let retry_at = err.retry_at.expect("retry_at");
    assert_eq!(retry_at, pacific_midnight_after(Utc::now()));
    assert_eq!(retry_at, resets_at, "the emulator's quota day ends then");
    assert!(
        err.message.contains("midnight Pacific Time"),
        "{}",
        err.message
    );
    // A refused read costs nothing; after midnight the quota is back.
    assert_eq!(units(&e).0, used);
    let wait = (resets_at - e.sb.now()).num_seconds() + 1;
    e.sb.advance_clock(wait);
    assert!(value(&live(&e, &id).await, "views").is_some());
}
