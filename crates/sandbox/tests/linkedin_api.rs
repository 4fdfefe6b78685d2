//! LinkedIn versioned REST API over real HTTP: headers, posts, little text format,
//! delete, comments, quotas, faults, persistence. From
//! docs/platforms/linkedin.md §2–§4, §8, §9 and §11.

mod common;
mod linkedin_common;

use std::time::Duration;

use creatorflow_sandbox::{ConsentMode, Fault, FaultSpec, QuotaSpec, SandboxConfig, start};
use linkedin_common::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn json_of(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    resp.json().await.expect("json")
}

fn is_share_urn(s: &str) -> bool {
    s.strip_prefix("urn:li:share:")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Sends a text post with a given `LinkedIn-Version` (none: no header); each call
/// has its own commentary so none is a duplicate.
async fn post_with_version(
    sb: &creatorflow_sandbox::SandboxHandle,
    t: &str,
    version: Option<&str>,
) -> reqwest::Response {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut rb = http()
        .post(li(sb, "/rest/posts"))
        .bearer_auth(t)
        .header("X-Restli-Protocol-Version", "2.0.0")
        .json(&post_body(&urn(creator()), &format!("versioned {n}")));
    if let Some(v) = version {
        rb = rb.header("LinkedIn-Version", v);
    }
    rb.send().await.expect("post")
}

fn ymd(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn linkedin_version_header_is_required_and_must_be_active() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let b = json_of(post_with_version(&sb, &t, None).await, 400).await;
    assert_eq!(b["status"], 400);
    assert_eq!(b["code"], "VERSION_MISSING");
    let b = json_of(post_with_version(&sb, &t, Some("20250401")).await, 426).await;
    assert_eq!(
        b,
        json!({
            "status": 426,
            "code": "NONEXISTENT_VERSION",
            "message": "Requested version 20250401 is not active"
        })
    );
    // Unknown (never released) and long retired.
    let b = json_of(post_with_version(&sb, &t, Some("209901")).await, 426).await;
    assert_eq!(b["message"], "Requested version 209901 is not active");
    assert_eq!(
        post_with_version(&sb, &t, Some("202001")).await.status(),
        426
    );
    // The built-in calendar has no 202512 release.
    assert_eq!(
        post_with_version(&sb, &t, Some("202512")).await.status(),
        426
    );
    // The newest active version works, also with a revision suffix.
    let latest = version(&sb);
    assert_eq!(
        post_with_version(&sb, &t, Some(&latest)).await.status(),
        201
    );
    assert_eq!(
        post_with_version(&sb, &t, Some(&format!("{latest}.01")))
            .await
            .status(),
        201
    );
    // Built-in: the current month's version exists only from its release (the
    // 15th, or the Monday after when that is a weekend).
    let now = sb.clock().now;
    let current = now.format("%Y%m").to_string();
    let released = creatorflow_sandbox::platforms::linkedin::versions::mid_month(
        chrono::Datelike::year(&now),
        chrono::Datelike::month(&now),
    )
    .expect("date");
    let expected = if now.date_naive() >= released {
        201
    } else {
        426
    };
    assert_eq!(
        post_with_version(&sb, &t, Some(&current)).await.status(),
        expected,
        "{current} is released on {released}"
    );
    // About 13 months ago: retired.
    let old = (now - chrono::Duration::days(400))
        .format("%Y%m")
        .to_string();
    assert_eq!(post_with_version(&sb, &t, Some(&old)).await.status(), 426);
}

#[tokio::test]
async fn releases_setting_and_the_emulated_clock_decide_what_is_active() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let now = sb.clock().now;
    let current = now.format("%Y%m").to_string();
    let last_year = (now - chrono::Duration::days(365))
        .format("%Y%m")
        .to_string();
    // The current month's release comes out in 3 days; last year's retires
    // tomorrow; 202401 is just a version string (dates from the pattern).
    sb.update_platform_settings(
        "linkedin",
        json!({ "releases": [
            "202401",
            { "version": last_year, "retires": ymd(now + chrono::Duration::days(1)) },
            { "version": current, "released": ymd(now + chrono::Duration::days(3)),
              "retires": ymd(now + chrono::Duration::days(400)) },
        ] }),
    )
    .expect("settings");
    let s = sb.platform_settings("linkedin").expect("settings");
    assert_eq!(s["latest_version"], last_year.as_str(), "{s}");
    let versions = s["versions"].as_array().cloned().unwrap_or_default();
    assert_eq!(versions.len(), 3, "{s}");
    assert_eq!(versions[2]["status"], "upcoming");
    assert_eq!(versions[0]["status"], "retired");
    // The current month before its release exists: 426 with LinkedIn's body.
    let b = json_of(post_with_version(&sb, &t, Some(&current)).await, 426).await;
    assert_eq!(
        b,
        json!({
            "status": 426,
            "code": "NONEXISTENT_VERSION",
            "message": format!("Requested version {current} is not active")
        })
    );
    assert_eq!(
        post_with_version(&sb, &t, Some("202401")).await.status(),
        426,
        "retired in January 2025"
    );
    assert_eq!(
        post_with_version(&sb, &t, Some(&last_year)).await.status(),
        201
    );
    // A day later last year's release is retired; two more and the current one
    // is out.
    sb.advance_clock(24 * 3600);
    let t = token(&sb).await;
    assert_eq!(
        post_with_version(&sb, &t, Some(&last_year)).await.status(),
        426
    );
    assert_eq!(
        post_with_version(&sb, &t, Some(&current)).await.status(),
        426
    );
    sb.advance_clock(2 * 24 * 3600);
    assert_eq!(
        post_with_version(&sb, &t, Some(&current)).await.status(),
        201
    );
    assert_eq!(version(&sb), current);
    // A GET-modify-POST round trip of the settings works (read-only keys are
    // ignored); bad entries are refused; null brings the built-in calendar back.
    let mut s = sb.platform_settings("linkedin").expect("settings");
    s["require_restli_header"] = json!(true);
    sb.update_platform_settings("linkedin", s)
        .expect("round trip");
    for bad in [
        json!(["2024-01"]),
        json!(["202413"]),
        json!([{ "version": "202401", "x": 1 }]),
    ] {
        assert!(
            sb.update_platform_settings("linkedin", json!({ "releases": bad }))
                .is_err(),
            "{bad}"
        );
    }
    assert!(
        sb.update_platform_settings(
            "linkedin",
            json!({ "releases": [{ "version": "202401", "released": "2024-02-01", "retires": "2024-01-01" }] })
        )
        .is_err()
    );
    sb.update_platform_settings("linkedin", json!({ "releases": null }))
        .expect("settings");
    assert!(sb.platform_settings("linkedin").expect("settings")["releases"].is_null());
}

