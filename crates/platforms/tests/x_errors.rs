//! How the X client reports X's refusals, against the sandbox over real HTTP.

mod common;

use common::*;
use creatorflow_platforms::{ErrorKind, NoopSink, Publisher};
use creatorflow_sandbox::{Fault, FaultSpec, QuotaSpec};
use serde_json::{Value, json};

#[tokio::test]
async fn rate_limit_fault_gives_retry_at_from_the_headers() {
    let e = env().await;
    e.sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/x/2/tweets",
        Fault::RateLimit {
            reset_after_secs: 600,
            limit: None,
        },
    ))
    .expect("fault");
    let before = e.sb.clock().now_epoch;
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.token, &post("Too fast", &[]), &mut cp, &NoopSink)
        .await
        .expect_err("rate limited");
    let after = e.sb.clock().now_epoch;
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.status, Some(429));
    let at = err.retry_at.expect("retry_at").timestamp();
    assert!(
        (before + 600..=after + 600).contains(&at),
        "{at} vs {before}"
    );
    assert!(err.message.starts_with("X's limit"), "{}", err.message);
    assert!(err.message.contains("10 minutes"), "{}", err.message);
    assert!(err.is_transient());
    // X answered: nothing is in flight, nothing went out.
    assert!(cp.get("in_flight").is_none());
    assert!(e.sb.received(Some("x")).is_empty());
}

#[tokio::test]
async fn exhausted_quota_is_rate_limited_until_the_window_resets() {
    let e = env().await;
    e.sb.set_quota(QuotaSpec {
        platform: "x".into(),
        name: "POST /2/tweets".into(),
        limit: 1,
        window_secs: Some(900),
        daily_utc: false,
    })
    .expect("quota");
    e.client
        .publish(&e.token, &post("One", &[]), &mut Value::Null, &NoopSink)
        .await
        .expect("first fits");
    let err = e
        .client
        .publish(&e.token, &post("Two", &[]), &mut Value::Null, &NoopSink)
        .await
        .expect_err("second is over");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    let now = e.sb.clock().now_epoch;
    let at = err.retry_at.expect("retry_at").timestamp();
    assert!(at > now && at <= now + 900, "{at} vs {now}");
}

#[tokio::test]
async fn revoked_account_is_auth() {
    let e = env().await;
    e.sb.revoke_account("x", CREATOR_ID).expect("revoke");
    let err = e.client.me(&e.token).await.expect_err("revoked");
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(err.status, Some(401));
    assert!(
        err.message.starts_with("X no longer accepts"),
        "{}",
        err.message
    );
    let err = e
        .client
        .publish(&e.token, &post("Nope", &[]), &mut Value::Null, &NoopSink)
        .await
        .expect_err("revoked");
    assert_eq!(err.kind, ErrorKind::Auth);
    let shown = format!("{err:?} {err}");
    assert!(!shown.contains(e.token.secret()));
    assert!(e.sb.received(Some("x")).is_empty());
}

#[tokio::test]
async fn expired_token_is_auth() {
    let e = env().await;
    e.client.me(&e.token).await.expect("fresh token works");
    e.sb.advance_clock(2 * 3600 + 1);
    let err = e.client.me(&e.token).await.expect_err("expired");
    assert_eq!(err.kind, ErrorKind::Auth);
    let err = e
        .client
        .delete(&e.token, "1234567890")
        .await
        .expect_err("expired");
    assert_eq!(err.kind, ErrorKind::Auth);
}

#[tokio::test]
async fn over_length_is_refused_before_any_request() {
    let e = env().await;
    let thread = post("fine", &[&"b".repeat(301)]);
    let issues = e.client.validate(&thread);
    assert_eq!(issues.len(), 1);
    assert_eq!(
        issues[0].message,
        "Part 2 of your X thread is 301 characters; X allows 280."
    );
    let err = e
        .client
        .publish(&e.token, &thread, &mut Value::Null, &NoopSink)
        .await
        .expect_err("too long");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(err.code, "text_too_long");
    assert!(x_requests(&e.sb).is_empty());
    // 280 weighted characters, CJK counted double, is exactly allowed.
    let exactly = format!("{}{}", "の".repeat(100), "a".repeat(80));
    assert!(e.client.validate(&post(&exactly, &[])).is_empty());
    e.client
        .publish(&e.token, &post(&exactly, &[]), &mut Value::Null, &NoopSink)
        .await
        .expect("280 goes out");
    assert!(
        !e.client
            .validate(&post(&format!("{exactly}a"), &[]))
            .is_empty()
    );
}

#[tokio::test]
async fn missing_media_scope_is_forbidden() {
    let e = env().await;
    let token = token_for(
        &e.sb,
        CREATOR_ID,
        Some(&["tweet.read", "tweet.write", "users.read"]),
    );
    let dir = tempfile::tempdir().expect("tmp");
    let mut p = post("With a picture", &[]);
    p.media.push(media_file(
        dir.path(),
        "badge.png",
        &fixture("badge.png"),
        "image/png",
    ));
    let err = e
        .client
        .publish(&token, &p, &mut Value::Null, &NoopSink)
        .await
        .expect_err("no media.write");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(err.status, Some(403));
    assert!(err.detail.unwrap_or_default().contains("media.write"));
}

