-- The routing job of the hall (hall threads reach the right committee) and the hotspot radar.

-- 1. Cases get the kinds 'thread' (a hall topic a body took up, or an urgent one) and 'hotspot'.
-- SQLite changes a CHECK only by rebuilding the table (https://sqlite.org/lang_altertable.html#otheralter),
-- as 0013_public_affairs.sql did: the migrator runs this with foreign keys off and runs
-- foreign_key_check before it commits. Every column is here: those of 0002_cases.sql and those
-- 0006_sla_escalation.sql added, in the same order, and every index of cases (0002, 0006, 0013).
CREATE TABLE cases_new (
    id                       INTEGER PRIMARY KEY,
    community_id             INTEGER NOT NULL REFERENCES communities (id),
    kind                     TEXT    NOT NULL CHECK (kind IN ('repair', 'opinion', 'proposal', 'question', 'meeting_action', 'thread', 'hotspot')),
    item_id                  INTEGER NOT NULL,
    category                 TEXT    NOT NULL,
    urgent                   INTEGER NOT NULL DEFAULT 0,
    responsible_body         TEXT    NOT NULL CHECK (responsible_body IN ('property', 'owners_committee', 'residents_committee', 'party_secretary', 'street_admin')),
    escalation_level         INTEGER NOT NULL DEFAULT 0,
    state                    TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'responded', 'resolved', 'closed')),
    author_key               TEXT    NOT NULL,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    responded_at             INTEGER,
    resolved_at              INTEGER,
    closed_at                INTEGER,
    first_response_due       INTEGER,
    resolve_due              INTEGER,
    next_escalation_at       INTEGER,
    paused_at                INTEGER,
    target_first_response_at INTEGER,
    target_resolve_at        INTEGER,
    manually_escalated       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, item_id)
);
INSERT INTO cases_new (id, community_id, kind, item_id, category, urgent, responsible_body, escalation_level, state, author_key,
                       created_at, updated_at, responded_at, resolved_at, closed_at, first_response_due, resolve_due,
                       next_escalation_at, paused_at, target_first_response_at, target_resolve_at, manually_escalated)
SELECT id, community_id, kind, item_id, category, urgent, responsible_body, escalation_level, state, author_key,
       created_at, updated_at, responded_at, resolved_at, closed_at, first_response_due, resolve_due,
       next_escalation_at, paused_at, target_first_response_at, target_resolve_at, manually_escalated
FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX ix_cases_queue ON cases (community_id, responsible_body, state, id);
CREATE INDEX ix_cases_next_escalation ON cases (next_escalation_at) WHERE next_escalation_at IS NOT NULL;
CREATE INDEX ix_cases_street_queue ON cases (responsible_body, id);
CREATE INDEX ix_cases_community_created ON cases (community_id, created_at);

-- 2. The routing job. routing_analysed_at is set once, when the job has read a published
-- discussion; the partial index is the job's queue. Threads that exist before this migration are
-- not new: they count as read, so an upgrade does not flood the bodies with old topics.
ALTER TABLE threads ADD COLUMN routing_analysed_at INTEGER;
UPDATE threads SET routing_analysed_at = created_at WHERE kind = 'discussion';
CREATE INDEX ix_threads_routing_queue ON threads (id) WHERE kind = 'discussion' AND routing_analysed_at IS NULL;

-- What the analyser read in a thread (category, body by the community's routing table, urgency,
-- the building it names) and, for an actionable one (repair, complaint, question), its routing:
-- routed → taken_up (a case) or dismissed (with the reason). state NULL: not actionable.
CREATE TABLE thread_routings (
    thread_id        INTEGER PRIMARY KEY REFERENCES threads (id),
    community_id     INTEGER NOT NULL REFERENCES communities (id),
    intent           TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    responsible_body TEXT    NOT NULL CHECK (responsible_body IN ('property', 'owners_committee', 'residents_committee')),
    urgent           INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    building         TEXT,
    state            TEXT    CHECK (state IN ('routed', 'taken_up', 'dismissed')),
    reason           TEXT,
    decided_by       INTEGER REFERENCES users (id),
    decided_at       INTEGER,
    analysed_at      INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
-- The radar reads a community's recent routed threads.
CREATE INDEX ix_thread_routings_recent ON thread_routings (community_id, analysed_at) WHERE state IS NOT NULL;

-- A moderator's corrections of a routing label, kept (append-only) for the analyser's next
-- training at start-up: the thread's text with the category a person chose.
CREATE TABLE thread_routing_corrections (
    id               INTEGER PRIMARY KEY,
    thread_id        INTEGER NOT NULL REFERENCES threads (id),
    community_id     INTEGER NOT NULL REFERENCES communities (id),
    intent           TEXT    NOT NULL,
    from_category    TEXT    NOT NULL,
    from_body        TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    responsible_body TEXT    NOT NULL CHECK (responsible_body IN ('property', 'owners_committee', 'residents_committee')),
    corrected_by     INTEGER NOT NULL REFERENCES users (id),
    corrected_at     INTEGER NOT NULL
);
CREATE INDEX ix_thread_routing_corrections_thread ON thread_routing_corrections (thread_id, id);

-- 3. The hotspot radar. A missing settings row means the defaults (3 residents in 24 hours, 5 in 7 days).
CREATE TABLE hotspot_settings (
    community_id     INTEGER PRIMARY KEY REFERENCES communities (id),
    short_hours      INTEGER NOT NULL CHECK (short_hours >= 1),
    short_residents  INTEGER NOT NULL CHECK (short_residents >= 2),
    long_days        INTEGER NOT NULL CHECK (long_days >= 1),
    long_residents   INTEGER NOT NULL CHECK (long_residents >= 2),
    updated_at       INTEGER NOT NULL,
    updated_by       INTEGER REFERENCES users (id)
);

-- A hotspot: one category in one place (a building, or the common area when building_id is NULL),
-- raised once by the radar; it is a case of its own (kind 'hotspot', item_id = the hotspot's id).
CREATE TABLE hotspots (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES communities (id),
    category        TEXT    NOT NULL,
    building_id     INTEGER REFERENCES buildings (id),
    -- The window whose threshold it reached: 'short' (24 hours by default) or 'long' (7 days).
    reached         TEXT    NOT NULL CHECK (reached IN ('short', 'long')),
    resident_count  INTEGER NOT NULL,
    case_id         INTEGER REFERENCES cases (id),
    raised_at       INTEGER NOT NULL,
    last_item_at    INTEGER NOT NULL
);
CREATE INDEX ix_hotspots_community ON hotspots (community_id, id);

-- The items of a hotspot; an item belongs to one hotspot at most. Nothing here names an author:
-- the residents are counted when the hotspot is raised and answered through the items' own cases.
CREATE TABLE hotspot_items (
    hotspot_id  INTEGER NOT NULL REFERENCES hotspots (id),
    item_kind   TEXT    NOT NULL CHECK (item_kind IN ('repair', 'opinion', 'thread')),
    item_id     INTEGER NOT NULL,
    reported_at INTEGER NOT NULL,
    PRIMARY KEY (item_kind, item_id)
);
CREATE INDEX ix_hotspot_items_hotspot ON hotspot_items (hotspot_id, reported_at);

-- The radar reads a community's items of the last days by their time.
CREATE INDEX ix_repair_tickets_community_created ON repair_tickets (community_id, created_at);
CREATE INDEX ix_opinions_community_created ON opinions (community_id, created_at);
