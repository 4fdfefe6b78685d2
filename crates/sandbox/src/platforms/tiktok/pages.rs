//! TikTok's public pages in sandbox mode, where the app's links lead:
//! `GET /tiktok/@{username}/video/{id}` (a post TikTok made public, by its
//! post id) and `GET /tiktok/@{username}` (the creator's profile, with every
//! video CreatorFlow posted there; "Only me" ones marked as only the creator
//! sees them, as TikTok shows them to the creator).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse as _, Response};

use super::publish::post_id_visible;
use super::{PLATFORM, Publish, PublishStatus};
use crate::core::platform::Account;
use crate::core::sandbox::Sandbox;
use crate::core::util::html_escape;

const STYLE: &str = "font-family:sans-serif;max-width:36em;margin:3em auto";

fn not_found() -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>TikTok (CreatorFlow \
         sandbox)</title></head><body style=\"{STYLE}\"><h1>Couldn't find this page</h1>\
         <p>The video or account may not exist, or is private.</p></body></html>"
    );
    (StatusCode::NOT_FOUND, Html(html)).into_response()
}

/// A completed post, with its post id once TikTok shows it.
type Shown = (Publish, Option<u64>);

/// A creator and their completed posts (not those deleted in the app).
fn creator(sb: &Sandbox, handle: &str) -> Option<(Account, Vec<Shown>)> {
    let username = handle.strip_prefix('@')?;
    sb.read_state(|st| {
        let account = st
            .core_ref(PLATFORM)?
            .accounts
            .iter()
            .find(|a| a.username == username)?
            .clone();
        let posts = st
            .tiktok
            .publishes
            .values()
            .filter(|p| {
                p.account_id == account.id
                    && p.status == PublishStatus::PublishComplete
                    && p.deleted_at.is_none()
            })
            .map(|p| {
                let shown = post_id_visible(p, &st.tiktok.settings, st.now());
                (p.clone(), p.post_id.filter(|_| shown))
            })
            .collect();
        Some((account, posts))
    })
}

fn item((p, post_id): &Shown) -> String {
    let who = match p.privacy_level.as_deref() {
        Some("SELF_ONLY") => "Only me",
        Some("MUTUAL_FOLLOW_FRIENDS") => "Friends",
        Some("FOLLOWER_OF_CREATOR") => "Followers",
        _ => "Everyone",
    };
    format!(
        "<li data-testid=\"sandbox-tt-video\"><span style=\"white-space:pre-wrap\">{}</span> \
         &middot; {who} &middot; {}</li>",
        html_escape(&p.title),
        post_id
            .map(|id| format!("video <code>{id}</code>"))
            .unwrap_or_else(|| "not public yet".to_owned()),
    )
}

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{} (CreatorFlow sandbox)\
         </title></head><body style=\"{STYLE}\"><p><small>CreatorFlow sandbox &middot; \
         emulated TikTok</small></p>{body}</body></html>",
        html_escape(title)
    ))
    .into_response()
}

/// `GET /tiktok/@{username}`.
pub(super) async fn profile_page(
    State(sb): State<Sandbox>,
    Path(handle): Path<String>,
) -> Response {
    let Some((account, posts)) = creator(&sb, &handle) else {
        return not_found();
    };
    let list: String = posts.iter().map(item).collect();
    page(
        &format!("{} (@{}) | TikTok", account.display_name, account.username),
        &format!(
            "<h1 data-testid=\"sandbox-tt-creator\">{} <small>@{}</small></h1><ul>{list}</ul>",
            html_escape(&account.display_name),
            html_escape(&account.username)
        ),
    )
}

/// `GET /tiktok/@{username}/video/{id}`: only posts TikTok made public.
pub(super) async fn video_page(
    State(sb): State<Sandbox>,
    Path((handle, id)): Path<(String, String)>,
) -> Response {
    let Some((account, posts)) = creator(&sb, &handle) else {
        return not_found();
    };
    let Some((p, _)) = posts
        .iter()
        .find(|(_, pid)| pid.is_some_and(|pid| pid.to_string() == id))
    else {
        return not_found();
    };
    page(
        &format!("{} on TikTok", account.display_name),
        &format!(
            "<h1 data-testid=\"sandbox-tt-creator\">{}</h1><p data-testid=\"sandbox-tt-caption\" \
             style=\"white-space:pre-wrap\">{}</p><p>video <code>{id}</code></p>",
            html_escape(&account.display_name),
            html_escape(&p.title)
        ),
    )
}
