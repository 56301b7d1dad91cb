//! A labelled form field whose error is shown next to it and announced to
//! screen readers, and the alert for a form's own error.

use crate::error::AppError;
use leptos::prelude::*;

/// A labelled input. `error` is the latest result of the form's action; the
/// field shows the message meant for it (by `name`).
#[component]
pub fn Field(
    /// Visible label.
    label: &'static str,
    /// The input's `name` (the server function's argument) and `id`.
    name: &'static str,
    /// Input type.
    #[prop(default = "text")]
    kind: &'static str,
    /// `autocomplete` hint for password managers.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Initial value (server-rendered).
    #[prop(optional, into)]
    value: Signal<String>,
    /// The form's latest error, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// Focus this field on load.
    #[prop(optional)]
    autofocus: bool,
    /// Called with the new value as the user types.
    #[prop(optional)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field_message(name));
    let error_id = format!("{name}-error");
    let described = error_id.clone();
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                required=true
                autofocus=autofocus
                prop:value=move || value.get()
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=move || message().map(|_| described.clone())
                on:input=move |ev| {
                    if let Some(cb) = on_input {
                        cb.run(event_target_value(&ev));
                    }
                }
            />
            <p class="field-error" id=error_id role="alert" aria-live="polite">
                {message}
            </p>
        </div>
    }
}

/// The form-level error (anything not tied to one field), announced.
#[component]
pub fn FormAlert(
    /// The form's latest error, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.form_message());
    view! {
        <div class="form-alert" class:shown=move || message().is_some() role="alert" aria-live="assertive">
            {message}
        </div>
    }
}

/// A form's submit button; disabled, with a busy label, while the action runs.
#[component]
pub fn SubmitButton(
    /// Whether the form's action is running.
    #[prop(into)]
    pending: Signal<bool>,
    /// The label when idle, e.g. "Sign in".
    label: &'static str,
    /// The label while running, e.g. "Signing in…".
    busy_label: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class="button primary" disabled=move || pending.get()>
            {move || if pending.get() { busy_label } else { label }}
        </button>
    }
}
