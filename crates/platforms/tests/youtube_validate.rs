//! YouTube's rules as the composer sees them (docs/platforms/youtube.md §3.1,
//! §2.4, §6): validation messages that name YouTube and say how to fix,
//! the counters, the capabilities, and a post that breaks a rule never
//! reaching YouTube.

mod youtube_common;

use creatorflow_platforms::youtube::{YoutubeClient, YoutubeEndpoints};
use creatorflow_platforms::{
    CountingRule, ErrorKind, MediaFile, MediaKind, NoopSink, PlatformOptions, PublishRequest,
    Publisher, ValidationIssue, XOptions, YoutubeOptions,
};
use serde_json::Value;
use youtube_common::*;

fn client() -> YoutubeClient {
    YoutubeClient::new(YoutubeEndpoints::production())
}

fn file(name: &str, mime: &str, size: u64) -> MediaFile {
    MediaFile {
        path: std::path::PathBuf::from(format!("/media/{name}")),
        name: Some(name.to_owned()),
        mime: mime.to_owned(),
        size,
        sha256: "ab".repeat(32),
        width: None,
        height: None,
        duration_ms: Some(60_000),
        codec: None,
        alt_text: None,
    }
}

fn good() -> PublishRequest {
    post(file("clip.mp4", "video/mp4", 50 << 20), options("A title"))
}

fn with(f: impl FnOnce(&mut YoutubeOptions)) -> PublishRequest {
    let mut p = good();
    if let PlatformOptions::Youtube(o) = &mut p.options {
        f(o);
    }
    p
}

/// The one issue `p` has.
fn only(p: &PublishRequest) -> ValidationIssue {
    let issues = client().validate(p);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    let issue = issues.into_iter().next().expect("issue");
    assert!(issue.message.contains("YouTube"), "{}", issue.message);
    issue
}

#[test]
fn a_good_post_has_no_issue() {
    assert!(client().validate(&good()).is_empty());
    assert!(client().validate_update(&good()).is_empty());
}

#[test]
fn a_video_is_required_alone_and_of_a_type_youtube_takes() {
    let mut p = good();
    p.media.clear();
    let i = only(&p);
    assert_eq!(
        (i.code.as_str(), i.field.as_deref()),
        ("media_required", Some("media"))
    );
    assert!(i.message.contains("attach one MP4 or MOV"), "{}", i.message);

    p.media = vec![
        file("a.mp4", "video/mp4", 10),
        file("b.mov", "video/quicktime", 10),
    ];
    assert_eq!(only(&p).code, "too_many_media");
    p.media = vec![file("photo.jpg", "image/jpeg", 10)];
    let i = only(&p);
    assert_eq!(i.code, "unsupported_media");
    assert!(i.message.contains("\"photo.jpg\""));
    p.media = vec![file("clip.avi", "video/x-msvideo", 10)];
    assert!(only(&p).message.contains("Export it as MP4"));
    p.media = vec![file("huge.mov", "video/quicktime", 257 * (1 << 30))];
    let i = only(&p);
    assert_eq!(i.code, "media_too_large");
    assert!(
        i.message.contains("257 GB") && i.message.contains("256 GB"),
        "{}",
        i.message
    );
    let mut long = file("long.mp4", "video/mp4", 10);
    long.duration_ms = Some(13 * 3600 * 1000);
    p.media = vec![long];
    let i = only(&p);
    assert_eq!(i.code, "video_too_long");
    assert!(i.message.contains("13:00:00") && i.message.contains("12 hours"));
}

#[test]
fn title_rules() {
    let i = only(&with(|o| o.title = "   ".into()));
    assert_eq!(
        (i.code.as_str(), i.field.as_deref()),
        ("title_missing", Some("title"))
    );
    let i = only(&with(|o| o.title = "t".repeat(101)));
    assert_eq!(i.code, "title_too_long");
    assert_eq!(
        i.message,
        "The YouTube title is 101 characters; YouTube allows 100. Shorten it."
    );
    // Characters, not bytes.
    assert!(
        client()
            .validate(&with(|o| o.title = "😀".repeat(100)))
            .is_empty()
    );
    let i = only(&with(|o| o.title = "1 < 2".into()));
    assert_eq!(i.code, "title_invalid_characters");
    assert!(i.message.contains("Remove them"));
}

#[test]
fn description_rules_count_bytes() {
    let mut p = good();
    p.text = "😀".repeat(1251); // 5,004 bytes, 1,251 characters
    let i = only(&p);
    assert_eq!(
        (i.code.as_str(), i.field.as_deref()),
        ("text_too_long", Some("text"))
    );
    assert!(i.message.contains("5004 bytes"), "{}", i.message);
    assert!(i.message.contains("emoji"), "{}", i.message);
    p.text = "😀".repeat(1250);
    assert!(client().validate(&p).is_empty());
    p.text = "<b>bold</b>".into();
    assert_eq!(only(&p).code, "text_invalid_characters");
}