#[tokio::test]
async fn restli_protocol_header_is_required() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let send = || {
        http()
            .post(li(&sb, "/rest/posts"))
            .bearer_auth(&t)
            .header("LinkedIn-Version", version(&sb))
            .json(&post_body(&urn(creator()), "no restli header"))
            .send()
    };
    let b = json_of(send().await.expect("post"), 400).await;
    assert_eq!(b["status"], 400);
    assert!(
        b["message"]
            .as_str()
            .unwrap_or_default()
            .contains("X-Restli-Protocol-Version")
    );
    sb.update_platform_settings("linkedin", json!({ "require_restli_header": false }))
        .expect("settings");
    assert_eq!(send().await.expect("post").status(), 201);
    // The REST API also wants a bearer token.
    let resp = http()
        .post(li(&sb, "/rest/posts"))
        .header("LinkedIn-Version", version(&sb))
        .header("X-Restli-Protocol-Version", "2.0.0")
        .json(&post_body(&urn(creator()), "anonymous"))
        .send()
        .await
        .expect("post");
    assert_eq!(json_of(resp, 401).await["code"], "EMPTY_ACCESS_TOKEN");
}

#[tokio::test]
async fn create_a_text_post() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let resp = create_post(&sb, &t, &post_body(&urn(creator()), "Hello LinkedIn")).await;
    assert_eq!(resp.status(), 201);
    let id = restli_id(&resp);
    assert!(is_share_urn(&id), "{id}");
    assert!(
        resp.text().await.unwrap_or_default().is_empty(),
        "empty body"
    );
    let received = sb.received(Some("linkedin"));
    assert_eq!(received.len(), 1);
    let p = &received[0];
    assert_eq!(p.remote_id, id);
    assert_eq!(p.text, "Hello LinkedIn");
    assert_eq!(p.account_id, creator());
    assert_eq!(p.username, "sandbox-creator");
    assert!(!p.deleted);
    assert_eq!(p.extra["visibility"], "PUBLIC");
    assert_eq!(p.extra["lifecycleState"], "PUBLISHED");
    // Every enum value is accepted; DRAFT too.
    for (vis, feed, life) in [
        ("CONNECTIONS", "NONE", "DRAFT"),
        ("LOGGED_IN", "MAIN_FEED", "PUBLISHED"),
        ("CONTAINER", "MAIN_FEED", "PUBLISHED"),
    ] {
        // (Distinct texts: the same commentary twice is a DUPLICATE_POST.)
        let mut b = post_body(&urn(creator()), &format!("enum {vis} {feed} {life}"));
        b["visibility"] = json!(vis);
        b["distribution"]["feedDistribution"] = json!(feed);
        b["lifecycleState"] = json!(life);
        assert_eq!(create_post(&sb, &t, &b).await.status(), 201, "{b}");
    }
    // Ids are unique.
    let a = restli_id(&create_post(&sb, &t, &post_body(&urn(creator()), "a")).await);
    let b = restli_id(&create_post(&sb, &t, &post_body(&urn(creator()), "b")).await);
    assert_ne!(a, b);
}

