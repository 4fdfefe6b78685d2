//! The crash-and-fault soak: CreatorFlow's promise ("a post that is due goes
//! out, once, or you are told why") for the whole app, killed at random
//! moments while the networks fail.
//!
//! - The sandbox runs as its own process (`creatorflow-sandbox`, with its
//!   state file), so it outlives the app and keeps its record of what it
//!   received.
//! - Accounts on each network with a client (two each on X, LinkedIn, YouTube
//!   and TikTok) are connected through the engine's own sign-in flow, and
//!   `posts` posts are scheduled across them, due over `due_within`: a share
//!   with pictures on X and LinkedIn, every YouTube and TikTok post a video.
//! - The real app runs against that sandbox (`--sandbox-url`, in the tray),
//!   while `fault_share` of the networks' requests fail transiently: 5xx, 429
//!   with reset headers, connections cut after the network acted (the answer
//!   is lost), answers that never come, slow answers.
//! - The app is killed with SIGKILL at `kills` random moments and started
//!   again each time; the moments that fell during a publish are counted.
//! - Optionally one X account's sign-in is revoked half-way: its targets must
//!   stop as needing reconnection, the others go on.
//! - When every target has an outcome (or `deadline` passed), what the app
//!   says is compared with what the emulators received.
//!
//! Instagram is not in it: it publishes through a public media host (an S3
//! bucket) the soak does not set up.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use creatorflow_engine::{
    Account, Engine, EngineConfig, Platform, PlatformOptions, Platforms, PostInput, SaveIntent,
    TargetOptions, TargetOptionsInput, Vault,
};
use creatorflow_platforms::{TiktokOptions, YoutubeOptions, YoutubePrivacy};
use creatorflow_sandbox::Remote;
use rand::Rng;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Row};

use crate::{Result, SandboxProcess, app_binary};

/// What a soak does.
#[derive(Debug, Clone)]
pub struct Config {
    /// Posts scheduled, one target each.
    pub posts: usize,
    /// Times the app is killed with SIGKILL and started again.
    pub kills: usize,
    /// The share of the networks' requests that fail (0 to 1).
    pub fault_share: f64,
    /// The posts fall due over this long, from a few seconds after the start.
    pub due_within: Duration,
    /// The share of X and LinkedIn posts with a picture.
    pub picture_share: f64,
    /// Revoke one X account's sign-in half-way.
    pub revoke_one: bool,
    /// Give up waiting for outcomes after this long.
    pub deadline: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            posts: 500,
            kills: 50,
            fault_share: 0.3,
            due_within: Duration::from_secs(240),
            picture_share: 0.3,
            revoke_one: true,
            deadline: Duration::from_secs(40 * 60),
        }
    }
}

/// What came of each target, compared with what the networks received.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub due: usize,
    /// The app says published.
    pub published: usize,
    /// Received exactly once by the network, and the app says published.
    pub once: usize,
    /// Due, not received, and the creator was not told.
    pub lost: usize,
    /// Received more than once.
    pub duplicated: usize,
    /// The app could not tell whether it went out and asked the creator.
    pub unconfirmed: usize,
    /// Failed, with a reason in words.
    pub failed: usize,
    /// Waiting for the creator to reconnect the account.
    pub needs_reconnect: usize,
    /// Received, yet the app says it failed (the creator is told wrong).
    pub received_but_failed: usize,
    /// Still on its way when the soak gave up waiting.
    pub unfinished: usize,
    /// Reasons of the failed ones, and how often.
    pub reasons: BTreeMap<String, usize>,
    /// Targets of accounts other than the revoked one that need reconnecting.
    pub others_needing_reconnect: usize,
    /// Notifications that the revoked account needs reconnecting (from the
    /// app's log, over all its runs).
    pub reconnect_notices: usize,
    /// Kills, and how many fell while a target was being published.
    pub kills: usize,
    pub kills_mid_publish: usize,
    /// Requests the networks answered with a fault, by kind.
    pub faults: BTreeMap<String, usize>,
    /// Writes (POST, PUT) whose answer was lost: cut after the network acted,
    /// or never sent.
    pub answers_lost: usize,
    pub took: Duration,
}