#[test]
fn tags_count_as_youtube_does() {
    // 49 tags of 10 characters = 490; one more with a space: 8 + 2 quotes.
    let mut tags: Vec<String> = (0..49).map(|i| format!("tag{i:07}")).collect();
    tags.push("two word".into());
    let p = with(|o| o.tags = tags.clone());
    assert!(client().validate(&p).is_empty(), "exactly 500");
    let counts = client().counts(&p);
    let t = counts
        .iter()
        .find(|c| c.field == "tags")
        .expect("tags count");
    assert_eq!((t.used, t.limit), (500, 500));
    tags.push("x".into());
    let i = only(&with(|o| o.tags = tags.clone()));
    assert_eq!(
        (i.code.as_str(), i.field.as_deref()),
        ("tags_too_long", Some("tags"))
    );
    assert!(i.message.contains("501 characters") && i.message.contains("quotes"));
}

#[test]
fn category_and_made_for_kids() {
    let i = only(&with(|o| o.category_id = "gaming".into()));
    assert_eq!(i.code, "category_invalid");
    let i = only(&with(|o| o.made_for_kids = None));
    assert_eq!(
        (i.code.as_str(), i.field.as_deref()),
        ("made_for_kids_missing", Some("made_for_kids"))
    );
    assert!(i.message.contains("made for kids") && i.message.contains("Choose Yes or No"));
    // Another network's options: YouTube's own are all missing.
    let mut p = good();
    p.options = PlatformOptions::X(XOptions::default());
    let codes: Vec<String> = client().validate(&p).into_iter().map(|i| i.code).collect();
    assert_eq!(codes, ["title_missing", "made_for_kids_missing"]);
}

#[test]
fn thumbnail_rules() {
    let mut p = good();
    p.cover = Some(file("cover.gif", "image/gif", 1000));
    let i = only(&p);
    assert_eq!(
        (i.code.as_str(), i.field.as_deref()),
        ("thumbnail_unsupported", Some("thumbnail"))
    );
    assert!(i.message.contains("JPEG or PNG"));
    p.cover = Some(file("cover.png", "image/png", 3 << 20));
    let i = only(&p);
    assert_eq!(i.code, "thumbnail_too_large");
    assert!(
        i.message.contains("3 MB") && i.message.contains("2 MB"),
        "{}",
        i.message
    );
    p.cover = Some(file("cover.jpg", "image/jpeg", 2 << 20));
    assert!(client().validate(&p).is_empty());
    // Updates leave the video and thumbnail alone.
    p.media.clear();
    p.cover = Some(file("cover.gif", "image/gif", 1000));
    assert!(client().validate_update(&p).is_empty());
}

#[test]
fn counters_and_capabilities() {
    let mut p = with(|o| o.title = "Café".into());
    p.text = "héllo".into();
    let counts = client().counts(&p);
    let fields: Vec<(&str, u32, u32, CountingRule)> = counts
        .iter()
        .map(|c| (c.field.as_str(), c.used, c.limit, c.counting))
        .collect();
    assert_eq!(
        fields,
        [
            ("text", 6, 5000, CountingRule::Bytes),
            ("title", 4, 100, CountingRule::Characters),
            ("tags", 0, 500, CountingRule::Characters),
        ]
    );
    assert_eq!(counts[0].label, "Description");
    let caps = client().capabilities();
    assert_eq!(caps.text.label, "Description");
    assert!(caps.requires_media && caps.supports_cover && caps.can_edit && caps.can_delete);
    assert!(!caps.needs_public_media && !caps.supports_threads);
    assert!(caps.processing_horizon_secs >= 12 * 3600);
    let video = caps.media_rule(MediaKind::Video).expect("video");
    assert_eq!(video.max_count, 1);
    assert!(video.alone);
    assert_eq!(client().platform().as_str(), "youtube");
}

#[tokio::test]
async fn a_post_that_breaks_a_rule_never_reaches_youtube() {
    let e = env().await;
    let (mut p, _) = video_post(&e, 1000, "x");
    if let PlatformOptions::Youtube(o) = &mut p.options {
        o.made_for_kids = None;
    }
    let err = e
        .client
        .publish(&e.tokens, &p, &mut Value::Null, &NoopSink)
        .await
        .expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(err.code, "made_for_kids_missing");
    assert!(requests(&e.sb).is_empty());
}
