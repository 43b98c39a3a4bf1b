-- SLA clocks and the escalation ladder.

-- Per-community clock targets; a missing row means DESIGN.md's default (SlaDefaults).
CREATE TABLE sla_policies (
    community_id           INTEGER NOT NULL REFERENCES communities (id),
    kind                   TEXT    NOT NULL CHECK (kind IN ('repair', 'opinion', 'proposal', 'question')),
    urgent                 INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolve_minutes        INTEGER NOT NULL CHECK (resolve_minutes > 0),
    updated_at             INTEGER NOT NULL,
    updated_by             INTEGER REFERENCES users (id),
    PRIMARY KEY (community_id, kind, urgent)
);

-- Per-street working-day calendar; a missing row means 09:00–17:00 Asia/Shanghai, Monday to Friday.
CREATE TABLE street_calendars (
    street_id  INTEGER PRIMARY KEY REFERENCES streets (id),
    time_zone  TEXT    NOT NULL,
    work_start TEXT    NOT NULL,
    work_end   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);

CREATE TABLE street_calendar_days (
    street_id INTEGER NOT NULL REFERENCES streets (id),
    day       TEXT    NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('holiday', 'workday')),
    PRIMARY KEY (street_id, day)
);

-- The clocks of the body a case is with now. next_escalation_at is what the sweep looks at: the
-- first-response due time until the body answers, then the resolution due time, NULL once resolved,
-- closed, paused, or at the street office.
-- target_* keep the first body's targets for evaluation (not moved by climbing; the resolution
-- target moves with pauses).
ALTER TABLE cases ADD COLUMN first_response_due INTEGER;
ALTER TABLE cases ADD COLUMN resolve_due INTEGER;
ALTER TABLE cases ADD COLUMN next_escalation_at INTEGER;
ALTER TABLE cases ADD COLUMN paused_at INTEGER;
ALTER TABLE cases ADD COLUMN target_first_response_at INTEGER;
ALTER TABLE cases ADD COLUMN target_resolve_at INTEGER;
ALTER TABLE cases ADD COLUMN manually_escalated INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_cases_next_escalation ON cases (next_escalation_at) WHERE next_escalation_at IS NOT NULL;
CREATE INDEX ix_cases_street_queue ON cases (responsible_body, id);
