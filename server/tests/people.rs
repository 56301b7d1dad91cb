//! Service tests of the People directory, each on SQLite and PostgreSQL with
//! two organizations seeded: the filters and every sort against a list
//! computed here by hand, the Description's wording for direct and emulated
//! actions, the User Administrator limit under concurrency, the guard that
//! keeps one User Administrator, and who may do what to whom.

mod common;

use app::{
    domain::{PeopleQuery, PeopleSort, PersonName, StaffRole, UserKind},
    server::{
        auth::Actor,
        entities::{audit_event, outbox_message, user},
        error::ServiceError,
        mail::MailSettings,
        services::{administrators, office_staff, people, recovery, user_access, users},
    },
};
use chrono::{Duration, Utc};
use common::{Seed, PASSWORD};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, Set,
};

/// How a refused call must fail.
type Refusal = fn(&ServiceError) -> bool;

fn mail() -> MailSettings {
    MailSettings::new("https://gatehouse.example.test", true)
}

async fn row(db: &DatabaseConnection, id: i32) -> user::Model {
    user::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

async fn actor(db: &DatabaseConnection, id: i32) -> Actor {
    Actor::from_user(&row(db, id).await).unwrap()
}

async fn admin_of(db: &DatabaseConnection, org_id: i32, username: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org_id))
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

async fn staff(
    db: &DatabaseConnection,
    org: &app::server::entities::organization::Model,
    (first, last): (&str, &str),
    role: StaffRole,
    hash: &str,
) -> user::Model {
    users::insert_staff(
        db,
        org,
        &PersonName::parse(first, "", last).unwrap(),
        role,
        Some(&format!(
            "{}@example.com",
            last.to_lowercase().replace(' ', "")
        )),
        hash.to_string(),
        false,
        None,
        Utc::now(),
    )
    .await
    .unwrap()
}

