//! Content publishing over real HTTP: containers fetched from a local media server,
//! validations with their code/subcode pairs, status polling, media_publish, quota,
//! expiry, carousels, reels, stories, media nodes, delete.

mod meta_common;

use creatorflow_sandbox::platforms::meta::FACEBOOK_PUBLISH_SCOPES;
use meta_common::*;
use serde_json::json;

#[tokio::test]
async fn image_container_is_fetched_finished_and_published() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let bytes = jpeg(1080, 1350);
    let url = media.serve("/photo.jpg", bytes.clone(), "image/jpeg");
    let t = ig_token(&sb);
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[
            ("image_url", &url),
            ("caption", "Hello #sandbox @friend"),
            ("alt_text", "A gradient"),
        ],
    )
    .await;
    assert_eq!(
        media.hits("/photo.jpg"),
        1,
        "the emulator fetched image_url"
    );
    let s = status(&sb, &t, &c).await;
    assert_eq!(s["status_code"], "FINISHED");
    assert!(
        s["status"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Finished")
    );
    assert_eq!(s["copyright_check_status"]["status"], "not_started");

    let resp = publish(&sb, &t, ig1(), &c).await;
    assert_eq!(resp.status(), 200);
    let media_id = json(resp).await["id"].as_str().expect("id").to_string();
    assert_ne!(media_id, c);
    assert_eq!(status(&sb, &t, &c).await["status_code"], "PUBLISHED");

    let resp = http()
        .get(graph_ig(&sb, &format!("/v23.0/{media_id}")))
        .query(&[
            ("fields", "id,caption,media_type,media_product_type,permalink,shortcode,timestamp,username,alt_text,owner"),
            ("access_token", t.as_str()),
        ])
        .send()
        .await
        .expect("media");
    assert_eq!(resp.status(), 200);
    let m = json(resp).await;
    assert_eq!(m["id"], media_id.as_str());
    assert_eq!(m["caption"], "Hello #sandbox @friend");
    assert_eq!(m["media_type"], "IMAGE");
    assert_eq!(m["media_product_type"], "FEED");
    assert_eq!(m["username"], "sandbox.creator");
    assert_eq!(m["alt_text"], "A gradient");
    assert_eq!(m["owner"]["id"], ig1());
    assert!(
        m["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with("+0000"))
    );
    let permalink = m["permalink"].as_str().expect("permalink").to_string();
    assert!(permalink.contains(&format!(
        "/meta/instagram/p/{}/",
        m["shortcode"].as_str().unwrap_or("?")
    )));
    let page = http().get(&permalink).send().await.expect("permalink page");
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap_or_default()
            .contains("Hello #sandbox @friend")
    );

    let received = sb.received(Some("instagram"));
    assert_eq!(received.len(), 1);
    let post = &received[0];
    assert_eq!(post.account_id, ig1());
    assert_eq!(post.username, "sandbox.creator");
    assert_eq!(post.remote_id, media_id);
    assert_eq!(post.text, "Hello #sandbox @friend");
    assert_eq!(post.media.len(), 1);
    assert_eq!(post.media[0].kind, "image");
    assert_eq!(post.media[0].mime, "image/jpeg");
    assert_eq!(post.media[0].size, bytes.len() as u64);
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(post.extra["login"], "instagram");
}

#[tokio::test]
async fn publishing_through_facebook_login_on_graph_facebook_com() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/fb.jpg", jpeg(1080, 1080), "image/jpeg");
    let t = fb_long_token(&sb).await;
    let resp = http()
        .post(graph(&sb, &format!("/v23.0/{}/media", ig2())))
        .query(&[
            ("image_url", url.as_str()),
            ("caption", "via FB"),
            ("access_token", t.as_str()),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(resp.status(), 200);
    let c = json(resp).await["id"].as_str().expect("id").to_string();
    let resp = http()
        .post(graph(&sb, &format!("/v23.0/{}/media_publish", ig2())))
        .form(&[("creation_id", c.as_str()), ("access_token", t.as_str())])
        .send()
        .await
        .expect("publish");
    assert_eq!(resp.status(), 200);
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(post.account_id, ig2());
    assert_eq!(post.extra["login"], "facebook");
    // JSON bodies work as well.
    let resp = http()
        .post(graph(&sb, &format!("/{}/media", ig2())))
        .bearer_auth(&t)
        .json(&json!({ "image_url": url, "caption": "json" }))
        .send()
        .await
        .expect("create");
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn unreachable_media_urls_fail_with_documented_codes() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let t = ig_token(&sb);
    let dead = dead_url(&sb).await;
    let resp = create(&sb, &t, ig1(), &[("image_url", &dead)]).await;
    let e = graph_error(resp, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(9004), Some(2207052))
    );
    assert!(e["error_user_msg"].as_str().is_some_and(|m| !m.is_empty()));
    let resp = create(&sb, &t, ig1(), &[("image_url", &media.url("/missing.jpg"))]).await;
    assert_eq!(codes(resp).await, (9004, Some(2207052)));
    let resp = create(&sb, &t, ig1(), &[("image_url", "file:///etc/passwd")]).await;
    assert_eq!(codes(resp).await, (9004, Some(2207052)));
    settings(&sb, json!({ "fetch_timeout_secs": 1 }));
    let slow = media.serve_slow("/slow.jpg", jpeg(1080, 1080), "image/jpeg", 2500);
    let resp = create(&sb, &t, ig1(), &[("image_url", &slow)]).await;
    assert_eq!(codes(resp).await, (-2, Some(2207003)));
    assert!(sb.received(None).is_empty());
}

