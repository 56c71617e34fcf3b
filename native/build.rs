//! Compiles the C half of the runtime and every translated module linked in.
//!
//! - always: `csrc/runtime.c` (traps, signal handler, wasm_rt functions that
//!   must be C);
//! - feature `ffmpeg`: the FFmpeg module's C from `guest/native.sh`
//!   (`$AFMPEG_NATIVE_C_DIR`, default `~/.cache/afmpeg/guest/lean-native`);
//! - feature `test-modules`: `tests/wat/*.wat`, translated here with wasm2c
//!   and split by the same splitter as FFmpeg.
//!
//! Feature `bounds-checks` (and any iOS target) builds all of it with
//! wasm2c's explicit bounds checks instead of guard pages.
//!
//! Two wasm2c generations are understood, told apart by the `wasm-rt.h`
//! compiled against: 1.0.32 (Debian 12's `wabt`) and 1.0.36 (built by
//! `guest/wabt.sh`; it translates SIMD). `AFMPEG_WASM2C` names the wasm2c
//! (default `wasm2c` on PATH), whose `../include/wasm-rt.h` is then the
//! header unless `AFMPEG_WASM_RT_INCLUDE` says otherwise. The FFmpeg C must
//! come from the same generation (`guest/native.sh` with the same variable).
//!
//! Each module gets a generated glue file (its `afn_module` descriptor), and
//! `$OUT_DIR/modules.rs` lists the modules compiled in. The C goes through the
//! `cc` crate, so `--target` cross builds use the target's C compiler.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let include = out.join("include");
    fs::create_dir_all(&include).expect("create include dir");
    copy_wasm_rt_header(&include);
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rustc-check-cfg=cfg(afn_bounds_checks)");
    println!("cargo:rustc-check-cfg=cfg(afn_wabt_136)");
    if bounds_checks() {
        println!("cargo:rustc-cfg=afn_bounds_checks");
    }
    if wabt_136(&include) {
        println!("cargo:rustc-cfg=afn_wabt_136");
    }

    // (name, the wasm the C was translated from, its sha256)
    let mut modules: Vec<(String, PathBuf, String)> = Vec::new();
    let mut glue = String::from("#include <pthread.h>\n#include \"afn.h\"\n");
    let new_api = wabt_136(&include);
    write_wasi_glue(&mut glue, new_api);

    if env::var_os("CARGO_FEATURE_FFMPEG").is_some() {
        let dir = ffmpeg_c_dir();
        let units = c_units(&dir, "ffmpeg");
        let translated_new = dir.join("ffmpeg-impl.h").is_file();
        assert!(
            translated_new == new_api,
            "{}: translated by wasm2c {}, but wasm-rt.h is {}'s: set AFMPEG_WASM2C (or \
             AFMPEG_WASM_RT_INCLUDE) to the wasm2c that translated it",
            dir.display(),
            if translated_new { "1.0.36" } else { "1.0.32" },
            if new_api { "1.0.36" } else { "1.0.32" },
        );
        // Minutes of CPU: compiled again only when the translation or the
        // compiler changes, not whenever this script does.
        let key = fs::read_to_string(dir.join("native.json")).expect("native.json");
        compile_generated_once("afn_ffmpeg", &dir, &include, &units, &key);
        write_module_glue(&mut glue, &dir, "ffmpeg", new_api);
        // native.sh writes the C into <module dir>/native-<key>/.
        let wasm = dir
            .canonicalize()
            .expect("C dir")
            .parent()
            .expect("module dir")
            .join("ffmpeg.wasm");
        let sha = sha256_file(&wasm);
        modules.push(("ffmpeg".into(), wasm, sha));
    }

    if env::var_os("CARGO_FEATURE_TEST_MODULES").is_some() {
        let wat_dir = manifest.join("tests").join("wat");
        println!("cargo:rerun-if-changed={}", wat_dir.display());
        let mut wats: Vec<PathBuf> = fs::read_dir(&wat_dir)
            .expect("tests/wat")
            .map(|e| e.expect("tests/wat entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "wat"))
            .collect();
        wats.sort();
        let gen = out.join("test-modules");
        let mut all_units = Vec::new();
        for wat in &wats {
            let stem = wat.file_stem().unwrap().to_string_lossy().replace('-', "_");
            let name = format!("t_{stem}");
            let dir = gen.join(&name);
            translate_wat(&manifest, wat, &dir, &name, new_api);
            all_units.extend(c_units(&dir, &name));
            write_module_glue(&mut glue, &dir, &name, new_api);
            let wasm = dir.join(format!("{name}.wasm"));
            let sha = sha256_file(&wasm);
            modules.push((name, wasm, sha));
        }
        generated_build(&include, &all_units).compile("afn_test_modules");
    }

    let glue_path = out.join("afn_glue.c");
    fs::write(&glue_path, glue).expect("write glue");
    let mut runtime = c_build(&include);
    runtime
        .file(manifest.join("csrc").join("runtime.c"))
        .file(&glue_path)
        .flag_if_supported("-Wall");
    for (m, _, _) in &modules {
        runtime.include(module_dir(&out, m));
    }
    runtime.compile("afn_runtime");

    let mut rs = String::from("// Generated by build.rs: the modules compiled in.\n");
    for (m, _, _) in &modules {
        writeln!(
            rs,
            "extern \"C\" {{ static afn_module_{m}: crate::ffi::Module; }}"
        )
        .unwrap();
    }
    rs.push_str("/// The modules compiled into this build: name, source wasm, its sha256.\n");
    rs.push_str("pub const MODULES: &[(&str, &str, &str)] = &[\n");
    for (m, wasm, sha) in &modules {
        writeln!(
            rs,
            "    ({m:?}, {:?}, {sha:?}),",
            wasm.display().to_string()
        )
        .unwrap();
    }
    rs.push_str("];\n");
    rs.push_str(
        "pub(crate) fn lookup(name: &str) -> Option<&'static crate::ffi::Module> {\n    match name {\n",
    );
    for (m, _, _) in &modules {
        writeln!(
            rs,
            "        \"{m}\" => Some(unsafe {{ &*std::ptr::addr_of!(afn_module_{m}) }}),"
        )
        .unwrap();
    }
    rs.push_str("        _ => None,\n    }\n}\n");
    fs::write(out.join("modules.rs"), rs).expect("write modules.rs");
}

/// The C side of every WASI import, from wasi-shim's table of preview1
/// signatures: call the Rust half (src/wasi.rs) between `afn_host_enter` and
/// `afn_host_leave`, and trap — in C, after Rust has returned — when it says
/// the guest ends. `proc_exit` (no result) always ends it.
fn write_wasi_glue(glue: &mut String, new_api: bool) {
    use wasi_shim::preview1::{ValType, SIGNATURES};
    let c_type = |t: &ValType| match t {
        ValType::I32 => "uint32_t",
        ValType::I64 => "uint64_t",
    };
    for sig in SIGNATURES.iter() {
        let name = sig.name;
        let params: String = sig
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| format!(", {} p{i}", c_type(t)))
            .collect();
        let args: String = (0..sig.params.len()).map(|i| format!(", p{i}")).collect();
        let inst = "struct AFN_HOST* instance";
        // wasm2c's name of the import: 1.0.36 doubles the module name's
        // underscores (`w2c_<module>_<field>`), 1.0.32 joins with `Z_`.
        let import = if new_api {
            format!("w2c_wasi__snapshot__preview1_{name}")
        } else {
            format!("Z_wasi_snapshot_preview1Z_{name}")
        };
        writeln!(glue, "int afn_wasi_{name}({inst}{params}, int32_t* ret);").unwrap();
        let call = format!("afn_wasi_{name}(instance{args}, &ret)");
        match sig.results {
            [] => writeln!(
                glue,
                "void {import}({inst}{params}) {{\n  int32_t ret = 0;\n  \
                 afn_host_enter();\n  (void){call};\n  afn_host_leave();\n  afn_trap(AFN_TRAP_HOST);\n}}"
            ),
            [ValType::I32] => writeln!(
                glue,
                "uint32_t {import}({inst}{params}) {{\n  int32_t ret = 0;\n  \
                 afn_host_enter();\n  int ended = {call};\n  afn_host_leave();\n  \
                 if (ended) afn_trap(AFN_TRAP_HOST);\n  return (uint32_t)ret;\n}}"
            ),
            other => panic!("preview1 `{name}` returns {other:?}: not a shape this glue knows"),
        }
        .unwrap();
    }
}

