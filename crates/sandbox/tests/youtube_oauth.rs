//! Google OAuth 2.0 for installed apps over real HTTP, from
//! docs/platforms/youtube.md §1 and docs/platforms/desktop-oauth.md §4.4
//! (Google) and §1 (RFC 8252 loopback rules).

mod youtube_common;

use creatorflow_sandbox::platforms::youtube::{
    SCOPE_EMAIL, SCOPE_OPENID, SCOPE_PROFILE, SCOPE_READONLY, SCOPE_UPLOAD,
    YOUTUBE_DESKTOP_CLIENT_ID, YOUTUBE_DESKTOP_CLIENT_SECRET, YOUTUBE_GOOGLE_SUBS,
    YOUTUBE_WEB_CLIENT_ID, YOUTUBE_WEB_CLIENT_SECRET, YOUTUBE_WEB_REDIRECT_URIS,
};
use serde_json::{Value, json};
use youtube_common::*;

/// Authorize parameters to override (`None` removes one).
type Over<'a> = &'a [(&'a str, Option<&'a str>)];

async fn oauth_error(resp: reqwest::Response, status: u16) -> (String, String) {
    assert_eq!(resp.status(), status);
    let v: Value = resp.json().await.expect("json");
    (
        v["error"].as_str().unwrap_or("").to_string(),
        v["error_description"].as_str().unwrap_or("").to_string(),
    )
}

async fn channels_status(sb: &creatorflow_sandbox::SandboxHandle, token: &str) -> u16 {
    http()
        .get(yt(sb, "/youtube/v3/channels"))
        .query(&[("part", "snippet"), ("mine", "true")])
        .bearer_auth(token)
        .send()
        .await
        .expect("channels")
        .status()
        .as_u16()
}

