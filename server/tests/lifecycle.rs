//! Service tests of the account lifecycle, each on SQLite and PostgreSQL with
//! a fresh database and the clock passed in (no sleeping): lock-out, password
//! policy and changes, reset and welcome links, the outbox, sessions ending,
//! and the audit log, always with two organizations seeded.

mod common;

use app::{
    domain::{PersonName, StaffRole},
    server::{
        auth::{session, Actor},
        clock::Clock,
        entities::{audit_event, email_token, outbox_message, session as session_entity, user},
        error::ServiceError,
        mail::{worker, MailSettings},
        services::{
            audit_log, dev_mailbox, lockout, passwords, recovery, sign_in, user_access, users,
        },
    },
};
use chrono::{DateTime, Duration, Utc};
use common::{Seed, PASSWORD};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

const PUBLIC: &str = "https://gatehouse.example.test";

fn mail() -> MailSettings {
    MailSettings::new(PUBLIC, true)
}

async fn staff_sign_in_at(
    db: &DatabaseConnection,
    org: &str,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<sign_in::SignedIn, sign_in::SignInError> {
    sign_in::staff(
        db,
        &common::hasher(),
        &common::session_settings(),
        sign_in::StaffCredentials {
            organization: org.into(),
            username: username.into(),
            password: password.into(),
        },
        None,
        now,
    )
    .await
}

async fn client_sign_in_at(
    db: &DatabaseConnection,
    org: &str,
    identifier: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<sign_in::SignedIn, sign_in::SignInError> {
    sign_in::client(
        db,
        &common::hasher(),
        &common::session_settings(),
        sign_in::ClientCredentials {
            organization: org.into(),
            identifier: identifier.into(),
            username: "manager".into(),
            password: password.into(),
        },
        None,
        now,
    )
    .await
}

async fn staff_user(db: &DatabaseConnection, org_id: i32, username: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org_id))
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

async fn manager_of(db: &DatabaseConnection, account_id: i32) -> user::Model {
    user::Entity::find()
        .filter(user::Column::ClientAccountId.eq(account_id))
        .filter(user::Column::Username.eq("manager"))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

async fn set_email(db: &DatabaseConnection, u: &user::Model, email: &str) -> user::Model {
    let mut a = u.clone().into_active_model();
    a.email = Set(Some(email.into()));
    a.update(db).await.unwrap()
}

async fn actor_of(db: &DatabaseConnection, user_id: i32) -> Actor {
    let u = user::Entity::find_by_id(user_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    Actor::from_user(&u).unwrap()
}

async fn add_staff(
    db: &DatabaseConnection,
    seed_org: &app::server::entities::organization::Model,
    last: &str,
    role: StaffRole,
    must_change: bool,
) -> user::Model {
    let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
    users::insert_staff(
        db,
        seed_org,
        &PersonName::parse("Sam", "", last).unwrap(),
        role,
        Some(&format!("{}@example.com", last.to_lowercase())),
        hash,
        must_change,
        None,
        Utc::now(),
    )
    .await
    .unwrap()
}

async fn count_actions(db: &DatabaseConnection, org_id: i32, action: &str) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::OrganizationId.eq(org_id))
        .filter(audit_event::Column::Action.eq(action))
        .count(db)
        .await
        .unwrap()
}

async fn outbox_of(db: &DatabaseConnection, org_id: i32) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::OrganizationId.eq(org_id))
        .order_by_asc(outbox_message::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// The token in the first link of an email body.
fn token_in(body: &str) -> String {
    let at = body.find("token=").expect("a link with a token") + "token=".len();
    body[at..at + 64].to_string()
}

fn is_refused(r: &Result<sign_in::SignedIn, sign_in::SignInError>) -> bool {
    matches!(r, Err(sign_in::SignInError::Refused(_)))
}

both_engines!(
    five_failures_lock_a_key_for_a_minute_then_longer,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let t0 = Utc::now();
        for i in 0..5 {
            let r = staff_sign_in_at(
                &db,
                "alpha",
                &seed.alpha_admin,
                "wrong",
                t0 + Duration::seconds(i),
            )
            .await;
            assert!(is_refused(&r));
        }
        assert_eq!(count_actions(&db, seed.alpha.id, "sign_in_locked").await, 1);
        // Locked: even the right password is refused, with the same error.
        let locked = staff_sign_in_at(
            &db,
            "alpha",
            &seed.alpha_admin,
            PASSWORD,
            t0 + Duration::seconds(30),
        )
        .await;
        match locked {
            Err(e) => assert_eq!(
                app::error::AppError::from(e),
                app::error::AppError::sign_in_failed()
            ),
            Ok(_) => panic!("a locked key signed in"),
        }
        // The other organization's user of the same name is not affected.
        assert!(staff_sign_in_at(
            &db,
            "bravo",
            &seed.bravo_admin,
            PASSWORD,
            t0 + Duration::seconds(31)
        )
        .await
        .is_ok());
        // After the minute the right password works and resets the count.
        assert!(staff_sign_in_at(
            &db,
            "alpha",
            &seed.alpha_admin,
            PASSWORD,
            t0 + Duration::seconds(66)
        )
        .await
        .is_ok());
        assert!(!lockout::is_locked(
            &db,
            &lockout::Key::staff(seed.alpha.id, &seed.alpha_admin),
            t0 + Duration::seconds(66)
        )
        .await
        .unwrap());

        // Two lock-outs in a row: the second lasts two minutes.
        let t1 = t0 + Duration::minutes(10);
        for round in 0..2 {
            for i in 0..5 {
                let at = t1 + Duration::minutes(round * 5) + Duration::seconds(i);
                assert!(is_refused(
                    &staff_sign_in_at(&db, "alpha", &seed.alpha_admin, "wrong", at).await
                ));
            }
        }
        let second_lock = t1 + Duration::minutes(5) + Duration::seconds(4);
        let key = lockout::Key::staff(seed.alpha.id, &seed.alpha_admin.to_uppercase());
        assert!(
            lockout::is_locked(&db, &key, second_lock + Duration::seconds(90))
                .await
                .unwrap()
        );
        assert!(
            !lockout::is_locked(&db, &key, second_lock + Duration::seconds(121))
                .await
                .unwrap()
        );
    }
);

