//! The X client against the sandbox's X emulator, over real HTTP: profile,
//! posts, threads, images, chunked uploads, resume, delete, revoke.

mod common;

use std::time::{Duration, Instant};

use common::*;
use creatorflow_platforms::x::XClient;
use creatorflow_platforms::{
    AuthError, ClientCredentials, ErrorKind, NoopSink, Outcome, Publisher, Reconciled, TokenSet,
};
use creatorflow_sandbox::platforms::x::{
    X_CONFIDENTIAL_CLIENT_ID, X_CONFIDENTIAL_CLIENT_SECRET, X_PUBLIC_CLIENT_ID,
};
use creatorflow_sandbox::{Fault, FaultSpec, TokenRequest};
use serde_json::{Value, json};

#[tokio::test]
async fn profile_is_the_token_owner() {
    let e = env().await;
    let p = e.client.me(&e.token).await.expect("profile");
    assert_eq!(p.platform_user_id, CREATOR_ID);
    assert_eq!(p.username, CREATOR);
    assert_eq!(p.display_name, "Sandbox Creator");
    let avatar = p.avatar_url.expect("avatar");
    assert!(
        avatar.ends_with(&format!("/_sandbox/avatar/x/{CREATOR_ID}.svg")),
        "{avatar}"
    );
    let studio = token_for(&e.sb, STUDIO_ID, None);
    let p = e.client.me(&studio).await.expect("profile");
    assert_eq!(p.username, STUDIO);
    // The request asked for the avatar field, and nothing secret is logged.
    let req = x_requests(&e.sb);
    assert_eq!(req[0].path, "/x/2/users/me");
    assert_eq!(
        req[0].query.as_deref(),
        Some("user.fields=profile_image_url")
    );
}

#[tokio::test]
async fn text_post_goes_out_once_for_the_right_account() {
    let e = env().await;
    let sink = RecordingSink::new();
    let mut cp = Value::Null;
    let text = "Hello from CreatorFlow 👋 https://example.com/launch";
    let published = published(
        e.client
            .publish(&e.token, &post(text, &[]), &mut cp, &sink)
            .await
            .expect("published"),
    );

    let received = e.sb.received(Some("x"));
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.remote_id, published.remote_id);
    assert_eq!(r.account_id, CREATOR_ID);
    assert_eq!(r.username, CREATOR);
    assert_eq!(r.text, text);
    assert!(r.media.is_empty());
    assert_eq!(r.reply_to, None);
    // The link goes to the post on x.com; here, the sandbox's page for it.
    let url = published.url.clone().expect("url");
    assert_eq!(
        url,
        format!(
            "{}/{CREATOR}/status/{}",
            e.sb.url("/x"),
            published.remote_id
        )
    );
    let page = reqwest::get(&url).await.expect("post page");
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .expect("html")
            .contains("Hello from CreatorFlow")
    );
    assert_eq!(
        Some(url.as_str()),
        Some(
            format!(
                "{}/{CREATOR}/status/{}",
                e.sb.url("/x"),
                published.remote_id
            )
            .as_str()
        )
    );
    assert_eq!(count(&e.sb, "POST", "/x/2/tweets"), 1);

    // The create was marked in flight (and saved) before it was sent, then cleared.
    let saved = sink.checkpoints();
    let flight = saved
        .iter()
        .position(|c| c["in_flight"]["part"] == json!(0))
        .expect("in-flight checkpoint");
    assert!(parts_of(&saved[flight]).is_empty());
    let last = saved.last().expect("final checkpoint");
    assert_eq!(parts_of(last), vec![published.remote_id.clone()]);
    assert!(last.get("in_flight").is_none());
    assert_eq!(&cp, last);

    // Reconcile reads the finished checkpoint.
    let rec = e
        .client
        .reconcile(&e.token, &post(text, &[]), &cp)
        .await
        .expect("reconcile");
    assert_eq!(rec, Reconciled::Published(published));
    // One request: no processing, so no check-back.
    assert_eq!(count(&e.sb, "GET", "/x/2/media/upload"), 0);
}

