//! The import service on SQLite and PostgreSQL, two organizations seeded:
//! the matching rules (each of name, address and postal code differing
//! alone), newer, older and identical downloads, a file imported whole or
//! not at all (a failure injected at its second policy), near-match flags,
//! the report, concurrent imports of the same file, and who may import and
//! read a report.

mod common;

use app::{
    api::dto::ImportReportView,
    domain::{PersonName, StaffRole},
    server::{
        auth::Actor,
        entities::{audit_event, import_run, insured, policy, user},
        error::ServiceError,
        import::{csio, generate},
        services::imports::{self, Import, Importer, Source},
    },
};
use chrono::{Duration, NaiveDate, Utc};
use common::Seed;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use std::path::PathBuf;

fn fixture(name: &str) -> (String, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/csio")
        .join(name);
    (name.to_string(), std::fs::read(&path).unwrap())
}

async fn admin(db: &DatabaseConnection, org_id: i32, username: &str) -> Actor {
    let u = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org_id))
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    Actor::from_user(&u).unwrap()
}

async fn import(
    db: &DatabaseConnection,
    by: &Actor,
    files: Vec<(String, Vec<u8>)>,
) -> ImportReportView {
    imports::import_all(
        db,
        Importer::Staff(by),
        Source::Upload,
        None,
        files,
        Utc::now(),
    )
    .await
    .unwrap()
}

async fn insureds(db: &DatabaseConnection, org_id: i32) -> Vec<insured::Model> {
    insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org_id))
        .order_by_asc(insured::Column::Id)
        .all(db)
        .await
        .unwrap()
}

async fn policy_of(db: &DatabaseConnection, org_id: i32, number: &str) -> policy::Model {
    policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org_id))
        .filter(policy::Column::PolicyNumber.eq(number))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("policy {number}"))
}

/// Jane Smith's auto policy, varied by `change`, as a one-policy file.
fn variant(number: &str, change: impl FnOnce(&mut csio::PolicyDownload)) -> (String, Vec<u8>) {
    let (_, bytes) = fixture("auto-jane-smith.xml");
    let mut p = csio::parse(&bytes).unwrap().remove(0);
    p.policy_number = number.to_string();
    change(&mut p);
    (format!("{number}.xml"), generate::render(&[p]).into_bytes())
}

