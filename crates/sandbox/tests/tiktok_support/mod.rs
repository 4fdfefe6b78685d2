//! Helpers shared by the TikTok HTTP tests (`tests/tiktok_*.rs`).
//! Challenges and digests are computed here, independently of the sandbox.
#![allow(dead_code)]

/// The helpers every platform's tests share.
#[path = "../common/mod.rs"]
mod base;
#[allow(unused_imports)] // each test binary uses some of them
pub use base::{http, s256 as b64_challenge, sandbox, sha256_hex};

use creatorflow_sandbox::platforms::tiktok::{
    TIKTOK_ACCOUNT_PRIVATE, TIKTOK_ACCOUNT_PUBLIC, TIKTOK_CLIENT_KEY, TIKTOK_CLIENT_SECRET,
};
use creatorflow_sandbox::{SandboxHandle, TokenRequest};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

pub const VERIFIER: &str = "tiktok-desktop-verifier-0123456789abcdefghijklmnopqrstuvwxyz";
/// A concrete port under the seeded wildcard registration `http://127.0.0.1:*/...`.
pub const REDIRECT: &str = "http://127.0.0.1:53682/oauth/tiktok/callback";
pub const ALL_SCOPES: &str = "user.info.basic,user.info.profile,video.publish,video.upload";
pub const VERIFIED: &str = "https://media.creatorflow.test/";

pub fn public_id() -> &'static str {
    TIKTOK_ACCOUNT_PUBLIC.0
}

pub fn private_id() -> &'static str {
    TIKTOK_ACCOUNT_PRIVATE.0
}

/// TikTok desktop: lower-case hex SHA-256 of the verifier.
pub fn hex_challenge(verifier: &str) -> String {
    hex::encode(Sha256::digest(verifier.as_bytes()))
}

/// `http://127.0.0.1:PORT/tiktok{path}`.
pub fn tt(sb: &SandboxHandle, path: &str) -> String {
    format!("{}tiktok{path}", sb.base_url())
}

pub fn control(sb: &SandboxHandle, path: &str) -> String {
    format!("{}_sandbox{path}", sb.base_url())
}

