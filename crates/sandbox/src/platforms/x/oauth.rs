//! X OAuth 2.0: authorize (consent), token (code + refresh), revoke.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::json;

use super::{CODE_LIFETIME_SECS, PLATFORM, X_SCOPES, json_response, token_policy};
use crate::core::consent::{self, error_page, redirect_error};
use crate::core::oauth::{
    ClientType, CodeCheck, OAuthClient, PkceMethod, RefreshError, RevokeOutcome,
};
use crate::core::sandbox::Sandbox;
use crate::core::state::PendingConsent;
use crate::core::util::{basic_auth, content_type, form_get, parse_form, parse_query};

/// Maximum length of `state` (documented).
const MAX_STATE_LEN: usize = 500;

fn bad_app_page() -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "Something went wrong",
        "You weren't able to give access to the App. Go back and try logging in again.",
    )
}

/// `GET /i/oauth2/authorize` (and the `/2/oauth2/authorize` alias).
pub(super) async fn authorize(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let params = parse_query(q.as_deref());
    let get = |k: &str| form_get(&params, k);
    // 1. Client and redirect URI first: never redirect to an unvalidated URI.
    let Some(client_id) = get("client_id") else {
        return bad_app_page();
    };
    let client = sb.read_state(|st| {
        st.core_ref(PLATFORM)
            .and_then(|c| c.client(client_id))
            .cloned()
    });
    let Some(client) = client else {
        return bad_app_page();
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return bad_app_page();
    };
    if !client.redirect_allowed(redirect_uri) {
        return bad_app_page();
    }
    let state = get("state");
    let fail = |error: &str, description: &str| {
        redirect_error(
            StatusCode::FOUND,
            redirect_uri,
            error,
            Some(description),
            state.filter(|s| s.len() <= MAX_STATE_LEN),
        )
    };
    // 2. The other parameters: errors go back to the client.
    match get("response_type") {
        Some("code") => {}
        None => {
            return fail(
                "invalid_request",
                "Missing required parameter [response_type].",
            );
        }
        Some(_) => {
            return fail(
                "unsupported_response_type",
                "Only response_type=code is supported.",
            );
        }
    }
    let Some(scope) = get("scope").filter(|s| !s.trim().is_empty()) else {
        return fail("invalid_request", "Missing required parameter [scope].");
    };
    let mut scopes: Vec<String> = Vec::new();
    for s in scope.split([' ', '+']).filter(|s| !s.is_empty()) {
        if !X_SCOPES.contains(&s) {
            return fail("invalid_scope", &format!("Invalid scope [{s}]."));
        }
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_string());
        }
    }
    match state {
        None | Some("") => return fail("invalid_request", "Missing required parameter [state]."),
        Some(s) if s.len() > MAX_STATE_LEN => {
            return fail(
                "invalid_request",
                "Value passed for [state] is longer than 500 characters.",
            );
        }
        Some(_) => {}
    }
    let Some(challenge) = get("code_challenge").filter(|c| !c.is_empty()) else {
        return fail(
            "invalid_request",
            "Missing required parameter [code_challenge].",
        );
    };
    let method = match get("code_challenge_method") {
        None => PkceMethod::Plain,
        Some(m) => match PkceMethod::parse_standard(m) {
            Some(m) => m,
            None => {
                return fail(
                    "invalid_request",
                    "Value passed for [code_challenge_method] must be one of [S256, plain].",
                );
            }
        },
    };
    consent::begin(
        &sb,
        PendingConsent {
            platform: PLATFORM.into(),
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_string(),
            scopes,
            state: state.map(str::to_string),
            code_challenge: Some(challenge.to_string()),
            challenge_method: Some(method),
            code_lifetime_secs: CODE_LIFETIME_SECS,
            extra_redirect_params: Vec::new(),
            created_at: sb.now(),
        },
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        json!({ "error": error, "error_description": description }),
    )
}

fn missing(param: &str) -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &format!("Missing required parameter [{param}]."),
    )
}

fn unauthorized_client() -> Response {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized_client",
        "Missing valid authorization header",
    )
}

