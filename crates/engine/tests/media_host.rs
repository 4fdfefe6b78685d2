//! The creator's media host against a real S3-compatible server (`s3s-fs`
//! over HTTP on 127.0.0.1), a real SQLite file and the OS keychain (run under
//! scripts/desktop-session.sh): the connection test in words, files put there
//! for a target and fetched as a network would (presigned links and a public
//! base URL), re-used for the same target and file, deleted once the target
//! is published, has failed for good or its post is deleted (a failed
//! deletion is tried again later), a misconfigured or unreachable host failing
//! a post in words without losing it, and the secret never leaving the
//! keychain.

mod common;
mod s3_server;

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{Duration, Utc};
use common::*;
use creatorflow_engine::media_host::{MediaHostConfig, MediaHostStep};
use creatorflow_engine::{Platforms, Post, PostInput, SaveIntent, TargetStatus};
use creatorflow_platforms::x::{XClient, XEndpoints};
use creatorflow_platforms::{
    Authenticator, Capabilities, ErrorKind, Outcome, PlatformError, Profile, PublishRequest,
    PublishSink, Publisher, Reconciled, TokenSource, ValidationIssue,
};
use creatorflow_sandbox::SandboxHandle;
use s3_server::*;

const CREATOR: &str = "1500000000000000001";

async fn set_host(h: &Harness, config: MediaHostConfig, secret: &str) {
    h.engine
        .set_media_host(config, Some(secret))
        .await
        .expect("media host saved");
}

/// Every file of the post, as a network's client gets them.
async fn files(h: &Harness, post: i64) -> Vec<creatorflow_platforms::MediaFile> {
    creatorflow_engine::posts::post_media_files(h.engine.store(), &h.engine.media_dir(), post)
        .await
        .expect("media files")
}

async fn draft_with_picture(h: &Harness, account: i64, seed: u8) -> Post {
    let picture = import(&h.engine, h.dir.path(), "picture.png", &png(64, 48, seed)).await;
    h.engine
        .create_post(PostInput {
            text: format!("A picture {seed}"),
            scheduled_at: None,
            zone: "UTC".into(),
            intent: SaveIntent::Draft,
            account_ids: vec![account],
            media_ids: vec![picture.id],
            alt_texts: vec![],
            options: vec![],
        })
        .await
        .expect("draft")
}

/// A post with a picture, scheduled three days ahead (so it waits).
async fn scheduled_picture(h: &Harness, account: i64, seed: u8) -> Post {
    let picture = import(&h.engine, h.dir.path(), "picture.png", &png(64, 48, seed)).await;
    h.engine
        .create_post(PostInput {
            text: format!("Later, a picture {seed}"),
            scheduled_at: Some(Utc::now() + Duration::days(3)),
            zone: "UTC".into(),
            intent: SaveIntent::Schedule,
            account_ids: vec![account],
            media_ids: vec![picture.id],
            alt_texts: vec![],
            options: vec![],
        })
        .await
        .expect("scheduled")
}

async fn fetch(url: &str) -> (u16, Vec<u8>) {
    let r = reqwest::get(url).await.expect("the URL answers");
    let status = r.status().as_u16();
    (status, r.bytes().await.expect("body").to_vec())
}

/// Waits until the S3 server holds exactly `n` of CreatorFlow's objects.
async fn hosted_rows(h: &Harness) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM hosted_media")
        .fetch_one(h.engine.store().pool())
        .await
        .expect("count")
}

/// The sweeper forgets a hosted file just after deleting it from the
/// bucket: waits (at most 10 s) for that too.
async fn no_hosted_rows(h: &Harness) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while hosted_rows(h).await > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the hosted file is still recorded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn finish(h: Harness) {
    let _ = h.engine.vault().delete_media_host_secret().await;
    h.cleanup().await;
}

// ---- a network that fetches media from a URL ------------------------------

/// What the hosting network fetched: (post text, URL, bytes matched).
static FETCHED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// X's client, with Instagram's habit in front: before publishing, each file
/// goes to the creator's media host through the sink, and is fetched back
/// from the URL it answered, as Instagram's servers do. A post whose text
/// says `[refuse]` is then refused for good; `[flaky]` fails once, as a
/// dropped connection would.
struct HostingX {
    inner: XClient,
}

