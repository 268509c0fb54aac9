-- Advisory flags in one shape (issue 8): pattern flags (customer level, a window, figures,
-- evidence) and item flags (one item, its matched sentence), reviewed by people, deleted when
-- they expire.
--  * `item_id` is set for an item flag (language-review, safety, …) and NULL for a pattern
--    flag; an item flag is keyed by its item and kind, so a rescan never raises it twice;
--  * at most one OPEN pattern flag per customer, kind and window, enforced here (a partial
--    unique index, the same on PostgreSQL);
--  * `reviewed_by` / `reviewed_at` record who acknowledged or dismissed a flag; the note is
--    `state_note` (required by the CLI and checked by the guard);
--  * `item_context` holds the context cues (support-consideration, communication-needs)
--    found in an item's own words: shown beside flags, never a flag and never a column on
--    customers;
--  * `item_marks` holds what the signal stage derived from an item's text for topics: the
--    thread root (References / In-Reply-To / Message-ID) and MinHash band keys;
--  * `stage_cursors` says how far each incremental stage (signals, patterns) has read, by
--    item id.
ALTER TABLE flags ADD COLUMN item_id BIGINT REFERENCES items(id);
ALTER TABLE flags ADD COLUMN sentence TEXT;
ALTER TABLE flags ADD COLUMN reviewed_by TEXT;
ALTER TABLE flags ADD COLUMN reviewed_at BIGINT;
CREATE UNIQUE INDEX flags_one_open ON flags(customer_id, kind, window_start, window_end)
    WHERE state = 'open' AND item_id IS NULL;
CREATE UNIQUE INDEX flags_item ON flags(item_id, kind) WHERE item_id IS NOT NULL;
CREATE INDEX flags_expiry ON flags(expires_at);
CREATE INDEX flag_evidence_item ON flag_evidence(item_id);

CREATE TABLE item_context (
    item_id  BIGINT  NOT NULL REFERENCES items(id),
    kind     TEXT    NOT NULL,
    sentence TEXT    NOT NULL,
    cue      TEXT    NOT NULL,
    PRIMARY KEY (item_id, kind)
);

CREATE TABLE item_marks (
    item_id     BIGINT PRIMARY KEY REFERENCES items(id),
    thread_root TEXT,
    bands       TEXT
);

CREATE TABLE stage_cursors (
    stage      TEXT    PRIMARY KEY,
    item_id    BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
