//! Instagram's rules for each kind of post (docs/platforms/instagram.md
//! §4.2, §4.3): the caption, what media each kind takes, JPEG pictures
//! within Meta's aspect ratios and sizes.

use crate::options::{InstagramKind, InstagramOptions, PlatformOptions};
use crate::types::{
    MediaFile, MediaKind, PublishRequest, ValidationIssue, human_duration, human_size,
};

/// Caption: 2,200 characters, 30 hashtags, 20 @-mentions (§4.2).
pub const MAX_CAPTION_CHARS: usize = 2200;
pub const MAX_HASHTAGS: usize = 30;
pub const MAX_MENTIONS: usize = 20;
/// A carousel holds 2 to 10 items (§4.2).
pub const MAX_CAROUSEL_ITEMS: usize = 10;
/// Pictures: JPEG, at most 8 MiB (§4.3).
pub const MAX_IMAGE_BYTES: u64 = 8 * 1024 * 1024;
/// Feed and carousel pictures: width / height between 4:5 and 1.91:1 (§4.3).
pub const MIN_FEED_ASPECT: f64 = 0.8;
pub const MAX_FEED_ASPECT: f64 = 1.91;
/// Videos CreatorFlow sends: MP4 or MOV, at most 300 MB.
pub const MAX_VIDEO_BYTES: u64 = 300 * 1024 * 1024;
pub const VIDEO_TYPES: &[&str] = &["video/mp4", "video/quicktime"];
/// Reels play 3 seconds to 15 minutes; story and carousel videos up to 60 s.
pub const MIN_VIDEO_MS: u64 = 3_000;
pub const MAX_REEL_MS: u64 = 15 * 60 * 1000;
pub const MAX_SHORT_VIDEO_MS: u64 = 60_000;

/// The Instagram options of a request (the defaults when it carries
/// another network's).
pub(super) fn options(post: &PublishRequest) -> InstagramOptions {
    match &post.options {
        PlatformOptions::Instagram(o) => o.clone(),
        _ => InstagramOptions::default(),
    }
}

/// Hashtags: `#` and a word character, not inside a word.
pub fn count_hashtags(s: &str) -> usize {
    count_prefixed(s, '#', is_word)
}

/// @-mentions: `@` and a username character, not inside a word (an e-mail
/// address is not a mention).
pub fn count_mentions(s: &str) -> usize {
    count_prefixed(s, '@', |c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn count_prefixed(s: &str, sigil: char, first: impl Fn(char) -> bool) -> usize {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len())
        .filter(|&i| {
            chars[i] == sigil
                && (i == 0 || !(is_word(chars[i - 1]) || chars[i - 1] == sigil))
                && chars.get(i + 1).is_some_and(|&n| first(n))
        })
        .count()
}

fn kind_name(kind: InstagramKind) -> &'static str {
    match kind {
        InstagramKind::Feed => "A feed post",
        InstagramKind::Carousel => "A carousel",
        InstagramKind::Reel => "A Reel",
        InstagramKind::Story => "A story",
    }
}

