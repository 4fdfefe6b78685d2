//! The Instagram client's post metrics against the sandbox's Meta emulator
//! over real HTTP: media insights of posts published through the client, on
//! both sign-in products, growing over the emulated clock; a story's fewer
//! metrics; a metric Meta refuses; a deleted post; the missing insights
//! permission; Meta's usage limits (docs/platforms/instagram.md §11).

mod instagram_common;

use chrono::Utc;
use creatorflow_platforms::instagram::InstagramClient;
use creatorflow_platforms::metrics::keys;
use creatorflow_platforms::{
    AccessToken, ErrorKind, InstagramKind, LimitScope, Metric, Outcome, PlatformError, PostMetrics,
    PublishRequest, Publisher, RemoteAccount, TokenSource,
};
use creatorflow_sandbox::platforms::meta::{
    META_FACEBOOK_APP_ID, META_FACEBOOK_USER, META_INSTAGRAM_APP_ID, limits,
};
use creatorflow_sandbox::{QuotaSpec, SandboxHandle, TokenRequest};
use instagram_common::*;
use serde_json::{Value, json};

/// The insights permission of each product.
fn insights_scope(product: Product) -> &'static str {
    match product {
        Product::Instagram => "instagram_business_manage_insights",
        Product::Facebook => "instagram_manage_insights",
    }
}

/// A sign-in that allowed publishing and reading insights.
fn reader_scopes(product: Product) -> Vec<String> {
    let mut scopes = product.scopes();
    scopes.push(insights_scope(product).to_owned());
    scopes
}

/// A token of `product` for `ig_account` with publishing and insights.
struct Reader(AccessToken);

impl Reader {
    fn new(sb: &SandboxHandle, product: Product, ig_account: &str) -> Self {
        let (client, account) = match product {
            Product::Instagram => (META_INSTAGRAM_APP_ID, ig_account),
            Product::Facebook => (META_FACEBOOK_APP_ID, META_FACEBOOK_USER.0),
        };
        let issued = sb
            .issue_tokens(TokenRequest {
                platform: "instagram".into(),
                account_id: account.into(),
                client_id: Some(client.into()),
                scopes: Some(reader_scopes(product)),
            })
            .expect("tokens");
        Self(AccessToken::new(issued.access_token))
    }
}

#[async_trait::async_trait]
impl TokenSource for Reader {
    async fn token(&self) -> Result<AccessToken, PlatformError> {
        Ok(self.0.clone())
    }

    async fn refresh(&self, _rejected: &AccessToken) -> Result<AccessToken, PlatformError> {
        Ok(self.0.clone())
    }
}

fn account(who: (&str, &str), scopes: Vec<String>) -> RemoteAccount {
    RemoteAccount {
        id: who.0.to_owned(),
        username: who.1.to_owned(),
        scopes,
    }
}

/// Publishes `post` through the client and answers its remote id.
async fn publish(
    client: &InstagramClient,
    sb: &SandboxHandle,
    tokens: &dyn TokenSource,
    post: &PublishRequest,
    sink: &Sink,
) -> String {
    let mut cp = Value::Null;
    match publish_to_end(client, sb, tokens, post, &mut cp, sink)
        .await
        .expect("published")
    {
        Outcome::Published(p) => p.remote_id,
        other => panic!("not published: {other:?}"),
    }
}

fn live(m: PostMetrics) -> Vec<Metric> {
    match m {
        PostMetrics::Live(v) => v,
        PostMetrics::Removed => panic!("removed"),
    }
}

fn keys_of(m: &[Metric]) -> Vec<&str> {
    m.iter().map(|x| x.key.as_str()).collect()
}

fn value(m: &[Metric], key: &str) -> u64 {
    m.iter()
        .find(|x| x.key == key)
        .unwrap_or_else(|| panic!("{key} in {m:?}"))
        .value
}