/// Asserts the emulator's answer for media it cannot fetch (9004 / 2207052), the
/// same body whether the URL is unreachable or not public; returns `error_user_msg`.
async fn assert_not_fetched(resp: reqwest::Response, url: &str) -> String {
    let e = graph_error(resp, 400).await;
    assert_eq!(e["code"], 9004, "{e}");
    assert_eq!(e["error_subcode"], 2207052, "{e}");
    assert_eq!(e["type"], "OAuthException");
    assert_eq!(e["is_transient"], false);
    assert_eq!(
        e["message"],
        "Only photo or video can be accepted as media type."
    );
    assert_eq!(e["error_user_title"], "Media download has failed.");
    let msg = e["error_user_msg"].as_str().unwrap_or_default().to_string();
    assert!(
        msg.starts_with(&format!(
            "The media could not be fetched from this URI: {url} ("
        )),
        "{msg}"
    );
    msg
}

#[tokio::test]
async fn non_public_media_urls_are_refused_unless_listed() {
    let sb = sandbox().await;
    assert_eq!(
        sb.platform_settings("instagram").expect("settings")["public_hosts"],
        json!([])
    );
    let local = private_media_server().await;
    let url = local.serve("/p.jpg", jpeg(1080, 1080), "image/jpeg");
    let t = ig_token(&sb);
    // Loopback, by address and by name: refused at creation, never fetched.
    let msg = assert_not_fetched(create(&sb, &t, ig1(), &[("image_url", &url)]).await, &url).await;
    assert!(msg.contains("loopback"), "{msg}");
    let by_name = url.replace("127.0.0.1", "localhost");
    assert_not_fetched(
        create(&sb, &t, ig1(), &[("image_url", &by_name)]).await,
        &by_name,
    )
    .await;
    assert_eq!(local.hits("/p.jpg"), 0, "the emulator did not fetch");
    // Private, shared, link-local, unspecified, IPv6: refused without touching the
    // network (a real attempt on 10.0.0.5 would hang until the 15 s fetch timeout).
    let started = std::time::Instant::now();
    for bad in [
        "http://10.0.0.5/a.jpg",
        "https://172.20.1.2/a.jpg",
        "http://192.168.0.10:8080/a.jpg",
        "http://100.64.1.1/a.jpg",
        "http://169.254.169.254/latest/a.jpg",
        "http://0.0.0.0:9/a.jpg",
        "http://[fd00::5]/a.jpg",
        "http://[fe80::1]/a.jpg",
        "http://[::1]:9/a.jpg",
    ] {
        let msg =
            assert_not_fetched(create(&sb, &t, ig1(), &[("image_url", bad)]).await, bad).await;
        assert!(msg.contains("not reachable from the internet"), "{msg}");
    }
    let msg = assert_not_fetched(
        create(&sb, &t, ig1(), &[("image_url", "http://10.0.0.5/a.jpg")]).await,
        "http://10.0.0.5/a.jpg",
    )
    .await;
    assert!(msg.contains("10.0.0.5 is a private address"), "{msg}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "no connection was attempted"
    );
    // Videos are fetched in the background: the container is created, then ERROR.
    let video = local.serve("/v.mp4", mp4(5000), "video/mp4");
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[("media_type", "REELS"), ("video_url", &video)],
    )
    .await;
    assert_eq!(
        poll_done(&sb, &t, &c).await.last().map(String::as_str),
        Some("ERROR")
    );
    assert_eq!(
        status(&sb, &t, &c).await["status"],
        "Error: Media upload has failed with error code 2207052"
    );
    assert_eq!(local.hits("/v.mp4"), 0);

    // Listed as host:port, the same server works.
    let hp = host_port(&url);
    settings(&sb, json!({ "public_hosts": ["media.example:443", hp] }));
    let c = create_ok(&sb, &t, ig1(), &[("image_url", &url)]).await;
    assert_eq!(local.hits("/p.jpg"), 1);
    assert_eq!(status(&sb, &t, &c).await["status_code"], "FINISHED");
    assert_eq!(publish(&sb, &t, ig1(), &c).await.status(), 200);
    // `localhost` is another host: not covered by the 127.0.0.1 entry ...
    assert_not_fetched(
        create(&sb, &t, ig1(), &[("image_url", &by_name)]).await,
        &by_name,
    )
    .await;
    // ... until it is listed (matched case-insensitively).
    let port = url::Url::parse(&url).expect("url").port().expect("port");
    settings(
        &sb,
        json!({ "public_hosts": [host_port(&url), format!("LocalHost:{port}")] }),
    );
    create_ok(&sb, &t, ig1(), &[("image_url", &by_name)]).await;
    assert_eq!(local.hits("/p.jpg"), 2);
    // A listed host that redirects to an unlisted one: the hop is refused too.
    let other = private_media_server().await;
    let hidden = other.serve("/hidden.jpg", jpeg(1080, 1080), "image/jpeg");
    let hop = local.redirect("/hop.jpg", &hidden);
    let msg = assert_not_fetched(create(&sb, &t, ig1(), &[("image_url", &hop)]).await, &hop).await;
    assert!(msg.contains(&host_port(&hidden)), "{msg}");
    assert_eq!(other.hits("/hidden.jpg"), 0);
    // ... and followed once that host is listed too.
    allow_host(&sb, &other.base);
    create_ok(&sb, &t, ig1(), &[("image_url", &hop)]).await;
    assert_eq!(other.hits("/hidden.jpg"), 1);
    // Settings refuse entries that are not a host or host:port.
    for bad in ["http://127.0.0.1:9", "127.0.0.1/x", "", "a b"] {
        assert!(
            sb.update_platform_settings("instagram", json!({ "public_hosts": [bad] }))
                .is_err(),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn reel_cover_url_is_fetched_from_public_hosts_only() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let local = private_media_server().await;
    let video = media.serve("/r.mp4", mp4(20_000), "video/mp4");
    let cover_bytes = jpeg(1080, 1920);
    let cover = media.serve("/cover.jpg", cover_bytes.clone(), "image/jpeg");
    let hidden_cover = local.serve("/cover.jpg", jpeg(1080, 1920), "image/jpeg");
    let t = ig_token(&sb);
    // Cover on a non-public address: the Reel ends in ERROR, as for its video.
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[
            ("media_type", "REELS"),
            ("video_url", &video),
            ("cover_url", &hidden_cover),
        ],
    )
    .await;
    assert_eq!(
        poll_done(&sb, &t, &c).await.last().map(String::as_str),
        Some("ERROR")
    );
    assert_eq!(
        status(&sb, &t, &c).await["status"],
        "Error: Media upload has failed with error code 2207052"
    );
    assert_eq!(local.hits("/cover.jpg"), 0);
    assert_eq!(
        codes(publish(&sb, &t, ig1(), &c).await).await,
        (9007, Some(2207027))
    );
    // A cover that is not an image: 2207005.
    let not_image = media.serve("/cover.txt", b"hello".to_vec(), "text/plain");
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[
            ("media_type", "REELS"),
            ("video_url", &video),
            ("cover_url", &not_image),
        ],
    )
    .await;
    poll_done(&sb, &t, &c).await;
    assert!(
        status(&sb, &t, &c).await["status"]
            .as_str()
            .unwrap_or_default()
            .ends_with("2207005")
    );
    // A public cover: fetched, and recorded with the post.
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[
            ("media_type", "REELS"),
            ("video_url", &video),
            ("cover_url", &cover),
        ],
    )
    .await;
    assert_eq!(
        poll_done(&sb, &t, &c).await.last().map(String::as_str),
        Some("FINISHED")
    );
    assert_eq!(media.hits("/cover.jpg"), 1);
    assert_eq!(publish(&sb, &t, ig1(), &c).await.status(), 200);
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(post.extra["cover"]["url"], cover.as_str());
    assert_eq!(post.extra["cover"]["mime"], "image/jpeg");
    assert_eq!(
        post.extra["cover"]["sha256"],
        sha256_hex(&cover_bytes).as_str()
    );
    // cover_url is a Reel's: ignored on an image post.
    let image = media.serve("/i.jpg", jpeg(1080, 1080), "image/jpeg");
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[("image_url", &image), ("cover_url", &hidden_cover)],
    )
    .await;
    assert_eq!(status(&sb, &t, &c).await["status_code"], "FINISHED");
}

