//! How the YouTube client words YouTube's refusals (docs/platforms/youtube.md
//! §4.2, §8), against the sandbox: processing rejected or failed, the daily
//! quota, the channel's upload limit, scopes, metadata YouTube refuses,
//! 5xx and rate limits.

mod youtube_common;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use chrono_tz::America::Los_Angeles;
use creatorflow_platforms::{AccessToken, ErrorKind, NoopSink, Outcome, Publisher};
use creatorflow_sandbox::platforms::youtube::{SCOPE_READONLY, SCOPE_UPLOAD};
use creatorflow_sandbox::{Fault, FaultSpec};
use serde_json::{Value, json};
use youtube_common::*;

/// Midnight in Los Angeles after `now`, computed here on its own.
fn pacific_midnight_after(now: DateTime<Utc>) -> DateTime<Utc> {
    let day = now.with_timezone(&Los_Angeles).date_naive() + Duration::days(1);
    Los_Angeles
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("midnight exists")
        .with_timezone(&Utc)
}

async fn uploaded(e: &Env, title: &str) -> (creatorflow_platforms::PublishRequest, Value) {
    let (post, _) = video_post(e, 3000, title);
    let mut cp = Value::Null;
    let outcome = e
        .client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("uploaded");
    assert!(matches!(outcome, Outcome::Processing(_)));
    (post, cp)
}

