//! X's weighted text length: twitter-text v3 (`config/v3.json`, `parseTweet`).
//! Contract: docs/platforms/x.md §7.
//!
//! 1. The text is NFC-normalised.
//! 2. Links are found the way twitter-text's `extractUrlsWithIndices` finds
//!    them (`http(s)://` links, and bare domains with a known TLD) and weigh
//!    23 whatever their length.
//! 3. Emoji (a whole sequence: ZWJ families, skin tones, flags, keycaps, tag
//!    flags) weigh 2, as twemoji-parser's regex matches them: the sequences of
//!    the Unicode emoji list (looked up in the `emojis` crate), text-style
//!    emoji unless followed by U+FE0E, and `©`, `®`, `™`, `♟` only with
//!    U+FE0F.
//! 4. Any other code point weighs 1 inside the v3 ranges (U+0000–U+10FF,
//!    U+2000–U+200D, U+2010–U+201F, U+2032–U+2037) and 2 outside (CJK, kana,
//!    Hangul, every astral character ...).
//!
//! A text is valid when 0 < length ≤ 280 and it holds none of U+FFFE, U+FEFF,
//! U+FFFF, U+202A–U+202E.
//!
//! Known, deliberate approximations (all rare in real posts): the TLD list is
//! hand-kept (see `tlds.rs`); a bare domain glued after non-Latin letters and
//! a dot (`日本.example.com`) is not a link here; IPv4/IPv6 hosts are not links
//! (twitter-text does not extract them either).

use std::ops::Range;

use unicode_normalization::UnicodeNormalization as _;

use super::tlds::{self, TldKind};

/// X's default limit (Premium accounts may post more).
pub const MAX_WEIGHTED_LENGTH: usize = 280;
/// Weight of any link, in characters (`transformedURLLength`).
pub const URL_WEIGHT: usize = 23;

/// `scale` of v3: weights are in hundredths of a character.
const SCALE: usize = 100;
/// `defaultWeight`: code points outside the ranges, and each emoji.
const DEFAULT_WEIGHT: usize = 200;
/// v3 code-point ranges that weigh 100 (one character).
const LIGHT_RANGES: [(u32, u32); 4] = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];
/// The longest emoji sequence in code points (kiss with two skin tones).
const MAX_EMOJI_CODE_POINTS: usize = 10;
/// twitter-text `MAX_URL_LENGTH`.
const MAX_URL_LENGTH: usize = 4096;
/// DNS label limit, checked on the punycode form.
const MAX_LABEL_LENGTH: usize = 63;

/// The outcome of counting a text the way X does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XTextParse {
    /// Weighted length in characters (what X's counter shows).
    pub weighted_length: usize,
    /// `0 < weighted_length <= limit` and no invalid character.
    pub valid: bool,
    /// `floor(weighted_length / limit * 1000)`: how full the post is, in ‰.
    pub permillage: usize,
    /// The first character X refuses (U+FFFE, U+FEFF, U+FFFF, U+202A–U+202E).
    pub invalid_char: Option<char>,
}

/// Weighted length of `text` per twitter-text v3.
///
/// ```
/// use creatorflow_platforms::text::x_weighted::weighted_length;
/// assert_eq!(weighted_length("Hello, world! 👋"), 16);
/// assert_eq!(weighted_length("https://example.com/a/very/long/path"), 23);
/// ```
pub fn weighted_length(text: &str) -> usize {
    parse_with_limit(text, MAX_WEIGHTED_LENGTH).weighted_length
}

/// Counts `text` against X's default 280 limit.
pub fn parse(text: &str) -> XTextParse {
    parse_with_limit(text, MAX_WEIGHTED_LENGTH)
}

