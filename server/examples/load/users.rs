//! The simulated users and what one run of them saw.

use crate::{
    data::{Login, CLIENT_PASSWORD, STAFF_PASSWORD},
    http::{pdf, Answer, Http, Kind},
};
use rand::{seq::SliceRandom, Rng, SeedableRng};
use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

/// What a run saw.
#[derive(Default)]
pub struct Tally {
    pub times: BTreeMap<Kind, Vec<Duration>>,
    pub errors: BTreeMap<Kind, usize>,
    /// (kind, status, start of the body) of the first errors.
    pub samples: Vec<String>,
    /// Error answers that named their cause clearly (503 + message).
    pub clear_errors: usize,
    /// When the last clear error was answered.
    pub last_clear: Option<Instant>,
    /// Acknowledged uploads: (document id, size).
    pub uploads: Vec<(i64, usize)>,
    /// Acknowledged reports: document ids.
    pub reports: Vec<i64>,
    /// Successful answers after the fault was lifted, by kind.
    pub ok_after: usize,
}

impl Tally {
    pub fn merge(&mut self, o: Tally) {
        for (k, v) in o.times {
            self.times.entry(k).or_default().extend(v);
        }
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
        for s in o.samples {
            if self.samples.len() < 12 {
                self.samples.push(s);
            }
        }
        self.clear_errors += o.clear_errors;
        self.last_clear = self.last_clear.max(o.last_clear);
        self.uploads.extend(o.uploads);
        self.reports.extend(o.reports);
        self.ok_after += o.ok_after;
    }

    /// Counts a failed answer, keeping the first few as examples.
    fn error(&mut self, kind: Kind, answer: &Answer) {
        *self.errors.entry(kind).or_default() += 1;
        if self.samples.len() < 3 {
            self.samples.push(format!(
                "{} → {} {}",
                kind.name(),
                answer.status,
                answer.body.chars().take(160).collect::<String>()
            ));
        }
    }

    pub fn error_total(&self) -> usize {
        self.errors.values().sum()
    }

    pub fn requests(&self) -> usize {
        self.times.values().map(Vec::len).sum::<usize>() + self.error_total()
    }

    pub fn table(&self, seconds: f64) -> String {
        let mut out = String::from(
            "| request | count | errors | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|\n",
        );
        for (kind, times) in &self.times {
            let mut t = times.clone();
            t.sort();
            let q = |p: f64| -> String {
                if t.is_empty() {
                    return "-".into();
                }
                let i = ((t.len() as f64 * p).ceil() as usize).clamp(1, t.len()) - 1;
                format!("{:.1}", t[i].as_secs_f64() * 1000.0)
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                kind.name(),
                t.len(),
                self.errors.get(kind).copied().unwrap_or(0),
                q(0.50),
                q(0.95),
                q(0.99),
                q(1.0)
            ));
        }
        out.push_str(&format!(
            "\n{} requests in {:.0} s ({:.0} per second), {} errors.\n",
            self.requests(),
            seconds,
            self.requests() as f64 / seconds,
            self.error_total()
        ));
        out
    }
}

/// Shared by the simulated users of one run.
pub struct Work {
    pub http: Http,
    pub bases: Vec<String>,
    pub logins: Vec<Login>,
    pub accounts: BTreeMap<String, Vec<i64>>,
    pub until: Instant,
    /// While set, errors are expected: they must be clear, not counted.
    pub fault: Arc<AtomicBool>,
    /// Set once the fault is lifted: successes from then on are counted.
    pub lifted: Arc<AtomicBool>,
    /// Upload sizes (bytes).
    pub upload_sizes: (usize, usize),
}

/// Words only an error message has (both 5xx messages say it).
pub const ERROR_PAGE_WORDS: &str = "quote reference";

pub fn kind_is_page(kind: Kind) -> bool {
    matches!(kind, Kind::Page | Kind::Search)
}

/// A 503 that says the storage is unavailable: the message on a page, the
/// `Unavailable` error (whose message the browser shows) in JSON.
pub fn is_clear_unavailable(answer: &Answer) -> bool {
    answer.status == 503
        && (answer.body.contains(UNAVAILABLE_WORDS) || answer.body.starts_with("{\"Unavailable\""))
}

/// The words a clear "storage unavailable" answer carries.
pub const UNAVAILABLE_WORDS: &str = "storage is unavailable or full";

