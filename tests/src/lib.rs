//! Drives the real CreatorFlow binary over WebDriver: tauri-driver in front
//! of WebKitWebDriver, the app in the display, D-Bus session, keychain and
//! notification daemon that scripts/desktop-session.sh provides.
//!
//! The binary comes from `CF_APP_BINARY` (scripts/test.sh sets it after
//! building the app with its front end embedded), else from the cargo target
//! dir. Screenshots go to `CF_ARTIFACTS_DIR` (default: tests/artifacts).

pub mod soak;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The e2e tests share one display and one D-Bus session: one app at a time.
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("CF_APP_BINARY") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug/creatorflow")
}

pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("CF_ARTIFACTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts"));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Checks what the e2e tests need and says what is missing.
pub fn preflight() -> Result<()> {
    let bin = app_binary();
    if !bin.exists() {
        return Err(format!(
            "no app binary at {} (scripts/test.sh builds it; or set CF_APP_BINARY)",
            bin.display()
        )
        .into());
    }
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err("no display: run the e2e tests under scripts/desktop-session.sh".into());
    }
    if Command::new("tauri-driver")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        return Err("tauri-driver is not installed (cargo install tauri-driver --locked)".into());
    }
    Ok(())
}

/// Two distinct free ports (both are held until both are known, so the
/// second cannot be the first one handed out again).
fn free_ports() -> Result<(u16, u16)> {
    let a = std::net::TcpListener::bind("127.0.0.1:0")?;
    let b = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok((a.local_addr()?.port(), b.local_addr()?.port()))
}

