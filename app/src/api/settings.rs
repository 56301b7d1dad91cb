//! The organization's settings (User Administrators; checked again in the
//! service).

use crate::{api::dto::SettingsView, error::AppError};
use leptos::prelude::*;

/// The settings page's facts.
#[server(endpoint = "organization_settings")]
pub async fn organization_settings() -> Result<SettingsView, AppError> {
    use crate::server::{request::RequestContext, services::settings};
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    ctx.finish(settings::view(&ctx.state.db, &actor).await)
}

/// Saves the password policy and the hire-date window. Checkboxes arrive
/// only when ticked.
#[server(endpoint = "save_organization_settings")]
pub async fn save_organization_settings(
    min_length: String,
    require_digit: Option<String>,
    require_upper: Option<String>,
    require_special: Option<String>,
    hire_date_days_ahead: String,
) -> Result<(), AppError> {
    use crate::{
        domain::{ParseError, PasswordPolicy},
        server::{
            request::RequestContext,
            services::settings::{self, NewSettings},
        },
    };
    let ctx = RequestContext::current()?;
    let actor = ctx.signed_in().await?;
    let policy = ctx.finish(
        PasswordPolicy::from_settings(
            &min_length,
            require_digit.is_some(),
            require_upper.is_some(),
            require_special.is_some(),
        )
        .map_err(Into::into),
    )?;
    let days = ctx.finish(hire_date_days_ahead.trim().parse::<i32>().map_err(|_| {
        ParseError {
            field: "hire_date_days_ahead",
            message: format!(
                "Enter a number of days from 0 to {}.",
                settings::MAX_DAYS_AHEAD
            ),
        }
        .into()
    }))?;
    ctx.finish(
        settings::save(
            &ctx.state.db,
            &actor,
            NewSettings {
                policy,
                hire_date_days_ahead: days,
            },
            ctx.now(),
        )
        .await,
    )
}
