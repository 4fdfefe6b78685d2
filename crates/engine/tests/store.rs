//! The store against a real SQLite file: migrations, constraints, zones across
//! DST, concurrent writers, and refusal of a newer database.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use creatorflow_engine::accounts::{self, AccountProfile};
use creatorflow_engine::time::{local_to_utc, parse_zone, utc_to_local};
use creatorflow_engine::{
    Clock, DeleteScope, Engine, EngineConfig, EngineError, ErrorCode, Platform, PostInput,
    PostState, RedirectChoice, RedirectKind, SaveIntent, SettingsPatch, TimeRange,
};
use sqlx::Row;

struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid instant")
}

async fn engine_at(dir: &tempfile::TempDir, now: DateTime<Utc>) -> Engine {
    Engine::open(EngineConfig::new(dir.path()).clock(Arc::new(TestClock(Mutex::new(now)))))
        .await
        .expect("open engine")
}

fn draft(text: &str, when: Option<DateTime<Utc>>) -> PostInput {
    PostInput {
        text: text.to_owned(),
        scheduled_at: when,
        zone: "Europe/Berlin".to_owned(),
        intent: SaveIntent::Draft,
        account_ids: vec![],
        media_ids: vec![],
        alt_texts: vec![],
        options: vec![],
    }
}

async fn count_posts(engine: &Engine) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(engine.store().pool())
        .await
        .expect("count")
}

#[tokio::test]
async fn migrations_build_the_whole_schema_from_an_empty_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir, Utc::now()).await;
    let pool = engine.store().pool();

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'
         AND name NOT LIKE 'sqlite%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    assert_eq!(
        tables,
        [
            "accounts",
            "attempts",
            "hosted_media",
            "limit_readings",
            "limit_sends",
            "media",
            "media_host",
            "metric_posts",
            "metric_reads",
            "metric_snapshots",
            "post_media",
            "post_targets",
            "posts",
            "settings"
        ]
    );

    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .expect("mode");
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .expect("fk");
    assert_eq!(fk, 1);
    let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(pool)
        .await
        .expect("bt");
    assert!(timeout >= 5000, "busy_timeout is {timeout} ms");

    // No column of the accounts table may hold a token.
    let columns: Vec<String> = sqlx::query("PRAGMA table_info(accounts)")
        .fetch_all(pool)
        .await
        .expect("columns")
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    assert!(columns.contains(&"token_expires_at".to_owned()));
    for c in &columns {
        assert!(
            c == "token_expires_at" || !(c.contains("token") || c.contains("secret")),
            "accounts has a secret-looking column {c}"
        );
    }
    // The media host's secret access key lives in the keychain only.
    let host_columns: Vec<String> = sqlx::query("PRAGMA table_info(media_host)")
        .fetch_all(pool)
        .await
        .expect("columns")
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    assert!(host_columns.contains(&"access_key_id".to_owned()));
    assert!(
        !host_columns.iter().any(|c| c.contains("secret")),
        "media_host has a secret-looking column: {host_columns:?}"
    );
    assert_eq!(
        engine.store().schema_version().await.expect("version"),
        creatorflow_engine::store::latest_known_version()
    );
    assert_eq!(
        engine.settings().await.expect("settings"),
        Default::default()
    );
}

