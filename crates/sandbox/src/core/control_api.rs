//! The JSON control API under `/_sandbox/...`. Every handler is a thin wrapper
//! around a [`Sandbox`] method, so in-process callers get the same behaviour.

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::faults::FaultSpec;
use super::sandbox::{ClientRegistration, ControlError, QuotaSpec, Sandbox, TokenRequest};
use super::state::ConsentMode;

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

/// A JSON body whose rejection is a control-API error (`{"error": ...}`, 400).
pub struct CJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for CJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ControlError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(e) => Err(rejection(e)),
        }
    }
}

fn rejection(e: JsonRejection) -> ControlError {
    ControlError::Invalid(e.body_text())
}

fn query_platform(q: Option<String>) -> Option<String> {
    let pairs = super::util::parse_query(q.as_deref());
    super::util::form_get(&pairs, "platform")
        .filter(|p| !p.is_empty())
        .map(str::to_string)
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

/// Routes of the control API (mounted at the root; paths start with `/_sandbox`).
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox", get(index))
        .route("/_sandbox/platforms", get(platforms))
        .route("/_sandbox/clock", get(clock))
        .route("/_sandbox/clock/advance", post(advance))
        .route("/_sandbox/accounts", get(accounts))
        .route(
            "/_sandbox/accounts/{platform}/{account_id}/revoke",
            post(revoke_account),
        )
        .route("/_sandbox/clients", get(clients).post(register_client))
        .route("/_sandbox/consent", get(consent).post(set_consent))
        .route("/_sandbox/consent/{id}", post(super::consent::submit))
        .route(
            "/_sandbox/faults",
            get(faults).post(inject_fault).delete(clear_faults),
        )
        .route("/_sandbox/requests", get(requests).delete(clear_requests))
        .route("/_sandbox/received", get(received))
        .route("/_sandbox/quotas", get(quotas).post(set_quota))
        .route("/_sandbox/tokens", post(issue_tokens))
        .route(
            "/_sandbox/settings/{platform}",
            get(settings).post(update_settings),
        )
        .route("/_sandbox/reset", post(reset))
        .route(
            "/_sandbox/avatar/{platform}/{file}",
            get(super::status_page::avatar),
        )
        .route("/_sandbox/pages/{slug}", get(link_page))
}

/// `GET /_sandbox/pages/{slug}[?title=..&description=..]`: a tiny article page with
/// `<title>`, `og:title`, `og:description` and `og:url`, so a client can fetch a
/// link's title (LinkedIn article shares) against something local. The title is
/// `title`, else the slug with dashes as spaces and a capital first letter.
async fn link_page(
    State(sb): State<Sandbox>,
    Path(slug): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    use super::util::html_escape;
    let pairs = super::util::parse_query(q.as_deref());
    let title = super::util::form_get(&pairs, "title")
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            let words = slug.replace(['-', '_'], " ");
            let mut c = words.trim().chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => "Sandbox page".to_string(),
            }
        });
    let description = super::util::form_get(&pairs, "description")
        .unwrap_or("A page served by the CreatorFlow sandbox.")
        .to_string();
    let url = sb.url(&format!("/_sandbox/pages/{slug}"));
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <meta property=\"og:title\" content=\"{t}\">\
         <meta property=\"og:description\" content=\"{d}\">\
         <meta property=\"og:type\" content=\"article\">\
         <meta property=\"og:url\" content=\"{u}\">\
         <meta name=\"description\" content=\"{d}\"></head>\
         <body style=\"font-family:sans-serif;max-width:36em;margin:3em auto\">\
         <h1>{t}</h1><p>{d}</p></body></html>",
        t = html_escape(&title),
        d = html_escape(&description),
        u = html_escape(url.as_str()),
    );
    axum::response::Html(html).into_response()
}

async fn index(State(sb): State<Sandbox>) -> Json<serde_json::Value> {
    Json(json!({
        "base_url": sb.base_url().as_str(),
        "endpoints": [
            "GET /_sandbox/platforms", "GET /_sandbox/clock", "POST /_sandbox/clock/advance",
            "GET /_sandbox/accounts", "POST /_sandbox/accounts/{platform}/{account_id}/revoke",
            "GET|POST /_sandbox/clients", "GET|POST /_sandbox/consent",
            "GET|POST|DELETE /_sandbox/faults", "GET|DELETE /_sandbox/requests",
            "GET /_sandbox/received", "GET|POST /_sandbox/quotas", "POST /_sandbox/tokens",
            "GET|POST /_sandbox/settings/{platform}", "POST /_sandbox/reset",
            "GET /_sandbox/pages/{slug}"
        ]
    }))
}

