-- The creator's public media host: an S3-compatible bucket that networks
-- which fetch media from a URL themselves (Instagram) are given files on.
--
-- - media_host: its settings (one row, or none when not set up). The secret
--   access key is never here: it lives in the OS keychain.
-- - hosted_media: every object CreatorFlow put there, with the target it is
--   for, so a retry of the same target re-uses it and it is deleted once the
--   target no longer needs it (published, failed, deleted, cancelled, or the
--   post gone). No foreign key to post_targets on purpose: a target that
--   disappears (its post deleted, a later migration rebuilding the table)
--   must leave the row behind, so the object is still deleted from the host.

CREATE TABLE media_host (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    endpoint          TEXT    NOT NULL,
    region            TEXT    NOT NULL,
    bucket            TEXT    NOT NULL,
    access_key_id     TEXT    NOT NULL,
    path_style        INTEGER NOT NULL CHECK (path_style IN (0, 1)),
    -- Objects are fetched as <public_base_url>/<key>; NULL: presigned URLs.
    public_base_url   TEXT,
    -- How long a presigned download URL works.
    url_validity_secs INTEGER NOT NULL CHECK (url_validity_secs > 0),
    updated_at        INTEGER NOT NULL
);

CREATE TABLE hosted_media (
    id                INTEGER PRIMARY KEY,
    target_id         INTEGER NOT NULL,
    sha256            TEXT    NOT NULL,
    -- Which host it is on (endpoint and bucket), so a changed host is known.
    host              TEXT    NOT NULL,
    object_key        TEXT    NOT NULL UNIQUE,
    -- uploading: being put there now; hosted: there, for its target;
    -- delete: to be deleted (an upload that broke off, an object gone stale).
    state             TEXT    NOT NULL CHECK (state IN ('uploading', 'hosted', 'delete')),
    url               TEXT,
    url_expires_at    INTEGER,
    created_at        INTEGER NOT NULL,
    -- Failed deletions are tried again from this time on (with backoff).
    delete_attempts   INTEGER NOT NULL DEFAULT 0,
    next_delete_at    INTEGER,
    last_delete_error TEXT
);

CREATE INDEX hosted_media_by_target ON hosted_media (target_id, sha256);
