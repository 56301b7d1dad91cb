//! Registering insureds for their portal, as a broker does from the
//! Insureds table: **Add email** (a client account when the insured has
//! none, a login with the role Insured and the email as its username, and a
//! welcome email with a single-use link to choose a password), **✎ Edit
//! email** (the login's email and username change together; the old
//! address is told) and **🔑 Reset password** (a link to the address on
//! file).
//!
//! User Administrators and Brokers only, on insureds of their own
//! organization. Each action is one transaction with its audit row and its
//! emails (the outbox), so an email exists exactly when the change does.

use crate::{
    domain::{audit_action, ClientRole, Email, PersonName, UserKind, Username},
    server::{
        auth::Actor,
        db::begin_write,
        entities::{client_account, insured, organization, user},
        error::ServiceError,
        mail::MailSettings,
        services::{
            accounts::{self, NewAccount},
            audit, email_tokens, insured_summary, is_unique_violation, outbox, recovery, users,
        },
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

/// What the broker entered in the Add email dialog.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The insured being registered.
    pub insured_id: i32,
    /// The client's email: their username from now on.
    pub email: String,
    /// "I have confirmed the policy details with the client".
    pub confirmed: bool,
}

/// What registering created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    /// The insured's new login.
    pub user_id: i32,
    /// The identifier of the insured's client account (new or existing).
    pub identifier: String,
    /// The email, as stored.
    pub email: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(crate::domain::ParseError {
        field,
        message: message.into(),
    })
}

/// The insured `id` of the actor's organization, locked for the rest of the
/// transaction on PostgreSQL (so two brokers registering the same insured
/// at once go one after the other).
async fn insured_of<C: ConnectionTrait>(
    txn: &C,
    org: i32,
    id: i32,
) -> Result<insured::Model, ServiceError> {
    insured_summary::lock(txn, org, &[id]).await?;
    insured::Entity::find_by_id(id)
        .filter(insured::Column::OrganizationId.eq(org))
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Refuses `email` when a login of the organization other than `except`
/// already has it, as its email or (an insured's) as its username; the
/// message names who, so the broker can find them.
async fn refuse_taken<C: ConnectionTrait>(
    txn: &C,
    org: i32,
    email: &Email,
    except: Option<i32>,
) -> Result<(), ServiceError> {
    let lower = email.as_str().to_lowercase();
    let mut q = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org))
        .filter(
            sea_orm::Condition::any()
                .add(ExprTrait::eq(
                    Expr::expr(Func::lower(Expr::col(user::Column::Email))),
                    lower.clone(),
                ))
                .add(user::Column::Username.eq(lower)),
        );
    if let Some(id) = except {
        q = q.filter(user::Column::Id.ne(id));
    }
    let Some(holder) = q.order_by_asc(user::Column::Id).one(txn).await? else {
        return Ok(());
    };
    let insured = insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org))
        .filter(insured::Column::UserId.eq(holder.id))
        .one(txn)
        .await?;
    Err(invalid(
        "email",
        match insured {
            Some(i) => format!(
                "This email is already registered to another insured, {}.",
                i.full_name
            ),
            None => format!(
                "This email is already used by another login of your organization ({}).",
                holder.display_name()
            ),
        },
    ))
}

