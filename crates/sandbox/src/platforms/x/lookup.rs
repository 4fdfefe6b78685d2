//! `GET /2/tweets/{id}`: one post, with the fields asked for (its
//! `public_metrics` grow with its age on the emulated clock), counted against
//! the app's monthly Post cap (docs/platforms/x.md §9).

use std::collections::BTreeSet;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike as _, NaiveDate, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::tweets::is_id;
use super::{
    NOT_FOUND_TYPE, PROBLEM_JSON, Tweet, XState, authenticate, invalid_request, json_response,
    limits,
};
use crate::core::engagement::grown;
use crate::core::sandbox::Sandbox;
use crate::core::util::parse_query;

/// Posts the app may read in a UTC month unless `monthly_post_cap` says
/// otherwise: about what X's Free tier allows [UNVERIFIED].
pub const DEFAULT_MONTHLY_POST_CAP: u64 = 100;

/// The app's monthly Post cap counter. X counts per Project; the sandbox's
/// clients all belong to one. A post read again on the same UTC day is not
/// counted again (X deduplicates daily).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostReads {
    /// The UTC month counted, as its first day.
    pub month: Option<NaiveDate>,
    /// Posts read in `month`.
    pub used: u64,
    /// The UTC day of `seen`.
    pub day: Option<NaiveDate>,
    /// Posts already counted on `day`.
    pub seen: BTreeSet<String>,
}

impl PostReads {
    /// Posts read in the month of `now`.
    pub fn used(&self, now: DateTime<Utc>) -> u64 {
        if self.month == Some(month_of(now)) {
            self.used
        } else {
            0
        }
    }

    /// Counts the post `id`, read at `now`, unless it was counted that day.
    pub fn count(&mut self, id: &str, now: DateTime<Utc>) {
        self.roll(now);
        if self.seen.insert(id.to_owned()) {
            self.used = self.used.saturating_add(1);
        }
    }

    /// Sets this month's count (`POST /_sandbox/settings/x`): the next read
    /// of any post counts.
    pub fn set_used(&mut self, used: u64, now: DateTime<Utc>) {
        self.roll(now);
        self.used = used;
        self.seen.clear();
    }

    fn roll(&mut self, now: DateTime<Utc>) {
        if self.month != Some(month_of(now)) {
            self.month = Some(month_of(now));
            self.used = 0;
        }
        if self.day != Some(now.date_naive()) {
            self.day = Some(now.date_naive());
            self.seen.clear();
        }
    }
}

/// The first day of the UTC month of `now`.
fn month_of(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive().with_day(1).unwrap_or(now.date_naive())
}

/// When the month of `now` ends and the cap starts again (UTC).
pub fn next_month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let (year, month) = match now.month() {
        12 => (now.year() + 1, 1),
        m => (now.year(), m + 1),
    };
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .unwrap_or(now)
}

/// Query parameters of the lookup.
const PARAMS: &[&str] = &[
    "expansions",
    "media.fields",
    "place.fields",
    "poll.fields",
    "tweet.fields",
    "user.fields",
];

/// `tweet.fields` values X documents.
const TWEET_FIELDS: &[&str] = &[
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "organic_metrics",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "suggested_source_links",
    "text",
    "withheld",
];

/// `GET /2/tweets/{id}`.
pub(super) async fn lookup(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let caller = match authenticate(
        &sb,
        &headers,
        limits::GET_TWEET,
        &["tweet.read", "users.read"],
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !is_id(&id) {
        return caller.finish(invalid_request(
            &format!("The `id` query parameter value [{id}] does not match ^[0-9]{{1,19}}$"),
            Some(("id", &id)),
        ));
    }
    let fields = match tweet_fields(q.as_deref()) {
        Ok(f) => f,
        Err(r) => return caller.finish(r),
    };
    let r = sb.with_state(|st| {
        let now = st.now();
        let x = &mut st.x;
        if x.post_reads.used(now) >= x.settings.monthly_post_cap {
            return usage_capped();
        }
        let Some(tweet) = x.tweets.get(&id).filter(|t| !t.deleted) else {
            // X answers 200 with the problem in `errors`, and no `data`.
            return json_response(StatusCode::OK, json!({ "errors": [not_found(&id)] }));
        };
        let data = render(x, tweet, &fields, now);
        x.post_reads.count(&id, now);
        json_response(StatusCode::OK, json!({ "data": data }))
    });
    caller.finish(r)
}

/// The `tweet.fields` asked for; an unknown parameter or field is a 400.
fn tweet_fields(query: Option<&str>) -> Result<Vec<String>, Response> {
    let params = parse_query(query);
    let unknown: Vec<&str> = params
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !PARAMS.contains(k))
        .collect();
    if !unknown.is_empty() {
        return Err(invalid_request(
            &format!(
                "The query parameters [{}] is not one of [id,{}]",
                unknown.join(","),
                PARAMS.join(",")
            ),
            None,
        ));
    }
    let mut fields = Vec::new();
    for (_, v) in params.iter().filter(|(k, _)| k == "tweet.fields") {
        for f in v.split(',').filter(|f| !f.is_empty()) {
            if !TWEET_FIELDS.contains(&f) {
                return Err(invalid_request(
                    &format!(
                        "The `tweet.fields` query parameter value [{f}] is not one of [{}]",
                        TWEET_FIELDS.join(",")
                    ),
                    Some(("tweet.fields", f)),
                ));
            }
            fields.push(f.to_owned());
        }
    }
    Ok(fields)
}

