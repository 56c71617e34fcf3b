//! `afmpeg run`'s options, end to end: the binary runs small WASI command
//! modules (WAT, compiled here) over host temp directories, and each test
//! checks what the option does — the host bytes after `--write-back`, the
//! exact errno a guest sees under `--dir-ro`, the device bytes of `--dev`,
//! the guest's clock and random bytes under `--deterministic`, and the typed
//! stop of `--fuel` and `--max-memory`. No FFmpeg module is needed.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_afmpeg");
/// `afmpeg run`'s exit code for a guest stopped by a trap or a limit.
const EXIT_ABNORMAL: i32 = 134;
/// WASI errnos.
const EROFS: i32 = 69;
const EBADF: i32 = 8;

/// Writes `bytes` to a new file `new.txt` in the first preopen (fd 3),
/// exiting with the errno of the first call that fails, else 0.
const WRITER: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "new.txt")
  (data (i32.const 64) "written by the guest\n")
  (func $check (param $e i32)
    (if (local.get $e) (then (call $exit (local.get $e)))))
  (func (export "_start")
    ;; oflags CREAT|TRUNC, rights FD_WRITE; the new fd at 0
    (call $check (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 7)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
    ;; one iovec at 8: 21 bytes at 64
    (i32.store (i32.const 8) (i32.const 64))
    (i32.store (i32.const 12) (i32.const 21))
    (call $check (call $write (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 4)))
    (call $exit (i32.const 0))))
"#;

/// With `/dev` as fd 3: reads 8 bytes of `zero` into a buffer of 0xff
/// (exit 100 if any is not zero), then writes to `full`, which must fail
/// with ENOSPC (exit 101 otherwise); exit 0 when both hold, else the errno
/// of the first call that fails.
const DEVICES: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "zero")
  (data (i32.const 32) "full")
  (func $check (param $e i32)
    (if (local.get $e) (then (call $exit (local.get $e)))))
  (func (export "_start")
    (i64.store (i32.const 64) (i64.const -1))
    (i32.store (i32.const 8) (i32.const 64))
    (i32.store (i32.const 12) (i32.const 8))
    ;; zero, FD_READ
    (call $check (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 4)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
    (call $check (call $read (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 4)))
    (if (i32.ne (i32.load (i32.const 4)) (i32.const 8)) (then (call $exit (i32.const 100))))
    (if (i64.ne (i64.load (i32.const 64)) (i64.const 0)) (then (call $exit (i32.const 100))))
    ;; full, FD_WRITE: the write must be ENOSPC (51)
    (call $check (call $open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 4)
      (i32.const 0) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
    (if (i32.ne (call $write (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 4))
                (i32.const 51))
      (then (call $exit (i32.const 101))))
    (call $exit (i32.const 0))))
"#;

/// Writes 16 random bytes and the realtime and monotonic clocks (8 bytes
/// each) to stdout.
const ENTROPY: &str = r#"
(module
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $check (param $e i32)
    (if (local.get $e) (then (call $exit (local.get $e)))))
  (func (export "_start")
    (call $check (call $random (i32.const 64) (i32.const 16)))
    (call $check (call $clock (i32.const 0) (i64.const 1) (i32.const 80)))
    (call $check (call $clock (i32.const 1) (i64.const 1) (i32.const 88)))
    (i32.store (i32.const 8) (i32.const 64))
    (i32.store (i32.const 12) (i32.const 32))
    (call $check (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 4)))
    (call $exit (i32.const 0))))
"#;

/// Never ends.
const SPIN: &str = r#"
(module
  (memory (export "memory") 1)
  (func (export "_start") (loop (br 0))))
"#;

/// Grows its memory from 1 page to 33 (2 MiB + 64 KiB); exit 0 if that
/// worked, 1 if `memory.grow` refused.
const GROW: &str = r#"
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (i32.eq (memory.grow (i32.const 32)) (i32.const -1)))))
"#;

/// Copies stdin to stdout, one read (of up to 64 KiB) at a time, until end
/// of file (exit 0); exit with the errno of a call that fails.
const ECHO: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (func $check (param $e i32)
    (if (local.get $e) (then (call $exit (local.get $e)))))
  (func (export "_start")
    (loop $more
      ;; one iovec at 8: 64 KiB at 65536; the count at 4
      (i32.store (i32.const 8) (i32.const 65536))
      (i32.store (i32.const 12) (i32.const 65536))
      (call $check (call $read (i32.const 0) (i32.const 8) (i32.const 1) (i32.const 4)))
      (if (i32.eqz (i32.load (i32.const 4))) (then (call $exit (i32.const 0))))
      (i32.store (i32.const 12) (i32.load (i32.const 4)))
      (call $check (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0)))
      (br $more))))
"#;