/// Counts `text` against `limit` (e.g. a Premium account's longer limit).
pub fn parse_with_limit(text: &str, limit: usize) -> XTextParse {
    let normalized: String = text.nfc().collect();
    let chars: Vec<char> = normalized.chars().collect();
    let mut offsets: Vec<usize> = normalized.char_indices().map(|(i, _)| i).collect();
    offsets.push(normalized.len());

    let urls = extract_urls(&chars);
    let mut next_url = urls.iter().peekable();
    let mut weight = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        if let Some(url) = next_url.peek()
            && url.start == i
        {
            weight += URL_WEIGHT * SCALE;
            i = url.end;
            next_url.next();
            continue;
        }
        if let Some(len) = emoji_len(&normalized, &offsets, &chars, i) {
            weight += DEFAULT_WEIGHT;
            i += len;
            continue;
        }
        weight += code_point_weight(chars[i]);
        i += 1;
    }

    let weighted_length = weight / SCALE;
    let invalid_char = chars.iter().copied().find(|&c| is_invalid_char(c));
    XTextParse {
        weighted_length,
        valid: weighted_length > 0 && weighted_length <= limit && invalid_char.is_none(),
        permillage: (weighted_length * 1000).checked_div(limit).unwrap_or(0),
        invalid_char,
    }
}

/// Characters X refuses in a post.
pub fn is_invalid_char(c: char) -> bool {
    matches!(
        c,
        '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}' | '\u{202A}'..='\u{202E}'
    )
}

fn code_point_weight(c: char) -> usize {
    let cp = c as u32;
    // Astral characters fall outside every range (twitter-text weighs them
    // by their low surrogate, which is never inside a range either).
    if LIGHT_RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&cp)) {
        SCALE
    } else {
        DEFAULT_WEIGHT
    }
}

// ----- emoji -----------------------------------------------------------------------

/// Length in code points of the emoji sequence starting at `chars[i]`, if any.
fn emoji_len(text: &str, offsets: &[usize], chars: &[char], i: usize) -> Option<usize> {
    let first = *chars.get(i)?;
    if first.is_ascii() && !matches!(first, '#' | '*' | '0'..='9') {
        return None;
    }
    let max = (chars.len() - i).min(MAX_EMOJI_CODE_POINTS);
    for len in (1..=max).rev() {
        let candidate = text.get(offsets[i]..offsets[i + len])?;
        if emojis::get(candidate).is_none() {
            continue;
        }
        // twemoji: these four are emoji only with the emoji presentation selector.
        if len == 1 && matches!(first, '\u{A9}' | '\u{AE}' | '\u{2122}' | '\u{265F}') {
            return None;
        }
        // A text-presentation selector right after makes it plain text.
        if !candidate.contains('\u{FE0F}') && chars.get(i + len) == Some(&'\u{FE0E}') {
            return None;
        }
        return Some(len);
    }
    None
}

// ----- links -----------------------------------------------------------------------

/// Code-point ranges of the links in `chars` (NFC), in order.
pub(crate) fn extract_urls(chars: &[char]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        if !valid_preceding(prev) {
            i += 1;
            continue;
        }
        match match_url_at(chars, i, prev) {
            Some(m) => {
                if let Some(url) = m.accepted {
                    out.push(url);
                }
                // Like the regex: a rejected match is consumed all the same.
                i = m.consumed_to.max(i + 1);
            }
            None => i += 1,
        }
    }
    out
}

struct UrlMatch {
    /// The link, if twitter-text keeps it.
    accepted: Option<Range<usize>>,
    /// Where the next search starts.
    consumed_to: usize,
}

fn match_url_at(chars: &[char], start: usize, prev: Option<char>) -> Option<UrlMatch> {
    let scheme_len = scheme_len(chars, start);
    if scheme_len > 0
        && let Some(m) = match_rest(chars, start, scheme_len, prev)
    {
        return Some(m);
    }
    match_rest(chars, start, 0, prev)
}

/// `http://` or `https://` (any case) at `at`: its length, else 0.
fn scheme_len(chars: &[char], at: usize) -> usize {
    for scheme in ["https://", "http://"] {
        let n = scheme.chars().count();
        if chars.len() >= at + n
            && chars[at..at + n]
                .iter()
                .zip(scheme.chars())
                .all(|(c, s)| c.to_ascii_lowercase() == s)
        {
            return n;
        }
    }
    0
}

