//! Helpers shared by the sandbox's HTTP tests.
#![allow(dead_code)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use creatorflow_sandbox::platforms::x::{
    X_ACCOUNT_CREATOR, X_PUBLIC_CLIENT_ID, X_PUBLIC_REDIRECT_URIS,
};
use creatorflow_sandbox::{ConsentMode, SandboxConfig, SandboxHandle, start};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// `BASE64URL(SHA256(verifier))`, computed independently of the sandbox.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A sandbox on a free port that approves authorizations at once.
pub async fn sandbox() -> SandboxHandle {
    start(SandboxConfig {
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

/// A client that does not follow redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn x(sb: &SandboxHandle, path: &str) -> String {
    format!("{}x{path}", sb.base_url())
}

pub fn public_redirect() -> &'static str {
    X_PUBLIC_REDIRECT_URIS[0]
}

pub fn creator_id() -> &'static str {
    X_ACCOUNT_CREATOR.0
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

pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Authorize URL for the public client with the given scopes.
pub fn authorize_url(sb: &SandboxHandle, scopes: &str, state: &str, challenge: &str) -> String {
    let mut u = url::Url::parse(&x(sb, "/i/oauth2/authorize")).expect("url");
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", X_PUBLIC_CLIENT_ID)
        .append_pair("redirect_uri", public_redirect())
        .append_pair("scope", scopes)
        .append_pair("state", state)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    u.to_string()
}

/// Runs the authorize step (consent mode must approve) and returns the code.
pub async fn get_code(sb: &SandboxHandle, scopes: &str) -> String {
    let resp = http()
        .get(authorize_url(sb, scopes, "st4te", &s256(VERIFIER)))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302, "authorize redirects");
    let params = location_params(&resp);
    assert_eq!(param(&params, "state"), Some("st4te"));
    param(&params, "code").expect("code").to_string()
}

/// Exchanges a code for the public client.
pub async fn exchange(sb: &SandboxHandle, code: &str, verifier: &str) -> reqwest::Response {
    http()
        .post(x(sb, "/2/oauth2/token"))
        .form(&[
            ("code", code),
            ("grant_type", "authorization_code"),
            ("client_id", X_PUBLIC_CLIENT_ID),
            ("redirect_uri", public_redirect()),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("token request")
}

/// Full OAuth flow; returns the token response JSON.
pub async fn login(sb: &SandboxHandle, scopes: &str) -> Value {
    let code = get_code(sb, scopes).await;
    let resp = exchange(sb, &code, VERIFIER).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

pub const PUBLISH_SCOPES: &str = "tweet.read tweet.write users.read media.write offline.access";

/// An access token with the publishing scopes.
pub async fn token(sb: &SandboxHandle) -> String {
    login(sb, PUBLISH_SCOPES).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

pub async fn post_tweet(sb: &SandboxHandle, token: &str, body: Value) -> reqwest::Response {
    http()
        .post(x(sb, "/2/tweets"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("tweet request")
}

/// A 1x1 PNG.
pub fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    v.extend_from_slice(&[0x1f, 0x15, 0xc4, 0x89]);
    v
}

/// Bytes that start like an MP4.
pub fn mp4(len: usize) -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypmp42".to_vec();
    v.resize(len, 7);
    v
}
