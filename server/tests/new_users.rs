//! Service tests of Create Users, each on SQLite and PostgreSQL with two
//! organizations seeded: the batch's verdicts (taken, twice in the batch,
//! suggestions never taken), the all-or-nothing create (a username taken
//! while the batch was hashing; a failure after the k-th insert leaves no
//! login, audit row, token or outbox row), the batch's password and role
//! rules, and who may do it.

mod common;

use app::{
    domain::{new_users::BatchRow, PersonName, StaffRole, UserKind, Username},
    server::{
        auth::Actor,
        entities::{audit_event, email_token, outbox_message, user},
        error::ServiceError,
        mail::MailSettings,
        services::{
            new_users::{self, Batch, Outcome, Progress},
            users,
        },
    },
};
use chrono::Utc;
use common::Seed;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

const INITIAL: &str = "Harbour-Light-7";

fn mail() -> MailSettings {
    MailSettings::new("https://gatehouse.example.test", true)
}

fn row(key: u32, first: &str, last: &str, email: &str) -> BatchRow {
    BatchRow {
        key,
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        username: None,
    }
}

async fn admin(db: &DatabaseConnection, seed: &Seed, bravo: bool) -> Actor {
    common::seeded_admin(db, seed, bravo).await.0
}

/// Inserts a staff login with exactly this username (as another
/// administrator would have).
async fn take(db: &DatabaseConnection, org: i32, username: &str, active: bool) -> user::Model {
    let u = users::insert_staff_login(
        db,
        users::StaffLogin {
            organization_id: org,
            username: &Username::parse(username).unwrap(),
            name: &PersonName::parse("Taken", "", "Already").unwrap(),
            role: StaffRole::Staff,
            email: None,
            password_hash: None,
            must_change_password: false,
        },
        (None, None),
        "taken".into(),
        Utc::now(),
    )
    .await
    .unwrap();
    if !active {
        use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
        let mut m = u.clone().into_active_model();
        m.active = Set(false);
        m.update(db).await.unwrap();
    }
    u
}

fn batch(rows: Vec<BatchRow>) -> Batch {
    Batch {
        role: StaffRole::Staff,
        password: INITIAL.into(),
        welcome_links: false,
        rows,
    }
}

async fn create(db: &DatabaseConnection, by: &Actor, b: Batch) -> Result<Outcome, ServiceError> {
    new_users::create(
        db,
        &common::hasher(),
        &mail(),
        by,
        b,
        Utc::now(),
        |_| Ok(()),
    )
    .await
}

async fn staff_count(db: &DatabaseConnection, org: i32) -> u64 {
    user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org))
        .filter(user::Column::Kind.eq(UserKind::Staff.as_str()))
        .count(db)
        .await
        .unwrap()
}

async fn batch_audit_rows(db: &DatabaseConnection) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Details.contains("in a batch of"))
        .count(db)
        .await
        .unwrap()
}

both_engines!(
    taken_and_duplicate_rows_fail_with_free_suggestions,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let by = admin(&db, &seed, false).await;
        // alpha's prefix is 111. A disabled login still holds its username;
        // bravo's logins don't count for alpha.
        take(&db, seed.alpha.id, "111jsmith", true).await;
        take(&db, seed.alpha.id, "111jsmith2", false).await;
        take(&db, seed.bravo.id, "111amorgan", true).await;
        let checks = new_users::check(
            &db,
            &by,
            vec![
                row(1, "Jane", "Smith", ""),
                row(2, "Alice", "Morgan", "alice@example.com"),
                row(3, "", "", ""),
                row(4, "Alice", "Morgan", ""),
                row(5, "John", "Smith", "not-an-email"),
                row(6, "Zoë", "Ó Brádaigh", ""),
            ],
        )
        .await
        .unwrap();
        let summary: Vec<_> = checks
            .iter()
            .map(|c| (c.key, c.username.as_str(), c.pass, c.suggestion.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, "111jsmith", false, Some("111jsmith3")),
                (2, "111amorgan", true, None),
                // The blank row is left out.
                (4, "111amorgan", false, Some("111amorgan2")),
                (5, "111jsmith", false, Some("111jsmith4")),
                (6, "111zobradaigh", true, None),
            ]
        );
        assert!(checks[0].reason.as_deref().unwrap().starts_with("Taken"));
        assert_eq!(
            checks[2].reason.as_deref(),
            Some("Appears twice in this batch.")
        );
        assert!(checks[3].email_problem.is_some());
        // Accepting the suggestions makes every row pass.
        let mut accepted = vec![
            row(1, "Jane", "Smith", ""),
            row(4, "Alice", "Morgan", ""),
            row(2, "Alice", "Morgan", ""),
        ];
        accepted[0].username = Some("111jsmith3".into());
        accepted[1].username = Some("111amorgan2".into());
        let checks = new_users::check(&db, &by, accepted).await.unwrap();
        assert!(checks.iter().all(|c| c.pass), "{checks:?}");
    }
);