fn match_rest(
    chars: &[char],
    start: usize,
    scheme_len: usize,
    prev: Option<char>,
) -> Option<UrlMatch> {
    let has_scheme = scheme_len > 0;
    let domain_start = start + scheme_len;
    let domain = match_domain(chars, domain_start, !has_scheme)?;
    let mut end = domain.end;

    // Port.
    if chars.get(end) == Some(&':') {
        let digits = chars[end + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits > 0 {
            end += 1 + digits;
        }
    }
    // Path.
    let mut has_path = false;
    if chars.get(end) == Some(&'/') {
        has_path = true;
        end = match_path(chars, end + 1);
    }
    // Query.
    if chars.get(end) == Some(&'?') {
        end = match_query(chars, end + 1).unwrap_or(end);
    }

    let rejected = |consumed_to: usize| {
        Some(UrlMatch {
            accepted: None,
            consumed_to,
        })
    };

    if !url_is_valid(chars, &domain, end - start, scheme_len) {
        return rejected(end);
    }

    if has_scheme {
        // t.co links end after the short code.
        let host: String = chars[domain_start..domain.end].iter().collect();
        if host.eq_ignore_ascii_case("t.co") && has_path {
            let code_start = domain.end + 1;
            let code = chars[code_start..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
            if code > 0 {
                let mut tco_end = code_start + code;
                if chars.get(tco_end) == Some(&'?') {
                    tco_end = match_query(chars, tco_end + 1).unwrap_or(tco_end);
                }
                end = tco_end.min(end);
            }
        }
        return Some(UrlMatch {
            accepted: Some(start..end),
            consumed_to: end,
        });
    }

    // Without a scheme: not after `-`, `_`, `.` or `/`, and `name.cc` alone
    // (a country TLD, no path) is not a link unless it is `.co` or `.tv`.
    if prev.is_some_and(|c| matches!(c, '-' | '_' | '.' | '/')) {
        return rejected(end);
    }
    if !has_path && domain.labels == 2 && domain.tld_kind == Some(TldKind::Country) {
        let tld: String = chars[domain.tld.clone()]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase();
        if !tlds::SPECIAL_CCTLDS.contains(&tld.as_str()) {
            return rejected(end);
        }
    }
    Some(UrlMatch {
        accepted: Some(start..end),
        consumed_to: end,
    })
}

struct DomainMatch {
    /// End of the TLD.
    end: usize,
    /// Label ranges, the last one being the TLD.
    label_ranges: Vec<Range<usize>>,
    labels: usize,
    tld: Range<usize>,
    /// `None` for a punycode TLD.
    tld_kind: Option<TldKind>,
}

/// `subdomain* domain-name TLD` at `start`, preferring the most labels, as
/// the greedy regex does.
fn match_domain(chars: &[char], start: usize, ascii_only: bool) -> Option<DomainMatch> {
    let in_label = |c: char| {
        if ascii_only {
            c.is_ascii_alphanumeric() || is_latin_accent(c) || c == '-'
        } else {
            is_domain_char(c) || c == '-' || c == '_'
        }
    };
    let mut labels: Vec<Range<usize>> = Vec::new();
    let mut p = start;
    loop {
        let s = p;
        while p < chars.len() && in_label(chars[p]) {
            p += 1;
        }
        if p == s {
            break;
        }
        labels.push(s..p);
        if chars.get(p) == Some(&'.') {
            p += 1;
        } else {
            break;
        }
    }
    for count in (2..=labels.len()).rev() {
        let tld_label = labels[count - 1].clone();
        let Some((tld_end, tld_kind)) = match_tld(chars, tld_label.clone()) else {
            continue;
        };
        let name = &chars[labels[count - 2].clone()];
        if !label_ok(name, false) {
            continue;
        }
        if !labels[..count - 2]
            .iter()
            .all(|l| label_ok(&chars[l.clone()], true))
        {
            continue;
        }
        let mut label_ranges = labels[..count - 1].to_vec();
        label_ranges.push(tld_label.start..tld_end);
        return Some(DomainMatch {
            end: tld_end,
            label_ranges,
            labels: count,
            tld: tld_label.start..tld_end,
            tld_kind,
        });
    }
    None
}

/// A subdomain or domain-name label: starts and ends with a domain character;
/// `_` only in subdomains.
fn label_ok(label: &[char], underscore_ok: bool) -> bool {
    let edge_ok = |c: Option<&char>| c.is_some_and(|&c| c != '-' && c != '_');
    edge_ok(label.first()) && edge_ok(label.last()) && (underscore_ok || !label.contains(&'_'))
}

/// The TLD at the start of `label`: a known TLD not followed by
/// `[0-9A-Za-z@+-]`, or a punycode `xn--...` label.
fn match_tld(chars: &[char], label: Range<usize>) -> Option<(usize, Option<TldKind>)> {
    let text = &chars[label.clone()];
    if text.len() > 4
        && text[..4]
            .iter()
            .zip("xn--".chars())
            .all(|(c, x)| c.to_ascii_lowercase() == x)
    {
        let rest = text[4..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '-')
            .count();
        if rest > 0 {
            return Some((label.start + 4 + rest, None));
        }
    }
    let letters = text.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    for len in (2..=letters).rev() {
        let candidate: String = text[..len].iter().collect();
        let Some(kind) = tlds::lookup(&candidate) else {
            continue;
        };
        let after = chars.get(label.start + len);
        if after.is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, '@' | '+' | '-')) {
            continue;
        }
        return Some((label.start + len, Some(kind)));
    }
    None
}

