//! What a server function knows about its request: the shared state, the
//! request head (for the session cookie), and where response headers go.
//! Server functions use this to build the `Actor`, then call a service.

use crate::server::error::internal;
use crate::{
    error::AppError,
    server::{
        auth::{session, Actor},
        entities::{session as session_entity, user},
        state::AppState,
    },
};
use axum::http::{header, request::Parts, HeaderValue};
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

/// The request as a server function sees it.
pub struct RequestContext {
    /// Shared state (database, hasher, settings).
    pub state: AppState,
    parts: Parts,
}

impl RequestContext {
    /// The context of the server function being run.
    pub fn current() -> Result<Self, AppError> {
        let state =
            use_context::<AppState>().ok_or_else(|| internal(&MissingContext("AppState")))?;
        let parts =
            use_context::<Parts>().ok_or_else(|| internal(&MissingContext("request parts")))?;
        Ok(Self { state, parts })
    }

    /// The context of a plain axum handler (uploads and downloads).
    pub fn new(state: AppState, parts: Parts) -> Self {
        Self { state, parts }
    }

    /// The session token in the request's cookie, if any.
    pub fn session_token(&self) -> Option<String> {
        session::token_from_headers(&self.parts.headers, &self.state.sessions)
    }

    /// The time to decide by (the state's clock).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock.now()
    }

    /// The live session and its user, recording the use for the idle
    /// timeout; `SignInRequired` without one.
    async fn live_session(&self) -> Result<(String, session_entity::Model, user::Model), AppError> {
        let token = self.session_token().ok_or(AppError::SignInRequired)?;
        let now = self.now();
        let found = session::find_live(&self.state.db, &token, &self.state.sessions, now).await?;
        let (s, user) = found.ok_or(AppError::SignInRequired)?;
        session::touch(&self.state.db, &s, now).await?;
        Ok((token, s, user))
    }

    /// The signed-in actor. `SignInRequired` without a live session, and
    /// `PasswordChangeRequired` while the user must still replace an initial
    /// password: every server function but the password change goes through
    /// here, so that gate cannot be forgotten. A session that emulates an
    /// Account Manager yields that Account Manager, with the emulation.
    pub async fn actor(&self) -> Result<Actor, AppError> {
        let (token, s, user) = self.live_session().await?;
        if user.must_change_password {
            return Err(AppError::PasswordChangeRequired);
        }
        match (s.emulated_user_id, s.current_account_id) {
            (Some(emulated), _) => self.emulating(&user, emulated).await,
            // A Claims Rep (Manager) working in a linked account: checked
            // against the links on every request; a link removed meanwhile
            // puts them back in their own account.
            (None, Some(account)) => {
                use crate::server::services::company_access;
                match company_access::actor_in(&self.state.db, &user, account).await? {
                    Some(actor) => Ok(actor),
                    None => {
                        company_access::reset_session(&self.state.db, &token).await?;
                        Ok(Actor::from_user(&user)?)
                    }
                }
            }
            (None, None) => Ok(Actor::from_user(&user)?),
        }
    }

    /// The actor of `staff`'s session that emulates `emulated`. An emulation
    /// that no longer holds (the staff user lost the role, the Account
    /// Manager was switched off) ends the session rather than quietly
    /// turning into something else.
    async fn emulating(&self, staff: &user::Model, emulated: i32) -> Result<Actor, AppError> {
        match crate::server::services::emulation::actor_for(&self.state.db, staff, emulated).await?
        {
            Some(actor) => Ok(actor),
            None => {
                session::end(&self.state.db, &self.session_token().unwrap_or_default()).await?;
                Err(AppError::SignInRequired)
            }
        }
    }

    /// The actor, with the session token (for rotating the session at the
    /// start and end of an emulation).
    pub async fn actor_and_token(&self) -> Result<(Actor, String), AppError> {
        let actor = self.actor().await?;
        let token = self.session_token().ok_or(AppError::SignInRequired)?;
        Ok((actor, token))
    }

    /// The signed-in actor and session token even when a password change is
    /// pending: only for changing the password itself. Refused while
    /// emulating: nobody changes an Account Manager's password for them.
    pub async fn actor_changing_password(&self) -> Result<(Actor, String, bool), AppError> {
        let (token, s, user) = self.live_session().await?;
        if let Some(emulated) = s.emulated_user_id {
            if let Some(e) = self.emulating(&user, emulated).await?.emulation {
                return Err(AppError::Emulating {
                    account_manager: e.account_manager_name,
                    account: e.account_name,
                });
            }
        }
        let must = user.must_change_password;
        Ok((Actor::from_user(&user)?, token, must))
    }

    /// Gives an error answer the HTTP status that fits it (see
    /// [`set_error_status`]) and returns it.
    pub fn fail(&self, error: AppError) -> AppError {
        set_error_status(&error);
        error
    }

    /// The signed-in actor, its refusal given the fitting status (what most
    /// server functions start with).
    pub async fn signed_in(&self) -> Result<Actor, AppError> {
        self.actor().await.map_err(|e| self.fail(e))
    }

    /// A service's result as the browser gets it (see [`Self::fail`]).
    pub fn finish<T>(
        &self,
        result: Result<T, crate::server::error::ServiceError>,
    ) -> Result<T, AppError> {
        result.map_err(|e| self.fail(e.into()))
    }

    /// Sets the cookie of a newly opened session.
    pub fn set_session_cookie(&self, token: &str) {
        self.set_cookie(&session::set_cookie(token, &self.state.sessions));
    }

    /// Removes the session cookie.
    pub fn clear_session_cookie(&self) {
        self.set_cookie(&session::clear_cookie(&self.state.sessions));
    }

    /// Adds a `Set-Cookie` header to the response.
    fn set_cookie(&self, value: &str) {
        let options = expect_context::<ResponseOptions>();
        match HeaderValue::from_str(value) {
            Ok(v) => options.append_header(header::SET_COOKIE, v),
            Err(e) => {
                let _ = internal(&e);
            }
        }
    }
}

