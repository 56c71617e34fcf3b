//! Differential test: every conformance program runs under `afmpeg run` and
//! under wasmi + wasmi_wasi (wasi-common, the reference oracle) over a real
//! temp directory; exit codes and stdout lines must agree, except for the
//! divergences of the oracle listed in ORACLE_DIVERGENCES (each one a place
//! where wasi-common deviates from Linux, which afmpeg follows). The same
//! comparison is made for each filesystem backend of wasi-shim (memory,
//! host directory, overlay), run in process with the fixture behind it:
//! the syscall layer's semantics are the same on every backend.
//!
//! Listed divergences are checked to still occur, so the list cannot rot,
//! and exit codes are always compared: for a listed program, afmpeg's is
//! 0 (every check passed) and the oracle's is exactly what the listed
//! checks explain. What Linux does in each listed case is not taken on
//! trust: the model test (wasi-shim/tests/model.rs) runs the same calls
//! against a real Linux directory where it can, and wasi-shim/RATIONALE.md
//! ("What Linux does where the oracle differs") cites the kernel for the rest.

mod support;
use support::wasi_programs;
use wasi_programs::*;

/// What is excluded from the comparison.
enum Div {
    /// These checks of the program differ: their `ok`/`FAIL` lines are
    /// compared apart (every one passes under afmpeg, none under the
    /// oracle), and so are the `done` line and the exit code (afmpeg's: all
    /// checks passed, exit 0; the oracle's: exactly these checks failed,
    /// exit 1).
    Checks(&'static [&'static str]),
    /// The whole program differs (the oracle traps where Linux returns an
    /// errno): afmpeg passes every check (exit 0), the oracle traps.
    Program,
}

