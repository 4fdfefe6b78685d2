//! TikTok in the engine, against the sandbox's TikTok emulator over HTTP,
//! the OS keychain and a real SQLite file: connecting through the loopback
//! listener on any port (TikTok's desktop wildcard), creator info for the
//! composer, a video published directly and followed through TikTok's
//! statuses, a post that no longer fits failing before upload, the
//! unaudited app's refusal failing at once, TikTok's per-minute limit
//! waited out without using attempts, and a crash mid-upload that goes on
//! from the chunks TikTok acknowledged (or starts over) and posts once.

mod common;

use chrono::{Duration, Utc};
use common::*;
use creatorflow_engine::{
    AppReviewed, Platform, PlatformOptions, PostInput, SaveIntent, SettingsPatch, TargetOptions,
    TargetOptionsInput, TargetStatus,
};
use creatorflow_platforms::TiktokOptions;
use creatorflow_sandbox::QuotaSpec;
use creatorflow_sandbox::platforms::tiktok::{TIKTOK_ACCOUNT_PRIVATE, TIKTOK_ACCOUNT_PUBLIC};

const PRIVATE: &str = TIKTOK_ACCOUNT_PRIVATE.0;
const PUBLIC: &str = TIKTOK_ACCOUNT_PUBLIC.0;

async fn connect(h: &Harness, creator: &str) -> creatorflow_engine::Account {
    h.sandbox
        .set_consent(creatorflow_sandbox::ConsentMode::Approve {
            account_id: Some(creator.to_owned()),
        });
    let start = h.engine.connect(Platform::Tiktok).await.expect("start");
    assert!(
        start.redirect_uri.starts_with("http://127.0.0.1:")
            && start.redirect_uri.ends_with("/oauth/tiktok/callback"),
        "{}",
        start.redirect_uri
    );
    let url = url::Url::parse(&start.authorize_url).expect("url");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert!(q.contains_key("client_key") && !q.contains_key("client_id"));
    assert_eq!(q["code_challenge"].len(), 64, "hex SHA-256");
    let back = follow_authorize(&start.authorize_url).await;
    assert!(back.starts_with(&start.redirect_uri), "{back}");
    let page = reqwest::get(&back).await.expect("the listener answers");
    assert_eq!(page.status(), 200);
    h.engine
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.platform == Platform::Tiktok && a.platform_user_id == creator)
        .expect("connected")
}

/// A two-second clip in the media folder.
async fn short_clip(h: &Harness) -> creatorflow_engine::MediaRef {
    import(
        &h.engine,
        h.dir.path(),
        "clip.mp4",
        &mp4_video(640, 360, 2, 10_000),
    )
    .await
}

fn only_me() -> TiktokOptions {
    TiktokOptions {
        privacy_level: Some("SELF_ONLY".into()),
        allow_comments: true,
        ..TiktokOptions::default()
    }
}

async fn video_post(
    h: &Harness,
    account: i64,
    media: i64,
    options: TiktokOptions,
) -> creatorflow_engine::Post {
    h.engine
        .create_post(PostInput {
            text: "Studio tour #behindthescenes".into(),
            scheduled_at: Some(Utc::now()),
            zone: "Europe/Berlin".into(),
            intent: SaveIntent::Schedule,
            account_ids: vec![account],
            media_ids: vec![media],
            alt_texts: vec![],
            options: vec![TargetOptionsInput {
                account_id: account,
                options: TargetOptions {
                    text: None,
                    network: PlatformOptions::Tiktok(options),
                },
            }],
        })
        .await
        .expect("schedule")
}

