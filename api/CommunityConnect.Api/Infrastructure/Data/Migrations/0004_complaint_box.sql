-- Complaint box (大家来吐槽): opinions with sealed anonymity, their answers, "me too" agreements,
-- and the append-only audit log that records every unsealing.

CREATE TABLE opinions (
    id                   INTEGER PRIMARY KEY,
    community_id         INTEGER NOT NULL REFERENCES communities (id),
    kind                 TEXT    NOT NULL CHECK (kind IN ('complaint', 'suggestion', 'question', 'praise')),
    category             TEXT    NOT NULL,
    title                TEXT,
    body                 TEXT    NOT NULL,
    anonymous            INTEGER NOT NULL,
    visibility           TEXT    NOT NULL CHECK (visibility IN ('public', 'private')),
    urgent               INTEGER NOT NULL DEFAULT 0,
    -- Praise only: the body it thanks (praise is never a case).
    to_body              TEXT    CHECK (to_body IN ('property', 'owners_committee', 'residents_committee', 'party_secretary', 'street_admin')),
    -- The author's user id for named opinions; NULL for anonymous ones, whose author is only in sealed_author.
    author_id            INTEGER REFERENCES users (id),
    -- Keyed hash of the author (RecipientKeys.ForUser): the author's own lookups, never a name.
    author_key           TEXT    NOT NULL,
    -- Anonymous only: the author sealed with AES-GCM under Keys:Seal ("v1." + base64(nonce | ciphertext | tag)).
    sealed_author        TEXT,
    case_id              INTEGER REFERENCES cases (id),
    state                TEXT    NOT NULL CHECK (state IN ('open', 'answered', 'closed')),
    agree_count          INTEGER NOT NULL DEFAULT 0,
    reopen_count         INTEGER NOT NULL DEFAULT 0,
    -- The author's last satisfaction reply: NULL none yet, 1 satisfied, 0 not satisfied.
    satisfied            INTEGER,
    satisfaction_comment TEXT,
    created_at           INTEGER NOT NULL,
    first_answered_at    INTEGER,
    -- When it last became answered: the 7-day auto-close clock.
    answered_at          INTEGER,
    closed_at            INTEGER,
    closed_reason        TEXT    CHECK (closed_reason IN ('praise', 'satisfied', 'unsatisfied', 'no_reply')),
    CHECK ((anonymous = 1 AND author_id IS NULL) OR (anonymous = 0 AND author_id IS NOT NULL AND sealed_author IS NULL))
);
CREATE INDEX ix_opinions_community ON opinions (community_id, id);
CREATE INDEX ix_opinions_agreed ON opinions (community_id, agree_count, id);
CREATE INDEX ix_opinions_author ON opinions (author_key, id);
CREATE INDEX ix_opinions_answered ON opinions (state, answered_at);

-- Answers by the responsible body (or the secretary / street office); private ones are shown only
-- to the opinion's private audience.
CREATE TABLE opinion_answers (
    id          INTEGER PRIMARY KEY,
    opinion_id  INTEGER NOT NULL REFERENCES opinions (id),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    author_body TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    visibility  TEXT    NOT NULL CHECK (visibility IN ('public', 'private')),
    created_at  INTEGER NOT NULL
);
CREATE INDEX ix_opinion_answers_opinion ON opinion_answers (opinion_id, id);

-- "Me too": one row per user and public opinion, under the user's keyed hash.
CREATE TABLE opinion_agreements (
    opinion_id INTEGER NOT NULL REFERENCES opinions (id),
    user_key   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (opinion_id, user_key)
);

-- Append-only record of sensitive acts (unsealing an anonymous author). It names who acted, on
-- what and why, never the unsealed author.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id),
    action       TEXT    NOT NULL,
    actor_id     INTEGER NOT NULL REFERENCES users (id),
    actor_label  TEXT    NOT NULL,
    item_kind    TEXT    NOT NULL,
    item_id      INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX ix_audit_log_community ON audit_log (community_id, id);

-- Audit rows cannot be changed or deleted, not even by SQL through the app's own connection.
-- (On PostgreSQL: a BEFORE UPDATE OR DELETE trigger that raises, plus REVOKE UPDATE, DELETE.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log rows cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log rows cannot be deleted');
END;
