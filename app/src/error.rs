//! The one error policy of Gatehouse, written down once.
//!
//! * Services return their own typed errors; at the server-function boundary
//!   each becomes an [`AppError`], the only error type a browser ever sees.
//! * [`AppError`] carries messages meant for people: validation (with the
//!   field), "sign-in failed", forbidden, not found, conflict.
//! * Anything else is [`AppError::Internal`]: an opaque message with a
//!   reference id. The cause chain is logged under that id on the server
//!   (see `server::error::internal`), never sent. When the cause is the
//!   storage itself (the database unreachable, read-only or full, the disk
//!   full) it is [`AppError::Unavailable`] instead: still opaque, but it
//!   tells the user the outage will pass and to try again later.
//! * Database and library error text never reaches a browser: even the
//!   framework's own argument-decoding errors are mapped here to a plain
//!   message ([`AppError::Malformed`]), and their detail is only logged.
//!
//! # HTTP statuses
//!
//! Every server function is a public endpoint (`/api/<name>`). Callers that
//! read statuses (the hydrated app, scripts, monitoring) get exactly one of
//! these, always with an [`AppError`] as JSON in the body:
//!
//! | status | when |
//! |---|---|
//! | 400 Bad Request | the arguments could not be decoded: one missing, of the wrong type (`id=abc`, `active=maybe`), or a body that is not form data ([`AppError::Malformed`]). The caller is broken, not the server; logged at debug level only. |
//! | 401 Unauthorized | no live session, for any endpoint not in [`PUBLIC_ENDPOINTS`], checked before the arguments are read so that a stranger learns nothing of their shape ([`AppError::SignInRequired`]); and a refused sign-in ([`AppError::SignInFailed`]). |
//! | 403 Forbidden | signed in but not allowed ([`AppError::Forbidden`]), an initial password still to be replaced ([`AppError::PasswordChangeRequired`]), or a state change sent from another site. |
//! | 404 Not Found | the thing does not exist, or belongs to another organization or account: the two are never told apart ([`AppError::NotFound`]). |
//! | 409 Conflict | the change conflicts with existing data ([`AppError::Conflict`]), or the caller is emulating ([`AppError::Emulating`]). |
//! | 413 Payload Too Large | the body is over `GATEHOUSE_MAX_BODY_BYTES` (uploads: over `GATEHOUSE_MAX_UPLOAD_MB`). |
//! | 422 Unprocessable Entity | well-formed input that breaks a rule, with the field to show it next to ([`AppError::Validation`]). |
//! | 429 Too Many Requests | the per-address limit on sign-in and password links, with `Retry-After` ([`AppError::TooManyAttempts`]). |
//! | 500 Internal Server Error | anything else: an opaque message with a reference id; the cause is in the log ([`AppError::Internal`]). |
//! | 503 Service Unavailable | the database or the disk cannot be used right now (unreachable, restarting, read-only, full): try again later, checking first whether a change was saved (a failure at commit leaves that unknown); reference id as for 500 ([`AppError::Unavailable`]). |
//!
//! A plain HTML form post (`Accept: text/html`, the pages before the wasm
//! has loaded or without script) gets none of these: it is redirected back
//! to the form with the error in the URL, which the page shows.

