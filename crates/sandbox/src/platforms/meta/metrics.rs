//! Media insights, the same on both Graph hosts:
//! `GET /{ig-media-id}/insights?metric=views,reach,...` (docs/platforms/instagram.md
//! §11). Each media product type (`FEED`, `REELS`, `STORY`) supports its own
//! metrics (the `insights_metrics` setting); asking for another is Graph's code 100.
//! Numbers grow with the post's age on the emulated clock
//! ([`crate::core::engagement::grown`]). The call is counted like any Graph call
//! (app, user and business-use-case windows, in `graph.rs`).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::graph::Ctx;
use super::{GraphError, IgMedia, Login, MetaSettings, json_response, publish};
use crate::core::engagement::grown;

/// Every media metric the emulator knows (the union of Meta's per-type tables).
pub const KNOWN_METRICS: &[&str] = &[
    "comments",
    "follows",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
    "likes",
    "navigation",
    "profile_activity",
    "profile_visits",
    "reach",
    "replies",
    "saved",
    "shares",
    "total_interactions",
    "views",
];

/// The media product types a media object can have.
pub const PRODUCT_TYPES: &[&str] = &["FEED", "REELS", "STORY"];

/// The metrics Meta's reference lists for each media product type (the default of
/// the `insights_metrics` setting).
pub fn default_metrics(product: &str) -> &'static [&'static str] {
    match product {
        "REELS" => &[
            "comments",
            "ig_reels_avg_watch_time",
            "ig_reels_video_view_total_time",
            "likes",
            "reach",
            "saved",
            "shares",
            "total_interactions",
            "views",
        ],
        "STORY" => &[
            "follows",
            "navigation",
            "profile_activity",
            "profile_visits",
            "reach",
            "replies",
            "shares",
            "total_interactions",
            "views",
        ],
        _ => &[
            "comments",
            "follows",
            "likes",
            "profile_activity",
            "profile_visits",
            "reach",
            "saved",
            "shares",
            "total_interactions",
            "views",
        ],
    }
}

/// The default `insights_metrics` setting: every product type with its list.
pub fn default_metrics_table() -> BTreeMap<String, Vec<String>> {
    PRODUCT_TYPES
        .iter()
        .map(|p| {
            (
                p.to_string(),
                default_metrics(p).iter().map(|m| m.to_string()).collect(),
            )
        })
        .collect()
}

/// The metrics `product` supports under `settings` (a type the setting leaves out
/// keeps Meta's list).
pub fn supported(settings: &MetaSettings, product: &str) -> Vec<String> {
    match settings.insights_metrics.get(product) {
        Some(list) => list.clone(),
        None => default_metrics(product)
            .iter()
            .map(|m| m.to_string())
            .collect(),
    }
}

/// What a week-old post of `product` reaches, per metric (before the per-post
/// factor of [`grown`]): views well above likes, likes well above comments.
fn full(product: &str, metric: &str) -> u64 {
    let (views, reach, likes, comments, saved, shares) = match product {
        "REELS" => (20_000, 12_000, 900, 60, 120, 150),
        "STORY" => (600, 450, 0, 0, 0, 8),
        _ => (4_000, 2_500, 300, 25, 40, 30),
    };
    match metric {
        "views" => views,
        "reach" => reach,
        "likes" => likes,
        "comments" => comments,
        "saved" => saved,
        "shares" => shares,
        "replies" => 6,
        "follows" => 4,
        "profile_visits" => 30,
        "profile_activity" => 12,
        "navigation" => 500,
        _ => 0,
    }
}

/// The value of `metric` for media `m` at `now`: 0 at publication, growing over
/// the emulated clock. Reach never exceeds views; `total_interactions` is the sum
/// of likes, comments, saves and shares; Reels' watch times are in milliseconds.
pub fn value(m: &IgMedia, metric: &str, now: DateTime<Utc>) -> u64 {
    let age = now - m.timestamp;
    let product = m.media_product_type.as_str();
    let g = |name: &str| grown(&m.id, name, age, full(product, name));
    match metric {
        "reach" => g("reach").min(g("views")),
        "total_interactions" => ["likes", "comments", "saved", "shares"]
            .iter()
            .map(|n| g(n))
            .sum(),
        "ig_reels_avg_watch_time" => {
            if g("views") == 0 {
                0
            } else {
                // 4 to 12 seconds, fixed per post.
                4_000 + grown(&m.id, "avg_watch", chrono::Duration::days(365), 5_000)
            }
        }
        "ig_reels_video_view_total_time" => g("views") * value(m, "ig_reels_avg_watch_time", now),
        other => g(other),
    }
}

