//! Why a guest stopped before returning from its entry point.

use crate::budget::Limit;

/// Why the guest stopped before returning from its entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abort {
    /// `proc_exit(code)`.
    Exit(u32),
    /// `proc_raise(signal)` of a signal whose default action terminates.
    Signal(u8),
    /// A limit of the context was reached and `abort_on_limit` is set.
    Limit(Limit),
    /// The embedder's interrupt flag was raised during a blocking call.
    Interrupted,
}
