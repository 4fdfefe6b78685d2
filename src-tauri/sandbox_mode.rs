//! Sandbox mode: the embedded emulators of the five platforms on 127.0.0.1,
//! with their state (demo accounts, tokens, received posts) kept in the data
//! directory so demo accounts stay connected across restarts.

use std::path::Path;

use creatorflow_engine::Platforms;
use creatorflow_sandbox::{ConsentMode, SandboxConfig, SandboxHandle};

/// The sandbox tries this port first so stored avatar URLs keep working
/// across restarts; any free port otherwise.
pub const PREFERRED_PORT: u16 = 47600;

pub async fn start(data_dir: &Path) -> Result<SandboxHandle, creatorflow_sandbox::SandboxError> {
    let config = |port| SandboxConfig {
        port,
        state_file: Some(data_dir.join("sandbox-state.json")),
        consent: ConsentMode::Ask,
        force_consent: false,
    };
    match creatorflow_sandbox::start(config(PREFERRED_PORT)).await {
        Ok(h) => Ok(h),
        Err(creatorflow_sandbox::SandboxError::Bind { .. }) => {
            creatorflow_sandbox::start(config(0)).await
        }
        Err(e) => Err(e),
    }
}

/// Every platform pointed at the sandbox, with its demo developer apps.
pub fn platforms(sandbox: &SandboxHandle) -> Platforms {
    creatorflow_sandbox::demo_clients()
        .into_iter()
        .fold(Platforms::sandbox(&sandbox.base_url()), |p, c| {
            p.with_demo_client(c.platform, c.client_id, c.client_secret)
        })
}
