//! Control API, status page, request log, persistence, binding and the binary.

mod common;

use std::io::BufRead as _;
use std::time::Duration;

use common::*;
use creatorflow_sandbox::platforms::x::X_ACCOUNT_STUDIO;
use creatorflow_sandbox::{ConsentMode, SandboxConfig, start};
use serde_json::{Value, json};

fn control(sb: &creatorflow_sandbox::SandboxHandle, path: &str) -> String {
    format!("{}_sandbox{path}", sb.base_url())
}

#[tokio::test]
async fn binds_loopback_only() {
    let sb = sandbox().await;
    assert!(sb.addr().ip().is_loopback());
    assert_eq!(sb.addr().ip().to_string(), "127.0.0.1");
    assert_eq!(sb.base_url().host_str(), Some("127.0.0.1"));
    assert_ne!(sb.addr().port(), 0);
}

#[tokio::test]
async fn clock_control() {
    let sb = sandbox().await;
    let c = http();
    let before: Value = c
        .get(control(&sb, "/clock"))
        .send()
        .await
        .expect("clock")
        .json()
        .await
        .expect("json");
    assert_eq!(before["offset_secs"], 0);
    let after: Value = c
        .post(control(&sb, "/clock/advance"))
        .json(&json!({ "seconds": 3600 }))
        .send()
        .await
        .expect("advance")
        .json()
        .await
        .expect("json");
    assert_eq!(after["offset_secs"], 3600);
    let delta =
        after["now_epoch"].as_i64().unwrap_or(0) - before["now_epoch"].as_i64().unwrap_or(0);
    assert!((3600..=3605).contains(&delta), "{delta}");
    let bad = c
        .post(control(&sb, "/clock/advance"))
        .json(&json!({ "seconds": "soon" }))
        .send()
        .await
        .expect("advance");
    assert_eq!(bad.status(), 400);
    assert!(bad.json::<Value>().await.expect("json")["error"].is_string());
}

