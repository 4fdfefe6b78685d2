//! Graph API surface of the Meta emulator over real HTTP: /me/accounts paging and
//! Pages without IG, field expansion, IG user nodes, Page tokens, permissions, usage
//! headers and rate limits, error shapes, faults, control API and status page.

mod meta_common;

use creatorflow_sandbox::platforms::meta::{FACEBOOK_PUBLISH_SCOPES, META_PAGES};
use creatorflow_sandbox::{Fault, FaultSpec, QuotaSpec};
use meta_common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn me_accounts_pages_with_and_without_instagram() {
    let sb = sandbox().await;
    let token = fb_long_token(&sb).await;
    let resp = http()
        .get(graph(&sb, "/v23.0/me/accounts"))
        .query(&[
            ("fields", "id,name,access_token,instagram_business_account"),
            ("limit", "2"),
            ("access_token", token.as_str()),
        ])
        .send()
        .await
        .expect("accounts");
    assert_eq!(resp.status(), 200);
    let first = json(resp).await;
    let data = first["data"].as_array().expect("data");
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["id"], META_PAGES[0].id);
    assert_eq!(
        data[0]["instagram_business_account"],
        json!({ "id": ig1() })
    );
    assert_eq!(
        data[1]["instagram_business_account"],
        json!({ "id": ig2() })
    );
    assert!(
        data[0]["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert!(first["paging"]["previous"].is_null());
    let next = first["paging"]["next"]
        .as_str()
        .expect("a next page")
        .to_string();
    // The next link is absolute and self-sufficient (it carries the token).
    let resp = http().get(&next).send().await.expect("next page");
    assert_eq!(resp.status(), 200);
    let second = json(resp).await;
    let data = second["data"].as_array().expect("data");
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["name"], "Sandbox Page Without Instagram");
    assert!(
        data[0].get("instagram_business_account").is_none(),
        "no linked IG account: field omitted: {}",
        data[0]
    );
    assert!(second["paging"]["next"].is_null());
    assert!(second["paging"]["previous"].is_string());
}

#[tokio::test]
async fn me_accounts_default_fields_and_field_expansion() {
    let sb = sandbox().await;
    let token = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let resp = http()
        .get(graph(&sb, "/me/accounts"))
        .query(&[("access_token", token.as_str())])
        .send()
        .await
        .expect("accounts");
    let body = json(resp).await;
    let page = &body["data"][0];
    for f in ["access_token", "category", "name", "id", "tasks"] {
        assert!(!page[f].is_null(), "{f} in {page}");
    }
    assert!(page.get("instagram_business_account").is_none());
    let resp = http()
        .get(graph(&sb, "/me/accounts"))
        .query(&[
            (
                "fields",
                "name,instagram_business_account{id,username,name,profile_picture_url}",
            ),
            ("access_token", token.as_str()),
        ])
        .send()
        .await
        .expect("accounts");
    let body = json(resp).await;
    let ig = &body["data"][1]["instagram_business_account"];
    assert_eq!(ig["id"], ig2());
    assert_eq!(ig["username"], "sandbox.studio");
    assert_eq!(ig["name"], "Sandbox Studio");
    assert!(
        ig["profile_picture_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://127.0.0.1"))
    );
}

#[tokio::test]
async fn ig_user_node_visibility_and_fields() {
    let sb = sandbox().await;
    let fb = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    for ig in [ig1(), ig2()] {
        let resp = http()
            .get(graph(&sb, &format!("/v23.0/{ig}")))
            .query(&[
                ("fields", "username,name,profile_picture_url"),
                ("access_token", fb.as_str()),
            ])
            .send()
            .await
            .expect("ig user");
        assert_eq!(resp.status(), 200);
        let v = json(resp).await;
        assert!(
            v["username"]
                .as_str()
                .is_some_and(|u| u.starts_with("sandbox."))
        );
        assert!(v.get("id").is_none(), "only the requested fields: {v}");
    }
    // An Instagram token sees only its own account.
    let ig = ig_token(&sb);
    let resp = http()
        .get(graph_ig(&sb, &format!("/{}", ig2())))
        .query(&[("access_token", ig.as_str())])
        .send()
        .await
        .expect("other account");
    let e = graph_error(resp, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(100), Some(33))
    );
    assert_eq!(e["type"], "GraphMethodException");
    // Unknown field, unknown object, unknown path.
    let resp = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[
            ("fields", "username,shoe_size"),
            ("access_token", ig.as_str()),
        ])
        .send()
        .await
        .expect("me");
    let e = graph_error(resp, 400).await;
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("nonexisting field (shoe_size)")
    );
    let resp = http()
        .get(graph_ig(&sb, "/12345"))
        .query(&[("access_token", ig.as_str())])
        .send()
        .await
        .expect("unknown");
    assert_eq!(codes(resp).await, (100, Some(33)));
    let resp = http()
        .get(graph_ig(&sb, "/a/b/c"))
        .query(&[("access_token", ig.as_str())])
        .send()
        .await
        .expect("path");
    assert_eq!(codes(resp).await.0, 2500);
}

