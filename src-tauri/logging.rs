//! Logs go to stderr and to `<data dir>/logs/creatorflow.log`. Nothing that is
//! logged may contain a token, a code or a client secret: code that handles
//! them logs what happened, not the values.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// Keep at most this much of the previous run's log.
const MAX_LOG_BYTES: u64 = 5 * 1024 * 1024;

pub fn init(data_dir: &Path) {
    let filter = EnvFilter::try_from_env("CREATORFLOW_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tao=warn,wry=warn"));
    let dir = data_dir.join("logs");
    let file = std::fs::create_dir_all(&dir).ok().and_then(|_| {
        let path = dir.join("creatorflow.log");
        let too_big = std::fs::metadata(&path).is_ok_and(|m| m.len() > MAX_LOG_BYTES);
        OpenOptions::new()
            .create(true)
            .append(!too_big)
            .write(true)
            .truncate(too_big)
            .open(path)
            .ok()
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    let result = match file {
        Some(file) => builder
            .with_writer(std::io::stderr.and(Mutex::new(file)))
            .try_init(),
        None => builder.with_writer(std::io::stderr).try_init(),
    };
    // Already initialised (tests): keep the existing subscriber.
    let _ = result;
}