/// twitter-text `isValidUrl`: every label is 1–63 characters in punycode and
/// the whole link stays under 4096.
fn url_is_valid(chars: &[char], domain: &DomainMatch, url_len: usize, scheme_len: usize) -> bool {
    let mut domain_len = 0usize;
    let mut puny_len = 0usize;
    for (n, label) in domain.label_ranges.iter().enumerate() {
        let label_chars = &chars[label.clone()];
        let Some(encoded) = punycode_label_len(label_chars) else {
            return false;
        };
        if encoded == 0 || encoded > MAX_LABEL_LENGTH {
            return false;
        }
        let dot = usize::from(n > 0);
        domain_len += label_chars.len() + dot;
        puny_len += encoded + dot;
    }
    let scheme = if scheme_len > 0 {
        scheme_len
    } else {
        "https://".len()
    };
    scheme + url_len + puny_len.saturating_sub(domain_len) <= MAX_URL_LENGTH
}

/// The path after `/` at `from`: the longest run of path characters (and
/// balanced parentheses) that ends with an allowed last character.
fn match_path(chars: &[char], from: usize) -> usize {
    let mut p = from;
    let mut end = from;
    while p < chars.len() {
        let c = chars[p];
        if c == '(' {
            match balanced_parens(chars, p) {
                Some(close) => {
                    p = close;
                    end = p;
                    continue;
                }
                None => break,
            }
        }
        if !is_path_char(c) {
            break;
        }
        p += 1;
        if is_path_end_char(c) {
            end = p;
        }
    }
    end
}

/// `(...)` or `(..(..)..)` of path characters at `open`: the index after it.
fn balanced_parens(chars: &[char], open: usize) -> Option<usize> {
    let run = |from: usize| {
        chars[from..]
            .iter()
            .take_while(|c| is_path_char(**c))
            .count()
    };
    let inner = open + 1;
    let first = run(inner);
    if first > 0 && chars.get(inner + first) == Some(&')') {
        return Some(inner + first + 1);
    }
    // One nested level: G* ( G+ ) G* )
    let nested_open = inner + first;
    if chars.get(nested_open) == Some(&'(') {
        let nested = run(nested_open + 1);
        let nested_close = nested_open + 1 + nested;
        if nested > 0 && chars.get(nested_close) == Some(&')') {
            let tail = run(nested_close + 1);
            let close = nested_close + 1 + tail;
            if chars.get(close) == Some(&')') {
                return Some(close + 1);
            }
        }
    }
    None
}

/// The query after `?` at `from`: up to its last allowed final character.
fn match_query(chars: &[char], from: usize) -> Option<usize> {
    let mut last = None;
    for (k, &c) in chars[from..].iter().enumerate() {
        if !is_query_char(c) {
            break;
        }
        if is_query_end_char(c) {
            last = Some(from + k + 1);
        }
    }
    last
}

// ----- character classes (twitter-text regexps) -----------------------------------

fn is_latin_accent(c: char) -> bool {
    matches!(c,
        '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{FF}' | '\u{100}'..='\u{24F}'
        | '\u{253}' | '\u{254}' | '\u{256}' | '\u{257}' | '\u{259}' | '\u{25B}' | '\u{263}'
        | '\u{268}' | '\u{26F}' | '\u{272}' | '\u{289}' | '\u{28B}' | '\u{2BB}'
        | '\u{300}'..='\u{36F}' | '\u{1E00}'..='\u{1EFF}')
}

