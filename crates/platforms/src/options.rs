//! Each network's own options for a post, one tagged type for all five.
//! They are stored per target, exported to the UI through the generated
//! bindings, and passed unchanged to `validate` and `publish`.

use serde::{Deserialize, Serialize};

use crate::types::Platform;

/// A target's network options. Serialized with its network as the tag:
/// `{"platform":"youtube","title":"…","privacy":"public",…}`; every field
/// of a network's options has a default, so `{"platform":"x"}` is complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "platform", rename_all = "snake_case")]
pub enum PlatformOptions {
    X(XOptions),
    Linkedin(LinkedinOptions),
    Instagram(InstagramOptions),
    Tiktok(TiktokOptions),
    Youtube(YoutubeOptions),
}

impl PlatformOptions {
    /// The options a network starts with.
    pub fn default_for(platform: Platform) -> Self {
        match platform {
            Platform::X => Self::X(XOptions::default()),
            Platform::Linkedin => Self::Linkedin(LinkedinOptions::default()),
            Platform::Instagram => Self::Instagram(InstagramOptions::default()),
            Platform::Tiktok => Self::Tiktok(TiktokOptions::default()),
            Platform::Youtube => Self::Youtube(YoutubeOptions::default()),
        }
    }

    pub fn platform(&self) -> Platform {
        match self {
            Self::X(_) => Platform::X,
            Self::Linkedin(_) => Platform::Linkedin,
            Self::Instagram(_) => Platform::Instagram,
            Self::Tiktok(_) => Platform::Tiktok,
            Self::Youtube(_) => Platform::Youtube,
        }
    }

    /// The media file the options name as a cover image, if any.
    pub fn cover_media_id(&self) -> Option<i64> {
        match self {
            Self::Youtube(o) => o.thumbnail_media_id,
            Self::Instagram(o) => o.cover_media_id,
            _ => None,
        }
    }
}

/// X: a post, or a thread of posts each replying to the one before.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct XOptions {
    /// Further parts of a thread after the post's text.
    pub thread: Vec<String>,
}

/// Who sees a YouTube video.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum YoutubePrivacy {
    #[default]
    Public,
    Unlisted,
    Private,
}

impl YoutubePrivacy {
    /// `status.privacyStatus`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Unlisted => "unlisted",
            Self::Private => "private",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Self::Public),
            "unlisted" => Some(Self::Unlisted),
            "private" => Some(Self::Private),
            _ => None,
        }
    }
}

/// YouTube: a video with its title and settings (the post's text is the
/// video's description).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct YoutubeOptions {
    pub title: String,
    pub tags: Vec<String>,
    /// A YouTube video category id ("22" is People & Blogs).
    pub category_id: String,
    pub privacy: YoutubePrivacy,
    /// YouTube requires the creator to say; `None` until they chose.
    pub made_for_kids: Option<bool>,
    pub notify_subscribers: bool,
    /// A picture from the media folder to set as the custom thumbnail.
    pub thumbnail_media_id: Option<i64>,
}

impl Default for YoutubeOptions {
    fn default() -> Self {
        Self {
            title: String::new(),
            tags: Vec::new(),
            category_id: "22".to_owned(),
            privacy: YoutubePrivacy::Public,
            made_for_kids: None,
            notify_subscribers: true,
            thumbnail_media_id: None,
        }
    }
}

/// Who sees a LinkedIn post.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LinkedinVisibility {
    #[default]
    Public,
    Connections,
}

/// LinkedIn: who sees the post. A post without media whose text has a link
/// shares it as an article (LinkedIn's preview).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct LinkedinOptions {
    pub visibility: LinkedinVisibility,
}

/// What an Instagram post is (docs/platforms/instagram.md §4.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum InstagramKind {
    /// One picture in the feed (a single video is a Reel since 2023).
    #[default]
    Feed,
    /// 2 to 10 pictures and/or videos, swiped through.
    Carousel,
    /// A video in Reels.
    Reel,
    /// A picture or video for 24 hours.
    Story,
}

/// Instagram: what the post is, and a Reel's cover and feed choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct InstagramOptions {
    pub kind: InstagramKind,
    /// Reels: also shown in the profile's feed grid (Instagram's default).
    pub share_to_feed: bool,
    /// Reels: the frame to show as the cover, this far into the video.
    pub cover_offset_ms: Option<u64>,
    /// Reels: a picture from the media folder as the cover instead.
    pub cover_media_id: Option<i64>,
}

impl Default for InstagramOptions {
    fn default() -> Self {
        Self {
            kind: InstagramKind::Feed,
            share_to_feed: true,
            cover_offset_ms: None,
            cover_media_id: None,
        }
    }
}

/// TikTok: what TikTok's content-sharing guidelines have the creator pick
/// for a direct post; nothing is assumed (docs/platforms/tiktok.md §3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct TiktokOptions {
    /// One of the levels TikTok offers this creator (`PUBLIC_TO_EVERYONE`,
    /// `MUTUAL_FOLLOW_FRIENDS`, `FOLLOWER_OF_CREATOR`, `SELF_ONLY`); `None`
    /// until picked: TikTok wants no default.
    pub privacy_level: Option<String>,
    pub allow_comments: bool,
    pub allow_duet: bool,
    pub allow_stitch: bool,
    /// The post promotes a brand, product or service.
    pub disclose_commercial: bool,
    /// Promotes the creator's own brand ("Your brand").
    pub brand_organic: bool,
    /// Paid partnership with a third party ("Branded content").
    pub branded_content: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tagged_by_network_and_every_field_defaults() {
        let o: PlatformOptions = serde_json::from_value(json!({"platform": "youtube"})).unwrap();
        let PlatformOptions::Youtube(y) = &o else {
            panic!("not youtube: {o:?}");
        };
        assert_eq!(y.category_id, "22");
        assert_eq!(y.made_for_kids, None);
        let x = PlatformOptions::X(XOptions {
            thread: vec!["two".into()],
        });
        let v = serde_json::to_value(&x).unwrap();
        assert_eq!(v, json!({"platform": "x", "thread": ["two"]}));
        assert_eq!(serde_json::from_value::<PlatformOptions>(v).unwrap(), x);
        for p in Platform::ALL {
            assert_eq!(PlatformOptions::default_for(p).platform(), p);
        }
        assert!(serde_json::from_value::<PlatformOptions>(json!({"platform": "myspace"})).is_err());
    }
}