/// Every row of the list for `query`, following the pages to the end.
async fn all_pages(db: &DatabaseConnection, by: &Actor, query: &PeopleQuery) -> Vec<i32> {
    let mut q = query.clone();
    let mut ids = Vec::new();
    loop {
        let page = people::list(db, by, &q, Utc::now()).await.unwrap();
        ids.extend(page.rows.iter().map(|r| r.id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return ids,
        }
    }
}

fn query(side: UserKind) -> PeopleQuery {
    PeopleQuery {
        side,
        ..Default::default()
    }
}

both_engines!(
    filters_and_every_sort_match_a_hand_computed_list,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
        let admin = admin_of(&db, seed.alpha.id, &seed.alpha_admin).await;
        let by = actor(&db, admin.id).await;
        // 130 staff with repeating names (ties broken by id), accents, a
        // few disabled or without Can Login, sign-ins spread out.
        let firsts = ["Zoë", "zack", "Émile", "Bob", "Carla", "Ana", "Ana"];
        let lasts = ["Ó Brádaigh", "Adams", "Zola", "Brown", "Díaz"];
        for i in 0..130usize {
            let role = if i % 7 == 0 {
                StaffRole::Broker
            } else {
                StaffRole::Staff
            };
            let u = staff(
                &db,
                &seed.alpha,
                (firsts[i % firsts.len()], lasts[i % lasts.len()]),
                role,
                &hash,
            )
            .await;
            let mut a = u.into_active_model();
            a.active = Set(i % 11 != 3);
            a.can_login = Set(i % 13 != 4);
            if i % 3 != 0 {
                a.last_login_at = Set(Some(Utc::now() - Duration::hours((i * 37 % 500) as i64)));
            }
            a.update(&db).await.unwrap();
        }
        // Bravo has a Zoë too: never listed for Alpha.
        staff(
            &db,
            &seed.bravo,
            ("Zoë", "Ó Brádaigh"),
            StaffRole::Staff,
            &hash,
        )
        .await;

        let everyone: Vec<user::Model> = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(seed.alpha.id))
            .filter(user::Column::Kind.eq("staff"))
            .all(&db)
            .await
            .unwrap();
        let fold = app::domain::names::fold;
        for sort in PeopleSort::ALL {
            for descending in [false, true] {
                for (active, can_login, show_disabled) in [
                    (true, true, false),
                    (false, false, false),
                    (true, false, true),
                ] {
                    let q = PeopleQuery {
                        sort,
                        descending,
                        active,
                        can_login,
                        show_disabled,
                        ..query(UserKind::Staff)
                    };
                    let mut expected: Vec<&user::Model> = everyone
                        .iter()
                        .filter(|u| !q.only_active() || u.active)
                        .filter(|u| !q.only_can_login() || u.can_login)
                        .collect();
                    let key = |u: &user::Model| -> (String, i64, i32) {
                        let name = fold(&u.display_name());
                        match sort {
                            PeopleSort::DisplayName => (name, 0, u.id),
                            PeopleSort::FirstName => (fold(&u.first_name), 0, u.id),
                            PeopleSort::LastName => (fold(&u.last_name), 0, u.id),
                            PeopleSort::Username => (u.username.clone(), 0, u.id),
                            PeopleSort::Role => (format!("{}\u{0}{name}", u.role), 0, u.id),
                            PeopleSort::Status => (
                                format!(
                                    "{}{}\u{0}{name}",
                                    u8::from(u.active),
                                    u8::from(u.can_login)
                                ),
                                0,
                                u.id,
                            ),
                            PeopleSort::LastLogon => (
                                String::new(),
                                u.last_login_at.map_or(0, |t| t.timestamp()),
                                u.id,
                            ),
                            PeopleSort::Created => (
                                String::new(),
                                u.created_at.timestamp_nanos_opt().unwrap(),
                                u.id,
                            ),
                            PeopleSort::Description => {
                                (String::new(), u.admin_event_id as i64, u.id)
                            }
                        }
                    };
                    expected.sort_by_key(|u| key(u));
                    if descending {
                        expected.reverse();
                    }
                    let expected: Vec<i32> = expected.iter().map(|u| u.id).collect();
                    assert_eq!(
                        all_pages(&db, &by, &q).await,
                        expected,
                        "sort {sort:?} descending {descending} boxes {active}/{can_login}/{show_disabled}"
                    );
                }
            }
        }

        // The name filter: any part, accents and case ignored; the role.
        let found = |q: PeopleQuery| {
            let db = db.clone();
            let by = by.clone();
            async move { all_pages(&db, &by, &q).await }
        };
        let live = |u: &&user::Model| u.active && u.can_login;
        let mut zoe: Vec<i32> = everyone
            .iter()
            .filter(live)
            .filter(|u| u.first_name == "Zoë")
            .map(|u| u.id)
            .collect();
        zoe.sort_unstable();
        let zoe_o_bradaigh = everyone
            .iter()
            .filter(live)
            .filter(|u| u.first_name == "Zoë" && u.last_name == "Ó Brádaigh")
            .count();
        assert!(zoe_o_bradaigh > 0 && zoe_o_bradaigh < zoe.len());
        let mut got = found(PeopleQuery {
            search: "ZOE".into(),
            sort: PeopleSort::Created,
            ..query(UserKind::Staff)
        })
        .await;
        got.sort_unstable();
        assert_eq!(got, zoe);
        let bradaigh = found(PeopleQuery {
            search: "zoe o bradaigh".into(),
            ..query(UserKind::Staff)
        })
        .await;
        assert_eq!(
            bradaigh.len(),
            zoe_o_bradaigh,
            "first and last name together"
        );
        assert!(found(PeopleQuery {
            search: "%".into(),
            ..query(UserKind::Staff)
        })
        .await
        .is_empty());
        let brokers = found(PeopleQuery {
            role: Some("broker".into()),
            show_disabled: true,
            ..query(UserKind::Staff)
        })
        .await;
        assert_eq!(
            brokers.len(),
            everyone.iter().filter(|u| u.role == "broker").count()
        );
        let page = people::list(&db, &by, &query(UserKind::Staff), Utc::now())
            .await
            .unwrap();
        assert_eq!(
            page.active_count,
            everyone.iter().filter(|u| u.active && u.can_login).count() as u64
        );
        assert!(!page.count_capped);
        assert_eq!(page.rows.len() as u64, people::PAGE_SIZE);

        // Clients: the two seeded Account Managers, with their accounts.
        let clients = people::list(&db, &by, &query(UserKind::Client), Utc::now())
            .await
            .unwrap();
        let accounts: Vec<_> = clients
            .rows
            .iter()
            .map(|r| r.account_name.clone().unwrap())
            .collect();
        assert_eq!(accounts, ["Alpha One", "Alpha Two"]);

        // A cursor from another organization is refused, not followed.
        let bravo_admin = admin_of(&db, seed.bravo.id, &seed.bravo_admin).await;
        let foreign = PeopleQuery {
            cursor: Some(bravo_admin.id.to_string()),
            ..query(UserKind::Staff)
        };
        assert!(matches!(
            people::list(&db, &by, &foreign, Utc::now()).await,
            Err(ServiceError::Invalid(_))
        ));
    }
);

