//! `videos.insert` with the resumable upload protocol.
//!
//! 1. `POST /upload/youtube/v3/videos?uploadType=resumable&part=...` with the JSON
//!    metadata, `X-Upload-Content-Length` and `X-Upload-Content-Type` → `200` and a
//!    `Location:` session URI (`...&upload_id=...`). Authentication, scopes, quota,
//!    metadata and the per-channel upload cap are checked here.
//! 2. `PUT {session URI}`: the whole file, or chunks with `Content-Range: bytes
//!    S-E/TOTAL` (every non-final chunk a multiple of 256 KiB, else 400). `308
//!    Resume Incomplete` with `Range: bytes=0-N` (no `Range` while nothing was
//!    received), then `200` (or `201`) with the video resource.
//! 3. `PUT` with `Content-Range: bytes */TOTAL` and no body asks for the state.
//!    A chunk that does not start at the server's offset is not taken: the answer
//!    is `308` with the true `Range` (trust the server). Unknown sessions are 404,
//!    expired ones 410.
//!
//! Bodies are streamed and hashed: only size and SHA-256 are kept.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use futures_util::StreamExt as _;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::metadata::{VIDEO_PARTS, parse_parts, validate_insert, video_resource};
use super::quota::{self, Op};
use super::{
    ApiError, MAX_VIDEO_BYTES, PLATFORM, ProcessingOutcome, UploadSession, Video, authenticate,
    bad_content, bad_request, scopes,
};
use crate::core::received::{ReceivedMedia, ReceivedPost};
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::{content_type, form_get, parse_query, random_token};

/// Largest JSON metadata body of the initial request.
const MAX_METADATA_BYTES: usize = 1024 * 1024;
/// Bytes read and dropped from a refused request before giving up on it, so the
/// client gets the error instead of a reset connection.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;
/// `method` of this endpoint in Google's error details.
const INSERT_METHOD: &str = "youtube.api.v3.V3DataVideoService.Insert";
const VIDEO_TYPES: &str = "video/*, application/octet-stream";

/// Reads and drops (a bounded amount of) a request body.
pub(crate) async fn drain(body: Body) {
    let mut stream = body.into_data_stream();
    let mut n: u64 = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        n += chunk.len() as u64;
        if n > DRAIN_LIMIT {
            break;
        }
    }
}

async fn drained(body: Body, r: Response) -> Response {
    drain(body).await;
    r
}

fn is_video_type(t: &str) -> bool {
    t == "application/octet-stream" || t.strip_prefix("video/").is_some_and(|s| !s.is_empty())
}

/// `POST /upload/youtube/v3/videos`: starts a resumable session.
pub(super) async fn initiate(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let query = parse_query(q.as_deref());
    if form_get(&query, "upload_id").is_some() {
        // Some clients POST their chunks to the session URI.
        return put(State(sb), RawQuery(q), headers, body).await;
    }
    let caller = match authenticate(&sb, &headers, &query, scopes::UPLOAD, INSERT_METHOD) {
        Ok(c) => c,
        Err(r) => return drained(body, r).await,
    };
    let client_id = caller.token.client_id.clone();
    if let Err(r) = sb.with_state(|st| quota::check(st, &client_id, Op::VideosInsert)) {
        return drained(body, r).await;
    }
    let result = start_session(&sb, &caller, &query, &headers, body).await;
    sb.with_state(|st| quota::charge(st, &client_id, Op::VideosInsert, result.is_ok()));
    result.unwrap_or_else(|r| r)
}

