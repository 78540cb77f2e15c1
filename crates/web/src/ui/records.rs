//! What every record page shares: the search panel's filters, keyset paging,
//! the generic list page, comments, the "can this person see it?" panel and
//! CSV responses.

use askama::Template;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use courtyard_app::auth::PortalUser;
use courtyard_app::domain::policy::Explanation;
use courtyard_app::listing::{self, Keyed, ListQuery, ListSpec};
use courtyard_app::records::Comment;

use courtyard_app::domain::RecordKind;

use crate::kit::layout::{when, Layout};

pub(crate) const PAGE: i64 = 25;

/// The search panel's state, parsed from the query string (statuses repeat).
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub q: String,
    pub statuses: Vec<String>,
    pub date_field: String,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub after: String,
    pub company_id: String,
    pub done: Option<String>,
    pub as_user: String,
    /// Fixed by the page (a project's tasks), never from the query.
    pub project_id: String,
    /// `assigned=me`: only tasks assigned to the portal user (the home
    /// page's "View all" of its tasks card).
    pub assigned_to_me: bool,
}

fn valid_date(s: &str) -> Option<String> {
    courtyard_domain::parse_date(s).map(|d| d.to_string())
}

impl Filters {
    /// Parse; statuses outside `statuses`, dates that don't parse and unknown
    /// date fields or sorts are dropped.
    pub fn parse(raw: Option<String>, spec: &ListSpec, statuses: &[(&str, &str)]) -> Self {
        let pairs: Vec<(String, String)> = raw
            .as_deref()
            .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
            .unwrap_or_default();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Self {
            q: get("q").trim().to_owned(),
            statuses: pairs
                .iter()
                .filter(|(k, v)| k == "status" && statuses.iter().any(|(s, _)| s == v))
                .map(|(_, v)| v.clone())
                .collect(),
            date_field: spec.date(&get("date_field")).key.to_owned(),
            from: valid_date(&get("from")).unwrap_or_default(),
            to: valid_date(&get("to")).unwrap_or_default(),
            sort: spec.sort(&get("sort")).key.to_owned(),
            after: get("after"),
            company_id: get("company_id"),
            done: pairs
                .iter()
                .find(|(k, _)| k == "done")
                .map(|(_, v)| v.clone()),
            as_user: get("as"),
            project_id: String::new(),
            assigned_to_me: get("assigned") == "me",
        }
    }

    pub fn query(&self, limit: Option<i64>) -> ListQuery {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        ListQuery {
            search: opt(&self.q),
            statuses: self.statuses.clone(),
            date_field: self.date_field.clone(),
            from: opt(&self.from),
            to: opt(&self.to),
            company_id: opt(&self.company_id),
            sort: self.sort.clone(),
            after: listing::parse_cursor(&self.after),
            limit,
            eq: if self.project_id.is_empty() {
                vec![]
            } else {
                vec![("project_id", self.project_id.clone())]
            },
        }
    }

    /// The query string of this filter, without the cursor; defaults stay
    /// out of the URL.
    pub fn query_string(&self, spec: &ListSpec) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![("q", &self.q)];
        for s in &self.statuses {
            pairs.push(("status", s));
        }
        if self.date_field != spec.dates[0].key {
            pairs.push(("date_field", &self.date_field));
        }
        pairs.extend([("from", self.from.as_str()), ("to", self.to.as_str())]);
        if self.sort != spec.sorts[0].key {
            pairs.push(("sort", &self.sort));
        }
        pairs.push(("company_id", &self.company_id));
        if self.assigned_to_me {
            pairs.push(("assigned", "me"));
        }
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_urlencoded::to_string(kept).unwrap_or_default()
    }

    pub fn is_filtered(&self) -> bool {
        !self.q.is_empty()
            || !self.company_id.is_empty()
            || self.assigned_to_me
            || !self.statuses.is_empty()
            || !self.from.is_empty()
            || !self.to.is_empty()
    }
}

