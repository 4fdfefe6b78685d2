//! TikTok's rules for a direct video post (docs/platforms/tiktok.md §3, §4,
//! §6.3) and the choices TikTok's content-sharing guidelines require.
//! What depends on the creator's account (the privacy levels offered now,
//! the longest video) is checked against creator info before publishing.

use crate::options::{PlatformOptions, TiktokOptions};
use crate::types::{MediaKind, PublishRequest, ValidationIssue, human_duration, human_size};

/// The caption (`post_info.title`): at most 2,200 UTF-16 code units (§4.1).
pub const MAX_CAPTION_LENGTH: usize = 2200;
/// Largest video: 4 GB (§6.3), read as decimal gigabytes like TikTok's
/// chunk sizes (the stricter reading).
pub const MAX_VIDEO_BYTES: u64 = 4_000_000_000;
/// Longest video any creator may post through the API: 10 minutes (§6.3);
/// each creator's own maximum comes with creator info.
pub const MAX_VIDEO_DURATION_MS: u64 = 10 * 60 * 1000;
/// The video types TikTok takes (§6.2).
pub const VIDEO_TYPES: &[&str] = &["video/mp4", "video/quicktime", "video/webm"];

/// TikTok's privacy level as the creator reads it in TikTok's own app.
pub fn privacy_label(level: &str) -> String {
    match level {
        "PUBLIC_TO_EVERYONE" => "Everyone".into(),
        "MUTUAL_FOLLOW_FRIENDS" => "Friends".into(),
        "FOLLOWER_OF_CREATOR" => "Followers".into(),
        "SELF_ONLY" => "Only me".into(),
        other => other.to_owned(),
    }
}

/// The TikTok options of a request (the defaults, with nothing picked,
/// when it carries another network's).
pub(super) fn options(post: &PublishRequest) -> TiktokOptions {
    match &post.options {
        PlatformOptions::Tiktok(o) => o.clone(),
        _ => TiktokOptions::default(),
    }
}

/// The video's MIME type as sent.
pub(super) fn video_type(mime: &str) -> Option<&'static str> {
    let mime = mime.trim().to_ascii_lowercase();
    VIDEO_TYPES.iter().copied().find(|t| *t == mime)
}