both_engines!(
    the_description_says_what_was_done_when_and_by_whom,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
        let admin = admin_of(&db, seed.alpha.id, &seed.alpha_admin).await;
        let by = actor(&db, admin.id).await;
        let broker = staff(
            &db,
            &seed.alpha,
            ("Robin", "Hale"),
            StaffRole::Broker,
            &hash,
        )
        .await;
        let now = Utc::now();
        people::reset_password(
            &db,
            &common::hasher(),
            &by,
            broker.id,
            "Fresh-Start-2026!",
            "Fresh-Start-2026!",
            now,
        )
        .await
        .unwrap();
        // A sign-in afterwards is the login's own activity, not
        // administration: the Description stays on the reset.
        let page = people::list(&db, &by, &query(UserKind::Staff), now)
            .await
            .unwrap();
        let r = page.rows.iter().find(|r| r.id == broker.id).unwrap();
        assert_eq!(
            r.description.as_deref().unwrap(),
            format!(
                "Password reset · {} · by Ada K. Alpha Security Admin",
                now.format("%-d %b %H:%M")
            )
        );
        assert!(row(&db, broker.id).await.must_change_password);

        // While emulating an Account Manager: "by <staff> as <manager>".
        let manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(seed.alpha_one.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let emulating = Actor::emulating(&admin, &manager, &seed.alpha_one)
            .unwrap()
            .unwrap();
        let office = office_staff::create(
            &db,
            &common::hasher(),
            &emulating,
            &office_staff::NewOfficeStaff {
                first_name: "Lee".into(),
                last_name: "Chan".into(),
                username: "lchan".into(),
                password: "Office-Staff-2026!".into(),
                confirm_password: "Office-Staff-2026!".into(),
                can_modify: false,
                can_delete: false,
            },
            now,
        )
        .await
        .unwrap();
        office_staff::set_active(&db, &emulating, office, false, now)
            .await
            .unwrap();
        let page = people::list(
            &db,
            &by,
            &PeopleQuery {
                show_disabled: true,
                ..query(UserKind::Client)
            },
            now,
        )
        .await
        .unwrap();
        let r = page.rows.iter().find(|r| r.id == office).unwrap();
        assert_eq!(
            r.description.as_deref().unwrap(),
            format!(
                "Disabled · {} · by Ada K. Alpha Security Admin as Manny Of Alpha One",
                now.format("%-d %b %H:%M")
            )
        );
        office_staff::set_active(&db, &emulating, office, true, now)
            .await
            .unwrap();
        assert_eq!(
            r.account_identifier.as_deref(),
            Some(seed.alpha_one.identifier.as_str())
        );

        // A password link: reset for a login with a password, audited, and
        // the Description follows at once.
        let sent = recovery::send_password_link(&db, &mail(), &by, broker.id, now)
            .await
            .unwrap();
        assert_eq!(sent, recovery::LinkSent::Reset);
        let page = people::list(&db, &by, &query(UserKind::Staff), now)
            .await
            .unwrap();
        let r = page.rows.iter().find(|r| r.id == broker.id).unwrap();
        assert!(r
            .description
            .as_deref()
            .unwrap()
            .starts_with("Reset link sent · "));
        let mails = outbox_message::Entity::find()
            .filter(outbox_message::Column::OrganizationId.eq(seed.alpha.id))
            .filter(outbox_message::Column::Recipient.eq("hale@example.com"))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(mails, 1);
        // No email on file: refused next to the field, nothing queued.
        let no_email = office;
        assert!(matches!(
            recovery::send_password_link(&db, &mail(), &by, no_email, now).await,
            Err(ServiceError::Invalid(e)) if e.field == "email"
        ));
    }
);