impl Report {
    /// Nothing lost, nothing twice, nothing reported wrong, all finished.
    pub fn kept_the_promise(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.received_but_failed == 0
            && self.unfinished == 0
            && self.others_needing_reconnect == 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: [(&str, String); 16] = [
            ("due", self.due.to_string()),
            ("published (the app says)", self.published.to_string()),
            ("received exactly once", self.once.to_string()),
            ("lost", self.lost.to_string()),
            ("duplicated", self.duplicated.to_string()),
            ("unconfirmed (creator asked)", self.unconfirmed.to_string()),
            ("failed with a reason", self.failed.to_string()),
            ("needs reconnecting", self.needs_reconnect.to_string()),
            (
                "received but reported failed",
                self.received_but_failed.to_string(),
            ),
            ("unfinished at the deadline", self.unfinished.to_string()),
            (
                "other accounts needing reconnecting",
                self.others_needing_reconnect.to_string(),
            ),
            (
                "notifications to reconnect the revoked account",
                self.reconnect_notices.to_string(),
            ),
            (
                "kills (during a publish)",
                format!("{} ({})", self.kills, self.kills_mid_publish),
            ),
            (
                "faulted requests",
                self.faults
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                "writes whose answer was lost",
                self.answers_lost.to_string(),
            ),
            ("time", format!("{:.0} s", self.took.as_secs_f64())),
        ];
        writeln!(f, "| | |")?;
        writeln!(f, "|---|---|")?;
        for (name, value) in rows {
            writeln!(f, "| {name} | {value} |")?;
        }
        for (reason, n) in &self.reasons {
            writeln!(f, "| failed: {reason} | {n} |")?;
        }
        Ok(())
    }
}

/// The accounts connected on each network (the sandbox's seeded ones).
const ACCOUNTS: [(Platform, &str); 8] = [
    (
        Platform::X,
        creatorflow_sandbox::platforms::x::X_ACCOUNT_CREATOR.0,
    ),
    (
        Platform::X,
        creatorflow_sandbox::platforms::x::X_ACCOUNT_STUDIO.0,
    ),
    (
        Platform::Linkedin,
        creatorflow_sandbox::platforms::linkedin::LINKEDIN_MEMBER_CREATOR.0,
    ),
    (
        Platform::Linkedin,
        creatorflow_sandbox::platforms::linkedin::LINKEDIN_MEMBER_STUDIO.0,
    ),
    (
        Platform::Youtube,
        creatorflow_sandbox::platforms::youtube::YOUTUBE_CHANNEL_CREATOR.0,
    ),
    (
        Platform::Youtube,
        creatorflow_sandbox::platforms::youtube::YOUTUBE_CHANNEL_STUDIO.0,
    ),
    (
        Platform::Tiktok,
        creatorflow_sandbox::platforms::tiktok::TIKTOK_ACCOUNT_PUBLIC.0,
    ),
    (
        Platform::Tiktok,
        creatorflow_sandbox::platforms::tiktok::TIKTOK_ACCOUNT_PRIVATE.0,
    ),
];

/// The networks in the soak (each emulator is under `/<network>/`).
const NETWORKS: [Platform; 4] = [
    Platform::X,
    Platform::Linkedin,
    Platform::Youtube,
    Platform::Tiktok,
];

