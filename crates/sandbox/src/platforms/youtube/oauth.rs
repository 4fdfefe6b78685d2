//! Google OAuth 2.0 for installed (desktop) apps: authorize, token (code and
//! refresh), revoke, userinfo, tokeninfo.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use chrono::Duration;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::{
    CODE_LIFETIME_SECS, Grant, PLATFORM, SCOPE_EMAIL, SCOPE_OPENID, SCOPE_PROFILE, YOUTUBE_SCOPES,
    YouTubeState, is_desktop, json_response, request_token, token_policy,
};
use crate::core::consent::{self, error_page};
use crate::core::oauth::{
    CodeCheck, CodeError, IssuedTokens, OAuthClient, PkceMethod, RefreshError,
};
use crate::core::platform::Account;
use crate::core::sandbox::Sandbox;
use crate::core::state::{PendingConsent, SandboxState};
use crate::core::util::{basic_auth, content_type, form_get, parse_form, parse_query, sha256_hex};

/// Google's error page for a bad authorize request (never a redirect).
fn auth_error_page(code: u16, error: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    error_page(
        status,
        &format!("Access blocked: Authorization Error. Error {code}: {error}"),
        message,
    )
}

/// Maps the short OpenID scopes to the scopes Google grants.
fn normalize_scope(s: &str) -> &str {
    match s {
        "email" => SCOPE_EMAIL,
        "profile" => SCOPE_PROFILE,
        other => other,
    }
}

