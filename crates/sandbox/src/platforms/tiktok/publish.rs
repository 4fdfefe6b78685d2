//! Content Posting API: direct-post video init, inbox video init, photo
//! `content/init`, and `status/fetch` with its state machine.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::{
    Caller, CreatorProfile, MediaKind, PLATFORM, PostMode, Publish, PublishStatus, Source,
    TikTokSettings, UploadSession, api_error, api_ok, authenticate, invalid_params, limits,
    policy_error, utf16_len,
};
use crate::core::platform::Account;
use crate::core::received::{ReceivedMedia, ReceivedPost};
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::{append_query, content_type, random_token};

/// Longest video caption (UTF-16 code units).
pub const MAX_VIDEO_TITLE: usize = 2200;
/// Longest photo title.
pub const MAX_PHOTO_TITLE: usize = 90;
/// Longest photo description.
pub const MAX_PHOTO_DESCRIPTION: usize = 4000;
/// Most images in a photo post.
pub const MAX_PHOTO_IMAGES: usize = 35;

const PRIVACY_LEVELS: &[&str] = &[
    "PUBLIC_TO_EVERYONE",
    "MUTUAL_FOLLOW_FRIENDS",
    "FOLLOWER_OF_CREATOR",
    "SELF_ONLY",
];

const DAY_SECS: i64 = 86_400;

type Obj = Map<String, Value>;

/// Parses a JSON object body (`Content-Type: application/json`).
pub(super) fn json_body(
    headers: &HeaderMap,
    body: &Bytes,
    now: DateTime<Utc>,
) -> Result<Obj, Response> {
    if content_type(headers).as_deref() != Some("application/json") {
        return Err(invalid_params(
            "Content-Type must be application/json; charset=UTF-8.",
            now,
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(invalid_params(
            "The request body must be a JSON object.",
            now,
        )),
        Err(e) => Err(invalid_params(
            &format!("The request body is not valid JSON: {e}."),
            now,
        )),
    }
}

fn opt_str<'a>(
    o: &'a Obj,
    key: &str,
    path: &str,
    now: DateTime<Utc>,
) -> Result<Option<&'a str>, Response> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(invalid_params(
            &format!("{path}{key} must be a string."),
            now,
        )),
    }
}

fn opt_bool(o: &Obj, key: &str, path: &str, now: DateTime<Utc>) -> Result<Option<bool>, Response> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(invalid_params(
            &format!("{path}{key} must be a boolean."),
            now,
        )),
    }
}

/// A non-negative int64.
fn opt_int(o: &Obj, key: &str, path: &str, now: DateTime<Utc>) -> Result<Option<u64>, Response> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64().filter(|n| i64::try_from(*n).is_ok()) {
            Some(n) => Ok(Some(n)),
            None => Err(invalid_params(
                &format!("{path}{key} must be a non-negative integer."),
                now,
            )),
        },
    }
}

fn req_obj<'a>(o: &'a Obj, key: &str, now: DateTime<Utc>) -> Result<&'a Obj, Response> {
    match o.get(key) {
        Some(Value::Object(inner)) => Ok(inner),
        None | Some(Value::Null) => Err(invalid_params(&format!("{key} is required."), now)),
        Some(_) => Err(invalid_params(&format!("{key} must be an object."), now)),
    }
}

/// TikTok's message (`invalid_params`) for a chunk over the maximum: a single chunk
/// over 64 MB, or, with `strict_final_chunk`, a final chunk over 64 MB (§6.1).
pub const CHUNK_SIZE_INVALID: &str = "The chunk size is invalid";

/// Checks `FILE_UPLOAD` sizes against the chunk rules of the media-transfer guide
/// (docs/platforms/tiktok.md §6.1; the limits are settings, decimal by default).
pub fn check_chunks(
    s: &TikTokSettings,
    video_size: u64,
    chunk_size: u64,
    total_chunk_count: u64,
) -> Result<(), String> {
    if video_size == 0 || chunk_size == 0 || total_chunk_count == 0 {
        return Err("video_size, chunk_size and total_chunk_count must be positive.".into());
    }
    if video_size > s.max_video_size {
        return Err(format!(
            "video_size {video_size} exceeds the maximum of {} bytes.",
            s.max_video_size
        ));
    }
    if video_size < s.min_chunk_size {
        if chunk_size != video_size || total_chunk_count != 1 {
            return Err(format!(
                "A video under {} bytes must be uploaded whole: chunk_size must equal video_size and total_chunk_count must be 1.",
                s.min_chunk_size
            ));
        }
        return Ok(());
    }
    // A file over 64 MB must be chunked: one chunk over the maximum is refused,
    // whatever `chunk_size` says (the single chunk would hold the whole file).
    if total_chunk_count == 1 && video_size > s.max_chunk_size {
        return Err(CHUNK_SIZE_INVALID.into());
    }
    if chunk_size < s.min_chunk_size || chunk_size > s.max_chunk_size {
        return Err(format!(
            "chunk_size must be between {} and {} bytes.",
            s.min_chunk_size, s.max_chunk_size
        ));
    }
    if chunk_size > video_size {
        return Err("chunk_size must not exceed video_size.".into());
    }
    let expected = video_size / chunk_size;
    if expected > s.max_chunks {
        return Err(format!(
            "The video needs {expected} chunks; at most {} are allowed.",
            s.max_chunks
        ));
    }
    if total_chunk_count != expected {
        return Err(format!(
            "total_chunk_count must be floor(video_size / chunk_size) = {expected}."
        ));
    }
    let last = video_size - (expected - 1) * chunk_size;
    if s.strict_final_chunk && expected > 1 && last > s.max_chunk_size {
        return Err(CHUNK_SIZE_INVALID.into());
    }
    if last > s.max_final_chunk_size {
        return Err(format!(
            "The last chunk would be {last} bytes, over the maximum of {} bytes.",
            s.max_final_chunk_size
        ));
    }
    Ok(())
}

