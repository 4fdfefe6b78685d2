//! LinkedIn emulator, content and fidelity: ugcPost ids, encoded URNs in paths,
//! the Documents API, article shares and the sandbox's link pages, alt text,
//! PARTIAL_UPDATE of the commentary, duplicate content, daily quotas through
//! `/_sandbox/quotas`, the post page, the demo client. From
//! docs/platforms/linkedin.md §2–§11.

mod common;
mod linkedin_common;

use creatorflow_sandbox::QuotaSpec;
use linkedin_common::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn json_of(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    resp.json().await.expect("json")
}

async fn text_post(sb: &creatorflow_sandbox::SandboxHandle, t: &str, text: &str) -> String {
    let resp = create_post(sb, t, &post_body(&urn(creator()), text)).await;
    assert_eq!(resp.status(), 201, "{text}");
    restli_id(&resp)
}

fn received(
    sb: &creatorflow_sandbox::SandboxHandle,
    id: &str,
) -> creatorflow_sandbox::ReceivedPost {
    sb.received(Some("linkedin"))
        .into_iter()
        .find(|p| p.remote_id == id)
        .expect("received")
}

/// A minimal PDF with `pages` page objects (plus the `/Pages` tree node, which
/// must not count).
fn pdf(pages: usize) -> Vec<u8> {
    let mut s = String::from("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
    s.push_str("2 0 obj << /Type /Pages /Count 0 >> endobj\n");
    for i in 0..pages {
        // Vary the spacing the way writers do.
        if i % 2 == 0 {
            s.push_str(&format!(
                "{} 0 obj << /Type /Page /Parent 2 0 R >> endobj\n",
                i + 3
            ));
        } else {
            s.push_str(&format!(
                "{} 0 obj <</Type/Page/Parent 2 0 R>> endobj\n",
                i + 3
            ));
        }
    }
    s.push_str("%%EOF\n");
    s.into_bytes()
}

/// `POST /rest/documents?action=initializeUpload` → `(document urn, upload URL, value)`.
async fn init_document(
    sb: &creatorflow_sandbox::SandboxHandle,
    t: &str,
    owner: &str,
) -> (String, String, Value) {
    let resp = rest(
        sb,
        Method::POST,
        "/rest/documents?action=initializeUpload",
        t,
    )
    .json(&json!({ "initializeUploadRequest": { "owner": owner } }))
    .send()
    .await
    .expect("initialize");
    let v = json_of(resp, 200).await;
    (
        v["value"]["document"]
            .as_str()
            .expect("document")
            .to_string(),
        v["value"]["uploadUrl"].as_str().expect("url").to_string(),
        v["value"].clone(),
    )
}

async fn upload_document(
    sb: &creatorflow_sandbox::SandboxHandle,
    t: &str,
    bytes: Vec<u8>,
) -> String {
    let (doc, url, _) = init_document(sb, t, &urn(creator())).await;
    assert_eq!(put_bytes(&url, t, bytes).await.status(), 201);
    doc
}

fn document_post(doc: &str, title: Option<&str>, text: &str) -> Value {
    let mut b = post_body(&urn(creator()), text);
    b["content"] = json!({ "media": { "id": doc } });
    if let Some(t) = title {
        b["content"]["media"]["title"] = json!(t);
    }
    b
}

#[tokio::test]
async fn ugc_post_ids_are_accepted_everywhere() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    assert!(
        text_post(&sb, &t, "share one")
            .await
            .starts_with("urn:li:share:")
    );
    sb.update_platform_settings("linkedin", json!({ "ugc_post_ids": { "every_nth": 2 } }))
        .expect("settings");
    let second = text_post(&sb, &t, "second post").await;
    assert!(second.starts_with("urn:li:ugcPost:"), "{second}");
    assert!(
        text_post(&sb, &t, "third post")
            .await
            .starts_with("urn:li:share:")
    );
    sb.update_platform_settings("linkedin", json!({ "ugc_post_ids": "always" }))
        .expect("settings");
    let ugc = text_post(&sb, &t, "a ugc post").await;
    assert!(ugc.starts_with("urn:li:ugcPost:"), "{ugc}");
    assert!(
        sb.update_platform_settings("linkedin", json!({ "ugc_post_ids": { "every_nth": 0 } }))
            .is_err()
    );
    // Comment, edit, page and delete with the ugcPost URN.
    let resp = rest(
        &sb,
        Method::POST,
        &format!("/rest/socialActions/{}/comments", enc(&ugc)),
        &t,
    )
    .json(&json!({ "actor": urn(creator()), "object": ugc, "message": { "text": "more" } }))
    .send()
    .await
    .expect("comment");
    assert_eq!(resp.status(), 201);
    assert!(restli_id(&resp).starts_with(&format!("urn:li:comment:({ugc},")));
    let resp = rest(&sb, Method::POST, &format!("/rest/posts/{}", enc(&ugc)), &t)
        .header("X-RestLi-Method", "PARTIAL_UPDATE")
        .json(&json!({ "patch": { "$set": { "commentary": "edited ugc" } } }))
        .send()
        .await
        .expect("update");
    assert_eq!(resp.status(), 204);
    let page = http()
        .get(li(&sb, &format!("/feed/update/{ugc}/")))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let resp = rest(
        &sb,
        Method::DELETE,
        &format!("/rest/posts/{}", enc(&ugc)),
        &t,
    )
    .send()
    .await
    .expect("delete");
    assert_eq!(resp.status(), 204);
    assert!(received(&sb, &ugc).deleted);
}

