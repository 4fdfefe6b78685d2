//! X v2 media upload over real HTTP, from docs/platforms/x.md §5
//! and the media state machine of §8.

mod common;

use common::*;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

async fn simple_upload(
    sb: &creatorflow_sandbox::SandboxHandle,
    t: &str,
    form: Form,
) -> reqwest::Response {
    http()
        .post(x(sb, "/2/media/upload"))
        .bearer_auth(t)
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn init(sb: &creatorflow_sandbox::SandboxHandle, t: &str, body: Value) -> reqwest::Response {
    http()
        .post(x(sb, "/2/media/upload/initialize"))
        .bearer_auth(t)
        .json(&body)
        .send()
        .await
        .expect("init")
}

async fn append(
    sb: &creatorflow_sandbox::SandboxHandle,
    t: &str,
    id: &str,
    index: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("segment_index", index.to_string())
        .part("media", Part::bytes(bytes).file_name("blob"));
    http()
        .post(x(sb, &format!("/2/media/upload/{id}/append")))
        .bearer_auth(t)
        .multipart(form)
        .send()
        .await
        .expect("append")
}

async fn finalize(sb: &creatorflow_sandbox::SandboxHandle, t: &str, id: &str) -> reqwest::Response {
    http()
        .post(x(sb, &format!("/2/media/upload/{id}/finalize")))
        .bearer_auth(t)
        .send()
        .await
        .expect("finalize")
}

async fn status(sb: &creatorflow_sandbox::SandboxHandle, t: &str, id: &str) -> Value {
    let resp = http()
        .get(x(sb, "/2/media/upload"))
        .query(&[("command", "STATUS"), ("media_id", id)])
        .bearer_auth(t)
        .send()
        .await
        .expect("status");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

async fn json_of(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    resp.json().await.expect("json")
}

#[tokio::test]
async fn simple_image_upload_then_post() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let png = png();
    let form = Form::new().text("media_category", "tweet_image").part(
        "media",
        Part::bytes(png.clone())
            .file_name("a.png")
            .mime_str("image/png")
            .expect("mime"),
    );
    let resp = simple_upload(&sb, &t, form).await;
    assert_eq!(resp.headers()["x-rate-limit-limit"], "500");
    let body = json_of(resp, 200).await;
    let id = body["data"]["id"].as_str().expect("id").to_string();
    assert_eq!(body["data"]["media_key"], format!("3_{id}"));
    assert_eq!(body["data"]["size"], png.len());
    assert_eq!(body["data"]["image"]["image_type"], "image/png");
    assert_eq!(body["data"]["image"]["w"], 1);
    assert!(
        body["data"].get("processing_info").is_none(),
        "images are ready at once"
    );

    let resp = post_tweet(
        &sb,
        &t,
        json!({ "text": "with image", "media": { "media_ids": [id] } }),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let post = &sb.received(Some("x"))[0];
    assert_eq!(post.media.len(), 1);
    assert_eq!(post.media[0].kind, "image");
    assert_eq!(post.media[0].mime, "image/png");
    assert_eq!(post.media[0].size, png.len() as u64);
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&png).as_str())
    );
}

#[tokio::test]
async fn simple_upload_validation() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    // media_category is required.
    let form = Form::new().part("media", Part::bytes(png()).file_name("a.png"));
    assert_eq!(simple_upload(&sb, &t, form).await.status(), 400);
    // Video must use the chunked endpoints.
    let form = Form::new()
        .text("media_category", "tweet_video")
        .part("media", Part::bytes(mp4(100)).file_name("v.mp4"));
    assert_eq!(simple_upload(&sb, &t, form).await.status(), 400);
    // Images are limited to 5 MB.
    let mut big = png();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let form = Form::new()
        .text("media_category", "tweet_image")
        .part("media", Part::bytes(big).file_name("a.png"));
    assert_eq!(simple_upload(&sb, &t, form).await.status(), 400);
    // JSON with base64 works too.
    use base64::Engine as _;
    let resp = http()
        .post(x(&sb, "/2/media/upload"))
        .bearer_auth(&t)
        .json(&json!({
            "media": base64::engine::general_purpose::STANDARD.encode(png()),
            "media_category": "tweet_image"
        }))
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), 200);
    // A GIF uploaded as tweet_gif gets a 16_ key and is processed.
    let gif = b"GIF89a\x02\0\x03\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\0\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;".to_vec();
    let form = Form::new()
        .text("media_category", "tweet_gif")
        .part("media", Part::bytes(gif).file_name("a.gif"));
    let body = json_of(simple_upload(&sb, &t, form).await, 200).await;
    let key = body["data"]["media_key"].as_str().unwrap_or_default();
    assert!(key.starts_with("16_"), "{key}");
    assert_eq!(body["data"]["processing_info"]["state"], "pending");
}