/// A parsed `source_info` of a video init.
enum VideoSource {
    File {
        video_size: u64,
        chunk_size: u64,
        total_chunk_count: u64,
    },
    Pull {
        url: String,
    },
}

fn url_verified(settings: &TikTokSettings, url: &str) -> bool {
    settings
        .verified_url_prefixes
        .iter()
        .any(|p| !p.is_empty() && url.starts_with(p.as_str()))
}

fn check_url(field: &str, url: &str, now: DateTime<Utc>) -> Result<(), Response> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(invalid_params(
            &format!("{field} must be an http(s) URL."),
            now,
        )),
    }
}

fn parse_video_source(
    body: &Obj,
    settings: &TikTokSettings,
    now: DateTime<Utc>,
) -> Result<VideoSource, Response> {
    let si = req_obj(body, "source_info", now)?;
    let p = "source_info.";
    match opt_str(si, "source", p, now)? {
        Some("FILE_UPLOAD") => {
            let need = |k: &str| -> Result<u64, Response> {
                opt_int(si, k, p, now)?.ok_or_else(|| {
                    invalid_params(&format!("{p}{k} is required for FILE_UPLOAD."), now)
                })
            };
            let video_size = need("video_size")?;
            let chunk_size = need("chunk_size")?;
            let total_chunk_count = need("total_chunk_count")?;
            check_chunks(settings, video_size, chunk_size, total_chunk_count)
                .map_err(|m| invalid_params(&m, now))?;
            Ok(VideoSource::File {
                video_size,
                chunk_size,
                total_chunk_count,
            })
        }
        Some("PULL_FROM_URL") => {
            let Some(url) = opt_str(si, "video_url", p, now)?.filter(|u| !u.is_empty()) else {
                return Err(invalid_params(
                    "source_info.video_url is required for PULL_FROM_URL.",
                    now,
                ));
            };
            check_url("source_info.video_url", url, now)?;
            if !url_verified(settings, url) {
                return Err(policy_error(
                    settings,
                    "url_ownership_unverified",
                    "The domain or URL prefix of video_url is not verified for this client.",
                    now,
                ));
            }
            Ok(VideoSource::Pull {
                url: url.to_string(),
            })
        }
        Some(other) => Err(invalid_params(
            &format!("source_info.source {other:?} is not one of FILE_UPLOAD, PULL_FROM_URL."),
            now,
        )),
        None => Err(invalid_params("source_info.source is required.", now)),
    }
}

/// What `post_info` said.
struct PostInfo {
    title: String,
    description: String,
    privacy_level: Option<String>,
    raw: Value,
}

