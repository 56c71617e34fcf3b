//! The per-run WASI context and its builder.

pub use crate::abort::Abort;
pub use crate::budget::{Limit, WriteBudget};

use crate::abi::rights;
use crate::backend::BackendDir;
use crate::clock::{ClockMode, Clocks};
use crate::errno::Errno;
use crate::fd::{FdEntry, FdKind, FdTable, Handle};
use crate::fs::Filesystem;
use crate::path;
use crate::random::RandomSource;
use crate::stdio::{Input, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The state of one guest instance's WASI world: arguments, environment,
/// fds (stdio, preopens, open files), clocks, random source and limits.
///
/// Build it with [`WasiCtx::builder`].
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<String>,
    pub(crate) fds: FdTable,
    pub(crate) clocks: Clocks,
    pub(crate) random: RandomSource,
    pub(crate) budget: WriteBudget,
    pub(crate) abort_on_limit: bool,
    pub(crate) abort: Option<Abort>,
    pub(crate) limit_hit: Option<Limit>,
    pub(crate) interrupt: Option<Arc<AtomicBool>>,
    pub(crate) deadline: Option<Instant>,
}

impl WasiCtx {
    /// A builder with no args, no env, empty stdin, discarded output, no preopens.
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// Why the guest stopped, if it stopped through the WASI layer.
    pub fn abort(&self) -> Option<Abort> {
        self.abort
    }

    /// Takes the pending abort (the binding does this to end the call).
    pub fn take_abort(&mut self) -> Option<Abort> {
        self.abort.take()
    }

    /// The first limit that was reached, whether or not it aborted the run.
    pub fn limit_hit(&self) -> Option<Limit> {
        self.limit_hit
    }

    /// Bytes and inodes the guest has written/created so far.
    pub fn budget(&self) -> WriteBudget {
        self.budget
    }

    /// Number of open fds.
    pub fn open_fds(&self) -> u32 {
        self.fds.open_count()
    }

    /// Sets (or clears) the wall-clock deadline of the run; see
    /// [`WasiCtxBuilder::deadline`]. The embedder that starts the clock of
    /// its timeout only when the run starts sets it here.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// The wall-clock deadline of the run, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The flag that interrupts the run, if one was given
    /// ([`WasiCtxBuilder::interrupt`]).
    pub fn interrupt_flag(&self) -> Option<&Arc<AtomicBool>> {
        self.interrupt.as_ref()
    }

    /// Sets (or replaces) the flag that interrupts the run; see
    /// [`WasiCtxBuilder::interrupt`]. An engine whose cancellation is
    /// checked through the context installs its token's flag here.
    pub fn set_interrupt(&mut self, flag: Arc<AtomicBool>) {
        self.interrupt = Some(flag);
    }

    /// Whether the embedder raised the interrupt flag. Engines that run
    /// guest code between WASI calls (the native tier's checkpoints) poll it.
    pub fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// After a blocking call gave up waiting: stops the guest as a
    /// `poll_oneoff` sleep does — [`Abort::Interrupted`] if the interrupt
    /// flag is raised, the deadline's limit if it has passed (if neither,
    /// the guest just sees the call's `EINTR`).
    pub(crate) fn abort_if_waited_out(&mut self) {
        if self.interrupted() {
            self.abort = Some(Abort::Interrupted);
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.limit_hit.get_or_insert(Limit::Deadline);
            self.abort = Some(Abort::Limit(Limit::Deadline));
        }
    }

    /// Records that `limit` was reached; aborts the run if so configured.
    pub(crate) fn hit_limit(&mut self, limit: Limit) {
        self.limit_hit.get_or_insert(limit);
        if self.abort_on_limit && self.abort.is_none() {
            self.abort = Some(Abort::Limit(limit));
        }
    }

    /// Charges `n` bytes, or records the limit and fails with `ENOSPC`.
    pub(crate) fn charge_bytes(&mut self, n: u64) -> crate::errno::Result<()> {
        self.budget.charge_bytes(n).map_err(|l| {
            self.hit_limit(l);
            Errno::Nospc
        })
    }

    /// Charges one created file, or records the limit and fails with `ENOSPC`.
    pub(crate) fn charge_file(&mut self) -> crate::errno::Result<()> {
        self.budget.charge_file().map_err(|l| {
            self.hit_limit(l);
            Errno::Nospc
        })
    }
}

/// A directory to preopen.
#[derive(Debug, Clone)]
pub struct Preopen {
    /// The filesystem holding it.
    pub fs: Filesystem,
    /// The directory inside `fs` (e.g. `"/"` or `"/jobs/7"`).
    pub dir: String,
    /// The name the guest sees (e.g. `"/"`, `"/tmp"`, `"."`).
    pub guest: String,
    /// Refuse every modification through it with `EROFS`.
    pub read_only: bool,
}

/// What a preopen is a directory of.
enum Mount {
    /// A directory of an in-memory tree.
    Tree(Preopen),
    /// A backend's directory.
    Backend {
        dir: Arc<dyn BackendDir>,
        guest: String,
        read_only: bool,
    },
}

