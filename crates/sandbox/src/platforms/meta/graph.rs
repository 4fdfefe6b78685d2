//! The Graph hosts (`graph.facebook.com`, `graph.instagram.com`): path dispatch
//! (optional `vXX.X` segment), parameters from query/form/JSON/multipart, token
//! authentication, usage headers and rate limits, and the user / Page / account
//! nodes. Publishing lives in `publish.rs`, media insights in `metrics.rs`.

use axum::body::Body;
use axum::extract::{FromRequest as _, Multipart, OriginalUri, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::{
    GraphError, Login, MetaPage, PLATFORM, TokenInfo, TokenKind, Usage, is_facebook_user,
    is_ig_account, json_response, limits, metrics, oauth, page, pages_of, publish, remember_token,
    token_policy,
};
use crate::core::oauth::{BearerError, OAuthStore};
use crate::core::platform::PlatformCore;
use crate::core::sandbox::Sandbox;
use crate::core::state::SandboxState;
use crate::core::util::{content_type, form_get, parse_form, parse_query};

/// Largest non-upload request body.
const MAX_PARAMS_BODY: usize = 4 * 1024 * 1024;

/// `vNN.N`.
pub(crate) fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let Some((a, b)) = rest.split_once('.') else {
        return false;
    };
    !a.is_empty()
        && !b.is_empty()
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.bytes().all(|c| c.is_ascii_digit())
}

/// Checks an optional version segment against the accepted set.
pub(crate) fn check_version(sb: &Sandbox, version: Option<&str>) -> Result<(), GraphError> {
    let Some(v) = version else { return Ok(()) };
    let accepted = sb.read_state(|st| st.meta.settings.api_versions.clone());
    if accepted.iter().any(|a| a == v) {
        Ok(())
    } else {
        Err(GraphError::new(
            2635,
            format!(
                "(#2635) Unsupported API version {v}. This sandbox accepts: {}.",
                accepted.join(", ")
            ),
        ))
    }
}

/// Request parameters: the query string, then the body (form, JSON or multipart).
#[derive(Clone, Debug, Default)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    /// First value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        form_get(&self.0, key)
    }

    /// First non-empty value of `key`.
    pub fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.trim().is_empty())
    }
}

/// Reads the parameters of a Graph / OAuth request.
pub(crate) async fn read_params(req: Request) -> Result<(HeaderMap, Params), GraphError> {
    let mut pairs = parse_query(req.uri().query());
    let headers = req.headers().clone();
    let ct = content_type(&headers).unwrap_or_default();
    if ct == "multipart/form-data" {
        let mut mp = Multipart::from_request(req, &()).await.map_err(|e| {
            GraphError::invalid(&format!("Invalid multipart body: {}", e.body_text()))
        })?;
        loop {
            let field = mp.next_field().await.map_err(|e| {
                GraphError::invalid(&format!("Invalid multipart body: {}", e.body_text()))
            })?;
            let Some(field) = field else { break };
            let name = field.name().unwrap_or("").to_string();
            let text = field.text().await.map_err(|e| {
                GraphError::invalid(&format!("Invalid multipart body: {}", e.body_text()))
            })?;
            pairs.push((name, text));
        }
        return Ok((headers, Params(pairs)));
    }
    let bytes = axum::body::to_bytes(req.into_body(), MAX_PARAMS_BODY)
        .await
        .map_err(|_| {
            GraphError::new(1, "Request body too large").status(StatusCode::PAYLOAD_TOO_LARGE)
        })?;
    if bytes.is_empty() {
        return Ok((headers, Params(pairs)));
    }
    if ct == "application/json" {
        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&bytes) else {
            return Err(GraphError::invalid("The request body is not a JSON object"));
        };
        for (k, v) in obj {
            let s = match v {
                Value::String(s) => s,
                Value::Null => continue,
                other => other.to_string(),
            };
            pairs.push((k, s));
        }
    } else {
        // Form-encoded (also when the client sent no content type).
        pairs.extend(parse_form(&bytes));
    }
    Ok((headers, Params(pairs)))
}

/// `graph.facebook.com/...`.
pub(super) async fn facebook_graph(
    State(sb): State<Sandbox>,
    Path(rest): Path<String>,
    req: Request,
) -> Response {
    dispatch(sb, Login::Facebook, rest, req).await
}

/// `graph.instagram.com/...`.
pub(super) async fn instagram_graph(
    State(sb): State<Sandbox>,
    Path(rest): Path<String>,
    req: Request,
) -> Response {
    dispatch(sb, Login::Instagram, rest, req).await
}

