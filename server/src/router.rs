//! The axum router: Leptos pages and server functions, static files with
//! precompressed variants, health, readiness and metrics
//! (`observability`), and the middleware stack.

use crate::{
    middleware, observability,
    rate_limit::{self, RateLimitSettings, RateLimiter},
    request_log,
};
use app::{
    server::{files, state::AppState},
    shell, App,
};
use axum::{
    extract::DefaultBodyLimit,
    middleware::{from_fn, from_fn_with_state},
    routing::{get, post},
    Router,
};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::OnceLock;
use tower_http::limit::RequestBodyLimitLayer;

/// Settings of the HTTP layer itself.
#[derive(Debug, Clone)]
pub struct RouterSettings {
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// The per-client-address limit on sign-in and password links.
    pub rate_limit: RateLimitSettings,
    /// Document uploads per signed-in user per minute (`0`: no limit).
    pub uploads_per_minute: u32,
    /// Addresses that may read `/metrics`.
    pub metrics_allow: Vec<std::net::IpAddr>,
}

/// The app's routes, worked out once per process. Working them out renders
/// the app with resource loading switched off *process-wide* (leptos_server's
/// `SuppressResourceLoad`), so doing it while another router in the process
/// is serving can leave that router's page renders waiting for ever
/// (leptos-rs/leptos#4773). Tests build many routers side by side; a server
/// builds one, before it serves.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the application for `state`. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()`: the rate limit
/// counts by peer address.
pub fn build(state: AppState, settings: RouterSettings) -> Router {
    let upload_limiter = RateLimiter::new(RateLimitSettings {
        per_minute: settings.uploads_per_minute,
        trusted_proxies: Vec::new(),
    });
    let limiter = RateLimiter::new(settings.rate_limit);
    let routes = route_list();
    let context = || app::server::csp::provide_request_nonce();
    let options = state.leptos_options.clone();
    // Uploads stream and count their own bytes, refusing past the limit as
    // they go. The cap here bounds the whole form (file and fields) and is
    // enforced inside the multipart reader, so the handler still answers
    // with its own message (JSON, or a redirect back to the form) instead
    // of a bare 413.
    let upload_cap = usize::try_from(state.files.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    let files = Router::new()
        .route("/documents/upload", post(files::upload))
        .route("/documents/{id}/file", get(files::download))
        .layer(DefaultBodyLimit::max(upload_cap))
        .layer(from_fn_with_state(
            (upload_limiter.clone(), state.clone()),
            rate_limit::limit_uploads,
        ));
    // Imports take many files (or zips) in one form; each is checked as it
    // arrives, and the whole form is bounded here.
    let imports = Router::new()
        .route("/imports/upload", post(app::server::import::upload::upload))
        .layer(DefaultBodyLimit::max(
            app::server::import::upload::MAX_UPLOAD_BYTES + 64 * 1024,
        ))
        .layer(from_fn_with_state(
            (upload_limiter.clone(), state.clone()),
            rate_limit::limit_uploads,
        ));
    let metrics = observability::MetricsAccess {
        allow: std::sync::Arc::new(settings.metrics_allow),
        handle: observability::prometheus(),
    };
    let operator = Router::new()
        .route("/healthz", get(observability::healthz))
        .route("/readyz", get(observability::readyz))
        .route(
            "/metrics",
            get(observability::metrics_page).with_state((metrics, state.clone())),
        );
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route(
            "/admin/insureds.csv",
            get(app::server::exports::insureds_csv),
        )
        .merge(operator)
        .leptos_routes_with_context(&state, routes, context, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::require_session,
        ))
        .layer(RequestBodyLimitLayer::new(settings.max_body_bytes))
        .merge(files)
        .merge(imports)
        .layer(from_fn_with_state(limiter, rate_limit::limit))
        .layer(from_fn(middleware::refuse_cross_site))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(from_fn(observability::track_requests))
        .layer(from_fn(request_log::request_log))
        .with_state(state)
}
