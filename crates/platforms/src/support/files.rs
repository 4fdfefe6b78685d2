//! Media files as every network's upload reads them: keyed for the
//! checkpoint, checked against what was attached, and streamed from disk a
//! range at a time (memory does not grow with the file).

use std::io::SeekFrom;
use std::path::Path;

use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
use tokio_util::io::ReaderStream;

use crate::error::{ErrorKind, PlatformError};
use crate::types::{MediaFile, Platform};

/// Bytes read from the file per step while a body streams.
const READ_BUFFER: usize = 1024 * 1024;

/// The checkpoint key of a file: its SHA-256, else its path.
pub(crate) fn media_key(file: &MediaFile) -> String {
    if file.sha256.is_empty() {
        format!("path:{}", file.path.display())
    } else {
        file.sha256.to_ascii_lowercase()
    }
}

/// The file's size on disk, which must still be the size it was attached
/// with (the message names the file as the creator knows it).
pub(crate) async fn file_len(file: &MediaFile, to: Platform) -> Result<u64, PlatformError> {
    let shown = file.display_name();
    let meta = tokio::fs::metadata(&file.path)
        .await
        .map_err(|e| unreadable_file(&file.path, &e, to))?;
    if meta.len() != file.size {
        return Err(PlatformError::new(
            ErrorKind::Rejected,
            "media_changed",
            format!("\"{shown}\" changed on disk since it was attached. Attach it again."),
        )
        .with_detail(format!("{} bytes, expected {}", meta.len(), file.size)));
    }
    Ok(meta.len())
}

/// `len` bytes of the file from `offset`, read as they are sent.
pub(crate) async fn file_stream(
    path: &Path,
    offset: u64,
    len: u64,
) -> std::io::Result<ReaderStream<tokio::io::Take<tokio::fs::File>>> {
    let mut f = tokio::fs::File::open(path).await?;
    if offset > 0 {
        f.seek(SeekFrom::Start(offset)).await?;
    }
    Ok(ReaderStream::with_capacity(f.take(len), READ_BUFFER))
}

/// `len` bytes of the file from `offset`, as a request body streamed from
/// disk.
pub(crate) async fn file_body(
    path: &Path,
    offset: u64,
    len: u64,
) -> std::io::Result<reqwest::Body> {
    Ok(reqwest::Body::wrap_stream(
        file_stream(path, offset, len).await?,
    ))
}

/// The error when the file cannot be read to send it `to` a network.
pub(crate) fn unreadable_file(path: &Path, e: &std::io::Error, to: Platform) -> PlatformError {
    PlatformError::new(
        ErrorKind::Rejected,
        "media_unreadable",
        format!(
            "CreatorFlow could not read \"{}\" to send it to {}.",
            file_name(path),
            to.display_name()
        ),
    )
    .with_detail(e.to_string())
}

/// The last part of `path`, for messages ("the file" when it has none).
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "the file".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(path: &str, size: u64, sha256: &str) -> MediaFile {
        MediaFile {
            name: None,
            path: PathBuf::from(path),
            mime: "image/png".into(),
            size,
            sha256: sha256.into(),
            width: None,
            height: None,
            duration_ms: None,
            codec: None,
            alt_text: None,
        }
    }

    #[test]
    fn keys_prefer_the_digest() {
        let mut f = file("/m/a.png", 1, "ABCD");
        assert_eq!(media_key(&f), "abcd");
        f.sha256.clear();
        assert_eq!(media_key(&f), "path:/m/a.png");
    }

    #[tokio::test]
    async fn file_stream_reads_only_its_range() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("v.mp4");
        tokio::fs::write(&path, b"0123456789").await.expect("write");
        let stream = file_stream(&path, 3, 4).await.expect("stream");
        let mut got = Vec::new();
        tokio_util::io::StreamReader::new(stream)
            .read_to_end(&mut got)
            .await
            .expect("read");
        assert_eq!(got, b"3456");
        assert!(file_body(&path, 0, 10).await.is_ok());
        let e = file_stream(&dir.path().join("missing"), 0, 1)
            .await
            .expect_err("missing");
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    }

    #[tokio::test]
    async fn a_file_that_changed_or_vanished_is_refused_in_words() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("stored-1.png");
        tokio::fs::write(&path, b"12345").await.expect("write");
        let path = path.to_str().expect("utf-8");
        assert_eq!(
            file_len(&file(path, 5, ""), Platform::X)
                .await
                .expect("same"),
            5
        );
        let mut changed = file(path, 4, "");
        changed.name = Some("Holiday.png".into());
        let e = file_len(&changed, Platform::Youtube)
            .await
            .expect_err("changed");
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Rejected, "media_changed")
        );
        assert_eq!(
            e.message,
            "\"Holiday.png\" changed on disk since it was attached. Attach it again."
        );
        assert_eq!(e.detail.as_deref(), Some("5 bytes, expected 4"));
        let gone = dir.path().join("gone.png");
        let e = file_len(&file(gone.to_str().expect("utf-8"), 1, ""), Platform::X)
            .await
            .expect_err("missing");
        assert_eq!(e.code, "media_unreadable");
        assert_eq!(
            e.message,
            "CreatorFlow could not read \"gone.png\" to send it to X."
        );
        assert_eq!(file_name(Path::new("/")), "the file");
    }
}
