//! Stopping cleanly. Container runtimes and systemd stop a service with
//! SIGTERM, a terminal with Ctrl-C (SIGINT). On either, `serve` stops
//! accepting connections, lets the requests in flight finish (uploads
//! included) until a deadline (`GATEHOUSE_SHUTDOWN_SECONDS`), lets the
//! outbox worker finish the email it is sending, closes the database pool
//! and exits 0.

/// Resolves when the process is asked to stop: SIGTERM or SIGINT.
pub async fn requested() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops cleanly");
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
