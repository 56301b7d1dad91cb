//! Reusable view pieces: form fields that show their own errors, the alert
//! that announces a form's error, password rules, the top bar.

mod field;
mod layout;
mod password_rules;

pub use field::{Field, FormAlert, SubmitButton};
pub use layout::{Brand, SignOutButton, TopBar};
pub use password_rules::{Notice, PasswordRules};
