//! Load (issue 6): 500 sequential real FFmpeg jobs on one `Runtime` leave
//! the process's resident memory where it was after job 50 (within 10%).
//! The concurrent variant is `make load` (tools/load.rs).
//!
//! Its own test binary, with one test, so no other test's memory moves the
//! RSS it measures. The guest module must exist (`make guest`).

mod support;
use support::load;

const JOBS: usize = 500;
const BASELINE_AFTER: usize = 50;

#[test]
fn five_hundred_sequential_jobs_keep_rss_flat() {
    // The reference: the same job on a runtime of its own, run once.
    let own = support::guest::build_on_test_engine(
        afmpeg::Runtime::default_location_builder().unwrap_or_else(|e| panic!("{e}")),
    );
    let single = load::tiny_encode(&own).unwrap_or_else(|e| panic!("single run: {e}"));
    drop(own);
    assert!(!single.is_empty());
    let rt = support::guest::runtime();
    let mut baseline = 0;
    for job in 1..=JOBS {
        let mp4 = load::tiny_encode(&rt).unwrap_or_else(|e| panic!("job {job}: {e}"));
        // Every job made the single run's file, byte for byte: the same
        // work was really done, and nothing carried over between jobs.
        assert!(
            mp4 == single,
            "job {job}: output differs from the single run ({} vs {} bytes)",
            mp4.len(),
            single.len()
        );
        if job == BASELINE_AFTER {
            baseline = load::rss_bytes();
        }
        if job % 100 == 0 {
            eprintln!("after job {job}: RSS {} KiB", load::rss_bytes() >> 10);
        }
    }
    let last = load::rss_bytes();
    let ratio = last as f64 / baseline as f64;
    eprintln!(
        "RSS after job {BASELINE_AFTER}: {} KiB, after job {JOBS}: {} KiB, ratio {ratio:.3}",
        baseline >> 10,
        last >> 10
    );
    assert!(
        ratio <= 1.10,
        "RSS grew {:.1}% from job {BASELINE_AFTER} to job {JOBS}",
        (ratio - 1.0) * 100.0
    );
}
