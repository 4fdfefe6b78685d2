//! LinkedIn OAuth 2.0: authorization (consent), accessToken (code, refresh), revoke,
//! and the OpenID Connect `userinfo` endpoint.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use serde_json::{Value, json};

use super::{
    Api, CODE_LIFETIME_SECS, LINKEDIN_ANALYTICS_SCOPES, LINKEDIN_RESTRICTED_SCOPES,
    LINKEDIN_SCOPES, LinkedInSettings, PLATFORM, authenticate, json_response, limits, token_policy,
};
use crate::core::consent::{self, error_page, redirect_error};
use crate::core::oauth::{
    ClientType, CodeCheck, CodeError, IssuedTokens, OAuthClient, PkceMethod, RevokeOutcome,
};
use crate::core::platform::Account;
use crate::core::sandbox::Sandbox;
use crate::core::state::PendingConsent;
use crate::core::util::{content_type, form_get, parse_form, parse_query, random_token};

/// Whether LinkedIn enabled the native PKCE flow for this client.
fn pkce_enabled(client: &OAuthClient, settings: &LinkedInSettings) -> bool {
    client.client_type == ClientType::Public
        || settings
            .native_pkce_clients
            .iter()
            .any(|c| c == &client.client_id)
}

fn without_query(u: &url::Url) -> url::Url {
    let mut u = u.clone();
    u.set_query(None);
    u
}

/// LinkedIn's redirect matching: absolute, no fragment, query parameters ignored;
/// with the native PKCE flow a loopback IP literal may use any port.
fn redirect_ok(client: &OAuthClient, requested: &str, pkce: bool) -> bool {
    if requested.contains('#') {
        return false;
    }
    let Ok(req) = url::Url::parse(requested) else {
        return false;
    };
    let req = without_query(&req);
    let loopback_ip = |u: &url::Url| matches!(u.host_str(), Some("127.0.0.1") | Some("[::1]"));
    client.redirect_uris.iter().any(|registered| {
        let Ok(reg) = url::Url::parse(registered) else {
            return false;
        };
        let reg = without_query(&reg);
        if reg == req {
            return true;
        }
        let any_port = pkce || client.redirect_match == crate::RedirectMatch::LoopbackAnyPort;
        any_port
            && loopback_ip(&req)
            && matches!(req.scheme(), "http" | "https")
            && reg.scheme() == req.scheme()
            && reg.host_str() == req.host_str()
            && reg.path() == req.path()
    })
}

/// `GET /oauth/v2/authorization`.
pub(super) async fn authorize(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let params = parse_query(q.as_deref());
    let get = |k: &str| form_get(&params, k);
    let (client, settings) = sb.read_state(|st| {
        let client = get("client_id")
            .and_then(|id| st.core_ref(PLATFORM).and_then(|c| c.client(id)).cloned());
        (client, st.linkedin.settings.clone())
    });
    // 1. Client and redirect URI first: never redirect to an unvalidated URI.
    let Some(client) = client else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Bummer, something went wrong.",
            &format!(
                "The passed in client_id is invalid \"{}\"",
                get("client_id").unwrap_or("")
            ),
        );
    };
    let pkce = pkce_enabled(&client, &settings);
    let Some(redirect_uri) = get("redirect_uri").filter(|r| redirect_ok(&client, r, pkce)) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Bummer, something went wrong.",
            "The redirect_uri does not match the registered value",
        );
    };
    let state = get("state").filter(|s| !s.is_empty());
    let fail = |error: &str, description: &str| {
        redirect_error(
            StatusCode::FOUND,
            redirect_uri,
            error,
            Some(description),
            state,
        )
    };
    // 2. The other parameters: errors go back to the client.
    match get("response_type") {
        Some("code") => {}
        None => {
            return fail(
                "invalid_request",
                "A required parameter \"response_type\" is missing",
            );
        }
        Some(_) => {
            return fail(
                "unsupported_response_type",
                "The response_type must be \"code\"",
            );
        }
    }
    let Some(scope) = get("scope").filter(|s| !s.trim().is_empty()) else {
        return fail(
            "invalid_request",
            "A required parameter \"scope\" is missing",
        );
    };
    let mut scopes: Vec<String> = Vec::new();
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        let allowed = LINKEDIN_SCOPES.contains(&s)
            || (settings.restricted_scopes && LINKEDIN_RESTRICTED_SCOPES.contains(&s))
            || (settings.post_analytics_product && LINKEDIN_ANALYTICS_SCOPES.contains(&s));
        if !allowed {
            return fail(
                "unauthorized_scope_error",
                &format!("Scope \"{s}\" is not authorized for your application"),
            );
        }
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_string());
        }
    }
    // 3. PKCE, only for clients LinkedIn enabled it for; ignored otherwise.
    let mut challenge = None;
    if pkce {
        match (get("code_challenge"), get("code_challenge_method")) {
            (Some(c), Some("S256")) if !c.is_empty() => challenge = Some(c.to_string()),
            (Some(_), _) => {
                return fail(
                    "invalid_request",
                    "The code_challenge_method must be \"S256\"",
                );
            }
            (None, _) if client.client_type == ClientType::Public => {
                return fail(
                    "invalid_request",
                    "A required parameter \"code_challenge\" is missing",
                );
            }
            (None, _) => {}
        }
    }
    let challenge_method = challenge.as_ref().map(|_| PkceMethod::S256);
    consent::begin(
        &sb,
        PendingConsent {
            platform: PLATFORM.into(),
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_string(),
            scopes,
            state: state.map(str::to_string),
            code_challenge: challenge,
            challenge_method,
            code_lifetime_secs: CODE_LIFETIME_SECS,
            extra_redirect_params: Vec::new(),
            created_at: sb.now(),
        },
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}

