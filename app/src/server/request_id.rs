//! The request id: minted once per request by the server's outermost
//! middleware, sent back in `X-Request-Id`, attached to every log line the
//! request writes (a tracing span field), and used as the reference an
//! internal-error page shows. So the reference a user quotes finds the
//! whole request in the log, not just its last line.

use std::future::Future;

/// One request's id: 12 lowercase hex digits, random (never taken from the
/// client, whose value could collide with another request's on purpose).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// A fresh random id.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string()[..12].to_string())
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

tokio::task_local! {
    static CURRENT: RequestId;
}

/// Runs `fut` as the request `id`: [`current`] returns it inside.
pub async fn scope<F: Future>(id: RequestId, fut: F) -> F::Output {
    CURRENT.scope(id, fut).await
}

/// The id of the request being served, when there is one: from the task
/// the middleware wrapped, or, for work Leptos moved to another task while
/// rendering a page, from the request head it provides as context.
pub fn current() -> Option<RequestId> {
    if let Ok(id) = CURRENT.try_with(Clone::clone) {
        return Some(id);
    }
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestId>().cloned())
}