/// (program, divergence, reason)
const ORACLE_DIVERGENCES: &[(&str, Div, &str)] = &[
    (
        "clocks",
        Div::Checks(&[
            "res_process_cputime",
            "res_thread_cputime",
            "time_process_cputime",
            "time_thread_cputime",
            "process_cputime_advances_while_spinning",
            "thread_cputime_advances_while_spinning",
        ]),
        "wasi-common has no process/thread CPU-time clocks (EBADF); Linux has CLOCK_PROCESS_CPUTIME_ID",
    ),
    (
        "fd_readdir",
        Div::Checks(&["readdir_on_file_enotdir"]),
        "wasi-common answers EBADF for fd_readdir on a file fd; Linux getdents64 gives ENOTDIR",
    ),
    (
        "readdir_mutation",
        Div::Checks(&["unseen_entries_returned_once"]),
        "wasi-common cookies are indexes into a fresh listing, so deleting an already-listed entry shifts \
      and skips a later one; POSIX readdir returns every entry not removed exactly once",
    ),
    (
        "readdir_telldir",
        Div::Checks(&[
            "seekdir_after_deleting_followed_name",
            "seekdir_after_deleting_later_name",
        ]),
        "wasi-common cookies are indexes into a fresh listing, so a telldir position taken before a \
      deletion lands one entry further after it; on Linux ext4 a telldir position is a hash of the name \
      it follows, so it stays after that name",
    ),
    (
        "fdflags_sync",
        Div::Checks(&[
            "open_sync",
            "sync_flag_reported",
            "open_dsync",
            "dsync_flag_reported",
            "open_rsync",
            "open_all_sync_flags",
            "set_flags_sync_ok",
            "fd_sync_dir",
            "fd_datasync_dir",
        ]),
        "wasi-common refuses SYNC/DSYNC/RSYNC (ENOTSUP), rejects F_SETFL-ignored flags (EINVAL) and fsync \
      on directory fds (EBADF); Linux accepts all of these",
    ),
    (
        "fdstat_rights",
        Div::Checks(&[
            "rights_base_reduced",
            "write_without_right_ebadf",
            "increase_rights_notcapable",
            "rights_unchanged_after_failed_increase",
        ]),
        "wasi-common no longer tracks rights: fd_fdstat_set_rights is a no-op, so a reduction the guest \
      made is not honoured",
    ),
    (
        "rights_open_mode",
        Div::Checks(&[
            "go_root_can_truncate_through",
            "dir_ftruncate_right_eisdir",
            "narrowed_file_lacks_write",
            "narrowed_write_ebadf",
            "narrowed_child_inheriting_lacks_write",
            "narrowed_grandchild_write_ebadf",
            "narrowed_create_eperm",
            "narrowed_trunc_eperm",
            "narrowed_cannot_regain_notcapable",
            "narrowed_file_unchanged",
        ]),
        "wasi-common ignores fd_fdstat_set_rights (a no-op, so the narrowed writes and creates succeed and \
      change the file), reports a directory's rights as requested rather than what it allows, and opens \
      a directory asked for FD_FILESTAT_SET_SIZE (wasi-libc's O_WRONLY implies it; Linux: EISDIR)",
    ),
    (
        "dir_fds",
        Div::Checks(&["link_follow_dangling_enoent"]),
        "wasi-common refuses SYMLINK_FOLLOW in path_link (EINVAL); Linux linkat(AT_SYMLINK_FOLLOW) of a \
      dangling symlink is ENOENT",
    ),
    (
        "hardlink",
        Div::Checks(&["link_symlink_follow", "follow_links_the_target"]),
        "wasi-common refuses SYMLINK_FOLLOW in path_link (EINVAL); Linux linkat supports AT_SYMLINK_FOLLOW",
    ),
    (
        "mkdir_trailing",
        Div::Checks(&["stat_file_slash_enotdir"]),
        "wasi-common stats `file/` as the file; Linux gives ENOTDIR",
    ),
    (
        "path_open",
        Div::Checks(&["lowest_free_fd_reused"]),
        "wasi-common does not hand out the lowest free fd number; POSIX does",
    ),
    (
        "poll_oneoff",
        Div::Checks(&["absolute_realtime", "absolute_realtime_waited", "stdout_poll", "stdout_ready"]),
        "wasi-common supports only monotonic absolute timeouts (ENOTSUP) and cannot poll its in-memory stdout pipe",
    ),
    (
        "pread_pwrite",
        Div::Checks(&["readv_scatter", "preadv_gather", "read_dir_eisdir", "pread_dir_eisdir"]),
        "wasi-common reads only the first non-empty iovec (Linux readv fills all of them) and answers EBADF \
      for reads on a directory fd (Linux: EISDIR)",
    ),
    (
        "preopen_renumber",
        Div::Checks(&[
            "prestat_opened_dir_ebadf",
            "renumbered_preopen_not_prestat",
            "lowest_free_fd_after_closing_preopen",
        ]),
        "wasi-common answers ENOTSUP (not EBADF) for fd_prestat_get on a non-preopen dir and does not reuse \
      the lowest free fd",
    ),
    (
        "rename",
        Div::Checks(&["rename_file_to_trailing_slash_enotdir"]),
        "wasi-common renames `file` to `new/`; Linux renameat gives ENOTDIR",
    ),
    (
        "sock_stdio",
        Div::Checks(&[
            "sock_recv_file_enotsock",
            "sock_send_file_enotsock",
            "sock_shutdown_file_enotsock",
            "sock_accept_file_enotsock",
            "sock_accept_dir_enotsock",
            "sock_recv_stdout_enotsock",
        ]),
        "wasi-common answers EBADF for sock_* on non-socket fds; Linux gives ENOTSOCK",
    ),
    (
        "fixture_import",
        Div::Checks(&["readlink_imported_absolute", "imported_absolute_target"]),
        "wasi-common (cap-std) refuses to read a link whose target is absolute (EPERM); Linux readlinkat \
      returns any target",
    ),
    (
        "symlinks",
        Div::Checks(&["dirlink_trailing_slash_is_dir"]),
        "wasi-common does not follow a symlink named with a trailing slash (Linux does)",
    ),
    (
        "append",
        Div::Checks(&["open_trunc_append"]),
        "wasi-common (cap-std) refuses O_TRUNC together with O_APPEND (EINVAL); Linux allows it",
    ),
    (
        "truncate_allocate",
        Div::Checks(&[
            "allocate_grow",
            "allocate_grow_size",
            "allocate_zero_filled",
            "allocate_inside",
            "allocate_never_shrinks",
            "allocate_offset_len",
            "allocate_offset_len_size",
            "allocate_zero_len_einval",
            "allocate_overflow_efbig",
            "set_size_dir_einval",
        ]),
        "wasi-common does not implement fd_allocate (ENOTSUP) and answers EBADF for ftruncate on a \
      directory fd (Linux: EINVAL)",
    ),
    (
        "unlink_rmdir",
        Div::Checks(&["rmdir_trailing_slash", "rmdir_removed", "unlink_on_file_fd_enotdir"]),
        "wasi-common refuses rmdir `dir/` (EINVAL) and answers EBADF for a file dirfd; Linux: success / ENOTDIR",
    ),
    (
        "escape_fds",
        Div::Checks(&["link_follow_abs_link", "fd_number_reused"]),
        "wasi-common refuses path_link SYMLINK_FOLLOW (EINVAL) and does not reuse the lowest free fd",
    ),
    (
        "efault",
        Div::Program,
        "wasi-common (wiggle) traps on out-of-bounds guest pointers instead of returning EFAULT",
    ),
    (
        "bad_enums",
        Div::Program,
        "wasi-common (wiggle) traps on invalid enum/flag values instead of returning EINVAL",
    ),
];

