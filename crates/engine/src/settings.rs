//! Typed settings, stored as one JSON document whose missing fields default.

use crate::error::{EngineError, ErrorCode, Result};
use crate::model::Settings;
use crate::store::Store;

pub async fn load(store: &Store) -> Result<Settings> {
    let json: String = sqlx::query_scalar("SELECT json FROM settings WHERE id = 1")
        .fetch_one(store.pool())
        .await?;
    // A document this version cannot read falls back to defaults rather than
    // locking the user out; it is overwritten on the next save.
    Ok(serde_json::from_str(&json).unwrap_or_else(|e| {
        tracing::warn!("settings unreadable, using defaults: {e}");
        Settings::default()
    }))
}

pub async fn save(store: &Store, settings: &Settings) -> Result<()> {
    if settings.catch_up_window_minutes > 7 * 24 * 60 {
        return Err(EngineError::invalid(
            ErrorCode::InvalidInput,
            "The catch-up window can be at most 7 days (10080 minutes).",
        ));
    }
    let json = serde_json::to_string(settings).map_err(|e| EngineError::Internal(e.to_string()))?;
    sqlx::query("UPDATE settings SET json = ? WHERE id = 1")
        .bind(json)
        .execute(store.pool())
        .await?;
    Ok(())
}