fn is_cyrillic(c: char) -> bool {
    ('\u{400}'..='\u{4FF}').contains(&c)
}

fn is_space(c: char) -> bool {
    matches!(c,
        '\u{9}'..='\u{D}' | ' ' | '\u{85}' | '\u{A0}' | '\u{1680}' | '\u{180E}'
        | '\u{2000}'..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

fn is_directional(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{2066}'..='\u{2069}')
}

fn is_punct(c: char) -> bool {
    matches!(
        c,
        '!' | '\''
            | '#'
            | '%'
            | '&'
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | '\\'
            | '-'
            | '.'
            | '/'
            | ':'
            | ';'
            | '<'
            | '='
            | '>'
            | '?'
            | '@'
            | '['
            | ']'
            | '^'
            | '_'
            | '{'
            | '|'
            | '}'
            | '~'
            | '$'
    )
}

fn is_domain_char(c: char) -> bool {
    !(is_punct(c) || is_space(c) || is_invalid_char(c) || is_directional(c) || c.is_control())
}

/// What may come right before a link.
fn valid_preceding(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) if is_directional(c) => true,
        Some(c) => {
            !(c.is_ascii_alphanumeric()
                || matches!(c, '@' | '\u{FF20}' | '$' | '#' | '\u{FF03}')
                || is_invalid_char(c))
        }
    }
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || is_cyrillic(c)
        || is_latin_accent(c)
        || matches!(
            c,
            '!' | '*'
                | '\''
                | ';'
                | ':'
                | '='
                | '+'
                | ','
                | '.'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '\u{2013}'
                | '_'
                | '~'
                | '&'
                | '|'
                | '@'
        )
}

fn is_path_end_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || is_cyrillic(c)
        || is_latin_accent(c)
        || matches!(c, '+' | '-' | '=' | '_' | '#' | '/')
}

fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '?'
                | '*'
                | '\''
                | '@'
                | '('
                | ')'
                | ';'
                | ':'
                | '&'
                | '='
                | '+'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '_'
                | '.'
                | ','
                | '~'
                | '|'
        )
}

fn is_query_end_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '&' | '=' | '#' | '/')
}

// ----- punycode (RFC 3492), for label lengths ---------------------------------------

/// Length of a label as `punycode.toASCII` gives it: itself when ASCII, else
/// `xn--` + its punycode. `None` on arithmetic overflow.
fn punycode_label_len(label: &[char]) -> Option<usize> {
    if label.iter().all(char::is_ascii) {
        return Some(label.len());
    }
    Some(4 + punycode_encode(label)?.len())
}

