//! Platform: settings, the outbox (claim, lease, retry, park), staff
//! notifications and PDF templates, on both engines.

use courtyard_db::templates::{self, NewTemplate};
use courtyard_db::{notifications, outbox, settings, staff};

use super::{not_found, pluck, sam, story, T0};

#[tokio::test]
async fn platform_settings_outbox_notifications_and_templates() {
    story(|db, t| async move {
        let mut c = db.conn().await.unwrap();

        // Settings: an upsert per key, read back by prefix in key order.
        assert_eq!(
            settings::get(&mut c, "email.invite.subject").await.unwrap(),
            None
        );
        settings::set(&mut c, "email.invite.subject", "Welcome")
            .await
            .unwrap();
        settings::set(&mut c, "email.invite.subject", "Welcome aboard")
            .await
            .unwrap();
        settings::set(&mut c, "email.reset.subject", "")
            .await
            .unwrap();
        settings::set(&mut c, "pdf.default.invoice", "tpl-1")
            .await
            .unwrap();
        assert_eq!(
            settings::get(&mut c, "email.invite.subject")
                .await
                .unwrap()
                .as_deref(),
            Some("Welcome aboard")
        );
        assert_eq!(
            settings::get(&mut c, "email.reset.subject")
                .await
                .unwrap()
                .as_deref(),
            Some(""),
            "empty is not NULL"
        );
        let email = settings::with_prefix(&mut c, "email.").await.unwrap();
        assert_eq!(
            email,
            [
                (
                    "email.invite.subject".to_owned(),
                    "Welcome aboard".to_owned()
                ),
                ("email.reset.subject".to_owned(), String::new())
            ]
        );
        settings::delete(&mut c, "email.invite.subject")
            .await
            .unwrap();
        settings::delete(&mut c, "email.invite.subject")
            .await
            .unwrap();
        assert_eq!(
            settings::with_prefix(&mut c, "email.").await.unwrap().len(),
            1
        );
        t.saw(
            "settings",
            &settings::with_prefix(&mut c, "").await.unwrap(),
        );

        // The outbox: claimed oldest first for a lease, once at a time; a
        // failure waits for its retry; a lease that runs out frees the item.
        let a = outbox::enqueue(&mut c, "email", r#"{"to":"a@x.test"}"#, T0)
            .await
            .unwrap();
        let b = outbox::enqueue(&mut c, "email", r#"{"to":"b@x.test"}"#, T0 + 1)
            .await
            .unwrap();
        let later = outbox::enqueue(&mut c, "pdf", "{}", T0 + 100)
            .await
            .unwrap();
        assert_eq!(outbox::count_waiting(&mut c, "email").await.unwrap(), 2);
        let first = outbox::claim(&db, T0 + 10, 60).await.unwrap().unwrap();
        assert_eq!(
            (first.id.as_str(), first.attempts, first.payload.as_str()),
            (a.as_str(), 1, r#"{"to":"a@x.test"}"#)
        );
        assert_eq!(
            (first.last_error.as_deref(), first.done_at, first.created_at),
            (None, None, T0)
        );
        t.saw("claimed", &first);
        assert_eq!(
            outbox::claim(&db, T0 + 10, 60).await.unwrap().map(|i| i.id),
            Some(b.clone())
        );
        assert!(
            outbox::claim(&db, T0 + 10, 60).await.unwrap().is_none(),
            "leased or not due"
        );
        outbox::complete(&db, &b, T0 + 20).await.unwrap();
        assert_eq!(
            pluck(&outbox::pending(&mut c).await.unwrap(), |i| &i.id),
            [a.clone(), later.clone()]
        );
        outbox::fail(&db, &a, "smtp down", T0 + 200).await.unwrap();
        assert_eq!(
            outbox::claim(&db, T0 + 150, 60)
                .await
                .unwrap()
                .map(|i| i.id),
            Some(later.clone())
        );
        outbox::complete(&db, &later, T0 + 160).await.unwrap();
        assert!(
            outbox::claim(&db, T0 + 199, 60).await.unwrap().is_none(),
            "the retry is not due"
        );
        let retry = outbox::claim(&db, T0 + 200, 60).await.unwrap().unwrap();
        assert_eq!(
            (
                retry.id.as_str(),
                retry.attempts,
                retry.last_error.as_deref()
            ),
            (a.as_str(), 2, Some("smtp down"))
        );
        assert!(
            outbox::claim(&db, T0 + 259, 60).await.unwrap().is_none(),
            "still leased"
        );
        let again = outbox::claim(&db, T0 + 260, 60).await.unwrap().unwrap();
        assert_eq!((again.id.as_str(), again.attempts), (a.as_str(), 3));
        outbox::complete(&db, &a, T0 + 270).await.unwrap();
        assert!(outbox::pending(&mut c).await.unwrap().is_empty());
        assert_eq!(outbox::count_waiting(&mut c, "email").await.unwrap(), 0);
        // After MAX_ATTEMPTS an item is parked: pending, but neither claimed nor waiting.
        let parked = outbox::enqueue(&mut c, "email", "{}", T0 + 300)
            .await
            .unwrap();
        for n in 1..=outbox::MAX_ATTEMPTS {
            let item = outbox::claim(&db, T0 + 300 + n, 1).await.unwrap().unwrap();
            assert_eq!((item.id.as_str(), item.attempts), (parked.as_str(), n));
        }
        assert!(outbox::claim(&db, T0 + 1000, 1).await.unwrap().is_none());
        assert_eq!(outbox::count_waiting(&mut c, "email").await.unwrap(), 0);
        let left = outbox::pending(&mut c).await.unwrap();
        assert_eq!((left.len(), left[0].attempts), (1, outbox::MAX_ATTEMPTS));
        t.saw("parked", &left);

        // Notifications: per staff member, newest first, read exactly the ones shown.
        let sam = sam(&mut c).await;
        let ada = staff::insert(&mut c, "ada@courtyard.test", "Ada Admin", "admin", None, T0)
            .await
            .unwrap();
        let both = [sam.id.clone(), ada.id.clone()];
        notifications::add(
            &mut c,
            &both,
            "Ann uploaded photo.png",
            "/staff/invoices/1",
            T0,
        )
        .await
        .unwrap();
        notifications::add(
            &mut c,
            &both[..1],
            "Ben replied",
            "/staff/tickets/2",
            T0 + 10,
        )
        .await
        .unwrap();
        notifications::add(&mut c, &[], "Nobody", "/", T0 + 11)
            .await
            .unwrap();
        let recent = notifications::recent(&mut c, &sam.id, 10).await.unwrap();
        assert_eq!(
            pluck(&recent, |n| &n.text),
            ["Ben replied", "Ann uploaded photo.png"]
        );
        assert_eq!(
            (
                recent[0].read_at,
                recent[0].created_at,
                recent[0].link.as_str()
            ),
            (None, T0 + 10, "/staff/tickets/2")
        );
        assert_eq!(
            pluck(
                &notifications::recent(&mut c, &sam.id, 1).await.unwrap(),
                |n| &n.text
            ),
            ["Ben replied"]
        );
        assert_eq!(
            (
                notifications::unread(&mut c, &sam.id).await.unwrap(),
                notifications::unread(&mut c, &ada.id).await.unwrap()
            ),
            (2, 1)
        );
        notifications::mark_read(&mut c, &sam.id, &[recent[0].id.clone()], T0 + 20)
            .await
            .unwrap();
        notifications::mark_read(&mut c, &ada.id, &[recent[1].id.clone()], T0 + 21)
            .await
            .unwrap();
        notifications::mark_read(&mut c, &sam.id, &[], T0 + 22)
            .await
            .unwrap();
        notifications::mark_read(&mut c, &sam.id, &[recent[0].id.clone()], T0 + 30)
            .await
            .unwrap();
        assert_eq!(
            notifications::unread(&mut c, &sam.id).await.unwrap(),
            1,
            "only the one shown, only the owner's"
        );
        let recent = notifications::recent(&mut c, &sam.id, 10).await.unwrap();
        assert_eq!(
            recent.iter().map(|n| n.read_at).collect::<Vec<_>>(),
            [Some(T0 + 20), None]
        );
        assert_eq!(notifications::unread(&mut c, &ada.id).await.unwrap(), 1);
        t.saw("notifications", &recent);

        // PDF templates: by type then name; the type never changes on update.
        let tpl = |kind: &'static str, name: &'static str, audience: &'static str| NewTemplate {
            kind,
            name,
            audience,
            source: "#set page(paper: \"a4\")\n= Invoice",
            updated_by: "Sam Seller",
        };
        let plain = templates::insert(&mut c, &tpl("invoice", "Plain", "sharing"), T0)
            .await
            .unwrap();
        let branded = templates::insert(&mut c, &tpl("invoice", "Branded", "internal"), T0 + 1)
            .await
            .unwrap();
        templates::insert(&mut c, &tpl("quote", "Plain", "sharing"), T0 + 2)
            .await
            .unwrap();
        let rows = templates::list(&mut c).await.unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| (r.kind.as_str(), r.name.as_str()))
                .collect::<Vec<_>>(),
            [
                ("invoice", "Branded"),
                ("invoice", "Plain"),
                ("quote", "Plain")
            ]
        );
        templates::update(
            &mut c,
            &plain,
            &tpl("quote", "Plain v2", "internal"),
            T0 + 5,
        )
        .await
        .unwrap();
        not_found(
            templates::update(&mut c, "no-such-id", &tpl("quote", "X", "internal"), T0).await,
        );
        let found = templates::find(&mut c, &plain).await.unwrap();
        assert_eq!(
            (
                found.kind.as_str(),
                found.name.as_str(),
                found.audience.as_str(),
                found.updated_at
            ),
            ("invoice", "Plain v2", "internal", T0 + 5)
        );
        assert!(found.source.contains("\"a4\")\n= Invoice"));
        templates::delete(&mut c, &branded).await.unwrap();
        not_found(templates::delete(&mut c, &branded).await);
        not_found(templates::find(&mut c, &branded).await);
        t.saw("templates", &templates::list(&mut c).await.unwrap());
    })
    .await;
}
