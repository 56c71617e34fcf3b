//! `raw_abi`: see `src/raw_abi.rs` (the body, shared with the corpus replay
//! in `src/corpus_replay.rs`).

#![no_main]

libfuzzer_sys::fuzz_target!(|input: afmpeg_fuzz::raw_abi::In| afmpeg_fuzz::raw_abi::run(input));
