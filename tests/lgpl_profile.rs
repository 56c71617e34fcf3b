//! The **lgpl** guest profile (guest/profiles/lgpl.sh): no GPL component,
//! H.264 encoding through OpenH264.
//!
//! Run with `make test-lgpl`, which builds (or takes from the cache) the
//! lgpl-profile module and runs
//! `cargo test --features lgpl-profile-tests --test lgpl_profile` with
//! `AFMPEG_MODULE_LGPL` set. The file only compiles under that feature
//! (`required-features` in Cargo.toml), so `cargo test --workspace` does
//! not run it; without the module these tests fail, they never skip.

mod support;

use afmpeg::{Filesystem, Runtime};
use support::guest::*;

const ENV: &str = "AFMPEG_MODULE_LGPL";

fn lgpl_runtime() -> Runtime {
    profile_runtime("lgpl", ENV, "test-lgpl")
}

/// FFmpeg 5.1's components that configure builds only with --enable-gpl
/// (configure: `*_deps="gpl"` and EXTERNAL_LIBRARY_GPL_LIST), by the names
/// capabilities.json uses.
const GPL_ONLY: &[&str] = &[
    // external libraries (encoders/decoders)
    "libx264",
    "libx264rgb",
    "libx265",
    "libxvid",
    "libxavs",
    "libxavs2",
    "libdavs2",
    "libvidstab",
    "librubberband",
    "libcdio",
    // FFmpeg's own GPL filters
    "blackframe",
    "boxblur",
    "colormatrix",
    "cover_rect",
    "cropdetect",
    "delogo",
    "eq",
    "find_rect",
    "fspp",
    "histeq",
    "hqdn3d",
    "interlace",
    "kerndeint",
    "mcdeint",
    "mpdecimate",
    "mptestsrc",
    "nnedi",
    "owdenoise",
    "perspective",
    "phase",
    "pp7",
    "pp",
    "pullup",
    "repeatfields",
    "sab",
    "signature",
    "smartblur",
    "spp",
    "stereo3d",
    "super2xsai",
    "tinterlace",
    "uspp",
    "vaguedenoiser",
];

#[test]
fn license_and_buildconf_name_no_gpl_component() {
    let rt = lgpl_runtime();
    let fs = Filesystem::new();
    let license = ffmpeg_ok(&rt, &fs, &["-hide_banner", "-L"]).stdout_text();
    // FFmpeg wraps the text at other places per licence: compare it flat
    let flat = license.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "under the terms of the GNU Lesser General Public License as published by the \
             Free Software Foundation; either version 2.1 of the License"
        ),
        "-L:\n{license}"
    );
    assert!(
        !flat.contains("GNU General Public License"),
        "-L:\n{license}"
    );
    let buildconf = ffmpeg_ok(&rt, &fs, &["-hide_banner", "-buildconf"]).stdout_text();
    assert!(buildconf.contains("--enable-libopenh264"), "{buildconf}");
    for flag in [
        "--enable-gpl",
        "--enable-version3",
        "--enable-nonfree",
        "--enable-libx264",
    ] {
        assert!(
            !buildconf.contains(flag),
            "-buildconf has {flag}:\n{buildconf}"
        );
    }
}

#[test]
fn capabilities_json_lists_openh264_and_no_gpl_component() {
    let module = profile_module("lgpl", ENV, "test-lgpl");
    let path = module
        .parent()
        .expect("cache entry")
        .join("capabilities.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let caps: serde_json::Value = serde_json::from_str(&text).expect("capabilities.json parses");
    let names = |key: &str| -> Vec<String> {
        caps[key]
            .as_array()
            .unwrap_or_else(|| panic!("capabilities.json has no list {key:?}"))
            .iter()
            .map(|v| v.as_str().expect("a name").to_owned())
            .collect()
    };
    assert!(names("encoders").iter().any(|e| e == "libopenh264"));
    for key in [
        "decoders", "encoders", "filters", "demuxers", "muxers", "indevs", "outdevs",
    ] {
        for name in names(key) {
            assert!(
                !GPL_ONLY.contains(&name.as_str()),
                "{key}: {name} is GPL-only"
            );
        }
    }
}

#[test]
fn h264_through_openh264_encodes_and_decodes() {
    let rt = lgpl_runtime();
    let fs = Filesystem::new();
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=2:size=160x120:rate=10 -f lavfi -i sine=frequency=440:duration=2 -c:v libopenh264 -b:v 200k -c:a aac -b:a 64k /out.mp4"),
    );
    let info = probe(&rt, &fs, "/out.mp4");
    assert_eq!(info.streams.len(), 2);
    let v = &info.streams[0];
    assert_eq!(v.codec_name.as_deref(), Some("h264"));
    assert_eq!((v.width, v.height), (Some(160), Some(120)));
    assert_eq!(info.streams[1].codec_name.as_deref(), Some("aac"));
    let d = info.duration().expect("duration");
    assert!((1.95..=2.1).contains(&d), "duration {d}");
    // FFmpeg's own H.264 decoder reads every frame back
    assert_eq!(count_video_frames(&rt, &fs, "/out.mp4"), 20);
    // and decodes them to the right size (3 planes of 4:2:0)
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -i /out.mp4 -f rawvideo -pix_fmt yuv420p /out.yuv"),
    );
    assert_eq!(fs.read("/out.yuv").unwrap().len(), 20 * 160 * 120 * 3 / 2);
}
