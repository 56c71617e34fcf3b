;; One module, one trap per command-line argument, so that one runtime runs
;; trapping and normal jobs in turn: no argument returns (exit 0); argv[1]'s
;; first byte picks the trap:
;;   o  load past the end of memory        u  unreachable
;;   s  unbounded recursion                d  integer division by zero
;;   v  INT_MIN / -1                       i  call_indirect through a null entry
;;   t  call_indirect with the wrong type  c  truncating NaN
;;   anything else: exit 0.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (type $nullary (func))
  (type $unary (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 1) $noop)
  (func $noop)
  (func $down (param $n i32) (result i32)
    (i32.store (i32.and (local.get $n) (i32.const 0xfffc))
               (call $down (i32.add (local.get $n) (i32.const 4))))
    (i32.load (i32.const 0)))
  (func $pick (result i32)
    ;; argc at 0, argv buffer size at 4; argv pointers at 16, strings at 256
    (if (call $args_sizes_get (i32.const 0) (i32.const 4)) (then unreachable))
    (if (i32.lt_u (i32.load (i32.const 0)) (i32.const 2)) (then (return (i32.const 0))))
    (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 60000)) (then unreachable))
    (if (call $args_get (i32.const 16) (i32.const 256)) (then unreachable))
    (i32.load8_u (i32.load (i32.const 20))))
  (func (export "_start") (local $c i32)
    (local.set $c (call $pick))
    (if (i32.eq (local.get $c) (i32.const 0x6f)) ;; o
      (then (drop (i32.load (i32.const 65536)))))
    (if (i32.eq (local.get $c) (i32.const 0x75)) ;; u
      (then unreachable))
    (if (i32.eq (local.get $c) (i32.const 0x73)) ;; s
      (then (drop (call $down (i32.const 0)))))
    (if (i32.eq (local.get $c) (i32.const 0x64)) ;; d
      (then (drop (i32.div_u (local.get $c) (i32.sub (local.get $c) (local.get $c))))))
    (if (i32.eq (local.get $c) (i32.const 0x76)) ;; v
      (then (drop (i32.div_s (i32.const 0x80000000) (i32.sub (i32.const 0x75) (local.get $c))))))
    (if (i32.eq (local.get $c) (i32.const 0x69)) ;; i
      (then (call_indirect (type $nullary) (i32.const 0))))
    (if (i32.eq (local.get $c) (i32.const 0x74)) ;; t
      (then (drop (call_indirect (type $unary) (i32.const 7) (i32.const 1)))))
    (if (i32.eq (local.get $c) (i32.const 0x63)) ;; c
      (then (drop (i32.trunc_f32_s (f32.div (f32.const 0) (f32.convert_i32_s (i32.sub (local.get $c) (local.get $c))))))))))
