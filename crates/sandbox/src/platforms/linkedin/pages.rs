//! `GET /linkedin/feed/update/{urn}/`: a published post as a page, where the app's
//! "View on LinkedIn" link (`https://www.linkedin.com/feed/update/{urn}/`) leads in
//! sandbox mode. The URN may be raw or percent-encoded.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse as _, Response};
use serde_json::Value;

use super::{PLATFORM, Post};
use crate::core::sandbox::Sandbox;
use crate::core::util::html_escape;

/// The sandbox URL of a post's page (`https://www.linkedin.com/feed/update/{urn}/`).
pub fn post_url(sb: &Sandbox, urn: &str) -> String {
    sb.url(&format!("/linkedin/feed/update/{urn}/")).to_string()
}

const STYLE: &str = "font-family:sans-serif;max-width:36em;margin:3em auto";

fn not_found() -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>LinkedIn (CreatorFlow \
         sandbox)</title></head><body style=\"{STYLE}\"><h1>This post cannot be displayed</h1>\
         <p>It may have been deleted, or the link is wrong.</p></body></html>"
    );
    (StatusCode::NOT_FOUND, Html(html)).into_response()
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The media and article of a post, as HTML list items.
fn content_items(post: &Post, sb: &Sandbox) -> Vec<String> {
    let mut items = Vec::new();
    let c = &post.content;
    if let Some(m) = c.get("media") {
        let id = str_of(m, "id").unwrap_or_default();
        let kind = id
            .strip_prefix("urn:li:")
            .and_then(|r| r.split(':').next())
            .unwrap_or("media");
        let pages = sb.read_state(|st| st.linkedin.assets.get(id).and_then(|a| a.pages));
        let mut item = format!(
            "<li data-testid=\"sandbox-li-media\">{} <code>{}</code>",
            html_escape(kind),
            html_escape(id)
        );
        if let Some(t) = str_of(m, "title") {
            item.push_str(&format!(" &middot; title “{}”", html_escape(t)));
        }
        if let Some(p) = pages {
            item.push_str(&format!(" &middot; {p} pages"));
        }
        if let Some(a) = str_of(m, "altText") {
            item.push_str(&format!(" &middot; alt “{}”", html_escape(a)));
        }
        item.push_str("</li>");
        items.push(item);
    }
    if let Some(images) = c
        .get("multiImage")
        .and_then(|mi| mi.get("images"))
        .and_then(Value::as_array)
    {
        for img in images {
            let mut item = format!(
                "<li data-testid=\"sandbox-li-media\">image <code>{}</code>",
                html_escape(str_of(img, "id").unwrap_or_default())
            );
            if let Some(a) = str_of(img, "altText") {
                item.push_str(&format!(" &middot; alt “{}”", html_escape(a)));
            }
            item.push_str("</li>");
            items.push(item);
        }
    }
    if let Some(a) = c.get("article") {
        let source = str_of(a, "source").unwrap_or_default();
        let mut item = format!(
            "<li data-testid=\"sandbox-li-article\">article <a href=\"{}\">{}</a>",
            html_escape(source),
            html_escape(str_of(a, "title").unwrap_or(source))
        );
        if let Some(d) = str_of(a, "description") {
            item.push_str(&format!(" &middot; {}", html_escape(d)));
        }
        item.push_str("</li>");
        items.push(item);
    }
    items
}

/// `GET /linkedin/feed/update/{urn}/`.
pub(super) async fn post_page(State(sb): State<Sandbox>, Path(urn): Path<String>) -> Response {
    let found = sb.read_state(|st| {
        let post = st.linkedin.posts.get(&urn).filter(|p| !p.deleted)?.clone();
        let sub = post.author.strip_prefix("urn:li:person:")?;
        let author = st
            .core_ref(PLATFORM)
            .and_then(|c| c.account(sub).cloned())?;
        Some((post, author))
    });
    let Some((post, author)) = found else {
        return not_found();
    };
    let items = content_items(&post, &sb);
    let media = if items.is_empty() {
        String::new()
    } else {
        format!("<ul>{}</ul>", items.concat())
    };
    let edited = post
        .edited_at
        .map(|t| format!(" &middot; edited {}", t.format("%Y-%m-%d %H:%M:%S UTC")))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{name} on LinkedIn: \
         {text} (CreatorFlow sandbox)</title></head><body style=\"{STYLE}\">\
         <p><small>CreatorFlow sandbox &middot; emulated LinkedIn</small></p>\
         <h1 data-testid=\"sandbox-li-author\">{name}</h1>\
         <p data-testid=\"sandbox-li-text\" style=\"white-space:pre-wrap\">{text}</p>{media}\
         <p>{visibility} &middot; post <code>{urn}</code> &middot; {time}{edited}</p></body></html>",
        name = html_escape(&author.display_name),
        text = html_escape(&post.text),
        visibility = html_escape(&post.visibility),
        urn = html_escape(&post.urn),
        time = post.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
    );
    Html(html).into_response()
}
