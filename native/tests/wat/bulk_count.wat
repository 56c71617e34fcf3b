;; Three iterations of a 32 MiB memory.fill and a 32 MiB memory.copy: at one
;; checkpoint per 64 bytes, 2^19 + 2^19 per iteration, plus one function
;; entry and three loop heads: exactly 3 * 2^20 + 4 checkpoints.
(module
  (memory (export "memory") 1024)
  (func (export "_start") (local $i i32)
    (loop $l
      (memory.fill (i32.const 0) (i32.const 1) (i32.const 0x2000000))
      (memory.copy (i32.const 0x2000000) (i32.const 0) (i32.const 0x2000000))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))))
