//! One list engine for every record type: search, multi-select status, a date
//! range on a chosen date column, sorting and keyset pagination. Each record
//! type describes its columns in a [`ListSpec`]; column names come only from
//! those specs, values are always bound.

pub use courtyard_domain::records::Derived;

use crate::{like_pattern, Sql};

/// A date column a list's range can apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateCol {
    pub key: &'static str,
    pub column: &'static str,
    pub label: &'static str,
}

/// An order a list can be sorted in. Each should have an index per company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub key: &'static str,
    pub column: &'static str,
    pub desc: bool,
    /// The column holds integers (the cursor is parsed back to one).
    pub numeric: bool,
    pub label: &'static str,
}

/// What a record type's list offers.
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    /// Columns the search box matches (case-insensitive substring).
    pub search: &'static [&'static str],
    /// The first is the default.
    pub dates: &'static [DateCol],
    /// The first is the default. Every sort column must be NOT NULL.
    pub sorts: &'static [SortKey],
    /// Statuses shown from the dates and balance rather than stored
    /// (`status`, `due_on` and `balance` columns): a filter on one of
    /// them, or on a status it replaces, follows the same rule as the page.
    pub derived: &'static [Derived],
}

impl ListSpec {
    pub fn date(&self, key: &str) -> DateCol {
        self.dates
            .iter()
            .copied()
            .find(|d| d.key == key)
            .unwrap_or(self.dates[0])
    }

    pub fn sort(&self, key: &str) -> SortKey {
        self.sorts
            .iter()
            .copied()
            .find(|s| s.key == key)
            .unwrap_or(self.sorts[0])
    }
}

/// A list request: every filter the search panel offers.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub search: Option<String>,
    pub statuses: Vec<String>,
    /// A [`DateCol::key`]; unknown or empty means the first.
    pub date_field: String,
    /// Inclusive `YYYY-MM-DD` bounds.
    pub from: Option<String>,
    pub to: Option<String>,
    pub company_id: Option<String>,
    /// A [`SortKey::key`]; unknown or empty means the first.
    pub sort: String,
    /// Keyset cursor: (sort value, id) of the previous page's last row.
    pub after: Option<(String, String)>,
    /// `None` for everything (CSV export).
    pub limit: Option<i64>,
    /// Further `column = value` filters fixed by the caller (never user-named).
    pub eq: Vec<(&'static str, String)>,
}

/// A row that can be a cursor: its id and the text of a sort column.
pub trait Keyed {
    fn id(&self) -> &str;
    fn sort_value(&self, column: &str) -> String;
}

/// The cursor of the last row for `sort`: `value~id`.
pub fn cursor<R: Keyed>(spec: &ListSpec, sort: &str, row: &R) -> String {
    let s = spec.sort(sort);
    format!("{}~{}", row.sort_value(s.column), row.id())
}

/// Parse a cursor made by [`cursor`].
pub fn parse_cursor(raw: &str) -> Option<(String, String)> {
    raw.rsplit_once('~')
        .map(|(k, id)| (k.to_owned(), id.to_owned()))
}

/// Append the filters, order and limit of `f` for rows aliased `a`. A spec
/// with derived statuses needs `today` (see [`filters`]).
pub fn apply(q: &mut Sql, a: &str, spec: &ListSpec, f: &ListQuery, today: Option<&str>) {
    filters(q, a, spec, f, today);
    order_and_page(q, a, spec, f);
}

/// Append the filters of `f` alone (what a count needs). A filter on a
/// derived status, or on a status one replaces, is decided on `today`;
/// without a day, derived statuses are not applied (a spec that has them
/// must always be given one: its callers in this crate take `today`).
pub fn filters(q: &mut Sql, a: &str, spec: &ListSpec, f: &ListQuery, today: Option<&str>) {
    for (col, v) in &f.eq {
        q.push(&format!(" AND {a}.{col} = ")).bind(v.clone());
    }
    if let Some(id) = &f.company_id {
        q.push(&format!(" AND {a}.company_id = ")).bind(id.clone());
    }
    if let Some(s) = f.search.as_deref().filter(|s| !s.is_empty()) {
        let p = like_pattern(s);
        q.push(" AND (");
        for (i, col) in spec.search.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push(&format!("LOWER({a}.{col}) LIKE "))
                .bind(p.clone())
                .push(" ESCAPE '\\'");
        }
        q.push(")");
    }
    if !f.statuses.is_empty() {
        let derived = if today.is_some() { spec.derived } else { &[] };
        q.push(" AND (");
        for (i, s) in f.statuses.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push(&format!("({a}.status = ")).bind(s.clone());
            let day = today.unwrap_or_default();
            if let Some(d) = derived.iter().find(|d| d.key == s.as_str()) {
                // Stored as it, or derived into it.
                q.push(" OR (");
                stored_in(q, a, d.from);
                q.push(" AND ");
                derived_when(q, a, d, day);
                q.push(")");
            } else if let Some(d) = derived.iter().find(|d| d.from.contains(&s.as_str())) {
                // Stored as it and not derived into something else today.
                q.push(" AND NOT (");
                derived_when(q, a, d, day);
                q.push(")");
            }
            q.push(")");
        }
        q.push(")");
    }
    let col = spec.date(&f.date_field).column;
    if let Some(from) = &f.from {
        q.push(&format!(" AND {a}.{col} >= ")).bind(from.clone());
    }
    if let Some(to) = &f.to {
        q.push(&format!(" AND {a}.{col} <= ")).bind(to.clone());
    }
}

fn stored_in(q: &mut Sql, a: &str, statuses: &[&str]) {
    q.push(&format!("{a}.status IN ("));
    for (i, s) in statuses.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind((*s).to_owned());
    }
    q.push(")");
}

/// [`Derived::applies`] in SQL, but for the stored status.
fn derived_when(q: &mut Sql, a: &str, d: &Derived, today: &str) {
    q.push(&format!("{a}.due_on < ")).bind(today.to_owned());
    if d.needs_balance {
        q.push(&format!(" AND {a}.balance > 0"));
    }
}

/// Append the order, the keyset cursor and the limit of `f`.
pub fn order_and_page(q: &mut Sql, a: &str, spec: &ListSpec, f: &ListQuery) {
    let sort = spec.sort(&f.sort);
    let (cmp, dir) = if sort.desc {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let sc = sort.column;
    if let Some((key, id)) = &f.after {
        let bind_key = |q: &mut Sql| {
            if sort.numeric {
                q.bind(key.parse::<i64>().unwrap_or(0));
            } else {
                q.bind(key.clone());
            }
        };
        q.push(&format!(" AND ({a}.{sc} {cmp} "));
        bind_key(q);
        q.push(&format!(" OR ({a}.{sc} = "));
        bind_key(q);
        q.push(&format!(" AND {a}.id {cmp} "))
            .bind(id.clone())
            .push("))");
    }
    q.push(&format!(" ORDER BY {a}.{sc} {dir}, {a}.id {dir}"));
    if let Some(limit) = f.limit {
        q.push(" LIMIT ").bind(limit);
    }
}
