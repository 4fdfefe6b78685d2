//! The networks' limits on creating posts, respected before sending.
//!
//! Every publish the scheduler starts is written down (`limit_sends`) with
//! the posts it creates, and every time a network says where one of its
//! limits stands (X's headers, Instagram's publishing limit, a 429) that is
//! kept too (`limit_readings`). Before a publish starts, its account's (and
//! its app's) published limits are counted against both: a post that would
//! go past one waits for room, with the limit named in Activity, instead of
//! being sent to be refused. Only this module knows the two tables.

use chrono::{DateTime, Duration, Utc};
use creatorflow_platforms::{
    LimitReading, LimitScope, LimitWindow, Platform, PlatformError, PublishLimit,
};
use sqlx::{Row, SqliteConnection};

use crate::error::Result;
use crate::model::{AccountId, TargetId};
use crate::store::Store;
use crate::time::{from_millis, to_millis};

/// A publish that must wait: until when, and for which limit (in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wait {
    pub until: DateTime<Utc>,
    pub label: String,
    /// Whose limit: the account's, or the app's (all the network's accounts).
    pub scope: LimitScope,
}

/// The account a reading or send belongs to; the app's are kept under 0.
fn key(scope: LimitScope, account: AccountId) -> AccountId {
    match scope {
        LimitScope::Account => account,
        LimitScope::App => 0,
    }
}

/// A send written down by [`take_room`], to [`give_back`] if nothing was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Send(i64);

/// Takes room for a publish of `units` posts on `account`: if every limit
/// has it, the send is written down (it counts from now) and comes back;
/// else the wait the fullest limit asks for. One write transaction, so two
/// publishes never take the same last room.
pub(crate) async fn take_room(
    store: &Store,
    now: DateTime<Utc>,
    limits: &[PublishLimit],
    platform: Platform,
    account: AccountId,
    target: TargetId,
    units: u32,
) -> Result<std::result::Result<Send, Wait>> {
    let mut tx = store.write().await?;
    let mut waits = Vec::new();
    for limit in limits {
        waits.extend(wait_for_limit(&mut tx, limit, platform, account, units, now).await?);
    }
    waits.extend(wait_for_readings(&mut tx, platform, account, units, now).await?);
    if let Some(wait) = waits.into_iter().max_by_key(|w| w.until) {
        tx.commit().await?;
        return Ok(Err(wait));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO limit_sends (platform, account_id, target_id, units, sent_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(platform.as_str())
    .bind(account)
    .bind(target)
    .bind(i64::from(units))
    .bind(to_millis(now))
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(Send(id)))
}

/// The network answered that nothing was created: `send` no longer counts.
pub(crate) async fn give_back(store: &Store, send: Send) -> Result<()> {
    sqlx::query("DELETE FROM limit_sends WHERE id = ?")
        .bind(send.0)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Keeps what a network said about one of its limits.
pub(crate) async fn record_reading(
    store: &Store,
    now: DateTime<Utc>,
    platform: Platform,
    account: AccountId,
    reading: &LimitReading,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO limit_readings
           (platform, account_id, limit_id, label, remaining, resets_at, observed_at, after_send)
         VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM limit_sends))
         ON CONFLICT (platform, account_id, limit_id) DO UPDATE SET
           label = excluded.label, remaining = excluded.remaining,
           resets_at = excluded.resets_at, observed_at = excluded.observed_at,
           after_send = excluded.after_send",
    )
    .bind(platform.as_str())
    .bind(key(reading.scope, account))
    .bind(&reading.id)
    .bind(&reading.label)
    .bind(i64::from(reading.remaining))
    .bind(to_millis(reading.resets_at))
    .bind(to_millis(now))
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A network refused a publish for a limit (a 429 or its own words): no
/// more is sent for that account (or that app) until it said to come back.
pub(crate) async fn record_refusal(
    store: &Store,
    now: DateTime<Utc>,
    platform: Platform,
    account: AccountId,
    error: &PlatformError,
) -> Result<()> {
    let Some(until) = error.retry_at else {
        return Ok(());
    };
    let whose = match error.limit_scope {
        LimitScope::Account => "this account",
        LimitScope::App => "your app",
    };
    record_reading(
        store,
        now,
        platform,
        account,
        &LimitReading {
            id: "refused".into(),
            label: format!(
                "{}'s limit for {whose}, which it said is reached",
                platform.display_name()
            ),
            scope: error.limit_scope,
            remaining: 0,
            resets_at: until,
        },
    )
    .await
}

