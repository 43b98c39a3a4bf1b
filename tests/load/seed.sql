-- Bulk seed for tests/load/run.sh, run with sqlite3 on a database the api has migrated and seeded
-- with the demo street (the demo's communities keep their ids). Adds, in street 1:
--   49 communities (ids 101..149) with 10 buildings × 20 units each (9,800 units, 100 m² each),
--   19,600 residents (handles load{unitId}_1 and load{unitId}_2: two per unit),
--   100,000 discussion threads (2,040 or 2,041 per community), 1,000,000 replies (10 per thread,
--   reply counts kept), 100,000 repair tickets (2,040 or 2,041 per community) each with its open
--   case, a property staff member of community 101 (handle load_staff), and for the vote and chat
--   rows community 101's owners register of 10,000 units, 1,000 of its owners in the app (handles
--   load_owner_N) each with an open conversation, and an owners' committee member (load_owners).
-- Times are milliseconds; everything is dated in the 30 days before @now (the first line).
PRAGMA foreign_keys = OFF;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE p (now INTEGER);
INSERT INTO p VALUES (CAST(strftime('%s', 'now') AS INTEGER) * 1000);

WITH RECURSIVE n(i) AS (SELECT 101 UNION ALL SELECT i + 1 FROM n WHERE i < 149)
INSERT INTO communities (id, street_id, name, address)
SELECT i, 1, '压测小区' || i, '压测路' || i || '号' FROM n;

WITH RECURSIVE c(i) AS (SELECT 101 UNION ALL SELECT i + 1 FROM c WHERE i < 149),
               b(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM b WHERE j < 10)
INSERT INTO buildings (community_id, number, name)
SELECT i, j, j || '号楼' FROM c, b;

WITH RECURSIVE f(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM f WHERE k < 10),
               d(m) AS (SELECT 1 UNION ALL SELECT m + 1 FROM d WHERE m < 2)
INSERT INTO units (community_id, building_id, number, floor, area_centi_sq_m)
SELECT b.community_id, b.id, k * 100 + m, k, 10000 FROM buildings b, f, d WHERE b.community_id >= 101;

-- Two residents per unit: 19,600 users.
WITH RECURSIVE two(r) AS (SELECT 1 UNION ALL SELECT 2)
INSERT INTO users (handle, display_name, created_at)
SELECT 'load' || u.id || '_' || r, '居民' || u.id || '-' || r, (SELECT now FROM p) - 40 * 86400000
FROM units u, two WHERE u.community_id >= 101;

INSERT INTO memberships (user_id, community_id, role, unit_id, verification, created_at)
SELECT us.id, un.community_id, 'resident', un.id, 'verified', us.created_at
FROM users us JOIN units un ON us.handle LIKE 'load%' AND un.id = CAST(substr(us.handle, 5, instr(us.handle, '_') - 5) AS INTEGER);

-- 100,000 threads spread over the 49 communities, authors from the community.
CREATE TEMP TABLE community_users AS
SELECT m.community_id, m.user_id, ROW_NUMBER() OVER (PARTITION BY m.community_id ORDER BY m.user_id) - 1 AS k
FROM memberships m WHERE m.community_id >= 101 AND m.role = 'resident';
CREATE INDEX temp.ix_cu ON community_users (community_id, k);

WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < 99999)
INSERT INTO threads (community_id, kind, title, body, author_id, author_role, created_at, last_activity_at, feed_seq, reply_count)
SELECT 101 + i % 49, 'discussion',
       '压测话题' || i || ':楼道照明和电梯维护',
       '三号楼的楼道灯晚上经常不亮,电梯按钮也有几个失灵了,希望物业尽快检修。第' || i || '次反馈。',
       (SELECT user_id FROM community_users WHERE community_id = 101 + i % 49 AND k = (i / 49) % 400),
       '居民',
       (SELECT now FROM p) - 30 * 86400000 + i * 25000,
       (SELECT now FROM p) - 30 * 86400000 + i * 25000 + 600000,
       i / 49 + 1,
       10
FROM t;
INSERT OR REPLACE INTO thread_feed_sequence (community_id, value)
SELECT community_id, MAX(feed_seq) FROM threads WHERE community_id >= 101 GROUP BY community_id;
-- The hall's routing job (issue 14) reads each new discussion once: these are old news, not a backlog
-- to route while the load runs. And the hotspot radar's thresholds are out of reach, so it reads the
-- load communities' items each minute but raises nothing (the load measures the api, not the radar).
UPDATE threads SET routing_analysed_at = created_at WHERE community_id >= 101;
INSERT OR REPLACE INTO hotspot_settings (community_id, short_hours, short_residents, long_days, long_residents, updated_at)
SELECT id, 24, 100000, 2, 100000, (SELECT now FROM p) FROM communities WHERE id >= 101;

-- 1,000,000 replies: 10 per thread, from the thread's community.
WITH RECURSIVE r(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM r WHERE j < 9)
INSERT INTO thread_replies (thread_id, author_id, author_role, body, created_at)
SELECT th.id,
       (SELECT user_id FROM community_users WHERE community_id = th.community_id AND k = (th.id * 7 + j) % 400),
       '居民', '同意,我家这边也是这样。第' || j || '楼回复。', th.created_at + (j + 1) * 60000
