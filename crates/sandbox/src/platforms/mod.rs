//! The emulated platforms. Each module implements
//! [`PlatformModule`](crate::core::platform::PlatformModule); [`all`] lists them.
//!
//! Reserved prefixes (see the README): `/x` (done), `/linkedin` (done), `/meta/facebook`,
//! `/meta/graph`, `/meta/instagram`, `/meta/graph-instagram`, `/meta/rupload`
//! (done: one module under `/meta`), `/tiktok` (done), `/youtube` (done).

use std::sync::Arc;

use crate::core::platform::PlatformModule;

pub mod linkedin;
pub mod meta;
pub mod tiktok;
pub mod x;
pub mod youtube;

/// Every platform module, in status-page order. Add new modules here.
pub fn all() -> Vec<Arc<dyn PlatformModule>> {
    vec![
        Arc::new(x::XModule),
        Arc::new(linkedin::LinkedInModule),
        Arc::new(tiktok::TikTokModule),
        Arc::new(meta::MetaModule),
        Arc::new(youtube::YouTubeModule),
    ]
}
