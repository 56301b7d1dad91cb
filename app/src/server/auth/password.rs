//! Password hashing with argon2id at the OWASP parameters (m = 19456 KiB,
//! t = 2, p = 1).
//!
//! A hash costs ~19 MiB and tens of milliseconds of one core, so it never
//! runs on the async runtime. [`PasswordHasher`] owns a small pool of
//! long-lived hashing threads (by default one per core), fed by a queue:
//!
//! * **Bounded concurrency.** At most that many hashes run at once; a burst
//!   of sign-ins queues instead of exhausting memory.
//! * **Memory reused.** Each thread keeps its argon2 working memory between
//!   hashes. Allocating 19 MiB per hash makes the allocator map and fault in
//!   fresh pages every time, which costs about a third more CPU per sign-in
//!   (see BENCHMARKS.md).
//! * **Background priority.** On Linux the threads run under `SCHED_IDLE`:
//!   they use every core nothing else wants, and any request-serving thread
//!   that wakes up preempts them at once, so pages stay fast while sign-ins
//!   saturate the hashers.

use argon2::{
    password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use std::sync::{mpsc, Arc, Mutex, OnceLock};

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
    /// The hashing thread panicked while working on this request.
    #[error("password hashing thread failed")]
    Panicked,
    /// Too many hashes are already waiting; refused rather than queued.
    #[error("password hasher busy: {0} hashes waiting")]
    Busy(usize),
    /// The hasher is shutting down.
    #[error("password hasher closed")]
    Closed,
}

fn argon2_error(e: impl std::fmt::Display) -> PasswordError {
    PasswordError::Argon2(e.to_string())
}

/// The parameters Gatehouse hashes new passwords with.
pub fn params() -> Params {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("the OWASP argon2 parameters are valid")
}

/// The argon2id configuration Gatehouse uses everywhere.
pub fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// Hashes `password` with a fresh salt, using `memory` as argon2's working
/// memory (grown as needed and kept for the next call). Returns the PHC string.
pub fn hash_with(password: &str, memory: &mut Vec<Block>) -> Result<String, PasswordError> {
    let params = params();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(argon2_error)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    memory.resize(params.block_count(), Block::default());
    argon2()
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut memory[..])
        .map_err(argon2_error)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(argon2_error)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(argon2_error)?),
    };
    Ok(phc.to_string())
}

/// Checks `password` against a stored PHC string, using `memory` as argon2's
/// working memory. The comparison is constant-time. A malformed stored hash
/// is an error, not a mismatch, so it gets logged.
pub fn verify_with(
    password: &str,
    phc: &str,
    memory: &mut Vec<Block>,
) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(phc).map_err(argon2_error)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(argon2_error)?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(argon2_error)?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(argon2_error)?;
    let expected = parsed
        .hash
        .ok_or_else(|| PasswordError::Argon2("stored hash has no output".into()))?;
    let salt = parsed
        .salt
        .ok_or_else(|| PasswordError::Argon2("stored hash has no salt".into()))?;
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(argon2_error)?;
    let mut out = vec![0u8; expected.len()];
    memory.resize(params.block_count(), Block::default());
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut memory[..])
        .map_err(argon2_error)?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(&out).map_err(argon2_error)? == expected)
}

/// Whether a stored PHC string was made differently from how new passwords
/// are hashed today (another algorithm or version, other costs, another
/// output length), so it should be replaced at the next successful sign-in,
/// when the password is at hand. A string that doesn't parse is left to
/// [`verify_with`] to report.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let current = params();
    let same = parsed.algorithm == Algorithm::Argon2id.ident()
        && parsed.version == Some(Version::V0x13.into())
        && Params::try_from(&parsed).is_ok_and(|p| {
            p.m_cost() == current.m_cost()
                && p.t_cost() == current.t_cost()
                && p.p_cost() == current.p_cost()
        })
        && parsed
            .hash
            .is_some_and(|h| h.len() == Params::DEFAULT_OUTPUT_LEN);
    !same
}

/// Hashes on the calling thread (blocking): for the CLI and benchmarks.
pub fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    hash_with(password, &mut Vec::new())
}

/// Verifies on the calling thread (blocking), reusing this thread's argon2
/// memory between calls: for the CLI and the benchmark's raw hash rate.
pub fn verify_blocking(password: &str, phc: &str) -> Result<bool, PasswordError> {
    thread_local! {
        static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    MEMORY.with(|m| verify_with(password, phc, &mut m.borrow_mut()))
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

/// Work for a hashing thread, given that thread's argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// Hashes that may wait per hashing thread before new ones are refused: a
/// few seconds of work, far beyond what the per-address limit lets through.
const QUEUE_PER_THREAD: usize = 128;

/// A password longer than this (in bytes) is never hashed: it can't be a
/// password Gatehouse accepted (`PasswordPolicy` caps them at 1024
/// characters), so it is checked as wrong against the dummy hash instead.
const MAX_VERIFY_BYTES: usize = 4 * crate::domain::PASSWORD_MAX_LENGTH;

/// Hashes and verifies passwords on its own pool of background-priority
/// threads, at most one hash per thread at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    capacity: usize,
    threads: usize,
}

impl PasswordHasher {
    /// A hasher with `threads` hashing threads (at least one). The threads
    /// end when the last clone of the hasher is dropped.
    pub fn new(threads: usize) -> Self {
        // Compute the dummy hash now, not in the first unknown-user sign-in.
        let _ = dummy_hash();
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || hashing_thread(&queue))
                .expect("start a password hashing thread");
        }
        Self {
            jobs,
            waiting: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            capacity: threads.max(1) * QUEUE_PER_THREAD,
            threads: threads.max(1),
        }
    }

    /// Hashes waiting for a thread or running now (the queue depth `/metrics`
    /// reports).
    pub fn waiting(&self) -> usize {
        self.waiting.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many hashing threads there are: the most hashes that run at once.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// One hashing thread per available core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> Result<T, PasswordError> + Send + 'static,
    ) -> Result<T, PasswordError> {
        use std::sync::atomic::Ordering;
        let waiting = self.waiting.fetch_add(1, Ordering::SeqCst);
        if waiting >= self.capacity {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(PasswordError::Busy(waiting));
        }
        let counter = self.waiting.clone();
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            counter.fetch_sub(1, Ordering::SeqCst);
            // The requester went away (the client disconnected): skip the work.
            if done.is_closed() {
                return;
            }
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(memory)))
                .unwrap_or(Err(PasswordError::Panicked));
            let _ = done.send(result);
        });
        if self.jobs.send(job).is_err() {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(PasswordError::Closed);
        }
        answer.await.map_err(|_| PasswordError::Closed)?
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        self.run(move |memory| hash_with(&password, memory)).await
    }

    /// Checks `password` against the stored hash. With no stored hash (unknown
    /// user, or no password set) it verifies against a dummy hash and answers
    /// `false`, taking the same time as a real check.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, PasswordError> {
        self.run(move |memory| match stored {
            Some(phc) if password.len() <= MAX_VERIFY_BYTES => verify_with(&password, &phc, memory),
            _ => verify_with("", dummy_hash(), memory).map(|_| false),
        })
        .await
    }
}

