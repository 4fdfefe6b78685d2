//! Resuming a YouTube upload (docs/platforms/youtube.md §2.3) against the
//! sandbox: a 503 and a cut connection mid-upload, a crash, an expired
//! session, and a last chunk whose answer was lost. The bytes sent twice
//! are measured from what the emulator's upload sessions received.

mod youtube_common;

use creatorflow_platforms::{ErrorKind, NoopSink, Outcome, Publisher, Reconciled};
use creatorflow_sandbox::{Fault, FaultSpec};
use serde_json::{Value, json};
use youtube_common::*;

fn status_fault(status: u16) -> FaultSpec {
    FaultSpec::new(
        Some("PUT"),
        UPLOAD_PATH,
        Fault::Status { status, body: None },
    )
}

/// Bytes the client sent beyond the file: what the sessions read, plus at
/// most a chunk for each PUT an injected fault answered (the fault layer
/// reads and drops those bodies before the session sees them).
fn resent(sb: &creatorflow_sandbox::Sandbox, total: u64) -> u64 {
    let (_, seen) = sessions(sb);
    (seen + faulted_puts(sb) as u64 * CHUNK).saturating_sub(total)
}

#[tokio::test]
async fn a_503_mid_upload_resends_at_most_one_chunk() {
    let e = env().await;
    let total = 6 * CHUNK + 123;
    let (post, bytes) = video_post(&e, total as usize, "Bumpy");
    let sb = e.sb.sandbox().clone();
    let sink = RecordingSink::with_hook(once_committed(2 * CHUNK, move || {
        sb.inject_fault(status_fault(503)).expect("fault");
    }));
    let mut cp = Value::Null;
    let outcome = e
        .client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect("published after the 503");
    assert!(matches!(outcome, Outcome::Processing(_)));
    assert_eq!(faulted_puts(&e.sb), 1, "the 503 happened");
    let r = &received(&e.sb)[0];
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(received(&e.sb).len(), 1);
    // One session; the chunk the 503 dropped was sent again, nothing else.
    let (count_sessions, seen) = sessions(&e.sb);
    assert_eq!(count_sessions, 1);
    assert_eq!(seen, total, "every byte reached the session once");
    assert!(resent(&e.sb, total) <= CHUNK);
    // The client asked the session where it stood before going on.
    let puts: Vec<Option<u16>> = requests(&e.sb)
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.status)
        .collect();
    assert_eq!(
        puts,
        [
            Some(308),
            Some(308),
            Some(503),
            Some(308), // the probe
            Some(308),
            Some(308),
            Some(308),
            Some(308),
            Some(200)
        ]
    );
}

#[tokio::test]
async fn a_cut_connection_resumes_from_youtubes_range() {
    let e = env().await;
    let total = 5 * CHUNK;
    let (post, bytes) = video_post(&e, total as usize, "Cut");
    let sb = e.sb.sandbox().clone();
    // YouTube takes the third chunk, then the connection drops before the
    // client reads the answer.
    let sink = RecordingSink::with_hook(once_committed(2 * CHUNK, move || {
        sb.inject_fault(FaultSpec::new(
            Some("PUT"),
            UPLOAD_PATH,
            Fault::ResetMidBody,
        ))
        .expect("fault");
    }));
    let mut cp = Value::Null;
    e.client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect("published after the cut");
    let r = &received(&e.sb)[0];
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    // The probe said YouTube had the third chunk: nothing was sent twice.
    assert_eq!(sessions(&e.sb), (1, total));
    let steps: Vec<u64> = sink.checkpoints().iter().filter_map(committed).collect();
    assert!(steps.contains(&(3 * CHUNK)), "{steps:?}");
}

#[tokio::test]
async fn a_crash_resumes_from_the_checkpoint() {
    let e = env().await;
    let total = 6 * CHUNK + 10;
    let (post, bytes) = video_post(&e, total as usize, "Crash");
    // The app dies right after YouTube took the fourth chunk: that
    // checkpoint is never saved.
    let sink = RecordingSink::with_hook(|cp: &Value| {
        if committed(cp) == Some(4 * CHUNK) {
            Err("disk gone".into())
        } else {
            Ok(())
        }
    });
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect_err("the save failed");
    assert_eq!(err.code, "checkpoint_failed");
    assert!(err.is_transient());
    let saved = sink.checkpoints();
    let last_saved = saved[saved.len() - 2].clone();
    assert_eq!(committed(&last_saved), Some(3 * CHUNK));
    assert!(received(&e.sb).is_empty());

    // The engine starts again from what it saved.
    let mut cp = last_saved;
    assert_eq!(
        e.client
            .reconcile(&e.tokens, &post, &cp)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );
    let resumed = RecordingSink::new();
    e.client
        .publish(&e.tokens, &post, &mut cp, &resumed)
        .await
        .expect("resumed");
    // It asked YouTube, which had four chunks, and went on from there.
    assert_eq!(resumed.progress().first(), Some(&(4 * CHUNK, total)));
    assert_eq!(count(&e.sb, "POST", UPLOAD_PATH), 1);
    assert_eq!(sessions(&e.sb), (1, total));
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(cp["video_id"].as_str(), Some(got[0].remote_id.as_str()));
}

