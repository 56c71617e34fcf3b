;; memory.copy between overlapping ranges larger than the runtime's chunk,
;; both directions: the result must be memmove's. Memory holds the words
;; 0, 1, 2, … (word k at 4k); unreachable on any wrong word, else exit 0.
(module
  (memory (export "memory") 8)
  (func $check (param $from i32) (param $count i32) (param $delta i32) (local $k i32)
    ;; word k at $from + 4k must be k + $delta
    (loop $l
      (if (i32.ne (i32.load (i32.add (local.get $from) (i32.shl (local.get $k) (i32.const 2))))
                  (i32.add (local.get $k) (local.get $delta)))
        (then unreachable))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $k) (local.get $count)))))
  (func (export "_start") (local $k i32)
    (loop $l
      (i32.store (i32.shl (local.get $k) (i32.const 2)) (local.get $k))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $k) (i32.const 65536))))
    ;; destination above the source: words 0..49151 move up one word
    (memory.copy (i32.const 4) (i32.const 0) (i32.const 0x30000))
    (call $check (i32.const 4) (i32.const 49152) (i32.const 0))
    ;; destination below the source: word k+1 (now at 8+4k) moves to 4k
    (memory.copy (i32.const 0) (i32.const 8) (i32.const 0x30000))
    (call $check (i32.const 0) (i32.const 49151) (i32.const 1))))