/// `GET /o/oauth2/v2/auth` (and the older `/o/oauth2/auth`).
pub(super) async fn authorize(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let params = parse_query(q.as_deref());
    let get = |k: &str| form_get(&params, k).filter(|v| !v.is_empty());
    // 1. Client and redirect URI: errors are pages, never redirects.
    let Some(client_id) = get("client_id") else {
        return auth_error_page(
            400,
            "invalid_request",
            "Missing required parameter: client_id",
        );
    };
    let client = sb.read_state(|st| {
        st.core_ref(PLATFORM)
            .and_then(|c| c.client(client_id))
            .cloned()
    });
    let Some(client) = client else {
        return auth_error_page(401, "invalid_client", "The OAuth client was not found.");
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return auth_error_page(
            400,
            "invalid_request",
            "Missing required parameter: redirect_uri",
        );
    };
    if redirect_uri.starts_with("urn:ietf:wg:oauth:2.0:oob") {
        return auth_error_page(
            400,
            "invalid_request",
            "The out-of-band (OOB) flow has been blocked in order to keep users secure. Follow the Out-of-Band (OOB) flow migration guide linked in the developer docs below to migrate your app to an alternative method.",
        );
    }
    let scheme = url::Url::parse(redirect_uri)
        .map(|u| u.scheme().to_string())
        .unwrap_or_default();
    if scheme != "http" && scheme != "https" {
        let kind = if is_desktop(&client) {
            "DESKTOP"
        } else {
            "WEB"
        };
        return auth_error_page(
            400,
            "invalid_request",
            &format!("Custom scheme URIs are not allowed for '{kind}' client type."),
        );
    }
    if !client.redirect_allowed(redirect_uri) {
        return auth_error_page(
            400,
            "redirect_uri_mismatch",
            &format!(
                "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. If you're the app developer, register the redirect URI in the Google Cloud Console. Request details: redirect_uri={redirect_uri}"
            ),
        );
    }
    // 2. The other parameters (Google shows these on its error page too).
    match get("response_type") {
        Some("code") => {}
        None => {
            return auth_error_page(
                400,
                "invalid_request",
                "Required parameter is missing: response_type",
            );
        }
        Some(other) => {
            return auth_error_page(
                400,
                "unsupported_response_type",
                &format!("Invalid response_type: {other}"),
            );
        }
    }
    let Some(scope) = get("scope").filter(|s| !s.trim().is_empty()) else {
        return auth_error_page(400, "invalid_request", "Missing required parameter: scope");
    };
    let mut scopes: Vec<String> = Vec::new();
    let mut invalid: Vec<&str> = Vec::new();
    for s in scope.split_whitespace() {
        let s = normalize_scope(s);
        if !YOUTUBE_SCOPES.contains(&s) {
            invalid.push(s);
        } else if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_string());
        }
    }
    if !invalid.is_empty() {
        return auth_error_page(
            400,
            "invalid_scope",
            &format!(
                "Some requested scopes were invalid. {{valid=[{}], invalid=[{}]}}",
                scopes.join(", "),
                invalid.join(", ")
            ),
        );
    }
    let access_type = match get("access_type") {
        None => "online",
        Some(a @ ("online" | "offline")) => a,
        Some(other) => {
            return auth_error_page(
                400,
                "invalid_request",
                &format!("Invalid access_type: {other}"),
            );
        }
    };
    let prompt = get("prompt").unwrap_or("");
    let prompts: Vec<&str> = prompt.split_whitespace().collect();
    if prompts
        .iter()
        .any(|p| !matches!(*p, "none" | "consent" | "select_account"))
        || (prompts.contains(&"none") && prompts.len() > 1)
    {
        return auth_error_page(400, "invalid_request", &format!("Invalid prompt: {prompt}"));
    }
    let challenge = get("code_challenge");
    let method = match (challenge, get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => {
            return auth_error_page(400, "invalid_request", "Missing code_challenge.");
        }
        (Some(_), None) => Some(PkceMethod::Plain),
        (Some(_), Some(m)) => match PkceMethod::parse_standard(m) {
            Some(m) => Some(m),
            None => {
                return auth_error_page(
                    400,
                    "invalid_request",
                    "Invalid code_challenge_method value.",
                );
            }
        },
    };
    if let Some(c) = challenge
        && !crate::core::oauth::verifier_well_formed(c)
    {
        return auth_error_page(400, "invalid_request", "Invalid code_challenge.");
    }
    let include_granted = get("include_granted_scopes").unwrap_or("false");
    consent::begin(
        &sb,
        PendingConsent {
            platform: PLATFORM.into(),
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_string(),
            scopes: scopes.clone(),
            state: form_get(&params, "state").map(str::to_string),
            code_challenge: challenge.map(str::to_string),
            challenge_method: method,
            code_lifetime_secs: CODE_LIFETIME_SECS,
            extra_redirect_params: vec![
                ("scope".into(), scopes.join(" ")),
                ("authuser".into(), "0".into()),
                ("_access_type".into(), access_type.into()),
                ("_prompt".into(), prompt.into()),
                ("_include_granted_scopes".into(), include_granted.into()),
            ],
            created_at: sb.now(),
        },
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut r = json_response(
        status,
        json!({ "error": error, "error_description": description }),
    );
    no_store(&mut r);
    r
}

fn no_store(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, max-age=0, must-revalidate"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

fn missing(param: &str) -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &format!("Missing required parameter: {param}"),
    )
}

/// Parses a token-endpoint body: form-encoded, or a JSON object (Google takes both).
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, Response> {
    match content_type(headers).as_deref() {
        Some("application/json") => {
            let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
                return Err(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Invalid JSON payload received.",
                ));
            };
            Ok(obj
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Number(n) => Some((k, n.to_string())),
                    Value::Bool(b) => Some((k, b.to_string())),
                    _ => None,
                })
                .collect())
        }
        Some("application/x-www-form-urlencoded") | None => Ok(parse_form(body)),
        Some(_) => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid content type. Expected application/x-www-form-urlencoded.",
        )),
    }
}

