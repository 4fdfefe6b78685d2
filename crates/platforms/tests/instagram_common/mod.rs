//! Helpers of the Instagram client's tests against the sandbox's Meta
//! emulator (real HTTP): both sign-in products, a media host that serves
//! the files Meta fetches over HTTP (the emulator treats it as public only
//! because the tests list it in `public_hosts`), posts of every kind.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use creatorflow_platforms::instagram::{InstagramClient, InstagramEndpoints};
use creatorflow_platforms::{
    AccessToken, HostedMedia, InstagramKind, InstagramOptions, MediaFile, Outcome, PlatformError,
    PlatformOptions, PublishRequest, PublishSink, Publisher, RemoteAccount, TokenSource,
};
use creatorflow_sandbox::platforms::meta::{
    FACEBOOK_PUBLISH_SCOPES, INSTAGRAM_PUBLISH_SCOPES, META_FACEBOOK_APP_ID, META_FACEBOOK_USER,
    META_IG_ACCOUNT_CREATOR, META_IG_ACCOUNT_STUDIO, META_INSTAGRAM_APP_ID,
};
use creatorflow_sandbox::{
    ConsentMode, ReceivedPost, RequestRecord, Sandbox, SandboxConfig, SandboxHandle, TokenRequest,
    start,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[path = "../helpers/mod.rs"]
mod helpers;
#[allow(unused_imports)]
pub use helpers::{fixture, media_file, sha256_hex};

pub const CREATOR: (&str, &str) = (META_IG_ACCOUNT_CREATOR.0, META_IG_ACCOUNT_CREATOR.1);
pub const STUDIO: (&str, &str) = (META_IG_ACCOUNT_STUDIO.0, META_IG_ACCOUNT_STUDIO.1);

pub struct Env {
    pub sb: SandboxHandle,
    pub client: InstagramClient,
    pub dir: tempfile::TempDir,
}

pub async fn env() -> Env {
    let sb = start(SandboxConfig {
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let client = InstagramClient::new(InstagramEndpoints::under(&sb.url("/meta")));
    Env {
        sb,
        client,
        dir: tempfile::tempdir().expect("tmp"),
    }
}

pub fn set(sb: &SandboxHandle, patch: Value) {
    sb.update_platform_settings("instagram", patch)
        .expect("settings");
}

/// The product a token source stands for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Product {
    Instagram,
    Facebook,
}

impl Product {
    pub fn scopes(self) -> Vec<String> {
        let list = match self {
            Self::Instagram => INSTAGRAM_PUBLISH_SCOPES,
            Self::Facebook => FACEBOOK_PUBLISH_SCOPES,
        };
        list.iter().map(|s| (*s).to_owned()).collect()
    }
}

/// A token source like the engine's: mints through the control API and
/// renews after a 401.
pub struct Tokens {
    sb: Sandbox,
    product: Product,
    account: String,
    current: Mutex<AccessToken>,
    refreshes: AtomicUsize,
}

impl Tokens {
    pub fn new(sb: &Sandbox, product: Product, ig_account: &str) -> Self {
        let account = match product {
            Product::Instagram => ig_account.to_owned(),
            Product::Facebook => META_FACEBOOK_USER.0.to_owned(),
        };
        Self {
            sb: sb.clone(),
            product,
            current: Mutex::new(mint(sb, product, &account)),
            account,
            refreshes: AtomicUsize::new(0),
        }
    }

    pub fn refreshes(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }
}

fn mint(sb: &Sandbox, product: Product, account: &str) -> AccessToken {
    let client = match product {
        Product::Instagram => META_INSTAGRAM_APP_ID,
        Product::Facebook => META_FACEBOOK_APP_ID,
    };
    let issued = sb
        .issue_tokens(TokenRequest {
            platform: "instagram".into(),
            account_id: account.into(),
            client_id: Some(client.into()),
            scopes: Some(product.scopes()),
        })
        .expect("tokens");
    AccessToken::new(issued.access_token)
}

#[async_trait]
impl TokenSource for Tokens {
    async fn token(&self) -> Result<AccessToken, PlatformError> {
        Ok(self.current.lock().expect("lock").clone())
    }

    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, PlatformError> {
        let mut current = self.current.lock().expect("lock");
        if *current == *rejected {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            *current = mint(&self.sb, self.product, &self.account);
        }
        Ok(current.clone())
    }
}

/// A media host for the tests: a tiny HTTP server on 127.0.0.1 that serves
/// each hosted file under an unguessable path; the emulator fetches from it
/// only because the tests list it in `public_hosts`.
/// What the test host serves: path → (bytes, content type).
type Served = Arc<Mutex<HashMap<String, (Vec<u8>, String)>>>;

#[derive(Clone)]
pub struct TestHost {
    pub base: String,
    files: Served,
    pub hosted: Arc<Mutex<Vec<String>>>,
}

impl TestHost {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let files: Served = Arc::default();
        let served = files.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let served = served.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let n = conn.read(&mut buf).await.unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]).to_string();
                    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let found = served.lock().expect("lock").get(&path).cloned();
                    let reply = match found {
                        Some((bytes, mime)) => {
                            let mut r = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                bytes.len()
                            )
                            .into_bytes();
                            r.extend_from_slice(&bytes);
                            r
                        }
                        None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec(),
                    };
                    let _ = conn.write_all(&reply).await;
                    let _ = conn.shutdown().await;
                });
            }
        });
        Self {
            base,
            files,
            hosted: Arc::default(),
        }
    }

    /// `host:port`, for the emulator's `public_hosts`.
    pub fn host(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    fn put(&self, file: &MediaFile) -> String {
        let bytes = std::fs::read(&file.path).expect("media file");
        let path = format!(
            "/m/{}-{}",
            &file.sha256[..12.min(file.sha256.len())],
            self.files.lock().expect("lock").len()
        );
        self.files
            .lock()
            .expect("lock")
            .insert(path.clone(), (bytes, file.mime.clone()));
        self.hosted.lock().expect("lock").push(path.clone());
        format!("{}{path}", self.base)
    }
}

