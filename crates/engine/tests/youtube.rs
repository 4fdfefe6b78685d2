//! YouTube end to end in the engine, against the sandbox's YouTube emulator
//! over HTTP, the OS keychain and a real SQLite file: connecting a channel
//! through the loopback redirect, a video's resumable upload (resumed after
//! an interruption and after a crash), processing followed on the check-back
//! path, rejection, the daily quota, a token that expires during a long
//! upload, deleting and changing the live video, and a Google project in
//! "Testing" status whose sign-in dies after 7 days.

mod common;

use chrono::{Duration, Utc};
use common::*;
use creatorflow_engine::{
    AccountStatus, Platform, PlatformOptions, Platforms, PostInput, SaveIntent, TargetOptions,
    TargetOptionsInput, TargetStatus,
};
use creatorflow_platforms::{YoutubeOptions, YoutubePrivacy};
use creatorflow_sandbox::SandboxHandle;
use creatorflow_sandbox::platforms::youtube::YOUTUBE_CHANNEL_CREATOR;

const CHANNEL: &str = YOUTUBE_CHANNEL_CREATOR.0;
/// 256 KiB: the smallest chunk YouTube takes, so a small file has many.
const CHUNK: u64 = 256 * 1024;

fn small_chunks(p: Platforms, sandbox: &SandboxHandle) -> Platforms {
    use creatorflow_platforms::youtube::{YoutubeClient, YoutubeEndpoints};
    p.with(std::sync::Arc::new(
        YoutubeClient::new(YoutubeEndpoints::under(&sandbox.url("/youtube")))
            .with_chunk_size(CHUNK),
    ))
}

fn youtube(title: &str) -> YoutubeOptions {
    YoutubeOptions {
        title: title.to_owned(),
        tags: vec!["making of".into(), "tools".into()],
        category_id: "28".into(),
        privacy: YoutubePrivacy::Public,
        made_for_kids: Some(false),
        notify_subscribers: false,
        thumbnail_media_id: None,
    }
}

async fn video_post(
    h: &Harness,
    account: i64,
    media: i64,
    options: YoutubeOptions,
    at: chrono::DateTime<Utc>,
) -> creatorflow_engine::Post {
    h.engine
        .create_post(PostInput {
            text: "How this video was made.".into(),
            scheduled_at: Some(at),
            zone: "Europe/Berlin".into(),
            intent: SaveIntent::Schedule,
            account_ids: vec![account],
            media_ids: vec![media],
            alt_texts: vec![],
            options: vec![TargetOptionsInput {
                account_id: account,
                options: TargetOptions {
                    text: None,
                    network: PlatformOptions::Youtube(options),
                },
            }],
        })
        .await
        .expect("schedule")
}

/// Slows every upload chunk by `ms`, so a test can act mid-upload.
fn slow_chunks(h: &Harness, ms: u64) {
    h.sandbox
        .inject_fault(
            serde_json::from_value(serde_json::json!({
                "method": "PUT", "path": "/youtube/upload/youtube/v3/videos", "count": 100,
                "fault": {"kind": "delay", "ms": ms}
            }))
            .expect("fault"),
        )
        .expect("inject");
}

/// Waits until YouTube has seen `n` upload PUTs.
async fn wait_for_chunks(h: &Harness, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while data_puts(h) < n {
        assert!(std::time::Instant::now() < deadline, "no upload progress");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn data_puts(h: &Harness) -> usize {
    h.sandbox
        .requests(Some("youtube"))
        .iter()
        .filter(|r| r.method == "PUT" && r.path == "/youtube/upload/youtube/v3/videos")
        .count()
}

#[tokio::test]
async fn a_channel_connects_through_the_loopback_redirect() {
    let h = Harness::new().await;
    let start = h.engine.connect(Platform::Youtube).await.expect("start");
    let port = start.loopback_port.expect("a loopback listener");
    assert_ne!(port, 0, "a real port was bound");
    assert_eq!(
        start.redirect_uri,
        format!("http://127.0.0.1:{port}/oauth/youtube/callback")
    );
    let url = url::Url::parse(&start.authorize_url).expect("url");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["access_type"], "offline");
    assert!(q["scope"].contains("youtube.upload"), "{}", q["scope"]);
    // Approving in the browser lands on the listener.
    h.sandbox
        .set_consent(creatorflow_sandbox::ConsentMode::Approve {
            account_id: Some(CHANNEL.into()),
        });
    let back = follow_authorize(&start.authorize_url).await;
    let page = reqwest::get(&back).await.expect("listener");
    assert_eq!(page.status(), 200);
    let account = h
        .engine
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.platform == Platform::Youtube)
        .expect("connected");
    assert_eq!(account.platform_user_id, CHANNEL);
    assert_eq!(account.username, YOUTUBE_CHANNEL_CREATOR.1);
    assert_eq!(account.display_name, YOUTUBE_CHANNEL_CREATOR.2);
    assert_eq!(account.status, AccountStatus::Connected);
    let tokens = h
        .engine
        .vault()
        .tokens(account.id)
        .await
        .expect("keychain")
        .expect("tokens");
    assert!(
        tokens.refresh_token.is_some(),
        "offline access gave a refresh token"
    );
    h.assert_no_token_on_disk(account.id).await;
    h.cleanup().await;
}

