//! X OAuth 2.0 over real HTTP, from docs/platforms/x.md §1 and §8, and
//! docs/platforms/desktop-oauth.md.

mod common;

use common::*;
use creatorflow_sandbox::platforms::x::{
    X_ACCOUNT_STUDIO, X_CONFIDENTIAL_CLIENT_ID, X_CONFIDENTIAL_CLIENT_SECRET,
    X_CONFIDENTIAL_REDIRECT_URIS, X_PUBLIC_CLIENT_ID,
};
use creatorflow_sandbox::{ConsentMode, SandboxConfig, start};
use serde_json::Value;

#[tokio::test]
async fn code_flow_happy_path() {
    let sb = sandbox().await;
    let tokens = login(&sb, PUBLISH_SCOPES).await;
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["expires_in"], 7200);
    assert_eq!(tokens["scope"], PUBLISH_SCOPES);
    assert!(
        tokens["access_token"]
            .as_str()
            .is_some_and(|t| t.len() > 20)
    );
    assert!(tokens["refresh_token"].is_string());
    let me: Value = http()
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(tokens["access_token"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["data"]["id"], creator_id());
    assert_eq!(me["data"]["username"], "sandbox_creator");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn no_refresh_token_without_offline_access() {
    let sb = sandbox().await;
    let tokens = login(&sb, "tweet.read users.read").await;
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert_eq!(tokens["scope"], "tweet.read users.read");
}

#[tokio::test]
async fn alias_authorize_path_works() {
    let sb = sandbox().await;
    let url = authorize_url(&sb, "tweet.read", "s", &s256(VERIFIER))
        .replace("/x/i/oauth2/authorize", "/x/2/oauth2/authorize");
    let resp = http().get(url).send().await.expect("authorize");
    assert_eq!(resp.status(), 302);
    assert!(param(&location_params(&resp), "code").is_some());
}

#[tokio::test]
async fn unknown_client_or_redirect_gets_an_error_page_not_a_redirect() {
    let sb = sandbox().await;
    let good = authorize_url(&sb, "tweet.read", "s", &s256(VERIFIER));
    let bad_client = good.replace(X_PUBLIC_CLIENT_ID, "nobody");
    let bad_redirect = good.replace("oauth%2Fx", "oauth%2Fx%2F"); // trailing slash
    let other_scheme = good.replace("creatorflow%3A%2F%2F", "evil%3A%2F%2F");
    for url in [bad_client, bad_redirect, other_scheme] {
        let resp = http().get(&url).send().await.expect("authorize");
        assert_eq!(resp.status(), 400, "{url}");
        assert!(resp.headers().get("location").is_none());
        let body = resp.text().await.unwrap_or_default();
        assert!(body.contains("Something went wrong"), "{body}");
    }
}

#[tokio::test]
async fn bad_parameters_redirect_back_with_an_error() {
    let sb = sandbox().await;
    let ch = s256(VERIFIER);
    let cases = [
        (
            authorize_url(&sb, "tweet.read bogus.scope", "s", &ch),
            "invalid_scope",
        ),
        (
            authorize_url(&sb, "tweet.read", &"s".repeat(501), &ch),
            "invalid_request",
        ),
        (
            authorize_url(&sb, "tweet.read", "s", "").replace("code_challenge=&", ""),
            "invalid_request",
        ),
        (
            authorize_url(&sb, "tweet.read", "s", &ch).replace("S256", "S512"),
            "invalid_request",
        ),
        (
            authorize_url(&sb, "tweet.read", "s", &ch)
                .replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
    ];
    for (url, error) in cases {
        let resp = http().get(&url).send().await.expect("authorize");
        assert_eq!(resp.status(), 302, "{url}");
        let params = location_params(&resp);
        assert_eq!(param(&params, "error"), Some(error), "{url}");
        assert!(param(&params, "code").is_none());
    }
    // A 500-character state is accepted.
    let resp = http()
        .get(authorize_url(&sb, "tweet.read", &"s".repeat(500), &ch))
        .send()
        .await
        .expect("authorize");
    assert!(param(&location_params(&resp), "code").is_some());
}

#[tokio::test]
async fn consent_page_approve_and_deny() {
    let sb = start(SandboxConfig::default()).await.expect("start");
    let client = http();
    let page = client
        .get(authorize_url(
            &sb,
            "tweet.read users.read",
            "abc",
            &s256(VERIFIER),
        ))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("CreatorFlow (sandbox)"));
    assert!(html.contains("<code>users.read</code>"));
    assert!(html.contains("@sandbox_studio"));
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("form action")
        .to_string();
    let resp = client
        .post(format!(
            "{}{}",
            sb.base_url(),
            action.trim_start_matches('/')
        ))
        .form(&[("decision", "approve"), ("account_id", X_ACCOUNT_STUDIO.0)])
        .send()
        .await
        .expect("approve");
    assert_eq!(resp.status(), 303);
    let params = location_params(&resp);
    assert_eq!(param(&params, "state"), Some("abc"));
    let code = param(&params, "code").expect("code").to_string();
    let tokens: Value = exchange(&sb, &code, VERIFIER)
        .await
        .json()
        .await
        .expect("json");
    let me: Value = http()
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(tokens["access_token"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["data"]["id"], X_ACCOUNT_STUDIO.0, "the picked account");
    // The same consent page cannot be submitted twice.
    let again = client
        .post(format!(
            "{}{}",
            sb.base_url(),
            action.trim_start_matches('/')
        ))
        .form(&[("decision", "approve"), ("account_id", X_ACCOUNT_STUDIO.0)])
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), 400);

    // Deny from the page.
    let html = client
        .get(authorize_url(&sb, "tweet.read", "d", &s256(VERIFIER)))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("form action")
        .to_string();
    let resp = client
        .post(format!(
            "{}{}",
            sb.base_url(),
            action.trim_start_matches('/')
        ))
        .form(&[("decision", "deny")])
        .send()
        .await
        .expect("deny");
    assert_eq!(resp.status(), 303);
    let params = location_params(&resp);
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("d"));
}

