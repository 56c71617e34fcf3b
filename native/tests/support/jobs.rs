//! The FFmpeg jobs the tests and the `tiers` example run on both tiers.

/// `source` (a lavfi source) through x264 veryfast into `/out.mp4`, on
/// FFmpeg's plain C paths with one thread and no version strings in the
/// file (as tests/parity.rs does), so the bytes depend only on the code.
pub fn x264_to_mp4(source: &str) -> Vec<String> {
    [
        "-nostdin",
        "-y",
        "-hide_banner",
        "-cpuflags",
        "0",
        "-threads",
        "1",
        "-filter_threads",
        "1",
        "-f",
        "lavfi",
        "-i",
        source,
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-threads",
        "1",
        "-x264-params",
        "asm=0",
        "-flags:v",
        "+bitexact",
        "-fflags",
        "+bitexact",
        "-f",
        "mp4",
        "/out.mp4",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}
