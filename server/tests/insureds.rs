//! The Insureds table and Attach/Unattach Policies on SQLite and
//! PostgreSQL, two organizations seeded with the same generated book (the
//! same names and policy numbers in both): the search returns exactly what
//! a plain scan of [`InsuredSearch::matches`] returns, for every kind of
//! term; filters and every sort page through all rows once, in order;
//! attaching and removing move policies, keep the summaries right, hide an
//! insured left without policies and are audited; a registered insured's
//! policy moves only when confirmed; another brokerage's insureds and
//! policies are never found nor changed; only User Administrators and
//! Brokers attach.

mod common;

use app::{
    api::dto::InsuredsListView,
    domain::{
        insured::policy_number_key, InsuredSearch, InsuredSort, InsuredsQuery, PersonName,
        PolicyFilter, RegistrationFilter, StaffRole,
    },
    server::{
        auth::Actor,
        entities::{audit_event, insured, policy, user},
        error::ServiceError,
        import::generate,
        services::{
            imports::{self, Importer, Source},
            insured_summary::date_key,
            insureds, policy_attach,
        },
    },
};
use chrono::{NaiveDate, Utc};
use common::Seed;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use std::{
    collections::{BTreeSet, HashMap},
    path::PathBuf,
};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn fixture(name: &str) -> (String, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/csio")
        .join(name);
    (name.to_string(), std::fs::read(&path).unwrap())
}

async fn actor(db: &DatabaseConnection, org_id: i32, username: &str) -> Actor {
    let u = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org_id))
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    Actor::from_user(&u).unwrap()
}

async fn import(db: &DatabaseConnection, by: &Actor, files: Vec<(String, Vec<u8>)>) {
    imports::import_all(
        db,
        Importer::Staff(by),
        Source::Upload,
        None,
        files,
        Utc::now(),
    )
    .await
    .unwrap();
}

/// The same generated book for both organizations.
async fn import_book(db: &DatabaseConnection, by: &Actor, policies: u64) {
    let shape = generate::SetShape {
        seed: 7,
        policies,
        today: today(),
    };
    let files = generate::files(&shape, 250)
        .map(|(name, xml)| (name, xml.into_bytes()))
        .collect();
    import(db, by, files).await;
}

/// Every row of `query`, following the pages.
async fn all_pages(
    db: &DatabaseConnection,
    by: &Actor,
    query: &InsuredsQuery,
) -> Vec<app::api::dto::InsuredRowView> {
    let mut q = query.clone();
    let mut out = Vec::new();
    loop {
        let page: InsuredsListView = insureds::list(db, by, &q, Utc::now()).await.unwrap();
        out.extend(page.rows);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return out,
        }
    }
}

fn search(term: &str) -> InsuredsQuery {
    InsuredsQuery {
        search: term.into(),
        ..Default::default()
    }
}

/// The organization's insureds with their policies' number keys.
async fn everything(
    db: &DatabaseConnection,
    org: i32,
) -> Vec<(insured::Model, Vec<policy::Model>)> {
    let mut policies: HashMap<i32, Vec<policy::Model>> = HashMap::new();
    for p in policy::Entity::find()
        .filter(policy::Column::OrganizationId.eq(org))
        .all(db)
        .await
        .unwrap()
    {
        policies.entry(p.insured_id).or_default().push(p);
    }
    insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|i| {
            let ps = policies.remove(&i.id).unwrap_or_default();
            (i, ps)
        })
        .collect()
}

/// Registers `id` by hand (the registration itself is the next issue):
/// the email and the search text that holds it.
async fn register(db: &DatabaseConnection, id: i32, email: &str) {
    let i = insured::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let keys = insured::Keys::of(
        &i.full_name,
        &i.last_name,
        &i.address,
        &i.postal_code,
        Some(email),
    );
    insured::Entity::update_many()
        .col_expr(insured::Column::Email, Expr::value(email))
        .col_expr(insured::Column::SearchText, Expr::value(keys.search_text))
        .filter(insured::Column::Id.eq(id))
        .exec(db)
        .await
        .unwrap();
}

