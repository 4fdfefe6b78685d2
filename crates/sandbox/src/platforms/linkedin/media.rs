//! Images, Videos and Documents APIs: `initializeUpload`, the `dms-uploads` upload
//! URLs, `finalizeUpload` (videos) and the status reads.
//!
//! Only size, SHA-256 and the sniffed type of the bytes are kept, never the bytes:
//! uploads are hashed while they stream in.

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse as _, Response};
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt as _;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use super::{
    Api, Asset, AssetKind, AssetStatus, LinkedInSettings, PLATFORM, UploadPart, UploadSlot,
    UploadTarget, VideoHasher, access_denied, authenticate, bad_request, json_body, json_response,
    li_error, limits, not_found, path_urn, person_urn, token_error, validation_error,
};
use crate::core::sandbox::Sandbox;
use crate::core::util::{bearer_token, form_get, parse_query, random_alnum, random_token};

/// How long upload URLs stay valid.
pub const UPLOAD_URL_TTL_SECS: i64 = 24 * 3600;
/// Bytes read and dropped past a size limit before giving up on the connection.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;
/// Most upload parts of one video (guards against a tiny `video_part_bytes`).
const MAX_PARTS: u64 = 10_000;
/// Largest thumbnail / captions upload.
const MAX_SIDECAR_BYTES: u64 = 10 * 1024 * 1024;
/// Bytes kept from the start of an upload for sniffing.
const HEAD_BYTES: usize = 64 * 1024;

const VIDEO_FORBIDDEN: &str =
    "Accessing this video resource is forbidden. Please check your permissions for this resource";
const IMAGE_FORBIDDEN: &str =
    "Accessing this image resource is forbidden. Please check your permissions for this resource";
const DOCUMENT_FORBIDDEN: &str = "Accessing this document resource is forbidden. Please check your permissions for this resource";

// ----- sniffing -----------------------------------------------------------------------

/// The image type of `bytes` from its magic number (the three LinkedIn accepts).
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

/// The video type of `bytes` (ISO base media file: `ftyp` box).
pub fn sniff_video(bytes: &[u8]) -> Option<&'static str> {
    match bytes.get(4..12) {
        Some(b) if &b[..4] == b"ftyp" => Some(if &b[4..] == b"qt  " {
            "video/quicktime"
        } else {
            "video/mp4"
        }),
        _ => None,
    }
}

/// The document type of `bytes` from its magic number: PDF, DOCX/PPTX (a ZIP with
/// `word/` or `ppt/` parts), DOC/PPT (an OLE compound file).
pub fn sniff_document(bytes: &[u8]) -> Option<&'static str> {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        if has(b"word/") {
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        } else if has(b"ppt/") {
            Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
        } else {
            None
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // The stream names are UTF-16LE; "PowerPoint Document" marks a PPT.
        let ppt: Vec<u8> = "PowerPoint Document"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        Some(if has(&ppt) {
            "application/vnd.ms-powerpoint"
        } else {
            "application/msword"
        })
    } else {
        None
    }
}

/// Counts the pages of a PDF while it streams: `/Type /Page` objects (not
/// `/Type /Pages`), a match split across chunks included.
#[derive(Clone, Debug, Default)]
pub struct PageCounter {
    tail: Vec<u8>,
    pub count: u64,
}

/// Bytes kept between chunks; longer than any match (`/Type` + 8 spaces + `/Page` + 1).
const PAGE_TAIL: usize = 32;

/// The length of a `/Type /Page` match at `i`, if one is complete in `b` (the byte
/// after `/Page` must be present, so `/Pages` is told apart).
fn page_match_at(b: &[u8], i: usize) -> Option<bool> {
    let rest = b.get(i..)?;
    if !rest.starts_with(b"/Type") {
        return Some(false);
    }
    let mut j = 5;
    while j < rest.len() && j < 5 + 8 && matches!(rest[j], b' ' | b'\t' | b'\r' | b'\n') {
        j += 1;
    }
    let after = rest.get(j..)?;
    if after.len() < 6 {
        return if b"/Page".starts_with(&after[..after.len().min(5)]) {
            None
        } else {
            Some(false)
        };
    }
    Some(after.starts_with(b"/Page") && !after[5].is_ascii_alphanumeric())
}

impl PageCounter {
    pub fn feed(&mut self, chunk: &[u8]) {
        let mut buf = std::mem::take(&mut self.tail);
        buf.extend_from_slice(chunk);
        let keep_from = buf.len().saturating_sub(PAGE_TAIL);
        for i in 0..keep_from {
            if buf[i] == b'/' && page_match_at(&buf, i) == Some(true) {
                self.count += 1;
            }
        }
        self.tail = buf[keep_from..].to_vec();
    }

