//! `GET /youtube/watch?v=ID`: the page a published video's link opens
//! (https://www.youtube.com/watch?v=ID on YouTube).

mod youtube_common;

use serde_json::json;
use youtube_common::*;

async fn page(sb: &creatorflow_sandbox::SandboxHandle, query: &str) -> (u16, String) {
    let resp = http()
        .get(format!("{}?{query}", yt(sb, "/watch")))
        .send()
        .await
        .expect("watch page");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(ct.starts_with("text/html"), "{ct}");
    (status, resp.text().await.expect("html"))
}

#[tokio::test]
async fn a_video_page_shows_title_channel_privacy_and_processing() {
    let sb = sandbox().await;
    // Long enough that the clock running on its own moves no percent.
    set(&sb, json!({"processing_secs": 100_000}));
    let t = token(&sb);
    let mut metadata = meta("Tom & Jerry's \"big\" day");
    metadata["snippet"]["description"] = json!("Line one\nLine two");
    metadata["snippet"]["tags"] = json!(["cats", "mice chase"]);
    let video = upload(&sb, &t, &metadata, &mp4(300_000)).await;
    let id = video["id"].as_str().expect("id").to_owned();

    let (status, html) = page(&sb, &format!("v={id}")).await;
    assert_eq!(status, 200);
    // Escaped, as any page would.
    assert!(
        html.contains("Tom &amp; Jerry&#39;s &quot;big&quot; day"),
        "{html}"
    );
    assert!(html.contains("Sandbox Creator <small>@sandboxcreator</small>"));
    assert!(html.contains("Line one\nLine two"));
    assert!(html.contains("<code>mice chase</code>"));
    // Unaudited project: the upload was locked private, and the page says so.
    assert!(html.contains("data-testid=\"sandbox-youtube-privacy\">private<"));
    assert!(html.contains("locked private"));
    assert!(html.contains("data-testid=\"sandbox-youtube-status\">Processing (0 %)<"));
    assert!(html.contains(&format!("Video <code>{id}</code>")));

    sb.advance_clock(50_000);
    let (_, html) = page(&sb, &format!("v={id}")).await;
    assert!(html.contains("Processing (50 %)"), "{html}");
    sb.advance_clock(50_001);
    let (_, html) = page(&sb, &format!("v={id}")).await;
    assert!(html.contains("data-testid=\"sandbox-youtube-status\">Processed<"));
}

#[tokio::test]
async fn audited_public_videos_and_failures() {
    let sb = sandbox().await;
    set(
        &sb,
        json!({"audited": true, "processing_secs": 0, "reject_processing": "duplicate"}),
    );
    let t = token(&sb);
    let video = upload(&sb, &t, &meta("Public one"), &mp4(1000)).await;
    let id = video["id"].as_str().expect("id").to_owned();
    let (status, html) = page(&sb, &format!("v={id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("sandbox-youtube-privacy\">public<"));
    assert!(!html.contains("Private video"));
    assert!(html.contains("Rejected (duplicate)"));
}

#[tokio::test]
async fn unknown_and_deleted_videos_are_unavailable() {
    let sb = sandbox().await;
    let (status, html) = page(&sb, "v=doesNotExist").await;
    assert_eq!(status, 404);
    assert!(html.contains("Video unavailable"));
    let (status, _) = page(&sb, "x=1").await;
    assert_eq!(status, 404);

    let t = token(&sb);
    let video = upload(&sb, &t, &meta("Soon gone"), &mp4(1000)).await;
    let id = video["id"].as_str().expect("id").to_owned();
    assert_eq!(page(&sb, &format!("v={id}")).await.0, 200);
    let resp = http()
        .delete(yt(&sb, "/youtube/v3/videos"))
        .query(&[("id", id.as_str())])
        .bearer_auth(&t)
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), 204);
    let (status, html) = page(&sb, &format!("v={id}")).await;
    assert_eq!(status, 404);
    assert!(!html.contains("Soon gone"));
}
