-- Linking becomes its own stage (pipeline/identity), after ingest:
--  * an item keeps the identifiers it was found with (`link_input`, JSON: the primary
--    identifier, the other strong identifiers, the name seen with them); items with nothing to
--    link (staff-only, automated) have none;
--  * which customer it belongs to is a decision stored with its method, confidence, reasons,
--    when, and who decided (`linked_by`: NULL for the rules, else the person; a person's
--    decision is never undone by a later automatic pass);
--  * a merged customer keeps its row and key, pointing at the survivor (`merged_into`), so a
--    merged key still resolves;
--  * uncertain links wait in `link_reviews` for a person; every staff correction is in
--    `audit_log` (who, when, why, what).
ALTER TABLE items ADD COLUMN link_input TEXT;
ALTER TABLE items ADD COLUMN link_method TEXT;
ALTER TABLE items ADD COLUMN link_confidence REAL;
ALTER TABLE items ADD COLUMN link_reasons TEXT;
ALTER TABLE items ADD COLUMN linked_by TEXT;
ALTER TABLE items ADD COLUMN linked_at INTEGER;
-- Items stored before decisions were recorded were linked in their ingest transaction.
UPDATE items SET linked_at = occurred_at, link_method = 'identifier',
    link_reasons = '["linked before link decisions were recorded"]'
    WHERE customer_id IS NOT NULL;
-- The link stage takes waiting items earliest contact first.
CREATE INDEX items_link_pending ON items(occurred_at, id) WHERE linked_at IS NULL AND link_input IS NOT NULL;

-- An identifier a person moved (a split) keeps who did; a full re-resolve keeps it.
ALTER TABLE identifiers ADD COLUMN decided_by TEXT;

ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers(id);
CREATE INDEX customers_merged ON customers(merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE link_reviews (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES items(id),
    candidate_id INTEGER NOT NULL REFERENCES customers(id),
    score        REAL    NOT NULL,
    reasons      TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'rejected')),
    created_at   INTEGER NOT NULL,
    decided_by   TEXT,
    decided_at   INTEGER,
    note         TEXT
);
CREATE UNIQUE INDEX link_reviews_pair ON link_reviews(item_id, candidate_id);
CREATE INDEX link_reviews_open ON link_reviews(state, id);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    subject TEXT    NOT NULL,
    reason  TEXT    NOT NULL,
    details TEXT    NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log(subject, id);
