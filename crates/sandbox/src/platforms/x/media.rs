//! The v2 media endpoints: simple upload, chunked initialize/append/finalize, STATUS.
//!
//! Only size, SHA-256 and type of the bytes are kept, never the bytes.

use axum::extract::{FromRequest as _, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use super::tweets::is_id;
use super::{
    Media, MediaKind, ProcessingState, UploadHasher, authenticate, invalid_request, json_response,
    limits, not_found,
};
use crate::core::sandbox::Sandbox;
use crate::core::util::{content_type, form_get, parse_query};

const MB: u64 = 1024 * 1024;
/// Image limit (5 MB).
pub const MAX_IMAGE_BYTES: u64 = 5 * MB;
/// GIF limit (15 MB).
pub const MAX_GIF_BYTES: u64 = 15 * MB;
/// Video limit for default accounts (8 GB).
pub const MAX_VIDEO_BYTES: u64 = 8 * 1024 * MB;
/// `total_bytes` maximum in the OpenAPI schema.
pub const MAX_TOTAL_BYTES: u64 = 17_179_869_184;
/// Server maximum per APPEND segment (8 MB).
pub const MAX_SEGMENT_BYTES: u64 = 8 * MB;
/// Highest `segment_index`.
pub const MAX_SEGMENT_INDEX: u64 = 999;
/// Bytes read and dropped past a size limit before giving up on the connection.
const DRAIN_LIMIT: u64 = 64 * MB;
/// `expires_after_secs` of an initialized upload session.
pub const SESSION_EXPIRES_AFTER_SECS: i64 = 1_295_999;
/// `expires_after_secs` of finalized media.
pub const MEDIA_EXPIRES_AFTER_SECS: i64 = 86_400;

const MEDIA_TYPES: &[&str] = &[
    "video/mp4",
    "video/webm",
    "video/mp2t",
    "video/quicktime",
    "text/srt",
    "text/vtt",
    "image/jpeg",
    "image/gif",
    "image/bmp",
    "image/png",
    "image/webp",
    "image/pjpeg",
    "image/tiff",
    "model/gltf-binary",
    "model/vnd.usdz+zip",
];

const INIT_CATEGORIES: &[&str] = &[
    "amplify_video",
    "tweet_gif",
    "tweet_image",
    "tweet_video",
    "dm_gif",
    "dm_image",
    "dm_video",
    "subtitles",
];

const SIMPLE_CATEGORIES: &[&str] = &[
    "tweet_image",
    "tweet_video",
    "tweet_gif",
    "dm_image",
    "dm_video",
    "dm_gif",
    "subtitles",
];

const MEDIA_SCOPES: &[&str] = &["media.write"];

fn kind_of_category(category: &str) -> MediaKind {
    match category {
        "tweet_gif" | "dm_gif" => MediaKind::Gif,
        "tweet_video" | "dm_video" | "amplify_video" => MediaKind::Video,
        "subtitles" => MediaKind::Subtitles,
        _ => MediaKind::Image,
    }
}

fn default_category(media_type: &str) -> &'static str {
    if media_type.starts_with("video/") {
        "tweet_video"
    } else if media_type == "image/gif" {
        "tweet_gif"
    } else if media_type.starts_with("text/") {
        "subtitles"
    } else {
        "tweet_image"
    }
}

fn type_fits_kind(media_type: &str, kind: MediaKind) -> bool {
    match kind {
        MediaKind::Image => media_type.starts_with("image/"),
        MediaKind::Gif => media_type == "image/gif",
        MediaKind::Video => media_type.starts_with("video/"),
        MediaKind::Subtitles => matches!(media_type, "text/srt" | "text/vtt"),
    }
}

fn max_bytes(kind: MediaKind) -> u64 {
    match kind {
        MediaKind::Image => MAX_IMAGE_BYTES,
        MediaKind::Gif => MAX_GIF_BYTES,
        MediaKind::Video => MAX_VIDEO_BYTES,
        MediaKind::Subtitles => MAX_IMAGE_BYTES,
    }
}

