-- Cache versions (issue 18). Each node keeps lookup results in memory (who holds which role, the
-- word list, routing and SLA policies, the first page of the hall's feed) and uses an entry only
-- while its community's version is the one it was read under. The versions live here and are
-- bumped by triggers in the transaction of the write itself, so no write path (a feature, the
-- admin command, a hand edit) can change cached data and forget to say so.
--   version      who holds which role (memberships, appointed moderators), the word list and
--                pre-review, routing rules, SLA policies and the street's working calendar
--   feed_version the rows of the hall's feed (threads, supports, follows, authors' names)
--   changed      a stamp, increasing over the whole table, of the row's last bump: a node asks
--                "WHERE changed > the last stamp I saw" (one index seek) after each of its own
--                commits and on a timer for everyone else's.
-- community_id 0 is the installation itself (accounts: a user deleted by hand, an openid bound or changed).
-- SQLite syntax; on PostgreSQL each trigger is a row trigger calling a plpgsql function with the
-- same UPDATE, and the poll compares whole rows (concurrent writers commit out of stamp order).
CREATE TABLE community_versions (
    community_id INTEGER PRIMARY KEY,
    version      INTEGER NOT NULL DEFAULT 1,
    feed_version INTEGER NOT NULL DEFAULT 1,
    changed      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_community_versions_changed ON community_versions (changed);
INSERT INTO community_versions (community_id) VALUES (0);
INSERT INTO community_versions (community_id) SELECT id FROM communities;

CREATE TRIGGER community_versions_new_community AFTER INSERT ON communities
BEGIN
    INSERT INTO community_versions (community_id, changed) VALUES (NEW.id, (SELECT MAX(changed) FROM community_versions) + 1);
END;

-- ---- version: roles ----

CREATE TRIGGER cache_memberships_insert AFTER INSERT ON memberships
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = NEW.community_id OR community_id IN (SELECT id FROM communities WHERE street_id = NEW.street_id);
END;

CREATE TRIGGER cache_memberships_update AFTER UPDATE ON memberships
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (OLD.community_id, NEW.community_id)
       OR community_id IN (SELECT id FROM communities WHERE street_id IN (OLD.street_id, NEW.street_id));
END;

CREATE TRIGGER cache_memberships_delete AFTER DELETE ON memberships
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = OLD.community_id OR community_id IN (SELECT id FROM communities WHERE street_id = OLD.street_id);
END;

CREATE TRIGGER cache_moderators_insert AFTER INSERT ON moderators
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = NEW.community_id;
END;

CREATE TRIGGER cache_moderators_delete AFTER DELETE ON moderators
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = OLD.community_id;
END;

CREATE TRIGGER cache_users_delete AFTER DELETE ON users
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = 0;
END;

CREATE TRIGGER cache_users_openid AFTER UPDATE OF openid ON users
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = 0;
END;

-- ---- version: moderation settings and words ----

CREATE TRIGGER cache_moderation_settings_insert AFTER INSERT ON moderation_settings
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = NEW.community_id;
END;

CREATE TRIGGER cache_moderation_settings_update AFTER UPDATE ON moderation_settings
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (OLD.community_id, NEW.community_id);
END;

CREATE TRIGGER cache_moderation_settings_delete AFTER DELETE ON moderation_settings
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = OLD.community_id;
END;

CREATE TRIGGER cache_moderation_words_insert AFTER INSERT ON moderation_words
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = NEW.community_id;
END;

CREATE TRIGGER cache_moderation_words_update AFTER UPDATE ON moderation_words
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (OLD.community_id, NEW.community_id);
END;

CREATE TRIGGER cache_moderation_words_delete AFTER DELETE ON moderation_words
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = OLD.community_id;
END;

-- ---- version: routing, SLA policies, the street's calendar ----

CREATE TRIGGER cache_routing_rules_insert AFTER INSERT ON routing_rules
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = NEW.community_id;
END;

CREATE TRIGGER cache_routing_rules_update AFTER UPDATE ON routing_rules
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (OLD.community_id, NEW.community_id);
END;

CREATE TRIGGER cache_routing_rules_delete AFTER DELETE ON routing_rules
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = OLD.community_id;
END;

CREATE TRIGGER cache_sla_policies_insert AFTER INSERT ON sla_policies
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = NEW.community_id;
END;

CREATE TRIGGER cache_sla_policies_update AFTER UPDATE ON sla_policies
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (OLD.community_id, NEW.community_id);
END;

CREATE TRIGGER cache_sla_policies_delete AFTER DELETE ON sla_policies
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = OLD.community_id;
END;

CREATE TRIGGER cache_street_calendars_insert AFTER INSERT ON street_calendars
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (SELECT id FROM communities WHERE street_id = NEW.street_id);
END;

CREATE TRIGGER cache_street_calendars_update AFTER UPDATE ON street_calendars
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (SELECT id FROM communities WHERE street_id IN (OLD.street_id, NEW.street_id));
END;

CREATE TRIGGER cache_street_calendars_delete AFTER DELETE ON street_calendars
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (SELECT id FROM communities WHERE street_id = OLD.street_id);
END;

CREATE TRIGGER cache_street_calendar_days_insert AFTER INSERT ON street_calendar_days
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (SELECT id FROM communities WHERE street_id = NEW.street_id);
END;

CREATE TRIGGER cache_street_calendar_days_update AFTER UPDATE ON street_calendar_days
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (SELECT id FROM communities WHERE street_id IN (OLD.street_id, NEW.street_id));
END;

CREATE TRIGGER cache_street_calendar_days_delete AFTER DELETE ON street_calendar_days
BEGIN
    UPDATE community_versions SET version = version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (SELECT id FROM communities WHERE street_id = OLD.street_id);
END;

-- ---- feed_version: what a feed card shows ----

CREATE TRIGGER cache_threads_insert AFTER INSERT ON threads
BEGIN
    UPDATE community_versions SET feed_version = feed_version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = NEW.community_id;
END;

CREATE TRIGGER cache_threads_update
AFTER UPDATE OF community_id, kind, title, body, author_id, author_role, review_state, pinned, locked, reply_count, support_count,
                last_activity_at, feed_seq ON threads
BEGIN
    UPDATE community_versions SET feed_version = feed_version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (OLD.community_id, NEW.community_id);
END;

CREATE TRIGGER cache_threads_delete AFTER DELETE ON threads
BEGIN
    UPDATE community_versions SET feed_version = feed_version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = OLD.community_id;
END;

CREATE TRIGGER cache_thread_supports_insert AFTER INSERT ON thread_supports
BEGIN
    UPDATE community_versions SET feed_version = feed_version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = (SELECT community_id FROM threads WHERE id = NEW.thread_id);
END;

CREATE TRIGGER cache_thread_supports_delete AFTER DELETE ON thread_supports
BEGIN
    UPDATE community_versions SET feed_version = feed_version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = (SELECT community_id FROM threads WHERE id = OLD.thread_id);
END;

CREATE TRIGGER cache_thread_follows_insert AFTER INSERT ON thread_follows
BEGIN
    UPDATE community_versions SET feed_version = feed_version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = (SELECT community_id FROM threads WHERE id = NEW.thread_id);
END;

CREATE TRIGGER cache_thread_follows_delete AFTER DELETE ON thread_follows
BEGIN
    UPDATE community_versions SET feed_version = feed_version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id = (SELECT community_id FROM threads WHERE id = OLD.thread_id);
END;

CREATE TRIGGER cache_users_rename AFTER UPDATE OF display_name ON users
BEGIN
    UPDATE community_versions SET feed_version = feed_version + 1, changed = (SELECT MAX(changed) FROM community_versions) + 1
    WHERE community_id IN (SELECT community_id FROM memberships WHERE user_id = NEW.id);
END;

-- ---- hot reads (HotQueryPlanTests) ----

-- The repair list walks a community's tickets newest first and keeps those the caller sees: with
-- who reported it, where and its state in the index, the rows a resident may not see are skipped
-- without reading the ticket (at 2,000 tickets a community: 60 ms of reads for a resident's 11).
DROP INDEX ix_repair_tickets_community;
CREATE INDEX ix_repair_tickets_list ON repair_tickets (community_id, id, reporter_id, unit_id, state, technician_id);

-- A body's case queue, oldest first, without sorting the community's cases.
CREATE INDEX ix_cases_community ON cases (community_id, id, responsible_body, state);
