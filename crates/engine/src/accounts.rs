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
    pub email: Option<String>,
    pub scopes: Vec<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// When the sign-in ends unless the creator reconnects.
    pub reauth_by: Option<DateTime<Utc>>,
}

const ACCOUNT_SELECT: &str =
    "SELECT id, platform, platform_user_id, username, display_name, avatar_url, email, scopes,
        token_expires_at, status, status_reason, reauth_by, created_at FROM accounts";

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
        "INSERT INTO accounts (platform, platform_user_id, username, display_name, avatar_url, email,
                               scopes, token_expires_at, reauth_by, status, status_reason, created_at,
                               updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'connected', NULL, ?, ?)
         ON CONFLICT (platform, platform_user_id) DO UPDATE SET
             username = excluded.username, display_name = excluded.display_name,
             avatar_url = excluded.avatar_url, email = excluded.email, scopes = excluded.scopes,
             token_expires_at = excluded.token_expires_at, reauth_by = excluded.reauth_by,
             reminded_days = NULL, status = 'connected',
             status_reason = NULL, updated_at = excluded.updated_at
         RETURNING id",
    )
    .bind(profile.platform.as_str())
    .bind(&profile.platform_user_id)
    .bind(&profile.username)
    .bind(&profile.display_name)
    .bind(&profile.avatar_url)
    .bind(&profile.email)
    .bind(profile.scopes.join(" "))
    .bind(profile.token_expires_at.map(to_millis))
    .bind(profile.reauth_by.map(to_millis))
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

/// After a refresh: the new access token's expiry, and when the sign-in
/// ends (a renewal may move it; a reminder already sent for the old end is
/// forgotten when it moved).
pub async fn set_token_expiry(
    store: &Store,
    id: AccountId,
    expires_at: Option<DateTime<Utc>>,
    reauth_by: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    // Numbered throughout: sqlx counts a bare `?` after `?2` as the second
    // bare one, not as `?3`.
    let done = sqlx::query(
        "UPDATE accounts SET token_expires_at = ?1,
             reminded_days = CASE WHEN reauth_by IS ?2 THEN reminded_days ELSE NULL END,
             reauth_by = ?2, updated_at = ?3 WHERE id = ?4",
    )
    .bind(expires_at.map(to_millis))
    .bind(reauth_by.map(to_millis))
    .bind(to_millis(now))
    .bind(id)
    .execute(store.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(EngineError::NotFound { what: "account" });
    }
    Ok(())
}

/// A connected account whose sign-in ends within `days` days and that was
/// not reminded at that threshold (or a nearer one) yet.
#[derive(Debug, Clone)]
pub struct Lapsing {
    pub account: Account,
    pub reauth_by: DateTime<Utc>,
}

pub async fn lapsing_within(store: &Store, days: i64, now: DateTime<Utc>) -> Result<Vec<Lapsing>> {
    let horizon = now + chrono::Duration::days(days);
    let rows = sqlx::query(&format!(
        "{ACCOUNT_SELECT} WHERE status = 'connected' AND reauth_by IS NOT NULL AND reauth_by <= ?
           AND (reminded_days IS NULL OR reminded_days > ?) ORDER BY reauth_by"
    ))
    .bind(to_millis(horizon))
    .bind(days)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let account = from_row(r)?;
            let reauth_by = account.reauth_by.unwrap_or(now);
            Ok(Lapsing { account, reauth_by })
        })
        .collect()
}

pub async fn set_reminded(store: &Store, id: AccountId, days: i64) -> Result<()> {
    sqlx::query("UPDATE accounts SET reminded_days = ? WHERE id = ?")
        .bind(days)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Connected accounts whose sign-in has ended.
pub async fn lapsed(store: &Store, now: DateTime<Utc>) -> Result<Vec<Account>> {
    let rows = sqlx::query(&format!(
        "{ACCOUNT_SELECT} WHERE status = 'connected' AND reauth_by IS NOT NULL AND reauth_by <= ?"
    ))
    .bind(to_millis(now))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// The next moment an account reminder or lapse falls due, for the scheduler's timer.
pub async fn next_reminder(store: &Store) -> Result<Option<DateTime<Utc>>> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(CASE
                WHEN reminded_days IS NULL OR reminded_days > 7 THEN reauth_by - 7 * 86400000
                WHEN reminded_days > 1 THEN reauth_by - 86400000
                ELSE reauth_by END)
         FROM accounts WHERE status = 'connected' AND reauth_by IS NOT NULL",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(at.map(from_millis))
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
        email: r.get("email"),
        reauth_by: r.get::<Option<i64>, _>("reauth_by").map(from_millis),
        created_at: from_millis(r.get("created_at")),
        analytics_scopes_missing: Vec::new(),
    })
}
