//! How a LinkedIn post did, read by the LinkedIn client from the sandbox's
//! member post analytics over real HTTP (docs/platforms/linkedin.md §13):
//! the numbers and LinkedIn's labels, growing over the emulated clock; the
//! repost count a post nobody can repost lacks; a deleted post; a sign-in
//! without `r_member_postAnalytics`; the daily quotas; the versioned
//! headers.

mod linkedin_common;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::Utc;
use creatorflow_platforms::linkedin::next_utc_midnight;
use creatorflow_platforms::{
    AccessToken, ErrorKind, LimitScope, LinkedinOptions, LinkedinVisibility, Metric, NoopSink,
    PlatformError, PlatformOptions, PostMetrics, PublishRequest, Publisher, RemoteAccount,
    TokenSource,
};
use creatorflow_sandbox::platforms::linkedin::{
    LINKEDIN_ANALYTICS_SCOPES, LINKEDIN_CLIENT_ID, LINKEDIN_PUBLISH_SCOPES, limits,
};
use creatorflow_sandbox::{QuotaSpec, Sandbox, TokenRequest};
use linkedin_common::*;
use serde_json::{Value, json};

const PATH: &str = "/linkedin/rest/memberCreatorPostAnalytics";

/// A token source like [`Tokens`], whose sign-in also granted the
/// analytics scope (as CreatorFlow's connect dialog now asks).
struct AnalyticsTokens {
    sb: Sandbox,
    current: Mutex<AccessToken>,
    refreshes: AtomicUsize,
}

fn scopes() -> Vec<String> {
    LINKEDIN_PUBLISH_SCOPES
        .iter()
        .chain(LINKEDIN_ANALYTICS_SCOPES)
        .map(|s| (*s).to_owned())
        .collect()
}

fn mint_all(sb: &Sandbox) -> AccessToken {
    let issued = sb
        .issue_tokens(TokenRequest {
            platform: "linkedin".into(),
            account_id: MEMBER.into(),
            client_id: Some(LINKEDIN_CLIENT_ID.into()),
            scopes: Some(scopes()),
        })
        .expect("tokens");
    AccessToken::new(issued.access_token)
}

impl AnalyticsTokens {
    fn new(sb: &Sandbox) -> Self {
        Self {
            sb: sb.clone(),
            current: Mutex::new(mint_all(sb)),
            refreshes: AtomicUsize::new(0),
        }
    }
}

#[async_trait]
impl TokenSource for AnalyticsTokens {
    async fn token(&self) -> Result<AccessToken, PlatformError> {
        Ok(self.current.lock().expect("lock").clone())
    }

    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, PlatformError> {
        let mut current = self.current.lock().expect("lock");
        if *current == *rejected {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            *current = mint_all(&self.sb);
        }
        Ok(current.clone())
    }
}

fn account() -> RemoteAccount {
    RemoteAccount {
        id: MEMBER.to_owned(),
        username: MEMBER_NAME.to_owned(),
        scopes: scopes(),
    }
}

async fn publish(e: &Env, tokens: &dyn TokenSource, post: &PublishRequest) -> String {
    let outcome = e
        .client
        .publish(tokens, post, &mut Value::Null, &NoopSink)
        .await
        .expect("published");
    published(outcome).remote_id
}

fn live(m: PostMetrics) -> Vec<Metric> {
    match m {
        PostMetrics::Live(v) => v,
        PostMetrics::Removed => panic!("the post is live"),
    }
}

fn by_key(v: &[Metric]) -> BTreeMap<String, u64> {
    v.iter().map(|m| (m.key.clone(), m.value)).collect()
}

fn reads(sb: &Sandbox) -> Vec<creatorflow_sandbox::RequestRecord> {
    requests(sb)
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == PATH)
        .collect()
}

