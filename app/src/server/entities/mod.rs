//! sea-orm entities: one module per table, mirroring the migrations crate.
//! Only services use them; nothing here is serialised to a browser (password
//! hashes in particular stay on this side).

pub mod audit_event;
pub mod client_account;
pub mod company_access;
pub mod document;
pub mod email_token;
pub mod import_file;
pub mod import_item;
pub mod import_run;
pub mod insured;
pub mod organization;
pub mod outbox_message;
pub mod policy;
pub mod session;
pub mod sign_in_throttle;
pub mod staff_record;
pub mod user;
