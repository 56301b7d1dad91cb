//! Password hashing with argon2id at the OWASP parameters (m = 19456 KiB,
//! t = 2, p = 1).
//!
//! Hashing costs ~20 MiB and tens of milliseconds of one core, so it never
//! runs on the async runtime: each hash goes to a blocking thread, and a
//! semaphore bounds how many run at once (by default one per core), so a burst
//! of sign-ins queues instead of starving every other request or exhausting
//! memory.

use argon2::{
    password_hash::{
        rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
    },
    Algorithm, Argon2, Params, Version,
};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// Memory cost in KiB (OWASP: 19 MiB).
pub const MEMORY_KIB: u32 = 19_456;
/// Iterations.
pub const ITERATIONS: u32 = 2;
/// Parallelism.
pub const PARALLELISM: u32 = 1;

/// Hashing failed for a reason that is not the password's fault.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// argon2 refused (e.g. a malformed stored hash).
    #[error("argon2: {0}")]
    Argon2(String),
    /// The blocking task died.
    #[error("password hashing task failed")]
    Join(#[from] tokio::task::JoinError),
    /// The hasher is shutting down.
    #[error("password hasher closed")]
    Closed,
}

/// The argon2id configuration Gatehouse uses everywhere.
pub fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("the OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on the calling thread (blocking): for start-up, the CLI and benchmarks.
pub fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Argon2(e.to_string()))
}

/// Verifies on the calling thread (blocking). A malformed stored hash is an
/// error, not a mismatch, so it gets logged.
pub fn verify_blocking(password: &str, phc: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(phc).map_err(|e| PasswordError::Argon2(e.to_string()))?;
    match argon2().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(PasswordError::Argon2(e.to_string())),
    }
}

/// A hash of a random password with the same parameters, verified against when
/// the user is unknown so that the answer takes as long as for a known user.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = uuid::Uuid::new_v4().to_string();
        hash_blocking(&random).expect("hashing a random password succeeds")
    })
}

/// Hashes and verifies passwords off the async runtime, at most `limit` at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    /// A hasher running at most `limit` hashes at once.
    pub fn new(limit: usize) -> Self {
        // Compute the dummy hash now, not in the first unknown-user sign-in.
        let _ = dummy_hash();
        Self {
            permits: Arc::new(Semaphore::new(limit.max(1))),
        }
    }

    /// One hashing thread per available core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Closed)?;
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
    }

    /// Checks `password` against the stored hash. With no stored hash (unknown
    /// user, or no password set) it verifies against a dummy hash and answers
    /// `false`, taking the same time as a real check.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Closed)?;
        tokio::task::spawn_blocking(move || match stored {
            Some(phc) => verify_blocking(&password, &phc),
            None => verify_blocking(&password, dummy_hash()).map(|_| false),
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_the_owasp_parameters_and_verify() {
        let phc = hash_blocking("Correct-Horse-9").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_blocking("Correct-Horse-9", &phc).unwrap());
        assert!(!verify_blocking("correct-horse-9", &phc).unwrap());
    }

    #[test]
    fn a_long_password_is_not_truncated() {
        let long = "x".repeat(200);
        let phc = hash_blocking(&long).unwrap();
        assert!(!verify_blocking(&long[..199], &phc).unwrap());
        assert!(verify_blocking(&long, &phc).unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify("anything".into(), None).await.unwrap());
    }
}