/// The parameters of a recorded call (the log keeps them decoded, so the
/// URN inside the union reads `urn:li:…` here; the emulator itself refuses
/// one that was not sent encoded).
fn query(call: &creatorflow_sandbox::RequestRecord) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(call.query.as_deref().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn numbers_grow_under_linkedins_labels() {
    let e = env().await;
    let tokens = AnalyticsTokens::new(&e.sb);
    let urn = publish(&e, &tokens, &post("How did this one do?")).await;
    assert!(urn.starts_with("urn:li:share:"), "{urn}");

    e.sb.advance_clock(3 * 3600);
    let first = live(
        e.client
            .metrics(&tokens, &account(), &urn)
            .await
            .expect("read"),
    );
    let labels: Vec<(&str, &str)> = first
        .iter()
        .map(|m| (m.key.as_str(), m.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("impressions", "Impressions"),
            ("reach", "Members reached"),
            ("likes", "Reactions"),
            ("comments", "Comments"),
            ("shares", "Reposts"),
        ]
    );
    assert_eq!(
        labels,
        e.client.metrics_support().metrics,
        "as the support says"
    );

    // One call per metric type, each the TOTAL of the share union, with the
    // versioned headers (the emulator refuses a call without them, and an
    // entity whose URN is not encoded).
    let calls = reads(&e.sb);
    assert_eq!(calls.len(), 5);
    for (call, t) in calls.iter().zip([
        "IMPRESSION",
        "MEMBERS_REACHED",
        "REACTION",
        "COMMENT",
        "RESHARE",
    ]) {
        assert_eq!(call.status, Some(200));
        let q = query(call);
        assert_eq!(q["q"], "entity");
        assert_eq!(q["entity"], format!("(share:{urn})"));
        assert_eq!(q["queryType"], t);
        assert_eq!(q["aggregation"], "TOTAL");
    }

    e.sb.advance_clock(2 * 24 * 3600);
    let second = live(
        e.client
            .metrics(&tokens, &account(), &urn)
            .await
            .expect("read"),
    );
    let (a, b) = (by_key(&first), by_key(&second));
    assert_eq!(a.len(), 5);
    assert_eq!(b.len(), 5);
    assert!(a["impressions"] > 0, "{a:?}");
    assert!(b["impressions"] > a["impressions"], "{a:?} then {b:?}");
    assert!(b["reach"] > a["reach"], "{a:?} then {b:?}");
    for (k, v) in &a {
        assert!(b[k] >= *v, "{k} never falls: {a:?} then {b:?}");
    }
    assert!(b["reach"] <= b["impressions"]);
    assert!(b["impressions"] > 10 * b["likes"], "{b:?}");
    assert!(b["likes"] > b["comments"], "{b:?}");
}

#[tokio::test]
async fn a_ugc_post_is_read_through_the_ugc_union() {
    let e = env().await;
    set(&e.sb, json!({"ugc_post_ids": "always"}));
    let tokens = AnalyticsTokens::new(&e.sb);
    let urn = publish(&e, &tokens, &post("A ugcPost id")).await;
    assert!(urn.starts_with("urn:li:ugcPost:"), "{urn}");
    e.sb.advance_clock(24 * 3600);
    let m = by_key(&live(
        e.client
            .metrics(&tokens, &account(), &urn)
            .await
            .expect("read"),
    ));
    assert_eq!(m.len(), 5);
    assert!(m["impressions"] > 0);
    let entities: Vec<String> = reads(&e.sb)
        .iter()
        .map(|c| query(c)["entity"].clone())
        .collect();
    assert_eq!(entities.len(), 5);
    assert!(
        entities.iter().all(|q| *q == format!("(ugc:{urn})")),
        "{entities:?}"
    );
}

#[tokio::test]
async fn a_post_nobody_can_repost_has_no_repost_count() {
    let e = env().await;
    let tokens = AnalyticsTokens::new(&e.sb);
    let public = publish(&e, &tokens, &post("For everyone")).await;
    let mut only_connections = post("For my connections");
    only_connections.options = PlatformOptions::Linkedin(LinkedinOptions {
        visibility: LinkedinVisibility::Connections,
    });
    let connections = publish(&e, &tokens, &only_connections).await;
    e.sb.advance_clock(3 * 24 * 3600);

    let open = by_key(&live(
        e.client
            .metrics(&tokens, &account(), &public)
            .await
            .expect("read"),
    ));
    assert!(open.contains_key("shares"), "{open:?}");
    let closed = live(
        e.client
            .metrics(&tokens, &account(), &connections)
            .await
            .expect("read"),
    );
    let keys: Vec<&str> = closed.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(
        keys,
        ["impressions", "reach", "likes", "comments"],
        "no repost count, rather than a zero"
    );
}

#[tokio::test]
async fn a_deleted_post_is_removed() {
    let e = env().await;
    let tokens = AnalyticsTokens::new(&e.sb);
    let urn = publish(&e, &tokens, &post("Here today")).await;
    e.sb.advance_clock(3600);
    live(
        e.client
            .metrics(&tokens, &account(), &urn)
            .await
            .expect("read"),
    );
    e.client.delete(&tokens, &urn).await.expect("deleted");
    let before = reads(&e.sb).len();
    assert_eq!(
        e.client
            .metrics(&tokens, &account(), &urn)
            .await
            .expect("read"),
        PostMetrics::Removed
    );
    let calls = reads(&e.sb);
    assert_eq!(calls.len(), before + 1, "the first 404 settles it");
    assert_eq!(calls.last().and_then(|c| c.status), Some(404));
    // A post LinkedIn never had reads the same.
    assert_eq!(
        e.client
            .metrics(&tokens, &account(), "urn:li:share:1")
            .await
            .expect("read"),
        PostMetrics::Removed
    );
    // Something that is no post at all is refused before any call.
    let err = e
        .client
        .metrics(&tokens, &account(), "12345")
        .await
        .expect_err("no URN");
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(reads(&e.sb).len(), before + 2);
}

#[tokio::test]
async fn without_the_analytics_scope_reading_is_forbidden() {
    let e = env().await;
    // A sign-in from before CreatorFlow read numbers: publishing scopes only.
    let urn = publish(&e, &e.tokens, &post("Connected last year")).await;
    let granted: Vec<String> = LINKEDIN_PUBLISH_SCOPES
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(
        e.client.metrics_scopes_missing(&granted),
        ["r_member_postAnalytics"]
    );
    assert!(e.client.metrics_scopes_missing(&scopes()).is_empty());

    let err = e
        .client
        .metrics(&e.tokens, &account(), &urn)
        .await
        .expect_err("403");
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(err.status, Some(403));
    assert!(
        err.message
            .contains("Reconnect the account to allow CreatorFlow to read"),
        "{}",
        err.message
    );
    let detail = err.detail.as_deref().expect("detail");
    assert!(
        detail.contains("ACCESS_DENIED")
            && detail.contains("memberCreatorPostAnalytics.FINDER-entity"),
        "{detail}"
    );
    assert_eq!(e.tokens.refreshes(), 0, "not taken for a token problem");
    assert_eq!(reads(&e.sb).len(), 1, "stops at the first refusal");
}

#[tokio::test]
async fn the_daily_quotas_wait_until_midnight_utc() {
    let e = env().await;
    let tokens = AnalyticsTokens::new(&e.sb);
    let urn = publish(&e, &tokens, &post("Popular")).await;
    e.sb.advance_clock(3600);
    let quota = |name: String, limit: u64| {
        e.sb.set_quota(QuotaSpec {
            platform: "linkedin".into(),
            name,
            limit,
            window_secs: None,
            daily_utc: true,
        })
        .expect("quota");
    };

    // The member's quota runs out in the middle of a read: no half answer.
    quota(limits::MEMBER_POST_ANALYTICS.into(), 3);
    let before = next_utc_midnight(Utc::now());
    let err = e
        .client
        .metrics(&tokens, &account(), &urn)
        .await
        .expect_err("429");
    let after = next_utc_midnight(Utc::now());
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.status, Some(429));
    let at = err.retry_at.expect("retry time");
    assert!(at == before || at == after, "{at} is the next midnight UTC");
    assert_eq!(err.limit_scope, LimitScope::Account);
    assert!(
        err.message
            .starts_with("LinkedIn says this account's daily limit"),
        "{}",
        err.message
    );
    let calls = reads(&e.sb);
    assert_eq!(calls.len(), 4);
    assert_eq!(calls[3].status, Some(429));

    // The app's quota: every account waits.
    quota(limits::MEMBER_POST_ANALYTICS.into(), 1000);
    quota(limits::app_name(limits::MEMBER_POST_ANALYTICS), 0);
    let err = e
        .client
        .metrics(&tokens, &account(), &urn)
        .await
        .expect_err("429");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert!(err.retry_at.is_some());
    assert_eq!(err.limit_scope, LimitScope::App);
    assert!(
        err.message.contains("your LinkedIn app's daily limit"),
        "{}",
        err.message
    );

    // Publishing has quotas of its own.
    publish(&e, &tokens, &post("Still posting")).await;
}

