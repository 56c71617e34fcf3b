;; Recursion 2^30 levels deep (n steps by 4 until it wraps to -4): the stack
;; runs out long before. Each level stores what the next returned, so no
;; compiler can turn it into a loop.
(module
  (memory (export "memory") 1)
  (func $down (param $n i32) (result i32)
    (if (result i32) (i32.eq (local.get $n) (i32.const -4))
      (then (i32.const 0))
      (else
        (i32.store (i32.and (local.get $n) (i32.const 0xfffc))
                   (call $down (i32.add (local.get $n) (i32.const 4))))
        (i32.load (i32.const 0)))))
  (func (export "_start") (drop (call $down (i32.const 0)))))
