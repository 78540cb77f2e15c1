//! Invitations, login, sessions, resets and My details.

use courtyard_app::portal_users;
use courtyard_app::security::token_hash;

use crate::support::{on_each_backend, PASSWORD};

const BASIC: &[&str] = &["invoices:view", "tickets:create", "my_details:view"];

#[tokio::test]
async fn invited_person_accepts_sets_password_and_sees_only_granted_modules() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        let (_, link) = t.invited(&co, "Ada", "ada@acme.example", &set).await;
        let mail = t.sent().pop().unwrap();
        assert_eq!(
            mail.subject,
            "You're invited to the Harbour Studio customer portal"
        );
        assert!(mail.text.contains("Your username is ada@acme.example"));

        let mut b = t.browser();
        b.get(&link)
            .await
            .assert_status(200)
            .assert_contains("Welcome, Ada");
        b.post(&link, &[("password", "short"), ("confirm", "short")])
            .await
            .assert_status(422)
            .assert_contains("Use at least 12 characters.");
        b.post(
            &link,
            &[("password", "password1234"), ("confirm", "password1234")],
        )
        .await
        .assert_status(422)
        .assert_contains("too common");
        b.post(
            &link,
            &[
                ("password", PASSWORD),
                ("confirm", "something-else-entirely"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("do not match");
        let r = b
            .post(&link, &[("password", PASSWORD), ("confirm", PASSWORD)])
            .await;
        r.assert_status(303);
        assert_eq!(r.location(), "/");

        let home = b.get("/").await;
        home.assert_status(200)
            .assert_contains("Welcome, Ada")
            .assert_contains("href=\"/invoices\"")
            .assert_contains("href=\"/tickets\"");
        assert!(
            !home.body.contains("href=\"/quotes\""),
            "quotes not granted"
        );
        assert!(!home.body.contains("href=\"/projects\""));
        b.get("/invoices").await.assert_status(200);
        b.get("/quotes").await.assert_status(404);
        b.get("/projects").await.assert_status(404);

        // The link worked once.
        let mut other = t.browser();
        other
            .get(&link)
            .await
            .assert_status(410)
            .assert_contains("no longer works");
    })
    .await;
}

#[tokio::test]
async fn expired_invitation_is_refused_and_resending_kills_the_old_link() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        let (id, first) = t.invited(&co, "Ada", "ada@acme.example", &set).await;
        portal_users::invite(&t.app, &id).await.unwrap();
        t.deliver().await;
        let second = t.link_for("ada@acme.example", "/invitation/");
        assert_ne!(first, second);
        let mut b = t.browser();
        b.get(&first).await.assert_status(410);
        b.post(&first, &[("password", PASSWORD), ("confirm", PASSWORD)])
            .await
            .assert_status(410);
        b.get(&second).await.assert_status(200);

        t.app.clock.advance(73 * 3600);
        b.get(&second)
            .await
            .assert_status(410)
            .assert_contains("expired");
        let u = portal_users::find(&t.app, &id).await.unwrap();
        assert_eq!(u.state, "pending", "a refused link changes nothing");
        assert!(u.password_hash.is_none());
    })
    .await;
}

