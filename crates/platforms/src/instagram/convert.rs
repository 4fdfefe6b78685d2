//! Instagram takes JPEG pictures only (docs/platforms/instagram.md §4.3):
//! a PNG or WebP picture is converted to a JPEG (the `image` crate) in a
//! temporary file before it goes to the media host, and that file is
//! removed once it is there.

use std::path::PathBuf;

use sha2::{Digest as _, Sha256};

use crate::error::{ErrorKind, PlatformError};
use crate::types::{MediaFile, MediaKind, human_size};

/// The picture types CreatorFlow converts to JPEG for Instagram.
pub const CONVERTED_TYPES: &[&str] = &["image/png", "image/webp"];

/// JPEG quality of converted pictures (visually lossless for photos).
const QUALITY: u8 = 92;

pub(super) fn is_jpeg(mime: &str) -> bool {
    matches!(
        mime.trim().to_ascii_lowercase().as_str(),
        "image/jpeg" | "image/jpg"
    )
}

/// Whether `file` is a picture CreatorFlow converts before sending.
pub fn needs_conversion(file: &MediaFile) -> bool {
    file.kind() == Some(MediaKind::Image)
        && CONVERTED_TYPES.contains(&file.mime.trim().to_ascii_lowercase().as_str())
}

/// A JPEG copy of `file` in a temporary file (the caller removes it), or
/// `None` when it is a JPEG already.
pub(super) async fn to_jpeg(file: &MediaFile) -> Result<Option<MediaFile>, PlatformError> {
    if !needs_conversion(file) {
        return Ok(None);
    }
    let source = file.clone();
    tokio::task::spawn_blocking(move || convert(&source))
        .await
        .map_err(|e| {
            PlatformError::new(
                ErrorKind::Network,
                "conversion_failed",
                "CreatorFlow could not convert the picture. It will try again.",
            )
            .with_detail(e.to_string())
        })?
        .map(Some)
}

fn convert(file: &MediaFile) -> Result<MediaFile, PlatformError> {
    let name = file.display_name();
    let unreadable = |e: &dyn std::fmt::Display| {
        PlatformError::new(
            ErrorKind::Rejected,
            "media_unreadable",
            format!(
                "Instagram takes JPEG pictures, and CreatorFlow could not read \"{name}\" to \
                 convert it. Export it as JPEG and attach it again."
            ),
        )
        .with_detail(e.to_string())
    };
    let picture = image::ImageReader::open(&file.path)
        .map_err(|e| unreadable(&e))?
        .with_guessed_format()
        .map_err(|e| unreadable(&e))?
        .decode()
        .map_err(|e| unreadable(&e))?;
    // JPEG has no transparency: transparent parts become white, as they
    // show on Instagram's white feed.
    let rgba = picture.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (src, dst) in rgba.pixels().zip(rgb.pixels_mut()) {
        let [r, g, b, a] = src.0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        *dst = image::Rgb([over(r), over(g), over(b)]);
    }
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, QUALITY)
        .encode_image(&rgb)
        .map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > super::MAX_IMAGE_BYTES {
        return Err(PlatformError::new(
            ErrorKind::Rejected,
            "media_too_large",
            format!(
                "As a JPEG, \"{name}\" is {}, more than Instagram's 8 MB. Make it smaller and \
                 attach it again.",
                human_size(bytes.len() as u64)
            ),
        ));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let dir = std::env::temp_dir().join("creatorflow-instagram");
    let path: PathBuf = dir.join(format!("{sha256}.jpg"));
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&path, &bytes))
        .map_err(|e| {
            PlatformError::new(
                ErrorKind::Network,
                "conversion_failed",
                "CreatorFlow could not write the converted picture (is the disk full?). It will \
                 try again.",
            )
            .with_detail(e.to_string())
        })?;
    let stem = name
        .rsplit_once('.')
        .map(|(s, _)| s.to_owned())
        .unwrap_or(name);
    Ok(MediaFile {
        path,
        name: Some(format!("{stem}.jpg")),
        mime: "image/jpeg".into(),
        size: bytes.len() as u64,
        sha256,
        width: Some(rgb.width()),
        height: Some(rgb.height()),
        duration_ms: None,
        codec: None,
        alt_text: file.alt_text.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_file(dir: &std::path::Path) -> MediaFile {
        let mut img = image::RgbaImage::new(40, 50);
        for (x, _, p) in img.enumerate_pixels_mut() {
            *p = image::Rgba([200, 40, (x * 5) as u8, if x < 20 { 255 } else { 0 }]);
        }
        let path = dir.join("badge.png");
        img.save(&path).expect("png");
        let bytes = std::fs::read(&path).expect("read");
        MediaFile {
            path,
            name: Some("badge.png".into()),
            mime: "image/png".into(),
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
            width: Some(40),
            height: Some(50),
            duration_ms: None,
            codec: None,
            alt_text: Some("A badge".into()),
        }
    }

    #[tokio::test]
    async fn a_png_becomes_a_jpeg_of_the_same_size_and_a_jpeg_stays() {
        let dir = tempfile::tempdir().expect("tmp");
        let png = png_file(dir.path());
        let jpeg = to_jpeg(&png).await.expect("converted").expect("a copy");
        assert_eq!(jpeg.mime, "image/jpeg");
        assert_eq!(jpeg.name.as_deref(), Some("badge.jpg"));
        assert_eq!((jpeg.width, jpeg.height), (Some(40), Some(50)));
        assert_eq!(jpeg.alt_text.as_deref(), Some("A badge"));
        let bytes = std::fs::read(&jpeg.path).expect("written");
        assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
        assert_eq!(bytes.len() as u64, jpeg.size);
        let _ = std::fs::remove_file(&jpeg.path);
        let as_is = MediaFile {
            mime: "image/jpeg".into(),
            ..png
        };
        assert!(to_jpeg(&as_is).await.expect("nothing to do").is_none());
    }

    #[tokio::test]
    async fn a_broken_picture_is_refused_in_words() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("broken.png");
        std::fs::write(&path, b"\x89PNG\r\n\x1a\nnot really").expect("write");
        let file = MediaFile {
            path,
            name: Some("broken.png".into()),
            mime: "image/png".into(),
            size: 17,
            sha256: "x".into(),
            width: None,
            height: None,
            duration_ms: None,
            codec: None,
            alt_text: None,
        };
        let e = to_jpeg(&file).await.expect_err("unreadable");
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert!(e.message.contains("\"broken.png\""), "{}", e.message);
    }
}
