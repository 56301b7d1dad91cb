//! Downloads of lists as CSV: plain axum handlers, because a spreadsheet
//! wants a file, not a server function's answer.
//!
//! * `GET /admin/insureds.csv?<the Insureds page's query>`: the whole
//!   filtered list (see `services::insureds::export_csv`).

use crate::{
    domain::InsuredsQuery,
    error::AppError,
    server::{
        request::{status_of, RequestContext},
        services::insureds,
        state::AppState,
    },
};
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

/// `GET /admin/insureds.csv`.
pub async fn insureds_csv(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    // A list of clients' emails is built for a click on this site only,
    // not for a page elsewhere that links here.
    if parts
        .headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        let e = AppError::Forbidden;
        return (status_of(&e), e.to_string()).into_response();
    }
    let query_string = parts.uri.query().unwrap_or("").to_string();
    let ctx = RequestContext::new(state.clone(), parts);
    let made: Result<String, AppError> = async {
        let actor = ctx.actor().await?;
        let query = InsuredsQuery::from_params(|k| crate::percent::query_value(&query_string, k));
        insureds::export_csv(&state.db, &actor, &query, ctx.now())
            .await
            .map_err(|e| ctx.fail(e.into()))
    }
    .await;
    match made {
        Ok(csv) => {
            let mut res = csv.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"insureds.csv\""),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => (status_of(&e), e.to_string()).into_response(),
    }
}
