//! The data layer's contract on both engines: one story per table family,
//! each a realistic sequence through `courtyard_db`'s public functions, run
//! on SQLite and (when `COURTYARD_TEST_POSTGRES_URL` is set) on PostgreSQL.
//! Each story pins the values it reads back (order, NULLs, case-insensitive
//! search, integer times and 0/1 flags), and everything it shows its
//! [`Transcript`] must read the same on every engine.
//!
//! This file holds the harness and the builders the stories share; the
//! stories are beside it: `identity`, `customers`, `sales`, `work`,
//! `documents`, `platform`, and `differences` (what the engines do not yet
//! agree on, pinned per engine).

mod customers;
mod differences;
mod documents;
mod identity;
mod platform;
mod sales;
mod work;

use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex};

use courtyard_db::companies::{self, Company, CompanyInput};
use courtyard_db::contacts::{self, Contact, ContactInput};
use courtyard_db::portal_users::{self, PortalUserSettings};
use courtyard_db::{permission_sets, staff, Backend, Conn, Db, DbError};
use courtyard_db_testing::each_backend;
use courtyard_domain::policy::{predicate, Predicate, Viewer};
use courtyard_domain::{Grants, Module, RecordScope};

/// A fixed clock: every time a story writes is `T0` plus a few seconds.
const T0: i64 = 1_700_000_000;

// ---------------------------------------------------------------------------
// The harness: a transcript per engine, compared after the story ran on all.

/// What a story read, as text, with each random id replaced by the order in
/// which it first appeared (`#1`, `#2`, …), so two engines' runs compare.
#[derive(Clone, Default)]
struct Transcript(Arc<Mutex<(Vec<String>, Vec<String>)>>);

impl Transcript {
    fn saw(&self, what: &str, value: &impl Debug) {
        let mut inner = self.0.lock().unwrap();
        let (lines, ids) = &mut *inner;
        let text = anonymize(&format!("{value:?}"), ids);
        lines.push(format!("{what}: {text}"));
    }

    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().0.clone()
    }
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn anonymize(text: &str, ids: &mut Vec<String>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.len() - i >= 36 && is_uuid(&bytes[i..i + 36]) {
            let id = &text[i..i + 36];
            let n = match ids.iter().position(|x| x == id) {
                Some(n) => n + 1,
                None => {
                    ids.push(id.to_owned());
                    ids.len()
                }
            };
            out.push_str(&format!("#{n}"));
            i += 36;
        } else {
            let c = text[i..].chars().next().expect("a char at a boundary");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Run `run_story` on every configured engine, each on a fresh database, then
/// check that every engine's transcript reads like the first's (SQLite).
async fn story<F, Fut>(run_story: F)
where
    F: Fn(Db, Transcript) -> Fut,
    Fut: Future<Output = ()>,
{
    let runs: Mutex<Vec<(Backend, Vec<String>)>> = Mutex::default();
    each_backend(|db| {
        let t = Transcript::default();
        let backend = db.backend();
        let run = run_story(db, t.clone());
        let runs = &runs;
        async move {
            run.await;
            runs.lock().unwrap().push((backend, t.lines()));
        }
    })
    .await;
    let runs = runs.into_inner().unwrap();
    assert_eq!(
        runs.len(),
        courtyard_db_testing::TestDb::backends().len(),
        "a story stopped early"
    );
    let (first, seen) = &runs[0];
    assert!(!seen.is_empty(), "the story showed its transcript nothing");
    for (backend, other) in &runs[1..] {
        for (a, b) in seen.iter().zip(other) {
            assert_eq!(b, a, "{backend:?} read something else than {first:?}");
        }
        assert_eq!(other.len(), seen.len(), "{backend:?} vs {first:?}");
    }
}

// ---------------------------------------------------------------------------
// Small builders shared by the stories.

fn pluck<T>(rows: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    rows.iter().map(|r| f(r).to_owned()).collect()
}

fn conflict_on<T: Debug>(r: courtyard_db::Result<T>, column: &str) {
    match r {
        Err(DbError::Conflict(what)) => assert!(what.contains(column), "{what} names {column}"),
        other => panic!("expected a conflict on {column}, got {other:?}"),
    }
}

fn not_found<T: Debug>(r: courtyard_db::Result<T>) {
    assert!(
        matches!(r, Err(DbError::NotFound)),
        "expected NotFound, got {r:?}"
    );
}

async fn company(conn: &mut Conn, name: &str) -> Company {
    let input = CompanyInput {
        name: name.into(),
        portal_access: "on".into(),
        ..Default::default()
    };
    companies::insert(conn, &input, T0).await.unwrap()
}

async fn contact(
    conn: &mut Conn,
    company_id: Option<&str>,
    first: &str,
    last: &str,
    email: Option<&str>,
) -> Contact {
    let input = ContactInput {
        company_id: company_id.map(str::to_owned),
        first_name: first.into(),
        last_name: last.into(),
        email: email.map(str::to_owned),
        portal_access: "inherit".into(),
        ..Default::default()
    };
    contacts::insert(conn, &input, T0).await.unwrap()
}

/// Ann Archer at `company` (with an email, so she can be a portal user):
/// the stories' first customer contact.
async fn ann(conn: &mut Conn, company: &Company) -> Contact {
    contact(
        conn,
        Some(&company.id),
        "Ann",
        "Archer",
        Some("ann@acme.test"),
    )
    .await
}

/// Ben Baker, Ann's colleague at `company`.
async fn ben(conn: &mut Conn, company: &Company) -> Contact {
    contact(
        conn,
        Some(&company.id),
        "Ben",
        "Baker",
        Some("ben@acme.test"),
    )
    .await
}

/// Sam Seller, the stories' staff member.
async fn sam(conn: &mut Conn) -> staff::StaffUser {
    staff::insert(conn, "sam@courtyard.test", "Sam Seller", "staff", None, T0)
        .await
        .unwrap()
}

fn user_settings(email: &str, set_id: &str) -> PortalUserSettings {
    PortalUserSettings {
        email: email.into(),
        permission_set_id: set_id.into(),
        record_scope: "company".into(),
        access_from: None,
        access_until: None,
    }
}

/// A portal user for `contact` with a permission set granting `grants`.
async fn portal_user(conn: &mut Conn, contact: &Contact, grants: &str) -> String {
    let email = contact.email.clone().expect("a contact with an email");
    let set = permission_sets::insert(conn, &format!("Set for {email}"), "", grants, T0)
        .await
        .unwrap();
    portal_users::insert(conn, &contact.id, &user_settings(&email, &set.id), T0)
        .await
        .unwrap()
}

fn viewer(
    user: &str,
    company: &Company,
    contact: &Contact,
    scope: RecordScope,
    grants: &str,
) -> Viewer {
    Viewer {
        portal_user_id: user.into(),
        company_id: company.id.clone(),
        contact_id: contact.id.clone(),
        scope,
        grants: Grants::from_storage(grants),
    }
}

fn scope(v: &Viewer, module: Module) -> Predicate {
    predicate(v, module)
}