#[tokio::test]
async fn a_video_is_uploaded_in_chunks_processed_and_published() {
    let mut h = Harness::with_platforms(small_chunks).await;
    h.platform_settings("youtube", serde_json::json!({"processing_secs": 120}));
    let account = h.connect_youtube(CHANNEL).await;
    let file = mp4_video(1280, 720, 5, 300_000);
    let media = import(&h.engine, h.dir.path(), "making-of.mp4", &file).await;
    assert_eq!(media.duration_ms, Some(5000));
    assert_eq!((media.width, media.height), (Some(1280), Some(720)));
    assert_eq!(media.codec.as_deref(), Some("avc1"));
    h.start_scheduler().await;
    let post = video_post(
        &h,
        account.id,
        media.id,
        youtube("How it's made"),
        Utc::now(),
    )
    .await;

    let processing = h
        .wait_for(post.id, "processing", |s| s == TargetStatus::Processing)
        .await;
    let stage = processing.targets[0].stage.clone().unwrap_or_default();
    assert!(stage.contains("YouTube"), "stage: {stage}");
    assert!(
        data_puts(&h) as u64 >= (file.len() as u64).div_ceil(CHUNK),
        "sent in chunks"
    );
    let got = h.sandbox.received(Some("youtube"));
    assert_eq!(got.len(), 1);
    let v = &got[0];
    assert_eq!(v.extra["title"], "How it's made");
    assert_eq!(v.extra["description"], "How this video was made.");
    assert_eq!(v.extra["tags"], serde_json::json!(["making of", "tools"]));
    assert_eq!(v.extra["categoryId"], "28");
    assert_eq!(v.extra["selfDeclaredMadeForKids"], false);
    let sha = sha256(&file);
    assert_eq!(
        v.media[0].sha256.as_deref(),
        Some(sha.as_str()),
        "every byte, in order"
    );

    // YouTube finishes: the next check publishes it.
    h.advance(Duration::minutes(3));
    let done = h
        .wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    let t = &done.targets[0];
    assert_eq!(t.remote_id.as_deref(), Some(v.remote_id.as_str()));
    assert!(
        t.remote_url
            .as_deref()
            .is_some_and(|u| u.contains("watch?v=")),
        "{:?}",
        t.remote_url
    );
    assert_eq!(t.attempts, 0, "processing used no attempt");
    // The sandbox project has not passed YouTube's audit: the video is
    // private whatever was asked, and the published target says so.
    let note = t.remote_note.clone().unwrap_or_default();
    assert!(note.contains("private"), "note: {note}");
    h.assert_no_token_on_disk(account.id).await;
    h.cleanup().await;
}

