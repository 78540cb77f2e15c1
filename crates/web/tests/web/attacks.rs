//! What an attack on the running demo found (issue 9), each reproduced:
//! bodies read before anyone is known, connections held open, reset
//! flooding, links that outlive an email change, an open redirect, a CSRF
//! token not bound to its session, and the smaller findings.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};
use bytes::Bytes;
use courtyard_app::portal_users;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{on_each_backend, on_each_backend_with, Browser, TestApp, PASSWORD};

const BASIC: &[&str] = &[
    "tickets:view",
    "tickets:create",
    "tickets:comment",
    "tickets:upload",
    "documents:view",
    "documents:upload",
    "my_details:view",
];

/// A body that sends `head` and then never ends: a handler that tried to
/// read it all would hang, so an answer proves it was refused unread.
fn endless(head: Vec<u8>) -> Body {
    let first = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(head))]);
    Body::from_stream(first.chain(futures_util::stream::pending()))
}

const BOUNDARY: &str = "----courtyard-attack";

/// A multipart body's start: a first field, then the head of a file.
fn multipart_head(first: (&str, &str)) -> Vec<u8> {
    let mut v = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.7\n",
        first.0, first.1
    )
    .into_bytes();
    v.extend(std::iter::repeat_n(b'x', 16 * 1024));
    v
}

async fn answered(b: &mut Browser, req: Request<Body>) -> crate::support::Resp {
    tokio::time::timeout(Duration::from_secs(20), b.send(req))
        .await
        .expect("answered without reading the rest of the body")
}

fn upload_request(path: &str, body: Body) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, "portal.test")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .unwrap()
}

async fn customer(t: &TestApp) -> (String, Browser) {
    let set = t.permission_set("Uploads", BASIC).await;
    let co = t.company("Acme", "all").await;
    t.active(&co, "Ada", "ada@acme.example", &set).await;
    (co, t.portal_browser("ada@acme.example").await)
}

#[tokio::test]
async fn a_file_body_is_refused_unread_unless_a_signed_in_upload_route_takes_it() {
    on_each_backend(|t| async move {
        let (co, mut ada) = customer(&t).await;
        let ticket = t.ticket(&co, None, "Printer on fire").await;
        let mut anon = t.browser();
        anon.get("/login").await;
        let token = anon.csrf_for("/login");

        // Anywhere that takes no file (or does not exist), with any cookie.
        for (path, status) in [
            ("/no/such/path", 404),
            ("/login", 415),
            ("/forgot-password", 415),
        ] {
            let r = answered(
                &mut anon,
                upload_request(path, endless(multipart_head(("csrf", &token)))),
            )
            .await;
            r.assert_status(status);
        }
        // An upload route without a live session.
        let path = format!("/tickets/{ticket}/files");
        let r = answered(
            &mut anon,
            upload_request(&path, endless(multipart_head(("csrf", &token)))),
        )
        .await;
        r.assert_status(303);
        assert_eq!(r.location(), "/login");
        // Signed in, but the first part is not this session's token (the
        // anonymous cookie's token is not enough once signed in)...
        let anon_token = ada.jar.get("cy_csrf").cloned().unwrap();
        for first in [("csrf", anon_token.as_str()), ("note", "hello")] {
            let r = answered(
                &mut ada,
                upload_request(&path, endless(multipart_head(first))),
            )
            .await;
            r.assert_status(403).assert_contains("nothing was saved");
        }
        // ...while the right token first lets the same upload through.
        let good = crate::support::multipart(
            &mut ada,
            &path,
            &[],
            Some(("notes.txt", b"plain words".as_slice())),
        )
        .await;
        good.assert_status(303);
        ada.get(&format!("/tickets/{ticket}"))
            .await
            .assert_contains("notes.txt");
    })
    .await;
}

#[tokio::test]
async fn anonymous_forms_have_a_small_body_limit() {
    on_each_backend(|t| async move {
        let mut b = t.browser();
        b.get("/login").await;
        let padding = "x".repeat(20 * 1024);
        b.post(
            "/login",
            &[("email", "ada@acme.example"), ("password", &padding)],
        )
        .await
        .assert_status(413);
        // A normal login form is far below it.
        b.post(
            "/login",
            &[("email", "ada@acme.example"), ("password", "wrong")],
        )
        .await
        .assert_status(401);
    })
    .await;
}

