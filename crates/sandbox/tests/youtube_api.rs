//! YouTube Data API methods other than the upload, error shapes, faults,
//! persistence and the status page, over real HTTP. From
//! docs/platforms/youtube.md §4–§8 and §10.

mod youtube_common;

use creatorflow_sandbox::platforms::youtube::{
    SCOPE_FORCE_SSL, SCOPE_READONLY, SCOPE_UPLOAD, SCOPE_YOUTUBE, YOUTUBE_CHANNEL_STUDIO,
};
use creatorflow_sandbox::{ConsentMode, Fault, FaultSpec, SandboxConfig, SandboxHandle, start};
use serde_json::{Value, json};
use youtube_common::*;

/// A PNG header (29 bytes) followed by `extra` bytes.
fn png(extra: usize) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x05\0\0\0\x02\xd0\x08\x06\0\0\0".to_vec();
    v.resize(v.len() + extra, 3);
    v
}

async fn set_thumbnail(
    sb: &SandboxHandle,
    t: &str,
    video: &str,
    mime: &str,
    data: Vec<u8>,
) -> reqwest::Response {
    http()
        .post(yt(sb, "/upload/youtube/v3/thumbnails/set"))
        .query(&[("videoId", video), ("uploadType", "media")])
        .bearer_auth(t)
        .header("content-type", mime)
        .body(data)
        .send()
        .await
        .expect("thumbnail")
}

async fn delete(sb: &SandboxHandle, t: &str, id: &str) -> reqwest::Response {
    http()
        .delete(yt(sb, "/youtube/v3/videos"))
        .query(&[("id", id)])
        .bearer_auth(t)
        .send()
        .await
        .expect("delete")
}

fn studio_token(sb: &SandboxHandle) -> String {
    token_with(
        sb,
        YOUTUBE_CHANNEL_STUDIO.0,
        &[SCOPE_UPLOAD, SCOPE_READONLY, SCOPE_FORCE_SSL],
    )
}