/// The media type of `bytes` from its magic number.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"BM") {
        Some("image/bmp")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("image/tiff")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        Some(if &bytes[8..12] == b"qt  " {
            "video/quicktime"
        } else {
            "video/mp4"
        })
    } else if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("video/webm")
    } else {
        None
    }
}

/// Width and height of a PNG, GIF or JPEG from its header.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes([
            *bytes.get(i)?,
            *bytes.get(i + 1)?,
        ])))
    };
    match sniff(bytes)? {
        "image/png" => {
            let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
            let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
            Some((w, h))
        }
        "image/gif" => {
            let w = u16::from_le_bytes(bytes.get(6..8)?.try_into().ok()?);
            let h = u16::from_le_bytes(bytes.get(8..10)?.try_into().ok()?);
            Some((u32::from(w), u32::from(h)))
        }
        "image/jpeg" => {
            let mut i = 2;
            while i + 9 < bytes.len() {
                if bytes[i] != 0xFF {
                    i += 1;
                    continue;
                }
                let marker = bytes[i + 1];
                let len = be16(i + 2)? as usize;
                let is_sof =
                    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_sof {
                    return Some((be16(i + 7)?, be16(i + 5)?));
                }
                i += 2 + len;
            }
            None
        }
        _ => None,
    }
}

/// Bytes of an upload, streamed: size, digest and the first bytes for sniffing.
/// `chunks` keeps the bytes only when the caller needs them (APPEND).
#[derive(Default)]
struct Received {
    size: u64,
    hasher: Sha256,
    head: Vec<u8>,
    chunks: Vec<bytes::Bytes>,
}

impl Received {
    fn push(&mut self, chunk: bytes::Bytes, keep: bool) {
        self.size += chunk.len() as u64;
        self.hasher.update(&chunk);
        if self.head.len() < 64 * 1024 {
            let take = (64 * 1024 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if keep {
            self.chunks.push(chunk);
        }
    }
}

/// Fields of a media request, multipart or JSON (base64 `media`).
#[derive(Default)]
struct UploadForm {
    media: Option<Received>,
    media_part_type: Option<String>,
    fields: Map<String, Value>,
}

enum ReadError {
    TooLarge(u64),
    Invalid(String),
}

impl ReadError {
    fn response(self) -> Response {
        match self {
            Self::TooLarge(max) => invalid_request(
                &format!("$.media: file size exceeds the maximum of {max} bytes"),
                None,
            ),
            Self::Invalid(m) => invalid_request(&m, None),
        }
    }
}

/// Reads a multipart or JSON media body, refusing more than `cap` media bytes.
async fn read_upload(req: Request, cap: u64, keep_bytes: bool) -> Result<UploadForm, ReadError> {
    let ct = content_type(req.headers()).unwrap_or_default();
    let mut form = UploadForm::default();
    if ct == "multipart/form-data" {
        let mut mp = Multipart::from_request(req, &()).await.map_err(|e| {
            ReadError::Invalid(format!("Invalid multipart body: {}", e.body_text()))
        })?;
        loop {
            let field = mp.next_field().await.map_err(|e| {
                ReadError::Invalid(format!("Invalid multipart body: {}", e.body_text()))
            })?;
            let Some(mut field) = field else { break };
            let name = field.name().unwrap_or("").to_string();
            if name == "media" {
                form.media_part_type = field.content_type().map(|s| s.to_ascii_lowercase());
                let mut rec = Received::default();
                let mut drained: u64 = 0;
                loop {
                    match field.chunk().await {
                        // Over the cap: keep reading (and dropping) a bounded amount so the
                        // client gets the 400 instead of a reset connection.
                        Ok(Some(c)) if rec.size > cap => {
                            drained += c.len() as u64;
                            if drained > DRAIN_LIMIT {
                                return Err(ReadError::TooLarge(cap));
                            }
                        }
                        Ok(Some(c)) => rec.push(c, keep_bytes && rec.size <= cap),
                        Ok(None) if rec.size > cap => return Err(ReadError::TooLarge(cap)),
                        Ok(None) => break,
                        Err(e) => {
                            return Err(ReadError::Invalid(format!(
                                "Invalid multipart body: {}",
                                e.body_text()
                            )));
                        }
                    }
                }
                form.media = Some(rec);
            } else {
                let text = field.text().await.map_err(|e| {
                    ReadError::Invalid(format!("Invalid multipart body: {}", e.body_text()))
                })?;
                form.fields.insert(name, Value::String(text));
            }
        }
        Ok(form)
    } else if ct == "application/json" {
        // base64 grows 4/3; allow some slack for the other fields.
        let limit = usize::try_from(cap.saturating_mul(4) / 3 + 64 * 1024).unwrap_or(usize::MAX);
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| ReadError::TooLarge(cap))?;
        let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(&bytes) else {
            return Err(ReadError::Invalid(
                "Request body is not a valid JSON object".into(),
            ));
        };
        if let Some(m) = obj.remove("media") {
            let Some(s) = m.as_str() else {
                return Err(ReadError::Invalid("$.media: string expected".into()));
            };
            let data = STANDARD
                .decode(s.trim())
                .map_err(|_| ReadError::Invalid("$.media: invalid base64".into()))?;
            if data.len() as u64 > cap {
                return Err(ReadError::TooLarge(cap));
            }
            let mut rec = Received::default();
            rec.push(bytes::Bytes::from(data), keep_bytes);
            form.media = Some(rec);
        }
        form.fields = obj;
        Ok(form)
    } else {
        Err(ReadError::Invalid(
            "Content-Type must be multipart/form-data or application/json".into(),
        ))
    }
}

fn field_str<'a>(form: &'a UploadForm, key: &str) -> Option<&'a str> {
    form.fields.get(key).and_then(Value::as_str)
}