#[tokio::test]
async fn uploads_past_the_cap_in_flight_are_told_to_wait_and_nothing_is_read() {
    on_each_backend_with(
        |c| c.http.max_uploads_in_flight = 1,
        |t| async move {
            let (co, ada) = customer(&t).await;
            let ticket = t.ticket(&co, None, "Two uploads").await;
            let path = format!("/tickets/{ticket}/files");
            let token = ada.csrf_for(&path);
            // One upload that never finishes holds the only slot.
            let mut slow = ada.clone();
            let held = upload_request(&path, endless(multipart_head(("csrf", &token))));
            let pending = tokio::spawn(async move { slow.send(held).await });
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut ada = ada;
            let r = answered(
                &mut ada,
                upload_request(&path, endless(multipart_head(("csrf", &token)))),
            )
            .await;
            r.assert_status(503).assert_contains("try again");
            assert_eq!(r.headers["retry-after"], "5");
            pending.abort();
        },
    )
    .await;
}

#[tokio::test]
async fn a_signed_in_form_needs_its_own_sessions_token() {
    on_each_backend(|t| async move {
        let (_, mut ada) = customer(&t).await;
        let other = t.portal_browser("ada@acme.example").await;
        let form = |token: &str| {
            serde_urlencoded::to_string([
                ("csrf", token),
                ("first_name", "Ada"),
                ("last_name", "Changed"),
            ])
            .unwrap()
        };
        // The anonymous double-submit cookie, or another session's token.
        for token in [
            ada.jar.get("cy_csrf").cloned().unwrap(),
            other.csrf_for("/me"),
        ] {
            ada.post_raw("/me", &form(&token)).await.assert_status(403);
        }
        assert!(!ada.get("/me").await.body.contains("Changed"));
        let token = ada.csrf_for("/me");
        ada.post_raw("/me", &form(&token)).await.assert_status(303);
        // The page's forms carry exactly that token.
        ada.get("/me")
            .await
            .assert_contains(&format!("name=\"csrf\" value=\"{token}\""));
    })
    .await;
}

#[tokio::test]
async fn a_burst_of_reset_requests_sends_one_email_and_never_kills_the_first_link() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &set).await;
        let mut b = t.browser();
        let before = t.sent().len();
        for _ in 0..30 {
            b.post("/forgot-password", &[("email", "ada@acme.example")])
                .await
                .assert_status(200)
                .assert_contains("Request received");
        }
        t.deliver().await;
        assert_eq!(t.sent().len(), before + 1, "one email for thirty requests");
        let first = t.link_for("ada@acme.example", "/reset/");
        // After the interval a new request sends a new link; the first
        // still works, until one of them is used.
        t.app.clock.advance(6 * 60);
        b.post("/forgot-password", &[("email", "ada@acme.example")])
            .await
            .assert_status(200);
        t.deliver().await;
        assert_eq!(t.sent().len(), before + 2);
        let second = t.link_for("ada@acme.example", "/reset/");
        assert_ne!(first, second);
        b.get(&first).await.assert_status(200);
        let pw = "granite-meadow-compass-19";
        b.post(&first, &[("password", pw), ("confirm", pw)])
            .await
            .assert_status(303);
        b.get(&second).await.assert_status(410);
    })
    .await;
}

#[tokio::test]
async fn one_address_cannot_flood_the_outbox_with_account_emails() {
    on_each_backend_with(
        |c| c.auth.account_emails_per_ip = 5,
        |t| async move {
            let mut b = t.browser();
            for i in 0..12 {
                let email = format!("nobody{i}@acme.example");
                b.post("/forgot-password", &[("email", &email)])
                    .await
                    .assert_status(200)
                    .assert_contains("Request received");
            }
            let mut conn = t.app.db.conn().await.unwrap();
            let waiting = courtyard_db::outbox::count_waiting(&mut conn, "account")
                .await
                .unwrap();
            assert_eq!(waiting, 5, "the address's budget, not twelve");
            // Another address still gets through.
            let mut c = t.browser();
            c.ip = "198.51.100.20:5000".parse().unwrap();
            c.post("/forgot-password", &[("email", "someone@acme.example")])
                .await
                .assert_status(200);
            assert_eq!(
                courtyard_db::outbox::count_waiting(&mut conn, "account")
                    .await
                    .unwrap(),
                6
            );
            drop(conn);
            // None of these addresses has an account: nothing is sent.
            t.deliver().await;
            assert!(t.sent().is_empty());
        },
    )
    .await;
}

