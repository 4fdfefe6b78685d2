//! Weighted tweet length, twitter-text v3 (`config/v3.json`, `parseTweet.js`).
//!
//! - NFC-normalize; URLs weigh 23; an emoji (with its ZWJ / skin-tone / flag /
//!   keycap sequence) weighs 2; a code point in one of the v3 ranges weighs 1,
//!   anything else 2.
//! - URL extraction follows twitter-text in spirit (scheme URLs, and bare domains
//!   with a known TLD; a bare two-letter ccTLD domain needs a path), not its full
//!   regex; emoji detection covers the Unicode emoji blocks and sequences rather
//!   than twemoji's exact list. Both are documented approximations.

use unicode_normalization::UnicodeNormalization as _;

/// twitter-text v3 `scale`.
const SCALE: u32 = 100;
/// `defaultWeight`: code points outside the ranges, and emoji.
const DEFAULT_WEIGHT: u32 = 200;
/// `transformedURLLength`.
pub const URL_LENGTH: u32 = 23;
/// v3 ranges of weight 100.
const RANGES: [(u32, u32); 4] = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];

/// The result of parsing a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// Weighted length in characters (weight sum / scale).
    pub weighted_length: u32,
    /// Contains U+FFFE, U+FEFF, U+FFFF or U+202A–U+202E.
    pub has_invalid_chars: bool,
}

impl Parsed {
    /// twitter-text `valid`: non-empty, not too long, no invalid characters.
    pub fn is_valid(&self, max: u32) -> bool {
        self.weighted_length > 0 && self.weighted_length <= max && !self.has_invalid_chars
    }
}

/// Weighted length of `text` per twitter-text v3.
pub fn parse(text: &str) -> Parsed {
    let normalized: Vec<char> = text.nfc().collect();
    let urls = find_urls(&normalized);
    let mut weight: u32 = 0;
    let mut invalid = false;
    let mut i = 0;
    let mut url_iter = urls.iter().peekable();
    while i < normalized.len() {
        if let Some(&&(start, end)) = url_iter.peek()
            && start == i
        {
            weight += URL_LENGTH * SCALE;
            i = end;
            url_iter.next();
            continue;
        }
        if let Some(len) = emoji_len(&normalized[i..]) {
            weight += DEFAULT_WEIGHT;
            i += len;
            continue;
        }
        let c = normalized[i] as u32;
        if matches!(c, 0xFFFE | 0xFEFF | 0xFFFF | 0x202A..=0x202E) {
            invalid = true;
        }
        weight += if RANGES.iter().any(|&(s, e)| c >= s && c <= e) {
            100
        } else {
            DEFAULT_WEIGHT
        };
        i += 1;
    }
    Parsed {
        weighted_length: weight / SCALE,
        has_invalid_chars: invalid,
    }
}

// ----- emoji ------------------------------------------------------------------------

fn is_regional(c: u32) -> bool {
    (0x1F1E6..=0x1F1FF).contains(&c)
}

fn is_skin_tone(c: u32) -> bool {
    (0x1F3FB..=0x1F3FF).contains(&c)
}

/// Code points that are emoji on their own (presentation or pictographic).
fn is_pictographic(c: u32) -> bool {
    matches!(c,
        0x1F000..=0x1F0FF | 0x1F10D..=0x1F1AD | 0x1F200..=0x1F2FF | 0x1F300..=0x1F5FF
        | 0x1F600..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F700..=0x1F77F | 0x1F780..=0x1F7FF
        | 0x1F800..=0x1F8FF | 0x1F900..=0x1F9FF | 0x1FA00..=0x1FAFF
        | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B05..=0x2B07 | 0x2B1B..=0x2B1C
        | 0x2B50 | 0x2B55 | 0x2934..=0x2935 | 0x25AA..=0x25AB | 0x25B6 | 0x25C0
        | 0x25FB..=0x25FE | 0x2194..=0x2199 | 0x21A9..=0x21AA | 0x2122 | 0x2139
        | 0x203C | 0x2049 | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x24C2)
}

/// Characters that are emoji only when followed by U+FE0F (text-default emoji
/// inside the weight-1 range) or forming a keycap.
fn is_text_default(c: u32) -> bool {
    matches!(c, 0xA9 | 0xAE)
}

fn is_keycap_base(c: u32) -> bool {
    matches!(c, 0x23 | 0x2A | 0x30..=0x39)
}

