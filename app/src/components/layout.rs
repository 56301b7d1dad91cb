//! The frame around signed-in pages.

use crate::api::SignOut;
use leptos::prelude::*;
use leptos_router::components::A;

/// The product's name and mark.
#[component]
pub fn Brand() -> impl IntoView {
    view! {
        <A href="/" attr:class="brand">
            <span class="brand-mark" aria-hidden="true">"G"</span>
            <span class="brand-name">"Gatehouse"</span>
        </A>
    }
}

/// A sign-out button; a plain form post, so it works before hydration too.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    view! {
        <ActionForm action=action attr:class="sign-out">
            <button type="submit" class="button secondary">"Sign out"</button>
        </ActionForm>
    }
}

/// The bar at the top of signed-in pages: brand, which portal, who, sign out.
#[component]
pub fn TopBar(
    /// "Admin Portal" or "Client Portal".
    portal: &'static str,
    /// The organization's name.
    organization: String,
    /// Who is signed in.
    user: String,
) -> impl IntoView {
    view! {
        <header class="topbar">
            <Brand/>
            <span class="portal-tag">{portal}</span>
            <span class="topbar-org">{organization}</span>
            <span class="spacer"></span>
            <span class="topbar-user">{user}</span>
            <A href="/account/password" attr:class="topbar-link">"Change password"</A>
            <SignOutButton/>
        </header>
    }
}
