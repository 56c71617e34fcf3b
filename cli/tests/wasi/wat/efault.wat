;; Raw-ABI pointer edge cases: out-of-bounds pointers and iovecs must give
;; EFAULT (21), never a host panic or a trap; buffers that end exactly at the
;; end of memory work. Memory is exactly one page (65536 bytes).
;; Reports through the exit code: 0 = all passed, N = check N failed.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "hello.txt")
  (data (i32.const 600) "subdir/inner.txt")

  (func $expect (param $got i32) (param $want i32) (param $check i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (call $proc_exit (local.get $check)))))

  (func $set_iovec (param $at i32) (param $buf i32) (param $len i32)
    (i32.store (local.get $at) (local.get $buf))
    (i32.store offset=4 (local.get $at) (local.get $len)))

  (func (export "_start")
    (local $fd i32)
    ;; check 1: fd_write with the iovec array pointer out of bounds -> EFAULT
    (call $expect (call $fd_write (i32.const 1) (i32.const 0xFFFFFFF0) (i32.const 1) (i32.const 64)) (i32.const 21) (i32.const 1))
    ;; check 2: fd_write with an iovec whose buffer is out of bounds -> EFAULT
    (call $set_iovec (i32.const 256) (i32.const 70000) (i32.const 4))
    (call $expect (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 64)) (i32.const 21) (i32.const 2))
    ;; check 3: iovec buf + len wraps around 2^32 -> EFAULT
    (call $set_iovec (i32.const 256) (i32.const 0xFFFFFF00) (i32.const 0x200))
    (call $expect (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 64)) (i32.const 21) (i32.const 3))
    ;; check 4: iovec count so large that count * 8 overflows 32 bits -> EFAULT
    (call $expect (call $fd_write (i32.const 1) (i32.const 256) (i32.const 0x20000001) (i32.const 64)) (i32.const 21) (i32.const 4))
    ;; check 5: nwritten result pointer out of bounds -> EFAULT
    (call $set_iovec (i32.const 256) (i32.const 512) (i32.const 0))
    (call $expect (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 65534)) (i32.const 21) (i32.const 5))
    ;; check 6: path_open with the path out of bounds -> EFAULT
    (call $expect (call $path_open (i32.const 3) (i32.const 1) (i32.const 65530) (i32.const 20) (i32.const 0)
                        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.const 21) (i32.const 6))
    ;; check 7: path_open with a huge path length -> EFAULT
    (call $expect (call $path_open (i32.const 3) (i32.const 1) (i32.const 512) (i32.const 0x7FFFFFFF) (i32.const 0)
                        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.const 21) (i32.const 7))
    ;; check 8: path_open with the result fd pointer out of bounds -> EFAULT
    (call $expect (call $path_open (i32.const 3) (i32.const 1) (i32.const 512) (i32.const 9) (i32.const 0)
                        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 65533)) (i32.const 21) (i32.const 8))
    ;; check 9: open hello.txt normally
    (call $expect (call $path_open (i32.const 3) (i32.const 1) (i32.const 512) (i32.const 9) (i32.const 0)
                        (i64.const 0x1FFFFFFF) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.const 0) (i32.const 9))
    (local.set $fd (i32.load (i32.const 64)))
    ;; check 10: fd_read into a buffer ending exactly at the end of memory works (12 bytes)
    (call $set_iovec (i32.const 256) (i32.const 65524) (i32.const 12))
    (call $expect (call $fd_read (local.get $fd) (i32.const 256) (i32.const 1) (i32.const 72)) (i32.const 0) (i32.const 10))
    ;; check 11: ... and read all 12 bytes
    (call $expect (i32.load (i32.const 72)) (i32.const 12) (i32.const 11))
    ;; check 12: ... the last byte of memory is the newline of "hello world\n"
    (call $expect (i32.load8_u (i32.const 65535)) (i32.const 10) (i32.const 12))
    ;; check 13: fd_pread into a buffer that crosses the end of memory by one byte -> EFAULT
    (call $set_iovec (i32.const 256) (i32.const 65525) (i32.const 12))
    (call $expect (call $fd_pread (local.get $fd) (i32.const 256) (i32.const 1) (i64.const 0) (i32.const 72)) (i32.const 21) (i32.const 13))
    ;; check 14: path_filestat_get with the result buffer out of bounds -> EFAULT
    (call $expect (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 9) (i32.const 65500)) (i32.const 21) (i32.const 14))
    ;; check 15: fd_prestat_dir_name into an out-of-bounds buffer -> EFAULT
    (call $expect (call $fd_prestat_dir_name (i32.const 3) (i32.const 65535) (i32.const 8)) (i32.const 21) (i32.const 15))
    ;; check 16: args_get with argv out of bounds -> EFAULT
    (call $expect (call $args_get (i32.const 0xFFFFFF00) (i32.const 1024)) (i32.const 21) (i32.const 16))
    ;; check 17: args_sizes_get result out of bounds -> EFAULT
    (call $expect (call $args_sizes_get (i32.const 65535) (i32.const 64)) (i32.const 21) (i32.const 17))
    ;; check 18: random_get crossing the end of memory -> EFAULT
    (call $expect (call $random_get (i32.const 65530) (i32.const 7)) (i32.const 21) (i32.const 18))
    ;; check 19: random_get ending exactly at the end of memory works
    (call $expect (call $random_get (i32.const 65530) (i32.const 6)) (i32.const 0) (i32.const 19))
    ;; check 20: clock_time_get result out of bounds -> EFAULT
    (call $expect (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 65532)) (i32.const 21) (i32.const 20))
    ;; check 21: fd_readdir buffer out of bounds -> EFAULT
    (call $expect (call $fd_readdir (i32.const 3) (i32.const 65000) (i32.const 4096) (i64.const 0) (i32.const 64)) (i32.const 21) (i32.const 21))
    ;; check 22: fd_read with zero iovecs at an out-of-bounds address is fine or EFAULT, never a trap
    (drop (call $fd_read (local.get $fd) (i32.const 0xFFFFFFF8) (i32.const 0) (i32.const 72)))
    ;; check 23: a path with an embedded NUL -> EINVAL or EILSEQ
    (i32.store8 (i32.const 517) (i32.const 0))
    (local.set $fd (call $path_open (i32.const 3) (i32.const 1) (i32.const 512) (i32.const 9) (i32.const 0)
                        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))
    (if (i32.and (i32.ne (local.get $fd) (i32.const 28)) (i32.ne (local.get $fd) (i32.const 25)))
      (then (call $proc_exit (i32.const 23))))
  )
)