#[tokio::test]
async fn username_from_options_skips_users_me() {
    let e = env().await;
    let studio = token_for(&e.sb, STUDIO_ID, None);
    let mut p = post("From the studio", &[]);
    p.account.username = "sandbox_studio".into();
    let published = published(
        e.client
            .publish(&studio, &p, &mut Value::Null, &NoopSink)
            .await
            .expect("published"),
    );
    assert!(
        published
            .url
            .expect("url")
            .starts_with(&format!("{}/sandbox_studio/status/", e.sb.url("/x")))
    );
    assert_eq!(count(&e.sb, "GET", "/x/2/users/me"), 0);
    assert_eq!(e.sb.received(Some("x"))[0].account_id, STUDIO_ID);
}

#[tokio::test]
async fn thread_of_three_chains_the_replies() {
    let e = env().await;
    let thread = post("1/3 A thread about X", &["2/3 the middle", "3/3 the end"]);
    let mut cp = Value::Null;
    let published = published(
        e.client
            .publish(&e.token, &thread, &mut cp, &NoopSink)
            .await
            .expect("published"),
    );
    let received = e.sb.received(Some("x"));
    assert_eq!(received.len(), 3);
    assert_eq!(received[0].text, "1/3 A thread about X");
    assert_eq!(received[0].reply_to, None);
    assert_eq!(received[1].text, "2/3 the middle");
    assert_eq!(
        received[1].reply_to.as_deref(),
        Some(received[0].remote_id.as_str())
    );
    assert_eq!(received[2].text, "3/3 the end");
    assert_eq!(
        received[2].reply_to.as_deref(),
        Some(received[1].remote_id.as_str())
    );
    assert_eq!(published.remote_id, received[0].remote_id);
    let ids: Vec<String> = received.iter().map(|r| r.remote_id.clone()).collect();
    assert_eq!(parts_of(&cp), ids);
}

#[tokio::test]
async fn one_image_is_uploaded_simply_and_attached() {
    let e = env().await;
    let dir = tempfile::tempdir().expect("tmp");
    let bytes = fixture("photo.jpg");
    let mut p = post("A photo", &[]);
    p.media
        .push(media_file(dir.path(), "photo.jpg", &bytes, "image/jpeg"));
    let sink = RecordingSink::new();
    e.client
        .publish(&e.token, &p, &mut Value::Null, &sink)
        .await
        .expect("published");
    let r = &e.sb.received(Some("x"))[0];
    assert_eq!(r.media.len(), 1);
    assert_eq!(r.media[0].kind, "image");
    assert_eq!(r.media[0].mime, "image/jpeg");
    assert_eq!(r.media[0].size, bytes.len() as u64);
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(count(&e.sb, "POST", "/x/2/media/upload"), 1);
    assert_eq!(count(&e.sb, "POST", "/x/2/media/upload/initialize"), 0);
    let total = bytes.len() as u64;
    assert_eq!(sink.progress().last(), Some(&(total, total)));
}

#[tokio::test]
async fn four_images_keep_their_order_and_digests() {
    let e = env().await;
    let dir = tempfile::tempdir().expect("tmp");
    let files: Vec<(Vec<u8>, &str, &str)> = vec![
        (fixture("photo.jpg"), "a.jpg", "image/jpeg"),
        (fixture("badge.png"), "b.png", "image/png"),
        (png(40, 30, 7), "c.png", "image/png"),
        (png(64, 8, 99), "d.png", "image/png"),
    ];
    let mut p = post("Four pictures", &[]);
    for (bytes, name, mime) in &files {
        p.media.push(media_file(dir.path(), name, bytes, mime));
    }
    let mut cp = Value::Null;
    e.client
        .publish(&e.token, &p, &mut cp, &NoopSink)
        .await
        .expect("published");
    let r = &e.sb.received(Some("x"))[0];
    assert_eq!(r.media.len(), 4);
    for (got, (bytes, _, mime)) in r.media.iter().zip(&files) {
        assert_eq!(got.size, bytes.len() as u64);
        assert_eq!(got.sha256.as_deref(), Some(sha256_hex(bytes).as_str()));
        assert_eq!(&got.mime, mime);
    }
    // The checkpoint remembers each upload by the file's digest.
    for (bytes, _, _) in &files {
        assert!(cp["media"][sha256_hex(bytes)]["media_id"].is_string());
    }
    assert_eq!(count(&e.sb, "POST", "/x/2/media/upload"), 4);
}

