//! What the Accounts and Settings views show about each network: whether
//! CreatorFlow publishes there, the permissions it asks for and why, the
//! redirects it can use and which is picked, the developer app in use, and
//! the network's capabilities.

use serde::Serialize;
use specta::Type;

use crate::Engine;
use crate::auth::redirect_uri;
use crate::error::Result;
use crate::model::{Platform, RedirectKind};
use creatorflow_platforms::{Capabilities, Choice, RedirectStyle, ScopeInfo};

/// One redirect a network accepts, as the creator registers it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RedirectOption {
    pub kind: RedirectKind,
    /// The URI to register in the developer portal ("any port" spelled out).
    pub uri: String,
    /// The one this run uses.
    pub chosen: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlatformInfo {
    pub platform: Platform,
    pub name: String,
    /// CreatorFlow can connect and publish to it in this version.
    pub available: bool,
    pub scopes: Vec<ScopeInfo>,
    /// The redirects to register in the platform's developer portal; the
    /// chosen one is what connecting uses.
    pub redirects: Vec<RedirectOption>,
    /// A redirect fixed by this run (sandbox or tests): no choice offered.
    pub redirect_fixed: bool,
    pub needs_client_secret: bool,
    /// The network's sign-in products, where it has several; the developer
    /// app uses `product` (the first when `None`).
    pub products: Vec<Choice>,
    pub product: Option<String>,
    /// A client id is set (or built in, in sandbox mode).
    pub has_client: bool,
    pub client_id: Option<String>,
    /// A secret is kept in the keychain (never its value).
    pub has_client_secret: bool,
    pub builtin_client: bool,
    pub portal_url: String,
    pub capabilities: Option<Capabilities>,
}

fn shown_uri(platform: Platform, style: &RedirectStyle) -> String {
    match style {
        RedirectStyle::Loopback { port: None, path } => {
            format!("http://127.0.0.1{path} (any port)")
        }
        style => redirect_uri(platform, style).0,
    }
}

impl Engine {
    pub async fn platform_info(&self, platform: Platform) -> Result<PlatformInfo> {
        let publisher = self.platforms().get(platform);
        let builtin = self.platforms().builtin_client(platform).cloned();
        let stored = match builtin {
            Some(_) => None,
            None => self.vault().client(platform).await?,
        };
        let client_id = builtin
            .as_ref()
            .map(|c| c.client_id.clone())
            .or_else(|| stored.as_ref().map(|c| c.client_id.clone()));
        let has_client_secret = builtin
            .as_ref()
            .map(|c| c.client_secret.is_some())
            .or_else(|| stored.as_ref().map(|c| c.client_secret.is_some()))
            .unwrap_or(false);
        let fixed = self.platforms().redirect_override(platform);
        let redirects = match (&publisher, &fixed) {
            (_, Some(style)) => vec![RedirectOption {
                kind: style.kind(),
                uri: shown_uri(platform, style),
                chosen: true,
            }],
            (Some(p), None) => {
                let chosen = self.redirect_style(platform).await?;
                p.authenticator()
                    .spec()
                    .redirects
                    .iter()
                    .map(|r| RedirectOption {
                        kind: r.kind(),
                        uri: shown_uri(platform, r),
                        chosen: r == &chosen,
                    })
                    .collect()
            }
            (None, None) => vec![],
        };
        let spec = publisher.as_ref().map(|p| p.authenticator().spec().clone());
        let product = match &publisher {
            Some(_) => self.sign_in_product(platform).await?,
            None => None,
        };
        let scopes = publisher
            .as_ref()
            .map(|p| p.authenticator().scopes(product.as_deref()))
            .unwrap_or_default();
        Ok(PlatformInfo {
            platform,
            name: platform.display_name().to_owned(),
            available: publisher.is_some(),
            scopes,
            redirects,
            redirect_fixed: fixed.is_some(),
            needs_client_secret: spec.as_ref().is_some_and(|s| s.needs_client_secret),
            products: spec
                .as_ref()
                .map(|s| s.products.clone())
                .unwrap_or_default(),
            product,
            has_client: client_id.is_some(),
            client_id,
            has_client_secret,
            builtin_client: builtin.is_some(),
            portal_url: platform.portal_url().to_owned(),
            capabilities: publisher.as_ref().map(|p| p.capabilities()),
        })
    }

    pub async fn platform_catalog(&self) -> Result<Vec<PlatformInfo>> {
        let mut out = Vec::with_capacity(Platform::ALL.len());
        for p in Platform::ALL {
            out.push(self.platform_info(p).await?);
        }
        Ok(out)
    }
}
