//! Connecting X, publishing by the scheduler and every failure path, against
//! the sandbox over HTTP, the OS keychain and a real SQLite file.

mod common;

use chrono::{Duration, Utc};
use common::*;
use creatorflow_engine::{
    AccountStatus, NoticeKind, PlatformOptions, PostInput, RedirectChoice, RedirectKind,
    SaveIntent, SettingsPatch, TargetOptions, TargetOptionsInput, TargetStatus,
};
use creatorflow_platforms::XOptions;
use creatorflow_sandbox::{Fault, FaultSpec};

const CREATOR: &str = "1500000000000000001";
const STUDIO: &str = "1500000000000000002";

fn token_posts(h: &Harness) -> usize {
    h.sandbox
        .requests(Some("x"))
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/x/2/oauth2/token")
        .count()
}

#[tokio::test]
async fn connecting_keeps_tokens_in_the_keychain_only() {
    let h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    assert_eq!(account.username, "sandbox_creator");
    assert_eq!(account.status, AccountStatus::Connected);
    assert!(account.scopes.contains(&"offline.access".to_owned()));
    let expires = account.token_expires_at.expect("expiry known");
    assert!(
        expires > Utc::now() + Duration::minutes(100),
        "X tokens live 2 h"
    );

    let tokens = h
        .engine
        .vault()
        .tokens(account.id)
        .await
        .expect("keychain")
        .expect("tokens");
    assert!(
        tokens.refresh_token.is_some(),
        "offline.access gives a refresh token"
    );
    // The sandbox agrees the account is connected.
    let remote = h.sandbox.accounts(Some("x")).expect("accounts");
    assert!(remote.iter().any(|a| a.id == CREATOR && a.connected));
    h.assert_no_token_on_disk(account.id).await;
    h.cleanup().await;
}

#[tokio::test]
async fn refresh_ahead_of_expiry_rotates_once_and_keeps_the_new_pair() {
    let h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    let before = h
        .engine
        .vault()
        .tokens(account.id)
        .await
        .expect("kc")
        .expect("tokens");
    assert_eq!(token_posts(&h), 1, "one code exchange");

    // Two hours later (by the app's clock) the token is about to expire.
    h.clock.advance(Duration::minutes(118));
    let mut calls = Vec::new();
    for _ in 0..6 {
        let engine = h.engine.clone();
        let id = account.id;
        calls.push(tokio::spawn(async move { engine.access_token(id).await }));
    }
    let mut seen = Vec::new();
    for c in calls {
        seen.push(
            c.await
                .expect("task")
                .expect("fresh token")
                .secret()
                .to_owned(),
        );
    }
    assert!(
        seen.windows(2).all(|w| w[0] == w[1]),
        "every caller got the same token"
    );
    assert_eq!(
        token_posts(&h),
        2,
        "exactly one refresh for six concurrent callers"
    );

    let after = h
        .engine
        .vault()
        .tokens(account.id)
        .await
        .expect("kc")
        .expect("tokens");
    assert_ne!(after.access_token, before.access_token);
    assert_ne!(
        after.refresh_token, before.refresh_token,
        "X rotates refresh tokens"
    );
    assert_eq!(
        seen[0], after.access_token,
        "the keychain holds what was handed out"
    );
    h.assert_no_token_on_disk(account.id).await;
    h.cleanup().await;
}

