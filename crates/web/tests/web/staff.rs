//! Staff pages: companies, people, portal users, permission sets, settings.

use courtyard_app::domain::StaffRole;

use crate::support::{on_each_backend, PASSWORD};

fn id_from(location: &str, prefix: &str) -> String {
    location
        .trim_start_matches(prefix)
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn staff_add_a_company_and_person_and_invite_them() {
    on_each_backend(|t| async move {
        let mut s = t
            .staff_browser("owner@harbour.example", StaffRole::Owner)
            .await;
        let r = s
            .post(
                "/staff/permission-sets",
                &[
                    ("name", "Finance"),
                    ("description", "Money"),
                    ("grant", "invoices:comment"),
                    ("grant", "my_details:view"),
                ],
            )
            .await;
        r.assert_status(303);
        let set = id_from(r.location(), "/staff/permission-sets/");
        s.get(&format!("/staff/permission-sets/{set}"))
            .await
            .assert_contains("value=\"invoices:view\" aria-label=\"Invoices: View\" checked");

        let r = s
            .post(
                "/staff/companies",
                &[
                    ("name", "Acme Ltd"),
                    ("email", "hello@acme.example"),
                    ("tags", "VIP, trade"),
                    ("portal_access", "all"),
                ],
            )
            .await;
        r.assert_status(303);
        let co = id_from(r.location(), "/staff/companies/");
        s.get("/staff/companies?q=acme")
            .await
            .assert_contains("Acme Ltd")
            .assert_contains(">vip<");
        s.get("/staff/companies?tag=trade")
            .await
            .assert_contains("Acme Ltd");
        assert!(!s
            .get("/staff/companies?q=zzz")
            .await
            .body
            .contains("Acme Ltd"));

        let r = s
            .post(
                "/staff/people",
                &[
                    ("company_id", &co),
                    ("first_name", "Ada"),
                    ("last_name", "Lovelace"),
                    ("email", "ada@acme.example"),
                    ("portal_access", "inherit"),
                ],
            )
            .await;
        r.assert_status(303);
        let person = id_from(r.location(), "/staff/people/");
        s.get(&format!("/staff/people/{person}"))
            .await
            .assert_contains("Give access");
        s.get(&format!("/staff/people/{person}/access"))
            .await
            .assert_status(200)
            .assert_contains("value=\"ada@acme.example\"");

        // Bad input: malformed email, no set, end before start. Nothing is written.
        let bad = s
            .post(
                &format!("/staff/people/{person}/access"),
                &[
                    ("email", "ada@"),
                    ("permission_set_id", ""),
                    ("record_scope", "company"),
                    ("access_from", "2026-05-02"),
                    ("access_until", "2026-05-01"),
                    ("send", "invite"),
                ],
            )
            .await;
        bad.assert_status(422)
            .assert_contains("not a valid email address")
            .assert_contains("Choose a permission set.")
            .assert_contains("must not be before");
        s.get("/staff/portal-users")
            .await
            .assert_contains("All (0)");

        let r = s
            .post(
                &format!("/staff/people/{person}/access"),
                &[
                    ("email", "ada@acme.example"),
                    ("permission_set_id", &set),
                    ("record_scope", "own"),
                    ("send", "invite"),
                ],
            )
            .await;
        r.assert_status(303);
        s.get(r.location())
            .await
            .assert_contains("The invitation is on its way.")
            .assert_contains("Pending")
            .assert_contains("Resend invitation");
        t.deliver().await;
        assert_eq!(t.sent().last().unwrap().to, "ada@acme.example");
        s.get("/staff/portal-users?state=pending")
            .await
            .assert_contains("ada@acme.example");
        assert!(!s
            .get("/staff/portal-users?state=active")
            .await
            .body
            .contains("ada@acme.example"));

        // A second person can't take the same portal email.
        let r = s
            .post(
                "/staff/people",
                &[
                    ("company_id", &co),
                    ("first_name", "Imp"),
                    ("last_name", "Ostor"),
                    ("email", "imp@acme.example"),
                    ("portal_access", "inherit"),
                ],
            )
            .await;
        let imp = id_from(r.location(), "/staff/people/");
        s.post(
            &format!("/staff/people/{imp}/access"),
            &[
                ("email", "ADA@acme.example"),
                ("permission_set_id", &set),
                ("record_scope", "company"),
                ("send", "save"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("Another portal user already has this email");
        s.get("/staff/portal-users")
            .await
            .assert_contains("All (1)");

        // Save only: Awaiting, then invite from the user page.
        let r = s
            .post(
                &format!("/staff/people/{imp}/access"),
                &[
                    ("email", "imp@acme.example"),
                    ("permission_set_id", &set),
                    ("record_scope", "company"),
                    ("send", "save"),
                ],
            )
            .await;
        let imp_user = id_from(r.location(), "/staff/portal-users/");
        s.get(&format!("/staff/portal-users/{imp_user}"))
            .await
            .assert_contains("Awaiting")
            .assert_contains("Send invitation");
        s.post(&format!("/staff/portal-users/{imp_user}/invite"), &[])
            .await
            .assert_status(303);
        s.get(&format!("/staff/portal-users/{imp_user}"))
            .await
            .assert_contains("Pending");
        s.post(&format!("/staff/portal-users/{imp_user}/deactivate"), &[])
            .await
            .assert_status(303);
        s.get(&format!("/staff/portal-users/{imp_user}"))
            .await
            .assert_contains("Inactive")
            .assert_contains("Reactivate");
        // Inactive users can't be invited.
        s.post(&format!("/staff/portal-users/{imp_user}/invite"), &[])
            .await
            .assert_status(409);
        // The one invitation sent before the deactivation was mailed.
        t.deliver().await;
        assert!(t
            .link_for("imp@acme.example", "/invitation/")
            .starts_with("/invitation/"));
    })
    .await;
}

#[tokio::test]
async fn a_contact_without_a_company_cannot_get_portal_access() {
    on_each_backend(|t| async move {
        let mut s = t
            .staff_browser("owner@harbour.example", StaffRole::Owner)
            .await;
        let set = t.permission_set("Basic", &["invoices:view"]).await;
        let r = s
            .post(
                "/staff/people",
                &[
                    ("first_name", "Lone"),
                    ("last_name", "Wolf"),
                    ("email", "lone@example.com"),
                ],
            )
            .await;
        let person = id_from(r.location(), "/staff/people/");
        s.post(
            &format!("/staff/people/{person}/access"),
            &[
                ("email", "lone@example.com"),
                ("permission_set_id", &set),
                ("record_scope", "company"),
                ("send", "invite"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("Link this person to a company first");
    })
    .await;
}

#[tokio::test]
async fn members_cannot_manage_portal_access_or_settings() {
    on_each_backend(|t| async move {
        let mut m = t
            .staff_browser("member@harbour.example", StaffRole::Member)
            .await;
        m.get("/staff/companies").await.assert_status(200);
        m.get("/staff/settings").await.assert_status(403);
        m.get("/staff/permission-sets/new").await.assert_status(403);
        m.post(
            "/staff/permission-sets",
            &[("name", "Sneaky"), ("grant", "invoices:view")],
        )
        .await
        .assert_status(403);
        let set = t.permission_set("Basic", &["invoices:view"]).await;
        let co = t.company("Acme", "all").await;
        let id = t.active(&co, "Ada", "ada@acme.example", &set).await;
        m.post(&format!("/staff/portal-users/{id}/deactivate"), &[])
            .await
            .assert_status(403);
        assert_eq!(
            courtyard_app::portal_users::find(&t.app, &id)
                .await
                .unwrap()
                .state,
            "active"
        );
    })
    .await;
}

#[tokio::test]
async fn unknown_records_are_not_found() {
    on_each_backend(|t| async move {
        let mut s = t
            .staff_browser("owner@harbour.example", StaffRole::Owner)
            .await;
        for path in [
            "/staff/companies/nope",
            "/staff/people/nope",
            "/staff/portal-users/nope",
            "/staff/permission-sets/nope",
        ] {
            s.get(path)
                .await
                .assert_status(404)
                .assert_contains("Page not found");
        }
    })
    .await;
}

#[tokio::test]
async fn staff_customise_the_invitation_intro() {
    on_each_backend(|t| async move {
        let mut s = t
            .staff_browser("owner@harbour.example", StaffRole::Owner)
            .await;
        s.post(
            "/staff/settings",
            &[
                ("intro_invitation", "Welcome to our studio portal."),
                ("intro_password_reset", ""),
                ("intro_username_reminder", ""),
            ],
        )
        .await
        .assert_status(303);
        s.get("/staff/settings")
            .await
            .assert_contains("Welcome to our studio portal.");
        let set = t.permission_set("Basic", &["invoices:view"]).await;
        let co = t.company("Acme", "all").await;
        t.invited(&co, "Ada", "ada@acme.example", &set).await;
        let m = t.sent().pop().unwrap();
        assert!(
            m.text.contains("Welcome to our studio portal."),
            "{}",
            m.text
        );
        assert!(m.html.contains("Welcome to our studio portal."));
        let long = "x".repeat(2001);
        s.post(
            "/staff/settings",
            &[
                ("intro_invitation", "Changed"),
                ("intro_password_reset", &long),
                ("intro_username_reminder", ""),
            ],
        )
        .await
        .assert_status(422);
        s.get("/staff/settings")
            .await
            .assert_contains("Welcome to our studio portal.");
    })
    .await;
}

#[tokio::test]
async fn the_first_owner_comes_from_a_one_time_setup_link() {
    on_each_backend(|t| async move {
        let link = courtyard_app::auth::ensure_setup_link(&t.app)
            .await
            .unwrap()
            .unwrap();
        let path = link.trim_start_matches("http://portal.test");
        let mut b = t.browser();
        b.get(path)
            .await
            .assert_status(200)
            .assert_contains("Create owner account");
        b.post(
            path,
            &[
                ("name", "Olive"),
                ("email", "olive@harbour.example"),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await
        .assert_status(422);
        b.post(
            path,
            &[
                ("name", "Olive"),
                ("email", "olive@harbour.example"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await
        .assert_status(303);
        b.get("/staff")
            .await
            .assert_status(200)
            .assert_contains("Olive");
        let mut c = t.browser();
        c.get(path).await.assert_status(410);
        assert!(
            courtyard_app::auth::ensure_setup_link(&t.app)
                .await
                .unwrap()
                .is_none(),
            "no setup link once staff exist"
        );
    })
    .await;
}