#[tokio::test]
async fn gif_goes_chunked_and_waits_for_processing() {
    let e = env().await;
    e.sb.update_platform_settings(
        "x",
        json!({ "check_after_secs": 2, "video_processing_polls": 1 }),
    )
    .expect("settings");
    let dir = tempfile::tempdir().expect("tmp");
    let bytes = fixture("spinner.gif");
    let mut p = post("", &[]);
    p.media
        .push(media_file(dir.path(), "spinner.gif", &bytes, "image/gif"));
    let started = Instant::now();
    let sink = RecordingSink::new();
    let mut cp = Value::Null;
    let mut outcome = e
        .client
        .publish(&e.token, &p, &mut cp, &sink)
        .await
        .expect("accepted");
    // While X processes the GIF, the publish hands back "check again at T"
    // instead of waiting: each check asks STATUS once.
    let mut checks = 0;
    while let Outcome::Processing(wait) = outcome {
        assert!(
            wait.stage.contains("X is processing the GIF"),
            "{}",
            wait.stage
        );
        let left = (wait.check_at - chrono::Utc::now())
            .to_std()
            .unwrap_or_default();
        assert!(
            left <= Duration::from_secs(2),
            "check_after_secs honoured: {left:?}"
        );
        tokio::time::sleep(left).await;
        checks += 1;
        outcome = e
            .client
            .check(&e.token, &p, &mut cp, &sink)
            .await
            .expect("checked");
    }
    assert_eq!(checks, 2);
    // finalize says pending (wait 2 s), one poll in progress (wait 2 s), then succeeded.
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let paths: Vec<String> = x_requests(&e.sb)
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let media_id = e.sb.received(Some("x"))[0].media[0].remote_id.clone();
    let id = media_id.trim_start_matches("16_");
    assert_eq!(
        paths,
        vec![
            "GET /x/2/users/me".to_owned(),
            "POST /x/2/media/upload/initialize".to_owned(),
            format!("POST /x/2/media/upload/{id}/append"),
            format!("POST /x/2/media/upload/{id}/finalize"),
            "GET /x/2/media/upload".to_owned(),
            "GET /x/2/media/upload".to_owned(),
            "POST /x/2/tweets".to_owned(),
        ]
    );
    let r = &e.sb.received(Some("x"))[0];
    assert_eq!(r.text, "");
    assert_eq!(r.media[0].kind, "gif");
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    // Before processing finished the checkpoint said "not ready".
    assert!(
        sink.checkpoints()
            .iter()
            .any(|c| c["media"][sha256_hex(&bytes)]["ready"] == json!(false))
    );
}

#[tokio::test]
async fn large_image_is_sent_in_4_mb_segments_from_disk() {
    let e = env().await;
    let dir = tempfile::tempdir().expect("tmp");
    let bytes = png(1200, 1200, 3);
    assert!(bytes.len() as u64 > creatorflow_platforms::x::SIMPLE_UPLOAD_MAX);
    assert!(bytes.len() as u64 <= creatorflow_platforms::x::MAX_IMAGE_BYTES);
    let mut p = post("Big picture", &[]);
    p.media
        .push(media_file(dir.path(), "big.png", &bytes, "image/png"));
    let sink = RecordingSink::new();
    e.client
        .publish(&e.token, &p, &mut Value::Null, &sink)
        .await
        .expect("published");
    assert_eq!(count(&e.sb, "POST", "/x/2/media/upload/initialize"), 1);
    let appends = x_requests(&e.sb)
        .iter()
        .filter(|r| r.path.ends_with("/append"))
        .count();
    assert_eq!(appends, 2);
    // An image needs no processing: no STATUS poll.
    assert_eq!(count(&e.sb, "GET", "/x/2/media/upload"), 0);
    let r = &e.sb.received(Some("x"))[0];
    assert_eq!(r.media[0].size, bytes.len() as u64);
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    // Progress went up segment by segment to the total.
    let total = bytes.len() as u64;
    let progress = sink.progress();
    assert!(progress.contains(&(creatorflow_platforms::x::CHUNK_SIZE, total)));
    assert_eq!(progress.last(), Some(&(total, total)));
    assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0));
    // Each append was checkpointed.
    assert!(
        sink.checkpoints()
            .iter()
            .any(|c| c["upload"]["next_segment"] == json!(1))
    );
}