#[tokio::test]
async fn urns_in_paths_must_be_url_encoded() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let post = text_post(&sb, &t, "encode me").await;
    let image = upload_image(&sb, &t, &urn(creator()), png(4, 4)).await;
    let syntax = json!({
        "status": 400,
        "code": "ILLEGAL_ARGUMENT",
        "message": "Syntax exception in path variables"
    });
    // Raw URNs: refused the way LinkedIn's Rest.li path parser does.
    let raw_delete = rest(&sb, Method::DELETE, &format!("/rest/posts/{post}"), &t)
        .send()
        .await
        .expect("delete");
    assert_eq!(json_of(raw_delete, 400).await, syntax);
    let raw_get = rest(&sb, Method::GET, &format!("/rest/images/{image}"), &t)
        .send()
        .await
        .expect("get");
    assert_eq!(json_of(raw_get, 400).await, syntax);
    let raw_comment = rest(
        &sb,
        Method::POST,
        &format!("/rest/socialActions/{post}/comments"),
        &t,
    )
    .json(&json!({ "actor": urn(creator()), "message": { "text": "hi" } }))
    .send()
    .await
    .expect("comment");
    assert_eq!(json_of(raw_comment, 400).await, syntax);
    assert!(!received(&sb, &post).deleted);
    // Encoded: fine.
    let (code, body) = media_status(&sb, &t, "images", &image).await;
    assert_eq!(code, 200, "{body}");
    // Off: both forms work.
    sb.update_platform_settings("linkedin", json!({ "require_encoded_urns": false }))
        .expect("settings");
    let raw_get = rest(&sb, Method::GET, &format!("/rest/images/{image}"), &t)
        .send()
        .await
        .expect("get");
    assert_eq!(raw_get.status(), 200);
    let raw_delete = rest(&sb, Method::DELETE, &format!("/rest/posts/{post}"), &t)
        .send()
        .await
        .expect("delete");
    assert_eq!(raw_delete.status(), 204);
}

