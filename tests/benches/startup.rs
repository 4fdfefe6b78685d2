//! Cold start of the built app to an interactive calendar, and the memory of
//! all its processes (the app, WebKit's web and network processes), under
//! Xvfb, with a month of 400 posts in the calendar. Prints tables; asserts
//! nothing.
//!
//!     scripts/desktop-session.sh cargo bench -p creatorflow-e2e --bench startup
//!
//! The app is started directly (no WebDriver in between) and reports its own
//! startup trace (`src-tauri/startup.rs`): the benchmark adds the time from
//! its spawn to the process's first line of code, and prints the median of
//! each mark. Memory is read 30 s after the calendar shows: RSS summed over
//! the processes (counts shared libraries once per process) and PSS (shares
//! them out: the fairer total).
//!
//! - `CF_APP_BINARY` picks the build (a release build: `cargo build --release
//!   --bin creatorflow --features creatorflow/custom-protocol`).
//! - `CF_BENCH_RUNS` (default 5): launches per variant.
//! - `CF_BENCH_VARIANTS` (default `default,no-gpu-compositing`): values of
//!   `CREATORFLOW_WEBKIT` to compare (see `src-tauri/webkit.rs`), each a
//!   column of the tables.
//! - `CF_BENCH_IDLE_SECS` (default 0: skipped): one more launch that idles
//!   this long (3600 for the hour the target speaks of), PSS read each minute,
//!   to show whether memory grows while the scheduler runs.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{Datelike, Local, TimeZone};
use creatorflow_e2e::{app_binary, preflight};
use creatorflow_engine::{Engine, EngineConfig, PostInput, SaveIntent, Vault};

const POSTS: u32 = 400;

/// Proportional set size of `pid` in KiB (shared pages divided among their users).
fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("Pss:")
                    .and_then(|v| v.split_whitespace().next())
                    .and_then(|n| n.parse().ok())
            })
        })
        .unwrap_or(0)
}

/// pid → (parent pid, RSS in KiB, command name).
fn processes() -> HashMap<u32, (u32, u64, String)> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_owned())
        };
        let ppid = field("PPid:").and_then(|v| v.parse().ok()).unwrap_or(0);
        let rss = field("VmRSS:")
            .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        out.insert(pid, (ppid, rss, field("Name:").unwrap_or_default()));
    }
    out
}

/// Memory of process `root` and all its descendants.
#[derive(Default, Clone)]
struct Memory {
    rss_kib: u64,
    pss_kib: u64,
    /// PSS in KiB per process name.
    parts: BTreeMap<String, u64>,
}

fn memory_of(root: u32) -> Memory {
    let procs = processes();
    let mut m = Memory::default();
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        if let Some((_, rss, name)) = procs.get(&pid) {
            let pss = pss_kib(pid);
            m.rss_kib += rss;
            m.pss_kib += pss;
            *m.parts.entry(name.clone()).or_default() += pss;
        }
        stack.extend(
            procs
                .iter()
                .filter(|(_, (pp, _, _))| *pp == pid)
                .map(|(p, _)| *p),
        );
    }
    m
}

/// A data folder with 400 posts spread over this month (drafts with a time:
/// they show in the calendar like scheduled posts, and no network is asked).
async fn seeded(dir: &Path) -> creatorflow_e2e::Result<()> {
    let engine =
        Engine::open(EngineConfig::new(dir).vault(Vault::keychain("creatorflow-startup-bench")))
            .await?;
    let now = Local::now();
    let first = Local
        .with_ymd_and_hms(now.year(), now.month(), 1, 8, 0, 0)
        .single()
        .ok_or("the first of this month")?;
    for i in 0..POSTS {
        // Days 1–28 (every month has them), 8:00 to 20:00.
        let at = first
            + chrono::Duration::days(i64::from(i % 28))
            + chrono::Duration::minutes(i64::from((i / 28) * 50 % 720));
        engine
            .create_post(PostInput {
                text: format!("Post {i}: a few words as a creator would write them #plan"),
                scheduled_at: Some(at.to_utc()),
                zone: "Europe/Berlin".into(),
                intent: SaveIntent::Draft,
                account_ids: vec![],
                media_ids: vec![],
                alt_texts: vec![],
                options: vec![],
            })
            .await?;
    }
    Ok(())
}

