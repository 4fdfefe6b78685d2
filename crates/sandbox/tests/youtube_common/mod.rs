//! Helpers of the YouTube HTTP tests (tests/youtube_*.rs).
#![allow(dead_code)]

/// The helpers every platform's tests share.
#[path = "../common/mod.rs"]
mod base;
#[allow(unused_imports)] // each test binary uses some of them
pub use base::{VERIFIER, http, s256, sandbox, sha256_hex};

use creatorflow_sandbox::platforms::youtube::{
    SCOPE_FORCE_SSL, SCOPE_READONLY, SCOPE_UPLOAD, YOUTUBE_CHANNEL_CREATOR,
    YOUTUBE_DESKTOP_CLIENT_ID, YOUTUBE_DESKTOP_CLIENT_SECRET,
};
use creatorflow_sandbox::{SandboxHandle, TokenRequest};
use serde_json::{Value, json};

/// The loopback redirect the app would use, on some ephemeral port.
pub const REDIRECT: &str = "http://127.0.0.1:53682/oauth/youtube/callback";
pub const KIB256: usize = 262_144;

/// `http://127.0.0.1:PORT/youtube{path}`.
pub fn yt(sb: &SandboxHandle, path: &str) -> String {
    format!("{}youtube{path}", sb.base_url())
}

pub fn creator() -> &'static str {
    YOUTUBE_CHANNEL_CREATOR.0
}

pub fn scopes(list: &[&str]) -> String {
    list.join(" ")
}

/// The publishing scopes CreatorFlow asks for.
pub fn app_scopes() -> String {
    scopes(&[SCOPE_UPLOAD, SCOPE_READONLY])
}

