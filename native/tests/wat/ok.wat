;; Writes and reads its memory, then returns: the call ends with exit code 0.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 65532) (i32.const 42))
    (if (i32.ne (i32.load (i32.const 65532)) (i32.const 42)) (then unreachable))))
