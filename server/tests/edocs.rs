//! Insureds' eDocs on SQLite and PostgreSQL, with two organizations
//! seeded: a broker adds one (details from the CSIO lists, optionally about
//! a policy of the insured); staff of the organization and the insured see
//! it; another insured of the organization, an account's users, another
//! brokerage and staff who don't manage clients are refused, and nothing
//! changes; attaching the policy elsewhere takes the eDoc along; the PDFs a
//! download embeds become eDocs once, each unreadable one reported. The
//! insured's portal shows their own policies (renewals, expiring and
//! expired ones marked) and eDocs only, whatever policy it is asked for.

mod common;

use app::{
    domain::{edoc::EdocDetails, StaffRole},
    server::{
        auth::Actor,
        entities::{document, import_item, insured, policy, user},
        error::ServiceError,
        mail::MailSettings,
        services::{
            documents::{self, StoredPdf},
            edocs,
            imports::{self, Importer, Source},
            insured_logins::{self, Registration},
            insured_portal, policy_attach,
        },
        state::FileSettings,
    },
};
use chrono::Utc;
use common::staff_actor as staff;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use std::{path::PathBuf, sync::Arc};

const PDF: &[u8] = b"%PDF-1.4\n% a declaration\n%%EOF\n";

fn fixture(name: &str) -> (String, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/csio")
        .join(name);
    (name.to_string(), std::fs::read(&path).unwrap())
}