/// The post as X renders it: `id`, `text`, `edit_history_tweet_ids`, plus
/// the fields asked for that the sandbox knows (others are left out).
fn render(x: &XState, t: &Tweet, fields: &[String], now: DateTime<Utc>) -> Value {
    let mut data = Map::new();
    data.insert("id".into(), json!(t.id));
    data.insert("text".into(), json!(t.text));
    data.insert("edit_history_tweet_ids".into(), json!([t.id]));
    for f in fields {
        let v = match f.as_str() {
            "public_metrics" => public_metrics(t, now),
            "author_id" => json!(t.author_id),
            "created_at" => json!(t.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
            "conversation_id" => json!(conversation_root(x, t)),
            "referenced_tweets" => match &t.reply_to {
                Some(parent) => json!([{ "type": "replied_to", "id": parent }]),
                None => continue,
            },
            "attachments" if !t.media_ids.is_empty() => {
                let keys: Vec<&str> = t
                    .media_ids
                    .iter()
                    .filter_map(|m| x.media.get(m).map(|m| m.media_key.as_str()))
                    .collect();
                json!({ "media_keys": keys })
            }
            _ => continue,
        };
        data.insert(f.clone(), v);
    }
    Value::Object(data)
}

/// Engagement that grows with the post's age on the emulated clock, about
/// these totals after a week.
fn public_metrics(t: &Tweet, now: DateTime<Utc>) -> Value {
    let age = now - t.created_at;
    let n = |metric: &str, full: u64| grown(&t.id, metric, age, full);
    json!({
        "retweet_count": n("retweet_count", 25),
        "reply_count": n("reply_count", 18),
        "like_count": n("like_count", 150),
        "quote_count": n("quote_count", 5),
        "bookmark_count": n("bookmark_count", 12),
        "impression_count": n("impression_count", 4000),
    })
}

/// The first post of the thread `t` belongs to.
fn conversation_root(x: &XState, t: &Tweet) -> String {
    let mut root = t;
    while let Some(parent) = root.reply_to.as_ref().and_then(|p| x.tweets.get(p)) {
        root = parent;
    }
    root.id.clone()
}

/// The resource-not-found problem of a post X does not have (or no longer).
fn not_found(id: &str) -> Value {
    json!({
        "value": id,
        "detail": format!("Could not find tweet with id: [{id}]."),
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "id",
        "resource_id": id,
        "type": NOT_FOUND_TYPE,
    })
}

/// 429 when the monthly Post cap is used up, as X sends it
/// (xdevplatform/xdk#25): no `status` in the body, the endpoint's own
/// rate-limit headers (added by the caller) unchanged.
fn usage_capped() -> Response {
    let body = json!({
        "title": "UsageCapExceeded",
        "period": "Monthly",
        "scope": "Product",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.twitter.com/2/problems/usage-capped",
    });
    let mut r = (StatusCode::TOO_MANY_REQUESTS, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, 0, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn a_post_counts_once_a_day_and_the_count_ends_with_the_month() {
        let mut r = PostReads::default();
        r.count("1", at(2026, 12, 30, 9));
        r.count("1", at(2026, 12, 30, 17));
        r.count("2", at(2026, 12, 30, 17));
        assert_eq!(r.used(at(2026, 12, 30, 18)), 2);
        // The next day the same post counts again.
        r.count("1", at(2026, 12, 31, 8));
        assert_eq!(r.used(at(2026, 12, 31, 23)), 3);
        // A new month starts from zero, even before anything is read.
        assert_eq!(r.used(at(2027, 1, 1, 0)), 0);
        r.count("1", at(2027, 1, 1, 0));
        assert_eq!(r.used(at(2027, 1, 1, 1)), 1);
        assert_eq!(next_month_start(at(2026, 12, 31, 23)), at(2027, 1, 1, 0));
        assert_eq!(next_month_start(at(2027, 2, 1, 0)), at(2027, 3, 1, 0));
    }

    #[test]
    fn setting_the_count_makes_every_post_count_again() {
        let mut r = PostReads::default();
        r.count("1", at(2026, 12, 7, 9));
        r.set_used(99, at(2026, 12, 7, 10));
        r.count("1", at(2026, 12, 7, 11));
        assert_eq!(r.used(at(2026, 12, 7, 12)), 100);
    }

    #[test]
    fn unknown_parameters_and_fields_are_refused() {
        assert_eq!(
            tweet_fields(Some("tweet.fields=public_metrics,created_at")).expect("fields"),
            ["public_metrics", "created_at"]
        );
        assert!(tweet_fields(None).expect("none").is_empty());
        assert!(tweet_fields(Some("tweet.fields=likes")).is_err());
        assert!(tweet_fields(Some("fields=public_metrics")).is_err());
    }
}
