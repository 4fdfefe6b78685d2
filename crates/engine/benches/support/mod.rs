//! What the engine's benchmarks share: a sandbox that approves sign-ins at
//! once, an engine on a fresh data folder and keychain service pointed at
//! it, and X accounts connected the way the app connects them.

use std::path::Path;

use creatorflow_engine::{Engine, EngineConfig, Platform, Platforms, Vault};
use creatorflow_sandbox::{ConsentMode, SandboxConfig, SandboxHandle};

pub async fn sandbox() -> SandboxHandle {
    creatorflow_sandbox::start(SandboxConfig {
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox")
}

/// A keychain service of the benchmark's own.
pub fn keychain_service() -> String {
    format!(
        "creatorflow-bench-{}",
        creatorflow_engine::auth::random_token(8)
    )
}

/// An engine on `dir`, every network pointed at `sandbox` with its demo apps.
pub async fn engine(dir: &Path, service: &str, sandbox: &SandboxHandle) -> Engine {
    Engine::open(
        EngineConfig::new(dir)
            .vault(Vault::keychain(service))
            .platforms(
                creatorflow_sandbox::demo_clients()
                    .into_iter()
                    .fold(Platforms::sandbox(&sandbox.base_url()), |p, c| {
                        p.with_demo_client(c.platform, c.client_id, c.client_secret, c.product)
                    }),
            ),
    )
    .await
    .expect("engine")
}

/// Connects the sandbox's X account `id`: the sign-in is approved at once and
/// its redirect handed to the engine. Answers the engine's account id.
pub async fn connect_x(engine: &Engine, sandbox: &SandboxHandle, id: &str) -> i64 {
    sandbox.set_consent(ConsentMode::Approve {
        account_id: Some(id.into()),
    });
    let start = engine.connect(Platform::X).await.expect("connect");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let resp = client
        .get(&start.authorize_url)
        .send()
        .await
        .expect("authorize");
    let back = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    engine.handle_callback(&back).await.expect("callback").id
}