fn sha256_file(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where a module's headers are.
fn module_dir(out: &Path, name: &str) -> PathBuf {
    if name == "ffmpeg" {
        ffmpeg_c_dir()
    } else {
        out.join("test-modules").join(name)
    }
}

/// The one header of wabt the generated code includes. Copied next to ours so
/// that a cross build does not put the host's whole /usr/include on its path.
fn copy_wasm_rt_header(include: &Path) {
    println!("cargo:rerun-if-env-changed=AFMPEG_WASM_RT_INCLUDE");
    println!("cargo:rerun-if-env-changed=AFMPEG_WASM2C");
    let candidates: Vec<PathBuf> = match (
        env::var_os("AFMPEG_WASM_RT_INCLUDE"),
        env::var_os("AFMPEG_WASM2C"),
    ) {
        (Some(d), _) => vec![PathBuf::from(d).join("wasm-rt.h")],
        // guest/wabt.sh's layout: bin/wasm2c beside include/wasm-rt.h.
        (None, Some(w)) => vec![PathBuf::from(w)
            .parent()
            .and_then(Path::parent)
            .map(|p| p.join("include").join("wasm-rt.h"))
            .unwrap_or_default()],
        (None, None) => vec![
            "/usr/include/wasm-rt.h".into(),
            "/usr/src/wasm2c/wasm-rt.h".into(),
        ],
    };
    let found = candidates.iter().find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "wasm-rt.h not found (looked at {candidates:?}): install wabt 1.0.32 \
             (Debian: apt-get install wabt) or set AFMPEG_WASM_RT_INCLUDE to its directory"
        )
    });
    println!("cargo:rerun-if-changed={}", found.display());
    fs::copy(found, include.join("wasm-rt.h")).expect("copy wasm-rt.h");
    let csrc = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("csrc");
    fs::copy(csrc.join("afn.h"), include.join("afn.h")).expect("copy afn.h");
}

