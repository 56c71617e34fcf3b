//! `syscall_sequence`: see `src/syscall_sequence.rs` (the body, shared with the corpus replay
//! in `src/corpus_replay.rs`).

#![no_main]

libfuzzer_sys::fuzz_target!(|ops: Vec<afmpeg_fuzz::syscall_sequence::Op>| {
    afmpeg_fuzz::syscall_sequence::run(ops)
});
