//! Service tests: sign-in, sessions, identifiers, usernames and tenant
//! isolation, each run on SQLite and on PostgreSQL with a fresh database.

mod common;

use app::{
    domain::Identifier,
    error::{AppError, SIGN_IN_FAILED},
    server::{
        auth::{session, Actor},
        entities::{audit_event, session as session_entity, user},
        error::ServiceError,
        services::{accounts, demo, home, sign_in},
    },
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, Set,
};

fn staff(org: &str, username: &str, password: &str) -> sign_in::StaffCredentials {
    sign_in::StaffCredentials {
        organization: org.into(),
        username: username.into(),
        password: password.into(),
    }
}

fn client(
    org: &str,
    identifier: &str,
    username: &str,
    password: &str,
) -> sign_in::ClientCredentials {
    sign_in::ClientCredentials {
        organization: org.into(),
        identifier: identifier.into(),
        username: username.into(),
        password: password.into(),
    }
}

async fn staff_sign_in(
    db: &DatabaseConnection,
    c: sign_in::StaffCredentials,
) -> Result<sign_in::SignedIn, sign_in::SignInError> {
    sign_in::staff(
        db,
        &common::hasher(),
        &common::session_settings(),
        c,
        None,
        Utc::now(),
    )
    .await
}

async fn client_sign_in(
    db: &DatabaseConnection,
    c: sign_in::ClientCredentials,
) -> Result<sign_in::SignedIn, sign_in::SignInError> {
    sign_in::client(
        db,
        &common::hasher(),
        &common::session_settings(),
        c,
        None,
        Utc::now(),
    )
    .await
}

async fn user_of(db: &DatabaseConnection, token: &str) -> Option<user::Model> {
    session::find_live(db, token, &common::session_settings(), Utc::now())
        .await
        .unwrap()
        .map(|(_, u)| u)
}

/// The browser-facing error of a refusal is the one message, whatever the cause.
fn assert_refused(result: Result<sign_in::SignedIn, sign_in::SignInError>, case: &str) {
    match result {
        Err(e @ sign_in::SignInError::Refused(_)) => {
            assert_eq!(
                AppError::from(e),
                AppError::SignInFailed(SIGN_IN_FAILED.into()),
                "{case}"
            );
        }
        Err(other) => panic!("{case}: expected a refusal, got {other:?}"),
        Ok(_) => panic!("{case}: signed in"),
    }
}

both_engines!(
    staff_sign_in_opens_a_session_and_records_it,
    |db: DatabaseConnection| async move {
        let s = common::seed(&db).await;
        let before = Utc::now();
        let signed = staff_sign_in(
            &db,
            staff("ALPHA", &s.alpha_admin.to_uppercase(), common::PASSWORD),
        )
        .await
        .unwrap();
        let u = user_of(&db, &signed.token).await.expect("live session");
        assert_eq!(u.username, s.alpha_admin);
        assert_eq!(u.organization_id, s.alpha.id);
        assert!(u.last_login_at.unwrap() >= before - chrono::Duration::seconds(1));
        // Only the hash of the token is stored.
        assert!(session_entity::Entity::find_by_id(signed.token.clone())
            .one(&db)
            .await
            .unwrap()
            .is_none());
        let audited = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("sign_in"))
            .filter(audit_event::Column::TargetUserId.eq(u.id))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(audited, 1);
    }
);

