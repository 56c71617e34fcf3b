//! Startup of the lean module, phase by phase (`make bench-startup`).
//!
//! Prints the best of N runs (the machine is shared, so the minimum is the
//! figure that measures our code and not the neighbours) for:
//! - the phases, done by hand with wasmi the way `Runtime` does them:
//!   open+mmap, read into memory (for comparison), parse only (wasmi's
//!   `Lazy` mode), parse+validate (`LazyTranslation`), parse+validate+
//!   translate every function (`Eager`), linker, store+instance (imports,
//!   memory, data segments), the same with the initial memory cut to 160
//!   pages (what a smaller `--initial-memory` in the guest would save), and
//!   the WASI context;
//! - the public API: `Runtime::new` with each validation mode, the first
//!   job (`ffmpeg -version`) on a fresh runtime, and a later `-version` job;
//!
//! and checks the startup target (`Runtime::new` + first instance ≤ 20 ms).
//! `STARTUP_ITERS=N` sets the number of runs; `STARTUP_PROFILE=1` repeats
//! only the startup path, for `perf record`.

use afmpeg::{Filesystem, ModuleSource, Runtime, Validation};
use std::time::{Duration, Instant};
use wasi_shim::wasmi_link::{self, WasiStore};
use wasi_shim::WasiCtx;
use wasmi::{CompilationMode, Config, Engine, Linker, Module, Store};

const TARGET: Duration = Duration::from_millis(20);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = match ModuleSource::default_location()? {
        ModuleSource::File(p) => p,
        other => return Err(format!("expected a module file, got {other:?}").into()),
    };
    let iters: usize = std::env::var("STARTUP_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let bytes = std::fs::read(&path)?;
    println!(
        "module {} ({:.1} MB), {} data-segment bytes, best of {iters} runs",
        path.display(),
        bytes.len() as f64 / 1e6,
        data_section_len(&bytes)
    );

    println!("\nphases (wasmi by hand, fuel on):");
    let mmap = best(iters, || {
        let f = std::fs::File::open(&path).unwrap();
        // SAFETY: a read-only mapping of a file nobody writes during the run.
        let m = unsafe { memmap2::Mmap::map(&f) }.unwrap();
        std::hint::black_box(m[m.len() - 1]);
    });
    row("open + mmap", mmap);
    row(
        "read into a Vec",
        best(iters, || {
            std::hint::black_box(std::fs::read(&path).unwrap());
        }),
    );
    let mut modes = Vec::new();
    for (name, mode) in [
        ("parse only (Lazy)", CompilationMode::Lazy),
        (
            "parse + validate (LazyTranslation)",
            CompilationMode::LazyTranslation,
        ),
        (
            "parse + validate + translate (Eager)",
            CompilationMode::Eager,
        ),
    ] {
        let engine = engine(mode);
        let t = best(iters.clamp(1, 3), || {
            std::hint::black_box(Module::new(&engine, &bytes[..]).unwrap());
        });
        row(name, t);
        modes.push(t);
    }
    let engine = engine(CompilationMode::Lazy);
    let module = Module::new(&engine, &bytes[..])?;
    let linker_t = best(iters, || {
        let mut l = Linker::<WasiStore>::new(&engine);
        wasmi_link::add_to_linker(&mut l).unwrap();
        std::hint::black_box(l);
    });
    row("linker (all WASI functions)", linker_t);
    let mut linker = Linker::<WasiStore>::new(&engine);
    wasmi_link::add_to_linker(&mut linker)?;
    let ctx_t = best(iters, || {
        std::hint::black_box(wasi_ctx());
    });
    row("WasiCtx (3 preopens, captures)", ctx_t);
    let mut pages = 0;
    let inst_t = best(iters, || {
        let mut store = Store::new(&engine, WasiStore::new(wasi_ctx()));
        store.set_fuel(u64::MAX).unwrap();
        let i = linker.instantiate_and_start(&mut store, &module).unwrap();
        let mem = i.get_memory(&store, "memory").unwrap();
        pages = mem.size(&store);
        std::hint::black_box(i);
    });
    row(
        &format!(
            "store + instance ({pages} initial pages = {} MiB)",
            pages / 16
        ),
        inst_t,
    );

    // The guest links with `--initial-memory=32 MiB` (8 MiB stack first, then
    // 1 MiB of data); wasmi zeroes initial memory page by page. The same
    // module asking for just what its stack and data need shows what a
    // smaller initial memory would save (the guest grows memory on demand).
    if let Some(small) = with_initial_pages(&bytes, 160) {
        let module = Module::new(&engine, &small[..])?;
        let t = best(iters, || {
            let mut store = Store::new(&engine, WasiStore::new(wasi_ctx()));
            store.set_fuel(u64::MAX).unwrap();
            std::hint::black_box(linker.instantiate_and_start(&mut store, &module).unwrap());
        });
        row("store + instance, initial memory cut to 160 pages", t);
    }
    if std::env::var_os("STARTUP_PROFILE").is_some() {
        // For `perf record`: only the startup path, many times.
        for _ in 0..100 {
            let rt = Runtime::builder(ModuleSource::File(path.clone()))
                .validation(Validation::Lazy)
                .build()?;
            let mut store = Store::new(&engine, WasiStore::new(wasi_ctx()));
            store.set_fuel(u64::MAX)?;
            std::hint::black_box(linker.instantiate_and_start(&mut store, &module)?);
            drop(rt);
        }
        return Ok(());
    }

    println!("\npublic API (Runtime):");
    let mut new_t = Vec::new();
    for v in [Validation::Lazy, Validation::Eager] {
        let t = best(iters.clamp(1, 5), || {
            std::hint::black_box(
                Runtime::builder(ModuleSource::File(path.clone()))
                    .validation(v)
                    .build()
                    .unwrap(),
            );
        });
        row(&format!("Runtime::new, {v:?} validation"), t);
        new_t.push(t);
    }
    let first = best(iters.clamp(1, 5), || {
        let rt = Runtime::builder(ModuleSource::File(path.clone()))
            .validation(Validation::Lazy)
            .build()
            .unwrap();
        let out = rt.run(&Filesystem::new(), &["-version"]).unwrap();
        assert!(out.success());
    });
    row("Runtime::new (Lazy) + first `ffmpeg -version`", first);
    let rt = Runtime::builder(ModuleSource::File(path.clone()))
        .validation(Validation::Lazy)
        .build()?;
    rt.run(&Filesystem::new(), &["-version"])?;
    let again = best(iters, || {
        let out = rt.run(&Filesystem::new(), &["-version"]).unwrap();
        assert!(out.success());
    });
    row("later `ffmpeg -version` on the same Runtime", again);

    let startup = new_t[0] + ctx_t + inst_t;
    println!(
        "\nstartup (Runtime::new Lazy + WasiCtx + first instance): {:.1} ms, target ≤ {} ms: {}",
        ms(startup),
        TARGET.as_millis(),
        if startup <= TARGET { "PASS" } else { "FAIL" }
    );
    let eager = new_t[1] + ctx_t + inst_t;
    println!(
        "startup with eager validation (arbitrary modules):      {:.1} ms",
        ms(eager)
    );
    Ok(())
}

