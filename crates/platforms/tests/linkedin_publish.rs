//! The LinkedIn client against the sandbox's LinkedIn emulator (real HTTP):
//! the profile, text posts in the little format, the 3,000 limit, link
//! previews, images with alt text, documents, ugcPost ids, edit, delete,
//! duplicates and a lost create answer (docs/platforms/linkedin.md).

mod linkedin_common;

use creatorflow_platforms::linkedin::{LinkedinCheckpoint, commentary};
use creatorflow_platforms::{
    ErrorKind, LinkedinOptions, LinkedinVisibility, NoopSink, Outcome, PlatformOptions, Publisher,
    Reconciled,
};
use creatorflow_sandbox::platforms::linkedin::LINKEDIN_MEMBER_CREATOR_EMAIL;
use creatorflow_sandbox::{Fault, FaultSpec};
use linkedin_common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn the_profile_is_the_members_userinfo() {
    let e = env().await;
    let profiles = e.client.profiles(&e.tokens, &[]).await.expect("profiles");
    assert_eq!(profiles.len(), 1);
    let p = &profiles[0];
    assert_eq!(p.platform_user_id, MEMBER);
    assert_eq!(p.display_name, MEMBER_NAME);
    assert_eq!(p.username, MEMBER_NAME, "no @handle on LinkedIn: the name");
    assert_eq!(p.email.as_deref(), Some(LINKEDIN_MEMBER_CREATOR_EMAIL));
    let avatar = p.avatar_url.as_deref().expect("picture");
    assert!(avatar.starts_with(e.sb.url("/").as_str()), "{avatar}");
    // `/v2/userinfo` is not versioned: no LinkedIn-Version needed there.
    assert_eq!(count(&e.sb, "GET", "/linkedin/v2/userinfo"), 1);
}

#[tokio::test]
async fn reserved_characters_arrive_as_typed_and_hashtags_stay() {
    let e = env().await;
    let text = "Ship it (v2) [beta] {x} <y> @team *bold* _under_ ~strike~ a|b back\\slash \
                #launch #rust_lang C# 100% — see https://example.com/a_(b)?q=~x done 🚀";
    let mut p = post(text);
    p.options = PlatformOptions::Linkedin(LinkedinOptions {
        visibility: LinkedinVisibility::Connections,
    });
    let mut cp = Value::Null;
    let out = published(
        e.client
            .publish(&e.tokens, &p, &mut cp, &NoopSink)
            .await
            .expect("published"),
    );
    let got = received(&e.sb);
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.text, text, "shown exactly as typed, not cut");
    assert_eq!(r.extra["truncated"], json!(false));
    assert!(r.extra.get("unescaped_reserved").is_none());
    assert_eq!(r.extra["hashtags"], json!(["launch", "rust"]));
    assert_eq!(r.extra["commentary"], json!(commentary(text)));
    assert!(
        r.extra["commentary"].as_str().is_some_and(
            |c| c.contains(r"\(v2\) \[beta\]") && c.contains("https://example.com/a_(b)?q=~x")
        ),
        "{}",
        r.extra["commentary"]
    );
    assert_eq!(r.extra["visibility"], json!("CONNECTIONS"));
    assert_eq!(r.account_id, MEMBER);

    // The post's public page, under the sandbox's LinkedIn.
    assert!(
        out.remote_id.starts_with("urn:li:share:"),
        "{}",
        out.remote_id
    );
    let url = out.url.expect("url");
    assert_eq!(
        url,
        e.sb.url(&format!("/linkedin/feed/update/{}/", out.remote_id))
            .to_string()
    );
    let page = reqwest::get(&url).await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Ship it (v2) [beta]"), "{html}");

    // The checkpoint says it is out.
    let saved = LinkedinCheckpoint::from_value(&cp).expect("checkpoint");
    assert_eq!(saved.post.as_deref(), Some(out.remote_id.as_str()));
    assert!(!saved.create_in_flight());
    assert_eq!(saved.author.as_deref(), Some("urn:li:person:sbxCreator1"));
}