#[tokio::test]
async fn documents_upload_process_and_post() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let (doc, url, value) = init_document(&sb, &t, &urn(creator())).await;
    assert!(doc.starts_with("urn:li:document:"), "{doc}");
    assert!(value["uploadUrlExpiresAt"].as_i64().unwrap_or(0) > 0);
    assert!(url.contains("/linkedin/dms-uploads/"));
    let (code, b) = media_status(&sb, &t, "documents", &doc).await;
    assert_eq!(code, 200);
    assert_eq!(b["status"], "WAITING_UPLOAD");
    // A post before the upload: refused.
    let resp = create_post(&sb, &t, &document_post(&doc, Some("Deck"), "too early")).await;
    assert_eq!(
        json_of(resp, 400).await["code"],
        "MEDIA_ASSET_WAITING_UPLOAD"
    );
    let bytes = pdf(3);
    assert_eq!(put_bytes(&url, &t, bytes.clone()).await.status(), 201);
    // One poll in PROCESSING (document_processing_polls: 1), then AVAILABLE.
    let (_, b) = media_status(&sb, &t, "documents", &doc).await;
    assert_eq!(b["status"], "PROCESSING");
    let resp = create_post(
        &sb,
        &t,
        &document_post(&doc, Some("Deck"), "still processing"),
    )
    .await;
    assert_eq!(
        json_of(resp, 400).await["code"],
        "MEDIA_ASSET_WAITING_UPLOAD"
    );
    let (_, b) = media_status(&sb, &t, "documents", &doc).await;
    assert_eq!(b["status"], "AVAILABLE", "{b}");
    assert_eq!(b["id"], doc.as_str());
    assert_eq!(b["owner"], urn(creator()));
    assert_eq!(b["pageCount"], 3);
    // The post needs a title.
    let resp = create_post(&sb, &t, &document_post(&doc, None, "no title")).await;
    let body = json_of(resp, 422).await;
    assert_eq!(
        body["errorDetails"]["inputErrors"][0]["input"]["inputPath"]["fieldPath"],
        "/content/media/title"
    );
    let resp = create_post(
        &sb,
        &t,
        &document_post(&doc, Some("Q3 deck.pdf"), "our deck"),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let p = received(&sb, &restli_id(&resp));
    assert_eq!(p.media.len(), 1);
    assert_eq!(p.media[0].kind, "document");
    assert_eq!(p.media[0].mime, "application/pdf");
    assert_eq!(p.media[0].size, bytes.len() as u64);
    assert_eq!(
        p.media[0].sha256.as_deref(),
        Some(common::sha256_hex(&bytes).as_str())
    );
    assert_eq!(p.extra["document"]["title"], "Q3 deck.pdf");
    assert_eq!(p.extra["document"]["pages"], 3);
    // Someone else's document.
    let t2 = token_of(&sb, studio());
    let (code, b) = media_status(&sb, &t2, "documents", &doc).await;
    assert_eq!(code, 403);
    assert_eq!(
        b,
        json!({ "status": 403, "message": "Accessing this document resource is forbidden. Please check your permissions for this resource" })
    );
}

#[tokio::test]
async fn document_types_limits_and_failures() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    sb.update_platform_settings("linkedin", json!({ "document_processing_polls": 0 }))
        .expect("settings");
    let status = |doc: String| {
        let (sb, t) = (&sb, &t);
        async move { media_status(sb, t, "documents", &doc).await.1 }
    };
    // DOCX and PPTX by their ZIP parts, DOC/PPT by the OLE magic.
    let mut docx = b"PK\x03\x04\x14\0\0\0".to_vec();
    docx.extend_from_slice(b"[Content_Types].xml word/document.xml");
    let b = status(upload_document(&sb, &t, docx).await).await;
    assert_eq!(b["status"], "AVAILABLE", "{b}");
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend_from_slice(&[0; 64]);
    assert_eq!(
        status(upload_document(&sb, &t, ole).await).await["status"],
        "AVAILABLE"
    );
    // Not a document (a PNG), an XLSX, too many pages: processing fails.
    let b = status(upload_document(&sb, &t, png(2, 2)).await).await;
    assert_eq!(b["status"], "PROCESSING_FAILED");
    assert!(
        b["processingFailureReason"]
            .as_str()
            .unwrap_or_default()
            .starts_with("UNSUPPORTED_MEDIA_TYPE")
    );
    let mut xlsx = b"PK\x03\x04".to_vec();
    xlsx.extend_from_slice(b"xl/workbook.xml");
    assert_eq!(
        status(upload_document(&sb, &t, xlsx).await).await["status"],
        "PROCESSING_FAILED"
    );
    sb.update_platform_settings("linkedin", json!({ "max_document_pages": 2 }))
        .expect("settings");
    let doc = upload_document(&sb, &t, pdf(3)).await;
    let b = status(doc.clone()).await;
    assert_eq!(b["status"], "PROCESSING_FAILED");
    assert!(
        b["processingFailureReason"]
            .as_str()
            .unwrap_or_default()
            .starts_with("TOO_MANY_PAGES")
    );
    let resp = create_post(&sb, &t, &document_post(&doc, Some("t"), "failed doc")).await;
    assert_eq!(
        json_of(resp, 400).await["code"],
        "MEDIA_ASSET_PROCESSING_FAILED"
    );
    // The page count can be forced.
    sb.update_platform_settings("linkedin", json!({ "document_page_count": 1 }))
        .expect("settings");
    assert_eq!(
        status(upload_document(&sb, &t, pdf(3)).await).await["status"],
        "AVAILABLE"
    );
    // Injected failure.
    sb.update_platform_settings("linkedin", json!({ "fail_document_processing": true }))
        .expect("settings");
    assert_eq!(
        status(upload_document(&sb, &t, pdf(1)).await).await["status"],
        "PROCESSING_FAILED"
    );
    // Size cap: 413 at upload.
    sb.update_platform_settings("linkedin", json!({ "max_document_bytes": 100 }))
        .expect("settings");
    let (_, url, _) = init_document(&sb, &t, &urn(creator())).await;
    assert_eq!(put_bytes(&url, &t, pdf(10)).await.status(), 413);
    // Someone else as owner.
    let resp = rest(
        &sb,
        Method::POST,
        "/rest/documents?action=initializeUpload",
        &t,
    )
    .json(&json!({ "initializeUploadRequest": { "owner": urn(studio()) } }))
    .send()
    .await
    .expect("initialize");
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn document_processing_ends_with_emulated_time() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    sb.update_platform_settings("linkedin", json!({ "document_processing_polls": 50 }))
        .expect("settings");
    let doc = upload_document(&sb, &t, pdf(2)).await;
    assert_eq!(
        media_status(&sb, &t, "documents", &doc).await.1["status"],
        "PROCESSING"
    );
    sb.advance_clock(300);
    assert_eq!(
        media_status(&sb, &t, "documents", &doc).await.1["status"],
        "AVAILABLE"
    );
}

