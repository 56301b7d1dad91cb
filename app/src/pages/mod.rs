//! One module per page.

mod admin_home;
mod admin_sign_in;
mod audit_log;
mod dev_mailbox;
mod forgot;
mod home;
mod not_found;
mod password;
mod portal_home;
mod portal_sign_in;

use crate::error::AppError;
pub use admin_home::AdminHome;
pub use admin_sign_in::AdminSignIn;
pub use audit_log::AuditLogPage;
pub use dev_mailbox::DevMailboxPage;
pub use forgot::{AdminForgotPasswordPage, PortalForgotIdentifierPage, PortalForgotPasswordPage};
pub use home::HomePage;
use leptos::prelude::*;
pub use not_found::NotFound;
pub use password::{AccountPasswordPage, PasswordLinkPage};
pub use portal_home::PortalHome;
pub use portal_sign_in::PortalSignIn;

/// A panel for an error that stops a page from showing.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    view! {
        <main class="page narrow">
            <section class="card">
                <h1>"We couldn't show this page"</h1>
                <p role="alert">{error.to_string()}</p>
                <p><a href="/">"Back to the start"</a></p>
            </section>
        </main>
    }
}
