//! The frame around signed-in pages.

use crate::api::{dto::EmulationView, SignOut, StopEmulation};
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
    /// Set while a staff user emulates an Account Manager.
    #[prop(default = None)]
    emulation: Option<EmulationView>,
) -> impl IntoView {
    let emulating = emulation.is_some();
    view! {
        {emulation.map(|e| view! { <EmulationBanner emulation=e/> })}
        <header class="topbar">
            <Brand/>
            <span class="portal-tag">{portal}</span>
            <span class="topbar-org">{organization}</span>
            <span class="spacer"></span>
            <span class="topbar-user">{user}</span>
            {(!emulating).then(|| view! { <A href="/account/password" attr:class="topbar-link">"Change password"</A> })}
            <SignOutButton/>
        </header>
    }
}

/// The banner on every page while a staff user emulates an Account Manager,
/// with the way back.
#[component]
pub fn EmulationBanner(emulation: EmulationView) -> impl IntoView {
    view! {
        <div class="emulation-banner" role="status">
            <span>
                "You are emulating "<strong>{emulation.account_manager}</strong>
                " of "<strong>{emulation.account}</strong>
                <span class="muted">{format!(" (signed in as {})", emulation.staff_name)}</span>
            </span>
            <StopEmulationButton/>
        </div>
    }
}

/// "Stop emulating": a plain form post, so it works before hydration too.
#[component]
pub fn StopEmulationButton() -> impl IntoView {
    let action = ServerAction::<StopEmulation>::new();
    view! {
        <ActionForm action=action attr:class="stop-emulation">
            <button type="submit" class="button">"Stop emulating"</button>
        </ActionForm>
    }
}
