//! What the benchmarks share: percentiles of a set of timings.

use std::time::Duration;

/// The p50, p99 and maximum of a set of timings.
pub struct Stats {
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

/// The percentiles of `v`.
pub fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    Stats {
        p50: at(0.5),
        p99: at(0.99),
        max: *v.last().unwrap(),
    }
}

/// A duration in milliseconds, for the tables.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
