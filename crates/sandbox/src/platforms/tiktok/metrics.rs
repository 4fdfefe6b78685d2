//! The Display API's Query Videos, `POST /v2/video/query/?fields=...` with
//! `{"filters":{"video_ids":[...]}}` (scope `video.list`, at most 20 ids): the
//! details and numbers of the caller's own videos among the ids. Ids that are not
//! the caller's, not published, or deleted are simply left out of `videos`.
//! docs/platforms/tiktok.md §13.
//!
//! The numbers grow over the emulated clock from the moment the video was
//! published (`PUBLISH_COMPLETE`), with [`grown`]. TikTok's API cannot delete a
//! video; [`delete_in_app`] stands for the creator deleting it in the TikTok app.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::publish::json_body;
use super::{
    PLATFORM, Publish, PublishStatus, TikTokSettings, api_ok, authenticate, invalid_params, limits,
};
use crate::core::engagement::grown;
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::{form_get, parse_query};

/// The scope of `video/query`.
pub const SCOPE: &str = "video.list";

/// Most ids one query may ask for.
pub const MAX_VIDEO_IDS: usize = 20;

/// The Video Object's fields, as `fields` may name them.
pub const VIDEO_FIELDS: &[&str] = &[
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
];

/// About where each count of a video levels off after a week (times a per-video
/// factor between 0.5 and 1.5): a small creator's video.
pub const FULL_COUNTS: &[(&str, u64)] = &[
    ("view_count", 25_000),
    ("like_count", 2_000),
    ("comment_count", 90),
    ("share_count", 60),
];

/// `title` and `video_description` are at most 150 characters in the Video Object.
const MAX_TEXT: usize = 150;

/// The requested `fields` (comma-separated, each a Video Object field).
pub fn parse_fields(query: Option<&str>) -> Result<Vec<&'static str>, String> {
    let params = parse_query(query);
    let Some(raw) = form_get(&params, "fields").filter(|f| !f.trim().is_empty()) else {
        return Err("The fields parameter is required.".into());
    };
    let mut fields = Vec::new();
    for f in raw.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let Some(known) = VIDEO_FIELDS.iter().find(|k| **k == f) else {
            return Err(format!("Invalid field: {f}."));
        };
        if !fields.contains(known) {
            fields.push(*known);
        }
    }
    Ok(fields)
}

/// `filters.video_ids`: 1 to 20 strings, duplicates dropped.
pub fn parse_video_ids(body: &Map<String, Value>) -> Result<Vec<String>, String> {
    let Some(Value::Object(filters)) = body.get("filters") else {
        return Err("filters is required.".into());
    };
    let Some(Value::Array(ids)) = filters.get("video_ids") else {
        return Err("filters.video_ids must be an array of video ids.".into());
    };
    if ids.is_empty() || ids.len() > MAX_VIDEO_IDS {
        return Err(format!(
            "filters.video_ids must hold 1 to {MAX_VIDEO_IDS} video ids."
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(id) = id.as_str() else {
            return Err("filters.video_ids must be an array of strings.".into());
        };
        if !out.iter().any(|o| o == id) {
            out.push(id.to_owned());
        }
    }
    Ok(out)
}

/// The video `id` of `account` that `video/query` answers for: published, not
/// deleted, and not "Only me" (unless the setting says such are answered).
pub fn find<'a>(st: &'a SandboxState, account_id: &str, id: &str) -> Option<&'a Publish> {
    let settings = &st.tiktok.settings;
    st.tiktok.publishes.values().find(|p| {
        p.account_id == account_id
            && p.status == PublishStatus::PublishComplete
            && p.post_id.is_some_and(|pid| pid.to_string() == id)
            && p.deleted_at.is_none()
            && (settings.query_self_only_videos || p.privacy_level.as_deref() != Some("SELF_ONLY"))
    })
}

/// Whether the creator turned comments off for the post.
fn comments_off(p: &Publish) -> bool {
    p.post_info.get("disable_comment") == Some(&Value::Bool(true))
}