/// Forgets sends and readings too old to count against any limit.
pub(crate) async fn prune(store: &Store, now: DateTime<Utc>) -> Result<()> {
    let cutoff = to_millis(now - Duration::days(2));
    sqlx::query("DELETE FROM limit_sends WHERE sent_at < ?")
        .bind(cutoff)
        .execute(store.pool())
        .await?;
    sqlx::query("DELETE FROM limit_readings WHERE resets_at < ?")
        .bind(cutoff)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Where the window of `window` that counts at `now` starts.
fn window_start(window: LimitWindow, now: DateTime<Utc>) -> DateTime<Utc> {
    match window {
        LimitWindow::Rolling { secs } => now - Duration::seconds(secs),
        LimitWindow::DailyUtc => day_start(now, &Utc),
        LimitWindow::DailyPacific => day_start(now, &chrono_tz::America::Los_Angeles),
    }
}

/// Midnight of `now`'s day in `zone` (never skipped there: daylight saving
/// time moves at 02:00 or later in the zones used).
fn day_start<Z: chrono::TimeZone>(now: DateTime<Utc>, zone: &Z) -> DateTime<Utc> {
    let date = now.with_timezone(zone).date_naive();
    zone.from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now - Duration::days(1))
}

/// A published limit: the posts sent in its window plus this one must fit;
/// if not, the wait until enough of them have left the window.
async fn wait_for_limit(
    conn: &mut SqliteConnection,
    limit: &PublishLimit,
    platform: Platform,
    account: AccountId,
    units: u32,
    now: DateTime<Utc>,
) -> Result<Option<Wait>> {
    let start = window_start(limit.window, now);
    // A post larger than the whole limit goes when the window is empty.
    let units = i64::from(units.min(limit.max));
    let max = i64::from(limit.max);
    let (scope_sql, scope_id) = match limit.scope {
        LimitScope::Account => ("account_id = ?2", account),
        LimitScope::App => ("?2 IS NOT NULL", 0),
    };
    let used: i64 = sqlx::query_scalar(&format!(
        "SELECT COALESCE(SUM(units), 0) FROM limit_sends
         WHERE platform = ?1 AND {scope_sql} AND sent_at > ?3"
    ))
    .bind(platform.as_str())
    .bind(scope_id)
    .bind(to_millis(start))
    .fetch_one(&mut *conn)
    .await?;
    if used + units <= max {
        return Ok(None);
    }
    let until = match limit.window {
        LimitWindow::Rolling { secs } => {
            // The oldest sends leave the window first: wait until enough
            // have gone.
            let rows = sqlx::query(&format!(
                "SELECT units, sent_at FROM limit_sends
                 WHERE platform = ?1 AND {scope_sql} AND sent_at > ?3 ORDER BY sent_at"
            ))
            .bind(platform.as_str())
            .bind(scope_id)
            .bind(to_millis(start))
            .fetch_all(&mut *conn)
            .await?;
            let mut left = used;
            let mut until = now;
            for row in rows {
                left -= row.get::<i64, _>("units");
                until = from_millis(row.get("sent_at")) + Duration::seconds(secs);
                if left + units <= max {
                    break;
                }
            }
            until
        }
        // The next midnight: a day is 23 to 25 hours long, so 26 hours
        // after today's start is always within tomorrow.
        LimitWindow::DailyUtc | LimitWindow::DailyPacific => {
            window_start(limit.window, start + Duration::hours(26))
        }
    };
    Ok(Some(Wait {
        until: until + Duration::milliseconds(1),
        label: limit.label.clone(),
        scope: limit.scope,
    }))
}

