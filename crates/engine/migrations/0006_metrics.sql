-- How published posts did (crates/engine/src/metrics.rs).
--
-- - metric_posts: one row per published target whose numbers CreatorFlow
--   reads, with copies of what the Analytics view lists (network, account
--   handle, text, link, publication time), so that a post deleted in
--   CreatorFlow or at the network keeps the numbers read before. target_id
--   goes NULL when the target is deleted; account_id is no foreign key for
--   the same reason. next_read_at is the next snapshot on the schedule (1 h,
--   1 day, 7 days, 30 days after publication), NULL when there is none to
--   take; state says why (done, removed at the network, a permission to
--   reconnect for, reads that kept failing). latest is the last snapshot,
--   so the Analytics view reads one row per post.
-- - metric_snapshots: every read, as a time series (metrics: JSON list of
--   {key, label, value}).
-- - metric_reads: reads counted against a network's monthly allowance for
--   the creator's app (X), per calendar month (UTC).

CREATE TABLE metric_posts (
    id            INTEGER PRIMARY KEY,
    target_id     INTEGER UNIQUE REFERENCES post_targets (id) ON DELETE SET NULL,
    post_id       INTEGER NOT NULL,
    account_id    INTEGER NOT NULL,
    platform      TEXT    NOT NULL,
    handle        TEXT    NOT NULL,
    remote_id     TEXT    NOT NULL,
    url           TEXT,
    excerpt       TEXT    NOT NULL,
    published_at  INTEGER NOT NULL,
    step          INTEGER NOT NULL DEFAULT 0,
    next_read_at  INTEGER,
    failures      INTEGER NOT NULL DEFAULT 0,
    state         TEXT    NOT NULL DEFAULT 'tracking'
                          CHECK (state IN ('tracking', 'done', 'removed', 'needs_permission', 'failing', 'unsupported')),
    last_error    TEXT,
    latest        TEXT    CHECK (latest IS NULL OR json_valid(latest)),
    latest_at     INTEGER
);
CREATE INDEX metric_posts_next ON metric_posts (next_read_at) WHERE next_read_at IS NOT NULL;
CREATE INDEX metric_posts_published ON metric_posts (published_at);
CREATE INDEX metric_posts_by_post ON metric_posts (post_id);

CREATE TABLE metric_snapshots (
    id              INTEGER PRIMARY KEY,
    metric_post_id  INTEGER NOT NULL REFERENCES metric_posts (id) ON DELETE CASCADE,
    taken_at        INTEGER NOT NULL,
    metrics         TEXT    NOT NULL CHECK (json_valid(metrics))
);
CREATE INDEX metric_snapshots_by_post ON metric_snapshots (metric_post_id, taken_at);

CREATE TABLE metric_reads (
    platform  TEXT    NOT NULL,
    month     TEXT    NOT NULL,
    used      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, month)
);