/// Whether the `wasm-rt.h` copied into `include` is wabt 1.0.36's (64-bit
/// page counts, hashed function types, `w2c_` names) rather than 1.0.32's.
fn wabt_136(include: &Path) -> bool {
    let header = fs::read_to_string(include.join("wasm-rt.h")).expect("wasm-rt.h");
    header.contains("wasm_rt_func_type_t")
}

/// The wasm2c that translates the test modules (and, in guest/native.sh,
/// FFmpeg): `AFMPEG_WASM2C`, or `wasm2c` on PATH.
fn wasm2c() -> PathBuf {
    env::var_os("AFMPEG_WASM2C").map_or_else(|| "wasm2c".into(), PathBuf::from)
}

fn c_build(include: &Path) -> cc::Build {
    let mut b = cc::Build::new();
    b.include(include).opt_level(2).debug(false).warnings(false);
    if wabt_136(include) {
        b.define("AFN_WABT_136", "1");
    }
    for f in memory_check_flags() {
        b.define(f.0, f.1);
    }
    // The generated code relies on nothing compiler-specific, but the figures
    // in docs/explanation/native-tier.md are clang's: prefer it for a native
    // build when the user did not choose a compiler.
    let native = env::var("TARGET").ok() == env::var("HOST").ok();
    if native && env::var_os("CC").is_none() {
        for c in ["clang-19", "clang"] {
            if Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
            {
                b.compiler(c);
                break;
            }
        }
    }
    b
}

/// The call depth a guest may reach when bounds are checked explicitly:
/// wasmi's default, so both tiers refuse the same recursion. (With guard
/// pages the limit is the thread's stack instead.)
const MAX_CALL_DEPTH: &str = "1000";