#[tokio::test]
async fn repeated_5xx_give_up_for_now_and_resume_later() {
    let e = env().await;
    let total = 4 * CHUNK;
    let (post, bytes) = video_post(&e, total as usize, "Outage");
    let sb = e.sb.sandbox().clone();
    let sink = RecordingSink::with_hook(once_committed(CHUNK, move || {
        sb.inject_fault(status_fault(503).times(50)).expect("fault");
    }));
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect_err("YouTube is down");
    assert_eq!(err.kind, ErrorKind::Server);
    assert!(err.is_transient());
    assert!(
        faulted_puts(&e.sb) <= 5,
        "a few tries, then the engine's turn"
    );
    assert_eq!(committed(&cp), Some(CHUNK));
    e.sb.clear_faults();
    e.client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("resumed");
    assert_eq!(sessions(&e.sb), (1, total));
    assert_eq!(
        received(&e.sb)[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
}

#[tokio::test]
async fn a_session_that_answers_probes_but_refuses_chunks_does_not_loop() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let e = env().await;
    let total = 3 * CHUNK;
    let (post, _) = video_post(&e, total as usize, "Stuck");
    let sb = e.sb.sandbox().clone();
    let armed = Arc::new(AtomicBool::new(true));
    let hook_armed = Arc::clone(&armed);
    // Every time the session has one chunk, the next PUT (a chunk, never a
    // probe: probes come right after a failure) gets a 503.
    let sink = RecordingSink::with_hook(move |cp: &Value| {
        if committed(cp) == Some(CHUNK) && hook_armed.load(Ordering::SeqCst) {
            sb.inject_fault(status_fault(503)).expect("fault");
        }
        Ok(())
    });
    let mut cp = Value::Null;
    let err = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        e.client.publish(&e.tokens, &post, &mut cp, &sink),
    )
    .await
    .expect("no endless loop")
    .expect_err("gives up for now");
    assert_eq!(err.kind, ErrorKind::Server);
    assert_eq!(
        faulted_puts(&e.sb),
        5,
        "one try and four more, then the engine's turn"
    );
    armed.store(false, Ordering::SeqCst);
    e.sb.clear_faults();
    e.client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("resumed");
    assert_eq!(sessions(&e.sb), (1, total));
}

#[tokio::test]
async fn an_expired_session_starts_over() {
    let e = env().await;
    set(&e.sb, json!({"session_ttl_secs": 3600}));
    let total = 4 * CHUNK;
    let (post, bytes) = video_post(&e, total as usize, "Slow");
    let sb = e.sb.sandbox().clone();
    let sink = RecordingSink::with_hook(once_committed(2 * CHUNK, move || {
        sb.advance_clock(3601);
    }));
    let mut cp = Value::Null;
    e.client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect("published with a new session");
    // The old session answered 410; a new one took the whole file.
    let statuses: Vec<Option<u16>> = requests(&e.sb)
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.status)
        .collect();
    assert!(statuses.contains(&Some(410)), "{statuses:?}");
    // (The new session's start first met a 401: the hour also killed the
    // token, which was renewed.)
    let starts: Vec<Option<u16>> = requests(&e.sb)
        .iter()
        .filter(|r| r.method == "POST" && r.path == UPLOAD_PATH)
        .map(|r| r.status)
        .collect();
    assert_eq!(starts, [Some(200), Some(401), Some(200)]);
    assert_eq!(e.tokens.refreshes(), 1);
    let (n, seen) = sessions(&e.sb);
    assert_eq!(n, 2);
    // Two chunks taken by the old session, one sent as it had expired.
    assert_eq!(seen, total + 3 * CHUNK);
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    let uris: std::collections::BTreeSet<String> = sink
        .checkpoints()
        .iter()
        .filter_map(|c| c["upload"]["session_uri"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(uris.len(), 2);
}

#[tokio::test]
async fn a_saved_session_youtube_does_not_know_starts_over() {
    let e = env().await;
    let total = 2 * CHUNK;
    let (post, _) = video_post(&e, total as usize, "Forgotten");
    let file = &post.media[0];
    let mut cp = json!({
        "version": 1,
        "upload": {
            "session_uri": format!("{}?uploadType=resumable&upload_id=nope", e.sb.url(UPLOAD_PATH)),
            "sha256": file.sha256,
            "total_bytes": total,
            "committed": CHUNK,
            "chunk_size": CHUNK,
            "started_at": "2026-01-01T00:00:00Z"
        }
    });
    e.client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect("published");
    let puts: Vec<Option<u16>> = requests(&e.sb)
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.status)
        .collect();
    assert_eq!(puts, [Some(404), Some(308), Some(200)]);
    assert_eq!(received(&e.sb).len(), 1);
}

