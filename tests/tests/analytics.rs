//! Analytics as a creator lives it, in sandbox mode: connect X (the sign-in
//! comes back through xdg-open) and LinkedIn (its loopback listener), post
//! to both at once, move the emulators' clock on (the app's clock follows
//! the sandbox's in sandbox mode), and see each network's numbers in the
//! Analytics view, then the post's own numbers with a chart over two
//! snapshots. Screenshots of both.

use std::time::Duration;

use creatorflow_e2e::{App, SERIAL, Session, received, wait_for};
use serde_json::json;

const ZONE: &str = "Europe/Berlin";
const X_CREATOR: &str = "1500000000000000001";
const LINKEDIN_MEMBER: &str = "sbxCreator1";

#[tokio::test]
async fn post_to_two_networks_and_see_how_it_did() -> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let session = Session::start(ZONE).await?;
    let result = run(&session).await;
    session.end(result)
}

async fn run(session: &Session) -> creatorflow_e2e::Result<()> {
    let (mut app, sandbox) = session.launch("analytics").await?;
    app.click("nav-accounts").await?;

    // X: the browser hands the sign-in back to the OS.
    sandbox.approve_as(X_CREATOR).await?;
    app.click("connect-x").await?;
    app.click("connect-confirm").await?;
    app.el("connect-waiting").await?;
    let authorize = session.opened_url().await?;
    let deep_link = sandbox.redirect_of(&authorize).await?;
    creatorflow_e2e::hand_to_os(&deep_link).await?;
    let x = app
        .wait_css(&App::connected_card("x"), Duration::from_secs(20))
        .await?
        .attr("data-account-id")
        .await?
        .ok_or("X account id")?;
    app.until(
        "the connect dialog closed",
        Duration::from_secs(5),
        || async { Ok(!app.exists(&App::sel("connect-dialog")).await) },
    )
    .await?;

    // LinkedIn: the permissions explainer names the analytics scope.
    sandbox.approve_as(LINKEDIN_MEMBER).await?;
    app.click("connect-linkedin").await?;
    let dialog = app.el("connect-dialog").await?.text().await?;
    assert!(
        dialog.contains("r_member_postAnalytics"),
        "the analytics permission is explained: {dialog}"
    );
    app.click("connect-confirm").await?;
    app.el("connect-waiting").await?;
    let authorize = wait_for(
        "LinkedIn's authorize URL",
        Duration::from_secs(10),
        || async {
            session
                .opened_url()
                .await
                .ok()
                .filter(|u| u.contains("/linkedin/"))
        },
    )
    .await?;
    let back = sandbox.redirect_of(&authorize).await?;
    assert_eq!(reqwest::get(&back).await?.status(), 200);
    let linkedin = app
        .wait_css(&App::connected_card("linkedin"), Duration::from_secs(20))
        .await?
        .attr("data-account-id")
        .await?
        .ok_or("LinkedIn account id")?;
    app.until(
        "the connect dialog closed",
        Duration::from_secs(5),
        || async { Ok(!app.exists(&App::sel("connect-dialog")).await) },
    )
    .await?;

    // Before anything went out, the Analytics view says what to expect.
    app.until("the toasts gone", Duration::from_secs(15), || async {
        Ok(!app.exists(&App::sel("toast")).await)
    })
    .await?;
    app.click("nav-analytics").await?;
    app.el("analytics-empty").await?;

    // One post to both networks, now.
    let today = creatorflow_e2e::today_in(ZONE)?;
    let text = format!("How did this do? {}", chrono::Utc::now().timestamp());
    app.click("nav-calendar").await?;
    app.open_composer_on(today + chrono::Duration::days(1))
        .await?;
    app.el("composer-text").await?.send_keys(&text).await?;
    for id in [&x, &linkedin] {
        let css = format!("[data-testid=\"composer-account\"][data-account-id=\"{id}\"]");
        if !app.exists(&format!("{css}:checked")).await {
            app.wait_css(&css, Duration::from_secs(5))
                .await?
                .click()
                .await?;
        }
    }
    app.click("composer-post-now").await?;
    app.until("composer closed", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer")).await)
    })
    .await?;
    for network in ["x", "linkedin"] {
        wait_for(
            "the post at both networks",
            Duration::from_secs(60),
            || async {
                received(&sandbox.url, network)
                    .await
                    .iter()
                    .any(|p| p["text"] == text.as_str())
                    .then_some(())
            },
        )
        .await?;
    }

    // An hour and a bit later (the sandbox's clock, which the app follows):
    // the first numbers.
    sandbox
        .control("clock/advance", json!({"seconds": 3700}))
        .await?;
    app.click("nav-analytics").await?;
    app.until(
        "both networks' numbers in Analytics",
        Duration::from_secs(30),
        || async {
            Ok(app
                .exists("[data-testid=\"analytics-row\"][data-platform=\"x\"] [data-testid=\"analytics-cell\"][data-key=\"impressions\"]")
                .await
                && app
                    .exists("[data-testid=\"analytics-row\"][data-platform=\"linkedin\"] [data-testid=\"analytics-cell\"][data-key=\"impressions\"]")
                    .await)
        },
    )
    .await?;
    let x_impressions = app
        .wait_css(
            "[data-testid=\"analytics-row\"][data-platform=\"x\"] [data-testid=\"analytics-cell\"][data-key=\"impressions\"]",
            Duration::from_secs(5),
        )
        .await?
        .text()
        .await?;
    let first: u64 = digits(&x_impressions).ok_or("X impressions as a number")?;
    // X reports no views for a text post: absent, not zero.
    let x_views = app
        .wait_css(
            "[data-testid=\"analytics-row\"][data-platform=\"x\"] [data-testid=\"analytics-cell\"][data-key=\"reach\"]",
            Duration::from_secs(5),
        )
        .await?
        .text()
        .await?;
    assert!(
        x_views.contains('—'),
        "what X does not report is shown as missing: {x_views:?}"
    );
    app.el("analytics-chart").await?;
    app.el("analytics-budget").await?;
    app.shot("analytics-view").await?;

    // A day later, the second snapshot; the post shows both on its chart.
    sandbox
        .control("clock/advance", json!({"seconds": 24 * 3600}))
        .await?;
    app.until(
        "the 1-day numbers",
        Duration::from_secs(30),
        || async {
            let cell = app
                .wait_css(
                    "[data-testid=\"analytics-row\"][data-platform=\"x\"] [data-testid=\"analytics-cell\"][data-key=\"impressions\"]",
                    Duration::from_secs(2),
                )
                .await?;
            Ok(digits(&cell.text().await?).is_some_and(|n| n > first))
        },
    )
    .await?;
    app.wait_css(
        "[data-testid=\"analytics-row\"][data-platform=\"x\"] [data-testid=\"analytics-details\"]",
        Duration::from_secs(5),
    )
    .await?
    .click()
    .await?;
    app.wait_testid("post-metrics", Duration::from_secs(10))
        .await?;
    app.wait_css(
        "[data-testid=\"post-metric\"][data-platform=\"linkedin\"][data-key=\"likes\"]",
        Duration::from_secs(10),
    )
    .await?;
    app.el("post-metrics-chart").await?;
    app.until("the toasts gone", Duration::from_secs(15), || async {
        Ok(!app.exists(&App::sel("toast")).await)
    })
    .await?;
    app.script(
        "document.querySelector('[data-testid=\"post-metrics-chart\"]').scrollIntoView({block: 'end'}); return null;",
        vec![],
    )
    .await?;
    app.shot("post-metrics").await?;
    Ok(())
}

/// The number in a cell such as "1,234" or "1.234".
fn digits(s: &str) -> Option<u64> {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    d.parse().ok()
}