/// `password` hashed as an older release might have: argon2i, 4 MiB, one pass.
fn old_style_hash(password: &str) -> String {
    use argon2::{password_hash::SaltString, Algorithm, Argon2, Params, PasswordHasher, Version};
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::new(
        Algorithm::Argon2i,
        Version::V0x13,
        Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(password.as_bytes(), &salt)
    .unwrap()
    .to_string()
}

async fn set_hash(db: &DatabaseConnection, u: user::Model, phc: &str) {
    let mut a = u.into_active_model();
    a.password_hash = Set(Some(phc.to_string()));
    a.update(db).await.unwrap();
}

both_engines!(
    a_hash_made_with_old_parameters_is_replaced_at_the_next_successful_sign_in,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let t0 = Utc::now();
        let old = old_style_hash(PASSWORD);
        let alpha = staff_user(&db, seed.alpha.id, &seed.alpha_admin).await;
        let bravo = staff_user(&db, seed.bravo.id, &seed.bravo_admin).await;
        set_hash(&db, alpha.clone(), &old).await;
        set_hash(&db, bravo.clone(), &old).await;
        let stored = |id: i32| {
            let db = db.clone();
            async move {
                user::Entity::find_by_id(id)
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap()
                    .password_hash
                    .unwrap()
            }
        };

        // A wrong password changes nothing.
        assert!(is_refused(
            &staff_sign_in_at(&db, "alpha", &seed.alpha_admin, "wrong", t0).await
        ));
        assert_eq!(stored(alpha.id).await, old);

        // The right one signs in and upgrades the hash in the same step.
        staff_sign_in_at(&db, "alpha", &seed.alpha_admin, PASSWORD, t0)
            .await
            .expect("the old hash still verifies");
        let upgraded = stored(alpha.id).await;
        assert_ne!(upgraded, old);
        assert!(
            upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{upgraded}"
        );
        assert!(!app::server::auth::password::needs_rehash(&upgraded));
        staff_sign_in_at(&db, "alpha", &seed.alpha_admin, PASSWORD, t0)
            .await
            .expect("the new hash verifies");
        assert_eq!(
            stored(alpha.id).await,
            upgraded,
            "hashed once, not at every sign-in"
        );

        // The other organization's login, which has not signed in, keeps its hash.
        assert_eq!(stored(bravo.id).await, old);
    }
);

both_engines!(
    unknown_usernames_lock_too_so_a_lock_reveals_nothing,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let t0 = Utc::now();
        for i in 0..5 {
            let _ = staff_sign_in_at(&db, "alpha", "nobody", "x", t0 + Duration::seconds(i)).await;
        }
        assert!(lockout::is_locked(
            &db,
            &lockout::Key::staff(seed.alpha.id, "nobody"),
            t0 + Duration::seconds(10)
        )
        .await
        .unwrap());
        // Client Portal keys include the account: one account's lock is not another's.
        for i in 0..5 {
            let _ = client_sign_in_at(
                &db,
                "alpha",
                seed.alpha_one.identifier.as_str(),
                "wrong",
                t0 + Duration::seconds(i),
            )
            .await;
        }
        assert!(is_refused(
            &client_sign_in_at(
                &db,
                "alpha",
                &seed.alpha_one.identifier,
                PASSWORD,
                t0 + Duration::seconds(20)
            )
            .await
        ));
        assert!(client_sign_in_at(
            &db,
            "alpha",
            &seed.alpha_two.identifier,
            PASSWORD,
            t0 + Duration::seconds(20)
        )
        .await
        .is_ok());
        assert!(client_sign_in_at(
            &db,
            "bravo",
            &seed.bravo_one.identifier,
            PASSWORD,
            t0 + Duration::seconds(20)
        )
        .await
        .is_ok());
    }
);

both_engines!(
    every_spelling_of_an_identifier_counts_against_the_same_lock,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let t0 = Utc::now();
        let digits = seed.alpha_one.identifier.clone();
        let spellings = [
            format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..]),
            format!("{}.{}.{}", &digits[..3], &digits[3..6], &digits[6..]),
            format!("+{digits}"),
            format!(" {digits} "),
            format!("{}-{}", &digits[..5], &digits[5..]),
        ];
        for (i, spelling) in spellings.iter().enumerate() {
            let r = client_sign_in_at(
                &db,
                "alpha",
                spelling,
                "wrong",
                t0 + Duration::seconds(i as i64),
            )
            .await;
            assert!(is_refused(&r));
        }
        assert!(is_refused(
            &client_sign_in_at(&db, "alpha", &digits, PASSWORD, t0 + Duration::seconds(10)).await
        ));
    }
);

