//! TikTok Login Kit v2 (desktop) over real HTTP: authorize, hex PKCE, token,
//! lifetime profiles, rotation, revoke, redirect-URI rules, user/info.
//! Written from docs/platforms/tiktok.md §1 and
//! docs/platforms/desktop-oauth.md §4.6.

mod tiktok_support;

use creatorflow_sandbox::ConsentMode;
use creatorflow_sandbox::platforms::tiktok::{
    TIKTOK_ACCOUNT_PRIVATE, TIKTOK_CLIENT_KEY, TIKTOK_CLIENT_SECRET, TIKTOK_REDIRECT_URIS,
};
use serde_json::{Value, json};
use tiktok_support::*;

#[tokio::test]
async fn hex_challenge_flow_returns_code_scopes_state_and_tokens() {
    let sb = sandbox().await;
    let resp = http()
        .get(authorize_url(&sb, &[]))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302);
    let loc = location(&resp);
    assert!(
        loc.starts_with(REDIRECT),
        "back to the requested port: {loc}"
    );
    let params = location_params(&resp);
    assert_eq!(param(&params, "state"), Some("st4te"));
    assert_eq!(param(&params, "scopes"), Some(ALL_SCOPES));
    let code = param(&params, "code").expect("code").to_string();

    let resp = token_request(&sb, &[("code", &code)]).await;
    assert_eq!(resp.status(), 200);
    let t: Value = resp.json().await.expect("json");
    assert_eq!(t["open_id"], public_id());
    assert_eq!(t["scope"], ALL_SCOPES);
    assert_eq!(t["token_type"], "Bearer");
    // Default profile: 2 h / 180 d with rotation.
    assert_eq!(t["expires_in"], 7200);
    assert_eq!(t["refresh_expires_in"], 15_552_000);
    assert!(t["access_token"].as_str().is_some_and(|s| s.len() > 20));
    assert!(t["refresh_token"].as_str().is_some_and(|s| s.len() > 20));

    // The code is single use.
    let resp = token_request(&sb, &[("code", &code)]).await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.expect("json");
    assert_eq!(e["error"], "invalid_grant");
    assert!(e["log_id"].as_str().is_some_and(|l| !l.is_empty()));
}

#[tokio::test]
async fn base64url_challenge_is_refused_by_default_and_accepted_by_setting() {
    let sb = sandbox().await;
    let b64 = b64_challenge(VERIFIER);
    // The authorize step takes it; the token endpoint refuses the pair.
    let code = get_code(&sb, &[("code_challenge", &b64)]).await;
    let resp = token_request(&sb, &[("code", &code)]).await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.expect("json");
    assert_eq!(e["error"], "invalid_request");
    assert_eq!(
        e["error_description"],
        "Code verifier or code challenge is invalid."
    );
    assert!(e["log_id"].as_str().is_some());

    settings(&sb, json!({ "accept_base64url_challenge": true }));
    let code = get_code(&sb, &[("code_challenge", &b64)]).await;
    assert_eq!(token_request(&sb, &[("code", &code)]).await.status(), 200);
    // The hex form still works with the setting on.
    let code = get_code(&sb, &[]).await;
    assert_eq!(token_request(&sb, &[("code", &code)]).await.status(), 200);
}

#[tokio::test]
async fn wrong_or_missing_verifier_is_refused() {
    let sb = sandbox().await;
    let code = get_code(&sb, &[]).await;
    let other = "another-verifier-0123456789abcdefghijklmnopqrstuvwxyz";
    let resp = token_request(&sb, &[("code", &code), ("code_verifier", other)]).await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.expect("json");
    assert_eq!(
        e["error_description"],
        "Code verifier or code challenge is invalid."
    );
    // A failed attempt burns the code.
    let resp = token_request(&sb, &[("code", &code)]).await;
    assert_eq!(resp.status(), 400);

    let code = get_code(&sb, &[]).await;
    let resp = token_request(&sb, &[("code", &code), ("code_verifier", "")]).await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.expect("json");
    assert_eq!(e["error"], "invalid_request");
}

