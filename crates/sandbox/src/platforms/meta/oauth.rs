//! Both Meta login products.
//!
//! Facebook Login: `GET www.facebook.com/vXX.X/dialog/oauth` -> code ->
//! `GET graph.facebook.com/vXX.X/oauth/access_token` (short-lived user token) ->
//! `grant_type=fb_exchange_token` (long-lived, ~60 days). No refresh token.
//!
//! Instagram Login: `GET www.instagram.com/oauth/authorize` (or api.instagram.com)
//! -> redirect `?code=...#_` -> `POST api.instagram.com/oauth/access_token`
//! (short-lived, 1 h) -> `GET graph.instagram.com/access_token?grant_type=ig_exchange_token`
//! (60 days) -> `GET graph.instagram.com/refresh_access_token` (token >= 24 h old).

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};

use super::graph::{
    Caller, Params, check_token, check_version, is_version, read_params, token_error,
};
use super::{
    FACEBOOK_CODE_LIFETIME_SECS, FACEBOOK_PERMISSIONS, FACEBOOK_PUBLISH_SCOPES, GraphError,
    INSTAGRAM_CODE_LIFETIME_SECS, INSTAGRAM_SCOPES, Login, META_FACEBOOK_APP_ID,
    META_INSTAGRAM_APP_ID, PLATFORM, TokenInfo, TokenKind, facebook_user_of, is_facebook_user,
    is_ig_account, json_response, remember_token, token_policy,
};
use crate::core::consent::{self, error_page, redirect_error};
use crate::core::oauth::{CodeCheck, CodeError, OAuthClient, PkceMethod};
use crate::core::sandbox::Sandbox;
use crate::core::state::{PendingConsent, SandboxState};
use crate::core::util::{form_get, parse_query};

/// The fragment Instagram appends to its redirect (`?code=...#_`).
const IG_FRAGMENT: &str = "#_";

fn client(sb: &Sandbox, id: &str) -> Option<OAuthClient> {
    sb.read_state(|st| st.core_ref(PLATFORM).and_then(|c| c.client(id)).cloned())
}

/// Whether a client may be used with a login product (the seeded apps are
/// product-specific; clients registered through the control API work with both).
fn client_fits(client_id: &str, login: Login) -> bool {
    match login {
        Login::Facebook => client_id != META_INSTAGRAM_APP_ID,
        Login::Instagram => client_id != META_FACEBOOK_APP_ID,
    }
}

/// Splits a scope list: comma- or space-separated (also `+`), de-duplicated.
fn split_scopes(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in s
        .split([',', ' ', '+'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if !out.iter().any(|x| x == p) {
            out.push(p.to_string());
        }
    }
    out
}

// ----- Facebook Login --------------------------------------------------------------------

/// `GET /meta/facebook/dialog/oauth`.
pub(super) async fn facebook_dialog(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    dialog(&sb, None, q.as_deref())
}

/// `GET /meta/facebook/{version}/dialog/oauth`.
pub(super) async fn facebook_dialog_versioned(
    State(sb): State<Sandbox>,
    Path(version): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    dialog(&sb, Some(&version), q.as_deref())
}

fn dialog(sb: &Sandbox, version: Option<&str>, q: Option<&str>) -> Response {
    if let Some(v) = version
        && (!is_version(v) || check_version(sb, Some(v)).is_err())
    {
        return error_page(
            StatusCode::NOT_FOUND,
            "This page isn't available",
            &format!("Unsupported API version {v}."),
        );
    }
    let params = parse_query(q);
    let get = |k: &str| form_get(&params, k).filter(|v| !v.is_empty());
    let bad_app = || {
        error_page(
            StatusCode::BAD_REQUEST,
            "Invalid App ID",
            "The provided app ID does not look like a valid app ID.",
        )
    };
    let Some(client_id) = get("client_id") else {
        return bad_app();
    };
    let Some(client) = client(sb, client_id).filter(|_| client_fits(client_id, Login::Facebook))
    else {
        return bad_app();
    };
    let blocked = || {
        error_page(
            StatusCode::BAD_REQUEST,
            "URL blocked",
            "This redirect failed because the redirect URI is not whitelisted in the app's Client \
             OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app \
             domains as Valid OAuth Redirect URIs.",
        )
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return blocked();
    };
    if !client.redirect_allowed(redirect_uri) {
        return blocked();
    }
    let state = get("state");
    match get("response_type") {
        None | Some("code") => {}
        Some(_) => {
            return redirect_error(
                StatusCode::FOUND,
                redirect_uri,
                "unsupported_response_type",
                Some("The sandbox supports response_type=code only."),
                state,
            );
        }
    }
    let mut scopes = match (get("scope"), get("config_id")) {
        (Some(s), _) => {
            let list = split_scopes(s);
            let unknown: Vec<&str> = list
                .iter()
                .map(String::as_str)
                .filter(|p| !FACEBOOK_PERMISSIONS.contains(p))
                .collect();
            if !unknown.is_empty() {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "Invalid Scopes",
                    &format!(
                        "Invalid Scopes: {}. This message is only shown to developers. Users of \
                         your app will ignore these permissions if present.",
                        unknown.join(", ")
                    ),
                );
            }
            list
        }
        // Facebook Login for Business: the configuration decides the permissions.
        (None, Some(_)) => FACEBOOK_PUBLISH_SCOPES
            .iter()
            .map(|s| s.to_string())
            .collect(),
        (None, None) => Vec::new(),
    };
    if !scopes.iter().any(|s| s == "public_profile") {
        scopes.push("public_profile".into());
    }
    let declined = sb.read_state(|st| st.meta.settings.facebook_declined_permissions.clone());
    scopes.retain(|s| !declined.contains(s));
    let (challenge, method) = match get("code_challenge") {
        None => (None, None),
        Some(c) => match get("code_challenge_method").unwrap_or("plain") {
            m @ ("S256" | "plain") => (Some(c.to_string()), PkceMethod::parse_standard(m)),
            _ => {
                return redirect_error(
                    StatusCode::FOUND,
                    redirect_uri,
                    "invalid_request",
                    Some("code_challenge_method must be S256 or plain."),
                    state,
                );
            }
        },
    };
    consent::begin(
        sb,
        PendingConsent {
            platform: PLATFORM.into(),
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_string(),
            scopes,
            state: state.map(str::to_string),
            code_challenge: challenge,
            challenge_method: method,
            code_lifetime_secs: FACEBOOK_CODE_LIFETIME_SECS,
            extra_redirect_params: Vec::new(),
            created_at: sb.now(),
        },
    )
}

