//! Posts: validation, storage and the calendar queries.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqliteConnection, Transaction};

use crate::error::{EngineError, ErrorCode, Result};
use crate::model::{
    AccountId, AccountStatus, MediaKind, MediaRef, Platform, Post, PostId, PostInput, PostState,
    PostStatus, SaveIntent, Target, TargetError, TargetOptions, TargetStatus, TimeRange,
};
use crate::store::Store;
use crate::targets::{self, PendingChange, Select, To};
use crate::time::{from_millis, parse_zone, to_millis};

/// The longest base text a post may have, in characters. Each platform's own
/// limit is checked per target on top of this.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// The longest alt text CreatorFlow keeps (each network's own limit is
/// checked per target).
pub const MAX_ALT_TEXT_CHARS: usize = 4_000;

/// A scheduled time this far in the past is still accepted (the composer was
/// open for a moment): it publishes at once.
pub const PAST_GRACE: Duration = Duration::seconds(60);

/// Checks what can be checked without the database.
pub fn validate_input(input: &PostInput, now: DateTime<Utc>) -> Result<()> {
    if input.text.trim().is_empty() && input.media_ids.is_empty() {
        return Err(EngineError::invalid(
            ErrorCode::EmptyText,
            "Write something (or attach media) before saving.",
        ));
    }
    let chars = input.text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(EngineError::invalid(
            ErrorCode::TextTooLong,
            format!(
                "This post is {chars} characters long; the most CreatorFlow accepts is {MAX_TEXT_CHARS}. Shorten it."
            ),
        ));
    }
    parse_zone(&input.zone)?;
    if input.intent != SaveIntent::Draft {
        let Some(at) = input.scheduled_at else {
            return Err(EngineError::invalid(
                ErrorCode::MissingTime,
                "Pick a date and time to schedule this post, or save it as a draft.",
            ));
        };
        check_not_past(at, now)?;
        if input.account_ids.is_empty() {
            return Err(EngineError::invalid(
                ErrorCode::NoTargets,
                "Pick at least one account to publish to, or save the post as a draft.",
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    if !input.account_ids.iter().all(|id| seen.insert(*id)) {
        return Err(EngineError::invalid(
            ErrorCode::InvalidInput,
            "The same account was picked twice.",
        ));
    }
    Ok(())
}

pub fn check_not_past(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    if at < now - PAST_GRACE {
        return Err(EngineError::invalid(
            ErrorCode::TimeInPast,
            "That time has already passed. Pick a time in the future, or use Post now.",
        ));
    }
    Ok(())
}

/// Creates a post and its targets in one transaction.
pub async fn create(store: &Store, input: &PostInput, now: DateTime<Utc>) -> Result<PostId> {
    validate_input(input, now)?;
    let mut tx = store.write().await?;
    let platforms = check_accounts(&mut tx, &input.account_ids, input.intent).await?;
    check_media(&mut tx, &input.media_ids).await?;
    let state = post_state(input.intent);
    let now_ms = to_millis(now);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO posts (text, scheduled_at, zone, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&input.text)
    .bind(input.scheduled_at.map(to_millis))
    .bind(&input.zone)
    .bind(state.as_str())
    .bind(now_ms)
    .bind(now_ms)
    .fetch_one(&mut *tx)
    .await?;
    write_targets(&mut tx, id, input, &platforms, now).await?;
    write_media(&mut tx, id, input).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a post's content, time, targets and media.
pub async fn update(
    store: &Store,
    id: PostId,
    input: &PostInput,
    now: DateTime<Utc>,
) -> Result<()> {
    validate_input(input, now)?;
    let mut tx = store.write().await?;
    ensure_exists(&mut tx, id).await?;
    ensure_not_locked(&mut tx, id, "edited").await?;
    let platforms = check_accounts(&mut tx, &input.account_ids, input.intent).await?;
    check_media(&mut tx, &input.media_ids).await?;
    let now_ms = to_millis(now);
    sqlx::query("UPDATE posts SET text = ?, scheduled_at = ?, zone = ?, state = ?, updated_at = ? WHERE id = ?")
        .bind(&input.text)
        .bind(input.scheduled_at.map(to_millis))
        .bind(&input.zone)
        .bind(post_state(input.intent).as_str())
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    write_targets(&mut tx, id, input, &platforms, now).await?;
    sqlx::query("DELETE FROM post_media WHERE post_id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    write_media(&mut tx, id, input).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a post to another instant (drag and drop), or takes its time away
/// (`None`: back to the unscheduled drafts). Targets that were waiting,
/// missed or failed are scheduled again for the new time.
pub(crate) async fn reschedule(
    store: &Store,
    id: PostId,
    at: Option<DateTime<Utc>>,
    zone: &str,
    now: DateTime<Utc>,
) -> Result<PendingChange> {
    parse_zone(zone)?;
    let mut tx = store.write().await?;
    let state = ensure_exists(&mut tx, id).await?;
    ensure_not_locked(&mut tx, id, "moved").await?;
    let state = match (state, at) {
        (PostState::Scheduled, None) => PostState::Draft,
        (state, _) => state,
    };
    if let (PostState::Scheduled, Some(at)) = (state, at) {
        check_not_past(at, now)?;
    }
    let now_ms = to_millis(now);
    sqlx::query(
        "UPDATE posts SET scheduled_at = ?, zone = ?, state = ?, updated_at = ? WHERE id = ?",
    )
    .bind(at.map(to_millis))
    .bind(zone)
    .bind(state.as_str())
    .bind(now_ms)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let moved = match (state, at) {
        (PostState::Scheduled, Some(at)) => {
            targets::apply_in(
                &mut tx,
                &Select::post(id),
                &[
                    TargetStatus::Scheduled,
                    TargetStatus::Retrying,
                    TargetStatus::Missed,
                    TargetStatus::Failed,
                    TargetStatus::NeedsReauth,
                    TargetStatus::Draft,
                ],
                &To::Scheduled { at },
                now,
            )
            .await?
        }
        _ => {
            targets::apply_in(
                &mut tx,
                &Select::post(id),
                &[
                    TargetStatus::Scheduled,
                    TargetStatus::Retrying,
                    TargetStatus::Missed,
                ],
                &To::Draft,
                now,
            )
            .await?
        }
    };
    tx.commit().await?;
    Ok(moved)
}

pub async fn delete(store: &Store, id: PostId) -> Result<()> {
    let mut tx = store.write().await?;
    ensure_exists(&mut tx, id).await?;
    let publishing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM post_targets WHERE post_id = ? AND status IN ('publishing', 'processing')",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if publishing > 0 {
        return Err(EngineError::Conflict(
            "This post is being published right now (or the network is still processing it). Wait until it finishes, then delete it."
                .to_owned(),
        ));
    }
    sqlx::query("DELETE FROM posts WHERE id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get(store: &Store, id: PostId) -> Result<Post> {
    let rows = sqlx::query(&format!("{POST_SELECT} WHERE p.id = ?"))
        .bind(id)
        .fetch_all(store.pool())
        .await?;
    assemble(store, rows)
        .await?
        .pop()
        .ok_or(EngineError::NotFound { what: "post" })
}

/// Posts whose time falls in `range`, oldest first: the calendar's query.
pub async fn in_range(store: &Store, range: TimeRange) -> Result<Vec<Post>> {
    if range.end <= range.start {
        return Err(EngineError::invalid(
            ErrorCode::InvalidInput,
            "The end of the range must be after its start.",
        ));
    }
    let rows = sqlx::query(&format!(
        "{POST_SELECT} WHERE p.scheduled_at >= ? AND p.scheduled_at < ? ORDER BY p.scheduled_at, p.id"
    ))
    .bind(to_millis(range.start))
    .bind(to_millis(range.end))
    .fetch_all(store.pool())
    .await?;
    assemble(store, rows).await
}

/// How many posts there are (drafts included): the calendar's empty state.
pub async fn count(store: &Store) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(store.pool())
        .await?)
}

/// Drafts that have no time yet, newest first.
pub async fn unscheduled(store: &Store) -> Result<Vec<Post>> {
    let rows = sqlx::query(&format!(
        "{POST_SELECT} WHERE p.scheduled_at IS NULL ORDER BY p.updated_at DESC, p.id DESC"
    ))
    .fetch_all(store.pool())
    .await?;
    assemble(store, rows).await
}

const POST_SELECT: &str =
    "SELECT p.id, p.text, p.scheduled_at, p.zone, p.state, p.created_at, p.updated_at FROM posts p";

fn post_state(intent: SaveIntent) -> PostState {
    match intent {
        SaveIntent::Draft => PostState::Draft,
        SaveIntent::Schedule | SaveIntent::PublishNow => PostState::Scheduled,
    }
}

const MEDIA_COLUMNS: &str = "m.id, m.path, m.mime, m.size, m.sha256, m.width, m.height, m.duration_ms, m.codec, m.original_name";

fn media_file(media_dir: &std::path::Path, m: &SqliteRow) -> creatorflow_platforms::MediaFile {
    creatorflow_platforms::MediaFile {
        path: media_dir.join(m.get::<&str, _>("path")),
        name: m.get("original_name"),
        mime: m.get("mime"),
        size: m.get::<i64, _>("size") as u64,
        sha256: m.get("sha256"),
        width: m.get::<Option<i64>, _>("width").map(|w| w as u32),
        height: m.get::<Option<i64>, _>("height").map(|h| h as u32),
        duration_ms: m.get::<Option<i64>, _>("duration_ms").map(|d| d as u64),
        codec: m.get("codec"),
        alt_text: m.try_get("alt_text").ok().flatten(),
    }
}

/// The files behind media ids, in that order, for validation and publishing.
pub async fn media_files(
    store: &Store,
    media_dir: &std::path::Path,
    ids: &[i64],
) -> Result<Vec<creatorflow_platforms::MediaFile>> {
    let rows = sqlx::query(&format!(
        "SELECT {MEDIA_COLUMNS} FROM media m WHERE m.id IN (SELECT value FROM json_each(?))"
    ))
    .bind(serde_json::to_string(ids).map_err(|e| EngineError::Internal(e.to_string()))?)
    .fetch_all(store.pool())
    .await?;
    ids.iter()
        .map(|id| {
            rows.iter()
                .find(|r| r.get::<i64, _>("id") == *id)
                .map(|r| media_file(media_dir, r))
                .ok_or(EngineError::NotFound { what: "media file" })
        })
        .collect()
}

/// A post's media files in the post's order.
pub async fn post_media_files(
    store: &Store,
    media_dir: &std::path::Path,
    post: PostId,
) -> Result<Vec<creatorflow_platforms::MediaFile>> {
    let rows = sqlx::query(&format!(
        "SELECT {MEDIA_COLUMNS}, pm.alt_text FROM post_media pm JOIN media m ON m.id = pm.media_id
         WHERE pm.post_id = ? ORDER BY pm.position"
    ))
    .bind(post)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| media_file(media_dir, r)).collect())
}

/// A target's stored options; ones an older or damaged row cannot give
/// become the network's defaults.
pub fn parse_options(json: &str, platform: Platform) -> TargetOptions {
    match serde_json::from_str::<TargetOptions>(json) {
        Ok(o) if o.network.platform() == platform => o,
        _ => TargetOptions::default_for(platform),
    }
}

async fn ensure_exists(tx: &mut Transaction<'static, Sqlite>, id: PostId) -> Result<PostState> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM posts WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    state
        .and_then(|s| PostState::parse(&s))
        .ok_or(EngineError::NotFound { what: "post" })
}

async fn ensure_not_locked(
    tx: &mut Transaction<'static, Sqlite>,
    id: PostId,
    verb: &str,
) -> Result<()> {
    let locked: Vec<String> = sqlx::query_scalar(
        "SELECT status FROM post_targets WHERE post_id = ?
           AND status IN (SELECT value FROM json_each(?))",
    )
    .bind(id)
    .bind(
        serde_json::to_string(&TargetStatus::LOCKED.map(TargetStatus::as_str))
            .map_err(|e| EngineError::Internal(e.to_string()))?,
    )
    .fetch_all(&mut **tx)
    .await?;
    let busy = |s: &&String| s.as_str() == "publishing" || s.as_str() == "processing";
    match locked
        .iter()
        .find(busy)
        .or(locked.first())
        .map(String::as_str)
    {
        None => Ok(()),
        Some("publishing" | "processing") => Err(EngineError::Conflict(format!(
            "This post is being published right now, so it can't be {verb}."
        ))),
        Some(_) => Err(EngineError::Conflict(format!(
            "This post has already gone out on at least one account, so it can't be {verb}. Write a new post instead."
        ))),
    }
}

/// Each picked account exists (and is connected, unless it is a draft);
/// their networks, in the order picked.
async fn check_accounts(
    conn: &mut SqliteConnection,
    ids: &[AccountId],
    intent: SaveIntent,
) -> Result<Vec<Platform>> {
    let mut platforms = Vec::with_capacity(ids.len());
    for id in ids {
        let row = sqlx::query("SELECT platform, username, status FROM accounts WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else {
            return Err(EngineError::NotFound { what: "account" });
        };
        let status: String = row.get("status");
        if intent != SaveIntent::Draft && status != AccountStatus::Connected.as_str() {
            let username: String = row.get("username");
            let (who, platform) = match Platform::parse(row.get::<&str, _>("platform")) {
                Some(p) => (p.handle(&username), p.display_name()),
                None => (format!("@{username}"), "the platform"),
            };
            return Err(EngineError::Conflict(format!(
                "Reconnect {who} on {platform} before scheduling to it."
            )));
        }
        platforms.push(
            Platform::parse(row.get::<&str, _>("platform"))
                .ok_or_else(|| EngineError::Internal("unknown platform in accounts".into()))?,
        );
    }
    Ok(platforms)
}

async fn check_media(conn: &mut SqliteConnection, ids: &[i64]) -> Result<()> {
    for id in ids {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM media WHERE id = ?)")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        if !exists {
            return Err(EngineError::NotFound { what: "media file" });
        }
    }
    Ok(())
}