#[tokio::test]
async fn deny_mode_redirects_with_access_denied() {
    let sb = sandbox().await;
    sb.set_consent(ConsentMode::Deny);
    let resp = http()
        .get(authorize_url(&sb, "tweet.read", "zz", &s256(VERIFIER)))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302);
    let params = location_params(&resp);
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("zz"));
}

async fn assert_invalid_code(resp: reqwest::Response) {
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(
        body["error_description"],
        "Value passed for the authorization code was invalid."
    );
}

#[tokio::test]
async fn wrong_verifier_is_refused() {
    let sb = sandbox().await;
    let code = get_code(&sb, "tweet.read").await;
    assert_invalid_code(exchange(&sb, &code, &"x".repeat(43)).await).await;
}

#[tokio::test]
async fn plain_pkce_method() {
    let sb = sandbox().await;
    let url = authorize_url(&sb, "tweet.read", "s", VERIFIER).replace("S256", "plain");
    let resp = http().get(url).send().await.expect("authorize");
    let code = param(&location_params(&resp), "code")
        .expect("code")
        .to_string();
    assert_eq!(exchange(&sb, &code, VERIFIER).await.status(), 200);
}

#[tokio::test]
async fn reused_code_is_refused_and_revokes_its_tokens() {
    let sb = sandbox().await;
    let code = get_code(&sb, PUBLISH_SCOPES).await;
    let first: Value = exchange(&sb, &code, VERIFIER)
        .await
        .json()
        .await
        .expect("json");
    assert_invalid_code(exchange(&sb, &code, VERIFIER).await).await;
    let me = http()
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(first["access_token"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), 401, "tokens of a replayed code are revoked");
}

