-- The CSRF token of a signed-in request is derived from its session cookie
-- (crates/web/src/csrf.rs), so sessions no longer store one.
ALTER TABLE sessions DROP COLUMN csrf_token;