/// Everything a handler needs about one Graph request.
pub(crate) struct Ctx {
    pub sb: Sandbox,
    pub host: Login,
    pub method: Method,
    /// Full request path (for paging links).
    pub path: String,
    pub version: Option<String>,
    pub params: Params,
    pub caller: Caller,
}

async fn dispatch(sb: Sandbox, host: Login, rest: String, req: Request<Body>) -> Response {
    let method = req.method().clone();
    // The router is nested under `/meta`: the original URI has the full path.
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.path().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let (headers, params) = match read_params(req).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let mut segs: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let version = match segs.first() {
        Some(s) if is_version(s) => Some(segs.remove(0)),
        _ => None,
    };
    if let Err(e) = check_version(&sb, version.as_deref()) {
        return e.into_response();
    }
    let seg: Vec<&str> = segs.iter().map(String::as_str).collect();
    let is_read = method == Method::GET || method == Method::POST;
    // Token endpoints (no API token accounting).
    match (host, seg.as_slice()) {
        (Login::Facebook, ["oauth", "access_token"]) if is_read => {
            return oauth::facebook_access_token(&sb, &params);
        }
        (Login::Instagram, ["access_token"]) if is_read => {
            return oauth::instagram_exchange(&sb, &params);
        }
        (Login::Instagram, ["refresh_access_token"]) if is_read => {
            return oauth::instagram_refresh(&sb, &params);
        }
        _ => {}
    }
    if seg.is_empty() {
        return GraphError::new(2500, "Unknown path components: /").into_response();
    }
    let caller = match authenticate(&sb, host, &params, &headers) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let target = sb.read_state(|st| target_ig(st, &caller, seg[0]));
    let (meter, throttled) = count_call(&sb, &caller, target.as_deref());
    let ctx = Ctx {
        sb: sb.clone(),
        host,
        method: method.clone(),
        path,
        version,
        params,
        caller,
    };
    let resp = match throttled {
        Some(e) => e.into_response(),
        None => route(&ctx, &seg)
            .await
            .unwrap_or_else(IntoResponse::into_response),
    };
    meter.apply(resp)
}

async fn route(ctx: &Ctx, seg: &[&str]) -> Result<Response, GraphError> {
    let m = &ctx.method;
    let fb = ctx.host == Login::Facebook;
    match seg {
        ["me"] if *m == Method::GET => me(ctx),
        ["me", "permissions"] if fb && *m == Method::GET => permissions(ctx),
        ["me", "permissions"] if fb && *m == Method::DELETE => revoke_permissions(ctx),
        ["me", "accounts"] if fb && *m == Method::GET => accounts(ctx),
        [id] if *m == Method::GET => node(ctx, id),
        [id] if *m == Method::DELETE => publish::delete(ctx, id),
        [id, "media"] if *m == Method::POST => publish::create(ctx, id).await,
        [id, "media"] if *m == Method::GET => publish::list(ctx, id),
        [id, "media_publish"] if *m == Method::POST => publish::publish(ctx, id),
        [id, "content_publishing_limit"] if *m == Method::GET => publish::publishing_limit(ctx, id),
        [id, "children"] if *m == Method::GET => publish::children(ctx, id),
        [id, "insights"] if *m == Method::GET => metrics::media_insights(ctx, id),
        [id] | [id, _] => Err(GraphError::unsupported(&method_word(m), id)),
        _ => Err(GraphError::new(
            2500,
            format!("Unknown path components: /{}", seg.join("/")),
        )),
    }
}

pub(crate) fn method_word(m: &Method) -> String {
    m.as_str().to_ascii_lowercase()
}

// ----- authentication -----------------------------------------------------------------

/// Who a token speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Principal {
    /// A Facebook user token (Facebook Login).
    FacebookUser(String),
    /// A Page token handed out by `/me/accounts`.
    Page { user: String, page: String },
    /// An Instagram user token (Instagram Login).
    Instagram(String),
}

