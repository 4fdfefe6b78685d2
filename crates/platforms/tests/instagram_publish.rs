//! The Instagram client against the sandbox's Meta emulator over real HTTP:
//! every kind of post through a media host the emulator fetches from,
//! Reels through Meta's resumable upload, the publishing limit, container
//! errors, a lost `media_publish` answer, and what happens without a media
//! host.

mod instagram_common;

use creatorflow_platforms::{
    ErrorKind, InstagramKind, InstagramOptions, Outcome, PlatformOptions, Publisher, Reconciled,
};
use creatorflow_sandbox::{Fault, FaultSpec};
use instagram_common::*;
use serde_json::{Value, json};

fn published(outcome: Outcome) -> creatorflow_platforms::Published {
    match outcome {
        Outcome::Published(p) => p,
        other => panic!("not published: {other:?}"),
    }
}

#[tokio::test]
async fn a_picture_through_the_media_host_with_caption_and_alt_text() {
    let e = env().await;
    let host = public_host(&e.sb).await;
    let tokens = Tokens::new(&e.sb, Product::Instagram, CREATOR.0);
    let mut pic = photo(e.dir.path(), "sunset.jpg");
    pic.alt_text = Some("A red sky over the sea".into());
    let post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![pic],
        "Golden hour #sunset @friend",
    );
    let sink = Sink::new(Some(host.clone()));
    let mut cp = Value::Null;
    let first = e
        .client
        .publish(&tokens, &post, &mut cp, &sink)
        .await
        .expect("accepted");
    assert!(
        matches!(&first, Outcome::Processing(p) if p.stage.contains("preparing")),
        "{first:?}"
    );
    assert!(cp["container"].is_string(), "container saved: {cp}");
    let p = published(
        publish_to_end(&e.client, &e.sb, &tokens, &post, &mut cp, &sink)
            .await
            .expect("published"),
    );
    let url = p.url.expect("permalink");
    assert!(url.contains("/meta/instagram/p/"), "{url}");
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text, "Golden hour #sunset @friend");
    assert_eq!(got[0].remote_id, p.remote_id);
    assert_eq!(got[0].account_id, CREATOR.0);
    assert_eq!(sink.hosted(), 1, "one picture put on the host");
    assert!(
        got[0].extra.to_string().contains("A red sky over the sea"),
        "alt text reached Instagram: {}",
        got[0].extra
    );
    // Checked once the limit had room: one look before anything was made.
    assert_eq!(count(&e.sb, "GET", "/content_publishing_limit"), 1);
}

#[tokio::test]
async fn a_carousel_of_pictures_and_a_video_on_facebook_login() {
    let (e, tokens, sink) = hosted(Product::Facebook, STUDIO).await;
    let media = vec![
        photo(e.dir.path(), "one.jpg"),
        video(e.dir.path(), "two.mp4", 200_000, 10),
        photo(e.dir.path(), "three.jpg"),
    ];
    let post = post(
        Product::Facebook,
        STUDIO,
        InstagramKind::Carousel,
        media,
        "Three from the shoot",
    );
    let mut cp = Value::Null;
    let p = published(
        publish_to_end(&e.client, &e.sb, &tokens, &post, &mut cp, &sink)
            .await
            .expect("published"),
    );
    let got = received(&e.sb);
    assert_eq!(got.len(), 1, "one post, not one per item");
    assert_eq!(got[0].remote_id, p.remote_id);
    assert_eq!(got[0].media.len(), 3);
    assert_eq!(got[0].account_id, STUDIO.0);
    assert!(
        requests(&e.sb)
            .iter()
            .all(|r| !r.path.contains("/graph-instagram/")),
        "Facebook Login goes to graph.facebook.com only"
    );
}

