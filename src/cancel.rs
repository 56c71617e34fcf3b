//! Cancelling a running job.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

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
#[derive(Clone, Default)]
pub struct CancelToken(Arc<Inner>);

#[derive(Default)]
struct Inner {
    /// What the running job reads (the engine between slices, the WASI
    /// layer in its waits): one atomic load, whatever the token's family.
    flag: Arc<AtomicBool>,
    /// Tokens made by [`CancelToken::child`], cancelled with this one.
    children: Mutex<Vec<Weak<Inner>>>,
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CancelToken")
            .field(&self.is_cancelled())
            .finish()
    }
}

impl CancelToken {
    /// A token not yet cancelled.
    ///
    /// ```
    /// assert!(!afmpeg::CancelToken::new().is_cancelled());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every job holding this token (or a clone of it, or one of
    /// its [children](Self::child)).
    ///
    /// ```
    /// let token = afmpeg::CancelToken::new();
    /// token.cancel();
    /// token.cancel(); // again: no effect
    /// assert!(token.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.0.flag.store(true, Ordering::SeqCst);
        let children = std::mem::take(&mut *self.children());
        for child in children.iter().filter_map(Weak::upgrade) {
            CancelToken(child).cancel();
        }
    }

    /// Whether [`cancel`](Self::cancel) was called (on this token or a
    /// parent).
    ///
    /// ```
    /// let token = afmpeg::CancelToken::new();
    /// assert!(!token.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.0.flag.load(Ordering::SeqCst)
    }

    /// A new token that is cancelled when this one is (at once if it
    /// already is), and can also be cancelled alone without touching this
    /// one: one job's token under a token for a whole group of jobs. The
    /// async API gives each job such a child, cancelled when its future is
    /// dropped.
    ///
    /// ```
    /// use afmpeg::CancelToken;
    /// let all = CancelToken::new();
    /// let (one, other) = (all.child(), all.child());
    /// one.cancel();
    /// assert!(!all.is_cancelled() && !other.is_cancelled());
    /// all.cancel();
    /// assert!(other.is_cancelled());
    /// ```
    pub fn child(&self) -> CancelToken {
        let child = CancelToken::new();
        let mut children = self.children();
        if self.is_cancelled() {
            child.cancel();
        } else {
            // Forget children that are gone, so a long-lived parent does
            // not grow with every job it ever had.
            children.retain(|c| c.strong_count() > 0);
            children.push(Arc::downgrade(&child.0));
        }
        child
    }

    fn children(&self) -> std::sync::MutexGuard<'_, Vec<Weak<Inner>>> {
        self.0.children.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        self.0.flag.clone()
    }
}
