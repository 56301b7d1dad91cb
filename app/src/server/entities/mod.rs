//! sea-orm entities: one module per table, mirroring the migrations crate.
//! Only services use them; nothing here is serialised to a browser (password
//! hashes in particular stay on this side).

pub mod audit_event;
pub mod client_account;
pub mod organization;
pub mod session;
pub mod user;
