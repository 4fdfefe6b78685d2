//! Helpers shared by the Meta (Instagram) HTTP tests: OAuth flows of both login
//! products, a local media server (the emulator fetches `image_url`/`video_url`
//! over HTTP, and only from hosts it treats as public: the server is listed in the
//! `public_hosts` setting), real image bytes, container/publish calls.
#![allow(dead_code)]

/// The helpers every platform's tests share.
#[path = "../common/mod.rs"]
mod base;
#[allow(unused_imports)] // each test binary uses some of them
pub use base::{sandbox, sha256_hex};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use creatorflow_sandbox::platforms::meta::{
    FACEBOOK_PUBLISH_SCOPES, INSTAGRAM_PUBLISH_SCOPES, META_FACEBOOK_APP_ID,
    META_FACEBOOK_APP_SECRET, META_FACEBOOK_REDIRECT_URIS, META_FACEBOOK_USER,
    META_IG_ACCOUNT_CREATOR, META_IG_ACCOUNT_STUDIO, META_INSTAGRAM_APP_ID,
    META_INSTAGRAM_APP_SECRET, META_INSTAGRAM_REDIRECT_URIS,
};
use creatorflow_sandbox::{SandboxHandle, TokenRequest};
use serde_json::Value;

/// A real 40x50 baseline JPEG made with an image library (4:5).
pub const PHOTO: &[u8] = include_bytes!("../fixtures/meta-photo-40x50.jpg");
/// Offset of the SOF0 marker in [`PHOTO`].
const PHOTO_SOF: usize = 158;

pub fn ig1() -> &'static str {
    META_IG_ACCOUNT_CREATOR.0
}

pub fn ig2() -> &'static str {
    META_IG_ACCOUNT_STUDIO.0
}

pub fn fb_user() -> &'static str {
    META_FACEBOOK_USER.0
}

/// A client that does not follow redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}

/// `http://127.0.0.1:PORT/meta/graph{path}` (graph.facebook.com).
pub fn graph(sb: &SandboxHandle, path: &str) -> String {
    format!("{}meta/graph{path}", sb.base_url())
}

/// `http://127.0.0.1:PORT/meta/graph-instagram{path}` (graph.instagram.com).
pub fn graph_ig(sb: &SandboxHandle, path: &str) -> String {
    format!("{}meta/graph-instagram{path}", sb.base_url())
}

pub fn meta(sb: &SandboxHandle, path: &str) -> String {
    format!("{}meta{path}", sb.base_url())
}

pub fn fb_redirect() -> &'static str {
    META_FACEBOOK_REDIRECT_URIS[0]
}

pub fn ig_redirect() -> &'static str {
    META_INSTAGRAM_REDIRECT_URIS[0]
}

pub async fn json(resp: reqwest::Response) -> Value {
    resp.json().await.expect("JSON body")
}

/// Asserts a Graph error and returns its `error` object.
pub async fn graph_error(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status, "HTTP status of the error");
    let body = json(resp).await;
    let e = body["error"].clone();
    assert!(e.is_object(), "Graph error shape: {body}");
    assert_eq!(
        e["type"].as_str().map(|t| t.ends_with("Exception")),
        Some(true)
    );
    assert!(e["fbtrace_id"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(e["is_transient"].is_boolean());
    e
}

/// `(code, subcode)` of a Graph error.
pub async fn codes(resp: reqwest::Response) -> (i64, Option<i64>) {
    let e = graph_error(resp, 400).await;
    (e["code"].as_i64().unwrap_or(0), e["error_subcode"].as_i64())
}

/// Query parameters of a `Location` header.
pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_string()
}