#[tokio::test]
async fn rejected_by_youtube_fails_with_its_reason_in_words() {
    let mut h = Harness::new().await;
    h.platform_settings(
        "youtube",
        serde_json::json!({"processing_secs": 60, "reject_processing": "duplicate"}),
    );
    let account = h.connect_youtube(CHANNEL).await;
    let media = import(
        &h.engine,
        h.dir.path(),
        "again.mp4",
        &mp4_video(640, 360, 2, 50_000),
    )
    .await;
    let mut notices = h.engine.notices().subscribe();
    h.start_scheduler().await;
    let post = video_post(&h, account.id, media.id, youtube("Once more"), Utc::now()).await;
    h.wait_for(post.id, "processing", |s| s == TargetStatus::Processing)
        .await;
    h.advance(Duration::minutes(2));
    let failed = h
        .wait_for(post.id, "failed", |s| s == TargetStatus::Failed)
        .await;
    let error = failed.targets[0].error.clone().expect("error");
    assert!(error.message.contains("duplicate"), "{}", error.message);
    assert!(error.detail.unwrap_or_default().contains("duplicate"));
    let notice = notices.recv().await.expect("notice");
    assert_eq!(notice.kind, creatorflow_engine::NoticeKind::PublishFailed);
    h.cleanup().await;
}

#[tokio::test]
async fn a_spent_daily_quota_waits_for_the_pacific_reset_without_using_attempts() {
    let mut h = Harness::new().await;
    h.platform_settings("youtube", serde_json::json!({"insert_calls_per_day": 0}));
    let account = h.connect_youtube(CHANNEL).await;
    let media = import(
        &h.engine,
        h.dir.path(),
        "tomorrow.mp4",
        &mp4_video(640, 360, 2, 50_000),
    )
    .await;
    h.start_scheduler().await;
    let post = video_post(
        &h,
        account.id,
        media.id,
        youtube("Waits for the quota"),
        Utc::now(),
    )
    .await;
    let waiting = h
        .wait_for(post.id, "waiting for the quota", |s| {
            s == TargetStatus::Retrying
        })
        .await;
    let t = &waiting.targets[0];
    assert_eq!(t.attempts, 0, "a spent quota is not the post's fault");
    let next = t.next_attempt_at.expect("when it tries again");
    let pacific = next.with_timezone(&chrono_tz::America::Los_Angeles);
    assert_eq!(
        (
            pacific.format("%H:%M").to_string(),
            pacific.date_naive()
                > Utc::now()
                    .with_timezone(&chrono_tz::America::Los_Angeles)
                    .date_naive()
        ),
        ("00:00".to_owned(), true),
        "the next midnight in Pacific time: {pacific}"
    );
    let message = t.error.clone().expect("why").message;
    assert!(
        message.contains("quota") && message.contains("Pacific"),
        "{message}"
    );
    h.cleanup().await;
}

#[tokio::test]
async fn an_interrupted_upload_resumes_where_youtube_says_it_stopped() {
    let mut h = Harness::with_platforms(small_chunks).await;
    let account = h.connect_youtube(CHANNEL).await;
    let file = mp4_video(640, 360, 8, 200_000);
    let chunks = (file.len() as u64).div_ceil(CHUNK) as usize;
    let media = import(&h.engine, h.dir.path(), "long.mp4", &file).await;
    // Every chunk is slowed a little, so the test can act mid-upload.
    slow_chunks(&h, 150);
    h.start_scheduler().await;
    let post = video_post(&h, account.id, media.id, youtube("Resumed"), Utc::now()).await;
    // Wait until a few chunks are in, then YouTube answers 503 once.
    wait_for_chunks(&h, 3).await;
    h.sandbox.clear_faults();
    h.sandbox
        .inject_fault(
            serde_json::from_value(serde_json::json!({
                "method": "PUT", "path": "/youtube/upload/youtube/v3/videos", "count": 1,
                "fault": {"kind": "status", "status": 503}
            }))
            .expect("fault"),
        )
        .expect("inject");
    h.wait_for(post.id, "processing", |s| s == TargetStatus::Processing)
        .await;
    let got = h.sandbox.received(Some("youtube"));
    assert_eq!(got.len(), 1, "one video, not two");
    let sha = sha256(&file);
    assert_eq!(got[0].media[0].sha256.as_deref(), Some(sha.as_str()));
    // Each chunk once, plus at most the refused one again and a status probe.
    let puts = data_puts(&h);
    assert!(
        puts <= chunks + 2,
        "{puts} PUTs for {chunks} chunks: more than one chunk was sent twice"
    );
    h.cleanup().await;
}

