//! The `video` resource: validation of the metadata a client sends
//! (`videos.insert`, `videos.update`) and rendering of the resource.
//!
//! Rules (docs/platforms/youtube.md §3): `snippet.title` required, ≤ 100 characters,
//! no `<` / `>`;
//! `snippet.description` ≤ 5,000 bytes, no `<` / `>`; `snippet.tags` ≤ 500
//! characters in total, a tag containing a space counting its two quotes;
//! `snippet.categoryId` an assignable category; `status.privacyStatus` one of
//! `public` / `unlisted` / `private`; `status.publishAt` only with `private`.

use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::{
    PROCESSING_PARTS_TOTAL, ProcessingOutcome, ProcessingResult, Video, VideoSnippet, VideoStatus,
    YouTubeSettings, bad_request, etag, split_list, unknown_part,
};
use crate::core::platform::Account;

/// Parts of the `video` resource.
pub const VIDEO_PARTS: &[&str] = &[
    "contentDetails",
    "fileDetails",
    "id",
    "liveStreamingDetails",
    "localizations",
    "player",
    "processingDetails",
    "recordingDetails",
    "snippet",
    "statistics",
    "status",
    "suggestions",
    "topicDetails",
];

/// Parts of the `channel` resource.
pub const CHANNEL_PARTS: &[&str] = &[
    "auditDetails",
    "brandingSettings",
    "contentDetails",
    "contentOwnerDetails",
    "id",
    "localizations",
    "snippet",
    "statistics",
    "status",
    "topicDetails",
];

/// Video categories a video can be assigned to (US region, `assignable: true`).
pub const ASSIGNABLE_CATEGORIES: &[&str] = &[
    "1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29",
];

/// Category of a video inserted without one (People & Blogs).
pub const DEFAULT_CATEGORY: &str = "22";

/// Parses and checks a `part` parameter against `known`.
pub(crate) fn parse_parts(value: Option<&str>, known: &[&str]) -> Result<Vec<String>, Response> {
    let Some(v) = value.filter(|v| !v.trim().is_empty()) else {
        return Err(super::required_param("part"));
    };
    let parts = split_list(v);
    if parts.is_empty() {
        return Err(super::required_param("part"));
    }
    for p in &parts {
        if !known.contains(&p.as_str()) {
            return Err(unknown_part(p));
        }
    }
    Ok(parts)
}

fn invalid_metadata(message: &str) -> Response {
    bad_request("invalidVideoMetadata", "youtube.video", message)
}

fn invalid_title() -> Response {
    bad_request(
        "invalidTitle",
        "youtube.video",
        "The request metadata specifies an invalid or empty video title.",
    )
}

fn invalid_description() -> Response {
    bad_request(
        "invalidDescription",
        "youtube.video",
        "The request metadata specifies an invalid video description.",
    )
}

fn invalid_tags() -> Response {
    bad_request(
        "invalidTags",
        "youtube.video",
        "The request metadata specifies invalid video keywords.",
    )
}

fn invalid_category() -> Response {
    bad_request(
        "invalidCategoryId",
        "youtube.video",
        "The <code>snippet.categoryId</code> property specifies an invalid category ID. Use the <code><a href=\"/youtube/v3/docs/videoCategories/list\">videoCategories.list</a></code> method to retrieve supported categories.",
    )
}

fn invalid_publish_at() -> Response {
    bad_request(
        "invalidPublishAt",
        "youtube.video",
        "The request metadata specifies an invalid scheduled publishing time.",
    )
}

fn has_angle_brackets(s: &str) -> bool {
    s.contains('<') || s.contains('>')
}

/// Length of the tags as YouTube counts it.
pub fn tags_length(tags: &[String], count_commas: bool) -> u64 {
    let mut n: u64 = tags
        .iter()
        .map(|t| t.chars().count() as u64 + if t.contains(' ') { 2 } else { 0 })
        .sum();
    if count_commas && !tags.is_empty() {
        n += tags.len() as u64 - 1;
    }
    n
}

