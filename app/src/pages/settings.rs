//! `/admin/settings`: the organization's settings for its User
//! Administrators. The password policy, with the rules shown as users will
//! see them while they choose a password; how far ahead a Staff Master hire
//! date may be; and, read-only, what the platform operator sets (agency
//! prefix, User Administrator limit). Works as a plain form without script.

use crate::{
    api::{dto::SettingsView, organization_settings, SaveOrganizationSettings},
    components::{Field, FormAlert, PasswordRules, SubmitButton, TopBar},
    domain::PasswordPolicy,
    error::AppError,
    pages::staff_page_error,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let action = ServerAction::<SaveOrganizationSettings>::new();
    let settings = Resource::new(move || action.version().get(), |_| organization_settings());
    view! {
        <Title text="Settings · Admin Portal · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(view) => view! { <SettingsBody view action/> }.into_any(),
                    Err(e) => staff_page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsBody(
    view: SettingsView,
    action: ServerAction<SaveOrganizationSettings>,
) -> impl IntoView {
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    let policy = view.policy;
    // The preview follows the form as it is edited.
    let min_length = RwSignal::new(policy.min_length.to_string());
    let digit = RwSignal::new(policy.require_digit);
    let upper = RwSignal::new(policy.require_upper);
    let special = RwSignal::new(policy.require_special);
    let preview = move || PasswordPolicy {
        min_length: min_length
            .get()
            .trim()
            .parse()
            .unwrap_or(policy.min_length)
            .clamp(8, 128),
        require_digit: digit.get(),
        require_upper: upper.get(),
        require_special: special.get(),
    };
    let sample = RwSignal::new(String::new());
    let check = |label: &'static str, name: &'static str, signal: RwSignal<bool>| {
        view! {
            <label class="check" for=format!("settings-{name}")>
                <input type="checkbox" id=format!("settings-{name}") name=name value="on"
                    prop:checked=move || signal.get()
                    on:change=move |ev| signal.set(event_target_checked(&ev))/>
                {label}
            </label>
        }
    };
    view! {
        <TopBar portal="Admin Portal" organization=view.frame.organization_name.clone() user=view.frame.display_name.clone()/>
        <main class="page narrow">
            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › Settings"</p>
            <h1>"Settings"</h1>
            <p class="lead">"How the people of "{view.frame.organization_name.clone()}" sign in."</p>
            <section class="card" aria-labelledby="settings-policy-title">
                <h2 id="settings-policy-title">"Password policy"</h2>
                <ActionForm action=action attr:class="form" attr:aria-label="Organization settings">
                    <FormAlert error/>
                    {move || saved().then(|| view! {
                        <div class="notice" role="status">"Settings saved. A new password policy applies the next time someone chooses a password; current passwords keep working."</div>
                    })}
                    <Field label="Minimum length (8 to 128 characters)" name="min_length" kind="number"
                        value=min_length error on_input=Callback::new(move |v| min_length.set(v))
                        id_prefix="settings-"/>
                    <fieldset class="delivery">
                        <legend>"Also require"</legend>
                        {check("A numeral (0-9)", "require_digit", digit)}
                        {check("A capital letter", "require_upper", upper)}
                        {check("A special character, such as ! or #", "require_special", special)}
                    </fieldset>
                    <p class="hint">"Always: not one of the commonest passwords, and not containing the person's username."</p>
                    <div class="policy-preview">
                        <h3>"What people see when they choose a password"</h3>
                        <div class="field">
                            <label for="settings-sample">"Try a password"</label>
                            <input id="settings-sample" type="text" autocomplete="off" spellcheck="false"
                                aria-describedby="settings-preview-rules"
                                prop:value=move || sample.get()
                                on:input=move |ev| sample.set(event_target_value(&ev))/>
                        </div>
                        {move || view! { <PasswordRules policy=preview() password=sample username="" id="settings-preview-rules"/> }}
                    </div>
                    <Field label="A Staff Master hire date may be up to this many days ahead" name="hire_date_days_ahead" kind="number"
                        value=view.hire_date_days_ahead.to_string() error id_prefix="settings-"/>
                    <SubmitButton pending=action.pending() label="Save settings" busy_label="Saving…"/>
                </ActionForm>
            </section>
            <section class="card" aria-labelledby="settings-platform-title">
                <h2 id="settings-platform-title">"Set by the platform operator"</h2>
                <dl class="facts">
                    <dt>"Organization short name"</dt><dd><code>{view.organization_slug.clone()}</code></dd>
                    <dt>"Agency prefix"</dt><dd><strong class="username">{view.agency_prefix.clone()}</strong>" (every generated username starts with it)"</dd>
                    <dt>"User Administrators"</dt><dd>{format!("{} of at most {}", view.user_administrators, view.max_user_administrators)}</dd>
                </dl>
            </section>
        </main>
    }
}
