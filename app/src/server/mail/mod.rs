//! Outgoing email. Services write messages to the outbox table in the
//! transaction of the change that causes them (`services::outbox`); the
//! [`worker`] drains the table and hands each message to the configured
//! [`Delivery`]: SMTP through lettre, or the development mailbox page.

pub mod worker;

pub use worker::Delivery;

/// What a delivered email's stored copy shows where its link was.
pub const REMOVED_LINK: &str = "[link removed from this copy once the email was sent]";

/// The query parameter that carries a single-use secret in emailed links
/// (`/password/reset?token=…`). Every link that grants something must use
/// it, so [`without_link_secrets`] finds it.
pub const SECRET_PARAM: &str = "token=";

/// `body` with every link that carries a secret replaced by
/// [`REMOVED_LINK`]. The outbox keeps a delivered email's text for the
/// record, but a working reset or welcome link must not outlive its
/// delivery in the database (backups and replicas would hold live
/// takeover links).
pub fn without_link_secrets(body: &str) -> String {
    body.split_inclusive(char::is_whitespace)
        .map(|word| {
            let text = word.trim_end();
            if text.contains(SECRET_PARAM) {
                format!("{REMOVED_LINK}{}", &word[text.len()..])
            } else {
                word.to_string()
            }
        })
        .collect()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_with_secrets_are_removed_and_the_rest_of_the_text_stays() {
        let body = "Hello Ada,\n\nChoose here:\n\nhttps://g.example/password/reset?token=ab12cd\n\nOr sign in at https://g.example/portal/alpha/sign-in.\n";
        let scrubbed = without_link_secrets(body);
        assert!(!scrubbed.contains("ab12cd"), "{scrubbed}");
        assert_eq!(
            scrubbed,
            format!("Hello Ada,\n\nChoose here:\n\n{REMOVED_LINK}\n\nOr sign in at https://g.example/portal/alpha/sign-in.\n")
        );
        assert_eq!(without_link_secrets(&scrubbed), scrubbed);
        assert_eq!(without_link_secrets(""), "");
    }
}