/// Parses `post_info`. `kind` decides the length limits and the allowed toggles.
fn parse_post_info(
    body: &Obj,
    kind: MediaKind,
    need_privacy: bool,
    now: DateTime<Utc>,
) -> Result<PostInfo, Response> {
    let pi = req_obj(body, "post_info", now)?;
    let p = "post_info.";
    let title = opt_str(pi, "title", p, now)?.unwrap_or("").to_string();
    let description = match kind {
        MediaKind::Photo => opt_str(pi, "description", p, now)?
            .unwrap_or("")
            .to_string(),
        MediaKind::Video => String::new(),
    };
    let max_title = match kind {
        MediaKind::Video => MAX_VIDEO_TITLE,
        MediaKind::Photo => MAX_PHOTO_TITLE,
    };
    if utf16_len(&title) > max_title {
        return Err(invalid_params(
            &format!("post_info.title is longer than {max_title} characters."),
            now,
        ));
    }
    if utf16_len(&description) > MAX_PHOTO_DESCRIPTION {
        return Err(invalid_params(
            &format!("post_info.description is longer than {MAX_PHOTO_DESCRIPTION} characters."),
            now,
        ));
    }
    let privacy_level = opt_str(pi, "privacy_level", p, now)?;
    match privacy_level {
        Some(l) if !PRIVACY_LEVELS.contains(&l) => {
            return Err(invalid_params(
                &format!(
                    "post_info.privacy_level {l:?} is not one of {}.",
                    PRIVACY_LEVELS.join(", ")
                ),
                now,
            ));
        }
        None if need_privacy => {
            return Err(invalid_params("post_info.privacy_level is required.", now));
        }
        _ => {}
    }
    let bools: &[&str] = match kind {
        MediaKind::Video => &[
            "disable_duet",
            "disable_comment",
            "disable_stitch",
            "brand_content_toggle",
            "brand_organic_toggle",
            "is_aigc",
        ],
        MediaKind::Photo => &[
            "disable_comment",
            "auto_add_music",
            "brand_content_toggle",
            "brand_organic_toggle",
        ],
    };
    for k in bools {
        opt_bool(pi, k, p, now)?;
    }
    if kind == MediaKind::Video {
        opt_int(pi, "video_cover_timestamp_ms", p, now)?;
    }
    Ok(PostInfo {
        title,
        description,
        privacy_level: privacy_level.map(str::to_string),
        raw: Value::Object(pi.clone()),
    })
}

/// Publishes of `account` of `mode` created in the last 24 h that did not fail.
fn recent(st: &SandboxState, account: &str, mode: PostMode, now: DateTime<Utc>) -> usize {
    let since = now - Duration::seconds(DAY_SECS);
    st.tiktok
        .publishes
        .values()
        .filter(|p| {
            p.account_id == account
                && p.mode == mode
                && p.created_at > since
                && p.status != PublishStatus::Failed
        })
        .count()
}

/// `spam_risk_too_many_posts` when the creator reached the daily direct-post cap.
pub(super) fn daily_cap_error(
    st: &SandboxState,
    account: &str,
    now: DateTime<Utc>,
) -> Option<Response> {
    let cap = st.tiktok.settings.daily_post_cap as usize;
    (recent(st, account, PostMode::DirectPost, now) >= cap).then(|| {
        policy_error(
            &st.tiktok.settings,
            "spam_risk_too_many_posts",
            "The user has reached the daily post cap of the API.",
            now,
        )
    })
}

fn pending_cap_error(st: &SandboxState, account: &str, now: DateTime<Utc>) -> Option<Response> {
    let cap = st.tiktok.settings.max_pending_inbox_shares as usize;
    (recent(st, account, PostMode::MediaUpload, now) >= cap).then(|| {
        policy_error(
            &st.tiktok.settings,
            "spam_risk_too_many_pending_share",
            "The user has too many pending shares in the inbox (at most 5 per 24 hours).",
            now,
        )
    })
}

