//! WebKitGTK settings for an app that stays open all day (Linux).
//!
//! One lever was found that pays: drawing pages without GL compositing
//! (`HardwareAccelerationPolicy::Never`) takes about 95 MiB off WebKit's web
//! process (measured with `tests/benches/startup.rs`; see
//! `docs/performance.md`). It is **off by default**: with WebKitGTK 2.50
//! WebDriver stops answering under it, so the end-to-end tests cannot cover
//! the app in that mode, and WebKit has fixed crashes in it since.
//! `CREATORFLOW_WEBKIT=no-gpu-compositing` turns it on (the benchmark
//! compares both). WebKit's "document viewer" cache model and a memory limit
//! for its network process were measured too and changed nothing.

use tauri::Runtime;
use tauri::plugin::{Builder, TauriPlugin};

/// Whether `CREATORFLOW_WEBKIT` asks for pages drawn without GL compositing.
pub fn tuned(value: Option<&str>) -> bool {
    value.map(str::trim) == Some("no-gpu-compositing")
}

/// Applies the settings to each webview as it is created, before its page
/// loads.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    let tune = tuned(std::env::var("CREATORFLOW_WEBKIT").ok().as_deref());
    Builder::new("creatorflow-webkit")
        .on_webview_ready(move |webview| {
            if !tune {
                return;
            }
            #[cfg(target_os = "linux")]
            {
                let result = webview.with_webview(|platform| {
                    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
                    if let Some(settings) = WebViewExt::settings(&platform.inner()) {
                        settings
                            .set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                    }
                });
                if let Err(e) = result {
                    tracing::warn!("could not tune the {} webview: {e}", webview.label());
                }
            }
            #[cfg(not(target_os = "linux"))]
            let _ = webview;
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::tuned;

    #[test]
    fn webkit_as_it_comes_unless_asked() {
        assert!(!tuned(None));
        assert!(!tuned(Some("")));
        assert!(!tuned(Some("default")));
        assert!(tuned(Some("no-gpu-compositing")));
        assert!(tuned(Some(" no-gpu-compositing ")));
    }
}