/// Client authentication at the token endpoint: `client_id` + `client_secret` in
/// the body, or HTTP Basic. The secret is required for Web clients, and for
/// Desktop clients while `desktop_client_secret_required` is on.
fn client_auth(
    sb: &Sandbox,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<OAuthClient, Response> {
    let (id, secret) = match basic_auth(headers) {
        Some(Ok((id, secret))) => (Some(id), Some(secret)),
        Some(Err(())) => {
            return Err(oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Unauthorized",
            ));
        }
        None => (
            form_get(form, "client_id").map(str::to_string),
            form_get(form, "client_secret").map(str::to_string),
        ),
    };
    let Some(id) = id.filter(|i| !i.is_empty()) else {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Could not determine client ID from request.",
        ));
    };
    let (client, secret_required) = sb.read_state(|st| {
        (
            st.core_ref(PLATFORM).and_then(|c| c.client(&id)).cloned(),
            st.youtube.settings.desktop_client_secret_required,
        )
    });
    let Some(client) = client else {
        return Err(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        ));
    };
    match secret.filter(|s| !s.is_empty()) {
        Some(s) if client.secret_matches(&s) => Ok(client),
        Some(_) => Err(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unauthorized",
        )),
        None if is_desktop(&client) && !secret_required => Ok(client),
        None => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_secret is missing.",
        )),
    }
}

/// HMAC-SHA256 (RFC 2104), for the sandbox's `id_token` signature.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for i in 0..64 {
        ipad[i] ^= k[i];
        opad[i] ^= k[i];
    }
    let inner = Sha256::new()
        .chain_update(ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(opad)
        .chain_update(inner)
        .finalize()
        .into()
}

fn google_sub(a: &Account) -> String {
    a.extra
        .get("google_sub")
        .and_then(Value::as_str)
        .unwrap_or(&a.id)
        .to_string()
}

/// OpenID claims of `account` under `scopes`.
fn identity_claims(sb: &Sandbox, a: &Account, scopes: &[String]) -> serde_json::Map<String, Value> {
    let mut c = serde_json::Map::new();
    c.insert("sub".into(), json!(google_sub(a)));
    if scopes.iter().any(|s| s == SCOPE_EMAIL) {
        let email = a.extra.get("email").and_then(Value::as_str).unwrap_or("");
        c.insert("email".into(), json!(email));
        c.insert("email_verified".into(), json!(true));
    }
    if scopes.iter().any(|s| s == SCOPE_PROFILE) {
        let mut words = a.display_name.split_whitespace();
        c.insert("name".into(), json!(a.display_name));
        c.insert("given_name".into(), json!(words.next().unwrap_or("")));
        c.insert(
            "family_name".into(),
            json!(words.collect::<Vec<_>>().join(" ")),
        );
        c.insert(
            "picture".into(),
            json!(sb.url(&a.avatar_path(PLATFORM)).to_string()),
        );
        c.insert("locale".into(), json!("en"));
    }
    c
}

/// An OpenID Connect ID token. Signed HS256 with the client secret (Google signs
/// RS256 with its published keys; the sandbox has none).
fn id_token(sb: &Sandbox, client: &OAuthClient, account: &Account, t: &IssuedTokens) -> String {
    let now = sb.now().timestamp();
    let mut claims = identity_claims(sb, account, &t.scopes);
    claims.insert("iss".into(), json!("https://accounts.google.com"));
    claims.insert("azp".into(), json!(client.client_id));
    claims.insert("aud".into(), json!(client.client_id));
    let at_hash = Sha256::digest(t.access_token.as_bytes());
    claims.insert(
        "at_hash".into(),
        json!(URL_SAFE_NO_PAD.encode(&at_hash[..16])),
    );
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + 3600));
    let header =
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","kid":"creatorflow-sandbox","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string());
    let signing_input = format!("{header}.{payload}");
    let key = client.client_secret.as_deref().unwrap_or(&client.client_id);
    let sig = URL_SAFE_NO_PAD.encode(hmac_sha256(key.as_bytes(), signing_input.as_bytes()));
    format!("{signing_input}.{sig}")
}

