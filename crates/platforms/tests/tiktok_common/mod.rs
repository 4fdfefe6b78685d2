//! Helpers of the TikTok client's tests against the sandbox's TikTok
//! emulator (real HTTP).
#![allow(dead_code)]

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use creatorflow_platforms::tiktok::{TiktokClient, TiktokEndpoints};
use creatorflow_platforms::{
    AccessToken, MediaFile, Outcome, PlatformError, PlatformOptions, PublishRequest, Publisher,
    RemoteAccount, TiktokOptions, TokenSource,
};
use creatorflow_sandbox::platforms::tiktok::{
    TIKTOK_ACCOUNT_PRIVATE, TIKTOK_ACCOUNT_PUBLIC, TIKTOK_CLIENT_KEY, TIKTOK_SCOPES,
};
use creatorflow_sandbox::{
    ConsentMode, ReceivedPost, RequestRecord, Sandbox, SandboxConfig, SandboxHandle, TokenRequest,
    start,
};
use serde_json::Value;

#[path = "../helpers/mod.rs"]
mod helpers;
#[allow(unused_imports)] // not every suite uses every shared helper
pub use helpers::{RecordingSink, sha256_hex};

/// The private demo creator (posts "Only me" through an unaudited app).
pub const PRIVATE: (&str, &str) = (TIKTOK_ACCOUNT_PRIVATE.0, TIKTOK_ACCOUNT_PRIVATE.1);
/// The public demo creator.
pub const PUBLIC: (&str, &str) = (TIKTOK_ACCOUNT_PUBLIC.0, TIKTOK_ACCOUNT_PUBLIC.1);
/// TikTok's smallest chunk but the last: the tests cut files in 5 MB chunks.
pub const CHUNK: u64 = 5_000_000;
pub const UPLOAD_PATH: &str = "/tiktok/upload/video/";
pub const INIT_PATH: &str = "/tiktok/v2/post/publish/video/init/";

pub struct Env {
    pub sb: SandboxHandle,
    pub client: TiktokClient,
    pub dir: tempfile::TempDir,
}