#[tokio::test]
async fn constraints_reject_impossible_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir, Utc::now()).await;
    let pool = engine.store().pool();

    let scheduled_without_time = sqlx::query(
        "INSERT INTO posts (text, scheduled_at, zone, state, created_at, updated_at)
         VALUES ('x', NULL, 'UTC', 'scheduled', 0, 0)",
    )
    .execute(pool)
    .await;
    assert!(
        scheduled_without_time.is_err(),
        "a scheduled post needs a time"
    );

    let bad_state = sqlx::query(
        "INSERT INTO posts (text, zone, state, created_at, updated_at) VALUES ('x', 'UTC', 'sent', 0, 0)",
    )
    .execute(pool)
    .await;
    assert!(bad_state.is_err(), "unknown post state accepted");

    let post = engine
        .create_post(draft("hello", None))
        .await
        .expect("post");
    let orphan_target = sqlx::query(
        "INSERT INTO post_targets (post_id, account_id, updated_at) VALUES (?, 999, 0)",
    )
    .bind(post.id)
    .execute(pool)
    .await;
    assert!(
        orphan_target.is_err(),
        "foreign key to accounts not enforced"
    );

    let profile = AccountProfile {
        platform: Platform::X,
        platform_user_id: "42".into(),
        username: "creator".into(),
        display_name: "Creator".into(),
        avatar_url: None,
        email: None,
        scopes: vec!["tweet.write".into()],
        token_expires_at: None,
        reauth_by: None,
    };
    let first = accounts::upsert(engine.store(), &profile, Utc::now())
        .await
        .expect("account");
    let again = accounts::upsert(engine.store(), &profile, Utc::now())
        .await
        .expect("reconnect");
    assert_eq!(
        first, again,
        "reconnecting the same platform user keeps its id"
    );
    let duplicate = sqlx::query(
        "INSERT INTO accounts (platform, platform_user_id, username, created_at, updated_at)
         VALUES ('x', '42', 'dup', 0, 0)",
    )
    .execute(pool)
    .await;
    assert!(
        duplicate.is_err(),
        "UNIQUE(platform, platform_user_id) not enforced"
    );

    let bad_platform = sqlx::query(
        "INSERT INTO accounts (platform, platform_user_id, username, created_at, updated_at)
         VALUES ('myspace', '1', 'tom', 0, 0)",
    )
    .execute(pool)
    .await;
    assert!(bad_platform.is_err(), "unknown platform accepted");

    // A real target of the post, then JSON columns that are not JSON.
    sqlx::query("INSERT INTO post_targets (post_id, account_id, updated_at) VALUES (?, ?, 0)")
        .bind(post.id)
        .bind(first)
        .execute(pool)
        .await
        .expect("a valid target");
    for column in ["options", "checkpoint"] {
        let bad_json = sqlx::query(&format!(
            "UPDATE post_targets SET {column} = 'not json' WHERE post_id = ?"
        ))
        .bind(post.id)
        .execute(pool)
        .await;
        assert!(bad_json.is_err(), "{column} accepted text that is not JSON");
    }
    let scheduled_without_attempt_time = sqlx::query(
        "UPDATE post_targets SET status = 'scheduled', next_attempt_at = NULL WHERE post_id = ?",
    )
    .bind(post.id)
    .execute(pool)
    .await;
    assert!(
        scheduled_without_attempt_time.is_err(),
        "a scheduled target needs its next attempt time"
    );
}

#[tokio::test]
async fn nine_am_in_berlin_planned_before_dst_ends_is_nine_am_after() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Planned in summer time (CEST), for a day after the switch to CET.
    let engine = engine_at(&dir, at(2026, 10, 1, 12, 0)).await;
    let berlin = parse_zone("Europe/Berlin").expect("zone");
    let nine_am = NaiveDate::from_ymd_opt(2026, 11, 2)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("date");
    let instant = local_to_utc(nine_am, berlin);
    let created = engine
        .create_post(draft("DST check", Some(instant)))
        .await
        .expect("post");
    assert_eq!(
        created.scheduled_at,
        Some(at(2026, 11, 2, 8, 0)),
        "stored as UTC"
    );
    engine.store().close().await;
    drop(engine);

    // Reopen the file "after" the switch: the wall time is still 09:00.
    let engine = engine_at(&dir, at(2026, 10, 30, 12, 0)).await;
    let post = engine.post(created.id).await.expect("post");
    assert_eq!(post.zone, "Europe/Berlin");
    let stored = post.scheduled_at.expect("time");
    assert_eq!(utc_to_local(stored, berlin), nine_am);
    // The same instant seen from New York (still on EDT until Nov 1) is 03:00.
    let ny = parse_zone("America/New_York").expect("zone");
    assert_eq!(
        utc_to_local(stored, ny).format("%H:%M").to_string(),
        "03:00"
    );
}

