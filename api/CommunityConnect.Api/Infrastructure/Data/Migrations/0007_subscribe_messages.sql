-- WeChat subscribe messages: the consents users gave, and the outbox that mirrors inbox notices.

-- Each consent in the mini-app (wx.requestSubscribeMessage) allows one message of that template.
CREATE TABLE subscription_consents (
    user_id      INTEGER NOT NULL REFERENCES users (id),
    template_key TEXT    NOT NULL,
    remaining    INTEGER NOT NULL CHECK (remaining >= 0),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, template_key)
);

-- Written in the same unit of work as the notification it mirrors. States:
--   pending → sending (claimed, consent taken) → sent | consent_used_up (43101) | rejected (47003 or another errcode)
--   pending → no_consent;  sending → unknown (no answer: never resent, WeChat may have delivered it)
--   sending → pending again only when WeChat said busy (-1) after the client's own retries.
CREATE TABLE outbox_messages (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    notification_id INTEGER REFERENCES notifications (id),
    template_key    TEXT    NOT NULL,
    data            TEXT    NOT NULL,
    page            TEXT,
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'no_consent', 'consent_used_up', 'rejected', 'unknown')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX ix_outbox_due ON outbox_messages (state, next_attempt_at);
