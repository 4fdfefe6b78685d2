//! LinkedIn as a creator lives it, in sandbox mode: connect (the test plays
//! the browser: it follows the authorize URL the app opened through $BROWSER,
//! and LinkedIn's redirect lands on the app's listener on the registered
//! port, as a browser's would), schedule a picture with its alt text and a PDF
//! document, both picked in the system's file picker, close the window, and
//! see both published once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Duration as Span, Timelike, Utc};
use creatorflow_e2e::{App, SERIAL, Session, pick_in_file_dialog, received, set_field, wait_for};

const ZONE: &str = "Europe/Berlin";
const MEMBER: &str = "sbxCreator1";

fn files(dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    // A small real PNG (a 2×2 picture) and a one-page PDF.
    let png = dir.join("team-photo.png");
    std::fs::write(
        &png,
        [
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
            0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00,
            0x00, 0xFD, 0xD4, 0x9A, 0x73, 0x00, 0x00, 0x00, 0x16, 0x49, 0x44, 0x41, 0x54, 0x78,
            0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x08, 0x19, 0x18, 0xFE, 0x03, 0x00, 0x1F,
            0xFA, 0x04, 0xFC, 0x16, 0x7B, 0x95, 0x22, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
            0x44, 0xAE, 0x42, 0x60, 0x82,
        ],
    )?;
    let pdf = dir.join("Quarterly results.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )?;
    Ok((png, pdf))
}

/// Writes a LinkedIn post in the composer with one picked file and schedules it.
async fn schedule(
    app: &App,
    account: &str,
    text: &str,
    file: &Path,
    alt: Option<&str>,
    at: chrono::DateTime<chrono_tz::Tz>,
    shot: Option<&str>,
) -> creatorflow_e2e::Result<()> {
    app.open_composer_on(at.date_naive()).await?;
    // The only account is picked for a new post.
    app.wait_css(
        &format!("[data-testid=\"composer-account\"][data-account-id=\"{account}\"]:checked"),
        Duration::from_secs(5),
    )
    .await?;
    app.el("composer-linkedin-options").await?;
    app.el("composer-text").await?.send_keys(text).await?;
    app.click("composer-linkedin-visibility-connections")
        .await?;
    app.click("composer-attach").await?;
    let picked = file.to_owned();
    tokio::task::spawn_blocking(move || {
        pick_in_file_dialog("Attach images or a video", &picked).map_err(|e| e.to_string())
    })
    .await??;
    app.wait_testid("composer-media-item", Duration::from_secs(20))
        .await?;
    if let Some(alt) = alt {
        app.el("composer-media-alt").await?.send_keys(alt).await?;
    }
    set_field(app, "composer-date", &at.format("%Y-%m-%d").to_string()).await?;
    set_field(app, "composer-time", &at.format("%H:%M").to_string()).await?;
    app.until(
        "LinkedIn's counter and no problems",
        Duration::from_secs(10),
        || async {
            Ok(app
                .exists("[data-testid=\"composer-counter\"][data-platform=\"linkedin\"]")
                .await
                && !app.exists(&App::sel("composer-issues")).await
                && app.el("composer-schedule").await?.is_enabled().await?)
        },
    )
    .await?;
    if let Some(label) = shot {
        app.screenshot(label).await?;
    }
    app.click("composer-schedule").await?;
    app.until("composer closed", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer")).await)
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn connect_linkedin_schedule_a_picture_and_a_document_and_both_go_out()
-> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let session = Session::start(ZONE).await?;
    let result = run(&session).await;
    session.end(result)
}

async fn run(session: &Session) -> creatorflow_e2e::Result<()> {
    let (mut app, sandbox) = session.launch("linkedin").await?;
    sandbox.approve_as(MEMBER).await?;

    app.click("nav-accounts").await?;
    app.click("connect-linkedin").await?;
    let dialog = app.el("connect-dialog").await?.text().await?;
    assert!(dialog.contains("w_member_social"), "scopes shown: {dialog}");
    app.click("connect-confirm").await?;
    app.el("connect-waiting").await?;
    let authorize = session.opened_url().await?;
    assert!(
        authorize.starts_with(&format!("{}/linkedin/oauth/v2/authorization?", sandbox.url)),
        "{authorize}"
    );
    let back = sandbox.redirect_of(&authorize).await?;
    assert!(
        back.starts_with("http://127.0.0.1:47616/oauth/linkedin/callback?"),
        "{back}"
    );
    assert_eq!(reqwest::get(&back).await?.status(), 200);
    let card = app
        .wait_css(&App::connected_card("linkedin"), Duration::from_secs(20))
        .await?;
    let card_text = card.text().await?;
    assert!(card_text.contains("Sandbox Creator"), "{card_text}");
    assert!(
        card_text.contains("sandbox.creator@example.com"),
        "{card_text}"
    );
    let account = card.attr("data-account-id").await?.ok_or("account id")?;
    app.shot("linkedin-connected").await?;

    let tz: chrono_tz::Tz = ZONE.parse().map_err(|_| "zone")?;
    let now = Utc::now().with_timezone(&tz);
    let mut at = (now + Span::minutes(2))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .ok_or("time")?;
    if at - now < Span::seconds(100) {
        at += Span::minutes(1);
    }
    let (png, pdf) = files(session.tmp.path())?;
    let stamp = Utc::now().timestamp();
    let picture_text = format!("Our team (all of it) #hiring {stamp}");
    let document_text = format!("The numbers for Q3 {stamp}");
    schedule(
        &app,
        &account,
        &picture_text,
        &png,
        Some("Five people around a whiteboard"),
        at,
        Some(&format!("{}-composer-linkedin", app.name)),
    )
    .await?;
    schedule(&app, &account, &document_text, &pdf, None, at, None).await?;
    app.shot("two-linkedin-posts-scheduled").await?;

    creatorflow_e2e::close_window_like_a_window_manager("CreatorFlow")?;
    let got = wait_for(
        "both posts at LinkedIn",
        Duration::from_secs(240),
        || async {
            let r = received(&sandbox.url, "linkedin").await;
            (r.len() >= 2).then_some(r)
        },
    )
    .await?;
    let picture = got
        .iter()
        .find(|p| p["text"] == picture_text.as_str())
        .ok_or("the picture post, as typed")?;
    assert_eq!(
        picture["media"][0]["alt_text"],
        "Five people around a whiteboard"
    );
    assert_eq!(picture["extra"]["visibility"], "CONNECTIONS");
    let document = got
        .iter()
        .find(|p| p["text"] == document_text.as_str())
        .ok_or("the document post")?;
    assert_eq!(document["media"][0]["kind"], "document");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        received(&sandbox.url, "linkedin").await.len(),
        2,
        "each exactly once"
    );
    Ok(())
}
