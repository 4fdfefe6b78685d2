//! Helpers every network's suite uses: `common/mod.rs` (X) and the
//! `*_common/mod.rs` modules include this file (`#[path]`) and re-export it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use creatorflow_platforms::{MediaFile, PublishSink};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A file of `tests/fixtures`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).expect("fixture")
}

/// Writes `bytes` to `dir/name` and describes it as the engine would, with
/// no probed metadata (dimensions, duration, codec).
pub fn media_file(dir: &Path, name: &str, bytes: &[u8], mime: &str) -> MediaFile {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, bytes).expect("write media");
    MediaFile {
        path,
        name: Some(name.to_owned()),
        mime: mime.to_owned(),
        size: bytes.len() as u64,
        sha256: sha256_hex(bytes),
        width: None,
        height: None,
        duration_ms: None,
        codec: None,
        alt_text: None,
    }
}

/// What the engine would see: every checkpoint and progress report.
/// `on_checkpoint` runs after each one is recorded (to inject faults or
/// advance the clock mid-publish); returning `Err` makes the save fail.
pub struct RecordingSink {
    pub checkpoints: Mutex<Vec<Value>>,
    pub progress: Mutex<Vec<(u64, u64)>>,
    #[allow(clippy::type_complexity)]
    pub on_checkpoint: Box<dyn Fn(&Value) -> Result<(), String> + Send + Sync>,
}

impl RecordingSink {
    pub fn new() -> Self {
        Self::with_hook(|_| Ok(()))
    }

    pub fn with_hook(hook: impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static) -> Self {
        Self {
            checkpoints: Mutex::new(Vec::new()),
            progress: Mutex::new(Vec::new()),
            on_checkpoint: Box::new(hook),
        }
    }

    pub fn checkpoints(&self) -> Vec<Value> {
        self.checkpoints.lock().expect("lock").clone()
    }

    pub fn progress(&self) -> Vec<(u64, u64)> {
        self.progress.lock().expect("lock").clone()
    }
}

#[async_trait]
impl PublishSink for RecordingSink {
    async fn checkpoint(&self, checkpoint: &Value) -> Result<(), String> {
        self.checkpoints
            .lock()
            .expect("lock")
            .push(checkpoint.clone());
        (self.on_checkpoint)(checkpoint)
    }

    fn progress(&self, sent: u64, total: u64) {
        self.progress.lock().expect("lock").push((sent, total));
    }
}
