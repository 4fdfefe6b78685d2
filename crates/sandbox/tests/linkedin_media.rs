//! LinkedIn Images and Videos APIs over real HTTP, from
//! docs/platforms/linkedin.md §5, §6 and §11.

mod common;
mod linkedin_common;

use common::sha256_hex;
use linkedin_common::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn json_of(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    resp.json().await.expect("json")
}

const PART: usize = 4 * 1024 * 1024;

async fn init_video(
    sb: &creatorflow_sandbox::SandboxHandle,
    t: &str,
    request: Value,
) -> reqwest::Response {
    rest(sb, Method::POST, "/rest/videos?action=initializeUpload", t)
        .json(&json!({ "initializeUploadRequest": request }))
        .send()
        .await
        .expect("initialize")
}

async fn finalize(
    sb: &creatorflow_sandbox::SandboxHandle,
    t: &str,
    video: &str,
    token: &str,
    etags: &[String],
) -> reqwest::Response {
    rest(sb, Method::POST, "/rest/videos?action=finalizeUpload", t)
        .json(&json!({ "finalizeUploadRequest": {
            "video": video, "uploadToken": token, "uploadedPartIds": etags
        } }))
        .send()
        .await
        .expect("finalize")
}

/// Initializes a video of `bytes.len()` bytes; `(urn, upload token, instructions)`.
async fn start_video(
    sb: &creatorflow_sandbox::SandboxHandle,
    t: &str,
    size: usize,
) -> (String, String, Vec<(String, usize, usize)>) {
    let v = json_of(
        init_video(
            sb,
            t,
            json!({ "owner": urn(creator()), "fileSizeBytes": size, "uploadCaptions": false, "uploadThumbnail": false }),
        )
        .await,
        200,
    )
    .await;
    let value = &v["value"];
    let instructions = value["uploadInstructions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| {
            (
                i["uploadUrl"].as_str().unwrap_or_default().to_string(),
                i["firstByte"].as_u64().unwrap_or_default() as usize,
                i["lastByte"].as_u64().unwrap_or_default() as usize,
            )
        })
        .collect();
    (
        value["video"].as_str().expect("video").to_string(),
        value["uploadToken"]
            .as_str()
            .expect("uploadToken")
            .to_string(),
        instructions,
    )
}

async fn put_part(url: &str, t: &str, bytes: &[u8]) -> String {
    let resp = put_bytes(url, t, bytes.to_vec()).await;
    assert_eq!(resp.status(), 200);
    resp.headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_string()
}

#[tokio::test]
async fn image_upload_then_post() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let resp = rest(
        &sb,
        Method::POST,
        "/rest/images?action=initializeUpload",
        &t,
    )
    .json(&json!({ "initializeUploadRequest": { "owner": urn(creator()) } }))
    .send()
    .await
    .expect("initialize");
    let v = json_of(resp, 200).await;
    let image = v["value"]["image"].as_str().expect("image").to_string();
    let upload_url = v["value"]["uploadUrl"].as_str().expect("url").to_string();
    assert!(image.starts_with("urn:li:image:"), "{image}");
    assert!(
        upload_url.starts_with(&format!("{}linkedin/dms-uploads/", sb.base_url())),
        "{upload_url}"
    );
    let expires = v["value"]["uploadUrlExpiresAt"]
        .as_i64()
        .unwrap_or_default();
    assert!(
        expires > sb.clock().now_epoch * 1000,
        "epoch ms in the future"
    );

    let (code, body) = media_status(&sb, &t, "images", &image).await;
    assert_eq!(code, 200);
    assert_eq!(body["status"], "WAITING_UPLOAD");
    assert_eq!(body["owner"], urn(creator()));
    // Posting before the upload fails.
    let b = json_of(
        create_post(&sb, &t, &media_post(&urn(creator()), &image)).await,
        400,
    )
    .await;
    assert_eq!(b["code"], "MEDIA_ASSET_WAITING_UPLOAD");

    let bytes = png(640, 480);
    assert_eq!(
        put_bytes(&upload_url, &t, bytes.clone()).await.status(),
        201
    );
    let (_, body) = media_status(&sb, &t, "images", &image).await;
    assert_eq!(body["status"], "AVAILABLE");
    assert_eq!(body["id"], image.as_str());
    assert_eq!(body["width"], 640);

    let resp = create_post(&sb, &t, &media_post(&urn(creator()), &image)).await;
    assert_eq!(resp.status(), 201);
    let p = sb.received(Some("linkedin")).pop().expect("received");
    assert_eq!(p.media.len(), 1);
    assert_eq!(p.media[0].kind, "image");
    assert_eq!(p.media[0].mime, "image/png");
    assert_eq!(p.media[0].size, bytes.len() as u64);
    assert_eq!(
        p.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(p.media[0].remote_id, image);
}

