//! A 1 GiB video goes up streamed from disk: the process's resident memory
//! grows by at most 32 MiB (the sandbox runs in this process too, and also
//! streams). Linux only (reads /proc/self/status). Its own test binary, so
//! no other test shares the process while it measures.

mod youtube_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use creatorflow_platforms::youtube::{DEFAULT_CHUNK_SIZE, YoutubeClient, YoutubeEndpoints};
use creatorflow_platforms::{MediaFile, NoopSink, Publisher};
use serde_json::Value;
use youtube_common::*;

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

/// Resident set size in bytes.
fn rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::print_stderr)] // the measurement is worth seeing with --nocapture
async fn a_gigabyte_upload_keeps_memory_flat() {
    if rss().is_none() {
        eprintln!("no /proc/self/status: skipped");
        return;
    }
    let e = env().await;
    // The real chunk size, not the tests' 256 KiB.
    let client = YoutubeClient::new(YoutubeEndpoints::under(&e.sb.url("/youtube")));
    assert_eq!(DEFAULT_CHUNK_SIZE, 8 * MIB);
    let path = e.dir.path().join("big.mp4");
    // Sparse: a gigabyte on disk in no time.
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(GIB).expect("size");
    drop(f);
    let file = MediaFile {
        path,
        name: Some("big.mp4".into()),
        mime: "video/mp4".into(),
        size: GIB,
        sha256: "5ba5e".repeat(12) + "5ba5",
        width: None,
        height: None,
        duration_ms: Some(600_000),
        codec: None,
        alt_text: None,
    };
    let post = post(file, options("A big one"));

    // Warm up (TLS-free HTTP, the runtime, the sandbox's maps) with a small upload.
    let (warm, _) = video_post(&e, (3 * CHUNK) as usize, "warm up");
    client
        .publish(&e.tokens, &warm, &mut Value::Null, &NoopSink)
        .await
        .expect("warm-up upload");

    let baseline = rss().expect("rss");
    let peak = Arc::new(AtomicU64::new(baseline));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                if let Some(r) = rss() {
                    peak.fetch_max(r, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let started = std::time::Instant::now();
    let mut cp = Value::Null;
    client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("uploaded");
    done.store(true, Ordering::Relaxed);
    sampler.await.expect("sampler");
    let growth = peak.load(Ordering::Relaxed).saturating_sub(baseline);
    eprintln!(
        "1 GiB in {:.1} s; RSS {} MiB → peak +{:.1} MiB",
        started.elapsed().as_secs_f64(),
        baseline / MIB,
        growth as f64 / MIB as f64
    );
    let got = received(&e.sb);
    assert_eq!(got.last().expect("video").media[0].size, GIB);
    assert!(growth <= 32 * MIB, "RSS grew by {} MiB", growth / MIB);
}
