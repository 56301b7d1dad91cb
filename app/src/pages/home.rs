//! `/`: what Gatehouse is and where each kind of user signs in.

use crate::components::Brand;
use leptos::prelude::*;
use leptos_meta::Title;

/// The start page.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Gatehouse"/>
        <header class="topbar"><Brand/></header>
        <main class="page narrow">
            <section class="hero">
                <h1>"Who signs in, to what, with which rights."</h1>
                <p class="lead">
                    "Gatehouse manages the logins of a service company's staff and of its clients' people: "
                    "the Admin Portal for staff, and a Client Portal for each organization's clients."
                </p>
            </section>
            <div class="choices">
                <section class="card">
                    <h2>"Staff"</h2>
                    <p>"Manage client accounts, logins and company access."</p>
                    <a class="button" href="/admin/sign-in">"Sign in to the Admin Portal"</a>
                </section>
                <section class="card">
                    <h2>"Clients"</h2>
                    <p>
                        "Your service company gave you its portal address, which looks like "
                        <code>"/portal/your-company"</code>
                        ". Sign in there with your identifier, username and password."
                    </p>
                </section>
            </div>
        </main>
    }
}