/// The `metric` parameters of the insights calls, in order.
fn insights_asked(sb: &SandboxHandle) -> Vec<String> {
    requests(sb)
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/insights"))
        .map(|r| {
            url::form_urlencoded::parse(r.query.as_deref().unwrap_or("").as_bytes())
                .find(|(k, _)| k == "metric")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect()
}

const ALL_SIX: [&str; 6] = [
    keys::VIEWS,
    keys::REACH,
    keys::LIKES,
    keys::COMMENTS,
    keys::SAVES,
    keys::SHARES,
];

#[tokio::test]
async fn a_pictures_numbers_rise_under_instagrams_own_labels() {
    let (e, _, sink) = hosted(Product::Instagram, CREATOR).await;
    let tokens = Reader::new(&e.sb, Product::Instagram, CREATOR.0);
    let mut post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "pic.jpg")],
        "Numbers, please",
    );
    post.account.scopes = reader_scopes(Product::Instagram);
    let id = publish(&e.client, &e.sb, &tokens, &post, &sink).await;
    let acct = account(CREATOR, reader_scopes(Product::Instagram));
    assert!(e.client.metrics_scopes_missing(&acct.scopes).is_empty());

    e.sb.advance_clock(3600);
    let first = live(e.client.metrics(&tokens, &acct, &id).await.expect("read"));
    assert_eq!(keys_of(&first), ALL_SIX, "all six, in Instagram's order");
    let labels: Vec<&str> = first.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Views",
            "Accounts reached",
            "Likes",
            "Comments",
            "Saves",
            "Shares"
        ]
    );
    let support = e.client.metrics_support();
    assert_eq!(
        support
            .metrics
            .iter()
            .map(|(k, l)| (k.to_string(), l.to_string()))
            .collect::<Vec<_>>(),
        first
            .iter()
            .map(|m| (m.key.clone(), m.label.clone()))
            .collect::<Vec<_>>()
    );

    e.sb.advance_clock(24 * 3600);
    let later = live(e.client.metrics(&tokens, &acct, &id).await.expect("read"));
    assert!(
        value(&later, keys::VIEWS) > value(&first, keys::VIEWS),
        "{first:?} then {later:?}"
    );
    assert!(value(&later, keys::LIKES) > value(&first, keys::LIKES));
    for key in ALL_SIX {
        assert!(
            value(&later, key) >= value(&first, key),
            "{key} never falls"
        );
    }
    assert!(value(&later, keys::REACH) <= value(&later, keys::VIEWS));
    assert!(value(&later, keys::VIEWS) > value(&later, keys::LIKES));
    // Instagram Login reads on graph.instagram.com, all six asked for.
    assert_eq!(
        insights_asked(&e.sb),
        ["views,reach,likes,comments,saved,shares"; 2]
    );
    assert!(
        requests(&e.sb)
            .iter()
            .filter(|r| r.path.ends_with("/insights"))
            .all(|r| r.path.contains("/meta/graph-instagram/")),
    );
}

#[tokio::test]
async fn a_reel_on_facebook_login_is_read_on_graph_facebook() {
    let (e, _, sink) = hosted(Product::Facebook, STUDIO).await;
    let tokens = Reader::new(&e.sb, Product::Facebook, STUDIO.0);
    let mut post = post(
        Product::Facebook,
        STUDIO,
        InstagramKind::Reel,
        vec![video(e.dir.path(), "reel.mp4", 200_000, 12)],
        "A reel",
    );
    post.account.scopes = reader_scopes(Product::Facebook);
    let id = publish(&e.client, &e.sb, &tokens, &post, &sink).await;
    e.sb.advance_clock(6 * 3600);
    let acct = account(STUDIO, reader_scopes(Product::Facebook));
    let m = live(e.client.metrics(&tokens, &acct, &id).await.expect("read"));
    assert_eq!(keys_of(&m), ALL_SIX);
    assert!(value(&m, keys::VIEWS) > 0);
    assert!(
        requests(&e.sb)
            .iter()
            .filter(|r| r.path.ends_with("/insights"))
            .all(|r| r.path.contains("/meta/graph/")),
        "Facebook Login reads on graph.facebook.com"
    );
}

