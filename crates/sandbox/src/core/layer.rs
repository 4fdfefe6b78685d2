//! The one middleware around every route: request log, fault injection, and
//! rewriting of axum's plain-text rejections into the platform's error shape.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt as _, stream};

use super::faults::Fault;
use super::reqlog::redact_query;
use super::sandbox::Sandbox;

/// Largest body the `reset_mid_body` fault buffers before cutting it.
const MAX_BUFFERED_BODY: usize = 32 * 1024 * 1024;

/// How long a `timeout` fault holds a request at most.
const TIMEOUT_HOLD_SECS: u64 = 3600;

pub async fn middleware(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let module = sb.platform_for_path(&path);
    let is_control = path == "/" || path.starts_with("/_sandbox");
    let platform_name = match (&module, is_control) {
        (Some(m), _) => m.id().to_string(),
        (None, true) => "sandbox".to_string(),
        (None, false) => "unknown".to_string(),
    };
    let id = sb.log_start(
        &platform_name,
        &method,
        &path,
        redact_query(req.uri().query()),
    );
    let fault = if is_control {
        None
    } else {
        sb.take_fault(&method, &path)
    };
    if let Some(f) = &fault {
        sb.log_update(id, None, Some(f.kind()), None);
    }

    let response = match fault {
        None => normalize(&sb, &path, next.run(req).await).await,
        Some(Fault::Delay { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            normalize(&sb, &path, next.run(req).await).await
        }
        Some(Fault::Status { status, body }) => {
            drain_request(req).await;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            match (body, &module) {
                (Some(serde_json::Value::String(s)), _) => (
                    status,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    s,
                )
                    .into_response(),
                (Some(v), _) => (status, axum::Json(v)).into_response(),
                (None, Some(m)) => {
                    m.error_response(status, status.canonical_reason().unwrap_or("Error"))
                }
                (None, None) => {
                    (status, status.canonical_reason().unwrap_or("Error")).into_response()
                }
            }
        }
        Some(Fault::RateLimit {
            reset_after_secs,
            limit,
        }) => {
            drain_request(req).await;
            let now = sb.now().timestamp();
            let reset_at = now + reset_after_secs;
            let limit = limit.unwrap_or(100);
            match &module {
                Some(m) => m.rate_limited_response(limit, reset_at, now),
                None => (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response(),
            }
        }
        Some(Fault::ResetMidBody) => {
            let resp = normalize(&sb, &path, next.run(req).await).await;
            cut_body(resp).await
        }
        Some(Fault::Timeout) => {
            let mut rx = sb.shutdown_signal();
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(TIMEOUT_HOLD_SECS),
                rx.wait_for(|down| *down),
            )
            .await;
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    };

    let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    sb.log_update(id, Some(response.status().as_u16()), None, Some(elapsed));
    if !(is_control && method == "GET") {
        sb.mark_dirty();
    }
    response
}

/// Reads and drops the body of a request answered by a fault, as a real server
/// does: a client that writes its whole upload before reading the answer then
/// sees the injected status instead of a broken pipe. Bounded by
/// [`MAX_BUFFERED_BODY`].
async fn drain_request(req: Request) {
    let mut stream = req.into_body().into_data_stream();
    let mut n = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        n += chunk.len();
        if n > MAX_BUFFERED_BODY {
            break;
        }
    }
}

/// Sends the headers and about half of the body, then fails the body stream, which
/// makes hyper abort the connection. `Content-Length` announces the full length,
/// so the client knows the body was cut.
async fn cut_body(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BUFFERED_BODY)
        .await
        .unwrap_or_default();
    let announced = bytes.len().max(2);
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(u64::try_from(announced).unwrap_or(u64::MAX)),
    );
    parts.headers.remove(header::TRANSFER_ENCODING);
    let first = stream::iter([Ok::<_, std::io::Error>(half)]);
    // Give hyper time to flush the headers and the first half before the abort.
    let abort = stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox fault: connection reset mid-body",
        ))
    });
    Response::from_parts(parts, Body::from_stream(first.chain(abort)))
}

/// Rewrites axum's own plain-text/empty error responses (404 of unknown paths, 405,
/// 413, extractor rejections) under a platform prefix into that platform's error
/// shape, so a client never sees an error shape the platform would not send.
async fn normalize(sb: &Sandbox, path: &str, resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let Some(module) = sb.platform_for_path(path) else {
        return resp;
    };
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !(ct.is_empty() || ct.starts_with("text/plain")) {
        return resp;
    }
    let allow = resp.headers().get(header::ALLOW).cloned();
    let bytes = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let message = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("Error").to_string()
    } else {
        text.trim().to_string()
    };
    let mut out = module.error_response(status, &message);
    if let Some(a) = allow {
        out.headers_mut().insert(header::ALLOW, a);
    }
    out
}