#[tokio::test]
async fn a_reel_through_resumable_upload_without_a_media_host() {
    let e = env().await;
    let tokens = Tokens::new(&e.sb, Product::Facebook, CREATOR.0);
    let mut post = post(
        Product::Facebook,
        CREATOR,
        InstagramKind::Reel,
        vec![video(e.dir.path(), "reel.mp4", 300_000, 20)],
        "New reel",
    );
    post.options = PlatformOptions::Instagram(InstagramOptions {
        kind: InstagramKind::Reel,
        share_to_feed: false,
        cover_offset_ms: Some(2000),
        cover_media_id: None,
    });
    let sink = Sink::new(None);
    let mut cp = Value::Null;
    let p = published(
        publish_to_end(&e.client, &e.sb, &tokens, &post, &mut cp, &sink)
            .await
            .expect("published"),
    );
    assert!(p.url.expect("link").contains("/reel/"));
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].media[0].size, 300_000, "every byte arrived");
    assert_eq!(
        got[0].media[0].sha256,
        Some(post.media[0].sha256.clone()),
        "the bytes of the file"
    );
    assert_eq!(count(&e.sb, "POST", &format!("/{}", cp_container(&cp))), 1);
    let progress = sink.progress.lock().expect("lock").clone();
    assert_eq!(progress.last(), Some(&(300_000, 300_000)));
}

fn cp_container(cp: &Value) -> String {
    cp["container"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn instagram_login_needs_a_media_host_and_says_where_before_sending_anything() {
    let e = env().await;
    let tokens = Tokens::new(&e.sb, Product::Instagram, CREATOR.0);
    for (kind, media) in [
        (InstagramKind::Feed, vec![photo(e.dir.path(), "a.jpg")]),
        (
            InstagramKind::Reel,
            vec![video(e.dir.path(), "r.mp4", 100_000, 5)],
        ),
    ] {
        let post = post(Product::Instagram, CREATOR, kind, media, "hi");
        let mut cp = Value::Null;
        let err = e
            .client
            .publish(&tokens, &post, &mut cp, &Sink::new(None))
            .await
            .expect_err("no host");
        assert_eq!(
            (err.kind, err.code.as_str()),
            (ErrorKind::Rejected, "no_media_host")
        );
        assert!(
            err.message.contains("Settings → Media hosting"),
            "{}",
            err.message
        );
    }
    assert_eq!(count(&e.sb, "POST", "/media"), 0, "no container made");
}

#[tokio::test]
async fn a_story_picture() {
    let (e, tokens, sink) = hosted(Product::Instagram, CREATOR).await;
    let post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Story,
        vec![photo(e.dir.path(), "story.jpg")],
        "",
    );
    let mut cp = Value::Null;
    published(
        publish_to_end(&e.client, &e.sb, &tokens, &post, &mut cp, &sink)
            .await
            .expect("published"),
    );
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    assert!(
        got[0].extra.to_string().contains("STORIES"),
        "{}",
        got[0].extra
    );
}

#[tokio::test]
async fn a_full_publishing_limit_waits_for_room_before_anything_is_made() {
    let (e, tokens, sink) = hosted(Product::Instagram, CREATOR).await;
    set(&e.sb, json!({"publishing_quota_total": 1}));
    let first = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "1.jpg")],
        "first",
    );
    let mut cp = Value::Null;
    publish_to_end(&e.client, &e.sb, &tokens, &first, &mut cp, &sink)
        .await
        .expect("first goes out");
    let second = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "2.jpg")],
        "second",
    );
    let containers = count(&e.sb, "POST", "/media");
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&tokens, &second, &mut cp, &sink)
        .await
        .expect_err("no room");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert!(err.retry_at.is_some());
    assert!(err.message.contains("1 of the 1 posts"), "{}", err.message);
    assert_eq!(count(&e.sb, "POST", "/media"), containers, "nothing made");
    assert_eq!(received(&e.sb).len(), 1);
}