/// The value of one count of `p` at `now`, `None` where the video object leaves it
/// out.
pub fn count(p: &Publish, field: &str, s: &TikTokSettings, now: DateTime<Utc>) -> Option<u64> {
    let (_, full) = FULL_COUNTS.iter().find(|(f, _)| *f == field)?;
    if field == "comment_count" && comments_off(p) {
        return (!s.omit_comment_count_when_off).then_some(0);
    }
    let published = p.completed_at.unwrap_or(p.created_at);
    let seed = p.post_id.map(|id| id.to_string()).unwrap_or_default();
    Some(grown(&seed, field, now - published, *full))
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_TEXT).collect()
}

/// The Video Object of `p` with the requested `fields`. The emulator decodes no
/// video and keeps no cover, so `duration`, `height`, `width` and
/// `cover_image_url` are left out.
pub fn video_object(
    p: &Publish,
    username: &str,
    fields: &[&str],
    s: &TikTokSettings,
    now: DateTime<Utc>,
) -> Value {
    let id = p.post_id.map(|id| id.to_string()).unwrap_or_default();
    let link = format!("https://www.tiktok.com/@{username}/video/{id}");
    let mut o = Map::new();
    for field in fields {
        let v = match *field {
            "id" => json!(id),
            "create_time" => json!(p.completed_at.unwrap_or(p.created_at).timestamp()),
            "share_url" => json!(link),
            "title" => json!(clip(&p.title)),
            "video_description" => json!(clip(&p.title)),
            "embed_link" => json!(format!("https://www.tiktok.com/player/v1/{id}")),
            "embed_html" => json!(format!(
                "<blockquote class=\"tiktok-embed\" cite=\"{link}\" data-video-id=\"{id}\"></blockquote>"
            )),
            f => match count(p, f, s, now) {
                Some(n) => json!(n),
                None => continue,
            },
        };
        o.insert((*field).to_owned(), v);
    }
    Value::Object(o)
}