#[tokio::test]
async fn channels_list_mine_shows_the_account() {
    let sb = sandbox().await;
    let t = login(&sb, &[]).await["access_token"]
        .as_str()
        .expect("at")
        .to_string();
    let (status, body) = get_json(
        &format!(
            "{}?part=snippet,contentDetails,statistics&mine=true",
            yt(&sb, "/youtube/v3/channels")
        ),
        &t,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["kind"], "youtube#channelListResponse");
    assert_eq!(body["pageInfo"]["totalResults"], 1);
    let ch = &body["items"][0];
    assert_eq!(ch["kind"], "youtube#channel");
    assert_eq!(ch["id"], creator());
    assert_eq!(ch["snippet"]["title"], "Sandbox Creator");
    assert_eq!(ch["snippet"]["customUrl"], "@sandboxcreator");
    assert_eq!(
        ch["contentDetails"]["relatedPlaylists"]["uploads"],
        format!("UU{}", &creator()[2..])
    );
    assert_eq!(ch["statistics"]["videoCount"], "0");
    let thumb = ch["snippet"]["thumbnails"]["default"]["url"]
        .as_str()
        .expect("thumbnail url");
    let resp = http().get(thumb).send().await.expect("avatar");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/svg+xml");
    // Other filters.
    let (_, body) = get_json(
        &format!(
            "{}?part=id&id={},{}",
            yt(&sb, "/youtube/v3/channels"),
            creator(),
            YOUTUBE_CHANNEL_STUDIO.0
        ),
        &t,
    )
    .await;
    assert_eq!(body["items"].as_array().map(Vec::len), Some(2));
    let (_, body) = get_json(
        &format!(
            "{}?part=snippet&forHandle=%40sandboxstudio",
            yt(&sb, "/youtube/v3/channels")
        ),
        &t,
    )
    .await;
    assert_eq!(body["items"][0]["id"], YOUTUBE_CHANNEL_STUDIO.0);
    // Errors.
    let resp = http()
        .get(yt(&sb, "/youtube/v3/channels?mine=true"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("get");
    assert_eq!(reason(resp, 400).await, "required");
    let resp = http()
        .get(yt(&sb, "/youtube/v3/channels?part=snippet"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("get");
    assert_eq!(reason(resp, 400).await, "missingRequiredParameter");
    let resp = http()
        .get(yt(&sb, "/youtube/v3/channels?part=snipet&mine=true"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("get");
    assert_eq!(reason(resp, 400).await, "unknownPart");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn auth_errors_have_googles_shape() {
    let sb = sandbox().await;
    let url = format!("{}?part=snippet&mine=true", yt(&sb, "/youtube/v3/channels"));
    let resp = http().get(&url).send().await.expect("get");
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(body["error"]["errors"][0]["reason"], "required");
    assert_eq!(body["error"]["errors"][0]["location"], "Authorization");
    let resp = http()
        .get(&url)
        .bearer_auth("ya29.bogus")
        .send()
        .await
        .expect("get");
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap_or("")
            .contains("invalid_token")
    );
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], 401);
    assert_eq!(body["error"]["errors"][0]["reason"], "authError");
    assert_eq!(body["error"]["errors"][0]["message"], "Invalid Credentials");
    // An upload-only token cannot read the channel (youtube.readonly or more needed).
    let upload_only = token_with(&sb, creator(), &[SCOPE_UPLOAD]);
    let resp = http()
        .get(&url)
        .bearer_auth(&upload_only)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 403);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap_or("")
            .contains("insufficient_scope")
    );
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["status"], "PERMISSION_DENIED");
    assert_eq!(
        body["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );
    assert_eq!(
        body["error"]["details"][0]["reason"],
        "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    );
    // The access token dies after an hour.
    let t = token(&sb);
    let (status, _) = get_json(&url, &t).await;
    assert_eq!(status, 200);
    sb.advance_clock(3600);
    let (status, _) = get_json(&url, &t).await;
    assert_eq!(status, 401);
    // ?access_token= works like the header.
    let t = token(&sb);
    let resp = http()
        .get(format!("{url}&access_token={t}"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 200);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn videos_list_for_reconciliation() {
    let sb = sandbox().await;
    let t = token(&sb);
    let private = upload(&sb, &t, &meta("Private one"), &mp4(500)).await;
    set(&sb, json!({"audited": true, "processing_secs": 0}));
    let public = upload(&sb, &t, &meta("Public one"), &mp4(600)).await;
    let (p, q) = (
        private["id"].as_str().expect("id"),
        public["id"].as_str().expect("id"),
    );
    let url = format!(
        "{}?part=snippet,status,fileDetails,processingDetails&id={p},{q},nope",
        yt(&sb, "/youtube/v3/videos")
    );
    let (status, body) = get_json(&url, &t).await;
    assert_eq!(status, 200);
    assert_eq!(body["kind"], "youtube#videoListResponse");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "unknown ids are left out");
    assert_eq!(items[0]["status"]["privacyStatus"], "private");
    assert_eq!(items[1]["status"]["privacyStatus"], "public");
    assert_eq!(items[1]["status"]["uploadStatus"], "processed");
    assert_eq!(
        items[1]["processingDetails"]["processingStatus"],
        "succeeded"
    );
    assert_eq!(items[1]["fileDetails"]["fileSize"], "600");
    assert_eq!(items[1]["snippet"]["channelTitle"], "Sandbox Creator");
    // Someone else sees only the public one, without owner-only parts.
    let (_, body) = get_json(&url, &studio_token(&sb)).await;
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], q);
    assert!(items[0].get("fileDetails").is_none());
    // Processing can be made to fail (for videos uploaded from then on).
    set(&sb, json!({"fail_processing": true}));
    let failed = upload(&sb, &t, &meta("Failed one"), &mp4(700)).await;
    let f = failed["id"].as_str().expect("id");
    let (_, body) = get_json(&format!("{url},{f}"), &t).await;
    assert_eq!(body["items"][1]["status"]["uploadStatus"], "processed");
    assert_eq!(body["items"][2]["status"]["uploadStatus"], "failed");
    assert_eq!(body["items"][2]["status"]["failureReason"], "conversion");
    assert_eq!(
        body["items"][2]["processingDetails"],
        json!({"processingStatus": "failed", "processingFailureReason": "transcodeFailed"})
    );
    let (status, _) = get_json(
        &format!("{}?part=status", yt(&sb, "/youtube/v3/videos")),
        &t,
    )
    .await;
    assert_eq!(status, 400, "a filter is required");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn delete_needs_youtube_or_force_ssl_and_ownership() {
    let sb = sandbox().await;
    let t = token(&sb);
    let v = upload(&sb, &t, &meta("To delete"), &mp4(100)).await;
    let id = v["id"].as_str().expect("id").to_string();
    let upload_only = token_with(&sb, creator(), &[SCOPE_UPLOAD]);
    assert_eq!(
        reason(delete(&sb, &upload_only, &id).await, 403).await,
        "insufficientPermissions"
    );
    assert_eq!(
        reason(delete(&sb, &studio_token(&sb), &id).await, 403).await,
        "forbidden"
    );
    let full = token_with(&sb, creator(), &[SCOPE_YOUTUBE]);
    let resp = delete(&sb, &full, &id).await;
    assert_eq!(resp.status(), 204);
    assert!(resp.bytes().await.expect("body").is_empty());
    assert_eq!(
        reason(delete(&sb, &t, &id).await, 404).await,
        "videoNotFound"
    );
    let resp = http()
        .delete(yt(&sb, "/youtube/v3/videos"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("delete");
    assert_eq!(reason(resp, 400).await, "required");
    let posts = sb.received(Some("youtube"));
    assert!(posts[0].deleted);
    assert!(posts[0].deleted_at.is_some());
    let (_, body) = get_json(
        &format!("{}?part=id&id={id}", yt(&sb, "/youtube/v3/videos")),
        &t,
    )
    .await;
    assert_eq!(body["items"], json!([]));
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn thumbnails_set() {
    let sb = sandbox().await;
    let t = token(&sb);
    let v = upload(&sb, &t, &meta("With a thumbnail"), &mp4(100)).await;
    let id = v["id"].as_str().expect("id").to_string();
    let img = png(10_000);
    // youtube.upload alone is enough for thumbnails.
    let upload_only = token_with(&sb, creator(), &[SCOPE_UPLOAD]);
    let resp = set_thumbnail(&sb, &upload_only, &id, "image/png", img.clone()).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["kind"], "youtube#thumbnailSetResponse");
    assert!(body["items"][0]["default"]["url"].is_string());
    let posts = sb.received(Some("youtube"));
    let thumb = posts[0]
        .media
        .iter()
        .find(|m| m.kind == "thumbnail")
        .expect("thumbnail recorded");
    assert_eq!(thumb.size, img.len() as u64);
    assert_eq!(thumb.sha256.as_deref(), Some(sha256_hex(&img).as_str()));
    assert_eq!(thumb.mime, "image/png");
    // 2 MB exactly is fine; one byte more is not.
    let max = 2 * 1024 * 1024;
    let resp = set_thumbnail(&sb, &t, &id, "application/octet-stream", png(max - 29)).await;
    assert_eq!(resp.status(), 200);
    let resp = set_thumbnail(&sb, &t, &id, "image/png", png(max - 28)).await;
    assert_eq!(reason(resp, 413).await, "uploadTooLarge");
    let resp = set_thumbnail(&sb, &t, &id, "text/plain", b"hello".to_vec()).await;
    assert_eq!(reason(resp, 400).await, "badContent");
    let resp = set_thumbnail(&sb, &t, &id, "image/jpeg", b"not an image".to_vec()).await;
    assert_eq!(reason(resp, 400).await, "invalidImage");
    let resp = set_thumbnail(&sb, &t, &id, "image/jpeg", Vec::new()).await;
    assert_eq!(reason(resp, 400).await, "mediaBodyRequired");
    let resp = set_thumbnail(&sb, &t, "nope", "image/png", img.clone()).await;
    assert_eq!(reason(resp, 404).await, "videoNotFound");
    let resp = set_thumbnail(&sb, &studio_token(&sb), &id, "image/png", img.clone()).await;
    assert_eq!(reason(resp, 403).await, "forbidden");
    set(&sb, json!({"unverified_channels": [creator()]}));
    let resp = set_thumbnail(&sb, &t, &id, "image/png", img.clone()).await;
    assert_eq!(reason(resp, 403).await, "forbidden");
    let resp = http()
        .post(yt(&sb, "/upload/youtube/v3/thumbnails/set"))
        .bearer_auth(&t)
        .header("content-type", "image/png")
        .body(img)
        .send()
        .await
        .expect("post");
    assert_eq!(reason(resp, 400).await, "required");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn videos_update() {
    let sb = sandbox().await;
    set(&sb, json!({"audited": true}));
    let t = token(&sb);
    let v = upload(&sb, &t, &meta("Before"), &mp4(100)).await;
    let id = v["id"].as_str().expect("id").to_string();
    let put = |body: Value| {
        let t = t.clone();
        let url = yt(&sb, "/youtube/v3/videos?part=snippet,status");
        async move {
            http()
                .put(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .expect("put")
        }
    };
    let resp = put(
        json!({"id": id, "snippet": {"title": "After", "categoryId": "27"},
        "status": {"privacyStatus": "unlisted"}}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["snippet"]["title"], "After");
    assert_eq!(body["status"]["privacyStatus"], "unlisted");
    assert_eq!(sb.received(Some("youtube"))[0].text, "After");
    let resp = put(json!({"id": id, "snippet": {"title": "No category"}})).await;
    assert_eq!(reason(resp, 400).await, "invalidCategoryId");
    let resp = put(json!({"id": id, "snippet": {"title": "<b>", "categoryId": "27"}})).await;
    assert_eq!(reason(resp, 400).await, "invalidTitle");
    let resp = put(json!({"id": "nope", "snippet": {"title": "x", "categoryId": "27"}})).await;
    assert_eq!(reason(resp, 404).await, "videoNotFound");
    let resp = http()
        .put(yt(&sb, "/youtube/v3/videos?part=snippet"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{{{")
        .send()
        .await
        .expect("put");
    assert_eq!(reason(resp, 400).await, "parseError");
    sb.shutdown().await.expect("shutdown");
}

/// Units of the shared pool used today by the Desktop client's project.
fn units_used(sb: &SandboxHandle) -> u64 {
    let s = sb.platform_settings("youtube").expect("settings");
    s["quota_usage"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|u| {
                u["bucket"] == "units"
                    && u["project"]
                        == creatorflow_sandbox::platforms::youtube::YOUTUBE_DESKTOP_CLIENT_ID
            })
        })
        .and_then(|u| u["used"].as_u64())
        .unwrap_or(0)
}

#[tokio::test]
async fn videos_update_replaces_the_parts_and_costs_50_units() {
    let sb = sandbox().await;
    set(&sb, json!({"audited": true}));
    let t = token(&sb);
    let v = upload(&sb, &t, &meta("Before"), &mp4(100)).await;
    let id = v["id"].as_str().expect("id").to_string();
    assert_eq!(units_used(&sb), 0, "inserts use their own bucket");
    let resp = http()
        .put(yt(&sb, "/youtube/v3/videos"))
        .query(&[("part", "snippet,status")])
        .bearer_auth(&t)
        .json(&json!({
            "id": id,
            "snippet": {"title": "After", "description": "New words", "tags": ["one", "two words"],
                        "categoryId": "27"},
            "status": {"privacyStatus": "private"},
        }))
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["snippet"]["title"], "After");
    assert_eq!(body["snippet"]["description"], "New words");
    assert_eq!(body["snippet"]["tags"], json!(["one", "two words"]));
    assert_eq!(body["snippet"]["categoryId"], "27");
    assert_eq!(body["status"]["privacyStatus"], "private");
    assert_eq!(units_used(&sb), 50);
    // What the status page and tests see follows the update.
    let p = &sb.received(Some("youtube"))[0];
    assert_eq!(p.extra["tags"], json!(["one", "two words"]));
    assert_eq!(p.extra["categoryId"], "27");
    // Read back with videos.list (1 unit).
    let (_, l) = get_json(
        &format!(
            "{}?part=snippet,status&id={id}",
            yt(&sb, "/youtube/v3/videos")
        ),
        &t,
    )
    .await;
    assert_eq!(l["items"][0]["snippet"]["description"], "New words");
    assert_eq!(
        l["items"][0]["snippet"]["tags"],
        json!(["one", "two words"])
    );
    assert_eq!(l["items"][0]["status"]["privacyStatus"], "private");
    assert_eq!(units_used(&sb), 51);
    // The update replaces the whole part: what is left out is cleared or reset.
    let resp = http()
        .put(yt(&sb, "/youtube/v3/videos"))
        .query(&[("part", "snippet,status")])
        .bearer_auth(&t)
        .json(&json!({"id": id, "snippet": {"title": "Bare", "categoryId": "22"}, "status": {}}))
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["snippet"]["description"], "");
    assert!(body["snippet"].get("tags").is_none());
    assert_eq!(body["status"]["privacyStatus"], "public");
    assert_eq!(units_used(&sb), 101);
    let p = &sb.received(Some("youtube"))[0];
    assert_eq!(p.text, "Bare");
    assert_eq!(p.extra["description"], "");
    assert_eq!(p.extra["privacyStatus"], "public");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn garbage_never_gets_a_500_or_a_foreign_shape() {
    let sb = sandbox().await;
    let t = token(&sb);
    // Unknown path and wrong method: Google's error body.
    let resp = http()
        .get(yt(&sb, "/youtube/v3/nothing"))
        .send()
        .await
        .expect("get");
    assert_eq!(reason(resp, 404).await, "notFound");
    let resp = http()
        .patch(yt(&sb, "/youtube/v3/videos"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("patch");
    assert_eq!(resp.status(), 405);
    assert!(resp.json::<Value>().await.expect("json")["error"]["errors"].is_array());
    // The token endpoint with junk.
    for (ct, body) in [
        ("application/json", "{nope"),
        ("application/json", "[]"),
        ("application/x-www-form-urlencoded", "%%%&&&=="),
        ("text/plain", "hello"),
    ] {
        let resp = http()
            .post(yt(&sb, "/token"))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .expect("token");
        assert_eq!(resp.status(), 400, "{ct} {body}");
        let v: Value = resp.json().await.expect("json");
        assert!(v["error"].is_string());
    }
    let resp = http()
        .post(yt(&sb, "/revoke"))
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), 400);
    // Binary garbage as upload metadata.
    let resp = http()
        .post(yt(
            &sb,
            "/upload/youtube/v3/videos?uploadType=resumable&part=snippet",
        ))
        .bearer_auth(&t)
        .body(vec![0xFFu8, 0xFE, 0x00, 0x01])
        .send()
        .await
        .expect("post");
    assert_eq!(reason(resp, 400).await, "parseError");
    let bad = sb
        .requests(Some("youtube"))
        .into_iter()
        .filter(|r| r.status.is_none_or(|s| s >= 500))
        .count();
    assert_eq!(bad, 0);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn injected_faults_use_googles_shapes() {
    let sb = sandbox().await;
    let t = token(&sb);
    let path = "/youtube/youtube/v3/channels";
    sb.inject_fault(FaultSpec::new(
        Some("GET"),
        path,
        Fault::Status {
            status: 500,
            body: None,
        },
    ))
    .expect("fault");
    let url = format!("{}?part=snippet&mine=true", yt(&sb, "/youtube/v3/channels"));
    let resp = http().get(&url).bearer_auth(&t).send().await.expect("get");
    assert_eq!(reason(resp, 500).await, "internalError");
    sb.inject_fault(FaultSpec::new(
        None,
        path,
        Fault::RateLimit {
            reset_after_secs: 30,
            limit: None,
        },
    ))
    .expect("fault");
    let resp = http().get(&url).bearer_auth(&t).send().await.expect("get");
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(reason(resp, 429).await, "rateLimitExceeded");
    // A token-endpoint outage.
    sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/youtube/token",
        Fault::Status {
            status: 503,
            body: None,
        },
    ))
    .expect("fault");
    let resp = token_request(
        &sb,
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    )
    .await;
    assert_eq!(resp.status(), 503);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("sandbox.json");
    let config = SandboxConfig {
        state_file: Some(file.clone()),
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    };
    let sb = start(config.clone()).await.expect("start");
    set(&sb, json!({"audited": true, "quota_model": "legacy"}));
    let tokens = login(&sb, &[]).await;
    let rt = tokens["refresh_token"].as_str().expect("rt").to_string();
    let at = tokens["access_token"].as_str().expect("at").to_string();
    let video = upload(&sb, &at, &meta("Kept"), &mp4(1000)).await;
    let id = video["id"].as_str().expect("id").to_string();
    let data = mp4(2 * KIB256 + 9);
    let total = data.len().to_string();
    let uri = session(&sb, &at, &meta("Half done"), data.len() as u64).await;
    assert_eq!(
        put_chunk(&uri, &data[..KIB256], 0, &total).await.status(),
        308
    );
    let old_base = sb.base_url();
    sb.shutdown().await.expect("shutdown");

    let sb = start(config).await.expect("restart");
    // Settings, grants, tokens, videos, quota and sessions are back.
    let s = sb.platform_settings("youtube").expect("settings");
    assert_eq!(s["audited"], true);
    assert_eq!(s["quota_model"], "legacy");
    assert_eq!(s["quota_usage"][0]["used"], 3200);
    let r = refresh(&sb, &rt).await;
    assert_eq!(r.status(), 200);
    let at = r.json::<Value>().await.expect("json")["access_token"]
        .as_str()
        .expect("at")
        .to_string();
    let (status, body) = get_json(
        &format!("{}?part=snippet&id={id}", yt(&sb, "/youtube/v3/videos")),
        &at,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["items"][0]["snippet"]["title"], "Kept");
    // The half-done upload resumes on the new port (same upload id).
    let upload_id = url::Url::parse(&uri)
        .expect("uri")
        .query_pairs()
        .find(|(k, _)| k == "upload_id")
        .map(|(_, v)| v.into_owned())
        .expect("upload_id");
    let uri = format!(
        "{}?uploadType=resumable&upload_id={upload_id}",
        yt(&sb, "/upload/youtube/v3/videos")
    );
    let _ = old_base;
    let resp = probe(&uri, &total).await;
    assert_eq!(resp.status(), 308);
    assert_eq!(range_header(&resp).as_deref(), Some("bytes=0-262143"));
    let resp = put_chunk(&uri, &data[KIB256..], KIB256 as u64, &total).await;
    assert_eq!(resp.status(), 200);
    let posts = sb.received(Some("youtube"));
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1].media[0].size, data.len() as u64);
    assert_eq!(
        posts[1].media[0].sha256, None,
        "the digest cannot survive a restart mid-upload"
    );
    assert!(posts[0].media[0].sha256.is_some());
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn status_page_and_platform_list_show_youtube() {
    let sb = sandbox().await;
    let t = token(&sb);
    upload(&sb, &t, &meta("Shown on the status page"), &mp4(100)).await;
    let html = http()
        .get(sb.base_url())
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("data-testid=\"sandbox-platform-youtube\""));
    assert!(html.contains("Shown on the status page"));
    assert!(html.contains("Sandbox Creator"));
    let platforms: Value = http()
        .get(format!("{}_sandbox/platforms", sb.base_url()))
        .send()
        .await
        .expect("platforms")
        .json()
        .await
        .expect("json");
    let yt_entry = platforms
        .as_array()
        .and_then(|a| a.iter().find(|p| p["id"] == "youtube"))
        .cloned()
        .expect("youtube listed");
    assert_eq!(yt_entry["prefix"], "/youtube");
    let accounts = sb.accounts(Some("youtube")).expect("accounts");
    assert_eq!(accounts.len(), 2);
    sb.shutdown().await.expect("shutdown");
}
