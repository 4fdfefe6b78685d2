//! The text of networks' error answers: how much of it goes into a message
//! or a detail line, secrets scrubbed, the body read as JSON or as text, and
//! `Retry-After`.

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::error::PlatformError;

/// Longest piece of a network's own text put in a message (the detail keeps
/// more).
pub(crate) const MAX_REASON_CHARS: usize = 200;
/// Longest detail line.
pub(crate) const MAX_DETAIL_CHARS: usize = 600;

/// `s` cut to `max` characters, with `…` when something was cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// Replaces any occurrence of `secret` in the error's text (a platform that
/// echoed a token back must not get it into logs).
pub(crate) fn redact(mut err: PlatformError, secret: &str) -> PlatformError {
    if secret.len() < 4 {
        return err;
    }
    if err.message.contains(secret) {
        err.message = err.message.replace(secret, "[redacted]");
    }
    if let Some(d) = &err.detail
        && d.contains(secret)
    {
        err.detail = Some(d.replace(secret, "[redacted]"));
    }
    err
}

/// An error answer's body as JSON. A body that is not JSON gives its text
/// instead (`Err`): trimmed, shortened to [`MAX_DETAIL_CHARS`], `None` when
/// there is none.
pub(crate) fn json_body(body: &[u8]) -> Result<Value, Option<String>> {
    serde_json::from_slice::<Value>(body).map_err(|_| {
        let text = String::from_utf8_lossy(body).trim().to_owned();
        (!text.is_empty()).then(|| shorten(&text, MAX_DETAIL_CHARS))
    })
}

/// A string of an error body, trimmed; `None` when it is absent, not a
/// string, or blank.
pub(crate) fn str_field(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// When `Retry-After` (seconds, or an HTTP date) says to come back.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<i64>() {
        return Some(now + chrono::Duration::seconds(secs.max(0)));
    }
    DateTime::parse_from_rfc2822(v)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use reqwest::header::HeaderValue;

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("héllo", 5), "héllo");
        assert_eq!(shorten("héllo", 2), "hé…");
    }

    #[test]
    fn redact_scrubs_message_and_detail_but_not_short_secrets() {
        let e = PlatformError::new(ErrorKind::Auth, "x", "token abcd1234 refused")
            .with_detail("got abcd1234");
        let e = redact(e, "abcd1234");
        assert_eq!(e.message, "token [redacted] refused");
        assert_eq!(e.detail.as_deref(), Some("got [redacted]"));
        let e = redact(PlatformError::new(ErrorKind::Auth, "x", "abc"), "abc");
        assert_eq!(e.message, "abc");
    }

    #[test]
    fn bodies_are_json_or_text() {
        assert_eq!(json_body(br#"{"a":1}"#), Ok(serde_json::json!({"a": 1})));
        assert_eq!(json_body(b"  <html>  "), Err(Some("<html>".to_owned())));
        assert_eq!(json_body(b"   "), Err(None));
        let long = "x".repeat(MAX_DETAIL_CHARS + 10);
        let cut = json_body(long.as_bytes()).expect_err("text").expect("some");
        assert_eq!(cut.chars().count(), MAX_DETAIL_CHARS + 1);
        let v = serde_json::json!({"a": " hi ", "b": " ", "c": 5});
        assert_eq!(str_field(v.get("a")).as_deref(), Some("hi"));
        assert_eq!(str_field(v.get("b")), None);
        assert_eq!(str_field(v.get("c")), None);
        assert_eq!(str_field(v.get("d")), None);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = DateTime::parse_from_rfc3339("2023-11-14T22:13:20Z")
            .expect("time")
            .with_timezone(&Utc);
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, now), None);
        h.insert("retry-after", HeaderValue::from_static(" 120 "));
        assert_eq!(
            retry_after(&h, now),
            Some(now + chrono::Duration::seconds(120))
        );
        h.insert("retry-after", HeaderValue::from_static("-5"));
        assert_eq!(retry_after(&h, now), Some(now));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Tue, 14 Nov 2023 22:23:20 GMT"),
        );
        assert_eq!(
            retry_after(&h, now),
            Some(now + chrono::Duration::seconds(600))
        );
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }
}
