//! The TikTok client's Analytics against the sandbox's TikTok emulator over
//! real HTTP (docs/platforms/tiktok.md §13): a video posted through the
//! client, then read with the Display API's Query Videos while the emulated
//! clock moves on; comments a creator turned off, a video deleted in the
//! TikTok app, a post with no public video id, a sign-in without `video.list`,
//! and the per-minute limit.

mod tiktok_common;

use async_trait::async_trait;
use creatorflow_platforms::tiktok::{SCOPE_VIDEO_LIST, scopes};
use creatorflow_platforms::{
    AccessToken, ErrorKind, LimitScope, Metric, PlatformError, PostMetrics, PublishRequest,
    Published, Publisher, TiktokOptions, TokenSource,
};
use creatorflow_sandbox::platforms::tiktok::{TIKTOK_CLIENT_KEY, limits};
use creatorflow_sandbox::{QuotaSpec, TokenRequest};
use serde_json::{Value, json};
use tiktok_common::*;

const QUERY_PATH: &str = "/tiktok/v2/video/query/";

/// A video `account` posted for everyone to see, followed until TikTok gave
/// it its public id.
async fn public_video(e: &Env, tokens: &Tokens, o: TiktokOptions) -> (PublishRequest, Published) {
    set(&e.sb, json!({"audited": true, "post_id_delay_polls": 0}));
    let (post, _) = video_post(e, PUBLIC, 2_000_000, 15, o);
    let mut cp = Value::Null;
    e.client
        .publish(tokens, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("publish");
    let p = check_until_done(&e.client, tokens, &post, &mut cp)
        .await
        .expect("published");
    assert!(
        creatorflow_platforms::tiktok::is_video_id(&p.remote_id),
        "a public video id: {p:?}"
    );
    (post, p)
}

async fn read(
    e: &Env,
    tokens: &dyn TokenSource,
    post: &PublishRequest,
    id: &str,
) -> Result<PostMetrics, PlatformError> {
    e.client.metrics(tokens, &post.account, id).await
}

async fn live(e: &Env, tokens: &dyn TokenSource, post: &PublishRequest, id: &str) -> Vec<Metric> {
    match read(e, tokens, post, id).await.expect("metrics") {
        PostMetrics::Live(m) => m,
        PostMetrics::Removed => panic!("video {id} reported removed"),
    }
}

fn value(m: &[Metric], key: &str) -> u64 {
    m.iter()
        .find(|x| x.key == key)
        .unwrap_or_else(|| panic!("{key} in {m:?}"))
        .value
}

fn keys(m: &[Metric]) -> Vec<&str> {
    m.iter().map(|x| x.key.as_str()).collect()
}

/// A token for `account` with exactly `scopes`, never renewed.
struct Fixed(AccessToken);

impl Fixed {
    fn new(e: &Env, account: &str, scopes: &[&str]) -> Self {
        let issued =
            e.sb.issue_tokens(TokenRequest {
                platform: "tiktok".into(),
                account_id: account.into(),
                client_id: Some(TIKTOK_CLIENT_KEY.into()),
                scopes: Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
            })
            .expect("tokens");
        Self(AccessToken::new(issued.access_token))
    }
}

#[async_trait]
impl TokenSource for Fixed {
    async fn token(&self) -> Result<AccessToken, PlatformError> {
        Ok(self.0.clone())
    }

    async fn refresh(&self, _rejected: &AccessToken) -> Result<AccessToken, PlatformError> {
        Err(PlatformError::new(ErrorKind::Auth, "test", "not renewed"))
    }
}

#[tokio::test]
async fn tiktok_offers_views_likes_comments_and_shares_with_video_list() {
    let e = env().await;
    let s = e.client.metrics_support();
    assert!(s.available);
    assert_eq!(
        s.metrics,
        [
            ("views", "Views"),
            ("likes", "Likes"),
            ("comments", "Comments"),
            ("shares", "Shares"),
        ]
    );
    assert_eq!(s.scopes, [SCOPE_VIDEO_LIST]);
    assert_eq!(s.budget, None, "limited per minute, not per month");
    let asked = scopes();
    let list = asked
        .iter()
        .find(|s| s.scope == "video.list")
        .expect("video.list is asked for");
    assert!(list.why.contains("Analytics"), "{}", list.why);
    let publishing: Vec<String> = ["user.info.basic", "video.publish", "video.upload"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(e.client.metrics_scopes_missing(&publishing), ["video.list"]);
    let mut all = publishing.clone();
    all.push("video.list".into());
    assert!(e.client.metrics_scopes_missing(&all).is_empty());
}

#[tokio::test]
async fn the_numbers_rise_as_the_video_ages() {
    let e = env().await;
    let tokens = Tokens::new(&e.sb, PUBLIC.0);
    let (post, p) = public_video(&e, &tokens, picked("PUBLIC_TO_EVERYONE")).await;
    let first = live(&e, &tokens, &post, &p.remote_id).await;
    assert_eq!(keys(&first), ["views", "likes", "comments", "shares"]);
    let labels: Vec<&str> = first.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(labels, ["Views", "Likes", "Comments", "Shares"]);

    e.sb.advance_clock(6 * 3600);
    let later = live(&e, &tokens, &post, &p.remote_id).await;
    e.sb.advance_clock(24 * 3600);
    let day = live(&e, &tokens, &post, &p.remote_id).await;
    for key in ["views", "likes", "comments", "shares"] {
        let (a, b, c) = (value(&first, key), value(&later, key), value(&day, key));
        assert!(a < b && b < c, "{key}: {a}, {b}, {c}");
    }
    assert!(
        value(&day, "views") > value(&day, "likes")
            && value(&day, "likes") > value(&day, "comments"),
        "{day:?}"
    );
    // The two-hour access token ran out on the way and was renewed.
    assert!(tokens.refreshes() >= 1);
    let reads: Vec<_> = requests(&e.sb)
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == QUERY_PATH)
        .collect();
    assert_eq!(reads.len(), 3 + tokens.refreshes(), "one query per read");
    for r in &reads {
        let query = r.query.as_deref().unwrap_or("");
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            fields,
            [(
                "fields".to_owned(),
                "id,view_count,like_count,comment_count,share_count".to_owned()
            )],
            "{query}"
        );
    }
}

