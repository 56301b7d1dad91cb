//! What one imported file does to the organization's insureds and
//! policies, decided in memory and written in a few statements.
//!
//! A file is applied inside its transaction in two steps. First every
//! policy is decided in file order against what the database holds (read in
//! a handful of queries: the known policies, the insureds the downloads
//! match exactly, and the near-match candidates) and against what earlier
//! policies of the same file decided. Then the new insureds, the new
//! policies and the report rows are inserted in batches, and the few
//! changed policies updated. The rules are the `imports` module's: a newer
//! download replaces a known policy, an older or identical one changes
//! nothing; a new policy attaches to the insured whose name, address and
//! postal code match exactly (never without an address and a postal code),
//! else makes a new insured, flagged when it nearly matches one.

use crate::{
    api::dto::ImportTotalsView,
    domain::insured::{self as keys, Differences},
    server::{
        entities::{import_item, insured, policy},
        error::ServiceError,
        import::csio::{DownloadedInsured, PolicyDownload},
        services::insured_summary,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Rows per multi-row insert (well under both engines' parameter limits).
const BATCH: usize = 200;

/// The policy outcomes, as stored.
pub mod outcome {
    pub const NEW_INSURED: &str = "new_insured";
    pub const ATTACHED: &str = "attached";
    pub const UPDATED: &str = "updated";
    pub const UNCHANGED: &str = "unchanged";

    /// The outcome in words.
    pub fn label(code: &str) -> &'static str {
        match code {
            NEW_INSURED => "New insured",
            ATTACHED => "Attached automatically",
            UPDATED => "Updated (newer download)",
            _ => "Unchanged",
        }
    }
}

/// An insured: one already stored, or the k-th created by this file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Insured {
    Stored(i32),
    New(usize),
}

/// A policy: one already stored, or the k-th created by this file.
#[derive(Debug, Clone, Copy)]
enum Policy {
    Stored(i32),
    New(usize),
}

/// What a near match is compared on.
struct Candidate {
    who: Insured,
    full_name: String,
    address: String,
    postal_code: String,
    name_key: String,
    postal_key: String,
    last_name_key: String,
}

/// A policy's current state while the file is decided.
struct Current {
    policy: Policy,
    insured: Insured,
    produced_at: DateTime<Utc>,
    hash: String,
    effective: chrono::NaiveDate,
    status: &'static str,
}

struct NewInsured {
    /// The download whose insured it is.
    from: usize,
    match_key: String,
    likely: Option<Insured>,
    needs_attaching: bool,
}

struct NewPolicy {
    key: String,
    insured: Insured,
    /// The download whose values it gets (the newest of the file).
    from: usize,
    hash: String,
}

struct Item {
    seq: usize,
    outcome: &'static str,
    policy: Policy,
    insured: Insured,
    near: Option<Insured>,
    differences: Option<String>,
    note: Option<String>,
}

/// Where a download that embeds documents ended up: its eDocs go to that
/// insured (and policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// 1-based position of the download in its file.
    pub seq: usize,
    /// The insured its policy is attached to now.
    pub insured_id: i32,
    /// The policy.
    pub policy_id: i32,
}

