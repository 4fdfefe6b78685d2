-- The networks' limits on creating posts, respected before sending
-- (crates/engine/src/limits.rs).
--
-- - limit_sends: every publish the scheduler started, with the posts it
--   creates (`units`: an X thread counts each part), counted against each
--   network's published limits. A publish the network answered without
--   creating anything gives its row back. Rows older than two days go.
-- - limit_readings: the last thing a network said about one of its limits
--   (room left then, when it resets), per account; account_id 0 holds the
--   app's (the creator's developer app or project, all accounts together).
--   after_send: the last limit_sends row when it was read; the sends after
--   it are those the network's figure does not count yet (by row, not by
--   time: a loopback answer can come back within the millisecond it was
--   sent in).
--   No foreign keys: a send or reading still counts after its target or
--   account is gone, as it does at the network.

CREATE TABLE limit_sends (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    account_id INTEGER NOT NULL,
    target_id  INTEGER NOT NULL,
    units      INTEGER NOT NULL CHECK (units > 0),
    sent_at    INTEGER NOT NULL
);
CREATE INDEX limit_sends_by_account ON limit_sends (platform, account_id, sent_at);
CREATE INDEX limit_sends_by_time ON limit_sends (platform, sent_at);
CREATE INDEX limit_sends_by_target ON limit_sends (target_id);

CREATE TABLE limit_readings (
    platform    TEXT    NOT NULL,
    account_id  INTEGER NOT NULL,
    limit_id    TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    remaining   INTEGER NOT NULL,
    resets_at   INTEGER NOT NULL,
    observed_at INTEGER NOT NULL,
    after_send  INTEGER NOT NULL,
    PRIMARY KEY (platform, account_id, limit_id)
);
