-- Conversations (chat intake, issue 13 §2): a resident's messages and the assistant's replies, the
-- draft the assistant is filling in, and what the conversation filed. The item it files (a repair
-- ticket, an opinion, a hall proposal) belongs to its own feature; filed_kind/filed_id point at it.
-- A conversation that filed an anonymous opinion is redacted at once: its messages are deleted, its
-- draft columns emptied, filed_id left null and updated_at set back to created_at, so nothing here
-- leads from the resident to the sealed opinion.

CREATE TABLE conversations (
    id                  INTEGER PRIMARY KEY,
    community_id        INTEGER NOT NULL REFERENCES communities (id),
    user_id             INTEGER NOT NULL REFERENCES users (id),
    state               TEXT    NOT NULL DEFAULT 'collecting'
                        CHECK (state IN ('collecting', 'confirming', 'filed', 'answered', 'cancelled')),
    -- Counts the resident's messages; a message names the turn it answers, so two racing messages cannot both move the state.
    turn                INTEGER NOT NULL DEFAULT 0,
    -- The draft (null when there is none).
    kind                TEXT    CHECK (kind IN ('repair', 'opinion', 'proposal', 'question')),
    category            TEXT,
    responsible_body    TEXT,
    building            TEXT,
    unit                TEXT,
    building_id         INTEGER REFERENCES buildings (id),
    unit_id             INTEGER REFERENCES units (id),
    common_area         TEXT,
    urgent              INTEGER NOT NULL DEFAULT 0,
    description         TEXT,
    anonymous           INTEGER NOT NULL DEFAULT 0,
    public              INTEGER NOT NULL DEFAULT 0,
    -- What the assistant asked last: location, description, confirm or me_too.
    awaiting            TEXT    CHECK (awaiting IN ('location', 'description', 'confirm', 'me_too')),
    -- The open ticket offered for "me too", and whether the resident chose to report separately.
    offered_ticket_id   INTEGER REFERENCES repair_tickets (id),
    duplicate_declined  INTEGER NOT NULL DEFAULT 0,
    -- What it filed: repair (a ticket), opinion or proposal (a hall thread); no id for an anonymous opinion.
    filed_kind          TEXT    CHECK (filed_kind IN ('repair', 'opinion', 'proposal')),
    filed_id            INTEGER,
    filed_anonymous     INTEGER NOT NULL DEFAULT 0,
    filed_me_too        INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    CHECK (filed_anonymous = 0 OR filed_id IS NULL)
);
CREATE INDEX ix_conversations_user ON conversations (user_id, updated_at, id);

CREATE TABLE conversation_messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    author          TEXT    NOT NULL CHECK (author IN ('resident', 'assistant')),
    text            TEXT    NOT NULL,
    -- The assistant's quick replies, one a line.
    quick_replies   TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX ix_conversation_messages ON conversation_messages (conversation_id, id);

-- A community's FAQ, edited by the residents' committee; the assistant answers questions from it.
CREATE TABLE community_faq (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES communities (id),
    position      INTEGER NOT NULL,
    category      TEXT,
    question      TEXT    NOT NULL,
    -- The words that match it, one a line.
    keywords      TEXT    NOT NULL,
    answer        TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER NOT NULL REFERENCES users (id),
    UNIQUE (community_id, position)
);
