//! `backend_syscalls`: see `src/backend_syscalls.rs` (the body, shared with the corpus replay
//! in `src/corpus_replay.rs`).

#![no_main]

libfuzzer_sys::fuzz_target!(|ops: Vec<afmpeg_fuzz::guest::Op>| {
    afmpeg_fuzz::backend_syscalls::run(ops)
});