/// Every rule a post breaks; empty when it can go out.
pub fn validate_post(post: &PublishRequest) -> Vec<ValidationIssue> {
    let o = options(post);
    let mut issues = Vec::new();
    let chars = post.text.chars().count();
    if o.kind != InstagramKind::Story {
        if chars > MAX_CAPTION_CHARS {
            issues.push(ValidationIssue::new(
                "text_too_long",
                format!(
                    "Instagram captions can be at most {MAX_CAPTION_CHARS} characters; this one \
                     has {chars}."
                ),
                Some("text"),
            ));
        }
        let tags = count_hashtags(&post.text);
        if tags > MAX_HASHTAGS {
            issues.push(ValidationIssue::new(
                "too_many_hashtags",
                format!(
                    "Instagram allows {MAX_HASHTAGS} hashtags in a caption; this one has {tags}."
                ),
                Some("text"),
            ));
        }
        let mentions = count_mentions(&post.text);
        if mentions > MAX_MENTIONS {
            issues.push(ValidationIssue::new(
                "too_many_mentions",
                format!(
                    "Instagram allows {MAX_MENTIONS} @-mentions in a caption; this one has \
                     {mentions}."
                ),
                Some("text"),
            ));
        }
    }
    let name = kind_name(o.kind);
    let n = post.media.len();
    let count_issue = |msg: String| ValidationIssue::new("media_count", msg, Some("media"));
    match o.kind {
        InstagramKind::Feed if n != 1 => issues.push(count_issue(if n == 0 {
            "An Instagram post needs a picture. Attach one.".to_owned()
        } else {
            format!("{name} has one picture; for {n} pick \"Carousel\" as the Instagram post type.")
        })),
        InstagramKind::Carousel if !(2..=MAX_CAROUSEL_ITEMS).contains(&n) => {
            issues.push(count_issue(format!(
                "{name} has 2 to {MAX_CAROUSEL_ITEMS} pictures or videos; this post has {n}."
            )))
        }
        InstagramKind::Reel | InstagramKind::Story if n != 1 => issues.push(count_issue(format!(
            "{name} has exactly one {}; this post has {n} files.",
            if o.kind == InstagramKind::Reel {
                "video"
            } else {
                "picture or video"
            }
        ))),
        _ => {}
    }
    for file in &post.media {
        issues.extend(validate_file(o.kind, file));
    }
    if o.kind == InstagramKind::Reel {
        if let Some(cover) = &post.cover {
            if !(is_jpeg(&cover.mime) || needs_conversion(cover)) {
                issues.push(ValidationIssue::new(
                    "cover_type",
                    format!(
                        "A Reel's cover must be a JPEG, PNG or WebP picture; \"{}\" is not one.",
                        cover.display_name()
                    ),
                    Some("cover"),
                ));
            } else if is_jpeg(&cover.mime) && cover.size > MAX_IMAGE_BYTES {
                issues.push(ValidationIssue::new(
                    "cover_too_large",
                    format!(
                        "A Reel's cover can be at most 8 MB; \"{}\" is {}.",
                        cover.display_name(),
                        human_size(cover.size)
                    ),
                    Some("cover"),
                ));
            }
        }
        if let (Some(offset), Some(video)) = (o.cover_offset_ms, post.media.first())
            && let Some(d) = video.duration_ms
            && offset > d
        {
            issues.push(ValidationIssue::new(
                "cover_offset",
                format!(
                    "The cover frame at {} is past the end of the video ({}).",
                    human_duration(offset),
                    human_duration(d)
                ),
                Some("coverOffsetMs"),
            ));
        }
    }
    issues
}

use super::convert::{is_jpeg, needs_conversion};

