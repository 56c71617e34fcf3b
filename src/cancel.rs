//! Cancelling a running job.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A token that stops the jobs it was given to.
///
/// Cancellation is observed between slices of guest execution (each a few
/// milliseconds of interpretation) and inside sleeps, so a job stops well
/// within 100 ms. Its inputs are untouched; files it was writing stay in the
/// in-memory filesystem, partial, where the embedder can see or remove them.
///
/// ```
/// let token = afmpeg::CancelToken::new();
/// let for_other_thread = token.clone();
/// for_other_thread.cancel();
/// assert!(token.is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every job holding this token (or a clone of it).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}
