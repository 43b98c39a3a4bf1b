-- Onboarding a real street: invitations to roles, the append-only role-change log, property
-- companies, the owners register (versioned) and the owner key an owner holds.

ALTER TABLE communities ADD COLUMN district TEXT NOT NULL DEFAULT '';

-- A community has one property company at a time; a replaced one is kept with its decision.
CREATE TABLE property_companies (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id),
    name         TEXT    NOT NULL,
    contact      TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL DEFAULT 'serving' CHECK (state IN ('serving', 'replaced')),
    -- The owners' decision that brought the company in (e.g. the assembly's resolution).
    decision     TEXT,
    started_at   INTEGER NOT NULL,
    ended_at     INTEGER
);
CREATE UNIQUE INDEX ux_property_companies_serving ON property_companies (community_id) WHERE state = 'serving';

-- Property staff belong to the community through its company; a manager may invite the company's staff.
-- An owner holds one key of the owners register (from their property certificate).
ALTER TABLE memberships ADD COLUMN property_company_id INTEGER REFERENCES property_companies (id);
ALTER TABLE memberships ADD COLUMN manager INTEGER NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN owner_key TEXT;
CREATE INDEX ix_memberships_owner_key ON memberships (community_id, owner_key) WHERE owner_key IS NOT NULL;
CREATE INDEX ix_memberships_street_role ON memberships (street_id, role) WHERE street_id IS NOT NULL;

ALTER TABLE membership_requests ADD COLUMN owner_key TEXT;

-- Communities that already have property staff (a database from before this migration) get a
-- company that those staff belong to, so replacing it later has someone to remove.
INSERT INTO property_companies (community_id, name, contact, state, started_at)
SELECT DISTINCT m.community_id, '物业公司', '', 'serving', MIN(m.created_at)
FROM memberships m WHERE m.role = 'property_staff' GROUP BY m.community_id;
UPDATE memberships SET property_company_id =
    (SELECT p.id FROM property_companies p WHERE p.community_id = memberships.community_id AND p.state = 'serving')
WHERE role = 'property_staff';

-- An invitation to a role in a scope. Only a keyed hash of the code is kept: a lost code is revoked
-- and a new one issued. created_by is NULL for the admin command on the server.
CREATE TABLE invitations (
    id                  INTEGER PRIMARY KEY,
    code_hash           TEXT    NOT NULL UNIQUE,
    role                TEXT    NOT NULL CHECK (role IN ('property_staff', 'owners_committee', 'residents_committee',
                                                         'party_secretary', 'street_admin')),
    street_id           INTEGER NOT NULL REFERENCES streets (id),
    community_id        INTEGER REFERENCES communities (id),
    property_company_id INTEGER REFERENCES property_companies (id),
    manager             INTEGER NOT NULL DEFAULT 0,
    note                TEXT,
    state               TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'redeemed', 'revoked')),
    created_by          INTEGER REFERENCES users (id),
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    redeemed_by         INTEGER REFERENCES users (id),
    redeemed_at         INTEGER,
    revoked_by          INTEGER REFERENCES users (id),
    revoked_at          INTEGER,
    CHECK ((role = 'street_admin' AND community_id IS NULL) OR (role <> 'street_admin' AND community_id IS NOT NULL))
);
CREATE INDEX ix_invitations_community ON invitations (community_id, id);

-- Every grant and removal of a role, append-only (kept apart from the complaint box's unseal audit).
-- changed_by is NULL for the admin command.
CREATE TABLE role_changes (
    id            INTEGER PRIMARY KEY,
    street_id     INTEGER NOT NULL REFERENCES streets (id),
    community_id  INTEGER REFERENCES communities (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    role          TEXT    NOT NULL,
    change        TEXT    NOT NULL CHECK (change IN ('granted', 'removed')),
    cause         TEXT    NOT NULL CHECK (cause IN ('invitation', 'removal', 'membership_request', 'membership_ended',
                                                    'company_replaced', 'admin_command', 'dev_login')),
    reason        TEXT,
    invitation_id INTEGER REFERENCES invitations (id),
    changed_by    INTEGER REFERENCES users (id),
    changed_at    INTEGER NOT NULL
);
CREATE INDEX ix_role_changes_community ON role_changes (community_id, id);
CREATE INDEX ix_role_changes_street ON role_changes (street_id, id);

-- The owners register (业主名册), one version per imported file. A version is built in chunks while
-- 'building' and becomes 'current' in one short unit of work; earlier versions stay ('superseded'),
-- because ballots take a snapshot of the version current when they are created.
CREATE TABLE owners_register_versions (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id),
    state        TEXT    NOT NULL DEFAULT 'building' CHECK (state IN ('building', 'current', 'superseded')),
    created_by   INTEGER REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    buildings    INTEGER NOT NULL DEFAULT 0,
    units        INTEGER NOT NULL DEFAULT 0,
    owners       INTEGER NOT NULL DEFAULT 0,
    total_area_centi_sq_m INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX ux_owners_register_current ON owners_register_versions (community_id) WHERE state = 'current';

-- One row per unit: its exclusive floor area in hundredths of a square metre, and the set of owner
-- keys that own it (sorted, ';'-joined), which is what groups units into voting owners.
CREATE TABLE owners_register_units (
    version_id      INTEGER NOT NULL REFERENCES owners_register_versions (id),
    building        TEXT    NOT NULL,
    unit            TEXT    NOT NULL,
    floor           INTEGER NOT NULL,
    area_centi_sq_m INTEGER NOT NULL CHECK (area_centi_sq_m > 0),
    owner_set       TEXT    NOT NULL,
    PRIMARY KEY (version_id, building, unit)
);
CREATE INDEX ix_owners_register_units_owner_set ON owners_register_units (version_id, owner_set);

-- Which units each owner key appears on (a co-owned unit has a row per key).
CREATE TABLE owners_register_keys (
    version_id INTEGER NOT NULL REFERENCES owners_register_versions (id),
    owner_key  TEXT    NOT NULL,
    building   TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    PRIMARY KEY (version_id, owner_key, building, unit)
);