/// tauri-driver, with the environment the app should get.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub async fn start(env: &[(&str, &str)]) -> Result<Self> {
        let (port, native) = free_ports()?;
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(match std::env::var_os("CF_DRIVER_LOG") {
            Some(p) => std::fs::File::create(p)
                .map(Stdio::from)
                .unwrap_or(Stdio::null()),
            None => Stdio::null(),
        });
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn()?;
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/status")).await
                && r.status().is_success()
            {
                return Ok(driver);
            }
            if Instant::now() > deadline {
                return Err("tauri-driver did not start".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One running app window.
pub struct App {
    pub client: Client,
    pub name: String,
    shots: u32,
}

impl App {
    pub async fn launch(driver: &Driver, name: &str, args: &[&str]) -> Result<Self> {
        let caps = json!({
            "tauri:options": { "application": app_binary(), "args": args },
            "browserName": "wry",
        });
        // A driver that never answers must fail the test, not hang the run.
        let client = tokio::time::timeout(
            Duration::from_secs(90),
            ClientBuilder::native()
                .capabilities(caps.as_object().cloned().unwrap_or_default())
                .connect(&format!("http://127.0.0.1:{}", driver.port)),
        )
        .await
        .map_err(|_| "the WebDriver session did not start within 90 s")??;
        let app = App {
            client,
            name: name.to_owned(),
            shots: 0,
        };
        app.wait_testid("app-shell", Duration::from_secs(30))
            .await?;
        Ok(app)
    }

    pub fn sel(testid: &str) -> String {
        format!("[data-testid=\"{testid}\"]")
    }

    /// The month view's cell of `date`.
    pub fn day_cell(date: chrono::NaiveDate) -> String {
        format!(
            "td.fc-daygrid-day[data-date=\"{}\"]",
            date.format("%Y-%m-%d")
        )
    }

    /// The card of a connected `platform` account.
    pub fn connected_card(platform: &str) -> String {
        format!(
            "[data-testid=\"account-card\"][data-platform=\"{platform}\"][data-status=\"connected\"]"
        )
    }

    /// Calendar, month view, a click on `date`'s day: the composer opens for a
    /// new post on that day.
    pub async fn open_composer_on(&self, date: chrono::NaiveDate) -> Result<()> {
        self.click("nav-calendar").await?;
        self.click("view-month").await?;
        self.wait_css(&Self::day_cell(date), Duration::from_secs(5))
            .await?
            .click()
            .await?;
        self.el("composer").await?;
        Ok(())
    }

    pub async fn wait_css(&self, css: &str, timeout: Duration) -> Result<Element> {
        Ok(self
            .client
            .wait()
            .at_most(timeout)
            .for_element(Locator::Css(css))
            .await?)
    }

    pub async fn wait_testid(&self, testid: &str, timeout: Duration) -> Result<Element> {
        self.wait_css(&Self::sel(testid), timeout).await
    }

    pub async fn el(&self, testid: &str) -> Result<Element> {
        self.wait_testid(testid, Duration::from_secs(10)).await
    }

    /// Clicks `testid` once it is enabled: buttons such as the composer's
    /// Schedule and Post now stay disabled until the post has been checked,
    /// and a click before that does nothing.
    pub async fn click(&self, testid: &str) -> Result<()> {
        self.wait_css(
            &format!("{}:not([disabled])", Self::sel(testid)),
            Duration::from_secs(10),
        )
        .await?
        .click()
        .await?;
        Ok(())
    }

    /// Waits until `check` holds, re-evaluating every 100 ms.
    pub async fn until<F, Fut>(&self, what: &str, timeout: Duration, mut check: F) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<bool>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            if check().await.unwrap_or(false) {
                return Ok(());
            }
            if Instant::now() > deadline {
                self.screenshot(&format!("timeout-{}", what.replace(' ', "-")))
                    .await
                    .ok();
                return Err(format!("timed out waiting for {what}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn script(
        &self,
        js: &str,
        args: Vec<serde_json::Value>,
    ) -> Result<serde_json::Value> {
        Ok(self.client.execute(js, args).await?)
    }

    /// Saves a PNG of the window as `<artifacts>/<app name>-NN-<label>.png`.
    pub async fn screenshot(&self, label: &str) -> Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let path = artifacts_dir().join(format!("{}-{label}.png", self.name));
        std::fs::write(&path, png)?;
        println!("screenshot: {}", path.display());
        Ok(path)
    }

    pub async fn shot(&mut self, label: &str) -> Result<PathBuf> {
        self.shots += 1;
        let label = format!("{:02}-{label}", self.shots);
        self.screenshot(&label).await
    }

    /// Ends the session; tauri-driver stops the app.
    pub async fn quit(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// Drags the element under `from` to the centre of `to` with real pointer
/// events, in small steps (FullCalendar needs intermediate moves).
pub async fn drag(app: &App, from: &Element, to: &Element) -> Result<()> {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
    let (fx, fy, fw, fh) = from.rectangle().await?;
    let (tx, ty, tw, th) = to.rectangle().await?;
    let (sx, sy) = (fx + fw / 2.0, fy + fh / 2.0);
    let (ex, ey) = (tx + tw / 2.0, ty + th / 2.0);
    let mut mouse = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveTo {
            duration: None,
            x: sx,
            y: sy,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(150),
        });
    for i in 1..=12 {
        let t = i as f64 / 12.0;
        mouse = mouse
            .then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(40)),
                x: sx + (ex - sx) * t,
                y: sy + (ey - sy) * t,
            })
            .then(PointerAction::Pause {
                duration: Duration::from_millis(30),
            });
    }
    mouse = mouse
        .then(PointerAction::Pause {
            duration: Duration::from_millis(150),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    app.client.perform_actions(mouse).await?;
    Ok(())
}

/// The X11 windows on the display, with their titles (`_NET_WM_NAME`, else
/// `WM_NAME`), as a window manager's title bars show them.
fn x11_windows() -> Result<(x11rb::rust_connection::RustConnection, Vec<(u32, String)>)> {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, Window};

    let (conn, screen) = x11rb::connect(None)?;
    let root = conn.setup().roots[screen].root;
    let atom =
        |name: &str| -> Result<u32> { Ok(conn.intern_atom(false, name.as_bytes())?.reply()?.atom) };
    let (net_name, utf8) = (atom("_NET_WM_NAME")?, atom("UTF8_STRING")?);
    let name_of = |w: Window| -> String {
        for (prop, ty) in [
            (net_name, utf8),
            (AtomEnum::WM_NAME.into(), AtomEnum::STRING.into()),
        ] {
            if let Ok(Ok(r)) = conn
                .get_property(false, w, prop, ty, 0, 1024)
                .map(|c| c.reply())
                && !r.value.is_empty()
            {
                return String::from_utf8_lossy(&r.value).into_owned();
            }
        }
        String::new()
    };
    let mut stack = vec![root];
    let mut out = Vec::new();
    while let Some(w) = stack.pop() {
        let name = name_of(w);
        if !name.is_empty() {
            out.push((w, name));
        }
        if let Ok(Ok(tree)) = conn.query_tree(w).map(|c| c.reply()) {
            stack.extend(tree.children);
        }
    }
    Ok((conn, out))
}

/// The titles of the windows on the display (what their title bars show).
pub fn window_titles() -> Result<Vec<String>> {
    Ok(x11_windows()?.1.into_iter().map(|(_, t)| t).collect())
}

/// A picture of the X11 window titled `title` as it is on screen, saved as
/// a PNG among the run's screenshots (for windows WebDriver does not drive,
/// such as the sign-in window).
pub fn window_screenshot(app: &str, label: &str, title: &str) -> Result<PathBuf> {
    use x11rb::protocol::xproto::{ConnectionExt, ImageFormat};

    let (conn, windows) = x11_windows()?;
    let window = windows
        .into_iter()
        .find(|(_, t)| t == title)
        .map(|(w, _)| w)
        .ok_or_else(|| format!("no window titled {title:?}"))?;
    let geometry = conn.get_geometry(window)?.reply()?;
    let (w, h) = (geometry.width, geometry.height);
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, window, 0, 0, w, h, !0)?
        .reply()?;
    // 24/32-bit ZPixmap: B, G, R, pad per pixel.
    let mut rgb = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for px in image.data.chunks_exact(4) {
        rgb.extend_from_slice(&[px[2], px[1], px[0]]);
    }
    let path = artifacts_dir().join(format!("{app}-{label}.png"));
    let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut encoder = png::Encoder::new(file, u32::from(w), u32::from(h));
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&rgb)?;
    println!("screenshot: {}", path.display());
    Ok(path)
}