fn outcomes(r: &ImportReportView) -> Vec<(String, String)> {
    r.files
        .iter()
        .flat_map(|f| f.items.iter())
        .map(|i| (i.policy_number.clone(), i.outcome.clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

both_engines!(
    matching_needs_name_address_and_postal_code_exactly,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let by = admin(&db, s.alpha.id, &s.alpha_admin).await;
        // The same person written with other case and spacing attaches.
        let r = import(
            &db,
            &by,
            vec![
                fixture("auto-jane-smith.xml"),
                fixture("home-jane-smith.xml"),
            ],
        )
        .await;
        assert_eq!(
            outcomes(&r),
            pairs(&[("AV-7001234", "new_insured"), ("IN 55-210-887", "attached")])
        );
        let all = insureds(&db, s.alpha.id).await;
        assert_eq!(all.len(), 1);
        let jane = &all[0];
        assert_eq!(
            (jane.full_name.as_str(), jane.postal_code.as_str()),
            ("Jane Smith", "M5V 2T6")
        );
        assert!(!jane.needs_attaching);
        assert_eq!(
            policy_of(&db, s.alpha.id, "IN 55-210-887").await.insured_id,
            jane.id
        );

        // Each part differing alone makes a new insured, flagged as a near
        // match of Jane, and the report says which part differed.
        let r = import(
            &db,
            &by,
            vec![
                variant("N-NAME", |p| p.insured.full_name = "Janet Smith".into()),
                variant("N-ADDR", |p| p.insured.address = "14 King St W".into()),
                variant("N-POSTAL", |p| p.insured.postal_code = "M5V 2T7".into()),
            ],
        )
        .await;
        let items: Vec<_> = r.files.iter().flat_map(|f| f.items.iter()).collect();
        let seen: Vec<_> = items
            .iter()
            .map(|i| {
                (
                    i.outcome.as_str(),
                    i.differences.as_deref(),
                    i.near_match.as_ref().map(|n| n.id),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("new_insured", Some("name"), Some(jane.id)),
                ("new_insured", Some("address"), Some(jane.id)),
                ("new_insured", Some("postal code"), Some(jane.id)),
            ]
        );
        let all = insureds(&db, s.alpha.id).await;
        assert_eq!(all.len(), 4);
        for other in &all[1..] {
            assert!(other.needs_attaching, "{} is flagged", other.full_name);
            assert_eq!(other.likely_match_id, Some(jane.id));
        }
        assert_eq!(r.totals.new_insureds, 3);
        assert_eq!(r.totals.attached, 0);
    }
);

both_engines!(
    newer_downloads_replace_older_and_identical_ones_change_nothing,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let by = admin(&db, s.alpha.id, &s.alpha_admin).await;
        import(&db, &by, vec![fixture("auto-jane-smith.xml")]).await;
        let first = policy_of(&db, s.alpha.id, "AV-7001234").await;

        let again = import(&db, &by, vec![fixture("auto-jane-smith.xml")]).await;
        assert_eq!(outcomes(&again), pairs(&[("AV-7001234", "unchanged")]));
        assert_eq!(
            again.files[0].items[0].note.as_deref(),
            Some("identical to the stored download")
        );
        assert_eq!(policy_of(&db, s.alpha.id, "AV-7001234").await, first);

        let renewal = import(&db, &by, vec![fixture("renewal-auto-jane-smith.xml")]).await;
        assert_eq!(outcomes(&renewal), pairs(&[("AV-7001234", "updated")]));
        let renewed = policy_of(&db, s.alpha.id, "AV-7001234").await;
        assert_eq!(renewed.id, first.id);
        assert_eq!(
            renewed.effective_date,
            NaiveDate::from_ymd_opt(2027, 11, 15).unwrap()
        );
        assert_eq!(renewed.premium_cents, Some(179_900));
        assert_eq!(renewed.insured_id, first.insured_id);

        // The first download arriving late changes nothing.
        let late = import(&db, &by, vec![fixture("auto-jane-smith.xml")]).await;
        assert_eq!(outcomes(&late), pairs(&[("AV-7001234", "unchanged")]));
        assert!(late.files[0].items[0]
            .note
            .as_deref()
            .unwrap()
            .starts_with("older than the stored download"));
        assert_eq!(policy_of(&db, s.alpha.id, "AV-7001234").await, renewed);

        // A newer download naming the insured differently keeps the policy
        // where it is attached.
        let moved = variant("AV-7001234", |p| {
            p.insured.address = "99 Queen St E".into();
            p.effective = NaiveDate::from_ymd_opt(2028, 11, 15).unwrap();
            p.expiry = NaiveDate::from_ymd_opt(2029, 11, 15).unwrap();
            p.produced_at += Duration::days(800);
        });
        let r = import(&db, &by, vec![moved]).await;
        assert_eq!(outcomes(&r), pairs(&[("AV-7001234", "updated")]));
        let p = policy_of(&db, s.alpha.id, "AV-7001234").await;
        assert_eq!(p.insured_id, first.insured_id);
        assert_eq!(p.downloaded_address, "99 Queen St E");
        assert_eq!(insureds(&db, s.alpha.id).await.len(), 1);

        // A cancellation is a newer download too.
        import(&db, &by, vec![fixture("several-policies.xml")]).await;
        import(
            &db,
            &by,
            vec![fixture("cancellation-auto-christopher-smith.xml")],
        )
        .await;
        assert_eq!(
            policy_of(&db, s.alpha.id, "WA-3300415").await.status,
            "cancelled"
        );
    }
);

both_engines!(
    a_file_is_imported_whole_or_not_at_all_and_the_others_go_on,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let by = admin(&db, s.alpha.id, &s.alpha_admin).await;
        // A storage failure injected at the second policy of a file.
        let inject = match db.get_database_backend() {
        DbBackend::Sqlite => vec![
            "CREATE TRIGGER gh_fail BEFORE INSERT ON policies WHEN NEW.policy_number = 'BOOM-2' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        ],
        _ => vec![
            "CREATE FUNCTION gh_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER gh_fail BEFORE INSERT ON policies FOR EACH ROW WHEN (NEW.policy_number = 'BOOM-2') EXECUTE FUNCTION gh_fail()",
        ],
    };
        for sql in inject {
            db.execute_unprepared(sql).await.unwrap();
        }
        let (_, bytes) = fixture("auto-jane-smith.xml");
        let base = csio::parse(&bytes).unwrap().remove(0);
        let mut one = base.clone();
        one.policy_number = "BOOM-1".into();
        one.insured.full_name = "Boom First".into();
        let mut two = base.clone();
        two.policy_number = "BOOM-2".into();
        let failing = (
            "boom.xml".to_string(),
            generate::render(&[one, two]).into_bytes(),
        );

        let r = import(
            &db,
            &by,
            vec![
                fixture("missing-policy-number.xml"),
                failing,
                fixture("malformed-truncated.xml"),
                fixture("commercial-smith-bakery.xml"),
                fixture("wrong-namespace.xml"),
            ],
        )
        .await;
        let files: Vec<_> = r
            .files
            .iter()
            .map(|f| (f.file_name.as_str(), f.imported))
            .collect();
        assert_eq!(
            files,
            [
                ("missing-policy-number.xml", false),
                ("boom.xml", false),
                ("malformed-truncated.xml", false),
                ("commercial-smith-bakery.xml", true),
                ("wrong-namespace.xml", false),
            ]
        );
        assert_eq!(
            r.files[0].reason.as_deref(),
            Some("no policy number in policy 2")
        );
        let boom = r.files[1].reason.as_deref().unwrap();
        assert!(boom.starts_with("could not be saved (reference "), "{boom}");
        assert!(!boom.contains("injected"), "no database text in the report");
        // Nothing of the refused files: not their first policies, not their
        // insureds.
        let numbers: Vec<_> = policy::Entity::find()
            .filter(policy::Column::OrganizationId.eq(s.alpha.id))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.policy_number)
            .collect();
        assert_eq!(numbers, ["NB-CP-0042117"]);
        let names: Vec<_> = insureds(&db, s.alpha.id)
            .await
            .into_iter()
            .map(|i| i.full_name)
            .collect();
        assert_eq!(names, ["Smith & Daughters Pâtisserie Ltd."]);
        assert_eq!(
            (
                r.totals.files,
                r.totals.rejected,
                r.totals.policies,
                r.totals.new_insureds
            ),
            (5, 4, 1, 1)
        );
        assert!(r.finished_at.is_some());
        // The import is in the audit trail with its totals.
        let audit = audit_event::Entity::find()
            .filter(audit_event::Column::OrganizationId.eq(s.alpha.id))
            .filter(audit_event::Column::Action.eq("policies_imported"))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(audit.actor_user_id, Some(by.user_id));
        assert!(
            audit.details.contains("5 files (4 rejected), 1 policy"),
            "{}",
            audit.details
        );
    }
);

both_engines!(
    near_matches_are_flagged_with_the_likely_insured,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let by = admin(&db, s.alpha.id, &s.alpha_admin).await;
        let r = import(&db, &by, vec![fixture("several-policies.xml")]).await;
        let items = &r.files[0].items;
        assert_eq!(items[0].outcome, "new_insured");
        assert_eq!(items[0].differences, None, "nobody like Christopher yet");
        assert_eq!(items[1].outcome, "new_insured");
        assert_eq!(items[1].differences.as_deref(), Some("name"));
        let christopher = items[0].insured.clone().unwrap();
        assert_eq!(christopher.full_name, "Christopher J Smith");
        assert_eq!(items[1].near_match.as_ref(), Some(&christopher));
        assert_eq!(
            items[1].note.as_deref(),
            Some("near match of Christopher J Smith")
        );
        let chris = insured::Entity::find_by_id(items[1].insured.as_ref().unwrap().id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(chris.needs_attaching);
        assert_eq!(chris.likely_match_id, Some(christopher.id));
        // Priya is nobody's near match.
        assert_eq!(items[2].near_match, None);
        assert_eq!(r.totals.new_insureds, 3);
    }
);

both_engines!(
    two_imports_of_the_same_file_at_once_make_one_of_each,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let by = admin(&db, s.alpha.id, &s.alpha_admin).await;
        let shape = generate::SetShape {
            seed: 11,
            policies: 60,
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        };
        let files: Vec<(String, Vec<u8>)> = generate::files(&shape, 20)
            .map(|(n, t)| (n, t.into_bytes()))
            .collect();
        let (a, b) = tokio::join!(
            imports::import_all(
                &db,
                Importer::Staff(&by),
                Source::Upload,
                None,
                files.clone(),
                Utc::now()
            ),
            imports::import_all(
                &db,
                Importer::Staff(&by),
                Source::WatchedFolder,
                None,
                files.clone(),
                Utc::now()
            ),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.totals.rejected + b.totals.rejected, 0);
        assert_eq!(a.totals.policies + b.totals.policies, 120);
        let policies = policy::Entity::find()
            .filter(policy::Column::OrganizationId.eq(s.alpha.id))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(policies, 60);
        let created = a.totals.new_insureds + b.totals.new_insureds;
        assert_eq!(
            insureds(&db, s.alpha.id).await.len() as u32,
            created,
            "every insured created once"
        );
        assert_eq!(a.totals.unchanged + b.totals.unchanged, 60);
    }
);