#[tokio::test]
async fn a_failed_part_resumes_without_posting_anything_twice() {
    let e = env().await;
    let thread = post("Resume 1/3", &["Resume 2/3", "Resume 3/3"]);
    let sink = RecordingSink::with_hook(fault_after_parts(
        &e.sb,
        1,
        FaultSpec::new(
            Some("POST"),
            "/x/2/tweets",
            Fault::Status {
                status: 503,
                body: None,
            },
        ),
    ));
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.token, &thread, &mut cp, &sink)
        .await
        .expect_err("the second part fails");
    assert_eq!(err.kind, ErrorKind::Server);
    assert!(err.is_transient());
    assert_eq!(err.status, Some(503));
    assert_eq!(
        err.message,
        "X is busy right now (error 503). CreatorFlow will try again."
    );
    let first = e.sb.received(Some("x"));
    assert_eq!(first.len(), 1);
    assert_eq!(parts_of(&cp), vec![first[0].remote_id.clone()]);
    assert!(cp.get("in_flight").is_none(), "{cp}");
    assert_eq!(
        e.client
            .reconcile(&e.token, &thread, &cp)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );

    let published = published(
        e.client
            .publish(&e.token, &thread, &mut cp, &NoopSink)
            .await
            .expect("resumed"),
    );
    let received = e.sb.received(Some("x"));
    let texts: Vec<&str> = received.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, vec!["Resume 1/3", "Resume 2/3", "Resume 3/3"]);
    assert_eq!(published.remote_id, received[0].remote_id);
    assert_eq!(
        received[1].reply_to.as_deref(),
        Some(received[0].remote_id.as_str())
    );
    assert_eq!(
        received[2].reply_to.as_deref(),
        Some(received[1].remote_id.as_str())
    );
    // 1 + the refused one + 2.
    assert_eq!(count(&e.sb, "POST", "/x/2/tweets"), 4);
}

#[tokio::test]
async fn uploaded_media_is_not_sent_again_on_resume() {
    let e = env().await;
    let dir = tempfile::tempdir().expect("tmp");
    let bytes = fixture("badge.png");
    let mut p = post("Badge", &[]);
    p.media
        .push(media_file(dir.path(), "badge.png", &bytes, "image/png"));
    // The engine cannot save the "in flight" mark: the publish stops before creating.
    let sink = RecordingSink::with_hook(|cp: &Value| {
        if cp.get("in_flight").is_some() {
            Err("disk full".to_owned())
        } else {
            Ok(())
        }
    });
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.token, &p, &mut cp, &sink)
        .await
        .expect_err("checkpoint fails");
    assert_eq!(err.code, "checkpoint_failed");
    assert!(err.is_transient());
    assert_eq!(err.detail.as_deref(), Some("disk full"));
    assert!(e.sb.received(Some("x")).is_empty());
    assert!(
        cp.get("in_flight").is_none(),
        "not sent, so not in flight: {cp}"
    );
    assert!(cp["media"][sha256_hex(&bytes)]["media_id"].is_string());
    assert_eq!(
        e.client
            .reconcile(&e.token, &p, &cp)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );

    e.client
        .publish(&e.token, &p, &mut cp, &NoopSink)
        .await
        .expect("resumed");
    assert_eq!(count(&e.sb, "POST", "/x/2/media/upload"), 1);
    let r = &e.sb.received(Some("x"))[0];
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
}

#[tokio::test]
async fn a_lost_answer_leaves_the_create_in_flight() {
    let e = env().await;
    e.sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/x/2/tweets",
        Fault::ResetMidBody,
    ))
    .expect("fault");
    let p = post("Did this go out?", &[]);
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.token, &p, &mut cp, &NoopSink)
        .await
        .expect_err("connection reset");
    assert!(err.may_have_taken_effect(), "{err:?}");
    assert_eq!(err.status, None);
    // It did go out, but only the sandbox knows.
    assert_eq!(e.sb.received(Some("x")).len(), 1);
    assert_eq!(cp["in_flight"]["part"], json!(0));
    assert_eq!(
        e.client
            .reconcile(&e.token, &p, &cp)
            .await
            .expect("reconcile"),
        Reconciled::Unknown
    );
    assert_eq!(
        e.client
            .reconcile(&e.token, &p, &Value::Null)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );
    // If the user says "post anyway", X's duplicate check refuses the copy.
    let err = e
        .client
        .publish(&e.token, &p, &mut cp, &NoopSink)
        .await
        .expect_err("duplicate");
    assert_eq!(err.kind, ErrorKind::Duplicate);
    assert_eq!(e.sb.received(Some("x")).len(), 1);
}