#[tokio::test]
async fn chunked_video_state_machine() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let video = mp4(3 * 1024 * 1024 + 17);
    let resp = init(
        &sb,
        &t,
        json!({ "media_type": "video/mp4", "total_bytes": video.len(), "media_category": "tweet_video" }),
    )
    .await;
    assert_eq!(resp.headers()["x-rate-limit-limit"], "1875");
    let body = json_of(resp, 200).await;
    let id = body["data"]["id"].as_str().expect("id").to_string();
    assert_eq!(body["data"]["media_key"], format!("13_{id}"));
    assert!(body["data"]["expires_after_secs"].as_i64().unwrap_or(0) > 0);

    // Not postable before finalize.
    let resp = post_tweet(
        &sb,
        &t,
        json!({ "text": "early", "media": { "media_ids": [id] } }),
    )
    .await;
    assert_eq!(resp.status(), 400);

    let (a, b) = video.split_at(2 * 1024 * 1024);
    let r = json_of(append(&sb, &t, &id, "0", a.to_vec()).await, 200).await;
    assert!(r["data"]["expires_at"].as_i64().unwrap_or(0) > sb.clock().now_epoch);
    json_of(append(&sb, &t, &id, "1", b.to_vec()).await, 200).await;

    let fin = json_of(finalize(&sb, &t, &id).await, 200).await;
    assert_eq!(fin["data"]["size"], video.len());
    assert_eq!(fin["data"]["processing_info"]["state"], "pending");
    assert_eq!(fin["data"]["processing_info"]["check_after_secs"], 1);

    // Still processing: a post with it is refused.
    let resp = post_tweet(
        &sb,
        &t,
        json!({ "text": "too early", "media": { "media_ids": [id] } }),
    )
    .await;
    assert_eq!(resp.status(), 400);

    // pending -> in_progress (2 polls by default) -> succeeded
    let s1 = status(&sb, &t, &id).await;
    assert_eq!(s1["data"]["processing_info"]["state"], "in_progress");
    assert!(s1["data"]["processing_info"]["check_after_secs"].is_number());
    assert_eq!(s1["data"]["video"]["video_type"], "video/mp4");
    let s2 = status(&sb, &t, &id).await;
    assert_eq!(s2["data"]["processing_info"]["state"], "in_progress");
    let s3 = status(&sb, &t, &id).await;
    assert_eq!(s3["data"]["processing_info"]["state"], "succeeded");
    assert_eq!(s3["data"]["processing_info"]["progress_percent"], 100);

    let resp = post_tweet(
        &sb,
        &t,
        json!({ "text": "video!", "media": { "media_ids": [id] } }),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let post = &sb.received(Some("x"))[0];
    assert_eq!(post.media[0].kind, "video");
    assert_eq!(post.media[0].size, video.len() as u64);
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&video).as_str())
    );
}

