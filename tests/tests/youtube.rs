//! YouTube as a creator lives it, in sandbox mode: connect a channel (the
//! test plays the browser: it follows the authorize URL the app opened through
//! $BROWSER, and Google's redirect lands on the app's one-shot loopback
//! listener, as a browser's would), write a post with YouTube's fields, attach
//! a video through the system's file picker (typed into, as a user would),
//! schedule it, watch Activity show YouTube processing it, close the window,
//! and see it published once, with YouTube's privacy note.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::{Duration as Span, Timelike, Utc};
use creatorflow_e2e::{
    App, SERIAL, Session, app_binary, app_is_running, pick_in_file_dialog, received, set_field,
    wait_for,
};

const ZONE: &str = "Europe/Berlin";
const CHANNEL: &str = "UCSandboxCreatorChannel1";

/// A file with an MP4 signature that the emulator takes as a video.
fn small_video(dir: &Path) -> std::io::Result<PathBuf> {
    let path = dir.join("behind-the-scenes.mp4");
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    bytes.extend((0..700_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&path, bytes)?;
    Ok(path)
}

#[tokio::test]
async fn connect_youtube_schedule_a_video_and_see_it_processed_and_published()
-> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let session = Session::start(ZONE).await?;
    let result = run(&session).await;
    session.end(result)
}

