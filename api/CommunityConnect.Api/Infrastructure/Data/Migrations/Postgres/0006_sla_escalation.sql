-- SLA clocks and the escalation ladder.

-- Per-community clock targets; a missing row means DESIGN.md's default (SlaDefaults).
CREATE TABLE sla_policies (
    community_id           bigint  NOT NULL REFERENCES communities (id),
    kind                   text    NOT NULL CHECK (kind IN ('repair', 'opinion', 'proposal', 'question')),
    urgent                 bigint  NOT NULL CHECK (urgent IN (0, 1)),
    first_response_minutes bigint  NOT NULL CHECK (first_response_minutes > 0),
    resolve_minutes        bigint  NOT NULL CHECK (resolve_minutes > 0),
    updated_at             bigint  NOT NULL,
    updated_by             bigint  REFERENCES users (id),
    PRIMARY KEY (community_id, kind, urgent)
);

-- Per-street working-day calendar; a missing row means 09:00–17:00 Asia/Shanghai, Monday to Friday.
CREATE TABLE street_calendars (
    street_id  bigint  PRIMARY KEY REFERENCES streets (id),
    time_zone  text    NOT NULL,
    work_start text    NOT NULL,
    work_end   text    NOT NULL,
    updated_at bigint  NOT NULL,
    updated_by bigint  REFERENCES users (id)
);

CREATE TABLE street_calendar_days (
    street_id bigint  NOT NULL REFERENCES streets (id),
    day       text    NOT NULL,
    kind      text    NOT NULL CHECK (kind IN ('holiday', 'workday')),
    PRIMARY KEY (street_id, day)
);

-- The clocks of the body a case is with now. next_escalation_at is what the sweep looks at: the
-- first-response due time until the body answers, then the resolution due time, NULL once resolved,
-- closed, paused, or at the street office.
-- target_* keep the first body's targets for evaluation (not moved by climbing; the resolution
-- target moves with pauses).
ALTER TABLE cases ADD COLUMN first_response_due bigint;
ALTER TABLE cases ADD COLUMN resolve_due bigint;
ALTER TABLE cases ADD COLUMN next_escalation_at bigint;
ALTER TABLE cases ADD COLUMN paused_at bigint;
ALTER TABLE cases ADD COLUMN target_first_response_at bigint;
ALTER TABLE cases ADD COLUMN target_resolve_at bigint;
ALTER TABLE cases ADD COLUMN manually_escalated bigint  NOT NULL DEFAULT 0;
CREATE INDEX ix_cases_next_escalation ON cases (next_escalation_at) WHERE next_escalation_at IS NOT NULL;
CREATE INDEX ix_cases_street_queue ON cases (responsible_body, id);