/// Fetching one more than a page tells whether another follows: the rows of
/// this page and the link to the next.
pub(crate) fn paginate<R: Keyed>(
    mut rows: Vec<R>,
    f: &Filters,
    spec: &ListSpec,
    base: &str,
) -> (Vec<R>, Option<String>) {
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        let last = rows.last().expect("a full page");
        let cursor = listing::cursor(spec, &f.sort, last);
        let qs = f.query_string(spec);
        let after = serde_urlencoded::to_string([("after", cursor.as_str())]).unwrap_or_default();
        format!("{base}?{qs}{}{after}", if qs.is_empty() { "" } else { "&" })
    });
    (rows, next)
}

/// One cell of a list row. On a desktop every cell is a column; on a phone
/// a row is two lines (number and `Title`, `Aside` on the right; then
/// `Context` and the labelled `Meta`, with the status on the right) and an
/// `Extra` cell is left out.
pub(crate) struct Cell {
    pub label: &'static str,
    pub text: String,
    /// `num` right-aligns a column of amounts; `nowrap` keeps a date whole.
    pub class: &'static str,
    pub slot: Slot,
}

/// Where a cell goes in a phone's two-line row.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Line 1, after the number, cut with an ellipsis when long.
    Title,
    /// Line 1, on the right (the amount).
    Aside,
    /// Line 2, unlabelled (the company, on staff lists).
    Context,
    /// Line 2, with its label ("Due 7 Mar 2026").
    Meta,
    /// Desktop only.
    Extra,
}

impl Slot {
    pub fn class(self) -> &'static str {
        match self {
            Slot::Title => "c-title",
            Slot::Aside => "c-aside",
            Slot::Context => "c-context",
            Slot::Meta => "c-meta",
            Slot::Extra => "c-extra",
        }
    }
}

impl Cell {
    /// Put the cell in `slot` of the phone row.
    pub fn on_phone(mut self, slot: Slot) -> Self {
        self.slot = slot;
        self
    }
}

pub(crate) fn cell(label: &'static str, text: impl Into<String>) -> Cell {
    Cell {
        label,
        text: text.into(),
        class: "",
        slot: Slot::Extra,
    }
}

pub(crate) fn num(label: &'static str, text: impl Into<String>) -> Cell {
    Cell {
        label,
        text: text.into(),
        class: "num",
        slot: Slot::Extra,
    }
}

/// A calendar date (`YYYY-MM-DD`) as people read it ("7 Mar 2026"); any
/// other text ("Not yet") as it is.
pub(crate) fn date_cell(label: &'static str, text: impl Into<String>) -> Cell {
    let text = text.into();
    Cell {
        label,
        text: crate::kit::layout::day_or_raw(&text),
        class: "nowrap",
        slot: Slot::Extra,
    }
}

pub(crate) struct ListRow {
    pub href: String,
    pub number: String,
    pub cells: Vec<Cell>,
    pub status: String,
    pub status_label: String,
}

pub(crate) struct Choice {
    pub key: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// A list of at most this many records, unfiltered, shows no filters.
pub(crate) const SHORT_LIST: usize = 5;

/// The generic list page of a module.
#[derive(Template)]
#[template(path = "records/list.html")]
pub(crate) struct ListPage {
    pub layout: Layout,
    pub heading: String,
    pub intro: String,
    /// The list's element id (tests and styles find it by this).
    pub table_id: &'static str,
    pub base: String,
    pub staff: bool,
    /// "New …" or "Request …": (label, href).
    pub create: Option<(String, String)>,
    pub f: Filters,
    pub qs: String,
    pub statuses: Vec<Choice>,
    pub date_fields: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub headers: Vec<(&'static str, &'static str)>,
    pub rows: Vec<ListRow>,
    pub next: Option<String>,
    pub export: String,
    pub companies: Vec<(String, String)>,
    pub empty_title: String,
    pub empty_text: String,
}

pub(crate) struct ListSetup<'a> {
    pub layout: Layout,
    pub heading: &'a str,
    pub intro: &'a str,
    pub table_id: &'static str,
    pub base: &'a str,
    pub staff: bool,
    pub create: Option<(String, String)>,
    pub spec: &'a ListSpec,
    pub statuses: &'a [(&'static str, &'static str)],
    pub headers: Vec<(&'static str, &'static str)>,
    pub companies: Vec<(String, String)>,
    pub empty_text: &'a str,
}

