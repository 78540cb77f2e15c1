//! The HTTP server: HTTP/1.1 with a header timeout that also closes idle
//! keep-alive connections, a cap on open connections in all and per client
//! address, and graceful shutdown (docs/adr/0012). A reverse proxy in front
//! can be stricter still; nothing here relies on one.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::Request;
use courtyard_app::App;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Serve `router(app)` on `listener` until `shutdown` resolves, then finish
/// the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = app.config.http.clone();
    let per_ip_applies = !app.config.behind_proxy;
    let router = crate::router(app);
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let per_ip = crate::kit::limits::IpCounts::default();
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.header_timeout_secs))
        // Headers of a request: cookies and a long query fit easily, and a
        // thousand connections cannot hold hundreds of megabytes with them.
        .max_buf_size(64 * 1024);
    open_file_room(limits.max_connections);
    tokio::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors, most likely: pause instead of
                    // spinning, and let open connections finish.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Over a cap the connection is closed at once, before any byte is
        // read, so it holds nothing.
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::warn!(ip = %addr.ip(), "connection refused: too many open connections");
            continue;
        };
        let slot = if per_ip_applies {
            match crate::kit::limits::IpSlot::take(
                &per_ip,
                addr.ip().to_canonical(),
                limits.max_connections_per_ip,
            ) {
                Some(s) => Some(s),
                None => {
                    tracing::warn!(ip = %addr.ip(), "connection refused: too many from this address");
                    continue;
                }
            }
        } else {
            None
        };
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(addr));
                req
            });
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop((permit, slot));
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Raise the open-file limit to what the system allows, and say so when it
/// is still too low for `max_connections` (each one is a descriptor).
#[allow(unsafe_code)] // getrlimit and setrlimit; SAFETY below
fn open_file_room(max_connections: usize) {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: plain system calls on a local struct.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return;
            }
            if lim.rlim_cur < lim.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: lim.rlim_max,
                    rlim_max: lim.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim = raised;
                }
            }
        }
        let need = max_connections as libc::rlim_t + 256;
        if lim.rlim_cur < need {
            tracing::warn!(
                open_files = lim.rlim_cur,
                need,
                "the open-file limit is below http.max_connections plus room for the database and files; raise it (ulimit -n, LimitNOFILE=) or lower http.max_connections"
            );
        }
    }
}
