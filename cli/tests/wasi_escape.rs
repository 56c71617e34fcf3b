//! Escape suite: `..` chains, relative and absolute symlinks, symlink loops,
//! rename/link across preopens, closed-fd reuse and a directory renamed while
//! an fd is open inside it. The fixture puts `outside_sentinel.txt` next to
//! the preopened `sandbox/` (fd 3) and a second preopen `other/` (fd 4); the
//! guest programs (tests/wasi/c/escape_*.c) assert every escape is refused,
//! and this harness checks that nothing outside the guest's reach changed —
//! under afmpeg with `--write-back`, so that what the guest left in its
//! trees (links with `..` and absolute targets included) is written to the
//! host, the path by which an escape would reach it.

mod support;
use std::fs;
use std::process::Command;
use support::host_mount::HostMount;
use support::wasi_programs;
use wasi_programs::*;

/// `afmpeg run --write-back` of `wasm` over the fixture's two preopens.
fn afmpeg_write_back(wasm: &std::path::Path, fx: &Fixture) -> Outcome {
    let mut cmd = Command::new(afmpeg_bin());
    cmd.arg("run").arg("--write-back");
    for (host, guest) in [(&fx.sandbox, SANDBOX_GUEST), (&fx.other, OTHER_GUEST)] {
        cmd.arg("--dir").arg(format!("{}::{guest}", host.display()));
    }
    cmd.arg(wasm).current_dir(&fx.root);
    run_command(cmd)
}

/// Under afmpeg every guest check must pass, and after the guest's trees
/// are written back the host outside the two preopens is as it was.
fn afmpeg_escape(name: &str) {
    let fx = fixture();
    let out = afmpeg_write_back(&wasm_for(name), &fx);
    assert_conformance(name, "afmpeg run --write-back", &out);
    nothing_outside_changed(name, &fx, &out);
}