use crate::domain::ParseError;
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// An error as the browser receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Input that can't be accepted; `field` names the form field, when one is
    /// to blame, so the message can be shown next to it.
    #[error("{message}")]
    Validation {
        /// The form field's name, e.g. `"identifier"`.
        field: Option<String>,
        /// What to fix, in the users' words.
        message: String,
    },
    /// The credentials were not accepted. Deliberately one message for every
    /// cause, so it never tells which part was wrong.
    #[error("{0}")]
    SignInFailed(String),
    /// No valid session: the user must sign in (again).
    #[error("Please sign in to continue.")]
    SignInRequired,
    /// Signed in with an initial (or reset-by-staff) password: nothing is
    /// allowed until a new password is chosen.
    #[error("Choose a new password before you continue.")]
    PasswordChangeRequired,
    /// Too many attempts from this network address (or, for uploads, by this
    /// user); try again later.
    #[error("Too many attempts. Wait {retry_after_secs} seconds and try again.")]
    TooManyAttempts {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// Signed in, but not allowed to do this.
    #[error("You are not allowed to do that.")]
    Forbidden,
    /// The thing asked for does not exist (or belongs to someone else).
    #[error("That could not be found.")]
    NotFound,
    /// A staff user is emulating an Account Manager: stop emulating first.
    #[error("You are emulating {account_manager} of {account}. Stop emulating to use the Admin Portal or to change your own password.")]
    Emulating {
        /// The emulated Account Manager's name.
        account_manager: String,
        /// The account's name.
        account: String,
    },
    /// The change conflicts with existing data (e.g. a name already taken).
    #[error("{0}")]
    Conflict(String),
    /// The request's arguments could not be decoded (missing, of the wrong
    /// type, not form data). Always [`MALFORMED`]; carried in the answer so
    /// that scripts reading the JSON see the words too.
    #[error("{0}")]
    Malformed(String),
    /// The server could not be reached (raised in the browser only).
    #[error("Gatehouse could not be reached. Check your connection and try again.")]
    Unreachable,
    /// The storage cannot be used right now (database unreachable or
    /// restarting, read-only, full; disk full). A change was most likely
    /// not made, but a failure at commit leaves that unknown, so the message
    /// asks to check before retrying. The cause is in the server log under
    /// `reference`.
    #[error("Gatehouse's storage is unavailable or full right now. Try again in a few minutes (if you were saving something, check first whether it was saved); if it keeps happening, quote reference {reference}.")]
    Unavailable {
        /// The id under which the cause was logged.
        reference: String,
    },
    /// Anything else. The cause is in the server log under `reference`.
    #[error(
        "Something went wrong on our side. If it keeps happening, quote reference {reference}."
    )]
    Internal {
        /// The id under which the cause was logged.
        reference: String,
    },
}

/// The single message for a refused sign-in, whatever the reason.
pub const SIGN_IN_FAILED: &str =
    "Those sign-in details were not recognised, or this login is not active. Check them and try again.";

/// The message for arguments that could not be decoded.
pub const MALFORMED: &str = "The form was incomplete. Fill in every field and try again.";

/// The message when a welcome or reset link can no longer be used.
pub const LINK_UNUSABLE: &str =
    "This link has expired or has already been used. Ask for a new one from the sign-in page.";

/// The server functions anyone may call without a session: signing in and
/// out, what the sign-in pages show, and the password links. Every other
/// `/api/` endpoint answers 401 to a request without a live session before
/// its arguments are read (the session gate in the server's middleware).
pub const PUBLIC_ENDPOINTS: &[&str] = &[
    "/api/staff_sign_in",
    "/api/client_sign_in",
    "/api/sign_out",
    "/api/portal_info",
    "/api/forgot_staff_password",
    "/api/forgot_client_password",
    "/api/forgot_identifier",
    "/api/password_link_form",
    "/api/set_password_from_link",
];

impl AppError {
    /// The refused-sign-in error, with its one message.
    pub fn sign_in_failed() -> Self {
        Self::SignInFailed(SIGN_IN_FAILED.to_string())
    }

    /// The message for the given form field, if this error is about it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Validation {
                field: Some(f),
                message,
            } if f == field => Some(message.clone()),
            _ => None,
        }
    }

    /// The message to show at the top of a form: everything except errors
    /// that are shown next to a field.
    pub fn form_message(&self) -> Option<String> {
        match self {
            Self::Validation { field: Some(_), .. } => None,
            other => Some(other.to_string()),
        }
    }
}

impl From<ParseError> for AppError {
    fn from(e: ParseError) -> Self {
        Self::Validation {
            field: Some(e.field.to_string()),
            message: e.message,
        }
    }
}

impl AppError {
    /// The answer to arguments that did not decode: a 400 with a plain
    /// message. The decoder's own text names internals, so it is only
    /// logged, and at debug level: the caller is at fault, not the server.
    fn malformed(detail: &str) -> Self {
        #[cfg(feature = "ssr")]
        {
            tracing::debug!(%detail, "server function arguments refused");
            crate::server::request::set_error_status(&Self::malformed_error());
        }
        let _ = detail;
        Self::malformed_error()
    }

    /// [`AppError::Malformed`] with its one message.
    pub fn malformed_error() -> Self {
        Self::Malformed(MALFORMED.to_string())
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request never got an answer: a browser-side condition.
            ServerFnErrorErr::Request(_) => Self::Unreachable,
            // The form did not decode: the library's text names internals, so
            // it is only logged.
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                Self::malformed(&detail)
            }
            // On the server this is the request body failing to decode (not
            // UTF-8, cut short); in the browser, an answer that did not.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => Self::malformed(&detail),
            other => {
                #[cfg(feature = "ssr")]
                {
                    crate::server::error::internal(&other)
                }
                #[cfg(not(feature = "ssr"))]
                {
                    let _ = other;
                    Self::Internal {
                        reference: "browser".into(),
                    }
                }
            }
        }
    }
}
