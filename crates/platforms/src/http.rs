//! The shared HTTP client.

use std::time::Duration;

/// A reqwest client with timeouts suitable for API calls and uploads.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("CreatorFlow/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(60))
        .timeout(Duration::from_secs(300))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// A client for uploads: no overall time limit (each request sets its own,
/// by size), and no redirects followed (YouTube's `308 Resume Incomplete` is
/// an answer, and an upload URL is never handed to another host).
pub fn upload_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("CreatorFlow/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}