fn parse_owners(v: Option<&Value>) -> Result<Vec<String>, Response> {
    let list: Vec<String> = match v {
        None => Vec::new(),
        Some(Value::String(s)) => s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(str::to_string).unwrap_or_default())
            .collect(),
        Some(_) => {
            return Err(invalid_request(
                "$.additional_owners: array of user ids expected",
                None,
            ));
        }
    };
    if list.iter().any(|o| !is_id(o)) || list.len() > 100 {
        return Err(invalid_request(
            "$.additional_owners: items must match ^[0-9]{1,19}$",
            None,
        ));
    }
    Ok(list)
}

fn processing_info(m: &Media, check_after: u64, polls_total: u32) -> Option<Value> {
    let state = m.processing?;
    let mut info = json!({ "state": state });
    if let Some(obj) = info.as_object_mut() {
        match state {
            ProcessingState::Pending => {
                obj.insert("check_after_secs".into(), json!(check_after));
            }
            ProcessingState::InProgress => {
                obj.insert("check_after_secs".into(), json!(check_after));
                obj.insert("progress_percent".into(), json!(progress(m, polls_total)));
            }
            ProcessingState::Succeeded => {
                obj.insert("progress_percent".into(), json!(100));
            }
            ProcessingState::Failed => {
                obj.insert("progress_percent".into(), json!(progress(m, polls_total)));
                obj.insert(
                    "error".into(),
                    json!({ "code": 1, "name": "InvalidMedia", "message": "Unsupported video format" }),
                );
            }
        }
    }
    Some(info)
}

fn progress(m: &Media, polls_total: u32) -> u32 {
    (m.polls.saturating_mul(100) / polls_total.saturating_add(1)).min(99)
}

fn media_payload(m: &Media, check_after: u64, polls_total: u32, expires_after: i64) -> Value {
    let mut data = json!({
        "id": m.id,
        "media_key": m.media_key,
        "size": m.size,
        "expires_after_secs": expires_after.max(0),
    });
    if let Some(obj) = data.as_object_mut() {
        if m.kind == MediaKind::Image {
            obj.insert(
                "image".into(),
                json!({ "image_type": m.media_type, "w": m.width.unwrap_or(0), "h": m.height.unwrap_or(0) }),
            );
        }
        if m.kind == MediaKind::Video {
            obj.insert("video".into(), json!({ "video_type": m.media_type }));
        }
        if let Some(p) = processing_info(m, check_after, polls_total) {
            obj.insert("processing_info".into(), p);
        }
    }
    data
}