fn missing(param: &str) -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &format!("A required parameter \"{param}\" is missing"),
    )
}

fn client_auth_failed() -> Response {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Client authentication failed",
    )
}

const BAD_CODE: &str = "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists";
const BAD_REFRESH: &str =
    "The provided authorization grant or refresh token is invalid, expired or revoked";

fn require_form(headers: &HeaderMap) -> Result<(), Response> {
    if content_type(headers).as_deref() == Some("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The Content-Type must be application/x-www-form-urlencoded",
        ))
    }
}

/// How a token/revoke request authenticated its client.
struct ClientAuth {
    client: OAuthClient,
    settings: LinkedInSettings,
    /// A correct `client_secret` was sent.
    secret_ok: bool,
}

/// Finds the client of a form (`client_id` + optional `client_secret` in the body;
/// LinkedIn ignores Basic auth). A wrong secret is refused here; a missing one is
/// left to the caller (the PKCE flow does not need it).
fn client_from_form(sb: &Sandbox, form: &[(String, String)]) -> Result<ClientAuth, Response> {
    let Some(id) = form_get(form, "client_id") else {
        return Err(missing("client_id"));
    };
    let (client, settings) = sb.read_state(|st| {
        (
            st.core_ref(PLATFORM).and_then(|c| c.client(id)).cloned(),
            st.linkedin.settings.clone(),
        )
    });
    let Some(client) = client else {
        return Err(client_auth_failed());
    };
    let secret_ok = match form_get(form, "client_secret") {
        None => false,
        Some(s) if client.client_type == ClientType::Confidential => {
            if !client.secret_matches(s) {
                return Err(client_auth_failed());
            }
            true
        }
        // A public client has no secret; whatever is sent is ignored.
        Some(_) => false,
    };
    Ok(ClientAuth {
        client,
        settings,
        secret_ok,
    })
}

/// A JWT-shaped OpenID Connect id_token. The signature is random bytes: the sandbox
/// has no RSA key, so clients must not verify it against LinkedIn's JWKS.
fn id_token(sb: &Sandbox, client_id: &str, account: &Account, scopes: &[String]) -> String {
    let now = sb.now().timestamp();
    let header = json!({ "alg": "RS256", "kid": "creatorflow-sandbox", "typ": "JWT" });
    let mut payload = json!({
        "iss": "https://www.linkedin.com/oauth",
        "aud": client_id,
        "iat": now,
        "exp": now + 3600,
        "sub": account.id,
    });
    if let Some(obj) = payload.as_object_mut() {
        for (k, v) in profile_claims(sb, account, scopes) {
            obj.insert(k, v);
        }
    }
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        random_token(64)
    )
}

/// The OIDC claims of an account that `scopes` allow.
fn profile_claims(sb: &Sandbox, account: &Account, scopes: &[String]) -> Vec<(String, Value)> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let extra = |k: &str| account.extra.get(k).cloned().unwrap_or(Value::Null);
    let mut out = Vec::new();
    if has("profile") {
        out.push(("name".into(), json!(account.display_name)));
        out.push(("given_name".into(), extra("given_name")));
        out.push(("family_name".into(), extra("family_name")));
        out.push((
            "picture".into(),
            json!(sb.url(&account.avatar_path(PLATFORM)).to_string()),
        ));
        out.push(("locale".into(), extra("locale")));
    }
    if has("email") {
        out.push(("email".into(), extra("email")));
        out.push(("email_verified".into(), json!(true)));
    }
    out
}

fn token_body(sb: &Sandbox, t: &IssuedTokens, with_id_token: bool) -> Value {
    let mut body = json!({
        "access_token": t.access_token,
        "expires_in": t.expires_in.unwrap_or(super::ACCESS_TOKEN_TTL_SECS),
        "scope": t.scopes.join(","),
        "token_type": "Bearer",
    });
    if let Some(obj) = body.as_object_mut() {
        if let Some(rt) = &t.refresh_token {
            obj.insert("refresh_token".into(), json!(rt));
            obj.insert(
                "refresh_token_expires_in".into(),
                json!(t.refresh_expires_in.unwrap_or(0).max(0)),
            );
        }
        if with_id_token && t.scopes.iter().any(|s| s == "openid") {
            let account = sb.read_state(|st| {
                st.core_ref(PLATFORM)
                    .and_then(|c| c.account(&t.account_id))
                    .cloned()
            });
            if let Some(a) = account {
                obj.insert(
                    "id_token".into(),
                    json!(id_token(sb, &t.client_id, &a, &t.scopes)),
                );
            }
        }
    }
    body
}