/// A hashing thread: background priority, one argon2 memory for its life,
/// jobs until the hasher is gone.
fn hashing_thread(queue: &Mutex<mpsc::Receiver<Job>>) {
    lower_thread_priority();
    let mut memory = Vec::new();
    loop {
        let job = {
            let queue = queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.recv()
        };
        match job {
            Ok(job) => job(&mut memory),
            Err(_) => return,
        }
    }
}

/// Puts the calling thread in the background: `SCHED_IDLE` on Linux, so any
/// normal thread that becomes runnable preempts it. (Public for the
/// benchmark, which runs its raw hashing loop the same way.)
pub fn lower_thread_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: a plain system call on the calling thread (pid 0) with a
        // valid, initialised parameter struct.
        let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
        if rc != 0 {
            tracing::warn!(
                error = %std::io::Error::last_os_error(),
                "could not give the password hashing thread background priority"
            );
        }
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
    fn hashes_interoperate_with_the_reference_implementation() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let ours = hash_blocking("Correct-Horse-9").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon2()
            .verify_password(b"Correct-Horse-9", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2()
            .hash_password(b"Correct-Horse-9", &salt)
            .unwrap()
            .to_string();
        assert!(verify_blocking("Correct-Horse-9", &theirs).unwrap());
        assert!(!verify_blocking("Correct-Horse-8", &theirs).unwrap());
    }

    #[test]
    fn only_hashes_made_differently_from_today_need_rehashing() {
        use argon2::PasswordHasher as _;
        assert!(!needs_rehash(&hash_blocking("Correct-Horse-9").unwrap()));
        let salt = SaltString::generate(&mut OsRng);
        let made_with = |algorithm, version, m, t, p| {
            Argon2::new(algorithm, version, Params::new(m, t, p, None).unwrap())
                .hash_password(b"Correct-Horse-9", &salt)
                .unwrap()
                .to_string()
        };
        let v13 = Version::V0x13;
        for old in [
            made_with(Algorithm::Argon2i, v13, MEMORY_KIB, ITERATIONS, PARALLELISM),
            made_with(
                Algorithm::Argon2id,
                Version::V0x10,
                MEMORY_KIB,
                ITERATIONS,
                PARALLELISM,
            ),
            made_with(Algorithm::Argon2id, v13, 4096, ITERATIONS, PARALLELISM),
            made_with(Algorithm::Argon2id, v13, MEMORY_KIB, 1, PARALLELISM),
            made_with(Algorithm::Argon2id, v13, MEMORY_KIB, ITERATIONS, 2),
        ] {
            assert!(needs_rehash(&old), "{old}");
            // Old hashes still verify: that is when they get replaced.
            assert!(verify_blocking("Correct-Horse-9", &old).unwrap(), "{old}");
        }
        assert!(!needs_rehash("not a hash"));
    }

    #[test]
    fn a_long_password_is_not_truncated() {
        let long = "x".repeat(200);
        let phc = hash_blocking(&long).unwrap();
        assert!(!verify_blocking(&long[..199], &phc).unwrap());
        assert!(verify_blocking(&long, &phc).unwrap());
    }

    #[test]
    fn a_malformed_stored_hash_is_an_error_not_a_mismatch() {
        assert!(verify_blocking("x", "$argon2id$v=19$garbage").is_err());
    }

    #[tokio::test]
    async fn the_pool_hashes_verifies_and_refuses_unknown_users() {
        let hasher = PasswordHasher::new(2);
        let phc = hasher.hash("Harbour-Light-7".into()).await.unwrap();
        assert!(hasher
            .verify("Harbour-Light-7".into(), Some(phc.clone()))
            .await
            .unwrap());
        assert!(!hasher
            .verify("Harbour-Light-8".into(), Some(phc))
            .await
            .unwrap());
        assert!(!hasher.verify("anything".into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn an_absurdly_long_password_is_wrong_without_being_hashed_as_such() {
        let hasher = PasswordHasher::new(1);
        let long = "A1!".repeat(MAX_VERIFY_BYTES);
        let phc = hash_blocking(&long).unwrap();
        assert!(!hasher.verify(long, Some(phc)).await.unwrap());
    }
}
