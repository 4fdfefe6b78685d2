//! TikTok Content Posting API over real HTTP: envelope on errors, creator_info,
//! init validation (privacy, chunk arithmetic, URL ownership, photos), unaudited
//! rules, caps, inbox flow, per-token rate limits.
//! Written from docs/platforms/tiktok.md §2–§8 and §11.

mod tiktok_support;

use serde_json::{Value, json};
use tiktok_support::*;

const VIDEO_INIT: &str = "/v2/post/publish/video/init/";
const INBOX_INIT: &str = "/v2/post/publish/inbox/video/init/";
const CONTENT_INIT: &str = "/v2/post/publish/content/init/";
const CREATOR_INFO: &str = "/v2/post/publish/creator_info/query/";
/// TikTok's sizes are decimal (§6.1).
const MB: u64 = 1_000_000;
/// TikTok's message for a chunk over the maximum (§6.1).
const CHUNK_SIZE_INVALID: &str = "The chunk size is invalid";

/// Lifts the 6/min init limits so a test can send many inits.
fn lift_init_limits(sb: &creatorflow_sandbox::SandboxHandle) {
    for name in [
        "POST /v2/post/publish/video/init/",
        "POST /v2/post/publish/inbox/video/init/",
        "POST /v2/post/publish/content/init/",
    ] {
        sb.set_quota(creatorflow_sandbox::QuotaSpec {
            platform: "tiktok".into(),
            name: name.into(),
            limit: 1000,
            window_secs: Some(60),
            daily_utc: false,
        })
        .expect("quota");
    }
}

async fn raw(
    sb: &creatorflow_sandbox::SandboxHandle,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut req = http().request(method, tt(sb, path)).body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("application/json"), "{path}: JSON, got {ct}");
    (status, resp.json().await.expect("JSON body"))
}

