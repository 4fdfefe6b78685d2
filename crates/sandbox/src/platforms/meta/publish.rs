//! Content publishing, the same on both Graph hosts: containers
//! (`POST /{ig-user-id}/media`), their status, `media_publish`,
//! `content_publishing_limit`, IG media nodes, delete, and the permalink pages.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::fetch::{self, FetchError, Fetched};
use super::graph::{Ctx, Field, Principal, fields_or, paginate, paging_value};
use super::media::{caption_len, count_hashtags, count_mentions, dimensions, sniff};
use super::{
    Container, ContainerKind, Cover, DEFAULT_API_VERSION, GraphError, IgMedia, Login, MediaFacts,
    MetaState, PLATFORM, Transfer, graph_time, is_ig_account, json_response,
};
use crate::core::consent::error_page;
use crate::core::received::{ReceivedMedia, ReceivedPost};
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::html_escape;

/// Status of a container (`status_code`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    InProgress,
    Finished,
    Error { subcode: i64 },
    Expired,
    Published,
}

impl Status {
    fn code(&self) -> &'static str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::Finished => "FINISHED",
            Self::Error { .. } => "ERROR",
            Self::Expired => "EXPIRED",
            Self::Published => "PUBLISHED",
        }
    }

    fn text(&self) -> String {
        match self {
            Self::InProgress => "In Progress: Media is still being processed.".into(),
            Self::Finished => {
                "Finished: Media has been uploaded and it is ready to be published.".into()
            }
            Self::Error { subcode } => {
                format!("Error: Media upload has failed with error code {subcode}")
            }
            Self::Expired => "Expired: Media was not published within 24 hours.".into(),
            Self::Published => "Published: Media has been successfully published.".into(),
        }
    }
}

/// The status of a container now (no side effect).
pub(crate) fn status_of(meta: &MetaState, c: &Container, now: DateTime<Utc>) -> Status {
    if c.published_media_id.is_some() {
        return Status::Published;
    }
    if now >= c.expires_at {
        return Status::Expired;
    }
    match (&c.kind, &c.transfer) {
        (ContainerKind::Carousel, _) => {
            let mut all_done = true;
            for id in &c.children {
                match meta.containers.get(id).map(|k| status_of(meta, k, now)) {
                    Some(Status::Finished) => {}
                    Some(Status::InProgress) => all_done = false,
                    Some(Status::Error { subcode }) => return Status::Error { subcode },
                    Some(Status::Expired) | None => return Status::Error { subcode: 2207020 },
                    // An item already used in another carousel.
                    Some(Status::Published) => return Status::Error { subcode: 2207028 },
                }
            }
            if all_done {
                Status::Finished
            } else {
                Status::InProgress
            }
        }
        (_, Transfer::Failed { subcode, .. }) => Status::Error { subcode: *subcode },
        _ => {
            // A Reel's cover is fetched alongside the video.
            let cover = c.cover.as_ref().map(|k| &k.transfer);
            if let Some(Transfer::Failed { subcode, .. }) = cover {
                return Status::Error { subcode: *subcode };
            }
            // Bytes still arriving, then `processing_polls` polls of processing.
            if matches!(c.transfer, Transfer::Fetching | Transfer::Uploading { .. })
                || matches!(cover, Some(Transfer::Fetching))
                || c.ready_polls < c.processing_polls
            {
                Status::InProgress
            } else if let Some(f) = &c.fail_with {
                Status::Error { subcode: f.subcode }
            } else {
                Status::Finished
            }
        }
    }
}

/// A status poll: reports the status, then counts the poll towards processing.
fn poll(meta: &mut MetaState, id: &str, now: DateTime<Utc>) -> Option<Status> {
    let c = meta.containers.get(id)?.clone();
    let status = status_of(meta, &c, now);
    if status == Status::InProgress {
        let mut ids = vec![id.to_string()];
        ids.extend(c.children.iter().cloned());
        for cid in ids {
            if let Some(k) = meta.containers.get_mut(&cid)
                && matches!(k.transfer, Transfer::Done)
                && !k
                    .cover
                    .as_ref()
                    .is_some_and(|cv| matches!(cv.transfer, Transfer::Fetching))
                && k.ready_polls < k.processing_polls
            {
                k.ready_polls += 1;
            }
        }
    }
    Some(status)
}

fn parse_bool(name: &str, v: Option<&str>) -> Result<Option<bool>, GraphError> {
    match v.map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(s) if s == "true" || s == "1" => Ok(Some(true)),
        Some(s) if s == "false" || s == "0" || s.is_empty() => Ok(Some(false)),
        Some(_) => Err(GraphError::invalid(&format!(
            "Param {name} must be a boolean"
        ))),
    }
}

/// `children`: a comma list (`1,2`) or JSON (`["1","2"]` / `[1,2]`).
fn parse_children(s: &str) -> Result<Vec<String>, GraphError> {
    let t = s.trim();
    if t.starts_with('[') {
        let v: Vec<Value> = serde_json::from_str(t)
            .map_err(|_| GraphError::invalid("Param children must be an array of container ids"))?;
        v.into_iter()
            .map(|x| match x {
                Value::String(s) => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(GraphError::invalid(
                    "Param children must be an array of container ids",
                )),
            })
            .collect()
    } else {
        Ok(t.split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect())
    }
}