/// Direct-post rules: privacy option, unaudited-client restrictions, daily cap.
fn direct_post_checks(
    st: &SandboxState,
    caller: &Caller,
    privacy_level: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Response> {
    let settings = &st.tiktok.settings;
    let profile = CreatorProfile::of(&caller.account);
    if !settings.audited {
        if !profile.private_account {
            return Some(policy_error(
                settings,
                "unaudited_client_can_only_post_to_private_accounts",
                "Unaudited clients can only post to private accounts.",
                now,
            ));
        }
        let since = now - Duration::seconds(DAY_SECS);
        let mut users: Vec<&str> = st
            .tiktok
            .publishes
            .values()
            .filter(|p| {
                p.mode == PostMode::DirectPost
                    && p.client_id == caller.token.client_id
                    && p.created_at > since
            })
            .map(|p| p.account_id.as_str())
            .collect();
        users.sort_unstable();
        users.dedup();
        if !users.contains(&caller.account.id.as_str())
            && users.len() >= settings.unaudited_max_users as usize
        {
            return Some(policy_error(
                settings,
                "reached_active_user_cap",
                "The client reached its cap of users posting in 24 hours.",
                now,
            ));
        }
    }
    if let Some(level) = privacy_level
        && !profile.privacy_options(settings.audited).contains(&level)
    {
        return Some(policy_error(
            settings,
            "privacy_level_option_mismatch",
            &format!("privacy_level {level} is not one of the creator's privacy_level_options."),
            now,
        ));
    }
    daily_cap_error(st, &caller.account.id, now)
}

/// What a new publish starts from.
struct NewPublish {
    kind: MediaKind,
    mode: PostMode,
    source: Source,
    info: Option<PostInfo>,
    video_size: u64,
    chunking: Option<(u64, u64)>,
    urls: Vec<String>,
}

fn publish_id(kind: MediaKind, mode: PostMode, source: Source, n: u64) -> String {
    let k = match kind {
        MediaKind::Video => "v",
        MediaKind::Photo => "p",
    };
    let m = match mode {
        PostMode::DirectPost => "pub",
        PostMode::MediaUpload => "inbox",
    };
    let s = match source {
        Source::FileUpload => "file",
        Source::PullFromUrl => "url",
    };
    let ver = if mode == PostMode::DirectPost && kind == MediaKind::Video {
        "v2-1"
    } else {
        "v2"
    };
    format!("{k}_{m}_{s}~{ver}.{n}")
}

/// Creates the publish (and its upload session), records pulls as received, and
/// answers the init. Runs with the state locked.
fn create(
    sb: &Sandbox,
    st: &mut SandboxState,
    caller: &Caller,
    new: NewPublish,
    now: DateTime<Utc>,
) -> Response {
    let n = st.next_snowflake();
    let id = publish_id(new.kind, new.mode, new.source, n);
    let settings = st.tiktok.settings.clone();
    let upload = new
        .chunking
        .map(|(chunk_size, total_chunk_count)| UploadSession {
            upload_id: st.next_snowflake().to_string(),
            upload_token: random_token(24),
            chunk_size,
            total_chunk_count,
            next_offset: 0,
            chunks_received: 0,
            expires_at: now + Duration::seconds(settings.upload_url_ttl_secs),
            mime: None,
        });
    let upload_url = upload.as_ref().and_then(|u| {
        append_query(
            sb.url("/tiktok/upload/video/").as_str(),
            &[
                ("upload_id", &u.upload_id),
                ("upload_token", &u.upload_token),
            ],
        )
    });
    let pulled = new.source == Source::PullFromUrl;
    let (title, description, privacy_level, post_info) = match new.info {
        Some(i) => (i.title, i.description, i.privacy_level, i.raw),
        None => (String::new(), String::new(), None, Value::Null),
    };
    let publish = Publish {
        publish_id: id.clone(),
        account_id: caller.account.id.clone(),
        client_id: caller.token.client_id.clone(),
        kind: new.kind,
        mode: new.mode,
        source: new.source,
        title,
        description,
        privacy_level,
        post_info,
        video_size: if pulled && new.kind == MediaKind::Video {
            settings.pulled_video_size
        } else {
            new.video_size
        },
        urls: new.urls,
        upload,
        uploaded_bytes: 0,
        downloaded_bytes: 0,
        sha256: None,
        media_ready_at: pulled.then_some(now),
        polls_since_ready: 0,
        status: if pulled {
            PublishStatus::ProcessingDownload
        } else {
            PublishStatus::ProcessingUpload
        },
        planned_fail_reason: settings.fail_reason.clone(),
        fail_reason: None,
        completed_at: None,
        polls_since_complete: 0,
        post_id: None,
        created_at: now,
        deleted_at: None,
    };
    if pulled {
        record_received(st, &publish, &caller.account, now);
    }
    if new.source == Source::FileUpload {
        st.tiktok
            .hashers
            .insert(id.clone(), sha2::Sha256::default());
    }
    st.tiktok.publishes.insert(id.clone(), publish);
    let mut data = json!({ "publish_id": id });
    if let (Some(url), Some(obj)) = (upload_url, data.as_object_mut()) {
        obj.insert("upload_url".into(), json!(url));
    }
    api_ok(data, now)
}

fn guess_image_mime(url: &str) -> &'static str {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if path.ends_with(".webp") {
        "image/webp"
    } else {
        "image/jpeg"
    }
}

/// Records a publish whose media is all there as a received post (unless it is
/// planned to fail).
pub(super) fn record_received(
    st: &mut SandboxState,
    p: &Publish,
    account: &Account,
    now: DateTime<Utc>,
) {
    if p.planned_fail_reason.is_some() {
        return;
    }
    let media = match p.kind {
        MediaKind::Video => vec![ReceivedMedia {
            kind: "video".into(),
            mime: p
                .upload
                .as_ref()
                .and_then(|u| u.mime.clone())
                .unwrap_or_else(|| "video/mp4".into()),
            size: p.video_size,
            sha256: p.sha256.clone(),
            remote_id: p.publish_id.clone(),
            alt_text: None,
        }],
        MediaKind::Photo => p
            .urls
            .iter()
            .map(|u| ReceivedMedia {
                kind: "image".into(),
                mime: guess_image_mime(u).into(),
                size: 0,
                sha256: None,
                remote_id: u.clone(),
                alt_text: None,
            })
            .collect(),
    };
    let text = match (p.title.is_empty(), p.description.is_empty()) {
        (_, true) => p.title.clone(),
        (true, false) => p.description.clone(),
        (false, false) => format!("{}\n\n{}", p.title, p.description),
    };
    st.core(PLATFORM).record_post(ReceivedPost {
        platform: PLATFORM.into(),
        account_id: account.id.clone(),
        username: account.username.clone(),
        remote_id: p.publish_id.clone(),
        text,
        media,
        reply_to: None,
        created_at: now,
        deleted: false,
        deleted_at: None,
        extra: json!({
            "publish_id": p.publish_id,
            "media_type": p.kind,
            "post_mode": p.mode,
            "source": p.source,
            "title": p.title,
            "description": p.description,
            "privacy_level": p.privacy_level,
            "post_info": p.post_info,
            "urls": p.urls,
            "status": p.status,
            "post_id": Value::Null,
        }),
    });
}