#[tokio::test]
async fn the_3000_limit_is_checked_before_sending() {
    let e = env().await;
    let full = "a".repeat(3000);
    let mut cp = Value::Null;
    e.client
        .publish(&e.tokens, &post(&full), &mut cp, &NoopSink)
        .await
        .expect("3,000 characters go out");
    assert_eq!(received(&e.sb)[0].text.chars().count(), 3000);

    for text in ["b".repeat(3001), format!("{}(", "c".repeat(2999))] {
        let p = post(&text);
        let issues = e.client.validate(&p);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].code, "text_too_long");
        assert_eq!(e.client.counts(&p)[0].used, 3001);
        let err = e
            .client
            .publish(&e.tokens, &p, &mut Value::Null, &NoopSink)
            .await
            .expect_err("too long");
        assert_eq!(
            (err.kind, err.code.as_str()),
            (ErrorKind::Rejected, "text_too_long")
        );
    }
    assert_eq!(
        count(&e.sb, "POST", "/linkedin/rest/posts"),
        1,
        "the long ones were never sent"
    );
}

#[tokio::test]
async fn a_link_share_takes_the_title_of_the_page() {
    let e = env().await;
    let (url, served) = page_server(
        200,
        "<html><head><title>Fallback</title>\
         <meta property=\"og:title\" content=\"Launch day &amp; more\"></head><body>x</body></html>",
    )
    .await;
    let text = format!("Read this: {url}. #news");
    let mut cp = Value::Null;
    let out = published(
        e.client
            .publish(&e.tokens, &post(&text), &mut cp, &NoopSink)
            .await
            .expect("published"),
    );
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 1);
    let r = &received(&e.sb)[0];
    assert_eq!(
        r.extra["article"],
        json!({"source": url.as_str(), "title": "Launch day & more"})
    );
    assert_eq!(r.text, text, "the link stays in the text, intact");
    assert_eq!(out.note, None);
    assert_eq!(cp["link"]["title"], json!("Launch day & more"));

    // A page with no title: the text alone, and a note saying so.
    let (bare, _) = page_server(200, "<html><body>no head</body></html>").await;
    let text = format!("Plain link {bare}");
    let out = published(
        e.client
            .publish(&e.tokens, &post(&text), &mut Value::Null, &NoopSink)
            .await
            .expect("published"),
    );
    let r = &received(&e.sb)[1];
    assert!(r.extra.get("article").is_none(), "{:?}", r.extra);
    assert!(
        out.note
            .as_deref()
            .is_some_and(|n| n.contains("without a preview"))
    );

    // A page that is not there: the same.
    let (gone, _) = page_server(404, "<title>Not found</title>").await;
    e.client
        .publish(
            &e.tokens,
            &post(&format!("Dead link {gone}")),
            &mut Value::Null,
            &NoopSink,
        )
        .await
        .expect("published");
    assert!(received(&e.sb)[2].extra.get("article").is_none());
}

#[tokio::test]
async fn one_image_goes_with_its_alt_text() {
    let e = env().await;
    let bytes = fixture("photo.jpg");
    let mut file = media(&e, "photo.jpg", &bytes, "image/jpeg");
    file.alt_text = Some("A red bicycle (vintage) against a wall".into());
    let mut p = post("New ride");
    p.media.push(file);
    let sink = RecordingSink::new();
    let mut cp = Value::Null;
    let out = e
        .client
        .publish(&e.tokens, &p, &mut cp, &sink)
        .await
        .expect("published");
    published(out);
    let r = &received(&e.sb)[0];
    assert_eq!(r.media.len(), 1);
    assert_eq!(r.media[0].kind, "image");
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(
        r.media[0].alt_text.as_deref(),
        Some("A red bicycle (vintage) against a wall")
    );
    assert_eq!(
        r.extra["content"]["media"]["altText"],
        json!("A red bicycle (vintage) against a wall")
    );
    // Checkpointed after the initialize and after the upload, ready at the end.
    let key = sha256_hex(&bytes);
    let saved = sink.checkpoints();
    assert!(
        saved
            .iter()
            .any(|c| c["media"][&key]["upload_url"].is_string()),
        "the upload URL was saved before the bytes went"
    );
    assert_eq!(cp["media"][&key]["ready"], json!(true));
    assert!(cp["media"][&key].get("upload_url").is_none());
    assert_eq!(
        sink.progress().last(),
        Some(&(bytes.len() as u64, bytes.len() as u64))
    );
    assert_eq!(count(&e.sb, "PUT", "/linkedin/dms-uploads/"), 1);
}