/// Applies `policies` (one file, already recorded as `file_id`) inside
/// `txn`, and counts what happened. `placed` gets where each download that
/// embeds documents ended up.
pub async fn apply<C: ConnectionTrait>(
    txn: &C,
    org: i32,
    file_id: i32,
    policies: &[PolicyDownload],
    placed: &mut Vec<Placed>,
    now: DateTime<Utc>,
) -> Result<ImportTotalsView, ServiceError> {
    let policy_keys: Vec<String> = policies
        .iter()
        .map(|p| keys::policy_key(&p.carrier_code, &p.policy_number))
        .collect();
    let match_keys: Vec<String> = policies
        .iter()
        .map(|p| {
            keys::insured_match_key(
                &p.insured.full_name,
                &p.insured.address,
                &p.insured.postal_code,
            )
        })
        .collect();
    let matchable: Vec<bool> = policies
        .iter()
        .map(|p| {
            !p.insured.address.trim().is_empty()
                && !keys::postal_key(&p.insured.postal_code).is_empty()
        })
        .collect();

    // What the database holds, in a few queries.
    let mut current: HashMap<String, Current> = HashMap::new();
    let mut stored: HashMap<i32, policy::Model> = HashMap::new();
    // On PostgreSQL the known policies are locked (in id order, so two
    // imports never wait on each other crosswise): a concurrent import of a
    // newer download then waits, sees it, and keeps it. SQLite's write
    // transactions already run one at a time.
    let lock = txn.get_database_backend() == sea_orm::DbBackend::Postgres;
    for chunk in unique(&policy_keys).chunks(500) {
        let mut q = policy::Entity::find()
            .filter(policy::Column::OrganizationId.eq(org))
            .filter(policy::Column::PolicyKey.is_in(chunk.iter().cloned()))
            .order_by_asc(policy::Column::Id);
        if lock {
            q = q.lock_exclusive();
        }
        for p in q.all(txn).await? {
            current.insert(
                p.policy_key.clone(),
                Current {
                    policy: Policy::Stored(p.id),
                    insured: Insured::Stored(p.insured_id),
                    produced_at: p.produced_at,
                    hash: p.content_hash.clone(),
                    effective: p.effective_date,
                    status: if p.status == "cancelled" {
                        "cancelled"
                    } else {
                        "active"
                    },
                },
            );
            stored.insert(p.id, p);
        }
    }
    let mut by_match: HashMap<String, Insured> = HashMap::new();
    let wanted: Vec<String> = match_keys
        .iter()
        .zip(&matchable)
        .filter(|(_, m)| **m)
        .map(|(k, _)| k.clone())
        .collect();
    for chunk in unique(&wanted).chunks(500) {
        for (id, key) in insured::Entity::find()
            .select_only()
            .column(insured::Column::Id)
            .column(insured::Column::MatchKey)
            .filter(insured::Column::OrganizationId.eq(org))
            .filter(insured::Column::MatchKey.is_in(chunk.iter().cloned()))
            .into_tuple::<(i32, String)>()
            .all(txn)
            .await?
        {
            by_match.insert(key, Insured::Stored(id));
        }
    }
    // Near matches are looked for only for downloads that may make a new
    // insured: a policy not stored yet, whose insured isn't matched exactly.
    let may_be_new: Vec<&PolicyDownload> = policies
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let stored = current.contains_key(&policy_keys[*i]);
            let matched = matchable[*i] && by_match.contains_key(&match_keys[*i]);
            !stored && !matched
        })
        .map(|(_, p)| p)
        .collect();
    let mut candidates = near_match_candidates(txn, org, &may_be_new).await?;

    // Decide every policy in file order.
    let mut totals = ImportTotalsView {
        policies: policies.len() as u32,
        ..Default::default()
    };
    let mut new_insureds: Vec<NewInsured> = Vec::new();
    let mut new_policies: Vec<NewPolicy> = Vec::new();
    let mut updates: HashMap<i32, (usize, String)> = HashMap::new();
    let mut touched: HashSet<i32> = HashSet::new();
    let mut items: Vec<Item> = Vec::with_capacity(policies.len());
    for (i, p) in policies.iter().enumerate() {
        let hash = content_hash(p);
        let key = &policy_keys[i];
        if let Some(cur) = current.get_mut(key) {
            let (outcome, note) = if cur.hash == hash {
                (
                    outcome::UNCHANGED,
                    "identical to the stored download".to_string(),
                )
            } else if p.produced_at <= cur.produced_at {
                let at = cur.produced_at.format("%Y-%m-%d %H:%M");
                (
                    outcome::UNCHANGED,
                    if p.produced_at == cur.produced_at {
                        format!("produced at the same time as the stored download ({at}), which is kept")
                    } else {
                        format!("older than the stored download of {at}")
                    },
                )
            } else {
                let note = if p.effective != cur.effective {
                    format!("renewed: now {} to {}", p.effective, p.expiry)
                } else if p.status.as_str() != cur.status {
                    format!("now {}", p.status.as_str())
                } else {
                    "changed".to_string()
                };
                match cur.policy {
                    Policy::Stored(id) => {
                        updates.insert(id, (i, hash.clone()));
                    }
                    Policy::New(k) => {
                        new_policies[k].from = i;
                        new_policies[k].hash = hash.clone();
                    }
                }
                cur.produced_at = p.produced_at;
                cur.hash = hash.clone();
                cur.effective = p.effective;
                cur.status = p.status.as_str();
                (outcome::UPDATED, note)
            };
            match outcome {
                outcome::UPDATED => totals.updated += 1,
                _ => totals.unchanged += 1,
            }
            if let Insured::Stored(id) = cur.insured {
                touched.insert(id);
            }
            items.push(Item {
                seq: i + 1,
                outcome,
                policy: cur.policy,
                insured: cur.insured,
                near: None,
                differences: None,
                note: Some(note),
            });
            continue;
        }
        let exact = if matchable[i] {
            by_match.get(&match_keys[i]).copied()
        } else {
            None
        };
        let mut item = Item {
            seq: i + 1,
            outcome: outcome::ATTACHED,
            policy: Policy::New(new_policies.len()),
            insured: Insured::New(0),
            near: None,
            differences: None,
            note: None,
        };
        let target = match exact {
            Some(found) => {
                totals.attached += 1;
                if let Insured::Stored(id) = found {
                    touched.insert(id);
                }
                found
            }
            None => {
                totals.new_insureds += 1;
                item.outcome = outcome::NEW_INSURED;
                let near = nearest(&candidates, p);
                match near {
                    Some(n) => {
                        let d = Differences::between(
                            (
                                &p.insured.full_name,
                                &p.insured.address,
                                &p.insured.postal_code,
                            ),
                            (&n.full_name, &n.address, &n.postal_code),
                        );
                        item.near = Some(n.who);
                        item.differences = Some(d.describe());
                        item.note = Some(format!("near match of {}", n.full_name));
                    }
                    None => {
                        item.note = Some(
                            "no insured with this name, or with this last name and postal code"
                                .into(),
                        );
                    }
                }
                if !matchable[i] {
                    item.note =
                        Some("no address or postal code in the download: attach it by hand".into());
                }
                let match_key = if matchable[i] {
                    match_keys[i].clone()
                } else {
                    // Unique to this policy: nothing else matches it.
                    let tag = hex::encode(Sha256::digest(key.as_bytes()));
                    format!("{}\u{1f}#{}", match_keys[i], &tag[..32])
                };
                let who = Insured::New(new_insureds.len());
                new_insureds.push(NewInsured {
                    from: i,
                    match_key,
                    likely: near.map(|n| n.who),
                    needs_attaching: near.is_some() || !matchable[i],
                });
                candidates.push(candidate_of(who, p));
                if matchable[i] {
                    by_match.insert(match_keys[i].clone(), who);
                }
                who
            }
        };
        item.insured = target;
        current.insert(
            key.clone(),
            Current {
                policy: Policy::New(new_policies.len()),
                insured: target,
                produced_at: p.produced_at,
                hash: hash.clone(),
                effective: p.effective,
                status: p.status.as_str(),
            },
        );
        new_policies.push(NewPolicy {
            key: key.clone(),
            insured: target,
            from: i,
            hash,
        });
        items.push(item);
    }

    // A new insured's policies are all new policies of this file: its
    // summary is written with it instead of recounted (policy count,
    // latest expiry, latest expiry not cancelled).
    let mut new_summaries = vec![(0i32, 0i32, 0i32); new_insureds.len()];
    for np in &new_policies {
        if let Insured::New(k) = np.insured {
            let p = &policies[np.from];
            let expiry = insured_summary::date_key(p.expiry);
            let s = &mut new_summaries[k];
            s.0 += 1;
            s.1 = Ord::max(s.1, expiry);
            if p.status.as_str() != "cancelled" {
                s.2 = Ord::max(s.2, expiry);
            }
        }
    }

    // Write it: the new insureds, then their policies, then the report.
    let mut insured_ids: Vec<i32> = Vec::with_capacity(new_insureds.len());
    for (c, chunk) in new_insureds.chunks(BATCH).enumerate() {
        let rows: Vec<insured::ActiveModel> = chunk
            .iter()
            .enumerate()
            .map(|(j, n)| {
                let likely = match n.likely {
                    Some(Insured::Stored(id)) => Some(id),
                    _ => None,
                };
                let mut row = insured_row(
                    org,
                    &policies[n.from].insured,
                    &n.match_key,
                    likely,
                    n.needs_attaching,
                    now,
                );
                let (count, expiry, active_until) = new_summaries[c * BATCH + j];
                row.policy_count = Set(count);
                row.expiry_key = Set(expiry);
                row.active_until_key = Set(active_until);
                row
            })
            .collect();
        let made = insured::Entity::insert_many(rows)
            .exec_with_returning(txn)
            .await?;
        let ids: HashMap<&str, i32> = made.iter().map(|m| (m.match_key.as_str(), m.id)).collect();
        for n in chunk {
            insured_ids.push(*ids.get(n.match_key.as_str()).ok_or_else(|| {
                ServiceError::Internal("an inserted insured was not returned".into())
            })?);
        }
    }
    let resolve = |who: Insured| match who {
        Insured::Stored(id) => id,
        Insured::New(k) => insured_ids[k],
    };
    // A near match of an insured new in this same file links once both
    // exist.
    for (k, n) in new_insureds.iter().enumerate() {
        if let Some(Insured::New(other)) = n.likely {
            insured::Entity::update_many()
                .col_expr(
                    insured::Column::LikelyMatchId,
                    Expr::value(insured_ids[other]),
                )
                .filter(insured::Column::Id.eq(insured_ids[k]))
                .exec(txn)
                .await?;
        }
    }
    let mut policy_ids: Vec<i32> = Vec::with_capacity(new_policies.len());
    for chunk in new_policies.chunks(BATCH) {
        let rows: Vec<policy::ActiveModel> = chunk
            .iter()
            .map(|n| {
                let mut row = policy::ActiveModel {
                    organization_id: Set(org),
                    policy_key: Set(n.key.clone()),
                    insured_id: Set(resolve(n.insured)),
                    first_effective_date: Set(Some(policies[n.from].effective)),
                    created_at: Set(now),
                    ..Default::default()
                };
                set_downloaded(&mut row, &policies[n.from], &n.hash, file_id, now);
                row
            })
            .collect();
        let made = policy::Entity::insert_many(rows)
            .exec_with_returning(txn)
            .await?;
        let ids: HashMap<&str, i32> = made.iter().map(|m| (m.policy_key.as_str(), m.id)).collect();
        for n in chunk {
            policy_ids.push(*ids.get(n.key.as_str()).ok_or_else(|| {
                ServiceError::Internal("an inserted policy was not returned".into())
            })?);
        }
    }
    for (id, (from, hash)) in updates {
        let mut row: policy::ActiveModel = stored.remove(&id).expect("locked above").into();
        set_downloaded(&mut row, &policies[from], &hash, file_id, now);
        row.update(txn).await?;
    }
    // The summaries (policy count, expiries) of every insured that was
    // already stored and had a policy added or changed (new ones were
    // written with theirs).
    let mut summarise: Vec<i32> = items
        .iter()
        .filter(|it| it.outcome != outcome::UNCHANGED)
        .filter_map(|it| match it.insured {
            Insured::Stored(id) => Some(id),
            Insured::New(_) => None,
        })
        .collect();
    summarise.sort_unstable();
    summarise.dedup();
    // Every insured this file changes, locked once in id order, so two
    // imports (or an import and an attach) never wait on each other
    // crosswise.
    let mut touched: Vec<i32> = touched.into_iter().collect();
    touched.sort_unstable();
    let mut all: Vec<i32> = touched.iter().chain(&summarise).copied().collect();
    all.sort_unstable();
    insured_summary::lock(txn, org, &all).await?;
    insured_summary::refresh(txn, org, &summarise).await?;
    let rows: Vec<import_item::ActiveModel> = items
        .into_iter()
        .map(|it| {
            let p = &policies[it.seq - 1];
            let policy_id = match it.policy {
                Policy::Stored(id) => id,
                Policy::New(k) => policy_ids[k],
            };
            if !p.documents.is_empty() {
                placed.push(Placed {
                    seq: it.seq,
                    insured_id: resolve(it.insured),
                    policy_id,
                });
            }
            import_item::ActiveModel {
                organization_id: Set(org),
                import_file_id: Set(file_id),
                seq: Set(it.seq as i32),
                carrier_code: Set(p.carrier_code.clone()),
                policy_number: Set(p.policy_number.clone()),
                outcome: Set(it.outcome.to_string()),
                policy_id: Set(Some(policy_id)),
                insured_id: Set(Some(resolve(it.insured))),
                near_match_insured_id: Set(it.near.map(resolve)),
                differences: Set(it.differences),
                note: Set(it.note),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(BATCH) {
        import_item::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    for chunk in touched.chunks(500) {
        insured::Entity::update_many()
            .col_expr(insured::Column::LatestDownloadAt, Expr::value(now))
            .filter(insured::ids_in_organization(org, chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(totals)
}

/// The stored insureds a file's new insureds could nearly match: for each
/// postal code and last name, and for each full name, the oldest insured
/// that has it (the one a near match names); in id order.
async fn near_match_candidates<C: ConnectionTrait>(
    txn: &C,
    org: i32,
    policies: &[&PolicyDownload],
) -> Result<Vec<Candidate>, ServiceError> {
    if policies.is_empty() {
        return Ok(Vec::new());
    }
    let mut pairs: Vec<(String, String)> = policies
        .iter()
        .map(|p| {
            (
                keys::postal_key(&p.insured.postal_code),
                keys::match_text(&p.insured.last_name),
            )
        })
        .filter(|(postal, _)| !postal.is_empty())
        .collect();
    pairs.sort();
    pairs.dedup();
    let names: Vec<String> = unique(
        &policies
            .iter()
            .map(|p| keys::match_text(&p.insured.full_name))
            .collect::<Vec<_>>(),
    );
    // The oldest insured per key, then those rows.
    let mut ids: HashSet<i32> = HashSet::new();
    // The postal codes and last names go as two lists: an index range on
    // (organization, postal code) on both engines (a row-value `IN` of
    // pairs is not one without an index on exactly those two columns); the
    // groups are then narrowed to the exact pairs here.
    let wanted: HashSet<(String, String)> = pairs.iter().cloned().collect();
    for chunk in pairs.chunks(300) {
        let postals = unique(&chunk.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>());
        let lasts = unique(&chunk.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>());
        let q = insured::Entity::find()
            .select_only()
            .column(insured::Column::PostalKey)
            .column(insured::Column::LastNameKey)
            .expr(Expr::col(insured::Column::Id).min())
            .filter(insured::Column::OrganizationId.eq(org))
            .filter(insured::Column::PostalKey.is_in(postals))
            .filter(insured::Column::LastNameKey.is_in(lasts));
        for (postal, last, id) in q
            .group_by(insured::Column::PostalKey)
            .group_by(insured::Column::LastNameKey)
            .into_tuple::<(String, String, i32)>()
            .all(txn)
            .await?
        {
            if wanted.contains(&(postal, last)) {
                ids.insert(id);
            }
        }
    }
    for chunk in names.chunks(500) {
        ids.extend(
            insured::Entity::find()
                .select_only()
                .expr(Expr::col(insured::Column::Id).min())
                .filter(insured::Column::OrganizationId.eq(org))
                .filter(insured::Column::NameKey.is_in(chunk.iter().cloned()))
                .group_by(insured::Column::NameKey)
                .into_tuple::<i32>()
                .all(txn)
                .await?,
        );
    }
    let ids: Vec<i32> = ids.into_iter().collect();
    let mut out: Vec<Candidate> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for m in insured::Entity::find()
            .filter(insured::ids_in_organization(org, chunk.iter().copied()))
            .all(txn)
            .await?
        {
            out.push(Candidate {
                who: Insured::Stored(m.id),
                full_name: m.full_name,
                address: m.address,
                postal_code: m.postal_code,
                name_key: m.name_key,
                postal_key: m.postal_key,
                last_name_key: m.last_name_key,
            });
        }
    }
    out.sort_by_key(|c| match c.who {
        Insured::Stored(id) => id,
        Insured::New(_) => i32::MAX,
    });
    Ok(out)
}

fn candidate_of(who: Insured, p: &PolicyDownload) -> Candidate {
    let i = &p.insured;
    Candidate {
        who,
        full_name: i.full_name.clone(),
        address: i.address.clone(),
        postal_code: keys::display_postal_code(&i.postal_code),
        name_key: keys::match_text(&i.full_name),
        postal_key: keys::postal_key(&i.postal_code),
        last_name_key: keys::match_text(&i.last_name),
    }
}

/// The insured a new one nearly matches: the first (oldest) with the same
/// postal code and last name, else the first with the same full name.
fn nearest<'a>(candidates: &'a [Candidate], p: &PolicyDownload) -> Option<&'a Candidate> {
    let postal = keys::postal_key(&p.insured.postal_code);
    let last = keys::match_text(&p.insured.last_name);
    let name = keys::match_text(&p.insured.full_name);
    let by_postal = (!postal.is_empty())
        .then(|| {
            candidates
                .iter()
                .find(|c| c.postal_key == postal && c.last_name_key == last)
        })
        .flatten();
    by_postal.or_else(|| candidates.iter().find(|c| c.name_key == name))
}

/// The distinct values of `v`, in first-seen order.
fn unique(v: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    v.iter().filter(|k| seen.insert(*k)).cloned().collect()
}

/// SHA-256 over every downloaded value of a policy, so an identical
/// download is recognised whatever file it arrives in.
fn content_hash(p: &PolicyDownload) -> String {
    let i = &p.insured;
    let fields = [
        p.carrier_code.as_str(),
        &p.policy_number,
        &p.line_of_business,
        &p.effective.to_string(),
        &p.expiry.to_string(),
        p.status.as_str(),
        &p.premium_cents.map(|c| c.to_string()).unwrap_or_default(),
        &i.full_name,
        &i.last_name,
        &i.address,
        &i.city,
        &i.province,
        &i.postal_code,
        i.email.as_deref().unwrap_or(""),
        i.phone.as_deref().unwrap_or(""),
    ];
    let mut h = Sha256::new();
    for f in fields {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Sets a policy row's downloaded values from `p`.
fn set_downloaded(
    row: &mut policy::ActiveModel,
    p: &PolicyDownload,
    hash: &str,
    file_id: i32,
    now: DateTime<Utc>,
) {
    row.carrier_code = Set(p.carrier_code.clone());
    row.policy_number = Set(p.policy_number.clone());
    row.number_key = Set(keys::policy_number_key(&p.policy_number));
    row.line_of_business = Set(truncate(&p.line_of_business, 40));
    row.effective_date = Set(p.effective);
    row.expiry_date = Set(p.expiry);
    row.status = Set(p.status.as_str().to_string());
    row.premium_cents = Set(p.premium_cents);
    row.downloaded_name = Set(truncate(&p.insured.full_name, 200));
    row.downloaded_address = Set(truncate(&p.insured.address, 300));
    row.downloaded_city = Set(truncate(&p.insured.city, 100));
    row.downloaded_province = Set(truncate(&p.insured.province, 20));
    row.downloaded_postal_code = Set(truncate(&p.insured.postal_code, 20));
    row.downloaded_email = Set(p.insured.email.as_deref().map(|e| truncate(e, 254)));
    row.import_file_id = Set(file_id);
    row.produced_at = Set(p.produced_at);
    row.content_hash = Set(hash.to_string());
    row.updated_at = Set(now);
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// A new insured's row from the download that names it.
pub(crate) fn insured_row(
    org: i32,
    i: &DownloadedInsured,
    match_key: &str,
    likely_match: Option<i32>,
    needs_attaching: bool,
    now: DateTime<Utc>,
) -> insured::ActiveModel {
    let k = insured::Keys::of(&i.full_name, &i.last_name, &i.address, &i.postal_code, None);
    insured::ActiveModel {
        organization_id: Set(org),
        full_name: Set(truncate(&i.full_name, 200)),
        last_name: Set(truncate(&i.last_name, 200)),
        address: Set(truncate(&i.address, 300)),
        city: Set(truncate(&i.city, 100)),
        province: Set(truncate(&i.province, 20)),
        postal_code: Set(truncate(&keys::display_postal_code(&i.postal_code), 20)),
        email: Set(None),
        phone: Set(i.phone.as_deref().map(|v| truncate(v, 40))),
        match_key: Set(match_key.to_string()),
        name_key: Set(truncate(&k.name_key, 200)),
        last_name_key: Set(truncate(&k.last_name_key, 200)),
        postal_key: Set(truncate(&k.postal_key, 20)),
        search_text: Set(truncate(&k.search_text, 500)),
        needs_attaching: Set(needs_attaching),
        likely_match_id: Set(likely_match),
        latest_download_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}