async fn run(session: &Session) -> creatorflow_e2e::Result<()> {
    let (mut app, sandbox) = session.launch("youtube").await?;
    // YouTube takes 45 emulated seconds to process a video here.
    sandbox
        .control(
            "settings/youtube",
            serde_json::json!({"processing_secs": 45}),
        )
        .await?;
    sandbox.approve_as(CHANNEL).await?;

    // Accounts → Connect YouTube: the permissions first, then the browser.
    app.click("nav-accounts").await?;
    app.click("connect-youtube").await?;
    let dialog = app.el("connect-dialog").await?.text().await?;
    assert!(dialog.contains("youtube.upload"), "scopes shown: {dialog}");
    app.click("connect-confirm").await?;
    app.el("connect-waiting").await?;
    let authorize = session.opened_url().await?;
    assert!(
        authorize.starts_with(&format!("{}/youtube/o/oauth2/v2/auth?", sandbox.url)),
        "{authorize}"
    );
    assert!(authorize.contains("code_challenge_method=S256"));
    assert!(authorize.contains("access_type=offline"));
    // The browser follows Google's redirect to the app's loopback listener.
    let back = sandbox.redirect_of(&authorize).await?;
    assert!(
        back.starts_with("http://127.0.0.1:") && back.contains("/oauth/youtube/callback?"),
        "{back}"
    );
    let landing = reqwest::get(&back).await?;
    assert_eq!(landing.status(), 200, "the listener answers the browser");
    let card = app
        .wait_css(&App::connected_card("youtube"), Duration::from_secs(20))
        .await?;
    assert!(card.text().await?.contains("Sandbox Creator"));
    let account = card.attr("data-account-id").await?.ok_or("account id")?;
    app.shot("youtube-connected").await?;

    // Compose on today's cell: YouTube's fields appear with the channel.
    let tz: chrono_tz::Tz = ZONE.parse().map_err(|_| "zone")?;
    let now = Utc::now().with_timezone(&tz);
    let mut at = (now + Span::minutes(1))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .ok_or("time")?;
    if at - now < Span::seconds(40) {
        at += Span::minutes(1);
    }
    app.open_composer_on(at.date_naive()).await?;
    // The only account is picked for a new post.
    app.wait_css(
        &format!("[data-testid=\"composer-account\"][data-account-id=\"{account}\"]:checked"),
        Duration::from_secs(5),
    )
    .await?;
    app.el("composer-youtube-title").await?;
    let stamp = Utc::now().timestamp();
    let title = format!("Behind the scenes {stamp}");
    app.el("composer-text")
        .await?
        .send_keys("How the set was built, start to finish.")
        .await?;
    app.el("composer-youtube-title")
        .await?
        .send_keys(&title)
        .await?;
    app.el("composer-youtube-tags")
        .await?
        .send_keys("making of")
        .await?;
    app.click("composer-youtube-kids-no").await?;
    // Without a video YouTube's rule is named.
    app.until(
        "YouTube asks for a video",
        Duration::from_secs(10),
        || async {
            let issues = app
                .script(
                    "const el = document.querySelector('[data-testid=\"composer-issues\"]');
                 return el ? el.textContent : '';",
                    vec![],
                )
                .await?;
            Ok(issues.as_str().unwrap_or("").contains("video"))
        },
    )
    .await?;
    // Attach the video through the system's file picker.
    let video = small_video(session.tmp.path())?;
    app.click("composer-attach").await?;
    let picked = video.clone();
    tokio::task::spawn_blocking(move || {
        pick_in_file_dialog("Attach images or a video", &picked).map_err(|e| e.to_string())
    })
    .await??;
    app.wait_testid("composer-media-item", Duration::from_secs(20))
        .await?;
    set_field(&app, "composer-date", &at.format("%Y-%m-%d").to_string()).await?;
    set_field(&app, "composer-time", &at.format("%H:%M").to_string()).await?;
    app.until("the title counter", Duration::from_secs(10), || async {
        Ok(app
            .exists("[data-testid=\"composer-counter\"][data-platform=\"youtube\"][data-field=\"title\"]")
            .await)
    })
    .await?;
    app.until("no problems left", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer-issues")).await
            && app.el("composer-schedule").await?.is_enabled().await?)
    })
    .await?;
    app.shot("composer-youtube-fields").await?;
    app.click("composer-schedule").await?;
    app.until("composer closed", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer")).await)
    })
    .await?;

    // Activity shows YouTube processing the video, in YouTube's words.
    app.click("nav-activity").await?;
    let stage = app
        .wait_css(
            "[data-testid=\"activity-item\"][data-status=\"processing\"] [data-testid=\"activity-stage\"]",
            Duration::from_secs(150),
        )
        .await?
        .text()
        .await?;
    assert!(stage.contains("YouTube"), "stage: {stage}");
    app.shot("activity-youtube-processing").await?;
    let got = received(&sandbox.url, "youtube").await;
    assert_eq!(got.len(), 1, "uploaded once: {got:?}");
    assert_eq!(got[0]["extra"]["title"], title.as_str());
    assert_eq!(got[0]["extra"]["selfDeclaredMadeForKids"], false);

    // Close the window; the app keeps checking from the tray.
    creatorflow_e2e::close_window_like_a_window_manager("CreatorFlow")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(app_is_running(), "closing the window must not quit the app");
    // YouTube finishes; the app's next check publishes it. The window comes
    // back the way a user opens it again: launching CreatorFlow.
    tokio::time::sleep(Duration::from_secs(70)).await;
    let bin = app_binary();
    let status = tokio::task::spawn_blocking(move || Command::new(bin).status()).await??;
    assert!(status.success());
    let window = wait_for(
        "the window to come back",
        Duration::from_secs(20),
        || async { app.client.windows().await.ok()?.into_iter().next() },
    )
    .await?;
    app.client.switch_to_window(window).await?;
    app.click("nav-activity").await?;
    let published = app
        .wait_css(
            "[data-testid=\"activity-item\"][data-status=\"published\"]",
            Duration::from_secs(90),
        )
        .await?;
    let note = published.text().await?;
    assert!(note.contains("private"), "YouTube's privacy note: {note}");
    app.shot("activity-youtube-published").await?;
    let got = received(&sandbox.url, "youtube").await;
    assert_eq!(got.len(), 1, "published once");
    assert_eq!(got[0]["deleted"], false);

    // Delete it from YouTube: the dialog names the network and the account,
    // the video goes at YouTube, the post stays with its history.
    app.click("activity-delete-at-network").await?;
    let dialog = app
        .wait_css("dialog[open]", Duration::from_secs(5))
        .await?
        .text()
        .await?;
    assert!(
        dialog.contains("YouTube") && dialog.contains("sandboxcreator"),
        "the confirmation names the network and account: {dialog}"
    );
    app.shot("delete-at-youtube-confirm").await?;
    app.click("activity-delete-confirm").await?;
    app.wait_css(
        "[data-testid=\"activity-item\"][data-status=\"deleted\"]",
        Duration::from_secs(20),
    )
    .await?;
    let got = received(&sandbox.url, "youtube").await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["deleted"], true, "deleted at YouTube");
    app.shot("activity-youtube-deleted").await?;
    Ok(())
}