both_engines!(
    the_search_finds_what_a_plain_scan_finds,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let alpha = actor(&db, s.alpha.id, &s.alpha_admin).await;
        let bravo = actor(&db, s.bravo.id, &s.bravo_admin).await;
        import_book(&db, &alpha, 1_500).await;
        import_book(&db, &bravo, 1_500).await;
        let book = everything(&db, s.alpha.id).await;
        // Every alpha insured registered (more of them than a search
        // looks up one by one), then two with the same email, one in each
        // organization: each brokerage finds only its own.
        db.execute_unprepared(&format!(
            "UPDATE insureds SET email = 'c' || id || '@example.com', \
             search_text = search_text || ' c' || id || '@example.com' \
             WHERE organization_id = {}",
            s.alpha.id
        ))
        .await
        .unwrap();
        assert!(book.len() as u64 > insureds::WIDE_SEARCH);
        let someone = book
            .iter()
            .find(|(_, ps)| !ps.is_empty())
            .unwrap()
            .0
            .clone();
        register(&db, someone.id, "jane.q.client@example.com").await;
        let twin = insured::Entity::find()
            .filter(insured::Column::OrganizationId.eq(s.bravo.id))
            .filter(insured::Column::MatchKey.eq(someone.match_key.as_str()))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        register(&db, twin.id, "jane.q.client@example.com").await;
        let book = everything(&db, s.alpha.id).await;

        // Terms of every kind, taken from the data.
        let (with_policies, policies) = book
            .iter()
            .find(|(i, ps)| ps.len() > 1 && i.full_name.contains(' '))
            .expect("an insured with two policies");
        let full_name = with_policies.full_name.clone();
        let last_name = with_policies.last_name.clone();
        let fragment: String = full_name.chars().skip(1).take(4).collect();
        let exact_number = policies[0].policy_number.clone();
        let prefix: String = policy_number_key(&exact_number).chars().take(5).collect();
        let dashed_prefix = {
            // The prefix written with a dash after its third character.
            let (a, b) = prefix.split_at(3);
            format!("{a}-{b}")
        };
        let terms = vec![
            // Every alpha insured is registered at example.com (below): a
            // term so wide that SQLite walks the sort's index.
            "example.com".to_string(),
            full_name.clone(),
            full_name.to_uppercase(),
            last_name,
            fragment,
            full_name.chars().take(2).collect::<String>(),
            exact_number,
            prefix,
            dashed_prefix,
            "jane.q.client@example.com".to_string(),
            "JANE.Q.CLIENT".to_string(),
            "Zoë".to_string(),
            "zzqx nobody".to_string(),
            "50%_".to_string(),
            "\"quoted\"".to_string(),
        ];
        for term in terms {
            let parsed = InsuredSearch::parse(&term).unwrap();
            let expected: BTreeSet<i32> = book
                .iter()
                .filter(|(i, ps)| {
                    i.policy_count > 0
                        && parsed.matches(&i.search_text, ps.iter().map(|p| p.number_key.as_str()))
                })
                .map(|(i, _)| i.id)
                .collect();
            for sort in InsuredSort::ALL {
                let mut q = search(&term);
                q.sort = sort;
                let rows = all_pages(&db, &alpha, &q).await;
                let got: BTreeSet<i32> = rows.iter().map(|r| r.id).collect();
                assert_eq!(got.len(), rows.len(), "{term:?} by {sort:?}: a row twice");
                assert_eq!(got, expected, "{term:?} by {sort:?}");
            }
        }
        // The registered insured is found by email in its own organization
        // only, and shows the email.
        let found = all_pages(&db, &bravo, &search("jane.q.client@example.com")).await;
        assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), [twin.id]);
        assert_eq!(found[0].email.as_deref(), Some("jane.q.client@example.com"));
        // An insured of the other brokerage asked for by id is not there.
        let q = InsuredsQuery {
            insured: Some(twin.id),
            ..Default::default()
        };
        assert!(all_pages(&db, &alpha, &q).await.is_empty());
    }
);