#[tokio::test]
async fn image_processing_polls_and_failures() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    sb.update_platform_settings(
        "linkedin",
        json!({ "image_processing_polls": 2, "processing_secs": 0 }),
    )
    .expect("settings");
    let image = upload_image(&sb, &t, &urn(creator()), png(10, 10)).await;
    let b = json_of(
        create_post(&sb, &t, &media_post(&urn(creator()), &image)).await,
        400,
    )
    .await;
    assert_eq!(b["code"], "MEDIA_ASSET_WAITING_UPLOAD");
    assert!(
        b["message"]
            .as_str()
            .unwrap_or_default()
            .contains("PROCESSING")
    );
    for expected in ["PROCESSING", "PROCESSING", "AVAILABLE", "AVAILABLE"] {
        assert_eq!(
            media_status(&sb, &t, "images", &image).await.1["status"],
            expected
        );
    }
    assert_eq!(
        create_post(&sb, &t, &media_post(&urn(creator()), &image))
            .await
            .status(),
        201
    );

    sb.update_platform_settings("linkedin", json!({ "image_processing_polls": 0 }))
        .expect("settings");
    // Not a JPG/PNG/GIF: accepted by the upload, then processing fails.
    let bad = upload_image(&sb, &t, &urn(creator()), b"<svg></svg>".to_vec()).await;
    let (_, body) = media_status(&sb, &t, "images", &bad).await;
    assert_eq!(body["status"], "PROCESSING_FAILED");
    let b = json_of(
        create_post(&sb, &t, &media_post(&urn(creator()), &bad)).await,
        400,
    )
    .await;
    assert_eq!(b["code"], "MEDIA_ASSET_PROCESSING_FAILED");
    // Too many pixels (7000 x 7000 >= 36,152,320).
    let huge = upload_image(&sb, &t, &urn(creator()), png(7000, 7000)).await;
    assert_eq!(
        media_status(&sb, &t, "images", &huge).await.1["status"],
        "PROCESSING_FAILED"
    );
    let fine = upload_image(&sb, &t, &urn(creator()), png(6000, 6000)).await;
    assert_eq!(
        media_status(&sb, &t, "images", &fine).await.1["status"],
        "AVAILABLE"
    );
    // The setting fails everything.
    sb.update_platform_settings("linkedin", json!({ "fail_image_processing": true }))
        .expect("settings");
    let failed = upload_image(&sb, &t, &urn(creator()), png(10, 10)).await;
    assert_eq!(
        media_status(&sb, &t, "images", &failed).await.1["status"],
        "PROCESSING_FAILED"
    );
}

#[tokio::test]
async fn image_size_cap_and_upload_auth() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    sb.update_platform_settings("linkedin", json!({ "max_image_bytes": 1000 }))
        .expect("settings");
    let (image, url) = init_image(&sb, &t, &urn(creator())).await;
    let mut big = png(10, 10);
    big.resize(1001, 0);
    let b = json_of(put_bytes(&url, &t, big).await, 413).await;
    assert_eq!(b["status"], 413);
    assert_eq!(
        media_status(&sb, &t, "images", &image).await.1["status"],
        "WAITING_UPLOAD"
    );
    // No bearer, another member's bearer.
    let resp = http().put(&url).body(png(1, 1)).send().await.expect("put");
    assert_eq!(json_of(resp, 401).await["serviceErrorCode"], 65604);
    let t2 = token_of(&sb, studio());
    assert_eq!(put_bytes(&url, &t2, png(1, 1)).await.status(), 403);
    // Unless the setting drops the bearer requirement (pre-signed URLs).
    sb.update_platform_settings("linkedin", json!({ "upload_requires_bearer": false }))
        .expect("settings");
    let resp = http().put(&url).body(png(1, 1)).send().await.expect("put");
    assert_eq!(resp.status(), 201);
    // Unknown upload URL.
    let resp = put_bytes(
        &format!("{}linkedin/dms-uploads/nope", sb.base_url()),
        &t,
        png(1, 1),
    )
    .await;
    assert_eq!(resp.status(), 404);
    // Upload URLs expire.
    let (_, url) = init_image(&sb, &t, &urn(creator())).await;
    sb.advance_clock(25 * 3600);
    assert_eq!(put_bytes(&url, &t, png(1, 1)).await.status(), 403);
}

