//! The Activity view: every target with its post, grouped by what the user
//! may need to do, and each target's attempt history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;
use sqlx::Row;

use crate::error::Result;
use crate::model::{AccountId, PostId, Target, TargetId, TargetStatus};
use crate::posts::{TARGET_COLUMNS, target_from_row};
use crate::store::Store;
use crate::time::{from_millis, to_millis};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityFilter {
    pub account_id: Option<AccountId>,
    pub statuses: Vec<TargetStatus>,
    /// Published targets older than this are left out (keeps the list short).
    pub published_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityItem {
    pub post_id: PostId,
    pub excerpt: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub zone: String,
    /// The post can still be edited (no account has it publishing,
    /// processing, published, unconfirmed or deleted).
    pub editable: bool,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AttemptRecord {
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub http_status: Option<i64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The network's own words.
    pub error_detail: Option<String>,
}

pub async fn list(store: &Store, filter: &ActivityFilter) -> Result<Vec<ActivityItem>> {
    let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    let locked: Vec<&str> = TargetStatus::LOCKED.iter().map(|s| s.as_str()).collect();
    let rows = sqlx::query(&format!(
        "SELECT {TARGET_COLUMNS}, p.text, p.scheduled_at, p.zone,
                NOT EXISTS (SELECT 1 FROM post_targets l WHERE l.post_id = t.post_id
                            AND l.status IN (SELECT value FROM json_each(?4))) AS editable
         FROM post_targets t JOIN accounts a ON a.id = t.account_id JOIN posts p ON p.id = t.post_id
         WHERE t.status <> 'draft'
           AND (?1 IS NULL OR t.account_id = ?1)
           AND (json_array_length(?2) = 0 OR t.status IN (SELECT value FROM json_each(?2)))
           AND (t.status NOT IN ('published', 'deleted') OR ?3 IS NULL
                OR COALESCE(t.deleted_at, t.published_at) >= ?3)
         ORDER BY COALESCE(t.next_attempt_at, t.published_at, p.scheduled_at, t.updated_at) DESC, t.id DESC
         LIMIT 500"
    ))
    .bind(filter.account_id)
    .bind(serde_json::to_string(&statuses).unwrap_or_else(|_| "[]".into()))
    .bind(filter.published_since.map(to_millis))
    .bind(serde_json::to_string(&locked).unwrap_or_else(|_| "[]".into()))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let text: String = r.get("text");
            Ok(ActivityItem {
                post_id: r.get("post_id"),
                excerpt: excerpt(&text, 120),
                scheduled_at: r.get::<Option<i64>, _>("scheduled_at").map(from_millis),
                zone: r.get("zone"),
                editable: r.get("editable"),
                target: target_from_row(r)?,
            })
        })
        .collect()
}

pub async fn attempts(store: &Store, target: TargetId) -> Result<Vec<AttemptRecord>> {
    let rows = sqlx::query(
        "SELECT started_at, finished_at, outcome, http_status, error_code, error_message, error_detail
         FROM attempts WHERE target_id = ? ORDER BY started_at, id",
    )
    .bind(target)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| AttemptRecord {
            started_at: from_millis(r.get("started_at")),
            finished_at: r.get::<Option<i64>, _>("finished_at").map(from_millis),
            outcome: r.get("outcome"),
            http_status: r.get("http_status"),
            error_code: r.get("error_code"),
            error_message: r.get("error_message"),
            error_detail: r.get("error_detail"),
        })
        .collect())
}

pub fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// What the tray menu shows.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QueueSummary {
    pub next_at: Option<DateTime<Utc>>,
    pub next_excerpt: Option<String>,
    /// Targets that need the user: failed, missed, unconfirmed, needs reconnect.
    pub needs_attention: i64,
}

pub async fn summary(store: &Store) -> Result<QueueSummary> {
    let next = sqlx::query(
        "SELECT t.next_attempt_at, p.text FROM post_targets t JOIN posts p ON p.id = t.post_id
         WHERE t.status IN ('scheduled', 'retrying') ORDER BY t.next_attempt_at LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await?;
    let needs_attention: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM post_targets WHERE status IN ('failed', 'missed', 'unconfirmed', 'needs_reauth')",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(QueueSummary {
        next_at: next
            .as_ref()
            .and_then(|r| r.get::<Option<i64>, _>("next_attempt_at"))
            .map(from_millis),
        next_excerpt: next.map(|r| excerpt(r.get::<&str, _>("text"), 40)),
        needs_attention,
    })
}