fn token_body(
    sb: &Sandbox,
    client: &OAuthClient,
    t: &IssuedTokens,
    with_refresh: bool,
) -> Response {
    let mut body = json!({
        "access_token": t.access_token,
        "expires_in": t.expires_in.unwrap_or(super::ACCESS_TOKEN_TTL_SECS),
        "scope": t.scopes.join(" "),
        "token_type": "Bearer",
    });
    if let Some(obj) = body.as_object_mut() {
        if with_refresh && let Some(rt) = &t.refresh_token {
            obj.insert("refresh_token".into(), json!(rt));
        }
        if t.scopes.iter().any(|s| s == SCOPE_OPENID) {
            let account = sb.read_state(|st| {
                st.core_ref(PLATFORM)
                    .and_then(|c| c.account(&t.account_id))
                    .cloned()
            });
            if let Some(a) = account {
                obj.insert("id_token".into(), json!(id_token(sb, client, &a, t)));
            }
        }
    }
    let mut r = json_response(StatusCode::OK, body);
    no_store(&mut r);
    r
}

fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// Revokes every token of a grant (or, without a grant record, of one family)
/// and forgets the grant: the next authorization is a first consent again.
fn revoke_grant(st: &mut SandboxState, client_id: &str, account_id: &str, family: &str) {
    let key = YouTubeState::grant_key(client_id, account_id);
    let grant = st.youtube.grants.remove(&key);
    let oauth = &mut st.core(PLATFORM).oauth;
    oauth.revoke_family(family);
    if let Some(g) = grant {
        for f in &g.families {
            oauth.revoke_family(f);
        }
    }
}

fn invalid_grant_expired() -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        "Token has been expired or revoked.",
    )
}

/// `POST /token` (oauth2.googleapis.com).
pub(super) async fn token(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match parse_body(&headers, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let grant_type = form_get(&form, "grant_type").unwrap_or("");
    if !matches!(grant_type, "authorization_code" | "refresh_token") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("Invalid grant_type: {grant_type}"),
        );
    }
    let client = match client_auth(&sb, &headers, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if grant_type == "authorization_code" {
        code_grant(&sb, &client, &form)
    } else {
        refresh_grant(&sb, &client, &form)
    }
}

