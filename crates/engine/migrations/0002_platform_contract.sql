-- One platform contract for five networks.
--
-- - post_targets: typed network options per target ({"text", "network":
--   {"platform": ..., ...}}), two new statuses (`processing`: the network
--   finishes the post later and CreatorFlow checks back at next_attempt_at;
--   `deleted`: removed from the network by the creator), the network's
--   processing stage, when processing began, and a note on the live post.
-- - attempts: outcomes for processing, deletion at the network and edits of
--   a live post, and the network's own words for the details line.
-- - accounts: when the sign-in ends for good unless the creator reconnects
--   (no refresh token, or a refresh token that expires), and which reminder
--   (7 or 1 days ahead) was last sent.
-- - media: the video codec (duration, width and height have columns).
-- - settings: X's loopback switch becomes the per-network redirect choice.
--
-- SQLite cannot change a CHECK constraint, so post_targets and attempts are
-- rebuilt. Dropping a table deletes its rows first, which would cascade
-- into attempts: the new attempts table references the new post_targets
-- table, and the old attempts table is dropped before the old post_targets.

CREATE TABLE post_targets_new (
    id                  INTEGER PRIMARY KEY,
    post_id             INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    account_id          INTEGER NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT,
    text_override       TEXT,
    options             TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
    status              TEXT    NOT NULL DEFAULT 'draft'
                                CHECK (status IN ('draft', 'scheduled', 'publishing', 'processing', 'retrying',
                                                  'published', 'failed', 'unconfirmed', 'missed', 'needs_reauth',
                                                  'cancelled', 'deleted')),
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     INTEGER,
    lease_until         INTEGER,
    last_error_code     TEXT,
    last_error_message  TEXT,
    last_error_detail   TEXT,
    remote_id           TEXT,
    remote_url          TEXT,
    remote_note         TEXT,
    stage               TEXT,
    processing_since    INTEGER,
    checkpoint          TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(checkpoint)),
    published_at        INTEGER,
    deleted_at          INTEGER,
    updated_at          INTEGER NOT NULL,
    UNIQUE (post_id, account_id),
    CHECK (status NOT IN ('scheduled', 'retrying', 'processing') OR next_attempt_at IS NOT NULL)
);

INSERT INTO post_targets_new (id, post_id, account_id, text_override, options, status, attempts,
                              next_attempt_at, lease_until, last_error_code, last_error_message,
                              last_error_detail, remote_id, remote_url, checkpoint, published_at, updated_at)
SELECT t.id, t.post_id, t.account_id, t.text_override,
       json_object(
           'text', json_extract(t.options, '$.text'),
           'network', CASE a.platform
               WHEN 'x' THEN json_object('platform', 'x',
                                         'thread', json(COALESCE(json_extract(t.options, '$.thread'), '[]')))
               ELSE json_object('platform', a.platform)
           END),
       t.status, t.attempts, t.next_attempt_at, t.lease_until, t.last_error_code,
       t.last_error_message, t.last_error_detail, t.remote_id, t.remote_url, t.checkpoint,
       t.published_at, t.updated_at
FROM post_targets t JOIN accounts a ON a.id = t.account_id;

CREATE TABLE attempts_new (
    id             INTEGER PRIMARY KEY,
    target_id      INTEGER NOT NULL REFERENCES post_targets_new (id) ON DELETE CASCADE,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    outcome        TEXT CHECK (outcome IN ('published', 'retry', 'failed', 'needs_reauth', 'unconfirmed',
                                           'rate_limited', 'interrupted', 'processing', 'deleted',
                                           'delete_failed', 'updated', 'update_failed')),
    http_status    INTEGER,
    error_code     TEXT,
    error_message  TEXT,
    error_detail   TEXT
);

INSERT INTO attempts_new (id, target_id, started_at, finished_at, outcome, http_status, error_code, error_message)
SELECT id, target_id, started_at, finished_at, outcome, http_status, error_code, error_message FROM attempts;

DROP TABLE attempts;
DROP TABLE post_targets;
ALTER TABLE post_targets_new RENAME TO post_targets;
ALTER TABLE attempts_new RENAME TO attempts;

-- The scheduler's "what is due next" query walks this index only.
CREATE INDEX post_targets_due ON post_targets (next_attempt_at)
    WHERE status IN ('scheduled', 'retrying', 'processing');
CREATE INDEX post_targets_by_post ON post_targets (post_id);
CREATE INDEX post_targets_by_account ON post_targets (account_id, status);
CREATE INDEX attempts_by_target ON attempts (target_id, started_at);

ALTER TABLE accounts ADD COLUMN reauth_by INTEGER;
ALTER TABLE accounts ADD COLUMN reminded_days INTEGER;

ALTER TABLE media ADD COLUMN codec TEXT;

UPDATE settings
SET json = json_set(json_remove(json, '$.xLoopbackRedirect'), '$.redirects', json_object('x', 'loopback'))
WHERE json_extract(json, '$.xLoopbackRedirect') = 1;
UPDATE settings SET json = json_remove(json, '$.xLoopbackRedirect');
