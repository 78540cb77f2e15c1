-- A portal user's task list filters by company first (then by project
-- membership): page through a company's tasks by date without scanning
-- every company's.
CREATE INDEX tasks_company_created ON tasks (company_id, created_on, id);
