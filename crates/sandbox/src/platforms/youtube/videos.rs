//! `videos.list`, `videos.update`, `videos.delete`, `channels.list` and
//! `thumbnails.set`.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::metadata::{
    CHANNEL_PARTS, VIDEO_PARTS, channel_resource, parse_parts, validate_update, video_resource,
};
use super::quota::{self, Op};
use super::upload::drain;
use super::{
    ApiError, Caller, MAX_THUMBNAIL_BYTES, PLATFORM, Thumbnail, authenticate, bad_content,
    bad_request, forbidden, json_response, required_param, scopes, split_list, video_not_found,
};
use crate::core::received::ReceivedMedia;
use crate::core::sandbox::Sandbox;
use crate::core::util::{content_type, form_get, parse_query};

/// Runs a billed method: quota check, the method, then the charge (full cost on
/// success, 1 on failure).
fn billed(
    sb: &Sandbox,
    caller: &Caller,
    op: Op,
    f: impl FnOnce() -> Result<Response, Response>,
) -> Response {
    let client = caller.token.client_id.clone();
    if let Err(r) = sb.with_state(|st| quota::check(st, &client, op)) {
        return r;
    }
    let result = f();
    sb.with_state(|st| quota::charge(st, &client, op, result.is_ok()));
    result.unwrap_or_else(|r| r)
}

fn page_info(n: usize) -> Value {
    json!({"totalResults": n, "resultsPerPage": n.max(5)})
}

