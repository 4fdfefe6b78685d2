//! `GET /v2/user/info/` and `POST /v2/post/publish/creator_info/query/`.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{
    CreatorProfile, PLATFORM, api_error, api_ok, authenticate, invalid_params, limits,
    publish::daily_cap_error,
};
use crate::core::sandbox::Sandbox;
use crate::core::util::{form_get, parse_query};

/// `user/info` fields and the scope each needs.
const USER_FIELDS: &[(&str, &str)] = &[
    ("open_id", "user.info.basic"),
    ("union_id", "user.info.basic"),
    ("avatar_url", "user.info.basic"),
    ("avatar_url_100", "user.info.basic"),
    ("avatar_large_url", "user.info.basic"),
    ("display_name", "user.info.basic"),
    ("bio_description", "user.info.profile"),
    ("profile_deep_link", "user.info.profile"),
    ("is_verified", "user.info.profile"),
    ("username", "user.info.profile"),
    ("follower_count", "user.info.stats"),
    ("following_count", "user.info.stats"),
    ("likes_count", "user.info.stats"),
    ("video_count", "user.info.stats"),
];

/// `GET /v2/user/info/?fields=...` (scope `user.info.basic`; profile fields need
/// `user.info.profile`, stats fields `user.info.stats`).
pub(super) async fn user_info(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let caller = match authenticate(&sb, &headers, limits::USER_INFO, &["user.info.basic"]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = sb.now();
    let params = parse_query(q.as_deref());
    let Some(fields) = form_get(&params, "fields").filter(|f| !f.trim().is_empty()) else {
        return invalid_params("The fields parameter is required.", now);
    };
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    for f in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        match USER_FIELDS.iter().find(|(name, _)| *name == f) {
            Some(entry) => wanted.push(*entry),
            None => return invalid_params(&format!("Invalid field: {f}."), now),
        }
    }
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(_, scope)| !caller.token.has_scope(scope))
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return api_error(
            StatusCode::UNAUTHORIZED,
            "scope_permission_missed",
            &format!(
                "The access token lacks the scopes these fields need: {}.",
                missing.join(", ")
            ),
            now,
        );
    }
    let a = &caller.account;
    let profile = CreatorProfile::of(a);
    let avatar = sb.url(&a.avatar_path(PLATFORM)).to_string();
    let mut user = Map::new();
    for (name, _) in wanted {
        let v = match name {
            "open_id" => json!(a.id),
            "union_id" => json!(profile.union_id),
            "avatar_url" | "avatar_url_100" | "avatar_large_url" => json!(avatar),
            "display_name" => json!(a.display_name),
            "bio_description" => json!(profile.bio_description),
            "profile_deep_link" => json!(format!("https://www.tiktok.com/@{}", a.username)),
            "is_verified" => json!(profile.is_verified),
            "username" => json!(a.username),
            _ => json!(0),
        };
        user.insert(name.to_string(), v);
    }
    api_ok(json!({ "user": user }), now)
}

/// `POST /v2/post/publish/creator_info/query/` (scope `video.publish`).
pub(super) async fn creator_info(State(sb): State<Sandbox>, headers: HeaderMap) -> Response {
    let caller = match authenticate(&sb, &headers, limits::CREATOR_INFO, &["video.publish"]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let a = &caller.account;
    let avatar = sb.url(&a.avatar_path(PLATFORM)).to_string();
    sb.read_state(|st| {
        let now = st.now();
        let settings = &st.tiktok.settings;
        if let Some(r) = daily_cap_error(st, &a.id, now) {
            return r;
        }
        let profile = CreatorProfile::of(a);
        let data: Value = json!({
            "creator_avatar_url": avatar,
            "creator_username": a.username,
            "creator_nickname": a.display_name,
            "privacy_level_options": profile.privacy_options(settings.audited),
            "comment_disabled": profile.comment_disabled,
            "duet_disabled": profile.duet_disabled,
            "stitch_disabled": profile.stitch_disabled,
            "max_video_post_duration_sec": profile.max_video_post_duration_sec,
        });
        api_ok(data, now)
    })
}