fn unix_ms(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// One launch's trace: (mark, ms since spawn), in order.
type Trace = Vec<(String, f64)>;

/// Reads the app's startup trace line from its log, once it is there.
fn read_trace(log: &Path, spawned_at: SystemTime) -> Option<Trace> {
    let text = std::fs::read_to_string(log).ok()?;
    let line = text.lines().find_map(|l| {
        l.split_once("startup trace: ")
            .map(|(_, rest)| rest.to_owned())
    })?;
    let (marks, start) = line.rsplit_once(" (process start at ")?;
    let start_ms: u128 = start.split_whitespace().next()?.parse().ok()?;
    let exec = start_ms.saturating_sub(unix_ms(spawned_at)) as f64;
    let mut trace = vec![("spawn".to_owned(), 0.0)];
    for mark in marks.split(", ") {
        let (name, ms) = mark.rsplit_once(' ')?.0.rsplit_once(' ')?;
        let ms: f64 = ms.parse().ok()?;
        trace.push((name.to_owned(), exec + ms));
    }
    Some(trace)
}

struct Launched {
    child: Child,
    _data: tempfile::TempDir,
    trace: Trace,
}

async fn launch(binary: &Path, variant: &str) -> creatorflow_e2e::Result<Launched> {
    let data = tempfile::tempdir()?;
    let data_dir = data.path().join("data");
    let home = data.path().join("home");
    std::fs::create_dir_all(&home)?;
    seeded(&data_dir).await?;
    let log = data_dir.join("logs/creatorflow.log");
    let spawned_at = SystemTime::now();
    let mut child = Command::new(binary)
        .args(["--data-dir", &data_dir.to_string_lossy()])
        .env("HOME", &home)
        .env("CREATORFLOW_WEBKIT", variant)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(trace) = read_trace(&log, spawned_at) {
            return Ok(Launched {
                child,
                _data: data,
                trace,
            });
        }
        if Instant::now() > deadline || child.try_wait()?.is_some() {
            let _ = child.kill();
            return Err(format!("no startup trace in {}", log.display()).into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn stop(mut child: Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

struct VariantResult {
    traces: Vec<Trace>,
    memory: Vec<Memory>,
}

#[tokio::main]
async fn main() -> creatorflow_e2e::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    preflight()?;
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let runs: usize = env("CF_BENCH_RUNS", "5").parse()?;
    let idle_secs: u64 = env("CF_BENCH_IDLE_SECS", "0").parse()?;
    let variants: Vec<String> = env("CF_BENCH_VARIANTS", "default,no-gpu-compositing")
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let binary: PathBuf = app_binary().canonicalize()?;
    let build = if binary.components().any(|c| c.as_os_str() == "release") {
        "release build"
    } else {
        "debug build"
    };

    let mut results: Vec<(String, VariantResult)> = Vec::new();
    for variant in &variants {
        let mut r = VariantResult {
            traces: vec![],
            memory: vec![],
        };
        for i in 0..runs {
            let launched = launch(&binary, variant).await?;
            let visible = launched.trace.last().map(|(_, ms)| *ms).unwrap_or(0.0);
            tokio::time::sleep(Duration::from_secs(30)).await;
            let m = memory_of(launched.child.id());
            println!(
                "{variant} run {}: calendar at {visible:.0} ms, PSS {} MiB",
                i + 1,
                m.pss_kib / 1024
            );
            stop(launched.child);
            r.traces.push(launched.trace);
            r.memory.push(m);
        }
        results.push((variant.clone(), r));
    }

    if runs > 0 {
        print_tables(runs, build, &results);
    }
    if idle_secs > 0 {
        let variant = variants.first().map(String::as_str).unwrap_or("default");
        idle(&binary, variant, idle_secs).await?;
    }
    Ok(())
}

/// A table's title and its header row: `first` and one column per variant.
fn header(title: &str, first: &str, results: &[(String, VariantResult)]) {
    println!();
    println!("{title}");
    println!();
    let variants: String = results.iter().map(|(v, _)| format!(" {v} |")).collect();
    println!("| {first} |{variants}");
    println!("|---|{}", "---|".repeat(results.len()));
}

fn print_tables(runs: usize, build: &str, results: &[(String, VariantResult)]) {
    // Startup: median of each mark, per variant.
    header(
        &format!("Startup, ms after spawn (median of {runs} launches, {build}, Xvfb):"),
        "mark",
        results,
    );
    let names: Vec<String> = results
        .first()
        .and_then(|(_, r)| r.traces.first())
        .map(|t| t.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    for name in &names {
        print!("| {name} |");
        for (_, r) in results {
            let values: Vec<f64> = r
                .traces
                .iter()
                .filter_map(|t| t.iter().find(|(n, _)| n == name).map(|(_, ms)| *ms))
                .collect();
            print!(" {:.0} |", median(values));
        }
        println!();
    }

    // Memory 30 s after the calendar shows.
    header(
        &format!("Memory 30 s after the calendar shows, {POSTS} posts this month (median, MiB):"),
        "process",
        results,
    );
    let mut processes: Vec<String> = results
        .iter()
        .flat_map(|(_, r)| r.memory.iter().flat_map(|m| m.parts.keys().cloned()))
        .collect();
    processes.sort();
    processes.dedup();
    let mib = |kib: f64| kib / 1024.0;
    for p in &processes {
        print!("| {p} (PSS) |");
        for (_, r) in results {
            let v = median(
                r.memory
                    .iter()
                    .map(|m| m.parts.get(p).copied().unwrap_or(0) as f64)
                    .collect(),
            );
            print!(" {:.0} |", mib(v));
        }
        println!();
    }
    for (label, f) in [
        (
            "all processes, PSS",
            (|m: &Memory| m.pss_kib) as fn(&Memory) -> u64,
        ),
        ("all processes, RSS", |m: &Memory| m.rss_kib),
    ] {
        print!("| **{label}** |");
        for (_, r) in results {
            print!(
                " **{:.0}** |",
                mib(median(r.memory.iter().map(|m| f(m) as f64).collect()))
            );
        }
        println!();
    }
}

/// One launch left idle for `secs`, all processes' memory read each minute.
async fn idle(binary: &Path, variant: &str, secs: u64) -> creatorflow_e2e::Result<()> {
    let mib = |kib: u64| kib as f64 / 1024.0;
    let launched = launch(binary, variant).await?;
    println!();
    println!("Idle with the scheduler running ({variant}), all processes:");
    println!();
    println!("| minutes after the calendar shows | PSS MiB | RSS MiB |");
    println!("|---|---|---|");
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(30)).await;
    let mut samples: Vec<u64> = Vec::new();
    for minute in 1.. {
        let m = memory_of(launched.child.id());
        samples.push(m.pss_kib);
        println!(
            "| {:.1} | {:.0} | {:.0} |",
            started.elapsed().as_secs_f64() / 60.0,
            mib(m.pss_kib),
            mib(m.rss_kib)
        );
        if started.elapsed().as_secs() >= secs {
            break;
        }
        let next = Duration::from_secs(60 * minute);
        tokio::time::sleep(next.saturating_sub(started.elapsed())).await;
    }
    let (first, last) = (samples[0], samples[samples.len() - 1]);
    println!();
    println!(
        "PSS growth over {:.0} min idle: {:+.1} MiB",
        started.elapsed().as_secs_f64() / 60.0,
        mib(last) - mib(first)
    );
    stop(launched.child);
    Ok(())
}
