//! Server functions: thin adapters, each one session -> `Actor` -> service
//! call -> DTO. They are public HTTP endpoints (`/api/<name>`), so every check
//! happens in the service they call, with the tenant taken from the session.

pub mod dto;
mod home;
mod sign_in;

pub use home::*;
pub use sign_in::*;