/// What the engine would be: checkpoints and progress recorded, media put
/// on `host` when there is one.
pub struct Sink {
    pub host: Option<TestHost>,
    pub checkpoints: Mutex<Vec<Value>>,
    pub progress: Mutex<Vec<(u64, u64)>>,
}

impl Sink {
    pub fn new(host: Option<TestHost>) -> Self {
        Self {
            host,
            checkpoints: Mutex::default(),
            progress: Mutex::default(),
        }
    }

    pub fn hosted(&self) -> usize {
        self.host
            .as_ref()
            .map(|h| h.hosted.lock().expect("lock").len())
            .unwrap_or(0)
    }
}

#[async_trait]
impl PublishSink for Sink {
    async fn checkpoint(&self, checkpoint: &Value) -> Result<(), String> {
        self.checkpoints
            .lock()
            .expect("lock")
            .push(checkpoint.clone());
        Ok(())
    }

    fn progress(&self, sent: u64, total: u64) {
        self.progress.lock().expect("lock").push((sent, total));
    }

    fn has_media_host(&self) -> bool {
        self.host.is_some()
    }

    async fn host_media(&self, file: &MediaFile) -> Result<HostedMedia, PlatformError> {
        match &self.host {
            Some(h) => Ok(HostedMedia {
                url: h.put(file),
                expires_at: None,
            }),
            None => Err(PlatformError::new(
                creatorflow_platforms::ErrorKind::Rejected,
                "no_media_host",
                "no host",
            )),
        }
    }
}

/// A public media host for `sb`.
pub async fn public_host(sb: &SandboxHandle) -> TestHost {
    let h = TestHost::start().await;
    set(sb, serde_json::json!({ "public_hosts": [h.host()] }));
    h
}

/// The usual setup: the sandbox, a media host it treats as public, a
/// token source for `account` on `product`, and a sink with that host.
pub async fn hosted(product: Product, account: (&str, &str)) -> (Env, Tokens, Sink) {
    let e = env().await;
    let host = public_host(&e.sb).await;
    let tokens = Tokens::new(&e.sb, product, account.0);
    (e, tokens, Sink::new(Some(host)))
}

/// A real JPEG of 40×50 (4:5), described as the engine would.
pub fn photo(dir: &Path, name: &str) -> MediaFile {
    MediaFile {
        width: Some(40),
        height: Some(50),
        ..helpers::media_file(dir, name, &fixture("meta-photo-40x50.jpg"), "image/jpeg")
    }
}

/// Bytes that start like an MP4, `len` long, playing `seconds`.
pub fn video(dir: &Path, name: &str, len: usize, seconds: u64) -> MediaFile {
    let mut v = b"\0\0\0\x18ftypmp42".to_vec();
    v.resize(len.max(12), 0);
    for (i, b) in v.iter_mut().enumerate().skip(12) {
        *b = (i % 251) as u8;
    }
    MediaFile {
        width: Some(1080),
        height: Some(1920),
        duration_ms: Some(seconds * 1000),
        codec: Some("avc1".into()),
        ..helpers::media_file(dir, name, &v, "video/mp4")
    }
}

pub fn post(
    product: Product,
    account: (&str, &str),
    kind: InstagramKind,
    media: Vec<MediaFile>,
    text: &str,
) -> PublishRequest {
    PublishRequest {
        account: RemoteAccount {
            id: account.0.to_owned(),
            username: account.1.to_owned(),
            scopes: product.scopes(),
        },
        text: text.to_owned(),
        media,
        cover: None,
        options: PlatformOptions::Instagram(InstagramOptions {
            kind,
            ..InstagramOptions::default()
        }),
    }
}

pub fn received(sb: &SandboxHandle) -> Vec<ReceivedPost> {
    sb.received(Some("instagram"))
}

pub fn requests(sb: &SandboxHandle) -> Vec<RequestRecord> {
    sb.requests(Some("instagram"))
}

pub fn count(sb: &SandboxHandle, method: &str, path_end: &str) -> usize {
    requests(sb)
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(path_end))
        .count()
}

/// Publishes and follows `check` until Instagram says how it ended (the
/// emulator's clock moves on between checks).
pub async fn publish_to_end(
    client: &InstagramClient,
    sb: &SandboxHandle,
    tokens: &dyn TokenSource,
    post: &PublishRequest,
    checkpoint: &mut Value,
    sink: &Sink,
) -> Result<Outcome, PlatformError> {
    let mut outcome = client.publish(tokens, post, checkpoint, sink).await?;
    for _ in 0..20 {
        match outcome {
            Outcome::Processing(_) => {
                sb.advance_clock(15);
                outcome = client.check(tokens, post, checkpoint, sink).await?;
            }
            done => return Ok(done),
        }
    }
    Ok(outcome)
}
