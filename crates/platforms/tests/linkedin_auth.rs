//! Signing in to LinkedIn (docs/platforms/linkedin.md §1,
//! desktop-oauth.md §4.3) against the sandbox: the authorize URL, the code
//! exchange with the creator's own app, the 60-day sign-in that cannot be
//! renewed, a partner app's refresh tokens, revoke, and the
//! `REVOKED_ACCESS_TOKEN` quirk right after a sign-in.

mod linkedin_common;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use creatorflow_platforms::linkedin::{LinkedinClient, REFRESH_REFUSED_MESSAGE};
use creatorflow_platforms::{
    AccessToken, AuthError, ClientCredentials, ErrorKind, Publisher, RedirectKind, RedirectStyle,
    TokenSet,
};
use creatorflow_sandbox::Sandbox;
use creatorflow_sandbox::platforms::linkedin::{
    LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET, LINKEDIN_NATIVE_CLIENT_ID,
};
use linkedin_common::*;
use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use serde_json::json;

/// The redirect a creator registers in their LinkedIn app.
const REDIRECT: &str = "http://127.0.0.1:47616/oauth/linkedin/callback";

fn creds() -> ClientCredentials {
    ClientCredentials {
        client_id: LINKEDIN_CLIENT_ID.to_owned(),
        client_secret: Some(LINKEDIN_CLIENT_SECRET.to_owned()),
        product: None,
    }
}

fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// The emulated clock (tokens' lifetimes run on it).
fn now(sb: &Sandbox) -> DateTime<Utc> {
    sb.clock().now
}

/// Runs the browser's part (the sandbox approves at once) and trades the
/// code the redirect brought for tokens.
async fn sign_in(
    sb: &Sandbox,
    client: &LinkedinClient,
    creds: &ClientCredentials,
    redirect: &str,
) -> Result<TokenSet, AuthError> {
    let auth = client.authenticator();
    let a = auth
        .authorize(creds, redirect, "st4te")
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
    assert!(back.as_str().starts_with(redirect), "{back}");
    let q = query(&back);
    assert_eq!(q["state"], "st4te");
    auth.exchange_code(creds, redirect, &q["code"], &a.verifier, now(sb))
        .await
}

#[tokio::test]
async fn the_authorize_url_is_linkedins_self_serve_flow() {
    let e = env().await;
    let auth = e.client.authenticator();
    let spec = auth.spec();
    assert_eq!(
        spec.redirect(None),
        RedirectStyle::Loopback {
            port: Some(47616),
            path: "/oauth/linkedin/callback".into()
        }
    );
    assert_eq!(
        spec.redirect(Some(RedirectKind::DeepLink)).kind(),
        RedirectKind::Loopback,
        "LinkedIn takes no custom scheme"
    );
    assert!(spec.needs_client_secret);
    assert!(
        spec.scopes.iter().all(|s| s.why.len() > 15),
        "every scope says why"
    );

    let a = auth.authorize(&creds(), REDIRECT, "st4te").expect("url");
    assert!(
        a.url.as_str().starts_with(&format!(
            "{}/oauth/v2/authorization?",
            e.sb.url("/linkedin")
        )),
        "{}",
        a.url
    );
    let q = query(&a.url);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], LINKEDIN_CLIENT_ID);
    assert_eq!(q["redirect_uri"], REDIRECT);
    assert_eq!(q["state"], "st4te");
    assert_eq!(q["scope"], "openid profile email w_member_social");
    assert_eq!(q["code_challenge_method"], "S256");
    let expected =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(a.verifier.clone()));
    assert_eq!(q["code_challenge"], expected.as_str());
    assert!(
        !q.contains_key("client_secret"),
        "the secret never goes in a URL"
    );
}

#[tokio::test]
async fn a_self_serve_sign_in_lasts_60_days_and_cannot_be_renewed() {
    let e = env().await;
    let tokens = sign_in(&e.sb, &e.client, &creds(), REDIRECT)
        .await
        .expect("code exchange (the PKCE parameters do not get in the way)");
    assert_eq!(
        tokens.refresh_token, None,
        "self-serve apps get no refresh token"
    );
    let lifetime = tokens.expires_at.expect("expiry") - now(&e.sb);
    assert!(
        lifetime > Duration::days(60) - Duration::minutes(1) && lifetime <= Duration::days(60),
        "{lifetime}"
    );
    assert_eq!(
        tokens.lapses_at(),
        tokens.expires_at,
        "the engine reminds ahead of this"
    );
    assert_eq!(
        tokens.scopes,
        ["openid", "profile", "email", "w_member_social"]
    );

    let access = AccessToken::new(tokens.access_token.clone());
    let p = e.client.profiles(&access, &[]).await.expect("profiles");
    assert_eq!(p[0].platform_user_id, MEMBER);

    let auth = e.client.authenticator();
    let err = auth
        .refresh(&creds(), &tokens, now(&e.sb))
        .await
        .expect_err("no way to renew");
    assert_eq!(err, AuthError::CannotRefresh);
    assert_eq!(auth.refresh_refused(&err), REFRESH_REFUSED_MESSAGE);

    // Sixty days on, LinkedIn refuses it.
    e.sb.advance_clock(60 * 24 * 3600 + 60);
    let err = e.client.profiles(&access, &[]).await.expect_err("expired");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Auth, "token_expired")
    );
}