/// `POST /v2/post/publish/video/init/` (direct post, scope `video.publish`).
pub(super) async fn video_init(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match authenticate(&sb, &headers, limits::VIDEO_INIT, &["video.publish"]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    sb.with_state(|st| {
        let now = st.now();
        let obj = match json_body(&headers, &body, now) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let info = match parse_post_info(&obj, MediaKind::Video, true, now) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let source = match parse_video_source(&obj, &st.tiktok.settings, now) {
            Ok(s) => s,
            Err(r) => return r,
        };
        if let Some(r) = direct_post_checks(st, &caller, info.privacy_level.as_deref(), now) {
            return r;
        }
        create(
            &sb,
            st,
            &caller,
            video_publish(MediaKind::Video, PostMode::DirectPost, source, Some(info)),
            now,
        )
    })
}

fn video_publish(
    kind: MediaKind,
    mode: PostMode,
    source: VideoSource,
    info: Option<PostInfo>,
) -> NewPublish {
    match source {
        VideoSource::File {
            video_size,
            chunk_size,
            total_chunk_count,
        } => NewPublish {
            kind,
            mode,
            source: Source::FileUpload,
            info,
            video_size,
            chunking: Some((chunk_size, total_chunk_count)),
            urls: Vec::new(),
        },
        VideoSource::Pull { url } => NewPublish {
            kind,
            mode,
            source: Source::PullFromUrl,
            info,
            video_size: 0,
            chunking: None,
            urls: vec![url],
        },
    }
}

/// `POST /v2/post/publish/inbox/video/init/` (upload to the inbox, scope `video.upload`).
pub(super) async fn inbox_init(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match authenticate(&sb, &headers, limits::INBOX_INIT, &["video.upload"]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    sb.with_state(|st| {
        let now = st.now();
        let obj = match json_body(&headers, &body, now) {
            Ok(o) => o,
            Err(r) => return r,
        };
        // Only `source_info` is read: an inbox upload has no caption or privacy.
        let source = match parse_video_source(&obj, &st.tiktok.settings, now) {
            Ok(s) => s,
            Err(r) => return r,
        };
        if let Some(r) = pending_cap_error(st, &caller.account.id, now) {
            return r;
        }
        create(
            &sb,
            st,
            &caller,
            video_publish(MediaKind::Video, PostMode::MediaUpload, source, None),
            now,
        )
    })
}

/// `POST /v2/post/publish/content/init/` (photos; `DIRECT_POST` needs
/// `video.publish`, `MEDIA_UPLOAD` needs `video.upload`).
pub(super) async fn content_init(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        limits::CONTENT_INIT,
        &["video.publish", "video.upload"],
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    sb.with_state(|st| {
        let now = st.now();
        let obj = match json_body(&headers, &body, now) {
            Ok(o) => o,
            Err(r) => return r,
        };
        match opt_str(&obj, "media_type", "", now) {
            Ok(Some("PHOTO")) => {}
            Ok(Some(other)) => {
                return invalid_params(&format!("media_type {other:?} is not supported; only PHOTO is."), now);
            }
            Ok(None) => return invalid_params("media_type is required.", now),
            Err(r) => return r,
        }
        let mode = match opt_str(&obj, "post_mode", "", now) {
            Ok(Some("DIRECT_POST")) => PostMode::DirectPost,
            Ok(Some("MEDIA_UPLOAD")) => PostMode::MediaUpload,
            Ok(Some(other)) => {
                return invalid_params(
                    &format!("post_mode {other:?} is not one of DIRECT_POST, MEDIA_UPLOAD."),
                    now,
                );
            }
            Ok(None) => return invalid_params("post_mode is required.", now),
            Err(r) => return r,
        };
        let scope = match mode {
            PostMode::DirectPost => "video.publish",
            PostMode::MediaUpload => "video.upload",
        };
        if !caller.token.has_scope(scope) {
            return api_error(
                StatusCode::UNAUTHORIZED,
                "scope_not_authorized",
                &format!("The user did not authorize the scope required for completing this request ({scope})."),
                now,
            );
        }
        let info = match parse_post_info(&obj, MediaKind::Photo, mode == PostMode::DirectPost, now) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let si = match req_obj(&obj, "source_info", now) {
            Ok(s) => s,
            Err(r) => return r,
        };
        match opt_str(si, "source", "source_info.", now) {
            Ok(Some("PULL_FROM_URL")) => {}
            Ok(Some(other)) => {
                return invalid_params(
                    &format!("source_info.source {other:?} is not supported for photos; only PULL_FROM_URL is."),
                    now,
                );
            }
            Ok(None) => return invalid_params("source_info.source is required.", now),
            Err(r) => return r,
        }
        let Some(images) = si.get("photo_images").and_then(Value::as_array) else {
            return invalid_params("source_info.photo_images must be an array of URLs.", now);
        };
        if images.is_empty() || images.len() > MAX_PHOTO_IMAGES {
            return invalid_params(
                &format!("source_info.photo_images must hold 1 to {MAX_PHOTO_IMAGES} URLs."),
                now,
            );
        }
        let mut urls = Vec::with_capacity(images.len());
        for v in images {
            let Some(u) = v.as_str() else {
                return invalid_params("source_info.photo_images must be an array of URLs.", now);
            };
            if let Err(r) = check_url("source_info.photo_images", u, now) {
                return r;
            }
            urls.push(u.to_string());
        }
        match opt_int(si, "photo_cover_index", "source_info.", now) {
            Ok(Some(i)) if (i as usize) < urls.len() => {}
            Ok(Some(_)) => {
                return invalid_params("source_info.photo_cover_index is out of range.", now);
            }
            Ok(None) => return invalid_params("source_info.photo_cover_index is required.", now),
            Err(r) => return r,
        }
        if let Some(u) = urls.iter().find(|u| !url_verified(&st.tiktok.settings, u)) {
            return policy_error(
                &st.tiktok.settings,
                "url_ownership_unverified",
                &format!("The domain or URL prefix of {u} is not verified for this client."),
                now,
            );
        }
        let check = match mode {
            PostMode::DirectPost => {
                direct_post_checks(st, &caller, info.privacy_level.as_deref(), now)
            }
            PostMode::MediaUpload => pending_cap_error(st, &caller.account.id, now),
        };
        if let Some(r) = check {
            return r;
        }
        let new = NewPublish {
            kind: MediaKind::Photo,
            mode,
            source: Source::PullFromUrl,
            info: Some(info),
            video_size: 0,
            chunking: None,
            urls,
        };
        create(&sb, st, &caller, new, now)
    })
}

/// Moves a publish along on a `status/fetch` poll.
fn advance(st: &mut SandboxState, id: &str, now: DateTime<Utc>) {
    let settings = st.tiktok.settings.clone();
    let Some(p) = st.tiktok.publishes.get_mut(id) else {
        return;
    };
    let mut completed = false;
    match p.status {
        PublishStatus::ProcessingUpload | PublishStatus::ProcessingDownload => {
            if p.media_ready_at.is_none() {
                // Still uploading: an expired upload URL ends the publish.
                if p.upload.as_ref().is_some_and(|u| u.expires_at <= now) {
                    p.status = PublishStatus::Failed;
                    p.fail_reason = Some("upload_url_expired".into());
                    st.tiktok.hashers.remove(id);
                }
                return;
            }
            p.polls_since_ready = p.polls_since_ready.saturating_add(1);
            let total = u64::from(settings.processing_polls) + 1;
            if p.source == Source::PullFromUrl {
                p.downloaded_bytes =
                    p.video_size.saturating_mul(u64::from(p.polls_since_ready)) / total;
            }
            if p.polls_since_ready > settings.processing_polls {
                if p.source == Source::PullFromUrl {
                    p.downloaded_bytes = p.video_size;
                }
                if let Some(reason) = p.planned_fail_reason.clone() {
                    p.status = PublishStatus::Failed;
                    p.fail_reason = Some(reason);
                } else {
                    p.status = match p.mode {
                        PostMode::DirectPost => PublishStatus::PublishComplete,
                        PostMode::MediaUpload => PublishStatus::SendToUserInbox,
                    };
                    p.completed_at = Some(now);
                    completed = true;
                }
            }
        }
        PublishStatus::PublishComplete => {
            p.polls_since_complete = p.polls_since_complete.saturating_add(1);
        }
        PublishStatus::SendToUserInbox | PublishStatus::Failed => {}
    }
    if !completed {
        return;
    }
    let status = p.status;
    let account_id = p.account_id.clone();
    let post_id = (status == PublishStatus::PublishComplete).then(|| st.next_snowflake());
    if let Some(p) = st.tiktok.publishes.get_mut(id) {
        p.post_id = post_id;
    }
    let core = st.core(PLATFORM);
    let username = core.account(&account_id).map(|a| a.username.clone());
    // Mirror the outcome in the received post.
    if let Some(r) = core.received.iter_mut().find(|r| r.remote_id == id)
        && let Some(extra) = r.extra.as_object_mut()
    {
        extra.insert("status".into(), json!(status));
        if let Some(post) = post_id {
            extra.insert("post_id".into(), json!(post.to_string()));
            if let Some(u) = username {
                extra.insert(
                    "post_url".into(),
                    json!(format!("https://www.tiktok.com/@{u}/video/{post}")),
                );
            }
        }
    }
}

/// Whether the post id of a completed publish is visible yet.
pub(super) fn post_id_visible(p: &Publish, s: &TikTokSettings, now: DateTime<Utc>) -> bool {
    // SELF_ONLY posts are never publicly available.
    p.privacy_level.as_deref() != Some("SELF_ONLY")
        && p.polls_since_complete >= s.post_id_delay_polls
        && p.completed_at
            .is_some_and(|c| now - c >= Duration::seconds(s.post_id_delay_secs))
}

/// `POST /v2/post/publish/status/fetch/` `{"publish_id"}` (scope `video.upload` or
/// `video.publish`).
pub(super) async fn status_fetch(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        limits::STATUS_FETCH,
        &["video.upload", "video.publish"],
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    sb.with_state(|st| {
        let now = st.now();
        let obj = match json_body(&headers, &body, now) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let id = match opt_str(&obj, "publish_id", "", now) {
            Ok(Some(id)) if !id.is_empty() => id.to_string(),
            Ok(_) => return invalid_params("publish_id is required.", now),
            Err(r) => return r,
        };
        if st
            .tiktok
            .publishes
            .get(&id)
            .is_none_or(|p| p.account_id != caller.account.id)
        {
            return invalid_params("publish_id does not exist for this user.", now);
        }
        advance(st, &id, now);
        let settings = st.tiktok.settings.clone();
        let Some(p) = st.tiktok.publishes.get(&id) else {
            return invalid_params("publish_id does not exist for this user.", now);
        };
        let ids: Vec<u64> = match (p.status, p.post_id) {
            (PublishStatus::PublishComplete, Some(pid)) if post_id_visible(p, &settings, now) => {
                vec![pid]
            }
            _ => Vec::new(),
        };
        let mut data = json!({
            "status": p.status,
            "publicaly_available_post_id": ids,
        });
        if let Some(obj) = data.as_object_mut() {
            match p.source {
                Source::FileUpload => {
                    obj.insert("uploaded_bytes".into(), json!(p.uploaded_bytes));
                }
                Source::PullFromUrl => {
                    obj.insert("downloaded_bytes".into(), json!(p.downloaded_bytes));
                }
            }
            if let Some(r) = &p.fail_reason {
                obj.insert("fail_reason".into(), json!(r));
            }
        }
        api_ok(data, now)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_the_media_transfer_guide() {
        let s = TikTokSettings::default();
        assert_eq!(check_chunks(&s, 50_000_123, 10_000_000, 5), Ok(()));
        assert!(check_chunks(&s, 50_000_123, 10_000_000, 6).is_err());
        assert!(check_chunks(&s, 50_000_123, 10_000_000, 4).is_err());
    }

    const MB: u64 = 1_000_000;

    #[test]
    fn small_files_whole_and_big_files_chunked() {
        let s = TikTokSettings::default();
        assert_eq!(check_chunks(&s, 3 * MB, 3 * MB, 1), Ok(()));
        assert!(check_chunks(&s, 3 * MB, MB, 3).is_err());
        // 100 MB in one chunk: over the 64 MB chunk maximum.
        assert_eq!(
            check_chunks(&s, 100 * MB, 100 * MB, 1),
            Err(CHUNK_SIZE_INVALID.into())
        );
        // 100 MB with 64 MB chunks: floor gives one chunk of 100 MB, still too big.
        assert_eq!(
            check_chunks(&s, 100 * MB, 64 * MB, 1),
            Err(CHUNK_SIZE_INVALID.into())
        );
        // ... so it needs smaller chunks: 2 of 50 MB.
        assert_eq!(check_chunks(&s, 100 * MB, 50 * MB, 2), Ok(()));
        // 130 MB with 64 MB chunks: 2 chunks, the last 66 MB.
        assert_eq!(check_chunks(&s, 130 * MB, 64 * MB, 2), Ok(()));
        // Chunk under 5 MB for a big file.
        assert!(check_chunks(&s, 50 * MB, 4 * MB, 12).is_err());
        // More than 1000 chunks.
        assert!(check_chunks(&s, 1001 * 5 * MB, 5 * MB, 1001).is_err());
    }

    #[test]
    fn sizes_are_decimal() {
        let s = TikTokSettings::default();
        // Exactly 5 MB and 64 MB chunks are fine; one byte either side is not.
        assert_eq!(check_chunks(&s, 50 * MB, 5 * MB, 10), Ok(()));
        assert!(check_chunks(&s, 50 * MB, 5 * MB - 1, 10).is_err());
        assert_eq!(check_chunks(&s, 640 * MB, 64 * MB, 10), Ok(()));
        assert!(check_chunks(&s, 640 * MB, 64 * MB + 1, 9).is_err());
        // 64 MiB is over 64 MB.
        let mib64 = 64 * 1024 * 1024;
        assert_eq!(
            check_chunks(&s, mib64, mib64, 1),
            Err(CHUNK_SIZE_INVALID.into())
        );
        // 4 GB = 4,000,000,000 bytes.
        assert_eq!(check_chunks(&s, 4_000 * MB, 40 * MB, 100), Ok(()));
        assert!(check_chunks(&s, 4_000 * MB + 1, 40 * MB, 100).is_err());
    }

    #[test]
    fn a_single_chunk_over_64_mb_is_refused() {
        let s = TikTokSettings::default();
        // 64,000,000 B whole.
        assert_eq!(check_chunks(&s, 64 * MB, 64 * MB, 1), Ok(()));
        // 64,000,001 B as one chunk.
        assert_eq!(
            check_chunks(&s, 64 * MB + 1, 64 * MB + 1, 1),
            Err(CHUNK_SIZE_INVALID.into())
        );
        assert_eq!(
            check_chunks(&s, 64 * MB + 1, 64 * MB, 1),
            Err(CHUNK_SIZE_INVALID.into())
        );
        // 64,000,001 B in 2 chunks of 32,000,000 (the last 32,000,001).
        assert_eq!(check_chunks(&s, 64 * MB + 1, 32 * MB, 2), Ok(()));
    }

    #[test]
    fn under_5_mb_is_sent_whole() {
        let s = TikTokSettings::default();
        assert_eq!(check_chunks(&s, 5 * MB - 1, 5 * MB - 1, 1), Ok(()));
        assert!(check_chunks(&s, 5 * MB - 1, 2_500_000, 2).is_err());
        assert!(check_chunks(&s, 5 * MB - 1, 5 * MB - 1, 2).is_err());
        // From 5 MB on, one chunk of the whole file is fine too.
        assert_eq!(check_chunks(&s, 5 * MB, 5 * MB, 1), Ok(()));
    }

    #[test]
    fn strict_final_chunk_refuses_a_final_chunk_over_64_mb() {
        let mut s = TikTokSettings::default();
        // 200,000,000 B with 64,000,000 B chunks: 3 chunks, the last 72,000,000 B.
        assert_eq!(check_chunks(&s, 200 * MB, 64 * MB, 3), Ok(()));
        s.strict_final_chunk = true;
        assert_eq!(
            check_chunks(&s, 200 * MB, 64 * MB, 3),
            Err(CHUNK_SIZE_INVALID.into())
        );
        // A final chunk of exactly 64 MB, or under, is still fine.
        assert_eq!(check_chunks(&s, 128 * MB, 64 * MB, 2), Ok(()));
        assert_eq!(
            check_chunks(&s, 128 * MB + 1, 64 * MB, 2),
            Err(CHUNK_SIZE_INVALID.into())
        );
        assert_eq!(check_chunks(&s, 64 * MB + 1, 32 * MB, 2), Ok(()));
        assert_eq!(check_chunks(&s, 50_000_123, 10_000_000, 5), Ok(()));
        // The other rules do not change.
        assert_eq!(check_chunks(&s, 64 * MB, 64 * MB, 1), Ok(()));
        assert_eq!(
            check_chunks(&s, 64 * MB + 1, 64 * MB + 1, 1),
            Err(CHUNK_SIZE_INVALID.into())
        );
        assert_eq!(check_chunks(&s, 3 * MB, 3 * MB, 1), Ok(()));
    }

    #[test]
    fn publish_id_shapes() {
        assert_eq!(
            publish_id(
                MediaKind::Video,
                PostMode::DirectPost,
                Source::FileUpload,
                7
            ),
            "v_pub_file~v2-1.7"
        );
        assert_eq!(
            publish_id(
                MediaKind::Photo,
                PostMode::DirectPost,
                Source::PullFromUrl,
                7
            ),
            "p_pub_url~v2.7"
        );
        assert_eq!(
            publish_id(
                MediaKind::Video,
                PostMode::MediaUpload,
                Source::FileUpload,
                7
            ),
            "v_inbox_file~v2.7"
        );
    }
}