#[tokio::test]
async fn range_query_is_half_open_and_ordered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir, at(2026, 1, 1, 0, 0)).await;
    let start = at(2026, 3, 1, 0, 0);
    let end = at(2026, 4, 1, 0, 0);
    for (text, when) in [
        ("before", start - Duration::milliseconds(1)),
        ("first", start),
        ("middle", at(2026, 3, 15, 12, 0)),
        ("last", end - Duration::milliseconds(1)),
        ("after", end),
    ] {
        engine
            .create_post(draft(text, Some(when)))
            .await
            .expect("post");
    }
    engine
        .create_post(draft("no time", None))
        .await
        .expect("draft");
    let got = engine
        .posts_in_range(TimeRange { start, end })
        .await
        .expect("range");
    let texts: Vec<&str> = got.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["first", "middle", "last"]);
    let drafts = engine.unscheduled_drafts().await.expect("drafts");
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].text, "no time");
    let empty = engine
        .posts_in_range(TimeRange {
            start: end,
            end: start,
        })
        .await;
    assert_eq!(
        empty.expect_err("reversed range").code(),
        ErrorCode::InvalidInput
    );
}

#[tokio::test]
async fn concurrent_writers_on_one_file_all_land() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = engine_at(&dir, Utc::now()).await;
    // A second engine = a second connection pool on the same file.
    let b = engine_at(&dir, Utc::now()).await;
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let engine = if worker % 2 == 0 {
            a.clone()
        } else {
            b.clone()
        };
        tasks.push(tokio::spawn(async move {
            for i in 0..50 {
                let post = engine
                    .create_post(draft(&format!("w{worker} #{i}"), None))
                    .await
                    .expect("concurrent create");
                engine
                    .reschedule_post(post.id, Some(Utc::now() + Duration::days(1)), "UTC")
                    .await
                    .expect("concurrent reschedule");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(count_posts(&a).await, 400);
    let timed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE scheduled_at IS NOT NULL")
            .fetch_one(b.store().pool())
            .await
            .expect("count");
    assert_eq!(timed, 400);
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("creatorflow.db");
    {
        let engine = engine_at(&dir, Utc::now()).await;
        engine
            .create_post(draft("keep me", None))
            .await
            .expect("post");
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
             VALUES (99990101000000, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
        )
        .execute(engine.store().pool())
        .await
        .expect("fake future migration");
        engine.store().close().await;
    }
    let err = Engine::open(EngineConfig::new(dir.path()))
        .await
        .err()
        .expect("newer database refused");
    assert!(
        matches!(
            err,
            EngineError::NewerDatabase {
                found: 99990101000000,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), ErrorCode::NewerDatabase);
    assert!(err.user_message().contains("newer version of CreatorFlow"));

    // Nothing was changed: the post is still there when read directly.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("raw open");
    let text: String = sqlx::query_scalar("SELECT text FROM posts")
        .fetch_one(&pool)
        .await
        .expect("post kept");
    assert_eq!(text, "keep me");
}

#[tokio::test]
async fn bad_input_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = at(2026, 6, 1, 12, 0);
    let engine = engine_at(&dir, now).await;

    let cases: Vec<(PostInput, ErrorCode)> = vec![
        (draft("   \n\t", None), ErrorCode::EmptyText),
        (draft(&"a".repeat(10_001), None), ErrorCode::TextTooLong),
        (
            PostInput {
                intent: SaveIntent::Schedule,
                ..draft("late", Some(now - Duration::hours(1)))
            },
            ErrorCode::TimeInPast,
        ),
        (
            PostInput {
                intent: SaveIntent::Schedule,
                ..draft("when?", None)
            },
            ErrorCode::MissingTime,
        ),
        (
            PostInput {
                intent: SaveIntent::Schedule,
                ..draft("to nobody", Some(now + Duration::hours(1)))
            },
            ErrorCode::NoTargets,
        ),
        (
            PostInput {
                zone: "Nowhere/Land".into(),
                ..draft("zone", None)
            },
            ErrorCode::InvalidZone,
        ),
    ];
    for (input, code) in cases {
        let err = engine
            .create_post(input)
            .await
            .expect_err("must be refused");
        assert_eq!(err.code(), code, "{err:?}");
        assert!(!err.user_message().is_empty());
    }
    // 10,000 characters (multi-byte) is still fine.
    engine
        .create_post(draft(&"é".repeat(10_000), None))
        .await
        .expect("at the limit");
    assert_eq!(count_posts(&engine).await, 1);

    let unknown = engine.post(4242).await.expect_err("unknown id");
    assert_eq!(unknown.code(), ErrorCode::NotFound);
    let unknown = engine
        .reschedule_post(4242, Some(now + Duration::hours(1)), "UTC")
        .await
        .expect_err("unknown id");
    assert_eq!(unknown.code(), ErrorCode::NotFound);
    assert_eq!(
        engine
            .delete_post(4242, DeleteScope::AppOnly)
            .await
            .expect_err("unknown")
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(count_posts(&engine).await, 1);
}

#[tokio::test]
async fn drag_to_another_day_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = at(2026, 6, 1, 12, 0);
    let engine = engine_at(&dir, now).await;
    let mut changes = engine.subscribe();
    let post = engine
        .create_post(draft("move me", Some(at(2026, 6, 3, 9, 0))))
        .await
        .expect("post");
    let moved = engine
        .reschedule_post(post.id, Some(at(2026, 6, 5, 14, 30)), "Europe/Berlin")
        .await
        .expect("moved");
    assert_eq!(moved.state, PostState::Draft);
    let first = changes.recv().await.expect("create event");
    let second = changes.recv().await.expect("move event");
    assert_eq!(first.ids, vec![post.id]);
    assert_eq!(second.ids, vec![post.id]);
    engine.store().close().await;
    drop(engine);

    let engine = engine_at(&dir, now).await;
    let again = engine.post(post.id).await.expect("still there");
    assert_eq!(again.scheduled_at, Some(at(2026, 6, 5, 14, 30)));
    assert_eq!(again.text, "move me");

    // Back to the drafts list, then delete.
    engine
        .reschedule_post(post.id, None, "Europe/Berlin")
        .await
        .expect("unschedule");
    assert_eq!(engine.unscheduled_drafts().await.expect("drafts").len(), 1);
    engine
        .delete_post(post.id, DeleteScope::AppOnly)
        .await
        .expect("delete");
    assert_eq!(count_posts(&engine).await, 0);
}

#[tokio::test]
async fn editing_a_post_starts_its_publish_over_but_moving_it_keeps_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = at(2026, 6, 1, 12, 0);
    let engine = engine_at(&dir, now).await;
    let account = accounts::upsert(
        engine.store(),
        &AccountProfile {
            platform: Platform::X,
            platform_user_id: "7".into(),
            username: "creator".into(),
            display_name: "Creator".into(),
            avatar_url: None,
            email: None,
            scopes: vec![],
            token_expires_at: None,
            reauth_by: None,
        },
        now,
    )
    .await
    .expect("account");
    let post = engine
        .create_post(PostInput {
            account_ids: vec![account],
            ..draft("first words", Some(at(2026, 6, 2, 9, 0)))
        })
        .await
        .expect("post");
    let progress = r#"{"version":1,"parts":["111"]}"#;
    let checkpoint = || async {
        sqlx::query_scalar::<_, String>("SELECT checkpoint FROM post_targets")
            .fetch_one(engine.store().pool())
            .await
            .expect("checkpoint")
    };
    sqlx::query("UPDATE post_targets SET checkpoint = ?")
        .bind(progress)
        .execute(engine.store().pool())
        .await
        .expect("set");
    engine
        .reschedule_post(post.id, Some(at(2026, 6, 3, 9, 0)), "UTC")
        .await
        .expect("move");
    assert_eq!(
        checkpoint().await,
        progress,
        "moving keeps what was already done"
    );
    engine
        .update_post(
            post.id,
            PostInput {
                account_ids: vec![account],
                ..draft("other words", Some(at(2026, 6, 3, 9, 0)))
            },
        )
        .await
        .expect("edit");
    assert_eq!(checkpoint().await, "{}", "new content is a new publish");
}

#[tokio::test]
async fn settings_round_trip_default_missing_fields_and_refuse_nonsense() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir, Utc::now()).await;
    let s = engine.settings().await.expect("defaults");
    assert_eq!(s.catch_up_window_minutes, 60);
    assert!(s.close_to_tray);
    let saved = engine
        .update_settings(SettingsPatch {
            catch_up_window_minutes: Some(15),
            publishing_paused: Some(true),
            ..SettingsPatch::default()
        })
        .await
        .expect("save");
    assert_eq!(saved.catch_up_window_minutes, 15);
    assert!(saved.publishing_paused);
    assert_eq!(engine.settings().await.expect("load"), saved);

    let err = engine
        .update_settings(SettingsPatch {
            catch_up_window_minutes: Some(7 * 24 * 60 + 1),
            ..SettingsPatch::default()
        })
        .await
        .expect_err("too long");
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(
        engine.settings().await.expect("load"),
        saved,
        "nothing written"
    );

    // An older document (fields missing) and a newer one (unknown fields) both load.
    sqlx::query("UPDATE settings SET json = '{\"publishingPaused\":true,\"fromTheFuture\":1}'")
        .execute(engine.store().pool())
        .await
        .expect("write");
    let loaded = engine.settings().await.expect("load");
    assert!(loaded.publishing_paused);
    assert_eq!(
        loaded.catch_up_window_minutes, 60,
        "missing field defaulted"
    );
}

