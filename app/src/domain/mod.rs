//! Wasm-safe value types that *parse* user input into values that are valid by
//! construction. Both the browser (for live hints) and the server (for the
//! decision) use them, so a rule is written exactly once.
//!
//! Every `parse` returns a [`ParseError`] whose message is meant for people and
//! is shown next to the field that caused it.

mod account;
pub mod audit_action;
pub mod document;
pub mod edoc;
mod email;
mod identifier;
pub mod insured;
pub mod insureds;
pub mod names;
pub mod new_users;
mod org;
mod password_policy;
pub mod people;
mod roles;
pub mod staff_master;
mod username;

pub use account::{
    AccountDetails, AccountSort, ADDRESS_MAX as ACCOUNT_ADDRESS_MAX, NAME_MAX as ACCOUNT_NAME_MAX,
};
pub use email::Email;
pub use identifier::Identifier;
pub use insureds::{InsuredSearch, InsuredSort, InsuredsQuery, PolicyFilter, RegistrationFilter};
pub use names::PersonName;
pub use org::{AgencyPrefix, OrgSlug};
pub use password_policy::{PasswordPolicy, RuleCheck, MAX_LENGTH as PASSWORD_MAX_LENGTH};
pub use people::{PeopleQuery, PeopleSort};
pub use roles::{ClientRole, StaffRole, UserKind};
pub use username::Username;

/// Why a value could not be parsed; `message` is written for the person who
/// typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// The form field the value came from, e.g. `"username"`.
    pub field: &'static str,
    /// What is wrong, in the users' words.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
