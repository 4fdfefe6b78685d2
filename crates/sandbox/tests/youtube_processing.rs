//! What a client polling `videos.list?part=status,processingDetails` after an upload
//! must handle, over real HTTP: processing progress on the emulated clock, and the
//! three ways processing ends (processed, failed with a `failureReason`, rejected
//! with a `rejectionReason`), decided per video when its upload completes. From
//! docs/platforms/youtube.md §4.

mod youtube_common;

use creatorflow_sandbox::platforms::youtube::{
    FAILURE_REASONS, REJECTION_REASONS, SCOPE_FORCE_SSL, SCOPE_READONLY, SCOPE_UPLOAD,
    YOUTUBE_CHANNEL_STUDIO,
};
use creatorflow_sandbox::{ConsentMode, SandboxConfig, SandboxHandle, start};
use serde_json::{Value, json};
use youtube_common::*;

/// `videos.list?part=status,processingDetails&id=...` as the owner; the items.
async fn poll(sb: &SandboxHandle, t: &str, ids: &[impl AsRef<str>]) -> Vec<Value> {
    let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    let url = format!(
        "{}?part=status,processingDetails&id={}",
        yt(sb, "/youtube/v3/videos"),
        ids.join(",")
    );
    let (status, body) = get_json(&url, t).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["pageInfo"]["totalResults"],
        json!(body["items"].as_array().map_or(0, Vec::len))
    );
    body["items"].as_array().expect("items").clone()
}

/// The one item of a poll for `id`.
async fn poll_one(sb: &SandboxHandle, t: &str, id: &str) -> Value {
    let items = poll(sb, t, &[id]).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["id"], id);
    items[0].clone()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// A `processingProgress` field as a number, asserting it is a JSON string (uint64).
fn progress_field(item: &Value, name: &str) -> u64 {
    let v = &item["processingDetails"]["processingProgress"][name];
    v.as_str()
        .unwrap_or_else(|| panic!("{name} is a string in {item}"))
        .parse()
        .expect("a decimal number")
}

/// `POST /_sandbox/clock/advance` (what an out-of-process test would use).
async fn advance(sb: &SandboxHandle, seconds: i64) {
    let resp = http()
        .post(format!("{}_sandbox/clock/advance", sb.base_url()))
        .json(&json!({ "seconds": seconds }))
        .send()
        .await
        .expect("advance");
    assert_eq!(resp.status(), 200);
}

fn refused(sb: &SandboxHandle, patch: Value) -> bool {
    sb.update_platform_settings("youtube", patch).is_err()
}

