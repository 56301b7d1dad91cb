//! `server`: runs Gatehouse (`serve`, the default) or an operator command.

use clap::Parser;
use server::{
    cli::{self, Cli, Command, OrgCommand},
    config::Config,
};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    server::init_tracing();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let db = match server::open_database(&config).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!(
                "database error: {}",
                app::server::error::cause_chain(e.as_ref())
            );
            return ExitCode::FAILURE;
        }
    };
    let state = server::state(&config, db.clone());
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => Ok("Database is up to date.\n".to_string()),
        Command::Demo => cli::demo(&db, &config, &state.passwords).await,
        Command::Org {
            command: OrgCommand::Create(args),
        } => cli::org_create(&db, &config, &state.passwords, args).await,
        Command::Serve => serve(&config, state).await.map(|_| String::new()),
    };
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
    let mail = server::mail::start_worker(config, &state)?;
    // Uploads cut off by the last stop (an upload in progress is younger).
    let swept = app::server::files::sweep_partial_uploads(
        &state.files.dir,
        std::time::Duration::from_secs(3600),
    );
    if swept > 0 {
        tracing::info!(swept, "removed partial uploads left by an earlier run");
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(address = %config.listen, public_url = %config.public_url, database = %redact(&config.database_url), "Gatehouse is serving");
    println!("Gatehouse is serving on {}\n{mail}", config.public_url);
    let router = server::router::build(
        state,
        server::router::RouterSettings {
            max_body_bytes: config.max_body_bytes,
            rate_limit: config.rate_limit.clone(),
            uploads_per_minute: config.uploads_per_minute,
        },
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| e.to_string())
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
