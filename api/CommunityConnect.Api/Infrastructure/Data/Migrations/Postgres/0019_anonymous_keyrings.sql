-- The keyring of anonymous authors (issue 12, O(1) lookup): one row per person who has filed an
-- anonymous item, so "which pseudonyms are mine" is one read, not one HMAC per anonymous item.
-- holder = HMAC of the user id under a key HKDF-derived from Keys:IdentityHash for this purpose only
-- (not RecipientKeys.ForUser, not the pseudonym key): it equals nothing stored with the person's
-- named rows. sealed = AES-GCM under a key HKDF-derived from Keys:Seal of the person's pseudonyms,
-- padded to a multiple of 8 entries, the holder as associated data: without the keys it does not
-- say which anonymous items are one person's. No community, no time
-- (Infrastructure/Anonymity/AnonymousKeyrings.cs). Keyrings for items filed before it are built by
-- the data migration 0019_anonymous_keyrings_data (Infrastructure/Anonymity/KeyringMigration.cs).
CREATE TABLE anonymous_keyrings (
    holder text PRIMARY KEY,
    sealed bytea NOT NULL
);
