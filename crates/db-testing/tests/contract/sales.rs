//! Sales records: number sequences, quotes, orders and invoices with their
//! lines, the list engine's filters, sorts and pages, the portal's scope and
//! record views, on both engines.

use courtyard_db::companies::Company;
use courtyard_db::contacts::Contact;
use courtyard_db::listing::{self, ListQuery};
use courtyard_db::records;
use courtyard_db::sales::{self, SalesInput};
use courtyard_domain::money::{self, Line};
use courtyard_domain::records::{SalesKind, SalesStatus};
use courtyard_domain::{Module, RecordScope};

use super::{
    ann, company, conflict_on, not_found, pluck, portal_user, sam, scope, story, viewer, T0,
};

/// A day before every due date of these stories: nothing is derived.
const BEFORE_ANY_DUE: &str = "2024-01-01";

fn line(
    description: &str,
    quantity_milli: i64,
    unit_price: i64,
    tax_rate_bp: i64,
    discount_bp: i64,
) -> Line {
    Line {
        description: description.into(),
        quantity_milli,
        unit_price,
        tax_rate_bp,
        discount_bp,
    }
}

struct Doc<'a> {
    company: &'a Company,
    contact: Option<&'a Contact>,
    subject: &'a str,
    status: &'a str,
    issued_on: &'a str,
    due_on: &'a str,
    paid_on: Option<&'a str>,
    lines: Vec<Line>,
}

impl Doc<'_> {
    fn input(self, owner: Option<&str>, paid_in_full: bool) -> SalesInput {
        let totals = money::totals(&self.lines);
        SalesInput {
            company_id: self.company.id.clone(),
            owner_staff_id: owner.map(str::to_owned),
            contact_id: self.contact.map(|c| c.id.clone()),
            subject: self.subject.into(),
            status: SalesStatus::parse(self.status).expect("a sales status"),
            currency: "GBP".into(),
            issued_on: self.issued_on.into(),
            due_on: self.due_on.into(),
            paid_on: self.paid_on.map(str::to_owned),
            amount_paid: if paid_in_full { totals.total } else { 0 },
            terms: "30 days".into(),
            lines: self.lines,
            totals,
        }
    }
}