/// The sentinel and the parent directory are unchanged, the other
/// preopen's secret too, and no guest check read either through an escape
/// (the escape programs print what a wrongly successful open read).
fn nothing_outside_changed(name: &str, fx: &Fixture, out: &Outcome) {
    let mut top: Vec<String> = fs::read_dir(&fx.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    top.sort();
    assert_eq!(
        top,
        ["other", "outside_sentinel.txt", "sandbox"],
        "{name}: entries appeared next to the preopens\n{}",
        describe("run", out)
    );
    assert_eq!(
        fs::read_to_string(fx.root.join("outside_sentinel.txt")).unwrap(),
        OUTSIDE_SENTINEL
    );
    assert_eq!(
        fs::read_to_string(fx.other.join("secret.txt")).unwrap(),
        OTHER_SECRET
    );
    assert!(
        !out.stdout.contains(OUTSIDE_SENTINEL.trim()) && !out.stdout.contains(OTHER_SECRET.trim()),
        "{name}: the guest read outside\n{}",
        describe("run", out)
    );
}

/// Under the oracle (a real directory) the sandbox may change, the rest not.
fn oracle_escape(name: &str) {
    let fx = fixture();
    let out = run_oracle(&wasm_for(name), &fx, &RunSpec::default());
    nothing_outside_changed(name, &fx, &out);
}

#[test]
fn escape_paths_afmpeg() {
    afmpeg_escape("escape_paths");
}

#[test]
fn escape_fds_afmpeg() {
    afmpeg_escape("escape_fds");
}

#[test]
fn escape_paths_oracle_sanity() {
    oracle_escape("escape_paths");
}

#[test]
fn escape_fds_oracle_sanity() {
    oracle_escape("escape_fds");
}

/// Opens each argument relative to fd 3 (following links) and prints, per
/// argument, the errno as two digits, a space, what a successful open read
/// (up to 256 bytes), and a newline.
const OPEN_EACH_ARG: &str = r#"
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0 argc, 4 argv bytes, 16 iovec, 32 count out, 64 new fd, 200 line,
  ;; 1024 argv pointers, 4096 argv bytes, 8192 read buffer
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $n))
  (func $out (param $p i32) (param $n i32)
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (local.get $n))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32))))
  (func (export "_start") (local $i i32) (local $p i32) (local $e i32)
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (drop (call $args (i32.const 1024) (i32.const 4096)))
    (local.set $i (i32.const 1))
    (block $end (loop $l
      (br_if $end (i32.ge_u (local.get $i) (i32.load (i32.const 0))))
      (local.set $p (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
      ;; dirflags SYMLINK_FOLLOW, rights FD_READ
      (local.set $e (call $open (i32.const 3) (i32.const 1) (local.get $p)
        (call $strlen (local.get $p)) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0)
        (i32.const 64)))
      (i32.store8 (i32.const 200) (i32.add (i32.const 48) (i32.div_u (local.get $e) (i32.const 10))))
      (i32.store8 (i32.const 201) (i32.add (i32.const 48) (i32.rem_u (local.get $e) (i32.const 10))))
      (i32.store8 (i32.const 202) (i32.const 32))
      (call $out (i32.const 200) (i32.const 3))
      (if (i32.eqz (local.get $e)) (then
        (i32.store (i32.const 16) (i32.const 8192))
        (i32.store (i32.const 20) (i32.const 256))
        (drop (call $read (i32.load (i32.const 64)) (i32.const 16) (i32.const 1) (i32.const 32)))
        (call $out (i32.const 8192) (i32.load (i32.const 32)))))
      (i32.store8 (i32.const 203) (i32.const 10))
      (call $out (i32.const 203) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))))
"#;

/// A preopen named like its host path does not give access to host paths:
/// the guest opens the sentinel by its absolute host path, by the path
/// that climbs out of the preopen, and through the preopen's own (host)
/// name; each is refused with EPERM (63), while a name inside it opens
/// (so the refusals are not a broken open).
#[test]
fn guest_cannot_see_host_paths() {
    let fx = fixture();
    let tools = tempfile::tempdir().unwrap();
    let wasm = tools.path().join("open_each_arg.wasm");
    fs::write(&wasm, wat::parse_str(OPEN_EACH_ARG).unwrap()).unwrap();
    let host_sandbox = fx.sandbox.to_str().unwrap().to_owned();
    let sentinel = fx.root.join("outside_sentinel.txt");
    let mut cmd = Command::new(afmpeg_bin());
    cmd.arg("run")
        .arg("--dir")
        .arg(format!("{host_sandbox}::{host_sandbox}"))
        .arg(&wasm)
        .arg(sentinel.to_str().unwrap())
        .arg("../outside_sentinel.txt")
        .arg(format!("{host_sandbox}/hello.txt"))
        .arg("hello.txt")
        .current_dir(&fx.root);
    let out = run_command(cmd);
    assert_eq!(out.code, 0, "{}", describe("afmpeg run", &out));
    assert_eq!(
        out.stdout,
        "63 \n63 \n63 \n00 hello world\n\n",
        "{}",
        describe("afmpeg run", &out)
    );
}

// ---------------------------------------------------------------------------
// Write-back (`afmpeg run --dir … --write-back`): the three ways a guest was
// seen to make the export write outside its mount. The host tree outside
// the mount is snapshotted before and after; it must not change at all.

/// A mount `m/` next to `victim/secret.txt` ([`HostMount`]), written back.
struct WriteBack(HostMount);

impl std::ops::Deref for WriteBack {
    type Target = HostMount;
    fn deref(&self) -> &HostMount {
        &self.0
    }
}

impl WriteBack {
    fn new() -> WriteBack {
        WriteBack(HostMount::new())
    }

    /// `afmpeg run --write-back` of writeback_escape.c with `mode`, `m`
    /// mounted at each of `guests` (fd 3, 4, …).
    fn run(&self, mode: &str, guests: &[&str]) -> Outcome {
        let mut cmd = std::process::Command::new(afmpeg_bin());
        cmd.arg("run").arg("--write-back");
        for g in guests {
            cmd.arg("--dir").arg(format!("{}::{g}", self.m.display()));
        }
        cmd.arg(wasm_for("writeback_escape")).arg(mode);
        cmd.current_dir(&self.root);
        let out = run_command(cmd);
        assert!(
            out.code == 0 && out.failures().is_empty() && out.stdout.contains("done"),
            "{}",
            describe("afmpeg run --write-back", &out)
        );
        out
    }

    /// Everything outside the mount.
    fn outside(&self) -> std::collections::BTreeMap<std::path::PathBuf, String> {
        let mut s = snapshot(&self.root);
        s.retain(|p, _| !p.starts_with("m"));
        s
    }
}

/// Form 1: a symlink already in the mount points outside; the guest
/// replaces it by a directory holding a file.
#[test]
fn write_back_does_not_follow_a_host_symlink_the_guest_replaced() {
    let wb = WriteBack::new();
    std::os::unix::fs::symlink("../victim", wb.m.join("link")).unwrap();
    let before = wb.outside();
    wb.run("replace", &["/m"]);
    assert_eq!(
        before,
        wb.outside(),
        "the write-back wrote outside the mount"
    );
    assert!(fs::symlink_metadata(wb.m.join("link")).unwrap().is_dir());
    assert_eq!(
        fs::read_to_string(wb.m.join("link/secret.txt")).unwrap(),
        "guest"
    );
}

/// Form 2: a first run plants `link -> ../victim` (kept as a link on the
/// host), a second run replaces it by a directory.
#[test]
fn write_back_does_not_follow_a_symlink_planted_by_an_earlier_run() {
    let wb = WriteBack::new();
    let before = wb.outside();
    wb.run("plant", &["/m"]);
    assert_eq!(
        fs::read_link(wb.m.join("link")).unwrap(),
        std::path::Path::new("../victim")
    );
    wb.run("replace", &["/m"]);
    assert_eq!(
        before,
        wb.outside(),
        "the write-back wrote outside the mount"
    );
    assert!(fs::symlink_metadata(wb.m.join("link")).unwrap().is_dir());
}

/// Form 3: the same host directory mounted twice; the guest replaces the
/// link in one mount while the other still has it.
#[test]
fn write_back_of_a_directory_mounted_twice_stays_inside() {
    let wb = WriteBack::new();
    std::os::unix::fs::symlink("../victim", wb.m.join("link")).unwrap();
    let before = wb.outside();
    wb.run("replace", &["/m", "/again"]);
    assert_eq!(
        before,
        wb.outside(),
        "the write-back wrote outside the mount"
    );
}

/// A directory of the mount swapped for a symlink out of it, and back, over
/// and over while the guest runs (tests/wasi/c/writeback_swap.c keeps
/// reading `d/secret.txt` by path and through an fd of `d`, and creating
/// files under `d/`), and while its write-back runs: every lookup between
/// the swaps resolves inside the mount's capability, so the guest never
/// reads `victim/secret.txt` and nothing outside the mount changes.
#[test]
fn a_directory_swapped_for_a_symlink_during_the_run_leads_nowhere() {
    use std::io::BufRead;
    use std::process::Stdio;
    let wb = WriteBack::new();
    fs::create_dir(wb.m.join("d")).unwrap();
    fs::write(wb.m.join("d/secret.txt"), "inside").unwrap();
    let before = wb.outside();
    let (d, parked) = (wb.m.join("d"), wb.m.join("d.real"));
    // One swap there and one back. Errors are ignored: once the
    // write-back has made a directory at `d`, the host's stays parked.
    // Each state lasts a moment (half a millisecond), so that the guest's
    // rounds meet both.
    let moment = || std::thread::sleep(std::time::Duration::from_micros(500));
    let swap = || {
        if fs::rename(&d, &parked).is_ok() {
            let _ = std::os::unix::fs::symlink("../victim", &d);
            moment();
            if fs::symlink_metadata(&d).is_ok_and(|m| m.file_type().is_symlink()) {
                let _ = fs::remove_file(&d);
            }
            let _ = fs::rename(&parked, &d);
        }
        moment();
    };
    let mut child = Command::new(afmpeg_bin())
        .arg("run")
        .arg("--write-back")
        .arg("--dir")
        .arg(format!("{}::/m", wb.m.display()))
        .arg(wasm_for("writeback_swap"))
        .current_dir(&wb.root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(first, "ready\n");
    // The guest is in its loop: swap while it runs, then tell it to stop
    // and keep swapping through its write-back, until it exits (or a hang
    // guard of 100,000 swaps, over a minute: a guest that never stops
    // fails below).
    for _ in 0..300 {
        swap();
    }
    fs::write(wb.m.join("stop"), "").unwrap();
    let mut swaps_after_stop = 0;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if swaps_after_stop == 100_000 {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        swap();
        swaps_after_stop += 1;
    };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let said = format!(
        "{status:?}\n{first}{rest}\n--- stderr\n{}",
        err.join().unwrap()
    );
    // `d` is a directory: the host's, swapped back, or one the write-back
    // made in place of the link it met there (its diff is against the
    // host as it is then), which leaves the host's parked at `d.real`.
    assert!(fs::symlink_metadata(&d).unwrap().is_dir(), "{said}");
    let host_dir = if parked.exists() { &parked } else { &d };
    assert_eq!(
        fs::read_to_string(host_dir.join("secret.txt")).unwrap(),
        "inside",
        "{said}"
    );
    // Exit 0 with the guest's files written back, or 125 when the
    // write-back met `d` mid-swap (gone, or a link where it had seen a
    // directory: `open_dir_nofollow` refuses it) and stopped there.
    let code = status.and_then(|s| s.code());
    assert!(
        code == Some(0) || (code == Some(125) && said.contains("write-back to")),
        "{said}"
    );
    assert!(rest.contains("done 1 0"), "{said}");
    // The race was run: the guest read `d/secret.txt` and was refused
    // while `d` was the link.
    let counts: Vec<u64> = rest
        .lines()
        .find_map(|l| l.strip_prefix("rounds "))
        .map(|l| l.split(' ').filter_map(|w| w.parse().ok()).collect())
        .unwrap_or_default();
    assert!(
        matches!(counts[..], [_, read, refused, _] if read > 0 && refused > 0),
        "{said}"
    );
    assert!(
        !rest.contains("ESCAPE") && !rest.contains("victim"),
        "{said}"
    );
    assert_eq!(
        before,
        wb.outside(),
        "something outside the mount changed\n{said}"
    );
}