both_engines!(
    filters_and_sorts_page_through_every_row_once,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let alpha = actor(&db, s.alpha.id, &s.alpha_admin).await;
        import_book(&db, &alpha, 600).await;
        let book = everything(&db, s.alpha.id).await;
        let today_key = date_key(today());
        let scan = |keep: &dyn Fn(&insured::Model, &[policy::Model]) -> bool| -> BTreeSet<i32> {
            book.iter()
                .filter(|(i, ps)| keep(i, ps))
                .map(|(i, _)| i.id)
                .collect()
        };
        // The summaries agree with the policies.
        for (i, ps) in &book {
            assert_eq!(i.policy_count as usize, ps.len());
            let latest = ps
                .iter()
                .map(|p| date_key(p.expiry_date))
                .max()
                .unwrap_or(0);
            assert_eq!(i.expiry_key, latest);
        }
        let active = scan(&|_, ps| {
            ps.iter()
                .any(|p| p.status != "cancelled" && date_key(p.expiry_date) >= today_key)
        });
        let flagged = scan(&|i, ps| i.needs_attaching && !ps.is_empty());
        assert!(!active.is_empty() && !flagged.is_empty());
        assert!(
            active.len() < book.len(),
            "the generator makes expired policies"
        );
        for (query, expected) in [
            (
                InsuredsQuery {
                    policies: PolicyFilter::Active,
                    ..Default::default()
                },
                active,
            ),
            (
                InsuredsQuery {
                    needs_attaching: true,
                    ..Default::default()
                },
                flagged,
            ),
            (
                InsuredsQuery {
                    registered: RegistrationFilter::NotRegistered,
                    ..Default::default()
                },
                scan(&|_, ps| !ps.is_empty()),
            ),
            (
                InsuredsQuery {
                    registered: RegistrationFilter::Registered,
                    ..Default::default()
                },
                BTreeSet::new(),
            ),
        ] {
            let got: BTreeSet<i32> = all_pages(&db, &alpha, &query)
                .await
                .iter()
                .map(|r| r.id)
                .collect();
            assert_eq!(got, expected, "{query:?}");
        }
        // Every sort, both ways: every row once, in the sort's order.
        let by_id: HashMap<i32, &insured::Model> = book.iter().map(|(i, _)| (i.id, i)).collect();
        for sort in InsuredSort::ALL {
            for descending in [false, true] {
                let q = InsuredsQuery {
                    sort,
                    descending,
                    ..Default::default()
                };
                let rows = all_pages(&db, &alpha, &q).await;
                assert_eq!(rows.len(), book.len(), "{sort:?} {descending}");
                let keys: Vec<(String, i32)> = rows
                    .iter()
                    .map(|r| {
                        let i = by_id[&r.id];
                        let k = match sort {
                            InsuredSort::Name => i.name_key.clone(),
                            InsuredSort::PostalCode => {
                                format!("{}\u{1}{}", i.postal_key, i.name_key)
                            }
                            InsuredSort::LatestDownload => i.latest_download_at.to_rfc3339(),
                            InsuredSort::Expiry => format!("{:08}", i.expiry_key),
                        };
                        (k, i.id)
                    })
                    .collect();
                let mut sorted = keys.clone();
                sorted.sort();
                if descending {
                    sorted.reverse();
                }
                assert_eq!(keys, sorted, "{sort:?} {descending}");
            }
        }
        // A cursor of another organization's insured is refused.
        let q = InsuredsQuery {
            cursor: Some("999999".into()),
            ..Default::default()
        };
        assert!(matches!(
            insureds::list(&db, &alpha, &q, Utc::now()).await,
            Err(ServiceError::Invalid(_))
        ));
    }
);

async fn named(db: &DatabaseConnection, org: i32, name: &str) -> insured::Model {
    insured::Entity::find()
        .filter(insured::Column::OrganizationId.eq(org))
        .filter(insured::Column::FullName.eq(name))
        .order_by_asc(insured::Column::Id)
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("insured {name}"))
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

async fn audit_details(db: &DatabaseConnection, org: i32) -> Vec<String> {
    audit_event::Entity::find()
        .filter(audit_event::Column::OrganizationId.eq(org))
        .filter(audit_event::Column::Action.is_in(["policy_attached", "policy_removed"]))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.details)
        .collect()
}

