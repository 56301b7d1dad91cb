//! Service tests of the Staff Master and the organization's settings, each
//! on SQLite and PostgreSQL with two organizations seeded: Staff ID
//! uniqueness whatever the case, the reserved 100, the linked login's
//! rules, saving several records all or nothing, who may do it; and a
//! password policy change that is audited and locks nobody out.

mod common;

use app::{
    domain::{
        staff_master::{StaffQuery, StaffRecordInput},
        PasswordPolicy, StaffRole,
    },
    server::{
        auth::Actor,
        entities::{audit_event, staff_record, user},
        error::ServiceError,
        services::{
            settings::{self, NewSettings},
            sign_in,
            staff_master::{self, Saved},
        },
        state::SessionSettings,
    },
};
use chrono::Utc;
use common::{Seed, PASSWORD};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

const TODAY: &str = "2026-12-05";

async fn admin(db: &DatabaseConnection, seed: &Seed, bravo: bool) -> (Actor, user::Model) {
    common::seeded_admin(db, seed, bravo).await
}

fn record(staff_id: &str, last: &str, user_id: Option<i32>) -> StaffRecordInput {
    StaffRecordInput {
        id: None,
        staff_id: staff_id.into(),
        first_name: "Jane".into(),
        middle_initial: "Q".into(),
        last_name: last.into(),
        hire_date: "2024-03-15".into(),
        user_id,
    }
}

async fn save(
    db: &DatabaseConnection,
    by: &Actor,
    rows: Vec<StaffRecordInput>,
) -> Result<Saved, ServiceError> {
    staff_master::save(db, by, rows, TODAY, Utc::now()).await
}

fn problems(saved: Saved) -> Vec<(usize, &'static str, String)> {
    match saved {
        Saved::Refused(p) => p.into_iter().map(|p| (p.row, p.field, p.message)).collect(),
        Saved::Records(ids) => panic!("saved {ids:?}"),
    }
}

async fn records(db: &DatabaseConnection) -> u64 {
    staff_record::Entity::find().count(db).await.unwrap()
}

both_engines!(
    staff_ids_are_unique_per_organization_whatever_the_case_and_100_is_reserved,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let (alpha, alpha_user) = admin(&db, &seed, false).await;
        let (bravo, _) = admin(&db, &seed, true).await;
        let Saved::Records(ids) = save(
            &db,
            &alpha,
            vec![record("HR0042", "Smith", Some(alpha_user.id))],
        )
        .await
        .unwrap() else {
            panic!("refused")
        };
        assert_eq!(ids.len(), 1);
        // The same ID in another case is taken; in bravo it is free.
        let p = problems(
            save(&db, &alpha, vec![record("hr0042", "Other", None)])
                .await
                .unwrap(),
        );
        assert_eq!(
            p,
            vec![(
                0,
                "staff_id",
                "Staff ID hr0042 is already someone else's.".to_string()
            )]
        );
        assert!(matches!(
            save(&db, &bravo, vec![record("hr0042", "Other", None)])
                .await
                .unwrap(),
            Saved::Records(_)
        ));
        // 100 is refused with the words users see, and nothing of the
        // batch is saved when one row is wrong.
        let before = records(&db).await;
        let p = problems(
            save(
                &db,
                &alpha,
                vec![
                    record("4521", "Good", None),
                    record("100", "Support", None),
                    record("4522", "Twice", None),
                    record("4522", "Again", None),
                ],
            )
            .await
            .unwrap(),
        );
        assert_eq!(
            p,
            vec![
                (
                    1,
                    "staff_id",
                    "Staff ID 100 is reserved for platform support.".to_string()
                ),
                (
                    3,
                    "staff_id",
                    "Staff ID 4522 is already in another row of this form.".to_string()
                ),
            ]
        );
        assert_eq!(records(&db).await, before);
        // Editing a record keeps its own ID.
        let mut edit = record("HR0042", "Smith-Jones", Some(alpha_user.id));
        edit.id = Some(ids[0]);
        assert!(matches!(
            save(&db, &alpha, vec![edit]).await.unwrap(),
            Saved::Records(_)
        ));
        let r = staff_record::Entity::find_by_id(ids[0])
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.last_name, "Smith-Jones");
        let audit = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("staff_record_changed"))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(audit.target_user_id, Some(alpha_user.id));
        assert!(audit.details.contains("Smith-Jones"), "{}", audit.details);
        // The same record twice in one save is refused.
        let mut twice = record("HR0042", "Twice", None);
        twice.id = Some(ids[0]);
        assert!(matches!(
            save(&db, &alpha, vec![twice.clone(), twice]).await,
            Err(ServiceError::Invalid(ref p)) if p.field == "rows"
        ));
        // bravo's administrator can neither see nor change alpha's record.
        let mut steal = record("X1", "Thief", None);
        steal.id = Some(ids[0]);
        assert!(matches!(
            save(&db, &bravo, vec![steal]).await,
            Err(ServiceError::NotFound)
        ));
        let list = staff_master::list(&db, &bravo, &StaffQuery::default(), &[])
            .await
            .unwrap();
        assert_eq!(list.total, 1);
        assert!(list.records.iter().all(|r| r.last_name == "Other"));
    }
);