both_engines!(
    a_batch_is_created_whole_with_audit_rows_and_welcome_links,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let by = admin(&db, &seed, false).await;
        let before = staff_count(&db, seed.alpha.id).await;
        let bravo_before = staff_count(&db, seed.bravo.id).await;
        let mut b = batch(vec![
            row(10, "Jane", "Smith", "jane.smith@example.com"),
            row(11, "Bob", "Brown", ""),
            row(12, "Zoë", "Ó Brádaigh", "zoe@example.com"),
        ]);
        b.welcome_links = true;
        let mut seen = Vec::new();
        let outcome = new_users::create(&db, &common::hasher(), &mail(), &by, b, Utc::now(), |p| {
            seen.push(p);
            Ok(())
        })
        .await
        .unwrap();
        let Outcome::Created(created) = outcome else {
            panic!("refused: {outcome:?}")
        };
        assert_eq!(
            created
                .iter()
                .map(|c| (c.key, c.username.as_str(), c.welcome_link))
                .collect::<Vec<_>>(),
            vec![
                (10, "111jsmith", true),
                (11, "111bbrown", false),
                (12, "111zobradaigh", true),
            ]
        );
        // One hash (Bob's), then three inserts.
        assert_eq!(seen.first(), Some(&Progress::Hashing { done: 0, total: 1 }));
        assert!(seen.contains(&Progress::Hashing { done: 1, total: 1 }));
        assert_eq!(seen.last(), Some(&Progress::Creating { done: 3, total: 3 }));
        assert_eq!(staff_count(&db, seed.alpha.id).await, before + 3);
        assert_eq!(staff_count(&db, seed.bravo.id).await, bravo_before);

        let bob = user::Entity::find_by_id(created[1].user_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(bob.must_change_password);
        assert!(bob.password_hash.is_some());
        assert_eq!(bob.role, StaffRole::Staff.as_str());
        assert_eq!(bob.organization_id, seed.alpha.id);
        let jane = user::Entity::find_by_id(created[0].user_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(jane.password_hash.is_none());
        assert!(!jane.must_change_password);
        // The initial password signs Bob in.
        assert!(common::hasher()
            .verify(INITIAL.into(), bob.password_hash.clone())
            .await
            .unwrap());

        let audit = audit_event::Entity::find()
            .filter(audit_event::Column::TargetUserId.eq(bob.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(audit.actor_user_id, Some(by.user_id));
        assert!(
            audit
                .details
                .contains("created in a batch of 3 by Ada K. Alpha Security Admin"),
            "{}",
            audit.details
        );
        assert_eq!(batch_audit_rows(&db).await, 3);
        let welcome: Vec<String> = outbox_message::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.recipient)
            .collect();
        assert_eq!(welcome.len(), 2, "{welcome:?}");
        assert!(welcome.contains(&"jane.smith@example.com".to_string()));
        assert_eq!(email_token::Entity::find().count(&db).await.unwrap(), 2);
    }
);

both_engines!(
    a_username_taken_while_the_batch_hashes_creates_nothing,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let by = admin(&db, &seed, false).await;
        let before = staff_count(&db, seed.alpha.id).await;
        let alpha = seed.alpha.id;
        let db2 = db.clone();
        let mut taken = false;
        let outcome = new_users::create(
            &db,
            &common::hasher(),
            &mail(),
            &by,
            batch(vec![
                row(1, "Jane", "Smith", ""),
                row(2, "Bob", "Brown", ""),
            ]),
            Utc::now(),
            |p| {
                // Another administrator takes Bob's username after the
                // first check, while the passwords are being hashed.
                if matches!(p, Progress::Hashing { done: 1, .. }) && !taken {
                    taken = true;
                    tokio::task::block_in_place(|| {
                        tokio::runtime::Handle::current().block_on(take(
                            &db2,
                            alpha,
                            "111bbrown",
                            true,
                        ))
                    });
                }
                Ok(())
            },
        )
        .await
        .unwrap();
        let Outcome::Refused(checks) = outcome else {
            panic!("created: {outcome:?}")
        };
        assert!(checks[0].pass);
        assert!(!checks[1].pass);
        assert_eq!(checks[1].suggestion.as_deref(), Some("111bbrown2"));
        // Only the other administrator's login was added.
        assert_eq!(staff_count(&db, seed.alpha.id).await, before + 1);
        assert_eq!(batch_audit_rows(&db).await, 0);
    }
);

both_engines!(
    a_failure_after_the_kth_insert_leaves_nothing,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let by = admin(&db, &seed, false).await;
        let before = staff_count(&db, seed.alpha.id).await;
        let tokens = email_token::Entity::find().count(&db).await.unwrap();
        let outbox = outbox_message::Entity::find().count(&db).await.unwrap();
        let rows: Vec<BatchRow> = (0..12)
            .map(|i| {
                row(
                    i,
                    "Pat",
                    &format!("Lee{}", (b'a' + i as u8) as char),
                    &format!("pat{i}@example.com"),
                )
            })
            .collect();
        let mut b = batch(rows);
        b.welcome_links = true;
        let result =
            new_users::create(
                &db,
                &common::hasher(),
                &mail(),
                &by,
                b,
                Utc::now(),
                |p| match p {
                    Progress::Creating { done: 7, .. } => Err(ServiceError::Internal(
                        "injected after the 7th insert".into(),
                    )),
                    _ => Ok(()),
                },
            )
            .await;
        assert!(
            matches!(result, Err(ServiceError::Internal(_))),
            "{result:?}"
        );
        assert_eq!(staff_count(&db, seed.alpha.id).await, before);
        assert_eq!(batch_audit_rows(&db).await, 0);
        assert_eq!(
            email_token::Entity::find().count(&db).await.unwrap(),
            tokens
        );
        assert_eq!(
            outbox_message::Entity::find().count(&db).await.unwrap(),
            outbox
        );
        // The same batch goes through afterwards.
        let Outcome::Created(created) = create(&db, &by, batch(vec![row(1, "Pat", "Leea", "")]))
            .await
            .unwrap()
        else {
            panic!("refused")
        };
        assert_eq!(created[0].username, "111pleea");
    }
);

