;; An endless loop of 32 MiB memory.copy, no calls (see fill_spin.wat).
(module
  (memory (export "memory") 1024)
  (func (export "_start")
    (loop $l
      (memory.copy (i32.const 0x2000000) (i32.const 0) (i32.const 0x2000000))
      (br $l))))