fn files(dir: &tempfile::TempDir) -> Arc<FileSettings> {
    Arc::new(FileSettings {
        dir: dir.path().join("documents"),
        max_upload_bytes: FileSettings::DEFAULT_MAX_UPLOAD_BYTES,
        account_quota_bytes: Some(FileSettings::DEFAULT_ACCOUNT_QUOTA_BYTES),
    })
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

/// Registers `who` and answers the actor of their login.
async fn insured_actor(db: &DatabaseConnection, broker: &Actor, who: i32, email: &str) -> Actor {
    let done = insured_logins::register(
        db,
        &MailSettings::new("https://gatehouse.example.test", true),
        broker,
        &Registration {
            insured_id: who,
            email: email.into(),
            confirmed: true,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let login = user::Entity::find_by_id(done.user_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    Actor::from_user(&login).unwrap()
}

/// A PDF written as the upload path leaves it, ready to record.
fn stored(files: &FileSettings, name: &str) -> StoredPdf {
    std::fs::create_dir_all(&files.dir).unwrap();
    let stored_name = documents::generated_name();
    std::fs::write(files.dir.join(&stored_name), PDF).unwrap();
    StoredPdf {
        file_name: name.into(),
        stored_name,
        size_bytes: PDF.len() as i64,
    }
}

fn details() -> EdocDetails {
    EdocDetails::parse("2026-11-15", "NBS", "PINK", (2026, 12, 5)).unwrap()
}

async fn edoc_count(db: &DatabaseConnection) -> u64 {
    document::Entity::find()
        .filter(document::Column::InsuredId.is_not_null())
        .count(db)
        .await
        .unwrap()
}

async fn policy_numbered(db: &DatabaseConnection, org: i32, number: &str) -> policy::Model {
    policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org))
        .filter(policy::Column::PolicyNumber.eq(number))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

both_engines!(
    a_brokers_edoc_is_seen_by_staff_and_its_insured_only,
    |db: DatabaseConnection| async move {
        let dir = tempfile::tempdir().unwrap();
        let files = files(&dir);
        let s = common::seed(&db).await;
        let broker = staff(&db, &s, false, StaffRole::Broker).await;
        let clerk = staff(&db, &s, false, StaffRole::Staff).await;
        let other_broker = staff(&db, &s, true, StaffRole::Broker).await;
        for by in [&broker, &other_broker] {
            imports::import_all(
                &db,
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
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        let bakery = insured_named(&db, s.alpha.id, "Smith & Daughters Pâtisserie Ltd.").await;
        let janes_policy = policy_numbered(&db, s.alpha.id, "AV-7001234").await;
        let jane_login = insured_actor(&db, &broker, jane.id, "jane@example.ca").await;
        let bakery_login = insured_actor(&db, &broker, bakery.id, "bakery@example.ca").await;
        let account_manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(s.alpha_one.id))
            .filter(user::Column::Role.eq("account_manager"))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let account_manager = Actor::from_user(&account_manager).unwrap();

        // The broker adds it, about Jane's policy.
        let id = edocs::add(
            &db,
            &broker,
            jane.id,
            Some(janes_policy.id),
            &details(),
            &stored(&files, "Pink card.pdf"),
            files.account_quota_bytes,
            Utc::now(),
        )
        .await
        .unwrap();
        let row = document::Entity::find_by_id(id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.insured_id, Some(jane.id));
        assert_eq!(row.client_account_id, None, "not an account document");
        assert_eq!(row.business_purpose.as_deref(), Some("NBS"));
        assert_eq!(row.document_type.as_deref(), Some("PINK"));

        // Staff see it with its labels; the insured sees their own.
        for who in [&broker, &clerk] {
            let v = edocs::list(&db, who, Some(jane.id), None, &files)
                .await
                .unwrap();
            assert_eq!(v.edocs.len(), 1);
            let d = &v.edocs[0];
            assert_eq!(d.document_type, "Liability slip / pink card");
            assert_eq!(d.business_purpose, "New business");
            assert_eq!(d.policy_number.as_deref(), Some("AV-7001234"));
            assert_eq!(d.issue_date, "2026-11-15");
            assert_eq!(v.can_add, std::ptr::eq(who, &broker));
        }
        let mine = edocs::list(&db, &jane_login, None, None, &files)
            .await
            .unwrap();
        assert_eq!(mine.edocs.len(), 1);
        assert!(!mine.can_add && !mine.can_delete);
        let (name, path) = documents::file_for_download(&db, &jane_login, id, &files)
            .await
            .unwrap();
        assert_eq!(name, "Pink card.pdf");
        assert_eq!(std::fs::read(path).unwrap(), PDF);
        // Filtered by another policy: none.
        let none = edocs::list(&db, &jane_login, None, Some(janes_policy.id + 1000), &files)
            .await
            .unwrap();
        assert!(none.edocs.is_empty());

        // Another insured of the organization, an account's users and
        // another brokerage: not found or refused, by list and by id.
        assert!(matches!(
            edocs::list(&db, &bakery_login, Some(jane.id), None, &files).await,
            Err(ServiceError::NotFound)
        ));
        assert!(edocs::list(&db, &bakery_login, None, None, &files)
            .await
            .unwrap()
            .edocs
            .is_empty());
        for who in [&bakery_login, &account_manager, &other_broker] {
            assert!(matches!(
                documents::file_for_download(&db, who, id, &files).await,
                Err(ServiceError::NotFound)
            ));
            assert!(documents::delete(&db, who, id, &files, Utc::now())
                .await
                .is_err());
        }
        assert!(matches!(
            edocs::list(&db, &account_manager, Some(jane.id), None, &files).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            edocs::list(&db, &other_broker, Some(jane.id), None, &files).await,
            Err(ServiceError::NotFound)
        ));
        // An insured has no account documents.
        assert!(matches!(
            documents::list(&db, &jane_login, None, None, &files).await,
            Err(ServiceError::Forbidden)
        ));

        // Adding: another brokerage, staff who don't manage clients, the
        // insured; and a policy of another insured.
        let before = edoc_count(&db).await;
        assert!(matches!(
            edocs::add(
                &db,
                &other_broker,
                jane.id,
                None,
                &details(),
                &stored(&files, "x.pdf"),
                None,
                Utc::now()
            )
            .await,
            Err(ServiceError::NotFound)
        ));
        for who in [&clerk, &jane_login] {
            assert!(matches!(
                edocs::add(
                    &db,
                    who,
                    jane.id,
                    None,
                    &details(),
                    &stored(&files, "x.pdf"),
                    None,
                    Utc::now()
                )
                .await,
                Err(ServiceError::Forbidden)
            ));
        }
        let bakerys_policy = policy::Entity::find()
            .filter(policy::Column::InsuredId.eq(bakery.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        match edocs::add(
            &db,
            &broker,
            jane.id,
            Some(bakerys_policy.id),
            &details(),
            &stored(&files, "x.pdf"),
            None,
            Utc::now(),
        )
        .await
        {
            Err(ServiceError::Invalid(e)) => assert_eq!(e.field, "policy"),
            other => panic!("expected a policy error, got {other:?}"),
        }
        assert_eq!(edoc_count(&db).await, before, "nothing added");
        // The clerk and the insured can't delete it either.
        for who in [&clerk, &jane_login] {
            assert!(documents::delete(&db, who, id, &files, Utc::now())
                .await
                .is_err());
        }
        assert_eq!(edoc_count(&db).await, before, "nothing deleted");

        // The policy attached to the bakery takes its eDoc along: Jane no
        // longer sees it, the bakery does.
        policy_attach::attach(&db, &broker, bakery.id, janes_policy.id, true, Utc::now())
            .await
            .unwrap();
        assert!(edocs::list(&db, &jane_login, None, None, &files)
            .await
            .unwrap()
            .edocs
            .is_empty());
        assert!(documents::file_for_download(&db, &jane_login, id, &files)
            .await
            .is_err());
        assert_eq!(
            edocs::list(&db, &bakery_login, None, None, &files)
                .await
                .unwrap()
                .edocs
                .len(),
            1
        );

        // The broker deletes it, and its file.
        let path = documents::file_for_download(&db, &broker, id, &files)
            .await
            .unwrap()
            .1;
        documents::delete(&db, &broker, id, &files, Utc::now())
            .await
            .unwrap();
        assert_eq!(edoc_count(&db).await, before - 1);
        assert!(!path.exists());
    }
);

both_engines!(
    embedded_documents_become_edocs_once_and_unreadable_ones_are_reported,
    |db: DatabaseConnection| async move {
        let dir = tempfile::tempdir().unwrap();
        let files = files(&dir);
        let s = common::seed(&db).await;
        let broker = staff(&db, &s, false, StaffRole::Broker).await;
        let other_broker = staff(&db, &s, true, StaffRole::Broker).await;
        for by in [&broker, &other_broker] {
            imports::import_all(
                &db,
                Importer::Staff(by),
                Source::Upload,
                Some(files.clone()),
                vec![fixture("auto-jane-smith.xml")],
                Utc::now(),
            )
            .await
            .unwrap();
        }
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        let report = imports::import_all(
            &db,
            Importer::Staff(&broker),
            Source::Upload,
            Some(files.clone()),
            vec![fixture("renewal-auto-jane-smith-edocs.xml")],
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(report.totals.edocs, 2, "the declaration and the pink card");
        assert_eq!(report.totals.updated, 1);
        let v = edocs::list(&db, &broker, Some(jane.id), None, &files)
            .await
            .unwrap();
        let mut got: Vec<(String, String, String, Option<String>)> = v
            .edocs
            .iter()
            .map(|d| {
                (
                    d.file_name.clone(),
                    d.document_type.clone(),
                    d.issue_date.clone(),
                    d.policy_number.clone(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (
                    "AV-7001234 declaration 2027.pdf".into(),
                    "Declaration".into(),
                    "2027-10-15".into(),
                    Some("AV-7001234".into())
                ),
                (
                    "Pink card.pdf".into(),
                    "Liability slip / pink card".into(),
                    "2027-10-16".into(),
                    Some("AV-7001234".into())
                ),
            ]
        );
        assert!(v.edocs.iter().all(|d| d.business_purpose == "Renewal"));
        assert!(v
            .edocs
            .iter()
            .all(|d| d.added_by == format!("Import {}", report.id)));
        // The bytes are on disk, downloadable.
        let (_, path) = documents::file_for_download(&db, &broker, v.edocs[0].id, &files)
            .await
            .unwrap();
        assert!(std::fs::read(path).unwrap().starts_with(b"%PDF-"));
        // The policy's line of the report says what happened to each.
        let item = import_item::Entity::find()
            .filter(import_item::Column::OrganizationId.eq(s.alpha.id))
            .filter(import_item::Column::PolicyNumber.eq("AV-7001234"))
            .order_by_desc(import_item::Column::Id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let note = item.note.unwrap_or_default();
        assert!(
            note.contains("eDoc AV-7001234 declaration 2027.pdf added"),
            "{note}"
        );
        assert!(
            note.contains("eDoc letter.pdf not added: it is not a PDF"),
            "{note}"
        );
        assert!(
            note.contains("eDoc broken.pdf not added: its data is not valid base64"),
            "{note}"
        );

        // Again: nothing new; the other brokerage's Jane gets none.
        let again = imports::import_all(
            &db,
            Importer::Staff(&broker),
            Source::Upload,
            Some(files.clone()),
            vec![fixture("renewal-auto-jane-smith-edocs.xml")],
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(again.totals.edocs, 0);
        assert_eq!(edoc_count(&db).await, 2);
        let bravo_jane = insured_named(&db, s.bravo.id, "Jane Smith").await;
        assert!(
            edocs::list(&db, &other_broker, Some(bravo_jane.id), None, &files)
                .await
                .unwrap()
                .edocs
                .is_empty()
        );

        // The other brokerage imports it: its own copies, for its Jane.
        let theirs = imports::import_all(
            &db,
            Importer::Staff(&other_broker),
            Source::Upload,
            None,
            vec![fixture("renewal-auto-jane-smith-edocs.xml")],
            Utc::now(),
        )
        .await
        .unwrap();
        // Started without document storage: reported, not added.
        assert_eq!(theirs.totals.edocs, 0);
        let item = import_item::Entity::find()
            .filter(import_item::Column::OrganizationId.eq(s.bravo.id))
            .filter(import_item::Column::PolicyNumber.eq("AV-7001234"))
            .order_by_desc(import_item::Column::Id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(item
            .note
            .unwrap_or_default()
            .contains("not added: this import has no document storage"));
    }
);

both_engines!(
    the_insured_portal_shows_the_insureds_own_policies_and_documents_only,
    |db: DatabaseConnection| async move {
        let dir = tempfile::tempdir().unwrap();
        let files = files(&dir);
        let s = common::seed(&db).await;
        let broker = staff(&db, &s, false, StaffRole::Broker).await;
        imports::import_all(
            &db,
            Importer::Staff(&broker),
            Source::Upload,
            Some(files.clone()),
            vec![
                fixture("auto-jane-smith.xml"),
                fixture("commercial-smith-bakery.xml"),
            ],
            Utc::now(),
        )
        .await
        .unwrap();
        let jane = insured_named(&db, s.alpha.id, "Jane Smith").await;
        let bakery = insured_named(&db, s.alpha.id, "Smith & Daughters Pâtisserie Ltd.").await;
        let janes_policy = policy_numbered(&db, s.alpha.id, "AV-7001234").await;
        let bakerys_policy = policy::Entity::find()
            .filter(policy::Column::InsuredId.eq(bakery.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let jane_login = insured_actor(&db, &broker, jane.id, "jane@example.ca").await;
        let bakery_login = insured_actor(&db, &broker, bakery.id, "bakery@example.ca").await;
        for (who, policy) in [(jane.id, janes_policy.id), (bakery.id, bakerys_policy.id)] {
            edocs::add(
                &db,
                &broker,
                who,
                Some(policy),
                &details(),
                &stored(&files, &format!("Declaration {who}.pdf")),
                None,
                Utc::now(),
            )
            .await
            .unwrap();
        }
        let today = janes_policy.effective_date;
        let home = insured_portal::home(&db, &jane_login, "alpha", None, today, &files)
            .await
            .unwrap();
        assert_eq!(home.insured_name, "Jane Smith");
        assert_eq!(home.email, "jane@example.ca");
        let numbers: Vec<&str> = home
            .policies
            .iter()
            .map(|p| p.policy.policy_number.as_str())
            .collect();
        assert_eq!(numbers, vec!["AV-7001234"]);
        assert_eq!(home.policies[0].policy.state, "active");
        assert!(!home.policies[0].renewed && !home.policies[0].expiring_soon);
        let files_shown: Vec<&str> = home
            .documents
            .edocs
            .iter()
            .map(|d| d.file_name.as_str())
            .collect();
        assert_eq!(
            files_shown,
            vec![format!("Declaration {}.pdf", jane.id).as_str()]
        );

        // Asking for the bakery's policy shows none of the bakery's eDocs.
        let asked = insured_portal::home(
            &db,
            &jane_login,
            "alpha",
            Some(bakerys_policy.id),
            today,
            &files,
        )
        .await
        .unwrap();
        assert!(asked.documents.edocs.is_empty());
        assert!(asked
            .policies
            .iter()
            .all(|p| p.policy.id != bakerys_policy.id));
        // The bakery sees its own.
        let theirs = insured_portal::home(&db, &bakery_login, "alpha", None, today, &files)
            .await
            .unwrap();
        assert!(theirs
            .documents
            .edocs
            .iter()
            .all(|d| d.file_name.ends_with(&format!("{}.pdf", bakery.id))));
        assert!(theirs
            .policies
            .iter()
            .all(|p| p.policy.id != janes_policy.id));

        // Near its expiry, after it and once renewed.
        let near = janes_policy.expiry_date - chrono::Duration::days(10);
        let home = insured_portal::home(&db, &jane_login, "alpha", None, near, &files)
            .await
            .unwrap();
        assert!(home.policies[0].expiring_soon);
        let after = janes_policy.expiry_date + chrono::Duration::days(1);
        let home = insured_portal::home(&db, &jane_login, "alpha", None, after, &files)
            .await
            .unwrap();
        assert_eq!(home.policies[0].policy.state, "expired");
        imports::import_all(
            &db,
            Importer::Staff(&broker),
            Source::Upload,
            Some(files.clone()),
            vec![fixture("renewal-auto-jane-smith.xml")],
            Utc::now(),
        )
        .await
        .unwrap();
        let home = insured_portal::home(&db, &jane_login, "alpha", None, after, &files)
            .await
            .unwrap();
        assert_eq!(home.policies[0].policy.state, "active");
        assert!(home.policies[0].renewed);

        // Another portal's address, staff and account users: no.
        assert!(matches!(
            insured_portal::home(&db, &jane_login, "bravo", None, today, &files).await,
            Err(ServiceError::SignInRequired)
        ));
        assert!(matches!(
            insured_portal::home(&db, &broker, "alpha", None, today, &files).await,
            Err(ServiceError::SignInRequired)
        ));
        let account_manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(s.alpha_one.id))
            .filter(user::Column::Role.eq("account_manager"))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let account_manager = Actor::from_user(&account_manager).unwrap();
        assert!(matches!(
            insured_portal::home(&db, &account_manager, "alpha", None, today, &files).await,
            Err(ServiceError::Forbidden)
        ));
        // At another organization's address the organization is checked
        // first: no session there, whatever the role.
        assert!(matches!(
            insured_portal::home(&db, &account_manager, "bravo", None, today, &files).await,
            Err(ServiceError::SignInRequired)
        ));
    }
);