pub fn query_param(url: &str, key: &str) -> Option<String> {
    let u = url::Url::parse(url).expect("absolute URL");
    u.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

// ----- Facebook Login ---------------------------------------------------------------------

pub fn fb_dialog_url(sb: &SandboxHandle, version: Option<&str>, extra: &[(&str, &str)]) -> String {
    let path = match version {
        Some(v) => format!("/facebook/{v}/dialog/oauth"),
        None => "/facebook/dialog/oauth".to_string(),
    };
    let mut u = url::Url::parse(&meta(sb, &path)).expect("url");
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("client_id", META_FACEBOOK_APP_ID)
            .append_pair("redirect_uri", fb_redirect())
            .append_pair("state", "csrf-fb")
            .append_pair("response_type", "code");
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

/// Runs the Facebook dialog and returns the code.
pub async fn fb_code(sb: &SandboxHandle, scope: &str) -> String {
    let resp = http()
        .get(fb_dialog_url(sb, Some("v23.0"), &[("scope", scope)]))
        .send()
        .await
        .expect("dialog");
    assert_eq!(resp.status(), 302, "dialog redirects");
    let loc = location(&resp);
    assert!(loc.starts_with(fb_redirect()), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("csrf-fb"));
    query_param(&loc, "code").expect("code")
}

pub async fn fb_exchange_code(
    sb: &SandboxHandle,
    code: &str,
    secret: &str,
    redirect: &str,
) -> reqwest::Response {
    http()
        .get(graph(sb, "/v23.0/oauth/access_token"))
        .query(&[
            ("client_id", META_FACEBOOK_APP_ID),
            ("redirect_uri", redirect),
            ("client_secret", secret),
            ("code", code),
        ])
        .send()
        .await
        .expect("token request")
}

pub fn fb_scopes() -> String {
    FACEBOOK_PUBLISH_SCOPES.join(",")
}

/// A short-lived Facebook user token with the publishing permissions.
pub async fn fb_short_token(sb: &SandboxHandle) -> String {
    let code = fb_code(sb, &fb_scopes()).await;
    let resp = fb_exchange_code(sb, &code, META_FACEBOOK_APP_SECRET, fb_redirect()).await;
    assert_eq!(resp.status(), 200);
    json(resp).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

pub async fn fb_exchange_long(sb: &SandboxHandle, short: &str) -> reqwest::Response {
    http()
        .get(graph(sb, "/v23.0/oauth/access_token"))
        .query(&[
            ("grant_type", "fb_exchange_token"),
            ("client_id", META_FACEBOOK_APP_ID),
            ("client_secret", META_FACEBOOK_APP_SECRET),
            ("fb_exchange_token", short),
        ])
        .send()
        .await
        .expect("exchange")
}

/// A long-lived Facebook user token (full dialog + exchange).
pub async fn fb_long_token(sb: &SandboxHandle) -> String {
    let short = fb_short_token(sb).await;
    let resp = fb_exchange_long(sb, &short).await;
    assert_eq!(resp.status(), 200);
    json(resp).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

// ----- Instagram Login --------------------------------------------------------------------

pub fn ig_authorize_url(sb: &SandboxHandle, extra: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(&meta(sb, "/instagram/oauth/authorize")).expect("url");
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("client_id", META_INSTAGRAM_APP_ID)
            .append_pair("redirect_uri", ig_redirect())
            .append_pair("response_type", "code")
            .append_pair("state", "csrf-ig");
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

/// Runs the Instagram authorize step; returns the raw `Location`.
pub async fn ig_authorize(sb: &SandboxHandle, scope: &str) -> String {
    let resp = http()
        .get(ig_authorize_url(sb, &[("scope", scope)]))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302, "authorize redirects");
    location(&resp)
}

/// The code of an Instagram redirect, with the `#_` stripped as the docs say.
pub fn ig_code_from(location: &str) -> String {
    let without_fragment = location.strip_suffix("#_").expect("redirect ends with #_");
    query_param(without_fragment, "code").expect("code")
}

pub fn ig_scopes() -> String {
    INSTAGRAM_PUBLISH_SCOPES.join(",")
}

pub async fn ig_exchange_code(
    sb: &SandboxHandle,
    code: &str,
    secret: &str,
    redirect: &str,
) -> reqwest::Response {
    http()
        .post(meta(sb, "/instagram/oauth/access_token"))
        .form(&[
            ("client_id", META_INSTAGRAM_APP_ID),
            ("client_secret", secret),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect),
            ("code", code),
        ])
        .send()
        .await
        .expect("token request")
}

/// A short-lived Instagram user token (full authorize + exchange).
pub async fn ig_short_token(sb: &SandboxHandle) -> String {
    let loc = ig_authorize(sb, &ig_scopes()).await;
    let code = ig_code_from(&loc);
    let resp = ig_exchange_code(sb, &code, META_INSTAGRAM_APP_SECRET, ig_redirect()).await;
    assert_eq!(resp.status(), 200);
    json(resp).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

pub async fn ig_exchange_long(sb: &SandboxHandle, short: &str) -> reqwest::Response {
    http()
        .get(graph_ig(sb, "/access_token"))
        .query(&[
            ("grant_type", "ig_exchange_token"),
            ("client_secret", META_INSTAGRAM_APP_SECRET),
            ("access_token", short),
        ])
        .send()
        .await
        .expect("exchange")
}

pub async fn ig_long_token(sb: &SandboxHandle) -> String {
    let short = ig_short_token(sb).await;
    let resp = ig_exchange_long(sb, &short).await;
    assert_eq!(resp.status(), 200);
    json(resp).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// An Instagram-Login token for an account, minted through the control API.
pub fn ig_token_for(sb: &SandboxHandle, account: &str, scopes: &[&str]) -> String {
    sb.issue_tokens(TokenRequest {
        platform: "instagram".into(),
        account_id: account.into(),
        client_id: Some(META_INSTAGRAM_APP_ID.into()),
        scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
    })
    .expect("tokens")
    .access_token
}

/// A Facebook-Login user token, minted through the control API.
pub fn fb_token_for(sb: &SandboxHandle, scopes: &[&str]) -> String {
    sb.issue_tokens(TokenRequest {
        platform: "instagram".into(),
        account_id: fb_user().into(),
        client_id: Some(META_FACEBOOK_APP_ID.into()),
        scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
    })
    .expect("tokens")
    .access_token
}

/// An Instagram-Login token of the first account with the publishing scopes.
pub fn ig_token(sb: &SandboxHandle) -> String {
    ig_token_for(sb, ig1(), INSTAGRAM_PUBLISH_SCOPES)
}

// ----- media --------------------------------------------------------------------------------

/// The real JPEG with its frame header rewritten to `w` x `h` (headers are all the
/// emulator reads).
pub fn jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut v = PHOTO.to_vec();
    assert_eq!(
        &v[PHOTO_SOF..PHOTO_SOF + 2],
        &[0xFF, 0xC0],
        "SOF0 where expected"
    );
    v[PHOTO_SOF + 5..PHOTO_SOF + 7].copy_from_slice(&h.to_be_bytes());
    v[PHOTO_SOF + 7..PHOTO_SOF + 9].copy_from_slice(&w.to_be_bytes());
    v
}

/// A PNG header of `w` x `h`.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    v
}

/// Bytes that start like an MP4, `len` long.
pub fn mp4(len: usize) -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypmp42".to_vec();
    let mut x: u32 = 7;
    while v.len() < len {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        v.push((x >> 16) as u8);
    }
    v.truncate(len);
    v
}

#[derive(Clone)]
struct Served {
    bytes: Arc<Vec<u8>>,
    content_type: String,
    delay_ms: u64,
    /// Answer `302 Found` to this location instead.
    redirect_to: Option<String>,
}

/// A tiny HTTP server on 127.0.0.1 serving files for `image_url` / `video_url`.
#[derive(Clone)]
pub struct MediaServer {
    pub base: String,
    files: Arc<Mutex<HashMap<String, Served>>>,
    hits: Arc<Mutex<HashMap<String, u32>>>,
}

impl MediaServer {
    pub fn serve(&self, path: &str, bytes: Vec<u8>, content_type: &str) -> String {
        self.serve_slow(path, bytes, content_type, 0)
    }

    pub fn serve_slow(
        &self,
        path: &str,
        bytes: Vec<u8>,
        content_type: &str,
        delay_ms: u64,
    ) -> String {
        self.files.lock().expect("lock").insert(
            path.to_string(),
            Served {
                bytes: Arc::new(bytes),
                content_type: content_type.to_string(),
                delay_ms,
                redirect_to: None,
            },
        );
        self.url(path)
    }

    /// Serves `path` as a `302 Found` to `location`.
    pub fn redirect(&self, path: &str, location: &str) -> String {
        self.files.lock().expect("lock").insert(
            path.to_string(),
            Served {
                bytes: Arc::new(Vec::new()),
                content_type: String::new(),
                delay_ms: 0,
                redirect_to: Some(location.to_string()),
            },
        );
        self.url(path)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many times `path` was requested.
    pub fn hits(&self, path: &str) -> u32 {
        self.hits
            .lock()
            .expect("lock")
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

/// The `host:port` of an `http://host:port/...` URL.
pub fn host_port(url: &str) -> String {
    let u = url::Url::parse(url).expect("absolute URL");
    format!(
        "{}:{}",
        u.host_str().expect("host"),
        u.port_or_known_default().expect("port")
    )
}

/// Adds the host of `url` (as `host:port`) to the `public_hosts` setting, so the
/// emulator fetches from it although it is on loopback.
pub fn allow_host(sb: &SandboxHandle, url: &str) {
    let current = sb.platform_settings("instagram").expect("settings");
    let mut hosts: Vec<Value> = current["public_hosts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    hosts.push(Value::String(host_port(url)));
    settings(sb, serde_json::json!({ "public_hosts": hosts }));
}

/// A media server on 127.0.0.1 that `sb` treats as public (listed in `public_hosts`).
pub async fn media_server(sb: &SandboxHandle) -> MediaServer {
    let m = private_media_server().await;
    allow_host(sb, &m.base);
    m
}

/// A media server on 127.0.0.1 that no sandbox lists: the emulator refuses its URLs
/// as Meta refuses media on a non-public address.
pub async fn private_media_server() -> MediaServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let files: Arc<Mutex<HashMap<String, Served>>> = Arc::default();
    let hits: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let (f, h) = (files.clone(), hits.clone());
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let (f, h) = (f.clone(), h.clone());
        async move {
            let path = uri.path().to_string();
            *h.lock().expect("lock").entry(path.clone()).or_default() += 1;
            let served = f.lock().expect("lock").get(&path).cloned();
            let Some(s) = served else {
                return (StatusCode::NOT_FOUND, "not found").into_response();
            };
            if s.delay_ms > 0 {
                tokio::time::sleep(Duration::from_millis(s.delay_ms)).await;
            }
            if let Some(to) = s.redirect_to {
                return (StatusCode::FOUND, [(header::LOCATION, to)]).into_response();
            }
            let r: Response = (
                [(header::CONTENT_TYPE, s.content_type.clone())],
                s.bytes.as_ref().clone(),
            )
                .into_response();
            r
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    MediaServer {
        base: format!("http://{addr}"),
        files,
        hits,
    }
}

/// A URL on a port nobody listens on, listed in `sb`'s `public_hosts` (so the
/// emulator really tries to connect).
pub async fn dead_url(sb: &SandboxHandle) -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    let url = format!("http://127.0.0.1:{port}/gone.jpg");
    allow_host(sb, &url);
    url
}

// ----- publishing -----------------------------------------------------------------------------

/// `POST /{ig}/media` on graph.instagram.com with form parameters.
pub async fn create(
    sb: &SandboxHandle,
    token: &str,
    ig: &str,
    params: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = params.to_vec();
    form.push(("access_token", token));
    http()
        .post(graph_ig(sb, &format!("/v23.0/{ig}/media")))
        .form(&form)
        .send()
        .await
        .expect("create container")
}

/// Creates a container and returns its id (asserting 200).
pub async fn create_ok(
    sb: &SandboxHandle,
    token: &str,
    ig: &str,
    params: &[(&str, &str)],
) -> String {
    let resp = create(sb, token, ig, params).await;
    let status = resp.status();
    let body = json(resp).await;
    assert_eq!(status, 200, "container created: {body}");
    body["id"].as_str().expect("id").to_string()
}

/// `GET /{container}?fields=status_code,status` on graph.instagram.com.
pub async fn status(sb: &SandboxHandle, token: &str, container: &str) -> Value {
    let resp = http()
        .get(graph_ig(sb, &format!("/v23.0/{container}")))
        .query(&[
            ("fields", "status_code,status,copyright_check_status"),
            ("access_token", token),
        ])
        .send()
        .await
        .expect("status");
    assert_eq!(resp.status(), 200);
    json(resp).await
}

/// Polls until the status is not `IN_PROGRESS`; returns every `status_code` seen.
pub async fn poll_done(sb: &SandboxHandle, token: &str, container: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..200 {
        let s = status(sb, token, container).await;
        let code = s["status_code"].as_str().unwrap_or_default().to_string();
        seen.push(code.clone());
        if code != "IN_PROGRESS" {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("container never left IN_PROGRESS: {seen:?}");
}

/// `POST /{ig}/media_publish?creation_id=` on graph.instagram.com.
pub async fn publish(
    sb: &SandboxHandle,
    token: &str,
    ig: &str,
    creation_id: &str,
) -> reqwest::Response {
    http()
        .post(graph_ig(sb, &format!("/v23.0/{ig}/media_publish")))
        .query(&[("creation_id", creation_id), ("access_token", token)])
        .send()
        .await
        .expect("publish")
}

/// Creates an image container from `url` and publishes it; returns the media id.
pub async fn post_image(
    sb: &SandboxHandle,
    token: &str,
    ig: &str,
    url: &str,
    caption: &str,
) -> String {
    let c = create_ok(sb, token, ig, &[("image_url", url), ("caption", caption)]).await;
    let resp = publish(sb, token, ig, &c).await;
    let status = resp.status();
    let body = json(resp).await;
    assert_eq!(status, 200, "published: {body}");
    body["id"].as_str().expect("media id").to_string()
}

pub fn settings(sb: &SandboxHandle, patch: Value) {
    sb.update_platform_settings("instagram", patch)
        .expect("settings accepted");
}
