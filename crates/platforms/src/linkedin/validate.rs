//! LinkedIn's rules for a post (docs/platforms/linkedin.md §3.1, §3.2, §5.4,
//! §6.5; Documents API), in messages that name LinkedIn and the fix.

use super::text::commentary_length;
use crate::types::{
    CountingRule, FieldCount, MediaFile, PublishRequest, ValidationIssue, human_duration,
    human_size,
};

const MB: u64 = 1024 * 1024;

/// `commentary`: at most 3,000, as [`commentary_length`] counts (§3.1).
pub const MAX_TEXT_LENGTH: usize = 3000;
/// Images in one post: `multiImage` takes 2 to 20 (one goes as `media`).
pub const MAX_IMAGES: usize = 20;
/// An image (JPG, PNG, GIF): about 5 MB (§5.4).
pub const MAX_IMAGE_BYTES: u64 = 5 * MB;
/// An image must have fewer pixels than this (§5.4).
pub const MAX_IMAGE_PIXELS: u64 = 36_152_320;
/// A video: 75 KB to 500 MB (§6.5).
pub const MIN_VIDEO_BYTES: u64 = 75 * 1024;
pub const MAX_VIDEO_BYTES: u64 = 500 * MB;
/// A video plays 3 seconds to 30 minutes (§6.5).
pub const MIN_VIDEO_DURATION_MS: u64 = 3_000;
pub const MAX_VIDEO_DURATION_MS: u64 = 30 * 60 * 1000;
/// Width / height of a video: 1:2.4 to 2.4:1 (§6.5).
pub const MIN_VIDEO_ASPECT: f64 = 1.0 / 2.4;
pub const MAX_VIDEO_ASPECT: f64 = 2.4;
/// A PDF document: at most 100 MB (Documents API).
pub const MAX_DOCUMENT_BYTES: u64 = 100 * MB;
/// An image's alt text (`altText` of the Posts API): at most 4,086, counted
/// in UTF-16 code units like the text.
pub const MAX_ALT_TEXT_LENGTH: usize = 4086;

/// What LinkedIn makes of an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LinkedinMedia {
    /// JPG, PNG or GIF, through the Images API.
    Image,
    /// MP4, through the Videos API.
    Video,
    /// PDF, through the Documents API.
    Document,
}

impl LinkedinMedia {
    /// From the file's MIME type; `None` = LinkedIn cannot show it.
    pub fn of(file: &MediaFile) -> Option<Self> {
        match file.mime.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" | "image/png" | "image/gif" => {
                Some(Self::Image)
            }
            "video/mp4" => Some(Self::Video),
            "application/pdf" => Some(Self::Document),
            _ => None,
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Document => "document",
        }
    }
}

/// The post's text as LinkedIn counts it, for the composer's counter.
pub fn counts(post: &PublishRequest) -> Vec<FieldCount> {
    vec![FieldCount {
        field: "text".into(),
        label: "Post".into(),
        used: u32::try_from(commentary_length(&post.text)).unwrap_or(u32::MAX),
        limit: MAX_TEXT_LENGTH as u32,
        counting: CountingRule::Utf16,
    }]
}

/// Checks a post against LinkedIn's rules: its text and its media.
pub fn validate_post(post: &PublishRequest) -> Vec<ValidationIssue> {
    let mut issues = validate_update(post);
    issues.extend(validate_media(&post.media));
    issues
}