#[tokio::test]
async fn a_replayed_refresh_token_kills_the_family_and_the_account_needs_reconnecting() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    let old = h
        .engine
        .vault()
        .tokens(account.id)
        .await
        .expect("kc")
        .expect("tokens");
    h.clock.advance(Duration::minutes(118));
    h.engine.access_token(account.id).await.expect("rotated");
    h.clock.advance(Duration::minutes(-118));

    // Someone replays the consumed refresh token: X revokes the whole family.
    let replay = reqwest::Client::new()
        .post(h.sandbox.url("/x/2/oauth2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old.refresh_token.as_deref().expect("rt")),
            (
                "client_id",
                creatorflow_sandbox::platforms::x::X_PUBLIC_CLIENT_ID,
            ),
        ])
        .send()
        .await
        .expect("replay");
    assert_eq!(replay.status(), 400);

    let mut notices = h.engine.notices().subscribe();
    h.start_scheduler().await;
    let post = h
        .schedule(
            "after the family was revoked",
            Utc::now() + Duration::seconds(1),
            &[account.id],
        )
        .await;
    let post = h
        .wait_for(post.id, "needs reconnect", |s| {
            s == TargetStatus::NeedsReauth
        })
        .await;
    assert!(
        post.targets[0]
            .error
            .as_ref()
            .expect("reason")
            .message
            .contains("Reconnect")
    );
    let acc = creatorflow_engine::accounts::get(h.engine.store(), account.id)
        .await
        .expect("acc");
    assert_eq!(acc.status, AccountStatus::NeedsReauth);
    let notice = notices.recv().await.expect("notice");
    assert_eq!(notice.kind, NoticeKind::NeedsReconnect);
    assert!(
        h.sandbox.received(Some("x")).is_empty(),
        "nothing was posted"
    );
    h.cleanup().await;
}

#[tokio::test]
async fn a_scheduled_post_goes_out_once_by_itself() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.start_scheduler().await;
    let due = Utc::now() + Duration::seconds(2);
    let post = h
        .schedule("Hello from the scheduler 👋", due, &[account.id])
        .await;
    assert_eq!(post.targets[0].status, TargetStatus::Scheduled);
    let post = h
        .wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    let target = &post.targets[0];
    let received = h.sandbox.received(Some("x"));
    assert_eq!(received.len(), 1, "exactly once");
    assert_eq!(received[0].text, "Hello from the scheduler 👋");
    assert_eq!(received[0].account_id, CREATOR);
    assert_eq!(
        target.remote_id.as_deref(),
        Some(received[0].remote_id.as_str())
    );
    assert!(
        target
            .remote_url
            .as_deref()
            .expect("url")
            .contains(&received[0].remote_id)
    );
    let published_at = target.published_at.expect("published at");
    assert!(
        published_at >= due - Duration::milliseconds(50),
        "not before it was due"
    );
    let attempts = creatorflow_engine::activity::attempts(h.engine.store(), target.id)
        .await
        .expect("attempts");
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].outcome.as_deref(), Some("published"));
    h.assert_no_token_on_disk(account.id).await;
    h.cleanup().await;
}

#[tokio::test]
async fn images_and_a_thread_go_out_in_order() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    let (a, b) = (png(64, 48, 1), png(32, 32, 9));
    let ma = import(&h.engine, h.dir.path(), "a.png", &a).await;
    let mb = import(&h.engine, h.dir.path(), "b.png", &b).await;
    assert_eq!((ma.width, ma.height), (Some(64), Some(48)));
    h.start_scheduler().await;
    let post = h
        .engine
        .create_post(PostInput {
            text: "A thread with pictures (1/3)".into(),
            scheduled_at: Some(Utc::now() + Duration::seconds(1)),
            zone: "UTC".into(),
            intent: SaveIntent::Schedule,
            account_ids: vec![account.id],
            media_ids: vec![ma.id, mb.id],
            alt_texts: vec![],
            options: vec![TargetOptionsInput {
                account_id: account.id,
                options: TargetOptions {
                    text: None,
                    network: PlatformOptions::X(XOptions {
                        thread: vec!["Second part (2/3)".into(), "Third part (3/3)".into()],
                    }),
                },
            }],
        })
        .await
        .expect("schedule");
    h.wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    let got = h.sandbox.received(Some("x"));
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].text, "A thread with pictures (1/3)");
    assert_eq!(got[1].reply_to.as_deref(), Some(got[0].remote_id.as_str()));
    assert_eq!(got[2].reply_to.as_deref(), Some(got[1].remote_id.as_str()));
    let sha = |bytes: &[u8]| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(bytes))
    };
    let media: Vec<_> = got[0]
        .media
        .iter()
        .map(|m| (m.size, m.sha256.clone()))
        .collect();
    assert_eq!(
        media,
        vec![
            (a.len() as u64, Some(sha(&a))),
            (b.len() as u64, Some(sha(&b)))
        ]
    );
    assert!(got[1].media.is_empty());
    h.cleanup().await;
}