#[tokio::test]
async fn a_container_that_fails_says_why_and_starts_over_next_time() {
    let (e, tokens, sink) = hosted(Product::Instagram, CREATOR).await;
    set(
        &e.sb,
        json!({"processing_error": {"subcode": 2207026}, "video_processing_polls": 0}),
    );
    let post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Reel,
        vec![video(e.dir.path(), "bad.mp4", 100_000, 8)],
        "won't work",
    );
    let mut cp = Value::Null;
    let err = publish_to_end(&e.client, &e.sb, &tokens, &post, &mut cp, &sink)
        .await
        .expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert!(
        err.message.contains("could not read the video"),
        "{}",
        err.message
    );
    assert!(
        cp.get("container").is_none(),
        "spent container forgotten: {cp}"
    );
    assert!(received(&e.sb).is_empty());
}

#[tokio::test]
async fn a_private_address_is_refused_by_meta_in_words_about_the_host() {
    let e = env().await;
    // A host the emulator does not treat as public: Meta cannot fetch it.
    let host = TestHost::start().await;
    let tokens = Tokens::new(&e.sb, Product::Instagram, CREATOR.0);
    let post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "p.jpg")],
        "x",
    );
    let mut cp = Value::Null;
    let err = publish_to_end(
        &e.client,
        &e.sb,
        &tokens,
        &post,
        &mut cp,
        &Sink::new(Some(host)),
    )
    .await
    .expect_err("unfetchable");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert!(err.message.contains("media host"), "{}", err.message);
    assert!(err.detail.unwrap_or_default().contains("2207052"));
}

#[tokio::test]
async fn a_lost_publish_answer_is_found_again_not_sent_twice() {
    let (e, tokens, sink) = hosted(Product::Instagram, CREATOR).await;
    let post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "once.jpg")],
        "Only once",
    );
    let mut cp = Value::Null;
    e.client
        .publish(&tokens, &post, &mut cp, &sink)
        .await
        .expect("accepted");
    e.sb.inject_fault(FaultSpec::new(
        Some("POST"),
        &format!("/meta/graph-instagram/v23.0/{}/media_publish", CREATOR.0),
        Fault::ResetMidBody,
    ))
    .expect("fault");
    let err = e
        .client
        .check(&tokens, &post, &mut cp, &sink)
        .await
        .expect_err("answer lost");
    assert!(err.may_have_taken_effect(), "{err:?}");
    assert_eq!(cp["publishing"], true, "in flight recorded: {cp}");
    let r = e
        .client
        .reconcile(&tokens, &post, &cp)
        .await
        .expect("reconciled");
    let Reconciled::Published(p) = r else {
        panic!("not found: {r:?}");
    };
    let got = received(&e.sb);
    assert_eq!(got.len(), 1, "published once");
    assert_eq!(got[0].remote_id, p.remote_id);
    assert!(p.url.is_some());
    // And `check` with that checkpoint does not publish again either.
    let again = e.client.check(&tokens, &post, &mut cp, &sink).await;
    assert!(matches!(again, Ok(Outcome::Published(_))), "{again:?}");
    assert_eq!(received(&e.sb).len(), 1);
    assert_eq!(count(&e.sb, "POST", "/media_publish"), 1);
}

#[tokio::test]
async fn profiles_of_both_products() {
    let e = env().await;
    let ig = Tokens::new(&e.sb, Product::Instagram, CREATOR.0);
    let p = e
        .client
        .profiles(&ig, &Product::Instagram.scopes())
        .await
        .expect("profile");
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].platform_user_id.as_str(), p[0].username.as_str()),
        CREATOR
    );
    let fb = Tokens::new(&e.sb, Product::Facebook, CREATOR.0);
    let p = e
        .client
        .profiles(&fb, &Product::Facebook.scopes())
        .await
        .expect("profiles");
    let ids: Vec<&str> = p.iter().map(|p| p.platform_user_id.as_str()).collect();
    assert_eq!(
        ids,
        [CREATOR.0, STUDIO.0],
        "the Page without Instagram is left out"
    );
}

