//! How a member's post did: LinkedIn's member post analytics,
//! `GET /rest/memberCreatorPostAnalytics?q=entity` (docs/platforms/linkedin.md
//! §13), one call per metric type, with the `TOTAL` aggregation.

use serde_json::Value;

use super::client::{LinkedinClient, check_urn, encode_urn, unreadable};
use super::errors::LinkedinOperation;
use crate::auth::TokenSource;
use crate::error::PlatformError;
use crate::metrics::{Metric, MetricsSupport, PostMetrics, keys};

/// The scope of the member post analytics (LinkedIn's Community Management
/// API product).
pub const METRICS_SCOPE: &str = "r_member_postAnalytics";

/// LinkedIn's `queryType`s CreatorFlow reads, with the shared key and the
/// label LinkedIn shows in a post's analytics, in LinkedIn's order.
pub const METRICS: [(&str, &str, &str); 5] = [
    ("IMPRESSION", keys::IMPRESSIONS, "Impressions"),
    ("MEMBERS_REACHED", keys::REACH, "Members reached"),
    ("REACTION", keys::LIKES, "Reactions"),
    ("COMMENT", keys::COMMENTS, "Comments"),
    ("RESHARE", keys::SHARES, "Reposts"),
];

/// What LinkedIn reports about a member's posts, and the scope it takes.
/// LinkedIn caps reads per day only (a 429 until midnight UTC), not per
/// month: no read budget.
pub fn metrics_support() -> MetricsSupport {
    MetricsSupport {
        available: true,
        metrics: METRICS
            .iter()
            .map(|(_, key, label)| (*key, *label))
            .collect(),
        scopes: vec![METRICS_SCOPE],
        budget: None,
    }
}

/// The `entity` parameter of a post (Rest.li 2.0 union, the URN encoded):
/// `(share:urn%3Ali%3Ashare%3A…)` or `(ugc:urn%3Ali%3AugcPost%3A…)`.
pub fn entity_param(urn: &str) -> String {
    let member = if urn.starts_with("urn:li:ugcPost:") {
        "ugc"
    } else {
        "share"
    };
    format!("({member}:{})", encode_urn(urn))
}

/// The `metricType` of an element: a plain string in newer releases, the
/// union object `{"com.linkedin….CreatorPostAnalyticsMetricTypeV1": "…"}`
/// before.
fn metric_type(element: &Value) -> Option<&str> {
    match element.get("metricType")? {
        Value::String(s) => Some(s),
        Value::Object(o) if o.len() == 1 => o.values().next()?.as_str(),
        _ => None,
    }
}

/// The `TOTAL` count of `query_type` in an answer: `None` when LinkedIn has
/// no number for it (no element, or a negative count).
pub fn total_count(body: &Value, query_type: &str) -> Result<Option<u64>, String> {
    let elements = body
        .get("elements")
        .and_then(Value::as_array)
        .ok_or("no elements")?;
    let mut found = None;
    for e in elements {
        match metric_type(e) {
            Some(t) if t != query_type => continue,
            _ => {}
        }
        let count = e
            .get("count")
            .and_then(Value::as_i64)
            .ok_or_else(|| format!("an element of {query_type} has no count"))?;
        if let Ok(n) = u64::try_from(count) {
            found = Some(found.unwrap_or(0) + n);
        }
    }
    if found.is_none()
        && elements
            .iter()
            .any(|e| metric_type(e).is_some_and(|t| t != query_type))
    {
        return Err(format!(
            "the answer is about another metric than {query_type}"
        ));
    }
    Ok(found)
}