#[tokio::test]
async fn comments_turned_off_are_absent_not_zero() {
    let e = env().await;
    let tokens = Tokens::new(&e.sb, PUBLIC.0);
    let mut o = picked("PUBLIC_TO_EVERYONE");
    o.allow_comments = false;
    let (post, p) = public_video(&e, &tokens, o).await;
    e.sb.advance_clock(12 * 3600);
    let m = live(&e, &tokens, &post, &p.remote_id).await;
    assert_eq!(keys(&m), ["views", "likes", "shares"]);
    assert!(value(&m, "views") > 0);

    // Where TikTok sends a count, CreatorFlow reports it as sent.
    set(&e.sb, json!({"omit_comment_count_when_off": false}));
    let m = live(&e, &tokens, &post, &p.remote_id).await;
    assert_eq!(keys(&m), ["views", "likes", "comments", "shares"]);
    assert_eq!(value(&m, "comments"), 0);
}

#[tokio::test]
async fn a_video_deleted_in_the_app_is_removed() {
    let e = env().await;
    let tokens = Tokens::new(&e.sb, PUBLIC.0);
    let (post, p) = public_video(&e, &tokens, picked("PUBLIC_TO_EVERYONE")).await;
    e.sb.advance_clock(3600);
    assert!(matches!(
        read(&e, &tokens, &post, &p.remote_id).await,
        Ok(PostMetrics::Live(_))
    ));
    let resp = reqwest::Client::new()
        .delete(e.sb.url(&format!("/tiktok/_sandbox/videos/{}", p.remote_id)))
        .send()
        .await
        .expect("delete in the app");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        read(&e, &tokens, &post, &p.remote_id).await,
        Ok(PostMetrics::Removed)
    );
    assert!(received(&e.sb)[0].deleted);

    // A video of someone else, or one TikTok never had, is just as absent.
    let private = Tokens::new(&e.sb, PRIVATE.0);
    let (other_post, _) = video_post(&e, PRIVATE, 2_000_000, 15, picked("FOLLOWER_OF_CREATOR"));
    let (mine, theirs) = public_video(&e, &tokens, picked("PUBLIC_TO_EVERYONE")).await;
    assert_eq!(
        read(&e, &private, &other_post, &theirs.remote_id).await,
        Ok(PostMetrics::Removed)
    );
    assert_eq!(
        read(&e, &tokens, &mine, "7000000000000000001").await,
        Ok(PostMetrics::Removed)
    );
}

