//! The modules built into the program: the default one (feature
//! `builtin-module`, crate `afmpeg-module-default`, with its font mounted)
//! and the lean one (feature `builtin-module-lean`, crate
//! `afmpeg-module-lean`): transcodes, probes and a caption with no module
//! or font file anywhere, the way an app that never ran `make guest` uses
//! afmpeg. `make test` runs it; the check that the shipped bytes are the
//! bytes the recipe builds is `make check-builtin-module`.

mod support;

use afmpeg::{Filesystem, ModuleSource, Runtime};
use support::guest::{ffmpeg_ok, probe, words};

/// Encodes one second of testsrc to H.264 with `runtime` and checks the
/// probed result.
fn transcode_and_probe(runtime: &Runtime) {
    let fs = Filesystem::new();
    ffmpeg_ok(
        runtime,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=1:size=128x96:rate=25 -c:v libx264 -preset ultrafast -pix_fmt yuv420p /out.mp4"),
    );
    let info = probe(runtime, &fs, "/out.mp4");
    assert_eq!(info.streams.len(), 1);
    let video = info.video_streams().next().expect("a video stream");
    assert_eq!(video.codec_name.as_deref(), Some("h264"));
    assert_eq!((video.width, video.height), (Some(128), Some(96)));
    assert_eq!(info.format.duration, Some(1.0));
}

#[test]
fn the_builtin_default_module_transcodes_and_probes() {
    transcode_and_probe(&Runtime::builtin().expect("the built-in module loads"));
}

#[test]
fn the_builtin_lean_module_transcodes_and_probes() {
    transcode_and_probe(&Runtime::builtin_lean().expect("the built-in lean module loads"));
}

/// drawtext without `fontfile=` draws with the font `Runtime::builtin`
/// mounts, which the job's filesystem never holds (and cannot change).
#[test]
fn the_builtin_default_module_draws_text_with_its_mounted_font() {
    let runtime = Runtime::builtin().unwrap();
    let fs = Filesystem::new();
    let gray = |filter: &str, out: &str| -> Vec<u8> {
        ffmpeg_ok(
            &runtime,
            &fs,
            &words(&format!(
                "-hide_banner -f lavfi -i color=c=black:size=64x48:duration=0.1 -vf {filter},format=gray \
                 -frames:v 1 -f rawvideo {out}"
            )),
        );
        fs.read(out).unwrap()
    };
    let plain = gray("null", "/plain.gray");
    let text = gray("drawtext=text=Hi:fontsize=24:fontcolor=white", "/text.gray");
    assert_eq!(plain.len(), 64 * 48);
    assert!(plain.iter().all(|&p| p <= 16), "the plain frame is black");
    let lit = text.iter().filter(|&&p| p > 128).count();
    assert!(lit >= 20, "only {lit} pixels of text");
    assert!(!fs.exists("/usr/share/fonts/afmpeg"));
    // the mount is read-only: the job cannot add to it or replace the font
    // (rawvideo opens its output up front, so FFmpeg prints the errno's
    // text; image2 would open it per frame and print only "I/O error")
    let out = runtime
        .run(
            &fs,
            &words(
                "-hide_banner -f lavfi -i color=size=8x8 -frames:v 1 -f rawvideo -y \
                 /usr/share/fonts/afmpeg/DejaVuSans.ttf",
            ),
        )
        .or_else(afmpeg::Error::into_exit_output)
        .expect("the job runs");
    assert!(!out.success());
    assert!(
        out.stderr_text().contains("Read-only file system"),
        "{}",
        out.stderr_text()
    );
}

#[test]
fn the_builtin_sources_are_the_recorded_modules() {
    for (source, sha256) in [
        (ModuleSource::builtin(), afmpeg_module_default::SHA256_HEX),
        (ModuleSource::builtin_lean(), afmpeg_module_lean::SHA256_HEX),
    ] {
        let ModuleSource::Bytes(bytes) = source.expect("the built-in module") else {
            panic!("a built-in module is handed out as bytes");
        };
        assert_eq!(afmpeg::engine::fetch::sha256_hex(&bytes), sha256);
        assert_eq!(&bytes[..4], b"\0asm");
    }
}