#[tokio::test]
async fn same_text_twice_is_a_duplicate() {
    let e = env().await;
    let p = post("Exactly the same words", &[]);
    e.client
        .publish(&e.token, &p, &mut Value::Null, &NoopSink)
        .await
        .expect("first");
    let err = e
        .client
        .publish(&e.token, &p, &mut Value::Null, &NoopSink)
        .await
        .expect_err("second");
    assert_eq!(err.kind, ErrorKind::Duplicate);
    assert_eq!(err.code, "duplicate_content");
    assert_eq!(
        err.message,
        "X says this post is a duplicate of one you already published."
    );
    assert!(!err.is_transient());
    assert!(err.detail.unwrap_or_default().contains("duplicate content"));
    assert_eq!(e.sb.received(Some("x")).len(), 1);
}

#[tokio::test]
async fn delete_removes_the_post_and_tolerates_a_gone_one() {
    let e = env().await;
    let published = published(
        e.client
            .publish(
                &e.token,
                &post("Short-lived", &[]),
                &mut Value::Null,
                &NoopSink,
            )
            .await
            .expect("published"),
    );
    e.client
        .delete(&e.token, &published.remote_id)
        .await
        .expect("deleted");
    assert!(e.sb.received(Some("x"))[0].deleted);
    // Already gone: 404 counts as deleted.
    e.client
        .delete(&e.token, &published.remote_id)
        .await
        .expect("still fine");
    let last = x_requests(&e.sb).pop().expect("request");
    assert_eq!(last.status, Some(404));
    // Someone else's post.
    let other = common::published(
        e.client
            .publish(
                &token_for(&e.sb, STUDIO_ID, None),
                &post("Studio post", &[]),
                &mut Value::Null,
                &NoopSink,
            )
            .await
            .expect("studio"),
    );
    let err = e
        .client
        .delete(&e.token, &other.remote_id)
        .await
        .expect_err("not ours");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    // Not an id at all: refused without a request.
    let before = x_requests(&e.sb).len();
    let err = e
        .client
        .delete(&e.token, "../users/me")
        .await
        .expect_err("bad id");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(x_requests(&e.sb).len(), before);
}

fn access_only(token: &str) -> TokenSet {
    TokenSet {
        access_token: token.to_owned(),
        refresh_token: None,
        expires_at: None,
        refresh_expires_at: None,
        scopes: vec![],
        issued_at: None,
    }
}

#[tokio::test]
async fn revoke_kills_the_token() {
    let e = env().await;
    let public = ClientCredentials {
        client_id: X_PUBLIC_CLIENT_ID.into(),
        client_secret: None,
        product: None,
    };
    e.client
        .authenticator()
        .revoke(&public, &access_only(e.token.secret()))
        .await
        .expect("revoked");
    let err = e.client.me(&e.token).await.expect_err("dead token");
    assert_eq!(err.kind, ErrorKind::Auth);

    // A confidential app authenticates with HTTP Basic.
    let issued =
        e.sb.issue_tokens(TokenRequest {
            platform: "x".into(),
            account_id: CREATOR_ID.into(),
            client_id: Some(X_CONFIDENTIAL_CLIENT_ID.into()),
            scopes: None,
        })
        .expect("tokens");
    let wrong = ClientCredentials {
        client_id: X_CONFIDENTIAL_CLIENT_ID.into(),
        client_secret: Some("not-the-secret".into()),
        product: None,
    };
    let err = e
        .client
        .authenticator()
        .revoke(&wrong, &access_only(&issued.access_token))
        .await
        .expect_err("bad secret");
    assert!(matches!(err, AuthError::Rejected { .. }), "{err:?}");
    let shown = format!("{err:?} {err}");
    assert!(!shown.contains("not-the-secret"));
    assert!(!shown.contains(&issued.access_token));
    let right = ClientCredentials {
        client_id: X_CONFIDENTIAL_CLIENT_ID.into(),
        client_secret: Some(X_CONFIDENTIAL_CLIENT_SECRET.into()),
        product: None,
    };
    e.client
        .authenticator()
        .revoke(&right, &access_only(&issued.access_token))
        .await
        .expect("revoked");
    let dead = creatorflow_platforms::AccessToken::new(issued.access_token);
    assert_eq!(
        e.client.me(&dead).await.expect_err("dead").kind,
        ErrorKind::Auth
    );
}