fn hosting_x(p: Platforms, sandbox: &SandboxHandle) -> Platforms {
    let base = sandbox.base_url().join("x").expect("x url");
    p.with(Arc::new(HostingX {
        inner: XClient::new(XEndpoints::under(&base)),
    }))
}

#[async_trait]
impl Publisher for HostingX {
    fn platform(&self) -> creatorflow_platforms::Platform {
        self.inner.platform()
    }
    fn authenticator(&self) -> &dyn Authenticator {
        self.inner.authenticator()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn validate(&self, post: &PublishRequest) -> Vec<ValidationIssue> {
        self.inner.validate(post)
    }
    async fn profiles(
        &self,
        tokens: &dyn TokenSource,
        granted: &[String],
    ) -> Result<Vec<Profile>, PlatformError> {
        self.inner.profiles(tokens, granted).await
    }
    async fn publish(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &mut serde_json::Value,
        sink: &dyn PublishSink,
    ) -> Result<Outcome, PlatformError> {
        for file in &post.media {
            let hosted = sink.host_media(file).await?;
            let r = reqwest::get(&hosted.url).await.map_err(|e| {
                PlatformError::new(ErrorKind::Network, "fetch", format!("fetch: {e}"))
            })?;
            let bytes = r.bytes().await.map_err(|e| {
                PlatformError::new(ErrorKind::Network, "fetch", format!("fetch: {e}"))
            })?;
            let same = std::fs::read(&file.path).is_ok_and(|b| b == bytes);
            if !same {
                return Err(PlatformError::new(
                    ErrorKind::Rejected,
                    "fetch_mismatch",
                    "The hosted file was not the attached one.",
                ));
            }
            FETCHED
                .lock()
                .expect("fetched")
                .push((post.text.clone(), hosted.url.clone()));
        }
        if post.text.contains("[refuse]") {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "refused",
                "The network refused this post.",
            ));
        }
        if post.text.contains("[flaky]") && fetched_for(&post.text).len() == 1 {
            return Err(PlatformError::new(
                ErrorKind::Network,
                "connection_reset",
                "The connection broke off.",
            ));
        }
        self.inner.publish(tokens, post, checkpoint, sink).await
    }
    async fn reconcile(
        &self,
        tokens: &dyn TokenSource,
        post: &PublishRequest,
        checkpoint: &serde_json::Value,
    ) -> Result<Reconciled, PlatformError> {
        self.inner.reconcile(tokens, post, checkpoint).await
    }
}

fn fetched_for(text: &str) -> Vec<String> {
    FETCHED
        .lock()
        .expect("fetched")
        .iter()
        .filter(|(t, _)| t == text)
        .map(|(_, u)| u.clone())
        .collect()
}

async fn schedule_picture(h: &Harness, account: i64, text: &str, seed: u8) -> Post {
    let picture = import(&h.engine, h.dir.path(), "picture.png", &png(64, 48, seed)).await;
    h.engine
        .create_post(PostInput {
            text: text.to_owned(),
            scheduled_at: Some(Utc::now()),
            zone: "UTC".into(),
            intent: SaveIntent::Schedule,
            account_ids: vec![account],
            media_ids: vec![picture.id],
            alt_texts: vec![],
            options: vec![],
        })
        .await
        .expect("schedule")
}

// ---- the connection test -------------------------------------------------

#[tokio::test]
async fn the_connection_test_uploads_fetches_and_deletes() {
    let s3 = S3Server::start().await;
    let h = Harness::new().await;
    let refused = h
        .engine
        .test_media_host()
        .await
        .expect_err("nothing set up");
    assert!(refused.user_message().contains("Set up a media host"));

    set_host(&h, s3.presigned(), SECRET_KEY).await;
    let test = h.engine.test_media_host().await.expect("test ran");
    assert!(test.passed, "{test:?}");
    let steps: Vec<_> = test.steps.iter().map(|s| (s.step, s.passed)).collect();
    assert_eq!(
        steps,
        [
            (MediaHostStep::Upload, true),
            (MediaHostStep::Fetch, true),
            (MediaHostStep::Delete, true)
        ]
    );
    assert!(test.steps[1].message.contains("presigned link"));
    // 127.0.0.1 works here, not for Instagram's servers: said, not failed.
    assert!(
        test.warning
            .as_deref()
            .is_some_and(|w| w.contains("Instagram's servers cannot")),
        "{test:?}"
    );
    assert!(s3.objects().is_empty(), "the test file was deleted");
    finish(h).await;
}

