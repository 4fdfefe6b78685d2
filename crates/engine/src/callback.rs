//! OAuth redirect callbacks are untrusted input: whatever reaches the app
//! through the `creatorflow://` deep link or the loopback listener is parsed
//! strictly here, with bounded sizes and no panics, before any pending flow
//! is looked at.

use std::collections::HashSet;
use std::fmt;

use url::Url;

use crate::model::Platform;

/// Longest callback URL accepted (real ones are a few hundred bytes).
pub const MAX_CALLBACK_LEN: usize = 4096;
const MAX_STATE_LEN: usize = 500;
const MAX_CODE_LEN: usize = 2048;
const MAX_ERROR_LEN: usize = 100;
const MAX_DESCRIPTION_LEN: usize = 500;

/// A well-formed callback: which platform, which flow, and what happened.
#[derive(Clone, PartialEq, Eq)]
pub struct Callback {
    pub platform: Platform,
    pub state: String,
    pub outcome: Outcome,
}

#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub enum Outcome {
    Code(String),
    Error {
        error: String,
        description: Option<String>,
    },
}

// Codes and states are secrets of a sort: Debug shows neither.
impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcome = match &self.outcome {
            Outcome::Code(_) => "code(<redacted>)".to_owned(),
            Outcome::Error { error, .. } => format!("error({error})"),
        };
        write!(
            f,
            "Callback({}, state <redacted>, {outcome})",
            self.platform.as_str()
        )
    }
}

/// Why a callback was refused. The text is safe to log: it never contains the
/// code, the state or the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("callback URL longer than {MAX_CALLBACK_LEN} bytes")]
    Oversized,
    #[error("callback is not a URL")]
    NotAUrl,
    #[error("callback has an unexpected scheme, host or path")]
    WrongTarget,
    #[error("callback names an unknown platform")]
    UnknownPlatform,
    #[error("callback repeats the parameter {0}")]
    DuplicateParameter(String),
    #[error("callback has no state")]
    MissingState,
    #[error("callback state is malformed")]
    MalformedState,
    #[error("callback has neither a code nor an error")]
    MissingCode,
    #[error("callback code is malformed")]
    MalformedCode,
    #[error("callback error parameter is malformed")]
    MalformedError,
    #[error("callback carries both a code and an error")]
    CodeAndError,
}

/// Parses `creatorflow://oauth/<platform>?...` or
/// `http://127.0.0.1:<port>/oauth/<platform>/callback?...`.
pub fn parse(raw: &str) -> Result<Callback, Rejection> {
    if raw.len() > MAX_CALLBACK_LEN {
        return Err(Rejection::Oversized);
    }
    let url = Url::parse(raw.trim()).map_err(|_| Rejection::NotAUrl)?;
    let platform_name = match url.scheme() {
        "creatorflow" => {
            if url.host_str() != Some("oauth") {
                return Err(Rejection::WrongTarget);
            }
            let path = url.path().trim_end_matches('/');
            path.strip_prefix('/')
                .filter(|p| !p.contains('/'))
                .ok_or(Rejection::WrongTarget)?
                .to_owned()
        }
        "http" => {
            let loopback = matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
            if !loopback {
                return Err(Rejection::WrongTarget);
            }
            let mut segs = url.path_segments().ok_or(Rejection::WrongTarget)?;
            match (segs.next(), segs.next(), segs.next(), segs.next()) {
                (Some("oauth"), Some(p), Some("callback"), None) => p.to_owned(),
                _ => return Err(Rejection::WrongTarget),
            }
        }
        _ => return Err(Rejection::WrongTarget),
    };
    let platform = Platform::parse(&platform_name).ok_or(Rejection::UnknownPlatform)?;
    parse_query(platform, &url)
}

/// Parses the redirect a sign-in window read before it loaded: `raw` must
/// be `expected` (a registered https URI) with the callback's parameters.
pub fn parse_window_redirect(
    platform: Platform,
    expected: &str,
    raw: &str,
) -> Result<Callback, Rejection> {
    if raw.len() > MAX_CALLBACK_LEN {
        return Err(Rejection::Oversized);
    }
    let url = Url::parse(raw.trim()).map_err(|_| Rejection::NotAUrl)?;
    if !is_redirect_to(&url, expected) {
        return Err(Rejection::WrongTarget);
    }
    parse_query(platform, &url)
}

/// Whether `url` goes to the redirect URI `expected` (scheme, host, port
/// and path; the query and fragment are the callback's).
pub fn is_redirect_to(url: &Url, expected: &str) -> bool {
    let Ok(expected) = Url::parse(expected) else {
        return false;
    };
    url.scheme() == expected.scheme()
        && url.host_str() == expected.host_str()
        && url.port_or_known_default() == expected.port_or_known_default()
        && url.path() == expected.path()
}

