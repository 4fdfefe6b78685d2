//! TikTok as a creator lives it, in sandbox mode: connect (the test plays the
//! browser: it follows the authorize URL the app opened through $BROWSER, and
//! TikTok's redirect lands on the app's listener on the port it picked, as a
//! browser's would), see the composer follow TikTok's guidelines (the
//! creator's nickname, who can see it with nothing picked, the consent line,
//! the unaudited app's limits), pick "Only me", attach a video in the
//! system's file picker, schedule it, close the window, and see it
//! published once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Duration as Span, Timelike, Utc};
use creatorflow_e2e::{App, SERIAL, Session, pick_in_file_dialog, received, set_field, wait_for};

const ZONE: &str = "Europe/Berlin";
/// The sandbox's private creator: an unaudited app may post only from it.
const CREATOR: &str = "-000sandboxStudioPrivate0000000002";

/// A file with an MP4 signature that the emulator takes as a video.
fn small_video(dir: &Path) -> std::io::Result<PathBuf> {
    let path = dir.join("studio-tour.mp4");
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    bytes.extend((0..900_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    std::fs::write(&path, bytes)?;
    Ok(path)
}

#[tokio::test]
async fn connect_tiktok_schedule_a_video_as_tiktok_asks_and_it_goes_out_once()
-> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let session = Session::start(ZONE).await?;
    let result = run(&session).await;
    session.end(result)
}

async fn run(session: &Session) -> creatorflow_e2e::Result<()> {
    let (mut app, sandbox) = session.launch("tiktok").await?;
    sandbox.approve_as(CREATOR).await?;

    // Connect through the browser.
    app.click("nav-accounts").await?;
    app.click("connect-tiktok").await?;
    let dialog = app.el("connect-dialog").await?.text().await?;
    assert!(dialog.contains("video.publish"), "scopes shown: {dialog}");
    app.click("connect-confirm").await?;
    app.el("connect-waiting").await?;
    let authorize = session.opened_url().await?;
    assert!(
        authorize.starts_with(&format!("{}/tiktok/v2/auth/authorize/?", sandbox.url)),
        "{authorize}"
    );
    assert!(authorize.contains("client_key="), "{authorize}");
    let back = sandbox.redirect_of(&authorize).await?;
    let back_url = url::Url::parse(&back)?;
    assert_eq!(back_url.host_str(), Some("127.0.0.1"), "{back}");
    assert_eq!(back_url.path(), "/oauth/tiktok/callback", "{back}");
    assert_eq!(reqwest::get(&back).await?.status(), 200);
    let card = app
        .wait_css(&App::connected_card("tiktok"), Duration::from_secs(20))
        .await?;
    let card_text = card.text().await?;
    assert!(card_text.contains("Sandbox Studio"), "{card_text}");
    let account = card.attr("data-account-id").await?.ok_or("account id")?;
    app.shot("tiktok-connected").await?;

    // Compose: TikTok's fields as its guidelines ask.
    let tz: chrono_tz::Tz = ZONE.parse().map_err(|_| "zone")?;
    let now = Utc::now().with_timezone(&tz);
    let mut at = (now + Span::minutes(2))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .ok_or("time")?;
    if at - now < Span::seconds(100) {
        at += Span::minutes(1);
    }
    app.open_composer_on(at.date_naive()).await?;
    // The only account is picked for a new post.
    app.wait_css(
        &format!("[data-testid=\"composer-account\"][data-account-id=\"{account}\"]:checked"),
        Duration::from_secs(5),
    )
    .await?;
    let nickname = app
        .wait_testid("composer-tiktok-nickname", Duration::from_secs(10))
        .await?
        .text()
        .await?;
    assert!(nickname.contains("Sandbox Studio"), "{nickname}");
    let notice = app.el("composer-tiktok-unaudited").await?.text().await?;
    assert!(notice.contains("audited"), "{notice}");
    let consent = app.el("composer-tiktok-consent").await?.text().await?;
    assert!(consent.contains("Music Usage Confirmation"), "{consent}");
    let only_me = app
        .wait_testid("composer-tiktok-privacy-SELF_ONLY", Duration::from_secs(10))
        .await?;
    assert!(!only_me.is_selected().await?, "TikTok wants no default");
    assert!(
        !app.exists(&App::sel("composer-tiktok-privacy-PUBLIC_TO_EVERYONE"))
            .await,
        "an unaudited app is offered Only me alone"
    );
    let stamp = Utc::now().timestamp();
    let caption = format!("Studio tour (part 1) #behindthescenes {stamp}");
    app.el("composer-text").await?.send_keys(&caption).await?;
    app.click("composer-attach").await?;
    let picked = small_video(session.tmp.path())?;
    tokio::task::spawn_blocking(move || {
        pick_in_file_dialog("Attach images or a video", &picked).map_err(|e| e.to_string())
    })
    .await??;
    app.wait_testid("composer-media-item", Duration::from_secs(20))
        .await?;
    set_field(&app, "composer-date", &at.format("%Y-%m-%d").to_string()).await?;
    set_field(&app, "composer-time", &at.format("%H:%M").to_string()).await?;
    // Nothing picked yet: TikTok's rule is named.
    app.until("the privacy problem", Duration::from_secs(10), || async {
        Ok(app.exists(&App::sel("composer-issues")).await
            && app
                .el("composer-issues")
                .await?
                .text()
                .await?
                .contains("Pick who can see"))
    })
    .await?;
    app.click("composer-tiktok-privacy-SELF_ONLY").await?;
    app.until("no problems left", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer-issues")).await
            && app.el("composer-schedule").await?.is_enabled().await?)
    })
    .await?;
    app.shot("composer-tiktok-fields").await?;
    app.click("composer-schedule").await?;
    app.until("composer closed", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer")).await)
    })
    .await?;

    // Close the window; the app publishes from the tray.
    creatorflow_e2e::close_window_like_a_window_manager("CreatorFlow")?;
    let got = wait_for("the video at TikTok", Duration::from_secs(240), || async {
        let r = received(&sandbox.url, "tiktok").await;
        (!r.is_empty()).then_some(r)
    })
    .await?;
    assert_eq!(got[0]["text"], caption.as_str(), "the caption as typed");
    assert_eq!(got[0]["extra"]["privacy_level"], "SELF_ONLY");
    assert_eq!(got[0]["media"][0]["kind"], "video");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        received(&sandbox.url, "tiktok").await.len(),
        1,
        "exactly once"
    );
    Ok(())
}
