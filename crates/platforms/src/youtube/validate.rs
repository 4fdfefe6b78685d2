//! YouTube's rules for a video post (docs/platforms/youtube.md §2.4, §3.1, §6).

use crate::options::{PlatformOptions, YoutubeOptions};
use crate::types::{
    CountingRule, FieldCount, MediaFile, MediaKind, PublishRequest, ValidationIssue,
    human_duration, human_size,
};

/// `snippet.title`: at most 100 characters (§3.1).
pub const MAX_TITLE_CHARS: usize = 100;
/// `snippet.description`: at most 5,000 bytes (§3.1).
pub const MAX_DESCRIPTION_BYTES: usize = 5000;
/// `snippet.tags`: at most 500 characters in all, as YouTube counts (§3.1).
pub const MAX_TAGS_LENGTH: usize = 500;
/// Largest video file: 256 GB (§2.4).
pub const MAX_VIDEO_BYTES: u64 = 256 * 1024 * 1024 * 1024;
/// Longest video: 12 hours (verified channels; unverified ones: 15 minutes).
pub const MAX_VIDEO_DURATION_MS: u64 = 12 * 3600 * 1000;
/// Largest custom thumbnail: 2 MB (§6).
pub const MAX_THUMBNAIL_BYTES: u64 = 2 * 1024 * 1024;

/// The video types CreatorFlow sends to YouTube.
pub(super) const VIDEO_TYPES: &[&str] = &["video/mp4", "video/quicktime"];

/// The YouTube options of a request (the defaults when it carries another
/// network's: the title and "made for kids" are then missing).
pub(super) fn options(post: &PublishRequest) -> YoutubeOptions {
    match &post.options {
        PlatformOptions::Youtube(o) => o.clone(),
        _ => YoutubeOptions::default(),
    }
}

/// The tags as they are sent: trimmed, blank ones left out.
pub(super) fn clean_tags(tags: &[String]) -> Vec<String> {
    tags.iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The video's MIME type as sent (`video/mp4` or `video/quicktime`).
pub(super) fn video_type(mime: &str) -> Option<&'static str> {
    let mime = mime.trim().to_ascii_lowercase();
    VIDEO_TYPES.iter().copied().find(|t| *t == mime)
}

/// The thumbnail's MIME type as sent: YouTube takes `image/jpeg` and
/// `image/png` (§6).
pub(super) fn thumbnail_type(mime: &str) -> Option<&'static str> {
    match mime.trim().to_ascii_lowercase().as_str() {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Some("image/jpeg"),
        "image/png" => Some("image/png"),
        _ => None,
    }
}

/// The length of `tags` as YouTube counts it: characters, plus the two
/// quotes around a tag that contains a space (§3.1).
pub fn tags_length(tags: &[String]) -> usize {
    clean_tags(tags)
        .iter()
        .map(|t| t.chars().count() + if t.contains(' ') { 2 } else { 0 })
        .sum()
}

fn count(used: usize) -> u32 {
    u32::try_from(used).unwrap_or(u32::MAX)
}

/// The counted fields: `text` (the description, in bytes), `title`
/// (characters) and `tags` (as YouTube counts them).
pub fn counts(post: &PublishRequest) -> Vec<FieldCount> {
    let o = options(post);
    vec![
        FieldCount {
            field: "text".into(),
            label: "Description".into(),
            used: count(post.text.len()),
            limit: MAX_DESCRIPTION_BYTES as u32,
            counting: CountingRule::Bytes,
        },
        FieldCount {
            field: "title".into(),
            label: "Title".into(),
            used: count(o.title.trim().chars().count()),
            limit: MAX_TITLE_CHARS as u32,
            counting: CountingRule::Characters,
        },
        FieldCount {
            field: "tags".into(),
            label: "Tags".into(),
            used: count(tags_length(&o.tags)),
            limit: MAX_TAGS_LENGTH as u32,
            counting: CountingRule::Characters,
        },
    ]
}

fn has_angle_brackets(s: &str) -> bool {
    s.contains('<') || s.contains('>')
}

/// Checks a video post against YouTube's rules: the text and options, the
/// video and the thumbnail.
pub fn validate_post(post: &PublishRequest) -> Vec<ValidationIssue> {
    let mut issues = validate_update(post);
    issues.extend(validate_media(&post.media));
    if let Some(cover) = &post.cover {
        issues.extend(validate_thumbnail(cover));
    }
    issues
}