both_engines!(
    never_more_user_administrators_than_the_limit_even_concurrently,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
        let admin = admin_of(&db, seed.alpha.id, &seed.alpha_admin).await;
        let by = actor(&db, admin.id).await;
        let mut team = Vec::new();
        for last in ["One", "Two", "Three", "Four", "Five"] {
            team.push(staff(&db, &seed.alpha, ("Sam", last), StaffRole::Staff, &hash).await);
        }
        let now = Utc::now();
        administrators::set_role(&db, &by, team[0].id, StaffRole::UserAdministrator, now)
            .await
            .unwrap();
        // Two at once for the one place left: exactly one gets it.
        let (a, b) = tokio::join!(
            administrators::set_role(&db, &by, team[1].id, StaffRole::UserAdministrator, now),
            administrators::set_role(&db, &by, team[2].id, StaffRole::UserAdministrator, now),
        );
        assert!(a.is_ok() != b.is_ok(), "one of {a:?} / {b:?}");
        let refused = if a.is_err() { a } else { b };
        assert!(matches!(refused, Err(ServiceError::Invalid(e)) if e.field == "role"));
        let count = || async {
            user::Entity::find()
                .filter(user::Column::OrganizationId.eq(seed.alpha.id))
                .filter(user::Column::Role.eq("user_administrator"))
                .count(&db)
                .await
                .unwrap()
        };
        assert_eq!(count().await, 3);
        // Many at once: still three.
        let (c, d) = tokio::join!(
            administrators::set_role(&db, &by, team[3].id, StaffRole::UserAdministrator, now),
            administrators::set_role(&db, &by, team[4].id, StaffRole::UserAdministrator, now),
        );
        assert!(c.is_err() && d.is_err());
        assert_eq!(count().await, 3);
        // The platform operator raises the limit; then one more fits.
        administrators::set_limit(&db, "alpha", 4, now)
            .await
            .unwrap();
        administrators::set_role(&db, &by, team[3].id, StaffRole::UserAdministrator, now)
            .await
            .unwrap();
        assert_eq!(count().await, 4);
        assert!(administrators::set_limit(&db, "alpha", 0, now)
            .await
            .is_err());
        // Bravo's limit and administrators are its own.
        let bravo = admin_of(&db, seed.bravo.id, &seed.bravo_admin).await;
        let bravo_staff = staff(&db, &seed.bravo, ("Kim", "Lee"), StaffRole::Staff, &hash).await;
        administrators::set_role(
            &db,
            &actor(&db, bravo.id).await,
            bravo_staff.id,
            StaffRole::UserAdministrator,
            now,
        )
        .await
        .unwrap();
        // The role change is audited and is the login's Description.
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("role_changed"))
            .filter(audit_event::Column::OrganizationId.eq(seed.alpha.id))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(events, 3);
        assert!(row(&db, team[0].id).await.admin_event_id > 0);
    }
);