#[tokio::test]
async fn a_check_cut_off_by_an_exit_is_made_again_at_the_next_start() {
    let mut h = Harness::new().await;
    h.platform_settings("youtube", serde_json::json!({"processing_secs": 60}));
    let account = h.connect_youtube(CHANNEL).await;
    let media = import(
        &h.engine,
        h.dir.path(),
        "checked.mp4",
        &mp4_video(640, 360, 2, 50_000),
    )
    .await;
    h.start_scheduler().await;
    let post = video_post(
        &h,
        account.id,
        media.id,
        youtube("Checked again"),
        Utc::now(),
    )
    .await;
    h.wait_for(post.id, "processing", |s| s == TargetStatus::Processing)
        .await;
    // The app went away while it was checking: the check's lease (the
    // scheduler's is ten minutes) is still on the target.
    let held = (Utc::now() + Duration::days(1)).timestamp_millis();
    sqlx::query("UPDATE post_targets SET lease_until = ? WHERE post_id = ?")
        .bind(held)
        .bind(post.id)
        .execute(h.engine.store().pool())
        .await
        .expect("a lease left behind");
    h.restart().await;
    h.advance(Duration::minutes(2));
    h.start_scheduler().await;
    let done = h
        .wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    assert_eq!(done.targets[0].attempts, 0);
    h.cleanup().await;
}

#[tokio::test]
async fn after_a_crash_mid_upload_the_next_start_resumes_the_session() {
    let mut h = Harness::with_platforms(small_chunks).await;
    let account = h.connect_youtube(CHANNEL).await;
    let file = mp4_video(640, 360, 8, 200_000);
    let chunks = (file.len() as u64).div_ceil(CHUNK) as usize;
    let media = import(&h.engine, h.dir.path(), "crash.mp4", &file).await;
    slow_chunks(&h, 300);
    h.start_scheduler().await;
    let post = video_post(
        &h,
        account.id,
        media.id,
        youtube("Survives a crash"),
        Utc::now(),
    )
    .await;
    wait_for_chunks(&h, 3).await;
    // The app goes away mid-upload: its database closes under the publish,
    // which cannot record anything more.
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
    h.wait_for(post.id, "processing", |s| s == TargetStatus::Processing)
        .await;
    let got = h.sandbox.received(Some("youtube"));
    assert_eq!(got.len(), 1, "resumed, not uploaded again");
    let sha = sha256(&file);
    assert_eq!(got[0].media[0].sha256.as_deref(), Some(sha.as_str()));
    let puts = data_puts(&h);
    assert!(puts <= chunks + 2, "{puts} PUTs for {chunks} chunks");
    h.cleanup().await;
}

#[tokio::test]
async fn a_token_expiring_during_a_long_upload_is_renewed_once() {
    let mut h = Harness::with_platforms(small_chunks).await;
    h.platform_settings("youtube", serde_json::json!({"processing_secs": 1}));
    let account = h.connect_youtube(CHANNEL).await;
    let file = mp4_video(640, 360, 6, 200_000);
    let media = import(&h.engine, h.dir.path(), "long.mp4", &file).await;
    slow_chunks(&h, 100);
    let refreshes = |h: &Harness| {
        h.sandbox
            .requests(Some("youtube"))
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/youtube/token")
            .count()
    };
    let before = refreshes(&h);
    h.start_scheduler().await;
    let post = video_post(&h, account.id, media.id, youtube("A long one"), Utc::now()).await;
    wait_for_chunks(&h, 2).await;
    // Two hours pass at Google mid-upload: the access token CreatorFlow
    // holds is dead there, though CreatorFlow's clock does not know yet.
    h.sandbox.advance_clock(2 * 3600);
    h.sandbox.clear_faults();
    h.wait_for(post.id, "processing", |s| s == TargetStatus::Processing)
        .await;
    h.clock.advance(Duration::minutes(2));
    h.engine.wake_scheduler();
    h.wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    assert_eq!(
        refreshes(&h) - before,
        1,
        "renewed once, through the single-flight refresh"
    );
    let acc = h
        .engine
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.id == account.id)
        .expect("account");
    assert_eq!(acc.status, AccountStatus::Connected);
    h.cleanup().await;
}