#[tokio::test]
async fn accounts_and_revoke() {
    let sb = sandbox().await;
    let c = http();
    let list: Value = c
        .get(control(&sb, "/accounts?platform=x"))
        .send()
        .await
        .expect("accounts")
        .json()
        .await
        .expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(list[0]["connected"], false);
    let _t = token(&sb).await;
    let list: Value = c
        .get(control(&sb, "/accounts?platform=x"))
        .send()
        .await
        .expect("accounts")
        .json()
        .await
        .expect("json");
    let creator = list
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == creator_id()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(creator["connected"], true);
    assert_eq!(creator["live_access_tokens"], 1);
    let resp = c
        .post(control(
            &sb,
            &format!("/accounts/x/{}/revoke", creator_id()),
        ))
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["revoked_tokens"], 2);
    let resp = c
        .post(control(&sb, "/accounts/x/42/revoke"))
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 404);
    let resp = c
        .get(control(&sb, "/accounts?platform=myspace"))
        .send()
        .await
        .expect("accounts");
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn register_a_client_and_use_it() {
    let sb = sandbox().await;
    let c = http();
    let resp = c
        .post(control(&sb, "/clients"))
        .json(&json!({
            "platform": "x", "client_id": "my-app", "name": "My App", "type": "public",
            "redirect_uris": ["http://127.0.0.1:9999/cb"]
        }))
        .send()
        .await
        .expect("register");
    assert_eq!(resp.status(), 201);
    let mut u = url::Url::parse(&x(&sb, "/i/oauth2/authorize")).expect("url");
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", "my-app")
        .append_pair("redirect_uri", "http://127.0.0.1:9999/cb")
        .append_pair("scope", "tweet.read")
        .append_pair("state", "s")
        .append_pair("code_challenge", &s256(VERIFIER))
        .append_pair("code_challenge_method", "S256");
    let resp = c.get(u.as_str()).send().await.expect("authorize");
    assert_eq!(resp.status(), 302);
    let loc = resp.headers()["location"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(loc.starts_with("http://127.0.0.1:9999/cb?"), "{loc}");
    // X matches ports exactly.
    let other_port = u.as_str().replace("9999", "9998");
    assert_eq!(
        c.get(other_port).send().await.expect("authorize").status(),
        400
    );
    // Invalid registrations.
    for bad in [
        json!({ "platform": "x", "client_id": "c", "type": "confidential", "redirect_uris": ["http://127.0.0.1/cb"] }),
        json!({ "platform": "x", "client_id": "c", "type": "public", "redirect_uris": [] }),
        json!({ "platform": "x", "client_id": "c", "type": "public", "redirect_uris": ["not a uri"] }),
        json!({ "platform": "nope", "client_id": "c", "type": "public", "redirect_uris": ["http://127.0.0.1/cb"] }),
    ] {
        let resp = c
            .post(control(&sb, "/clients"))
            .json(&bad)
            .send()
            .await
            .expect("register");
        assert!(resp.status().is_client_error(), "{bad}");
    }
    let list: Value = c
        .get(control(&sb, "/clients?platform=x"))
        .send()
        .await
        .expect("clients")
        .json()
        .await
        .expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn consent_mode_control_picks_the_account() {
    let sb = start(SandboxConfig::default()).await.expect("start");
    let c = http();
    let mode: Value = c
        .get(control(&sb, "/consent"))
        .send()
        .await
        .expect("consent")
        .json()
        .await
        .expect("json");
    assert_eq!(mode, json!({ "mode": "ask" }));
    c.post(control(&sb, "/consent"))
        .json(&json!({ "mode": "approve", "account_id": X_ACCOUNT_STUDIO.0 }))
        .send()
        .await
        .expect("set");
    assert_eq!(
        sb.consent(),
        ConsentMode::Approve {
            account_id: Some(X_ACCOUNT_STUDIO.0.into())
        }
    );
    let tokens = login(&sb, "tweet.read users.read").await;
    let me: Value = c
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(tokens["access_token"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["data"]["username"], "sandbox_studio");
    let bad = c
        .post(control(&sb, "/consent"))
        .json(&json!({ "mode": "maybe" }))
        .send()
        .await
        .expect("set");
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn tokens_quotas_settings_and_reset() {
    let sb = sandbox().await;
    let c = http();
    let resp = c
        .post(control(&sb, "/tokens"))
        .json(&json!({ "platform": "x", "account_id": creator_id() }))
        .send()
        .await
        .expect("tokens");
    assert_eq!(resp.status(), 201);
    let t: Value = resp.json().await.expect("json");
    let at = t["access_token"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        post_tweet(&sb, &at, json!({ "text": "minted" }))
            .await
            .status(),
        201
    );

    let resp = c
        .post(control(&sb, "/quotas"))
        .json(&json!({ "platform": "x", "name": "POST /2/tweets", "limit": 0 }))
        .send()
        .await
        .expect("quota");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        post_tweet(&sb, &at, json!({ "text": "blocked" }))
            .await
            .status(),
        429
    );
    let list: Value = c
        .get(control(&sb, "/quotas"))
        .send()
        .await
        .expect("quotas")
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["name"], "POST /2/tweets");
    let bad = c
        .post(control(&sb, "/quotas"))
        .json(&json!({ "platform": "x", "name": "POST /2/tweets", "limit": 1, "window_secs": -5 }))
        .send()
        .await
        .expect("quota");
    assert_eq!(bad.status(), 400);

    let s: Value = c
        .get(control(&sb, "/settings/x"))
        .send()
        .await
        .expect("settings")
        .json()
        .await
        .expect("json");
    assert_eq!(s["max_weighted_length"], 280);
    let bad = c
        .post(control(&sb, "/settings/x"))
        .json(&json!({ "nope": 1 }))
        .send()
        .await
        .expect("settings");
    assert_eq!(bad.status(), 400);

    let resp = c.post(control(&sb, "/reset")).send().await.expect("reset");
    assert_eq!(resp.status(), 200);
    assert!(sb.received(None).is_empty());
    assert!(sb.quotas().is_empty());
    assert_eq!(
        post_tweet(&sb, &at, json!({ "text": "old token" }))
            .await
            .status(),
        401
    );
    let unknown = c
        .get(control(&sb, "/nothing"))
        .send()
        .await
        .expect("unknown");
    assert_eq!(unknown.status(), 404);
    assert!(unknown.json::<Value>().await.expect("json")["error"].is_string());
}

#[tokio::test]
async fn request_log_has_no_secrets() {
    let sb = sandbox().await;
    let tokens = login(&sb, PUBLISH_SCOPES).await;
    let at = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rt = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    post_tweet(&sb, &at, json!({ "text": "logged" })).await;
    let resp = http()
        .get(format!("{}_sandbox/requests?platform=x", sb.base_url()))
        .send()
        .await
        .expect("log");
    let text = resp.text().await.unwrap_or_default();
    let log: Value = serde_json::from_str(&text).expect("json");
    let paths: Vec<&str> = log
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["path"].as_str()).collect())
        .unwrap_or_default();
    assert!(paths.contains(&"/x/i/oauth2/authorize"));
    assert!(paths.contains(&"/x/2/oauth2/token"));
    assert!(paths.contains(&"/x/2/tweets"));
    let tweet = log
        .as_array()
        .and_then(|a| a.iter().find(|r| r["path"] == "/x/2/tweets"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(tweet["status"], 201);
    assert_eq!(tweet["method"], "POST");
    assert_eq!(tweet["platform"], "x");
    let authorize = log
        .as_array()
        .and_then(|a| a.iter().find(|r| r["path"] == "/x/i/oauth2/authorize"))
        .cloned()
        .unwrap_or_default();
    let q = authorize["query"].as_str().unwrap_or_default();
    assert!(q.contains("client_id=creatorflow-sandbox-x"), "{q}");
    assert!(q.contains("state=%5Bredacted%5D"), "{q}");
    assert!(!q.contains(&s256(VERIFIER)), "{q}");
    for secret in [at.as_str(), rt.as_str(), VERIFIER] {
        assert!(!text.contains(secret), "secret leaked into the log");
    }
}

#[tokio::test]
async fn status_page_lists_accounts_and_escaped_posts() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    post_tweet(
        &sb,
        &t,
        json!({ "text": "<script>alert(1)</script> & first" }),
    )
    .await;
    post_tweet(&sb, &t, json!({ "text": "second post" })).await;
    let resp = http()
        .get(sb.base_url().as_str())
        .send()
        .await
        .expect("page");
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("X (Twitter)"));
    assert!(html.contains("@sandbox_creator"));
    assert!(html.contains("@sandbox_studio"));
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; first"));
    let first = html.find("second post").expect("second");
    let second = html.find("&amp; first").expect("first");
    assert!(first < second, "newest first");
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("state.json");
    let config = SandboxConfig {
        state_file: Some(file.clone()),
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    };
    let sb = start(config.clone()).await.expect("start");
    let tokens = login(&sb, PUBLISH_SCOPES).await;
    let at = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rt = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let created: Value = post_tweet(&sb, &at, json!({ "text": "persisted" }))
        .await
        .json()
        .await
        .expect("json");
    sb.advance_clock(60);
    sb.shutdown().await.expect("shutdown");
    assert!(file.exists());
    let saved = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(saved.contains("persisted"));

    let sb = start(config).await.expect("restart");
    assert!(sb.clock().offset_secs >= 60, "clock offset kept");
    let received = sb.received(Some("x"));
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].remote_id,
        created["data"]["id"].as_str().unwrap_or_default()
    );
    // The account is still connected: the old token works, refresh works.
    let resp = http()
        .get(x(&sb, "/2/users/me"))
        .bearer_auth(&at)
        .send()
        .await
        .expect("me");
    assert_eq!(resp.status(), 200);
    let resp = http()
        .post(x(&sb, "/2/oauth2/token"))
        .form(&[
            ("refresh_token", rt.as_str()),
            ("grant_type", "refresh_token"),
            ("client_id", "creatorflow-sandbox-x"),
        ])
        .send()
        .await
        .expect("refresh");
    assert_eq!(resp.status(), 200);
    // Duplicate detection still knows the old post.
    assert_eq!(
        post_tweet(&sb, &at, json!({ "text": "persisted" }))
            .await
            .status(),
        403
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn state_is_saved_after_changes_without_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("nested").join("state.json");
    let sb = start(SandboxConfig {
        state_file: Some(file.clone()),
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    })
    .await
    .expect("start");
    let t = token(&sb).await;
    post_tweet(&sb, &t, json!({ "text": "debounced save" })).await;
    let mut saved = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if std::fs::read_to_string(&file)
            .unwrap_or_default()
            .contains("debounced save")
        {
            saved = true;
            break;
        }
    }
    assert!(saved, "state written within 5 s");
    // A corrupt file does not stop a later start.
    sb.shutdown().await.expect("shutdown");
    std::fs::write(&file, b"{ not json").expect("write");
    let sb = start(SandboxConfig {
        state_file: Some(file.clone()),
        ..SandboxConfig::default()
    })
    .await
    .expect("start with a corrupt file");
    assert!(sb.received(None).is_empty());
    sb.shutdown().await.expect("shutdown");
}