both_engines!(
    one_user_administrator_always_remains_and_nobody_demotes_themselves,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
        let ada = admin_of(&db, seed.alpha.id, &seed.alpha_admin).await;
        let by_ada = actor(&db, ada.id).await;
        let bea = staff(&db, &seed.alpha, ("Bea", "Second"), StaffRole::Staff, &hash).await;
        let now = Utc::now();
        administrators::set_role(&db, &by_ada, bea.id, StaffRole::UserAdministrator, now)
            .await
            .unwrap();
        let by_bea = actor(&db, bea.id).await;
        // Not on themselves.
        assert!(matches!(
            administrators::set_role(&db, &by_ada, ada.id, StaffRole::Staff, now).await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            user_access::set(
                &db,
                &by_ada,
                ada.id,
                user_access::Switch::Active,
                false,
                now
            )
            .await,
            Err(ServiceError::Conflict(_))
        ));
        // Each disables the other at the same moment (both requests began
        // while both could sign in): one of them must stay.
        let (a, b) = tokio::join!(
            user_access::set(
                &db,
                &by_ada,
                bea.id,
                user_access::Switch::Active,
                false,
                now
            ),
            user_access::set(
                &db,
                &by_bea,
                ada.id,
                user_access::Switch::CanLogin,
                false,
                now
            ),
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} / {b:?}");
        let live = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(seed.alpha.id))
            .filter(user::Column::Role.eq("user_administrator"))
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::CanLogin.eq(true))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(live, 1);
        // The one switched off is no administrator any more, even with a
        // request that began before: they can't demote whoever is left.
        let (winner, loser) = if a.is_ok() {
            (ada.id, &by_bea)
        } else {
            (bea.id, &by_ada)
        };
        assert!(matches!(
            administrators::set_role(&db, loser, winner, StaffRole::Staff, now).await,
            Err(ServiceError::Forbidden)
        ));
        assert_eq!(row(&db, winner).await.role, "user_administrator");
    }
);

