//! Resumable video upload (`upload_type=resumable` + rupload) over real HTTP:
//! whole upload, partial upload and resume from the offset, a connection cut
//! mid-body, byte-count/offset mismatches, hosted `file_url`, a large streamed body.

mod meta_common;

use std::time::Duration;

use creatorflow_sandbox::SandboxHandle;
use creatorflow_sandbox::platforms::meta::FACEBOOK_PUBLISH_SCOPES;
use meta_common::*;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;

/// Creates a resumable REELS container on graph.facebook.com; returns `(id, uri)`.
async fn resumable(sb: &SandboxHandle, token: &str) -> (String, String) {
    let resp = http()
        .post(graph(sb, &format!("/v23.0/{}/media", ig1())))
        .form(&[
            ("media_type", "REELS"),
            ("upload_type", "resumable"),
            ("caption", "uploaded reel"),
            ("access_token", token),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(resp.status(), 200);
    let body = json(resp).await;
    (
        body["id"].as_str().expect("id").to_string(),
        body["uri"].as_str().expect("uri").to_string(),
    )
}

async fn upload(
    uri: &str,
    token: &str,
    offset: u64,
    file_size: u64,
    body: Vec<u8>,
) -> reqwest::Response {
    http()
        .post(uri)
        .header("authorization", format!("OAuth {token}"))
        .header("offset", offset.to_string())
        .header("file_size", file_size.to_string())
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .expect("upload")
}

async fn failure(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    let body = json(resp).await;
    assert!(body["debug_info"]["retriable"].is_boolean(), "{body}");
    assert!(body["debug_info"]["type"].is_string(), "{body}");
    body["debug_info"].clone()
}

async fn offset_of(uri: &str, token: &str) -> Value {
    let resp = http()
        .get(uri)
        .header("authorization", format!("OAuth {token}"))
        .send()
        .await
        .expect("offset");
    assert_eq!(resp.status(), 200);
    json(resp).await
}

/// Graph-facebook status of a container.
async fn fb_status(sb: &SandboxHandle, token: &str, id: &str) -> String {
    let resp = http()
        .get(graph(sb, &format!("/{id}")))
        .query(&[("fields", "status_code"), ("access_token", token)])
        .send()
        .await
        .expect("status");
    json(resp).await["status_code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn fb_poll_finished(sb: &SandboxHandle, token: &str, id: &str) {
    for _ in 0..100 {
        match fb_status(sb, token, id).await.as_str() {
            "FINISHED" => return,
            "IN_PROGRESS" => tokio::time::sleep(Duration::from_millis(20)).await,
            other => panic!("unexpected status {other}"),
        }
    }
    panic!("never finished");
}

async fn fb_publish(sb: &SandboxHandle, token: &str, id: &str) -> reqwest::Response {
    http()
        .post(graph(sb, &format!("/{}/media_publish", ig1())))
        .query(&[("creation_id", id), ("access_token", token)])
        .send()
        .await
        .expect("publish")
}

#[tokio::test]
async fn whole_file_upload_then_publish() {
    let sb = sandbox().await;
    let t = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let (id, uri) = resumable(&sb, &t).await;
    assert_eq!(
        uri,
        format!("{}meta/rupload/ig-api-upload/v23.0/{id}", sb.base_url())
    );
    assert_eq!(
        fb_status(&sb, &t, &id).await,
        "IN_PROGRESS",
        "waiting for bytes"
    );
    assert_eq!(
        codes(fb_publish(&sb, &t, &id).await).await,
        (9007, Some(2207027))
    );
    let video = mp4(1024 * 1024 + 17);
    let resp = upload(&uri, &t, 0, video.len() as u64, video.clone()).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        json(resp).await,
        json!({ "success": true, "message": "Upload successful." })
    );
    fb_poll_finished(&sb, &t, &id).await;
    assert_eq!(fb_publish(&sb, &t, &id).await.status(), 200);
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(post.text, "uploaded reel");
    assert_eq!(post.media[0].size, video.len() as u64);
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&video).as_str())
    );
    // The upload is closed now.
    let again = upload(&uri, &t, 0, video.len() as u64, video).await;
    assert_eq!(failure(again, 400).await["retriable"], false);
}

#[tokio::test]
async fn partial_upload_resumes_from_the_offset() {
    let sb = sandbox().await;
    let t = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let (id, uri) = resumable(&sb, &t).await;
    let video = mp4(300_000);
    let size = video.len() as u64;
    let resp = upload(&uri, &t, 0, size, video[..100_000].to_vec()).await;
    let info = failure(resp, 400).await;
    assert_eq!(info["retriable"], true);
    assert_eq!(offset_of(&uri, &t).await["offset"], 100_000);
    // The wrong offset is refused (retriable: read the offset and retry).
    let info = failure(upload(&uri, &t, 0, size, video.clone()).await, 400).await;
    assert_eq!(info["retriable"], true);
    assert_eq!(info["type"], "OffsetMismatchError");
    // A different total size is refused.
    let info = failure(
        upload(&uri, &t, 100_000, size + 1, video[100_000..].to_vec()).await,
        400,
    )
    .await;
    assert_eq!(info["retriable"], false);
    let resp = upload(&uri, &t, 100_000, size, video[100_000..].to_vec()).await;
    assert_eq!(resp.status(), 200);
    fb_poll_finished(&sb, &t, &id).await;
    assert_eq!(fb_publish(&sb, &t, &id).await.status(), 200);
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&video).as_str())
    );
}

