-- The app's WeChat access token, shared by every node (issue 19). WeChat keeps one valid token per
-- app: a node that fetched its own would invalidate the others' (cgi-bin/token) or burn the daily
-- refresh quota (stable_token). So one row per app id holds the token and a lease: a node takes the
-- lease with an UPDATE that names the state it read (generation, no live lease) and checks its row
-- count, fetches, and writes the token back; the others poll the row until the token is there.
--   generation    bumped by every change of the token (stored or dropped): what a node compares before
--                 it drops a token WeChat rejected, so it never drops a newer one another node stored
--   sealed_token  AES-GCM under a key derived from Keys:Seal, the app id as associated data (a copy of
--                 the database alone is not a working token); NULL while there is none
--   fetched_at, expires_at   when it was fetched and when WeChat said it expires (expires_in), in ms
--   lease_holder, lease_until   who is fetching (node and lease id) and until when the lease holds:
--                 after that another node may take over (the holder died or hangs)
CREATE TABLE wechat_access_tokens (
    app_id       TEXT    NOT NULL PRIMARY KEY,
    generation   INTEGER NOT NULL DEFAULT 0,
    sealed_token TEXT,
    fetched_at   INTEGER,
    expires_at   INTEGER,
    lease_holder TEXT,
    lease_until  INTEGER,
    CHECK ((sealed_token IS NULL) = (expires_at IS NULL)),
    CHECK ((lease_holder IS NULL) = (lease_until IS NULL))
);