/// The IG account of a publishing path (`me` on graph.instagram.com).
fn resolve_target(ctx: &Ctx, id: &str, method: &str) -> Result<String, GraphError> {
    if id == "me" {
        return match &ctx.caller.principal {
            Principal::Instagram(ig) => Ok(ig.clone()),
            _ => Err(GraphError::unsupported(method, id)),
        };
    }
    ctx.sb.read_state(|st| {
        let ok = st
            .core_ref(PLATFORM)
            .is_some_and(|c| is_ig_account(c, id) && ctx.caller.can_access_ig(c, id));
        if ok {
            Ok(id.to_string())
        } else {
            Err(GraphError::unsupported(method, id))
        }
    })
}

fn carousel_error(msg: &str) -> GraphError {
    GraphError::publishing(
        100,
        2207028,
        "Carousel validation failed",
        "Carousel validation failed",
        msg,
    )
}

fn fetch_error(e: &FetchError, url: &str, image: bool) -> (i64, i64, String) {
    match e {
        FetchError::Unreachable(why) => (
            9004,
            2207052,
            format!("The media could not be fetched from this URI: {url} ({why})"),
        ),
        FetchError::Timeout => (
            -2,
            2207003,
            "It takes too long to download the media.".into(),
        ),
        FetchError::TooLarge if image => (
            36000,
            2207004,
            "The image is too large to download. It should be less than 8 MiB.".into(),
        ),
        FetchError::TooLarge => (352, 2207026, "The video file is too large.".into()),
    }
}

fn fetch_graph_error(e: &FetchError, url: &str) -> GraphError {
    let (code, subcode, msg) = fetch_error(e, url, true);
    let (message, title) = match subcode {
        2207004 => ("The image size is too large.", "Image size too large"),
        2207003 => ("Timeout", "Media download timed out"),
        _ => (
            "Only photo or video can be accepted as media type.",
            "Media download has failed.",
        ),
    };
    GraphError::publishing(code, subcode, message, title, &msg)
}

/// The checks of a fetched `image_url`: format, dimensions, aspect ratio.
fn check_image(
    st_settings: &super::MetaSettings,
    f: &Fetched,
    feed: bool,
) -> Result<MediaFacts, GraphError> {
    let bad_format = || {
        GraphError::publishing(
            36001,
            2207005,
            "The image format is not supported.",
            "Unsupported image format",
            "The image format is not supported. Supported formats are: JPEG",
        )
    };
    let mime = match sniff(&f.head) {
        Some("image/jpeg") => "image/jpeg",
        Some("image/png") if st_settings.allow_png_images => "image/png",
        _ => return Err(bad_format()),
    };
    let Some((w, h)) = dimensions(&f.head) else {
        return Err(bad_format());
    };
    if w == 0 || h == 0 {
        return Err(bad_format());
    }
    if feed {
        let ratio = f64::from(w) / f64::from(h);
        if ratio + 1e-9 < st_settings.min_aspect_ratio
            || ratio - 1e-9 > st_settings.max_aspect_ratio
        {
            return Err(GraphError::publishing(
                36003,
                2207009,
                "The aspect ratio is not supported.",
                "Invalid aspect ratio",
                &format!(
                    "The submitted image with aspect ratio ({w}x{h}, {ratio:.3}) cannot be \
                     published. Please submit an image with a valid aspect ratio (between 4:5 \
                     and 1.91:1)."
                ),
            ));
        }
    }
    Ok(MediaFacts {
        mime: mime.into(),
        size: f.size,
        sha256: Some(f.sha256.clone()),
        width: Some(w),
        height: Some(h),
    })
}

/// Applies finished video bytes to a container: type check, then processing.
pub(crate) fn complete_video(
    c: &mut Container,
    mime: Option<&str>,
    size: u64,
    sha256: Option<String>,
) {
    match mime {
        Some(m @ ("video/mp4" | "video/quicktime")) => {
            c.media = Some(MediaFacts {
                mime: m.into(),
                size,
                sha256,
                width: None,
                height: None,
            });
            c.transfer = Transfer::Done;
        }
        _ => {
            c.media = Some(MediaFacts {
                mime: mime.unwrap_or("application/octet-stream").into(),
                size,
                sha256,
                width: None,
                height: None,
            });
            c.transfer = Transfer::Failed {
                code: 352,
                subcode: 2207026,
                message: "The video format is not supported. Please check spec for supported \
                          video formats."
                    .into(),
            };
        }
    }
}

/// Fetches a video (`video_url`, rupload's `file_url`) in the background; the
/// container stays `IN_PROGRESS` meanwhile and turns `ERROR` if it cannot be fetched
/// (a non-public address included).
pub(crate) fn spawn_video_fetch(sb: &Sandbox, container_id: String, url: String) {
    let (timeout, max, public_hosts) = sb.read_state(|st| {
        (
            Duration::from_secs(st.meta.settings.fetch_timeout_secs.max(1)),
            st.meta.settings.max_video_bytes,
            st.meta.settings.public_hosts.clone(),
        )
    });
    let sb = sb.clone();
    tokio::spawn(async move {
        let r = fetch::fetch(&url, timeout, max, &public_hosts).await;
        sb.with_state(|st| {
            let Some(c) = st.meta.containers.get_mut(&container_id) else {
                return;
            };
            if !matches!(c.transfer, Transfer::Fetching) {
                return;
            }
            match r {
                Ok(f) => complete_video(c, sniff(&f.head), f.size, Some(f.sha256)),
                Err(e) => {
                    let (code, subcode, message) = fetch_error(&e, &url, false);
                    c.transfer = Transfer::Failed {
                        code,
                        subcode,
                        message,
                    };
                }
            }
        });
    });
}

