//! The time every service decides by. Services take `now` as an argument;
//! server functions read it from the [`Clock`] in the shared state, which is
//! the system clock in production and a hand-moved one in tests, so expiry
//! and lock-out are tested without sleeping.

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

/// Where "now" comes from.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A clock that only moves when told to (tests).
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// A manual clock showing `start`.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Self::Manual(Arc::new(Mutex::new(start)))
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Manual(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Moves a manual clock forward; the system clock ignores this.
    pub fn advance(&self, by: chrono::Duration) {
        if let Self::Manual(t) = self {
            let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
            *t += by;
        }
    }
}
