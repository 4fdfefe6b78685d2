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
    /// Redirects fixed for this run (e.g. a loopback port in tests),
    /// whatever the creator picked in Settings.
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

    /// A demo app of the sandbox, by its network's id (`x`, `youtube`),
    /// with the sign-in product it has where the network has several; an
    /// unknown network is ignored.
    pub fn with_demo_client(
        self,
        platform: &str,
        client_id: &str,
        secret: Option<&str>,
        product: Option<&str>,
    ) -> Self {
        match Platform::parse(platform) {
            Some(p) => self.with_builtin_client(
                p,
                ClientCredentials {
                    client_id: client_id.to_owned(),
                    client_secret: secret.map(str::to_owned),
                    product: product.map(str::to_owned),
                },
            ),
            None => self,
        }
    }

    pub fn with_redirect(mut self, platform: Platform, redirect: RedirectStyle) -> Self {
        self.redirects.insert(platform, redirect);
        self
    }

    /// Real platforms (production endpoints).
    pub fn production() -> Self {
        use creatorflow_platforms::instagram::{InstagramClient, InstagramEndpoints};
        use creatorflow_platforms::linkedin::{LinkedinClient, LinkedinEndpoints};
        use creatorflow_platforms::tiktok::{TiktokClient, TiktokEndpoints};
        use creatorflow_platforms::x::{XClient, XEndpoints};
        use creatorflow_platforms::youtube::{YoutubeClient, YoutubeEndpoints};
        Self::new()
            .with(Arc::new(XClient::new(XEndpoints::production())))
            .with(Arc::new(TiktokClient::new(TiktokEndpoints::production())))
            .with(Arc::new(YoutubeClient::new(YoutubeEndpoints::production())))
            .with(Arc::new(LinkedinClient::new(
                LinkedinEndpoints::production(),
            )))
            .with(Arc::new(InstagramClient::new(
                InstagramEndpoints::production(),
            )))
    }

    /// Every client pointed at the sandbox at `base` (e.g. `http://127.0.0.1:PORT`),
    /// which serves each network under `/<network>`. The demo apps' credentials
    /// are added with [`Platforms::with_builtin_client`].
    pub fn sandbox(base: &Url) -> Self {
        use creatorflow_platforms::instagram::{InstagramClient, InstagramEndpoints};
        use creatorflow_platforms::linkedin::{LinkedinClient, LinkedinEndpoints};
        use creatorflow_platforms::tiktok::{TiktokClient, TiktokEndpoints};
        use creatorflow_platforms::x::{XClient, XEndpoints};
        use creatorflow_platforms::youtube::{YoutubeClient, YoutubeEndpoints};
        let under = |prefix: &str| base.join(prefix).unwrap_or_else(|_| base.clone());
        Self::new()
            .with(Arc::new(XClient::new(XEndpoints::under(&under("x")))))
            .with(Arc::new(YoutubeClient::new(YoutubeEndpoints::under(
                &under("youtube"),
            ))))
            .with(Arc::new(LinkedinClient::new(LinkedinEndpoints::under(
                &under("linkedin"),
            ))))
            .with(Arc::new(TiktokClient::new(TiktokEndpoints::under(&under(
                "tiktok",
            )))))
            .with(Arc::new(InstagramClient::new(InstagramEndpoints::under(
                &under("meta"),
            ))))
    }

    pub fn get(&self, platform: Platform) -> Option<Arc<dyn Publisher>> {
        self.publishers.get(&platform).cloned()
    }

    pub fn builtin_client(&self, platform: Platform) -> Option<&ClientCredentials> {
        self.builtin_clients.get(&platform)
    }

    /// A redirect this run fixes for `platform`, if any.
    pub fn redirect_override(&self, platform: Platform) -> Option<RedirectStyle> {
        self.redirects.get(&platform).cloned()
    }

    pub fn available(&self) -> Vec<Platform> {
        let mut v: Vec<Platform> = self.publishers.keys().copied().collect();
        v.sort();
        v
    }
}
