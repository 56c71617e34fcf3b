//! `path_resolution`: see `src/path_resolution.rs` (the body, shared with the corpus replay
//! in `src/corpus_replay.rs`).

#![no_main]

libfuzzer_sys::fuzz_target!(|input: afmpeg_fuzz::path_resolution::Input| {
    afmpeg_fuzz::path_resolution::run(input)
});