both_engines!(
    imports_and_reports_stay_in_their_organization,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let alpha = admin(&db, s.alpha.id, &s.alpha_admin).await;
        let bravo = admin(&db, s.bravo.id, &s.bravo_admin).await;
        let r = import(&db, &alpha, vec![fixture("auto-jane-smith.xml")]).await;
        // The same download in another brokerage is its own policy and insured.
        let rb = import(&db, &bravo, vec![fixture("auto-jane-smith.xml")]).await;
        assert_eq!(outcomes(&rb), pairs(&[("AV-7001234", "new_insured")]));
        assert_eq!(insureds(&db, s.alpha.id).await.len(), 1);
        assert_eq!(insureds(&db, s.bravo.id).await.len(), 1);
        assert_ne!(
            policy_of(&db, s.alpha.id, "AV-7001234").await.id,
            policy_of(&db, s.bravo.id, "AV-7001234").await.id
        );
        // Another brokerage's report is not found.
        assert!(matches!(
            imports::report(&db, Importer::Staff(&bravo), r.id, None).await,
            Err(ServiceError::NotFound)
        ));
        assert_eq!(
            imports::report(&db, Importer::Staff(&alpha), r.id, None)
                .await
                .unwrap(),
            r
        );

        // Who may import: User Administrators and Brokers; not other staff,
        // not clients, not a staff member while emulating.
        let org = s.alpha.clone();
        let hash = common::hasher()
            .hash(common::PASSWORD.into())
            .await
            .unwrap();
        let mut may = Vec::new();
        for role in [StaffRole::Broker, StaffRole::Staff] {
            let u = app::server::services::users::insert_staff(
                &db,
                &org,
                &PersonName::parse("Rita", "", &format!("{role:?}")).unwrap(),
                role,
                None,
                hash.clone(),
                false,
                None,
                Utc::now(),
            )
            .await
            .unwrap();
            let actor = Actor::from_user(&u).unwrap();
            may.push(
                Import::start(&db, Importer::Staff(&actor), Source::Upload, Utc::now())
                    .await
                    .is_ok(),
            );
        }
        assert_eq!(may, [true, false]);
        let manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(s.alpha_one.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let client = Actor::from_user(&manager).unwrap();
        assert!(matches!(
            Import::start(&db, Importer::Staff(&client), Source::Upload, Utc::now()).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            imports::report(&db, Importer::Staff(&client), r.id, None).await,
            Err(ServiceError::Forbidden)
        ));
        // The refused starts left no run behind.
        let runs = import_run::Entity::find()
            .filter(import_run::Column::OrganizationId.eq(s.alpha.id))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(runs, 2, "the first import and the Broker's");
    }
);

