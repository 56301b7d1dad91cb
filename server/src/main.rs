//! `server`: runs Gatehouse (`serve`, the default) or an operator command.

use clap::Parser;
use server::{
    cli::{self, Cli, Command, OrgCommand},
    config::Config,
};
use std::{future::IntoFuture, process::ExitCode};

#[tokio::main]
async fn main() -> ExitCode {
    let log_format = match server::LogFormat::from_env() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    server::init_tracing(log_format);
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let command = cli.command.unwrap_or(Command::Serve);
    // Held until the process ends; `restore` takes it exclusively itself.
    let _data_lock = match &command {
        Command::Restore { .. } => None,
        _ => match server::data_lock::shared(&config) {
            Ok(lock) => lock,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let result = match command {
        // Backup and restore work on the files themselves: a restore must
        // not find the database opened (or migrated) by this process.
        Command::Backup { file } => server::backup::backup(&config, &file)
            .await
            .map_err(|e| e.to_string()),
        Command::Restore { file } => server::backup::restore(&config, &file)
            .await
            .map_err(|e| e.to_string()),
        Command::Migrate => open(&config)
            .await
            .map(|_| "Database is up to date.\n".to_string()),
        Command::Demo => match open(&config).await {
            Ok((db, state)) => cli::demo(&db, &config, &state).await,
            Err(e) => Err(e),
        },
        Command::Org {
            command: OrgCommand::Create(args),
        } => match open(&config).await {
            Ok((db, state)) => cli::org_create(&db, &config, &state.passwords, args).await,
            Err(e) => Err(e),
        },
        Command::Org {
            command: OrgCommand::SetAdminLimit { slug, limit },
        } => match open(&config).await {
            Ok((db, _)) => cli::org_set_admin_limit(&db, &slug, limit).await,
            Err(e) => Err(e),
        },
        Command::Import { org, paths } => match open(&config).await {
            Ok((db, _)) => {
                cli::import(&db, &org, &paths, server::file_settings(&config).into()).await
            }
            Err(e) => Err(e),
        },
        Command::Serve => match open(&config).await {
            Ok((_, state)) => serve(&config, state).await.map(|_| String::new()),
            Err(e) => Err(e),
        },
    };
    finish(result)
}

/// Opens (and migrates) the database and builds the shared state.
async fn open(
    config: &Config,
) -> Result<(sea_orm::DatabaseConnection, app::server::state::AppState), String> {
    let db = server::open_database(config).await.map_err(|e| {
        format!(
            "database error: {}",
            app::server::error::cause_chain(e.as_ref())
        )
    })?;
    let state = server::state(config, db.clone());
    Ok((db, state))
}

/// Prints a command's outcome and turns it into the exit code.
fn finish(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: &Config, state: app::server::state::AppState) -> Result<(), String> {
    for missing in server::config::missing_site_files(&config.leptos) {
        tracing::error!(
            file = %missing.display(),
            "a file every page links is missing: pages will load without script or style. \
             Deploy the site directory from the same build as this binary, with the \
             build's hash.txt next to the binary"
        );
    }
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let worker = server::mail::start_worker(config, &state, stopping.clone())?;
    // Uploads cut off by the last stop (an upload in progress is younger).
    let swept = app::server::files::sweep_partial_uploads(
        &state.files.dir,
        std::time::Duration::from_secs(3600),
    );
    if swept > 0 {
        tracing::info!(swept, "removed partial uploads left by an earlier run");
    }
    let watcher = config.import_dir.clone().map(|dir| {
        println!(
            "Import folder: {} (one subfolder per organization short name, looked at every {} s)",
            dir.display(),
            config.import_poll.as_secs()
        );
        tokio::spawn(server::import_watch::run(
            state.db.clone(),
            dir,
            config.import_poll,
            state.files.clone(),
            stopping.clone(),
        ))
    });
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(address = %config.listen, public_url = %config.public_url, database = %redact(&config.database_url), "Gatehouse is serving");
    println!(
        "Gatehouse is serving on {}\n{}",
        config.public_url, worker.line
    );
    let db = state.db.clone();
    let router = server::router::build(
        state,
        server::router::RouterSettings {
            max_body_bytes: config.max_body_bytes,
            rate_limit: config.rate_limit.clone(),
            uploads_per_minute: config.uploads_per_minute,
            metrics_allow: config.metrics_allow.clone(),
        },
    );
    let mut stopping_http = stopping.clone();
    let mut http = tokio::spawn(
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopping_http.wait_for(|s| *s).await;
        })
        .into_future(),
    );
    let signal = tokio::select! {
        ended = &mut http => {
            // The server stopped by itself: that is a failure.
            return Err(match ended {
                Ok(Ok(())) => "the server stopped unexpectedly".into(),
                Ok(Err(e)) => e.to_string(),
                Err(e) => e.to_string(),
            });
        }
        signal = server::shutdown::requested() => signal,
    };
    let grace = config.shutdown_grace;
    tracing::info!(
        signal,
        grace_seconds = grace.as_secs(),
        "stopping: no new connections; finishing requests in flight"
    );
    let deadline = tokio::time::Instant::now() + grace;
    let _ = stop.send(true);
    match tokio::time::timeout_at(deadline, &mut http).await {
        Ok(_) => tracing::info!("every request in flight finished"),
        Err(_) => {
            tracing::warn!(
                grace_seconds = grace.as_secs(),
                "requests still running at the deadline were cut off"
            );
            http.abort();
        }
    }
    if let Some(task) = worker.task {
        // The email being sent gets the time left, and at least a few
        // seconds: an SMTP exchange should not be cut in half.
        let until = deadline.max(tokio::time::Instant::now() + std::time::Duration::from_secs(5));
        if tokio::time::timeout_at(until, task).await.is_err() {
            tracing::warn!("the outbox worker did not finish its email in time; it is sent again at the next start");
        }
    }
    if let Some(task) = watcher {
        // A file being imported finishes (its transaction is short); the
        // watcher stops before the next one.
        let until = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        if tokio::time::timeout_at(until, task).await.is_err() {
            tracing::warn!(
                "the import folder was still importing; what is left is imported at the next start"
            );
        }
    }
    if let Err(e) = db.close().await {
        tracing::warn!(error = %e, "closing the database pool failed");
    }
    tracing::info!("Gatehouse stopped");
    println!("Gatehouse stopped ({signal}).");
    Ok(())
}

/// The database URL without its password, for the log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}