#[tokio::test]
async fn article_shares_and_the_sandbox_link_page() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let page_url = format!("{}_sandbox/pages/launch-notes", sb.base_url());
    // The page a client fetches a link title from.
    let resp = http().get(&page_url).send().await.expect("page");
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("<title>Launch notes</title>"), "{html}");
    assert!(
        html.contains(r#"<meta property="og:title" content="Launch notes">"#),
        "{html}"
    );
    let resp = http()
        .get(format!(
            "{page_url}?title=Our%20%3Cbig%3E%20launch&description=All%20of%20it"
        ))
        .send()
        .await
        .expect("page");
    let html = resp.text().await.unwrap_or_default();
    assert!(
        html.contains("<title>Our &lt;big&gt; launch</title>"),
        "{html}"
    );
    assert!(
        html.contains(r#"og:description" content="All of it""#),
        "{html}"
    );

    let article = |source: Value, title: Option<&str>| {
        let mut b = post_body(&urn(creator()), &format!("read {source} {title:?}"));
        b["content"] = json!({ "article": { "source": source, "description": "The notes" } });
        if let Some(t) = title {
            b["content"]["article"]["title"] = json!(t);
        }
        b
    };
    let resp = create_post(&sb, &t, &article(json!(page_url), Some("Launch notes"))).await;
    assert_eq!(resp.status(), 201);
    let p = received(&sb, &restli_id(&resp));
    assert_eq!(p.extra["article"]["source"], page_url.as_str());
    assert_eq!(p.extra["article"]["title"], "Launch notes");
    assert_eq!(p.extra["article"]["description"], "The notes");
    // Title required; source an absolute http(s) URL.
    for (source, title, field) in [
        (json!(page_url), None, "/content/article/title"),
        (json!(page_url), Some(" "), "/content/article/title"),
        (
            json!("ftp://example.com/a"),
            Some("x"),
            "/content/article/source",
        ),
        (
            json!("/relative/path"),
            Some("x"),
            "/content/article/source",
        ),
        (json!(42), Some("x"), "/content/article/source"),
    ] {
        let body = json_of(create_post(&sb, &t, &article(source, title)).await, 422).await;
        assert_eq!(
            body["errorDetails"]["inputErrors"][0]["input"]["inputPath"]["fieldPath"], field,
            "{body}"
        );
    }
}

#[tokio::test]
async fn alt_text_is_kept_and_limited() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let a = upload_image(&sb, &t, &urn(creator()), png(10, 10)).await;
    let b = upload_image(&sb, &t, &urn(creator()), png(20, 20)).await;
    let mut body = post_body(&urn(creator()), "one image");
    body["content"] = json!({ "media": { "id": a, "altText": "A red square" } });
    let resp = create_post(&sb, &t, &body).await;
    assert_eq!(resp.status(), 201);
    let p = received(&sb, &restli_id(&resp));
    assert_eq!(p.media[0].alt_text.as_deref(), Some("A red square"));
    assert_eq!(p.extra["content"]["media"]["altText"], "A red square");
    let mut body = post_body(&urn(creator()), "two images");
    body["content"] = json!({ "multiImage": { "images": [
        { "id": a, "altText": "first" }, { "id": b }
    ] } });
    let resp = create_post(&sb, &t, &body).await;
    assert_eq!(resp.status(), 201);
    let p = received(&sb, &restli_id(&resp));
    assert_eq!(p.media[0].alt_text.as_deref(), Some("first"));
    assert_eq!(p.media[1].alt_text, None);
    // 4,086 characters at most.
    let mut body = post_body(&urn(creator()), "long alt");
    body["content"] = json!({ "media": { "id": a, "altText": "é".repeat(4086) } });
    assert_eq!(create_post(&sb, &t, &body).await.status(), 201);
    let mut body = post_body(&urn(creator()), "too long alt");
    body["content"] = json!({ "media": { "id": a, "altText": "é".repeat(4087) } });
    let err = json_of(create_post(&sb, &t, &body).await, 422).await;
    assert_eq!(
        err["errorDetails"]["inputErrors"][0]["code"],
        "FIELD_LENGTH_TOO_LONG"
    );
    body["content"] = json!({ "multiImage": { "images": [
        { "id": a }, { "id": b, "altText": "x".repeat(4087) }
    ] } });
    let err = json_of(create_post(&sb, &t, &body).await, 422).await;
    assert_eq!(
        err["errorDetails"]["inputErrors"][0]["input"]["inputPath"]["fieldPath"],
        "/content/multiImage/images/1/altText"
    );
}

