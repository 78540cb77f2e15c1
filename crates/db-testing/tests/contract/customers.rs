//! Customers: companies (tags, search, keyset pages), contacts and
//! permission sets, on both engines.

use courtyard_db::companies::{self, Company, CompanyDetails, CompanyFilter, CompanyInput};
use courtyard_db::contacts::{self, Contact, ContactFilter, ContactInput};
use courtyard_db::permission_sets;
use courtyard_db::portal_users;
use courtyard_domain::{Grants, Module};

use super::{conflict_on, not_found, pluck, story, user_settings, T0};

#[tokio::test]
async fn customers_companies_contacts_and_permission_sets() {
    story(|db, t| async move {
        let mut c = db.conn().await.unwrap();

        // Companies: tags stored as `,a,b,`, NULL columns kept NULL.
        let input = |name: &str, email: Option<&str>, tags: &[&str]| CompanyInput {
            name: name.into(),
            email: email.map(str::to_owned),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            portal_access: "on".into(),
            ..Default::default()
        };
        let acme = companies::insert(
            &mut c,
            &input("Acme Ltd", Some("office@acme.test"), &["trade", "vip"]),
            T0,
        )
        .await
        .unwrap();
        assert_eq!(
            (acme.tags.as_str(), acme.tag_list()),
            (",trade,vip,", vec!["trade", "vip"])
        );
        assert_eq!(
            (acme.phone.as_deref(), acme.address.as_deref()),
            (None, None)
        );
        assert_eq!((acme.created_at, acme.updated_at), (T0, T0));
        let labs = companies::insert(&mut c, &input("Acme Labs", None, &["lab"]), T0 + 1)
            .await
            .unwrap();
        let bolt = companies::insert(&mut c, &input("Bolt & Sons", None, &[]), T0 + 2)
            .await
            .unwrap();
        assert_eq!((bolt.tags.as_str(), bolt.tag_list().len()), ("", 0));
        companies::insert(&mut c, &input("Under_score Inc", None, &[]), T0 + 3)
            .await
            .unwrap();
        let zed = companies::insert(
            &mut c,
            &input("Zed 100% Co", Some("info@zed.test"), &["vip"]),
            T0 + 4,
        )
        .await
        .unwrap();

        let list = |f: CompanyFilter| CompanyFilter { limit: 50, ..f };
        let names = |rows: &[Company]| pluck(rows, |r| &r.name);
        let all = companies::list(&mut c, &list(Default::default()))
            .await
            .unwrap();
        assert_eq!(
            names(&all),
            [
                "Acme Labs",
                "Acme Ltd",
                "Bolt & Sons",
                "Under_score Inc",
                "Zed 100% Co"
            ]
        );
        t.saw("companies", &all);
        let search = |s: &str| {
            list(CompanyFilter {
                search: Some(s.into()),
                ..Default::default()
            })
        };
        let tag = |s: &str| {
            list(CompanyFilter {
                tag: Some(s.into()),
                ..Default::default()
            })
        };
        assert_eq!(
            names(&companies::list(&mut c, &search("ACME")).await.unwrap()),
            ["Acme Labs", "Acme Ltd"]
        );
        assert_eq!(
            names(&companies::list(&mut c, &search("zed.test")).await.unwrap()),
            ["Zed 100% Co"]
        );
        assert_eq!(
            names(&companies::list(&mut c, &search("acme.test")).await.unwrap()),
            ["Acme Ltd"]
        );
        assert_eq!(
            names(&companies::list(&mut c, &search("%")).await.unwrap()),
            ["Zed 100% Co"]
        );
        assert_eq!(
            names(&companies::list(&mut c, &search("_")).await.unwrap()),
            ["Under_score Inc"]
        );
        assert_eq!(
            names(&companies::list(&mut c, &tag("VIP")).await.unwrap()),
            ["Acme Ltd", "Zed 100% Co"]
        );
        assert_eq!(
            names(&companies::list(&mut c, &tag("vi")).await.unwrap()),
            Vec::<String>::new()
        );
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page = companies::list(
                &mut c,
                &CompanyFilter {
                    limit: 2,
                    after: after.clone(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            let Some(last) = page.last() else { break };
            after = Some((last.name.clone(), last.id.clone()));
            paged.push(names(&page));
        }
        assert_eq!(
            paged,
            [
                vec!["Acme Labs", "Acme Ltd"],
                vec!["Bolt & Sons", "Under_score Inc"],
                vec!["Zed 100% Co"]
            ]
        );

        companies::update(
            &mut c,
            &labs.id,
            &input("Acme Labs", Some("lab@acme.test"), &[]),
            T0 + 5,
        )
        .await
        .unwrap();
        let labs = companies::find(&mut c, &labs.id).await.unwrap();
        assert_eq!(
            (labs.email.as_deref(), labs.tags.as_str()),
            (Some("lab@acme.test"), "")
        );
        assert_eq!((labs.created_at, labs.updated_at), (T0 + 1, T0 + 5));
        not_found(companies::update(&mut c, "no-such-id", &input("X", None, &[]), T0).await);
        not_found(companies::find(&mut c, "no-such-id").await);
        let details = CompanyDetails {
            name: "Bolt and Sons",
            email: None,
            phone: Some("+44 113 000"),
            website: None,
            address: Some("9 Mill Lane\nLeeds"),
        };
        companies::update_details(&mut c, &bolt.id, details, T0 + 6)
            .await
            .unwrap();
        let bolt = companies::find(&mut c, &bolt.id).await.unwrap();
        assert_eq!(
            (bolt.name.as_str(), bolt.phone.as_deref()),
            ("Bolt and Sons", Some("+44 113 000"))
        );
        assert_eq!(bolt.address.as_deref(), Some("9 Mill Lane\nLeeds"));
        let picks = companies::all_names(&mut c).await.unwrap();
        assert_eq!(
            picks.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>()[..3],
            ["Acme Labs", "Acme Ltd", "Bolt and Sons"]
        );

        // Contacts: the company's name joined in (NULL without one), listed by last, first name.
        let person = |company: Option<&Company>, first: &str, last: &str, email: Option<&str>| {
            ContactInput {
                company_id: company.map(|co| co.id.clone()),
                first_name: first.into(),
                last_name: last.into(),
                email: email.map(str::to_owned),
                job_title: Some("Buyer".into()),
                tags: vec!["billing".into()],
                portal_access: "inherit".into(),
                ..Default::default()
            }
        };
        let ann = contacts::insert(
            &mut c,
            &person(Some(&acme), "Ann", "Archer", Some("ann@acme.test")),
            T0,
        )
        .await
        .unwrap();
        assert_eq!(
            (ann.company_name.as_deref(), ann.tags.as_str()),
            (Some("Acme Ltd"), ",billing,")
        );
        assert_eq!(
            (
                ann.portal_user_id.as_deref(),
                ann.portal_state.as_deref(),
                ann.phone.as_deref()
            ),
            (None, None, None)
        );
        let abe = contacts::insert(
            &mut c,
            &ContactInput {
                tags: vec![],
                ..person(Some(&acme), "Abe", "Archer", None)
            },
            T0,
        )
        .await
        .unwrap();
        contacts::insert(
            &mut c,
            &person(Some(&labs), "Bea", "Zimmer", Some("bea@labs.test")),
            T0,
        )
        .await
        .unwrap();
        let cy = contacts::insert(&mut c, &person(None, "Cy", "Cole", None), T0)
            .await
            .unwrap();
        assert_eq!(
            (cy.company_id.as_deref(), cy.company_name.as_deref()),
            (None, None)
        );

        let clist = |f: ContactFilter| ContactFilter { limit: 50, ..f };
        let full = |rows: &[Contact]| rows.iter().map(Contact::full_name).collect::<Vec<_>>();
        let everyone = contacts::list(&mut c, &clist(Default::default()))
            .await
            .unwrap();
        assert_eq!(
            full(&everyone),
            ["Abe Archer", "Ann Archer", "Cy Cole", "Bea Zimmer"]
        );
        t.saw("contacts", &everyone);
        let csearch = |s: &str| {
            clist(ContactFilter {
                search: Some(s.into()),
                ..Default::default()
            })
        };
        assert_eq!(
            full(
                &contacts::list(&mut c, &csearch("ann ARCHER"))
                    .await
                    .unwrap()
            ),
            ["Ann Archer"]
        );
        assert_eq!(
            full(&contacts::list(&mut c, &csearch("acme.test")).await.unwrap()),
            ["Ann Archer"]
        );
        let at_acme = contacts::list(
            &mut c,
            &clist(ContactFilter {
                company_id: Some(acme.id.clone()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        assert_eq!(full(&at_acme), ["Abe Archer", "Ann Archer"]);
        let billing = contacts::list(
            &mut c,
            &clist(ContactFilter {
                tag: Some("billing".into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        assert_eq!(full(&billing), ["Ann Archer", "Cy Cole", "Bea Zimmer"]);
        let after_abe = ContactFilter {
            after: Some((
                abe.last_name.clone(),
                abe.first_name.clone(),
                abe.id.clone(),
            )),
            limit: 2,
            ..Default::default()
        };
        assert_eq!(
            full(&contacts::list(&mut c, &after_abe).await.unwrap()),
            ["Ann Archer", "Cy Cole"]
        );

        let moved = ContactInput {
            job_title: None,
            ..person(Some(&bolt), "Cy", "Cole", Some("cy@bolt.test"))
        };
        contacts::update(&mut c, &cy.id, &moved, T0 + 7)
            .await
            .unwrap();
        let cy = contacts::find(&mut c, &cy.id).await.unwrap();
        assert_eq!(
            (
                cy.company_name.as_deref(),
                cy.job_title.as_deref(),
                cy.updated_at
            ),
            (Some("Bolt and Sons"), None, T0 + 7)
        );
        not_found(contacts::update(&mut c, "no-such-id", &moved, T0).await);
        not_found(contacts::find(&mut c, "no-such-id").await);
        contacts::update_own_details(
            &mut c,
            &ann.id,
            "Anne",
            "Archer",
            Some("+44 1"),
            None,
            T0 + 8,
        )
        .await
        .unwrap();
        contacts::set_email(&mut c, &abe.id, "abe@acme.test", T0 + 9)
            .await
            .unwrap();
        let anne = contacts::find(&mut c, &ann.id).await.unwrap();
        assert_eq!(
            (
                anne.full_name(),
                anne.phone.as_deref(),
                anne.job_title.as_deref()
            ),
            ("Anne Archer".to_owned(), Some("+44 1"), None)
        );
        assert_eq!(
            contacts::find(&mut c, &abe.id)
                .await
                .unwrap()
                .email
                .as_deref(),
            Some("abe@acme.test")
        );

        // Permission sets: unique names, listed by name with how many users each has.
        let billing_set = permission_sets::insert(
            &mut c,
            "Billing",
            "Invoices only",
            "invoices:view invoices:comment",
            T0,
        )
        .await
        .unwrap();
        assert_eq!(
            (billing_set.user_count, billing_set.description.as_str()),
            (0, "Invoices only")
        );
        let work_set = permission_sets::insert(&mut c, "All work", "", "jobs:view", T0 + 1)
            .await
            .unwrap();
        conflict_on(
            permission_sets::insert(&mut c, "Billing", "", "", T0).await,
            "name",
        );
        permission_sets::update(
            &mut c,
            &work_set.id,
            "All work",
            "Jobs and tickets",
            "jobs:view tickets:view",
            T0 + 2,
        )
        .await
        .unwrap();
        conflict_on(
            permission_sets::update(&mut c, &work_set.id, "Billing", "", "", T0).await,
            "name",
        );
        not_found(permission_sets::update(&mut c, "no-such-id", "X", "", "", T0).await);
        not_found(permission_sets::find(&mut c, "no-such-id").await);
        let pu = portal_users::insert(
            &mut c,
            &ann.id,
            &user_settings("ann@acme.test", &billing_set.id),
            T0 + 3,
        )
        .await
        .unwrap();
        let sets = permission_sets::list(&mut c).await.unwrap();
        assert_eq!(pluck(&sets, |s| &s.name), ["All work", "Billing"]);
        assert_eq!(
            sets.iter().map(|s| s.user_count).collect::<Vec<_>>(),
            [0, 1]
        );
        assert_eq!(
            (
                sets[0].grants.as_str(),
                sets[0].updated_at,
                sets[0].created_at
            ),
            ("jobs:view tickets:view", T0 + 2, T0 + 1)
        );
        assert!(Grants::from_storage(&sets[1].grants)
            .allows(Module::Invoices, courtyard_domain::Action::Comment));
        t.saw("permission sets", &sets);

        // The contact now shows its portal user (LEFT JOIN), the others still none.
        let anne = contacts::find(&mut c, &ann.id).await.unwrap();
        assert_eq!(
            (anne.portal_user_id.as_deref(), anne.portal_state.as_deref()),
            (Some(pu.as_str()), Some("awaiting"))
        );
        let zed_people = contacts::list(
            &mut c,
            &clist(ContactFilter {
                company_id: Some(zed.id.clone()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        assert!(zed_people.is_empty());
    })
    .await;
}
