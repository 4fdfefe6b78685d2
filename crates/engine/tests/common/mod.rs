//! The real parts for the engine's integration tests: a SQLite file in a temp
//! dir, the OS keychain (a Secret Service in the D-Bus session; run under
//! scripts/desktop-session.sh), and the sandbox over HTTP on 127.0.0.1.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use creatorflow_engine::MediaRef;
use creatorflow_engine::{
    Account, Clock, Engine, EngineConfig, Platforms, Post, PostInput, SaveIntent, SchedulerConfig,
    SchedulerHandle, TargetStatus, Vault,
};
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
    /// Changes to the sandbox platforms (e.g. a smaller upload chunk).
    pub customize: fn(Platforms, &SandboxHandle) -> Platforms,
}

fn as_is(p: Platforms, _: &SandboxHandle) -> Platforms {
    p
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
        Self::with_platforms(as_is).await
    }

    /// A harness whose sandbox platforms go through `customize` first.
    pub async fn with_platforms(customize: fn(Platforms, &SandboxHandle) -> Platforms) -> Self {
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
        let engine = open_engine(&dir, &sandbox, &keychain_service, clock.clone(), customize).await;
        Self {
            sandbox,
            engine,
            clock,
            dir,
            keychain_service,
            scheduler: None,
            customize,
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
            self.customize,
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

    /// Connects a sandbox YouTube channel the way the app does: the engine
    /// binds a one-shot loopback listener on a free port and builds the
    /// authorize URL; the "browser" follows it (the sandbox approves at once)
    /// and is sent to the listener, which hands the code to the engine.
    pub async fn connect_youtube(&self, channel: &str) -> Account {
        self.sandbox.set_consent(ConsentMode::Approve {
            account_id: Some(channel.to_owned()),
        });
        let start = self
            .engine
            .connect(creatorflow_engine::Platform::Youtube)
            .await
            .expect("start connect");
        let back = follow_authorize(&start.authorize_url).await;
        assert!(
            back.starts_with(&start.redirect_uri),
            "{back} is not {}",
            start.redirect_uri
        );
        let page = reqwest::get(&back).await.expect("the listener answers");
        assert_eq!(page.status(), 200);
        let accounts = self.engine.accounts().await.expect("accounts");
        accounts
            .into_iter()
            .find(|a| {
                a.platform == creatorflow_engine::Platform::Youtube && a.platform_user_id == channel
            })
            .expect("the channel is connected")
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
                alt_texts: vec![],
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

    /// Changes a sandbox network's settings (`POST /_sandbox/settings/<network>`).
    pub fn platform_settings(&self, platform: &str, patch: serde_json::Value) {
        self.sandbox
            .update_platform_settings(platform, patch)
            .expect("sandbox settings");
    }

    /// Moves both clocks on, the engine's (checks come due) and the
    /// sandbox's (networks finish processing, windows move), and wakes the
    /// scheduler.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
        self.sandbox.advance_clock(by.num_seconds());
        self.engine.wake_scheduler();
    }

    /// Advances both clocks by `step` until `post`'s first target satisfies
    /// `done` (at most 20 s of real time).
    pub async fn advance_until(
        &self,
        post: i64,
        step: Duration,
        what: &str,
        done: impl Fn(&creatorflow_engine::Target) -> bool,
    ) -> Post {
        let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
        loop {
            self.advance(step);
            let p = self.engine.post(post).await.expect("post");
            if p.targets.first().is_some_and(&done) {
                return p;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}: {:?}",
                p.targets.first()
            );
            tokio::time::sleep(StdDuration::from_millis(100)).await;
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
    customize: fn(Platforms, &SandboxHandle) -> Platforms,
) -> Engine {
    Engine::open(
        EngineConfig::new(dir.path())
            .clock(clock)
            .vault(Vault::keychain(service))
            .platforms(customize(sandbox_platforms(sandbox), sandbox)),
    )
    .await
    .expect("engine")
}

/// Every client pointed at `sandbox`, with its demo apps, as the app's
/// sandbox mode sets them up.
pub fn sandbox_platforms(sandbox: &SandboxHandle) -> Platforms {
    creatorflow_sandbox::demo_clients()
        .into_iter()
        .fold(Platforms::sandbox(&sandbox.base_url()), |p, c| {
            p.with_demo_client(c.platform, c.client_id, c.client_secret, c.product)
        })
}

/// Attaches a file the way the app does: from a path on disk (here a file
/// written in `dir` first, named as the creator named it).
pub async fn import(engine: &Engine, dir: &std::path::Path, name: &str, bytes: &[u8]) -> MediaRef {
    let folder = dir.join(format!(
        "picked-{}",
        creatorflow_engine::auth::random_token(6)
    ));
    std::fs::create_dir_all(&folder).expect("dir");
    let path = folder.join(name);
    std::fs::write(&path, bytes).expect("write the picked file");
    engine.import_media_file(&path).await.expect("import")
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

/// A playable-looking MP4 (an H.264 track of `seconds` one-second samples of
/// `sample_bytes` each, `moov` after `mdat` as cameras write it), written
/// with the `mp4` crate: the emulators never decode it.
pub fn mp4_video(width: u16, height: u16, seconds: u32, sample_bytes: usize) -> Vec<u8> {
    use mp4::{AvcConfig, MediaConfig, Mp4Config, Mp4Sample, Mp4Writer, TrackConfig, TrackType};
    let mut out = std::io::Cursor::new(Vec::new());
    let config = Mp4Config {
        major_brand: str::parse("isom").expect("brand"),
        minor_version: 512,
        compatible_brands: vec![
            str::parse("isom").expect("brand"),
            str::parse("avc1").expect("brand"),
            str::parse("mp41").expect("brand"),
        ],
        timescale: 1000,
    };
    let mut writer = Mp4Writer::write_start(&mut out, &config).expect("start");
    writer
        .add_track(&TrackConfig {
            track_type: TrackType::Video,
            timescale: 1000,
            language: "und".into(),
            media_conf: MediaConfig::AvcConfig(AvcConfig {
                width,
                height,
                seq_param_set: vec![0x67, 0x42, 0xC0, 0x1E, 0xDA, 0x02, 0x80, 0xBF, 0xE5, 0x84],
                pic_param_set: vec![0x68, 0xCE, 0x3C, 0x80],
            }),
        })
        .expect("track");
    let mut seed = 0x9E37_79B9_u32;
    for i in 0..seconds {
        let bytes: Vec<u8> = (0..sample_bytes)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect();
        writer
            .write_sample(
                1,
                &Mp4Sample {
                    start_time: u64::from(i) * 1000,
                    duration: 1000,
                    rendering_offset: 0,
                    is_sync: true,
                    bytes: bytes.into(),
                },
            )
            .expect("sample");
    }
    writer.write_end().expect("end");
    out.into_inner()
}
