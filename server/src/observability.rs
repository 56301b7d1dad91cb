//! What operators and orchestrators look at: `GET /healthz` (the process
//! answers), `GET /readyz` (the database answers and its schema is current),
//! and `GET /metrics` in the Prometheus text format (the maintained
//! `metrics` facade with `metrics-exporter-prometheus`).
//!
//! Metrics:
//! * `gatehouse_http_requests_total{route,method,status}` and
//!   `gatehouse_http_request_duration_seconds{route,method}` (a histogram),
//!   for every request; `route` is the route's pattern, never the raw path,
//!   so the number of series stays bounded whatever is requested;
//! * `gatehouse_sign_ins_total{outcome}` (`ok`, `refused`, `locked`) and
//!   `gatehouse_lockouts_total`, counted by the sign-in service;
//! * gauges read when scraped: `gatehouse_password_hash_queue` (hashes
//!   waiting or running), `gatehouse_outbox_unsent` and
//!   `gatehouse_outbox_oldest_unsent_seconds`.
//!
//! `/metrics` answers only the addresses in `GATEHOUSE_METRICS_ALLOW`
//! (default: loopback), judged by the TCP peer, never by a header; anyone
//! else gets the same 404 as for any unknown address.

use app::server::{entities::outbox_message, state::AppState};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::{
    net::{IpAddr, SocketAddr},
    sync::{Arc, OnceLock},
    time::Instant,
};

/// Latency buckets in seconds: from a cached page to a slow upload.
const LATENCY_BUCKETS: &[f64] = &[
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process-wide Prometheus recorder, installed on first use. One per
/// process because the `metrics` facade has one global recorder; several
/// routers in one process (tests) share it.
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .expect("the latency buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics shows only what Gatehouse records through its own handle");
            }
            handle
        })
        .clone()
}

/// Who may read `/metrics`, and the recorder it renders.
#[derive(Clone)]
pub struct MetricsAccess {
    /// Addresses that may scrape.
    pub allow: Arc<Vec<IpAddr>>,
    /// The recorder.
    pub handle: PrometheusHandle,
}

/// `GET /healthz`: the process is up and serving.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when the database answers and every migration has
/// been applied; 503 otherwise, with what is wrong (no error text).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let database = state
        .db
        .execute_unprepared("SELECT 1")
        .await
        .map_err(|e| tracing::warn!(error = %e, "readiness: database not reachable"))
        .is_ok();
    let migrations = if database {
        match Migrator::get_pending_migrations(&state.db).await {
            Ok(pending) if pending.is_empty() => "current",
            Ok(_) => "pending",
            Err(e) => {
                tracing::warn!(error = %e, "readiness: migrations not readable");
                "unknown"
            }
        }
    } else {
        "unknown"
    };
    let ready = database && migrations == "current";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(serde_json::json!({
            "ready": ready,
            "database": if database { "ok" } else { "unreachable" },
            "migrations": migrations,
        })),
    )
        .into_response()
}

