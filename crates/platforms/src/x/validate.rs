//! X's content rules for a post or thread (docs/platforms/x.md §2, §5.7, §7).

use std::collections::HashMap;

use crate::options::PlatformOptions;
use crate::text::x_weighted;
use crate::types::{FieldCount, MediaFile, PublishRequest, ValidationIssue, human_size};

const MB: u64 = 1024 * 1024;
/// Still images (JPEG, PNG, WebP): 5 MB.
pub const MAX_IMAGE_BYTES: u64 = 5 * MB;
/// Animated GIF: 15 MB.
pub const MAX_GIF_BYTES: u64 = 15 * MB;
/// Video: X's long-standing 512 MB (its "advanced" upload constraint); longer
/// uploads exist for some accounts but need X to accept the duration too.
pub const MAX_VIDEO_BYTES: u64 = 512 * MB;
/// Photos per post.
pub const MAX_IMAGES: usize = 4;
/// Video length X takes from most accounts: 0.5 s to 140 s.
pub const MAX_VIDEO_DURATION_MS: u64 = 140_000;
const MIN_VIDEO_DURATION_MS: u64 = 500;

/// What X makes of an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XMediaKind {
    Image,
    Gif,
    Video,
}

impl XMediaKind {
    /// From the file's MIME type; `None` = X cannot show it.
    pub fn of_mime(mime: &str) -> Option<Self> {
        match mime.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" | "image/png" | "image/webp" => {
                Some(Self::Image)
            }
            "image/gif" => Some(Self::Gif),
            "video/mp4" | "video/quicktime" => Some(Self::Video),
            _ => None,
        }
    }

    /// The word used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Gif => "GIF",
            Self::Video => "video",
        }
    }

    /// X's `media_category` for a post.
    pub fn category(self) -> &'static str {
        match self {
            Self::Image => "tweet_image",
            Self::Gif => "tweet_gif",
            Self::Video => "tweet_video",
        }
    }

    pub fn max_bytes(self) -> u64 {
        match self {
            Self::Image => MAX_IMAGE_BYTES,
            Self::Gif => MAX_GIF_BYTES,
            Self::Video => MAX_VIDEO_BYTES,
        }
    }
}

/// X's `media_type` for a MIME type (its enum has no `image/jpg`).
pub fn media_type(mime: &str) -> String {
    match mime.trim().to_ascii_lowercase().as_str() {
        "image/jpg" => "image/jpeg".to_owned(),
        other => other.to_owned(),
    }
}

/// The further parts of a thread, from X's options.
pub fn thread(post: &PublishRequest) -> &[String] {
    match &post.options {
        PlatformOptions::X(o) => &o.thread,
        _ => &[],
    }
}

/// The text of every part: the post, then each reply.
pub fn parts(post: &PublishRequest) -> Vec<&str> {
    std::iter::once(post.text.as_str())
        .chain(thread(post).iter().map(String::as_str))
        .collect()
}

/// The field key of part `i` (0 = the post's text).
pub fn part_field(i: usize) -> String {
    if i == 0 {
        "text".to_owned()
    } else {
        format!("thread.{i}")
    }
}

/// Each part's weighted length against `limit`.
pub fn counts(post: &PublishRequest, limit: usize) -> Vec<FieldCount> {
    parts(post)
        .iter()
        .enumerate()
        .map(|(i, text)| FieldCount {
            field: part_field(i),
            label: if i == 0 {
                "Post".to_owned()
            } else {
                format!("Part {}", i + 1)
            },
            used: u32::try_from(x_weighted::weighted_length(text)).unwrap_or(u32::MAX),
            limit: u32::try_from(limit).unwrap_or(u32::MAX),
            counting: crate::types::CountingRule::XWeighted,
        })
        .collect()
}