/// `GET /youtube/v3/videos?id=a,b&part=snippet,status`.
pub(super) async fn videos_list(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = parse_query(q.as_deref());
    let caller = match authenticate(
        &sb,
        &headers,
        &query,
        scopes::READ,
        "youtube.api.v3.V3DataVideoService.List",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    billed(&sb, &caller, Op::VideosList, || {
        let parts = parse_parts(form_get(&query, "part"), VIDEO_PARTS)?;
        let ids = match (
            form_get(&query, "id"),
            form_get(&query, "chart"),
            form_get(&query, "myRated"),
        ) {
            (Some(ids), None, None) => split_list(ids),
            (None, Some(_), None) | (None, None, Some(_)) => Vec::new(),
            (None, None, None) => {
                return Err(bad_request(
                    "missingRequiredParameter",
                    "youtube.parameter",
                    "No filter selected. Expected one of: myRated, chart, id",
                ));
            }
            _ => {
                return Err(bad_request(
                    "incompatibleParameters",
                    "youtube.parameter",
                    "Incompatible parameters specified in the request: id, chart, myRated",
                ));
            }
        };
        let items: Vec<Value> = sb.read_state(|st| {
            let now = st.now();
            let core = st.core_ref(PLATFORM);
            ids.iter()
                .filter_map(|id| st.youtube.videos.get(id))
                .filter(|v| !v.deleted)
                .filter(|v| {
                    v.channel_id == caller.account.id || v.effective_privacy(now) != "private"
                })
                .map(|v| {
                    let channel = core.and_then(|c| c.account(&v.channel_id));
                    let owner = v.channel_id == caller.account.id;
                    video_resource(v, channel, &parts, &st.youtube.settings, now, false, owner)
                })
                .collect()
        });
        Ok(json_response(
            StatusCode::OK,
            json!({
                "kind": "youtube#videoListResponse",
                "etag": super::etag(&format!("{items:?}")),
                "items": items,
                "pageInfo": page_info(items.len()),
            }),
        ))
    })
}

/// `PUT /youtube/v3/videos?part=snippet,status` with the video resource.
pub(super) async fn videos_update(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = parse_query(q.as_deref());
    let caller = match authenticate(
        &sb,
        &headers,
        &query,
        scopes::MANAGE,
        "youtube.api.v3.V3DataVideoService.Update",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    billed(&sb, &caller, Op::VideosUpdate, || {
        let parts = parse_parts(form_get(&query, "part"), VIDEO_PARTS)?;
        let settings = sb.read_state(|st| st.youtube.settings.clone());
        let (id, snippet, status) = validate_update(&body, &parts, &settings)?;
        sb.with_state(|st| {
            let now = st.now();
            let Some(v) = st.youtube.videos.get_mut(&id).filter(|v| !v.deleted) else {
                return Err(video_not_found(
                    "The video that you are trying to update cannot be found. Check the value of the <code>id</code> field in the request body to ensure that it is correct.",
                ));
            };
            if v.channel_id != caller.account.id {
                return Err(forbidden("The video that you are trying to update cannot be updated by the authenticated user."));
            }
            if let Some(s) = snippet {
                v.snippet = s;
            }
            if let Some(mut s) = status {
                if v.locked_private {
                    // Locked by the audit rule: stays private.
                    s.privacy_status = "private".into();
                    s.publish_at = None;
                }
                v.status = s;
            }
            let video = v.clone();
            let core = st.core(PLATFORM);
            if let Some(post) = core.received.iter_mut().find(|p| p.remote_id == id) {
                post.text = video.snippet.title.clone();
                if let Value::Object(extra) = &mut post.extra {
                    extra.insert("title".into(), json!(video.snippet.title));
                    extra.insert("description".into(), json!(video.snippet.description));
                    extra.insert("tags".into(), json!(video.snippet.tags));
                    extra.insert("categoryId".into(), json!(video.snippet.category_id));
                    extra.insert("privacyStatus".into(), json!(video.status.privacy_status));
                    extra.insert("publishAt".into(), json!(video.status.publish_at));
                    extra.insert(
                        "selfDeclaredMadeForKids".into(),
                        json!(video.status.self_declared_made_for_kids),
                    );
                }
            }
            let channel = st.core_ref(PLATFORM).and_then(|c| c.account(&video.channel_id));
            Ok(json_response(
                StatusCode::OK,
                video_resource(&video, channel, &parts, &st.youtube.settings, now, false, true),
            ))
        })
    })
}

/// `DELETE /youtube/v3/videos?id=` → 204.
pub(super) async fn videos_delete(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = parse_query(q.as_deref());
    let caller = match authenticate(
        &sb,
        &headers,
        &query,
        scopes::MANAGE,
        "youtube.api.v3.V3DataVideoService.Delete",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    billed(&sb, &caller, Op::VideosDelete, || {
        let Some(id) = form_get(&query, "id").filter(|i| !i.is_empty()) else {
            return Err(required_param("id"));
        };
        sb.with_state(|st| {
            let now = st.now();
            let Some(v) = st.youtube.videos.get_mut(id).filter(|v| !v.deleted) else {
                return Err(video_not_found(
                    "The video that you are trying to delete cannot be found. Check the value of the <code>id</code> parameter in the request to ensure that it is correct.",
                ));
            };
            if v.channel_id != caller.account.id {
                return Err(forbidden(
                    "The video that you are trying to delete cannot be deleted. The request might not be properly authorized.",
                ));
            }
            v.deleted = true;
            v.deleted_at = Some(now);
            st.core(PLATFORM).mark_deleted(id, now);
            Ok(StatusCode::NO_CONTENT.into_response())
        })
    })
}

/// `GET /youtube/v3/channels?part=snippet&mine=true` (or `id=`, `forHandle=`,
/// `forUsername=`).
pub(super) async fn channels_list(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = parse_query(q.as_deref());
    let caller = match authenticate(
        &sb,
        &headers,
        &query,
        scopes::READ,
        "youtube.api.v3.V3DataChannelService.List",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    billed(&sb, &caller, Op::ChannelsList, || {
        let parts = parse_parts(form_get(&query, "part"), CHANNEL_PARTS)?;
        let filters: Vec<&str> = ["mine", "id", "forHandle", "forUsername", "managedByMe"]
            .into_iter()
            .filter(|k| form_get(&query, k).is_some())
            .collect();
        if filters.is_empty() {
            return Err(bad_request(
                "missingRequiredParameter",
                "youtube.parameter",
                "No filter selected. Expected one of: forHandle, forUsername, id, managedByMe, mine",
            ));
        }
        if filters.len() > 1 {
            return Err(bad_request(
                "incompatibleParameters",
                "youtube.parameter",
                &format!(
                    "Incompatible parameters specified in the request: {}",
                    filters.join(", ")
                ),
            ));
        }
        let accounts = sb.read_state(|st| {
            st.core_ref(PLATFORM)
                .map(|c| c.accounts.clone())
                .unwrap_or_default()
        });
        let wanted: Vec<_> = match filters[0] {
            "mine" if form_get(&query, "mine") == Some("true") => accounts
                .iter()
                .filter(|a| a.id == caller.account.id)
                .collect(),
            "mine" | "managedByMe" => Vec::new(),
            "id" => {
                let ids = split_list(form_get(&query, "id").unwrap_or(""));
                accounts.iter().filter(|a| ids.contains(&a.id)).collect()
            }
            "forHandle" => {
                let h = form_get(&query, "forHandle")
                    .unwrap_or("")
                    .trim_start_matches('@')
                    .to_ascii_lowercase();
                accounts
                    .iter()
                    .filter(|a| a.username.eq_ignore_ascii_case(&h))
                    .collect()
            }
            _ => {
                let u = form_get(&query, "forUsername").unwrap_or("");
                accounts
                    .iter()
                    .filter(|a| a.username.eq_ignore_ascii_case(u))
                    .collect()
            }
        };
        let items: Vec<Value> = sb.read_state(|st| {
            wanted
                .iter()
                .map(|a| {
                    let count = st
                        .youtube
                        .videos
                        .values()
                        .filter(|v| v.channel_id == a.id && !v.deleted)
                        .count();
                    let avatar = sb.url(&a.avatar_path(PLATFORM)).to_string();
                    channel_resource(a, &avatar, &parts, count)
                })
                .collect()
        });
        Ok(json_response(
            StatusCode::OK,
            json!({
                "kind": "youtube#channelListResponse",
                "etag": super::etag(&format!("{items:?}")),
                "pageInfo": page_info(items.len()),
                "items": items,
            }),
        ))
    })
}

/// Sniffs an image type YouTube accepts for thumbnails.
fn sniff_image(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if head.starts_with(b"BM") {
        Some("image/bmp")
    } else {
        None
    }
}

/// `POST /upload/youtube/v3/thumbnails/set?videoId=` with the image as the body
/// (`uploadType=media`; ≤ 2 MB; JPEG/PNG, `application/octet-stream` allowed).
pub(super) async fn thumbnails_set(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let query = parse_query(q.as_deref());
    let caller = match authenticate(
        &sb,
        &headers,
        &query,
        scopes::UPLOAD,
        "youtube.api.v3.V3DataThumbnailService.Set",
    ) {
        Ok(c) => c,
        Err(r) => {
            drain(body).await;
            return r;
        }
    };
    let client = caller.token.client_id.clone();
    if let Err(r) = sb.with_state(|st| quota::check(st, &client, Op::ThumbnailsSet)) {
        drain(body).await;
        return r;
    }
    let result = set_thumbnail(&sb, &caller, &query, &headers, body).await;
    sb.with_state(|st| quota::charge(st, &client, Op::ThumbnailsSet, result.is_ok()));
    result.unwrap_or_else(|r| r)
}

/// The checks of `thumbnails.set` made before the body is read.
fn thumbnail_precheck(
    sb: &Sandbox,
    caller: &Caller,
    query: &[(String, String)],
    headers: &HeaderMap,
) -> Result<String, Response> {
    let Some(video_id) = form_get(query, "videoId").filter(|v| !v.is_empty()) else {
        return Err(required_param("videoId"));
    };
    match form_get(query, "uploadType") {
        None | Some("media") => {}
        Some(t) => {
            return Err(bad_request(
                "badRequest",
                "global",
                &format!(
                    "uploadType={t} is not emulated by the CreatorFlow sandbox for thumbnails; use uploadType=media."
                ),
            ));
        }
    }
    let (video_owner, verified) = sb.read_state(|st| {
        (
            st.youtube
                .videos
                .get(video_id)
                .filter(|v| !v.deleted)
                .map(|v| v.channel_id.clone()),
            !st.youtube
                .settings
                .unverified_channels
                .contains(&caller.account.id),
        )
    });
    let Some(owner) = video_owner else {
        return Err(video_not_found(
            "The video that you are trying to insert a thumbnail image for cannot be found. Check the value of the <code>videoId</code> parameter to ensure it is correct.",
        ));
    };
    if owner != caller.account.id {
        return Err(forbidden(
            "The thumbnail can't be set for the specified video. The request might not be properly authorized.",
        ));
    }
    if !verified {
        return Err(forbidden(
            "The authenticated user doesn't have permissions to upload and set custom video thumbnails.",
        ));
    }
    let mime = content_type(headers).unwrap_or_default();
    if !matches!(
        mime.as_str(),
        "image/jpeg" | "image/png" | "application/octet-stream"
    ) {
        return Err(bad_content(
            &mime,
            "image/jpeg, image/png, application/octet-stream",
        ));
    }
    let announced: Option<u64> = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse().ok());
    if announced.is_some_and(|n| n > MAX_THUMBNAIL_BYTES) {
        return Err(thumbnail_too_large());
    }
    Ok(video_id.to_string())
}

fn thumbnail_too_large() -> Response {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "uploadTooLarge",
        "global",
        &format!("Media larger than: {MAX_THUMBNAIL_BYTES}"),
    )
    .response()
}

async fn set_thumbnail(
    sb: &Sandbox,
    caller: &Caller,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    let video_id = match thumbnail_precheck(sb, caller, query, headers) {
        Ok(v) => v,
        Err(r) => {
            drain(body).await;
            return Err(r);
        }
    };
    let mut hasher = Sha256::new();
    let mut head: Vec<u8> = Vec::new();
    let mut size: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return Err(bad_request(
                "badRequest",
                "global",
                "The request body was incomplete.",
            ));
        };
        size += chunk.len() as u64;
        if size > MAX_THUMBNAIL_BYTES {
            drain(Body::from_stream(stream)).await;
            return Err(thumbnail_too_large());
        }
        hasher.update(&chunk);
        if head.len() < 64 * 1024 {
            let take = (64 * 1024 - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
    }
    if size == 0 {
        return Err(bad_request(
            "mediaBodyRequired",
            "youtube.thumbnail",
            "The request does not include the image content.",
        ));
    }
    let Some(kind) = sniff_image(&head) else {
        return Err(bad_request(
            "invalidImage",
            "youtube.thumbnail",
            "The provided image content is invalid.",
        ));
    };
    let sha = hex::encode(hasher.finalize());
    sb.with_state(|st| {
        let now = st.now();
        if let Some(v) = st.youtube.videos.get_mut(&video_id) {
            v.thumbnail = Some(Thumbnail {
                mime: kind.into(),
                size,
                sha256: sha.clone(),
                set_at: now,
            });
        }
        let core = st.core(PLATFORM);
        if let Some(post) = core.received.iter_mut().find(|p| p.remote_id == video_id) {
            post.media.retain(|m| m.kind != "thumbnail");
            post.media.push(ReceivedMedia {
                kind: "thumbnail".into(),
                mime: kind.into(),
                size,
                sha256: Some(sha.clone()),
                remote_id: video_id.clone(),
                alt_text: None,
            });
        }
    });
    let u = |name: &str| format!("https://i.ytimg.com/vi/{video_id}/{name}.jpg");
    Ok(json_response(
        StatusCode::OK,
        json!({
            "kind": "youtube#thumbnailSetResponse",
            "etag": super::etag(&sha),
            "items": [{
                "default": {"url": u("default"), "width": 120, "height": 90},
                "medium": {"url": u("mqdefault"), "width": 320, "height": 180},
                "high": {"url": u("hqdefault"), "width": 480, "height": 360},
            }],
        }),
    ))
}
