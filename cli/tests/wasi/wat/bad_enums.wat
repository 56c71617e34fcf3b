;; Invalid enum and flag values must give EINVAL (28), never a panic.
;; Reports through the exit code: 0 = all passed, N = check N failed.
(module
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_advise" (func $fd_advise (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func $fd_filestat_set_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "hello.txt")

  (func $expect (param $got i32) (param $want i32) (param $check i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (call $proc_exit (local.get $check)))))

  (func (export "_start")
    (local $fd i32)
    ;; check 1: open hello.txt
    (call $expect (call $path_open (i32.const 3) (i32.const 1) (i32.const 512) (i32.const 9) (i32.const 0)
                        (i64.const 0x1FFFFFFF) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.const 0) (i32.const 1))
    (local.set $fd (i32.load (i32.const 64)))
    ;; check 2: fd_seek whence 3 -> EINVAL
    (call $expect (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 3) (i32.const 72)) (i32.const 28) (i32.const 2))
    ;; check 3: fd_seek whence 255 -> EINVAL
    (call $expect (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 255) (i32.const 72)) (i32.const 28) (i32.const 3))
    ;; check 4: clock_time_get clock id 4 -> EINVAL
    (call $expect (call $clock_time_get (i32.const 4) (i64.const 1) (i32.const 72)) (i32.const 28) (i32.const 4))
    ;; check 5: clock_time_get clock id 0xFFFFFFFF -> EINVAL
    (call $expect (call $clock_time_get (i32.const -1) (i64.const 1) (i32.const 72)) (i32.const 28) (i32.const 5))
    ;; check 6: clock_res_get clock id 4 -> EINVAL
    (call $expect (call $clock_res_get (i32.const 4) (i32.const 72)) (i32.const 28) (i32.const 6))
    ;; check 7: fd_advise advice 6 -> EINVAL
    (call $expect (call $fd_advise (local.get $fd) (i64.const 0) (i64.const 0) (i32.const 6)) (i32.const 28) (i32.const 7))
    ;; check 8: path_open with an unknown oflags bit (0x10) -> EINVAL
    (call $expect (call $path_open (i32.const 3) (i32.const 1) (i32.const 512) (i32.const 9) (i32.const 0x10)
                        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.const 28) (i32.const 8))
    ;; check 9: path_open with an unknown fdflags bit (0x20) -> EINVAL
    (call $expect (call $path_open (i32.const 3) (i32.const 1) (i32.const 512) (i32.const 9) (i32.const 0)
                        (i64.const 2) (i64.const 0) (i32.const 0x20) (i32.const 64)) (i32.const 28) (i32.const 9))
    ;; check 10: path_open with an unknown lookupflags bit (0x2) -> EINVAL
    (call $expect (call $path_open (i32.const 3) (i32.const 3) (i32.const 512) (i32.const 9) (i32.const 0)
                        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.const 28) (i32.const 10))
    ;; check 11: fd_fdstat_set_flags with an unknown bit -> EINVAL
    (call $expect (call $fd_fdstat_set_flags (local.get $fd) (i32.const 0x40)) (i32.const 28) (i32.const 11))
    ;; check 12: fd_filestat_set_times with an unknown fstflags bit (0x10) -> EINVAL
    (call $expect (call $fd_filestat_set_times (local.get $fd) (i64.const 0) (i64.const 0) (i32.const 0x10)) (i32.const 28) (i32.const 12))
    ;; check 13: poll_oneoff with an unknown event type (3) -> EINVAL
    (i64.store (i32.const 1024) (i64.const 99))
    (i32.store8 (i32.const 1032) (i32.const 3))
    (call $expect (call $poll_oneoff (i32.const 1024) (i32.const 2048) (i32.const 1) (i32.const 72)) (i32.const 28) (i32.const 13))
  )
)
