//! Starting and stopping the server.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::sync::{Notify, watch};
use url::Url;

use super::sandbox::{Inner, Sandbox};
use super::state::{self, ConsentMode, SandboxState};
use crate::platforms;

/// How the sandbox starts.
#[derive(Clone, Debug, Default)]
pub struct SandboxConfig {
    /// TCP port on 127.0.0.1; 0 = any free port.
    pub port: u16,
    /// Where the state is persisted (loaded at start, saved after changes and at
    /// shutdown). `None` = in memory only.
    pub state_file: Option<PathBuf>,
    /// What the authorize endpoints do. A state file's saved mode wins over this
    /// one unless `force_consent` is set.
    pub consent: ConsentMode,
    /// Apply `consent` even when the state file saved another mode.
    pub force_consent: bool,
}

/// Why the sandbox could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot bind 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read state file {path}: {source}")]
    StateRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write state file: {0}")]
    StateWrite(#[source] std::io::Error),
    #[error("server error: {0}")]
    Server(#[source] std::io::Error),
}

/// A running sandbox. Derefs to [`Sandbox`] for the in-process control API.
pub struct SandboxHandle {
    sandbox: Sandbox,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<Result<(), std::io::Error>>,
    persister: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for SandboxHandle {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

impl SandboxHandle {
    /// The bound address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared sandbox (the same object the handlers use).
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Base URL of one platform: `http://127.0.0.1:PORT/x`.
    pub fn platform_base_url(&self, platform: &str) -> Option<Url> {
        let m = self.sandbox.platform(platform)?;
        Some(self.sandbox.url(m.prefix()))
    }

    /// Stops serving (held `timeout` faults are released), then saves the state file.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        let _ = self.sandbox.inner.shutdown.send(true);
        // The persister sees the signal and finishes its current write; it is never
        // aborted mid-write, so no stale write can land after the final one.
        if let Some(p) = self.persister.take() {
            let _ = p.await;
        }
        // Graceful first; connections kept open by a client are cut after a grace period.
        let abort = self.server.abort_handle();
        match tokio::time::timeout(Duration::from_secs(3), &mut self.server).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => {
                self.sandbox
                    .persist()
                    .await
                    .map_err(SandboxError::StateWrite)?;
                return Err(SandboxError::Server(e));
            }
            Ok(Err(_)) => {}
            Err(_) => {
                abort.abort();
            }
        }
        self.sandbox
            .persist()
            .await
            .map_err(SandboxError::StateWrite)
    }
}

/// Builds the whole router: platform modules under their prefixes, the control
/// API, the status page, and the middleware around everything.
pub fn router(sb: &Sandbox) -> Router {
    let mut app: Router<Sandbox> = Router::new()
        .route("/", get(super::status_page::page))
        .merge(super::control_api::router());
    for p in sb.platforms() {
        app = app.nest(p.prefix(), p.router());
    }
    let fallback_sb = sb.clone();
    app.fallback(move |uri: axum::http::Uri| {
        let sb = fallback_sb.clone();
        async move {
            match sb.platform_for_path(uri.path()) {
                Some(m) => m.error_response(axum::http::StatusCode::NOT_FOUND, "Not Found"),
                None => axum::response::IntoResponse::into_response((
                    axum::http::StatusCode::NOT_FOUND,
                    axum::Json(serde_json::json!({"error": "not found"})),
                )),
            }
        }
    })
    .layer(axum::middleware::from_fn_with_state(
        sb.clone(),
        super::layer::middleware,
    ))
    .with_state(sb.clone())
}

/// Starts the sandbox on 127.0.0.1 and serves it in a tokio task.
pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
        .await
        .map_err(|source| SandboxError::Bind {
            port: config.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
        port: config.port,
        source,
    })?;
    let base_url = Url::parse(&format!("http://{addr}/")).map_err(|e| SandboxError::Bind {
        port: config.port,
        source: std::io::Error::other(e),
    })?;

    let modules = platforms::all();
    let mut st = match &config.state_file {
        Some(path) => match state::load(path) {
            Ok(Some(mut st)) => {
                st.seed(&modules);
                if config.force_consent {
                    st.consent = config.consent.clone();
                }
                st
            }
            Ok(None) => SandboxState::fresh(&modules, config.consent.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                // A corrupt file must not stop the app's sandbox mode: keep it aside.
                let aside = path.with_extension("corrupt.json");
                tracing::warn!(error = %e, "sandbox state file unreadable; starting fresh");
                let _ = std::fs::rename(path, &aside);
                SandboxState::fresh(&modules, config.consent.clone())
            }
            Err(source) => {
                return Err(SandboxError::StateRead {
                    path: path.clone(),
                    source,
                });
            }
        },
        None => SandboxState::fresh(&modules, config.consent.clone()),
    };
    st.format = state::STATE_FORMAT;

    let (shutdown_tx, mut shutdown_rx) = watch::channel(false);
    let sandbox = Sandbox {
        inner: Arc::new(Inner {
            state: Mutex::new(st),
            platforms: modules,
            base_url,
            state_file: config.state_file.clone(),
            initial_consent: config.consent.clone(),
            dirty: Notify::new(),
            write_lock: tokio::sync::Mutex::new(()),
            shutdown: shutdown_tx,
        }),
    };

    let app = router(&sandbox);
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = shutdown_rx.wait_for(|down| *down).await;
            })
            .await
    });

    let persister = config.state_file.as_ref().map(|_| {
        let sb = sandbox.clone();
        tokio::spawn(async move {
            let mut down = sb.shutdown_signal();
            loop {
                tokio::select! {
                    _ = sb.inner.dirty.notified() => {}
                    _ = down.wait_for(|d| *d) => break,
                }
                // Debounce bursts of requests into one write.
                tokio::time::sleep(Duration::from_millis(150)).await;
                if let Err(e) = sb.persist().await {
                    tracing::warn!(error = %e, "cannot save sandbox state");
                }
            }
        })
    });
    // Save the (possibly freshly seeded) state right away.
    sandbox.mark_dirty();

    Ok(SandboxHandle {
        sandbox,
        addr,
        server,
        persister,
    })
}