both_engines!(
    attaching_and_removing_move_policies_and_are_audited,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let alpha = actor(&db, s.alpha.id, &s.alpha_admin).await;
        import(&db, &alpha, vec![fixture("several-policies.xml")]).await;
        let christopher = named(&db, s.alpha.id, "Christopher J Smith").await;
        let chris = named(&db, s.alpha.id, "Chris Smith").await;
        assert!(chris.needs_attaching);
        assert_eq!(chris.likely_match_id, Some(christopher.id));
        let near = policy_numbered(&db, s.alpha.id, "EC-HO-118822").await;
        assert_eq!(near.insured_id, chris.id);

        // Found by number (any part of its start, dashes or not), then Add.
        let found = policy_attach::find(&db, &alpha, christopher.id, "echo11", today())
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].insured.id, chris.id);
        assert!(!found[0].here && !found[0].insured_registered);
        let said = policy_attach::attach(&db, &alpha, christopher.id, near.id, false, Utc::now())
            .await
            .unwrap();
        assert_eq!(said, "Policy EC-HO-118822 attached to Christopher J Smith.");
        let panel = policy_attach::panel(&db, &alpha, christopher.id, today())
            .await
            .unwrap();
        assert_eq!(panel.policies.len(), 2);
        // Chris Smith has nothing left: hidden from the default view, kept,
        // no longer flagged.
        let chris_now = named(&db, s.alpha.id, "Chris Smith").await;
        assert_eq!(chris_now.policy_count, 0);
        assert!(!chris_now.needs_attaching);
        let listed = all_pages(&db, &alpha, &search("smith")).await;
        assert_eq!(
            listed.iter().map(|r| r.id).collect::<Vec<_>>(),
            [christopher.id]
        );
        assert_eq!(listed[0].policy_count, 2);
        let without = all_pages(
            &db,
            &alpha,
            &InsuredsQuery {
                policies: PolicyFilter::Without,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(without.iter().map(|r| r.id).collect::<Vec<_>>(), [chris.id]);

        // Remove puts it back on the insured its download names.
        let said = policy_attach::remove(&db, &alpha, christopher.id, near.id, Utc::now())
            .await
            .unwrap();
        assert!(said.contains("now on Chris Smith"), "{said}");
        assert_eq!(
            policy_numbered(&db, s.alpha.id, "EC-HO-118822")
                .await
                .insured_id,
            chris.id
        );
        // Removing a policy from the insured it matched exactly gives it an
        // insured of its own, flagged; the same again is refused.
        let own = policy_numbered(&db, s.alpha.id, "WA-3300415").await;
        let said = policy_attach::remove(&db, &alpha, christopher.id, own.id, Utc::now())
            .await
            .unwrap();
        assert!(said.contains("flagged Needs attaching"), "{said}");
        let moved = policy_numbered(&db, s.alpha.id, "WA-3300415").await;
        assert_ne!(moved.insured_id, christopher.id);
        let alone = insured::Entity::find_by_id(moved.insured_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(alone.needs_attaching);
        assert_eq!(alone.full_name, "Christopher J Smith");
        // Removed from there, it goes back to the insured its download
        // names; removed again, to the same insured of its own.
        let said = policy_attach::remove(&db, &alpha, alone.id, own.id, Utc::now())
            .await
            .unwrap();
        assert!(said.contains("now on Christopher J Smith"), "{said}");
        policy_attach::remove(&db, &alpha, christopher.id, own.id, Utc::now())
            .await
            .unwrap();
        assert_eq!(
            policy_numbered(&db, s.alpha.id, "WA-3300415")
                .await
                .insured_id,
            alone.id
        );
        // Removing a policy that isn't on that insured is refused.
        assert!(matches!(
            policy_attach::remove(&db, &alpha, christopher.id, own.id, Utc::now()).await,
            Err(ServiceError::Conflict(_))
        ));

        let details = audit_details(&db, s.alpha.id).await;
        assert_eq!(details.len(), 5, "{details:?}");
        assert!(details[0].starts_with("Policy EC-HO-118822 attached to Christopher J Smith"));
        assert!(details[1].starts_with("Policy EC-HO-118822 removed from Christopher J Smith"));
        assert!(details[2].starts_with("Policy WA-3300415 removed from Christopher J Smith"));
    }
);

both_engines!(
    a_registered_insureds_policy_moves_only_when_confirmed,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let alpha = actor(&db, s.alpha.id, &s.alpha_admin).await;
        import(&db, &alpha, vec![fixture("several-policies.xml")]).await;
        let christopher = named(&db, s.alpha.id, "Christopher J Smith").await;
        let chris = named(&db, s.alpha.id, "Chris Smith").await;
        register(&db, christopher.id, "chris@example.com").await;
        let his = policy_numbered(&db, s.alpha.id, "WA-3300415").await;
        let found = policy_attach::find(&db, &alpha, chris.id, "WA-33", today())
            .await
            .unwrap();
        assert!(found[0].insured_registered);
        assert!(matches!(
            policy_attach::attach(&db, &alpha, chris.id, his.id, false, Utc::now()).await,
            Err(ServiceError::Conflict(m)) if m.contains("registered")
        ));
        assert_eq!(
            policy_numbered(&db, s.alpha.id, "WA-3300415")
                .await
                .insured_id,
            christopher.id,
            "nothing moved"
        );
        assert!(audit_details(&db, s.alpha.id).await.is_empty());
        policy_attach::attach(&db, &alpha, chris.id, his.id, true, Utc::now())
            .await
            .unwrap();
        assert_eq!(
            policy_numbered(&db, s.alpha.id, "WA-3300415")
                .await
                .insured_id,
            chris.id
        );
        // A too-short number is refused next to its field.
        assert!(matches!(
            policy_attach::find(&db, &alpha, chris.id, "W-", today()).await,
            Err(ServiceError::Invalid(e)) if e.field == "number"
        ));
    }
);

