//! Create Users: the page's facts, the live check of the grid and the
//! batch creation, whose progress streams back line by line (see
//! [`CreateUsersEvent`]). Each service checks the session, the role (User
//! Administrators) and the organization again.

use crate::{
    api::dto::CreateUsersView,
    domain::new_users::{BatchRow, RowCheck},
    error::AppError,
};
use leptos::prelude::*;
use server_fn::codec::{Json, StreamingText, TextStream};

/// The agency prefix, the password policy and the places left for User
/// Administrators.
#[server(endpoint = "create_users_setup")]
pub async fn create_users_setup() -> Result<CreateUsersView, AppError> {
    use crate::server::{request::RequestContext, services::new_users};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let setup = ctx.finish(new_users::setup(&ctx.state.db, &actor).await)?;
    Ok(CreateUsersView {
        frame: setup.frame,
        agency_prefix: setup.organization.agency_prefix.clone(),
        policy: setup.organization.password_policy(),
        administrator_places: setup.administrator_places,
        max_administrators: setup.organization.max_user_administrators,
        max_rows: crate::domain::new_users::MAX_ROWS,
        dev_mailbox: ctx.state.mail.dev_mailbox,
    })
}

/// Every non-blank row's verdict (Pass, or Fail with the reason and a
/// suggestion).
#[server(endpoint = "check_new_users", input = Json)]
pub async fn check_new_users(rows: Vec<BatchRow>) -> Result<Vec<RowCheck>, AppError> {
    use crate::server::{request::RequestContext, services::new_users};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(new_users::check(&ctx.state.db, &actor, rows).await)
}

/// Creates the batch, all or nothing, streaming its progress and then the
/// outcome, one [`CreateUsersEvent`] per line. Closing the connection
/// before the end creates nothing.
#[server(endpoint = "create_new_users", input = Json, output = StreamingText)]
pub async fn create_new_users(
    role: String,
    password: String,
    welcome_links: bool,
    rows: Vec<BatchRow>,
) -> Result<TextStream<AppError>, AppError> {
    use crate::{
        api::dto::{CreateUsersEvent, CreatedLoginView},
        domain::{ParseError, StaffRole},
        server::{
            error::ServiceError,
            request::RequestContext,
            services::new_users::{self, Batch, Outcome, Progress},
        },
    };
    use futures::{channel::mpsc, StreamExt};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let role = ctx.finish(StaffRole::from_db(&role).ok_or_else(|| {
        ParseError {
            field: "role",
            message: "Choose one of the staff roles.".into(),
        }
        .into()
    }))?;
    let (lines, stream) = mpsc::unbounded::<String>();
    let state = ctx.state.clone();
    let now = ctx.now();
    let batch = Batch {
        role,
        password,
        welcome_links,
        rows,
    };
    // Refusals that need no hashing answer with their status, not a stream.
    ctx.finish(new_users::refuse_early(&ctx.state.db, &actor, &batch).await)?;
    // The batch runs on its own task and reports through the channel; when
    // the browser goes away, the next report fails and the batch stops,
    // creating nothing.
    let request_id = crate::server::request_id::current()
        .unwrap_or_else(crate::server::request_id::RequestId::generate);
    let run = async move {
        let progress = |p: Progress| {
            let event = match p {
                Progress::Hashing { done, total } => CreateUsersEvent::Hashing { done, total },
                Progress::Creating { done, total } => CreateUsersEvent::Creating { done, total },
            };
            lines
                .unbounded_send(event.to_line())
                .map_err(|_| ServiceError::Internal("the administrator went away".into()))
        };
        let result = new_users::create(
            &state.db,
            &state.passwords,
            &state.mail,
            &actor,
            batch,
            now,
            progress,
        )
        .await;
        let last = match result {
            Ok(Outcome::Created(created)) => CreateUsersEvent::Created(
                created
                    .into_iter()
                    .map(|c| CreatedLoginView {
                        key: c.key,
                        user_id: c.user_id,
                        username: c.username,
                        welcome_link: c.welcome_link,
                    })
                    .collect(),
            ),
            Ok(Outcome::Refused(checks)) => CreateUsersEvent::Refused(checks),
            Err(e) => CreateUsersEvent::Failed(e.into()),
        };
        let _ = lines.unbounded_send(last.to_line());
    };
    // Under the request's id, so that its log lines (and an internal
    // error's reference) find the request.
    tokio::spawn(crate::server::request_id::scope(request_id, run));
    Ok(TextStream::new(stream.map(Ok)))
}
