-- Cache version bumps without a hot row (issue 19). On PostgreSQL, a write's triggers append its bumps
-- here instead of updating community_versions in the write's own transaction, where the community's
-- row lock was held until the commit's flush and every write of a community waited for the one before
-- it; the node that committed, or any node's poller, then applies them in one short transaction of
-- its own (apply_community_version_bumps). SQLite has one writer and keeps bumping in place: the table
-- exists on both engines (the schemas stay alike) and stays empty here.
CREATE TABLE community_version_bumps (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL,
    which        TEXT    NOT NULL CHECK (which IN ('version', 'feed'))
);