/// Every rule a post breaks; empty when it can go out.
pub fn validate_post(post: &PublishRequest) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let caption = post.text.encode_utf16().count();
    if caption > MAX_CAPTION_LENGTH {
        issues.push(ValidationIssue::new(
            "text_too_long",
            format!(
                "TikTok captions can be at most {MAX_CAPTION_LENGTH} characters; this one has \
                 {caption}."
            ),
            Some("text"),
        ));
    }
    match post.media.as_slice() {
        [] => issues.push(ValidationIssue::new(
            "media_required",
            "A TikTok post needs a video. Attach one.",
            Some("media"),
        )),
        [video] if video.kind() == Some(MediaKind::Video) => {
            let name = video.display_name();
            if video_type(&video.mime).is_none() {
                issues.push(ValidationIssue::new(
                    "media_type",
                    format!("TikTok takes MP4, MOV or WebM videos; \"{name}\" is not one."),
                    Some("media"),
                ));
            }
            if video.size > MAX_VIDEO_BYTES {
                issues.push(ValidationIssue::new(
                    "media_too_large",
                    format!(
                        "TikTok takes videos of up to 4 GB; \"{name}\" is {}.",
                        human_size(video.size)
                    ),
                    Some("media"),
                ));
            }
            if let Some(ms) = video.duration_ms
                && ms > MAX_VIDEO_DURATION_MS
            {
                issues.push(ValidationIssue::new(
                    "video_too_long",
                    format!(
                        "TikTok takes videos of up to {} from apps like CreatorFlow; \"{name}\" \
                         plays {}.",
                        human_duration(MAX_VIDEO_DURATION_MS),
                        human_duration(ms)
                    ),
                    Some("media"),
                ));
            }
        }
        [one] if one.kind() != Some(MediaKind::Video) => issues.push(ValidationIssue::new(
            "photos_unavailable",
            "CreatorFlow posts videos to TikTok. TikTok takes photos only from a web address on \
             a domain you verified with TikTok, which needs a media host CreatorFlow does not \
             offer yet.",
            Some("media"),
        )),
        _ => issues.push(ValidationIssue::new(
            "too_many_media",
            "A TikTok post from CreatorFlow is one video. Keep one.",
            Some("media"),
        )),
    }
    let o = options(post);
    match o.privacy_level.as_deref() {
        None | Some("") => issues.push(ValidationIssue::new(
            "privacy_required",
            "Pick who can see this TikTok post. TikTok wants you to choose; there is no default.",
            Some("privacyLevel"),
        )),
        Some(level) => {
            if o.disclose_commercial && o.branded_content && level == "SELF_ONLY" {
                issues.push(ValidationIssue::new(
                    "branded_content_private",
                    "Branded content can't be posted as \"Only me\" on TikTok. Pick who else can \
                     see it, or turn off \"Branded content\".",
                    Some("privacyLevel"),
                ));
            }
        }
    }
    if o.disclose_commercial && !o.brand_organic && !o.branded_content {
        issues.push(ValidationIssue::new(
            "commercial_unspecified",
            "You said this TikTok post promotes a brand: pick \"Your brand\", \"Branded \
             content\" or both, or turn the disclosure off.",
            Some("commercial"),
        ));
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{MediaFile, RemoteAccount};
    use std::path::PathBuf;

    fn video(mime: &str, size: u64, duration_ms: Option<u64>) -> MediaFile {
        MediaFile {
            path: PathBuf::from("/m/v.mp4"),
            name: Some("clip.mp4".into()),
            mime: mime.into(),
            size,
            sha256: String::new(),
            width: None,
            height: None,
            duration_ms,
            codec: None,
            alt_text: None,
        }
    }

    fn post(options: TiktokOptions) -> PublishRequest {
        PublishRequest {
            account: RemoteAccount::default(),
            text: "caption #tag".into(),
            media: vec![video("video/mp4", 1_000_000, Some(10_000))],
            cover: None,
            options: PlatformOptions::Tiktok(options),
        }
    }

    fn picked(level: &str) -> TiktokOptions {
        TiktokOptions {
            privacy_level: Some(level.into()),
            ..TiktokOptions::default()
        }
    }

    fn codes(p: &PublishRequest) -> Vec<String> {
        validate_post(p).into_iter().map(|i| i.code).collect()
    }

    #[test]
    fn a_video_with_privacy_picked_passes_and_nothing_is_assumed() {
        assert!(codes(&post(picked("SELF_ONLY"))).is_empty());
        assert_eq!(codes(&post(TiktokOptions::default())), ["privacy_required"]);
    }

    #[test]
    fn caption_counts_utf16() {
        let mut p = post(picked("SELF_ONLY"));
        p.text = "😀".repeat(1100);
        assert!(codes(&p).is_empty(), "2,200 UTF-16 units fit");
        p.text.push('a');
        assert_eq!(codes(&p), ["text_too_long"]);
    }

    #[test]
    fn commercial_disclosure_rules() {
        let mut o = picked("SELF_ONLY");
        o.disclose_commercial = true;
        assert_eq!(codes(&post(o.clone())), ["commercial_unspecified"]);
        o.branded_content = true;
        assert_eq!(codes(&post(o.clone())), ["branded_content_private"]);
        o.privacy_level = Some("PUBLIC_TO_EVERYONE".into());
        assert!(codes(&post(o.clone())).is_empty());
        // Without the disclosure nothing commercial is sent, so nothing clashes.
        o.disclose_commercial = false;
        o.privacy_level = Some("SELF_ONLY".into());
        assert!(codes(&post(o)).is_empty());
    }

    #[test]
    fn media_rules() {
        let mut p = post(picked("SELF_ONLY"));
        p.media.clear();
        assert_eq!(codes(&p), ["media_required"]);
        p.media = vec![video("image/jpeg", 10, None)];
        assert_eq!(codes(&p), ["photos_unavailable"]);
        p.media = vec![video("video/x-msvideo", 10, None)];
        assert_eq!(codes(&p), ["media_type"]);
        p.media = vec![video("video/mp4", 10, Some(MAX_VIDEO_DURATION_MS + 1))];
        assert_eq!(codes(&p), ["video_too_long"]);
        p.media = vec![video("video/mp4", 10, None), video("video/mp4", 10, None)];
        assert_eq!(codes(&p), ["too_many_media"]);
    }

    #[test]
    fn labels_are_tiktoks_words() {
        assert_eq!(privacy_label("SELF_ONLY"), "Only me");
        assert_eq!(privacy_label("PUBLIC_TO_EVERYONE"), "Everyone");
    }
}
