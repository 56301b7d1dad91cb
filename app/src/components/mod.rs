//! Reusable view pieces: form fields that show their own errors, the alert
//! that announces a form's error, the top bar.

mod field;
mod layout;

pub use field::{Field, FormAlert, SubmitButton};
pub use layout::{Brand, SignOutButton, TopBar};