fn parse_query(platform: Platform, url: &Url) -> Result<Callback, Rejection> {
    // Instagram appends "#_"; any other fragment is suspicious.
    if let Some(fragment) = url.fragment()
        && !(fragment.is_empty() || fragment == "_")
    {
        return Err(Rejection::WrongTarget);
    }

    let mut seen = HashSet::new();
    let (mut state, mut code, mut error, mut description) = (None, None, None, None);
    for (key, value) in url.query_pairs() {
        if !seen.insert(key.to_string()) {
            return Err(Rejection::DuplicateParameter(
                key.chars()
                    .take(20)
                    .filter(char::is_ascii_alphanumeric)
                    .collect(),
            ));
        }
        match key.as_ref() {
            "state" => state = Some(value.into_owned()),
            "code" => code = Some(value.into_owned()),
            "error" => error = Some(value.into_owned()),
            "error_description" => description = Some(value.into_owned()),
            _ => {} // scope, scopes, iss, ... are informative only
        }
    }

    let state = state.ok_or(Rejection::MissingState)?;
    if state.is_empty()
        || state.len() > MAX_STATE_LEN
        || !state
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    {
        return Err(Rejection::MalformedState);
    }
    let outcome = match (code, error) {
        (Some(_), Some(_)) => return Err(Rejection::CodeAndError),
        (Some(code), None) => {
            if code.is_empty()
                || code.len() > MAX_CODE_LEN
                || !code.bytes().all(|b| b.is_ascii_graphic())
            {
                return Err(Rejection::MalformedCode);
            }
            Outcome::Code(code)
        }
        (None, Some(error)) => {
            if error.is_empty()
                || error.len() > MAX_ERROR_LEN
                || !error
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
            {
                return Err(Rejection::MalformedError);
            }
            let description = description.map(|d| {
                d.chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_DESCRIPTION_LEN)
                    .collect::<String>()
            });
            Outcome::Error { error, description }
        }
        (None, None) => return Err(Rejection::MissingCode),
    };
    Ok(Callback {
        platform,
        state,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn deep_link_and_loopback_forms() {
        let cb = parse("creatorflow://oauth/x?state=abc-123&code=XYZ.1").expect("deep link");
        assert_eq!(cb.platform, Platform::X);
        assert_eq!(cb.state, "abc-123");
        assert_eq!(cb.outcome, Outcome::Code("XYZ.1".into()));
        let cb = parse("http://127.0.0.1:47615/oauth/x/callback?code=c&state=s").expect("loopback");
        assert_eq!(cb.platform, Platform::X);
        let cb = parse("creatorflow://oauth/instagram?code=c&state=s#_").expect("ig suffix");
        assert_eq!(cb.platform, Platform::Instagram);
        let cb = parse(
            "creatorflow://oauth/x?state=s&error=access_denied&error_description=no%0Athanks",
        )
        .expect("denied");
        assert_eq!(
            cb.outcome,
            Outcome::Error {
                error: "access_denied".into(),
                description: Some("nothanks".into())
            }
        );
    }

    #[test]
    fn malformed_callbacks_are_refused_with_a_reason() {
        let cases = [
            ("not a url", Rejection::NotAUrl),
            (
                "https://evil.example/oauth/x/callback?code=c&state=s",
                Rejection::WrongTarget,
            ),
            (
                "http://192.168.1.2:80/oauth/x/callback?code=c&state=s",
                Rejection::WrongTarget,
            ),
            (
                "creatorflow://settings/x?code=c&state=s",
                Rejection::WrongTarget,
            ),
            (
                "creatorflow://oauth/x/extra?code=c&state=s",
                Rejection::WrongTarget,
            ),
            (
                "creatorflow://oauth/myspace?code=c&state=s",
                Rejection::UnknownPlatform,
            ),
            ("creatorflow://oauth/x?code=c", Rejection::MissingState),
            (
                "creatorflow://oauth/x?code=c&state=",
                Rejection::MalformedState,
            ),
            (
                "creatorflow://oauth/x?code=c&state=a%20b",
                Rejection::MalformedState,
            ),
            ("creatorflow://oauth/x?state=s", Rejection::MissingCode),
            (
                "creatorflow://oauth/x?state=s&code=a%00b",
                Rejection::MalformedCode,
            ),
            (
                "creatorflow://oauth/x?state=s&code=c&error=x",
                Rejection::CodeAndError,
            ),
            (
                "creatorflow://oauth/x?state=s&state=t&code=c",
                Rejection::DuplicateParameter("state".into()),
            ),
            (
                "creatorflow://oauth/x?state=s&code=c#evil",
                Rejection::WrongTarget,
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(parse(raw).expect_err(raw), want, "{raw}");
        }
        let long = format!("creatorflow://oauth/x?state=s&code={}", "a".repeat(5000));
        assert_eq!(parse(&long).expect_err("long"), Rejection::Oversized);
        let long_state = format!("creatorflow://oauth/x?code=c&state={}", "a".repeat(501));
        assert_eq!(
            parse(&long_state).expect_err("state"),
            Rejection::MalformedState
        );
    }

    #[test]
    fn debug_hides_code_and_state() {
        let cb = parse("creatorflow://oauth/x?state=STATE123&code=CODE456").expect("ok");
        let out = format!("{cb:?}");
        assert!(
            !out.contains("STATE123") && !out.contains("CODE456"),
            "{out}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// No input makes the parser panic, and whatever it accepts is within bounds.
        #[test]
        fn never_panics_on_arbitrary_input(raw in ".{0,600}") {
            if let Ok(cb) = parse(&raw) {
                prop_assert!(!cb.state.is_empty() && cb.state.len() <= MAX_STATE_LEN);
            }
        }

        #[test]
        fn never_panics_on_callback_shaped_input(
            scheme in prop::sample::select(vec!["creatorflow", "http", "https", "file", ""]),
            host in prop::sample::select(vec!["oauth", "127.0.0.1:1", "[::1]:2", "evil.com", ""]),
            path in "[a-z/%.]{0,30}",
            query in "[a-zA-Z0-9=&%_.~#-]{0,200}",
        ) {
            let raw = format!("{scheme}://{host}/{path}?{query}");
            if let Ok(cb) = parse(&raw) {
                prop_assert!(cb.state.len() <= MAX_STATE_LEN);
                if let Outcome::Code(code) = &cb.outcome {
                    prop_assert!(!code.is_empty() && code.len() <= MAX_CODE_LEN);
                }
            }
        }
    }
}