/// Whether linear memory is confined by explicit bounds checks instead of
/// guard pages (RATIONALE.md, "Guard pages, not bounds checks"): feature
/// `bounds-checks`, and always for iOS, whose apps get a few GiB of
/// address space where each guard-page memory reserves 8 GiB.
fn bounds_checks() -> bool {
    env::var_os("CARGO_FEATURE_BOUNDS_CHECKS").is_some()
        || env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "ios")
}

/// The `wasm-rt.h` settings of every C file, generated or ours: they must
/// agree, since the memory's policy (src/memory.rs) follows them too.
fn memory_check_flags() -> Vec<(&'static str, Option<&'static str>)> {
    if bounds_checks() {
        vec![
            ("WASM_RT_MEMCHECK_SIGNAL_HANDLER", Some("0")),
            ("WASM_RT_MAX_CALL_STACK_DEPTH", Some(MAX_CALL_DEPTH)),
        ]
    } else {
        vec![]
    }
}

/// Flags for generated code only (its unused helpers and labels would warn).
const GENERATED_FLAGS: &[&str] = &["-fstack-clash-protection", "-w"];

/// `AFMPEG_NATIVE_CHECKPOINTS=off` compiles the checkpoints out of the
/// generated code, to measure what they cost (docs/explanation/performance.md).
/// Such a build ignores the CPU budget, and a guest that makes no WASI call
/// can be stopped by neither the interrupt nor the deadline: measurement only.
fn checkpoint_flags() -> Vec<&'static str> {
    println!("cargo:rerun-if-env-changed=AFMPEG_NATIVE_CHECKPOINTS");
    match env::var("AFMPEG_NATIVE_CHECKPOINTS").as_deref() {
        Err(_) | Ok("on") => vec![],
        Ok("off") => {
            println!(
                "cargo:warning=AFMPEG_NATIVE_CHECKPOINTS=off: no CPU budget, deadline or interrupt \
                 inside guest code (measurement build)"
            );
            vec!["-DAFN_CHECKPOINTS=0"]
        }
        Ok(other) => panic!("AFMPEG_NATIVE_CHECKPOINTS={other:?}: expected `on` or `off`"),
    }
}

/// `AFMPEG_NATIVE_SEGUE=on` lets wasm2c 1.0.36's code address linear memory
/// through the x86-64 GS segment (`WASM_RT_ALLOW_SEGUE`): the memory's base
/// lives in a register instead of being reloaded from the instance after
/// every store. Measurement only: `wrgsbase` faults (SIGILL) where the
/// kernel has not enabled FSGSBASE, and nothing checks that yet.
fn segue_flags() -> Vec<&'static str> {
    println!("cargo:rerun-if-env-changed=AFMPEG_NATIVE_SEGUE");
    match env::var("AFMPEG_NATIVE_SEGUE").as_deref() {
        Err(_) | Ok("off") => vec![],
        Ok("on") => vec!["-DWASM_RT_ALLOW_SEGUE=1", "-mfsgsbase"],
        Ok(other) => panic!("AFMPEG_NATIVE_SEGUE={other:?}: expected `on` or `off`"),
    }
}

/// Generated guest code: every frame touches each of its stack pages, so a
/// guest's stack overflow always hits the guard page (see RATIONALE.md).
fn generated_build(include: &Path, units: &[PathBuf]) -> cc::Build {
    let mut b = c_build(include);
    for f in GENERATED_FLAGS {
        b.flag_if_supported(f);
    }
    for f in checkpoint_flags().into_iter().chain(segue_flags()) {
        b.flag(f);
    }
    for u in units {
        b.file(u);
        if let Some(d) = u.parent() {
            b.include(d);
        }
    }
    b
}