both_engines!(
    a_user_with_an_initial_password_lands_on_the_change_and_must_pick_a_different_valid_one,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let newbie = add_staff(&db, &seed.alpha, "Newbie", StaffRole::Staff, true).await;
        let now = Utc::now();
        let signed = staff_sign_in_at(&db, "alpha", &newbie.username, PASSWORD, now)
            .await
            .unwrap();
        assert_eq!(signed.landing, "/account/password");
        let actor = actor_of(&db, newbie.id).await;
        let change = |current: &str, new: &str, confirm: &str| passwords::PasswordChange {
            current_password: current.into(),
            new_password: new.into(),
            confirm_password: confirm.into(),
        };
        let field_of = |e: ServiceError| match e {
            ServiceError::Invalid(p) => (p.field, p.message),
            other => panic!("expected a validation error, got {other:?}"),
        };
        let h = common::hasher();
        // The same password again is refused.
        let e = passwords::change(
            &db,
            &h,
            &actor,
            &signed.token,
            change(PASSWORD, PASSWORD, PASSWORD),
            now,
        )
        .await
        .unwrap_err();
        assert_eq!(
            field_of(e),
            (
                "new_password",
                "Choose a password different from your current one.".to_string()
            )
        );
        // One message per broken rule.
        let e = passwords::change(
            &db,
            &h,
            &actor,
            &signed.token,
            change(PASSWORD, "short", "short"),
            now,
        )
        .await
        .unwrap_err();
        let (field, message) = field_of(e);
        assert_eq!(field, "new_password");
        assert_eq!(message.lines().count(), 4, "{message}");
        // Containing the username, or common, is refused.
        let with_name = format!("X{}-2026!", newbie.username);
        let e = passwords::change(
            &db,
            &h,
            &actor,
            &signed.token,
            change(PASSWORD, &with_name, &with_name),
            now,
        )
        .await
        .unwrap_err();
        assert!(field_of(e).1.contains("username"));
        let e = passwords::change(
            &db,
            &h,
            &actor,
            &signed.token,
            change(PASSWORD, "Password1!", "Password1!"),
            now,
        )
        .await
        .unwrap_err();
        assert!(field_of(e).1.contains("too common"));
        // Wrong current password, mismatched confirmation.
        let e = passwords::change(
            &db,
            &h,
            &actor,
            &signed.token,
            change("nope", "Harbour-Light-7", "Harbour-Light-7"),
            now,
        )
        .await
        .unwrap_err();
        assert_eq!(field_of(e).0, "current_password");
        let e = passwords::change(
            &db,
            &h,
            &actor,
            &signed.token,
            change(PASSWORD, "Harbour-Light-7", "Harbour-Light-8"),
            now,
        )
        .await
        .unwrap_err();
        assert_eq!(field_of(e).0, "confirm_password");
        // Nothing changed so far.
        let still = staff_user(&db, seed.alpha.id, &newbie.username).await;
        assert!(still.must_change_password);
        assert_eq!(still.password_hash, newbie.password_hash);
        assert_eq!(
            count_actions(&db, seed.alpha.id, "password_changed").await,
            0
        );

        // A 64+ character passphrase is accepted whole.
        let long = format!("{}Aa1!", "lighthouse keeper at the harbour ".repeat(3));
        let next = passwords::change(
            &db,
            &h,
            &actor,
            &signed.token,
            change(PASSWORD, &long, &long),
            now,
        )
        .await
        .unwrap()
        .next;
        assert_eq!(next, "/admin");
        let changed = staff_user(&db, seed.alpha.id, &newbie.username).await;
        assert!(!changed.must_change_password);
        assert_eq!(
            count_actions(&db, seed.alpha.id, "password_changed").await,
            1
        );
        assert!(is_refused(
            &staff_sign_in_at(&db, "alpha", &newbie.username, &long[..long.len() - 1], now).await
        ));
        assert!(staff_sign_in_at(&db, "alpha", &newbie.username, &long, now)
            .await
            .is_ok());
    }
);

both_engines!(
    a_password_change_rotates_this_session_and_ends_the_others,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let now = Utc::now();
        let here = staff_sign_in_at(&db, "alpha", &seed.alpha_admin, PASSWORD, now)
            .await
            .unwrap();
        let elsewhere = staff_sign_in_at(&db, "alpha", &seed.alpha_admin, PASSWORD, now)
            .await
            .unwrap();
        let bravo = staff_sign_in_at(&db, "bravo", &seed.bravo_admin, PASSWORD, now)
            .await
            .unwrap();
        let actor = actor_of(&db, here.user_id).await;
        let changed = passwords::change(
            &db,
            &common::hasher(),
            &actor,
            &here.token,
            passwords::PasswordChange {
                current_password: PASSWORD.into(),
                new_password: "Harbour-Light-7".into(),
                confirm_password: "Harbour-Light-7".into(),
            },
            now,
        )
        .await
        .unwrap();
        let live = |t: String| {
            let db = db.clone();
            async move {
                session::find_live(&db, &t, &common::session_settings(), now)
                    .await
                    .unwrap()
                    .is_some()
            }
        };
        assert!(
            live(changed.token.clone()).await,
            "this browser stays signed in"
        );
        assert_ne!(changed.token, here.token);
        assert!(
            !live(here.token.clone()).await,
            "under a new id: the old one is refused"
        );
        assert!(
            !live(elsewhere.token.clone()).await,
            "the other session ended"
        );
        assert!(
            live(bravo.token.clone()).await,
            "other organizations untouched"
        );
    }
);