/// `POST /2/media/upload`: simple upload of an image, GIF or subtitles.
pub(super) async fn simple_upload(State(sb): State<Sandbox>, req: Request) -> Response {
    let caller = match authenticate(&sb, req.headers(), limits::MEDIA_UPLOAD, MEDIA_SCOPES) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let form = match read_upload(req, MAX_GIF_BYTES, false).await {
        Ok(f) => f,
        Err(e) => return caller.finish(e.response()),
    };
    for k in form.fields.keys() {
        if ![
            "media_category",
            "media_type",
            "additional_owners",
            "shared",
        ]
        .contains(&k.as_str())
        {
            return caller.finish(invalid_request(
                &format!("$.{k}: is not defined in the schema and the schema does not allow additional properties"),
                None,
            ));
        }
    }
    let Some(rec) = form.media.as_ref() else {
        return caller.finish(invalid_request(
            "$.media: is missing but it is required",
            None,
        ));
    };
    let Some(category) = field_str(&form, "media_category") else {
        return caller.finish(invalid_request(
            "$.media_category: is missing but it is required",
            None,
        ));
    };
    if !SIMPLE_CATEGORIES.contains(&category) {
        return caller.finish(invalid_request(
            &format!(
                "$.media_category: [{category}] is not one of [{}]",
                SIMPLE_CATEGORIES.join(", ")
            ),
            None,
        ));
    }
    let kind = kind_of_category(category);
    if kind == MediaKind::Video {
        return caller.finish(invalid_request(
            "Videos must be uploaded with the chunked endpoints (initialize, append, finalize).",
            None,
        ));
    }
    let media_type = match field_str(&form, "media_type") {
        Some(t) if MEDIA_TYPES.contains(&t) => t.to_string(),
        Some(t) => {
            return caller.finish(invalid_request(
                &format!("$.media_type: [{t}] is not a supported media type"),
                None,
            ));
        }
        None => match sniff(&rec.head).map(str::to_string).or_else(|| {
            form.media_part_type
                .clone()
                .filter(|t| MEDIA_TYPES.contains(&t.as_str()))
        }) {
            Some(t) => t,
            None => return caller.finish(invalid_request("$.media: unsupported media type", None)),
        },
    };
    if !type_fits_kind(&media_type, kind) {
        return caller.finish(invalid_request(
            &format!("$.media_type: {media_type} cannot be used with media_category {category}"),
            None,
        ));
    }
    if rec.size > max_bytes(kind) {
        return caller.finish(invalid_request(
            &format!(
                "$.media: file size exceeds the maximum of {} bytes",
                max_bytes(kind)
            ),
            None,
        ));
    }
    if rec.size == 0 {
        return caller.finish(invalid_request("$.media: the file is empty", None));
    }
    let owners = match parse_owners(form.fields.get("additional_owners")) {
        Ok(o) => o,
        Err(r) => return caller.finish(r),
    };
    let sha = hex::encode(rec.hasher.clone().finalize());
    let dims = dimensions(&rec.head);
    let size = rec.size;
    let payload = sb.with_state(|st| {
        let now = st.now();
        let id = st.next_snowflake().to_string();
        let m = Media {
            media_key: format!("{}{id}", kind.key_prefix()),
            id: id.clone(),
            owner_id: caller.account.id.clone(),
            additional_owners: owners,
            category: category.to_string(),
            media_type: media_type.clone(),
            kind,
            total_bytes: Some(size),
            segments: [(0, size)].into_iter().collect(),
            size,
            sha256: Some(sha),
            finalized: true,
            processing: (kind == MediaKind::Gif).then_some(ProcessingState::Pending),
            polls: 0,
            width: dims.map(|d| d.0),
            height: dims.map(|d| d.1),
            created_at: now,
            expires_at: now + Duration::seconds(MEDIA_EXPIRES_AFTER_SECS),
        };
        let payload = media_payload(
            &m,
            st.x.settings.check_after_secs,
            st.x.settings.video_processing_polls,
            MEDIA_EXPIRES_AFTER_SECS,
        );
        st.x.media.insert(id, m);
        payload
    });
    caller.finish(json_response(StatusCode::OK, json!({ "data": payload })))
}