#[test]
fn binary_prints_its_url_and_serves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("bin-state.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_creatorflow-sandbox"))
        .args(["--port", "0", "--auto-approve", "--state"])
        .arg(&state)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .trim()
        .strip_prefix("CreatorFlow sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let status = rt.block_on(async {
        reqwest::get(format!("{url}/_sandbox/consent"))
            .await
            .expect("request")
            .json::<Value>()
            .await
            .expect("json")
    });
    assert_eq!(status["mode"], "approve");
    rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{url}/_sandbox/clock/advance"))
            .json(&json!({ "seconds": 4242 }))
            .send()
            .await
            .expect("advance")
    });
    // SIGTERM: the binary stops cleanly and saves its state.
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if stopped {
        let status = child.wait().expect("wait");
        assert!(status.success(), "{status:?}");
        let saved: Value =
            serde_json::from_slice(&std::fs::read(&state).expect("state saved")).expect("json");
        assert!(saved["clock_offset_ms"].as_i64().unwrap_or(0) >= 4_242_000);
    } else {
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[test]
fn binary_help() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creatorflow-sandbox"))
        .arg("--help")
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["--port", "--state", "--auto-approve", "127.0.0.1"] {
        assert!(text.contains(word), "{word}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creatorflow-sandbox"))
        .arg("--bogus")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}
