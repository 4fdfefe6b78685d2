//! TikTok upload URL, status/fetch state machine, faults, received posts, status
//! page and persistence, over real HTTP.
//! Written from docs/platforms/tiktok.md §6, §8 and §11.

mod tiktok_support;

use creatorflow_sandbox::{ConsentMode, Fault, FaultSpec, SandboxConfig, start};
use serde_json::{Value, json};
use tiktok_support::*;

const VIDEO_INIT: &str = "/v2/post/publish/video/init/";

/// The public creator posts in most of these tests: only an audited client may (the
/// default client is unaudited, docs/platforms/tiktok.md §4.3).
fn audited(sb: &creatorflow_sandbox::SandboxHandle) {
    settings(sb, json!({ "audited": true }));
}

/// Lowers the 5 MB chunk minimum so a whole chunked upload stays small.
fn small_chunks(sb: &creatorflow_sandbox::SandboxHandle) {
    settings(
        sb,
        json!({ "min_chunk_size": 1000, "max_chunk_size": 4000, "max_final_chunk_size": 8000 }),
    );
}

/// Inits a 10,000-byte direct post in 3 chunks (3000, 3000, 4000).
async fn init_small(
    sb: &creatorflow_sandbox::SandboxHandle,
    token: &str,
    privacy: &str,
) -> (String, String) {
    let (s, b) = api_post(sb, token, VIDEO_INIT, &video_body(privacy, 10_000, 3000, 3)).await;
    assert_eq!(s, 200, "{b}");
    let d = assert_ok(&b);
    (
        d["publish_id"].as_str().unwrap_or_default().to_string(),
        d["upload_url"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn chunked_upload_end_to_end_with_status_progression() {
    let sb = sandbox().await;
    audited(&sb);
    small_chunks(&sb);
    let t = token(&sb);
    let (id, url) = init_small(&sb, &t, "PUBLIC_TO_EVERYONE").await;
    assert!(url.contains("/tiktok/upload/video/?upload_id="));
    let data = mp4(10_000);

    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "PROCESSING_UPLOAD");
    assert_eq!(d["uploaded_bytes"], 0);

    let resp = put_chunk(&url, data[..3000].to_vec(), 0, 10_000, "video/mp4").await;
    assert_eq!(resp.status(), 206);
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "PROCESSING_UPLOAD");
    assert_eq!(d["uploaded_bytes"], 3000);
    let resp = put_chunk(&url, data[3000..6000].to_vec(), 3000, 10_000, "video/mp4").await;
    assert_eq!(resp.status(), 206);
    assert!(
        sb.received(Some("tiktok")).is_empty(),
        "not received before the last chunk"
    );
    // The last chunk absorbs the remainder (4000 bytes).
    let resp = put_chunk(&url, data[6000..].to_vec(), 6000, 10_000, "video/mp4").await;
    assert_eq!(resp.status(), 201);

    // Received: caption, account, size and SHA-256 of the bytes (never the bytes).
    let received = sb.received(Some("tiktok"));
    assert_eq!(received.len(), 1);
    let post = &received[0];
    assert_eq!(post.remote_id, id);
    assert_eq!(post.account_id, public_id());
    assert_eq!(post.username, "sandbox.creator");
    assert_eq!(post.text, "sandbox video #test");
    assert_eq!(post.media.len(), 1);
    assert_eq!(post.media[0].kind, "video");
    assert_eq!(post.media[0].mime, "video/mp4");
    assert_eq!(post.media[0].size, 10_000);
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
    assert_eq!(post.extra["privacy_level"], "PUBLIC_TO_EVERYONE");
    assert_eq!(post.extra["post_info"]["video_cover_timestamp_ms"], 1000);

    // One poll still processing, then complete; the post id comes one poll later.
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "PROCESSING_UPLOAD");
    assert_eq!(d["uploaded_bytes"], 10_000);
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "PUBLISH_COMPLETE");
    assert_eq!(d["publicaly_available_post_id"], json!([]));
    assert!(d.get("fail_reason").is_none());
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "PUBLISH_COMPLETE");
    let ids = d["publicaly_available_post_id"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(ids.len(), 1);
    let post_id = ids[0].as_u64().expect("an int64 post id");
    assert!(i64::try_from(post_id).is_ok());
    let post = &sb.received(Some("tiktok"))[0];
    assert_eq!(post.extra["status"], "PUBLISH_COMPLETE");
    assert_eq!(post.extra["post_id"], post_id.to_string());
    assert_eq!(
        post.extra["post_url"],
        format!("https://www.tiktok.com/@sandbox.creator/video/{post_id}")
    );

    // Another user's token cannot read this publish.
    let other = token_for(&sb, private_id(), &["video.publish"]);
    let (s, b) = api_post(
        &sb,
        &other,
        "/v2/post/publish/status/fetch/",
        &json!({ "publish_id": id }),
    )
    .await;
    assert_eq!(s, 400);
    assert_error(&b, "invalid_params");
}

