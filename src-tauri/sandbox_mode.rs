//! Sandbox mode: the emulators of the five platforms on 127.0.0.1, either
//! embedded (their state, demo accounts, tokens and received posts, kept in
//! the data directory so demo accounts stay connected across restarts) or
//! already running (`--sandbox-url`, the `creatorflow-sandbox` binary), so
//! they outlive the app.

use std::path::Path;

use creatorflow_engine::Platforms;
use creatorflow_sandbox::{ConsentMode, SandboxConfig, SandboxHandle};

/// The sandbox tries this port first so stored avatar URLs keep working
/// across restarts; any free port otherwise.
pub const PREFERRED_PORT: u16 = 47600;

pub async fn start(data_dir: &Path) -> Result<SandboxHandle, creatorflow_sandbox::SandboxError> {
    let config = |port| SandboxConfig {
        port,
        state_file: Some(data_dir.join("sandbox-state.json")),
        consent: ConsentMode::Ask,
        force_consent: false,
    };
    match creatorflow_sandbox::start(config(PREFERRED_PORT)).await {
        Ok(h) => Ok(h),
        Err(creatorflow_sandbox::SandboxError::Bind { .. }) => {
            creatorflow_sandbox::start(config(0)).await
        }
        Err(e) => Err(e),
    }
}

/// The emulators the app talks to in sandbox mode.
pub enum Link {
    /// Started by the app; stopped, with its state saved, when it quits.
    Embedded(SandboxHandle),
    /// Started before it (`--sandbox-url`); left running when it quits.
    Running(url::Url),
}

impl Link {
    pub fn base_url(&self) -> url::Url {
        match self {
            Self::Embedded(s) => s.base_url(),
            Self::Running(u) => u.clone(),
        }
    }
}

/// The app's clock in sandbox mode: the emulators' clock. Moving the
/// sandbox's clock on (its status page or `POST /_sandbox/clock/advance`)
/// moves the app's with it, so a creator or a test sees what happens an hour
/// or a week later: the numbers a post gathers, sign-ins that run out. The
/// offset is read once at start and then followed ([`SandboxClock::follow`]).
#[derive(Clone, Default)]
pub struct SandboxClock(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl creatorflow_engine::Clock for SandboxClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
            + chrono::Duration::seconds(self.0.load(std::sync::atomic::Ordering::Relaxed))
    }
}

impl SandboxClock {
    /// A clock at the sandbox's time now.
    pub async fn of(link: &Link) -> Self {
        let clock = Self::default();
        if let Some(offset) = offset(link).await {
            clock.set(offset);
        }
        clock
    }

    /// Stores `offset`; whether it changed.
    fn set(&self, offset: i64) -> bool {
        self.0.swap(offset, std::sync::atomic::Ordering::Relaxed) != offset
    }

    /// Follows the sandbox's clock (a read a second) and wakes the scheduler
    /// when it moved, so what came due by the move is done at once.
    pub fn follow(&self, link: &Link, engine: creatorflow_engine::Engine) {
        let clock = self.clone();
        let source = match link {
            Link::Embedded(s) => Source::Here((**s).clone()),
            Link::Running(u) => Source::There(creatorflow_sandbox::Remote::new(u.clone())),
        };
        tauri::async_runtime::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                if let Some(offset) = source.offset().await
                    && clock.set(offset)
                {
                    tracing::info!(offset_secs = offset, "the sandbox's clock moved");
                    engine.wake_scheduler();
                }
            }
        });
    }
}

async fn offset(link: &Link) -> Option<i64> {
    match link {
        Link::Embedded(s) => Some(s.clock().offset_secs),
        Link::Running(base) => {
            Source::There(creatorflow_sandbox::Remote::new(base.clone()))
                .offset()
                .await
        }
    }
}

/// Where the sandbox's clock is read: in this process, or over its control API.
enum Source {
    Here(creatorflow_sandbox::Sandbox),
    There(creatorflow_sandbox::Remote),
}

impl Source {
    async fn offset(&self) -> Option<i64> {
        match self {
            Self::Here(s) => Some(s.clock().offset_secs),
            Self::There(r) => r.clock().await.map(|c| c.offset_secs).ok(),
        }
    }
}