/// The authenticated caller of a Graph request.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub token: String,
    pub client_id: String,
    pub account_id: String,
    pub scopes: Vec<String>,
    pub principal: Principal,
    pub kind: TokenKind,
    pub issued_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Caller {
    pub fn login(&self) -> Login {
        match self.principal {
            Principal::Instagram(_) => Login::Instagram,
            _ => Login::Facebook,
        }
    }

    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Checks the publishing permissions of this token's product (the permission
    /// tables of the IG Container and Content Publishing Limit references): Facebook
    /// Login needs `instagram_basic`, `instagram_content_publish` and
    /// `pages_read_engagement`; Instagram Login the two `instagram_business_*` ones.
    pub fn require_publish(&self) -> Result<(), GraphError> {
        match self.login() {
            Login::Facebook => {
                self.require(&["instagram_basic", "instagram_content_publish"], 10)?;
                if !self.has("pages_read_engagement") {
                    // Graph's words for a Page read without this permission.
                    return Err(GraphError::new(
                        10,
                        "(#10) This endpoint requires the 'pages_read_engagement' permission or \
                         the 'Page Public Content Access' feature. Refer to \
                         https://developers.facebook.com/docs/apps/review/login-permissions#manage-pages \
                         and https://developers.facebook.com/docs/apps/review/feature#reference-PAGES_ACCESS \
                         for details.",
                    )
                    .user(
                        "Permission missing",
                        "The access token lacks: pages_read_engagement.",
                    ));
                }
                Ok(())
            }
            Login::Instagram => self.require(
                &[
                    "instagram_business_basic",
                    "instagram_business_content_publish",
                ],
                10,
            ),
        }
    }

    /// Checks the basic read permission of this token's product.
    pub fn require_basic(&self) -> Result<(), GraphError> {
        let needed: &[&str] = match self.login() {
            Login::Facebook => &["instagram_basic"],
            Login::Instagram => &["instagram_business_basic"],
        };
        self.require(needed, 10)
    }

    /// Missing permission: `(#10)` (code 10) or `(#200)` (code 200).
    pub fn require(&self, needed: &[&str], code: i64) -> Result<(), GraphError> {
        let missing: Vec<&str> = needed.iter().copied().filter(|s| !self.has(s)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        let message = if code == 10 {
            "(#10) Application does not have permission for this action".to_string()
        } else {
            format!("(#{code}) Requires {} permission", missing.join(", "))
        };
        Err(GraphError::new(code, message).user(
            "Permission missing",
            format!("The access token lacks: {}.", missing.join(", ")),
        ))
    }

    /// Whether this caller may act for IG account `ig_id`.
    pub fn can_access_ig(&self, core: &PlatformCore, ig_id: &str) -> bool {
        match &self.principal {
            Principal::Instagram(id) => id == ig_id,
            Principal::FacebookUser(u) => pages_of(core, u)
                .iter()
                .any(|p| p.instagram_business_account == Some(ig_id)),
            Principal::Page { page: p, .. } => {
                page(p).is_some_and(|p| p.instagram_business_account == Some(ig_id))
            }
        }
    }
}

fn token_from(params: &Params, headers: &HeaderMap) -> Option<String> {
    if let Some(t) = params.non_empty("access_token") {
        return Some(t.to_string());
    }
    auth_header_token(headers)
}

/// The token of `Authorization: Bearer <t>` or `Authorization: OAuth <t>`.
pub(crate) fn auth_header_token(headers: &HeaderMap) -> Option<String> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, rest) = v.trim().split_once(' ')?;
    if (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        && !rest.trim().is_empty()
    {
        Some(rest.trim().to_string())
    } else {
        None
    }
}