both_engines!(
    the_password_and_the_role_are_checked_before_anything_is_created,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let by = admin(&db, &seed, false).await;
        let before = staff_count(&db, seed.alpha.id).await;
        let field = |r: Result<Outcome, ServiceError>| match r {
            Err(ServiceError::Invalid(p)) => (p.field, p.message),
            other => panic!("{other:?}"),
        };
        let mut weak = batch(vec![row(1, "Jane", "Smith", "")]);
        weak.password = "harbourlight".into();
        assert_eq!(field(create(&db, &by, weak).await).0, "password");
        let mut named = batch(vec![row(1, "Jane", "Smith", "")]);
        named.password = "X-111jsmith-9".into();
        let (f, m) = field(create(&db, &by, named).await);
        assert_eq!(f, "password");
        assert!(m.contains("111jsmith"), "{m}");
        // alpha may have 3 User Administrators and has 1.
        let mut admins = batch(vec![
            row(1, "Ann", "One", ""),
            row(2, "Ben", "Two", ""),
            row(3, "Cy", "Three", ""),
        ]);
        admins.role = StaffRole::UserAdministrator;
        let (f, m) = field(create(&db, &by, admins.clone()).await);
        assert_eq!(f, "role");
        assert!(m.contains("too many"), "{m}");
        assert_eq!(field(create(&db, &by, batch(vec![])).await).0, "rows");
        let too_many: Vec<BatchRow> = (0..=app::domain::new_users::MAX_ROWS as u32)
            .map(|i| row(i, "A", &format!("B{i}"), ""))
            .collect();
        assert_eq!(field(create(&db, &by, batch(too_many)).await).0, "rows");
        assert_eq!(staff_count(&db, seed.alpha.id).await, before);
        // Two more fit.
        admins.rows.pop();
        assert!(matches!(
            create(&db, &by, admins).await.unwrap(),
            Outcome::Created(_)
        ));
    }
);