both_engines!(
    sessions_end_when_idle_or_past_their_lifetime_and_use_keeps_them_alive,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let settings = common::session_settings();
        let idle = Duration::from_std(settings.idle_timeout).unwrap();
        let t0 = Utc::now();
        let s = staff_sign_in_at(&db, "alpha", &seed.alpha_admin, PASSWORD, t0)
            .await
            .unwrap();
        let find = |at: DateTime<Utc>| {
            let db = db.clone();
            let token = s.token.clone();
            let settings = settings.clone();
            async move {
                session::find_live(&db, &token, &settings, at)
                    .await
                    .unwrap()
            }
        };
        // Used every idle-timeout minus a minute: it stays alive...
        let mut at = t0;
        for _ in 0..3 {
            at += idle - Duration::minutes(1);
            let (row, _) = find(at).await.expect("alive while used");
            session::touch(&db, &row, at).await.unwrap();
        }
        // ...and ends once unused for longer than the idle timeout.
        assert!(find(at + idle + Duration::seconds(1)).await.is_none());

        // The absolute lifetime ends it even when it is used all the time.
        let lifetime = Duration::from_std(settings.lifetime).unwrap();
        let s2 = staff_sign_in_at(&db, "alpha", &seed.alpha_admin, PASSWORD, t0)
            .await
            .unwrap();
        let mut at = t0;
        while at < t0 + lifetime - Duration::minutes(20) {
            at += Duration::minutes(20);
            let (row, _) = session::find_live(&db, &s2.token, &settings, at)
                .await
                .unwrap()
                .expect("alive");
            session::touch(&db, &row, at).await.unwrap();
        }
        assert!(session::find_live(
            &db,
            &s2.token,
            &settings,
            t0 + lifetime + Duration::seconds(1)
        )
        .await
        .unwrap()
        .is_none());
    }
);

both_engines!(
    disabling_a_user_or_removing_can_login_ends_their_sessions_at_once,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let now = Utc::now();
        let broker = add_staff(&db, &seed.alpha, "Broker", StaffRole::Broker, false).await;
        let admin = actor_of(
            &db,
            staff_user(&db, seed.alpha.id, &seed.alpha_admin).await.id,
        )
        .await;
        let b1 = staff_sign_in_at(&db, "alpha", &broker.username, PASSWORD, now)
            .await
            .unwrap();
        let b2 = staff_sign_in_at(&db, "alpha", &broker.username, PASSWORD, now)
            .await
            .unwrap();
        // A reset link asked for before the user was disabled.
        recovery::forgot_staff_password(&db, &mail(), "alpha", "broker@example.com", now)
            .await
            .unwrap();
        let link = token_in(&outbox_of(&db, seed.alpha.id).await.last().unwrap().body);
        assert!(passwords::link_form(&db, &link, now)
            .await
            .unwrap()
            .is_some());
        let ended = user_access::set(
            &db,
            &admin,
            broker.id,
            user_access::Switch::Active,
            false,
            now,
        )
        .await
        .unwrap();
        assert_eq!(ended, 2);
        assert!(
            passwords::link_form(&db, &link, now)
                .await
                .unwrap()
                .is_none(),
            "a disabled login's links die with it"
        );
        for t in [&b1.token, &b2.token] {
            assert!(session::find_live(&db, t, &common::session_settings(), now)
                .await
                .unwrap()
                .is_none());
        }
        assert_eq!(
            session_entity::Entity::find()
                .filter(session_entity::Column::UserId.eq(broker.id))
                .count(&db)
                .await
                .unwrap(),
            0
        );
        assert_eq!(count_actions(&db, seed.alpha.id, "user_disabled").await, 1);
        assert!(is_refused(
            &staff_sign_in_at(&db, "alpha", &broker.username, PASSWORD, now).await
        ));

        user_access::set(
            &db,
            &admin,
            broker.id,
            user_access::Switch::Active,
            true,
            now,
        )
        .await
        .unwrap();
        let b3 = staff_sign_in_at(&db, "alpha", &broker.username, PASSWORD, now)
            .await
            .unwrap();
        user_access::set(
            &db,
            &admin,
            broker.id,
            user_access::Switch::CanLogin,
            false,
            now,
        )
        .await
        .unwrap();
        assert!(
            session::find_live(&db, &b3.token, &common::session_settings(), now)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(count_actions(&db, seed.alpha.id, "login_revoked").await, 1);

        // Only a User Administrator, only in their own organization.
        let broker_actor = actor_of(&db, broker.id).await;
        let admin_user = staff_user(&db, seed.alpha.id, &seed.alpha_admin).await;
        assert!(matches!(
            user_access::set(
                &db,
                &broker_actor,
                admin_user.id,
                user_access::Switch::Active,
                false,
                now
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
        let bravo_admin = staff_user(&db, seed.bravo.id, &seed.bravo_admin).await;
        assert!(matches!(
            user_access::set(
                &db,
                &admin,
                bravo_admin.id,
                user_access::Switch::Active,
                false,
                now
            )
            .await,
            Err(ServiceError::NotFound)
        ));
        assert!(
            staff_user(&db, seed.bravo.id, &seed.bravo_admin)
                .await
                .active,
            "victim unchanged"
        );
    }
);

both_engines!(
    forgot_password_queues_one_link_per_matching_login_and_nothing_for_unknown_addresses,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let now = Utc::now();
        let admin = staff_user(&db, seed.alpha.id, &seed.alpha_admin).await;
        set_email(&db, &admin, "Ada@Alpha.example").await;
        let m = mail();
        // Unknown address, unknown organization, other organization: nothing written.
        let before = audit_event::Entity::find().count(&db).await.unwrap();
        recovery::forgot_staff_password(&db, &m, "alpha", "nobody@alpha.example", now)
            .await
            .unwrap();
        recovery::forgot_staff_password(&db, &m, "no-such-org", "ada@alpha.example", now)
            .await
            .unwrap();
        recovery::forgot_staff_password(&db, &m, "bravo", "ada@alpha.example", now)
            .await
            .unwrap();
        assert_eq!(outbox_message::Entity::find().count(&db).await.unwrap(), 0);
        assert_eq!(
            audit_event::Entity::find().count(&db).await.unwrap(),
            before
        );
        // A malformed address is a field error.
        assert!(matches!(
            recovery::forgot_staff_password(&db, &m, "alpha", "not-an-email", now).await,
            Err(ServiceError::Invalid(p)) if p.field == "email"
        ));

        // The address on file (any case) gets a link built from the public URL.
        recovery::forgot_staff_password(&db, &m, "alpha", "ada@ALPHA.example", now)
            .await
            .unwrap();
        let sent = outbox_of(&db, seed.alpha.id).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].recipient, "Ada@Alpha.example");
        assert_eq!(sent[0].subject, "Reset your Gatehouse password");
        assert!(
            sent[0]
                .body
                .contains(&format!("{PUBLIC}/password/reset?token=")),
            "{}",
            sent[0].body
        );
        assert_eq!(
            count_actions(&db, seed.alpha.id, "reset_requested").await,
            1
        );
        assert_eq!(count_actions(&db, seed.alpha.id, "email_queued").await, 1);
        // Only the hash is stored.
        let token = token_in(&sent[0].body);
        let stored = email_token::Entity::find().one(&db).await.unwrap().unwrap();
        assert_ne!(stored.id, token);
        assert_eq!(stored.id, session::session_id(&token));
        assert_eq!(stored.expires_at - stored.created_at, Duration::hours(1));
    }
);

