//! Meta OAuth over real HTTP, both login products: Facebook Login (dialog, code
//! exchange, fb_exchange_token, /me/permissions) and Instagram Login (authorize with
//! `#_`, code exchange, ig_exchange_token, ig_refresh_token), token errors (code 190),
//! token transport, versions.

mod meta_common;

use creatorflow_sandbox::ConsentMode;
use creatorflow_sandbox::platforms::meta::{
    FACEBOOK_PUBLISH_SCOPES, META_FACEBOOK_APP_ID, META_FACEBOOK_APP_SECRET,
    META_FACEBOOK_REDIRECT_URIS, META_INSTAGRAM_APP_ID, META_INSTAGRAM_APP_SECRET,
    META_INSTAGRAM_REDIRECT_URIS, META_LOGIN_SUCCESS_URI,
};
use meta_common::*;
use serde_json::{Value, json};

async fn get_json(url: &str, token: &str) -> reqwest::Response {
    http()
        .get(url)
        .query(&[("access_token", token)])
        .send()
        .await
        .expect("request")
}

// ----- Facebook Login -----------------------------------------------------------------------

#[tokio::test]
async fn facebook_login_code_short_long_permissions() {
    let sb = sandbox().await;
    let code = fb_code(&sb, &fb_scopes()).await;
    let resp = fb_exchange_code(&sb, &code, META_FACEBOOK_APP_SECRET, fb_redirect()).await;
    assert_eq!(resp.status(), 200);
    let short = json(resp).await;
    assert_eq!(short["token_type"], "bearer");
    assert_eq!(short["expires_in"], 3600);
    let short = short["access_token"].as_str().expect("token").to_string();

    let me = json(get_json(&graph(&sb, "/v23.0/me"), &short).await).await;
    assert_eq!(me, json!({ "name": "Sandbox Meta User", "id": fb_user() }));

    let perms = json(get_json(&graph(&sb, "/v23.0/me/permissions"), &short).await).await;
    let granted: Vec<&str> = perms["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|p| p["status"] == "granted")
        .filter_map(|p| p["permission"].as_str())
        .collect();
    for p in FACEBOOK_PUBLISH_SCOPES.iter().chain(&["public_profile"]) {
        assert!(granted.contains(p), "{p} granted: {granted:?}");
    }

    let resp = fb_exchange_long(&sb, &short).await;
    assert_eq!(resp.status(), 200);
    let long = json(resp).await;
    assert_eq!(long["token_type"], "bearer");
    assert_eq!(long["expires_in"], 5_184_000);
    let long = long["access_token"].as_str().expect("token").to_string();
    assert_ne!(long, short);

    // Short token dies after its hour, the long one lives about 60 days.
    sb.advance_clock(3601);
    let e = graph_error(get_json(&graph(&sb, "/me"), &short).await, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(190), Some(463))
    );
    assert_eq!(get_json(&graph(&sb, "/me"), &long).await.status(), 200);
    sb.advance_clock(59 * 86_400);
    assert_eq!(get_json(&graph(&sb, "/me"), &long).await.status(), 200);
    sb.advance_clock(2 * 86_400);
    let resp = get_json(&graph(&sb, "/me"), &long).await;
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap_or_default()
            .contains("invalid_token")
    );
    let e = graph_error(resp, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(190), Some(463))
    );
}