#[tokio::test]
async fn client_secret_is_required_even_for_desktop() {
    let sb = sandbox().await;
    let code = get_code(&sb, &[]).await;
    let resp = token_request(&sb, &[("code", &code), ("client_secret", "")]).await;
    assert_eq!(resp.status(), 401);
    let e: Value = resp.json().await.expect("json");
    assert_eq!(e["error"], "invalid_client");
    let resp = token_request(&sb, &[("code", &code), ("client_secret", "wrong")]).await;
    assert_eq!(resp.status(), 401);
    let resp = token_request(&sb, &[("code", &code), ("client_key", "unknown")]).await;
    assert_eq!(resp.status(), 401);
    // The code was not consumed by the failed client authentications.
    assert_eq!(token_request(&sb, &[("code", &code)]).await.status(), 200);
}

#[tokio::test]
async fn token_endpoint_checks_redirect_uri_equality_and_form_encoding() {
    let sb = sandbox().await;
    let code = get_code(&sb, &[]).await;
    // Another port under the same wildcard registration is still a mismatch.
    let resp = token_request(
        &sb,
        &[
            ("code", &code),
            (
                "redirect_uri",
                "http://127.0.0.1:53683/oauth/tiktok/callback",
            ),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.expect("json");
    assert_eq!(e["error"], "invalid_grant");

    let code = get_code(&sb, &[]).await;
    let resp = http()
        .post(tt(&sb, "/v2/oauth/token/"))
        .json(&json!({
            "client_key": TIKTOK_CLIENT_KEY, "client_secret": TIKTOK_CLIENT_SECRET,
            "code": code, "grant_type": "authorization_code",
            "redirect_uri": REDIRECT, "code_verifier": VERIFIER
        }))
        .send()
        .await
        .expect("json token request");
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.expect("json");
    assert_eq!(e["error"], "invalid_request");

    let resp = token_request(&sb, &[("code", &code), ("grant_type", "password")]).await;
    let e: Value = resp.json().await.expect("json");
    assert_eq!(e["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn redirect_uri_desktop_rules() {
    let sb = sandbox().await;
    assert_eq!(
        TIKTOK_REDIRECT_URIS[0],
        "http://127.0.0.1:*/oauth/tiktok/callback"
    );
    // The wildcard port matches any concrete port, on both loopback hosts.
    for uri in [
        "http://127.0.0.1:1/oauth/tiktok/callback",
        "http://127.0.0.1:65535/oauth/tiktok/callback",
        "http://localhost:8080/oauth/tiktok/callback",
    ] {
        let resp = http()
            .get(authorize_url(&sb, &[("redirect_uri", uri)]))
            .send()
            .await
            .expect("authorize");
        assert_eq!(resp.status(), 302, "{uri}");
        assert!(location(&resp).starts_with(uri));
    }
    // Refused with an error page, never a redirect.
    for uri in [
        "http://127.0.0.1/oauth/tiktok/callback",          // no port
        "http://127.0.0.1:*/oauth/tiktok/callback",        // wildcard is for registration only
        "http://127.0.0.1:5000/oauth/tiktok/other",        // path not registered
        "http://127.0.0.1:5000/oauth/tiktok/callback?x=1", // query
        "http://[::1]:5000/oauth/tiktok/callback",         // only localhost / 127.0.0.1
        "creatorflow://oauth/tiktok",
    ] {
        let resp = http()
            .get(authorize_url(&sb, &[("redirect_uri", uri)]))
            .send()
            .await
            .expect("authorize");
        assert_eq!(resp.status(), 400, "{uri}");
        assert!(resp.headers().get("location").is_none());
        let html = resp.text().await.unwrap_or_default();
        assert!(html.contains("redirect_uri"), "{uri}: names the parameter");
    }
    // A non-loopback host stays refused even when registered.
    let resp = http()
        .post(control(&sb, "/clients"))
        .json(&json!({
            "platform": "tiktok", "client_id": "web-app", "type": "confidential",
            "client_secret": "s", "redirect_uris": ["https://app.example.com:8443/cb", "http://127.0.0.1:*/cb"]
        }))
        .send()
        .await
        .expect("register");
    assert_eq!(resp.status(), 201);
    let resp = http()
        .get(authorize_url(
            &sb,
            &[
                ("client_key", "web-app"),
                ("redirect_uri", "https://app.example.com:8443/cb"),
            ],
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 400);
    // ... while its loopback wildcard registration works.
    let resp = http()
        .get(authorize_url(
            &sb,
            &[
                ("client_key", "web-app"),
                ("redirect_uri", "http://127.0.0.1:4321/cb"),
            ],
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302);
    // A redirect URI of 512 characters or more is refused.
    let long = format!("http://127.0.0.1:4321/cb{}", "a".repeat(500));
    let resp = http()
        .get(authorize_url(
            &sb,
            &[("client_key", "web-app"), ("redirect_uri", &long)],
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn authorize_parameter_errors_show_the_developer_page() {
    let sb = sandbox().await;
    for (k, v, name) in [
        ("client_key", "unknown", "client_key"),
        ("scope", "user.info.basic,tweet.write", "scope"),
        ("scope", "", "scope"),
        ("code_challenge", "", "code_challenge"),
        ("code_challenge_method", "plain", "code_challenge_method"),
        ("response_type", "token", "response_type"),
    ] {
        let resp = http()
            .get(authorize_url(&sb, &[(k, v)]))
            .send()
            .await
            .expect("authorize");
        assert_eq!(resp.status(), 400, "{k}={v}");
        assert!(resp.headers().get("location").is_none());
        let html = resp.text().await.unwrap_or_default();
        assert!(html.contains(name), "{k}={v} names {name}");
    }
    // Space-separated scopes are not TikTok's format.
    let resp = http()
        .get(authorize_url(
            &sb,
            &[("scope", "user.info.basic video.publish")],
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn denial_redirects_with_error_and_state_and_consent_picks_the_account() {
    let sb = sandbox().await;
    sb.set_consent(ConsentMode::Deny);
    let resp = http()
        .get(authorize_url(&sb, &[]))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302);
    let params = location_params(&resp);
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("st4te"));
    assert!(param(&params, "code").is_none());

    sb.set_consent(ConsentMode::Approve {
        account_id: Some(TIKTOK_ACCOUNT_PRIVATE.0.into()),
    });
    let t = login(&sb, "user.info.basic").await;
    assert_eq!(t["open_id"], private_id());
    assert_eq!(t["scope"], "user.info.basic");

    // Ask mode: the consent page lists the creators.
    sb.set_consent(ConsentMode::Ask);
    let resp = http()
        .get(authorize_url(&sb, &[]))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("TikTok"));
    assert!(html.contains("sandbox.studio"));
}

#[tokio::test]
async fn rotating_profile_rotates_and_refuses_the_old_refresh_token() {
    let sb = sandbox().await;
    let t = login(&sb, ALL_SCOPES).await;
    let rt1 = t["refresh_token"].as_str().unwrap_or_default().to_string();
    let resp = refresh(&sb, &rt1).await;
    assert_eq!(resp.status(), 200);
    let t2: Value = resp.json().await.expect("json");
    let rt2 = t2["refresh_token"].as_str().unwrap_or_default().to_string();
    assert_ne!(rt1, rt2, "a new refresh token");
    assert_eq!(t2["expires_in"], 7200);
    assert_eq!(t2["refresh_expires_in"], 15_552_000);
    assert_eq!(t2["open_id"], public_id());
    assert_eq!(t2["scope"], ALL_SCOPES);
    // The previous refresh token stops working.
    let resp = refresh(&sb, &rt1).await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.expect("json");
    assert_eq!(e["error"], "invalid_grant");
    assert!(e["log_id"].as_str().is_some());

    // Access tokens expire after 2 h of emulated time.
    let at = login(&sb, ALL_SCOPES).await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let me = |at: String| {
        let sb_url = tt(&sb, "/v2/user/info/?fields=open_id");
        async move {
            http()
                .get(sb_url)
                .bearer_auth(at)
                .send()
                .await
                .expect("user info")
                .status()
        }
    };
    assert_eq!(me(at.clone()).await, 200);
    sb.advance_clock(7190);
    assert_eq!(me(at.clone()).await, 200);
    sb.advance_clock(11);
    assert_eq!(me(at).await, 401);
}

#[tokio::test]
async fn classic_profile_keeps_the_refresh_token_for_365_days() {
    let sb = sandbox().await;
    settings(&sb, json!({ "token_profile": "classic" }));
    let t = login(&sb, ALL_SCOPES).await;
    assert_eq!(t["expires_in"], 86_400);
    assert_eq!(t["refresh_expires_in"], 31_536_000);
    let rt = t["refresh_token"].as_str().unwrap_or_default().to_string();
    sb.advance_clock(86_401);
    for _ in 0..2 {
        let resp = refresh(&sb, &rt).await;
        assert_eq!(resp.status(), 200);
        let t2: Value = resp.json().await.expect("json");
        assert_eq!(t2["refresh_token"], rt.as_str(), "not rotated");
        assert_eq!(t2["expires_in"], 86_400);
        assert!(t2["refresh_expires_in"].as_i64().unwrap_or(0) < 31_536_000);
    }
    // Past 365 days the refresh token is dead.
    sb.advance_clock(365 * 86_400);
    assert_eq!(refresh(&sb, &rt).await.status(), 400);
    // Tokens minted through the control API follow the profile too.
    let issued = sb
        .issue_tokens(creatorflow_sandbox::TokenRequest {
            platform: "tiktok".into(),
            account_id: public_id().into(),
            client_id: None,
            scopes: None,
        })
        .expect("tokens");
    assert_eq!(issued.expires_in, Some(86_400));
}

#[tokio::test]
async fn revoke_ends_the_authorization() {
    let sb = sandbox().await;
    let t = login(&sb, ALL_SCOPES).await;
    let at = t["access_token"].as_str().unwrap_or_default().to_string();
    let rt = t["refresh_token"].as_str().unwrap_or_default().to_string();
    // Client authentication is required.
    let resp = http()
        .post(tt(&sb, "/v2/oauth/revoke/"))
        .form(&[("client_key", TIKTOK_CLIENT_KEY), ("token", at.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 401);
    let resp = http()
        .post(tt(&sb, "/v2/oauth/revoke/"))
        .form(&[
            ("client_key", TIKTOK_CLIENT_KEY),
            ("client_secret", TIKTOK_CLIENT_SECRET),
            ("token", at.as_str()),
        ])
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body, json!({}));
    let resp = http()
        .get(tt(&sb, "/v2/user/info/?fields=open_id"))
        .bearer_auth(&at)
        .send()
        .await
        .expect("user info");
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.expect("json");
    assert_error(&body, "access_token_invalid");
    // The refresh token of that authorization is gone too.
    assert_eq!(refresh(&sb, &rt).await.status(), 400);
    let accounts = sb.accounts(Some("tiktok")).expect("accounts");
    assert!(accounts.iter().all(|a| !a.connected));
}

#[tokio::test]
async fn user_info_fields_follow_the_scopes() {
    let sb = sandbox().await;
    let basic = login(&sb, "user.info.basic").await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let get = |token: String, fields: &str| {
        let url = tt(&sb, &format!("/v2/user/info/?fields={fields}"));
        async move {
            let resp = http()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("user info");
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.expect("json"))
        }
    };
    let (s, body) = get(basic.clone(), "open_id,union_id,avatar_url,display_name").await;
    assert_eq!(s, 200);
    let user = assert_ok(&body)["user"].clone();
    assert_eq!(user["open_id"], public_id());
    assert_eq!(user["display_name"], "Sandbox Creator");
    assert!(
        user["avatar_url"]
            .as_str()
            .is_some_and(|u| u.ends_with(".svg"))
    );
    assert!(user.get("username").is_none(), "only the fields asked for");
    // username needs user.info.profile.
    let (s, body) = get(basic.clone(), "open_id,username").await;
    assert_eq!(s, 401);
    assert_error(&body, "scope_permission_missed");
    let (s, body) = get(basic.clone(), "open_id,shoe_size").await;
    assert_eq!(s, 400);
    assert_error(&body, "invalid_params");
    let (s, body) = get(basic, "").await;
    assert_eq!(s, 400);
    assert_error(&body, "invalid_params");

    let profile = login(&sb, "user.info.basic,user.info.profile").await["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (s, body) = get(profile, "open_id,username,is_verified").await;
    assert_eq!(s, 200);
    assert_eq!(assert_ok(&body)["user"]["username"], "sandbox.creator");

    // A token without user.info.basic cannot call it at all.
    let publish_only = token_for(&sb, public_id(), &["video.publish"]);
    let (s, body) = get(publish_only, "open_id").await;
    assert_eq!(s, 401);
    assert_error(&body, "scope_not_authorized");
    // No token at all.
    let resp = http()
        .get(tt(&sb, "/v2/user/info/?fields=open_id"))
        .send()
        .await
        .expect("user info");
    assert_eq!(resp.status(), 401);
    assert_error(&resp.json().await.expect("json"), "access_token_invalid");
}