#[tokio::test]
async fn client_reports_x_rules_and_counting() {
    let e = env().await;
    let caps = e.client.capabilities();
    assert_eq!(caps.text.limit, 280);
    assert_eq!(
        caps.text.counting,
        creatorflow_platforms::CountingRule::XWeighted
    );
    assert!(caps.can_delete && !caps.can_edit && caps.supports_threads);
    let video = caps
        .media_rule(creatorflow_platforms::MediaKind::Video)
        .expect("videos");
    assert!(video.alone && video.max_count == 1);
    let premium = XClient::new(creatorflow_platforms::x::XEndpoints::under(&e.sb.url("/x")))
        .with_text_limit(25_000);
    assert_eq!(premium.capabilities().text.limit, 25_000);
    assert!(premium.validate(&post(&"a".repeat(400), &[])).is_empty());
    let counts = premium.counts(&post("one", &["two two"]));
    assert_eq!(counts.len(), 2);
    assert_eq!((counts[1].field.as_str(), counts[1].used), ("thread.1", 7));
    let spec = e.client.authenticator().spec().clone();
    assert!(
        spec.authorize_url
            .as_str()
            .ends_with("/x/i/oauth2/authorize")
    );
    assert!(spec.token_url.as_str().ends_with("/x/2/oauth2/token"));
}

#[tokio::test]
async fn a_chunked_upload_resumes_at_the_next_segment() {
    let e = env().await;
    let dir = tempfile::tempdir().expect("tmp");
    let bytes = png(1200, 1200, 11);
    let mut p = post("Big picture, second try", &[]);
    p.media
        .push(media_file(dir.path(), "big.png", &bytes, "image/png"));
    // After the first segment is saved, X fails the next upload request.
    let sb = (*e.sb).clone();
    let armed = std::sync::Mutex::new(true);
    let sink = RecordingSink::with_hook(move |cp: &Value| {
        if cp["upload"]["next_segment"] == json!(1)
            && std::mem::take(&mut *armed.lock().expect("lock"))
        {
            sb.inject_fault(FaultSpec::new(
                Some("POST"),
                "/x/2/media/upload/*",
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
        .publish(&e.token, &p, &mut cp, &sink)
        .await
        .expect_err("second segment fails");
    assert_eq!(err.kind, ErrorKind::Server);
    assert_eq!(cp["upload"]["next_segment"], json!(1), "{cp}");
    assert!(e.sb.received(Some("x")).is_empty());

    e.client
        .publish(&e.token, &p, &mut cp, &NoopSink)
        .await
        .expect("resumed");
    // One session: segment 0 once, segment 1 refused then sent again.
    assert_eq!(count(&e.sb, "POST", "/x/2/media/upload/initialize"), 1);
    let appends = x_requests(&e.sb)
        .iter()
        .filter(|r| r.path.ends_with("/append"))
        .count();
    assert_eq!(appends, 3);
    let r = &e.sb.received(Some("x"))[0];
    assert_eq!(r.media[0].size, bytes.len() as u64);
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert!(cp.get("upload").is_none());
}

#[tokio::test]
async fn expired_media_is_uploaded_again() {
    let e = env().await;
    let dir = tempfile::tempdir().expect("tmp");
    let bytes = fixture("photo.jpg");
    let mut p = post("Old upload", &[]);
    p.media
        .push(media_file(dir.path(), "photo.jpg", &bytes, "image/jpeg"));
    let sink = RecordingSink::with_hook(|cp: &Value| {
        if cp.get("in_flight").is_some() {
            Err("stop".to_owned())
        } else {
            Ok(())
        }
    });
    let mut cp = Value::Null;
    e.client
        .publish(&e.token, &p, &mut cp, &sink)
        .await
        .expect_err("stopped before the post");
    let key = sha256_hex(&bytes);
    let old_id = cp["media"][&key]["media_id"].clone();
    // A day later X has forgotten that media.
    cp["media"][&key]["expires_at"] = json!("2000-01-01T00:00:00Z");
    e.client
        .publish(&e.token, &p, &mut cp, &NoopSink)
        .await
        .expect("published");
    assert_eq!(count(&e.sb, "POST", "/x/2/media/upload"), 2);
    assert_ne!(cp["media"][&key]["media_id"], old_id);
    assert_eq!(e.sb.received(Some("x"))[0].media.len(), 1);
}