#[tokio::test]
async fn images_belong_to_their_owner() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let t2 = token_of(&sb, studio());
    // initializeUpload for someone else.
    let resp = rest(
        &sb,
        Method::POST,
        "/rest/images?action=initializeUpload",
        &t,
    )
    .json(&json!({ "initializeUploadRequest": { "owner": urn(studio()) } }))
    .send()
    .await
    .expect("initialize");
    assert_eq!(json_of(resp, 403).await["code"], "ACCESS_DENIED");
    // Missing owner / missing request.
    for body in [json!({ "initializeUploadRequest": {} }), json!({})] {
        let resp = rest(
            &sb,
            Method::POST,
            "/rest/images?action=initializeUpload",
            &t,
        )
        .json(&body)
        .send()
        .await
        .expect("initialize");
        let b = json_of(resp, 400).await;
        assert!(b["errorDetails"]["inputErrors"].is_array(), "{b}");
    }
    let image = upload_image(&sb, &t, &urn(creator()), png(10, 10)).await;
    let (code, body) = media_status(&sb, &t2, "images", &image).await;
    assert_eq!(code, 403);
    assert_eq!(body["status"], 403);
    // Someone else's image in a post.
    let b = json_of(
        create_post(&sb, &t2, &media_post(&urn(studio()), &image)).await,
        403,
    )
    .await;
    assert_eq!(b["code"], "ACCESS_DENIED");
    // An image that does not exist.
    let b = json_of(
        create_post(
            &sb,
            &t,
            &media_post(&urn(creator()), "urn:li:image:D4E10AQnope"),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(b["code"], "MEDIA_ASSET_NOT_FOUND");
    let (code, _) = media_status(&sb, &t, "images", "urn:li:image:D4E10AQnope").await;
    assert_eq!(code, 404);
}

#[tokio::test]
async fn multi_image_and_article_posts() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let a = upload_image(&sb, &t, &urn(creator()), png(10, 10)).await;
    let b = upload_image(&sb, &t, &urn(creator()), png(20, 20)).await;
    let mut body = post_body(&urn(creator()), "two images");
    body["content"] = json!({ "multiImage": { "images": [
        { "id": a, "altText": "a" }, { "id": b, "altText": "b" }
    ] } });
    assert_eq!(create_post(&sb, &t, &body).await.status(), 201);
    let p = sb.received(Some("linkedin")).pop().expect("received");
    assert_eq!(p.media.len(), 2);
    assert_eq!(p.media[1].remote_id, b);
    // One image is not a multiImage.
    body["content"] = json!({ "multiImage": { "images": [{ "id": a }] } });
    assert_eq!(create_post(&sb, &t, &body).await.status(), 422);
    // Article with a thumbnail.
    let mut body = post_body(&urn(creator()), "read this");
    body["content"] = json!({ "article": {
        "source": "https://example.com/post", "title": "Title", "description": "D", "thumbnail": a
    } });
    assert_eq!(create_post(&sb, &t, &body).await.status(), 201);
    let p = sb.received(Some("linkedin")).pop().expect("received");
    assert_eq!(p.extra["article"]["source"], "https://example.com/post");
    assert_eq!(p.media.len(), 1);
    body["content"]["article"]["source"] = json!("not a url");
    assert_eq!(create_post(&sb, &t, &body).await.status(), 422);
}

