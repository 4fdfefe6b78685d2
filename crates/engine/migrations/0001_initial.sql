-- CreatorFlow data model. Every instant is an INTEGER of milliseconds since the
-- Unix epoch, in UTC; `posts.zone` keeps the IANA zone the post was planned in.
-- No token or client secret is ever stored here: they live in the OS keychain.

CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY,
    platform          TEXT    NOT NULL CHECK (platform IN ('x', 'linkedin', 'instagram', 'tiktok', 'youtube')),
    platform_user_id  TEXT    NOT NULL CHECK (length(platform_user_id) > 0),
    username          TEXT    NOT NULL,
    display_name      TEXT    NOT NULL DEFAULT '',
    avatar_url        TEXT,
    scopes            TEXT    NOT NULL DEFAULT '',
    token_expires_at  INTEGER,
    status            TEXT    NOT NULL DEFAULT 'connected'
                              CHECK (status IN ('connected', 'needs_reauth', 'disconnected')),
    status_reason     TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (platform, platform_user_id)
);

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    text          TEXT    NOT NULL,
    scheduled_at  INTEGER,
    zone          TEXT    NOT NULL CHECK (length(zone) > 0),
    state         TEXT    NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'scheduled', 'cancelled')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CHECK (state <> 'scheduled' OR scheduled_at IS NOT NULL)
);
CREATE INDEX posts_by_time ON posts (scheduled_at) WHERE scheduled_at IS NOT NULL;

CREATE TABLE post_targets (
    id                  INTEGER PRIMARY KEY,
    post_id             INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    account_id          INTEGER NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT,
    text_override       TEXT,
    options             TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
    status              TEXT    NOT NULL DEFAULT 'draft'
                                CHECK (status IN ('draft', 'scheduled', 'publishing', 'retrying', 'published',
                                                  'failed', 'unconfirmed', 'missed', 'needs_reauth', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     INTEGER,
    lease_until         INTEGER,
    last_error_code     TEXT,
    last_error_message  TEXT,
    last_error_detail   TEXT,
    remote_id           TEXT,
    remote_url          TEXT,
    checkpoint          TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(checkpoint)),
    published_at        INTEGER,
    updated_at          INTEGER NOT NULL,
    UNIQUE (post_id, account_id),
    CHECK (status NOT IN ('scheduled', 'retrying') OR next_attempt_at IS NOT NULL)
);
-- The scheduler's "what is due next" query walks this index only.
CREATE INDEX post_targets_due ON post_targets (next_attempt_at)
    WHERE status IN ('scheduled', 'retrying');
CREATE INDEX post_targets_by_post ON post_targets (post_id);
CREATE INDEX post_targets_by_account ON post_targets (account_id, status);

CREATE TABLE media (
    id             INTEGER PRIMARY KEY,
    sha256         TEXT    NOT NULL UNIQUE CHECK (length(sha256) = 64),
    path           TEXT    NOT NULL,
    mime           TEXT    NOT NULL,
    size           INTEGER NOT NULL CHECK (size > 0),
    width          INTEGER,
    height         INTEGER,
    duration_ms    INTEGER,
    original_name  TEXT,
    created_at     INTEGER NOT NULL
);

CREATE TABLE post_media (
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    media_id  INTEGER NOT NULL REFERENCES media (id) ON DELETE RESTRICT,
    position  INTEGER NOT NULL CHECK (position >= 0),
    PRIMARY KEY (post_id, position)
);

CREATE TABLE attempts (
    id             INTEGER PRIMARY KEY,
    target_id      INTEGER NOT NULL REFERENCES post_targets (id) ON DELETE CASCADE,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    outcome        TEXT CHECK (outcome IN ('published', 'retry', 'failed', 'needs_reauth', 'unconfirmed', 'rate_limited', 'interrupted')),
    http_status    INTEGER,
    error_code     TEXT,
    error_message  TEXT
);
CREATE INDEX attempts_by_target ON attempts (target_id, started_at);

-- Typed settings: one JSON document whose every field has a default in code.
CREATE TABLE settings (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    json  TEXT NOT NULL CHECK (json_valid(json))
);
INSERT INTO settings (id, json) VALUES (1, '{}');