/// `GET /meta/facebook/connect/login_success.html`: the near-empty "Success" page a
/// desktop login window lands on (`META_LOGIN_SUCCESS_URI`). The app reads the code
/// from the redirect before the page loads; the page only has to exist. Both login
/// products redirect here when it is the `redirect_uri`.
pub(super) async fn login_success() -> Response {
    let mut r = Html(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Success</title>\
         <meta name=\"robots\" content=\"noindex\"></head><body>Success<br>\
         <p><small>SECURITY WARNING: treat the address above like a password and do not \
         share it.</small></p></body></html>",
    )
    .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn token_body(access_token: &str, expires_in: Option<i64>) -> Value {
    let mut v = json!({ "access_token": access_token, "token_type": "bearer" });
    if let (Some(e), Some(obj)) = (expires_in, v.as_object_mut()) {
        obj.insert("expires_in".into(), json!(e));
    }
    v
}

/// Client id + secret check shared by the Graph token endpoints.
fn check_app(sb: &Sandbox, client_id: &str, secret: &str) -> Result<OAuthClient, GraphError> {
    let Some(c) = client(sb, client_id) else {
        return Err(GraphError::new(
            101,
            "Error validating application. Invalid application ID.",
        ));
    };
    if !c.secret_matches(secret) {
        return Err(GraphError::new(1, "Error validating client secret."));
    }
    Ok(c)
}

/// `GET|POST graph.facebook.com/oauth/access_token`: code exchange or
/// `grant_type=fb_exchange_token`.
pub(super) fn facebook_access_token(sb: &Sandbox, params: &Params) -> Response {
    let r = if params.get("grant_type") == Some("fb_exchange_token") {
        fb_exchange(sb, params)
    } else if let Some(g) = params
        .non_empty("grant_type")
        .filter(|g| *g != "authorization_code")
    {
        Err(GraphError::invalid(&format!("Unsupported grant_type {g}")))
    } else {
        fb_code(sb, params)
    };
    r.unwrap_or_else(IntoResponse::into_response)
}

fn fb_code(sb: &Sandbox, params: &Params) -> Result<Response, GraphError> {
    let Some(client_id) = params.non_empty("client_id") else {
        return Err(GraphError::new(101, "Missing client_id parameter."));
    };
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return Err(GraphError::new(191, "Missing redirect_uri parameter."));
    };
    let Some(secret) = params.non_empty("client_secret") else {
        return Err(GraphError::new(1, "Missing client_secret parameter."));
    };
    let Some(code) = params.non_empty("code") else {
        return Err(GraphError::new(1, "Missing code parameter."));
    };
    let client = check_app(sb, client_id, secret)?;
    if !client_fits(client_id, Login::Facebook) {
        return Err(GraphError::new(
            101,
            "Error validating application. Invalid application ID.",
        ));
    }
    let verifier = params.non_empty("code_verifier");
    sb.with_state(|st| {
        let now = st.now();
        let settings = st.meta.settings.clone();
        let core = st.core(PLATFORM);
        let check = CodeCheck {
            client_id: &client.client_id,
            redirect_uri: Some(redirect_uri),
            code_verifier: verifier,
        };
        let redeemed = match core.oauth.redeem_code(code, check, now) {
            // A verifier without a challenge is ignored, as Graph does.
            Err(CodeError::VerifierUnexpected) => core.oauth.redeem_code(
                code,
                CodeCheck {
                    code_verifier: None,
                    ..check
                },
                now,
            ),
            other => other,
        };
        let (grant, family) = redeemed.map_err(|e| match e {
            CodeError::Expired => {
                GraphError::new(100, "This authorization code has expired.").sub(36007)
            }
            CodeError::Reused => {
                GraphError::new(100, "This authorization code has been used.").sub(36009)
            }
            CodeError::RedirectMismatch => GraphError::new(
                100,
                "Error validating verification code. Please make sure your redirect_uri is \
                 identical to the one you used in the OAuth dialog request",
            )
            .sub(36008),
            CodeError::VerifierMissing | CodeError::VerifierMismatch => {
                GraphError::new(100, "Invalid code verifier.")
            }
            CodeError::Unknown | CodeError::ClientMismatch | CodeError::VerifierUnexpected => {
                GraphError::new(100, "Invalid verification code format.")
            }
        })?;
        // The consent page picks an account; Facebook Login logs in its Facebook user.
        let user = if is_facebook_user(core, &grant.account_id) {
            Some(grant.account_id.clone())
        } else if is_ig_account(core, &grant.account_id) {
            facebook_user_of(core, &grant.account_id)
        } else {
            None
        };
        let Some(user) = user else {
            return Err(GraphError::new(100, "Invalid verification code format."));
        };
        let ttl = settings.facebook_short_token_ttl_secs;
        let t = core.oauth.issue_tokens(
            &grant.client_id,
            &user,
            &grant.scopes,
            &family,
            false,
            &token_policy(Some(ttl)),
            now,
        );
        remember_token(
            st,
            t.access_token.clone(),
            TokenInfo {
                kind: TokenKind::Short,
                login: Login::Facebook,
                page_id: None,
                created_at: now,
            },
        );
        Ok(json_response(
            StatusCode::OK,
            &token_body(&t.access_token, Some(ttl)),
        ))
    })
}