/// The options a picked account gets: what the composer sent for it, else
/// its network's defaults. Options of another network are refused.
pub fn options_for(
    input: &PostInput,
    account: AccountId,
    platform: Platform,
) -> Result<TargetOptions> {
    match input.options.iter().find(|o| o.account_id == account) {
        None => Ok(TargetOptions::default_for(platform)),
        Some(o) if o.options.network.platform() == platform => Ok(o.options.clone()),
        Some(o) => Err(EngineError::invalid(
            ErrorCode::InvalidInput,
            format!(
                "The {} options were sent for a {} account.",
                o.options.network.platform().display_name(),
                platform.display_name()
            ),
        )),
    }
}

async fn write_targets(
    tx: &mut Transaction<'static, Sqlite>,
    post_id: PostId,
    input: &PostInput,
    platforms: &[Platform],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut rows = Vec::with_capacity(input.account_ids.len());
    for (account, platform) in input.account_ids.iter().zip(platforms) {
        let options = options_for(input, *account, *platform)?;
        let json = serde_json::to_string(&options)
            .map_err(|e| EngineError::Internal(format!("options: {e}")))?;
        rows.push((*account, json));
    }
    let (status, next) = match input.intent {
        SaveIntent::Schedule | SaveIntent::PublishNow => {
            (TargetStatus::Scheduled, input.scheduled_at)
        }
        SaveIntent::Draft => (TargetStatus::Draft, None),
    };
    targets::write_for_post(tx, post_id, &rows, status, next, now).await
}

