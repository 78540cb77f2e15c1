-- PDF templates staff write (Typst source, docs/adr/0010). The built-in
-- template of each type is in the binary, not here. Which template the
-- portal uses per type is the setting `pdf.default.<kind>` (a template id
-- whose audience is 'sharing'; absent = the built-in).
CREATE TABLE document_templates (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    audience TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX document_templates_kind ON document_templates (kind, name, id);
