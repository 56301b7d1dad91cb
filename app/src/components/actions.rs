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