both_engines!(
    people_actions_are_for_user_administrators_of_the_same_organization,
    |db: DatabaseConnection| async move {
        let seed: Seed = common::seed(&db).await;
        let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
        let alpha_admin = admin_of(&db, seed.alpha.id, &seed.alpha_admin).await;
        let bravo_admin = admin_of(&db, seed.bravo.id, &seed.bravo_admin).await;
        let broker = staff(&db, &seed.alpha, ("Bo", "Broker"), StaffRole::Broker, &hash).await;
        let clerk = staff(&db, &seed.alpha, ("Cy", "Clerk"), StaffRole::Staff, &hash).await;
        let victim = staff(&db, &seed.alpha, ("Vic", "Tim"), StaffRole::Staff, &hash).await;
        let manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(seed.alpha_one.id))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let emulating = Actor::emulating(&alpha_admin, &manager, &seed.alpha_one)
            .unwrap()
            .unwrap();
        let now = Utc::now();
        let before = row(&db, victim.id).await;
        let cases: Vec<(&str, Actor, Refusal)> = vec![
            ("broker", actor(&db, broker.id).await, |e| {
                matches!(e, ServiceError::Forbidden)
            }),
            ("staff", actor(&db, clerk.id).await, |e| {
                matches!(e, ServiceError::Forbidden)
            }),
            ("client", Actor::from_user(&manager).unwrap(), |e| {
                matches!(e, ServiceError::Forbidden)
            }),
            ("emulating", emulating, |e| {
                matches!(e, ServiceError::Emulating { .. })
            }),
            (
                "other organization",
                actor(&db, bravo_admin.id).await,
                |e| matches!(e, ServiceError::NotFound),
            ),
        ];
        for (who, by, refused) in cases {
            let results = [
                administrators::set_role(&db, &by, victim.id, StaffRole::UserAdministrator, now)
                    .await
                    .err(),
                user_access::set(&db, &by, victim.id, user_access::Switch::Active, false, now)
                    .await
                    .err(),
                people::reset_password(
                    &db,
                    &common::hasher(),
                    &by,
                    victim.id,
                    "Taken-Over-2026!",
                    "Taken-Over-2026!",
                    now,
                )
                .await
                .err(),
                recovery::send_password_link(&db, &mail(), &by, victim.id, now)
                    .await
                    .err(),
            ];
            for (i, e) in results.into_iter().enumerate() {
                let e = e.unwrap_or_else(|| panic!("{who}: action {i} was allowed"));
                assert!(refused(&e), "{who}: action {i} refused as {e:?}");
            }
            let after = row(&db, victim.id).await;
            assert_eq!(after, before, "{who}: the victim is unchanged");
        }
        // Reading the list: any staff role; never a client, never another
        // organization's rows.
        let by_broker = actor(&db, broker.id).await;
        let list = people::list(&db, &by_broker, &query(UserKind::Staff), now)
            .await
            .unwrap();
        assert!(!list.can_administer);
        assert!(list.rows.iter().all(|r| r.id != bravo_admin.id));
        // Who did what to whom is User Administrator reading, as the audit
        // log is.
        assert!(list.rows.iter().all(|r| r.description.is_none()));
        assert!(matches!(
            people::list(
                &db,
                &Actor::from_user(&manager).unwrap(),
                &query(UserKind::Staff),
                now
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
        let bravo_list = people::list(
            &db,
            &actor(&db, bravo_admin.id).await,
            &query(UserKind::Staff),
            now,
        )
        .await
        .unwrap();
        assert_eq!(bravo_list.rows.len(), 1);
        // Nothing was audited about the victim by anyone.
        assert_eq!(
            audit_event::Entity::find()
                .filter(audit_event::Column::TargetUserId.eq(victim.id))
                .filter(audit_event::Column::Action.ne("user_created"))
                .count(&db)
                .await
                .unwrap(),
            0
        );
    }
);

both_engines!(
    company_access_links_only_reps_to_accounts_of_their_organization,
    |db: DatabaseConnection| async move {
        use app::server::services::company_access;
        let seed: Seed = common::seed(&db).await;
        let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
        let admin = admin_of(&db, seed.alpha.id, &seed.alpha_admin).await;
        let by = actor(&db, admin.id).await;
        let now = Utc::now();
        let rep = users::insert_client(
            &db,
            &seed.alpha_one,
            &users::NewClientUser {
                username: "rep".into(),
                first_name: "Rae".into(),
                last_name: "Porter".into(),
                email: None,
                role: app::domain::ClientRole::ClaimsRepManager,
                must_change_password: false,
            },
            hash.clone(),
            None,
            now,
        )
        .await
        .unwrap();
        let field = |r: Result<(), ServiceError>| match r {
            Err(ServiceError::Invalid(e)) => e.field,
            other => panic!("{other:?}"),
        };
        // Another organization's account, the rep's own, twice the same.
        assert_eq!(
            field(
                company_access::link(&db, &by, rep.id, seed.bravo_one.id, (true, true), now).await
            ),
            "account"
        );
        assert_eq!(
            field(
                company_access::link(&db, &by, rep.id, seed.alpha_one.id, (true, true), now).await
            ),
            "account"
        );
        company_access::link(&db, &by, rep.id, seed.alpha_two.id, (true, false), now)
            .await
            .unwrap();
        assert_eq!(
            field(
                company_access::link(&db, &by, rep.id, seed.alpha_two.id, (true, true), now).await
            ),
            "account"
        );
        // Only Claims Reps and Claims Rep Managers have Company Access.
        let manager = user::Entity::find()
            .filter(user::Column::ClientAccountId.eq(seed.alpha_one.id))
            .filter(user::Column::Username.eq("manager"))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            company_access::link(&db, &by, manager.id, seed.alpha_two.id, (true, true), now).await,
            Err(ServiceError::Conflict(_))
        ));
        // In the linked account the rep has the link's rights, nothing more.
        let rep_row = row(&db, rep.id).await;
        let there = company_access::actor_in(&db, &rep_row, seed.alpha_two.id)
            .await
            .unwrap()
            .unwrap();
        assert!(there.can_modify && !there.can_delete);
        assert_eq!(there.require_client().unwrap().1, seed.alpha_two.id);
        assert!(company_access::actor_in(&db, &rep_row, seed.bravo_one.id)
            .await
            .unwrap()
            .is_none());
        // The page shows the link and offers only what is left.
        let section = company_access::section(&db, &rep_row, "")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(section.links.len(), 1);
        assert!(
            section.available.is_empty(),
            "alpha has two accounts: own + linked"
        );
        company_access::unlink(&db, &by, rep.id, seed.alpha_two.id, now)
            .await
            .unwrap();
        assert!(matches!(
            company_access::unlink(&db, &by, rep.id, seed.alpha_two.id, now).await,
            Err(ServiceError::NotFound)
        ));
        let section = company_access::section(&db, &rep_row, "alpha t")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            section
                .available
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>(),
            ["Alpha Two"]
        );
        let history = audit_event::Entity::find()
            .filter(audit_event::Column::TargetUserId.eq(rep.id))
            .filter(audit_event::Column::Action.is_in(["company_linked", "company_unlinked"]))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(history, 2);
    }
);

