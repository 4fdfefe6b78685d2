//! `POST /2/tweets`, `DELETE /2/tweets/{id}`, `GET /2/users/me`.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::{
    Caller, MediaKind, PLATFORM, ProcessingState, Tweet, authenticate, bad_request, forbidden,
    invalid_request, json_response, limits, not_found, text,
};
use crate::core::received::{ReceivedMedia, ReceivedPost};
use crate::core::sandbox::Sandbox;
use crate::core::util::{content_type, parse_query};

/// Top-level fields of `CreatePostsRequest` (`additionalProperties: false`).
const TWEET_FIELDS: &[&str] = &[
    "card_uri",
    "community_id",
    "direct_message_deep_link",
    "edit_options",
    "for_super_followers_only",
    "geo",
    "made_with_ai",
    "media",
    "nullcast",
    "paid_partnership",
    "poll",
    "quote_tweet_id",
    "reply",
    "reply_settings",
    "share_with_followers",
    "text",
];

const REPLY_SETTINGS: &[&str] = &["following", "mentionedUsers", "subscribers", "verified"];

/// `^[0-9]{1,19}$`
pub(super) fn is_id(s: &str) -> bool {
    (1..=19).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

fn extra_property(path: &str, key: &str) -> Response {
    invalid_request(
        &format!(
            "{path}.{key}: is not defined in the schema and the schema does not allow additional properties"
        ),
        None,
    )
}

fn check_keys(obj: &Map<String, Value>, allowed: &[&str], path: &str) -> Result<(), Response> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(extra_property(path, k)),
        None => Ok(()),
    }
}

fn id_list(v: &Value, path: &str, min: usize, max: usize) -> Result<Vec<String>, Response> {
    let Some(arr) = v.as_array() else {
        return Err(invalid_request(&format!("{path}: array expected"), None));
    };
    if arr.len() < min || arr.len() > max {
        return Err(invalid_request(
            &format!("{path}: must contain between {min} and {max} items"),
            None,
        ));
    }
    let mut out = Vec::with_capacity(arr.len());
    for item in arr {
        match item.as_str() {
            Some(s) if is_id(s) => out.push(s.to_string()),
            _ => {
                return Err(invalid_request(
                    &format!("{path}: items must match ^[0-9]{{1,19}}$"),
                    None,
                ));
            }
        }
    }
    Ok(out)
}

/// A validated create request.
struct CreateRequest {
    text: String,
    reply_to: Option<String>,
    media_ids: Vec<String>,
    quote_tweet_id: Option<String>,
}

