-- Overdue is no longer a status staff pick: an unpaid or partly paid invoice
-- past its due date with a balance shows Overdue (SalesKind::shown_status,
-- and the same rule in the list filters). A stored 'overdue' becomes what it
-- was underneath.
UPDATE invoices SET status = CASE WHEN balance <= 0 THEN 'paid' WHEN amount_paid > 0 THEN 'partially_paid' ELSE 'unpaid' END
WHERE status = 'overdue';

-- A void invoice owes nothing.
UPDATE invoices SET balance = 0 WHERE status = 'void';
