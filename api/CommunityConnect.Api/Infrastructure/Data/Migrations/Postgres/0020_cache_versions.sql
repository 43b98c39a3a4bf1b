-- Cache versions (issue 18), PostgreSQL twin of 0020_cache_versions.sql: the same table, the same
-- trigger names on the same tables, bumping the same rows in the transaction of the write itself.
-- What differs: each trigger is a row trigger calling a plpgsql function, and the table-wide stamp
-- `changed` comes from a sequence instead of MAX(changed) + 1, so concurrent writers never take the
-- same stamp (they may still commit out of stamp order: a node on PostgreSQL compares whole rows
-- when it polls, see CommunityVersions).
CREATE SEQUENCE community_versions_changed_seq;

CREATE TABLE community_versions (
    community_id bigint  PRIMARY KEY,
    version      bigint  NOT NULL DEFAULT 1,
    feed_version bigint  NOT NULL DEFAULT 1,
    changed      bigint  NOT NULL DEFAULT 0
);
CREATE INDEX ix_community_versions_changed ON community_versions (changed);
INSERT INTO community_versions (community_id) VALUES (0);
INSERT INTO community_versions (community_id) SELECT id FROM communities;

-- Bumps the given communities: `which` is 'version' (roles, moderation, policies) or 'feed'.
CREATE FUNCTION bump_community_versions(which text, ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF which = 'feed' THEN
        UPDATE community_versions SET feed_version = feed_version + 1, changed = nextval('community_versions_changed_seq')
        WHERE community_id = ANY (ids);
    ELSE
        UPDATE community_versions SET version = version + 1, changed = nextval('community_versions_changed_seq')
        WHERE community_id = ANY (ids);
    END IF;
END;
$$;

CREATE FUNCTION community_versions_new_community() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO community_versions (community_id, changed) VALUES (NEW.id, nextval('community_versions_changed_seq'));
    RETURN NULL;
END;
$$;
CREATE TRIGGER community_versions_new_community AFTER INSERT ON communities
    FOR EACH ROW EXECUTE FUNCTION community_versions_new_community();

-- Rows that carry a community_id (TG_ARGV[0]: 'version' or 'feed').
CREATE FUNCTION cache_bump_by_community() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_community_versions(TG_ARGV[0], ARRAY[NEW.community_id]);
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM bump_community_versions(TG_ARGV[0], ARRAY[OLD.community_id, NEW.community_id]);
    ELSE
        PERFORM bump_community_versions(TG_ARGV[0], ARRAY[OLD.community_id]);
    END IF;
    RETURN NULL;
END;
$$;

-- Rows that carry a street_id: every community of the street.
CREATE FUNCTION cache_bump_by_street() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    streets bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        streets := ARRAY[NEW.street_id];
    ELSIF TG_OP = 'UPDATE' THEN
        streets := ARRAY[OLD.street_id, NEW.street_id];
    ELSE
        streets := ARRAY[OLD.street_id];
    END IF;
    PERFORM bump_community_versions('version', ARRAY(SELECT id FROM communities WHERE street_id = ANY (streets)));
    RETURN NULL;
END;
$$;

-- Memberships: a community role bumps its community, a street role every community of the street.
CREATE FUNCTION cache_bump_by_membership() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    streets bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY[NEW.community_id];
        streets := ARRAY[NEW.street_id];
    ELSIF TG_OP = 'UPDATE' THEN
        ids := ARRAY[OLD.community_id, NEW.community_id];
        streets := ARRAY[OLD.street_id, NEW.street_id];
    ELSE
        ids := ARRAY[OLD.community_id];
        streets := ARRAY[OLD.street_id];
    END IF;
    PERFORM bump_community_versions('version', ids || ARRAY(SELECT id FROM communities WHERE street_id = ANY (streets)));
    RETURN NULL;
END;
$$;

-- Rows of a thread (supports, follows): the thread's community's feed.
CREATE FUNCTION cache_bump_by_thread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM bump_community_versions('feed', ARRAY(SELECT community_id FROM threads WHERE id = OLD.thread_id));
    ELSE
        PERFORM bump_community_versions('feed', ARRAY(SELECT community_id FROM threads WHERE id = NEW.thread_id));
    END IF;
    RETURN NULL;
END;
$$;

-- A user deleted by hand, an openid bound or changed: the installation's row (accounts).
CREATE FUNCTION cache_bump_installation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_community_versions('version', ARRAY[0::bigint]);
    RETURN NULL;
END;
$$;

-- A user renamed: the feeds of every community they belong to (authors' names on the cards).
CREATE FUNCTION cache_bump_user_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_community_versions('feed', ARRAY(SELECT community_id FROM memberships WHERE user_id = NEW.id AND community_id IS NOT NULL));
    RETURN NULL;
END;
$$;

-- ---- version: roles ----

CREATE TRIGGER cache_memberships_insert AFTER INSERT ON memberships FOR EACH ROW EXECUTE FUNCTION cache_bump_by_membership();
CREATE TRIGGER cache_memberships_update AFTER UPDATE ON memberships FOR EACH ROW EXECUTE FUNCTION cache_bump_by_membership();
CREATE TRIGGER cache_memberships_delete AFTER DELETE ON memberships FOR EACH ROW EXECUTE FUNCTION cache_bump_by_membership();
CREATE TRIGGER cache_moderators_insert AFTER INSERT ON moderators FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_moderators_delete AFTER DELETE ON moderators FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_users_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION cache_bump_installation();
CREATE TRIGGER cache_users_openid AFTER UPDATE OF openid ON users FOR EACH ROW EXECUTE FUNCTION cache_bump_installation();

-- ---- version: moderation settings and words ----

CREATE TRIGGER cache_moderation_settings_insert AFTER INSERT ON moderation_settings FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_moderation_settings_update AFTER UPDATE ON moderation_settings FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_moderation_settings_delete AFTER DELETE ON moderation_settings FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_moderation_words_insert AFTER INSERT ON moderation_words FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_moderation_words_update AFTER UPDATE ON moderation_words FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_moderation_words_delete AFTER DELETE ON moderation_words FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');

-- ---- version: routing, SLA policies, the street's calendar ----

CREATE TRIGGER cache_routing_rules_insert AFTER INSERT ON routing_rules FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_routing_rules_update AFTER UPDATE ON routing_rules FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_routing_rules_delete AFTER DELETE ON routing_rules FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_sla_policies_insert AFTER INSERT ON sla_policies FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_sla_policies_update AFTER UPDATE ON sla_policies FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_sla_policies_delete AFTER DELETE ON sla_policies FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('version');
CREATE TRIGGER cache_street_calendars_insert AFTER INSERT ON street_calendars FOR EACH ROW EXECUTE FUNCTION cache_bump_by_street();
CREATE TRIGGER cache_street_calendars_update AFTER UPDATE ON street_calendars FOR EACH ROW EXECUTE FUNCTION cache_bump_by_street();
CREATE TRIGGER cache_street_calendars_delete AFTER DELETE ON street_calendars FOR EACH ROW EXECUTE FUNCTION cache_bump_by_street();
CREATE TRIGGER cache_street_calendar_days_insert AFTER INSERT ON street_calendar_days FOR EACH ROW EXECUTE FUNCTION cache_bump_by_street();
CREATE TRIGGER cache_street_calendar_days_update AFTER UPDATE ON street_calendar_days FOR EACH ROW EXECUTE FUNCTION cache_bump_by_street();
CREATE TRIGGER cache_street_calendar_days_delete AFTER DELETE ON street_calendar_days FOR EACH ROW EXECUTE FUNCTION cache_bump_by_street();

-- ---- feed_version: what a feed card shows ----

CREATE TRIGGER cache_threads_insert AFTER INSERT ON threads FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('feed');
CREATE TRIGGER cache_threads_update
AFTER UPDATE OF community_id, kind, title, body, author_id, author_role, review_state, pinned, locked, reply_count, support_count,
                last_activity_at, feed_seq ON threads
    FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('feed');
CREATE TRIGGER cache_threads_delete AFTER DELETE ON threads FOR EACH ROW EXECUTE FUNCTION cache_bump_by_community('feed');
CREATE TRIGGER cache_thread_supports_insert AFTER INSERT ON thread_supports FOR EACH ROW EXECUTE FUNCTION cache_bump_by_thread();
CREATE TRIGGER cache_thread_supports_delete AFTER DELETE ON thread_supports FOR EACH ROW EXECUTE FUNCTION cache_bump_by_thread();
CREATE TRIGGER cache_thread_follows_insert AFTER INSERT ON thread_follows FOR EACH ROW EXECUTE FUNCTION cache_bump_by_thread();
CREATE TRIGGER cache_thread_follows_delete AFTER DELETE ON thread_follows FOR EACH ROW EXECUTE FUNCTION cache_bump_by_thread();
CREATE TRIGGER cache_users_rename AFTER UPDATE OF display_name ON users FOR EACH ROW EXECUTE FUNCTION cache_bump_user_rename();

-- ---- hot reads (HotQueryPlanTests) ----

DROP INDEX ix_repair_tickets_community;
CREATE INDEX ix_repair_tickets_list ON repair_tickets (community_id, id, reporter_id, unit_id, state, technician_id);
CREATE INDEX ix_cases_community ON cases (community_id, id, responsible_body, state);