/// `POST /2/media/upload/initialize`.
pub(super) async fn initialize(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> Response {
    let caller = match authenticate(&sb, &headers, limits::MEDIA_INITIALIZE, MEDIA_SCOPES) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if content_type(&headers).as_deref() != Some("application/json") {
        return caller.finish(invalid_request(
            "Content-Type must be application/json",
            None,
        ));
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&body) else {
        return caller.finish(invalid_request(
            "Request body is not a valid JSON object",
            None,
        ));
    };
    for k in obj.keys() {
        if ![
            "media_type",
            "total_bytes",
            "media_category",
            "additional_owners",
            "shared",
        ]
        .contains(&k.as_str())
        {
            return caller.finish(invalid_request(
                &format!("$.{k}: is not defined in the schema and the schema does not allow additional properties"),
                None,
            ));
        }
    }
    let media_type = match obj.get("media_type") {
        Some(Value::String(t)) if MEDIA_TYPES.contains(&t.as_str()) => t.clone(),
        Some(_) => {
            return caller.finish(invalid_request(
                &format!(
                    "$.media_type: does not have a value in the enumeration [{}]",
                    MEDIA_TYPES.join(", ")
                ),
                None,
            ));
        }
        None => {
            return caller.finish(invalid_request(
                "$.media_type: is missing but it is required",
                None,
            ));
        }
    };
    let total = match obj.get("total_bytes") {
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_TOTAL_BYTES).contains(&n) => n,
            _ => {
                return caller.finish(invalid_request(
                    &format!("$.total_bytes: must be an integer between 1 and {MAX_TOTAL_BYTES}"),
                    None,
                ));
            }
        },
        None => {
            return caller.finish(invalid_request(
                "$.total_bytes: is missing but it is required",
                None,
            ));
        }
    };
    let category = match obj.get("media_category") {
        None => default_category(&media_type).to_string(),
        Some(Value::String(c)) if INIT_CATEGORIES.contains(&c.as_str()) => c.clone(),
        Some(_) => {
            return caller.finish(invalid_request(
                &format!(
                    "$.media_category: does not have a value in the enumeration [{}]",
                    INIT_CATEGORIES.join(", ")
                ),
                None,
            ));
        }
    };
    if let Some(s) = obj.get("shared")
        && !s.is_boolean()
    {
        return caller.finish(invalid_request("$.shared: boolean expected", None));
    }
    let owners = match parse_owners(obj.get("additional_owners")) {
        Ok(o) => o,
        Err(r) => return caller.finish(r),
    };
    let kind = kind_of_category(&category);
    if !type_fits_kind(&media_type, kind) {
        return caller.finish(invalid_request(
            &format!("$.media_type: {media_type} cannot be used with media_category {category}"),
            None,
        ));
    }
    if total > max_bytes(kind) {
        return caller.finish(invalid_request(
            &format!(
                "$.total_bytes: {total} exceeds the maximum of {} bytes for {category}",
                max_bytes(kind)
            ),
            None,
        ));
    }
    let data = sb.with_state(|st| {
        let now = st.now();
        let id = st.next_snowflake().to_string();
        let m = Media {
            media_key: format!("{}{id}", kind.key_prefix()),
            id: id.clone(),
            owner_id: caller.account.id.clone(),
            additional_owners: owners,
            category,
            media_type,
            kind,
            total_bytes: Some(total),
            segments: Default::default(),
            size: 0,
            sha256: None,
            finalized: false,
            processing: None,
            polls: 0,
            width: None,
            height: None,
            created_at: now,
            expires_at: now + Duration::seconds(SESSION_EXPIRES_AFTER_SECS),
        };
        let data = json!({ "id": id, "media_key": m.media_key, "expires_after_secs": SESSION_EXPIRES_AFTER_SECS });
        st.x.hashers.insert(id.clone(), UploadHasher::default());
        st.x.media.insert(id, m);
        data
    });
    caller.finish(json_response(StatusCode::OK, json!({ "data": data })))
}