/// Length in code points of the emoji sequence starting at `s[0]`, if any.
fn emoji_len(s: &[char]) -> Option<usize> {
    let at = |i: usize| s.get(i).map(|&c| c as u32);
    let first = at(0)?;
    // Flags: a pair of regional indicators.
    if is_regional(first) {
        return Some(if at(1).is_some_and(is_regional) { 2 } else { 1 });
    }
    // Keycaps: base, optional FE0F, U+20E3.
    if is_keycap_base(first) {
        return match (at(1), at(2)) {
            (Some(0xFE0F), Some(0x20E3)) => Some(3),
            (Some(0x20E3), _) => Some(2),
            _ => None,
        };
    }
    if is_text_default(first) {
        return (at(1) == Some(0xFE0F)).then_some(2);
    }
    if !is_pictographic(first) && !is_skin_tone(first) {
        return None;
    }
    let mut i = 1;
    loop {
        // Modifiers of the current element.
        if at(i) == Some(0xFE0F) || at(i) == Some(0xFE0E) {
            i += 1;
        }
        if at(i).is_some_and(is_skin_tone) {
            i += 1;
        }
        while at(i).is_some_and(|c| (0xE0020..=0xE007F).contains(&c)) {
            i += 1;
        }
        if at(i) == Some(0x20E3) {
            i += 1;
        }
        // ZWJ joins the next pictograph into the same emoji.
        if at(i) == Some(0x200D)
            && at(i + 1).is_some_and(|c| is_pictographic(c) || is_text_default(c))
        {
            i += 2;
            continue;
        }
        return Some(i);
    }
}

// ----- URLs -------------------------------------------------------------------------

const GTLDS: &[&str] = &[
    "com",
    "net",
    "org",
    "edu",
    "gov",
    "mil",
    "int",
    "info",
    "biz",
    "name",
    "pro",
    "aero",
    "coop",
    "museum",
    "mobi",
    "jobs",
    "travel",
    "app",
    "dev",
    "blog",
    "shop",
    "store",
    "online",
    "site",
    "tech",
    "xyz",
    "news",
    "media",
    "live",
    "page",
    "link",
    "club",
    "design",
    "art",
    "cloud",
    "studio",
    "social",
    "video",
    "music",
    "photo",
    "photos",
    "agency",
    "email",
    "events",
    "games",
    "wiki",
    "website",
    "space",
    "world",
    "today",
    "network",
    "digital",
    "company",
    "solutions",
];

const CCTLDS: &[&str] = &[
    "ac", "ad", "ae", "af", "ag", "ai", "al", "am", "ar", "as", "at", "au", "az", "ba", "be", "bg",
    "br", "by", "bz", "ca", "cc", "ch", "cl", "cn", "co", "cz", "de", "dk", "ee", "es", "eu", "fi",
    "fm", "fr", "gg", "gl", "gr", "hk", "hr", "hu", "id", "ie", "il", "im", "in", "io", "ir", "is",
    "it", "je", "jp", "kr", "kz", "la", "li", "lt", "lu", "lv", "ly", "ma", "me", "mx", "my", "nl",
    "no", "nu", "nz", "pe", "ph", "pk", "pl", "pt", "ro", "rs", "ru", "se", "sg", "si", "sk", "so",
    "su", "th", "tk", "to", "tr", "tv", "tw", "ua", "uk", "us", "uz", "vc", "ve", "vn", "ws", "za",
];

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.'
}

fn valid_preceding(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => !(c.is_alphanumeric() || matches!(c, '@' | '$' | '#' | '.' | '_' | '/' | '-')),
    }
}

/// Trailing characters that end a URL rather than belong to it.
fn is_trailing_punct(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | ')' | ']' | '}' | '>' | '*'
    )
}

