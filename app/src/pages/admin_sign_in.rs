//! `/admin/sign-in`: staff sign in with their organization's short name,
//! username and password. `?org=<short name>` fills in the organization, so a
//! company can hand its staff a bookmark.

use crate::{
    api::StaffSignIn,
    components::{Brand, Field, FormAlert, Notice, SubmitButton},
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The Admin Portal sign-in page.
#[component]
pub fn AdminSignIn() -> impl IntoView {
    let action = ServerAction::<StaffSignIn>::new();
    let query = use_query_map();
    let organization = Signal::derive(move || query.read().get("org").unwrap_or_default());
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let password_set = Signal::derive(move || query.read().get("password").is_some());
    let forgot = move || {
        let org = organization.get();
        if org.is_empty() {
            "/admin/forgot-password".to_string()
        } else {
            format!("/admin/forgot-password?org={org}")
        }
    };
    view! {
        <Title text="Sign in · Admin Portal · Gatehouse"/>
        <header class="topbar"><Brand/><span class="portal-tag">"Admin Portal"</span></header>
        <main class="page auth">
            <section class="card">
                <h1>"Sign in to the Admin Portal"</h1>
                <p class="lead">"For staff of a Gatehouse organization."</p>
                <Show when=move || password_set.get()>
                    <Notice>"Your password is set. Sign in with it now."</Notice>
                </Show>
                <ActionForm action=action attr:class="form" attr:aria-label="Admin Portal sign-in">
                    <FormAlert error/>
                    <Field label="Organization" name="organization" autocomplete="organization" value=organization error autofocus=true/>
                    <Field label="Username" name="username" autocomplete="username" error/>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" error/>
                    <SubmitButton pending label="Sign in" busy_label="Signing in…"/>
                </ActionForm>
                <p class="form-links"><a href=forgot>"Forgot your password?"</a></p>
            </section>
        </main>
    }
}