both_engines!(
    a_login_gets_at_most_three_self_service_emails_an_hour_and_its_last_link_keeps_working,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let t0 = Utc::now();
        let m = mail();
        let alpha = staff_user(&db, seed.alpha.id, &seed.alpha_admin).await;
        let bravo = staff_user(&db, seed.bravo.id, &seed.bravo_admin).await;
        set_email(&db, &alpha, "ada@example.com").await;
        set_email(&db, &bravo, "ada@example.com").await;
        let ask = |org: &'static str, at: DateTime<Utc>| {
            let db = db.clone();
            let m = &m;
            async move { recovery::forgot_staff_password(&db, m, org, "ada@example.com", at).await }
        };
        for i in 0..3 {
            ask("alpha", t0 + Duration::minutes(i)).await.unwrap();
        }
        let sent = outbox_of(&db, seed.alpha.id).await;
        assert_eq!(sent.len(), 3);
        let last = token_in(&sent[2].body);

        // The flood: the same answer, but no email and no new link.
        for i in 0..5 {
            ask("alpha", t0 + Duration::minutes(10 + i))
                .await
                .expect("the form answers as before");
        }
        assert_eq!(outbox_of(&db, seed.alpha.id).await.len(), 3);
        assert_eq!(count_actions(&db, seed.alpha.id, "email_withheld").await, 5);
        assert!(
            passwords::link_form(&db, &last, t0 + Duration::minutes(20))
                .await
                .unwrap()
                .is_some(),
            "the last link sent still works"
        );
        // Identifier reminders have a cap of their own: flooding them does
        // not use up the reset links the same login may need.
        let manager = manager_of(&db, seed.alpha_one.id).await;
        set_email(&db, &manager, "manny@one.example").await;
        for i in 0..4 {
            recovery::forgot_identifier(
                &db,
                &m,
                "alpha",
                "manny@one.example",
                t0 + Duration::minutes(i),
            )
            .await
            .unwrap();
        }
        recovery::forgot_client_password(
            &db,
            &m,
            "alpha",
            &seed.alpha_one.identifier,
            "manny@one.example",
            t0 + Duration::minutes(5),
        )
        .await
        .unwrap();
        let to_manny: Vec<String> = outbox_of(&db, seed.alpha.id)
            .await
            .into_iter()
            .filter(|e| e.recipient == "manny@one.example")
            .map(|e| e.subject)
            .collect();
        assert_eq!(to_manny.len(), 4, "{to_manny:?}");
        assert_eq!(
            to_manny.iter().filter(|s| s.contains("identifier")).count(),
            3,
            "{to_manny:?}"
        );
        assert!(
            to_manny
                .iter()
                .any(|s| s == "Reset your Gatehouse password"),
            "{to_manny:?}"
        );

        // The same address at another organization is another login.
        ask("bravo", t0 + Duration::minutes(20)).await.unwrap();
        assert_eq!(outbox_of(&db, seed.bravo.id).await.len(), 1);

        // Staff sending a reset are not capped.
        let admin = actor_of(&db, alpha.id).await;
        let other = add_staff(&db, &seed.alpha, "Grace", StaffRole::Staff, false).await;
        for i in 0..3 {
            recovery::forgot_staff_password(
                &db,
                &m,
                "alpha",
                "grace@example.com",
                t0 + Duration::minutes(i),
            )
            .await
            .unwrap();
        }
        recovery::send_welcome(&db, &m, &admin, other.id, t0 + Duration::minutes(5))
            .await
            .expect("staff are not capped");
        let to_grace = outbox_of(&db, seed.alpha.id)
            .await
            .into_iter()
            .filter(|e| e.recipient == "grace@example.com")
            .count();
        assert_eq!(to_grace, 4);

        // An hour after the first ones, requests go out again.
        ask("alpha", t0 + Duration::minutes(61)).await.unwrap();
        assert_eq!(
            outbox_of(&db, seed.alpha.id)
                .await
                .into_iter()
                .filter(|e| e.recipient == "ada@example.com")
                .count(),
            4
        );
    }
);