/// What the network last said: room left then, minus what was sent after
/// it, must fit this post until the reading's reset.
async fn wait_for_readings(
    conn: &mut SqliteConnection,
    platform: Platform,
    account: AccountId,
    units: u32,
    now: DateTime<Utc>,
) -> Result<Vec<Wait>> {
    let rows = sqlx::query(
        "SELECT r.label, r.remaining, r.resets_at, r.account_id,
                (SELECT COALESCE(SUM(s.units), 0) FROM limit_sends s
                  WHERE s.platform = r.platform AND s.id > r.after_send
                    AND (r.account_id = 0 OR s.account_id = r.account_id)) AS sent_since
         FROM limit_readings r
         WHERE r.platform = ? AND r.account_id IN (?, 0) AND r.resets_at > ?",
    )
    .bind(platform.as_str())
    .bind(account)
    .bind(to_millis(now))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| {
            let left = r.get::<i64, _>("remaining") - r.get::<i64, _>("sent_since");
            left < i64::from(units)
        })
        .map(|r| Wait {
            until: from_millis(r.get("resets_at")),
            label: r.get("label"),
            scope: if r.get::<i64, _>("account_id") == 0 {
                LimitScope::App
            } else {
                LimitScope::Account
            },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, 0).single().expect("time")
    }

    fn limit(id: &'static str, scope: LimitScope, max: u32, window: LimitWindow) -> PublishLimit {
        PublishLimit {
            id,
            label: format!("the test's {id}"),
            scope,
            max,
            window,
        }
    }

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("limits.db"))
            .await
            .expect("store");
        (dir, store)
    }

    const X: Platform = Platform::X;

    /// What [`take_room`] asks the publish of `target` to wait for, if
    /// anything (the send is taken otherwise).
    async fn wait_at(
        store: &Store,
        now: DateTime<Utc>,
        limits: &[PublishLimit],
        platform: Platform,
        account: AccountId,
        target: TargetId,
        units: u32,
    ) -> Option<Wait> {
        take_room(store, now, limits, platform, account, target, units)
            .await
            .expect("room")
            .err()
    }

    #[tokio::test]
    async fn a_rolling_limit_holds_the_post_past_it_until_the_oldest_send_leaves() {
        let (_dir, store) = store().await;
        let limits = [limit(
            "m",
            LimitScope::Account,
            3,
            LimitWindow::Rolling { secs: 60 },
        )];
        let t0 = at(1_800_000_000);
        for (i, t) in [0, 10, 20].into_iter().enumerate() {
            let room = wait_at(
                &store,
                t0 + Duration::seconds(t),
                &limits,
                X,
                1,
                i as i64,
                1,
            )
            .await;
            assert_eq!(room, None, "send {i} fits");
        }
        let wait = wait_at(&store, t0 + Duration::seconds(30), &limits, X, 1, 9, 1)
            .await
            .expect("the fourth waits");
        assert_eq!(
            wait.until,
            t0 + Duration::seconds(60) + Duration::milliseconds(1)
        );
        assert_eq!(wait.scope, LimitScope::Account);
        assert_eq!(wait.label, "the test's m");
        // Another account has its own room; another network is not counted.
        assert_eq!(
            wait_at(&store, t0 + Duration::seconds(30), &limits, X, 2, 10, 1).await,
            None
        );
        assert_eq!(
            wait_at(
                &store,
                t0 + Duration::seconds(30),
                &limits,
                Platform::Linkedin,
                1,
                11,
                1
            )
            .await,
            None
        );
        // A thread of two needs the two oldest sends gone.
        let wait = wait_at(&store, t0 + Duration::seconds(30), &limits, X, 1, 12, 2)
            .await
            .expect("waits");
        assert_eq!(
            wait.until,
            t0 + Duration::seconds(70) + Duration::milliseconds(1)
        );
        // Once the oldest left, there is room again.
        assert_eq!(
            wait_at(
                &store,
                wait.until - Duration::seconds(10),
                &limits,
                X,
                1,
                9,
                1
            )
            .await,
            None
        );
    }

    #[tokio::test]
    async fn an_app_limit_counts_every_account_and_a_day_ends_at_its_zones_midnight() {
        let (_dir, store) = store().await;
        let limits = [limit("d", LimitScope::App, 2, LimitWindow::DailyPacific)];
        // 2026-11-01 is the day Los Angeles leaves daylight saving time: 25 hours.
        let now = Utc
            .with_ymd_and_hms(2026, 11, 1, 12, 0, 0)
            .single()
            .expect("t");
        assert_eq!(wait_at(&store, now, &limits, X, 1, 1, 1).await, None);
        assert_eq!(wait_at(&store, now, &limits, X, 2, 2, 1).await, None);
        let wait = wait_at(&store, now, &limits, X, 3, 3, 1)
            .await
            .expect("the app's room is used up");
        assert_eq!(wait.scope, LimitScope::App);
        assert_eq!(
            wait.until,
            Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
                .single()
                .expect("t")
                + Duration::milliseconds(1),
            "midnight in Los Angeles, standard time again"
        );
    }

    #[tokio::test]
    async fn a_send_answered_without_effect_is_given_back() {
        let (_dir, store) = store().await;
        let limits = [limit(
            "m",
            LimitScope::Account,
            1,
            LimitWindow::Rolling { secs: 900 },
        )];
        let now = at(1_800_000_000);
        let send = take_room(&store, now, &limits, X, 1, 5, 1)
            .await
            .expect("room")
            .expect("fits");
        assert!(wait_at(&store, now, &limits, X, 1, 6, 1).await.is_some());
        give_back(&store, send).await.expect("give back");
        assert_eq!(wait_at(&store, now, &limits, X, 1, 6, 1).await, None);
    }

    #[tokio::test]
    async fn what_the_network_said_counts_until_its_reset() {
        let (_dir, store) = store().await;
        let now = at(1_800_000_000);
        let reading = LimitReading {
            id: "window".into(),
            label: "X's limit of 5".into(),
            scope: LimitScope::Account,
            remaining: 1,
            resets_at: now + Duration::seconds(300),
        };
        record_reading(&store, now, X, 1, &reading)
            .await
            .expect("reading");
        assert_eq!(
            wait_at(&store, now, &[], X, 1, 1, 1).await,
            None,
            "one left"
        );
        let wait = wait_at(&store, now, &[], X, 1, 2, 1)
            .await
            .expect("none left after that");
        assert_eq!(
            (wait.until, wait.label.as_str()),
            (now + Duration::seconds(300), "X's limit of 5")
        );
        assert_eq!(
            wait_at(&store, now, &[], X, 2, 3, 1).await,
            None,
            "another account's room"
        );
        assert_eq!(
            wait_at(&store, now + Duration::seconds(301), &[], X, 1, 2, 1).await,
            None,
            "after the reset the reading no longer holds"
        );
        // A refusal of the app's limit holds every account of the network.
        let refused = PlatformError::new(
            creatorflow_platforms::ErrorKind::RateLimited,
            "capped",
            "capped",
        )
        .with_retry_at(now + Duration::seconds(600))
        .for_app();
        record_refusal(&store, now, X, 1, &refused)
            .await
            .expect("refusal");
        let wait = wait_at(&store, now, &[], X, 7, 4, 1)
            .await
            .expect("the app is refused");
        assert_eq!(
            (wait.until, wait.scope),
            (now + Duration::seconds(600), LimitScope::App)
        );
        assert!(wait.label.contains("your app"), "{}", wait.label);
    }

    #[test]
    fn daily_windows_start_at_midnight_in_their_zone() {
        // 2026-03-08 is the day Los Angeles moves to daylight saving time.
        let now = at(1_772_964_000); // 2026-03-08T10:00:00Z = 02:00 PST → 03:00 PDT
        assert_eq!(
            window_start(LimitWindow::DailyUtc, now),
            Utc.with_ymd_and_hms(2026, 3, 8, 0, 0, 0)
                .single()
                .expect("t")
        );
        assert_eq!(
            window_start(LimitWindow::DailyPacific, now),
            Utc.with_ymd_and_hms(2026, 3, 8, 8, 0, 0)
                .single()
                .expect("t")
        );
        assert_eq!(
            window_start(LimitWindow::Rolling { secs: 60 }, now),
            now - Duration::seconds(60)
        );
    }
}