/// Runs a soak and reports; the app and the sandbox are stopped at the end.
pub async fn run(config: &Config) -> Result<Report> {
    let started = Instant::now();
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("data");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home)?;
    let sandbox = SandboxProcess::start(&tmp.path().join("sandbox-state.json"))?;
    let base = url::Url::parse(&sandbox.url)?;
    let remote = Remote::new(base.clone());
    lift_daily_limits(&remote).await?;

    // Accounts and posts, written by the engine the app itself runs.
    let run_id: u32 = rand::rng().random_range(1000..9999);
    let (targets, revoked_local_id, first_due) = {
        let engine = Engine::open(
            EngineConfig::new(&data)
                .platforms(sandbox_platforms(&base))
                .vault(Vault::keychain(
                    creatorflow_engine::SANDBOX_KEYCHAIN_SERVICE,
                )),
        )
        .await?;
        let mut accounts = Vec::new();
        for (platform, id) in ACCOUNTS {
            accounts.push(connect(&engine, &remote, platform, id).await?);
        }
        let first_due = Utc::now() + chrono::Duration::seconds(8);
        let planned = schedule(&engine, config, &accounts, run_id, first_due, tmp.path()).await?;
        engine.store().close().await;
        (planned, accounts[1].id, first_due)
    };

    inject_faults(&remote, config.fault_share).await?;
    let mut app = AppProcess::start(&base, &data, &home)?;
    let db = data.join(creatorflow_engine::store::DATABASE_FILE);
    let mut report = Report {
        due: targets.len(),
        ..Report::default()
    };

    // Kills at random moments while the posts fall due and a while after.
    // The revoke comes half-way through the posts' due times (counted from
    // the app's start, which scheduling with its videos may have delayed),
    // so that the revoked account still has posts due after it.
    let window = config.due_within + Duration::from_secs(30);
    let revoke_at = (first_due + config.due_within / 2 - Utc::now())
        .to_std()
        .unwrap_or_default();
    let mut moments: Vec<(Duration, Moment)> = (0..config.kills)
        .map(|_| {
            let at = window.mul_f64(rand::rng().random_range(0.02..1.0));
            (at, Moment::Kill)
        })
        .chain(config.revoke_one.then_some((revoke_at, Moment::Revoke)))
        .collect();
    moments.sort_by_key(|(at, _)| *at);
    for (at, what) in moments {
        sleep_until(app.first_start, at).await;
        if what == Moment::Revoke {
            revoke(&remote).await?;
            continue;
        }
        // Aim at a publish in flight (an upload, a create call) when one
        // starts within a few seconds.
        let aim = Instant::now();
        let mut mid_publish = false;
        while aim.elapsed() < Duration::from_secs(3) {
            if publishing_now(&db).await.unwrap_or(0) > 0 {
                mid_publish = true;
                tokio::time::sleep(Duration::from_millis(rand::rng().random_range(0..400))).await;
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        report.kills_mid_publish += usize::from(mid_publish);
        app.kill();
        report.kills += 1;
        tokio::time::sleep(Duration::from_millis(rand::rng().random_range(200..1500))).await;
        app = AppProcess::restart(app)?;
    }

    // The faults were transient: they end once the posts are due and the
    // kills are over; then every target gets its outcome.
    sleep_until(app.first_start, window).await;
    (report.faults, report.answers_lost) = faulted_requests(&remote).await?;
    remote.clear_faults().await?;
    let waited = Instant::now();
    let mut told = Instant::now();
    loop {
        let open = unfinished(&db).await.unwrap_or(usize::MAX);
        if open == 0 || waited.elapsed() > config.deadline {
            break;
        }
        if told.elapsed() > Duration::from_secs(30) {
            println!("soak: {open} targets still on their way");
            told = Instant::now();
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    app.kill();

    let outcomes = outcomes(&db).await?;
    let received = received_by_network(&sandbox.url).await;
    tally(
        &mut report,
        &targets,
        &outcomes,
        &received,
        config.revoke_one.then_some(ACCOUNTS[1].1),
    );
    let log = std::fs::read_to_string(data.join("logs/creatorflow.log")).unwrap_or_default();
    report.reconnect_notices = log
        .lines()
        .filter(|l| {
            l.contains("kind=NeedsReconnect")
                && l.contains(&format!("account=Some({revoked_local_id})"))
        })
        .count();
    report.took = started.elapsed();
    drop(sandbox);
    Ok(report)
}

/// What happens at a moment of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moment {
    Kill,
    Revoke,
}

async fn sleep_until(origin: Instant, after: Duration) {
    let at = origin + after;
    let now = Instant::now();
    if at > now {
        tokio::time::sleep(at - now).await;
    }
}

/// The platforms as the app builds them in sandbox mode: every network at
/// the sandbox, with its demo developer app.
pub fn sandbox_platforms(base: &url::Url) -> Platforms {
    creatorflow_sandbox::demo_clients()
        .into_iter()
        .fold(Platforms::sandbox(base), |p, c| {
            p.with_demo_client(c.platform, c.client_id, c.client_secret, c.product)
        })
}

/// The daily caps (TikTok's 15 posts a day and unaudited apps' private
/// accounts only, YouTube's quota and a channel's 50 uploads a day) would hold
/// most posts until tomorrow or refuse them: the soak is about crashes and
/// faults.
async fn lift_daily_limits(remote: &Remote) -> Result<()> {
    remote
        .update_platform_settings(
            "tiktok",
            &json!({"daily_post_cap": 100_000, "audited": true}),
        )
        .await?;
    remote
        .update_platform_settings(
            "youtube",
            &json!({"daily_quota_units": 100_000_000, "insert_calls_per_day": 100_000,
                    "channel_uploads_per_24h": 0, "processing_secs": 5}),
        )
        .await?;
    for name in [
        creatorflow_sandbox::platforms::tiktok::limits::VIDEO_INIT,
        creatorflow_sandbox::platforms::tiktok::limits::CREATOR_INFO,
        creatorflow_sandbox::platforms::tiktok::limits::STATUS_FETCH,
    ] {
        remote
            .control(
                "quotas",
                &json!({"platform": "tiktok", "name": name, "limit": 100_000}),
            )
            .await?;
    }
    remote
        .control(
            "quotas",
            &json!({"platform": "x", "name": creatorflow_sandbox::platforms::x::limits::CREATE_TWEET,
                    "limit": 100_000}),
        )
        .await?;
    Ok(())
}

/// Connects `account` on `platform` the way the app does: the engine builds
/// the authorize URL, the sandbox approves as that account, and the redirect
/// comes back to the engine's loopback listener or its callback handler.
async fn connect(
    engine: &Engine,
    remote: &Remote,
    platform: Platform,
    account: &str,
) -> Result<Account> {
    remote
        .control(
            "consent",
            &json!({"mode": "approve", "account_id": account}),
        )
        .await?;
    let start = engine.connect(platform).await?;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let answer = browser.get(&start.authorize_url).send().await?;
    let back = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("{platform:?}: no redirect from the authorize page"))?
        .to_owned();
    if back.starts_with("http://127.0.0.1") {
        browser.get(&back).send().await?.error_for_status()?;
    } else {
        engine.handle_callback(&back).await?;
    }
    engine
        .accounts()
        .await?
        .into_iter()
        .find(|a| a.platform == platform && a.platform_user_id == account)
        .ok_or_else(|| format!("{platform:?} {account} did not connect").into())
}

/// A scheduled target: which post, on which account, with which marker.
#[derive(Debug, Clone)]
pub struct Planned {
    pub post: i64,
    pub platform: Platform,
    pub account: String,
    pub marker: String,
}

async fn schedule(
    engine: &Engine,
    config: &Config,
    accounts: &[Account],
    run_id: u32,
    first_due: chrono::DateTime<Utc>,
    dir: &Path,
) -> Result<Vec<Planned>> {
    let picked = dir.join("picked");
    std::fs::create_dir_all(&picked)?;
    let mut planned = Vec::with_capacity(config.posts);
    let step = config.due_within.as_millis() as i64 / config.posts.max(1) as i64;
    for i in 0..config.posts {
        let account = &accounts[i % accounts.len()];
        // Letters and digits only: no network escapes or shortens it.
        let marker = format!("cf{run_id}n{i}z");
        let text = format!("Soak post {marker} from CreatorFlow");
        let at = first_due + chrono::Duration::milliseconds(step * i as i64);
        let mut media_ids = Vec::new();
        let network = match account.platform {
            Platform::Youtube => {
                media_ids
                    .push(import(engine, &picked, &format!("{marker}.mp4"), video(i, 6)).await?);
                PlatformOptions::Youtube(YoutubeOptions {
                    title: format!("Soak {marker}"),
                    privacy: YoutubePrivacy::Private,
                    made_for_kids: Some(false),
                    ..YoutubeOptions::default()
                })
            }
            Platform::Tiktok => {
                media_ids
                    .push(import(engine, &picked, &format!("{marker}.mp4"), video(i, 3)).await?);
                PlatformOptions::Tiktok(TiktokOptions {
                    privacy_level: Some("SELF_ONLY".into()),
                    allow_comments: true,
                    ..TiktokOptions::default()
                })
            }
            other => {
                if rand::rng().random_bool(config.picture_share.clamp(0.0, 1.0)) {
                    media_ids
                        .push(import(engine, &picked, &format!("{marker}.png"), picture(i)).await?);
                }
                PlatformOptions::default_for(other)
            }
        };
        let post = engine
            .create_post(PostInput {
                text,
                scheduled_at: Some(at),
                zone: "Europe/Berlin".into(),
                intent: SaveIntent::Schedule,
                account_ids: vec![account.id],
                media_ids,
                alt_texts: vec![],
                options: vec![TargetOptionsInput {
                    account_id: account.id,
                    options: TargetOptions {
                        text: None,
                        network,
                    },
                }],
            })
            .await?;
        planned.push(Planned {
            post: post.id,
            platform: account.platform,
            account: account.platform_user_id.clone(),
            marker,
        });
    }
    Ok(planned)
}

async fn import(engine: &Engine, dir: &Path, name: &str, bytes: Vec<u8>) -> Result<i64> {
    let path = dir.join(name);
    std::fs::write(&path, bytes)?;
    Ok(engine.import_media_file(&path).await?.id)
}

/// A real PNG, different for each `seed`.
fn picture(seed: usize) -> Vec<u8> {
    let (w, h) = (64u32, 48u32);
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let Ok(mut writer) = encoder.write_header() else {
            return out;
        };
        let pixels: Vec<u8> = (0..w * h * 3)
            .map(|p| (p as usize).wrapping_mul(seed + 7) as u8)
            .collect();
        let _ = writer.write_image_data(&pixels);
    }
    out
}

