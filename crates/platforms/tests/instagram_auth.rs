//! Meta's two sign-in products (docs/platforms/instagram.md §2, §3)
//! against the sandbox: the authorize page and its redirect to the desktop
//! `login_success.html`, code → short-lived → long-lived token, permissions
//! actually granted, renewal by token swap, revoke.

mod instagram_common;

use std::collections::HashMap;

use chrono::{Duration, Utc};
use creatorflow_platforms::instagram::{DESKTOP_REDIRECT, FACEBOOK_LOGIN, INSTAGRAM_LOGIN};
use creatorflow_platforms::{
    AccessToken, AuthError, ClientCredentials, Publisher, RedirectStyle, TokenSet,
};
use creatorflow_sandbox::platforms::meta::{
    META_FACEBOOK_APP_ID, META_FACEBOOK_APP_SECRET, META_INSTAGRAM_APP_ID,
    META_INSTAGRAM_APP_SECRET,
};
use instagram_common::*;
use serde_json::json;

fn creds(product: &str) -> ClientCredentials {
    let (id, secret) = if product == FACEBOOK_LOGIN {
        (META_FACEBOOK_APP_ID, META_FACEBOOK_APP_SECRET)
    } else {
        (META_INSTAGRAM_APP_ID, META_INSTAGRAM_APP_SECRET)
    };
    ClientCredentials::new(id, Some(secret.to_owned())).with_product(Some(product.to_owned()))
}

/// Authorize, approve (the sandbox consents), read the redirect the sign-in
/// window would read, exchange the code and swap for a long-lived token.
async fn sign_in(e: &Env, product: &str) -> Result<TokenSet, AuthError> {
    let auth = e.client.authenticator();
    let RedirectStyle::Window { uri, hosts } = auth.spec().redirect(None) else {
        panic!("Meta signs in through a window");
    };
    assert_eq!(uri, DESKTOP_REDIRECT);
    assert_eq!(hosts, [e.sb.base_url().authority().to_owned()]);
    let c = creds(product);
    let a = auth.authorize(&c, &uri, "st4te").expect("url");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
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
    assert!(location.starts_with(DESKTOP_REDIRECT), "{location}");
    if product == INSTAGRAM_LOGIN {
        assert!(
            location.ends_with("#_"),
            "Instagram's trailing #_: {location}"
        );
    }
    let back = url::Url::parse(&location).expect("redirect");
    let q: HashMap<String, String> = back.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st4te");
    let now = Utc::now();
    let short = auth
        .exchange_code(&c, &uri, &q["code"], &a.verifier, now)
        .await?;
    auth.after_exchange(&c, short, now).await
}

fn days_left(t: &TokenSet) -> i64 {
    (t.expires_at.expect("expiry") - Utc::now()).num_days()
}

#[tokio::test]
async fn instagram_login_to_a_long_lived_token_renewed_once_a_day_old() {
    let e = env().await;
    let t = sign_in(&e, INSTAGRAM_LOGIN).await.expect("signed in");
    assert!((59..=60).contains(&days_left(&t)), "60 days: {t:?}");
    assert!(t.refresh_token.is_none(), "Meta has no refresh token");
    assert!(
        t.scopes
            .contains(&"instagram_business_content_publish".to_owned())
    );
    let profiles = e
        .client
        .profiles(&AccessToken::new(t.access_token.clone()), &t.scopes)
        .await
        .expect("profile");
    assert_eq!(profiles.len(), 1);
    assert!(!profiles[0].username.is_empty());
    let auth = e.client.authenticator();
    // Too young: Meta refuses, and says so.
    let refused = auth
        .refresh(&creds(INSTAGRAM_LOGIN), &t, Utc::now())
        .await
        .expect_err("younger than a day");
    assert!(matches!(refused, AuthError::Rejected { .. }), "{refused:?}");
    e.sb.advance_clock(25 * 3600);
    let renewed = auth
        .refresh(&creds(INSTAGRAM_LOGIN), &t, Utc::now())
        .await
        .expect("renewed");
    assert_ne!(renewed.access_token, t.access_token);
    assert!((59..=60).contains(&days_left(&renewed)));
    assert_eq!(renewed.scopes, t.scopes, "same product, same permissions");
    e.client
        .profiles(
            &AccessToken::new(renewed.access_token.clone()),
            &renewed.scopes,
        )
        .await
        .expect("the renewed token works");
    // An expired token cannot be renewed: the creator signs in again.
    let mut dead = renewed.clone();
    dead.expires_at = Some(Utc::now() - Duration::minutes(1));
    assert_eq!(
        auth.refresh(&creds(INSTAGRAM_LOGIN), &dead, Utc::now())
            .await
            .expect_err("expired"),
        AuthError::CannotRefresh
    );
}

#[tokio::test]
async fn facebook_login_finds_every_linked_account_renews_and_revokes() {
    let e = env().await;
    let t = sign_in(&e, FACEBOOK_LOGIN).await.expect("signed in");
    assert!((59..=60).contains(&days_left(&t)), "60 days: {t:?}");
    for p in [
        "instagram_basic",
        "instagram_content_publish",
        "pages_show_list",
        "pages_read_engagement",
    ] {
        assert!(t.scopes.contains(&p.to_owned()), "{p} in {:?}", t.scopes);
    }
    let profiles = e
        .client
        .profiles(&AccessToken::new(t.access_token.clone()), &t.scopes)
        .await
        .expect("profiles");
    let ids: Vec<&str> = profiles
        .iter()
        .map(|p| p.platform_user_id.as_str())
        .collect();
    assert_eq!(ids, [CREATOR.0, STUDIO.0]);
    let auth = e.client.authenticator();
    let renewed = auth
        .refresh(&creds(FACEBOOK_LOGIN), &t, Utc::now())
        .await
        .expect("re-exchanged while valid");
    assert!((59..=60).contains(&days_left(&renewed)));
    auth.revoke(&creds(FACEBOOK_LOGIN), &renewed)
        .await
        .expect("revoked");
    let err = e
        .client
        .profiles(
            &AccessToken::new(renewed.access_token.clone()),
            &renewed.scopes,
        )
        .await
        .expect_err("no longer works");
    assert!(
        matches!(
            err.kind,
            creatorflow_platforms::ErrorKind::Auth | creatorflow_platforms::ErrorKind::Forbidden
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_declined_permission_is_named_in_words() {
    let e = env().await;
    set(
        &e.sb,
        json!({"facebook_declined_permissions": ["pages_read_engagement"]}),
    );
    let err = sign_in(&e, FACEBOOK_LOGIN).await.expect_err("declined");
    let AuthError::Rejected { description, .. } = err else {
        panic!("refused in words: {err:?}");
    };
    let d = description.expect("words");
    assert!(
        d.contains("pages_read_engagement") && d.contains("ticked"),
        "{d}"
    );
}

#[tokio::test]
async fn a_forged_or_used_code_is_refused() {
    let e = env().await;
    let auth = e.client.authenticator();
    let c = creds(INSTAGRAM_LOGIN);
    let err = auth
        .exchange_code(&c, DESKTOP_REDIRECT, "not-a-code#_", "", Utc::now())
        .await
        .expect_err("forged");
    assert!(matches!(err, AuthError::Rejected { .. }), "{err:?}");
    let no_secret = ClientCredentials::new(META_INSTAGRAM_APP_ID, None);
    assert!(matches!(
        auth.exchange_code(&no_secret, DESKTOP_REDIRECT, "c", "", Utc::now())
            .await,
        Err(AuthError::Config(_))
    ));
}