#[tokio::test]
async fn caption_hashtag_and_mention_limits() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/c.jpg", jpeg(1080, 1080), "image/jpeg");
    let t = ig_token(&sb);
    let ok = "é".repeat(2200);
    create_ok(&sb, &t, ig1(), &[("image_url", &url), ("caption", &ok)]).await;
    let long = "é".repeat(2201);
    let resp = create(&sb, &t, ig1(), &[("image_url", &url), ("caption", &long)]).await;
    assert_eq!(codes(resp).await, (36004, Some(2207010)));

    let tags = |n: usize, sigil: &str| {
        (0..n)
            .map(|i| format!("{sigil}t{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    create_ok(
        &sb,
        &t,
        ig1(),
        &[("image_url", &url), ("caption", &tags(30, "#"))],
    )
    .await;
    let resp = create(
        &sb,
        &t,
        ig1(),
        &[("image_url", &url), ("caption", &tags(31, "#"))],
    )
    .await;
    assert_eq!(codes(resp).await, (36004, Some(2207010)));
    create_ok(
        &sb,
        &t,
        ig1(),
        &[("image_url", &url), ("caption", &tags(20, "@"))],
    )
    .await;
    let resp = create(
        &sb,
        &t,
        ig1(),
        &[("image_url", &url), ("caption", &tags(21, "@"))],
    )
    .await;
    assert_eq!(codes(resp).await, (100, Some(2207040)));
    // An e-mail address is not a mention; the limits are settable.
    settings(&sb, json!({ "max_mentions": 1, "max_hashtags": 1 }));
    create_ok(
        &sb,
        &t,
        ig1(),
        &[("image_url", &url), ("caption", "@one me@example.com #a")],
    )
    .await;
    let resp = create(
        &sb,
        &t,
        ig1(),
        &[("image_url", &url), ("caption", "@one @two")],
    )
    .await;
    assert_eq!(codes(resp).await, (100, Some(2207040)));
    let resp = create(&sb, &t, ig1(), &[("image_url", &url), ("caption", "#a #b")]).await;
    assert_eq!(codes(resp).await, (36004, Some(2207010)));
}

#[tokio::test]
async fn image_aspect_ratio_format_and_size() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let t = ig_token(&sb);
    for (w, h, ok) in [
        (1080, 1350, true), // 4:5
        (1910, 1000, true), // 1.91:1
        (1080, 1080, true),
        (1000, 1300, false), // taller than 4:5
        (1000, 520, false),  // wider than 1.91:1
        (1080, 1920, false), // 9:16 is for stories
    ] {
        let url = media.serve(&format!("/{w}x{h}.jpg"), jpeg(w, h), "image/jpeg");
        let resp = create(&sb, &t, ig1(), &[("image_url", &url)]).await;
        if ok {
            assert_eq!(resp.status(), 200, "{w}x{h}");
        } else {
            assert_eq!(codes(resp).await, (36003, Some(2207009)), "{w}x{h}");
        }
    }
    // Stories take 9:16.
    let story = media.url("/1080x1920.jpg");
    create_ok(
        &sb,
        &t,
        ig1(),
        &[("media_type", "STORIES"), ("image_url", &story)],
    )
    .await;
    // PNG is refused unless allowed; garbage is refused.
    let png_url = media.serve("/i.png", png(1080, 1080), "image/png");
    let resp = create(&sb, &t, ig1(), &[("image_url", &png_url)]).await;
    assert_eq!(codes(resp).await, (36001, Some(2207005)));
    let junk = media.serve("/junk.jpg", b"not an image at all".to_vec(), "image/jpeg");
    let resp = create(&sb, &t, ig1(), &[("image_url", &junk)]).await;
    assert_eq!(codes(resp).await, (36001, Some(2207005)));
    settings(&sb, json!({ "allow_png_images": true }));
    create_ok(&sb, &t, ig1(), &[("image_url", &png_url)]).await;
    // Over 8 MiB.
    let mut big = jpeg(1080, 1080);
    big.resize(8 * 1024 * 1024 + 1, 0);
    let big_url = media.serve("/big.jpg", big, "image/jpeg");
    let resp = create(&sb, &t, ig1(), &[("image_url", &big_url)]).await;
    assert_eq!(codes(resp).await, (36000, Some(2207004)));
}