async fn start_session(
    sb: &Sandbox,
    caller: &super::Caller,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    match form_get(query, "uploadType") {
        Some("resumable") => {}
        Some(t @ ("media" | "multipart")) => {
            return Err(drained(
                body,
                bad_request(
                    "badRequest",
                    "global",
                    &format!(
                        "uploadType={t} is not emulated by the CreatorFlow sandbox; use uploadType=resumable."
                    ),
                ),
            )
            .await);
        }
        _ => {
            return Err(drained(
                body,
                bad_request(
                    "badRequest",
                    "global",
                    "Upload requests must include an uploadType URL parameter and a URL path beginning with /upload/",
                ),
            )
            .await);
        }
    }
    let parts = match parse_parts(form_get(query, "part"), VIDEO_PARTS) {
        Ok(p) => p,
        Err(r) => return Err(drained(body, r).await),
    };
    let declared_length = match headers.get("x-upload-content-length") {
        None => None,
        Some(v) => match v.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(n) if n > MAX_VIDEO_BYTES => {
                return Err(drained(
                    body,
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "uploadTooLarge",
                        "global",
                        &format!("Media larger than: {MAX_VIDEO_BYTES}"),
                    )
                    .response(),
                )
                .await);
            }
            Some(n) => Some(n),
            None => {
                return Err(drained(
                    body,
                    bad_request(
                        "badRequest",
                        "global",
                        "Invalid X-Upload-Content-Length header.",
                    ),
                )
                .await);
            }
        },
    };
    let declared_type = match headers.get("x-upload-content-type") {
        None => None,
        Some(v) => {
            let t = v
                .to_str()
                .unwrap_or("")
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if !is_video_type(&t) {
                return Err(drained(body, bad_content(&t, VIDEO_TYPES)).await);
            }
            Some(t)
        }
    };
    let Ok(bytes) = axum::body::to_bytes(body, MAX_METADATA_BYTES).await else {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "uploadTooLarge",
            "global",
            "The request metadata is too large.",
        )
        .response());
    };
    let settings = sb.read_state(|st| st.youtube.settings.clone());
    let meta = validate_insert(&bytes, &parts, &settings)?;
    let notify = form_get(query, "notifySubscribers") != Some("false");
    let channel_id = caller.account.id.clone();
    let client_id = caller.token.client_id.clone();
    let upload_id = sb.with_state(|st| {
        let now = st.now();
        let cap = st.youtube.settings.channel_uploads_per_24h;
        let since = now - Duration::hours(24);
        let recent = st
            .youtube
            .videos
            .values()
            .filter(|v| v.channel_id == channel_id && v.uploaded_at > since)
            .count() as u64;
        if cap > 0 && recent >= cap {
            return Err(bad_request(
                "uploadLimitExceeded",
                "youtube.video",
                "The user has exceeded the number of videos they may upload.",
            ));
        }
        st.youtube.prune(now);
        let upload_id = format!("AEnB2U{}", random_token(48));
        st.youtube.sessions.insert(
            upload_id.clone(),
            UploadSession {
                upload_id: upload_id.clone(),
                channel_id: channel_id.clone(),
                client_id: client_id.clone(),
                snippet: meta.snippet.clone(),
                status: meta.status.clone(),
                requested_privacy: meta.requested_privacy.clone(),
                locked_private: meta.locked_private,
                parts: parts.clone(),
                notify_subscribers: notify,
                declared_length,
                declared_type: declared_type.clone(),
                total: declared_length,
                received: 0,
                mime: None,
                created_at: now,
                expires_at: now + Duration::seconds(st.youtube.settings.session_ttl_secs),
                video_id: None,
                bytes_seen: 0,
            },
        );
        Ok(upload_id)
    })?;
    let mut location = sb.url("/youtube/upload/youtube/v3/videos");
    {
        let mut qp = location.query_pairs_mut();
        for (k, v) in query {
            if k != "access_token" {
                qp.append_pair(k, v);
            }
        }
        qp.append_pair("upload_id", &upload_id);
    }
    let mut r = StatusCode::OK.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location.as_str()) {
        h.insert(header::LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&upload_id) {
        h.insert("x-guploader-uploadid", v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    Ok(r)
}

/// A parsed `Content-Range` of a session PUT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Range {
    /// No header: the body is the whole file.
    Whole,
    /// `bytes */TOTAL` or `bytes */*`: a status query.
    Probe { total: Option<u64> },
    /// `bytes S-E/TOTAL` or `bytes S-E/*`.
    Chunk {
        start: u64,
        end: u64,
        total: Option<u64>,
    },
}

fn parse_range(headers: &HeaderMap) -> Result<Range, ()> {
    let Some(v) = headers.get(header::CONTENT_RANGE) else {
        return Ok(Range::Whole);
    };
    let v = v.to_str().map_err(|_| ())?.trim();
    let rest = v
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("bytes "))
        .and_then(|_| v.get(6..))
        .ok_or(())?
        .trim();
    let (range, total) = rest.split_once('/').ok_or(())?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse::<u64>().map_err(|_| ())?),
    };
    if range.trim() == "*" {
        return Ok(Range::Probe { total });
    }
    let (s, e) = range.trim().split_once('-').ok_or(())?;
    let start = s.trim().parse::<u64>().map_err(|_| ())?;
    let end = e.trim().parse::<u64>().map_err(|_| ())?;
    if end < start || total.is_some_and(|t| end >= t) {
        return Err(());
    }
    Ok(Range::Chunk { start, end, total })
}

