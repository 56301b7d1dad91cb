//! The page for addresses that lead nowhere; answered with status 404.

use crate::components::Brand;
use leptos::prelude::*;
use leptos_meta::Title;

/// "Page not found", with status 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found · Gatehouse"/>
        <header class="topbar"><Brand/></header>
        <main class="page narrow">
            <section class="card">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. Check the link, or start again."</p>
                <a class="button" href="/">"Go to the start"</a>
            </section>
        </main>
    }
}