#[tokio::test]
async fn required_parameters_per_media_type() {
    let sb = sandbox().await;
    let t = ig_token(&sb);
    let v = "http://127.0.0.1:1/v.mp4";
    type Case<'a> = (Vec<(&'a str, &'a str)>, i64, Option<i64>, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("caption", "x")], 100, None, "image_url"),
        (vec![("media_type", "REELS")], 100, None, "video_url"),
        (vec![("video_url", v)], 100, Some(2207023), ""),
        (
            vec![("media_type", "VIDEO"), ("video_url", v)],
            100,
            Some(2207023),
            "",
        ),
        (
            vec![("media_type", "GIF"), ("image_url", v)],
            100,
            Some(2207023),
            "",
        ),
        (vec![("media_type", "CAROUSEL")], 100, None, "children"),
        (
            vec![
                ("media_type", "REELS"),
                ("video_url", v),
                ("upload_type", "resumable"),
            ],
            100,
            None,
            "",
        ),
        (
            vec![
                ("media_type", "REELS"),
                ("video_url", v),
                ("alt_text", "no"),
            ],
            100,
            None,
            "alt_text",
        ),
        (
            vec![("image_url", v), ("children", "1,2")],
            100,
            None,
            "children",
        ),
        (
            vec![("image_url", v), ("is_carousel_item", "maybe")],
            100,
            None,
            "is_carousel_item",
        ),
    ];
    for (params, code, subcode, text) in cases {
        let resp = create(&sb, &t, ig1(), &params).await;
        let e = graph_error(resp, 400).await;
        assert_eq!(e["code"].as_i64(), Some(code), "{params:?}: {e}");
        assert_eq!(e["error_subcode"].as_i64(), subcode, "{params:?}: {e}");
        assert!(
            e["message"].as_str().unwrap_or_default().contains(text),
            "{params:?}: {e}"
        );
    }
}

