//! Media intake: files the creator attaches are checked (type by content,
//! size, dimensions), hashed while they are copied (streaming, constant
//! memory) into the app's media folder under their SHA-256, so a post keeps
//! its media even if the original moves. Videos' facts (duration, width,
//! height, codec) are read from their MP4/MOV headers.
//!
//! Files arrive by path (the file picker and drops); only an image pasted
//! from the clipboard arrives as bytes.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use specta::Type;
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::Engine;
use crate::error::{EngineError, ErrorCode, Result};
use crate::model::{MediaKind, MediaRef};
use crate::time::now_millis;

/// The largest file CreatorFlow takes in: YouTube's 256 GB. Each network's
/// own limit is checked when the post is validated.
pub const MAX_MEDIA_BYTES: u64 = 256 * 1024 * 1024 * 1024;
/// The largest image pasted from the clipboard (it travels as bytes).
pub const MAX_PASTED_BYTES: u64 = 50 * 1024 * 1024;

/// What the file picker offers, by extension (the content decides).
pub const PICKER_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "mp4", "m4v", "mov", "pdf",
];

/// The type of a file by its first bytes (never by its name).
pub fn sniff(head: &[u8]) -> Option<(&'static str, &'static str, MediaKind)> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg", MediaKind::Image))
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png", MediaKind::Image))
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(("image/gif", "gif", MediaKind::Gif))
    } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(("image/webp", "webp", MediaKind::Image))
    } else if head.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf", MediaKind::Document))
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        if &head[8..10] == b"qt" {
            Some(("video/quicktime", "mov", MediaKind::Video))
        } else {
            Some(("video/mp4", "mp4", MediaKind::Video))
        }
    } else {
        None
    }
}

/// What a video's headers say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VideoFacts {
    pub duration_ms: Option<u64>,
    /// As shown (a rotated phone video reports its upright size).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The video track's codec as a sample-entry code (`avc1`, `hvc1`, ...).
    pub codec: Option<String>,
}

/// Longest `moov` read into memory (it holds only the sample tables).
const MAX_MOOV_BYTES: u64 = 128 * 1024 * 1024;

/// Reads a video's facts from its MP4/MOV boxes with Mozilla's `mp4parse`:
/// the top-level boxes are walked with seeks (the media data is never
/// read), and only `ftyp` and `moov` are handed to the parser.
pub fn video_facts(path: &Path) -> std::io::Result<VideoFacts> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut boxes: Vec<u8> = Vec::new();
    let mut moov: Option<Vec<u8>> = None;
    let mut pos = 0u64;
    while pos + 8 <= len {
        file.seek(SeekFrom::Start(pos))?;
        let mut head = [0u8; 16];
        file.read_exact(&mut head[..8])?;
        let mut size = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
        let kind = [head[4], head[5], head[6], head[7]];
        if size == 1 {
            file.read_exact(&mut head[8..16])?;
            size = u64::from_be_bytes(head[8..16].try_into().unwrap_or([0; 8]));
        } else if size == 0 {
            size = len - pos; // to the end of the file
        }
        if size < 8 || pos + size > len {
            break;
        }
        if &kind == b"ftyp" || &kind == b"moov" {
            if size > MAX_MOOV_BYTES {
                break;
            }
            let mut bytes = vec![0u8; size as usize];
            file.seek(SeekFrom::Start(pos))?;
            file.read_exact(&mut bytes)?;
            if &kind == b"moov" {
                moov = Some(bytes.clone());
            }
            boxes.extend_from_slice(&bytes);
            if moov.is_some() && boxes.len() > bytes.len() {
                break; // ftyp and moov both read
            }
        }
        pos += size;
    }
    let Some(moov) = moov else {
        return Ok(VideoFacts::default());
    };
    let context = match mp4parse::read_mp4(&mut std::io::Cursor::new(&boxes)) {
        Ok(c) => c,
        Err(e) => {
            tracing::info!("video headers not readable: {e:?}");
            return Ok(VideoFacts::default());
        }
    };
    let mut facts = VideoFacts::default();
    for track in context.tracks.iter() {
        let duration_ms = match (&track.duration, &track.timescale) {
            (Some(d), Some(t)) if t.0 > 0 => Some(d.0.saturating_mul(1000) / t.0),
            _ => None,
        };
        facts.duration_ms = facts.duration_ms.max(duration_ms);
        if !matches!(track.track_type, mp4parse::TrackType::Video) || facts.width.is_some() {
            continue;
        }
        if let Some(tkhd) = &track.tkhd {
            let (w, h) = (tkhd.width >> 16, tkhd.height >> 16);
            // A quarter turn in the display matrix shows the picture upright.
            let turned = tkhd.matrix.a == 0 && tkhd.matrix.d == 0;
            (facts.width, facts.height) = if turned {
                (Some(h), Some(w))
            } else {
                (Some(w), Some(h))
            };
        }
        facts.codec = track.stsd.as_ref().and_then(|stsd| {
            stsd.descriptions.iter().find_map(|entry| match entry {
                mp4parse::SampleEntry::Video(v) => codec_name(v.codec_type).map(str::to_owned),
                _ => None,
            })
        });
    }
    if facts.codec.is_none() && facts.width.is_some() {
        // mp4parse names the codecs a browser plays; HEVC and ProRes it
        // leaves unknown, so take the sample entry's code from the boxes.
        facts.codec = video_sample_entry(&moov);
    }
    Ok(facts)
}