#[tokio::test]
async fn partial_update_edits_the_commentary() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let post = text_post(&sb, &t, "first words").await;
    let path = format!("/rest/posts/{}", enc(&post));
    let update = |token: &str, body: Value, method: Option<&str>| {
        let mut rb = rest(&sb, Method::POST, &path, token).json(&body);
        if let Some(m) = method {
            rb = rb.header("X-RestLi-Method", m);
        }
        rb.send()
    };
    let set = |c: &str| json!({ "patch": { "$set": { "commentary": c } } });
    let resp = update(&t, set("better words \\(v2\\)"), Some("PARTIAL_UPDATE"))
        .await
        .expect("update");
    assert_eq!(resp.status(), 204);
    assert!(resp.text().await.unwrap_or_default().is_empty());
    let p = received(&sb, &post);
    assert_eq!(p.text, "better words (v2)");
    assert_eq!(p.extra["commentary"], "better words \\(v2\\)");
    assert_eq!(p.extra["edits"], 1);
    // The little-format rules apply again: cut at an unescaped '('.
    let resp = update(&t, set("cut (here)"), Some("PARTIAL_UPDATE"))
        .await
        .expect("update");
    assert_eq!(resp.status(), 204);
    let p = received(&sb, &post);
    assert_eq!(p.text, "cut ");
    assert_eq!(p.extra["truncated"], true);
    // Only the author.
    let t2 = token_of(&sb, studio());
    let resp = update(&t2, set("hijack"), Some("PARTIAL_UPDATE"))
        .await
        .expect("update");
    assert_eq!(resp.status(), 403);
    // Fields LinkedIn does not let you change.
    let resp = update(
        &t,
        json!({ "patch": { "$set": { "visibility": "CONNECTIONS" } } }),
        Some("PARTIAL_UPDATE"),
    )
    .await
    .expect("update");
    let body = json_of(resp, 422).await;
    assert_eq!(
        body["errorDetails"]["inputErrors"][0]["input"]["inputPath"]["fieldPath"],
        "/patch/$set/visibility"
    );
    let resp = update(
        &t,
        json!({ "patch": { "$delete": ["commentary"] } }),
        Some("PARTIAL_UPDATE"),
    )
    .await
    .expect("update");
    assert_eq!(resp.status(), 422);
    let resp = update(&t, set(&"x".repeat(3001)), Some("PARTIAL_UPDATE"))
        .await
        .expect("update");
    assert_eq!(resp.status(), 422);
    // Without the method header a POST to the entity is not an update.
    let resp = update(&t, set("no header"), None).await.expect("update");
    assert_eq!(json_of(resp, 400).await["code"], "ILLEGAL_ARGUMENT");
    assert_eq!(received(&sb, &post).text, "cut ");
    // Deleted or unknown: 404.
    let resp = rest(&sb, Method::DELETE, &path, &t)
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), 204);
    let resp = update(&t, set("too late"), Some("PARTIAL_UPDATE"))
        .await
        .expect("update");
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn duplicate_commentary_is_refused() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let first = text_post(&sb, &t, "Same words twice").await;
    let resp = create_post(&sb, &t, &post_body(&urn(creator()), "Same words twice")).await;
    let body = json_of(resp, 422).await;
    assert_eq!(
        body,
        json!({
            "errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": format!("com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of {first}"),
            "errorDetails": { "inputErrors": [{
                "description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"
            }] },
            "status": 422
        })
    );
    // Another member may say the same.
    let t2 = token_of(&sb, studio());
    let resp = create_post(&sb, &t2, &post_body(&urn(studio()), "Same words twice")).await;
    assert_eq!(resp.status(), 201);
    // Deleting the first post does not free the text.
    let resp = rest(
        &sb,
        Method::DELETE,
        &format!("/rest/posts/{}", enc(&first)),
        &t,
    )
    .send()
    .await
    .expect("delete");
    assert_eq!(resp.status(), 204);
    let resp = create_post(&sb, &t, &post_body(&urn(creator()), "Same words twice")).await;
    assert_eq!(resp.status(), 422);
    // After the window it is fine again.
    sb.advance_clock(24 * 3600);
    let again = text_post(&sb, &t, "Same words twice").await;
    // With the check off, duplicates go through.
    sb.update_platform_settings("linkedin", json!({ "duplicate_check": false }))
        .expect("settings");
    let third = text_post(&sb, &t, "Same words twice").await;
    assert_ne!(again, third);
    assert_eq!(sb.received(Some("linkedin")).len(), 4);
}

