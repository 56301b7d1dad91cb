//! The landing pages' data: what the signed-in user sees first.

use crate::{
    api::dto::{ClientHomeView, FrameView, PortalView, StaffHomeView},
    domain::{OrgSlug, StaffRole, UserKind},
    server::{
        auth::Actor,
        entities::{client_account, organization, user},
        error::ServiceError,
        services::organizations,
    },
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// The actor's organization and user row.
async fn org_and_me<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> Result<(organization::Model, user::Model), ServiceError> {
    let org = organization::Entity::find_by_id(actor.organization_id)
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    let me = user::Entity::find_by_id(actor.user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    Ok((org, me))
}

/// What the top bar of an Admin Portal page shows: two lookups by key, no
/// counting (the landing page's figures are for the landing page only).
pub async fn frame<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<FrameView, ServiceError> {
    Ok(frame_and_org(db, actor).await?.0)
}

/// The top bar and the organization row it was read from, for pages that
/// need the organization too (its slug, its password policy).
pub async fn frame_and_org<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
) -> Result<(FrameView, organization::Model), ServiceError> {
    let (org, me) = org_and_me(db, actor).await?;
    let frame = FrameView {
        organization_name: org.name.clone(),
        display_name: me.display_name(),
        emulation: crate::server::services::emulation::banner(actor),
    };
    Ok((frame, org))
}

/// The Admin Portal landing page for a staff actor.
pub async fn staff_home<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    dev_mailbox: bool,
) -> Result<StaffHomeView, ServiceError> {
    let role = actor.require_staff()?;
    let (org, me) = org_and_me(db, actor).await?;
    let count_users = |kind: UserKind| {
        user::Entity::find()
            .filter(user::Column::OrganizationId.eq(actor.organization_id))
            .filter(user::Column::Kind.eq(kind.as_str()))
            .count(db)
    };
    Ok(StaffHomeView {
        organization_name: org.name,
        organization_slug: org.slug,
        agency_prefix: org.agency_prefix,
        display_name: me.display_name(),
        username: me.username,
        role: role.label().to_string(),
        signed_in_at: me.last_login_at.map(|t| t.to_rfc3339()),
        client_accounts: client_account::Entity::find()
            .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
            .count(db)
            .await?,
        staff_logins: count_users(UserKind::Staff).await?,
        client_logins: count_users(UserKind::Client).await?,
        can_read_audit: role == StaffRole::UserAdministrator,
        can_import: crate::server::auth::actor::manages_accounts(role),
        dev_mailbox: dev_mailbox && role == StaffRole::UserAdministrator,
    })
}

/// The Client Portal landing page of organization `slug` for a client actor.
/// A session of another organization's portal (or a staff session) is
/// treated as no session here: the visitor must sign in to this portal.
pub async fn client_home<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
) -> Result<ClientHomeView, ServiceError> {
    let (role, account_id) = actor
        .require_client()
        .map_err(|_| ServiceError::SignInRequired)?;
    let org = organization::Entity::find_by_id(actor.organization_id)
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    if org.slug != slug.trim().to_ascii_lowercase() {
        return Err(ServiceError::SignInRequired);
    }
    let account = client_account::Entity::find_by_id(account_id)
        .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    // The account may be one the user has Company Access to rather than
    // their own (the actor was built from the checked link).
    let me = user::Entity::find_by_id(actor.user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    Ok(ClientHomeView {
        organization_name: org.name,
        organization_slug: org.slug,
        account_name: account.name,
        identifier: account.identifier,
        display_name: me.display_name(),
        username: me.username,
        role: role.label().to_string(),
        manages_office_staff: role == crate::domain::ClientRole::AccountManager,
        emulation: crate::server::services::emulation::banner(actor),
        switcher: crate::server::services::company_access::switcher(db, actor).await?,
        insured: role == crate::domain::ClientRole::Insured,
    })
}

/// The public name of a Client Portal, or `NotFound` for an unknown address.
pub async fn portal_info<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<PortalView, ServiceError> {
    let slug = OrgSlug::parse(slug).map_err(|_| ServiceError::NotFound)?;
    let org = organizations::find_by_slug(db, &slug)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(PortalView {
        organization_name: org.name,
        organization_slug: org.slug,
    })
}