#[tokio::test]
async fn a_connection_cut_mid_body_keeps_the_received_bytes() {
    let sb = sandbox().await;
    let t = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let (id, uri) = resumable(&sb, &t).await;
    let video = mp4(200_000);
    let half = 120_000;
    let path = url::Url::parse(&uri).expect("uri").path().to_string();
    let mut s = tokio::net::TcpStream::connect(sb.addr())
        .await
        .expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: OAuth {t}\r\noffset: 0\r\n\
         file_size: {}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        video.len(),
        video.len()
    );
    s.write_all(head.as_bytes()).await.expect("head");
    s.write_all(&video[..half]).await.expect("half the body");
    s.flush().await.expect("flush");
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(s);
    let mut got = Value::Null;
    for _ in 0..100 {
        got = offset_of(&uri, &t).await;
        if got["offset"] == half {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(got["offset"], half, "{got}");
    assert_eq!(got["file_size"], video.len());
    let resp = upload(
        &uri,
        &t,
        half as u64,
        video.len() as u64,
        video[half..].to_vec(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    fb_poll_finished(&sb, &t, &id).await;
    assert_eq!(fb_publish(&sb, &t, &id).await.status(), 200);
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&video).as_str())
    );
}

#[tokio::test]
async fn byte_count_headers_and_auth_are_checked() {
    let sb = sandbox().await;
    let t = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let (_id, uri) = resumable(&sb, &t).await;
    let video = mp4(10_000);
    // More bytes than announced: nothing stored.
    let info = failure(upload(&uri, &t, 0, 5_000, video.clone()).await, 400).await;
    assert_eq!(info["retriable"], false);
    assert_eq!(offset_of(&uri, &t).await["offset"], 0);
    // Missing headers.
    let resp = http()
        .post(&uri)
        .header("authorization", format!("OAuth {t}"))
        .body(video.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(failure(resp, 400).await["retriable"], false);
    // No or bad token.
    let resp = http()
        .post(&uri)
        .header("offset", "0")
        .header("file_size", "10000")
        .body(video.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(failure(resp, 401).await["type"], "AuthError");
    assert_eq!(
        failure(upload(&uri, "garbage", 0, 10_000, video.clone()).await, 401).await["type"],
        "AuthError"
    );
    // Another account's token.
    let other = ig_token_for(
        &sb,
        ig2(),
        &[
            "instagram_business_basic",
            "instagram_business_content_publish",
        ],
    );
    assert!(
        upload(&uri, &other, 0, 10_000, video.clone())
            .await
            .status()
            .is_client_error()
    );
    // Unknown container, and a container that is not resumable.
    let bad = uri
        .rsplit_once('/')
        .map(|(a, _)| format!("{a}/999"))
        .unwrap_or_default();
    assert_eq!(
        failure(upload(&bad, &t, 0, 10_000, video.clone()).await, 400).await["retriable"],
        false
    );
    let media = media_server(&sb).await;
    let url = media.serve("/v.mp4", mp4(1000), "video/mp4");
    let resp = http()
        .post(graph(&sb, &format!("/{}/media", ig1())))
        .form(&[
            ("media_type", "REELS"),
            ("video_url", url.as_str()),
            ("access_token", t.as_str()),
        ])
        .send()
        .await
        .expect("create");
    let plain = json(resp).await["id"].as_str().expect("id").to_string();
    let plain_uri = uri
        .rsplit_once('/')
        .map(|(a, _)| format!("{a}/{plain}"))
        .unwrap_or_default();
    assert_eq!(
        failure(upload(&plain_uri, &t, 0, 1000, mp4(1000)).await, 400).await["retriable"],
        false
    );
    // Finally the real thing works.
    assert_eq!(upload(&uri, &t, 0, 10_000, video).await.status(), 200);
}

#[tokio::test]
async fn hosted_file_url_is_fetched() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let video = mp4(250_000);
    let url = media.serve("/hosted.mp4", video.clone(), "video/mp4");
    let t = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let (id, uri) = resumable(&sb, &t).await;
    let resp = http()
        .post(&uri)
        .header("authorization", format!("OAuth {t}"))
        .header("file_url", url)
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), 200);
    fb_poll_finished(&sb, &t, &id).await;
    assert_eq!(media.hits("/hosted.mp4"), 1);
    assert_eq!(fb_publish(&sb, &t, &id).await.status(), 200);
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&video).as_str())
    );
}