#[tokio::test]
async fn daily_quotas_are_visible_and_reset_at_utc_midnight() {
    let sb = common::sandbox().await;
    // Start an hour into an emulated UTC day, so the test never straddles one.
    let now = sb.clock().now;
    let next = (now.date_naive() + chrono::Duration::days(1))
        .and_hms_opt(1, 0, 0)
        .expect("1 am")
        .and_utc();
    sb.advance_clock((next - now).num_seconds() + 1);
    let t = token(&sb).await;
    text_post(&sb, &t, "count me").await;
    let now = sb.clock().now;
    let midnight = (now.date_naive() + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let quotas: Value = http()
        .get(format!("{}_sandbox/quotas", sb.base_url()))
        .send()
        .await
        .expect("quotas")
        .json()
        .await
        .expect("json");
    let posts = quotas
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|q| q["platform"] == "linkedin" && q["name"] == "POST /rest/posts")
        })
        .cloned()
        .expect("the posts quota is listed");
    assert_eq!(posts["overridden"], false);
    assert_eq!(posts["limit"]["limit"], 150);
    assert_eq!(posts["limit"]["window"]["kind"], "daily_utc");
    let w = &posts["windows"][0];
    assert_eq!(w["subject"], format!("member:{}", creator()));
    assert_eq!(w["used"], 1);
    assert_eq!(w["remaining"], 149);
    let resets: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(w["resets_at"].clone()).expect("resets_at");
    assert_eq!(resets, midnight);
    // An override without a window is a LinkedIn day too (midnight UTC).
    let q = sb
        .set_quota(QuotaSpec {
            platform: "linkedin".into(),
            name: "POST /rest/posts".into(),
            limit: 1,
            window_secs: None,
            daily_utc: false,
        })
        .expect("quota");
    assert_eq!(q.limit, creatorflow_sandbox::Limit::per_utc_day(1));
    text_post(&sb, &t, "one allowed").await;
    let resp = create_post(&sb, &t, &post_body(&urn(creator()), "over")).await;
    let body = json_of(resp, 429).await;
    assert_eq!(body["serviceErrorCode"], 101);
    let listed = sb
        .quotas()
        .into_iter()
        .find(|q| q.platform == "linkedin" && q.name == "POST /rest/posts")
        .expect("listed");
    assert!(listed.overridden);
    assert_eq!(listed.windows[0].used, 1);
    // Still refused a second before midnight; counted afresh after it.
    sb.advance_clock((midnight - sb.clock().now).num_seconds() - 1);
    let resp = create_post(&sb, &t, &post_body(&urn(creator()), "late")).await;
    assert_eq!(resp.status(), 429);
    sb.advance_clock(2);
    text_post(&sb, &t, "new day").await;
}