/// Authorize URL with the standard parameters, `overrides` replacing or adding some
/// (an empty value removes the parameter).
pub fn authorize_url(sb: &SandboxHandle, overrides: &[(&str, &str)]) -> String {
    let challenge = hex_challenge(VERIFIER);
    let mut params: Vec<(String, String)> = [
        ("client_key", TIKTOK_CLIENT_KEY),
        ("response_type", "code"),
        ("scope", ALL_SCOPES),
        ("redirect_uri", REDIRECT),
        ("state", "st4te"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in overrides {
        params.retain(|(pk, _)| pk != k);
        if !v.is_empty() {
            params.push((k.to_string(), v.to_string()));
        }
    }
    let mut u = url::Url::parse(&tt(sb, "/v2/auth/authorize/")).expect("url");
    for (k, v) in &params {
        u.query_pairs_mut().append_pair(k, v);
    }
    u.to_string()
}

/// Query parameters of a `Location` header.
pub fn location_params(resp: &reqwest::Response) -> Vec<(String, String)> {
    let loc = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location header");
    let url = url::Url::parse(loc).expect("absolute Location");
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Runs the authorize step (consent mode must approve) and returns the code.
pub async fn get_code(sb: &SandboxHandle, overrides: &[(&str, &str)]) -> String {
    let resp = http()
        .get(authorize_url(sb, overrides))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302, "authorize redirects");
    let params = location_params(&resp);
    param(&params, "code").expect("code").to_string()
}

/// The token endpoint with the standard form, `overrides` replacing or adding
/// fields (an empty value removes the field).
pub async fn token_request(sb: &SandboxHandle, overrides: &[(&str, &str)]) -> reqwest::Response {
    let mut form: Vec<(String, String)> = [
        ("client_key", TIKTOK_CLIENT_KEY),
        ("client_secret", TIKTOK_CLIENT_SECRET),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in overrides {
        form.retain(|(fk, _)| fk != k);
        if !v.is_empty() {
            form.push((k.to_string(), v.to_string()));
        }
    }
    http()
        .post(tt(sb, "/v2/oauth/token/"))
        .form(&form)
        .send()
        .await
        .expect("token request")
}

/// Full OAuth flow with the given scopes; returns the token response JSON.
pub async fn login(sb: &SandboxHandle, scope: &str) -> Value {
    let code = get_code(sb, &[("scope", scope)]).await;
    let resp = token_request(sb, &[("code", &code)]).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

/// Refresh grant.
pub async fn refresh(sb: &SandboxHandle, refresh_token: &str) -> reqwest::Response {
    http()
        .post(tt(sb, "/v2/oauth/token/"))
        .form(&[
            ("client_key", TIKTOK_CLIENT_KEY),
            ("client_secret", TIKTOK_CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .expect("refresh request")
}

/// An access token for an account, minted through the control API.
pub fn token_for(sb: &SandboxHandle, account: &str, scopes: &[&str]) -> String {
    sb.issue_tokens(TokenRequest {
        platform: "tiktok".into(),
        account_id: account.into(),
        client_id: None,
        scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
    })
    .expect("tokens")
    .access_token
}

/// A token of the public creator with every scope.
pub fn token(sb: &SandboxHandle) -> String {
    token_for(
        sb,
        public_id(),
        &[
            "user.info.basic",
            "user.info.profile",
            "video.publish",
            "video.upload",
        ],
    )
}

/// A JSON POST to a v2 endpoint; returns status and body.
pub async fn api_post(sb: &SandboxHandle, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let resp = http()
        .post(tt(sb, path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("JSON body"))
}

/// Asserts the v2 error envelope with `code` and returns the message.
pub fn assert_error(body: &Value, code: &str) -> String {
    assert_eq!(body["data"], json!({}), "data is empty on error: {body}");
    assert_eq!(body["error"]["code"], code, "error code: {body}");
    let log_id = body["error"]["log_id"].as_str().unwrap_or_default();
    assert!(log_id.len() >= 14, "log_id present: {body}");
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Asserts a successful v2 envelope and returns `data`.
pub fn assert_ok(body: &Value) -> Value {
    assert_eq!(body["error"]["code"], "ok", "ok envelope: {body}");
    assert_eq!(body["error"]["message"], "");
    assert!(
        body["error"]["log_id"]
            .as_str()
            .is_some_and(|l| !l.is_empty())
    );
    body["data"].clone()
}

/// A direct-post video init body with FILE_UPLOAD sizes.
pub fn video_body(privacy: &str, video_size: u64, chunk_size: u64, chunks: u64) -> Value {
    json!({
        "post_info": {
            "title": "sandbox video #test",
            "privacy_level": privacy,
            "disable_duet": false,
            "disable_comment": false,
            "disable_stitch": false,
            "video_cover_timestamp_ms": 1000
        },
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": video_size,
            "chunk_size": chunk_size,
            "total_chunk_count": chunks
        }
    })
}

/// A direct-post video init body pulling from `url`.
pub fn pull_body(privacy: &str, url: &str) -> Value {
    json!({
        "post_info": { "title": "pulled", "privacy_level": privacy },
        "source_info": { "source": "PULL_FROM_URL", "video_url": url }
    })
}

/// Sets TikTok settings (JSON merge) through the control API.
pub fn settings(sb: &SandboxHandle, patch: Value) {
    sb.update_platform_settings("tiktok", patch)
        .expect("settings accepted");
}

/// `PUT` one chunk to an upload URL.
pub async fn put_chunk(
    upload_url: &str,
    bytes: Vec<u8>,
    first: u64,
    total: u64,
    content_type: &str,
) -> reqwest::Response {
    let last = first + bytes.len() as u64 - 1;
    http()
        .put(upload_url)
        .header("content-type", content_type)
        .header("content-range", format!("bytes {first}-{last}/{total}"))
        .body(bytes)
        .send()
        .await
        .expect("PUT")
}

/// `status/fetch` data for a publish id.
pub async fn fetch_status(sb: &SandboxHandle, token: &str, publish_id: &str) -> Value {
    let (status, body) = api_post(
        sb,
        token,
        "/v2/post/publish/status/fetch/",
        &json!({ "publish_id": publish_id }),
    )
    .await;
    assert_eq!(status, 200, "status/fetch: {body}");
    assert_ok(&body)
}

/// Deterministic test bytes that start like an MP4.
pub fn mp4(len: usize) -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypmp42".to_vec();
    v.extend((0..len.saturating_sub(12)).map(|i| (i % 251) as u8));
    v.truncate(len);
    v
}
