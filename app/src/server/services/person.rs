//! One person's page in the Admin Portal: their details (names, email,
//! phone), their settings (Active, Can Login, a staff login's role), a
//! Claims Rep's Company Access, and the history of what was done to the
//! login. Any staff user of the organization may look; changes are User
//! Administrator work, never on their own login, and always audited.

use crate::{
    api::dto::{AccountChoiceView, HistoryEntryView, PersonView},
    domain::{
        audit_action, people::role_label, ClientRole, Email, ParseError, PersonName, StaffRole,
        UserKind,
    },
    server::{
        auth::Actor,
        db::begin_write,
        entities::{audit_event, client_account, user},
        error::ServiceError,
        services::{
            activity, administrators, audit, company_access, consolidation, email_tokens, home,
        },
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// History lines per page.
pub const HISTORY_PAGE: u64 = 20;

/// The page of login `id` of the actor's organization; `history_before` is
/// the history page's cursor, `account_filter` narrows the Company Access
/// drop-down.
pub async fn view<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
    history_before: Option<i32>,
    account_filter: &str,
) -> Result<PersonView, ServiceError> {
    let role = actor.require_staff()?;
    let u = user::Entity::find_by_id(id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let is_staff = u.kind == UserKind::Staff.as_str();
    let side = if is_staff {
        UserKind::Staff
    } else {
        UserKind::Client
    };
    let account = match u.client_account_id {
        Some(account_id) => client_account::Entity::find_by_id(account_id)
            .filter(client_account::Column::OrganizationId.eq(actor.organization_id))
            .one(db)
            .await?
            .map(|a| AccountChoiceView {
                id: a.id,
                name: a.name,
                identifier: a.identifier,
            }),
        None => None,
    };
    let is_administrator = role == StaffRole::UserAdministrator;
    let can_administer = is_administrator && u.id != actor.user_id;
    // Who did what is User Administrator reading, as the audit log is.
    let (history, history_next) = if is_administrator {
        history(db, actor.organization_id, u.id, history_before).await?
    } else {
        (Vec::new(), None)
    };
    let (frame, org) = home::frame_and_org(db, actor).await?;
    Ok(PersonView {
        frame,
        id: u.id,
        is_staff,
        display_name: u.display_name(),
        role_label: role_label(side, &u.role).unwrap_or("—").to_string(),
        company_access: company_access::section(db, &u, account_filter).await?,
        other_logins: if is_administrator {
            consolidation::other_logins(db, &u).await?
        } else {
            Vec::new()
        },
        first_name: u.first_name,
        middle_name: u.middle_name.unwrap_or_default(),
        last_name: u.last_name,
        username: u.username,
        // Contact details and password state are for User Administrators,
        // as the People list shows others only whether an email exists.
        email: u.email.filter(|_| is_administrator).unwrap_or_default(),
        phone: u.phone.filter(|_| is_administrator).unwrap_or_default(),
        has_password: u.password_hash.is_some() || !is_administrator,
        contact_shown: is_administrator,
        role: u.role,
        active: u.active,
        can_login: u.can_login,
        must_change_password: u.must_change_password && is_administrator,
        last_login_at: u.last_login_at.map(|t| t.to_rfc3339()),
        created_at: u.created_at.to_rfc3339(),
        account,
        history,
        history_next,
        can_administer,
        policy: org.password_policy(),
    })
}

/// A page of the audited actions about `user_id`, newest first.
async fn history<C: ConnectionTrait>(
    db: &C,
    organization_id: i32,
    user_id: i32,
    before: Option<i32>,
) -> Result<(Vec<HistoryEntryView>, Option<i32>), ServiceError> {
    let mut q = audit_event::Entity::find()
        .filter(audit_event::Column::OrganizationId.eq(organization_id))
        .filter(audit_event::Column::TargetUserId.eq(user_id));
    if let Some(before) = before {
        q = q.filter(audit_event::Column::Id.lt(before));
    }
    let mut events = q
        .order_by_desc(audit_event::Column::Id)
        .limit(HISTORY_PAGE + 1)
        .all(db)
        .await?;
    let next = if events.len() as u64 > HISTORY_PAGE {
        events.truncate(HISTORY_PAGE as usize);
        events.last().map(|e| e.id)
    } else {
        None
    };
    let people: Vec<i32> = events
        .iter()
        .flat_map(|e| [e.actor_user_id, e.on_behalf_of_user_id])
        .flatten()
        .collect();
    let names = activity::display_names(db, organization_id, people).await?;
    Ok((
        events
            .into_iter()
            .map(|e| HistoryEntryView {
                id: e.id,
                at: e.created_at.to_rfc3339(),
                action: audit_action::label(&e.action).to_string(),
                by: activity::who(&names, e.actor_user_id, e.on_behalf_of_user_id),
                details: e.details,
            })
            .collect(),
        next,
    ))
}

/// A person's details as typed.
#[derive(Debug, Clone, Default)]
pub struct Details {
    /// First name.
    pub first_name: String,
    /// Middle name or initial ("" for none).
    pub middle_name: String,
    /// Last name.
    pub last_name: String,
    /// Email ("" for none).
    pub email: String,
    /// Phone ("" for none).
    pub phone: String,
}

/// Longest phone number accepted.
const PHONE_MAX: usize = 40;

fn parse_phone(phone: &str) -> Result<Option<String>, ParseError> {
    let phone = phone.trim();
    if phone.is_empty() {
        return Ok(None);
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if phone.chars().count() > PHONE_MAX
        || digits < 7
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().x".contains(c))
    {
        return Err(ParseError {
            field: "phone",
            message: "Enter a phone number: digits, spaces and + - ( ) only, at least 7 digits."
                .into(),
        });
    }
    Ok(Some(phone.to_string()))
}

/// Changes a login's names, email and phone (User Administrators; not their
/// own login). The username stays; audited with what changed.
pub async fn update_details(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    input: &Details,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if actor.require_staff()? != StaffRole::UserAdministrator {
        return Err(ServiceError::Forbidden);
    }
    if id == actor.user_id {
        return Err(ServiceError::Conflict(
            "Ask another User Administrator to change your own details.".into(),
        ));
    }
    let name = PersonName::parse(&input.first_name, &input.middle_name, &input.last_name)?;
    let email = match input.email.trim() {
        "" => None,
        e => Some(Email::parse(e)?),
    };
    let phone = parse_phone(&input.phone)?;
    let txn = begin_write(db).await?;
    administrators::lock_organization(&txn, actor).await?;
    let u = user::Entity::find_by_id(id)
        .filter(user::Column::OrganizationId.eq(actor.organization_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut changed = Vec::new();
    let before_name = u.display_name();
    if before_name != name.display() {
        changed.push(format!("name {before_name} → {}", name.display()));
    }
    let email = email.map(|e| e.as_str().to_string());
    // An insured's email is also their username and the Insureds table's:
    // it changes in one place, which keeps the three in step.
    if u.email != email && u.role == ClientRole::Insured.as_str() {
        return Err(ServiceError::Invalid(ParseError {
            field: "email",
            message: "An insured signs in with this email: change it on the Insureds page (✎ Edit email)."
                .into(),
        }));
    }
    if u.email != email {
        changed.push(format!(
            "email {} → {}",
            u.email.as_deref().unwrap_or("none"),
            email.as_deref().unwrap_or("none")
        ));
    }
    if u.phone != phone {
        changed.push(format!(
            "phone {} → {}",
            u.phone.as_deref().unwrap_or("none"),
            phone.as_deref().unwrap_or("none")
        ));
    }
    if changed.is_empty() {
        return Ok(());
    }
    let username = u.username.clone();
    let email_changed = u.email != email;
    let mut row = u.into_active_model();
    row.first_name = Set(name.first().into());
    row.middle_name = Set(name.middle().map(Into::into));
    row.last_name = Set(name.last().into());
    row.email = Set(email);
    row.phone = Set(phone);
    row.update(&txn).await?;
    if email_changed {
        // A welcome or reset link already sent to the old address must
        // not set the password any more.
        email_tokens::retire_all(&txn, id, now).await?;
        changed.push("outstanding email links cancelled".into());
    }
    audit::record_by(
        &txn,
        actor,
        audit::action::DETAILS_CHANGED,
        Some(id),
        format!("details of \"{username}\" changed: {}", changed.join("; ")),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_are_digits_and_punctuation() {
        assert_eq!(super::parse_phone(" ").unwrap(), None);
        assert_eq!(
            super::parse_phone("(416) 555-0142").unwrap().as_deref(),
            Some("(416) 555-0142")
        );
        assert_eq!(super::parse_phone("12345").unwrap_err().field, "phone");
        assert_eq!(
            super::parse_phone("call me 4165550142").unwrap_err().field,
            "phone"
        );
    }
}
