-- Public affairs (居务公开): announcements with read receipts, the three meetings (三会) with
-- minutes and follow-up actions, the public accounts, and 民主评议 surveys.

-- 1. Cases get the kind 'meeting_action'. SQLite changes a CHECK only by rebuilding the table
-- (https://sqlite.org/lang_altertable.html#otheralter): create the new table, copy, drop, rename,
-- recreate the indexes. The migrator runs this with foreign keys off and runs foreign_key_check
-- before it commits, so the tables that reference cases keep their rows. Every column is here:
-- those of 0002_cases.sql and those 0006_sla_escalation.sql added, in the same order.
CREATE TABLE cases_new (
    id                       INTEGER PRIMARY KEY,
    community_id             INTEGER NOT NULL REFERENCES communities (id),
    kind                     TEXT    NOT NULL CHECK (kind IN ('repair', 'opinion', 'proposal', 'question', 'meeting_action')),
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
-- New: the street statistics read a community's cases by the time they were raised.
CREATE INDEX ix_cases_community_created ON cases (community_id, created_at);
CREATE INDEX ix_case_history_escalated ON case_history (at, case_id) WHERE event = 'escalated';
-- Households: the units with a verified resident or owner (receipts, reminders, survey response rates).
CREATE INDEX ix_memberships_unit ON memberships (unit_id) WHERE unit_id IS NOT NULL;

-- 2. Announcements (通知公告). publisher_body is the body that publishes (its members see the
-- receipts); audience 'buildings' lists its buildings in announcement_buildings.
CREATE TABLE announcements (
    id               INTEGER PRIMARY KEY,
    community_id     INTEGER NOT NULL REFERENCES communities (id),
    author_id        INTEGER NOT NULL REFERENCES users (id),
    publisher_body   TEXT    NOT NULL CHECK (publisher_body IN ('property', 'owners_committee', 'residents_committee', 'party_secretary')),
    title            TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    audience         TEXT    NOT NULL CHECK (audience IN ('all', 'buildings')),
    requires_ack     INTEGER NOT NULL CHECK (requires_ack IN (0, 1)),
    pinned_until     INTEGER,
    created_at       INTEGER NOT NULL,
    -- Set once by the one reminder an announcement may send.
    reminded_at      INTEGER
);
CREATE INDEX ix_announcements_community ON announcements (community_id, id);

CREATE TABLE announcement_buildings (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id),
    building_id     INTEGER NOT NULL REFERENCES buildings (id),
    PRIMARY KEY (announcement_id, building_id)
);

-- One row per member who opened it; acknowledged_at once they pressed 已知晓.
CREATE TABLE announcement_reads (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    read_at         INTEGER NOT NULL,
    acknowledged_at INTEGER,
    PRIMARY KEY (announcement_id, user_id)
);

CREATE TABLE announcement_attachments (
    id              INTEGER PRIMARY KEY,
    announcement_id INTEGER NOT NULL REFERENCES announcements (id),
    file_name       TEXT    NOT NULL,
    content_type    TEXT    NOT NULL,
    size_bytes      INTEGER NOT NULL,
    uploaded_by     INTEGER NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX ix_announcement_attachments ON announcement_attachments (announcement_id, id);

-- 3. The three meetings (三会). thread_id / case_id / project_id: at most one, what the meeting is about.
CREATE TABLE meetings (
    id             INTEGER PRIMARY KEY,
    community_id   INTEGER NOT NULL REFERENCES communities (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('hearing', 'coordination', 'review')),
    topic          TEXT    NOT NULL,
    thread_id      INTEGER REFERENCES threads (id),
    case_id        INTEGER REFERENCES cases (id),
    project_id     INTEGER REFERENCES projects (id),
    starts_at      INTEGER NOT NULL,
    place          TEXT    NOT NULL,
    participants   TEXT    NOT NULL,
    organiser_id   INTEGER NOT NULL REFERENCES users (id),
    organiser_body TEXT    NOT NULL CHECK (organiser_body IN ('property', 'owners_committee', 'residents_committee', 'party_secretary')),
    created_at     INTEGER NOT NULL
);
CREATE INDEX ix_meetings_community ON meetings (community_id, starts_at, id);

-- Minutes, once per meeting; correctable for 7 days after recorded_at, then only amended.
CREATE TABLE meeting_minutes (
    meeting_id  INTEGER PRIMARY KEY REFERENCES meetings (id),
    attendance  TEXT    NOT NULL,
    positions   TEXT    NOT NULL,
    decisions   TEXT    NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users (id),
    recorded_at INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Each action is a case of kind 'meeting_action' (item_id = the action's id).
CREATE TABLE meeting_actions (
    id               INTEGER PRIMARY KEY,
    meeting_id       INTEGER NOT NULL REFERENCES meetings (id),
    community_id     INTEGER NOT NULL REFERENCES communities (id),
    text             TEXT    NOT NULL,
    responsible_body TEXT    NOT NULL CHECK (responsible_body IN ('property', 'owners_committee', 'residents_committee')),
    due              INTEGER NOT NULL,
    case_id          INTEGER REFERENCES cases (id),
    state            TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    done_at          INTEGER,
    done_note        TEXT
);
CREATE INDEX ix_meeting_actions_meeting ON meeting_actions (meeting_id, id);

CREATE TABLE meeting_amendments (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    text       TEXT    NOT NULL,
    author_id  INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_meeting_amendments_meeting ON meeting_amendments (meeting_id, id);

-- 4. Public accounts (公共收益与维修资金公开): an append-only ledger. Amounts in integer fen,
-- positive income, negative spending; entry_date is the Shanghai calendar date ('yyyy-MM-dd').
-- A correction is a reversing entry (reverses_entry_id), never an edit.
CREATE TABLE account_entries (
    id                INTEGER PRIMARY KEY,
    community_id      INTEGER NOT NULL REFERENCES communities (id),
    account           TEXT    NOT NULL CHECK (account IN ('common_income', 'maintenance_fund')),
    entry_date        TEXT    NOT NULL,
    amount_fen        INTEGER NOT NULL CHECK (amount_fen <> 0),
    counterparty      TEXT    NOT NULL,
    purpose           TEXT    NOT NULL,
    reverses_entry_id INTEGER UNIQUE REFERENCES account_entries (id),
    reason            TEXT,
    recorded_by       INTEGER NOT NULL REFERENCES users (id),
    recorded_at       INTEGER NOT NULL
);
CREATE INDEX ix_account_entries_ledger ON account_entries (community_id, account, entry_date, id);

-- Entries cannot be changed or deleted through the app's own connection either.
-- (On PostgreSQL: a BEFORE UPDATE OR DELETE trigger that raises, plus REVOKE UPDATE, DELETE.)
CREATE TRIGGER account_entries_no_update BEFORE UPDATE ON account_entries
BEGIN
    SELECT RAISE(ABORT, 'account_entries rows cannot be changed; record a reversing entry');
END;

CREATE TRIGGER account_entries_no_delete BEFORE DELETE ON account_entries
BEGIN
    SELECT RAISE(ABORT, 'account_entries rows cannot be deleted; record a reversing entry');
END;

-- One voucher image per entry (kept beside the entry, so the entry itself stays unchanged).
CREATE TABLE account_vouchers (
    entry_id     INTEGER PRIMARY KEY REFERENCES account_entries (id),
    file_name    TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL
);

-- Questions about an entry are complaint-box opinions of kind 'question'.
CREATE TABLE account_entry_questions (
    opinion_id INTEGER PRIMARY KEY REFERENCES opinions (id),
    entry_id   INTEGER NOT NULL REFERENCES account_entries (id)
);
CREATE INDEX ix_account_entry_questions_entry ON account_entry_questions (entry_id);

-- A month's statement is published (as an announcement) once per account.
CREATE TABLE account_statement_publications (
    community_id    INTEGER NOT NULL REFERENCES communities (id),
    account         TEXT    NOT NULL,
    month           TEXT    NOT NULL,
    announcement_id INTEGER NOT NULL REFERENCES announcements (id),
    PRIMARY KEY (community_id, account, month)
);

-- 5. 民主评议 surveys. Answers are anonymous in storage: survey_answers holds no user, no unit, no
-- time and no row id (WITHOUT ROWID, keyed by a random id), so neither a column nor the insertion
-- order ties an answer to anyone. One answer per household is enforced by survey_households: an
-- HMAC of (survey, unit) under a key of its own purpose, used for nothing else, in a separate table
-- with nothing in common with the answers.
CREATE TABLE surveys (
    id                  INTEGER PRIMARY KEY,
    community_id        INTEGER NOT NULL REFERENCES communities (id),
    title               TEXT    NOT NULL,
    closes_at           INTEGER NOT NULL,
    state               TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    created_by          INTEGER NOT NULL REFERENCES users (id),
    created_at          INTEGER NOT NULL,
    closed_at           INTEGER,
    -- Households (units with a verified member) when it closed: the response rate's denominator.
    households_at_close INTEGER,
    announcement_id     INTEGER REFERENCES announcements (id)
);
CREATE INDEX ix_surveys_community ON surveys (community_id, id);
CREATE INDEX ix_surveys_due ON surveys (closes_at) WHERE state = 'open';

CREATE TABLE survey_bodies (
    survey_id INTEGER NOT NULL REFERENCES surveys (id),
    body      TEXT    NOT NULL CHECK (body IN ('property', 'owners_committee', 'residents_committee')),
    PRIMARY KEY (survey_id, body)
);

CREATE TABLE survey_households (
    survey_id INTEGER NOT NULL REFERENCES surveys (id),
    token     TEXT    NOT NULL,
    PRIMARY KEY (survey_id, token)
) WITHOUT ROWID;

CREATE TABLE survey_answers (
    id        TEXT    NOT NULL PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id),
    body      TEXT    NOT NULL,
    score     INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment   TEXT
) WITHOUT ROWID;
CREATE INDEX ix_survey_answers_survey ON survey_answers (survey_id, body);
