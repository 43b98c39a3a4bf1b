-- Cache version bumps without a hot row, PostgreSQL twin of 0023_version_bumps.sql. The triggers of
-- 0020 call bump_community_versions in the transaction of the write; it updated the community's row of
-- community_versions, whose lock then lasted until that transaction's commit had flushed, so the writes
-- of one community ran one flush at a time (about 150 replies a second where a plain insert takes
-- 3,000). Now it appends to community_version_bumps, which no two writers contend for, and
-- apply_community_version_bumps moves what is there into community_versions in a transaction of its
-- own: the node whose unit committed runs it before answering (one run covers every unit that
-- committed before it began), and every node's poller runs it too, so the bumps of a node that stopped
-- in between, of the admin command or of a hand edit are applied within the poll interval.
CREATE TABLE community_version_bumps (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id bigint NOT NULL,
    which        text   NOT NULL CHECK (which IN ('version', 'feed'))
);

CREATE OR REPLACE FUNCTION bump_community_versions(which text, ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO community_version_bumps (community_id, which)
    SELECT DISTINCT id, which FROM unnest(ids) AS id WHERE id IS NOT NULL;
END;
$$;

-- Applies every bump appended so far: each community named gets one increment per kind, stamped from the
-- sequence. One run at a time across the nodes (a transaction-level advisory lock), rows locked in id order:
-- no run waits on another's rows in a different order. Answers how many communities changed.
CREATE FUNCTION apply_community_version_bumps() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    feeds    bigint[];
    versions bigint[];
    changed  integer;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('community_version_bumps'));
    WITH taken AS (DELETE FROM community_version_bumps RETURNING community_id, which)
    SELECT COALESCE(array_agg(DISTINCT community_id) FILTER (WHERE which = 'feed'), '{}'),
           COALESCE(array_agg(DISTINCT community_id) FILTER (WHERE which = 'version'), '{}')
    INTO feeds, versions FROM taken;
    IF cardinality(feeds) = 0 AND cardinality(versions) = 0 THEN
        RETURN 0;
    END IF;
    PERFORM 1 FROM community_versions WHERE community_id = ANY (feeds || versions) ORDER BY community_id FOR UPDATE;
    UPDATE community_versions
    SET version      = version + CASE WHEN community_id = ANY (versions) THEN 1 ELSE 0 END,
        feed_version = feed_version + CASE WHEN community_id = ANY (feeds) THEN 1 ELSE 0 END,
        changed      = nextval('community_versions_changed_seq')
    WHERE community_id = ANY (feeds || versions);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END;
$$;