/// Authorize URL with sensible defaults, overridden (or removed with `None`) by `over`.
pub fn auth_url(sb: &SandboxHandle, over: &[(&str, Option<&str>)]) -> String {
    let challenge = s256(VERIFIER);
    let app = app_scopes();
    let mut params: Vec<(&str, String)> = vec![
        ("client_id", YOUTUBE_DESKTOP_CLIENT_ID.to_string()),
        ("redirect_uri", REDIRECT.to_string()),
        ("response_type", "code".to_string()),
        ("scope", app),
        ("access_type", "offline".to_string()),
        ("state", "st4te".to_string()),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256".to_string()),
    ];
    for (k, v) in over {
        params.retain(|(pk, _)| pk != k);
        if let Some(v) = v {
            params.push((k, v.to_string()));
        }
    }
    let mut u = url::Url::parse(&yt(sb, "/o/oauth2/v2/auth")).expect("url");
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in &params {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

pub async fn authorize(sb: &SandboxHandle, over: &[(&str, Option<&str>)]) -> reqwest::Response {
    http()
        .get(auth_url(sb, over))
        .send()
        .await
        .expect("authorize")
}

/// Query parameters of a `Location` header.
pub fn location_params(resp: &reqwest::Response) -> (url::Url, Vec<(String, String)>) {
    let loc = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location header");
    let url = url::Url::parse(loc).expect("absolute Location");
    let params = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (url, params)
}

pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Runs the authorize step and returns the code.
pub async fn get_code(sb: &SandboxHandle, over: &[(&str, Option<&str>)]) -> String {
    let resp = authorize(sb, over).await;
    assert_eq!(resp.status(), 302, "authorize redirects");
    let (_, params) = location_params(&resp);
    param(&params, "code").expect("code").to_string()
}

/// Token request with the Desktop client's id and secret plus `form`.
pub async fn token_request(sb: &SandboxHandle, form: &[(&str, &str)]) -> reqwest::Response {
    let mut f: Vec<(&str, &str)> = vec![
        ("client_id", YOUTUBE_DESKTOP_CLIENT_ID),
        ("client_secret", YOUTUBE_DESKTOP_CLIENT_SECRET),
    ];
    for (k, v) in form {
        f.retain(|(fk, _)| fk != k);
        f.push((k, v));
    }
    f.retain(|(_, v)| !v.is_empty());
    http()
        .post(yt(sb, "/token"))
        .form(&f)
        .send()
        .await
        .expect("token request")
}

pub async fn exchange(sb: &SandboxHandle, code: &str) -> reqwest::Response {
    token_request(
        sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

pub async fn refresh(sb: &SandboxHandle, rt: &str) -> reqwest::Response {
    token_request(
        sb,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await
}

/// Full OAuth flow; returns the token response JSON.
pub async fn login(sb: &SandboxHandle, over: &[(&str, Option<&str>)]) -> Value {
    let code = get_code(sb, over).await;
    let resp = exchange(sb, &code).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

/// An access token minted through the control API (no OAuth dance).
pub fn token_with(sb: &SandboxHandle, account: &str, scopes: &[&str]) -> String {
    sb.issue_tokens(TokenRequest {
        platform: "youtube".into(),
        account_id: account.into(),
        client_id: Some(YOUTUBE_DESKTOP_CLIENT_ID.into()),
        scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
    })
    .expect("tokens")
    .access_token
}

/// A creator token with upload, read and delete scopes.
pub fn token(sb: &SandboxHandle) -> String {
    token_with(
        sb,
        creator(),
        &[SCOPE_UPLOAD, SCOPE_READONLY, SCOPE_FORCE_SSL],
    )
}

pub fn set(sb: &SandboxHandle, patch: Value) {
    sb.update_platform_settings("youtube", patch)
        .expect("settings");
}

/// Deterministic bytes that start like an MP4.
pub fn mp4(len: usize) -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypmp42".to_vec();
    v.resize(len, 0);
    for (i, b) in v.iter_mut().enumerate().skip(12) {
        *b = (i % 251) as u8;
    }
    v.truncate(len);
    v
}

pub fn meta(title: &str) -> Value {
    json!({
        "snippet": {"title": title, "description": "A sandbox video", "tags": ["sandbox"], "categoryId": "22"},
        "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": false},
    })
}

/// Starts a resumable session; returns the raw response.
pub async fn start_upload(
    sb: &SandboxHandle,
    token: &str,
    metadata: &Value,
    len: Option<u64>,
) -> reqwest::Response {
    let mut req = http()
        .post(yt(sb, "/upload/youtube/v3/videos"))
        .query(&[("uploadType", "resumable"), ("part", "snippet,status")])
        .bearer_auth(token)
        .header("content-type", "application/json; charset=UTF-8")
        .header("x-upload-content-type", "video/mp4")
        .body(metadata.to_string());
    if let Some(n) = len {
        req = req.header("x-upload-content-length", n.to_string());
    }
    req.send().await.expect("start upload")
}

/// Starts a session and returns its URI.
pub async fn session(sb: &SandboxHandle, token: &str, metadata: &Value, len: u64) -> String {
    let resp = start_upload(sb, token, metadata, Some(len)).await;
    assert_eq!(resp.status(), 200, "session started");
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string()
}

/// `PUT` one chunk `bytes start-(start+len-1)/total`.
pub async fn put_chunk(uri: &str, data: &[u8], start: u64, total: &str) -> reqwest::Response {
    let end = start + data.len() as u64 - 1;
    http()
        .put(uri)
        .header("content-type", "video/mp4")
        .header("content-range", format!("bytes {start}-{end}/{total}"))
        .body(data.to_vec())
        .send()
        .await
        .expect("chunk")
}

/// `PUT` an empty body with `Content-Range: bytes */{total}`.
pub async fn probe(uri: &str, total: &str) -> reqwest::Response {
    http()
        .put(uri)
        .header("content-range", format!("bytes */{total}"))
        .header("content-length", "0")
        .send()
        .await
        .expect("probe")
}

pub fn range_header(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get("range")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Uploads `data` in one PUT; returns the video resource.
pub async fn upload(sb: &SandboxHandle, token: &str, metadata: &Value, data: &[u8]) -> Value {
    let uri = session(sb, token, metadata, data.len() as u64).await;
    let resp = http()
        .put(&uri)
        .header("content-type", "video/mp4")
        .body(data.to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), 200, "upload completes");
    resp.json().await.expect("video json")
}

/// The `errors[0].reason` of a googleapis error, asserting the shape and status.
pub async fn reason(resp: reqwest::Response, status: u16) -> String {
    assert_eq!(resp.status(), status, "status");
    let body: Value = resp.json().await.expect("error json");
    assert_eq!(body["error"]["code"], json!(status), "error.code in {body}");
    assert!(
        body["error"]["message"].is_string(),
        "error.message in {body}"
    );
    assert!(
        body["error"]["errors"][0]["domain"].is_string(),
        "errors[0].domain in {body}"
    );
    body["error"]["errors"][0]["reason"]
        .as_str()
        .expect("reason")
        .to_string()
}

/// Moves the emulated clock to `target` (an RFC 3339 instant).
pub fn clock_to(sb: &SandboxHandle, target: &str) {
    let t = chrono::DateTime::parse_from_rfc3339(target)
        .expect("rfc3339")
        .with_timezone(&chrono::Utc);
    let now = sb.clock().now;
    sb.advance_clock((t - now).num_seconds());
}

pub async fn get_json(url: &str, token: &str) -> (u16, Value) {
    let resp = http()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}