/// Looks up an upload session the caller may write to.
fn session_error(sb: &Sandbox, id: &str, account: &str) -> Option<Response> {
    if !is_id(id) {
        return Some(invalid_request(
            &format!("The `id` path parameter value [{id}] does not match ^[0-9]{{1,19}}$"),
            None,
        ));
    }
    sb.read_state(|st| {
        let now = st.now();
        match st.x.media.get(id) {
            Some(m) if m.owner_id == account && m.expires_at > now => None,
            Some(m) if m.owner_id == account => {
                Some(invalid_request("The upload session has expired.", None))
            }
            _ => Some(not_found("media", id, "id")),
        }
    })
}

/// `POST /2/media/upload/{id}/append`.
pub(super) async fn append(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let caller = match authenticate(&sb, req.headers(), limits::MEDIA_APPEND, MEDIA_SCOPES) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Some(r) = session_error(&sb, &id, &caller.account.id) {
        return caller.finish(r);
    }
    if sb.read_state(|st| st.x.media.get(&id).is_some_and(|m| m.finalized)) {
        return caller.finish(invalid_request(
            "The media has already been finalized.",
            None,
        ));
    }
    let form = match read_upload(req, MAX_SEGMENT_BYTES, true).await {
        Ok(f) => f,
        Err(ReadError::TooLarge(_)) => {
            return caller.finish(invalid_request(
                &format!("$.media: segment size exceeds the maximum of {MAX_SEGMENT_BYTES} bytes"),
                None,
            ));
        }
        Err(e) => return caller.finish(e.response()),
    };
    for k in form.fields.keys() {
        if k != "segment_index" {
            return caller.finish(invalid_request(
                &format!("$.{k}: is not defined in the schema and the schema does not allow additional properties"),
                None,
            ));
        }
    }
    let index = match form.fields.get("segment_index") {
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        Some(_) => None,
        None => {
            return caller.finish(invalid_request(
                "$.segment_index: is missing but it is required",
                None,
            ));
        }
    };
    let Some(index) = index.filter(|i| *i <= MAX_SEGMENT_INDEX) else {
        return caller.finish(invalid_request(
            &format!("$.segment_index: must be an integer between 0 and {MAX_SEGMENT_INDEX}"),
            None,
        ));
    };
    let Some(rec) = form.media else {
        return caller.finish(invalid_request(
            "$.media: is missing but it is required",
            None,
        ));
    };
    let index = u32::try_from(index).unwrap_or(u32::MAX);
    let r = sb.with_state(|st| {
        let Some(m) = st.x.media.get_mut(&id) else {
            return not_found("media", &id, "id");
        };
        let replaced = m.segments.insert(index, rec.size).is_some();
        if index == 0
            && rec.head.len() >= 12
            && let Some((w, h)) = dimensions(&rec.head)
        {
            m.width = Some(w);
            m.height = Some(h);
        }
        let expires_at = m.expires_at.timestamp();
        let h =
            st.x.hashers
                .entry(id.clone())
                .or_insert_with(|| UploadHasher {
                    broken: index != 0,
                    ..UploadHasher::default()
                });
        if replaced || h.broken || index != h.next_index {
            h.broken = true;
        } else {
            for c in &rec.chunks {
                h.hasher.update(c);
            }
            h.next_index += 1;
        }
        json_response(
            StatusCode::OK,
            json!({ "data": { "expires_at": expires_at } }),
        )
    });
    caller.finish(r)
}

