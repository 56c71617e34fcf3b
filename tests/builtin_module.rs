//! The lean module built into the program (feature `builtin-module`, crate
//! `afmpeg-module-lean`): a transcode and a probe with no module file
//! anywhere, the way an app that never ran `make guest` uses afmpeg.
//! `make test` runs it; the check that the shipped bytes are the bytes the
//! recipe builds is `make check-builtin-module`.

mod support;

use afmpeg::{Filesystem, ModuleSource, Runtime};
use support::guest::{ffmpeg_ok, probe, words};

#[test]
fn the_builtin_module_transcodes_and_probes() {
    let runtime = Runtime::builtin().expect("the built-in module loads");
    let fs = Filesystem::new();
    ffmpeg_ok(
        &runtime,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=1:size=128x96:rate=25 -c:v libx264 -preset ultrafast -pix_fmt yuv420p /out.mp4"),
    );
    let info = probe(&runtime, &fs, "/out.mp4");
    assert_eq!(info.streams.len(), 1);
    let video = info.video_streams().next().expect("a video stream");
    assert_eq!(video.codec_name.as_deref(), Some("h264"));
    assert_eq!((video.width, video.height), (Some(128), Some(96)));
    assert_eq!(info.format.duration, Some(1.0));
}

#[test]
fn the_builtin_source_is_the_recorded_module() {
    let ModuleSource::Bytes(bytes) = ModuleSource::builtin().expect("the built-in module") else {
        panic!("the built-in module is handed out as bytes");
    };
    assert_eq!(
        afmpeg::engine::fetch::sha256_hex(&bytes),
        afmpeg_module_lean::SHA256_HEX
    );
    assert_eq!(&bytes[..4], b"\0asm");
}