#[tokio::test]
async fn login_failures_look_the_same_whether_or_not_the_account_exists() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &set).await;
        let mut b = t.browser();
        let wrong = b.login("ada@acme.example", "not-the-password-at-all").await;
        let unknown = b
            .login("nobody@acme.example", "not-the-password-at-all")
            .await;
        wrong.assert_status(401);
        unknown.assert_status(401);
        let msg = |body: &str| {
            body.split("id=\"login-error\">")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_owned()
        };
        assert_eq!(msg(&wrong.body), msg(&unknown.body));
        // A pending (not yet accepted) user gets the same answer too.
        t.invited(&co, "Bob", "bob@acme.example", &set).await;
        let pending = b.login("bob@acme.example", "whatever-password-1").await;
        assert_eq!(msg(&pending.body), msg(&wrong.body));

        let ok = b.login("ADA@acme.example", PASSWORD).await;
        ok.assert_status(303);
        b.get("/").await.assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_are_delayed_not_locked_out_forever() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &set).await;
        let mut b = t.browser();
        for _ in 0..5 {
            b.login("ada@acme.example", "wrong-password-again")
                .await
                .assert_status(401);
        }
        let limited = b.login("ada@acme.example", PASSWORD).await;
        limited
            .assert_status(429)
            .assert_contains("Too many attempts");
        assert!(limited.headers.get("retry-after").is_some());
        // Another person's account from another address is unaffected.
        t.active(&co, "Cy", "cy@acme.example", &set).await;
        let mut other = t.browser();
        other.ip = "198.51.100.9:5000".parse().unwrap();
        other
            .login("cy@acme.example", PASSWORD)
            .await
            .assert_status(303);
        // After the delay the right password works.
        t.app.clock.advance(31);
        b.login("ada@acme.example", PASSWORD)
            .await
            .assert_status(303);
    })
    .await;
}

#[tokio::test]
async fn deactivation_ends_every_session_and_reactivation_restores_login() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        let id = t.active(&co, "Ada", "ada@acme.example", &set).await;
        let mut phone = t.portal_browser("ada@acme.example").await;
        let mut laptop = t.portal_browser("ada@acme.example").await;
        phone.get("/").await.assert_status(200);
        portal_users::deactivate(&t.app, &id).await.unwrap();
        let r = phone.get("/").await;
        r.assert_status(303);
        assert_eq!(r.location(), "/login");
        laptop.get("/me").await.assert_status(303);
        laptop
            .login("ada@acme.example", PASSWORD)
            .await
            .assert_status(401)
            .assert_contains("deactivated");
        portal_users::reactivate(&t.app, &id).await.unwrap();
        laptop
            .login("ada@acme.example", PASSWORD)
            .await
            .assert_status(303);
    })
    .await;
}

#[tokio::test]
async fn access_window_and_company_settings_decide_who_may_log_in() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        let id = t.active(&co, "Ada", "ada@acme.example", &set).await;
        let today = t.app.clock.today();
        let mut f = t.user_form("ada@acme.example", &set);
        f.access_until = (today - time::Duration::days(1)).to_string();
        portal_users::update(&t.app, &id, &f).await.unwrap();
        let mut b = t.browser();
        b.login("ada@acme.example", PASSWORD)
            .await
            .assert_status(401)
            .assert_contains("access has ended");
        f.access_until = today.to_string();
        portal_users::update(&t.app, &id, &f).await.unwrap();
        b.login("ada@acme.example", PASSWORD)
            .await
            .assert_status(303);

        // The company switches the portal to selected people: Ada is not selected.
        let mut form = courtyard_app::customers::CompanyForm {
            name: "Acme".into(),
            portal_access: "selected".into(),
            ..Default::default()
        };
        courtyard_app::customers::update_company(&t.app, &co, &form)
            .await
            .unwrap();
        b.get("/").await.assert_status(303);
        b.login("ada@acme.example", PASSWORD)
            .await
            .assert_status(401)
            .assert_contains("not available for your account");
        // Switching her on as a person overrides the company.
        let u = portal_users::find(&t.app, &id).await.unwrap();
        let mut c = courtyard_app::customers::ContactForm::from_contact(
            &courtyard_app::customers::find_contact(&t.app, &u.contact_id)
                .await
                .unwrap(),
        );
        c.portal_access = "on".into();
        courtyard_app::customers::update_contact(&t.app, &u.contact_id, &c)
            .await
            .unwrap();
        b.login("ada@acme.example", PASSWORD)
            .await
            .assert_status(303);
        form.portal_access = "off".into();
        courtyard_app::customers::update_company(&t.app, &co, &form)
            .await
            .unwrap();
        b.get("/").await.assert_status(200);
        c.portal_access = "off".into();
        courtyard_app::customers::update_contact(&t.app, &u.contact_id, &c)
            .await
            .unwrap();
        b.get("/").await.assert_status(303);
    })
    .await;
}