#[tokio::test]
async fn server_errors_are_retried_and_the_post_goes_out_once() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.sandbox
        .inject_fault(
            FaultSpec::new(
                Some("POST"),
                "/x/2/tweets",
                Fault::Status {
                    status: 503,
                    body: None,
                },
            )
            .times(2),
        )
        .expect("fault");
    h.start_scheduler().await;
    let post = h
        .schedule(
            "survives two 503s",
            Utc::now() + Duration::seconds(1),
            &[account.id],
        )
        .await;
    let post = h
        .wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    assert_eq!(h.sandbox.received(Some("x")).len(), 1);
    let outcomes: Vec<_> =
        creatorflow_engine::activity::attempts(h.engine.store(), post.targets[0].id)
            .await
            .expect("attempts")
            .into_iter()
            .map(|a| (a.outcome, a.http_status))
            .collect();
    assert_eq!(
        outcomes,
        vec![
            (Some("retry".into()), Some(503)),
            (Some("retry".into()), Some(503)),
            (Some("published".into()), None)
        ]
    );
    h.cleanup().await;
}

#[tokio::test]
async fn a_rate_limit_waits_for_the_reset_without_burning_attempts() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.sandbox
        .inject_fault(FaultSpec::new(
            Some("POST"),
            "/x/2/tweets",
            Fault::RateLimit {
                reset_after_secs: 2,
                limit: None,
            },
        ))
        .expect("fault");
    h.start_scheduler().await;
    let post = h
        .schedule(
            "waits for the window",
            Utc::now() + Duration::milliseconds(500),
            &[account.id],
        )
        .await;
    let waiting = h
        .wait_for(post.id, "retrying", |s| s == TargetStatus::Retrying)
        .await;
    let limited_at = Utc::now();
    let next = waiting.targets[0].next_attempt_at.expect("next attempt");
    assert!(
        next >= limited_at + Duration::milliseconds(900),
        "retry waits for x-rate-limit-reset, got {next}"
    );
    assert_eq!(
        waiting.targets[0].attempts, 0,
        "a rate limit is not a failed attempt"
    );
    let post = h
        .wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    assert!(post.targets[0].published_at.expect("at") >= next - Duration::milliseconds(100));
    assert_eq!(h.sandbox.received(Some("x")).len(), 1);
    h.cleanup().await;
}

#[tokio::test]
async fn a_connection_cut_after_the_create_is_never_posted_twice() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    // The sandbox creates the post, then the connection dies mid-answer.
    h.sandbox
        .inject_fault(FaultSpec::new(
            Some("POST"),
            "/x/2/tweets",
            Fault::ResetMidBody,
        ))
        .expect("fault");
    h.start_scheduler().await;
    let post = h
        .schedule(
            "cut mid-answer",
            Utc::now() + Duration::seconds(1),
            &[account.id],
        )
        .await;
    let post = h
        .wait_for(post.id, "settled", |s| {
            matches!(s, TargetStatus::Published | TargetStatus::Unconfirmed)
        })
        .await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        h.sandbox.received(Some("x")).len(),
        1,
        "created once, never re-posted"
    );
    if post.targets[0].status == TargetStatus::Unconfirmed {
        let msg = &post.targets[0].error.as_ref().expect("explained").message;
        assert!(msg.contains("before publishing it again"), "{msg}");
    }
    h.cleanup().await;
}

