//! TikTok Login Kit v2 for desktop: authorize (consent), token (code + refresh), revoke.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{CODE_LIFETIME_SECS, PLATFORM, TIKTOK_SCOPES, json_with_status, log_id};
use crate::core::consent::{self, error_page};
use crate::core::oauth::{
    CodeCheck, CodeError, IssuedTokens, OAuthClient, PkceMethod, RefreshError, RevokeOutcome,
    verifier_well_formed,
};
use crate::core::sandbox::Sandbox;
use crate::core::state::PendingConsent;
use crate::core::util::{content_type, form_get, parse_form, parse_query};

/// Longest redirect URI TikTok accepts (exclusive).
pub const MAX_REDIRECT_URI_LEN: usize = 512;

/// What TikTok shows when the app's request is wrong: a page naming the parameter.
fn developer_error_page(param: &str) -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "Something went wrong",
        &format!(
            "We couldn't log in with TikTok. This may be due to specific app settings. \
             If you're a developer, correct the following and try again: {param}"
        ),
    )
}

/// The parts of a desktop redirect URI: `(scheme, host, port, path)`. The port is
/// the raw text (digits, or `*` in a registered URI). `None` if it does not follow
/// the desktop rules: http/https, host `localhost` or `127.0.0.1`, explicit port,
/// no query or fragment, shorter than 512 characters.
pub(crate) fn desktop_redirect_parts(uri: &str) -> Option<(&str, &str, &str, &str)> {
    if uri.len() >= MAX_REDIRECT_URI_LEN || uri.contains(['?', '#']) {
        return None;
    }
    let (scheme, rest) = uri.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (host, port) = authority.rsplit_once(':')?;
    if !matches!(host, "localhost" | "127.0.0.1") {
        return None;
    }
    let port_ok = port == "*"
        || (!port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|p| p > 0));
    port_ok.then_some((scheme, host, port, path))
}

/// Whether `requested` matches `registered`: equal, or equal but for a wildcard
/// port `*` in the registered URI.
pub(crate) fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Some(a), Some(b)) = (
        desktop_redirect_parts(registered),
        desktop_redirect_parts(requested),
    ) else {
        return false;
    };
    a.2 == "*" && b.2 != "*" && a.0 == b.0 && a.1 == b.1 && a.3 == b.3
}

fn redirect_registered(client: &OAuthClient, uri: &str) -> bool {
    client
        .redirect_uris
        .iter()
        .any(|r| redirect_matches(r, uri))
        || client.redirect_allowed(uri)
}

/// 64 lower-case hex digits: a hex SHA-256 challenge.
fn is_hex_challenge(c: &str) -> bool {
    c.len() == 64 && c.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// 43 base64url characters: a standard S256 challenge.
fn is_base64url_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// `GET /v2/auth/authorize/`.
pub(super) async fn authorize(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let params = parse_query(q.as_deref());
    let get = |k: &str| form_get(&params, k).filter(|v| !v.is_empty());
    let Some(client_key) = get("client_key") else {
        return developer_error_page("client_key");
    };
    let client = sb.read_state(|st| {
        st.core_ref(PLATFORM)
            .and_then(|c| c.client(client_key))
            .cloned()
    });
    let Some(client) = client else {
        return developer_error_page("client_key");
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return developer_error_page("redirect_uri");
    };
    if desktop_redirect_parts(redirect_uri).is_none_or(|p| p.2 == "*")
        || !redirect_registered(&client, redirect_uri)
    {
        return developer_error_page("redirect_uri");
    }
    if get("response_type") != Some("code") {
        return developer_error_page("response_type");
    }
    let Some(scope) = get("scope") else {
        return developer_error_page("scope");
    };
    let mut scopes: Vec<String> = Vec::new();
    for s in scope.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !TIKTOK_SCOPES.contains(&s) {
            return developer_error_page("scope");
        }
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_string());
        }
    }
    if scopes.is_empty() {
        return developer_error_page("scope");
    }
    let Some(challenge) = get("code_challenge") else {
        return developer_error_page("code_challenge");
    };
    if get("code_challenge_method") != Some("S256") {
        return developer_error_page("code_challenge_method");
    }
    let accept_b64 = sb.read_state(|st| st.tiktok.settings.accept_base64url_challenge);
    // TikTok desktop: hex(SHA-256(verifier)). A base64url challenge is taken at
    // authorize time but fails at the token endpoint, unless the setting allows it.
    let method = if !is_hex_challenge(challenge) && accept_b64 && is_base64url_challenge(challenge)
    {
        PkceMethod::S256
    } else {
        PkceMethod::HexS256
    };
    let granted = scopes.join(",");
    consent::begin(
        &sb,
        PendingConsent {
            platform: PLATFORM.into(),
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_string(),
            scopes,
            state: get("state").map(str::to_string),
            code_challenge: Some(challenge.to_string()),
            challenge_method: Some(method),
            code_lifetime_secs: CODE_LIFETIME_SECS,
            extra_redirect_params: vec![("scopes".into(), granted)],
            created_at: sb.now(),
        },
    )
}