fn codec_name(codec: mp4parse::CodecType) -> Option<&'static str> {
    use mp4parse::CodecType;
    match codec {
        CodecType::H264 => Some("avc1"),
        CodecType::AV1 => Some("av01"),
        CodecType::VP9 => Some("vp09"),
        CodecType::VP8 => Some("vp08"),
        CodecType::MP4V => Some("mp4v"),
        CodecType::H263 => Some("s263"),
        _ => None,
    }
}

/// The first sample entry code of the first video track's `stsd` in a
/// `moov` box (moov → trak → mdia (hdlr `vide`) → minf → stbl → stsd).
fn video_sample_entry(moov: &[u8]) -> Option<String> {
    fn children(data: &[u8]) -> impl Iterator<Item = (&[u8; 4], &[u8])> {
        let mut rest = data;
        std::iter::from_fn(move || {
            if rest.len() < 8 {
                return None;
            }
            let size = u32::from_be_bytes(rest[0..4].try_into().ok()?) as usize;
            let kind: &[u8; 4] = rest[4..8].try_into().ok()?;
            if size < 8 || size > rest.len() {
                return None;
            }
            let body = &rest[8..size];
            rest = &rest[size..];
            Some((kind, body))
        })
    }
    let child = |data: &[u8], name: &[u8; 4]| -> Option<Vec<u8>> {
        children(data)
            .find(|(k, _)| *k == name)
            .map(|(_, b)| b.to_vec())
    };
    let (_, body) = children(moov).next()?;
    for (kind, trak) in children(body) {
        if kind != b"trak" {
            continue;
        }
        let mdia = child(trak, b"mdia")?;
        let hdlr = child(&mdia, b"hdlr")?;
        // full box header (4) + pre_defined (4), then the handler type.
        if hdlr.get(8..12) != Some(b"vide") {
            continue;
        }
        let stbl = child(&child(&mdia, b"minf")?, b"stbl")?;
        let stsd = child(&stbl, b"stsd")?;
        // full box header (4) + entry count (4), then the first entry.
        let entry = stsd.get(8..16)?;
        return std::str::from_utf8(&entry[4..8])
            .ok()
            .filter(|s| s.bytes().all(|b| b.is_ascii_alphanumeric()))
            .map(str::to_owned);
    }
    None
}