/// [`generated_build`], compiled into `<dir>/obj-<hash>/` beside the C it comes
/// from, where `<hash>` covers the translation (`key`), the target, the
/// compiler and its flags: minutes of CPU spent once per machine, not once
/// per target directory or whenever this script changes.
fn compile_generated_once(lib: &str, dir: &Path, include: &Path, units: &[PathBuf], key: &str) {
    let compiler = c_build(include).get_compiler();
    let version = Command::new(compiler.path())
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    // The include directory is this build's OUT_DIR: leave it out of the key
    // and put the one header the generated code includes from there in.
    // The -D flags of memory_check_flags are among the compiler's args.
    let mut flags = Vec::new();
    let mut args = compiler.args().iter();
    while let Some(a) = args.next() {
        if a == "-I" {
            args.next();
        } else {
            flags.push(a.clone());
        }
    }
    let header = fs::read(include.join("wasm-rt.h")).expect("wasm-rt.h");
    let stamp = format!(
        "{key}\ntarget {}\ncompiler {:?}\n{version}\nflags {flags:?} {GENERATED_FLAGS:?} {:?}\nwasm-rt.h {:016x}\n",
        env::var("TARGET").unwrap_or_default(),
        compiler.path(),
        checkpoint_flags(),
        fnv1a(&header)
    );
    // Only when on, so that the stamps (and objects) of builds without it stay.
    let segue = segue_flags();
    let stamp = if segue.is_empty() {
        stamp
    } else {
        format!("{stamp}segue {segue:?}\n")
    };
    let obj = dir.join(format!("obj-{:016x}", fnv1a(stamp.as_bytes())));
    let archive = obj.join(format!("lib{lib}.a"));
    let stamp_file = obj.join("stamp");
    if !(archive.is_file() && fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp)) {
        // Another build may compile the same at the same time: each writes
        // its own directory and the first rename wins.
        let tmp = dir.join(format!("obj-tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).expect("create object dir");
        let mut b = generated_build(include, units);
        b.out_dir(&tmp).cargo_metadata(false);
        b.compile(lib);
        fs::write(tmp.join("stamp"), &stamp).expect("write stamp");
        if fs::rename(&tmp, &obj).is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
    }
    println!("cargo:rustc-link-search=native={}", obj.display());
    println!("cargo:rustc-link-lib=static={lib}");
}

/// FNV-1a, 64 bits: names a cache directory, no security role.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn ffmpeg_c_dir() -> PathBuf {
    println!("cargo:rerun-if-env-changed=AFMPEG_NATIVE_C_DIR");
    let dir = match env::var_os("AFMPEG_NATIVE_C_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let cache = env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .expect("neither XDG_CACHE_HOME nor HOME is set");
            cache.join("afmpeg/guest/lean-native")
        }
    };
    let complete = dir.join(".complete");
    println!("cargo:rerun-if-changed={}", complete.display());
    if !complete.is_file() {
        panic!(
            "feature `ffmpeg`: no translated FFmpeg module in {} — run `make native-c` \
             (guest/native.sh) first, or set AFMPEG_NATIVE_C_DIR",
            dir.display()
        );
    }
    dir
}

/// The translation units of module `name` in `dir`, as split_wasm2c.py wrote
/// them (1.0.32) or wasm2c's `--num-outputs` did (1.0.36: `<name>_K.c`).
fn c_units(dir: &Path, name: &str) -> Vec<PathBuf> {
    if dir.join(format!("{name}-impl.h")).is_file() {
        let units: Vec<PathBuf> = (0..)
            .map(|k| dir.join(format!("{name}_{k}.c")))
            .take_while(|u| u.is_file())
            .collect();
        assert!(!units.is_empty(), "{}: no {name}_0.c", dir.display());
        return units;
    }
    let mut units = vec![dir.join(format!("{name}-main.c"))];
    for k in 0.. {
        let u = dir.join(format!("{name}-fn-{k}.c"));
        if !u.is_file() {
            break;
        }
        units.push(u);
    }
    assert!(units[0].is_file(), "{} missing", units[0].display());
    units
}

