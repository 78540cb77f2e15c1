-- Files attached to records. The bytes live in the file store under `key`
-- (made by the application); a row is written only after its bytes are
-- stored, so no row ever lacks its bytes. Files are hidden from the portal
-- until staff share them, except a customer's own uploads.
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    company_id TEXT REFERENCES companies (id),
    display_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    shared BIGINT NOT NULL DEFAULT 0,
    uploaded_by_kind TEXT NOT NULL,
    uploaded_by_id TEXT NOT NULL,
    uploaded_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_record ON files (record_type, record_id, created_at);
