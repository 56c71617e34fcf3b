//! The generated wasmi binding end to end: the errno a guest sees, the
//! memory slot it fills in the store data, and how each way of ending the
//! guest (proc_exit, a fatal signal, the interrupt flag, a module without
//! memory) comes back to the embedder.
#![cfg(feature = "wasmi")]

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use wasi_shim::wasmi_link::{self, NoMemoryExport, WasiStore};
use wasi_shim::{Abort, WasiCtx};
use wasmi::{Engine, Linker, Module, Store};

const WITH_MEMORY: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $raise (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "close") (param i32) (result i32) (call $close (local.get 0)))
  (func (export "raise") (param i32) (result i32) (call $raise (local.get 0))))"#;

const WITHOUT_MEMORY: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "close") (param i32) (result i32) (call $close (local.get 0)))
  (func (export "exit") (param i32) (call $exit (local.get 0))))"#;

fn instance(wat: &str, wasi: WasiCtx) -> (Store<WasiStore>, wasmi::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()[..]).unwrap();
    let mut linker = Linker::<WasiStore>::new(&engine);
    wasmi_link::add_to_linker(&mut linker).unwrap();
    let mut store = Store::new(&engine, WasiStore::new(wasi));
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    (store, instance)
}

fn call(
    store: &mut Store<WasiStore>,
    i: &wasmi::Instance,
    f: &str,
    arg: i32,
) -> Result<i32, wasmi::Error> {
    i.get_typed_func::<i32, i32>(&*store, f)
        .unwrap()
        .call(store, arg)
}

#[test]
fn errnos_and_the_memory_slot() {
    let (mut store, i) = instance(WITH_MEMORY, WasiCtx::builder().build().unwrap());
    assert!(store.data().memory.is_none());
    assert_eq!(call(&mut store, &i, "close", 99).unwrap(), 8, "EBADF");
    // Kept after the first call: the instance's one-page memory.
    let kept = store.data().memory.map(|m| m.size(&store));
    assert_eq!(kept, Some(1));
    // SIGCHLD is ignored by default: the call returns 0 and the guest goes on.
    assert_eq!(call(&mut store, &i, "raise", 16).unwrap(), 0);
}

#[test]
fn a_fatal_signal_ends_the_guest_with_its_abort() {
    let (mut store, i) = instance(WITH_MEMORY, WasiCtx::builder().build().unwrap());
    let err = call(&mut store, &i, "raise", 15).unwrap_err();
    assert_eq!(wasmi_link::abort_of(&err), Some(Abort::Signal(15)));
}

#[test]
fn the_interrupt_flag_ends_the_next_call() {
    let flag = Arc::new(AtomicBool::new(true));
    let wasi = WasiCtx::builder().interrupt(flag).build().unwrap();
    let (mut store, i) = instance(WITH_MEMORY, wasi);
    let err = call(&mut store, &i, "close", 99).unwrap_err();
    assert_eq!(wasmi_link::abort_of(&err), Some(Abort::Interrupted));
}

#[test]
fn without_memory_proc_exit_still_exits_and_other_calls_trap() {
    let (mut store, i) = instance(WITHOUT_MEMORY, WasiCtx::builder().build().unwrap());
    let err = call(&mut store, &i, "close", 3).unwrap_err();
    assert!(err.downcast_ref::<NoMemoryExport>().is_some(), "{err}");
    let exit = i.get_typed_func::<i32, ()>(&store, "exit").unwrap();
    let err = exit.call(&mut store, 7).unwrap_err();
    assert_eq!(wasmi_link::abort_of(&err), Some(Abort::Exit(7)));
}
