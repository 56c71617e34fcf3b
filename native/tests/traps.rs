//! Every trap kind becomes a typed error; the process survives and the next
//! call works; limits on memory growth. Modules: tests/wat/*.wat, translated
//! by wasm2c in the build script (feature `test-modules`).

use afmpeg_native::{Exit, Limits, NativeError, NativeModule, Trap};
use wasi_shim::WasiCtx;

fn run(name: &str, limits: Limits) -> Result<Exit, NativeError> {
    let module = NativeModule::get(name).expect("test module compiled in");
    let ctx = WasiCtx::builder().arg(name).build().expect("context");
    module.run(ctx, &limits).0
}

fn trap(name: &str) -> Trap {
    match run(name, Limits::default()) {
        Err(NativeError::Trap(t)) => t,
        other => panic!("{name}: expected a trap, got {other:?}"),
    }
}

#[test]
fn a_module_that_returns_exits_with_code_0() {
    assert_eq!(run("t_ok", Limits::default()).unwrap(), Exit::Code(0));
}

#[test]
fn out_of_bounds_load_traps() {
    assert_eq!(trap("t_oob"), Trap::OutOfBounds);
}

#[test]
fn the_farthest_address_a_load_can_form_traps() {
    assert_eq!(trap("t_oob_far"), Trap::OutOfBounds);
}

#[test]
fn unreachable_traps() {
    assert_eq!(trap("t_unreachable"), Trap::Unreachable);
}

#[test]
fn division_by_zero_traps() {
    assert_eq!(trap("t_div_zero"), Trap::DivisionByZero);
}

#[test]
fn signed_division_overflow_traps() {
    assert_eq!(trap("t_int_overflow"), Trap::IntegerOverflow);
}

#[test]
fn truncating_nan_traps() {
    assert_eq!(trap("t_invalid_conversion"), Trap::InvalidConversion);
}

#[test]
fn call_indirect_through_a_null_entry_traps() {
    assert_eq!(trap("t_indirect_null"), Trap::IndirectCall);
}

#[test]
fn call_indirect_with_the_wrong_type_traps() {
    assert_eq!(trap("t_indirect_type"), Trap::IndirectCall);
}

#[test]
fn call_indirect_past_the_end_of_the_table_traps() {
    assert_eq!(trap("t_indirect_range"), Trap::IndirectCall);
}

#[test]
fn memory_fill_past_the_end_of_memory_traps() {
    assert_eq!(trap("t_fill_oob"), Trap::OutOfBounds);
}

#[test]
fn unbounded_recursion_traps_as_stack_exhaustion() {
    assert_eq!(trap("t_stack"), Trap::StackExhausted);
}

#[test]
fn after_a_fault_the_same_thread_runs_the_next_call() {
    for _ in 0..3 {
        assert_eq!(trap("t_oob"), Trap::OutOfBounds);
        assert_eq!(trap("t_stack"), Trap::StackExhausted);
        assert_eq!(run("t_ok", Limits::default()).unwrap(), Exit::Code(0));
    }
}

#[test]
fn many_threads_trap_and_run_at_once() {
    let threads: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                for _ in 0..20 {
                    if i % 2 == 0 {
                        assert_eq!(trap("t_oob"), Trap::OutOfBounds);
                    } else {
                        assert_eq!(run("t_grow", Limits::default()).unwrap(), Exit::Code(0));
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn memory_grow_within_the_limit_succeeds() {
    let limits = Limits {
        max_memory: Some(16 * 65536),
        ..Limits::default()
    };
    assert_eq!(run("t_grow", limits).unwrap(), Exit::Code(0));
}

#[test]
fn memory_grow_past_the_limit_returns_minus_one() {
    // grow.wat traps `unreachable` exactly when memory.grow returned -1.
    let limits = Limits {
        max_memory: Some(16 * 65536 - 1),
        ..Limits::default()
    };
    assert_eq!(
        run("t_grow", limits).unwrap_err().to_string(),
        "guest trapped: unreachable executed"
    );
}

#[test]
fn an_initial_memory_above_the_limit_is_a_typed_error() {
    let limits = Limits {
        max_memory: Some(31 * 65536),
        ..Limits::default()
    };
    assert!(matches!(
        run("t_big_initial", limits),
        Err(NativeError::MemoryLimit)
    ));
    let limits = Limits {
        max_memory: Some(32 * 65536),
        ..Limits::default()
    };
    assert_eq!(run("t_big_initial", limits).unwrap(), Exit::Code(0));
}

#[test]
fn an_unknown_module_is_a_typed_error() {
    let err = NativeModule::get("no_such_module").unwrap_err();
    assert!(matches!(err, NativeError::NotCompiledIn { .. }), "{err}");
}

/// A fault outside guest memory is not the runtime's: with its handler
/// installed (a guest ran), a host null-pointer write still kills the process
/// with SIGSEGV. Checked in a forked child.
#[test]
fn a_host_fault_is_not_claimed_as_a_trap() {
    assert_eq!(trap("t_oob"), Trap::OutOfBounds); // the handler is installed now
                                                  // SAFETY: the child only writes to a null page and exits; both are
                                                  // async-signal-safe, as fork in a threaded process requires.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        unsafe {
            std::ptr::write_volatile(std::ptr::null_mut::<u64>().wrapping_add(1), 1);
            libc::_exit(0);
        }
    }
    let mut status = 0;
    // SAFETY: our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFSIGNALED(status),
        "child exited normally: status {status}"
    );
    assert_eq!(libc::WTERMSIG(status), libc::SIGSEGV);
}

