//! Helpers of the LinkedIn client's tests against the sandbox's LinkedIn
//! emulator (real HTTP).
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use creatorflow_platforms::linkedin::{LinkedinClient, LinkedinEndpoints};
use creatorflow_platforms::{
    AccessToken, LinkedinOptions, MediaFile, NoopSink, Outcome, PlatformError, PlatformOptions,
    PublishRequest, Published, Publisher, RemoteAccount, TokenSource,
};
use creatorflow_sandbox::platforms::linkedin::{
    LINKEDIN_CLIENT_ID, LINKEDIN_MEMBER_CREATOR, LINKEDIN_PUBLISH_SCOPES, latest_version,
};
use creatorflow_sandbox::{
    ConsentMode, ReceivedPost, RequestRecord, Sandbox, SandboxConfig, SandboxHandle, TokenRequest,
    start,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[path = "../helpers/mod.rs"]
mod helpers;
#[allow(unused_imports)] // not every suite uses every shared helper
pub use helpers::{RecordingSink, fixture, sha256_hex};

pub const MEMBER: &str = LINKEDIN_MEMBER_CREATOR.0;
pub const MEMBER_NAME: &str = LINKEDIN_MEMBER_CREATOR.2;

/// A sandbox, a client pointed at it, a token source for the member and a
/// folder for media files.
pub struct Env {
    pub sb: SandboxHandle,
    pub client: LinkedinClient,
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
    let tokens = Tokens::new(&sb, MEMBER);
    Env {
        sb,
        client,
        tokens,
        dir: tempfile::tempdir().expect("tmp"),
    }
}

/// The newest `LinkedIn-Version` the emulator takes today.
pub fn version(sb: &Sandbox) -> String {
    latest_version(sb).expect("an active LinkedIn version")
}

/// The client under test: the emulator's newest version (so the suite does
/// not age with the calendar), short pauses.
pub fn client_for(sb: &Sandbox) -> LinkedinClient {
    LinkedinClient::new(LinkedinEndpoints::under(&sb.url("/linkedin")))
        .with_version(version(sb))
        .with_revoked_retry_pause(Duration::from_millis(20))
}

/// A token source over the sandbox, like the engine's: `token` hands out
/// the current token; `refresh` (after a 401) mints a new one through the
/// sandbox's control API and counts it.
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

    pub fn current(&self) -> AccessToken {
        self.current.lock().expect("lock").clone()
    }
}

pub fn mint(sb: &Sandbox, account: &str) -> AccessToken {
    let issued = sb
        .issue_tokens(TokenRequest {
            platform: "linkedin".into(),
            account_id: account.into(),
            client_id: Some(LINKEDIN_CLIENT_ID.into()),
            scopes: Some(
                LINKEDIN_PUBLISH_SCOPES
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
            ),
        })
        .expect("tokens");
    AccessToken::new(issued.access_token)
}

#[async_trait]
impl TokenSource for Tokens {
    async fn token(&self) -> Result<AccessToken, PlatformError> {
        Ok(self.current())
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
    sb.update_platform_settings("linkedin", patch)
        .expect("settings");
}

/// A text post for the member.
pub fn post(text: &str) -> PublishRequest {
    PublishRequest {
        account: RemoteAccount {
            id: MEMBER.to_owned(),
            username: MEMBER_NAME.to_owned(),
            scopes: vec![],
        },
        text: text.to_owned(),
        media: vec![],
        cover: None,
        options: PlatformOptions::Linkedin(LinkedinOptions::default()),
    }
}

/// Writes `bytes` to the env's folder and describes it as the engine would.
pub fn media(e: &Env, name: &str, bytes: &[u8], mime: &str) -> MediaFile {
    helpers::media_file(e.dir.path(), name, bytes, mime)
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

/// A small PDF-like file with `pages` page objects.
pub fn pdf_bytes(pages: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n".to_vec();
    v.extend_from_slice(b"2 0 obj << /Type /Pages /Count 0 >> endobj\n");
    for i in 0..pages {
        v.extend_from_slice(
            format!("{} 0 obj << /Type /Page /Parent 2 0 R >> endobj\n", i + 3).as_bytes(),
        );
    }
    v.extend_from_slice(b"%%EOF\n");
    v
}

/// The post of a publish that went out at once.
pub fn published(outcome: Outcome) -> Published {
    match outcome {
        Outcome::Published(p) => p,
        Outcome::Processing(p) => panic!("still processing: {}", p.stage),
    }
}

/// Publishes and then checks (as the engine does at `check_at`) until the
/// post is out; returns the outcome and how many checks it took.
pub async fn publish_through(
    e: &Env,
    post: &PublishRequest,
    cp: &mut Value,
) -> Result<(Published, usize), PlatformError> {
    let mut outcome = e.client.publish(&e.tokens, post, cp, &NoopSink).await?;
    let mut checks = 0;
    loop {
        match outcome {
            Outcome::Published(p) => return Ok((p, checks)),
            Outcome::Processing(p) => {
                assert!(checks < 10, "still processing after 10 checks: {}", p.stage);
                assert!(p.check_at > chrono::Utc::now(), "a check time ahead");
                checks += 1;
                outcome = e.client.check(&e.tokens, post, cp, &NoopSink).await?;
            }
        }
    }
}

pub fn received(sb: &Sandbox) -> Vec<ReceivedPost> {
    sb.received(Some("linkedin"))
}

pub fn requests(sb: &Sandbox) -> Vec<RequestRecord> {
    sb.requests(Some("linkedin"))
}

/// Requests with `method` whose path starts with `prefix`.
pub fn count(sb: &Sandbox, method: &str, prefix: &str) -> usize {
    requests(sb)
        .iter()
        .filter(|r| r.method == method && r.path.starts_with(prefix))
        .count()
}

/// A one-page web server on 127.0.0.1 for link previews: every request gets
/// `status` and `body` as `text/html`. Returns its address and a counter of
/// the requests it served.
pub async fn page_server(status: u16, body: &str) -> (url::Url, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let body = body.to_owned();
    tokio::spawn(async move {
        // Bounded: a test's page is read a handful of times.
        for _ in 0..32 {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    let url = url::Url::parse(&format!("http://{addr}/article/launch_(beta)")).expect("url");
    (url, served)
}
