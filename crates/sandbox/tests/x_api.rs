//! X API v2 (posts, users/me, auth, rate limits) over real HTTP, from
//! docs/platforms/x.md §2–§7 and §8.

mod common;

use common::*;
use creatorflow_sandbox::QuotaSpec;
use serde_json::{Value, json};

async fn problem(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string() && body["type"].is_string() && body["detail"].is_string());
    body
}

#[tokio::test]
async fn create_post_and_see_it_received() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let resp = post_tweet(&sb, &t, json!({ "text": "Hello from the sandbox" })).await;
    assert_eq!(resp.status(), 201);
    for h in [
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
    ] {
        assert!(resp.headers().contains_key(h), "{h}");
    }
    assert_eq!(resp.headers()["x-rate-limit-limit"], "100");
    assert_eq!(resp.headers()["x-rate-limit-remaining"], "99");
    let body: Value = resp.json().await.expect("json");
    let id = body["data"]["id"].as_str().expect("id").to_string();
    assert!(
        id.len() >= 18 && id.bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(body["data"]["text"], "Hello from the sandbox");
    assert_eq!(body["data"]["edit_history_tweet_ids"], json!([id]));
    let received = sb.received(Some("x"));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].remote_id, id);
    assert_eq!(received[0].account_id, creator_id());
    assert_eq!(received[0].username, "sandbox_creator");
    assert_eq!(received[0].text, "Hello from the sandbox");
    assert!(!received[0].deleted);
    // And over the control API.
    let list: Value = http()
        .get(format!("{}_sandbox/received?platform=x", sb.base_url()))
        .send()
        .await
        .expect("received")
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["remote_id"], id.as_str());
}

#[tokio::test]
async fn bearer_missing_unknown_expired_revoked() {
    let sb = sandbox().await;
    let resp = http()
        .post(x(&sb, "/2/tweets"))
        .json(&json!({ "text": "hi" }))
        .send()
        .await
        .expect("req");
    let body = problem(resp, 401).await;
    assert_eq!(body["title"], "Unauthorized");
    problem(
        post_tweet(&sb, "not-a-token", json!({ "text": "hi" })).await,
        401,
    )
    .await;

    let t = token(&sb).await;
    sb.advance_clock(7201);
    problem(post_tweet(&sb, &t, json!({ "text": "hi" })).await, 401).await;

    let t = token(&sb).await;
    let r = sb.revoke_account("x", creator_id()).expect("revoke");
    assert!(r.revoked_tokens >= 2);
    problem(post_tweet(&sb, &t, json!({ "text": "hi" })).await, 401).await;
    assert!(sb.received(Some("x")).is_empty());
}

#[tokio::test]
async fn missing_scope_is_403() {
    let sb = sandbox().await;
    let t = login(&sb, "tweet.read users.read").await;
    let at = t["access_token"].as_str().unwrap_or_default();
    let body = problem(post_tweet(&sb, at, json!({ "text": "hi" })).await, 403).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("tweet.write")
    );
    // users/me only needs tweet.read + users.read.
    let resp = http()
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(at)
        .send()
        .await
        .expect("me");
    assert_eq!(resp.status(), 200);
    // Media needs media.write.
    let resp = http()
        .post(x(&sb, "/2/media/upload/initialize"))
        .bearer_auth(at)
        .json(&json!({ "media_type": "video/mp4", "total_bytes": 10 }))
        .send()
        .await
        .expect("init");
    problem(resp, 403).await;
}