/// Checks `post` against X's rules with a `limit` weighted characters per part.
pub fn validate_post(post: &PublishRequest, limit: usize) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let parts = parts(post);
    let threaded = parts.len() > 1;
    let subject = |i: usize| {
        if threaded {
            format!("Part {} of your X thread", i + 1)
        } else {
            "Your X post".to_owned()
        }
    };
    let issue = |code: &str, message: String, part: usize| {
        ValidationIssue::new(code, message, Some(&part_field(part)))
    };

    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, text) in parts.iter().enumerate() {
        let has_media = i == 0 && !post.media.is_empty();
        if text.trim().is_empty() {
            if !has_media {
                let message = if i == 0 {
                    format!("{} is empty. Add some text or an image.", subject(i))
                } else {
                    format!("{} is empty. Add some text or remove the part.", subject(i))
                };
                issues.push(issue("empty_text", message, i));
            }
            continue;
        }
        let parsed = x_weighted::parse_with_limit(text, limit);
        if parsed.weighted_length > limit {
            issues.push(issue(
                "text_too_long",
                format!(
                    "{} is {} characters; X allows {limit}.",
                    subject(i),
                    parsed.weighted_length
                ),
                i,
            ));
        }
        if let Some(c) = parsed.invalid_char {
            issues.push(issue(
                "invalid_characters",
                format!(
                    "{} contains an invisible character X does not allow (U+{:04X}). Remove it.",
                    subject(i),
                    u32::from(c)
                ),
                i,
            ));
        }
        // X refuses the same text twice from one account, so a repeated part
        // would stop the thread half way.
        match seen.get(text.trim()) {
            Some(&first) => issues.push(issue(
                "duplicate_part",
                format!(
                    "Parts {} and {} of your X thread are the same; X refuses repeated text.",
                    first + 1,
                    i + 1
                ),
                i,
            )),
            None => {
                seen.insert(text.trim(), i);
            }
        }
    }

    issues.extend(validate_media(&post.media));
    issues
}

fn validate_media(media: &[MediaFile]) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let issue = |code: &str, message: String| ValidationIssue::new(code, message, Some("media"));
    let mut kinds = Vec::new();
    for file in media {
        let name = display_name(file);
        let Some(kind) = XMediaKind::of_mime(&file.mime) else {
            issues.push(issue(
                "unsupported_media",
                format!(
                    "X cannot show \"{name}\" ({}). Use a JPEG, PNG, WebP or GIF image, or an \
                     MP4 or MOV video.",
                    file.mime
                ),
            ));
            continue;
        };
        kinds.push(kind);
        if kind == XMediaKind::Video
            && let Some(ms) = file.duration_ms
        {
            if ms > MAX_VIDEO_DURATION_MS {
                issues.push(issue(
                    "video_too_long",
                    format!(
                        "\"{name}\" plays for {}; X takes videos up to {}.",
                        crate::types::human_duration(ms),
                        crate::types::human_duration(MAX_VIDEO_DURATION_MS)
                    ),
                ));
            } else if ms < MIN_VIDEO_DURATION_MS {
                issues.push(issue(
                    "video_too_short",
                    format!(
                        "\"{name}\" is too short for X: it takes videos of half a second or more."
                    ),
                ));
            }
        }
        if file.size == 0 {
            issues.push(issue("media_empty", format!("\"{name}\" is empty.")));
        } else if file.size > kind.max_bytes() {
            issues.push(issue(
                "media_too_large",
                format!(
                    "\"{name}\" is {}; X allows {}s up to {}.",
                    human_size(file.size),
                    kind.noun(),
                    human_size(kind.max_bytes())
                ),
            ));
        }
    }
    let images = kinds.iter().filter(|k| **k == XMediaKind::Image).count();
    let gifs = kinds.iter().filter(|k| **k == XMediaKind::Gif).count();
    let videos = kinds.iter().filter(|k| **k == XMediaKind::Video).count();
    if gifs > 0 && kinds.len() > 1 {
        issues.push(issue(
            "gif_not_alone",
            "X shows a GIF only on its own: remove the other media or the GIF.".to_owned(),
        ));
    } else if videos > 0 && kinds.len() > 1 {
        issues.push(issue(
            "video_not_alone",
            "X shows a video only on its own: remove the other media or the video.".to_owned(),
        ));
    } else if images > MAX_IMAGES {
        issues.push(issue(
            "too_many_images",
            format!("X allows up to {MAX_IMAGES} images in a post; this one has {images}."),
        ));
    }
    issues
}