both_engines!(
    every_wrong_staff_credential_gets_the_same_refusal,
    |db: DatabaseConnection| async move {
        let s = common::seed(&db).await;
        let admin = s.alpha_admin.clone();
        assert_refused(
            staff_sign_in(&db, staff("nowhere", &admin, common::PASSWORD)).await,
            "unknown organization",
        );
        assert_refused(
            staff_sign_in(&db, staff("alpha", "nobody", common::PASSWORD)).await,
            "unknown username",
        );
        assert_refused(
            staff_sign_in(&db, staff("alpha", "not a username", common::PASSWORD)).await,
            "malformed username",
        );
        assert_refused(
            staff_sign_in(&db, staff("alpha", &admin, "Wrong-Pass-1!")).await,
            "wrong password",
        );
        assert_refused(
            staff_sign_in(&db, staff("bravo", &admin, common::PASSWORD)).await,
            "other organization",
        );
        assert_refused(
            staff_sign_in(&db, staff("alpha", "manager", common::PASSWORD)).await,
            "a client user at the Admin Portal",
        );

        let u = user::Entity::find()
            .filter(user::Column::Username.eq(admin.clone()))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let mut inactive = u.clone().into_active_model();
        inactive.active = Set(false);
        inactive.update(&db).await.unwrap();
        assert_refused(
            staff_sign_in(&db, staff("alpha", &admin, common::PASSWORD)).await,
            "inactive user",
        );
        let mut no_login = u.into_active_model();
        no_login.active = Set(true);
        no_login.can_login = Set(false);
        no_login.update(&db).await.unwrap();
        assert_refused(
            staff_sign_in(&db, staff("alpha", &admin, common::PASSWORD)).await,
            "cannot log in",
        );

        assert_eq!(
            session_entity::Entity::find().count(&db).await.unwrap(),
            0,
            "no session was opened"
        );
        let failures = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("sign_in_failed"))
            .filter(audit_event::Column::OrganizationId.eq(s.alpha.id))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(
            failures, 6,
            "refusals in a known organization are audited there"
        );
    }
);

both_engines!(
    empty_fields_are_named_not_refused,
    |db: DatabaseConnection| async move {
        common::seed(&db).await;
        match staff_sign_in(&db, staff("alpha", "  ", "x")).await {
            Err(e @ sign_in::SignInError::Missing(_)) => assert_eq!(
                AppError::from(e).field_message("username").as_deref(),
                Some("Enter your username.")
            ),
            other => panic!("expected a missing-field error, got {other:?}"),
        }
        match client_sign_in(&db, client("alpha", "", "manager", "x")).await {
            Err(e @ sign_in::SignInError::Missing(_)) => {
                assert!(AppError::from(e).field_message("identifier").is_some())
            }
            other => panic!("expected a missing-field error, got {other:?}"),
        }
    }
);

both_engines!(
    one_username_and_password_in_two_accounts_and_two_organizations_reach_only_their_own,
    |db: DatabaseConnection| async move {
        let s = common::seed(&db).await;
        // alpha_one and bravo_one share the identifier 5550001111.
        assert_eq!(s.alpha_one.identifier, "5550001111");
        assert_eq!(s.bravo_one.identifier, "5550001111");
        for (org, account) in [
            ("alpha", &s.alpha_one),
            ("alpha", &s.alpha_two),
            ("bravo", &s.bravo_one),
            ("bravo", &s.bravo_two),
        ] {
            let signed = client_sign_in(
                &db,
                client(org, &account.identifier, "manager", common::PASSWORD),
            )
            .await
            .unwrap();
            let u = user_of(&db, &signed.token).await.unwrap();
            assert_eq!(
                u.client_account_id,
                Some(account.id),
                "{org}/{}",
                account.identifier
            );
            assert_eq!(u.organization_id, account.organization_id);
        }
        // An identifier of bravo's at alpha's portal is unknown there.
        assert_refused(
            client_sign_in(
                &db,
                client(
                    "alpha",
                    &s.bravo_two.identifier,
                    "manager",
                    common::PASSWORD,
                ),
            )
            .await,
            "other organization's identifier",
        );
        assert_refused(
            client_sign_in(
                &db,
                client("alpha", "99999999", "manager", common::PASSWORD),
            )
            .await,
            "unknown identifier",
        );
        assert_refused(
            client_sign_in(
                &db,
                client("alpha", &s.alpha_one.identifier, "office", common::PASSWORD),
            )
            .await,
            "unknown username",
        );
        assert_refused(
            client_sign_in(
                &db,
                client("alpha", &s.alpha_one.identifier, "manager", "nope"),
            )
            .await,
            "wrong password",
        );
        assert_refused(
            client_sign_in(
                &db,
                client(
                    "alpha",
                    &s.alpha_one.identifier,
                    &s.alpha_admin,
                    common::PASSWORD,
                ),
            )
            .await,
            "staff at the Client Portal",
        );
        // Identifiers are typed the way they are printed.
        client_sign_in(
            &db,
            client("alpha", "(555) 000-2222", "Manager", common::PASSWORD),
        )
        .await
        .expect("punctuated identifier");
    }
);