/// Gives the answer of the server function being run the HTTP status that
/// fits `error` (the table in [`crate::error`]), for callers that read
/// statuses. Plain HTML form posts keep the framework's redirect back to the
/// form (with the error in the URL), so they are left alone; so is anything
/// run outside a request (a page rendered on the server calls its server
/// functions directly).
pub fn set_error_status(error: &AppError) {
    let parts = use_context::<Parts>();
    let html = parts.as_ref().is_some_and(|p| accepts_html(&p.headers));
    // A page load that could not be rendered for an internal or storage
    // failure says so in its status too (monitoring counts 5xx), while the
    // page shows the message; other refusals of a page redirect or show a
    // message with 200, and form posts are redirected back to the form.
    let failed_page = parts
        .as_ref()
        .is_some_and(|p| p.method == axum::http::Method::GET)
        && status_of(error).is_server_error();
    if !html || failed_page {
        if let Some(options) = use_context::<ResponseOptions>() {
            options.set_status(status_of(error));
        }
    }
}

/// Whether a request is a plain HTML form post (or page load): its
/// `Accept` names `text/html`.
pub fn accepts_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The HTTP status that fits an error, for callers that read statuses
/// (server functions through [`RequestContext::fail`], and the file routes).
pub fn status_of(error: &AppError) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    match error {
        AppError::Malformed(_) => StatusCode::BAD_REQUEST,
        AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::SignInFailed(_) | AppError::SignInRequired => StatusCode::UNAUTHORIZED,
        AppError::Forbidden | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Conflict(_) | AppError::Emulating { .. } => StatusCode::CONFLICT,
        AppError::Unreachable | AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// A server function ran without the context the router provides: a wiring
/// bug, reported as an internal error.
#[derive(Debug, thiserror::Error)]
#[error("{0} missing from the server function's context")]
struct MissingContext(&'static str);