#[tokio::test]
async fn author_must_be_the_member_of_the_token() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let b = json_of(
        create_post(&sb, &t, &post_body(&urn(studio()), "as someone else")).await,
        403,
    )
    .await;
    assert_eq!(b["status"], 403);
    assert_eq!(b["serviceErrorCode"], 100);
    assert_eq!(b["code"], "ACCESS_DENIED");
    let b = json_of(
        create_post(
            &sb,
            &t,
            &post_body("urn:li:organization:2414183", "as a page"),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(b["code"], "ACCESS_DENIED");
    // Not a URN at all.
    let b = json_of(
        create_post(&sb, &t, &post_body(creator(), "bare id")).await,
        422,
    )
    .await;
    assert_eq!(
        b["errorDetails"]["inputErrors"][0]["input"]["inputPath"]["fieldPath"],
        "/author"
    );
    // The other member may post as themself.
    let t2 = token_of(&sb, studio());
    assert_eq!(
        create_post(&sb, &t2, &post_body(&urn(studio()), "mine"))
            .await
            .status(),
        201
    );
    assert!(
        sb.received(Some("linkedin"))
            .iter()
            .all(|p| p.text == "mine")
    );
}

#[tokio::test]
async fn enums_required_fields_and_unknown_fields_are_validated() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let base = post_body(&urn(creator()), "validate me");
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut b = base.clone();
    b["visibility"] = json!("FRIENDS");
    cases.push((b, "/visibility"));
    let mut b = base.clone();
    b["distribution"]["feedDistribution"] = json!("EVERYWHERE");
    cases.push((b, "/distribution/feedDistribution"));
    let mut b = base.clone();
    b["lifecycleState"] = json!("PUBLISH_LATER");
    cases.push((b, "/lifecycleState"));
    let mut b = base.clone();
    b.as_object_mut().map(|o| o.remove("distribution"));
    cases.push((b, "/distribution"));
    let mut b = base.clone();
    b.as_object_mut().map(|o| o.remove("author"));
    cases.push((b, "/author"));
    let mut b = base.clone();
    b["text"] = json!("X-style field");
    cases.push((b, "/text"));
    let mut b = base.clone();
    b["isReshareDisabledByAuthor"] = json!("no");
    cases.push((b, "/isReshareDisabledByAuthor"));
    let mut b = base.clone();
    b["commentary"] = json!(42);
    cases.push((b, "/commentary"));
    let mut b = base.clone();
    b["commentary"] = json!("");
    cases.push((b, "/commentary"));
    for (body, field) in cases {
        let resp = create_post(&sb, &t, &body).await;
        let b = json_of(resp, 422).await;
        assert_eq!(b["status"], 422, "{body}");
        let err = &b["errorDetails"]["inputErrors"][0];
        assert_eq!(err["input"]["inputPath"]["fieldPath"], field, "{b}");
        assert!(
            b["message"].as_str().unwrap_or_default().contains(field),
            "{b}"
        );
    }
    let mut b = base.clone();
    b["visibility"] = json!("FRIENDS");
    let body = json_of(create_post(&sb, &t, &b).await, 422).await;
    assert_eq!(
        body["errorDetails"]["inputErrors"][0]["description"],
        "\"FRIENDS\" is not an enum symbol"
    );
    assert!(sb.received(Some("linkedin")).is_empty());
}

