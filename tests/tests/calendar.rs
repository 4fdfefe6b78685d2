//! The foundation as a user meets it: an empty calendar, a post written in a
//! slot, moved by dragging, and still there after a restart. Screenshots of
//! every view go to the artifacts folder.

use std::time::Duration;

use chrono::{Datelike, Duration as Days, NaiveDate};
use creatorflow_e2e::{App, Driver, SERIAL, drag, preflight, today_in};
use fantoccini::Locator;

const TEXT: &str = "E2E: launch day post";
/// The app's zone in this test.
const ZONE: &str = "Europe/Berlin";

async fn chip_in(app: &App, date: NaiveDate) -> bool {
    app.exists(&format!(
        "{} [data-testid=\"post-chip\"]",
        App::day_cell(date)
    ))
    .await
}

#[tokio::test]
async fn create_in_a_slot_drag_to_another_day_and_find_it_after_a_restart()
-> creatorflow_e2e::Result<()> {
    let _one_at_a_time = SERIAL.lock().await;
    let _stops_the_app = creatorflow_e2e::StopsTheApp;
    preflight()?;
    let data = tempfile::tempdir()?;
    let data_dir = data.path().to_str().ok_or("utf-8 path")?.to_owned();
    let driver = Driver::start(&[("TZ", ZONE)]).await?;
    let mut app = App::launch(&driver, "calendar", &["--data-dir", &data_dir]).await?;

    // First launch: the calendar, in the local zone, with an empty state.
    app.el("calendar").await?;
    app.el("calendar-empty").await?;
    let zone = app.el("timezone-label").await?.text().await?;
    assert!(zone.contains("Berlin"), "time zone shown: {zone}");
    app.shot("empty-month").await?;

    // Tomorrow at 10:00, in the day view.
    let tomorrow = today_in(ZONE)? + Days::days(1);
    app.click("view-day").await?;
    app.click("calendar-next").await?;
    let slot = app
        .wait_css(
            "td.fc-timegrid-slot-lane[data-time=\"10:00:00\"]",
            Duration::from_secs(5),
        )
        .await?;
    slot.click().await?;
    app.el("composer").await?;
    let date = app
        .el("composer-date")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    let time = app
        .el("composer-time")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert_eq!(
        date,
        tomorrow.format("%Y-%m-%d").to_string(),
        "composer opened on the clicked day"
    );
    assert!(
        time.starts_with("10:00"),
        "composer opened at the clicked time: {time}"
    );
    // Bad input first: an empty post is refused in words, nothing is saved.
    app.click("composer-save-draft").await?;
    let refusal = app.el("composer-error").await?.text().await?;
    assert!(
        refusal.contains("Write something"),
        "empty text refused: {refusal}"
    );
    assert!(
        !app.exists(&App::sel("post-chip")).await,
        "nothing was saved"
    );
    app.el("composer-text").await?.send_keys(TEXT).await?;
    let typed = app
        .el("composer-text")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert_eq!(typed, TEXT, "typing reached the text box");
    app.shot("composer").await?;
    app.click("composer-save-draft").await?;
    app.until("composer closed", Duration::from_secs(5), || async {
        Ok(!app.exists(&App::sel("composer")).await)
    })
    .await?;
    let chip = app.el("post-chip").await?;
    let chip_text = chip.prop("textContent").await?.unwrap_or_default();
    assert!(
        chip_text.contains("E2E"),
        "the chip shows the text: {chip_text:?}"
    );
    assert_eq!(chip.attr("data-status").await?.as_deref(), Some("draft"));
    assert!(
        !app.exists(&App::sel("calendar-empty")).await,
        "no empty state once a post exists"
    );
    app.shot("day-with-post").await?;

    // Month view: drag it to another day of the same week row.
    app.click("view-month").await?;
    if today_in(ZONE)?.month() != tomorrow.month() {
        app.click("calendar-next").await?;
    }
    app.until("chip on tomorrow", Duration::from_secs(5), || async {
        Ok(chip_in(&app, tomorrow).await)
    })
    .await?;
    let target = if tomorrow.weekday().num_days_from_monday() == 6 {
        tomorrow - Days::days(1)
    } else {
        tomorrow + Days::days(1)
    };
    let chip = app
        .wait_css(
            &format!("{} [data-testid=\"post-chip\"]", App::day_cell(tomorrow)),
            Duration::from_secs(5),
        )
        .await?;
    let cell = app
        .client
        .find(Locator::Css(&App::day_cell(target)))
        .await?;
    drag(&app, &chip, &cell).await?;
    app.until("chip on the new day", Duration::from_secs(5), || async {
        Ok(chip_in(&app, target).await && !chip_in(&app, tomorrow).await)
    })
    .await?;
    app.shot("month-after-drag").await?;
    for view in ["week", "list"] {
        app.click(&format!("view-{view}")).await?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        app.shot(&format!("{view}-view")).await?;
    }
    app.quit().await?;

    // Restart on the same data: the post is on the new day, still at 10:00.
    let mut app = App::launch(&driver, "calendar-restarted", &["--data-dir", &data_dir]).await?;
    app.click("view-month").await?;
    if today_in(ZONE)?.month() != target.month() {
        app.click("calendar-next").await?;
    }
    app.until(
        "chip survived the restart",
        Duration::from_secs(10),
        || async { Ok(chip_in(&app, target).await) },
    )
    .await?;
    app.shot("month-after-restart").await?;
    app.wait_css(
        &format!("{} [data-testid=\"post-chip\"]", App::day_cell(target)),
        Duration::from_secs(5),
    )
    .await?
    .click()
    .await?;
    app.el("composer").await?;
    let date = app
        .el("composer-date")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    let time = app
        .el("composer-time")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    let text = app
        .el("composer-text")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert_eq!(date, target.format("%Y-%m-%d").to_string());
    assert!(time.starts_with("10:00"), "{time}");
    assert_eq!(text, TEXT);
    app.quit().await?;
    Ok(())
}