both_engines!(
    another_brokerage_and_other_roles_are_kept_out,
    |db: DatabaseConnection| async move {
        let s: Seed = common::seed(&db).await;
        let alpha = actor(&db, s.alpha.id, &s.alpha_admin).await;
        let bravo = actor(&db, s.bravo.id, &s.bravo_admin).await;
        import(&db, &alpha, vec![fixture("several-policies.xml")]).await;
        import(&db, &bravo, vec![fixture("auto-jane-smith.xml")]).await;
        let chris = named(&db, s.alpha.id, "Chris Smith").await;
        let near = policy_numbered(&db, s.alpha.id, "EC-HO-118822").await;
        let jane = named(&db, s.bravo.id, "Jane Smith").await;
        let janes = policy_numbered(&db, s.bravo.id, "AV-7001234").await;

        // Bravo: alpha's insured and policy are not found, whatever is
        // asked; alpha's policy numbers find nothing.
        assert!(all_pages(&db, &bravo, &search("Chris Smith"))
            .await
            .is_empty());
        assert!(all_pages(&db, &bravo, &search("EC-HO-118822"))
            .await
            .is_empty());
        assert!(matches!(
            policy_attach::panel(&db, &bravo, chris.id, today()).await,
            Err(ServiceError::NotFound)
        ));
        assert!(policy_attach::find(&db, &bravo, jane.id, "EC-HO", today())
            .await
            .unwrap()
            .is_empty());
        assert!(matches!(
            policy_attach::attach(&db, &bravo, jane.id, near.id, true, Utc::now()).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            policy_attach::attach(&db, &alpha, chris.id, janes.id, true, Utc::now()).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            policy_attach::remove(&db, &bravo, chris.id, near.id, Utc::now()).await,
            Err(ServiceError::NotFound)
        ));
        assert_eq!(
            policy_numbered(&db, s.alpha.id, "EC-HO-118822")
                .await
                .insured_id,
            chris.id
        );
        assert_eq!(
            policy_numbered(&db, s.bravo.id, "AV-7001234")
                .await
                .insured_id,
            jane.id
        );

        // Staff see the table but don't attach; clients see nothing.
        let hash = common::hasher()
            .hash(common::PASSWORD.into())
            .await
            .unwrap();
        let staff = app::server::services::users::insert_staff(
            &db,
            &s.alpha,
            &PersonName::parse("Sid", "", "Staff").unwrap(),
            StaffRole::Staff,
            None,
            hash,
            false,
            None,
            Utc::now(),
        )
        .await
        .unwrap();
        let staff = Actor::from_user(&staff).unwrap();
        let page = insureds::list(&db, &staff, &InsuredsQuery::default(), Utc::now())
            .await
            .unwrap();
        assert!(!page.can_attach);
        assert!(!page.rows.is_empty());
        assert!(matches!(
            policy_attach::attach(&db, &staff, chris.id, near.id, true, Utc::now()).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            policy_attach::find(&db, &staff, chris.id, "EC-HO", today()).await,
            Err(ServiceError::Forbidden)
        ));
        let manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(s.alpha_one.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let client = Actor::from_user(&manager).unwrap();
        assert!(matches!(
            insureds::list(&db, &client, &InsuredsQuery::default(), Utc::now()).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            policy_attach::remove(&db, &client, chris.id, near.id, Utc::now()).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(audit_details(&db, s.alpha.id).await.is_empty());
        assert!(audit_details(&db, s.bravo.id).await.is_empty());
    }
);