#[tokio::test]
async fn two_writers_of_settings_do_not_undo_each_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir, Utc::now()).await;
    // Settings (a form open with an edited catch-up window) and the tray
    // (Pause) each save only what they changed.
    let form = SettingsPatch {
        catch_up_window_minutes: Some(30),
        ..SettingsPatch::default()
    };
    let tray = SettingsPatch {
        publishing_paused: Some(true),
        ..SettingsPatch::default()
    };
    engine
        .update_settings(tray)
        .await
        .expect("pause from the tray");
    engine.update_settings(form).await.expect("save the form");
    let s = engine.settings().await.expect("load");
    assert!(s.publishing_paused, "the later save kept the pause");
    assert_eq!(s.catch_up_window_minutes, 30);
    // Many at once, each a different field or network: all land.
    let mut tasks = Vec::new();
    for (i, platform) in Platform::ALL.into_iter().enumerate() {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            engine
                .update_settings(SettingsPatch {
                    redirect: Some(RedirectChoice {
                        platform,
                        kind: if i % 2 == 0 {
                            RedirectKind::Loopback
                        } else {
                            RedirectKind::DeepLink
                        },
                    }),
                    notify_on_success: (i == 0).then_some(true),
                    ..SettingsPatch::default()
                })
                .await
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("save");
    }
    let s = engine.settings().await.expect("load");
    assert_eq!(s.redirects.len(), 5, "{:?}", s.redirects);
    assert!(s.notify_on_success && s.publishing_paused);
}