/// An error building a [`WasiCtx`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// An argument holds a NUL byte (the guest could not see it).
    #[error("argument {0:?} contains a NUL byte")]
    NulInArg(String),
    /// An environment key is empty or holds `=` or NUL, or a value holds NUL.
    #[error("invalid environment variable {0:?}")]
    BadEnv(String),
    /// A preopened directory does not exist in its filesystem.
    #[error("cannot preopen {dir:?} as {guest:?}: {errno}")]
    Preopen {
        /// The directory in the filesystem.
        dir: String,
        /// The guest name.
        guest: String,
        /// Why.
        errno: crate::Errno,
    },
}

/// Builds a [`WasiCtx`].
///
/// ```
/// use wasi_shim::{fs::Filesystem, stdio::{Capture, Output}, WasiCtx};
/// let fs = Filesystem::new();
/// fs.write("/input.txt", b"data".to_vec())?;
/// let stdout = Capture::with_cap(1 << 20);
/// let ctx = WasiCtx::builder()
///     .arg("prog")
///     .env("LANG", "C")
///     .stdout(Output::Capture(stdout.clone()))
///     .preopen_dir(&fs, "/")
///     .build()?;
/// assert_eq!(ctx.open_fds(), 4); // stdin, stdout, stderr, the preopen
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<String>,
    stdin: Input,
    stdout: Output,
    stderr: Output,
    preopens: Vec<Mount>,
    clock: ClockMode,
    random: RandomSource,
    max_open_fds: u32,
    budget: WriteBudget,
    abort_on_limit: bool,
    interrupt: Option<Arc<AtomicBool>>,
    deadline: Option<Instant>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdin: Input::Empty,
            stdout: Output::Discard,
            stderr: Output::Discard,
            preopens: Vec::new(),
            clock: ClockMode::Real,
            random: RandomSource::Os,
            max_open_fds: 1024,
            budget: WriteBudget::default(),
            abort_on_limit: false,
            interrupt: None,
            deadline: None,
        }
    }
}

/// Fixed start of deterministic clocks: 2024-01-01T00:00:00Z.
pub const DETERMINISTIC_EPOCH_NS: u64 = 1_704_067_200_000_000_000;

impl WasiCtxBuilder {
    /// Appends one argument (the first is `argv[0]`).
    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds `key=value` to the environment.
    pub fn env(mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.env
            .push(format!("{}={}", key.as_ref(), value.as_ref()));
        self
    }

    /// Sets stdin.
    pub fn stdin(mut self, i: Input) -> Self {
        self.stdin = i;
        self
    }

    /// Sets stdout.
    pub fn stdout(mut self, o: Output) -> Self {
        self.stdout = o;
        self
    }

    /// Sets stderr.
    pub fn stderr(mut self, o: Output) -> Self {
        self.stderr = o;
        self
    }

    /// Preopens the root of `fs` as `guest` (read-write).
    pub fn preopen_dir(self, fs: &Filesystem, guest: impl Into<String>) -> Self {
        self.preopen(Preopen {
            fs: fs.clone(),
            dir: "/".into(),
            guest: guest.into(),
            read_only: false,
        })
    }

    /// Preopens a directory (fds 3, 4, … in the order of the calls).
    pub fn preopen(mut self, p: Preopen) -> Self {
        self.preopens.push(Mount::Tree(p));
        self
    }

