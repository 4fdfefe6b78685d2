//! Typed settings, stored as one JSON document whose missing fields default.
//! Changes are saved as patches of the fields that changed, read and written
//! in one transaction, so two writers (Settings, the tray's Pause) never undo
//! each other.

use crate::error::{EngineError, ErrorCode, Result};
use crate::model::{Settings, SettingsPatch};
use crate::store::Store;

pub async fn load(store: &Store) -> Result<Settings> {
    let json: String = sqlx::query_scalar("SELECT json FROM settings WHERE id = 1")
        .fetch_one(store.pool())
        .await?;
    Ok(parse(&json))
}

fn parse(json: &str) -> Settings {
    // A document this version cannot read falls back to defaults rather than
    // locking the user out; it is overwritten on the next save.
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::warn!("settings unreadable, using defaults: {e}");
        Settings::default()
    })
}

fn check(settings: &Settings) -> Result<()> {
    if settings.catch_up_window_minutes > 7 * 24 * 60 {
        return Err(EngineError::invalid(
            ErrorCode::InvalidInput,
            "The catch-up window can be at most 7 days (10080 minutes).",
        ));
    }
    Ok(())
}

/// Applies `patch` to the stored settings and returns them as saved.
pub async fn update(store: &Store, patch: &SettingsPatch) -> Result<Settings> {
    let mut tx = store.write().await?;
    let json: String = sqlx::query_scalar("SELECT json FROM settings WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let mut settings = parse(&json);
    patch.apply(&mut settings);
    check(&settings)?;
    let json =
        serde_json::to_string(&settings).map_err(|e| EngineError::Internal(e.to_string()))?;
    sqlx::query("UPDATE settings SET json = ? WHERE id = 1")
        .bind(json)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(settings)
}