#[tokio::test]
async fn every_error_keeps_the_envelope() {
    let sb = sandbox().await;
    lift_init_limits(&sb);
    // The good bodies post to the public creator: only an audited client may.
    settings(&sb, json!({ "audited": true }));
    let t = token(&sb);
    let json_ct = Some("application/json; charset=UTF-8");
    let post = reqwest::Method::POST;

    // No / unknown token.
    for path in [CREATOR_INFO, VIDEO_INIT, INBOX_INIT, CONTENT_INIT] {
        let (s, b) = raw(&sb, post.clone(), path, None, json_ct, b"{}".to_vec()).await;
        assert_eq!(s, 401, "{path}");
        assert_error(&b, "access_token_invalid");
        let (s, b) = raw(
            &sb,
            post.clone(),
            path,
            Some("act.nope"),
            json_ct,
            b"{}".to_vec(),
        )
        .await;
        assert_eq!(s, 401, "{path}");
        assert_error(&b, "access_token_invalid");
    }
    // Malformed bodies: never a panic or a generic 500.
    // (what, body, also invalid for the inbox endpoint, which reads only source_info)
    let file = r#""source_info":{"source":"FILE_UPLOAD","video_size":1000,"chunk_size":1000,"total_chunk_count":1}"#;
    let bad_bodies: Vec<(&str, String, bool)> = vec![
        ("not json", "{\"post_info\":".into(), true),
        ("array", "[1,2]".into(), true),
        ("null", "null".into(), true),
        ("empty", String::new(), true),
        ("missing source_info", r#"{"post_info":{"privacy_level":"SELF_ONLY"}}"#.into(), true),
        ("negative size", r#"{"post_info":{"privacy_level":"SELF_ONLY"},"source_info":{"source":"FILE_UPLOAD","video_size":-1,"chunk_size":1000,"total_chunk_count":1}}"#.into(), true),
        ("huge size", r#"{"post_info":{"privacy_level":"SELF_ONLY"},"source_info":{"source":"FILE_UPLOAD","video_size":1e30,"chunk_size":1000,"total_chunk_count":1}}"#.into(), true),
        ("size as string", r#"{"post_info":{"privacy_level":"SELF_ONLY"},"source_info":{"source":"FILE_UPLOAD","video_size":"1000","chunk_size":1000,"total_chunk_count":1}}"#.into(), true),
        ("missing chunk fields", r#"{"post_info":{"privacy_level":"SELF_ONLY"},"source_info":{"source":"FILE_UPLOAD"}}"#.into(), true),
        ("unknown source", r#"{"post_info":{"privacy_level":"SELF_ONLY"},"source_info":{"source":"CARRIER_PIGEON"}}"#.into(), true),
        ("source_info not an object", r#"{"post_info":{"privacy_level":"SELF_ONLY"},"source_info":"FILE_UPLOAD"}"#.into(), true),
        ("missing post_info", format!("{{{file}}}"), false),
        ("post_info not an object", format!(r#"{{"post_info":[],{file}}}"#), false),
        ("title not a string", format!(r#"{{"post_info":{{"title":5,"privacy_level":"SELF_ONLY"}},{file}}}"#), false),
        ("toggle not a bool", format!(r#"{{"post_info":{{"privacy_level":"SELF_ONLY","disable_duet":"no"}},{file}}}"#), false),
        ("cover timestamp negative", format!(r#"{{"post_info":{{"privacy_level":"SELF_ONLY","video_cover_timestamp_ms":-5}},{file}}}"#), false),
        ("missing privacy", format!(r#"{{"post_info":{{"title":"x"}},{file}}}"#), false),
        ("privacy not in the enum", format!(r#"{{"post_info":{{"privacy_level":"public"}},{file}}}"#), false),
        ("title over 2200", format!(r#"{{"post_info":{{"title":"{}","privacy_level":"SELF_ONLY"}},{file}}}"#, "t".repeat(2201)), false),
    ];
    for (what, body, inbox_too) in bad_bodies {
        let body = body.into_bytes();
        let (s, b) = raw(
            &sb,
            post.clone(),
            VIDEO_INIT,
            Some(&t),
            json_ct,
            body.clone(),
        )
        .await;
        assert_eq!(s, 400, "video init, {what}: {b}");
        assert_error(&b, "invalid_params");
        if inbox_too {
            let (s, b) = raw(
                &sb,
                post.clone(),
                INBOX_INIT,
                Some(&t),
                json_ct,
                body.clone(),
            )
            .await;
            assert_eq!(s, 400, "inbox init, {what}: {b}");
            assert_error(&b, "invalid_params");
        }
        let (s, b) = raw(&sb, post.clone(), CONTENT_INIT, Some(&t), json_ct, body).await;
        assert_eq!(s, 400, "content init, {what}: {b}");
        assert_error(&b, "invalid_params");
    }
    // Not UTF-8 at all.
    let (s, b) = raw(
        &sb,
        post.clone(),
        VIDEO_INIT,
        Some(&t),
        json_ct,
        vec![0xff, 0xfe, 0x00],
    )
    .await;
    assert_eq!(s, 400);
    assert_error(&b, "invalid_params");
    // A 2200-character caption (UTF-16 units) is fine.
    let mut ok = video_body("SELF_ONLY", 1000, 1000, 1);
    ok["post_info"]["title"] = json!("😀".repeat(1100));
    let (s, b) = api_post(&sb, &t, VIDEO_INIT, &ok).await;
    assert_eq!(s, 200, "{b}");
    ok["post_info"]["title"] = json!(format!("{}a", "😀".repeat(1100)));
    let (s, b) = api_post(&sb, &t, VIDEO_INIT, &ok).await;
    assert_eq!(s, 400, "{b}");
    // Wrong content type.
    let good = serde_json::to_vec(&video_body("SELF_ONLY", 1000, 1000, 1)).unwrap_or_default();
    let (s, b) = raw(
        &sb,
        post.clone(),
        VIDEO_INIT,
        Some(&t),
        Some("text/plain"),
        good.clone(),
    )
    .await;
    assert_eq!(s, 400);
    assert_error(&b, "invalid_params");
    // status/fetch without or with a bad publish_id.
    for body in [
        &b"{}"[..],
        br#"{"publish_id":7}"#,
        br#"{"publish_id":"v_pub_file~v2-1.1"}"#,
    ] {
        let (s, b) = raw(
            &sb,
            post.clone(),
            "/v2/post/publish/status/fetch/",
            Some(&t),
            json_ct,
            body.to_vec(),
        )
        .await;
        assert_eq!(s, 400, "{}", String::from_utf8_lossy(body));
        assert_error(&b, "invalid_params");
    }
    // Unknown path, wrong method, oversized body: still TikTok's shape.
    let (s, b) = raw(
        &sb,
        post.clone(),
        "/v2/post/publish/nothing/",
        Some(&t),
        json_ct,
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(s, 404);
    assert_error(&b, "invalid_params");
    let (s, b) = raw(
        &sb,
        reqwest::Method::GET,
        VIDEO_INIT,
        Some(&t),
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, 405);
    assert_error(&b, "invalid_params");
    let (s, b) = raw(
        &sb,
        post.clone(),
        VIDEO_INIT,
        Some(&t),
        json_ct,
        vec![b' '; 2 * 1024 * 1024 + 1024],
    )
    .await;
    assert_eq!(s, 413);
    assert_error(&b, "invalid_params");
    // Nothing was received from all of this (file uploads wait for their bytes).
    assert!(sb.received(Some("tiktok")).is_empty());
    // The good body still works.
    let (s, b) = raw(&sb, post, VIDEO_INIT, Some(&t), json_ct, good).await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn creator_info_differs_for_public_and_private_creators() {
    let sb = sandbox().await;
    // Audited: the options depend on the account (unaudited, both get only SELF_ONLY:
    // see unaudited_client_rules).
    settings(&sb, json!({ "audited": true }));
    let (s, b) = api_post(&sb, &token(&sb), CREATOR_INFO, &json!({})).await;
    assert_eq!(s, 200);
    let d = assert_ok(&b);
    assert_eq!(d["creator_username"], "sandbox.creator");
    assert_eq!(d["creator_nickname"], "Sandbox Creator");
    assert!(
        d["creator_avatar_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://127.0.0.1:"))
    );
    assert_eq!(
        d["privacy_level_options"],
        json!(["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"])
    );
    assert_eq!(d["comment_disabled"], false);
    assert_eq!(d["duet_disabled"], false);
    assert_eq!(d["stitch_disabled"], false);
    assert_eq!(d["max_video_post_duration_sec"], 600);

    let private = token_for(&sb, private_id(), &["video.publish"]);
    let (s, b) = api_post(&sb, &private, CREATOR_INFO, &json!({})).await;
    assert_eq!(s, 200);
    let d = assert_ok(&b);
    assert_eq!(d["creator_username"], "sandbox.studio");
    let options = d["privacy_level_options"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !options.contains(&json!("PUBLIC_TO_EVERYONE")),
        "{options:?}"
    );
    assert!(options.contains(&json!("SELF_ONLY")));
    assert_eq!(d["stitch_disabled"], true);
    assert_eq!(d["max_video_post_duration_sec"], 300);

    // video.publish is required.
    let upload_only = token_for(&sb, public_id(), &["video.upload", "user.info.basic"]);
    let (s, b) = api_post(&sb, &upload_only, CREATOR_INFO, &json!({})).await;
    assert_eq!(s, 401);
    assert_error(&b, "scope_not_authorized");
    // No body at all is fine (the documented call has none).
    let resp = http()
        .post(tt(&sb, CREATOR_INFO))
        .bearer_auth(token(&sb))
        .send()
        .await
        .expect("creator info");
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn privacy_level_must_be_one_of_the_creators_options() {
    let sb = sandbox().await;
    lift_init_limits(&sb);
    settings(&sb, json!({ "audited": true }));
    let public = token(&sb);
    let private = token_for(&sb, private_id(), &["video.publish"]);
    let (s, b) = api_post(
        &sb,
        &public,
        VIDEO_INIT,
        &video_body("FOLLOWER_OF_CREATOR", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 403);
    assert_error(&b, "privacy_level_option_mismatch");
    let (s, b) = api_post(
        &sb,
        &private,
        VIDEO_INIT,
        &video_body("PUBLIC_TO_EVERYONE", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 403);
    assert_error(&b, "privacy_level_option_mismatch");
    for (t, level) in [
        (&public, "PUBLIC_TO_EVERYONE"),
        (&private, "FOLLOWER_OF_CREATOR"),
        (&private, "SELF_ONLY"),
    ] {
        let (s, b) = api_post(&sb, t, VIDEO_INIT, &video_body(level, 1000, 1000, 1)).await;
        assert_eq!(s, 200, "{level}: {b}");
    }
    // The HTTP status of policy errors is a setting (unverified).
    settings(&sb, json!({ "policy_error_status": 400 }));
    let (s, b) = api_post(
        &sb,
        &private,
        VIDEO_INIT,
        &video_body("PUBLIC_TO_EVERYONE", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 400);
    assert_error(&b, "privacy_level_option_mismatch");
}

#[tokio::test]
async fn chunk_arithmetic_is_validated_at_init() {
    let sb = sandbox().await;
    lift_init_limits(&sb);
    // The public creator posts: only an audited client may.
    settings(&sb, json!({ "daily_post_cap": 1000, "audited": true }));
    let t = token(&sb);
    // The worked example: 50,000,123 B with chunk_size 10,000,000 -> 5 chunks.
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 50_000_123, 10_000_000, 5),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let d = assert_ok(&b);
    assert!(
        d["publish_id"]
            .as_str()
            .is_some_and(|p| p.starts_with("v_pub_file~"))
    );
    let url = url::Url::parse(d["upload_url"].as_str().unwrap_or_default()).expect("upload_url");
    assert_eq!(url.host_str(), Some("127.0.0.1"));
    assert_eq!(url.path(), "/tiktok/upload/video/");
    let q: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert!(param(&q, "upload_id").is_some_and(|v| !v.is_empty()));
    assert!(param(&q, "upload_token").is_some_and(|v| !v.is_empty()));

    let refused: &[(u64, u64, u64, &str)] = &[
        (
            50_000_123,
            10_000_000,
            6,
            "count is floor(size/chunk), not ceil",
        ),
        (50_000_123, 10_000_000, 4, "too few chunks"),
        (3 * MB, MB, 3, "under 5 MB is uploaded whole"),
        (3 * MB, 3 * MB, 2, "whole means one chunk"),
        (5 * MB - 1, 2_500_000, 2, "4,999,999 B is under 5 MB"),
        (100 * MB, 100 * MB, 1, "over 64 MB must be chunked"),
        (
            100 * MB,
            64 * MB,
            1,
            "one chunk of 100 MB, even with chunk_size 64 MB",
        ),
        (64 * MB + 1, 64 * MB + 1, 1, "64,000,001 B in one chunk"),
        (
            64 * 1024 * 1024,
            64 * 1024 * 1024,
            1,
            "64 MiB in one chunk is over 64 MB",
        ),
        (50 * MB, 4 * MB, 12, "chunks are at least 5 MB"),
        (50 * MB, 5 * MB - 1, 10, "5 MB is 5,000,000 B"),
        (200 * MB, 65 * MB, 3, "chunks are at most 64 MB"),
        (640 * MB, 64 * MB + 1, 9, "64 MB is 64,000,000 B"),
        (5_000 * MB, 64 * MB, 78, "over the 4 GB maximum"),
        (4_000 * MB + 1, 40 * MB, 100, "4 GB is 4,000,000,000 B"),
        (0, 0, 0, "zero"),
    ];
    for (size, chunk, count, why) in refused {
        let (s, b) = api_post(
            &sb,
            &t,
            VIDEO_INIT,
            &video_body("SELF_ONLY", *size, *chunk, *count),
        )
        .await;
        assert_eq!(s, 400, "{why}: {b}");
        let message = assert_error(&b, "invalid_params");
        // A single chunk over 64 MB gets TikTok's own message.
        if *count == 1 && *size > 64 * MB {
            assert_eq!(message, CHUNK_SIZE_INVALID, "{why}");
        }
    }
    let accepted: &[(u64, u64, u64, &str)] = &[
        (3 * MB, 3 * MB, 1, "under 5 MB whole"),
        (5 * MB - 1, 5 * MB - 1, 1, "4,999,999 B whole"),
        (50 * MB, 5 * MB, 10, "chunks of exactly 5 MB"),
        (130 * MB, 64 * MB, 2, "two chunks, the last 66 MB"),
        (
            200 * MB,
            64 * MB,
            3,
            "the last chunk absorbs the remainder (72 MB)",
        ),
        (64 * MB, 64 * MB, 1, "64 MB in one chunk"),
        (64 * MB + 1, 32 * MB, 2, "two chunks, the last 32,000,001 B"),
        (100 * MB, 50 * MB, 2, "100 MB in two chunks"),
        (4_000 * MB, 40 * MB, 100, "exactly 4 GB"),
    ];
    for (size, chunk, count, why) in accepted {
        let (s, b) = api_post(
            &sb,
            &t,
            VIDEO_INIT,
            &video_body("SELF_ONLY", *size, *chunk, *count),
        )
        .await;
        assert_eq!(s, 200, "{why}: {b}");
    }
    // 1000 chunks at most (over 4 GB, so with the maximum size raised).
    settings(&sb, json!({ "max_video_size": 8_000 * MB }));
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 1000 * 5 * MB, 5 * MB, 1000),
    )
    .await;
    assert_eq!(s, 200, "exactly 1000 chunks: {b}");
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 1001 * 5 * MB, 5 * MB, 1001),
    )
    .await;
    assert_eq!(s, 400, "1001 chunks: {b}");
    // The same rules apply to inbox uploads.
    let (s, _) = api_post(&sb, &t, INBOX_INIT, &json!({"source_info": {"source":"FILE_UPLOAD","video_size":50_000_123,"chunk_size":10_000_000,"total_chunk_count":6}})).await;
    assert_eq!(s, 400);
    // Chunk limits are settings.
    settings(
        &sb,
        json!({ "min_chunk_size": 1000, "max_chunk_size": 4000, "max_final_chunk_size": 8000 }),
    );
    let (s, _) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 10_000, 3000, 3),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 10_000, 5000, 2),
    )
    .await;
    assert_eq!(s, 400, "chunk over the lowered maximum");
    // Inconsistent limits are refused.
    assert!(
        sb.update_platform_settings("tiktok", json!({ "min_chunk_size": 9000 }))
            .is_err()
    );
    assert!(
        sb.update_platform_settings("tiktok", json!({ "chunk_error_status": 500 }))
            .is_err()
    );
    assert!(
        sb.update_platform_settings("tiktok", json!({ "no_such_setting": 1 }))
            .is_err()
    );
}

#[tokio::test]
async fn pull_from_url_needs_a_verified_prefix() {
    let sb = sandbox().await;
    lift_init_limits(&sb);
    // The public creator posts: only an audited client may.
    settings(&sb, json!({ "audited": true }));
    let t = token(&sb);
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body("SELF_ONLY", "https://elsewhere.example/v.mp4"),
    )
    .await;
    assert_eq!(s, 403);
    assert_error(&b, "url_ownership_unverified");
    // A look-alike host is not the verified prefix.
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body(
            "SELF_ONLY",
            "https://media.creatorflow.test.evil.example/v.mp4",
        ),
    )
    .await;
    assert_eq!(s, 403);
    assert_error(&b, "url_ownership_unverified");
    let (s, b) = api_post(&sb, &t, VIDEO_INIT, &pull_body("SELF_ONLY", "not a url")).await;
    assert_eq!(s, 400);
    assert_error(&b, "invalid_params");
    let (s, b) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body("SELF_ONLY", &format!("{VERIFIED}clips/v.mp4")),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let d = assert_ok(&b);
    assert!(
        d["publish_id"]
            .as_str()
            .is_some_and(|p| p.starts_with("v_pub_url~"))
    );
    assert!(d.get("upload_url").is_none(), "no upload_url for pulls");
    // The verified list is a setting.
    settings(
        &sb,
        json!({ "verified_url_prefixes": ["https://cdn.example.org/creator/"] }),
    );
    let (s, _) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body("SELF_ONLY", "https://cdn.example.org/creator/a.mp4"),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = api_post(
        &sb,
        &t,
        VIDEO_INIT,
        &pull_body("SELF_ONLY", &format!("{VERIFIED}clips/v.mp4")),
    )
    .await;
    assert_eq!(s, 403);
    // Inbox pulls too.
    let (s, b) = api_post(&sb, &t, INBOX_INIT, &json!({"source_info": {"source":"PULL_FROM_URL","video_url":"https://elsewhere.example/v.mp4"}})).await;
    assert_eq!(s, 403);
    assert_error(&b, "url_ownership_unverified");
}

fn photo_body(mode: &str, images: Vec<String>) -> Value {
    json!({
        "media_type": "PHOTO",
        "post_mode": mode,
        "post_info": {
            "title": "photo title",
            "description": "photo description #tag",
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "disable_comment": false,
            "auto_add_music": true
        },
        "source_info": { "source": "PULL_FROM_URL", "photo_cover_index": 0, "photo_images": images }
    })
}

fn images(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("{VERIFIED}photos/{i}.jpg"))
        .collect()
}

#[tokio::test]
async fn photo_init_validation_and_flow() {
    let sb = sandbox().await;
    lift_init_limits(&sb);
    // PUBLIC_TO_EVERYONE photos on the public creator: only an audited client may.
    settings(&sb, json!({ "audited": true }));
    let t = token(&sb);
    let (s, b) = api_post(
        &sb,
        &t,
        CONTENT_INIT,
        &photo_body("DIRECT_POST", images(35)),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let id = assert_ok(&b)["publish_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(id.starts_with("p_pub_url~"), "{id}");

    let mut cases: Vec<(&str, Value)> = Vec::new();
    cases.push(("36 images", photo_body("DIRECT_POST", images(36))));
    cases.push(("no image", photo_body("DIRECT_POST", images(0))));
    let mut v = photo_body("DIRECT_POST", images(2));
    v["post_info"]["title"] = json!("t".repeat(91));
    cases.push(("title over 90", v));
    let mut v = photo_body("DIRECT_POST", images(2));
    v["post_info"]["title"] = json!("😀".repeat(46)); // 92 UTF-16 units
    cases.push(("title over 90 UTF-16 units", v));
    let mut v = photo_body("DIRECT_POST", images(2));
    v["post_info"]["description"] = json!("d".repeat(4001));
    cases.push(("description over 4000", v));
    let mut v = photo_body("DIRECT_POST", images(2));
    v["source_info"]["source"] = json!("FILE_UPLOAD");
    cases.push(("photos are pulled only", v));
    let mut v = photo_body("DIRECT_POST", images(2));
    v["media_type"] = json!("VIDEO");
    cases.push(("media_type PHOTO only", v));
    let mut v = photo_body("DIRECT_POST", images(2));
    v["post_mode"] = json!("DIRECT POST");
    cases.push(("post_mode enum", v));
    let mut v = photo_body("DIRECT_POST", images(2));
    v["source_info"]["photo_cover_index"] = json!(2);
    cases.push(("cover index out of range", v));
    let mut v = photo_body("DIRECT_POST", images(2));
    v["source_info"]["photo_images"] = json!([1, 2]);
    cases.push(("images are strings", v));
    let mut v = photo_body("DIRECT_POST", images(2));
    v["post_info"]["privacy_level"] = Value::Null;
    cases.push(("direct post needs privacy", v));
    for (why, body) in cases {
        let (s, b) = api_post(&sb, &t, CONTENT_INIT, &body).await;
        assert_eq!(s, 400, "{why}: {b}");
        assert_error(&b, "invalid_params");
    }
    let mut v = photo_body("DIRECT_POST", images(2));
    v["post_info"]["title"] = json!("😀".repeat(45)); // exactly 90 UTF-16 units
    let (s, b) = api_post(&sb, &t, CONTENT_INIT, &v).await;
    assert_eq!(s, 200, "{b}");
    let mut bad = images(2);
    bad.push("https://elsewhere.example/x.jpg".into());
    let (s, b) = api_post(&sb, &t, CONTENT_INIT, &photo_body("DIRECT_POST", bad)).await;
    assert_eq!(s, 403);
    assert_error(&b, "url_ownership_unverified");

    // Scopes: DIRECT_POST needs video.publish, MEDIA_UPLOAD video.upload.
    let upload_only = token_for(&sb, public_id(), &["video.upload"]);
    let (s, b) = api_post(
        &sb,
        &upload_only,
        CONTENT_INIT,
        &photo_body("DIRECT_POST", images(1)),
    )
    .await;
    assert_eq!(s, 401);
    assert_error(&b, "scope_not_authorized");
    let (s, b) = api_post(
        &sb,
        &upload_only,
        CONTENT_INIT,
        &photo_body("MEDIA_UPLOAD", images(1)),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let inbox_id = assert_ok(&b)["publish_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(inbox_id.starts_with("p_inbox_url~"), "{inbox_id}");

    // Status: downloading, then complete, then the post id.
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "PROCESSING_DOWNLOAD");
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "PUBLISH_COMPLETE");
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(
        d["publicaly_available_post_id"].as_array().map(Vec::len),
        Some(1)
    );
    let d = fetch_status(&sb, &upload_only, &inbox_id).await;
    assert_eq!(d["status"], "PROCESSING_DOWNLOAD");
    let d = fetch_status(&sb, &upload_only, &inbox_id).await;
    assert_eq!(d["status"], "SEND_TO_USER_INBOX");
    assert_eq!(d["publicaly_available_post_id"], json!([]));

    let received = sb.received(Some("tiktok"));
    let first = received
        .iter()
        .find(|p| p.remote_id == id)
        .expect("photo post received");
    assert_eq!(first.media.len(), 35);
    assert!(
        first
            .media
            .iter()
            .all(|m| m.kind == "image" && m.mime == "image/jpeg")
    );
    assert!(first.text.contains("photo title") && first.text.contains("photo description"));
    assert_eq!(first.extra["post_mode"], "DIRECT_POST");
    assert_eq!(first.extra["status"], "PUBLISH_COMPLETE");
}

#[tokio::test]
async fn unaudited_client_rules() {
    let sb = sandbox().await;
    lift_init_limits(&sb);
    // Every client starts unaudited (§4.3): nothing is switched on here.
    let defaults = sb.platform_settings("tiktok").expect("settings");
    assert_eq!(defaults["audited"], false);
    assert_eq!(defaults["unaudited_max_users"], 5);
    let public = token(&sb);
    let private = token_for(&sb, private_id(), &["video.publish"]);
    // Only SELF_ONLY is offered, to public and private creators alike.
    for t in [&public, &private] {
        let (s, b) = api_post(&sb, t, CREATOR_INFO, &json!({})).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(assert_ok(&b)["privacy_level_options"], json!(["SELF_ONLY"]));
    }
    // A public account cannot be posted to at all, even SELF_ONLY (video or photo).
    for level in ["SELF_ONLY", "PUBLIC_TO_EVERYONE"] {
        let (s, b) = api_post(&sb, &public, VIDEO_INIT, &video_body(level, 1000, 1000, 1)).await;
        assert_eq!(s, 403, "{level}: {b}");
        assert_error(&b, "unaudited_client_can_only_post_to_private_accounts");
    }
    let mut self_only_photo = photo_body("DIRECT_POST", images(1));
    self_only_photo["post_info"]["privacy_level"] = json!("SELF_ONLY");
    let (s, b) = api_post(&sb, &public, CONTENT_INIT, &self_only_photo).await;
    assert_eq!(s, 403, "{b}");
    assert_error(&b, "unaudited_client_can_only_post_to_private_accounts");
    // A private account may post, SELF_ONLY only.
    let (s, b) = api_post(
        &sb,
        &private,
        VIDEO_INIT,
        &video_body("FOLLOWER_OF_CREATOR", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 403);
    assert_error(&b, "privacy_level_option_mismatch");
    let (s, b) = api_post(
        &sb,
        &private,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = api_post(&sb, &private, CONTENT_INIT, &self_only_photo).await;
    assert_eq!(s, 200, "{b}");
    // Inbox uploads are not direct posts: no unaudited restriction.
    let (s, _) = api_post(&sb, &public, INBOX_INIT, &json!({"source_info": {"source":"FILE_UPLOAD","video_size":1000,"chunk_size":1000,"total_chunk_count":1}})).await;
    assert_eq!(s, 200);

    // At most `unaudited_max_users` distinct posting users per 24 h. With a cap of
    // one, the private creator holds the slot and keeps posting.
    settings(&sb, json!({ "unaudited_max_users": 1 }));
    let (s, b) = api_post(
        &sb,
        &private,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 200, "the same user does not take another slot: {b}");
    sb.advance_clock(24 * 3600 + 1);
    // Access tokens live 2 h: take fresh ones.
    let private = token_for(&sb, private_id(), &["video.publish"]);
    let public = token(&sb);
    // The slot is free again; the public creator takes it while the client is
    // audited.
    settings(&sb, json!({ "audited": true }));
    let (s, b) = api_post(
        &sb,
        &public,
        VIDEO_INIT,
        &video_body("PUBLIC_TO_EVERYONE", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    settings(&sb, json!({ "audited": false }));
    // The one user slot of the last 24 h is taken: a new user is refused.
    let (s, b) = api_post(
        &sb,
        &private,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 403);
    assert_error(&b, "reached_active_user_cap");
    let (s, b) = api_post(&sb, &private, CONTENT_INIT, &self_only_photo).await;
    assert_eq!(s, 403);
    assert_error(&b, "reached_active_user_cap");
    // A second slot lets them in.
    settings(&sb, json!({ "unaudited_max_users": 2 }));
    let (s, b) = api_post(
        &sb,
        &private,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn single_chunk_over_64_mb_and_strict_final_chunk() {
    let sb = sandbox().await;
    lift_init_limits(&sb);
    // The default, unaudited client: the private creator posts SELF_ONLY, and the
    // public one uploads to its inbox (no audit needed for either). Only sizes are
    // sent: the inits are what is checked.
    let private = token_for(&sb, private_id(), &["video.publish"]);
    let inbox = token_for(&sb, public_id(), &["video.upload"]);
    let inbox_body = |size: u64, chunk: u64, count: u64| json!({"source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": count}});
    let refused_with_chunk_size_invalid = |(s, b): (u16, Value), why: &str| {
        assert_eq!(s, 400, "{why}: {b}");
        assert_eq!(
            assert_error(&b, "invalid_params"),
            CHUNK_SIZE_INVALID,
            "{why}"
        );
    };
    // A single chunk over 64 MB (64,000,000 B) is refused, on both init endpoints.
    for (size, chunk, why) in [
        (64 * MB + 1, 64 * MB + 1, "64,000,001 B whole"),
        (
            100 * MB,
            64 * MB,
            "100 MB with chunk_size 64 MB is still one chunk",
        ),
    ] {
        refused_with_chunk_size_invalid(
            api_post(
                &sb,
                &private,
                VIDEO_INIT,
                &video_body("SELF_ONLY", size, chunk, 1),
            )
            .await,
            why,
        );
        refused_with_chunk_size_invalid(
            api_post(&sb, &inbox, INBOX_INIT, &inbox_body(size, chunk, 1)).await,
            why,
        );
    }
    let (s, b) = api_post(
        &sb,
        &private,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 64 * MB, 64 * MB, 1),
    )
    .await;
    assert_eq!(s, 200, "64 MB whole: {b}");
    // By default a final chunk over 64 MB is fine: 200,000,000 B in 64 MB chunks
    // gives 3 chunks, the last 72,000,000 B.
    let three_chunks = video_body("SELF_ONLY", 200 * MB, 64 * MB, 3);
    let (s, b) = api_post(&sb, &private, VIDEO_INIT, &three_chunks).await;
    assert_eq!(s, 200, "{b}");
    let d = assert_ok(&b);
    assert!(d["upload_url"].as_str().is_some_and(|u| !u.is_empty()));

    // The refusal of such multi-chunk inits is switched on over the control API.
    let resp = http()
        .post(control(&sb, "/settings/tiktok"))
        .json(&json!({ "strict_final_chunk": true }))
        .send()
        .await
        .expect("settings");
    assert!(resp.status().is_success(), "{}", resp.status());
    let s: Value = http()
        .get(control(&sb, "/settings/tiktok"))
        .send()
        .await
        .expect("settings")
        .json()
        .await
        .expect("json");
    assert_eq!(s["strict_final_chunk"], true);
    refused_with_chunk_size_invalid(
        api_post(&sb, &private, VIDEO_INIT, &three_chunks).await,
        "final chunk of 72 MB",
    );
    refused_with_chunk_size_invalid(
        api_post(&sb, &inbox, INBOX_INIT, &inbox_body(200 * MB, 64 * MB, 3)).await,
        "inbox: final chunk of 72 MB",
    );
    refused_with_chunk_size_invalid(
        api_post(
            &sb,
            &private,
            VIDEO_INIT,
            &video_body("SELF_ONLY", 128 * MB + 1, 64 * MB, 2),
        )
        .await,
        "final chunk of 64,000,001 B",
    );
    // Final chunks of 64 MB or less still pass.
    for (size, chunk, count) in [
        (128 * MB, 64 * MB, 2),
        (64 * MB + 1, 32 * MB, 2),
        (50_000_123, 10_000_000, 5),
    ] {
        let (s, b) = api_post(
            &sb,
            &private,
            VIDEO_INIT,
            &video_body("SELF_ONLY", size, chunk, count),
        )
        .await;
        assert_eq!(s, 200, "{size} in {count}: {b}");
    }
    // Off again: the same init passes.
    settings(&sb, json!({ "strict_final_chunk": false }));
    let (s, b) = api_post(&sb, &private, VIDEO_INIT, &three_chunks).await;
    assert_eq!(s, 200, "{b}");
    // The setting is a boolean.
    assert!(
        sb.update_platform_settings("tiktok", json!({ "strict_final_chunk": "yes" }))
            .is_err()
    );
}

#[tokio::test]
async fn daily_post_cap_per_creator() {
    let sb = sandbox().await;
    lift_init_limits(&sb);
    settings(&sb, json!({ "daily_post_cap": 2, "audited": true }));
    let t = token(&sb);
    for _ in 0..2 {
        let (s, _) = api_post(&sb, &t, VIDEO_INIT, &video_body("SELF_ONLY", 1000, 1000, 1)).await;
        assert_eq!(s, 200);
    }
    let (s, b) = api_post(&sb, &t, VIDEO_INIT, &video_body("SELF_ONLY", 1000, 1000, 1)).await;
    assert_eq!(s, 403);
    assert_error(&b, "spam_risk_too_many_posts");
    let (s, b) = api_post(&sb, &t, CONTENT_INIT, &photo_body("DIRECT_POST", images(1))).await;
    assert_eq!(s, 403);
    assert_error(&b, "spam_risk_too_many_posts");
    // creator_info tells before the user fills the form.
    let (s, b) = api_post(&sb, &t, CREATOR_INFO, &json!({})).await;
    assert_eq!(s, 403);
    assert_error(&b, "spam_risk_too_many_posts");
    // Per creator: the other creator is not affected.
    let private = token_for(&sb, private_id(), &["video.publish"]);
    let (s, _) = api_post(
        &sb,
        &private,
        VIDEO_INIT,
        &video_body("SELF_ONLY", 1000, 1000, 1),
    )
    .await;
    assert_eq!(s, 200);
    // Rolling 24 h.
    sb.advance_clock(24 * 3600 - 10);
    let t = token(&sb);
    let (s, _) = api_post(&sb, &t, VIDEO_INIT, &video_body("SELF_ONLY", 1000, 1000, 1)).await;
    assert_eq!(s, 403);
    sb.advance_clock(11);
    let (s, _) = api_post(&sb, &t, VIDEO_INIT, &video_body("SELF_ONLY", 1000, 1000, 1)).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn inbox_upload_flow_and_pending_share_cap() {
    let sb = sandbox().await;
    lift_init_limits(&sb);
    settings(&sb, json!({ "min_chunk_size": 100, "processing_polls": 0 }));
    // The default (unaudited) client: inbox uploads to a public creator are allowed.
    let t = token_for(&sb, public_id(), &["video.upload"]);
    // Direct posting needs video.publish.
    let (s, b) = api_post(&sb, &t, VIDEO_INIT, &video_body("SELF_ONLY", 50, 50, 1)).await;
    assert_eq!(s, 401);
    assert_error(&b, "scope_not_authorized");
    // post_info is not part of an inbox upload and is ignored.
    let (s, b) = api_post(
        &sb,
        &t,
        INBOX_INIT,
        &json!({"post_info": {"title": "ignored"}, "source_info": {"source":"FILE_UPLOAD","video_size":50,"chunk_size":50,"total_chunk_count":1}}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let d = assert_ok(&b);
    let id = d["publish_id"].as_str().unwrap_or_default().to_string();
    assert!(id.starts_with("v_inbox_file~"), "{id}");
    let url = d["upload_url"].as_str().unwrap_or_default().to_string();
    let bytes = mp4(50);
    let resp = put_chunk(&url, bytes.clone(), 0, 50, "video/mp4").await;
    assert_eq!(resp.status(), 201);
    let d = fetch_status(&sb, &t, &id).await;
    assert_eq!(d["status"], "SEND_TO_USER_INBOX");
    assert_eq!(d["uploaded_bytes"], 50);
    assert_eq!(d["publicaly_available_post_id"], json!([]));
    let received = sb.received(Some("tiktok"));
    let post = received
        .iter()
        .find(|p| p.remote_id == id)
        .expect("received");
    assert_eq!(post.text, "", "no caption for inbox uploads");
    assert_eq!(post.extra["post_mode"], "MEDIA_UPLOAD");
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );

    // Five pending shares per 24 h (this one included).
    let inbox =
        json!({"source_info": {"source":"PULL_FROM_URL","video_url": format!("{VERIFIED}v.mp4")}});
    for _ in 0..4 {
        let (s, _) = api_post(&sb, &t, INBOX_INIT, &inbox).await;
        assert_eq!(s, 200);
    }
    let (s, b) = api_post(&sb, &t, INBOX_INIT, &inbox).await;
    assert_eq!(s, 403);
    assert_error(&b, "spam_risk_too_many_pending_share");
    // Photo inbox uploads count as pending shares too.
    let (s, b) = api_post(
        &sb,
        &t,
        CONTENT_INIT,
        &photo_body("MEDIA_UPLOAD", images(1)),
    )
    .await;
    assert_eq!(s, 403);
    assert_error(&b, "spam_risk_too_many_pending_share");
    sb.advance_clock(24 * 3600 + 1);
    let t = token_for(&sb, public_id(), &["video.upload"]);
    let (s, _) = api_post(&sb, &t, INBOX_INIT, &inbox).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn init_is_limited_to_6_per_minute_per_token_sliding() {
    let sb = sandbox().await;
    settings(&sb, json!({ "daily_post_cap": 100, "audited": true }));
    let t = token(&sb);
    let body = video_body("SELF_ONLY", 1000, 1000, 1);
    // Refused requests count too (the limit is on requests).
    let (s, _) = api_post(&sb, &t, VIDEO_INIT, &json!({})).await;
    assert_eq!(s, 400);
    for _ in 0..3 {
        let (s, _) = api_post(&sb, &t, VIDEO_INIT, &body).await;
        assert_eq!(s, 200);
    }
    sb.advance_clock(30);
    for _ in 0..2 {
        let (s, _) = api_post(&sb, &t, VIDEO_INIT, &body).await;
        assert_eq!(s, 200);
    }
    let (s, b) = api_post(&sb, &t, VIDEO_INIT, &body).await;
    assert_eq!(s, 429);
    assert_error(&b, "rate_limit_exceeded");
    // Per token: another token of the same user has its own window.
    let other = token(&sb);
    let (s, _) = api_post(&sb, &other, VIDEO_INIT, &body).await;
    assert_eq!(s, 200);
    // The other init endpoints have their own windows.
    let (s, _) = api_post(&sb, &t, INBOX_INIT, &json!({"source_info": {"source":"FILE_UPLOAD","video_size":1000,"chunk_size":1000,"total_chunk_count":1}})).await;
    assert_eq!(s, 200);
    // Sliding: at +61 s the first four requests have left the window, the last two not.
    sb.advance_clock(31);
    for _ in 0..4 {
        let (s, _) = api_post(&sb, &t, VIDEO_INIT, &body).await;
        assert_eq!(s, 200);
    }
    let (s, b) = api_post(&sb, &t, VIDEO_INIT, &body).await;
    assert_eq!(s, 429);
    assert_error(&b, "rate_limit_exceeded");
    // Overridable by name through the control API.
    sb.set_quota(creatorflow_sandbox::QuotaSpec {
        platform: "tiktok".into(),
        name: "POST /v2/post/publish/video/init/".into(),
        limit: 1,
        window_secs: Some(60),
        daily_utc: false,
    })
    .expect("quota");
    let (s, _) = api_post(&sb, &t, VIDEO_INIT, &body).await;
    assert_eq!(s, 200, "the override restarted the window");
    let (s, _) = api_post(&sb, &t, VIDEO_INIT, &body).await;
    assert_eq!(s, 429);
}

#[tokio::test]
async fn creator_info_20_and_status_fetch_30_per_minute() {
    let sb = sandbox().await;
    // The init below posts to the public creator: only an audited client may.
    settings(&sb, json!({ "audited": true }));
    let t = token(&sb);
    for _ in 0..20 {
        let (s, _) = api_post(&sb, &t, CREATOR_INFO, &json!({})).await;
        assert_eq!(s, 200);
    }
    let (s, b) = api_post(&sb, &t, CREATOR_INFO, &json!({})).await;
    assert_eq!(s, 429);
    assert_error(&b, "rate_limit_exceeded");
    let (_, b) = api_post(&sb, &t, VIDEO_INIT, &video_body("SELF_ONLY", 1000, 1000, 1)).await;
    let id = assert_ok(&b)["publish_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for _ in 0..30 {
        fetch_status(&sb, &t, &id).await;
    }
    let (s, b) = api_post(
        &sb,
        &t,
        "/v2/post/publish/status/fetch/",
        &json!({ "publish_id": id }),
    )
    .await;
    assert_eq!(s, 429);
    assert_error(&b, "rate_limit_exceeded");
    sb.advance_clock(61);
    fetch_status(&sb, &t, &id).await;
    let (s, _) = api_post(&sb, &t, CREATOR_INFO, &json!({})).await;
    assert_eq!(s, 200);
}
