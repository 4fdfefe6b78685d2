//! Instagram through the engine, with every real part: the sign-in read from
//! the sign-in window's redirect (state checked), a real SQLite file, the
//! keychain, the Meta emulator over HTTP, and the creator's media host on a
//! real S3-compatible server (`s3s-fs`) whose presigned links the emulator
//! fetches. A carousel goes out once, its files leave the bucket; the
//! sign-in is renewed by token swap ahead of its end.

mod common;
mod s3_server;

use chrono::Duration;
use common::*;
use creatorflow_engine::{
    Platform, PostInput, SaveIntent, TargetOptions, TargetOptionsInput, TargetStatus,
};
use creatorflow_platforms::{InstagramKind, InstagramOptions, PlatformOptions};
use s3_server::*;

/// A real 40×50 JPEG (4:5).
const PHOTO: &[u8] = include_bytes!("../../platforms/tests/fixtures/meta-photo-40x50.jpg");

/// Connects the sandbox's creator the way the app does: the engine builds
/// the authorize URL for its sign-in window, the window's page redirects to
/// Meta's `login_success.html`, and the window hands that address over.
async fn connect_instagram(h: &Harness) -> creatorflow_engine::Account {
    h.sandbox
        .set_consent(creatorflow_sandbox::ConsentMode::Approve { account_id: None });
    let start = h
        .engine
        .connect(Platform::Instagram)
        .await
        .expect("start connect");
    let window = start.login_window.clone().expect("a sign-in window");
    let back = follow_authorize(&start.authorize_url).await;
    let url = url::Url::parse(&back).expect("redirect");
    assert!(window.is_redirect(&url), "{back}");
    assert!(
        window.may_load(&url::Url::parse(&start.authorize_url).expect("authorize")),
        "the window may load Meta's page"
    );
    h.engine
        .handle_window_redirect(Platform::Instagram, &back)
        .await
        .expect("connected")
}

#[tokio::test]
async fn a_carousel_goes_out_once_through_the_media_host_and_leaves_nothing_there() {
    let mut h = Harness::new().await;
    let s3 = S3Server::start().await;
    h.engine
        .set_media_host(s3.presigned(), Some(SECRET_KEY))
        .await
        .expect("media host");
    // The emulated Meta fetches only from public addresses: the test lists
    // the local S3 server as one.
    let host = url::Url::parse(&s3.endpoint()).expect("endpoint");
    h.platform_settings(
        "instagram",
        serde_json::json!({"public_hosts": [format!(
            "{}:{}",
            host.host_str().unwrap_or_default(),
            host.port().unwrap_or(80)
        )]}),
    );
    let account = connect_instagram(&h).await;
    assert_eq!(account.platform, Platform::Instagram);
    assert!(
        account
            .scopes
            .contains(&"instagram_business_content_publish".to_owned())
    );

    let one = import(&h.engine, h.dir.path(), "one.jpg", PHOTO).await;
    let two = import(&h.engine, h.dir.path(), "two.jpg", PHOTO).await;
    let post = h
        .engine
        .create_post(PostInput {
            text: "Two from the shoot #carousel".into(),
            scheduled_at: Some(h.engine.now()),
            zone: "UTC".into(),
            intent: SaveIntent::Schedule,
            account_ids: vec![account.id],
            media_ids: vec![one.id, two.id],
            alt_texts: vec![],
            options: vec![TargetOptionsInput {
                account_id: account.id,
                options: TargetOptions {
                    text: None,
                    network: PlatformOptions::Instagram(InstagramOptions {
                        kind: InstagramKind::Carousel,
                        ..InstagramOptions::default()
                    }),
                },
            }],
        })
        .await
        .expect("scheduled");
    h.start_scheduler().await;
    let done = h
        .advance_until(post.id, Duration::seconds(5), "published", |t| {
            t.status == TargetStatus::Published
        })
        .await;
    let target = &done.targets[0];
    assert!(
        target
            .remote_url
            .as_deref()
            .is_some_and(|u| u.contains("/meta/instagram/p/")),
        "{target:?}"
    );
    let got = h.sandbox.received(Some("instagram"));
    assert_eq!(got.len(), 1, "once");
    assert_eq!(got[0].media.len(), 2);
    assert_eq!(got[0].text, "Two from the shoot #carousel");
    // The files left the bucket once the post was out.
    wait_for_objects(&s3, 0, "the carousel's files to be deleted").await;
    h.cleanup().await;
}

#[tokio::test]
async fn the_sign_in_is_renewed_a_month_before_it_ends_and_a_forged_redirect_connects_nothing() {
    let h = Harness::new().await;
    // A redirect nobody is waiting for: ignored, nothing connected.
    let forged = h
        .engine
        .handle_window_redirect(
            Platform::Instagram,
            "https://www.facebook.com/connect/login_success.html?code=x&state=forged#_",
        )
        .await
        .expect_err("forged");
    assert!(forged.stray, "{forged:?}");
    let elsewhere = h
        .engine
        .handle_window_redirect(
            Platform::Instagram,
            "https://evil.example/connect/login_success.html?code=x&state=s",
        )
        .await
        .expect_err("not the registered redirect");
    assert!(elsewhere.stray);
    assert!(h.engine.accounts().await.expect("accounts").is_empty());

    let account = connect_instagram(&h).await;
    let first = account.token_expires_at.expect("a 60-day sign-in");
    assert!((first - h.engine.now()).num_days() >= 59);
    // Used now: nothing to renew yet.
    h.engine.access_token(account.id).await.expect("token");
    let same = h.engine.accounts().await.expect("accounts")[0].token_expires_at;
    assert_eq!(same, Some(first));
    // 31 days on (29 left): the next use renews it for 60 days from then.
    h.advance(Duration::days(31));
    h.engine.access_token(account.id).await.expect("renewed");
    let renewed = h.engine.accounts().await.expect("accounts")[0]
        .token_expires_at
        .expect("expiry");
    assert!(
        (renewed - h.engine.now()).num_days() >= 59,
        "renewed to 60 days: {renewed} at {}",
        h.engine.now()
    );
    assert!(renewed > first);
    h.assert_no_token_on_disk(account.id).await;
}
