//! The YouTube quota ledger over real HTTP, from
//! docs/platforms/youtube.md §8.1 (both cost models, reset at
//! midnight Pacific time) and the per-channel upload cap (`uploadLimitExceeded`).

mod youtube_common;

use creatorflow_sandbox::SandboxHandle;
use creatorflow_sandbox::platforms::youtube::{
    SCOPE_FORCE_SSL, SCOPE_READONLY, SCOPE_UPLOAD, YOUTUBE_CHANNEL_STUDIO, YOUTUBE_WEB_CLIENT_ID,
};
use serde_json::{Value, json};
use youtube_common::*;

/// `(used, limit, resets_at)` of a bucket of the desktop client's project.
fn usage(sb: &SandboxHandle, bucket: &str) -> Option<(u64, u64, String)> {
    let s = sb.platform_settings("youtube").expect("settings");
    s["quota_usage"].as_array()?.iter().find_map(|u| {
        (u["bucket"] == bucket
            && u["project"] == creatorflow_sandbox::platforms::youtube::YOUTUBE_DESKTOP_CLIENT_ID)
            .then(|| {
                (
                    u["used"].as_u64().unwrap_or(0),
                    u["limit"].as_u64().unwrap_or(0),
                    u["resets_at"].as_str().unwrap_or("").to_string(),
                )
            })
    })
}