#[tokio::test]
async fn commentary_is_limited_to_3000_characters() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let ok = "é".repeat(3000);
    assert_eq!(
        create_post(&sb, &t, &post_body(&urn(creator()), &ok))
            .await
            .status(),
        201
    );
    let b = json_of(
        create_post(&sb, &t, &post_body(&urn(creator()), &"a".repeat(3001))).await,
        422,
    )
    .await;
    assert_eq!(
        b["errorDetails"]["inputErrors"][0]["input"]["inputPath"]["fieldPath"],
        "/commentary"
    );
    sb.update_platform_settings("linkedin", json!({ "max_commentary_length": 10 }))
        .expect("settings");
    assert_eq!(
        create_post(&sb, &t, &post_body(&urn(creator()), "eleven char"))
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn unescaped_reserved_characters_truncate_the_stored_post() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let post = |text: &'static str| {
        let (sb, t) = (&sb, &t);
        async move {
            let resp = create_post(sb, t, &post_body(&urn(creator()), text)).await;
            assert_eq!(resp.status(), 201, "{text}");
            let id = restli_id(&resp);
            sb.received(Some("linkedin"))
                .into_iter()
                .find(|p| p.remote_id == id)
                .expect("received")
        }
    };
    let p = post("Launch (beta) today!").await;
    assert_eq!(p.text, "Launch ");
    assert_eq!(p.extra["truncated"], true);
    assert_eq!(p.extra["commentary"], "Launch (beta) today!");
    for (raw, cut) in [
        ("ping me@example.com", "ping me"),
        ("5 * 3", "5 "),
        ("snake_case", "snake"),
        ("a ~ b", "a "),
        ("x < y", "x "),
        ("list [1]", "list "),
        ("C# and more", "C"),
        ("a|b", "a"),
    ] {
        assert_eq!(post(raw).await.text, cut, "{raw}");
    }
    // Escaped: kept whole, unescaped in the stored text.
    let p = post(r"Launch \(beta\) today\! 5 \* 3 snake\_case me\@example.com \#1 a\\b").await;
    assert_eq!(
        p.text,
        r"Launch (beta) today! 5 * 3 snake_case me@example.com #1 a\b"
    );
    assert_eq!(p.extra["truncated"], false);
    // Mentions, hashtags and URLs are kept.
    let p = post(
        "Thanks @[Ada Lovelace](urn:li:person:sbxStudio02) and @[Acme](urn:li:organization:2414183) #launch {hashtag|\\#|ready} https://example.com/a_b?x=(1)",
    )
    .await;
    assert_eq!(
        p.text,
        "Thanks Ada Lovelace and Acme #launch #ready https://example.com/a_b?x=(1)"
    );
    assert_eq!(p.extra["truncated"], false);
    assert_eq!(p.extra["hashtags"], json!(["launch", "ready"]));
    assert_eq!(p.extra["mentions"][0]["urn"], "urn:li:person:sbxStudio02");

    // `keep`: the character stays; `reject`: 422.
    sb.update_platform_settings("linkedin", json!({ "reserved_chars": "keep" }))
        .expect("settings");
    let p = post("Launch (beta) tomorrow!").await;
    assert_eq!(p.text, "Launch (beta) tomorrow!");
    assert_eq!(p.extra["truncated"], false);
    sb.update_platform_settings("linkedin", json!({ "reserved_chars": "reject" }))
        .expect("settings");
    let resp = create_post(&sb, &t, &post_body(&urn(creator()), "Launch (beta)")).await;
    assert_eq!(resp.status(), 422);
    assert!(
        sb.update_platform_settings("linkedin", json!({ "reserved_chars": "explode" }))
            .is_err()
    );
}