/// A playable-looking H.264 MP4 of `seconds` seconds (about 200 KB a second),
/// different for each `seed`.
fn video(seed: usize, seconds: u32) -> Vec<u8> {
    use mp4::{AvcConfig, MediaConfig, Mp4Config, Mp4Sample, Mp4Writer, TrackConfig, TrackType};
    let mut out = std::io::Cursor::new(Vec::new());
    let brand = |b: &str| b.parse().unwrap_or_default();
    let config = Mp4Config {
        major_brand: brand("isom"),
        minor_version: 512,
        compatible_brands: vec![brand("isom"), brand("avc1"), brand("mp41")],
        timescale: 1000,
    };
    let Ok(mut writer) = Mp4Writer::write_start(&mut out, &config) else {
        return Vec::new();
    };
    let track = TrackConfig {
        track_type: TrackType::Video,
        timescale: 1000,
        language: "und".into(),
        media_conf: MediaConfig::AvcConfig(AvcConfig {
            width: 640,
            height: 360,
            seq_param_set: vec![0x67, 0x42, 0xC0, 0x1E, 0xDA, 0x02, 0x80, 0xBF, 0xE5, 0x84],
            pic_param_set: vec![0x68, 0xCE, 0x3C, 0x80],
        }),
    };
    if writer.add_track(&track).is_err() {
        return Vec::new();
    }
    let mut state = seed as u32 ^ 0x9E37_79B9;
    for i in 0..seconds {
        let bytes: Vec<u8> = (0..200_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        let sample = Mp4Sample {
            start_time: u64::from(i) * 1000,
            duration: 1000,
            rendering_offset: 0,
            is_sync: true,
            bytes: bytes.into(),
        };
        if writer.write_sample(1, &sample).is_err() {
            return Vec::new();
        }
    }
    if writer.write_end().is_err() {
        return Vec::new();
    }
    out.into_inner()
}

/// Rules that fail `share` of each network's requests, split over the kinds
/// of transient fault. Each rule's chance is of the requests the rules before
/// it let through, so the kinds add up to `share`.
async fn inject_faults(remote: &Remote, share: f64) -> Result<()> {
    if share <= 0.0 {
        return Ok(());
    }
    let kinds: [(f64, Value); 5] = [
        (0.30, json!({"kind": "status", "status": 503})),
        // LinkedIn's 429 means a daily limit was reached (the app rightly
        // waits until midnight UTC): a 502 stands in for it there.
        (0.20, json!({"kind": "rate_limit", "reset_after_secs": 3})),
        // The handler runs (the post exists), then the connection is cut:
        // the answer is lost after the network acted.
        (0.35, json!({"kind": "reset_mid_body"})),
        (0.05, json!({"kind": "timeout"})),
        (0.10, json!({"kind": "delay", "ms": 2500})),
    ];
    for network in NETWORKS {
        let prefix = format!("/{}/", network.as_str());
        let mut left = 1.0;
        for (weight, fault) in &kinds {
            let fault = match (network, fault["kind"].as_str()) {
                (Platform::Linkedin, Some("rate_limit")) => {
                    json!({"kind": "status", "status": 502})
                }
                _ => fault.clone(),
            };
            let of_all = share.min(1.0) * weight;
            let chance = (of_all / left).clamp(0.000_001, 1.0);
            left -= of_all;
            remote
                .control(
                    "faults",
                    &json!({"path": format!("{prefix}*"), "count": 1_000_000, "chance": chance,
                            "fault": fault}),
                )
                .await?;
        }
    }
    Ok(())
}

/// How many requests got each kind of fault, and how many writes lost their
/// answer, from the sandbox's request log (its last 5,000 requests).
async fn faulted_requests(remote: &Remote) -> Result<(BTreeMap<String, usize>, usize)> {
    let url = remote.base().join("/_sandbox/requests")?;
    let log: Vec<Value> = reqwest::get(url).await?.json().await?;
    let mut counts = BTreeMap::new();
    let mut lost = 0;
    for r in &log {
        if let Some(kind) = r["fault"].as_str() {
            *counts.entry(kind.to_owned()).or_insert(0) += 1;
            let write = matches!(r["method"].as_str(), Some("POST" | "PUT"));
            lost += usize::from(write && matches!(kind, "reset_mid_body" | "timeout"));
        }
    }
    Ok((counts, lost))
}

/// The X studio account's sign-in is revoked at the network.
async fn revoke(remote: &Remote) -> Result<()> {
    let path = format!("accounts/x/{}/revoke", ACCOUNTS[1].1);
    Ok(remote.control(&path, &json!({})).await?)
}

/// The real app against the running sandbox, in the tray.
struct AppProcess {
    child: Child,
    args: Vec<String>,
    home: PathBuf,
    first_start: Instant,
}

impl AppProcess {
    fn start(base: &url::Url, data: &Path, home: &Path) -> Result<Self> {
        let args = vec![
            "--sandbox-url".to_owned(),
            base.to_string(),
            "--data-dir".to_owned(),
            data.to_string_lossy().into_owned(),
            "--minimized".to_owned(),
        ];
        let child = spawn_app(&args, home)?;
        Ok(Self {
            child,
            args,
            home: home.to_owned(),
            first_start: Instant::now(),
        })
    }

    fn restart(mut old: Self) -> Result<Self> {
        old.child = spawn_app(&old.args, &old.home)?;
        Ok(old)
    }

    /// SIGKILL: no chance to finish anything.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_app(args: &[String], home: &Path) -> Result<Child> {
    Ok(Command::new(app_binary())
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("CREATORFLOW_SANDBOX_RETRY_SECS", "2")
        .env("CREATORFLOW_SANDBOX_LIMITS", "lifted")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

/// A connection to the app's database that only reads (it may run while the
/// app writes, or after it was killed with its WAL left behind).
async fn read_only(db: &Path) -> Result<sqlx::SqliteConnection> {
    Ok(SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await?)
}

/// Targets being published right now.
async fn publishing_now(db: &Path) -> Result<i64> {
    let mut conn = read_only(db).await?;
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM post_targets WHERE status = 'publishing'")
            .fetch_one(&mut conn)
            .await?;
    Ok(n)
}

/// Targets without an outcome yet.
async fn unfinished(db: &Path) -> Result<usize> {
    let mut conn = read_only(db).await?;
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM post_targets
         WHERE status IN ('scheduled', 'publishing', 'processing', 'retrying')",
    )
    .fetch_one(&mut conn)
    .await?;
    Ok(n as usize)
}

/// Each post's target: its status and error message.
async fn outcomes(db: &Path) -> Result<BTreeMap<i64, (String, Option<String>)>> {
    let mut conn = read_only(db).await?;
    let rows = sqlx::query("SELECT post_id, status, last_error_message FROM post_targets")
        .fetch_all(&mut conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.get("post_id"),
                (r.get("status"), r.get("last_error_message")),
            )
        })
        .collect())
}