/// Compiles `wat` into `dir/name.wasm`; returns its path as a string.
fn module(dir: &Path, name: &str, wat: &str) -> String {
    let p = dir.join(format!("{name}.wasm"));
    std::fs::write(&p, wat::parse_str(wat).unwrap()).unwrap();
    p.to_str().unwrap().to_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("run")
        .args(args)
        .output()
        .expect("cannot start afmpeg")
}

fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A host directory with two files; returns it and its (name, bytes) list.
fn host_dir() -> (tempfile::TempDir, Vec<(String, Vec<u8>)>) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("keep.txt"), b"host bytes\n").unwrap();
    std::fs::create_dir(d.path().join("sub")).unwrap();
    std::fs::write(d.path().join("sub/inner.bin"), [0u8, 1, 2, 255]).unwrap();
    let listing = listing(d.path());
    (d, listing)
}

/// Every file under `dir` (relative name, bytes), sorted.
fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_str().unwrap().to_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn write_back_puts_the_guests_files_on_the_host() {
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "writer", WRITER);
    let (host, before) = host_dir();
    let spec = format!("{}::/data", host.path().display());
    let o = run(&["--dir", &spec, "--write-back", &wasm]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    let mut expected = before.clone();
    expected.push(("new.txt".into(), b"written by the guest\n".to_vec()));
    expected.sort();
    assert_eq!(listing(host.path()), expected);
}

#[test]
fn without_write_back_the_host_directory_is_unchanged() {
    // The same guest as above, so the write does happen in memory (exit 0).
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "writer", WRITER);
    let (host, before) = host_dir();
    let spec = format!("{}::/data", host.path().display());
    let o = run(&["--dir", &spec, &wasm]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert_eq!(listing(host.path()), before);
}

#[test]
fn dir_ro_refuses_writes_with_erofs_and_is_never_written_back() {
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "writer", WRITER);
    let (host, before) = host_dir();
    let spec = format!("{}::/data", host.path().display());
    // --write-back asks for the write-back; a read-only mount never gets it.
    let o = run(&["--dir-ro", &spec, "--write-back", &wasm]);
    assert_eq!(o.status.code(), Some(EROFS), "{}", describe(&o));
    assert_eq!(listing(host.path()), before);
}

#[test]
fn dev_preopens_the_standard_devices() {
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "devices", DEVICES);
    let o = run(&["--dev", &wasm]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    // Without --dev there is no fd 3.
    let o = run(&[&wasm]);
    assert_eq!(o.status.code(), Some(EBADF), "{}", describe(&o));
}

#[test]
fn deterministic_gives_the_same_clocks_and_random_bytes_for_a_seed() {
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "entropy", ENTROPY);
    let out = |args: &[&str]| {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
        assert_eq!(o.stdout.len(), 32, "{}", describe(&o));
        o.stdout
    };
    let a = out(&["--deterministic", "7", &wasm]);
    let b = out(&["--deterministic", "7", &wasm]);
    let c = out(&["--deterministic", "8", &wasm]);
    let free1 = out(&[&wasm]);
    let free2 = out(&[&wasm]);
    assert_eq!(a, b, "the same seed gave different bytes");
    assert_ne!(a[..16], c[..16], "two seeds gave the same random bytes");
    assert_ne!(
        free1[..16],
        free2[..16],
        "random bytes repeat without --deterministic"
    );
    // The real clock is today (after 2020-01-01); a seeded one is not this
    // run's time (the same bytes in two runs, checked above, say that too).
    let realtime = |v: &[u8]| u64::from_le_bytes(v[16..24].try_into().unwrap());
    assert!(
        realtime(&free1) > 1_577_836_800_000_000_000,
        "{}",
        realtime(&free1)
    );
    assert_ne!(realtime(&a), realtime(&free1));
}

#[test]
fn fuel_stops_a_guest_that_never_ends() {
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "spin", SPIN);
    let o = run(&["--fuel", "100000", &wasm]);
    assert_eq!(o.status.code(), Some(EXIT_ABNORMAL), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("CPU budget of 100000 fuel units"),
        "{}",
        describe(&o)
    );
}

#[test]
fn max_memory_refuses_a_grow_past_it_as_the_spec_says() {
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "grow", GROW);
    // Without a limit the growth to 2.1 MiB works.
    let o = run(&[&wasm]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    // Past the limit `memory.grow` returns -1; the guest exits 1 by its
    // own choice, the exit code is kept and afmpeg says why.
    let o = run(&["--max-memory", "1M", &wasm]);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("more than its memory limit of {} bytes", 1 << 20)),
        "{}",
        describe(&o)
    );
    // A limit above what it needs lets it finish, with no note.
    let o = run(&["--max-memory", "4M", &wasm]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert!(o.stderr.is_empty(), "{}", describe(&o));
}