fn opt_string(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<String>, Response> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        // Google's JSON parser accepts numbers for string fields.
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(invalid_metadata(&format!(
            "Invalid value for {path}.{key}: a string is expected."
        ))),
    }
}

fn opt_bool(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, Response> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(invalid_metadata(&format!(
            "Invalid value for status.{key}: a boolean is expected."
        ))),
    }
}

fn object<'a>(
    v: Option<&'a Value>,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, Response> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(invalid_metadata(&format!(
            "Invalid value for {path}: an object is expected."
        ))),
    }
}

/// Validates a `snippet` object.
fn validate_snippet(
    obj: Option<&Map<String, Value>>,
    settings: &YouTubeSettings,
    require_category: bool,
) -> Result<VideoSnippet, Response> {
    let empty = Map::new();
    let obj = obj.unwrap_or(&empty);
    let title = match obj.get("title") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => return Err(invalid_title()),
        Some(_) => return Err(invalid_title()),
    };
    if title.trim().is_empty()
        || title.chars().count() as u64 > settings.title_max_chars
        || has_angle_brackets(&title)
    {
        return Err(invalid_title());
    }
    let description = match obj.get("description") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid_description()),
    };
    let desc_len = if settings.description_counts_bytes {
        description.len() as u64
    } else {
        description.chars().count() as u64
    };
    if desc_len > settings.description_max || has_angle_brackets(&description) {
        return Err(invalid_description());
    }
    let tags: Vec<String> = match obj.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for t in items {
                match t {
                    Value::String(s) => out.push(s.clone()),
                    _ => return Err(invalid_tags()),
                }
            }
            out
        }
        Some(_) => return Err(invalid_tags()),
    };
    if tags_length(&tags, settings.tags_count_commas) > settings.tags_max_chars {
        return Err(invalid_tags());
    }
    let category_id = match opt_string(obj, "categoryId", "snippet")? {
        Some(c) if ASSIGNABLE_CATEGORIES.contains(&c.as_str()) => c,
        Some(_) => return Err(invalid_category()),
        None if require_category => return Err(invalid_category()),
        None => DEFAULT_CATEGORY.to_string(),
    };
    Ok(VideoSnippet {
        title,
        description,
        tags,
        category_id,
        default_language: opt_string(obj, "defaultLanguage", "snippet")?,
        default_audio_language: opt_string(obj, "defaultAudioLanguage", "snippet")?,
    })
}

/// Validates a `status` object.
fn validate_status(obj: Option<&Map<String, Value>>) -> Result<VideoStatus, Response> {
    let empty = Map::new();
    let obj = obj.unwrap_or(&empty);
    let privacy = match opt_string(obj, "privacyStatus", "status")? {
        None => "public".to_string(),
        Some(p) if matches!(p.as_str(), "public" | "unlisted" | "private") => p,
        Some(p) => {
            return Err(invalid_metadata(&format!(
                "Invalid value for status.privacyStatus: '{p}'. Expected one of: public, unlisted, private."
            )));
        }
    };
    let publish_at = match obj.get("publishAt") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => return Err(invalid_publish_at()),
        },
        Some(_) => return Err(invalid_publish_at()),
    };
    if publish_at.is_some() && privacy != "private" {
        return Err(invalid_publish_at());
    }
    let license = match opt_string(obj, "license", "status")? {
        None => "youtube".to_string(),
        Some(l) if matches!(l.as_str(), "youtube" | "creativeCommon") => l,
        Some(l) => {
            return Err(invalid_metadata(&format!(
                "Invalid value for status.license: '{l}'. Expected one of: youtube, creativeCommon."
            )));
        }
    };
    Ok(VideoStatus {
        privacy_status: privacy,
        publish_at,
        license,
        embeddable: opt_bool(obj, "embeddable")?.unwrap_or(true),
        public_stats_viewable: opt_bool(obj, "publicStatsViewable")?.unwrap_or(true),
        self_declared_made_for_kids: opt_bool(obj, "selfDeclaredMadeForKids")?,
        contains_synthetic_media: opt_bool(obj, "containsSyntheticMedia")?,
    })
}