/// Graph's title and description of a metric.
fn title(metric: &str) -> (&'static str, &'static str) {
    match metric {
        "views" => (
            "Views",
            "The number of times your reel, post or story was played or displayed.",
        ),
        "reach" => (
            "Accounts reached",
            "The number of unique accounts that have seen your media at least once.",
        ),
        "likes" => ("Likes", "The number of likes on your media."),
        "comments" => ("Comments", "The number of comments on your media."),
        "saved" => ("Saved", "The number of saves of your media."),
        "shares" => ("Shares", "The number of shares of your media."),
        "total_interactions" => (
            "Interactions",
            "The number of likes, saves, comments and shares on your media.",
        ),
        "replies" => ("Replies", "The number of replies to your story."),
        "follows" => (
            "Follows",
            "The number of accounts that started following you from this media.",
        ),
        "profile_visits" => (
            "Profile visits",
            "The number of times your profile was visited from this media.",
        ),
        "profile_activity" => (
            "Profile activity",
            "The number of actions people took on your profile after seeing this media.",
        ),
        "navigation" => (
            "Navigation",
            "The number of exits, taps forward, taps back and swipes on your story.",
        ),
        "ig_reels_avg_watch_time" => (
            "Average watch time",
            "The average time your reel was played, in milliseconds.",
        ),
        "ig_reels_video_view_total_time" => (
            "Watch time",
            "The total time your reel was played, in milliseconds.",
        ),
        _ => ("", ""),
    }
}

/// The requested metrics: the comma-separated `metric` parameter, checked against
/// the known names, then against what `product` supports.
pub fn requested(
    param: Option<&str>,
    product: &str,
    settings: &MetaSettings,
) -> Result<Vec<String>, GraphError> {
    let Some(param) = param.filter(|p| !p.trim().is_empty()) else {
        return Err(GraphError::missing("metric"));
    };
    let names: Vec<String> = param
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let supported = supported(settings, product);
    let known = |n: &str| KNOWN_METRICS.contains(&n) || supported.iter().any(|s| s == n);
    if let Some((i, _)) = names.iter().enumerate().find(|(_, n)| !known(n)) {
        return Err(GraphError::invalid(&format!(
            "metric[{i}] must be one of the following values: {}",
            KNOWN_METRICS.join(", ")
        )));
    }
    let refused: Vec<&str> = names
        .iter()
        .filter(|n| !supported.contains(n))
        .map(String::as_str)
        .collect();
    if !refused.is_empty() {
        return Err(GraphError::invalid(&format!(
            "The Media Insights API does not support the {} metric for this media product type.",
            refused.join(", ")
        )));
    }
    let mut unique = Vec::new();
    for n in names {
        if !unique.contains(&n) {
            unique.push(n);
        }
    }
    Ok(unique)
}

/// The `data` of an insights answer for `m` at `now`.
pub fn insights_data(m: &IgMedia, metrics: &[String], now: DateTime<Utc>) -> Vec<Value> {
    metrics
        .iter()
        .map(|name| {
            let (t, d) = title(name);
            json!({
                "name": name,
                "period": "lifetime",
                "values": [{ "value": value(m, name, now) }],
                "title": t,
                "description": d,
                "id": format!("{}/insights/{name}/lifetime", m.id),
            })
        })
        .collect()
}

