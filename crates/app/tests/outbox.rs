//! The outbox on both databases: nothing is lost when a worker dies or the
//! transport fails, and delivery happens once.

use courtyard_app::config::Config;
use courtyard_app::{worker, App, Email, Mailer};
use courtyard_db::outbox;
use courtyard_db_testing::each_backend;

fn app(db: courtyard_app::Db, mailer: Mailer) -> App {
    let mut config = Config {
        public_url: Some("http://portal.test".into()),
        ..Default::default()
    };
    config.files.store = "memory".into();
    App::new(db, mailer, config)
}

fn email(to: &str) -> Email {
    Email {
        to: to.into(),
        subject: "Hello".into(),
        text: "Hi".into(),
        html: "<p>Hi</p>".into(),
    }
}

#[tokio::test]
async fn an_email_queued_in_a_rolled_back_transaction_is_never_sent() {
    each_backend(|db| async move {
        let app = app(db, Mailer::memory());
        let mut tx = app.db.begin().await.unwrap();
        courtyard_app::outbox::enqueue_email(&mut tx, &email("ghost@example.com"), app.now())
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        let mut tx = app.db.begin().await.unwrap();
        courtyard_app::outbox::enqueue_email(&mut tx, &email("real@example.com"), app.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(worker::drain(&app).await.unwrap(), 1);
        let sent = app.mailer.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to, "real@example.com");
        assert_eq!(worker::drain(&app).await.unwrap(), 0, "delivered once");
    })
    .await;
}

#[tokio::test]
async fn an_item_claimed_by_a_worker_that_died_is_delivered_after_its_lease() {
    each_backend(|db| async move {
        let app = app(db, Mailer::memory());
        let mut conn = app.db.conn().await.unwrap();
        courtyard_app::outbox::enqueue_email(&mut conn, &email("ada@example.com"), app.now())
            .await
            .unwrap();
        drop(conn);
        // A worker claims the item and dies before sending.
        let claimed = outbox::claim(&app.db, app.now(), 120).await.unwrap();
        assert!(claimed.is_some());
        assert_eq!(
            worker::drain(&app).await.unwrap(),
            0,
            "leased to the dead worker"
        );
        app.clock.advance(121);
        assert_eq!(worker::drain(&app).await.unwrap(), 1);
        assert_eq!(app.mailer.sent().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_failing_transport_keeps_the_item_and_retries_with_backoff() {
    each_backend(|db| async move {
        // Nothing listens on port 9 of localhost: every send fails.
        let failing = app(db.clone(), Mailer::smtp("smtp://127.0.0.1:9").unwrap());
        let mut conn = failing.db.conn().await.unwrap();
        courtyard_app::outbox::enqueue_email(&mut conn, &email("ada@example.com"), failing.now())
            .await
            .unwrap();
        assert_eq!(worker::drain(&failing).await.unwrap(), 1, "one attempt");
        let pending = outbox::pending(&mut conn).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].attempts, 1);
        assert!(
            pending[0]
                .last_error
                .as_deref()
                .unwrap_or("")
                .contains("sending failed"),
            "{:?}",
            pending[0].last_error
        );
        assert_eq!(
            worker::drain(&failing).await.unwrap(),
            0,
            "not before the backoff"
        );
        drop(conn);
        // The transport comes back: the same item goes out.
        let working = app(db, Mailer::memory());
        working.clock.advance(31);
        assert_eq!(worker::drain(&working).await.unwrap(), 1);
        assert_eq!(working.mailer.sent()[0].to, "ada@example.com");
        let mut conn = working.db.conn().await.unwrap();
        assert!(outbox::pending(&mut conn).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn two_workers_never_deliver_the_same_item_twice() {
    each_backend(|db| async move {
        let app = app(db, Mailer::memory());
        let mut conn = app.db.conn().await.unwrap();
        for i in 0..20 {
            courtyard_app::outbox::enqueue_email(
                &mut conn,
                &email(&format!("p{i}@example.com")),
                app.now(),
            )
            .await
            .unwrap();
        }
        drop(conn);
        let (a, b) = tokio::join!(worker::drain(&app), worker::drain(&app));
        assert_eq!(a.unwrap() + b.unwrap(), 20);
        let mut to: Vec<String> = app.mailer.sent().into_iter().map(|m| m.to).collect();
        to.sort();
        to.dedup();
        assert_eq!(to.len(), 20);
        assert_eq!(app.mailer.sent().len(), 20);
    })
    .await;
}

#[tokio::test]
async fn rows_queued_in_the_old_format_still_run() {
    // Rows written before jobs had a trait: an email as its own JSON under
    // "email", an account job under "account" with its "type" tag.
    each_backend(|db| async move {
        let app = app(db, Mailer::memory());
        let mut conn = app.db.conn().await.unwrap();
        outbox::enqueue(
            &mut conn,
            "email",
            r#"{"to":"old@example.com","subject":"Queued last release","text":"Hi","html":"<p>Hi</p>"}"#,
            app.now(),
        )
        .await
        .unwrap();
        outbox::enqueue(
            &mut conn,
            "account",
            r#"{"type":"password_reset","email":"nobody@example.com"}"#,
            app.now(),
        )
        .await
        .unwrap();
        drop(conn);
        assert_eq!(worker::drain(&app).await.unwrap(), 2);
        let sent = app.mailer.sent();
        assert_eq!(sent.len(), 1, "no account at nobody@: nothing sent for it");
        assert_eq!(sent[0].to, "old@example.com");
        assert_eq!(sent[0].subject, "Queued last release");
        let mut conn = app.db.conn().await.unwrap();
        assert!(outbox::pending(&mut conn).await.unwrap().is_empty());
    })
    .await;
}