both_engines!(
    sessions_rotate_end_and_expire,
    |db: DatabaseConnection| async move {
        let s = common::seed(&db).await;
        let settings = common::session_settings();
        let first = staff_sign_in(&db, staff("alpha", &s.alpha_admin, common::PASSWORD))
            .await
            .unwrap();
        let second = sign_in::staff(
            &db,
            &common::hasher(),
            &settings,
            staff("alpha", &s.alpha_admin, common::PASSWORD),
            Some(&first.token),
            Utc::now(),
        )
        .await
        .unwrap();
        assert_ne!(first.token, second.token);
        assert!(
            user_of(&db, &first.token).await.is_none(),
            "the previous session ended at sign-in"
        );
        assert!(user_of(&db, &second.token).await.is_some());

        let lifetime = chrono::Duration::from_std(settings.lifetime).unwrap();
        let later = Utc::now() + lifetime + chrono::Duration::seconds(1);
        assert!(
            session::find_live(&db, &second.token, &common::session_settings(), later)
                .await
                .unwrap()
                .is_none(),
            "expired"
        );

        sign_in::sign_out(&db, &common::session_settings(), &second.token, Utc::now())
            .await
            .unwrap();
        assert!(user_of(&db, &second.token).await.is_none(), "signed out");
        assert_eq!(
            audit_event::Entity::find()
                .filter(audit_event::Column::Action.eq("sign_out"))
                .count(&db)
                .await
                .unwrap(),
            1
        );
    }
);

both_engines!(
    a_disabled_user_loses_their_session_at_once,
    |db: DatabaseConnection| async move {
        let s = common::seed(&db).await;
        let signed = client_sign_in(
            &db,
            client(
                "bravo",
                &s.bravo_two.identifier,
                "manager",
                common::PASSWORD,
            ),
        )
        .await
        .unwrap();
        let u = user_of(&db, &signed.token).await.unwrap();
        let mut off = u.into_active_model();
        off.can_login = Set(false);
        off.update(&db).await.unwrap();
        assert!(user_of(&db, &signed.token).await.is_none());
    }
);

both_engines!(
    identifiers_default_to_the_phone_then_to_a_free_random_number,
    |db: DatabaseConnection| async move {
        let s = common::seed(&db).await;
        let taken = accounts::default_identifier(&db, s.alpha.id, Some("(555) 000-1111"))
            .await
            .unwrap();
        assert_ne!(taken.as_str(), "5550001111");
        assert_eq!(taken.as_str().len(), 8);
        assert!(taken.as_str().chars().all(|c| c.is_ascii_digit()));
        let free = accounts::default_identifier(&db, s.alpha.id, Some("555 000 9999"))
            .await
            .unwrap();
        assert_eq!(free, Identifier::parse("5550009999").unwrap());
        let none = accounts::default_identifier(&db, s.alpha.id, None)
            .await
            .unwrap();
        assert_eq!(none.as_str().len(), 8);
    }
);