/// `{"error","error_description","log_id"}`.
fn oauth_error(status: StatusCode, error: &str, description: &str, now: DateTime<Utc>) -> Response {
    json_with_status(
        status,
        &json!({ "error": error, "error_description": description, "log_id": log_id(now) }),
    )
}

fn missing(param: &str, now: DateTime<Utc>) -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &format!("Missing required parameter: {param}."),
        now,
    )
}

fn invalid_client(now: DateTime<Utc>) -> Response {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Client key or client secret is invalid.",
        now,
    )
}

const PKCE_INVALID: &str = "Code verifier or code challenge is invalid.";

/// Form body check + client authentication (`client_key` + `client_secret` in the
/// body; the secret is required even for desktop apps).
fn client_auth(
    sb: &Sandbox,
    headers: &HeaderMap,
    form: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<OAuthClient, Response> {
    if content_type(headers).as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded.",
            now,
        ));
    }
    let Some(key) = form_get(form, "client_key").filter(|k| !k.is_empty()) else {
        return Err(missing("client_key", now));
    };
    let client = sb.read_state(|st| st.core_ref(PLATFORM).and_then(|c| c.client(key)).cloned());
    let Some(client) = client else {
        return Err(invalid_client(now));
    };
    match form_get(form, "client_secret").filter(|s| !s.is_empty()) {
        Some(secret) if client.secret_matches(secret) => Ok(client),
        _ => Err(invalid_client(now)),
    }
}

fn token_body(t: &IssuedTokens) -> serde_json::Value {
    json!({
        "open_id": t.account_id,
        "scope": t.scopes.join(","),
        "access_token": t.access_token,
        "expires_in": t.expires_in.unwrap_or(0),
        "refresh_token": t.refresh_token.clone().unwrap_or_default(),
        "refresh_expires_in": t.refresh_expires_in.unwrap_or(0),
        "token_type": "Bearer",
    })
}

/// `POST /v2/oauth/token/`.
pub(super) async fn token(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let now = sb.now();
    let form = parse_form(&body);
    let client = match client_auth(&sb, &headers, &form, now) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let field = |k: &str| form_get(&form, k).filter(|v| !v.is_empty());
    match field("grant_type") {
        None => missing("grant_type", now),
        Some("authorization_code") => {
            let Some(code) = field("code") else {
                return missing("code", now);
            };
            let Some(redirect_uri) = field("redirect_uri") else {
                return missing("redirect_uri", now);
            };
            let Some(verifier) = field("code_verifier") else {
                return missing("code_verifier", now);
            };
            if !verifier_well_formed(verifier) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    PKCE_INVALID,
                    now,
                );
            }
            let result = sb.with_state(|st| {
                let now = st.now();
                let policy = st.tiktok.settings.token_policy();
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
                Ok(core.oauth.issue_tokens(
                    &grant.client_id,
                    &grant.account_id,
                    &grant.scopes,
                    &family,
                    true,
                    &policy,
                    now,
                ))
            });
            match result {
                Ok(t) => json_with_status(StatusCode::OK, &token_body(&t)),
                Err(
                    CodeError::VerifierMismatch
                    | CodeError::VerifierMissing
                    | CodeError::VerifierUnexpected,
                ) => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    PKCE_INVALID,
                    now,
                ),
                Err(CodeError::Expired) => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Authorization code is expired.",
                    now,
                ),
                Err(CodeError::Reused) => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Authorization code has been used.",
                    now,
                ),
                Err(CodeError::RedirectMismatch) => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "redirect_uri does not match the one of the authorization request.",
                    now,
                ),
                Err(CodeError::Unknown | CodeError::ClientMismatch) => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Authorization code is invalid.",
                    now,
                ),
            }
        }
        Some("refresh_token") => {
            let Some(rt) = field("refresh_token") else {
                return missing("refresh_token", now);
            };
            let result = sb.with_state(|st| {
                let now = st.now();
                let policy = st.tiktok.settings.token_policy();
                st.core(PLATFORM)
                    .oauth
                    .refresh(rt, &client.client_id, &policy, now)
            });
            match result {
                Ok(t) => json_with_status(StatusCode::OK, &token_body(&t)),
                Err(
                    RefreshError::Unknown
                    | RefreshError::Expired
                    | RefreshError::Revoked
                    | RefreshError::Reused
                    | RefreshError::ClientMismatch,
                ) => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Refresh token is invalid or expired.",
                    now,
                ),
            }
        }
        Some(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The grant type is not supported. Use authorization_code or refresh_token.",
            now,
        ),
    }
}

