//! Cheap checks on media and captions: type sniffing and image dimensions from
//! the first bytes (JPEG SOF / PNG IHDR), hashtag and @-mention counts.

/// How many leading bytes are kept to sniff a file (a JPEG's EXIF block can be 64 KiB).
pub(crate) const HEAD_BYTES: usize = 256 * 1024;

/// The media type of a file from its magic number.
pub(crate) fn sniff(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("image/webp")
    } else if b.len() >= 12 && &b[4..8] == b"ftyp" {
        Some(if &b[8..12] == b"qt  " {
            "video/quicktime"
        } else {
            "video/mp4"
        })
    } else if b.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("video/webm")
    } else {
        None
    }
}

fn be16(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?])))
}

/// `(width, height)` of a JPEG (first SOF marker) or PNG (IHDR).
pub(crate) fn dimensions(b: &[u8]) -> Option<(u32, u32)> {
    match sniff(b)? {
        "image/png" => {
            if b.get(12..16)? != b"IHDR" {
                return None;
            }
            let w = u32::from_be_bytes(b.get(16..20)?.try_into().ok()?);
            let h = u32::from_be_bytes(b.get(20..24)?.try_into().ok()?);
            Some((w, h))
        }
        "image/jpeg" => {
            let mut i = 2;
            loop {
                // Markers may be preceded by fill bytes (0xFF).
                if *b.get(i)? != 0xFF {
                    return None;
                }
                while *b.get(i + 1)? == 0xFF {
                    i += 1;
                }
                let marker = *b.get(i + 1)?;
                if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
                    i += 2;
                    continue;
                }
                if marker == 0xD9 || marker == 0xDA {
                    // End of image / start of scan before any frame header.
                    return None;
                }
                let len = be16(b, i + 2)? as usize;
                let is_sof =
                    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_sof {
                    let h = be16(b, i + 5)?;
                    let w = be16(b, i + 7)?;
                    return Some((w, h));
                }
                if len < 2 {
                    return None;
                }
                i += 2 + len;
            }
        }
        _ => None,
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Hashtags in a caption: `#` + a word character, not preceded by a word character.
pub(crate) fn count_hashtags(s: &str) -> usize {
    count_prefixed(s, '#', is_word)
}

/// @-mentions: `@` + a username character (`A-Za-z0-9._`), not preceded by a word
/// character (so `me@example.com` is not a mention).
pub(crate) fn count_mentions(s: &str) -> usize {
    count_prefixed(s, '@', |c| {
        c.is_ascii_alphanumeric() || c == '_' || c == '.'
    })
}

fn count_prefixed(s: &str, sigil: char, first: impl Fn(char) -> bool) -> usize {
    let chars: Vec<char> = s.chars().collect();
    let mut n = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c != sigil {
            continue;
        }
        let before_ok = i == 0 || !(is_word(chars[i - 1]) || chars[i - 1] == sigil);
        let after_ok = chars.get(i + 1).is_some_and(|&n| first(n) && n != '.');
        if before_ok && after_ok {
            n += 1;
        }
    }
    n
}

/// Caption length as Instagram counts it (Unicode scalar values).
pub(crate) fn caption_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hashtags_and_mentions() {
        assert_eq!(count_hashtags("#a #b c#d ## #_x #été"), 4);
        assert_eq!(count_mentions("@a, @b.c me@example.com @ @.x"), 2);
    }

    #[test]
    fn png_dimensions() {
        let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        v.extend_from_slice(&1080u32.to_be_bytes());
        v.extend_from_slice(&1350u32.to_be_bytes());
        assert_eq!(dimensions(&v), Some((1080, 1350)));
    }

    #[test]
    fn jpeg_dimensions_skip_app_segments() {
        let mut v = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x04, 0xAA, 0xBB];
        v.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x05, 0x46, 0x04, 0x38]);
        assert_eq!(dimensions(&v), Some((1080, 1350)));
        assert_eq!(dimensions(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), None);
    }
}
