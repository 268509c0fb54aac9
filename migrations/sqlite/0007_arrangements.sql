-- Contact arrangements, routing decisions, and an outbox that can forward and claim.
--  * `arrangements` holds what a case conference decided for one customer (kind, nominated
--    staff member and deputy, who authorised it, reasons, when the customer was told, review
--    date); `arrangement_events` keeps every change (added, renewed, ended) with its reasons.
--    An arrangement lapses at its review date unless renewed: its status is computed, never
--    stored. Customers still carry no status column.
--  * `staff_absences`: a staff member away from one date to another, for the deputy rule.
--  * `routing_decisions`: one row per inbound email item the routing stage looked at, with
--    its outcome (routed, copied, not-routed) and the reason; `routing_cursor` is where the
--    stage resumes (set to the newest item at migration, so history is never forwarded).
--  * The outbox gains recipients as rows, extra headers, an attachment reference to a raw
--    item (attached byte for byte), the item a message concerns, and a claim (owner and
--    expiry) so several daemons on one database never send one message twice.
CREATE TABLE arrangements (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    kind           TEXT    NOT NULL,
    nominated      TEXT,
    deputy         TEXT,
    frequency_days INTEGER,
    service_areas  TEXT    NOT NULL DEFAULT '',
    decided_on     TEXT    NOT NULL,
    attendees      TEXT    NOT NULL,
    authorised_by  TEXT    NOT NULL,
    reasons        TEXT    NOT NULL,
    told_on        TEXT    NOT NULL,
    review_on      TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    ended_at       INTEGER,
    ended_reason   TEXT
);
CREATE INDEX arrangements_customer ON arrangements(customer_id);

CREATE TABLE arrangement_events (
    id             INTEGER PRIMARY KEY,
    arrangement_id INTEGER NOT NULL REFERENCES arrangements(id),
    action         TEXT    NOT NULL CHECK (action IN ('added', 'renewed', 'ended')),
    at             INTEGER NOT NULL,
    by_whom        TEXT    NOT NULL,
    reasons        TEXT    NOT NULL,
    review_on      TEXT
);
CREATE INDEX arrangement_events_arrangement ON arrangement_events(arrangement_id);

CREATE TABLE staff_absences (
    id          INTEGER PRIMARY KEY,
    email       TEXT    NOT NULL,
    from_on     TEXT    NOT NULL,
    until_on    TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX staff_absences_email ON staff_absences(email);

CREATE TABLE routing_decisions (
    item_id        INTEGER PRIMARY KEY REFERENCES items(id),
    decided_at     INTEGER NOT NULL,
    customer_id    INTEGER REFERENCES customers(id),
    arrangement_id INTEGER REFERENCES arrangements(id),
    outcome        TEXT    NOT NULL CHECK (outcome IN ('routed', 'copied', 'not-routed')),
    reason         TEXT    NOT NULL,
    recipients     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX routing_decisions_customer ON routing_decisions(customer_id, decided_at);

CREATE TABLE routing_cursor (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    last_item_id INTEGER NOT NULL
);
INSERT INTO routing_cursor (id, last_item_id) SELECT 1, COALESCE(MAX(id), 0) FROM items;

ALTER TABLE outbox ADD COLUMN concerns_item_id INTEGER REFERENCES items(id);
ALTER TABLE outbox ADD COLUMN attach_raw_id INTEGER REFERENCES raw_items(id);
ALTER TABLE outbox ADD COLUMN headers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claim_expires_at INTEGER;

CREATE TABLE outbox_recipients (
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    position  INTEGER NOT NULL,
    address   TEXT    NOT NULL,
    PRIMARY KEY (outbox_id, position)
);
WITH RECURSIVE split(outbox_id, position, address, rest) AS (
    SELECT id, 0, '', recipients || ',' FROM outbox
    UNION ALL
    SELECT outbox_id, position + 1, trim(substr(rest, 1, instr(rest, ',') - 1)),
           substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO outbox_recipients (outbox_id, position, address)
SELECT outbox_id, position, address FROM split WHERE address <> '';
