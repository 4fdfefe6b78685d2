//! A video through LinkedIn's Videos API (docs/platforms/linkedin.md §6)
//! against the sandbox: parts streamed in order with their ETags
//! checkpointed, finalize, processing followed by `check`, and resuming
//! after a crash or a failed part without sending a part twice.

mod linkedin_common;

use std::collections::BTreeMap;
use std::sync::Mutex;

use creatorflow_platforms::{ErrorKind, NoopSink, Outcome, Publisher};
use creatorflow_sandbox::{Fault, FaultSpec, Sandbox};
use linkedin_common::*;
use serde_json::{Value, json};

const PART: u64 = 100 * 1024;
/// Four parts: 100 + 100 + 100 + 50 KiB.
const VIDEO: usize = 350 * 1024;

fn setup(e: &Env) -> (creatorflow_platforms::PublishRequest, Vec<u8>) {
    set(
        &e.sb,
        json!({"video_part_bytes": PART, "video_processing_polls": 2}),
    );
    let bytes = mp4_bytes(VIDEO);
    let mut file = media(e, "clip.mp4", &bytes, "video/mp4");
    (file.width, file.height, file.duration_ms) = (Some(1280), Some(720), Some(12_000));
    file.alt_text = Some("not sent: LinkedIn takes alt text for images".into());
    let mut p = post("A clip (4 parts)");
    p.media.push(file);
    (p, bytes)
}

/// PUTs per upload URL, in the order the URLs were first used.
fn puts(sb: &Sandbox) -> Vec<(String, usize)> {
    let mut order: Vec<String> = Vec::new();
    let mut n: BTreeMap<String, usize> = BTreeMap::new();
    for r in requests(sb) {
        if r.method == "PUT" && r.path.starts_with("/linkedin/dms-uploads/") {
            if !n.contains_key(&r.path) {
                order.push(r.path.clone());
            }
            *n.entry(r.path).or_default() += 1;
        }
    }
    order.into_iter().map(|p| (p.clone(), n[&p])).collect()
}

fn etags(cp: &Value) -> usize {
    cp["video"]["parts"].as_array().map_or(0, |parts| {
        parts.iter().filter(|p| p["etag"].is_string()).count()
    })
}

#[tokio::test]
async fn a_video_in_parts_then_processing_then_the_post() {
    let e = env().await;
    let (p, bytes) = setup(&e);
    let sink = RecordingSink::new();
    let mut cp = Value::Null;
    let first = e
        .client
        .publish(&e.tokens, &p, &mut cp, &sink)
        .await
        .expect("uploaded");
    let Outcome::Processing(wait) = first else {
        panic!("LinkedIn processes the video: {first:?}");
    };
    assert_eq!(wait.stage, "LinkedIn is processing the video");
    assert_eq!(count(&e.sb, "POST", "/linkedin/rest/posts"), 0);

    // Every part once, in order; each ETag checkpointed as it came.
    let sent = puts(&e.sb);
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|(_, n)| *n == 1), "{sent:?}");
    let saved = sink.checkpoints();
    let counts: Vec<usize> = saved.iter().map(etags).collect();
    for n in 0..=4 {
        assert!(
            counts.contains(&n),
            "a checkpoint with {n} ETags: {counts:?}"
        );
    }
    assert!(cp.get("video").is_none(), "finalized");
    let key = sha256_hex(&bytes);
    assert_eq!(cp["media"][&key]["ready"], json!(false));
    assert!(
        cp["media"][&key]["urn"]
            .as_str()
            .is_some_and(|u| u.starts_with("urn:li:video:"))
    );
    let progress = sink.progress();
    assert_eq!(progress.last(), Some(&(VIDEO as u64, VIDEO as u64)));
    assert!(
        progress.windows(2).all(|w| w[0].0 <= w[1].0),
        "{progress:?}"
    );

    // The engine checks back: still processing once, then the post.
    let second = e
        .client
        .check(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect("checked");
    assert!(matches!(second, Outcome::Processing(_)), "{second:?}");
    let out = published(
        e.client
            .check(&e.tokens, &p, &mut cp, &NoopSink)
            .await
            .expect("checked"),
    );
    let r = &received(&e.sb)[0];
    assert_eq!(r.remote_id, out.remote_id);
    assert_eq!(r.media[0].kind, "video");
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(key.as_str()),
        "the parts arrived in order, once each"
    );
    assert_eq!(
        r.extra["content"],
        json!({"media": {"id": cp["media"][&key]["urn"]}})
    );
    assert_eq!(
        count(&e.sb, "POST", "/linkedin/rest/videos"),
        2,
        "initialize + finalize"
    );
    assert_eq!(puts(&e.sb).len(), 4, "no part sent again while checking");
}

