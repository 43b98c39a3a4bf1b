-- Running totals of a ballot (issue 16: a tally of 100,000 units under 200 ms): one row per choice,
-- added to in the same unit of work that appends a vote to the chain, so the live tally reads three
-- rows instead of joining every entry to its voting owner. The chain stays the authority: /verify
-- recomputes it, and the closing job freezes the tally from the chain itself.
CREATE TABLE ballot_totals (
    ballot_id       INTEGER NOT NULL REFERENCES ballots (id),
    choice          TEXT    NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    owners          INTEGER NOT NULL,
    area_centi_sq_m INTEGER NOT NULL,
    PRIMARY KEY (ballot_id, choice)
);

-- Ballots that already have votes start from what their chains hold.
INSERT INTO ballot_totals (ballot_id, choice, owners, area_centi_sq_m)
SELECT e.ballot_id, e.choice, COUNT(*), COALESCE(SUM(o.area_centi_sq_m), 0)
FROM ballot_entries e
JOIN ballot_owners o ON o.ballot_id = e.ballot_id AND o.voter_token = e.voter_token
GROUP BY e.ballot_id, e.choice;
