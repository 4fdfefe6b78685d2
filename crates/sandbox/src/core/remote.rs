//! A client of a running sandbox's control API (`/_sandbox/...`), for a
//! process that did not start the sandbox itself: the app in sandbox mode
//! against `creatorflow-sandbox`, and the tests that drive one.

use url::Url;

/// What went wrong talking to a running sandbox.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("the sandbox's address does not take the path {0:?}")]
    Path(String),
    #[error("the sandbox could not be reached or refused the request: {0}")]
    Http(#[from] reqwest::Error),
}

/// The control API of the sandbox at `base` (`http://127.0.0.1:PORT/`).
#[derive(Debug, Clone)]
pub struct Remote {
    base: Url,
    http: reqwest::Client,
}

impl Remote {
    pub fn new(base: Url) -> Self {
        Self {
            base,
            http: reqwest::Client::new(),
        }
    }

    /// The sandbox's base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `POST /_sandbox/<path>` with `body` (settings, consent, faults, clock
    /// ...); an answer other than 2xx is an error.
    pub async fn control(&self, path: &str, body: &serde_json::Value) -> Result<(), RemoteError> {
        let url = self
            .base
            .join(&format!("/_sandbox/{path}"))
            .map_err(|_| RemoteError::Path(path.to_owned()))?;
        self.http
            .post(url)
            .json(body)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Removes every pending fault rule (`DELETE /_sandbox/faults`).
    pub async fn clear_faults(&self) -> Result<(), RemoteError> {
        let url = self
            .base
            .join("/_sandbox/faults")
            .map_err(|_| RemoteError::Path("faults".into()))?;
        self.http.delete(url).send().await?.error_for_status()?;
        Ok(())
    }

    /// The emulated clock (`GET /_sandbox/clock`).
    pub async fn clock(&self) -> Result<crate::ClockInfo, RemoteError> {
        let url = self
            .base
            .join("/_sandbox/clock")
            .map_err(|_| RemoteError::Path("clock".into()))?;
        Ok(self
            .http
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Merges `patch` into `platform`'s settings, as
    /// [`Sandbox::update_platform_settings`](crate::Sandbox::update_platform_settings)
    /// does in-process.
    pub async fn update_platform_settings(
        &self,
        platform: &str,
        patch: &serde_json::Value,
    ) -> Result<(), RemoteError> {
        self.control(&format!("settings/{platform}"), patch).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SandboxConfig, start};

    #[tokio::test]
    async fn settings_reach_the_running_sandbox_and_refusals_are_errors() {
        let sandbox = start(SandboxConfig::default()).await.expect("sandbox");
        let remote = Remote::new(sandbox.url("/"));
        remote
            .update_platform_settings("youtube", &serde_json::json!({"processing_secs": 7}))
            .await
            .expect("settings taken");
        let settings = sandbox.platform_settings("youtube").expect("settings");
        assert_eq!(settings["processing_secs"], 7);
        let refused = remote
            .update_platform_settings("no-such-network", &serde_json::json!({}))
            .await;
        assert!(matches!(refused, Err(RemoteError::Http(_))), "{refused:?}");
        sandbox.shutdown().await.expect("shutdown");
    }
}
