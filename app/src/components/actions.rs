//! Reacting to a server action's outcome: reloading a list, closing the
//! `<details>` its form sits in.

use crate::error::AppError;
use leptos::prelude::*;

/// Closes a `<details>` (its `open` signal) each time `action` succeeds.
pub fn close_on_success<A, T>(action: ServerAction<A>, open: RwSignal<bool>)
where
    A: leptos::server_fn::ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    ServerAction<A>: Copy,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            open.set(false);
        }
    });
}

/// Calls `refresh` each time `action` succeeds.
pub fn refresh_on_success<A, T>(action: ServerAction<A>, refresh: Callback<()>)
where
    A: leptos::server_fn::ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    ServerAction<A>: Copy,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            refresh.run(());
        }
    });
}

/// Keeps `open` in step with a `<details>` element the user opens or closes.
pub fn on_toggle(open: RwSignal<bool>) -> impl Fn(leptos::ev::Event) + 'static {
    move |ev| {
        #[cfg(feature = "hydrate")]
        {
            let details = event_target::<web_sys::HtmlDetailsElement>(&ev);
            open.set(details.open());
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (ev, open);
        }
    }
}
