-- The Documents module (issue 4): documents staff share with every portal
-- user ('public'), with a company ('company'), with one contact ('contact')
-- or with a project's portal members ('project'), organised by staff in
-- folders. A document's bytes are a row of `files` with record_type
-- 'document'; its `shared` flag is kept equal to the document's.
CREATE TABLE document_folders (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX document_folders_name ON document_folders (name);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    folder_id TEXT REFERENCES document_folders (id),
    audience TEXT NOT NULL,
    company_id TEXT REFERENCES companies (id),
    contact_id TEXT REFERENCES contacts (id),
    project_id TEXT REFERENCES projects (id),
    shared BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Each portal folder reads one audience, newest first, in keyset pages.
CREATE INDEX documents_public ON documents (audience, created_at, id);
CREATE INDEX documents_company ON documents (company_id, created_at, id);
CREATE INDEX documents_contact ON documents (contact_id, created_at, id);
CREATE INDEX documents_project ON documents (project_id, created_at, id);

-- Staff notices in the app (a customer uploaded something): one row per
-- staff member, unread until opened.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff_users (id),
    text TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_staff ON notifications (staff_id, created_at, id);
CREATE INDEX notifications_unread ON notifications (staff_id, read_at);

-- A file may belong to a comment on its record, and may have a thumbnail.
ALTER TABLE files ADD COLUMN comment_id TEXT;
ALTER TABLE files ADD COLUMN thumb_key TEXT;
CREATE INDEX files_thumb ON files (thumb_key);