#[tokio::test]
async fn the_connection_test_says_which_step_failed_in_words() {
    let s3 = S3Server::start().await;
    let h = Harness::new().await;
    let failed_step = |t: &creatorflow_engine::media_host::MediaHostTest| {
        t.steps
            .iter()
            .find(|s| !s.passed)
            .map(|s| (s.step, s.message.clone()))
            .unwrap_or_else(|| panic!("a step failed: {t:?}"))
    };

    // Wrong keys.
    set_host(&h, s3.presigned(), "not-the-secret").await;
    let t = h.engine.test_media_host().await.expect("test ran");
    let (step, words) = failed_step(&t);
    assert_eq!(step, MediaHostStep::Upload);
    assert!(
        words.contains("Access denied") && words.contains("wrong keys"),
        "{words}"
    );
    assert_eq!(t.steps.len(), 1, "nothing after a failed upload");

    // A bucket that does not exist.
    set_host(
        &h,
        MediaHostConfig {
            bucket: "no-such-bucket".into(),
            ..s3.presigned()
        },
        SECRET_KEY,
    )
    .await;
    let (step, words) = failed_step(&h.engine.test_media_host().await.expect("test ran"));
    assert_eq!(step, MediaHostStep::Upload);
    assert!(
        words.contains("\"no-such-bucket\" does not exist"),
        "{words}"
    );

    // Nothing listens at the endpoint.
    set_host(
        &h,
        MediaHostConfig {
            endpoint: format!("http://127.0.0.1:{}", free_port()),
            ..s3.presigned()
        },
        SECRET_KEY,
    )
    .await;
    let (step, words) = failed_step(&h.engine.test_media_host().await.expect("test ran"));
    assert_eq!(step, MediaHostStep::Upload);
    assert!(
        words.contains("could not connect") && words.contains("Check the endpoint URL"),
        "{words}"
    );

    // A public base URL that does not serve the bucket.
    let site = PublicSite::serve(s3.root.path()).await;
    set_host(
        &h,
        MediaHostConfig {
            public_base_url: Some(format!("{}/wrong-folder", site.base)),
            ..s3.presigned()
        },
        SECRET_KEY,
    )
    .await;
    let t = h.engine.test_media_host().await.expect("test ran");
    let (step, words) = failed_step(&t);
    assert_eq!(step, MediaHostStep::Fetch);
    assert!(
        words.contains("did not serve the file") && words.contains("public reads"),
        "{words}"
    );
    assert!(
        t.steps
            .iter()
            .any(|s| s.step == MediaHostStep::Delete && s.passed),
        "the test file is deleted even when it could not be fetched: {t:?}"
    );
    assert!(s3.objects().is_empty());
    finish(h).await;
}

// ---- hosting for a target ---------------------------------------------------

#[tokio::test]
async fn presigned_media_is_fetchable_and_reused_for_the_same_target_and_file() {
    let s3 = S3Server::start().await;
    let h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    set_host(&h, s3.presigned(), SECRET_KEY).await;
    let post = draft_with_picture(&h, account.id, 1).await;
    let target = post.targets[0].id;
    let file = files(&h, post.id).await.remove(0);
    let mut progress = h.engine.subscribe_progress();

    let hosted = h.engine.host_media(target, &file).await.expect("hosted");
    let (status, bytes) = fetch(&hosted.url).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, std::fs::read(&file.path).expect("original"));
    assert!(hosted.url.contains("X-Amz-Signature="), "{}", hosted.url);
    let expires = hosted.expires_at.expect("a presigned link expires");
    let left = expires - h.engine.now();
    assert!(left > Duration::minutes(59) && left <= Duration::minutes(60));
    let objects = s3.objects();
    assert_eq!(objects.len(), 1);
    let key = &objects[0];
    let name = key
        .strip_prefix("creatorflow/")
        .expect("under creatorflow/");
    assert!(name.ends_with(".png") && name.len() == 32 + 4, "{key}");
    assert!(hosted.url.contains(key.as_str()));
    let mut last = None;
    while let Ok(p) = progress.try_recv() {
        last = Some(p);
    }
    let last = last.expect("upload progress reported");
    assert_eq!((last.target_id, last.sent), (target, file.size as f64));

    // The same target and file: the same object and link.
    let again = h.engine.host_media(target, &file).await.expect("hosted");
    assert_eq!(again, hosted);
    assert_eq!(s3.objects().len(), 1);

    // Close to its expiry the link is made anew, for the same object.
    h.clock.advance(Duration::minutes(50));
    let renewed = h.engine.host_media(target, &file).await.expect("hosted");
    // (Signed at the real time, which the test clock does not move.)
    assert!(renewed.expires_at.expect("expiry") >= expires + Duration::minutes(50));
    assert_eq!(s3.objects(), objects, "no second upload");
    assert_eq!(fetch(&renewed.url).await.0, 200);

    // Another target gets its own object.
    let other = draft_with_picture(&h, account.id, 1).await;
    let elsewhere = h
        .engine
        .host_media(other.targets[0].id, &file)
        .await
        .expect("hosted");
    assert_ne!(elsewhere.url, hosted.url);
    assert_eq!(s3.objects().len(), 2);

    // An object that vanished from the bucket is uploaded again.
    std::fs::remove_file(s3.object_path(key)).expect("remove behind CreatorFlow's back");
    let reuploaded = h.engine.host_media(target, &file).await.expect("hosted");
    assert!(!reuploaded.url.contains(key.as_str()));
    assert_eq!(fetch(&reuploaded.url).await.0, 200);
    finish(h).await;
}

