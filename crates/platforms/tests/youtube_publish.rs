//! The YouTube client against the sandbox's YouTube emulator, over real
//! HTTP: channel profile, chunked upload → processing → published, the
//! custom thumbnail, the unaudited-project note, a token expiring during an
//! upload, update and delete.

mod youtube_common;

use creatorflow_platforms::youtube::YoutubeClient;
use creatorflow_platforms::{ErrorKind, NoopSink, Outcome, Publisher, Reconciled, YoutubePrivacy};
use creatorflow_sandbox::platforms::youtube::{SCOPE_READONLY, YOUTUBE_CHANNEL_STUDIO};
use serde_json::{Value, json};
use youtube_common::*;

/// Publishes and returns the video id, expecting `Processing`.
async fn publish_ok(e: &Env, post: &creatorflow_platforms::PublishRequest) -> (String, Value) {
    let mut cp = Value::Null;
    let outcome = e
        .client
        .publish(&e.tokens, post, &mut cp, &NoopSink)
        .await
        .expect("published");
    assert!(matches!(outcome, Outcome::Processing(_)), "{outcome:?}");
    let id = cp["video_id"].as_str().expect("video id").to_owned();
    (id, cp)
}

async fn check(e: &Env, post: &creatorflow_platforms::PublishRequest, cp: &mut Value) -> Outcome {
    e.client
        .check(&e.tokens, post, cp, &NoopSink)
        .await
        .expect("check")
}

#[tokio::test]
async fn profile_is_the_channel() {
    let e = env().await;
    let profiles = e.client.profiles(&e.tokens, &[]).await.expect("profiles");
    assert_eq!(profiles.len(), 1);
    let p = &profiles[0];
    assert_eq!(p.platform_user_id, CHANNEL);
    assert_eq!(p.username, "sandboxcreator", "customUrl without @");
    assert_eq!(p.display_name, "Sandbox Creator");
    let avatar = p.avatar_url.clone().expect("avatar");
    assert!(avatar.contains(CHANNEL), "{avatar}");

    let studio = Tokens::new(&e.sb, YOUTUBE_CHANNEL_STUDIO.0, Some(&[SCOPE_READONLY]));
    let p = e.client.profiles(&studio, &[]).await.expect("profiles");
    assert_eq!(p[0].platform_user_id, YOUTUBE_CHANNEL_STUDIO.0);
    assert_eq!(p[0].username, "sandboxstudio");

    let req = requests(&e.sb);
    assert_eq!(req[0].method, "GET");
    assert_eq!(req[0].path, "/youtube/youtube/v3/channels");
    assert_eq!(req[0].query.as_deref(), Some("part=snippet&mine=true"));
}

