//! How the CLI runs a guest: on a thread with a big stack, with the limits
//! of command-line runs.

use super::report::{EXIT_ABNORMAL, EXIT_SETUP};
use afmpeg::Limits;

/// The limits of command-line runs: the user's own machine and files, so
/// no timeout and the most memory a wasm32 guest can have.
pub fn cli_limits() -> Limits {
    Limits::unlimited()
}

/// Stack of the thread that runs a guest. wasmi's interpreter recurses on
/// the native stack for guest calls, far deeper than a main thread's 8 MiB
/// allows in unoptimised builds; the memory is only reserved, not used.
pub const GUEST_STACK: usize = afmpeg::job::WORKER_STACK;

/// Runs `f` on a thread with a [`GUEST_STACK`]-sized stack.
pub fn on_big_stack(f: impl FnOnce() -> i32 + Send + 'static) -> i32 {
    match std::thread::Builder::new()
        .name("afmpeg".into())
        .stack_size(GUEST_STACK)
        .spawn(f)
    {
        Ok(handle) => handle.join().unwrap_or(EXIT_ABNORMAL),
        Err(e) => {
            eprintln!("afmpeg: cannot start a thread: {e}");
            EXIT_SETUP
        }
    }
}
