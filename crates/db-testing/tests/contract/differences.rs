//! Where SQLite and PostgreSQL differ today. Each case pins what each
//! engine returns; when one fails because the engines now agree, move it
//! into its family's story as one expectation.

use courtyard_db::companies::{self, Company, CompanyFilter, CompanyInput};
use courtyard_db::contacts::{self, ContactFilter};
use courtyard_db::portal_users::{self, PortalUserFilter};
use courtyard_db::{permission_sets, settings, staff};
use courtyard_db::{Backend, DbError};
use courtyard_db_testing::each_backend;

use super::{company, contact, pluck, user_settings, T0};

#[tokio::test]
async fn known_differences_between_the_engines() {
    each_backend(|db| async move {
        let mut c = db.conn().await.unwrap();
        let pg = db.backend() == Backend::Postgres;
        let names = |rows: &[Company]| pluck(rows, |r| &r.name);
        let zola = CompanyInput {
            name: "Émile Zola SARL".into(),
            tags: vec!["VIP".into()],
            portal_access: "on".into(),
            ..Default::default()
        };
        let zola = companies::insert(&mut c, &zola, T0).await.unwrap();
        company(&mut c, "Straße GmbH").await;
        let search = |s: &str| CompanyFilter {
            search: Some(s.into()),
            limit: 10,
            ..Default::default()
        };

        // Portable: lower-case letters beyond ASCII, and ASCII in any case.
        for needle in ["zola", "ZOLA", "straße"] {
            assert_eq!(
                companies::list(&mut c, &search(needle))
                    .await
                    .unwrap()
                    .len(),
                1,
                "{needle}"
            );
        }
        // 1. Case-insensitive search of an upper-case letter beyond ASCII:
        // the needle is lower-cased in Rust (`like_pattern`), the column by
        // SQL `LOWER`, which on SQLite folds ASCII only. So on SQLite no
        // spelling of "Émile" finds "Émile Zola SARL"; PostgreSQL finds it.
        // Every search built on `LOWER(col) LIKE` has this (companies,
        // contacts, portal users' names, every record list, documents).
        for needle in ["Émile", "émile", "ÉMILE"] {
            let found = names(&companies::list(&mut c, &search(needle)).await.unwrap());
            let expected: &[&str] = if pg { &["Émile Zola SARL"] } else { &[] };
            assert_eq!(found, expected, "{:?} searching {needle:?}", db.backend());
        }
        let ct = contact(
            &mut c,
            Some(&zola.id),
            "Élodie",
            "Ünal",
            Some("Elodie.Unal@Zola.TEST"),
        )
        .await;
        let people = ContactFilter {
            search: Some("élodie ünal".into()),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            contacts::list(&mut c, &people).await.unwrap().len(),
            usize::from(pg)
        );

        // 2. `LIKE` without `LOWER` is case-insensitive (ASCII) on SQLite and
        // case-sensitive on PostgreSQL. Latent: the app stores emails and
        // tags lower-cased and setting keys come from code.
        let tagged = CompanyFilter {
            tag: Some("vip".into()),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            companies::list(&mut c, &tagged).await.unwrap().len(),
            usize::from(!pg),
            "tag ',VIP,'"
        );
        let set = permission_sets::insert(&mut c, "Set", "", "", T0)
            .await
            .unwrap();
        let elodie = user_settings("Elodie.Unal@Zola.TEST", &set.id);
        portal_users::insert(&mut c, &ct.id, &elodie, T0)
            .await
            .unwrap();
        let by_mail = PortalUserFilter {
            search: Some("elodie.unal".into()),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            portal_users::list(&mut c, &by_mail).await.unwrap().len(),
            usize::from(!pg),
            "mixed-case email"
        );
        settings::set(&mut c, "Email.Subject", "x").await.unwrap();
        assert_eq!(
            settings::with_prefix(&mut c, "email.").await.unwrap().len(),
            usize::from(!pg),
            "setting key case"
        );

        // 3. What a conflict names: SQLite's message, PostgreSQL's constraint.
        // Both name the column, which is all callers rely on.
        staff::insert(&mut c, "a@x.test", "A", "staff", None, T0)
            .await
            .unwrap();
        let Err(DbError::Conflict(what)) =
            staff::insert(&mut c, "a@x.test", "A", "staff", None, T0).await
        else {
            panic!("a second account with the same email")
        };
        let expected = if pg {
            "staff_users_email_key"
        } else {
            "UNIQUE constraint failed: staff_users.email"
        };
        assert_eq!(what, expected);

        // Not a difference here, but one where PostgreSQL's database collation is
        // not C (e.g. en_US.UTF-8): names sort by code point on SQLite and under
        // C, case- and accent-aware otherwise (lists and their keyset pages).
        for name in ["apple co", "Zebra", "Édith", "Eve"] {
            company(&mut c, name).await;
        }
        let all = names(
            &companies::list(
                &mut c,
                &CompanyFilter {
                    limit: 20,
                    ..Default::default()
                },
            )
            .await
            .unwrap(),
        );
        assert_eq!(
            all,
            [
                "Eve",
                "Straße GmbH",
                "Zebra",
                "apple co",
                "Édith",
                "Émile Zola SARL"
            ],
            "{:?} sorts names differently: is the PostgreSQL database's collation C?",
            db.backend()
        );
    })
    .await;
}