#[tokio::test]
async fn several_images_go_as_a_multi_image_post() {
    let e = env().await;
    let files = [
        ("photo.jpg", "image/jpeg", Some("A bicycle")),
        ("badge.png", "image/png", None),
        ("spinner.gif", "image/gif", Some("A spinner")),
    ];
    let mut p = post("Three pictures");
    let mut digests = Vec::new();
    for (name, mime, alt) in files {
        let bytes = fixture(name);
        digests.push(sha256_hex(&bytes));
        let mut f = media(&e, name, &bytes, mime);
        f.alt_text = alt.map(str::to_owned);
        p.media.push(f);
    }
    published(
        e.client
            .publish(&e.tokens, &p, &mut Value::Null, &NoopSink)
            .await
            .expect("published"),
    );
    let r = &received(&e.sb)[0];
    let got: Vec<Option<&str>> = r.media.iter().map(|m| m.sha256.as_deref()).collect();
    let want: Vec<Option<&str>> = digests.iter().map(|d| Some(d.as_str())).collect();
    assert_eq!(got, want, "in the post's order");
    let images = r.extra["content"]["multiImage"]["images"]
        .as_array()
        .expect("multiImage");
    assert_eq!(images.len(), 3);
    assert_eq!(images[0]["altText"], json!("A bicycle"));
    assert!(images[1].get("altText").is_none());
    assert_eq!(images[2]["altText"], json!("A spinner"));
    assert_eq!(count(&e.sb, "PUT", "/linkedin/dms-uploads/"), 3);
}

#[tokio::test]
async fn a_pdf_document_goes_out_with_its_title() {
    let e = env().await;
    set(&e.sb, json!({"document_processing_polls": 1}));
    let bytes = pdf_bytes(3);
    let mut p = post("Our deck");
    p.media
        .push(media(&e, "Deck.pdf", &bytes, "application/pdf"));
    let mut cp = Value::Null;
    let first = e
        .client
        .publish(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect("uploaded");
    let Outcome::Processing(wait) = first else {
        panic!("LinkedIn processes the document first: {first:?}");
    };
    assert_eq!(wait.stage, "LinkedIn is processing the document");
    assert_eq!(count(&e.sb, "POST", "/linkedin/rest/posts"), 0);
    let out = published(
        e.client
            .check(&e.tokens, &p, &mut cp, &NoopSink)
            .await
            .expect("checked"),
    );
    assert!(out.remote_id.starts_with("urn:li:"));
    let r = &received(&e.sb)[0];
    assert_eq!(r.media[0].kind, "document");
    assert_eq!(
        r.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(r.extra["document"]["title"], json!("Deck.pdf"));
    assert_eq!(r.extra["document"]["pages"], json!(3));
    assert_eq!(
        count(&e.sb, "PUT", "/linkedin/dms-uploads/"),
        1,
        "uploaded once"
    );
}

#[tokio::test]
async fn a_document_linkedin_cannot_process_fails_in_words() {
    let e = env().await;
    set(
        &e.sb,
        json!({"document_processing_polls": 0, "max_document_pages": 2}),
    );
    let mut p = post("Too long a deck");
    p.media
        .push(media(&e, "Long.pdf", &pdf_bytes(3), "application/pdf"));
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect_err("processing failed");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "media_processing_failed")
    );
    assert!(
        err.message
            .starts_with("LinkedIn could not process the document"),
        "{}",
        err.message
    );
    assert!(err.message.contains("TOO_MANY_PAGES"), "{}", err.message);
    assert!(cp.get("media").is_none(), "a later try uploads again");
}