/// Presses `keys` (xdotool names: `Tab`, `Return`) in the X11 window titled
/// `title`, the way a person at the keyboard would.
pub fn press_keys_in(title: &str, keys: &[&str]) -> Result<()> {
    let (_, windows) = x11_windows()?;
    let window = windows
        .into_iter()
        .find(|(_, t)| t == title)
        .map(|(w, _)| w.to_string())
        .ok_or_else(|| format!("no window titled {title:?}"))?;
    let run = |args: &[&str]| -> Result<()> {
        if Command::new("xdotool").args(args).status()?.success() {
            Ok(())
        } else {
            Err(format!("xdotool {args:?} failed").into())
        }
    };
    run(&["windowfocus", "--sync", &window])?;
    for key in keys {
        run(&["key", "--window", &window, key])?;
        std::thread::sleep(Duration::from_millis(150));
    }
    Ok(())
}

/// Asks the X11 window titled `title` to close, the way a window manager does
/// when the user clicks its close button (a WM_DELETE_WINDOW client message),
/// once it is on screen, and again if it is still there two seconds later:
/// without a window manager, GTK now and then drops the request for a window
/// that has just appeared, and a person would click again.
/// WebDriver's own "close window" ends the session and kills the app instead.
pub fn close_window_like_a_window_manager(title: &str) -> Result<()> {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt, EventMask, MapState};

    // The window titled `title` that is on screen, if one is.
    let on_screen = || -> Result<Option<(x11rb::rust_connection::RustConnection, u32)>> {
        let (conn, windows) = x11_windows()?;
        let found = windows
            .into_iter()
            .filter(|(_, t)| t == title)
            .find(|(w, _)| {
                conn.get_window_attributes(*w)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .is_some_and(|a| a.map_state == MapState::VIEWABLE)
            });
        Ok(found.map(|(w, _)| (conn, w)))
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut target = on_screen()?;
    while target.is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        target = on_screen()?;
    }
    let Some(mut target) = target else {
        return Err(format!("no window titled {title:?} on screen").into());
    };
    for _ in 0..3 {
        let (conn, window) = &target;
        let atom = |name: &str| -> Result<u32> {
            Ok(conn.intern_atom(false, name.as_bytes())?.reply()?.atom)
        };
        let (protocols, delete) = (atom("WM_PROTOCOLS")?, atom("WM_DELETE_WINDOW")?);
        let event = ClientMessageEvent::new(32, *window, protocols, [delete, 0, 0, 0, 0]);
        conn.send_event(false, *window, EventMask::NO_EVENT, event)?;
        conn.flush()?;
        let gone_by = Instant::now() + Duration::from_secs(2);
        loop {
            std::thread::sleep(Duration::from_millis(100));
            match on_screen()? {
                None => return Ok(()),
                Some(t) if Instant::now() > gone_by => {
                    target = t;
                    break;
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// A `$BROWSER` that opens nothing: it writes each URL the app asks to open to
/// `opened-urls.txt` in `dir` (the test plays the browser from there).
/// Returns the script and the log.
pub fn write_browser_script(dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    use std::os::unix::fs::PermissionsExt;
    let log = dir.join("opened-urls.txt");
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
    )?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    Ok((script, log))
}

/// Polls `f` every 250 ms until it gives a value.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The embedded sandbox's address, from the app's log.
pub fn sandbox_url(data_dir: &Path) -> Option<String> {
    let log = std::fs::read_to_string(data_dir.join("logs/creatorflow.log")).ok()?;
    log.lines()
        .rev()
        .find_map(|l| l.split("sandbox listening on ").nth(1))
        .map(|u| u.trim().trim_end_matches('/').to_owned())
}

/// What the sandbox's `platform` received (its control API).
pub async fn received(sandbox: &str, platform: &str) -> Vec<serde_json::Value> {
    let Ok(r) = reqwest::get(format!("{sandbox}/_sandbox/received?platform={platform}")).await
    else {
        return vec![];
    };
    r.json::<Vec<serde_json::Value>>().await.unwrap_or_default()
}

/// Sets a form field the way typing would (input and change events), for
/// date and time inputs.
pub async fn set_field(app: &App, testid: &str, value: &str) -> Result<()> {
    app.el(testid).await?;
    app.script(
        "const el = document.querySelector(arguments[0]);
         el.value = arguments[1];
         el.dispatchEvent(new Event('input', { bubbles: true }));
         el.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![
            serde_json::Value::from(App::sel(testid)),
            serde_json::Value::from(value),
        ],
    )
    .await?;
    Ok(())
}

/// Stops every running copy of the app binary (what a test started).
pub fn kill_app() {
    signal_app("TERM");
}

/// Stops the app when dropped, for a test that starts it without a
/// [`Session`]: one that panics still leaves no app behind for the next
/// test's launch to be handed to as a second instance.
pub struct StopsTheApp;

impl Drop for StopsTheApp {
    fn drop(&mut self) {
        kill_app();
    }
}

/// Sends `signal` (`TERM`, `KILL`) to every running copy of the app binary.
pub fn signal_app(signal: &str) {
    let Ok(bin) = app_binary().canonicalize() else {
        return;
    };
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if std::fs::read_link(e.path().join("exe")).is_ok_and(|x| x == bin) {
            let _ = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(e.file_name())
                .status();
        }
    }
}

/// The `creatorflow-sandbox` binary: `CF_SANDBOX_BINARY`, else the one built
/// beside the app.
pub fn sandbox_binary() -> PathBuf {
    std::env::var_os("CF_SANDBOX_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| app_binary().with_file_name("creatorflow-sandbox"))
}

/// Today's date in `zone` (the zone a test gives the app, which may be a
/// day ahead of or behind this process's own around midnight).
pub fn today_in(zone: &str) -> Result<chrono::NaiveDate> {
    let tz: chrono_tz::Tz = zone.parse().map_err(|_| format!("unknown zone {zone}"))?;
    Ok(chrono::Utc::now().with_timezone(&tz).date_naive())
}

/// A `creatorflow-sandbox` process (its emulators outlive the app), stopped
/// when dropped.
pub struct SandboxProcess {
    child: Child,
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub url: String,
}

impl SandboxProcess {
    /// Starts the sandbox binary on a free port, keeping its state in `state`.
    pub fn start(state: &Path) -> Result<Self> {
        use std::io::BufRead;
        let mut child = Command::new(sandbox_binary())
            .args(["--port", "0", "--state", &state.to_string_lossy()])
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut first = String::new();
        let read = std::io::BufReader::new(stdout).read_line(&mut first);
        let url = first
            .split("listening on ")
            .nth(1)
            .map(|u| u.trim().trim_end_matches('/').to_owned());
        match (read, url) {
            (Ok(_), Some(url)) => Ok(Self { child, url }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("the sandbox said {first:?}").into())
            }
        }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the app binary still runs (closing its window must not quit it).
pub fn app_is_running() -> bool {
    let Ok(bin) = app_binary().canonicalize() else {
        return false;
    };
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| std::fs::read_link(e.path().join("exe")).is_ok_and(|x| x == bin))
}

/// Prints the last lines of the app's log, for whoever reads a failure.
pub fn print_log_tail(data_dir: &Path) {
    let log = std::fs::read_to_string(data_dir.join("logs/creatorflow.log")).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(40).collect();
    println!("--- app log (last lines) ---");
    for line in tail.iter().rev() {
        println!("{line}");
    }
}

/// Answers the system's file picker the way a user at the keyboard would:
/// Ctrl+L opens its location field, the path is typed, Enter picks it.
pub fn pick_in_file_dialog(title: &str, path: &Path) -> Result<()> {
    let run = |args: &[&str]| -> Result<()> {
        let status = Command::new("xdotool").args(args).status()?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("xdotool {args:?} failed").into())
        }
    };
    // The picker's window, once it is on screen and takes the focus (GTK
    // maps it a moment after it exists).
    let deadline = Instant::now() + Duration::from_secs(20);
    let window = loop {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", title])
            .output()?;
        let found = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .map(str::to_owned);
        if let Some(w) = found {
            std::thread::sleep(Duration::from_millis(500));
            if run(&["windowfocus", "--sync", &w]).is_ok() {
                break w;
            }
        }
        if Instant::now() > deadline {
            return Err(format!("no file picker titled {title:?} to type into").into());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    run(&["key", "--window", &window, "ctrl+l"])?;
    std::thread::sleep(Duration::from_millis(300));
    run(&["type", "--delay", "15", &path.to_string_lossy()])?;
    std::thread::sleep(Duration::from_millis(300));
    run(&["key", "Return"])?;
    Ok(())
}

/// One end-to-end run of the real app in sandbox mode: a fresh data dir, a
/// `$BROWSER` that records what the app opens (the test plays the browser),
/// and the window driver, in the time zone `zone`.
pub struct Session {
    pub tmp: tempfile::TempDir,
    /// The app's `$HOME` (a throwaway one: what the app writes there, such
    /// as its login entry, stays out of the real one).
    pub home: PathBuf,
    pub data: PathBuf,
    pub data_dir: String,
    /// Where `$BROWSER` writes each URL the app opens.
    pub opened: PathBuf,
    pub driver: Driver,
}

impl Session {
    pub async fn start(zone: &str) -> Result<Self> {
        preflight()?;
        let tmp = tempfile::tempdir()?;
        let data = tmp.path().join("data");
        let data_dir = data.to_string_lossy().into_owned();
        let (browser, opened) = write_browser_script(tmp.path())?;
        let browser = browser.to_string_lossy().into_owned();
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home)?;
        let driver = Driver::start(&[
            ("TZ", zone),
            ("BROWSER", &browser),
            ("HOME", &home.to_string_lossy()),
        ])
        .await?;
        Ok(Self {
            tmp,
            home,
            data,
            data_dir,
            opened,
            driver,
        })
    }

    /// Launches the app in sandbox mode as `name` (screenshots are named
    /// after it) and finds its sandbox.
    pub async fn launch(&self, name: &str) -> Result<(App, Sandbox)> {
        let app = App::launch(
            &self.driver,
            name,
            &["--sandbox", "--data-dir", &self.data_dir],
        )
        .await?;
        app.el("sandbox-badge").await?;
        let url = wait_for(
            "the sandbox URL in the log",
            Duration::from_secs(10),
            || async { sandbox_url(&self.data) },
        )
        .await?;
        Ok((app, Sandbox::new(url)?))
    }

    /// The last URL the app opened in the "browser".
    pub async fn opened_url(&self) -> Result<String> {
        wait_for(
            "the browser to be opened",
            Duration::from_secs(10),
            || async {
                std::fs::read_to_string(&self.opened)
                    .ok()
                    .and_then(|s| s.lines().last().map(str::to_owned))
            },
        )
        .await
    }

    /// Ends the run: the app goes away; when it failed, the end of its log
    /// is printed.
    pub fn end<T>(self, result: Result<T>) -> Result<T> {
        kill_app();
        if result.is_err() {
            print_log_tail(&self.data);
        }
        result
    }
}

/// A test that panics never reaches `end`: its app still goes away, so the
/// next test's launch is not handed to it as a second instance.
impl Drop for Session {
    fn drop(&mut self) {
        kill_app();
    }
}

/// The app's embedded sandbox, as a test drives it.
pub struct Sandbox {
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// A client that does not follow redirects, as a test playing the
    /// browser needs.
    pub http: reqwest::Client,
}

impl Sandbox {
    pub fn new(url: String) -> Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { url, http })
    }

    /// `POST /_sandbox/<path>` with `body` (settings, consent, faults ...).
    pub async fn control(&self, path: &str, body: serde_json::Value) -> Result<()> {
        let remote = creatorflow_sandbox::Remote::new(url::Url::parse(&self.url)?);
        Ok(remote.control(path, &body).await?)
    }

    /// The next sign-in is approved at once, as `account`.
    pub async fn approve_as(&self, account: &str) -> Result<()> {
        self.control("consent", json!({"mode": "approve", "account_id": account}))
            .await
    }

    /// Plays the browser at an authorize URL: where the network sends it
    /// back (not followed).
    pub async fn redirect_of(&self, authorize: &str) -> Result<String> {
        Ok(self
            .http
            .get(authorize)
            .send()
            .await?
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or("no redirect from the authorize page")?
            .to_owned())
    }
}