/// Fetches a Reel's `cover_url` in the background (Meta downloads it like any media
/// URL, contract §4.3): the container stays `IN_PROGRESS` meanwhile and turns `ERROR`
/// with the fetch or image-format subcode if it fails (a non-public address included).
fn spawn_cover_fetch(sb: &Sandbox, container_id: String, url: String) {
    let settings = sb.read_state(|st| st.meta.settings.clone());
    let sb = sb.clone();
    tokio::spawn(async move {
        let r = fetch::fetch(
            &url,
            Duration::from_secs(settings.fetch_timeout_secs.max(1)),
            settings.max_image_bytes,
            &settings.public_hosts,
        )
        .await;
        let outcome = match r {
            Ok(f) => check_image(&settings, &f, false).map_err(|e| {
                let msg = e.user_msg.clone().unwrap_or(e.message.clone());
                (e.code, e.subcode.unwrap_or(2207005), msg)
            }),
            Err(e) => Err(fetch_error(&e, &url, true)),
        };
        sb.with_state(|st| {
            let Some(cover) = st
                .meta
                .containers
                .get_mut(&container_id)
                .and_then(|c| c.cover.as_mut())
            else {
                return;
            };
            if !matches!(cover.transfer, Transfer::Fetching) {
                return;
            }
            match outcome {
                Ok(facts) => {
                    cover.media = Some(facts);
                    cover.transfer = Transfer::Done;
                }
                Err((code, subcode, message)) => {
                    cover.transfer = Transfer::Failed {
                        code,
                        subcode,
                        message,
                    };
                }
            }
        });
    });
}

/// Containers created by `ig` in the rolling window.
fn containers_in_window(meta: &MetaState, ig: &str, now: DateTime<Utc>) -> u64 {
    let from = now - chrono::Duration::seconds(meta.settings.quota_duration_secs);
    meta.containers
        .values()
        .filter(|c| c.owner_id == ig && c.created_at > from)
        .count() as u64
}

/// Posts published by `ig` since `from` (a carousel counts 1).
fn published_since(meta: &MetaState, ig: &str, from: DateTime<Utc>) -> u64 {
    meta.media
        .values()
        .filter(|m| m.owner_id == ig && m.parent_id.is_none() && m.timestamp > from)
        .count() as u64
}