#[tokio::test]
async fn a_video_in_chunks_is_processed_then_published() {
    let e = env().await;
    set(&e.sb, json!({"audited": true, "processing_secs": 120}));
    let total = 5 * CHUNK + 1000;
    let (mut post, bytes) = video_post(&e, total as usize, "Launch day");
    post.text = "Everything about the launch.\nMore below.".into();
    if let creatorflow_platforms::PlatformOptions::Youtube(o) = &mut post.options {
        o.tags = vec!["launch".into(), "behind the scenes".into()];
        o.category_id = "28".into();
        o.notify_subscribers = false;
    }
    let sink = RecordingSink::new();
    let mut cp = Value::Null;
    let outcome = e
        .client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect("published");
    let Outcome::Processing(p) = outcome else {
        panic!("expected processing, got {outcome:?}");
    };
    assert_eq!(p.stage, "Uploaded — YouTube is processing the video");
    assert!(p.check_at > chrono::Utc::now());

    // What the emulator received: one video, the file intact, the metadata.
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.account_id, CHANNEL);
    assert_eq!(r.media[0].size, total);
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(r.media[0].mime, "video/mp4");
    assert_eq!(r.extra["title"], json!("Launch day"));
    assert_eq!(
        r.extra["description"],
        json!("Everything about the launch.\nMore below.")
    );
    assert_eq!(r.extra["tags"], json!(["launch", "behind the scenes"]));
    assert_eq!(r.extra["categoryId"], json!("28"));
    assert_eq!(r.extra["privacyStatus"], json!("public"));
    assert_eq!(r.extra["selfDeclaredMadeForKids"], json!(false));
    assert_eq!(r.extra["notifySubscribers"], json!(false));

    // One session, six chunks, each byte sent once.
    assert_eq!(count(&e.sb, "POST", UPLOAD_PATH), 1);
    assert_eq!(count(&e.sb, "PUT", UPLOAD_PATH), 6);
    assert_eq!(sessions(&e.sb), (1, total));
    let start = requests(&e.sb)
        .into_iter()
        .find(|r| r.method == "POST" && r.path == UPLOAD_PATH)
        .expect("session start");
    assert_eq!(
        start.query.as_deref(),
        Some("uploadType=resumable&part=snippet%2Cstatus&notifySubscribers=false")
    );

    // The session was saved before the first byte, then after every chunk.
    let saved = sink.checkpoints();
    let first = &saved[0];
    assert!(
        first["upload"]["session_uri"]
            .as_str()
            .is_some_and(|u| u.contains("upload_id=")),
        "{first}"
    );
    assert_eq!(committed(first), Some(0));
    let steps: Vec<u64> = saved.iter().filter_map(committed).collect();
    assert!(steps.contains(&(4 * CHUNK)), "{steps:?}");
    assert!(steps.windows(2).all(|w| w[0] <= w[1]), "{steps:?}");
    assert!(steps.iter().all(|s| s % CHUNK == 0));
    let last = saved.last().expect("final checkpoint");
    assert!(last.get("upload").is_none());
    assert_eq!(&cp, last);
    let progress = sink.progress();
    assert_eq!(progress.last(), Some(&(total, total)));
    assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0));

    // Processing: check follows YouTube's own progress (the emulated clock
    // also runs on its own, hence the small ranges).
    let percent = |stage: &str| -> u32 {
        stage
            .strip_prefix("YouTube is processing the video (")
            .and_then(|s| s.strip_suffix(" %)"))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("stage {stage:?}"))
    };
    let Outcome::Processing(p) = check(&e, &post, &mut cp).await else {
        panic!("still processing");
    };
    assert!(percent(&p.stage) <= 2, "{}", p.stage);
    e.sb.advance_clock(60);
    let Outcome::Processing(p) = check(&e, &post, &mut cp).await else {
        panic!("still processing");
    };
    assert!((50..=52).contains(&percent(&p.stage)), "{}", p.stage);
    // About 60 s left, plus a margin.
    let wait = p.check_at - chrono::Utc::now();
    assert!(
        wait > chrono::Duration::seconds(50) && wait <= chrono::Duration::seconds(62),
        "{wait}"
    );

    e.sb.advance_clock(61);
    let Outcome::Published(published) = check(&e, &post, &mut cp).await else {
        panic!("published");
    };
    let id = &r.remote_id;
    assert_eq!(&published.remote_id, id);
    assert_eq!(published.note, None, "an audited project keeps the privacy");
    let url = published.url.clone().expect("url");
    assert_eq!(url, format!("{}/watch?v={id}", e.sb.url("/youtube")));
    let page = reqwest::get(&url).await.expect("watch page");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains("Launch day"));

    // A finished checkpoint uploads nothing again.
    assert_eq!(
        e.client
            .reconcile(&e.tokens, &post, &cp)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );
    let again = e
        .client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("resumed");
    assert!(matches!(again, Outcome::Processing(_)));
    assert_eq!(count(&e.sb, "POST", UPLOAD_PATH), 1);
    assert_eq!(received(&e.sb).len(), 1);
}

#[tokio::test]
async fn the_final_answer_may_be_201() {
    let e = env().await;
    set(&e.sb, json!({"upload_complete_status": 201}));
    let (post, _) = video_post(&e, (2 * CHUNK + 7) as usize, "Created");
    let (id, _) = publish_ok(&e, &post).await;
    let last_put = requests(&e.sb)
        .into_iter()
        .rfind(|r| r.method == "PUT" && r.path == UPLOAD_PATH)
        .expect("put");
    assert_eq!(last_put.status, Some(201));
    assert_eq!(received(&e.sb)[0].remote_id, id);
}

#[tokio::test]
async fn a_video_of_one_chunk_goes_in_one_put() {
    let e = env().await;
    let (post, _) = video_post(&e, 1000, "Tiny");
    publish_ok(&e, &post).await;
    assert_eq!(count(&e.sb, "PUT", UPLOAD_PATH), 1);
    assert_eq!(sessions(&e.sb), (1, 1000));
}

