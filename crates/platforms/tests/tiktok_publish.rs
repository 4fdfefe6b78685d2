//! The TikTok client against the sandbox's TikTok emulator over real HTTP
//! (docs/platforms/tiktok.md): creator info, chunk plans TikTok accepts,
//! a direct post from init to `PUBLISH_COMPLETE`, resuming after a crash
//! from the chunks TikTok acknowledged (and starting over where TikTok
//! refuses), failures in words, the unaudited app's rules, rate limits.

mod tiktok_common;

use creatorflow_platforms::tiktok::ChunkPlan;
use creatorflow_platforms::{ErrorKind, Outcome, Publisher, Reconciled, TokenSource};
use creatorflow_sandbox::QuotaSpec;
use serde_json::{Value, json};
use tiktok_common::*;

#[tokio::test]
async fn posting_info_is_the_creators_own() {
    let e = env().await;
    set(&e.sb, json!({"audited": true}));
    let public = Tokens::new(&e.sb, PUBLIC.0);
    let info = e
        .client
        .posting_info(&public)
        .await
        .expect("info")
        .expect("some");
    let levels: Vec<&str> = info
        .privacy_choices
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert!(levels.contains(&"PUBLIC_TO_EVERYONE"), "{levels:?}");
    assert!(info.privacy_choices.iter().any(|c| c.label == "Only me"));
    assert_eq!(info.display_name, "Sandbox Creator");

    let private = Tokens::new(&e.sb, PRIVATE.0);
    let info = e
        .client
        .posting_info(&private)
        .await
        .expect("info")
        .expect("some");
    assert!(
        !info
            .privacy_choices
            .iter()
            .any(|c| c.value == "PUBLIC_TO_EVERYONE")
    );
    assert_eq!(info.interactions_off, ["duet", "stitch"]);
    assert_eq!(info.max_video_duration_ms, Some(300_000));

    set(&e.sb, json!({"audited": false}));
    let info = e
        .client
        .posting_info(&public)
        .await
        .expect("info")
        .expect("some");
    let levels: Vec<&str> = info
        .privacy_choices
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(
        levels,
        ["SELF_ONLY"],
        "an unaudited app may only post as Only me"
    );

    let profiles = e.client.profiles(&private, &[]).await.expect("profiles");
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].platform_user_id, PRIVATE.0);
    assert_eq!(profiles[0].username, PRIVATE.1);
    assert_eq!(profiles[0].display_name, "Sandbox Studio");
}

/// The plans for the sizes TikTok's rules hinge on are accepted by TikTok's
/// init, also when it refuses a last chunk over 64 MB.
#[tokio::test]
async fn tiktok_accepts_every_chunk_plan() {
    let e = env().await;
    set(&e.sb, json!({"audited": true, "strict_final_chunk": true}));
    e.sb.set_quota(QuotaSpec {
        platform: "tiktok".into(),
        name: "POST /v2/post/publish/video/init/".into(),
        limit: 100,
        window_secs: Some(60),
        daily_utc: false,
    })
    .expect("quota");
    let tokens = Tokens::new(&e.sb, PUBLIC.0);
    let http = reqwest::Client::new();
    for size in [
        1_000_000u64,
        5_000_000,
        64_000_000,
        64_000_001,
        200_000_000,
        1_000_000_000,
    ] {
        let plan =
            ChunkPlan::new(size, creatorflow_platforms::tiktok::DEFAULT_CHUNK_SIZE).expect("plan");
        let token = tokens.token().await.expect("token");
        let resp: Value = http
            .post(e.sb.url(INIT_PATH))
            .bearer_auth(token.secret())
            .json(&json!({
                "post_info": {"title": "t", "privacy_level": "SELF_ONLY"},
                "source_info": {
                    "source": "FILE_UPLOAD",
                    "video_size": plan.video_size,
                    "chunk_size": plan.chunk_size,
                    "total_chunk_count": plan.total_chunk_count,
                },
            }))
            .send()
            .await
            .expect("init")
            .json()
            .await
            .expect("json");
        assert_eq!(resp["error"]["code"], "ok", "{size} B as {plan:?}: {resp}");
    }
}