impl ListPage {
    pub fn new(s: ListSetup<'_>, f: Filters, rows: Vec<ListRow>, next: Option<String>) -> Self {
        let qs = f.query_string(s.spec);
        // A staff list filtered to one company creates records for it.
        let create = s.create.map(|(label, href)| {
            if s.staff && !f.company_id.is_empty() {
                let q = serde_urlencoded::to_string([("company_id", f.company_id.as_str())])
                    .unwrap_or_default();
                (label, format!("{href}?{q}"))
            } else {
                (label, href)
            }
        });
        let sep = if qs.is_empty() { "" } else { "?" };
        Self {
            export: if s.staff {
                String::new()
            } else {
                format!("{}/export.csv{sep}{qs}", s.base)
            },
            statuses: s
                .statuses
                .iter()
                .map(|(k, l)| Choice {
                    key: k,
                    label: l,
                    checked: f.statuses.iter().any(|x| x == k),
                })
                .collect(),
            date_fields: s
                .spec
                .dates
                .iter()
                .map(|d| Choice {
                    key: d.key,
                    label: d.label,
                    checked: d.key == f.date_field,
                })
                .collect(),
            sorts: s
                .spec
                .sorts
                .iter()
                .map(|d| Choice {
                    key: d.key,
                    label: d.label,
                    checked: d.key == f.sort,
                })
                .collect(),
            layout: s.layout,
            heading: s.heading.to_owned(),
            intro: s.intro.to_owned(),
            table_id: s.table_id,
            base: s.base.to_owned(),
            staff: s.staff,
            create,
            qs,
            headers: s.headers,
            rows,
            next,
            companies: s.companies,
            empty_title: format!("No {} yet", s.heading.to_lowercase()),
            empty_text: s.empty_text.to_owned(),
            f,
        }
    }

    pub fn paged(&self) -> bool {
        !self.f.after.is_empty()
    }

    /// The search and filters show unless the whole list is short enough
    /// to read at a glance (and nothing narrows it).
    pub fn shows_filters(&self) -> bool {
        self.f.is_filtered()
            || !self.f.company_id.is_empty()
            || self.paged()
            || self.next.is_some()
            || self.rows.len() > SHORT_LIST
    }

    /// The filters behind the disclosure that are in use, in words, for its
    /// summary line: "Unpaid, Overdue · Issue date 1 Jan 2026 – 31 Mar 2026".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let statuses: Vec<&str> = self
            .statuses
            .iter()
            .filter(|s| s.checked)
            .map(|s| s.label)
            .collect();
        if !statuses.is_empty() {
            parts.push(statuses.join(", "));
        }
        if !self.f.from.is_empty() || !self.f.to.is_empty() {
            let field = self
                .date_fields
                .iter()
                .find(|d| d.checked)
                .map_or("Date", |d| d.label);
            let from = crate::kit::layout::day_or_raw(&self.f.from);
            let to = crate::kit::layout::day_or_raw(&self.f.to);
            parts.push(match (from.is_empty(), to.is_empty()) {
                (false, false) => format!("{field} {from} – {to}"),
                (false, true) => format!("{field} from {from}"),
                _ => format!("{field} until {to}"),
            });
        }
        if !self.f.company_id.is_empty() {
            if let Some((_, name)) = self
                .companies
                .iter()
                .find(|(id, _)| *id == self.f.company_id)
            {
                parts.push(name.clone());
            }
        }
        if self.f.assigned_to_me {
            parts.push("Assigned to you".into());
        }
        parts.join(" · ")
    }

    /// How many filters behind the "Filters" disclosure are in use (the
    /// search box is outside it). The disclosure stays folded (its summary
    /// names them) so the rows stay on the first screen.
    pub fn narrowed(&self) -> usize {
        [
            !self.f.statuses.is_empty(),
            !self.f.from.is_empty() || !self.f.to.is_empty(),
            !self.f.company_id.is_empty(),
            self.f.assigned_to_me,
        ]
        .iter()
        .filter(|on| **on)
        .count()
    }
}

