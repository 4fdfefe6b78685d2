//! Fault injection: rules that make the next N matching requests fail in a chosen way.

use serde::{Deserialize, Serialize};

/// What happens to a matching request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer `status` at once. `body`: a JSON value is sent as JSON, a JSON string
    /// as `text/plain`; absent = the platform's own error shape for that status.
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<serde_json::Value>,
    },
    /// The platform's own 429 (X: `x-rate-limit-*` headers + problem JSON), with the
    /// window resetting `reset_after_secs` from now on the emulated clock.
    RateLimit {
        reset_after_secs: i64,
        /// Value of the limit header (default 100).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u64>,
    },
    /// Wait `ms` milliseconds, then serve normally.
    Delay { ms: u64 },
    /// Run the real handler, send the headers and about half of the body, then
    /// abort the connection. The side effect (e.g. a created post) happens.
    ResetMidBody,
    /// Never answer: hold the connection until the client gives up (or the sandbox
    /// shuts down). The handler is not run.
    Timeout,
}

impl Fault {
    /// Short name, as shown in the request log.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Status { .. } => "status",
            Self::RateLimit { .. } => "rate_limit",
            Self::Delay { .. } => "delay",
            Self::ResetMidBody => "reset_mid_body",
            Self::Timeout => "timeout",
        }
    }
}

fn one() -> u32 {
    1
}

/// A fault rule to inject (`POST /_sandbox/faults`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    /// HTTP method to match (any if absent), case-insensitive.
    #[serde(default)]
    pub method: Option<String>,
    /// Full path (prefix included): exact, or a prefix ending in `*`.
    pub path: String,
    /// How many matching requests it applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// The chance (above 0, at most 1) that a matching request gets the
    /// fault; one that does not goes on to the next rule, or is served. Every
    /// matching request gets it when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chance: Option<f64>,
    pub fault: Fault,
}

impl FaultSpec {
    /// A rule for the next matching request.
    pub fn new(method: Option<&str>, path: &str, fault: Fault) -> Self {
        Self {
            method: method.map(str::to_string),
            path: path.to_string(),
            count: 1,
            chance: None,
            fault,
        }
    }

    /// Applies to the next `count` matching requests.
    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    /// Applies to each matching request with chance `chance` (0 to 1).
    pub fn with_chance(mut self, chance: f64) -> Self {
        self.chance = Some(chance);
        self
    }
}

/// A fault rule waiting for requests (`GET /_sandbox/faults`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingFault {
    pub id: u64,
    pub method: Option<String>,
    pub path: String,
    /// Matching requests it will still apply to.
    pub remaining: u32,
    /// The chance that a matching request gets it (always when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chance: Option<f64>,
    pub fault: Fault,
}

impl PendingFault {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        method_ok && path_ok && self.remaining > 0
    }
}

/// Validates a spec before it is stored.
pub fn validate(spec: &FaultSpec) -> Result<(), String> {
    if !spec.path.starts_with('/') {
        return Err("path must start with '/'".into());
    }
    if spec.count == 0 {
        return Err("count must be at least 1".into());
    }
    if let Some(c) = spec.chance
        && !(c > 0.0 && c <= 1.0)
    {
        return Err(format!("chance must be above 0 and at most 1 (got {c})"));
    }
    if let Some(m) = &spec.method
        && (m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(format!("invalid method {m:?}"));
    }
    match &spec.fault {
        Fault::Status { status, .. } if !(100..=599).contains(status) => {
            Err(format!("status {status} is not an HTTP status"))
        }
        Fault::RateLimit {
            reset_after_secs, ..
        } if *reset_after_secs < 0 => Err("reset_after_secs must be >= 0".into()),
        Fault::Delay { ms } if *ms > 600_000 => Err("delay ms must be <= 600000".into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_method_matching() {
        let f = PendingFault {
            id: 1,
            method: Some("post".into()),
            path: "/x/2/media/*".into(),
            remaining: 1,
            chance: None,
            fault: Fault::Timeout,
        };
        assert!(f.matches("POST", "/x/2/media/upload"));
        assert!(!f.matches("GET", "/x/2/media/upload"));
        assert!(!f.matches("POST", "/x/2/tweets"));
    }

    #[test]
    fn spec_json_shape() {
        let s: FaultSpec = serde_json::from_str(
            r#"{"path":"/x/2/tweets","fault":{"kind":"rate_limit","reset_after_secs":60}}"#,
        )
        .expect("parses");
        assert_eq!(s.count, 1);
        assert_eq!(
            s.fault,
            Fault::RateLimit {
                reset_after_secs: 60,
                limit: None
            }
        );
    }
}
