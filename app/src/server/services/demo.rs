//! Demo data: two organizations, each with a User Administrator, a Broker and
//! two client accounts that each have an Account Manager and an Office Staff
//! user; the first account also has a newcomer, `newhire`, who still has an
//! initial password and must choose their own at first sign-in. Loading is
//! idempotent: what exists is left as it is.
//!
//! The demo brokerage also has a registered insured, who signs in to its
//! portal with their email and the demo client password and finds their
//! policies and two eDocs there.
//!
//! The demo deliberately reuses the client usernames `manager` and `office`
//! and one password in every account and both organizations, so that anyone
//! can see that each login reaches only its own account.

use crate::{
    domain::{ClientRole, OrgSlug, PersonName, StaffRole, UserKind},
    server::{
        auth::password::PasswordHasher,
        db::begin_write,
        entities::{client_account, insured, organization, policy, user},
        error::ServiceError,
        import::generate,
        mail::MailSettings,
        services::{
            accounts, demo_people, documents, edocs, imports, insured_logins, organizations, users,
        },
        state::FileSettings,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// The demo staff password (printed on the console; development only).
pub const DEMO_STAFF_PASSWORD: &str = "Demo-Staff-2026!";
/// The demo client password, the same for every demo client user.
pub const DEMO_CLIENT_PASSWORD: &str = "Demo-Client-2026!";
/// The initial password of each organization's `newhire` (must be changed
/// at first sign-in).
pub const DEMO_INITIAL_PASSWORD: &str = "Initial-Pass-2026!";
/// The username of the demo login that still has its initial password.
pub const DEMO_NEWHIRE: &str = "newhire";

struct DemoOrg {
    name: &'static str,
    slug: &'static str,
    prefix: &'static str,
    admin: (&'static str, &'static str, &'static str),
    accounts: [DemoAccount; 2],
}

/// A demo client account: name, main phone, and the (first, last) names of
/// its Account Manager and its Office Staff user.
type DemoAccount = (
    &'static str,
    Option<&'static str>,
    (&'static str, &'static str),
    (&'static str, &'static str),
);

const ORGS: [DemoOrg; 2] = [
    DemoOrg {
        name: "Northwind Security",
        slug: "northwind",
        prefix: "214",
        admin: ("Alice", "J", "Morgan"),
        accounts: [
            (
                "Lakeside Towers",
                Some("(416) 555-0142"),
                ("Priya", "Raman"),
                ("Tom", "Ellis"),
            ),
            (
                "Maple Row Condominiums",
                Some("416-555-0199"),
                ("Marcus", "Lee"),
                ("Dana", "Fox"),
            ),
        ],
    },
    DemoOrg {
        name: "Harbour Insurance Brokers",
        slug: "harbour",
        prefix: "317",
        admin: ("Ben", "", "Chen"),
        accounts: [
            (
                "Bayview Dental Clinic",
                Some("(902) 555-0110"),
                ("Sofia", "Almeida"),
                ("Liam", "Walsh"),
            ),
            (
                "Kestrel Logistics",
                Some("(416) 555-0142"),
                ("Grace", "Okafor"),
                ("Noah", "Brandt"),
            ),
        ],
    },
];

/// What the demo contains, for printing where and how to sign in.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// One entry per demo organization.
    pub organizations: Vec<DemoOrganization>,
}

/// One demo organization as it is in the database.
#[derive(Debug, Clone)]
pub struct DemoOrganization {
    /// Name.
    pub name: String,
    /// Short name.
    pub slug: String,
    /// Its staff logins' usernames.
    pub staff_usernames: Vec<String>,
    /// Its client accounts: (name, identifier, usernames).
    pub accounts: Vec<(String, String, Vec<String>)>,
    /// Logins of the People directory not listed above (their password is
    /// the demo staff password).
    pub other_logins: u64,
    /// The Claims Rep Manager with Company Access: (account name,
    /// identifier, username), when the directory is there.
    pub rep_manager: Option<(String, String, String)>,
    /// Policies imported from CSIO downloads, and the insureds they made.
    pub book_of_business: (u64, u64),
    /// The registered insured: (name, identifier, email).
    pub insured: Option<(String, String, String)>,
}

/// What the demo's registered insured needs besides the database: where
/// their eDocs are stored and how their welcome email is addressed.
#[derive(Debug, Clone, Copy)]
pub struct DemoServices<'a> {
    /// The documents directory and its limits.
    pub files: &'a FileSettings,
    /// The mail settings (the welcome email goes to the outbox).
    pub mail: &'a MailSettings,
}

/// The demo insured's email: their username in the brokerage's portal.
pub const DEMO_INSURED_EMAIL: &str = "demo.insured@insureds.example";

/// Loads the demo data unless it is there, and describes it.
pub async fn load(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    services: DemoServices<'_>,
    now: DateTime<Utc>,
) -> Result<DemoSummary, ServiceError> {
    for demo in &ORGS {
        let slug = OrgSlug::parse(demo.slug)?;
        if let Some(org) = organizations::find_by_slug(db, &slug).await? {
            ensure_newhire(db, hasher, &org, now).await?;
            ensure_directory(db, hasher, demo, &org, now).await?;
            ensure_book_of_business(db, demo, &org, now).await?;
            ensure_insured(db, hasher, services, &org, now).await?;
            continue;
        }
        let created = organizations::create(
            db,
            hasher,
            organizations::NewOrganization {
                name: demo.name.into(),
                slug: demo.slug.into(),
                agency_prefix: demo.prefix.into(),
                admin: users::NewStaffUser {
                    first_name: demo.admin.0.into(),
                    middle_name: demo.admin.1.into(),
                    last_name: demo.admin.2.into(),
                    email: Some(
                        format!("{}.{}@{}.example", demo.admin.0, demo.admin.2, demo.slug)
                            .to_ascii_lowercase(),
                    ),
                    password: DEMO_STAFF_PASSWORD.into(),
                    must_change_password: false,
                },
            },
            now,
        )
        .await?;
        let client_hash = hasher.hash(DEMO_CLIENT_PASSWORD.into()).await?;
        let staff_hash = hasher.hash(DEMO_STAFF_PASSWORD.into()).await?;
        let txn = begin_write(db).await?;
        let org = &created.organization;
        // A broker, so the staff list has more than its administrator.
        users::insert_staff(
            &txn,
            org,
            &PersonName::parse("Robin", "", "Hale")?,
            StaffRole::Broker,
            Some(&format!("robin.hale@{}.example", demo.slug)),
            staff_hash,
            false,
            None,
            now,
        )
        .await?;
        for (name, phone, manager, office) in &demo.accounts {
            let account = accounts::create(
                &txn,
                org,
                &accounts::NewAccount {
                    name: (*name).into(),
                    main_phone: phone.map(Into::into),
                    address: None,
                },
                None,
                now,
            )
            .await?;
            for (username, (first, last), role) in [
                ("manager", manager, ClientRole::AccountManager),
                ("office", office, ClientRole::OfficeStaff),
            ] {
                users::insert_client(
                    &txn,
                    &account,
                    &users::NewClientUser {
                        username: username.into(),
                        first_name: (*first).into(),
                        last_name: (*last).into(),
                        email: Some(format!("{first}.{last}@clients.example").to_ascii_lowercase()),
                        role,
                        must_change_password: false,
                    },
                    client_hash.clone(),
                    None,
                    now,
                )
                .await?;
            }
        }
        txn.commit().await?;
        ensure_newhire(db, hasher, org, now).await?;
        ensure_directory(db, hasher, demo, org, now).await?;
        ensure_book_of_business(db, demo, org, now).await?;
        ensure_insured(db, hasher, services, org, now).await?;
    }
    describe(db).await
}

/// The first demo organization gets its People directory.
async fn ensure_directory(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    demo: &DemoOrg,
    org: &organization::Model,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if demo.slug != ORGS[0].slug {
        return Ok(());
    }
    if let Some(admin) = demo_people::first_admin(db, org).await? {
        demo_people::ensure(db, org, admin.id, hasher, now).await?;
    }
    Ok(())
}

/// Policies in the demo brokerage's book of business.
pub const DEMO_POLICIES: u64 = 3_000;

/// The demo brokerage (the second organization) gets a book of business:
/// [`DEMO_POLICIES`] generated CSIO downloads (people and companies, some
/// expired, some near matches of another insured) imported through the
/// real import, unless it has policies already.
async fn ensure_book_of_business(
    db: &DatabaseConnection,
    demo: &DemoOrg,
    org: &organization::Model,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if demo.slug != ORGS[1].slug {
        return Ok(());
    }
    let has_policies = policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org.id))
        .one(db)
        .await?
        .is_some();
    if has_policies {
        return Ok(());
    }
    let shape = generate::SetShape {
        seed: 2026,
        policies: DEMO_POLICIES,
        today: now.date_naive(),
    };
    let import = imports::Import::start(
        db,
        imports::Importer::Operator {
            organization_id: org.id,
        },
        imports::Source::CommandLine,
        now,
    )
    .await?;
    for (name, text) in generate::files(&shape, 100) {
        import.add_file(db, &name, text.as_bytes(), now).await?;
    }
    import.finish(db, now).await?;
    Ok(())
}