#[tokio::test]
async fn sales_records_numbers_lines_lists_and_portal_scope() {
    use SalesKind::{Invoice, Order, Quote};
    story(|db, t| async move {
        let mut c = db.conn().await.unwrap();
        let acme = company(&mut c, "Acme Ltd").await;
        let bolt = company(&mut c, "Bolt & Sons").await;
        let ann = ann(&mut c, &acme).await;
        let sam = sam(&mut c).await;

        // Numbers: one sequence per kind, never reused; a new prefix applies to the next.
        assert_eq!(
            records::next_number(&mut c, "invoice", "INV-")
                .await
                .unwrap(),
            "INV-0001"
        );
        assert_eq!(
            records::next_number(&mut c, "invoice", "INV-")
                .await
                .unwrap(),
            "INV-0002"
        );
        assert_eq!(
            records::next_number(&mut c, "quote", "QUO-").await.unwrap(),
            "QUO-0001"
        );
        assert_eq!(
            records::prefix(&mut c, "invoice").await.unwrap().as_deref(),
            Some("INV-")
        );
        assert_eq!(records::prefix(&mut c, "order").await.unwrap(), None);
        records::set_prefix(&mut c, "invoice", "F-").await.unwrap();
        assert_eq!(
            records::next_number(&mut c, "invoice", "INV-")
                .await
                .unwrap(),
            "F-0003"
        );
        records::set_prefix(&mut c, "order", "SO-").await.unwrap();
        assert_eq!(
            records::next_number(&mut c, "order", "X-").await.unwrap(),
            "SO-0001"
        );

        let inv1 = Doc {
            company: &acme,
            contact: Some(&ann),
            subject: "Window cleaning, March",
            status: "draft",
            issued_on: "2024-03-01",
            due_on: "2024-03-31",
            paid_on: None,
            lines: vec![
                line("Window cleaning", 1500, 4000, 2000, 0),
                line("Gutters", 1000, 2500, 0, 1000),
            ],
        };
        let inv1 = sales::insert(
            &mut c,
            Invoice,
            "INV-0001",
            &inv1.input(Some(&sam.id), false),
            T0,
        )
        .await
        .unwrap();
        let roof = Doc {
            company: &acme,
            contact: None,
            subject: "Roof survey",
            status: "unpaid",
            issued_on: "2024-04-10",
            due_on: "2024-05-10",
            paid_on: None,
            lines: vec![line("Survey", 1000, 25000, 2000, 0)],
        };
        let inv2 = sales::insert(
            &mut c,
            Invoice,
            "INV-0002",
            &roof.input(None, false),
            T0 + 1,
        )
        .await
        .unwrap();
        let service = Doc {
            company: &bolt,
            contact: None,
            subject: "Annual service",
            status: "paid",
            issued_on: "2024-02-01",
            due_on: "2024-03-02",
            paid_on: Some("2024-02-20"),
            lines: vec![line("Service", 2000, 1500, 0, 0)],
        };
        let inv3 = sales::insert(
            &mut c,
            Invoice,
            "F-0003",
            &service.input(None, true),
            T0 + 2,
        )
        .await
        .unwrap();
        let dup = Doc {
            subject: "Same number",
            lines: vec![],
            ..roof_like(&acme)
        };
        conflict_on(
            sales::insert(&mut c, Invoice, "INV-0002", &dup.input(None, false), T0).await,
            "number",
        );

        // Read back: totals from the lines, joined names (NULL without a contact or owner).
        let one = sales::find(&mut c, Invoice, &inv1).await.unwrap();
        assert_eq!(
            (
                one.subtotal,
                one.tax_total,
                one.total,
                one.amount_paid,
                one.balance
            ),
            (8250, 1200, 9450, 0, 9450)
        );
        assert_eq!(
            (one.contact_name.as_deref(), one.owner_name.as_deref()),
            (Some("Ann Archer"), Some("Sam Seller"))
        );
        assert_eq!(
            (one.paid_on.as_deref(), one.first_viewed_at, one.created_at),
            (None, None, T0)
        );
        let two = sales::find(&mut c, Invoice, &inv2).await.unwrap();
        assert_eq!(
            (two.contact_id, two.contact_name, two.owner_email),
            (None, None, None)
        );
        let three = sales::find(&mut c, Invoice, &inv3).await.unwrap();
        assert_eq!(
            (three.balance, three.paid_on.as_deref()),
            (0, Some("2024-02-20"))
        );
        let lines = sales::lines(&mut c, Invoice, &inv1).await.unwrap();
        assert_eq!(
            lines
                .iter()
                .map(|l| (l.position, l.net))
                .collect::<Vec<_>>(),
            [(0, 6000), (1, 2250)]
        );
        assert_eq!(
            (lines[1].discount_bp, lines[0].quantity_milli),
            (1000, 1500)
        );
        t.saw("invoice", &one);
        t.saw("lines", &lines);
        not_found(sales::find(&mut c, Invoice, "no-such-id").await);
        not_found(sales::find(&mut c, Quote, &inv1).await);

        // Update: new lines replace the old, the balance follows.
        let edited = Doc {
            company: &acme,
            contact: Some(&ann),
            subject: "Window cleaning, March",
            status: "unpaid",
            issued_on: "2024-03-01",
            due_on: "2024-03-31",
            paid_on: None,
            lines: vec![line("Window cleaning", 1500, 5000, 2000, 0)],
        };
        let mut edited = edited.input(Some(&sam.id), false);
        edited.amount_paid = 4000;
        sales::update(&mut c, Invoice, &inv1, &edited, T0 + 10)
            .await
            .unwrap();
        let one = sales::find(&mut c, Invoice, &inv1).await.unwrap();
        assert_eq!(
            (one.total, one.amount_paid, one.balance, one.status.as_str()),
            (9000, 4000, 5000, "unpaid")
        );
        assert_eq!((one.created_at, one.updated_at), (T0, T0 + 10));
        assert_eq!(sales::lines(&mut c, Invoice, &inv1).await.unwrap().len(), 1);
        not_found(sales::update(&mut c, Invoice, "no-such-id", &edited, T0).await);

        // Guarded status moves, the first view stamped once, optimistic versions.
        assert!(
            sales::set_status(&mut c, Invoice, &inv2, "unpaid", "overdue", T0 + 11)
                .await
                .unwrap()
        );
        assert!(
            !sales::set_status(&mut c, Invoice, &inv2, "unpaid", "paid", T0 + 12)
                .await
                .unwrap()
        );
        assert!(sales::mark_first_view(&mut c, Invoice, &inv2, T0 + 13)
            .await
            .unwrap());
        assert!(!sales::mark_first_view(&mut c, Invoice, &inv2, T0 + 14)
            .await
            .unwrap());
        let two = sales::find(&mut c, Invoice, &inv2).await.unwrap();
        assert_eq!(
            (two.status.as_str(), two.first_viewed_at, two.updated_at),
            ("overdue", Some(T0 + 13), T0 + 11)
        );
        assert_eq!(
            records::count_with_status(&mut c, "invoices", "overdue")
                .await
                .unwrap(),
            1
        );
        assert!(!records::claim_version(&mut c, "invoices", &inv2, T0 + 1)
            .await
            .unwrap());
        assert!(records::claim_version(&mut c, "invoices", &inv2, T0 + 11)
            .await
            .unwrap());

        // The list engine: sorts (numeric totals), filters, inclusive dates, keyset pages.
        let draft = Doc {
            subject: "Draft for later",
            status: "draft",
            issued_on: "2024-04-20",
            ..roof_like(&acme)
        };
        let inv4 = sales::insert(
            &mut c,
            Invoice,
            "F-0004",
            &draft.input(None, false),
            T0 + 20,
        )
        .await
        .unwrap();
        let numbers = |rows: &[sales::SalesDoc]| pluck(rows, |r| &r.number);
        let list = |f: ListQuery| ListQuery {
            limit: Some(50),
            ..f
        };
        let by = |sort: &str| {
            list(ListQuery {
                sort: sort.into(),
                ..Default::default()
            })
        };
        macro_rules! l {
            ($f:expr) => {
                sales::list(&mut c, Invoice, None, &$f, BEFORE_ANY_DUE)
            };
        }
        let newest = l!(list(Default::default())).await.unwrap();
        assert_eq!(
            numbers(&newest),
            ["F-0004", "INV-0002", "INV-0001", "F-0003"]
        );
        t.saw("invoices", &newest);
        assert_eq!(
            numbers(&l!(by("total_desc")).await.unwrap()),
            ["INV-0002", "F-0004", "INV-0001", "F-0003"]
        );
        assert_eq!(
            numbers(&l!(by("due_asc")).await.unwrap()),
            ["F-0003", "INV-0001", "INV-0002", "F-0004"]
        );
        let statuses = list(ListQuery {
            statuses: vec!["paid".into(), "overdue".into()],
            ..Default::default()
        });
        assert_eq!(
            numbers(&l!(statuses).await.unwrap()),
            ["INV-0002", "F-0003"]
        );
        let at_bolt = list(ListQuery {
            company_id: Some(bolt.id.clone()),
            ..Default::default()
        });
        assert_eq!(numbers(&l!(at_bolt).await.unwrap()), ["F-0003"]);
        let search = |s: &str| {
            list(ListQuery {
                search: Some(s.into()),
                ..Default::default()
            })
        };
        assert_eq!(numbers(&l!(search("ROOF")).await.unwrap()), ["INV-0002"]);
        assert_eq!(
            numbers(&l!(search("f-000")).await.unwrap()),
            ["F-0004", "F-0003"]
        );
        assert_eq!(
            numbers(&l!(search("window cleaning,")).await.unwrap()),
            ["INV-0001"]
        );
        let due = list(ListQuery {
            date_field: "due".into(),
            from: Some("2024-03-31".into()),
            to: Some("2024-04-30".into()),
            ..Default::default()
        });
        assert_eq!(numbers(&l!(due).await.unwrap()), ["INV-0001"]);
        let paid = list(ListQuery {
            date_field: "paid".into(),
            from: Some("2024-01-01".into()),
            ..Default::default()
        });
        assert_eq!(numbers(&l!(paid).await.unwrap()), ["F-0003"]);
        let theirs = list(ListQuery {
            eq: vec![("contact_id", ann.id.clone())],
            ..Default::default()
        });
        assert_eq!(numbers(&l!(theirs).await.unwrap()), ["INV-0001"]);
        for (sort, expected) in [
            ("total_asc", ["F-0003", "INV-0001", "F-0004", "INV-0002"]),
            ("issued_desc", ["F-0004", "INV-0002", "INV-0001", "F-0003"]),
        ] {
            let spec = sales::spec(Invoice);
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let f = ListQuery {
                    sort: sort.into(),
                    after: after.clone(),
                    limit: Some(3),
                    ..Default::default()
                };
                let page = sales::list(&mut c, Invoice, None, &f, BEFORE_ANY_DUE)
                    .await
                    .unwrap();
                let Some(last) = page.last() else { break };
                after = listing::parse_cursor(&listing::cursor(&spec, sort, last));
                seen.extend(numbers(&page));
            }
            assert_eq!(seen, expected, "{sort} in pages of 3");
        }

        // The portal: drafts and other companies are "not found", in the same query.
        let pu = portal_user(&mut c, &ann, "invoices:view quotes:view").await;
        let company_wide = viewer(
            &pu,
            &acme,
            &ann,
            RecordScope::Company,
            "invoices:view quotes:view",
        );
        let p = scope(&company_wide, Module::Invoices);
        let theirs = sales::list(
            &mut c,
            Invoice,
            Some(&p),
            &list(Default::default()),
            BEFORE_ANY_DUE,
        )
        .await
        .unwrap();
        assert_eq!(numbers(&theirs), ["INV-0002", "INV-0001"]);
        assert_eq!(
            sales::find_scoped(&mut c, Invoice, &inv2, &p)
                .await
                .unwrap()
                .number,
            "INV-0002"
        );
        not_found(sales::find_scoped(&mut c, Invoice, &inv4, &p).await);
        not_found(sales::find_scoped(&mut c, Invoice, &inv3, &p).await);
        let own = scope(
            &viewer(&pu, &acme, &ann, RecordScope::Own, "invoices:view"),
            Module::Invoices,
        );
        assert_eq!(
            numbers(
                &sales::list(
                    &mut c,
                    Invoice,
                    Some(&own),
                    &list(Default::default()),
                    BEFORE_ANY_DUE
                )
                .await
                .unwrap()
            ),
            ["INV-0001"]
        );
        let none = scope(
            &viewer(&pu, &acme, &ann, RecordScope::Company, "quotes:view"),
            Module::Invoices,
        );
        assert!(sales::list(
            &mut c,
            Invoice,
            Some(&none),
            &list(Default::default()),
            BEFORE_ANY_DUE
        )
        .await
        .unwrap()
        .is_empty());

        // Quotes and orders live in their own tables; views of a record, newest first.
        let quote = Doc {
            subject: "New gutters",
            status: "sent",
            contact: Some(&ann),
            ..roof_like(&acme)
        };
        let q1 = sales::insert(
            &mut c,
            Quote,
            "QUO-0001",
            &quote.input(Some(&sam.id), false),
            T0 + 30,
        )
        .await
        .unwrap();
        assert!(
            sales::set_status(&mut c, Quote, &q1, "sent", "accepted", T0 + 31)
                .await
                .unwrap()
        );
        sales::set_answered_by(&mut c, &q1, &pu, T0 + 31)
            .await
            .unwrap();
        let order = Doc {
            subject: "Gutter parts",
            status: "open",
            ..roof_like(&bolt)
        };
        let o1 = sales::insert(&mut c, Order, "SO-0001", &order.input(None, false), T0 + 32)
            .await
            .unwrap();
        assert_eq!(
            numbers(
                &sales::list(
                    &mut c,
                    Quote,
                    None,
                    &list(Default::default()),
                    BEFORE_ANY_DUE
                )
                .await
                .unwrap()
            ),
            ["QUO-0001"]
        );
        assert_eq!(
            sales::find(&mut c, Order, &o1).await.unwrap().company_name,
            "Bolt & Sons"
        );
        assert_eq!(sales::lines(&mut c, Order, &o1).await.unwrap().len(), 1);
        let q = sales::find_scoped(&mut c, Quote, &q1, &scope(&company_wide, Module::Quotes))
            .await
            .unwrap();
        assert_eq!((q.status.as_str(), q.updated_at), ("accepted", T0 + 31));
        records::record_view(&mut c, "quote", &q1, &pu, "view", "203.0.113.7", T0 + 40)
            .await
            .unwrap();
        records::record_view(&mut c, "quote", &q1, &pu, "download", "", T0 + 50)
            .await
            .unwrap();
        let views = records::views(&mut c, "quote", &q1).await.unwrap();
        assert_eq!(pluck(&views, |v| &v.kind), ["download", "view"]);
        assert_eq!(
            (views[1].name.as_str(), views[1].email.as_str(), views[1].at),
            ("Ann Archer", "ann@acme.test", T0 + 40)
        );
        assert!(records::views(&mut c, "invoice", &q1)
            .await
            .unwrap()
            .is_empty());
        t.saw("views", &views);
    })
    .await;
}