#[tokio::test]
async fn a_story_has_no_likes_comments_or_saves_and_no_numbers_while_barely_seen() {
    let (e, _, sink) = hosted(Product::Instagram, CREATOR).await;
    let tokens = Reader::new(&e.sb, Product::Instagram, CREATOR.0);
    let mut post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Story,
        vec![photo(e.dir.path(), "story.jpg")],
        "",
    );
    post.account.scopes = reader_scopes(Product::Instagram);
    let id = publish(&e.client, &e.sb, &tokens, &post, &sink).await;
    let acct = account(CREATOR, reader_scopes(Product::Instagram));
    // Just out: too few viewers for Meta to say anything (its code 10 here
    // is not a missing permission).
    let early = live(e.client.metrics(&tokens, &acct, &id).await.expect("read"));
    assert!(early.is_empty(), "{early:?}");

    e.sb.advance_clock(2 * 3600);
    let m = live(e.client.metrics(&tokens, &acct, &id).await.expect("read"));
    assert_eq!(keys_of(&m), [keys::VIEWS, keys::REACH, keys::SHARES]);
    assert!(value(&m, keys::VIEWS) >= 5, "{m:?}");
    // Never asked for what a story does not have.
    assert!(
        insights_asked(&e.sb)
            .iter()
            .all(|q| q == "views,reach,shares"),
        "{:?}",
        insights_asked(&e.sb)
    );

    // Meta keeps a story's numbers 24 hours.
    e.sb.advance_clock(24 * 3600);
    let gone = live(e.client.metrics(&tokens, &acct, &id).await.expect("read"));
    assert!(gone.is_empty(), "{gone:?}");
}

#[tokio::test]
async fn a_metric_meta_refuses_is_asked_again_without_it_and_is_absent() {
    let (e, _, sink) = hosted(Product::Instagram, CREATOR).await;
    // This emulated Meta offers no shares on feed posts.
    set(
        &e.sb,
        json!({"insights_metrics": {"FEED": ["views", "reach", "likes", "comments", "saved"]}}),
    );
    let tokens = Reader::new(&e.sb, Product::Instagram, CREATOR.0);
    let mut post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "pic.jpg")],
        "No shares here",
    );
    post.account.scopes = reader_scopes(Product::Instagram);
    let id = publish(&e.client, &e.sb, &tokens, &post, &sink).await;
    e.sb.advance_clock(5 * 3600);
    let acct = account(CREATOR, reader_scopes(Product::Instagram));
    let m = live(e.client.metrics(&tokens, &acct, &id).await.expect("read"));
    assert_eq!(
        keys_of(&m),
        [
            keys::VIEWS,
            keys::REACH,
            keys::LIKES,
            keys::COMMENTS,
            keys::SAVES
        ]
    );
    assert_eq!(
        insights_asked(&e.sb),
        [
            "views,reach,likes,comments,saved,shares",
            "views,reach,likes,comments,saved"
        ]
    );
}

#[tokio::test]
async fn a_deleted_post_is_removed() {
    let (e, _, sink) = hosted(Product::Facebook, CREATOR).await;
    set(&e.sb, json!({"delete_media": "facebook_login"}));
    let client = e.client.clone().with_delete(true);
    let tokens = Reader::new(&e.sb, Product::Facebook, CREATOR.0);
    let mut post = post(
        Product::Facebook,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "pic.jpg")],
        "Soon gone",
    );
    post.account.scopes = reader_scopes(Product::Facebook);
    let id = publish(&client, &e.sb, &tokens, &post, &sink).await;
    let acct = account(CREATOR, reader_scopes(Product::Facebook));
    e.sb.advance_clock(3600);
    assert!(matches!(
        client.metrics(&tokens, &acct, &id).await.expect("read"),
        PostMetrics::Live(m) if m.len() == 6
    ));
    client.delete(&tokens, &id).await.expect("deleted");
    assert_eq!(
        client.metrics(&tokens, &acct, &id).await.expect("read"),
        PostMetrics::Removed
    );
    // A media id Meta never had answers the same.
    assert_eq!(
        client
            .metrics(&tokens, &acct, "17999999999999999")
            .await
            .expect("read"),
        PostMetrics::Removed
    );
}

