-- Owners' online voting (业主线上表决, Civil Code art. 278): ballots on a snapshot of the owners
-- register, each vote an entry of the ballot's hash chain, paper ballots entered by one owners'
-- committee member and confirmed by another. Areas in hundredths of a square metre; times INTEGER ms.

CREATE TABLE ballots (
    id                  INTEGER PRIMARY KEY,
    community_id        INTEGER NOT NULL REFERENCES communities (id),
    title               TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    matter              TEXT    NOT NULL CHECK (matter IN ('elect_committee', 'rules', 'hire_property', 'use_maintenance_fund',
                                                           'raise_maintenance_fund', 'rebuild', 'change_common_use', 'other')),
    rule                TEXT    NOT NULL CHECK (rule IN ('ordinary', 'special')),
    -- The scope: NULL for the whole community, else one building (its id and its number on the register).
    building_id         INTEGER REFERENCES buildings (id),
    building_number     TEXT,
    -- The register version current when the ballot was created: who may vote never changes after.
    register_version_id INTEGER NOT NULL REFERENCES owners_register_versions (id),
    eligible_owners     INTEGER NOT NULL,
    eligible_area_centi_sq_m INTEGER NOT NULL,
    opens_at            INTEGER NOT NULL,
    closes_at           INTEGER NOT NULL,
    state               TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    created_by          INTEGER NOT NULL REFERENCES users (id),
    created_at          INTEGER NOT NULL,
    reminded_at         INTEGER,
    closed_at           INTEGER,
    -- Frozen by the closing job: the tally, the decision and the chain's head at closing.
    yes_owners          INTEGER,
    yes_area_centi_sq_m INTEGER,
    no_owners           INTEGER,
    no_area_centi_sq_m  INTEGER,
    abstain_owners      INTEGER,
    abstain_area_centi_sq_m INTEGER,
    quorum_met          INTEGER,
    approved            INTEGER,
    entries             INTEGER,
    head_hash           TEXT,
    CHECK (closes_at > opens_at),
    CHECK ((building_id IS NULL) = (building_number IS NULL))
);
CREATE INDEX ix_ballots_community ON ballots (community_id, id);
CREATE INDEX ix_ballots_open ON ballots (state, closes_at);

-- The voting owners of a ballot: the register's units in scope grouped by identical owner set, with
-- their area and their per-ballot pseudonym (an HMAC, see VoterTokens).
CREATE TABLE ballot_owners (
    id              INTEGER PRIMARY KEY,
    ballot_id       INTEGER NOT NULL REFERENCES ballots (id),
    owner_set       TEXT    NOT NULL,
    voter_token     TEXT    NOT NULL,
    units           INTEGER NOT NULL,
    area_centi_sq_m INTEGER NOT NULL,
    UNIQUE (ballot_id, owner_set),
    UNIQUE (ballot_id, voter_token)
);

-- The hash chain: the public ledger. No user, owner or channel: only the pseudonym and the choice.
CREATE TABLE ballot_entries (
    ballot_id   INTEGER NOT NULL REFERENCES ballots (id),
    seq         INTEGER NOT NULL,
    voter_token TEXT    NOT NULL,
    choice      TEXT    NOT NULL,
    cast_at     INTEGER NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    PRIMARY KEY (ballot_id, seq),
    UNIQUE (ballot_id, voter_token)
);

-- Paper ballots: entered by one owners' committee member with a photo, confirmed or rejected by another.
CREATE TABLE paper_votes (
    id              INTEGER PRIMARY KEY,
    ballot_id       INTEGER NOT NULL REFERENCES ballots (id),
    ballot_owner_id INTEGER NOT NULL REFERENCES ballot_owners (id),
    owner_key       TEXT    NOT NULL,
    choice          TEXT    NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    photo_file      TEXT    NOT NULL,
    photo_type      TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'confirmed', 'rejected')),
    entered_by      INTEGER NOT NULL REFERENCES users (id),
    entered_at      INTEGER NOT NULL,
    decided_by      INTEGER REFERENCES users (id),
    decided_at      INTEGER,
    reason          TEXT,
    seq             INTEGER
);
CREATE INDEX ix_paper_votes_ballot ON paper_votes (ballot_id, id);
-- One live paper ballot per voting owner.
CREATE UNIQUE INDEX ux_paper_votes_live ON paper_votes (ballot_id, ballot_owner_id) WHERE state IN ('pending', 'confirmed');

-- The named record for the legal archive (owners' committee only): which voting owner cast which
-- entry, online or on paper, and who did it (the owner online, the confirming member on paper).
CREATE TABLE ballot_casts (
    ballot_id       INTEGER NOT NULL REFERENCES ballots (id),
    ballot_owner_id INTEGER NOT NULL REFERENCES ballot_owners (id),
    seq             INTEGER NOT NULL,
    channel         TEXT    NOT NULL CHECK (channel IN ('online', 'paper')),
    cast_by         INTEGER NOT NULL REFERENCES users (id),
    paper_vote_id   INTEGER REFERENCES paper_votes (id),
    PRIMARY KEY (ballot_id, ballot_owner_id)
);