#[tokio::test]
async fn ugc_post_ids_work_like_shares() {
    let e = env().await;
    set(&e.sb, json!({"ugc_post_ids": "always"}));
    let out = published(
        e.client
            .publish(
                &e.tokens,
                &post("From the UGC side"),
                &mut Value::Null,
                &NoopSink,
            )
            .await
            .expect("published"),
    );
    assert!(
        out.remote_id.starts_with("urn:li:ugcPost:"),
        "{}",
        out.remote_id
    );
    assert_eq!(
        out.url.as_deref(),
        Some(
            e.sb.url(&format!("/linkedin/feed/update/{}/", out.remote_id))
                .as_str()
        )
    );
    e.client
        .update(
            &e.tokens,
            &out.remote_id,
            &post("From the UGC side (edited)"),
        )
        .await
        .expect("edited");
    assert_eq!(received(&e.sb)[0].text, "From the UGC side (edited)");
    e.client
        .delete(&e.tokens, &out.remote_id)
        .await
        .expect("deleted");
    assert!(received(&e.sb)[0].deleted);
}

#[tokio::test]
async fn delete_twice_and_an_unknown_post() {
    let e = env().await;
    let out = published(
        e.client
            .publish(&e.tokens, &post("Short-lived"), &mut Value::Null, &NoopSink)
            .await
            .expect("published"),
    );
    e.client
        .delete(&e.tokens, &out.remote_id)
        .await
        .expect("deleted");
    assert!(received(&e.sb)[0].deleted);
    e.client
        .delete(&e.tokens, &out.remote_id)
        .await
        .expect("deleting again is fine");
    e.client
        .delete(&e.tokens, "urn:li:share:1")
        .await
        .expect("a post LinkedIn does not know counts as deleted");
    // URNs go percent-encoded in the path (the emulator refuses raw ones).
    let deletes: Vec<_> = requests(&e.sb)
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 3);
    assert_eq!(deletes[0].status, Some(204));
    assert_eq!(deletes[1].status, Some(204));
    let err = e
        .client
        .delete(&e.tokens, "12345")
        .await
        .expect_err("not a URN");
    assert_eq!(err.code, "bad_post_id");
}

#[tokio::test]
async fn editing_changes_the_commentary_escaped_the_same_way() {
    let e = env().await;
    let out = published(
        e.client
            .publish(
                &e.tokens,
                &post("First (draft) #wip"),
                &mut Value::Null,
                &NoopSink,
            )
            .await
            .expect("published"),
    );
    let edited = "Second [final] version <3 @all #done";
    e.client
        .update(&e.tokens, &out.remote_id, &post(edited))
        .await
        .expect("edited");
    let r = &received(&e.sb)[0];
    assert_eq!(r.text, edited);
    assert_eq!(r.extra["commentary"], json!(commentary(edited)));
    assert_eq!(count(&e.sb, "POST", "/linkedin/rest/posts/urn%3Ali%3A"), 1);

    let err = e
        .client
        .update(&e.tokens, &out.remote_id, &post(&"x".repeat(3001)))
        .await
        .expect_err("too long");
    assert_eq!(err.code, "text_too_long");
    e.client
        .delete(&e.tokens, &out.remote_id)
        .await
        .expect("deleted");
    let err = e
        .client
        .update(&e.tokens, &out.remote_id, &post("Too late"))
        .await
        .expect_err("deleted posts cannot change");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "post_not_found")
    );
}

#[tokio::test]
async fn duplicates_are_refused_in_words() {
    let e = env().await;
    let p = post("Same words twice");
    published(
        e.client
            .publish(&e.tokens, &p, &mut Value::Null, &NoopSink)
            .await
            .expect("first"),
    );
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect_err("duplicate");
    assert_eq!(err.kind, ErrorKind::Duplicate);
    assert_eq!(err.code, "duplicate_content");
    assert_eq!(
        err.message,
        "LinkedIn refused this post because you already published the same text on this \
         account. Change the text a little to post it again."
    );
    assert_eq!(err.status, Some(422));
    assert!(
        cp.get("in_flight").is_none(),
        "LinkedIn answered: nothing in flight"
    );
    assert_eq!(
        e.client
            .reconcile(&e.tokens, &p, &cp)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );
}

