//! The axum router: Leptos pages and server functions, static files with
//! precompressed variants, a health check, and the middleware stack.

use crate::middleware;
use app::{server::state::AppState, shell, App};
use axum::{middleware::from_fn, routing::get, Router};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::{limit::RequestBodyLimitLayer, trace::TraceLayer};

/// Builds the application for `state`, refusing bodies over `max_body_bytes`.
pub fn build(state: AppState, max_body_bytes: usize) -> Router {
    let routes = generate_route_list(App);
    let context = || app::server::csp::provide_request_nonce();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .leptos_routes_with_context(&state, routes, context, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(from_fn(middleware::refuse_cross_site))
        .layer(from_fn(middleware::security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
