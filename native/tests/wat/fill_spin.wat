;; An endless loop of 64 MiB memory.fill, no calls: its loop head passes one
;; checkpoint per 64 MiB, so only the checkpoints inside the bulk operation
;; (one unit per 64 bytes, charged a chunk at a time) stop it in time.
(module
  (memory (export "memory") 1024)
  (func (export "_start")
    (loop $l
      (memory.fill (i32.const 0) (i32.const 0x5a) (i32.const 0x4000000))
      (br $l))))