both_engines!(
    reset_links_are_single_use_expire_and_the_newest_replaces_the_older,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let t0 = Utc::now();
        let manager = manager_of(&db, seed.alpha_one.id).await;
        set_email(&db, &manager, "manny@one.example").await;
        let m = mail();
        let h = common::hasher();
        let ask = |at: DateTime<Utc>| {
            let db = db.clone();
            let m = &m;
            let identifier = seed.alpha_one.identifier.clone();
            async move {
                recovery::forgot_client_password(
                    &db,
                    m,
                    "alpha",
                    &identifier,
                    "manny@one.example",
                    at,
                )
                .await
                .unwrap();
                let all = outbox_of(&db, seed.alpha.id).await;
                token_in(&all.last().unwrap().body)
            }
        };
        let first = ask(t0).await;
        let second = ask(t0 + Duration::minutes(1)).await;
        assert_ne!(first, second);
        // Opening a link does not use it; the older one no longer works.
        assert!(passwords::link_form(&db, &first, t0 + Duration::minutes(2))
            .await
            .unwrap()
            .is_none());
        let form = passwords::link_form(&db, &second, t0 + Duration::minutes(2))
            .await
            .unwrap()
            .expect("usable");
        assert_eq!(form.username, "manager");
        assert!(
            passwords::link_form(&db, &second, t0 + Duration::minutes(2))
                .await
                .unwrap()
                .is_some()
        );
        // Policy still applies; a refusal does not use the link.
        assert!(matches!(
            passwords::set_from_link(
                &db,
                &h,
                &second,
                "weak".into(),
                "weak".into(),
                t0 + Duration::minutes(3)
            )
            .await,
            Err(ServiceError::Invalid(_))
        ));
        // A signed-in session of that user ends when the password is reset.
        let s = client_sign_in_at(
            &db,
            "alpha",
            &seed.alpha_one.identifier,
            PASSWORD,
            t0 + Duration::minutes(3),
        )
        .await
        .unwrap();
        let next = passwords::set_from_link(
            &db,
            &h,
            &second,
            "Harbour-Light-7".into(),
            "Harbour-Light-7".into(),
            t0 + Duration::minutes(4),
        )
        .await
        .unwrap();
        assert_eq!(next, "/portal/alpha/sign-in");
        assert!(session::find_live(
            &db,
            &s.token,
            &common::session_settings(),
            t0 + Duration::minutes(4)
        )
        .await
        .unwrap()
        .is_none());
        // Single use.
        assert!(matches!(
            passwords::set_from_link(
                &db,
                &h,
                &second,
                "Other-Light-8".into(),
                "Other-Light-8".into(),
                t0 + Duration::minutes(5)
            )
            .await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(client_sign_in_at(
            &db,
            "alpha",
            &seed.alpha_one.identifier,
            "Harbour-Light-7",
            t0 + Duration::minutes(5)
        )
        .await
        .is_ok());
        assert_eq!(count_actions(&db, seed.alpha.id, "reset_used").await, 1);
        // A reset link expires after an hour.
        let third = ask(t0 + Duration::minutes(10)).await;
        assert!(
            passwords::link_form(&db, &third, t0 + Duration::minutes(69))
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            passwords::link_form(&db, &third, t0 + Duration::minutes(71))
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            passwords::set_from_link(
                &db,
                &h,
                &third,
                "Harbour-Light-9".into(),
                "Harbour-Light-9".into(),
                t0 + Duration::minutes(71)
            )
            .await,
            Err(ServiceError::Conflict(_))
        ));
    }
);