async fn write_media(
    tx: &mut Transaction<'static, Sqlite>,
    post_id: PostId,
    input: &PostInput,
) -> Result<()> {
    for (position, media) in input.media_ids.iter().enumerate() {
        let alt = input.alt_text(*media);
        if alt
            .as_ref()
            .is_some_and(|a| a.chars().count() > MAX_ALT_TEXT_CHARS)
        {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                format!("An alt text can be at most {MAX_ALT_TEXT_CHARS} characters. Shorten it."),
            ));
        }
        sqlx::query(
            "INSERT INTO post_media (post_id, media_id, position, alt_text) VALUES (?, ?, ?, ?)",
        )
        .bind(post_id)
        .bind(media)
        .bind(position as i64)
        .bind(alt)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Turns post rows into full posts with their targets and media (three
/// queries whatever the number of posts).
async fn assemble(store: &Store, rows: Vec<SqliteRow>) -> Result<Vec<Post>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.get::<i64, _>("id")).collect();
    let id_list = serde_json::to_string(&ids).map_err(|e| EngineError::Internal(e.to_string()))?;

    let mut targets: HashMap<PostId, Vec<Target>> = HashMap::new();
    let target_rows = sqlx::query(&format!(
        "SELECT {TARGET_COLUMNS} FROM post_targets t JOIN accounts a ON a.id = t.account_id
             WHERE t.post_id IN (SELECT value FROM json_each(?))
             ORDER BY t.id"
    ))
    .bind(&id_list)
    .fetch_all(store.pool())
    .await?;
    for r in target_rows {
        let target = target_from_row(&r)?;
        targets.entry(r.get("post_id")).or_default().push(target);
    }

    let mut media: HashMap<PostId, Vec<MediaRef>> = HashMap::new();
    let media_rows = sqlx::query(
        "SELECT pm.post_id, m.id, m.mime, m.size, m.width, m.height, m.duration_ms, m.codec,
                m.original_name, pm.alt_text
         FROM post_media pm JOIN media m ON m.id = pm.media_id
         WHERE pm.post_id IN (SELECT value FROM json_each(?))
         ORDER BY pm.post_id, pm.position",
    )
    .bind(&id_list)
    .fetch_all(store.pool())
    .await?;
    for r in media_rows {
        media
            .entry(r.get("post_id"))
            .or_default()
            .push(media_ref(&r));
    }

    rows.into_iter()
        .map(|r| {
            let id: i64 = r.get("id");
            let state = PostState::parse(r.get("state"))
                .ok_or_else(|| EngineError::Internal("unknown post state".into()))?;
            let targets = targets.remove(&id).unwrap_or_default();
            Ok(Post {
                id,
                text: r.get("text"),
                scheduled_at: r.get::<Option<i64>, _>("scheduled_at").map(from_millis),
                zone: r.get("zone"),
                state,
                status: roll_up(state, &targets),
                targets,
                media: media.remove(&id).unwrap_or_default(),
                created_at: from_millis(r.get("created_at")),
                updated_at: from_millis(r.get("updated_at")),
            })
        })
        .collect()
}