#[tokio::test]
async fn account_emails_waiting_in_the_outbox_are_capped() {
    on_each_backend_with(
        |c| c.auth.max_queued_account_jobs = 3,
        |t| async move {
            for i in 0..6 {
                let mut b = t.browser();
                b.ip = format!("198.51.100.{i}:5000").parse().unwrap();
                b.post(
                    "/forgot-password",
                    &[("email", &format!("person{i}@acme.example"))],
                )
                .await
                .assert_status(200)
                .assert_contains("Request received");
            }
            let mut conn = t.app.db.conn().await.unwrap();
            let waiting = courtyard_db::outbox::count_waiting(&mut conn, "account")
                .await
                .unwrap();
            assert_eq!(waiting, 3);
            drop(conn);
            // Delivered, there is room again.
            t.deliver().await;
            let mut b = t.browser();
            b.post("/forgot-password", &[("email", "late@acme.example")])
                .await
                .assert_status(200);
            let mut conn = t.app.db.conn().await.unwrap();
            assert_eq!(
                courtyard_db::outbox::count_waiting(&mut conn, "account")
                    .await
                    .unwrap(),
                1
            );
            drop(conn);
            t.deliver().await;
            assert!(t.sent().is_empty(), "no account at any of these addresses");
        },
    )
    .await;
}

#[tokio::test]
async fn links_sent_to_an_old_address_die_when_staff_change_the_email() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        // A pending user: the old invitation dies, a new one goes to the new address.
        let (pending, old_invite) = t.invited(&co, "Pat", "pat@old.example", &set).await;
        let f = t.user_form("pat@new.example", &set);
        portal_users::update(&t.app, &pending, &f).await.unwrap();
        t.deliver().await;
        let mut b = t.browser();
        b.get(&old_invite).await.assert_status(410);
        let new_invite = t.link_for("pat@new.example", "/invitation/");
        b.get(&new_invite).await.assert_status(200);
        b.post(
            &new_invite,
            &[("password", PASSWORD), ("confirm", PASSWORD)],
        )
        .await
        .assert_status(303);
        // An active user: a reset link mailed to the old address dies.
        let active = t.active(&co, "Ada", "ada@old.example", &set).await;
        b.post("/forgot-password", &[("email", "ada@old.example")])
            .await
            .assert_status(200);
        t.deliver().await;
        let reset = t.link_for("ada@old.example", "/reset/");
        let f = t.user_form("ada@new.example", &set);
        portal_users::update(&t.app, &active, &f).await.unwrap();
        b.get(&reset).await.assert_status(410);
        let pw = "someone-else-entirely-1";
        b.post(&reset, &[("password", pw), ("confirm", pw)])
            .await
            .assert_status(410);
        t.browser()
            .login("ada@new.example", PASSWORD)
            .await
            .assert_status(303);
    })
    .await;
}

#[tokio::test]
async fn after_login_only_a_plain_local_path_is_followed() {
    on_each_backend(|t| async move {
        let set = t.permission_set("Basic", BASIC).await;
        let co = t.company("Acme", "all").await;
        t.active(&co, "Ada", "ada@acme.example", &set).await;
        for (next, to) in [
            ("/\t/evil.example/phish", "/"),
            ("/\\evil.example", "/"),
            ("/tickets\r\nSet-Cookie: a=b", "/"),
            ("/x\u{b}y", "/"),
            ("/tickets?status=open", "/tickets?status=open"),
        ] {
            let mut b = t.browser();
            b.get("/login").await;
            let r = b
                .post(
                    "/login",
                    &[
                        ("email", "ada@acme.example"),
                        ("password", PASSWORD),
                        ("next", next),
                    ],
                )
                .await;
            r.assert_status(303);
            assert_eq!(r.location(), to, "next={next:?}");
        }
    })
    .await;
}

/// Split one CSV line into fields, quotes respected.
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

#[tokio::test]
async fn every_csv_cell_with_a_comma_is_quoted() {
    on_each_backend(|t| async move {
        let (co, mut ada) = customer(&t).await;
        t.ticket(&co, None, "Printer, on fire").await;
        let csv = ada.get("/tickets/export.csv").await;
        csv.assert_status(200);
        let lines: Vec<&str> = csv.body.lines().collect();
        let header = csv_fields(lines[0]);
        assert_eq!(header.len(), 6);
        let row = csv_fields(lines[1]);
        assert_eq!(row.len(), 6, "{}", lines[1]);
        assert_eq!(row[1], "Printer, on fire");
        assert!(row[5].contains(", "), "the last-activity time: {}", row[5]);
    })
    .await;
}

