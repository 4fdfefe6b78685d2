//! LinkedIn in the engine, against the sandbox's LinkedIn emulator over
//! HTTP, the OS keychain and a real SQLite file: connecting through the
//! loopback listener on LinkedIn's registered port, a 60-day sign-in without
//! renewal (lapses, holds), a text post that arrives as typed, a picture with
//! its alt text, a PDF document, a retired API version that is not retried,
//! the daily limit waited out, editing and deleting the live post.

mod common;

use chrono::{Duration, Utc};
use common::*;
use creatorflow_engine::{
    AccountStatus, MediaAlt, Platform, PlatformOptions, PostInput, SaveIntent, TargetOptions,
    TargetOptionsInput, TargetStatus,
};
use creatorflow_platforms::{LinkedinOptions, LinkedinVisibility};
use creatorflow_sandbox::QuotaSpec;
use creatorflow_sandbox::platforms::linkedin::{
    LINKEDIN_MEMBER_CREATOR, LINKEDIN_MEMBER_CREATOR_EMAIL,
};

const MEMBER: &str = LINKEDIN_MEMBER_CREATOR.0;

/// LinkedIn's registered redirect is one fixed port: one sign-in at a time.
static PORT_47616: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn connect(h: &Harness) -> creatorflow_engine::Account {
    let _port = PORT_47616.lock().await;
    h.sandbox
        .set_consent(creatorflow_sandbox::ConsentMode::Approve {
            account_id: Some(MEMBER.to_owned()),
        });
    let start = h.engine.connect(Platform::Linkedin).await.expect("start");
    assert_eq!(
        start.redirect_uri,
        "http://127.0.0.1:47616/oauth/linkedin/callback"
    );
    let back = follow_authorize(&start.authorize_url).await;
    assert!(back.starts_with(&start.redirect_uri), "{back}");
    let page = reqwest::get(&back).await.expect("the listener answers");
    assert_eq!(page.status(), 200);
    h.engine
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.platform == Platform::Linkedin)
        .expect("connected")
}

fn post(text: &str, account: i64, media: Vec<i64>, alt: Vec<MediaAlt>) -> PostInput {
    PostInput {
        text: text.to_owned(),
        scheduled_at: Some(Utc::now()),
        zone: "Europe/Berlin".into(),
        intent: SaveIntent::Schedule,
        account_ids: vec![account],
        media_ids: media,
        alt_texts: alt,
        options: vec![TargetOptionsInput {
            account_id: account,
            options: TargetOptions {
                text: None,
                network: PlatformOptions::Linkedin(LinkedinOptions {
                    visibility: LinkedinVisibility::Connections,
                }),
            },
        }],
    }
}

/// What the emulator holds about a post, by its URN.
fn received(h: &Harness, urn: &str) -> creatorflow_sandbox::ReceivedPost {
    h.sandbox
        .received(Some("linkedin"))
        .into_iter()
        .find(|p| p.remote_id == urn)
        .expect("received")
}

#[tokio::test]
async fn a_member_connects_and_a_post_arrives_exactly_as_typed() {
    let mut h = Harness::new().await;
    let account = connect(&h).await;
    assert_eq!(account.platform_user_id, MEMBER);
    assert_eq!(account.display_name, LINKEDIN_MEMBER_CREATOR.2);
    assert_eq!(
        account.email.as_deref(),
        Some(LINKEDIN_MEMBER_CREATOR_EMAIL)
    );
    assert!(account.avatar_url.is_some(), "the picture from userinfo");
    // A self-serve app's sign-in lasts 60 days and cannot be renewed.
    let lapses = account.reauth_by.expect("a date it ends");
    let days = (lapses - Utc::now()).num_days();
    assert!((59..=60).contains(&days), "{days} days");
    h.assert_no_token_on_disk(account.id).await;

    h.start_scheduler().await;
    let text = "Launch (beta) [v2] {new} <soon> @team #hiring *big* _news_ ~ | \\ https://example.com/jobs";
    let p = h
        .engine
        .create_post(post(text, account.id, vec![], vec![]))
        .await
        .expect("schedule");
    let done = h
        .wait_for(p.id, "published", |s| s == TargetStatus::Published)
        .await;
    let t = &done.targets[0];
    let urn = t.remote_id.clone().expect("urn");
    let got = received(&h, &urn);
    assert_eq!(got.text, text, "every reserved character shows as typed");
    assert_eq!(got.extra["visibility"], "CONNECTIONS");
    let url = t.remote_url.clone().expect("link");
    assert!(url.contains("/feed/update/"), "{url}");
    let page = reqwest::get(&url).await.expect("post page");
    assert_eq!(page.status(), 200, "the published link opens the post");
    h.cleanup().await;
}