#[tokio::test]
async fn default_limits_are_decimal_on_the_upload_url() {
    // Default settings (decimal MB, unaudited): the private creator posts SELF_ONLY.
    let sb = sandbox().await;
    let t = token_for(&sb, private_id(), &["video.publish"]);
    // 10,000,001 B in chunks of 5 MB = 5,000,000 B: 2 chunks, the last 5,000,001 B.
    let size = 10_000_001u64;
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &video_body("SELF_ONLY", size, 5_000_000, 2),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let d = assert_ok(&b);
    let id = d["publish_id"].as_str().unwrap_or_default().to_string();
    let url = d["upload_url"].as_str().unwrap_or_default().to_string();
    let data = mp4(size as usize);
    // A first chunk of 5 MiB is not the announced chunk size (refused on its
    // Content-Range, before any body is read).
    let resp = http()
        .put(&url)
        .header("content-type", "video/mp4")
        .header(
            "content-range",
            format!("bytes 0-{}/{size}", 5 * 1024 * 1024 - 1),
        )
        .body(data[..16].to_vec())
        .send()
        .await
        .expect("PUT");
    assert_eq!(resp.status(), 400);
    assert_error(&resp.json().await.expect("json"), "invalid_file_upload");
    let resp = put_chunk(&url, data[..5_000_000].to_vec(), 0, size, "video/mp4").await;
    assert_eq!(resp.status(), 206);
    let resp = put_chunk(
        &url,
        data[5_000_000..].to_vec(),
        5_000_000,
        size,
        "video/mp4",
    )
    .await;
    assert_eq!(resp.status(), 201);
    assert_eq!(fetch_status(&sb, &t, &id).await["uploaded_bytes"], size);
    let received = sb.received(Some("tiktok"));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].media[0].size, size);
    assert_eq!(
        received[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
}

#[tokio::test]
async fn post_id_delay_in_emulated_seconds_and_none_for_self_only() {
    let sb = sandbox().await;
    audited(&sb);
    settings(
        &sb,
        json!({ "processing_polls": 0, "post_id_delay_polls": 0, "post_id_delay_secs": 300 }),
    );
    let t = token(&sb);
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body("PUBLIC_TO_EVERYONE", &format!("{VERIFIED}a.mp4")),
    )
    .await;
    assert_eq!(s, 200);
    let public_id_ = assert_ok(&b)["publish_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body("SELF_ONLY", &format!("{VERIFIED}b.mp4")),
    )
    .await;
    assert_eq!(s, 200);
    let private_post = assert_ok(&b)["publish_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    let d = fetch_status(&sb, &t, &public_id_).await;
    assert_eq!(d["status"], "PUBLISH_COMPLETE");
    assert_eq!(d["downloaded_bytes"], 10 * 1024 * 1024);
    assert_eq!(d["publicaly_available_post_id"], json!([]));
    sb.advance_clock(290);
    let d = fetch_status(&sb, &t, &public_id_).await;
    assert_eq!(d["publicaly_available_post_id"], json!([]));
    sb.advance_clock(11);
    let t = token(&sb);
    let d = fetch_status(&sb, &t, &public_id_).await;
    assert_eq!(
        d["publicaly_available_post_id"].as_array().map(Vec::len),
        Some(1)
    );
    // A SELF_ONLY post is complete but never publicly available.
    let d = fetch_status(&sb, &t, &private_post).await;
    assert_eq!(d["status"], "PUBLISH_COMPLETE");
    sb.advance_clock(3600);
    let t = token(&sb);
    let d = fetch_status(&sb, &t, &private_post).await;
    assert_eq!(d["publicaly_available_post_id"], json!([]));
}

#[tokio::test]
async fn pulled_video_goes_through_processing_download() {
    let sb = sandbox().await;
    audited(&sb);
    settings(
        &sb,
        json!({ "processing_polls": 3, "pulled_video_size": 4000 }),
    );
    let t = token(&sb);
    let (_, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body("SELF_ONLY", &format!("{VERIFIED}c.mp4")),
    )
    .await;
    let id = assert_ok(&b)["publish_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let d = fetch_status(&sb, &t, &id).await;
        assert_eq!(d["status"], "PROCESSING_DOWNLOAD");
        assert!(d.get("uploaded_bytes").is_none());
        seen.push(d["downloaded_bytes"].as_u64().unwrap_or(0));
    }
    assert_eq!(seen, vec![1000, 2000, 3000], "downloaded_bytes grows");
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "PUBLISH_COMPLETE");
    assert_eq!(d["downloaded_bytes"], 4000);
    // Pulls are received at init (nothing to upload), without a digest.
    let received = sb.received(Some("tiktok"));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].media[0].size, 4000);
    assert!(received[0].media[0].sha256.is_none());
    assert_eq!(
        received[0].extra["urls"],
        json!([format!("{VERIFIED}c.mp4")])
    );
}

