//! The first vertical slice as a user lives it, in sandbox mode: connect an
//! X account (the test plays the browser: it follows the authorize URL the app
//! opened through $BROWSER and hands the deep link to the OS with xdg-open,
//! whose generic mode runs the desktop entry the app registered), schedule
//! posts, close the main
//! window, and see the sandbox receive the post once; then a permanent
//! failure shows up as an OS notification (dunst); clicking it brings the
//! window back with that post open. Afterwards no token value is in the
//! database or the logs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::{Duration as Span, Timelike, Utc};
use creatorflow_e2e::{App, SERIAL, Session, app_is_running, received, set_field, wait_for};

use serde_json::Value;

const ZONE: &str = "Europe/Berlin";

fn dunstctl(args: &[&str]) -> String {
    Command::new("dunstctl")
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// How many notifications dunst shows on screen now.
fn notifications_on_screen() -> u32 {
    dunstctl(&["count", "displayed"])
        .trim()
        .parse()
        .unwrap_or(0)
}

/// Closes what is on screen and returns dunst's history (JSON).
fn notification_history() -> String {
    let _ = Command::new("dunstctl").arg("close-all").status();
    dunstctl(&["history"])
}

/// Writes a post in the composer and schedules it to `account` at `at`.
async fn schedule(
    app: &App,
    account: &str,
    text: &str,
    at: chrono::DateTime<chrono_tz::Tz>,
) -> creatorflow_e2e::Result<()> {
    app.open_composer_on(at.date_naive()).await?;
    app.el("composer-text").await?.send_keys(text).await?;
    set_field(app, "composer-date", &at.format("%Y-%m-%d").to_string()).await?;
    set_field(app, "composer-time", &at.format("%H:%M").to_string()).await?;
    // The only account is picked for a new post.
    app.wait_css(
        &format!("[data-testid=\"composer-account\"][data-account-id=\"{account}\"]:checked"),
        Duration::from_secs(5),
    )
    .await?;
    app.until("an X counter", Duration::from_secs(5), || async {
        Ok(app
            .exists("[data-testid=\"composer-counter\"][data-platform=\"x\"]")
            .await)
    })
    .await?;
    app.click("composer-schedule").await?;
    app.until("composer closed", Duration::from_secs(10), || async {
        Ok(!app.exists(&App::sel("composer")).await)
    })
    .await?;
    Ok(())
}

/// Every keychain secret of the sandbox-mode service, read from outside the
/// app with secret-tool (the real Secret Service).
fn keychain_secrets() -> Vec<String> {
    let out = Command::new("secret-tool")
        .args([
            "search",
            "--all",
            "--unlock",
            "service",
            "app.creatorflow.desktop.sandbox",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut secrets = Vec::new();
    for line in out.lines() {
        if let Some(raw) = line.strip_prefix("secret = ")
            && let Ok(v) = serde_json::from_str::<Value>(raw)
        {
            for key in ["access_token", "refresh_token"] {
                if let Some(s) = v.get(key).and_then(Value::as_str) {
                    secrets.push(s.to_owned());
                }
            }
        }
    }
    secrets
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn connect_x_schedule_close_the_window_and_it_goes_out_once() -> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let session = Session::start(ZONE).await?;
    let result = run(&session).await;
    session.end(result)
}

async fn run(session: &Session) -> creatorflow_e2e::Result<()> {
    let (mut app, sandbox) = session.launch("publishing").await?;
    // The demo consent page would ask; the "user" approves as @sandbox_creator.
    sandbox.approve_as("1500000000000000001").await?;

    // Accounts → Connect X: the permissions are explained before the browser opens.
    app.click("nav-accounts").await?;
    app.click("connect-x").await?;
    let dialog = app.el("connect-dialog").await?.text().await?;
    assert!(dialog.contains("tweet.write"), "scopes shown: {dialog}");
    app.shot("connect-dialog").await?;
    app.click("connect-confirm").await?;
    app.el("connect-waiting").await?;
    let authorize = session.opened_url().await?;
    assert!(
        authorize.starts_with(&format!("{}/x/i/oauth2/authorize?", sandbox.url)),
        "{authorize}"
    );
    assert!(authorize.contains("code_challenge_method=S256"));
    // Should the browser not show up, the link is there to copy.
    let offered = app.el("connect-link").await?.prop("value").await?;
    assert_eq!(
        offered.as_deref(),
        Some(authorize.as_str()),
        "the link to copy"
    );
    app.el("connect-copy").await?;
    app.shot("connect-waiting").await?;

    // The browser: follow the authorize URL; the sandbox redirects to the deep link.
    let deep_link = sandbox.redirect_of(&authorize).await?;
    assert!(
        deep_link.starts_with("creatorflow://oauth/x?"),
        "{deep_link}"
    );
    // The browser hands the link to the OS: xdg-open (generic mode, as on a
    // machine without a desktop environment) runs the handler the app
    // registered, a second instance that passes the link to the running one.
    // (A build run from its folder registered its own entry; the installed
    // package brings one.)
    let entry = creatorflow_e2e::scheme_handler_entry("creatorflow")?;
    let exec = entry
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .ok_or("no Exec line")?;
    assert!(
        !exec.starts_with('"') && exec.ends_with(" %u"),
        "every opener can run the entry and gets the link: {exec}"
    );
    // A stray link with a state nobody issued is ignored: the sign-in waits on.
    let forged = format!(
        "creatorflow://oauth/x?code=forged&state=forged-{}",
        "0".repeat(20)
    );
    creatorflow_e2e::hand_to_os(&forged).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        app.exists(&App::sel("connect-waiting")).await,
        "a stray link must not end the sign-in in progress"
    );
    creatorflow_e2e::hand_to_os(&deep_link).await?;
    let card = app
        .wait_css(&App::connected_card("x"), Duration::from_secs(20))
        .await?;
    assert!(card.text().await?.contains("sandbox_creator"));
    let account = card.attr("data-account-id").await?.ok_or("account id")?;
    app.until(
        "the connect dialog closed",
        Duration::from_secs(5),
        || async { Ok(!app.exists(&App::sel("connect-dialog")).await) },
    )
    .await?;
    app.shot("account-connected").await?;

    // Two posts: A at the next minute (at least 25 s ahead), B a minute later.
    let tz: chrono_tz::Tz = ZONE.parse().map_err(|_| "zone")?;
    let now = Utc::now().with_timezone(&tz);
    let mut at_a = (now + Span::minutes(1))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .ok_or("time")?;
    if at_a - now < Span::seconds(25) {
        at_a += Span::minutes(1);
    }
    let at_b = at_a + Span::minutes(1);
    let stamp = Utc::now().timestamp();
    let text_a = format!("Hello from the CreatorFlow e2e test {stamp}");
    let text_b = format!("This one is refused by X {stamp}");
    schedule(&app, &account, &text_a, at_a).await?;
    schedule(&app, &account, &text_b, at_b).await?;
    app.shot("two-posts-scheduled").await?;

    // Close the main window as the user would (its close button): the app
    // keeps running in the tray.
    creatorflow_e2e::close_window_like_a_window_manager("CreatorFlow")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(app_is_running(), "closing the window must not quit the app");

    let got = wait_for(
        "the sandbox to receive post A",
        Duration::from_secs(150),
        || async {
            let r = received(&sandbox.url, "x").await;
            r.iter().any(|p| p["text"] == text_a.as_str()).then_some(r)
        },
    )
    .await?;
    let first_seen = Utc::now();
    let post = got
        .iter()
        .find(|p| p["text"] == text_a.as_str())
        .ok_or("post A")?;
    assert_eq!(post["account_id"], "1500000000000000001");
    let created: chrono::DateTime<Utc> =
        post["created_at"].as_str().ok_or("created_at")?.parse()?;
    assert!(
        created >= at_a.with_timezone(&Utc) - Span::seconds(1),
        "not before it was due: {created}"
    );

    // B will be refused for good: a 400 from X on its create call.
    sandbox
        .control(
            "faults",
            serde_json::json!({
                "method": "POST", "path": "/x/2/tweets", "count": 1,
                "fault": {"kind": "status", "status": 400}
            }),
        )
        .await?;
    wait_for(
        "a notification on screen",
        Duration::from_secs(150),
        || async { (notifications_on_screen() > 0).then_some(()) },
    )
    .await?;
    // Click it (its default action), the way a user would, while the window
    // is still closed.
    assert!(
        Command::new("dunstctl")
            .args(["action", "0"])
            .status()?
            .success(),
        "dunstctl action"
    );
    let history = notification_history();
    assert!(
        history.contains("Not published on X"),
        "the failure notification: {history}"
    );
    assert!(
        history.contains("sandbox_creator"),
        "the notification names the account: {history}"
    );

    // The click brings the window back with post B open in the composer.
    // The window was unmapped and is mapped again: until WebKit has it back,
    // a driver command may fail, so each try starts over from the handle.
    let shown = wait_for(
        "the window back with post B open in the composer (clicked post)",
        Duration::from_secs(30),
        || async {
            let window = app.client.windows().await.ok()?.into_iter().next()?;
            app.client.switch_to_window(window).await.ok()?;
            let value = app
                .script(
                    "const t = document.querySelector('[data-testid=\"composer-text\"]');\
                     return t ? t.value : null;",
                    vec![],
                )
                .await
                .ok()?;
            (value.as_str() == Some(text_b.as_str())).then_some(())
        },
    )
    .await;
    if shown.is_err() {
        app.shot("notification-click-no-post").await?;
    }
    shown?;
    app.shot("notification-opened-post").await?;

    // Exactly once, a minute later still; B never arrived.
    assert!(
        Utc::now() - first_seen > Span::seconds(30),
        "time passed since A arrived"
    );
    let all = received(&sandbox.url, "x").await;
    assert_eq!(
        all.iter().filter(|p| p["text"] == text_a.as_str()).count(),
        1,
        "post A exactly once"
    );
    assert_eq!(
        all.iter().filter(|p| p["text"] == text_b.as_str()).count(),
        0,
        "post B was refused"
    );

    // No token in the database, its WAL, or the logs.
    let secrets = keychain_secrets();
    assert!(
        !secrets.is_empty(),
        "the keychain holds the account's tokens"
    );
    for file in files_under(&session.data) {
        if file.file_name().is_some_and(|n| n == "sandbox-state.json") {
            continue; // the emulated platform's own server-side records
        }
        let bytes = std::fs::read(&file)?;
        for s in &secrets {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "a token is in {}",
                file.display()
            );
        }
    }
    Ok(())
}
