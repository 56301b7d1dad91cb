//! Everything that runs only on the server (`ssr` feature): entities, the
//! services by capability, authentication, the database helpers and the
//! request context that server functions use to build an `Actor`.

pub mod auth;
pub mod clock;
pub mod csp;
pub mod db;
pub mod entities;
pub mod error;
pub mod exports;
pub mod files;
pub mod import;
pub mod mail;
pub mod request;
pub mod request_id;
pub mod services;
pub mod state;