FROM threads th, r WHERE th.community_id >= 101;

-- 100,000 repair tickets, each with its open case (case ids follow the ticket ids).
WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < 99999)
INSERT INTO repair_tickets (community_id, category, description, unit_id, reporter_id, created_by, state, created_at, updated_at)
SELECT cu.community_id, 'water', '厨房水槽下面的水管漏水,压测报修' || t.i,
       m.unit_id, cu.user_id, cu.user_id, 'submitted',
       (SELECT now FROM p) - 30 * 86400000 + t.i * 25000, (SELECT now FROM p) - 30 * 86400000 + t.i * 25000
FROM t JOIN community_users cu ON cu.community_id = 101 + t.i % 49 AND cu.k = (t.i / 49) % 400
JOIN memberships m ON m.user_id = cu.user_id AND m.community_id = cu.community_id AND m.role = 'resident';

INSERT INTO cases (community_id, kind, item_id, category, urgent, responsible_body, state, author_key, created_at, updated_at)
SELECT community_id, 'repair', id, category, 0, 'property', 'open', 'load-seed', created_at, updated_at
FROM repair_tickets WHERE community_id >= 101;
UPDATE repair_tickets SET case_id = (SELECT c.id FROM cases c WHERE c.kind = 'repair' AND c.item_id = repair_tickets.id)
WHERE community_id >= 101;

-- Property staff of community 101.
INSERT INTO users (handle, display_name, created_at) VALUES ('load_staff', '压测物业', (SELECT now FROM p));
INSERT INTO memberships (user_id, community_id, role, verification, created_at)
SELECT id, 101, 'property_staff', 'verified', created_at FROM users WHERE handle = 'load_staff';
-- Owners' online voting and chat (the vote and chat rows): community 101's owners register of
-- 10,000 units (50 buildings × 200, 1 owner each, 80–120 m²), 1,000 of those owners verified in the
-- app (handles load_owner_1..1000: each an owner holding their register key and a resident of one of
-- the community's units), one open conversation each (1,000 conversations), and the owners'
-- committee member (handle load_owners) who creates the ballots once the api runs (run.sh).
INSERT INTO owners_register_versions (community_id, state, created_at, buildings, units, owners, total_area_centi_sq_m)
VALUES (101, 'current', (SELECT now FROM p), 50, 10000, 10000, 0);
CREATE TEMP TABLE register AS
WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < 9999)
SELECT i, CAST(i / 200 + 1 AS TEXT) AS building, CAST(i % 200 + 101 AS TEXT) AS unit, (i % 200) / 10 + 1 AS floor,
       8000 + (i * 37) % 4001 AS area, 'LOADKEY' || printf('%05d', i + 1) AS owner_key
FROM r;
INSERT INTO owners_register_units (version_id, building, unit, floor, area_centi_sq_m, owner_set)
SELECT (SELECT id FROM owners_register_versions WHERE community_id = 101 AND state = 'current'), building, unit, floor, area, owner_key FROM register;
INSERT INTO owners_register_keys (version_id, owner_key, building, unit)
SELECT (SELECT id FROM owners_register_versions WHERE community_id = 101 AND state = 'current'), owner_key, building, unit FROM register;
UPDATE owners_register_versions SET total_area_centi_sq_m = (SELECT SUM(area) FROM register)
WHERE community_id = 101 AND state = 'current';

WITH RECURSIVE o(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM o WHERE i < 1000)
INSERT INTO users (handle, display_name, created_at)
SELECT 'load_owner_' || i, '业主' || i, (SELECT now FROM p) - 40 * 86400000 FROM o;
CREATE TEMP TABLE load_owners AS
SELECT us.id AS user_id, CAST(substr(us.handle, 12) AS INTEGER) AS i, us.created_at
FROM users us WHERE us.handle LIKE 'load\_owner\_%' ESCAPE '\';
INSERT INTO memberships (user_id, community_id, role, owner_key, verification, created_at)
SELECT user_id, 101, 'owner', 'LOADKEY' || printf('%05d', i), 'verified', created_at FROM load_owners;
CREATE TEMP TABLE units_101 AS
SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM units WHERE community_id = 101;
INSERT INTO memberships (user_id, community_id, role, unit_id, verification, created_at)
SELECT lo.user_id, 101, 'resident', u.id, 'verified', lo.created_at
FROM load_owners lo JOIN units_101 u ON u.k = (lo.i - 1) % 200;
INSERT INTO conversations (community_id, user_id, state, turn, created_at, updated_at)
SELECT 101, user_id, 'collecting', 0, (SELECT now FROM p), (SELECT now FROM p) FROM load_owners;

INSERT INTO users (handle, display_name, created_at) VALUES ('load_owners', '压测业委会', (SELECT now FROM p));
INSERT INTO memberships (user_id, community_id, role, verification, created_at)
SELECT id, 101, 'owners_committee', 'verified', created_at FROM users WHERE handle = 'load_owners';
COMMIT;
ANALYZE;
