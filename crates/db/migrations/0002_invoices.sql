-- Invoices, their lines, per-type number sequences and the record of
-- customer views. Portable SQL, as in 0001.

CREATE TABLE sequences (
    kind TEXT PRIMARY KEY,
    prefix TEXT NOT NULL,
    next_value BIGINT NOT NULL
);

CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL REFERENCES companies (id),
    contact_id TEXT REFERENCES contacts (id),
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    paid_on TEXT,
    subtotal BIGINT NOT NULL,
    tax_total BIGINT NOT NULL,
    total BIGINT NOT NULL,
    amount_paid BIGINT NOT NULL DEFAULT 0,
    balance BIGINT NOT NULL,
    terms TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Keyset pagination per company for each sort, and for own-scope users.
CREATE INDEX invoices_company_issued ON invoices (company_id, issued_on, id);
CREATE INDEX invoices_company_due ON invoices (company_id, due_on, id);
CREATE INDEX invoices_company_total ON invoices (company_id, total, id);
CREATE INDEX invoices_contact_issued ON invoices (contact_id, issued_on, id);
CREATE INDEX invoices_issued ON invoices (issued_on, id);

CREATE TABLE invoice_lines (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    quantity_milli BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    tax_rate_bp BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL,
    net BIGINT NOT NULL
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, position);

-- Every customer view or download of a record (staff previews excluded).
CREATE TABLE record_views (
    id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    portal_user_id TEXT NOT NULL REFERENCES portal_users (id),
    kind TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX record_views_record ON record_views (record_type, record_id, at);