/// RFC 3492 encoding of `input` (no `xn--`, no case mapping, as punycode.js).
pub(crate) fn punycode_encode(input: &[char]) -> Option<String> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    const INITIAL_BIAS: u32 = 72;
    const INITIAL_N: u32 = 128;

    fn adapt(delta: u32, points: u32, first: bool) -> u32 {
        let mut delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + SKEW)
    }
    fn digit(d: u32) -> char {
        // d < 36 by construction.
        let b = if d < 26 {
            b'a' + d as u8
        } else {
            b'0' + (d - 26) as u8
        };
        char::from(b)
    }

    let cps: Vec<u32> = input.iter().map(|&c| c as u32).collect();
    let mut out: String = input.iter().filter(|c| c.is_ascii()).collect();
    let basic = u32::try_from(out.len()).ok()?;
    let total = u32::try_from(cps.len()).ok()?;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (INITIAL_N, 0u32, INITIAL_BIAS, basic);
    while handled < total {
        let m = cps.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &cps {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(s: &str) -> usize {
        weighted_length(s)
    }

    fn urls(s: &str) -> Vec<String> {
        let chars: Vec<char> = s.nfc().collect();
        extract_urls(&chars)
            .into_iter()
            .map(|r| chars[r].iter().collect())
            .collect()
    }

    #[test]
    fn spec_example() {
        assert_eq!(len("Hello, world! 👋"), 16);
    }

    #[test]
    fn latin_counts_one_and_limits() {
        assert_eq!(len("This is a test."), 15);
        let exactly = "a".repeat(280);
        let over = "a".repeat(281);
        assert_eq!(len(&exactly), 280);
        assert!(parse(&exactly).valid);
        assert_eq!(parse(&exactly).permillage, 1000);
        assert_eq!(len(&over), 281);
        assert!(!parse(&over).valid);
        assert!(!parse("").valid);
        assert_eq!(parse("").weighted_length, 0);
    }

    #[test]
    fn cjk_and_astral_count_two() {
        assert_eq!(len("日本語"), 6);
        assert_eq!(len("저찀쯿쿿"), 8);
        assert_eq!(len("のの"), 4);
        // 140 CJK characters fill a post; 141 overflow.
        assert!(parse(&"の".repeat(140)).valid);
        assert!(!parse(&"の".repeat(141)).valid);
        // Mathematical bold letters are astral: 2 each.
        assert_eq!(len("𝗼𝘁"), 4);
        assert_eq!(len("\u{10000}\u{10FFFF}"), 4);
    }

    #[test]
    fn conformance_cjk_poem() {
        let poem = "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。遥知兄弟登高处，遍插茱萸少一人。";
        let p = parse(poem);
        assert_eq!(p.weighted_length, 320);
        assert!(!p.valid);
        assert_eq!(p.permillage, 1142);
        assert_eq!(len(&format!("the{poem}")), 323);
    }

    #[test]
    fn emoji_sequences_count_two() {
        assert_eq!(len("😷👾😡🔥💩"), 10);
        assert_eq!(len("👍🏽"), 2);
        assert_eq!(len("🙋🏽👨\u{200D}🎤"), 4);
        assert_eq!(len("👨\u{200D}👩\u{200D}👧\u{200D}👦"), 2);
        assert_eq!(len("H🐱☺👨\u{200D}👩\u{200D}👧\u{200D}👦"), 7);
        assert_eq!(len("👩🏻\u{200D}❤\u{FE0F}\u{200D}💋\u{200D}👨🏼"), 2);
        assert_eq!(len("🇫🇷🇯🇵"), 4);
        assert_eq!(len("1\u{FE0F}\u{20E3}"), 2);
        assert_eq!(len("#\u{20E3}"), 2);
        assert_eq!(len("❤\u{FE0F}"), 2);
        assert_eq!(
            len("🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"),
            2
        );
        assert_eq!(len(&"😷".repeat(140)), 280);
        assert_eq!(len(&"😷".repeat(160)), 320);
    }

    #[test]
    fn emoji_presentation_rules() {
        // © is one character as text, an emoji (2) only with U+FE0F.
        assert_eq!(len("©"), 1);
        assert_eq!(len("©\u{FE0F}"), 2);
        // A plain digit is not a keycap.
        assert_eq!(len("1"), 1);
        // Text presentation selector: the heart is text (2) + selector (2).
        assert_eq!(len("❤\u{FE0E}"), 4);
        // A non-standard ZWJ pair is two emoji and a joiner (weight 1).
        assert_eq!(len("👨\u{200D}🐱"), 5);
    }

    #[test]
    fn punctuation_ranges_count_one() {
        let text = "This is a tweet with general punctuation characters: \u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200A}\u{200B} ‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷";
        assert_eq!(len(text), 110);
        assert_eq!(len("\u{2026}"), 2);
    }

    #[test]
    fn nfc_normalisation() {
        assert_eq!(len("A\u{301}B"), 2);
        assert_eq!(len("Aשּׁ"), 4);
    }

    #[test]
    fn urls_count_23() {
        assert_eq!(len("Hi http://test.co"), 26);
        assert_eq!(len("http://test.co"), 23);
        assert_eq!(
            len("https://example.com/a/very/long/path?with=query&and=more#frag"),
            23
        );
        assert_eq!(len("http://t.co"), 23);
        assert_eq!(len("test.com"), 23);
        assert_eq!(
            len("Test https://test.com test https://test.com test.com test"),
            86
        );
        let ten = "https://www.twitter.com/aloha ".repeat(10);
        assert_eq!(len(&ten), 240);
        assert_eq!(parse(&ten).permillage, 857);
        // Short links still count 23.
        assert_eq!(len("a.co"), 23);
        assert_eq!(len("see bit.ly/abc now"), 4 + 23 + 4);
    }

    #[test]
    fn conformance_long_posts_with_links() {
        let xs = "xxxxxxxxxx-".repeat(24);
        let t = format!("285 chars-{xs}xxxxxxxxxx-");
        assert_eq!(len(&t), 285);
        assert_eq!(parse(&t).permillage, 1017);
        let t = format!("285 chars- http://www.twitter.com/jack {xs}");
        assert_eq!(len(&t), 299);
        let t = format!("{xs} http://www.twitter.com/jack ");
        assert_eq!(len(&t), 289);
    }

    #[test]
    fn url_extraction() {
        assert_eq!(urls("see example.com now"), vec!["example.com"]);
        assert_eq!(urls("www.example.com"), vec!["www.example.com"]);
        assert_eq!(urls("foo.co.jp"), vec!["foo.co.jp"]);
        assert_eq!(urls("t.co and twitch.tv"), vec!["t.co", "twitch.tv"]);
        // A bare name.cc without a path is not a link.
        assert!(urls("example.de").is_empty());
        assert_eq!(urls("example.de/x"), vec!["example.de/x"]);
        // Trailing punctuation stays outside; balanced parentheses inside.
        assert_eq!(
            urls("(https://example.com/a)."),
            vec!["https://example.com/a"]
        );
        assert_eq!(
            urls("https://en.wikipedia.org/wiki/Rust_(programming_language)!"),
            vec!["https://en.wikipedia.org/wiki/Rust_(programming_language)"]
        );
        assert_eq!(
            urls("http://example.com?foo=$bar.;baz?BAZ&c=d-#top/?stories+"),
            vec!["http://example.com?foo=$bar.;baz?BAZ&c=d-#top/?stories"]
        );
        assert_eq!(
            urls("HTTPS://www.ExaMPLE.COM/index.html"),
            vec!["HTTPS://www.ExaMPLE.COM/index.html"]
        );
        assert_eq!(
            urls("http://example.com:8080/login"),
            vec!["http://example.com:8080/login"]
        );
        assert_eq!(urls("http://☃.net/"), vec!["http://☃.net/"]);
        assert_eq!(
            urls("http://example.com/Русские_слова"),
            vec!["http://example.com/Русские_слова"]
        );
        // Not links.
        assert!(urls("ftp.example").is_empty());
        assert!(urls("user@example.com").is_empty());
        assert!(urls("#example.com").is_empty());
        assert!(urls("example.comfoo").is_empty());
        assert!(urls("http://www.-domain4352.com/").is_empty());
        assert!(urls("http://www.domain4352-.com/").is_empty());
        assert!(urls("_example.com").is_empty());
        // A domain ends at a non-TLD label.
        assert_eq!(urls("example.com.qqq"), vec!["example.com"]);
        // t.co links end after the code.
        assert_eq!(
            urls("https://t.co/abc123,more"),
            vec!["https://t.co/abc123"]
        );
    }

    #[test]
    fn labels_over_63_are_not_links() {
        let domain = format!("{}s.com", "randomurl".repeat(7));
        assert_eq!(len(&domain), 68);
        let ok = format!("{}.com", "randomurl".repeat(7));
        assert_eq!(len(&ok), 23);
    }

    #[test]
    fn idn_hosts_are_measured_in_punycode() {
        let kana = "あいうえおかきくけこ";
        let text = kana.repeat(12);
        let long_host = format!("{text} http://{}あいう.com", kana.repeat(5));
        let short_host = format!("{text} http://{}あい.com", kana.repeat(5));
        assert_eq!(len(&long_host), 358);
        assert_eq!(len(&short_host), 264);
    }

    #[test]
    fn punycode_vectors() {
        let enc = |s: &str| punycode_encode(&s.chars().collect::<Vec<_>>());
        assert_eq!(enc("bücher").as_deref(), Some("bcher-kva"));
        assert_eq!(enc("☃").as_deref(), Some("n3h"));
        assert_eq!(enc("münchen").as_deref(), Some("mnchen-3ya"));
        assert_eq!(enc("日本語").as_deref(), Some("wgv71a119e"));
    }

    #[test]
    fn invalid_characters() {
        let p = parse("hello\u{FEFF}");
        assert!(!p.valid);
        assert_eq!(p.invalid_char, Some('\u{FEFF}'));
        assert_eq!(parse("a\u{202E}b").invalid_char, Some('\u{202E}'));
        assert_eq!(parse("hello").invalid_char, None);
    }
}
