//! Google sign-in for YouTube (docs/platforms/youtube.md §1,
//! desktop-oauth.md §4.4) against the sandbox: the authorize URL, the code
//! exchange, refresh, revoke, and a "Testing" project's 7-day refresh tokens.

mod youtube_common;

use std::collections::HashMap;

use chrono::Utc;
use creatorflow_platforms::youtube::{REFRESH_REFUSED_MESSAGE, YoutubeClient};
use creatorflow_platforms::{
    AccessToken, AuthError, ClientCredentials, ErrorKind, Publisher, RedirectKind, RedirectStyle,
    TokenSet,
};
use creatorflow_sandbox::platforms::youtube::{
    SCOPE_FORCE_SSL, SCOPE_READONLY, SCOPE_UPLOAD, YOUTUBE_DESKTOP_CLIENT_ID,
    YOUTUBE_DESKTOP_CLIENT_SECRET,
};
use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use serde_json::json;
use youtube_common::*;

/// A loopback redirect on some port the app picked.
const REDIRECT: &str = "http://127.0.0.1:53682/oauth/youtube/callback";

fn creds() -> ClientCredentials {
    ClientCredentials {
        client_id: YOUTUBE_DESKTOP_CLIENT_ID.to_owned(),
        client_secret: Some(YOUTUBE_DESKTOP_CLIENT_SECRET.to_owned()),
        product: None,
    }
}

fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// Runs the browser's part: follows the authorize URL (the sandbox approves
/// at once) and returns the code the loopback redirect carries.
async fn sign_in(client: &YoutubeClient) -> TokenSet {
    let auth = client.authenticator();
    let a = auth
        .authorize(&creds(), REDIRECT, "st4te")
        .expect("authorize url");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let resp = http.get(a.url.clone()).send().await.expect("authorize");
    assert_eq!(resp.status(), 302, "approved and redirected");
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location");
    let back = url::Url::parse(location).expect("redirect url");
    assert!(back.as_str().starts_with(REDIRECT), "{back}");
    let q = query(&back);
    assert_eq!(q["state"], "st4te");
    auth.exchange_code(&creds(), REDIRECT, &q["code"], &a.verifier, Utc::now())
        .await
        .expect("code exchange")
}

#[tokio::test]
async fn the_authorize_url_is_googles_desktop_flow() {
    let e = env().await;
    let auth = e.client.authenticator();
    let spec = auth.spec();
    assert_eq!(
        spec.redirect(None),
        RedirectStyle::Loopback {
            port: None,
            path: "/oauth/youtube/callback".into()
        }
    );
    assert_eq!(
        spec.redirect(Some(RedirectKind::DeepLink)).kind(),
        RedirectKind::Loopback
    );
    assert!(spec.needs_client_secret);
    assert!(
        spec.scopes.iter().all(|s| s.why.len() > 20),
        "every scope says why"
    );

    let a = auth.authorize(&creds(), REDIRECT, "st4te").expect("url");
    assert!(
        a.url
            .as_str()
            .starts_with(&format!("{}/o/oauth2/v2/auth?", e.sb.url("/youtube"))),
        "{}",
        a.url
    );
    let q = query(&a.url);
    assert_eq!(q["client_id"], YOUTUBE_DESKTOP_CLIENT_ID);
    assert_eq!(q["redirect_uri"], REDIRECT);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["state"], "st4te");
    assert_eq!(q["access_type"], "offline");
    assert_eq!(q["prompt"], "consent");
    assert_eq!(
        q["scope"],
        format!("{SCOPE_UPLOAD} {SCOPE_READONLY} {SCOPE_FORCE_SSL}")
    );
    assert_eq!(q["code_challenge_method"], "S256");
    let expected =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(a.verifier.clone()));
    assert_eq!(q["code_challenge"], expected.as_str());
    assert!(
        !q.contains_key("client_secret"),
        "the secret never goes in a URL"
    );
    assert!(!format!("{a:?}").contains(&a.verifier));
}