both_engines!(
    consolidating_links_the_other_logins_accounts_and_makes_them_inactive,
    |db: DatabaseConnection| async move {
        use app::server::services::{company_access, consolidation};
        let seed: Seed = common::seed(&db).await;
        let hash = common::hasher().hash(PASSWORD.into()).await.unwrap();
        let admin = admin_of(&db, seed.alpha.id, &seed.alpha_admin).await;
        let by = actor(&db, admin.id).await;
        let now = Utc::now();
        let client = |account: app::server::entities::client_account::Model,
                      username: &'static str,
                      (first, last): (&'static str, &'static str),
                      email: Option<&'static str>,
                      role: app::domain::ClientRole| {
            let (db, hash) = (db.clone(), hash.clone());
            async move {
                users::insert_client(
                    &db,
                    &account,
                    &users::NewClientUser {
                        username: username.into(),
                        first_name: first.into(),
                        last_name: last.into(),
                        email: email.map(Into::into),
                        role,
                        must_change_password: false,
                    },
                    hash,
                    None,
                    now,
                )
                .await
                .unwrap()
            }
        };
        use app::domain::ClientRole::*;
        let keep = client(
            seed.alpha_one.clone(),
            "mei",
            ("Mei", "Lin"),
            Some("mei@example.com"),
            ClaimsRepManager,
        )
        .await;
        // Same email (another name spelling), in alpha_two: folded in.
        let by_email = client(
            seed.alpha_two.clone(),
            "meil",
            ("May", "Lin"),
            Some("MEI@example.com"),
            OfficeStaff,
        )
        .await;
        // Same name, no email, in alpha_one (the kept login's own account):
        // made inactive, nothing to link.
        let by_name = client(
            seed.alpha_one.clone(),
            "mlin2",
            ("Méi", "LIN"),
            None,
            ClaimsRep,
        )
        .await;
        // Bravo's Mei Lin is never touched.
        let bravo = client(
            seed.bravo_one.clone(),
            "mei",
            ("Mei", "Lin"),
            Some("mei@example.com"),
            OfficeStaff,
        )
        .await;
        let keep_row = row(&db, keep.id).await;
        let others = consolidation::other_logins(&db, &keep_row).await.unwrap();
        let mut ids: Vec<i32> = others.iter().map(|o| o.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, [by_email.id, by_name.id]);
        assert!(others.iter().all(|o| !o.is_account_manager));
        assert!(others.iter().any(|o| o.id == by_email.id && o.same_email));

        // Only a Claims Rep (Manager) login can be the one kept.
        assert!(matches!(
            consolidation::consolidate(&db, &by, by_email.id, &[keep.id], now).await,
            Err(ServiceError::Conflict(_))
        ));
        // Only User Administrators of the organization.
        let bravo_admin = admin_of(&db, seed.bravo.id, &seed.bravo_admin).await;
        assert!(matches!(
            consolidation::consolidate(
                &db,
                &actor(&db, bravo_admin.id).await,
                keep.id,
                &[by_email.id],
                now
            )
            .await,
            Err(ServiceError::NotFound)
        ));
        // Nothing ticked, a login that is no match (another organization's),
        // or an Account Manager: refused, nothing changed.
        assert!(matches!(
            consolidation::consolidate(&db, &by, keep.id, &[], now).await,
            Err(ServiceError::Invalid(e)) if e.field == "logins"
        ));
        assert!(matches!(
            consolidation::consolidate(&db, &by, keep.id, &[by_email.id, bravo.id], now).await,
            Err(ServiceError::Conflict(_))
        ));
        // Mei Lin is also the Account Manager of a third account.
        let alpha_three = app::server::services::accounts::create(
            &db,
            &seed.alpha,
            &app::server::services::accounts::NewAccount {
                name: "Alpha Three".into(),
                main_phone: None,
                address: None,
            },
            None,
            now,
        )
        .await
        .unwrap();
        let alpha_three_id = alpha_three.id;
        let manager_mei = client(alpha_three, "mgrmei", ("Mei", "Lin"), None, AccountManager).await;
        assert!(matches!(
            consolidation::consolidate(&db, &by, keep.id, &[by_email.id, manager_mei.id], now).await,
            Err(ServiceError::Invalid(e)) if e.field == "logins"
        ));
        assert!(
            row(&db, by_email.id).await.active,
            "refusals change nothing"
        );
        let summary =
            consolidation::consolidate(&db, &by, keep.id, &[by_email.id, by_name.id], now)
                .await
                .unwrap();
        assert_eq!(summary.linked, ["Alpha Two"]);
        let mut gone = summary.deactivated.clone();
        gone.sort();
        assert_eq!(gone, ["meil", "mlin2"]);
        assert!(!row(&db, by_email.id).await.active);
        assert!(!row(&db, by_name.id).await.active);
        assert!(
            row(&db, bravo.id).await.active,
            "another organization's Mei Lin"
        );
        // The kept login now works in alpha_two with the office staff
        // login's rights there (none granted).
        let there = company_access::actor_in(&db, &row(&db, keep.id).await, seed.alpha_two.id)
            .await
            .unwrap()
            .unwrap();
        assert!(!there.can_modify && !there.can_delete);
        // One audit row per change: one link, two logins made inactive.
        let audited = audit_event::Entity::find()
            .filter(audit_event::Column::OrganizationId.eq(seed.alpha.id))
            .filter(audit_event::Column::Action.is_in(["company_linked", "user_disabled"]))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(audited, 3);
        // Nothing left to do a second time.
        let again = consolidation::consolidate(&db, &by, keep.id, &[by_email.id], now)
            .await
            .unwrap();
        assert!(again.linked.is_empty() && again.deactivated.is_empty());
        assert!(
            row(&db, manager_mei.id).await.active,
            "the Account Manager stays"
        );
        // A disabled rep's Company Access ends with the fold and is not
        // handed over: disabling had taken it away.
        let old_rep = client(
            seed.alpha_two.clone(),
            "mlin3",
            ("Mei", "Lin"),
            None,
            ClaimsRep,
        )
        .await;
        company_access::link(&db, &by, old_rep.id, alpha_three_id, (true, true), now)
            .await
            .unwrap();
        app::server::services::user_access::set(
            &db,
            &by,
            old_rep.id,
            app::server::services::user_access::Switch::Active,
            false,
            now,
        )
        .await
        .unwrap();
        consolidation::consolidate(&db, &by, keep.id, &[old_rep.id], now)
            .await
            .unwrap();
        assert!(
            company_access::actor_in(&db, &row(&db, keep.id).await, alpha_three_id)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            app::server::entities::company_access::Entity::find()
                .filter(app::server::entities::company_access::Column::UserId.eq(old_rep.id))
                .count(&db)
                .await
                .unwrap(),
            0
        );
        // Never the kept login itself.
        assert!(matches!(
            consolidation::consolidate(&db, &by, keep.id, &[keep.id], now).await,
            Err(ServiceError::Invalid(e)) if e.field == "logins"
        ));
    }
);