#[tokio::test]
async fn a_partner_apps_refresh_token_is_used_until_its_year_is_up() {
    let e = env().await;
    set(&e.sb, json!({"partner_mode": true}));
    let tokens = sign_in(&e.sb, &e.client, &creds(), REDIRECT)
        .await
        .expect("code exchange");
    let refresh = tokens.refresh_token.clone().expect("a refresh token");
    let year_end = tokens.refresh_expires_at.expect("its expiry");
    let year = year_end - now(&e.sb);
    assert!(
        year > Duration::days(364) && year <= Duration::days(365),
        "{year}"
    );
    assert_eq!(tokens.lapses_at(), Some(year_end));

    e.sb.advance_clock(61 * 24 * 3600);
    let old = AccessToken::new(tokens.access_token.clone());
    assert_eq!(
        e.client
            .profiles(&old, &[])
            .await
            .expect_err("expired")
            .kind,
        ErrorKind::Auth
    );
    let auth = e.client.authenticator();
    let renewed = auth
        .refresh(&creds(), &tokens, now(&e.sb))
        .await
        .expect("refreshed");
    assert_ne!(renewed.access_token, tokens.access_token);
    assert_eq!(
        renewed.refresh_token.as_deref(),
        Some(refresh.as_str()),
        "not rotated"
    );
    let moved = (renewed.refresh_expires_at.expect("expiry") - year_end).num_seconds();
    assert!(moved.abs() <= 5, "the year does not slide ({moved} s)");
    assert_eq!(
        renewed.scopes,
        ["openid", "profile", "email", "w_member_social"]
    );
    e.client
        .profiles(&AccessToken::new(renewed.access_token.clone()), &[])
        .await
        .expect("the renewed token works");

    // A year after the sign-in, only a new one helps.
    e.sb.advance_clock(305 * 24 * 3600);
    let err = auth
        .refresh(&creds(), &renewed, now(&e.sb))
        .await
        .expect_err("the year is up");
    assert_eq!(err, AuthError::CannotRefresh);
}

#[tokio::test]
async fn revoke_ends_the_sign_in() {
    let e = env().await;
    let tokens = sign_in(&e.sb, &e.client, &creds(), REDIRECT)
        .await
        .expect("code exchange");
    let access = AccessToken::new(tokens.access_token.clone());
    e.client.profiles(&access, &[]).await.expect("works before");
    e.client
        .authenticator()
        .revoke(&creds(), &tokens)
        .await
        .expect("revoked");
    let err = e.client.profiles(&access, &[]).await.expect_err("revoked");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Auth, "token_revoked")
    );
    assert_eq!(count(&e.sb, "POST", "/linkedin/oauth/v2/revoke"), 1);

    // The secret goes in the form: without it LinkedIn refuses.
    let no_secret = ClientCredentials {
        client_secret: None,
        ..creds()
    };
    let err = e
        .client
        .authenticator()
        .revoke(&no_secret, &tokens)
        .await
        .expect_err("needs the secret");
    assert!(
        matches!(&err, AuthError::Rejected { error, .. } if error == "invalid_request"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_at_the_exchange() {
    let e = env().await;
    let wrong = ClientCredentials {
        client_secret: Some("not-the-secret".into()),
        ..creds()
    };
    let err = sign_in(&e.sb, &e.client, &wrong, REDIRECT)
        .await
        .expect_err("invalid_client");
    assert!(
        matches!(&err, AuthError::Rejected { error, .. } if error == "invalid_client"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_revoked_token_right_after_sign_in_is_tried_once_more() {
    let e = env().await;
    set(&e.sb, json!({"revoked_after_authorize_quirk": true}));
    let tokens = sign_in(&e.sb, &e.client, &creds(), REDIRECT)
        .await
        .expect("code exchange");
    let access = AccessToken::new(tokens.access_token);
    let p = e
        .client
        .profiles(&access, &[])
        .await
        .expect("the second try goes through");
    assert_eq!(p[0].platform_user_id, MEMBER);
    let statuses: Vec<Option<u16>> = requests(&e.sb)
        .into_iter()
        .filter(|r| r.path == "/linkedin/v2/userinfo")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [Some(401), Some(200)]);
}

#[tokio::test]
async fn an_app_linkedin_enabled_for_pkce_signs_in_without_a_secret() {
    let e = env().await;
    let native = ClientCredentials {
        client_id: LINKEDIN_NATIVE_CLIENT_ID.to_owned(),
        client_secret: None,
        product: None,
    };
    // Native PKCE apps may use any loopback port.
    let redirect = "http://127.0.0.1:53999/oauth/linkedin/callback";
    let tokens = sign_in(&e.sb, &e.client, &native, redirect)
        .await
        .expect("the code_verifier stands in for the secret");
    e.client
        .profiles(&AccessToken::new(tokens.access_token), &[])
        .await
        .expect("profiles");
}