#[tokio::test]
async fn the_thumbnail_is_set() {
    let e = env().await;
    let (mut post, _) = video_post(&e, 3000, "With a thumbnail");
    let jpeg = fixture("photo.jpg");
    post.cover = Some(media_file(e.dir.path(), "cover.jpg", &jpeg, "image/jpeg"));
    let (id, cp) = publish_ok(&e, &post).await;
    assert_eq!(cp["thumbnail"], json!("set"));
    let r = &received(&e.sb)[0];
    let thumb = r
        .media
        .iter()
        .find(|m| m.kind == "thumbnail")
        .expect("thumbnail received");
    assert_eq!(thumb.sha256.as_deref(), Some(sha256_hex(&jpeg).as_str()));
    assert_eq!(thumb.mime, "image/jpeg");
    let set = requests(&e.sb)
        .into_iter()
        .find(|r| r.path == "/youtube/upload/youtube/v3/thumbnails/set")
        .expect("thumbnails.set");
    assert_eq!(set.method, "POST");
    assert_eq!(
        set.query.as_deref(),
        Some(format!("videoId={id}&uploadType=media").as_str())
    );
}

#[tokio::test]
async fn an_unverified_channel_gets_a_note_instead_of_a_thumbnail() {
    let e = env().await;
    set(
        &e.sb,
        json!({"unverified_channels": [CHANNEL], "processing_secs": 0, "audited": true}),
    );
    let (mut post, _) = video_post(&e, 3000, "No custom thumbnail");
    post.cover = Some(media_file(
        e.dir.path(),
        "cover.png",
        &fixture("badge.png"),
        "image/png",
    ));
    let (_, mut cp) = publish_ok(&e, &post).await;
    assert_eq!(cp["thumbnail"], json!("refused"));
    let Outcome::Published(p) = check(&e, &post, &mut cp).await else {
        panic!("published");
    };
    let note = p.note.expect("note");
    assert!(note.contains("verified channel"), "{note}");
    assert!(note.contains("youtube.com/verify"));
    // The refusal is remembered: a resumed publish does not try again.
    let before = count(&e.sb, "POST", "/youtube/upload/youtube/v3/thumbnails/set");
    e.client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("resumed");
    assert_eq!(
        count(&e.sb, "POST", "/youtube/upload/youtube/v3/thumbnails/set"),
        before
    );
}

#[tokio::test]
async fn an_unaudited_project_publishes_private_with_a_note() {
    let e = env().await;
    set(&e.sb, json!({"processing_secs": 0}));
    let (post, _) = video_post(&e, 5000, "Wanted public");
    let (_, mut cp) = publish_ok(&e, &post).await;
    let r = &received(&e.sb)[0];
    assert_eq!(r.extra["lockedPrivate"], json!(true));
    assert_eq!(r.extra["requestedPrivacyStatus"], json!("public"));
    let Outcome::Published(p) = check(&e, &post, &mut cp).await else {
        panic!("published");
    };
    let note = p.note.expect("note");
    assert!(note.contains("private"), "{note}");
    assert!(note.contains("audit"), "{note}");
    assert!(note.contains("YouTube Studio"), "{note}");

    // Asked private: nothing to say.
    let (mut private, _) = video_post(&e, 5000, "Wanted private");
    if let creatorflow_platforms::PlatformOptions::Youtube(o) = &mut private.options {
        o.privacy = YoutubePrivacy::Private;
    }
    let (_, mut cp) = publish_ok(&e, &private).await;
    let Outcome::Published(p) = check(&e, &private, &mut cp).await else {
        panic!("published");
    };
    assert_eq!(p.note, None);
}

#[tokio::test]
async fn a_token_expiring_during_a_long_upload_is_renewed() {
    let e = env().await;
    set(&e.sb, json!({"processing_secs": 0}));
    let total = 6 * CHUNK;
    let (mut post, bytes) = video_post(&e, total as usize, "Long upload");
    post.cover = Some(media_file(
        e.dir.path(),
        "cover.jpg",
        &fixture("photo.jpg"),
        "image/jpeg",
    ));
    // An hour and more goes by after the second chunk: the token is dead.
    let sb = e.sb.sandbox().clone();
    let sink = RecordingSink::with_hook(once_committed(2 * CHUNK, move || {
        sb.advance_clock(3700);
    }));
    let mut cp = Value::Null;
    e.client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect("published despite the expired token");
    assert_eq!(e.tokens.refreshes(), 1, "renewed once, after YouTube's 401");
    // A token was asked for each request, not once for the whole upload.
    assert!(e.tokens.asked() >= 8, "asked {} times", e.tokens.asked());
    let statuses: Vec<Option<u16>> = requests(&e.sb)
        .iter()
        .filter(|r| r.path == "/youtube/upload/youtube/v3/thumbnails/set")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [Some(401), Some(200)]);
    let r = &received(&e.sb)[0];
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(cp["thumbnail"], json!("set"));
    assert!(matches!(
        check(&e, &post, &mut cp).await,
        Outcome::Published(_)
    ));
}