fn range_parse_error() -> Response {
    bad_request(
        "badRequest",
        "global",
        "Failed to parse Content-Range header.",
    )
}

/// `308 Resume Incomplete`, with `Range: bytes=0-N` once something was received.
fn resume_incomplete(upload_id: &str, received: u64) -> Response {
    let mut r = StatusCode::PERMANENT_REDIRECT.into_response();
    let h = r.headers_mut();
    if received > 0
        && let Ok(v) = HeaderValue::from_str(&format!("bytes=0-{}", received - 1))
    {
        h.insert(header::RANGE, v);
    }
    if let Ok(v) = HeaderValue::from_str(upload_id) {
        h.insert("x-guploader-uploadid", v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    r
}

fn session_not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "notFound",
        "global",
        "The upload session was not found.",
    )
    .with_status_name()
    .response()
}

fn session_expired() -> Response {
    ApiError::new(
        StatusCode::GONE,
        "gone",
        "global",
        "The upload session has expired. Start a new upload.",
    )
    .with_status_name()
    .response()
}

fn media_body_required() -> Response {
    bad_request(
        "mediaBodyRequired",
        "youtube.video",
        "The request does not include the video content.",
    )
}

/// The response of a completed upload: the video resource. `fresh`: this request
/// completed it (`uploadStatus: uploaded`).
fn completed(sb: &Sandbox, upload_id: &str, fresh: bool) -> Response {
    let out = sb.read_state(|st| {
        let now = st.now();
        let s = st.youtube.sessions.get(upload_id)?;
        let v = st.youtube.videos.get(s.video_id.as_deref()?)?;
        let channel = st.core_ref(PLATFORM).and_then(|c| c.account(&v.channel_id));
        Some((
            video_resource(v, channel, &s.parts, &st.youtube.settings, now, fresh, true),
            st.youtube.settings.upload_complete_status,
        ))
    });
    match out {
        Some((body, status)) => {
            super::json_response(StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body)
        }
        None => session_not_found(),
    }
}

/// Turns a fully received session into a video and records the post.
fn complete(st: &mut SandboxState, upload_id: &str, sha256: Option<String>) {
    let now = st.now();
    let Some(s) = st.youtube.sessions.get(upload_id).cloned() else {
        return;
    };
    let mut id = random_token(8);
    while st.youtube.videos.contains_key(&id) {
        id = random_token(8);
    }
    let mime = s
        .mime
        .clone()
        .or(s.declared_type.clone())
        .unwrap_or_else(|| "application/octet-stream".into());
    let video = Video {
        id: id.clone(),
        channel_id: s.channel_id.clone(),
        client_id: s.client_id.clone(),
        snippet: s.snippet.clone(),
        status: s.status.clone(),
        requested_privacy: s.requested_privacy.clone(),
        locked_private: s.locked_private,
        mime: mime.clone(),
        size: s.received,
        sha256: sha256.clone(),
        notify_subscribers: s.notify_subscribers,
        uploaded_at: now,
        thumbnail: None,
        deleted: false,
        deleted_at: None,
        processing_outcome: Some(ProcessingOutcome::decide(&st.youtube.settings)),
    };
    st.youtube.videos.insert(id.clone(), video);
    st.youtube.hashers.remove(upload_id);
    if let Some(sess) = st.youtube.sessions.get_mut(upload_id) {
        sess.video_id = Some(id.clone());
    }
    let core = st.core(PLATFORM);
    let username = core
        .account(&s.channel_id)
        .map(|a| a.username.clone())
        .unwrap_or_default();
    core.record_post(ReceivedPost {
        platform: PLATFORM.into(),
        account_id: s.channel_id.clone(),
        username,
        remote_id: id.clone(),
        text: s.snippet.title.clone(),
        media: vec![ReceivedMedia {
            kind: "video".into(),
            mime,
            size: s.received,
            sha256,
            remote_id: id.clone(),
            alt_text: None,
        }],
        reply_to: None,
        created_at: now,
        deleted: false,
        deleted_at: None,
        extra: json!({
            "title": s.snippet.title,
            "description": s.snippet.description,
            "tags": s.snippet.tags,
            "categoryId": s.snippet.category_id,
            "privacyStatus": s.status.privacy_status,
            "requestedPrivacyStatus": s.requested_privacy,
            "lockedPrivate": s.locked_private,
            "publishAt": s.status.publish_at,
            "selfDeclaredMadeForKids": s.status.self_declared_made_for_kids,
            "notifySubscribers": s.notify_subscribers,
            "clientId": s.client_id,
            "url": format!("https://www.youtube.com/watch?v={id}"),
        }),
    });
}

