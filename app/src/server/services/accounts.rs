//! Client accounts and their identifiers.

use crate::{
    domain::Identifier,
    server::{
        entities::{client_account, organization},
        error::ServiceError,
        services::{audit, is_unique_violation},
    },
};
use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

/// A client account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The client's name, e.g. "Lakeside Towers".
    pub name: String,
    /// Main phone number as typed, if any.
    pub main_phone: Option<String>,
}

/// Creates a client account in `org`. Its identifier is the main phone's
/// digits when no other account of the organization has them, otherwise a
/// random 8-digit number that is free.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    org: &organization::Model,
    input: &NewAccount,
    created_by: Option<i32>,
    now: DateTime<Utc>,
) -> Result<client_account::Model, ServiceError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(crate::domain::ParseError {
            field: "name",
            message: "An account's name is 1 to 200 characters.".into(),
        }
        .into());
    }
    let phone = input
        .main_phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let identifier = default_identifier(db, org.id, phone).await?;
    let account = client_account::ActiveModel {
        organization_id: Set(org.id),
        name: Set(name.to_string()),
        main_phone: Set(phone.map(str::to_string)),
        identifier: Set(identifier.as_str().to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            ServiceError::Conflict("Another account already has that identifier.".into())
        } else {
            e.into()
        }
    })?;
    audit::record(
        db,
        audit::NewEvent {
            organization_id: org.id,
            actor_user_id: created_by,
            on_behalf_of_user_id: None,
            action: audit::action::ACCOUNT_CREATED,
            target_user_id: None,
            details: format!(
                "client account {} created with identifier {}",
                account.name, account.identifier
            ),
        },
        now,
    )
    .await?;
    Ok(account)
}

/// The identifier a new account gets (see [`create`]).
pub async fn default_identifier<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    main_phone: Option<&str>,
) -> Result<Identifier, ServiceError> {
    if let Some(id) = main_phone.and_then(Identifier::from_phone) {
        if !identifier_taken(db, organization_id, &id).await? {
            return Ok(id);
        }
    }
    loop {
        let n: u32 = rand::thread_rng().gen_range(10_000_000..100_000_000);
        let id = Identifier::parse(&n.to_string())?;
        if !identifier_taken(db, organization_id, &id).await? {
            return Ok(id);
        }
    }
}

async fn identifier_taken<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    identifier: &Identifier,
) -> Result<bool, ServiceError> {
    Ok(client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(organization_id))
        .filter(client_account::Column::Identifier.eq(identifier.as_str()))
        .count(db)
        .await?
        > 0)
}

/// The account of `organization_id` with this identifier, if any.
pub async fn find_by_identifier<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    identifier: &Identifier,
) -> Result<Option<client_account::Model>, ServiceError> {
    Ok(client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(organization_id))
        .filter(client_account::Column::Identifier.eq(identifier.as_str()))
        .one(db)
        .await?)
}