/// A comment as shown.
pub(crate) struct CommentView {
    pub id: String,
    pub author: String,
    pub when: String,
    pub body: String,
    pub internal: bool,
    pub from_staff: bool,
    /// Files that came with the message: (file id, name, type tag).
    pub files: Vec<(String, String, &'static str)>,
}

pub(crate) fn comment_views(list: &[Comment]) -> Vec<CommentView> {
    list.iter()
        .map(|c| CommentView {
            id: c.id.clone(),
            files: vec![],
            author: c.author_name.clone(),
            when: when(c.created_at),
            body: c.body.clone(),
            internal: c.internal == 1,
            from_staff: c.author_kind == "staff",
        })
        .collect()
}

/// A comment as the browser sends it: the text, and on staff pages the
/// "internal note" checkbox.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct CommentFields {
    pub body: String,
    internal: String,
}

impl CommentFields {
    /// Ticked: an internal note, never shown to customers.
    pub(crate) fn internal(&self) -> bool {
        self.internal == "1"
    }
}

/// The comments section: the thread and, when allowed, a form.
pub(crate) struct Thread {
    pub title: &'static str,
    pub comments: Vec<CommentView>,
    /// Where the form posts; `None` hides it.
    pub action: Option<String>,
    pub staff: bool,
    pub error: Option<String>,
    pub draft: String,
    /// The "internal note" box, kept ticked when a refused note is re-shown.
    pub internal: bool,
    pub button: &'static str,
}

impl Thread {
    /// Show a refused message again: the first problem, and what was typed.
    pub fn refused(&mut self, errors: &crate::kit::forms::Errors, draft: String, internal: bool) {
        self.error = errors.messages().first().map(|m| (*m).to_owned());
        self.draft = draft;
        self.internal = internal;
    }

    /// Put each file that came with a message under that message (files the
    /// reader may not see are not in `files` to begin with).
    pub fn attach(&mut self, files: &[crate::ui::file_views::FileView]) {
        for c in &mut self.comments {
            c.files = files
                .iter()
                .filter(|f| f.comment_id.as_deref() == Some(c.id.as_str()))
                .map(|f| (f.id.clone(), f.name.clone(), f.tag))
                .collect();
        }
    }

    pub fn new(
        title: &'static str,
        comments: &[Comment],
        action: Option<String>,
        staff: bool,
    ) -> Self {
        Self {
            title,
            comments: comment_views(comments),
            action,
            staff,
            error: None,
            draft: String::new(),
            internal: false,
            button: "Post comment",
        }
    }
}

/// The "can this person see it?" panel of a staff record page.
#[derive(Default)]
pub(crate) struct Why {
    pub portal_users: Vec<PortalUser>,
    pub as_user: String,
    pub explanation: Option<Explanation>,
}

pub(crate) fn csv_response(body: String, name: &str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Staff pick lists: (id, name) of staff members.
pub(crate) async fn staff_names(
    s: &crate::kit::state::AppState,
) -> crate::kit::error::WebResult<Vec<(String, String)>> {
    Ok(courtyard_app::auth::staff_members(&s.app)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// A record type as a type, so one generic handler serves each type's
/// routes (`staff_find::<Quotes>`). The one marker trait: sales, work and
/// file handlers all take it.
pub(crate) trait Marker: Send + Sync + 'static {
    const KIND: RecordKind;
}

macro_rules! markers {
    ($($t:ident => $k:ident),* $(,)?) => {
        $(
            pub(crate) struct $t;
            impl Marker for $t {
                const KIND: RecordKind = RecordKind::$k;
            }
        )*
    };
}
markers!(
    Quotes => Quote,
    Orders => Order,
    Invoices => Invoice,
    Jobs => Job,
    Tickets => Ticket,
    Projects => Project,
    Tasks => Task,
);