#[tokio::test]
async fn a_token_revoked_mid_queue_holds_that_account_only() {
    let mut h = Harness::new().await;
    let creator = h.connect_x(CREATOR).await;
    let studio = h.connect_x(STUDIO).await;
    let due = Utc::now() + Duration::seconds(2);
    let p1 = h
        .schedule("for the revoked account", due, &[creator.id])
        .await;
    let p2 = h
        .schedule("for the healthy account", due, &[studio.id])
        .await;
    // The user revokes CreatorFlow on X for one account while posts are queued.
    h.sandbox.revoke_account("x", CREATOR).expect("revoke");
    let mut notices = h.engine.notices().subscribe();
    h.start_scheduler().await;
    h.wait_for(p2.id, "published", |s| s == TargetStatus::Published)
        .await;
    let held = h
        .wait_for(p1.id, "needs reconnect", |s| s == TargetStatus::NeedsReauth)
        .await;
    assert_eq!(held.targets[0].status, TargetStatus::NeedsReauth);
    let received = h.sandbox.received(Some("x"));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].account_id, STUDIO);
    let accounts = h.engine.accounts().await.expect("accounts");
    let status = |id| accounts.iter().find(|a| a.id == id).map(|a| a.status);
    assert_eq!(status(creator.id), Some(AccountStatus::NeedsReauth));
    assert_eq!(status(studio.id), Some(AccountStatus::Connected));
    let notice = notices.recv().await.expect("notice");
    assert_eq!(notice.kind, NoticeKind::NeedsReconnect);
    assert_eq!(notice.account_id, Some(creator.id));

    // Reconnecting within the catch-up window sends the held post.
    h.connect_x(CREATOR).await;
    h.wait_for(p1.id, "published after reconnect", |s| {
        s == TargetStatus::Published
    })
    .await;
    assert_eq!(h.sandbox.received(Some("x")).len(), 2);
    h.cleanup().await;
}

#[tokio::test]
async fn posts_due_while_closed_catch_up_or_are_missed() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    let soon = Utc::now() + Duration::seconds(1);
    let recent = h.schedule("due 30 minutes ago", soon, &[account.id]).await;
    // "The app is closed": no scheduler. Reopen 30 minutes later.
    h.clock.advance(Duration::minutes(30));
    h.restart().await;
    h.start_scheduler().await;
    h.wait_for(recent.id, "caught up", |s| s == TargetStatus::Published)
        .await;
    assert_eq!(h.sandbox.received(Some("x")).len(), 1);

    // Closed again, this time for three hours (the window is one hour).
    let old = h
        .schedule(
            "due three hours ago",
            h.engine.now() + Duration::seconds(1),
            &[account.id],
        )
        .await;
    if let Some(s) = h.scheduler.take() {
        s.stop().await;
    }
    h.clock.advance(Duration::hours(3));
    h.restart().await;
    let mut notices = h.engine.notices().subscribe();
    h.start_scheduler().await;
    let missed = h
        .wait_for(old.id, "missed", |s| s == TargetStatus::Missed)
        .await;
    assert!(
        missed.targets[0]
            .error
            .as_ref()
            .expect("why")
            .message
            .contains("not running")
    );
    let notice = notices.recv().await.expect("notice");
    assert_eq!(notice.kind, NoticeKind::Missed);
    assert_eq!(notice.post_id, Some(old.id));
    assert_eq!(
        h.sandbox.received(Some("x")).len(),
        1,
        "a missed post is not sent"
    );

    // One click publishes it anyway.
    h.engine
        .retry_target(missed.targets[0].id)
        .await
        .expect("publish now");
    h.wait_for(old.id, "published", |s| s == TargetStatus::Published)
        .await;
    assert_eq!(h.sandbox.received(Some("x")).len(), 2);
    h.cleanup().await;
}