fn validate_body(
    body: &[u8],
    headers: &HeaderMap,
    max_len: u32,
) -> Result<CreateRequest, Response> {
    if content_type(headers).as_deref() != Some("application/json") {
        return Err(invalid_request(
            "Content-Type must be application/json",
            None,
        ));
    }
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid_request("Request body is not valid JSON", None));
    };
    let Value::Object(obj) = v else {
        return Err(invalid_request("$: object expected", None));
    };
    check_keys(&obj, TWEET_FIELDS, "$")?;

    let text = match obj.get("text") {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid_request("$.text: string expected", None)),
    };

    let reply_to = match obj.get("reply") {
        None => None,
        Some(Value::Object(r)) => {
            check_keys(
                r,
                &[
                    "in_reply_to_tweet_id",
                    "exclude_reply_user_ids",
                    "auto_populate_reply_metadata",
                ],
                "$.reply",
            )?;
            let id = match r.get("in_reply_to_tweet_id") {
                Some(Value::String(s)) if is_id(s) => s.clone(),
                Some(_) => {
                    return Err(invalid_request(
                        "$.reply.in_reply_to_tweet_id: must match ^[0-9]{1,19}$",
                        None,
                    ));
                }
                None => {
                    return Err(invalid_request(
                        "$.reply.in_reply_to_tweet_id: is missing but it is required",
                        None,
                    ));
                }
            };
            if let Some(ex) = r.get("exclude_reply_user_ids") {
                id_list(ex, "$.reply.exclude_reply_user_ids", 0, usize::MAX)?;
            }
            if let Some(a) = r.get("auto_populate_reply_metadata")
                && !a.is_boolean()
            {
                return Err(invalid_request(
                    "$.reply.auto_populate_reply_metadata: boolean expected",
                    None,
                ));
            }
            Some(id)
        }
        Some(_) => return Err(invalid_request("$.reply: object expected", None)),
    };

    let media_ids = match obj.get("media") {
        None => Vec::new(),
        Some(Value::Object(m)) => {
            check_keys(m, &["media_ids", "tagged_user_ids"], "$.media")?;
            let Some(ids) = m.get("media_ids") else {
                return Err(invalid_request(
                    "$.media.media_ids: is missing but it is required",
                    None,
                ));
            };
            let ids = id_list(ids, "$.media.media_ids", 1, 4)?;
            if let Some(t) = m.get("tagged_user_ids") {
                id_list(t, "$.media.tagged_user_ids", 0, 10)?;
            }
            ids
        }
        Some(_) => return Err(invalid_request("$.media: object expected", None)),
    };

    if let Some(p) = obj.get("poll") {
        let Value::Object(p) = p else {
            return Err(invalid_request("$.poll: object expected", None));
        };
        check_keys(
            p,
            &["options", "duration_minutes", "reply_settings"],
            "$.poll",
        )?;
        let options_ok = p.get("options").and_then(Value::as_array).is_some_and(|o| {
            (2..=4).contains(&o.len())
                && o.iter().all(|s| {
                    s.as_str()
                        .is_some_and(|s| (1..=25).contains(&s.chars().count()))
                })
        });
        if !options_ok {
            return Err(invalid_request(
                "$.poll.options: 2 to 4 options of 1 to 25 characters are required",
                None,
            ));
        }
        let duration_ok = p
            .get("duration_minutes")
            .and_then(Value::as_i64)
            .is_some_and(|d| (5..=10080).contains(&d));
        if !duration_ok {
            return Err(invalid_request(
                "$.poll.duration_minutes: must be an integer between 5 and 10080",
                None,
            ));
        }
    }

    let quote_tweet_id = match obj.get("quote_tweet_id") {
        None => None,
        Some(Value::String(s)) if is_id(s) => Some(s.clone()),
        Some(_) => {
            return Err(invalid_request(
                "$.quote_tweet_id: must match ^[0-9]{1,19}$",
                None,
            ));
        }
    };

    if let Some(rs) = obj.get("reply_settings")
        && !rs.as_str().is_some_and(|s| REPLY_SETTINGS.contains(&s))
    {
        return Err(invalid_request(
            "$.reply_settings: must be one of [following, mentionedUsers, subscribers, verified]",
            None,
        ));
    }

    let exclusive = [
        obj.contains_key("media"),
        obj.contains_key("poll"),
        obj.contains_key("quote_tweet_id"),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if exclusive > 1 {
        return Err(invalid_request(
            "$: only one of [media, poll, quote_tweet_id] may be provided",
            None,
        ));
    }

    if text.is_empty() && media_ids.is_empty() {
        return Err(invalid_request(
            "$.text: text is required unless media is provided",
            Some(("text", "")),
        ));
    }
    if !text.is_empty() {
        let parsed = text::parse(&text);
        if parsed.has_invalid_chars {
            return Err(invalid_request(
                "$.text: the text contains invalid characters",
                None,
            ));
        }
        if parsed.weighted_length > max_len {
            return Err(invalid_request(
                &format!(
                    "$.text: Post text is too long (weighted length {} > {max_len})",
                    parsed.weighted_length
                ),
                None,
            ));
        }
    }
    Ok(CreateRequest {
        text,
        reply_to,
        media_ids,
        quote_tweet_id,
    })
}

const INVALID_MEDIA: &str = "Your media IDs are invalid.";

/// `POST /2/tweets`.
pub(super) async fn create(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        limits::CREATE_TWEET,
        &["tweet.read", "tweet.write", "users.read"],
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let max_len = sb.read_state(|st| st.x.settings.max_weighted_length);
    let req = match validate_body(&body, &headers, max_len) {
        Ok(r) => r,
        Err(r) => return caller.finish(r),
    };
    caller.finish(create_post(&sb, &caller, req))
}