#[tokio::test]
async fn processing_can_fail_and_polls_are_configurable() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    sb.update_platform_settings(
        "x",
        json!({ "video_processing_polls": 0, "fail_video_processing": true, "check_after_secs": 5 }),
    )
    .expect("settings");
    let body = json_of(
        init(
            &sb,
            &t,
            json!({ "media_type": "video/mp4", "total_bytes": 10 }),
        )
        .await,
        200,
    )
    .await;
    let id = body["data"]["id"].as_str().expect("id").to_string();
    json_of(append(&sb, &t, &id, "0", mp4(10)).await, 200).await;
    let fin = json_of(finalize(&sb, &t, &id).await, 200).await;
    assert_eq!(fin["data"]["processing_info"]["check_after_secs"], 5);
    let s = status(&sb, &t, &id).await;
    assert_eq!(s["data"]["processing_info"]["state"], "failed");
    assert!(s["data"]["processing_info"]["error"]["message"].is_string());
    let resp = post_tweet(
        &sb,
        &t,
        json!({ "text": "v", "media": { "media_ids": [id] } }),
    )
    .await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn wrong_total_and_segment_rules() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let body = json_of(
        init(
            &sb,
            &t,
            json!({ "media_type": "video/mp4", "total_bytes": 100 }),
        )
        .await,
        200,
    )
    .await;
    let id = body["data"]["id"].as_str().expect("id").to_string();
    // segment_index outside 0..999 and not a number.
    assert_eq!(append(&sb, &t, &id, "1000", mp4(10)).await.status(), 400);
    assert_eq!(append(&sb, &t, &id, "x", mp4(10)).await.status(), 400);
    // A segment over 8 MB.
    assert_eq!(
        append(&sb, &t, &id, "0", mp4(8 * 1024 * 1024 + 1))
            .await
            .status(),
        400
    );
    // Total does not match total_bytes.
    json_of(append(&sb, &t, &id, "0", mp4(60)).await, 200).await;
    let resp = finalize(&sb, &t, &id).await;
    assert_eq!(resp.status(), 400);
    let p: Value = resp.json().await.expect("json");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("total_bytes")
    );
    // A gap in the segments.
    json_of(append(&sb, &t, &id, "2", mp4(40)).await, 200).await;
    assert_eq!(finalize(&sb, &t, &id).await.status(), 400);
    // Filling the gap... segment 1 of 0 bytes is not enough, so resend segment 2 as 1.
    json_of(append(&sb, &t, &id, "1", mp4(40)).await, 200).await;
    // 60 + 40 + 40 = 140 != 100
    assert_eq!(finalize(&sb, &t, &id).await.status(), 400);
    // Unknown session.
    assert_eq!(finalize(&sb, &t, "1234").await.status(), 404);
    // Someone else's session.
    let other = sb
        .issue_tokens(creatorflow_sandbox::TokenRequest {
            platform: "x".into(),
            account_id: creatorflow_sandbox::platforms::x::X_ACCOUNT_STUDIO.0.into(),
            client_id: None,
            scopes: None,
        })
        .expect("tokens");
    assert_eq!(
        append(&sb, &other.access_token, &id, "0", mp4(10))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn initialize_validation() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    let bad = [
        json!({ "media_type": "video/avi", "total_bytes": 10 }),
        json!({ "media_type": "video/mp4" }),
        json!({ "media_type": "video/mp4", "total_bytes": 0 }),
        json!({ "media_type": "video/mp4", "total_bytes": 10, "media_category": "reel" }),
        json!({ "media_type": "video/mp4", "total_bytes": 10, "color": "red" }),
        json!({ "media_type": "image/png", "total_bytes": 10, "media_category": "tweet_video" }),
        json!({ "media_type": "image/png", "total_bytes": 6 * 1024 * 1024, "media_category": "tweet_image" }),
        json!({ "media_type": "video/mp4", "total_bytes": 17_179_869_185u64 }),
    ];
    for body in bad {
        assert_eq!(init(&sb, &t, body.clone()).await.status(), 400, "{body}");
    }
    // A chunked image is ready right after finalize, with no processing_info.
    let png = png();
    let body = json_of(
        init(&sb, &t, json!({ "media_type": "image/png", "total_bytes": png.len(), "media_category": "tweet_image" })).await,
        200,
    )
    .await;
    let id = body["data"]["id"].as_str().expect("id").to_string();
    assert!(
        body["data"]["media_key"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3_")
    );
    json_of(append(&sb, &t, &id, "0", png).await, 200).await;
    let fin = json_of(finalize(&sb, &t, &id).await, 200).await;
    assert!(fin["data"].get("processing_info").is_none());
}

#[tokio::test]
async fn media_mixing_ownership_and_status_errors() {
    let sb = sandbox().await;
    let t = token(&sb).await;
    // An image and a video in one post.
    let form = Form::new()
        .text("media_category", "tweet_image")
        .part("media", Part::bytes(png()).file_name("a.png"));
    let img = json_of(simple_upload(&sb, &t, form).await, 200).await["data"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    sb.update_platform_settings("x", json!({ "video_processing_polls": 0 }))
        .expect("settings");
    let vid = json_of(
        init(
            &sb,
            &t,
            json!({ "media_type": "video/mp4", "total_bytes": 10 }),
        )
        .await,
        200,
    )
    .await["data"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    json_of(append(&sb, &t, &vid, "0", mp4(10)).await, 200).await;
    json_of(finalize(&sb, &t, &vid).await, 200).await;
    assert_eq!(
        status(&sb, &t, &vid).await["data"]["processing_info"]["state"],
        "succeeded"
    );
    let resp = post_tweet(
        &sb,
        &t,
        json!({ "text": "mixed", "media": { "media_ids": [img, vid] } }),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let p: Value = resp.json().await.expect("json");
    assert_eq!(p["detail"], "Your media IDs are invalid.");
    // Unknown media id.
    let resp = post_tweet(
        &sb,
        &t,
        json!({ "text": "ghost", "media": { "media_ids": ["999"] } }),
    )
    .await;
    assert_eq!(resp.status(), 400);
    // Another account cannot use it.
    let other = sb
        .issue_tokens(creatorflow_sandbox::TokenRequest {
            platform: "x".into(),
            account_id: creatorflow_sandbox::platforms::x::X_ACCOUNT_STUDIO.0.into(),
            client_id: None,
            scopes: None,
        })
        .expect("tokens");
    let resp = post_tweet(
        &sb,
        &other.access_token,
        json!({ "text": "theft", "media": { "media_ids": [img] } }),
    )
    .await;
    assert_eq!(resp.status(), 400);
    // Media expires 24 h after upload.
    sb.advance_clock(86_401);
    let t2 = token(&sb).await;
    let resp = post_tweet(
        &sb,
        &t2,
        json!({ "text": "late", "media": { "media_ids": [img] } }),
    )
    .await;
    assert_eq!(resp.status(), 400);
    // STATUS needs command=STATUS.
    let resp = http()
        .get(x(&sb, "/2/media/upload"))
        .query(&[("command", "INIT"), ("media_id", vid.as_str())])
        .bearer_auth(&t2)
        .send()
        .await
        .expect("status");
    assert_eq!(resp.status(), 400);
    assert!(sb.received(Some("x")).is_empty());
}
