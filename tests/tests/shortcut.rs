//! The quick-post shortcut as a creator sets it up: off at first; in
//! Settings they press Ctrl+Alt+P on the keyboard (real X key events, sent
//! with xdotool); from then on the same keys, pressed anywhere, open the
//! quick-post window; turning it off frees them.

use std::process::Command;
use std::time::{Duration, Instant};

use creatorflow_e2e::{SERIAL, Session};

const ZONE: &str = "Europe/Berlin";

fn xdotool(args: &[&str]) -> creatorflow_e2e::Result<String> {
    let out = Command::new("xdotool").args(args).output()?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The ids of visible windows whose title matches `pattern` (a regex).
fn visible(pattern: &str) -> creatorflow_e2e::Result<Vec<String>> {
    Ok(xdotool(&["search", "--onlyvisible", "--name", pattern])?
        .lines()
        .map(str::to_owned)
        .collect())
}

/// Presses `keys` as the X server delivers them: to the focused window, or
/// to whoever grabbed that combination.
fn press(keys: &str) -> creatorflow_e2e::Result<()> {
    xdotool(&["key", "--clearmodifiers", keys]).map(|_| ())
}

#[tokio::test]
async fn a_recorded_shortcut_opens_quick_post_from_anywhere() -> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let session = Session::start(ZONE).await?;
    let result = run(&session).await;
    session.end(result)
}

async fn run(session: &Session) -> creatorflow_e2e::Result<()> {
    let (mut app, _sandbox) = session.launch("shortcut").await?;
    app.click("nav-settings").await?;
    let current = app.el("settings-shortcut-current").await?.text().await?;
    assert_eq!(current.trim(), "Off", "off until the creator picks one");
    assert!(
        visible("^Quick post")?.is_empty(),
        "no quick-post window yet"
    );

    // Record: the window has the keyboard, the recorder waits, the keys are typed.
    let main = visible("^CreatorFlow$")?
        .pop()
        .ok_or("the main window is not on screen")?;
    xdotool(&["windowfocus", "--sync", &main])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.click("settings-shortcut-record").await?;
    app.until("the recorder waiting", Duration::from_secs(5), || async {
        Ok(app
            .el("settings-shortcut-record")
            .await?
            .text()
            .await?
            .contains("Press the keys"))
    })
    .await?;
    press("ctrl+alt+p")?;
    app.until("the shortcut saved", Duration::from_secs(10), || async {
        Ok(app
            .el("settings-shortcut-current")
            .await?
            .text()
            .await?
            .contains("Ctrl+Alt+P"))
    })
    .await?;
    app.shot("settings-shortcut").await?;

    // Pressed again, anywhere: the quick-post window opens.
    press("ctrl+alt+p")?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while visible("^Quick post")?.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the shortcut did not open Quick post"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Closed as a person closes it (the window is freed, not just hidden), so
    // nothing the app still does for the new window can bring it back.
    creatorflow_e2e::close_window_like_a_window_manager("Quick post — CreatorFlow")?;
    creatorflow_e2e::wait_for("Quick post closed", Duration::from_secs(10), || async {
        visible("^Quick post").ok().filter(|w| w.is_empty())
    })
    .await?;

    // Turned off, the keys are free again: nothing opens.
    app.click("settings-shortcut-off").await?;
    app.until("the shortcut off", Duration::from_secs(10), || async {
        Ok(app
            .el("settings-shortcut-current")
            .await?
            .text()
            .await?
            .trim()
            == "Off")
    })
    .await?;
    assert!(
        visible("^Quick post")?.is_empty(),
        "no quick-post window before the keys are pressed"
    );
    press("ctrl+alt+p")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        visible("^Quick post")?.is_empty(),
        "a shortcut turned off opens nothing"
    );
    Ok(())
}

/// "Start at login" writes a login entry that starts this very binary
/// (the installed one when run from the package), minimized to the tray.
#[tokio::test]
async fn start_at_login_starts_this_binary() -> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let session = Session::start(ZONE).await?;
    let result = login_entry(&session).await;
    session.end(result)
}

async fn login_entry(session: &Session) -> creatorflow_e2e::Result<()> {
    let (app, _sandbox) = session.launch("login").await?;
    // Where the autostart plugin writes (`~/.config/autostart`, whatever
    // XDG_CONFIG_HOME says).
    let autostart = session.home.join(".config/autostart");
    app.click("nav-settings").await?;
    app.click("settings-start-at-login").await?;
    app.click("settings-save").await?;
    let entry = creatorflow_e2e::wait_for("a login entry", Duration::from_secs(10), || async {
        std::fs::read_dir(&autostart)
            .ok()?
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "desktop"))
            .and_then(|e| std::fs::read_to_string(e.path()).ok())
    })
    .await?;
    let exec = entry
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .ok_or("no Exec line")?;
    let binary = creatorflow_e2e::app_binary();
    assert!(
        exec.contains(&*binary.to_string_lossy()) && exec.contains("--minimized"),
        "the login entry starts {}: {exec}",
        binary.display()
    );
    Ok(())
}