/// `GET /metrics` for the allowed addresses.
pub async fn metrics_page(
    State((access, state)): State<(MetricsAccess, AppState)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    if !access.allow.contains(&peer.ip().to_canonical()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    metrics::gauge!("gatehouse_password_hash_queue").set(state.passwords.waiting() as f64);
    match outbox_figures(&state).await {
        Ok((unsent, oldest_seconds)) => {
            metrics::gauge!("gatehouse_outbox_unsent").set(unsent as f64);
            metrics::gauge!("gatehouse_outbox_oldest_unsent_seconds").set(oldest_seconds);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: outbox figures not readable"),
    }
    let mut res = Response::new(Body::from(access.handle.render()));
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}

/// Unsent emails, and how long the oldest has waited (0 when none).
async fn outbox_figures(state: &AppState) -> Result<(u64, f64), sea_orm::DbErr> {
    let unsent = outbox_message::Entity::find().filter(outbox_message::Column::SentAt.is_null());
    let count = unsent.clone().count(&state.db).await?;
    let oldest = unsent
        .order_by_asc(outbox_message::Column::Id)
        .one(&state.db)
        .await?
        .map(|m| (state.clock.now() - m.created_at).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    Ok((count, oldest))
}

/// Counts every request and times it, by route pattern.
pub async fn track_requests(req: Request, next: Next) -> Response {
    let route = route_label(req.uri().path());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!(
        "gatehouse_http_requests_total",
        "route" => route,
        "method" => method.clone(),
        "status" => status
    )
    .increment(1);
    metrics::histogram!(
        "gatehouse_http_request_duration_seconds",
        "route" => route,
        "method" => method
    )
    .record(started.elapsed().as_secs_f64());
    res
}

/// The route pattern a path belongs to: server functions by their
/// registered name, pages and files with their variable parts as `{…}`,
/// anything else as `other`.
pub fn route_label(path: &str) -> &'static str {
    static ROUTES: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    let server_fns = ROUTES.get_or_init(|| {
        server_fn::axum::server_fn_paths()
            .map(|(p, _)| (p.to_string(), &*Box::leak(p.to_string().into_boxed_str())))
            .collect()
    });
    if let Some((_, label)) = server_fns.iter().find(|(p, _)| p == path) {
        return label;
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        [""] => "/",
        ["healthz"] => "/healthz",
        ["readyz"] => "/readyz",
        ["metrics"] => "/metrics",
        ["health"] => "/health",
        ["pkg", ..] => "/pkg/{file}",
        ["api", ..] => "/api/{unknown}",
        ["documents", "upload"] => "/documents/upload",
        ["documents", _, "file"] => "/documents/{id}/file",
        ["admin"] => "/admin",
        ["admin", "accounts", _, "account-manager"] => "/admin/accounts/{id}/account-manager",
        ["admin", "accounts", "new"] => "/admin/accounts/new",
        ["admin", "accounts", _] => "/admin/accounts/{id}",
        ["admin", page] => admin_page(page),
        ["portal", _] => "/portal/{org}",
        ["portal", _, page] => portal_page(page),
        ["account", "password"] => "/account/password",
        ["password", "reset"] => "/password/reset",
        _ => "other",
    }
}

fn admin_page(page: &str) -> &'static str {
    match page {
        "sign-in" => "/admin/sign-in",
        "forgot-password" => "/admin/forgot-password",
        "accounts" => "/admin/accounts",
        "audit" => "/admin/audit",
        "dev-mailbox" => "/admin/dev-mailbox",
        _ => "other",
    }
}

fn portal_page(page: &str) -> &'static str {
    match page {
        "sign-in" => "/portal/{org}/sign-in",
        "forgot-password" => "/portal/{org}/forgot-password",
        "forgot-identifier" => "/portal/{org}/forgot-identifier",
        "office-staff" => "/portal/{org}/office-staff",
        "insured" => "/portal/{org}/insured",
        _ => "other",
    }
}

/// `GATEHOUSE_METRICS_ALLOW` default: loopback.
pub fn loopback() -> Vec<IpAddr> {
    vec![
        IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_labelled_by_pattern_so_series_stay_bounded() {
        assert_eq!(route_label("/documents/123/file"), "/documents/{id}/file");
        assert_eq!(
            route_label("/portal/northwind/office-staff"),
            "/portal/{org}/office-staff"
        );
        assert_eq!(
            route_label("/portal/harbour/insured"),
            "/portal/{org}/insured"
        );
        assert_eq!(route_label("/admin/accounts/77"), "/admin/accounts/{id}");
        assert_eq!(route_label("/api/made-up-1"), "/api/{unknown}");
        assert_eq!(route_label("/pkg/app-3f2a.wasm"), "/pkg/{file}");
        assert_eq!(route_label("/wp-login.php"), "other");
        assert_eq!(route_label("/a/b/c/d/e"), "other");
    }
}