/// A code-190 error with the configured HTTP status.
pub(crate) fn token_error(st: &SandboxState, subcode: Option<i64>, message: &str) -> GraphError {
    let status =
        StatusCode::from_u16(st.meta.settings.auth_error_status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut e = GraphError::new(190, message).status(status).invalid_token();
    e.subcode = subcode;
    e
}

/// Looks a token up for `host`. Errors are Graph's code 190 (104 when absent).
pub(crate) fn check_token(
    st: &SandboxState,
    host: Login,
    token: Option<&str>,
) -> Result<Caller, GraphError> {
    let Some(token) = token else {
        return Err(GraphError::new(
            104,
            "An access token is required to request this resource.",
        ));
    };
    let now = st.now();
    let Some(core) = st.core_ref(PLATFORM) else {
        return Err(token_error(
            st,
            Some(467),
            "Invalid OAuth access token - Cannot parse access token",
        ));
    };
    let rec = match core.oauth.check_bearer(Some(token), now) {
        Ok(r) => r.clone(),
        Err(BearerError::Expired) => {
            return Err(token_error(
                st,
                Some(463),
                &format!(
                    "Error validating access token: Session has expired. The current time is {}.",
                    now.format("%A, %d-%b-%y %H:%M:%S UTC")
                ),
            ));
        }
        Err(BearerError::Revoked) => {
            let sub = st.meta.settings.revoked_token_subcode;
            let msg = if sub == 458 {
                "Error validating access token: The user has not authorized the application."
            } else {
                "Error validating access token: The session has been invalidated because the user \
                 changed their password or Facebook has changed the session for security reasons."
            };
            return Err(token_error(st, Some(sub), msg));
        }
        Err(BearerError::Missing | BearerError::Unknown) => {
            return Err(token_error(
                st,
                Some(467),
                "Invalid OAuth access token - Cannot parse access token",
            ));
        }
    };
    let info = st.meta.tokens.get(token);
    let principal = if is_ig_account(core, &rec.account_id) {
        Principal::Instagram(rec.account_id.clone())
    } else if is_facebook_user(core, &rec.account_id) {
        match info.and_then(|i| i.page_id.clone()) {
            Some(p) => Principal::Page {
                user: rec.account_id.clone(),
                page: p,
            },
            None => Principal::FacebookUser(rec.account_id.clone()),
        }
    } else {
        return Err(token_error(
            st,
            Some(467),
            "Invalid OAuth access token - Cannot parse access token",
        ));
    };
    let caller = Caller {
        token: token.to_string(),
        client_id: rec.client_id.clone(),
        account_id: rec.account_id.clone(),
        scopes: rec.scopes.clone(),
        principal,
        kind: info.map(|i| i.kind).unwrap_or(TokenKind::Long),
        issued_at: info.map(|i| i.created_at).unwrap_or(rec.issued_at),
        expires_at: rec.expires_at,
    };
    if caller.login() != host {
        // A Facebook token on graph.instagram.com or the reverse.
        return Err(token_error(
            st,
            Some(467),
            "Invalid OAuth access token - Cannot parse access token",
        ));
    }
    Ok(caller)
}

fn authenticate(
    sb: &Sandbox,
    host: Login,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Caller, GraphError> {
    let token = token_from(params, headers);
    sb.read_state(|st| check_token(st, host, token.as_deref()))
}

/// The IG account a request is about (for the business-use-case meter).
fn target_ig(st: &SandboxState, caller: &Caller, first: &str) -> Option<String> {
    let core = st.core_ref(PLATFORM)?;
    if first == "me" {
        return match &caller.principal {
            Principal::Instagram(id) => Some(id.clone()),
            _ => None,
        };
    }
    if is_ig_account(core, first) {
        return Some(first.to_string());
    }
    st.meta
        .containers
        .get(first)
        .map(|c| c.owner_id.clone())
        .or_else(|| st.meta.media.get(first).map(|m| m.owner_id.clone()))
}

// ----- usage headers and rate limits ---------------------------------------------------

/// Usage headers to put on a response.
pub(crate) struct Meter {
    app: Usage,
    buc: Option<(String, Usage, i64)>,
}

impl Meter {
    fn apply(self, mut r: Response) -> Response {
        insert_app_usage(&mut r, self.app);
        if let Some((id, u, regain)) = self.buc {
            let v = json!({ id: [{
                "type": "instagram",
                "call_count": u.call_count,
                "total_cputime": u.total_cputime,
                "total_time": u.total_time,
                "estimated_time_to_regain_access": regain,
            }]});
            if let Ok(h) = HeaderValue::from_str(&v.to_string()) {
                r.headers_mut().insert("x-business-use-case-usage", h);
            }
        }
        r
    }
}

/// `X-App-Usage: {"call_count":..,"total_time":..,"total_cputime":..}`.
pub(crate) fn insert_app_usage(r: &mut Response, u: Usage) {
    let v = json!({
        "call_count": u.call_count,
        "total_time": u.total_time,
        "total_cputime": u.total_cputime,
    });
    if let Ok(h) = HeaderValue::from_str(&v.to_string()) {
        r.headers_mut().insert("x-app-usage", h);
    }
}

fn pct(used: u64, limit: u64) -> u32 {
    if limit == 0 {
        return 100;
    }
    u32::try_from((used.saturating_mul(100) / limit).min(100)).unwrap_or(100)
}

fn flat(p: u32) -> Usage {
    Usage {
        call_count: p,
        total_time: p,
        total_cputime: p,
    }
}

fn maxed(u: &Usage) -> bool {
    u.call_count >= 100 || u.total_time >= 100 || u.total_cputime >= 100
}

/// Counts a Graph call against the app, user, Page and business-use-case windows.
fn count_call(sb: &Sandbox, caller: &Caller, target: Option<&str>) -> (Meter, Option<GraphError>) {
    sb.with_state(|st| {
        let now = st.now();
        let settings = st.meta.settings.clone();
        let core = st.core(PLATFORM);
        let mut err: Option<GraphError> = None;
        let app = core.rate.hit(
            limits::APP,
            &format!("app:{}", caller.client_id),
            limits::default_of(limits::APP),
            now,
        );
        let app_usage = settings
            .app_usage
            .unwrap_or_else(|| flat(pct(app.used, app.limit)));
        if !app.allowed || settings.app_usage.as_ref().is_some_and(maxed) {
            err =
                Some(GraphError::new(4, "(#4) Application request limit reached").transient(true));
        }
        if err.is_none() {
            let user = core.rate.hit(
                limits::USER,
                &format!("user:{}", caller.account_id),
                limits::default_of(limits::USER),
                now,
            );
            if !user.allowed {
                err = Some(GraphError::new(17, "(#17) User request limit reached").transient(true));
            }
        }
        if err.is_none()
            && let Principal::Page { page, .. } = &caller.principal
        {
            let p = core.rate.hit(
                limits::PAGE,
                &format!("page:{page}"),
                limits::default_of(limits::PAGE),
                now,
            );
            if !p.allowed {
                err = Some(GraphError::new(32, "(#32) Page request limit reached").transient(true));
            }
        }
        let mut buc = None;
        if let Some(ig) = target {
            let d = if err.is_none() {
                core.rate.hit(
                    limits::BUSINESS_USE_CASE,
                    &format!("ig:{ig}"),
                    limits::default_of(limits::BUSINESS_USE_CASE),
                    now,
                )
            } else {
                core.rate.peek(
                    limits::BUSINESS_USE_CASE,
                    &format!("ig:{ig}"),
                    limits::default_of(limits::BUSINESS_USE_CASE),
                    now,
                )
            };
            let usage = settings
                .business_use_case_usage
                .unwrap_or_else(|| flat(pct(d.used, d.limit)));
            let throttled =
                !d.allowed || settings.business_use_case_usage.as_ref().is_some_and(maxed);
            let regain = if throttled {
                (d.reset_in(now) + 59) / 60
            } else {
                0
            };
            if err.is_none() && throttled {
                err = Some(
                    GraphError::new(
                        613,
                        "(#613) Calls to this api have exceeded the rate limit.",
                    )
                    .transient(true),
                );
            }
            buc = Some((ig.to_string(), usage, regain.max(i64::from(throttled))));
        }
        (
            Meter {
                app: app_usage,
                buc,
            },
            err,
        )
    })
}

// ----- fields --------------------------------------------------------------------------

/// One requested field, with its sub-fields (`instagram_business_account{id,username}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub name: String,
    pub sub: Option<Vec<Field>>,
}

/// Parses a `fields` parameter (`a,b{c,d},e.limit(3)`); modifiers are ignored.
pub(crate) fn parse_fields(s: &str) -> Result<Vec<Field>, GraphError> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let out = parse_list(&chars, &mut i, 0)?;
    if i < chars.len() {
        return Err(GraphError::invalid(&format!(
            "Syntax error \"Expected end of string instead of \"{}\".\" at character {i}: {s}",
            chars[i]
        )));
    }
    Ok(out)
}

