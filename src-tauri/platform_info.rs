//! What the UI shows about each network: availability, scopes and why,
//! the redirect URI to register, and whether credentials are set.

use creatorflow_engine::{Engine, Platform, Result, auth};
use creatorflow_platforms::RedirectStyle;

use crate::commands::PlatformInfo;

pub fn portal_url(platform: Platform) -> &'static str {
    match platform {
        Platform::X => "https://developer.x.com/en/portal/dashboard",
        Platform::Linkedin => "https://www.linkedin.com/developers/apps",
        Platform::Instagram => "https://developers.facebook.com/apps",
        Platform::Tiktok => "https://developers.tiktok.com/apps",
        Platform::Youtube => "https://console.cloud.google.com/apis/credentials",
    }
}

pub async fn one(engine: &Engine, platform: Platform) -> Result<PlatformInfo> {
    let publisher = engine.platforms().get(platform);
    let builtin = engine.platforms().builtin_client(platform).cloned();
    let stored = if builtin.is_some() {
        None
    } else {
        engine.vault().client(platform).await?
    };
    let client_id = builtin
        .as_ref()
        .map(|c| c.client_id.clone())
        .or_else(|| stored.as_ref().map(|c| c.client_id.clone()));
    let redirect_uri = engine
        .redirect_style(platform)
        .await?
        .map(|style| match style {
            RedirectStyle::Loopback { port: None, path } => {
                format!("http://127.0.0.1{path} (any port)")
            }
            style => auth::redirect_uri(platform, &style).0,
        });
    Ok(PlatformInfo {
        platform,
        name: platform.display_name().to_owned(),
        available: publisher.is_some(),
        scopes: publisher
            .as_ref()
            .map(|p| p.oauth_spec().scopes)
            .unwrap_or_default(),
        redirect_uri,
        needs_client_secret: publisher
            .as_ref()
            .is_some_and(|p| p.oauth_spec().needs_client_secret),
        has_client: client_id.is_some(),
        client_id,
        builtin_client: builtin.is_some(),
        portal_url: portal_url(platform).to_owned(),
        capabilities: publisher.as_ref().map(|p| p.capabilities()),
    })
}

pub async fn catalog(engine: &Engine) -> Result<Vec<PlatformInfo>> {
    let mut out = Vec::new();
    for p in Platform::ALL {
        out.push(one(engine, p).await?);
    }
    Ok(out)
}