#[tokio::test]
async fn the_final_answer_lost_is_found_by_asking_the_session() {
    let e = env().await;
    let total = 3 * CHUNK + 99;
    let (post, _) = video_post(&e, total as usize, "Lost answer");
    let sb = e.sb.sandbox().clone();
    // The last chunk completes the video, but its answer is cut.
    let sink = RecordingSink::with_hook(move |cp: &Value| {
        if cp["upload"]["final_in_flight"] == json!(true) {
            sb.inject_fault(FaultSpec::new(
                Some("PUT"),
                UPLOAD_PATH,
                Fault::ResetMidBody,
            ))
            .expect("fault");
        }
        Ok(())
    });
    let mut cp = Value::Null;
    e.client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect("published");
    let got = received(&e.sb);
    assert_eq!(got.len(), 1, "one video, not two");
    assert_eq!(cp["video_id"].as_str(), Some(got[0].remote_id.as_str()));
    assert_eq!(sessions(&e.sb), (1, total));
    // The final chunk was announced in the checkpoint before it was sent.
    let flagged = sink
        .checkpoints()
        .iter()
        .position(|c| c["upload"]["final_in_flight"] == json!(true))
        .expect("final chunk announced");
    assert_eq!(
        committed(&sink.checkpoints()[flagged]),
        Some(3 * CHUNK),
        "flag set with the last chunk still to send"
    );
}

#[tokio::test]
async fn a_gone_session_after_an_unanswered_last_chunk_is_unknown() {
    let e = env().await;
    let total = 2 * CHUNK + 5;
    let (post, _) = video_post(&e, total as usize, "Unknown");
    let sb = e.sb.sandbox().clone();
    // The last chunk makes the video, its answer is cut, and YouTube stays
    // unreachable long enough for the publish to give up.
    let sink = RecordingSink::with_hook(move |cp: &Value| {
        if cp["upload"]["final_in_flight"] == json!(true) && sb.faults().is_empty() {
            sb.inject_fault(FaultSpec::new(
                Some("PUT"),
                UPLOAD_PATH,
                Fault::ResetMidBody,
            ))
            .expect("fault");
            sb.inject_fault(status_fault(503).times(20)).expect("fault");
        }
        Ok(())
    });
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect_err("unreachable");
    assert!(err.is_transient());
    assert_eq!(cp["upload"]["final_in_flight"], json!(true));
    assert_eq!(received(&e.sb).len(), 1, "the video exists");
    e.sb.clear_faults();

    // While the session answers, reconcile finds the upload complete.
    assert_eq!(
        e.client
            .reconcile(&e.tokens, &post, &cp)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );
    // A week later the session is gone: no one can tell.
    e.sb.advance_clock(8 * 24 * 3600);
    assert_eq!(
        e.client
            .reconcile(&e.tokens, &post, &cp)
            .await
            .expect("reconcile"),
        Reconciled::Unknown
    );
    // And publishing with that checkpoint never uploads on a guess.
    let err = e
        .client
        .publish(&e.tokens, &post, &mut cp, &NoopSink)
        .await
        .expect_err("no guess");
    assert_eq!(err.code, "upload_outcome_unknown");
    assert_eq!(count(&e.sb, "POST", UPLOAD_PATH), 1);
    assert_eq!(received(&e.sb).len(), 1);
}

#[tokio::test]
async fn a_changed_file_does_not_resume_the_old_session() {
    let e = env().await;
    let total = 3 * CHUNK;
    let (post, _) = video_post(&e, total as usize, "Changed");
    let sink = RecordingSink::with_hook(|cp: &Value| {
        if committed(cp) == Some(CHUNK) {
            Err("stop".into())
        } else {
            Ok(())
        }
    });
    let mut cp = Value::Null;
    e.client
        .publish(&e.tokens, &post, &mut cp, &sink)
        .await
        .expect_err("stopped");
    // The creator replaced the video before the retry.
    let bytes = mp4_bytes((2 * CHUNK) as usize);
    let mut other = post.clone();
    other.media = vec![media_file(e.dir.path(), "other.mp4", &bytes, "video/mp4")];
    e.client
        .publish(&e.tokens, &other, &mut cp, &NoopSink)
        .await
        .expect("published");
    assert_eq!(count(&e.sb, "POST", UPLOAD_PATH), 2);
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
}
