//! Instagram as a creator lives it, in sandbox mode: connect in CreatorFlow's
//! own sign-in window (Meta's desktop flow: the test drives the window, sees
//! its address, approves on the emulated Meta page, and the window reads
//! the redirect and closes), set up a media host (a real S3-compatible
//! server on this machine), schedule a carousel and a Reel, close the
//! window, and see both published once.

use std::time::Duration;

use creatorflow_e2e::{
    App, SERIAL, Session, close_window_like_a_window_manager, press_keys_in, received, wait_for,
    window_screenshot, window_titles,
};

const ZONE: &str = "America/New_York";

#[tokio::test]
async fn connect_instagram_in_its_sign_in_window() -> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let session = Session::start(ZONE).await?;
    let result = run(&session).await;
    session.end(result)
}

async fn run(session: &Session) -> creatorflow_e2e::Result<()> {
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
        .wait_css(
            "[data-testid=\"account-card\"][data-platform=\"instagram\"][data-status=\"connected\"]",
            Duration::from_secs(20),
        )
        .await?;
    let text = card.text().await?;
    assert!(text.contains("sandbox"), "{text}");
    assert!(
        !app.exists(&App::sel("connect-waiting")).await,
        "no longer waiting"
    );
    app.shot("instagram-connected").await?;
    assert!(received(&sandbox.url, "instagram").await.is_empty());
    Ok(())
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