/// A database written by the X-only version (schema 1) opens with its
/// posts, targets, history and settings carried over to typed options.
#[tokio::test]
async fn a_schema_1_database_is_migrated_with_nothing_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("creatorflow.db");
    {
        // Build schema 1 alone, the way the older version did.
        let only_first = dir.path().join("migrations-v1");
        std::fs::create_dir_all(&only_first).expect("dir");
        std::fs::write(
            only_first.join("0001_initial.sql"),
            include_str!("../migrations/0001_initial.sql"),
        )
        .expect("copy");
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options)
            .await
            .expect("open v1");
        sqlx::migrate::Migrator::new(only_first.as_path())
            .await
            .expect("migrator")
            .run(&pool)
            .await
            .expect("schema 1");
        for sql in [
            "INSERT INTO accounts (id, platform, platform_user_id, username, created_at, updated_at)
             VALUES (1, 'x', '42', 'creator', 0, 0), (2, 'linkedin', 'li-1', 'pro', 0, 0)",
            "INSERT INTO posts (id, text, scheduled_at, zone, state, created_at, updated_at)
             VALUES (1, 'a thread', 1000, 'UTC', 'scheduled', 0, 0), (2, 'live', 2000, 'UTC', 'scheduled', 0, 0)",
            r#"INSERT INTO post_targets (id, post_id, account_id, options, status, next_attempt_at, updated_at)
             VALUES (1, 1, 1, '{"text":"variant","thread":["two","three"]}', 'scheduled', 1000, 0),
                    (2, 1, 2, '{"text":null,"thread":[]}', 'scheduled', 1000, 0)"#,
            "INSERT INTO post_targets (id, post_id, account_id, status, remote_id, remote_url, published_at, updated_at)
             VALUES (3, 2, 1, 'published', '777', 'https://x.com/creator/status/777', 2000, 0)",
            "INSERT INTO attempts (target_id, started_at, finished_at, outcome, http_status)
             VALUES (3, 1900, 2000, 'published', NULL), (3, 1000, 1100, 'retry', 503)",
            r#"UPDATE settings SET json = '{"catchUpWindowMinutes":30,"xLoopbackRedirect":true}'"#,
        ] {
            sqlx::query(sql).execute(&pool).await.expect(sql);
        }
        pool.close().await;
    }

    let engine = engine_at(&dir, Utc::now()).await;
    assert_eq!(
        engine.store().schema_version().await.expect("version"),
        creatorflow_engine::store::latest_known_version()
    );
    let post = engine.post(1).await.expect("post 1");
    let x = post
        .targets
        .iter()
        .find(|t| t.account_id == 1)
        .expect("x target");
    assert_eq!(x.options.text.as_deref(), Some("variant"));
    assert_eq!(
        x.options.network,
        creatorflow_platforms::PlatformOptions::X(creatorflow_platforms::XOptions {
            thread: vec!["two".into(), "three".into()]
        })
    );
    assert_eq!(x.status, creatorflow_engine::TargetStatus::Scheduled);
    let li = post
        .targets
        .iter()
        .find(|t| t.account_id == 2)
        .expect("linkedin target");
    assert_eq!(li.options.network.platform(), Platform::Linkedin);
    let live = engine.post(2).await.expect("post 2");
    assert_eq!(
        live.targets[0].status,
        creatorflow_engine::TargetStatus::Published
    );
    assert_eq!(live.targets[0].remote_id.as_deref(), Some("777"));
    let history = creatorflow_engine::activity::attempts(engine.store(), 3)
        .await
        .expect("history");
    assert_eq!(history.len(), 2, "the attempts survived the rebuild");
    assert_eq!(history[1].outcome.as_deref(), Some("published"));
    // The history still follows its target: deleting the post takes it along.
    engine
        .delete_post(2, DeleteScope::AppOnly)
        .await
        .expect("delete");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attempts")
        .fetch_one(engine.store().pool())
        .await
        .expect("count");
    assert_eq!(left, 0, "attempts cascade with their target");
    let s = engine.settings().await.expect("settings");
    assert_eq!(s.catch_up_window_minutes, 30);
    assert_eq!(
        s.redirects.get(&Platform::X),
        Some(&RedirectKind::Loopback),
        "X's loopback switch became its redirect choice"
    );
    let fk_ok: Vec<(String,)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(engine.store().pool())
        .await
        .expect("fk check");
    assert!(fk_ok.is_empty(), "{fk_ok:?}");
}