/// Writes 96 MiB (bytes 0x5a) to a new file `big.bin` in fd 3.
const BIG_WRITER: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 18)
  (data (i32.const 16) "big.bin")
  (func $check (param $e i32)
    (if (local.get $e) (then (call $exit (local.get $e)))))
  (func (export "_start") (local $i i32)
    (memory.fill (i32.const 65536) (i32.const 0x5a) (i32.const 1048576))
    (call $check (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 7)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
    (i32.store (i32.const 8) (i32.const 65536))
    (i32.store (i32.const 12) (i32.const 1048576))
    (loop $more
      (call $check (call $write (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $i) (i32.const 96))))
    (call $exit (i32.const 0))))
"#;

/// SIGTERM while `--write-back` writes a file: whenever it lands, no
/// temporary `.part` file is left and the destination is absent or whole.
/// The signal is sent once the temporary file is seen on the host (the
/// test waits for that state; no timing is asserted).
#[cfg(unix)]
#[test]
fn sigterm_during_write_back_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let scratch = tempfile::tempdir().unwrap();
    let wasm = module(scratch.path(), "big", BIG_WRITER);
    let host = tempfile::tempdir().unwrap();
    let spec = format!("{}::/m", host.path().display());
    let mut child = Command::new(BIN)
        .args(["run", "--dir", &spec, "--write-back", &wasm])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let part = || {
        std::fs::read_dir(host.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().ends_with(".part"))
    };
    let mut seen = false;
    while child.try_wait().unwrap().is_none() {
        if part() {
            seen = true;
            // SAFETY: kill(2) on our own child's pid.
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!part(), "a temporary file survived: {stderr}");
    let big = host.path().join("big.bin");
    if let Ok(m) = std::fs::metadata(&big) {
        assert_eq!(m.len(), 96 << 20, "a partial output was published");
    }
    assert!(
        seen,
        "the write-back ended before its temporary file was seen: {stderr}"
    );
    // The export's handler ran (exit 128 + 15), or the signal came after
    // the export ended (the default action).
    assert!(
        o.status.code() == Some(143) || o.status.signal() == Some(libc::SIGTERM),
        "{:?} {stderr}",
        o.status
    );
    if o.status.code() == Some(143) {
        assert!(
            stderr.contains("signal 15 while writing outputs"),
            "{stderr}"
        );
    }
}

/// The guest's stdin is afmpeg's own, as a stream: each line written to a
/// pipe that stays open comes back on stdout before the next is written (a
/// copy read whole first would never answer).
#[test]
fn stdin_is_a_live_stream() {
    use std::io::{BufRead, BufReader, Write};
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "echo", ECHO);
    let mut child = Command::new(BIN)
        .args(["run", &wasm])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("cannot start afmpeg");
    let mut to_guest = child.stdin.take().unwrap();
    let mut from_guest = BufReader::new(child.stdout.take().unwrap());
    for line in ["ping\n", "pong\n", "a longer third line\n"] {
        to_guest.write_all(line.as_bytes()).unwrap();
        to_guest.flush().unwrap();
        let mut echoed = String::new();
        from_guest.read_line(&mut echoed).unwrap();
        assert_eq!(echoed, line);
    }
    drop(to_guest);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// A source that writes slowly, from another process, reaches the guest
/// whole and in order.
#[test]
fn stdin_from_a_slow_process_is_echoed_whole() {
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "echo", ECHO);
    let mut source = Command::new("sh")
        .args(["-c", "for i in 1 2 3 4; do echo line$i; sleep 0.2; done"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("cannot start sh");
    let o = Command::new(BIN)
        .args(["run", &wasm])
        .stdin(source.stdout.take().unwrap())
        .output()
        .expect("cannot start afmpeg");
    assert!(source.wait().unwrap().success());
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert_eq!(o.stdout, b"line1\nline2\nline3\nline4\n");
}

/// A guest waiting for a stdin that never comes still ends at its
/// `--timeout`, as a timeout (a read blocked in the host would wait for
/// ever). The pipe stays open, empty, until the run has ended.
#[test]
fn a_read_waiting_for_stdin_ends_at_the_timeout() {
    let tools = tempfile::tempdir().unwrap();
    let wasm = module(tools.path(), "echo", ECHO);
    let mut child = Command::new(BIN)
        .args(["run", "--timeout", "300ms", &wasm])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("cannot start afmpeg");
    // Held open (and empty) until the run has ended: `wait_with_output`
    // would close it, an end of file the guest would take as its answer.
    let to_guest = child.stdin.take();
    let status = child.wait().unwrap();
    drop(to_guest);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status, status);
    assert_eq!(o.status.code(), Some(EXIT_ABNORMAL), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("wall-clock timeout of 300ms"),
        "{}",
        describe(&o)
    );
    assert!(o.stdout.is_empty());
}
