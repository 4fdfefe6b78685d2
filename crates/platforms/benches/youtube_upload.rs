//! A 1 GiB video uploaded to the sandbox's YouTube emulator by the real
//! client (resumable upload, chunks streamed from disk), against the raw
//! loopback throughput of the same file. Prints a table; asserts nothing.
//!
//!     cargo bench -p creatorflow-platforms --bench youtube_upload
//!
//! The emulator and a raw TCP sink run in a second process (this bench
//! started again in its server role), so the figures are the uploader's
//! alone: its wall time, and its peak RSS growth while uploading (VmHWM
//! reset through /proc/self/clear_refs before each run). `CF_BENCH_MIB` sets
//! the file size (default 1024), `CF_BENCH_RUNS` the runs (default 3).

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use creatorflow_platforms::youtube::{YoutubeClient, YoutubeEndpoints};
use creatorflow_platforms::{
    AccessToken, MediaFile, NoopSink, Outcome, PlatformOptions, PublishRequest, Publisher,
    RemoteAccount, YoutubeOptions,
};

const ROLE: &str = "CF_BENCH_ROLE";
/// The raw baseline reads and writes 1 MiB at a time: as fast as loopback goes.
const RAW_BUFFER: usize = 1024 * 1024;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes benches this way
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if std::env::var(ROLE).as_deref() == Ok("server") {
        rt.block_on(serve());
    } else {
        rt.block_on(measure());
    }
}

/// The server role: the sandbox and a raw sink; prints where they are and a
/// token, then runs until its stdin closes.
async fn serve() {
    let sandbox = creatorflow_sandbox::start(creatorflow_sandbox::SandboxConfig::default())
        .await
        .expect("sandbox");
    // The emulator hashes uploads as they arrive (for tests' digests); here
    // that would measure the emulator's SHA-256, not the client. The row
    // "emulator hashing" shows what it costs.
    sandbox
        .update_platform_settings("youtube", serde_json::json!({"hash_uploads": false}))
        .expect("settings");
    let channel = creatorflow_sandbox::platforms::youtube::YOUTUBE_CHANNEL_CREATOR.0;
    let issued = sandbox
        .issue_tokens(creatorflow_sandbox::TokenRequest {
            platform: "youtube".into(),
            account_id: channel.into(),
            client_id: None,
            scopes: None,
        })
        .expect("token");
    let sink = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("sink");
    let sink_port = sink.local_addr().expect("addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = sink.accept().await else {
                break;
            };
            tokio::spawn(async move {
                let mut reader = tokio::io::BufReader::with_capacity(RAW_BUFFER, &mut conn);
                let n = tokio::io::copy_buf(&mut reader, &mut tokio::io::sink())
                    .await
                    .unwrap_or(0);
                use tokio::io::AsyncWriteExt;
                let _ = conn.write_all(&n.to_be_bytes()).await;
            });
        }
    });
    println!(
        "READY {} {sink_port} {} {channel}",
        sandbox.base_url(),
        issued.access_token
    );
    std::io::stdout().flush().ok();
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
    })
    .await;
}

