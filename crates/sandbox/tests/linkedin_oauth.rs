//! LinkedIn OAuth 2.0 / OIDC over real HTTP, from docs/platforms/linkedin.md §1,
//! §8 and §11, and docs/platforms/desktop-oauth.md §4.3.

mod common;
mod linkedin_common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{VERIFIER, location_params, param, s256};
use creatorflow_sandbox::platforms::linkedin::{
    LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET, LINKEDIN_MEMBER_CREATOR_EMAIL,
    LINKEDIN_NATIVE_CLIENT_ID,
};
use creatorflow_sandbox::{ConsentMode, SandboxConfig, start};
use linkedin_common::*;
use serde_json::{Value, json};

const BAD_CODE: &str = "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists";

async fn json_of(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    resp.json().await.expect("json")
}

async fn userinfo(sb: &creatorflow_sandbox::SandboxHandle, token: &str) -> reqwest::Response {
    http()
        .get(li(sb, "/v2/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .expect("userinfo")
}

#[tokio::test]
async fn standard_flow_happy_path_and_userinfo() {
    let sb = common::sandbox().await;
    let tokens = login(&sb, SCOPES).await;
    assert_eq!(tokens["expires_in"], 5_184_000);
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "openid,profile,email,w_member_social");
    assert!(
        tokens.get("refresh_token").is_none(),
        "self-serve: {tokens}"
    );
    assert!(tokens.get("refresh_token_expires_in").is_none());
    // id_token: a JWT whose payload names the member and the client.
    let id_token = tokens["id_token"].as_str().expect("id_token");
    let parts: Vec<&str> = id_token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    assert_eq!(payload["sub"], creator());
    assert_eq!(payload["aud"], LINKEDIN_CLIENT_ID);
    assert_eq!(payload["iss"], "https://www.linkedin.com/oauth");

    let at = tokens["access_token"].as_str().unwrap_or_default();
    let me = json_of(userinfo(&sb, at).await, 200).await;
    assert_eq!(me["sub"], creator());
    assert_eq!(me["name"], "Sandbox Creator");
    assert_eq!(me["given_name"], "Sandbox");
    assert_eq!(me["family_name"], "Creator");
    assert_eq!(me["locale"], json!({ "country": "US", "language": "en" }));
    assert_eq!(me["email"], LINKEDIN_MEMBER_CREATOR_EMAIL);
    assert_eq!(me["email_verified"], true);
    let picture = me["picture"].as_str().unwrap_or_default();
    assert_eq!(
        http().get(picture).send().await.expect("avatar").status(),
        200
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn userinfo_claims_follow_the_scopes() {
    let sb = common::sandbox().await;
    let t = login(&sb, "openid profile w_member_social").await;
    assert!(t.get("id_token").is_some());
    let me = json_of(
        userinfo(&sb, t["access_token"].as_str().unwrap_or_default()).await,
        200,
    )
    .await;
    assert!(me.get("email").is_none(), "{me}");
    assert_eq!(me["name"], "Sandbox Creator");
    // Without openid: no id_token and no userinfo.
    let t = login(&sb, "w_member_social").await;
    assert!(t.get("id_token").is_none(), "{t}");
    let body = json_of(
        userinfo(&sb, t["access_token"].as_str().unwrap_or_default()).await,
        403,
    )
    .await;
    assert_eq!(body["status"], 403);
    assert_eq!(body["code"], "ACCESS_DENIED");
    assert_eq!(body["serviceErrorCode"], 100);
}

#[tokio::test]
async fn consent_mode_picks_the_member() {
    let sb = common::sandbox().await;
    sb.set_consent(ConsentMode::Approve {
        account_id: Some(studio().into()),
    });
    let at = token(&sb).await;
    let me = json_of(userinfo(&sb, &at).await, 200).await;
    assert_eq!(me["sub"], studio());
    assert_eq!(me["locale"]["country"], "FR");
    // Ask mode shows the consent page naming LinkedIn and the app.
    sb.set_consent(ConsentMode::Ask);
    let resp = http()
        .get(authorize_url(
            &sb,
            LINKEDIN_CLIENT_ID,
            redirect(),
            SCOPES,
            "s",
            None,
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("LinkedIn"), "{html}");
    assert!(html.contains("w_member_social"));
    assert!(html.contains("sandbox-studio"));
}

#[tokio::test]
async fn unknown_client_or_redirect_gets_an_error_page() {
    let sb = common::sandbox().await;
    let cases = [
        authorize_url(&sb, "nobody", redirect(), SCOPES, "s", None),
        // Another port than the registered one (standard flow: exact).
        authorize_url(
            &sb,
            LINKEDIN_CLIENT_ID,
            "http://127.0.0.1:47617/oauth/linkedin/callback",
            SCOPES,
            "s",
            None,
        ),
        // Another path.
        authorize_url(
            &sb,
            LINKEDIN_CLIENT_ID,
            "http://127.0.0.1:47616/oauth/linkedin/callback/",
            SCOPES,
            "s",
            None,
        ),
        // A fragment.
        authorize_url(
            &sb,
            LINKEDIN_CLIENT_ID,
            "http://127.0.0.1:47616/oauth/linkedin/callback#x",
            SCOPES,
            "s",
            None,
        ),
        // A custom scheme.
        authorize_url(
            &sb,
            LINKEDIN_CLIENT_ID,
            "creatorflow://oauth/linkedin",
            SCOPES,
            "s",
            None,
        ),
    ];
    for url in cases {
        let resp = http().get(&url).send().await.expect("authorize");
        assert_eq!(resp.status(), 400, "{url}");
        assert!(resp.headers().get("location").is_none(), "{url}");
        let html = resp.text().await.unwrap_or_default();
        assert!(html.contains("Bummer, something went wrong."), "{html}");
    }
}

#[tokio::test]
async fn query_parameters_are_ignored_in_redirect_matching() {
    let sb = common::sandbox().await;
    let with_query = format!("{}?account=2", redirect());
    let resp = http()
        .get(authorize_url(
            &sb,
            LINKEDIN_CLIENT_ID,
            &with_query,
            SCOPES,
            "s",
            None,
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302);
    let params = location_params(&resp);
    assert_eq!(param(&params, "account"), Some("2"));
    let code = param(&params, "code").expect("code").to_string();
    // The token request must repeat the same redirect_uri.
    let resp = token_request(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &with_query),
            ("client_id", LINKEDIN_CLIENT_ID),
            ("client_secret", LINKEDIN_CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn bad_parameters_redirect_back_with_an_error() {
    let sb = common::sandbox().await;
    let cases = [
        (
            authorize_url(
                &sb,
                LINKEDIN_CLIENT_ID,
                redirect(),
                "openid r_liteprofile",
                "s",
                None,
            ),
            "unauthorized_scope_error",
            Some("Scope \"r_liteprofile\" is not authorized for your application"),
        ),
        (
            // Comma-separated scopes are one unknown scope.
            authorize_url(
                &sb,
                LINKEDIN_CLIENT_ID,
                redirect(),
                "openid,profile",
                "s",
                None,
            ),
            "unauthorized_scope_error",
            None,
        ),
        (
            // Restricted scope without the setting.
            authorize_url(
                &sb,
                LINKEDIN_CLIENT_ID,
                redirect(),
                "openid w_organization_social",
                "s",
                None,
            ),
            "unauthorized_scope_error",
            None,
        ),
        (
            authorize_url(&sb, LINKEDIN_CLIENT_ID, redirect(), SCOPES, "s", None)
                .replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
            None,
        ),
        (
            authorize_url(&sb, LINKEDIN_CLIENT_ID, redirect(), "", "s", None),
            "invalid_request",
            None,
        ),
    ];
    for (url, error, description) in cases {
        let resp = http().get(&url).send().await.expect("authorize");
        assert_eq!(resp.status(), 302, "{url}");
        let params = location_params(&resp);
        assert_eq!(param(&params, "error"), Some(error), "{url}");
        assert_eq!(param(&params, "state"), Some("s"));
        assert!(param(&params, "code").is_none());
        if let Some(d) = description {
            assert_eq!(param(&params, "error_description"), Some(d));
        }
    }
    // With the setting, the restricted scopes are granted.
    sb.update_platform_settings("linkedin", json!({ "restricted_scopes": true }))
        .expect("settings");
    let t = login(&sb, "openid w_organization_social r_member_social").await;
    assert_eq!(t["scope"], "openid,w_organization_social,r_member_social");
}

#[tokio::test]
async fn token_endpoint_client_authentication() {
    let sb = common::sandbox().await;
    let c = code(&sb, SCOPES).await;
    let base = [
        ("grant_type", "authorization_code"),
        ("code", c.as_str()),
        ("redirect_uri", redirect()),
        ("client_id", LINKEDIN_CLIENT_ID),
    ];
    // No secret.
    let body = json_of(token_request(&sb, &base).await, 400).await;
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(
        body["error_description"],
        "A required parameter \"client_secret\" is missing"
    );
    // Wrong secret.
    let mut wrong = base.to_vec();
    wrong.push(("client_secret", "nope"));
    let body = json_of(token_request(&sb, &wrong).await, 401).await;
    assert_eq!(body["error"], "invalid_client");
    // Basic auth is not how LinkedIn takes client credentials.
    let resp = http()
        .post(li(&sb, "/oauth/v2/accessToken"))
        .basic_auth(LINKEDIN_CLIENT_ID, Some(LINKEDIN_CLIENT_SECRET))
        .form(&base[..3])
        .send()
        .await
        .expect("token");
    let body = json_of(resp, 400).await;
    assert_eq!(
        body["error_description"],
        "A required parameter \"client_id\" is missing"
    );
    // JSON instead of a form.
    let resp = http()
        .post(li(&sb, "/oauth/v2/accessToken"))
        .json(&json!({ "grant_type": "authorization_code", "code": c }))
        .send()
        .await
        .expect("token");
    assert_eq!(json_of(resp, 400).await["error"], "invalid_request");
    // Unknown grant type.
    let body = json_of(
        token_request(
            &sb,
            &[
                ("grant_type", "password"),
                ("client_id", LINKEDIN_CLIENT_ID),
            ],
        )
        .await,
        400,
    )
    .await;
    assert_eq!(body["error"], "unsupported_grant_type");
    // The code was not burnt by those failures.
    assert_eq!(exchange(&sb, &c).await.status(), 200);
}

#[tokio::test]
async fn wrong_redirect_reused_and_expired_codes() {
    let sb = common::sandbox().await;
    // Redirect URI differing from the authorize request.
    let c = code(&sb, SCOPES).await;
    let body = json_of(
        token_request(
            &sb,
            &[
                ("grant_type", "authorization_code"),
                ("code", &c),
                (
                    "redirect_uri",
                    "http://localhost:47616/oauth/linkedin/callback",
                ),
                ("client_id", LINKEDIN_CLIENT_ID),
                ("client_secret", LINKEDIN_CLIENT_SECRET),
            ],
        )
        .await,
        400,
    )
    .await;
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["error_description"], BAD_CODE);

    // Reused code.
    let c = code(&sb, SCOPES).await;
    let first = json_of(exchange(&sb, &c).await, 200).await;
    let body = json_of(exchange(&sb, &c).await, 400).await;
    assert_eq!(body["error_description"], BAD_CODE);
    // Replaying the code revoked what it had issued.
    let at = first["access_token"].as_str().unwrap_or_default();
    assert_eq!(userinfo(&sb, at).await.status(), 401);

    // About 10 minutes of validity on the emulated clock.
    let c = code(&sb, SCOPES).await;
    sb.advance_clock(590);
    assert_eq!(exchange(&sb, &c).await.status(), 200);
    let c = code(&sb, SCOPES).await;
    sb.advance_clock(601);
    let body = json_of(exchange(&sb, &c).await, 400).await;
    assert_eq!(body["error_description"], BAD_CODE);
}

#[tokio::test]
async fn native_pkce_flow_without_secret_on_any_loopback_port() {
    let sb = common::sandbox().await;
    let challenge = s256(VERIFIER);
    for redirect_uri in [
        "http://127.0.0.1:53117/oauth/linkedin/callback",
        "http://[::1]:40001/oauth/linkedin/callback",
    ] {
        let c = code_for(
            &sb,
            LINKEDIN_NATIVE_CLIENT_ID,
            redirect_uri,
            SCOPES,
            Some(&challenge),
        )
        .await;
        let resp = token_request(
            &sb,
            &[
                ("grant_type", "authorization_code"),
                ("code", &c),
                ("redirect_uri", redirect_uri),
                ("client_id", LINKEDIN_NATIVE_CLIENT_ID),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        let t = json_of(resp, 200).await;
        assert_eq!(t["expires_in"], 5_184_000);
        assert_eq!(
            userinfo(&sb, t["access_token"].as_str().unwrap_or_default())
                .await
                .status(),
            200
        );
    }
    // Wrong verifier.
    let r = "http://127.0.0.1:50000/oauth/linkedin/callback";
    let c = code_for(&sb, LINKEDIN_NATIVE_CLIENT_ID, r, SCOPES, Some(&challenge)).await;
    let body = json_of(
        token_request(
            &sb,
            &[
                ("grant_type", "authorization_code"),
                ("code", &c),
                ("redirect_uri", r),
                ("client_id", LINKEDIN_NATIVE_CLIENT_ID),
                (
                    "code_verifier",
                    "wrong-verifier-wrong-verifier-wrong-verifier-00",
                ),
            ],
        )
        .await,
        400,
    )
    .await;
    assert_eq!(body["error_description"], BAD_CODE);
    // Missing verifier.
    let c = code_for(&sb, LINKEDIN_NATIVE_CLIENT_ID, r, SCOPES, Some(&challenge)).await;
    let body = json_of(
        token_request(
            &sb,
            &[
                ("grant_type", "authorization_code"),
                ("code", &c),
                ("redirect_uri", r),
                ("client_id", LINKEDIN_NATIVE_CLIENT_ID),
            ],
        )
        .await,
        400,
    )
    .await;
    assert_eq!(
        body["error_description"],
        "A required parameter \"code_verifier\" is missing"
    );
    // The native flow requires a code_challenge.
    let resp = http()
        .get(authorize_url(
            &sb,
            LINKEDIN_NATIVE_CLIENT_ID,
            r,
            SCOPES,
            "s",
            None,
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302);
    assert_eq!(
        param(&location_params(&resp), "error"),
        Some("invalid_request")
    );
    // Loopback IP literals only: `localhost` is refused.
    let resp = http()
        .get(authorize_url(
            &sb,
            LINKEDIN_NATIVE_CLIENT_ID,
            "http://localhost:50000/oauth/linkedin/callback",
            SCOPES,
            "s",
            Some(&challenge),
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn pkce_for_the_self_serve_client_needs_the_setting() {
    let sb = common::sandbox().await;
    let challenge = s256(VERIFIER);
    let pkce_exchange = |c: String| {
        let sb = &sb;
        async move {
            token_request(
                sb,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &c),
                    ("redirect_uri", redirect()),
                    ("client_id", LINKEDIN_CLIENT_ID),
                    ("code_verifier", VERIFIER),
                ],
            )
            .await
        }
    };
    // Not enabled: the challenge is ignored and the secret is still required.
    let c = code_for(
        &sb,
        LINKEDIN_CLIENT_ID,
        redirect(),
        SCOPES,
        Some(&challenge),
    )
    .await;
    let body = json_of(pkce_exchange(c).await, 400).await;
    assert_eq!(
        body["error_description"],
        "A required parameter \"client_secret\" is missing"
    );
    // Enabled by LinkedIn for this app.
    sb.update_platform_settings(
        "linkedin",
        json!({ "native_pkce_clients": [LINKEDIN_CLIENT_ID] }),
    )
    .expect("settings");
    let c = code_for(
        &sb,
        LINKEDIN_CLIENT_ID,
        redirect(),
        SCOPES,
        Some(&challenge),
    )
    .await;
    assert_eq!(pkce_exchange(c).await.status(), 200);
    // ... and then loopback redirects on any port work too.
    let other_port = "http://127.0.0.1:61000/oauth/linkedin/callback";
    code_for(
        &sb,
        LINKEDIN_CLIENT_ID,
        other_port,
        SCOPES,
        Some(&challenge),
    )
    .await;
}

#[tokio::test]
async fn partner_refresh_keeps_the_refresh_expiry() {
    let sb = common::sandbox().await;
    // Self-serve: refresh is refused.
    let body = json_of(
        token_request(
            &sb,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "AQXsomething"),
                ("client_id", LINKEDIN_CLIENT_ID),
                ("client_secret", LINKEDIN_CLIENT_SECRET),
            ],
        )
        .await,
        400,
    )
    .await;
    assert_eq!(body["error"], "invalid_request");

    sb.update_platform_settings("linkedin", json!({ "partner_mode": true }))
        .expect("settings");
    let t = login(&sb, SCOPES).await;
    assert_eq!(t["refresh_token_expires_in"], 31_536_000);
    let rt = t["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_string();
    let first_at = t["access_token"].as_str().unwrap_or_default().to_string();

    sb.advance_clock(100_000);
    let refresh = |rt: String| {
        let sb = &sb;
        async move {
            token_request(
                sb,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &rt),
                    ("client_id", LINKEDIN_CLIENT_ID),
                    ("client_secret", LINKEDIN_CLIENT_SECRET),
                ],
            )
            .await
        }
    };
    let r1 = json_of(refresh(rt.clone()).await, 200).await;
    assert_eq!(r1["expires_in"], 5_184_000, "a fresh 60-day access token");
    assert_eq!(r1["refresh_token"], rt.as_str(), "no rotation");
    let left = r1["refresh_token_expires_in"].as_i64().unwrap_or_default();
    assert!(
        (31_536_000 - 100_002..=31_536_000 - 99_998).contains(&left),
        "no sliding: {left}"
    );
    assert_ne!(r1["access_token"], first_at.as_str());
    // The same refresh token works again (not single use), the old access token too.
    sb.advance_clock(1_000);
    let r2 = json_of(refresh(rt.clone()).await, 200).await;
    assert!(r2["refresh_token_expires_in"].as_i64().unwrap_or_default() < left);
    assert_eq!(userinfo(&sb, &first_at).await.status(), 200);
    // Missing secret.
    let body = json_of(
        token_request(
            &sb,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("client_id", LINKEDIN_CLIENT_ID),
            ],
        )
        .await,
        400,
    )
    .await;
    assert_eq!(
        body["error_description"],
        "A required parameter \"client_secret\" is missing"
    );
    // After 365 days the refresh token is dead.
    sb.advance_clock(31_536_000);
    assert_eq!(refresh(rt).await.status(), 400);
}

#[tokio::test]
async fn revoke_and_api_token_errors() {
    let sb = common::sandbox().await;
    let at = token(&sb).await;
    assert_eq!(userinfo(&sb, &at).await.status(), 200);
    let revoke = |form: Vec<(&'static str, String)>| {
        let sb = &sb;
        async move {
            http()
                .post(li(sb, "/oauth/v2/revoke"))
                .form(&form)
                .send()
                .await
                .expect("revoke")
        }
    };
    // Without the secret / with a wrong one.
    let resp = revoke(vec![
        ("client_id", LINKEDIN_CLIENT_ID.into()),
        ("token", at.clone()),
    ])
    .await;
    assert_eq!(resp.status(), 400);
    let resp = revoke(vec![
        ("client_id", LINKEDIN_CLIENT_ID.into()),
        ("client_secret", "nope".into()),
        ("token", at.clone()),
    ])
    .await;
    assert_eq!(resp.status(), 401);
    assert_eq!(userinfo(&sb, &at).await.status(), 200, "still valid");
    let resp = revoke(vec![
        ("client_id", LINKEDIN_CLIENT_ID.into()),
        ("client_secret", LINKEDIN_CLIENT_SECRET.into()),
        ("token", at.clone()),
    ])
    .await;
    assert_eq!(resp.status(), 200);
    let body = json_of(userinfo(&sb, &at).await, 401).await;
    assert_eq!(
        body,
        json!({
            "status": 401,
            "serviceErrorCode": 65601,
            "code": "REVOKED_ACCESS_TOKEN",
            "message": "The token used in the request has been revoked by the user"
        })
    );

    // Missing, unknown and expired tokens.
    let resp = http()
        .get(li(&sb, "/v2/userinfo"))
        .send()
        .await
        .expect("userinfo");
    let body = json_of(resp, 401).await;
    assert_eq!(body["serviceErrorCode"], 65604);
    let body = json_of(userinfo(&sb, "AQVnot-a-token").await, 401).await;
    assert_eq!(body["serviceErrorCode"], 65600);
    assert_eq!(body["code"], "INVALID_ACCESS_TOKEN");
    let at = token(&sb).await;
    sb.advance_clock(5_184_000 - 60);
    assert_eq!(userinfo(&sb, &at).await.status(), 200, "valid for 60 days");
    sb.advance_clock(61);
    let body = json_of(userinfo(&sb, &at).await, 401).await;
    assert_eq!(body["serviceErrorCode"], 65602);
    assert_eq!(body["code"], "EXPIRED_ACCESS_TOKEN");

    // The member removes the app (control API).
    let at = token(&sb).await;
    sb.revoke_account("linkedin", creator()).expect("revoke");
    let body = json_of(userinfo(&sb, &at).await, 401).await;
    assert_eq!(body["code"], "REVOKED_ACCESS_TOKEN");
}

#[tokio::test]
async fn revoked_right_after_authorization_quirk() {
    let sb = common::sandbox().await;
    sb.update_platform_settings("linkedin", json!({ "revoked_after_authorize_quirk": true }))
        .expect("settings");
    let at = token(&sb).await;
    let body = json_of(
        rest(&sb, reqwest::Method::POST, "/rest/posts", &at)
            .json(&post_body(&urn(creator()), "first"))
            .send()
            .await
            .expect("post"),
        401,
    )
    .await;
    assert_eq!(body["code"], "REVOKED_ACCESS_TOKEN");
    // Retrying once works.
    let resp = create_post(&sb, &at, &post_body(&urn(creator()), "retry")).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(userinfo(&sb, &at).await.status(), 200);
    // Off by default.
    let sb = common::sandbox().await;
    let at = token(&sb).await;
    assert_eq!(userinfo(&sb, &at).await.status(), 200);
}

#[tokio::test]
async fn denied_consent_redirects_with_access_denied() {
    let sb = start(SandboxConfig {
        consent: ConsentMode::Deny,
        ..SandboxConfig::default()
    })
    .await
    .expect("start");
    let resp = http()
        .get(authorize_url(
            &sb,
            LINKEDIN_CLIENT_ID,
            redirect(),
            SCOPES,
            "xyz",
            None,
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302);
    let params = location_params(&resp);
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("xyz"));
}