pub async fn env() -> Env {
    let sb = start(SandboxConfig {
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let client =
        TiktokClient::new(TiktokEndpoints::under(&sb.url("/tiktok"))).with_chunk_size(CHUNK);
    Env {
        sb,
        client,
        dir: tempfile::tempdir().expect("tmp"),
    }
}

/// The usual case: an unaudited app (TikTok's default) and the private
/// creator, the only one it may post for.
pub async fn unaudited_private() -> (Env, Tokens) {
    let e = env().await;
    set(&e.sb, serde_json::json!({"audited": false}));
    let tokens = Tokens::new(&e.sb, PRIVATE.0);
    (e, tokens)
}

/// A token source like the engine's: renews through the sandbox after a 401.
pub struct Tokens {
    sb: Sandbox,
    account: String,
    current: Mutex<AccessToken>,
    refreshes: AtomicUsize,
}

impl Tokens {
    pub fn new(sb: &Sandbox, account: &str) -> Self {
        Self {
            sb: sb.clone(),
            account: account.to_owned(),
            current: Mutex::new(mint(sb, account)),
            refreshes: AtomicUsize::new(0),
        }
    }

    pub fn refreshes(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }
}

fn mint(sb: &Sandbox, account: &str) -> AccessToken {
    let issued = sb
        .issue_tokens(TokenRequest {
            platform: "tiktok".into(),
            account_id: account.into(),
            client_id: Some(TIKTOK_CLIENT_KEY.into()),
            scopes: Some(TIKTOK_SCOPES.iter().map(|s| (*s).to_owned()).collect()),
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
            *current = mint(&self.sb, &self.account);
        }
        Ok(current.clone())
    }
}

pub fn set(sb: &Sandbox, patch: Value) {
    sb.update_platform_settings("tiktok", patch)
        .expect("settings");
}

/// Deterministic bytes that start like an MP4.
pub fn mp4_bytes(len: usize) -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypmp42".to_vec();
    v.resize(len.max(12), 0);
    for (i, b) in v.iter_mut().enumerate().skip(12) {
        *b = (i % 251) as u8;
    }
    v.truncate(len);
    v
}

pub fn media_file(dir: &Path, name: &str, bytes: &[u8], seconds: u64) -> MediaFile {
    MediaFile {
        width: Some(1080),
        height: Some(1920),
        duration_ms: Some(seconds * 1000),
        codec: Some("avc1".into()),
        ..helpers::media_file(dir, name, bytes, "video/mp4")
    }
}

pub fn picked(level: &str) -> TiktokOptions {
    TiktokOptions {
        privacy_level: Some(level.to_owned()),
        allow_comments: true,
        allow_duet: true,
        allow_stitch: true,
        ..TiktokOptions::default()
    }
}

/// A video post of `len` bytes (playing `seconds`) for `account`.
pub fn video_post(
    e: &Env,
    account: (&str, &str),
    len: usize,
    seconds: u64,
    options: TiktokOptions,
) -> (PublishRequest, Vec<u8>) {
    let bytes = mp4_bytes(len);
    let file = media_file(e.dir.path(), &format!("clip-{len}.mp4"), &bytes, seconds);
    (
        PublishRequest {
            account: RemoteAccount {
                id: account.0.to_owned(),
                username: account.1.to_owned(),
                scopes: vec![],
            },
            text: "Behind the scenes #tiktok @friend (with [brackets])".to_owned(),
            media: vec![file],
            cover: None,
            options: PlatformOptions::Tiktok(options),
        },
        bytes,
    )
}

pub fn received(sb: &Sandbox) -> Vec<ReceivedPost> {
    sb.received(Some("tiktok"))
}

pub fn requests(sb: &Sandbox) -> Vec<RequestRecord> {
    sb.requests(Some("tiktok"))
}

pub fn count(sb: &Sandbox, method: &str, path: &str) -> usize {
    requests(sb)
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// Follows `check` until TikTok says how it ended (at most 20 checks).
pub async fn check_until_done(
    client: &TiktokClient,
    tokens: &dyn TokenSource,
    post: &PublishRequest,
    cp: &mut Value,
) -> Result<creatorflow_platforms::Published, PlatformError> {
    for _ in 0..20 {
        match client
            .check(tokens, post, cp, &creatorflow_platforms::NoopSink)
            .await?
        {
            Outcome::Published(p) => return Ok(p),
            Outcome::Processing(_) => {}
        }
    }
    panic!("TikTok was still processing after 20 checks");
}

/// A sink whose save fails once TikTok acknowledged `n` chunks: the app
/// "dies" there, the saved checkpoint says how far it got.
pub fn crash_after_chunk(n: u64) -> RecordingSink {
    RecordingSink::with_hook(move |cp| {
        if cp["upload"]["acked"] == n {
            Err("killed".into())
        } else {
            Ok(())
        }
    })
}

/// A sink that has the sandbox cut the connection once, after TikTok took
/// chunk `index` (0-based) and before its answer arrives.
pub fn lose_answer_to_chunk(sb: &Sandbox, index: u64) -> RecordingSink {
    let sb = sb.clone();
    let armed = std::sync::atomic::AtomicBool::new(true);
    RecordingSink::with_hook(move |cp| {
        if cp["upload"]["sending"] == index && armed.swap(false, Ordering::SeqCst) {
            sb.inject_fault(creatorflow_sandbox::FaultSpec::new(
                Some("PUT"),
                UPLOAD_PATH,
                creatorflow_sandbox::Fault::ResetMidBody,
            ))
            .map(|_| ())
            .map_err(|e| e.to_string())
        } else {
            Ok(())
        }
    })
}

/// Publishes `post` from a fresh start, keeping no checkpoint.
pub async fn publish_new(
    e: &Env,
    tokens: &dyn TokenSource,
    post: &PublishRequest,
) -> Result<Outcome, PlatformError> {
    e.client
        .publish(tokens, post, &mut Value::Null, &RecordingSink::new())
        .await
}
