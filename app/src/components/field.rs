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
    /// Whether the field must be filled in.
    #[prop(default = true)]
    required: bool,
    /// Prefix of the element ids, for pages with several forms that share
    /// field names.
    #[prop(optional, into)]
    id_prefix: String,
    /// A hint shown under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field_message(name));
    let id = format!("{id_prefix}{name}");
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
            <input
                id=id.clone()
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
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

/// A labelled multi-line text field, with its error shown next to it.
#[component]
pub fn TextArea(
    /// Visible label.
    label: &'static str,
    /// The field's `name`.
    name: &'static str,
    /// Initial text.
    #[prop(optional, into)]
    value: String,
    /// The form's latest error, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// Whether the field must be filled in.
    #[prop(optional)]
    required: bool,
    /// Visible lines.
    #[prop(default = 4)]
    rows: u32,
    /// Prefix of the element ids.
    #[prop(optional, into)]
    id_prefix: String,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field_message(name));
    let id = format!("{id_prefix}{name}");
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    // The text is the element's content when rendered on the server, and its
    // value once hydrated (so a re-render resets what was typed).
    let initial = value.clone();
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id.clone()
                name=name
                rows=rows
                prop:value=initial
                required=required
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=move || message().map(|_| described.clone())
            >{value}</textarea>
            <p class="field-error" id=error_id role="alert" aria-live="polite">{message}</p>
        </div>
    }
}

/// A labelled checkbox (sends `on` when ticked).
#[component]
pub fn CheckBox(
    /// Visible label.
    label: &'static str,
    /// The field's `name`.
    name: &'static str,
    /// Ticked at first.
    #[prop(optional)]
    checked: bool,
    /// Greyed out (a right the user may not grant).
    #[prop(optional)]
    disabled: bool,
    /// Prefix of the element id.
    #[prop(optional, into)]
    id_prefix: String,
) -> impl IntoView {
    let id = format!("{id_prefix}{name}");
    let for_id = id.clone();
    view! {
        <label class="check" for=for_id>
            <input type="checkbox" id=id name=name checked=checked disabled=disabled/>
            {label}
        </label>
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

/// A labelled choice from a list (`(value, label)` pairs), with its error
/// shown next to it. The first option is `placeholder` with an empty value
/// when one is given.
#[component]
pub fn SelectField(
    /// Visible label.
    label: &'static str,
    /// The select's `name`.
    name: &'static str,
    /// The choices: value sent, label shown.
    options: Vec<(String, String)>,
    /// An empty first choice ("Choose…", "All policies").
    #[prop(optional)]
    placeholder: Option<&'static str>,
    /// The form's latest error, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// Whether a choice must be made.
    #[prop(default = true)]
    required: bool,
    /// Prefix of the element ids.
    #[prop(optional, into)]
    id_prefix: String,
    /// Called with the chosen value.
    #[prop(optional)]
    on_change: Option<Callback<String>>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field_message(name));
    let id = format!("{id_prefix}{name}");
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <select
                id=id.clone()
                name=name
                required=required
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=move || message().map(|_| described.clone())
                on:change=move |ev| {
                    if let Some(cb) = on_change {
                        cb.run(event_target_value(&ev));
                    }
                }
            >
                {placeholder.map(|p| view! { <option value="">{p}</option> })}
                {options.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
            </select>
            <p class="field-error" id=error_id role="alert" aria-live="polite">
                {message}
            </p>
        </div>
    }
}