/// Validated metadata of an insert.
#[derive(Clone, Debug)]
pub(crate) struct InsertMetadata {
    pub snippet: VideoSnippet,
    pub status: VideoStatus,
    pub requested_privacy: String,
    pub locked_private: bool,
}

/// Validates the JSON body of a `videos.insert` (empty body = no metadata).
/// Only the parts named in `parts` are read, as the API does.
pub(crate) fn validate_insert(
    body: &[u8],
    parts: &[String],
    settings: &YouTubeSettings,
) -> Result<InsertMetadata, Response> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|_| super::parse_error())?
    };
    let Value::Object(root) = value else {
        return Err(invalid_metadata("The request metadata is invalid."));
    };
    let has = |p: &str| parts.iter().any(|x| x == p);
    let snippet_obj = if has("snippet") {
        object(root.get("snippet"), "snippet")?
    } else {
        None
    };
    let status_obj = if has("status") {
        object(root.get("status"), "status")?
    } else {
        None
    };
    let snippet = validate_snippet(snippet_obj, settings, false)?;
    let mut status = validate_status(status_obj)?;
    let requested_privacy = status.privacy_status.clone();
    let locked_private =
        !settings.audited && (requested_privacy != "private" || status.publish_at.is_some());
    if !settings.audited {
        // Unaudited projects: every upload is locked private (no scheduled publish).
        status.privacy_status = "private".into();
        status.publish_at = None;
    }
    Ok(InsertMetadata {
        snippet,
        status,
        requested_privacy,
        locked_private,
    })
}

/// Validates a `videos.update` body: returns the video id and the new parts.
pub(crate) fn validate_update(
    body: &[u8],
    parts: &[String],
    settings: &YouTubeSettings,
) -> Result<(String, Option<VideoSnippet>, Option<VideoStatus>), Response> {
    let value: Value = serde_json::from_slice(body).map_err(|_| super::parse_error())?;
    let Value::Object(root) = value else {
        return Err(invalid_metadata("The request metadata is invalid."));
    };
    let Some(id) = root.get("id").and_then(Value::as_str) else {
        return Err(bad_request(
            "videoRequired",
            "youtube.video",
            "The request metadata must specify the video id.",
        ));
    };
    let has = |p: &str| parts.iter().any(|x| x == p);
    let snippet = if has("snippet") {
        Some(validate_snippet(
            object(root.get("snippet"), "snippet")?,
            settings,
            true,
        )?)
    } else {
        None
    };
    let status = if has("status") {
        match object(root.get("status"), "status")? {
            Some(o) => Some(validate_status(Some(o))?),
            None => None,
        }
    } else {
        None
    };
    Ok((id.to_string(), snippet, status))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn thumbnails(video_id: &str) -> Value {
    let u = |name: &str| format!("https://i.ytimg.com/vi/{video_id}/{name}.jpg");
    json!({
        "default": {"url": u("default"), "width": 120, "height": 90},
        "medium": {"url": u("mqdefault"), "width": 320, "height": 180},
        "high": {"url": u("hqdefault"), "width": 480, "height": 360},
    })
}

/// Where a video's processing stands at some instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProcessingState {
    /// `status.uploadStatus`: `uploaded` while processing, then `processed`,
    /// `failed` or `rejected`.
    pub upload_status: &'static str,
    /// `status.failureReason` (`failed` only).
    pub failure_reason: Option<String>,
    /// `status.rejectionReason` (`rejected` only).
    pub rejection_reason: Option<String>,
    /// `processingDetails.processingStatus`.
    pub processing_status: String,
    /// `processingDetails.processingFailureReason` (`failed` only).
    pub processing_failure_reason: Option<String>,
    /// `(partsTotal, partsProcessed, timeLeftMs)` while processing.
    pub progress: Option<(u64, u64, u64)>,
}