#[tokio::test]
async fn video_multipart_upload_then_post() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let size = 2 * PART + 1000;
    let bytes = mp4(size);
    let (video, upload_token, instructions) = start_video(&sb, &t, size).await;
    assert!(video.starts_with("urn:li:video:"), "{video}");
    assert_eq!(upload_token, "");
    let ranges: Vec<(usize, usize)> = instructions.iter().map(|i| (i.1, i.2)).collect();
    assert_eq!(
        ranges,
        vec![(0, PART - 1), (PART, 2 * PART - 1), (2 * PART, size - 1)]
    );
    assert!(
        instructions
            .iter()
            .all(|i| i.0.contains("/linkedin/dms-uploads/"))
    );
    assert_eq!(
        media_status(&sb, &t, "videos", &video).await.1["status"],
        "WAITING_UPLOAD"
    );
    let mut etags = Vec::new();
    for (url, first, last) in &instructions {
        etags.push(put_part(url, &t, &bytes[*first..=*last]).await);
    }
    // Uploaded but not finalized: still waiting.
    assert_eq!(
        media_status(&sb, &t, "videos", &video).await.1["status"],
        "WAITING_UPLOAD"
    );
    let b = json_of(
        create_post(&sb, &t, &media_post(&urn(creator()), &video)).await,
        400,
    )
    .await;
    assert_eq!(b["code"], "MEDIA_ASSET_WAITING_UPLOAD");

    let resp = finalize(&sb, &t, &video, &upload_token, &etags).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap_or_default().is_empty());
    // Default: two polls PROCESSING, then AVAILABLE.
    for expected in ["PROCESSING", "PROCESSING", "AVAILABLE"] {
        assert_eq!(
            media_status(&sb, &t, "videos", &video).await.1["status"],
            expected
        );
    }
    let resp = create_post(&sb, &t, &media_post(&urn(creator()), &video)).await;
    assert_eq!(resp.status(), 201);
    let p = sb.received(Some("linkedin")).pop().expect("received");
    assert_eq!(p.media[0].kind, "video");
    assert_eq!(p.media[0].mime, "video/mp4");
    assert_eq!(p.media[0].size, size as u64);
    assert_eq!(
        p.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    // Finalizing again with the same parts is harmless.
    assert_eq!(
        finalize(&sb, &t, &video, &upload_token, &etags)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn finalize_checks_the_etags_their_order_and_the_part_sizes() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let size = PART + 100_000;
    let bytes = mp4(size);
    let (video, tok, ins) = start_video(&sb, &t, size).await;
    assert_eq!(ins.len(), 2);
    // A part missing.
    let e0 = put_part(&ins[0].0, &t, &bytes[ins[0].1..=ins[0].2]).await;
    let b = json_of(
        finalize(&sb, &t, &video, &tok, std::slice::from_ref(&e0)).await,
        400,
    )
    .await;
    assert_eq!(b["status"], 400);
    // Second part uploaded too short.
    let short = put_part(&ins[1].0, &t, &bytes[ins[1].1..ins[1].2]).await;
    let b = json_of(
        finalize(&sb, &t, &video, &tok, &[e0.clone(), short]).await,
        400,
    )
    .await;
    assert!(
        b["message"].as_str().unwrap_or_default().contains("bytes"),
        "{b}"
    );
    // Re-upload it right: the ETag changes.
    let e1 = put_part(&ins[1].0, &t, &bytes[ins[1].1..=ins[1].2]).await;
    // Wrong order, missing one, unknown one, wrong upload token.
    for ids in [
        vec![e1.clone(), e0.clone()],
        vec![e0.clone()],
        vec![e0.clone(), "bogus".to_string()],
        vec![e0.clone(), e1.clone(), e1.clone()],
    ] {
        let resp = finalize(&sb, &t, &video, &tok, &ids).await;
        assert_eq!(resp.status(), 400, "{ids:?}");
    }
    assert_eq!(
        finalize(&sb, &t, &video, "other-token", &[e0.clone(), e1.clone()])
            .await
            .status(),
        400
    );
    assert_eq!(
        media_status(&sb, &t, "videos", &video).await.1["status"],
        "WAITING_UPLOAD"
    );
    // Someone else cannot finalize or read it.
    let t2 = token_of(&sb, studio());
    let b = json_of(
        finalize(&sb, &t2, &video, &tok, &[e0.clone(), e1.clone()]).await,
        403,
    )
    .await;
    assert_eq!(
        b,
        json!({
            "message": "Accessing this video resource is forbidden. Please check your permissions for this resource",
            "status": 403
        })
    );
    let (code, body) = media_status(&sb, &t2, "videos", &video).await;
    assert_eq!(code, 403);
    assert_eq!(body["status"], 403);
    // Right order: accepted. The part re-upload broke the in-order hash.
    assert_eq!(
        finalize(&sb, &t, &video, &tok, &[e0, e1]).await.status(),
        200
    );
    sb.update_platform_settings("linkedin", json!({ "video_processing_polls": 0 }))
        .expect("settings");
    // (Processing already started with 2 polls; poll through it.)
    for _ in 0..3 {
        media_status(&sb, &t, "videos", &video).await;
    }
    create_post(&sb, &t, &media_post(&urn(creator()), &video)).await;
    let p = sb.received(Some("linkedin")).pop().expect("received");
    assert_eq!(p.media[0].size, size as u64);
    assert_eq!(p.media[0].sha256, None);
}

#[tokio::test]
async fn parts_out_of_order_are_fine_but_unhashed() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    sb.update_platform_settings("linkedin", json!({ "video_processing_polls": 0 }))
        .expect("settings");
    let size = PART + 5000;
    let bytes = mp4(size);
    let (video, tok, ins) = start_video(&sb, &t, size).await;
    let e1 = put_part(&ins[1].0, &t, &bytes[ins[1].1..=ins[1].2]).await;
    let e0 = put_part(&ins[0].0, &t, &bytes[ins[0].1..=ins[0].2]).await;
    assert_eq!(
        finalize(&sb, &t, &video, &tok, &[e0, e1]).await.status(),
        200
    );
    assert_eq!(
        media_status(&sb, &t, "videos", &video).await.1["status"],
        "AVAILABLE"
    );
    assert_eq!(
        create_post(&sb, &t, &media_post(&urn(creator()), &video))
            .await
            .status(),
        201
    );
    let p = sb.received(Some("linkedin")).pop().expect("received");
    assert_eq!(p.media[0].sha256, None);
    assert_eq!(p.media[0].size, size as u64);
}

