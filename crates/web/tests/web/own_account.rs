//! A signed-in customer changes their password and logs out of their other
//! sessions (issue 11): the current password is checked and throttled like
//! a login, the new one follows the policy, every other session ends and
//! this one stays. Both databases.

use crate::support::{on_each_backend, TestApp, PASSWORD};

const NEW: &str = "copper-kettle-morning-17";

async fn ada(t: &TestApp) {
    let set = t.permission_set("Basic", &["my_details:view"]).await;
    let co = t.company("Acme", "all").await;
    t.active(&co, "Ada", "ada@acme.example", &set).await;
}

fn change<'a>(current: &'a str, new: &'a str, confirm: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("current", current),
        ("password", new),
        ("confirm", confirm),
    ]
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one_and_ends_every_other_session() {
    on_each_backend(|t| async move {
        ada(&t).await;
        let mut here = t.portal_browser("ada@acme.example").await;
        let mut phone = t.portal_browser("ada@acme.example").await;
        let sessions = here.get("/me/sessions").await;
        sessions
            .assert_status(200)
            .assert_contains("href=\"/me/password\"")
            .assert_contains("Log out of all other sessions");
        here.get("/me/password")
            .await
            .assert_status(200)
            .assert_contains("autocomplete=\"current-password\"");

        // Refused forms change nothing and keep nothing typed.
        for (form, field, says) in [
            (
                change("not-my-password-at-all", NEW, NEW),
                "current",
                "That is not your current password.",
            ),
            (
                change(PASSWORD, "short", "short"),
                "password",
                "at least 12",
            ),
            (
                change(PASSWORD, NEW, "copper-kettle-evening-17"),
                "confirm",
                "do not match",
            ),
        ] {
            let r = here.post("/me/password", &form).await;
            r.assert_status(422).assert_contains(says);
            assert!(
                r.body.contains(&format!("id=\"{field}-error\"")),
                "{}",
                r.body
            );
            assert!(
                !r.body.contains(NEW) && !r.body.contains(PASSWORD),
                "nothing typed comes back"
            );
        }
        phone.get("/").await.assert_status(200);

        // A reset link asked for before the change must not undo it.
        let mut other = t.browser();
        other
            .post("/forgot-password", &[("email", "ada@acme.example")])
            .await
            .assert_status(200);
        t.deliver().await;
        let reset = t.link_for("ada@acme.example", "/reset/");
        let before = here.clone();
        let ok = here.post("/me/password", &change(PASSWORD, NEW, NEW)).await;
        ok.assert_status(303);
        assert_eq!(ok.location(), "/me/sessions?done=changed");
        // This session carries on under a new id: the cookie it had before
        // the change (a copy someone took) no longer signs anyone in.
        assert_ne!(here.jar.get("cy_portal"), before.jar.get("cy_portal"));
        let mut copy = before;
        let stale = copy.get("/").await;
        stale.assert_status(303);
        assert!(
            stale.location().starts_with("/login"),
            "{}",
            stale.location()
        );
        here.get("/me/sessions?done=changed")
            .await
            .assert_status(200)
            .assert_contains("Your password has been changed");
        let gone = phone.get("/").await;
        gone.assert_status(303);
        assert!(gone.location().starts_with("/login"), "{}", gone.location());

        other.get(&reset).await.assert_status(410);
        let mut b = t.browser();
        b.login("ada@acme.example", PASSWORD)
            .await
            .assert_status(401);
        t.browser()
            .login("ada@acme.example", NEW)
            .await
            .assert_status(303);
    })
    .await;
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_logins() {
    on_each_backend(|t| async move {
        ada(&t).await;
        let mut here = t.portal_browser("ada@acme.example").await;
        for _ in 0..5 {
            here.post("/me/password", &change("wrong-password-again", NEW, NEW))
                .await
                .assert_status(422);
        }
        let limited = here.post("/me/password", &change(PASSWORD, NEW, NEW)).await;
        limited.assert_status(429);
        // Nothing changed: the old password still logs in after the delay.
        t.app.clock.advance(31);
        let mut b = t.browser();
        b.ip = "198.51.100.9:5000".parse().unwrap();
        b.login("ada@acme.example", PASSWORD)
            .await
            .assert_status(303);
    })
    .await;
}

#[tokio::test]
async fn logging_out_of_every_other_session_keeps_this_one() {
    on_each_backend(|t| async move {
        ada(&t).await;
        let mut here = t.portal_browser("ada@acme.example").await;
        let mut laptop = t.portal_browser("ada@acme.example").await;
        let mut phone = t.portal_browser("ada@acme.example").await;
        let r = here.post("/me/sessions/end-others", &[]).await;
        r.assert_status(303);
        assert_eq!(r.location(), "/me/sessions?done=others");
        let page = here.get("/me/sessions?done=others").await;
        page.assert_status(200)
            .assert_contains("You have logged out of every other session.");
        assert_eq!(page.body.matches("This device").count(), 1);
        assert!(
            !page.body.contains("Log out of all other sessions"),
            "only one session is left"
        );
        for b in [&mut laptop, &mut phone] {
            b.get("/").await.assert_status(303);
        }
    })
    .await;
}
