-- Repairs (物业报修): tickets with their location, state, rating, "me too"s, photos, messages and history.
-- Each ticket is also a case (kind 'repair'); case_id links the two.

CREATE TABLE repair_tickets (
    id                INTEGER PRIMARY KEY,
    community_id      INTEGER NOT NULL REFERENCES communities (id),
    case_id           INTEGER REFERENCES cases (id),
    category          TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    -- Location: a unit of the community, or a described common area (with its building when it has one).
    unit_id           INTEGER REFERENCES units (id),
    building_id       INTEGER REFERENCES buildings (id),
    common_area       TEXT,
    urgent            INTEGER NOT NULL DEFAULT 0,
    contact_phone     TEXT,
    reporter_id       INTEGER NOT NULL REFERENCES users (id),
    -- Who typed it in: the reporter, or property staff reporting on the reporter's behalf.
    created_by        INTEGER NOT NULL REFERENCES users (id),
    channel           TEXT    NOT NULL DEFAULT 'app' CHECK (channel IN ('app', 'phone', 'walk_in')),
    state             TEXT    NOT NULL DEFAULT 'submitted'
                      CHECK (state IN ('submitted', 'accepted', 'assigned', 'in_progress', 'paused', 'resolved', 'closed', 'rejected', 'cancelled')),
    technician_id     INTEGER REFERENCES users (id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    first_accepted_at INTEGER,
    -- The latest resolution (kept through a reopen: the 7-day reopen window counts from it).
    resolved_at       INTEGER,
    closed_at         INTEGER,
    reopen_count      INTEGER NOT NULL DEFAULT 0,
    timeliness        INTEGER CHECK (timeliness BETWEEN 1 AND 5),
    attitude          INTEGER CHECK (attitude BETWEEN 1 AND 5),
    quality           INTEGER CHECK (quality BETWEEN 1 AND 5),
    rating_comment    TEXT,
    rated_at          INTEGER,
    CHECK ((unit_id IS NOT NULL AND common_area IS NULL) OR (unit_id IS NULL AND common_area IS NOT NULL))
);
CREATE INDEX ix_repair_tickets_community ON repair_tickets (community_id, id);
CREATE INDEX ix_repair_tickets_unrated ON repair_tickets (state, resolved_at);

-- "Me too": members with the same problem.
CREATE TABLE repair_agreements (
    ticket_id  INTEGER NOT NULL REFERENCES repair_tickets (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);

-- Photos live on disk under the data folder with random names; this row is how they are found and guarded.
CREATE TABLE repair_photos (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES repair_tickets (id),
    file_name    TEXT    NOT NULL UNIQUE,
    content_type TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX ix_repair_photos_ticket ON repair_photos (ticket_id, id);

-- The conversation between the reporter and the property staff.
CREATE TABLE repair_messages (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES repair_tickets (id),
    author_id    INTEGER NOT NULL REFERENCES users (id),
    author_label TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX ix_repair_messages_ticket ON repair_messages (ticket_id, id);

-- Every transition and every message, in order. actor_id is NULL for the system (auto-close).
CREATE TABLE repair_history (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES repair_tickets (id),
    event       TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    actor_label TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    note        TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX ix_repair_history_ticket ON repair_history (ticket_id, id);