fn code_grant(sb: &Sandbox, client: &OAuthClient, form: &[(String, String)]) -> Response {
    let Some(code) = form_get(form, "code").filter(|c| !c.is_empty()) else {
        return missing("code");
    };
    let Some(redirect_uri) = form_get(form, "redirect_uri") else {
        return missing("redirect_uri");
    };
    let verifier = form_get(form, "code_verifier").filter(|v| !v.is_empty());
    let result = sb.with_state(|st| {
        let now = st.now();
        let policy = token_policy(&st.youtube.settings);
        let (grant, family) = st.core(PLATFORM).oauth.redeem_code(
            code,
            CodeCheck {
                client_id: &client.client_id,
                redirect_uri: Some(redirect_uri),
                code_verifier: verifier,
            },
            now,
        )?;
        let key = YouTubeState::grant_key(&grant.client_id, &grant.account_id);
        // An offline grant without a usable refresh token left (revoked through
        // the control API, expired in Testing status) is gone: consent again.
        let live_refresh = st
            .core(PLATFORM)
            .oauth
            .live_refresh_tokens(&grant.account_id, now);
        let existing = st
            .youtube
            .grants
            .get(&key)
            .filter(|g| !g.offline || live_refresh > 0)
            .cloned();
        let offline = grant.context_value("access_type") == Some("offline");
        let prompt_consent = grant
            .context_value("prompt")
            .is_some_and(|p| p.split_whitespace().any(|x| x == "consent"));
        let new_scopes = existing
            .as_ref()
            .is_none_or(|g| grant.scopes.iter().any(|s| !g.scopes.contains(s)));
        // Google shows the consent screen (and, offline, returns a refresh token)
        // on the first authorization, with prompt=consent, or for new scopes.
        let consent_shown = prompt_consent
            || new_scopes
            || (offline && !existing.as_ref().is_some_and(|g| g.offline));
        let with_refresh = offline && consent_shown;
        let mut scopes = grant.scopes.clone();
        if grant.context_value("include_granted_scopes") == Some("true")
            && let Some(g) = &existing
        {
            for s in &g.scopes {
                if !scopes.contains(s) {
                    scopes.push(s.clone());
                }
            }
        }
        let issued = st.core(PLATFORM).oauth.issue_tokens(
            &grant.client_id,
            &grant.account_id,
            &scopes,
            &family,
            with_refresh,
            &policy,
            now,
        );
        let g = st.youtube.grants.entry(key).or_insert_with(|| Grant {
            client_id: grant.client_id.clone(),
            account_id: grant.account_id.clone(),
            scopes: Vec::new(),
            offline: false,
            families: Vec::new(),
            granted_at: now,
        });
        for s in &scopes {
            if !g.scopes.contains(s) {
                g.scopes.push(s.clone());
            }
        }
        g.offline |= offline;
        if !g.families.contains(&family) {
            g.families.push(family);
        }
        if let Some(rt) = issued.refresh_token.as_deref().filter(|_| with_refresh) {
            st.youtube.refresh_last_used.insert(token_hash(rt), now);
        }
        Ok::<_, CodeError>((issued, with_refresh))
    });
    match result {
        Ok((t, with_refresh)) => token_body(sb, client, &t, with_refresh),
        Err(CodeError::RedirectMismatch) => oauth_error(
            StatusCode::BAD_REQUEST,
            "redirect_uri_mismatch",
            "Bad Request",
        ),
        Err(CodeError::VerifierMissing) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Missing code verifier.",
        ),
        Err(CodeError::VerifierMismatch) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Invalid code verifier.",
        ),
        Err(
            CodeError::Unknown
            | CodeError::Expired
            | CodeError::Reused
            | CodeError::ClientMismatch
            | CodeError::VerifierUnexpected,
        ) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Bad Request"),
    }
}

fn refresh_grant(sb: &Sandbox, client: &OAuthClient, form: &[(String, String)]) -> Response {
    let Some(rt) = form_get(form, "refresh_token").filter(|t| !t.is_empty()) else {
        return missing("refresh_token");
    };
    let result = sb.with_state(|st| {
        let now = st.now();
        let settings = st.youtube.settings.clone();
        let policy = token_policy(&settings);
        let Some(info) = st.core(PLATFORM).oauth.refresh_token_info(rt, now) else {
            return Err(invalid_grant_expired());
        };
        if info.client_id != client.client_id {
            return Err(oauth_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized_client",
                "Unauthorized",
            ));
        }
        if settings.force_invalid_grant {
            revoke_grant(st, &info.client_id, &info.account_id, &info.family_id);
            return Err(invalid_grant_expired());
        }
        let hash = token_hash(rt);
        if settings.refresh_token_idle_days > 0
            && let Some(last) = st.youtube.refresh_last_used.get(&hash)
            && *last + Duration::days(settings.refresh_token_idle_days) <= now
        {
            st.core(PLATFORM).oauth.revoke_family(&info.family_id);
            return Err(invalid_grant_expired());
        }
        match st
            .core(PLATFORM)
            .oauth
            .refresh(rt, &client.client_id, &policy, now)
        {
            Ok(t) => {
                st.youtube.refresh_last_used.insert(hash, now);
                Ok(t)
            }
            Err(RefreshError::ClientMismatch) => Err(oauth_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized_client",
                "Unauthorized",
            )),
            Err(
                RefreshError::Unknown
                | RefreshError::Expired
                | RefreshError::Revoked
                | RefreshError::Reused,
            ) => Err(invalid_grant_expired()),
        }
    });
    match result {
        Ok(t) => token_body(sb, client, &t, false),
        Err(r) => r,
    }
}