both_engines!(
    only_user_administrators_create_users_in_their_own_organization,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        for role in [StaffRole::Broker, StaffRole::Staff] {
            let who = common::staff_actor(&db, &seed, false, role).await;
            assert!(matches!(
                new_users::setup(&db, &who).await,
                Err(ServiceError::Forbidden)
            ));
            assert!(matches!(
                new_users::check(&db, &who, vec![row(1, "Jane", "Smith", "")]).await,
                Err(ServiceError::Forbidden)
            ));
            assert!(matches!(
                create(&db, &who, batch(vec![row(1, "Jane", "Smith", "")])).await,
                Err(ServiceError::Forbidden)
            ));
        }
        let manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(seed.alpha_one.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let manager = Actor::from_user(&manager).unwrap();
        assert!(matches!(
            create(&db, &manager, batch(vec![row(1, "Jane", "Smith", "")])).await,
            Err(ServiceError::Forbidden)
        ));
        // bravo's administrator creates in bravo, with bravo's prefix,
        // whatever alpha has.
        let bravo = admin(&db, &seed, true).await;
        let setup = new_users::setup(&db, &bravo).await.unwrap();
        assert_eq!(setup.organization.id, seed.bravo.id);
        assert_eq!(setup.administrator_places, 2);
        let Outcome::Created(created) =
            create(&db, &bravo, batch(vec![row(1, "Jane", "Smith", "")]))
                .await
                .unwrap()
        else {
            panic!("refused")
        };
        let u = user::Entity::find_by_id(created[0].user_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (u.organization_id, u.username.as_str()),
            (seed.bravo.id, "222jsmith")
        );
        // alpha's administrator sees the same name free in alpha.
        let alpha = admin(&db, &seed, false).await;
        let checks = new_users::check(&db, &alpha, vec![row(1, "Jane", "Smith", "")])
            .await
            .unwrap();
        assert!(checks[0].pass);
        assert_eq!(checks[0].username, "111jsmith");
    }
);

both_engines!(
    a_suggestion_beyond_the_first_few_is_looked_up_before_it_is_offered,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let by = admin(&db, &seed, false).await;
        // 111jsmith and its first eight suggestions are all taken.
        take(&db, seed.alpha.id, "111jsmith", true).await;
        for n in 2..=9 {
            take(&db, seed.alpha.id, &format!("111jsmith{n}"), n % 2 == 0).await;
        }
        let checks = new_users::check(&db, &by, vec![row(1, "Jane", "Smith", "")])
            .await
            .unwrap();
        assert_eq!(checks[0].suggestion.as_deref(), Some("111jsmith10"));
        // A username that was never suggested can't be asked for.
        let mut r = row(1, "Jane", "Smith", "");
        r.username = Some("111admin".into());
        let checks = new_users::check(&db, &by, vec![r]).await.unwrap();
        assert!(!checks[0].pass);
    }
);
