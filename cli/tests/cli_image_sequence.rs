//! An image sequence of many files through `afmpeg ffmpeg`: every file is
//! imported on demand (no mapping or descriptor per file; one mapping per
//! file stopped near 65,530 files) and every frame decoded.
//!
//! `make test` runs 3,000 files; the `long-input-tests` feature
//! (`make test-image-sequence`) runs 100,000.

mod support;

use support::command::{afmpeg, describe};

/// Frames of the sequence.
#[cfg(feature = "long-input-tests")]
const SEQUENCE_FRAMES: usize = 100_000;
#[cfg(not(feature = "long-input-tests"))]
const SEQUENCE_FRAMES: usize = 3_000;

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

/// Four distinct 16x16 PNGs (made by the CLI itself), repeated as
/// `seq/%06d.png`; the framemd5 lines are checked against the files' order.
#[test]
fn an_image_sequence_of_many_files_encodes() {
    let dir = tempfile::tempdir().unwrap();
    let mut pngs = Vec::new();
    for shade in ["black", "gray", "white", "red"] {
        let args = format!(
            "ffmpeg -hide_banner -nostdin -y -f lavfi -i color=c={shade}:s=16x16:d=0.04 -frames:v 1 -f image2 f.png"
        );
        let o = afmpeg(dir.path(), &words(&args));
        assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
        pngs.push(std::fs::read(dir.path().join("f.png")).unwrap());
    }
    let seq = dir.path().join("seq");
    std::fs::create_dir(&seq).unwrap();
    for i in 0..SEQUENCE_FRAMES {
        std::fs::write(seq.join(format!("{:06}.png", i + 1)), &pngs[i % 4]).unwrap();
    }
    let o = afmpeg(
        dir.path(),
        &words("ffmpeg -hide_banner -nostdin -loglevel error -framerate 25 -i seq/%06d.png -f framemd5 out.md5"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    let md5 = std::fs::read_to_string(dir.path().join("out.md5")).unwrap();
    let hashes: Vec<&str> = md5
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.rsplit(',').next().unwrap().trim())
        .collect();
    assert_eq!(hashes.len(), SEQUENCE_FRAMES);
    for (i, h) in hashes.iter().enumerate() {
        assert_eq!(*h, hashes[i % 4], "frame {i}");
    }
    let distinct: std::collections::HashSet<_> = hashes[..4].iter().collect();
    assert_eq!(distinct.len(), 4, "the four images decode differently");
}