#[tokio::test]
async fn a_creator_connects_and_a_video_goes_out_once() {
    let mut h = Harness::new().await;
    let account = connect(&h, PRIVATE).await;
    assert_eq!(account.username, TIKTOK_ACCOUNT_PRIVATE.1);
    assert_eq!(account.display_name, TIKTOK_ACCOUNT_PRIVATE.2);
    // TikTok's access tokens are short; the refresh token keeps the sign-in.
    h.assert_no_token_on_disk(account.id).await;

    let info = h
        .engine
        .posting_info(account.id)
        .await
        .expect("creator info")
        .expect("TikTok has creator info");
    assert_eq!(info.display_name, TIKTOK_ACCOUNT_PRIVATE.2);
    let levels: Vec<&str> = info
        .privacy_choices
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(levels, ["SELF_ONLY"], "a new app is unaudited");

    let file = mp4_video(1080, 1920, 6, 400_000);
    let media = import(&h.engine, h.dir.path(), "tour.mp4", &file).await;
    h.start_scheduler().await;
    let post = video_post(&h, account.id, media.id, only_me()).await;
    let processing = h
        .wait_for(post.id, "processing", |s| s == TargetStatus::Processing)
        .await;
    let stage = processing.targets[0].stage.clone().unwrap_or_default();
    assert!(stage.contains("TikTok"), "{stage}");
    // TikTok's status moves on; the next checks publish it.
    let done = h
        .advance_until(
            post.id,
            Duration::seconds(15),
            "the end of processing",
            |t| t.status != TargetStatus::Processing,
        )
        .await;
    let t = &done.targets[0];
    assert_eq!(t.status, TargetStatus::Published, "{:?}", t.error);
    assert_eq!(t.attempts, 0, "processing used no attempt");
    let got = h.sandbox.received(Some("tiktok"));
    assert_eq!(got.len(), 1, "exactly once");
    assert_eq!(got[0].text, "Studio tour #behindthescenes");
    assert_eq!(got[0].extra["privacy_level"], "SELF_ONLY");
    assert_eq!(
        got[0].media[0].sha256.as_deref(),
        Some(sha256(&file).as_str())
    );
    assert!(
        t.remote_url
            .as_deref()
            .is_some_and(|u| u.contains(&format!("/@{}", TIKTOK_ACCOUNT_PRIVATE.1))),
        "{:?}",
        t.remote_url
    );
    assert!(t.remote_note.as_deref().unwrap_or("").contains("Only me"));
    h.cleanup().await;
}

#[tokio::test]
async fn a_post_that_no_longer_fits_fails_before_upload_in_words() {
    let mut h = Harness::new().await;
    let account = connect(&h, PRIVATE).await;
    // TikTok lets this creator post 5 minutes; make it 2 seconds.
    h.sandbox.with_state(|st| {
        let core = st.core("tiktok");
        let a = core
            .accounts
            .iter_mut()
            .find(|a| a.id == PRIVATE)
            .expect("creator");
        a.extra["max_video_post_duration_sec"] = serde_json::json!(2);
    });
    let media = import(
        &h.engine,
        h.dir.path(),
        "long.mp4",
        &mp4_video(640, 360, 3, 10_000),
    )
    .await;
    h.start_scheduler().await;
    let post = video_post(&h, account.id, media.id, only_me()).await;
    let done = h
        .wait_for(post.id, "failed", |s| s == TargetStatus::Failed)
        .await;
    let e = done.targets[0].error.clone().expect("error");
    assert_eq!(e.code, "video_too_long");
    assert!(
        e.message.contains("0:02") && e.message.contains("0:03"),
        "{}",
        e.message
    );
    assert!(h.sandbox.received(Some("tiktok")).is_empty());
    let inits = h
        .sandbox
        .requests(Some("tiktok"))
        .iter()
        .filter(|r| r.path == "/tiktok/v2/post/publish/video/init/")
        .count();
    assert_eq!(inits, 0, "nothing was sent");
    h.cleanup().await;
}

