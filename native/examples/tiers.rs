//! The same FFmpeg job on both tiers, in one run: CPU seconds of each (the
//! native tier's on this thread, the interpreter's of the whole process, as
//! it runs the guest on a thread of its own; other load on the machine does
//! not count), the ratio, and whether the outputs are byte-identical.
//!
//! `cargo run -p afmpeg-native --features ffmpeg --example tiers [-- SIZE SECONDS [native-only]]`
//! (default 1280x720, 2 s of testsrc2 through x264 veryfast). `native-only`
//! runs the native tier alone (for `valgrind --tool=callgrind`: instruction
//! counts of builds with and without checkpoints, docs/explanation/performance.md).

#[path = "../tests/support/jobs.rs"]
mod jobs;
#[path = "../tests/support/measure.rs"]
mod measure;

use afmpeg_native::{Exit, Limits, NativeModule};
use measure::{children_cpu_seconds, context, process_cpu_seconds, thread_cpu_seconds};
use wasi_shim::fs::Filesystem;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut argv = std::env::args().skip(1);
    let size = argv.next().unwrap_or_else(|| "1280x720".into());
    let secs = argv.next().unwrap_or_else(|| "2".into());
    let mut args = jobs::x264_to_mp4(&format!("testsrc2=d={secs}:s={size}:r=25"));
    args.splice(0..0, ["-loglevel".to_string(), "error".to_string()]);
    let native = NativeModule::ffmpeg()?;

    // Too short for CPU-time accounting: wall time.
    let t = std::time::Instant::now();
    let (r, _) = native.run(
        context(&["-version".into()], &Filesystem::new()),
        &Limits::default(),
    );
    assert_eq!(r?, Exit::Code(0));
    println!(
        "native tier -version (first call): {:.2} ms wall",
        t.elapsed().as_secs_f64() * 1e3
    );

    let fs_native = Filesystem::new();
    let t = thread_cpu_seconds();
    let (r, _) = native.run(context(&args, &fs_native), &Limits::default());
    assert_eq!(r?, Exit::Code(0));
    let native_s = thread_cpu_seconds() - t;
    if argv.next().as_deref() == Some("native-only") {
        let out = fs_native.read("/out.mp4")?;
        println!("native tier: {native_s:.2} CPU s, {} bytes", out.len());
        return Ok(());
    }

    let rt = afmpeg::Runtime::builder(afmpeg::ModuleSource::File(native.source().into()))
        .engine(afmpeg::Engine::Interpreter)
        .build()?;
    let fs_interp = Filesystem::new();
    // The interpreter runs the guest on a thread of its own: this thread
    // only waits, so count the whole process.
    let t = process_cpu_seconds();
    let (r, _) = rt.run_wasi(context(&args, &fs_interp), &afmpeg::ExecLimits::default());
    assert_eq!(r?.code, 0);
    let interp_s = process_cpu_seconds() - t;

    // Debian's ffmpeg (same sources, no asm), if installed: the native-C reference.
    let dir = std::env::temp_dir().join(format!("afmpeg-tiers-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let c_args: Vec<String> = args
        .iter()
        .map(|a| a.replace("/out.mp4", "out.mp4"))
        .collect();
    let before = children_cpu_seconds();
    let native_c = std::process::Command::new("/usr/bin/ffmpeg")
        .args(&c_args)
        .current_dir(&dir)
        .status();
    let native_c_s = children_cpu_seconds() - before;
    let c_out = std::fs::read(dir.join("out.mp4")).ok();
    let _ = std::fs::remove_dir_all(&dir);

    let a = fs_native.read("/out.mp4")?;
    let b = fs_interp.read("/out.mp4")?;
    println!("{size} {secs} s testsrc2 -> x264 veryfast, CPU seconds:");
    println!("  native tier:      {native_s:.2}");
    println!("  interpreter tier: {interp_s:.2}");
    if native_c.is_ok_and(|s| s.success()) {
        println!(
            "  Debian ffmpeg:    {native_c_s:.2} (native tier / it: {:.2}x, same bytes: {})",
            native_s / native_c_s,
            c_out.as_deref() == Some(&fs_native.read("/out.mp4")?[..])
        );
    }
    println!("  interpreter / native tier: {:.1}x", interp_s / native_s);
    println!("  outputs: {} bytes, byte-identical: {}", a.len(), a == b);
    Ok(())
}