both_engines!(
    usernames_are_unique_per_account_and_generated_for_staff,
    |db: DatabaseConnection| async move {
        use app::server::services::users;
        let s = common::seed(&db).await;
        let hash = common::hasher()
            .hash("Another-Pass-1!".into())
            .await
            .unwrap();
        let dup = users::insert_client(
            &db,
            &s.alpha_one,
            &users::NewClientUser {
                username: "MANAGER".into(),
                first_name: "Second".into(),
                last_name: "Manager".into(),
                email: None,
                role: app::domain::ClientRole::OfficeStaff,
                must_change_password: false,
            },
            hash.clone(),
            None,
            Utc::now(),
        )
        .await;
        assert!(matches!(dup, Err(ServiceError::Conflict(_))), "{dup:?}");
        let name = app::domain::PersonName::parse("Ada", "", "Alpha Security Admin").unwrap();
        let second = users::insert_staff(
            &db,
            &s.alpha,
            &name,
            app::domain::StaffRole::Staff,
            None,
            hash,
            false,
            None,
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(second.username, format!("{}2", s.alpha_admin));
    }
);

both_engines!(
    landing_pages_show_only_the_actors_own_tenant,
    |db: DatabaseConnection| async move {
        let s = common::seed(&db).await;
        let signed = staff_sign_in(&db, staff("bravo", &s.bravo_admin, common::PASSWORD))
            .await
            .unwrap();
        let actor = Actor::from_user(&user_of(&db, &signed.token).await.unwrap()).unwrap();
        let view = home::staff_home(&db, &actor, false).await.unwrap();
        assert_eq!(view.organization_name, "Bravo Brokers");
        assert_eq!(
            (view.client_accounts, view.staff_logins, view.client_logins),
            (2, 1, 2)
        );
        assert!(
            matches!(
                home::client_home(&db, &actor, "bravo").await,
                Err(ServiceError::SignInRequired)
            ),
            "staff is not a client"
        );

        let signed = client_sign_in(
            &db,
            client(
                "alpha",
                &s.alpha_two.identifier,
                "manager",
                common::PASSWORD,
            ),
        )
        .await
        .unwrap();
        let actor = Actor::from_user(&user_of(&db, &signed.token).await.unwrap()).unwrap();
        let view = home::client_home(&db, &actor, "alpha").await.unwrap();
        assert_eq!(
            (view.account_name.as_str(), view.identifier.as_str()),
            ("Alpha Two", s.alpha_two.identifier.as_str())
        );
        assert!(
            matches!(
                home::client_home(&db, &actor, "bravo").await,
                Err(ServiceError::SignInRequired)
            ),
            "alpha's session is nothing at bravo's portal"
        );
        assert!(
            matches!(
                home::staff_home(&db, &actor, false).await,
                Err(ServiceError::Forbidden)
            ),
            "a client is not staff"
        );
    }
);

both_engines!(demo_data_loads_once, |db: DatabaseConnection| async move {
    let dir = tempfile::tempdir().unwrap();
    let files = app::server::state::FileSettings {
        dir: dir.path().join("documents"),
        max_upload_bytes: app::server::state::FileSettings::DEFAULT_MAX_UPLOAD_BYTES,
        account_quota_bytes: None,
    };
    let mail = app::server::mail::MailSettings::new("https://gatehouse.example.test", true);
    let services = demo::DemoServices {
        files: &files,
        mail: &mail,
    };
    let first = demo::load(&db, &common::hasher(), services, Utc::now())
        .await
        .unwrap();
    let users_after_first = user::Entity::find().count(&db).await.unwrap();
    let second = demo::load(&db, &common::hasher(), services, Utc::now())
        .await
        .unwrap();
    // The brokerage's registered insured, with two eDocs on disk.
    let (_, _, email) = first.organizations[1]
        .insured
        .clone()
        .expect("a demo insured");
    assert_eq!(email, demo::DEMO_INSURED_EMAIL);
    assert_eq!(
        second.organizations[1].insured,
        first.organizations[1].insured
    );
    assert_eq!(std::fs::read_dir(&files.dir).unwrap().count(), 2);
    assert_eq!(
        user::Entity::find().count(&db).await.unwrap(),
        users_after_first
    );
    assert_eq!(first.organizations.len(), 2);
    assert_eq!(
        first.organizations[0].accounts,
        second.organizations[0].accounts
    );
    for org in &first.organizations {
        assert_eq!(org.accounts.len(), 2);
        for (i, (_, identifier, usernames)) in org.accounts.iter().enumerate() {
            let mut expected = vec!["manager".to_string(), "office".to_string()];
            if i == 0 {
                expected.push(demo::DEMO_NEWHIRE.to_string());
                let newhire = client_sign_in(
                    &db,
                    client(
                        &org.slug,
                        identifier,
                        demo::DEMO_NEWHIRE,
                        demo::DEMO_INITIAL_PASSWORD,
                    ),
                )
                .await
                .unwrap();
                assert_eq!(
                    newhire.landing, "/account/password",
                    "must change the initial password"
                );
            }
            assert_eq!(usernames, &expected);
            let signed = client_sign_in(
                &db,
                client(&org.slug, identifier, "office", demo::DEMO_CLIENT_PASSWORD),
            )
            .await;
            assert!(signed.is_ok(), "demo office user of {identifier} signs in");
        }
        let signed = staff_sign_in(
            &db,
            staff(
                &org.slug,
                &org.staff_usernames[0],
                demo::DEMO_STAFF_PASSWORD,
            ),
        )
        .await;
        assert!(
            signed.is_ok(),
            "demo administrator of {} signs in",
            org.slug
        );
    }
});