/// A small real PDF (one page, one line of text), so a demo eDoc opens in
/// any viewer.
fn demo_pdf(title: &str) -> Vec<u8> {
    let text = title.replace(['(', ')', '\\'], "");
    let stream = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// The demo brokerage's first insured with a phone, two policies and one in
/// force for three months more gets a
/// login (registered by the demo broker, as from the Insureds page; the
/// password is then set to the demo client password) and two eDocs of its
/// first policy, unless an insured has the demo email already.
async fn ensure_insured(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    services: DemoServices<'_>,
    org: &organization::Model,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if org.slug != ORGS[1].slug {
        return Ok(());
    }
    if insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org.id))
        .filter(insured::Column::Email.eq(DEMO_INSURED_EMAIL))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let Some(broker) = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org.id))
        .filter(user::Column::Role.eq(StaffRole::Broker.as_str()))
        .order_by_asc(user::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let broker = crate::server::auth::Actor::from_user(&broker)?;
    let Some(who) = insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org.id))
        .filter(insured::Column::Phone.is_not_null())
        .filter(insured::Column::UserId.is_null())
        .filter(insured::Column::PolicyCount.gte(2))
        // In force for a while yet, so the portal shows an active policy.
        .filter(
            insured::Column::ActiveUntilKey.gt((now + chrono::Duration::days(90))
                .format("%Y%m%d")
                .to_string()
                .parse::<i32>()
                .unwrap_or(0)),
        )
        .order_by_asc(insured::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let registered = insured_logins::register(
        db,
        services.mail,
        &broker,
        &insured_logins::Registration {
            insured_id: who.id,
            email: DEMO_INSURED_EMAIL.into(),
            confirmed: true,
        },
        now,
    )
    .await?;
    // The demo password instead of the welcome link, which is retired so
    // it can't replace the password later.
    let hash = hasher.hash(DEMO_CLIENT_PASSWORD.into()).await?;
    let txn = begin_write(db).await?;
    if let Some(login) = user::Entity::find_by_id(registered.user_id)
        .one(&txn)
        .await?
    {
        let mut row: user::ActiveModel = login.into();
        row.password_hash = Set(Some(hash));
        row.update(&txn).await?;
    }
    crate::server::services::email_tokens::retire_all(&txn, registered.user_id, now).await?;
    txn.commit().await?;
    let Some(first) = policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org.id))
        .filter(policy::Column::InsuredId.eq(who.id))
        .order_by_desc(policy::Column::ExpiryDate)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let issued = first.effective_date - chrono::Duration::days(20);
    let issued = (
        chrono::Datelike::year(&issued),
        chrono::Datelike::month(&issued),
        chrono::Datelike::day(&issued),
    );
    for (title, purpose, kind) in [
        ("Declaration", "NBS", "DEC"),
        ("Liability slip", "NBS", "PINK"),
    ] {
        let bytes = demo_pdf(&format!("{title} - policy {}", first.policy_number));
        tokio::fs::create_dir_all(&services.files.dir)
            .await
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let stored_name = documents::generated_name();
        tokio::fs::write(services.files.dir.join(&stored_name), &bytes)
            .await
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
        edocs::add(
            db,
            &broker,
            who.id,
            Some(first.id),
            &crate::domain::edoc::EdocDetails {
                issue_date: issued,
                business_purpose: purpose,
                document_type: kind,
            },
            &documents::StoredPdf {
                file_name: format!("{title} {}.pdf", first.policy_number),
                stored_name,
                size_bytes: bytes.len() as i64,
            },
            None,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Adds `newhire` (initial password, must change it) to the organization's
/// first account unless that account already has one.
async fn ensure_newhire(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    org: &organization::Model,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(account) = client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(org.id))
        .order_by_asc(client_account::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let username = crate::domain::Username::parse(DEMO_NEWHIRE)?;
    if users::find_client(db, org.id, account.id, &username)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let hash = hasher.hash(DEMO_INITIAL_PASSWORD.into()).await?;
    let txn = begin_write(db).await?;
    users::insert_client(
        &txn,
        &account,
        &users::NewClientUser {
            username: DEMO_NEWHIRE.into(),
            first_name: "Nadia".into(),
            last_name: "Hirsch".into(),
            email: Some(format!("newhire@{}-clients.example", org.slug)),
            role: ClientRole::OfficeStaff,
            must_change_password: true,
        },
        hash,
        None,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn describe(db: &DatabaseConnection) -> Result<DemoSummary, ServiceError> {
    let mut organizations = Vec::new();
    for demo in &ORGS {
        let Some(org) = organization::Entity::find()
            .filter(organization::Column::Slug.eq(demo.slug))
            .one(db)
            .await?
        else {
            continue;
        };
        // The logins to try first: the administrator and the broker, and
        // the first two accounts' people; the directory's are counted.
        let staff = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(org.id))
            .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
            .order_by_asc(user::Column::Id)
            .limit(2)
            .all(db)
            .await?;
        let mut accounts = Vec::new();
        let mut listed = staff.len() as u64;
        for account in client_account::Entity::find()
            .filter(client_account::Column::OrganizationId.eq(org.id))
            .order_by_asc(client_account::Column::Id)
            .limit(2)
            .all(db)
            .await?
        {
            let usernames = user::Entity::find()
                .filter(user::Column::OrganizationId.eq(org.id))
                .filter(user::Column::ClientAccountId.eq(account.id))
                .order_by_asc(user::Column::Id)
                .all(db)
                .await?
                .into_iter()
                .map(|u| u.username)
                .collect::<Vec<_>>();
            listed += usernames.len() as u64;
            accounts.push((account.name, account.identifier, usernames));
        }
        let rep_manager = match user::Entity::find()
            .filter(user::Column::OrganizationId.eq(org.id))
            .filter(user::Column::Username.eq(demo_people::DEMO_REP_MANAGER))
            .one(db)
            .await?
        {
            Some(rep) => client_account::Entity::find_by_id(rep.client_account_id.unwrap_or(0))
                .one(db)
                .await?
                .map(|a| (a.name, a.identifier, rep.username)),
            None => None,
        };
        let insured = match insured::Entity::find()
            .filter(insured::Column::OrganizationId.eq(org.id))
            .filter(insured::Column::Email.eq(DEMO_INSURED_EMAIL))
            .one(db)
            .await?
        {
            Some(i) => client_account::Entity::find_by_id(i.client_account_id.unwrap_or(0))
                .one(db)
                .await?
                .map(|a| (i.full_name, a.identifier, DEMO_INSURED_EMAIL.to_string())),
            None => None,
        };
        organizations.push(DemoOrganization {
            insured,
            rep_manager,
            name: org.name,
            slug: org.slug,
            staff_usernames: staff.into_iter().map(|u| u.username).collect(),
            accounts,
            other_logins: user::Entity::find()
                .filter(user::Column::OrganizationId.eq(org.id))
                .count(db)
                .await?
                .saturating_sub(listed),
            book_of_business: (
                policy::Entity::find()
                    .filter(policy::Column::OrganizationId.eq(org.id))
                    .count(db)
                    .await?,
                insured::Entity::find()
                    .filter(insured::Column::OrganizationId.eq(org.id))
                    .count(db)
                    .await?,
            ),
        });
    }
    Ok(DemoSummary { organizations })
}