#[tokio::test]
async fn injected_fail_reason_ends_in_failed() {
    let sb = sandbox().await;
    audited(&sb);
    small_chunks(&sb);
    settings(
        &sb,
        json!({ "fail_reason": "file_format_check_failed", "processing_polls": 0 }),
    );
    let t = token(&sb);
    let (id, url) = init_small(&sb, &t, "SELF_ONLY").await;
    let data = mp4(10_000);
    for (first, end) in [(0usize, 3000usize), (3000, 6000), (6000, 10_000)] {
        put_chunk(
            &url,
            data[first..end].to_vec(),
            first as u64,
            10_000,
            "video/mp4",
        )
        .await;
    }
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "FAILED");
    assert_eq!(d["fail_reason"], "file_format_check_failed");
    assert_eq!(d["publicaly_available_post_id"], json!([]));
    assert!(
        sb.received(Some("tiktok")).is_empty(),
        "failed posts are not received"
    );
    // Back to normal once the setting is cleared.
    settings(&sb, json!({ "fail_reason": null }));
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body("SELF_ONLY", &format!("{VERIFIED}d.mp4")),
    )
    .await;
    assert_eq!(s, 200);
    let id = assert_ok(&b)["publish_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        fetch_status(&sb, &t, &id).await["status"],
        "PUBLISH_COMPLETE"
    );
}