#[tokio::test]
async fn code_expires_after_30_seconds() {
    let sb = sandbox().await;
    let code = get_code(&sb, "tweet.read").await;
    sb.advance_clock(31);
    assert_invalid_code(exchange(&sb, &code, VERIFIER).await).await;
    // Within 30 s it works.
    let code = get_code(&sb, "tweet.read").await;
    sb.advance_clock(25);
    assert_eq!(exchange(&sb, &code, VERIFIER).await.status(), 200);
}

#[tokio::test]
async fn redirect_uri_must_match_the_authorize_request() {
    let sb = sandbox().await;
    let code = get_code(&sb, "tweet.read").await;
    let resp = http()
        .post(x(&sb, "/2/oauth2/token"))
        .form(&[
            ("code", code.as_str()),
            ("grant_type", "authorization_code"),
            ("client_id", X_PUBLIC_CLIENT_ID),
            ("redirect_uri", "http://127.0.0.1:47615/oauth/x/callback"),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .expect("token");
    assert_invalid_code(resp).await;
}

#[tokio::test]
async fn token_endpoint_is_form_encoded_only() {
    let sb = sandbox().await;
    let code = get_code(&sb, "tweet.read").await;
    let resp = http()
        .post(x(&sb, "/2/oauth2/token"))
        .json(&serde_json::json!({
            "code": code, "grant_type": "authorization_code", "client_id": X_PUBLIC_CLIENT_ID,
            "redirect_uri": public_redirect(), "code_verifier": VERIFIER
        }))
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn missing_parameters_are_named() {
    let sb = sandbox().await;
    let resp = http()
        .post(x(&sb, "/2/oauth2/token"))
        .form(&[("client_id", X_PUBLIC_CLIENT_ID)])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(
        body["error_description"],
        "Missing required parameter [grant_type]."
    );
    let resp = http()
        .post(x(&sb, "/2/oauth2/token"))
        .form(&[
            ("client_id", X_PUBLIC_CLIENT_ID),
            ("grant_type", "password"),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "unsupported_grant_type");
}

async fn confidential_code(sb: &creatorflow_sandbox::SandboxHandle) -> String {
    let mut u = url::Url::parse(&x(sb, "/i/oauth2/authorize")).expect("url");
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", X_CONFIDENTIAL_CLIENT_ID)
        .append_pair("redirect_uri", X_CONFIDENTIAL_REDIRECT_URIS[0])
        .append_pair("scope", "tweet.read users.read offline.access")
        .append_pair("state", "s")
        .append_pair("code_challenge", &s256(VERIFIER))
        .append_pair("code_challenge_method", "S256");
    let resp = http().get(u.as_str()).send().await.expect("authorize");
    param(&location_params(&resp), "code")
        .expect("code")
        .to_string()
}

#[tokio::test]
async fn confidential_client_needs_basic_auth() {
    let sb = sandbox().await;
    let code = confidential_code(&sb).await;
    let form = [
        ("code", code.as_str()),
        ("grant_type", "authorization_code"),
        ("client_id", X_CONFIDENTIAL_CLIENT_ID),
        ("redirect_uri", X_CONFIDENTIAL_REDIRECT_URIS[0]),
        ("code_verifier", VERIFIER),
    ];
    let resp = http()
        .post(x(&sb, "/2/oauth2/token"))
        .form(&form)
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "unauthorized_client");
    assert_eq!(
        body["error_description"],
        "Missing valid authorization header"
    );
    // Wrong secret: same answer.
    let resp = http()
        .post(x(&sb, "/2/oauth2/token"))
        .basic_auth(X_CONFIDENTIAL_CLIENT_ID, Some("wrong"))
        .form(&form)
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 401);
    // Basic auth works (the code was not consumed by the refused attempts).
    let resp = http()
        .post(x(&sb, "/2/oauth2/token"))
        .basic_auth(X_CONFIDENTIAL_CLIENT_ID, Some(X_CONFIDENTIAL_CLIENT_SECRET))
        .form(&[
            ("code", code.as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", X_CONFIDENTIAL_REDIRECT_URIS[0]),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 200);
    let tokens: Value = resp.json().await.expect("json");
    // Refresh without Basic: the documented 401.
    let resp = http()
        .post(x(&sb, "/2/oauth2/token"))
        .form(&[
            (
                "refresh_token",
                tokens["refresh_token"].as_str().unwrap_or_default(),
            ),
            ("grant_type", "refresh_token"),
            ("client_id", X_CONFIDENTIAL_CLIENT_ID),
        ])
        .send()
        .await
        .expect("refresh");
    assert_eq!(resp.status(), 401);
}

async fn refresh(sb: &creatorflow_sandbox::SandboxHandle, rt: &str) -> reqwest::Response {
    http()
        .post(x(sb, "/2/oauth2/token"))
        .form(&[
            ("refresh_token", rt),
            ("grant_type", "refresh_token"),
            ("client_id", X_PUBLIC_CLIENT_ID),
        ])
        .send()
        .await
        .expect("refresh")
}

async fn me_status(sb: &creatorflow_sandbox::SandboxHandle, token: &str) -> u16 {
    http()
        .get(x(sb, "/2/users/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("me")
        .status()
        .as_u16()
}

#[tokio::test]
async fn refresh_rotates_and_reuse_kills_the_family() {
    let sb = sandbox().await;
    let t1 = login(&sb, PUBLISH_SCOPES).await;
    let rt1 = t1["refresh_token"].as_str().unwrap_or_default().to_string();
    let resp = refresh(&sb, &rt1).await;
    assert_eq!(resp.status(), 200);
    let t2: Value = resp.json().await.expect("json");
    let rt2 = t2["refresh_token"].as_str().unwrap_or_default().to_string();
    let at2 = t2["access_token"].as_str().unwrap_or_default().to_string();
    assert_ne!(rt1, rt2, "rotated");
    assert_eq!(t2["expires_in"], 7200);
    assert_eq!(me_status(&sb, &at2).await, 200);

    // Replay of the consumed refresh token.
    let resp = refresh(&sb, &rt1).await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(
        body["error_description"],
        "Value passed for the token was invalid."
    );
    // The whole family is dead: the new access token and the new refresh token.
    assert_eq!(me_status(&sb, &at2).await, 401);
    assert_eq!(refresh(&sb, &rt2).await.status(), 400);
}

#[tokio::test]
async fn access_token_expires_after_two_hours_and_refresh_recovers() {
    let sb = sandbox().await;
    let t = login(&sb, PUBLISH_SCOPES).await;
    let at = t["access_token"].as_str().unwrap_or_default();
    sb.advance_clock(7199);
    assert_eq!(me_status(&sb, at).await, 200);
    sb.advance_clock(2);
    assert_eq!(me_status(&sb, at).await, 401);
    let t2: Value = refresh(&sb, t["refresh_token"].as_str().unwrap_or_default())
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        me_status(&sb, t2["access_token"].as_str().unwrap_or_default()).await,
        200
    );
}

#[tokio::test]
async fn revoke_endpoint() {
    let sb = sandbox().await;
    let t = login(&sb, PUBLISH_SCOPES).await;
    let at = t["access_token"].as_str().unwrap_or_default();
    let resp = http()
        .post(x(&sb, "/2/oauth2/revoke"))
        .form(&[("token", at), ("client_id", X_PUBLIC_CLIENT_ID)])
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body, serde_json::json!({ "revoked": true }));
    assert_eq!(me_status(&sb, at).await, 401);
    // Revoking the refresh token kills its family.
    let rt = t["refresh_token"].as_str().unwrap_or_default();
    let resp = http()
        .post(x(&sb, "/2/oauth2/revoke"))
        .form(&[("token", rt), ("client_id", X_PUBLIC_CLIENT_ID)])
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 200);
    assert_eq!(refresh(&sb, rt).await.status(), 400);
    // Missing token parameter.
    let resp = http()
        .post(x(&sb, "/2/oauth2/revoke"))
        .form(&[("client_id", X_PUBLIC_CLIENT_ID)])
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 400);
}