#[tokio::test]
async fn a_public_base_url_is_what_the_network_gets() {
    let s3 = S3Server::start().await;
    let site = PublicSite::serve(s3.root.path()).await;
    let h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    set_host(
        &h,
        MediaHostConfig {
            public_base_url: Some(format!("{}/", site.base)),
            ..s3.presigned()
        },
        SECRET_KEY,
    )
    .await;
    assert!(h.engine.test_media_host().await.expect("test").passed);
    let post = draft_with_picture(&h, account.id, 2).await;
    let file = files(&h, post.id).await.remove(0);
    let hosted = h
        .engine
        .host_media(post.targets[0].id, &file)
        .await
        .expect("hosted");
    let key = s3.objects().remove(0);
    assert_eq!(hosted.url, format!("{}/{key}", site.base));
    assert_eq!(hosted.expires_at, None, "a public URL does not expire");
    let (status, bytes) = fetch(&hosted.url).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, std::fs::read(&file.path).expect("original"));
    finish(h).await;
}

#[tokio::test]
async fn a_large_video_is_streamed_from_the_media_folder() {
    let s3 = S3Server::start().await;
    let h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    set_host(&h, s3.presigned(), SECRET_KEY).await;
    // 24 MB: several of the reader's chunks, sent with its Content-Length.
    let video = import(
        &h.engine,
        h.dir.path(),
        "clip.mp4",
        &mp4_video(640, 360, 24, 1024 * 1024),
    )
    .await;
    let post = h
        .engine
        .create_post(PostInput {
            text: "A clip".into(),
            scheduled_at: None,
            zone: "UTC".into(),
            intent: SaveIntent::Draft,
            account_ids: vec![account.id],
            media_ids: vec![video.id],
            alt_texts: vec![],
            options: vec![],
        })
        .await
        .expect("draft");
    let file = files(&h, post.id).await.remove(0);
    assert!(file.size > 24 * 1024 * 1024);
    let hosted = h
        .engine
        .host_media(post.targets[0].id, &file)
        .await
        .expect("hosted");
    let key = s3.objects().remove(0);
    assert!(key.ends_with(".mp4"), "{key}");
    assert_eq!(
        std::fs::read(s3.object_path(&key)).expect("stored"),
        std::fs::read(&file.path).expect("original"),
        "the object is the file, byte for byte"
    );
    assert_eq!(fetch(&hosted.url).await.1.len() as u64, file.size);
    finish(h).await;
}

// ---- deletion ----------------------------------------------------------------