async fn list_channels(sb: &SandboxHandle, t: &str) -> reqwest::Response {
    http()
        .get(yt(sb, "/youtube/v3/channels"))
        .query(&[("part", "snippet"), ("mine", "true")])
        .bearer_auth(t)
        .send()
        .await
        .expect("channels")
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

#[tokio::test]
async fn current_model_insert_bucket_and_units_pool() {
    let sb = sandbox().await;
    set(
        &sb,
        json!({"insert_calls_per_day": 2, "daily_quota_units": 60}),
    );
    let t = token(&sb);
    let v = upload(&sb, &t, &meta("One"), &mp4(100)).await;
    assert_eq!(
        start_upload(&sb, &t, &meta("Two"), Some(10)).await.status(),
        200
    );
    assert_eq!(
        usage(&sb, "videos.insert").map(|u| (u.0, u.1)),
        Some((2, 2))
    );
    assert_eq!(
        usage(&sb, "units"),
        None,
        "inserts do not touch the units pool"
    );
    let resp = start_upload(&sb, &t, &meta("Three"), Some(10)).await;
    assert_eq!(reason(resp, 403).await, "quotaExceeded");
    assert_eq!(
        usage(&sb, "videos.insert").map(|u| u.0),
        Some(2),
        "refusals are free"
    );
    // The rest of the API lives on: channels.list costs 1, delete 50.
    for _ in 0..9 {
        assert_eq!(list_channels(&sb, &t).await.status(), 200);
    }
    // A failed request costs 1 (unknown video).
    let resp = delete(&sb, &t, "nonexistent").await;
    assert_eq!(reason(resp, 404).await, "videoNotFound");
    assert_eq!(usage(&sb, "units").map(|u| u.0), Some(10));
    let id = v["id"].as_str().expect("id");
    assert_eq!(delete(&sb, &t, id).await.status(), 204);
    assert_eq!(usage(&sb, "units").map(|u| u.0), Some(60));
    let resp = list_channels(&sb, &t).await;
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], 403);
    assert_eq!(body["error"]["errors"][0]["reason"], "quotaExceeded");
    assert_eq!(body["error"]["errors"][0]["domain"], "youtube.quota");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>")
    );
    // Another project (client id) has its own quota.
    let other = sb
        .issue_tokens(creatorflow_sandbox::TokenRequest {
            platform: "youtube".into(),
            account_id: creator().into(),
            client_id: Some(YOUTUBE_WEB_CLIENT_ID.into()),
            scopes: None,
        })
        .expect("tokens")
        .access_token;
    assert_eq!(list_channels(&sb, &other).await.status(), 200);
    assert_eq!(
        start_upload(&sb, &other, &meta("Other project"), Some(10))
            .await
            .status(),
        200
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn legacy_model_insert_costs_1600_units_of_the_shared_pool() {
    let sb = sandbox().await;
    set(&sb, json!({"quota_model": "legacy"}));
    let t = token(&sb);
    for i in 0..6 {
        let resp = start_upload(&sb, &t, &meta(&format!("Video {i}")), Some(10)).await;
        assert_eq!(resp.status(), 200, "insert {i}");
    }
    assert_eq!(
        usage(&sb, "units").map(|u| (u.0, u.1)),
        Some((9600, 10_000))
    );
    assert_eq!(usage(&sb, "videos.insert"), None);
    let resp = start_upload(&sb, &t, &meta("Seventh"), Some(10)).await;
    assert_eq!(reason(resp, 403).await, "quotaExceeded");
    // Cheap calls still fit in the 400 units left.
    assert_eq!(list_channels(&sb, &t).await.status(), 200);
    assert_eq!(usage(&sb, "units").map(|u| u.0), Some(9601));
    // The settings can give more units; an invalid insert then costs only 1.
    set(&sb, json!({"daily_quota_units": 20_000}));
    let mut bad = meta("x");
    bad["snippet"]["title"] = json!("");
    let resp = start_upload(&sb, &t, &bad, Some(10)).await;
    assert_eq!(reason(resp, 400).await, "invalidTitle");
    assert_eq!(usage(&sb, "units").map(|u| u.0), Some(9602));
    assert_eq!(
        start_upload(&sb, &t, &meta("Seventh"), Some(10))
            .await
            .status(),
        200
    );
    assert_eq!(usage(&sb, "units").map(|u| u.0), Some(11_202));
    sb.shutdown().await.expect("shutdown");
}

/// Exhausts the one-insert bucket at `before`, then checks it is still exhausted at
/// `still` and available again at `after` (all RFC 3339 instants, increasing).
async fn reset_at_pacific_midnight(before: &str, still: &str, after: &str, resets_at: &str) {
    let sb = sandbox().await;
    set(&sb, json!({"insert_calls_per_day": 1}));
    clock_to(&sb, before);
    let t = token(&sb);
    assert_eq!(
        start_upload(&sb, &t, &meta("Last of the day"), Some(10))
            .await
            .status(),
        200
    );
    assert_eq!(
        usage(&sb, "videos.insert").map(|u| u.2),
        Some(resets_at.to_string())
    );
    let resp = start_upload(&sb, &t, &meta("Too many"), Some(10)).await;
    assert_eq!(reason(resp, 403).await, "quotaExceeded");
    clock_to(&sb, still);
    let t = token(&sb);
    let resp = start_upload(&sb, &t, &meta("Still too many"), Some(10)).await;
    assert_eq!(reason(resp, 403).await, "quotaExceeded", "at {still}");
    clock_to(&sb, after);
    let t = token(&sb);
    assert_eq!(
        start_upload(&sb, &t, &meta("New day"), Some(10))
            .await
            .status(),
        200,
        "at {after}"
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn quota_resets_at_midnight_pacific_standard_time() {
    // 15 Jan 2025: PST (UTC-8), midnight = 08:00 UTC.
    reset_at_pacific_midnight(
        "2025-01-15T07:58:00Z",
        "2025-01-15T07:59:00Z",
        "2025-01-15T08:00:30Z",
        "2025-01-15T08:00:00Z",
    )
    .await;
}

#[tokio::test]
async fn quota_resets_at_midnight_pacific_daylight_time_on_the_23_hour_day() {
    // 9 Mar 2025 (clocks spring forward): the day ends at 07:00 UTC, not 08:00.
    reset_at_pacific_midnight(
        "2025-03-10T06:58:00Z",
        "2025-03-10T06:59:00Z",
        "2025-03-10T07:00:30Z",
        "2025-03-10T07:00:00Z",
    )
    .await;
}

#[tokio::test]
async fn quota_resets_at_midnight_pacific_on_the_25_hour_day() {
    // 2 Nov 2025 (clocks fall back): the day started at 07:00 UTC (PDT) and ends
    // at 08:00 UTC (PST) the next day.
    reset_at_pacific_midnight(
        "2025-11-03T07:10:00Z",
        "2025-11-03T07:59:00Z",
        "2025-11-03T08:00:30Z",
        "2025-11-03T08:00:00Z",
    )
    .await;
}

#[tokio::test]
async fn per_channel_upload_cap_is_upload_limit_exceeded() {
    let sb = sandbox().await;
    set(&sb, json!({"channel_uploads_per_24h": 2}));
    let t = token(&sb);
    upload(&sb, &t, &meta("One"), &mp4(100)).await;
    sb.advance_clock(3600);
    let t = token(&sb);
    upload(&sb, &t, &meta("Two"), &mp4(100)).await;
    let resp = start_upload(&sb, &t, &meta("Three"), Some(100)).await;
    assert_eq!(resp.status(), 400, "a 400, not a 403 like quotaExceeded");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], 400);
    assert_eq!(body["error"]["errors"][0]["reason"], "uploadLimitExceeded");
    assert_eq!(body["error"]["errors"][0]["domain"], "youtube.video");
    // The other channel is not affected.
    let studio = token_with(
        &sb,
        YOUTUBE_CHANNEL_STUDIO.0,
        &[SCOPE_UPLOAD, SCOPE_READONLY, SCOPE_FORCE_SSL],
    );
    assert_eq!(
        start_upload(&sb, &studio, &meta("Studio"), Some(10))
            .await
            .status(),
        200
    );
    // Rolling 24 h: the first upload leaves the window.
    sb.advance_clock(23 * 3600 + 60);
    let t = token(&sb);
    assert_eq!(
        start_upload(&sb, &t, &meta("Three"), Some(100))
            .await
            .status(),
        200
    );
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn quotas_can_also_be_overridden_through_the_control_api() {
    let sb = sandbox().await;
    sb.set_quota(creatorflow_sandbox::QuotaSpec {
        platform: "youtube".into(),
        name: "units".into(),
        limit: 2,
        window_secs: Some(60),
        daily_utc: false,
    })
    .expect("quota");
    let t = token(&sb);
    assert_eq!(list_channels(&sb, &t).await.status(), 200);
    assert_eq!(list_channels(&sb, &t).await.status(), 200);
    assert_eq!(
        reason(list_channels(&sb, &t).await, 403).await,
        "quotaExceeded"
    );
    sb.advance_clock(61);
    let t = token(&sb);
    assert_eq!(list_channels(&sb, &t).await.status(), 200);
    sb.shutdown().await.expect("shutdown");
}
