//! `videos.insert` with the resumable upload protocol over real HTTP, from
//! docs/platforms/youtube.md §2 and §10.

mod youtube_common;

use creatorflow_sandbox::{Fault, FaultSpec};
use serde_json::{Value, json};
use youtube_common::*;

const UPLOAD_PATH: &str = "/youtube/upload/youtube/v3/videos";

#[tokio::test]
async fn session_start_returns_a_location_on_the_sandbox() {
    let sb = sandbox().await;
    let t = token(&sb);
    let resp = start_upload(&sb, &t, &meta("Hello"), Some(1000)).await;
    assert_eq!(resp.status(), 200);
    let loc = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string();
    let u = url::Url::parse(&loc).expect("absolute");
    assert_eq!(u.host_str(), Some("127.0.0.1"));
    assert_eq!(u.port(), Some(sb.addr().port()));
    assert_eq!(u.path(), "/youtube/upload/youtube/v3/videos");
    let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
    assert!(param(&q, "upload_id").is_some_and(|id| !id.is_empty()));
    assert_eq!(param(&q, "uploadType"), Some("resumable"));
    assert!(resp.headers().get("x-guploader-uploadid").is_some());
    // The session is not an API call of its own: no token needed for the PUTs.
    let resp = probe(&loc, "1000").await;
    assert_eq!(resp.status(), 308);
    assert_eq!(
        range_header(&resp),
        None,
        "no Range while nothing was received"
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn chunks_of_256_kib_multiples_with_308_and_range() {
    let sb = sandbox().await;
    set(&sb, json!({"audited": true}));
    let t = token(&sb);
    let data = mp4(3 * KIB256 + 1234);
    let total = data.len().to_string();
    let uri = session(&sb, &t, &meta("Chunked"), data.len() as u64).await;

    let resp = put_chunk(&uri, &data[..2 * KIB256], 0, &total).await;
    assert_eq!(resp.status(), 308);
    assert_eq!(range_header(&resp).as_deref(), Some("bytes=0-524287"));
    assert!(resp.headers().get("location").is_none());
    // Probe mid-way: the same state.
    let resp = probe(&uri, &total).await;
    assert_eq!(resp.status(), 308);
    assert_eq!(range_header(&resp).as_deref(), Some("bytes=0-524287"));
    // A non-final chunk that is not a multiple of 256 KiB: 400, nothing kept.
    let resp = put_chunk(
        &uri,
        &data[2 * KIB256..2 * KIB256 + 1000],
        2 * KIB256 as u64,
        &total,
    )
    .await;
    assert_eq!(reason(resp, 400).await, "badRequest");
    let resp = probe(&uri, &total).await;
    assert_eq!(range_header(&resp).as_deref(), Some("bytes=0-524287"));
    // The rest (one full chunk, then the final odd-sized one).
    let resp = put_chunk(
        &uri,
        &data[2 * KIB256..3 * KIB256],
        2 * KIB256 as u64,
        &total,
    )
    .await;
    assert_eq!(resp.status(), 308);
    assert_eq!(range_header(&resp).as_deref(), Some("bytes=0-786431"));
    let resp = put_chunk(&uri, &data[3 * KIB256..], 3 * KIB256 as u64, &total).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("video");
    assert_eq!(v["kind"], "youtube#video");
    let id = v["id"].as_str().expect("id").to_string();
    assert_eq!(id.len(), 11);
    assert_eq!(v["snippet"]["title"], "Chunked");
    assert_eq!(v["snippet"]["channelId"], creator());
    assert_eq!(v["status"]["uploadStatus"], "uploaded");
    assert_eq!(v["status"]["privacyStatus"], "public");
    // Probing after completion returns the video.
    let resp = probe(&uri, &total).await;
    assert_eq!(resp.status(), 200);
    let again: Value = resp.json().await.expect("video");
    assert_eq!(again["id"], id.as_str());
    // What the platform received: size and digest of the bytes, never the bytes.
    let posts = sb.received(Some("youtube"));
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert_eq!(p.remote_id, id);
    assert_eq!(p.account_id, creator());
    assert_eq!(p.text, "Chunked");
    assert_eq!(p.extra["description"], "A sandbox video");
    assert_eq!(p.extra["privacyStatus"], "public");
    assert_eq!(p.media[0].kind, "video");
    assert_eq!(p.media[0].mime, "video/mp4");
    assert_eq!(p.media[0].size, data.len() as u64);
    assert_eq!(
        p.media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_chunk_off_the_server_offset_gets_the_true_range() {
    let sb = sandbox().await;
    let t = token(&sb);
    let data = mp4(4 * KIB256);
    let total = data.len().to_string();
    let uri = session(&sb, &t, &meta("Offsets"), data.len() as u64).await;
    // Skipping ahead: not taken, 308 without Range (nothing received yet).
    let resp = put_chunk(&uri, &data[KIB256..2 * KIB256], KIB256 as u64, &total).await;
    assert_eq!(resp.status(), 308);
    assert_eq!(range_header(&resp), None);
    assert_eq!(
        put_chunk(&uri, &data[..2 * KIB256], 0, &total)
            .await
            .status(),
        308
    );
    // Resending an already stored chunk: 308 with the true Range.
    let resp = put_chunk(&uri, &data[..KIB256], 0, &total).await;
    assert_eq!(resp.status(), 308);
    assert_eq!(range_header(&resp).as_deref(), Some("bytes=0-524287"));
    let resp = put_chunk(&uri, &data[2 * KIB256..], 2 * KIB256 as u64, &total).await;
    assert_eq!(resp.status(), 200);
    let posts = sb.received(Some("youtube"));
    assert_eq!(
        posts[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn resume_after_a_503_and_after_a_connection_reset_mid_upload() {
    let sb = sandbox().await;
    let t = token(&sb);
    let data = mp4(4 * KIB256 + 77);
    let total = data.len().to_string();
    let uri = session(&sb, &t, &meta("Resumed"), data.len() as u64).await;
    assert_eq!(
        put_chunk(&uri, &data[..KIB256], 0, &total).await.status(),
        308
    );

    // A 503 (the chunk never reached the handler): Google's error shape.
    sb.inject_fault(FaultSpec::new(
        Some("PUT"),
        UPLOAD_PATH,
        Fault::Status {
            status: 503,
            body: None,
        },
    ))
    .expect("fault");
    let resp = put_chunk(&uri, &data[KIB256..2 * KIB256], KIB256 as u64, &total).await;
    assert_eq!(reason(resp, 503).await, "backendError");
    let resp = probe(&uri, &total).await;
    assert_eq!(range_header(&resp).as_deref(), Some("bytes=0-262143"));

    // The connection dies after the chunk was stored: the probe tells the truth.
    sb.inject_fault(FaultSpec::new(
        Some("PUT"),
        UPLOAD_PATH,
        Fault::ResetMidBody,
    ))
    .expect("fault");
    let res = put_chunk(&uri, &data[KIB256..3 * KIB256], KIB256 as u64, &total).await;
    // Headers may arrive (308 has no body to cut), but the client cannot rely on them.
    let _ = res.bytes().await;
    let resp = probe(&uri, &total).await;
    assert_eq!(resp.status(), 308);
    let range = range_header(&resp).expect("Range");
    let last: u64 = range
        .trim_start_matches("bytes=0-")
        .parse()
        .expect("number");
    assert_eq!(last + 1, 3 * KIB256 as u64, "trust the server's Range");
    let resp = put_chunk(&uri, &data[(last + 1) as usize..], last + 1, &total).await;
    assert_eq!(resp.status(), 200);
    let posts = sb.received(Some("youtube"));
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
    assert_eq!(posts[0].media[0].size, data.len() as u64);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_reset_final_chunk_is_finished_and_the_probe_returns_the_video() {
    let sb = sandbox().await;
    let t = token(&sb);
    let data = mp4(KIB256 + 5);
    let total = data.len().to_string();
    let uri = session(&sb, &t, &meta("Reset at the end"), data.len() as u64).await;
    assert_eq!(
        put_chunk(&uri, &data[..KIB256], 0, &total).await.status(),
        308
    );
    sb.inject_fault(FaultSpec::new(
        Some("PUT"),
        UPLOAD_PATH,
        Fault::ResetMidBody,
    ))
    .expect("fault");
    let res = put_chunk(&uri, &data[KIB256..], KIB256 as u64, &total).await;
    assert!(res.json::<Value>().await.is_err(), "the body was cut");
    let resp = probe(&uri, &total).await;
    assert_eq!(resp.status(), 200, "already finished");
    let v: Value = resp.json().await.expect("video");
    assert_eq!(v["snippet"]["title"], "Reset at the end");
    // A resent final chunk is not a second video.
    let resp = put_chunk(&uri, &data[KIB256..], KIB256 as u64, &total).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(sb.received(Some("youtube")).len(), 1);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn single_request_upload_and_201_setting() {
    let sb = sandbox().await;
    let t = token(&sb);
    let data = mp4(100_000);
    let v = upload(&sb, &t, &meta("One shot"), &data).await;
    assert_eq!(v["status"]["uploadStatus"], "uploaded");
    let posts = sb.received(Some("youtube"));
    assert_eq!(
        posts[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
    // The whole body with a Content-Range is fine too, and 201 is configurable.
    set(&sb, json!({"upload_complete_status": 201}));
    let uri = session(&sb, &t, &meta("One shot 2"), data.len() as u64).await;
    let resp = put_chunk(&uri, &data, 0, &data.len().to_string()).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.expect("video");
    assert_eq!(v["kind"], "youtube#video");
    assert_eq!(v["status"]["uploadStatus"], "uploaded");
    let resp = probe(&uri, &data.len().to_string()).await;
    assert_eq!(resp.status(), 201, "a probe of the finished upload");
    assert_eq!(resp.json::<Value>().await.expect("video")["id"], v["id"]);
    // A body shorter than announced is refused.
    let uri = session(&sb, &t, &meta("Short"), 5000).await;
    let resp = http()
        .put(&uri)
        .header("content-type", "video/mp4")
        .body(vec![1u8; 10])
        .send()
        .await
        .expect("put");
    assert_eq!(reason(resp, 400).await, "badRequest");
    // Empty media.
    let uri = session(&sb, &t, &meta("Empty"), 0).await;
    let resp = http()
        .put(&uri)
        .body(Vec::<u8>::new())
        .send()
        .await
        .expect("put");
    assert_eq!(reason(resp, 400).await, "mediaBodyRequired");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn unknown_size_upload_finished_by_announcing_the_total() {
    let sb = sandbox().await;
    let t = token(&sb);
    let data = mp4(2 * KIB256);
    let resp = start_upload(&sb, &t, &meta("Streamed"), None).await;
    assert_eq!(resp.status(), 200);
    let uri = resp.headers()["location"]
        .to_str()
        .expect("loc")
        .to_string();
    let resp = put_chunk(&uri, &data[..KIB256], 0, "*").await;
    assert_eq!(resp.status(), 308);
    let resp = put_chunk(&uri, &data[..1000], KIB256 as u64, "*").await;
    assert_eq!(
        reason(resp, 400).await,
        "badRequest",
        "a non-final chunk of 1000 bytes"
    );
    let resp = put_chunk(&uri, &data[KIB256..], KIB256 as u64, "*").await;
    assert_eq!(resp.status(), 308);
    assert_eq!(range_header(&resp).as_deref(), Some("bytes=0-524287"));
    let resp = probe(&uri, &data.len().to_string()).await;
    assert_eq!(resp.status(), 200);
    let posts = sb.received(Some("youtube"));
    assert_eq!(posts[0].media[0].size, data.len() as u64);
    assert_eq!(
        posts[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn unaudited_projects_get_private_videos() {
    let sb = sandbox().await;
    let t = token(&sb);
    let v = upload(&sb, &t, &meta("Wanted public"), &mp4(1000)).await;
    assert_eq!(v["status"]["privacyStatus"], "private");
    let posts = sb.received(Some("youtube"));
    assert_eq!(posts[0].extra["privacyStatus"], "private");
    assert_eq!(posts[0].extra["requestedPrivacyStatus"], "public");
    assert_eq!(posts[0].extra["lockedPrivate"], true);
    // Audited: the requested privacy is kept.
    set(&sb, json!({"audited": true}));
    let mut m = meta("Unlisted");
    m["status"]["privacyStatus"] = json!("unlisted");
    let v = upload(&sb, &t, &m, &mp4(1000)).await;
    assert_eq!(v["status"]["privacyStatus"], "unlisted");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn scheduled_publication_turns_public_on_the_emulated_clock() {
    let sb = sandbox().await;
    set(&sb, json!({"audited": true, "processing_secs": 60}));
    let t = token(&sb);
    let at = (sb.clock().now + chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut m = meta("Scheduled");
    m["status"] = json!({"privacyStatus": "private", "publishAt": at});
    let v = upload(&sb, &t, &m, &mp4(1000)).await;
    assert_eq!(v["status"]["privacyStatus"], "private");
    assert_eq!(v["status"]["publishAt"], at.as_str());
    let id = v["id"].as_str().expect("id").to_string();
    let list = |sb: &creatorflow_sandbox::SandboxHandle| {
        format!("{}?part=status&id={id}", yt(sb, "/youtube/v3/videos"))
    };
    let (_, l) = get_json(&list(&sb), &t).await;
    assert_eq!(l["items"][0]["status"]["uploadStatus"], "uploaded");
    sb.advance_clock(2 * 3600 + 1);
    let t = token(&sb);
    let (_, l) = get_json(&list(&sb), &t).await;
    assert_eq!(l["items"][0]["status"]["privacyStatus"], "public");
    assert_eq!(l["items"][0]["status"]["uploadStatus"], "processed");
    assert!(l["items"][0]["status"].get("publishAt").is_none());
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn metadata_validation() {
    let sb = sandbox().await;
    let t = token(&sb);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut m = meta("Valid");
        f(&mut m);
        m
    };
    let cases: Vec<(Value, &str)> = vec![
        (with(&|m| m["snippet"]["title"] = json!("")), "invalidTitle"),
        (
            with(&|m| m["snippet"]["title"] = json!("   ")),
            "invalidTitle",
        ),
        (
            with(&|m| {
                m["snippet"].as_object_mut().map(|o| o.remove("title"));
            }),
            "invalidTitle",
        ),
        (
            with(&|m| m["snippet"]["title"] = json!("x".repeat(101))),
            "invalidTitle",
        ),
        (
            with(&|m| m["snippet"]["title"] = json!("a <b> title")),
            "invalidTitle",
        ),
        (with(&|m| m["snippet"]["title"] = json!(42)), "invalidTitle"),
        (
            with(&|m| m["snippet"]["description"] = json!("x".repeat(5001))),
            "invalidDescription",
        ),
        // 2,500 two-byte characters = 5,000 bytes: fine; one more byte is not.
        (
            with(&|m| m["snippet"]["description"] = json!(format!("{}x", "é".repeat(2500)))),
            "invalidDescription",
        ),
        (
            with(&|m| m["snippet"]["description"] = json!("1 > 0")),
            "invalidDescription",
        ),
        (
            with(&|m| m["snippet"]["tags"] = json!(vec!["x".repeat(250); 3])),
            "invalidTags",
        ),
        // 2 tags of 248 chars with a space: 2 × (248 + 2 quotes) = 500 + ... > 500.
        (
            with(&|m| {
                m["snippet"]["tags"] = json!([
                    format!("a {}", "x".repeat(247)),
                    format!("b {}", "y".repeat(247)),
                    "z"
                ])
            }),
            "invalidTags",
        ),
        (
            with(&|m| m["snippet"]["tags"] = json!("not, a list")),
            "invalidTags",
        ),
        (
            with(&|m| m["snippet"]["categoryId"] = json!("9999")),
            "invalidCategoryId",
        ),
        (
            with(&|m| m["status"]["privacyStatus"] = json!("friends")),
            "invalidVideoMetadata",
        ),
        (
            with(&|m| m["status"]["publishAt"] = json!("2030-01-01T10:00:00Z")),
            "invalidPublishAt",
        ),
        (
            with(&|m| m["status"] = json!({"privacyStatus": "private", "publishAt": "tomorrow"})),
            "invalidPublishAt",
        ),
        (
            with(&|m| m["status"]["embeddable"] = json!("yes")),
            "invalidVideoMetadata",
        ),
        (
            with(&|m| m["status"]["license"] = json!("gpl")),
            "invalidVideoMetadata",
        ),
        (json!([1, 2]), "invalidVideoMetadata"),
    ];
    for (m, want) in cases {
        let resp = start_upload(&sb, &t, &m, Some(100)).await;
        assert_eq!(reason(resp, 400).await, want, "{m}");
    }
    // Limits met exactly are fine.
    let ok: Vec<Value> = vec![
        with(&|m| m["snippet"]["title"] = json!("é".repeat(100))),
        with(&|m| m["snippet"]["description"] = json!("é".repeat(2500))),
        with(&|m| m["snippet"]["tags"] = json!(vec!["x".repeat(250); 2])),
        with(&|m| {
            m["snippet"]["tags"] = json!([
                format!("a {}", "x".repeat(246)),
                format!("b {}", "y".repeat(246))
            ])
        }),
        with(&|m| {
            m["status"] = json!({"privacyStatus": "private", "publishAt": "2030-01-01T10:00:00Z"})
        }),
        with(&|m| {
            m["snippet"].as_object_mut().map(|o| o.remove("categoryId"));
        }),
    ];
    for m in ok {
        let resp = start_upload(&sb, &t, &m, Some(100)).await;
        assert_eq!(resp.status(), 200, "{m}");
    }
    // Malformed JSON, missing or unknown part, bad headers.
    let resp = http()
        .post(yt(
            &sb,
            "/upload/youtube/v3/videos?uploadType=resumable&part=snippet",
        ))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"snippet\": {")
        .send()
        .await
        .expect("post");
    assert_eq!(reason(resp, 400).await, "parseError");
    let resp = http()
        .post(yt(&sb, "/upload/youtube/v3/videos?uploadType=resumable"))
        .bearer_auth(&t)
        .json(&meta("x"))
        .send()
        .await
        .expect("post");
    assert_eq!(reason(resp, 400).await, "required");
    let resp = http()
        .post(yt(
            &sb,
            "/upload/youtube/v3/videos?uploadType=resumable&part=snippets",
        ))
        .bearer_auth(&t)
        .json(&meta("x"))
        .send()
        .await
        .expect("post");
    assert_eq!(reason(resp, 400).await, "unknownPart");
    let resp = http()
        .post(yt(
            &sb,
            "/upload/youtube/v3/videos?uploadType=resumable&part=snippet",
        ))
        .bearer_auth(&t)
        .header("x-upload-content-type", "image/png")
        .json(&meta("x"))
        .send()
        .await
        .expect("post");
    assert_eq!(reason(resp, 400).await, "badContent");
    let resp = http()
        .post(yt(
            &sb,
            "/upload/youtube/v3/videos?uploadType=resumable&part=snippet",
        ))
        .bearer_auth(&t)
        .header("x-upload-content-length", "lots")
        .json(&meta("x"))
        .send()
        .await
        .expect("post");
    assert_eq!(reason(resp, 400).await, "badRequest");
    let resp = http()
        .post(yt(&sb, "/upload/youtube/v3/videos?part=snippet"))
        .bearer_auth(&t)
        .json(&meta("x"))
        .send()
        .await
        .expect("post");
    assert_eq!(reason(resp, 400).await, "badRequest");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn tags_limit_can_count_commas() {
    let sb = sandbox().await;
    let t = token(&sb);
    let mut m = meta("Tags");
    m["snippet"]["tags"] = json!(vec!["x".repeat(100); 5]);
    assert_eq!(start_upload(&sb, &t, &m, Some(10)).await.status(), 200);
    set(&sb, json!({"tags_count_commas": true}));
    let resp = start_upload(&sb, &t, &m, Some(10)).await;
    assert_eq!(reason(resp, 400).await, "invalidTags");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn malformed_session_requests_never_500() {
    let sb = sandbox().await;
    let t = token(&sb);
    let uri = session(&sb, &t, &meta("Garbage"), 1000).await;
    for range in [
        "bytes",
        "bytes 10-5/1000",
        "bytes 0-1000/1000",
        "bytes a-b/1000",
        "items 0-9/1000",
        "bytes 0-9/x",
        "bytes -9/1000",
    ] {
        let resp = http()
            .put(&uri)
            .header("content-range", range)
            .body(vec![0u8; 10])
            .send()
            .await
            .expect("put");
        assert_eq!(reason(resp, 400).await, "badRequest", "{range}");
    }
    // Content-Range total differing from X-Upload-Content-Length.
    let resp = put_chunk(&uri, &[0u8; 10], 0, "2000").await;
    assert_eq!(reason(resp, 400).await, "badRequest");
    let resp = probe(&uri, "999").await;
    assert_eq!(reason(resp, 400).await, "badRequest");
    // An image is not a video.
    let resp = http()
        .put(&uri)
        .header("content-type", "image/png")
        .header("content-range", "bytes 0-999/1000")
        .body(vec![0u8; 1000])
        .send()
        .await
        .expect("put");
    assert_eq!(reason(resp, 400).await, "badContent");
    // Unknown session, missing upload_id.
    let resp = put_chunk(
        &yt(
            &sb,
            "/upload/youtube/v3/videos?uploadType=resumable&upload_id=nope",
        ),
        &[0u8; 10],
        0,
        "10",
    )
    .await;
    assert_eq!(reason(resp, 404).await, "notFound");
    let resp = put_chunk(&yt(&sb, "/upload/youtube/v3/videos"), &[0u8; 10], 0, "10").await;
    assert_eq!(reason(resp, 400).await, "required");
    // Nothing above broke the session.
    let resp = probe(&uri, "1000").await;
    assert_eq!(resp.status(), 308);
    assert_eq!(range_header(&resp), None);
    let no500 = sb
        .requests(Some("youtube"))
        .iter()
        .all(|r| r.status.is_some_and(|s| s < 500));
    assert!(no500);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn sessions_expire_after_about_a_week() {
    let sb = sandbox().await;
    let t = token(&sb);
    let data = mp4(2 * KIB256);
    let total = data.len().to_string();
    let uri = session(&sb, &t, &meta("Slow"), data.len() as u64).await;
    assert_eq!(
        put_chunk(&uri, &data[..KIB256], 0, &total).await.status(),
        308
    );
    sb.advance_clock(6 * 24 * 3600);
    assert_eq!(probe(&uri, &total).await.status(), 308, "day 6: alive");
    sb.advance_clock(24 * 3600 + 1);
    let resp = probe(&uri, &total).await;
    assert_eq!(reason(resp, 410).await, "gone");
    let resp = put_chunk(&uri, &data[KIB256..], KIB256 as u64, &total).await;
    assert_eq!(resp.status(), 410);
    // Shorter sessions are a setting.
    set(&sb, json!({"session_ttl_secs": 60}));
    let t = token(&sb);
    let uri = session(&sb, &t, &meta("Short-lived"), 10).await;
    sb.advance_clock(61);
    assert_eq!(probe(&uri, "10").await.status(), 410);
    assert!(sb.received(Some("youtube")).is_empty());
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn upload_needs_an_upload_scope_and_a_valid_token() {
    let sb = sandbox().await;
    let read_only = token_with(
        &sb,
        creator(),
        &[creatorflow_sandbox::platforms::youtube::SCOPE_READONLY],
    );
    let resp = start_upload(&sb, &read_only, &meta("x"), Some(10)).await;
    assert_eq!(reason(resp, 403).await, "insufficientPermissions");
    let resp = start_upload(&sb, "ya29.invalid", &meta("x"), Some(10)).await;
    assert!(resp.headers().contains_key("www-authenticate"));
    assert_eq!(reason(resp, 401).await, "authError");
    let resp = http()
        .post(yt(
            &sb,
            "/upload/youtube/v3/videos?uploadType=resumable&part=snippet",
        ))
        .json(&meta("x"))
        .send()
        .await
        .expect("post");
    assert_eq!(reason(resp, 401).await, "required");
    sb.shutdown().await.expect("shutdown");
}

/// A client that writes its whole chunk before reading (httplib2, curl without
/// `Expect`) must see an injected 503, not a broken pipe.
#[tokio::test]
async fn an_injected_503_is_answered_after_the_chunk_was_read() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let sb = sandbox().await;
    let t = token(&sb);
    let data = mp4(16 * KIB256);
    let uri = session(&sb, &t, &meta("Raw client"), data.len() as u64).await;
    let u = url::Url::parse(&uri).expect("uri");
    sb.inject_fault(FaultSpec::new(
        Some("PUT"),
        UPLOAD_PATH,
        Fault::Status {
            status: 503,
            body: None,
        },
    ))
    .expect("fault");
    let mut sock = tokio::net::TcpStream::connect(sb.addr())
        .await
        .expect("connect");
    let head = format!(
        "PUT {}?{} HTTP/1.1\r\nHost: {}\r\nContent-Type: video/mp4\r\nContent-Length: {}\r\nContent-Range: bytes 0-{}/{}\r\nConnection: close\r\n\r\n",
        u.path(),
        u.query().unwrap_or(""),
        sb.addr(),
        data.len(),
        data.len() - 1,
        data.len()
    );
    sock.write_all(head.as_bytes()).await.expect("head");
    sock.write_all(&data).await.expect("the whole body is read");
    let mut answer = Vec::new();
    let _ = sock.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("backendError"), "{text}");
    // The chunk was not stored; sending it again completes the upload.
    let resp = probe(&uri, &data.len().to_string()).await;
    assert_eq!(range_header(&resp), None);
    let resp = put_chunk(&uri, &data, 0, &data.len().to_string()).await;
    assert_eq!(resp.status(), 200);
    sb.shutdown().await.expect("shutdown");
}

/// Large uploads stream through in chunks of several MiB.
#[tokio::test]
async fn a_larger_upload_in_8_mib_chunks() {
    let sb = sandbox().await;
    let t = token(&sb);
    let data = mp4(20 * 1024 * 1024 + 3);
    let total = data.len().to_string();
    let uri = session(&sb, &t, &meta("Twenty MiB"), data.len() as u64).await;
    let step = 32 * KIB256;
    let mut start = 0;
    while start < data.len() {
        let end = (start + step).min(data.len());
        let resp = put_chunk(&uri, &data[start..end], start as u64, &total).await;
        if end < data.len() {
            assert_eq!(resp.status(), 308);
            assert_eq!(range_header(&resp), Some(format!("bytes=0-{}", end - 1)));
        } else {
            assert_eq!(resp.status(), 200);
        }
        start = end;
    }
    let posts = sb.received(Some("youtube"));
    assert_eq!(posts[0].media[0].size, data.len() as u64);
    assert_eq!(
        posts[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&data).as_str())
    );
    sb.shutdown().await.expect("shutdown");
}
