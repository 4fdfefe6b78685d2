//! `POST /rest/posts`, `DELETE /rest/posts/{urn}` and comments
//! (`POST /rest/socialActions/{urn}/comments`, `POST /v2/socialActions/{urn}/comments`).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::media::settle;
use super::text::{self, Rendered};
use super::{
    Api, AssetKind, AssetStatus, Caller, Comment, LinkedInSettings, PLATFORM, Post,
    ReservedCharMode, UgcPostIds, access_denied, authenticate, bad_request, json_body,
    json_response, li_error, limits, not_found, pages, path_urn, unprocessable,
};
use crate::core::received::{ReceivedMedia, ReceivedPost};
use crate::core::sandbox::Sandbox;

const POST_FIELDS: &[&str] = &[
    "author",
    "commentary",
    "visibility",
    "distribution",
    "lifecycleState",
    "isReshareDisabledByAuthor",
    "content",
    "contentLandingPage",
    "contentCallToActionLabel",
    "reshareContext",
    "container",
    "adContext",
];
const VISIBILITY: &[&str] = &["PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"];
const FEED_DISTRIBUTION: &[&str] = &["MAIN_FEED", "NONE"];
const LIFECYCLE: &[&str] = &["PUBLISHED", "DRAFT"];
/// Longest comment text (characters).
pub const MAX_COMMENT_LENGTH: usize = 1250;

fn unrecognized(path: &str) -> Response {
    unprocessable(
        path,
        "UNRECOGNIZED_FIELD",
        "unrecognized field found but not allowed",
    )
}

fn required(path: &str) -> Response {
    unprocessable(
        path,
        "MISSING_FIELD",
        "field is required but not found and has no default value",
    )
}

fn check_keys(obj: &Map<String, Value>, allowed: &[&str], path: &str) -> Result<(), Response> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(unrecognized(&format!("{path}/{k}"))),
        None => Ok(()),
    }
}

fn string_field<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, Response> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(unprocessable(
            &format!("{path}/{key}"),
            "INVALID_TYPE",
            &format!("{v} is not a string"),
        )),
    }
}

fn enum_field(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    allowed: &[&str],
) -> Result<String, Response> {
    let field = format!("{path}/{key}");
    match string_field(obj, key, path)? {
        None => Err(required(&field)),
        Some(v) if allowed.contains(&v) => Ok(v.to_string()),
        Some(v) => Err(unprocessable(
            &field,
            "INVALID_ENUM_VALUE",
            &format!("\"{v}\" is not an enum symbol"),
        )),
    }
}

