//! The shared HTTP clients. Each is built once, the first time a request
//! needs it (building one loads the system's TLS roots, which takes tens of
//! milliseconds that the app's start should not wait for), and every network
//! client shares it, with its connection pool.

use std::ops::Deref;
use std::sync::LazyLock;
use std::time::Duration;

/// A handle on one of the shared clients; derefs to the `reqwest::Client`,
/// built on first use.
#[derive(Clone, Copy)]
pub struct Shared(&'static LazyLock<reqwest::Client>);

impl Deref for Shared {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        self.0
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared(reqwest::Client)")
    }
}

impl Shared {
    /// A handle on `client`, a static built on first use.
    pub(crate) const fn new(client: &'static LazyLock<reqwest::Client>) -> Self {
        Self(client)
    }
}

static API: LazyLock<reqwest::Client> = LazyLock::new(|| {
    reqwest::Client::builder()
        .user_agent(concat!("CreatorFlow/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(300))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
});

static UPLOAD: LazyLock<reqwest::Client> = LazyLock::new(|| {
    reqwest::Client::builder()
        .user_agent(concat!("CreatorFlow/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
});

/// The client for API calls: timeouts suited to them.
pub fn client() -> Shared {
    Shared::new(&API)
}

/// The client for uploads: no overall time limit (each request sets its own,
/// by size), and no redirects followed (YouTube's `308 Resume Incomplete` is
/// an answer, and an upload URL is never handed to another host).
pub fn upload_client() -> Shared {
    Shared::new(&UPLOAD)
}
