//! The Meta state survives a restart with a state file: tokens (with their kind and
//! age), containers, published media, the publishing quota, a half-done upload.

mod meta_common;

use creatorflow_sandbox::platforms::meta::FACEBOOK_PUBLISH_SCOPES;
use creatorflow_sandbox::{ConsentMode, SandboxConfig, start};
use meta_common::*;
use serde_json::json;

#[tokio::test]
async fn meta_state_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("state.json");
    let config = SandboxConfig {
        state_file: Some(file.clone()),
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    };
    let sb = start(config.clone()).await.expect("start");
    let media = media_server(&sb).await;
    let url = media.serve("/p.jpg", jpeg(1080, 1080), "image/jpeg");
    let long = ig_long_token(&sb).await;
    settings(&sb, json!({ "publishing_quota_total": 7 }));
    let media_id = post_image(&sb, &long, ig1(), &url, "before restart").await;
    let waiting = create_ok(&sb, &long, ig1(), &[("image_url", &url)]).await;
    let fb = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let resp = http()
        .post(graph(&sb, &format!("/{}/media", ig1())))
        .form(&[
            ("media_type", "REELS"),
            ("upload_type", "resumable"),
            ("access_token", fb.as_str()),
        ])
        .send()
        .await
        .expect("create");
    let body = json(resp).await;
    let (reel, uri) = (
        body["id"].as_str().expect("id").to_string(),
        body["uri"].as_str().expect("uri").to_string(),
    );
    let video = mp4(40_000);
    let partial = http()
        .post(&uri)
        .header("authorization", format!("OAuth {fb}"))
        .header("offset", "0")
        .header("file_size", "40000")
        .body(video[..15_000].to_vec())
        .send()
        .await
        .expect("partial upload");
    assert_eq!(partial.status(), 400);
    sb.shutdown().await.expect("shutdown");

    let saved = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(saved.contains("before restart"));

    let sb = start(config).await.expect("restart");
    // The long-lived token still works.
    let me = http()
        .get(graph_ig(&sb, "/me"))
        .query(&[("fields", "username"), ("access_token", long.as_str())])
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), 200);
    // Media, received posts, settings.
    let m = json(
        http()
            .get(graph_ig(&sb, &format!("/{media_id}")))
            .query(&[("fields", "caption"), ("access_token", long.as_str())])
            .send()
            .await
            .expect("media"),
    )
    .await;
    assert_eq!(m["caption"], "before restart");
    assert_eq!(sb.received(Some("instagram")).len(), 1);
    let kept = sb.platform_settings("instagram").expect("settings");
    assert_eq!(kept["publishing_quota_total"], 7);
    assert_eq!(kept["public_hosts"], json!([host_port(&url)]));
    // The half-done upload resumes (the new process listens on another port); its
    // digest was lost with the old process.
    let uri = format!(
        "{}{}",
        sb.base_url(),
        url::Url::parse(&uri)
            .expect("uri")
            .path()
            .trim_start_matches('/')
    );
    let off = json(
        http()
            .get(&uri)
            .header("authorization", format!("OAuth {fb}"))
            .send()
            .await
            .expect("offset"),
    )
    .await;
    assert_eq!(off["offset"], 15_000);
    let rest = http()
        .post(&uri)
        .header("authorization", format!("OAuth {fb}"))
        .header("offset", "15000")
        .header("file_size", "40000")
        .body(video[15_000..].to_vec())
        .send()
        .await
        .expect("rest");
    assert_eq!(rest.status(), 200);
    let st = json(
        http()
            .get(graph(&sb, &format!("/{reel}")))
            .query(&[("fields", "status_code"), ("access_token", fb.as_str())])
            .send()
            .await
            .expect("status"),
    )
    .await;
    assert_eq!(st["status_code"], "IN_PROGRESS");
    let mut code = String::new();
    for _ in 0..10 {
        let st = json(
            http()
                .get(graph(&sb, &format!("/{reel}")))
                .query(&[("fields", "status_code"), ("access_token", fb.as_str())])
                .send()
                .await
                .expect("status"),
        )
        .await;
        code = st["status_code"].as_str().unwrap_or_default().to_string();
        if code != "IN_PROGRESS" {
            break;
        }
    }
    assert_eq!(code, "FINISHED");
    let resp = http()
        .post(graph(&sb, &format!("/{}/media_publish", ig1())))
        .query(&[
            ("creation_id", reel.as_str()),
            ("access_token", fb.as_str()),
        ])
        .send()
        .await
        .expect("publish");
    assert_eq!(resp.status(), 200);
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(post.media[0].size, 40_000);
    assert_eq!(
        post.media[0].sha256, None,
        "the digest did not survive the restart"
    );
    // A day later: the long-lived token (kind and age kept) is refreshable, the
    // waiting container has expired.
    sb.advance_clock(86_401);
    let refreshed = http()
        .get(graph_ig(&sb, "/refresh_access_token"))
        .query(&[
            ("grant_type", "ig_refresh_token"),
            ("access_token", long.as_str()),
        ])
        .send()
        .await
        .expect("refresh");
    assert_eq!(refreshed.status(), 200);
    assert_eq!(status(&sb, &long, &waiting).await["status_code"], "EXPIRED");
    sb.shutdown().await.expect("shutdown");
}