fn display_name(file: &MediaFile) -> String {
    file.display_name()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn post(text: &str, thread: &[&str]) -> PublishRequest {
        PublishRequest {
            account: Default::default(),
            text: text.to_owned(),
            media: vec![],
            cover: None,
            options: PlatformOptions::X(crate::options::XOptions {
                thread: thread.iter().map(|s| (*s).to_owned()).collect(),
            }),
        }
    }

    fn file(name: &str, mime: &str, size: u64) -> MediaFile {
        MediaFile {
            name: None,
            path: PathBuf::from(format!("/media/{name}")),
            mime: mime.to_owned(),
            size,
            sha256: "00".repeat(32),
            width: None,
            height: None,
            duration_ms: None,
            codec: None,
            alt_text: None,
        }
    }

    fn codes(issues: &[ValidationIssue]) -> Vec<&str> {
        issues.iter().map(|i| i.code.as_str()).collect()
    }

    #[test]
    fn a_plain_post_passes() {
        assert!(validate_post(&post("Hello, world! 👋", &[]), 280).is_empty());
        assert!(validate_post(&post(&"a".repeat(280), &[]), 280).is_empty());
    }

    #[test]
    fn too_long_names_the_part() {
        let issues = validate_post(&post("ok", &[&"b".repeat(301)]), 280);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, "text_too_long");
        assert_eq!(issues[0].field.as_deref(), Some("thread.1"));
        assert_eq!(
            issues[0].message,
            "Part 2 of your X thread is 301 characters; X allows 280."
        );
        let issues = validate_post(&post(&"a".repeat(281), &[]), 280);
        assert_eq!(
            issues[0].message,
            "Your X post is 281 characters; X allows 280."
        );
        // A Premium limit.
        assert!(validate_post(&post(&"a".repeat(281), &[]), 25_000).is_empty());
    }

    #[test]
    fn empty_parts() {
        let issues = validate_post(&post("  ", &[]), 280);
        assert_eq!(codes(&issues), vec!["empty_text"]);
        assert_eq!(issues[0].field.as_deref(), Some("text"));
        let issues = validate_post(&post("first", &["", "third"]), 280);
        assert_eq!(codes(&issues), vec!["empty_text"]);
        assert_eq!(issues[0].field.as_deref(), Some("thread.1"));
        assert!(
            issues[0]
                .message
                .starts_with("Part 2 of your X thread is empty")
        );
        // Media makes an empty first part fine, not an empty reply.
        let mut p = post("", &[""]);
        p.media.push(file("a.png", "image/png", 10));
        let issues = validate_post(&p, 280);
        assert_eq!(codes(&issues), vec!["empty_text"]);
        assert_eq!(issues[0].field.as_deref(), Some("thread.1"));
    }

    #[test]
    fn invalid_characters_and_repeats() {
        let issues = validate_post(&post("bad\u{FEFF}", &[]), 280);
        assert_eq!(codes(&issues), vec!["invalid_characters"]);
        assert!(issues[0].message.contains("U+FEFF"));
        let issues = validate_post(&post("same", &["other", "same"]), 280);
        assert_eq!(codes(&issues), vec!["duplicate_part"]);
        assert_eq!(issues[0].field.as_deref(), Some("thread.2"));
    }

    #[test]
    fn media_rules() {
        let mut p = post("pics", &[]);
        for i in 0..4 {
            p.media.push(file(&format!("{i}.jpg"), "image/jpeg", 1000));
        }
        assert!(validate_post(&p, 280).is_empty());
        p.media.push(file("5.png", "image/png", 1000));
        let issues = validate_post(&p, 280);
        assert_eq!(codes(&issues), vec!["too_many_images"]);
        assert_eq!(
            issues[0].message,
            "X allows up to 4 images in a post; this one has 5."
        );

        let mut p = post("gif", &[]);
        p.media.push(file("a.gif", "image/gif", 14 * MB));
        assert!(validate_post(&p, 280).is_empty());
        p.media.push(file("b.png", "image/png", 10));
        assert_eq!(codes(&validate_post(&p, 280)), vec!["gif_not_alone"]);

        let mut p = post("big", &[]);
        p.media.push(file("huge.png", "image/png", 6 * MB + MB / 5));
        let issues = validate_post(&p, 280);
        assert_eq!(codes(&issues), vec!["media_too_large"]);
        assert_eq!(
            issues[0].message,
            "\"huge.png\" is 6.2 MB; X allows images up to 5 MB."
        );
        let mut p = post("gif", &[]);
        p.media.push(file("big.gif", "image/gif", 16 * MB));
        assert_eq!(codes(&validate_post(&p, 280)), vec!["media_too_large"]);

        let mut p = post("doc", &[]);
        p.media.push(file("a.pdf", "application/pdf", 10));
        assert_eq!(codes(&validate_post(&p, 280)), vec!["unsupported_media"]);

        let mut p = post("video", &[]);
        p.media.push(file("v.mp4", "video/mp4", 50 * MB));
        assert!(validate_post(&p, 280).is_empty());
        p.media.push(file("a.jpg", "image/jpeg", 10));
        assert_eq!(codes(&validate_post(&p, 280)), vec!["video_not_alone"]);
    }

    #[test]
    fn kinds_and_types() {
        assert_eq!(XMediaKind::of_mime("IMAGE/PNG"), Some(XMediaKind::Image));
        assert_eq!(
            XMediaKind::of_mime("image/gif").map(XMediaKind::category),
            Some("tweet_gif")
        );
        assert_eq!(media_type("image/jpg"), "image/jpeg");
        assert_eq!(human_size(5 * MB), "5 MB");
    }
}
