-- A quarantine entry a person has looked at and dismissed: when, by whom, and why (a note,
-- required). Dismissed entries are no longer listed by default nor counted in digests.
ALTER TABLE quarantine ADD COLUMN dismissed_at BIGINT;
ALTER TABLE quarantine ADD COLUMN dismissed_by TEXT;
ALTER TABLE quarantine ADD COLUMN dismissal_note TEXT;