#[tokio::test]
async fn missing_permissions_are_graph_errors() {
    let sb = sandbox().await;
    let no_pages = fb_token_for(&sb, &["instagram_basic", "instagram_content_publish"]);
    let resp = http()
        .get(graph(&sb, "/me/accounts"))
        .query(&[("access_token", no_pages.as_str())])
        .send()
        .await
        .expect("accounts");
    let e = graph_error(resp, 400).await;
    assert_eq!(e["code"], 200);
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("(#200)")
    );
    let basic_only = ig_token_for(&sb, ig1(), &["instagram_business_basic"]);
    let resp = create(
        &sb,
        &basic_only,
        ig1(),
        &[("image_url", "http://127.0.0.1:1/a.jpg")],
    )
    .await;
    let e = graph_error(resp, 400).await;
    assert_eq!(e["code"], 10);
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("(#10)")
    );
    let nothing = ig_token_for(&sb, ig1(), &[]);
    let resp = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[("access_token", nothing.as_str())])
        .send()
        .await
        .expect("me");
    assert_eq!(graph_error(resp, 400).await["code"], 10);
}

/// The error of a Facebook-Login call without `pages_read_engagement`.
async fn assert_needs_pages_read_engagement(resp: reqwest::Response) {
    let e = graph_error(resp, 400).await;
    assert_eq!(e["code"], 10, "{e}");
    assert!(e["error_subcode"].is_null(), "{e}");
    let msg = e["message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("(#10) This endpoint requires the 'pages_read_engagement' permission"),
        "{msg}"
    );
    assert_eq!(
        e["error_user_msg"],
        "The access token lacks: pages_read_engagement."
    );
}

#[tokio::test]
async fn facebook_login_publishing_needs_pages_read_engagement() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/p.jpg", jpeg(1080, 1080), "image/jpeg");
    let full = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let lacking = fb_token_for(
        &sb,
        &[
            "instagram_basic",
            "instagram_content_publish",
            "pages_show_list",
        ],
    );
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let sb_url = graph(&sb, &path);
        async move {
            http()
                .post(sb_url)
                .form(&form)
                .send()
                .await
                .expect("request")
        }
    };
    // Creating a container: refused before the media is fetched.
    let resp = post(
        format!("/v23.0/{}/media", ig1()),
        vec![
            ("image_url", url.clone()),
            ("access_token", lacking.clone()),
        ],
    )
    .await;
    assert_needs_pages_read_engagement(resp).await;
    assert_eq!(media.hits("/p.jpg"), 0);
    // media_publish of a container made with a full token: refused as well.
    let resp = post(
        format!("/v23.0/{}/media", ig1()),
        vec![("image_url", url.clone()), ("access_token", full.clone())],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let c = json(resp).await["id"].as_str().expect("id").to_string();
    let resp = post(
        format!("/v23.0/{}/media_publish", ig1()),
        vec![
            ("creation_id", c.clone()),
            ("access_token", lacking.clone()),
        ],
    )
    .await;
    assert_needs_pages_read_engagement(resp).await;
    assert!(sb.received(None).is_empty());
    // Reading the IG account still works without it (instagram_basic).
    let resp = http()
        .get(graph(&sb, &format!("/{}", ig1())))
        .query(&[("fields", "username"), ("access_token", lacking.as_str())])
        .send()
        .await
        .expect("ig user");
    assert_eq!(resp.status(), 200);
    // A user who unticks it in the dialog gets a token that cannot publish either.
    settings(
        &sb,
        json!({ "facebook_declined_permissions": ["pages_read_engagement"] }),
    );
    let declined = fb_short_token(&sb).await;
    let resp = post(
        format!("/v23.0/{}/media_publish", ig1()),
        vec![("creation_id", c.clone()), ("access_token", declined)],
    )
    .await;
    assert_needs_pages_read_engagement(resp).await;
    // The full token publishes.
    let resp = post(
        format!("/v23.0/{}/media_publish", ig1()),
        vec![("creation_id", c), ("access_token", full)],
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn page_tokens_act_for_their_page_only() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/p.jpg", jpeg(1080, 1080), "image/jpeg");
    let user = fb_long_token(&sb).await;
    let body = json(
        http()
            .get(graph(&sb, "/me/accounts"))
            .query(&[
                ("fields", "id,access_token"),
                ("access_token", user.as_str()),
            ])
            .send()
            .await
            .expect("accounts"),
    )
    .await;
    let page_token = body["data"][0]["access_token"]
        .as_str()
        .expect("page token")
        .to_string();
    // Asking again gives the same Page token.
    let again = json(
        http()
            .get(graph(&sb, "/me/accounts"))
            .query(&[
                ("fields", "id,access_token"),
                ("access_token", user.as_str()),
            ])
            .send()
            .await
            .expect("accounts"),
    )
    .await;
    assert_eq!(again["data"][0]["access_token"], page_token.as_str());
    // /me with a Page token is the Page.
    let me = json(
        http()
            .get(graph(&sb, "/me"))
            .query(&[("access_token", page_token.as_str())])
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(me["id"], META_PAGES[0].id);
    let resp = http()
        .post(graph(&sb, &format!("/v23.0/{}/media", ig1())))
        .form(&[
            ("image_url", url.as_str()),
            ("access_token", page_token.as_str()),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(resp.status(), 200);
    let resp = http()
        .post(graph(&sb, &format!("/v23.0/{}/media", ig2())))
        .form(&[
            ("image_url", url.as_str()),
            ("access_token", page_token.as_str()),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(codes(resp).await, (100, Some(33)));
}

fn header_json(resp: &reqwest::Response, name: &str) -> Option<Value> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| serde_json::from_str(s).ok())
}

#[tokio::test]
async fn usage_headers_and_settable_usage() {
    let sb = sandbox().await;
    let t = ig_token(&sb);
    let resp = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[("access_token", t.as_str())])
        .send()
        .await
        .expect("me");
    let app = header_json(&resp, "x-app-usage").expect("X-App-Usage");
    for k in ["call_count", "total_time", "total_cputime"] {
        assert!(app[k].is_u64(), "{k} in {app}");
    }
    let buc = header_json(&resp, "x-business-use-case-usage").expect("BUC header");
    assert_eq!(buc[ig1()][0]["type"], "instagram");

    settings(
        &sb,
        json!({ "app_usage": { "call_count": 42, "total_time": 7, "total_cputime": 3 } }),
    );
    let resp = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[("access_token", t.as_str())])
        .send()
        .await
        .expect("me");
    assert_eq!(
        header_json(&resp, "x-app-usage"),
        Some(json!({ "call_count": 42, "total_time": 7, "total_cputime": 3 }))
    );
    settings(
        &sb,
        json!({ "app_usage": { "call_count": 100, "total_time": 7, "total_cputime": 3 } }),
    );
    let resp = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[("access_token", t.as_str())])
        .send()
        .await
        .expect("me");
    assert!(resp.headers().contains_key("x-app-usage"));
    let e = graph_error(resp, 400).await;
    assert_eq!(e["code"], 4);
    assert_eq!(e["is_transient"], true);
    settings(
        &sb,
        json!({ "app_usage": null, "business_use_case_usage": { "call_count": 100, "total_time": 0, "total_cputime": 0 } }),
    );
    let resp = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[("access_token", t.as_str())])
        .send()
        .await
        .expect("me");
    let buc = header_json(&resp, "x-business-use-case-usage").expect("BUC header");
    assert!(buc[ig1()][0]["estimated_time_to_regain_access"].as_i64() > Some(0));
    assert_eq!(graph_error(resp, 400).await["code"], 613);
}