#[tokio::test]
async fn a_rejected_video_is_an_error_with_youtubes_reason() {
    let e = env().await;
    set(
        &e.sb,
        json!({"processing_secs": 10, "reject_processing": "duplicate"}),
    );
    let (post, mut cp) = uploaded(&e, "Again").await;
    // Still processing first.
    assert!(matches!(
        e.client
            .check(&e.tokens, &post, &mut cp, &NoopSink)
            .await
            .expect("check"),
        Outcome::Processing(_)
    ));
    e.sb.advance_clock(11);
    let err = e
        .client
        .check(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect_err("rejected");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(err.code, "video_rejected");
    assert!(!err.is_transient());
    assert_eq!(
        err.message,
        "YouTube rejected the video because it duplicates a video already on the channel."
    );
    let detail = err.detail.expect("detail");
    assert!(detail.contains("uploadStatus=rejected"), "{detail}");
    assert!(detail.contains("rejectionReason=duplicate"), "{detail}");
    assert!(detail.contains("processingStatus=terminated"), "{detail}");
}

#[tokio::test]
async fn every_rejection_reason_is_worded() {
    let e = env().await;
    for (reason, words) in [
        ("copyright", "copyright"),
        ("length", "longer than this channel may upload"),
        ("uploaderAccountSuspended", "suspended"),
    ] {
        set(
            &e.sb,
            json!({"processing_secs": 0, "reject_processing": reason}),
        );
        let (post, mut cp) = uploaded(&e, reason).await;
        let err = e
            .client
            .check(&e.tokens, &post, &mut cp, &NoopSink)
            .await
            .expect_err("rejected");
        assert!(err.message.contains(words), "{reason}: {}", err.message);
        assert!(!err.message.contains(reason) || reason == "copyright");
        assert!(err.detail.expect("detail").contains(reason));
    }
}

#[tokio::test]
async fn a_failed_video_is_an_error_with_youtubes_reason() {
    let e = env().await;
    set(
        &e.sb,
        json!({"processing_secs": 0, "fail_processing": true, "fail_processing_reason": "codec"}),
    );
    let (post, mut cp) = uploaded(&e, "Odd codec").await;
    let err = e
        .client
        .check(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect_err("failed");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(err.code, "video_failed");
    assert!(
        err.message.contains("codec YouTube does not support"),
        "{}",
        err.message
    );
    assert!(err.message.contains("H.264"), "says what to do");
    let detail = err.detail.expect("detail");
    assert!(detail.contains("failureReason=codec"), "{detail}");
    assert!(
        detail.contains("processingFailureReason=transcodeFailed"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_video_deleted_while_processing_is_an_error() {
    let e = env().await;
    set(&e.sb, json!({"processing_secs": 100}));
    let (post, mut cp) = uploaded(&e, "Deleted early").await;
    let id = cp["video_id"].as_str().expect("id").to_owned();
    e.client.delete(&e.tokens, &id).await.expect("deleted");
    let err = e
        .client
        .check(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect_err("gone");
    assert_eq!(err.code, "video_missing");
    assert_eq!(err.kind, ErrorKind::Rejected);
}

#[tokio::test]
async fn a_spent_quota_waits_for_the_next_pacific_midnight() {
    let e = env().await;
    // The older cost model: an upload costs 1,600 of 2,000 units.
    set(
        &e.sb,
        json!({"quota_model": "legacy", "daily_quota_units": 2000}),
    );
    uploaded(&e, "First of the day").await;
    let (post, _) = video_post(&e, 3000, "One too many");
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect_err("quota spent");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.code, "quota_exceeded");
    assert_eq!(err.status, Some(403));
    let retry_at = err.retry_at.expect("retry_at");
    assert_eq!(retry_at, pacific_midnight_after(Utc::now()));
    // The emulator's ledger resets at that same moment.
    let settings = e.sb.platform_settings("youtube").expect("settings");
    let resets: Vec<&str> = settings["quota_usage"]
        .as_array()
        .expect("usage")
        .iter()
        .filter(|u| u["bucket"] == json!("units"))
        .filter_map(|u| u["resets_at"].as_str())
        .collect();
    let emulator: DateTime<Utc> = resets[0].parse().expect("time");
    assert_eq!(retry_at, emulator);
    assert!(
        err.message.contains("today's YouTube quota"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("midnight Pacific Time"),
        "{}",
        err.message
    );
    // Nothing was started: the next try begins afresh.
    assert!(cp.is_null() || cp.get("upload").is_none());
}

#[tokio::test]
async fn the_channels_upload_limit_waits_a_day() {
    let e = env().await;
    set(&e.sb, json!({"channel_uploads_per_24h": 1}));
    uploaded(&e, "Only one").await;
    let (post, _) = video_post(&e, 3000, "Second");
    let before = Utc::now();
    let err = e
        .client
        .publish(&e.tokens, &post, &mut Value::Null, &NoopSink)
        .await
        .expect_err("limit");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.code, "upload_limit_exceeded");
    let wait = err.retry_at.expect("retry_at") - before;
    assert!(wait >= Duration::hours(24) && wait < Duration::hours(24) + Duration::minutes(1));
    assert!(err.message.contains("24 hours"));
}

#[tokio::test]
async fn a_token_without_the_upload_scope_is_forbidden() {
    let e = env().await;
    let read_only = Tokens::new(&e.sb, CHANNEL, Some(&[SCOPE_READONLY]));
    let (post, _) = video_post(&e, 3000, "No scope");
    let err = e
        .client
        .publish(&read_only, &post, &mut Value::Null, &NoopSink)
        .await
        .expect_err("forbidden");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(err.code, "missing_permission");
    assert!(err.message.contains("Reconnect"));
    // Upload alone cannot read the channel (youtube.md §1.5).
    let upload_only = Tokens::new(&e.sb, CHANNEL, Some(&[SCOPE_UPLOAD]));
    let err = e
        .client
        .profiles(&upload_only, &[])
        .await
        .expect_err("no read");
    assert_eq!(err.kind, ErrorKind::Forbidden);
}

#[tokio::test]
async fn metadata_youtube_refuses_is_worded() {
    let e = env().await;
    let (mut post, _) = video_post(&e, 3000, "Wrong category");
    if let creatorflow_platforms::PlatformOptions::Youtube(o) = &mut post.options {
        // Numeric, so CreatorFlow lets it through; not assignable on YouTube.
        o.category_id = "18".into();
    }
    assert!(e.client.validate(&post).is_empty());
    let err = e
        .client
        .publish(&e.tokens, &post, &mut Value::Null, &NoopSink)
        .await
        .expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(err.code, "invalid_category");
    assert!(err.message.starts_with("YouTube refused the category"));
    let detail = err.detail.expect("detail");
    assert!(detail.contains("invalidCategoryId"), "{detail}");
    assert!(!detail.contains("<code>"), "{detail}");
}

#[tokio::test]
async fn server_errors_are_transient_and_the_next_try_works() {
    let e = env().await;
    e.sb.inject_fault(FaultSpec::new(
        Some("POST"),
        UPLOAD_PATH,
        Fault::Status {
            status: 503,
            body: None,
        },
    ))
    .expect("fault");
    let (post, _) = video_post(&e, 3000, "Busy");
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect_err("busy");
    assert_eq!(err.kind, ErrorKind::Server);
    assert!(err.is_transient());
    assert!(err.message.contains("busy"));
    e.client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("second try");
    assert_eq!(received(&e.sb).len(), 1);
}

#[tokio::test]
async fn rate_limits_read_retry_after() {
    let e = env().await;
    e.sb.inject_fault(FaultSpec::new(
        Some("GET"),
        "/youtube/youtube/v3/channels",
        Fault::RateLimit {
            reset_after_secs: 120,
            limit: None,
        },
    ))
    .expect("fault");
    let before = Utc::now();
    let err = e
        .client
        .profiles(&e.tokens, &[])
        .await
        .expect_err("limited");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.status, Some(429));
    let wait = err.retry_at.expect("Retry-After read") - before;
    assert!(
        wait > Duration::seconds(100) && wait <= Duration::seconds(125),
        "{wait}"
    );
}

#[tokio::test]
async fn a_dead_token_is_auth_and_never_shown() {
    let e = env().await;
    let secret = "ya29.not-a-real-token-but-secret";
    let fixed = AccessToken::new(secret);
    let (post, _) = video_post(&e, 3000, "Dead token");
    let err = e
        .client
        .publish(&fixed, &post, &mut Value::Null, &NoopSink)
        .await
        .expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Auth);
    let err = e.client.profiles(&fixed, &[]).await.expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Auth);
    let delete_err = e.client.delete(&fixed, "abc").await.expect_err("refused");
    for err in [err, delete_err] {
        assert!(!err.message.contains(secret));
        assert!(!err.detail.unwrap_or_default().contains(secret));
    }
    // Every call stopped at YouTube's 401 (a fixed token cannot be renewed).
    let statuses: Vec<Option<u16>> = requests(&e.sb).iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == Some(401)), "{statuses:?}");
}

#[tokio::test]
async fn an_unreachable_youtube_is_a_network_error() {
    // Nothing listens there.
    let base = url::Url::parse("http://127.0.0.1:9/youtube").expect("url");
    let client = creatorflow_platforms::youtube::YoutubeClient::new(
        creatorflow_platforms::youtube::YoutubeEndpoints::under(&base),
    );
    let err = client
        .profiles(&AccessToken::new("ya29.secret-token-value"), &[])
        .await
        .expect_err("unreachable");
    assert_eq!(err.kind, ErrorKind::Network);
    assert!(err.is_transient());
    assert!(err.message.starts_with("YouTube could not be reached"));
    assert!(!err.detail.unwrap_or_default().contains("secret-token"));
}
