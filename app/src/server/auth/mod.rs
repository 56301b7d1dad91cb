//! Authentication: password hashing, sessions and the `Actor` a request acts
//! as.

pub mod actor;
pub mod password;
pub mod session;

pub use actor::{Actor, Principal};