/// What a committed PUT led to.
enum Outcome {
    Incomplete(u64),
    /// `true`: this request completed the upload.
    Completed(bool),
    Gone,
}

/// `PUT {session URI}`: a chunk, the whole file, or a status probe. Every
/// body byte read is added to the session's `bytes_seen`.
pub(super) async fn put(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let seen = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&seen);
    let body = Body::from_stream(body.into_data_stream().inspect(move |chunk| {
        if let Ok(bytes) = chunk {
            counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
    }));
    let upload_id = form_get(&parse_query(q.as_deref()), "upload_id").map(str::to_string);
    let response = put_session(&sb, q, headers, body).await;
    let n = seen.load(Ordering::Relaxed);
    if let Some(id) = upload_id
        && n > 0
    {
        sb.with_state(|st| {
            if let Some(s) = st.youtube.sessions.get_mut(&id) {
                s.bytes_seen = s.bytes_seen.saturating_add(n);
            }
        });
    }
    response
}

async fn put_session(sb: &Sandbox, q: Option<String>, headers: HeaderMap, body: Body) -> Response {
    let sb = sb.clone();
    let query = parse_query(q.as_deref());
    let Some(upload_id) = form_get(&query, "upload_id").map(str::to_string) else {
        return drained(body, super::required_param("upload_id")).await;
    };
    let (session, now) =
        sb.read_state(|st| (st.youtube.sessions.get(&upload_id).cloned(), st.now()));
    let Some(session) = session else {
        return drained(body, session_not_found()).await;
    };
    if session.expires_at <= now {
        return drained(body, session_expired()).await;
    }
    let range = match parse_range(&headers) {
        Ok(r) => r,
        Err(()) => return drained(body, range_parse_error()).await,
    };
    if session.video_id.is_some() {
        // Already finished: every request learns so (a resent final chunk too).
        drain(body).await;
        return completed(&sb, &upload_id, false);
    }
    let known_total = session.total;
    let (start, end, total) = match range {
        Range::Probe { total } => {
            drain(body).await;
            return probe(&sb, &session, total);
        }
        Range::Chunk { start, end, total } => (start, Some(end), total),
        Range::Whole => (0, None, None),
    };
    if let (Some(k), Some(t)) = (known_total, total)
        && k != t
    {
        return drained(
            body,
            bad_request(
                "badRequest",
                "global",
                &format!(
                    "The Content-Range total ({t}) does not match the size of this upload ({k})."
                ),
            ),
        )
        .await;
    }
    if total.is_some_and(|t| t > MAX_VIDEO_BYTES) {
        return drained(
            body,
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "uploadTooLarge",
                "global",
                &format!("Media larger than: {MAX_VIDEO_BYTES}"),
            )
            .response(),
        )
        .await;
    }
    let declared_len: Option<u64> = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse().ok());
    // Bytes this request must carry (None: the whole body, length unknown).
    let expected: Option<u64> = match end {
        Some(e) => Some(e - start + 1),
        None => declared_len,
    };
    if let (Some(e), Some(d)) = (expected, declared_len)
        && e != d
    {
        return drained(
            body,
            bad_request(
                "badRequest",
                "global",
                "The Content-Range does not match the Content-Length of the request.",
            ),
        )
        .await;
    }
    let total = total.or(known_total).or(match range {
        Range::Whole => expected,
        _ => None,
    });
    let granularity = sb.read_state(|st| st.youtube.settings.chunk_granularity.max(1));
    if let (Some(e), Some(len)) = (end, expected) {
        let is_final = total == Some(e + 1);
        if !is_final && len % granularity != 0 {
            return drained(
                body,
                bad_request(
                    "badRequest",
                    "global",
                    &format!(
                        "Invalid request. The number of bytes uploaded is required to be a multiple of {granularity}, except for the final request. The received request contained {len} bytes, which does not meet this requirement."
                    ),
                ),
            )
            .await;
        }
    }
    if start != session.received {
        // Not where the server is: keep nothing, tell the client where we are.
        drain(body).await;
        return resume_incomplete(&upload_id, session.received);
    }
    let mime = content_type(&headers);
    if let Some(m) = &mime
        && expected != Some(0)
        && !is_video_type(m)
    {
        return drained(body, bad_content(m, VIDEO_TYPES)).await;
    }
    // Stream the body through the session's hasher (a clone, committed at the end).
    let (mut hasher, hash_ok) = sb.read_state(|st| {
        if !st.youtube.settings.hash_uploads {
            (Sha256::new(), false)
        } else if session.received == 0 {
            (Sha256::new(), true)
        } else {
            match st.youtube.hashers.get(&upload_id) {
                Some((off, h)) if *off == session.received => (h.clone(), true),
                _ => (Sha256::new(), false),
            }
        }
    });
    let mut n: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            // The client went away mid-chunk: nothing of it is kept.
            return bad_request("badRequest", "global", "The request body was incomplete.");
        };
        let limit = expected.unwrap_or(u64::MAX);
        if n < limit && hash_ok {
            let take = usize::try_from((limit - n).min(chunk.len() as u64)).unwrap_or(chunk.len());
            hasher.update(&chunk[..take]);
        }
        n += chunk.len() as u64;
        if n > limit.saturating_add(DRAIN_LIMIT) {
            break;
        }
    }
    if expected.is_some_and(|e| e != n) {
        return bad_request(
            "badRequest",
            "global",
            "The request body does not match its Content-Range.",
        );
    }
    let total = match range {
        Range::Whole => total.or(Some(n)),
        _ => total,
    };
    if let (Range::Whole, Some(t)) = (range, total)
        && t != n
    {
        return bad_request(
            "badRequest",
            "global",
            &format!("The request body has {n} bytes; this upload needs {t}."),
        );
    }
    if total == Some(0) {
        return media_body_required();
    }
    let outcome = sb.with_state(|st| {
        let Some(s) = st.youtube.sessions.get_mut(&upload_id) else {
            return Outcome::Gone;
        };
        if s.video_id.is_some() {
            return Outcome::Completed(false);
        }
        if s.received != start {
            return Outcome::Incomplete(s.received);
        }
        s.received += n;
        if s.total.is_none() {
            s.total = total;
        }
        if s.mime.is_none() {
            s.mime = mime.clone().filter(|m| m != "application/octet-stream");
        }
        let received = s.received;
        let done = s.total == Some(received);
        if done {
            let sha = hash_ok.then(|| hex::encode(hasher.finalize()));
            complete(st, &upload_id, sha);
            Outcome::Completed(true)
        } else {
            if hash_ok {
                st.youtube
                    .hashers
                    .insert(upload_id.clone(), (received, hasher));
            } else {
                st.youtube.hashers.remove(&upload_id);
            }
            Outcome::Incomplete(received)
        }
    });
    match outcome {
        Outcome::Incomplete(r) => resume_incomplete(&upload_id, r),
        Outcome::Completed(fresh) => completed(&sb, &upload_id, fresh),
        Outcome::Gone => session_not_found(),
    }
}