fn divergence(name: &str) -> Option<(&'static Div, &'static str)> {
    ORACLE_DIVERGENCES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, d, r)| (d, *r))
}

/// The check name of an `ok NAME` / `FAIL NAME: ...` line.
fn check_of(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("ok ") {
        Some(rest.trim())
    } else if let Some(rest) = line.strip_prefix("FAIL ") {
        Some(rest.split(':').next().unwrap_or(rest).trim())
    } else {
        None
    }
}

/// Runs `name` under the oracle once, and under `afmpeg run` (whose mounts
/// are in-memory trees) and in process on each other backend
/// ([`BACKENDS`]), each over a fixture of its own: every one is judged
/// against the oracle alike.
fn compare(name: &str) {
    let wasm = wasm_for(name);
    let spec = spec_for(name);
    let oracle = run_oracle(&wasm, &fixture(), &spec);
    let cli = run_afmpeg(&wasm, &fixture(), &spec);
    judge(name, "afmpeg run", None, &cli, &oracle);
    for backend in BACKENDS {
        let ours = run_in_process(&wasm, &fixture(), &spec, backend);
        judge(
            name,
            &format!("{backend:?} backend"),
            Some(backend),
            &ours,
            &oracle,
        );
    }
}

/// `ours` (what `label` ran, on `backend` if in process) against the
/// oracle's run of program `name`.
fn judge(name: &str, label: &str, backend: Option<Backend>, ours: &Outcome, oracle: &Outcome) {
    let by_design = backend_divergence(name, backend);
    let dump = format!(
        "{}\n{}",
        describe(label, ours),
        describe("oracle (wasmi_wasi)", oracle)
    );

    match divergence(name) {
        Some((Div::Program, reason)) => {
            assert!(
                by_design.is_empty(),
                "{name}: a backend divergence needs the program's checks compared (Div::Checks)"
            );
            // The divergence is still real (the oracle traps) and afmpeg
            // passes every check (these programs report through the exit
            // code: 0 = all passed, N = check N failed).
            assert_eq!(
                (ours.code, oracle.code),
                (0, 134),
                "{name} ({label}): exit codes (afmpeg, oracle); listed as an oracle divergence ({reason})\n{dump}"
            );
        }
        Some((Div::Checks(checks), reason)) => {
            let keep = |l: &&str| {
                !l.starts_with("done ")
                    && check_of(l).is_none_or(|c| !checks.contains(&c) && !by_design.contains(&c))
            };
            let a: Vec<&str> = ours.stdout.lines().filter(keep).collect();
            let o: Vec<&str> = oracle.stdout.lines().filter(keep).collect();
            assert_eq!(
                a, o,
                "{name} ({label}): stdout differs outside the listed divergences\n{dump}"
            );
            // The listed checks all pass under afmpeg and all fail under the
            // oracle (keeps the list honest), and the exit codes and `done`
            // lines say exactly that: afmpeg no failure, the oracle one per
            // listed check.
            let results = |stdout: &str, ok: &str, checks: &[&'static str]| -> Vec<&str> {
                checks
                    .iter()
                    .copied()
                    .filter(|c| {
                        stdout
                            .lines()
                            .any(|l| l.starts_with(ok) && check_of(l) == Some(c))
                    })
                    .collect()
            };
            assert_eq!(
                results(&ours.stdout, "ok ", checks),
                checks.to_vec(),
                "{name} ({label}): listed checks that do not pass under afmpeg\n{dump}"
            );
            assert_eq!(
                results(&oracle.stdout, "FAIL ", checks),
                checks.to_vec(),
                "{name} ({label}): listed as oracle divergences ({reason}) but not all FAIL under the oracle\n{dump}"
            );
            let done = |stdout: &str| {
                stdout
                    .lines()
                    .find(|l| l.starts_with("done "))
                    .map(str::to_owned)
            };
            let ran = done(&ours.stdout)
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
                .unwrap_or_default();
            // The backend's own divergences fail there and pass under the
            // oracle; nothing else fails.
            assert_eq!(
                results(&ours.stdout, "FAIL ", by_design),
                by_design.to_vec(),
                "{name} ({label}): listed as failing on this backend by design but passes\n{dump}"
            );
            assert_eq!(
                results(&oracle.stdout, "ok ", by_design),
                by_design.to_vec(),
                "{name} ({label}): listed as failing on this backend by design but fails under the oracle too\n{dump}"
            );
            assert_eq!(
                (ours.code, done(&ours.stdout)),
                (
                    i32::from(!by_design.is_empty()),
                    Some(format!("done {ran} {}", by_design.len()))
                ),
                "{name} ({label}): afmpeg's exit code and done line\n{dump}"
            );
            assert_eq!(
                (oracle.code, done(&oracle.stdout)),
                (1, Some(format!("done {ran} {}", checks.len()))),
                "{name} ({label}): the oracle's exit code and done line (one failure per listed check)\n{dump}"
            );
        }
        None => {
            assert!(
                by_design.is_empty(),
                "{name}: a backend divergence needs the program's oracle divergences listed (Div::Checks)"
            );
            assert_eq!(
                ours.code, oracle.code,
                "{name} ({label}): exit codes differ\n{dump}"
            );
            let a: Vec<&str> = ours.stdout.lines().collect();
            let o: Vec<&str> = oracle.stdout.lines().collect();
            assert_eq!(a, o, "{name} ({label}): stdout differs\n{dump}");
        }
    }
}