/// Authenticates the client of a token/revoke request: Basic auth for
/// confidential clients, `client_id` in the body for public ones.
fn client_auth(
    sb: &Sandbox,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<OAuthClient, Response> {
    let lookup =
        |id: &str| sb.read_state(|st| st.core_ref(PLATFORM).and_then(|c| c.client(id)).cloned());
    match basic_auth(headers) {
        Some(Ok((id, secret))) => {
            let Some(client) = lookup(&id) else {
                return Err(unauthorized_client());
            };
            if let Some(body_id) = form_get(form, "client_id")
                && body_id != id
            {
                return Err(unauthorized_client());
            }
            match client.client_type {
                ClientType::Confidential if client.secret_matches(&secret) => Ok(client),
                ClientType::Confidential => Err(unauthorized_client()),
                // A public client has no secret to check.
                ClientType::Public => Ok(client),
            }
        }
        Some(Err(())) => Err(unauthorized_client()),
        None => {
            let Some(id) = form_get(form, "client_id") else {
                return Err(missing("client_id"));
            };
            let Some(client) = lookup(id) else {
                return Err(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Value passed for the client_id was invalid.",
                ));
            };
            match client.client_type {
                ClientType::Public => Ok(client),
                ClientType::Confidential => Err(unauthorized_client()),
            }
        }
    }
}

fn require_form(headers: &HeaderMap) -> Result<(), Response> {
    if content_type(headers).as_deref() == Some("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded.",
        ))
    }
}

fn token_body(t: &crate::core::oauth::IssuedTokens) -> serde_json::Value {
    let mut body = json!({
        "token_type": "bearer",
        "expires_in": t.expires_in.unwrap_or(super::ACCESS_TOKEN_TTL_SECS),
        "access_token": t.access_token,
        "scope": t.scopes.join(" "),
    });
    if let (Some(rt), Some(obj)) = (&t.refresh_token, body.as_object_mut()) {
        obj.insert("refresh_token".into(), json!(rt));
    }
    body
}

/// `POST /2/oauth2/token`.
pub(super) async fn token(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = require_form(&headers) {
        return r;
    }
    let form = parse_form(&body);
    let client = match client_auth(&sb, &headers, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let policy = token_policy();
    match form_get(&form, "grant_type") {
        None => missing("grant_type"),
        Some("authorization_code") => {
            let Some(code) = form_get(&form, "code") else {
                return missing("code");
            };
            let Some(redirect_uri) = form_get(&form, "redirect_uri") else {
                return missing("redirect_uri");
            };
            let Some(verifier) = form_get(&form, "code_verifier") else {
                return missing("code_verifier");
            };
            let result = sb.with_state(|st| {
                let now = st.now();
                let core = st.core(PLATFORM);
                let (grant, family) = core.oauth.redeem_code(
                    code,
                    CodeCheck {
                        client_id: &client.client_id,
                        redirect_uri: Some(redirect_uri),
                        code_verifier: Some(verifier),
                    },
                    now,
                )?;
                let offline = grant.scopes.iter().any(|s| s == "offline.access");
                Ok(core.oauth.issue_tokens(
                    &grant.client_id,
                    &grant.account_id,
                    &grant.scopes,
                    &family,
                    offline,
                    &policy,
                    now,
                ))
            });
            match result {
                Ok(t) => json_response(StatusCode::OK, token_body(&t)),
                Err(crate::core::oauth::CodeError::VerifierMissing) => missing("code_verifier"),
                Err(_) => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Value passed for the authorization code was invalid.",
                ),
            }
        }
        Some("refresh_token") => {
            let Some(rt) = form_get(&form, "refresh_token") else {
                return missing("refresh_token");
            };
            let result = sb.with_state(|st| {
                let now = st.now();
                st.core(PLATFORM)
                    .oauth
                    .refresh(rt, &client.client_id, &policy, now)
            });
            match result {
                Ok(t) => json_response(StatusCode::OK, token_body(&t)),
                Err(
                    RefreshError::Unknown
                    | RefreshError::Expired
                    | RefreshError::Revoked
                    | RefreshError::Reused
                    | RefreshError::ClientMismatch,
                ) => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Value passed for the token was invalid.",
                ),
            }
        }
        Some(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Value passed for the grant type was invalid. Grant type should be one of [authorization_code, refresh_token].",
        ),
    }
}

/// `POST /2/oauth2/revoke`.
pub(super) async fn revoke(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = require_form(&headers) {
        return r;
    }
    let form = parse_form(&body);
    let client = match client_auth(&sb, &headers, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = form_get(&form, "token") else {
        return missing("token");
    };
    let outcome = sb.with_state(|st| {
        st.core(PLATFORM)
            .oauth
            .revoke(token, Some(&client.client_id))
    });
    match outcome {
        RevokeOutcome::AccessToken | RevokeOutcome::RefreshToken | RevokeOutcome::Unknown => {
            json_response(StatusCode::OK, json!({ "revoked": true }))
        }
        RevokeOutcome::ClientMismatch => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Value passed for the token was invalid.",
        ),
    }
}
