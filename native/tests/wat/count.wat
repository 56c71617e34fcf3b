;; Exactly 1001 checkpoints: `_start`'s entry and 1000 passes through the
;; loop's head (the first entry and 999 back edges).
(module
  (func (export "_start") (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))))