#[tokio::test]
async fn the_post_page_shows_author_text_and_media() {
    let sb = common::sandbox().await;
    let t = token(&sb).await;
    let image = upload_image(&sb, &t, &urn(creator()), png(10, 10)).await;
    let mut body = post_body(&urn(creator()), "Look at \\<this\\> #launch");
    body["content"] = json!({ "media": { "id": image, "altText": "A tiny square" } });
    let resp = create_post(&sb, &t, &body).await;
    let id = restli_id(&resp);
    let p = received(&sb, &id);
    let url = p.extra["url"].as_str().expect("url").to_string();
    assert_eq!(url, format!("{}linkedin/feed/update/{id}/", sb.base_url()));
    for u in [url.clone(), li(&sb, &format!("/feed/update/{}/", enc(&id)))] {
        let resp = http().get(&u).send().await.expect("page");
        assert_eq!(resp.status(), 200, "{u}");
        let html = resp.text().await.unwrap_or_default();
        assert!(html.contains("Sandbox Creator"), "{html}");
        assert!(html.contains("Look at &lt;this&gt; #launch"), "{html}");
        assert!(html.contains("A tiny square"), "{html}");
        assert!(html.contains(&image), "{html}");
    }
    let resp = rest(
        &sb,
        Method::DELETE,
        &format!("/rest/posts/{}", enc(&id)),
        &t,
    )
    .send()
    .await
    .expect("delete");
    assert_eq!(resp.status(), 204);
    assert_eq!(http().get(&url).send().await.expect("page").status(), 404);
    let unknown = li(&sb, "/feed/update/urn:li:share:1/");
    assert_eq!(
        http().get(&unknown).send().await.expect("page").status(),
        404
    );
}

#[tokio::test]
async fn the_demo_client_is_the_self_serve_app() {
    let demo = creatorflow_sandbox::demo_clients()
        .into_iter()
        .find(|c| c.platform == "linkedin")
        .expect("a LinkedIn demo client");
    assert_eq!(
        demo.client_id,
        creatorflow_sandbox::platforms::linkedin::LINKEDIN_CLIENT_ID
    );
    assert_eq!(
        demo.client_secret,
        Some(creatorflow_sandbox::platforms::linkedin::LINKEDIN_CLIENT_SECRET)
    );
    assert!(
        creatorflow_sandbox::platforms::linkedin::LINKEDIN_REDIRECT_URIS
            .contains(&"http://127.0.0.1:47616/oauth/linkedin/callback")
    );
    // Its tokens: 60 days, no refresh token (self-serve).
    let sb = common::sandbox().await;
    let tokens = login(&sb, SCOPES).await;
    assert_eq!(tokens["expires_in"], 5_184_000);
    assert!(tokens.get("refresh_token").is_none());
    let minted = sb
        .issue_tokens(creatorflow_sandbox::TokenRequest {
            platform: "linkedin".into(),
            account_id: creator().into(),
            client_id: None,
            scopes: None,
        })
        .expect("tokens");
    assert!(minted.refresh_token.is_none());
    assert_eq!(minted.client_id, demo.client_id);
}
