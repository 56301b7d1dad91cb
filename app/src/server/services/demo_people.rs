//! The demo organization's People directory: a few hundred logins of every
//! role with realistic (and accented) names, a few disabled or without Can
//! Login, last sign-ins spread over months, and a history of administrative
//! actions, so the People page is worth looking at. Deterministic (a fixed
//! pseudo-random sequence), added once.

use crate::{
    domain::{ClientRole, PersonName, StaffRole, UserKind},
    server::{
        db::begin_write,
        entities::{client_account, company_access, organization, user},
        error::ServiceError,
        services::{accounts, audit, users},
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// First names of the demo directory (also used by the People benchmark).
pub const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloé", "Daniel", "Élodie", "Farah", "Gabriel", "Hana", "Ian", "José", "Kenji",
    "Lena", "Mateo", "Nia", "Owen", "Priya", "Quinn", "Rosa", "Samir", "Tessa", "Uma", "Victor",
    "Wen", "Ximena", "Yusuf", "Zoë", "Amélie", "Bruno", "Camille", "Dmitri", "Esther", "Felix",
    "Grace", "Hugo", "Ines", "Jonah", "Kira", "Luis", "Maya", "Noor",
];
/// Last names of the demo directory, some accented.
pub const LAST: &[&str] = &[
    "Abbott",
    "Bélanger",
    "Castillo",
    "Dubois",
    "Ellison",
    "Fraser",
    "García",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Khan",
    "Lefèvre",
    "MacLeod",
    "Nguyen",
    "Ó Brádaigh",
    "Patel",
    "Quintero",
    "Rossi",
    "Singh",
    "Tremblay",
    "Usman",
    "Vasquez",
    "Wong",
    "Yamamoto",
    "Zhang",
    "Côté",
    "Bergström",
    "Delacroix",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Haddad",
];
const ACCOUNTS: &[(&str, &str)] = &[
    ("Harbourfront Claims Group", "(416) 555-0300"),
    ("Eastgate Property Management", "(905) 555-0412"),
    ("Rivermont Adjusters", "(289) 555-0388"),
];

/// A small fixed pseudo-random sequence (the same demo every time).
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

/// Adds the directory to `org` unless it has more than a handful of staff.
/// `admin_id` is the organization's first User Administrator, named as the
/// one who did the demo history's administrative actions.
pub async fn ensure(
    db: &DatabaseConnection,
    org: &organization::Model,
    admin_id: i32,
    hasher: &crate::server::auth::password::PasswordHasher,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let staff = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org.id))
        .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
        .count(db)
        .await?;
    if staff > 5 {
        return Ok(());
    }
    // One hash for the whole directory: these logins exist to be looked
    // at, and hashing hundreds of passwords would slow the first start.
    let password_hash = hasher.hash(super::demo::DEMO_STAFF_PASSWORD.into()).await?;
    let mut rng = Sequence(2026);
    let txn = begin_write(db).await?;
    let mut made: Vec<user::Model> = Vec::new();
    let mut accounts_made = Vec::new();
    for i in 0..140 {
        let name = PersonName::parse(FIRST[rng.next(FIRST.len())], "", LAST[rng.next(LAST.len())])?;
        let role = match i {
            0 => StaffRole::UserAdministrator,
            _ if i % 9 == 0 => StaffRole::Broker,
            _ => StaffRole::Staff,
        };
        let email = format!(
            "{}.{}{i}@{}.example",
            crate::domain::names::fold(name.first()),
            crate::domain::names::fold(name.last()).replace(' ', ""),
            org.slug
        );
        let created = now - Duration::days(400 - (i as i64) * 2);
        made.push(
            users::insert_staff(
                &txn,
                org,
                &name,
                role,
                Some(&email),
                password_hash.clone(),
                false,
                Some(admin_id),
                created,
            )
            .await?,
        );
    }
    let client_roles = [
        ClientRole::OfficeStaff,
        ClientRole::ClaimsRep,
        ClientRole::ClaimsRepManager,
        ClientRole::Insured,
        ClientRole::ClaimsRep,
    ];
    for (a, (account_name, phone)) in ACCOUNTS.iter().enumerate() {
        let account = accounts::create(
            &txn,
            org,
            &accounts::NewAccount {
                name: (*account_name).into(),
                main_phone: Some((*phone).into()),
                address: None,
            },
            Some(admin_id),
            now - Duration::days(380),
        )
        .await?;
        accounts_made.push(account.clone());
        for i in 0..60 {
            let (first, last) = (FIRST[rng.next(FIRST.len())], LAST[rng.next(LAST.len())]);
            let role = if i == 0 {
                ClientRole::AccountManager
            } else {
                client_roles[rng.next(client_roles.len())]
            };
            let username = format!(
                "{}{}{i}",
                crate::domain::names::fold(first)
                    .chars()
                    .next()
                    .unwrap_or('x'),
                crate::domain::names::fold(last)
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            );
            made.push(
                users::insert_client(
                    &txn,
                    &account,
                    &users::NewClientUser {
                        username,
                        first_name: first.into(),
                        last_name: last.into(),
                        email: (i % 4 != 3).then(|| format!("client{a}.{i}@clients.example")),
                        role,
                        must_change_password: false,
                    },
                    password_hash.clone(),
                    Some(admin_id),
                    now - Duration::days(360 - i as i64 * 5),
                )
                .await?,
            );
        }
    }
    // Sign-ins spread over nine months (some never), a few logins switched
    // off, a few passwords reset: each change audited as the demo's admin.
    for (n, u) in made.into_iter().enumerate() {
        let never = rng.next(7) == 0;
        let disabled = n % 23 == 7;
        let no_login = n % 29 == 11;
        let reset = n % 17 == 5;
        let (id, username) = (u.id, u.username.clone());
        let mut row = u.into_active_model();
        if !never {
            let minutes = rng.next(270 * 24 * 60) as i64;
            row.last_login_at = Set(Some(now - Duration::minutes(minutes)));
        }
        row.active = Set(!disabled);
        row.can_login = Set(!no_login);
        row.update(&txn).await?;
        let mut history = Vec::new();
        if reset {
            history.push((audit::action::PASSWORD_RESET, "initial password set"));
        }
        if no_login {
            history.push((audit::action::LOGIN_REVOKED, "Can Login removed"));
        }
        if disabled {
            history.push((audit::action::USER_DISABLED, "User disabled"));
        }
        for (k, (action, what)) in history.into_iter().enumerate() {
            audit::record(
                &txn,
                audit::NewEvent {
                    organization_id: org.id,
                    actor_user_id: Some(admin_id),
                    on_behalf_of_user_id: None,
                    action,
                    target_user_id: Some(id),
                    details: format!("{what} for \"{username}\" (demo history)"),
                },
                now - Duration::days(30 - (n % 30) as i64) + Duration::minutes(k as i64),
            )
            .await?;
        }
    }
    // Two Claims Rep Managers with known sign-ins: Rosa Delgado serves three
    // companies besides her own; Tariq Haddad has no Company Access yet.
    let client_hash = hasher
        .hash(super::demo::DEMO_CLIENT_PASSWORD.into())
        .await?;
    let first_account = client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(org.id))
        .order_by_asc(client_account::Column::Id)
        .one(&txn)
        .await?;
    for (account, username, first, last) in [
        (&accounts_made[0], DEMO_REP_MANAGER, "Rosa", "Delgado"),
        (&accounts_made[2], "tariq", "Tariq", "Haddad"),
    ] {
        let rep = users::insert_client(
            &txn,
            account,
            &users::NewClientUser {
                username: username.into(),
                first_name: first.into(),
                last_name: last.into(),
                email: Some(format!("{username}@claims.example")),
                role: ClientRole::ClaimsRepManager,
                must_change_password: false,
            },
            client_hash.clone(),
            Some(admin_id),
            now - Duration::days(200),
        )
        .await?;
        if username != DEMO_REP_MANAGER {
            continue;
        }
        let linked = first_account
            .iter()
            .chain([&accounts_made[1], &accounts_made[2]]);
        for (k, target) in linked.enumerate() {
            company_access::ActiveModel {
                organization_id: Set(org.id),
                user_id: Set(rep.id),
                client_account_id: Set(target.id),
                can_modify: Set(k == 0),
                can_delete: Set(false),
                created_at: Set(now - Duration::days(100)),
                created_by_user_id: Set(Some(admin_id)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            audit::record(
                &txn,
                audit::NewEvent {
                    organization_id: org.id,
                    actor_user_id: Some(admin_id),
                    on_behalf_of_user_id: None,
                    action: audit::action::COMPANY_LINKED,
                    target_user_id: Some(rep.id),
                    details: format!(
                        "Company Access to {} ({}) given to \"{username}\" (demo history)",
                        target.name, target.identifier
                    ),
                },
                now - Duration::days(100),
            )
            .await?;
        }
    }
    // One person with two logins, as the desktop tools forced: a Claims Rep
    // Manager login and an office staff login elsewhere, same email. Her
    // page offers to consolidate them.
    for (account, username, role) in [
        (&accounts_made[0], "mlin", ClientRole::ClaimsRepManager),
        (&accounts_made[1], "mei", ClientRole::OfficeStaff),
    ] {
        users::insert_client(
            &txn,
            account,
            &users::NewClientUser {
                username: username.into(),
                first_name: "Mei".into(),
                last_name: "Lin".into(),
                email: Some("mei.lin@claims.example".into()),
                role,
                must_change_password: false,
            },
            client_hash.clone(),
            Some(admin_id),
            now - Duration::days(150),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The demo Claims Rep Manager with Company Access to three companies (in
/// Harbourfront Claims Group; demo client password).
pub const DEMO_REP_MANAGER: &str = "rdelgado";

/// The organization's first User Administrator (the demo's admin).
pub async fn first_admin(
    db: &DatabaseConnection,
    org: &organization::Model,
) -> Result<Option<user::Model>, ServiceError> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org.id))
        .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
        .filter(user::Column::Role.eq(StaffRole::UserAdministrator.as_str()))
        .order_by_asc(user::Column::Id)
        .one(db)
        .await?)
}