/// `(start, end)` code-point ranges of URLs in `s`.
fn find_urls(s: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if !valid_preceding(if i == 0 { None } else { Some(s[i - 1]) }) {
            i += 1;
            continue;
        }
        if let Some(end) = match_url(s, i) {
            out.push((i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn match_url(s: &[char], start: usize) -> Option<usize> {
    let lower = |i: usize| s.get(i).map(|c| c.to_ascii_lowercase());
    let starts_with = |at: usize, pat: &str| {
        pat.chars()
            .enumerate()
            .all(|(k, p)| lower(at + k) == Some(p))
    };
    let (host_start, has_scheme) = if starts_with(start, "https://") {
        (start + 8, true)
    } else if starts_with(start, "http://") {
        (start + 7, true)
    } else {
        (start, false)
    };
    // Host.
    let mut j = host_start;
    while j < s.len() && is_domain_char(s[j]) {
        j += 1;
    }
    let mut host_end = j;
    while host_end > host_start && matches!(s[host_end - 1], '.' | '-') {
        host_end -= 1;
    }
    let host: String = s[host_start..host_end]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
    {
        return None;
    }
    let tld = labels.last().copied().unwrap_or("");
    let is_gtld = GTLDS.contains(&tld);
    let is_cctld = CCTLDS.contains(&tld);
    if !has_scheme && !is_gtld && !is_cctld {
        return None;
    }
    if has_scheme && !(is_gtld || is_cctld || tld.chars().all(|c| c.is_ascii_alphabetic())) {
        return None;
    }
    let mut end = host_end;
    // Port.
    if end == j && s.get(end) == Some(&':') {
        let mut k = end + 1;
        while k < s.len() && s[k].is_ascii_digit() {
            k += 1;
        }
        if k > end + 1 {
            end = k;
        }
    }
    // Path, query, fragment: up to whitespace, then trailing punctuation trimmed.
    let has_path = matches!(s.get(end), Some('/') | Some('?') | Some('#'));
    if has_path {
        let mut k = end;
        while k < s.len() && !s[k].is_whitespace() {
            k += 1;
        }
        // Trim trailing punctuation, keeping a ')' that closes a '(' in the path.
        while k > end + 1 && is_trailing_punct(s[k - 1]) {
            if s[k - 1] == ')' {
                let opens = s[end..k].iter().filter(|&&c| c == '(').count();
                let closes = s[end..k].iter().filter(|&&c| c == ')').count();
                if opens >= closes {
                    break;
                }
            }
            k -= 1;
        }
        end = k;
    }
    // A bare ccTLD domain counts only with a path (twitter-text), unless it is a
    // second-level registration like example.co.uk.
    if !has_scheme && is_cctld && !has_path {
        let sld = labels
            .get(labels.len().saturating_sub(2))
            .copied()
            .unwrap_or("");
        if !(labels.len() >= 3
            && matches!(sld, "co" | "com" | "org" | "net" | "ac" | "gov" | "edu"))
        {
            return None;
        }
    }
    // The URL must not run into a word character (e.g. "example.comfoo").
    if end == host_end && s.get(end).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
        return None;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(s: &str) -> u32 {
        parse(s).weighted_length
    }

    #[test]
    fn ascii_counts_one() {
        assert_eq!(len("Hello"), 5);
        assert_eq!(len(&"a".repeat(280)), 280);
    }

    #[test]
    fn docs_example() {
        assert_eq!(len("Hello, world! 👋"), 16);
    }

    #[test]
    fn cjk_counts_two() {
        assert_eq!(len("日本語"), 6);
        assert_eq!(len("한국어"), 6);
    }

    #[test]
    fn emoji_sequences_count_two() {
        assert_eq!(len("👍🏽"), 2);
        assert_eq!(len("👨‍👩‍👧‍👦"), 2);
        assert_eq!(len("🇫🇷"), 2);
        assert_eq!(len("1️⃣"), 2);
        assert_eq!(len("❤️"), 2);
    }

    #[test]
    fn urls_count_23() {
        assert_eq!(
            len("https://example.com/a/very/long/path?with=query&and=more"),
            23
        );
        assert_eq!(len("see example.com now"), 4 + 23 + 4);
        assert_eq!(len("http://t.co"), 23);
        assert_eq!(len("bit.ly/abc"), 23);
        // A bare ccTLD without a path is not a URL.
        assert_eq!(len("x.ly"), 4);
        assert_eq!(len("(https://example.com/a)."), 1 + 23 + 2);
    }

    #[test]
    fn typographic_ranges_count_one() {
        assert_eq!(len("\u{2014}\u{201C}\u{2032}"), 3);
        assert_eq!(len("\u{2026}"), 2);
    }

    #[test]
    fn invalid_characters() {
        assert!(parse("a\u{FEFF}").has_invalid_chars);
        assert!(!parse("a").has_invalid_chars);
    }

    #[test]
    fn nfc_normalization() {
        // "e" + combining acute becomes one code point.
        assert_eq!(len("e\u{301}"), 1);
    }
}