#[tokio::test]
async fn disconnect_revokes_at_x_deletes_the_keychain_entry_and_keeps_history() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.start_scheduler().await;
    let post = h
        .schedule(
            "before disconnecting",
            Utc::now() + Duration::seconds(1),
            &[account.id],
        )
        .await;
    h.wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;

    h.engine.disconnect(account.id).await.expect("disconnect");
    assert!(
        h.engine
            .vault()
            .tokens(account.id)
            .await
            .expect("kc")
            .is_none()
    );
    let remote = h.sandbox.accounts(Some("x")).expect("accounts");
    let remote = remote.iter().find(|a| a.id == CREATOR).expect("seeded");
    assert!(!remote.connected, "tokens revoked at X");
    assert!(
        h.engine.accounts().await.expect("list").is_empty(),
        "not listed any more"
    );
    let kept = h.engine.post(post.id).await.expect("history kept");
    assert_eq!(kept.targets[0].status, TargetStatus::Published);
    h.cleanup().await;
}

#[tokio::test]
async fn forged_replayed_expired_cross_platform_and_malformed_callbacks_exchange_nothing() {
    let h = Harness::new().await;
    let x = creatorflow_engine::Platform::X;

    // A denied consent comes back as an error, in words.
    h.sandbox
        .set_consent(creatorflow_sandbox::ConsentMode::Deny);
    let start = h.engine.connect(x).await.expect("start");
    let denied = follow_authorize(&start.authorize_url).await;
    let err = h.engine.handle_callback(&denied).await.expect_err("denied");
    assert!(err.message.contains("cancelled"), "{}", err.message);

    h.sandbox
        .set_consent(creatorflow_sandbox::ConsentMode::Approve { account_id: None });
    let start = h.engine.connect(x).await.expect("start");
    let good = follow_authorize(&start.authorize_url).await;
    assert!(good.starts_with("creatorflow://oauth/x?"), "{good}");

    // Forged: a state the app never issued.
    let state = url::Url::parse(&good)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let forged = good.replace(&state, "forged-state-0123456789");
    let mut outcomes = h.engine.subscribe_connect_outcomes();
    let err = h.engine.handle_callback(&forged).await.expect_err("forged");
    assert!(err.stray, "logged and ignored: {err:?}");
    assert!(
        outcomes.try_recv().is_err(),
        "the sign-in in progress is not ended by a stray link"
    );
    // Malformed and oversized.
    for bad in [
        "creatorflow://oauth/x",
        "creatorflow://oauth/x?code=&state=",
        "creatorflow://oauth/x?code=a&code=b&state=s",
        "http://evil.example/oauth/x/callback?code=a&state=s",
        "\u{0}\u{1}garbage",
    ] {
        assert!(h.engine.handle_callback(bad).await.is_err(), "{bad}");
    }
    let huge = format!("{good}&pad={}", "a".repeat(10_000));
    assert!(h.engine.handle_callback(&huge).await.is_err());

    // The real one works once; replaying it is refused.
    let account = h
        .engine
        .handle_callback(&good)
        .await
        .expect("the real callback");
    assert_eq!(account.username, "sandbox_creator");
    let replay = h.engine.handle_callback(&good).await.expect_err("replay");
    assert!(replay.reason.contains("already used") || replay.reason.contains("unknown"));

    // Cross-platform: an X flow's state delivered on the LinkedIn route.
    let start = h.engine.connect(x).await.expect("start");
    let cb = follow_authorize(&start.authorize_url).await;
    let crossed = cb.replacen("creatorflow://oauth/x?", "creatorflow://oauth/linkedin?", 1);
    let err = h
        .engine
        .handle_callback(&crossed)
        .await
        .expect_err("cross-platform");
    assert!(err.reason.contains("flow"), "{}", err.reason);
    assert!(
        h.engine.handle_callback(&cb).await.is_err(),
        "that flow is spent"
    );

    // Expired: the browser took longer than the flow's lifetime.
    let start = h.engine.connect(x).await.expect("start");
    let cb = follow_authorize(&start.authorize_url).await;
    h.clock.advance(Duration::minutes(11));
    let err = h.engine.handle_callback(&cb).await.expect_err("expired");
    assert!(err.reason.contains("expired"));

    assert_eq!(
        token_posts(&h),
        1,
        "only the one good callback reached the token endpoint"
    );
    h.cleanup().await;
}

