//! The short CI variant of the bad-media soak (issue 6): 80 deterministic
//! cases of mutated seed files, each probed and decoded to null through one
//! shared `Runtime` with limits on. Zero failures and zero hangs allowed:
//! every run ends in success, a non-zero FFmpeg exit, a guest trap or a
//! typed limit error other than the timeout and fuel budget (those are
//! hangs, reported apart).
//! `make soak` runs the long variant (tools/soak.rs).
//!
//! The guest module must exist (`make guest`): without it this fails.

mod support;
use support::soak;

use std::time::Duration;

const CASES: usize = 80;
const BASE_SEED: u64 = 0x50a4;

#[test]
fn mutated_media_never_crashes_or_hangs() {
    let rt = support::guest::runtime();
    let seeds = soak::make_seeds(&rt).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(seeds.len(), 10, "one seed file per format");
    for s in &seeds {
        assert!(!s.bytes.is_empty(), "seed {} is empty", s.name);
    }
    let case_seeds: Vec<u64> = (0..CASES).map(|i| soak::case_seed(BASE_SEED, i)).collect();
    let limits = soak::soak_limits(Duration::from_secs(10), soak::DEFAULT_FUEL);
    let report = soak::run_cases(&rt, &seeds, &case_seeds, &limits, 0, |_| {});
    report.print();
    assert!(
        report.failures.is_empty(),
        "{} failure(s):\n{}",
        report.failures.len(),
        report.failures.join("\n")
    );
    assert!(
        report.hangs.is_empty(),
        "{} hang(s), runs stopped by their timeout or fuel budget:\n{}",
        report.hangs.len(),
        report.hangs.join("\n")
    );
    assert_eq!(report.cases, CASES);
    assert_eq!(report.outcomes.values().sum::<usize>(), 2 * CASES);
    // The mutations bite (FFmpeg refuses some inputs) and do not destroy
    // everything (some still decode).
    let ok = report.outcomes.get("success").copied().unwrap_or(0);
    assert!(ok > 0 && ok < 2 * CASES, "outcomes: {:?}", report.outcomes);
}

/// Past findings of the long soak, as the bytes that failed (not re-derived
/// from a case seed, so a change to the seed files or the mutations cannot
/// quietly turn them into other inputs):
/// `finding-323c8e48b717ec08.png` (case seed `0x323c8e48b717ec08`, a spliced,
/// bit-flipped PNG) makes ffprobe report a display aspect ratio of
/// `-1048576:1`, which the typed probe (`Runtime::probe`) refused.
#[test]
fn past_soak_findings_stay_fixed() {
    let rt = support::guest::runtime();
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/soak/finding-323c8e48b717ec08.png"
    ))
    .unwrap();
    assert_eq!(bytes.len(), 4281);
    let fs = afmpeg::Filesystem::new();
    fs.write("/in.png", bytes).unwrap();
    // Still the input that triggers it: ffprobe's own JSON has the ratio.
    let raw = rt
        .run_tool(
            afmpeg::Tool::Ffprobe,
            &fs,
            &afmpeg::MediaInfo::probe_args("/in.png"),
            &afmpeg::RunOptions::default(),
        )
        .unwrap();
    assert!(raw.success(), "{}", raw.stderr_text());
    assert!(
        raw.stdout_text()
            .contains(r#""display_aspect_ratio": "-1048576:1""#),
        "{}",
        raw.stdout_text()
    );
    // The call that failed: the typed probe now reads it; a negative ratio
    // is no ratio (None), the rest of the stream is kept.
    let info = rt.probe(&fs, "/in.png").unwrap_or_else(|e| panic!("{e}"));
    let v = info.video_streams().next().expect("a video stream");
    assert_eq!((v.width, v.height), (Some(64), Some(48)));
    let sar = v.sample_aspect_ratio.as_ref().map(|r| (r.num, r.den));
    assert_eq!(sar, Some((41_943_041, 1)));
    assert!(
        v.display_aspect_ratio.is_none(),
        "{:?}",
        v.display_aspect_ratio
    );
}

#[test]
fn cases_are_deterministic() {
    // No guest needed: the same seed files and case seed give the same bytes.
    let seeds: Vec<soak::SeedFile> = (0..3)
        .map(|i| soak::SeedFile {
            name: "synthetic",
            ext: "bin",
            bytes: (0..500u32).map(|b| (b * 7 + i) as u8).collect(),
        })
        .collect();
    for i in 0..50 {
        let s = soak::case_seed(7, i);
        let a = soak::Case::generate(&seeds, s);
        let b = soak::Case::generate(&seeds, s);
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.mutations, b.mutations);
    }
    assert_ne!(soak::case_seed(7, 0), soak::case_seed(7, 1));
}

#[test]
fn length_fields_are_found_in_real_structures() {
    // An MP4 box header, a RIFF chunk, an EBML Segment size, an Ogg page.
    let mut mp4 = 16u32.to_be_bytes().to_vec();
    mp4.extend_from_slice(b"ftypisom\0\0\0\0");
    let case = |bytes: Vec<u8>| soak::SeedFile {
        name: "x",
        ext: "x",
        bytes,
    };
    // Find a seed whose case is a length-field mutation of the box size.
    let seeds = vec![case(mp4)];
    let hit = (0..2000)
        .map(|i| soak::Case::generate(&seeds, soak::case_seed(1, i)))
        .any(|c| {
            c.mutations.iter().any(|m| {
                matches!(
                    m,
                    soak::Mutation::LengthField {
                        kind: "box",
                        offset: 0,
                        ..
                    }
                )
            })
        });
    assert!(hit, "no mutation of the ftyp box size in 2000 cases");
}
