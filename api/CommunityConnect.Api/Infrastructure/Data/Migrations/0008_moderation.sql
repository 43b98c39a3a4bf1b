-- Moderation of the discussion hall.

CREATE TABLE moderation_settings (
    community_id   INTEGER PRIMARY KEY REFERENCES communities (id),
    pre_review     INTEGER NOT NULL DEFAULT 0,
    -- 1 once the community has set its own word list; until then the shipped default applies.
    own_word_list  INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL,
    updated_by     INTEGER REFERENCES users (id)
);

CREATE TABLE moderation_words (
    community_id INTEGER NOT NULL REFERENCES communities (id),
    text         TEXT    NOT NULL,
    level        TEXT    NOT NULL CHECK (level IN ('block', 'review')),
    PRIMARY KEY (community_id, text)
);

-- Residents' committee members the secretary appointed (the secretary moderates by office).
CREATE TABLE moderators (
    community_id INTEGER NOT NULL REFERENCES communities (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    appointed_by INTEGER NOT NULL REFERENCES users (id),
    appointed_at INTEGER NOT NULL,
    PRIMARY KEY (community_id, user_id)
);

CREATE TABLE content_flags (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id),
    target_kind  TEXT    NOT NULL CHECK (target_kind IN ('thread', 'reply')),
    target_id    INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    reason       TEXT    NOT NULL CHECK (reason IN ('spam', 'offensive', 'false_information', 'privacy', 'other')),
    created_at   INTEGER NOT NULL,
    UNIQUE (target_kind, target_id, user_id)
);

-- Every moderator action, on the record for good.
CREATE TABLE moderation_log (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id),
    actor_id     INTEGER REFERENCES users (id),
    actor_label  TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    target_kind  TEXT,
    target_id    INTEGER,
    reason       TEXT,
    at           INTEGER NOT NULL
);
CREATE INDEX ix_moderation_log_community ON moderation_log (community_id, id);

-- SQLite syntax; on PostgreSQL the same guard is a BEFORE UPDATE OR DELETE trigger whose function
-- raises an exception (or REVOKE UPDATE, DELETE from the app's role).
CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation_log rows cannot be changed');
END;

CREATE TRIGGER moderation_log_no_delete BEFORE DELETE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation_log rows cannot be deleted');
END;

-- What moderation keeps on the hall's posts: who hid it (flags: hidden pending review, or a
-- moderator), the reason shown to the author, and the thread's slow mode.
ALTER TABLE threads ADD COLUMN hidden_by TEXT CHECK (hidden_by IN ('flags', 'moderator'));
ALTER TABLE threads ADD COLUMN hidden_reason TEXT;
ALTER TABLE threads ADD COLUMN slow_mode_seconds INTEGER NOT NULL DEFAULT 0 CHECK (slow_mode_seconds >= 0);
ALTER TABLE thread_replies ADD COLUMN hidden_by TEXT CHECK (hidden_by IN ('flags', 'moderator'));
ALTER TABLE thread_replies ADD COLUMN hidden_reason TEXT;
CREATE INDEX ix_threads_review ON threads (community_id, review_state) WHERE review_state <> 'published';
CREATE INDEX ix_thread_replies_review ON thread_replies (review_state) WHERE review_state <> 'published';
CREATE INDEX ix_thread_replies_author ON thread_replies (thread_id, author_id, created_at);