#[tokio::test]
async fn the_loopback_listener_is_the_other_route_into_the_same_handler() {
    // A client registered with a loopback redirect on a port we pick: a free
    // one below Linux's ephemeral range (32768 and up), where no other test's
    // "any free port" or outgoing connection can take it before the engine
    // binds it (one from bind(0) was taken by a parallel test in CI).
    let port = (20_000..32_000)
        .map(|_| rand::random_range(20_000..32_000u16))
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port");
    let sandbox = creatorflow_sandbox::start(creatorflow_sandbox::SandboxConfig {
        consent: creatorflow_sandbox::ConsentMode::Approve { account_id: None },
        ..Default::default()
    })
    .await
    .expect("sandbox");
    let redirect = format!("http://127.0.0.1:{port}/oauth/x/callback");
    let reg: creatorflow_sandbox::ClientRegistration = serde_json::from_value(serde_json::json!({
        "platform": "x", "client_id": "loopback-test", "type": "public", "redirect_uris": [redirect]
    }))
    .expect("registration");
    sandbox.register_client(reg).expect("register");
    let dir = tempfile::tempdir().expect("dir");
    let service = format!(
        "creatorflow-test-{}",
        creatorflow_engine::auth::random_token(10)
    );
    let platforms = creatorflow_engine::Platforms::sandbox(&sandbox.base_url())
        .with_builtin_client(
            creatorflow_engine::Platform::X,
            creatorflow_platforms::ClientCredentials {
                client_id: "loopback-test".into(),
                client_secret: None,
                product: None,
            },
        )
        .with_redirect(
            creatorflow_engine::Platform::X,
            creatorflow_platforms::RedirectStyle::Loopback {
                port: Some(port),
                path: "/oauth/x/callback".into(),
            },
        );
    let engine = creatorflow_engine::Engine::open(
        creatorflow_engine::EngineConfig::new(dir.path())
            .vault(creatorflow_engine::Vault::keychain(&service))
            .platforms(platforms),
    )
    .await
    .expect("engine");
    let start = engine
        .connect(creatorflow_engine::Platform::X)
        .await
        .expect("start");
    assert_eq!(start.redirect_uri, redirect);
    let back = follow_authorize(&start.authorize_url).await;
    assert!(back.starts_with(&redirect));
    // A stray hit with a state nobody issued is refused, and the listener
    // keeps waiting for the real one.
    let stray = reqwest::get(format!("{redirect}?code=x&state=forged-0123456789"))
        .await
        .expect("stray answer");
    assert_eq!(stray.status(), 400);
    // The browser lands on the listener, which answers a page and closes.
    let page = reqwest::get(&back).await.expect("loopback answer");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("body").contains("is connected"));
    let accounts = engine.accounts().await.expect("accounts");
    assert_eq!(accounts.len(), 1);
    assert!(
        reqwest::get(&back).await.is_err(),
        "the listener is gone after one callback"
    );
    let _ = engine.vault().delete_tokens(accounts[0].id).await;
}

#[tokio::test]
async fn the_loopback_redirect_for_x_is_a_setting() {
    let h = Harness::new().await;
    h.engine
        .update_settings(SettingsPatch {
            redirect: Some(RedirectChoice {
                platform: creatorflow_engine::Platform::X,
                kind: RedirectKind::Loopback,
            }),
            ..SettingsPatch::default()
        })
        .await
        .expect("save");
    let start = h
        .engine
        .connect(creatorflow_engine::Platform::X)
        .await
        .expect("start");
    assert_eq!(
        start.redirect_uri,
        "http://127.0.0.1:47615/oauth/x/callback"
    );
    let back = follow_authorize(&start.authorize_url).await;
    let page = reqwest::get(&back).await.expect("the listener answers");
    assert_eq!(page.status(), 200);
    let accounts = h.engine.accounts().await.expect("accounts");
    assert_eq!(accounts.len(), 1);
    h.cleanup().await;
}