#[tokio::test]
async fn a_picture_keeps_its_alt_text_and_a_pdf_goes_out_as_a_document() {
    let mut h = Harness::new().await;
    let account = connect(&h).await;
    let picture = import(&h.engine, h.dir.path(), "team.png", &png(64, 48, 5)).await;
    let pdf = import(
        &h.engine,
        h.dir.path(),
        "Quarterly results.pdf",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .await;
    assert_eq!(pdf.kind, creatorflow_engine::MediaKind::Document);
    h.start_scheduler().await;
    let with_picture = h
        .engine
        .create_post(post(
            "Our new office",
            account.id,
            vec![picture.id],
            vec![MediaAlt {
                media_id: picture.id,
                text: "Five people at a long wooden table".into(),
            }],
        ))
        .await
        .expect("schedule");
    let with_pdf = h
        .engine
        .create_post(post("The numbers", account.id, vec![pdf.id], vec![]))
        .await
        .expect("schedule");
    for p in [&with_picture, &with_pdf] {
        h.wait_for(p.id, "published", |s| s == TargetStatus::Published)
            .await;
    }
    let picture_post = h.engine.post(with_picture.id).await.expect("post");
    let got = received(
        &h,
        picture_post.targets[0].remote_id.as_deref().unwrap_or(""),
    );
    assert_eq!(
        got.media[0].alt_text.as_deref(),
        Some("Five people at a long wooden table")
    );
    let pdf_post = h.engine.post(with_pdf.id).await.expect("post");
    let got = received(&h, pdf_post.targets[0].remote_id.as_deref().unwrap_or(""));
    assert_eq!(got.media[0].kind, "document");
    assert_eq!(got.extra["document"]["title"], "Quarterly results.pdf");
    h.cleanup().await;
}

#[tokio::test]
async fn a_retired_api_version_fails_at_once_and_says_to_update() {
    let mut h = Harness::new().await;
    let account = connect(&h).await;
    // Only a release newer than the one this CreatorFlow speaks is active.
    h.sandbox
        .update_platform_settings(
            "linkedin",
            serde_json::json!({"releases": [{"version": "209901", "released": "2000-01-01", "retires": "2999-01-01"}]}),
        )
        .expect("releases");
    h.start_scheduler().await;
    let p = h
        .engine
        .create_post(post("Hello", account.id, vec![], vec![]))
        .await
        .expect("schedule");
    let failed = h
        .wait_for(p.id, "failed", |s| s == TargetStatus::Failed)
        .await;
    let t = &failed.targets[0];
    let error = t.error.clone().expect("why");
    assert!(
        error.message.contains("retired") && error.message.contains("update CreatorFlow"),
        "{}",
        error.message
    );
    assert!(
        error
            .detail
            .unwrap_or_default()
            .contains("LinkedIn-Version")
    );
    assert_eq!(t.attempts, 1, "not retried");
    h.cleanup().await;
}

#[tokio::test]
async fn the_daily_limit_is_waited_out_until_midnight_utc_without_using_attempts() {
    let mut h = Harness::new().await;
    let account = connect(&h).await;
    h.sandbox
        .set_quota(QuotaSpec {
            platform: "linkedin".into(),
            name: "POST /rest/posts".into(),
            limit: 0,
            window_secs: None,
            daily_utc: true,
        })
        .expect("quota");
    h.start_scheduler().await;
    let p = h
        .engine
        .create_post(post("Tomorrow then", account.id, vec![], vec![]))
        .await
        .expect("schedule");
    let waiting = h
        .wait_for(p.id, "waiting for the limit", |s| {
            s == TargetStatus::Retrying
        })
        .await;
    let t = &waiting.targets[0];
    assert_eq!(t.attempts, 0);
    let next = t.next_attempt_at.expect("when");
    let midnight = (Utc::now() + Duration::days(1))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    assert!(
        (next - midnight).num_seconds().abs() <= 5,
        "{next} is the next midnight UTC ({midnight})"
    );
    h.cleanup().await;
}

#[tokio::test]
async fn the_live_post_is_edited_and_deleted_at_linkedin() {
    let mut h = Harness::new().await;
    let account = connect(&h).await;
    h.start_scheduler().await;
    let p = h
        .engine
        .create_post(post("First words", account.id, vec![], vec![]))
        .await
        .expect("schedule");
    let live = h
        .wait_for(p.id, "published", |s| s == TargetStatus::Published)
        .await;
    let t = live.targets[0].clone();
    let urn = t.remote_id.clone().expect("urn");
    h.engine
        .update_at_network(
            t.id,
            TargetOptions {
                text: Some("Better words (edited)".into()),
                network: t.options.network.clone(),
            },
        )
        .await
        .expect("edit at LinkedIn");
    assert_eq!(received(&h, &urn).text, "Better words (edited)");
    h.engine
        .delete_at_network(t.id)
        .await
        .expect("delete at LinkedIn");
    assert!(received(&h, &urn).deleted);
    assert_eq!(
        h.engine.post(p.id).await.expect("kept").targets[0].status,
        TargetStatus::Deleted
    );
    h.cleanup().await;
}

#[tokio::test]
async fn after_60_days_the_account_needs_reconnecting_and_posts_wait() {
    let mut h = Harness::new().await;
    let account = connect(&h).await;
    h.clock.advance(Duration::days(61));
    h.sandbox.advance_clock(61 * 24 * 3600);
    // Scheduled before the sign-in ended, due after it did.
    let p = h
        .engine
        .create_post(PostInput {
            scheduled_at: Some(h.engine.now()),
            ..post("Still here?", account.id, vec![], vec![])
        })
        .await
        .expect("schedule");
    h.start_scheduler().await;
    let held = h
        .wait_for(p.id, "held for a reconnect", |s| {
            s == TargetStatus::NeedsReauth
        })
        .await;
    assert_eq!(held.targets[0].attempts, 0, "it did not fail");
    let acc = h
        .engine
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.id == account.id)
        .expect("account");
    assert_eq!(acc.status, AccountStatus::NeedsReauth);
    assert!(h.sandbox.received(Some("linkedin")).is_empty());
    h.cleanup().await;
}