#[tokio::test]
async fn video_size_limits_and_sidecars() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    for size in [75 * 1024 - 1, 500 * 1024 * 1024 + 1] {
        let b = json_of(
            init_video(
                &sb,
                &t,
                json!({ "owner": urn(creator()), "fileSizeBytes": size }),
            )
            .await,
            400,
        )
        .await;
        assert_eq!(
            b["errorDetails"]["inputErrors"][0]["input"]["inputPath"]["fieldPath"],
            "/initializeUploadRequest/fileSizeBytes"
        );
    }
    for size in [75 * 1024, 500 * 1024 * 1024] {
        let resp = init_video(
            &sb,
            &t,
            json!({ "owner": urn(creator()), "fileSizeBytes": size }),
        )
        .await;
        assert_eq!(resp.status(), 200, "{size}");
    }
    let b = json_of(
        init_video(&sb, &t, json!({ "owner": urn(creator()) })).await,
        400,
    )
    .await;
    assert_eq!(b["status"], 400);
    let resp = init_video(
        &sb,
        &t,
        json!({ "owner": urn(studio()), "fileSizeBytes": 100_000 }),
    )
    .await;
    assert_eq!(resp.status(), 403);
    // 500 MB in 4 MiB parts: 125 instructions.
    let v = json_of(
        init_video(
            &sb,
            &t,
            json!({ "owner": urn(creator()), "fileSizeBytes": 500 * 1024 * 1024 }),
        )
        .await,
        200,
    )
    .await;
    let ins = v["value"]["uploadInstructions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(ins.len(), 125);
    assert_eq!(ins[124]["lastByte"], 500 * 1024 * 1024 - 1);
    // Settable limits.
    sb.update_platform_settings(
        "linkedin",
        json!({ "min_video_bytes": 10, "video_part_bytes": 1000 }),
    )
    .expect("settings");
    let v = json_of(
        init_video(
            &sb,
            &t,
            json!({ "owner": urn(creator()), "fileSizeBytes": 2500, "uploadThumbnail": true, "uploadCaptions": true }),
        )
        .await,
        200,
    )
    .await;
    let value = &v["value"];
    assert_eq!(
        value["uploadInstructions"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(value["uploadInstructions"][2]["firstByte"], 2000);
    assert_eq!(value["uploadInstructions"][2]["lastByte"], 2499);
    // Never more than 10,000 parts.
    let resp = init_video(
        &sb,
        &t,
        json!({ "owner": urn(creator()), "fileSizeBytes": 10_000_001 }),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let thumb = value["thumbnailUploadUrl"].as_str().expect("thumbnail url");
    let captions = value["captionsUploadUrl"].as_str().expect("captions url");
    assert_eq!(put_bytes(thumb, &t, png(10, 10)).await.status(), 201);
    assert_eq!(
        put_bytes(captions, &t, b"WEBVTT\n".to_vec()).await.status(),
        201
    );
}

#[tokio::test]
async fn video_processing_failures_and_time_based_completion() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    sb.update_platform_settings("linkedin", json!({ "min_video_bytes": 10 }))
        .expect("settings");
    let upload = |bytes: Vec<u8>| {
        let (sb, t) = (&sb, &t);
        async move {
            let (video, tok, ins) = start_video(sb, t, bytes.len()).await;
            let mut etags = Vec::new();
            for (url, f, l) in &ins {
                etags.push(put_part(url, t, &bytes[*f..=*l]).await);
            }
            assert_eq!(finalize(sb, t, &video, &tok, &etags).await.status(), 200);
            video
        }
    };
    // Not an MP4: processing fails.
    let bad = upload(vec![0u8; 5000]).await;
    for _ in 0..3 {
        media_status(&sb, &t, "videos", &bad).await;
    }
    let (_, body) = media_status(&sb, &t, "videos", &bad).await;
    assert_eq!(body["status"], "PROCESSING_FAILED");
    assert!(body["processingFailureReason"].is_string());
    // Time-based completion: no polls, 300 emulated seconds.
    let ok = upload(mp4(5000)).await;
    let b = json_of(
        create_post(&sb, &t, &media_post(&urn(creator()), &ok)).await,
        400,
    )
    .await;
    assert_eq!(b["code"], "MEDIA_ASSET_WAITING_UPLOAD");
    sb.advance_clock(299);
    assert_eq!(
        create_post(&sb, &t, &media_post(&urn(creator()), &ok))
            .await
            .status(),
        400
    );
    sb.advance_clock(2);
    assert_eq!(
        create_post(&sb, &t, &media_post(&urn(creator()), &ok))
            .await
            .status(),
        201
    );
    // The setting fails everything.
    sb.update_platform_settings(
        "linkedin",
        json!({ "fail_video_processing": true, "video_processing_polls": 0 }),
    )
    .expect("settings");
    let failed = upload(mp4(5000)).await;
    assert_eq!(
        media_status(&sb, &t, "videos", &failed).await.1["status"],
        "PROCESSING_FAILED"
    );
    let b = json_of(
        create_post(&sb, &t, &media_post(&urn(creator()), &failed)).await,
        400,
    )
    .await;
    assert_eq!(b["code"], "MEDIA_ASSET_PROCESSING_FAILED");
    // Uploads after finalize are refused.
    let (video, tok, ins) = start_video(&sb, &t, 20).await;
    let e = put_part(&ins[0].0, &t, &mp4(20)).await;
    assert_eq!(finalize(&sb, &t, &video, &tok, &[e]).await.status(), 200);
    assert_ne!(put_bytes(&ins[0].0, &t, mp4(20)).await.status(), 200);
}

#[tokio::test]
async fn a_large_video_streams_through() {
    // 32 MiB in 8 parts, uploaded concurrently: the server hashes as it reads and
    // keeps no bytes, so this works whatever the part order.
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    sb.update_platform_settings("linkedin", json!({ "video_processing_polls": 0 }))
        .expect("settings");
    let size = 8 * PART;
    let bytes = std::sync::Arc::new(mp4(size));
    let (video, tok, ins) = start_video(&sb, &t, size).await;
    let mut tasks = Vec::new();
    for (url, f, l) in ins.clone() {
        let (t, bytes) = (t.clone(), bytes.clone());
        tasks.push(tokio::spawn(async move {
            put_part(&url, &t, &bytes[f..=l]).await
        }));
    }
    let mut etags = Vec::new();
    for task in tasks {
        etags.push(task.await.expect("join"));
    }
    assert_eq!(finalize(&sb, &t, &video, &tok, &etags).await.status(), 200);
    assert_eq!(
        media_status(&sb, &t, "videos", &video).await.1["status"],
        "AVAILABLE"
    );
    let saved = sb.read_state(|st| {
        serde_json::to_vec(&st.linkedin)
            .map(|v| v.len())
            .unwrap_or(0)
    });
    assert!(saved < 64 * 1024, "no bytes kept in the state ({saved})");
}
