//! A post's numbers: `GET /2/tweets/{id}?tweet.fields=public_metrics`
//! (docs/platforms/x.md §9).

use serde::Deserialize;
use serde_json::Value;

use super::XClient;
use super::client::{id_string, is_id, not_a_post_id, unreadable};
use super::errors::XOperation;
use crate::auth::TokenSource;
use crate::error::{ErrorKind, PlatformError};
use crate::metrics::{Metric, MetricsSupport, PostMetrics, ReadBudget, keys};
use crate::support::request::{Answer, send};

/// Posts a Free-tier X app may read in a calendar month (UTC) [UNVERIFIED:
/// X does not publish the figure any more; on the order of 100]. The sandbox's
/// `monthly_post_cap` has the same default.
pub const DEFAULT_MONTHLY_POST_READS: u32 = 100;

/// The metrics X reports, as (shared key, X's word), in the order X shows them.
const METRICS: [(&str, &str); 6] = [
    (keys::IMPRESSIONS, "Impressions"),
    (keys::LIKES, "Likes"),
    (keys::SHARES, "Reposts"),
    (keys::COMMENTS, "Replies"),
    (keys::QUOTES, "Quotes"),
    (keys::SAVES, "Bookmarks"),
];

/// `tweet.read` and `users.read` read a post (the OpenAPI `security` of
/// `GET /2/tweets/{id}`); CreatorFlow asks for both already to publish, so
/// every X account can read its numbers.
pub(super) fn support() -> MetricsSupport {
    MetricsSupport {
        available: true,
        metrics: METRICS.to_vec(),
        scopes: vec!["tweet.read", "users.read"],
        budget: Some(ReadBudget {
            label: "X's monthly allowance of posts your app may read".into(),
            default_per_month: DEFAULT_MONTHLY_POST_READS,
        }),
    }
}

impl XClient {
    /// `GET /2/tweets/{id}?tweet.fields=public_metrics`. A post X no longer
    /// has is `Removed`; the app's monthly allowance used up is a
    /// `RateLimited` error for the app, until the next month (UTC).
    pub async fn post_metrics(
        &self,
        tokens: &dyn TokenSource,
        remote_id: &str,
    ) -> Result<PostMetrics, PlatformError> {
        if !is_id(remote_id) {
            return Err(not_a_post_id(remote_id, "read its numbers"));
        }
        let mut url = self.endpoints.api(&format!("/2/tweets/{remote_id}"));
        url.set_query(Some("tweet.fields=public_metrics"));
        let answer = send(XOperation::ReadPost, tokens, |token| {
            let request = self.http.get(url.clone()).bearer_auth(token.secret());
            async move { Ok(request) }
        })
        .await?;
        read_answer(&answer, remote_id)
    }
}

/// `public_metrics` of a post; a count X leaves out stays absent.
#[derive(Debug, Default, Deserialize)]
struct PublicMetrics {
    impression_count: Option<u64>,
    like_count: Option<u64>,
    retweet_count: Option<u64>,
    reply_count: Option<u64>,
    quote_count: Option<u64>,
    bookmark_count: Option<u64>,
}

impl PublicMetrics {
    fn into_metrics(self) -> Vec<Metric> {
        let values = [
            self.impression_count,
            self.like_count,
            self.retweet_count,
            self.reply_count,
            self.quote_count,
            self.bookmark_count,
        ];
        METRICS
            .iter()
            .zip(values)
            .filter_map(|((key, label), value)| Some(Metric::new(key, label, value?)))
            .collect()
    }
}

/// X's answer to the lookup: the post with its numbers, or (still 200) only
/// an `errors` array whose resource-not-found problem names the post.
fn read_answer(answer: &Answer, remote_id: &str) -> Result<PostMetrics, PlatformError> {
    #[derive(Deserialize)]
    struct Post {
        #[serde(deserialize_with = "id_string")]
        id: String,
        public_metrics: Option<PublicMetrics>,
    }
    #[derive(Deserialize)]
    struct Lookup {
        data: Option<Post>,
        #[serde(default)]
        errors: Vec<Value>,
    }
    let lookup: Lookup = serde_json::from_slice(&answer.body)
        .map_err(|e| unreadable(answer.status, &e.to_string()))?;
    match lookup.data {
        Some(post) if post.id != remote_id => Err(unreadable(
            answer.status,
            &format!(
                "asked for post {remote_id}, X answered with post {}",
                post.id
            ),
        )),
        Some(post) => match post.public_metrics {
            Some(m) => Ok(PostMetrics::Live(m.into_metrics())),
            None => Err(unreadable(answer.status, "the post has no public_metrics")),
        },
        None if lookup.errors.iter().any(|e| names_missing(e, remote_id)) => {
            Ok(PostMetrics::Removed)
        }
        None => match lookup.errors.first() {
            // X answered, about this post, with a problem of another kind.
            Some(problem) => {
                let why = ["detail", "message", "title"]
                    .iter()
                    .find_map(|k| problem.get(*k).and_then(Value::as_str))
                    .unwrap_or("no reason given");
                Err(PlatformError::new(
                    ErrorKind::Rejected,
                    "rejected",
                    format!("X refused to share the post's numbers: {why}"),
                )
                .with_status(answer.status)
                .with_detail(problem.to_string().chars().take(300).collect::<String>()))
            }
            None => Err(unreadable(answer.status, "no data in the answer")),
        },
    }
}