both_engines!(
    welcome_links_last_seven_days_and_only_user_administrators_send_them_in_their_organization,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let t0 = Utc::now();
        let m = mail();
        let admin = actor_of(
            &db,
            staff_user(&db, seed.alpha.id, &seed.alpha_admin).await.id,
        )
        .await;
        let newbie = add_staff(&db, &seed.alpha, "Welcome", StaffRole::Staff, true).await;
        recovery::send_welcome(&db, &m, &admin, newbie.id, t0)
            .await
            .unwrap();
        let sent = outbox_of(&db, seed.alpha.id).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].recipient, "welcome@example.com");
        let token = token_in(&sent[0].body);
        let form = passwords::link_form(&db, &token, t0 + Duration::days(6))
            .await
            .unwrap()
            .expect("usable for a week");
        assert!(form.welcome);
        assert!(
            passwords::link_form(&db, &token, t0 + Duration::days(7) + Duration::seconds(1))
                .await
                .unwrap()
                .is_none()
        );
        passwords::set_from_link(
            &db,
            &common::hasher(),
            &token,
            "Harbour-Light-7".into(),
            "Harbour-Light-7".into(),
            t0 + Duration::days(1),
        )
        .await
        .unwrap();
        assert!(
            !staff_user(&db, seed.alpha.id, &newbie.username)
                .await
                .must_change_password
        );

        let broker = add_staff(&db, &seed.alpha, "Broker", StaffRole::Broker, false).await;
        let broker_actor = actor_of(&db, broker.id).await;
        assert!(matches!(
            recovery::send_welcome(&db, &m, &broker_actor, newbie.id, t0).await,
            Err(ServiceError::Forbidden)
        ));
        let bravo_admin = staff_user(&db, seed.bravo.id, &seed.bravo_admin).await;
        assert!(matches!(
            recovery::send_welcome(&db, &m, &admin, bravo_admin.id, t0).await,
            Err(ServiceError::NotFound)
        ));
        assert!(outbox_of(&db, seed.bravo.id).await.is_empty());
    }
);

both_engines!(
    forgot_identifier_lists_every_account_with_that_email_in_that_organization_only,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let now = Utc::now();
        let m = mail();
        for account in [seed.alpha_one.id, seed.alpha_two.id, seed.bravo_one.id] {
            let u = manager_of(&db, account).await;
            set_email(&db, &u, "shared@example.com").await;
        }
        recovery::forgot_identifier(&db, &m, "alpha", "nobody@example.com", now)
            .await
            .unwrap();
        assert!(outbox_of(&db, seed.alpha.id).await.is_empty());
        recovery::forgot_identifier(&db, &m, "alpha", "shared@example.com", now)
            .await
            .unwrap();
        let sent = outbox_of(&db, seed.alpha.id).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].recipient, "shared@example.com");
        assert!(sent[0].body.contains(&seed.alpha_one.identifier));
        assert!(sent[0].body.contains(&seed.alpha_two.identifier));
        assert!(sent[0].body.contains("Alpha One") && !sent[0].body.contains("Bravo"));
        assert!(sent[0]
            .body
            .contains(&format!("{PUBLIC}/portal/alpha/sign-in")));
        assert!(outbox_of(&db, seed.bravo.id).await.is_empty());
        assert_eq!(
            count_actions(&db, seed.alpha.id, "identifier_reminder").await,
            1
        );
    }
);

both_engines!(
    the_outbox_retries_with_backoff_and_marks_what_was_sent,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let t0 = Utc::now();
        let admin = staff_user(&db, seed.alpha.id, &seed.alpha_admin).await;
        set_email(&db, &admin, "ada@alpha.example").await;
        recovery::forgot_staff_password(&db, &mail(), "alpha", "ada@alpha.example", t0)
            .await
            .unwrap();
        // Nothing listens on this port: every attempt fails.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let down = worker::Delivery::smtp(&format!("smtp://127.0.0.1:{port}")).unwrap();
        let clock = Clock::manual(t0);
        let r = worker::drain_once(&db, &down, "Gatehouse <no-reply@example.com>", &clock)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed), (0, 1));
        let row = &outbox_of(&db, seed.alpha.id).await[0];
        assert_eq!(row.attempts, 1);
        assert!(row.sent_at.is_none());
        assert!(row.last_error.is_some());
        // Not due again before the backoff: nothing is tried.
        clock.advance(Duration::seconds(20));
        let r = worker::drain_once(&db, &down, "x <x@example.com>", &clock)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed), (0, 0));
        clock.advance(Duration::seconds(15));
        let r = worker::drain_once(&db, &down, "x <x@example.com>", &clock)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed), (0, 1));
        assert_eq!(outbox_of(&db, seed.alpha.id).await[0].attempts, 2);
        assert_eq!(worker::backoff(2), Duration::seconds(60));
        assert_eq!(worker::backoff(30), Duration::hours(1));
        // Delivered (dev mailbox): marked sent, never picked up again.
        clock.advance(Duration::minutes(2));
        let dev = worker::Delivery::DevMailbox;
        let r = worker::drain_once(&db, &dev, "x <x@example.com>", &clock)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed), (1, 0));
        clock.advance(Duration::hours(2));
        let r = worker::drain_once(&db, &dev, "x <x@example.com>", &clock)
            .await
            .unwrap();
        assert_eq!((r.sent, r.failed), (0, 0));
        let row = &outbox_of(&db, seed.alpha.id).await[0];
        assert!(row.sent_at.is_some());
        assert!(row.last_error.is_none());
    }
);