#[tokio::test]
async fn a_video_goes_out_from_init_to_publish_complete() {
    let e = env().await;
    set(&e.sb, json!({"audited": true, "post_id_delay_polls": 0}));
    let tokens = Tokens::new(&e.sb, PUBLIC.0);
    let mut o = picked("PUBLIC_TO_EVERYONE");
    o.allow_duet = false;
    let (post, bytes) = video_post(&e, PUBLIC, 12_000_000, 20, o);
    let sink = RecordingSink::new();
    let mut cp = Value::Null;
    let out = e
        .client
        .publish(&tokens, &post, &mut cp, &sink)
        .await
        .expect("publish");
    let Outcome::Processing(p) = out else {
        panic!("TikTok processes every video: {out:?}");
    };
    assert!(p.stage.contains("TikTok"), "{}", p.stage);
    assert_eq!(cp["uploaded"], true);
    assert_eq!(
        count(&e.sb, "PUT", UPLOAD_PATH),
        2,
        "12 MB in 5 MB chunks: 5 + 7"
    );
    assert_eq!(
        sink.progress().last().copied(),
        Some((12_000_000, 12_000_000))
    );
    let published = check_until_done(&e.client, &tokens, &post, &mut cp)
        .await
        .expect("published");
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(got[0].text, post.text, "the caption as typed");
    let info = &got[0].extra["post_info"];
    assert_eq!(got[0].extra["privacy_level"], "PUBLIC_TO_EVERYONE");
    assert_eq!(info["disable_comment"], false);
    assert_eq!(info["disable_duet"], true, "duets were not allowed");
    assert_eq!(info["disable_stitch"], false);
    assert!(
        published
            .url
            .as_deref()
            .is_some_and(|u| u.ends_with(&format!("/@{}/video/{}", PUBLIC.1, published.remote_id))),
        "{published:?}"
    );
}

