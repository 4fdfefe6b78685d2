//! Fetching `image_url` / `video_url` / `cover_url` / `file_url` the way Meta
//! "cURLs" media: from public addresses only, streamed, hashed on the fly, only the
//! size, SHA-256 and first bytes kept.
//!
//! Meta's servers cannot reach an address on this machine or on a private network,
//! so a URL whose host is a loopback, private (RFC 1918, 100.64.0.0/10, fc00::/7),
//! link-local or unspecified address, or `localhost`, is refused like any URL Meta
//! cannot fetch, unless the host is listed in the `public_hosts` setting (tests list
//! their local media server there). Redirects are followed by hand so that every hop
//! is checked. Only literal addresses and `localhost` are recognised: DNS names are
//! not resolved for this check (a name that resolves to a private address is
//! fetched as usual).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;
use std::time::Duration;

use sha2::{Digest as _, Sha256};
use url::{Host, Url};

use super::media::HEAD_BYTES;

/// Redirect hops followed before giving up (curl's and reqwest's usual limit).
const MAX_REDIRECTS: usize = 10;

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
    /// Not http(s), not a public address, connection refused, DNS, non-2xx ... (2207052).
    Unreachable(String),
    /// Took longer than the configured timeout (2207003).
    Timeout,
    /// More than `max` bytes.
    TooLarge,
}

fn client(direct: bool) -> &'static reqwest::Client {
    static DIRECT: OnceLock<reqwest::Client> = OnceLock::new();
    static DEFAULT: OnceLock<reqwest::Client> = OnceLock::new();
    let cell = if direct { &DIRECT } else { &DEFAULT };
    cell.get_or_init(|| {
        let b = reqwest::Client::builder()
            .user_agent("facebookexternalhit/1.1 (CreatorFlow sandbox)")
            // Each hop is checked by `fetch`.
            .redirect(reqwest::redirect::Policy::none());
        // A proxy from the environment must not capture URLs served on this machine
        // or network (hosts listed in `public_hosts`).
        let b = if direct { b.no_proxy() } else { b };
        b.build().unwrap_or_default()
    })
}

/// What kind of non-public address an IPv4 address is, if any.
fn ipv4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a shared (CGNAT) address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_unspecified() {
        Some("the unspecified address")
    } else {
        None
    }
}

/// What kind of non-public address an IPv6 address is, if any (IPv4-mapped
/// addresses are judged as IPv4).
fn ipv6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return ipv4_kind(v4);
    }
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private (unique local) address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if ip.is_unspecified() {
        Some("the unspecified address")
    } else {
        None
    }
}

/// Why Meta could never reach this host, or `None` if it may be public. Literal
/// addresses and `localhost` (also `*.localhost`, RFC 6761) only: DNS names are
/// not resolved.
pub(crate) fn non_public(host: &Host<&str>) -> Option<&'static str> {
    match host {
        Host::Ipv4(ip) => ipv4_kind(*ip),
        Host::Ipv6(ip) => ipv6_kind(*ip),
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            (d == "localhost" || d.ends_with(".localhost")).then_some("localhost")
        }
    }
}

/// Whether a `public_hosts` entry has the shape `host` or `host:port`.
pub(crate) fn is_host_entry(entry: &str) -> bool {
    if entry.parse::<Ipv6Addr>().is_ok() {
        // A bare IPv6 address (`::1`); with a port it needs brackets.
        return true;
    }
    !entry.is_empty()
        && !entry.contains(|c: char| c.is_whitespace() || "/?#@\\".contains(c))
        && Url::parse(&format!("http://{entry}/")).is_ok_and(|u| u.host_str().is_some())
}

/// Whether `url`'s host (as `host` or `host:port`) is in `public_hosts`.
fn listed(url: &Url, public_hosts: &[String]) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default();
    public_hosts.iter().any(|entry| {
        let e = entry.trim();
        e.eq_ignore_ascii_case(host)
            || e.eq_ignore_ascii_case(bare)
            || port.is_some_and(|p| e.eq_ignore_ascii_case(&format!("{host}:{p}")))
    })
}

