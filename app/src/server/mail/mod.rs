//! Outgoing email. Services write messages to the outbox table in the
//! transaction of the change that causes them (`services::outbox`); the
//! [`worker`] drains the table and hands each message to the configured
//! [`Delivery`]: SMTP through lettre, or the development mailbox page.

pub mod worker;

pub use worker::Delivery;

use tokio::sync::Notify;

/// What services need to know to write an email.
#[derive(Debug)]
pub struct MailSettings {
    /// The address users reach Gatehouse at, without a trailing slash. Links
    /// in emails are built from it, never from a request's `Host` header.
    pub public_url: String,
    /// The `From` of every message, e.g. `Gatehouse <no-reply@example.com>`.
    pub from: String,
    /// Whether the development mailbox page is on. Only an explicit
    /// development setting turns it on.
    pub dev_mailbox: bool,
    /// Wakes the worker when a message was queued, so it goes out at once.
    pub wake: Notify,
}

impl MailSettings {
    /// Settings for `public_url` with the default sender.
    pub fn new(public_url: impl Into<String>, dev_mailbox: bool) -> Self {
        Self {
            public_url: public_url.into().trim_end_matches('/').to_string(),
            from: "Gatehouse <no-reply@gatehouse.invalid>".into(),
            dev_mailbox,
            wake: Notify::new(),
        }
    }

    /// The absolute address of `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}
