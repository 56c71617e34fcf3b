//! `overlay_sequence`: see `src/overlay_sequence.rs` (the body, shared with the corpus replay
//! in `src/corpus_replay.rs`).

#![no_main]

libfuzzer_sys::fuzz_target!(|input: afmpeg_fuzz::overlay_sequence::Input| {
    afmpeg_fuzz::overlay_sequence::run(input)
});
