//! The benchmark seed runs on both databases and its users see their company's invoices.

use courtyard_db::listing::ListQuery as InvoiceQuery;
use courtyard_db::records;
use courtyard_db::sales;
use courtyard_db::{portal_users, seed};
use courtyard_db_testing::each_backend;
use courtyard_domain::policy::{predicate, Viewer};
use courtyard_domain::records::SalesKind::Invoice;
use courtyard_domain::{Grants, Module, RecordScope};

#[tokio::test]
async fn the_benchmark_seed_fills_every_table_consistently() {
    each_backend(|db| async move {
        let plan = seed::Plan {
            companies: 4,
            invoices: 250,
            password_hash: "x".into(),
            now: 1,
        };
        let mut seen = 0;
        let login = seed::large(&db, &plan, |n| seen = n).await.unwrap();
        assert_eq!(seen, 250);
        let mut conn = db.conn().await.unwrap();
        let user = portal_users::find_by_email(&mut conn, &login)
            .await
            .unwrap()
            .unwrap();
        let viewer = Viewer {
            portal_user_id: user.id.clone(),
            company_id: user.company_id.clone().unwrap(),
            contact_id: user.contact_id.clone(),
            scope: RecordScope::Company,
            grants: Grants::from_storage(&user.grants),
        };
        let mine = sales::list(
            &mut conn,
            Invoice,
            Some(&predicate(&viewer, Module::Invoices)),
            &InvoiceQuery::default(),
            "2024-01-01",
        )
        .await
        .unwrap();
        // 250 invoices over 4 companies: company 0 has 63, minus its drafts.
        let all = sales::list(
            &mut conn,
            Invoice,
            None,
            &InvoiceQuery {
                company_id: Some(viewer.company_id.clone()),
                ..Default::default()
            },
            "2024-01-01",
        )
        .await
        .unwrap();
        assert_eq!(all.len(), 63);
        let drafts = all.iter().filter(|i| i.status == "draft").count();
        assert_eq!(mine.len(), 63 - drafts);
        let every = sales::list(
            &mut conn,
            Invoice,
            None,
            &InvoiceQuery {
                statuses: vec!["draft".into()],
                ..Default::default()
            },
            "2024-01-01",
        )
        .await
        .unwrap();
        assert!(!every.is_empty(), "the seed has drafts");
        assert!(mine
            .iter()
            .all(|i| i.company_id == viewer.company_id && i.status != "draft"));
        let lines = sales::lines(&mut conn, Invoice, &mine[0].id).await.unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines.iter().map(|l| l.net).sum::<i64>(), mine[0].subtotal);
        let next = records::next_number(&mut conn, "invoice", "INV-")
            .await
            .unwrap();
        assert_eq!(next, "INV-0251");

        // The other record types, in proportion, visible through the same policy.
        let quotes = sales::list(
            &mut conn,
            courtyard_domain::records::SalesKind::Quote,
            None,
            &InvoiceQuery::default(),
            "2024-01-01",
        )
        .await
        .unwrap();
        assert_eq!(quotes.len(), 62);
        let my_quotes = sales::list(
            &mut conn,
            courtyard_domain::records::SalesKind::Quote,
            Some(&predicate(&viewer, Module::Quotes)),
            &InvoiceQuery::default(),
            "2024-01-01",
        )
        .await
        .unwrap();
        assert!(!my_quotes.is_empty());
        assert!(my_quotes
            .iter()
            .all(|q| q.company_id == viewer.company_id && q.status != "draft"));
        use courtyard_db::work;
        let my_projects = work::list_projects(
            &mut conn,
            Some(&predicate(&viewer, Module::Projects)),
            &InvoiceQuery::default(),
        )
        .await
        .unwrap();
        assert_eq!(
            my_projects.len(),
            2,
            "two projects per company, the user a member of both"
        );
        let my_tasks = work::list_tasks(
            &mut conn,
            Some(&predicate(&viewer, Module::Tasks)),
            &InvoiceQuery::default(),
        )
        .await
        .unwrap();
        assert_eq!(my_tasks.len(), 10);
        let tickets = work::list_tickets(&mut conn, None, &InvoiceQuery::default())
            .await
            .unwrap();
        assert_eq!(tickets.len(), 25);
        let messages = records::comments(&mut conn, "ticket", &tickets[0].id, false)
            .await
            .unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(
            work::list_jobs(&mut conn, None, &InvoiceQuery::default())
                .await
                .unwrap()
                .len(),
            25
        );
        assert_eq!(
            records::next_number(&mut conn, "task", "TSK-")
                .await
                .unwrap(),
            "TSK-0041"
        );
    })
    .await;
}
