-- Foundation: the street → community → building → unit tree, users and their memberships,
-- the inbox and the idempotency records. Times are INTEGER milliseconds since the epoch (UTC).

CREATE TABLE streets (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL
);

CREATE TABLE communities (
    id        INTEGER PRIMARY KEY,
    street_id INTEGER NOT NULL REFERENCES streets (id),
    name      TEXT    NOT NULL,
    address   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX ix_communities_street ON communities (street_id);

CREATE TABLE buildings (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id),
    number       TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    UNIQUE (community_id, number)
);

-- Exclusive floor area (专有部分面积) in hundredths of a square metre, so that sums stay exact.
CREATE TABLE units (
    id                INTEGER PRIMARY KEY,
    community_id      INTEGER NOT NULL REFERENCES communities (id),
    building_id       INTEGER NOT NULL REFERENCES buildings (id),
    number            TEXT    NOT NULL,
    floor             INTEGER NOT NULL,
    area_centi_sq_m   INTEGER NOT NULL CHECK (area_centi_sq_m > 0),
    UNIQUE (building_id, number)
);
CREATE INDEX ix_units_community ON units (community_id);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    handle       TEXT    UNIQUE,
    openid       TEXT    UNIQUE,
    unionid      TEXT,
    display_name TEXT    NOT NULL,
    phone        TEXT,
    created_at   INTEGER NOT NULL
);

-- One row per role a user holds: community roles carry community_id (and unit_id for residents
-- and owners); street_admin carries street_id instead.
CREATE TABLE memberships (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    community_id INTEGER REFERENCES communities (id),
    street_id    INTEGER REFERENCES streets (id),
    role         TEXT    NOT NULL CHECK (role IN ('resident', 'owner', 'property_staff', 'owners_committee',
                                                  'residents_committee', 'party_secretary', 'street_admin')),
    unit_id      INTEGER REFERENCES units (id),
    verification TEXT    NOT NULL DEFAULT 'verified' CHECK (verification IN ('verified', 'pending')),
    created_at   INTEGER NOT NULL,
    CHECK ((role = 'street_admin' AND street_id IS NOT NULL AND community_id IS NULL)
        OR (role <> 'street_admin' AND community_id IS NOT NULL AND street_id IS NULL))
);
CREATE UNIQUE INDEX ux_memberships_role ON memberships (user_id, COALESCE(community_id, 0), COALESCE(street_id, 0), role, COALESCE(unit_id, 0));
CREATE INDEX ix_memberships_community_role ON memberships (community_id, role);

CREATE TABLE membership_requests (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    relation     TEXT    NOT NULL CHECK (relation IN ('owner', 'tenant', 'family')),
    state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    note         TEXT,
    reason       TEXT,
    decided_by   INTEGER REFERENCES users (id),
    decided_at   INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE INDEX ix_membership_requests_community ON membership_requests (community_id, state, id);
-- One open request per user and unit.
CREATE UNIQUE INDEX ux_membership_requests_pending ON membership_requests (user_id, unit_id) WHERE state = 'pending';

-- The inbox. The recipient is a keyed hash of the user (RecipientKeys), never the user id, so that a
-- notice about an anonymous opinion does not name its author to anyone reading the table.
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    recipient_key TEXT    NOT NULL,
    community_id  INTEGER REFERENCES communities (id),
    kind          TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    item_kind     TEXT,
    item_id       INTEGER,
    created_at    INTEGER NOT NULL,
    read_at       INTEGER
);
CREATE INDEX ix_notifications_recipient ON notifications (recipient_key, id);

-- First answers to creating POSTs, under a keyed hash of (user, Idempotency-Key).
CREATE TABLE idempotency_records (
    key_hash     TEXT    PRIMARY KEY,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    location     TEXT,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX ix_idempotency_records_expiry ON idempotency_records (expires_at);