fn create_post(sb: &Sandbox, caller: &Caller, req: CreateRequest) -> Response {
    let account = &caller.account;
    sb.with_state(|st| {
        let now = st.now();
        if let Some(parent) = &req.reply_to
            && st.x.tweets.get(parent).is_none_or(|t| t.deleted)
        {
            return forbidden(
                "You attempted to reply to a Tweet that is deleted or not visible to you.",
            );
        }
        if let Some(q) = &req.quote_tweet_id
            && st.x.tweets.get(q).is_none_or(|t| t.deleted)
        {
            return forbidden(
                "You attempted to quote a Tweet that is deleted or not visible to you.",
            );
        }
        let mut media = Vec::new();
        for id in &req.media_ids {
            let Some(m) = st.x.media.get(id) else {
                return bad_request(INVALID_MEDIA);
            };
            let ready = m.finalized
                && matches!(m.processing, None | Some(ProcessingState::Succeeded))
                && m.usable_by(&account.id)
                && m.expires_at > now
                && m.kind != MediaKind::Subtitles;
            if !ready {
                return bad_request(INVALID_MEDIA);
            }
            media.push(m.clone());
        }
        let videos_or_gifs = media
            .iter()
            .filter(|m| matches!(m.kind, MediaKind::Video | MediaKind::Gif))
            .count();
        if videos_or_gifs > 0 && media.len() > 1 {
            return bad_request(INVALID_MEDIA);
        }
        if st.x.settings.reject_duplicates
            && !req.text.is_empty()
            && st
                .x
                .tweets
                .values()
                .any(|t| !t.deleted && t.author_id == account.id && t.text == req.text)
        {
            return forbidden("You are not allowed to create a Tweet with duplicate content.");
        }
        let id = st.next_snowflake().to_string();
        st.x.tweets.insert(
            id.clone(),
            Tweet {
                id: id.clone(),
                author_id: account.id.clone(),
                text: req.text.clone(),
                reply_to: req.reply_to.clone(),
                media_ids: req.media_ids.clone(),
                created_at: now,
                deleted: false,
            },
        );
        let received_media = media
            .iter()
            .map(|m| ReceivedMedia {
                kind: m.kind.as_str().to_string(),
                mime: m.media_type.clone(),
                size: m.size,
                sha256: m.sha256.clone(),
                remote_id: m.media_key.clone(),
                alt_text: None,
            })
            .collect();
        st.core(PLATFORM).record_post(ReceivedPost {
            platform: PLATFORM.into(),
            account_id: account.id.clone(),
            username: account.username.clone(),
            remote_id: id.clone(),
            text: req.text.clone(),
            media: received_media,
            reply_to: req.reply_to.clone(),
            created_at: now,
            deleted: false,
            deleted_at: None,
            extra: match &req.quote_tweet_id {
                Some(q) => json!({ "quote_tweet_id": q }),
                None => Value::Null,
            },
        });
        json_response(
            StatusCode::CREATED,
            json!({ "data": { "id": id, "text": req.text, "edit_history_tweet_ids": [id] } }),
        )
    })
}

/// `DELETE /2/tweets/{id}`.
pub(super) async fn delete(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        limits::DELETE_TWEET,
        &["tweet.read", "tweet.write", "users.read"],
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !is_id(&id) {
        return caller.finish(invalid_request(
            &format!("The `id` query parameter value [{id}] does not match ^[0-9]{{1,19}}$"),
            Some(("id", &id)),
        ));
    }
    let r = sb.with_state(|st| {
        let now = st.now();
        let Some(t) = st.x.tweets.get_mut(&id).filter(|t| !t.deleted) else {
            return not_found("tweet", &id, "id");
        };
        if t.author_id != caller.account.id {
            return forbidden("You are not allowed to delete this Tweet.");
        }
        t.deleted = true;
        st.core(PLATFORM).mark_deleted(&id, now);
        json_response(StatusCode::OK, json!({ "data": { "deleted": true } }))
    });
    caller.finish(r)
}

const USER_FIELDS: &[&str] = &[
    "affiliation",
    "confirmed_email",
    "connection_status",
    "created_at",
    "description",
    "entities",
    "id",
    "is_identity_verified",
    "location",
    "most_recent_tweet_id",
    "name",
    "parody",
    "pinned_tweet_id",
    "profile_banner_url",
    "profile_image_url",
    "protected",
    "public_metrics",
    "receives_your_dm",
    "subscription",
    "subscription_type",
    "url",
    "username",
    "verified",
    "verified_followers_count",
    "verified_type",
    "withheld",
];