/// The WASI binding: fd_write reaches the context's stdout, a bad fd gives
/// the guest EBADF, proc_exit ends the call with its code.
#[test]
fn wasi_calls_reach_the_context_and_proc_exit_ends_the_call() {
    use wasi_shim::stdio::{Capture, Output};
    let module = NativeModule::get("t_hello").expect("test module compiled in");
    let out = Capture::with_cap(1024);
    let ctx = WasiCtx::builder()
        .arg("hello")
        .stdout(Output::Capture(out.clone()))
        .build()
        .expect("context");
    let (result, _ctx) = module.run(ctx, &Limits::default());
    assert_eq!(result.unwrap(), Exit::Code(3));
    assert_eq!(out.contents(), b"hi\n");
}

/// The context's interrupt flag ends the guest at its next WASI call, through
/// the same abort path as proc_exit.
#[test]
fn the_interrupt_flag_ends_the_guest_at_its_next_wasi_call() {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    use wasi_shim::stdio::{Capture, Output};
    let module = NativeModule::get("t_hello").expect("test module compiled in");
    let out = Capture::with_cap(1024);
    let ctx = WasiCtx::builder()
        .arg("hello")
        .stdout(Output::Capture(out.clone()))
        .interrupt(Arc::new(AtomicBool::new(true)))
        .build()
        .expect("context");
    let (result, _ctx) = module.run(ctx, &Limits::default());
    assert!(
        matches!(result, Err(NativeError::Interrupted)),
        "{result:?}"
    );
    assert_eq!(out.contents(), b"");
}

/// The process's address space in bytes (`VmSize`).
fn address_space() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmSize:"))
        .expect("VmSize");
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// Each memory reserves 8 GiB of address space; every call, trapped or
/// not, gives it back whole. 200 calls that leaked would hold 1.6 TiB;
/// other tests running at once hold at most a few reservations.
#[test]
fn reservations_are_released_whole_after_every_call() {
    let before = address_space();
    for _ in 0..100 {
        assert_eq!(run("t_grow", Limits::default()).unwrap(), Exit::Code(0));
        assert_eq!(trap("t_oob"), Trap::OutOfBounds);
    }
    let grown = address_space().saturating_sub(before);
    assert!(
        grown < 200 << 30,
        "address space grew by {} GiB",
        grown >> 30
    );
}

#[test]
fn the_usage_report_has_the_memory_size_and_whether_the_limit_refused_a_grow() {
    let module = NativeModule::get("t_grow").expect("test module compiled in");
    let ctx = || WasiCtx::builder().arg("t_grow").build().expect("context");
    let (result, _, usage) = module.run_reporting(
        ctx(),
        &Limits {
            max_memory: Some(16 * 65536),
            ..Limits::default()
        },
    );
    assert_eq!(result.unwrap(), Exit::Code(0));
    assert_eq!(
        usage,
        afmpeg_native::Usage {
            memory_bytes: 16 * 65536,
            memory_limit_reached: false,
        }
    );
    // Refused by the job's limit: one page held, the refusal recorded.
    let (result, _, usage) = module.run_reporting(
        ctx(),
        &Limits {
            max_memory: Some(16 * 65536 - 1),
            ..Limits::default()
        },
    );
    assert!(matches!(result, Err(NativeError::Trap(Trap::Unreachable))));
    assert_eq!(
        usage,
        afmpeg_native::Usage {
            memory_bytes: 65536,
            memory_limit_reached: true,
        }
    );
}

/// The address of the process's SIGSEGV handler (0: the default action).
#[cfg(feature = "bounds-checks")]
fn segv_handler() -> usize {
    // SAFETY: reads the current action only.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        assert_eq!(
            libc::sigaction(libc::SIGSEGV, std::ptr::null(), &mut old),
            0
        );
        old.sa_sigaction
    }
}

/// Built with explicit bounds checks, the runtime leaves the process's
/// signal handling alone (the reason to choose that variant): out of bounds
/// and stack exhaustion trap without a fault.
#[cfg(feature = "bounds-checks")]
#[test]
fn with_bounds_checks_traps_need_no_signal_handler() {
    let before = segv_handler();
    assert_eq!(trap("t_oob_far"), Trap::OutOfBounds);
    assert_eq!(trap("t_fill_oob"), Trap::OutOfBounds);
    assert_eq!(trap("t_stack"), Trap::StackExhausted);
    assert_eq!(segv_handler(), before);
}
