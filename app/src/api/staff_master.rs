//! The Staff Master: its list and saving records (User Administrators;
//! each checked again in the service).

use crate::{
    api::dto::{StaffMasterView, StaffSaveView},
    domain::staff_master::StaffRecordInput,
    error::AppError,
};
use leptos::prelude::*;
use server_fn::codec::Json;

/// A page of the Staff Master. `address` is the page's query string
/// (`q`, `sort`, `dir`, `page`, and `new=1,2,3`: logins just created, to
/// prefill rows for).
#[server(endpoint = "staff_master")]
pub async fn staff_master(address: String) -> Result<StaffMasterView, AppError> {
    use crate::{
        domain::staff_master::StaffQuery,
        percent::query_value,
        server::{request::RequestContext, services::staff_master},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let query = StaffQuery::from_params(|key| query_value(&address, key));
    let prefill: Vec<i32> = query_value(&address, "new")
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .take(crate::domain::new_users::MAX_ROWS)
        .collect();
    ctx.finish(staff_master::list(&ctx.state.db, &actor, &query, &prefill).await)
}

/// Adds and changes records, all or none.
#[server(endpoint = "save_staff_records", input = Json)]
pub async fn save_staff_records(rows: Vec<StaffRecordInput>) -> Result<StaffSaveView, AppError> {
    use crate::{
        api::dto::StaffRowProblem,
        server::{request::RequestContext, services::staff_master},
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let now = ctx.now();
    let today = now.format("%Y-%m-%d").to_string();
    let saved = ctx.finish(staff_master::save(&ctx.state.db, &actor, rows, &today, now).await)?;
    Ok(match saved {
        staff_master::Saved::Records(saved) => StaffSaveView {
            saved,
            problems: Vec::new(),
        },
        staff_master::Saved::Refused(problems) => StaffSaveView {
            saved: Vec::new(),
            problems: problems
                .into_iter()
                .map(|p| StaffRowProblem {
                    row: p.row,
                    field: p.field.to_string(),
                    message: p.message,
                })
                .collect(),
        },
    })
}