    pub fn finish(&mut self) -> u64 {
        let buf = std::mem::take(&mut self.tail);
        let mut padded = buf.clone();
        padded.push(b' ');
        for (i, &b) in buf.iter().enumerate() {
            if b == b'/' && page_match_at(&padded, i) == Some(true) {
                self.count += 1;
            }
        }
        self.count
    }
}

/// Width and height of a PNG, GIF or JPEG from its header.
pub fn image_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes([
            *bytes.get(i)?,
            *bytes.get(i + 1)?,
        ])))
    };
    match sniff_image(bytes)? {
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
        _ => {
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
    }
}

// ----- status machine -----------------------------------------------------------------

fn polls_for(kind: AssetKind, s: &LinkedInSettings) -> u32 {
    match kind {
        AssetKind::Image => s.image_processing_polls,
        AssetKind::Video => s.video_processing_polls,
        AssetKind::Document => s.document_processing_polls,
    }
}

fn final_status(a: &Asset, s: &LinkedInSettings) -> AssetStatus {
    let fail = match a.kind {
        AssetKind::Image => s.fail_image_processing,
        AssetKind::Video => s.fail_video_processing,
        AssetKind::Document => s.fail_document_processing,
    };
    if fail || a.failure_reason.is_some() {
        AssetStatus::ProcessingFailed
    } else {
        AssetStatus::Available
    }
}

/// Starts processing after the upload (image) or finalize (video).
fn start_processing(a: &mut Asset, s: &LinkedInSettings, now: DateTime<Utc>) {
    a.polls = 0;
    a.processing_started_at = Some(now);
    a.status = if polls_for(a.kind, s) == 0 {
        final_status(a, s)
    } else {
        AssetStatus::Processing
    };
}

/// Ends processing that has run for `processing_secs` of emulated time.
pub(super) fn settle(a: &mut Asset, s: &LinkedInSettings, now: DateTime<Utc>) {
    if a.status == AssetStatus::Processing
        && s.processing_secs > 0
        && a.processing_started_at
            .is_some_and(|t| now - t >= Duration::seconds(s.processing_secs))
    {
        a.status = final_status(a, s);
    }
}

/// A status read: counts the poll and moves processing along.
fn poll(a: &mut Asset, s: &LinkedInSettings, now: DateTime<Utc>) {
    settle(a, s, now);
    if a.status == AssetStatus::Processing {
        a.polls += 1;
        if a.polls > polls_for(a.kind, s) {
            a.status = final_status(a, s);
        }
    }
}

// ----- request helpers ----------------------------------------------------------------

fn action(q: Option<&str>) -> Option<String> {
    form_get(&parse_query(q), "action").map(str::to_string)
}

fn bad_action(action: Option<&str>, allowed: &str) -> Response {
    bad_request(&format!(
        "Unsupported action \"{}\"; use ?action={allowed}",
        action.unwrap_or("")
    ))
}

/// The `<name>` object of an action body, with only `allowed` keys.
fn action_request<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, Response> {
    let path = format!("/{name}");
    let Some(v) = obj.get(name) else {
        return Err(validation_error(
            StatusCode::BAD_REQUEST,
            &path,
            "MISSING_FIELD",
            "field is required but not found and has no default value",
        ));
    };
    let Value::Object(req) = v else {
        return Err(validation_error(
            StatusCode::BAD_REQUEST,
            &path,
            "INVALID_TYPE",
            "an object is expected",
        ));
    };
    if let Some(k) = obj.keys().find(|k| k.as_str() != name) {
        return Err(validation_error(
            StatusCode::BAD_REQUEST,
            &format!("/{k}"),
            "UNRECOGNIZED_FIELD",
            "unrecognized field found but not allowed",
        ));
    }
    if let Some(k) = req.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(validation_error(
            StatusCode::BAD_REQUEST,
            &format!("{path}/{k}"),
            "UNRECOGNIZED_FIELD",
            "unrecognized field found but not allowed",
        ));
    }
    Ok(req)
}