#[tokio::test]
async fn a_lost_create_answer_leaves_the_post_unknown() {
    let e = env().await;
    e.sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/linkedin/rest/posts",
        Fault::ResetMidBody,
    ))
    .expect("fault");
    let p = post("Did this go out?");
    let mut cp = Value::Null;
    let err = e
        .client
        .publish(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect_err("connection reset");
    assert!(err.may_have_taken_effect(), "{err:?}");
    assert_eq!(err.status, None);
    assert_eq!(
        received(&e.sb).len(),
        1,
        "it did go out; only LinkedIn knows"
    );
    assert!(cp["in_flight"]["since"].is_string());
    assert_eq!(
        e.client
            .reconcile(&e.tokens, &p, &cp)
            .await
            .expect("reconcile"),
        Reconciled::Unknown
    );
    assert_eq!(
        e.client
            .reconcile(&e.tokens, &p, &Value::Null)
            .await
            .expect("reconcile"),
        Reconciled::NotPublished
    );
    // The creator says "post anyway": LinkedIn's duplicate check refuses the copy.
    let err = e
        .client
        .publish(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect_err("duplicate");
    assert_eq!(err.kind, ErrorKind::Duplicate);
    assert_eq!(received(&e.sb).len(), 1);
}

#[tokio::test]
async fn a_published_checkpoint_is_not_posted_again() {
    let e = env().await;
    let p = post("Exactly once");
    let mut cp = Value::Null;
    let out = published(
        e.client
            .publish(&e.tokens, &p, &mut cp, &NoopSink)
            .await
            .expect("published"),
    );
    let Reconciled::Published(again) = e.client.reconcile(&e.tokens, &p, &cp).await.expect("r")
    else {
        panic!("the checkpoint says it is out");
    };
    assert_eq!(again, out);
    let twice = published(
        e.client
            .publish(&e.tokens, &p, &mut cp, &NoopSink)
            .await
            .expect("published"),
    );
    assert_eq!(twice, out);
    assert_eq!(count(&e.sb, "POST", "/linkedin/rest/posts"), 1);
}

#[tokio::test]
async fn an_account_without_an_id_asks_userinfo_once() {
    let e = env().await;
    let mut p = post("Who am I");
    p.account.id.clear();
    let mut cp = Value::Null;
    published(
        e.client
            .publish(&e.tokens, &p, &mut cp, &NoopSink)
            .await
            .expect("published"),
    );
    assert_eq!(cp["author"], json!(format!("urn:li:person:{MEMBER}")));
    assert_eq!(count(&e.sb, "GET", "/linkedin/v2/userinfo"), 1);
}

#[tokio::test]
async fn images_linkedin_still_processes_are_checked_later() {
    let e = env().await;
    set(&e.sb, json!({"image_processing_polls": 1}));
    let bytes = fixture("badge.png");
    let mut p = post("A badge");
    p.media.push(media(&e, "badge.png", &bytes, "image/png"));
    let mut cp = Value::Null;
    let first = e
        .client
        .publish(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect("uploaded");
    let Outcome::Processing(wait) = first else {
        panic!("processing first: {first:?}");
    };
    assert_eq!(wait.stage, "LinkedIn is processing the image");
    assert!(wait.check_at > chrono::Utc::now());

    // LinkedIn says AVAILABLE, but at the create it still says not ready.
    e.sb.inject_fault(FaultSpec::new(
        Some("POST"),
        "/linkedin/rest/posts",
        Fault::Status {
            status: 400,
            body: Some(json!({"status": 400, "code": "MEDIA_ASSET_WAITING_UPLOAD",
                "message": "/content/media/id :: media asset is not ready (status PROCESSING)"})),
        },
    ))
    .expect("fault");
    let second = e
        .client
        .check(&e.tokens, &p, &mut cp, &NoopSink)
        .await
        .expect("checked");
    assert!(matches!(second, Outcome::Processing(_)), "{second:?}");
    assert!(cp.get("in_flight").is_none());
    assert_eq!(cp["media"][sha256_hex(&bytes)]["ready"], json!(false));

    let out = published(
        e.client
            .check(&e.tokens, &p, &mut cp, &NoopSink)
            .await
            .expect("checked"),
    );
    assert_eq!(received(&e.sb)[0].remote_id, out.remote_id);
    assert_eq!(
        count(&e.sb, "PUT", "/linkedin/dms-uploads/"),
        1,
        "uploaded once"
    );
    assert_eq!(count(&e.sb, "GET", "/linkedin/rest/images/"), 3);
}