/// `POST /{ig-user-id}/media`.
pub(crate) async fn create(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let ig = resolve_target(ctx, id, "post")?;
    ctx.caller.require_publish()?;
    let p = &ctx.params;
    let settings = ctx.sb.read_state(|st| st.meta.settings.clone());
    let media_type = p
        .non_empty("media_type")
        .map(|s| s.trim().to_ascii_uppercase());
    let is_item = parse_bool("is_carousel_item", p.get("is_carousel_item"))?.unwrap_or(false);
    let resumable = match p.non_empty("upload_type") {
        None => false,
        Some("resumable") => true,
        Some(_) => {
            return Err(GraphError::invalid(
                "Param upload_type must be one of {resumable}",
            ));
        }
    };
    let image_url = p.non_empty("image_url").map(str::to_string);
    let video_url = p.non_empty("video_url").map(str::to_string);
    let cover_url = p.non_empty("cover_url").map(str::to_string);
    let caption = p
        .get("caption")
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    let alt_text = p.non_empty("alt_text").map(str::to_string);
    let share_to_feed = parse_bool("share_to_feed", p.get("share_to_feed"))?;
    let children_param = p.non_empty("children");
    let not_with = |what: &str, mt: &str| {
        GraphError::invalid(&format!("{what} is not supported with media_type {mt}"))
    };

    let (kind, mt) = match media_type.as_deref() {
        Some("CAROUSEL") => {
            if is_item {
                return Err(carousel_error(
                    "A carousel container cannot be a carousel item.",
                ));
            }
            if image_url.is_some() || video_url.is_some() || resumable {
                return Err(not_with("image_url/video_url/upload_type", "CAROUSEL"));
            }
            if children_param.is_none() {
                return Err(GraphError::missing("children"));
            }
            (ContainerKind::Carousel, "CAROUSEL")
        }
        Some(m @ ("REELS" | "STORIES" | "VIDEO")) if is_item && m != "VIDEO" => {
            return Err(carousel_error(&format!(
                "media_type {m} cannot be a carousel item (use image_url, or video_url with media_type VIDEO)."
            )));
        }
        Some("REELS") => {
            if image_url.is_some() {
                return Err(not_with("image_url", "REELS"));
            }
            match (&video_url, resumable) {
                (None, false) => return Err(GraphError::missing("video_url")),
                (Some(_), true) => {
                    return Err(GraphError::invalid(
                        "video_url and upload_type=resumable are mutually exclusive",
                    ));
                }
                _ => {}
            }
            (ContainerKind::Video, "REELS")
        }
        Some("STORIES") => match (&image_url, &video_url, resumable) {
            (Some(_), None, false) => (ContainerKind::Image, "STORIES"),
            (None, Some(_), false) | (None, None, true) => (ContainerKind::Video, "STORIES"),
            (None, None, false) => return Err(GraphError::missing("image_url")),
            _ => {
                return Err(GraphError::invalid(
                    "Provide exactly one of image_url, video_url or upload_type=resumable",
                ));
            }
        },
        Some("VIDEO") => {
            if !is_item {
                return Err(GraphError::publishing(
                    100,
                    2207023,
                    "The media type is unknown",
                    "Unsupported media type",
                    "media_type VIDEO is no longer supported for single posts: use REELS.",
                ));
            }
            if image_url.is_some() {
                return Err(not_with("image_url", "VIDEO"));
            }
            if video_url.is_none() && !resumable {
                return Err(GraphError::missing("video_url"));
            }
            (ContainerKind::Video, "VIDEO")
        }
        Some("IMAGE") | None => {
            if resumable {
                return Err(GraphError::invalid(
                    "upload_type=resumable needs media_type REELS, STORIES or VIDEO",
                ));
            }
            match (&image_url, &video_url) {
                (Some(_), None) => {}
                (None, Some(_)) => {
                    return Err(GraphError::publishing(
                        100,
                        2207023,
                        "The media type is unknown",
                        "Missing media type",
                        "video_url needs media_type REELS or STORIES (or VIDEO for a carousel item).",
                    ));
                }
                (None, None) => return Err(GraphError::missing("image_url")),
                (Some(_), Some(_)) => {
                    return Err(GraphError::invalid(
                        "image_url and video_url are mutually exclusive",
                    ));
                }
            }
            (ContainerKind::Image, "IMAGE")
        }
        Some(_) => {
            return Err(GraphError::publishing(
                100,
                2207023,
                "The media type is unknown",
                "Unknown media type",
                "media_type must be one of IMAGE, REELS, STORIES, CAROUSEL (VIDEO for carousel items).",
            ));
        }
    };
    if children_param.is_some() && kind != ContainerKind::Carousel {
        return Err(GraphError::invalid(
            "Param children is only supported with media_type CAROUSEL",
        ));
    }
    if alt_text.is_some() && !(kind == ContainerKind::Image && mt != "STORIES") {
        return Err(GraphError::invalid(
            "Param alt_text is only supported for image posts and image carousel items",
        ));
    }
    // Meta documents resumable uploads for Facebook Login for Business only.
    if resumable && ctx.host == Login::Instagram && !settings.resumable_on_instagram_login {
        return Err(GraphError::invalid(
            "Param upload_type=resumable is not supported for this app: resumable uploads \
             are available to apps that use Facebook Login for Business",
        )
        .user(
            "Resumable upload not supported",
            "Upload the video with video_url, or publish through Facebook Login for \
             Business (graph.facebook.com).",
        ));
    }
    let caption = if mt == "STORIES" { None } else { caption };
    // A cover is a Reel's (ignored elsewhere, as before).
    let cover_url = if mt == "REELS" { cover_url } else { None };
    if let Some(c) = &caption {
        if is_item {
            return Err(carousel_error(
                "Carousel items cannot have a caption: set it on the CAROUSEL container.",
            ));
        }
        if caption_len(c) > settings.max_caption_chars {
            return Err(GraphError::publishing(
                36004,
                2207010,
                "The caption is too long.",
                "Caption too long",
                &format!(
                    "The caption has {} characters; the maximum is {}.",
                    caption_len(c),
                    settings.max_caption_chars
                ),
            ));
        }
        let tags = count_hashtags(c);
        if tags > settings.max_hashtags {
            return Err(GraphError::publishing(
                36004,
                2207010,
                "The caption has too many hashtags.",
                "Too many hashtags",
                &format!(
                    "The caption has {tags} hashtags; the maximum is {}.",
                    settings.max_hashtags
                ),
            ));
        }
        let mentions = count_mentions(c);
        if mentions > settings.max_mentions {
            return Err(GraphError::publishing(
                100,
                2207040,
                &format!(
                    "Cannot use more than {} tags per created media.",
                    settings.max_mentions
                ),
                "Too many tags",
                &format!(
                    "The caption mentions {mentions} accounts; the maximum is {}.",
                    settings.max_mentions
                ),
            ));
        }
    }
    let children = match children_param {
        Some(s) => {
            let list = parse_children(s)?;
            if !(2..=10).contains(&list.len()) {
                return Err(carousel_error(&format!(
                    "Carousels need between 2 and 10 photos/videos; got {}.",
                    list.len()
                )));
            }
            list
        }
        None => Vec::new(),
    };
    let limit_error = || {
        GraphError::new(
            613,
            "(#613) Calls to this api have exceeded the rate limit.",
        )
        .user(
            "Too many containers",
            format!(
                "An account can create at most {} containers in 24 hours.",
                settings.container_limit
            ),
        )
        .transient(true)
    };
    let now = ctx.sb.now();
    if ctx
        .sb
        .read_state(|st| containers_in_window(&st.meta, &ig, now) >= settings.container_limit)
    {
        return Err(limit_error());
    }
    // Images are fetched and checked while the client waits (errors come back here,
    // a non-public address included); videos and Reel covers are fetched in the
    // background (errors show in the status).
    let image = match (&kind, &image_url) {
        (ContainerKind::Image, Some(url)) => {
            let f = fetch::fetch(
                url,
                Duration::from_secs(settings.fetch_timeout_secs.max(1)),
                settings.max_image_bytes,
                &settings.public_hosts,
            )
            .await
            .map_err(|e| fetch_graph_error(&e, url))?;
            Some(check_image(&settings, &f, mt != "STORIES")?)
        }
        _ => None,
    };
    let version = ctx
        .version
        .clone()
        .unwrap_or_else(|| DEFAULT_API_VERSION.to_string());
    let login = ctx.host;
    let created = ctx.sb.with_state(|st| -> Result<String, GraphError> {
        let now = st.now();
        if containers_in_window(&st.meta, &ig, now) >= st.meta.settings.container_limit {
            return Err(limit_error());
        }
        for cid in &children {
            let Some(k) = st.meta.containers.get(cid) else {
                return Err(carousel_error(&format!("Child {cid} is not a container.")));
            };
            if k.owner_id != ig {
                return Err(carousel_error(&format!(
                    "Child {cid} belongs to another account."
                )));
            }
            if !k.is_carousel_item {
                return Err(carousel_error(&format!(
                    "Child {cid} was not created with is_carousel_item=true."
                )));
            }
            match status_of(&st.meta, k, now) {
                Status::Expired => {
                    return Err(carousel_error(&format!("Child {cid} has expired.")));
                }
                Status::Published => {
                    return Err(carousel_error(&format!(
                        "Child {cid} was already published."
                    )));
                }
                Status::Error { .. } => {
                    return Err(carousel_error(&format!("Child {cid} failed processing.")));
                }
                _ => {}
            }
        }
        // Containers are kept a week (long past their 24 h), then forgotten.
        let horizon = now - chrono::Duration::days(7);
        st.meta.containers.retain(|_, c| c.created_at > horizon);
        let meta = &mut st.meta;
        meta.uploads.retain(|k, _| meta.containers.contains_key(k));
        let id = st.next_snowflake().to_string();
        let (transfer, polls) = match kind {
            ContainerKind::Image => (Transfer::Done, st.meta.settings.image_processing_polls),
            ContainerKind::Video if resumable => (
                Transfer::Uploading {
                    file_size: None,
                    offset: 0,
                },
                st.meta.settings.video_processing_polls,
            ),
            ContainerKind::Video => (Transfer::Fetching, st.meta.settings.video_processing_polls),
            ContainerKind::Carousel => (Transfer::None, 0),
        };
        let fail_with = if kind == ContainerKind::Carousel {
            None
        } else {
            st.meta.settings.processing_error.clone()
        };
        let ttl = st.meta.settings.container_ttl_secs;
        st.meta.containers.insert(
            id.clone(),
            Container {
                id: id.clone(),
                owner_id: ig.clone(),
                login,
                kind,
                media_type: mt.to_string(),
                is_carousel_item: is_item,
                caption: caption.clone(),
                alt_text: alt_text.clone(),
                share_to_feed,
                children: children.clone(),
                source_url: image_url.clone().or_else(|| video_url.clone()),
                transfer,
                media: image.clone(),
                cover: cover_url.clone().map(|url| Cover {
                    url,
                    transfer: Transfer::Fetching,
                    media: None,
                }),
                ready_polls: 0,
                processing_polls: polls,
                fail_with,
                created_at: now,
                expires_at: now + chrono::Duration::seconds(ttl),
                published_media_id: None,
                parent_id: None,
            },
        );
        Ok(id)
    })?;
    if let (ContainerKind::Video, Some(url), false) = (kind, &video_url, resumable) {
        spawn_video_fetch(&ctx.sb, created.clone(), url.clone());
    }
    if let Some(url) = cover_url {
        spawn_cover_fetch(&ctx.sb, created.clone(), url);
    }
    let mut body = json!({ "id": created });
    if resumable && let Some(obj) = body.as_object_mut() {
        let uri = ctx
            .sb
            .url(&format!("/meta/rupload/ig-api-upload/{version}/{created}"));
        obj.insert("uri".into(), json!(uri.as_str()));
    }
    Ok(json_response(StatusCode::OK, &body))
}