#[tokio::test]
async fn carousel_of_two_to_ten_items() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let t = ig_token(&sb);
    let a = jpeg(1080, 1080);
    let b = jpeg(1080, 1350);
    let ua = media.serve("/a.jpg", a.clone(), "image/jpeg");
    let ub = media.serve("/b.jpg", b.clone(), "image/jpeg");
    let item = |u: String| {
        let sb = &sb;
        let t = t.clone();
        async move {
            create_ok(
                sb,
                &t,
                ig1(),
                &[("image_url", &u), ("is_carousel_item", "true")],
            )
            .await
        }
    };
    let c1 = item(ua.clone()).await;
    let c2 = item(ub.clone()).await;
    // Items carry no caption.
    let resp = create(
        &sb,
        &t,
        ig1(),
        &[
            ("image_url", &ua),
            ("is_carousel_item", "true"),
            ("caption", "no"),
        ],
    )
    .await;
    assert_eq!(codes(resp).await, (100, Some(2207028)));
    // 1 and 11 children are refused; a non-item child too.
    let resp = create(
        &sb,
        &t,
        ig1(),
        &[("media_type", "CAROUSEL"), ("children", &c1)],
    )
    .await;
    assert_eq!(codes(resp).await, (100, Some(2207028)));
    let eleven = [c1.as_str(); 11].join(",");
    let resp = create(
        &sb,
        &t,
        ig1(),
        &[("media_type", "CAROUSEL"), ("children", &eleven)],
    )
    .await;
    assert_eq!(codes(resp).await, (100, Some(2207028)));
    let single = create_ok(&sb, &t, ig1(), &[("image_url", &ua)]).await;
    let resp = create(
        &sb,
        &t,
        ig1(),
        &[
            ("media_type", "CAROUSEL"),
            ("children", &format!("{c1},{single}")),
        ],
    )
    .await;
    assert_eq!(codes(resp).await, (100, Some(2207028)));
    // An item cannot be published alone.
    assert_eq!(
        codes(publish(&sb, &t, ig1(), &c1).await).await,
        (100, Some(2207028))
    );

    let children_json = serde_json::to_string(&[&c1, &c2]).unwrap_or_default();
    let parent = create_ok(
        &sb,
        &t,
        ig1(),
        &[
            ("media_type", "CAROUSEL"),
            ("children", &children_json),
            ("caption", "two photos"),
        ],
    )
    .await;
    assert_eq!(
        poll_done(&sb, &t, &parent).await.last().map(String::as_str),
        Some("FINISHED")
    );
    let resp = publish(&sb, &t, ig1(), &parent).await;
    assert_eq!(resp.status(), 200);
    let id = json(resp).await["id"].as_str().expect("id").to_string();
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(post.text, "two photos");
    assert_eq!(post.media.len(), 2);
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&a).as_str())
    );
    assert_eq!(
        post.media[1].sha256.as_deref(),
        Some(sha256_hex(&b).as_str())
    );
    assert_ne!(post.media[0].remote_id, post.media[1].remote_id);
    let m = json(
        http()
            .get(graph_ig(&sb, &format!("/{id}")))
            .query(&[
                ("fields", "media_type,children{id,media_type}"),
                ("access_token", t.as_str()),
            ])
            .send()
            .await
            .expect("media"),
    )
    .await;
    assert_eq!(m["media_type"], "CAROUSEL_ALBUM");
    assert_eq!(m["children"]["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(m["children"]["data"][0]["media_type"], "IMAGE");
    // A carousel counts as one post.
    let limit = json(
        http()
            .get(graph_ig(
                &sb,
                &format!("/{}/content_publishing_limit", ig1()),
            ))
            .query(&[("fields", "quota_usage"), ("access_token", t.as_str())])
            .send()
            .await
            .expect("limit"),
    )
    .await;
    assert_eq!(limit, json!({ "data": [{ "quota_usage": 1 }] }));
    // Its items cannot be reused.
    let resp = create(
        &sb,
        &t,
        ig1(),
        &[
            ("media_type", "CAROUSEL"),
            ("children", &format!("{c1},{c2}")),
        ],
    )
    .await;
    assert_eq!(codes(resp).await, (100, Some(2207028)));
}

#[tokio::test]
async fn reel_from_video_url_goes_through_in_progress() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let video = mp4(300_000);
    let url = media.serve("/reel.mp4", video.clone(), "video/mp4");
    let t = ig_token(&sb);
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[
            ("media_type", "REELS"),
            ("video_url", &url),
            ("caption", "my reel"),
            ("share_to_feed", "true"),
        ],
    )
    .await;
    // Too early.
    let e = graph_error(publish(&sb, &t, ig1(), &c).await, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(9007), Some(2207027))
    );
    assert_eq!(e["message"], "Media ID is not available");
    let seen = poll_done(&sb, &t, &c).await;
    let in_progress = seen.iter().filter(|s| *s == "IN_PROGRESS").count();
    assert!(
        in_progress >= 2,
        "at least video_processing_polls IN_PROGRESS: {seen:?}"
    );
    assert_eq!(seen.last().map(String::as_str), Some("FINISHED"));
    assert_eq!(
        status(&sb, &t, &c).await["copyright_check_status"],
        json!({ "status": "completed", "matches_found": false })
    );
    let resp = publish(&sb, &t, ig1(), &c).await;
    assert_eq!(resp.status(), 200);
    let id = json(resp).await["id"].as_str().expect("id").to_string();
    let m = json(
        http()
            .get(graph_ig(&sb, &format!("/{id}")))
            .query(&[
                (
                    "fields",
                    "media_type,media_product_type,permalink,is_shared_to_feed",
                ),
                ("access_token", t.as_str()),
            ])
            .send()
            .await
            .expect("media"),
    )
    .await;
    assert_eq!(m["media_type"], "VIDEO");
    assert_eq!(m["media_product_type"], "REELS");
    assert_eq!(m["is_shared_to_feed"], true);
    assert!(
        m["permalink"]
            .as_str()
            .is_some_and(|p| p.contains("/reel/"))
    );
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert_eq!(post.media[0].kind, "video");
    assert_eq!(post.media[0].mime, "video/mp4");
    assert_eq!(post.media[0].size, video.len() as u64);
    assert_eq!(
        post.media[0].sha256.as_deref(),
        Some(sha256_hex(&video).as_str())
    );
}

