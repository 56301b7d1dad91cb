//! The password rules under a new-password field, ticked off as the user
//! types. The check is the same code the server decides with
//! (`domain::PasswordPolicy`), so the list never promises what the server
//! then refuses.

use crate::domain::PasswordPolicy;
use leptos::prelude::*;

/// The policy's rules, each marked met or not for the current `password`.
#[component]
pub fn PasswordRules(
    /// The organization's policy.
    policy: PasswordPolicy,
    /// The password as typed so far.
    #[prop(into)]
    password: Signal<String>,
    /// The user's username (a password may not contain it).
    #[prop(into)]
    username: Signal<String>,
    /// The list's id, for the input's `aria-describedby`.
    #[prop(default = "password-rules")]
    id: &'static str,
) -> impl IntoView {
    let checks = move || policy.checks(&password.get(), &username.get());
    view! {
        <ul class="password-rules" id=id aria-label="Password rules">
            {move || {
                checks()
                    .into_iter()
                    .map(|c| {
                        let met = c.met;
                        view! {
                            <li class:met=met>
                                <span class="rule-mark" aria-hidden="true">{if met { "✓" } else { "○" }}</span>
                                {c.label}
                                <span class="sr-only">{if met { " (met)" } else { " (not met yet)" }}</span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// A confirmation shown after a form did its work (e.g. "check your email"),
/// or, with `warning`, something the user must do first.
#[component]
pub fn Notice(
    /// Shown as a warning rather than a confirmation.
    #[prop(optional)]
    warning: bool,
    /// The notice's text.
    children: Children,
) -> impl IntoView {
    view! { <div class="notice" class:warning=warning role="status">{children()}</div> }
}