#[tokio::test]
async fn hosted_media_is_deleted_once_the_target_is_published() {
    let s3 = S3Server::start().await;
    let mut h = Harness::with_platforms(hosting_x).await;
    let account = h.connect_x(CREATOR).await;
    set_host(&h, s3.presigned(), SECRET_KEY).await;
    h.start_scheduler().await;
    // A first attempt breaks off after hosting: the retry re-uses the object.
    let text = "Out with a hosted picture [flaky]";
    let post = schedule_picture(&h, account.id, text, 3).await;
    h.wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    let urls = fetched_for(text);
    assert_eq!(urls.len(), 2, "hosted for both attempts: {urls:?}");
    assert_eq!(urls[0], urls[1], "the retry got the same file and link");
    assert_eq!(h.sandbox.received(Some("x")).len(), 1);
    wait_for_objects(&s3, 0, "the hosted picture to be deleted").await;
    let (status, _) = fetch(&urls[0]).await;
    assert_eq!(status, 404, "the link no longer serves it");
    no_hosted_rows(&h).await;
    finish(h).await;
}

#[tokio::test]
async fn hosted_media_is_deleted_once_the_target_failed_for_good() {
    let s3 = S3Server::start().await;
    let mut h = Harness::with_platforms(hosting_x).await;
    let account = h.connect_x(CREATOR).await;
    set_host(&h, s3.presigned(), SECRET_KEY).await;
    h.start_scheduler().await;
    let text = "This one is refused [refuse]";
    let post = schedule_picture(&h, account.id, text, 4).await;
    let failed = h
        .wait_for(post.id, "failed", |s| s == TargetStatus::Failed)
        .await;
    assert_eq!(
        failed.targets[0].error.as_ref().map(|e| e.code.as_str()),
        Some("refused")
    );
    assert_eq!(fetched_for(text).len(), 1);
    wait_for_objects(&s3, 0, "the hosted picture to be deleted").await;
    no_hosted_rows(&h).await;
    finish(h).await;
}

#[tokio::test]
async fn hosted_media_is_deleted_with_its_post() {
    let s3 = S3Server::start().await;
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    set_host(&h, s3.presigned(), SECRET_KEY).await;
    h.start_scheduler().await;
    // A draft keeps nothing hosted (hosting is for publishing): this one
    // is scheduled, far ahead.
    let post = scheduled_picture(&h, account.id, 5).await;
    let file = files(&h, post.id).await.remove(0);
    h.engine
        .host_media(post.targets[0].id, &file)
        .await
        .expect("hosted");
    tokio::time::sleep(StdDuration::from_millis(800)).await;
    assert_eq!(
        s3.objects().len(),
        1,
        "kept while the post may still go out"
    );
    h.engine
        .delete_post(post.id, creatorflow_engine::DeleteScope::AppOnly)
        .await
        .expect("deleted");
    wait_for_objects(&s3, 0, "the deleted post's picture to be deleted").await;
    finish(h).await;
}

#[tokio::test]
async fn a_failed_deletion_is_tried_again_later() {
    let mut s3 = S3Server::start().await;
    let h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    set_host(&h, s3.presigned(), SECRET_KEY).await;
    let post = draft_with_picture(&h, account.id, 6).await;
    let file = files(&h, post.id).await.remove(0);
    h.engine
        .host_media(post.targets[0].id, &file)
        .await
        .expect("hosted");
    assert_eq!(s3.objects().len(), 1);

    s3.stop();
    h.engine
        .delete_post(post.id, creatorflow_engine::DeleteScope::AppOnly)
        .await
        .expect("deleted");
    let sweep = h.engine.sweep_hosted_media().await.expect("sweep");
    assert_eq!((sweep.deleted, sweep.failed), (0, 1));
    let status = h.engine.media_host().await.expect("status");
    assert_eq!((status.hosted_files, status.deletions_pending), (1, 1));
    let reason: Option<String> = sqlx::query_scalar("SELECT last_delete_error FROM hosted_media")
        .fetch_one(h.engine.store().pool())
        .await
        .expect("reason");
    assert!(
        reason
            .as_deref()
            .is_some_and(|r| r.contains("could not connect")),
        "{reason:?}"
    );
    // Not again at once: it waits for its backoff.
    let early = h.engine.sweep_hosted_media().await.expect("sweep");
    assert_eq!((early.deleted, early.failed), (0, 0));

    s3.restart().await;
    h.clock.advance(Duration::minutes(2));
    let later = h.engine.sweep_hosted_media().await.expect("sweep");
    assert_eq!((later.deleted, later.failed), (1, 0));
    assert!(s3.objects().is_empty());
    let status = h.engine.media_host().await.expect("status");
    assert_eq!((status.hosted_files, status.deletions_pending), (0, 0));
    finish(h).await;
}