#[tokio::test]
async fn document_search_treats_wildcards_as_text_and_bounds_long_terms() {
    on_each_backend(|t| async move {
        let (_, mut ada) = customer(&t).await;
        for (title, file) in [("Q3 report", "q3.txt"), ("100% done", "done.txt")] {
            crate::support::multipart(
                &mut ada,
                "/documents",
                &[("title", title), ("description", "")],
                Some((file, b"some words".as_slice())),
            )
            .await
            .assert_status(303);
        }
        let all = ada.get("/documents?folder=private&q=%25").await;
        all.assert_status(200).assert_contains("100% done");
        assert!(
            !all.body.contains("Q3 report"),
            "% is a character, not a wildcard"
        );
        let under = ada.get("/documents?folder=private&q=_").await;
        assert!(!under.body.contains("Q3 report") && !under.body.contains("100% done"));
        let long = "a".repeat(60 * 1024);
        ada.get(&format!("/documents?folder=private&q={long}"))
            .await
            .assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn a_file_name_loses_its_bidi_controls() {
    on_each_backend(|t| async move {
        let (co, mut ada) = customer(&t).await;
        let ticket = t.ticket(&co, None, "Names").await;
        crate::support::multipart(
            &mut ada,
            &format!("/tickets/{ticket}/files"),
            &[],
            Some(("invoice\u{202E}txt.exe\u{200B}.txt", b"words".as_slice())),
        )
        .await
        .assert_status(303);
        let page = ada.get(&format!("/tickets/{ticket}")).await;
        page.assert_contains("invoicetxt.exe.txt");
        assert!(!page.body.contains('\u{202E}') && !page.body.contains('\u{200B}'));
    })
    .await;
}

// ---- the server itself, over real sockets ----

/// Serve `t` on a free loopback port until the test ends.
async fn serve(t: &TestApp) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = t.app.clone();
    tokio::spawn(async move { courtyard_web::serve(listener, app, std::future::pending()).await });
    addr
}

/// Connect from `from` (any 127.x address is this machine).
async fn connect(from: &str, to: std::net::SocketAddr) -> tokio::net::TcpStream {
    let s = tokio::net::TcpSocket::new_v4().unwrap();
    s.bind(format!("{from}:0").parse().unwrap()).unwrap();
    s.connect(to).await.unwrap()
}

/// Whether the server closes `s` within `within` (reading what it sends).
async fn closed_by_server(s: &mut tokio::net::TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

async fn healthz(from: &str, to: std::net::SocketAddr) -> String {
    let mut s = connect(from, to).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: portal.test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut out)).await;
    out
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed() {
    on_each_backend_with(
        |c| c.http.header_timeout_secs = 1,
        |t| async move {
            let addr = serve(&t).await;
            // Headers that never finish.
            let mut slow = connect("127.0.0.1", addr).await;
            slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: portal.test\r\nX-Slow: ")
                .await
                .unwrap();
            // A connection that says nothing at all.
            let mut silent = connect("127.0.0.1", addr).await;
            // A keep-alive connection left idle after one request.
            let mut idle = connect("127.0.0.1", addr).await;
            idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: portal.test\r\n\r\n")
                .await
                .unwrap();
            let mut buf = [0u8; 1024];
            let n = idle.read(&mut buf).await.unwrap();
            assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));
            for (what, s) in [
                ("slow", &mut slow),
                ("silent", &mut silent),
                ("idle", &mut idle),
            ] {
                assert!(
                    closed_by_server(s, Duration::from_secs(10)).await,
                    "the {what} connection stays open"
                );
            }
            assert!(healthz("127.0.0.1", addr).await.contains("200 OK"));
        },
    )
    .await;
}

