//! The request log: every request the sandbox served, without secrets.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Maximum number of requests kept (oldest dropped first).
pub const MAX_RECORDS: usize = 5000;

/// One served request. Never holds headers, bodies, tokens, codes or secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub id: u64,
    /// Emulated-clock time the request arrived.
    pub at: DateTime<Utc>,
    /// Platform id (`"x"`), `"sandbox"` for the control API and status page, or
    /// `"unknown"`.
    pub platform: String,
    pub method: String,
    /// Full path, prefix included (`/x/2/tweets`).
    pub path: String,
    /// Query string with secret values replaced by `[redacted]`.
    pub query: Option<String>,
    /// `None` while in flight (or held by a `timeout` fault).
    pub status: Option<u16>,
    /// The fault kind injected into this request, if any.
    pub fault: Option<String>,
    pub duration_ms: Option<u64>,
}

/// Query keys whose values are never recorded.
fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "code"
            | "code_verifier"
            | "code_challenge"
            | "state"
            | "password"
            | "assertion"
            | "key"
            | "sig"
            | "signature"
    ) || k.contains("token")
        || k.contains("secret")
}

/// Redacts secret values of a query string.
pub fn redact_query(query: Option<&str>) -> Option<String> {
    let q = query?;
    if q.is_empty() {
        return None;
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
        if is_secret_key(&k) {
            out.append_pair(&k, "[redacted]");
        } else {
            out.append_pair(&k, &v);
        }
    }
    Some(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets_keeps_the_rest() {
        let q = redact_query(Some(
            "code=abc&state=s&client_id=c&access_token=t&client_secret=z&x=1",
        ));
        assert_eq!(
            q.as_deref(),
            Some(
                "code=%5Bredacted%5D&state=%5Bredacted%5D&client_id=c&access_token=%5Bredacted%5D&client_secret=%5Bredacted%5D&x=1"
            )
        );
    }
}