/// A media row (`id, mime, size, width, height, duration_ms, codec,
/// original_name`) as the UI sees it.
pub(crate) fn media_ref(r: &SqliteRow) -> MediaRef {
    let mime: String = r.get("mime");
    MediaRef {
        id: r.get("id"),
        kind: MediaKind::of_mime(&mime).unwrap_or(MediaKind::Image),
        mime,
        size: r.get("size"),
        width: r.get("width"),
        height: r.get("height"),
        duration_ms: r.get("duration_ms"),
        codec: r.get("codec"),
        original_name: r.get("original_name"),
        alt_text: r.try_get("alt_text").ok().flatten(),
    }
}

/// The columns [`target_from_row`] reads (`t` = post_targets, `a` = accounts).
pub(crate) const TARGET_COLUMNS: &str =
    "t.id, t.post_id, t.account_id, a.platform, a.username, t.status, t.attempts,
     t.next_attempt_at, t.last_error_code, t.last_error_message, t.last_error_detail,
     t.remote_id, t.remote_url, t.remote_note, t.stage, t.published_at, t.deleted_at, t.options";

pub(crate) fn target_from_row(r: &SqliteRow) -> Result<Target> {
    let platform = Platform::parse(r.get("platform"))
        .ok_or_else(|| EngineError::Internal("unknown platform".into()))?;
    let status = TargetStatus::parse(r.get("status"))
        .ok_or_else(|| EngineError::Internal("unknown target status".into()))?;
    let error = r
        .get::<Option<String>, _>("last_error_code")
        .map(|code| TargetError {
            code,
            message: r
                .get::<Option<String>, _>("last_error_message")
                .unwrap_or_default(),
            detail: r.get("last_error_detail"),
        });
    let options = parse_options(r.get("options"), platform);
    Ok(Target {
        id: r.get("id"),
        account_id: r.get("account_id"),
        platform,
        username: r.get("username"),
        status,
        attempts: r.get("attempts"),
        next_attempt_at: r.get::<Option<i64>, _>("next_attempt_at").map(from_millis),
        error,
        remote_id: r.get("remote_id"),
        remote_url: r.get("remote_url"),
        remote_note: r.get("remote_note"),
        stage: r.get("stage"),
        published_at: r.get::<Option<i64>, _>("published_at").map(from_millis),
        deleted_at: r.get::<Option<i64>, _>("deleted_at").map(from_millis),
        options,
    })
}

