//! The human-readable status page at `/` and the generated avatars.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::sandbox::Sandbox;
use super::util::html_escape;

/// `GET /`: every platform, its accounts and the posts it received, newest first.
pub async fn page(State(sb): State<Sandbox>) -> Response {
    let clock = sb.clock();
    let accounts = sb.accounts(None).unwrap_or_default();
    let faults = sb.faults();
    let mut html = String::new();
    html.push_str(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>CreatorFlow sandbox</title>\
         <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}\
         td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
         .deleted{color:#999;text-decoration:line-through}code{font-size:90%}</style></head><body>",
    );
    html.push_str("<h1>CreatorFlow sandbox</h1>");
    html.push_str(&format!(
        "<p>Emulated clock: <time data-testid=\"sandbox-clock\">{}</time> (offset {} s). \
         Base URL <code>{}</code>. JSON: <a href=\"/_sandbox/received\">received</a>, \
         <a href=\"/_sandbox/requests\">requests</a>, <a href=\"/_sandbox/accounts\">accounts</a>, \
         <a href=\"/_sandbox/faults\">faults</a>.</p>",
        html_escape(&clock.now.to_rfc3339()),
        clock.offset_secs,
        html_escape(sb.base_url().as_str()),
    ));
    if !faults.is_empty() {
        html.push_str(&format!(
            "<p data-testid=\"sandbox-faults\">{} fault rule(s) pending.</p>",
            faults.len()
        ));
    }
    for p in sb.platforms() {
        html.push_str(&format!(
            "<section data-testid=\"sandbox-platform-{id}\"><h2>{name}</h2><p>Prefix <code>{prefix}</code> \
             stands for {hosts}.</p>",
            id = html_escape(p.id()),
            name = html_escape(p.display_name()),
            prefix = html_escape(p.prefix()),
            hosts = html_escape(&p.hosts().join(", ")),
        ));
        html.push_str(
            "<h3>Accounts</h3><table><tr><th></th><th>Account</th><th>Id</th><th>Connected</th>\
             <th>Live tokens (access / refresh)</th></tr>",
        );
        for a in accounts.iter().filter(|a| a.platform == p.id()) {
            html.push_str(&format!(
                "<tr><td><img src=\"{img}\" width=\"32\" height=\"32\" alt=\"\"></td>\
                 <td>{name} (@{user})</td><td><code>{id}</code></td><td>{conn}</td><td>{at} / {rt}</td></tr>",
                img = html_escape(&a.profile_image_url),
                name = html_escape(&a.display_name),
                user = html_escape(&a.username),
                id = html_escape(&a.id),
                conn = if a.connected { "yes" } else { "no" },
                at = a.live_access_tokens,
                rt = a.live_refresh_tokens,
            ));
        }
        html.push_str("</table>");
        let mut posts = sb.received(Some(p.id()));
        posts.reverse();
        html.push_str(&format!("<h3>Received posts ({})</h3>", posts.len()));
        if posts.is_empty() {
            html.push_str("<p>None yet.</p>");
        } else {
            html.push_str(
                "<table><tr><th>Time</th><th>Account</th><th>Text</th><th>Media</th>\
                 <th>Remote id</th><th>Reply to</th></tr>",
            );
            for post in posts {
                let media: Vec<String> = post
                    .media
                    .iter()
                    .map(|m| format!("{} {} ({} bytes)", m.kind, m.mime, m.size))
                    .collect();
                html.push_str(&format!(
                    "<tr class=\"{cls}\" data-testid=\"sandbox-post\"><td>{time}</td><td>@{user}</td>\
                     <td>{text}</td><td>{media}</td><td><code>{rid}</code>{del}</td><td>{reply}</td></tr>",
                    cls = if post.deleted { "deleted" } else { "" },
                    time = html_escape(&post.created_at.to_rfc3339()),
                    user = html_escape(&post.username),
                    text = html_escape(&post.text),
                    media = html_escape(&media.join(", ")),
                    rid = html_escape(&post.remote_id),
                    del = if post.deleted { " (deleted)" } else { "" },
                    reply = html_escape(post.reply_to.as_deref().unwrap_or("")),
                ));
            }
            html.push_str("</table>");
        }
        html.push_str("</section>");
    }
    html.push_str("</body></html>");
    Html(html).into_response()
}

/// `GET /_sandbox/avatar/{platform}/{id}.svg`: a small generated avatar.
pub async fn avatar(
    State(sb): State<Sandbox>,
    Path((platform, file)): Path<(String, String)>,
) -> Response {
    let Some(id) = file.strip_suffix(".svg") else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let account = sb.read_state(|st| st.core_ref(&platform).and_then(|c| c.account(id).cloned()));
    let Some(account) = account else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let digest = super::util::sha256_hex(format!("{platform}/{id}").as_bytes());
    let hue = u32::from_str_radix(&digest[..4], 16).unwrap_or(0) % 360;
    let initials: String = account
        .display_name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase();
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"128\" height=\"128\" viewBox=\"0 0 128 128\">\
         <rect width=\"128\" height=\"128\" rx=\"64\" fill=\"hsl({hue},55%,45%)\"/>\
         <text x=\"64\" y=\"78\" font-family=\"sans-serif\" font-size=\"44\" fill=\"#fff\" \
         text-anchor=\"middle\">{}</text></svg>",
        html_escape(&initials)
    );
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        svg,
    )
        .into_response()
}