/// The organization of `actor`.
async fn organization_of<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
) -> Result<organization::Model, ServiceError> {
    organization::Entity::find_by_id(actor.organization_id)
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The client account an insured's login goes into: the one registering
/// made before, else a new one named after the insured (its identifier: the
/// insured's phone digits when free, else a random number).
async fn account_for<C: ConnectionTrait>(
    txn: &C,
    org: &organization::Model,
    i: &insured::Model,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<client_account::Model, ServiceError> {
    if let Some(id) = i.client_account_id {
        match accounts::find_in_org(txn, actor, id).await {
            Ok(account) => return Ok(account),
            Err(ServiceError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    // A downloaded phone number that isn't one is left out, not refused.
    let phone = i
        .phone
        .as_deref()
        .filter(|p| crate::domain::AccountDetails::parse("x", p, "").is_ok())
        .map(str::to_string);
    let address = [
        i.address.as_str(),
        &format!("{} {} {}", i.city, i.province, i.postal_code),
    ]
    .iter()
    .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    .filter(|l| !l.is_empty())
    .collect::<Vec<_>>()
    .join("\n");
    accounts::create(
        txn,
        org,
        &NewAccount {
            name: cut(&i.full_name, crate::domain::ACCOUNT_NAME_MAX),
            main_phone: phone,
            address: Some(cut(&address, crate::domain::ACCOUNT_ADDRESS_MAX)),
        },
        Some(actor.user_id),
        now,
    )
    .await
}

/// The insured's row with its email (and the search text that finds it).
fn with_email(i: insured::Model, email: &Email, now: DateTime<Utc>) -> insured::ActiveModel {
    let keys = insured::Keys::of(
        &i.full_name,
        &i.last_name,
        &i.address,
        &i.postal_code,
        Some(email.as_str()),
    );
    let mut row: insured::ActiveModel = i.into();
    row.email = Set(Some(email.as_str().to_string()));
    row.search_text = Set(keys.search_text.chars().take(500).collect());
    row.updated_at = Set(now);
    row
}

/// **Add email**: registers insured `input.insured_id` with the email typed,
/// in one transaction: their client account if they have none, the login
/// (role Insured, username = the email, no password yet), the audit row and
/// a welcome email with a link to choose a password.
pub async fn register(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    input: &Registration,
    now: DateTime<Utc>,
) -> Result<Registered, ServiceError> {
    actor.require_account_manager_staff()?;
    let email = Email::parse(&input.email)?;
    if !input.confirmed {
        return Err(invalid(
            "confirmed",
            "First confirm the policy details, address and postal code with the client.",
        ));
    }
    let txn = begin_write(db).await?;
    let org = organization_of(&txn, actor).await?;
    let i = insured_of(&txn, org.id, input.insured_id).await?;
    if i.user_id.is_some() {
        return Err(ServiceError::Conflict(format!(
            "{} is already registered{}: edit the email instead.",
            i.full_name,
            i.email
                .as_deref()
                .map(|e| format!(" as {e}"))
                .unwrap_or_default()
        )));
    }
    refuse_taken(&txn, org.id, &email, None).await?;
    let account = account_for(&txn, &org, &i, actor, now).await?;
    let name = PersonName::of_insured(&i.full_name, &i.last_name);
    let login = users::insert_insured(&txn, &account, &name, &email, actor.audit_ids(), now)
        .await
        .map_err(|e| match e {
            // Another broker registered the same address a moment ago.
            ServiceError::Conflict(_) => invalid(
                "email",
                "This email is already registered to another insured.",
            ),
            other => other,
        })?;
    let insured_id = i.id;
    let full_name = i.full_name.clone();
    let mut row = with_email(i, &email, now);
    row.user_id = Set(Some(login.id));
    row.client_account_id = Set(Some(account.id));
    row.update(&txn).await.map_err(|e| {
        if is_unique_violation(&e) {
            ServiceError::Conflict(format!("{full_name} was registered a moment ago."))
        } else {
            e.into()
        }
    })?;
    let (by, for_user) = actor.audit_ids();
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id: org.id,
            actor_user_id: by,
            on_behalf_of_user_id: for_user,
            action: audit_action::INSURED_REGISTERED,
            target_user_id: Some(login.id),
            details: format!(
                "{full_name} (insured {insured_id}) registered as {} in account {}",
                email.as_str(),
                account.identifier
            ),
        },
        now,
    )
    .await?;
    recovery::queue_link(
        &txn,
        mail,
        &org,
        &login,
        email_tokens::Purpose::Welcome,
        Some(actor.user_id),
        now,
    )
    .await?;
    txn.commit().await?;
    mail.wake.notify_one();
    Ok(Registered {
        user_id: login.id,
        identifier: account.identifier,
        email: email.as_str().to_string(),
    })
}

/// The login of a registered insured, or a refusal that says it has none.
async fn login_of<C: ConnectionTrait>(
    txn: &C,
    org: i32,
    i: &insured::Model,
) -> Result<user::Model, ServiceError> {
    let not_registered = || {
        ServiceError::Conflict(format!(
            "{} is not registered yet: add an email first.",
            i.full_name
        ))
    };
    let id = i.user_id.ok_or_else(not_registered)?;
    // Only ever the Insured login registering made, in the insured's own
    // account: never a way to rename or reset any other login.
    user::Entity::find_by_id(id)
        .filter(user::Column::OrganizationId.eq(org))
        .filter(user::Column::Kind.eq(UserKind::Client.as_str()))
        .filter(user::Column::Role.eq(ClientRole::Insured.as_str()))
        .filter(user::Column::ClientAccountId.eq(i.client_account_id))
        .one(txn)
        .await?
        .ok_or_else(not_registered)
}

/// **✎ Edit email**: the insured's login gets `new_email` as its email and
/// its username (sessions stay valid: nothing about the password changes).
/// The old address gets a notice (the new one only hinted at: the old one
/// may be a stranger's, mistyped at registration); links sent before stop
/// working; the new address gets a confirmation, or a new welcome link when
/// no password was chosen yet. Audited.
pub async fn change_email(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    insured_id: i32,
    new_email: &str,
    now: DateTime<Utc>,
) -> Result<Registered, ServiceError> {
    actor.require_account_manager_staff()?;
    let email = Email::parse(new_email)?;
    let txn = begin_write(db).await?;
    let org = organization_of(&txn, actor).await?;
    let i = insured_of(&txn, org.id, insured_id).await?;
    let login = login_of(&txn, org.id, &i).await?;
    let old = login
        .email
        .clone()
        .unwrap_or_else(|| login.username.clone());
    if old.to_lowercase() == email.as_str().to_lowercase() {
        return Err(invalid("email", "That is already this insured's email."));
    }
    refuse_taken(&txn, org.id, &email, Some(login.id)).await?;
    let identifier = match i.client_account_id {
        Some(id) => accounts::find_in_org(&txn, actor, id).await?.identifier,
        None => String::new(),
    };
    let name = login.display_name();
    let mut row: user::ActiveModel = login.clone().into();
    row.email = Set(Some(email.as_str().to_string()));
    row.username = Set(Username::of_email(&email).as_str().to_string());
    let login = row.update(&txn).await.map_err(|e| {
        if is_unique_violation(&e) {
            invalid(
                "email",
                "This email is already registered to another insured.",
            )
        } else {
            e.into()
        }
    })?;
    // A welcome or reset link sent to the old address (a mistyped one,
    // perhaps) must not set the password any more.
    email_tokens::retire_all(&txn, login.id, now).await?;
    let full_name = i.full_name.clone();
    with_email(i, &email, now).update(&txn).await?;
    let (by, for_user) = actor.audit_ids();
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id: org.id,
            actor_user_id: by,
            on_behalf_of_user_id: for_user,
            action: audit_action::INSURED_EMAIL_CHANGED,
            target_user_id: Some(login.id),
            details: format!(
                "{full_name} (insured {insured_id}): email changed from {old} to {}",
                email.as_str()
            ),
        },
        now,
    )
    .await?;
    let portal = mail.link(&format!("/portal/{}", org.slug));
    for (to, subject, body) in [
        (
            old.clone(),
            format!("Your {} sign-in email was changed", org.name),
            format!(
                "Hello {name},\n\n\
                 Your sign-in email for the {org} client portal was changed by your broker \
                 to {new}. From now on you sign in with that address; emails about your \
                 policies go there, and links sent here before no longer work.\n\n\
                 If you did not ask for this, call {org} right away.\n",
                org = org.name,
                // Only a hint: this address may be the wrong one.
                new = mask(email.as_str()),
            ),
        ),
        (
            email.as_str().to_string(),
            format!("Your {} sign-in email is now this address", org.name),
            format!(
                "Hello {name},\n\n\
                 Your broker at {org} changed your sign-in email to this address. Your password \
                 stays the same. Sign in at {portal} with\n\n\
                 Identifier: {identifier}\n\
                 Username: {username}\n",
                org = org.name,
                username = Username::of_email(&email),
            ),
        ),
    ] {
        // Not yet registered in full (no password chosen): the new address
        // gets a welcome link instead of a confirmation.
        if to != old && login.password_hash.is_none() {
            continue;
        }
        outbox::enqueue(
            &txn,
            outbox::NewEmail {
                organization_id: org.id,
                to,
                subject,
                body,
                actor_user_id: Some(actor.user_id),
                about_user_id: Some(login.id),
            },
            now,
        )
        .await?;
    }
    if login.password_hash.is_none() {
        recovery::queue_link(
            &txn,
            mail,
            &org,
            &login,
            email_tokens::Purpose::Welcome,
            Some(actor.user_id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    mail.wake.notify_one();
    Ok(Registered {
        user_id: login.id,
        identifier,
        email: email.as_str().to_string(),
    })
}

/// What **🔑 Reset password** sent, for the broker's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSent {
    /// The address, partly hidden: "j•••@example.com".
    pub masked_email: String,
    /// A welcome link (the insured never chose a password) rather than a
    /// reset link.
    pub welcome: bool,
}

/// **🔑 Reset password**: sends the insured a link to choose a new password
/// (a welcome link again when they never chose one), to the email on file.
pub async fn send_reset(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    insured_id: i32,
    now: DateTime<Utc>,
) -> Result<LinkSent, ServiceError> {
    actor.require_account_manager_staff()?;
    let txn = begin_write(db).await?;
    let org = organization_of(&txn, actor).await?;
    let i = insured_of(&txn, org.id, insured_id).await?;
    let login = login_of(&txn, org.id, &i).await?;
    if !(login.active && login.can_login) {
        return Err(ServiceError::Conflict(format!(
            "{}'s login is disabled: enable it first.",
            i.full_name
        )));
    }
    let welcome = login.password_hash.is_none();
    let purpose = if welcome {
        email_tokens::Purpose::Welcome
    } else {
        email_tokens::Purpose::Reset
    };
    let masked_email = mask(login.email.as_deref().unwrap_or(&login.username));
    recovery::queue_link(&txn, mail, &org, &login, purpose, Some(actor.user_id), now).await?;
    txn.commit().await?;
    mail.wake.notify_one();
    Ok(LinkSent {
        masked_email,
        welcome,
    })
}

/// An address with all but the first character of its local part hidden.
pub fn mask(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_masked_address_keeps_its_first_letter_and_domain() {
        assert_eq!(super::mask("jane.smith@example.com"), "j•••@example.com");
        assert_eq!(super::mask("x@y.ca"), "x•••@y.ca");
    }
}