/// The one status a post is coloured by.
pub fn roll_up(state: PostState, targets: &[Target]) -> PostStatus {
    use TargetStatus as T;
    if state == PostState::Cancelled {
        return PostStatus::Cancelled;
    }
    let any = |f: &dyn Fn(TargetStatus) -> bool| targets.iter().any(|t| f(t.status));
    if !targets.is_empty() && targets.iter().all(|t| t.status == T::Deleted) {
        // Removed from every network it went out on.
        return PostStatus::Cancelled;
    }
    let targets: Vec<&Target> = targets.iter().filter(|t| t.status != T::Deleted).collect();
    let any = |f: &dyn Fn(TargetStatus) -> bool| any(&|s| s != T::Deleted && f(s));
    if any(&|s| s == T::Failed) {
        PostStatus::Failed
    } else if any(&|s| matches!(s, T::NeedsReauth | T::Missed | T::Unconfirmed)) {
        PostStatus::NeedsAttention
    } else if any(&|s| matches!(s, T::Publishing | T::Processing | T::Retrying)) {
        PostStatus::Publishing
    } else if !targets.is_empty() && targets.iter().all(|t| t.status == T::Published) {
        PostStatus::Published
    } else if any(&|s| s == T::Published) {
        PostStatus::PartiallyPublished
    } else if state == PostState::Draft {
        PostStatus::Draft
    } else {
        PostStatus::Scheduled
    }
}