/// `POST /revoke?token=` (or `token` in a form body). Revoking an access or a
/// refresh token revokes the whole grant of that client for that account.
pub(super) async fn revoke(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let query = parse_query(q.as_deref());
    let form = parse_form(&body);
    let Some(token) = form_get(&query, "token")
        .or_else(|| form_get(&form, "token"))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
    else {
        return missing("token");
    };
    let revoked = sb.with_state(|st| {
        let now = st.now();
        let oauth = &st.core(PLATFORM).oauth;
        let target = match oauth.check_bearer(Some(&token), now) {
            Ok(rec) => Some((
                rec.client_id.clone(),
                rec.account_id.clone(),
                rec.family_id.clone(),
            )),
            Err(_) => oauth
                .refresh_token_info(&token, now)
                .filter(|i| i.usable)
                .map(|i| (i.client_id, i.account_id, i.family_id)),
        };
        match target {
            Some((c, a, f)) => {
                revoke_grant(st, &c, &a, &f);
                true
            }
            None => false,
        }
    });
    if revoked {
        let mut r = StatusCode::OK.into_response();
        no_store(&mut r);
        r
    } else {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "Token expired or revoked",
        )
    }
}

fn userinfo_unauthorized() -> Response {
    let mut r = oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_request",
        "Invalid Credentials",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(
            "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"",
        ),
    );
    r
}

/// `GET /oauth2/v3/userinfo` (OpenID Connect): needs `openid`, `email` or `profile`.
pub(super) async fn userinfo(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = parse_query(q.as_deref());
    let token = request_token(&headers, &query);
    let found = sb.read_state(|st| {
        let now = st.now();
        let core = st.core_ref(PLATFORM)?;
        let rec = core.oauth.check_bearer(token.as_deref(), now).ok()?;
        let a = core.account(&rec.account_id)?.clone();
        Some((a, rec.scopes.clone()))
    });
    let Some((account, scopes)) = found else {
        return userinfo_unauthorized();
    };
    if !scopes
        .iter()
        .any(|s| s == SCOPE_OPENID || s == SCOPE_EMAIL || s == SCOPE_PROFILE)
    {
        return userinfo_unauthorized();
    }
    json_response(
        StatusCode::OK,
        Value::Object(identity_claims(&sb, &account, &scopes)),
    )
}

/// `GET|POST /oauth2/v3/tokeninfo?access_token=`.
pub(super) async fn tokeninfo(
    State(sb): State<Sandbox>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let query = parse_query(q.as_deref());
    let form = parse_form(&body);
    let token = form_get(&query, "access_token")
        .or_else(|| form_get(&form, "access_token"))
        .map(str::to_string);
    let info = sb.read_state(|st| {
        let now = st.now();
        let core = st.core_ref(PLATFORM)?;
        let rec = core.oauth.check_bearer(token.as_deref(), now).ok()?.clone();
        let a = core.account(&rec.account_id)?.clone();
        let offline = st
            .youtube
            .grants
            .get(&YouTubeState::grant_key(&rec.client_id, &rec.account_id))
            .is_some_and(|g| g.offline);
        Some((rec, a, offline, now))
    });
    let Some((rec, account, offline, now)) = info else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_token", "Invalid Value");
    };
    let exp = rec.expires_at.map(|e| e.timestamp()).unwrap_or(0);
    let mut body = json!({
        "azp": rec.client_id,
        "aud": rec.client_id,
        "sub": google_sub(&account),
        "scope": rec.scopes.join(" "),
        "exp": exp.to_string(),
        "expires_in": (exp - now.timestamp()).max(0).to_string(),
        "access_type": if offline { "offline" } else { "online" },
    });
    if let (true, Some(obj)) = (rec.has_scope(SCOPE_EMAIL), body.as_object_mut()) {
        let email = account
            .extra
            .get("email")
            .and_then(Value::as_str)
            .unwrap_or("");
        obj.insert("email".into(), json!(email));
        obj.insert("email_verified".into(), json!("true"));
    }
    json_response(StatusCode::OK, body)
}
