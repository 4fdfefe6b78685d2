//! How a video is cut into chunks for `FILE_UPLOAD` (docs/platforms/tiktok.md
//! §6.1). TikTok's sizes are decimal megabytes:
//! - a file under 5 MB goes whole, in one chunk;
//! - every chunk but the last is between 5 MB and 64 MB; the last one takes
//!   the rest and may reach 128 MB;
//! - `total_chunk_count = floor(video_size / chunk_size)`, 1 to 1,000;
//! - a single chunk over 64 MB is refused.
//!
//! Since August 2026 TikTok has also been reported to refuse some multi-chunk
//! uploads whose last chunk is over 64 MB, so plans here keep the last chunk
//! under 64 MB too: the chunk size is at most 32 MB, and the last chunk is
//! less than two chunks.

use crate::error::{ErrorKind, PlatformError};

/// One decimal megabyte, as TikTok counts.
pub const MB: u64 = 1_000_000;
/// Smallest chunk but the last (§6.1).
pub const MIN_CHUNK_SIZE: u64 = 5 * MB;
/// Largest chunk but the last, and largest single chunk (§6.1).
pub const MAX_CHUNK_SIZE: u64 = 64 * MB;
/// Largest last chunk (§6.1).
pub const MAX_FINAL_CHUNK_SIZE: u64 = 128 * MB;
/// Most chunks in one upload (§6.1).
pub const MAX_CHUNKS: u64 = 1000;
/// The chunk size CreatorFlow uses: a last chunk (less than two of them)
/// stays under 64 MB, and a crash loses at most this much upload.
pub const DEFAULT_CHUNK_SIZE: u64 = 32 * MB;

/// The chunks of one upload, as announced in `source_info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPlan {
    pub video_size: u64,
    pub chunk_size: u64,
    pub total_chunk_count: u64,
}

impl ChunkPlan {
    /// The plan for a file of `video_size` bytes, with chunks of about
    /// `preferred` bytes (kept within 5 MB to 32 MB). Files that fit one
    /// chunk go whole.
    pub fn new(video_size: u64, preferred: u64) -> Result<Self, PlatformError> {
        if video_size == 0 {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "media_empty",
                "The video file is empty.",
            ));
        }
        let mut chunk = preferred.clamp(MIN_CHUNK_SIZE, DEFAULT_CHUNK_SIZE);
        if video_size <= chunk.max(MIN_CHUNK_SIZE) {
            return Ok(Self {
                video_size,
                chunk_size: video_size,
                total_chunk_count: 1,
            });
        }
        if video_size / chunk > MAX_CHUNKS {
            chunk = video_size.div_ceil(MAX_CHUNKS);
        }
        let count = video_size / chunk;
        let plan = Self {
            video_size,
            chunk_size: chunk,
            total_chunk_count: count,
        };
        if chunk > MAX_CHUNK_SIZE || plan.last_len() > MAX_FINAL_CHUNK_SIZE {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "media_too_large",
                "The video is too large for TikTok.",
            ));
        }
        Ok(plan)
    }

    /// Where chunk `index` (from 0) starts and how long it is: every chunk
    /// is `chunk_size` bytes but the last, which takes the rest.
    pub fn range(&self, index: u64) -> (u64, u64) {
        let offset = index * self.chunk_size;
        let len = if index + 1 >= self.total_chunk_count {
            self.video_size - offset
        } else {
            self.chunk_size
        };
        (offset, len)
    }

    /// Bytes in the last chunk.
    pub fn last_len(&self) -> u64 {
        self.range(self.total_chunk_count.saturating_sub(1)).1
    }

    /// `Content-Range` of chunk `index`: `bytes first-last/total`.
    pub fn content_range(&self, index: u64) -> String {
        let (offset, len) = self.range(index);
        format!("bytes {}-{}/{}", offset, offset + len - 1, self.video_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TikTok's rules (§6.1), written out with TikTok's own numbers rather
    /// than this module's constants.
    fn follows_tiktoks_rules(p: &ChunkPlan) {
        let size = p.video_size;
        assert!(
            p.total_chunk_count >= 1 && p.total_chunk_count <= 1000,
            "{p:?}"
        );
        assert_eq!(
            p.total_chunk_count,
            size / p.chunk_size,
            "floor rule: {p:?}"
        );
        if size < 5_000_000 {
            assert_eq!((p.chunk_size, p.total_chunk_count), (size, 1), "{p:?}");
        }
        if p.total_chunk_count == 1 {
            assert!(size <= 64_000_000, "one chunk over 64 MB: {p:?}");
        } else {
            assert!((5_000_000..=64_000_000).contains(&p.chunk_size), "{p:?}");
        }
        let mut total = 0;
        for i in 0..p.total_chunk_count {
            let (offset, len) = p.range(i);
            assert_eq!(offset, total, "in order");
            if i + 1 < p.total_chunk_count {
                assert_eq!(len, p.chunk_size);
            } else {
                assert!(len <= 128_000_000, "{p:?}");
                // And the stricter reading: under 64 MB too.
                assert!(len <= 64_000_000, "{p:?}");
            }
            total += len;
        }
        assert_eq!(total, size);
    }

    #[test]
    fn plans_for_the_sizes_tiktoks_rules_hinge_on() {
        for size in [
            1_000_000,
            4_999_999,
            5_000_000,
            64_000_000,
            64_000_001,
            200_000_000,
            1_000_000_000,
            1_073_741_824,
            4_294_967_296,
        ] {
            let p = ChunkPlan::new(size, DEFAULT_CHUNK_SIZE).expect("plan");
            follows_tiktoks_rules(&p);
        }
        // And whatever a caller prefers.
        for preferred in [0, 1, 5_000_000, 10_000_000, 64_000_000, u64::MAX] {
            for size in [3_000_000, 12_000_000, 64_000_001, 300_000_123] {
                follows_tiktoks_rules(&ChunkPlan::new(size, preferred).expect("plan"));
            }
        }
    }

    #[test]
    fn small_files_go_whole_and_big_ones_in_chunks() {
        let p = ChunkPlan::new(1_000_000, DEFAULT_CHUNK_SIZE).expect("plan");
        assert_eq!(p.content_range(0), "bytes 0-999999/1000000");
        let p = ChunkPlan::new(64_000_001, DEFAULT_CHUNK_SIZE).expect("plan");
        assert_eq!(p.total_chunk_count, 2);
        assert_eq!(p.content_range(1), "bytes 32000000-64000000/64000001");
        let p = ChunkPlan::new(12_000_000, 5_000_000).expect("plan");
        assert_eq!((p.chunk_size, p.total_chunk_count), (5_000_000, 2));
        assert_eq!(p.range(1), (5_000_000, 7_000_000));
        let e = ChunkPlan::new(0, DEFAULT_CHUNK_SIZE).expect_err("empty");
        assert_eq!(e.code, "media_empty");
    }

    #[test]
    fn very_large_files_stay_within_a_thousand_chunks() {
        let p = ChunkPlan::new(20_000_000_000, 5_000_000).expect("plan");
        assert!(p.total_chunk_count <= 1000);
        follows_tiktoks_rules(&p);
        assert!(ChunkPlan::new(200_000_000_000, DEFAULT_CHUNK_SIZE).is_err());
    }
}