#[tokio::test]
async fn progress_grows_with_the_emulated_clock_until_processed() {
    let sb = sandbox().await;
    set(&sb, json!({"audited": true, "processing_secs": 100}));
    let t = token(&sb);
    // The upload's own answer, with processingDetails asked for: processing has just
    // started.
    let data = mp4(5000);
    let resp = http()
        .post(yt(&sb, "/upload/youtube/v3/videos"))
        .query(&[
            ("uploadType", "resumable"),
            ("part", "snippet,status,processingDetails"),
        ])
        .bearer_auth(&t)
        .header("content-type", "application/json; charset=UTF-8")
        .header("x-upload-content-length", data.len().to_string())
        .body(meta("Progress").to_string())
        .send()
        .await
        .expect("start");
    assert_eq!(resp.status(), 200);
    let uri = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let resp = put_chunk(&uri, &data, 0, &data.len().to_string()).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("video");
    assert_eq!(v["status"]["uploadStatus"], "uploaded");
    assert_eq!(
        v["processingDetails"],
        json!({
            "processingStatus": "processing",
            "processingProgress": {"partsTotal": "1000", "partsProcessed": "0", "timeLeftMs": "100000"},
        })
    );
    let id = id_of(&v);

    // Polling right away: still at the start.
    let item = poll_one(&sb, &t, &id).await;
    assert_eq!(item["status"]["uploadStatus"], "uploaded");
    assert!(item["status"].get("failureReason").is_none());
    assert!(item["status"].get("rejectionReason").is_none());
    assert_eq!(item["processingDetails"]["processingStatus"], "processing");
    assert!(
        item["processingDetails"]
            .get("processingFailureReason")
            .is_none()
    );
    assert_eq!(progress_field(&item, "partsTotal"), 1000);
    assert!(progress_field(&item, "partsProcessed") <= 10, "{item}");
    let left0 = progress_field(&item, "timeLeftMs");
    // The emulated clock runs with real time: each bound leaves a few seconds
    // for a busy machine between the steps.
    assert!((95_000..=100_000).contains(&left0), "{item}");

    // A quarter of the way: a quarter of the parts, three quarters of the time left.
    advance(&sb, 25).await;
    let item = poll_one(&sb, &t, &id).await;
    assert_eq!(item["status"]["uploadStatus"], "uploaded");
    let done = progress_field(&item, "partsProcessed");
    assert!((250..=300).contains(&done), "{item}");
    let left = progress_field(&item, "timeLeftMs");
    assert!((70_000..=75_000).contains(&left), "{item}");
    assert_eq!(progress_field(&item, "partsTotal"), 1000);

    advance(&sb, 50).await;
    let item = poll_one(&sb, &t, &id).await;
    let later = progress_field(&item, "partsProcessed");
    assert!((750..=800).contains(&later), "{item}");
    assert!(progress_field(&item, "timeLeftMs") <= 25_000, "{item}");

    // Done: processed, succeeded, and no more progress object.
    advance(&sb, 25).await;
    let item = poll_one(&sb, &t, &id).await;
    assert_eq!(item["status"]["uploadStatus"], "processed");
    assert_eq!(
        item["processingDetails"],
        json!({"processingStatus": "succeeded"})
    );
    // Someone else never sees processingDetails.
    let studio = token_with(
        &sb,
        YOUTUBE_CHANNEL_STUDIO.0,
        &[SCOPE_UPLOAD, SCOPE_READONLY, SCOPE_FORCE_SSL],
    );
    let items = poll(&sb, &studio, &[&id]).await;
    assert_eq!(items.len(), 1);
    assert!(items[0].get("processingDetails").is_none());
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn rejected_with_a_reason_after_processing() {
    let sb = sandbox().await;
    set(
        &sb,
        json!({"audited": true, "processing_secs": 60, "reject_processing": "duplicate"}),
    );
    let t = token(&sb);
    let v = upload(&sb, &t, &meta("Seen before"), &mp4(1000)).await;
    assert_eq!(v["status"]["uploadStatus"], "uploaded", "the upload itself");
    let id = id_of(&v);
    let item = poll_one(&sb, &t, &id).await;
    assert_eq!(item["status"]["uploadStatus"], "uploaded");
    assert_eq!(item["processingDetails"]["processingStatus"], "processing");
    assert!(item["status"].get("rejectionReason").is_none());

    advance(&sb, 61).await;
    let item = poll_one(&sb, &t, &id).await;
    assert_eq!(item["status"]["uploadStatus"], "rejected");
    assert_eq!(item["status"]["rejectionReason"], "duplicate");
    assert!(item["status"].get("failureReason").is_none());
    assert_eq!(
        item["processingDetails"],
        json!({"processingStatus": "terminated"})
    );

    // Every documented reason can be chosen; rejection wins over fail_processing;
    // the processingStatus of a rejected video is a setting (unverified).
    set(
        &sb,
        json!({"processing_secs": 0, "fail_processing": true, "rejected_processing_status": "succeeded"}),
    );
    let t = token(&sb);
    let mut ids = Vec::new();
    for reason in REJECTION_REASONS {
        set(&sb, json!({ "reject_processing": reason }));
        let v = upload(&sb, &t, &meta(&format!("Rejected {reason}")), &mp4(100)).await;
        ids.push(id_of(&v));
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let items = poll(&sb, &t, &refs).await;
    assert_eq!(items.len(), REJECTION_REASONS.len());
    for (item, reason) in items.iter().zip(REJECTION_REASONS) {
        assert_eq!(item["status"]["uploadStatus"], "rejected", "{item}");
        assert_eq!(item["status"]["rejectionReason"], *reason, "{item}");
        assert!(item["status"].get("failureReason").is_none(), "{item}");
        assert_eq!(
            item["processingDetails"],
            json!({"processingStatus": "succeeded"})
        );
    }

    // Clearing the setting: the next upload is not rejected (fail_processing is on).
    set(&sb, json!({"reject_processing": null}));
    let v = upload(&sb, &t, &meta("Not rejected"), &mp4(100)).await;
    let item = poll_one(&sb, &t, &id_of(&v)).await;
    assert_eq!(item["status"]["uploadStatus"], "failed");

    // Unknown values are refused and change nothing.
    assert!(refused(&sb, json!({"reject_processing": "spam"})));
    assert!(refused(&sb, json!({"reject_processing": "Duplicate"})));
    assert!(refused(&sb, json!({"reject_processing": 3})));
    assert!(refused(
        &sb,
        json!({"rejected_processing_status": "processing"})
    ));
    let resp = http()
        .post(format!("{}_sandbox/settings/youtube", sb.base_url()))
        .json(&json!({"reject_processing": "spam"}))
        .send()
        .await
        .expect("settings");
    assert_eq!(resp.status(), 400);
    let s = sb.platform_settings("youtube").expect("settings");
    assert_eq!(s["reject_processing"], Value::Null);
    assert_eq!(s["rejected_processing_status"], "succeeded");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn failed_with_a_chosen_reason() {
    let sb = sandbox().await;
    let s = sb.platform_settings("youtube").expect("settings");
    assert_eq!(s["fail_processing"], false);
    assert_eq!(s["fail_processing_reason"], "conversion");
    assert_eq!(s["processing_failure_reason"], Value::Null);
    assert_eq!(s["reject_processing"], Value::Null);
    assert_eq!(s["rejected_processing_status"], "terminated");

    set(
        &sb,
        json!({"audited": true, "processing_secs": 30, "fail_processing": true}),
    );
    let t = token(&sb);
    // `processingFailureReason` follows the failure reason unless set.
    let expected = [
        ("codec", "transcodeFailed"),
        ("conversion", "transcodeFailed"),
        ("emptyFile", "uploadFailed"),
        ("invalidFile", "transcodeFailed"),
        ("tooSmall", "uploadFailed"),
        ("uploadAborted", "uploadFailed"),
    ];
    assert_eq!(expected.len(), FAILURE_REASONS.len());
    let mut ids = Vec::new();
    for (reason, _) in expected {
        set(&sb, json!({ "fail_processing_reason": reason }));
        let v = upload(&sb, &t, &meta(&format!("Failed {reason}")), &mp4(100)).await;
        ids.push(id_of(&v));
    }
    set(
        &sb,
        json!({"fail_processing_reason": "codec", "processing_failure_reason": "streamingFailed"}),
    );
    let v = upload(&sb, &t, &meta("Streaming failed"), &mp4(100)).await;
    ids.push(id_of(&v));
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();

    // While processing, nothing has failed yet.
    for item in poll(&sb, &t, &refs).await {
        assert_eq!(item["status"]["uploadStatus"], "uploaded", "{item}");
        assert!(item["status"].get("failureReason").is_none(), "{item}");
        assert_eq!(item["processingDetails"]["processingStatus"], "processing");
    }
    advance(&sb, 31).await;
    let t = token(&sb);
    let items = poll(&sb, &t, &refs).await;
    assert_eq!(items.len(), expected.len() + 1);
    for (item, (reason, processing)) in items.iter().zip(expected) {
        assert_eq!(item["status"]["uploadStatus"], "failed", "{item}");
        assert_eq!(item["status"]["failureReason"], reason, "{item}");
        assert!(item["status"].get("rejectionReason").is_none(), "{item}");
        assert_eq!(
            item["processingDetails"],
            json!({"processingStatus": "failed", "processingFailureReason": processing}),
            "{reason}"
        );
    }
    let last = &items[expected.len()];
    assert_eq!(last["status"]["failureReason"], "codec");
    assert_eq!(
        last["processingDetails"]["processingFailureReason"],
        "streamingFailed"
    );

    // Unknown values are refused and change nothing.
    assert!(refused(&sb, json!({"fail_processing_reason": "corrupt"})));
    assert!(refused(&sb, json!({"fail_processing_reason": null})));
    assert!(refused(&sb, json!({"processing_failure_reason": "oops"})));
    let s = sb.platform_settings("youtube").expect("settings");
    assert_eq!(s["fail_processing_reason"], "codec");
    assert_eq!(s["processing_failure_reason"], "streamingFailed");
    // The override can be cleared again.
    set(&sb, json!({"processing_failure_reason": null}));
    let s = sb.platform_settings("youtube").expect("settings");
    assert_eq!(s["processing_failure_reason"], Value::Null);
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn outcome_is_fixed_when_the_upload_completes() {
    let sb = sandbox().await;
    set(
        &sb,
        json!({"audited": true, "processing_secs": 10, "reject_processing": "copyright"}),
    );
    let t = token(&sb);
    let rejected = id_of(&upload(&sb, &t, &meta("Rejected later"), &mp4(100)).await);
    // A session started now but completed after the settings change follows the
    // settings of its completion.
    let data = mp4(KIB256 + 10);
    let total = data.len().to_string();
    let uri = session(&sb, &t, &meta("Completed later"), data.len() as u64).await;
    assert_eq!(
        put_chunk(&uri, &data[..KIB256], 0, &total).await.status(),
        308
    );
    set(
        &sb,
        json!({"reject_processing": null, "fail_processing": true,
               "fail_processing_reason": "tooSmall", "processing_secs": 20}),
    );
    let resp = put_chunk(&uri, &data[KIB256..], KIB256 as u64, &total).await;
    assert_eq!(resp.status(), 200);
    let failed = id_of(&resp.json::<Value>().await.expect("video"));
    // Then everything back to "processed at once"; rejected videos would now say
    // `succeeded`.
    set(
        &sb,
        json!({"fail_processing": false, "processing_secs": 0,
               "rejected_processing_status": "succeeded"}),
    );
    let processed = id_of(&upload(&sb, &t, &meta("Fine"), &mp4(100)).await);
    let ids = [rejected.as_str(), failed.as_str(), processed.as_str()];

    let items = poll(&sb, &t, &ids).await;
    assert_eq!(items[0]["status"]["uploadStatus"], "uploaded");
    assert_eq!(items[1]["status"]["uploadStatus"], "uploaded");
    assert_eq!(items[2]["status"]["uploadStatus"], "processed");
    // Each keeps its own processing time.
    let left = |item: &Value| progress_field(item, "timeLeftMs");
    // (A few seconds of slack for a busy machine: the emulated clock runs.)
    assert!((5_000..=10_000).contains(&left(&items[0])), "{items:?}");
    assert!((15_000..=20_000).contains(&left(&items[1])), "{items:?}");

    advance(&sb, 11).await;
    let items = poll(&sb, &t, &ids).await;
    assert_eq!(items[0]["status"]["uploadStatus"], "rejected");
    assert_eq!(items[0]["status"]["rejectionReason"], "copyright");
    assert_eq!(
        items[0]["processingDetails"]["processingStatus"],
        "terminated"
    );
    assert_eq!(items[1]["status"]["uploadStatus"], "uploaded");
    assert_eq!(items[2]["status"]["uploadStatus"], "processed");

    advance(&sb, 10).await;
    let items = poll(&sb, &t, &ids).await;
    assert_eq!(items[0]["status"]["uploadStatus"], "rejected");
    assert_eq!(items[1]["status"]["uploadStatus"], "failed");
    assert_eq!(items[1]["status"]["failureReason"], "tooSmall");
    assert_eq!(
        items[1]["processingDetails"],
        json!({"processingStatus": "failed", "processingFailureReason": "uploadFailed"})
    );
    assert_eq!(items[2]["status"]["uploadStatus"], "processed");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn outcomes_survive_a_restart_and_old_state_files_still_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("sandbox.json");
    let config = SandboxConfig {
        state_file: Some(file.clone()),
        consent: ConsentMode::Approve { account_id: None },
        ..SandboxConfig::default()
    };
    let sb = start(config.clone()).await.expect("start");
    set(
        &sb,
        json!({"audited": true, "processing_secs": 0, "reject_processing": "length"}),
    );
    let t = token(&sb);
    let kept = id_of(&upload(&sb, &t, &meta("Kept outcome"), &mp4(100)).await);
    let old = id_of(&upload(&sb, &t, &meta("Old video"), &mp4(100)).await);
    sb.shutdown().await.expect("shutdown");

    // What a state file written before `processing_outcome` existed looks like.
    let mut state: Value =
        serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("state json");
    let stored = &state["youtube"]["videos"][&kept]["processing_outcome"];
    assert_eq!(
        stored,
        &json!({"processing_secs": 0, "upload_status": "rejected",
                "rejection_reason": "length", "processing_status": "terminated"})
    );
    state["youtube"]["videos"][&old]
        .as_object_mut()
        .expect("video")
        .remove("processing_outcome");
    std::fs::write(&file, serde_json::to_vec(&state).expect("json")).expect("write");

    let sb = start(config).await.expect("restart");
    set(
        &sb,
        json!({"reject_processing": null, "fail_processing": true}),
    );
    let t = token(&sb);
    let items = poll(&sb, &t, &[&kept, &old]).await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["status"]["uploadStatus"], "rejected");
    assert_eq!(items[0]["status"]["rejectionReason"], "length");
    // Without a stored outcome, the video follows the settings, as before.
    assert_eq!(items[1]["status"]["uploadStatus"], "failed");
    assert_eq!(items[1]["status"]["failureReason"], "conversion");
    sb.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_deleted_video_drops_out_of_videos_list() {
    let sb = sandbox().await;
    set(&sb, json!({"processing_secs": 60}));
    let t = token(&sb);
    let gone = id_of(&upload(&sb, &t, &meta("Deleted while processing"), &mp4(100)).await);
    let kept = id_of(&upload(&sb, &t, &meta("Kept"), &mp4(100)).await);
    assert_eq!(poll(&sb, &t, &[&gone, &kept]).await.len(), 2);
    let resp = http()
        .delete(yt(&sb, "/youtube/v3/videos"))
        .query(&[("id", gone.as_str())])
        .bearer_auth(&t)
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), 204);
    // Not listed (no `uploadStatus: deleted` item): the poll gets 200 and no item.
    let items = poll(&sb, &t, &[&gone, &kept]).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], kept.as_str());
    assert!(poll(&sb, &t, &[&gone]).await.is_empty());
    advance(&sb, 61).await;
    let t = token(&sb);
    assert!(poll(&sb, &t, &[&gone]).await.is_empty());
    sb.shutdown().await.expect("shutdown");
}
