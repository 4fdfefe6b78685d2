//! The real parts for the engine's integration tests: a SQLite file in a temp
//! dir, the OS keychain (a Secret Service in the D-Bus session; run under
//! scripts/desktop-session.sh), and the sandbox over HTTP on 127.0.0.1.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use creatorflow_engine::{
    Account, Clock, Engine, EngineConfig, Platforms, Post, PostInput, SaveIntent, SchedulerConfig,
    SchedulerHandle, TargetStatus, Vault,
};
use creatorflow_sandbox::platforms::x::X_PUBLIC_CLIENT_ID;
use creatorflow_sandbox::{ConsentMode, SandboxConfig, SandboxHandle};

/// A clock tests can move; starts at the real time.
pub struct TestClock(Mutex<Duration>);

impl TestClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(Duration::zero())))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock") += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().expect("clock")
    }
}

pub struct Harness {
    pub sandbox: SandboxHandle,
    pub engine: Engine,
    pub clock: Arc<TestClock>,
    pub dir: tempfile::TempDir,
    pub keychain_service: String,
    pub scheduler: Option<SchedulerHandle>,
}

pub fn fast_scheduler() -> SchedulerConfig {
    SchedulerConfig {
        base_backoff: Duration::milliseconds(200),
        max_backoff: Duration::seconds(1),
        ..SchedulerConfig::default()
    }
}

impl Harness {
    pub async fn new() -> Self {
        let sandbox = creatorflow_sandbox::start(SandboxConfig {
            consent: ConsentMode::Approve { account_id: None },
            ..SandboxConfig::default()
        })
        .await
        .expect("sandbox");
        let dir = tempfile::tempdir().expect("tempdir");
        let keychain_service = format!(
            "creatorflow-test-{}",
            creatorflow_engine::auth::random_token(10)
        );
        let clock = TestClock::new();
        let engine = open_engine(&dir, &sandbox, &keychain_service, clock.clone()).await;
        Self {
            sandbox,
            engine,
            clock,
            dir,
            keychain_service,
            scheduler: None,
        }
    }

    /// Reopens the engine on the same database and keychain (an app restart).
    pub async fn restart(&mut self) {
        if let Some(s) = self.scheduler.take() {
            s.stop().await;
        }
        self.engine.store().close().await;
        self.engine = open_engine(
            &self.dir,
            &self.sandbox,
            &self.keychain_service,
            self.clock.clone(),
        )
        .await;
    }

    pub async fn start_scheduler(&mut self) {
        self.scheduler = Some(
            self.engine
                .start_scheduler(fast_scheduler())
                .await
                .expect("scheduler"),
        );
    }

    /// Connects a sandbox X account the way the app does: the engine builds
    /// the authorize URL, the "browser" follows it (the sandbox approves at
    /// once), and the redirect comes back through the callback handler.
    pub async fn connect_x(&self, sandbox_account: &str) -> Account {
        self.sandbox.set_consent(ConsentMode::Approve {
            account_id: Some(sandbox_account.to_owned()),
        });
        let start = self
            .engine
            .connect(creatorflow_engine::Platform::X)
            .await
            .expect("start connect");
        let callback = follow_authorize(&start.authorize_url).await;
        self.engine
            .handle_callback(&callback)
            .await
            .expect("callback accepted")
    }

    pub async fn schedule(&self, text: &str, at: DateTime<Utc>, accounts: &[i64]) -> Post {
        self.engine
            .create_post(PostInput {
                text: text.to_owned(),
                scheduled_at: Some(at),
                zone: "Europe/Berlin".into(),
                intent: SaveIntent::Schedule,
                account_ids: accounts.to_vec(),
                media_ids: vec![],
                options: vec![],
            })
            .await
            .expect("schedule")
    }

    /// Waits until every target of `post` satisfies `done`.
    pub async fn wait_for(
        &self,
        post: i64,
        what: &str,
        done: impl Fn(TargetStatus) -> bool,
    ) -> Post {
        let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
        loop {
            let p = self.engine.post(post).await.expect("post");
            if !p.targets.is_empty() && p.targets.iter().all(|t| done(t.status)) {
                return p;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}: {:?}",
                p.targets
                    .iter()
                    .map(|t| (t.status, t.error.clone()))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
    }

    /// Every file of the data dir (database, WAL, logs) as bytes.
    pub fn data_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![self.dir.path().to_owned()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    out.push((path.display().to_string(), bytes));
                }
            }
        }
        out
    }

    /// Asserts that no token of `account` is in any file of the data dir.
    pub async fn assert_no_token_on_disk(&self, account: i64) {
        let tokens = self
            .engine
            .vault()
            .tokens(account)
            .await
            .expect("keychain")
            .expect("tokens in the keychain");
        let mut secrets = vec![tokens.access_token.clone()];
        secrets.extend(tokens.refresh_token.clone());
        for (path, bytes) in self.data_files() {
            for s in &secrets {
                assert!(
                    !contains(&bytes, s.as_bytes()),
                    "a token was written to {path}"
                );
            }
        }
    }

    pub async fn cleanup(mut self) {
        if let Some(s) = self.scheduler.take() {
            s.stop().await;
        }
        // Leave the test keychain as we found it.
        for account in self.engine.accounts().await.unwrap_or_default() {
            let _ = self.engine.vault().delete_tokens(account.id).await;
        }
    }
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

async fn open_engine(
    dir: &tempfile::TempDir,
    sandbox: &SandboxHandle,
    service: &str,
    clock: Arc<TestClock>,
) -> Engine {
    Engine::open(
        EngineConfig::new(dir.path())
            .clock(clock)
            .vault(Vault::keychain(service))
            .platforms(Platforms::sandbox(&sandbox.base_url(), X_PUBLIC_CLIENT_ID)),
    )
    .await
    .expect("engine")
}

/// Plays the browser: GET the authorize URL, return where it redirects.
pub async fn follow_authorize(url: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let resp = client.get(url).send().await.expect("authorize");
    assert!(
        resp.status().is_redirection(),
        "authorize answered {}",
        resp.status()
    );
    resp.headers()
        .get("location")
        .expect("location")
        .to_str()
        .expect("ascii")
        .to_owned()
}

/// A real PNG of `w`×`h` pixels.
pub fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    // Uncompressed deflate blocks: valid PNG without an encoder dependency.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn adler(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &d in data {
            a = (a + d as u32) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend(crc32(&c).to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            raw.extend([
                (x as u8).wrapping_add(seed),
                (y as u8).wrapping_mul(3),
                seed,
            ]);
        }
    }
    let mut z = vec![0x78, 0x01];
    for (i, block) in raw.chunks(65535).enumerate() {
        let last = (i + 1) * 65535 >= raw.len();
        z.push(last as u8);
        z.extend((block.len() as u16).to_le_bytes());
        z.extend((!(block.len() as u16)).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend(adler(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}