#[tokio::test]
async fn user_and_app_rate_limits_through_quotas() {
    let sb = sandbox().await;
    let t = ig_token(&sb);
    sb.set_quota(QuotaSpec {
        platform: "instagram".into(),
        name: "graph calls (user)".into(),
        limit: 2,
        window_secs: Some(3600),
        daily_utc: false,
    })
    .expect("quota");
    let me = || {
        http()
            .get(graph_ig(&sb, "/me"))
            .query(&[("access_token", t.as_str())])
            .send()
    };
    assert_eq!(me().await.expect("1").status(), 200);
    assert_eq!(me().await.expect("2").status(), 200);
    let e = graph_error(me().await.expect("3"), 400).await;
    assert_eq!(e["code"], 17);
    sb.advance_clock(3601);
    let resp = me().await.expect("4");
    let (status, body) = (resp.status(), resp.text().await.unwrap_or_default());
    assert_eq!(status, 200, "{body}");
    sb.set_quota(QuotaSpec {
        platform: "instagram".into(),
        name: "graph calls (app)".into(),
        limit: 1,
        window_secs: Some(3600),
        daily_utc: false,
    })
    .expect("quota");
    assert_eq!(me().await.expect("5").status(), 200);
    assert_eq!(graph_error(me().await.expect("6"), 400).await["code"], 4);
}

