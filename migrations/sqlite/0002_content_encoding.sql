-- Raw bytes may be stored compressed; `content_encoding` says how ('identity' or 'lz4').
ALTER TABLE raw_items ADD COLUMN content_encoding TEXT NOT NULL DEFAULT 'identity';
