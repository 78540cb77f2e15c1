-- Portable SQL: runs unchanged on SQLite and PostgreSQL (see docs/adr/0002).
-- Ids are random UUIDs as TEXT; times are unix seconds (BIGINT, UTC);
-- flags are BIGINT 0/1; dates are 'YYYY-MM-DD' TEXT.

CREATE TABLE staff_users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE companies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    website TEXT,
    address TEXT,
    tags TEXT NOT NULL DEFAULT '',
    portal_access TEXT NOT NULL DEFAULT 'off',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX companies_name ON companies (name, id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    company_id TEXT REFERENCES companies (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    job_title TEXT,
    tags TEXT NOT NULL DEFAULT '',
    portal_access TEXT NOT NULL DEFAULT 'inherit',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_company ON contacts (company_id);
CREATE INDEX contacts_name ON contacts (last_name, first_name, id);

CREATE TABLE permission_sets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    grants TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE portal_users (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL UNIQUE REFERENCES contacts (id),
    email TEXT NOT NULL UNIQUE,
    permission_set_id TEXT NOT NULL REFERENCES permission_sets (id),
    record_scope TEXT NOT NULL DEFAULT 'company',
    state TEXT NOT NULL DEFAULT 'awaiting',
    password_hash TEXT,
    access_from TEXT,
    access_until TEXT,
    invited_at BIGINT,
    activated_at BIGINT,
    last_login_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX portal_users_state ON portal_users (state, email);

-- A session id is 256 random bits; only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_kind, user_id);

-- One-time tokens (invitation, password reset, staff setup); stored hashed.
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    user_kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX tokens_user ON tokens (user_kind, user_id, purpose);

-- Transactional outbox: written in the same transaction as the change.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    done_at BIGINT
);
CREATE INDEX outbox_due ON outbox (done_at, run_at);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_bucket ON login_failures (bucket, at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