/// Checks the text of a live post being changed (LinkedIn changes only the
/// text of a post, §3; its media stay).
pub fn validate_update(post: &PublishRequest) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let issue = |code: &str, message: String| ValidationIssue::new(code, message, Some("text"));
    if post.text.trim().is_empty() && post.media.is_empty() {
        issues.push(issue(
            "empty_text",
            "Your LinkedIn post is empty. Add some text, or attach images, a video or a PDF."
                .to_owned(),
        ));
    }
    let used = commentary_length(&post.text);
    if used > MAX_TEXT_LENGTH {
        let shown = post.text.chars().count();
        let why = if shown < used {
            " (LinkedIn counts an emoji as two, and each of ( ) [ ] { } < > @ * _ ~ | \\ as \
             two: CreatorFlow sends it with a backslash so it shows as you typed it)"
        } else {
            ""
        };
        issues.push(issue(
            "text_too_long",
            format!(
                "Your LinkedIn post is {used} characters as LinkedIn counts them{why}; \
                 LinkedIn allows {MAX_TEXT_LENGTH}. Shorten it."
            ),
        ));
    }
    issues
}

fn validate_media(media: &[MediaFile]) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let issue = |code: &str, message: String| ValidationIssue::new(code, message, Some("media"));
    let mut kinds = Vec::new();
    for file in media {
        let name = file.display_name();
        let Some(kind) = LinkedinMedia::of(file) else {
            issues.push(issue(
                "unsupported_media",
                format!(
                    "LinkedIn cannot show \"{name}\" ({}). Attach JPG, PNG or GIF images, one \
                     MP4 video or one PDF document.",
                    file.mime
                ),
            ));
            continue;
        };
        kinds.push(kind);
        let (min, max) = match kind {
            LinkedinMedia::Image => (1, MAX_IMAGE_BYTES),
            LinkedinMedia::Video => (MIN_VIDEO_BYTES, MAX_VIDEO_BYTES),
            LinkedinMedia::Document => (1, MAX_DOCUMENT_BYTES),
        };
        if file.size == 0 {
            issues.push(issue("media_empty", format!("\"{name}\" is empty.")));
        } else if file.size > max {
            issues.push(issue(
                "media_too_large",
                format!(
                    "\"{name}\" is {}; LinkedIn takes {}s up to {}.",
                    human_size(file.size),
                    kind.noun(),
                    human_size(max)
                ),
            ));
        } else if file.size < min {
            issues.push(issue(
                "media_too_small",
                format!("\"{name}\" is too small for LinkedIn: it takes videos of 75 KB or more."),
            ));
        }
        match kind {
            LinkedinMedia::Image => {
                let alt = file
                    .alt_text
                    .as_deref()
                    .map_or(0, |a| a.trim().encode_utf16().count());
                if alt > MAX_ALT_TEXT_LENGTH {
                    issues.push(issue(
                        "alt_text_too_long",
                        format!(
                            "The description of \"{name}\" is {alt} characters; LinkedIn takes \
                             {MAX_ALT_TEXT_LENGTH}. Shorten it."
                        ),
                    ));
                }
                if let (Some(w), Some(h)) = (file.width, file.height)
                    && u64::from(w) * u64::from(h) >= MAX_IMAGE_PIXELS
                {
                    issues.push(issue(
                        "image_too_many_pixels",
                        format!(
                            "\"{name}\" is {w}×{h} pixels; LinkedIn takes images of fewer than \
                             36 million pixels. Make it smaller."
                        ),
                    ));
                }
            }
            LinkedinMedia::Video => issues.extend(validate_video(file, &name)),
            LinkedinMedia::Document => {}
        }
    }
    let count = |k: LinkedinMedia| kinds.iter().filter(|x| **x == k).count();
    let (images, videos, documents) = (
        count(LinkedinMedia::Image),
        count(LinkedinMedia::Video),
        count(LinkedinMedia::Document),
    );
    if videos > 1 {
        issues.push(issue(
            "too_many_videos",
            format!("LinkedIn takes one video per post; this one has {videos}."),
        ));
    } else if documents > 1 {
        issues.push(issue(
            "too_many_documents",
            format!("LinkedIn takes one document per post; this one has {documents}."),
        ));
    } else if videos == 1 && kinds.len() > 1 {
        issues.push(issue(
            "video_not_alone",
            "LinkedIn shows a video only on its own: remove the other files or the video."
                .to_owned(),
        ));
    } else if documents == 1 && kinds.len() > 1 {
        issues.push(issue(
            "document_not_alone",
            "LinkedIn shows a document only on its own: remove the other files or the document."
                .to_owned(),
        ));
    } else if images > MAX_IMAGES {
        issues.push(issue(
            "too_many_images",
            format!("LinkedIn takes up to {MAX_IMAGES} images in a post; this one has {images}."),
        ));
    }
    issues
}

