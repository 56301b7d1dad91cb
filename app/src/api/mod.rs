//! Server functions: thin adapters, each one session -> `Actor` -> service
//! call -> DTO. They are public HTTP endpoints (`/api/<name>`), so every check
//! happens in the service they call, with the tenant taken from the session.

mod account_manager;
mod accounts;
mod audit;
mod documents;
pub mod dto;
mod home;
mod imports;
mod insureds;
mod new_users;
mod office_staff;
mod password;
mod people;
mod recovery;
mod settings;
mod sign_in;
mod staff_master;

pub use account_manager::*;
pub use accounts::*;
pub use audit::*;
pub use documents::*;
pub use home::*;
pub use imports::*;
pub use insureds::*;
pub use new_users::*;
pub use office_staff::*;
pub use password::*;
pub use people::*;
pub use recovery::*;
pub use settings::*;
pub use sign_in::*;
pub use staff_master::*;

/// The server-function endpoints a client address may call only so often
/// (everything that checks a password, sends or uses a password link).
pub const RATE_LIMITED_ENDPOINTS: &[&str] = &[
    "/api/staff_sign_in",
    "/api/client_sign_in",
    "/api/change_password",
    "/api/forgot_staff_password",
    "/api/forgot_client_password",
    "/api/forgot_identifier",
    "/api/set_password_from_link",
    "/api/set_account_manager_login",
    "/api/create_office_staff",
    "/api/reset_office_staff_password",
];