fn fb_exchange(sb: &Sandbox, params: &Params) -> Result<Response, GraphError> {
    let Some(client_id) = params.non_empty("client_id") else {
        return Err(GraphError::new(101, "Missing client_id parameter."));
    };
    let Some(secret) = params.non_empty("client_secret") else {
        return Err(GraphError::new(1, "Missing client_secret parameter."));
    };
    let Some(short) = params.non_empty("fb_exchange_token") else {
        return Err(GraphError::missing("fb_exchange_token"));
    };
    let client = check_app(sb, client_id, secret)?;
    sb.with_state(|st| {
        let caller = check_token(st, Login::Facebook, Some(short))?;
        if caller.kind == TokenKind::Page || caller.client_id != client.client_id {
            return Err(token_error(st, Some(467), "Invalid OAuth access token."));
        }
        Ok(long_lived_token(st, &caller, Login::Facebook))
    })
}

/// Issues a long-lived token to `caller` in the family of the token it
/// presented (exchanged or refreshed) and answers with it.
fn long_lived_token(st: &mut SandboxState, caller: &Caller, login: Login) -> Response {
    let now = st.now();
    let ttl = st.meta.settings.long_token_ttl_secs;
    let core = st.core(PLATFORM);
    let family = core
        .oauth
        .check_bearer(Some(&caller.token), now)
        .map(|r| r.family_id.clone())
        .unwrap_or_default();
    let t = core.oauth.issue_tokens(
        &caller.client_id,
        &caller.account_id,
        &caller.scopes,
        &family,
        false,
        &token_policy(Some(ttl)),
        now,
    );
    remember_token(
        st,
        t.access_token.clone(),
        TokenInfo {
            kind: TokenKind::Long,
            login,
            page_id: None,
            created_at: now,
        },
    );
    json_response(StatusCode::OK, &token_body(&t.access_token, Some(ttl)))
}