#[tokio::test]
async fn malformed_requests_get_linkedin_errors_never_a_500() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let check = |resp: reqwest::Response, status: u16| async move {
        assert_eq!(resp.status(), status);
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(ct.starts_with("application/json"), "{ct}");
        let b: Value = resp.json().await.expect("json");
        assert_eq!(b["status"], status, "{b}");
        assert!(b["message"].is_string(), "{b}");
    };
    let send_raw = |body: &'static str, ct: &'static str| {
        rest(&sb, Method::POST, "/rest/posts", &t)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    check(
        send_raw("{not json", "application/json").await.expect("r"),
        400,
    )
    .await;
    check(send_raw("[1,2]", "application/json").await.expect("r"), 400).await;
    check(send_raw("", "application/json").await.expect("r"), 400).await;
    check(send_raw("author=x", "text/plain").await.expect("r"), 415).await;
    let mut b = post_body(&urn(creator()), "bad content");
    b["content"] = json!({ "media": { "id": "not-a-urn" } });
    check(create_post(&sb, &t, &b).await, 422).await;
    b["content"] = json!({ "poll": { "question": "?" } });
    check(create_post(&sb, &t, &b).await, 422).await;
    b["content"] = json!("text");
    check(create_post(&sb, &t, &b).await, 422).await;
    // Bad URNs in paths.
    for path in [
        "/rest/posts/not-a-urn",
        "/rest/posts/urn%3Ali%3Ashare%3Aabc",
        "/rest/posts/%FF%FE",
    ] {
        let resp = rest(&sb, Method::DELETE, path, &t).send().await.expect("r");
        assert_eq!(resp.status(), 400, "{path}");
    }
    check(
        rest(&sb, Method::GET, "/rest/images/urn%3Ali%3Avideo%3A1", &t)
            .send()
            .await
            .expect("r"),
        400,
    )
    .await;
    // Unknown paths and methods.
    check(
        rest(&sb, Method::GET, "/rest/nothing", &t)
            .send()
            .await
            .expect("r"),
        404,
    )
    .await;
    check(
        rest(&sb, Method::GET, "/rest/posts", &t)
            .send()
            .await
            .expect("r"),
        405,
    )
    .await;
    // Unknown action.
    check(
        rest(&sb, Method::POST, "/rest/images?action=explode", &t)
            .json(&json!({}))
            .send()
            .await
            .expect("r"),
        400,
    )
    .await;
}