both_engines!(
    a_record_links_one_login_of_the_organization,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let (alpha, alpha_user) = admin(&db, &seed, false).await;
        let (_, bravo_user) = admin(&db, &seed, true).await;
        let client = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(seed.alpha_one.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        for (login, why) in [
            (bravo_user.id, "another organization's login"),
            (client.id, "a client login"),
        ] {
            let p = problems(
                save(&db, &alpha, vec![record("7", "Smith", Some(login))])
                    .await
                    .unwrap(),
            );
            assert_eq!(p[0].1, "user_id", "{why}");
        }
        let p = problems(
            save(
                &db,
                &alpha,
                vec![
                    record("7", "Smith", Some(alpha_user.id)),
                    record("8", "Jones", Some(alpha_user.id)),
                ],
            )
            .await
            .unwrap(),
        );
        assert_eq!(
            p,
            vec![(
                1,
                "user_id",
                "That login is chosen in another row of this form.".into()
            )]
        );
        save(&db, &alpha, vec![record("7", "Smith", Some(alpha_user.id))])
            .await
            .unwrap();
        let p = problems(
            save(&db, &alpha, vec![record("8", "Jones", Some(alpha_user.id))])
                .await
                .unwrap(),
        );
        assert_eq!(
            p,
            vec![(
                0,
                "user_id",
                "That login already has a Staff Master record.".into()
            )]
        );
        // The list offers only logins without a record, and prefills rows
        // for new logins.
        let sam = common::staff_actor(&db, &seed, false, StaffRole::Staff).await;
        let list = staff_master::list(
            &db,
            &alpha,
            &StaffQuery::default(),
            &[sam.user_id, alpha_user.id, bravo_user.id],
        )
        .await
        .unwrap();
        let offered: Vec<i32> = list.unlinked_logins.iter().map(|o| o.user_id).collect();
        assert!(offered.contains(&sam.user_id));
        assert!(!offered.contains(&alpha_user.id));
        assert!(!offered.contains(&bravo_user.id));
        assert_eq!(list.prefilled.len(), 1);
        assert_eq!(list.prefilled[0].user_id, Some(sam.user_id));
        assert_eq!(list.prefilled[0].first_name, "Sam");
        // The People list shows the Staff ID.
        let ids = staff_master::staff_ids_of(&db, seed.alpha.id, &[alpha_user.id, sam.user_id])
            .await
            .unwrap();
        assert_eq!(ids.get(&alpha_user.id).map(String::as_str), Some("7"));
        assert!(!ids.contains_key(&sam.user_id));
    }
);

both_engines!(
    only_user_administrators_keep_the_staff_master_and_the_settings,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        for role in [StaffRole::Broker, StaffRole::Staff] {
            let who = common::staff_actor(&db, &seed, false, role).await;
            assert!(matches!(
                staff_master::list(&db, &who, &StaffQuery::default(), &[]).await,
                Err(ServiceError::Forbidden)
            ));
            assert!(matches!(
                save(&db, &who, vec![record("1", "Smith", None)]).await,
                Err(ServiceError::Forbidden)
            ));
            assert!(matches!(
                settings::view(&db, &who).await,
                Err(ServiceError::Forbidden)
            ));
            assert!(matches!(
                settings::save(
                    &db,
                    &who,
                    NewSettings {
                        policy: PasswordPolicy::default(),
                        hire_date_days_ahead: 5
                    },
                    Utc::now()
                )
                .await,
                Err(ServiceError::Forbidden)
            ));
        }
        assert_eq!(records(&db).await, 0);
    }
);

both_engines!(
    a_stricter_policy_is_audited_and_locks_nobody_out,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let (alpha, _) = admin(&db, &seed, false).await;
        let strict = PasswordPolicy::from_settings("20", true, true, true).unwrap();
        settings::save(
            &db,
            &alpha,
            NewSettings {
                policy: strict,
                hire_date_days_ahead: 30,
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let view = settings::view(&db, &alpha).await.unwrap();
        assert_eq!(view.policy.min_length, 20);
        assert_eq!(view.hire_date_days_ahead, 30);
        assert_eq!(view.agency_prefix, "111");
        // bravo is untouched.
        let (bravo, _) = admin(&db, &seed, true).await;
        assert_eq!(
            settings::view(&db, &bravo).await.unwrap().policy,
            PasswordPolicy::default()
        );
        let audit = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("settings_changed"))
            .all(&db)
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert!(
            audit[0].details.contains("from \"at least 8 characters"),
            "{}",
            audit[0].details
        );
        assert!(
            audit[0].details.contains("to \"at least 20 characters"),
            "{}",
            audit[0].details
        );
        // Saving the same again writes nothing.
        settings::save(
            &db,
            &alpha,
            NewSettings {
                policy: strict,
                hire_date_days_ahead: 30,
            },
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(
            audit_event::Entity::find()
                .filter(audit_event::Column::Action.eq("settings_changed"))
                .count(&db)
                .await
                .unwrap(),
            1
        );
        // The 14-character password still signs in.
        let signed_in = sign_in::staff(
            &db,
            &common::hasher(),
            &SessionSettings::default(),
            sign_in::StaffCredentials {
                organization: "alpha".into(),
                username: seed.alpha_admin.clone(),
                password: PASSWORD.into(),
            },
            None,
            Utc::now(),
        )
        .await;
        assert!(signed_in.is_ok());
        // A hire date beyond the new 30-day window is refused.
        let mut late = record("9", "Late", None);
        late.hire_date = "2027-01-10".into();
        let p = problems(save(&db, &alpha, vec![late]).await.unwrap());
        assert_eq!(p[0].1, "hire_date");
        let too_far = settings::save(
            &db,
            &alpha,
            NewSettings {
                policy: strict,
                hire_date_days_ahead: 400,
            },
            Utc::now(),
        )
        .await;
        assert!(
            matches!(too_far, Err(ServiceError::Invalid(ref p)) if p.field == "hire_date_days_ahead")
        );
    }
);