#[tokio::test]
async fn loopback_redirect_any_port_and_code_exchange() {
    let sb = sandbox().await;
    for redirect in [
        "http://127.0.0.1:53682/oauth/youtube/callback",
        "http://127.0.0.1:1/oauth/youtube/callback",
        "http://[::1]:40000/oauth/youtube/callback",
        "http://localhost:8080/oauth/youtube/callback",
        "http://localhost:8080/",
    ] {
        let resp = authorize(&sb, &[("redirect_uri", Some(redirect))]).await;
        assert_eq!(resp.status(), 302, "{redirect} accepted");
        let (loc, params) = location_params(&resp);
        let want = url::Url::parse(redirect).expect("url");
        assert_eq!(loc.port(), want.port(), "the port of the request is kept");
        assert_eq!(loc.path(), want.path());
        assert_eq!(param(&params, "state"), Some("st4te"));
        assert!(param(&params, "code").is_some());
        assert_eq!(
            param(&params, "scope"),
            Some(format!("{SCOPE_UPLOAD} {SCOPE_READONLY}").as_str())
        );
        // The token request must repeat the exact redirect URI (port included).
        let code = param(&params, "code").unwrap_or_default().to_string();
        let resp = token_request(
            &sb,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", redirect),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        assert_eq!(resp.status(), 200, "{redirect}");
        let t: Value = resp.json().await.expect("json");
        assert_eq!(t["token_type"], "Bearer");
        assert_eq!(t["expires_in"], 3599);
        assert!(
            t["access_token"]
                .as_str()
                .unwrap_or("")
                .starts_with("ya29.")
        );
        assert_eq!(t["scope"], format!("{SCOPE_UPLOAD} {SCOPE_READONLY}"));
        assert_eq!(
            channels_status(&sb, t["access_token"].as_str().unwrap_or("")).await,
            200
        );
    }
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn bad_clients_and_redirects_get_an_error_page_never_a_redirect() {
    let sb = sandbox().await;
    let cases: &[(Over, u16, &str)] = &[
        (
            &[(
                "redirect_uri",
                Some("http://127.0.0.1:53682/other/callback"),
            )],
            400,
            "redirect_uri_mismatch",
        ),
        (
            &[(
                "redirect_uri",
                Some("http://127.0.0.1:53682/oauth/youtube/callback/"),
            )],
            400,
            "redirect_uri_mismatch",
        ),
        (
            &[(
                "redirect_uri",
                Some("http://192.168.1.10:53682/oauth/youtube/callback"),
            )],
            400,
            "redirect_uri_mismatch",
        ),
        (
            &[(
                "redirect_uri",
                Some("https://127.0.0.1:53682/oauth/youtube/callback"),
            )],
            400,
            "redirect_uri_mismatch",
        ),
        (
            &[("redirect_uri", Some("com.creatorflow.app:/oauth/youtube"))],
            400,
            "Custom scheme URIs are not allowed for &#39;DESKTOP&#39; client type",
        ),
        (
            &[("redirect_uri", Some("creatorflow://oauth/youtube"))],
            400,
            "invalid_request",
        ),
        (
            &[("redirect_uri", Some("urn:ietf:wg:oauth:2.0:oob"))],
            400,
            "out-of-band (OOB) flow has been blocked",
        ),
        (&[("redirect_uri", None)], 400, "redirect_uri"),
        (
            &[("client_id", Some("nope.apps.googleusercontent.com"))],
            401,
            "invalid_client",
        ),
        (&[("client_id", None)], 400, "client_id"),
        // Parameter errors are shown by Google too (no redirect).
        (
            &[("scope", Some("https://www.googleapis.com/auth/drive"))],
            400,
            "invalid_scope",
        ),
        (&[("scope", None)], 400, "Missing required parameter: scope"),
        (
            &[("response_type", Some("token"))],
            400,
            "unsupported_response_type",
        ),
        (&[("response_type", None)], 400, "response_type"),
        (
            &[("access_type", Some("forever"))],
            400,
            "Invalid access_type",
        ),
        (&[("prompt", Some("consent none"))], 400, "Invalid prompt"),
        (
            &[("code_challenge_method", Some("S512"))],
            400,
            "code_challenge_method",
        ),
        (&[("code_challenge", Some("short"))], 400, "code_challenge"),
    ];
    for (over, status, needle) in cases {
        let resp = authorize(&sb, over).await;
        assert_eq!(resp.status().as_u16(), *status, "{over:?}");
        assert!(
            resp.headers().get("location").is_none(),
            "{over:?}: no redirect"
        );
        let body = resp.text().await.expect("html");
        assert!(body.contains(needle), "{over:?}: {needle} in {body}");
    }
    // A Web client gets an exact match only (no port wildcard).
    let resp = authorize(
        &sb,
        &[
            ("client_id", Some(YOUTUBE_WEB_CLIENT_ID)),
            (
                "redirect_uri",
                Some("http://127.0.0.1:47616/oauth/youtube/callback"),
            ),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let resp = authorize(
        &sb,
        &[
            ("client_id", Some(YOUTUBE_WEB_CLIENT_ID)),
            ("redirect_uri", Some(YOUTUBE_WEB_REDIRECT_URIS[0])),
        ],
    )
    .await;
    assert_eq!(resp.status(), 302);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn short_openid_scopes_are_granted_as_userinfo_scopes_with_an_id_token() {
    let sb = sandbox().await;
    let t = login(
        &sb,
        &[(
            "scope",
            Some(&format!("openid email profile {SCOPE_UPLOAD}")),
        )],
    )
    .await;
    assert_eq!(
        t["scope"],
        format!("{SCOPE_OPENID} {SCOPE_EMAIL} {SCOPE_PROFILE} {SCOPE_UPLOAD}")
    );
    let id_token = t["id_token"].as_str().expect("id_token with openid");
    let payload = id_token.split('.').nth(1).expect("JWT payload");
    use base64::Engine as _;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("b64"),
    )
    .expect("claims");
    assert_eq!(claims["iss"], "https://accounts.google.com");
    assert_eq!(claims["aud"], YOUTUBE_DESKTOP_CLIENT_ID);
    assert_eq!(claims["sub"], YOUTUBE_GOOGLE_SUBS.0);
    assert_eq!(claims["email_verified"], true);
    let at = t["access_token"].as_str().unwrap_or_default();
    let (status, info) = get_json(&yt(&sb, "/oauth2/v3/userinfo"), at).await;
    assert_eq!(status, 200);
    assert_eq!(info["sub"], YOUTUBE_GOOGLE_SUBS.0);
    assert_eq!(info["email"], "sandbox.creator@example.com");
    assert_eq!(info["name"], "Sandbox Creator");
    // Without openid there is no id_token, and userinfo refuses an upload-only token.
    let t = login(&sb, &[("scope", Some(SCOPE_UPLOAD))]).await;
    assert!(t.get("id_token").is_none());
    let at = t["access_token"].as_str().unwrap_or_default();
    let (status, _) = get_json(&yt(&sb, "/oauth2/v3/userinfo"), at).await;
    assert_eq!(status, 401);
    // tokeninfo
    let resp = http()
        .get(yt(&sb, "/oauth2/v3/tokeninfo"))
        .query(&[("access_token", at)])
        .send()
        .await
        .expect("tokeninfo");
    assert_eq!(resp.status(), 200);
    let info: Value = resp.json().await.expect("json");
    assert_eq!(info["aud"], YOUTUBE_DESKTOP_CLIENT_ID);
    assert_eq!(info["scope"], SCOPE_UPLOAD);
    assert_eq!(info["access_type"], "offline");
    let resp = http()
        .get(yt(&sb, "/oauth2/v3/tokeninfo"))
        .query(&[("access_token", "ya29.nope")])
        .send()
        .await
        .expect("tokeninfo");
    assert_eq!(oauth_error(resp, 400).await.0, "invalid_token");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn pkce_is_verified_and_codes_are_single_use() {
    let sb = sandbox().await;
    let code = get_code(&sb, &[]).await;
    let other = "another-verifier-another-verifier-another-verifier";
    let resp = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", other),
        ],
    )
    .await;
    assert_eq!(
        oauth_error(resp, 400).await,
        ("invalid_grant".into(), "Invalid code verifier.".into())
    );
    // The failed attempt burned the code.
    let resp = exchange(&sb, &code).await;
    assert_eq!(oauth_error(resp, 400).await.0, "invalid_grant");

    let code = get_code(&sb, &[]).await;
    let resp = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(
        oauth_error(resp, 400).await,
        ("invalid_grant".into(), "Missing code verifier.".into())
    );

    // Another port than the authorize request's is a mismatch at the token endpoint.
    let code = get_code(&sb, &[]).await;
    let resp = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/oauth/youtube/callback"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(oauth_error(resp, 400).await.0, "redirect_uri_mismatch");

    let code = get_code(&sb, &[]).await;
    assert_eq!(exchange(&sb, &code).await.status(), 200);
    let resp = exchange(&sb, &code).await;
    assert_eq!(
        oauth_error(resp, 400).await,
        ("invalid_grant".into(), "Bad Request".into())
    );
    // Codes live about 10 minutes.
    let code = get_code(&sb, &[]).await;
    sb.advance_clock(601);
    assert_eq!(
        oauth_error(exchange(&sb, &code).await, 400).await.0,
        "invalid_grant"
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn client_secret_rules() {
    let sb = sandbox().await;
    let code = get_code(&sb, &[]).await;
    let resp = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_secret", ""),
        ],
    )
    .await;
    assert_eq!(
        oauth_error(resp, 400).await,
        ("invalid_request".into(), "client_secret is missing.".into())
    );
    let resp = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_secret", "GOCSPX-wrong"),
        ],
    )
    .await;
    assert_eq!(oauth_error(resp, 401).await.0, "invalid_client");
    let resp = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "unknown.apps.googleusercontent.com"),
        ],
    )
    .await;
    assert_eq!(
        oauth_error(resp, 401).await,
        (
            "invalid_client".into(),
            "The OAuth client was not found.".into()
        )
    );
    // HTTP Basic works as well.
    let resp = http()
        .post(yt(&sb, "/token"))
        .basic_auth(
            YOUTUBE_DESKTOP_CLIENT_ID,
            Some(YOUTUBE_DESKTOP_CLIENT_SECRET),
        )
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 200);
    // With the setting off, a Desktop client may omit its secret; a Web client may not.
    set(&sb, json!({"desktop_client_secret_required": false}));
    let code = get_code(&sb, &[]).await;
    let resp = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_secret", ""),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let code = get_code(
        &sb,
        &[
            ("client_id", Some(YOUTUBE_WEB_CLIENT_ID)),
            ("redirect_uri", Some(YOUTUBE_WEB_REDIRECT_URIS[0])),
        ],
    )
    .await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", YOUTUBE_WEB_REDIRECT_URIS[0]),
        ("code_verifier", VERIFIER),
        ("client_id", YOUTUBE_WEB_CLIENT_ID),
    ];
    let resp = http()
        .post(yt(&sb, "/token"))
        .form(&form)
        .send()
        .await
        .expect("t");
    assert_eq!(oauth_error(resp, 400).await.1, "client_secret is missing.");
    let mut with_secret = form.to_vec();
    with_secret.push(("client_secret", YOUTUBE_WEB_CLIENT_SECRET));
    let code2 = get_code(
        &sb,
        &[
            ("client_id", Some(YOUTUBE_WEB_CLIENT_ID)),
            ("redirect_uri", Some(YOUTUBE_WEB_REDIRECT_URIS[0])),
        ],
    )
    .await;
    with_secret[1] = ("code", code2.as_str());
    let resp = http()
        .post(yt(&sb, "/token"))
        .form(&with_secret)
        .send()
        .await
        .expect("t");
    assert_eq!(resp.status(), 200);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn refresh_token_only_on_first_consent_or_prompt_consent() {
    let sb = sandbox().await;
    // Online access never gets one.
    let t = login(&sb, &[("access_type", None)]).await;
    assert!(t.get("refresh_token").is_none(), "online: {t}");
    // First offline consent: a refresh token.
    let t = login(&sb, &[]).await;
    let rt = t["refresh_token"]
        .as_str()
        .expect("first offline consent")
        .to_string();
    assert!(rt.starts_with("1//"));
    // Same client, same account, same scopes again: no new one.
    let t = login(&sb, &[]).await;
    assert!(t.get("refresh_token").is_none(), "second consent: {t}");
    // prompt=consent forces the consent screen: a new one.
    let t = login(&sb, &[("prompt", Some("consent"))]).await;
    let rt2 = t["refresh_token"].as_str().expect("prompt=consent");
    assert_ne!(rt2, rt);
    // Another account is a first consent of its own.
    sb.set_consent(creatorflow_sandbox::ConsentMode::Approve {
        account_id: Some(
            creatorflow_sandbox::platforms::youtube::YOUTUBE_CHANNEL_STUDIO
                .0
                .into(),
        ),
    });
    let t = login(&sb, &[]).await;
    assert!(t["refresh_token"].is_string(), "other account: {t}");
    // Both refresh tokens of the creator still work.
    assert_eq!(refresh(&sb, &rt).await.status(), 200);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn refresh_gives_a_new_access_token_and_no_new_refresh_token() {
    let sb = sandbox().await;
    let t = login(&sb, &[]).await;
    let rt = t["refresh_token"].as_str().expect("rt").to_string();
    let at = t["access_token"].as_str().expect("at").to_string();
    sb.advance_clock(3600);
    assert_eq!(channels_status(&sb, &at).await, 401, "access token expired");
    let resp = refresh(&sb, &rt).await;
    assert_eq!(resp.status(), 200);
    let r: Value = resp.json().await.expect("json");
    assert!(r.get("refresh_token").is_none(), "no rotation: {r}");
    assert_eq!(r["expires_in"], 3599);
    assert_eq!(r["token_type"], "Bearer");
    assert_eq!(r["scope"], t["scope"]);
    let at2 = r["access_token"].as_str().expect("at");
    assert_ne!(at2, at);
    assert_eq!(channels_status(&sb, at2).await, 200);
    // The same refresh token keeps working (no rotation, no reuse detection).
    assert_eq!(refresh(&sb, &rt).await.status(), 200);
    // Another client cannot use it.
    let resp = http()
        .post(yt(&sb, "/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
            ("client_id", YOUTUBE_WEB_CLIENT_ID),
            ("client_secret", YOUTUBE_WEB_CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("t");
    assert_eq!(oauth_error(resp, 401).await.0, "unauthorized_client");
    let resp = refresh(&sb, "1//unknown").await;
    assert_eq!(
        oauth_error(resp, 400).await,
        (
            "invalid_grant".into(),
            "Token has been expired or revoked.".into()
        )
    );
    let resp = token_request(&sb, &[("grant_type", "password")]).await;
    assert_eq!(oauth_error(resp, 400).await.0, "unsupported_grant_type");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn revoke_kills_the_grant_and_refresh_gets_invalid_grant() {
    let sb = sandbox().await;
    let t = login(&sb, &[]).await;
    let rt = t["refresh_token"].as_str().expect("rt").to_string();
    let at = t["access_token"].as_str().expect("at").to_string();
    // Revoking the access token revokes the refresh token too (the whole grant).
    let resp = http()
        .post(yt(&sb, "/revoke"))
        .query(&[("token", at.as_str())])
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 200);
    assert_eq!(channels_status(&sb, &at).await, 401);
    assert_eq!(
        oauth_error(refresh(&sb, &rt).await, 400).await,
        (
            "invalid_grant".into(),
            "Token has been expired or revoked.".into()
        )
    );
    // Revoking again: 400 invalid_token.
    let resp = http()
        .post(yt(&sb, "/revoke"))
        .form(&[("token", rt.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(
        oauth_error(resp, 400).await,
        ("invalid_token".into(), "Token expired or revoked".into())
    );
    // After revocation the next authorization is a first consent again.
    let t = login(&sb, &[]).await;
    let rt = t["refresh_token"]
        .as_str()
        .expect("new first consent")
        .to_string();
    // Revoking the refresh token (form body) kills its access tokens.
    let at = t["access_token"].as_str().expect("at").to_string();
    let resp = http()
        .post(yt(&sb, "/revoke"))
        .form(&[("token", rt.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 200);
    assert_eq!(channels_status(&sb, &at).await, 401);
    assert_eq!(
        oauth_error(refresh(&sb, &rt).await, 400).await.0,
        "invalid_grant"
    );
    // The control API's account revocation has the same effect.
    let t = login(&sb, &[]).await;
    let rt = t["refresh_token"].as_str().expect("rt").to_string();
    sb.revoke_account("youtube", creator())
        .expect("revoke account");
    assert_eq!(
        oauth_error(refresh(&sb, &rt).await, 400).await.0,
        "invalid_grant"
    );
    let t = login(&sb, &[]).await;
    assert!(
        t["refresh_token"].is_string(),
        "consent again after the user removed the app"
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn testing_publishing_status_kills_refresh_tokens_after_seven_days() {
    let sb = sandbox().await;
    let t = login(&sb, &[]).await;
    let prod_rt = t["refresh_token"].as_str().expect("rt").to_string();
    set(&sb, json!({"publishing_status": "testing"}));
    let t = login(&sb, &[("prompt", Some("consent"))]).await;
    let rt = t["refresh_token"].as_str().expect("rt").to_string();
    // Tokens minted through the control API follow the same status.
    let minted = sb
        .issue_tokens(creatorflow_sandbox::TokenRequest {
            platform: "youtube".into(),
            account_id: creator().into(),
            client_id: Some(YOUTUBE_DESKTOP_CLIENT_ID.into()),
            scopes: None,
        })
        .expect("tokens")
        .refresh_token
        .expect("minted refresh token");
    sb.advance_clock(6 * 24 * 3600);
    assert_eq!(refresh(&sb, &rt).await.status(), 200, "day 6: alive");
    assert_eq!(refresh(&sb, &minted).await.status(), 200, "day 6: alive");
    sb.advance_clock(24 * 3600 + 60);
    assert_eq!(
        oauth_error(refresh(&sb, &rt).await, 400).await,
        (
            "invalid_grant".into(),
            "Token has been expired or revoked.".into()
        )
    );
    assert_eq!(
        oauth_error(refresh(&sb, &minted).await, 400).await.0,
        "invalid_grant"
    );
    // A token issued while the app was in production is not affected.
    assert_eq!(refresh(&sb, &prod_rt).await.status(), 200);
    sb.shutdown().await.expect("shutdown");
}

/// The same through the control API's clock, as an out-of-process client test would.
#[tokio::test]
async fn testing_refresh_tokens_die_on_the_http_clock() {
    let sb = sandbox().await;
    set(&sb, json!({"publishing_status": "testing"}));
    let t = login(&sb, &[]).await;
    let rt = t["refresh_token"].as_str().expect("rt").to_string();
    let advance = |seconds: i64| {
        let url = format!("{}_sandbox/clock/advance", sb.base_url());
        async move {
            let resp = http()
                .post(url)
                .json(&json!({ "seconds": seconds }))
                .send()
                .await
                .expect("advance");
            assert_eq!(resp.status(), 200);
        }
    };
    advance(7 * 24 * 3600 - 120).await;
    assert_eq!(refresh(&sb, &rt).await.status(), 200, "just under 7 days");
    advance(180).await;
    assert_eq!(
        oauth_error(refresh(&sb, &rt).await, 400).await,
        (
            "invalid_grant".into(),
            "Token has been expired or revoked.".into()
        )
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn refresh_tokens_die_after_six_months_without_use() {
    let sb = sandbox().await;
    let t = login(&sb, &[]).await;
    let rt = t["refresh_token"].as_str().expect("rt").to_string();
    sb.advance_clock(170 * 24 * 3600);
    assert_eq!(refresh(&sb, &rt).await.status(), 200, "used on day 170");
    sb.advance_clock(170 * 24 * 3600);
    assert_eq!(
        refresh(&sb, &rt).await.status(),
        200,
        "used again 170 days later"
    );
    sb.advance_clock(181 * 24 * 3600);
    assert_eq!(
        oauth_error(refresh(&sb, &rt).await, 400).await.0,
        "invalid_grant"
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn invalid_grant_injection_switch() {
    let sb = sandbox().await;
    let t = login(&sb, &[]).await;
    let rt = t["refresh_token"].as_str().expect("rt").to_string();
    let at = t["access_token"].as_str().expect("at").to_string();
    set(&sb, json!({"force_invalid_grant": true}));
    assert_eq!(
        oauth_error(refresh(&sb, &rt).await, 400).await,
        (
            "invalid_grant".into(),
            "Token has been expired or revoked.".into()
        )
    );
    set(&sb, json!({"force_invalid_grant": false}));
    // The token stays dead (as if the user removed the app), with its access tokens.
    assert_eq!(
        oauth_error(refresh(&sb, &rt).await, 400).await.0,
        "invalid_grant"
    );
    assert_eq!(channels_status(&sb, &at).await, 401);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn consent_page_and_denial() {
    let sb = sandbox().await;
    sb.set_consent(creatorflow_sandbox::ConsentMode::Deny);
    let resp = authorize(&sb, &[]).await;
    assert_eq!(resp.status(), 302);
    let (loc, params) = location_params(&resp);
    assert_eq!(loc.port(), Some(53682));
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("st4te"));
    assert!(param(&params, "code").is_none());
    sb.set_consent(creatorflow_sandbox::ConsentMode::Ask);
    let resp = authorize(&sb, &[]).await;
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.expect("html");
    assert!(page.contains("YouTube"), "{page}");
    assert!(page.contains(SCOPE_UPLOAD));
    assert!(
        !page.contains("_access_type"),
        "private context stays private"
    );
    let action = page
        .split("action=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("form action");
    let resp = http()
        .post(format!(
            "{}{}",
            sb.base_url(),
            action.trim_start_matches('/')
        ))
        .form(&[("decision", "approve"), ("account_id", creator())])
        .send()
        .await
        .expect("consent");
    assert_eq!(resp.status(), 303);
    let (_, params) = location_params(&resp);
    assert!(param(&params, "_access_type").is_none());
    let code = param(&params, "code").expect("code").to_string();
    let t: Value = exchange(&sb, &code).await.json().await.expect("json");
    assert!(
        t["refresh_token"].is_string(),
        "offline context survived the page"
    );
    sb.shutdown().await.expect("shutdown");
}