fn translate_wat(manifest: &Path, wat: &Path, dir: &Path, name: &str, new_api: bool) {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).expect("create module dir");
    let wasm = wat::parse_file(wat).unwrap_or_else(|e| panic!("{}: {e}", wat.display()));
    let wasm_path = dir.join(format!("{name}.wasm"));
    fs::write(&wasm_path, wasm).expect("write wasm");
    let mut cmd = Command::new(wasm2c());
    cmd.arg(&wasm_path)
        .arg("-n")
        .arg(name)
        .arg("-o")
        .arg(dir.join(format!("{name}.c")));
    if new_api {
        // Two units, like the 1.0.32 split below: the same code paths as FFmpeg's.
        cmd.arg("--num-outputs=2");
    }
    let status = cmd.status().unwrap_or_else(|e| {
        panic!("feature `test-modules` runs wasm2c (Debian: apt-get install wabt): {e}")
    });
    assert!(status.success(), "wasm2c failed on {}", wat.display());
    let splitter = manifest.join("../guest/tools/split_wasm2c.py");
    println!("cargo:rerun-if-changed={}", splitter.display());
    let status = Command::new("python3")
        .arg(&splitter)
        .arg(dir)
        .arg(name)
        .arg("2")
        .status()
        .expect("python3 runs guest/tools/split_wasm2c.py");
    assert!(
        status.success(),
        "split_wasm2c.py failed on {}",
        wat.display()
    );
}

/// The `afn_module` descriptor of one module, from what its header declares.
fn write_module_glue(glue: &mut String, dir: &Path, name: &str, new_api: bool) {
    let header = fs::read_to_string(dir.join(format!("{name}.h"))).expect("module header");
    // wasm2c's C names of the module's type and functions, per generation.
    // 1.0.36 doubles the module name's underscores and escapes `_start`'s
    // leading one; it has no module-wide init.
    let (ty, instantiate, host_ty, start, free, memory_fn, init) = if new_api {
        let n = name.replace('_', "__");
        (
            format!("w2c_{n}"),
            format!("wasm2c_{n}_instantiate"),
            "struct w2c_wasi__snapshot__preview1*",
            format!("w2c_{n}_0x5Fstart"),
            format!("wasm2c_{n}_free"),
            format!("w2c_{n}_memory"),
            None,
        )
    } else {
        (
            format!("Z_{name}_instance_t"),
            format!("Z_{name}_instantiate"),
            "struct Z_wasi_snapshot_preview1_instance_t*",
            format!("Z_{name}Z__start"),
            format!("Z_{name}_free"),
            format!("Z_{name}Z_memory"),
            Some(format!("Z_{name}_init_module")),
        )
    };
    let imports_wasi = header.contains(&format!("void {instantiate}({ty}*, {host_ty});"));
    let exports_memory = header.contains(&format!("wasm_rt_memory_t* {memory_fn}("));
    assert!(
        header.contains(&format!("void {start}({ty}*);")),
        "module {name} exports no `_start` function"
    );
    let host = if imports_wasi { ", host" } else { "" };
    let memory = if exports_memory {
        format!("memory_{name}")
    } else {
        "NULL".into()
    };
    let init = match init {
        Some(f) => format!(
            "static pthread_once_t once_{name} = PTHREAD_ONCE_INIT;\n\
             static void init_{name}(void) {{ pthread_once(&once_{name}, {f}); }}"
        ),
        None => format!("static void init_{name}(void) {{}}"),
    };
    write!(
        glue,
        r#"
#include "{name}.h"
{init}
static void instantiate_{name}(void* i, struct AFN_HOST* host) {{
  (void)host;
  {instantiate}(({ty}*)i{host});
}}
static void start_{name}(void* i) {{ {start}(({ty}*)i); }}
static void free_{name}(void* i) {{ {free}(({ty}*)i); }}
"#
    )
    .unwrap();
    if exports_memory {
        writeln!(
            glue,
            "static wasm_rt_memory_t* memory_{name}(void* i) {{ return {memory_fn}(({ty}*)i); }}"
        )
        .unwrap();
    }
    writeln!(
        glue,
        "const struct afn_module afn_module_{name} = {{\"{name}\", sizeof({ty}), \
         init_{name}, instantiate_{name}, start_{name}, free_{name}, {memory}}};"
    )
    .unwrap();
}
