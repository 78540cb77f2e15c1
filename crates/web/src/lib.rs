//! HTTP: axum routers for the portal and the staff side, extractors,
//! templates, static assets and error pages. No SQL here.

mod kit;
mod portal;
mod server;
mod staff;
mod ui;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use courtyard_app::App;
use tower::ServiceBuilder;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use kit::csrf::session_token as session_csrf_token;
pub use kit::error::WebError;
pub use kit::state::AppState;
pub use portal::{route_table as portal_route_table, Exposure, RouteInfo};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'; object-src 'none'";

/// Every route, in one place.
pub fn router(app: App) -> Router {
    let state = AppState {
        app: app.clone(),
        limits: crate::kit::limits::Limits {
            uploads: Arc::new(Semaphore::new(app.config.http.max_uploads_in_flight)),
            bodies: Arc::new(Semaphore::new(app.config.http.max_bodies_in_flight)),
            anonymous_bodies: Arc::new(Semaphore::new(app.config.http.max_bodies_in_flight)),
            anonymous_per_ip: Default::default(),
        },
    };
    let max_body = app.config.max_body_bytes;
    let secure = app.config.secure_cookies();
    let x_request_id = HeaderName::from_static("x-request-id");

    let headers = ServiceBuilder::new()
        // Every page gets the strict policy; a file download sets its own,
        // stricter one (`sandbox; default-src 'none'`), which stays.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .into_inner();

    let mut r = Router::new()
        .merge(portal::routes())
        .nest("/staff", staff::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/{file}", get(static_file))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            kit::csrf::protect,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            kit::error::negotiate,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(headers);
    if secure {
        r = r.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    r.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(x_request_id.clone(), MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|req: &Request<_>| {
                        let id = req
                            .extensions()
                            .get::<RequestId>()
                            .and_then(|r| r.header_value().to_str().ok())
                            .unwrap_or("-")
                            .to_owned();
                        let route = req
                            .extensions()
                            .get::<axum::extract::MatchedPath>()
                            .map(|p| p.as_str().to_owned())
                            .unwrap_or_default();
                        tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route)
                    })
                    .on_request(())
                    .on_response(
                        tower_http::trace::DefaultOnResponse::new()
                            .level(tracing::Level::INFO)
                            .latency_unit(tower_http::LatencyUnit::Micros),
                    ),
            )
            .layer(PropagateRequestIdLayer::new(x_request_id)),
    )
    .with_state(state)
}

async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    kit::assets::response(&file).unwrap_or_else(|| WebError::NotFound.into_response())
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(s): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), s.app.db.ping()).await {
        Ok(Ok(())) => "ready".into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}

async fn fallback() -> WebError {
    WebError::NotFound
}

pub use server::serve;
