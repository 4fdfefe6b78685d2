//! Fetching `image_url` / `video_url` / `file_url` the way Meta "cURLs" media:
//! streamed, hashed on the fly, only the size, SHA-256 and first bytes kept.

use std::sync::OnceLock;
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::media::HEAD_BYTES;

/// What a fetch produced.
#[derive(Clone, Debug)]
pub(crate) struct Fetched {
    pub size: u64,
    pub sha256: String,
    /// The first bytes (for sniffing the type and reading image dimensions).
    pub head: Vec<u8>,
}

/// Why a fetch failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FetchError {
    /// Not http(s), connection refused, DNS, non-2xx ... (2207052).
    Unreachable(String),
    /// Took longer than the configured timeout (2207003).
    Timeout,
    /// More than `max` bytes.
    TooLarge,
}

fn client(loopback: bool) -> &'static reqwest::Client {
    static DIRECT: OnceLock<reqwest::Client> = OnceLock::new();
    static DEFAULT: OnceLock<reqwest::Client> = OnceLock::new();
    let cell = if loopback { &DIRECT } else { &DEFAULT };
    cell.get_or_init(|| {
        let b =
            reqwest::Client::builder().user_agent("facebookexternalhit/1.1 (CreatorFlow sandbox)");
        // A proxy from the environment must not capture URLs served on this machine.
        let b = if loopback { b.no_proxy() } else { b };
        b.build().unwrap_or_default()
    })
}

/// GETs `url`, reading at most `max` bytes, within `timeout`.
pub(crate) async fn fetch(url: &str, timeout: Duration, max: u64) -> Result<Fetched, FetchError> {
    let parsed = url::Url::parse(url).map_err(|_| FetchError::Unreachable("not a URL".into()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::Unreachable(format!(
            "unsupported scheme {}",
            parsed.scheme()
        )));
    }
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    let work = async {
        let mut resp = client(loopback)
            .get(parsed.clone())
            .send()
            .await
            .map_err(|e| classify(&e))?;
        if !resp.status().is_success() {
            return Err(FetchError::Unreachable(format!("HTTP {}", resp.status())));
        }
        let mut size: u64 = 0;
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| classify(&e))? {
            size += chunk.len() as u64;
            if size > max {
                return Err(FetchError::TooLarge);
            }
            hasher.update(&chunk);
            if head.len() < HEAD_BYTES {
                let take = (HEAD_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
        }
        Ok(Fetched {
            size,
            sha256: hex::encode(hasher.finalize()),
            head,
        })
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(r) => r,
        Err(_) => Err(FetchError::Timeout),
    }
}

fn classify(e: &reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else {
        FetchError::Unreachable(e.to_string())
    }
}