#[tokio::test]
async fn an_upload_cut_off_by_an_exit_is_deleted_at_the_next_start() {
    let s3 = S3Server::start().await;
    let mut h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    set_host(&h, s3.presigned(), SECRET_KEY).await;
    let post = scheduled_picture(&h, account.id, 7).await;
    let file = files(&h, post.id).await.remove(0);
    h.engine
        .host_media(post.targets[0].id, &file)
        .await
        .expect("hosted");
    // As if the app had stopped before the upload was recorded as done.
    sqlx::query("UPDATE hosted_media SET state = 'uploading'")
        .execute(h.engine.store().pool())
        .await
        .expect("update");
    h.restart().await;
    h.start_scheduler().await;
    wait_for_objects(&s3, 0, "the cut-off upload to be deleted").await;
    finish(h).await;
}

#[tokio::test]
async fn changing_the_bucket_or_removing_the_host_deletes_what_was_there() {
    let s3 = S3Server::start().await;
    std::fs::create_dir_all(s3.root.path().join("cf-other")).expect("second bucket");
    let h = Harness::new().await;
    let account = h.connect_x(CREATOR).await;
    set_host(&h, s3.presigned(), SECRET_KEY).await;
    let post = draft_with_picture(&h, account.id, 8).await;
    let file = files(&h, post.id).await.remove(0);
    let target = post.targets[0].id;
    h.engine.host_media(target, &file).await.expect("hosted");
    assert_eq!(s3.objects().len(), 1);

    let status = h
        .engine
        .set_media_host(
            MediaHostConfig {
                bucket: "cf-other".into(),
                ..s3.presigned()
            },
            None,
        )
        .await
        .expect("saved, the secret kept");
    assert_eq!(status.notice, None);
    assert!(s3.objects().is_empty(), "the old bucket was emptied");
    let moved = h.engine.host_media(target, &file).await.expect("hosted");
    assert!(
        moved.url.contains("/cf-other/creatorflow/"),
        "{}",
        moved.url
    );

    let status = h.engine.clear_media_host().await.expect("removed");
    assert_eq!(status.config, None);
    assert!(!status.secret_saved);
    assert_eq!(status.hosted_files, 0);
    assert_eq!(
        std::fs::read_dir(s3.root.path().join("cf-other/creatorflow"))
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "the files were deleted before the host was forgotten"
    );
    assert_eq!(
        h.engine
            .vault()
            .media_host_secret()
            .await
            .expect("keychain"),
        None
    );
    let refused = h
        .engine
        .host_media(target, &file)
        .await
        .expect_err("no host");
    assert_eq!(refused.code, "no_media_host");
    assert!(refused.message.contains("Settings → Media hosting"));
    finish(h).await;
}

// ---- a misconfigured host while publishing ---------------------------------

#[tokio::test]
async fn a_host_that_refuses_the_keys_fails_the_post_in_words_and_loses_nothing() {
    let s3 = S3Server::start().await;
    let mut h = Harness::with_platforms(hosting_x).await;
    let account = h.connect_x(CREATOR).await;
    set_host(&h, s3.presigned(), "a-wrong-secret").await;
    h.start_scheduler().await;
    let text = "Wrong keys first";
    let post = schedule_picture(&h, account.id, text, 9).await;
    let failed = h
        .wait_for(post.id, "failed", |s| s == TargetStatus::Failed)
        .await;
    let error = failed.targets[0].error.clone().expect("a reason");
    assert_eq!(error.code, "media_host_denied");
    assert!(
        error.message.contains("Access denied")
            && error.message.contains("Settings → Media hosting"),
        "{}",
        error.message
    );
    assert_eq!(
        failed.targets[0].attempts, 1,
        "refused at once, not retried"
    );
    assert!(h.sandbox.received(Some("x")).is_empty());
    // Nothing lost: the post, its picture and target are all there.
    let kept = h.engine.post(post.id).await.expect("the post is kept");
    assert_eq!(kept.media.len(), 1);

    // Fixed in Settings, published again.
    h.engine
        .set_media_host(s3.presigned(), Some(SECRET_KEY))
        .await
        .expect("fixed");
    h.engine
        .retry_target(failed.targets[0].id)
        .await
        .expect("retry");
    h.wait_for(post.id, "published", |s| s == TargetStatus::Published)
        .await;
    assert_eq!(h.sandbox.received(Some("x")).len(), 1);
    wait_for_objects(&s3, 0, "the hosted picture to be deleted").await;
    finish(h).await;
}

