//! The title of a linked page, for a link share (`content.article`,
//! docs/platforms/linkedin.md §3.2): the Posts API does not fetch the page
//! itself, so CreatorFlow reads `<meta property="og:title">`, else
//! `<title>`, from the start of the page. The download is bounded in size
//! and time; a page that does not answer or has no title gives `None`, and
//! the post goes out without a preview.

use std::time::Duration;

use url::Url;

/// Bytes read from the page at most (the `<head>` comes first).
pub const MAX_PAGE_BYTES: usize = 256 * 1024;
/// Time for the whole page fetch, redirects included.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest title kept (longer ones are cut with `…`).
pub const MAX_TITLE_CHARS: usize = 200;
/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

/// The client for linked pages: short timeouts, few redirects, no cookies.
pub(super) fn page_client() -> crate::http::LazyClient {
    crate::http::LazyClient::new(|| {
        reqwest::Client::builder()
            .user_agent(concat!(
                "Mozilla/5.0 (compatible; CreatorFlow/",
                env!("CARGO_PKG_VERSION"),
                "; link preview)"
            ))
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .connect_timeout(Duration::from_secs(3))
            .timeout(PAGE_TIMEOUT)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new())
    })
}

/// The title of the page at `url`, or `None` (no answer, not HTML, no
/// title). Never an error: a link preview is a nicety.
pub async fn page_title(http: &reqwest::Client, url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let mut resp = match http
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            tracing::debug!(
                status = r.status().as_u16(),
                "linked page did not answer 2xx"
            );
            return None;
        }
        Err(e) => {
            tracing::debug!("linked page unreachable: {}", e.without_url());
            return None;
        }
    };
    let html_like = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| {
            let ct = ct.to_ascii_lowercase();
            ct.starts_with("text/html") || ct.starts_with("application/xhtml")
        });
    if !html_like {
        return None;
    }
    let mut page = Vec::new();
    while page.len() < MAX_PAGE_BYTES {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_PAGE_BYTES - page.len();
                page.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            // A page cut off part way may still have its <head>.
            Err(_) => break,
        }
    }
    title_of(&String::from_utf8_lossy(&page))
}

/// `og:title`, else `<title>`, of an HTML page: entities decoded, white
/// space collapsed, at most [`MAX_TITLE_CHARS`].
pub(super) fn title_of(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let og = find_tags(html, &lower, "<meta").find_map(|attrs| {
        let key = attr(attrs, "property").or_else(|| attr(attrs, "name"))?;
        key.eq_ignore_ascii_case("og:title")
            .then(|| attr(attrs, "content"))
            .flatten()
    });
    let title = og.map(str::to_owned).or_else(|| {
        let open = lower.find("<title")?;
        let start = open + lower[open..].find('>')? + 1;
        let end = start + lower[start..].find("</title")?;
        Some(html[start..end].to_owned())
    })?;
    let clean = decode_entities(&title)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if clean.is_empty() {
        return None;
    }
    Some(crate::support::errors::shorten(&clean, MAX_TITLE_CHARS))
}

/// The attribute text of every `tag` (e.g. `<meta`) in the page.
fn find_tags<'a>(html: &'a str, lower: &'a str, tag: &'a str) -> impl Iterator<Item = &'a str> {
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let at = from + lower[from..].find(tag)?;
            let after = at + tag.len();
            from = after;
            // `<meta` but not `<metadata`.
            if lower[after..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                continue;
            }
            let end = after + lower[after..].find('>')?;
            from = end;
            return Some(&html[after..end]);
        }
    })
}

/// The value of attribute `name` in a tag's attribute text.
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at == 0
            || lower[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_whitespace() || c == '"' || c == '\'' || c == '/');
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_at = attrs.len() - rest.len() + 1;
        let value = attrs[value_at..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let inner = &value[1..];
                &inner[..inner.find(q).unwrap_or(inner.len())]
            }
            _ => {
                let end = value
                    .find(|c: char| c.is_whitespace() || c == '/')
                    .unwrap_or(value.len());
                &value[..end]
            }
        });
    }
    None
}

/// The common named entities and numeric references.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn og_title_first_then_title() {
        let html = r#"<html><head><title>Plain</title>
            <meta name="description" content="d">
            <META property='og:title' content="Open &amp; Graph &#8211; &#x2014; ok"/>
            </head></html>"#;
        assert_eq!(title_of(html).as_deref(), Some("Open & Graph – — ok"));
        let html = "<html><head><metadata></metadata><title lang=en>\n  A  page\n</title>";
        assert_eq!(title_of(html).as_deref(), Some("A page"));
        assert_eq!(
            title_of(r#"<meta content="Reversed" property="og:title">"#).as_deref(),
            Some("Reversed")
        );
        assert_eq!(title_of("<html><body>no title</body></html>"), None);
        assert_eq!(title_of("<title>   </title>"), None);
        assert_eq!(
            title_of("<title>AT&T &bogus; & more</title>").as_deref(),
            Some("AT&T &bogus; & more")
        );
        let long = format!("<title>{}</title>", "x".repeat(300));
        assert_eq!(
            title_of(&long).map(|t| t.chars().count()),
            Some(MAX_TITLE_CHARS + 1)
        );
    }

    #[test]
    fn attributes() {
        assert_eq!(
            attr(r#" property="og:title" content="a b""#, "content"),
            Some("a b")
        );
        assert_eq!(attr(" data-content=x content=y", "content"), Some("y"));
        assert_eq!(attr(" content = 'z' ", "content"), Some("z"));
        assert_eq!(attr(" name=x", "content"), None);
    }
}