fn parse_list(c: &[char], i: &mut usize, depth: usize) -> Result<Vec<Field>, GraphError> {
    if depth > 8 {
        return Err(GraphError::invalid("Field expansion is nested too deeply"));
    }
    let mut out = Vec::new();
    loop {
        while *i < c.len() && (c[*i] == ',' || c[*i].is_whitespace()) {
            *i += 1;
        }
        if *i >= c.len() || c[*i] == '}' {
            return Ok(out);
        }
        let mut name = String::new();
        while *i < c.len() && !matches!(c[*i], ',' | '{' | '}' | '.' | '(' | ')') {
            if !c[*i].is_whitespace() {
                name.push(c[*i]);
            }
            *i += 1;
        }
        // Modifiers: `.limit(3)`, `.as(x)` ...
        while *i < c.len() && c[*i] == '.' {
            while *i < c.len() && c[*i] != '(' && !matches!(c[*i], ',' | '{' | '}') {
                *i += 1;
            }
            if *i < c.len() && c[*i] == '(' {
                while *i < c.len() && c[*i] != ')' {
                    *i += 1;
                }
                *i += 1;
            }
        }
        let mut sub = None;
        if *i < c.len() && c[*i] == '{' {
            *i += 1;
            sub = Some(parse_list(c, i, depth + 1)?);
            if *i >= c.len() || c[*i] != '}' {
                return Err(GraphError::invalid(
                    "Syntax error: unbalanced braces in fields",
                ));
            }
            *i += 1;
        }
        if name.is_empty() {
            return Err(GraphError::invalid(
                "Syntax error: empty field name in fields",
            ));
        }
        out.push(Field { name, sub });
        if *i < c.len() && c[*i] == ')' {
            return Err(GraphError::invalid(
                "Syntax error: unexpected ')' in fields",
            ));
        }
    }
}