/// `GET /{ig-media-id}/insights?metric=...`.
pub(crate) fn media_insights(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    let body = ctx.sb.read_state(|st| -> Result<Value, GraphError> {
        // A media object this token cannot see (deleted, another account's, not
        // media at all) is Graph's "Unsupported get request" (subcode 33).
        let m = publish::visible_media(ctx, st, id, "get")?;
        let needed: &[&str] = match ctx.caller.login() {
            Login::Instagram => &[
                "instagram_business_basic",
                "instagram_business_manage_insights",
            ],
            Login::Facebook => &[
                "instagram_basic",
                "instagram_manage_insights",
                "pages_read_engagement",
            ],
        };
        ctx.caller.require(needed, 10)?;
        if m.parent_id.is_some() {
            return Err(GraphError::invalid(
                "Insights are not available for media inside an album: request them for the album.",
            ));
        }
        let settings = &st.meta.settings;
        let metrics = requested(ctx.params.get("metric"), &m.media_product_type, settings)?;
        let now = st.now();
        if m.media_product_type == "STORY" {
            let age = (now - m.timestamp).num_seconds();
            if age >= settings.story_insights_secs {
                // Story metrics are kept for 24 hours; then the set is empty.
                return Ok(json!({ "data": [] }));
            }
            if value(&m, "reach", now) < settings.story_min_viewers {
                return Err(GraphError::new(
                    10,
                    "(#10) Not enough viewers for the media to show insights",
                )
                .user(
                    "Not enough viewers",
                    "Story insights are shown once enough accounts have seen the story.",
                ));
            }
        }
        Ok(json!({ "data": insights_data(&m, &metrics, now) }))
    })?;
    Ok(json_response(StatusCode::OK, &body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn media(product: &str) -> IgMedia {
        IgMedia {
            id: "17900000000000001".into(),
            owner_id: "17841400000000001".into(),
            container_id: "c1".into(),
            media_type: "IMAGE".into(),
            media_product_type: product.into(),
            caption: None,
            alt_text: None,
            shortcode: "abc".into(),
            source_url: None,
            children: Vec::new(),
            parent_id: None,
            is_shared_to_feed: None,
            login: Login::Instagram,
            timestamp: DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
                .expect("time")
                .with_timezone(&Utc),
            deleted: false,
        }
    }

    #[test]
    fn numbers_start_at_zero_grow_and_keep_their_order() {
        let m = media("FEED");
        let at = |h: i64| m.timestamp + Duration::hours(h);
        for name in KNOWN_METRICS {
            assert_eq!(value(&m, name, at(0)), 0, "{name} at publication");
        }
        assert!(value(&m, "views", at(1)) < value(&m, "views", at(24)));
        assert!(value(&m, "likes", at(2)) < value(&m, "likes", at(48)));
        let week = at(24 * 7);
        let (views, reach, likes, comments) = (
            value(&m, "views", week),
            value(&m, "reach", week),
            value(&m, "likes", week),
            value(&m, "comments", week),
        );
        assert!(reach <= views && views > likes * 3 && likes > comments * 3);
        assert_eq!(
            value(&m, "total_interactions", week),
            ["likes", "comments", "saved", "shares"]
                .iter()
                .map(|n| value(&m, n, week))
                .sum::<u64>()
        );
        assert_eq!(value(&m, "views", week), value(&m, "views", week));
    }

    #[test]
    fn metrics_are_checked_per_product_type() {
        let s = MetaSettings::default();
        assert_eq!(
            requested(Some("views,reach,likes,views"), "FEED", &s).expect("feed"),
            ["views", "reach", "likes"]
        );
        let e = requested(Some("views,likes,saved,comments"), "STORY", &s).expect_err("story");
        assert_eq!(e.code, 100);
        assert_eq!(
            e.message,
            "(#100) The Media Insights API does not support the likes, saved, comments metric \
             for this media product type."
        );
        let e = requested(Some("views,impressions"), "REELS", &s).expect_err("deprecated");
        assert!(
            e.message.starts_with("(#100) metric[1] must be one of"),
            "{}",
            e.message
        );
        assert_eq!(requested(None, "FEED", &s).expect_err("none").code, 100);
        // A type the setting leaves out keeps Meta's list.
        let narrowed = MetaSettings {
            insights_metrics: BTreeMap::from([("FEED".to_string(), vec!["views".to_string()])]),
            ..MetaSettings::default()
        };
        assert!(requested(Some("shares"), "FEED", &narrowed).is_err());
        assert!(requested(Some("shares"), "REELS", &narrowed).is_ok());
    }

    #[test]
    fn answer_rows_are_graphs() {
        let m = media("REELS");
        let now = m.timestamp + Duration::hours(30);
        let rows = insights_data(&m, &["reach".into(), "views".into()], now);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["name"], "reach");
        assert_eq!(rows[0]["period"], "lifetime");
        assert_eq!(rows[0]["id"], "17900000000000001/insights/reach/lifetime");
        assert_eq!(rows[1]["values"][0]["value"], value(&m, "views", now));
        assert!(rows[1]["values"][0]["value"].as_u64().unwrap_or(0) > 0);
    }

    /// Over HTTP: the wire format, growth over the emulated clock, the scope of
    /// each product, a story's refusals, and a deleted media.
    #[tokio::test]
    async fn insights_over_http() {
        use crate::{ConsentMode, SandboxConfig, TokenRequest, start};
        let sb = start(SandboxConfig {
            consent: ConsentMode::Approve { account_id: None },
            ..SandboxConfig::default()
        })
        .await
        .expect("sandbox");
        let now = sb.now();
        let mut feed = media("FEED");
        feed.timestamp = now;
        let mut story = media("STORY");
        story.id = "17900000000000002".into();
        story.timestamp = now;
        sb.with_state(|st| {
            st.meta.media.insert(feed.id.clone(), feed.clone());
            st.meta.media.insert(story.id.clone(), story.clone());
        });
        let token = |scopes: &[&str]| {
            sb.issue_tokens(TokenRequest {
                platform: super::super::PLATFORM.into(),
                account_id: feed.owner_id.clone(),
                client_id: Some(super::super::META_INSTAGRAM_APP_ID.into()),
                scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
            })
            .expect("token")
            .access_token
        };
        let reader = token(&[
            "instagram_business_basic",
            "instagram_business_manage_insights",
        ]);
        let publisher = token(&[
            "instagram_business_basic",
            "instagram_business_content_publish",
        ]);
        let http = reqwest::Client::builder().no_proxy().build().expect("http");
        let get = |id: &str, metric: &str, token: &str| {
            let url = sb.url(&format!("/meta/graph-instagram/v23.0/{id}/insights"));
            http.get(url)
                .query(&[("metric", metric)])
                .bearer_auth(token)
                .send()
        };
        let read = |resp: reqwest::Response| async move {
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.expect("json"))
        };
        sb.advance_clock(3600);
        let (status, first) = read(get(&feed.id, "views,likes", &reader).await.expect("get")).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["data"][0]["name"], "views");
        assert_eq!(first["data"][1]["title"], "Likes");
        sb.advance_clock(24 * 3600);
        let (_, later) = read(get(&feed.id, "views,likes", &reader).await.expect("get")).await;
        let views = |v: &Value| v["data"][0]["values"][0]["value"].as_u64().expect("views");
        assert!(views(&later) > views(&first), "{first} then {later}");
        // Without the insights permission: code 10, the missing one named.
        let (status, e) = read(get(&feed.id, "views", &publisher).await.expect("get")).await;
        assert_eq!(status, 400);
        assert_eq!(e["error"]["code"], 10, "{e}");
        assert!(
            e["error"]["error_user_msg"]
                .as_str()
                .unwrap_or("")
                .contains("instagram_business_manage_insights"),
            "{e}"
        );
        // A story: likes refused; past 24 hours, nothing.
        let (status, e) = read(get(&story.id, "views,likes", &reader).await.expect("get")).await;
        assert_eq!(
            (status, e["error"]["code"].as_i64()),
            (400, Some(100)),
            "{e}"
        );
        sb.advance_clock(3600);
        let (_, gone) = read(get(&story.id, "views", &reader).await.expect("get")).await;
        assert_eq!(gone["data"], json!([]), "{gone}");
        // Deleted: Graph's "Unsupported get request" (subcode 33).
        sb.with_state(|st| {
            if let Some(m) = st.meta.media.get_mut(&feed.id) {
                m.deleted = true;
            }
        });
        let (status, e) = read(get(&feed.id, "views", &reader).await.expect("get")).await;
        assert_eq!(status, 400);
        assert_eq!(
            (
                e["error"]["code"].as_i64(),
                e["error"]["error_subcode"].as_i64()
            ),
            (Some(100), Some(33)),
            "{e}"
        );
        sb.shutdown().await.expect("shutdown");
    }
}
