//! TikTok's Login Kit for desktop (docs/platforms/tiktok.md §1) against the
//! sandbox: `client_key`, the hex PKCE challenge, a loopback redirect on any
//! port, the code exchange, refresh with rotation, revoke.

mod tiktok_common;

use std::collections::HashMap;

use chrono::{Duration, Utc};
use creatorflow_platforms::tiktok::{REFRESH_REFUSED_MESSAGE, TiktokClient};
use creatorflow_platforms::{AuthError, ClientCredentials, Publisher, RedirectStyle, TokenSet};
use creatorflow_sandbox::platforms::tiktok::{TIKTOK_CLIENT_KEY, TIKTOK_CLIENT_SECRET};
use serde_json::json;
use tiktok_common::*;

/// A loopback redirect on the port the app happened to get.
const REDIRECT: &str = "http://127.0.0.1:53999/oauth/tiktok/callback";

fn creds() -> ClientCredentials {
    ClientCredentials {
        client_id: TIKTOK_CLIENT_KEY.to_owned(),
        client_secret: Some(TIKTOK_CLIENT_SECRET.to_owned()),
        product: None,
    }
}

async fn sign_in(client: &TiktokClient) -> TokenSet {
    let auth = client.authenticator();
    let a = auth.authorize(&creds(), REDIRECT, "st4te").expect("url");
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
        .expect("Location")
        .to_owned();
    let back = url::Url::parse(&location).expect("redirect");
    assert!(back.as_str().starts_with(REDIRECT), "{back}");
    let q: HashMap<String, String> = back.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st4te");
    auth.exchange_code(&creds(), REDIRECT, &q["code"], &a.verifier, Utc::now())
        .await
        .expect("exchange")
}

#[tokio::test]
async fn sign_in_refresh_with_rotation_and_revoke() {
    let e = env().await;
    set(&e.sb, json!({"token_profile": "classic"}));
    assert_eq!(
        e.client.authenticator().spec().redirect(None),
        RedirectStyle::Loopback {
            port: None,
            path: "/oauth/tiktok/callback".into()
        }
    );
    let now = Utc::now();
    let t = sign_in(&e.client).await;
    assert!(
        t.scopes.contains(&"video.publish".to_owned()),
        "{:?}",
        t.scopes
    );
    let left = t.expires_at.expect("expiry") - now;
    assert!(
        (left - Duration::hours(24)).num_seconds().abs() < 60,
        "24-hour access: {left}"
    );
    let lapse = t.lapses_at().expect("refresh expiry") - now;
    assert!(
        (lapse - Duration::days(365)).num_seconds().abs() < 60,
        "365-day refresh: {lapse}"
    );
    // The token works.
    let profiles = e
        .client
        .profiles(
            &creatorflow_platforms::AccessToken::new(t.access_token.clone()),
            &[],
        )
        .await
        .expect("profiles");
    assert_eq!(profiles.len(), 1);

    // The newer profile rotates refresh tokens: the old one dies.
    set(&e.sb, json!({"token_profile": "rotating"}));
    let auth = e.client.authenticator();
    let renewed = auth
        .refresh(&creds(), &t, Utc::now())
        .await
        .expect("refresh");
    assert_ne!(renewed.access_token, t.access_token);
    let renewed2 = auth
        .refresh(&creds(), &renewed, Utc::now())
        .await
        .expect("again");
    assert_ne!(renewed2.refresh_token, renewed.refresh_token, "rotated");
    let err = auth
        .refresh(&creds(), &renewed, Utc::now())
        .await
        .expect_err("old refresh token is dead");
    assert!(
        matches!(&err, AuthError::Rejected { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    assert_eq!(auth.refresh_refused(&err), REFRESH_REFUSED_MESSAGE);

    auth.revoke(&creds(), &renewed2).await.expect("revoke");
    let after = e
        .client
        .profiles(
            &creatorflow_platforms::AccessToken::new(renewed2.access_token.clone()),
            &[],
        )
        .await
        .expect_err("revoked");
    assert_eq!(after.kind, creatorflow_platforms::ErrorKind::Auth);
}

#[tokio::test]
async fn a_wrong_secret_or_a_forged_verifier_is_refused() {
    let e = env().await;
    let auth = e.client.authenticator();
    let a = auth.authorize(&creds(), REDIRECT, "s").expect("url");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let resp = http.get(a.url.clone()).send().await.expect("authorize");
    let location = resp.headers()["location"].to_str().expect("str").to_owned();
    let q: HashMap<String, String> = url::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect();
    let err = auth
        .exchange_code(
            &creds(),
            REDIRECT,
            &q["code"],
            "not-the-verifier-not-the-verifier-not-the-v",
            Utc::now(),
        )
        .await
        .expect_err("verifier");
    assert!(
        matches!(&err, AuthError::Rejected { error, .. } if error == "invalid_request"),
        "{err:?}"
    );
    let wrong = ClientCredentials {
        client_secret: Some("wrong".into()),
        ..creds()
    };
    let err = auth
        .exchange_code(&wrong, REDIRECT, &q["code"], &a.verifier, Utc::now())
        .await
        .expect_err("secret");
    assert!(
        matches!(&err, AuthError::Rejected { error, .. } if error == "invalid_client"),
        "{err:?}"
    );
    let none = ClientCredentials {
        client_secret: None,
        ..creds()
    };
    assert!(matches!(
        auth.exchange_code(&none, REDIRECT, "c", "v", Utc::now())
            .await,
        Err(AuthError::Config(_))
    ));
}