/// The requested fields, or `default` when `fields` is absent.
pub(crate) fn fields_or(params: &Params, default: &[&str]) -> Result<Vec<Field>, GraphError> {
    match params.non_empty("fields") {
        Some(f) => parse_fields(f),
        None => Ok(default
            .iter()
            .map(|n| Field {
                name: n.to_string(),
                sub: None,
            })
            .collect()),
    }
}

// ----- paging ---------------------------------------------------------------------------

/// One page of a cursor-paged edge.
pub(crate) struct Page<'a, T> {
    pub items: &'a [T],
    pub start: usize,
    pub total: usize,
}

pub(crate) fn encode_cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{index}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(c.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

/// Applies `limit` / `after` / `before` to `items`.
pub(crate) fn paginate<'a, T>(params: &Params, items: &'a [T]) -> Result<Page<'a, T>, GraphError> {
    let limit = match params.non_empty("limit") {
        None => 25,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if n > 0 => n.min(100),
            _ => {
                return Err(GraphError::invalid(
                    "Param limit must be a positive integer",
                ));
            }
        },
    };
    let start = if let Some(a) = params.non_empty("after") {
        decode_cursor(a)
            .map(|i| i + 1)
            .ok_or_else(|| GraphError::invalid("Invalid cursor in after"))?
    } else if let Some(b) = params.non_empty("before") {
        let idx =
            decode_cursor(b).ok_or_else(|| GraphError::invalid("Invalid cursor in before"))?;
        idx.saturating_sub(limit)
    } else {
        0
    };
    let start = start.min(items.len());
    let end = (start + limit).min(items.len());
    Ok(Page {
        items: &items[start..end],
        start,
        total: items.len(),
    })
}

/// `{"cursors":{"before","after"},"next"?,"previous"?}` for a page.
pub(crate) fn paging_value<T>(ctx: &Ctx, page: &Page<'_, T>) -> Value {
    let mut paging = Map::new();
    if !page.items.is_empty() {
        let first = page.start;
        let last = page.start + page.items.len() - 1;
        paging.insert(
            "cursors".into(),
            json!({ "before": encode_cursor(first), "after": encode_cursor(last) }),
        );
        if last + 1 < page.total {
            paging.insert(
                "next".into(),
                json!(page_link(ctx, "after", &encode_cursor(last))),
            );
        }
        if first > 0 {
            paging.insert(
                "previous".into(),
                json!(page_link(ctx, "before", &encode_cursor(first))),
            );
        }
    }
    Value::Object(paging)
}

fn page_link(ctx: &Ctx, key: &str, cursor: &str) -> String {
    let mut url = ctx.sb.url(&ctx.path);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in &ctx.params.0 {
            if k != "after" && k != "before" {
                q.append_pair(k, v);
            }
        }
        q.append_pair(key, cursor);
    }
    url.to_string()
}

// ----- nodes ----------------------------------------------------------------------------

/// `GET /me`.
fn me(ctx: &Ctx) -> Result<Response, GraphError> {
    match &ctx.caller.principal {
        Principal::Instagram(id) => {
            let id = id.clone();
            ig_user(ctx, &id)
        }
        Principal::FacebookUser(u) => {
            let u = u.clone();
            facebook_user(ctx, &u)
        }
        Principal::Page { page: p, .. } => {
            let p = p.to_string();
            page_node(ctx, &p)
        }
    }
}

/// `GET /{id}`: IG user, container, media, Page or Facebook user.
fn node(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let kind = ctx.sb.read_state(|st| {
        let core = st.core_ref(PLATFORM)?;
        if is_ig_account(core, id) {
            Some("ig_user")
        } else if st.meta.containers.contains_key(id) {
            Some("container")
        } else if st.meta.media.contains_key(id) {
            Some("media")
        } else if page(id).is_some() {
            Some("page")
        } else if is_facebook_user(core, id) {
            Some("user")
        } else {
            None
        }
    });
    match kind {
        Some("ig_user") => ig_user(ctx, id),
        Some("container") => publish::container_node(ctx, id),
        Some("media") => publish::media_node(ctx, id),
        Some("page") if ctx.host == Login::Facebook => page_node(ctx, id),
        Some("user")
            if ctx.host == Login::Facebook
                && matches!(&ctx.caller.principal, Principal::FacebookUser(u) if u == id) =>
        {
            facebook_user(ctx, id)
        }
        _ => Err(GraphError::unsupported("get", id)),
    }
}

