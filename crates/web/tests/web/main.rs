//! Integration tests of the real router, each on SQLite and (when
//! `COURTYARD_TEST_POSTGRES_URL` is set) PostgreSQL.

mod accounts;
mod attacks;
mod documents;
mod files;
mod invoices;
mod isolation;
mod own_account;
mod pages;
mod pdfs;
mod records;
mod security;
mod staff;
mod statuses;
mod support;
