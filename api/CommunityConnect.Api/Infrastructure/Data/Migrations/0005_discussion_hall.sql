-- Discussion hall (议事厅): threads with their replies, supports, follows and volunteer sign-ups;
-- adopted proposals become projects with public milestones (公示治理项目进程).

CREATE TABLE threads (
    id               INTEGER PRIMARY KEY,
    community_id     INTEGER NOT NULL REFERENCES communities (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('discussion', 'solicitation', 'volunteer', 'proposal')),
    title            TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    category         TEXT,
    author_id        INTEGER NOT NULL REFERENCES users (id),
    -- The role label shown beside the author's name when posting ("居委会", "业主").
    author_role      TEXT    NOT NULL,
    -- open; solicitations become closed at their deadline; proposals become adopted or declined.
    state            TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'adopted', 'declined')),
    -- Moderation (next issue) sets pending and hidden, pinned and locked.
    review_state     TEXT    NOT NULL DEFAULT 'published' CHECK (review_state IN ('published', 'pending', 'hidden')),
    pinned           INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    locked           INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    deadline         INTEGER,
    closed_at        INTEGER,
    volunteer_cap    INTEGER CHECK (volunteer_cap IS NULL OR volunteer_cap >= 1),
    signup_count     INTEGER NOT NULL DEFAULT 0 CHECK (signup_count >= 0 AND (volunteer_cap IS NULL OR signup_count <= volunteer_cap)),
    -- Denormalised counters, updated in the same unit of work as the reply or support, so a feed
    -- page is one query.
    reply_count      INTEGER NOT NULL DEFAULT 0,
    support_count    INTEGER NOT NULL DEFAULT 0,
    case_id          INTEGER REFERENCES cases (id),
    decision_reason  TEXT,
    decided_by       INTEGER REFERENCES users (id),
    decided_role     TEXT,
    decided_at       INTEGER,
    created_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    -- Feed position version: the community's feed sequence value at the thread's last move in the
    -- feed (created, replied to, decided; moderation: pinned or unpinned). A feed cursor carries the
    -- sequence value at its first page; later pages skip threads that moved after it.
    feed_seq         INTEGER NOT NULL
);
-- The feed's order (pinned, last activity, id; read backwards) within a community, and per kind.
CREATE INDEX ix_threads_feed ON threads (community_id, pinned, last_activity_at, id);
CREATE INDEX ix_threads_feed_kind ON threads (community_id, kind, pinned, last_activity_at, id);
-- The closing job's sweep.
CREATE INDEX ix_threads_open_solicitations ON threads (deadline) WHERE kind = 'solicitation' AND state = 'open';

-- One counter per community, bumped by the single writer whenever a thread moves in the feed.
CREATE TABLE thread_feed_sequence (
    community_id INTEGER PRIMARY KEY REFERENCES communities (id),
    value        INTEGER NOT NULL
);

CREATE TABLE thread_replies (
    id            INTEGER PRIMARY KEY,
    thread_id     INTEGER NOT NULL REFERENCES threads (id),
    reply_to      INTEGER REFERENCES thread_replies (id),
    author_id     INTEGER NOT NULL REFERENCES users (id),
    author_role   TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    review_state  TEXT    NOT NULL DEFAULT 'published' CHECK (review_state IN ('published', 'pending', 'hidden')),
    support_count INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE INDEX ix_thread_replies_thread ON thread_replies (thread_id, id);
CREATE INDEX ix_thread_replies_top ON thread_replies (thread_id, support_count, id);

CREATE TABLE thread_supports (
    thread_id  INTEGER NOT NULL REFERENCES threads (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);

CREATE TABLE reply_supports (
    reply_id   INTEGER NOT NULL REFERENCES thread_replies (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (reply_id, user_id)
);

CREATE TABLE thread_follows (
    thread_id  INTEGER NOT NULL REFERENCES threads (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);

CREATE TABLE thread_signups (
    thread_id  INTEGER NOT NULL REFERENCES threads (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);

-- An adopted proposal's project. responsible_body is the proposal's body (it runs the project, even
-- when the secretary decided); that body and the secretary keep its milestones.
CREATE TABLE projects (
    id               INTEGER PRIMARY KEY,
    community_id     INTEGER NOT NULL REFERENCES communities (id),
    thread_id        INTEGER NOT NULL UNIQUE REFERENCES threads (id),
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    title            TEXT    NOT NULL,
    responsible_body TEXT    NOT NULL,
    milestone_count  INTEGER NOT NULL DEFAULT 0,
    milestones_done  INTEGER NOT NULL DEFAULT 0 CHECK (milestones_done <= milestone_count),
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL
);
CREATE INDEX ix_projects_community ON projects (community_id, id);

CREATE TABLE project_milestones (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    title      TEXT    NOT NULL,
    due_date   TEXT    NOT NULL, -- yyyy-MM-dd
    done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    done_at    INTEGER,
    note       TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_project_milestones_next ON project_milestones (project_id, done, due_date, id);

-- The public progress log: adoption, milestones added, done or reopened.
CREATE TABLE project_updates (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    text        TEXT    NOT NULL,
    actor_label TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX ix_project_updates_project ON project_updates (project_id, id);