/// Checks one URL (the first or a redirect target). `Ok(true)` when the host is a
/// non-public one listed in `public_hosts` (fetched without a proxy).
fn check_url(url: &Url, public_hosts: &[String]) -> Result<bool, FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Unreachable(format!(
            "unsupported scheme {}",
            url.scheme()
        )));
    }
    let Some(host) = url.host() else {
        return Err(FetchError::Unreachable("no host".into()));
    };
    match non_public(&host) {
        None => Ok(false),
        Some(_) if listed(url, public_hosts) => Ok(true),
        Some(kind) => Err(FetchError::Unreachable(format!(
            "{} is {kind}, not reachable from the internet",
            host_port(url)
        ))),
    }
}

fn host_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// GETs `url`, reading at most `max` bytes, within `timeout`. Refuses non-public
/// hosts that are not in `public_hosts`, also as redirect targets.
pub(crate) async fn fetch(
    url: &str,
    timeout: Duration,
    max: u64,
    public_hosts: &[String],
) -> Result<Fetched, FetchError> {
    let mut current = Url::parse(url).map_err(|_| FetchError::Unreachable("not a URL".into()))?;
    let work = async {
        let mut hops = 0;
        let mut resp = loop {
            let direct = check_url(&current, public_hosts)?;
            let resp = client(direct)
                .get(current.clone())
                .send()
                .await
                .map_err(|e| classify(&e))?;
            if !resp.status().is_redirection() {
                break resp;
            }
            let Some(next) = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| current.join(l).ok())
            else {
                return Err(FetchError::Unreachable(format!(
                    "HTTP {} without a usable Location",
                    resp.status()
                )));
            };
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(FetchError::Unreachable("too many redirects".into()));
            }
            current = next;
        };
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

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn kind_of(ip: IpAddr) -> Option<&'static str> {
        match ip {
            IpAddr::V4(v4) => ipv4_kind(v4),
            IpAddr::V6(v6) => ipv6_kind(v6),
        }
    }

    fn refused(url: &str, public: &[&str]) -> bool {
        let hosts: Vec<String> = public.iter().map(|s| s.to_string()).collect();
        let u = Url::parse(url).expect("url");
        check_url(&u, &hosts).is_err()
    }

    #[test]
    fn non_public_addresses() {
        for ip in [
            "127.0.0.1",
            "127.5.6.7",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
        ] {
            let parsed: IpAddr = ip.parse().expect("ip");
            assert!(kind_of(parsed).is_some(), "{ip} is not public");
        }
        for ip in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "100.63.255.255",
            "192.169.0.1",
            "2606:4700::1111",
            "fec0::1",
        ] {
            let parsed: IpAddr = ip.parse().expect("ip");
            assert!(kind_of(parsed).is_none(), "{ip} is public");
        }
    }

    #[test]
    fn urls_are_checked_with_the_public_hosts_list() {
        assert!(refused("http://127.0.0.1:8080/a.jpg", &[]));
        assert!(refused("http://LOCALHOST/a.jpg", &[]));
        assert!(refused("http://media.localhost./a.jpg", &[]));
        assert!(refused("http://[::1]:8080/a.jpg", &[]));
        // WHATWG parsing turns these into 127.0.0.1.
        assert!(refused("http://127.1/a.jpg", &[]));
        assert!(refused("http://0x7f000001/a.jpg", &[]));
        assert!(refused("https://10.0.0.5/a.jpg", &["10.0.0.6"]));
        assert!(refused("http://127.0.0.1:8080/a.jpg", &["127.0.0.1:8081"]));
        assert!(refused("ftp://example.com/a.jpg", &[]));
        // DNS names are not resolved.
        assert!(!refused("https://cdn.example.com/a.jpg", &[]));
        assert!(!refused("http://127.0.0.1:8080/a.jpg", &["127.0.0.1:8080"]));
        assert!(!refused("http://127.0.0.1:8080/a.jpg", &["127.0.0.1"]));
        assert!(!refused("http://LocalHost:9/a.jpg", &["localhost:9"]));
        assert!(!refused("http://[::1]:8080/a.jpg", &["[::1]:8080"]));
        assert!(!refused("http://[::1]:8080/a.jpg", &["::1"]));
        assert!(!refused("http://10.0.0.5/a.jpg", &["10.0.0.5:80"]));
    }

    #[test]
    fn host_entries() {
        for ok in [
            "127.0.0.1",
            "127.0.0.1:9000",
            "localhost",
            "[::1]:8080",
            "::1",
        ] {
            assert!(is_host_entry(ok), "{ok}");
        }
        for bad in ["", "http://127.0.0.1", "127.0.0.1/x", " localhost", "a b"] {
            assert!(!is_host_entry(bad), "{bad}");
        }
    }
}