impl Engine {
    /// Copies a file from disk into the media folder (the file picker, a
    /// drop): hashed while it is copied, never held in memory.
    pub async fn import_media_file(&self, source: &Path) -> Result<MediaRef> {
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let meta = tokio::fs::metadata(source).await.map_err(|_| {
            EngineError::invalid(
                ErrorCode::InvalidInput,
                format!("CreatorFlow cannot open \"{name}\"."),
            )
        })?;
        if !meta.is_file() {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                format!("\"{name}\" is not a file."),
            ));
        }
        check_size(&name, meta.len(), MAX_MEDIA_BYTES)?;
        let file = tokio::fs::File::open(source).await.map_err(|_| {
            EngineError::invalid(
                ErrorCode::InvalidInput,
                format!("CreatorFlow cannot read \"{name}\"."),
            )
        })?;
        self.import_reader(&name, file, MAX_MEDIA_BYTES).await
    }

    /// Takes in an image pasted from the clipboard (base64; small by nature).
    pub async fn import_pasted_image(&self, name: &str, data: &str) -> Result<MediaRef> {
        use base64::Engine as _;
        // Refuse before decoding what would be too big anyway.
        check_size(name, (data.len() as u64 / 4) * 3, MAX_PASTED_BYTES)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| {
                EngineError::invalid(
                    ErrorCode::InvalidInput,
                    format!("\"{name}\" arrived damaged; try pasting it again."),
                )
            })?;
        if !matches!(
            sniff(&bytes),
            Some((_, _, MediaKind::Image | MediaKind::Gif))
        ) {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                "Only pictures can be pasted. Attach videos with the file picker or drop them on the window.",
            ));
        }
        self.import_reader(name, bytes.as_slice(), MAX_PASTED_BYTES)
            .await
    }

    /// An image as a `data:` URL, for the composer's thumbnails (images up to
    /// 10 MB; the webview cannot read the media folder itself).
    pub async fn media_preview(&self, id: i64) -> Result<String> {
        use base64::Engine as _;
        let row = sqlx::query("SELECT path, mime, size FROM media WHERE id = ?")
            .bind(id)
            .fetch_optional(self.store().pool())
            .await?
            .ok_or(EngineError::NotFound { what: "media file" })?;
        let mime: String = row.get("mime");
        let size: i64 = row.get("size");
        if !mime.starts_with("image/") || size > 10 * 1024 * 1024 {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                "No preview for this file.",
            ));
        }
        let bytes = tokio::fs::read(self.media_dir().join(row.get::<&str, _>("path"))).await?;
        Ok(format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ))
    }

    async fn import_reader<R: tokio::io::AsyncRead + Unpin>(
        &self,
        name: &str,
        mut reader: R,
        max: u64,
    ) -> Result<MediaRef> {
        let dir = self.media_dir();
        tokio::fs::create_dir_all(&dir).await?;
        let tmp = dir.join(format!(".incoming-{}", crate::auth::random_token(12)));
        let result = async {
            let mut out = tokio::fs::File::create(&tmp).await?;
            let mut hasher = Sha256::new();
            let mut head = Vec::with_capacity(64 * 1024);
            let mut size: u64 = 0;
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = reader.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                size += n as u64;
                check_size(name, size, max)?;
                if head.len() < 64 * 1024 {
                    let take = (64 * 1024 - head.len()).min(n);
                    head.extend_from_slice(&buf[..take]);
                }
                hasher.update(&buf[..n]);
                out.write_all(&buf[..n]).await?;
            }
            out.sync_all().await?;
            if size == 0 {
                return Err(EngineError::invalid(ErrorCode::InvalidInput, format!("\"{name}\" is empty.")));
            }
            let Some((mime, ext, kind)) = sniff(&head) else {
                return Err(EngineError::invalid(
                    ErrorCode::InvalidInput,
                    format!("\"{name}\" is not a file CreatorFlow can publish (JPEG, PNG, GIF, WebP, MP4, MOV or PDF)."),
                ));
            };
            let facts = if kind == MediaKind::Video {
                let path = tmp.clone();
                tokio::task::spawn_blocking(move || video_facts(&path))
                    .await
                    .map_err(|e| EngineError::Internal(e.to_string()))??
            } else {
                let (width, height) = match imagesize::blob_size(&head) {
                    Ok(s) => (u32::try_from(s.width).ok(), u32::try_from(s.height).ok()),
                    Err(_) => (None, None),
                };
                VideoFacts { width, height, ..VideoFacts::default() }
            };
            let sha = hex::encode(hasher.finalize());
            Ok((sha, mime, ext, size, facts))
        }
        .await;
        let (sha, mime, ext, size, facts) = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e);
            }
        };
        let relative = PathBuf::from(&sha[0..2]).join(format!("{sha}.{ext}"));
        let dest = dir.join(&relative);
        if let Some(parent) = dest.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        if let Err(e) = tokio::fs::rename(&tmp, &dest).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e.into());
        }
        let row = sqlx::query(
            "INSERT INTO media (sha256, path, mime, size, width, height, duration_ms, codec,
                                original_name, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (sha256) DO UPDATE SET
                 original_name = COALESCE(media.original_name, excluded.original_name),
                 duration_ms = COALESCE(media.duration_ms, excluded.duration_ms),
                 codec = COALESCE(media.codec, excluded.codec)
             RETURNING id, mime, size, width, height, duration_ms, codec, original_name",
        )
        .bind(&sha)
        .bind(relative.to_string_lossy().replace('\\', "/"))
        .bind(mime)
        .bind(size as i64)
        .bind(facts.width.map(i64::from))
        .bind(facts.height.map(i64::from))
        .bind(facts.duration_ms.map(|d| d as i64))
        .bind(&facts.codec)
        .bind(name)
        .bind(now_millis())
        .fetch_one(self.store().pool())
        .await?;
        Ok(crate::posts::media_ref(&row))
    }
}