both_engines!(
    downloads_without_an_address_never_attach_automatically,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let by = admin(&db, s.alpha.id, &s.alpha_admin).await;
        let bare = |number: &str| {
            variant(number, |p| {
                p.insured.full_name = "Sam Roy".into();
                p.insured.last_name = "Roy".into();
                p.insured.address = String::new();
                p.insured.postal_code = String::new();
            })
        };
        let r = import(&db, &by, vec![bare("BARE-1"), bare("BARE-2")]).await;
        assert_eq!(
            outcomes(&r),
            pairs(&[("BARE-1", "new_insured"), ("BARE-2", "new_insured")])
        );
        let sams = insureds(&db, s.alpha.id).await;
        assert_eq!(sams.len(), 2, "two people named Sam Roy stay two insureds");
        assert!(sams.iter().all(|i| i.needs_attaching));
        assert_eq!(
            r.files[1].items[0].note.as_deref(),
            Some("no address or postal code in the download: attach it by hand")
        );
        // A later download of the same policy still finds its policy.
        let again = import(&db, &by, vec![bare("BARE-1")]).await;
        assert_eq!(outcomes(&again), pairs(&[("BARE-1", "unchanged")]));
    }
);

both_engines!(
    a_policy_twice_in_one_file_keeps_the_newer_download,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let by = admin(&db, s.alpha.id, &s.alpha_admin).await;
        let first = csio::parse(&fixture("auto-jane-smith.xml").1)
            .unwrap()
            .remove(0);
        let renewal = csio::parse(&fixture("renewal-auto-jane-smith.xml").1)
            .unwrap()
            .remove(0);
        // Newest first, then the older one: the older one changes nothing.
        let file = (
            "both.xml".to_string(),
            generate::render(&[first.clone(), renewal.clone(), first]).into_bytes(),
        );
        let r = import(&db, &by, vec![file]).await;
        assert_eq!(
            outcomes(&r),
            pairs(&[
                ("AV-7001234", "new_insured"),
                ("AV-7001234", "updated"),
                ("AV-7001234", "unchanged"),
            ])
        );
        let p = policy_of(&db, s.alpha.id, "AV-7001234").await;
        assert_eq!(p.effective_date, renewal.effective);
        let ids: Vec<_> = r.files[0]
            .items
            .iter()
            .map(|i| i.insured.as_ref().unwrap().id)
            .collect();
        assert!(ids.iter().all(|id| *id == p.insured_id));
        assert_eq!(insureds(&db, s.alpha.id).await.len(), 1);
    }
);