#[tokio::test]
async fn chunks_must_come_in_order_with_the_right_sizes() {
    let sb = sandbox().await;
    audited(&sb);
    small_chunks(&sb);
    let t = token(&sb);
    let (_, url) = init_small(&sb, &t, "SELF_ONLY").await;
    let data = mp4(10_000);
    let refused = |resp: reqwest::Response, status: u16, why: &'static str| async move {
        assert_eq!(resp.status(), status, "{why}");
        let b: Value = resp.json().await.expect("json");
        assert_error(&b, "invalid_file_upload");
    };
    // Second chunk first: out of order.
    refused(
        put_chunk(&url, data[3000..6000].to_vec(), 3000, 10_000, "video/mp4").await,
        400,
        "out of order",
    )
    .await;
    // A chunk of the wrong size.
    refused(
        put_chunk(&url, data[..2000].to_vec(), 0, 10_000, "video/mp4").await,
        400,
        "short chunk",
    )
    .await;
    refused(
        put_chunk(&url, data[..3500].to_vec(), 0, 10_000, "video/mp4").await,
        400,
        "long chunk",
    )
    .await;
    // A wrong total.
    refused(
        put_chunk(&url, data[..3000].to_vec(), 0, 12_000, "video/mp4").await,
        400,
        "wrong total",
    )
    .await;
    // Missing or malformed Content-Range.
    let resp = http()
        .put(&url)
        .header("content-type", "video/mp4")
        .body(data[..3000].to_vec())
        .send()
        .await
        .expect("PUT");
    refused(resp, 400, "no Content-Range").await;
    let resp = http()
        .put(&url)
        .header("content-type", "video/mp4")
        .header("content-range", "bytes 0-2999/*")
        .body(data[..3000].to_vec())
        .send()
        .await
        .expect("PUT");
    refused(resp, 400, "unknown total").await;
    // Content-Range and body disagree.
    let resp = http()
        .put(&url)
        .header("content-type", "video/mp4")
        .header("content-range", "bytes 0-2999/10000")
        .body(data[..2999].to_vec())
        .send()
        .await
        .expect("PUT");
    refused(resp, 400, "body shorter than the range").await;
    // Only video content types.
    let resp = put_chunk(
        &url,
        data[..3000].to_vec(),
        0,
        10_000,
        "application/octet-stream",
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert_error(&resp.json().await.expect("json"), "invalid_file_upload");

    // None of that moved the upload: the right first chunk is still expected.
    assert_eq!(
        put_chunk(&url, data[..3000].to_vec(), 0, 10_000, "video/quicktime")
            .await
            .status(),
        206
    );
    // Re-sending it is out of order now.
    refused(
        put_chunk(&url, data[..3000].to_vec(), 0, 10_000, "video/mp4").await,
        400,
        "repeated chunk",
    )
    .await;
    // The status of refused chunks is a setting (400 or 416).
    settings(&sb, json!({ "chunk_error_status": 416 }));
    refused(
        put_chunk(&url, data[6000..].to_vec(), 6000, 10_000, "video/mp4").await,
        416,
        "416 setting",
    )
    .await;
    assert_eq!(
        put_chunk(&url, data[3000..6000].to_vec(), 3000, 10_000, "video/mp4")
            .await
            .status(),
        206
    );
    assert_eq!(
        put_chunk(&url, data[6000..].to_vec(), 6000, 10_000, "video/mp4")
            .await
            .status(),
        201
    );
    // After the last chunk, nothing more is taken.
    refused(
        put_chunk(&url, data[6000..].to_vec(), 6000, 10_000, "video/mp4").await,
        416,
        "after completion",
    )
    .await;
    let post = &sb.received(Some("tiktok"))[0];
    assert_eq!(
        post.media[0].mime, "video/quicktime",
        "type of the first chunk"
    );
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
}