/// Checks what a live video's update changes: title, description, tags,
/// category, "made for kids" (the video and thumbnail stay as they are).
pub fn validate_update(post: &PublishRequest) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let o = options(post);
    let issue =
        |code: &str, message: String, field: &str| ValidationIssue::new(code, message, Some(field));

    let title = o.title.trim();
    let title_len = title.chars().count();
    if title.is_empty() {
        issues.push(issue(
            "title_missing",
            "YouTube needs a title for the video. Add one in the YouTube options.".into(),
            "title",
        ));
    } else if title_len > MAX_TITLE_CHARS {
        issues.push(issue(
            "title_too_long",
            format!(
                "The YouTube title is {title_len} characters; YouTube allows {MAX_TITLE_CHARS}. \
                 Shorten it."
            ),
            "title",
        ));
    }
    if has_angle_brackets(title) {
        issues.push(issue(
            "title_invalid_characters",
            "YouTube does not allow < or > in a title. Remove them.".into(),
            "title",
        ));
    }

    let bytes = post.text.len();
    if bytes > MAX_DESCRIPTION_BYTES {
        let chars = post.text.chars().count();
        let why = if chars < bytes {
            " (accented letters and emoji take more than one byte each)"
        } else {
            ""
        };
        issues.push(issue(
            "text_too_long",
            format!(
                "The YouTube description is {bytes} bytes{why}; YouTube allows \
                 {MAX_DESCRIPTION_BYTES}. Shorten it."
            ),
            "text",
        ));
    }
    if has_angle_brackets(&post.text) {
        issues.push(issue(
            "text_invalid_characters",
            "YouTube does not allow < or > in a description. Remove them.".into(),
            "text",
        ));
    }

    let tags = tags_length(&o.tags);
    if tags > MAX_TAGS_LENGTH {
        issues.push(issue(
            "tags_too_long",
            format!(
                "The YouTube tags add up to {tags} characters; YouTube allows \
                 {MAX_TAGS_LENGTH} (a tag with a space counts two more, for its quotes). \
                 Remove some tags."
            ),
            "tags",
        ));
    }

    let category = o.category_id.trim();
    if category.is_empty() || !category.bytes().all(|b| b.is_ascii_digit()) {
        issues.push(issue(
            "category_invalid",
            "Pick a YouTube category for the video (People & Blogs fits most videos).".into(),
            "category",
        ));
    }

    if o.made_for_kids.is_none() {
        issues.push(issue(
            "made_for_kids_missing",
            "YouTube requires you to say whether the video is made for kids. Choose Yes or No \
             in the YouTube options."
                .into(),
            "made_for_kids",
        ));
    }
    issues
}

fn validate_media(media: &[MediaFile]) -> Vec<ValidationIssue> {
    let issue = |code: &str, message: String| ValidationIssue::new(code, message, Some("media"));
    let mut issues = Vec::new();
    if media.is_empty() {
        issues.push(issue(
            "media_required",
            "YouTube needs a video: attach one MP4 or MOV file.".into(),
        ));
        return issues;
    }
    if media.len() > 1 {
        issues.push(issue(
            "too_many_media",
            format!(
                "YouTube takes one video per post; this one has {} files. Keep only the video.",
                media.len()
            ),
        ));
    }
    for file in media {
        let name = file.display_name();
        if file.kind() != Some(MediaKind::Video) {
            issues.push(issue(
                "unsupported_media",
                format!(
                    "YouTube takes only a video, and \"{name}\" is not one. Attach an MP4 or MOV \
                     video instead."
                ),
            ));
            continue;
        }
        if video_type(&file.mime).is_none() {
            issues.push(issue(
                "unsupported_media",
                format!(
                    "CreatorFlow sends MP4 and MOV videos to YouTube, and \"{name}\" is {}. \
                     Export it as MP4.",
                    file.mime
                ),
            ));
        }
        if file.size == 0 {
            issues.push(issue("media_empty", format!("\"{name}\" is empty.")));
        } else if file.size > MAX_VIDEO_BYTES {
            issues.push(issue(
                "media_too_large",
                format!(
                    "\"{name}\" is {}; YouTube takes videos up to {}.",
                    human_size(file.size),
                    human_size(MAX_VIDEO_BYTES)
                ),
            ));
        }
        if let Some(ms) = file.duration_ms
            && ms > MAX_VIDEO_DURATION_MS
        {
            issues.push(issue(
                "video_too_long",
                format!(
                    "\"{name}\" plays for {}; YouTube takes videos up to 12 hours.",
                    human_duration(ms)
                ),
            ));
        }
    }
    issues
}

