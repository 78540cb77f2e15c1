//! Identity: staff accounts, portal users and their lifecycle, sessions,
//! one-time tokens and rate-limit events, on both engines.

use courtyard_db::portal_users::{self, PortalUserFilter, PortalUserSettings};
use courtyard_db::sessions::{self, Session};
use courtyard_db::{login_failures, permission_sets, staff, tokens};

use super::{ann, ben, company, conflict_on, contact, not_found, pluck, story, user_settings, T0};

#[tokio::test]
async fn identity_accounts_sessions_tokens_and_login_failures() {
    story(|db, t| async move {
        let mut c = db.conn().await.unwrap();

        // Staff accounts: a NULL password hash stays NULL, emails are unique
        // and looked up exactly, the list is by name.
        let ada = staff::insert(
            &mut c,
            "ada@courtyard.test",
            "Ada Admin",
            "admin",
            Some("h1"),
            T0,
        )
        .await
        .unwrap();
        assert_eq!(
            (
                ada.role.as_str(),
                ada.password_hash.as_deref(),
                ada.active,
                ada.created_at
            ),
            ("admin", Some("h1"), 1, T0)
        );
        let bo = staff::insert(
            &mut c,
            "bo@courtyard.test",
            "Bo Builder",
            "staff",
            None,
            T0 + 1,
        )
        .await
        .unwrap();
        assert_eq!(bo.password_hash, None);
        conflict_on(
            staff::insert(&mut c, "ada@courtyard.test", "Ada Again", "staff", None, T0).await,
            "email",
        );
        assert!(staff::find_by_email(&mut c, "ADA@courtyard.test")
            .await
            .unwrap()
            .is_none());
        let found = staff::find_by_email(&mut c, "ada@courtyard.test")
            .await
            .unwrap();
        assert_eq!(found.map(|s| s.id), Some(ada.id.clone()));
        staff::set_password(&mut c, &bo.id, "h2").await.unwrap();
        not_found(staff::set_password(&mut c, "no-such-id", "h").await);
        not_found(staff::find(&mut c, "no-such-id").await);
        let everyone = staff::list(&mut c).await.unwrap();
        assert_eq!(pluck(&everyone, |s| &s.name), ["Ada Admin", "Bo Builder"]);
        assert_eq!(everyone[1].password_hash.as_deref(), Some("h2"));
        assert_eq!(staff::count(&mut c).await.unwrap(), 2);
        t.saw("staff", &everyone);

        // Portal users: the row carries its contact's, company's and
        // permission set's fields; a contact without a company gives NULLs.
        let acme = company(&mut c, "Acme Ltd").await;
        let set = permission_sets::insert(&mut c, "Billing", "", "invoices:view", T0)
            .await
            .unwrap();
        let ann = ann(&mut c, &acme).await;
        let ben = ben(&mut c, &acme).await;
        let cy = contact(&mut c, None, "Cy", "Cole", Some("cy@solo.test")).await;
        let dee = contact(&mut c, Some(&acme.id), "Dee", "Dunn", None).await;
        let ann_id = portal_users::insert(
            &mut c,
            &ann.id,
            &user_settings("ann@acme.test", &set.id),
            T0,
        )
        .await
        .unwrap();
        let ben_id = portal_users::insert(
            &mut c,
            &ben.id,
            &user_settings("ben@acme.test", &set.id),
            T0 + 1,
        )
        .await
        .unwrap();
        let cy_settings = PortalUserSettings {
            access_from: Some("2024-01-01".into()),
            access_until: Some("2024-12-31".into()),
            ..user_settings("cy@solo.test", &set.id)
        };
        let cy_id = portal_users::insert(&mut c, &cy.id, &cy_settings, T0 + 2)
            .await
            .unwrap();
        conflict_on(
            portal_users::insert(
                &mut c,
                &dee.id,
                &user_settings("ann@acme.test", &set.id),
                T0,
            )
            .await,
            "email",
        );

        let a = portal_users::find(&mut c, &ann_id).await.unwrap();
        assert_eq!(
            (
                a.state.as_str(),
                a.record_scope.as_str(),
                a.full_name(),
                a.grants.as_str()
            ),
            (
                "awaiting",
                "company",
                "Ann Archer".to_owned(),
                "invoices:view"
            )
        );
        assert_eq!(
            (
                a.password_hash,
                a.invited_at,
                a.activated_at,
                a.last_login_at
            ),
            (None, None, None, None)
        );
        assert_eq!((a.created_at, a.updated_at), (T0, T0));
        assert_eq!(a.company_name.as_deref(), Some("Acme Ltd"));
        assert_eq!(a.company_access.as_deref(), Some("on"));
        assert_eq!(a.contact_access, "inherit");
        let loner = portal_users::find(&mut c, &cy_id).await.unwrap();
        assert_eq!(
            (loner.company_id, loner.company_name, loner.company_access),
            (None, None, None)
        );
        assert_eq!(loner.access_until.as_deref(), Some("2024-12-31"));
        not_found(portal_users::find(&mut c, "no-such-id").await);

        // The lifecycle: each move only from the state it expects, stamping its time once.
        assert!(
            portal_users::set_state(&mut c, &ann_id, "awaiting", "pending", T0 + 10)
                .await
                .unwrap()
        );
        assert!(
            !portal_users::set_state(&mut c, &ann_id, "awaiting", "pending", T0 + 11)
                .await
                .unwrap()
        );
        assert!(
            portal_users::set_state(&mut c, &ann_id, "pending", "active", T0 + 20)
                .await
                .unwrap()
        );
        assert!(
            portal_users::set_state(&mut c, &ann_id, "active", "inactive", T0 + 30)
                .await
                .unwrap()
        );
        assert!(
            portal_users::set_state(&mut c, &ann_id, "inactive", "active", T0 + 40)
                .await
                .unwrap()
        );
        portal_users::set_password(&mut c, &ann_id, "argon", T0 + 41)
            .await
            .unwrap();
        portal_users::touch_login(&mut c, &ann_id, T0 + 42)
            .await
            .unwrap();
        let a = portal_users::find(&mut c, &ann_id).await.unwrap();
        assert_eq!(a.state, "active");
        assert_eq!(
            (a.invited_at, a.activated_at, a.last_login_at),
            (Some(T0 + 10), Some(T0 + 20), Some(T0 + 42))
        );
        assert_eq!(
            (a.password_hash.as_deref(), a.updated_at),
            (Some("argon"), T0 + 41)
        );

        let ben_settings = PortalUserSettings {
            record_scope: "own".into(),
            access_until: Some("2025-06-30".into()),
            ..user_settings("benjamin@acme.test", &set.id)
        };
        portal_users::update_settings(&mut c, &ben_id, &ben_settings, T0 + 50)
            .await
            .unwrap();
        conflict_on(
            portal_users::update_settings(
                &mut c,
                &ben_id,
                &user_settings("cy@solo.test", &set.id),
                T0,
            )
            .await,
            "email",
        );
        not_found(portal_users::update_settings(&mut c, "no-such-id", &ben_settings, T0).await);
        let b = portal_users::find_by_email(&mut c, "benjamin@acme.test")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                b.id.as_str(),
                b.record_scope.as_str(),
                b.access_from.as_deref()
            ),
            (ben_id.as_str(), "own", None)
        );
        assert!(portal_users::find_by_email(&mut c, "ben@acme.test")
            .await
            .unwrap()
            .is_none());
        let by_contact = portal_users::find_by_contact(&mut c, &cy.id).await.unwrap();
        assert_eq!(by_contact.map(|u| u.id), Some(cy_id.clone()));
        assert!(portal_users::find_by_contact(&mut c, &dee.id)
            .await
            .unwrap()
            .is_none());

        // The staff list: by email, filtered by state, name (any case) or company, in keyset pages.
        let list = |f: PortalUserFilter| PortalUserFilter { limit: 10, ..f };
        let all = portal_users::list(&mut c, &list(Default::default()))
            .await
            .unwrap();
        assert_eq!(
            pluck(&all, |u| &u.email),
            ["ann@acme.test", "benjamin@acme.test", "cy@solo.test"]
        );
        t.saw("portal users", &all);
        let active = portal_users::list(
            &mut c,
            &list(PortalUserFilter {
                state: Some("active".into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        assert_eq!(pluck(&active, |u| &u.email), ["ann@acme.test"]);
        let named = portal_users::list(
            &mut c,
            &list(PortalUserFilter {
                search: Some("ANN ARCH".into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        assert_eq!(pluck(&named, |u| &u.email), ["ann@acme.test"]);
        let by_mail = portal_users::list(
            &mut c,
            &list(PortalUserFilter {
                search: Some("acme.test".into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        assert_eq!(
            pluck(&by_mail, |u| &u.email),
            ["ann@acme.test", "benjamin@acme.test"]
        );
        let at_acme = portal_users::list(
            &mut c,
            &list(PortalUserFilter {
                company_id: Some(acme.id.clone()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        assert_eq!(at_acme.len(), 2);
        let first = portal_users::list(
            &mut c,
            &PortalUserFilter {
                limit: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let last = &first[1];
        let rest = portal_users::list(
            &mut c,
            &PortalUserFilter {
                limit: 2,
                after: Some((last.email.clone(), last.id.clone())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(pluck(&rest, |u| &u.email), ["cy@solo.test"]);
        let mut counts = portal_users::count_by_state(&mut c).await.unwrap();
        counts.sort();
        assert_eq!(
            counts,
            [("active".to_owned(), 1), ("awaiting".to_owned(), 2)]
        );

        // Sessions: newest-seen first; a user ends only their own; expiry by idleness or age.
        let session = |hash: &str, kind: &str, user: &str, created: i64, seen: i64| Session {
            id_hash: hash.into(),
            user_kind: kind.into(),
            user_id: user.into(),
            created_at: created,
            last_seen_at: seen,
            ip: "203.0.113.7".into(),
            user_agent: String::new(),
        };
        sessions::insert(&mut c, &session("s1", "portal", &ann_id, T0, T0))
            .await
            .unwrap();
        sessions::insert(
            &mut c,
            &session("s2", "portal", &ann_id, T0 + 100, T0 + 100),
        )
        .await
        .unwrap();
        sessions::insert(&mut c, &session("s3", "staff", &ada.id, T0, T0 + 50))
            .await
            .unwrap();
        let s1 = sessions::find(&mut c, "s1").await.unwrap().unwrap();
        assert_eq!(
            (
                s1.user_kind.as_str(),
                s1.ip.as_str(),
                s1.user_agent.as_str()
            ),
            ("portal", "203.0.113.7", "")
        );
        assert!(sessions::find(&mut c, "s9").await.unwrap().is_none());
        sessions::touch(&mut c, "s1", T0 + 200).await.unwrap();
        let mine = sessions::list_for_user(&mut c, "portal", &ann_id)
            .await
            .unwrap();
        assert_eq!(pluck(&mine, |s| &s.id_hash), ["s1", "s2"]);
        assert_eq!(mine[0].last_seen_at, T0 + 200);
        t.saw("sessions", &mine);
        assert!(!sessions::delete_for_user(&mut c, "portal", &ben_id, "s1")
            .await
            .unwrap());
        assert!(!sessions::delete_for_user(&mut c, "staff", &ann_id, "s1")
            .await
            .unwrap());
        assert!(sessions::delete_for_user(&mut c, "portal", &ann_id, "s2")
            .await
            .unwrap());
        assert_eq!(
            sessions::delete_expired(&mut c, T0 + 60, T0 - 1)
                .await
                .unwrap(),
            1
        );
        assert!(sessions::find(&mut c, "s3").await.unwrap().is_none());
        assert_eq!(
            sessions::delete_expired(&mut c, T0, T0 + 1).await.unwrap(),
            1
        );
        sessions::insert(
            &mut c,
            &session("s4", "portal", &ann_id, T0 + 300, T0 + 300),
        )
        .await
        .unwrap();
        sessions::insert(
            &mut c,
            &session("s5", "portal", &ann_id, T0 + 300, T0 + 301),
        )
        .await
        .unwrap();
        assert_eq!(
            sessions::delete_all_for_user(&mut c, "portal", &ann_id)
                .await
                .unwrap(),
            2
        );
        sessions::delete(&mut c, "s4").await.unwrap();

        // One-time tokens: valid until (not at) expiry, used once, revoked per purpose.
        tokens::insert(
            &mut c,
            "tok-invite",
            "invitation",
            "portal",
            &ann_id,
            T0,
            T0 + 3600,
        )
        .await
        .unwrap();
        tokens::insert(
            &mut c,
            "tok-old",
            "invitation",
            "portal",
            &ann_id,
            T0,
            T0 + 10,
        )
        .await
        .unwrap();
        let valid = tokens::find_valid(&mut c, "tok-invite", "invitation", T0 + 3599)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (valid.user_id.as_str(), valid.expires_at, valid.used_at),
            (ann_id.as_str(), T0 + 3600, None)
        );
        t.saw("token", &valid);
        assert!(tokens::find_valid(&mut c, "tok-invite", "reset", T0)
            .await
            .unwrap()
            .is_none());
        assert!(
            tokens::find_valid(&mut c, "tok-invite", "invitation", T0 + 3600)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            tokens::consume(&mut c, "tok-old", "invitation", T0 + 20)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            tokens::consume(&mut c, "tok-invite", "invitation", T0 + 30)
                .await
                .unwrap(),
            Some(("portal".to_owned(), ann_id.clone()))
        );
        assert_eq!(
            tokens::consume(&mut c, "tok-invite", "invitation", T0 + 31)
                .await
                .unwrap(),
            None
        );
        for (hash, user) in [("r1", &ann_id), ("r2", &ann_id), ("r3", &ben_id)] {
            tokens::insert(&mut c, hash, "reset", "portal", user, T0, T0 + 3600)
                .await
                .unwrap();
        }
        assert_eq!(
            tokens::revoke_for_user(&mut c, "reset", "portal", &ann_id, T0 + 40)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            tokens::revoke_for_user(&mut c, "reset", "portal", &ann_id, T0 + 41)
                .await
                .unwrap(),
            0
        );
        assert!(tokens::find_valid(&mut c, "r1", "reset", T0 + 50)
            .await
            .unwrap()
            .is_none());
        assert!(tokens::find_valid(&mut c, "r3", "reset", T0 + 50)
            .await
            .unwrap()
            .is_some());

        // Rate-limit events: a count and the newest time (NULL when none), one claim per id.
        for at in [T0, T0 + 10, T0 + 20] {
            login_failures::record(&mut c, "login:ann", at)
                .await
                .unwrap();
        }
        login_failures::record(&mut c, "ip:203.0.113.7", T0 + 5)
            .await
            .unwrap();
        assert_eq!(
            login_failures::recent(&mut c, "login:ann", T0 + 5)
                .await
                .unwrap(),
            (2, Some(T0 + 20))
        );
        assert_eq!(
            login_failures::recent(&mut c, "login:nobody", 0)
                .await
                .unwrap(),
            (0, None)
        );
        assert!(login_failures::claim(&mut c, "mail:ann:1", "mail:ann", T0)
            .await
            .unwrap());
        assert!(
            !login_failures::claim(&mut c, "mail:ann:1", "mail:ann", T0 + 1)
                .await
                .unwrap()
        );
        assert_eq!(login_failures::prune(&mut c, T0 + 10).await.unwrap(), 3);
        assert_eq!(
            login_failures::recent(&mut c, "login:ann", 0)
                .await
                .unwrap(),
            (2, Some(T0 + 20))
        );
        login_failures::clear(&mut c, "login:ann").await.unwrap();
        assert_eq!(
            login_failures::recent(&mut c, "login:ann", 0)
                .await
                .unwrap(),
            (0, None)
        );
        t.saw(
            "failures",
            &login_failures::recent(&mut c, "ip:203.0.113.7", 0)
                .await
                .unwrap(),
        );
    })
    .await;
}
