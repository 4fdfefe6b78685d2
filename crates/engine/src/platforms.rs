//! Which client talks to which network, with which developer credentials and
//! redirect, in this run of the app (real platforms, or the sandbox).

use std::collections::HashMap;
use std::sync::Arc;

use creatorflow_platforms::{ClientCredentials, Publisher, RedirectStyle};
use url::Url;

use crate::model::Platform;

#[derive(Clone, Default)]
pub struct Platforms {
    publishers: HashMap<Platform, Arc<dyn Publisher>>,
    /// Credentials built into this run (the sandbox's demo apps). When absent,
    /// the user's own credentials from the keychain are used.
    builtin_clients: HashMap<Platform, ClientCredentials>,
    /// Redirect overrides (e.g. a loopback port in tests).
    redirects: HashMap<Platform, RedirectStyle>,
}

impl Platforms {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, publisher: Arc<dyn Publisher>) -> Self {
        self.publishers.insert(publisher.platform(), publisher);
        self
    }

    pub fn with_builtin_client(mut self, platform: Platform, client: ClientCredentials) -> Self {
        self.builtin_clients.insert(platform, client);
        self
    }

    pub fn with_redirect(mut self, platform: Platform, redirect: RedirectStyle) -> Self {
        self.redirects.insert(platform, redirect);
        self
    }

    /// Real platforms (production endpoints).
    pub fn production() -> Self {
        use creatorflow_platforms::x::{XClient, XEndpoints};
        Self::new().with(Arc::new(XClient::new(XEndpoints::production())))
    }

    /// The sandbox at `base` (e.g. `http://127.0.0.1:PORT`), with its demo apps.
    pub fn sandbox(base: &Url, x_client_id: &str) -> Self {
        use creatorflow_platforms::x::{XClient, XEndpoints};
        let x_base = base.join("x").unwrap_or_else(|_| base.clone());
        Self::new()
            .with(Arc::new(XClient::new(XEndpoints::under(&x_base))))
            .with_builtin_client(
                Platform::X,
                ClientCredentials {
                    client_id: x_client_id.to_owned(),
                    client_secret: None,
                },
            )
    }

    pub fn get(&self, platform: Platform) -> Option<Arc<dyn Publisher>> {
        self.publishers.get(&platform).cloned()
    }

    pub fn builtin_client(&self, platform: Platform) -> Option<&ClientCredentials> {
        self.builtin_clients.get(&platform)
    }

    pub fn redirect(&self, platform: Platform) -> Option<RedirectStyle> {
        self.redirects.get(&platform).cloned().or_else(|| {
            self.publishers
                .get(&platform)
                .map(|p| p.oauth_spec().redirect)
        })
    }

    pub fn available(&self) -> Vec<Platform> {
        let mut v: Vec<Platform> = self.publishers.keys().copied().collect();
        v.sort();
        v
    }
}
