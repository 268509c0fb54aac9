-- Tidings contact log, SQLite. Times are Unix seconds (UTC).
-- Customers carry no status, category or label column: observations about contact patterns
-- live only in `flags`, which expire.

CREATE TABLE raw_items (
    id            INTEGER PRIMARY KEY,
    fingerprint   TEXT    NOT NULL UNIQUE,
    channel       TEXT    NOT NULL,
    size_bytes    INTEGER NOT NULL,
    content       BLOB,
    first_source  TEXT    NOT NULL,
    first_locator TEXT    NOT NULL,
    stored_at     INTEGER NOT NULL
);

CREATE TABLE sightings (
    source   TEXT    NOT NULL,
    locator  TEXT    NOT NULL,
    raw_id   INTEGER NOT NULL REFERENCES raw_items(id),
    seen_at  INTEGER NOT NULL,
    PRIMARY KEY (source, locator)
);
CREATE INDEX sightings_raw ON sightings(raw_id);

CREATE TABLE customers (
    id           INTEGER PRIMARY KEY,
    customer_key TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'group', 'organisation')),
    display_name TEXT,
    created_at   INTEGER NOT NULL
);

CREATE TABLE identifiers (
    kind        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX identifiers_customer ON identifiers(customer_id);

CREATE TABLE staff (
    id           INTEGER PRIMARY KEY,
    email        TEXT    NOT NULL UNIQUE,
    display_name TEXT,
    created_at   INTEGER NOT NULL
);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY REFERENCES raw_items(id),
    item_ref     TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    direction    TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    occurred_at  INTEGER NOT NULL,
    customer_id  INTEGER REFERENCES customers(id),
    counterpart  TEXT,
    subject      TEXT,
    excerpt      TEXT,
    thread_key   TEXT,
    automated    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX items_customer_time ON items(customer_id, occurred_at);
CREATE INDEX items_time ON items(occurred_at);

CREATE TABLE item_staff (
    item_id  INTEGER NOT NULL REFERENCES items(id),
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    PRIMARY KEY (item_id, staff_id)
);
CREATE INDEX item_staff_staff ON item_staff(staff_id);

CREATE TABLE quarantine (
    id             INTEGER PRIMARY KEY,
    raw_id         INTEGER REFERENCES raw_items(id),
    source         TEXT    NOT NULL,
    locator        TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    quarantined_at INTEGER NOT NULL,
    released_at    INTEGER
);
CREATE UNIQUE INDEX quarantine_raw ON quarantine(raw_id) WHERE raw_id IS NOT NULL;

CREATE TABLE checkpoints (
    source         TEXT    PRIMARY KEY,
    uid_validity   INTEGER NOT NULL,
    last_uid       INTEGER NOT NULL,
    highest_modseq INTEGER,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE flags (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    kind         TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    window_end   INTEGER NOT NULL,
    figures      TEXT    NOT NULL,
    threshold    TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'dismissed')),
    state_note   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX flags_customer_kind ON flags(customer_id, kind);
CREATE INDEX flags_created ON flags(created_at);

CREATE TABLE flag_evidence (
    flag_id INTEGER NOT NULL REFERENCES flags(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    PRIMARY KEY (flag_id, item_id)
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT    NOT NULL UNIQUE,
    purpose         TEXT    NOT NULL,
    recipients      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    failed_at       INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox(sent_at, failed_at, next_attempt_at);

CREATE TABLE digest_runs (
    period_key    TEXT    PRIMARY KEY,
    period_start  INTEGER NOT NULL,
    period_end    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