/// `POST /v2/oauth/revoke/`: revokes the authorization the token belongs to (its
/// access and refresh tokens). Answers `{}`.
pub(super) async fn revoke(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let now = sb.now();
    let form = parse_form(&body);
    let client = match client_auth(&sb, &headers, &form, now) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = form_get(&form, "token").filter(|t| !t.is_empty()) else {
        return missing("token", now);
    };
    let outcome = sb.with_state(|st| {
        let now = st.now();
        let oauth = &mut st.core(PLATFORM).oauth;
        let family = oauth
            .check_bearer(Some(token), now)
            .ok()
            .filter(|r| r.client_id == client.client_id)
            .map(|r| r.family_id.clone());
        match family {
            Some(f) => {
                oauth.revoke_family(&f);
                RevokeOutcome::AccessToken
            }
            None => oauth.revoke(token, Some(&client.client_id)),
        }
    });
    match outcome {
        RevokeOutcome::ClientMismatch => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The token was not issued to this client.",
            now,
        ),
        RevokeOutcome::AccessToken | RevokeOutcome::RefreshToken | RevokeOutcome::Unknown => {
            json_with_status(StatusCode::OK, &json!({}))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_rules() {
        assert!(desktop_redirect_parts("http://127.0.0.1:5000/cb").is_some());
        assert!(desktop_redirect_parts("https://localhost:8443/").is_some());
        assert!(
            desktop_redirect_parts("http://127.0.0.1/cb").is_none(),
            "port required"
        );
        assert!(desktop_redirect_parts("http://example.com:80/cb").is_none());
        assert!(desktop_redirect_parts("http://127.0.0.1:5000/cb?x=1").is_none());
        assert!(desktop_redirect_parts("http://127.0.0.1:5000/cb#f").is_none());
        assert!(desktop_redirect_parts("ftp://127.0.0.1:21/cb").is_none());
        assert!(desktop_redirect_parts("http://user@127.0.0.1:5000/cb").is_none());
        let long = format!("http://127.0.0.1:5000/{}", "a".repeat(500));
        assert!(desktop_redirect_parts(&long).is_none());
    }

    #[test]
    fn wildcard_port() {
        let reg = "http://127.0.0.1:*/oauth/tiktok/callback";
        assert!(redirect_matches(
            reg,
            "http://127.0.0.1:5173/oauth/tiktok/callback"
        ));
        assert!(!redirect_matches(
            reg,
            "http://127.0.0.1:5173/oauth/tiktok/callback/"
        ));
        assert!(!redirect_matches(
            reg,
            "http://localhost:5173/oauth/tiktok/callback"
        ));
        assert!(!redirect_matches(
            reg,
            "https://127.0.0.1:5173/oauth/tiktok/callback"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1:4000/cb",
            "http://127.0.0.1:4001/cb"
        ));
    }
}
