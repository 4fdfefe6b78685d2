//! `rupload.facebook.com/ig-api-upload/vXX.X/{container-id}`: resumable video
//! bytes for `upload_type=resumable` containers.
//!
//! `POST` with `Authorization: OAuth <token>`, `offset`, `file_size` and the raw
//! bytes (hashed while streaming; memory does not grow with the file), or with a
//! `file_url` header and no body (the sandbox fetches it). `GET` returns the bytes
//! received so far, to resume with `offset: N` [UNVERIFIED, `rupload_resume`].

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures_util::StreamExt as _;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::graph::{Caller, auth_header_token, check_token, is_version};
use super::media::{HEAD_BYTES, sniff};
use super::publish::{complete_video, spawn_video_fetch};
use super::{Container, MediaFacts, PLATFORM, Transfer, UploadRuntime, json_response};
use crate::core::sandbox::Sandbox;

/// A rupload failure: `{"debug_info":{"retriable","type","message"}}`.
fn failure(status: StatusCode, retriable: bool, kind: &str, message: &str) -> Response {
    json_response(
        status,
        &json!({ "debug_info": { "retriable": retriable, "type": kind, "message": message } }),
    )
}

fn success() -> Response {
    json_response(
        StatusCode::OK,
        &json!({ "success": true, "message": "Upload successful." }),
    )
}

/// `ig-api-upload/[vXX.X/]{id}` -> the container id.
fn container_id(rest: &str) -> Option<String> {
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["ig-api-upload", v, id] if is_version(v) => Some(id.to_string()),
        ["ig-api-upload", id] => Some(id.to_string()),
        _ => None,
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Result<Option<u64>, ()> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Some)
            .ok_or(()),
    }
}

/// Authenticates the request and finds the container it may upload to.
fn authorize(
    sb: &Sandbox,
    rest: &str,
    headers: &HeaderMap,
) -> Result<(Caller, Container), Response> {
    let Some(id) = container_id(rest) else {
        return Err(failure(
            StatusCode::NOT_FOUND,
            false,
            "NotFoundError",
            "Unknown upload URL: use the uri returned by POST /{ig-user-id}/media.",
        ));
    };
    let Some(token) = auth_header_token(headers) else {
        return Err(failure(
            StatusCode::UNAUTHORIZED,
            false,
            "AuthError",
            "Missing Authorization header (Authorization: OAuth <access token>).",
        ));
    };
    sb.read_state(|st| {
        let Some(c) = st.meta.containers.get(&id).cloned() else {
            return Err(failure(
                StatusCode::BAD_REQUEST,
                false,
                "ProcessingFailedError",
                &format!("Container {id} does not exist."),
            ));
        };
        let caller = check_token(st, c.login, Some(&token))
            .map_err(|e| failure(StatusCode::UNAUTHORIZED, false, "AuthError", &e.message))?;
        let ok = st
            .core_ref(PLATFORM)
            .is_some_and(|core| caller.can_access_ig(core, &c.owner_id));
        if !ok {
            return Err(failure(
                StatusCode::FORBIDDEN,
                false,
                "PermissionError",
                "The access token cannot upload to this container.",
            ));
        }
        if now_expired(st.now(), &c) {
            return Err(failure(
                StatusCode::BAD_REQUEST,
                false,
                "ProcessingFailedError",
                "The container has expired.",
            ));
        }
        Ok((caller, c))
    })
}

fn now_expired(now: chrono::DateTime<chrono::Utc>, c: &Container) -> bool {
    now >= c.expires_at
}

/// Removes the in-flight mark of a container when the request ends (even if the
/// handler future is dropped).
struct InFlight {
    sb: Sandbox,
    id: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.sb.with_state(|st| {
            st.meta.uploading.remove(&self.id);
        });
    }
}