/// A resource-not-found problem about this post (not about something else
/// the request named, such as an expansion).
fn names_missing(problem: &Value, remote_id: &str) -> bool {
    let field = |name: &str| problem.get(name).and_then(Value::as_str);
    let not_found = field("type").is_some_and(|t| t.ends_with("/problems/resource-not-found"));
    let about_post = field("resource_type").is_none_or(|t| t == "tweet")
        && [field("resource_id"), field("value")]
            .into_iter()
            .flatten()
            .any(|id| id == remote_id);
    not_found && about_post
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use reqwest::header::HeaderMap;

    fn answer(body: &str) -> Answer {
        Answer {
            status: 200,
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn support_names_xs_words_and_the_allowance() {
        let s = support();
        assert!(s.available);
        let asked = super::super::scopes();
        assert!(
            s.scopes.iter().all(|s| asked.iter().any(|a| a.scope == *s)),
            "CreatorFlow asks for these when it connects an account"
        );
        let labels: Vec<&str> = s.metrics.iter().map(|(_, l)| *l).collect();
        assert_eq!(
            labels,
            [
                "Impressions",
                "Likes",
                "Reposts",
                "Replies",
                "Quotes",
                "Bookmarks"
            ]
        );
        let budget = s.budget.expect("X has a read allowance");
        assert_eq!(
            budget.label,
            "X's monthly allowance of posts your app may read"
        );
        assert_eq!(budget.default_per_month, 100);
    }

    #[test]
    fn live_post_numbers_under_shared_keys() {
        // The documented example (x-api/fundamentals/metrics.mdx).
        let a = answer(
            r#"{"data":{"id":"1234567890","text":"Hello world!","edit_history_tweet_ids":["1234567890"],
                "public_metrics":{"retweet_count":50,"reply_count":12,"like_count":234,
                "quote_count":5,"bookmark_count":8,"impression_count":5432}}}"#,
        );
        let PostMetrics::Live(m) = read_answer(&a, "1234567890").expect("read") else {
            panic!("live post");
        };
        assert_eq!(
            m,
            vec![
                Metric::new("impressions", "Impressions", 5432),
                Metric::new("likes", "Likes", 234),
                Metric::new("shares", "Reposts", 50),
                Metric::new("comments", "Replies", 12),
                Metric::new("quotes", "Quotes", 5),
                Metric::new("saves", "Bookmarks", 8),
            ]
        );
    }

    #[test]
    fn a_count_x_leaves_out_is_absent_not_zero() {
        let a = answer(r#"{"data":{"id":"7","public_metrics":{"like_count":0,"reply_count":3}}}"#);
        assert_eq!(
            read_answer(&a, "7").expect("read"),
            PostMetrics::Live(vec![
                Metric::new("likes", "Likes", 0),
                Metric::new("comments", "Replies", 3),
            ])
        );
    }

    #[test]
    fn a_deleted_post_is_removed() {
        // As X answers for a post that is gone (node-twitter-api-v2 #338).
        let a = answer(
            r#"{"errors":[{"value":"1553481126915854339","detail":"Could not find tweet with id: [1553481126915854339].",
                "title":"Not Found Error","resource_type":"tweet","parameter":"id",
                "resource_id":"1553481126915854339","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#,
        );
        assert_eq!(
            read_answer(&a, "1553481126915854339").expect("read"),
            PostMetrics::Removed
        );
    }

    #[test]
    fn other_errors_are_not_a_removal() {
        // Another post missing, or another kind of problem: the numbers read
        // before must not be declared final.
        for body in [
            r#"{"errors":[{"resource_id":"99","resource_type":"tweet","type":"https://api.x.com/2/problems/resource-not-found","detail":"Could not find tweet with id: [99]."}]}"#,
            r#"{"errors":[{"resource_id":"7","resource_type":"user","type":"https://api.x.com/2/problems/resource-not-found","detail":"Could not find user with id: [7]."}]}"#,
            r#"{"errors":[{"resource_id":"7","type":"https://api.x.com/2/problems/not-authorized-for-resource","detail":"Sorry, you are not authorized to see the Tweet with id: [7]."}]}"#,
        ] {
            let e = read_answer(&answer(body), "7").expect_err(body);
            assert_eq!(e.kind, ErrorKind::Rejected, "{body}");
            assert!(
                e.message
                    .starts_with("X refused to share the post's numbers: "),
                "{}",
                e.message
            );
        }
        // Answers that make no sense.
        for body in [
            r#"{}"#,
            r#"<html>"#,
            r#"{"data":{"id":"8","public_metrics":{"like_count":1}}}"#,
            r#"{"data":{"id":"7","text":"no metrics asked"}}"#,
        ] {
            let e = read_answer(&answer(body), "7").expect_err(body);
            assert_eq!(
                (e.kind, e.code.as_str()),
                (ErrorKind::Protocol, "bad_response"),
                "{body}"
            );
        }
    }
}
