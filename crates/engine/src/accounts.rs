//! Connected accounts. Tokens never come here: the vault keeps them in the
//! OS keychain under a key derived from the account id.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::error::{EngineError, Result};
use crate::model::{Account, AccountId, AccountStatus, Platform};
use crate::store::Store;
use crate::time::{from_millis, to_millis};

/// What a platform tells us about the account that just authorised us.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountProfile {
    pub platform: Platform,
    pub platform_user_id: String,
    pub username: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub scopes: Vec<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
}

const ACCOUNT_SELECT: &str =
    "SELECT id, platform, platform_user_id, username, display_name, avatar_url, scopes,
        token_expires_at, status, status_reason, created_at FROM accounts";

pub async fn list(store: &Store) -> Result<Vec<Account>> {
    let rows = sqlx::query(&format!(
        "{ACCOUNT_SELECT} WHERE status <> 'disconnected' ORDER BY platform, username"
    ))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(store: &Store, id: AccountId) -> Result<Account> {
    let row = sqlx::query(&format!("{ACCOUNT_SELECT} WHERE id = ?"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(EngineError::NotFound { what: "account" })?;
    from_row(&row)
}

/// Inserts the account, or refreshes its profile and marks it connected again
/// if it was connected before (reconnect keeps the id, so its post history and
/// keychain key stay the same).
pub async fn upsert(
    store: &Store,
    profile: &AccountProfile,
    now: DateTime<Utc>,
) -> Result<AccountId> {
    let now_ms = to_millis(now);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (platform, platform_user_id, username, display_name, avatar_url, scopes,
                               token_expires_at, status, status_reason, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'connected', NULL, ?, ?)
         ON CONFLICT (platform, platform_user_id) DO UPDATE SET
             username = excluded.username, display_name = excluded.display_name,
             avatar_url = excluded.avatar_url, scopes = excluded.scopes,
             token_expires_at = excluded.token_expires_at, status = 'connected',
             status_reason = NULL, updated_at = excluded.updated_at
         RETURNING id",
    )
    .bind(profile.platform.as_str())
    .bind(&profile.platform_user_id)
    .bind(&profile.username)
    .bind(&profile.display_name)
    .bind(&profile.avatar_url)
    .bind(profile.scopes.join(" "))
    .bind(profile.token_expires_at.map(to_millis))
    .bind(now_ms)
    .bind(now_ms)
    .fetch_one(store.pool())
    .await?;
    Ok(id)
}

pub async fn set_status(
    store: &Store,
    id: AccountId,
    status: AccountStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE accounts SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?",
    )
    .bind(status.as_str())
    .bind(reason)
    .bind(to_millis(now))
    .bind(id)
    .execute(store.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(EngineError::NotFound { what: "account" });
    }
    Ok(())
}

pub async fn set_token_expiry(
    store: &Store,
    id: AccountId,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("UPDATE accounts SET token_expires_at = ?, updated_at = ? WHERE id = ?")
        .bind(expires_at.map(to_millis))
        .bind(to_millis(now))
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

fn from_row(r: &SqliteRow) -> Result<Account> {
    let platform = Platform::parse(r.get("platform"))
        .ok_or_else(|| EngineError::Internal("unknown platform in accounts".into()))?;
    let status = AccountStatus::parse(r.get("status"))
        .ok_or_else(|| EngineError::Internal("unknown account status".into()))?;
    let scopes: String = r.get("scopes");
    Ok(Account {
        id: r.get("id"),
        platform,
        platform_user_id: r.get("platform_user_id"),
        username: r.get("username"),
        display_name: r.get("display_name"),
        avatar_url: r.get("avatar_url"),
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        token_expires_at: r.get::<Option<i64>, _>("token_expires_at").map(from_millis),
        status,
        status_reason: r.get("status_reason"),
        created_at: from_millis(r.get("created_at")),
    })
}
