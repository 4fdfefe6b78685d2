//! Settings → Media hosting in the real window, against a real S3-compatible
//! server (`s3s-fs` on 127.0.0.1, which scripts/test.sh installs): the
//! creator types the bucket's settings and keys, *Save and test* puts a file
//! there, downloads it and deletes it; the secret field is write-only ("Saved
//! in the keychain"); wrong keys are said in words; Remove forgets the host.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use creatorflow_e2e::{App, SERIAL, Session};

const ZONE: &str = "Europe/Berlin";
const ACCESS_KEY: &str = "cf-e2e-access";
const SECRET_KEY: &str = "cf-e2e-secret-7fQ2nV9kLm";

/// s3s-fs on a free port over a temp dir with one bucket; killed on drop.
struct S3Server {
    child: Child,
    port: u16,
    root: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3s_fs() -> creatorflow_e2e::Result<PathBuf> {
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

async fn start_s3() -> creatorflow_e2e::Result<S3Server> {
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
    creatorflow_e2e::wait_for("s3s-fs to listen", Duration::from_secs(10), || async {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()
            .map(|_| ())
    })
    .await?;
    Ok(server)
}

async fn type_into(app: &App, testid: &str, text: &str) -> creatorflow_e2e::Result<()> {
    app.el(testid).await?.send_keys(text).await?;
    Ok(())
}

async fn test_result(app: &App) -> creatorflow_e2e::Result<String> {
    Ok(app
        .el("settings-media-host-test-result")
        .await?
        .text()
        .await?)
}

/// Scrolls the test's result into view (for the screenshot).
async fn show_result(app: &App) -> creatorflow_e2e::Result<()> {
    app.script(
        "document.querySelector(arguments[0]).scrollIntoView({ block: 'end' })",
        vec![App::sel("settings-media-host-test-result").into()],
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn a_media_host_is_set_up_tested_and_removed_in_settings() -> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let s3 = start_s3().await?;
    let session = Session::start(ZONE).await?;
    let result = run(&session, &s3).await;
    session.end(result)
}

async fn run(session: &Session, s3: &S3Server) -> creatorflow_e2e::Result<()> {
    let (mut app, _sandbox) = session.launch("media-host").await?;
    app.click("nav-settings").await?;
    let state = app.el("settings-media-host-state").await?.text().await?;
    assert!(state.contains("Not set up"), "{state}");

    // Typed as a creator does; the storage-service picker fills in the rest.
    creatorflow_e2e::set_field(&app, "settings-media-host-provider", "minio").await?;
    type_into(
        &app,
        "settings-media-host-endpoint",
        &format!("http://127.0.0.1:{}", s3.port),
    )
    .await?;
    type_into(&app, "settings-media-host-bucket", "cf-media").await?;
    type_into(&app, "settings-media-host-access-key", ACCESS_KEY).await?;
    type_into(&app, "settings-media-host-secret", SECRET_KEY).await?;
    let region = app
        .el("settings-media-host-region")
        .await?
        .prop("value")
        .await?;
    assert_eq!(region.as_deref(), Some("us-east-1"));
    app.click("settings-media-host-test").await?;
    let passed = app
        .until("the test to pass", Duration::from_secs(20), || async {
            Ok(test_result(&app).await?.contains("Your media host works."))
        })
        .await;
    if let Err(e) = passed {
        let form = app.el("settings-media-host").await?.text().await?;
        return Err(format!("{e}; the section says: {form}").into());
    }
    let words = test_result(&app).await?;
    assert!(words.contains("Upload a test file"), "{words}");
    assert!(words.contains("Instagram's servers cannot"), "{words}");
    // Write-only: the field is empty again, and says a secret is saved.
    let secret = app
        .el("settings-media-host-secret")
        .await?
        .prop("value")
        .await?;
    assert_eq!(secret.as_deref(), Some(""));
    app.el("settings-media-host-secret-saved").await?;
    let page = app.script("return document.body.innerHTML", vec![]).await?;
    assert!(
        !page.to_string().contains(SECRET_KEY),
        "the secret is in the page"
    );
    show_result(&app).await?;
    app.shot("media-host-works").await?;

    // Wrong keys, said in words.
    type_into(&app, "settings-media-host-secret", "not-the-secret").await?;
    app.click("settings-media-host-test").await?;
    app.until("the refusal", Duration::from_secs(20), || async {
        Ok(test_result(&app).await?.contains("Access denied"))
    })
    .await?;
    show_result(&app).await?;
    app.shot("media-host-wrong-keys").await?;

    // Removed: nothing set up any more.
    app.click("settings-media-host-remove").await?;
    app.click("settings-media-host-remove-confirm").await?;
    app.until("the host removed", Duration::from_secs(20), || async {
        Ok(app
            .el("settings-media-host-state")
            .await?
            .text()
            .await?
            .contains("Not set up"))
    })
    .await?;
    assert!(
        std::fs::read_dir(s3.root.path().join("cf-media/creatorflow"))
            .map(|d| d.count())
            .unwrap_or(0)
            == 0,
        "no test file left in the bucket"
    );
    Ok(())
}
