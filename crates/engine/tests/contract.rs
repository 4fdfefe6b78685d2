//! The platform contract as the engine runs it, against the sandbox over
//! HTTP, the OS keychain and a real SQLite file: a publish the network
//! finishes later frees its worker and is checked back; typed options reach
//! validation and publishing unchanged; a live post can be deleted at its
//! network with its history kept; a post is never silently left live; a
//! sign-in that will lapse is announced ahead.

mod common;

use chrono::{Duration, Utc};
use common::*;
use creatorflow_engine::accounts::{self, AccountProfile};
use creatorflow_engine::{
    DeleteScope, ErrorCode, NoticeKind, Platform, PlatformOptions, PostInput, SaveIntent,
    TargetOptions, TargetOptionsInput, TargetStatus,
};
use creatorflow_platforms::{XOptions, YoutubeOptions};

const CREATOR: &str = "1500000000000000001";

fn spinner_gif() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../platforms/tests/fixtures/spinner.gif"
    ))
    .expect("the GIF fixture")
}

#[tokio::test]
async fn x_processing_a_gif_frees_the_worker_and_is_checked_back() {
    let mut h = Harness::new().await;
    // X keeps the GIF "pending" for 3 STATUS polls, 2 s apart.
    h.sandbox
        .update_platform_settings(
            "x",
            serde_json::json!({"check_after_secs": 2, "video_processing_polls": 3}),
        )
        .expect("x settings");
    let account = h.connect_x(CREATOR).await;
    let gif = import(&h.engine, h.dir.path(), "spinner.gif", &spinner_gif()).await;
    let mut changes = h.engine.subscribe();
    h.start_scheduler().await;
    let now = Utc::now();
    let with_gif = h
        .engine
        .create_post(PostInput {
            media_ids: vec![gif.id],
            ..post_input("A moving picture", now, &[account.id])
        })
        .await
        .expect("schedule");
    let processing = h
        .wait_for(with_gif.id, "processing", |s| s == TargetStatus::Processing)
        .await;
    let stage = processing.targets[0].stage.clone().unwrap_or_default();
    assert!(stage.contains("X is processing the GIF"), "stage: {stage}");
    // While X processes the GIF, the account's next post goes out: the
    // worker and the account are free.
    let plain = h
        .schedule("Text while the GIF is processed", Utc::now(), &[account.id])
        .await;
    h.wait_for(plain.id, "published", |s| s == TargetStatus::Published)
        .await;
    assert_eq!(
        h.engine.post(with_gif.id).await.expect("post").targets[0].status,
        TargetStatus::Processing,
        "still processing when the other post went out"
    );
    let done = h
        .wait_for(with_gif.id, "published", |s| s == TargetStatus::Published)
        .await;
    let target = &done.targets[0];
    assert_eq!(target.attempts, 0, "waiting for X used no attempt");
    let got = h.sandbox.received(Some("x"));
    assert_eq!(got.len(), 2);
    assert!(got.iter().any(|p| p.text == "A moving picture"));
    let history = creatorflow_engine::activity::attempts(h.engine.store(), target.id)
        .await
        .expect("history");
    let outcomes: Vec<_> = history.iter().filter_map(|a| a.outcome.clone()).collect();
    assert_eq!(outcomes, ["processing", "published"]);
    // Each status change was announced with the write.
    let mut seen = 0;
    while let Ok(c) = changes.try_recv() {
        seen += usize::from(c.ids.contains(&with_gif.id));
    }
    assert!(seen >= 3, "created, claimed, processing, published: {seen}");
    h.cleanup().await;
}

fn post_input(text: &str, at: chrono::DateTime<Utc>, accounts: &[i64]) -> PostInput {
    PostInput {
        text: text.to_owned(),
        scheduled_at: Some(at),
        zone: "UTC".into(),
        intent: SaveIntent::Schedule,
        account_ids: accounts.to_vec(),
        media_ids: vec![],
        alt_texts: vec![],
        options: vec![],
    }
}

#[tokio::test]
async fn typed_options_reach_validation_and_publishing_unchanged() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    let thread = |parts: &[&str]| TargetOptionsInput {
        account_id: account.id,
        options: TargetOptions {
            text: None,
            network: PlatformOptions::X(XOptions {
                thread: parts.iter().map(|s| (*s).to_owned()).collect(),
            }),
        },
    };
    // The composer's check sees the thread: a part over X's limit is named.
    let long = "b".repeat(281);
    let check = h
        .engine
        .check_post(&PostInput {
            options: vec![thread(&["second", &long])],
            ..post_input("first", Utc::now(), &[account.id])
        })
        .await
        .expect("check");
    let fields: Vec<_> = check[0].counts.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["text", "thread.1", "thread.2"]);
    assert_eq!(check[0].counts[2].used, 281);
    assert_eq!(check[0].issues[0].field.as_deref(), Some("thread.2"));
    // Options of another network are refused, not silently dropped.
    let wrong = h
        .engine
        .create_post(PostInput {
            options: vec![TargetOptionsInput {
                account_id: account.id,
                options: TargetOptions {
                    text: None,
                    network: PlatformOptions::Youtube(YoutubeOptions::default()),
                },
            }],
            ..post_input("first", Utc::now(), &[account.id])
        })
        .await
        .expect_err("youtube options on an X account");
    assert_eq!(wrong.code(), ErrorCode::InvalidInput);
    assert!(
        wrong.user_message().contains("YouTube options"),
        "{}",
        wrong.user_message()
    );
    // What was checked is what goes out.
    h.start_scheduler().await;
    let post = h
        .engine
        .create_post(PostInput {
            options: vec![thread(&["second part", "third part"])],
            ..post_input("first part", Utc::now(), &[account.id])
        })
        .await
        .expect("schedule");
    let stored = &post.targets[0].options;
    assert_eq!(
        stored.network,
        PlatformOptions::X(XOptions {
            thread: vec!["second part".into(), "third part".into()]
        })
    );
    h.wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    let texts: Vec<_> = h
        .sandbox
        .received(Some("x"))
        .into_iter()
        .map(|p| p.text)
        .collect();
    assert_eq!(texts, ["first part", "second part", "third part"]);
    h.cleanup().await;
}