#[tokio::test]
async fn a_crash_mid_upload_resumes_with_the_parts_not_sent() {
    let e = env().await;
    let (p, bytes) = setup(&e);
    // The app dies right after the checkpoint with two ETags was written.
    let crashed = Mutex::new(false);
    let sink = RecordingSink::with_hook(move |cp| {
        if etags(cp) == 2 && !std::mem::replace(&mut *crashed.lock().expect("lock"), true) {
            return Err("the app was killed".into());
        }
        Ok(())
    });
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &p, &mut cp, &sink)
        .await
        .expect_err("crashed");
    assert_eq!(err.code, "checkpoint_failed");
    // What was on disk when it died.
    let on_disk = sink
        .checkpoints()
        .into_iter()
        .find(|c| etags(c) == 2)
        .expect("a checkpoint with two parts");
    assert_eq!(puts(&e.sb).len(), 2);

    // A new run of the app picks it up from there.
    let client = client_for(&e.sb);
    let mut cp = on_disk;
    let mut outcome = client
        .publish(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect("resumed");
    while let Outcome::Processing(_) = outcome {
        outcome = client
            .check(&e.tokens, &p, &mut cp, &NoopSink)
            .await
            .expect("checked");
    }
    let sent = puts(&e.sb);
    assert_eq!(sent.len(), 4);
    assert!(
        sent.iter().all(|(_, n)| *n == 1),
        "no part sent twice: {sent:?}"
    );
    assert_eq!(
        count(&e.sb, "POST", "/linkedin/rest/videos"),
        2,
        "one initialize"
    );
    let r = &received(&e.sb)[0];
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
}

#[tokio::test]
async fn a_failed_part_is_the_only_one_sent_again() {
    let e = env().await;
    let (p, bytes) = setup(&e);
    let sb = e.sb.clone();
    let armed = Mutex::new(true);
    let sink = RecordingSink::with_hook(move |cp| {
        if etags(cp) == 2 && std::mem::replace(&mut *armed.lock().expect("lock"), false) {
            sb.inject_fault(FaultSpec::new(
                Some("PUT"),
                "/linkedin/dms-uploads/*",
                Fault::Status {
                    status: 503,
                    body: None,
                },
            ))
            .expect("fault");
        }
        Ok(())
    });
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &p, &mut cp, &sink)
        .await
        .expect_err("part 3 failed");
    assert_eq!(err.kind, ErrorKind::Server);
    assert!(err.is_transient());
    assert_eq!(etags(&cp), 2, "the two parts LinkedIn has are kept");

    let (out, checks) = publish_through(&e, &p, &mut cp).await.expect("resumed");
    assert_eq!(checks, 2);
    let sent: Vec<usize> = puts(&e.sb).into_iter().map(|(_, n)| n).collect();
    assert_eq!(sent, [1, 1, 2, 1], "only the interrupted part twice");
    let r = &received(&e.sb)[0];
    assert_eq!(r.remote_id, out.remote_id);
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
}

#[tokio::test]
async fn expired_upload_urls_start_the_video_over() {
    let e = env().await;
    let (p, _) = setup(&e);
    let sink = RecordingSink::with_hook(|cp| {
        if etags(cp) == 1 {
            return Err("stopped".into());
        }
        Ok(())
    });
    let mut cp = Value::Null;
    e.client
        .publish(&e.tokens, &p, &mut cp, &sink)
        .await
        .expect_err("stopped after one part");
    // The URLs LinkedIn handed out live 24 hours.
    let mut cp = sink
        .checkpoints()
        .into_iter()
        .find(|c| etags(c) == 1)
        .expect("saved");
    cp["video"]["expires_at"] = json!("2000-01-01T00:00:00Z");
    publish_through(&e, &p, &mut cp)
        .await
        .expect("started over");
    assert_eq!(
        count(&e.sb, "POST", "/linkedin/rest/videos"),
        3,
        "two initializes"
    );
    assert_eq!(puts(&e.sb).len(), 1 + 4);
}

#[tokio::test]
async fn a_video_linkedin_cannot_process_is_rejected() {
    let e = env().await;
    let (mut p, _) = setup(&e);
    set(
        &e.sb,
        json!({"fail_video_processing": true, "video_processing_polls": 0}),
    );
    p.text = "Broken clip".into();
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect_err("processing failed");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(err.code, "media_processing_failed");
    assert!(
        err.message
            .starts_with("LinkedIn could not process the video")
    );
    assert!(cp.get("media").is_none() && cp.get("video").is_none());
}