/// What each network received: `(platform, account, text)`.
async fn received_by_network(sandbox: &str) -> Vec<(String, String, String)> {
    let mut all = Vec::new();
    for network in NETWORKS {
        for r in crate::received(sandbox, network.as_str()).await {
            // The text where the network keeps it; YouTube's and TikTok's
            // extras (title, description) too.
            let text = format!("{} {}", r["text"].as_str().unwrap_or_default(), r["extra"]);
            all.push((
                network.as_str().to_owned(),
                r["account_id"].as_str().unwrap_or_default().to_owned(),
                text,
            ));
        }
    }
    all
}

/// Compares each planned target's outcome in the app with what its network
/// received.
pub fn tally(
    report: &mut Report,
    targets: &[Planned],
    outcomes: &BTreeMap<i64, (String, Option<String>)>,
    received: &[(String, String, String)],
    revoked: Option<&str>,
) {
    for t in targets {
        let copies = received
            .iter()
            .filter(|(p, a, text)| {
                p == t.platform.as_str() && *a == t.account && contains_word(text, &t.marker)
            })
            .count();
        let (status, error) = outcomes
            .get(&t.post)
            .cloned()
            .unwrap_or_else(|| ("missing".to_owned(), None));
        if copies > 1 {
            report.duplicated += 1;
        }
        match status.as_str() {
            "published" => {
                report.published += 1;
                match copies {
                    1 => report.once += 1,
                    0 => report.lost += 1,
                    _ => {}
                }
            }
            "unconfirmed" => report.unconfirmed += 1,
            "needs_reauth" => {
                report.needs_reconnect += 1;
                if revoked != Some(t.account.as_str()) {
                    report.others_needing_reconnect += 1;
                }
            }
            "failed" | "missed" => {
                if copies > 0 {
                    report.received_but_failed += 1;
                } else {
                    report.failed += 1;
                    let reason = error.unwrap_or_else(|| "(no reason given)".into());
                    *report.reasons.entry(reason).or_insert(0) += 1;
                }
            }
            "scheduled" | "publishing" | "processing" | "retrying" => report.unfinished += 1,
            // Gone from the app without the creator being told.
            _ => {
                if copies == 0 {
                    report.lost += 1;
                }
            }
        }
    }
}