fn validate_file(kind: InstagramKind, file: &MediaFile) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let name = file.display_name();
    let issue = |code: &str, msg: String| ValidationIssue::new(code, msg, Some("media"));
    match file.kind() {
        Some(MediaKind::Image) if kind == InstagramKind::Reel => issues.push(issue(
            "media_type",
            format!("A Reel is a video; \"{name}\" is a picture. Pick \"Feed\" or \"Story\"."),
        )),
        Some(MediaKind::Image) => {
            if !(is_jpeg(&file.mime) || needs_conversion(file)) {
                issues.push(issue(
                    "media_type",
                    format!(
                        "Instagram takes JPEG pictures (CreatorFlow converts PNG and WebP); \
                         \"{name}\" is neither. Export it as JPEG and attach it again."
                    ),
                ));
            }
            // A converted picture is measured once it is a JPEG.
            if is_jpeg(&file.mime) && file.size > MAX_IMAGE_BYTES {
                issues.push(issue(
                    "media_too_large",
                    format!(
                        "Instagram takes pictures of up to 8 MB; \"{name}\" is {}.",
                        human_size(file.size)
                    ),
                ));
            }
            if kind != InstagramKind::Story
                && let (Some(w), Some(h)) = (file.width, file.height)
                && h > 0
            {
                let ratio = f64::from(w) / f64::from(h);
                if !(MIN_FEED_ASPECT - 0.005..=MAX_FEED_ASPECT + 0.005).contains(&ratio) {
                    issues.push(issue(
                        "media_aspect",
                        format!(
                            "Instagram feed pictures must be between 4:5 (portrait) and 1.91:1 \
                             (landscape); \"{name}\" is {w}×{h}. Crop it, or post it as a story."
                        ),
                    ));
                }
            }
        }
        Some(MediaKind::Video) => {
            if kind == InstagramKind::Feed {
                issues.push(issue(
                    "media_type",
                    format!(
                        "Instagram posts a single video as a Reel: pick \"Reel\" for \"{name}\"."
                    ),
                ));
            }
            let mime = file.mime.trim().to_ascii_lowercase();
            if !VIDEO_TYPES.contains(&mime.as_str()) {
                issues.push(issue(
                    "media_type",
                    format!("Instagram takes MP4 or MOV videos; \"{name}\" is not one."),
                ));
            }
            if file.size > MAX_VIDEO_BYTES {
                issues.push(issue(
                    "media_too_large",
                    format!(
                        "CreatorFlow sends Instagram videos of up to 300 MB; \"{name}\" is {}.",
                        human_size(file.size)
                    ),
                ));
            }
            let max = match kind {
                InstagramKind::Reel => MAX_REEL_MS,
                _ => MAX_SHORT_VIDEO_MS,
            };
            if let Some(d) = file.duration_ms {
                if d < MIN_VIDEO_MS {
                    issues.push(issue(
                        "video_too_short",
                        format!(
                            "Instagram videos play at least 3 seconds; \"{name}\" plays {}.",
                            human_duration(d)
                        ),
                    ));
                } else if d > max {
                    issues.push(issue(
                        "video_too_long",
                        format!(
                            "{} can play up to {}; \"{name}\" plays {}.",
                            kind_name(kind),
                            human_duration(max),
                            human_duration(d)
                        ),
                    ));
                }
            }
        }
        _ => issues.push(issue(
            "media_type",
            format!("Instagram takes JPEG pictures and MP4 or MOV videos; \"{name}\" is neither."),
        )),
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::RemoteAccount;
    use std::path::PathBuf;

    fn file(name: &str, mime: &str, w: u32, h: u32, ms: Option<u64>) -> MediaFile {
        MediaFile {
            path: PathBuf::from(name),
            name: Some(name.into()),
            mime: mime.into(),
            size: 1000,
            sha256: "x".into(),
            width: Some(w),
            height: Some(h),
            duration_ms: ms,
            codec: None,
            alt_text: None,
        }
    }

    fn post(kind: InstagramKind, media: Vec<MediaFile>, text: &str) -> PublishRequest {
        PublishRequest {
            account: RemoteAccount::default(),
            text: text.into(),
            media,
            cover: None,
            options: PlatformOptions::Instagram(InstagramOptions {
                kind,
                ..InstagramOptions::default()
            }),
        }
    }

    fn codes(issues: &[ValidationIssue]) -> Vec<&str> {
        issues.iter().map(|i| i.code.as_str()).collect()
    }

    #[test]
    fn counts_tags_like_instagram() {
        assert_eq!(count_hashtags("#a #b c#d ##e #"), 2);
        assert_eq!(count_mentions("@one me@example.com @two_"), 2);
    }

    #[test]
    fn each_kind_takes_its_media() {
        let jpg = || file("a.jpg", "image/jpeg", 1080, 1080, None);
        let mp4 = |ms| file("v.mp4", "video/mp4", 1080, 1920, Some(ms));
        assert!(validate_post(&post(InstagramKind::Feed, vec![jpg()], "hi")).is_empty());
        assert_eq!(
            codes(&validate_post(&post(InstagramKind::Feed, vec![], "hi"))),
            ["media_count"]
        );
        assert_eq!(
            codes(&validate_post(&post(
                InstagramKind::Feed,
                vec![mp4(10_000)],
                ""
            ))),
            ["media_type"]
        );
        assert!(
            validate_post(&post(InstagramKind::Carousel, vec![jpg(), mp4(10_000)], "")).is_empty()
        );
        assert_eq!(
            codes(&validate_post(&post(
                InstagramKind::Carousel,
                vec![jpg()],
                ""
            ))),
            ["media_count"]
        );
        assert!(validate_post(&post(InstagramKind::Reel, vec![mp4(30_000)], "")).is_empty());
        assert_eq!(
            codes(&validate_post(&post(InstagramKind::Reel, vec![jpg()], ""))),
            ["media_type"]
        );
        assert_eq!(
            codes(&validate_post(&post(
                InstagramKind::Story,
                vec![mp4(90_000)],
                ""
            ))),
            ["video_too_long"]
        );
        let tall = file("tall.jpg", "image/jpeg", 1080, 1920, None);
        assert_eq!(
            codes(&validate_post(&post(
                InstagramKind::Feed,
                vec![tall.clone()],
                ""
            ))),
            ["media_aspect"]
        );
        assert!(validate_post(&post(InstagramKind::Story, vec![tall], "")).is_empty());
        let png = file("p.png", "image/png", 1000, 1000, None);
        assert!(
            validate_post(&post(InstagramKind::Feed, vec![png], "")).is_empty(),
            "converted on the way"
        );
        let bmp = file("p.bmp", "image/bmp", 1000, 1000, None);
        let issues = validate_post(&post(InstagramKind::Feed, vec![bmp], ""));
        assert_eq!(codes(&issues), ["media_type"]);
        assert!(issues[0].message.contains("JPEG"), "{}", issues[0].message);
    }

    #[test]
    fn caption_limits() {
        let jpg = file("a.jpg", "image/jpeg", 1080, 1080, None);
        let long = "a".repeat(2201);
        assert_eq!(
            codes(&validate_post(&post(
                InstagramKind::Feed,
                vec![jpg.clone()],
                &long
            ))),
            ["text_too_long"]
        );
        let tags: String = (0..31).map(|i| format!("#t{i} ")).collect();
        assert_eq!(
            codes(&validate_post(&post(
                InstagramKind::Feed,
                vec![jpg.clone()],
                &tags
            ))),
            ["too_many_hashtags"]
        );
        // Stories carry no caption: nothing to count.
        assert!(validate_post(&post(InstagramKind::Story, vec![jpg], &long)).is_empty());
    }
}