#[tokio::test]
async fn a_post_without_a_public_video_id_is_not_asked_about() {
    let (e, tokens) = unaudited_private().await;
    set(&e.sb, json!({"post_id_delay_polls": 0}));
    let (post, _) = video_post(&e, PRIVATE, 2_000_000, 15, picked("SELF_ONLY"));
    let mut cp = Value::Null;
    e.client
        .publish(&tokens, &post, &mut cp, &RecordingSink::new())
        .await
        .expect("publish");
    let p = check_until_done(&e.client, &tokens, &post, &mut cp)
        .await
        .expect("published");
    assert!(p.remote_id.starts_with("v_pub_file"), "{p:?}");
    let err = read(&e, &tokens, &post, &p.remote_id)
        .await
        .expect_err("no video id");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "not_public_yet")
    );
    assert!(err.message.contains("Only me"), "{}", err.message);
    assert_eq!(count(&e.sb, "POST", QUERY_PATH), 0, "nothing was sent");
}

#[tokio::test]
async fn without_video_list_the_read_is_forbidden() {
    let e = env().await;
    let tokens = Tokens::new(&e.sb, PUBLIC.0);
    let (post, p) = public_video(&e, &tokens, picked("PUBLIC_TO_EVERYONE")).await;
    let publishing = Fixed::new(
        &e,
        PUBLIC.0,
        &["user.info.basic", "video.publish", "video.upload"],
    );
    let err = read(&e, &publishing, &post, &p.remote_id)
        .await
        .expect_err("no video.list");
    assert_eq!(
        (err.kind, err.code.as_str(), err.status),
        (ErrorKind::Forbidden, "missing_permission", Some(401))
    );
    assert!(
        err.message
            .contains("Reconnect the account to allow CreatorFlow to read"),
        "{}",
        err.message
    );
    assert!(
        err.detail
            .as_deref()
            .unwrap_or("")
            .contains("scope_not_authorized"),
        "{err:?}"
    );
    let reading = Fixed::new(&e, PUBLIC.0, &["video.list"]);
    assert!(matches!(
        read(&e, &reading, &post, &p.remote_id).await,
        Ok(PostMetrics::Live(_))
    ));
}

#[tokio::test]
async fn the_per_minute_limit_is_waited_out() {
    let e = env().await;
    let tokens = Tokens::new(&e.sb, PUBLIC.0);
    let (post, p) = public_video(&e, &tokens, picked("PUBLIC_TO_EVERYONE")).await;
    assert_eq!(
        limits::of(limits::VIDEO_QUERY).limit,
        600,
        "TikTok's default"
    );
    e.sb.set_quota(QuotaSpec {
        platform: "tiktok".into(),
        name: limits::VIDEO_QUERY.into(),
        limit: 1,
        window_secs: Some(60),
        daily_utc: false,
    })
    .expect("quota");
    live(&e, &tokens, &post, &p.remote_id).await;
    let before = chrono::Utc::now();
    let err = read(&e, &tokens, &post, &p.remote_id)
        .await
        .expect_err("limited");
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.status, Some(429));
    assert_eq!(err.limit_scope, LimitScope::Account, "per creator's token");
    let wait = err.retry_at.expect("retry_at") - before;
    assert!((55..=65).contains(&wait.num_seconds()), "{wait}");
    // The window slides: a minute later the next read goes through.
    e.sb.advance_clock(61);
    live(&e, &tokens, &post, &p.remote_id).await;
}