/// `PUT` with `Content-Range: bytes */TOTAL` (or `*/*`) and no body.
fn probe(sb: &Sandbox, session: &UploadSession, total: Option<u64>) -> Response {
    let Some(t) = total else {
        return resume_incomplete(&session.upload_id, session.received);
    };
    if session.total.is_some_and(|k| k != t) || t < session.received {
        return bad_request(
            "badRequest",
            "global",
            &format!("The Content-Range total ({t}) does not match the size of this upload."),
        );
    }
    if t == 0 {
        return media_body_required();
    }
    if t == session.received {
        // Upload of unknown size finished by announcing its total.
        let id = session.upload_id.clone();
        let done = sb.with_state(|st| {
            let s = st.youtube.sessions.get_mut(&id)?;
            if s.video_id.is_some() {
                return Some(false);
            }
            if s.received != t {
                return None;
            }
            s.total = Some(t);
            let sha = match st.youtube.hashers.get(&id) {
                Some((off, h)) if *off == t => Some(hex::encode(h.clone().finalize())),
                _ => None,
            };
            complete(st, &id, sha);
            Some(true)
        });
        if let Some(fresh) = done {
            return completed(sb, &session.upload_id, fresh);
        }
    }
    resume_incomplete(&session.upload_id, session.received)
}
