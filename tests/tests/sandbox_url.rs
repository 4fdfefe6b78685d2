//! `creatorflow --sandbox-url URL`: sandbox mode against emulators started
//! before the app (the `creatorflow-sandbox` binary), which outlive it. An X
//! account is connected through them, the app is killed (SIGKILL) and started
//! again, and a post published now reaches the same emulators, once. Then
//! X's window is narrowed to one post: the next post waits for room in
//! Activity instead of being sent to be refused.

use std::time::Duration;

use creatorflow_e2e::{
    App, SERIAL, Sandbox, SandboxProcess, Session, app_is_running, received, wait_for,
};

#[tokio::test]
async fn the_app_uses_a_running_sandbox_that_outlives_it() -> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let session = Session::start("Europe/Berlin").await?;
    let result = run(&session).await;
    session.end(result)
}

async fn run(session: &Session) -> creatorflow_e2e::Result<()> {
    let process = SandboxProcess::start(&session.tmp.path().join("sandbox-state.json"))?;
    let url = process.url.clone();
    let sandbox = Sandbox::new(url.clone())?;
    let args = [
        "--sandbox-url",
        url.as_str(),
        "--data-dir",
        &session.data_dir,
    ];

    let app = App::launch(&session.driver, "sandbox-url", &args).await?;
    app.el("sandbox-badge").await?;
    let named = app
        .wait_css(".sandbox-url", Duration::from_secs(5))
        .await?
        .attr("title")
        .await?
        .unwrap_or_default();
    assert!(
        named.contains(&url),
        "the badge names the running sandbox: {named}"
    );

    // Connect X through it, as a creator does.
    sandbox.approve_as("1500000000000000001").await?;
    app.click("nav-accounts").await?;
    app.click("connect-x").await?;
    app.click("connect-confirm").await?;
    let authorize = session.opened_url().await?;
    assert!(authorize.starts_with(&format!("{url}/x/")), "{authorize}");
    let deep_link = sandbox.redirect_of(&authorize).await?;
    creatorflow_e2e::hand_to_os(&deep_link).await?;
    let connected = App::connected_card("x");
    app.wait_css(&connected, Duration::from_secs(20)).await?;

    // Killed outright: the emulators keep running, with what they issued.
    creatorflow_e2e::signal_app("KILL");
    wait_for("the app gone", Duration::from_secs(10), || async {
        (!app_is_running()).then_some(())
    })
    .await?;
    // WebDriver still counts the dead app's session: end it.
    let _ = app.quit().await;
    let status = reqwest::get(format!("{url}/_sandbox")).await?.status();
    assert!(
        status.is_success(),
        "the sandbox outlives the app: {status}"
    );

    // Started again against the same sandbox: still connected, and a post
    // published now arrives there once.
    let mut app = App::launch(&session.driver, "sandbox-url-again", &args).await?;
    app.click("nav-accounts").await?;
    app.wait_css(&connected, Duration::from_secs(10)).await?;
    let text = format!(
        "Through a sandbox that outlives the app {}",
        chrono::Utc::now().timestamp()
    );
    post_now(&app, &text).await?;
    arrival(&url, &text).await?;
    app.shot("published").await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let all = received(&url, "x").await;
    assert_eq!(
        all.iter().filter(|p| p["text"] == text.as_str()).count(),
        1,
        "exactly once"
    );

    // X's window for the account now allows one post in ten minutes: the
    // first goes out, the second waits for room, shown in Activity, and is
    // not sent to be refused.
    sandbox
        .control(
            "quotas",
            serde_json::json!({"platform": "x", "name": "POST /2/tweets", "limit": 1, "window_secs": 600}),
        )
        .await?;
    let stamp = chrono::Utc::now().timestamp();
    let fits = format!("Fits in X's window {stamp}");
    let waits = format!("Waits for room in X's window {stamp}");
    post_now(&app, &fits).await?;
    arrival(&url, &fits).await?;
    post_now(&app, &waits).await?;
    app.click("nav-activity").await?;
    let waiting = app
        .wait_css(
            "[data-testid=\"activity-item\"][data-status=\"retrying\"]",
            Duration::from_secs(60),
        )
        .await?
        .text()
        .await?;
    assert!(waiting.contains("Waiting for room"), "{waiting}");
    assert!(
        waiting.contains("X's limit of 1 post per account"),
        "names the limit: {waiting}"
    );
    assert!(waiting.contains("Goes out at"), "says when: {waiting}");
    assert!(
        !waiting.contains("Retry now"),
        "retrying would only wait again: {waiting}"
    );
    app.shot("activity-waiting-for-room").await?;
    let requests: Vec<serde_json::Value> =
        reqwest::get(format!("{url}/_sandbox/requests?platform=x"))
            .await?
            .json()
            .await?;
    assert!(
        !requests.iter().any(|r| r["status"] == 429),
        "nothing was sent to be refused"
    );
    assert!(
        !received(&url, "x")
            .await
            .iter()
            .any(|p| p["text"] == waits.as_str()),
        "the second waits"
    );
    Ok(())
}

/// Composes `text` for the one connected account and posts it now. The
/// composer opens from tomorrow's cell: posts sent now land on today's, and
/// a click there would open one of them. The last post's toast is waited
/// out first: it can sit over the cells.
async fn post_now(app: &App, text: &str) -> creatorflow_e2e::Result<()> {
    app.until("the last toast gone", Duration::from_secs(15), || async {
        Ok(!app.exists(&App::sel("toast")).await)
    })
    .await?;
    let tomorrow = creatorflow_e2e::today_in("Europe/Berlin")? + chrono::Days::new(1);
    app.open_composer_on(tomorrow).await?;
    app.el("composer-text").await?.send_keys(text).await?;
    app.wait_css(
        "[data-testid=\"composer-account\"]:checked",
        Duration::from_secs(5),
    )
    .await?;
    app.click("composer-post-now").await?;
    app.until("composer closed", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer")).await)
    })
    .await
}

/// Waits (at most a minute) until X in the sandbox has received `text`.
async fn arrival(sandbox: &str, text: &str) -> creatorflow_e2e::Result<()> {
    wait_for(
        "the post at the sandbox",
        Duration::from_secs(60),
        || async {
            let got = received(sandbox, "x").await;
            got.iter().any(|p| p["text"] == text).then_some(())
        },
    )
    .await
}
