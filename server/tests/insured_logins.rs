//! Registering insureds (Add email, ✎ Edit email, 🔑 Reset password) on
//! SQLite and PostgreSQL, with two organizations seeded: registration is one
//! transaction (account, login, audit, welcome email; a failure after the
//! login insert leaves none of them), the welcome link sets a password once
//! and the insured then signs in with identifier, email and password; a
//! duplicate email, a missing confirmation or a bad address changes
//! nothing; an email edit moves the sign-in and tells the old address; a
//! reset sends a link to the address on file; another brokerage, Staff and
//! clients are refused.

mod common;

use app::{
    domain::{audit_action, Identifier, InsuredsQuery, StaffRole},
    server::{
        auth::Actor,
        entities::{audit_event, client_account, insured, outbox_message, user},
        error::ServiceError,
        mail::MailSettings,
        services::{
            consolidation,
            imports::{self, Importer, Source},
            insured_logins::{self, Registration},
            insureds, passwords, person, sign_in,
        },
    },
};
use chrono::Utc;
use common::{staff_actor as staff, Seed};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use std::path::PathBuf;

const PUBLIC: &str = "https://gatehouse.example.test";
const NEW_PASSWORD: &str = "Insured-Pass-2026!";

fn mail() -> MailSettings {
    MailSettings::new(PUBLIC, true)
}

fn fixture(name: &str) -> (String, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/csio")
        .join(name);
    (name.to_string(), std::fs::read(&path).unwrap())
}

/// Both organizations import the same downloads; returns alpha's broker.
async fn setup(db: &DatabaseConnection) -> (Seed, Actor) {
    let s = common::seed(db).await;
    let alpha = staff(db, &s, false, StaffRole::Broker).await;
    let bravo = staff(db, &s, true, StaffRole::Broker).await;
    for by in [&alpha, &bravo] {
        imports::import_all(
            db,
            Importer::Staff(by),
            Source::Upload,
            None,
            vec![
                fixture("auto-jane-smith.xml"),
                fixture("commercial-smith-bakery.xml"),
            ],
            Utc::now(),
        )
        .await
        .unwrap();
    }
    (s, alpha)
}

async fn insured_named(db: &DatabaseConnection, org: i32, name: &str) -> insured::Model {
    insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org))
        .filter(insured::Column::FullName.eq(name))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no insured {name}"))
}

async fn outbox(db: &DatabaseConnection, org: i32) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::OrganizationId.eq(org))
        .order_by_asc(outbox_message::Column::Id)
        .all(db)
        .await
        .unwrap()
}

async fn audits(db: &DatabaseConnection, org: i32, action: &str) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::OrganizationId.eq(org))
        .filter(audit_event::Column::Action.eq(action))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// Everything registering writes, counted in one organization.
async fn footprint(db: &DatabaseConnection, org: i32) -> (u64, u64, u64, u64, u64) {
    let users = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org))
        .count(db)
        .await
        .unwrap();
    let accounts = client_account::Entity::find()
        .filter(client_account::Column::OrganizationId.eq(org))
        .count(db)
        .await
        .unwrap();
    let audit = audit_event::Entity::find()
        .filter(audit_event::Column::OrganizationId.eq(org))
        .count(db)
        .await
        .unwrap();
    let mails = outbox_message::Entity::find()
        .filter(outbox_message::Column::OrganizationId.eq(org))
        .count(db)
        .await
        .unwrap();
    let registered = insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org))
        .filter(insured::Column::UserId.is_not_null())
        .count(db)
        .await
        .unwrap();
    (users, accounts, audit, mails, registered)
}

fn token_in(body: &str) -> String {
    let at = body.find("token=").expect("a link with a token") + "token=".len();
    body[at..at + 64].to_string()
}

/// Registers insured `id` with `email`, as `by`, expecting success.
async fn register(
    db: &DatabaseConnection,
    by: &Actor,
    id: i32,
    email: &str,
) -> insured_logins::Registered {
    insured_logins::register(db, &mail(), by, &register_input(id, email), Utc::now())
        .await
        .unwrap()
}

fn register_input(insured_id: i32, email: &str) -> Registration {
    Registration {
        insured_id,
        email: email.into(),
        confirmed: true,
    }
}