#[tokio::test]
async fn an_unaudited_app_on_a_public_account_fails_at_once_with_words() {
    let mut h = Harness::new().await;
    let account = connect(&h, PUBLIC).await;
    let media = short_clip(&h).await;
    h.start_scheduler().await;
    let post = video_post(&h, account.id, media.id, only_me()).await;
    let done = h
        .wait_for(post.id, "failed", |s| s == TargetStatus::Failed)
        .await;
    let t = &done.targets[0];
    let e = t.error.clone().expect("error");
    assert_eq!(e.code, "unaudited_app");
    assert!(e.message.contains("private"), "{}", e.message);
    assert_eq!(t.attempts, 1, "not retried");
    // Once TikTok audited the app (and the creator says so), it goes out.
    h.platform_settings("tiktok", serde_json::json!({"audited": true}));
    h.engine
        .update_settings(SettingsPatch {
            app_reviewed: Some(AppReviewed {
                platform: Platform::Tiktok,
                reviewed: true,
            }),
            ..SettingsPatch::default()
        })
        .await
        .expect("settings");
    assert!(
        h.engine
            .settings()
            .await
            .expect("settings")
            .reviewed_apps
            .contains(&Platform::Tiktok)
    );
    h.engine.retry_target(t.id).await.expect("retry");
    h.wait_for(post.id, "processing", |s| {
        matches!(s, TargetStatus::Processing | TargetStatus::Published)
    })
    .await;
    assert_eq!(h.sandbox.received(Some("tiktok")).len(), 1);
    h.cleanup().await;
}

