//! Services, one module per capability. Each takes the connection (and, for
//! tenant data, the `Actor`) explicitly and scopes every query by the actor's
//! organization.

pub mod account_manager;
pub mod accounts;
pub mod activity;
pub mod administrators;
pub mod audit;
pub mod audit_log;
pub mod client_logins;
pub mod company_access;
pub mod consolidation;
pub mod demo;
pub mod demo_people;
pub mod dev_mailbox;
pub mod documents;
pub mod edoc_import;
pub mod edocs;
pub mod email_cap;
pub mod email_tokens;
pub mod emulation;
pub mod home;
pub mod import_apply;
pub mod imports;
pub mod insured_logins;
pub mod insured_portal;
pub mod insured_summary;
pub mod insureds;
pub mod keyset;
pub mod lockout;
pub mod new_users;
pub mod office_staff;
pub mod organizations;
pub mod outbox;
pub mod passwords;
pub mod people;
pub mod person;
pub mod policy_attach;
pub mod recovery;
pub mod settings;
pub mod sign_in;
pub mod staff_master;
pub mod user_access;
pub mod users;

/// True when a database error is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
