//! Cold start of the built app to the calendar being visible, and the idle
//! memory of all its processes (the app, WebKit's web and network processes),
//! measured under Xvfb. Prints a table; asserts nothing.
//!
//!     scripts/desktop-session.sh cargo bench -p creatorflow-e2e --bench startup
//!
//! `CF_BENCH_RUNS` (default 5) sets the number of launches; `CF_APP_BINARY`
//! picks the build (a release build: `cargo build --release --bin creatorflow
//! --features creatorflow/custom-protocol`). Memory is read 10 s and 30 s after
//! the calendar shows: RSS summed over the processes (counts the libraries they
//! share once per process) and PSS (shares them out: the fairer total).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use creatorflow_e2e::{App, Driver, app_binary, preflight};

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

/// Memory of the app process and all its descendants.
#[derive(Default, Clone)]
struct Memory {
    rss_kib: u64,
    pss_kib: u64,
    /// "name RSS/PSS MiB" per process.
    parts: Vec<String>,
}

fn app_memory(binary: &Path) -> Memory {
    let procs = processes();
    let Some(root) = procs
        .keys()
        .copied()
        .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
    else {
        return Memory::default();
    };
    let mut m = Memory::default();
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        if let Some((_, rss, name)) = procs.get(&pid) {
            let pss = pss_kib(pid);
            m.rss_kib += rss;
            m.pss_kib += pss;
            m.parts
                .push(format!("{name} {}/{} MiB", rss / 1024, pss / 1024));
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

#[tokio::main]
async fn main() -> creatorflow_e2e::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    preflight()?;
    let runs: usize = std::env::var("CF_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let binary = app_binary().canonicalize()?;
    let build = if binary.components().any(|c| c.as_os_str() == "release") {
        "release build"
    } else {
        "debug build"
    };
    let driver = Driver::start(&[]).await?;
    let mut starts = Vec::new();
    let mut at10 = Vec::new();
    let mut at30 = Vec::new();
    println!();
    println!(
        "| run | launch → calendar | RSS/PSS at 10 s | RSS/PSS at 30 s | processes at 30 s (RSS/PSS) |"
    );
    println!("|---|---|---|---|---|");
    for i in 0..runs {
        let data = tempfile::tempdir()?;
        let dir = data.path().to_string_lossy().into_owned();
        let t = Instant::now();
        let app = App::launch(&driver, &format!("bench-{i}"), &["--data-dir", &dir]).await?;
        app.wait_testid("calendar", Duration::from_secs(30)).await?;
        app.wait_css(
            ".fc-daygrid-day, .fc-timegrid-slot",
            Duration::from_secs(30),
        )
        .await?;
        let start = t.elapsed();
        starts.push(start);
        tokio::time::sleep(Duration::from_secs(10)).await;
        let m10 = app_memory(&binary);
        tokio::time::sleep(Duration::from_secs(20)).await;
        let m30 = app_memory(&binary);
        println!(
            "| {} | {:.0} ms | {}/{} MiB | {}/{} MiB | {} |",
            i + 1,
            start.as_secs_f64() * 1e3,
            m10.rss_kib / 1024,
            m10.pss_kib / 1024,
            m30.rss_kib / 1024,
            m30.pss_kib / 1024,
            m30.parts.join(", ")
        );
        at10.push(m10);
        at30.push(m30);
        app.quit().await?;
        // The next launch starts from nothing: wait for this one to be gone.
        let gone = Instant::now() + Duration::from_secs(15);
        while app_memory(&binary).rss_kib > 0 && Instant::now() < gone {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    starts.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mib = |mut v: Vec<u64>| {
        v.sort();
        format!(
            "{} MiB | {} MiB | {} MiB",
            v[0] / 1024,
            v[v.len() / 2] / 1024,
            v[v.len() - 1] / 1024
        )
    };
    println!();
    println!("| app under Xvfb ({runs} launches, {build}) | min | median | max |");
    println!("|---|---|---|---|");
    println!(
        "| launch to calendar visible | {:.0} ms | {:.0} ms | {:.0} ms |",
        ms(starts[0]),
        ms(starts[runs / 2]),
        ms(starts[runs - 1])
    );
    for (label, mems) in [("10 s", &at10), ("30 s", &at30)] {
        println!(
            "| idle RSS, all processes ({label} after start) | {} |",
            mib(mems.iter().map(|m| m.rss_kib).collect())
        );
        println!(
            "| idle PSS, all processes ({label} after start) | {} |",
            mib(mems.iter().map(|m| m.pss_kib).collect())
        );
    }
    Ok(())
}