impl LinkedinClient {
    /// The numbers of the member's post `urn` now: one call per metric type.
    /// A post LinkedIn no longer has (404) is [`PostMetrics::Removed`].
    pub(super) async fn read_metrics(
        &self,
        tokens: &dyn TokenSource,
        urn: &str,
    ) -> Result<PostMetrics, PlatformError> {
        check_urn(urn, "read the numbers of")?;
        let entity = entity_param(urn);
        let mut out = Vec::new();
        for (query_type, key, label) in METRICS {
            match self.metric_total(tokens, &entity, query_type).await {
                Ok(Some(n)) => out.push(Metric::new(key, label, n)),
                Ok(None) => {}
                Err(e) if e.status == Some(404) => {
                    tracing::info!(post = %urn, "LinkedIn no longer has the post");
                    return Ok(PostMetrics::Removed);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(PostMetrics::Live(out))
    }

    /// `GET /rest/memberCreatorPostAnalytics?q=entity&entity=…&queryType=…&aggregation=TOTAL`.
    async fn metric_total(
        &self,
        tokens: &dyn TokenSource,
        entity: &str,
        query_type: &str,
    ) -> Result<Option<u64>, PlatformError> {
        let mut url = self.endpoints.api("/rest/memberCreatorPostAnalytics");
        // Set as is: the parentheses and the colon after `share`/`ugc` are
        // Rest.li syntax and must not be encoded; the URN already is.
        url.set_query(Some(&format!(
            "q=entity&entity={entity}&queryType={query_type}&aggregation=TOTAL"
        )));
        let answer = self
            .call(LinkedinOperation::ReadMetrics, tokens, |token| {
                let request = self.rest(self.http.get(url.clone()), &token);
                async move { Ok(request) }
            })
            .await?;
        let body: Value = super::client::parse(&answer)?;
        total_count(&body, query_type).map_err(|why| unreadable(answer.status, &why))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn support_lists_linkedins_numbers_in_its_order() {
        let s = metrics_support();
        assert!(s.available);
        assert_eq!(
            s.metrics,
            [
                ("impressions", "Impressions"),
                ("reach", "Members reached"),
                ("likes", "Reactions"),
                ("comments", "Comments"),
                ("shares", "Reposts"),
            ]
        );
        assert_eq!(s.scopes, ["r_member_postAnalytics"]);
        assert_eq!(s.budget, None);
    }

    #[test]
    fn entities_are_restli_unions() {
        assert_eq!(
            entity_param("urn:li:share:7012345678901234567"),
            "(share:urn%3Ali%3Ashare%3A7012345678901234567)"
        );
        assert_eq!(
            entity_param("urn:li:ugcPost:42"),
            "(ugc:urn%3Ali%3AugcPost%3A42)"
        );
    }

    #[test]
    fn counts_of_both_answer_shapes() {
        let union = json!({"paging": {"start": 0, "count": 10, "links": []}, "elements": [{
            "count": 1204,
            "metricType": {"com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1": "IMPRESSION"},
            "targetEntity": {"share": "urn:li:share:1"}
        }]});
        assert_eq!(total_count(&union, "IMPRESSION"), Ok(Some(1204)));
        let plain = json!({"elements": [{"count": 7, "metricType": "REACTION"}]});
        assert_eq!(total_count(&plain, "REACTION"), Ok(Some(7)));
        let zero = json!({"elements": [{"count": 0, "metricType": "COMMENT"}]});
        assert_eq!(
            total_count(&zero, "COMMENT"),
            Ok(Some(0)),
            "a zero is a number"
        );
    }

    #[test]
    fn no_number_is_absent_not_zero() {
        assert_eq!(total_count(&json!({"elements": []}), "RESHARE"), Ok(None));
        let unavailable = json!({"elements": [{"count": -1, "metricType": "RESHARE"}]});
        assert_eq!(total_count(&unavailable, "RESHARE"), Ok(None));
    }

    #[test]
    fn strange_answers_are_errors() {
        assert!(total_count(&json!({"message": "nope"}), "COMMENT").is_err());
        assert!(total_count(&json!({"elements": [{"metricType": "COMMENT"}]}), "COMMENT").is_err());
        assert!(
            total_count(
                &json!({"elements": [{"count": 3, "metricType": "IMPRESSION"}]}),
                "COMMENT"
            )
            .is_err()
        );
    }
}
