//! The SQLite store: one database file, WAL, foreign keys, a busy timeout, and
//! migrations built into the binary. A database written by a newer CreatorFlow
//! is refused before anything touches it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection as _, Sqlite, SqlitePool, Transaction};

use crate::error::{EngineError, Result};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The file name of the database inside the app data directory.
pub const DATABASE_FILE: &str = "creatorflow.db";

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema
    /// up to date. Refuses a database whose schema is newer than this binary.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            // A connection that is still inside a transaction once its
            // rollback has run is not reused. SQLite rolls a transaction back
            // by itself when the disk is full (SQLITE_FULL); sqlx's ROLLBACK
            // then fails and the connection would refuse every later
            // `BEGIN IMMEDIATE`, so saving would never work again.
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    if !conn.is_in_transaction() {
                        return Ok(true);
                    }
                    conn.ping().await?; // runs the queued rollback first
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(options)
            .await?;

        refuse_newer_schema(&pool).await?;
        MIGRATOR.run(&pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(found) => EngineError::NewerDatabase {
                found,
                supported: latest_known_version(),
            },
            other => EngineError::Migration(other),
        })?;

        Ok(Self {
            pool,
            path: path.to_owned(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A write transaction that takes the write lock up front (`BEGIN IMMEDIATE`),
    /// so concurrent writers wait on the busy timeout instead of failing with
    /// SQLITE_BUSY when a read transaction tries to upgrade.
    pub async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The schema version this database is at.
    pub async fn schema_version(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&self.pool)
        .await?)
    }
}

pub fn latest_known_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

async fn refuse_newer_schema(pool: &SqlitePool) -> Result<()> {
    let has_table: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await?;
    if !has_table {
        return Ok(());
    }
    let found: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await?;
    let supported = latest_known_version();
    if found > supported {
        return Err(EngineError::NewerDatabase { found, supported });
    }
    Ok(())
}