/// `urn:li:person:<id>` or `urn:li:organization:<digits>`.
fn is_author_urn(s: &str) -> bool {
    if let Some(id) = s.strip_prefix("urn:li:person:") {
        return !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    }
    s.strip_prefix("urn:li:organization:")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// `urn:li:share:<n>` or `urn:li:ugcPost:<n>`.
pub(super) fn is_post_urn(s: &str) -> bool {
    s.strip_prefix("urn:li:share:")
        .or_else(|| s.strip_prefix("urn:li:ugcPost:"))
        .is_some_and(|id| {
            !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
        })
}

fn media_urn(v: Option<&Value>, path: &str, kinds: &[&str]) -> Result<String, Response> {
    match v {
        None => Err(required(path)),
        Some(Value::String(s))
            if kinds.iter().any(|k| {
                s.strip_prefix(&format!("urn:li:{k}:"))
                    .is_some_and(|id| !id.is_empty())
            }) =>
        {
            Ok(s.clone())
        }
        Some(v) => Err(unprocessable(
            path,
            "INVALID_URN",
            &format!(
                "{v} is not a valid urn:li:{} urn",
                kinds.join(" or urn:li:")
            ),
        )),
    }
}

/// A media item of a post: the JSON path that named it, its URN, and the alt text
/// or title sent with it.
#[derive(Clone, Debug)]
struct MediaRef {
    path: String,
    urn: String,
    alt_text: Option<String>,
    title: Option<String>,
}

type MediaRefs = Vec<MediaRef>;

/// A validated create request.
struct CreatePost {
    author: String,
    commentary: String,
    visibility: String,
    feed_distribution: String,
    lifecycle_state: String,
    /// `isReshareDisabledByAuthor` (default false).
    reshare_disabled: bool,
    /// Referenced media, in order.
    media: MediaRefs,
    article: Option<Value>,
    /// The `content` object as sent (kept on the post and in the received record).
    content: Value,
}

/// An optional `altText` of at most `max` characters.
fn alt_text(obj: &Map<String, Value>, path: &str, max: usize) -> Result<Option<String>, Response> {
    let Some(alt) = string_field(obj, "altText", path)? else {
        return Ok(None);
    };
    let len = alt.chars().count();
    if len > max {
        return Err(unprocessable(
            &format!("{path}/altText"),
            "FIELD_LENGTH_TOO_LONG",
            &format!("length of altText {len} exceeds the maximum allowed length {max}"),
        ));
    }
    Ok(Some(alt.to_string()))
}

fn validate_content(
    content: &Value,
    settings: &LinkedInSettings,
) -> Result<(MediaRefs, Option<Value>), Response> {
    let Value::Object(c) = content else {
        return Err(unprocessable(
            "/content",
            "INVALID_TYPE",
            "content must be an object",
        ));
    };
    if c.len() != 1 {
        return Err(unprocessable(
            "/content",
            "INVALID_VALUE",
            "content must have exactly one member (media, multiImage or article)",
        ));
    }
    let max_alt = settings.max_alt_text_length;
    let mut media = Vec::new();
    let mut article = None;
    if let Some(m) = c.get("media") {
        let Value::Object(m) = m else {
            return Err(unprocessable(
                "/content/media",
                "INVALID_TYPE",
                "media must be an object",
            ));
        };
        check_keys(m, &["id", "altText", "title"], "/content/media")?;
        let alt = alt_text(m, "/content/media", max_alt)?;
        let title = string_field(m, "title", "/content/media")?.map(str::to_string);
        let id = media_urn(
            m.get("id"),
            "/content/media/id",
            &["image", "video", "document"],
        )?;
        if id.starts_with("urn:li:document:")
            && title.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            return Err(required("/content/media/title"));
        }
        media.push(MediaRef {
            path: "/content/media/id".to_string(),
            urn: id,
            alt_text: alt,
            title,
        });
    } else if let Some(mi) = c.get("multiImage") {
        let Value::Object(mi) = mi else {
            return Err(unprocessable(
                "/content/multiImage",
                "INVALID_TYPE",
                "multiImage must be an object",
            ));
        };
        check_keys(mi, &["images", "altText"], "/content/multiImage")?;
        alt_text(mi, "/content/multiImage", max_alt)?;
        let Some(Value::Array(images)) = mi.get("images") else {
            return Err(required("/content/multiImage/images"));
        };
        if !(2..=20).contains(&images.len()) {
            return Err(unprocessable(
                "/content/multiImage/images",
                "INVALID_ARRAY_SIZE",
                "a multiImage post needs between 2 and 20 images",
            ));
        }
        for (i, img) in images.iter().enumerate() {
            let path = format!("/content/multiImage/images/{i}");
            let Value::Object(img) = img else {
                return Err(unprocessable(
                    &path,
                    "INVALID_TYPE",
                    "image must be an object",
                ));
            };
            check_keys(img, &["id", "altText"], &path)?;
            let alt = alt_text(img, &path, max_alt)?;
            let id = media_urn(img.get("id"), &format!("{path}/id"), &["image"])?;
            media.push(MediaRef {
                path: format!("{path}/id"),
                urn: id,
                alt_text: alt,
                title: None,
            });
        }
    } else if let Some(a) = c.get("article") {
        let Value::Object(a) = a else {
            return Err(unprocessable(
                "/content/article",
                "INVALID_TYPE",
                "article must be an object",
            ));
        };
        check_keys(
            a,
            &[
                "source",
                "title",
                "description",
                "thumbnail",
                "thumbnailAltText",
            ],
            "/content/article",
        )?;
        let source = string_field(a, "source", "/content/article")?
            .ok_or_else(|| required("/content/article/source"))?;
        let valid_url = url::Url::parse(source)
            .ok()
            .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        if !valid_url {
            return Err(unprocessable(
                "/content/article/source",
                "INVALID_URL",
                &format!("\"{source}\" is not a valid URL"),
            ));
        }
        match string_field(a, "title", "/content/article")? {
            Some(t) if !t.trim().is_empty() => {}
            _ => return Err(required("/content/article/title")),
        }
        string_field(a, "description", "/content/article")?;
        let thumb_alt = string_field(a, "thumbnailAltText", "/content/article")?;
        if let Some(alt) = thumb_alt
            && alt.chars().count() > max_alt
        {
            return Err(unprocessable(
                "/content/article/thumbnailAltText",
                "FIELD_LENGTH_TOO_LONG",
                &format!(
                    "length of thumbnailAltText {} exceeds the maximum allowed length {max_alt}",
                    alt.chars().count()
                ),
            ));
        }
        if a.contains_key("thumbnail") {
            let id = media_urn(a.get("thumbnail"), "/content/article/thumbnail", &["image"])?;
            media.push(MediaRef {
                path: "/content/article/thumbnail".to_string(),
                urn: id,
                alt_text: thumb_alt.map(str::to_string),
                title: None,
            });
        }
        article = Some(Value::Object(a.clone()));
    } else {
        let key = c.keys().next().cloned().unwrap_or_default();
        return Err(unprocessable(
            &format!("/content/{key}"),
            "UNSUPPORTED_CONTENT",
            "this content type is not supported by the sandbox (media, multiImage, article)",
        ));
    }
    Ok((media, article))
}