#[tokio::test]
async fn code_exchange_refresh_and_revoke() {
    let e = env().await;
    let tokens = sign_in(&e.client).await;
    assert!(tokens.access_token.starts_with("ya29."));
    let refresh = tokens
        .refresh_token
        .clone()
        .expect("a refresh token (offline + consent)");
    let lifetime = tokens.expires_at.expect("expiry") - Utc::now();
    assert!(lifetime > chrono::Duration::minutes(59) && lifetime <= chrono::Duration::hours(1));
    for s in [SCOPE_UPLOAD, SCOPE_READONLY, SCOPE_FORCE_SSL] {
        assert!(tokens.scopes.iter().any(|t| t == s), "{s} granted");
    }
    let access = AccessToken::new(tokens.access_token.clone());
    let p = e.client.profiles(&access, &[]).await.expect("profiles");
    assert_eq!(p[0].platform_user_id, CHANNEL);

    // An hour later the access token is dead; a refresh gives a new one.
    e.sb.advance_clock(3600);
    let err = e.client.profiles(&access, &[]).await.expect_err("expired");
    assert_eq!(err.kind, ErrorKind::Auth);
    let auth = e.client.authenticator();
    let renewed = auth
        .refresh(&creds(), &tokens, Utc::now())
        .await
        .expect("refresh");
    assert_ne!(renewed.access_token, tokens.access_token);
    assert_eq!(
        renewed.refresh_token.as_deref(),
        Some(refresh.as_str()),
        "Google does not rotate"
    );
    e.client
        .profiles(&AccessToken::new(renewed.access_token.clone()), &[])
        .await
        .expect("profiles with the renewed token");
    // Months later (in production status) it still renews.
    e.sb.advance_clock(90 * 24 * 3600);
    let renewed = auth
        .refresh(&creds(), &renewed, Utc::now())
        .await
        .expect("refresh after 90 days");

    // Disconnect: the grant ends, the refresh token with it.
    auth.revoke(&creds(), &renewed).await.expect("revoked");
    let err = auth
        .refresh(&creds(), &renewed, Utc::now())
        .await
        .expect_err("revoked");
    let AuthError::Rejected { error, .. } = &err else {
        panic!("expected a refusal, got {err:?}");
    };
    assert_eq!(error, "invalid_grant");
    assert_eq!(auth.refresh_refused(&err), REFRESH_REFUSED_MESSAGE);
}

#[tokio::test]
async fn a_testing_projects_sign_in_ends_after_seven_days() {
    let e = env().await;
    set(&e.sb, json!({"publishing_status": "testing"}));
    let tokens = sign_in(&e.client).await;
    let auth = e.client.authenticator();
    e.sb.advance_clock(6 * 24 * 3600);
    let tokens = auth
        .refresh(&creds(), &tokens, Utc::now())
        .await
        .expect("still renews on day 6");
    e.sb.advance_clock(24 * 3600 + 60);
    let err = auth
        .refresh(&creds(), &tokens, Utc::now())
        .await
        .expect_err("dead after 7 days");
    assert!(
        matches!(&err, AuthError::Rejected { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    let message = auth.refresh_refused(&err);
    assert!(message.contains("\"Testing\" status"), "{message}");
    assert!(message.contains("7 days"), "{message}");
    assert!(
        message.contains("Publish the app in Google Cloud"),
        "{message}"
    );
    assert!(message.contains("reconnect"), "{message}");
}

#[tokio::test]
async fn the_desktop_secret_is_sent_and_required() {
    let e = env().await;
    let auth = e.client.authenticator();
    let a = auth.authorize(&creds(), REDIRECT, "s").expect("url");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let resp = http.get(a.url.clone()).send().await.expect("authorize");
    let back = url::Url::parse(
        resp.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("Location"),
    )
    .expect("url");
    let no_secret = ClientCredentials {
        client_secret: None,
        ..creds()
    };
    let err = auth
        .exchange_code(
            &no_secret,
            REDIRECT,
            &query(&back)["code"],
            &a.verifier,
            Utc::now(),
        )
        .await
        .expect_err("the sandbox wants the Desktop secret, as Google does");
    assert!(matches!(err, AuthError::Rejected { .. }), "{err:?}");
}