/// Checks `owner` of an initializeUpload request against the caller.
fn check_owner(req: &Map<String, Value>, path: &str, caller_urn: &str) -> Result<String, Response> {
    match req.get("owner") {
        None => Err(validation_error(
            StatusCode::BAD_REQUEST,
            &format!("{path}/owner"),
            "MISSING_FIELD",
            "field is required but not found and has no default value",
        )),
        Some(Value::String(o)) if o == caller_urn => Ok(o.clone()),
        Some(Value::String(o))
            if o.starts_with("urn:li:person:") || o.starts_with("urn:li:organization:") =>
        {
            Err(access_denied(&format!(
                "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [{path}/owner]"
            )))
        }
        Some(v) => Err(validation_error(
            StatusCode::BAD_REQUEST,
            &format!("{path}/owner"),
            "INVALID_URN",
            &format!("{v} is not a valid person or organization urn"),
        )),
    }
}

fn upload_url(sb: &Sandbox, id: &str) -> String {
    sb.url(&format!("/linkedin/dms-uploads/{id}")).to_string()
}

fn new_upload(
    st: &mut crate::core::state::SandboxState,
    asset: &str,
    slot: UploadSlot,
    expires_at: DateTime<Utc>,
) -> String {
    let id = random_token(24);
    st.linkedin.uploads.insert(
        id.clone(),
        UploadTarget {
            asset: asset.to_string(),
            slot,
            expires_at,
        },
    );
    id
}

fn new_asset(urn: String, kind: AssetKind, owner: String, now: DateTime<Utc>) -> Asset {
    Asset {
        urn,
        kind,
        owner,
        status: AssetStatus::WaitingUpload,
        size: 0,
        sha256: None,
        mime: None,
        width: None,
        height: None,
        parts: Vec::new(),
        upload_token: String::new(),
        finalized: false,
        polls: 0,
        processing_started_at: None,
        failure_reason: None,
        created_at: now,
        upload_expires_at: now + Duration::seconds(UPLOAD_URL_TTL_SECS),
        thumbnail_size: None,
        captions_size: None,
        pages: None,
    }
}

// ----- images -------------------------------------------------------------------------

