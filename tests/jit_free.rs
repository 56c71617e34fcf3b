//! JIT-free, proven: a full FFmpeg job runs in a process where creating
//! executable memory is impossible.
//!
//! The test re-executes itself as a child process that installs a seccomp
//! filter before anything else: `mmap`, `mprotect` and `pkey_mprotect` with
//! `PROT_EXEC` fail with `EPERM`. The child first proves the filter bites
//! (an executable mapping and an `mprotect` to executable are refused), then
//! compiles the FFmpeg module, encodes a clip and probes it. Any attempt by
//! the engine to create executable memory would make the job fail. iOS
//! forbids exactly this, so passing here is what lets afmpeg run there.
//!
//! (`harness = false`: the child must install its filter before the test
//! harness starts threads, and the parent prints the plain summary line.)

use std::process::Command;

const CHILD_ENV: &str = "AFMPEG_JIT_FREE_CHILD";

fn main() {
    if std::env::var_os(CHILD_ENV).is_some() {
        std::process::exit(child());
    }
    let exe = std::env::current_exe().expect("test binary path");
    let out = Command::new(exe)
        .env(CHILD_ENV, "1")
        .output()
        .expect("spawn child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}");
    eprint!("{stderr}");
    let ok = out.status.success()
        && stdout.contains("filter: PROT_EXEC mmap refused with EPERM")
        && stdout.contains("filter: PROT_EXEC mprotect refused with EPERM")
        && stdout.contains("job: ok");
    println!(
        "test ffmpeg_job_under_no_exec_seccomp_filter ... {}",
        if ok { "ok" } else { "FAILED" }
    );
    println!();
    println!("{} passed, {} failed", u8::from(ok), u8::from(!ok));
    if !ok {
        std::process::exit(1);
    }
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn install_no_exec_filter() -> Result<(), String> {
    use libc::{
        sock_filter, sock_fprog, SYS_mmap, SYS_mprotect, SYS_pkey_mprotect, BPF_ABS, BPF_JEQ,
        BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_RET, BPF_W, EPERM, PROT_EXEC, SECCOMP_MODE_FILTER,
        SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO,
    };
    const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
    // Offsets in `struct seccomp_data`: nr at 0, arch at 4, args[i] at 16 + 8 i
    // (the low 32 bits first, little endian).
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    const ARG2_LO: u32 = 16 + 2 * 8;
    let stmt = |code: u32, k: u32| sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let jump = |code: u32, k: u32, jt: u8, jf: u8| sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    };
    let deny = SECCOMP_RET_ERRNO | (EPERM as u32);
    let filter = [
        stmt(BPF_LD | BPF_W | BPF_ABS, ARCH),
        jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        stmt(BPF_RET | BPF_K, deny), // any other ABI: refuse everything
        stmt(BPF_LD | BPF_W | BPF_ABS, NR),
        jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap as u32, 3, 0),
        jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect as u32, 2, 0),
        jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_pkey_mprotect as u32, 1, 0),
        stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        // mmap/mprotect/pkey_mprotect: the protection is the third argument.
        stmt(BPF_LD | BPF_W | BPF_ABS, ARG2_LO),
        jump(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC as u32, 0, 1),
        stmt(BPF_RET | BPF_K, deny),
        stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    ];
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
fn install_no_exec_filter() -> Result<(), String> {
    Err("this proof needs Linux on x86_64 (seccomp with the x86_64 syscall numbers)".into())
}

/// Shows the filter refuses executable memory, so the job below is meaningful.
fn prove_filter_bites() -> Result<(), String> {
    // SAFETY: anonymous mappings of one page, unmapped again; no memory is used.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_EXEC,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if p != libc::MAP_FAILED {
            libc::munmap(p, 4096);
            return Err("an executable mapping was created despite the filter".into());
        }
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EPERM) {
            return Err(format!(
                "PROT_EXEC mmap failed, but not with EPERM: {}",
                std::io::Error::last_os_error()
            ));
        }
        println!("filter: PROT_EXEC mmap refused with EPERM");
        let p = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            return Err(format!(
                "a plain RW mapping failed: {}",
                std::io::Error::last_os_error()
            ));
        }
        let r = libc::mprotect(p, 4096, libc::PROT_READ | libc::PROT_EXEC);
        let err = std::io::Error::last_os_error();
        libc::munmap(p, 4096);
        if r == 0 {
            return Err("mprotect to PROT_EXEC succeeded despite the filter".into());
        }
        if err.raw_os_error() != Some(libc::EPERM) {
            return Err(format!(
                "PROT_EXEC mprotect failed, but not with EPERM: {err}"
            ));
        }
        println!("filter: PROT_EXEC mprotect refused with EPERM");
    }
    Ok(())
}

fn run_job() -> Result<(), String> {
    use afmpeg::{Filesystem, Runtime};
    let rt = Runtime::from_default_location()
        .map_err(|e| format!("{e} (build the module with `make guest`)"))?;
    let fs = Filesystem::new();
    let out = rt
        .run(
            &fs,
            &[
                "-hide_banner",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=160x120:rate=25:duration=1",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "/clip.mp4",
            ],
        )
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
    println!("job: ok (h264, 25 frames, under the no-exec filter)");
    Ok(())
}

/// One step of the child: its name and what it does.
type Step = (&'static str, fn() -> Result<(), String>);

fn child() -> i32 {
    let steps: [Step; 3] = [
        ("install filter", install_no_exec_filter),
        ("prove filter", prove_filter_bites),
        ("ffmpeg job", run_job),
    ];
    for (name, step) in steps {
        if let Err(e) = step() {
            println!("{name}: FAILED: {e}");
            return 1;
        }
    }
    0
}