fn facebook_user(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let fields = fields_or(&ctx.params, &["name", "id"])?;
    let account = ctx
        .sb
        .read_state(|st| st.core_ref(PLATFORM).and_then(|c| c.account(id).cloned()));
    let Some(a) = account else {
        return Err(GraphError::unsupported("get", id));
    };
    let mut out = Map::new();
    for f in &fields {
        let v = match f.name.as_str() {
            "id" => json!(a.id),
            "name" => json!(a.display_name),
            "short_name" | "first_name" => {
                json!(a.display_name.split_whitespace().next().unwrap_or(""))
            }
            "email" if ctx.caller.has("email") => json!(format!("{}@sandbox.invalid", a.username)),
            "email" => continue,
            other => return Err(GraphError::unknown_field(other, "User")),
        };
        out.insert(f.name.clone(), v);
    }
    Ok(json_response(StatusCode::OK, &Value::Object(out)))
}

/// `GET /{ig-user-id}` (and `/me` on graph.instagram.com).
fn ig_user(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let fields = fields_or(&ctx.params, &["id"])?;
    let v = ctx.sb.read_state(|st| -> Result<Value, GraphError> {
        let core = st
            .core_ref(PLATFORM)
            .ok_or_else(|| GraphError::unsupported("get", id))?;
        if !ctx.caller.can_access_ig(core, id) {
            return Err(GraphError::unsupported("get", id));
        }
        ctx.caller.require_basic()?;
        ig_user_value(ctx, st, id, &fields)
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// The fields of an IG user.
pub(crate) fn ig_user_value(
    ctx: &Ctx,
    st: &SandboxState,
    id: &str,
    fields: &[Field],
) -> Result<Value, GraphError> {
    let core = st
        .core_ref(PLATFORM)
        .ok_or_else(|| GraphError::unsupported("get", id))?;
    let a = core
        .account(id)
        .ok_or_else(|| GraphError::unsupported("get", id))?;
    let ig_host = ctx.host == Login::Instagram;
    let media_count = st
        .meta
        .media
        .values()
        .filter(|m| {
            m.owner_id == id
                && !m.deleted
                && m.parent_id.is_none()
                && m.media_product_type != "STORY"
        })
        .count();
    let mut out = Map::new();
    for f in fields {
        let v = match f.name.as_str() {
            "id" => json!(a.id),
            "user_id" if ig_host => json!(a.id),
            "ig_id" if !ig_host => json!(
                a.id.trim_start_matches("178414")
                    .parse::<u64>()
                    .unwrap_or(0)
            ),
            "username" => json!(a.username),
            "name" => json!(a.display_name),
            "profile_picture_url" => json!(ctx.sb.url(&a.avatar_path(PLATFORM)).as_str()),
            "has_profile_pic" => json!(true),
            "biography" => json!(format!(
                "Emulated Instagram account of the CreatorFlow sandbox ({})",
                a.display_name
            )),
            "website" => json!("https://creatorflow.invalid/"),
            "followers_count" => json!(1200),
            "follows_count" => json!(150),
            "media_count" => json!(media_count),
            "account_type" if ig_host => a
                .extra
                .get("account_type")
                .cloned()
                .unwrap_or(json!("BUSINESS")),
            other => return Err(GraphError::unknown_field(other, "IGUser")),
        };
        out.insert(f.name.clone(), v);
    }
    Ok(Value::Object(out))
}

/// `GET /{page-id}` (and `/me` with a Page token).
fn page_node(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let fields = fields_or(&ctx.params, &["name", "id"])?;
    let p = page(id).ok_or_else(|| GraphError::unsupported("get", id))?;
    let v = ctx.sb.with_state(|st| -> Result<Value, GraphError> {
        let visible = match &ctx.caller.principal {
            Principal::FacebookUser(u) => st
                .core_ref(PLATFORM)
                .is_some_and(|c| pages_of(c, u).iter().any(|x| x.id == id)),
            Principal::Page { page: mine, .. } => mine == id,
            Principal::Instagram(_) => false,
        };
        if !visible {
            return Err(GraphError::unsupported("get", id));
        }
        page_value(ctx, st, p, &fields)
    })?;
    Ok(json_response(StatusCode::OK, &v))
}

/// The fields of a Page (issues its Page token when `access_token` is asked for).
fn page_value(
    ctx: &Ctx,
    st: &mut SandboxState,
    p: &MetaPage,
    fields: &[Field],
) -> Result<Value, GraphError> {
    let mut out = Map::new();
    for f in fields {
        let v = match f.name.as_str() {
            "id" => json!(p.id),
            "name" => json!(p.name),
            "category" => json!(p.category),
            "category_list" => json!([{ "id": "2700", "name": p.category }]),
            "tasks" => json!([
                "ADVERTISE",
                "ANALYZE",
                "CREATE_CONTENT",
                "MESSAGING",
                "MODERATE",
                "MANAGE"
            ]),
            "access_token" => match &ctx.caller.principal {
                Principal::FacebookUser(_) => json!(page_token(st, &ctx.caller, p.id)),
                Principal::Page { .. } => json!(ctx.caller.token),
                Principal::Instagram(_) => continue,
            },
            "instagram_business_account" | "connected_instagram_account" => {
                let Some(ig) = p.instagram_business_account else {
                    // Graph omits the field when no IG professional account is linked.
                    continue;
                };
                let sub = f.sub.clone().unwrap_or_else(|| {
                    vec![Field {
                        name: "id".into(),
                        sub: None,
                    }]
                });
                ig_user_value(ctx, st, ig, &sub)?
            }
            other => return Err(GraphError::unknown_field(other, "Page")),
        };
        out.insert(f.name.clone(), v);
    }
    Ok(Value::Object(out))
}

/// The Page token of `page_id` for this user token (issued once, then reused).
fn page_token(st: &mut SandboxState, caller: &Caller, page_id: &str) -> String {
    let now = st.now();
    let key = format!("{}|{page_id}", caller.token);
    if let Some(t) = st.meta.page_tokens.get(&key).cloned()
        && st
            .core_ref(PLATFORM)
            .is_some_and(|c| c.oauth.check_bearer(Some(&t), now).is_ok())
    {
        return t;
    }
    // From a long-lived user token the Page token does not expire; from a short-lived
    // one it lives as long as the user token.
    let ttl = match caller.kind {
        TokenKind::Short => caller.expires_at.map(|e| (e - now).num_seconds().max(1)),
        _ => None,
    };
    let issued = st.core(PLATFORM).oauth.issue_tokens(
        &caller.client_id,
        &caller.account_id,
        &caller.scopes,
        &OAuthStore::new_family(),
        false,
        &token_policy(ttl),
        now,
    );
    remember_token(
        st,
        issued.access_token.clone(),
        TokenInfo {
            kind: TokenKind::Page,
            login: Login::Facebook,
            page_id: Some(page_id.to_string()),
            created_at: now,
        },
    );
    st.meta.page_tokens.insert(key, issued.access_token.clone());
    issued.access_token
}

/// `GET /me/accounts`: the user's Pages, paged, with and without an IG account.
fn accounts(ctx: &Ctx) -> Result<Response, GraphError> {
    let Principal::FacebookUser(user) = &ctx.caller.principal else {
        return Err(GraphError::unknown_field("accounts", "Page"));
    };
    ctx.caller.require(&["pages_show_list"], 200)?;
    let fields = fields_or(
        &ctx.params,
        &[
            "access_token",
            "category",
            "category_list",
            "name",
            "id",
            "tasks",
        ],
    )?;
    let body = ctx.sb.with_state(|st| -> Result<Value, GraphError> {
        let pages: Vec<&'static MetaPage> = st
            .core_ref(PLATFORM)
            .map(|c| pages_of(c, user))
            .unwrap_or_default();
        let page = paginate(&ctx.params, &pages)?;
        let mut data = Vec::new();
        for p in page.items {
            data.push(page_value(ctx, st, p, &fields)?);
        }
        Ok(json!({ "data": data, "paging": paging_value(ctx, &page) }))
    })?;
    Ok(json_response(StatusCode::OK, &body))
}

/// `GET /me/permissions`.
fn permissions(ctx: &Ctx) -> Result<Response, GraphError> {
    let declined = ctx
        .sb
        .read_state(|st| st.meta.settings.facebook_declined_permissions.clone());
    let mut data: Vec<Value> = ctx
        .caller
        .scopes
        .iter()
        .map(|s| json!({ "permission": s, "status": "granted" }))
        .collect();
    for d in declined {
        if !ctx.caller.has(&d) {
            data.push(json!({ "permission": d, "status": "declined" }));
        }
    }
    Ok(json_response(StatusCode::OK, &json!({ "data": data })))
}

/// `DELETE /me/permissions`: the user removes the app (every token of theirs dies).
fn revoke_permissions(ctx: &Ctx) -> Result<Response, GraphError> {
    let Principal::FacebookUser(user) = &ctx.caller.principal else {
        return Err(GraphError::unsupported("delete", "permissions"));
    };
    ctx.sb.with_state(|st| {
        st.core(PLATFORM).oauth.revoke_account(user);
    });
    Ok(json_response(StatusCode::OK, &json!({ "success": true })))
}
