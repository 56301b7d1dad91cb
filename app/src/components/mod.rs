//! Reusable view pieces: form fields that show their own errors, the alert
//! that announces a form's error, password rules, the top bar with the
//! emulation banner, and a client account's documents with the PDF upload.

pub mod actions;
pub mod documents;
mod field;
mod layout;
mod password_rules;
pub mod upload;

pub use documents::DocumentsPanel;
pub use field::{CheckBox, Field, FormAlert, SelectField, SubmitButton, TextArea};
pub use layout::{Brand, EmulationBanner, SignOutButton, StopEmulationButton, TopBar};
pub use password_rules::{Notice, PasswordRules};