#[tokio::test]
async fn body_validation() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let cases = [
        json!({ "text": "hi", "unknown": 1 }),
        json!({}),
        json!({ "text": "" }),
        json!({ "text": 5 }),
        json!({ "text": "hi", "reply": { "in_reply_to_tweet_id": "abc" } }),
        json!({ "text": "hi", "reply": { "in_reply_to_tweet_id": "1", "extra": true } }),
        json!({ "text": "hi", "media": { "media_ids": [] } }),
        json!({ "text": "hi", "media": { "media_ids": ["1", "2", "3", "4", "5"] } }),
        json!({ "text": "hi", "poll": { "options": ["a"], "duration_minutes": 10 } }),
        json!({ "text": "hi", "poll": { "options": ["a", "b"], "duration_minutes": 1 } }),
        json!({ "text": "hi", "reply_settings": "everyone" }),
        json!({ "text": "hi", "quote_tweet_id": "1", "poll": { "options": ["a", "b"], "duration_minutes": 10 } }),
        json!([1, 2]),
    ];
    for body in cases {
        let resp = post_tweet(&sb, &t, body.clone()).await;
        let p = problem(resp, 400).await;
        assert_eq!(
            p["type"], "https://api.x.com/2/problems/invalid-request",
            "{body}"
        );
        assert!(p["errors"][0]["message"].is_string(), "{body}");
    }
    let resp = http()
        .post(x(&sb, "/2/tweets"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("req");
    problem(resp, 400).await;
    assert!(sb.received(Some("x")).is_empty());
}

#[tokio::test]
async fn weighted_length_limit() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    // 280 ASCII: ok; 281: too long.
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": "a".repeat(280) }))
            .await
            .status(),
        201
    );
    problem(
        post_tweet(&sb, &t, json!({ "text": "b".repeat(281) })).await,
        400,
    )
    .await;
    // CJK weighs 2: 140 fit, 141 do not.
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": "字".repeat(140) }))
            .await
            .status(),
        201
    );
    problem(
        post_tweet(&sb, &t, json!({ "text": "字".repeat(141) })).await,
        400,
    )
    .await;
    // Emoji (even a ZWJ family) weigh 2.
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": "👨‍👩‍👧".repeat(140) }))
            .await
            .status(),
        201
    );
    problem(
        post_tweet(&sb, &t, json!({ "text": "😀".repeat(141) })).await,
        400,
    )
    .await;
    // A long URL counts 23: 257 + 23 = 280 fits even though it has 300+ characters.
    let url = format!("https://example.com/{}", "p".repeat(80));
    let text = format!("{} {url}", "c".repeat(256));
    assert!(text.chars().count() > 280);
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": text })).await.status(),
        201
    );
    let text = format!("{} {url}", "d".repeat(257));
    problem(post_tweet(&sb, &t, json!({ "text": text })).await, 400).await;
    // The limit is a setting.
    sb.update_platform_settings("x", json!({ "max_weighted_length": 10 }))
        .expect("settings");
    problem(
        post_tweet(&sb, &t, json!({ "text": "e".repeat(11) })).await,
        400,
    )
    .await;
}

#[tokio::test]
async fn duplicate_text_is_403() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": "same" }))
            .await
            .status(),
        201
    );
    let body = problem(post_tweet(&sb, &t, json!({ "text": "same" })).await, 403).await;
    assert_eq!(
        body["detail"],
        "You are not allowed to create a Tweet with duplicate content."
    );
    assert_eq!(sb.received(Some("x")).len(), 1);
}

#[tokio::test]
async fn replies_need_an_existing_post() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let resp = post_tweet(
        &sb,
        &t,
        json!({ "text": "reply", "reply": { "in_reply_to_tweet_id": "1234567890" } }),
    )
    .await;
    assert_eq!(resp.status(), 403);
    let parent: Value = post_tweet(&sb, &t, json!({ "text": "thread 1/2" }))
        .await
        .json()
        .await
        .expect("json");
    let pid = parent["data"]["id"].as_str().expect("id");
    let resp = post_tweet(
        &sb,
        &t,
        json!({ "text": "thread 2/2", "reply": { "in_reply_to_tweet_id": pid, "auto_populate_reply_metadata": true } }),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let received = sb.received(Some("x"));
    assert_eq!(received[1].reply_to.as_deref(), Some(pid));
}