/// Whether `marker` occurs in `text` as a whole word.
fn contains_word(text: &str, marker: &str) -> bool {
    text.match_indices(marker).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + marker.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(post: i64, account: &str) -> Planned {
        Planned {
            post,
            platform: Platform::X,
            account: account.to_owned(),
            marker: format!("cf1n{post}z"),
        }
    }

    #[test]
    fn markers_match_whole_words_only() {
        assert!(contains_word("Soak post cf1n7z from", "cf1n7z"));
        assert!(!contains_word("Soak post cf1n77z from", "cf1n7z"));
        assert!(!contains_word("xcf1n7z", "cf1n7z"));
    }

    #[test]
    fn each_outcome_is_counted_against_what_arrived() {
        let targets: Vec<Planned> = (1..=7).map(|i| planned(i, "a")).collect();
        let outcomes: BTreeMap<i64, (String, Option<String>)> = [
            (1, ("published", None)),
            (2, ("published", None)),
            (3, ("published", None)),
            (4, ("failed", Some("X is down"))),
            (5, ("failed", None)),
            (6, ("retrying", None)),
            (7, ("needs_reauth", None)),
        ]
        .into_iter()
        .map(|(k, (s, e))| (k, (s.to_owned(), e.map(str::to_owned))))
        .collect();
        let got = |post: i64| ("x".to_owned(), "a".to_owned(), format!("Soak cf1n{post}z"));
        // 1 once, 2 twice, 3 never, 5 arrived though failed.
        let received = vec![got(1), got(2), got(2), got(5)];
        let mut r = Report::default();
        tally(&mut r, &targets, &outcomes, &received, Some("b"));
        assert_eq!((r.published, r.once, r.duplicated, r.lost), (3, 1, 1, 1));
        assert_eq!((r.failed, r.received_but_failed), (1, 1));
        assert_eq!(r.reasons.get("X is down"), Some(&1));
        assert_eq!(
            (r.unfinished, r.needs_reconnect, r.others_needing_reconnect),
            (1, 1, 1)
        );
        assert!(!r.kept_the_promise());
    }
}