#[tokio::test]
async fn server_error_on_profile_is_transient() {
    let e = env().await;
    e.sb.inject_fault(FaultSpec::new(
        Some("GET"),
        "/x/2/users/me",
        Fault::Status {
            status: 502,
            body: None,
        },
    ))
    .expect("fault");
    let err = e.client.me(&e.token).await.expect_err("502");
    assert_eq!(err.kind, ErrorKind::Server);
    assert_eq!(
        err.message,
        "X is busy right now (error 502). CreatorFlow will try again."
    );
    assert!(err.detail.is_some());
}

#[tokio::test]
async fn image_refused_by_x_names_the_image() {
    let e = env().await;
    e.sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/x/2/media/upload",
        Fault::Status {
            status: 400,
            body: Some(json!({
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.x.com/2/problems/invalid-request",
                "errors": [{ "message": "$.media: unsupported media type" }]
            })),
        },
    ))
    .expect("fault");
    let dir = tempfile::tempdir().expect("tmp");
    let mut p = post("Pic", &[]);
    p.media.push(media_file(
        dir.path(),
        "photo.jpg",
        &fixture("photo.jpg"),
        "image/jpeg",
    ));
    let err = e
        .client
        .publish(&e.token, &p, &mut Value::Null, &NoopSink)
        .await
        .expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(
        err.message,
        "X rejected the image: $.media: unsupported media type"
    );
    assert!(e.sb.received(Some("x")).is_empty());
}

#[tokio::test]
async fn failed_processing_is_rejected_and_forgotten() {
    let e = env().await;
    e.sb.update_platform_settings(
        "x",
        json!({ "fail_video_processing": true, "video_processing_polls": 0, "check_after_secs": 1 }),
    )
    .expect("settings");
    let dir = tempfile::tempdir().expect("tmp");
    let bytes = fixture("spinner.gif");
    let mut p = post("Broken gif", &[]);
    p.media
        .push(media_file(dir.path(), "spinner.gif", &bytes, "image/gif"));
    let mut cp = Value::Null;
    let accepted = e
        .client
        .publish(&e.token, &p, &mut cp, &NoopSink)
        .await
        .expect("uploaded, X processes it");
    assert!(matches!(
        accepted,
        creatorflow_platforms::Outcome::Processing(_)
    ));
    let err = e
        .client
        .check(&e.token, &p, &mut cp, &NoopSink)
        .await
        .expect_err("processing failed");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(err.code, "media_processing_failed");
    assert!(
        err.message.starts_with("X could not process the GIF"),
        "{}",
        err.message
    );
    assert!(cp["media"].get(sha256_hex(&bytes)).is_none(), "{cp}");
    assert!(e.sb.received(Some("x")).is_empty());
}

#[tokio::test]
async fn reply_to_a_deleted_part_is_rejected() {
    let e = env().await;
    // The first part disappears right after it is created (deleted on X).
    let sb = (*e.sb).clone();
    let sink = RecordingSink::with_hook(move |cp: &Value| {
        let parts = parts_of(cp);
        if parts.len() == 1 && cp.get("in_flight").is_none() {
            sb.with_state(|st| {
                if let Some(t) = st.x.tweets.get_mut(&parts[0]) {
                    t.deleted = true;
                }
            });
        }
        Ok(())
    });
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.token, &post("Part one", &["Part two"]), &mut cp, &sink)
        .await
        .expect_err("parent gone");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(err.code, "reply_target_missing");
    assert!(!err.is_transient());
    assert_eq!(parts_of(&cp).len(), 1);
}

#[tokio::test]
async fn transport_errors_are_classified() {
    let e = env().await;
    // A body that is not JSON where JSON was expected: a protocol problem.
    let resp = reqwest::get(e.sb.base_url()).await.expect("status page");
    let err = resp.json::<Value>().await.expect_err("html is not json");
    let mapped = creatorflow_platforms::PlatformError::from_transport("X", &err);
    assert_eq!(mapped.kind, ErrorKind::Protocol);
    assert!(!mapped.is_transient());

    // Nothing listening: the network, worth another try.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let base = url::Url::parse(&format!("http://127.0.0.1:{port}/x")).expect("url");
    let dead =
        creatorflow_platforms::x::XClient::new(creatorflow_platforms::x::XEndpoints::under(&base));
    let err = dead.me(&e.token).await.expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Network);
    assert_eq!(err.code, "connect_failed");
    assert!(err.is_transient());
    assert_eq!(
        err.message,
        "X could not be reached. CreatorFlow will try again."
    );
    assert!(!format!("{err:?}").contains(e.token.secret()));
}
