//! Fault injection over real HTTP: every fault kind, counts, matching, control API.

mod common;

use std::time::{Duration, Instant};

use common::*;
use creatorflow_sandbox::{Fault, FaultSpec};
use serde_json::{Value, json};

fn control(sb: &creatorflow_sandbox::SandboxHandle, path: &str) -> String {
    format!("{}_sandbox{path}", sb.base_url())
}

#[tokio::test]
async fn status_fault_uses_the_platform_shape_and_counts_down() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let resp = http()
        .post(control(&sb, "/faults"))
        .json(
            &json!({ "method": "POST", "path": "/x/2/tweets", "count": 2,
                       "fault": { "kind": "status", "status": 503 } }),
        )
        .send()
        .await
        .expect("inject");
    assert_eq!(resp.status(), 201);
    for _ in 0..2 {
        let resp = post_tweet(&sb, &t, json!({ "text": "x" })).await;
        assert_eq!(resp.status(), 503);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .contains("problem+json")
        );
        let body: Value = resp.json().await.expect("json");
        assert_eq!(body["status"], 503);
        assert_eq!(body["title"], "Service Unavailable");
    }
    assert!(sb.received(Some("x")).is_empty(), "the handler did not run");
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": "x" })).await.status(),
        201
    );
    // The log marks the faulted requests.
    let log = sb.requests(Some("x"));
    assert_eq!(
        log.iter()
            .filter(|r| r.fault.as_deref() == Some("status"))
            .count(),
        2
    );
}

#[tokio::test]
async fn status_fault_with_custom_body_and_method_filter() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    sb.inject_fault(FaultSpec::new(
        Some("GET"),
        "/x/2/users/me",
        Fault::Status {
            status: 502,
            body: Some(json!("<html>Bad gateway</html>")),
        },
    ))
    .expect("inject");
    // A POST does not match.
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": "y" })).await.status(),
        201
    );
    let resp = http()
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("me");
    assert_eq!(resp.status(), 502);
    assert_eq!(
        resp.text().await.unwrap_or_default(),
        "<html>Bad gateway</html>"
    );
    assert!(sb.faults().is_empty());
}

#[tokio::test]
async fn rate_limit_fault_sends_x_headers() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    sb.inject_fault(FaultSpec::new(
        None,
        "/x/2/*",
        Fault::RateLimit {
            reset_after_secs: 60,
            limit: None,
        },
    ))
    .expect("inject");
    let now = sb.clock().now_epoch;
    let resp = post_tweet(&sb, &t, json!({ "text": "z" })).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["x-rate-limit-remaining"], "0");
    assert_eq!(resp.headers()["x-rate-limit-limit"], "100");
    let reset: i64 = resp.headers()["x-rate-limit-reset"]
        .to_str()
        .unwrap_or_default()
        .parse()
        .expect("int");
    assert!((now + 59..=now + 61).contains(&reset));
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["title"], "Too Many Requests");
}

#[tokio::test]
async fn delay_fault_then_serves_normally() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/x/2/tweets",
        Fault::Delay { ms: 400 },
    ))
    .expect("inject");
    let started = Instant::now();
    let resp = post_tweet(&sb, &t, json!({ "text": "slow" })).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(resp.status(), 201);
    assert_eq!(sb.received(Some("x")).len(), 1);
}

