//! Helpers of the YouTube client's tests against the sandbox's YouTube
//! emulator (real HTTP).
#![allow(dead_code)]

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use creatorflow_platforms::youtube::{CHUNK_GRANULARITY, YoutubeClient, YoutubeEndpoints};
use creatorflow_platforms::{
    AccessToken, MediaFile, PlatformError, PlatformOptions, PublishRequest, RemoteAccount,
    TokenSource, YoutubeOptions,
};
use creatorflow_sandbox::platforms::youtube::{
    YOUTUBE_CHANNEL_CREATOR, YOUTUBE_DEFAULT_SCOPES, YOUTUBE_DESKTOP_CLIENT_ID,
};
use creatorflow_sandbox::{
    ConsentMode, ReceivedPost, RequestRecord, Sandbox, SandboxConfig, SandboxHandle, TokenRequest,
    start,
};
use serde_json::Value;

#[path = "../helpers/mod.rs"]
mod helpers;
#[allow(unused_imports)] // not every suite uses every shared helper
pub use helpers::{RecordingSink, fixture, sha256_hex};

pub const CHANNEL: &str = YOUTUBE_CHANNEL_CREATOR.0;
pub const HANDLE: &str = YOUTUBE_CHANNEL_CREATOR.1;
/// The chunk size of the tests: 256 KiB, the smallest YouTube takes.
pub const CHUNK: u64 = CHUNK_GRANULARITY;
pub const UPLOAD_PATH: &str = "/youtube/upload/youtube/v3/videos";

/// A sandbox, a client pointed at it and a token source for the creator.
pub struct Env {
    pub sb: SandboxHandle,
    pub client: YoutubeClient,
    pub tokens: Tokens,
    pub dir: tempfile::TempDir,
}

pub async fn env() -> Env {
    let sb = start(SandboxConfig {
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let client = client_for(&sb);
    let tokens = Tokens::new(&sb, CHANNEL, None);
    Env {
        sb,
        client,
        tokens,
        dir: tempfile::tempdir().expect("tmp"),
    }
}

/// The client under test: 256 KiB chunks, short pauses between tries.
pub fn client_for(sb: &Sandbox) -> YoutubeClient {
    YoutubeClient::new(YoutubeEndpoints::under(&sb.url("/youtube")))
        .with_chunk_size(CHUNK)
        .with_retry_delay(Duration::from_millis(20))
}

/// A token source over the sandbox, like the engine's: `token` hands out
/// the current token; `refresh` (after a 401) mints a new one through the
/// sandbox's control API and counts it.
pub struct Tokens {
    sb: Sandbox,
    account: String,
    scopes: Vec<String>,
    current: Mutex<AccessToken>,
    refreshes: AtomicUsize,
    asked: AtomicUsize,
}

impl Tokens {
    pub fn new(sb: &Sandbox, account: &str, scopes: Option<&[&str]>) -> Self {
        let scopes: Vec<String> = scopes
            .unwrap_or(YOUTUBE_DEFAULT_SCOPES)
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let first = mint(sb, account, &scopes);
        Self {
            sb: sb.clone(),
            account: account.to_owned(),
            scopes,
            current: Mutex::new(first),
            refreshes: AtomicUsize::new(0),
            asked: AtomicUsize::new(0),
        }
    }

    /// How often the client asked for a renewed token.
    pub fn refreshes(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// How often the client asked for a token.
    pub fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }

    pub fn current(&self) -> AccessToken {
        self.current.lock().expect("lock").clone()
    }
}

fn mint(sb: &Sandbox, account: &str, scopes: &[String]) -> AccessToken {
    let issued = sb
        .issue_tokens(TokenRequest {
            platform: "youtube".into(),
            account_id: account.into(),
            client_id: Some(YOUTUBE_DESKTOP_CLIENT_ID.into()),
            scopes: Some(scopes.to_vec()),
        })
        .expect("tokens");
    AccessToken::new(issued.access_token)
}

#[async_trait]
impl TokenSource for Tokens {
    async fn token(&self) -> Result<AccessToken, PlatformError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Ok(self.current())
    }

    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, PlatformError> {
        let mut current = self.current.lock().expect("lock");
        if *current == *rejected {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            *current = mint(&self.sb, &self.account, &self.scopes);
        }
        Ok(current.clone())
    }
}

pub fn set(sb: &Sandbox, patch: Value) {
    sb.update_platform_settings("youtube", patch)
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

/// Writes `bytes` to `dir/name` and describes it as the engine would, as
/// a probed 12-second 1280×720 H.264 video.
pub fn media_file(dir: &Path, name: &str, bytes: &[u8], mime: &str) -> MediaFile {
    MediaFile {
        width: Some(1280),
        height: Some(720),
        duration_ms: Some(12_000),
        codec: Some("avc1".into()),
        alt_text: None,
        ..helpers::media_file(dir, name, bytes, mime)
    }
}

pub fn options(title: &str) -> YoutubeOptions {
    YoutubeOptions {
        title: title.to_owned(),
        made_for_kids: Some(false),
        ..YoutubeOptions::default()
    }
}

/// A video post for the creator's channel.
pub fn post(video: MediaFile, o: YoutubeOptions) -> PublishRequest {
    PublishRequest {
        account: RemoteAccount {
            id: CHANNEL.to_owned(),
            username: HANDLE.to_owned(),
            scopes: vec![],
        },
        text: "A video from CreatorFlow".to_owned(),
        media: vec![video],
        cover: None,
        options: PlatformOptions::Youtube(o),
    }
}

/// A post with a video of `len` bytes written to the env's folder.
pub fn video_post(e: &Env, len: usize, title: &str) -> (PublishRequest, Vec<u8>) {
    let bytes = mp4_bytes(len);
    let file = media_file(e.dir.path(), &format!("{title}.mp4"), &bytes, "video/mp4");
    (post(file, options(title)), bytes)
}

pub fn received(sb: &Sandbox) -> Vec<ReceivedPost> {
    sb.received(Some("youtube"))
}

pub fn requests(sb: &Sandbox) -> Vec<RequestRecord> {
    sb.requests(Some("youtube"))
}

pub fn count(sb: &Sandbox, method: &str, path: &str) -> usize {
    requests(sb)
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// Upload sessions the emulator opened, and the body bytes all their PUTs
/// carried (kept or not).
pub fn sessions(sb: &Sandbox) -> (usize, u64) {
    sb.read_state(|st| {
        (
            st.youtube.sessions.len(),
            st.youtube.sessions.values().map(|s| s.bytes_seen).sum(),
        )
    })
}

/// PUTs to the upload session that an injected fault answered (their
/// bodies never reached the session, so `sessions` does not count them).
pub fn faulted_puts(sb: &Sandbox) -> usize {
    requests(sb)
        .iter()
        .filter(|r| r.method == "PUT" && r.path == UPLOAD_PATH && r.fault.is_some())
        .count()
}

/// A hook that runs `action` once, when a checkpoint first says YouTube has
/// at least `bytes` of the video.
pub fn once_committed(
    bytes: u64,
    action: impl FnOnce() + Send + 'static,
) -> impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static {
    let armed = Mutex::new(Some(action));
    move |cp: &Value| {
        let committed = cp["upload"]["committed"].as_u64().unwrap_or(0);
        if committed >= bytes
            && let Some(a) = armed.lock().expect("lock").take()
        {
            a();
        }
        Ok(())
    }
}

/// The `committed` byte count of a checkpoint's session.
pub fn committed(cp: &Value) -> Option<u64> {
    cp["upload"]["committed"].as_u64()
}
