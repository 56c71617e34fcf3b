;; memory.fill one byte past the end of memory: a bulk operation, checked by
;; the generated code itself rather than by the guard pages.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (memory.fill (i32.const 65000) (i32.const 0) (i32.const 537))))
