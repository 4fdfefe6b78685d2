//! How the LinkedIn client reads LinkedIn's refusals, against the sandbox
//! (docs/platforms/linkedin.md §2, §8): a retired API version, the daily
//! quota, a refused token, a missing permission and a busy server.

mod linkedin_common;

use chrono::Utc;
use creatorflow_platforms::linkedin::{DEFAULT_VERSION, next_utc_midnight};
use creatorflow_platforms::{AccessToken, ErrorKind, NoopSink, Publisher, Reconciled};
use creatorflow_sandbox::platforms::linkedin::{
    LINKEDIN_CLIENT_ID, LinkedInSettings, limits, version_active,
};
use creatorflow_sandbox::{Fault, FaultSpec, QuotaSpec, TokenRequest};
use linkedin_common::*;
use serde_json::Value;

#[tokio::test]
async fn a_retired_version_is_refused_for_good_and_named() {
    let e = env().await;
    let client = client_for(&e.sb).with_version("202401");
    let mut cp = Value::Null;
    let err = client
        .publish(&e.tokens, &post("Old API"), &mut cp, &NoopSink)
        .await
        .expect_err("426");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert!(!err.is_transient(), "not retried");
    assert_eq!(err.code, "version_retired");
    assert_eq!(err.status, Some(426));
    assert_eq!(
        err.message,
        "This version of CreatorFlow uses a LinkedIn API version that LinkedIn has retired; \
         update CreatorFlow."
    );
    let detail = err.detail.as_deref().expect("detail");
    assert!(
        detail.starts_with("LinkedIn-Version 202401: HTTP 426 NONEXISTENT_VERSION"),
        "{detail}"
    );
    assert_eq!(count(&e.sb, "POST", "/linkedin/rest/posts"), 1, "sent once");
    assert_eq!(e.tokens.refreshes(), 0, "not taken for a token problem");
    assert!(cp.get("in_flight").is_none());
    assert!(received(&e.sb).is_empty());
}

#[test]
fn the_default_version_was_active_when_chosen() {
    // LinkedIn's calendar as the emulator knows it, on the day 202607 was
    // picked: released mid-July 2026, retired around mid-July 2027.
    let s = LinkedInSettings::default();
    let day = |y, m, d| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("date")
            .and_utc()
    };
    assert!(version_active(&s, DEFAULT_VERSION, day(2026, 12, 6)));
    assert!(version_active(&s, DEFAULT_VERSION, day(2027, 6, 30)));
}

#[tokio::test]
async fn the_daily_quota_waits_until_midnight_utc() {
    let e = env().await;
    e.sb.set_quota(QuotaSpec {
        platform: "linkedin".into(),
        name: limits::CREATE_POST.into(),
        limit: 0,
        window_secs: None,
        daily_utc: true,
    })
    .expect("quota");
    let before = next_utc_midnight(Utc::now());
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &post("Over the limit"), &mut cp, &NoopSink)
        .await
        .expect_err("429");
    let after = next_utc_midnight(Utc::now());
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.status, Some(429));
    let at = err.retry_at.expect("retry time");
    assert!(at == before || at == after, "{at} is the next midnight UTC");
    assert_eq!(at.time(), chrono::NaiveTime::MIN);
    assert!(
        err.message
            .starts_with("LinkedIn says this account's daily limit for this is reached. It resets at midnight UTC"),
        "{}",
        err.message
    );
    assert!(err.message.ends_with("CreatorFlow will try again then."));
    assert!(
        cp.get("in_flight").is_none(),
        "LinkedIn answered: not in flight"
    );
    assert_eq!(
        e.client
            .reconcile(&e.tokens, &post("Over the limit"), &cp)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );
}

#[tokio::test]
async fn a_revoked_token_is_renewed_once() {
    let e = env().await;
    let before = e.tokens.current();
    e.sb.revoke_account("linkedin", MEMBER).expect("revoked");
    published(
        e.client
            .publish(
                &e.tokens,
                &post("After a renewal"),
                &mut Value::Null,
                &NoopSink,
            )
            .await
            .expect("published with a renewed token"),
    );
    assert_eq!(e.tokens.refreshes(), 1);
    assert_ne!(e.tokens.current(), before);
    // Tried once more after a pause (the quirk of §8.1), then renewed.
    let posts: Vec<Option<u16>> = requests(&e.sb)
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/linkedin/rest/posts")
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, [Some(401), Some(401), Some(201)]);

    // A token that cannot be renewed: LinkedIn's refusal, as Auth.
    let dead = AccessToken::new(e.tokens.current().secret().to_owned());
    e.sb.revoke_account("linkedin", MEMBER).expect("revoked");
    let err = e.client.profiles(&dead, &[]).await.expect_err("refused");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Auth, "token_revoked")
    );
    assert!(
        err.message.contains("Reconnect the account"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_missing_permission_is_forbidden() {
    let e = env().await;
    let issued =
        e.sb.issue_tokens(TokenRequest {
            platform: "linkedin".into(),
            account_id: MEMBER.into(),
            client_id: Some(LINKEDIN_CLIENT_ID.into()),
            scopes: Some(vec!["openid".into(), "profile".into()]),
        })
        .expect("tokens");
    let token = AccessToken::new(issued.access_token);
    let err = e
        .client
        .publish(&token, &post("No permission"), &mut Value::Null, &NoopSink)
        .await
        .expect_err("403");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(err.code, "missing_permission");
    assert!(err.message.contains("Share on LinkedIn"), "{}", err.message);
}

#[tokio::test]
async fn a_busy_server_is_tried_again_safely() {
    let e = env().await;
    e.sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/linkedin/rest/posts",
        Fault::Status {
            status: 503,
            body: None,
        },
    ))
    .expect("fault");
    let p = post("Second time lucky");
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect_err("503");
    assert_eq!((err.kind, err.status), (ErrorKind::Server, Some(503)));
    assert!(err.is_transient());
    assert!(err.message.contains("CreatorFlow will try again"));
    assert_eq!(
        e.client
            .reconcile(&e.tokens, &p, &cp)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished,
        "LinkedIn answered, so nothing is in flight"
    );
    published(
        e.client
            .publish(&e.tokens, &p, &mut cp, &NoopSink)
            .await
            .expect("published"),
    );
    assert_eq!(received(&e.sb).len(), 1);
}