#[tokio::test]
async fn without_the_insights_permission_the_creator_is_asked_to_reconnect() {
    for product in [Product::Instagram, Product::Facebook] {
        let (e, tokens, sink) = hosted(product, CREATOR).await;
        // Connected before CreatorFlow read metrics: publishing permissions only.
        let post = post(
            product,
            CREATOR,
            InstagramKind::Feed,
            vec![photo(e.dir.path(), "pic.jpg")],
            "Old sign-in",
        );
        let id = publish(&e.client, &e.sb, &tokens, &post, &sink).await;
        let acct = account(CREATOR, product.scopes());
        assert_eq!(
            e.client.metrics_scopes_missing(&acct.scopes),
            [insights_scope(product)]
        );
        let err = e
            .client
            .metrics(&tokens, &acct, &id)
            .await
            .expect_err("no permission");
        assert_eq!(err.kind, ErrorKind::Forbidden, "{product:?}: {err:?}");
        assert!(
            err.message
                .contains("Reconnect the account to allow CreatorFlow to read"),
            "{}",
            err.message
        );
        assert!(
            err.detail.as_deref().unwrap_or("").contains("code 10"),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn the_accounts_usage_limit_waits_as_meta_says() {
    let (e, _, sink) = hosted(Product::Instagram, CREATOR).await;
    let tokens = Reader::new(&e.sb, Product::Instagram, CREATOR.0);
    let mut post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "pic.jpg")],
        "Busy account",
    );
    post.account.scopes = reader_scopes(Product::Instagram);
    let id = publish(&e.client, &e.sb, &tokens, &post, &sink).await;
    let acct = account(CREATOR, reader_scopes(Product::Instagram));
    // Two calls about this account an hour: one read.
    e.sb.set_quota(QuotaSpec {
        platform: "instagram".into(),
        name: limits::BUSINESS_USE_CASE.into(),
        limit: 2,
        window_secs: Some(3600),
        daily_utc: false,
    })
    .expect("quota");
    live(
        e.client
            .metrics(&tokens, &acct, &id)
            .await
            .expect("one read fits"),
    );
    let err = e
        .client
        .metrics(&tokens, &acct, &id)
        .await
        .expect_err("throttled");
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err:?}");
    assert!(err.detail.as_deref().unwrap_or("").contains("code 613"));
    assert_eq!(err.limit_scope, LimitScope::Account);
    // Meta's estimated_time_to_regain_access (about the hour), not a guess.
    let at = err.retry_at.expect("retry_at");
    assert!(
        at > Utc::now() + chrono::Duration::minutes(45)
            && at <= Utc::now() + chrono::Duration::minutes(61),
        "{at}"
    );
}

#[tokio::test]
async fn the_apps_limit_holds_every_account() {
    let (e, _, sink) = hosted(Product::Instagram, CREATOR).await;
    let tokens = Reader::new(&e.sb, Product::Instagram, CREATOR.0);
    let mut post = post(
        Product::Instagram,
        CREATOR,
        InstagramKind::Feed,
        vec![photo(e.dir.path(), "pic.jpg")],
        "Busy app",
    );
    post.account.scopes = reader_scopes(Product::Instagram);
    let id = publish(&e.client, &e.sb, &tokens, &post, &sink).await;
    let acct = account(CREATOR, reader_scopes(Product::Instagram));
    e.sb.set_quota(QuotaSpec {
        platform: "instagram".into(),
        name: limits::APP.into(),
        limit: 1,
        window_secs: Some(3600),
        daily_utc: false,
    })
    .expect("quota");
    let err = e
        .client
        .metrics(&tokens, &acct, &id)
        .await
        .expect_err("throttled");
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err:?}");
    assert_eq!(err.limit_scope, LimitScope::App);
    assert!(err.retry_at.is_some_and(|at| at > Utc::now()));
}