/// `POST /meta/rupload/ig-api-upload/vXX.X/{container-id}`.
pub(super) async fn upload(
    State(sb): State<Sandbox>,
    Path(rest): Path<String>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let (_caller, c) = match authorize(&sb, &rest, &headers) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (cur, announced) = match &c.transfer {
        Transfer::Uploading { file_size, offset } => (*offset, *file_size),
        Transfer::Done => {
            return failure(
                StatusCode::BAD_REQUEST,
                false,
                "ProcessingFailedError",
                "The upload of this container is already complete.",
            );
        }
        _ => {
            return failure(
                StatusCode::BAD_REQUEST,
                false,
                "ProcessingFailedError",
                "This container was not created with upload_type=resumable.",
            );
        }
    };
    // Hosted file: the sandbox fetches it, like `video_url`.
    if let Some(url) = headers
        .get("file_url")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let url = url.to_string();
        let started = sb.with_state(|st| match st.meta.containers.get_mut(&c.id) {
            Some(k) if matches!(k.transfer, Transfer::Uploading { offset: 0, .. }) => {
                k.transfer = Transfer::Fetching;
                k.source_url = Some(url.clone());
                true
            }
            _ => false,
        });
        if !started {
            return failure(
                StatusCode::BAD_REQUEST,
                false,
                "ProcessingFailedError",
                "file_url cannot be used after bytes were uploaded.",
            );
        }
        spawn_video_fetch(&sb, c.id.clone(), url);
        return success();
    }
    let offset = match header_u64(&headers, "offset") {
        Ok(Some(o)) => o,
        _ => {
            return failure(
                StatusCode::BAD_REQUEST,
                false,
                "BadRequestError",
                "Missing or invalid header: offset (bytes already uploaded, 0 to start).",
            );
        }
    };
    let file_size = match header_u64(&headers, "file_size") {
        Ok(Some(s)) if s > 0 => s,
        _ => {
            return failure(
                StatusCode::BAD_REQUEST,
                false,
                "BadRequestError",
                "Missing or invalid header: file_size (total bytes of the file).",
            );
        }
    };
    let settings = sb.read_state(|st| st.meta.settings.clone());
    if let Some(a) = announced
        && a != file_size
    {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            "ByteCountMismatchError",
            &format!("file_size {file_size} does not match the size announced earlier ({a})."),
        );
    }
    if file_size > settings.max_video_bytes {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            "FileTooLargeError",
            &format!(
                "file_size {file_size} exceeds the maximum of {} bytes.",
                settings.max_video_bytes
            ),
        );
    }
    if offset > 0 && !settings.rupload_resume {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            "BadRequestError",
            "Resuming an upload is not supported: start again with offset 0.",
        );
    }
    if offset != cur {
        return failure(
            StatusCode::BAD_REQUEST,
            true,
            "OffsetMismatchError",
            &format!("offset {offset} does not match the bytes received so far ({cur})."),
        );
    }
    // One request at a time per container.
    let (busy, hasher) = sb.with_state(|st| {
        if !st.meta.uploading.insert(c.id.clone()) {
            return (true, None);
        }
        let hasher = if cur == 0 {
            Some(Sha256::new())
        } else {
            st.meta.uploads.get(&c.id).and_then(|u| u.hasher.clone())
        };
        (false, hasher)
    });
    if busy {
        return failure(
            StatusCode::CONFLICT,
            true,
            "ConcurrentUploadError",
            "Another upload to this container is in progress.",
        );
    }
    let _guard = InFlight {
        sb: sb.clone(),
        id: c.id.clone(),
    };
    let remaining = file_size - cur;
    let mut hasher = hasher;
    let mut received: u64 = 0;
    let mut head: Vec<u8> = Vec::new();
    let mut overflow = false;
    let mut broken = false;
    let mut stream = req.into_body().into_data_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(b) => {
                if received + b.len() as u64 > remaining {
                    overflow = true;
                    break;
                }
                received += b.len() as u64;
                if let Some(h) = hasher.as_mut() {
                    h.update(&b);
                }
                if cur == 0 && head.len() < HEAD_BYTES {
                    let take = (HEAD_BYTES - head.len()).min(b.len());
                    head.extend_from_slice(&b[..take]);
                }
            }
            Err(_) => {
                broken = true;
                break;
            }
        }
    }
    if overflow {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            "ByteCountMismatchError",
            &format!(
                "The body has more bytes than file_size - offset ({remaining}); nothing was stored."
            ),
        );
    }
    let complete = received == remaining;
    if !complete && !settings.rupload_resume {
        return failure(
            StatusCode::BAD_REQUEST,
            true,
            "ByteCountMismatchError",
            &format!(
                "Received {received} of {remaining} bytes; the upload must be restarted with offset 0."
            ),
        );
    }
    let new_offset = cur + received;
    sb.with_state(|st| {
        let Some(k) = st.meta.containers.get_mut(&c.id) else {
            return;
        };
        if cur == 0 && !head.is_empty() {
            k.media = Some(MediaFacts {
                mime: sniff(&head).unwrap_or("application/octet-stream").into(),
                size: 0,
                sha256: None,
                width: None,
                height: None,
            });
        }
        if complete {
            let mime = k.media.as_ref().map(|m| m.mime.clone());
            let digest = hasher.take().map(|h| hex::encode(h.finalize()));
            complete_video(k, mime.as_deref(), file_size, digest);
            st.meta.uploads.remove(&c.id);
        } else {
            k.transfer = Transfer::Uploading {
                file_size: Some(file_size),
                offset: new_offset,
            };
            st.meta.uploads.insert(
                c.id.clone(),
                UploadRuntime {
                    hasher: hasher.take(),
                },
            );
        }
    });
    if complete {
        success()
    } else if broken {
        failure(
            StatusCode::BAD_REQUEST,
            true,
            "UploadInterruptedError",
            &format!(
                "The upload was interrupted after {new_offset} bytes; resume with offset: {new_offset}."
            ),
        )
    } else {
        failure(
            StatusCode::BAD_REQUEST,
            true,
            "PartialUploadError",
            &format!(
                "Received {new_offset} of {file_size} bytes; resume with offset: {new_offset}."
            ),
        )
    }
}

/// `GET /meta/rupload/ig-api-upload/vXX.X/{container-id}`: the bytes received so far.
pub(super) async fn offset(
    State(sb): State<Sandbox>,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (_caller, c) = match authorize(&sb, &rest, &headers) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if !sb.read_state(|st| st.meta.settings.rupload_resume) {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            "BadRequestError",
            "Reading the upload offset is not supported.",
        );
    }
    let (offset, file_size) = match &c.transfer {
        Transfer::Uploading { file_size, offset } => (*offset, *file_size),
        _ => {
            let size = c.media.as_ref().map(|m| m.size).unwrap_or(0);
            (size, Some(size))
        }
    };
    json_response(
        StatusCode::OK,
        &json!({ "id": c.id, "offset": offset, "file_size": file_size }),
    )
}