fn validate_post(
    obj: &Map<String, Value>,
    settings: &LinkedInSettings,
) -> Result<CreatePost, Response> {
    check_keys(obj, POST_FIELDS, "")?;
    let author = match string_field(obj, "author", "")? {
        None => return Err(required("/author")),
        Some(a) if is_author_urn(a) => a.to_string(),
        Some(a) => {
            return Err(unprocessable(
                "/author",
                "INVALID_URN",
                &format!("\"{a}\" is not a valid person or organization urn"),
            ));
        }
    };
    let commentary = string_field(obj, "commentary", "")?
        .unwrap_or("")
        .to_string();
    let len = commentary.chars().count();
    if len > settings.max_commentary_length {
        return Err(unprocessable(
            "/commentary",
            "FIELD_LENGTH_TOO_LONG",
            &format!(
                "length of commentary {len} exceeds the maximum allowed length {}",
                settings.max_commentary_length
            ),
        ));
    }
    let visibility = enum_field(obj, "visibility", "", VISIBILITY)?;
    let feed_distribution = match obj.get("distribution") {
        None => return Err(required("/distribution")),
        Some(Value::Object(d)) => {
            check_keys(
                d,
                &[
                    "feedDistribution",
                    "targetEntities",
                    "thirdPartyDistributionChannels",
                ],
                "/distribution",
            )?;
            for k in ["targetEntities", "thirdPartyDistributionChannels"] {
                if d.get(k).is_some_and(|v| !v.is_array()) {
                    return Err(unprocessable(
                        &format!("/distribution/{k}"),
                        "INVALID_TYPE",
                        "an array is expected",
                    ));
                }
            }
            enum_field(d, "feedDistribution", "/distribution", FEED_DISTRIBUTION)?
        }
        Some(_) => {
            return Err(unprocessable(
                "/distribution",
                "INVALID_TYPE",
                "distribution must be an object",
            ));
        }
    };
    let lifecycle_state = enum_field(obj, "lifecycleState", "", LIFECYCLE)?;
    let reshare_disabled = match obj.get("isReshareDisabledByAuthor") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(unprocessable(
                "/isReshareDisabledByAuthor",
                "INVALID_TYPE",
                "a boolean is expected",
            ));
        }
    };
    let (media, article) = match obj.get("content") {
        Some(c) => validate_content(c, settings)?,
        None => (Vec::new(), None),
    };
    if media.is_empty() && article.is_none() && commentary.trim().is_empty() {
        return Err(required("/commentary"));
    }
    Ok(CreatePost {
        author,
        commentary,
        visibility,
        feed_distribution,
        lifecycle_state,
        reshare_disabled,
        media,
        article,
        content: obj.get("content").cloned().unwrap_or(Value::Null),
    })
}