/// The processing state of `v` at `now`. `fresh`: the response of the upload
/// itself (processing has just started). Videos without a stored outcome (older
/// state files) follow the current `settings`.
pub(crate) fn processing_state(
    v: &Video,
    settings: &YouTubeSettings,
    now: DateTime<Utc>,
    fresh: bool,
) -> ProcessingState {
    let outcome = v
        .processing_outcome
        .clone()
        .unwrap_or_else(|| ProcessingOutcome::decide(settings));
    let total_ms = outcome.processing_secs.max(0).saturating_mul(1000);
    let elapsed_ms = if fresh {
        0
    } else {
        (now - v.uploaded_at).num_milliseconds().max(0)
    };
    if fresh || elapsed_ms < total_ms {
        // Parts grow linearly with emulated time; the estimate never changes.
        let done = if total_ms > 0 {
            u128::from(PROCESSING_PARTS_TOTAL) * elapsed_ms as u128 / total_ms as u128
        } else {
            0
        };
        return ProcessingState {
            upload_status: "uploaded",
            failure_reason: None,
            rejection_reason: None,
            processing_status: "processing".into(),
            processing_failure_reason: None,
            progress: Some((
                PROCESSING_PARTS_TOTAL,
                u64::try_from(done).unwrap_or(PROCESSING_PARTS_TOTAL),
                (total_ms - elapsed_ms).max(0) as u64,
            )),
        };
    }
    let mut out = ProcessingState {
        upload_status: "processed",
        failure_reason: None,
        rejection_reason: None,
        processing_status: "succeeded".into(),
        processing_failure_reason: None,
        progress: None,
    };
    match outcome.result {
        ProcessingResult::Processed => {}
        ProcessingResult::Failed {
            failure_reason,
            processing_failure_reason,
        } => {
            out.upload_status = "failed";
            out.failure_reason = Some(failure_reason);
            out.processing_status = "failed".into();
            out.processing_failure_reason = Some(processing_failure_reason);
        }
        ProcessingResult::Rejected {
            rejection_reason,
            processing_status,
        } => {
            out.upload_status = "rejected";
            out.rejection_reason = Some(rejection_reason);
            out.processing_status = processing_status;
        }
    }
    out
}

/// Renders a video resource with the requested `parts`. `fresh`: the response of
/// the upload itself (`uploadStatus: uploaded`). `owner`: the caller owns it.
pub(crate) fn video_resource(
    v: &Video,
    channel: Option<&Account>,
    parts: &[String],
    settings: &YouTubeSettings,
    now: DateTime<Utc>,
    fresh: bool,
    owner: bool,
) -> Value {
    let processing = processing_state(v, settings, now, fresh);
    let mut out = Map::new();
    out.insert("kind".into(), json!("youtube#video"));
    out.insert(
        "etag".into(),
        json!(etag(&format!(
            "{}|{:?}|{:?}|{}|{:?}",
            v.id,
            v.snippet,
            v.status,
            v.thumbnail.is_some(),
            processing
        ))),
    );
    out.insert("id".into(), json!(v.id));
    let has = |p: &str| parts.iter().any(|x| x == p);
    if has("snippet") {
        let mut s = json!({
            "publishedAt": rfc3339(v.uploaded_at),
            "channelId": v.channel_id,
            "title": v.snippet.title,
            "description": v.snippet.description,
            "thumbnails": thumbnails(&v.id),
            "channelTitle": channel.map(|c| c.display_name.as_str()).unwrap_or(""),
            "categoryId": v.snippet.category_id,
            "liveBroadcastContent": "none",
            "localized": {"title": v.snippet.title, "description": v.snippet.description},
        });
        if let Some(obj) = s.as_object_mut() {
            if !v.snippet.tags.is_empty() {
                obj.insert("tags".into(), json!(v.snippet.tags));
            }
            if let Some(l) = &v.snippet.default_language {
                obj.insert("defaultLanguage".into(), json!(l));
            }
            if let Some(l) = &v.snippet.default_audio_language {
                obj.insert("defaultAudioLanguage".into(), json!(l));
            }
        }
        out.insert("snippet".into(), s);
    }
    if has("status") {
        let privacy = v.effective_privacy(now);
        let mut s = json!({
            "uploadStatus": processing.upload_status,
            "privacyStatus": privacy,
            "license": v.status.license,
            "embeddable": v.status.embeddable,
            "publicStatsViewable": v.status.public_stats_viewable,
            "madeForKids": v.status.self_declared_made_for_kids.unwrap_or(false),
        });
        if let Some(obj) = s.as_object_mut() {
            if let Some(f) = &processing.failure_reason {
                obj.insert("failureReason".into(), json!(f));
            }
            if let Some(r) = &processing.rejection_reason {
                obj.insert("rejectionReason".into(), json!(r));
            }
            if let Some(t) = v.status.publish_at.filter(|t| *t > now) {
                obj.insert("publishAt".into(), json!(rfc3339(t)));
            }
            if owner {
                if let Some(k) = v.status.self_declared_made_for_kids {
                    obj.insert("selfDeclaredMadeForKids".into(), json!(k));
                }
                if let Some(c) = v.status.contains_synthetic_media {
                    obj.insert("containsSyntheticMedia".into(), json!(c));
                }
            }
        }
        out.insert("status".into(), s);
    }
    if has("contentDetails") {
        out.insert(
            "contentDetails".into(),
            json!({
                "duration": "P0D",
                "dimension": "2d",
                "definition": "sd",
                "caption": "false",
                "licensedContent": false,
                "contentRating": {},
                "projection": "rectangular",
            }),
        );
    }
    if has("statistics") {
        out.insert(
            "statistics".into(),
            super::metrics::statistics(v, settings, now, owner),
        );
    }
    if has("processingDetails") && owner {
        let mut p = Map::new();
        p.insert(
            "processingStatus".into(),
            json!(processing.processing_status),
        );
        if let Some((total, done, left_ms)) = processing.progress {
            // uint64 fields: Google's JSON carries them as strings.
            p.insert(
                "processingProgress".into(),
                json!({
                    "partsTotal": total.to_string(),
                    "partsProcessed": done.to_string(),
                    "timeLeftMs": left_ms.to_string(),
                }),
            );
        }
        if let Some(r) = &processing.processing_failure_reason {
            p.insert("processingFailureReason".into(), json!(r));
        }
        out.insert("processingDetails".into(), Value::Object(p));
    }
    if has("fileDetails") && owner {
        out.insert(
            "fileDetails".into(),
            json!({"fileSize": v.size.to_string(), "fileType": "video"}),
        );
    }
    Value::Object(out)
}