    /// Preopens a backend's directory as `guest` (fds 3, 4, … in the order
    /// of the `preopen*` calls): a live host directory
    /// ([`HostDir`](crate::backend::HostDir)), an overlay
    /// ([`OverlayDir`](crate::backend::OverlayDir)) or the embedder's own
    /// [`BackendDir`]. Every path the guest names through it is walked by
    /// [`backend::resolve`](crate::backend::resolve), one entry at a time,
    /// and cannot leave it. With `read_only`, every change is `EROFS`.
    ///
    /// ```
    /// use wasi_shim::{backend::HostDir, WasiCtx};
    /// let tmp = std::env::temp_dir().join(format!("wasi-shim-preopen-{}", std::process::id()));
    /// std::fs::create_dir_all(&tmp)?;
    /// let ctx = WasiCtx::builder()
    ///     .preopen_backend(HostDir::open_ambient(&tmp, false)?, "/data", false)
    ///     .build()?;
    /// assert_eq!(ctx.open_fds(), 4);
    /// # std::fs::remove_dir_all(&tmp)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preopen_backend(
        mut self,
        dir: impl BackendDir + 'static,
        guest: impl Into<String>,
        read_only: bool,
    ) -> Self {
        self.preopens.push(Mount::Backend {
            dir: Arc::new(dir),
            guest: guest.into(),
            read_only,
        });
        self
    }

    /// Sets the clock mode.
    pub fn clock(mut self, mode: ClockMode) -> Self {
        self.clock = mode;
        self
    }

    /// Sets the random source.
    pub fn random(mut self, r: RandomSource) -> Self {
        self.random = r;
        self
    }

    /// Deterministic mode: clocks start at [`DETERMINISTIC_EPOCH_NS`] and
    /// advance 1 ms per reading; random bytes come from ChaCha20 seeded with
    /// `seed`. Two runs with the same inputs produce the same bytes.
    pub fn deterministic(self, seed: u64) -> Self {
        self.clock(ClockMode::Deterministic {
            start: DETERMINISTIC_EPOCH_NS,
            step: 1_000_000,
        })
        .random(RandomSource::seeded(seed))
    }

    /// Most fds open at once, stdio and preopens included (default 1024).
    pub fn max_open_fds(mut self, n: u32) -> Self {
        self.max_open_fds = n;
        self
    }

    /// Most bytes the guest may write into files.
    pub fn max_bytes_written(mut self, n: u64) -> Self {
        self.budget.max_bytes = Some(n);
        self
    }

    /// Most files, directories and links the guest may create.
    pub fn max_files_created(mut self, n: u64) -> Self {
        self.budget.max_files = Some(n);
        self
    }

    /// When a limit is reached, stop the guest (an [`Abort::Limit`]) instead
    /// of only returning the errno a Linux process would get.
    pub fn abort_on_limit(mut self, yes: bool) -> Self {
        self.abort_on_limit = yes;
        self
    }

    /// A flag the embedder raises to interrupt blocking calls (`poll_oneoff`
    /// sleeps): the guest is stopped with [`Abort::Interrupted`].
    pub fn interrupt(mut self, flag: Arc<AtomicBool>) -> Self {
        self.interrupt = Some(flag);
        self
    }

    /// A wall-clock deadline for blocking calls: a `poll_oneoff` sleep that
    /// reaches it stops the guest with [`Abort::Limit`]`(`[`Limit::Deadline`]`)`
    /// at the deadline instead of sleeping on. Computing guests are the
    /// embedder's to stop (e.g. between fuel slices); this covers the guest
    /// that waits.
    pub fn deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(at);
        self
    }

    /// Builds the context.
    pub fn build(self) -> Result<WasiCtx, BuildError> {
        if let Some(a) = self.args.iter().find(|a| a.contains('\0')) {
            return Err(BuildError::NulInArg(a.clone()));
        }
        for kv in &self.env {
            let key = kv.split('=').next().unwrap_or("");
            if key.is_empty() || kv.contains('\0') {
                return Err(BuildError::BadEnv(kv.clone()));
            }
        }
        let mut fds = FdTable::new(self.max_open_fds.max(3 + self.preopens.len() as u32));
        fds.insert(FdEntry::stream(FdKind::Input(self.stdin)))
            .expect("table has room for stdio");
        fds.insert(FdEntry::stream(FdKind::Output {
            out: self.stdout,
            limit: Limit::Stdout,
        }))
        .expect("table has room for stdio");
        fds.insert(FdEntry::stream(FdKind::Output {
            out: self.stderr,
            limit: Limit::Stderr,
        }))
        .expect("table has room for stdio");
        for mount in self.preopens {
            let (kind, read_only) = match mount {
                Mount::Tree(p) => (preopen_tree(&p)?, p.read_only),
                Mount::Backend {
                    dir,
                    guest,
                    read_only,
                } => (
                    FdKind::BackendDir {
                        dir,
                        dev: crate::fs::next_dev(),
                        preopen: Some(guest),
                        cookies: crate::backend::ReaddirCookies::new(),
                    },
                    read_only,
                ),
            };
            let mut base = rights::DIRECTORY_BASE;
            if read_only {
                base &= !rights::MUTATING;
            }
            fds.insert(FdEntry {
                kind,
                base,
                inheriting: rights::DIRECTORY_INHERITING,
                flags: 0,
                read_only,
            })
            .expect("table sized for preopens");
        }
        Ok(WasiCtx {
            args: self.args,
            env: self.env,
            fds,
            clocks: Clocks::new(self.clock),
            random: self.random,
            budget: self.budget,
            abort_on_limit: self.abort_on_limit,
            abort: None,
            limit_hit: None,
            interrupt: self.interrupt,
            deadline: self.deadline,
        })
    }
}

/// The fd kind of a preopened directory of a tree (which must exist).
fn preopen_tree(p: &Preopen) -> Result<FdKind, BuildError> {
    let ino = {
        let t = p.fs.lock();
        let rel = p.dir.trim_start_matches('/');
        let rel = if rel.is_empty() { "." } else { rel };
        path::resolve(&t, crate::fs::tree::ROOT, rel, true)
            .and_then(|r| r.existing(&t))
            .and_then(|ino| t.dir(ino).map(|_| ino))
            .map_err(|errno| BuildError::Preopen {
                dir: p.dir.clone(),
                guest: p.guest.clone(),
                errno,
            })?
    };
    Ok(FdKind::Dir {
        handle: Handle::new(p.fs.clone(), ino),
        preopen: Some(p.guest.clone()),
    })
}
