//! `GET /youtube/watch?v=ID`: a video as a page, where a link to a published
//! video leads (`https://www.youtube.com/watch?v=ID` on YouTube), so "View on
//! YouTube" opens something in sandbox mode.
//!
//! The page shows the title, the channel, the privacy as the API reports it
//! now, where processing stands, the description and the tags. Unlike
//! YouTube, which answers `200` with "Video unavailable", an unknown or
//! deleted video is a `404` (as the X emulator's post pages are). Private
//! videos are shown (the sandbox has no viewer to hide them from) with a
//! note that YouTube would show them to their owner only.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::PLATFORM;
use super::metadata::processing_state;
use crate::core::sandbox::Sandbox;
use crate::core::util::{form_get, html_escape, parse_query};

const STYLE: &str = "font-family:sans-serif;max-width:40em;margin:3em auto";

fn unavailable() -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Video unavailable \
         (CreatorFlow sandbox)</title></head><body style=\"{STYLE}\"><p><small>CreatorFlow \
         sandbox &middot; emulated YouTube</small></p><h1 data-testid=\"sandbox-youtube-unavailable\">\
         Video unavailable</h1><p>This video isn't available anymore.</p></body></html>"
    );
    (StatusCode::NOT_FOUND, Html(html)).into_response()
}

/// `GET /youtube/watch?v=ID`.
pub(super) async fn watch_page(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let query = parse_query(q.as_deref());
    let Some(id) = form_get(&query, "v").filter(|v| !v.is_empty()) else {
        return unavailable();
    };
    let found = sb.read_state(|st| {
        let now = st.now();
        let v = st.youtube.videos.get(id).filter(|v| !v.deleted)?.clone();
        let channel = st
            .core_ref(PLATFORM)
            .and_then(|c| c.account(&v.channel_id).cloned());
        let processing = processing_state(&v, &st.youtube.settings, now, false);
        let privacy = v.effective_privacy(now).to_string();
        Some((v, channel, processing, privacy))
    });
    let Some((video, channel, processing, privacy)) = found else {
        return unavailable();
    };
    let (channel_name, handle) = channel
        .map(|c| (c.display_name.clone(), c.username.clone()))
        .unwrap_or_else(|| (video.channel_id.clone(), String::new()));
    let status = match (processing.upload_status, &processing.progress) {
        ("uploaded", Some((total, done, _))) if *total > 0 => {
            format!("Processing ({} %)", done * 100 / total)
        }
        ("uploaded", _) => "Processing".to_string(),
        ("processed", _) => "Processed".to_string(),
        ("failed", _) => format!(
            "Failed ({})",
            processing.failure_reason.as_deref().unwrap_or("unknown")
        ),
        ("rejected", _) => format!(
            "Rejected ({})",
            processing.rejection_reason.as_deref().unwrap_or("unknown")
        ),
        (other, _) => other.to_string(),
    };
    let private_note = if privacy == "private" {
        let why = if video.locked_private {
            " (locked private: the uploading project is not audited)"
        } else {
            ""
        };
        format!(
            "<p data-testid=\"sandbox-youtube-private\"><strong>Private video</strong>{why}. \
             YouTube shows it to its owner only.</p>"
        )
    } else {
        String::new()
    };
    let tags = if video.snippet.tags.is_empty() {
        String::new()
    } else {
        format!(
            "<p>Tags: {}</p>",
            video
                .snippet
                .tags
                .iter()
                .map(|t| format!("<code>{}</code>", html_escape(t)))
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} - YouTube \
         (CreatorFlow sandbox)</title></head><body style=\"{STYLE}\"><p><small>CreatorFlow \
         sandbox &middot; emulated YouTube</small></p>\
         <h1 data-testid=\"sandbox-youtube-title\">{title}</h1>\
         <p data-testid=\"sandbox-youtube-channel\">{channel}{handle}</p>{private_note}\
         <p>Visibility: <span data-testid=\"sandbox-youtube-privacy\">{privacy}</span> &middot; \
         Status: <span data-testid=\"sandbox-youtube-status\">{status}</span></p>\
         <p data-testid=\"sandbox-youtube-description\" style=\"white-space:pre-wrap\">{description}</p>\
         {tags}<p>Video <code>{id}</code> &middot; {mime}, {size} bytes &middot; {thumb} &middot; \
         uploaded {time}</p></body></html>",
        title = html_escape(&video.snippet.title),
        channel = html_escape(&channel_name),
        handle = if handle.is_empty() {
            String::new()
        } else {
            format!(" <small>@{}</small>", html_escape(&handle))
        },
        privacy = html_escape(&privacy),
        status = html_escape(&status),
        description = html_escape(&video.snippet.description),
        id = html_escape(&video.id),
        mime = html_escape(&video.mime),
        size = video.size,
        thumb = if video.thumbnail.is_some() {
            "custom thumbnail"
        } else {
            "automatic thumbnail"
        },
        time = video.uploaded_at.format("%Y-%m-%d %H:%M:%S UTC"),
    );
    Html(html).into_response()
}