// ----- Instagram Login -------------------------------------------------------------------

/// `GET /meta/instagram/oauth/authorize` (www.instagram.com and api.instagram.com).
pub(super) async fn instagram_authorize(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
) -> Response {
    let params = parse_query(q.as_deref());
    let get = |k: &str| form_get(&params, k).filter(|v| !v.is_empty());
    let bad_app = || {
        error_page(
            StatusCode::BAD_REQUEST,
            "Invalid platform app",
            "Sorry, this page isn't available: the app ID is not an Instagram app.",
        )
    };
    let Some(client_id) = get("client_id") else {
        return bad_app();
    };
    let Some(client) = client(&sb, client_id).filter(|_| client_fits(client_id, Login::Instagram))
    else {
        return bad_app();
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect_uri",
            "redirect_uri is required.",
        );
    };
    if !client.redirect_allowed(redirect_uri) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect_uri",
            "The redirect_uri does not match a registered redirect URI of this app (exact match).",
        );
    }
    if get("response_type") != Some("code") {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid response_type",
            "response_type must be code.",
        );
    }
    let Some(scope) = get("scope") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid scope",
            "scope is required.",
        );
    };
    let scopes = split_scopes(scope);
    for s in &scopes {
        if !INSTAGRAM_SCOPES.contains(&s.as_str()) {
            let hint = if s.starts_with("business_") {
                format!(" The scope {s} was deprecated on 27 January 2025; use instagram_{s}.")
            } else {
                String::new()
            };
            return error_page(
                StatusCode::BAD_REQUEST,
                "Invalid scope",
                &format!("Invalid scope: {s}.{hint}"),
            );
        }
    }
    if scopes.is_empty() {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid scope",
            "scope is required.",
        );
    }
    consent::begin(
        &sb,
        PendingConsent {
            platform: PLATFORM.into(),
            client_id: client.client_id.clone(),
            // Instagram appends `#_` to its redirect: binding it to the code here makes
            // the core's redirect carry it (`?state=..&code=..#_`).
            redirect_uri: format!("{redirect_uri}{IG_FRAGMENT}"),
            scopes,
            state: get("state").map(str::to_string),
            code_challenge: None,
            challenge_method: None,
            code_lifetime_secs: INSTAGRAM_CODE_LIFETIME_SECS,
            extra_redirect_params: Vec::new(),
            created_at: sb.now(),
        },
    )
}

/// An error of `api.instagram.com/oauth/access_token`, in the configured shape.
fn ig_oauth_error(sb: &Sandbox, message: &str) -> Response {
    let legacy = sb.read_state(|st| st.meta.settings.instagram_oauth_error_shape == "legacy");
    if legacy {
        json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "error_type": "OAuthException", "code": 400, "error_message": message }),
        )
    } else {
        GraphError::new(400, message).into_response()
    }
}

