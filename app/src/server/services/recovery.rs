//! Getting back in by email: "forgot password" in both portals, "forgot
//! identifier" in the Client Portal, and the welcome link staff send to a
//! new login.
//!
//! The visitor's answer is the same whether or not anything matched, and
//! nothing (no outbox row, no audit row) is written for an address nobody
//! has. Links are built from the configured public address.

use crate::{
    domain::{Email, Identifier, StaffRole, UserKind},
    server::{
        auth::Actor,
        db::begin_write,
        entities::{client_account, organization, user},
        error::ServiceError,
        mail::MailSettings,
        services::{
            accounts, audit,
            email_cap::{self, SelfServiceEmail},
            email_tokens, organizations, outbox,
        },
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

/// The users of an organization with `email` (compared without case) who
/// may sign in.
async fn users_with_email<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    kind: UserKind,
    account_id: Option<i32>,
    email: &Email,
) -> Result<Vec<user::Model>, ServiceError> {
    let mut q = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::Kind.eq(kind.as_str()))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::CanLogin.eq(true))
        .filter(ExprTrait::eq(
            Expr::expr(Func::lower(Expr::col(user::Column::Email))),
            email.as_str().to_lowercase(),
        ));
    if let Some(id) = account_id {
        q = q.filter(user::Column::ClientAccountId.eq(id));
    }
    Ok(q.order_by_asc(user::Column::Id).all(db).await?)
}

fn portal_name(u: &user::Model) -> &'static str {
    match UserKind::from_db(&u.kind) {
        Some(UserKind::Client) => "Client Portal",
        _ => "Admin Portal",
    }
}