#[tokio::test]
async fn video_failures_show_as_error_status() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let t = ig_token(&sb);
    // Not a video.
    let not_video = media.serve("/fake.mp4", jpeg(10, 10), "video/mp4");
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[("media_type", "REELS"), ("video_url", &not_video)],
    )
    .await;
    poll_done(&sb, &t, &c).await;
    let s = status(&sb, &t, &c).await;
    assert_eq!(s["status_code"], "ERROR");
    assert_eq!(
        s["status"],
        "Error: Media upload has failed with error code 2207026"
    );
    assert_eq!(
        codes(publish(&sb, &t, ig1(), &c).await).await,
        (9007, Some(2207027))
    );
    // Unreachable.
    let dead = dead_url(&sb).await;
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[("media_type", "REELS"), ("video_url", &dead)],
    )
    .await;
    poll_done(&sb, &t, &c).await;
    assert!(
        status(&sb, &t, &c).await["status"]
            .as_str()
            .unwrap_or_default()
            .ends_with("2207052")
    );
    // Injected processing failure.
    settings(&sb, json!({ "processing_error": { "subcode": 2207053 } }));
    let ok_video = media.serve("/ok.mp4", mp4(5000), "video/mp4");
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[("media_type", "REELS"), ("video_url", &ok_video)],
    )
    .await;
    let seen = poll_done(&sb, &t, &c).await;
    assert!(seen.contains(&"IN_PROGRESS".to_string()));
    assert_eq!(seen.last().map(String::as_str), Some("ERROR"));
    assert!(
        status(&sb, &t, &c).await["status"]
            .as_str()
            .unwrap_or_default()
            .ends_with("2207053")
    );
    assert!(sb.received(None).is_empty());
}