/// Turns the emulator's hashing of uploads on or off (its control API).
async fn set_hashing(base: &url::Url, on: bool) {
    reqwest::Client::new()
        .post(base.join("_sandbox/settings/youtube").expect("url"))
        .json(&serde_json::json!({ "hash_uploads": on }))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("settings");
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Forgets the peak RSS so far (VmHWM starts again from VmRSS).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

async fn measure() {
    let size_mib: u64 = std::env::var("CF_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let runs: usize = std::env::var("CF_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut server = Command::new(std::env::current_exe().expect("exe"))
        .env(ROLE, "server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("server");
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready line");
    let parts: Vec<&str> = line.split_whitespace().collect();
    let (base, sink_port, token, channel) = match parts.as_slice() {
        ["READY", base, port, token, channel] => (
            url::Url::parse(base).expect("base"),
            port.parse::<u16>().expect("port"),
            AccessToken::new(*token),
            channel.to_string(),
        ),
        other => panic!("server said {other:?}"),
    };

    // The file, written once (not all zeros, so nothing compresses it away).
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("video.mp4");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("file"));
        let mut block = vec![0u8; 1024 * 1024];
        let mut seed = 0x2545_F491_u32;
        for (i, b) in block.iter_mut().enumerate() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            *b = seed as u8 ^ i as u8;
        }
        // An MP4 signature up front, as the app's media intake would have checked.
        block[4..12].copy_from_slice(b"ftypisom");
        for i in 0..size_mib {
            block[16..24].copy_from_slice(&i.to_be_bytes());
            f.write_all(&block).expect("write");
        }
        f.flush().expect("flush");
    }
    let bytes = size_mib * 1024 * 1024;
    let client = YoutubeClient::new(YoutubeEndpoints::under(&base.join("youtube").expect("url")));
    let request = PublishRequest {
        account: RemoteAccount {
            id: channel,
            username: "sandboxcreator".into(),
            scopes: vec![],
        },
        text: "A benchmark upload".into(),
        media: vec![MediaFile {
            path: path.clone(),
            name: Some("video.mp4".into()),
            mime: "video/mp4".into(),
            size: bytes,
            sha256: String::new(),
            width: None,
            height: None,
            duration_ms: None,
            codec: None,
            alt_text: None,
        }],
        cover: None,
        options: PlatformOptions::Youtube(YoutubeOptions {
            title: "Benchmark".into(),
            made_for_kids: Some(false),
            ..YoutubeOptions::default()
        }),
    };

    println!(
        "{:>4} | {:>20} | {:>12} | {:>12} | {:>7} | {:>14} | {:>14}",
        "run", "what", "seconds", "MiB/s", "ratio", "RSS before MiB", "peak growth MiB"
    );
    for run in 1..=runs {
        // Raw loopback: the same file read and written to a socket that
        // discards it.
        let started = Instant::now();
        {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", sink_port))
                .await
                .expect("sink");
            let file = tokio::fs::File::open(&path).await.expect("open");
            let mut file = tokio::io::BufReader::with_capacity(RAW_BUFFER, file);
            tokio::io::copy_buf(&mut file, &mut conn)
                .await
                .expect("copy");
            conn.shutdown().await.expect("end of file");
            let mut n = [0u8; 8];
            conn.read_exact(&mut n).await.expect("count");
            assert_eq!(u64::from_be_bytes(n), bytes, "the sink got it all");
        }
        let raw = started.elapsed().as_secs_f64();

        let before = status_kib("VmRSS:");
        reset_peak();
        let started = Instant::now();
        let mut checkpoint = serde_json::Value::Null;
        let outcome = client
            .publish(&token, &request, &mut checkpoint, &NoopSink)
            .await
            .expect("uploaded");
        let took = started.elapsed().as_secs_f64();
        let peak = status_kib("VmHWM:");
        assert!(
            matches!(outcome, Outcome::Processing(_)),
            "the upload completed"
        );
        let rate = |secs: f64| bytes as f64 / (1024.0 * 1024.0) / secs;
        println!(
            "{run:>4} | {:>20} | {raw:>12.2} | {:>12.0} | {:>7} | {:>14} | {:>14}",
            "raw loopback",
            rate(raw),
            "",
            "",
            ""
        );
        println!(
            "{run:>4} | {:>20} | {took:>12.2} | {:>12.0} | {:>7.2} | {:>14.1} | {:>14.1}",
            "YouTube client",
            rate(took),
            raw / took,
            mib(before),
            mib(peak.saturating_sub(before)),
        );

        // The same with the emulator hashing every byte it receives.
        set_hashing(&base, true).await;
        let started = Instant::now();
        let mut checkpoint = serde_json::Value::Null;
        client
            .publish(&token, &request, &mut checkpoint, &NoopSink)
            .await
            .expect("uploaded");
        let hashed = started.elapsed().as_secs_f64();
        set_hashing(&base, false).await;
        println!(
            "{run:>4} | {:>20} | {hashed:>12.2} | {:>12.0} | {:>7.2} | {:>14} | {:>14}",
            "+ emulator hashing",
            rate(hashed),
            raw / hashed,
            "",
            ""
        );
    }
    println!("file {size_mib} MiB; goals: peak RSS growth <= 32 MiB, throughput ratio >= 0.8");
    drop(server.stdin.take());
    let _ = server.wait();
}