#[tokio::test]
async fn a_missing_bucket_fails_the_post_in_words() {
    let s3 = S3Server::start().await;
    let mut h = Harness::with_platforms(hosting_x).await;
    let account = h.connect_x(CREATOR).await;
    set_host(
        &h,
        MediaHostConfig {
            bucket: "gone-bucket".into(),
            ..s3.presigned()
        },
        SECRET_KEY,
    )
    .await;
    h.start_scheduler().await;
    let post = schedule_picture(&h, account.id, "No bucket", 10).await;
    let failed = h
        .wait_for(post.id, "failed", |s| s == TargetStatus::Failed)
        .await;
    let error = failed.targets[0].error.clone().expect("a reason");
    assert_eq!(error.code, "media_host_no_bucket");
    assert!(
        error.message.contains("\"gone-bucket\" does not exist"),
        "{}",
        error.message
    );
    assert!(h.engine.post(post.id).await.is_ok());
    finish(h).await;
}

#[tokio::test]
async fn an_unreachable_host_is_retried_then_fails_in_words() {
    let s3 = S3Server::start().await;
    let mut h = Harness::with_platforms(hosting_x).await;
    let account = h.connect_x(CREATOR).await;
    set_host(
        &h,
        MediaHostConfig {
            endpoint: format!("http://127.0.0.1:{}", free_port()),
            ..s3.presigned()
        },
        SECRET_KEY,
    )
    .await;
    h.start_scheduler().await;
    let post = schedule_picture(&h, account.id, "Nobody home", 11).await;
    let retrying = h
        .wait_for(post.id, "a retry", |s| s == TargetStatus::Retrying)
        .await;
    let error = retrying.targets[0].error.clone().expect("a reason");
    assert_eq!(error.code, "media_host_unreachable");
    let failed = h
        .wait_for(post.id, "failed after its attempts", |s| {
            s == TargetStatus::Failed
        })
        .await;
    let error = failed.targets[0].error.clone().expect("a reason");
    assert!(
        error
            .message
            .contains("could not connect to your media host")
            && error.message.contains("Check the endpoint URL"),
        "{}",
        error.message
    );
    assert!(
        failed.targets[0].attempts > 1,
        "a connection problem is retried"
    );
    assert!(h.engine.post(post.id).await.is_ok(), "the post is kept");
    finish(h).await;
}

// ---- the secret ----------------------------------------------------------------

#[tokio::test]
async fn the_secret_access_key_stays_in_the_keychain() {
    let s3 = S3Server::start().await;
    let h = Harness::new().await;
    let no_secret = h
        .engine
        .set_media_host(s3.presigned(), None)
        .await
        .expect_err("a secret is needed");
    assert!(no_secret.user_message().contains("secret access key"));

    set_host(&h, s3.presigned(), SECRET_KEY).await;
    let status = h.engine.media_host().await.expect("status");
    assert!(status.secret_saved);
    let json = serde_json::to_string(&status).expect("json");
    assert!(!json.contains(SECRET_KEY), "{json}");
    assert!(json.contains(ACCESS_KEY));
    assert_eq!(
        h.engine
            .vault()
            .media_host_secret()
            .await
            .expect("keychain")
            .as_deref(),
        Some(SECRET_KEY)
    );
    // Saving again without a secret keeps it; a new key ID needs its own.
    h.engine
        .set_media_host(
            MediaHostConfig {
                url_validity_minutes: 30,
                ..s3.presigned()
            },
            Some("  "),
        )
        .await
        .expect("kept");
    assert!(
        h.engine
            .set_media_host(
                MediaHostConfig {
                    access_key_id: "another-key".into(),
                    ..s3.presigned()
                },
                None,
            )
            .await
            .is_err()
    );
    assert!(h.engine.test_media_host().await.expect("test").passed);
    let settings =
        serde_json::to_string(&h.engine.settings().await.expect("settings")).expect("json");
    assert!(!settings.contains(SECRET_KEY));
    // Not in the database, its WAL or the logs.
    for (path, bytes) in h.data_files() {
        assert!(
            !contains(&bytes, SECRET_KEY.as_bytes()),
            "the secret was written to {path}"
        );
    }
    finish(h).await;
}