/// The scheduler in sandbox mode: as in normal use, except that
/// `CREATORFLOW_SANDBOX_RETRY_SECS` may shorten the wait before a failed
/// attempt is tried again (a soak against the emulators' faults would
/// otherwise wait out real back-off for an hour; the longest wait is eight
/// times it), and `CREATORFLOW_SANDBOX_LIMITS=lifted` stops counting posts
/// against the networks' published limits, for emulators whose limits were
/// lifted (what the emulators answer is still respected).
pub fn scheduler_config() -> creatorflow_engine::SchedulerConfig {
    let config = retry_config(
        std::env::var("CREATORFLOW_SANDBOX_RETRY_SECS")
            .ok()
            .as_deref(),
    );
    creatorflow_engine::SchedulerConfig {
        published_limits: std::env::var("CREATORFLOW_SANDBOX_LIMITS").as_deref() != Ok("lifted"),
        ..config
    }
}

fn retry_config(secs: Option<&str>) -> creatorflow_engine::SchedulerConfig {
    let default = creatorflow_engine::SchedulerConfig::default();
    match secs.and_then(|s| s.trim().parse::<i64>().ok()) {
        Some(secs @ 1..=3600) => creatorflow_engine::SchedulerConfig {
            base_backoff: chrono::Duration::seconds(secs),
            max_backoff: chrono::Duration::seconds(secs * 8),
            ..default
        },
        _ => default,
    }
}

/// Every platform pointed at the sandbox at `base`, with its demo developer apps.
pub fn platforms(base: &url::Url) -> Platforms {
    creatorflow_sandbox::demo_clients()
        .into_iter()
        .fold(Platforms::sandbox(base), |p, c| {
            p.with_demo_client(c.platform, c.client_id, c.client_secret, c.product)
        })
}

/// The emulated Meta fetches media only from public addresses, as Meta does
/// (docs/platforms/instagram.md §4.3). A media host tried out in sandbox
/// mode is usually on this machine, so sandbox mode lists the configured
/// host's addresses as public in the emulator; the real Meta would refuse
/// them, and the media host's test says so.
pub fn treat_media_host_as_public(
    sandbox: &Link,
    config: Option<&creatorflow_engine::media_host::MediaHostConfig>,
) {
    let hosts: Vec<String> = config
        .into_iter()
        .flat_map(|c| [Some(c.endpoint.as_str()), c.public_base_url.as_deref()])
        .flatten()
        .filter_map(|u| url::Url::parse(u).ok())
        .filter_map(|u| {
            let host = u.host_str()?.to_owned();
            Some(match u.port_or_known_default() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            })
        })
        .collect();
    let patch = serde_json::json!({ "public_hosts": hosts });
    let platform = creatorflow_sandbox::platforms::meta::PLATFORM;
    match sandbox {
        Link::Embedded(s) => {
            if let Err(e) = s.update_platform_settings(platform, patch) {
                tracing::warn!("the sandbox did not take the media host's address: {e}");
            }
        }
        // The same settings through the running sandbox's control API.
        Link::Running(base) => {
            let remote = creatorflow_sandbox::Remote::new(base.clone());
            tauri::async_runtime::spawn(async move {
                if let Err(e) = remote.update_platform_settings(platform, &patch).await {
                    tracing::warn!("the sandbox did not take the media host's address: {e}");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_wait_is_shortened_only_by_a_sane_number_of_seconds() {
        let default = creatorflow_engine::SchedulerConfig::default();
        let short = retry_config(Some("2"));
        assert_eq!(short.base_backoff, chrono::Duration::seconds(2));
        assert_eq!(short.max_backoff, chrono::Duration::seconds(16));
        assert_eq!(short.max_attempts, default.max_attempts);
        for bad in [
            None,
            Some(""),
            Some("0"),
            Some("-5"),
            Some("soon"),
            Some("99999"),
        ] {
            assert_eq!(
                retry_config(bad).base_backoff,
                default.base_backoff,
                "{bad:?}"
            );
        }
    }
}
