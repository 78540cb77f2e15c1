-- Quotes and sales orders (the same shape as invoices), jobs, projects with
-- members and milestones, tasks, tickets, and comments on all of them.
-- Portable SQL, as in 0001.

ALTER TABLE invoices ADD COLUMN owner_staff_id TEXT REFERENCES staff_users (id);
ALTER TABLE invoices ADD COLUMN first_viewed_at BIGINT;

CREATE TABLE quotes (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL REFERENCES companies (id),
    contact_id TEXT REFERENCES contacts (id),
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    -- For a quote: valid until.
    due_on TEXT NOT NULL,
    paid_on TEXT,
    subtotal BIGINT NOT NULL,
    tax_total BIGINT NOT NULL,
    total BIGINT NOT NULL,
    amount_paid BIGINT NOT NULL DEFAULT 0,
    balance BIGINT NOT NULL,
    terms TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    owner_staff_id TEXT REFERENCES staff_users (id),
    first_viewed_at BIGINT,
    -- Who answered (accepted or declined) on the portal, and when.
    answered_by TEXT REFERENCES portal_users (id),
    answered_at BIGINT
);
CREATE INDEX quotes_company_issued ON quotes (company_id, issued_on, id);
CREATE INDEX quotes_company_due ON quotes (company_id, due_on, id);
CREATE INDEX quotes_company_total ON quotes (company_id, total, id);
CREATE INDEX quotes_contact_issued ON quotes (contact_id, issued_on, id);
CREATE INDEX quotes_issued ON quotes (issued_on, id);

CREATE TABLE quote_lines (
    id TEXT PRIMARY KEY,
    quote_id TEXT NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    quantity_milli BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    tax_rate_bp BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL,
    net BIGINT NOT NULL
);
CREATE INDEX quote_lines_quote ON quote_lines (quote_id, position);

CREATE TABLE sales_orders (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL REFERENCES companies (id),
    contact_id TEXT REFERENCES contacts (id),
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    -- For an order: delivery date.
    due_on TEXT NOT NULL,
    paid_on TEXT,
    subtotal BIGINT NOT NULL,
    tax_total BIGINT NOT NULL,
    total BIGINT NOT NULL,
    amount_paid BIGINT NOT NULL DEFAULT 0,
    balance BIGINT NOT NULL,
    terms TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    owner_staff_id TEXT REFERENCES staff_users (id),
    first_viewed_at BIGINT
);
CREATE INDEX sales_orders_company_issued ON sales_orders (company_id, issued_on, id);
CREATE INDEX sales_orders_company_due ON sales_orders (company_id, due_on, id);
CREATE INDEX sales_orders_company_total ON sales_orders (company_id, total, id);
CREATE INDEX sales_orders_contact_issued ON sales_orders (contact_id, issued_on, id);
CREATE INDEX sales_orders_issued ON sales_orders (issued_on, id);

CREATE TABLE sales_order_lines (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES sales_orders (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    quantity_milli BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    tax_rate_bp BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL,
    net BIGINT NOT NULL
);
CREATE INDEX sales_order_lines_order ON sales_order_lines (order_id, position);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL REFERENCES companies (id),
    contact_id TEXT REFERENCES contacts (id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    site_address TEXT NOT NULL DEFAULT '',
    requested_on TEXT NOT NULL,
    scheduled_on TEXT,
    description TEXT NOT NULL DEFAULT '',
    -- The portal user who requested it, when a customer did.
    requested_by TEXT REFERENCES portal_users (id),
    owner_staff_id TEXT REFERENCES staff_users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_company_requested ON jobs (company_id, requested_on, id);
CREATE INDEX jobs_contact_requested ON jobs (contact_id, requested_on, id);
CREATE INDEX jobs_requested ON jobs (requested_on, id);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL REFERENCES companies (id),
    contact_id TEXT REFERENCES contacts (id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    progress BIGINT NOT NULL DEFAULT 0,
    start_on TEXT NOT NULL,
    end_on TEXT,
    show_on_portal BIGINT NOT NULL DEFAULT 0,
    show_documents BIGINT NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    owner_staff_id TEXT REFERENCES staff_users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX projects_company_start ON projects (company_id, start_on, id);
CREATE INDEX projects_start ON projects (start_on, id);

-- The company's portal users who see a project.
CREATE TABLE project_members (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    portal_user_id TEXT NOT NULL REFERENCES portal_users (id),
    PRIMARY KEY (project_id, portal_user_id)
);
CREATE INDEX project_members_user ON project_members (portal_user_id, project_id);

CREATE TABLE milestones (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX milestones_project ON milestones (project_id, position);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    company_id TEXT NOT NULL REFERENCES companies (id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    created_on TEXT NOT NULL,
    due_on TEXT,
    description TEXT NOT NULL DEFAULT '',
    assignee_id TEXT REFERENCES portal_users (id),
    completed_at BIGINT,
    completed_by TEXT REFERENCES portal_users (id),
    owner_staff_id TEXT REFERENCES staff_users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_project_created ON tasks (project_id, created_on, id);
CREATE INDEX tasks_created ON tasks (created_on, id);
CREATE INDEX tasks_assignee ON tasks (assignee_id, status);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL REFERENCES companies (id),
    contact_id TEXT REFERENCES contacts (id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    last_activity_at BIGINT NOT NULL,
    owner_staff_id TEXT REFERENCES staff_users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tickets_company_activity ON tickets (company_id, last_activity_at, id);
CREATE INDEX tickets_contact_activity ON tickets (contact_id, last_activity_at, id);
CREATE INDEX tickets_activity ON tickets (last_activity_at, id);

-- Comments on any record, and a ticket's conversation. Internal comments
-- are for staff only and never leave the staff pages.
CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    author_kind TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    internal BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX comments_record ON comments (record_type, record_id, created_at);
