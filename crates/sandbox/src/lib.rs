//! CreatorFlow sandbox: faithful local emulators of the platforms' OAuth and
//! publishing APIs, served on 127.0.0.1 by one axum server.
//!
//! - Each emulated host lives under a path prefix (`/x`, `/linkedin`, later
//!   `/meta/...`, `/tiktok`, `/youtube`); below it the paths are the real ones, so
//!   a client with an injectable base URL talks to it unchanged.
//! - `/_sandbox/...` is a JSON control API (faults, clock, quotas, consent, ...);
//!   `/` is a status page listing accounts and received posts.
//! - [`start`] returns a [`SandboxHandle`] that also exposes the control API
//!   in-process (it derefs to [`Sandbox`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), creatorflow_sandbox::SandboxError> {
//! use creatorflow_sandbox::{start, ConsentMode, SandboxConfig};
//! let sandbox = start(SandboxConfig {
//!     consent: ConsentMode::Approve { account_id: None },
//!     ..SandboxConfig::default()
//! })
//! .await?;
//! let x_base = sandbox.url("/x"); // stands for https://x.com and https://api.x.com
//! # let _ = x_base;
//! let posts = sandbox.received(Some("x"));
//! # let _ = posts;
//! sandbox.shutdown().await?;
//! # Ok(()) }
//! ```

// Handlers return ready-made platform error responses as `Err(Response)`, the usual
// axum idiom; boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod core;
pub mod platforms;

pub use crate::core::faults::{Fault, FaultSpec, PendingFault};
pub use crate::core::oauth::{ClientType, IssuedTokens, OAuthClient, PkceMethod, RedirectMatch};
pub use crate::core::platform::{Account, PlatformCore, PlatformModule};
pub use crate::core::ratelimit::{Limit, RateDecision, WindowKind};
pub use crate::core::received::{ReceivedMedia, ReceivedPost};
pub use crate::core::remote::{Remote, RemoteError};
pub use crate::core::reqlog::RequestRecord;
pub use crate::core::sandbox::{
    AccountInfo, ClientRegistration, ClockInfo, ControlError, QuotaInfo, QuotaSpec, RevokeSummary,
    Sandbox, TokenRequest,
};
pub use crate::core::server::{SandboxConfig, SandboxError, SandboxHandle, router, start};
pub use crate::core::state::{ConsentMode, SandboxState};

/// A demo developer app seeded in the sandbox, as a client uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoClient {
    /// The network's id (`x`, `youtube`, ...).
    pub platform: &'static str,
    pub client_id: &'static str,
    pub client_secret: Option<&'static str>,
    /// The sign-in product the demo app has, where the network has several
    /// (LinkedIn's demo app has the Community Management API, for
    /// Analytics); `None`: the network's default.
    pub product: Option<&'static str>,
}

/// The demo apps the app's sandbox mode signs in with, one per network whose
/// sign-in CreatorFlow uses (public clients have no secret).
pub fn demo_clients() -> Vec<DemoClient> {
    vec![
        DemoClient {
            platform: platforms::x::PLATFORM,
            client_id: platforms::x::X_PUBLIC_CLIENT_ID,
            client_secret: None,
            product: None,
        },
        // LinkedIn's self-serve flow needs the secret (the native PKCE flow is
        // partner-only); its registered redirect is
        // http://127.0.0.1:47616/oauth/linkedin/callback.
        DemoClient {
            platform: platforms::linkedin::PLATFORM,
            client_id: platforms::linkedin::LINKEDIN_CLIENT_ID,
            client_secret: Some(platforms::linkedin::LINKEDIN_CLIENT_SECRET),
            product: Some("share_analytics"),
        },
        // TikTok wants the secret even from desktop apps; its redirects take
        // any loopback port (http://127.0.0.1:*/oauth/tiktok/callback).
        DemoClient {
            platform: platforms::tiktok::PLATFORM,
            client_id: platforms::tiktok::TIKTOK_CLIENT_KEY,
            client_secret: Some(platforms::tiktok::TIKTOK_CLIENT_SECRET),
            product: None,
        },
        // Meta: the Instagram Login app (CreatorFlow's default product); it
        // redirects to Meta's desktop login_success.html, which the app's
        // sign-in window reads.
        DemoClient {
            platform: platforms::meta::PLATFORM,
            client_id: platforms::meta::META_INSTAGRAM_APP_ID,
            client_secret: Some(platforms::meta::META_INSTAGRAM_APP_SECRET),
            product: None,
        },
        DemoClient {
            platform: platforms::youtube::PLATFORM,
            client_id: platforms::youtube::YOUTUBE_DESKTOP_CLIENT_ID,
            client_secret: Some(platforms::youtube::YOUTUBE_DESKTOP_CLIENT_SECRET),
            product: None,
        },
    ]
}