#[tokio::test]
async fn before_tiktok_makes_it_public_the_link_is_the_profile() {
    let e = env().await;
    set(&e.sb, json!({"audited": true, "post_id_delay_polls": 50}));
    let tokens = Tokens::new(&e.sb, PUBLIC.0);
    let (post, _) = video_post(&e, PUBLIC, 2_000_000, 5, picked("MUTUAL_FOLLOW_FRIENDS"));
    let mut cp = Value::Null;
    e.client
        .publish(&tokens, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("publish");
    let p = check_until_done(&e.client, &tokens, &post, &mut cp)
        .await
        .expect("published");
    assert!(
        p.remote_id.starts_with("v_pub_file"),
        "no public id yet: {p:?}"
    );
    assert!(
        p.url
            .as_deref()
            .is_some_and(|u| u.ends_with(&format!("/@{}", PUBLIC.1))),
        "{p:?}"
    );
    assert!(p.note.as_deref().unwrap_or("").contains("reviewing"));
    let follow_up = p.follow_up_at.expect("asks again for the link");
    let wait = follow_up - chrono::Utc::now();
    assert!(
        (50..=70).contains(&wait.num_seconds()),
        "a minute at first: {wait}"
    );
    assert!(
        cp["completed_at"].is_string(),
        "the wait is counted from the first answer: {cp}"
    );
    // A later check, once TikTok made it public, has the post's own link.
    set(&e.sb, json!({"post_id_delay_polls": 0}));
    let Outcome::Published(later) = e
        .client
        .check(&tokens, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("check")
    else {
        panic!("still published");
    };
    assert!(!later.remote_id.starts_with("v_pub"), "{later:?}");
    assert!(
        later
            .url
            .as_deref()
            .is_some_and(|u| u.ends_with(&format!("/video/{}", later.remote_id))),
        "{later:?}"
    );
    assert_eq!(later.follow_up_at, None, "nothing more to wait for");

    // "Only me" posts never get a public id.
    let private = Tokens::new(&e.sb, PRIVATE.0);
    let (post, _) = video_post(&e, PRIVATE, 2_100_000, 5, picked("SELF_ONLY"));
    let mut cp = Value::Null;
    e.client
        .publish(&private, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("publish");
    let p = check_until_done(&e.client, &private, &post, &mut cp)
        .await
        .expect("published");
    assert!(p.note.as_deref().unwrap_or("").contains("Only me"), "{p:?}");
    assert_eq!(p.follow_up_at, None, "no link will come");
}

/// A crash after the first chunk: the upload goes on from the second chunk
/// with the same init.
#[tokio::test]
async fn a_crash_resumes_from_the_next_chunk() {
    let (e, tokens) = unaudited_private().await;
    let (post, bytes) = video_post(&e, PRIVATE, 17_000_000, 20, picked("SELF_ONLY"));
    // The save after the first acknowledged chunk fails: the app "dies".
    let sink = crash_after_chunk(1);
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&tokens, &post, &mut cp, &sink)
        .await
        .expect_err("crashed");
    assert!(err.is_transient());
    let saved = sink.checkpoints().last().cloned().expect("saved");
    assert_eq!(saved["upload"]["acked"], 1);
    let mut cp = saved;
    assert_eq!(
        e.client
            .reconcile(&tokens, &post, &cp)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );
    e.client
        .publish(&tokens, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("resumed");
    assert_eq!(count(&e.sb, "POST", INIT_PATH), 1, "the same init");
    assert_eq!(
        count(&e.sb, "PUT", UPLOAD_PATH),
        3,
        "5 + 5 + 7 MB, none twice"
    );
    check_until_done(&e.client, &tokens, &post, &mut cp)
        .await
        .expect("published");
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
}

/// TikTok took the second chunk but its answer was lost: resending it is
/// refused (out of order), so the upload starts over with a new init; one
/// post comes of it.
#[tokio::test]
async fn a_chunk_whose_answer_was_lost_makes_it_start_over() {
    let (e, tokens) = unaudited_private().await;
    let (post, _) = video_post(&e, PRIVATE, 17_000_000, 20, picked("SELF_ONLY"));
    let sink = lose_answer_to_chunk(&e.sb, 1);
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&tokens, &post, &mut cp, &sink)
        .await
        .expect_err("answer lost");
    assert_eq!(err.kind, ErrorKind::Network, "{err:?}");
    assert_eq!(cp["upload"]["sending"], 1);
    e.client
        .publish(&tokens, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("started over");
    assert_eq!(cp["restarts"], 1);
    assert_eq!(count(&e.sb, "POST", INIT_PATH), 2);
    check_until_done(&e.client, &tokens, &post, &mut cp)
        .await
        .expect("published");
    assert_eq!(received(&e.sb).len(), 1, "exactly one post");
}

/// The last chunk's answer was lost: TikTok has the whole video, so nothing
/// is sent again; the status says so and the post is followed to the end.
#[tokio::test]
async fn a_lost_answer_to_the_last_chunk_never_posts_twice() {
    let e = env().await;
    set(&e.sb, json!({"audited": false, "post_id_delay_polls": 0}));
    let tokens = Tokens::new(&e.sb, PRIVATE.0);
    let (post, _) = video_post(&e, PRIVATE, 12_000_000, 20, picked("SELF_ONLY"));
    let sink = lose_answer_to_chunk(&e.sb, 1);
    let mut cp = Value::Null;
    e.client
        .publish(&tokens, &post, &mut cp, &sink)
        .await
        .expect_err("answer lost");
    let r = e
        .client
        .reconcile(&tokens, &post, &cp)
        .await
        .expect("reconcile");
    assert!(
        matches!(r, Reconciled::NotPublished | Reconciled::Published(_)),
        "{r:?}"
    );
    let out = e
        .client
        .publish(&tokens, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("carries on");
    assert!(matches!(out, Outcome::Processing(_)));
    assert_eq!(count(&e.sb, "PUT", UPLOAD_PATH), 2, "nothing sent again");
    assert_eq!(count(&e.sb, "POST", INIT_PATH), 1);
    check_until_done(&e.client, &tokens, &post, &mut cp)
        .await
        .expect("published");
    assert_eq!(received(&e.sb).len(), 1);
}

/// After an hour the upload URL is dead: TikTok refuses the next chunk and
/// the upload starts over; a URL CreatorFlow knows is old is not even tried.
#[tokio::test]
async fn an_expired_upload_url_starts_over() {
    let (e, tokens) = unaudited_private().await;
    let (post, _) = video_post(&e, PRIVATE, 12_000_000, 20, picked("SELF_ONLY"));
    let sink = crash_after_chunk(1);
    let mut cp = Value::Null;
    e.client
        .publish(&tokens, &post, &mut cp, &sink)
        .await
        .expect_err("crashed");
    let mut cp = sink.checkpoints().last().cloned().expect("saved");
    e.sb.advance_clock(3601);
    e.client
        .publish(&tokens, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("started over");
    assert_eq!(cp["restarts"], 1);
    assert_eq!(count(&e.sb, "POST", INIT_PATH), 2);

    // Known to be old: straight to a new init.
    let (post2, _) = video_post(&e, PRIVATE, 11_000_000, 20, picked("SELF_ONLY"));
    let sink = crash_after_chunk(1);
    let mut cp2 = Value::Null;
    e.client
        .publish(&tokens, &post2, &mut cp2, &sink)
        .await
        .expect_err("crashed");
    let mut cp2 = sink.checkpoints().last().cloned().expect("saved");
    cp2["upload"]["expires_at"] = json!("2020-01-01T00:00:00Z");
    let puts = count(&e.sb, "PUT", UPLOAD_PATH);
    e.client
        .publish(&tokens, &post2, &mut cp2, &RecordingSink::new())
        .await
        .expect("started over");
    assert_eq!(
        count(&e.sb, "PUT", UPLOAD_PATH),
        puts + 2,
        "all chunks of a new upload"
    );
    assert_eq!(count(&e.sb, "POST", INIT_PATH), 4);
}

#[tokio::test]
async fn a_post_that_no_longer_fits_fails_before_upload() {
    let (e, tokens) = unaudited_private().await;
    // The private creator may post 5 minutes; this plays 6.
    let (post, _) = video_post(&e, PRIVATE, 2_000_000, 360, picked("SELF_ONLY"));
    let err = publish_new(&e, &tokens, &post).await.expect_err("too long");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "video_too_long")
    );
    assert!(
        err.message.contains("5:00") && err.message.contains("6:00"),
        "{}",
        err.message
    );
    // An unaudited app is offered "Only me" alone.
    let (post, _) = video_post(&e, PRIVATE, 2_000_000, 10, picked("FOLLOWER_OF_CREATOR"));
    let err = publish_new(&e, &tokens, &post)
        .await
        .expect_err("not offered");
    assert_eq!(err.code, "privacy_not_offered");
    assert!(
        err.message.contains("\"Followers\"") && err.message.contains("\"Only me\""),
        "{}",
        err.message
    );
    assert_eq!(count(&e.sb, "POST", INIT_PATH), 0, "nothing was sent");
    assert!(received(&e.sb).is_empty());
}

#[tokio::test]
async fn an_unaudited_app_cannot_post_from_a_public_account() {
    let e = env().await;
    set(&e.sb, json!({"audited": false}));
    let tokens = Tokens::new(&e.sb, PUBLIC.0);
    let (post, _) = video_post(&e, PUBLIC, 2_000_000, 10, picked("SELF_ONLY"));
    let err = publish_new(&e, &tokens, &post).await.expect_err("refused");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "unaudited_app")
    );
    assert!(!err.is_transient());
    assert!(err.message.contains("private"), "{}", err.message);
    assert_eq!(count(&e.sb, "PUT", UPLOAD_PATH), 0);
}

#[tokio::test]
async fn a_failed_post_says_why_in_words() {
    let e = env().await;
    set(
        &e.sb,
        json!({"audited": false, "fail_reason": "frame_rate_check_failed"}),
    );
    let tokens = Tokens::new(&e.sb, PRIVATE.0);
    let (post, _) = video_post(&e, PRIVATE, 2_000_000, 10, picked("SELF_ONLY"));
    let mut cp = Value::Null;
    e.client
        .publish(&tokens, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("uploaded");
    let err = check_until_done(&e.client, &tokens, &post, &mut cp)
        .await
        .expect_err("failed");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "publish_failed")
    );
    assert!(err.message.contains("frames per second"), "{}", err.message);
    assert!(
        err.detail
            .as_deref()
            .unwrap_or("")
            .contains("frame_rate_check_failed")
    );
}