#[tokio::test]
async fn delete_is_idempotent() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let id = restli_id(&create_post(&sb, &t, &post_body(&urn(creator()), "short-lived")).await);
    let path = format!("/rest/posts/{}", enc(&id));
    // Someone else's post.
    let t2 = token_of(&sb, studio());
    let resp = rest(&sb, Method::DELETE, &path, &t2)
        .send()
        .await
        .expect("delete");
    assert_eq!(json_of(resp, 403).await["status"], 403);
    for _ in 0..2 {
        let resp = rest(&sb, Method::DELETE, &path, &t)
            .header("X-RestLi-Method", "DELETE")
            .send()
            .await
            .expect("delete");
        assert_eq!(resp.status(), 204);
        assert!(resp.text().await.unwrap_or_default().is_empty());
    }
    let p = &sb.received(Some("linkedin"))[0];
    assert!(p.deleted);
    assert!(p.deleted_at.is_some());
    // A post that never existed.
    let resp = rest(
        &sb,
        Method::DELETE,
        "/rest/posts/urn%3Ali%3Ashare%3A123",
        &t,
    )
    .send()
    .await
    .expect("delete");
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn comments_as_follow_ups() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let post = restli_id(&create_post(&sb, &t, &post_body(&urn(creator()), "thread start")).await);
    let body = json!({
        "actor": urn(creator()),
        "object": post,
        "message": { "text": "second part \\(2/2\\)" }
    });
    // REST form.
    let resp = rest(
        &sb,
        Method::POST,
        &format!("/rest/socialActions/{}/comments", enc(&post)),
        &t,
    )
    .json(&body)
    .send()
    .await
    .expect("comment");
    assert_eq!(resp.status(), 201);
    let cid = restli_id(&resp);
    assert!(
        cid.starts_with(&format!("urn:li:comment:({post},")),
        "{cid}"
    );
    let c: Value = resp.json().await.expect("json");
    assert_eq!(c["actor"], urn(creator()));
    assert_eq!(c["object"], post.as_str());
    // v2 form: no LinkedIn-Version needed.
    let resp = http()
        .post(li(
            &sb,
            &format!("/v2/socialActions/{}/comments", enc(&post)),
        ))
        .bearer_auth(&t)
        .header("X-Restli-Protocol-Version", "2.0.0")
        .json(&json!({ "actor": urn(creator()), "message": { "text": "third" } }))
        .send()
        .await
        .expect("comment");
    assert_eq!(resp.status(), 201);
    let received = sb.received(Some("linkedin"));
    assert_eq!(received.len(), 3);
    assert_eq!(received[1].text, "second part (2/2)");
    assert_eq!(received[1].reply_to.as_deref(), Some(post.as_str()));
    assert_eq!(received[1].remote_id, cid);
    assert_eq!(received[2].text, "third");
    // Someone else as actor; a deleted post.
    let mut other = body.clone();
    other["actor"] = json!(urn(studio()));
    let resp = rest(
        &sb,
        Method::POST,
        &format!("/rest/socialActions/{}/comments", enc(&post)),
        &t,
    )
    .json(&other)
    .send()
    .await
    .expect("comment");
    assert_eq!(resp.status(), 403);
    rest(
        &sb,
        Method::DELETE,
        &format!("/rest/posts/{}", enc(&post)),
        &t,
    )
    .send()
    .await
    .expect("delete");
    let resp = rest(
        &sb,
        Method::POST,
        &format!("/rest/socialActions/{}/comments", enc(&post)),
        &t,
    )
    .json(&body)
    .send()
    .await
    .expect("comment");
    assert_eq!(resp.status(), 404);
}

async fn advance_to_next_utc_midnight(sb: &creatorflow_sandbox::SandboxHandle, minus: i64) {
    let now = sb.clock().now_epoch;
    let to_midnight = 86_400 - now.rem_euclid(86_400);
    sb.advance_clock(to_midnight - minus);
}