#[tokio::test]
async fn reset_mid_body_breaks_the_body_but_the_post_exists() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/x/2/tweets",
        Fault::ResetMidBody,
    ))
    .expect("inject");
    let resp = post_tweet(&sb, &t, json!({ "text": "cut" })).await;
    assert_eq!(resp.status(), 201, "headers arrive");
    let body = resp.bytes().await;
    assert!(body.is_err(), "the body must fail: {body:?}");
    // The side effect happened: a client must reconcile, not blindly retry.
    assert_eq!(sb.received(Some("x")).len(), 1);
    // The next request is served normally (new connection).
    assert_eq!(
        post_tweet(&sb, &t, json!({ "text": "after" }))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn timeout_fault_never_answers() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    sb.inject_fault(FaultSpec::new(None, "/x/2/tweets", Fault::Timeout))
        .expect("inject");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(700))
        .build()
        .expect("client");
    let err = client
        .post(x(&sb, "/2/tweets"))
        .bearer_auth(&t)
        .json(&json!({ "text": "never" }))
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err}");
    assert!(sb.received(Some("x")).is_empty(), "the handler did not run");
    // The held request shows in the log without a status.
    let held = sb
        .requests(Some("x"))
        .into_iter()
        .find(|r| r.fault.as_deref() == Some("timeout"));
    assert_eq!(held.map(|r| r.status), Some(None));
    // Shutdown releases held requests quickly.
    let started = Instant::now();
    sb.shutdown().await.expect("shutdown");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn fault_control_api() {
    let sb = sandbox().await;
    let c = http();
    for bad in [
        json!({ "path": "no-slash", "fault": { "kind": "timeout" } }),
        json!({ "path": "/x", "count": 0, "fault": { "kind": "timeout" } }),
        json!({ "path": "/x", "fault": { "kind": "status", "status": 1000 } }),
        json!({ "path": "/x", "fault": { "kind": "explode" } }),
        json!({ "fault": { "kind": "timeout" } }),
    ] {
        let resp = c
            .post(control(&sb, "/faults"))
            .json(&bad)
            .send()
            .await
            .expect("inject");
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.expect("json");
        assert!(body["error"].is_string());
    }
    c.post(control(&sb, "/faults"))
        .json(&json!({ "path": "/x/2/media/*", "count": 3, "fault": { "kind": "delay", "ms": 1 } }))
        .send()
        .await
        .expect("inject");
    let list: Value = c
        .get(control(&sb, "/faults"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["remaining"], 3);
    assert_eq!(list[0]["path"], "/x/2/media/*");
    let cleared: Value = c
        .delete(control(&sb, "/faults"))
        .send()
        .await
        .expect("clear")
        .json()
        .await
        .expect("json");
    assert_eq!(cleared["cleared"], 1);
    assert!(sb.faults().is_empty());
}

#[tokio::test]
async fn a_rule_with_a_chance_hits_about_that_share_and_passes_the_rest_on() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let inject = |body: Value| {
        let url = control(&sb, "/faults");
        async move { http().post(url).json(&body).send().await.expect("inject") }
    };
    for bad in [0.0, 1.5, -0.2] {
        let resp = inject(json!({ "path": "/x/2/tweets", "chance": bad,
                                  "fault": { "kind": "status", "status": 503 } }))
        .await;
        assert_eq!(resp.status(), 400, "chance {bad} is refused");
    }
    // 30 % get a 503, a rule after it catches a share of the rest with a 502.
    let resp = inject(
        json!({ "method": "POST", "path": "/x/2/*", "count": 10_000, "chance": 0.3,
                              "fault": { "kind": "status", "status": 503 } }),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let resp = inject(
        json!({ "method": "POST", "path": "/x/2/*", "count": 10_000, "chance": 0.5,
                              "fault": { "kind": "status", "status": 502 } }),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let (mut s503, mut s502, mut ok) = (0, 0, 0);
    // 200 creates: X's 100 per 15 minutes is not reached by the served ones.
    for i in 0..200 {
        match post_tweet(&sb, &t, json!({ "text": format!("chance {i}") }))
            .await
            .status()
            .as_u16()
        {
            503 => s503 += 1,
            502 => s502 += 1,
            201 => ok += 1,
            other => panic!("unexpected {other}"),
        }
    }
    // Expected 60 / 70 / 70; the bounds are five standard deviations wide.
    assert!((28..=92).contains(&s503), "503: {s503}");
    assert!((37..=103).contains(&s502), "502: {s502}");
    assert!((37..=100).contains(&ok), "served: {ok}");
    assert_eq!(
        sb.received(Some("x")).len(),
        ok,
        "only served ones were created"
    );
}