#[tokio::test]
async fn a_reset_link_works_once_and_ends_old_sessions() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &set).await;
        let mut old = t.portal_browser("ada@acme.example").await;
        let mut b = t.browser();
        b.get("/forgot-password").await;
        let known = b
            .post("/forgot-password", &[("email", "ada@acme.example")])
            .await;
        let unknown = b
            .post("/forgot-password", &[("email", "nobody@acme.example")])
            .await;
        known.assert_status(200).assert_contains("Request received");
        unknown
            .assert_status(200)
            .assert_contains("Request received");
        assert_eq!(
            known.body.replace("ada@acme.example", "X"),
            unknown.body.replace("nobody@acme.example", "X")
        );
        let before = t.sent().len();
        t.deliver().await;
        let sent = t.sent();
        assert_eq!(sent.len(), before + 1, "only the real account gets mail");
        assert_eq!(sent.last().unwrap().to, "ada@acme.example");
        let link = t.link_for("ada@acme.example", "/reset/");

        b.get(&link).await.assert_status(200);
        let new_pw = "new-lantern-harbour-77";
        let r = b
            .post(&link, &[("password", new_pw), ("confirm", new_pw)])
            .await;
        r.assert_status(303);
        assert_eq!(r.location(), "/login?done=password");
        b.get(&link).await.assert_status(410);
        b.post(
            &link,
            &[
                ("password", "another-one-entirely"),
                ("confirm", "another-one-entirely"),
            ],
        )
        .await
        .assert_status(410);
        old.get("/").await.assert_status(303);
        b.login("ada@acme.example", PASSWORD)
            .await
            .assert_status(401);
        b.login("ada@acme.example", new_pw).await.assert_status(303);
    })
    .await;
}

#[tokio::test]
async fn cant_reach_your_email_says_who_to_ask_instead_of_mailing_the_address() {
    on_each_backend(|t| async move {
        let mut b = t.browser();
        let login = b.get("/login").await;
        login
            .assert_contains("href=\"/login-help\"")
            .assert_contains("Can't reach your email?");
        assert!(!login.body.contains("Forgot your username"));
        // The business has no details yet: who to ask, without a card.
        let help = b.get("/login-help").await;
        help.assert_status(200)
            .assert_contains("Your username is the email address we invited you with");
        assert!(!help.body.contains("id=\"contact\""));
        // With the details of Settings → Documents and PDFs.
        let mut staff = t
            .staff_browser(
                "owner@harbour.example",
                courtyard_app::domain::StaffRole::Owner,
            )
            .await;
        staff
            .post(
                "/staff/settings/documents",
                &[
                    (
                        "details",
                        "12 Quay Road\nBristol BS1 4DJ\n0117 496 0000\nhello@harbour.example",
                    ),
                    ("footer", ""),
                    ("accent", "#1d4ed8"),
                    ("default_invoice", ""),
                ],
            )
            .await
            .assert_status(303);
        let help = b.get("/login-help").await;
        help.assert_contains("id=\"contact\"")
            .assert_contains("12 Quay Road<br>")
            .assert_contains("hello@harbour.example");
        // The old address leads there; nothing is mailed any more.
        let old = b.get("/forgot-username").await;
        old.assert_status(308);
        assert_eq!(old.location(), "/login-help");
        b.post("/forgot-username", &[("email", "ada@acme.example")])
            .await
            .assert_status(405);
        t.deliver().await;
        assert!(t.sent().is_empty());
    })
    .await;
}

