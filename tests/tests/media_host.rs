//! Settings → Media hosting in the real window, against a real S3-compatible
//! server (`s3s-fs` on 127.0.0.1, which scripts/test.sh installs): the
//! creator types the bucket's settings and keys, *Save and test* puts a file
//! there, downloads it and deletes it; the secret field is write-only ("Saved
//! in the keychain"); wrong keys are said in words; Remove forgets the host.

use std::time::Duration;

use creatorflow_e2e::{App, S3Server, SECRET_KEY, SERIAL, Session, start_s3, type_media_host};

const ZONE: &str = "Europe/Berlin";
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
    type_media_host(&app, s3).await?;
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