#[tokio::test]
async fn upload_url_expires_after_an_hour_and_needs_its_token() {
    let sb = sandbox().await;
    audited(&sb);
    small_chunks(&sb);
    let t = token(&sb);
    let (id, url) = init_small(&sb, &t, "SELF_ONLY").await;
    let data = mp4(10_000);
    // Wrong token: unknown upload.
    let mut bad = url::Url::parse(&url).expect("url");
    let pairs: Vec<(String, String)> = bad
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "upload_token" {
                "forged".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    bad.query_pairs_mut().clear().extend_pairs(&pairs);
    let resp = put_chunk(bad.as_str(), data[..3000].to_vec(), 0, 10_000, "video/mp4").await;
    assert_eq!(resp.status(), 404);
    assert_error(&resp.json().await.expect("json"), "invalid_params");
    let no_query = url.split('?').next().unwrap_or_default().to_string();
    let resp = put_chunk(&no_query, data[..3000].to_vec(), 0, 10_000, "video/mp4").await;
    assert_eq!(resp.status(), 400);
    assert_error(&resp.json().await.expect("json"), "invalid_params");

    assert_eq!(
        put_chunk(&url, data[..3000].to_vec(), 0, 10_000, "video/mp4")
            .await
            .status(),
        206
    );
    // (Margins of 10 s of emulated time absorb the real time the requests take.)
    sb.advance_clock(3590);
    let resp = put_chunk(&url, data[3000..6000].to_vec(), 3000, 10_000, "video/mp4").await;
    let st = resp.status();
    assert_eq!(st, 206, "{}", resp.text().await.unwrap_or_default());
    sb.advance_clock(11);
    let resp = put_chunk(&url, data[6000..].to_vec(), 6000, 10_000, "video/mp4").await;
    assert_eq!(resp.status(), 403);
    let b: Value = resp.json().await.expect("json");
    assert!(assert_error(&b, "invalid_params").contains("expired"));
    // The publish ends in FAILED; nothing was received.
    let t = token(&sb);
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "FAILED");
    assert_eq!(d["fail_reason"], "upload_url_expired");
    assert!(sb.received(Some("tiktok")).is_empty());
    // The URL lifetime is a setting.
    settings(&sb, json!({ "upload_url_ttl_secs": 60 }));
    let (_, url) = init_small(&sb, &t, "SELF_ONLY").await;
    sb.advance_clock(61);
    assert_eq!(
        put_chunk(&url, data[..3000].to_vec(), 0, 10_000, "video/mp4")
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn faults_apply_to_tiktok_paths_in_tiktok_shape() {
    let sb = sandbox().await;
    audited(&sb);
    small_chunks(&sb);
    let t = token(&sb);
    sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/tiktok/v2/post/publish/video/init/",
        Fault::Status {
            status: 503,
            body: None,
        },
    ))
    .expect("fault");
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 10_000, 3000, 3),
    )
    .await;
    assert_eq!(s, 503);
    assert_error(&b, "internal_error");
    // A rate_limit fault gives TikTok's 429.
    let resp = http()
        .post(control(&sb, "/faults"))
        .json(&json!({ "path": "/tiktok/v2/post/publish/*", "fault": { "kind": "rate_limit", "reset_after_secs": 60 } }))
        .send()
        .await
        .expect("inject");
    assert_eq!(resp.status(), 201);
    let (s, b) = api_post(&sb, &t, "/v2/post/publish/creator_info/query/", &json!({})).await;
    assert_eq!(s, 429);
    assert_error(&b, "rate_limit_exceeded");
    // Faults on the upload URL: the chunk is not taken, the client can retry it.
    let (id, url) = init_small(&sb, &t, "SELF_ONLY").await;
    sb.inject_fault(FaultSpec::new(
        Some("PUT"),
        "/tiktok/upload/*",
        Fault::Status {
            status: 500,
            body: None,
        },
    ))
    .expect("fault");
    let data = mp4(10_000);
    let resp = put_chunk(&url, data[..3000].to_vec(), 0, 10_000, "video/mp4").await;
    assert_eq!(resp.status(), 500);
    assert_error(&resp.json().await.expect("json"), "internal_error");
    assert_eq!(
        put_chunk(&url, data[..3000].to_vec(), 0, 10_000, "video/mp4")
            .await
            .status(),
        206
    );
    // reset_mid_body: the handler runs (the chunk is taken), the answer is cut.
    sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/tiktok/v2/post/publish/status/fetch/",
        Fault::ResetMidBody,
    ))
    .expect("fault");
    let resp = http()
        .post(tt(&sb, "/v2/post/publish/status/fetch/"))
        .bearer_auth(&t)
        .json(&json!({ "publish_id": id }))
        .send()
        .await;
    let cut = match resp {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(cut, "the body was cut");
    assert_eq!(fetch_status(&sb, &t, &id).await["uploaded_bytes"], 3000);
    // The request log names the platform and the faults, and redacts the upload token.
    let log = sb.requests(Some("tiktok"));
    assert!(log.iter().any(|r| r.fault.as_deref() == Some("status")));
    assert!(log.iter().any(|r| r.fault.as_deref() == Some("rate_limit")));
    let upload = log
        .iter()
        .find(|r| r.path == "/tiktok/upload/video/")
        .expect("upload logged");
    let q = upload.query.clone().unwrap_or_default();
    assert!(
        q.contains("upload_token=%5Bredacted%5D") || q.contains("upload_token=[redacted]"),
        "{q}"
    );
}

