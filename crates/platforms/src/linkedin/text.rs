//! The post's text as LinkedIn's `commentary` (docs/platforms/linkedin.md
//! §9, the "little" text format), its length as LinkedIn counts it, and the
//! first link of a post.
//!
//! LinkedIn parses `commentary`: `@[Name](urn)` is a mention, `#tag` a
//! hashtag, and an unescaped reserved character `\ | { } @ [ ] ( ) < > # * _
//! ~` can silently cut the published post at that character (§9). So the
//! text is escaped, one character at a time, except:
//! - a `#` that starts a hashtag (a letter or digit follows), so it stays a
//!   hashtag;
//! - a URL (`http://` or `https://` after a non-alphanumeric character, up
//!   to the next whitespace), left intact so LinkedIn links it.
//!
//! Escaping each character on its own with a backslash before it is the
//! order of §9 (a `\` gets its own backslash, never one added by an earlier
//! step). CreatorFlow's composer has no mention picker, so an `@` is always
//! plain text.

use url::Url;

/// Characters LinkedIn's little format reserves (§9).
pub(super) const RESERVED: &[char] = &[
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

/// Whether a URL starts at `i`: `http://` or `https://`, not glued to a word.
fn url_starts_at(chars: &[char], i: usize) -> bool {
    if i > 0 && chars[i - 1].is_alphanumeric() {
        return false;
    }
    let starts = |p: &str| {
        let p: Vec<char> = p.chars().collect();
        chars.get(i..i + p.len()) == Some(p.as_slice())
    };
    starts("https://") || starts("http://")
}

/// The post's text as LinkedIn's `commentary`: every reserved character
/// escaped so it shows as typed, hashtags and URLs left as they are.
pub fn commentary(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut i = 0;
    while i < chars.len() {
        if url_starts_at(&chars, i) {
            while i < chars.len() && !chars[i].is_whitespace() {
                out.push(chars[i]);
                i += 1;
            }
            continue;
        }
        let c = chars[i];
        let hashtag = c == '#' && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if RESERVED.contains(&c) && !hashtag {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The length of the post's text as LinkedIn's API counts it against its
/// 3,000 (§3.1): the `commentary` CreatorFlow sends — so the backslash
/// before a reserved character counts — in UTF-16 code units, as a Java
/// service measures a string (an emoji counts two). This is never less than
/// the characters LinkedIn shows, so a post that passes here is not refused
/// for its length.
pub fn commentary_length(text: &str) -> usize {
    commentary(text).encode_utf16().count()
}

/// The first web address in `text` (`http://` or `https://`), without
/// punctuation that ends the sentence around it; `None` when there is none
/// or it is not a valid URL.
pub fn first_url(text: &str) -> Option<Url> {
    let chars: Vec<char> = text.chars().collect();
    let start = (0..chars.len()).find(|&i| url_starts_at(&chars, i))?;
    let end = (start..chars.len())
        .find(|&i| chars[i].is_whitespace())
        .unwrap_or(chars.len());
    let mut raw: String = chars[start..end].iter().collect();
    while let Some(last) = raw.chars().last() {
        let unbalanced = |open: char, close: char| {
            last == close && raw.matches(open).count() < raw.matches(close).count()
        };
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | '>')
            || unbalanced('(', ')')
            || unbalanced('[', ']')
            || unbalanced('{', '}')
        {
            raw.pop();
        } else {
            break;
        }
    }
    Url::parse(&raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_character_is_escaped() {
        assert_eq!(
            commentary(r"a\b (c) [d] {e} <f> *h* _i_ ~j~ |k| @l # m"),
            r"a\\b \(c\) \[d\] \{e\} \<f\> \*h\* \_i\_ \~j\~ \|k\| \@l \# m"
        );
        assert_eq!(commentary("plain text, 100% ok!"), "plain text, 100% ok!");
        assert_eq!(commentary(r"\("), r"\\\(");
    }

    #[test]
    fn hashtags_and_urls_stay() {
        assert_eq!(
            commentary("Launch (beta) #launch #2026 see https://ex.com/a_b?(x)~y and C# (again)"),
            r"Launch \(beta\) #launch #2026 see https://ex.com/a_b?(x)~y and C\# \(again\)"
        );
        assert_eq!(commentary("#ümlaut_tag"), r"#ümlaut\_tag");
        // Glued to a word: not a URL.
        assert_eq!(commentary("xhttps://a_b"), r"xhttps://a\_b");
        assert_eq!(commentary("(https://a.b/c_d)"), r"\(https://a.b/c_d)");
    }

    #[test]
    fn length_counts_what_is_sent_in_utf16() {
        assert_eq!(commentary_length("hello"), 5);
        assert_eq!(commentary_length("(a)"), 5);
        assert_eq!(commentary_length("#tag"), 4);
        assert_eq!(commentary_length("👋"), 2);
        assert_eq!(commentary_length("é"), 1);
    }

    #[test]
    fn the_first_link() {
        let u = |s: &str| first_url(s).map(|u| u.to_string());
        assert_eq!(
            u("Read this: https://example.com/post.html."),
            Some("https://example.com/post.html".into())
        );
        assert_eq!(
            u("(see https://en.wikipedia.org/wiki/Rust_(language))"),
            Some("https://en.wikipedia.org/wiki/Rust_(language)".into())
        );
        assert_eq!(
            u("a http://one.example/ then https://two.example/"),
            Some("http://one.example/".into())
        );
        assert_eq!(u("no link here, www.example.com"), None);
        assert_eq!(u("broken https://"), None);
    }
}
