//! The "little" text format of `commentary` (docs/platforms/linkedin.md §9).
//!
//! - `\X` is the plain character `X` (escape the reserved ones).
//! - `@[Name](urn:li:person:ID)` / `@[Name](urn:li:organization:ID)` is a mention,
//!   shown as `Name`.
//! - `#tag` (a `#` followed by letters/digits) and `{hashtag|\#|tag}` are hashtags,
//!   shown as `#tag`.
//! - `http://...` / `https://...` up to the next whitespace is a URL, kept as is.
//! - Any other reserved character `\ | { } @ [ ] ( ) < > # * _ ~` is a violation:
//!   LinkedIn silently cuts the published post there.

/// Characters that must be backslash-escaped to appear as plain text.
pub const RESERVED: &[char] = &[
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

/// A mention found in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub name: String,
    pub urn: String,
}

/// The result of rendering a commentary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// What LinkedIn shows (unescaped; cut at the first violation when truncating).
    pub text: String,
    pub mentions: Vec<Mention>,
    pub hashtags: Vec<String>,
    /// The first unescaped reserved character and its character index in the input.
    pub violation: Option<(usize, char)>,
}

fn is_mention_urn(urn: &str) -> bool {
    let id = urn
        .strip_prefix("urn:li:person:")
        .or_else(|| urn.strip_prefix("urn:li:organization:"));
    id.is_some_and(|id| {
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// Tries a mention `@[Name](urn)` at `i` (which holds `@`). Returns the mention and
/// the index after it.
fn mention_at(chars: &[char], i: usize) -> Option<(Mention, usize)> {
    if chars.get(i + 1) != Some(&'[') {
        return None;
    }
    let name_start = i + 2;
    let close = (name_start..chars.len()).find(|&j| matches!(chars[j], ']' | '[' | '\n'))?;
    if chars[close] != ']' || close == name_start || chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let urn_start = close + 2;
    let end = (urn_start..chars.len()).find(|&j| matches!(chars[j], ')' | '(' | '\n'))?;
    if chars[end] != ')' {
        return None;
    }
    let name: String = chars[name_start..close].iter().collect();
    let urn: String = chars[urn_start..end].iter().collect();
    is_mention_urn(&urn).then_some((Mention { name, urn }, end + 1))
}

fn tag_len(chars: &[char], start: usize) -> usize {
    chars[start..]
        .iter()
        .take_while(|c| c.is_alphanumeric())
        .count()
}

/// Tries the template `{hashtag|\#|tag}` at `i` (which holds `{`).
fn template_at(chars: &[char], i: usize) -> Option<(String, usize)> {
    const PREFIX: &str = "{hashtag|\\#|";
    let prefix: Vec<char> = PREFIX.chars().collect();
    if chars.get(i..i + prefix.len())? != prefix.as_slice() {
        return None;
    }
    let start = i + prefix.len();
    let n = tag_len(chars, start);
    if n == 0 || chars.get(start + n) != Some(&'}') {
        return None;
    }
    Some((chars[start..start + n].iter().collect(), start + n + 1))
}

fn url_starts_at(chars: &[char], i: usize) -> bool {
    let before_ok = i == 0 || !chars[i - 1].is_alphanumeric();
    let starts = |p: &str| {
        let p: Vec<char> = p.chars().collect();
        chars.get(i..i + p.len()) == Some(p.as_slice())
    };
    before_ok && (starts("https://") || starts("http://"))
}

/// Renders `input`. With `stop_at_violation`, the text ends right before the first
/// unescaped reserved character; otherwise that character is kept as plain text.
pub fn render(input: &str, stop_at_violation: bool) -> Rendered {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Rendered {
        text: String::with_capacity(input.len()),
        mentions: Vec::new(),
        hashtags: Vec::new(),
        violation: None,
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            if let Some(&next) = chars.get(i + 1) {
                out.text.push(next);
                i += 2;
                continue;
            }
        } else if url_starts_at(&chars, i) {
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '\\'
                    && let Some(&next) = chars.get(i + 1)
                {
                    out.text.push(next);
                    i += 2;
                } else {
                    out.text.push(chars[i]);
                    i += 1;
                }
            }
            continue;
        } else if c == '@' {
            if let Some((m, next)) = mention_at(&chars, i) {
                out.text.push_str(&m.name);
                out.mentions.push(m);
                i = next;
                continue;
            }
        } else if c == '#' {
            let n = tag_len(&chars, i + 1);
            if n > 0 {
                let tag: String = chars[i + 1..i + 1 + n].iter().collect();
                out.text.push('#');
                out.text.push_str(&tag);
                out.hashtags.push(tag);
                i += 1 + n;
                continue;
            }
        } else if c == '{' {
            if let Some((tag, next)) = template_at(&chars, i) {
                out.text.push('#');
                out.text.push_str(&tag);
                out.hashtags.push(tag);
                i = next;
                continue;
            }
        } else if !RESERVED.contains(&c) {
            out.text.push(c);
            i += 1;
            continue;
        }
        // An unescaped reserved character.
        if out.violation.is_none() {
            out.violation = Some((i, c));
        }
        if stop_at_violation {
            break;
        }
        out.text.push(c);
        i += 1;
    }
    out
}

/// Escapes plain text for the little format (the algorithm of docs/platforms/linkedin.md §9:
/// backslash first, then the other reserved characters).
pub fn escape(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_renders_whole() {
        let r = render(r"Hello \(escaped\) world \#1 a\_b \\ \~", true);
        assert_eq!(r.text, r"Hello (escaped) world #1 a_b \ ~");
        assert_eq!(r.violation, None);
    }

    #[test]
    fn unescaped_reserved_character_truncates() {
        let r = render("Launch (beta) today", true);
        assert_eq!(r.text, "Launch ");
        assert_eq!(r.violation, Some((7, '(')));
        let r = render("Launch (beta) today", false);
        assert_eq!(r.text, "Launch (beta) today");
        assert_eq!(r.violation, Some((7, '(')));
        assert_eq!(render("mail me@example.com", true).text, "mail me");
        assert_eq!(render("trailing \\", true).text, "trailing ");
        assert_eq!(render("C# rocks", true).text, "C");
    }

    #[test]
    fn mentions_hashtags_templates_and_urls_are_kept() {
        let r = render(
            "Hi @[Ada Lovelace](urn:li:person:abc-1_X) and @[Acme](urn:li:organization:2414183) #launch {hashtag|\\#|ready} see https://ex.com/a_b?(x)~y",
            true,
        );
        assert_eq!(
            r.text,
            "Hi Ada Lovelace and Acme #launch #ready see https://ex.com/a_b?(x)~y"
        );
        assert_eq!(r.violation, None);
        assert_eq!(r.hashtags, vec!["launch", "ready"]);
        assert_eq!(r.mentions.len(), 2);
        assert_eq!(r.mentions[1].urn, "urn:li:organization:2414183");
        // Not a valid mention: cut at '@'.
        assert_eq!(
            render("x @[Bob](urn:li:group:1) y", true).text,
            "x ".to_string()
        );
    }

    #[test]
    fn escape_round_trips() {
        let plain = r"a\b (c) [d] {e} <f> #g *h* _i_ ~j~ |k| @l";
        let r = render(&escape(plain), true);
        assert_eq!(r.text, plain);
        assert_eq!(r.violation, None);
    }
}