#[tokio::test]
async fn status_page_and_platform_list_show_tiktok() {
    let sb = sandbox().await;
    audited(&sb);
    let t = token(&sb);
    let (s, _) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body("SELF_ONLY", &format!("{VERIFIED}<b>.mp4")),
    )
    .await;
    assert_eq!(s, 200);
    let mut body = pull_body("SELF_ONLY", &format!("{VERIFIED}e.mp4"));
    body["post_info"]["title"] = json!("<script>x</script> on TikTok");
    let (s, _) = api_post(&sb, &t, VIDEO_INIT, &body).await;
    assert_eq!(s, 200);
    let html = http()
        .get(sb.base_url().as_str())
        .send()
        .await
        .expect("status page")
        .text()
        .await
        .unwrap_or_default();
    assert!(html.contains("data-testid=\"sandbox-platform-tiktok\""));
    assert!(html.contains("sandbox.creator") && html.contains("sandbox.studio"));
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt; on TikTok"));
    assert!(!html.contains("<script>x</script>"));
    let platforms: Value = http()
        .get(control(&sb, "/platforms"))
        .send()
        .await
        .expect("platforms")
        .json()
        .await
        .expect("json");
    let tiktok = platforms
        .as_array()
        .and_then(|a| a.iter().find(|p| p["id"] == "tiktok").cloned())
        .expect("tiktok listed");
    assert_eq!(tiktok["prefix"], "/tiktok");
    let accounts = sb.accounts(Some("tiktok")).expect("accounts");
    assert_eq!(accounts.len(), 2);
    assert!(accounts.iter().any(|a| a.id == public_id() && a.connected));
    // The avatar is served.
    let resp = http()
        .get(sb.url(&format!("/_sandbox/avatar/tiktok/{}.svg", public_id())))
        .send()
        .await
        .expect("avatar");
    assert_eq!(resp.status(), 200);
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
    audited(&sb);
    small_chunks(&sb);
    settings(
        &sb,
        json!({ "token_profile": "classic", "processing_polls": 0 }),
    );
    let tokens = login(&sb, ALL_SCOPES).await;
    let at = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rt = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // One publish complete, one upload half done.
    let (_, b) = api_post(
        &sb,
        &at,
        VIDEO_INIT,
        &pull_body("PUBLIC_TO_EVERYONE", &format!("{VERIFIED}f.mp4")),
    )
    .await;
    let done = assert_ok(&b)["publish_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        fetch_status(&sb, &at, &done).await["status"],
        "PUBLISH_COMPLETE"
    );
    let (half, url) = init_small(&sb, &at, "SELF_ONLY").await;
    let data = mp4(10_000);
    assert_eq!(
        put_chunk(&url, data[..3000].to_vec(), 0, 10_000, "video/mp4")
            .await
            .status(),
        206
    );
    sb.advance_clock(60);
    sb.shutdown().await.expect("shutdown");

    let sb = start(config).await.expect("restart");
    assert!(sb.clock().offset_secs >= 60);
    // The restarted sandbox listens on another free port: same path and query.
    let old = url::Url::parse(&url).expect("upload url");
    let url = sb
        .url(&format!(
            "{}?{}",
            old.path(),
            old.query().unwrap_or_default()
        ))
        .to_string();
    let s = sb.platform_settings("tiktok").expect("settings");
    assert_eq!(s["token_profile"], "classic");
    assert_eq!(s["audited"], true);
    // Still connected: the token works and the refresh token too.
    let d = fetch_status(&sb, &at, &done).await;
    assert_eq!(
        d["publicaly_available_post_id"].as_array().map(Vec::len),
        Some(1)
    );
    let resp = refresh(&sb, &rt).await;
    assert_eq!(resp.status(), 200);
    // The half-done upload continues where it was.
    let d = fetch_status(&sb, &at, &half).await;
    assert_eq!(d["status"], "PROCESSING_UPLOAD");
    assert_eq!(d["uploaded_bytes"], 3000);
    assert_eq!(
        put_chunk(&url, data[..3000].to_vec(), 0, 10_000, "video/mp4")
            .await
            .status(),
        400,
        "still in order"
    );
    assert_eq!(
        put_chunk(&url, data[3000..6000].to_vec(), 3000, 10_000, "video/mp4")
            .await
            .status(),
        206
    );
    assert_eq!(
        put_chunk(&url, data[6000..].to_vec(), 6000, 10_000, "video/mp4")
            .await
            .status(),
        201
    );
    let received = sb.received(Some("tiktok"));
    assert_eq!(received.len(), 2);
    let resumed = received
        .iter()
        .find(|p| p.remote_id == half)
        .expect("received");
    assert_eq!(resumed.media[0].size, 10_000);
    // The in-order digest is runtime-only: unknown across a restart.
    assert!(resumed.media[0].sha256.is_none());
    sb.shutdown().await.expect("shutdown");
}
