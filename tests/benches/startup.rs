//! Cold start of the built app to the calendar being visible, and the idle
//! memory (RSS) of all its processes (the app, WebKit's web and network
//! processes), measured under Xvfb. Prints a table; asserts nothing.
//!
//!     scripts/desktop-session.sh cargo bench -p creatorflow-e2e --bench startup
//! `CF_BENCH_RUNS` (default 5) sets the number of launches.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use creatorflow_e2e::{App, Driver, app_binary, preflight};

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

/// RSS of the app process and all its descendants, with their names.
fn app_rss(binary: &Path) -> (u64, Vec<String>) {
    let procs = processes();
    let Some(root) = procs
        .keys()
        .copied()
        .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
    else {
        return (0, vec![]);
    };
    let mut total = 0;
    let mut names = Vec::new();
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        if let Some((_, rss, name)) = procs.get(&pid) {
            total += rss;
            names.push(format!("{name} {} MiB", rss / 1024));
        }
        stack.extend(
            procs
                .iter()
                .filter(|(_, (pp, _, _))| *pp == pid)
                .map(|(p, _)| *p),
        );
    }
    (total, names)
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
    let driver = Driver::start(&[]).await?;
    let mut starts = Vec::new();
    let mut rss = Vec::new();
    let mut breakdown = Vec::new();
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
        starts.push(t.elapsed());
        tokio::time::sleep(Duration::from_secs(10)).await;
        let (kib, names) = app_rss(&binary);
        rss.push(kib);
        breakdown = names;
        app.quit().await?;
        // The next launch starts from nothing: wait for this one to be gone.
        let gone = Instant::now() + Duration::from_secs(15);
        while app_rss(&binary).0 > 0 && Instant::now() < gone {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    starts.sort();
    rss.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!();
    println!("| app under Xvfb ({runs} launches, debug build) | min | median | max |");
    println!("|---|---|---|---|");
    println!(
        "| launch to calendar visible | {:.0} ms | {:.0} ms | {:.0} ms |",
        ms(starts[0]),
        ms(starts[runs / 2]),
        ms(starts[runs - 1])
    );
    println!(
        "| idle RSS, all processes (10 s after start) | {} MiB | {} MiB | {} MiB |",
        rss[0] / 1024,
        rss[runs / 2] / 1024,
        rss[runs - 1] / 1024
    );
    println!();
    println!("processes: {}", breakdown.join(", "));
    Ok(())
}