/// `POST /v2/video/query/?fields=...` (scope `video.list`).
pub(super) async fn video_query(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authenticate(&sb, &headers, limits::VIDEO_QUERY, &[SCOPE]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    sb.read_state(|st| {
        let now = st.now();
        let fields = match parse_fields(q.as_deref()) {
            Ok(f) => f,
            Err(m) => return invalid_params(&m, now),
        };
        let obj = match json_body(&headers, &body, now) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let ids = match parse_video_ids(&obj) {
            Ok(ids) => ids,
            Err(m) => return invalid_params(&m, now),
        };
        let videos: Vec<Value> = ids
            .iter()
            .filter_map(|id| find(st, &caller.account.id, id))
            .map(|p| {
                video_object(
                    p,
                    &caller.account.username,
                    &fields,
                    &st.tiktok.settings,
                    now,
                )
            })
            .collect();
        api_ok(json!({ "videos": videos }), now)
    })
}

/// The creator deletes the video `post_id` in the TikTok app: `video/query` stops
/// answering for it and its page is gone. Whether there was such a video.
pub fn delete_in_app(st: &mut SandboxState, post_id: &str) -> bool {
    let now = st.now();
    let Some(p) = st.tiktok.publishes.values_mut().find(|p| {
        p.deleted_at.is_none() && p.post_id.is_some_and(|pid| pid.to_string() == post_id)
    }) else {
        return false;
    };
    p.deleted_at = Some(now);
    let publish_id = p.publish_id.clone();
    st.core(PLATFORM).mark_deleted(&publish_id, now);
    true
}

/// `DELETE /tiktok/_sandbox/videos/{id}` (sandbox only): [`delete_in_app`].
pub(super) async fn delete_video(State(sb): State<Sandbox>, Path(id): Path<String>) -> Response {
    if sb.with_state(|st| delete_in_app(st, &id)) {
        Json(json!({ "deleted": id })).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no TikTok video {id}") })),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{MediaKind, PostMode, Source};
    use super::*;
    use chrono::Duration;

    fn publish(post_id: u64, privacy: &str, disable_comment: bool, at: DateTime<Utc>) -> Publish {
        Publish {
            publish_id: format!("v_pub_file~v2-1.{post_id}"),
            account_id: "creator".into(),
            client_id: "client".into(),
            kind: MediaKind::Video,
            mode: PostMode::DirectPost,
            source: Source::FileUpload,
            title: "A caption".into(),
            description: String::new(),
            privacy_level: Some(privacy.into()),
            post_info: json!({ "disable_comment": disable_comment }),
            video_size: 1,
            urls: Vec::new(),
            upload: None,
            uploaded_bytes: 1,
            downloaded_bytes: 0,
            sha256: None,
            media_ready_at: Some(at),
            polls_since_ready: 2,
            status: PublishStatus::PublishComplete,
            planned_fail_reason: None,
            fail_reason: None,
            completed_at: Some(at),
            polls_since_complete: 1,
            post_id: Some(post_id),
            created_at: at,
            deleted_at: None,
        }
    }

    fn counts(p: &Publish, s: &TikTokSettings, at: DateTime<Utc>) -> Value {
        video_object(
            p,
            "creator",
            &[
                "id",
                "view_count",
                "like_count",
                "comment_count",
                "share_count",
            ],
            s,
            at,
        )
    }

    #[test]
    fn counts_grow_with_the_emulated_clock_views_first() {
        let t0 = Utc::now();
        let p = publish(7, "PUBLIC_TO_EVERYONE", false, t0);
        let s = TikTokSettings::default();
        let at0 = counts(&p, &s, t0);
        assert_eq!(at0["id"], "7");
        for f in ["view_count", "like_count", "comment_count", "share_count"] {
            assert_eq!(at0[f], 0, "{f} starts at 0");
        }
        let day = counts(&p, &s, t0 + Duration::days(1));
        let week = counts(&p, &s, t0 + Duration::days(7));
        for f in ["view_count", "like_count", "comment_count", "share_count"] {
            let (d, w) = (day[f].as_u64().unwrap_or(0), week[f].as_u64().unwrap_or(0));
            assert!(0 < d && d < w, "{f}: {d} then {w}");
        }
        let n = |f: &str| week[f].as_u64().unwrap_or(0);
        assert!(n("view_count") > n("like_count") && n("like_count") > n("comment_count"));
    }

    #[test]
    fn comments_off_leaves_the_count_out_or_answers_zero() {
        let t0 = Utc::now();
        let p = publish(8, "PUBLIC_TO_EVERYONE", true, t0);
        let mut s = TikTokSettings::default();
        let v = counts(&p, &s, t0 + Duration::days(2));
        assert!(v.get("comment_count").is_none(), "{v}");
        assert!(v["view_count"].as_u64().unwrap_or(0) > 0);
        s.omit_comment_count_when_off = false;
        assert_eq!(counts(&p, &s, t0 + Duration::days(2))["comment_count"], 0);
    }

    #[test]
    fn fields_and_ids_are_checked() {
        assert_eq!(
            parse_fields(Some("fields=id,view_count,id")),
            Ok(vec!["id", "view_count"])
        );
        assert!(parse_fields(Some("fields=id,fps")).is_err());
        assert!(parse_fields(None).is_err());
        let body = |ids: Value| {
            json!({ "filters": { "video_ids": ids } })
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(
            parse_video_ids(&body(json!(["1", "2", "1"]))),
            Ok(vec!["1".to_owned(), "2".to_owned()])
        );
        assert!(parse_video_ids(&body(json!([]))).is_err());
        assert!(parse_video_ids(&body(json!([1]))).is_err());
        let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
        assert!(parse_video_ids(&body(json!(many))).is_err());
        let twenty: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        assert!(parse_video_ids(&body(json!(twenty))).is_ok());
    }

    #[test]
    fn only_the_callers_live_visible_videos_are_found() {
        let t0 = Utc::now();
        let mut st = SandboxState::default();
        for p in [
            publish(1, "PUBLIC_TO_EVERYONE", false, t0),
            publish(2, "SELF_ONLY", false, t0),
            publish(3, "MUTUAL_FOLLOW_FRIENDS", false, t0),
        ] {
            st.tiktok.publishes.insert(p.publish_id.clone(), p);
        }
        assert!(find(&st, "creator", "1").is_some());
        assert!(find(&st, "someone-else", "1").is_none());
        assert!(find(&st, "creator", "v_pub_file~v2-1.1").is_none());
        assert!(find(&st, "creator", "2").is_none(), "Only me");
        st.tiktok.settings.query_self_only_videos = true;
        assert!(find(&st, "creator", "2").is_some());

        assert!(delete_in_app(&mut st, "3"));
        assert!(find(&st, "creator", "3").is_none(), "deleted");
        assert!(!delete_in_app(&mut st, "3"), "already gone");
        assert!(!delete_in_app(&mut st, "99"));
    }
}
