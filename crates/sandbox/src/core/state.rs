//! The whole sandbox state: one serialisable struct behind one mutex, persisted
//! to the state file (atomic temp-file + rename).

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::faults::PendingFault;
use super::oauth::PkceMethod;
use super::platform::{PlatformCore, PlatformModule};
use super::reqlog::RequestRecord;
use crate::platforms::linkedin::LinkedInState;
use crate::platforms::meta::MetaState;
use crate::platforms::tiktok::TikTokState;
use crate::platforms::x::XState;
use crate::platforms::youtube::YouTubeState;

/// Version of the state file layout.
pub const STATE_FORMAT: u32 = 1;

/// What the authorize endpoints do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum ConsentMode {
    /// Show the consent page (account picker, Approve / Deny).
    #[default]
    Ask,
    /// Approve at once, redirecting with a code. `account_id`: the account to
    /// authorize; if absent or not an account of that platform, its first account.
    Approve {
        #[serde(default, alias = "account", skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
    },
    /// Deny at once (`error=access_denied`).
    Deny,
}

/// An authorize request waiting for the user on the consent page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingConsent {
    pub platform: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub challenge_method: Option<PkceMethod>,
    pub code_lifetime_secs: i64,
    /// Extra query parameters added to the success redirect (e.g. TikTok `scopes`).
    #[serde(default)]
    pub extra_redirect_params: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
}

/// Everything the sandbox knows. Fields marked `serde(skip)` are runtime-only.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SandboxState {
    pub format: u32,
    /// Emulated clock = real time + this offset.
    pub clock_offset_ms: i64,
    pub consent: ConsentMode,
    /// Sequence for snowflake-style ids.
    pub id_seq: u64,
    /// Core state per platform id.
    pub platforms: BTreeMap<String, PlatformCore>,
    /// Consent pages waiting for a decision, by consent id.
    #[serde(default)]
    pub consents: BTreeMap<String, PendingConsent>,
    /// X-specific state (tweets, media).
    #[serde(default)]
    pub x: XState,
    /// LinkedIn-specific state (posts, comments, images, videos, upload URLs).
    #[serde(default)]
    pub linkedin: LinkedInState,
    /// TikTok-specific state (publishes, uploads, sliding rate windows).
    #[serde(default)]
    pub tiktok: TikTokState,
    /// Meta (Instagram) state (tokens, containers, media).
    #[serde(default)]
    pub meta: MetaState,
    /// YouTube-specific state (videos, upload sessions, grants, quota settings).
    #[serde(default)]
    pub youtube: YouTubeState,
    // Platform-specific state of the next modules goes here, each `#[serde(default)]`.
    #[serde(skip)]
    pub faults: Vec<PendingFault>,
    #[serde(skip)]
    pub next_fault_id: u64,
    #[serde(skip)]
    pub requests: VecDeque<RequestRecord>,
    #[serde(skip)]
    pub next_request_id: u64,
}

impl SandboxState {
    /// A fresh state with every platform seeded.
    pub fn fresh(platforms: &[Arc<dyn PlatformModule>], consent: ConsentMode) -> Self {
        let mut s = Self {
            format: STATE_FORMAT,
            consent,
            ..Self::default()
        };
        s.seed(platforms);
        s
    }

    /// Adds what is missing (new platforms, seeded accounts and clients).
    pub fn seed(&mut self, platforms: &[Arc<dyn PlatformModule>]) {
        for p in platforms {
            p.seed(self.platforms.entry(p.id().to_string()).or_default());
        }
    }

    /// The emulated clock.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.clock_offset_ms)
    }

    /// Core state of a platform, created empty if needed.
    pub fn core(&mut self, platform: &str) -> &mut PlatformCore {
        self.platforms.entry(platform.to_string()).or_default()
    }

    /// Core state of a platform, read-only.
    pub fn core_ref(&self, platform: &str) -> Option<&PlatformCore> {
        self.platforms.get(platform)
    }

    /// A Twitter-style snowflake id (ms since 2010-11-04 << 22 | sequence), unique
    /// within this sandbox and increasing with the emulated clock.
    pub fn next_snowflake(&mut self) -> u64 {
        const TWEPOCH_MS: i64 = 1_288_834_974_657;
        self.id_seq = self.id_seq.wrapping_add(1);
        let ms = (self.now().timestamp_millis() - TWEPOCH_MS).max(0) as u64;
        (ms << 22) | (self.id_seq & 0x3F_FFFF)
    }

    /// Serialises the persistent part.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec_pretty(self)
    }
}

/// Reads a state file. `Ok(None)` if it does not exist.
pub fn load(path: &Path) -> Result<Option<SandboxState>, std::io::Error> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Writes `bytes` to `path` atomically: a temp file in the same folder, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), std::io::Error> {
    use std::io::Write as _;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sandbox-state.json".into());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        super::util::random_alnum(8)
    ));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