#[tokio::test]
async fn delete_then_it_is_gone() {
    let e = env().await;
    let (post, _) = video_post(&e, 2000, "To delete");
    let (id, _) = publish_ok(&e, &post).await;
    e.client.delete(&e.tokens, &id).await.expect("deleted");
    assert!(received(&e.sb)[0].deleted);
    // YouTube no longer has it: that counts as deleted too.
    e.client.delete(&e.tokens, &id).await.expect("already gone");
    let statuses: Vec<Option<u16>> = requests(&e.sb)
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [Some(204), Some(404)]);
    let watch = reqwest::get(e.client.watch_url(&id)).await.expect("page");
    assert_eq!(watch.status(), 404);
    let err = e
        .client
        .delete(&e.tokens, "../x")
        .await
        .expect_err("bad id");
    assert_eq!(err.kind, ErrorKind::Rejected);
}

#[tokio::test]
async fn update_changes_title_privacy_and_keeps_the_rest() {
    let e = env().await;
    set(&e.sb, json!({"audited": true}));
    let (post, _) = video_post(&e, 2000, "First title");
    let (id, _) = publish_ok(&e, &post).await;
    // Something CreatorFlow does not manage, set elsewhere.
    let token = e.tokens.current();
    let resp = reqwest::Client::new()
        .put(e.sb.url("/youtube/youtube/v3/videos"))
        .query(&[("part", "snippet")])
        .bearer_auth(token.secret())
        .json(
            &json!({"id": id, "snippet": {"title": "First title", "categoryId": "22",
            "description": "A video from CreatorFlow", "defaultLanguage": "fr"}}),
        )
        .send()
        .await
        .expect("raw update");
    assert_eq!(resp.status(), 200);

    let mut changed = post.clone();
    changed.text = "New description".into();
    if let creatorflow_platforms::PlatformOptions::Youtube(o) = &mut changed.options {
        o.title = "Better title".into();
        o.privacy = YoutubePrivacy::Unlisted;
        o.tags = vec!["new".into()];
        o.made_for_kids = Some(true);
    }
    e.client
        .update(&e.tokens, &id, &changed)
        .await
        .expect("updated");
    let r = &received(&e.sb)[0];
    assert_eq!(r.text, "Better title");
    assert_eq!(r.extra["privacyStatus"], json!("unlisted"));
    assert_eq!(r.extra["description"], json!("New description"));

    let video: Value = reqwest::Client::new()
        .get(e.sb.url("/youtube/youtube/v3/videos"))
        .query(&[("part", "snippet,status"), ("id", id.as_str())])
        .bearer_auth(e.tokens.current().secret())
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let v = &video["items"][0];
    assert_eq!(v["snippet"]["title"], json!("Better title"));
    assert_eq!(v["snippet"]["tags"], json!(["new"]));
    assert_eq!(v["snippet"]["defaultLanguage"], json!("fr"), "kept: {v}");
    assert_eq!(v["status"]["privacyStatus"], json!("unlisted"));
    assert_eq!(v["status"]["selfDeclaredMadeForKids"], json!(true));

    // The update read the video first, then sent it back whole.
    let calls: Vec<(String, Option<String>)> = requests(&e.sb)
        .iter()
        .filter(|r| r.path == "/youtube/youtube/v3/videos")
        .map(|r| (r.method.clone(), r.query.clone()))
        .collect();
    assert!(calls.contains(&("GET".into(), Some(format!("part=snippet%2Cstatus&id={id}")))));
    assert!(calls.contains(&("PUT".into(), Some("part=snippet%2Cstatus".into()))));

    // An update YouTube's rules refuse is caught before any request.
    let mut bad = changed.clone();
    if let creatorflow_platforms::PlatformOptions::Youtube(o) = &mut bad.options {
        o.title = String::new();
    }
    let before = requests(&e.sb).len();
    let err = e
        .client
        .update(&e.tokens, &id, &bad)
        .await
        .expect_err("no title");
    assert_eq!(err.code, "title_missing");
    assert_eq!(requests(&e.sb).len(), before);
    // A video YouTube no longer has.
    e.client.delete(&e.tokens, &id).await.expect("deleted");
    let err = e
        .client
        .update(&e.tokens, &id, &changed)
        .await
        .expect_err("gone");
    assert_eq!(err.code, "video_not_found");
}

#[tokio::test]
async fn clients_are_cheap_to_clone_and_hold_no_token() {
    let e = env().await;
    let c: YoutubeClient = e.client.clone();
    assert!(!format!("{c:?}").contains(e.tokens.current().secret()));
}
