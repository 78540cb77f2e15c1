-- The staff overview counts records waiting for staff by status (open
-- tickets, quote and job requests): an index each keeps that cheap at scale.
CREATE INDEX tickets_status ON tickets (status);
CREATE INDEX quotes_status ON quotes (status);
CREATE INDEX jobs_status ON jobs (status);