fn check_size(name: &str, size: u64, max: u64) -> Result<()> {
    if size > max {
        return Err(EngineError::invalid(
            ErrorCode::InvalidInput,
            format!(
                "\"{name}\" is {}; CreatorFlow takes files up to {}.",
                creatorflow_platforms::human_size(size),
                creatorflow_platforms::human_size(max)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_comes_from_content() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).map(|t| t.0),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n....").map(|t| t.0),
            Some("image/png")
        );
        assert_eq!(sniff(b"GIF89a..").map(|t| t.2), Some(MediaKind::Gif));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42").map(|t| t.0), Some("video/mp4"));
        assert_eq!(sniff(b"%PDF-1.7").map(|t| t.2), Some(MediaKind::Document));
        assert_eq!(sniff(b"PK\x03\x04"), None);
        assert_eq!(sniff(b""), None);
    }

    /// A box: size, type, body.
    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn the_sample_entry_code_is_read_where_the_parser_has_no_name() {
        // moov → trak → mdia → (hdlr vide, minf → stbl → stsd → hvc1)
        let hdlr = mp4_box(
            b"hdlr",
            &[0, 0, 0, 0, 0, 0, 0, 0, b'v', b'i', b'd', b'e', 0, 0, 0, 0],
        );
        let mut stsd_body = vec![0, 0, 0, 0, 0, 0, 0, 1];
        stsd_body.extend(mp4_box(b"hvc1", &[0; 8]));
        let stbl = mp4_box(b"stbl", &mp4_box(b"stsd", &stsd_body));
        let minf = mp4_box(b"minf", &stbl);
        let mut mdia_body = hdlr;
        mdia_body.extend(minf);
        let trak = mp4_box(b"trak", &mp4_box(b"mdia", &mdia_body));
        let moov = mp4_box(b"moov", &trak);
        assert_eq!(video_sample_entry(&moov).as_deref(), Some("hvc1"));
        // A sound-only track is not a video's codec.
        let at = moov.windows(4).position(|w| w == b"vide").expect("handler");
        let mut sound = moov.clone();
        sound[at..at + 4].copy_from_slice(b"soun");
        assert_eq!(video_sample_entry(&sound), None);
        assert_eq!(video_sample_entry(b"\0\0\0\x08moov"), None);
    }

    #[test]
    fn a_file_without_a_moov_has_no_facts() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("x.mp4");
        std::fs::write(&path, b"\0\0\0\x10ftypisom\0\0\0\0\0\0\0\x10mdat01234567").expect("write");
        assert_eq!(video_facts(&path).expect("read"), VideoFacts::default());
    }
}