#[tokio::test]
async fn a_revoked_sign_in_is_renewed_once() {
    let e = env().await;
    let tokens = AnalyticsTokens::new(&e.sb);
    let urn = publish(&e, &tokens, &post("Renewed")).await;
    e.sb.advance_clock(3600);
    e.sb.revoke_account("linkedin", MEMBER).expect("revoked");
    let m = live(
        e.client
            .metrics(&tokens, &account(), &urn)
            .await
            .expect("read with a renewed token"),
    );
    assert_eq!(m.len(), 5);
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
}

/// A raw call, as the client would make it but with `headers` of our own.
async fn raw_get(
    e: &Env,
    token: &AccessToken,
    query: &str,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut url = e.sb.url(PATH);
    url.set_query(Some(query));
    let mut req = reqwest::Client::new().get(url).bearer_auth(token.secret());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("sent");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_emulator_enforces_linkedins_versioned_api() {
    let e = env().await;
    let tokens = AnalyticsTokens::new(&e.sb);
    let urn = publish(&e, &tokens, &post("Versioned")).await;
    // A month on the numbers have levelled off: calls a moment apart agree.
    e.sb.advance_clock(30 * 24 * 3600);
    let token = tokens.token().await.expect("token");
    let v = version(&e.sb);
    let good = [
        ("LinkedIn-Version", v.as_str()),
        ("X-Restli-Protocol-Version", "2.0.0"),
    ];
    let entity = creatorflow_platforms::linkedin::entity_param(&urn);
    let q =
        |t: &str, agg: &str| format!("q=entity&entity={entity}&queryType={t}&aggregation={agg}");

    let (status, body) = raw_get(&e, &token, &q("COMMENT", "TOTAL"), &good).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["elements"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["elements"][0]["targetEntity"]["share"], urn.as_str());
    assert!(body["elements"][0]["count"].is_u64(), "{body}");
    assert!(
        body["elements"][0]["metricType"] == "COMMENT"
            || body["elements"][0]["metricType"]["com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"]
                == "COMMENT",
        "{body}"
    );

    let (status, body) = raw_get(&e, &token, &q("COMMENT", "TOTAL"), &good[1..]).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("VERSION_MISSING"))
    );
    let (status, _) = raw_get(&e, &token, &q("COMMENT", "TOTAL"), &good[..1]).await;
    assert_eq!(status, 400, "X-Restli-Protocol-Version is required");
    let (status, body) = raw_get(
        &e,
        &token,
        &q("COMMENT", "TOTAL"),
        &[("LinkedIn-Version", "202401"), good[1]],
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (426, Some("NONEXISTENT_VERSION"))
    );

    // The URN must come encoded inside the union; the parameters are checked.
    let raw_urn = format!("q=entity&entity=(share:{urn})&queryType=COMMENT&aggregation=TOTAL");
    assert_eq!(raw_get(&e, &token, &raw_urn, &good).await.0, 400);
    assert_eq!(
        raw_get(&e, &token, &q("LIKES", "TOTAL"), &good).await.0,
        400
    );
    assert_eq!(
        raw_get(&e, &token, &q("COMMENT", "WEEKLY"), &good).await.0,
        400
    );
    assert_eq!(
        raw_get(&e, &token, &q("MEMBERS_REACHED", "DAILY"), &good)
            .await
            .0,
        400,
        "no daily reach"
    );

    // DAILY: one element per day since the post; together the TOTAL.
    let (status, daily) = raw_get(&e, &token, &q("IMPRESSION", "DAILY"), &good).await;
    assert_eq!(status, 200, "{daily}");
    let days = daily["elements"].as_array().expect("elements");
    assert!((30..=32).contains(&days.len()), "{daily}");
    assert!(
        days.iter()
            .all(|d| d["dateRange"]["start"]["year"].is_u64())
    );
    let sum: u64 = days.iter().filter_map(|d| d["count"].as_u64()).sum();
    let (_, total) = raw_get(&e, &token, &q("IMPRESSION", "TOTAL"), &good).await;
    assert_eq!(Some(sum), total["elements"][0]["count"].as_u64());

    // q=me: all the member's posts together.
    let (status, me) = raw_get(
        &e,
        &token,
        "q=me&queryType=IMPRESSION&aggregation=TOTAL",
        &good,
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["elements"][0]["count"], total["elements"][0]["count"]);
    assert!(me["elements"][0].get("targetEntity").is_none());

    // Another member's post is not theirs to read.
    let studio = mint_other(&e.sb);
    let (status, body) = raw_get(&e, &studio, &q("COMMENT", "TOTAL"), &good).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("ACCESS_DENIED"))
    );
}