#[tokio::test]
async fn tiktoks_per_minute_limit_is_waited_out_without_using_attempts() {
    let mut h = Harness::new().await;
    let account = connect(&h, PRIVATE).await;
    h.sandbox
        .set_quota(QuotaSpec {
            platform: "tiktok".into(),
            name: "POST /v2/post/publish/video/init/".into(),
            limit: 0,
            window_secs: Some(60),
            daily_utc: false,
        })
        .expect("quota");
    let media = short_clip(&h).await;
    h.start_scheduler().await;
    let post = video_post(&h, account.id, media.id, only_me()).await;
    let waiting = h
        .wait_for(post.id, "retrying", |s| s == TargetStatus::Retrying)
        .await;
    let t = &waiting.targets[0];
    assert_eq!(t.attempts, 0, "a rate limit uses no attempt");
    let wait = t.next_attempt_at.expect("next attempt") - Utc::now();
    assert!((50..=70).contains(&wait.num_seconds()), "{wait}");
    assert_eq!(
        t.error.as_ref().map(|e| e.code.as_str()),
        Some("rate_limited")
    );
    h.sandbox
        .set_quota(QuotaSpec {
            platform: "tiktok".into(),
            name: "POST /v2/post/publish/video/init/".into(),
            limit: 6,
            window_secs: Some(60),
            daily_utc: false,
        })
        .expect("quota");
    h.advance(Duration::seconds(61));
    h.wait_for(post.id, "processing", |s| {
        matches!(s, TargetStatus::Processing | TargetStatus::Published)
    })
    .await;
    assert_eq!(h.sandbox.received(Some("tiktok")).len(), 1);
    h.cleanup().await;
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn small_chunks(
    p: creatorflow_engine::Platforms,
    sandbox: &creatorflow_sandbox::SandboxHandle,
) -> creatorflow_engine::Platforms {
    use creatorflow_platforms::tiktok::{TiktokClient, TiktokEndpoints};
    p.with(std::sync::Arc::new(
        TiktokClient::new(TiktokEndpoints::under(&sandbox.url("/tiktok")))
            .with_chunk_size(5_000_000),
    ))
}

fn chunk_puts(h: &Harness) -> usize {
    h.sandbox
        .requests(Some("tiktok"))
        .iter()
        .filter(|r| r.method == "PUT" && r.path == "/tiktok/upload/video/" && r.fault.is_none())
        .count()
}

#[tokio::test]
async fn after_a_crash_mid_upload_the_next_start_goes_on_and_posts_once() {
    let mut h = Harness::with_platforms(small_chunks).await;
    let account = connect(&h, PRIVATE).await;
    // 16 MB: chunks of 5, 5 and 6 MB.
    let file = mp4_video(640, 360, 16, 1_000_000);
    let media = import(&h.engine, h.dir.path(), "crash.mp4", &file).await;
    h.sandbox
        .inject_fault(
            serde_json::from_value(serde_json::json!({
                "method": "PUT", "path": "/tiktok/upload/video/", "count": 100,
                "fault": {"kind": "delay", "ms": 300}
            }))
            .expect("fault"),
        )
        .expect("slow chunks");
    h.start_scheduler().await;
    let post = video_post(&h, account.id, media.id, only_me()).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while h
        .sandbox
        .requests(Some("tiktok"))
        .iter()
        .filter(|r| r.method == "PUT" && r.path == "/tiktok/upload/video/")
        .count()
        < 2
    {
        assert!(std::time::Instant::now() < deadline, "no upload progress");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The app goes away mid-upload.
    h.restart().await;
    h.sandbox.clear_faults();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let before = h.engine.post(post.id).await.expect("post");
    assert_eq!(
        before.targets[0].status,
        TargetStatus::Publishing,
        "left mid-publish"
    );
    h.start_scheduler().await;
    h.wait_for(post.id, "processing", |s| {
        matches!(s, TargetStatus::Processing | TargetStatus::Published)
    })
    .await;
    let got = h.sandbox.received(Some("tiktok"));
    assert_eq!(got.len(), 1, "one post, whatever was resent");
    assert_eq!(
        got[0].media[0].sha256.as_deref(),
        Some(sha256(&file).as_str())
    );
    let inits = h
        .sandbox
        .requests(Some("tiktok"))
        .iter()
        .filter(|r| r.path == "/tiktok/v2/post/publish/video/init/")
        .count();
    assert!(inits <= 2, "{inits} inits: at most one start-over");
    assert!(chunk_puts(&h) <= 3 + 3, "{} chunk PUTs", chunk_puts(&h));
    h.cleanup().await;
}

/// TikTok says `PUBLISH_COMPLETE` before it has moderated a public post: the
/// target is published at once (with the creator's profile as its link),
/// and the post's own link is filled in when TikTok gives its id.
#[tokio::test]
async fn a_public_posts_own_link_is_filled_in_when_tiktok_gives_it() {
    let mut h = Harness::new().await;
    h.platform_settings(
        "tiktok",
        serde_json::json!({"audited": true, "post_id_delay_polls": 3}),
    );
    let account = connect(&h, PUBLIC).await;
    let media = short_clip(&h).await;
    h.start_scheduler().await;
    let friends = TiktokOptions {
        privacy_level: Some("MUTUAL_FOLLOW_FRIENDS".into()),
        ..TiktokOptions::default()
    };
    let post = video_post(&h, account.id, media.id, friends).await;
    let first = h
        .advance_until(post.id, Duration::seconds(15), "published", |t| {
            t.status == TargetStatus::Published
        })
        .await;
    let t = &first.targets[0];
    assert!(
        t.remote_id
            .as_deref()
            .is_some_and(|id| id.starts_with("v_pub")),
        "{t:?}"
    );
    assert!(
        t.remote_url
            .as_deref()
            .is_some_and(|u| u.ends_with(&format!("/@{}", TIKTOK_ACCOUNT_PUBLIC.1))),
        "{t:?}"
    );
    assert!(t.next_attempt_at.is_some(), "asks again for the link");
    let profile = reqwest::get(t.remote_url.clone().expect("link"))
        .await
        .expect("profile");
    assert_eq!(profile.status(), 200, "the profile opens meanwhile");
    let later = h
        .advance_until(post.id, Duration::seconds(90), "the post's own link", |t| {
            t.status != TargetStatus::Published
                || t.remote_url
                    .as_deref()
                    .is_some_and(|u| u.contains("/video/"))
        })
        .await;
    let t = &later.targets[0];
    assert_eq!(t.status, TargetStatus::Published, "stays published");
    let id = t.remote_id.clone().expect("id");
    assert!(!id.starts_with("v_pub"), "TikTok's post id: {id}");
    assert_eq!(t.next_attempt_at, None, "nothing more to wait for");
    assert_eq!(t.attempts, 0);
    let final_link = t.remote_url.clone().expect("link");
    assert!(
        final_link.ends_with(&format!("/video/{id}")),
        "{final_link}"
    );
    let page = reqwest::get(&final_link).await.expect("post page");
    assert_eq!(page.status(), 200, "the published link opens the post");
    assert!(
        page.text()
            .await
            .expect("html")
            .contains("Studio tour #behindthescenes")
    );
    assert_eq!(h.sandbox.received(Some("tiktok")).len(), 1);
    h.cleanup().await;
}