#[tokio::test]
async fn rate_limits_are_waited_out() {
    let e = env().await;
    set(&e.sb, json!({"audited": false}));
    e.sb.set_quota(QuotaSpec {
        platform: "tiktok".into(),
        name: "POST /v2/post/publish/video/init/".into(),
        limit: 1,
        window_secs: Some(60),
        daily_utc: false,
    })
    .expect("quota");
    let tokens = Tokens::new(&e.sb, PRIVATE.0);
    let (post, _) = video_post(&e, PRIVATE, 2_000_000, 10, picked("SELF_ONLY"));
    publish_new(&e, &tokens, &post).await.expect("first");
    let before = chrono::Utc::now();
    let err = publish_new(&e, &tokens, &post).await.expect_err("limited");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.status, Some(429));
    let wait = err.retry_at.expect("retry_at") - before;
    assert!((55..=65).contains(&wait.num_seconds()), "{wait}");
}

#[tokio::test]
async fn a_revoked_token_is_renewed_once() {
    let (e, tokens) = unaudited_private().await;
    e.sb.revoke_account("tiktok", PRIVATE.0).expect("revoke");
    let err = e.client.posting_info(&tokens).await;
    // The sandbox's control API hands out fresh tokens, so the renewed one works.
    assert!(err.is_ok(), "{err:?}");
    assert_eq!(tokens.refreshes(), 1);
}