#[tokio::test]
async fn publishing_twice_is_an_error() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/x.jpg", jpeg(1080, 1080), "image/jpeg");
    let t = ig_token(&sb);
    let c = create_ok(&sb, &t, ig1(), &[("image_url", &url)]).await;
    assert_eq!(publish(&sb, &t, ig1(), &c).await.status(), 200);
    let e = graph_error(publish(&sb, &t, ig1(), &c).await, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(24), Some(2207008))
    );
    assert_eq!(sb.received(None).len(), 1);
    // Unknown creation ids, and another account's container.
    assert_eq!(
        codes(publish(&sb, &t, ig1(), "123").await).await,
        (24, Some(2207008))
    );
    let other = ig_token_for(
        &sb,
        ig2(),
        &[
            "instagram_business_basic",
            "instagram_business_content_publish",
        ],
    );
    let theirs = create_ok(&sb, &other, ig2(), &[("image_url", &url)]).await;
    assert_eq!(
        codes(publish(&sb, &t, ig1(), &theirs).await).await,
        (24, Some(2207008))
    );
    let resp = http()
        .post(graph_ig(&sb, &format!("/{}/media_publish", ig1())))
        .query(&[("access_token", t.as_str())])
        .send()
        .await
        .expect("publish");
    assert!(
        graph_error(resp, 400).await["message"]
            .as_str()
            .unwrap_or_default()
            .contains("creation_id")
    );
}

async fn usage(sb: &creatorflow_sandbox::SandboxHandle, t: &str) -> serde_json::Value {
    json(
        http()
            .get(graph_ig(
                sb,
                &format!("/v23.0/{}/content_publishing_limit", ig1()),
            ))
            .query(&[("fields", "quota_usage,config"), ("access_token", t)])
            .send()
            .await
            .expect("limit"),
    )
    .await
}

#[tokio::test]
async fn content_publishing_limit_counts_and_refuses_past_the_quota() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/q.jpg", jpeg(1080, 1080), "image/jpeg");
    let t = ig_token(&sb);
    assert_eq!(
        usage(&sb, &t).await,
        json!({ "data": [{ "quota_usage": 0, "config": { "quota_total": 100, "quota_duration": 86400 } }] })
    );
    settings(&sb, json!({ "publishing_quota_total": 2 }));
    post_image(&sb, &t, ig1(), &url, "one").await;
    post_image(&sb, &t, ig1(), &url, "two").await;
    assert_eq!(usage(&sb, &t).await["data"][0]["quota_usage"], 2);
    assert_eq!(usage(&sb, &t).await["data"][0]["config"]["quota_total"], 2);
    let c = create_ok(&sb, &t, ig1(), &[("image_url", &url)]).await;
    let resp = publish(&sb, &t, ig1(), &c).await;
    assert_eq!(resp.status(), 400);
    let e = graph_error(resp, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(9), Some(2207042))
    );
    assert_eq!(sb.received(None).len(), 2);
    // The other account has its own quota.
    let other = ig_token_for(
        &sb,
        ig2(),
        &[
            "instagram_business_basic",
            "instagram_business_content_publish",
        ],
    );
    post_image(&sb, &other, ig2(), &url, "theirs").await;
    // 24 h later the window has rolled.
    sb.advance_clock(86_401);
    assert_eq!(usage(&sb, &t).await["data"][0]["quota_usage"], 0);
    let c = create_ok(&sb, &t, ig1(), &[("image_url", &url)]).await;
    assert_eq!(publish(&sb, &t, ig1(), &c).await.status(), 200);
}

#[tokio::test]
async fn the_quota_window_is_rolling_not_daily() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/w.jpg", jpeg(1080, 1080), "image/jpeg");
    let t = ig_token(&sb);
    settings(&sb, json!({ "publishing_quota_total": 2 }));
    post_image(&sb, &t, ig1(), &url, "t0").await;
    sb.advance_clock(12 * 3600);
    post_image(&sb, &t, ig1(), &url, "t12h").await;
    sb.advance_clock(6 * 3600);
    let c = create_ok(&sb, &t, ig1(), &[("image_url", &url)]).await;
    assert_eq!(
        codes(publish(&sb, &t, ig1(), &c).await).await,
        (9, Some(2207042))
    );
    // 24 h after the first post only the second one is still in the window.
    sb.advance_clock(6 * 3600 + 1);
    assert_eq!(usage(&sb, &t).await["data"][0]["quota_usage"], 1);
    assert_eq!(publish(&sb, &t, ig1(), &c).await.status(), 200);
    // `since` narrows the count.
    let since = (sb.clock().now_epoch - 60).to_string();
    let v = json(
        http()
            .get(graph_ig(
                &sb,
                &format!("/{}/content_publishing_limit", ig1()),
            ))
            .query(&[("since", since.as_str()), ("access_token", t.as_str())])
            .send()
            .await
            .expect("limit"),
    )
    .await;
    assert_eq!(v["data"][0]["quota_usage"], 1);
}