#[tokio::test]
async fn a_png_picture_goes_as_a_jpeg_meta_takes() {
    let (e, tokens, sink) = hosted(Product::Instagram, CREATOR).await;
    // A real PNG of 4:5, with a transparent half.
    let mut img = image::RgbaImage::new(80, 100);
    for (x, _, p) in img.enumerate_pixels_mut() {
        *p = image::Rgba([30, 120, 200, if x < 40 { 255 } else { 0 }]);
    }
    let path = e.dir.path().join("logo.png");
    img.save(&path).expect("png");
    let bytes = std::fs::read(&path).expect("read");
    let png = creatorflow_platforms::MediaFile {
        width: Some(80),
        height: Some(100),
        ..instagram_common::media_file(e.dir.path(), "logo.png", &bytes, "image/png")
    };
    let post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![png],
        "Our new logo",
    );
    let mut cp = Value::Null;
    published(
        publish_to_end(&e.client, &e.sb, &tokens, &post, &mut cp, &sink)
            .await
            .expect("published as a JPEG"),
    );
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].media[0].mime, "image/jpeg", "{:?}", got[0].media);
    // The converted copy is removed once it is on the host.
    let copy = std::env::temp_dir()
        .join("creatorflow-instagram")
        .join(format!(
            "{}.jpg",
            got[0].media[0].sha256.clone().unwrap_or_default()
        ));
    assert!(!copy.exists(), "{} left behind", copy.display());
}

#[tokio::test]
async fn a_reel_with_a_cover_picture_kept_out_of_the_grid() {
    let (e, tokens, sink) = hosted(Product::Instagram, CREATOR).await;
    let mut post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Reel,
        vec![video(e.dir.path(), "tour.mp4", 150_000, 12)],
        "Studio tour",
    );
    let cover = photo(e.dir.path(), "cover.jpg");
    post.cover = Some(cover.clone());
    post.options = PlatformOptions::Instagram(InstagramOptions {
        kind: InstagramKind::Reel,
        share_to_feed: false,
        cover_offset_ms: None,
        cover_media_id: Some(7),
    });
    let mut cp = Value::Null;
    published(
        publish_to_end(&e.client, &e.sb, &tokens, &post, &mut cp, &sink)
            .await
            .expect("published"),
    );
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    let extra = &got[0].extra;
    assert_eq!(extra["media_type"], "REELS", "{extra}");
    assert_eq!(extra["share_to_feed"], false, "{extra}");
    assert_eq!(
        extra["cover"]["sha256"].as_str(),
        Some(cover.sha256.as_str()),
        "Meta fetched the cover picture: {extra}"
    );
    assert_eq!(sink.hosted(), 2, "the video and its cover on the host");
}

#[tokio::test]
async fn a_limit_reached_after_preparing_waits_for_room_with_the_post_kept() {
    let (e, tokens, sink) = hosted(Product::Instagram, CREATOR).await;
    let post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "later.jpg")],
        "When there is room",
    );
    let mut cp = Value::Null;
    e.client
        .publish(&tokens, &post, &mut cp, &sink)
        .await
        .expect("prepared while there was room");
    // Meanwhile the account used up its 24 hours elsewhere.
    set(&e.sb, json!({"publishing_quota_total": 0}));
    let waiting = e
        .client
        .check(&tokens, &post, &mut cp, &sink)
        .await
        .expect("waits");
    let Outcome::Processing(p) = waiting else {
        panic!("not waiting: {waiting:?}");
    };
    assert!(p.stage.contains("Waiting for room"), "{}", p.stage);
    assert!(p.check_at > chrono::Utc::now() + chrono::Duration::minutes(30));
    assert_eq!(cp["publishing"], Value::Null, "nothing in flight: {cp}");
    assert!(received(&e.sb).is_empty());
    // Room again: the same prepared post goes out.
    set(&e.sb, json!({"publishing_quota_total": 100}));
    let done = e.client.check(&tokens, &post, &mut cp, &sink).await;
    assert!(matches!(done, Ok(Outcome::Published(_))), "{done:?}");
    assert_eq!(received(&e.sb).len(), 1);
    assert_eq!(count(&e.sb, "POST", "/media"), 1, "one container, kept");
}
