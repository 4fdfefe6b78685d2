//! Instagram as a creator lives it, in sandbox mode: connect in CreatorFlow's
//! own sign-in window (Meta's desktop flow: the test drives the window, sees
//! its address, approves on the emulated Meta page, and the window reads
//! the redirect and closes), set up a media host (a real S3-compatible
//! server on this machine), schedule a carousel and a Reel, close the
//! window, and see both published once.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{Duration as Span, Timelike, Utc};
use creatorflow_e2e::{
    App, S3Server, SERIAL, Session, close_window_like_a_window_manager, pick_in_file_dialog,
    press_keys_in, received, set_field, start_s3, type_media_host, wait_for, window_screenshot,
    window_titles,
};

const ZONE: &str = "America/New_York";

#[tokio::test]
async fn connect_instagram_set_a_media_host_and_a_carousel_and_a_reel_go_out_once()
-> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let s3 = start_s3().await?;
    let session = Session::start(ZONE).await?;
    let result = run(&session, &s3).await;
    session.end(result)
}

async fn run(session: &Session, s3: &S3Server) -> creatorflow_e2e::Result<()> {
    let (mut app, sandbox) = session.launch("instagram").await?;
    // Meta's page asks: the test answers in the window, as a creator would.
    sandbox
        .control("consent", serde_json::json!({"mode": "ask"}))
        .await?;

    app.click("nav-accounts").await?;
    app.click("connect-instagram").await?;
    let dialog = app.el("connect-dialog").await?.text().await?;
    assert!(
        dialog.contains("instagram_business_content_publish"),
        "scopes shown: {dialog}"
    );
    let note = app.el("connect-window-note").await?.text().await?;
    assert!(note.contains("window of its own"), "{note}");

    // Closed before signing in: nothing is connected, and Accounts says so.
    app.click("connect-confirm").await?;
    let title = sign_in_title().await?;
    close_window_like_a_window_manager(&title)?;
    let error = app
        .wait_testid("connect-error", Duration::from_secs(20))
        .await?
        .text()
        .await?;
    assert!(
        error.contains("You closed the Instagram sign-in window"),
        "{error}"
    );

    app.click("connect-instagram").await?;
    app.click("connect-confirm").await?;
    let waiting = app.el("connect-waiting").await?.text().await?;
    assert!(waiting.contains("sign-in window"), "{waiting}");
    assert!(
        !app.exists(&App::sel("connect-link")).await,
        "no link to copy: only the window can hand the sign-in back"
    );
    assert!(
        std::fs::read_to_string(&session.opened)
            .unwrap_or_default()
            .is_empty(),
        "no browser was opened"
    );

    // The sign-in window: Meta's page, its address in the title bar (no
    // state or code in it); approved at the keyboard.
    let title = sign_in_title().await?;
    assert!(
        !title.contains("state="),
        "no secrets in the title: {title}"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    window_screenshot(&app.name, "02-sign-in-window", &title)?;
    // The account picked first, then the "Authorize app" button.
    press_keys_in(&title, &["Tab", "Tab", "Return"])?;

    // The window reads the redirect, closes, and the account is connected.
    wait_for(
        "the sign-in window to close",
        Duration::from_secs(20),
        || async {
            let titles = window_titles().ok()?;
            (!titles.contains(&title)).then_some(())
        },
    )
    .await?;
    let card = app
        .wait_css(&App::connected_card("instagram"), Duration::from_secs(20))
        .await?;
    let text = card.text().await?;
    assert!(text.contains("sandbox"), "{text}");
    assert!(
        !app.exists(&App::sel("connect-waiting")).await,
        "no longer waiting"
    );
    app.shot("instagram-connected").await?;
    assert!(received(&sandbox.url, "instagram").await.is_empty());

    // Without a media host the composer says Instagram needs one, and
    // takes the creator there.
    app.click("nav-calendar").await?;
    app.wait_css("button[aria-label=\"New post\"]", Duration::from_secs(5))
        .await?
        .click()
        .await?;
    let warning = app
        .wait_testid("composer-instagram-no-host", Duration::from_secs(10))
        .await?
        .text()
        .await?;
    assert!(warning.contains("needs your media host"), "{warning}");
    app.click("composer-instagram-open-media-host").await?;
    app.wait_testid("settings-media-host", Duration::from_secs(10))
        .await?;
    type_media_host(&app, s3).await?;
    app.click("settings-media-host-test").await?;
    app.until(
        "the media host to work",
        Duration::from_secs(30),
        || async {
            Ok(app
                .el("settings-media-host-test-result")
                .await?
                .text()
                .await?
                .contains("Your media host works."))
        },
    )
    .await?;
    app.script(
        "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' })",
        vec![App::sel("settings-media-host").into()],
    )
    .await?;
    app.shot("media-host-settings").await?;

    // A carousel and a Reel, two minutes from now.
    let tz: chrono_tz::Tz = ZONE.parse().map_err(|_| "zone")?;
    let now = Utc::now().with_timezone(&tz);
    let mut at = (now + Span::minutes(2))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .ok_or("time")?;
    if at - now < Span::seconds(100) {
        at += Span::minutes(1);
    }
    let stamp = Utc::now().timestamp();
    // Two different files (the same one twice is one attachment): bytes
    // after the JPEG's end mark change the file, not the picture.
    let second = [PHOTO, b"second shot"].concat();
    let pictures = [
        write(session, "shoot-1.jpg", PHOTO)?,
        write(session, "shoot-2.jpg", &second)?,
    ];
    let carousel = format!("Two from the shoot #behindthescenes {stamp}");
    compose(&app, &at, &carousel, &pictures, "carousel").await?;
    app.shot("composer-instagram-carousel").await?;
    schedule(&app).await?;
    let reel = format!("The making of (reel) {stamp}");
    compose(
        &app,
        &at,
        &reel,
        &[write(session, "making-of.mp4", &small_video())?],
        "reel",
    )
    .await?;
    schedule(&app).await?;

    // Close the window; the app publishes from the tray.
    close_window_like_a_window_manager("CreatorFlow")?;
    let got = wait_for(
        "both posts at Instagram",
        Duration::from_secs(300),
        || async {
            let r = received(&sandbox.url, "instagram").await;
            (r.len() >= 2).then_some(r)
        },
    )
    .await?;
    let by_text = |t: &str| got.iter().find(|p| p["text"] == t).cloned();
    let c = by_text(&carousel).ok_or("the carousel")?;
    assert_eq!(c["extra"]["media_type"], "CAROUSEL", "{c}");
    assert_eq!(c["media"].as_array().map(Vec::len), Some(2), "{c}");
    let r = by_text(&reel).ok_or("the reel")?;
    assert_eq!(r["extra"]["media_type"], "REELS", "{r}");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        received(&sandbox.url, "instagram").await.len(),
        2,
        "each exactly once"
    );
    // Nothing is left on the media host once both are out.
    wait_for(
        "the media host emptied",
        Duration::from_secs(60),
        || async {
            let left = std::fs::read_dir(s3.root.path().join("cf-media/creatorflow"))
                .map(|d| d.count())
                .unwrap_or(0);
            (left == 0).then_some(())
        },
    )
    .await?;
    Ok(())
}