both_engines!(
    the_audit_log_is_per_organization_filterable_and_for_user_administrators,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let now = Utc::now();
        let admin_user = staff_user(&db, seed.alpha.id, &seed.alpha_admin).await;
        let admin = actor_of(&db, admin_user.id).await;
        staff_sign_in_at(&db, "alpha", &seed.alpha_admin, PASSWORD, now)
            .await
            .unwrap();
        staff_sign_in_at(&db, "alpha", &seed.alpha_admin, "wrong", now)
            .await
            .unwrap_err();
        staff_sign_in_at(&db, "bravo", &seed.bravo_admin, PASSWORD, now)
            .await
            .unwrap();
        let page = audit_log::list(&db, &admin, audit_log::AuditQuery::default())
            .await
            .unwrap();
        assert!(!page.entries.is_empty());
        assert!(
            page.entries.windows(2).all(|w| w[0].id > w[1].id),
            "newest first"
        );
        let bravo_admin = staff_user(&db, seed.bravo.id, &seed.bravo_admin).await;
        assert!(
            page.entries
                .iter()
                .all(|e| e.actor.as_ref().map(|a| a.id) != Some(bravo_admin.id)
                    && e.target.as_ref().map(|t| t.id) != Some(bravo_admin.id)),
            "nothing of the other organization"
        );
        let failed = audit_log::list(
            &db,
            &admin,
            audit_log::AuditQuery {
                action: Some("sign_in_failed".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(failed.entries.len(), 1);
        assert_eq!(failed.entries[0].action_label, "Sign-in refused");
        let by_user = audit_log::list(
            &db,
            &admin,
            audit_log::AuditQuery {
                user_id: Some(admin_user.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(by_user
            .entries
            .iter()
            .all(|e| e.actor.as_ref().map(|a| a.id) == Some(admin_user.id)
                || e.target.as_ref().map(|t| t.id) == Some(admin_user.id)));
        assert_eq!(by_user.filter_user.unwrap().id, admin_user.id);
        // Filtering by another organization's user shows nothing of theirs.
        let foreign = audit_log::list(
            &db,
            &admin,
            audit_log::AuditQuery {
                user_id: Some(bravo_admin.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(foreign.entries.is_empty());
        assert!(foreign.filter_user.is_none());
        assert!(matches!(
            audit_log::list(
                &db,
                &admin,
                audit_log::AuditQuery {
                    action: Some("drop table".into()),
                    ..Default::default()
                }
            )
            .await,
            Err(ServiceError::Invalid(_))
        ));
        // Paging by id, both orders, over more than two pages.
        for i in 0..120 {
            app::server::services::audit::record(
                &db,
                app::server::services::audit::NewEvent {
                    organization_id: seed.alpha.id,
                    actor_user_id: Some(admin_user.id),
                    on_behalf_of_user_id: None,
                    action: "sign_out",
                    target_user_id: Some(admin_user.id),
                    details: format!("filler {i}"),
                },
                now,
            )
            .await
            .unwrap();
        }
        let total = audit_event::Entity::find()
            .filter(audit_event::Column::OrganizationId.eq(seed.alpha.id))
            .count(&db)
            .await
            .unwrap() as usize;
        for oldest_first in [false, true] {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = audit_log::list(
                    &db,
                    &admin,
                    audit_log::AuditQuery {
                        oldest_first,
                        cursor,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
                assert!(page.entries.len() <= audit_log::PAGE_SIZE as usize);
                seen.extend(page.entries.iter().map(|e| e.id));
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(seen.len(), total, "every event exactly once");
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            if !oldest_first {
                sorted.reverse();
            }
            assert_eq!(seen, sorted);
        }
        // Brokers and clients may not read it.
        let broker = add_staff(&db, &seed.alpha, "Broker", StaffRole::Broker, false).await;
        assert!(matches!(
            audit_log::list(&db, &actor_of(&db, broker.id).await, Default::default()).await,
            Err(ServiceError::Forbidden)
        ));
        let client = manager_of(&db, seed.alpha_one.id).await;
        assert!(matches!(
            audit_log::list(&db, &actor_of(&db, client.id).await, Default::default()).await,
            Err(ServiceError::Forbidden)
        ));
    }
);

both_engines!(
    the_dev_mailbox_shows_only_the_staff_members_organization_and_only_when_on,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let now = Utc::now();
        for (org, slug, admin) in [
            (&seed.alpha, "alpha", &seed.alpha_admin),
            (&seed.bravo, "bravo", &seed.bravo_admin),
        ] {
            let u = staff_user(&db, org.id, admin).await;
            set_email(&db, &u, &format!("admin@{slug}.example")).await;
            recovery::forgot_staff_password(
                &db,
                &mail(),
                slug,
                &format!("admin@{slug}.example"),
                now,
            )
            .await
            .unwrap();
        }
        let alpha_admin = actor_of(
            &db,
            staff_user(&db, seed.alpha.id, &seed.alpha_admin).await.id,
        )
        .await;
        let view = dev_mailbox::list(&db, &mail(), &alpha_admin).await.unwrap();
        assert_eq!(view.messages.len(), 1);
        assert_eq!(view.messages[0].to, "admin@alpha.example");
        let off = MailSettings::new(PUBLIC, false);
        assert!(matches!(
            dev_mailbox::list(&db, &off, &alpha_admin).await,
            Err(ServiceError::NotFound)
        ));
        let client = manager_of(&db, seed.alpha_one.id).await;
        assert!(matches!(
            dev_mailbox::list(&db, &mail(), &actor_of(&db, client.id).await).await,
            Err(ServiceError::Forbidden)
        ));
        // Reset links are live credentials: a Broker may not read them.
        let broker = add_staff(&db, &seed.alpha, "Broker", StaffRole::Broker, false).await;
        assert!(matches!(
            dev_mailbox::list(&db, &mail(), &actor_of(&db, broker.id).await).await,
            Err(ServiceError::Forbidden)
        ));
    }
);