#[tokio::test]
async fn facebook_dialog_without_version_accepts_config_id() {
    let sb = sandbox().await;
    let resp = http()
        .get(fb_dialog_url(&sb, None, &[("config_id", "123456789")]))
        .send()
        .await
        .expect("dialog");
    assert_eq!(resp.status(), 302);
    let code = query_param(&location(&resp), "code").expect("code");
    let resp = fb_exchange_code(&sb, &code, META_FACEBOOK_APP_SECRET, fb_redirect()).await;
    let token = json(resp).await["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let perms = json(get_json(&graph(&sb, "/me/permissions"), &token).await).await;
    let list: Vec<&str> = perms["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|p| p["permission"].as_str())
        .collect();
    assert!(list.contains(&"instagram_content_publish"), "{list:?}");
    assert!(list.contains(&"pages_show_list"));
}

#[tokio::test]
async fn facebook_dialog_refuses_bad_app_redirect_scope_version() {
    let sb = sandbox().await;
    let cases: Vec<(String, &str)> = vec![
        (
            fb_dialog_url(&sb, Some("v23.0"), &[("scope", "instagram_basic")])
                .replace("900000000000001", "123"),
            "Invalid App ID",
        ),
        (
            // The Instagram app is not a Facebook Login app.
            fb_dialog_url(&sb, Some("v23.0"), &[("scope", "instagram_basic")])
                .replace("900000000000001", META_INSTAGRAM_APP_ID),
            "Invalid App ID",
        ),
        (
            fb_dialog_url(&sb, Some("v23.0"), &[("scope", "instagram_basic")])
                .replace("47617", "47618"),
            "URL blocked",
        ),
        (
            fb_dialog_url(
                &sb,
                Some("v23.0"),
                &[("scope", "instagram_basic,not_a_permission")],
            ),
            "Invalid Scopes",
        ),
        (
            fb_dialog_url(&sb, Some("v1.0"), &[("scope", "instagram_basic")]),
            "Unsupported API version",
        ),
    ];
    for (url, text) in cases {
        let resp = http().get(&url).send().await.expect("dialog");
        assert!(resp.status().is_client_error(), "{url}");
        assert!(
            resp.headers().get("location").is_none(),
            "never redirects: {url}"
        );
        let html = resp.text().await.unwrap_or_default();
        assert!(html.contains(text), "{text} in {html}");
    }
}

#[tokio::test]
async fn facebook_code_exchange_errors() {
    let sb = sandbox().await;
    // Wrong secret.
    let code = fb_code(&sb, &fb_scopes()).await;
    let resp = fb_exchange_code(&sb, &code, "wrong-secret", fb_redirect()).await;
    let e = graph_error(resp, 400).await;
    assert_eq!(e["code"], 1);
    assert_eq!(e["message"], "Error validating client secret.");
    // Another registered redirect URI is still a mismatch (byte-identical rule).
    let resp = fb_exchange_code(
        &sb,
        &code,
        META_FACEBOOK_APP_SECRET,
        META_FACEBOOK_REDIRECT_URIS[1],
    )
    .await;
    assert_eq!(codes(resp).await, (100, Some(36008)));
    // The code survived the failed attempts; used once, then refused.
    let resp = fb_exchange_code(&sb, &code, META_FACEBOOK_APP_SECRET, fb_redirect()).await;
    assert_eq!(resp.status(), 200);
    let resp = fb_exchange_code(&sb, &code, META_FACEBOOK_APP_SECRET, fb_redirect()).await;
    assert_eq!(codes(resp).await, (100, Some(36009)));
    // Expired after 10 minutes.
    let code = fb_code(&sb, &fb_scopes()).await;
    sb.advance_clock(601);
    let resp = fb_exchange_code(&sb, &code, META_FACEBOOK_APP_SECRET, fb_redirect()).await;
    assert_eq!(codes(resp).await, (100, Some(36007)));
    // Garbage code, unknown app.
    let resp = fb_exchange_code(&sb, "nope", META_FACEBOOK_APP_SECRET, fb_redirect()).await;
    assert_eq!(codes(resp).await, (100, None));
    let resp = http()
        .get(graph(&sb, "/oauth/access_token"))
        .query(&[
            ("client_id", "42"),
            ("redirect_uri", fb_redirect()),
            ("client_secret", "x"),
            ("code", "y"),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(codes(resp).await, (101, None));
}

#[tokio::test]
async fn fb_exchange_token_needs_secret_and_a_live_token() {
    let sb = sandbox().await;
    let short = fb_short_token(&sb).await;
    let resp = http()
        .get(graph(&sb, "/oauth/access_token"))
        .query(&[
            ("grant_type", "fb_exchange_token"),
            ("client_id", "900000000000001"),
            ("client_secret", "wrong"),
            ("fb_exchange_token", short.as_str()),
        ])
        .send()
        .await
        .expect("exchange");
    assert_eq!(codes(resp).await, (1, None));
    let e = graph_error(fb_exchange_long(&sb, "garbage").await, 400).await;
    assert_eq!(e["code"], 190);
    // An expired short token cannot be exchanged any more.
    sb.advance_clock(3601);
    let e = graph_error(fb_exchange_long(&sb, &short).await, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(190), Some(463))
    );
}

#[tokio::test]
async fn denied_consent_redirects_with_access_denied() {
    let sb = sandbox().await;
    sb.set_consent(ConsentMode::Deny);
    let resp = http()
        .get(fb_dialog_url(
            &sb,
            Some("v23.0"),
            &[("scope", "instagram_basic")],
        ))
        .send()
        .await
        .expect("dialog");
    assert_eq!(resp.status(), 302);
    let loc = location(&resp);
    assert_eq!(query_param(&loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("csrf-fb"));
    assert!(query_param(&loc, "code").is_none());
}

#[tokio::test]
async fn consent_page_lists_the_accounts_and_approves_a_chosen_one() {
    let sb = sandbox().await;
    sb.set_consent(ConsentMode::Ask);
    let resp = http()
        .get(ig_authorize_url(&sb, &[("scope", &ig_scopes())]))
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("@sandbox.creator") && html.contains("@sandbox.studio"));
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("form action")
        .to_string();
    let resp = http()
        .post(format!(
            "{}{}",
            sb.base_url(),
            action.trim_start_matches('/')
        ))
        .form(&[("decision", "approve"), ("account_id", ig2())])
        .send()
        .await
        .expect("approve");
    assert_eq!(resp.status(), 303);
    let code = ig_code_from(&location(&resp));
    let resp = ig_exchange_code(&sb, &code, META_INSTAGRAM_APP_SECRET, ig_redirect()).await;
    assert_eq!(
        json(resp).await["user_id"]
            .as_u64()
            .map(|u| u.to_string())
            .as_deref(),
        Some(ig2())
    );
}

/// Submits the consent page of `page_html` (approve, as `account`); returns the
/// `Location` of the redirect.
async fn approve_on_page(
    sb: &creatorflow_sandbox::SandboxHandle,
    page_html: &str,
    account: &str,
) -> String {
    let action = page_html
        .split("action=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("form action")
        .to_string();
    let resp = http()
        .post(format!(
            "{}{}",
            sb.base_url(),
            action.trim_start_matches('/')
        ))
        .form(&[("decision", "approve"), ("account_id", account)])
        .send()
        .await
        .expect("approve");
    assert_eq!(resp.status(), 303);
    location(&resp)
}

#[tokio::test]
async fn login_success_redirect_works_for_both_products() {
    let sb = sandbox().await;
    sb.set_consent(ConsentMode::Ask);
    assert_eq!(
        META_LOGIN_SUCCESS_URI,
        "https://www.facebook.com/connect/login_success.html"
    );
    assert!(META_FACEBOOK_REDIRECT_URIS.contains(&META_LOGIN_SUCCESS_URI));
    assert!(META_INSTAGRAM_REDIRECT_URIS.contains(&META_LOGIN_SUCCESS_URI));
    // The page the login window lands on exists (a plain "Success" page).
    let page = http()
        .get(meta(&sb, "/facebook/connect/login_success.html"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/html"))
    );
    assert!(page.text().await.unwrap_or_default().contains("Success"));

    // Facebook Login: dialog -> consent -> login_success.html?code&state -> token.
    let mut dialog = url::Url::parse(&meta(&sb, "/facebook/v23.0/dialog/oauth")).expect("url");
    dialog
        .query_pairs_mut()
        .append_pair("client_id", META_FACEBOOK_APP_ID)
        .append_pair("redirect_uri", META_LOGIN_SUCCESS_URI)
        .append_pair("state", "fb-window")
        .append_pair("response_type", "code")
        .append_pair("scope", &fb_scopes());
    let resp = http().get(dialog.as_str()).send().await.expect("dialog");
    assert_eq!(resp.status(), 200, "the consent page");
    let html = resp.text().await.unwrap_or_default();
    let loc = approve_on_page(&sb, &html, fb_user()).await;
    assert!(
        loc.starts_with(&format!("{META_LOGIN_SUCCESS_URI}?")),
        "{loc}"
    );
    assert!(!loc.contains('#'), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("fb-window"));
    let code = query_param(&loc, "code").expect("code");
    let resp = fb_exchange_code(&sb, &code, META_FACEBOOK_APP_SECRET, META_LOGIN_SUCCESS_URI).await;
    assert_eq!(resp.status(), 200);
    let fb = json(resp).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    let me = json(get_json(&graph(&sb, "/me"), &fb).await).await;
    assert_eq!(me["id"], fb_user());
    // The code is bound to that redirect URI.
    let resp = http().get(dialog.as_str()).send().await.expect("dialog");
    let html = resp.text().await.unwrap_or_default();
    let code = query_param(&approve_on_page(&sb, &html, fb_user()).await, "code").expect("code");
    let resp = fb_exchange_code(&sb, &code, META_FACEBOOK_APP_SECRET, fb_redirect()).await;
    assert_eq!(graph_error(resp, 400).await["error_subcode"], 36008);

    // Instagram Login: authorize -> consent -> login_success.html?code&state#_ -> token.
    let mut authorize = url::Url::parse(&meta(&sb, "/instagram/oauth/authorize")).expect("url");
    authorize
        .query_pairs_mut()
        .append_pair("client_id", META_INSTAGRAM_APP_ID)
        .append_pair("redirect_uri", META_LOGIN_SUCCESS_URI)
        .append_pair("response_type", "code")
        .append_pair("state", "ig-window")
        .append_pair("scope", &ig_scopes());
    let resp = http()
        .get(authorize.as_str())
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 200, "the consent page");
    let html = resp.text().await.unwrap_or_default();
    let loc = approve_on_page(&sb, &html, ig2()).await;
    assert!(
        loc.starts_with(&format!("{META_LOGIN_SUCCESS_URI}?")),
        "{loc}"
    );
    assert!(loc.ends_with("#_"), "{loc}");
    assert_eq!(
        query_param(loc.trim_end_matches("#_"), "state").as_deref(),
        Some("ig-window")
    );
    let code = ig_code_from(&loc);
    let resp = ig_exchange_code(
        &sb,
        &code,
        META_INSTAGRAM_APP_SECRET,
        META_LOGIN_SUCCESS_URI,
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body = json(resp).await;
    assert_eq!(
        body["user_id"].as_u64().map(|u| u.to_string()).as_deref(),
        Some(ig2())
    );
    let ig = body["access_token"].as_str().expect("access_token");
    let me = json(
        http()
            .get(graph_ig(&sb, "/me"))
            .query(&[("fields", "user_id,username"), ("access_token", ig)])
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(me["username"], "sandbox.studio");
}

#[tokio::test]
async fn declined_permissions_are_not_granted() {
    let sb = sandbox().await;
    settings(
        &sb,
        json!({ "facebook_declined_permissions": ["instagram_content_publish"] }),
    );
    let token = fb_short_token(&sb).await;
    let perms = json(get_json(&graph(&sb, "/me/permissions"), &token).await).await;
    assert!(
        perms["data"]
            .as_array()
            .expect("data")
            .contains(&json!({ "permission": "instagram_content_publish", "status": "declined" }))
    );
    let resp = http()
        .post(graph(&sb, &format!("/v23.0/{}/media", ig1())))
        .form(&[
            ("image_url", "http://127.0.0.1:1/x.jpg"),
            ("access_token", token.as_str()),
        ])
        .send()
        .await
        .expect("create");
    let e = graph_error(resp, 400).await;
    assert_eq!(e["code"], 10);
}

// ----- Instagram Login ----------------------------------------------------------------------

#[tokio::test]
async fn instagram_login_code_short_long_and_me() {
    let sb = sandbox().await;
    let loc = ig_authorize(
        &sb,
        "instagram_business_basic instagram_business_content_publish",
    )
    .await;
    assert!(loc.starts_with(ig_redirect()), "{loc}");
    assert!(loc.ends_with("#_"), "Instagram appends #_: {loc}");
    assert_eq!(
        query_param(loc.trim_end_matches("#_"), "state").as_deref(),
        Some("csrf-ig")
    );
    let code = ig_code_from(&loc);
    let resp = ig_exchange_code(&sb, &code, META_INSTAGRAM_APP_SECRET, ig_redirect()).await;
    assert_eq!(resp.status(), 200);
    let body = json(resp).await;
    // user_id is a JSON number (larger than 2^53: clients must not parse it as f64).
    assert_eq!(
        body["user_id"].as_u64().map(|u| u.to_string()).as_deref(),
        Some(ig1())
    );
    assert_eq!(
        body["permissions"],
        json!([
            "instagram_business_basic",
            "instagram_business_content_publish"
        ])
    );
    let short = body["access_token"].as_str().expect("token").to_string();

    let resp = ig_exchange_long(&sb, &short).await;
    assert_eq!(resp.status(), 200);
    let long = json(resp).await;
    assert_eq!(long["token_type"], "bearer");
    assert_eq!(long["expires_in"], 5_184_000);
    let long = long["access_token"].as_str().expect("token").to_string();

    let resp = http()
        .get(graph_ig(&sb, "/v23.0/me"))
        .query(&[
            (
                "fields",
                "user_id,username,name,profile_picture_url,account_type",
            ),
            ("access_token", long.as_str()),
        ])
        .send()
        .await
        .expect("me");
    assert_eq!(resp.status(), 200);
    let me = json(resp).await;
    assert_eq!(me["user_id"], ig1());
    assert_eq!(me["username"], "sandbox.creator");
    assert_eq!(me["name"], "Sandbox Creator");
    let pic = me["profile_picture_url"]
        .as_str()
        .expect("picture")
        .to_string();
    let resp = http().get(&pic).send().await.expect("avatar");
    assert_eq!(resp.status(), 200);
    // The short token lives one hour.
    sb.advance_clock(3601);
    let e = graph_error(get_json(&graph_ig(&sb, "/me"), &short).await, 400).await;
    assert_eq!(e["error_subcode"], 463);
    assert_eq!(get_json(&graph_ig(&sb, "/me"), &long).await.status(), 200);
}

#[tokio::test]
async fn instagram_code_exchange_errors_use_the_legacy_shape() {
    let sb = sandbox().await;
    let legacy =
        |msg: &str| json!({ "error_type": "OAuthException", "code": 400, "error_message": msg });
    let loc = ig_authorize(&sb, &ig_scopes()).await;
    let code = ig_code_from(&loc);
    // The `#_` left on the code: no such code.
    let resp = ig_exchange_code(
        &sb,
        &format!("{code}#_"),
        META_INSTAGRAM_APP_SECRET,
        ig_redirect(),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        json(resp).await,
        legacy("Matching code was not found or was already used")
    );
    let resp = ig_exchange_code(&sb, &code, "wrong", ig_redirect()).await;
    assert_eq!(json(resp).await, legacy("Error validating client secret."));
    let resp = ig_exchange_code(
        &sb,
        &code,
        META_INSTAGRAM_APP_SECRET,
        META_INSTAGRAM_REDIRECT_URIS[1],
    )
    .await;
    let body = json(resp).await;
    assert!(
        body["error_message"]
            .as_str()
            .unwrap_or_default()
            .contains("redirect_uri"),
        "{body}"
    );
    let resp = ig_exchange_code(&sb, &code, META_INSTAGRAM_APP_SECRET, ig_redirect()).await;
    assert_eq!(resp.status(), 200);
    let resp = ig_exchange_code(&sb, &code, META_INSTAGRAM_APP_SECRET, ig_redirect()).await;
    assert_eq!(
        json(resp).await,
        legacy("Matching code was not found or was already used")
    );
    // Codes live one hour.
    let code = ig_code_from(&ig_authorize(&sb, &ig_scopes()).await);
    sb.advance_clock(3601);
    let resp = ig_exchange_code(&sb, &code, META_INSTAGRAM_APP_SECRET, ig_redirect()).await;
    assert_eq!(resp.status(), 400);
    // Graph shape on demand.
    settings(&sb, json!({ "instagram_oauth_error_shape": "graph" }));
    let resp = ig_exchange_code(&sb, "nope", META_INSTAGRAM_APP_SECRET, ig_redirect()).await;
    let e = graph_error(resp, 400).await;
    assert_eq!(
        e["message"],
        "Matching code was not found or was already used"
    );
}

#[tokio::test]
async fn instagram_token_response_shapes_are_configurable() {
    let sb = sandbox().await;
    settings(
        &sb,
        json!({ "instagram_token_response": "data", "instagram_permissions_format": "string" }),
    );
    let code = ig_code_from(&ig_authorize(&sb, &ig_scopes()).await);
    // Multipart, as clients using FormData send it.
    let form = reqwest::multipart::Form::new()
        .text("client_id", META_INSTAGRAM_APP_ID)
        .text("client_secret", META_INSTAGRAM_APP_SECRET)
        .text("grant_type", "authorization_code")
        .text("redirect_uri", ig_redirect())
        .text("code", code);
    let resp = http()
        .post(meta(&sb, "/instagram/oauth/access_token"))
        .multipart(form)
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 200);
    let body = json(resp).await;
    let inner = &body["data"][0];
    assert!(inner["access_token"].is_string(), "{body}");
    assert_eq!(
        inner["permissions"],
        "instagram_business_basic,instagram_business_content_publish"
    );
}

#[tokio::test]
async fn instagram_authorize_refuses_bad_requests_without_redirecting() {
    let sb = sandbox().await;
    let urls = [
        ig_authorize_url(&sb, &[("scope", "instagram_business_basic")])
            .replace("900000000000002", "1"),
        ig_authorize_url(&sb, &[("scope", "instagram_business_basic")])
            .replace("900000000000002", "900000000000001"),
        ig_authorize_url(&sb, &[("scope", "instagram_business_basic")]).replace("47617", "1"),
        ig_authorize_url(&sb, &[("scope", "business_basic")]),
        ig_authorize_url(&sb, &[]),
        ig_authorize_url(&sb, &[("scope", "instagram_business_basic")])
            .replace("response_type=code", "response_type=token"),
    ];
    for url in urls {
        let resp = http().get(&url).send().await.expect("authorize");
        assert_eq!(resp.status(), 400, "{url}");
        assert!(resp.headers().get("location").is_none(), "{url}");
    }
    let resp = http()
        .get(ig_authorize_url(&sb, &[("scope", "business_basic")]))
        .send()
        .await
        .expect("authorize");
    assert!(resp.text().await.unwrap_or_default().contains("deprecated"));
}

#[tokio::test]
async fn refresh_needs_a_long_lived_token_at_least_a_day_old() {
    let sb = sandbox().await;
    let short = ig_short_token(&sb).await;
    let refresh = |t: String| {
        let url = graph_ig(&sb, "/refresh_access_token");
        async move {
            http()
                .get(url)
                .query(&[
                    ("grant_type", "ig_refresh_token"),
                    ("access_token", t.as_str()),
                ])
                .send()
                .await
                .expect("refresh")
        }
    };
    // Short-lived tokens are not refreshable.
    assert_eq!(
        graph_error(refresh(short.clone()).await, 400).await["code"],
        190
    );
    let long = json(ig_exchange_long(&sb, &short).await).await["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    // Too young.
    let e = graph_error(refresh(long.clone()).await, 400).await;
    assert_eq!(e["code"], 190);
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("24 hours")
    );
    sb.advance_clock(23 * 3600);
    assert_eq!(refresh(long.clone()).await.status(), 400);
    sb.advance_clock(3601);
    let resp = refresh(long.clone()).await;
    assert_eq!(resp.status(), 200);
    let body = json(resp).await;
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 5_184_000);
    let renewed = body["access_token"].as_str().expect("token").to_string();
    assert_ne!(renewed, long);
    assert_eq!(
        get_json(&graph_ig(&sb, "/me"), &renewed).await.status(),
        200
    );
    // 60 days from the refresh: the old token (issued a day earlier) dies first.
    sb.advance_clock(59 * 86_400 + 3600);
    assert_eq!(get_json(&graph_ig(&sb, "/me"), &long).await.status(), 400);
    assert_eq!(
        get_json(&graph_ig(&sb, "/me"), &renewed).await.status(),
        200
    );
    sb.advance_clock(86_400);
    let e = graph_error(refresh(renewed.clone()).await, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(190), Some(463))
    );
}

#[tokio::test]
async fn ig_exchange_token_errors() {
    let sb = sandbox().await;
    let short = ig_short_token(&sb).await;
    let resp = http()
        .get(graph_ig(&sb, "/access_token"))
        .query(&[
            ("grant_type", "ig_exchange_token"),
            ("client_secret", META_FACEBOOK_APP_SECRET),
            ("access_token", short.as_str()),
        ])
        .send()
        .await
        .expect("exchange");
    assert_eq!(codes(resp).await, (1, None));
    let resp = http()
        .get(graph_ig(&sb, "/access_token"))
        .query(&[
            ("grant_type", "fb_exchange_token"),
            ("access_token", short.as_str()),
        ])
        .send()
        .await
        .expect("exchange");
    assert_eq!(codes(resp).await.0, 100);
    // A Facebook token is not an Instagram token.
    let fb = fb_short_token(&sb).await;
    let e = graph_error(ig_exchange_long(&sb, &fb).await, 400).await;
    assert_eq!(e["code"], 190);
}

// ----- tokens on the API ----------------------------------------------------------------------

#[tokio::test]
async fn tokens_travel_as_query_form_or_authorization_header() {
    let sb = sandbox().await;
    let t = ig_token(&sb);
    for scheme in ["Bearer", "OAuth"] {
        let resp = http()
            .get(graph_ig(&sb, "/me?fields=username"))
            .header("authorization", format!("{scheme} {t}"))
            .send()
            .await
            .expect("me");
        assert_eq!(resp.status(), 200, "{scheme}");
        assert_eq!(json(resp).await["username"], "sandbox.creator");
    }
    let resp = http()
        .post(graph_ig(&sb, &format!("/{}/media", ig1())))
        .form(&[("access_token", t.as_str())])
        .send()
        .await
        .expect("create");
    // Authenticated (the error is about the missing image_url, not the token).
    assert_eq!(
        graph_error(resp, 400).await["message"],
        "(#100) The parameter image_url is required"
    );
    let resp = http().get(graph_ig(&sb, "/me")).send().await.expect("me");
    assert_eq!(graph_error(resp, 400).await["code"], 104);
}

#[tokio::test]
async fn tokens_only_work_on_their_own_host() {
    let sb = sandbox().await;
    let ig = ig_token(&sb);
    let fb = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let e = graph_error(get_json(&graph(&sb, "/me"), &ig).await, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(190), Some(467))
    );
    let e = graph_error(get_json(&graph_ig(&sb, "/me"), &fb).await, 400).await;
    assert_eq!(e["code"], 190);
    let e = graph_error(get_json(&graph(&sb, "/me"), "garbage").await, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(190), Some(467))
    );
}

#[tokio::test]
async fn revoked_tokens_and_configurable_auth_status() {
    let sb = sandbox().await;
    let fb = fb_short_token(&sb).await;
    let ig = ig_token(&sb);
    sb.revoke_account("instagram", ig1()).expect("revoke");
    let e = graph_error(get_json(&graph_ig(&sb, "/me"), &ig).await, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(190), Some(460))
    );
    // The Facebook user's token is another account's: still fine.
    assert_eq!(get_json(&graph(&sb, "/me"), &fb).await.status(), 200);
    // The user removes the app.
    let resp = http()
        .delete(graph(&sb, "/v23.0/me/permissions"))
        .query(&[("access_token", fb.as_str())])
        .send()
        .await
        .expect("delete permissions");
    assert_eq!(json(resp).await, json!({ "success": true }));
    settings(
        &sb,
        json!({ "auth_error_status": 401, "revoked_token_subcode": 458 }),
    );
    let e = graph_error(get_json(&graph(&sb, "/me"), &fb).await, 401).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(190), Some(458))
    );
}

#[tokio::test]
async fn version_segment_is_optional_and_checked() {
    let sb = sandbox().await;
    let t = ig_token(&sb);
    for path in ["/me", "/v21.0/me", "/v25.0/me"] {
        assert_eq!(
            get_json(&graph_ig(&sb, path), &t).await.status(),
            200,
            "{path}"
        );
    }
    let e = graph_error(get_json(&graph_ig(&sb, "/v99.0/me"), &t).await, 400).await;
    assert!(e["message"].as_str().unwrap_or_default().contains("v99.0"));
    settings(&sb, json!({ "api_versions": ["v99.0"] }));
    assert_eq!(
        get_json(&graph_ig(&sb, "/v99.0/me"), &t).await.status(),
        200
    );
    assert_eq!(
        get_json(&graph_ig(&sb, "/v23.0/me"), &t).await.status(),
        400
    );
    let bad: Value = serde_json::to_value(
        sb.update_platform_settings("instagram", json!({ "api_versions": ["23"] }))
            .is_err(),
    )
    .unwrap_or_default();
    assert_eq!(bad, json!(true));
}