/// Renders a commentary according to the `reserved_chars` setting, or the 422 of
/// the `reject` mode.
fn render_commentary(raw: &str, mode: ReservedCharMode, path: &str) -> Result<Rendered, Response> {
    let r = text::render(raw, mode == ReservedCharMode::Truncate);
    if let (ReservedCharMode::Reject, Some((at, c))) = (mode, r.violation) {
        return Err(unprocessable(
            path,
            "INVALID_LITTLE_TEXT",
            &format!("unescaped reserved character '{c}' at index {at}"),
        ));
    }
    Ok(r)
}

fn text_extra(r: &Rendered, raw: &str, mode: ReservedCharMode) -> Map<String, Value> {
    let mut extra = Map::new();
    extra.insert("commentary".into(), json!(raw));
    extra.insert(
        "truncated".into(),
        json!(mode == ReservedCharMode::Truncate && r.violation.is_some()),
    );
    extra.insert(
        "mentions".into(),
        json!(
            r.mentions
                .iter()
                .map(|m| json!({ "name": m.name, "urn": m.urn }))
                .collect::<Vec<_>>()
        ),
    );
    extra.insert("hashtags".into(), json!(r.hashtags));
    if let Some((at, c)) = r.violation {
        extra.insert(
            "unescaped_reserved".into(),
            json!({ "index": at, "char": c.to_string() }),
        );
    }
    extra
}