fn validate_video(file: &MediaFile, name: &str) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let issue = |code: &str, message: String| ValidationIssue::new(code, message, Some("media"));
    if let Some(ms) = file.duration_ms {
        if ms > MAX_VIDEO_DURATION_MS {
            issues.push(issue(
                "video_too_long",
                format!(
                    "\"{name}\" plays for {}; LinkedIn takes videos up to {}.",
                    human_duration(ms),
                    human_duration(MAX_VIDEO_DURATION_MS)
                ),
            ));
        } else if ms < MIN_VIDEO_DURATION_MS {
            issues.push(issue(
                "video_too_short",
                format!(
                    "\"{name}\" is too short for LinkedIn: it takes videos of 3 seconds or more."
                ),
            ));
        }
    }
    if let (Some(w), Some(h)) = (file.width, file.height)
        && w > 0
        && h > 0
    {
        let aspect = f64::from(w) / f64::from(h);
        // A little tolerance: 1080×2592 is exactly 1:2.4.
        if !(MIN_VIDEO_ASPECT - 1e-6..=MAX_VIDEO_ASPECT + 1e-6).contains(&aspect) {
            issues.push(issue(
                "video_aspect_ratio",
                format!(
                    "\"{name}\" is {w}×{h}; LinkedIn takes videos from 1:2.4 (tall) to 2.4:1 \
                     (wide). Crop it."
                ),
            ));
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::PlatformOptions;
    use crate::types::Platform;
    use std::path::PathBuf;

    fn post(text: &str) -> PublishRequest {
        PublishRequest {
            account: Default::default(),
            text: text.to_owned(),
            media: vec![],
            cover: None,
            options: PlatformOptions::default_for(Platform::Linkedin),
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
    fn text_limit_counts_escapes_and_emoji() {
        assert!(validate_post(&post(&"a".repeat(3000))).is_empty());
        let issues = validate_post(&post(&"a".repeat(3001)));
        assert_eq!(codes(&issues), ["text_too_long"]);
        assert_eq!(
            issues[0].message,
            "Your LinkedIn post is 3001 characters as LinkedIn counts them; LinkedIn allows \
             3000. Shorten it."
        );
        let issues = validate_post(&post(&format!("{}(", "a".repeat(2999))));
        assert_eq!(codes(&issues), ["text_too_long"]);
        assert!(
            issues[0].message.contains("backslash"),
            "{}",
            issues[0].message
        );
        assert!(validate_post(&post(&format!("{}#a", "a".repeat(2998)))).is_empty());
        let c = counts(&post("(hi) 👋"));
        assert_eq!((c[0].used, c[0].limit), (9, 3000));
        assert_eq!(c[0].counting, CountingRule::Utf16);
    }

    #[test]
    fn empty_posts() {
        assert_eq!(codes(&validate_post(&post("  "))), ["empty_text"]);
        let mut p = post("");
        p.media.push(file("a.png", "image/png", 10));
        assert!(validate_post(&p).is_empty());
    }

    #[test]
    fn images() {
        let mut p = post("pics");
        for i in 0..20 {
            let mime = if i % 2 == 0 {
                "image/jpeg"
            } else {
                "image/gif"
            };
            p.media.push(file(&format!("{i}.img"), mime, 1000));
        }
        assert!(validate_post(&p).is_empty());
        p.media.push(file("21.png", "image/png", 1000));
        let issues = validate_post(&p);
        assert_eq!(codes(&issues), ["too_many_images"]);
        assert_eq!(
            issues[0].message,
            "LinkedIn takes up to 20 images in a post; this one has 21."
        );
        let mut p = post("big");
        p.media.push(file("big.png", "image/png", 6 * MB));
        let issues = validate_post(&p);
        assert_eq!(
            issues[0].message,
            "\"big.png\" is 6 MB; LinkedIn takes images up to 5 MB."
        );
        let mut described = file("cat.png", "image/png", MB);
        described.alt_text = Some("a".repeat(4086));
        let mut p = post("alt");
        p.media.push(described.clone());
        assert!(validate_post(&p).is_empty());
        described.alt_text = Some(format!("{}👋", "a".repeat(4085)));
        p.media = vec![described];
        let issues = validate_post(&p);
        assert_eq!(codes(&issues), ["alt_text_too_long"]);
        assert_eq!(
            issues[0].message,
            "The description of \"cat.png\" is 4087 characters; LinkedIn takes 4086. Shorten it."
        );
        let mut huge = file("huge.png", "image/png", MB);
        (huge.width, huge.height) = (Some(8000), Some(4520));
        let mut p = post("huge");
        p.media.push(huge);
        assert_eq!(codes(&validate_post(&p)), ["image_too_many_pixels"]);
        let mut p = post("webp");
        p.media.push(file("a.webp", "image/webp", 10));
        let issues = validate_post(&p);
        assert_eq!(codes(&issues), ["unsupported_media"]);
        assert!(
            issues[0]
                .message
                .starts_with("LinkedIn cannot show \"a.webp\"")
        );
    }

    #[test]
    fn videos_and_documents_go_alone() {
        let mut v = file("v.mp4", "video/mp4", 10 * MB);
        (v.width, v.height, v.duration_ms) = (Some(1080), Some(1920), Some(60_000));
        let mut p = post("video");
        p.media.push(v.clone());
        assert!(validate_post(&p).is_empty());
        p.media.push(file("a.jpg", "image/jpeg", 10));
        assert_eq!(codes(&validate_post(&p)), ["video_not_alone"]);
        let mut p = post("two");
        p.media = vec![v.clone(), v.clone()];
        assert_eq!(codes(&validate_post(&p)), ["too_many_videos"]);

        let mut short = v.clone();
        short.duration_ms = Some(2_000);
        let mut long = v.clone();
        long.duration_ms = Some(31 * 60 * 1000);
        let mut wide = v.clone();
        (wide.width, wide.height) = (Some(2600), Some(1000));
        let mut tiny = v.clone();
        tiny.size = 70 * 1024;
        let mov = file("v.mov", "video/quicktime", MB);
        for (f, code) in [
            (short, "video_too_short"),
            (long, "video_too_long"),
            (wide, "video_aspect_ratio"),
            (tiny, "media_too_small"),
            (mov, "unsupported_media"),
        ] {
            let mut p = post("v");
            p.media.push(f);
            assert_eq!(codes(&validate_post(&p)), [code]);
        }

        let pdf = file("slides.pdf", "application/pdf", 20 * MB);
        let mut p = post("doc");
        p.media.push(pdf.clone());
        assert!(validate_post(&p).is_empty());
        p.media.push(file("a.png", "image/png", 10));
        assert_eq!(codes(&validate_post(&p)), ["document_not_alone"]);
        let mut big = pdf;
        big.size = 101 * MB;
        let mut p = post("doc");
        p.media.push(big);
        assert_eq!(codes(&validate_post(&p)), ["media_too_large"]);
    }

    #[test]
    fn update_checks_the_text_only() {
        let mut p = post(&"a".repeat(3001));
        p.media.push(file("a.webp", "image/webp", 10));
        assert_eq!(codes(&validate_update(&p)), ["text_too_long"]);
        p.text = String::new();
        assert!(validate_update(&p).is_empty(), "the media stay");
    }
}