#[tokio::test]
async fn containers_expire_after_24_hours_and_are_limited_per_day() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/e.jpg", jpeg(1080, 1080), "image/jpeg");
    let t = ig_token(&sb);
    let c = create_ok(&sb, &t, ig1(), &[("image_url", &url)]).await;
    sb.advance_clock(86_399);
    assert_eq!(status(&sb, &t, &c).await["status_code"], "FINISHED");
    sb.advance_clock(2);
    assert_eq!(status(&sb, &t, &c).await["status_code"], "EXPIRED");
    let e = graph_error(publish(&sb, &t, ig1(), &c).await, 400).await;
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(-2), Some(2207020))
    );
    // 400 containers per rolling 24 h (set to 2 here).
    settings(&sb, json!({ "container_limit": 2 }));
    create_ok(&sb, &t, ig1(), &[("image_url", &url)]).await;
    create_ok(&sb, &t, ig1(), &[("image_url", &url)]).await;
    let resp = create(&sb, &t, ig1(), &[("image_url", &url)]).await;
    assert_eq!(graph_error(resp, 400).await["code"], 613);
    sb.advance_clock(86_401);
    create_ok(&sb, &t, ig1(), &[("image_url", &url)]).await;
}

#[tokio::test]
async fn stories_publish_and_stay_out_of_the_feed_list() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let t = ig_token(&sb);
    let story_url = media.serve("/story.jpg", jpeg(1080, 1920), "image/jpeg");
    let feed_url = media.serve("/feed.jpg", jpeg(1080, 1080), "image/jpeg");
    let c = create_ok(
        &sb,
        &t,
        ig1(),
        &[("media_type", "STORIES"), ("image_url", &story_url)],
    )
    .await;
    let resp = publish(&sb, &t, ig1(), &c).await;
    let story = json(resp).await["id"].as_str().expect("id").to_string();
    let feed = post_image(&sb, &t, ig1(), &feed_url, "feed").await;
    let m = json(
        http()
            .get(graph_ig(&sb, &format!("/{story}")))
            .query(&[
                ("fields", "media_product_type"),
                ("access_token", t.as_str()),
            ])
            .send()
            .await
            .expect("media"),
    )
    .await;
    assert_eq!(m["media_product_type"], "STORY");
    let list = json(
        http()
            .get(graph_ig(&sb, "/me/media"))
            .query(&[("fields", "id,caption"), ("access_token", t.as_str())])
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(list["data"], json!([{ "id": feed, "caption": "feed" }]));
    let me = json(
        http()
            .get(graph_ig(&sb, "/me"))
            .query(&[("fields", "media_count"), ("access_token", t.as_str())])
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(me["media_count"], 1, "stories are not counted");
}

#[tokio::test]
async fn delete_is_off_by_default_and_facebook_login_only_when_on() {
    let sb = sandbox().await;
    let media = media_server(&sb).await;
    let url = media.serve("/d.jpg", jpeg(1080, 1080), "image/jpeg");
    let ig = ig_token(&sb);
    let fb = fb_token_for(&sb, FACEBOOK_PUBLISH_SCOPES);
    let id = post_image(&sb, &ig, ig1(), &url, "to delete").await;
    let del = |host_url: String, token: String| async move {
        http()
            .delete(host_url)
            .query(&[("access_token", token.as_str())])
            .send()
            .await
            .expect("delete")
    };
    assert_eq!(
        codes(del(graph(&sb, &format!("/{id}")), fb.clone()).await).await,
        (100, Some(33))
    );
    settings(&sb, json!({ "delete_media": "facebook_login" }));
    assert_eq!(
        codes(del(graph_ig(&sb, &format!("/{id}")), ig.clone()).await).await,
        (100, Some(33))
    );
    let resp = del(graph(&sb, &format!("/v23.0/{id}")), fb.clone()).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        json(resp).await,
        json!({ "success": true, "deleted_id": id })
    );
    let post = sb.received(Some("instagram")).pop().expect("received");
    assert!(post.deleted && post.deleted_at.is_some());
    let resp = http()
        .get(graph(&sb, &format!("/{id}")))
        .query(&[("access_token", fb.as_str())])
        .send()
        .await
        .expect("get");
    assert_eq!(codes(resp).await, (100, Some(33)));
    settings(&sb, json!({ "delete_media": "all" }));
    let id2 = post_image(&sb, &ig, ig1(), &url, "again").await;
    assert_eq!(
        del(graph_ig(&sb, &format!("/{id2}")), ig.clone())
            .await
            .status(),
        200
    );
}
