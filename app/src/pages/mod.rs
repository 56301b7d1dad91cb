//! One module per page.

mod admin_home;
mod admin_sign_in;
mod home;
mod not_found;
mod portal_home;
mod portal_sign_in;

pub use admin_home::AdminHome;
pub use admin_sign_in::AdminSignIn;
pub use home::HomePage;
pub use not_found::NotFound;
pub use portal_home::PortalHome;
pub use portal_sign_in::PortalSignIn;

use crate::error::AppError;
use leptos::prelude::*;

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