pub async fn user(work: Arc<Work>, n: usize) -> Tally {
    let mut t = Tally::default();
    let mut rng = rand::rngs::StdRng::from_entropy();
    let login = work.logins[n % work.logins.len()].clone();
    let base = work.bases[n % work.bases.len()].clone();
    let password = if login.staff {
        STAFF_PASSWORD
    } else {
        CLIENT_PASSWORD
    };
    let mut cookie: Option<String> = None;
    let searches = ["Lake", "Maple", "Bay", "4165", "Tow", "Kestrel", "zzz"];
    // Spread the first sign-ins over the first second.
    tokio::time::sleep(Duration::from_millis(rng.gen_range(0..1000))).await;
    while Instant::now() < work.until {
        let kind = match (&cookie, rng.gen_range(0..100)) {
            (None, _) => Kind::SignIn,
            (_, 0..=2) => Kind::SignIn,
            (_, r) if login.staff => match r {
                3..=44 => Kind::Page,
                45..=74 => Kind::Search,
                75..=89 => Kind::Report,
                _ => Kind::Upload,
            },
            (_, r) if login.manager => match r {
                3..=69 => Kind::Page,
                70..=89 => Kind::Report,
                _ => Kind::Upload,
            },
            _ => Kind::Page,
        };
        let account = login
            .account_id
            .is_none()
            .then(|| {
                work.accounts
                    .get(&login.org)
                    .and_then(|a| a.choose(&mut rng).copied())
            })
            .flatten();
        let started = Instant::now();
        let (answer, ok_status, size) = match kind {
            Kind::SignIn => (work.http.sign_in(&base, &login, password).await, 200, 0),
            Kind::Page => {
                let path = if login.staff {
                    match account {
                        Some(a) if rng.gen_bool(0.5) => format!("/admin/accounts/{a}"),
                        _ => "/admin".to_string(),
                    }
                } else {
                    format!("/portal/{}", login.org)
                };
                (
                    work.http
                        .get(&base, &path, cookie.as_deref().unwrap_or_default())
                        .await,
                    200,
                    0,
                )
            }
            Kind::Search => {
                let q = searches.choose(&mut rng).unwrap();
                (
                    work.http
                        .get(
                            &base,
                            &format!("/admin/accounts?q={q}"),
                            cookie.as_deref().unwrap_or_default(),
                        )
                        .await,
                    200,
                    0,
                )
            }
            Kind::Report => {
                let account = account.map(|a| a.to_string());
                let mut pairs = vec![("title", "Patrol report"), ("body", "All doors checked.")];
                if let Some(a) = &account {
                    pairs.push(("account", a));
                }
                (
                    work.http
                        .form(&base, "/api/add_report", &pairs, cookie.as_deref())
                        .await,
                    200,
                    0,
                )
            }
            Kind::Upload => {
                let size = rng.gen_range(work.upload_sizes.0..=work.upload_sizes.1);
                (
                    work.http
                        .upload(
                            &base,
                            cookie.as_deref().unwrap_or_default(),
                            account,
                            &pdf(size),
                        )
                        .await,
                    201,
                    size,
                )
            }
        };
        let elapsed = started.elapsed();
        // A page that rendered an error instead of its content is an error
        // whatever its status.
        let mut answer = answer;
        if answer.status == ok_status
            && kind_is_page(kind)
            && answer.body.contains(ERROR_PAGE_WORDS)
        {
            answer.status = if answer.body.contains(UNAVAILABLE_WORDS) {
                503
            } else {
                500
            };
        }
        if answer.status == ok_status {
            t.times.entry(kind).or_default().push(elapsed);
            if work.lifted.load(Ordering::Relaxed) {
                t.ok_after += 1;
            }
            match kind {
                Kind::SignIn => cookie = answer.cookie,
                Kind::Report => {
                    if let Ok(id) = answer.body.trim().parse() {
                        t.reports.push(id);
                    }
                }
                Kind::Upload => {
                    if let Some(id) = serde_json::from_str::<serde_json::Value>(&answer.body)
                        .ok()
                        .and_then(|v| v["id"].as_i64())
                    {
                        t.uploads.push((id, size));
                    }
                }
                _ => {}
            }
        } else if work.fault.load(Ordering::Relaxed) {
            if is_clear_unavailable(&answer) {
                t.clear_errors += 1;
                t.last_clear = Some(Instant::now());
            } else {
                t.error(kind, &answer);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        } else {
            t.error(kind, &answer);
            if answer.status == 401 {
                cookie = None;
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.gen_range(100..600))).await;
    }
    t
}

pub async fn run_users(work: Arc<Work>, users: usize) -> Tally {
    let tasks: Vec<_> = (0..users)
        .map(|n| tokio::spawn(user(work.clone(), n)))
        .collect();
    let mut total = Tally::default();
    for t in tasks {
        total.merge(t.await.unwrap());
    }
    total
}