/// A real 40×50 JPEG (4:5, within Instagram's shapes).
const PHOTO: &[u8] = include_bytes!("../../crates/platforms/tests/fixtures/meta-photo-40x50.jpg");

/// Bytes with an MP4 signature that the emulator takes as a video.
fn small_video() -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    bytes.extend((0..600_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    bytes
}

fn write(session: &Session, name: &str, bytes: &[u8]) -> creatorflow_e2e::Result<PathBuf> {
    let path = session.tmp.path().join(name);
    std::fs::write(&path, bytes)?;
    Ok(path)
}

/// Opens the composer on `at`'s day, types `text`, attaches `files` in the
/// system's file picker, and picks Instagram's `kind`.
async fn compose(
    app: &App,
    at: &chrono::DateTime<chrono_tz::Tz>,
    text: &str,
    files: &[PathBuf],
    kind: &str,
) -> creatorflow_e2e::Result<()> {
    app.click("nav-calendar").await?;
    // The composer left open for Settings goes on; else one opens on `at`'s day.
    if !app.exists(&App::sel("composer")).await {
        app.open_composer_on(at.date_naive()).await?;
    }
    app.el("composer").await?;
    assert!(
        !app.exists(&App::sel("composer-instagram-no-host")).await,
        "the media host is set up"
    );
    app.wait_testid("composer-instagram-options", Duration::from_secs(10))
        .await?;
    app.el("composer-text").await?.send_keys(text).await?;
    for (i, file) in files.iter().enumerate() {
        app.click("composer-attach").await?;
        let picked = file.clone();
        tokio::task::spawn_blocking(move || {
            pick_in_file_dialog("Attach images or a video", &picked).map_err(|e| e.to_string())
        })
        .await??;
        app.until("the file attached", Duration::from_secs(20), || async {
            Ok(app
                .client
                .find_all(fantoccini::Locator::Css(&App::sel("composer-media-item")))
                .await?
                .len()
                > i)
        })
        .await?;
    }
    let radio = format!("composer-instagram-kind-{kind}");
    app.click(&radio).await?;
    app.until("the kind picked", Duration::from_secs(10), || async {
        Ok(app.el(&radio).await?.is_selected().await?
            && !app
                .el("composer-attach")
                .await?
                .text()
                .await?
                .contains("Adding"))
    })
    .await?;
    set_field(app, "composer-date", &at.format("%Y-%m-%d").to_string()).await?;
    set_field(app, "composer-time", &at.format("%H:%M").to_string()).await?;
    app.until("no problems left", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer-issues")).await
            && app.el("composer-schedule").await?.is_enabled().await?)
    })
    .await?;
    Ok(())
}

async fn schedule(app: &App) -> creatorflow_e2e::Result<()> {
    app.click("composer-schedule").await?;
    app.until("composer closed", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer")).await)
    })
    .await
}

/// The sign-in window's title: the address of the page it shows.
async fn sign_in_title() -> creatorflow_e2e::Result<String> {
    wait_for(
        "the sign-in window's title",
        Duration::from_secs(20),
        || async {
            window_titles().ok()?.into_iter().find(|t| {
                t.contains("/meta/instagram/oauth/authorize") && t.ends_with("Sign in to Instagram")
            })
        },
    )
    .await
}
