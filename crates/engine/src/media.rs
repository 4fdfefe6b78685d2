//! Media intake: files the creator attaches are checked (type by content,
//! size, dimensions), hashed and copied into the app's media folder under
//! their SHA-256, so a post keeps its media even if the original moves.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use specta::Type;
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::Engine;
use crate::error::{EngineError, ErrorCode, Result};
use crate::model::MediaRef;
use crate::time::now_millis;

/// The largest file CreatorFlow takes in (each platform's own limit is
/// checked when the post is validated).
pub const MAX_MEDIA_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Gif,
    Video,
}

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

impl Engine {
    /// Copies a file from disk into the media folder.
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
        check_size(&name, meta.len())?;
        let file = tokio::fs::File::open(source).await?;
        self.import_reader(&name, file).await
    }

    /// Takes in bytes (a file picked in the window).
    pub async fn import_media_bytes(&self, name: &str, bytes: &[u8]) -> Result<MediaRef> {
        check_size(name, bytes.len() as u64)?;
        self.import_reader(name, bytes).await
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

    /// Takes in a file picked in the window, sent as base64.
    pub async fn import_media_base64(&self, name: &str, data: &str) -> Result<MediaRef> {
        use base64::Engine as _;
        // Refuse before decoding what would be too big anyway.
        check_size(name, (data.len() as u64 / 4) * 3)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| {
                EngineError::invalid(
                    ErrorCode::InvalidInput,
                    format!("\"{name}\" arrived damaged; try attaching it again."),
                )
            })?;
        self.import_media_bytes(name, &bytes).await
    }

    async fn import_reader<R: tokio::io::AsyncRead + Unpin>(
        &self,
        name: &str,
        mut reader: R,
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
                check_size(name, size)?;
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
            let Some((mime, ext, _kind)) = sniff(&head) else {
                return Err(EngineError::invalid(
                    ErrorCode::InvalidInput,
                    format!("\"{name}\" is not an image or video CreatorFlow can publish (JPEG, PNG, GIF, WebP, MP4 or MOV)."),
                ));
            };
            let (width, height) = match imagesize::blob_size(&head) {
                Ok(s) => (Some(s.width as i64), Some(s.height as i64)),
                Err(_) => (None, None),
            };
            let sha = hex::encode(hasher.finalize());
            Ok((sha, mime, ext, size, width, height))
        }
        .await;
        let (sha, mime, ext, size, width, height) = match result {
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
            "INSERT INTO media (sha256, path, mime, size, width, height, original_name, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (sha256) DO UPDATE SET original_name = COALESCE(media.original_name, excluded.original_name)
             RETURNING id, mime, size, width, height, original_name",
        )
        .bind(&sha)
        .bind(relative.to_string_lossy().replace('\\', "/"))
        .bind(mime)
        .bind(size as i64)
        .bind(width)
        .bind(height)
        .bind(name)
        .bind(now_millis())
        .fetch_one(self.store().pool())
        .await?;
        Ok(MediaRef {
            id: row.get("id"),
            mime: row.get("mime"),
            size: row.get("size"),
            width: row.get("width"),
            height: row.get("height"),
            original_name: row.get("original_name"),
        })
    }
}

fn check_size(name: &str, size: u64) -> Result<()> {
    if size > MAX_MEDIA_BYTES {
        return Err(EngineError::invalid(
            ErrorCode::InvalidInput,
            format!(
                "\"{name}\" is {} MB; CreatorFlow takes files up to {} MB.",
                size / (1024 * 1024),
                MAX_MEDIA_BYTES / (1024 * 1024)
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
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
    }
}