/// `POST /2/media/upload/{id}/finalize`.
pub(super) async fn finalize(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let caller = match authenticate(&sb, &headers, limits::MEDIA_FINALIZE, MEDIA_SCOPES) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Some(r) = session_error(&sb, &id, &caller.account.id) {
        return caller.finish(r);
    }
    let r = sb.with_state(|st| {
        let now = st.now();
        let check_after = st.x.settings.check_after_secs;
        let polls_total = st.x.settings.video_processing_polls;
        let hasher = st.x.hashers.get(&id).cloned();
        let Some(m) = st.x.media.get_mut(&id) else {
            return not_found("media", &id, "id");
        };
        if m.finalized {
            let left = (m.expires_at - now).num_seconds();
            return json_response(
                StatusCode::OK,
                json!({ "data": media_payload(m, check_after, polls_total, left) }),
            );
        }
        if m.segments.is_empty() {
            return invalid_request("No media segments were appended.", None);
        }
        let n = m.segments.len() as u32;
        if m.segments.keys().copied().ne(0..n) {
            return invalid_request(
                "The appended segments are not contiguous from segment_index 0.",
                None,
            );
        }
        let sum: u64 = m.segments.values().sum();
        let total = m.total_bytes.unwrap_or(0);
        if sum != total {
            return invalid_request(
                &format!(
                    "The uploaded size ({sum} bytes) does not match total_bytes ({total} bytes)."
                ),
                None,
            );
        }
        m.finalized = true;
        m.size = sum;
        m.sha256 = hasher
            .filter(|h| !h.broken && h.next_index == n)
            .map(|h| hex::encode(h.hasher.finalize()));
        m.processing = match m.kind {
            MediaKind::Video | MediaKind::Gif => Some(ProcessingState::Pending),
            _ => None,
        };
        m.expires_at = now + Duration::seconds(MEDIA_EXPIRES_AFTER_SECS);
        let payload = media_payload(m, check_after, polls_total, MEDIA_EXPIRES_AFTER_SECS);
        st.x.hashers.remove(&id);
        json_response(StatusCode::OK, json!({ "data": payload }))
    });
    caller.finish(r)
}

/// `GET /2/media/upload?command=STATUS&media_id=...`.
pub(super) async fn status(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let caller = match authenticate(&sb, &headers, limits::MEDIA_STATUS, MEDIA_SCOPES) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let params = parse_query(q.as_deref());
    match form_get(&params, "command") {
        Some("STATUS") => {}
        Some(c) => {
            return caller.finish(invalid_request(
                &format!("The `command` query parameter value [{c}] is not one of [STATUS]"),
                Some(("command", c)),
            ));
        }
        None => {
            return caller.finish(invalid_request(
                "The `command` query parameter can not be empty",
                Some(("command", "")),
            ));
        }
    }
    let Some(media_id) = form_get(&params, "media_id").filter(|m| is_id(m)) else {
        return caller.finish(invalid_request(
            "The `media_id` query parameter value must match ^[0-9]{1,19}$",
            None,
        ));
    };
    let r = sb.with_state(|st| {
        let now = st.now();
        let settings = st.x.settings.clone();
        let Some(m) =
            st.x.media
                .get_mut(media_id)
                .filter(|m| m.usable_by(&caller.account.id))
        else {
            return not_found("media", media_id, "media_id");
        };
        if !m.finalized {
            return invalid_request("The media has not been finalized.", None);
        }
        if matches!(
            m.processing,
            Some(ProcessingState::Pending | ProcessingState::InProgress)
        ) {
            m.polls += 1;
            m.processing = Some(if m.polls > settings.video_processing_polls {
                if settings.fail_video_processing {
                    ProcessingState::Failed
                } else {
                    ProcessingState::Succeeded
                }
            } else {
                ProcessingState::InProgress
            });
        }
        let mut data = json!({
            "id": m.id,
            "media_key": m.media_key,
            "processing_info": processing_info(m, settings.check_after_secs, settings.video_processing_polls)
                .unwrap_or_else(|| json!({ "state": "succeeded", "progress_percent": 100 })),
        });
        if let Some(obj) = data.as_object_mut() {
            if m.kind == MediaKind::Video {
                obj.insert("video".into(), json!({ "video_type": m.media_type }));
            }
            obj.insert(
                "expires_after_secs".into(),
                json!((m.expires_at - now).num_seconds().max(0)),
            );
        }
        json_response(StatusCode::OK, json!({ "data": data }))
    });
    caller.finish(r)
}