#[tokio::test]
async fn faults_on_meta_paths_use_graph_shapes() {
    let sb = sandbox().await;
    let t = ig_token(&sb);
    sb.inject_fault(FaultSpec::new(
        Some("GET"),
        "/meta/graph-instagram/*",
        Fault::Status {
            status: 503,
            body: None,
        },
    ))
    .expect("fault");
    let resp = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[("access_token", t.as_str())])
        .send()
        .await
        .expect("me");
    let e = graph_error(resp, 503).await;
    assert_eq!(e["is_transient"], true);
    sb.inject_fault(FaultSpec::new(
        None,
        "/meta/graph-instagram/*",
        Fault::RateLimit {
            reset_after_secs: 60,
            limit: None,
        },
    ))
    .expect("fault");
    let resp = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[("access_token", t.as_str())])
        .send()
        .await
        .expect("me");
    assert_eq!(
        header_json(&resp, "x-app-usage").map(|v| v["call_count"].clone()),
        Some(json!(100))
    );
    assert_eq!(graph_error(resp, 400).await["code"], 4);
    // Unknown paths under /meta answer in the Graph shape too.
    let resp = http().get(meta(&sb, "/nope")).send().await.expect("404");
    assert_eq!(graph_error(resp, 404).await["code"], 2500);
    // Back to normal; the request log tagged the faults and hid the token.
    let resp = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[("access_token", t.as_str())])
        .send()
        .await
        .expect("me");
    assert_eq!(resp.status(), 200);
    let log = sb.requests(Some("instagram"));
    assert_eq!(log.iter().filter(|r| r.fault.is_some()).count(), 2);
    assert!(
        log.iter()
            .all(|r| !r.query.clone().unwrap_or_default().contains(&t))
    );
}

#[tokio::test]
async fn reset_mid_body_on_publish_still_publishes() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/r.jpg", jpeg(1080, 1080), "image/jpeg");
    let t = ig_token(&sb);
    let c = create_ok(&sb, &t, ig1(), &[("image_url", &url), ("caption", "cut")]).await;
    sb.inject_fault(FaultSpec::new(
        Some("POST"),
        &format!("/meta/graph-instagram/v23.0/{}/media_publish", ig1()),
        Fault::ResetMidBody,
    ))
    .expect("fault");
    let r = publish(&sb, &t, ig1(), &c).await;
    assert!(r.text().await.is_err(), "the body is cut");
    // The client reads the container before retrying: it was published.
    assert_eq!(status(&sb, &t, &c).await["status_code"], "PUBLISHED");
    assert_eq!(sb.received(Some("instagram")).len(), 1);
    let resp = publish(&sb, &t, ig1(), &c).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(sb.received(Some("instagram")).len(), 1);
}

#[tokio::test]
async fn control_api_lists_instagram_and_the_status_page_shows_it() {
    let sb = sandbox().await;
    let platforms: Value = json(
        http()
            .get(format!("{}_sandbox/platforms", sb.base_url()))
            .send()
            .await
            .expect("platforms"),
    )
    .await;
    let ig = platforms
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["id"] == "instagram")
        .expect("instagram listed")
        .clone();
    assert_eq!(ig["prefix"], "/meta");
    let accounts = sb.accounts(Some("instagram")).expect("accounts");
    let ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, vec![ig1(), ig2(), fb_user()]);
    // Settings: unknown keys and bad values are refused.
    assert!(
        sb.update_platform_settings("instagram", json!({ "nope": 1 }))
            .is_err()
    );
    assert!(
        sb.update_platform_settings("instagram", json!({ "delete_media": "sometimes" }))
            .is_err()
    );
    let s = sb.platform_settings("instagram").expect("settings");
    assert_eq!(s["publishing_quota_total"], 100);
    assert_eq!(s["container_limit"], 400);

    let media = media_server(&sb).await;
    let url = media.serve("/s.jpg", jpeg(1080, 1080), "image/jpeg");
    let t = ig_token(&sb);
    post_image(&sb, &t, ig1(), &url, "on the <status> page").await;
    let html = http()
        .get(sb.base_url().as_str())
        .send()
        .await
        .expect("status page")
        .text()
        .await
        .unwrap_or_default();
    assert!(html.contains("Instagram (Meta)"));
    assert!(html.contains("@sandbox.creator"));
    assert!(html.contains("on the &lt;status&gt; page"));
    assert!(html.contains("image image/jpeg"));
}