/// `POST /meta/instagram/oauth/access_token`.
pub(super) async fn instagram_access_token(State(sb): State<Sandbox>, req: Request) -> Response {
    let params = match read_params(req).await {
        Ok((_, p)) => p,
        Err(_) => return ig_oauth_error(&sb, "Invalid request body"),
    };
    for f in [
        "client_id",
        "client_secret",
        "grant_type",
        "redirect_uri",
        "code",
    ] {
        if params.non_empty(f).is_none() {
            return ig_oauth_error(&sb, &format!("Missing required field {f}"));
        }
    }
    let client_id = params.get("client_id").unwrap_or_default();
    let secret = params.get("client_secret").unwrap_or_default();
    let redirect_uri = params.get("redirect_uri").unwrap_or_default();
    let code = params.get("code").unwrap_or_default();
    if params.get("grant_type") != Some("authorization_code") {
        return ig_oauth_error(&sb, "Invalid grant_type");
    }
    let Some(client) = client(&sb, client_id).filter(|_| client_fits(client_id, Login::Instagram))
    else {
        return ig_oauth_error(&sb, "Invalid platform app");
    };
    if !client.secret_matches(secret) {
        return ig_oauth_error(&sb, "Error validating client secret.");
    }
    let bound_redirect = format!("{redirect_uri}{IG_FRAGMENT}");
    let result = sb.with_state(|st| {
        let now = st.now();
        let settings = st.meta.settings.clone();
        let core = st.core(PLATFORM);
        let (grant, family) = core
            .oauth
            .redeem_code(
                code,
                CodeCheck {
                    client_id: &client.client_id,
                    redirect_uri: Some(&bound_redirect),
                    code_verifier: None,
                },
                now,
            )
            .map_err(|e| match e {
                CodeError::Expired => "This authorization code has expired",
                CodeError::RedirectMismatch => {
                    "Error validating verification code. Please make sure your redirect_uri is \
                     identical to the one you used in the OAuth dialog request"
                }
                _ => "Matching code was not found or was already used",
            })?;
        if !is_ig_account(core, &grant.account_id) {
            return Err("The user is not an Instagram professional (Business or Creator) account");
        }
        let ttl = settings.instagram_short_token_ttl_secs;
        let t = core.oauth.issue_tokens(
            &grant.client_id,
            &grant.account_id,
            &grant.scopes,
            &family,
            false,
            &token_policy(Some(ttl)),
            now,
        );
        remember_token(
            st,
            t.access_token.clone(),
            TokenInfo {
                kind: TokenKind::Short,
                login: Login::Instagram,
                page_id: None,
                created_at: now,
            },
        );
        Ok((t, settings))
    });
    let (t, settings) = match result {
        Ok(v) => v,
        Err(msg) => return ig_oauth_error(&sb, msg),
    };
    let user_id = t
        .account_id
        .parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| json!(t.account_id));
    let permissions = if settings.instagram_permissions_format == "string" {
        json!(t.scopes.join(","))
    } else {
        json!(t.scopes)
    };
    let inner = json!({
        "access_token": t.access_token,
        "user_id": user_id,
        "permissions": permissions,
    });
    let body = if settings.instagram_token_response == "data" {
        json!({ "data": [inner] })
    } else {
        inner
    };
    json_response(StatusCode::OK, &body)
}

/// `GET graph.instagram.com/access_token?grant_type=ig_exchange_token`.
pub(super) fn instagram_exchange(sb: &Sandbox, params: &Params) -> Response {
    let r = (|| -> Result<Response, GraphError> {
        match params.non_empty("grant_type") {
            Some("ig_exchange_token") => {}
            Some(g) => return Err(GraphError::invalid(&format!("Unsupported grant_type {g}"))),
            None => return Err(GraphError::missing("grant_type")),
        }
        let Some(secret) = params.non_empty("client_secret") else {
            return Err(GraphError::missing("client_secret"));
        };
        let Some(short) = params.non_empty("access_token") else {
            return Err(GraphError::missing("access_token"));
        };
        sb.with_state(|st| {
            let caller = check_token(st, Login::Instagram, Some(short))?;
            if !st
                .core(PLATFORM)
                .client(&caller.client_id)
                .is_some_and(|c| c.secret_matches(secret))
            {
                return Err(GraphError::new(1, "Error validating client secret."));
            }
            Ok(long_lived_token(st, &caller, Login::Instagram))
        })
    })();
    r.unwrap_or_else(IntoResponse::into_response)
}

/// `GET graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token`: the
/// long-lived token must be at least 24 h old (emulated clock) and unexpired.
pub(super) fn instagram_refresh(sb: &Sandbox, params: &Params) -> Response {
    let r = (|| -> Result<Response, GraphError> {
        match params.non_empty("grant_type") {
            Some("ig_refresh_token") => {}
            Some(g) => return Err(GraphError::invalid(&format!("Unsupported grant_type {g}"))),
            None => return Err(GraphError::missing("grant_type")),
        }
        let Some(token) = params.non_empty("access_token") else {
            return Err(GraphError::missing("access_token"));
        };
        sb.with_state(|st| {
            let caller = check_token(st, Login::Instagram, Some(token))?;
            let now = st.now();
            let settings = st.meta.settings.clone();
            if caller.kind != TokenKind::Long {
                return Err(token_error(
                    st,
                    None,
                    "Error validating access token: only long-lived tokens can be refreshed; \
                     exchange the short-lived token first (grant_type=ig_exchange_token).",
                ));
            }
            let age = (now - caller.issued_at).num_seconds();
            if age < settings.refresh_min_age_secs {
                return Err(token_error(
                    st,
                    None,
                    &format!(
                        "Error validating access token: the token must be at least {} hours old \
                         to be refreshed (it is {} seconds old).",
                        settings.refresh_min_age_secs / 3600,
                        age.max(0)
                    ),
                ));
            }
            Ok(long_lived_token(st, &caller, Login::Instagram))
        })
    })();
    r.unwrap_or_else(IntoResponse::into_response)
}