/// `GET /2/users/me`.
pub(super) async fn users_me(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        limits::USERS_ME,
        &["tweet.read", "users.read"],
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let params = parse_query(q.as_deref());
    let known = ["user.fields", "expansions", "tweet.fields"];
    let unknown: Vec<&str> = params
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !known.contains(k))
        .collect();
    if !unknown.is_empty() {
        return caller.finish(invalid_request(
            &format!(
                "The query parameters [{}] is not one of [expansions,tweet.fields,user.fields]",
                unknown.join(",")
            ),
            None,
        ));
    }
    let mut fields: Vec<&str> = Vec::new();
    for (_, v) in params.iter().filter(|(k, _)| k == "user.fields") {
        for f in v.split(',').filter(|f| !f.is_empty()) {
            if !USER_FIELDS.contains(&f) {
                return caller.finish(invalid_request(
                    &format!(
                        "The `user.fields` query parameter value [{f}] is not one of [{}]",
                        USER_FIELDS.join(",")
                    ),
                    Some(("user.fields", f)),
                ));
            }
            fields.push(f);
        }
    }
    let a = &caller.account;
    let avatar = sb.url(&a.avatar_path(PLATFORM)).to_string();
    let posts = sb.read_state(|st| {
        st.x.tweets
            .values()
            .filter(|t| t.author_id == a.id && !t.deleted)
            .count()
    });
    let mut data = json!({ "id": a.id, "name": a.display_name, "username": a.username });
    if let Some(obj) = data.as_object_mut() {
        for f in fields {
            let v = match f {
                "profile_image_url" => json!(avatar),
                "created_at" => json!("2022-03-01T12:00:00.000Z"),
                "description" => json!(format!(
                    "Demo account of the CreatorFlow sandbox (@{}).",
                    a.username
                )),
                "protected" => json!(false),
                "verified" => json!(false),
                "verified_type" => json!("none"),
                "location" => json!("127.0.0.1"),
                "url" => json!(""),
                "public_metrics" => json!({
                    "followers_count": 1200, "following_count": 180,
                    "tweet_count": posts, "listed_count": 3, "like_count": 42
                }),
                _ => continue,
            };
            obj.insert(f.to_string(), v);
        }
    }
    caller.finish(json_response(StatusCode::OK, json!({ "data": data })))
}

/// `GET /x/{username}/status/{id}`: the post as a page, where a link to a
/// published post leads (https://x.com/{username}/status/{id} on X).
pub(super) async fn status_page(
    State(sb): State<Sandbox>,
    Path((username, id)): Path<(String, String)>,
) -> Response {
    use crate::core::util::html_escape;
    use axum::response::{Html, IntoResponse};
    let found = sb.read_state(|st| {
        let tweet = st.x.tweets.get(&id).filter(|t| !t.deleted)?.clone();
        let author = st
            .core_ref(PLATFORM)
            .and_then(|c| c.account(&tweet.author_id).cloned())?;
        Some((tweet, author))
    });
    let Some((tweet, author)) = found.filter(|(_, a)| a.username.eq_ignore_ascii_case(&username))
    else {
        let html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Page not found \
                    (CreatorFlow sandbox)</title></head><body style=\"font-family:sans-serif;\
                    max-width:36em;margin:3em auto\"><h1>Hmm...this page doesn’t exist.</h1>\
                    <p>Try searching for something else.</p></body></html>";
        return (StatusCode::NOT_FOUND, Html(html)).into_response();
    };
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{name} on X: \"{text}\" \
         (CreatorFlow sandbox)</title></head><body style=\"font-family:sans-serif;max-width:36em;\
         margin:3em auto\"><p><small>CreatorFlow sandbox &middot; emulated X</small></p>\
         <h1 data-testid=\"sandbox-x-user\">{name} <small>@{user}</small></h1>\
         <p data-testid=\"sandbox-x-text\" style=\"white-space:pre-wrap\">{text}</p>\
         <p>{media} media &middot; post <code>{id}</code>{reply} &middot; {time}</p></body></html>",
        name = html_escape(&author.display_name),
        user = html_escape(&author.username),
        text = html_escape(&tweet.text),
        media = tweet.media_ids.len(),
        id = html_escape(&tweet.id),
        reply = tweet
            .reply_to
            .as_deref()
            .map(|r| format!(" &middot; reply to <code>{}</code>", html_escape(r)))
            .unwrap_or_default(),
        time = tweet.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
    );
    Html(html).into_response()
}