fn engine(mode: CompilationMode) -> Engine {
    let mut c = Config::default();
    c.consume_fuel(true).compilation_mode(mode);
    Engine::new(&c)
}

fn wasi_ctx() -> WasiCtx {
    use wasi_shim::stdio::{Capture, Output as StdOutput};
    use wasi_shim::Preopen;
    let pre = |guest: &str| Preopen {
        fs: Filesystem::new(),
        dir: "/".into(),
        guest: guest.into(),
        read_only: false,
    };
    WasiCtx::builder()
        .arg("ffmpeg")
        .arg("-version")
        .stdout(StdOutput::Capture(Capture::with_cap(1 << 20)))
        .stderr(StdOutput::Capture(Capture::with_cap(1 << 20)))
        .preopen(pre("/"))
        .preopen(pre("/tmp"))
        .preopen(pre("/dev"))
        .build()
        .unwrap()
}

fn leb(b: &[u8], i: &mut usize) -> u64 {
    let (mut v, mut s) = (0u64, 0);
    loop {
        let byte = b[*i];
        *i += 1;
        v |= u64::from(byte & 0x7f) << s;
        s += 7;
        if byte & 0x80 == 0 {
            return v;
        }
    }
}

/// Where section `id` starts (its contents) and its length.
fn section(wasm: &[u8], want: u8) -> Option<(usize, usize)> {
    let mut i = 8;
    while i < wasm.len() {
        let id = wasm[i];
        i += 1;
        let len = leb(wasm, &mut i) as usize;
        if id == want {
            return Some((i, len));
        }
        i += len;
    }
    None
}

/// Size of the data section (id 11): what instantiation copies into memory.
fn data_section_len(wasm: &[u8]) -> usize {
    section(wasm, 11).map_or(0, |(_, len)| len)
}

/// A copy of `wasm` whose one memory starts with `pages` pages, when its
/// minimum is a two-byte LEB128 (rewritten in place, same length).
fn with_initial_pages(wasm: &[u8], pages: u16) -> Option<Vec<u8>> {
    let (at, _) = section(wasm, 5)?;
    // count (1), limits flags, minimum.
    let (count, flags) = (wasm[at], wasm[at + 1]);
    let min = at + 2;
    if count != 1 || flags & !1 != 0 || wasm[min] & 0x80 == 0 || wasm[min + 1] & 0x80 != 0 {
        return None;
    }
    let mut out = wasm.to_vec();
    out[min] = 0x80 | (pages & 0x7f) as u8;
    out[min + 1] = (pages >> 7) as u8;
    Some(out)
}

fn best(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn row(name: &str, d: Duration) {
    println!("  {name:<52} {:>8.2} ms", ms(d));
}
