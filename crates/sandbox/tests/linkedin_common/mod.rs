//! Helpers for the LinkedIn HTTP tests (docs/platforms/linkedin.md).
#![allow(dead_code)]

use creatorflow_sandbox::SandboxHandle;
use creatorflow_sandbox::platforms::linkedin::{
    LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET, LINKEDIN_MEMBER_CREATOR, LINKEDIN_MEMBER_STUDIO,
    LINKEDIN_REDIRECT_URIS,
};
use serde_json::{Value, json};

use crate::common::{location_params, param};

/// One shared HTTP client (building a native-tls client costs ~250 ms in debug
/// builds). No idle pooling, so no connection outlives the test runtime that
/// opened it. Does not follow redirects.
pub fn http() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .build()
                .expect("client")
        })
        .clone()
}

pub const SCOPES: &str = "openid profile email w_member_social";

pub fn li(sb: &SandboxHandle, path: &str) -> String {
    format!("{}linkedin{path}", sb.base_url())
}

pub fn redirect() -> &'static str {
    LINKEDIN_REDIRECT_URIS[0]
}

pub fn creator() -> &'static str {
    LINKEDIN_MEMBER_CREATOR.0
}

pub fn studio() -> &'static str {
    LINKEDIN_MEMBER_STUDIO.0
}

pub fn urn(sub: &str) -> String {
    format!("urn:li:person:{sub}")
}

/// The newest `LinkedIn-Version` active on the emulated clock (the current month
/// only once its release exists).
pub fn version(sb: &SandboxHandle) -> String {
    creatorflow_sandbox::platforms::linkedin::latest_version(sb).expect("an active version")
}

/// An authorize URL.
pub fn authorize_url(
    sb: &SandboxHandle,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    state: &str,
    challenge: Option<&str>,
) -> String {
    let mut u = url::Url::parse(&li(sb, "/oauth/v2/authorization")).expect("url");
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("scope", scope);
    if let Some(c) = challenge {
        u.query_pairs_mut()
            .append_pair("code_challenge", c)
            .append_pair("code_challenge_method", "S256");
    }
    u.to_string()
}

/// Runs the authorize step (consent mode must approve) and returns the code.
pub async fn code_for(
    sb: &SandboxHandle,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    challenge: Option<&str>,
) -> String {
    let resp = http()
        .get(authorize_url(
            sb,
            client_id,
            redirect_uri,
            scope,
            "st4te",
            challenge,
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302, "authorize redirects");
    let params = location_params(&resp);
    assert_eq!(param(&params, "state"), Some("st4te"));
    param(&params, "code").expect("code").to_string()
}

/// A code for the self-serve client.
pub async fn code(sb: &SandboxHandle, scope: &str) -> String {
    code_for(sb, LINKEDIN_CLIENT_ID, redirect(), scope, None).await
}

/// Token request with a form.
pub async fn token_request(sb: &SandboxHandle, form: &[(&str, &str)]) -> reqwest::Response {
    http()
        .post(li(sb, "/oauth/v2/accessToken"))
        .form(form)
        .send()
        .await
        .expect("token request")
}

/// Exchanges a code of the self-serve client (secret in the body).
pub async fn exchange(sb: &SandboxHandle, code: &str) -> reqwest::Response {
    token_request(
        sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect()),
            ("client_id", LINKEDIN_CLIENT_ID),
            ("client_secret", LINKEDIN_CLIENT_SECRET),
        ],
    )
    .await
}

/// Full self-serve OAuth flow; the token response JSON.
pub async fn login(sb: &SandboxHandle, scope: &str) -> Value {
    let c = code(sb, scope).await;
    let resp = exchange(sb, &c).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

/// An access token with the publishing scopes for the first approved member.
pub async fn token(sb: &SandboxHandle) -> String {
    login(sb, SCOPES).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// An access token for a given member (via the control API).
pub fn token_of(sb: &SandboxHandle, sub: &str) -> String {
    sb.issue_tokens(creatorflow_sandbox::TokenRequest {
        platform: "linkedin".into(),
        account_id: sub.into(),
        client_id: None,
        scopes: None,
    })
    .expect("tokens")
    .access_token
}

/// A request to the versioned REST API with all the required headers.
pub fn rest(
    sb: &SandboxHandle,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    http()
        .request(method, li(sb, path))
        .bearer_auth(token)
        .header("LinkedIn-Version", version(sb))
        .header("X-Restli-Protocol-Version", "2.0.0")
}

/// A text post body.
pub fn post_body(author: &str, commentary: &str) -> Value {
    json!({
        "author": author,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": []
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": false
    })
}

pub async fn create_post(sb: &SandboxHandle, token: &str, body: &Value) -> reqwest::Response {
    rest(sb, reqwest::Method::POST, "/rest/posts", token)
        .json(body)
        .send()
        .await
        .expect("post request")
}

/// The `x-restli-id` of a 201.
pub fn restli_id(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("x-restli-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-restli-id")
        .to_string()
}

/// Percent-encodes a URN for a path segment.
pub fn enc(urn: &str) -> String {
    url::form_urlencoded::byte_serialize(urn.as_bytes()).collect()
}

/// A PNG header of `w` x `h` pixels.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&[8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]);
    v
}

/// `len` bytes that start like an MP4, with a varying pattern.
pub fn mp4(len: usize) -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypmp42".to_vec();
    v.extend((0..len.saturating_sub(v.len())).map(|i| (i % 251) as u8));
    v.truncate(len);
    v
}

/// Initializes an image upload; `(image urn, upload URL)`.
pub async fn init_image(sb: &SandboxHandle, token: &str, owner: &str) -> (String, String) {
    let resp = rest(
        sb,
        reqwest::Method::POST,
        "/rest/images?action=initializeUpload",
        token,
    )
    .json(&json!({ "initializeUploadRequest": { "owner": owner } }))
    .send()
    .await
    .expect("initialize");
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    (
        v["value"]["image"].as_str().expect("image").to_string(),
        v["value"]["uploadUrl"]
            .as_str()
            .expect("uploadUrl")
            .to_string(),
    )
}

/// `PUT` of bytes to an upload URL with the bearer token.
pub async fn put_bytes(url: &str, token: &str, bytes: Vec<u8>) -> reqwest::Response {
    http()
        .put(url)
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("upload")
}

/// Initializes and uploads an image; its URN.
pub async fn upload_image(sb: &SandboxHandle, token: &str, owner: &str, bytes: Vec<u8>) -> String {
    let (image, url) = init_image(sb, token, owner).await;
    assert_eq!(put_bytes(&url, token, bytes).await.status(), 201);
    image
}

/// `GET /rest/{images|videos}/{urn}` → `(status code, body)`.
pub async fn media_status(sb: &SandboxHandle, token: &str, kind: &str, urn: &str) -> (u16, Value) {
    let resp = rest(
        sb,
        reqwest::Method::GET,
        &format!("/rest/{kind}/{}", enc(urn)),
        token,
    )
    .send()
    .await
    .expect("status");
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap_or(Value::Null))
}

/// A post with one media item.
pub fn media_post(author: &str, media_urn: &str) -> Value {
    let mut b = post_body(author, "with media");
    b["content"] = json!({ "media": { "id": media_urn, "altText": "alt" } });
    b
}
