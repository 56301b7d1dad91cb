//! The insured's portal (`/portal/{org}/insured`, signed in as an insured): their
//! policies (renewals, expiring and expired ones marked), their eDocs
//! (newest first, by policy when asked) and their account. Only the
//! insured whose login the session is: never another insured of the same
//! account or organization.

use crate::{
    api::dto::{InsuredHomeView, InsuredPolicyView},
    domain::ClientRole,
    server::{
        auth::Actor,
        entities::{client_account, organization, policy, user},
        error::ServiceError,
        services::{edocs, insureds},
        state::FileSettings,
    },
};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// The portal page of the signed-in insured in the portal of `slug`. A
/// session of another organization's portal is no session here
/// (`SignInRequired`); someone of this portal who is not an insured is
/// `Forbidden`, and the page sends them to their own home.
pub async fn home<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    slug: &str,
    policy_filter: Option<i32>,
    today: NaiveDate,
    files: &FileSettings,
) -> Result<InsuredHomeView, ServiceError> {
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
    // Signed in here, but not as an insured: the page sends them to their
    // own home.
    if role != ClientRole::Insured {
        return Err(ServiceError::Forbidden);
    }
    let me = user::Entity::find_by_id(actor.user_id)
        .filter(user::Column::OrganizationId.eq(org.id))
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    let own = edocs::own_insured(db, actor)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let account = client_account::Entity::find_by_id(account_id)
        .filter(client_account::Column::OrganizationId.eq(org.id))
        .one(db)
        .await?
        .ok_or(ServiceError::SignInRequired)?;
    let rows = policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org.id))
        .filter(policy::Column::InsuredId.eq(own.id))
        .order_by_desc(policy::Column::ExpiryDate)
        .order_by_asc(policy::Column::Id)
        .all(db)
        .await?;
    let mut policies: Vec<InsuredPolicyView> = rows
        .iter()
        .map(|p| {
            let chip = insureds::chip(p, today);
            let in_force = chip.state == "active";
            InsuredPolicyView {
                renewed: p.first_effective_date.is_some_and(|f| p.effective_date > f),
                expiring_soon: in_force
                    && (p.expiry_date - today).num_days() <= InsuredPolicyView::EXPIRING_DAYS,
                policy: chip,
            }
        })
        .collect();
    // In force first; within each group the latest expiry first.
    policies.sort_by_key(|p| p.policy.state != "active");
    // A filter naming someone else's policy shows none of their documents:
    // the list only ever holds this insured's.
    let documents = edocs::list(db, actor, Some(own.id), policy_filter, files).await?;
    Ok(InsuredHomeView {
        organization_name: org.name,
        organization_slug: org.slug,
        insured_name: own.full_name,
        display_name: me.display_name(),
        email: me.username,
        identifier: account.identifier,
        policies,
        documents,
        policy_filter,
    })
}