#[tokio::test]
async fn one_address_cannot_take_every_connection() {
    on_each_backend_with(
        |c| c.http.max_connections_per_ip = 4,
        |t| async move {
            let addr = serve(&t).await;
            let mut held = Vec::new();
            for _ in 0..4 {
                let mut s = connect("127.0.0.3", addr).await;
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: portal.test\r\n\r\n")
                    .await
                    .unwrap();
                let mut buf = [0u8; 512];
                assert!(
                    s.read(&mut buf).await.unwrap() > 0,
                    "served while under the cap"
                );
                held.push(s);
            }
            // The fifth from the same address is closed at once...
            let mut fifth = connect("127.0.0.3", addr).await;
            let _ = fifth
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: portal.test\r\n\r\n")
                .await;
            assert!(closed_by_server(&mut fifth, Duration::from_secs(5)).await);
            // ...while everyone else is still served.
            assert!(healthz("127.0.0.4", addr).await.contains("200 OK"));
            drop(held);
            // And the address gets its connections back when it closes them.
            let mut again = String::new();
            for _ in 0..50 {
                again = healthz("127.0.0.3", addr).await;
                if again.contains("200 OK") {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(again.contains("200 OK"), "{again}");
        },
    )
    .await;
}

fn form_request(path: &str, body: Body) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, "portal.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .unwrap()
}

#[tokio::test]
async fn a_body_that_trickles_is_cut_off_at_its_deadline() {
    on_each_backend_with(
        |c| {
            c.http.header_timeout_secs = 1;
            c.http.body_timeout_secs = 1;
        },
        |t| async move {
            let (co, mut ada) = customer(&t).await;
            let ticket = t.ticket(&co, None, "Slow upload").await;
            // An anonymous form that never finishes.
            let mut anon = t.browser();
            anon.get("/login").await;
            let token = anon.csrf_for("/login");
            let r = answered(
                &mut anon,
                form_request(
                    "/login",
                    endless(format!("csrf={token}&email=a").into_bytes()),
                ),
            )
            .await;
            r.assert_status(400)
                .assert_contains("did not arrive completely");
            // A signed-in upload with the right token that never finishes.
            let path = format!("/tickets/{ticket}/files");
            let token = ada.csrf_for(&path);
            let r = answered(
                &mut ada,
                upload_request(&path, endless(multipart_head(("csrf", &token)))),
            )
            .await;
            assert_ne!(r.status.as_u16(), 303, "{}", r.body);
            r.assert_contains("Nothing was saved");
            assert!(t.app.files.list().await.unwrap().is_empty());
        },
    )
    .await;
}

#[tokio::test]
async fn one_address_cannot_take_every_anonymous_slot() {
    on_each_backend(|t| async move {
        let mut held = Vec::new();
        let mut hog = t.browser();
        hog.get("/login").await;
        let token = hog.csrf_for("/login");
        for _ in 0..4 {
            let mut b = hog.clone();
            let req = form_request("/login", endless(format!("csrf={token}&e").into_bytes()));
            held.push(tokio::spawn(async move { b.send(req).await }));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let fifth = answered(
            &mut hog,
            form_request("/login", endless(format!("csrf={token}&e").into_bytes())),
        )
        .await;
        fifth.assert_status(503).assert_contains("try again");
        // Someone else logs in meanwhile.
        let mut other = t.browser();
        other.ip = "198.51.100.77:4000".parse().unwrap();
        other.get("/login").await;
        other
            .post(
                "/login",
                &[("email", "x@acme.example"), ("password", "wrong")],
            )
            .await
            .assert_status(401);
        for h in held {
            h.abort();
        }
    })
    .await;
}

#[tokio::test]
async fn a_long_form_after_the_session_ended_asks_to_log_in_again() {
    on_each_backend(|t| async move {
        let (co, mut ada) = customer(&t).await;
        let ticket = t.ticket(&co, None, "Long reply").await;
        let path = format!("/tickets/{ticket}/comments");
        let token = ada.csrf_for(&path);
        // Staff end every session of hers meanwhile (as a reset would).
        let mut conn = t.app.db.conn().await.unwrap();
        let user = courtyard_db::portal_users::find_by_email(&mut conn, "ada@acme.example")
            .await
            .unwrap()
            .unwrap();
        courtyard_db::sessions::delete_all_for_user(&mut conn, "portal", &user.id)
            .await
            .unwrap();
        drop(conn);
        let long = "word ".repeat(8 * 1024);
        let body =
            serde_urlencoded::to_string([("csrf", token.as_str()), ("body", &long)]).unwrap();
        let r = ada.post_raw(&path, &body).await;
        r.assert_status(303);
        assert_eq!(r.location(), "/login");
    })
    .await;
}
