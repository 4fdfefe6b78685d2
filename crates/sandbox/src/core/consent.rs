//! The consent step shared by every platform's authorize endpoint.
//!
//! A platform's authorize handler validates the client and redirect URI first
//! (showing [`error_page`] when they are wrong, never redirecting), then its own
//! parameters, then calls [`begin`] with a [`PendingConsent`]. Depending on the
//! [`ConsentMode`] this shows the consent page (form POST to
//! `/_sandbox/consent/{id}`), or redirects at once with a code or
//! `error=access_denied`.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use bytes::Bytes;
use chrono::Duration;

use super::oauth::CodeGrant;
use super::sandbox::Sandbox;
use super::state::{ConsentMode, PendingConsent};
use super::util::{append_query, form_get, html_escape, parse_form, random_token};

/// `PendingConsent::extra_redirect_params` whose name starts with this are not
/// sent to the client: they are kept with the code (`CodeGrant::context`, prefix
/// removed) for the platform's token endpoint.
pub const PRIVATE_PARAM_PREFIX: &str = "_";

/// Consent pages older than this are forgotten.
const CONSENT_PAGE_TTL_SECS: i64 = 3600;

/// A plain HTML error page (what a platform shows for a bad client or redirect URI).
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
         <h1>{t}</h1><p>{m}</p></body></html>",
        t = html_escape(title),
        m = html_escape(message)
    );
    (status, Html(body)).into_response()
}

/// A redirect to `location` (302 after a GET, 303 after a POST; never 307).
pub fn redirect(status: StatusCode, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => {
            let mut r = status.into_response();
            r.headers_mut().insert(header::LOCATION, v);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(_) => error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect",
            "The redirect URI cannot be used.",
        ),
    }
}

/// Redirects to the client's redirect URI with an OAuth error (RFC 6749 §4.1.2.1).
pub fn redirect_error(
    status: StatusCode,
    redirect_uri: &str,
    error: &str,
    description: Option<&str>,
    state: Option<&str>,
) -> Response {
    let mut params: Vec<(&str, &str)> = vec![("error", error)];
    if let Some(d) = description {
        params.push(("error_description", d));
    }
    if let Some(s) = state {
        params.push(("state", s));
    }
    match append_query(redirect_uri, &params) {
        Some(loc) => redirect(status, &loc),
        None => error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect",
            "The redirect URI cannot be used.",
        ),
    }
}

/// Starts the consent step for a validated authorize request.
pub fn begin(sb: &Sandbox, pending: PendingConsent) -> Response {
    let mode = sb.read_state(|st| st.consent.clone());
    match mode {
        ConsentMode::Deny => redirect_error(
            StatusCode::FOUND,
            &pending.redirect_uri,
            "access_denied",
            None,
            pending.state.as_deref(),
        ),
        ConsentMode::Approve { account_id } => {
            let account = sb.read_state(|st| {
                st.core_ref(&pending.platform).and_then(|c| {
                    account_id
                        .as_deref()
                        .and_then(|want| c.account(want))
                        .or_else(|| c.accounts.first())
                        .map(|a| a.id.clone())
                })
            });
            match account {
                Some(acc) => approve(sb, &pending, &acc, StatusCode::FOUND),
                None => error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "No account",
                    "This emulated platform has no account to authorize.",
                ),
            }
        }
        ConsentMode::Ask => {
            let id = random_token(18);
            let page = render_page(sb, &id, &pending);
            sb.with_state(|st| {
                let horizon = st.now() - Duration::seconds(CONSENT_PAGE_TTL_SECS);
                st.consents.retain(|_, c| c.created_at > horizon);
                st.consents.insert(id, pending);
            });
            let mut r = Html(page).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
    }
}

