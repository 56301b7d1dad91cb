//! One module per page.

mod account;
mod account_manager;
mod accounts;
mod admin_home;
mod admin_sign_in;
mod audit_log;
mod create_users;
mod dev_mailbox;
mod forgot;
mod home;
mod import_report;
mod imports;
mod insured_portal;
mod insureds;
mod not_found;
mod office_staff;
mod password;
mod people;
mod person;
mod portal_home;
mod portal_sign_in;
mod settings;
mod staff_master;

use crate::{components::StopEmulationButton, error::AppError};
pub use account::AccountPage;
pub use account_manager::AccountManagerPage;
pub use accounts::{AccountsPage, NewAccountPage};
pub use admin_home::AdminHome;
pub use admin_sign_in::AdminSignIn;
pub use audit_log::AuditLogPage;
pub use create_users::CreateUsersPage;
pub use dev_mailbox::DevMailboxPage;
pub use forgot::{AdminForgotPasswordPage, PortalForgotIdentifierPage, PortalForgotPasswordPage};
pub use home::HomePage;
pub use import_report::ImportReportPage;
pub use imports::ImportsPage;
pub use insured_portal::InsuredPortalPage;
pub use insureds::InsuredsPage;
use leptos::prelude::*;
use leptos_router::components::Redirect;
pub use not_found::NotFound;
pub use office_staff::OfficeStaffPage;
pub use password::{AccountPasswordPage, PasswordLinkPage};
pub use people::PeoplePage;
pub use person::PersonPage;
pub use portal_home::PortalHome;
pub use portal_sign_in::PortalSignIn;
pub use settings::SettingsPage;
pub use staff_master::StaffMasterPage;

/// A panel for an error that stops a page from showing. While emulating,
/// it offers the way back.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let emulating = matches!(error, AppError::Emulating { .. });
    view! {
        <main class="page narrow">
            <section class="card">
                <h1>{if emulating { "You are emulating an Account Manager" } else { "We couldn't show this page" }}</h1>
                <p role="alert">{error.to_string()}</p>
                {if emulating {
                    view! { <StopEmulationButton/> }.into_any()
                } else {
                    view! { <p><a href="/">"Back to the start"</a></p> }.into_any()
                }}
            </section>
        </main>
    }
}

/// What an Admin Portal page shows instead of itself when its data can't be
/// loaded: the sign-in page, the forced password change, or the error.
pub fn staff_page_error(error: AppError) -> AnyView {
    match error {
        AppError::SignInRequired => view! { <Redirect path="/admin/sign-in"/> }.into_any(),
        AppError::PasswordChangeRequired => {
            view! { <Redirect path="/account/password"/> }.into_any()
        }
        e => view! { <ErrorPanel error=e/> }.into_any(),
    }
}

/// Likewise for a Client Portal page of organization `org`.
pub fn portal_page_error(error: AppError, org: &str) -> AnyView {
    match error {
        AppError::PasswordChangeRequired => {
            view! { <Redirect path="/account/password"/> }.into_any()
        }
        AppError::SignInRequired => {
            view! { <Redirect path=portal_address(org, "/sign-in")/> }.into_any()
        }
        e => view! { <ErrorPanel error=e/> }.into_any(),
    }
}

/// The address of `page` (`""` for the landing page, else `"/sign-in"` and
/// the like) in the portal named `org` as it came in the address. Route
/// parameters arrive percent-decoded, so the name is encoded again: a
/// control character in it must not make an invalid `Location` header.
pub(crate) fn portal_address(org: &str, page: &str) -> String {
    format!("/portal/{}{page}", crate::percent::encode(org))
}

/// "12 Mar 2026" from an RFC 3339 time (the date part, UTC).
pub(crate) fn short_date(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = rfc3339.get(..10).unwrap_or("").split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => {
            let month = m
                .parse::<usize>()
                .ok()
                .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
            match (month, d.parse::<u32>()) {
                (Some(month), Ok(d)) => format!("{d} {month} {y}"),
                _ => rfc3339.to_string(),
            }
        }
        _ => rfc3339.to_string(),
    }
}

/// "12,345".
pub(crate) fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