/// `POST /rest/images?action=initializeUpload`.
pub(super) async fn images_action(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        Api::Rest,
        limits::IMAGES_INITIALIZE,
        &["w_member_social"],
        "images.ACTION",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let act = action(q.as_deref());
    if act.as_deref() != Some("initializeUpload") {
        return bad_action(act.as_deref(), "initializeUpload");
    }
    let obj = match json_body(&headers, &body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let req = match action_request(
        &obj,
        "initializeUploadRequest",
        &["owner", "mediaLibraryMetadata"],
    ) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let owner = match check_owner(req, "/initializeUploadRequest", &caller.urn()) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let value = sb.with_state(|st| {
        let now = st.now();
        let urn = format!("urn:li:image:D4E10AQ{}", random_alnum(16));
        let asset = new_asset(urn.clone(), AssetKind::Image, owner, now);
        let expires = asset.upload_expires_at;
        st.linkedin.assets.insert(urn.clone(), asset);
        let id = new_upload(st, &urn, UploadSlot::Image, expires);
        json!({
            "uploadUrlExpiresAt": expires.timestamp_millis(),
            "uploadUrl": upload_url(&sb, &id),
            "image": urn,
        })
    });
    json_response(StatusCode::OK, &json!({ "value": value }))
}

/// `POST /rest/documents?action=initializeUpload`.
pub(super) async fn documents_action(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        Api::Rest,
        limits::DOCUMENTS_INITIALIZE,
        &["w_member_social"],
        "documents.ACTION",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let act = action(q.as_deref());
    if act.as_deref() != Some("initializeUpload") {
        return bad_action(act.as_deref(), "initializeUpload");
    }
    let obj = match json_body(&headers, &body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let req = match action_request(&obj, "initializeUploadRequest", &["owner"]) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let owner = match check_owner(req, "/initializeUploadRequest", &caller.urn()) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let value = sb.with_state(|st| {
        let now = st.now();
        let urn = format!("urn:li:document:D4D10AQ{}", random_alnum(16));
        let asset = new_asset(urn.clone(), AssetKind::Document, owner, now);
        let expires = asset.upload_expires_at;
        st.linkedin.assets.insert(urn.clone(), asset);
        let id = new_upload(st, &urn, UploadSlot::Document, expires);
        json!({
            "uploadUrlExpiresAt": expires.timestamp_millis(),
            "uploadUrl": upload_url(&sb, &id),
            "document": urn,
        })
    });
    json_response(StatusCode::OK, &json!({ "value": value }))
}

fn asset_body(a: &Asset) -> Value {
    let mut body = json!({ "id": a.urn, "owner": a.owner, "status": a.status.as_str() });
    if let Some(obj) = body.as_object_mut() {
        if let Some(t) = a.processing_started_at {
            obj.insert("uploadedAt".into(), json!(t.timestamp_millis()));
        }
        if a.kind == AssetKind::Image
            && let (Some(w), Some(h)) = (a.width, a.height)
        {
            obj.insert("width".into(), json!(w));
            obj.insert("height".into(), json!(h));
        }
        if a.kind == AssetKind::Document
            && a.status == AssetStatus::Available
            && let Some(p) = a.pages
        {
            obj.insert("pageCount".into(), json!(p));
        }
        if a.status == AssetStatus::ProcessingFailed {
            obj.insert(
                "processingFailureReason".into(),
                json!(a.failure_reason.as_deref().unwrap_or("PROCESSING_FAILED")),
            );
        }
    }
    body
}

fn get_asset(
    sb: &Sandbox,
    headers: &HeaderMap,
    (urn, raw): (String, &Uri),
    kind: AssetKind,
) -> Response {
    let (limit, resource, prefix, forbidden) = match kind {
        AssetKind::Image => (
            limits::IMAGES_GET,
            "images.GET",
            "urn:li:image:",
            IMAGE_FORBIDDEN,
        ),
        AssetKind::Video => (
            limits::VIDEOS_GET,
            "videos.GET",
            "urn:li:video:",
            VIDEO_FORBIDDEN,
        ),
        AssetKind::Document => (
            limits::DOCUMENTS_GET,
            "documents.GET",
            "urn:li:document:",
            DOCUMENT_FORBIDDEN,
        ),
    };
    let caller = match authenticate(
        sb,
        headers,
        Api::Rest,
        limit,
        &["w_member_social"],
        resource,
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let urn = match path_urn(sb, raw, urn) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let urn = urn.as_str();
    if urn.strip_prefix(prefix).is_none_or(str::is_empty) {
        return bad_request(&format!("Invalid {prefix} urn \"{urn}\""));
    }
    let owner = caller.urn();
    sb.with_state(|st| {
        let now = st.now();
        let settings = st.linkedin.settings.clone();
        let Some(a) = st.linkedin.assets.get_mut(urn).filter(|a| a.kind == kind) else {
            return not_found(&format!("{urn} does not exist"));
        };
        if a.owner != owner {
            return li_error(StatusCode::FORBIDDEN, None, None, forbidden);
        }
        poll(a, &settings, now);
        json_response(StatusCode::OK, &asset_body(a))
    })
}

/// `GET /rest/images/{urlencoded urn}`.
pub(super) async fn image_get(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(urn): Path<String>,
    raw: Uri,
) -> Response {
    get_asset(&sb, &headers, (urn, &raw), AssetKind::Image)
}

/// `GET /rest/documents/{urlencoded urn}`.
pub(super) async fn document_get(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(urn): Path<String>,
    raw: Uri,
) -> Response {
    get_asset(&sb, &headers, (urn, &raw), AssetKind::Document)
}

/// `GET /rest/videos/{urlencoded urn}`.
pub(super) async fn video_get(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(urn): Path<String>,
    raw: Uri,
) -> Response {
    get_asset(&sb, &headers, (urn, &raw), AssetKind::Video)
}

// ----- videos -------------------------------------------------------------------------

/// `POST /rest/videos?action=initializeUpload|finalizeUpload`.
pub(super) async fn videos_action(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let act = action(q.as_deref());
    let limit = match act.as_deref() {
        Some("finalizeUpload") => limits::VIDEOS_FINALIZE,
        _ => limits::VIDEOS_INITIALIZE,
    };
    let caller = match authenticate(
        &sb,
        &headers,
        Api::Rest,
        limit,
        &["w_member_social"],
        "videos.ACTION",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let obj = match act.as_deref() {
        Some("initializeUpload" | "finalizeUpload") => match json_body(&headers, &body) {
            Ok(o) => o,
            Err(r) => return r,
        },
        other => return bad_action(other, "initializeUpload or ?action=finalizeUpload"),
    };
    if act.as_deref() == Some("initializeUpload") {
        video_initialize(&sb, &caller.urn(), &obj)
    } else {
        video_finalize(&sb, &caller.urn(), &obj)
    }
}

fn video_initialize(sb: &Sandbox, caller_urn: &str, obj: &Map<String, Value>) -> Response {
    const PATH: &str = "/initializeUploadRequest";
    let req = match action_request(
        obj,
        "initializeUploadRequest",
        &[
            "owner",
            "fileSizeBytes",
            "uploadCaptions",
            "uploadThumbnail",
            "mediaLibraryMetadata",
        ],
    ) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let owner = match check_owner(req, PATH, caller_urn) {
        Ok(o) => o,
        Err(r) => return r,
    };
    for k in ["uploadCaptions", "uploadThumbnail"] {
        if req.get(k).is_some_and(|v| !v.is_boolean()) {
            return validation_error(
                StatusCode::BAD_REQUEST,
                &format!("{PATH}/{k}"),
                "INVALID_TYPE",
                "a boolean is expected",
            );
        }
    }
    let settings = sb.read_state(|st| st.linkedin.settings.clone());
    let size = match req.get("fileSizeBytes") {
        None => {
            return validation_error(
                StatusCode::BAD_REQUEST,
                &format!("{PATH}/fileSizeBytes"),
                "MISSING_FIELD",
                "field is required but not found and has no default value",
            );
        }
        Some(v) => match v.as_u64() {
            Some(n)
                if (settings.min_video_bytes.max(1)..=settings.max_video_bytes).contains(&n) =>
            {
                n
            }
            _ => {
                return validation_error(
                    StatusCode::BAD_REQUEST,
                    &format!("{PATH}/fileSizeBytes"),
                    "INVALID_FILE_SIZE",
                    &format!(
                        "fileSizeBytes {v} must be between {} and {} bytes",
                        settings.min_video_bytes, settings.max_video_bytes
                    ),
                );
            }
        },
    };
    let part_len = settings.video_part_bytes.max(1);
    if size.div_ceil(part_len) > MAX_PARTS {
        return validation_error(
            StatusCode::BAD_REQUEST,
            &format!("{PATH}/fileSizeBytes"),
            "INVALID_FILE_SIZE",
            &format!("fileSizeBytes {size} needs more than {MAX_PARTS} upload parts"),
        );
    }
    let thumbnail = req.get("uploadThumbnail").and_then(Value::as_bool) == Some(true);
    let captions = req.get("uploadCaptions").and_then(Value::as_bool) == Some(true);
    let value = sb.with_state(|st| {
        let now = st.now();
        let urn = format!("urn:li:video:C5F10AQ{}", random_alnum(16));
        let mut asset = new_asset(urn.clone(), AssetKind::Video, owner, now);
        asset.size = size;
        let mut first = 0;
        while first < size {
            let last = (first + part_len).min(size) - 1;
            asset.parts.push(UploadPart {
                first_byte: first,
                last_byte: last,
                etag: None,
                size: None,
            });
            first = last + 1;
        }
        let expires = asset.upload_expires_at;
        let n = asset.parts.len();
        st.linkedin.assets.insert(urn.clone(), asset);
        st.linkedin
            .hashers
            .insert(urn.clone(), VideoHasher::default());
        let mut instructions = Vec::with_capacity(n);
        let parts = st
            .linkedin
            .assets
            .get(&urn)
            .map(|a| a.parts.clone())
            .unwrap_or_default();
        for (index, p) in parts.iter().enumerate() {
            let id = new_upload(st, &urn, UploadSlot::VideoPart { index }, expires);
            instructions.push(json!({
                "uploadUrl": upload_url(sb, &id),
                "firstByte": p.first_byte,
                "lastByte": p.last_byte,
            }));
        }
        let mut value = json!({
            "uploadUrlsExpireAt": expires.timestamp_millis(),
            "video": urn,
            "uploadInstructions": instructions,
            "uploadToken": "",
        });
        if let Some(o) = value.as_object_mut() {
            if thumbnail {
                let id = new_upload(st, &urn, UploadSlot::Thumbnail, expires);
                o.insert("thumbnailUploadUrl".into(), json!(upload_url(sb, &id)));
            }
            if captions {
                let id = new_upload(st, &urn, UploadSlot::Captions, expires);
                o.insert("captionsUploadUrl".into(), json!(upload_url(sb, &id)));
            }
        }
        value
    });
    json_response(StatusCode::OK, &json!({ "value": value }))
}

fn video_finalize(sb: &Sandbox, caller_urn: &str, obj: &Map<String, Value>) -> Response {
    const PATH: &str = "/finalizeUploadRequest";
    let req = match action_request(
        obj,
        "finalizeUploadRequest",
        &["video", "uploadToken", "uploadedPartIds"],
    ) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let missing = |k: &str| {
        validation_error(
            StatusCode::BAD_REQUEST,
            &format!("{PATH}/{k}"),
            "MISSING_FIELD",
            "field is required but not found and has no default value",
        )
    };
    let Some(urn) = req.get("video").and_then(Value::as_str) else {
        return missing("video");
    };
    let Some(token) = req.get("uploadToken").and_then(Value::as_str) else {
        return missing("uploadToken");
    };
    let ids: Vec<String> = match req.get("uploadedPartIds") {
        None => return missing("uploadedPartIds"),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(_) => {
            return validation_error(
                StatusCode::BAD_REQUEST,
                &format!("{PATH}/uploadedPartIds"),
                "INVALID_TYPE",
                "an array of strings is expected",
            );
        }
    };
    sb.with_state(|st| {
        let now = st.now();
        let settings = st.linkedin.settings.clone();
        let hasher = st.linkedin.hashers.get(urn).cloned();
        let Some(a) = st
            .linkedin
            .assets
            .get_mut(urn)
            .filter(|a| a.kind == AssetKind::Video)
        else {
            return not_found(&format!("{urn} does not exist"));
        };
        if a.owner != caller_urn {
            return li_error(StatusCode::FORBIDDEN, None, None, VIDEO_FORBIDDEN);
        }
        let etags: Vec<Option<&String>> = a.parts.iter().map(|p| p.etag.as_ref()).collect();
        let same_ids = ids.len() == etags.len()
            && ids.iter().zip(&etags).all(|(id, e)| Some(id) == *e);
        if a.finalized {
            return if same_ids {
                StatusCode::OK.into_response()
            } else {
                bad_request(&format!("{urn} has already been finalized"))
            };
        }
        if token != a.upload_token {
            return bad_request("The uploadToken does not match the upload of this video");
        }
        if let Some(i) = a.parts.iter().position(|p| p.etag.is_none()) {
            return bad_request(&format!(
                "Part {i} (bytes {}-{}) of {urn} has not been uploaded",
                a.parts[i].first_byte, a.parts[i].last_byte
            ));
        }
        if ids.len() != a.parts.len() {
            return bad_request(&format!(
                "uploadedPartIds has {} entries; the upload of {urn} has {} parts",
                ids.len(),
                a.parts.len()
            ));
        }
        if let Some(i) = (0..ids.len()).find(|&i| Some(&ids[i]) != etags[i]) {
            return bad_request(&format!(
                "uploadedPartIds[{i}] does not match the ETag of part {i}; list the ETags in upload-instruction order"
            ));
        }
        if let Some((i, p)) = a
            .parts
            .iter()
            .enumerate()
            .find(|(_, p)| p.size != Some(p.byte_count()))
        {
            return bad_request(&format!(
                "Part {i} of {urn} has {} bytes; bytes {}-{} are {} bytes",
                p.size.unwrap_or(0),
                p.first_byte,
                p.last_byte,
                p.byte_count()
            ));
        }
        let n = a.parts.len();
        a.finalized = true;
        a.sha256 = hasher
            .filter(|h| !h.broken && h.next_part == n)
            .map(|h| hex::encode(h.hasher.finalize()));
        start_processing(a, &settings, now);
        st.linkedin.hashers.remove(urn);
        st.linkedin.uploads.retain(|_, t| t.asset != urn);
        StatusCode::OK.into_response()
    })
}

// ----- uploads ------------------------------------------------------------------------

/// What a streamed upload produced.
struct Streamed {
    size: u64,
    /// SHA-256 of this body, when asked for.
    sha256: Option<String>,
    head: Vec<u8>,
}

enum StreamError {
    TooLarge,
    Interrupted,
}

/// Reads the body chunk by chunk, hashing it (if `hash` is set) and feeding `whole`
/// (if given), keeping only the first bytes. Refuses more than `cap` bytes.
async fn stream_body(
    req: Request,
    cap: u64,
    hash: bool,
    whole: &mut Option<VideoHasher>,
    mut pages: Option<&mut PageCounter>,
) -> Result<Streamed, StreamError> {
    let mut stream = req.into_body().into_data_stream();
    let mut size: u64 = 0;
    let mut hasher = hash.then(Sha256::new);
    let mut head = Vec::new();
    let mut drained: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return Err(StreamError::Interrupted);
        };
        if size > cap {
            // Keep reading (and dropping) a bounded amount so the client gets the
            // 413 instead of a reset connection.
            drained += chunk.len() as u64;
            if drained > DRAIN_LIMIT {
                return Err(StreamError::TooLarge);
            }
            continue;
        }
        size += chunk.len() as u64;
        if size > cap {
            continue;
        }
        if let Some(h) = hasher.as_mut() {
            h.update(&chunk);
        }
        if let Some(w) = whole.as_mut() {
            w.hasher.update(&chunk);
        }
        if let Some(p) = pages.as_deref_mut() {
            p.feed(&chunk);
        }
        if head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
    }
    if size > cap {
        return Err(StreamError::TooLarge);
    }
    Ok(Streamed {
        size,
        sha256: hasher.map(|h| hex::encode(h.finalize())),
        head,
    })
}

/// `PUT /dms-uploads/{id}`: the bytes of an image, a video part, a thumbnail or
/// captions.
pub(super) async fn upload(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let token = bearer_token(req.headers());
    let found = sb.with_state(|st| {
        let now = st.now();
        let target = st.linkedin.uploads.get(&id).cloned();
        let asset = target
            .as_ref()
            .and_then(|t| st.linkedin.assets.get(&t.asset).cloned());
        let settings = st.linkedin.settings.clone();
        let caller = if settings.upload_requires_bearer {
            match st.core(PLATFORM).oauth.check_bearer(token.as_deref(), now) {
                Ok(rec) => Some(Ok(person_urn(&rec.account_id))),
                Err(e) => Some(Err(e)),
            }
        } else {
            None
        };
        (now, target, asset, settings, caller)
    });
    let (now, target, asset, settings, caller) = found;
    let (Some(target), Some(asset)) = (target, asset) else {
        return not_found("Upload URL not found");
    };
    match caller {
        Some(Err(e)) => return token_error(e),
        Some(Ok(urn)) if urn != asset.owner => {
            return access_denied("The upload URL belongs to another member");
        }
        _ => {}
    }
    if target.expires_at <= now {
        return li_error(
            StatusCode::FORBIDDEN,
            None,
            None,
            "The upload URL has expired",
        );
    }
    if asset.finalized {
        return bad_request(&format!("{} has already been finalized", asset.urn));
    }
    let cap = match target.slot {
        UploadSlot::Image => settings.max_image_bytes,
        UploadSlot::Document => settings.max_document_bytes,
        UploadSlot::VideoPart { .. } => settings.max_video_bytes,
        UploadSlot::Thumbnail | UploadSlot::Captions => MAX_SIDECAR_BYTES,
    };
    // Take the running whole-file hasher if this is the next part in order.
    let mut whole = match target.slot {
        UploadSlot::VideoPart { index } => {
            sb.with_state(|st| match st.linkedin.hashers.get(&asset.urn) {
                Some(h) if !h.broken && h.next_part == index => {
                    st.linkedin.hashers.remove(&asset.urn)
                }
                _ => None,
            })
        }
        _ => None,
    };
    let took_hasher = whole.is_some();
    let hash = matches!(target.slot, UploadSlot::Image | UploadSlot::Document);
    let mut pages = PageCounter::default();
    let count_pages = target.slot == UploadSlot::Document;
    let streamed = stream_body(
        req,
        cap,
        hash,
        &mut whole,
        count_pages.then_some(&mut pages),
    )
    .await;
    let urn = asset.urn.clone();
    // Put the hasher back (or mark the whole-file digest as unknown).
    if let UploadSlot::VideoPart { .. } = target.slot {
        let ok = streamed.is_ok();
        sb.with_state(|st| match (whole, took_hasher && ok) {
            (Some(mut h), true) => {
                h.next_part += 1;
                let entry = st.linkedin.hashers.entry(urn.clone()).or_default();
                if !entry.broken {
                    *entry = h;
                }
            }
            _ => {
                st.linkedin.hashers.entry(urn.clone()).or_default().broken = true;
            }
        });
    }
    let s = match streamed {
        Ok(s) => s,
        Err(StreamError::TooLarge) => {
            return li_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                None,
                None,
                &format!("The upload is larger than the maximum of {cap} bytes"),
            );
        }
        Err(StreamError::Interrupted) => return bad_request("The upload was interrupted"),
    };
    sb.with_state(|st| {
        let now = st.now();
        let Some(a) = st.linkedin.assets.get_mut(&urn) else {
            return not_found("Upload URL not found");
        };
        match target.slot {
            UploadSlot::Image => {
                a.size = s.size;
                a.sha256 = s.sha256;
                a.mime = sniff_image(&s.head).map(str::to_string);
                let dims = image_dimensions(&s.head);
                a.width = dims.map(|d| d.0);
                a.height = dims.map(|d| d.1);
                a.failure_reason = if a.mime.is_none() {
                    Some(
                        "UNSUPPORTED_MEDIA_TYPE: only JPG, PNG and GIF images are supported".into(),
                    )
                } else if s.size == 0 {
                    Some("EMPTY_FILE".into())
                } else if dims
                    .is_some_and(|(w, h)| u64::from(w) * u64::from(h) >= settings.max_image_pixels)
                {
                    Some(format!(
                        "IMAGE_TOO_LARGE: images must have fewer than {} pixels",
                        settings.max_image_pixels
                    ))
                } else {
                    None
                };
                start_processing(a, &settings, now);
                StatusCode::CREATED.into_response()
            }
            UploadSlot::VideoPart { index } => {
                let Some(part) = a.parts.get_mut(index) else {
                    return not_found("Upload URL not found");
                };
                let etag = format!("/ambry-video/signedId/{}", random_token(24));
                part.etag = Some(etag.clone());
                part.size = Some(s.size);
                if index == 0 {
                    a.mime = sniff_video(&s.head).map(str::to_string);
                    a.failure_reason = a
                        .mime
                        .is_none()
                        .then(|| "UNSUPPORTED_MEDIA_TYPE: the video is not an MP4 file".into());
                }
                let mut r = StatusCode::OK.into_response();
                if let Ok(v) = HeaderValue::from_str(&etag) {
                    r.headers_mut().insert(header::ETAG, v);
                }
                r
            }
            UploadSlot::Document => {
                a.size = s.size;
                a.sha256 = s.sha256;
                a.mime = sniff_document(&s.head).map(str::to_string);
                let counted = pages.finish();
                let n = settings.document_page_count.unwrap_or(
                    if a.mime.as_deref() == Some("application/pdf") {
                        counted
                    } else {
                        1
                    },
                );
                a.pages = Some(n);
                a.failure_reason = if a.mime.is_none() {
                    Some(
                        "UNSUPPORTED_MEDIA_TYPE: only PDF, PPT, PPTX, DOC and DOCX documents are supported"
                            .into(),
                    )
                } else if s.size == 0 {
                    Some("EMPTY_FILE".into())
                } else if n == 0 {
                    Some("INVALID_DOCUMENT: the document has no pages".into())
                } else if n > settings.max_document_pages {
                    Some(format!(
                        "TOO_MANY_PAGES: documents may have at most {} pages; this one has {n}",
                        settings.max_document_pages
                    ))
                } else {
                    None
                };
                start_processing(a, &settings, now);
                StatusCode::CREATED.into_response()
            }
            UploadSlot::Thumbnail => {
                a.thumbnail_size = Some(s.size);
                StatusCode::CREATED.into_response()
            }
            UploadSlot::Captions => {
                a.captions_size = Some(s.size);
                StatusCode::CREATED.into_response()
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_in_chunks(data: &[u8], chunk: usize) -> u64 {
        let mut c = PageCounter::default();
        for part in data.chunks(chunk) {
            c.feed(part);
        }
        c.finish()
    }

    #[test]
    fn pdf_pages_are_counted_across_chunk_boundaries() {
        let pdf = b"%PDF-1.7\n<< /Type /Pages /Kids [3 0 R] >>\n<< /Type /Page >>\n\
                    <</Type/Page/Parent 2 0 R>>\n<< /Type\n  /Page\n>>\n<< /Type /Pagesx >>\n\
                    << /Type /Catalog >>";
        for chunk in [1, 2, 3, 5, 7, 64, 4096] {
            assert_eq!(count_in_chunks(pdf, chunk), 3, "chunk {chunk}");
        }
        // A match right at the end of the file.
        assert_eq!(count_in_chunks(b"x /Type /Page", 4), 1);
        assert_eq!(count_in_chunks(b"x /Type /Pages", 4), 0);
    }

    #[test]
    fn documents_are_sniffed_by_magic() {
        assert_eq!(sniff_document(b"%PDF-1.4 ..."), Some("application/pdf"));
        assert!(sniff_document(b"PK\x03\x04....ppt/slides/slide1.xml").is_some());
        assert!(sniff_document(b"PK\x03\x04....word/document.xml").is_some());
        assert_eq!(sniff_document(b"PK\x03\x04....xl/workbook.xml"), None);
        assert_eq!(sniff_document(b"\x89PNG\r\n\x1a\n"), None);
    }
}