/// Issues the code for `account_id` and redirects to the client.
fn approve(sb: &Sandbox, p: &PendingConsent, account_id: &str, status: StatusCode) -> Response {
    let code = sb.with_state(|st| {
        let now = st.now();
        st.core(&p.platform).oauth.issue_code(
            CodeGrant {
                client_id: p.client_id.clone(),
                redirect_uri: p.redirect_uri.clone(),
                scopes: p.scopes.clone(),
                account_id: account_id.to_string(),
                code_challenge: p.code_challenge.clone(),
                challenge_method: p.challenge_method,
                context: p
                    .extra_redirect_params
                    .iter()
                    .filter_map(|(k, v)| {
                        k.strip_prefix(PRIVATE_PARAM_PREFIX)
                            .map(|k| (k.to_string(), v.clone()))
                    })
                    .collect(),
            },
            now,
            Duration::seconds(p.code_lifetime_secs),
        )
    });
    let mut params: Vec<(&str, &str)> = Vec::new();
    if let Some(s) = p.state.as_deref() {
        params.push(("state", s));
    }
    params.push(("code", &code));
    for (k, v) in &p.extra_redirect_params {
        if !k.starts_with(PRIVATE_PARAM_PREFIX) {
            params.push((k, v));
        }
    }
    match append_query(&p.redirect_uri, &params) {
        Some(loc) => redirect(status, &loc),
        None => error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect",
            "The redirect URI cannot be used.",
        ),
    }
}

fn render_page(sb: &Sandbox, id: &str, p: &PendingConsent) -> String {
    let (platform_name, app_name, accounts) = sb.read_state(|st| {
        let core = st.core_ref(&p.platform);
        let app = core
            .and_then(|c| c.client(&p.client_id))
            .map(|c| c.name.clone())
            .unwrap_or_else(|| p.client_id.clone());
        let accounts: Vec<(String, String, String)> = core
            .map(|c| {
                c.accounts
                    .iter()
                    .map(|a| (a.id.clone(), a.username.clone(), a.display_name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let pname = sb
            .platform(&p.platform)
            .map(|m| m.display_name().to_string())
            .unwrap_or_else(|| p.platform.clone());
        (pname, app, accounts)
    });
    let mut scopes = String::new();
    for s in &p.scopes {
        scopes.push_str(&format!("<li><code>{}</code></li>", html_escape(s)));
    }
    let mut picker = String::new();
    for (i, (aid, user, name)) in accounts.iter().enumerate() {
        picker.push_str(&format!(
            "<label style=\"display:block;margin:.3em 0\"><input type=\"radio\" name=\"account_id\" \
             value=\"{aid}\" data-testid=\"sandbox-account-{aid}\"{checked}> {name} (@{user})</label>",
            aid = html_escape(aid),
            name = html_escape(name),
            user = html_escape(user),
            checked = if i == 0 { " checked" } else { "" },
        ));
    }
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <title>Authorize {app} - {platform} (CreatorFlow sandbox)</title></head>\
         <body style=\"font-family:sans-serif;max-width:36em;margin:3em auto\">\
         <p><small>CreatorFlow sandbox &middot; emulated {platform}</small></p>\
         <h1><span data-testid=\"sandbox-consent-app\">{app}</span> wants to access your {platform} account</h1>\
         <p>It asks for:</p><ul data-testid=\"sandbox-consent-scopes\">{scopes}</ul>\
         <form method=\"post\" action=\"/_sandbox/consent/{id}\">\
         <fieldset><legend>Account</legend>{picker}</fieldset><p>\
         <button type=\"submit\" name=\"decision\" value=\"approve\" data-testid=\"sandbox-approve\">Authorize app</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\" data-testid=\"sandbox-deny\">Cancel</button>\
         </p></form></body></html>",
        app = html_escape(&app_name),
        platform = html_escape(&platform_name),
        id = html_escape(id),
    )
}

/// `POST /_sandbox/consent/{id}`: the consent form's target.
pub async fn submit(State(sb): State<Sandbox>, Path(id): Path<String>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let Some(pending) = sb.with_state(|st| st.consents.remove(&id)) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This authorization request has expired",
            "Go back to the app and start connecting the account again.",
        );
    };
    match form_get(&form, "decision") {
        Some("approve") => {
            let account = form_get(&form, "account_id").unwrap_or("");
            let known = sb.read_state(|st| {
                st.core_ref(&pending.platform)
                    .and_then(|c| c.account(account))
                    .is_some()
            });
            if !known {
                // Keep the page usable: put the request back.
                sb.with_state(|st| st.consents.insert(id, pending));
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "Pick an account",
                    "Choose one of the listed accounts and try again.",
                );
            }
            approve(&sb, &pending, account, StatusCode::SEE_OTHER)
        }
        _ => redirect_error(
            StatusCode::SEE_OTHER,
            &pending.redirect_uri,
            "access_denied",
            None,
            pending.state.as_deref(),
        ),
    }
}