/// Issues a link for `u` and queues the email, in `txn`. A client login's
/// welcome email also says where and how to sign in: the portal's address,
/// the account's identifier and the username.
pub(crate) async fn queue_link<C: ConnectionTrait>(
    txn: &C,
    mail: &MailSettings,
    org: &organization::Model,
    u: &user::Model,
    purpose: email_tokens::Purpose,
    actor_user_id: Option<i32>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(to) = u.email.clone() else {
        return Err(ServiceError::Invalid(crate::domain::ParseError {
            field: "email",
            message: "This login has no email address to send the link to.".into(),
        }));
    };
    let token = email_tokens::issue(txn, u, purpose, now).await?;
    let link = mail.link(&format!("/password/reset?token={token}"));
    let (subject, body) = match purpose {
        email_tokens::Purpose::Reset if actor_user_id.is_some() => (
            "Reset your Gatehouse password".to_string(),
            format!(
                "Hello {name},\n\n\
                 An administrator of {org} sent you this link to choose a new password for \
                 the {portal} login \"{username}\".\n\n\
                 The link works once, for 1 hour:\n\n{link}\n\n\
                 Until you use it, your current password keeps working.\n",
                name = u.display_name(),
                portal = portal_name(u),
                username = u.username,
                org = org.name,
            ),
        ),
        email_tokens::Purpose::Reset => (
            "Reset your Gatehouse password".to_string(),
            format!(
                "Hello {name},\n\n\
                 Someone (hopefully you) asked to reset the password of the {portal} login \
                 \"{username}\" at {org}.\n\n\
                 Choose a new password here. The link works once, for 1 hour:\n\n{link}\n\n\
                 If you did not ask for this, ignore this email: your password stays as it is.\n",
                name = u.display_name(),
                portal = portal_name(u),
                username = u.username,
                org = org.name,
            ),
        ),
        email_tokens::Purpose::Welcome => {
            let sign_in = match u.client_account_id {
                Some(account_id) => {
                    let identifier = client_account::Entity::find_by_id(account_id)
                        .filter(client_account::Column::OrganizationId.eq(org.id))
                        .one(txn)
                        .await?
                        .map(|a| a.identifier)
                        .unwrap_or_default();
                    format!(
                        "Afterwards, sign in at {portal_link} with\n\n\
                         Identifier: {identifier}\n\
                         Username: {username}\n\
                         Password: the one you choose\n\n",
                        portal_link = mail.link(&format!("/portal/{}", org.slug)),
                        username = u.username,
                    )
                }
                None => String::new(),
            };
            (
                format!("Your {} login at Gatehouse", org.name),
                format!(
                    "Hello {name},\n\n\
                     {org} has created a {portal} login for you. Your username is \"{username}\".\n\n\
                     Choose your password here. The link works once, for 7 days:\n\n{link}\n\n\
                     {sign_in}",
                    name = u.display_name(),
                    portal = portal_name(u),
                    username = u.username,
                    org = org.name,
                ),
            )
        }
    };
    let action = match purpose {
        email_tokens::Purpose::Reset if actor_user_id.is_some() => audit::action::RESET_LINK_SENT,
        email_tokens::Purpose::Reset => audit::action::RESET_REQUESTED,
        email_tokens::Purpose::Welcome => audit::action::WELCOME_SENT,
    };
    audit::record(
        txn,
        audit::NewEvent {
            organization_id: org.id,
            actor_user_id,
            on_behalf_of_user_id: None,
            action,
            target_user_id: Some(u.id),
            details: format!(
                "{} link for \"{}\" sent to {to}",
                purpose.as_str(),
                u.username
            ),
        },
        now,
    )
    .await?;
    outbox::enqueue(
        txn,
        outbox::NewEmail {
            organization_id: org.id,
            to,
            subject,
            body,
            actor_user_id,
            about_user_id: Some(u.id),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Issues and queues a link for each of `users` in one transaction, then
/// wakes the mail worker. Nothing is written when `users` is empty.
async fn send_links(
    db: &DatabaseConnection,
    mail: &MailSettings,
    org: &organization::Model,
    users: &[user::Model],
    purpose: email_tokens::Purpose,
    actor_user_id: Option<i32>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if users.is_empty() {
        return Ok(());
    }
    let txn = begin_write(db).await?;
    for u in users {
        // A visitor's request is capped per login; staff's are not.
        if actor_user_id.is_none()
            && purpose == email_tokens::Purpose::Reset
            && !email_cap::allows(&txn, org.id, u.id, SelfServiceEmail::ResetLink, now).await?
        {
            continue;
        }
        queue_link(&txn, mail, org, u, purpose, actor_user_id, now).await?;
    }
    txn.commit().await?;
    mail.wake.notify_one();
    Ok(())
}

/// Checks an Admin Portal "forgot password" form without touching the
/// database, so the answer can be given before (and regardless of) any work.
pub fn check_staff_request(organization: &str, email: &str) -> Result<Email, ServiceError> {
    if organization.trim().is_empty() {
        return Err(ServiceError::Invalid(crate::domain::ParseError {
            field: "organization",
            message: "Enter your organization's short name.".into(),
        }));
    }
    Ok(Email::parse(email)?)
}

/// Checks a Client Portal "forgot password" form without touching the database.
pub fn check_client_request(
    identifier: &str,
    email: &str,
) -> Result<(Identifier, Email), ServiceError> {
    Ok((Identifier::parse(identifier)?, Email::parse(email)?))
}

/// "Forgot password" in the Admin Portal: a reset link to every staff login
/// of the organization with that email.
pub async fn forgot_staff_password(
    db: &DatabaseConnection,
    mail: &MailSettings,
    organization: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let email = check_staff_request(organization, email)?;
    let Some(org) = organizations::find_named(db, organization).await? else {
        return Ok(());
    };
    let users = users_with_email(db, org.id, UserKind::Staff, None, &email).await?;
    send_links(
        db,
        mail,
        &org,
        &users,
        email_tokens::Purpose::Reset,
        None,
        now,
    )
    .await
}

/// "Forgot password" in a Client Portal: a reset link to every login of the
/// account `identifier` with that email.
pub async fn forgot_client_password(
    db: &DatabaseConnection,
    mail: &MailSettings,
    organization: &str,
    identifier: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (identifier, email) = check_client_request(identifier, email)?;
    let Some(org) = organizations::find_named(db, organization).await? else {
        return Ok(());
    };
    let Some(account) = accounts::find_by_identifier(db, org.id, &identifier).await? else {
        return Ok(());
    };
    let users = users_with_email(db, org.id, UserKind::Client, Some(account.id), &email).await?;
    send_links(
        db,
        mail,
        &org,
        &users,
        email_tokens::Purpose::Reset,
        None,
        now,
    )
    .await
}

/// "Forgot identifier" in a Client Portal: one email listing the identifier
/// (and username) of every account with a login that has that email.
pub async fn forgot_identifier(
    db: &DatabaseConnection,
    mail: &MailSettings,
    organization: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let email = Email::parse(email)?;
    let Some(org) = organizations::find_named(db, organization).await? else {
        return Ok(());
    };
    let users = users_with_email(db, org.id, UserKind::Client, None, &email).await?;
    if users.is_empty() {
        return Ok(());
    }
    let account_ids: Vec<i32> = users.iter().filter_map(|u| u.client_account_id).collect();
    let accounts = client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(org.id))
        .filter(client_account::Column::Id.is_in(account_ids))
        .all(db)
        .await?;
    let mut lines: Vec<String> = users
        .iter()
        .filter_map(|u| {
            let a = accounts
                .iter()
                .find(|a| Some(a.id) == u.client_account_id)?;
            Some(format!(
                "  Identifier {}  ({}), username \"{}\"",
                a.identifier, a.name, u.username
            ))
        })
        .collect();
    lines.sort();
    lines.dedup();
    let body = format!(
        "Hello,\n\n\
         You asked which identifier to use in the {org} Client Portal. The logins with this \
         email address are:\n\n{list}\n\n\
         Sign in here:\n\n{link}\n\n\
         If you did not ask for this, you can ignore this email.\n",
        org = org.name,
        list = lines.join("\n"),
        link = mail.link(&format!("/portal/{}/sign-in", org.slug)),
    );
    let txn = begin_write(db).await?;
    if !email_cap::allows(
        &txn,
        org.id,
        users[0].id,
        SelfServiceEmail::IdentifierReminder,
        now,
    )
    .await?
    {
        txn.commit().await?;
        return Ok(());
    }
    audit::record(
        &txn,
        audit::NewEvent {
            organization_id: org.id,
            actor_user_id: None,
            on_behalf_of_user_id: None,
            action: audit::action::IDENTIFIER_REMINDER,
            target_user_id: users.first().map(|u| u.id),
            details: format!("{} identifier(s) sent to {}", lines.len(), email.as_str()),
        },
        now,
    )
    .await?;
    outbox::enqueue(
        &txn,
        outbox::NewEmail {
            organization_id: org.id,
            // The address on file, not the one typed (they match but for case).
            to: users[0]
                .email
                .clone()
                .unwrap_or_else(|| email.as_str().to_string()),
            subject: format!("Your {} Client Portal identifier", org.name),
            body,
            actor_user_id: None,
            about_user_id: users.first().map(|u| u.id),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    mail.wake.notify_one();
    Ok(())
}

/// A User Administrator sends a welcome link (valid 7 days) to a login of
/// their own organization, so the person chooses their own password.
pub async fn send_welcome(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    let u = user::Entity::find_by_id(user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let org = organization::Entity::find_by_id(actor.organization_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    send_links(
        db,
        mail,
        &org,
        &[u],
        email_tokens::Purpose::Welcome,
        Some(actor.user_id),
        now,
    )
    .await
}

/// Which link [`send_password_link`] sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSent {
    /// A welcome link: the login never had a password.
    Welcome,
    /// A reset link.
    Reset,
}

/// A User Administrator sends a login of their organization a link to
/// choose their password: a welcome link when it never had one, a reset
/// link otherwise. The login needs an email on file and must be able to
/// sign in.
pub async fn send_password_link(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<LinkSent, ServiceError> {
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    let u = user::Entity::find_by_id(user_id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !(u.active && u.can_login) {
        return Err(ServiceError::Conflict(format!(
            "{} can't sign in (disabled or without Can Login): enable the login first.",
            u.display_name()
        )));
    }
    let org = organization::Entity::find_by_id(actor.organization_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (purpose, sent) = if u.password_hash.is_none() {
        (email_tokens::Purpose::Welcome, LinkSent::Welcome)
    } else {
        (email_tokens::Purpose::Reset, LinkSent::Reset)
    };
    send_links(db, mail, &org, &[u], purpose, Some(actor.user_id), now).await?;
    Ok(sent)
}