#[tokio::test]
async fn member_quota_resets_at_utc_midnight() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    // Make sure the test does not straddle midnight by accident.
    advance_to_next_utc_midnight(&sb, 3600).await;
    // The default: 150 posts per member and day.
    for i in 0..150 {
        let resp = create_post(&sb, &t, &post_body(&urn(creator()), &format!("post {i}"))).await;
        assert_eq!(resp.status(), 201, "post {i}");
    }
    let b = json_of(
        create_post(&sb, &t, &post_body(&urn(creator()), "one too many")).await,
        429,
    )
    .await;
    assert_eq!(b["status"], 429);
    // As observed from LinkedIn: serviceErrorCode 101 and no `code`.
    assert_eq!(b["serviceErrorCode"], 101);
    assert!(b.get("code").is_none(), "{b}");
    assert!(
        b["message"]
            .as_str()
            .unwrap_or_default()
            .contains("MEMBER DAY")
    );
    // Another member is not affected.
    let t2 = token_of(&sb, studio());
    assert_eq!(
        create_post(&sb, &t2, &post_body(&urn(studio()), "other member"))
            .await
            .status(),
        201
    );
    // Still the same UTC day a minute before midnight.
    advance_to_next_utc_midnight(&sb, 60).await;
    assert_eq!(
        create_post(&sb, &t, &post_body(&urn(creator()), "late"))
            .await
            .status(),
        429
    );
    sb.advance_clock(61);
    assert_eq!(
        create_post(&sb, &t, &post_body(&urn(creator()), "new day"))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn quotas_are_settable_and_the_app_quota_spans_members() {
    let sb = common::sandbox().await;
    advance_to_next_utc_midnight(&sb, 3600).await;
    sb.set_quota(QuotaSpec {
        platform: "linkedin".into(),
        name: "POST /rest/posts (app)".into(),
        limit: 2,
        window_secs: None,
        daily_utc: true,
    })
    .expect("quota");
    let t1 = token(&sb).await;
    let t2 = token_of(&sb, studio());
    assert_eq!(
        create_post(&sb, &t1, &post_body(&urn(creator()), "1"))
            .await
            .status(),
        201
    );
    assert_eq!(
        create_post(&sb, &t2, &post_body(&urn(studio()), "2"))
            .await
            .status(),
        201
    );
    let b = json_of(
        create_post(&sb, &t2, &post_body(&urn(studio()), "3")).await,
        429,
    )
    .await;
    assert!(
        b["message"]
            .as_str()
            .unwrap_or_default()
            .contains("APPLICATION DAY")
    );
    // A new UTC day resets the app counter; the member limit is settable too.
    sb.set_quota(QuotaSpec {
        platform: "linkedin".into(),
        name: "POST /rest/posts".into(),
        limit: 1,
        window_secs: None,
        daily_utc: true,
    })
    .expect("quota");
    advance_to_next_utc_midnight(&sb, 0).await;
    assert_eq!(
        create_post(&sb, &t1, &post_body(&urn(creator()), "4"))
            .await
            .status(),
        201
    );
    assert_eq!(
        create_post(&sb, &t1, &post_body(&urn(creator()), "5"))
            .await
            .status(),
        429
    );
    // Over HTTP too.
    let resp = http()
        .post(format!("{}_sandbox/quotas", sb.base_url()))
        .json(&json!({ "platform": "linkedin", "name": "POST /rest/posts", "limit": 3, "daily_utc": true }))
        .send()
        .await
        .expect("quota");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        create_post(&sb, &t1, &post_body(&urn(creator()), "6"))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn faults_on_linkedin_paths_use_linkedin_shapes() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/linkedin/rest/posts",
        Fault::Status {
            status: 503,
            body: None,
        },
    ))
    .expect("fault");
    let b = json_of(
        create_post(&sb, &t, &post_body(&urn(creator()), "faulted")).await,
        503,
    )
    .await;
    assert_eq!(b["status"], 503);
    assert!(b["message"].is_string());
    assert!(sb.received(Some("linkedin")).is_empty(), "not run");

    sb.inject_fault(FaultSpec::new(
        None,
        "/linkedin/rest/*",
        Fault::RateLimit {
            reset_after_secs: 60,
            limit: None,
        },
    ))
    .expect("fault");
    let b = json_of(
        create_post(&sb, &t, &post_body(&urn(creator()), "throttled")).await,
        429,
    )
    .await;
    assert_eq!(b["serviceErrorCode"], 101);
    assert!(b.get("code").is_none(), "{b}");

    // reset_mid_body: the post is created but the client sees a broken response.
    sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/linkedin/rest/socialActions/*",
        Fault::ResetMidBody,
    ))
    .expect("fault");
    let post = restli_id(&create_post(&sb, &t, &post_body(&urn(creator()), "kept")).await);
    let result = async {
        let resp = rest(
            &sb,
            Method::POST,
            &format!("/rest/socialActions/{}/comments", enc(&post)),
            &t,
        )
        .json(&json!({ "actor": urn(creator()), "message": { "text": "cut" } }))
        .send()
        .await?;
        resp.bytes().await
    }
    .await;
    assert!(result.is_err(), "the body was cut");
    assert_eq!(
        sb.received(Some("linkedin")).len(),
        2,
        "side effect happened"
    );

    // Timeout on the token endpoint.
    sb.inject_fault(FaultSpec::new(
        None,
        "/linkedin/oauth/v2/accessToken",
        Fault::Timeout,
    ))
    .expect("fault");
    let c = code(&sb, SCOPES).await;
    let resp = http()
        .post(li(&sb, "/oauth/v2/accessToken"))
        .timeout(Duration::from_millis(500))
        .form(&[("grant_type", "authorization_code"), ("code", c.as_str())])
        .send()
        .await;
    assert!(resp.is_err(), "timed out");
    // The request log shows LinkedIn requests without secrets.
    let log = sb.requests(Some("linkedin"));
    assert!(log.iter().any(|r| r.fault.as_deref() == Some("status")));
    let authorize = log
        .iter()
        .find(|r| r.path == "/linkedin/oauth/v2/authorization")
        .expect("authorize logged");
    let q = authorize.query.as_deref().unwrap_or_default();
    assert!(q.contains("state=%5Bredacted%5D"), "{q}");
    assert!(!q.contains("st4te"), "{q}");
}

#[tokio::test]
async fn linkedin_state_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("state.json");
    let config = SandboxConfig {
        state_file: Some(file.clone()),
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    };
    let sb = start(config.clone()).await.expect("start");
    sb.update_platform_settings("linkedin", json!({ "partner_mode": true }))
        .expect("settings");
    let tokens = login(&sb, SCOPES).await;
    let at = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rt = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let image = upload_image(&sb, &at, &urn(creator()), png(10, 10)).await;
    let post =
        restli_id(&create_post(&sb, &at, &post_body(&urn(creator()), "persisted post")).await);
    sb.shutdown().await.expect("shutdown");
    let saved = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(saved.contains("persisted post"));

    let sb = start(config).await.expect("restart");
    assert_eq!(
        sb.platform_settings("linkedin").expect("settings")["partner_mode"],
        true
    );
    let received = sb.received(Some("linkedin"));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].remote_id, post);
    // The token still works; the image is still usable; the post can be deleted.
    let resp = create_post(&sb, &at, &media_post(&urn(creator()), &image)).await;
    assert_eq!(resp.status(), 201);
    let resp = rest(
        &sb,
        Method::DELETE,
        &format!("/rest/posts/{}", enc(&post)),
        &at,
    )
    .send()
    .await
    .expect("delete");
    assert_eq!(resp.status(), 204);
    assert!(sb.received(Some("linkedin"))[0].deleted);
    let resp = token_request(
        &sb,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
            (
                "client_id",
                creatorflow_sandbox::platforms::linkedin::LINKEDIN_CLIENT_ID,
            ),
            (
                "client_secret",
                creatorflow_sandbox::platforms::linkedin::LINKEDIN_CLIENT_SECRET,
            ),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn status_page_and_control_api_list_linkedin() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    create_post(
        &sb,
        &t,
        &post_body(&urn(creator()), r"\<b\>bold\</b\> move"),
    )
    .await;
    let html = http()
        .get(sb.base_url().as_str())
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(html.contains("LinkedIn"));
    assert!(html.contains("sandbox-creator"));
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt; move"));
    assert!(!html.contains("<b>bold</b>"));
    let platforms: Value = http()
        .get(format!("{}_sandbox/platforms", sb.base_url()))
        .send()
        .await
        .expect("platforms")
        .json()
        .await
        .expect("json");
    let li_entry = platforms
        .as_array()
        .and_then(|a| a.iter().find(|p| p["id"] == "linkedin"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(li_entry["prefix"], "/linkedin");
    let accounts = sb.accounts(Some("linkedin")).expect("accounts");
    assert_eq!(accounts.len(), 2);
    assert!(accounts.iter().any(|a| a.id == creator() && a.connected));
    let clients = sb.clients("linkedin").expect("clients");
    assert_eq!(clients.len(), 2);
    // Unknown settings are refused.
    assert!(
        sb.update_platform_settings("linkedin", json!({ "nope": 1 }))
            .is_err()
    );
}