async fn sign_in(
    db: &DatabaseConnection,
    identifier: &str,
    username: &str,
    password: &str,
) -> Result<sign_in::SignedIn, sign_in::SignInError> {
    sign_in::client(
        db,
        &common::hasher(),
        &common::session_settings(),
        sign_in::ClientCredentials {
            organization: "alpha".into(),
            identifier: identifier.into(),
            username: username.into(),
            password: password.into(),
        },
        None,
        Utc::now(),
    )
    .await
}

async fn set_password(db: &DatabaseConnection, token: &str) -> Result<String, ServiceError> {
    passwords::set_from_link(
        db,
        &common::hasher(),
        token,
        NEW_PASSWORD.into(),
        NEW_PASSWORD.into(),
        Utc::now(),
    )
    .await
}

both_engines!(
    registering_creates_the_account_login_audit_and_welcome_email_and_the_insured_signs_in,
    |db: DatabaseConnection| async move {
        let (s, broker) = setup(&db).await;
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        let before = footprint(&db, s.alpha.id).await;
        let mails_before = outbox(&db, s.alpha.id).await.len();

        let done = register(&db, &broker, jane.id, " Jane.Smith@Example.CA ").await;
        assert_eq!(done.email, "Jane.Smith@example.ca");
        // The identifier is the insured's phone digits (free in alpha).
        let phone = jane.phone.clone().unwrap();
        assert_eq!(
            done.identifier,
            Identifier::from_phone(&phone).unwrap().as_str()
        );

        let after = footprint(&db, s.alpha.id).await;
        assert_eq!(after.0, before.0 + 1, "one login");
        assert_eq!(after.1, before.1 + 1, "one client account");
        assert_eq!(after.3, before.3 + 1, "one email");
        assert_eq!(after.4, before.4 + 1, "one registered insured");

        let jane = insured::Entity::find_by_id(jane.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(jane.user_id, Some(done.user_id));
        assert_eq!(jane.email.as_deref(), Some("Jane.Smith@example.ca"));
        let login = user::Entity::find_by_id(done.user_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(login.role, "insured");
        assert_eq!(login.kind, "client");
        assert_eq!(login.username, "jane.smith@example.ca");
        assert_eq!(login.client_account_id, jane.client_account_id);
        assert!(login.password_hash.is_none(), "no password until the link");
        assert_eq!(login.display_name(), "Jane Smith");

        let registered = audits(&db, s.alpha.id, audit_action::INSURED_REGISTERED).await;
        assert_eq!(registered.len(), 1);
        assert_eq!(registered[0].actor_user_id, Some(broker.user_id));
        assert!(registered[0].details.contains("Jane Smith"));
        assert_eq!(
            audits(&db, s.alpha.id, audit_action::WELCOME_SENT)
                .await
                .len(),
            1
        );

        // The welcome email names the portal, the identifier and the
        // username, and carries the link.
        let mails = outbox(&db, s.alpha.id).await;
        assert_eq!(mails.len(), mails_before + 1);
        let welcome = mails.last().unwrap();
        assert_eq!(welcome.recipient, "Jane.Smith@example.ca");
        assert!(welcome.body.contains(&format!("{PUBLIC}/portal/alpha")));
        assert!(welcome
            .body
            .contains(&format!("Identifier: {}", done.identifier)));
        assert!(welcome.body.contains("Username: jane.smith@example.ca"));
        let token = token_in(&welcome.body);

        // The Insureds table shows the email and finds her by it.
        let found = insureds::list(
            &db,
            &broker,
            &InsuredsQuery {
                search: "jane.smith@example".into(),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(found.rows.len(), 1);
        assert_eq!(
            found.rows[0].email.as_deref(),
            Some("Jane.Smith@example.ca")
        );

        // No password yet: nothing signs in.
        assert!(
            sign_in(&db, &done.identifier, "jane.smith@example.ca", NEW_PASSWORD)
                .await
                .is_err()
        );
        // The link sets it, once.
        set_password(&db, &token).await.unwrap();
        assert!(set_password(&db, &token).await.is_err());
        // Identifier, email (any case) and password; she lands on the
        // insured's page of her portal, not the Account Manager's home.
        let signed = sign_in(&db, &done.identifier, "JANE.SMITH@example.ca", NEW_PASSWORD)
            .await
            .unwrap();
        assert_eq!(signed.landing, "/portal/alpha/insured");
        // The same identifier in the other organization is not hers.
        assert!(sign_in::client(
            &db,
            &common::hasher(),
            &common::session_settings(),
            sign_in::ClientCredentials {
                organization: "bravo".into(),
                identifier: done.identifier.clone(),
                username: "jane.smith@example.ca".into(),
                password: NEW_PASSWORD.into(),
            },
            None,
            Utc::now(),
        )
        .await
        .is_err());
    }
);

both_engines!(
    bad_input_duplicates_and_a_second_registration_change_nothing,
    |db: DatabaseConnection| async move {
        let (s, broker) = setup(&db).await;
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        let bakery = insured_named(&db, s.alpha.id, "Smith & Daughters Pâtisserie Ltd.").await;
        let field = |r: Result<_, ServiceError>| match r {
            Err(ServiceError::Invalid(e)) => (e.field, e.message),
            other => panic!("expected a refusal next to a field, got {other:?}"),
        };

        let before = footprint(&db, s.alpha.id).await;
        let unconfirmed = Registration {
            confirmed: false,
            ..register_input(jane.id, "jane@example.ca")
        };
        assert_eq!(
            field(insured_logins::register(&db, &mail(), &broker, &unconfirmed, Utc::now()).await)
                .0,
            "confirmed"
        );
        assert_eq!(
            field(
                insured_logins::register(
                    &db,
                    &mail(),
                    &broker,
                    &register_input(jane.id, "not an email"),
                    Utc::now()
                )
                .await
            )
            .0,
            "email"
        );
        assert_eq!(footprint(&db, s.alpha.id).await, before);

        // The bakery registers; Jane can't have the same address, in any case.
        register(&db, &broker, bakery.id, "orders@smithbakery.ca").await;
        let before = footprint(&db, s.alpha.id).await;
        let (f, message) = field(
            insured_logins::register(
                &db,
                &mail(),
                &broker,
                &register_input(jane.id, "ORDERS@smithbakery.ca"),
                Utc::now(),
            )
            .await,
        );
        assert_eq!(f, "email");
        assert!(
            message.contains("Smith & Daughters Pâtisserie Ltd."),
            "{message}"
        );
        // A staff login's email is taken too.
        let mut admin: user::ActiveModel = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(s.alpha.id))
            .filter(user::Column::Username.eq(s.alpha_admin.as_str()))
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .into();
        admin.email = sea_orm::Set(Some("ada@alpha.example".into()));
        sea_orm::ActiveModelTrait::update(admin, &db).await.unwrap();
        assert_eq!(
            field(
                insured_logins::register(
                    &db,
                    &mail(),
                    &broker,
                    &register_input(jane.id, "Ada@Alpha.example"),
                    Utc::now()
                )
                .await
            )
            .0,
            "email"
        );
        // Registering the bakery again is a conflict, not a second login.
        assert!(matches!(
            insured_logins::register(
                &db,
                &mail(),
                &broker,
                &register_input(bakery.id, "other@smithbakery.ca"),
                Utc::now()
            )
            .await,
            Err(ServiceError::Conflict(_))
        ));
        // (The admin's email was set directly, unaudited: every count is as
        // before.)
        assert_eq!(footprint(&db, s.alpha.id).await, before);

        // The same address is free in the other organization.
        let bravo_broker = staff(&db, &s, true, StaffRole::UserAdministrator).await;
        let bravo_jane = insured_named(&db, s.bravo.id, "Jane Smith").await;
        register(&db, &bravo_broker, bravo_jane.id, "orders@smithbakery.ca").await;
    }
);

both_engines!(
    a_failure_after_the_login_insert_leaves_no_account_login_audit_or_email,
    |db: DatabaseConnection| async move {
        let (s, broker) = setup(&db).await;
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        // Fail the registration's own audit row, written after the account,
        // the login and its "login created" row.
        let sqls: &[&str] = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            &[
                "CREATE FUNCTION gh_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER gh_fail BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.action = 'insured_registered') EXECUTE FUNCTION gh_fail()",
            ]
        } else {
            &["CREATE TRIGGER gh_fail BEFORE INSERT ON audit_events WHEN NEW.action = 'insured_registered' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"]
        };
        for sql in sqls {
            db.execute_unprepared(sql).await.unwrap();
        }
        let before = footprint(&db, s.alpha.id).await;
        let r = insured_logins::register(
            &db,
            &mail(),
            &broker,
            &register_input(jane.id, "jane@example.ca"),
            Utc::now(),
        )
        .await;
        assert!(matches!(r, Err(ServiceError::Internal(_))), "{r:?}");
        assert_eq!(footprint(&db, s.alpha.id).await, before);
        let jane_now = insured::Entity::find_by_id(jane.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(jane_now, jane, "the insured is untouched");

        // Without the failure the same registration goes through.
        let drop = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            "DROP TRIGGER gh_fail ON audit_events"
        } else {
            "DROP TRIGGER gh_fail"
        };
        db.execute_unprepared(drop).await.unwrap();
        register(&db, &broker, jane.id, "jane@example.ca").await;
    }
);

both_engines!(
    an_email_edit_moves_the_sign_in_and_tells_the_old_address,
    |db: DatabaseConnection| async move {
        let (s, broker) = setup(&db).await;
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        let done = register(&db, &broker, jane.id, "jane@example.ca").await;
        let token = token_in(&outbox(&db, s.alpha.id).await.last().unwrap().body);
        set_password(&db, &token).await.unwrap();
        let session = sign_in(&db, &done.identifier, "jane@example.ca", NEW_PASSWORD)
            .await
            .unwrap();

        let changed = insured_logins::change_email(
            &db,
            &mail(),
            &broker,
            jane.id,
            "jane.smith@newmail.example",
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(changed.email, "jane.smith@newmail.example");
        let mails = outbox(&db, s.alpha.id).await;
        let (notice, confirmation) = (&mails[mails.len() - 2], &mails[mails.len() - 1]);
        assert_eq!(notice.recipient, "jane@example.ca");
        assert!(notice.body.contains("changed by your broker"));
        // Only a hint of the new address: the old one may be a stranger's.
        assert!(notice.body.contains("j•••@newmail.example"));
        assert!(!notice.body.contains("jane.smith@newmail.example"));
        assert_eq!(confirmation.recipient, "jane.smith@newmail.example");
        assert!(!confirmation.body.contains("token="), "no reset needed");
        let audit = audits(&db, s.alpha.id, audit_action::INSURED_EMAIL_CHANGED).await;
        assert_eq!(audit.len(), 1);
        assert!(audit[0]
            .details
            .contains("from jane@example.ca to jane.smith@newmail.example"));

        // The password stays; the new address signs in, the old doesn't.
        sign_in(
            &db,
            &done.identifier,
            "jane.smith@newmail.example",
            NEW_PASSWORD,
        )
        .await
        .unwrap();
        assert!(
            sign_in(&db, &done.identifier, "jane@example.ca", NEW_PASSWORD)
                .await
                .is_err()
        );
        // The session opened before the change is still valid.
        let sessions = app::server::entities::session::Entity::find()
            .filter(app::server::entities::session::Column::UserId.eq(done.user_id))
            .count(&db)
            .await
            .unwrap();
        assert!(sessions >= 2, "sessions stay: {sessions}");
        let _ = session;
        let row = insured::Entity::find_by_id(jane.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.email.as_deref(), Some("jane.smith@newmail.example"));

        // The same address again, or one another login has, is refused.
        assert!(matches!(
            insured_logins::change_email(
                &db,
                &mail(),
                &broker,
                jane.id,
                "JANE.SMITH@newmail.example",
                Utc::now()
            )
            .await,
            Err(ServiceError::Invalid(_))
        ));
        let bakery = insured_named(&db, s.alpha.id, "Smith & Daughters Pâtisserie Ltd.").await;
        register(&db, &broker, bakery.id, "orders@smithbakery.ca").await;
        let before = footprint(&db, s.alpha.id).await;
        assert!(matches!(
            insured_logins::change_email(
                &db,
                &mail(),
                &broker,
                jane.id,
                "orders@smithbakery.ca",
                Utc::now()
            )
            .await,
            Err(ServiceError::Invalid(e)) if e.field == "email"
        ));
        assert_eq!(footprint(&db, s.alpha.id).await, before);
    }
);

both_engines!(
    a_mistyped_address_corrected_before_the_welcome_link_is_used_loses_that_link,
    |db: DatabaseConnection| async move {
        let (s, broker) = setup(&db).await;
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        let done = register(&db, &broker, jane.id, "jane@exmaple.ca").await;
        let mistyped = token_in(&outbox(&db, s.alpha.id).await.last().unwrap().body);

        insured_logins::change_email(
            &db,
            &mail(),
            &broker,
            jane.id,
            "jane@example.ca",
            Utc::now(),
        )
        .await
        .unwrap();
        let mails = outbox(&db, s.alpha.id).await;
        let (notice, welcome) = (&mails[mails.len() - 2], &mails[mails.len() - 1]);
        // The stranger at the mistyped address learns neither the new
        // address nor anything that signs in.
        assert_eq!(notice.recipient, "jane@exmaple.ca");
        assert!(!notice.body.contains("jane@example.ca"), "{}", notice.body);
        assert!(notice.body.contains("j•••@example.ca"));
        assert!(!notice.body.contains("token="));
        assert!(
            set_password(&db, &mistyped).await.is_err(),
            "the old link is dead"
        );
        // The client gets a new welcome link at the right address.
        assert_eq!(welcome.recipient, "jane@example.ca");
        assert!(welcome.body.contains("Username: jane@example.ca"));
        set_password(&db, &token_in(&welcome.body)).await.unwrap();
        sign_in(&db, &done.identifier, "jane@example.ca", NEW_PASSWORD)
            .await
            .unwrap();
    }
);

both_engines!(
    an_insureds_login_changes_only_from_the_insureds_page,
    |db: DatabaseConnection| async move {
        let (s, broker) = setup(&db).await;
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        let done = register(&db, &broker, jane.id, "jane@example.ca").await;
        let admin = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(s.alpha.id))
            .filter(user::Column::Username.eq(s.alpha_admin.as_str()))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let admin = Actor::from_user(&admin).unwrap();
        // People's details form can't change the email (it would leave the
        // username and the Insureds table behind)...
        let details = |email: &str| person::Details {
            first_name: "Jane".into(),
            middle_name: String::new(),
            last_name: "Smith".into(),
            email: email.into(),
            phone: String::new(),
        };
        assert!(matches!(
            person::update_details(&db, &admin, done.user_id, &details("other@example.ca"), Utc::now())
                .await,
            Err(ServiceError::Invalid(e)) if e.field == "email"
        ));
        // ...but the rest of the details, yes.
        person::update_details(
            &db,
            &admin,
            done.user_id,
            &details("jane@example.ca"),
            Utc::now(),
        )
        .await
        .unwrap();
        let login = user::Entity::find_by_id(done.user_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(login.username, "jane@example.ca");
        assert_eq!(login.email.as_deref(), Some("jane@example.ca"));
        // An insured's login is never offered for merging with another
        // client login of the same email.
        let alpha_manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(s.alpha_one.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let mut m: user::ActiveModel = alpha_manager.clone().into();
        m.email = sea_orm::Set(Some("jane@example.ca".into()));
        let alpha_manager = sea_orm::ActiveModelTrait::update(m, &db).await.unwrap();
        let others = consolidation::other_logins(&db, &alpha_manager)
            .await
            .unwrap();
        assert!(others.iter().all(|o| o.id != done.user_id), "{others:?}");
        assert!(consolidation::other_logins(&db, &login)
            .await
            .unwrap()
            .is_empty());
    }
);

both_engines!(
    a_reset_sends_a_link_to_the_address_on_file,
    |db: DatabaseConnection| async move {
        let (s, broker) = setup(&db).await;
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        // Not registered: nothing to reset, nothing sent.
        let before = footprint(&db, s.alpha.id).await;
        assert!(matches!(
            insured_logins::send_reset(&db, &mail(), &broker, jane.id, Utc::now()).await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            insured_logins::change_email(&db, &mail(), &broker, jane.id, "a@b.ca", Utc::now())
                .await,
            Err(ServiceError::Conflict(_))
        ));
        assert_eq!(footprint(&db, s.alpha.id).await, before);

        let done = register(&db, &broker, jane.id, "jane@example.ca").await;
        // Before she chose a password, the link is a new welcome link (and
        // the first one stops working: the newest wins).
        let first = token_in(&outbox(&db, s.alpha.id).await.last().unwrap().body);
        let sent = insured_logins::send_reset(&db, &mail(), &broker, jane.id, Utc::now())
            .await
            .unwrap();
        assert!(sent.welcome);
        assert_eq!(sent.masked_email, "j•••@example.ca");
        let second = token_in(&outbox(&db, s.alpha.id).await.last().unwrap().body);
        assert!(set_password(&db, &first).await.is_err());
        set_password(&db, &second).await.unwrap();

        let sent = insured_logins::send_reset(&db, &mail(), &broker, jane.id, Utc::now())
            .await
            .unwrap();
        assert!(!sent.welcome);
        let reset = outbox(&db, s.alpha.id).await.last().unwrap().clone();
        assert_eq!(reset.recipient, "jane@example.ca");
        assert!(reset.body.contains("token="));
        // Until it's used, the password keeps working.
        sign_in(&db, &done.identifier, "jane@example.ca", NEW_PASSWORD)
            .await
            .unwrap();
    }
);

both_engines!(
    another_brokerage_staff_and_clients_are_refused_and_nothing_changes,
    |db: DatabaseConnection| async move {
        let (s, broker) = setup(&db).await;
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        register(&db, &broker, jane.id, "jane@example.ca").await;
        let bakery = insured_named(&db, s.alpha.id, "Smith & Daughters Pâtisserie Ltd.").await;
        let before = footprint(&db, s.alpha.id).await;
        let bravo_before = footprint(&db, s.bravo.id).await;

        // Bravo's broker and administrator can't reach alpha's insureds.
        for bravo in [
            staff(&db, &s, true, StaffRole::UserAdministrator).await,
            staff(&db, &s, true, StaffRole::Staff).await,
        ] {
            let expected_forbidden = bravo.require_account_manager_staff().is_err();
            let check = |r: Result<(), ServiceError>| {
                if expected_forbidden {
                    assert!(matches!(r, Err(ServiceError::Forbidden)), "{r:?}");
                } else {
                    assert!(matches!(r, Err(ServiceError::NotFound)), "{r:?}");
                }
            };
            check(
                insured_logins::register(
                    &db,
                    &mail(),
                    &bravo,
                    &register_input(bakery.id, "x@example.ca"),
                    Utc::now(),
                )
                .await
                .map(|_| ()),
            );
            check(
                insured_logins::change_email(
                    &db,
                    &mail(),
                    &bravo,
                    jane.id,
                    "y@example.ca",
                    Utc::now(),
                )
                .await
                .map(|_| ()),
            );
            check(
                insured_logins::send_reset(&db, &mail(), &bravo, jane.id, Utc::now())
                    .await
                    .map(|_| ()),
            );
        }
        // Alpha's Staff role and a client login are refused outright.
        let alpha_staff = staff(&db, &s, false, StaffRole::Staff).await;
        let manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(s.alpha_one.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let client = Actor::from_user(&manager).unwrap();
        for actor in [&alpha_staff, &client] {
            assert!(matches!(
                insured_logins::register(
                    &db,
                    &mail(),
                    actor,
                    &register_input(bakery.id, "x@example.ca"),
                    Utc::now()
                )
                .await,
                Err(ServiceError::Forbidden)
            ));
            assert!(matches!(
                insured_logins::change_email(
                    &db,
                    &mail(),
                    actor,
                    jane.id,
                    "y@example.ca",
                    Utc::now()
                )
                .await,
                Err(ServiceError::Forbidden)
            ));
            assert!(matches!(
                insured_logins::send_reset(&db, &mail(), actor, jane.id, Utc::now()).await,
                Err(ServiceError::Forbidden)
            ));
        }
        // The staff logins made above are the only new rows.
        let after = footprint(&db, s.alpha.id).await;
        assert_eq!((after.1, after.3, after.4), (before.1, before.3, before.4));
        let bravo_after = footprint(&db, s.bravo.id).await;
        assert_eq!(
            (bravo_after.1, bravo_after.3, bravo_after.4),
            (bravo_before.1, bravo_before.3, bravo_before.4)
        );
        let jane_now = insured::Entity::find_by_id(jane.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(jane_now.email.as_deref(), Some("jane@example.ca"));
    }
);

both_engines!(
    the_follow_up_filters_find_who_never_signed_in_and_whose_welcome_expired_and_the_list_exports,
    |db: DatabaseConnection| async move {
        let (s, broker) = setup(&db).await;
        let clerk = staff(&db, &s, false, StaffRole::Staff).await;
        let other = staff(&db, &s, true, StaffRole::UserAdministrator).await;
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        let bakery = insured_named(&db, s.alpha.id, "Smith & Daughters Pâtisserie Ltd.").await;
        let done = register(&db, &broker, jane.id, "jane.smith@example.ca").await;
        register(&db, &broker, bakery.id, "orders@smithbakery.example").await;
        let names = |when: chrono::DateTime<Utc>, registered| {
            let db = db.clone();
            let broker = broker.clone();
            async move {
                let page = insureds::list(
                    &db,
                    &broker,
                    &InsuredsQuery {
                        registered,
                        ..Default::default()
                    },
                    when,
                )
                .await
                .unwrap();
                let mut names: Vec<String> = page.rows.into_iter().map(|r| r.full_name).collect();
                names.sort();
                names
            }
        };
        use app::domain::RegistrationFilter::{NeverSignedIn, WelcomeExpired};
        let both = vec![
            "Jane Smith".to_string(),
            "Smith & Daughters Pâtisserie Ltd.".to_string(),
        ];
        assert_eq!(names(Utc::now(), NeverSignedIn).await, both);
        assert!(
            names(Utc::now(), WelcomeExpired).await.is_empty(),
            "the links still work"
        );

        // Jane sets her password and signs in; the bakery never does.
        let welcome = outbox(&db, s.alpha.id)
            .await
            .into_iter()
            .rev()
            .find(|m| m.body.contains("jane.smith@example.ca"))
            .unwrap();
        set_password(&db, &token_in(&welcome.body)).await.unwrap();
        sign_in(&db, &done.identifier, "jane.smith@example.ca", NEW_PASSWORD)
            .await
            .unwrap();
        assert_eq!(
            names(Utc::now(), NeverSignedIn).await,
            vec!["Smith & Daughters Pâtisserie Ltd.".to_string()]
        );
        // Eight days on, the bakery's welcome link has expired (Jane chose
        // a password, so hers doesn't count).
        let later = Utc::now() + chrono::Duration::days(8);
        assert_eq!(
            names(later, WelcomeExpired).await,
            vec!["Smith & Daughters Pâtisserie Ltd.".to_string()]
        );
        let page = insureds::list(&db, &broker, &InsuredsQuery::default(), later)
            .await
            .unwrap();
        let row = |name: &str| {
            page.rows
                .iter()
                .find(|r| r.full_name == name)
                .unwrap()
                .clone()
        };
        assert!(row("Smith & Daughters Pâtisserie Ltd.").welcome_pending);
        assert!(!row("Jane Smith").welcome_pending);
        assert!(row("Jane Smith").last_sign_in_at.is_some());
        assert!(row("Jane Smith").registered_at.is_some());
        // Resend welcome: a new link, and the bakery leaves the list.
        let sent = insured_logins::send_reset(&db, &mail(), &broker, bakery.id, later)
            .await
            .unwrap();
        assert!(sent.welcome);
        assert!(names(later, WelcomeExpired).await.is_empty());

        // The export: the filtered list, every page, no secrets.
        let csv = insureds::export_csv(
            &db,
            &broker,
            &InsuredsQuery {
                registered: NeverSignedIn,
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "Insured,Address,City,Province,Postal code,Email,Policy numbers,Registered,Last signed in"
        );
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(
            lines[1].starts_with("Smith & Daughters Pâtisserie Ltd.,"),
            "{csv}"
        );
        assert!(lines[1].contains("orders@smithbakery.example"), "{csv}");
        assert!(lines[1].contains("NB-CP-0042117"), "{csv}");
        assert!(!csv.to_lowercase().contains("argon2"), "no password hashes");
        let all = insureds::export_csv(&db, &broker, &InsuredsQuery::default(), Utc::now())
            .await
            .unwrap();
        assert!(all.contains("jane.smith@example.ca"));
        // Staff who don't manage clients, and another brokerage.
        assert!(matches!(
            insureds::export_csv(&db, &clerk, &InsuredsQuery::default(), Utc::now()).await,
            Err(ServiceError::Forbidden)
        ));
        let theirs = insureds::export_csv(&db, &other, &InsuredsQuery::default(), Utc::now())
            .await
            .unwrap();
        assert!(!theirs.contains("jane.smith@example.ca"));
        assert!(!theirs.contains("orders@smithbakery.example"));
        assert!(theirs.contains("Jane Smith"), "bravo's own Jane");
    }
);
