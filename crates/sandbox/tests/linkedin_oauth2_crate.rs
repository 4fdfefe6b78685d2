//! The `oauth2` crate (v5), the client CreatorFlow uses, against the sandbox's
//! LinkedIn OAuth: client credentials must go in the form body
//! (`AuthType::RequestBody`; LinkedIn ignores Basic auth), the native PKCE client
//! needs no secret, and partner refresh tokens are not rotated.

mod common;
mod linkedin_common;

use common::{location_params, param};
use creatorflow_sandbox::platforms::linkedin::{
    LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET, LINKEDIN_NATIVE_CLIENT_ID,
};
use linkedin_common::*;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    RedirectUrl, RefreshToken, Scope, TokenResponse as _, TokenUrl,
};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct AdapterError(String);

/// A minimal reqwest 0.13 adapter for oauth2's `AsyncHttpClient`.
async fn send(req: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, AdapterError> {
    let (parts, body) = req.into_parts();
    let resp = http()
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| AdapterError(e.to_string()))?;
    let mut builder = http::Response::builder().status(resp.status());
    for (k, v) in resp.headers() {
        builder = builder.header(k, v);
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| AdapterError(e.to_string()))?;
    builder
        .body(bytes.to_vec())
        .map_err(|e| AdapterError(e.to_string()))
}

/// The "browser": the sandbox approves at once; returns the code.
async fn browse(url: &str, csrf: &CsrfToken) -> String {
    let resp = http().get(url).send().await.expect("authorize");
    assert_eq!(resp.status(), 302);
    let params = location_params(&resp);
    assert_eq!(param(&params, "state"), Some(csrf.secret().as_str()));
    param(&params, "code").expect("code").to_string()
}

#[tokio::test]
async fn self_serve_client_needs_request_body_auth() {
    let sb = common::sandbox().await;
    sb.update_platform_settings("linkedin", json!({ "partner_mode": true }))
        .expect("settings");
    let client = BasicClient::new(ClientId::new(LINKEDIN_CLIENT_ID.to_string()))
        .set_client_secret(ClientSecret::new(LINKEDIN_CLIENT_SECRET.to_string()))
        .set_auth_uri(AuthUrl::new(li(&sb, "/oauth/v2/authorization")).expect("auth url"))
        .set_token_uri(TokenUrl::new(li(&sb, "/oauth/v2/accessToken")).expect("token url"))
        .set_redirect_uri(RedirectUrl::new(redirect().to_string()).expect("redirect"));
    // The crate's default (HTTP Basic) is refused: LinkedIn reads the form body only.
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.split(' ').map(|s| Scope::new(s.to_string())))
        .url();
    let code = browse(url.as_str(), &csrf).await;
    let err = client
        .exchange_code(AuthorizationCode::new(code))
        .request_async(&send)
        .await
        .expect_err("Basic auth refused");
    assert!(format!("{err:?}").contains("invalid_request"), "{err:?}");

    let client = client.set_auth_type(AuthType::RequestBody);
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.split(' ').map(|s| Scope::new(s.to_string())))
        .url();
    let code = browse(url.as_str(), &csrf).await;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .request_async(&send)
        .await
        .expect("code exchange");
    assert_eq!(token.expires_in().map(|d| d.as_secs()), Some(5_184_000));
    // LinkedIn separates the granted scopes with commas: the crate sees one item.
    assert_eq!(
        token
            .scopes()
            .map(|s| s.iter().map(|x| x.to_string()).collect::<Vec<_>>()),
        Some(vec!["openid,profile,email,w_member_social".to_string()])
    );
    let refresh = token
        .refresh_token()
        .expect("partner refresh token")
        .clone();
    let resp = http()
        .get(li(&sb, "/v2/userinfo"))
        .bearer_auth(token.access_token().secret())
        .send()
        .await
        .expect("userinfo");
    assert_eq!(resp.status(), 200);

    // Refresh: same refresh token back, new access token.
    let refreshed = client
        .exchange_refresh_token(&refresh)
        .request_async(&send)
        .await
        .expect("refresh");
    assert_eq!(
        refreshed.refresh_token().map(RefreshToken::secret),
        Some(refresh.secret())
    );
    assert_ne!(
        refreshed.access_token().secret(),
        token.access_token().secret()
    );
}

#[tokio::test]
async fn native_pkce_client_without_secret() {
    let sb = common::sandbox().await;
    // The app listens on a random loopback port.
    let redirect_uri = "http://127.0.0.1:53682/oauth/linkedin/callback";
    let client = BasicClient::new(ClientId::new(LINKEDIN_NATIVE_CLIENT_ID.to_string()))
        .set_auth_uri(AuthUrl::new(li(&sb, "/oauth/v2/authorization")).expect("auth url"))
        .set_token_uri(TokenUrl::new(li(&sb, "/oauth/v2/accessToken")).expect("token url"))
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_string()).expect("redirect"))
        .set_auth_type(AuthType::RequestBody);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.split(' ').map(|s| Scope::new(s.to_string())))
        .set_pkce_challenge(challenge)
        .url();
    let code = browse(url.as_str(), &csrf).await;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&send)
        .await
        .expect("code exchange");
    assert_eq!(token.expires_in().map(|d| d.as_secs()), Some(5_184_000));
    assert!(
        token.refresh_token().is_none(),
        "self-serve: no refresh token"
    );
}