fn created(urn: &str, body: Option<Value>) -> Response {
    let mut r = match body {
        Some(b) => json_response(StatusCode::CREATED, &b),
        None => StatusCode::CREATED.into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(urn) {
        r.headers_mut().insert("x-restli-id", v);
    }
    r
}

/// `POST /rest/posts`.
pub(super) async fn create(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        Api::Rest,
        limits::CREATE_POST,
        &["w_member_social"],
        "partnerApiPostsExternal.CREATE",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let obj = match json_body(&headers, &body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let settings = sb.read_state(|st| st.linkedin.settings.clone());
    let req = match validate_post(&obj, &settings) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if req.author != caller.urn() {
        return access_denied(
            "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/author]",
        );
    }
    let rendered = match render_commentary(&req.commentary, settings.reserved_chars, "/commentary")
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    create_post(&sb, &caller, req, rendered)
}

/// LinkedIn's 422 for a commentary the author posted already
/// (`Content is a duplicate of <urn>`).
fn duplicate_post(of: &str) -> Response {
    let body = json!({
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "message": format!(
            "com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of {of}"
        ),
        "errorDetails": {
            "inputErrors": [{
                "description": "Duplicate post is detected",
                "input": {},
                "code": "DUPLICATE_POST",
            }]
        },
        "status": 422,
    });
    json_response(StatusCode::UNPROCESSABLE_ENTITY, &body)
}

/// The newest post of the same author with the same commentary and the same
/// content (media, article) within the duplicate window; deleted posts count
/// (LinkedIn still refuses the text after a delete).
fn find_duplicate(
    posts: &std::collections::BTreeMap<String, Post>,
    req: &CreatePost,
    settings: &LinkedInSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    if !settings.duplicate_check || req.commentary.trim().is_empty() {
        return None;
    }
    let window = chrono::Duration::seconds(settings.duplicate_window_secs);
    posts
        .values()
        .filter(|p| {
            p.author == req.author
                && p.commentary == req.commentary
                && p.content == req.content
                && now - p.created_at < window
        })
        .max_by_key(|p| p.created_at)
        .map(|p| p.urn.clone())
}

fn create_post(sb: &Sandbox, caller: &Caller, req: CreatePost, rendered: Rendered) -> Response {
    sb.with_state(|st| {
        let now = st.now();
        let settings = st.linkedin.settings.clone();
        let mut media = Vec::new();
        let mut documents = Vec::new();
        for m in &req.media {
            let (path, urn) = (&m.path, &m.urn);
            let Some(a) = st.linkedin.assets.get_mut(urn) else {
                return li_error(
                    StatusCode::BAD_REQUEST,
                    None,
                    Some("MEDIA_ASSET_NOT_FOUND"),
                    &format!("{path} :: media asset {urn} does not exist"),
                );
            };
            if a.owner != req.author {
                return access_denied(&format!(
                    "{path} :: media asset {urn} is not owned by {}",
                    req.author
                ));
            }
            settle(a, &settings, now);
            match a.status {
                AssetStatus::Available => {}
                AssetStatus::ProcessingFailed => {
                    return li_error(
                        StatusCode::BAD_REQUEST,
                        None,
                        Some("MEDIA_ASSET_PROCESSING_FAILED"),
                        &format!("{path} :: media asset {urn} failed processing"),
                    );
                }
                s => {
                    return li_error(
                        StatusCode::BAD_REQUEST,
                        None,
                        Some("MEDIA_ASSET_WAITING_UPLOAD"),
                        &format!(
                            "{path} :: media asset {urn} is not ready (status {})",
                            s.as_str()
                        ),
                    );
                }
            }
            if a.kind == AssetKind::Document {
                documents.push(json!({
                    "id": urn,
                    "title": m.title,
                    "pages": a.pages,
                    "mime": a.mime,
                    "size": a.size,
                }));
            }
            media.push(ReceivedMedia {
                kind: a.kind.as_str().to_string(),
                mime: a.mime.clone().unwrap_or_else(|| match a.kind {
                    AssetKind::Image => "image/jpeg".into(),
                    AssetKind::Video => "video/mp4".into(),
                    AssetKind::Document => "application/pdf".into(),
                }),
                size: a.size,
                sha256: a.sha256.clone(),
                remote_id: urn.clone(),
                alt_text: m.alt_text.clone(),
            });
        }
        // After the media checks: a post whose media is not ready is refused for
        // that first.
        if let Some(of) = find_duplicate(&st.linkedin.posts, &req, &settings, now) {
            return duplicate_post(&of);
        }
        st.linkedin.posts_created += 1;
        let ugc = match settings.ugc_post_ids {
            UgcPostIds::Never => false,
            UgcPostIds::Always => true,
            UgcPostIds::EveryNth(n) => n > 0 && st.linkedin.posts_created % n == 0,
        };
        let kind = if ugc { "ugcPost" } else { "share" };
        let urn = format!("urn:li:{kind}:{}", st.next_snowflake());
        st.linkedin.posts.insert(
            urn.clone(),
            Post {
                urn: urn.clone(),
                author: req.author.clone(),
                commentary: req.commentary.clone(),
                text: rendered.text.clone(),
                visibility: req.visibility.clone(),
                feed_distribution: req.feed_distribution.clone(),
                lifecycle_state: req.lifecycle_state.clone(),
                media: req.media.iter().map(|m| m.urn.clone()).collect(),
                created_at: now,
                deleted: false,
                content: req.content.clone(),
                edited_at: None,
                reshare_disabled: req.reshare_disabled,
            },
        );
        let mut extra = text_extra(&rendered, &req.commentary, settings.reserved_chars);
        extra.insert("visibility".into(), json!(req.visibility));
        extra.insert("feedDistribution".into(), json!(req.feed_distribution));
        extra.insert("lifecycleState".into(), json!(req.lifecycle_state));
        if let Some(a) = &req.article {
            extra.insert("article".into(), a.clone());
        }
        if !req.content.is_null() {
            extra.insert("content".into(), req.content.clone());
        }
        if let Some(d) = documents.first() {
            extra.insert("document".into(), d.clone());
        }
        extra.insert("url".into(), json!(pages::post_url(sb, &urn)));
        st.core(PLATFORM).record_post(ReceivedPost {
            platform: PLATFORM.into(),
            account_id: caller.account.id.clone(),
            username: caller.account.username.clone(),
            remote_id: urn.clone(),
            text: rendered.text.clone(),
            media,
            reply_to: None,
            created_at: now,
            deleted: false,
            deleted_at: None,
            extra: Value::Object(extra),
        });
        created(&urn, None)
    })
}

/// `DELETE /rest/posts/{urlencoded urn}`: 204, also when already deleted.
pub(super) async fn delete(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(urn): Path<String>,
    raw: Uri,
) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        Api::Rest,
        limits::DELETE_POST,
        &["w_member_social"],
        "partnerApiPostsExternal.DELETE",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let urn = match path_urn(&sb, &raw, urn) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !is_post_urn(&urn) {
        return bad_request(&format!("Invalid post urn \"{urn}\""));
    }
    sb.with_state(|st| {
        let now = st.now();
        let Some(p) = st.linkedin.posts.get_mut(&urn) else {
            return not_found(&format!("Post {urn} does not exist"));
        };
        if p.author != caller.urn() {
            return caller.denied("partnerApiPostsExternal.DELETE");
        }
        if !p.deleted {
            p.deleted = true;
            st.core(PLATFORM).mark_deleted(&urn, now);
        }
        StatusCode::NO_CONTENT.into_response()
    })
}

/// Fields a `PARTIAL_UPDATE` may `$set` on a post (Posts API "Update Posts").
const UPDATABLE: &[&str] = &[
    "commentary",
    "contentCallToActionLabel",
    "contentLandingPage",
    "lifecycleState",
    "adContext",
];

/// `POST /rest/posts/{urlencoded urn}` with `X-RestLi-Method: PARTIAL_UPDATE` and
/// `{"patch":{"$set":{"commentary":".."}}}`: 204. Only the author; the commentary
/// goes through the little-format rules again.
pub(super) async fn update(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(urn): Path<String>,
    raw: Uri,
    body: Bytes,
) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        Api::Rest,
        limits::UPDATE_POST,
        &["w_member_social"],
        "partnerApiPostsExternal.PARTIAL_UPDATE",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let urn = match path_urn(&sb, &raw, urn) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let method = headers
        .get("x-restli-method")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if !method.is_some_and(|m| m.eq_ignore_ascii_case("PARTIAL_UPDATE")) {
        return li_error(
            StatusCode::BAD_REQUEST,
            None,
            Some("ILLEGAL_ARGUMENT"),
            "A POST to a post entity needs the header X-RestLi-Method: PARTIAL_UPDATE",
        );
    }
    if !is_post_urn(&urn) {
        return bad_request(&format!("Invalid post urn \"{urn}\""));
    }
    let obj = match json_body(&headers, &body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = check_keys(&obj, &["patch"], "") {
        return r;
    }
    let patch = match obj.get("patch") {
        Some(Value::Object(p)) => p,
        Some(_) => return unprocessable("/patch", "INVALID_TYPE", "patch must be an object"),
        None => return required("/patch"),
    };
    if let Err(r) = check_keys(patch, &["$set"], "/patch") {
        return r;
    }
    let set = match patch.get("$set") {
        Some(Value::Object(s)) => s,
        Some(_) => {
            return unprocessable("/patch/$set", "INVALID_TYPE", "$set must be an object");
        }
        None => return required("/patch/$set"),
    };
    if let Some(k) = set.keys().find(|k| !UPDATABLE.contains(&k.as_str())) {
        return unprocessable(
            &format!("/patch/$set/{k}"),
            "UNUPDATABLE_FIELD",
            &format!("field {k} cannot be updated"),
        );
    }
    let settings = sb.read_state(|st| st.linkedin.settings.clone());
    let commentary = match string_field(set, "commentary", "/patch/$set") {
        Ok(c) => c.map(str::to_string),
        Err(r) => return r,
    };
    let lifecycle = if set.contains_key("lifecycleState") {
        match enum_field(set, "lifecycleState", "/patch/$set", LIFECYCLE) {
            Ok(l) => Some(l),
            Err(r) => return r,
        }
    } else {
        None
    };
    let rendered = match &commentary {
        Some(c) => {
            let len = c.chars().count();
            if len > settings.max_commentary_length {
                return unprocessable(
                    "/patch/$set/commentary",
                    "FIELD_LENGTH_TOO_LONG",
                    &format!(
                        "length of commentary {len} exceeds the maximum allowed length {}",
                        settings.max_commentary_length
                    ),
                );
            }
            match render_commentary(c, settings.reserved_chars, "/patch/$set/commentary") {
                Ok(r) => Some(r),
                Err(r) => return r,
            }
        }
        None => None,
    };
    sb.with_state(|st| {
        let now = st.now();
        let Some(p) = st.linkedin.posts.get_mut(&urn).filter(|p| !p.deleted) else {
            return not_found(&format!("Post {urn} does not exist"));
        };
        if p.author != caller.urn() {
            return caller.denied("partnerApiPostsExternal.PARTIAL_UPDATE");
        }
        if let (Some(c), Some(r)) = (&commentary, &rendered) {
            p.commentary = c.clone();
            p.text = r.text.clone();
        }
        if let Some(l) = &lifecycle {
            p.lifecycle_state = l.clone();
        }
        p.edited_at = Some(now);
        let core = st.core(PLATFORM);
        if let Some(rec) = core.received.iter_mut().find(|r| r.remote_id == urn) {
            if !rec.extra.is_object() {
                rec.extra = json!({});
            }
            if let Some(extra) = rec.extra.as_object_mut() {
                if let (Some(c), Some(r)) = (&commentary, &rendered) {
                    rec.text = r.text.clone();
                    for k in ["truncated", "unescaped_reserved"] {
                        extra.remove(k);
                    }
                    extra.extend(text_extra(r, c, settings.reserved_chars));
                }
                if let Some(l) = &lifecycle {
                    extra.insert("lifecycleState".into(), json!(l));
                }
                for (k, v) in set {
                    if !matches!(k.as_str(), "commentary" | "lifecycleState") {
                        extra.insert(k.clone(), v.clone());
                    }
                }
                let edits = extra.get("edits").and_then(Value::as_u64).unwrap_or(0) + 1;
                extra.insert("edits".into(), json!(edits));
                extra.insert("edited_at".into(), json!(now));
            }
        }
        StatusCode::NO_CONTENT.into_response()
    })
}

/// `POST /rest/socialActions/{urn}/comments`.
pub(super) async fn comment_rest(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(urn): Path<String>,
    raw: Uri,
    body: Bytes,
) -> Response {
    comment(&sb, &headers, Api::Rest, (urn, &raw), &body)
}

/// `POST /v2/socialActions/{urn}/comments`.
pub(super) async fn comment_v2(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(urn): Path<String>,
    raw: Uri,
    body: Bytes,
) -> Response {
    comment(&sb, &headers, Api::V2, (urn, &raw), &body)
}

fn comment(
    sb: &Sandbox,
    headers: &HeaderMap,
    api: Api,
    (target, raw): (String, &Uri),
    body: &[u8],
) -> Response {
    let caller = match authenticate(
        sb,
        headers,
        api,
        limits::CREATE_COMMENT,
        &["w_member_social"],
        "comments.CREATE",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let target = match path_urn(sb, raw, target) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let target = target.as_str();
    if !is_post_urn(target) {
        return bad_request(&format!("Invalid urn \"{target}\""));
    }
    let obj = match json_body(headers, body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = check_keys(
        &obj,
        &["actor", "object", "message", "parentComment", "content"],
        "",
    ) {
        return r;
    }
    let actor = match string_field(&obj, "actor", "") {
        Ok(Some(a)) => a.to_string(),
        Ok(None) => return required("/actor"),
        Err(r) => return r,
    };
    match string_field(&obj, "object", "") {
        Ok(None) => {}
        Ok(Some(o)) if o == target => {}
        Ok(Some(o)) => {
            return unprocessable(
                "/object",
                "INVALID_VALUE",
                &format!("\"{o}\" does not match the urn of the path {target}"),
            );
        }
        Err(r) => return r,
    }
    let raw = match obj.get("message") {
        Some(Value::Object(m)) => match string_field(m, "text", "/message") {
            Ok(Some(t)) if !t.trim().is_empty() => t.to_string(),
            Ok(_) => return required("/message/text"),
            Err(r) => return r,
        },
        Some(_) => {
            return unprocessable("/message", "INVALID_TYPE", "message must be an object");
        }
        None => return required("/message"),
    };
    let len = raw.chars().count();
    if len > MAX_COMMENT_LENGTH {
        return unprocessable(
            "/message/text",
            "FIELD_LENGTH_TOO_LONG",
            &format!(
                "length of message text {len} exceeds the maximum allowed length {MAX_COMMENT_LENGTH}"
            ),
        );
    }
    if actor != caller.urn() {
        return access_denied(
            "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/actor]",
        );
    }
    let mode = sb.read_state(|st| st.linkedin.settings.reserved_chars);
    let rendered = match render_commentary(&raw, mode, "/message/text") {
        Ok(r) => r,
        Err(r) => return r,
    };
    sb.with_state(|st| {
        let now = st.now();
        if st.linkedin.posts.get(target).is_none_or(|p| p.deleted) {
            return not_found(&format!("Post {target} does not exist"));
        }
        let id = st.next_snowflake().to_string();
        let urn = format!("urn:li:comment:({target},{id})");
        st.linkedin.comments.insert(
            urn.clone(),
            Comment {
                urn: urn.clone(),
                id: id.clone(),
                object: target.to_string(),
                actor: actor.clone(),
                text: rendered.text.clone(),
                created_at: now,
            },
        );
        let mut extra = text_extra(&rendered, &raw, mode);
        extra.insert("kind".into(), json!("comment"));
        st.core(PLATFORM).record_post(ReceivedPost {
            platform: PLATFORM.into(),
            account_id: caller.account.id.clone(),
            username: caller.account.username.clone(),
            remote_id: urn.clone(),
            text: rendered.text.clone(),
            media: Vec::new(),
            reply_to: Some(target.to_string()),
            created_at: now,
            deleted: false,
            deleted_at: None,
            extra: Value::Object(extra),
        });
        let ms = now.timestamp_millis();
        let mut body = json!({
            "actor": actor,
            "object": target,
            "message": { "text": raw },
            "id": id,
            "commentUrn": urn,
            "created": { "actor": actor, "time": ms },
            "lastModified": { "actor": actor, "time": ms },
        });
        if api == Api::V2
            && let Some(o) = body.as_object_mut()
        {
            o.insert("$URN".into(), json!(urn));
        }
        created(&urn, Some(body))
    })
}
