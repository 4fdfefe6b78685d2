//! The upload URL (`open-upload.tiktokapis.com/video/?upload_id=..&upload_token=..`):
//! sequential `PUT`s with `Content-Range`, 206 while chunks remain, 201 at the end.
//!
//! Bodies are streamed and hashed in order; only size and SHA-256 are kept.

use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use sha2::{Digest as _, Sha256};

use super::{PLATFORM, PublishStatus, api_error, invalid_params, publish::record_received};
use crate::core::sandbox::Sandbox;
use crate::core::util::{content_type, form_get, parse_query};

/// Content types TikTok accepts for a chunk.
pub const VIDEO_TYPES: &[&str] = &["video/mp4", "video/quicktime", "video/webm"];

/// Parses `bytes first-last/total`.
pub fn parse_content_range(v: &str) -> Option<(u64, u64, u64)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let num = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (first, last, total) = (num(first)?, num(last)?, num(total)?);
    (first <= last && last < total).then_some((first, last, total))
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// What the handler needs to know about the upload before reading the body.
struct Target {
    publish_id: String,
    video_size: u64,
    next_offset: u64,
    expected_len: u64,
    hasher: Option<Sha256>,
}

/// `PUT /upload/video/?upload_id=..&upload_token=..`.
pub(super) async fn put_chunk(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Response {
    let now = sb.now();
    let params = parse_query(q.as_deref());
    let (Some(upload_id), Some(upload_token)) = (
        form_get(&params, "upload_id").filter(|s| !s.is_empty()),
        form_get(&params, "upload_token").filter(|s| !s.is_empty()),
    ) else {
        return invalid_params("upload_id and upload_token are required.", now);
    };
    let headers = req.headers().clone();
    let chunk_status = sb.read_state(|st| st.tiktok.settings.chunk_error_status);
    let chunk_error = |msg: &str, now: DateTime<Utc>| {
        api_error(
            StatusCode::from_u16(chunk_status).unwrap_or(StatusCode::BAD_REQUEST),
            "invalid_file_upload",
            msg,
            now,
        )
    };

    let prepared = (|| -> Result<(Target, String), Response> {
        // 1. The upload session.
        let found = sb.read_state(|st| {
            st.tiktok.publishes.values().find_map(|p| {
                let u = p.upload.as_ref().filter(|u| u.upload_id == upload_id)?;
                Some((
                    p.clone(),
                    u.clone(),
                    st.tiktok.hashers.get(&p.publish_id).cloned(),
                ))
            })
        });
        let Some((publish, session, stored_hasher)) =
            found.filter(|(_, u, _)| u.upload_token == upload_token)
        else {
            return Err(api_error(
                StatusCode::NOT_FOUND,
                "invalid_params",
                "The upload_id or upload_token is invalid.",
                now,
            ));
        };
        if session.expires_at <= now || publish.status == PublishStatus::Failed {
            return Err(api_error(
                StatusCode::FORBIDDEN,
                "invalid_params",
                "The upload URL has expired. Initialize the upload again.",
                now,
            ));
        }
        if publish.media_ready_at.is_some() {
            return Err(chunk_error(
                "Every chunk of this upload was already received.",
                now,
            ));
        }

        // 2. Headers: Content-Type, Content-Range, Content-Length.
        let ct = content_type(&headers).unwrap_or_default();
        if !VIDEO_TYPES.contains(&ct.as_str()) {
            return Err(api_error(
                StatusCode::BAD_REQUEST,
                "invalid_file_upload",
                "Content-Type must be video/mp4, video/quicktime or video/webm.",
                now,
            ));
        }
        let Some((first, last, total)) =
            header_str(&headers, header::CONTENT_RANGE).and_then(parse_content_range)
        else {
            return Err(chunk_error(
                "Content-Range must be bytes {first}-{last}/{total}.",
                now,
            ));
        };
        if total != publish.video_size {
            return Err(chunk_error(
                &format!(
                    "The total size in Content-Range ({total}) differs from video_size ({}).",
                    publish.video_size
                ),
                now,
            ));
        }
        if first != session.next_offset {
            return Err(chunk_error(
                &format!(
                    "Chunks must be uploaded in order: the next chunk starts at byte {}.",
                    session.next_offset
                ),
                now,
            ));
        }
        let is_last = session.chunks_received + 1 >= session.total_chunk_count;
        let expected_len = if is_last {
            publish.video_size - session.next_offset
        } else {
            session.chunk_size
        };
        if last - first + 1 != expected_len {
            return Err(chunk_error(
                &format!(
                    "Chunk {} must be {expected_len} bytes (bytes {first}-{}/{total}).",
                    session.chunks_received + 1,
                    first + expected_len - 1
                ),
                now,
            ));
        }
        let declared =
            header_str(&headers, header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
        if declared != Some(expected_len) {
            return Err(chunk_error(
                &format!("Content-Length must be {expected_len} for this chunk."),
                now,
            ));
        }
        let target = Target {
            publish_id: publish.publish_id.clone(),
            video_size: publish.video_size,
            next_offset: session.next_offset,
            expected_len,
            // A hasher lost across a restart: the digest is unknown from then on.
            hasher: match (stored_hasher, session.next_offset) {
                (Some(h), _) => Some(h),
                (None, 0) => Some(Sha256::default()),
                (None, _) => None,
            },
        };
        Ok((target, ct))
    })();
    let (target, ct) = match prepared {
        Ok(t) => t,
        Err(refused) => {
            // Read and drop the chunk before answering, as TikTok's servers do:
            // a client that writes its whole chunk before reading the answer
            // then sees the refusal instead of a broken pipe.
            let mut body = req.into_body().into_data_stream();
            while let Some(Ok(_)) = body.next().await {}
            return refused;
        }
    };

    // 3. The body, streamed.
    let mut hasher = target.hasher;
    let mut got: u64 = 0;
    let mut body = req.into_body().into_data_stream();
    while let Some(piece) = body.next().await {
        match piece {
            Ok(bytes) => {
                got += bytes.len() as u64;
                if got > target.expected_len {
                    return chunk_error("The chunk is longer than its Content-Range.", sb.now());
                }
                if let Some(h) = hasher.as_mut() {
                    h.update(&bytes);
                }
            }
            Err(_) => return chunk_error("The chunk body was cut short.", sb.now()),
        }
    }
    if got != target.expected_len {
        return chunk_error("The chunk is shorter than its Content-Range.", sb.now());
    }

    // 4. Commit (unless another request moved the upload meanwhile).
    sb.with_state(|st| {
        let now = st.now();
        let Some(p) = st.tiktok.publishes.get_mut(&target.publish_id) else {
            return invalid_params("The upload no longer exists.", now);
        };
        let Some(u) = p.upload.as_mut() else {
            return invalid_params("The upload no longer exists.", now);
        };
        if u.next_offset != target.next_offset || p.media_ready_at.is_some() {
            return chunk_error("Chunks must be uploaded in order.", now);
        }
        u.next_offset += got;
        u.chunks_received += 1;
        if u.mime.is_none() {
            u.mime = Some(ct.clone());
        }
        p.uploaded_bytes = u.next_offset;
        if u.next_offset < target.video_size {
            if let Some(h) = hasher {
                st.tiktok.hashers.insert(target.publish_id.clone(), h);
            }
            return StatusCode::PARTIAL_CONTENT.into_response();
        }
        p.sha256 = hasher.map(|h| hex::encode(h.finalize()));
        p.media_ready_at = Some(now);
        let done = p.clone();
        st.tiktok.hashers.remove(&target.publish_id);
        if let Some(account) = st
            .core_ref(PLATFORM)
            .and_then(|c| c.account(&done.account_id).cloned())
        {
            record_received(st, &done, &account, now);
        }
        StatusCode::CREATED.into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_parsing() {
        assert_eq!(parse_content_range("bytes 0-9/100"), Some((0, 9, 100)));
        assert_eq!(parse_content_range("bytes 90-99/100"), Some((90, 99, 100)));
        assert_eq!(parse_content_range("bytes 90-100/100"), None);
        assert_eq!(parse_content_range("bytes 9-0/100"), None);
        assert_eq!(parse_content_range("bytes */100"), None);
        assert_eq!(parse_content_range("0-9/100"), None);
        assert_eq!(parse_content_range("bytes -1-9/100"), None);
    }
}