fn copyright(c: &Container, status: &Status, matches: bool) -> Value {
    if c.kind != ContainerKind::Video {
        return json!({ "status": "not_started", "matches_found": false });
    }
    match status {
        Status::InProgress => json!({ "status": "in_progress", "matches_found": false }),
        Status::Error { .. } => json!({ "status": "error", "matches_found": false }),
        _ => json!({ "status": "completed", "matches_found": matches }),
    }
}

/// `GET /{container-id}?fields=status_code,status,copyright_check_status`.
pub(crate) fn container_node(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let fields = fields_or(&ctx.params, &["id"])?;
    for f in &fields {
        if !matches!(
            f.name.as_str(),
            "id" | "status_code" | "status" | "copyright_check_status"
        ) {
            return Err(GraphError::unknown_field(&f.name, "ShadowIGMediaBuilder"));
        }
    }
    let v = ctx.sb.with_state(|st| -> Result<Value, GraphError> {
        let now = st.now();
        let Some(c) = st.meta.containers.get(id).cloned() else {
            return Err(GraphError::unsupported("get", id));
        };
        let visible = st
            .core_ref(PLATFORM)
            .is_some_and(|core| ctx.caller.can_access_ig(core, &c.owner_id));
        if !visible {
            return Err(GraphError::unsupported("get", id));
        }
        let status = poll(&mut st.meta, id, now).unwrap_or(Status::Expired);
        let mut out = Map::new();
        for f in &fields {
            let v = match f.name.as_str() {
                "id" => json!(c.id),
                "status_code" => json!(status.code()),
                "status" => json!(status.text()),
                _ => copyright(&c, &status, st.meta.settings.copyright_matches_found),
            };
            out.insert(f.name.clone(), v);
        }
        Ok(Value::Object(out))
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// Instagram-style shortcode of a media id (base64 alphabet, big-endian).
fn shortcode(id: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut n: u64 = id.parse().unwrap_or(0);
    let mut out = Vec::new();
    while n > 0 {
        out.push(ALPHABET[(n % 64) as usize]);
        n /= 64;
    }
    if out.is_empty() {
        out.push(b'A');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn permalink(sb: &Sandbox, m: &IgMedia, username: &str) -> Option<String> {
    if m.parent_id.is_some() {
        return None;
    }
    let path = match m.media_product_type.as_str() {
        "REELS" => format!("/meta/instagram/reel/{}/", m.shortcode),
        "STORY" => format!("/meta/instagram/stories/{username}/{}/", m.id),
        _ => format!("/meta/instagram/p/{}/", m.shortcode),
    };
    Some(sb.url(&path).to_string())
}

/// `POST /{ig-user-id}/media_publish?creation_id=`.
pub(crate) fn publish(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let ig = resolve_target(ctx, id, "post")?;
    ctx.caller.require_publish()?;
    let Some(creation_id) = ctx.params.non_empty("creation_id").map(str::to_string) else {
        return Err(GraphError::missing("creation_id"));
    };
    let media_id = ctx.sb.with_state(|st| -> Result<String, GraphError> {
        let now = st.now();
        let not_found = || {
            GraphError::publishing(
                24,
                2207008,
                "The media builder does not exist or has expired.",
                "Media builder not found",
                "The container does not exist, expired or belongs to another account: create a new container.",
            )
            .transient(false)
        };
        let Some(c) = st.meta.containers.get(&creation_id).cloned() else {
            return Err(not_found());
        };
        if c.owner_id != ig {
            return Err(not_found());
        }
        if c.is_carousel_item {
            return Err(carousel_error(
                "A carousel item cannot be published on its own: publish its CAROUSEL container.",
            ));
        }
        match status_of(&st.meta, &c, now) {
            Status::Finished => {}
            Status::Published => {
                return Err(GraphError::publishing(
                    24,
                    2207008,
                    "The media builder has already been published.",
                    "Already published",
                    &format!(
                        "This container was already published as media {}.",
                        c.published_media_id.clone().unwrap_or_default()
                    ),
                ));
            }
            Status::Expired => {
                return Err(GraphError::publishing(
                    -2,
                    2207020,
                    "The media you are trying to access has expired. Please try to upload again.",
                    "Media expired",
                    "The container expired (24 hours): create a new container.",
                )
                .transient(false));
            }
            Status::InProgress | Status::Error { .. } => {
                return Err(GraphError::publishing(
                    9007,
                    2207027,
                    "Media ID is not available",
                    "Media is not ready for publishing",
                    "The media is not ready for publishing, please wait for a moment",
                ));
            }
        }
        let settings = st.meta.settings.clone();
        let from = now - chrono::Duration::seconds(settings.quota_duration_secs);
        if published_since(&st.meta, &ig, from) >= settings.publishing_quota_total {
            return Err(GraphError::publishing(
                9,
                2207042,
                "Application request limit reached",
                "Maximum number of posts reached",
                "You reached maximum number of posts that is allowed to be published by Content Publishing API.",
            ));
        }
        let media_id = st.next_snowflake().to_string();
        let product = match c.media_type.as_str() {
            "REELS" => "REELS",
            "STORIES" => "STORY",
            _ => "FEED",
        };
        let top_type = match c.kind {
            ContainerKind::Image => "IMAGE",
            ContainerKind::Video => "VIDEO",
            ContainerKind::Carousel => "CAROUSEL_ALBUM",
        };
        let mut received_media = Vec::new();
        let mut child_media_ids = Vec::new();
        let parts: Vec<Container> = if c.kind == ContainerKind::Carousel {
            c.children
                .iter()
                .filter_map(|k| st.meta.containers.get(k).cloned())
                .collect()
        } else {
            vec![c.clone()]
        };
        for part in &parts {
            let part_media_id = if c.kind == ContainerKind::Carousel {
                let cid = st.next_snowflake().to_string();
                st.meta.media.insert(
                    cid.clone(),
                    IgMedia {
                        id: cid.clone(),
                        owner_id: ig.clone(),
                        container_id: part.id.clone(),
                        media_type: if part.kind == ContainerKind::Video { "VIDEO" } else { "IMAGE" }.into(),
                        media_product_type: "FEED".into(),
                        caption: None,
                        alt_text: part.alt_text.clone(),
                        shortcode: shortcode(&cid),
                        source_url: part.source_url.clone(),
                        children: Vec::new(),
                        parent_id: Some(media_id.clone()),
                        is_shared_to_feed: None,
                        login: c.login,
                        timestamp: now,
                        deleted: false,
                    },
                );
                if let Some(k) = st.meta.containers.get_mut(&part.id) {
                    k.published_media_id = Some(cid.clone());
                    k.parent_id = Some(c.id.clone());
                }
                child_media_ids.push(cid.clone());
                cid
            } else {
                media_id.clone()
            };
            let facts = part.media.clone();
            received_media.push(ReceivedMedia {
                kind: if part.kind == ContainerKind::Video { "video" } else { "image" }.into(),
                mime: facts.as_ref().map(|f| f.mime.clone()).unwrap_or_default(),
                size: facts.as_ref().map(|f| f.size).unwrap_or(0),
                sha256: facts.and_then(|f| f.sha256),
                remote_id: part_media_id,
                alt_text: None,
            });
        }
        let media = IgMedia {
            id: media_id.clone(),
            owner_id: ig.clone(),
            container_id: c.id.clone(),
            media_type: top_type.into(),
            media_product_type: product.into(),
            caption: c.caption.clone(),
            alt_text: c.alt_text.clone(),
            shortcode: shortcode(&media_id),
            source_url: c.source_url.clone(),
            children: child_media_ids,
            parent_id: None,
            is_shared_to_feed: (product == "REELS").then(|| c.share_to_feed.unwrap_or(true)),
            login: c.login,
            timestamp: now,
            deleted: false,
        };
        if let Some(k) = st.meta.containers.get_mut(&c.id) {
            k.published_media_id = Some(media_id.clone());
        }
        let username = st
            .core_ref(PLATFORM)
            .and_then(|core| core.account(&ig))
            .map(|a| a.username.clone())
            .unwrap_or_default();
        let link = permalink(&ctx.sb, &media, &username);
        st.core(PLATFORM).record_post(ReceivedPost {
            platform: PLATFORM.into(),
            account_id: ig.clone(),
            username,
            remote_id: media_id.clone(),
            text: c.caption.clone().unwrap_or_default(),
            media: received_media,
            reply_to: None,
            created_at: now,
            deleted: false,
            deleted_at: None,
            extra: json!({
                "media_type": c.media_type,
                "media_product_type": product,
                "container_id": c.id,
                "permalink": link,
                "login": c.login.as_str(),
                "alt_text": c.alt_text,
                "share_to_feed": c.share_to_feed,
                "cover": c.cover.as_ref().map(|k| json!({
                    "url": k.url,
                    "mime": k.media.as_ref().map(|m| m.mime.clone()),
                    "size": k.media.as_ref().map(|m| m.size),
                    "sha256": k.media.as_ref().and_then(|m| m.sha256.clone()),
                })),
            }),
        });
        st.meta.media.insert(media_id.clone(), media);
        Ok(media_id)
    })?;
    Ok(json_response(StatusCode::OK, &json!({ "id": media_id })))
}

/// The fields of a media object.
fn media_value(
    ctx: &Ctx,
    st: &SandboxState,
    m: &IgMedia,
    fields: &[Field],
) -> Result<Value, GraphError> {
    let username = st
        .core_ref(PLATFORM)
        .and_then(|c| c.account(&m.owner_id))
        .map(|a| a.username.clone())
        .unwrap_or_default();
    let mut out = Map::new();
    for f in fields {
        let v = match f.name.as_str() {
            "id" => json!(m.id),
            "caption" => match &m.caption {
                Some(c) => json!(c),
                None => continue,
            },
            "media_type" => json!(m.media_type),
            "media_product_type" => json!(m.media_product_type),
            "media_url" => match &m.source_url {
                Some(u) => json!(u),
                None => continue,
            },
            "thumbnail_url" if m.media_type == "VIDEO" => match &m.source_url {
                Some(u) => json!(u),
                None => continue,
            },
            "thumbnail_url" => continue,
            "permalink" => match permalink(&ctx.sb, m, &username) {
                Some(p) => json!(p),
                None => continue,
            },
            "shortcode" => json!(m.shortcode),
            "timestamp" => json!(graph_time(m.timestamp)),
            "username" => json!(username),
            "owner" => json!({ "id": m.owner_id }),
            // The same numbers as the media's insights (none on a story).
            "like_count" | "comments_count" if m.media_product_type == "STORY" => json!(0),
            "like_count" => json!(super::metrics::value(m, "likes", st.now())),
            "comments_count" => json!(super::metrics::value(m, "comments", st.now())),
            "is_comment_enabled" => json!(true),
            "is_shared_to_feed" => match m.is_shared_to_feed {
                Some(b) => json!(b),
                None => continue,
            },
            "alt_text" => match &m.alt_text {
                Some(a) => json!(a),
                None => continue,
            },
            "copyright_check_information" => {
                json!({ "status": { "status": "completed", "matches_found": false } })
            }
            "children" => {
                let sub = f.sub.clone().unwrap_or_else(|| {
                    vec![Field {
                        name: "id".into(),
                        sub: None,
                    }]
                });
                let mut data = Vec::new();
                for cid in &m.children {
                    if let Some(child) = st.meta.media.get(cid) {
                        data.push(media_value(ctx, st, child, &sub)?);
                    }
                }
                if data.is_empty() {
                    continue;
                }
                json!({ "data": data })
            }
            other => return Err(GraphError::unknown_field(other, "IGMedia")),
        };
        out.insert(f.name.clone(), v);
    }
    Ok(Value::Object(out))
}

pub(crate) fn visible_media(
    ctx: &Ctx,
    st: &SandboxState,
    id: &str,
    method: &str,
) -> Result<IgMedia, GraphError> {
    let m = st
        .meta
        .media
        .get(id)
        .filter(|m| !m.deleted)
        .cloned()
        .ok_or_else(|| GraphError::unsupported(method, id))?;
    let ok = st
        .core_ref(PLATFORM)
        .is_some_and(|c| ctx.caller.can_access_ig(c, &m.owner_id));
    if ok {
        Ok(m)
    } else {
        Err(GraphError::unsupported(method, id))
    }
}

/// `GET /{media-id}?fields=...`.
pub(crate) fn media_node(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let fields = fields_or(&ctx.params, &["id"])?;
    let v = ctx.sb.read_state(|st| {
        let m = visible_media(ctx, st, id, "get")?;
        media_value(ctx, st, &m, &fields)
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// `GET /{media-id}/children`.
pub(crate) fn children(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let fields = fields_or(&ctx.params, &["id"])?;
    let v = ctx.sb.read_state(|st| -> Result<Value, GraphError> {
        let m = visible_media(ctx, st, id, "get")?;
        let mut data = Vec::new();
        for cid in &m.children {
            if let Some(child) = st.meta.media.get(cid) {
                data.push(media_value(ctx, st, child, &fields)?);
            }
        }
        Ok(json!({ "data": data }))
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// `GET /{ig-user-id}/media`: published feed media and reels, newest first.
pub(crate) fn list(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let ig = resolve_target(ctx, id, "get")?;
    ctx.caller.require_basic()?;
    let fields = fields_or(&ctx.params, &["id"])?;
    let v = ctx.sb.read_state(|st| -> Result<Value, GraphError> {
        let mut items: Vec<&IgMedia> = st
            .meta
            .media
            .values()
            .filter(|m| {
                m.owner_id == ig
                    && !m.deleted
                    && m.parent_id.is_none()
                    && m.media_product_type != "STORY"
            })
            .collect();
        items.sort_by(|a, b| b.timestamp.cmp(&a.timestamp).then(b.id.cmp(&a.id)));
        let page = paginate(&ctx.params, &items)?;
        let mut data = Vec::new();
        for m in page.items {
            data.push(media_value(ctx, st, m, &fields)?);
        }
        Ok(json!({ "data": data, "paging": paging_value(ctx, &page) }))
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// `GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config[&since=]`.
pub(crate) fn publishing_limit(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let ig = resolve_target(ctx, id, "get")?;
    ctx.caller.require_publish()?;
    let fields = fields_or(&ctx.params, &["quota_usage"])?;
    let since = match ctx.params.non_empty("since") {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .ok()
                .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
                .ok_or_else(|| GraphError::invalid("Param since must be a unix timestamp"))?,
        ),
    };
    let v = ctx.sb.read_state(|st| -> Result<Value, GraphError> {
        let now = st.now();
        let s = &st.meta.settings;
        let window_start = now - chrono::Duration::seconds(s.quota_duration_secs);
        let from = since.map_or(window_start, |t| t.max(window_start));
        let mut out = Map::new();
        for f in &fields {
            let v = match f.name.as_str() {
                "quota_usage" => json!(published_since(&st.meta, &ig, from)),
                "config" => json!({
                    "quota_total": s.publishing_quota_total,
                    "quota_duration": s.quota_duration_secs,
                }),
                other => return Err(GraphError::unknown_field(other, "ContentPublishingLimit")),
            };
            out.insert(f.name.clone(), v);
        }
        Ok(json!({ "data": [Value::Object(out)] }))
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// `DELETE /{media-id}` (behind the `delete_media` setting).
pub(crate) fn delete(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    ctx.sb.with_state(|st| -> Result<(), GraphError> {
        let m = visible_media(ctx, st, id, "delete")?;
        let allowed = match st.meta.settings.delete_media.as_str() {
            "all" => true,
            "facebook_login" => ctx.caller.login() == Login::Facebook,
            _ => false,
        };
        if !allowed {
            return Err(GraphError::unsupported("delete", id));
        }
        ctx.caller.require_publish()?;
        if m.parent_id.is_some() {
            return Err(GraphError::new(-1, "Media Type Not Supported")
                .sub(2207073)
                .user(
                    "Media Type Not Supported",
                    "A carousel item cannot be deleted on its own: delete the carousel.",
                ));
        }
        let now = st.now();
        let mut ids = vec![m.id.clone()];
        ids.extend(m.children.iter().cloned());
        for mid in &ids {
            if let Some(x) = st.meta.media.get_mut(mid) {
                x.deleted = true;
            }
        }
        st.core(PLATFORM).mark_deleted(&m.id, now);
        Ok(())
    })?;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "success": true, "deleted_id": id }),
    ))
}

/// `GET /meta/instagram/p/{shortcode}/` (and `/reel/...`): the post as a page.
pub(super) async fn permalink_page(
    State(sb): State<Sandbox>,
    Path(code): Path<String>,
) -> Response {
    let found = sb.read_state(|st| {
        let m = st
            .meta
            .media
            .values()
            .find(|m| m.shortcode == code && !m.deleted && m.parent_id.is_none())?
            .clone();
        let account = st
            .core_ref(PLATFORM)
            .and_then(|c| c.account(&m.owner_id).cloned());
        Some((m, account))
    });
    let Some((m, account)) = found else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Sorry, this page isn't available.",
            "The link you followed may be broken, or the post may have been removed.",
        );
    };
    let (user, name) = account
        .map(|a| (a.username, a.display_name))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{name} (@{user}) on Instagram \
         (CreatorFlow sandbox)</title></head><body style=\"font-family:sans-serif;max-width:36em;\
         margin:3em auto\"><p><small>CreatorFlow sandbox &middot; emulated Instagram</small></p>\
         <h1 data-testid=\"sandbox-ig-user\">@{user}</h1><p data-testid=\"sandbox-ig-caption\">{caption}</p>\
         <p>{kind} &middot; {product} &middot; media <code>{id}</code> &middot; {time}</p></body></html>",
        name = html_escape(&name),
        user = html_escape(&user),
        caption = html_escape(m.caption.as_deref().unwrap_or("")),
        kind = html_escape(&m.media_type),
        product = html_escape(&m.media_product_type),
        id = html_escape(&m.id),
        time = html_escape(&graph_time(m.timestamp)),
    );
    Html(html).into_response()
}
