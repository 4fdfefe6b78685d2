//! Small helpers shared by the core and the platform modules: random secrets,
//! form/basic-auth parsing, HTML escaping, hashing.

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::Rng as _;
use sha2::{Digest as _, Sha256};

/// A random URL-safe secret of `bytes` random bytes (base64url, no padding).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(buf.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buf)
}

/// A random alphanumeric string of `len` characters.
pub fn random_alnum(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Parses an `application/x-www-form-urlencoded` body into ordered pairs.
/// Never fails: malformed percent-escapes are decoded lossily, like browsers do.
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// First value of `key` in a parsed form/query.
pub fn form_get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Parses a query string (without `?`) into ordered pairs.
pub fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    parse_form(query.unwrap_or("").as_bytes())
}

/// Credentials of an `Authorization: Basic` header, per RFC 6749 §2.3.1
/// (client id and secret are form-urlencoded before base64).
/// `None` when the header is absent; `Some(Err(()))` when present but malformed.
#[allow(clippy::result_unit_err)]
pub fn basic_auth(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?;
    let Ok(value) = value.to_str() else {
        return Some(Err(()));
    };
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Some(Err(()));
    }
    let Ok(decoded) = STANDARD.decode(rest.trim()) else {
        return Some(Err(()));
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return Some(Err(()));
    };
    let Some((id, secret)) = decoded.split_once(':') else {
        return Some(Err(()));
    };
    let dec = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some(Ok((dec(id), dec(secret))))
}

/// The token of an `Authorization: Bearer` header. `None` when absent or another scheme.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") && !rest.trim().is_empty() {
        Some(rest.trim().to_string())
    } else {
        None
    }
}

/// The media type of the `Content-Type` header, lower-cased, without parameters.
pub fn content_type(headers: &HeaderMap) -> Option<String> {
    let v = headers
        .get(axum::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    Some(
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Appends query parameters to a redirect URI, keeping any it already has.
/// Returns `None` if the URI does not parse (the caller shows an error page).
pub fn append_query(uri: &str, params: &[(&str, &str)]) -> Option<String> {
    let mut url = url::Url::parse(uri).ok()?;
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_decodes_urlencoded_parts() {
        let mut h = HeaderMap::new();
        let v = STANDARD.encode("my%20id:s%3Acret");
        h.insert(
            axum::http::header::AUTHORIZATION,
            format!("Basic {v}").parse().unwrap(),
        );
        assert_eq!(
            basic_auth(&h),
            Some(Ok(("my id".to_string(), "s:cret".to_string())))
        );
    }

    #[test]
    fn html_escape_escapes_markup() {
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn append_query_keeps_existing_params() {
        assert_eq!(
            append_query("creatorflow://oauth/x?a=1", &[("code", "c d")]).as_deref(),
            Some("creatorflow://oauth/x?a=1&code=c+d")
        );
    }
}