macro_rules! programs {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { compare(stringify!($name)); } )*
        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

programs! {
    append, args_environ, clocks, dir_fds, escape_fds, escape_paths, fd_readdir, fdflags_sync,
    fdstat_rights, filestat_times, fixture_import, hardlink, mkdir_trailing, path_open,
    poll_oneoff, pread_pwrite, preopen_renumber, random, readdir_mutation, readdir_telldir, rename,
    rights_open_mode, seek, sock_stdio, symlink_loops, symlinks, truncate_allocate, unlink_open,
    unlink_rmdir,
    all_imports, bad_enums, efault, trap,
}

#[test]
fn every_program_is_compared() {
    for (name, _) in all_programs() {
        assert!(
            LISTED.contains(&name.as_str())
                || [
                    "proc_exit",
                    "writeback_escape",
                    "writeback_diff",
                    "writeback_swap"
                ]
                .contains(&name.as_str()),
            "tests/wasi program `{name}` is not listed in tests/wasi_differential.rs"
        );
    }
    for (n, _, _, _) in BACKEND_DIVERGENCES {
        assert!(
            LISTED.contains(n),
            "backend divergence listed for unknown program {n}"
        );
    }
    for (n, _, _) in ORACLE_DIVERGENCES {
        assert!(
            LISTED.contains(n),
            "divergence listed for unknown program {n}"
        );
    }
}

/// proc_exit codes agree (on every backend).
#[test]
fn proc_exit() {
    let wasm = wasm_for("proc_exit");
    for args in [
        vec![],
        vec!["exit", "3"],
        vec!["return", "9"],
        vec!["return", "0"],
    ] {
        let spec = RunSpec {
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec![],
        };
        let o = run_oracle(&wasm, &fixture(), &spec);
        let mut ours = vec![(
            "afmpeg run".to_owned(),
            run_afmpeg(&wasm, &fixture(), &spec),
        )];
        for backend in BACKENDS {
            let out = run_in_process(&wasm, &fixture(), &spec, backend);
            ours.push((format!("{backend:?} backend"), out));
        }
        for (label, a) in &ours {
            assert_eq!(
                (a.code, &a.stdout),
                (o.code, &o.stdout),
                "proc_exit {args:?}\n{}\n{}",
                describe(label, a),
                describe("oracle", &o)
            );
        }
    }
}