#[tokio::test]
async fn my_details_updates_own_contact_and_company_only_with_edit_permission() {
    on_each_backend(|t| async move {
        let view_only = t.permission_set("View", BASIC).await;
        let editor = t.permission_set("Edit", &["my_details:edit"]).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &view_only).await;
        t.active(&co, "Bea", "bea@acme.example", &editor).await;

        let mut ada = t.portal_browser("ada@acme.example").await;
        let page = ada.get("/me").await;
        page.assert_status(200);
        assert!(
            !page.body.contains("name=\"company_name\""),
            "no company form without edit"
        );
        ada.post(
            "/me",
            &[
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("phone", "+44 1234"),
                ("job_title", "Analyst"),
                ("company_name", "Hijacked Ltd"),
            ],
        )
        .await
        .assert_status(303);
        ada.get("/me")
            .await
            .assert_contains("Lovelace")
            .assert_contains("+44 1234")
            .assert_contains("Analyst");
        assert_eq!(
            courtyard_app::customers::find_company(&t.app, &co)
                .await
                .unwrap()
                .name,
            "Acme"
        );
        ada.post("/me", &[("first_name", ""), ("last_name", "Lovelace")])
            .await
            .assert_status(422)
            .assert_contains("Enter your first name.");

        let mut bea = t.portal_browser("bea@acme.example").await;
        bea.get("/me")
            .await
            .assert_contains("name=\"company_name\"");
        bea.post(
            "/me",
            &[
                ("first_name", "Bea"),
                ("last_name", "T"),
                ("company_name", "Acme Group"),
                ("company_email", "bad email"),
            ],
        )
        .await
        .assert_status(422);
        assert_eq!(
            courtyard_app::customers::find_company(&t.app, &co)
                .await
                .unwrap()
                .name,
            "Acme",
            "nothing half-written"
        );
        bea.post(
            "/me",
            &[
                ("first_name", "Bea"),
                ("last_name", "T"),
                ("company_name", "Acme Group"),
                ("company_email", "hello@acme.example"),
            ],
        )
        .await
        .assert_status(303);
        assert_eq!(
            courtyard_app::customers::find_company(&t.app, &co)
                .await
                .unwrap()
                .name,
            "Acme Group"
        );
    })
    .await;
}

#[tokio::test]
async fn a_user_sees_their_sessions_and_can_end_one_but_not_someone_elses() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &set).await;
        t.active(&co, "Bob", "bob@acme.example", &set).await;
        let mut phone = t.portal_browser("ada@acme.example").await;
        let mut laptop = t.portal_browser("ada@acme.example").await;
        let mut bob = t.portal_browser("bob@acme.example").await;
        let page = laptop.get("/me/sessions").await;
        page.assert_status(200).assert_contains("This device");
        let ids: Vec<String> = page
            .body
            .split("name=\"id\" value=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), 3, "the accept session and two logins");
        let phone_id = token_hash(phone.jar.get("cy_portal").unwrap());
        let laptop_id = token_hash(laptop.jar.get("cy_portal").unwrap());
        assert!(ids.contains(&phone_id) && ids.contains(&laptop_id));
        // Bob can't end Ada's sessions: same answer as a session that does not exist.
        for id in &ids {
            bob.post("/me/sessions/end", &[("id", id)])
                .await
                .assert_status(404);
        }
        phone.get("/").await.assert_status(200);
        let r = laptop.post("/me/sessions/end", &[("id", &phone_id)]).await;
        assert_eq!(r.location(), "/me/sessions?done=ended");
        phone.get("/").await.assert_status(303);
        laptop.get("/").await.assert_status(200);
        let r = laptop.post("/me/sessions/end", &[("id", &laptop_id)]).await;
        assert_eq!(r.location(), "/login?done=loggedout");
        laptop.get("/").await.assert_status(303);
        bob.get("/").await.assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn idle_and_absolute_session_timeouts_end_sessions() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &set).await;
        let mut b = t.portal_browser("ada@acme.example").await;
        // Active every hour: the idle timeout (2 h) never hits...
        for _ in 0..23 {
            t.app.clock.advance(3600);
            b.get("/").await.assert_status(200);
        }
        // ...but the absolute timeout (24 h) does.
        t.app.clock.advance(3601);
        b.get("/").await.assert_status(303);
        let mut c = t.portal_browser("ada@acme.example").await;
        t.app.clock.advance(2 * 3600 + 60);
        c.get("/").await.assert_status(303);
    })
    .await;
}