fn validate_thumbnail(cover: &MediaFile) -> Vec<ValidationIssue> {
    let issue =
        |code: &str, message: String| ValidationIssue::new(code, message, Some("thumbnail"));
    let name = cover.display_name();
    let mut issues = Vec::new();
    if thumbnail_type(&cover.mime).is_none() {
        issues.push(issue(
            "thumbnail_unsupported",
            format!(
                "YouTube takes a JPEG or PNG picture as a thumbnail, and \"{name}\" is {}. Pick \
                 a JPEG or PNG.",
                cover.mime
            ),
        ));
    }
    if cover.size == 0 {
        issues.push(issue(
            "thumbnail_empty",
            format!("The thumbnail \"{name}\" is empty."),
        ));
    } else if cover.size > MAX_THUMBNAIL_BYTES {
        issues.push(issue(
            "thumbnail_too_large",
            format!(
                "The thumbnail \"{name}\" is {}; YouTube takes thumbnails up to {}. Use a \
                 smaller picture (1280×720 is enough).",
                human_size(cover.size),
                human_size(MAX_THUMBNAIL_BYTES)
            ),
        ));
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(name: &str, mime: &str, size: u64) -> MediaFile {
        MediaFile {
            path: PathBuf::from(format!("/media/{name}")),
            name: Some(name.to_owned()),
            mime: mime.to_owned(),
            size,
            sha256: "00".repeat(32),
            width: None,
            height: None,
            duration_ms: Some(60_000),
            codec: Some("avc1".into()),
            alt_text: None,
        }
    }

    fn post(title: &str) -> PublishRequest {
        PublishRequest {
            account: Default::default(),
            text: "A description".into(),
            media: vec![file("clip.mp4", "video/mp4", 10 * 1024 * 1024)],
            cover: None,
            options: PlatformOptions::Youtube(YoutubeOptions {
                title: title.into(),
                made_for_kids: Some(false),
                ..YoutubeOptions::default()
            }),
        }
    }

    fn codes(issues: &[ValidationIssue]) -> Vec<&str> {
        issues.iter().map(|i| i.code.as_str()).collect()
    }

    #[test]
    fn a_good_post_passes() {
        assert!(validate_post(&post("My video")).is_empty());
    }

    #[test]
    fn tags_count_quotes_around_spaces() {
        let tags = vec!["a b".to_owned(), "cd".to_owned(), "  ".to_owned()];
        assert_eq!(tags_length(&tags), 5 + 2);
    }

    #[test]
    fn title_rules() {
        assert_eq!(codes(&validate_post(&post("  "))), ["title_missing"]);
        assert_eq!(
            codes(&validate_post(&post(&"é".repeat(101)))),
            ["title_too_long"]
        );
        assert!(validate_post(&post(&"é".repeat(100))).is_empty());
        let issues = validate_post(&post("a <b>"));
        assert_eq!(codes(&issues), ["title_invalid_characters"]);
        assert_eq!(issues[0].field.as_deref(), Some("title"));
    }

    #[test]
    fn description_counts_bytes() {
        let mut p = post("t");
        p.text = "é".repeat(2501);
        let issues = validate_post(&p);
        assert_eq!(codes(&issues), ["text_too_long"]);
        assert!(
            issues[0].message.contains("5002 bytes"),
            "{}",
            issues[0].message
        );
        assert!(issues[0].message.contains("more than one byte"));
        p.text = "é".repeat(2500);
        assert!(validate_post(&p).is_empty());
        p.text = "x > y".into();
        assert_eq!(codes(&validate_post(&p)), ["text_invalid_characters"]);
    }

    #[test]
    fn media_rules() {
        let mut p = post("t");
        p.media.clear();
        assert_eq!(codes(&validate_post(&p)), ["media_required"]);
        p.media = vec![
            file("a.mp4", "video/mp4", 10),
            file("b.mp4", "video/mp4", 10),
        ];
        assert_eq!(codes(&validate_post(&p)), ["too_many_media"]);
        p.media = vec![file("a.png", "image/png", 10)];
        assert_eq!(codes(&validate_post(&p)), ["unsupported_media"]);
        p.media = vec![file("a.webm", "video/webm", 10)];
        assert_eq!(codes(&validate_post(&p)), ["unsupported_media"]);
        p.media = vec![file("a.mov", "video/quicktime", MAX_VIDEO_BYTES + 1)];
        assert_eq!(codes(&validate_post(&p)), ["media_too_large"]);
        let mut long = file("a.mp4", "video/mp4", 10);
        long.duration_ms = Some(MAX_VIDEO_DURATION_MS + 1000);
        p.media = vec![long];
        assert_eq!(codes(&validate_post(&p)), ["video_too_long"]);
    }

    #[test]
    fn update_ignores_media() {
        let mut p = post("t");
        p.media.clear();
        p.cover = Some(file("big.png", "image/png", 3 * 1024 * 1024));
        assert!(validate_update(&p).is_empty());
        assert_eq!(
            codes(&validate_post(&p)),
            ["media_required", "thumbnail_too_large"]
        );
    }
}
