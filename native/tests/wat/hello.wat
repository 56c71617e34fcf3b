;; Writes "hi\n" to stdout with fd_write, then proc_exit(3).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func (export "_start")
    ;; one iovec at 0: 3 bytes at 16; nwritten at 8
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
    (if (i32.ne (i32.load (i32.const 8)) (i32.const 3)) (then unreachable))
    ;; a bad fd gives EBADF (8), returned to the guest as the exit code's check
    (if (i32.ne (call $fd_write (i32.const 99) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 8))
      (then unreachable))
    (call $proc_exit (i32.const 3))
    unreachable))
