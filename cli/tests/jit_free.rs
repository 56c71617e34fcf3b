//! JIT-free, proven: FFmpeg jobs run in processes where asking for
//! executable memory kills the process.
//!
//! The test re-executes itself as child processes that install a seccomp
//! filter before anything else. The filter kills the process
//! (`SECCOMP_RET_KILL_PROCESS`, the child dies of `SIGSYS`) on `mmap`,
//! `mprotect` or `pkey_mprotect` with `PROT_EXEC`, on `shmat` with
//! `SHM_EXEC`, on `memfd_create`, on any x32 syscall (the x32 bit set in the
//! syscall number: the same arch, other numbers, which a filter matching
//! only the x86_64 numbers would let through) and on any other ABI. A
//! refusal with an errno would let an engine fall back quietly to an
//! interpreter and hide that it asked; a killed process cannot hide it.
//!
//! - Probes: one child per way of asking (mmap, mprotect, pkey_mprotect,
//!   x32 mmap, shmat) must die of `SIGSYS`, so the filter is known to bite.
//! - The library: a child compiles the FFmpeg module, encodes a clip and
//!   probes it under the filter.
//! - The `afmpeg` binary itself: a child installs the filter and `exec`s it
//!   (a seccomp filter survives `exec`), for `afmpeg ffmpeg` (a host file
//!   written, then probed) and `afmpeg run` (the module run directly).
//! - Each of these on both tiers, when the native tier is built in (feature
//!   `native`, as `make test` builds): its code is compiled into the binary
//!   and mapped by the loader, never created at run time. The
//!   dynamic loader maps the binary's shared libraries with `PROT_EXEC`
//!   from their files, so for these children a file-backed executable
//!   mapping is allowed; anonymous ones, `mprotect` to executable and
//!   `memfd_create` (the ways to create code at run time) still kill.
//!
//! iOS forbids exactly this, so passing here is what lets afmpeg run there.
//! (`harness = false`: the child must install its filter before the test
//! harness starts threads, and the parent prints the plain summary lines.)

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};

const CHILD_ENV: &str = "AFMPEG_JIT_FREE_CHILD";
/// For an `exec-*` child: the arguments of the `afmpeg` binary, separated
/// by U+001F (an environment variable cannot hold NUL).
const EXEC_ARGS_ENV: &str = "AFMPEG_JIT_FREE_EXEC_ARGS";
const BIN: &str = env!("CARGO_BIN_EXE_afmpeg");
/// The FFmpeg job each way runs, all but its output: 1 s of 160x120 x264.
const CLIP_JOB: &[&str] = &[
    "-hide_banner",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=160x120:rate=25:duration=1",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
];

/// The tiers the jobs run on: the native one only when it is built in
/// (without it there is nothing of it to prove, and `--engine native` is a
/// setup error).
#[cfg(feature = "native")]
const ENGINES: &[&str] = &["interpreter", "native"];
#[cfg(not(feature = "native"))]
const ENGINES: &[&str] = &["interpreter"];

/// The ways of asking for executable memory a probe child tries.
const PROBES: &[&str] = &[
    "mmap",
    "mprotect",
    "pkey_mprotect",
    "x32_mmap",
    "shmat",
    "memfd",
];