/// A one-line document for `company`, to vary with struct update syntax.
fn roof_like(company: &Company) -> Doc<'_> {
    Doc {
        company,
        contact: None,
        subject: "",
        status: "unpaid",
        issued_on: "2024-04-01",
        due_on: "2024-06-01",
        paid_on: None,
        lines: vec![line("Parts", 1000, 10000, 0, 0)],
    }
}

#[tokio::test]
async fn a_stored_currency_or_status_the_portal_does_not_know_is_a_read_error_not_a_default() {
    courtyard_db_testing::each_backend(|db| async move {
        let mut c = db.conn().await.unwrap();
        let acme = company(&mut c, "Acme Ltd").await;
        let doc = Doc {
            company: &acme,
            contact: None,
            subject: "Audit",
            status: "unpaid",
            issued_on: "2026-03-01",
            due_on: "2026-03-31",
            paid_on: None,
            lines: vec![line("Audit", 1000, 10_000, 2000, 0)],
        };
        let id = sales::insert(
            &mut c,
            SalesKind::Invoice,
            "INV-0001",
            &doc.input(None, false),
            T0,
        )
        .await
        .unwrap();
        let read = sales::find(&mut c, SalesKind::Invoice, &id).await.unwrap();
        assert_eq!(read.currency, money::Currency::parse("GBP").unwrap());
        sqlx::query("UPDATE invoices SET currency = 'XYZ' WHERE id = $1")
            .bind(&id)
            .execute(&mut *c)
            .await
            .unwrap();
        let err = sales::find(&mut c, SalesKind::Invoice, &id)
            .await
            .expect_err("an unknown currency is refused when read");
        assert!(format!("{err:?}").contains("\"currency\""), "{err:?}");
        // The status too: a value no sales kind has is refused, never shown.
        assert_eq!(read.status, "unpaid");
        sqlx::query("UPDATE invoices SET currency = 'GBP', status = 'snoozed' WHERE id = $1")
            .bind(&id)
            .execute(&mut *c)
            .await
            .unwrap();
        let err = sales::find(&mut c, SalesKind::Invoice, &id)
            .await
            .expect_err("an unknown status is refused when read");
        assert!(format!("{err:?}").contains("\"status\""), "{err:?}");
        // A status of another kind (a quote's on an invoice) is refused too.
        sqlx::query("UPDATE invoices SET status = 'accepted' WHERE id = $1")
            .bind(&id)
            .execute(&mut *c)
            .await
            .unwrap();
        for err in [
            sales::find(&mut c, SalesKind::Invoice, &id)
                .await
                .map(|_| ()),
            sales::list(
                &mut c,
                SalesKind::Invoice,
                None,
                &ListQuery::default(),
                BEFORE_ANY_DUE,
            )
            .await
            .map(|_| ()),
        ] {
            let said = format!(
                "{:?}",
                err.expect_err("a quote status on an invoice is refused")
            );
            assert!(
                said.contains("accepted") && said.contains("InvoiceStatus"),
                "{said}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn derived_statuses_filter_and_count_exactly_as_the_page_shows_them() {
    courtyard_db_testing::each_backend(|db| async move {
        let mut c = db.conn().await.unwrap();
        let acme = company(&mut c, "Acme Ltd").await;
        let today = "2026-06-15";
        // (kind, stored status, due date, paid in full)
        let cases: &[(SalesKind, &str, &str, bool)] = &[
            (SalesKind::Invoice, "unpaid", "2026-06-14", false),
            (SalesKind::Invoice, "unpaid", "2026-06-15", false),
            (SalesKind::Invoice, "unpaid", "2026-07-01", false),
            (SalesKind::Invoice, "partially_paid", "2026-01-01", false),
            // Nothing left to pay: never overdue, whatever it says.
            (SalesKind::Invoice, "partially_paid", "2026-01-01", true),
            (SalesKind::Invoice, "paid", "2026-01-01", true),
            (SalesKind::Invoice, "void", "2026-01-01", false),
            (SalesKind::Quote, "sent", "2026-06-14", false),
            (SalesKind::Quote, "sent", "2026-06-15", false),
            (SalesKind::Quote, "expired", "2026-07-01", false),
            (SalesKind::Quote, "accepted", "2026-01-01", false),
        ];
        for (i, (kind, status, due, in_full)) in cases.iter().enumerate() {
            let doc = Doc {
                company: &acme,
                contact: None,
                subject: "Case",
                status,
                issued_on: "2026-01-01",
                due_on: due,
                paid_on: None,
                lines: vec![line("Work", 1000, 10_000, 0, 0)],
            };
            sales::insert(
                &mut c,
                *kind,
                &format!("N-{i:02}"),
                &doc.input(None, *in_full),
                T0,
            )
            .await
            .unwrap();
        }
        for kind in [SalesKind::Invoice, SalesKind::Quote] {
            let all = sales::list(&mut c, kind, None, &ListQuery::default(), today)
                .await
                .unwrap();
            for (s, _) in kind.statuses() {
                let mut want: Vec<&str> = all
                    .iter()
                    .filter(|d| d.shown_status(kind, today) == s)
                    .map(|d| d.number.as_str())
                    .collect();
                want.sort();
                let q = ListQuery {
                    statuses: vec![s.to_owned()],
                    ..Default::default()
                };
                let rows = sales::list(&mut c, kind, None, &q, today).await.unwrap();
                let mut got: Vec<&str> = rows.iter().map(|d| d.number.as_str()).collect();
                got.sort();
                assert_eq!(got, want, "{kind:?} filtered by {s}");
                let n = sales::count(&mut c, kind, None, &q, today).await.unwrap();
                assert_eq!(n, want.len() as i64, "{kind:?} counted by {s}");
            }
        }
        let shown = |kind, n: &str, all: &[sales::SalesDoc]| {
            all.iter()
                .find(|d| d.number == n)
                .unwrap()
                .shown_status(kind, today)
                .to_owned()
        };
        let inv = sales::list(
            &mut c,
            SalesKind::Invoice,
            None,
            &ListQuery::default(),
            today,
        )
        .await
        .unwrap();
        let q = sales::list(&mut c, SalesKind::Quote, None, &ListQuery::default(), today)
            .await
            .unwrap();
        assert_eq!(
            [
                shown(SalesKind::Invoice, "N-00", &inv),
                shown(SalesKind::Invoice, "N-01", &inv),
                shown(SalesKind::Invoice, "N-03", &inv),
                shown(SalesKind::Invoice, "N-04", &inv),
                shown(SalesKind::Quote, "N-07", &q),
                shown(SalesKind::Quote, "N-08", &q),
            ],
            [
                "overdue",
                "unpaid",
                "overdue",
                "partially_paid",
                "expired",
                "sent"
            ]
        );
        let void = inv.iter().find(|d| d.number == "N-06").unwrap();
        assert_eq!(
            (void.total, void.balance),
            (10_000, 0),
            "a void invoice owes nothing"
        );
    })
    .await;
}