#[tokio::test]
async fn the_live_video_is_changed_and_deleted_at_youtube() {
    let mut h = Harness::new().await;
    h.platform_settings(
        "youtube",
        serde_json::json!({"processing_secs": 1, "audited": true}),
    );
    let account = h.connect_youtube(CHANNEL).await;
    let media = import(
        &h.engine,
        h.dir.path(),
        "clip.mp4",
        &mp4_video(640, 360, 2, 50_000),
    )
    .await;
    h.start_scheduler().await;
    let post = video_post(&h, account.id, media.id, youtube("First title"), Utc::now()).await;
    h.wait_for(post.id, "processing", |s| s == TargetStatus::Processing)
        .await;
    h.advance(Duration::minutes(2));
    let live = h
        .wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    let t = live.targets[0].clone();
    assert_eq!(
        t.remote_note, None,
        "an audited project keeps the privacy asked for"
    );

    let mut changed = youtube("A better title");
    changed.privacy = YoutubePrivacy::Unlisted;
    h.engine
        .update_at_network(
            t.id,
            TargetOptions {
                text: Some("A better description.".into()),
                network: PlatformOptions::Youtube(changed.clone()),
            },
        )
        .await
        .expect("update on YouTube");
    let video = h
        .sandbox
        .with_state(|st| {
            st.youtube
                .videos
                .get(t.remote_id.as_deref().unwrap_or(""))
                .cloned()
        })
        .expect("the video");
    assert_eq!(video.snippet.title, "A better title");
    assert_eq!(video.snippet.description, "A better description.");
    assert_eq!(video.status.privacy_status, "unlisted");
    let kept = h.engine.post(post.id).await.expect("post");
    assert_eq!(
        kept.targets[0].options.network,
        PlatformOptions::Youtube(changed),
        "CreatorFlow keeps what YouTube took"
    );
    // A title YouTube refuses is refused before it is sent.
    let bad = h
        .engine
        .update_at_network(
            t.id,
            TargetOptions {
                text: None,
                network: PlatformOptions::Youtube(youtube("<script>")),
            },
        )
        .await
        .expect_err("< in a title");
    assert!(
        bad.user_message().contains("YouTube"),
        "{}",
        bad.user_message()
    );

    h.engine
        .delete_at_network(t.id)
        .await
        .expect("delete at YouTube");
    let gone = h.engine.post(post.id).await.expect("post");
    assert_eq!(gone.targets[0].status, TargetStatus::Deleted);
    assert!(h.sandbox.received(Some("youtube"))[0].deleted);
    let outcomes: Vec<_> = creatorflow_engine::activity::attempts(h.engine.store(), t.id)
        .await
        .expect("history")
        .into_iter()
        .filter_map(|a| a.outcome)
        .collect();
    // The refused title never reached YouTube, so it left no entry.
    assert_eq!(outcomes, ["processing", "published", "updated", "deleted"]);
    h.cleanup().await;
}

#[tokio::test]
async fn a_testing_project_sign_in_dies_after_7_days_and_says_so() {
    let mut h = Harness::new().await;
    h.platform_settings(
        "youtube",
        serde_json::json!({"publishing_status": "testing"}),
    );
    let account = h.connect_youtube(CHANNEL).await;
    let media = import(
        &h.engine,
        h.dir.path(),
        "late.mp4",
        &mp4_video(640, 360, 2, 50_000),
    )
    .await;
    // Eight days later, at Google and here: the access token is old and
    // the refresh token died with the 7-day rule.
    h.sandbox.advance_clock(8 * 24 * 3600);
    h.clock.advance(Duration::days(8));
    let mut notices = h.engine.notices().subscribe();
    h.start_scheduler().await;
    let post = video_post(
        &h,
        account.id,
        media.id,
        youtube("Too late"),
        h.engine.now(),
    )
    .await;
    let held = h
        .wait_for(post.id, "waiting for a reconnect", |s| {
            s == TargetStatus::NeedsReauth
        })
        .await;
    assert_eq!(held.targets[0].attempts, 0);
    let acc = h
        .engine
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.id == account.id)
        .expect("account");
    assert_eq!(acc.status, AccountStatus::NeedsReauth);
    let reason = acc.status_reason.unwrap_or_default();
    assert!(
        reason.contains("Testing") && reason.contains("7 days"),
        "{reason}"
    );
    let notice = notices.recv().await.expect("notice");
    assert_eq!(notice.kind, creatorflow_engine::NoticeKind::NeedsReconnect);
    assert!(
        h.sandbox.received(Some("youtube")).is_empty(),
        "nothing was uploaded"
    );
    h.cleanup().await;
}