fn main() {
    if let Some(mode) = std::env::var_os(CHILD_ENV) {
        std::process::exit(child(mode.to_str().unwrap_or("")));
    }
    let mut results: Vec<(String, Result<(), String>)> = Vec::new();
    for probe in PROBES {
        let out = spawn_child(&format!("probe-{probe}"), &[]);
        let r = match out.status.signal() {
            Some(libc::SIGSYS) => Ok(()),
            _ => Err(format!(
                "expected death by SIGSYS, got {}\n{}",
                out.status,
                text(&out)
            )),
        };
        results.push((format!("filter_kills_on_{probe}"), r));
    }
    for engine in ENGINES {
        let out = spawn_child(&format!("job-{engine}"), &[]);
        results.push((
            format!("ffmpeg_job_under_no_exec_seccomp_filter_{engine}"),
            expect_ok(&out, "job: ok"),
        ));
        results.push((
            format!("afmpeg_cli_ffmpeg_under_no_exec_seccomp_filter_{engine}"),
            cli_ffmpeg(engine),
        ));
        results.push((
            format!("afmpeg_cli_run_under_no_exec_seccomp_filter_{engine}"),
            cli_run(engine),
        ));
    }

    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    for (name, r) in &results {
        match r {
            Ok(()) => println!("test {name} ... ok"),
            Err(e) => println!("test {name} ... FAILED\n{e}"),
        }
    }
    println!();
    println!("{} passed, {failed} failed", results.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}

fn text(out: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn spawn_child(mode: &str, exec_args: &[&str]) -> Output {
    Command::new(std::env::current_exe().expect("test binary path"))
        .env(CHILD_ENV, mode)
        .env(EXEC_ARGS_ENV, exec_args.join("\u{1f}"))
        .output()
        .expect("spawn child")
}

fn expect_ok(out: &Output, needle: &str) -> Result<(), String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() && stdout.contains(needle) {
        Ok(())
    } else {
        Err(format!(
            "expected success and {needle:?}, got {}\n{}",
            out.status,
            text(out)
        ))
    }
}

fn module_path() -> String {
    afmpeg::ModuleSource::default_location()
        .ok()
        .and_then(|m| match m {
            afmpeg::ModuleSource::File(p) => p.to_str().map(str::to_owned),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the FFmpeg module is missing: run `make guest`"))
}

/// `afmpeg ffmpeg` under the filter writes a host file; probed afterwards
/// (outside the filter) it is the clip asked for.
fn cli_ffmpeg(engine: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out_path = dir.path().join("clip.mp4");
    let out_arg = out_path.to_str().unwrap();
    let out = spawn_child(
        "exec-cli",
        &[&["ffmpeg", "--engine", engine], CLIP_JOB, &[out_arg]].concat(),
    );
    if !out.status.success() {
        return Err(format!("afmpeg ffmpeg: {}\n{}", out.status, text(&out)));
    }
    let rt = afmpeg::Runtime::from_default_location().map_err(|e| e.to_string())?;
    let fs = afmpeg::Filesystem::new();
    fs.write(
        "/clip.mp4",
        std::fs::read(&out_path).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let info = rt.probe(&fs, "/clip.mp4").map_err(|e| e.to_string())?;
    let video = info.video_streams().next().ok_or("no video stream")?;
    if video.codec_name.as_deref() != Some("h264") || video.nb_frames != Some(25) {
        return Err(format!("unexpected result: {video:?}"));
    }
    Ok(())
}

/// `afmpeg run` of the FFmpeg module itself under the filter.
fn cli_run(engine: &str) -> Result<(), String> {
    let module = module_path();
    let out = spawn_child(
        "exec-cli",
        &[
            "run",
            "--engine",
            engine,
            &module,
            "-hide_banner",
            "-version",
        ],
    );
    expect_ok(&out, "ffmpeg version")
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn install_no_exec_filter(allow_file_exec: bool) -> Result<(), String> {
    use libc::{
        sock_filter, sock_fprog, SYS_memfd_create, SYS_mmap, SYS_mprotect, SYS_pkey_mprotect,
        SYS_shmat, BPF_ABS, BPF_JEQ, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_RET, BPF_W,
        MAP_ANONYMOUS, PROT_EXEC, SECCOMP_MODE_FILTER, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS,
    };
    const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;
    const SHM_EXEC: u32 = 0o100000;
    // Offsets in `struct seccomp_data`: nr at 0, arch at 4, args[i] at 16 + 8 i
    // (the low 32 bits first, little endian).
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    const ARG2_LO: u32 = 16 + 2 * 8;
    const ARG3_LO: u32 = 16 + 3 * 8;

    /// Where a jump goes: the next instruction, a verdict, or a block.
    #[derive(Clone, Copy)]
    enum To {
        Next,
        Allow,
        Kill,
        Prot,
        Mmap,
        Shmat,
    }
    struct Insn {
        code: u32,
        k: u32,
        jt: To,
        jf: To,
    }
    let ld = |k| Insn {
        code: BPF_LD | BPF_W | BPF_ABS,
        k,
        jt: To::Next,
        jf: To::Next,
    };
    let jeq = |k, jt, jf| Insn {
        code: BPF_JMP | BPF_JEQ | BPF_K,
        k,
        jt,
        jf,
    };
    let jset = |k, jt, jf| Insn {
        code: BPF_JMP | BPF_JSET | BPF_K,
        k,
        jt,
        jf,
    };
    let ret = |k| Insn {
        code: BPF_RET | BPF_K,
        k,
        jt: To::Next,
        jf: To::Next,
    };
    let mut prog = vec![
        ld(ARCH),
        jeq(AUDIT_ARCH_X86_64, To::Next, To::Kill), // any other ABI
        ld(NR),
        jset(X32_SYSCALL_BIT, To::Kill, To::Next),
        jeq(SYS_mmap as u32, To::Mmap, To::Next),
        jeq(SYS_mprotect as u32, To::Prot, To::Next),
        jeq(SYS_pkey_mprotect as u32, To::Prot, To::Next),
        jeq(SYS_shmat as u32, To::Shmat, To::Next),
        jeq(SYS_memfd_create as u32, To::Kill, To::Next),
        ret(SECCOMP_RET_ALLOW),
    ];
    let mut at = std::collections::HashMap::new();
    // mprotect/pkey_mprotect: the protection is the third argument.
    at.insert("prot", prog.len());
    prog.push(ld(ARG2_LO));
    prog.push(jset(PROT_EXEC as u32, To::Kill, To::Allow));
    at.insert("mmap", prog.len());
    prog.push(ld(ARG2_LO));
    if allow_file_exec {
        // Executable only from a file (the loader): anonymous is killed.
        prog.push(jset(PROT_EXEC as u32, To::Next, To::Allow));
        prog.push(ld(ARG3_LO));
        prog.push(jset(MAP_ANONYMOUS as u32, To::Kill, To::Allow));
    } else {
        prog.push(jset(PROT_EXEC as u32, To::Kill, To::Allow));
    }
    at.insert("shmat", prog.len());
    prog.push(ld(ARG2_LO));
    prog.push(jset(SHM_EXEC, To::Kill, To::Allow));
    let allow = prog.len();
    prog.push(ret(SECCOMP_RET_ALLOW));
    let kill = prog.len();
    prog.push(ret(SECCOMP_RET_KILL_PROCESS));

    let target = |to: To, i: usize| -> u8 {
        let dest = match to {
            To::Next => i + 1,
            To::Allow => allow,
            To::Kill => kill,
            To::Prot => at["prot"],
            To::Mmap => at["mmap"],
            To::Shmat => at["shmat"],
        };
        u8::try_from(dest - (i + 1)).expect("a short forward jump")
    };
    let filter: Vec<sock_filter> = prog
        .iter()
        .enumerate()
        .map(|(i, insn)| sock_filter {
            code: insn.code as u16,
            jt: target(insn.jt, i),
            jf: target(insn.jf, i),
            k: insn.k,
        })
        .collect();
    let prog = sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr() as *mut sock_filter,
    };
    // SAFETY: plain prctl calls with a filter program that outlives them
    // (the kernel copies it).
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(format!(
                "PR_SET_NO_NEW_PRIVS: {}",
                std::io::Error::last_os_error()
            ));
        }
        if libc::prctl(
            libc::PR_SET_SECCOMP,
            SECCOMP_MODE_FILTER,
            &prog as *const sock_fprog,
        ) != 0
        {
            return Err(format!(
                "PR_SET_SECCOMP: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn install_no_exec_filter(_allow_file_exec: bool) -> Result<(), String> {
    Err("this proof needs Linux on x86_64 (seccomp with the x86_64 syscall numbers)".into())
}

/// Asks for executable memory one way; returns only if the filter let the
/// process live (the parent then fails the probe).
fn probe(way: &str) -> Result<(), String> {
    const X32_SYSCALL_BIT: libc::c_long = 0x4000_0000;
    let rx = libc::PROT_READ | libc::PROT_EXEC;
    let anon = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
    // SAFETY: one-page anonymous mappings and a private SysV segment, all
    // released again if the call succeeds; no memory is used.
    let r: libc::c_long = unsafe {
        match way {
            "mmap" => libc::mmap(std::ptr::null_mut(), 4096, rx, anon, -1, 0) as libc::c_long,
            "mprotect" | "pkey_mprotect" => {
                let p = libc::mmap(
                    std::ptr::null_mut(),
                    4096,
                    libc::PROT_READ | libc::PROT_WRITE,
                    anon,
                    -1,
                    0,
                );
                if p == libc::MAP_FAILED {
                    return Err("a plain RW mapping failed".into());
                }
                if way == "mprotect" {
                    libc::c_long::from(libc::mprotect(p, 4096, rx))
                } else {
                    libc::syscall(libc::SYS_pkey_mprotect, p, 4096, rx, -1)
                }
            }
            "x32_mmap" => libc::syscall(libc::SYS_mmap | X32_SYSCALL_BIT, 0, 4096, rx, anon, -1, 0),
            "shmat" => {
                let id = libc::shmget(libc::IPC_PRIVATE, 4096, libc::IPC_CREAT | 0o600);
                if id < 0 {
                    return Err(format!("shmget: {}", std::io::Error::last_os_error()));
                }
                // Removed at once: it goes away with its last attachment.
                libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut());
                libc::shmat(id, std::ptr::null(), 0o100000) as libc::c_long
            }
            "memfd" => libc::c_long::from(libc::memfd_create(c"code".as_ptr(), 0)),
            other => return Err(format!("unknown probe {other}")),
        }
    };
    Err(format!(
        "{way}: the process lives (result {r}, {})",
        std::io::Error::last_os_error()
    ))
}

/// Replaces this process with the `afmpeg` binary (the filter stays).
fn exec_cli() -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let args = std::env::var(EXEC_ARGS_ENV).unwrap_or_default();
    let args: Vec<&str> = args.split('\u{1f}').filter(|a| !a.is_empty()).collect();
    let e = Command::new(BIN)
        .args(args)
        .env_remove(CHILD_ENV)
        .env_remove(EXEC_ARGS_ENV)
        .exec();
    Err(format!("exec {BIN}: {e}"))
}

fn run_job(engine: &str) -> Result<(), String> {
    use afmpeg::{Engine, Filesystem, Runtime};
    let engine: Engine = engine.parse().map_err(|e| format!("{e}"))?;
    let rt = Runtime::default_location_builder()
        .and_then(|b| b.engine(engine).build())
        .map_err(|e| format!("{e} (build the module with `make guest`)"))?;
    if rt.engine() != engine {
        return Err(format!("asked for {engine}, runs on {}", rt.engine()));
    }
    let fs = Filesystem::new();
    let out = rt
        .run(&fs, &[CLIP_JOB, &["/clip.mp4"]].concat())
        .map_err(|e| e.to_string())?;
    if !out.success() {
        return Err(format!(
            "ffmpeg exited with {}: {}",
            out.exit_code,
            out.stderr_text()
        ));
    }
    let info = rt.probe(&fs, "/clip.mp4").map_err(|e| e.to_string())?;
    let video = info.video_streams().next().ok_or("no video stream")?;
    if video.codec_name.as_deref() != Some("h264") || video.nb_frames != Some(25) {
        return Err(format!("unexpected result: {video:?}"));
    }
    println!("job: ok (h264, 25 frames, under the no-exec filter, {engine} tier)");
    Ok(())
}

fn child(mode: &str) -> i32 {
    let exec = mode.starts_with("exec-");
    if let Err(e) = install_no_exec_filter(exec) {
        println!("install filter: FAILED: {e}");
        return 1;
    }
    let r = if let Some(way) = mode.strip_prefix("probe-") {
        probe(way)
    } else if exec {
        exec_cli()
    } else if let Some(engine) = mode.strip_prefix("job-") {
        run_job(engine)
    } else {
        Err(format!("unknown child mode {mode}"))
    };
    match r {
        Ok(()) => 0,
        Err(e) => {
            println!("{mode}: FAILED: {e}");
            1
        }
    }
}