#[tokio::test]
async fn a_large_body_is_streamed_and_hashed() {
    let sb = sandbox().await;
    let t = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let (id, uri) = resumable(&sb, &t).await;
    const CHUNK: usize = 256 * 1024;
    const CHUNKS: usize = 96; // 24 MiB
    let chunk_of = |i: usize| -> Vec<u8> {
        if i == 0 {
            mp4(CHUNK)
        } else {
            vec![u8::try_from(i % 251).unwrap_or(0); CHUNK]
        }
    };
    let mut h = Sha256::new();
    for i in 0..CHUNKS {
        h.update(chunk_of(i));
    }
    let expected = hex::encode(h.finalize());
    let total = (CHUNK * CHUNKS) as u64;
    let stream = futures_util::stream::iter(
        (0..CHUNKS).map(move |i| Ok::<_, std::io::Error>(bytes::Bytes::from(chunk_of(i)))),
    );
    let resp = http()
        .post(&uri)
        .header("authorization", format!("OAuth {t}"))
        .header("offset", "0")
        .header("file_size", total.to_string())
        .header("content-type", "application/octet-stream")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), 200);
    fb_poll_finished(&sb, &t, &id).await;
    assert_eq!(fb_publish(&sb, &t, &id).await.status(), 200);
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(post.media[0].size, total);
    assert_eq!(post.media[0].sha256.as_deref(), Some(expected.as_str()));
}

#[tokio::test]
async fn resume_and_instagram_login_support_are_settable() {
    let sb = sandbox().await;
    let t = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    settings(&sb, json!({ "rupload_resume": false }));
    let (_id, uri) = resumable(&sb, &t).await;
    let resp = http()
        .get(&uri)
        .header("authorization", format!("OAuth {t}"))
        .send()
        .await
        .expect("offset");
    assert_eq!(failure(resp, 400).await["retriable"], false);
    let video = mp4(50_000);
    // Without resume a partial body stores nothing.
    let info = failure(
        upload(&uri, &t, 0, 50_000, video[..10_000].to_vec()).await,
        400,
    )
    .await;
    assert_eq!(info["retriable"], true);
    assert_eq!(
        failure(
            upload(&uri, &t, 10_000, 50_000, video[10_000..].to_vec()).await,
            400
        )
        .await["retriable"],
        false
    );
    assert_eq!(upload(&uri, &t, 0, 50_000, video).await.status(), 200);

    // Instagram Login: refused by default (Meta documents rupload for Facebook Login
    // for Business only), with a Graph error body.
    let ig = ig_token(&sb);
    let resp = create(
        &sb,
        &ig,
        ig1(),
        &[("media_type", "REELS"), ("upload_type", "resumable")],
    )
    .await;
    let e = graph_error(resp, 400).await;
    assert_eq!(e["code"], 100);
    assert_eq!(e["type"], "OAuthException");
    assert!(e["error_subcode"].is_null(), "{e}");
    assert_eq!(
        e["message"],
        "(#100) Param upload_type=resumable is not supported for this app: resumable uploads \
         are available to apps that use Facebook Login for Business"
    );
    assert_eq!(e["error_user_title"], "Resumable upload not supported");
    // The setting allows it, and the bytes then go to rupload with the IG token.
    settings(&sb, json!({ "resumable_on_instagram_login": true }));
    let resp = create(
        &sb,
        &ig,
        ig1(),
        &[("media_type", "REELS"), ("upload_type", "resumable")],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body = json(resp).await;
    let ig_id = body["id"].as_str().expect("id").to_string();
    let ig_uri = body["uri"].as_str().expect("uri").to_string();
    assert_eq!(upload(&ig_uri, &ig, 0, 1000, mp4(1000)).await.status(), 200);
    assert_eq!(
        poll_done(&sb, &ig, &ig_id).await.last().map(String::as_str),
        Some("FINISHED")
    );
    assert_eq!(publish(&sb, &ig, ig1(), &ig_id).await.status(), 200);
}

#[tokio::test]
async fn hosted_file_url_on_a_non_public_host_ends_in_error() {
    let sb = sandbox().await;
    let local = private_media_server().await;
    let url = local.serve("/hosted.mp4", mp4(10_000), "video/mp4");
    let t = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let (id, uri) = resumable(&sb, &t).await;
    // Accepted like any file_url, then refused while fetching (as an unreachable one).
    let resp = http()
        .post(&uri)
        .header("authorization", format!("OAuth {t}"))
        .header("file_url", url.as_str())
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), 200);
    let mut last = String::new();
    for _ in 0..100 {
        last = fb_status(&sb, &t, &id).await;
        if last != "IN_PROGRESS" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(last, "ERROR");
    let resp = http()
        .get(graph(&sb, &format!("/{id}")))
        .query(&[("fields", "status"), ("access_token", t.as_str())])
        .send()
        .await
        .expect("status");
    assert_eq!(
        json(resp).await["status"],
        "Error: Media upload has failed with error code 2207052"
    );
    assert_eq!(local.hits("/hosted.mp4"), 0, "never fetched");
    assert_eq!(
        codes(fb_publish(&sb, &t, &id).await).await,
        (9007, Some(2207027))
    );
}
