//! The `oauth2` crate (v5), the client CreatorFlow uses, runs unchanged against
//! the sandbox's X OAuth: authorize URL + PKCE S256, code exchange with
//! `AuthType::RequestBody` (public Native App client), refresh with rotation.

mod common;

use common::*;
use creatorflow_sandbox::platforms::x::{X_PUBLIC_CLIENT_ID, X_PUBLIC_REDIRECT_URIS};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl,
    RefreshToken, RevocationUrl, Scope, StandardRevocableToken, TokenResponse as _, TokenUrl,
};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct AdapterError(String);

/// A minimal reqwest 0.13 adapter for oauth2's `AsyncHttpClient`.
async fn send(req: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, AdapterError> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AdapterError(e.to_string()))?;
    let (parts, body) = req.into_parts();
    let resp = client
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

#[tokio::test]
async fn oauth2_crate_talks_to_the_sandbox_unchanged() {
    let sb = sandbox().await;
    let client = BasicClient::new(ClientId::new(X_PUBLIC_CLIENT_ID.to_string()))
        .set_auth_uri(AuthUrl::new(x(&sb, "/i/oauth2/authorize")).expect("auth url"))
        .set_token_uri(TokenUrl::new(x(&sb, "/2/oauth2/token")).expect("token url"))
        .set_revocation_url(RevocationUrl::new(x(&sb, "/2/oauth2/revoke")).expect("revoke url"))
        .set_redirect_uri(
            RedirectUrl::new(X_PUBLIC_REDIRECT_URIS[0].to_string()).expect("redirect"),
        )
        .set_auth_type(AuthType::RequestBody);

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(
            [
                "tweet.read",
                "tweet.write",
                "users.read",
                "media.write",
                "offline.access",
            ]
            .map(|s| Scope::new(s.to_string())),
        )
        .set_pkce_challenge(challenge)
        .url();

    // The "browser": the sandbox approves at once and redirects to the app's URI.
    let resp = http()
        .get(auth_url.as_str())
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302);
    let params = location_params(&resp);
    assert_eq!(param(&params, "state"), Some(csrf.secret().as_str()));
    let code = param(&params, "code").expect("code").to_string();

    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&send)
        .await
        .expect("code exchange");
    assert_eq!(token.expires_in().map(|d| d.as_secs()), Some(7200));
    assert_eq!(token.scopes().map(Vec::len), Some(5));
    let access = token.access_token().secret().clone();
    let refresh = token
        .refresh_token()
        .expect("refresh token")
        .secret()
        .clone();
    let me = http()
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), 200);

    // Refresh rotates.
    let refreshed = client
        .exchange_refresh_token(&RefreshToken::new(refresh.clone()))
        .request_async(&send)
        .await
        .expect("refresh");
    let new_refresh = refreshed.refresh_token().expect("rotated").secret().clone();
    assert_ne!(new_refresh, refresh);
    // Replaying the old one fails with the server's error, parsed by the crate.
    let err = client
        .exchange_refresh_token(&RefreshToken::new(refresh))
        .request_async(&send)
        .await
        .expect_err("replay refused");
    assert!(format!("{err:?}").contains("invalid_request"), "{err:?}");

    // oauth2 refuses a non-https revocation URL (RFC 7009), so against the sandbox
    // (plain http on 127.0.0.1) revocation must be sent as a plain form POST.
    let err = client
        .revoke_token(StandardRevocableToken::AccessToken(
            oauth2::AccessToken::new(access),
        ))
        .expect_err("insecure revocation URL refused by the crate");
    assert!(format!("{err:?}").contains("InsecureUrl"), "{err:?}");
}
