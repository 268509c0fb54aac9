-- Every channel through one funnel (calls, letters, notes beside email):
--  * items get their own ids: one raw item may yield many items (a call-log file → many calls),
--    each under a unique (raw_id, part); `dedupe_key` recognises one item met again in another
--    raw item (a call row in two overlapping exports);
--  * `details` holds channel specifics as JSON (call duration and result, letter fields);
--    `body` the text kept with letters and notes (email text stays in the raw message);
--  * checkpoints become an opaque cursor of each source's own;
--  * OCR is a queued stage: the scan is committed first, `ocr_jobs` says what is left to read.
-- SQLite cannot drop a primary key's foreign key in place, so `items` is rebuilt (the
-- documented 12-step procedure: copy, swap, check). `Store::migrate` runs SQLite migrations
-- with foreign keys off and checks every foreign key afterwards.
CREATE TABLE items_new (
    id           INTEGER PRIMARY KEY,
    raw_id       INTEGER NOT NULL REFERENCES raw_items(id),
    part         INTEGER NOT NULL DEFAULT 0,
    dedupe_key   TEXT,
    item_ref     TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    direction    TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    occurred_at  INTEGER NOT NULL,
    customer_id  INTEGER REFERENCES customers(id),
    counterpart  TEXT,
    subject      TEXT,
    excerpt      TEXT,
    thread_key   TEXT,
    automated    INTEGER NOT NULL DEFAULT 0,
    details      TEXT,
    body         TEXT
);
INSERT INTO items_new (id, raw_id, part, item_ref, channel, direction, occurred_at, customer_id,
                       counterpart, subject, excerpt, thread_key, automated)
SELECT id, id, 0, item_ref, channel, direction, occurred_at, customer_id, counterpart, subject,
       excerpt, thread_key, automated FROM items;
DROP TABLE items;
ALTER TABLE items_new RENAME TO items;
CREATE UNIQUE INDEX items_raw_part ON items(raw_id, part);
-- Partial: most items (email, letters, notes) have no dedupe key and cost this index nothing.
CREATE UNIQUE INDEX items_dedupe ON items(dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX items_customer_time ON items(customer_id, occurred_at);
CREATE INDEX items_time ON items(occurred_at);

CREATE TABLE checkpoints_new (
    source     TEXT    PRIMARY KEY,
    cursor     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO checkpoints_new (source, cursor, updated_at)
SELECT source, uid_validity || ':' || last_uid || ':' || COALESCE(highest_modseq, ''), updated_at
FROM checkpoints;
DROP TABLE checkpoints;
ALTER TABLE checkpoints_new RENAME TO checkpoints;

CREATE TABLE ocr_jobs (
    raw_id      INTEGER PRIMARY KEY REFERENCES raw_items(id),
    source      TEXT    NOT NULL,
    locator     TEXT    NOT NULL,
    received_at INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
-- A call-log file is one raw item with many rows: each unreadable row is its own quarantine
-- entry, under (raw_id, part) like items.
DROP INDEX quarantine_raw;
ALTER TABLE quarantine ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX quarantine_raw_part ON quarantine(raw_id, part) WHERE raw_id IS NOT NULL;
-- What the source said about a raw item, so a later stage (OCR, a quarantine retry) can read
-- it again exactly as the source handed it over.
ALTER TABLE raw_items ADD COLUMN received_at INTEGER;
ALTER TABLE raw_items ADD COLUMN direction TEXT NOT NULL DEFAULT 'inbound';
