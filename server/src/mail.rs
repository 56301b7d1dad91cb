//! Starting the outbox worker for a configuration: SMTP when `SMTP_URL` is
//! set, else the development mailbox when it is on, else nothing (messages
//! wait in the outbox until one of them is configured).

use crate::config::Config;
use app::server::{mail::worker, state::AppState};

/// A running worker: the console line saying where email goes, and the
/// task, when there is one, to wait for at shutdown.
pub struct StartedWorker {
    /// For the console.
    pub line: String,
    /// Ends after `stop` turns true and the message in hand is sent.
    pub task: Option<tokio::task::JoinHandle<()>>,
}

/// Spawns the worker on the current runtime; it stops when `stop` turns
/// true. An unusable `SMTP_URL` is an error.
pub fn start_worker(
    config: &Config,
    state: &AppState,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<StartedWorker, String> {
    let delivery = match (&config.smtp_url, config.dev_mailbox) {
        (Some(url), _) => {
            worker::Delivery::smtp(url).map_err(|e| format!("SMTP_URL can't be used: {e}"))?
        }
        (None, true) => worker::Delivery::DevMailbox,
        (None, false) => {
            tracing::warn!(
                "neither SMTP_URL nor GATEHOUSE_DEV_MAILBOX is set: emails wait in the outbox"
            );
            return Ok(StartedWorker {
                line: "Email: not configured (set SMTP_URL); emails wait in the outbox.".into(),
                task: None,
            });
        }
    };
    let line = match &delivery {
        worker::Delivery::Smtp(_) => "Email: sent over SMTP (SMTP_URL).".to_string(),
        worker::Delivery::DevMailbox => format!(
            "Email: development mailbox at {}/admin/dev-mailbox (nothing is sent).",
            config.public_url
        ),
    };
    let task = tokio::spawn(worker::run(
        state.db.clone(),
        delivery,
        state.mail.clone(),
        state.clock.clone(),
        stop,
    ));
    Ok(StartedWorker {
        line,
        task: Some(task),
    })
}