#[tokio::test]
async fn a_live_post_is_deleted_at_the_network_and_its_history_keeps_it() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.start_scheduler().await;
    let post = h
        .schedule("Soon to be gone", Utc::now(), &[account.id])
        .await;
    let live = h
        .wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    let target = &live.targets[0];
    let remote = target.remote_id.clone().expect("remote id");
    assert!(!h.sandbox.received(Some("x"))[0].deleted);

    h.engine
        .delete_at_network(target.id)
        .await
        .expect("delete at X");
    let after = h
        .engine
        .post(post.id)
        .await
        .expect("the post stays in CreatorFlow");
    assert_eq!(after.targets[0].status, TargetStatus::Deleted);
    assert!(after.targets[0].deleted_at.is_some());
    let at_x = h.sandbox.received(Some("x"));
    assert!(
        at_x.iter().any(|p| p.remote_id == remote && p.deleted),
        "X deleted it: {at_x:?}"
    );
    let history = creatorflow_engine::activity::attempts(h.engine.store(), target.id)
        .await
        .expect("history");
    let outcomes: Vec<_> = history.iter().filter_map(|a| a.outcome.clone()).collect();
    assert_eq!(outcomes, ["published", "deleted"]);
    // Deleting again is refused in words: it is not live any more.
    let again = h
        .engine
        .delete_at_network(target.id)
        .await
        .expect_err("not live");
    assert_eq!(again.code(), ErrorCode::Conflict);
    assert!(again.user_message().contains("not live on X"));
    h.cleanup().await;
}

#[tokio::test]
async fn deleting_a_post_says_where_it_goes_and_a_failure_keeps_it() {
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    h.start_scheduler().await;
    let keep = h.schedule("Stays on X", Utc::now(), &[account.id]).await;
    let gone = h.schedule("Leaves X too", Utc::now(), &[account.id]).await;
    for p in [&keep, &gone] {
        h.wait_for(p.id, "published", |s| s == TargetStatus::Published)
            .await;
    }
    let x_post = |text: &str| {
        h.sandbox
            .received(Some("x"))
            .into_iter()
            .find(|p| p.text == text)
            .expect("received")
    };

    // "Keep it on X, remove from CreatorFlow".
    h.engine
        .delete_post(keep.id, DeleteScope::AppOnly)
        .await
        .expect("remove from CreatorFlow");
    assert!(!x_post("Stays on X").deleted, "still live on X");
    assert!(h.engine.post(keep.id).await.is_err());

    // "Delete from X too", while X refuses: nothing is removed anywhere.
    h.sandbox
        .inject_fault(
            serde_json::from_value(serde_json::json!({
                "method": "DELETE", "path": "/x/2/tweets/*", "count": 1,
                "fault": {"kind": "status", "status": 503}
            }))
            .expect("fault"),
        )
        .expect("inject");
    let refused = h
        .engine
        .delete_post(gone.id, DeleteScope::Everywhere)
        .await
        .expect_err("X answered 503");
    assert!(
        refused.user_message().contains("X did not delete the post"),
        "{}",
        refused.user_message()
    );
    assert!(!x_post("Leaves X too").deleted);
    let kept = h.engine.post(gone.id).await.expect("the post is kept");
    assert_eq!(kept.targets[0].status, TargetStatus::Published);
    // Once X answers again it goes from both.
    h.engine
        .delete_post(gone.id, DeleteScope::Everywhere)
        .await
        .expect("deleted everywhere");
    assert!(x_post("Leaves X too").deleted);
    assert!(h.engine.post(gone.id).await.is_err());
    h.cleanup().await;
}

