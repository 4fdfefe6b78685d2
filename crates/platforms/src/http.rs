//! The network clients' HTTP clients. Each is built the first time a request
//! needs it (building one loads the system's TLS roots, which takes tens of
//! milliseconds that the app's start should not wait for).
//!
//! A built client belongs to the network client that holds the handle, not to
//! the process: its pooled connections are driven by tasks of the tokio
//! runtime that opened them, so a process-wide client would hand one runtime's
//! connections to another (a test binary runs one runtime per test; a
//! connection whose runtime is gone fails every request sent on it).

use std::ops::Deref;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A `reqwest::Client` built on first use; clones share it (and its
/// connection pool).
#[derive(Clone)]
pub struct LazyClient {
    cell: Arc<OnceLock<reqwest::Client>>,
    build: fn() -> reqwest::Client,
}

impl LazyClient {
    /// A handle whose client `build` makes, the first time it is needed.
    pub fn new(build: fn() -> reqwest::Client) -> Self {
        Self {
            cell: Arc::new(OnceLock::new()),
            build,
        }
    }
}

impl Deref for LazyClient {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        self.cell.get_or_init(self.build)
    }
}

impl std::fmt::Debug for LazyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyClient")
            .field("built", &self.cell.get().is_some())
            .finish()
    }
}

fn api() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("CreatorFlow/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(300))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

fn upload() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("CreatorFlow/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// A client for API calls: timeouts suited to them.
pub fn client() -> LazyClient {
    LazyClient::new(api)
}

/// A client for uploads: no overall time limit (each request sets its own,
/// by size), and no redirects followed (YouTube's `308 Resume Incomplete` is
/// an answer, and an upload URL is never handed to another host).
pub fn upload_client() -> LazyClient {
    LazyClient::new(upload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_once_on_first_use_and_shared_by_clones() {
        let a = client();
        let b = a.clone();
        assert!(a.cell.get().is_none(), "not built before use");
        let first: *const reqwest::Client = &*b;
        assert!(a.cell.get().is_some(), "built on first use");
        assert!(std::ptr::eq(first, &*a), "clones share one client");
        let other = client();
        assert!(other.cell.get().is_none(), "a new handle has its own");
    }
}
