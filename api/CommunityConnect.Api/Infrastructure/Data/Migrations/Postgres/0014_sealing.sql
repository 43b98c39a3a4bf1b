-- Sealed means sealed in storage too (issue 12). The register of anonymous items: for each, the
-- pseudonym its rows carry instead of the author (opinions.author_key, cases.author_key, the
-- recipient_key of its author's notices) and the random nonce it was made with. No user, no
-- community, no time: only the server's keys recompute which pseudonyms are a user's
-- (Infrastructure/Anonymity/AnonymousAuthors.cs). Rows of the old form (author_key = the author's
-- named key) are moved by the data migration 0014_sealing_data (Features/ComplaintBox/SealingMigration.cs).
CREATE TABLE anonymous_items (
    pseudonym text    PRIMARY KEY,
    nonce     text    NOT NULL,
    item_kind text    NOT NULL,
    item_id   bigint  NOT NULL,
    UNIQUE (item_kind, item_id)
);