#[tokio::test]
async fn a_sign_in_that_will_lapse_is_announced_7_and_1_days_ahead() {
    let mut h = Harness::new().await;
    let now = h.engine.now();
    // An account whose network gives a 60-day token and no refresh token,
    // six and a half days before it lapses.
    let id = accounts::upsert(
        h.engine.store(),
        &AccountProfile {
            platform: Platform::Linkedin,
            platform_user_id: "li-lapsing".into(),
            username: "lapsing".into(),
            display_name: "Lapsing".into(),
            avatar_url: None,
            email: None,
            scopes: vec![],
            token_expires_at: Some(now + Duration::hours(156)),
            reauth_by: Some(now + Duration::hours(156)),
        },
        now,
    )
    .await
    .expect("account");
    let mut notices = h.engine.notices().subscribe();
    h.start_scheduler().await;
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), notices.recv())
        .await
        .expect("a reminder")
        .expect("notice");
    assert_eq!(first.kind, NoticeKind::ReconnectSoon);
    assert_eq!(first.account_id, Some(id));
    assert!(
        first.title.contains("in 7 days") || first.title.contains("in 6 days"),
        "{}",
        first.title
    );
    // Once per threshold: a restart and a wake-up send nothing more.
    h.restart().await;
    let mut notices = h.engine.notices().subscribe();
    h.start_scheduler().await;
    h.engine.wake_scheduler();
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(1500), notices.recv())
            .await
            .is_err(),
        "reminded twice for 7 days"
    );
    // A day before: the second reminder.
    h.clock.advance(Duration::hours(140));
    h.engine.wake_scheduler();
    let second = tokio::time::timeout(std::time::Duration::from_secs(10), notices.recv())
        .await
        .expect("the 1-day reminder")
        .expect("notice");
    assert_eq!(second.kind, NoticeKind::ReconnectSoon);
    assert!(second.title.contains("within"), "{}", second.title);
    let account = h
        .engine
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.id == id)
        .expect("listed");
    assert!(
        account.reauth_by.is_some(),
        "the Accounts badge has its date"
    );
    // Lapsed: the account needs reconnecting, its posts wait.
    h.clock.advance(Duration::hours(17));
    h.engine.wake_scheduler();
    let lapsed = tokio::time::timeout(std::time::Duration::from_secs(10), notices.recv())
        .await
        .expect("needs reconnect")
        .expect("notice");
    assert_eq!(lapsed.kind, NoticeKind::NeedsReconnect);
    let status = h
        .engine
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.id == id)
        .map(|a| a.status);
    assert_eq!(status, Some(creatorflow_engine::AccountStatus::NeedsReauth));
    h.cleanup().await;
}

#[tokio::test]
async fn a_saved_client_secret_stays_until_the_client_changes() {
    let h = Harness::new().await;
    async fn secret(h: &Harness) -> Option<String> {
        h.engine
            .vault()
            .client(Platform::Youtube)
            .await
            .expect("keychain")
            .and_then(|c| c.client_secret)
    }
    h.engine
        .set_platform_client(
            Platform::Youtube,
            "app-1.apps.googleusercontent.com",
            Some("s3cret-1"),
        )
        .await
        .expect("save");
    assert_eq!(secret(&h).await.as_deref(), Some("s3cret-1"));
    // Saving the same client again without typing the secret keeps it.
    h.engine
        .set_platform_client(Platform::Youtube, "app-1.apps.googleusercontent.com", None)
        .await
        .expect("save again");
    assert_eq!(secret(&h).await.as_deref(), Some("s3cret-1"));
    // Another client does not inherit it.
    h.engine
        .set_platform_client(Platform::Youtube, "app-2.apps.googleusercontent.com", None)
        .await
        .expect("another app");
    assert_eq!(secret(&h).await, None);
    let _ = h.engine.vault().delete_client(Platform::Youtube).await;
    h.cleanup().await;
}

#[tokio::test]
async fn alt_texts_are_kept_per_post_and_bounded() {
    let h = Harness::new().await;
    let picture = import(&h.engine, h.dir.path(), "team.png", &png(40, 30, 3)).await;
    let input = |alt: &str| PostInput {
        text: "Our team".into(),
        scheduled_at: None,
        zone: "UTC".into(),
        intent: SaveIntent::Draft,
        account_ids: vec![],
        media_ids: vec![picture.id],
        alt_texts: vec![creatorflow_engine::MediaAlt {
            media_id: picture.id,
            text: alt.to_owned(),
        }],
        options: vec![],
    };
    let post = h
        .engine
        .create_post(input("  Five people laughing at a whiteboard  "))
        .await
        .expect("saved");
    assert_eq!(
        post.media[0].alt_text.as_deref(),
        Some("Five people laughing at a whiteboard"),
        "trimmed and kept with the post"
    );
    // The same file in another post has its own (here none).
    let other = h
        .engine
        .create_post(PostInput {
            alt_texts: vec![],
            ..input("")
        })
        .await
        .expect("saved");
    assert_eq!(other.media[0].alt_text, None);
    let too_long = h
        .engine
        .update_post(post.id, input(&"x".repeat(4_001)))
        .await
        .expect_err("too long");
    assert_eq!(too_long.code(), ErrorCode::InvalidInput);
    assert_eq!(
        h.engine.post(post.id).await.expect("post").media[0]
            .alt_text
            .as_deref(),
        Some("Five people laughing at a whiteboard"),
        "nothing changed"
    );
    h.cleanup().await;
}