async fn platforms(State(sb): State<Sandbox>) -> Json<serde_json::Value> {
    let list: Vec<_> = sb
        .platforms()
        .iter()
        .map(|p| {
            json!({
                "id": p.id(),
                "name": p.display_name(),
                "prefix": p.prefix(),
                "base_url": sb.url(p.prefix()).as_str(),
                "hosts": p.hosts(),
            })
        })
        .collect();
    Json(json!(list))
}

async fn clock(State(sb): State<Sandbox>) -> Response {
    Json(sb.clock()).into_response()
}

async fn advance(State(sb): State<Sandbox>, CJson(a): CJson<Advance>) -> Response {
    Json(sb.advance_clock(a.seconds)).into_response()
}

async fn accounts(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let platform = query_platform(q);
    match sb.accounts(platform.as_deref()) {
        Ok(a) => Json(a).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn revoke_account(
    State(sb): State<Sandbox>,
    Path((platform, account_id)): Path<(String, String)>,
) -> Response {
    match sb.revoke_account(&platform, &account_id) {
        Ok(r) => Json(r).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn clients(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let platform = query_platform(q);
    let mut out = Vec::new();
    for p in sb.platforms() {
        if platform.as_deref().is_some_and(|want| want != p.id()) {
            continue;
        }
        if let Ok(cs) = sb.clients(p.id()) {
            for c in cs {
                out.push(json!({ "platform": p.id(), "client": c }));
            }
        }
    }
    if let Some(p) = platform
        && sb.platform(&p).is_none()
    {
        return ControlError::UnknownPlatform(p).into_response();
    }
    Json(out).into_response()
}

async fn register_client(
    State(sb): State<Sandbox>,
    CJson(reg): CJson<ClientRegistration>,
) -> Response {
    match sb.register_client(reg) {
        Ok(c) => (StatusCode::CREATED, Json(c)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn consent(State(sb): State<Sandbox>) -> Response {
    Json(sb.consent()).into_response()
}

async fn set_consent(State(sb): State<Sandbox>, CJson(mode): CJson<ConsentMode>) -> Response {
    sb.set_consent(mode.clone());
    Json(mode).into_response()
}

async fn faults(State(sb): State<Sandbox>) -> Response {
    Json(sb.faults()).into_response()
}

async fn inject_fault(State(sb): State<Sandbox>, CJson(spec): CJson<FaultSpec>) -> Response {
    match sb.inject_fault(spec) {
        Ok(f) => (StatusCode::CREATED, Json(f)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn clear_faults(State(sb): State<Sandbox>) -> Response {
    Json(json!({ "cleared": sb.clear_faults() })).into_response()
}

async fn requests(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let platform = query_platform(q);
    Json(sb.requests(platform.as_deref())).into_response()
}

async fn clear_requests(State(sb): State<Sandbox>) -> Response {
    sb.clear_requests();
    Json(json!({ "cleared": true })).into_response()
}

async fn received(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let platform = query_platform(q);
    if let Some(p) = &platform
        && sb.platform(p).is_none()
    {
        return ControlError::UnknownPlatform(p.clone()).into_response();
    }
    Json(sb.received(platform.as_deref())).into_response()
}

async fn quotas(State(sb): State<Sandbox>) -> Response {
    Json(sb.quotas()).into_response()
}

async fn set_quota(State(sb): State<Sandbox>, CJson(spec): CJson<QuotaSpec>) -> Response {
    match sb.set_quota(spec) {
        Ok(q) => Json(q).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn issue_tokens(State(sb): State<Sandbox>, CJson(req): CJson<TokenRequest>) -> Response {
    match sb.issue_tokens(req) {
        Ok(t) => (StatusCode::CREATED, Json(t)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn settings(State(sb): State<Sandbox>, Path(platform): Path<String>) -> Response {
    match sb.platform_settings(&platform) {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn update_settings(
    State(sb): State<Sandbox>,
    Path(platform): Path<String>,
    CJson(patch): CJson<serde_json::Value>,
) -> Response {
    match sb.update_platform_settings(&platform, patch) {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn reset(State(sb): State<Sandbox>) -> Response {
    sb.reset();
    Json(json!({ "reset": true })).into_response()
}