/// Renders a channel resource with the requested `parts`.
pub(crate) fn channel_resource(
    a: &Account,
    avatar_url: &str,
    parts: &[String],
    video_count: usize,
) -> Value {
    let extra = |k: &str| a.extra.get(k).and_then(Value::as_str).unwrap_or("");
    let mut out = Map::new();
    out.insert("kind".into(), json!("youtube#channel"));
    out.insert(
        "etag".into(),
        json!(etag(&format!("{}|{video_count}", a.id))),
    );
    out.insert("id".into(), json!(a.id));
    let has = |p: &str| parts.iter().any(|x| x == p);
    if has("snippet") {
        let thumb = |size: u32| json!({"url": avatar_url, "width": size, "height": size});
        out.insert(
            "snippet".into(),
            json!({
                "title": a.display_name,
                "description": extra("description"),
                "customUrl": extra("custom_url"),
                "publishedAt": extra("published_at"),
                "thumbnails": {"default": thumb(88), "medium": thumb(240), "high": thumb(800)},
                "localized": {"title": a.display_name, "description": extra("description")},
                "country": extra("country"),
            }),
        );
    }
    if has("contentDetails") {
        let uploads = format!("UU{}", a.id.get(2..).unwrap_or(""));
        out.insert(
            "contentDetails".into(),
            json!({"relatedPlaylists": {"likes": "", "uploads": uploads}}),
        );
    }
    if has("statistics") {
        out.insert(
            "statistics".into(),
            json!({
                "viewCount": "0",
                "subscriberCount": "0",
                "hiddenSubscriberCount": false,
                "videoCount": video_count.to_string(),
            }),
        );
    }
    if has("status") {
        out.insert(
            "status".into(),
            json!({
                "privacyStatus": "public",
                "isLinked": true,
                "longUploadsStatus": "allowed",
                "madeForKids": false,
            }),
        );
    }
    Value::Object(out)
}