fn mint_other(sb: &Sandbox) -> AccessToken {
    let issued = sb
        .issue_tokens(TokenRequest {
            platform: "linkedin".into(),
            account_id: creatorflow_sandbox::platforms::linkedin::LINKEDIN_MEMBER_STUDIO
                .0
                .into(),
            client_id: Some(LINKEDIN_CLIENT_ID.into()),
            scopes: Some(scopes()),
        })
        .expect("tokens");
    AccessToken::new(issued.access_token)
}

#[tokio::test]
async fn the_sign_in_grants_the_analytics_scope_only_with_the_product() {
    let e = env().await;
    let authorize = |scope: &str| {
        let mut url = e.sb.url("/linkedin/oauth/v2/authorization");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", LINKEDIN_CLIENT_ID)
            .append_pair(
                "redirect_uri",
                "http://127.0.0.1:47616/oauth/linkedin/callback",
            )
            .append_pair("state", "s")
            .append_pair("scope", scope);
        url
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let location = |resp: reqwest::Response| {
        resp.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let scope = "openid profile w_member_social r_member_postAnalytics";
    let ok = client.get(authorize(scope)).send().await.expect("sent");
    let to = location(ok);
    assert!(to.contains("code=") && !to.contains("error="), "{to}");

    set(&e.sb, json!({"post_analytics_product": false}));
    let refused = client.get(authorize(scope)).send().await.expect("sent");
    let to = location(refused);
    assert!(to.contains("error=unauthorized_scope_error"), "{to}");
    assert!(to.contains("r_member_postAnalytics"), "{to}");
}

#[tokio::test]
async fn the_older_metric_type_shape_reads_the_same() {
    let e = env().await;
    let tokens = AnalyticsTokens::new(&e.sb);
    let urn = publish(&e, &tokens, &post("Two shapes")).await;
    // Levelled off: two reads a moment apart agree.
    e.sb.advance_clock(30 * 24 * 3600);
    set(
        &e.sb,
        json!({"analytics_string_metric_type_from": "202401"}),
    );
    let plain = live(
        e.client
            .metrics(&tokens, &account(), &urn)
            .await
            .expect("read"),
    );
    set(&e.sb, json!({"analytics_string_metric_type_from": null}));
    let union = live(
        e.client
            .metrics(&tokens, &account(), &urn)
            .await
            .expect("read"),
    );
    assert_eq!(plain, union);
    assert_eq!(plain.len(), 5);
}
