-- Cases: one row per repair ticket, opinion (but praise), question and proposal, saying who must
-- answer it and how far it has got. Routing and escalation look only at this table.

-- Per-community routing: category → first responsible body (defaults from shared/intake/TAXONOMY.md).
CREATE TABLE routing_rules (
    community_id     INTEGER NOT NULL REFERENCES communities (id),
    category         TEXT    NOT NULL,
    responsible_body TEXT    NOT NULL CHECK (responsible_body IN ('property', 'owners_committee', 'residents_committee')),
    updated_at       INTEGER NOT NULL,
    updated_by       INTEGER REFERENCES users (id),
    PRIMARY KEY (community_id, category)
);

CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    community_id     INTEGER NOT NULL REFERENCES communities (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('repair', 'opinion', 'proposal', 'question')),
    item_id          INTEGER NOT NULL,
    category         TEXT    NOT NULL,
    urgent           INTEGER NOT NULL DEFAULT 0,
    responsible_body TEXT    NOT NULL CHECK (responsible_body IN ('property', 'owners_committee', 'residents_committee', 'party_secretary', 'street_admin')),
    escalation_level INTEGER NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'responded', 'resolved', 'closed')),
    -- Keyed hash of the author (RecipientKeys): finds the author again without naming them.
    author_key       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    responded_at     INTEGER,
    resolved_at      INTEGER,
    closed_at        INTEGER,
    UNIQUE (kind, item_id)
);
CREATE INDEX ix_cases_queue ON cases (community_id, responsible_body, state, id);

-- Every step of a case. actor_id is NULL for the system and for anonymous authors; actor_label is
-- what everyone sees ("匿名居民" for them).
CREATE TABLE case_history (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    event       TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    actor_label TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    from_body   TEXT,
    to_body     TEXT,
    note        TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX ix_case_history_case ON case_history (case_id, id);

-- Answers given on the case itself (by the body it is with, one it climbed from, the secretary or the street).
CREATE TABLE case_responses (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    author_body TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX ix_case_responses_case ON case_responses (case_id, id);