#[tokio::test]
async fn delete_post() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let created: Value = post_tweet(&sb, &t, json!({ "text": "to delete" }))
        .await
        .json()
        .await
        .expect("json");
    let id = created["data"]["id"].as_str().expect("id");
    let resp = http()
        .delete(x(&sb, &format!("/2/tweets/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-rate-limit-limit"], "50");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body, json!({ "data": { "deleted": true } }));
    assert!(sb.received(Some("x"))[0].deleted);
    // Gone now; a bad id is a 400.
    let resp = http()
        .delete(x(&sb, &format!("/2/tweets/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .expect("delete");
    problem(resp, 404).await;
    let resp = http()
        .delete(x(&sb, "/2/tweets/abc"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("delete");
    problem(resp, 400).await;
    // The same text can be posted again once the first is deleted.
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": "to delete" }))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn users_me_fields() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let resp = http()
        .get(x(
            &sb,
            "/2/users/me?user.fields=profile_image_url,created_at,public_metrics",
        ))
        .bearer_auth(&t)
        .send()
        .await
        .expect("me");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-rate-limit-limit"], "75");
    let body: Value = resp.json().await.expect("json");
    let img = body["data"]["profile_image_url"]
        .as_str()
        .expect("image url");
    assert!(img.starts_with(sb.base_url().as_str()), "{img}");
    let svg = http().get(img).send().await.expect("avatar");
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap_or_default().starts_with("<svg"));
    assert!(body["data"]["public_metrics"]["followers_count"].is_number());
    // Without user.fields: only id, name, username.
    let body: Value = http()
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(body["data"].as_object().map(|o| o.len()), Some(3));
    assert_eq!(body["data"]["name"], "Sandbox Creator");
    let resp = http()
        .get(x(&sb, "/2/users/me?user.fields=shoe_size"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("me");
    problem(resp, 400).await;
}

#[tokio::test]
async fn rate_limit_window_and_429() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    sb.set_quota(QuotaSpec {
        platform: "x".into(),
        name: "POST /2/tweets".into(),
        limit: 2,
        window_secs: Some(900),
        daily_utc: false,
    })
    .expect("quota");
    let now = sb.clock().now_epoch;
    for i in 0..2 {
        let resp = post_tweet(&sb, &t, json!({ "text": format!("post {i}") })).await;
        assert_eq!(resp.status(), 201);
        assert_eq!(
            resp.headers()["x-rate-limit-remaining"],
            (1 - i).to_string().as_str()
        );
    }
    let resp = post_tweet(&sb, &t, json!({ "text": "post 3" })).await;
    assert_eq!(resp.headers()["x-rate-limit-limit"], "2");
    assert_eq!(resp.headers()["x-rate-limit-remaining"], "0");
    let reset: i64 = resp.headers()["x-rate-limit-reset"]
        .to_str()
        .unwrap_or_default()
        .parse()
        .expect("epoch seconds");
    assert!((now + 899..=now + 901).contains(&reset), "{reset} vs {now}");
    let body = problem(resp, 429).await;
    assert_eq!(body["title"], "Too Many Requests");
    // Other endpoints have their own windows.
    let resp = http()
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("me");
    assert_eq!(resp.status(), 200);
    // After the window the user can post again.
    sb.advance_clock(901);
    let t = token(&sb).await;
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": "post 4" }))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn default_limit_is_100_per_15_minutes() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    for i in 0..100 {
        let resp = post_tweet(&sb, &t, json!({ "text": format!("n{i}") })).await;
        assert_eq!(resp.status(), 201, "post {i}");
    }
    problem(post_tweet(&sb, &t, json!({ "text": "n100" })).await, 429).await;
}

#[tokio::test]
async fn unknown_paths_and_methods_use_the_x_error_shape() {
    let sb = sandbox().await;
    let resp = http()
        .get(x(&sb, "/2/nothing-here"))
        .send()
        .await
        .expect("req");
    problem(resp, 404).await;
    let resp = http().put(x(&sb, "/2/tweets")).send().await.expect("req");
    problem(resp, 405).await;
}