/// `POST /oauth/v2/accessToken`.
pub(super) async fn access_token(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = require_form(&headers) {
        return r;
    }
    let form = parse_form(&body);
    let Some(grant_type) = form_get(&form, "grant_type") else {
        return missing("grant_type");
    };
    match grant_type {
        "authorization_code" => code_grant(&sb, &form),
        "refresh_token" => refresh_grant(&sb, &form),
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The grant_type must be one of [authorization_code, refresh_token]",
        ),
    }
}

fn code_grant(sb: &Sandbox, form: &[(String, String)]) -> Response {
    let Some(code) = form_get(form, "code") else {
        return missing("code");
    };
    let Some(redirect_uri) = form_get(form, "redirect_uri") else {
        return missing("redirect_uri");
    };
    let auth = match client_from_form(sb, form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let pkce = pkce_enabled(&auth.client, &auth.settings);
    let verifier = form_get(form, "code_verifier").filter(|_| pkce);
    match auth.client.client_type {
        ClientType::Confidential if !auth.secret_ok && verifier.is_none() => {
            return missing("client_secret");
        }
        ClientType::Public if verifier.is_none() => return missing("code_verifier"),
        _ => {}
    }
    let partner = auth.settings.partner_mode;
    let quirk = auth.settings.revoked_after_authorize_quirk;
    let policy = token_policy(partner);
    let result = sb.with_state(|st| {
        let now = st.now();
        let core = st.core(PLATFORM);
        let (grant, family) = core.oauth.redeem_code(
            code,
            CodeCheck {
                client_id: &auth.client.client_id,
                redirect_uri: Some(redirect_uri),
                code_verifier: verifier,
            },
            now,
        )?;
        let issued = core.oauth.issue_tokens(
            &grant.client_id,
            &grant.account_id,
            &grant.scopes,
            &family,
            partner,
            &policy,
            now,
        );
        if quirk {
            st.linkedin
                .quirk_pending
                .insert(crate::core::util::sha256_hex(
                    issued.access_token.as_bytes(),
                ));
        }
        Ok::<_, CodeError>(issued)
    });
    match result {
        Ok(t) => json_response(StatusCode::OK, &token_body(sb, &t, true)),
        Err(CodeError::VerifierMissing) => missing("code_verifier"),
        Err(_) => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", BAD_CODE),
    }
}

fn refresh_grant(sb: &Sandbox, form: &[(String, String)]) -> Response {
    let Some(rt) = form_get(form, "refresh_token") else {
        return missing("refresh_token");
    };
    let auth = match client_from_form(sb, form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if auth.client.client_type == ClientType::Confidential && !auth.secret_ok {
        return missing("client_secret");
    }
    if !auth.settings.partner_mode {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", BAD_REFRESH);
    }
    let policy = token_policy(true);
    let result = sb.with_state(|st| {
        let now = st.now();
        st.core(PLATFORM)
            .oauth
            .refresh(rt, &auth.client.client_id, &policy, now)
    });
    match result {
        Ok(t) => json_response(StatusCode::OK, &token_body(sb, &t, false)),
        Err(_) => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", BAD_REFRESH),
    }
}

/// `POST /oauth/v2/revoke` (`client_id`, `client_secret`, `token`).
pub(super) async fn revoke(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = require_form(&headers) {
        return r;
    }
    let form = parse_form(&body);
    let auth = match client_from_form(&sb, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if auth.client.client_type == ClientType::Confidential && !auth.secret_ok {
        return missing("client_secret");
    }
    let Some(token) = form_get(&form, "token") else {
        return missing("token");
    };
    let outcome = sb.with_state(|st| {
        st.core(PLATFORM)
            .oauth
            .revoke(token, Some(&auth.client.client_id))
    });
    match outcome {
        RevokeOutcome::AccessToken | RevokeOutcome::RefreshToken | RevokeOutcome::Unknown => {
            StatusCode::OK.into_response()
        }
        RevokeOutcome::ClientMismatch => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The token was not issued to this client",
        ),
    }
}

/// `GET /v2/userinfo` (OpenID Connect; `openid`, plus `profile` / `email` claims).
pub(super) async fn userinfo(State(sb): State<Sandbox>, headers: HeaderMap) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        Api::V2,
        limits::USERINFO,
        &["openid"],
        "userinfo.GET",
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut body = json!({ "sub": caller.account.id });
    if let Some(obj) = body.as_object_mut() {
        for (k, v) in profile_claims(&sb, &caller.account, &caller.token.scopes) {
            obj.insert(k, v);
        }
    }
    json_response(StatusCode::OK, &body)
}