/// Hands `url` to the OS the way a browser does for a link it does not
/// handle itself: `xdg-open`, here in its generic mode (no desktop
/// environment), which runs the scheme's default desktop entry.
pub fn xdg_open(url: &str) -> Result<()> {
    let out = Command::new("xdg-open")
        .arg(url)
        .env_remove("XDG_CURRENT_DESKTOP")
        .env_remove("DESKTOP_SESSION")
        .env_remove("KDE_FULL_SESSION")
        .env_remove("GNOME_DESKTOP_SESSION_ID")
        .env_remove("MATE_DESKTOP_SESSION_ID")
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "xdg-open {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(())
}

/// [`xdg_open`] off the async runtime, as the browser hands a link over.
pub async fn hand_to_os(url: &str) -> Result<()> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || xdg_open(&url).map_err(|e| e.to_string())).await??;
    Ok(())
}

/// The desktop entry the OS runs for `scheme://` links, as `xdg-mime` finds
/// it (user and system application folders).
pub fn scheme_handler_entry(scheme: &str) -> Result<String> {
    let out = Command::new("xdg-mime")
        .args(["query", "default", &format!("x-scheme-handler/{scheme}")])
        .output()?;
    let name = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if name.is_empty() {
        return Err(format!("no handler for {scheme}:// links").into());
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let user = std::env::var("XDG_DATA_HOME").unwrap_or_else(|_| format!("{home}/.local/share"));
    let system =
        std::env::var("XDG_DATA_DIRS").unwrap_or_else(|_| "/usr/local/share:/usr/share".to_owned());
    std::iter::once(user.as_str())
        .chain(system.split(':'))
        .map(|d| Path::new(d).join("applications").join(&name))
        .find_map(|p| std::fs::read_to_string(p).ok())
        .ok_or_else(|| format!("{name} is the handler but no such entry exists").into())
}

// ----- the creator's media host: a real S3-compatible server ---------------

pub const ACCESS_KEY: &str = "cf-e2e-access";
pub const SECRET_KEY: &str = "cf-e2e-secret-7fQ2nV9kLm";

/// s3s-fs on a free port over a temp dir with one bucket; killed on drop.
pub struct S3Server {
    child: Child,
    pub port: u16,
    pub root: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3s_fs() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("CF_S3S_FS") {
        return Ok(PathBuf::from(p));
    }
    let installed = std::env::var_os("CF_S3S_FS_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/creatorflow/s3s-fs")
        })
        .join("bin/s3s-fs");
    if installed.is_file() {
        return Ok(installed);
    }
    Err("s3s-fs is not installed: run scripts/test.sh (install_s3s_fs in scripts/lib.sh)".into())
}

pub async fn start_s3() -> Result<S3Server> {
    let root = tempfile::tempdir()?;
    std::fs::create_dir_all(root.path().join("cf-media"))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(s3s_fs()?)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
        .arg(root.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let server = S3Server { child, port, root };
    wait_for("s3s-fs to listen", Duration::from_secs(10), || async {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()
            .map(|_| ())
    })
    .await?;
    Ok(server)
}

/// Types the settings of `s3` into Settings → Media hosting as a creator
/// does (the storage-service picker fills in region and addressing).
pub async fn type_media_host(app: &App, s3: &S3Server) -> Result<()> {
    set_field(app, "settings-media-host-provider", "minio").await?;
    for (testid, text) in [
        (
            "settings-media-host-endpoint",
            format!("http://127.0.0.1:{}", s3.port),
        ),
        ("settings-media-host-bucket", "cf-media".to_owned()),
        ("settings-media-host-access-key", ACCESS_KEY.to_owned()),
        ("settings-media-host-secret", SECRET_KEY.to_owned()),
    ] {
        app.el(testid).await?.send_keys(&text).await?;
    }
    Ok(())
}
